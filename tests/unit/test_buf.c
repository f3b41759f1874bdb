/* test_buf.c - wire writer/reader: RFC 4251 §5 examples, bounds, sweeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"

static void
expect_bytes(const struct buf *b, const uint8_t *want, size_t n)
{
	assert_int_equal(buf_len(b), n);
	assert_memory_equal(buf_data(b), want, n);
}

/* RFC 4251 §5 mpint examples (the positive ones; negatives are refused). */
static void
test_mpint_rfc4251(void **state)
{
	static const uint8_t v1[] = {0x09, 0xa3, 0x78, 0xf9,
	                             0xb2, 0xe3, 0x32, 0xa7};
	static const uint8_t e1[] = {0,    0,    0,    8,    0x09, 0xa3,
	                             0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7};
	static const uint8_t v2[] = {0x80};
	static const uint8_t e2[] = {0, 0, 0, 2, 0x00, 0x80};
	static const uint8_t e0[] = {0, 0, 0, 0};
	static const uint8_t zeros[] = {0, 0, 0};
	static const uint8_t neg1[] = {0, 0, 0, 2, 0xed, 0xcc};
	static const uint8_t neg2[] = {0,    0,    0,    5,   0xff,
	                               0x21, 0x52, 0x41, 0x11};
	static const uint8_t noncanon1[] = {0, 0, 0, 2, 0x00, 0x7f};
	static const uint8_t noncanon2[] = {0, 0, 0, 1, 0x00};
	struct buf b;
	struct rd r;
	const uint8_t *mag;
	size_t n;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_put_mpint(&b, v1, sizeof(v1)), 0);
	expect_bytes(&b, e1, sizeof(e1));
	buf_reset(&b);
	assert_int_equal(buf_put_mpint(&b, v2, sizeof(v2)), 0);
	expect_bytes(&b, e2, sizeof(e2));
	buf_reset(&b);
	assert_int_equal(buf_put_mpint(&b, zeros, sizeof(zeros)), 0);
	expect_bytes(&b, e0, sizeof(e0));
	buf_clear(&b);

	rd_init(&r, e1, sizeof(e1));
	assert_int_equal(rd_mpint(&r, 0, &mag, &n), 0);
	assert_int_equal(n, sizeof(v1));
	assert_memory_equal(mag, v1, n);
	assert_int_equal(rd_end(&r), 0);

	rd_init(&r, e2, sizeof(e2));
	assert_int_equal(rd_mpint(&r, 0, &mag, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(mag[0], 0x80);

	rd_init(&r, e0, sizeof(e0));
	assert_int_equal(rd_mpint(&r, 0, &mag, &n), 0);
	assert_int_equal(n, 0);

	rd_init(&r, neg1, sizeof(neg1));
	assert_int_equal(rd_mpint(&r, 0, &mag, &n), SESH_ERR_INVALID_MPINT);
	assert_int_equal(r.off, 0); /* nothing consumed */
	rd_init(&r, neg2, sizeof(neg2));
	assert_int_equal(rd_mpint(&r, 0, &mag, &n), SESH_ERR_INVALID_MPINT);
	rd_init(&r, noncanon1, sizeof(noncanon1));
	assert_int_equal(rd_mpint(&r, 0, &mag, &n), SESH_ERR_INVALID_MPINT);
	rd_init(&r, noncanon2, sizeof(noncanon2));
	assert_int_equal(rd_mpint(&r, 0, &mag, &n), SESH_ERR_INVALID_MPINT);
	/* bit bound: 0x80 is 8 bits; 7 is too few */
	rd_init(&r, e2, sizeof(e2));
	assert_int_equal(rd_mpint(&r, 7, &mag, &n), SESH_ERR_LIMIT);
	rd_init(&r, e2, sizeof(e2));
	assert_int_equal(rd_mpint(&r, 8, &mag, &n), 0);
}

/* RFC 4251 §5 string, uint32, name-list examples. */
static void
test_scalars_and_lists(void **state)
{
	static const uint8_t testing[] = {0,   0,   0,   7,   't', 'e',
	                                  's', 't', 'i', 'n', 'g'};
	static const uint8_t nl0[] = {0, 0, 0, 0};
	static const uint8_t nl1[] = {0, 0, 0, 4, 'z', 'l', 'i', 'b'};
	static const uint8_t nl2[] = {0,   0,   0,   9,   'z', 'l', 'i',
	                              'b', ',', 'n', 'o', 'n', 'e'};
	static const uint8_t u32[] = {0x29, 0xb7, 0xf4, 0xaa};
	struct buf b;
	struct rd r;
	const uint8_t *p;
	size_t n;
	uint32_t v;
	uint64_t v64;
	uint8_t u8;
	bool bl;
	char *s;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_put_cstring(&b, "testing"), 0);
	expect_bytes(&b, testing, sizeof(testing));
	buf_reset(&b);
	assert_int_equal(buf_put_u32(&b, 699921578u), 0);
	expect_bytes(&b, u32, sizeof(u32));
	buf_reset(&b);
	assert_int_equal(buf_put_cstring(&b, "zlib,none"), 0);
	expect_bytes(&b, nl2, sizeof(nl2));

	buf_reset(&b);
	assert_int_equal(buf_put_u8(&b, 0xfe), 0);
	assert_int_equal(buf_put_bool(&b, true), 0);
	assert_int_equal(buf_put_u64(&b, 0x0102030405060708ull), 0);
	rd_init(&r, buf_data(&b), buf_len(&b));
	assert_int_equal(rd_u8(&r, &u8), 0);
	assert_int_equal(u8, 0xfe);
	assert_int_equal(rd_bool(&r, &bl), 0);
	assert_true(bl);
	assert_int_equal(rd_u64(&r, &v64), 0);
	assert_true(v64 == 0x0102030405060708ull);
	assert_int_equal(rd_end(&r), 0);
	buf_clear(&b);

	rd_init(&r, u32, sizeof(u32));
	assert_int_equal(rd_u32(&r, &v), 0);
	assert_int_equal(v, 699921578u);

	rd_init(&r, testing, sizeof(testing));
	assert_int_equal(rd_cstring(&r, 100, &s), 0);
	assert_string_equal(s, "testing");
	free(s);
	rd_init(&r, testing, sizeof(testing));
	assert_int_equal(rd_cstring(&r, 6, &s), SESH_ERR_LIMIT);
	assert_null(s);
	assert_int_equal(r.off, 0);
	rd_init(&r, testing, sizeof(testing));
	assert_int_equal(rd_expect_cstring(&r, "testing"), 0);
	rd_init(&r, testing, sizeof(testing));
	assert_int_equal(rd_expect_cstring(&r, "testinG"),
	                 SESH_ERR_INVALID_FORMAT);
	assert_int_equal(r.off, 0);

	rd_init(&r, nl0, sizeof(nl0));
	assert_int_equal(rd_namelist(&r, &p, &n), 0);
	assert_int_equal(n, 0);
	rd_init(&r, nl1, sizeof(nl1));
	assert_int_equal(rd_namelist(&r, &p, &n), 0);
	assert_true(namelist_has(p, n, "zlib"));
	assert_false(namelist_has(p, n, "zli"));
	rd_init(&r, nl2, sizeof(nl2));
	assert_int_equal(rd_namelist(&r, &p, &n), 0);
	assert_true(namelist_has(p, n, "none"));
	assert_true(namelist_has(p, n, "zlib"));
	assert_false(namelist_has(p, n, "zlib,none"));
}

