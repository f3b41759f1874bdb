/*
 * mlkem768.c - ML-KEM-768 (FIPS 203), see mlkem768.h.
 *
 * Polynomials of Z_q[X]/(X^256 + 1), q = 3329, are arrays of 256
 * coefficients kept fully reduced in [0, q). The NTT is FIPS 203's
 * Algorithms 9 and 10 (zeta = 17, twiddles zeta^BitRev7(i)), products in
 * the NTT domain Algorithm 11 (pairs multiplied modulo X^2 -
 * zeta^(2 BitRev7(i) + 1)). The twiddle tables below are those powers of
 * 17 mod q. Reductions use a multiply-high by floor(2^32 / q) and one
 * masked subtraction: no division, no branch on values.
 *
 *	K-PKE.KeyGen(d):   (rho, sigma) = G(d || k); A[i][j] =
 *	                   SampleNTT(rho || j || i); s, e = CBD(PRF(sigma,
 *	                   0..5)); t = A NTT(s) + NTT(e);
 *	                   ek = Encode12(t) || rho, dk = Encode12(NTT(s))
 *	K-PKE.Encrypt:     y, e1, e2 = CBD(PRF(r, 0..6)); u = NTT^-1(A^T
 *	                   NTT(y)) + e1; v = NTT^-1(t . NTT(y)) + e2 +
 *	                   Decompress1(m); c = Compress10(u) || Compress4(v)
 *	K-PKE.Decrypt:     m = Compress1(v - NTT^-1(s . NTT(u)))
 *	ML-KEM.Encaps:     (K, r) = G(m || H(ek)); c = Encrypt(ek, m, r)
 *	ML-KEM.Decaps:     m' = Decrypt(c); (K', r') = G(m' || H(ek));
 *	                   K = K' if Encrypt(ek, m', r') == c else J(z || c)
 */
#include "crypto/mlkem768.h"

#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/sha3.h"

#define N 256
#define Q 3329
#define K 3

#define POLY12_BYTES 384
#define U_BYTES      320 /* 256 * du / 8 */
#define V_BYTES      128 /* 256 * dv / 8 */
#define DU           10
#define DV           4
#define CBD_BYTES    128 /* 64 * eta, eta = 2 */

#define EK_T_BYTES (K * POLY12_BYTES) /* 1152 */
#define SK_EK      EK_T_BYTES
#define SK_H       (SK_EK + MLKEM768_PK_LEN)
#define SK_Z       (SK_H + 32)

#if SK_Z + 32 != MLKEM768_SK_LEN || EK_T_BYTES + 32 != MLKEM768_PK_LEN ||      \
    K * U_BYTES + V_BYTES != MLKEM768_CT_LEN
#error "ML-KEM-768 sizes"
#endif

/* SampleNTT reads 3 SHAKE128 blocks first (336 candidates for 256
 * coefficients, each accepted with probability q / 4096: enough for
 * about 99% of polynomials), else 32 blocks (the C2SP "unlucky" vector
 * in test_mlkem768.c needs them). */
#define XOF_BLOCK  168
#define XOF_FIRST  (3 * XOF_BLOCK)
#define XOF_SECOND (32 * XOF_BLOCK)

typedef struct {
	uint16_t c[N];
} poly;

/* zeta^BitRev7(i) mod q, i = 0..127 (FIPS 203 Algorithms 9, 10). */
static const uint16_t zetas[128] = {
    1,    1729, 2580, 3289, 2642, 630,  1897, 848,  1062, 1919, 193,  797,
    2786, 3260, 569,  1746, 296,  2447, 1339, 1476, 3046, 56,   2240, 1333,
    1426, 2094, 535,  2882, 2393, 2879, 1974, 821,  289,  331,  3253, 1756,
    1197, 2304, 2277, 2055, 650,  1977, 2513, 632,  2865, 33,   1320, 1915,
    2319, 1435, 807,  452,  1438, 2868, 1534, 2402, 2647, 2617, 1481, 648,
    2474, 3110, 1227, 910,  17,   2761, 583,  2649, 1637, 723,  2288, 1100,
    1409, 2662, 3281, 233,  756,  2156, 3015, 3050, 1703, 1651, 2789, 1789,
    1847, 952,  1461, 2687, 939,  2308, 2437, 2388, 733,  2337, 268,  641,
    1584, 2298, 2037, 3220, 375,  2549, 2090, 1645, 1063, 319,  2773, 757,
    2099, 561,  2466, 2594, 2804, 1092, 403,  1026, 1143, 2150, 2775, 886,
    1722, 1212, 1874, 1029, 2110, 2935, 885,  2154,
};

