/*
 * libversion.c - libcrypto's own version text (contract in
 * libversion.h). The runtime library is asked, not the headers, so the
 * line names the library actually loaded.
 */
#include <openssl/crypto.h>

#include "crypto/libversion.h"

const char *
crypto_library_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}
