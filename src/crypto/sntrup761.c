/*
 * sntrup761.c - Streamlined NTRU Prime sntrup761 (see sntrup761.h),
 * written from the NTRU Prime specification (round 3).
 *
 * Notation: R/q = Z_q[x]/(x^p - x - 1) with q = 4591, coefficients kept
 * centred in [-(q-1)/2, (q-1)/2]; R/3 likewise with {-1, 0, 1}. "Small"
 * polynomials have coefficients in {-1, 0, 1}; "short" ones are small
 * with exactly w = 286 nonzero coefficients.
 *
 *	KeyGen: g small and invertible mod 3 (v = 1/g), f short,
 *	        h = g / (3f) in R/q; pk = Encode(h);
 *	        sk = Small(f) || Small(v) || pk || rho || Hash4(pk)
 *	Encap:  r short; c0 = Round(h r); ct = Rounded(c0) ||
 *	        Confirm(r, pk); K = Hash1(Hash3(Small(r)) || ct)
 *	Decap:  e = (3 f c0 mod q) mod 3; r' = e v mod 3 (or a fixed
 *	        short vector if its weight is not w); re-encrypt r' to ct';
 *	        K = Hash1(Hash3(Small(r')) || ct) if ct' == ct, else
 *	        Hash0(Hash3(rho) || ct)
 *
 * HashN(x) is the first 32 bytes of SHA-512(N || x); Confirm(r, pk) =
 * Hash2(Hash3(Small(r)) || Hash4(pk)).
 *
 * Arithmetic is schoolbook multiplication (p^2 multiply-adds into 32-bit
 * accumulators, then one reduction) and the constant-time divstep
 * reciprocal (2p - 1 iterations over p + 1 coefficients), both written
 * as plain loops over arrays so that the compiler can vectorise them.
 * The modular reductions use multiply-and-shift (and, in the R/q
 * reciprocal, 16-bit Montgomery products) with the input bounds given at
 * each function (checked exhaustively over those ranges when written),
 * so that no division instruction touches secret values. The public-key
 * and ciphertext decoders divide public values only.
 */
#include "crypto/sntrup761.h"

#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/hash.h"

#define P   761
#define Q   4591
#define W   286
#define Q12 ((Q - 1) / 2) /* 2295 */

#define SMALL_BYTES   191  /* ceil(p / 4) */
#define RQ_BYTES      1158 /* public key */
#define ROUNDED_BYTES 1007
#define HASH_BYTES    32
#define INPUT_BYTES   SMALL_BYTES

/* Secret key layout. */
#define SK_F     0
#define SK_V     (SK_F + SMALL_BYTES)
#define SK_PK    (SK_V + SMALL_BYTES)
#define SK_RHO   (SK_PK + RQ_BYTES)
#define SK_CACHE (SK_RHO + INPUT_BYTES)

#define KEYGEN_MAX_DRAWS 32

#if SK_CACHE + HASH_BYTES != SNTRUP761_SK_LEN ||                               \
    ROUNDED_BYTES + HASH_BYTES != SNTRUP761_CT_LEN ||                          \
    RQ_BYTES != SNTRUP761_PK_LEN
#error "sntrup761 sizes"
#endif

/* ---- constant-time helpers ---- */

/* -1 when x != 0, else 0. */
static int16_t
mask_nonzero(int16_t x)
{
	uint32_t u = (uint16_t)x;

	return (int16_t) - (int16_t)((0u - u) >> 31);
}

/* -1 when x < 0, else 0. */
static int16_t
mask_negative(int16_t x)
{
	return (int16_t) - (int16_t)((uint16_t)x >> 15);
}

/*
 * x mod q, centred, for |x| <= 2^24. The first step (x * 114 / 2^19, a
 * slight underestimate of x / q) brings x within about +-34000; the
 * second, on a positive offset below 2^17, uses ceil(2^27 / q), exact
 * for inputs below 850000.
 */
static int16_t
fq_freeze(int32_t x)
{
	uint32_t y;

	x -= Q * ((x * 114) >> 19);
	y = (uint32_t)(x + Q12 + 8 * Q);
	y -= Q * ((y * 29235u) >> 27);
	return (int16_t)((int32_t)y - Q12);
}

