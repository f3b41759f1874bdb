/*
 * test_handover.c - conn_export / conn_import: a server connection moved
 * to a fresh object without a new key exchange (privilege separation).
 *
 * A client and a server joined in memory (curve25519-sha256,
 * ssh-ed25519) run the key exchange and password authentication; the
 * server is exported, freed and imported from the bytes; then the client
 * opens a session channel, data flows both ways (bytes compared), a
 * rekey started by the server and one started by the client complete,
 * and more data flows. Run for chacha20-poly1305, aes128-gcm,
 * aes256-gcm, aes128-ctr + hmac-sha2-256-etm and aes256-ctr +
 * hmac-sha2-512, with strict KEX (sequence numbers checked across the
 * move) and once without. A CHANNEL_OPEN pipelined by the client, fed
 * to the server before the export (undecoded, or half fed with its
 * length already decoded), survives the move. Export is refused before
 * authentication, during a key exchange, with output pending, with a
 * channel open and for a client. The parser: every truncation of a
 * valid blob fails, bit flips fail or give a connection that can be
 * driven and freed (ASan build: no crash, no leak).
 *
 * SESH_WRITE_CORPUS=<dir> writes the valid blobs there (the corpus of
 * fuzz/fuzz_handover.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../common/pair.h"
#include "app/handover.h"
#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/channel.h"
#include "ssh/conn.h"
#include "ssh/msg.h"
#include "ssh/transport.h"
#include "ssh/userauth.h"

static struct sshkey *hostkey, *hostkey_pub;
static const struct sshkey *hostkeys[1], *hostkeys_pub[1];
/* run_session: import with public host keys and sign_by_event */
static bool sign_by_event_after;

static int
group_setup(void **state)
{
	(void)state;
	if (key_generate(KEY_ED25519, 0, &hostkey) != 0 ||
	    key_public_copy(hostkey, &hostkey_pub) != 0) {
		return -1;
	}
	hostkeys[0] = hostkey;
	hostkeys_pub[0] = hostkey_pub;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	key_free(hostkey);
	key_free(hostkey_pub);
	return 0;
}

struct side {
	struct conn *c;
	struct pair_rng rng;
	int kex_done;
	bool disconnected;
	struct buf data; /* channel data received */
	uint32_t chan_id;
	bool chan_open;     /* client: confirmed; server: accepted */
	int global_refused; /* client: REQUEST_FAILURE answers */
};

struct pair {
	struct side cl, sv;
	struct conn_config sc; /* the server's config, for conn_import */
	bool auth_ok;
	bool hold_auth;    /* server: keep the PASSWORD event unanswered */
	bool auth_held;    /* it came */
	bool no_server;    /* pump: do not drain the server's events */
	int signed_events; /* HOSTKEY_SIGN answered */
	uint64_t now;
};

static void
pair_open(struct pair *pr, const char *cipher, const char *mac, bool strict)
{
	struct conn_config cc;

	memset(pr, 0, sizeof(*pr));
	pr->now = 1000;
	buf_init(&pr->cl.data, 0);
	buf_init(&pr->sv.data, 0);
	pair_client_config(&cc, &pr->cl.rng, "alice");
	cc.transport.ciphers = cipher;
	cc.transport.macs = mac;
	cc.transport.no_strict_kex = !strict;
	pair_server_config(&pr->sc, &cc, &pr->sv.rng, hostkeys, 1, "password");
	assert_int_equal(conn_new(TRANSPORT_CLIENT, &cc, &pr->cl.c), 0);
	assert_int_equal(conn_new(TRANSPORT_SERVER, &pr->sc, &pr->sv.c), 0);
}

static void
pair_close(struct pair *pr)
{
	conn_free(pr->cl.c);
	conn_free(pr->sv.c);
	buf_clear(&pr->cl.data);
	buf_clear(&pr->sv.data);
}

