/*
 * sockin.h - reading bulk data off a connection's socket, for both
 * drivers (seshd's server.c, sesh's client.c).
 *
 * While bulk data streams in (a read of at least SOCKIN_LOWAT_ON bytes;
 * one under SOCKIN_LOWAT_OFF, or none, ends it) the socket is asked to
 * wake us for SOCKIN_LOWAT bytes (SO_RCVLOWAT) instead of every
 * segment. Whatever else wakes the poll loop, the driver reads the
 * socket again SOCKIN_LOWAT_WAIT_MS after its last read at the latest
 * (sockin_wait), so less than SOCKIN_LOWAT never waits longer. Measured
 * (docs/benchmarks.md): OpenSSH's ssh uploading to seshd, aes256-gcm
 * 643 -> 852 MiB/s and 1.12 -> 0.87 s/GiB of server CPU; sesh's CPU on
 * downloads about 5% lower.
 */
#ifndef SESH_APP_SOCKIN_H
#define SESH_APP_SOCKIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SOCKIN_LOWAT         (64 * 1024)
#define SOCKIN_LOWAT_ON      (32u * 1024u)
#define SOCKIN_LOWAT_OFF     (16u * 1024u)
#define SOCKIN_LOWAT_WAIT_MS 2
/* sockin_wait: no read is due (as poll(2)'s timeout: none) */
#define SOCKIN_NO_DEADLINE (-1)

struct sockin {
	int lowat;        /* SO_RCVLOWAT set: 1, SOCKIN_LOWAT, or 0 when the
	                     descriptor refused it (a pipe): never again */
	uint64_t read_ms; /* the last read (sockin_reading) */
};

/* A fresh state: SO_RCVLOWAT at the kernel's default (1). */
void sockin_init(struct sockin *si);
/* The driver is about to read fd (now: its clock, in ms). */
void sockin_reading(struct sockin *si, uint64_t now);
/* After a read of fd that returned r (< 0: nothing there): turns
 * SO_RCVLOWAT on or off. Best effort: a descriptor that refuses it is
 * left alone from then on. */
void sockin_after_read(struct sockin *si, int fd, ssize_t r);
/* The ms until the socket is to be read whatever poll says (0: now), or
 * SOCKIN_NO_DEADLINE while SO_RCVLOWAT is off. */
int sockin_wait(const struct sockin *si, uint64_t now);
/* What fd still holds (FIONREAD) after a read that filled its room
 * (full); 0 after a short one, which drained it. */
size_t sockin_queued(int fd, bool full);

#endif
