/*
 * test_cipher.c - crypto/cipher.
 *
 * AES-CTR: NIST SP 800-38A F.5.1/F.5.3/F.5.5. AES-GCM: the GCM spec's
 * test cases 2 and 3 (96-bit IV) through cipher_gcm_once, and packet
 * vectors through cipher_seal/open (AAD = the 4-byte length) checking the
 * invocation counter. chacha20-poly1305@openssh.com: a small, slow
 * ChaCha20 block function and Poly1305 written here from RFC 8439 (and
 * checked against its §2.3.2 and §2.5.2 vectors) compose the OpenSSH
 * construction independently of cipher.c; RFC 8439 A.1 keystream
 * vectors are also checked through the cipher itself. Plus round trips,
 * every-bit tamper sweeps, sequence number and counter mismatch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "base/err.h"
#include "crypto/cipher.h"

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed + i * 31 + (i >> 3));
	}
}

/* ---- reference ChaCha20 block function (RFC 8439 §2.3) ---- */

static uint32_t
ref_rotl(uint32_t v, int c)
{
	return (v << c) | (v >> (32 - c));
}

static uint32_t
ref_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
ref_qr(uint32_t *x, int a, int b, int c, int d)
{
	x[a] += x[b];
	x[d] = ref_rotl(x[d] ^ x[a], 16);
	x[c] += x[d];
	x[b] = ref_rotl(x[b] ^ x[c], 12);
	x[a] += x[b];
	x[d] = ref_rotl(x[d] ^ x[a], 8);
	x[c] += x[d];
	x[b] = ref_rotl(x[b] ^ x[c], 7);
}