/* x mod 3 in {-1, 0, 1} for |x| <= 2^14 (43691 = ceil(2^17 / 3)). */
static int8_t
f3_freeze(int32_t x)
{
	uint32_t y = (uint32_t)(x + 1 + 3 * 16384);

	y -= 3 * ((y * 43691u) >> 17);
	return (int8_t)((int32_t)y - 1);
}

/* a^(q-2) = 1/a mod q; the exponent is public. */
static int16_t
fq_recip(int16_t a)
{
	int32_t r = 1, b = a;
	unsigned e = Q - 2;

	while (e != 0) {
		if (e & 1) {
			r = fq_freeze(r * b);
		}
		b = fq_freeze(b * b);
		e >>= 1;
	}
	return (int16_t)r;
}

/* Ascending order of a 32-bit pair, without a branch on the values. */
static void
minmax(uint32_t *a, uint32_t *b)
{
	uint32_t x = *a, y = *b;
	uint64_t d = (uint64_t)y - (uint64_t)x;
	uint32_t m = 0u - (uint32_t)(d >> 63); /* all ones when y < x */
	uint32_t t = (x ^ y) & m;

	*a = x ^ t;
	*b = y ^ t;
}

/*
 * Batcher's merge-exchange sorting network (Knuth, TAOCP 5.2.2,
 * Algorithm M): the comparisons made depend on n only.
 */
static void
sort_u32(uint32_t *x, size_t n)
{
	size_t t = 1, p, q, r, d, i;

	if (n < 2) {
		return;
	}
	while (t < n) {
		t <<= 1;
	}
	for (p = t >> 1; p > 0; p >>= 1) {
		q = t >> 1;
		r = 0;
		d = p;
		for (;;) {
			for (i = 0; i + d < n; i++) {
				if ((i & p) == r) {
					minmax(&x[i], &x[i + d]);
				}
			}
			if (q == p) {
				break;
			}
			d = q - p;
			q >>= 1;
			r = p;
		}
	}
}

/* ---- polynomials ---- */

/*
 * Working arrays are NP = 768 entries (p + 1 rounded up to a multiple of
 * 16), zero beyond the live coefficients, so that every inner loop has a
 * constant trip count the compiler vectorises without a scalar tail.
 * The padding stays zero (or, for v and r in the reciprocals, only ever
 * moves upward, away from the coefficients read at the end).
 */
#define NP 768

/* out = a * b in R/q (b small); a and b padded with zeros to NP. */
static void
rq_mult_small(int16_t out[P], const int16_t a[NP], const int8_t b[NP])
{
	int32_t fg[2 * NP];
	int32_t bw[NP];
	int i, j;

	memset(fg, 0, sizeof(fg));
	for (j = 0; j < NP; j++) {
		bw[j] = b[j];
	}
	for (i = 0; i < P; i++) {
		int32_t ai = a[i];
		int32_t *row = fg + i;

		for (j = 0; j < NP; j++) {
			row[j] += ai * bw[j];
		}
	}
	/* x^p = x + 1 */
	for (i = 2 * P - 2; i >= P; i--) {
		fg[i - P] += fg[i];
		fg[i - P + 1] += fg[i];
	}
	for (i = 0; i < P; i++) {
		out[i] = fq_freeze(fg[i]);
	}
	mem_wipe(fg, sizeof(fg));
	mem_wipe(bw, sizeof(bw));
}

/* out = a * b in R/3; a and b padded with zeros to NP. */
static void
r3_mult(int8_t out[P], const int8_t a[NP], const int8_t b[NP])
{
	int16_t fg[2 * NP];
	int16_t bw[NP];
	int i, j;

	memset(fg, 0, sizeof(fg));
	for (j = 0; j < NP; j++) {
		bw[j] = b[j];
	}
	for (i = 0; i < P; i++) {
		int16_t ai = a[i];
		int16_t *row = fg + i;

		for (j = 0; j < NP; j++) {
			row[j] = (int16_t)(row[j] + ai * bw[j]);
		}
	}
	for (i = 2 * P - 2; i >= P; i--) {
		fg[i - P] = (int16_t)(fg[i - P] + fg[i]);
		fg[i - P + 1] = (int16_t)(fg[i - P + 1] + fg[i]);
	}
	for (i = 0; i < P; i++) {
		out[i] = f3_freeze(fg[i]);
	}
	mem_wipe(fg, sizeof(fg));
	mem_wipe(bw, sizeof(bw));
}