/* zeta^(2 BitRev7(i) + 1) mod q, i = 0..127 (Algorithm 11). */
static const uint16_t gammas[128] = {
    17,   3312, 2761, 568,  583,  2746, 2649, 680,  1637, 1692, 723,  2606,
    2288, 1041, 1100, 2229, 1409, 1920, 2662, 667,  3281, 48,   233,  3096,
    756,  2573, 2156, 1173, 3015, 314,  3050, 279,  1703, 1626, 1651, 1678,
    2789, 540,  1789, 1540, 1847, 1482, 952,  2377, 1461, 1868, 2687, 642,
    939,  2390, 2308, 1021, 2437, 892,  2388, 941,  733,  2596, 2337, 992,
    268,  3061, 641,  2688, 1584, 1745, 2298, 1031, 2037, 1292, 3220, 109,
    375,  2954, 2549, 780,  2090, 1239, 1645, 1684, 1063, 2266, 319,  3010,
    2773, 556,  757,  2572, 2099, 1230, 561,  2768, 2466, 863,  2594, 735,
    2804, 525,  1092, 2237, 403,  2926, 1026, 2303, 1143, 2186, 2150, 1179,
    2775, 554,  886,  2443, 1722, 1607, 1212, 2117, 1874, 1455, 1029, 2300,
    2110, 1219, 2935, 394,  885,  2444, 2154, 1175,
};

/* ---- arithmetic mod q ---- */

/* r - q if r >= q, for r < 2q, by mask. */
static uint16_t
fq_csub(uint32_t r)
{
	r -= Q;
	r += Q & (0u - (r >> 31));
	return (uint16_t)r;
}

/* x mod q for x < 2^26: t is floor(x / q) or one less, so x - t q < 2q. */
static uint16_t
fq_reduce(uint32_t x)
{
	uint32_t t = (uint32_t)(((uint64_t)x * 1290167u) >> 32);

	return fq_csub(x - t * Q);
}

static uint16_t
fq_add(uint16_t a, uint16_t b)
{
	return fq_csub((uint32_t)a + b);
}

static uint16_t
fq_sub(uint16_t a, uint16_t b)
{
	return fq_csub((uint32_t)a + Q - b);
}

static uint16_t
fq_mul(uint16_t a, uint16_t b)
{
	return fq_reduce((uint32_t)a * b);
}

/* ---- NTT ---- */

static void
ntt(poly *f)
{
	size_t len, start, j, i = 1;

	for (len = 128; len >= 2; len >>= 1) {
		for (start = 0; start < N; start += 2 * len) {
			uint16_t z = zetas[i++];

			for (j = start; j < start + len; j++) {
				uint16_t t = fq_mul(z, f->c[j + len]);

				f->c[j + len] = fq_sub(f->c[j], t);
				f->c[j] = fq_add(f->c[j], t);
			}
		}
	}
}

static void
ntt_inv(poly *f)
{
	size_t len, start, j, i = 127;

	for (len = 2; len <= 128; len <<= 1) {
		for (start = 0; start < N; start += 2 * len) {
			uint16_t z = zetas[i--];

			for (j = start; j < start + len; j++) {
				uint16_t t = f->c[j];

				f->c[j] = fq_add(t, f->c[j + len]);
				f->c[j + len] =
				    fq_mul(z, fq_sub(f->c[j + len], t));
			}
		}
	}
	for (j = 0; j < N; j++) {
		f->c[j] = fq_mul(f->c[j], 3303); /* 128^-1 mod q */
	}
}