static void
test_namelist_invalid(void **state)
{
	static const char *bad[] = {",",   "a,",   ",a",  "a,,b",
	                            "a b", "a\tb", "\x7f"};
	struct buf b;
	struct rd r;
	const uint8_t *p;
	size_t n, i;
	char longname[SESH_MAX_NAME + 2];

	(void)state;
	buf_init(&b, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&b);
		assert_int_equal(buf_put_cstring(&b, bad[i]), 0);
		rd_init(&r, buf_data(&b), buf_len(&b));
		assert_int_equal(rd_namelist(&r, &p, &n),
		                 SESH_ERR_INVALID_FORMAT);
		assert_int_equal(r.off, 0);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	buf_reset(&b);
	assert_int_equal(buf_put_cstring(&b, longname), 0);
	rd_init(&r, buf_data(&b), buf_len(&b));
	assert_int_equal(rd_namelist(&r, &p, &n), SESH_ERR_INVALID_FORMAT);
	buf_clear(&b);
}

/* Every proper prefix of a valid encoding must fail, consuming nothing. */
static void
test_truncation_sweep(void **state)
{
	static const uint8_t m[] = {0,    0,    0,    9,    0x00, 0x9a, 0x37,
	                            0x8f, 0x9b, 0x2e, 0x33, 0x2a, 0x77};
	struct buf b;
	struct rd r;
	const uint8_t *p;
	size_t n, cut;
	uint32_t v;
	uint64_t v64;
	char *s;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_put_cstring(&b, "ssh-ed25519"), 0);
	for (cut = 0; cut < buf_len(&b); cut++) {
		rd_init(&r, buf_data(&b), cut);
		assert_int_equal(rd_string(&r, &p, &n), SESH_ERR_TRUNCATED);
		assert_int_equal(r.off, 0);
		rd_init(&r, buf_data(&b), cut);
		assert_int_equal(rd_cstring(&r, 100, &s), SESH_ERR_TRUNCATED);
		rd_init(&r, buf_data(&b), cut);
		assert_int_equal(rd_namelist(&r, &p, &n), SESH_ERR_TRUNCATED);
	}
	for (cut = 0; cut < sizeof(m); cut++) {
		rd_init(&r, m, cut);
		assert_int_equal(rd_mpint(&r, 0, &p, &n), SESH_ERR_TRUNCATED);
		assert_int_equal(r.off, 0);
	}
	rd_init(&r, m, sizeof(m));
	assert_int_equal(rd_mpint(&r, 0, &p, &n), 0);
	for (cut = 0; cut < 4; cut++) {
		rd_init(&r, m, cut);
		assert_int_equal(rd_u32(&r, &v), SESH_ERR_TRUNCATED);
	}
	for (cut = 0; cut < 8; cut++) {
		rd_init(&r, m, cut);
		assert_int_equal(rd_u64(&r, &v64), SESH_ERR_TRUNCATED);
	}
	rd_init(&r, m, 0);
	assert_int_equal(rd_bool(&r, &(bool){false}), SESH_ERR_TRUNCATED);
	assert_int_equal(rd_expect_u8(&r, 0), SESH_ERR_TRUNCATED);
	buf_clear(&b);
}