/* 64 bytes of key stream: 256-bit key, 32-bit counter, 96-bit nonce. */
static void
ref_chacha_block(const uint8_t key[32], uint32_t counter,
                 const uint8_t nonce[12], uint8_t out[64])
{
	uint32_t s[16], x[16];
	int i;

	s[0] = 0x61707865;
	s[1] = 0x3320646e;
	s[2] = 0x79622d32;
	s[3] = 0x6b206574;
	for (i = 0; i < 8; i++) {
		s[4 + i] = ref_le32(&key[4 * i]);
	}
	s[12] = counter;
	for (i = 0; i < 3; i++) {
		s[13 + i] = ref_le32(&nonce[4 * i]);
	}
	memcpy(x, s, sizeof(x));
	for (i = 0; i < 10; i++) {
		ref_qr(x, 0, 4, 8, 12);
		ref_qr(x, 1, 5, 9, 13);
		ref_qr(x, 2, 6, 10, 14);
		ref_qr(x, 3, 7, 11, 15);
		ref_qr(x, 0, 5, 10, 15);
		ref_qr(x, 1, 6, 11, 12);
		ref_qr(x, 2, 7, 8, 13);
		ref_qr(x, 3, 4, 9, 14);
	}
	for (i = 0; i < 16; i++) {
		uint32_t v = x[i] + s[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}

/*
 * XORs the original (64-bit nonce) ChaCha20 stream into p, starting at
 * block `counter`, nonce = seqnr as big-endian uint64: in RFC 8439 terms
 * nonce bytes are 00000000 || BE64(seqnr).
 */
static void
ref_chacha_xor(const uint8_t key[32], uint32_t counter, uint32_t seqnr,
               uint8_t *p, size_t n)
{
	uint8_t nonce[12] = {0}, ks[64];
	size_t i;

	nonce[8] = (uint8_t)(seqnr >> 24);
	nonce[9] = (uint8_t)(seqnr >> 16);
	nonce[10] = (uint8_t)(seqnr >> 8);
	nonce[11] = (uint8_t)seqnr;
	for (i = 0; i < n; i++) {
		if (i % 64 == 0) {
			ref_chacha_block(key, counter++, nonce, ks);
		}
		p[i] ^= ks[i % 64];
	}
}

/* ---- reference Poly1305 (RFC 8439 §2.5), 17 limbs of 8 bits ---- */

static void
ref_poly_add(uint32_t h[17], const uint32_t c[17])
{
	uint32_t u = 0;
	int j;

	for (j = 0; j < 17; j++) {
		u += h[j] + c[j];
		h[j] = u & 255;
		u >>= 8;
	}
}

/* h = h * r mod 2^130 - 5 (partially reduced). */
static void
ref_poly_mul(uint32_t h[17], const uint32_t r[17])
{
	uint32_t x[17], u;
	int i, j;

	for (i = 0; i < 17; i++) {
		u = 0;
		for (j = 0; j < 17; j++) {
			/* limb i+17-j wraps: 2^136 = 2^6 * 2^130 == 64 * 5 */
			u += h[j] * (j <= i ? r[i - j] : 320 * r[i + 17 - j]);
		}
		x[i] = u;
	}
	u = 0;
	for (j = 0; j < 16; j++) {
		u += x[j];
		h[j] = u & 255;
		u >>= 8;
	}
	u += x[16];
	h[16] = u & 3;
	u = 5 * (u >> 2); /* bits at and above 2^130 fold back times 5 */
	for (j = 0; j < 16; j++) {
		u += h[j];
		h[j] = u & 255;
		u >>= 8;
	}
	h[16] += u;
}

static void
ref_poly1305(const uint8_t key[32], const uint8_t *m, size_t n, uint8_t tag[16])
{
	uint32_t r[17] = {0}, h[17] = {0}, c[17], g[17], s[17] = {0};
	size_t i, j, take;

	for (j = 0; j < 16; j++) {
		r[j] = key[j];
		s[j] = key[16 + j];
	}
	/* clamp */
	r[3] &= 15;
	r[7] &= 15;
	r[11] &= 15;
	r[15] &= 15;
	r[4] &= 252;
	r[8] &= 252;
	r[12] &= 252;
	for (i = 0; i < n; i += take) {
		take = n - i < 16 ? n - i : 16;
		memset(c, 0, sizeof(c));
		for (j = 0; j < take; j++) {
			c[j] = m[i + j];
		}
		c[take] = 1;
		ref_poly_add(h, c);
		ref_poly_mul(h, r);
	}
	/* Full reduction: h - p = h + 5 - 2^130, used when h >= p. */
	memcpy(g, h, sizeof(g));
	memset(c, 0, sizeof(c));
	c[0] = 5;
	ref_poly_add(g, c);
	if (g[16] >= 4) {
		g[16] &= 3;
		memcpy(h, g, sizeof(h));
	}
	ref_poly_add(h, s);
	for (j = 0; j < 16; j++) {
		tag[j] = (uint8_t)h[j];
	}
}

/* OpenSSH chacha20-poly1305 packet, composed from the reference parts. */
static void
ref_chachapoly_seal(const uint8_t key[64], uint32_t seqnr, uint8_t *pkt,
                    size_t len, uint8_t tag[16])
{
	uint8_t block0[64] = {0};

	ref_chacha_xor(&key[32], 0, seqnr, pkt, 4);      /* K_1 */
	ref_chacha_xor(key, 1, seqnr, &pkt[4], len - 4); /* K_2 */
	ref_chacha_xor(key, 0, seqnr, block0, sizeof(block0));
	ref_poly1305(block0, pkt, len, tag);
}

static void
test_ref_chacha_rfc8439(void **state)
{
	uint8_t key[32], nonce[12], want[64], got[64];
	size_t i;

	(void)state;
	/* RFC 8439 §2.3.2 */
	for (i = 0; i < 32; i++) {
		key[i] = (uint8_t)i;
	}
	unhex("000000090000004a00000000", nonce, sizeof(nonce));
	unhex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d4"
	      "6c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8"
	      "a2503c4e",
	      want, sizeof(want));
	ref_chacha_block(key, 1, nonce, got);
	assert_memory_equal(got, want, 64);
}

static void
test_ref_poly1305_rfc8439(void **state)
{
	static const char msg[] = "Cryptographic Forum Research Group";
	uint8_t key[32], want[16], got[16];

	(void)state;
	/* RFC 8439 §2.5.2 */
	unhex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f5"
	      "1b",
	      key, sizeof(key));
	unhex("a8061dc1305136c6c22b8baf0c0127a9", want, sizeof(want));
	ref_poly1305(key, (const uint8_t *)msg, strlen(msg), got);
	assert_memory_equal(got, want, 16);
}

static struct cipher_ctx *
new_ctx(const char *name, bool enc, const uint8_t *key, const uint8_t *iv)
{
	const struct cipher_alg *alg = cipher_by_name(name);
	struct cipher_ctx *c = NULL;

	assert_non_null(alg);
	assert_int_equal(cipher_new(alg, enc, key, iv, &c), 0);
	assert_non_null(c);
	assert_ptr_equal(cipher_alg(c), alg);
	return c;
}