/* h += a * b in the NTT domain (Algorithms 11 and 12). */
static void
basemul_acc(poly *h, const poly *a, const poly *b)
{
	size_t i;

	for (i = 0; i < N / 2; i++) {
		uint32_t a0 = a->c[2 * i], a1 = a->c[2 * i + 1];
		uint32_t b0 = b->c[2 * i], b1 = b->c[2 * i + 1];
		uint32_t c0 =
		    a0 * b0 + (uint32_t)fq_mul(fq_reduce(a1 * b1), gammas[i]);
		uint32_t c1 = a0 * b1 + a1 * b0;

		h->c[2 * i] = fq_add(h->c[2 * i], fq_reduce(c0));
		h->c[2 * i + 1] = fq_add(h->c[2 * i + 1], fq_reduce(c1));
	}
}

static void
poly_add(poly *r, const poly *a)
{
	size_t i;

	for (i = 0; i < N; i++) {
		r->c[i] = fq_add(r->c[i], a->c[i]);
	}
}

/* ---- encodings (Algorithms 5 and 6, bits least significant first) ---- */

static void
pack_bits(uint8_t *out, const poly *a, unsigned d)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i, o = 0;

	for (i = 0; i < N; i++) {
		acc |= (uint32_t)a->c[i] << bits;
		bits += d;
		while (bits >= 8) {
			out[o++] = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
}

/* Values are d-bit integers (for d = 12 possibly >= q: see callers). */
static void
unpack_bits(poly *a, const uint8_t *in, unsigned d)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i, o = 0;

	for (i = 0; i < N; i++) {
		while (bits < d) {
			acc |= (uint32_t)in[o++] << bits;
			bits += 8;
		}
		a->c[i] = (uint16_t)(acc & ((1u << d) - 1));
		acc >>= d;
		bits -= d;
	}
}

/* round(2^d x / q) mod 2^d; 10321340 = ceil(2^35 / q), exact here. */
static uint16_t
compress(uint16_t x, unsigned d)
{
	uint64_t y = ((uint64_t)x << d) + Q / 2;

	return (uint16_t)(((y * 10321340u) >> 35) & ((1u << d) - 1));
}

/* round(q y / 2^d). */
static uint16_t
decompress(uint16_t y, unsigned d)
{
	return (uint16_t)(((uint32_t)y * Q + (1u << (d - 1))) >> d);
}

static void
poly_compress_pack(uint8_t *out, const poly *a, unsigned d)
{
	poly t;
	size_t i;

	for (i = 0; i < N; i++) {
		t.c[i] = compress(a->c[i], d);
	}
	pack_bits(out, &t, d);
	mem_wipe(&t, sizeof(t));
}

static void
poly_unpack_decompress(poly *a, const uint8_t *in, unsigned d)
{
	size_t i;

	unpack_bits(a, in, d);
	for (i = 0; i < N; i++) {
		a->c[i] = decompress(a->c[i], d);
	}
}

/* ByteDecode12 reduced mod q (values of a valid key are already < q). */
static void
poly_decode12(poly *a, const uint8_t *in)
{
	size_t i;

	unpack_bits(a, in, 12);
	for (i = 0; i < N; i++) {
		a->c[i] = fq_csub(a->c[i]);
	}
}

/* ---- sampling ---- */

/* Algorithm 7 over a prefix of SHAKE128(rho || j || i); public data. */
static int
sample_ntt(poly *a, const uint8_t rho[32], uint8_t j, uint8_t i)
{
	uint8_t seed[34], buf[XOF_SECOND];
	size_t len = XOF_FIRST, o, n;
	int ret;

	memcpy(seed, rho, 32);
	seed[32] = j;
	seed[33] = i;
	for (;;) {
		if ((ret = sha3_digest2(SHAKE128, seed, sizeof(seed), NULL, 0,
		                        buf, len)) != 0) {
			return ret;
		}
		for (n = 0, o = 0; n < N && o + 3 <= len; o += 3) {
			uint16_t d1 =
			    (uint16_t)(buf[o] | (buf[o + 1] & 15) << 8);
			uint16_t d2 =
			    (uint16_t)(buf[o + 1] >> 4 | buf[o + 2] << 4);

			if (d1 < Q) {
				a->c[n++] = d1;
			}
			if (d2 < Q && n < N) {
				a->c[n++] = d2;
			}
		}
		if (n == N) {
			return 0;
		}
		if (len == XOF_SECOND) {
			return SESH_ERR_CRYPTO; /* probability far below 2^-500
			                         */
		}
		len = XOF_SECOND;
	}
}