/* x mod 3 centred, for x in [-2, 2]. */
static int8_t
f3_small(int8_t x)
{
	return (int8_t)(x - 3 * ((x > 1) - (x < -1)));
}

/*
 * Reciprocal in R/3 by constant-time divsteps on the reversed
 * polynomials (f = x^p - x - 1, g = the input): 2p - 1 steps, each
 * conditionally swapping (f, v) with (g, r), eliminating g's constant
 * term and dividing g by x. Returns 0 with out = 1/in, or -1 (out
 * garbage) when in is not invertible.
 */
static int
r3_recip(int8_t out[P], const int8_t in[P])
{
	int8_t f[NP + 1], g[NP + 1], v[NP], r[NP];
	int16_t delta = 1, swap;
	int8_t sign, t, s8, neg, nz;
	int i, loop, ret;

	memset(f, 0, sizeof(f));
	memset(g, 0, sizeof(g));
	memset(v, 0, sizeof(v));
	memset(r, 0, sizeof(r));
	r[0] = 1;
	f[0] = 1;
	f[P - 1] = -1;
	f[P] = -1;
	for (i = 0; i < P; i++) {
		g[P - 1 - i] = in[i];
	}
	for (loop = 0; loop < 2 * P - 1; loop++) {
		memmove(v + 1, v, NP - 1);
		v[0] = 0;
		sign = (int8_t)(-g[0] * f[0]);
		swap = (int16_t)(mask_negative((int16_t)-delta) &
		                 mask_nonzero(g[0]));
		delta ^= (int16_t)(swap & (delta ^ -delta));
		delta = (int16_t)(delta + 1);
		s8 = (int8_t)swap;
		for (i = 0; i < NP; i++) {
			t = (int8_t)(s8 & (f[i] ^ g[i]));
			f[i] = (int8_t)(f[i] ^ t);
			g[i] = (int8_t)(g[i] ^ t);
			t = (int8_t)(s8 & (v[i] ^ r[i]));
			v[i] = (int8_t)(v[i] ^ t);
			r[i] = (int8_t)(r[i] ^ t);
		}
		/* sign * x as masks: (x ^ neg) - neg, kept when sign != 0 */
		neg = (int8_t)mask_negative(sign);
		nz = (int8_t)mask_nonzero(sign);
		for (i = 0; i < NP; i++) {
			int8_t sf = (int8_t)(((f[i + 1] ^ neg) - neg) & nz);
			int8_t sv = (int8_t)(((v[i] ^ neg) - neg) & nz);

			g[i] = f3_small((int8_t)(g[i + 1] + sf));
			r[i] = f3_small((int8_t)(r[i] + sv));
		}
	}
	sign = f[0];
	for (i = 0; i < P; i++) {
		out[i] = (int8_t)(sign * v[P - 1 - i]);
	}
	ret = mask_nonzero(delta) == 0 ? 0 : -1;
	mem_wipe(f, sizeof(f));
	mem_wipe(g, sizeof(g));
	mem_wipe(v, sizeof(v));
	mem_wipe(r, sizeof(r));
	return ret;
}

/*
 * Montgomery product a b / 2^16 mod q, in (-q, q) when |a|, |b| < 2q:
 * t = a b q^-1 mod 2^16 makes a b - t q divisible by 2^16.
 */
#define QINV 15631 /* q^-1 mod 2^16 */

/* The high and low halves of a 16 x 16-bit product (pmulhw, pmullw). */
static int16_t
mul_hi(int16_t a, int16_t b)
{
	return (int16_t)(((int32_t)a * b) >> 16);
}

