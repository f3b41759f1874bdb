/*
 * libversion.h - the version of the crypto library sesh runs with, for
 * "sesh -V" ("sesh_0.1, OpenSSL 3.0.x 1 Jan 2025" as ssh -V prints it).
 */
#ifndef SESH_CRYPTO_LIBVERSION_H
#define SESH_CRYPTO_LIBVERSION_H

/* libcrypto's OpenSSL_version(OPENSSL_VERSION): a static string. */
const char *crypto_library_version(void);

#endif