/* Â (or its transpose) from rho. */
static int
gen_matrix(poly A[K][K], const uint8_t rho[32])
{
	uint8_t i, j;
	int ret;

	for (i = 0; i < K; i++) {
		for (j = 0; j < K; j++) {
			if ((ret = sample_ntt(&A[i][j], rho, j, i)) != 0) {
				return ret;
			}
		}
	}
	return 0;
}

/* Algorithm 8 with eta = 2 over PRF(s, nonce) = SHAKE256(s || nonce). */
static int
sample_cbd(poly *a, const uint8_t s[32], uint8_t nonce)
{
	uint8_t buf[CBD_BYTES];
	size_t i;
	int ret;

	if ((ret = sha3_digest2(SHAKE256, s, 32, &nonce, 1, buf,
	                        sizeof(buf))) != 0) {
		goto out;
	}
	for (i = 0; i < N; i++) {
		unsigned b = (unsigned)(buf[i / 2] >> (4 * (i & 1)));
		uint16_t x = (uint16_t)((b & 1) + ((b >> 1) & 1));
		uint16_t y = (uint16_t)(((b >> 2) & 1) + ((b >> 3) & 1));

		a->c[i] = fq_sub(x, y);
	}
out:
	mem_wipe(buf, sizeof(buf));
	return ret;
}

/* ---- K-PKE ---- */

static int
pke_keygen(const uint8_t d[32], uint8_t ek[MLKEM768_PK_LEN],
           uint8_t dk[EK_T_BYTES])
{
	uint8_t in[33], g[64];
	poly A[K][K], s[K], e[K], t;
	size_t i, j;
	int ret;

	memcpy(in, d, 32);
	in[32] = K;
	if ((ret = sha3_digest2(SHA3_512, in, sizeof(in), NULL, 0, g,
	                        sizeof(g))) != 0 ||
	    (ret = gen_matrix(A, g)) != 0) {
		goto out;
	}
	for (i = 0; i < K; i++) {
		if ((ret = sample_cbd(&s[i], g + 32, (uint8_t)i)) != 0 ||
		    (ret = sample_cbd(&e[i], g + 32, (uint8_t)(K + i))) != 0) {
			goto out;
		}
		ntt(&s[i]);
		ntt(&e[i]);
	}
	for (i = 0; i < K; i++) {
		t = e[i];
		for (j = 0; j < K; j++) {
			basemul_acc(&t, &A[i][j], &s[j]);
		}
		pack_bits(ek + i * POLY12_BYTES, &t, 12);
		pack_bits(dk + i * POLY12_BYTES, &s[i], 12);
	}
	memcpy(ek + EK_T_BYTES, g, 32);
out:
	mem_wipe(in, sizeof(in));
	mem_wipe(g, sizeof(g));
	mem_wipe(s, sizeof(s));
	mem_wipe(e, sizeof(e));
	mem_wipe(&t, sizeof(t));
	return ret;
}

static int
pke_encrypt(const uint8_t ek[MLKEM768_PK_LEN], const uint8_t m[32],
            const uint8_t r[32], uint8_t c[MLKEM768_CT_LEN])
{
	poly A[K][K], t[K], y[K], u, v, e, mu;
	size_t i, j;
	int ret;

	if ((ret = gen_matrix(A, ek + EK_T_BYTES)) != 0) {
		goto out;
	}
	for (i = 0; i < K; i++) {
		poly_decode12(&t[i], ek + i * POLY12_BYTES);
		if ((ret = sample_cbd(&y[i], r, (uint8_t)i)) != 0) {
			goto out;
		}
		ntt(&y[i]);
	}
	/* u[i] = NTT^-1(sum_j A[j][i] y[j]) + e1[i] */
	for (i = 0; i < K; i++) {
		memset(&u, 0, sizeof(u));
		for (j = 0; j < K; j++) {
			basemul_acc(&u, &A[j][i], &y[j]);
		}
		ntt_inv(&u);
		if ((ret = sample_cbd(&e, r, (uint8_t)(K + i))) != 0) {
			goto out;
		}
		poly_add(&u, &e);
		poly_compress_pack(c + i * U_BYTES, &u, DU);
	}
	/* v = NTT^-1(t . y) + e2 + Decompress1(m) */
	memset(&v, 0, sizeof(v));
	for (j = 0; j < K; j++) {
		basemul_acc(&v, &t[j], &y[j]);
	}
	ntt_inv(&v);
	if ((ret = sample_cbd(&e, r, 2 * K)) != 0) {
		goto out;
	}
	poly_add(&v, &e);
	unpack_bits(&mu, m, 1);
	for (i = 0; i < N; i++) {
		mu.c[i] = decompress(mu.c[i], 1);
	}
	poly_add(&v, &mu);
	poly_compress_pack(c + K * U_BYTES, &v, DV);
out:
	mem_wipe(y, sizeof(y));
	mem_wipe(&u, sizeof(u));
	mem_wipe(&v, sizeof(v));
	mem_wipe(&e, sizeof(e));
	mem_wipe(&mu, sizeof(mu));
	return ret;
}

