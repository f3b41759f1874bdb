/*
 * blowfish.h - an in-house Blowfish core (Schneier, 1993) for
 * bcrypt_pbkdf(3). libcrypto 3.0 keeps Blowfish in its legacy provider
 * and offers no access to the key schedule, and bcrypt's "expensive key
 * schedule" (eksblowfish: a salted key expansion, repeated) needs exactly
 * that, so the cipher is written here from the published description.
 *
 * Only encryption of 64-bit blocks held as two 32-bit halves (big-endian
 * byte order when converted, as in the original description) is offered,
 * plus decryption for tests. The state holds key material: callers wipe
 * it with blowfish_wipe() when done. No function here can fail.
 */
#ifndef SESH_CRYPTO_BLOWFISH_H
#define SESH_CRYPTO_BLOWFISH_H

#include <stddef.h>
#include <stdint.h>

#define BLOWFISH_ROUNDS    16
#define BLOWFISH_BLOCK_LEN 8

struct blowfish {
	uint32_t p[BLOWFISH_ROUNDS + 2];
	uint32_t s[4][256];
};

/* Loads the initial state: the P-array and S-boxes from pi's digits. */
void blowfish_init_state(struct blowfish *bf);

/*
 * The unsalted key expansion step: XORs the key, read as a cyclic stream
 * of big-endian 32-bit words, into the P-array, then replaces P and S by
 * successive encryptions of an all-zero block chained through the state.
 * keylen 0 acts as an all-zero key.
 */
void blowfish_expand0(struct blowfish *bf, const uint8_t *key, size_t keylen);

/*
 * The salted key expansion of eksblowfish: as blowfish_expand0(), except
 * that before each encryption the block is XORed with the next 64 bits of
 * data, read as a cyclic stream of big-endian words (one stream across P
 * and all S-boxes). datalen or keylen 0 act as all-zero input.
 */
void blowfish_expand(struct blowfish *bf, const uint8_t *data, size_t datalen,
                     const uint8_t *key, size_t keylen);

/* Standard Blowfish keying: initial state then blowfish_expand0(). */
void blowfish_set_key(struct blowfish *bf, const uint8_t *key, size_t keylen);

/* Encrypts/decrypts one block given as its left and right halves. */
void blowfish_encrypt(const struct blowfish *bf, uint32_t *l, uint32_t *r);
void blowfish_decrypt(const struct blowfish *bf, uint32_t *l, uint32_t *r);

/* ECB on 8-byte blocks in big-endian byte order (in may equal out). */
void blowfish_encrypt_block(const struct blowfish *bf,
                            const uint8_t in[BLOWFISH_BLOCK_LEN],
                            uint8_t out[BLOWFISH_BLOCK_LEN]);
void blowfish_decrypt_block(const struct blowfish *bf,
                            const uint8_t in[BLOWFISH_BLOCK_LEN],
                            uint8_t out[BLOWFISH_BLOCK_LEN]);

/* Wipes the whole state. */
void blowfish_wipe(struct blowfish *bf);

#endif
