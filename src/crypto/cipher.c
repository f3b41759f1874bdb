/*
 * cipher.c - SSH ciphers over libcrypto EVP (see cipher.h).
 *
 * aes*-ctr: one EVP_CIPHER_CTX, a continuous key stream across calls
 * (RFC 4344 §4: the counter carries over from packet to packet).
 *
 * aes*-gcm@openssh.com (RFC 5647 §7 as used by OpenSSH): the 12-byte IV is
 * a 4-byte fixed field and an 8-byte invocation counter; the counter is
 * incremented as a 64-bit big-endian number after every packet. The
 * 4-byte packet length is AAD and stays in clear; the tag is 16 bytes.
 * One EVP_CIPHER_CTX holds the key schedule and only the IV is set per
 * packet.
 *
 * chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305): 64
 * bytes of key, the first 32 are K_2 (payload and Poly1305 key), the last
 * 32 are K_1 (the length). The original ChaCha20 uses a 64-bit block
 * counter and a 64-bit nonce (the sequence number, big-endian); with
 * OpenSSL's 16-byte ChaCha20 IV (LE32 counter || 96-bit nonce) that is
 * IV = LE32(counter) || 00000000 || BE64(seqnr), the zero word being the
 * high half of the 64-bit counter. Poly1305's one-time key is the first
 * 32 bytes of K_2's block 0; the payload is encrypted from block 1; the
 * tag covers encrypted length || encrypted payload and is checked, in
 * constant time, before anything is decrypted.
 *
 * cipher_open() never leaves plaintext behind on a bad tag: chacha checks
 * before decrypting; GCM (whose EVP API only verifies at the end)
 * re-encrypts the buffer to its original ciphertext, and wipes it should
 * that fail.
 */
#include "crypto/cipher.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "crypto/crypto_int.h"

/* Bytes of the packet-length field at the start of every packet. */
#define CIPHER_LEN_FIELD      4
#define CIPHER_TAG_LEN        16
#define CIPHER_GCM_IV_LEN     12
#define CIPHER_GCM_FIXED_LEN  4
#define CIPHER_CHACHA_KEY_LEN 32
#define CIPHER_CHACHA_IV_LEN  16
#define CIPHER_CHACHA_BLOCK   64
#define CIPHER_POLY_KEY_LEN   32
#define CIPHER_CTR_IV_LEN     16
#define CIPHER_EXPORT_TAG     "sesh-cipher-v1"
/* EVP takes int lengths; feed larger inputs in block-aligned pieces. */
#define CIPHER_CHUNK (1u << 30)

static const struct cipher_alg cipher_algs[] = {
    {"aes128-ctr", CIPHER_KIND_CTR, 16, 16, 16, 0},
    {"aes192-ctr", CIPHER_KIND_CTR, 24, 16, 16, 0},
    {"aes256-ctr", CIPHER_KIND_CTR, 32, 16, 16, 0},
    {"aes128-gcm@openssh.com", CIPHER_KIND_GCM, 16, CIPHER_GCM_IV_LEN, 16,
     CIPHER_TAG_LEN},
    {"aes256-gcm@openssh.com", CIPHER_KIND_GCM, 32, CIPHER_GCM_IV_LEN, 16,
     CIPHER_TAG_LEN},
    {"chacha20-poly1305@openssh.com", CIPHER_KIND_CHACHAPOLY,
     2 * CIPHER_CHACHA_KEY_LEN, 0, 8, CIPHER_TAG_LEN},
    {"none", CIPHER_KIND_NONE, 0, 0, 8, 0},
};

struct cipher_ctx {
	const struct cipher_alg *alg;
	bool encrypt;
	EVP_CIPHER_CTX *evp;           /* CTR; GCM; chacha K_2 (payload) */
	EVP_CIPHER_CTX *hdr;           /* chacha K_1 (length) */
	EVP_MAC_CTX *poly;             /* chacha Poly1305 */
	uint8_t iv[CIPHER_GCM_IV_LEN]; /* GCM fixed || invocation counter */
	/* kept for cipher_export(); wiped at free */
	uint8_t key[2 * CIPHER_CHACHA_KEY_LEN];
	uint8_t iv0[CIPHER_CTR_IV_LEN]; /* CTR: the initial counter block */
	uint64_t ctr_bytes;             /* CTR: key stream bytes used */
};