static int16_t
mul_lo(int16_t a, int16_t b)
{
	return (int16_t)(uint16_t)((uint32_t)(uint16_t)a * (uint16_t)b);
}

static int16_t
fq_montmul(int16_t a, int16_t b)
{
	int16_t t = mul_lo(mul_lo(a, b), QINV);

	return (int16_t)(mul_hi(a, b) - mul_hi(t, Q));
}

/*
 * out = 1 / (3 in) in R/q (in is never 0: x^p - x - 1 is irreducible
 * mod q), with the divsteps of r3_recip. The elimination g = f0 g - g0 f
 * is done with Montgomery products, which scales (g, r) by 2^-16 each
 * step; a common scale of a pair never changes the final v / f[0].
 * Coefficients stay in (-2q, 2q) (int16) and g[0] is reduced before its
 * zero test.
 */
static void
rq_recip3(int16_t out[P], const int8_t in[P])
{
	int16_t f[NP + 1], g[NP + 1], v[NP], r[NP];
	int16_t delta = 1, swap, t, f0, g0, scale;
	int i, loop;

	memset(f, 0, sizeof(f));
	memset(g, 0, sizeof(g));
	memset(v, 0, sizeof(v));
	memset(r, 0, sizeof(r));
	r[0] = fq_recip(3);
	f[0] = 1;
	f[P - 1] = -1;
	f[P] = -1;
	for (i = 0; i < P; i++) {
		g[P - 1 - i] = in[i];
	}
	for (loop = 0; loop < 2 * P - 1; loop++) {
		memmove(v + 1, v, (NP - 1) * sizeof(v[0]));
		v[0] = 0;
		g[0] = fq_freeze(g[0]);
		swap = (int16_t)(mask_negative((int16_t)-delta) &
		                 mask_nonzero(g[0]));
		delta ^= (int16_t)(swap & (delta ^ -delta));
		delta = (int16_t)(delta + 1);
		for (i = 0; i < NP; i++) {
			t = (int16_t)(swap & (f[i] ^ g[i]));
			f[i] = (int16_t)(f[i] ^ t);
			g[i] = (int16_t)(g[i] ^ t);
			t = (int16_t)(swap & (v[i] ^ r[i]));
			v[i] = (int16_t)(v[i] ^ t);
			r[i] = (int16_t)(r[i] ^ t);
		}
		f0 = f[0];
		g0 = g[0];
		for (i = 0; i < NP; i++) {
			g[i] = (int16_t)(fq_montmul(f0, g[i + 1]) -
			                 fq_montmul(g0, f[i + 1]));
			r[i] = (int16_t)(fq_montmul(f0, r[i]) -
			                 fq_montmul(g0, v[i]));
		}
	}
	scale = fq_recip(fq_freeze(f[0]));
	for (i = 0; i < P; i++) {
		out[i] = fq_freeze((int32_t)scale * v[P - 1 - i]);
	}
	mem_wipe(f, sizeof(f));
	mem_wipe(g, sizeof(g));
	mem_wipe(v, sizeof(v));
	mem_wipe(r, sizeof(r));
}

/* ---- encodings ---- */

/* Four coefficients (plus one) per byte, the last byte holding one. */
static void
small_encode(uint8_t s[SMALL_BYTES], const int8_t f[P])
{
	int i, j;

	for (i = 0; i < P / 4; i++) {
		uint8_t x = 0;

		for (j = 0; j < 4; j++) {
			x = (uint8_t)(x | (uint8_t)(f[4 * i + j] + 1)
			                      << (2 * j));
		}
		s[i] = x;
	}
	s[P / 4] = (uint8_t)(f[P - 1] + 1);
}

static void
small_decode(int8_t f[P], const uint8_t s[SMALL_BYTES])
{
	int i, j;

	for (i = 0; i < P / 4; i++) {
		for (j = 0; j < 4; j++) {
			f[4 * i + j] = (int8_t)(((s[i] >> (2 * j)) & 3) - 1);
		}
	}
	f[P - 1] = (int8_t)((s[P / 4] & 3) - 1);
}