/* Moves everything from one side's output to the other's input. */
static bool
move(struct pair *pr, struct side *from, struct side *to)
{
	size_t n;
	int ret;

	assert_int_equal(conn_flush(from->c), 0);
	n = pair_move(from->c, to->c, 0, pr->now, &ret);
	assert_int_equal(ret, 0);
	return n > 0;
}

/* A channel event of either side: the client's session channel
 * confirmed, the server's accepted; data kept, its window given back. */
static void
chan_event(struct side *sd, const struct chan_event *ce, bool server)
{
	struct conn *c = sd->c;

	switch (ce->type) {
	case CHAN_EV_OPEN_CONFIRMED:
		assert_false(server);
		assert_int_equal(ce->id, sd->chan_id);
		sd->chan_open = true;
		break;
	case CHAN_EV_OPEN_REQUEST:
		assert_true(server);
		assert_int_equal(ce->kind, CHAN_KIND_SESSION);
		assert_int_equal(
		    chan_accept(conn_channels(c), ce->id, conn_chan_buf(c)), 0);
		sd->chan_id = ce->id;
		sd->chan_open = true;
		break;
	case CHAN_EV_DATA:
		assert_int_equal(buf_put(&sd->data, ce->data.p, ce->data.n), 0);
		assert_int_equal(chan_consumed(conn_channels(c), ce->id,
		                               ce->data.n, conn_chan_buf(c)),
		                 0);
		break;
	case CHAN_EV_WINDOW:
		break;
	case CHAN_EV_GLOBAL_REQUEST:
		/* left owed: test_refusals answers it */
		assert_true(server);
		break;
	case CHAN_EV_GLOBAL_REPLY:
		assert_false(server);
		assert_false(ce->ok);
		sd->global_refused++;
		break;
	default:
		fail_msg("%s channel event %d", server ? "server" : "client",
		         ce->type);
	}
}

static void
client_event(struct pair *pr, const struct conn_event *ev)
{
	struct side *sd = &pr->cl;
	struct conn *c = sd->c;

	switch (ev->type) {
	case CONN_EV_HOSTKEY_VERIFY:
		assert_int_equal(
		    transport_hostkey_accept(conn_transport(c), true), 0);
		break;
	case CONN_EV_KEX_DONE:
		sd->kex_done++;
		break;
	case CONN_EV_UA_CLIENT:
		if (ev->uac->type == UA_CEV_SERVICE_ACCEPT) {
			assert_int_equal(
			    ua_client_try_password(conn_userauth_client(c),
			                           "secret", conn_ua_buf(c)),
			    0);
			assert_int_equal(conn_flush(c), 0);
		} else {
			assert_int_equal(ev->uac->type, UA_CEV_SUCCESS);
			pr->auth_ok = true;
		}
		break;
	case CONN_EV_CHANNEL:
		chan_event(sd, &ev->chan, false);
		break;
	case CONN_EV_DISCONNECTED:
		sd->disconnected = true;
		break;
	default:
		fail_msg("client event %d", ev->type);
	}
}

static void
server_event(struct pair *pr, const struct conn_event *ev)
{
	struct side *sd = &pr->sv;
	struct conn *c = sd->c;

	switch (ev->type) {
	case CONN_EV_KEX_DONE:
		sd->kex_done++;
		break;
	case CONN_EV_HOSTKEY_SIGN: {
		struct buf sig;

		assert_true(sign_by_event_after);
		assert_false(key_has_private(ev->tev.hostkey));
		buf_init(&sig, 0);
		assert_int_equal(key_sign(hostkey, ev->tev.sig_alg,
		                          ev->tev.hash, ev->tev.hash_len, &sig),
		                 0);
		assert_int_equal(transport_hostkey_signature(conn_transport(c),
		                                             buf_data(&sig),
		                                             buf_len(&sig)),
		                 0);
		buf_clear(&sig);
		pr->signed_events++;
		break;
	}
	case CONN_EV_UA_SERVER:
		assert_int_equal(ev->uas->type, UA_SEV_AUTH_PASSWORD);
		assert_string_equal(ev->uas->user, "alice");
		assert_string_equal(ev->uas->password, "secret");
		if (pr->hold_auth) {
			pr->auth_held = true;
			break;
		}
		assert_int_equal(
		    ua_server_accept(conn_userauth_server(c), conn_ua_buf(c)),
		    0);
		assert_int_equal(conn_flush(c), 0);
		break;
	case CONN_EV_CHANNEL:
		chan_event(sd, &ev->chan, true);
		break;
	case CONN_EV_DISCONNECTED:
		sd->disconnected = true;
		break;
	default:
		fail_msg("server event %d", ev->type);
	}
}

