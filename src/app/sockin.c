/*
 * sockin.c - see sockin.h.
 */
#include "app/sockin.h"

#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

void
sockin_init(struct sockin *si)
{
	si->lowat = 1;
	si->read_ms = 0;
}

void
sockin_reading(struct sockin *si, uint64_t now)
{
	si->read_ms = now;
}

void
sockin_after_read(struct sockin *si, int fd, ssize_t r)
{
	int want = si->lowat;

	if (si->lowat == 0) {
		return;
	}
	if (r >= (ssize_t)SOCKIN_LOWAT_ON) {
		want = SOCKIN_LOWAT;
	} else if (r < (ssize_t)SOCKIN_LOWAT_OFF) {
		want = 1;
	}
	if (want == si->lowat) {
		return;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &want, sizeof(want)) !=
	    0) {
		want = 1;
		if (si->lowat > 1) {
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &want,
			                 sizeof(want));
		}
		want = 0; /* not a socket (-i on a pipe): never again */
	}
	si->lowat = want;
}

int
sockin_wait(const struct sockin *si, uint64_t now)
{
	uint64_t at = si->read_ms + SOCKIN_LOWAT_WAIT_MS;

	if (si->lowat <= 1) {
		return SOCKIN_NO_DEADLINE;
	}
	return now >= at ? 0 : (int)(at - now);
}

size_t
sockin_queued(int fd, bool full)
{
	int q = 0;

	if (full && ioctl(fd, FIONREAD, &q) != 0) {
		q = 0;
	}
	return q > 0 ? (size_t)q : 0;
}
