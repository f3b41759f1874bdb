/*
 * pair.h - what the unit tests and the fuzz targets share to run a
 * client and a server connection (src/ssh/conn.h) joined in memory:
 *
 *   - pair_rand: a deterministic xorshift64 random source (ssh_rand_fn),
 *     so that every run, and every replay of a fuzz input, takes the same
 *     path (fuzz/corpus/transport/ was recorded against it: keep it);
 *   - pair_client_config / pair_server_config: the pair's two
 *     conn_configs (curve25519-sha256, an ssh-ed25519 host key, the
 *     client and server seeds);
 *   - pair_move: one side's pending output into the other's input;
 *   - pair_drain, pair_run and pair_answer_password: the fuzz targets'
 *     event loop (host keys accepted, every other event handed to the
 *     target), their session loop (move both ways, drain both sides,
 *     until nothing moves) and their server's password answer.
 *
 * Header only (static inline): tests/unit/test_*.c include it as
 * "../common/pair.h", fuzz/fuzz_*.c as "../tests/common/pair.h"; no
 * build change. No cmocka here: callers check results themselves.
 */
#ifndef SESH_TESTS_COMMON_PAIR_H
#define SESH_TESTS_COMMON_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/err.h"
#include "ssh/conn.h"
#include "ssh/userauth.h"

#define PAIR_SEED_CLIENT 0x1234567u
#define PAIR_SEED_SERVER 0x7654321u

struct pair_rng {
	uint64_t s; /* the state: never 0 */
};

/* ssh_rand_fn: n bytes from the xorshift64 generator ctx (a pair_rng). */
static inline int
pair_rand(void *ctx, void *p, size_t n)
{
	struct pair_rng *r = ctx;
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		r->s ^= r->s << 13;
		r->s ^= r->s >> 7;
		r->s ^= r->s << 17;
		b[i] = (uint8_t)(r->s >> 11);
	}
	return 0;
}

/*
 * The client's config: curve25519-sha256, an ssh-ed25519 host key, the
 * other algorithms default; user (not copied); randomness from r, seeded
 * with PAIR_SEED_CLIENT. Change algorithms before pair_server_config,
 * which copies them.
 */
static inline void
pair_client_config(struct conn_config *cc, struct pair_rng *r, const char *user)
{
	memset(cc, 0, sizeof(*cc));
	r->s = PAIR_SEED_CLIENT;
	cc->transport.kex = "curve25519-sha256";
	cc->transport.hostkey = "ssh-ed25519";
	cc->transport.rand = pair_rand;
	cc->transport.rand_ctx = r;
	cc->user = user;
}

/*
 * The server's config: cc's algorithms, no user, the methods FAILURE
 * offers (NULL: conn's default), the nkeys host keys (they must outlive
 * the connection), randomness from r, seeded with PAIR_SEED_SERVER.
 */
static inline void
pair_server_config(struct conn_config *sc, const struct conn_config *cc,
                   struct pair_rng *r, const struct sshkey *const *hostkeys,
                   size_t nkeys, const char *methods)
{
	*sc = *cc;
	r->s = PAIR_SEED_SERVER;
	sc->user = NULL;
	sc->methods = methods;
	sc->transport.rand_ctx = r;
	sc->transport.hostkeys = hostkeys;
	sc->transport.n_hostkeys = nkeys;
}

/*
 * Moves what from has ready to write (no conn_flush: the caller's
 * choice), at most max bytes (0: all), into to's input at time now
 * (ms). Returns the bytes moved; *ret (may be NULL) gets conn_input's
 * result, 0 when nothing moved.
 */
static inline size_t
pair_move(struct conn *from, struct conn *to, size_t max, uint64_t now,
          int *ret)
{
	const uint8_t *p;
	size_t n;
	int r = 0;

	conn_output_peek(from, &p, &n);
	if (max > 0 && n > max) {
		n = max;
	}
	if (n > 0) {
		r = conn_input(to, p, n, now);
		conn_output_consume(from, n);
	}
	if (ret != NULL) {
		*ret = r;
	}
	return n;
}

/* A fuzz target's answer to one event ev of c (never CONN_EV_NONE nor
 * CONN_EV_HOSTKEY_VERIFY). */
typedef void (*pair_event_fn)(void *ctx, struct conn *c,
                              const struct conn_event *ev);

/*
 * Drains c's events until none is left or conn_next_event fails: host
 * keys are accepted, every other event goes to fn. Returns how many
 * events there were.
 */
static inline int
pair_drain(struct conn *c, pair_event_fn fn, void *ctx)
{
	struct conn_event ev;
	int count = 0;

	for (;;) {
		if (conn_next_event(c, &ev) != 0 || ev.type == CONN_EV_NONE) {
			return count;
		}
		count++;
		if (ev.type == CONN_EV_HOSTKEY_VERIFY) {
			(void)transport_hostkey_accept(conn_transport(c), true);
		} else {
			fn(ctx, c, &ev);
		}
	}
}

/* pair_move (all, time 0, errors ignored: the fuzz targets' way), then
 * drain to if anything moved; flush: conn_flush(from) first. */
static inline size_t
pair_shuttle(struct conn *from, struct conn *to, bool flush, pair_event_fn fn,
             void *ctx)
{
	size_t n;

	if (flush) {
		(void)conn_flush(from);
	}
	n = pair_move(from, to, 0, 0, NULL);
	if (n > 0) {
		(void)pair_drain(to, fn, ctx);
	}
	return n;
}

/*
 * Runs the pair until a round moves no byte and drains no event, or for
 * max_rounds rounds; a round shuttles client to server, server to
 * client, then drains the client and the server. Returns the rounds.
 */
static inline int
pair_run(struct conn *cl, struct conn *sv, bool flush, pair_event_fn fn,
         void *ctx, int max_rounds)
{
	size_t moved;
	int rounds = 0;

	do {
		moved = pair_shuttle(cl, sv, flush, fn, ctx);
		moved += pair_shuttle(sv, cl, flush, fn, ctx);
		moved += (size_t)pair_drain(cl, fn, ctx);
		moved += (size_t)pair_drain(sv, fn, ctx);
	} while (moved > 0 && ++rounds < max_rounds);
	return rounds;
}

/*
 * The fuzz targets' server: accepts the password pw and, with
 * signed_too, a verified publickey signature; rejects anything else.
 * An error disconnects with its reason; otherwise the answer is
 * flushed.
 */
static inline void
pair_answer_password(struct conn *c, const struct ua_server_event *ue,
                     const char *pw, bool signed_too)
{
	struct ua_server *us = conn_userauth_server(c);
	int ret;

	if (ue->type == UA_SEV_AUTH_PASSWORD && ue->password != NULL &&
	    strcmp(ue->password, pw) == 0) {
		ret = ua_server_accept(us, conn_ua_buf(c));
	} else if (signed_too && ue->type == UA_SEV_AUTH_PUBKEY_SIGNED &&
	           ua_server_verify(us) == 0) {
		ret = ua_server_accept(us, conn_ua_buf(c));
	} else {
		ret = ua_server_reject(us, false, conn_ua_buf(c));
	}
	if (ret != 0) {
		(void)conn_disconnect(c,
		                      (uint32_t)sesh_err_disconnect_reason(ret),
		                      sesh_err_str(ret));
		return;
	}
	(void)conn_flush(c);
}

#endif