/*
 * The specification's Encode: a list of values R[i] < M[i] (each M[i] <
 * 16384) becomes bytes by merging neighbours (R[i] + R[i+1] M[i], radix
 * M[i] M[i+1]), emitting the low bytes while the radix is at least
 * 16384, and recursing on the halved list; one value left is emitted
 * byte by byte. Returns the bytes written.
 */
static size_t
encode(uint8_t *out, const uint16_t *R, const uint16_t *M, size_t len)
{
	uint16_t R2[(P + 1) / 2], M2[(P + 1) / 2];
	size_t o = 0, i;

	if (len == 1) {
		uint32_t r = R[0], m = M[0];

		while (m > 1) {
			out[o++] = (uint8_t)r;
			r >>= 8;
			m = (m + 255) >> 8;
		}
		return o;
	}
	for (i = 0; i + 1 < len; i += 2) {
		uint32_t m = (uint32_t)M[i] * M[i + 1];
		uint32_t r = R[i] + (uint32_t)R[i + 1] * M[i];

		while (m >= 16384) {
			out[o++] = (uint8_t)r;
			r >>= 8;
			m = (m + 255) >> 8;
		}
		R2[i / 2] = (uint16_t)r;
		M2[i / 2] = (uint16_t)m;
	}
	if (i < len) {
		R2[i / 2] = R[i];
		M2[i / 2] = M[i];
	}
	return o + encode(out + o, R2, M2, (len + 1) / 2);
}

/*
 * Inverse of encode() over n input bytes (the caller gives exactly the
 * length encode() produces for M). Any bytes decode: values are reduced
 * mod M[i]. Works on public data only (divisions). Returns the bytes
 * read.
 */
static size_t
decode(uint16_t *out, const uint8_t *s, const uint16_t *M, size_t len)
{
	uint16_t R2[(P + 1) / 2], M2[(P + 1) / 2] = {0};
	uint32_t bot_r[P / 2], bot_t[P / 2];
	size_t o = 0, i;

	if (len == 1) {
		uint32_t r = 0, m = M[0];
		unsigned shift = 0;

		while (m > 1) {
			r |= (uint32_t)s[o++] << shift;
			shift += 8;
			m = (m + 255) >> 8;
		}
		out[0] = (uint16_t)(r % M[0]);
		return o;
	}
	for (i = 0; i + 1 < len; i += 2) {
		uint32_t m = (uint32_t)M[i] * M[i + 1], r = 0, t = 1;

		while (m >= 16384) {
			r += (uint32_t)s[o++] * t;
			t <<= 8;
			m = (m + 255) >> 8;
		}
		bot_r[i / 2] = r;
		bot_t[i / 2] = t;
		M2[i / 2] = (uint16_t)m;
	}
	if (i < len) {
		M2[i / 2] = M[i];
	}
	o += decode(R2, s + o, M2, (len + 1) / 2);
	for (i = 0; i + 1 < len; i += 2) {
		uint32_t r = bot_r[i / 2] + bot_t[i / 2] * R2[i / 2];

		out[i] = (uint16_t)(r % M[i]);
		out[i + 1] = (uint16_t)((r / M[i]) % M[i + 1]);
	}
	if (i < len) {
		out[i] = R2[i / 2];
	}
	return o;
}

static void
rq_encode(uint8_t s[RQ_BYTES], const int16_t h[P])
{
	uint16_t R[P], M[P];
	int i;

	for (i = 0; i < P; i++) {
		R[i] = (uint16_t)(h[i] + Q12);
		M[i] = Q;
	}
	encode(s, R, M, P);
}

static void
rq_decode(int16_t h[P], const uint8_t s[RQ_BYTES])
{
	uint16_t R[P], M[P];
	int i;

	for (i = 0; i < P; i++) {
		M[i] = Q;
	}
	decode(R, s, M, P);
	for (i = 0; i < P; i++) {
		h[i] = (int16_t)(R[i] - Q12);
	}
}

