/*
 * test_kexprim.c - crypto/kexprim: RFC 7748 §5.2 X25519 vectors (two
 * single calls and the first iteration), the §6.1 Diffie-Hellman example,
 * all-zero results from small-order points refused; ECDH agreement on
 * P-256/384/521 and bad peer points refused (every single-bit flip of a
 * valid point, wrong forms and lengths); MODP group 14 agreement with the
 * peer value checks (0, 1, p-1, p, above p, oversized), group 16 and 18
 * agreement. Keys from given private values: RFC 5903 §8.1-8.3 vectors
 * (private -> public, shared secret both ways) for P-256/384/521, scalars
 * 0 and n refused, n-1 accepted; DH exponents 2 and 3 (e = 4 and 8, K =
 * 2^6) and out-of-range exponents refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "base/buf.h"
#include "base/err.h"
#include "crypto/kexprim.h"

/* ---- X25519 ---- */

static void
x25519_vector(const char *scalar, const char *u, const char *expect)
{
	uint8_t s[32], pu[32], want[32], got[32];
	struct x25519_key k;

	unhex(scalar, s, 32);
	unhex(u, pu, 32);
	unhex(expect, want, 32);
	assert_int_equal(x25519_keygen_from(s, &k), 0);
	assert_memory_equal(k.priv, s, 32);
	assert_int_equal(x25519_shared(&k, pu, got), 0);
	assert_memory_equal(got, want, 32);
	x25519_clear(&k);
}

