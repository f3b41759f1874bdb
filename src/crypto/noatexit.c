/*
 * noatexit.c - see noatexit.h.
 */
#include "crypto/noatexit.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "base/err.h"

int
crypto_no_atexit(void)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) != 1) {
		ERR_clear_error();
		return SESH_ERR_CRYPTO;
	}
	return 0;
}