static bool
drain(struct pair *pr, struct side *sd, bool server)
{
	struct conn_event ev;
	bool any = false;

	for (;;) {
		if (server && pr->auth_held) {
			return any;
		}
		assert_int_equal(conn_next_event(sd->c, &ev), 0);
		if (ev.type == CONN_EV_NONE) {
			return any;
		}
		any = true;
		if (server) {
			server_event(pr, &ev);
		} else {
			client_event(pr, &ev);
		}
	}
}

/* Runs both sides until nothing moves. */
static void
pump(struct pair *pr)
{
	int rounds;
	bool progress = true;

	for (rounds = 0; progress && rounds < 10000; rounds++) {
		progress = false;
		progress |= drain(pr, &pr->cl, false);
		if (!pr->no_server) {
			progress |= drain(pr, &pr->sv, true);
		}
		progress |= move(pr, &pr->cl, &pr->sv);
		progress |= move(pr, &pr->sv, &pr->cl);
		pr->now += 10;
	}
	assert_true(rounds < 10000);
	assert_false(pr->cl.disconnected);
	assert_false(pr->sv.disconnected);
}

static void
write_corpus(const char *name, const struct buf *b)
{
	const char *dir = getenv("SESH_WRITE_CORPUS");
	char path[4096];
	FILE *f;

	if (dir == NULL || *dir == '\0') {
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf_data(b), 1, buf_len(b), f), buf_len(b));
	assert_int_equal(fclose(f), 0);
}

/* Exports the server, frees it, imports a fresh one in its place. */
static void
handover(struct pair *pr, const char *corpus_name)
{
	struct buf blob;
	struct conn *nc = NULL;
	uint32_t send0, recv0, send1, recv1;
	const uint8_t *sid;
	size_t sid_len;
	uint8_t sid0[64];
	size_t sid0_len;
	unsigned kex0;

	transport_seqnrs(conn_transport(pr->sv.c), &send0, &recv0);
	transport_session_id(conn_transport(pr->sv.c), &sid, &sid_len);
	assert_true(sid_len <= sizeof(sid0));
	memcpy(sid0, sid, sid_len);
	sid0_len = sid_len;
	kex0 = transport_kex_count(conn_transport(pr->sv.c));

	buf_init(&blob, 0);
	buf_set_secret(&blob);
	assert_true(conn_can_export(pr->sv.c));
	assert_int_equal(conn_export(pr->sv.c, &blob), 0);
	assert_true(buf_len(&blob) > 0);
	if (corpus_name != NULL) {
		write_corpus(corpus_name, &blob);
	}
	conn_free(pr->sv.c);
	pr->sv.c = NULL;
	assert_int_equal(
	    conn_import(&pr->sc, buf_data(&blob), buf_len(&blob), &nc), 0);
	assert_non_null(nc);
	buf_clear(&blob);
	pr->sv.c = nc;

	assert_true(conn_authenticated(nc));
	assert_string_equal(ua_server_user(conn_userauth_server(nc)), "alice");
	transport_seqnrs(conn_transport(nc), &send1, &recv1);
	assert_int_equal(send0, send1);
	assert_int_equal(recv0, recv1);
	transport_session_id(conn_transport(nc), &sid, &sid_len);
	assert_int_equal(sid_len, sid0_len);
	assert_memory_equal(sid, sid0, sid_len);
	assert_int_equal(transport_kex_count(conn_transport(nc)), kex0);
	/* seshd's check of a child-built state against the monitor's
	 * session id and user (app/handover.h) */
	{
		struct handover_info hi;
		uint8_t bad[64];

		memset(&hi, 0, sizeof(hi));
		hi.user = "alice";
		hi.session_id = sid0;
		hi.session_id_len = sid0_len;
		assert_int_equal(handover_state_matches(&hi, nc), 0);
		memcpy(bad, sid0, sid0_len);
		bad[sid0_len - 1] ^= 1;
		hi.session_id = bad;
		assert_int_equal(handover_state_matches(&hi, nc),
		                 SESH_ERR_PROTOCOL);
		hi.session_id = sid0;
		hi.session_id_len = sid0_len - 1;
		assert_int_equal(handover_state_matches(&hi, nc),
		                 SESH_ERR_PROTOCOL);
		hi.session_id_len = sid0_len;
		hi.user = "mallory";
		assert_int_equal(handover_state_matches(&hi, nc),
		                 SESH_ERR_PROTOCOL);
	}
	assert_non_null(transport_peer_version(conn_transport(nc)));
	assert_int_equal(
	    strncmp(transport_peer_version(conn_transport(nc)), "SSH-2.0-", 8),
	    0);
	/* nothing queued by the import */
	{
		const uint8_t *p;
		size_t n;

		conn_output_peek(nc, &p, &n);
		assert_int_equal(n, 0);
	}
}

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
	}
}

