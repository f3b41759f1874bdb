/*
 * bcrypt_pbkdf.c - OpenBSD's bcrypt_pbkdf(3), the KDF of openssh-key-v1.
 *
 * A PBKDF2-shaped construction whose PRF is a "bcrypt hash":
 *   H(P, S) = 64 encryptions (ECB, chained in place) of the 32-byte text
 *             "OxychromaticBlowfishSwatDynamite" under an eksblowfish state
 *             made from P = SHA-512(pass) and S = SHA-512(salt material):
 *             initial state, salted expansion (data S, key P), then 64
 *             times unsalted expansion with S and with P; the eight
 *             resulting words are output little-endian (32 bytes).
 * For each output block count = 1, 2, ...:
 *   T_1 = H(SHA-512(pass), SHA-512(salt || BE32(count))),
 *   T_i = H(SHA-512(pass), SHA-512(T_{i-1})), block = T_1 ^ ... ^ T_rounds.
 * The output is spread over the key, not concatenated: with
 * stride = ceil(keylen / 32) and amt = ceil(keylen / stride), byte i of
 * block count lands at key[i * stride + count - 1] for i < amt.
 */
#include "crypto/bcrypt_pbkdf.h"

#include <string.h>

#include "base/err.h"
#include "crypto/blowfish.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

#define BCRYPT_WORDS         8
#define BCRYPT_HASH_LEN      (BCRYPT_WORDS * 4)
#define BCRYPT_SHA512_LEN    64
#define BCRYPT_EXPAND_ROUNDS 64
#define BCRYPT_MAX_KEY       (BCRYPT_HASH_LEN * BCRYPT_HASH_LEN)
#define BCRYPT_MAX_SALT      (1u << 20)

static const char bcrypt_magic[BCRYPT_HASH_LEN + 1] =
    "OxychromaticBlowfishSwatDynamite";

/* The bcrypt hash H(pass_hash, salt_hash) into out (32 bytes). */
static void
bcrypt_hash(struct blowfish *bf, const uint8_t pass_hash[BCRYPT_SHA512_LEN],
            const uint8_t salt_hash[BCRYPT_SHA512_LEN],
            uint8_t out[BCRYPT_HASH_LEN])
{
	uint32_t w[BCRYPT_WORDS];
	int i, j;

	blowfish_init_state(bf);
	blowfish_expand(bf, salt_hash, BCRYPT_SHA512_LEN, pass_hash,
	                BCRYPT_SHA512_LEN);
	for (i = 0; i < BCRYPT_EXPAND_ROUNDS; i++) {
		blowfish_expand0(bf, salt_hash, BCRYPT_SHA512_LEN);
		blowfish_expand0(bf, pass_hash, BCRYPT_SHA512_LEN);
	}
	/* The magic text read as big-endian words. */
	for (j = 0; j < BCRYPT_WORDS; j++) {
		w[j] = ((uint32_t)(uint8_t)bcrypt_magic[4 * j] << 24) |
		       ((uint32_t)(uint8_t)bcrypt_magic[4 * j + 1] << 16) |
		       ((uint32_t)(uint8_t)bcrypt_magic[4 * j + 2] << 8) |
		       (uint32_t)(uint8_t)bcrypt_magic[4 * j + 3];
	}
	for (i = 0; i < BCRYPT_EXPAND_ROUNDS; i++) {
		for (j = 0; j < BCRYPT_WORDS; j += 2) {
			blowfish_encrypt(bf, &w[j], &w[j + 1]);
		}
	}
	/* Output words little-endian, as OpenBSD's implementation does. */
	for (j = 0; j < BCRYPT_WORDS; j++) {
		out[4 * j] = (uint8_t)w[j];
		out[4 * j + 1] = (uint8_t)(w[j] >> 8);
		out[4 * j + 2] = (uint8_t)(w[j] >> 16);
		out[4 * j + 3] = (uint8_t)(w[j] >> 24);
	}
	crypto_wipe(w, sizeof(w));
}

int
bcrypt_pbkdf(const char *pass, size_t passlen, const uint8_t *salt,
             size_t saltlen, uint8_t *key, size_t keylen, unsigned int rounds)
{
	struct blowfish bf;
	struct hash_ctx *h = NULL;
	uint8_t pass_hash[BCRYPT_SHA512_LEN];
	uint8_t salt_hash[BCRYPT_SHA512_LEN];
	uint8_t tmp[BCRYPT_HASH_LEN], acc[BCRYPT_HASH_LEN];
	uint8_t ctr[4];
	size_t stride, amt, i, dest;
	uint32_t count;
	unsigned int r;
	int ret;

	if (pass == NULL || salt == NULL || key == NULL || rounds < 1 ||
	    passlen == 0 || saltlen == 0 || saltlen > BCRYPT_MAX_SALT ||
	    keylen == 0 || keylen > BCRYPT_MAX_KEY) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(key, 0, keylen);
	stride = (keylen + BCRYPT_HASH_LEN - 1) / BCRYPT_HASH_LEN;
	amt = (keylen + stride - 1) / stride;

	if ((ret = hash_digest(HASH_SHA512, pass, passlen, pass_hash)) != 0 ||
	    (ret = hash_new(HASH_SHA512, &h)) != 0) {
		goto out;
	}
	for (count = 1; count <= stride; count++) {
		ctr[0] = (uint8_t)(count >> 24);
		ctr[1] = (uint8_t)(count >> 16);
		ctr[2] = (uint8_t)(count >> 8);
		ctr[3] = (uint8_t)count;
		if ((ret = hash_reset(h)) != 0 ||
		    (ret = hash_update(h, salt, saltlen)) != 0 ||
		    (ret = hash_update(h, ctr, sizeof(ctr))) != 0 ||
		    (ret = hash_final(h, salt_hash)) != 0) {
			goto out;
		}
		bcrypt_hash(&bf, pass_hash, salt_hash, tmp);
		memcpy(acc, tmp, sizeof(acc));
		for (r = 1; r < rounds; r++) {
			if ((ret = hash_digest(HASH_SHA512, tmp, sizeof(tmp),
			                       salt_hash)) != 0) {
				goto out;
			}
			bcrypt_hash(&bf, pass_hash, salt_hash, tmp);
			for (i = 0; i < sizeof(acc); i++) {
				acc[i] ^= tmp[i];
			}
		}
		/* Interleave: byte i of block count -> i*stride + count-1. */
		for (i = 0; i < amt; i++) {
			dest = i * stride + (count - 1);
			if (dest >= keylen) {
				break;
			}
			key[dest] = acc[i];
		}
	}
	ret = 0;
out:
	if (ret != 0) {
		crypto_wipe(key, keylen);
	}
	hash_free(h);
	blowfish_wipe(&bf);
	crypto_wipe(pass_hash, sizeof(pass_hash));
	crypto_wipe(salt_hash, sizeof(salt_hash));
	crypto_wipe(tmp, sizeof(tmp));
	crypto_wipe(acc, sizeof(acc));
	return ret;
}
