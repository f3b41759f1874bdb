/*
 * bcrypt_pbkdf.h - the key derivation of OpenSSH's openssh-key-v1 files
 * (OpenBSD bcrypt_pbkdf(3)). Its Blowfish core is written in-house (no
 * libcrypto equivalent exposed); SHA-512 comes from libcrypto.
 */
#ifndef SESH_CRYPTO_BCRYPT_PBKDF_H
#define SESH_CRYPTO_BCRYPT_PBKDF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Derives keylen bytes (1..1024) from pass/salt with rounds >= 1.
 * Returns 0, SESH_ERR_INVALID_ARGUMENT or SESH_ERR_CRYPTO. All
 * intermediate state is wiped.
 */
int bcrypt_pbkdf(const char *pass, size_t passlen, const uint8_t *salt,
                 size_t saltlen, uint8_t *key, size_t keylen,
                 unsigned int rounds);

#endif
