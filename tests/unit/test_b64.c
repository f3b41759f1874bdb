/*
 * test_b64.c - base64: RFC 4648 §10 vectors both ways, line wrapping,
 * unpadded output, strict decoding (invalid characters, misplaced or
 * missing padding, non-zero pad bits), truncation and bit-flip sweeps,
 * and the no-partial-output promise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"

/* RFC 4648 §10. */
static const char *const rfc_plain[] = {
    "", "f", "fo", "foo", "foob", "fooba", "foobar",
};
static const char *const rfc_b64[] = {
    "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy",
};
static const char *const rfc_unpadded[] = {
    "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy",
};

static void
assert_buf_str(const struct buf *b, const char *s)
{
	assert_int_equal(buf_len(b), strlen(s));
	if (buf_len(b) > 0) {
		assert_memory_equal(buf_data(b), s, strlen(s));
	}
}

static void
test_rfc_encode(void **state)
{
	struct buf b;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(rfc_plain) / sizeof(rfc_plain[0]); i++) {
		buf_init(&b, 0);
		assert_int_equal(
		    b64_encode(&b, rfc_plain[i], strlen(rfc_plain[i])), 0);
		assert_buf_str(&b, rfc_b64[i]);
		assert_true(b64_encoded_len(strlen(rfc_plain[i]), &n));
		assert_int_equal(n, strlen(rfc_b64[i]));
		buf_reset(&b);
		assert_int_equal(
		    b64_encode_unpadded(&b, rfc_plain[i], strlen(rfc_plain[i])),
		    0);
		assert_buf_str(&b, rfc_unpadded[i]);
		buf_clear(&b);
	}
}

static void
test_rfc_decode(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc_plain) / sizeof(rfc_plain[0]); i++) {
		buf_init(&b, 0);
		assert_int_equal(b64_decode(&b, rfc_b64[i], strlen(rfc_b64[i])),
		                 0);
		assert_buf_str(&b, rfc_plain[i]);
		buf_clear(&b);
	}
}

static void
test_append(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_put(&b, "x:", 2), 0);
	assert_int_equal(b64_encode(&b, "foo", 3), 0);
	assert_int_equal(b64_decode(&b, "Zm9vYg==", 8), 0);
	assert_buf_str(&b, "x:Zm9vfoob");
	buf_clear(&b);
}

static void
test_wrapped(void **state)
{
	static const struct {
		const char *in;
		size_t width;
		const char *out;
	} v[] = {
	    {"foobar", 4, "Zm9v\nYmFy\n"}, {"foobar", 3, "Zm9\nvYm\nFy\n"},
	    {"foob", 3, "Zm9\nvYg\n==\n"}, {"f", 1, "Z\ng\n=\n=\n"},
	    {"foobar", 8, "Zm9vYmFy\n"},   {"foobar", 70, "Zm9vYmFy\n"},
	    {"foobar", 0, "Zm9vYmFy"},     {"", 4, ""},
	};
	uint8_t data[200];
	struct buf b, d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_init(&b, 0);
		assert_int_equal(b64_encode_wrapped(
		                     &b, v[i].in, strlen(v[i].in), v[i].width),
		                 0);
		assert_buf_str(&b, v[i].out);
		buf_clear(&b);
	}
	/* 200 bytes at 70 columns, as in OpenSSH private keys: lines of
	 * 70, 70, 70 and 58 characters, and it decodes back. */
	for (i = 0; i < sizeof(data); i++) {
		data[i] = (uint8_t)(i * 7 + 3);
	}
	buf_init(&b, 0);
	buf_init(&d, 0);
	assert_int_equal(b64_encode_wrapped(&b, data, sizeof(data), 70), 0);
	assert_int_equal(buf_len(&b), 268 + 4);
	assert_int_equal(buf_data(&b)[70], '\n');
	assert_int_equal(buf_data(&b)[141], '\n');
	assert_int_equal(buf_data(&b)[212], '\n');
	assert_int_equal(buf_data(&b)[271], '\n');
	assert_int_equal(
	    b64_decode(&d, (const char *)buf_data(&b), buf_len(&b)), 0);
	assert_int_equal(buf_len(&d), sizeof(data));
	assert_memory_equal(buf_data(&d), data, sizeof(data));
	buf_clear(&b);
	buf_clear(&d);
}