/* Sends n bytes each way on the open channel and checks they arrive. */
static void
exchange_data(struct pair *pr, size_t n, uint8_t seed)
{
	uint8_t *a = malloc(n), *b = malloc(n);
	size_t off, sent, cl0 = buf_len(&pr->sv.data),
	                  sv0 = buf_len(&pr->cl.data);
	int rounds = 0;

	assert_non_null(a);
	assert_non_null(b);
	fill(a, n, seed);
	fill(b, n, (uint8_t)(seed + 101));
	for (off = 0; off < n && rounds < 1000; rounds++) {
		assert_int_equal(chan_send_data(conn_channels(pr->cl.c),
		                                pr->cl.chan_id, 0, a + off,
		                                n - off,
		                                conn_chan_buf(pr->cl.c), &sent),
		                 0);
		off += sent;
		pump(pr);
	}
	assert_int_equal(off, n);
	for (off = 0, rounds = 0; off < n && rounds < 1000; rounds++) {
		assert_int_equal(chan_send_data(conn_channels(pr->sv.c),
		                                pr->sv.chan_id, 0, b + off,
		                                n - off,
		                                conn_chan_buf(pr->sv.c), &sent),
		                 0);
		off += sent;
		pump(pr);
	}
	assert_int_equal(off, n);
	assert_int_equal(buf_len(&pr->sv.data), cl0 + n);
	assert_memory_equal(buf_data(&pr->sv.data) + cl0, a, n);
	assert_int_equal(buf_len(&pr->cl.data), sv0 + n);
	assert_memory_equal(buf_data(&pr->cl.data) + sv0, b, n);
	free(a);
	free(b);
}

static void
rekey(struct pair *pr, struct side *by)
{
	int cl0 = pr->cl.kex_done, sv0 = pr->sv.kex_done;
	unsigned k0 = transport_kex_count(conn_transport(pr->sv.c));

	assert_int_equal(transport_rekey(conn_transport(by->c)), 0);
	pump(pr);
	assert_int_equal(pr->cl.kex_done, cl0 + 1);
	assert_int_equal(pr->sv.kex_done, sv0 + 1);
	assert_int_equal(transport_kex_count(conn_transport(pr->sv.c)), k0 + 1);
	assert_int_equal(transport_kex_count(conn_transport(pr->cl.c)), k0 + 1);
}

static void
open_channel(struct pair *pr)
{
	assert_int_equal(chan_open_session(conn_channels(pr->cl.c),
	                                   conn_chan_buf(pr->cl.c),
	                                   &pr->cl.chan_id),
	                 0);
	pump(pr);
	assert_true(pr->cl.chan_open);
	assert_true(pr->sv.chan_open);
}

