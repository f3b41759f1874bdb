/*
 * test_rand_pool.c - crypto/rand's padding pool (rand_pool_bytes): draws
 * are random and never repeat across refills, argument checks, the large
 * draw path, rand_pool_wipe, and that a forked child never hands out the
 * bytes its parent's pool still holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/err.h"
#include "crypto/rand.h"

static void
test_draws(void **state)
{
	uint8_t a[32], b[32], zero[32] = {0}, big[3000];
	size_t i;

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_int_equal(rand_pool_bytes(a, sizeof(a)), 0);
	assert_int_equal(rand_pool_bytes(b, sizeof(b)), 0);
	/* 2^-256 chance each of a false failure. */
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_memory_not_equal(a, b, sizeof(a));
	/* Across many refills (odd sizes straddle the pool's end), no two
	 * consecutive draws are equal. */
	for (i = 0; i < 2000; i++) {
		memcpy(a, b, sizeof(a));
		assert_int_equal(rand_pool_bytes(b, 13 + i % 19), 0);
		assert_memory_not_equal(a, b, 13 + i % 19);
	}
	memset(big, 0, sizeof(big));
	assert_int_equal(rand_pool_bytes(big, sizeof(big)), 0);
	assert_memory_not_equal(big + sizeof(big) - 32, zero, 32);
	assert_int_equal(rand_pool_bytes(NULL, 0), 0);
	assert_int_equal(rand_pool_bytes(NULL, 1), SESH_ERR_INVALID_ARGUMENT);
	rand_pool_wipe();
	assert_int_equal(rand_pool_bytes(a, sizeof(a)), 0);
	assert_memory_not_equal(a, zero, sizeof(a));
	rand_pool_wipe();
}

static void
test_fork(void **state)
{
	uint8_t mine[64], theirs[64];
	int fds[2];
	pid_t pid;
	int st = 0;
	size_t got = 0;
	ssize_t r;

	(void)state;
	/* Fill the pool, then fork: both sides draw next. */
	assert_int_equal(rand_pool_bytes(mine, 8), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (rand_pool_bytes(theirs, sizeof(theirs)) != 0 ||
		    write(fds[1], theirs, sizeof(theirs)) !=
		        (ssize_t)sizeof(theirs)) {
			_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(rand_pool_bytes(mine, sizeof(mine)), 0);
	while (got < sizeof(theirs) &&
	       (r = read(fds[0], theirs + got, sizeof(theirs) - got)) > 0) {
		got += (size_t)r;
	}
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(got, sizeof(theirs));
	assert_memory_not_equal(mine, theirs, sizeof(mine));
	rand_pool_wipe();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_draws),
	    cmocka_unit_test(test_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