static void
pke_decrypt(const uint8_t dk[EK_T_BYTES], const uint8_t c[MLKEM768_CT_LEN],
            uint8_t m[32])
{
	poly u, s, w, v;
	size_t i;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < K; i++) {
		poly_unpack_decompress(&u, c + i * U_BYTES, DU);
		ntt(&u);
		poly_decode12(&s, dk + i * POLY12_BYTES);
		basemul_acc(&w, &s, &u);
	}
	ntt_inv(&w);
	poly_unpack_decompress(&v, c + K * U_BYTES, DV);
	for (i = 0; i < N; i++) {
		w.c[i] = compress(fq_sub(v.c[i], w.c[i]), 1);
	}
	pack_bits(m, &w, 1);
	mem_wipe(&s, sizeof(s));
	mem_wipe(&w, sizeof(w));
}

/* ---- ML-KEM ---- */

int
mlkem768_keypair_derand(const uint8_t d[MLKEM768_SEED_LEN],
                        const uint8_t z[MLKEM768_SEED_LEN],
                        uint8_t pk[MLKEM768_PK_LEN],
                        uint8_t sk[MLKEM768_SK_LEN])
{
	uint8_t skl[MLKEM768_SK_LEN];
	int ret;

	if (d == NULL || z == NULL || pk == NULL || sk == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(pk, 0, MLKEM768_PK_LEN);
	memset(sk, 0, MLKEM768_SK_LEN);
	/* dk = dk_PKE || ek || H(ek) || z */
	if ((ret = pke_keygen(d, skl + SK_EK, skl)) != 0 ||
	    (ret = sha3_digest2(SHA3_256, skl + SK_EK, MLKEM768_PK_LEN, NULL, 0,
	                        skl + SK_H, 32)) != 0) {
		goto out;
	}
	memcpy(skl + SK_Z, z, 32);
	memcpy(pk, skl + SK_EK, MLKEM768_PK_LEN);
	memcpy(sk, skl, sizeof(skl));
out:
	mem_wipe(skl, sizeof(skl));
	return ret;
}

int
mlkem768_keypair(mlkem768_rand_fn rand, void *rand_ctx,
                 uint8_t pk[MLKEM768_PK_LEN], uint8_t sk[MLKEM768_SK_LEN])
{
	uint8_t dz[2 * MLKEM768_SEED_LEN];
	int ret;

	if (rand == NULL || pk == NULL || sk == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(pk, 0, MLKEM768_PK_LEN);
	memset(sk, 0, MLKEM768_SK_LEN);
	if ((ret = rand(rand_ctx, dz, sizeof(dz))) == 0) {
		ret = mlkem768_keypair_derand(dz, dz + 32, pk, sk);
	}
	mem_wipe(dz, sizeof(dz));
	return ret;
}

/* FIPS 203 §7.2 modulus check: every 12-bit value of ek below q. */
static int
ek_check(const uint8_t ek[MLKEM768_PK_LEN])
{
	poly t;
	uint16_t bad = 0;
	size_t i, j;

	for (i = 0; i < K; i++) {
		unpack_bits(&t, ek + i * POLY12_BYTES, 12);
		for (j = 0; j < N; j++) {
			bad |= (uint16_t)(t.c[j] >= Q);
		}
	}
	return bad ? SESH_ERR_INVALID_KEY : 0;
}

int
mlkem768_enc_derand(const uint8_t pk[MLKEM768_PK_LEN],
                    const uint8_t m[MLKEM768_SEED_LEN],
                    uint8_t ct[MLKEM768_CT_LEN], uint8_t ss[MLKEM768_SS_LEN])
{
	uint8_t h[32], kr[64], c[MLKEM768_CT_LEN];
	int ret;

	if (pk == NULL || m == NULL || ct == NULL || ss == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(ct, 0, MLKEM768_CT_LEN);
	memset(ss, 0, MLKEM768_SS_LEN);
	/* (K, r) = G(m || H(ek)) */
	if ((ret = ek_check(pk)) != 0 ||
	    (ret = sha3_digest2(SHA3_256, pk, MLKEM768_PK_LEN, NULL, 0, h,
	                        sizeof(h))) != 0 ||
	    (ret = sha3_digest2(SHA3_512, m, 32, h, sizeof(h), kr,
	                        sizeof(kr))) != 0 ||
	    (ret = pke_encrypt(pk, m, kr + 32, c)) != 0) {
		goto out;
	}
	memcpy(ct, c, sizeof(c));
	memcpy(ss, kr, MLKEM768_SS_LEN);
out:
	mem_wipe(kr, sizeof(kr));
	return ret;
}

int
mlkem768_enc(mlkem768_rand_fn rand, void *rand_ctx,
             const uint8_t pk[MLKEM768_PK_LEN], uint8_t ct[MLKEM768_CT_LEN],
             uint8_t ss[MLKEM768_SS_LEN])
{
	uint8_t m[MLKEM768_SEED_LEN];
	int ret;

	if (rand == NULL || pk == NULL || ct == NULL || ss == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(ct, 0, MLKEM768_CT_LEN);
	memset(ss, 0, MLKEM768_SS_LEN);
	if ((ret = rand(rand_ctx, m, sizeof(m))) == 0) {
		ret = mlkem768_enc_derand(pk, m, ct, ss);
	}
	mem_wipe(m, sizeof(m));
	return ret;
}

int
mlkem768_dec(const uint8_t sk[MLKEM768_SK_LEN],
             const uint8_t ct[MLKEM768_CT_LEN], uint8_t ss[MLKEM768_SS_LEN])
{
	uint8_t m[32 + 32], kr[64], kbar[32], h[32], c2[MLKEM768_CT_LEN];
	uint8_t diff = 0, mask;
	size_t i;
	int ret;

	if (sk == NULL || ct == NULL || ss == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(ss, 0, MLKEM768_SS_LEN);
	/* FIPS 203 §7.3 hash check of the stored H(ek) */
	if ((ret = sha3_digest2(SHA3_256, sk + SK_EK, MLKEM768_PK_LEN, NULL, 0,
	                        h, sizeof(h))) != 0) {
		goto out;
	}
	if (!mem_equal_ct(h, sk + SK_H, 32)) {
		ret = SESH_ERR_INVALID_KEY;
		goto out;
	}
	pke_decrypt(sk, ct, m);
	memcpy(m + 32, sk + SK_H, 32);
	if ((ret = sha3_digest2(SHA3_512, m, sizeof(m), NULL, 0, kr,
	                        sizeof(kr))) != 0 ||
	    (ret = sha3_digest2(SHAKE256, sk + SK_Z, 32, ct, MLKEM768_CT_LEN,
	                        kbar, sizeof(kbar))) != 0 ||
	    (ret = pke_encrypt(sk + SK_EK, m, kr + 32, c2)) != 0) {
		goto out;
	}
	for (i = 0; i < MLKEM768_CT_LEN; i++) {
		diff |= (uint8_t)(ct[i] ^ c2[i]);
	}
	/* all ones when the ciphertexts differ */
	mask = (uint8_t)(0u - ((0u - (uint32_t)diff) >> 31));
	for (i = 0; i < 32; i++) {
		ss[i] = (uint8_t)(kr[i] ^ (mask & (kr[i] ^ kbar[i])));
	}
out:
	mem_wipe(m, sizeof(m));
	mem_wipe(kr, sizeof(kr));
	mem_wipe(kbar, sizeof(kbar));
	mem_wipe(c2, sizeof(c2));
	return ret;
}