/* Rounded coefficients are multiples of 3: encoded as (c + Q12) / 3. */
static void
rounded_encode(uint8_t s[ROUNDED_BYTES], const int16_t c[P])
{
	uint16_t R[P], M[P];
	int i;

	for (i = 0; i < P; i++) {
		R[i] = (uint16_t)(((c[i] + Q12) * 10923) >> 15);
		M[i] = (Q + 2) / 3;
	}
	encode(s, R, M, P);
}

static void
rounded_decode(int16_t c[P], const uint8_t s[ROUNDED_BYTES])
{
	uint16_t R[P], M[P];
	int i;

	for (i = 0; i < P; i++) {
		M[i] = (Q + 2) / 3;
	}
	decode(R, s, M, P);
	for (i = 0; i < P; i++) {
		c[i] = (int16_t)(R[i] * 3 - Q12);
	}
}

/* ---- hashes ---- */

/* out = first 32 bytes of SHA-512(b || x || y). */
static int
hash_prefix(uint8_t out[HASH_BYTES], uint8_t b, const uint8_t *x, size_t xn,
            const uint8_t *y, size_t yn)
{
	struct hash_ctx *h = NULL;
	uint8_t d[64];
	int ret;

	if ((ret = hash_new(HASH_SHA512, &h)) != 0 ||
	    (ret = hash_update(h, &b, 1)) != 0 ||
	    (ret = hash_update(h, x, xn)) != 0 ||
	    (yn > 0 && (ret = hash_update(h, y, yn)) != 0) ||
	    (ret = hash_final(h, d)) != 0) {
		goto out;
	}
	memcpy(out, d, HASH_BYTES);
out:
	hash_free(h);
	mem_wipe(d, sizeof(d));
	return ret;
}

/* ---- the scheme ---- */

/*
 * Short_random: w entries made even (coefficient +-1 after the sort),
 * the rest made 1 mod 4 (coefficient 0); sorting by the random high bits
 * shuffles them. The low two bits minus one give the coefficient.
 */
static int
short_random(sntrup761_rand_fn rand, void *rand_ctx, int8_t out[P])
{
	uint32_t L[P];
	uint8_t raw[4 * P];
	int i, ret;

	if ((ret = rand(rand_ctx, raw, sizeof(raw))) != 0) {
		goto out;
	}
	for (i = 0; i < P; i++) {
		L[i] = (uint32_t)raw[4 * i] | (uint32_t)raw[4 * i + 1] << 8 |
		       (uint32_t)raw[4 * i + 2] << 16 |
		       (uint32_t)raw[4 * i + 3] << 24;
		if (i < W) {
			L[i] &= ~1u;
		} else {
			L[i] = (L[i] & ~3u) | 1;
		}
	}
	sort_u32(L, P);
	for (i = 0; i < P; i++) {
		out[i] = (int8_t)((L[i] & 3) - 1);
	}
out:
	mem_wipe(L, sizeof(L));
	mem_wipe(raw, sizeof(raw));
	return ret;
}

/* Small_random: each coefficient floor(3 u / 2^30) - 1, u 30 random bits. */
static int
small_random(sntrup761_rand_fn rand, void *rand_ctx, int8_t out[P])
{
	uint8_t raw[4 * P];
	int i, ret;

	if ((ret = rand(rand_ctx, raw, sizeof(raw))) != 0) {
		goto out;
	}
	for (i = 0; i < P; i++) {
		uint32_t u = (uint32_t)raw[4 * i] |
		             (uint32_t)raw[4 * i + 1] << 8 |
		             (uint32_t)raw[4 * i + 2] << 16 |
		             (uint32_t)raw[4 * i + 3] << 24;

		out[i] = (int8_t)((((u & 0x3fffffff) * 3) >> 30) - 1);
	}
out:
	mem_wipe(raw, sizeof(raw));
	return ret;
}

/*
 * Hide: r_enc = Small(r), ct = Rounded(Round(h r)) || Confirm, where
 * Confirm = Hash2(Hash3(r_enc) || cache) and cache = Hash4(pk).
 */