static const EVP_CIPHER *
cipher_evp(const struct cipher_alg *alg)
{
	switch (alg->kind) {
	case CIPHER_KIND_CTR:
		switch (alg->key_len) {
		case 16:
			return EVP_aes_128_ctr();
		case 24:
			return EVP_aes_192_ctr();
		case 32:
			return EVP_aes_256_ctr();
		}
		break;
	case CIPHER_KIND_GCM:
		switch (alg->key_len) {
		case 16:
			return EVP_aes_128_gcm();
		case 32:
			return EVP_aes_256_gcm();
		}
		break;
	case CIPHER_KIND_CHACHAPOLY:
		return EVP_chacha20();
	case CIPHER_KIND_NONE:
		break;
	}
	return NULL;
}

const struct cipher_alg *
cipher_by_name_n(const char *name, size_t n)
{
	size_t i;

	if (name == NULL) {
		return NULL;
	}
	for (i = 0; i < sizeof(cipher_algs) / sizeof(cipher_algs[0]); i++) {
		if (strlen(cipher_algs[i].name) == n &&
		    memcmp(cipher_algs[i].name, name, n) == 0) {
			return &cipher_algs[i];
		}
	}
	return NULL;
}

const struct cipher_alg *
cipher_by_name(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	return cipher_by_name_n(name, strlen(name));
}

/* EVP_CipherUpdate over any size; a stream/CTR/GCM update emits n bytes. */
static int
cipher_update(EVP_CIPHER_CTX *ctx, uint8_t *dst, const uint8_t *src, size_t n)
{
	while (n > 0) {
		size_t chunk = n > CIPHER_CHUNK ? CIPHER_CHUNK : n;
		int outl = 0;

		if (EVP_CipherUpdate(ctx, dst, &outl, src, (int)chunk) != 1) {
			return crypto_fail("EVP_CipherUpdate");
		}
		if (outl < 0 || (size_t)outl != chunk) {
			return crypto_fail("EVP_CipherUpdate length");
		}
		dst += chunk;
		src += chunk;
		n -= chunk;
	}
	return 0;
}

/*
 * One GCM operation on ctx (already keyed) with the given 12-byte IV:
 * aad is authenticated, buf en/decrypted in place. Encrypting writes
 * tag; decrypting checks it and returns SESH_ERR_MAC_INVALID on mismatch
 * (buf then holds unauthenticated plaintext: the caller restores it).
 */
static int
cipher_gcm_run(EVP_CIPHER_CTX *ctx, bool enc, const uint8_t *iv,
               const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t n,
               uint8_t *tag)
{
	uint8_t tagbuf[CIPHER_TAG_LEN];
	uint8_t fin[CIPHER_TAG_LEN];
	int outl = 0, ret;

	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc ? 1 : 0) != 1) {
		ret = crypto_fail("EVP_CipherInit_ex(GCM IV)");
		goto out;
	}
	if (aad_len > 0 &&
	    (aad_len > INT_MAX ||
	     EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len) != 1)) {
		ret = crypto_fail("EVP_CipherUpdate(GCM AAD)");
		goto out;
	}
	if ((ret = cipher_update(ctx, buf, buf, n)) != 0) {
		goto out;
	}
	if (!enc) {
		memcpy(tagbuf, tag, sizeof(tagbuf));
		if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
		                        CIPHER_TAG_LEN, tagbuf) != 1) {
			ret = crypto_fail("EVP_CTRL_AEAD_SET_TAG");
			goto out;
		}
	}
	if (EVP_CipherFinal_ex(ctx, fin, &outl) != 1) {
		if (!enc) {
			/* A tag mismatch, not a library failure. */
			ERR_clear_error();
			ret = SESH_ERR_MAC_INVALID;
		} else {
			ret = crypto_fail("EVP_CipherFinal_ex(GCM)");
		}
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
	                               CIPHER_TAG_LEN, tag) != 1) {
		ret = crypto_fail("EVP_CTRL_AEAD_GET_TAG");
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(fin, sizeof(fin));
	return ret;
}

/*
 * GCM decryption that leaves buf as it was on a bad tag: the plaintext
 * produced before the tag check is encrypted back with the same IV (the
 * key stream is the same both ways), or wiped if that fails.
 */
