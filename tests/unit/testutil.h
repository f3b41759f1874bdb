/*
 * testutil.h - small helpers shared by the cmocka unit tests. Include it
 * after <cmocka.h>.
 */
#ifndef SESH_TESTS_TESTUTIL_H
#define SESH_TESTS_TESTUTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Decodes a hex string (even length, at most max bytes) into out; fails
 * the test on bad input. Returns the byte count. */
static inline size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s) / 2, i;

	assert_true(strlen(s) % 2 == 0);
	assert_true(n <= max);
	for (i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(&s[2 * i], "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* Reads a whole file (a test fixture) into a NUL-terminated heap copy
 * (free()); fails the test if it cannot. *n gets the length. */
static inline char *
test_read_file(const char *path, size_t *n)
{
	FILE *f;
	char *p;
	long len;

	f = fopen(path, "rb");
	if (f == NULL) {
		fail_msg("cannot open %s", path);
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	p = malloc((size_t)len + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	p[len] = '\0';
	fclose(f);
	*n = (size_t)len;
	return p;
}

#endif
