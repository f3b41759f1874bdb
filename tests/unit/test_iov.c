/*
 * test_iov.c - base/iov: moving past what a writev took, over every
 * possible count of written bytes, with empty buffers between; and a
 * real writev to a pipe that takes less than it is given, resumed with
 * iov_advance until all is through, in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/iov.h"

static const char alpha[] = "abcdefghijkl";

/* Buffers of 3, 0, 5, 0, 0 and 4 bytes over alpha. */
static void
setup(struct iovec *v, char *data)
{
	static const size_t lens[6] = {3, 0, 5, 0, 0, 4};
	size_t off = 0, k;

	memcpy(data, alpha, 12);
	for (k = 0; k < 6; k++) {
		v[k].iov_base = data + off;
		v[k].iov_len = lens[k];
		off += lens[k];
	}
}

/* What is left from iov[i] on, joined. */
static size_t
left(const struct iovec *v, unsigned n, unsigned i, char *out)
{
	size_t len = 0;

	for (; i < n; i++) {
		memcpy(out + len, v[i].iov_base, v[i].iov_len);
		len += v[i].iov_len;
	}
	return len;
}

static void
test_every_count(void **state)
{
	char data[12], rest[12];
	struct iovec v[6];
	size_t w, a, b, len;
	unsigned i;

	(void)state;
	/* one step of w bytes */
	for (w = 0; w <= 13; w++) {
		setup(v, data);
		i = 0;
		iov_advance(v, 6, &i, w);
		len = left(v, 6, i, rest);
		if (w >= 12) {
			assert_int_equal(i, 6);
			assert_int_equal(len, 0);
			continue;
		}
		assert_int_equal(len, 12 - w);
		assert_memory_equal(rest, alpha + w, len);
		/* never left on an empty buffer or a whole one taken */
		assert_true(v[i].iov_len > 0);
	}
	/* two steps, a then b */
	for (a = 0; a <= 12; a++) {
		for (b = 0; a + b <= 12; b++) {
			setup(v, data);
			i = 0;
			iov_advance(v, 6, &i, a);
			iov_advance(v, 6, &i, b);
			len = left(v, 6, i, rest);
			assert_int_equal(len, 12 - a - b);
			assert_memory_equal(rest, alpha + a + b, len);
		}
	}
	/* nothing to move past: leading empty buffers only are skipped */
	setup(v, data);
	v[0].iov_len = 0;
	i = 0;
	iov_advance(v, 6, &i, 0);
	assert_int_equal(i, 2);
	assert_int_equal(v[2].iov_len, 5);
}

/* A pipe of one page takes a 64 KiB writev in parts (a reader drains
 * it between): every byte arrives once and in order. */
static void
test_partial_writev(void **state)
{
	enum { N = 16, SZ = 4096 };
	static uint8_t src[N * SZ], got[N * SZ];
	struct iovec v[N];
	size_t have = 0;
	unsigned i = 0, k, partial = 0;
	int p[2];
	ssize_t w, r;

	(void)state;
	for (k = 0; k < sizeof(src); k++) {
		src[k] = (uint8_t)(k * 7 + k / 251);
	}
	for (k = 0; k < N; k++) {
		v[k].iov_base = src + k * SZ;
		v[k].iov_len = SZ;
	}
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	(void)fcntl(p[1], F_SETPIPE_SZ, SZ); /* the smallest: one page */
	while (i < N) {
		w = writev(p[1], v + i, (int)(N - i));
		assert_true(w > 0);
		if ((size_t)w < (N - i) * (size_t)SZ) {
			partial++;
		}
		iov_advance(v, N, &i, (size_t)w);
		while ((r = read(p[0], got + have, sizeof(got) - have)) > 0) {
			have += (size_t)r;
		}
	}
	assert_int_equal(have, sizeof(src));
	assert_memory_equal(got, src, sizeof(src));
	assert_true(partial > 0); /* the case under test happened */
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_count),
	    cmocka_unit_test(test_partial_writev),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