static void
test_nested_and_end(void **state)
{
	static const uint8_t want[] = {0, 0, 0, 13, 0, 0, 0, 1, 'a',
	                               0, 0, 0, 4,  0, 0, 0, 0, 0xff};
	struct buf b;
	struct rd r, sub, sub2;
	const uint8_t *p;
	size_t n;
	uint8_t u8;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_end(&b), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_begin(&b), 0);
	assert_int_equal(buf_put_cstring(&b, "a"), 0);
	assert_int_equal(buf_begin(&b), 0);
	assert_int_equal(buf_put_u32(&b, 0), 0);
	assert_int_equal(buf_end(&b), 0);
	assert_int_equal(buf_end(&b), 0);
	assert_int_equal(buf_put_u8(&b, 0xff), 0);
	expect_bytes(&b, want, sizeof(want));

	rd_init(&r, buf_data(&b), buf_len(&b));
	assert_int_equal(rd_sub(&r, &sub), 0);
	assert_int_equal(rd_string(&sub, &p, &n), 0);
	assert_int_equal(rd_sub(&sub, &sub2), 0);
	assert_int_equal(rd_end(&sub), 0);
	assert_int_equal(rd_end(&r), SESH_ERR_TRAILING_DATA);
	assert_int_equal(rd_u8(&r, &u8), 0);
	assert_int_equal(rd_end(&r), 0);
	assert_int_equal(rd_expect_u8(&r, 1), SESH_ERR_TRUNCATED);
	buf_clear(&b);
}

