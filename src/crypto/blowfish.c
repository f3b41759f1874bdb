/*
 * blowfish.c - Blowfish block cipher and eksblowfish key expansion, from
 * Schneier's description (Fast Software Encryption, 1993) and the bcrypt
 * paper (Provos and Mazieres, 1999). See blowfish.h for the contract.
 *
 * The round function is F(x) = ((S0[a] + S1[b]) ^ S2[c]) + S3[d] with
 * a..d the bytes of x from most to least significant; sixteen Feistel
 * rounds use P[0..15], the output whitening P[16] and P[17].
 */
#include "crypto/blowfish.h"

#include <string.h>

#include "crypto/blowfish_consts.h"
#include "crypto/rand.h"

static inline uint32_t
bf_f(const struct blowfish *bf, uint32_t x)
{
	uint32_t h;

	h = bf->s[0][x >> 24] + bf->s[1][(x >> 16) & 0xff];
	return (h ^ bf->s[2][(x >> 8) & 0xff]) + bf->s[3][x & 0xff];
}

/*
 * Two Feistel rounds per step, the halves' roles alternating, so that no
 * swap is needed; the 16 rounds are unrolled because the key expansion
 * calls this 521 times per schedule and bcrypt_pbkdf runs 129 schedules
 * per hash.
 */
#define BF_ROUND2(bf, xl, xr, i)                                               \
	do {                                                                   \
		(xr) ^= bf_f((bf), (xl)) ^ (bf)->p[(i)];                       \
		(xl) ^= bf_f((bf), (xr)) ^ (bf)->p[(i) + 1];                   \
	} while (0)

static inline void
bf_encrypt(const struct blowfish *bf, uint32_t *l, uint32_t *r)
{
	uint32_t xl = *l ^ bf->p[0], xr = *r;

	BF_ROUND2(bf, xl, xr, 1);
	BF_ROUND2(bf, xl, xr, 3);
	BF_ROUND2(bf, xl, xr, 5);
	BF_ROUND2(bf, xl, xr, 7);
	BF_ROUND2(bf, xl, xr, 9);
	BF_ROUND2(bf, xl, xr, 11);
	BF_ROUND2(bf, xl, xr, 13);
	BF_ROUND2(bf, xl, xr, 15);
	/* After 16 rounds the halves end swapped; whiten with P[17]. */
	*l = xr ^ bf->p[BLOWFISH_ROUNDS + 1];
	*r = xl;
}

void
blowfish_encrypt(const struct blowfish *bf, uint32_t *l, uint32_t *r)
{
	bf_encrypt(bf, l, r);
}

void
blowfish_decrypt(const struct blowfish *bf, uint32_t *l, uint32_t *r)
{
	uint32_t xl = *l, xr = *r, t;
	int i;

	for (i = BLOWFISH_ROUNDS + 1; i > 1; i--) {
		xl ^= bf->p[i];
		xr ^= bf_f(bf, xl);
		t = xl;
		xl = xr;
		xr = t;
	}
	t = xl;
	xl = xr;
	xr = t;
	xr ^= bf->p[1];
	xl ^= bf->p[0];
	*l = xl;
	*r = xr;
}

/* Next big-endian word of a cyclic byte stream; *pos wraps at n. */
static uint32_t
bf_stream_word(const uint8_t *p, size_t n, size_t *pos)
{
	uint32_t w = 0;
	int i;

	if (n == 0) {
		return 0;
	}
	for (i = 0; i < 4; i++) {
		w = (w << 8) | p[*pos];
		if (++*pos >= n) {
			*pos = 0;
		}
	}
	return w;
}

void
blowfish_init_state(struct blowfish *bf)
{
	memcpy(bf->p, blowfish_init_p, sizeof(bf->p));
	memcpy(bf->s, blowfish_init_s, sizeof(bf->s));
}

void
blowfish_expand(struct blowfish *bf, const uint8_t *data, size_t datalen,
                const uint8_t *key, size_t keylen)
{
	size_t kpos = 0, dpos = 0;
	uint32_t l = 0, r = 0;
	int i, k;

	for (i = 0; i < BLOWFISH_ROUNDS + 2; i++) {
		bf->p[i] ^= bf_stream_word(key, keylen, &kpos);
	}
	for (i = 0; i < BLOWFISH_ROUNDS + 2; i += 2) {
		l ^= bf_stream_word(data, datalen, &dpos);
		r ^= bf_stream_word(data, datalen, &dpos);
		bf_encrypt(bf, &l, &r);
		bf->p[i] = l;
		bf->p[i + 1] = r;
	}
	for (k = 0; k < 4; k++) {
		for (i = 0; i < 256; i += 2) {
			l ^= bf_stream_word(data, datalen, &dpos);
			r ^= bf_stream_word(data, datalen, &dpos);
			bf_encrypt(bf, &l, &r);
			bf->s[k][i] = l;
			bf->s[k][i + 1] = r;
		}
	}
}

void
blowfish_expand0(struct blowfish *bf, const uint8_t *key, size_t keylen)
{
	/* An empty data stream reads as zeros: the unsalted schedule. */
	blowfish_expand(bf, NULL, 0, key, keylen);
}

void
blowfish_set_key(struct blowfish *bf, const uint8_t *key, size_t keylen)
{
	blowfish_init_state(bf);
	blowfish_expand0(bf, key, keylen);
}

static uint32_t
bf_load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void
bf_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
blowfish_encrypt_block(const struct blowfish *bf,
                       const uint8_t in[BLOWFISH_BLOCK_LEN],
                       uint8_t out[BLOWFISH_BLOCK_LEN])
{
	uint32_t l = bf_load_be32(in), r = bf_load_be32(in + 4);

	blowfish_encrypt(bf, &l, &r);
	bf_store_be32(out, l);
	bf_store_be32(out + 4, r);
}

void
blowfish_decrypt_block(const struct blowfish *bf,
                       const uint8_t in[BLOWFISH_BLOCK_LEN],
                       uint8_t out[BLOWFISH_BLOCK_LEN])
{
	uint32_t l = bf_load_be32(in), r = bf_load_be32(in + 4);

	blowfish_decrypt(bf, &l, &r);
	bf_store_be32(out, l);
	bf_store_be32(out + 4, r);
}

void
blowfish_wipe(struct blowfish *bf)
{
	crypto_wipe(bf, sizeof(*bf));
}