enum pipeline {
	PIPE_NONE,
	PIPE_WHOLE, /* CHANNEL_OPEN fed, not decoded */
	PIPE_HALF,  /* half of it fed, its length decoded */
};

static void
run_session(const char *cipher, const char *mac, bool strict,
            enum pipeline pipe, const char *corpus_name)
{
	struct pair pr;
	const uint8_t *p;
	size_t n, half;
	struct buf rest;
	struct conn_event ev;

	pair_open(&pr, cipher, mac, strict);
	pump(&pr);
	assert_true(pr.auth_ok);
	assert_int_equal(pr.cl.kex_done, 1);
	assert_int_equal(pr.sv.kex_done, 1);
	assert_true(conn_authenticated(pr.sv.c));
	assert_string_equal(
	    transport_choice(conn_transport(pr.sv.c))->alg[KEX_ALG_ENC_CTOS],
	    cipher);
	assert_int_equal(transport_choice(conn_transport(pr.sv.c))->strict,
	                 strict);
	buf_init(&rest, 0);
	if (pipe != PIPE_NONE) {
		assert_int_equal(chan_open_session(conn_channels(pr.cl.c),
		                                   conn_chan_buf(pr.cl.c),
		                                   &pr.cl.chan_id),
		                 0);
		assert_int_equal(conn_flush(pr.cl.c), 0);
		conn_output_peek(pr.cl.c, &p, &n);
		assert_true(n > 32);
		half = pipe == PIPE_HALF ? n / 2 : n;
		assert_int_equal(conn_input(pr.sv.c, p, half, pr.now), 0);
		assert_int_equal(buf_put(&rest, p + half, n - half), 0);
		conn_output_consume(pr.cl.c, n);
		if (pipe == PIPE_HALF) {
			/* the decoder learns the length, waits for more */
			assert_int_equal(conn_next_event(pr.sv.c, &ev), 0);
			assert_int_equal(ev.type, CONN_EV_NONE);
		}
	}
	if (sign_by_event_after) {
		pr.sc.transport.hostkeys = hostkeys_pub;
		pr.sc.transport.sign_by_event = true;
	}
	handover(&pr, corpus_name);
	if (pipe != PIPE_NONE) {
		if (buf_len(&rest) > 0) {
			assert_int_equal(conn_input(pr.sv.c, buf_data(&rest),
			                            buf_len(&rest), pr.now),
			                 0);
		}
		pump(&pr);
		assert_true(pr.sv.chan_open);
		assert_true(pr.cl.chan_open);
	} else {
		open_channel(&pr);
	}
	buf_clear(&rest);
	exchange_data(&pr, 100000, 1);
	rekey(&pr, &pr.sv);
	exchange_data(&pr, 5000, 2);
	rekey(&pr, &pr.cl);
	exchange_data(&pr, 70000, 3);
	/* a second move, after rekeys, with the channel closed first is
	 * not possible here (channel open): check it is refused */
	assert_false(conn_can_export(pr.sv.c));
	assert_int_equal(pr.signed_events, sign_by_event_after ? 2 : 0);
	pair_close(&pr);
}

static void
test_sign_by_event(void **state)
{
	(void)state;
	sign_by_event_after = true;
	run_session("aes256-gcm@openssh.com", NULL, true, PIPE_WHOLE, NULL);
	sign_by_event_after = false;
}

static void
test_chacha(void **state)
{
	(void)state;
	run_session("chacha20-poly1305@openssh.com", NULL, true, PIPE_NONE,
	            "chacha");
}

static void
test_aes128_gcm(void **state)
{
	(void)state;
	run_session("aes128-gcm@openssh.com", NULL, true, PIPE_NONE,
	            "aes128gcm");
}

static void
test_aes256_gcm(void **state)
{
	(void)state;
	run_session("aes256-gcm@openssh.com", NULL, true, PIPE_NONE,
	            "aes256gcm");
}