static void
test_registry(void **state)
{
	const struct cipher_alg *a;

	(void)state;
	a = cipher_by_name("chacha20-poly1305@openssh.com");
	assert_non_null(a);
	assert_int_equal(a->kind, CIPHER_KIND_CHACHAPOLY);
	assert_int_equal(a->key_len, 64);
	assert_int_equal(a->iv_len, 0);
	assert_int_equal(a->block_len, 8);
	assert_int_equal(a->tag_len, 16);
	a = cipher_by_name("aes256-gcm@openssh.com");
	assert_non_null(a);
	assert_int_equal(a->kind, CIPHER_KIND_GCM);
	assert_int_equal(a->key_len, 32);
	assert_int_equal(a->iv_len, 12);
	assert_int_equal(a->tag_len, 16);
	a = cipher_by_name("aes128-gcm@openssh.com");
	assert_non_null(a);
	assert_int_equal(a->key_len, 16);
	a = cipher_by_name("aes192-ctr");
	assert_non_null(a);
	assert_int_equal(a->kind, CIPHER_KIND_CTR);
	assert_int_equal(a->key_len, 24);
	assert_int_equal(a->iv_len, 16);
	assert_int_equal(a->block_len, 16);
	assert_int_equal(a->tag_len, 0);
	assert_non_null(cipher_by_name("aes128-ctr"));
	assert_non_null(cipher_by_name("aes256-ctr"));
	assert_non_null(cipher_by_name("none"));
	assert_null(cipher_by_name("aes128-cbc"));
	assert_null(cipher_by_name(""));
	assert_null(cipher_by_name(NULL));
	/* Views: exact length only. */
	assert_ptr_equal(cipher_by_name_n("aes128-ctrXYZ", 10),
	                 cipher_by_name("aes128-ctr"));
	assert_null(cipher_by_name_n("aes128-ct", 9));
	assert_null(cipher_by_name_n("aes128-ctr", 11));
}

/* NIST SP 800-38A F.5.1, F.5.3, F.5.5 (CTR-AES128/192/256.Encrypt). */
static const char ctr_pt[] = "6bc1bee22e409f96e93d7e117393172a"
                             "ae2d8a571e03ac9c9eb76fac45af8e51"
                             "30c81c46a35ce411e5fbc1191a0a52ef"
                             "f69f2445df4f9b17ad2b417be66c3710";
