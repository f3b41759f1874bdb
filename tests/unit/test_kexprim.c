/*
 * test_kexprim.c - crypto/kexprim: RFC 7748 §5.2 X25519 vectors (two
 * single calls and the first iteration), the §6.1 Diffie-Hellman example,
 * all-zero results from small-order points refused; ECDH agreement on
 * P-256/384/521 and bad peer points refused (every single-bit flip of a
 * valid point, wrong forms and lengths); MODP group 14 agreement with the
 * peer value checks (0, 1, p-1, p, above p, oversized), group 16 and 18
 * agreement.
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
	    cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