static int
cipher_gcm_open(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *aad,
                size_t aad_len, uint8_t *buf, size_t n, const uint8_t *tag)
{
	uint8_t tagbuf[CIPHER_TAG_LEN];
	uint8_t junk[CIPHER_TAG_LEN];
	int ret;

	memcpy(tagbuf, tag, sizeof(tagbuf));
	ret = cipher_gcm_run(ctx, false, iv, aad, aad_len, buf, n, tagbuf);
	if (ret == 0) {
		return 0;
	}
	if (cipher_gcm_run(ctx, true, iv, NULL, 0, buf, n, junk) != 0) {
		OPENSSL_cleanse(buf, n);
	}
	return ret;
}

/* IV = LE32(counter) || 00000000 || BE64(seqnr); seqnr < 2^32 here. */
static void
cipher_chacha_iv(uint8_t iv[CIPHER_CHACHA_IV_LEN], uint32_t counter,
                 uint32_t seqnr)
{
	memset(iv, 0, CIPHER_CHACHA_IV_LEN);
	iv[0] = (uint8_t)counter;
	iv[1] = (uint8_t)(counter >> 8);
	iv[2] = (uint8_t)(counter >> 16);
	iv[3] = (uint8_t)(counter >> 24);
	/* iv[4..8): high half of the block counter; iv[8..12): seqnr >> 32 */
	iv[12] = (uint8_t)(seqnr >> 24);
	iv[13] = (uint8_t)(seqnr >> 16);
	iv[14] = (uint8_t)(seqnr >> 8);
	iv[15] = (uint8_t)seqnr;
}

/* n bytes of ChaCha20 on ctx from block `counter` under nonce seqnr. */
static int
cipher_chacha_xor(EVP_CIPHER_CTX *ctx, uint32_t counter, uint32_t seqnr,
                  uint8_t *dst, const uint8_t *src, size_t n)
{
	uint8_t iv[CIPHER_CHACHA_IV_LEN];

	cipher_chacha_iv(iv, counter, seqnr);
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1) != 1) {
		return crypto_fail("EVP_CipherInit_ex(chacha20 IV)");
	}
	return cipher_update(ctx, dst, src, n);
}