static int
hide(uint8_t ct[SNTRUP761_CT_LEN], uint8_t r_enc[INPUT_BYTES],
     const int8_t r[NP], const uint8_t pk[RQ_BYTES],
     const uint8_t cache[HASH_BYTES])
{
	int16_t h[NP], c[P];
	uint8_t x[2 * HASH_BYTES];
	int i, ret;

	small_encode(r_enc, r);
	memset(h, 0, sizeof(h));
	rq_decode(h, pk);
	rq_mult_small(c, h, r);
	for (i = 0; i < P; i++) {
		c[i] = (int16_t)(c[i] - f3_freeze(c[i]));
	}
	rounded_encode(ct, c);
	if ((ret = hash_prefix(x, 3, r_enc, INPUT_BYTES, NULL, 0)) != 0) {
		goto out;
	}
	memcpy(x + HASH_BYTES, cache, HASH_BYTES);
	ret = hash_prefix(ct + ROUNDED_BYTES, 2, x, sizeof(x), NULL, 0);
out:
	mem_wipe(c, sizeof(c));
	mem_wipe(x, sizeof(x));
	return ret;
}

/* K = HashB(Hash3(r_enc) || ct). */
static int
hash_session(uint8_t k[HASH_BYTES], uint8_t b, const uint8_t r_enc[INPUT_BYTES],
             const uint8_t ct[SNTRUP761_CT_LEN])
{
	uint8_t x[HASH_BYTES];
	int ret;

	if ((ret = hash_prefix(x, 3, r_enc, INPUT_BYTES, NULL, 0)) == 0) {
		ret = hash_prefix(k, b, x, sizeof(x), ct, SNTRUP761_CT_LEN);
	}
	mem_wipe(x, sizeof(x));
	return ret;
}