static void
test_x25519_rfc7748_vectors(void **state)
{
	(void)state;
	/* §5.2, the two single test vectors. */
	x25519_vector(
	    "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
	    "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
	    "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	x25519_vector(
	    "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
	    "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
	    "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
	/* §5.2 iteration: k = u = 9, after one iteration. */
	x25519_vector(
	    "0900000000000000000000000000000000000000000000000000000000000000",
	    "0900000000000000000000000000000000000000000000000000000000000000",
	    "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
}

static void
test_x25519_rfc7748_dh(void **state)
{
	uint8_t a[32], b[32], apub[32], bpub[32], kk[32], s1[32], s2[32];
	struct x25519_key ka, kb;

	(void)state;
	unhex(
	    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	    a, 32);
	unhex(
	    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	    apub, 32);
	unhex(
	    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	    b, 32);
	unhex(
	    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	    bpub, 32);
	unhex(
	    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
	    kk, 32);
	assert_int_equal(x25519_keygen_from(a, &ka), 0);
	assert_int_equal(x25519_keygen_from(b, &kb), 0);
	assert_memory_equal(ka.pub, apub, 32);
	assert_memory_equal(kb.pub, bpub, 32);
	assert_int_equal(x25519_shared(&ka, kb.pub, s1), 0);
	assert_int_equal(x25519_shared(&kb, ka.pub, s2), 0);
	assert_memory_equal(s1, kk, 32);
	assert_memory_equal(s2, kk, 32);
	x25519_clear(&ka);
	assert_int_equal(ka.priv[0] | ka.priv[31] | ka.pub[0], 0);
	x25519_clear(&kb);
}

static void
test_x25519_random_and_degenerate(void **state)
{
	/* Points of small order: u = 0, u = 1, and the order-8 point
	 * listed by RFC 7748's references (e0eb7a7c...). */
	static const char *low[] = {
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "0100000000000000000000000000000000000000000000000000000000000000",
	    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	uint8_t s1[32], s2[32], pt[32], out[32];
	struct x25519_key a, b;
	size_t i;

	(void)state;
	assert_int_equal(x25519_keygen(&a), 0);
	assert_int_equal(x25519_keygen(&b), 0);
	assert_memory_not_equal(a.priv, b.priv, 32);
	assert_int_equal(x25519_shared(&a, b.pub, s1), 0);
	assert_int_equal(x25519_shared(&b, a.pub, s2), 0);
	assert_memory_equal(s1, s2, 32);

	for (i = 0; i < sizeof(low) / sizeof(low[0]); i++) {
		unhex(low[i], pt, 32);
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(x25519_shared(&a, pt, out),
		                 SESH_ERR_KEX_DEGENERATE);
		/* Output untouched on error. */
		assert_int_equal(out[0], 0xaa);
		assert_int_equal(out[31], 0xaa);
	}
	x25519_clear(&a);
	x25519_clear(&b);
}

/* ---- ECDH ---- */

static const enum ecdh_curve curves[] = {ECDH_P256, ECDH_P384, ECDH_P521};

static void
test_ecdh_agreement(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct ecdh_key *a = NULL, *b = NULL;
		struct buf pa, pb, sa, sb;
		size_t f = ecdh_field_len(curves[i]);

		assert_int_equal(ecdh_keygen(curves[i], &a), 0);
		assert_int_equal(ecdh_keygen(curves[i], &b), 0);
		buf_init(&pa, 0);
		buf_init(&pb, 0);
		buf_init(&sa, 0);
		buf_init(&sb, 0);
		assert_int_equal(ecdh_public(a, &pa), 0);
		assert_int_equal(ecdh_public(b, &pb), 0);
		assert_int_equal(buf_len(&pa), ecdh_point_len(curves[i]));
		assert_int_equal(buf_len(&pa), 1 + 2 * f);
		assert_int_equal(buf_data(&pa)[0], 0x04);
		assert_int_equal(
		    ecdh_shared(a, buf_data(&pb), buf_len(&pb), &sa), 0);
		assert_int_equal(
		    ecdh_shared(b, buf_data(&pa), buf_len(&pa), &sb), 0);
		assert_int_equal(buf_len(&sa), f);
		assert_true(sa.secret);
		assert_int_equal(buf_len(&sb), f);
		assert_memory_equal(buf_data(&sa), buf_data(&sb), f);
		/* Our own public point is a valid peer too. */
		buf_reset(&sb);
		assert_int_equal(
		    ecdh_shared(a, buf_data(&pa), buf_len(&pa), &sb), 0);
		assert_memory_not_equal(buf_data(&sa), buf_data(&sb), f);
		buf_clear(&pa);
		buf_clear(&pb);
		buf_clear(&sa);
		buf_clear(&sb);
		ecdh_free(a);
		ecdh_free(b);
	}
}

static void
test_ecdh_invalid_points(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct ecdh_key *a = NULL, *b = NULL, *other = NULL;
		struct buf pb, po, s;
		uint8_t pt[133];
		size_t len;

		assert_int_equal(ecdh_keygen(curves[i], &a), 0);
		assert_int_equal(ecdh_keygen(curves[i], &b), 0);
		assert_int_equal(ecdh_keygen(curves[(i + 1) % 3], &other), 0);
		buf_init(&pb, 0);
		buf_init(&po, 0);
		buf_init(&s, 0);
		assert_int_equal(ecdh_public(b, &pb), 0);
		assert_int_equal(ecdh_public(other, &po), 0);
		len = buf_len(&pb);

		/* Every single-bit flip of a valid point is refused. */
		for (j = 0; j < len * 8; j++) {
			memcpy(pt, buf_data(&pb), len);
			pt[j / 8] ^= (uint8_t)(1u << (j % 8));
			assert_int_equal(ecdh_shared(a, pt, len, &s),
			                 SESH_ERR_INVALID_KEY);
		}
		assert_int_equal(buf_len(&s), 0);
		memcpy(pt, buf_data(&pb), len);
		/* Truncated, compressed, another curve's point. */
		assert_int_equal(ecdh_shared(a, pt, len - 1, &s),
		                 SESH_ERR_INVALID_KEY);
		pt[0] = 0x02;
		assert_int_equal(ecdh_shared(a, pt, 1 + (len - 1) / 2, &s),
		                 SESH_ERR_INVALID_KEY);
		assert_int_equal(
		    ecdh_shared(a, buf_data(&po), buf_len(&po), &s),
		    SESH_ERR_INVALID_KEY);
		/* (0, 0), coordinates >= p, the point at infinity. */
		memset(pt, 0, sizeof(pt));
		pt[0] = 0x04;
		assert_int_equal(ecdh_shared(a, pt, len, &s),
		                 SESH_ERR_INVALID_KEY);
		memset(&pt[1], 0xff, len - 1);
		assert_int_equal(ecdh_shared(a, pt, len, &s),
		                 SESH_ERR_INVALID_KEY);
		pt[0] = 0x00;
		assert_int_equal(ecdh_shared(a, pt, 1, &s),
		                 SESH_ERR_INVALID_KEY);
		assert_int_equal(buf_len(&s), 0);

		buf_clear(&pb);
		buf_clear(&po);
		buf_clear(&s);
		ecdh_free(a);
		ecdh_free(b);
		ecdh_free(other);
	}
}

/* ---- DH ---- */

/* RFC 3526 §3, the 2048-bit MODP group's prime. */
static const char modp2048[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

static void
dh_agree(enum dh_group g)
{
	struct dh_key *a = NULL, *b = NULL;
	struct buf pa, pb, sa, sb;
	size_t plen = dh_prime_len(g);

	assert_int_equal(dh_keygen(g, &a), 0);
	assert_int_equal(dh_keygen(g, &b), 0);
	buf_init(&pa, 0);
	buf_init(&pb, 0);
	buf_init(&sa, 0);
	buf_init(&sb, 0);
	assert_int_equal(dh_public(a, &pa), 0);
	assert_int_equal(dh_public(b, &pb), 0);
	assert_true(buf_len(&pa) <= plen && buf_len(&pa) > plen - 16);
	assert_int_not_equal(buf_data(&pa)[0], 0);
	assert_int_equal(dh_shared(a, buf_data(&pb), buf_len(&pb), &sa), 0);
	assert_int_equal(dh_shared(b, buf_data(&pa), buf_len(&pa), &sb), 0);
	assert_int_equal(buf_len(&sa), plen);
	assert_int_equal(buf_len(&sb), plen);
	assert_true(sa.secret);
	assert_memory_equal(buf_data(&sa), buf_data(&sb), plen);
	buf_clear(&pa);
	buf_clear(&pb);
	buf_clear(&sa);
	buf_clear(&sb);
	dh_free(a);
	dh_free(b);
}

static void
test_dh_group14_agreement(void **state)
{
	(void)state;
	dh_agree(DH_GROUP14);
}

static void
test_dh_group16_18_agreement(void **state)
{
	(void)state;
	dh_agree(DH_GROUP16);
	dh_agree(DH_GROUP18);
}

/* big-endian n += delta (|delta| small, no carry past the top). */
static void
add_small(uint8_t *p, size_t n, int delta)
{
	size_t i = n;
	int carry = delta;

	while (carry != 0 && i > 0) {
		int v = p[i - 1] + carry;

		i--;
		carry = 0;
		while (v < 0) {
			v += 256;
			carry--;
		}
		while (v > 255) {
			v -= 256;
			carry++;
		}
		p[i] = (uint8_t)v;
	}
	assert_int_equal(carry, 0);
}

static void
test_dh_peer_checks(void **state)
{
	uint8_t p[256], v[600];
	struct dh_key *a = NULL;
	struct buf s, pa;

	(void)state;
	unhex(modp2048, p, sizeof(p));
	assert_int_equal(dh_keygen(DH_GROUP14, &a), 0);
	buf_init(&s, 0);
	buf_init(&pa, 0);

	/* f = 0 (empty and one zero octet), f = 1. */
	assert_int_equal(dh_shared(a, v, 0, &s), SESH_ERR_KEX_DEGENERATE);
	memset(v, 0, sizeof(v));
	assert_int_equal(dh_shared(a, v, 1, &s), SESH_ERR_KEX_DEGENERATE);
	v[0] = 1;
	assert_int_equal(dh_shared(a, v, 1, &s), SESH_ERR_KEX_DEGENERATE);
	/* f = 1 with leading zeros. */
	memset(v, 0, sizeof(v));
	v[255] = 1;
	assert_int_equal(dh_shared(a, v, 256, &s), SESH_ERR_KEX_DEGENERATE);
	/* f = p - 1, p, p + 1. */
	memcpy(v, p, 256);
	add_small(v, 256, -1);
	assert_int_equal(dh_shared(a, v, 256, &s), SESH_ERR_KEX_DEGENERATE);
	memcpy(v, p, 256);
	assert_int_equal(dh_shared(a, v, 256, &s), SESH_ERR_KEX_DEGENERATE);
	add_small(v, 256, 1);
	assert_int_equal(dh_shared(a, v, 256, &s), SESH_ERR_KEX_DEGENERATE);
	/* f = 2^2048 - 1, f of 257 octets, f far too long. */
	memset(v, 0xff, 256);
	assert_int_equal(dh_shared(a, v, 256, &s), SESH_ERR_KEX_DEGENERATE);
	v[0] = 1;
	memset(&v[1], 0, 256);
	assert_int_equal(dh_shared(a, v, 257, &s), SESH_ERR_KEX_DEGENERATE);
	memset(v, 0, sizeof(v));
	v[599] = 5;
	assert_int_equal(dh_shared(a, v, 600, &s), SESH_ERR_KEX_DEGENERATE);
	assert_int_equal(buf_len(&s), 0);

	/* In range, so accepted (RFC 4253 §8 asks for the range check
	 * only): f = 2 (the generator) and f = p - 2. */
	v[0] = 2;
	assert_int_equal(dh_shared(a, v, 1, &s), 0);
	assert_int_equal(buf_len(&s), 256);
	buf_reset(&s);
	memcpy(v, p, 256);
	add_small(v, 256, -2);
	assert_int_equal(dh_shared(a, v, 256, &s), 0);
	buf_reset(&s);
	/* Our own public value with leading zero octets still works. */
	memset(v, 0, 8);
	assert_int_equal(dh_public(a, &pa), 0);
	memcpy(&v[8], buf_data(&pa), buf_len(&pa));
	assert_int_equal(dh_shared(a, v, 8 + buf_len(&pa), &s), 0);

	buf_clear(&s);
	buf_clear(&pa);
	dh_free(a);
}


/* ---- keys from given private values ---- */

/* unhex over a string with spaces (as the RFCs print vectors). */
static size_t
unhex_sp(const char *s, uint8_t *out, size_t max)
{
	char tmp[1024];
	size_t i, j = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != ' ') {
			assert_true(j + 1 < sizeof(tmp));
			tmp[j++] = s[i];
		}
	}
	tmp[j] = '\0';
	return unhex(tmp, out, max);
}

