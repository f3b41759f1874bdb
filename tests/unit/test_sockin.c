/*
 * test_sockin.c - app/sockin: SO_RCVLOWAT follows the reads (on at
 * SOCKIN_LOWAT_ON bytes, off under SOCKIN_LOWAT_OFF or on an empty
 * read, kept in between), as getsockopt sees it on a real socket; a
 * pipe refuses it once and is left alone; the timed read falls due
 * SOCKIN_LOWAT_WAIT_MS after the last read only while SO_RCVLOWAT is
 * on; FIONREAD counts what a socket still holds after a full read only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/sockin.h"

static int
lowat_of(int fd)
{
	int v = -1;
	socklen_t n = sizeof(v);

	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, &n), 0);
	return v;
}

static void
test_follows_reads(void **state)
{
	struct sockin si;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	sockin_init(&si);
	assert_int_equal(si.lowat, 1);
	sockin_after_read(&si, sv[0], 4096);
	assert_int_equal(lowat_of(sv[0]), 1);
	sockin_after_read(&si, sv[0], (ssize_t)SOCKIN_LOWAT_ON);
	assert_int_equal(si.lowat, SOCKIN_LOWAT);
	assert_int_equal(lowat_of(sv[0]), SOCKIN_LOWAT);
	/* between the two marks: as it was */
	sockin_after_read(&si, sv[0], (ssize_t)SOCKIN_LOWAT_OFF);
	assert_int_equal(lowat_of(sv[0]), SOCKIN_LOWAT);
	sockin_after_read(&si, sv[0], (ssize_t)SOCKIN_LOWAT_OFF - 1);
	assert_int_equal(si.lowat, 1);
	assert_int_equal(lowat_of(sv[0]), 1);
	sockin_after_read(&si, sv[0], 256 * 1024);
	assert_int_equal(lowat_of(sv[0]), SOCKIN_LOWAT);
	sockin_after_read(&si, sv[0], -1); /* nothing there */
	assert_int_equal(lowat_of(sv[0]), 1);
	close(sv[0]);
	close(sv[1]);
}

static void
test_pipe_left_alone(void **state)
{
	struct sockin si;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	sockin_init(&si);
	sockin_after_read(&si, p[0], 64 * 1024);
	assert_int_equal(si.lowat, 0);
	sockin_after_read(&si, p[0], 64 * 1024);
	assert_int_equal(si.lowat, 0);
	sockin_reading(&si, 100);
	assert_int_equal(sockin_wait(&si, 500), SOCKIN_NO_DEADLINE);
	close(p[0]);
	close(p[1]);
}

static void
test_wait(void **state)
{
	struct sockin si;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	sockin_init(&si);
	sockin_reading(&si, 1000);
	assert_int_equal(sockin_wait(&si, 1000), SOCKIN_NO_DEADLINE);
	sockin_after_read(&si, sv[0], 64 * 1024);
	assert_int_equal(sockin_wait(&si, 1000), SOCKIN_LOWAT_WAIT_MS);
	assert_int_equal(sockin_wait(&si, 1001), SOCKIN_LOWAT_WAIT_MS - 1);
	assert_int_equal(sockin_wait(&si, 1000 + SOCKIN_LOWAT_WAIT_MS), 0);
	assert_int_equal(sockin_wait(&si, 5000), 0);
	sockin_reading(&si, 5000);
	assert_int_equal(sockin_wait(&si, 5000), SOCKIN_LOWAT_WAIT_MS);
	sockin_after_read(&si, sv[0], 10);
	assert_int_equal(sockin_wait(&si, 9000), SOCKIN_NO_DEADLINE);
	close(sv[0]);
	close(sv[1]);
}

static void
test_queued(void **state)
{
	static const char data[1000] = {0};
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], data, sizeof(data)), sizeof(data));
	assert_int_equal(sockin_queued(sv[0], true), sizeof(data));
	assert_int_equal(sockin_queued(sv[0], false), 0);
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(sockin_queued(sv[0], true), 0); /* closed fd */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_follows_reads),
	    cmocka_unit_test(test_pipe_left_alone),
	    cmocka_unit_test(test_wait),
	    cmocka_unit_test(test_queued),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