static void
test_aes128_ctr_etm(void **state)
{
	(void)state;
	run_session("aes128-ctr", "hmac-sha2-256-etm@openssh.com", true,
	            PIPE_NONE, "aes128ctr_etm");
}

static void
test_aes256_ctr_hmac512(void **state)
{
	(void)state;
	run_session("aes256-ctr", "hmac-sha2-512", true, PIPE_NONE,
	            "aes256ctr_sha512");
}

static void
test_no_strict(void **state)
{
	(void)state;
	run_session("aes128-ctr", "hmac-sha2-256", false, PIPE_NONE,
	            "nostrict");
	run_session("chacha20-poly1305@openssh.com", NULL, false, PIPE_NONE,
	            NULL);
}

static void
test_pipelined_whole(void **state)
{
	(void)state;
	run_session("chacha20-poly1305@openssh.com", NULL, true, PIPE_WHOLE,
	            "pipe_chacha");
	run_session("aes256-gcm@openssh.com", NULL, true, PIPE_WHOLE, NULL);
	run_session("aes128-ctr", "hmac-sha2-256-etm@openssh.com", true,
	            PIPE_WHOLE, NULL);
	run_session("aes256-ctr", "hmac-sha2-512", true, PIPE_WHOLE,
	            "pipe_ctr");
}

static void
test_pipelined_half(void **state)
{
	(void)state;
	run_session("chacha20-poly1305@openssh.com", NULL, true, PIPE_HALF,
	            "half_chacha");
	run_session("aes128-gcm@openssh.com", NULL, true, PIPE_HALF,
	            "half_gcm");
	run_session("aes128-ctr", "hmac-sha2-256-etm@openssh.com", true,
	            PIPE_HALF, "half_etm");
	run_session("aes256-ctr", "hmac-sha2-512", true, PIPE_HALF, "half_ctr");
}

/* ---- refusals ---- */

static void
assert_refused(struct conn *c)
{
	struct buf b;

	buf_init(&b, 0);
	assert_false(conn_can_export(c));
	assert_int_equal(conn_export(c, &b), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&b), 0);
	buf_clear(&b);
}