struct rfc5903 {
	enum ecdh_curve c;
	const char *i, *gix, *giy, *r, *grx, *gry, *girx;
};

/* RFC 5903 §8.1, §8.2, §8.3. */
static const struct rfc5903 rfc5903_vectors[] = {
    {ECDH_P256,
     "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
     "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180",
     "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
     "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53",
     "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63",
     "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
     "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 "
     "4B9442DE"},
    {ECDH_P384,
     "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655 "
     "E35B5380 41E649EE 3FAEF896 783AB194",
     "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6 "
     "DE3AC808 ACB4BDB4 C88732AE E95F41AA",
     "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E "
     "EB9FCFF3 C2C947DA E69B4C63 4573A81C",
     "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942 "
     "E0308312 916B8ED2 960E4BD5 5A7448FC",
     "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D "
     "0D1AC43A 0336DEF9 6FDA41D0 774A3571",
     "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF "
     "F83FA401 42209DFF 5EAAD96D B9E6386C",
     "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4 "
     "D6031355 69B9E9D0 9CF5D4A2 70F59746"},
    {ECDH_P521,
     "0037ADE9 319A89F4 DABDB3EF 411AACCC A5123C61 ACAB57B5 393DCE47 608172A0 "
     "95AA85A3 0FE1C295 2C6771D9 37BA9777 F5957B26 39BAB072 462F68C2 7A57382D "
     "4A52",
     "0015417E 84DBF28C 0AD3C278 713349DC 7DF153C8 97A1891B D98BAB43 57C9ECBE "
     "E1E3BF42 E00B8E38 0AEAE57C 2D107564 94188594 2AF5A7F4 601723C4 195D176C "
     "ED3E",
     "017CAE20 B6641D2E EB695786 D8C94614 6239D099 E18E1D5A 514C739D 7CB4A10A "
     "D8A78801 5AC405D7 799DC75E 7B7D5B6C F2261A6A 7F150743 8BF01BEB 6CA3926F "
     "9582",
     "0145BA99 A847AF43 793FDD0E 872E7CDF A16BE30F DC780F97 BCCC3F07 8380201E "
     "9C677D60 0B343757 A3BDBF2A 3163E4C2 F869CCA7 458AA4A4 EFFC311F 5CB15168 "
     "5EB9",
     "00D0B397 5AC4B799 F5BEA16D 5E13E9AF 971D5E9B 984C9F39 728B5E57 39735A21 "
     "9B97C356 436ADC6E 95BB0352 F6BE64A6 C2912D4E F2D0433C ED2B6171 640012D9 "
     "460F",
     "015C6822 6383956E 3BD066E7 97B623C2 7CE0EAC2 F551A10C 2C724D98 52077B87 "
     "220B6536 C5C408A1 D2AEBB8E 86D678AE 49CB5709 1F473229 6579AB44 FCD17F0F "
     "C56A",
     "01144C7D 79AE6956 BC8EDB8E 7C787C45 21CB086F A64407F9 7894E5E6 B2D79B04 "
     "D1427E73 CA4BAA24 0A347868 59810C06 B3C715A3 A8CC3151 F2BEE417 996D19F3 "
     "DDEA"},
};