static void
test_whitespace(void **state)
{
	static const char *const ok[] = {
	    " Zm9v\r\nYmFy\t", "Zm 9v Ym Fy", "\n\nZm9vYg=\n=\n",
	    "Zm9vYmE=\v\f ",   "   ",         "",
	};
	static const char *const want[] = {
	    "foobar", "foobar", "foob", "fooba", "", "",
	};
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		buf_init(&b, 0);
		assert_int_equal(b64_decode(&b, ok[i], strlen(ok[i])), 0);
		assert_buf_str(&b, want[i]);
		buf_clear(&b);
	}
}

static void
test_invalid(void **state)
{
	static const struct {
		const char *s;
		size_t n;
	} bad[] = {
	    {"Zm9v!", 5},                    /* bad character */
	    {"Zm9-", 4},                     /* URL-safe alphabet is not ours */
	    {"Zm9_", 4},       {"Zg=", 3},   /* short padding */
	    {"Zg", 2},                       /* no padding */
	    {"Zm8", 3},        {"Z===", 4},  /* too much padding */
	    {"====", 4},       {"Zm=v", 4},  /* data after padding */
	    {"Zg==Zg==", 8},                 /* padding mid-stream */
	    {"Zg==\nZm9v", 9}, {"Zm9vY", 5}, /* partial group */
	    {"Zh==", 4},                     /* non-zero pad bits */
	    {"Zm9=", 4},       {"Zm\0v", 4}, /* NUL */
	    {"Zm9v\xff", 5},                 /* non-ASCII */
	    {"Zm9vYg===", 9},                /* three '=' */
	    {"=", 1},          {"Zm9v=", 5},
	};
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_init(&b, 0);
		assert_int_equal(buf_put(&b, "keep", 4), 0);
		assert_int_equal(b64_decode(&b, bad[i].s, bad[i].n),
		                 SESH_ERR_INVALID_FORMAT);
		assert_buf_str(&b, "keep");
		buf_clear(&b);
	}
}

static void
fill(uint8_t *p, size_t n)
{
	uint32_t x = 0x12345678;
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

/* Round trips for every length 0..100, all byte values included. */
static void
test_roundtrip(void **state)
{
	uint8_t data[256];
	struct buf e, d;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(data); i++) {
		data[i] = (uint8_t)i;
	}
	for (n = 0; n <= 100; n++) {
		const uint8_t *src = n < 50 ? data + 200 : data;

		buf_init(&e, 0);
		buf_init(&d, 0);
		assert_int_equal(b64_encode(&e, src, n), 0);
		assert_int_equal(buf_len(&e) % 4, 0);
		assert_int_equal(
		    b64_decode(&d, (const char *)buf_data(&e), buf_len(&e)), 0);
		assert_int_equal(buf_len(&d), n);
		if (n > 0) {
			assert_memory_equal(buf_data(&d), src, n);
		}
		buf_clear(&e);
		buf_clear(&d);
	}
	fill(data, sizeof(data));
	buf_init(&e, 0);
	buf_init(&d, 0);
	assert_int_equal(b64_encode(&e, data, sizeof(data)), 0);
	assert_int_equal(
	    b64_decode(&d, (const char *)buf_data(&e), buf_len(&e)), 0);
	assert_memory_equal(buf_data(&d), data, sizeof(data));
	buf_clear(&e);
	buf_clear(&d);
}

/*
 * Every prefix of an encoding: a whole number of groups decodes to a
 * prefix of the data (or fails if it cuts into a padded group, which
 * cannot happen before the end); anything else is INVALID_FORMAT.
 */