static void
test_refusals(void **state)
{
	struct pair pr;
	int ret;
	uint8_t junk[4] = {1, 2, 3, 4};

	(void)state;
	pair_open(&pr, "aes128-gcm@openssh.com", NULL, true);
	/* before anything: no KEX yet */
	assert_refused(pr.sv.c);
	/* after KEX, before authentication */
	pr.hold_auth = true;
	pump(&pr);
	assert_true(pr.auth_held);
	assert_false(pr.auth_ok);
	assert_refused(pr.sv.c);
	/* answer it */
	assert_int_equal(ua_server_accept(conn_userauth_server(pr.sv.c),
	                                  conn_ua_buf(pr.sv.c)),
	                 0);
	pr.hold_auth = false;
	pr.auth_held = false;
	/* module buffer not flushed yet */
	assert_refused(pr.sv.c);
	assert_int_equal(conn_flush(pr.sv.c), 0);
	/* output pending */
	assert_refused(pr.sv.c);
	pump(&pr);
	assert_true(pr.auth_ok);
	assert_true(conn_can_export(pr.sv.c));
	/* the client role never exports */
	assert_refused(pr.cl.c);
	/* output pending (an IGNORE) */
	assert_int_equal(
	    transport_send_ignore(conn_transport(pr.sv.c), junk, sizeof(junk)),
	    0);
	assert_refused(pr.sv.c);
	pump(&pr);
	assert_true(conn_can_export(pr.sv.c));
	/* during a key exchange: our KEXINIT sent and written out */
	assert_int_equal(transport_rekey(conn_transport(pr.sv.c)), 0);
	assert_true(pair_move(pr.sv.c, pr.cl.c, 0, pr.now, &ret) > 0);
	assert_int_equal(ret, 0);
	assert_refused(pr.sv.c);
	/* during a key exchange started by the peer */
	pump(&pr);
	assert_true(conn_can_export(pr.sv.c));
	assert_int_equal(transport_rekey(conn_transport(pr.cl.c)), 0);
	pr.no_server = true;
	pump(&pr);
	pr.no_server = false;
	{
		struct conn_event ev;

		/* the server reads the KEXINIT and answers */
		assert_int_equal(conn_next_event(pr.sv.c, &ev), 0);
		(void)pair_move(pr.sv.c, pr.cl.c, 0, pr.now, &ret);
		assert_int_equal(ret, 0);
		assert_true(conn_held_bytes(pr.sv.c) == 0);
		/* a payload sent now is held until our NEWKEYS */
		assert_int_equal(chan_global_request(conn_channels(pr.sv.c),
		                                     "x@y", false,
		                                     conn_chan_buf(pr.sv.c)),
		                 0);
		assert_int_equal(conn_flush(pr.sv.c), 0);
		assert_true(conn_held_bytes(pr.sv.c) > 0);
	}
	assert_refused(pr.sv.c);
	pump(&pr);
	assert_int_equal(conn_held_bytes(pr.sv.c), 0);
	assert_true(conn_can_export(pr.sv.c));
	/* a global request whose reply the application still owes */
	{
		static const uint8_t key[] = {0, 0, 0, 3, 'k', 'e', 'y'};

		assert_int_equal(chan_global_request_data(
		                     conn_channels(pr.cl.c),
		                     "hostkeys-prove-00@openssh.com", true, key,
		                     sizeof(key), conn_chan_buf(pr.cl.c)),
		                 0);
		assert_int_equal(conn_flush(pr.cl.c), 0);
		pump(&pr);
		assert_refused(pr.sv.c);
		assert_int_equal(chan_global_reply(conn_channels(pr.sv.c),
		                                   false, NULL, 0,
		                                   conn_chan_buf(pr.sv.c)),
		                 0);
		assert_int_equal(conn_flush(pr.sv.c), 0);
		pump(&pr);
		assert_int_equal(pr.cl.global_refused, 1);
		assert_true(conn_can_export(pr.sv.c));
	}
	/* with a channel open */
	open_channel(&pr);
	assert_refused(pr.sv.c);
	assert_int_equal(conn_export(NULL, NULL), SESH_ERR_INVALID_ARGUMENT);
	pair_close(&pr);
}

/* ---- the parser ---- */

/* A valid blob with buffered input (the pipelined CHANNEL_OPEN). */
static void
make_blob(struct buf *blob, struct pair *pr, const char *cipher,
          const char *mac)
{
	const uint8_t *p;
	size_t n;
	struct conn_event ev;

	pair_open(pr, cipher, mac, true);
	pump(pr);
	assert_true(pr->auth_ok);
	assert_int_equal(chan_open_session(conn_channels(pr->cl.c),
	                                   conn_chan_buf(pr->cl.c),
	                                   &pr->cl.chan_id),
	                 0);
	assert_int_equal(conn_flush(pr->cl.c), 0);
	conn_output_peek(pr->cl.c, &p, &n);
	assert_int_equal(conn_input(pr->sv.c, p, n / 2, pr->now), 0);
	assert_int_equal(conn_next_event(pr->sv.c, &ev), 0);
	assert_int_equal(ev.type, CONN_EV_NONE);
	buf_init(blob, 0);
	buf_set_secret(blob);
	assert_int_equal(conn_export(pr->sv.c, blob), 0);
}

/* Drives an imported connection a little: junk input, events. */
static void
poke(struct conn *c)
{
	static const uint8_t junk[64] = {0, 0, 0, 12, 4, 1, 2, 3};
	struct conn_event ev;
	int i;

	(void)conn_input(c, junk, sizeof(junk), 5000);
	for (i = 0; i < 16; i++) {
		if (conn_next_event(c, &ev) != 0 || ev.type == CONN_EV_NONE ||
		    ev.type == CONN_EV_DISCONNECTED) {
			break;
		}
		if (ev.type == CONN_EV_CHANNEL &&
		    ev.chan.type == CHAN_EV_OPEN_REQUEST) {
			(void)chan_accept(conn_channels(c), ev.chan.id,
			                  conn_chan_buf(c));
		}
	}
	(void)transport_rekey(conn_transport(c));
}