static const char ctr_iv[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const struct {
	const char *name, *key, *ct;
} ctr_tv[] = {
    {"aes128-ctr", "2b7e151628aed2a6abf7158809cf4f3c",
     "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
     "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"},
    {"aes192-ctr", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     "1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e94"
     "1e36b26bd1ebc670d1bd1d665620abf74f78a7f6d29809585a97daec58c6b050"},
    {"aes256-ctr",
     "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
     "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6"},
};

static void
test_aes_ctr_sp800_38a(void **state)
{
	uint8_t key[32], iv[16], pt[64], ct[64], buf[64];
	size_t i;

	(void)state;
	unhex(ctr_pt, pt, sizeof(pt));
	unhex(ctr_iv, iv, sizeof(iv));
	for (i = 0; i < sizeof(ctr_tv) / sizeof(ctr_tv[0]); i++) {
		struct cipher_ctx *e, *d;
		static const size_t cuts[] = {1, 15, 17, 31};
		size_t off = 0, k;

		unhex(ctr_tv[i].key, key, sizeof(key));
		unhex(ctr_tv[i].ct, ct, sizeof(ct));
		e = new_ctx(ctr_tv[i].name, true, key, iv);
		assert_int_equal(cipher_crypt(e, buf, pt, sizeof(pt)), 0);
		assert_memory_equal(buf, ct, sizeof(ct));
		cipher_free(e);

		/* The stream continues across calls of odd sizes, in place. */
		d = new_ctx(ctr_tv[i].name, false, key, iv);
		memcpy(buf, ct, sizeof(buf));
		for (k = 0; k < 4; k++) {
			assert_int_equal(
			    cipher_crypt(d, &buf[off], &buf[off], cuts[k]), 0);
			off += cuts[k];
		}
		assert_int_equal(off, sizeof(buf));
		assert_memory_equal(buf, pt, sizeof(pt));
		/* CTR has no seal/open. */
		assert_int_equal(cipher_seal(d, 0, buf, sizeof(buf), key),
		                 SESH_ERR_INVALID_ARGUMENT);
		cipher_free(d);
	}
}

static void
test_none(void **state)
{
	uint8_t a[9] = "abcdefgh", b[9] = {0}, tag[16];
	struct cipher_ctx *c = new_ctx("none", true, NULL, NULL);

	(void)state;
	assert_int_equal(cipher_crypt(c, b, a, sizeof(a)), 0);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(cipher_seal(c, 0, a, sizeof(a), tag),
	                 SESH_ERR_INVALID_ARGUMENT);
	cipher_free(c);
	cipher_free(NULL);
}

static void
test_bad_args(void **state)
{
	const struct cipher_alg *g = cipher_by_name("aes128-gcm@openssh.com");
	struct cipher_ctx *c = (struct cipher_ctx *)&g;
	uint8_t key[64] = {0}, pkt[8] = {0}, tag[16];
	uint32_t len = 7;

	(void)state;
	assert_int_equal(cipher_new(g, true, NULL, key, &c),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(c);
	assert_int_equal(cipher_new(NULL, true, key, key, &c),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* GCM contexts cannot stream-crypt; packets must hold the length. */
	c = new_ctx("aes128-gcm@openssh.com", true, key, key);
	assert_int_equal(cipher_crypt(c, pkt, pkt, sizeof(pkt)),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(cipher_seal(c, 0, pkt, 3, tag),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* Direction is fixed at creation. */
	assert_int_equal(cipher_open(c, 0, pkt, sizeof(pkt), tag),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(cipher_open_length(c, 0, pkt, &len),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(len, 0);
	cipher_free(c);
	assert_int_equal(cipher_gcm_once(cipher_by_name("aes128-ctr"), true,
	                                 key, key, pkt, sizeof(pkt), tag),
	                 SESH_ERR_INVALID_ARGUMENT);
}

/* GCM spec (McGrew & Viega) test cases 2 and 3: 96-bit IV, no AAD. */
static void
test_gcm_once_spec(void **state)
{
	const struct cipher_alg *a128 =
	    cipher_by_name("aes128-gcm@openssh.com");
	uint8_t key[16], iv[12], pt[64], ct[64], buf[64], tag[16], want[16];
	size_t n;

	(void)state;
	/* Test case 2 */
	memset(key, 0, sizeof(key));
	memset(iv, 0, sizeof(iv));
	memset(buf, 0, 16);
	unhex("0388dace60b6a392f328c2b971b2fe78", ct, sizeof(ct));
	unhex("ab6e47d42cec13bdf53a67b21257bddf", want, sizeof(want));
	assert_int_equal(cipher_gcm_once(a128, true, key, iv, buf, 16, tag), 0);
	assert_memory_equal(buf, ct, 16);
	assert_memory_equal(tag, want, 16);
	assert_int_equal(cipher_gcm_once(a128, false, key, iv, buf, 16, tag),
	                 0);
	for (n = 0; n < 16; n++) {
		assert_int_equal(buf[n], 0);
	}

	/* Test case 3 */
	unhex("feffe9928665731c6d6a8f9467308308", key, sizeof(key));
	unhex("cafebabefacedbaddecaf888", iv, sizeof(iv));
	n = unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a"
	          "318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba63"
	          "7b391aafd255",
	          pt, sizeof(pt));
	unhex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329ac"
	      "a12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e09147"
	      "3f5985",
	      ct, sizeof(ct));
	unhex("4d5c2af327cd64a62cf35abd2ba6fab4", want, sizeof(want));
	memcpy(buf, pt, n);
	assert_int_equal(cipher_gcm_once(a128, true, key, iv, buf, n, tag), 0);
	assert_memory_equal(buf, ct, n);
	assert_memory_equal(tag, want, 16);
	assert_int_equal(cipher_gcm_once(a128, false, key, iv, buf, n, tag), 0);
	assert_memory_equal(buf, pt, n);

	/* A bad tag: MAC_INVALID and the ciphertext given back untouched. */
	memcpy(buf, ct, n);
	tag[15] ^= 0x01;
	assert_int_equal(cipher_gcm_once(a128, false, key, iv, buf, n, tag),
	                 SESH_ERR_MAC_INVALID);
	assert_memory_equal(buf, ct, n);
	tag[15] ^= 0x01;
	buf[7] ^= 0x80;
	assert_int_equal(cipher_gcm_once(a128, false, key, iv, buf, n, tag),
	                 SESH_ERR_MAC_INVALID);
	buf[7] ^= 0x80;
	assert_memory_equal(buf, ct, n);
}

/*
 * GCM packets: key/IV/plaintext of the GCM spec's test case 4 with the
 * 4-byte packet length 0000003c as AAD. The ciphertext must equal test
 * case 4's (the AAD does not enter the key stream); the tags were
 * produced with python3's cryptography package:
 *   AESGCM(K).encrypt(iv, P, bytes.fromhex("0000003c"))
 * for iv = cafebabefacedbaddecaf888 and (next packet) ...f889.
 */
static const char gcm_key[] = "feffe9928665731c6d6a8f9467308308";
static const char gcm_iv[] = "cafebabefacedbaddecaf888";
static const char gcm_p4[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
static const char gcm_c4[] =
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091";
static const char gcm_t1[] = "2fd134b2096ac8b5669ad4df3285610b";
static const char gcm_c2[] =
    "5c21c68aa9787c7294b2d7a47a6e8e4d8adafeea894bf504323d55f62afe5ba1"
    "18a028444d260b032d4936a7a62acedcb095f614fed4092166b3c89f";
static const char gcm_t2[] = "41f86d684b6e353defd83d8b0f3eb282";

static void
test_gcm_packets(void **state)
{
	uint8_t key[16], iv[12], p[60], c1[60], c2[60], t1[16], t2[16];
	uint8_t pkt1[64], pkt2[64], tag1[16], tag2[16], save[64];
	struct cipher_ctx *e, *d;
	uint32_t len = 0;
	size_t i;

	(void)state;
	unhex(gcm_key, key, sizeof(key));
	unhex(gcm_iv, iv, sizeof(iv));
	unhex(gcm_p4, p, sizeof(p));
	unhex(gcm_c4, c1, sizeof(c1));
	unhex(gcm_t1, t1, sizeof(t1));
	unhex(gcm_c2, c2, sizeof(c2));
	unhex(gcm_t2, t2, sizeof(t2));

	e = new_ctx("aes128-gcm@openssh.com", true, key, iv);
	d = new_ctx("aes128-gcm@openssh.com", false, key, iv);
	for (i = 0; i < 2; i++) {
		uint8_t *pkt = i == 0 ? pkt1 : pkt2;
		uint8_t *tag = i == 0 ? tag1 : tag2;

		pkt[0] = 0;
		pkt[1] = 0;
		pkt[2] = 0;
		pkt[3] = 0x3c;
		memcpy(&pkt[4], p, sizeof(p));
		/* GCM ignores seqnr: its own counter sets the IV. */
		assert_int_equal(
		    cipher_seal(e, 1000 + (uint32_t)i, pkt, 64, tag), 0);
		assert_int_equal(pkt[3], 0x3c); /* length stays in clear */
	}
	assert_memory_equal(&pkt1[4], c1, 60);
	assert_memory_equal(tag1, t1, 16);
	assert_memory_equal(&pkt2[4], c2, 60);
	assert_memory_equal(tag2, t2, 16);

	/* The length is read without decryption and without change. */
	assert_int_equal(cipher_open_length(d, 0, pkt1, &len), 0);
	assert_int_equal(len, 0x3c);
	assert_int_equal(pkt1[3], 0x3c);

	/* Skipping packet 1: packet 2 fails, untouched, counter not moved. */
	memcpy(save, pkt2, 64);
	assert_int_equal(cipher_open(d, 1, pkt2, 64, tag2),
	                 SESH_ERR_MAC_INVALID);
	assert_memory_equal(pkt2, save, 64);

	/* The AAD is authenticated: a changed length byte fails. */
	memcpy(save, pkt1, 64);
	pkt1[2] ^= 0x01;
	assert_int_equal(cipher_open(d, 0, pkt1, 64, tag1),
	                 SESH_ERR_MAC_INVALID);
	pkt1[2] ^= 0x01;
	assert_memory_equal(pkt1, save, 64);

	/* In order, both open. */
	assert_int_equal(cipher_open(d, 0, pkt1, 64, tag1), 0);
	assert_memory_equal(&pkt1[4], p, 60);
	assert_int_equal(pkt1[3], 0x3c);
	assert_int_equal(cipher_open(d, 1, pkt2, 64, tag2), 0);
	assert_memory_equal(&pkt2[4], p, 60);
	cipher_free(e);
	cipher_free(d);
}

/*
 * The invocation counter is the low 64 bits only: from
 * 00000001 ffffffffffffffff it wraps to 00000001 0000000000000000.
 * Expected values from python3's cryptography package:
 *   AESGCM(K).encrypt(iv, bytes(12), bytes.fromhex("0000000c"))
 * with K = feffe9928665731c6d6a8f9467308308.
 */
static void
test_gcm_counter_carry(void **state)
{
	uint8_t key[16], iv[12], want[28], pkt[16], tag[16];
	struct cipher_ctx *e;
	int i;

	(void)state;
	unhex(gcm_key, key, sizeof(key));
	unhex("00000001ffffffffffffffff", iv, sizeof(iv));
	e = new_ctx("aes128-gcm@openssh.com", true, key, iv);
	for (i = 0; i < 2; i++) {
		unhex(i == 0 ? "82bf85f1bcd5219657a836c200918b5955401964e39d2b"
		               "64f697f41c"
		             : "566087530d15ae9cc342f2302aefe67879d9a60a8e1b37"
		               "aba2ac2e75",
		      want, sizeof(want));
		memset(pkt, 0, sizeof(pkt));
		pkt[3] = 0x0c;
		assert_int_equal(cipher_seal(e, 0, pkt, sizeof(pkt), tag), 0);
		assert_memory_equal(&pkt[4], want, 12);
		assert_memory_equal(tag, &want[12], 16);
	}
	cipher_free(e);
}

/* Two GCM ciphers in lockstep over many packets of varying size. */
static void
test_gcm_lockstep(void **state)
{
	uint8_t key[32], iv[12], pkt[300], orig[300], tag[16];
	struct cipher_ctx *e, *d;
	size_t i, len;

	(void)state;
	fill(key, sizeof(key), 1);
	fill(iv, sizeof(iv), 2);
	e = new_ctx("aes256-gcm@openssh.com", true, key, iv);
	d = new_ctx("aes256-gcm@openssh.com", false, key, iv);
	for (i = 0; i < 40; i++) {
		len = 4 + (i * 16) % 290;
		fill(orig, len, (uint8_t)i);
		memcpy(pkt, orig, len);
		assert_int_equal(cipher_seal(e, (uint32_t)i, pkt, len, tag), 0);
		if (len > 4 + 16) {
			assert_memory_not_equal(&pkt[4], &orig[4], len - 4);
		}
		assert_int_equal(cipher_open(d, (uint32_t)i, pkt, len, tag), 0);
		assert_memory_equal(pkt, orig, len);
	}
	cipher_free(e);
	cipher_free(d);
}

/* RFC 8439 A.1 keystream vectors through the cipher (zero keys). */
static void
test_chachapoly_rfc8439_via_cipher(void **state)
{
	uint8_t key[64] = {0}, pkt[68] = {0}, tag[16], want[64], ref[16];
	uint8_t blk0[64];
	struct cipher_ctx *e;

	(void)state;
	e = new_ctx("chacha20-poly1305@openssh.com", true, key, NULL);
	/* seqnr 0: length = TV#1 (counter 0), payload = TV#2 (counter 1). */
	assert_int_equal(cipher_seal(e, 0, pkt, sizeof(pkt), tag), 0);
	unhex("76b8e0ad", want, sizeof(want));
	assert_memory_equal(pkt, want, 4);
	unhex("9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee"
	      "7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f"
	      "4b794d6f",
	      want, sizeof(want));
	assert_memory_equal(&pkt[4], want, 64);
	/* Tag: Poly1305 keyed with TV#1's first 32 bytes. */
	unhex("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b77"
	      "0dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669"
	      "b2ee6586",
	      blk0, sizeof(blk0));
	ref_poly1305(blk0, pkt, sizeof(pkt), ref);
	assert_memory_equal(tag, ref, 16);
	/* seqnr 2 is TV#5's nonce (00..02): length = c2c64d37. */
	memset(pkt, 0, sizeof(pkt));
	assert_int_equal(cipher_seal(e, 2, pkt, sizeof(pkt), tag), 0);
	unhex("c2c64d37", want, sizeof(want));
	assert_memory_equal(pkt, want, 4);
	cipher_free(e);
}

/* The cipher agrees with the reference composition for many packets. */
static void
test_chachapoly_vs_reference(void **state)
{
	static const uint32_t seqnrs[] = {0,   1,     3,          255,
	                                  256, 65537, 0x7fffffff, 0xffffffff};
	static const size_t lens[] = {4, 5, 16, 20, 67, 68, 69, 132, 1000};
	uint8_t key[64], a[1000], b[1000], ta[16], tb[16];
	struct cipher_ctx *e, *d;
	size_t i, j;

	(void)state;
	fill(key, sizeof(key), 0x42);
	e = new_ctx("chacha20-poly1305@openssh.com", true, key, NULL);
	d = new_ctx("chacha20-poly1305@openssh.com", false, key, NULL);
	for (i = 0; i < sizeof(seqnrs) / sizeof(seqnrs[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			size_t n = lens[j];
			uint32_t got = 0;

			fill(a, n, (uint8_t)(i * 9 + j));
			/* a realistic length field: bytes after it */
			a[0] = (uint8_t)((n - 4) >> 24);
			a[1] = (uint8_t)((n - 4) >> 16);
			a[2] = (uint8_t)((n - 4) >> 8);
			a[3] = (uint8_t)(n - 4);
			memcpy(b, a, n);
			assert_int_equal(cipher_seal(e, seqnrs[i], a, n, ta),
			                 0);
			ref_chachapoly_seal(key, seqnrs[i], b, n, tb);
			assert_memory_equal(a, b, n);
			assert_memory_equal(ta, tb, 16);

			memcpy(b, a, n);
			assert_int_equal(
			    cipher_open_length(d, seqnrs[i], a, &got), 0);
			assert_int_equal(got, n - 4);
			assert_memory_equal(a, b, n); /* unchanged */
			/* Wrong sequence number: wrong length, bad tag. */
			assert_int_equal(
			    cipher_open_length(d, seqnrs[i] + 1, a, &got), 0);
			assert_int_not_equal(got, n - 4);
			assert_int_equal(
			    cipher_open(d, seqnrs[i] + 1, a, n, ta),
			    SESH_ERR_MAC_INVALID);
			assert_memory_equal(a, b, n);

			assert_int_equal(cipher_open(d, seqnrs[i], a, n, ta),
			                 0);
			assert_int_equal(a[3], (uint8_t)(n - 4));
			ref_chachapoly_seal(key, seqnrs[i], a, n, tb);
			assert_memory_equal(a, b, n); /* a re-sealed == b */
		}
	}
	cipher_free(e);
	cipher_free(d);
}

/* Any single flipped bit of length, payload or tag is rejected. */
static void
tamper_sweep(const char *name, const uint8_t *key, const uint8_t *iv)
{
	enum { N = 4 + 32 };
	uint8_t pkt[N], sealed[N], tag[16], sealed_tag[16];
	struct cipher_ctx *e, *d;
	size_t bit;

	e = new_ctx(name, true, key, iv);
	fill(pkt, N, 9);
	pkt[0] = 0;
	pkt[1] = 0;
	pkt[2] = 0;
	pkt[3] = N - 4;
	assert_int_equal(cipher_seal(e, 5, pkt, N, tag), 0);
	memcpy(sealed, pkt, N);
	memcpy(sealed_tag, tag, 16);
	cipher_free(e);

	for (bit = 0; bit < 8 * (N + 16); bit++) {
		d = new_ctx(name, false, key, iv);
		memcpy(pkt, sealed, N);
		memcpy(tag, sealed_tag, 16);
		if (bit < 8 * N) {
			pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		} else {
			tag[bit / 8 - N] ^= (uint8_t)(1u << (bit % 8));
		}
		assert_int_equal(cipher_open(d, 5, pkt, N, tag),
		                 SESH_ERR_MAC_INVALID);
		/* Nothing decrypted: the (tampered) input is as given. */
		if (bit < 8 * N) {
			pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		assert_memory_equal(pkt, sealed, N);
		cipher_free(d);
	}
	/* And the untampered packet opens. */
	d = new_ctx(name, false, key, iv);
	assert_int_equal(cipher_open(d, 5, pkt, N, sealed_tag), 0);
	assert_int_equal(pkt[3], N - 4);
	cipher_free(d);
}

static void
test_tamper(void **state)
{
	uint8_t key[64], iv[12];

	(void)state;
	fill(key, sizeof(key), 7);
	fill(iv, sizeof(iv), 8);
	tamper_sweep("chacha20-poly1305@openssh.com", key, NULL);
	tamper_sweep("aes128-gcm@openssh.com", key, iv);
	tamper_sweep("aes256-gcm@openssh.com", key, iv);
}

/*
 * cipher_seal_from/cipher_crypt_from give exactly what the in-place calls
 * give on the same plaintext, for sources at several offsets and sizes
 * (odd ones included), and refuse bad ranges.
 */
static void
from_matches(const char *name, const uint8_t *key, const uint8_t *iv)
{
	static const size_t lens[] = {4, 5, 21, 64, 100, 4101, 33000};
	const struct cipher_alg *alg = cipher_by_name(name);
	bool aead =
	    alg->kind == CIPHER_KIND_GCM || alg->kind == CIPHER_KIND_CHACHAPOLY;
	struct cipher_ctx *a = new_ctx(name, true, key, iv);
	struct cipher_ctx *b = new_ctx(name, true, key, iv);
	uint8_t *plain = malloc(33000), *x = malloc(33000), *y = malloc(33000);
	uint8_t ta[16], tb[16];
	uint32_t seq = 0;
	size_t i, off, n, len, start = aead ? 4 : 0;

	assert_non_null(plain);
	assert_non_null(x);
	assert_non_null(y);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		len = lens[i];
		for (off = start; off <= len && off < start + 3; off++) {
			n = (len - off) * (1 + seq % 3) / 3;
			fill(plain, len, (uint8_t)(seq + 1));
			memcpy(x, plain, len);
			memcpy(y, plain, len);
			memset(y + off, 0xee, n); /* must be ignored */
			if (aead) {
				assert_int_equal(
				    cipher_seal(a, seq, x, len, ta), 0);
				assert_int_equal(
				    cipher_seal_from(b, seq, y, len, tb,
				                     plain + off, off, n),
				    0);
				assert_memory_equal(ta, tb, sizeof(ta));
			} else {
				assert_int_equal(cipher_crypt(a, x, x, len), 0);
				assert_int_equal(cipher_crypt_from(b, y, len,
				                                   plain + off,
				                                   off, n),
				                 0);
			}
			assert_memory_equal(x, y, len);
			seq++;
		}
	}
	if (aead) {
		assert_int_equal(cipher_seal_from(b, 0, y, 10, tb, plain, 3, 1),
		                 SESH_ERR_INVALID_ARGUMENT);
		assert_int_equal(cipher_seal_from(b, 0, y, 10, tb, plain, 4, 7),
		                 SESH_ERR_INVALID_ARGUMENT);
		assert_int_equal(cipher_seal_from(b, 0, y, 10, tb, NULL, 4, 1),
		                 SESH_ERR_INVALID_ARGUMENT);
		assert_int_equal(cipher_crypt_from(b, y, 10, plain, 0, 1),
		                 SESH_ERR_INVALID_ARGUMENT);
	} else {
		assert_int_equal(cipher_crypt_from(b, y, 10, plain, 11, 0),
		                 SESH_ERR_INVALID_ARGUMENT);
		assert_int_equal(cipher_crypt_from(b, y, 10, plain, 5, 6),
		                 SESH_ERR_INVALID_ARGUMENT);
		assert_int_equal(cipher_crypt_from(b, y, 10, NULL, 5, 1),
		                 SESH_ERR_INVALID_ARGUMENT);
		assert_int_equal(cipher_seal_from(b, 0, y, 10, tb, plain, 4, 1),
		                 SESH_ERR_INVALID_ARGUMENT);
	}
	free(plain);
	free(x);
	free(y);
	cipher_free(a);
	cipher_free(b);
}

static void
test_from(void **state)
{
	uint8_t key[64], iv[16];

	(void)state;
	fill(key, sizeof(key), 9);
	fill(iv, sizeof(iv), 10);
	from_matches("chacha20-poly1305@openssh.com", key, NULL);
	from_matches("aes128-gcm@openssh.com", key, iv);
	from_matches("aes256-gcm@openssh.com", key, iv);
	from_matches("aes128-ctr", key, iv);
	from_matches("aes256-ctr", key, iv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ref_chacha_rfc8439),
	    cmocka_unit_test(test_ref_poly1305_rfc8439),
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_aes_ctr_sp800_38a),
	    cmocka_unit_test(test_none),
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_gcm_once_spec),
	    cmocka_unit_test(test_gcm_packets),
	    cmocka_unit_test(test_gcm_counter_carry),
	    cmocka_unit_test(test_gcm_lockstep),
	    cmocka_unit_test(test_chachapoly_rfc8439_via_cipher),
	    cmocka_unit_test(test_chachapoly_vs_reference),
	    cmocka_unit_test(test_tamper),
	    cmocka_unit_test(test_from),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