/* Public point of a key made from private scalar hex equals 04||x||y. */
static struct ecdh_key *
ecdh_from_hex(enum ecdh_curve c, const char *priv, const char *x,
              const char *y, uint8_t *point)
{
	uint8_t d[66];
	size_t f = ecdh_field_len(c), n;
	struct ecdh_key *k = NULL;
	struct buf b;

	n = unhex_sp(priv, d, sizeof(d));
	assert_int_equal(n, f);
	point[0] = 0x04;
	assert_int_equal(unhex_sp(x, point + 1, f), f);
	assert_int_equal(unhex_sp(y, point + 1 + f, f), f);
	assert_int_equal(ecdh_key_from_private(c, d, n, &k), 0);
	buf_init(&b, 0);
	assert_int_equal(ecdh_public(k, &b), 0);
	assert_int_equal(buf_len(&b), 1 + 2 * f);
	assert_memory_equal(buf_data(&b), point, 1 + 2 * f);
	buf_clear(&b);
	return k;
}

static void
test_ecdh_rfc5903(void **state)
{
	uint8_t gi[133], gr[133], want[66];
	struct ecdh_key *ki, *kr;
	struct buf s;
	size_t v, f;

	(void)state;
	for (v = 0; v < sizeof(rfc5903_vectors) / sizeof(rfc5903_vectors[0]);
	     v++) {
		const struct rfc5903 *t = &rfc5903_vectors[v];

		f = ecdh_field_len(t->c);
		ki = ecdh_from_hex(t->c, t->i, t->gix, t->giy, gi);
		kr = ecdh_from_hex(t->c, t->r, t->grx, t->gry, gr);
		assert_int_equal(unhex_sp(t->girx, want, sizeof(want)), f);
		buf_init(&s, 0);
		assert_int_equal(ecdh_shared(ki, gr, 1 + 2 * f, &s), 0);
		assert_int_equal(buf_len(&s), f);
		assert_memory_equal(buf_data(&s), want, f);
		buf_reset(&s);
		assert_int_equal(ecdh_shared(kr, gi, 1 + 2 * f, &s), 0);
		assert_memory_equal(buf_data(&s), want, f);
		buf_clear(&s);
		ecdh_free(ki);
		ecdh_free(kr);
	}
}