static void
test_truncations(void **state)
{
	uint8_t data[40];
	struct buf e, d;
	size_t n, cut;
	int ret;

	(void)state;
	fill(data, sizeof(data));
	for (n = 1; n <= sizeof(data); n++) {
		buf_init(&e, 0);
		assert_int_equal(b64_encode(&e, data, n), 0);
		for (cut = 0; cut < buf_len(&e); cut++) {
			buf_init(&d, 0);
			ret = b64_decode(&d, (const char *)buf_data(&e), cut);
			if (cut % 4 == 0) {
				assert_int_equal(ret, 0);
				assert_int_equal(buf_len(&d), cut / 4 * 3);
				if (cut > 0) {
					assert_memory_equal(buf_data(&d), data,
					                    cut / 4 * 3);
				}
			} else {
				assert_int_equal(ret, SESH_ERR_INVALID_FORMAT);
				assert_int_equal(buf_len(&d), 0);
			}
			buf_clear(&d);
		}
		buf_clear(&e);
	}
}

/*
 * Flip every bit of every character of several encodings: the decoder
 * either rejects the result or accepts it canonically, i.e. re-encoding
 * what it decoded gives back exactly the (whitespace-free) input.
 */
static void
test_bitflips(void **state)
{
	uint8_t data[11];
	char s[64];
	struct buf e, d, r;
	size_t n, i, len;
	int bit, ret;

	(void)state;
	fill(data, sizeof(data));
	for (n = 1; n <= sizeof(data); n++) {
		buf_init(&e, 0);
		assert_int_equal(b64_encode(&e, data, n), 0);
		len = buf_len(&e);
		assert_true(len < sizeof(s));
		for (i = 0; i < len; i++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(s, buf_data(&e), len);
				s[i] = (char)(s[i] ^ (1 << bit));
				buf_init(&d, 0);
				ret = b64_decode(&d, s, len);
				if (ret != 0) {
					assert_int_equal(
					    ret, SESH_ERR_INVALID_FORMAT);
					assert_int_equal(buf_len(&d), 0);
					buf_clear(&d);
					continue;
				}
				if (strchr(" \t\r\n\v\f", s[i]) != NULL &&
				    s[i] != '\0') {
					/* Became whitespace: dropped. */
					buf_clear(&d);
					continue;
				}
				buf_init(&r, 0);
				assert_int_equal(
				    b64_encode(&r, buf_data(&d), buf_len(&d)),
				    0);
				assert_int_equal(buf_len(&r), len);
				assert_memory_equal(buf_data(&r), s, len);
				buf_clear(&r);
				buf_clear(&d);
			}
		}
		buf_clear(&e);
	}
}

/* A capped buffer: SESH_ERR_LIMIT and nothing appended. */
static void
test_limit(void **state)
{
	struct buf b;
	size_t n;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_put(&b, "ab", 2), 0);
	assert_int_equal(b64_encode(&b, "foobar", 6), SESH_ERR_LIMIT);
	assert_buf_str(&b, "ab");
	assert_int_equal(b64_encode_wrapped(&b, "foo", 3, 1), SESH_ERR_LIMIT);
	assert_buf_str(&b, "ab");
	assert_int_equal(b64_decode(&b, "Zm9vYmFyZm9v", 12), SESH_ERR_LIMIT);
	assert_buf_str(&b, "ab");
	assert_int_equal(b64_decode(&b, "Zm9vYmFy", 8), 0);
	assert_buf_str(&b, "abfoobar");
	buf_clear(&b);
	assert_false(b64_encoded_len(SIZE_MAX, &n));
	assert_true(b64_encoded_len(SIZE_MAX / 4 * 3 - 3, &n));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc_encode),
	    cmocka_unit_test(test_rfc_decode),
	    cmocka_unit_test(test_append),
	    cmocka_unit_test(test_wrapped),
	    cmocka_unit_test(test_whitespace),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_bitflips),
	    cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