static void
parse_robustness(const char *cipher, const char *mac)
{
	struct pair pr;
	struct buf blob;
	struct conn *c;
	uint8_t *copy;
	size_t n, i;
	int bit, ret;

	make_blob(&blob, &pr, cipher, mac);
	n = buf_len(&blob);
	copy = malloc(n + 1);
	assert_non_null(copy);
	memcpy(copy, buf_data(&blob), n);
	/* the blob itself */
	c = NULL;
	assert_int_equal(conn_import(&pr.sc, copy, n, &c), 0);
	poke(c);
	conn_free(c);
	/* every truncation */
	for (i = 0; i < n; i++) {
		c = (struct conn *)&pr;
		assert_int_not_equal(conn_import(&pr.sc, copy, i, &c), 0);
		assert_null(c);
	}
	/* a trailing byte */
	copy[n] = 0;
	c = (struct conn *)&pr;
	assert_int_equal(conn_import(&pr.sc, copy, n + 1, &c),
	                 SESH_ERR_TRAILING_DATA);
	assert_null(c);
	/* bit flips */
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit++) {
			copy[i] ^= (uint8_t)(1u << bit);
			c = NULL;
			ret = conn_import(&pr.sc, copy, n, &c);
			if (ret == 0) {
				assert_non_null(c);
				poke(c);
				conn_free(c);
			} else {
				assert_null(c);
			}
			copy[i] ^= (uint8_t)(1u << bit);
		}
	}
	free(copy);
	buf_clear(&blob);
	pair_close(&pr);
}

static void
test_parse_robust_ctr(void **state)
{
	(void)state;
	parse_robustness("aes256-ctr", "hmac-sha2-512");
}

static void
test_parse_robust_chacha(void **state)
{
	(void)state;
	parse_robustness("chacha20-poly1305@openssh.com", NULL);
}

static void
test_parse_robust_gcm_etm(void **state)
{
	(void)state;
	parse_robustness("aes128-gcm@openssh.com", NULL);
	parse_robustness("aes128-ctr", "hmac-sha2-256-etm@openssh.com");
}

static void
test_import_invalid(void **state)
{
	struct pair pr;
	struct conn *c = (struct conn *)&pr;
	static const uint8_t junk[] = {0, 0, 0, 3, 'a', 'b', 'c'};

	(void)state;
	pair_open(&pr, NULL, NULL, true);
	assert_int_equal(conn_import(NULL, junk, sizeof(junk), &c),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(c);
	assert_int_equal(conn_import(&pr.sc, NULL, 5, &c),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_not_equal(conn_import(&pr.sc, junk, sizeof(junk), &c), 0);
	assert_null(c);
	assert_int_not_equal(conn_import(&pr.sc, NULL, 0, &c), 0);
	assert_null(c);
	assert_int_equal(conn_import(&pr.sc, junk, sizeof(junk), NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(conn_held_bytes(NULL), 0);
	assert_false(conn_can_export(NULL));
	pair_close(&pr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chacha),
	    cmocka_unit_test(test_aes128_gcm),
	    cmocka_unit_test(test_aes256_gcm),
	    cmocka_unit_test(test_aes128_ctr_etm),
	    cmocka_unit_test(test_aes256_ctr_hmac512),
	    cmocka_unit_test(test_no_strict),
	    cmocka_unit_test(test_pipelined_whole),
	    cmocka_unit_test(test_pipelined_half),
	    cmocka_unit_test(test_sign_by_event),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_parse_robust_ctr),
	    cmocka_unit_test(test_parse_robust_chacha),
	    cmocka_unit_test(test_parse_robust_gcm_etm),
	    cmocka_unit_test(test_import_invalid),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