int
sntrup761_keypair(sntrup761_rand_fn rand, void *rand_ctx,
                  uint8_t pk[SNTRUP761_PK_LEN], uint8_t sk[SNTRUP761_SK_LEN])
{
	int8_t g[NP], v[P], f[P];
	int16_t h[NP];
	uint8_t pkl[SNTRUP761_PK_LEN], skl[SNTRUP761_SK_LEN];
	int i, ret;

	if (rand == NULL || pk == NULL || sk == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(pk, 0, SNTRUP761_PK_LEN);
	memset(sk, 0, SNTRUP761_SK_LEN);
	memset(g, 0, sizeof(g));
	memset(h, 0, sizeof(h));
	/* g must be invertible mod 3; a redraw is rare. */
	ret = SESH_ERR_CRYPTO;
	for (i = 0; i < KEYGEN_MAX_DRAWS; i++) {
		if ((ret = small_random(rand, rand_ctx, g)) != 0) {
			goto out;
		}
		if (r3_recip(v, g) == 0) {
			break;
		}
		ret = SESH_ERR_CRYPTO;
	}
	if (ret != 0 || (ret = short_random(rand, rand_ctx, f)) != 0) {
		goto out;
	}
	rq_recip3(h, f);
	rq_mult_small(h, h, g);
	rq_encode(pkl, h);
	small_encode(skl + SK_F, f);
	small_encode(skl + SK_V, v);
	memcpy(skl + SK_PK, pkl, RQ_BYTES);
	if ((ret = rand(rand_ctx, skl + SK_RHO, INPUT_BYTES)) != 0 ||
	    (ret = hash_prefix(skl + SK_CACHE, 4, pkl, RQ_BYTES, NULL, 0)) !=
	        0) {
		goto out;
	}
	memcpy(pk, pkl, sizeof(pkl));
	memcpy(sk, skl, sizeof(skl));
out:
	mem_wipe(g, sizeof(g));
	mem_wipe(v, sizeof(v));
	mem_wipe(f, sizeof(f));
	mem_wipe(h, sizeof(h));
	mem_wipe(skl, sizeof(skl));
	return ret;
}

int
sntrup761_enc(sntrup761_rand_fn rand, void *rand_ctx,
              const uint8_t pk[SNTRUP761_PK_LEN], uint8_t ct[SNTRUP761_CT_LEN],
              uint8_t ss[SNTRUP761_SS_LEN])
{
	int8_t r[NP];
	uint8_t r_enc[INPUT_BYTES], cache[HASH_BYTES], c[SNTRUP761_CT_LEN];
	uint8_t k[SNTRUP761_SS_LEN];
	int ret;

	if (rand == NULL || pk == NULL || ct == NULL || ss == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(ct, 0, SNTRUP761_CT_LEN);
	memset(ss, 0, SNTRUP761_SS_LEN);
	memset(r, 0, sizeof(r));
	if ((ret = short_random(rand, rand_ctx, r)) != 0 ||
	    (ret = hash_prefix(cache, 4, pk, RQ_BYTES, NULL, 0)) != 0 ||
	    (ret = hide(c, r_enc, r, pk, cache)) != 0 ||
	    (ret = hash_session(k, 1, r_enc, c)) != 0) {
		goto out;
	}
	memcpy(ct, c, sizeof(c));
	memcpy(ss, k, sizeof(k));
out:
	mem_wipe(r, sizeof(r));
	mem_wipe(r_enc, sizeof(r_enc));
	mem_wipe(k, sizeof(k));
	return ret;
}

int
sntrup761_dec(const uint8_t sk[SNTRUP761_SK_LEN],
              const uint8_t ct[SNTRUP761_CT_LEN], uint8_t ss[SNTRUP761_SS_LEN])
{
	int8_t f[NP], v[NP], e[NP], ev[P], r[NP];
	int16_t c[NP], cf[P];
	uint8_t r_enc[INPUT_BYTES], cnew[SNTRUP761_CT_LEN];
	uint8_t k[SNTRUP761_SS_LEN];
	int16_t weight = 0, mask;
	uint8_t diff = 0;
	int i, ret;

	if (sk == NULL || ct == NULL || ss == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(ss, 0, SNTRUP761_SS_LEN);
	memset(f, 0, sizeof(f));
	memset(v, 0, sizeof(v));
	memset(e, 0, sizeof(e));
	memset(r, 0, sizeof(r));
	memset(c, 0, sizeof(c));
	/* Decrypt: e = 3 f c mod q mod 3, r = e / g mod 3. */
	small_decode(f, sk + SK_F);
	small_decode(v, sk + SK_V);
	rounded_decode(c, ct);
	rq_mult_small(cf, c, f);
	for (i = 0; i < P; i++) {
		e[i] = f3_freeze(fq_freeze(3 * (int32_t)cf[i]));
	}
	r3_mult(ev, e, v);
	/* Weight w or else the fixed short vector (1, ..., 1, 0, ..., 0). */
	for (i = 0; i < P; i++) {
		weight = (int16_t)(weight + (ev[i] & 1));
	}
	mask = mask_nonzero((int16_t)(weight - W));
	for (i = 0; i < W; i++) {
		r[i] = (int8_t)(((ev[i] ^ 1) & ~mask) ^ 1);
	}
	for (i = W; i < P; i++) {
		r[i] = (int8_t)(ev[i] & ~mask);
	}
	if ((ret = hide(cnew, r_enc, r, sk + SK_PK, sk + SK_CACHE)) != 0) {
		goto out;
	}
	/* Implicit rejection: rho instead of r when ct does not match. */
	for (i = 0; i < SNTRUP761_CT_LEN; i++) {
		diff |= (uint8_t)(ct[i] ^ cnew[i]);
	}
	mask = mask_nonzero(diff);
	for (i = 0; i < INPUT_BYTES; i++) {
		r_enc[i] =
		    (uint8_t)(r_enc[i] ^ (mask & (r_enc[i] ^ sk[SK_RHO + i])));
	}
	if ((ret = hash_session(k, (uint8_t)(1 + mask), r_enc, ct)) != 0) {
		goto out;
	}
	memcpy(ss, k, sizeof(k));
out:
	mem_wipe(f, sizeof(f));
	mem_wipe(v, sizeof(v));
	mem_wipe(e, sizeof(e));
	mem_wipe(ev, sizeof(ev));
	mem_wipe(r, sizeof(r));
	mem_wipe(cf, sizeof(cf));
	mem_wipe(r_enc, sizeof(r_enc));
	mem_wipe(cnew, sizeof(cnew));
	mem_wipe(k, sizeof(k));
	return ret;
}