static void
test_ecdh_scalar_range(void **state)
{
	/* P-256 group order n (FIPS 186-4 D.1.2.3) */
	static const char n256[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFF"
	                           "BCE6FAADA7179E84F3B9CAC2FC632551";
	uint8_t d[66];
	struct ecdh_key *k = (void *)1;

	(void)state;
	memset(d, 0, sizeof(d));
	assert_int_equal(ecdh_key_from_private(ECDH_P256, d, 32, &k),
	                 SESH_ERR_INVALID_KEY);
	assert_null(k);
	unhex(n256, d, 32);
	assert_int_equal(ecdh_key_from_private(ECDH_P256, d, 32, &k),
	                 SESH_ERR_INVALID_KEY);
	memset(d, 0xff, 32);
	assert_int_equal(ecdh_key_from_private(ECDH_P256, d, 32, &k),
	                 SESH_ERR_INVALID_KEY);
	unhex(n256, d, 32);
	d[31]--; /* n - 1 */
	assert_int_equal(ecdh_key_from_private(ECDH_P256, d, 32, &k), 0);
	ecdh_free(k);
	d[0] = 1; /* a short scalar: leading zeros implied */
	assert_int_equal(ecdh_key_from_private(ECDH_P256, d, 1, &k), 0);
	ecdh_free(k);
	assert_int_equal(ecdh_key_from_private(ECDH_P256, d, 33, &k),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ecdh_key_from_private(ECDH_P521, d, 0, &k),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* P-521: a 521-bit all-ones scalar is above n */
	memset(d, 0xff, 66);
	d[0] = 0x01;
	assert_int_equal(ecdh_key_from_private(ECDH_P521, d, 66, &k),
	                 SESH_ERR_INVALID_KEY);
}

static void
test_dh_from_private(void **state)
{
	uint8_t two = 2, three = 3, zero_one[2] = {0, 1}, big[257];
	struct dh_key *a, *b, *k = (void *)1;
	struct buf pa, pb, s;
	uint8_t want[256];

	(void)state;
	assert_int_equal(dh_exponent_len(DH_GROUP14), 64);
	assert_int_equal(dh_exponent_len(DH_GROUP16), 128);
	assert_int_equal(dh_exponent_len(DH_GROUP18), 128);
	assert_int_equal(dh_key_from_private(DH_GROUP14, &two, 1, &a), 0);
	assert_int_equal(dh_key_from_private(DH_GROUP14, &three, 1, &b), 0);
	buf_init(&pa, 0);
	buf_init(&pb, 0);
	buf_init(&s, 0);
	assert_int_equal(dh_public(a, &pa), 0);
	assert_int_equal(dh_public(b, &pb), 0);
	assert_int_equal(buf_len(&pa), 1);
	assert_int_equal(buf_data(&pa)[0], 4); /* 2^2 */
	assert_int_equal(buf_len(&pb), 1);
	assert_int_equal(buf_data(&pb)[0], 8); /* 2^3 */
	/* K = 8^2 = 4^3 = 64, left-padded to 256 bytes */
	memset(want, 0, sizeof(want));
	want[255] = 64;
	assert_int_equal(dh_shared(a, buf_data(&pb), buf_len(&pb), &s), 0);
	assert_int_equal(buf_len(&s), 256);
	assert_memory_equal(buf_data(&s), want, 256);
	buf_reset(&s);
	assert_int_equal(dh_shared(b, buf_data(&pa), buf_len(&pa), &s), 0);
	assert_memory_equal(buf_data(&s), want, 256);
	/* x = 0, 1 and x >= p-1 are refused */
	assert_int_equal(dh_key_from_private(DH_GROUP14, zero_one, 1, &k),
	                 SESH_ERR_INVALID_KEY);
	assert_null(k);
	assert_int_equal(dh_key_from_private(DH_GROUP14, zero_one, 2, &k),
	                 SESH_ERR_INVALID_KEY);
	memset(big, 0xff, sizeof(big));
	assert_int_equal(dh_key_from_private(DH_GROUP14, big, 256, &k),
	                 SESH_ERR_INVALID_KEY);
	assert_int_equal(dh_key_from_private(DH_GROUP14, big, 257, &k),
	                 SESH_ERR_INVALID_ARGUMENT);
	buf_clear(&pa);
	buf_clear(&pb);
	buf_clear(&s);
	dh_free(a);
	dh_free(b);
}

static void
test_bad_arguments(void **state)
{
	struct ecdh_key *e = (struct ecdh_key *)1;
	struct dh_key *d = (struct dh_key *)1;

	(void)state;
	assert_int_equal(ecdh_keygen((enum ecdh_curve)7, &e),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(e);
	assert_int_equal(dh_keygen((enum dh_group)7, &d),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(d);
	assert_int_equal(ecdh_point_len((enum ecdh_curve)7), 0);
	assert_int_equal(dh_prime_len(DH_GROUP18), 1024);
	ecdh_free(NULL);
	dh_free(NULL);
	x25519_clear(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_x25519_rfc7748_vectors),
	    cmocka_unit_test(test_x25519_rfc7748_dh),
	    cmocka_unit_test(test_x25519_random_and_degenerate),
	    cmocka_unit_test(test_ecdh_agreement),
	    cmocka_unit_test(test_ecdh_invalid_points),
	    cmocka_unit_test(test_dh_group14_agreement),
	    cmocka_unit_test(test_dh_group16_18_agreement),
	    cmocka_unit_test(test_dh_peer_checks),
	    cmocka_unit_test(test_ecdh_rfc5903),
	    cmocka_unit_test(test_ecdh_scalar_range),
	    cmocka_unit_test(test_dh_from_private),
	    cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