/* Poly1305 tag over p[0..n) with the one-time key from K_2's block 0. */
static int
cipher_chacha_tag(struct cipher_ctx *c, uint32_t seqnr, const uint8_t *p,
                  size_t n, uint8_t tag[CIPHER_TAG_LEN])
{
	static const uint8_t zero[CIPHER_CHACHA_BLOCK];
	uint8_t block0[CIPHER_CHACHA_BLOCK];
	size_t outl = 0;
	int ret;

	if ((ret = cipher_chacha_xor(c->evp, 0, seqnr, block0, zero,
	                             sizeof(block0))) != 0) {
		goto out;
	}
	if (EVP_MAC_init(c->poly, block0, CIPHER_POLY_KEY_LEN, NULL) != 1) {
		ret = crypto_fail("EVP_MAC_init(POLY1305)");
		goto out;
	}
	if (n > 0 && EVP_MAC_update(c->poly, p, n) != 1) {
		ret = crypto_fail("EVP_MAC_update(POLY1305)");
		goto out;
	}
	if (EVP_MAC_final(c->poly, tag, &outl, CIPHER_TAG_LEN) != 1 ||
	    outl != CIPHER_TAG_LEN) {
		ret = crypto_fail("EVP_MAC_final(POLY1305)");
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(block0, sizeof(block0));
	return ret;
}

/* Adds one to the GCM invocation counter (iv[4..12), big-endian). */
static void
cipher_gcm_next_iv(struct cipher_ctx *c)
{
	size_t i = CIPHER_GCM_IV_LEN;

	while (i > CIPHER_GCM_FIXED_LEN) {
		i--;
		if (++c->iv[i] != 0) {
			break;
		}
	}
}

int
cipher_new(const struct cipher_alg *alg, bool encrypt, const uint8_t *key,
           const uint8_t *iv, struct cipher_ctx **out)
{
	struct cipher_ctx *c = NULL;
	const EVP_CIPHER *evp;
	EVP_MAC *mac = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (alg == NULL || (alg->key_len > 0 && key == NULL) ||
	    (alg->iv_len > 0 && iv == NULL)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	c->alg = alg;
	c->encrypt = encrypt;
	if (alg->key_len > sizeof(c->key) ||
	    (alg->kind == CIPHER_KIND_CTR &&
	     alg->iv_len != CIPHER_CTR_IV_LEN)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (alg->key_len > 0) {
		memcpy(c->key, key, alg->key_len);
	}
	if (alg->kind == CIPHER_KIND_CTR) {
		memcpy(c->iv0, iv, CIPHER_CTR_IV_LEN);
	}
	if (alg->kind == CIPHER_KIND_NONE) {
		*out = c;
		c = NULL;
		ret = 0;
		goto out;
	}
	if ((evp = cipher_evp(alg)) == NULL) {
		ret = SESH_ERR_CIPHER_UNKNOWN;
		goto out;
	}
	if ((c->evp = EVP_CIPHER_CTX_new()) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	switch (alg->kind) {
	case CIPHER_KIND_CTR:
		if (EVP_CipherInit_ex(c->evp, evp, NULL, key, iv,
		                      encrypt ? 1 : 0) != 1) {
			ret = crypto_fail("EVP_CipherInit_ex(CTR)");
			goto out;
		}
		break;
	case CIPHER_KIND_GCM:
		if (EVP_CipherInit_ex(c->evp, evp, NULL, NULL, NULL,
		                      encrypt ? 1 : 0) != 1 ||
		    EVP_CIPHER_CTX_ctrl(c->evp, EVP_CTRL_AEAD_SET_IVLEN,
		                        CIPHER_GCM_IV_LEN, NULL) != 1 ||
		    EVP_CipherInit_ex(c->evp, NULL, NULL, key, NULL, -1) != 1) {
			ret = crypto_fail("EVP_CipherInit_ex(GCM)");
			goto out;
		}
		memcpy(c->iv, iv, CIPHER_GCM_IV_LEN);
		break;
	case CIPHER_KIND_CHACHAPOLY:
		if ((c->hdr = EVP_CIPHER_CTX_new()) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		/* key = K_2 || K_1 */
		if (EVP_CipherInit_ex(c->evp, evp, NULL, key, NULL, 1) != 1 ||
		    EVP_CipherInit_ex(c->hdr, evp, NULL,
		                      key + CIPHER_CHACHA_KEY_LEN, NULL,
		                      1) != 1) {
			ret = crypto_fail("EVP_CipherInit_ex(chacha20)");
			goto out;
		}
		if ((mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_POLY1305, NULL)) ==
		    NULL) {
			ret = crypto_fail("EVP_MAC_fetch(POLY1305)");
			goto out;
		}
		if ((c->poly = EVP_MAC_CTX_new(mac)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		break;
	case CIPHER_KIND_NONE:
		break;
	}
	*out = c;
	c = NULL;
	ret = 0;
out:
	EVP_MAC_free(mac);
	cipher_free(c);
	return ret;
}

void
cipher_free(struct cipher_ctx *c)
{
	if (c == NULL) {
		return;
	}
	/* The EVP frees cleanse their key schedules and MAC state. */
	EVP_CIPHER_CTX_free(c->evp);
	EVP_CIPHER_CTX_free(c->hdr);
	EVP_MAC_CTX_free(c->poly);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

const struct cipher_alg *
cipher_alg(const struct cipher_ctx *c)
{
	return c == NULL ? NULL : c->alg;
}

bool
cipher_encrypting(const struct cipher_ctx *c)
{
	return c != NULL && c->encrypt;
}

int
cipher_crypt(struct cipher_ctx *c, uint8_t *dst, const uint8_t *src, size_t n)
{
	if (c == NULL || ((dst == NULL || src == NULL) && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	switch (c->alg->kind) {
	case CIPHER_KIND_NONE:
		if (n > 0 && dst != src) {
			memmove(dst, src, n);
		}
		return 0;
	case CIPHER_KIND_CTR:
		c->ctr_bytes += n;
		return cipher_update(c->evp, dst, src, n);
	case CIPHER_KIND_GCM:
	case CIPHER_KIND_CHACHAPOLY:
		break;
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

int
cipher_seal(struct cipher_ctx *c, uint32_t seqnr, uint8_t *pkt, size_t len,
            uint8_t *tag)
{
	uint8_t *body;
	size_t body_len;
	int ret;

	if (c == NULL || pkt == NULL || tag == NULL || len < CIPHER_LEN_FIELD ||
	    !c->encrypt) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	body = pkt + CIPHER_LEN_FIELD;
	body_len = len - CIPHER_LEN_FIELD;
	switch (c->alg->kind) {
	case CIPHER_KIND_GCM:
		if ((ret = cipher_gcm_run(c->evp, true, c->iv, pkt,
		                          CIPHER_LEN_FIELD, body, body_len,
		                          tag)) != 0) {
			return ret;
		}
		cipher_gcm_next_iv(c);
		return 0;
	case CIPHER_KIND_CHACHAPOLY:
		if ((ret = cipher_chacha_xor(c->hdr, 0, seqnr, pkt, pkt,
		                             CIPHER_LEN_FIELD)) != 0 ||
		    (ret = cipher_chacha_xor(c->evp, 1, seqnr, body, body,
		                             body_len)) != 0 ||
		    (ret = cipher_chacha_tag(c, seqnr, pkt, len, tag)) != 0) {
			return ret;
		}
		return 0;
	case CIPHER_KIND_NONE:
	case CIPHER_KIND_CTR:
		break;
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

/* cipher_update over buf[0..len) in place, except buf[off..off+n),
 * whose input is src. */
static int
cipher_update_from(EVP_CIPHER_CTX *ctx, uint8_t *buf, size_t len,
                   const uint8_t *src, size_t off, size_t n)
{
	int ret;

	if ((ret = cipher_update(ctx, buf, buf, off)) != 0 ||
	    (ret = cipher_update(ctx, buf + off, src, n)) != 0) {
		return ret;
	}
	return cipher_update(ctx, buf + off + n, buf + off + n, len - off - n);
}

int
cipher_seal_from(struct cipher_ctx *c, uint32_t seqnr, uint8_t *pkt, size_t len,
                 uint8_t *tag, const uint8_t *src, size_t off, size_t n)
{
	uint8_t iv[CIPHER_CHACHA_IV_LEN];
	uint8_t *body;
	size_t body_len;
	int outl = 0, ret;

	if (c == NULL || pkt == NULL || tag == NULL || len < CIPHER_LEN_FIELD ||
	    !c->encrypt || (src == NULL && n > 0) || off < CIPHER_LEN_FIELD ||
	    off > len || n > len - off) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	body = pkt + CIPHER_LEN_FIELD;
	body_len = len - CIPHER_LEN_FIELD;
	off -= CIPHER_LEN_FIELD;
	switch (c->alg->kind) {
	case CIPHER_KIND_GCM:
		if (EVP_CipherInit_ex(c->evp, NULL, NULL, NULL, c->iv, 1) !=
		    1) {
			return crypto_fail("EVP_CipherInit_ex(GCM IV)");
		}
		if (EVP_CipherUpdate(c->evp, NULL, &outl, pkt,
		                     CIPHER_LEN_FIELD) != 1) {
			return crypto_fail("EVP_CipherUpdate(GCM AAD)");
		}
		if ((ret = cipher_update_from(c->evp, body, body_len, src, off,
		                              n)) != 0) {
			return ret;
		}
		/* GCM's final step writes no bytes */
		if (EVP_CipherFinal_ex(c->evp, tag, &outl) != 1 || outl != 0) {
			return crypto_fail("EVP_CipherFinal_ex(GCM)");
		}
		if (EVP_CIPHER_CTX_ctrl(c->evp, EVP_CTRL_AEAD_GET_TAG,
		                        CIPHER_TAG_LEN, tag) != 1) {
			return crypto_fail("EVP_CTRL_AEAD_GET_TAG");
		}
		cipher_gcm_next_iv(c);
		return 0;
	case CIPHER_KIND_CHACHAPOLY:
		if ((ret = cipher_chacha_xor(c->hdr, 0, seqnr, pkt, pkt,
		                             CIPHER_LEN_FIELD)) != 0) {
			return ret;
		}
		cipher_chacha_iv(iv, 1, seqnr);
		if (EVP_CipherInit_ex(c->evp, NULL, NULL, NULL, iv, -1) != 1) {
			return crypto_fail("EVP_CipherInit_ex(chacha20 IV)");
		}
		if ((ret = cipher_update_from(c->evp, body, body_len, src, off,
		                              n)) != 0 ||
		    (ret = cipher_chacha_tag(c, seqnr, pkt, len, tag)) != 0) {
			return ret;
		}
		return 0;
	case CIPHER_KIND_NONE:
	case CIPHER_KIND_CTR:
		break;
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

int
cipher_crypt_from(struct cipher_ctx *c, uint8_t *dst, size_t len,
                  const uint8_t *src, size_t off, size_t n)
{
	if (c == NULL || (dst == NULL && len > 0) || (src == NULL && n > 0) ||
	    off > len || n > len - off) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	switch (c->alg->kind) {
	case CIPHER_KIND_NONE:
		if (n > 0) {
			memcpy(dst + off, src, n);
		}
		return 0;
	case CIPHER_KIND_CTR:
		c->ctr_bytes += len;
		return cipher_update_from(c->evp, dst, len, src, off, n);
	case CIPHER_KIND_GCM:
	case CIPHER_KIND_CHACHAPOLY:
		break;
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

int
cipher_open_length(struct cipher_ctx *c, uint32_t seqnr, const uint8_t in[4],
                   uint32_t *len)
{
	uint8_t plain[CIPHER_LEN_FIELD];
	struct rd r;
	uint32_t v = 0;
	int ret;

	if (len == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*len = 0;
	if (c == NULL || in == NULL || c->encrypt) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	switch (c->alg->kind) {
	case CIPHER_KIND_GCM:
		memcpy(plain, in, sizeof(plain));
		break;
	case CIPHER_KIND_CHACHAPOLY:
		if ((ret = cipher_chacha_xor(c->hdr, 0, seqnr, plain, in,
		                             sizeof(plain))) != 0) {
			return ret;
		}
		break;
	case CIPHER_KIND_NONE:
	case CIPHER_KIND_CTR:
	default:
		return SESH_ERR_INVALID_ARGUMENT;
	}
	rd_init(&r, plain, sizeof(plain));
	if ((ret = rd_u32(&r, &v)) != 0) {
		return ret;
	}
	*len = v;
	return 0;
}

int
cipher_open(struct cipher_ctx *c, uint32_t seqnr, uint8_t *pkt, size_t len,
            const uint8_t *tag)
{
	uint8_t want[CIPHER_TAG_LEN];
	uint8_t *body;
	size_t body_len;
	int ret;

	if (c == NULL || pkt == NULL || tag == NULL || len < CIPHER_LEN_FIELD ||
	    c->encrypt) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	body = pkt + CIPHER_LEN_FIELD;
	body_len = len - CIPHER_LEN_FIELD;
	switch (c->alg->kind) {
	case CIPHER_KIND_GCM:
		if ((ret = cipher_gcm_open(c->evp, c->iv, pkt, CIPHER_LEN_FIELD,
		                           body, body_len, tag)) != 0) {
			goto out;
		}
		cipher_gcm_next_iv(c);
		break;
	case CIPHER_KIND_CHACHAPOLY:
		if ((ret = cipher_chacha_tag(c, seqnr, pkt, len, want)) != 0) {
			goto out;
		}
		if (CRYPTO_memcmp(want, tag, CIPHER_TAG_LEN) != 0) {
			ret = SESH_ERR_MAC_INVALID;
			goto out;
		}
		if ((ret = cipher_chacha_xor(c->hdr, 0, seqnr, pkt, pkt,
		                             CIPHER_LEN_FIELD)) != 0 ||
		    (ret = cipher_chacha_xor(c->evp, 1, seqnr, body, body,
		                             body_len)) != 0) {
			goto out;
		}
		break;
	case CIPHER_KIND_NONE:
	case CIPHER_KIND_CTR:
	default:
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(want, sizeof(want));
	return ret;
}

int
cipher_gcm_once(const struct cipher_alg *alg, bool encrypt, const uint8_t *key,
                const uint8_t *iv, uint8_t *buf, size_t n, uint8_t *tag)
{
	struct cipher_ctx *c = NULL;
	int ret;

	if (alg == NULL || alg->kind != CIPHER_KIND_GCM || key == NULL ||
	    iv == NULL || (buf == NULL && n > 0) || tag == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = cipher_new(alg, encrypt, key, iv, &c)) != 0) {
		goto out;
	}
	if (encrypt) {
		ret = cipher_gcm_run(c->evp, true, c->iv, NULL, 0, buf, n, tag);
	} else {
		ret = cipher_gcm_open(c->evp, c->iv, NULL, 0, buf, n, tag);
	}
out:
	cipher_free(c);
	return ret;
}

/* ---- state transfer (cipher_export / cipher_import) ---- */

int
cipher_export(const struct cipher_ctx *c, struct buf *out)
{
	size_t mark;
	int ret;

	if (c == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	mark = buf_len(out);
	if ((ret = buf_put_cstring(out, c->alg->name)) != 0 ||
	    (ret = buf_put_bool(out, c->encrypt)) != 0 ||
	    (ret = buf_put_string(out, c->key, c->alg->key_len)) != 0) {
		goto out;
	}
	switch (c->alg->kind) {
	case CIPHER_KIND_CTR:
		if ((ret = buf_put_string(out, c->iv0, sizeof(c->iv0))) != 0 ||
		    (ret = buf_put_u64(out, c->ctr_bytes)) != 0) {
			goto out;
		}
		break;
	case CIPHER_KIND_GCM:
		if ((ret = buf_put_string(out, c->iv, sizeof(c->iv))) != 0) {
			goto out;
		}
		break;
	case CIPHER_KIND_CHACHAPOLY:
	case CIPHER_KIND_NONE:
		break;
	}
	ret = 0;
out:
	if (ret != 0) {
		buf_truncate(out, mark);
	}
	return ret;
}

/* ctr = ctr + add, as a 128-bit big-endian number. */
static void
cipher_ctr_add(uint8_t ctr[CIPHER_CTR_IV_LEN], uint64_t add)
{
	unsigned carry = 0;
	size_t i = CIPHER_CTR_IV_LEN;

	while (i > 0) {
		unsigned v;

		i--;
		v = (unsigned)ctr[i] + (unsigned)(add & 0xff) + carry;
		ctr[i] = (uint8_t)v;
		carry = v >> 8;
		add >>= 8;
	}
}

int
cipher_import(struct rd *r, struct cipher_ctx **out)
{
	const struct cipher_alg *alg;
	struct cipher_ctx *c = NULL;
	const uint8_t *name, *key, *iv = NULL;
	uint8_t ctr[CIPHER_CTR_IV_LEN], zero[CIPHER_CTR_IV_LEN];
	size_t name_len, key_len, iv_len = 0;
	uint64_t used = 0;
	bool encrypt;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (r == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = rd_string_max(r, SESH_MAX_NAME, &name, &name_len)) != 0 ||
	    (ret = rd_bool(r, &encrypt)) != 0 ||
	    (ret = rd_string_max(r, sizeof(c->key), &key, &key_len)) != 0) {
		return ret;
	}
	if ((alg = cipher_by_name_n((const char *)name, name_len)) == NULL) {
		return SESH_ERR_CIPHER_UNKNOWN;
	}
	if (key_len != alg->key_len) {
		return SESH_ERR_INVALID_FORMAT;
	}
	switch (alg->kind) {
	case CIPHER_KIND_CTR:
		if ((ret = rd_string_max(r, CIPHER_CTR_IV_LEN, &iv, &iv_len)) !=
		        0 ||
		    (ret = rd_u64(r, &used)) != 0) {
			return ret;
		}
		if (iv_len != CIPHER_CTR_IV_LEN) {
			return SESH_ERR_INVALID_FORMAT;
		}
		memcpy(ctr, iv, sizeof(ctr));
		cipher_ctr_add(ctr, used / CIPHER_CTR_IV_LEN);
		if ((ret = cipher_new(alg, encrypt, key, ctr, &c)) != 0) {
			goto out;
		}
		memcpy(c->iv0, iv, sizeof(c->iv0));
		memset(zero, 0, sizeof(zero));
		if ((ret = cipher_crypt(c, zero, zero,
		                        (size_t)(used % CIPHER_CTR_IV_LEN))) !=
		    0) {
			goto out;
		}
		c->ctr_bytes = used;
		break;
	case CIPHER_KIND_GCM:
		if ((ret = rd_string_max(r, CIPHER_GCM_IV_LEN, &iv, &iv_len)) !=
		    0) {
			return ret;
		}
		if (iv_len != CIPHER_GCM_IV_LEN) {
			return SESH_ERR_INVALID_FORMAT;
		}
		/* FALLTHROUGH */
	case CIPHER_KIND_CHACHAPOLY:
	case CIPHER_KIND_NONE:
		if ((ret = cipher_new(alg, encrypt, key, iv, &c)) != 0) {
			goto out;
		}
		break;
	}
	*out = c;
	c = NULL;
	ret = 0;
out:
	OPENSSL_cleanse(ctr, sizeof(ctr));
	OPENSSL_cleanse(zero, sizeof(zero));
	cipher_free(c);
	return ret;
}