static void
test_cap_and_secret(void **state)
{
	struct buf b;
	uint8_t *out, *stolen;
	size_t n, i;

	(void)state;
	buf_init(&b, 10);
	buf_set_secret(&b);
	assert_int_equal(buf_put(&b, "0123456789", 10), 0);
	assert_int_equal(buf_put_u8(&b, 1), SESH_ERR_LIMIT);
	assert_int_equal(buf_len(&b), 10); /* nothing appended on error */
	assert_int_equal(buf_put_string(&b, "", 0), SESH_ERR_LIMIT);
	buf_consume(&b, 4);
	assert_int_equal(buf_len(&b), 6);
	assert_memory_equal(buf_data(&b), "456789", 6);
	buf_truncate(&b, 2);
	assert_memory_equal(buf_data(&b), "45", 2);
	assert_int_equal(buf_reserve(&b, 8, &out), 0);
	assert_int_equal(buf_reserve(&b, 1, &out), SESH_ERR_LIMIT);
	assert_null(out);
	/* space/commit: room within max, nothing appended until commit */
	buf_truncate(&b, 2);
	assert_int_equal(buf_put(&b, "67", 2), 0);
	assert_int_equal(buf_space(&b, 7, &out, &n), SESH_ERR_LIMIT);
	assert_null(out);
	assert_int_equal(buf_space(&b, 0, &out, &n), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_space(&b, 6, &out, &n), 0);
	assert_int_equal(n, 6);
	assert_ptr_equal(out, buf_data(&b) + 4);
	assert_int_equal(buf_len(&b), 4);
	memcpy(out, "abcdef", 6);
	assert_int_equal(buf_commit(&b, 7), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&b), 4);
	assert_int_equal(buf_commit(&b, 3), 0);
	assert_int_equal(buf_len(&b), 7);
	assert_memory_equal(buf_data(&b), "4567abc", 7);
	buf_clear(&b);
	assert_int_equal(buf_len(&b), 0);

	/* growth over many appends keeps content */
	buf_init(&b, 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_put_u8(&b, (uint8_t)i), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_data(&b)[i], (uint8_t)i);
	assert_int_equal(buf_steal(&b, &stolen, &n), 0);
	assert_int_equal(n, 5000);
	assert_int_equal(stolen[5000], 0);
	assert_int_equal(buf_len(&b), 0);
	free(stolen);
	buf_clear(&b);
}

static void
test_string_limit(void **state)
{
	static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 'x'};
	struct rd r;
	const uint8_t *p;
	size_t n;

	(void)state;
	rd_init(&r, huge, sizeof(huge));
	assert_int_equal(rd_string(&r, &p, &n), SESH_ERR_LIMIT);
	assert_int_equal(rd_string_max(&r, 0xffffffffu, &p, &n),
	                 SESH_ERR_TRUNCATED);
	assert_int_equal(r.off, 0);
}

static void
test_err_table(void **state)
{
	(void)state;
	assert_string_equal(sesh_err_name(SESH_ERR_TRUNCATED),
	                    "SESH_ERR_TRUNCATED");
	assert_string_equal(sesh_err_str(0), "success");
	assert_string_equal(sesh_err_str(SESH_ERR_MAC_INVALID),
	                    "message authentication code incorrect");
	assert_int_equal(sesh_err_disconnect_reason(SESH_ERR_MAC_INVALID),
	                 SSH_DISCONNECT_MAC_ERROR);
	assert_int_equal(sesh_err_disconnect_reason(SESH_ERR_KEX_DEGENERATE),
	                 SSH_DISCONNECT_KEY_EXCHANGE_FAILED);
	assert_string_equal(sesh_err_str(12345), "unknown error");
	assert_string_equal(sesh_err_str(SESH_ERR_FIRST_), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mpint_rfc4251),
	    cmocka_unit_test(test_scalars_and_lists),
	    cmocka_unit_test(test_namelist_invalid),
	    cmocka_unit_test(test_truncation_sweep),
	    cmocka_unit_test(test_nested_and_end),
	    cmocka_unit_test(test_cap_and_secret),
	    cmocka_unit_test(test_string_limit),
	    cmocka_unit_test(test_err_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
