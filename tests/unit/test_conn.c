/*
 * test_conn.c - ssh/conn: a client and a server connection joined in
 * memory, the test code playing both applications.
 *
 * Full sessions (curve25519-sha256, ssh-ed25519 host key): the client
 * accepts the host key, authenticates by publickey (query, PK_OK, signed
 * request verified by the server) or by password (a wrong one refused,
 * then the right one), opens a session channel, sends exec "echo hi";
 * the server replies success, sends "hi\n", exit-status 0, EOF and
 * CLOSE; the client gets all of it, the channel is freed on both sides
 * and the client disconnects. Bytes are moved whole and one at a time.
 * Failure paths: a channel message before authentication makes the
 * server disconnect with PROTOCOL_ERROR; unknown message numbers after
 * it (200, 110) are answered with UNIMPLEMENTED naming the right
 * sequence number and the session goes on; a refused host key ends the
 * client.
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
#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/channel.h"
#include "ssh/conn.h"
#include "ssh/msg.h"
#include "ssh/transport.h"
#include "ssh/userauth.h"

/* ---- fixtures ---- */

static struct sshkey *hostkey, *userkey, *otherkey;
static const struct sshkey *hostkeys[1];

static int
group_setup(void **state)
{
	(void)state;
	if (key_generate(KEY_ED25519, 0, &hostkey) != 0 ||
	    key_generate(KEY_ED25519, 0, &userkey) != 0 ||
	    key_generate(KEY_ED25519, 0, &otherkey) != 0) {
		return -1;
	}
	hostkeys[0] = hostkey;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	key_free(hostkey);
	key_free(userkey);
	key_free(otherkey);
	return 0;
}

enum auth_mode { AUTH_PUBKEY, AUTH_PASSWORD };

enum misbehave {
	MIS_NONE,
	MIS_CHAN_BEFORE_AUTH,   /* client sends CHANNEL_OPEN after KEX */
	MIS_UNKNOWN_AFTER_AUTH, /* client sends messages 200 and 110 after
	                           auth, then runs the session */
	MIS_REJECT_HOSTKEY,
	MIS_CORRUPT_TAIL, /* the last byte of the server's answer to exec
	                     (data, exit-status, EOF, CLOSE in one flush)
	                     is flipped on its way to the client */
};

struct side {
	struct conn *c;
	struct pair_rng rng;
	int kex_done;
	bool disconnected, by_peer;
	uint32_t reason;
	int err;
	/* client */
	int hostkey_events;
	int failures;
	bool pk_ok, auth_ok;
	bool open_confirmed, exec_ok, got_exit, got_eof, closed;
	uint32_t exit_status;
	uint32_t chan_id;
	uint32_t unknown_seq[2]; /* MIS_UNKNOWN_AFTER_AUTH */
	struct buf data;
	/* DATA views of the events since input was last fed, and what they
	 * held then: conn.h keeps them valid until more input is fed */
	struct {
		const uint8_t *p;
		size_t n;
		uint8_t copy[4];
	} views[4];
	int nviews, max_views;
	int views_at_disconnect; /* views still held at DISCONNECTED */
	/* server */
	int pk_queries, pk_signed, pw_tries;
	bool exec_seen, srv_closed;
};

struct pair {
	struct side cl, sv;
	enum auth_mode mode;
	enum misbehave mis;
	bool one_byte;
	bool corrupted; /* MIS_CORRUPT_TAIL done */
};

static void
pair_open(struct pair *pr, enum auth_mode mode, enum misbehave mis,
          bool one_byte)
{
	struct conn_config cc, sc;

	memset(pr, 0, sizeof(*pr));
	pr->mode = mode;
	pr->mis = mis;
	pr->one_byte = one_byte;
	buf_init(&pr->cl.data, 0);
	buf_init(&pr->sv.data, 0);

	pair_client_config(&cc, &pr->cl.rng, "alice");
	pair_server_config(&sc, &cc, &pr->sv.rng, hostkeys, 1,
	                   "publickey,password");
	assert_int_equal(conn_new(TRANSPORT_CLIENT, &cc, &pr->cl.c), 0);
	assert_int_equal(conn_new(TRANSPORT_SERVER, &sc, &pr->sv.c), 0);
}

static void
pair_close(struct pair *pr)
{
	conn_free(pr->cl.c);
	conn_free(pr->sv.c);
	buf_clear(&pr->cl.data);
	buf_clear(&pr->sv.data);
}

/* ---- the client application ---- */

static void
client_pubkey(struct side *sd)
{
	struct conn *c = sd->c;
	const char *ssa = transport_server_sig_algs(conn_transport(c));
	const char *alg;

	assert_non_null(ssa);
	assert_int_equal(
	    ua_pick_sig_alg(userkey, (const uint8_t *)ssa, strlen(ssa), &alg),
	    0);
	assert_int_equal(ua_client_try_publickey_query(conn_userauth_client(c),
	                                               userkey, alg,
	                                               conn_ua_buf(c)),
	                 0);
	assert_int_equal(conn_flush(c), 0);
}

static void
client_sign(struct side *sd)
{
	struct conn *c = sd->c;
	struct buf data, sig;

	buf_init(&data, 0);
	buf_init(&sig, 0);
	assert_int_equal(ua_client_signed_data(conn_userauth_client(c), &data),
	                 0);
	assert_int_equal(key_sign(userkey, "ssh-ed25519", buf_data(&data),
	                          buf_len(&data), &sig),
	                 0);
	assert_int_equal(ua_client_send_publickey_signed(
	                     conn_userauth_client(c), buf_data(&sig),
	                     buf_len(&sig), conn_ua_buf(c)),
	                 0);
	assert_int_equal(conn_flush(c), 0);
	buf_clear(&data);
	buf_clear(&sig);
}

static void
client_password(struct side *sd, const char *pw)
{
	struct conn *c = sd->c;

	assert_int_equal(
	    ua_client_try_password(conn_userauth_client(c), pw, conn_ua_buf(c)),
	    0);
	assert_int_equal(conn_flush(c), 0);
}

static void
client_ua(struct pair *pr, const struct ua_client_event *ue)
{
	struct side *sd = &pr->cl;
	struct conn *c = sd->c;
	uint8_t bad[] = {200, 0, 0, 0, 0};
	uint8_t bad2[] = {110, 1, 2, 3};

	switch (ue->type) {
	case UA_CEV_SERVICE_ACCEPT:
		if (pr->mode == AUTH_PUBKEY) {
			client_pubkey(sd);
		} else {
			client_password(sd, "wrong");
		}
		break;
	case UA_CEV_FAILURE:
		sd->failures++;
		assert_int_equal(pr->mode, AUTH_PASSWORD);
		assert_int_equal(sd->failures, 1);
		assert_string_equal(ue->methods, "publickey,password");
		client_password(sd, "right");
		break;
	case UA_CEV_PK_OK:
		assert_false(sd->pk_ok);
		sd->pk_ok = true;
		client_sign(sd);
		break;
	case UA_CEV_SUCCESS:
		assert_false(sd->auth_ok);
		sd->auth_ok = true;
		assert_true(conn_authenticated(c));
		if (pr->mis == MIS_UNKNOWN_AFTER_AUTH) {
			transport_seqnrs(conn_transport(c), &sd->unknown_seq[0],
			                 NULL);
			assert_int_equal(
			    transport_send(conn_transport(c), bad, sizeof(bad)),
			    0);
			transport_seqnrs(conn_transport(c), &sd->unknown_seq[1],
			                 NULL);
			assert_int_equal(sd->unknown_seq[1],
			                 sd->unknown_seq[0] + 1);
			assert_int_equal(transport_send(conn_transport(c), bad2,
			                                sizeof(bad2)),
			                 0);
		}
		assert_int_equal(chan_open_session(conn_channels(c),
		                                   conn_chan_buf(c),
		                                   &sd->chan_id),
		                 0);
		assert_int_equal(conn_flush(c), 0);
		break;
	default:
		fail_msg("unexpected client userauth event %d", ue->type);
	}
}

static void
client_chan(struct side *sd, const struct chan_event *ce)
{
	struct conn *c = sd->c;
	struct chan_req req;

	switch (ce->type) {
	case CHAN_EV_OPEN_CONFIRMED:
		assert_int_equal(ce->id, sd->chan_id);
		sd->open_confirmed = true;
		memset(&req, 0, sizeof(req));
		req.type = CHAN_REQ_EXEC;
		req.want_reply = true;
		req.arg = chan_str_c("echo hi");
		assert_int_equal(chan_request(conn_channels(c), sd->chan_id,
		                              &req, conn_chan_buf(c)),
		                 0);
		/* no conn_flush: conn_next_event flushes channel output */
		break;
	case CHAN_EV_REQUEST_REPLY:
		assert_true(ce->ok);
		assert_int_equal(ce->req_type, CHAN_REQ_EXEC);
		sd->exec_ok = true;
		break;
	case CHAN_EV_DATA:
		assert_true(sd->exec_ok);
		assert_int_equal(ce->ext_type, 0);
		assert_int_equal(buf_put(&sd->data, ce->data.p, ce->data.n), 0);
		assert_true(sd->nviews < 4 && ce->data.n <= 4);
		sd->views[sd->nviews].p = ce->data.p;
		sd->views[sd->nviews].n = ce->data.n;
		memcpy(sd->views[sd->nviews].copy, ce->data.p, ce->data.n);
		sd->nviews++;
		assert_int_equal(chan_consumed(conn_channels(c), ce->id,
		                               ce->data.n, conn_chan_buf(c)),
		                 0);
		break;
	case CHAN_EV_REQUEST:
		assert_int_equal(ce->req.type, CHAN_REQ_EXIT_STATUS);
		assert_false(ce->req.want_reply);
		sd->got_exit = true;
		sd->exit_status = ce->req.exit_status;
		break;
	case CHAN_EV_EOF:
		assert_true(sd->got_exit);
		sd->got_eof = true;
		break;
	case CHAN_EV_CLOSED:
		assert_true(sd->got_eof);
		sd->closed = true;
		assert_int_equal(
		    conn_disconnect(c, SSH_DISCONNECT_BY_APPLICATION, "bye"),
		    0);
		break;
	default:
		fail_msg("unexpected client channel event %d", ce->type);
	}
}

/* ---- the server application ---- */

static void
server_ua(struct side *sd, const struct ua_server_event *ue)
{
	struct conn *c = sd->c;
	struct ua_server *us = conn_userauth_server(c);

	assert_string_equal(ue->user, "alice");
	switch (ue->type) {
	case UA_SEV_AUTH_PUBKEY_QUERY:
		sd->pk_queries++;
		assert_true(key_equal_public(ue->key, userkey));
		assert_int_equal(ua_server_pk_ok(us, conn_ua_buf(c)), 0);
		break;
	case UA_SEV_AUTH_PUBKEY_SIGNED:
		sd->pk_signed++;
		assert_true(key_equal_public(ue->key, userkey));
		assert_int_equal(ua_server_verify(us), 0);
		assert_int_equal(ua_server_accept(us, conn_ua_buf(c)), 0);
		break;
	case UA_SEV_AUTH_PASSWORD:
		sd->pw_tries++;
		assert_null(ue->new_password);
		if (strcmp(ue->password, "right") == 0) {
			assert_int_equal(ua_server_accept(us, conn_ua_buf(c)),
			                 0);
		} else {
			assert_int_equal(
			    ua_server_reject(us, false, conn_ua_buf(c)), 0);
		}
		break;
	default:
		fail_msg("unexpected server userauth event %d", ue->type);
	}
	assert_int_equal(conn_flush(c), 0);
}

static void
server_chan(struct side *sd, const struct chan_event *ce)
{
	struct conn *c = sd->c;
	struct chan_set *cs = conn_channels(c);
	struct buf *out = conn_chan_buf(c);
	struct chan_req req;
	size_t sent;

	switch (ce->type) {
	case CHAN_EV_OPEN_REQUEST:
		assert_int_equal(ce->kind, CHAN_KIND_SESSION);
		assert_int_equal(chan_accept(cs, ce->id, out), 0);
		break;
	case CHAN_EV_REQUEST:
		assert_int_equal(ce->req.type, CHAN_REQ_EXEC);
		assert_true(chan_str_eq(ce->req.arg, "echo hi"));
		assert_true(ce->req.want_reply);
		sd->exec_seen = true;
		assert_int_equal(chan_reply(cs, ce->id, true, out), 0);
		/* three messages, one batch: the client keeps all three views
		 */
		for (int k = 0; k < 3; k++) {
			assert_int_equal(
			    chan_send_data(cs, ce->id, 0,
			                   (const uint8_t *)"hi\n" + k, 1, out,
			                   &sent),
			    0);
			assert_int_equal(sent, 1);
		}
		memset(&req, 0, sizeof(req));
		req.type = CHAN_REQ_EXIT_STATUS;
		req.exit_status = 0;
		assert_int_equal(chan_request(cs, ce->id, &req, out), 0);
		assert_int_equal(chan_send_eof(cs, ce->id, out), 0);
		assert_int_equal(chan_close(cs, ce->id, out), 0);
		assert_int_equal(conn_flush(c), 0);
		break;
	case CHAN_EV_CLOSED:
		sd->srv_closed = true;
		break;
	default:
		fail_msg("unexpected server channel event %d", ce->type);
	}
}

/* ---- driving ---- */

static void
note_disconnect(struct side *sd, const struct conn_event *ev)
{
	assert_false(sd->disconnected);
	sd->disconnected = true;
	sd->by_peer = ev->tev.by_peer;
	sd->reason = ev->tev.reason;
	sd->err = ev->err;
}

/* Drains one side's events; returns how many there were. */
static int
drain(struct pair *pr, struct side *sd)
{
	struct conn_event ev;
	uint8_t chan_open[] = {SSH2_MSG_CHANNEL_OPEN,
	                       0,
	                       0,
	                       0,
	                       7,
	                       's',
	                       'e',
	                       's',
	                       's',
	                       'i',
	                       'o',
	                       'n',
	                       0,
	                       0,
	                       0,
	                       0,
	                       0,
	                       0,
	                       1,
	                       0,
	                       0,
	                       0,
	                       64,
	                       0};
	int count = 0;
	bool client = sd == &pr->cl;

	for (;;) {
		assert_int_equal(conn_next_event(sd->c, &ev), 0);
		if (ev.type == CONN_EV_NONE) {
			/* the batch is decoded and no input was fed since:
			 * every DATA view of it still holds its bytes */
			for (int k = 0; k < sd->nviews; k++) {
				assert_memory_equal(sd->views[k].p,
				                    sd->views[k].copy,
				                    sd->views[k].n);
			}
			if (sd->nviews > sd->max_views) {
				sd->max_views = sd->nviews;
			}
			sd->nviews = 0;
			return count;
		}
		count++;
		switch (ev.type) {
		case CONN_EV_HOSTKEY_VERIFY:
			assert_true(client);
			sd->hostkey_events++;
			assert_true(key_equal_public(ev.tev.hostkey, hostkey));
			assert_int_equal(transport_hostkey_accept(
			                     conn_transport(sd->c),
			                     pr->mis != MIS_REJECT_HOSTKEY),
			                 0);
			break;
		case CONN_EV_KEX_DONE:
			sd->kex_done++;
			assert_true(ev.tev.first_kex);
			if (client) {
				assert_non_null(conn_userauth_client(sd->c));
			} else {
				assert_non_null(conn_userauth_server(sd->c));
			}
			if (client && pr->mis == MIS_CHAN_BEFORE_AUTH) {
				assert_int_equal(
				    transport_send(conn_transport(sd->c),
				                   chan_open,
				                   sizeof(chan_open)),
				    0);
			}
			break;
		case CONN_EV_UA_CLIENT:
			assert_true(client);
			client_ua(pr, ev.uac);
			break;
		case CONN_EV_UA_SERVER:
			assert_false(client);
			server_ua(sd, ev.uas);
			break;
		case CONN_EV_CHANNEL:
			if (client) {
				client_chan(sd, &ev.chan);
			} else {
				server_chan(sd, &ev.chan);
			}
			break;
		case CONN_EV_DISCONNECTED:
			/* a bad packet after good ones of the same input: the
			 * good ones' DATA views still hold their bytes */
			for (int k = 0; k < sd->nviews; k++) {
				assert_memory_equal(sd->views[k].p,
				                    sd->views[k].copy,
				                    sd->views[k].n);
			}
			sd->views_at_disconnect = sd->nviews;
			note_disconnect(sd, &ev);
			break;
		default:
			fail_msg("unexpected event %d", ev.type);
		}
	}
}

/* Moves from's output into to (whole, or one byte); returns bytes. */
static size_t
shuttle(struct pair *pr, struct side *from, struct side *to)
{
	size_t n;
	int ret;

	if (pr->mis == MIS_CORRUPT_TAIL && from == &pr->sv &&
	    pr->sv.exec_seen && !pr->corrupted) {
		const uint8_t *p;
		uint8_t *copy;

		conn_output_peek(from->c, &p, &n);
		assert_true(n > 0);
		copy = malloc(n);
		assert_non_null(copy);
		memcpy(copy, p, n);
		copy[n - 1] ^= 0x01; /* the CLOSE packet's tag */
		conn_output_consume(from->c, n);
		assert_int_equal(conn_input(to->c, copy, n, 0), 0);
		free(copy);
		pr->corrupted = true;
		drain(pr, to);
		return n;
	}
	n = pair_move(from->c, to->c, pr->one_byte ? 1 : 0, 0, &ret);
	if (n == 0) {
		return 0;
	}
	if (!conn_closed(to->c)) {
		assert_int_equal(ret, 0);
	}
	drain(pr, to);
	return n;
}

static void
pump(struct pair *pr)
{
	size_t moved;
	int rounds = 0;

	drain(pr, &pr->cl);
	drain(pr, &pr->sv);
	do {
		moved = 0;
		while (shuttle(pr, &pr->cl, &pr->sv) > 0) {
			moved++;
		}
		while (shuttle(pr, &pr->sv, &pr->cl) > 0) {
			moved++;
		}
		moved += (size_t)drain(pr, &pr->cl);
		moved += (size_t)drain(pr, &pr->sv);
		assert_true(++rounds < 10000);
	} while (moved > 0);
}

/* ---- tests ---- */

static void
check_session(struct pair *pr)
{
	struct side *cl = &pr->cl, *sv = &pr->sv;

	assert_int_equal(cl->hostkey_events, 1);
	assert_int_equal(cl->kex_done, 1);
	assert_int_equal(sv->kex_done, 1);
	assert_true(cl->auth_ok);
	assert_true(conn_authenticated(cl->c));
	assert_true(conn_authenticated(sv->c));
	assert_true(cl->open_confirmed);
	assert_true(sv->exec_seen);
	assert_true(cl->exec_ok);
	assert_int_equal(buf_len(&cl->data), 3);
	assert_memory_equal(buf_data(&cl->data), "hi\n", 3);
	/* whole input: the three came in one batch, views kept together */
	assert_int_equal(cl->max_views, pr->one_byte ? 1 : 3);
	assert_true(cl->got_exit);
	assert_int_equal(cl->exit_status, 0);
	assert_true(cl->got_eof);
	assert_true(cl->closed);
	assert_true(sv->srv_closed);
	assert_int_equal(conn_channels(cl->c)->nchan, 0);
	assert_int_equal(conn_channels(sv->c)->nchan, 0);
	/* the client said goodbye */
	assert_true(cl->disconnected);
	assert_false(cl->by_peer);
	assert_int_equal(cl->err, 0);
	assert_true(sv->disconnected);
	assert_true(sv->by_peer);
	assert_int_equal(sv->reason, SSH_DISCONNECT_BY_APPLICATION);
	assert_int_equal(conn_error(cl->c), 0);
	assert_int_equal(conn_error(sv->c), 0);
}

static void
run_session(enum auth_mode mode, bool one_byte)
{
	struct pair pr;

	pair_open(&pr, mode, MIS_NONE, one_byte);
	pump(&pr);
	check_session(&pr);
	if (mode == AUTH_PUBKEY) {
		assert_true(pr.cl.pk_ok);
		assert_int_equal(pr.sv.pk_queries, 1);
		assert_int_equal(pr.sv.pk_signed, 1);
		assert_int_equal(pr.sv.pw_tries, 0);
		assert_int_equal(pr.cl.failures, 0);
	} else {
		assert_int_equal(pr.sv.pw_tries, 2);
		assert_int_equal(pr.cl.failures, 1);
		assert_int_equal(pr.sv.pk_queries, 0);
	}
	pair_close(&pr);
}

static void
test_pubkey_session(void **state)
{
	(void)state;
	run_session(AUTH_PUBKEY, false);
}

static void
test_pubkey_session_one_byte(void **state)
{
	(void)state;
	run_session(AUTH_PUBKEY, true);
}

static void
test_password_session(void **state)
{
	(void)state;
	run_session(AUTH_PASSWORD, false);
}

static void
test_password_session_one_byte(void **state)
{
	(void)state;
	run_session(AUTH_PASSWORD, true);
}

/* The server refuses the connection protocol before authentication. */
static void
run_chan_before_auth(bool one_byte)
{
	struct pair pr;

	pair_open(&pr, AUTH_PUBKEY, MIS_CHAN_BEFORE_AUTH, one_byte);
	pump(&pr);
	assert_true(pr.sv.disconnected);
	assert_false(pr.sv.by_peer);
	assert_int_equal(pr.sv.reason, SSH_DISCONNECT_PROTOCOL_ERROR);
	assert_int_equal(pr.sv.err, SESH_ERR_PROTOCOL);
	assert_int_equal(conn_error(pr.sv.c), SESH_ERR_PROTOCOL);
	assert_false(conn_authenticated(pr.sv.c));
	assert_true(pr.cl.disconnected);
	assert_true(pr.cl.by_peer);
	assert_int_equal(pr.cl.reason, SSH_DISCONNECT_PROTOCOL_ERROR);
	assert_false(pr.cl.auth_ok);
	assert_int_equal(pr.sv.pk_queries, 0);
	pair_close(&pr);
}

static void
test_chan_before_auth(void **state)
{
	(void)state;
	run_chan_before_auth(false);
}

static void
test_chan_before_auth_one_byte(void **state)
{
	(void)state;
	run_chan_before_auth(true);
}

/*
 * The server's answer to exec (three DATA messages, exit-status, EOF,
 * CLOSE) reaches the client in one input with the CLOSE packet's tag
 * broken: the client delivers the data, the exit status and EOF, then
 * disconnects with a MAC error, and the three DATA views of that input
 * still hold their bytes at the DISCONNECTED event (conn.h: a driver that
 * gathered them writes them then).
 */
static void
test_views_survive_mac_error(void **state)
{
	struct pair pr;

	(void)state;
	pair_open(&pr, AUTH_PUBKEY, MIS_CORRUPT_TAIL, false);
	pump(&pr);
	assert_true(pr.corrupted);
	assert_int_equal(buf_len(&pr.cl.data), 3);
	assert_memory_equal(buf_data(&pr.cl.data), "hi\n", 3);
	assert_true(pr.cl.got_exit);
	assert_true(pr.cl.got_eof);
	assert_false(pr.cl.closed);
	assert_true(pr.cl.disconnected);
	assert_false(pr.cl.by_peer);
	assert_int_equal(pr.cl.err, SESH_ERR_MAC_INVALID);
	assert_int_equal(pr.cl.views_at_disconnect, 3);
	pair_close(&pr);
}

/* A message number nothing serves, after authentication. */
static void
test_unknown_after_auth(void **state)
{
	struct pair pr;
	uint32_t seq = 0;

	/* RFC 4253 §11.4: unknown numbers after auth (>= 128, and an
	 * unassigned 80-127 one) are answered with UNIMPLEMENTED naming
	 * their sequence numbers; the session then runs normally. */
	(void)state;
	pair_open(&pr, AUTH_PUBKEY, MIS_UNKNOWN_AFTER_AUTH, false);
	pump(&pr);
	check_session(&pr);
	assert_int_equal(
	    transport_unimplemented_received(conn_transport(pr.cl.c), &seq), 2);
	assert_int_equal(seq, pr.cl.unknown_seq[1]);
	assert_int_equal(
	    transport_unimplemented_received(conn_transport(pr.sv.c), NULL), 0);
	pair_close(&pr);
}

/* ---- a module's own answer goes out without waiting for input ---- */

struct ka {
	struct conn *cl;
	bool authed;
	int refused; /* server: REQUEST_FAILURE answers */
};

static void
ka_event(void *ctx, struct conn *c, const struct conn_event *ev)
{
	struct ka *k = ctx;

	switch (ev->type) {
	case CONN_EV_UA_CLIENT:
		if (ev->uac->type == UA_CEV_SERVICE_ACCEPT) {
			assert_int_equal(
			    ua_client_try_password(conn_userauth_client(c),
			                           "pw", conn_ua_buf(c)),
			    0);
		} else if (ev->uac->type == UA_CEV_SUCCESS) {
			k->authed = true;
		}
		break;
	case CONN_EV_UA_SERVER:
		pair_answer_password(c, ev->uas, "pw", false);
		break;
	case CONN_EV_CHANNEL:
		assert_ptr_not_equal(c, k->cl);
		assert_int_equal(ev->chan.type, CHAN_EV_GLOBAL_REPLY);
		assert_false(ev->chan.ok);
		k->refused++;
		break;
	default:
		break;
	}
}

/*
 * The server's keepalive@openssh.com (want_reply) raises no event on the
 * client: the channel module answers it itself. That answer must be
 * ready to write once conn_next_event has said NONE, not only after
 * the next input (a client would otherwise never answer a server's
 * keepalives while the link is idle).
 */
static void
test_automatic_reply_goes_out(void **state)
{
	struct conn_config cc, sc;
	struct pair_rng rc, rs;
	struct conn_event ev;
	struct ka k;
	struct conn *ka_sv = NULL;
	const uint8_t *p;
	size_t n;
	int ret, i;

	(void)state;
	memset(&k, 0, sizeof(k));
	pair_client_config(&cc, &rc, "alice");
	pair_server_config(&sc, &cc, &rs, hostkeys, 1, "password");
	assert_int_equal(conn_new(TRANSPORT_CLIENT, &cc, &k.cl), 0);
	assert_int_equal(conn_new(TRANSPORT_SERVER, &sc, &ka_sv), 0);
	(void)pair_run(k.cl, ka_sv, false, ka_event, &k, 1000);
	assert_true(k.authed);
	for (i = 0; i < 3; i++) {
		assert_int_equal(chan_global_request(conn_channels(ka_sv),
		                                     "keepalive@openssh.com",
		                                     true,
		                                     conn_chan_buf(ka_sv)),
		                 0);
		assert_int_equal(conn_flush(ka_sv), 0);
		assert_true(pair_move(ka_sv, k.cl, 0, 0, &ret) > 0);
		assert_int_equal(ret, 0);
		assert_int_equal(conn_next_event(k.cl, &ev), 0);
		assert_int_equal(ev.type, CONN_EV_NONE);
		/* no further input: the answer is already out */
		conn_output_peek(k.cl, &p, &n);
		assert_true(n > 0);
		assert_true(pair_move(k.cl, ka_sv, 0, 0, &ret) > 0);
		assert_int_equal(ret, 0);
		(void)pair_drain(ka_sv, ka_event, &k);
		assert_int_equal(k.refused, i + 1);
	}
	conn_free(k.cl);
	conn_free(ka_sv);
}

static void
test_hostkey_rejected(void **state)
{
	struct pair pr;

	(void)state;
	pair_open(&pr, AUTH_PUBKEY, MIS_REJECT_HOSTKEY, false);
	pump(&pr);
	assert_int_equal(pr.cl.hostkey_events, 1);
	assert_int_equal(pr.cl.kex_done, 0);
	assert_null(conn_userauth_client(pr.cl.c));
	assert_true(pr.cl.disconnected);
	assert_int_equal(pr.cl.reason, SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE);
	assert_true(pr.sv.disconnected);
	assert_true(pr.sv.by_peer);
	assert_null(conn_userauth_server(pr.sv.c));
	pair_close(&pr);
}

static void
test_new_invalid(void **state)
{
	struct conn_config cfg;
	struct pair_rng r = {1};
	struct conn *c = (struct conn *)&r;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.transport.rand = pair_rand;
	cfg.transport.rand_ctx = &r;
	/* client without a user */
	assert_int_equal(conn_new(TRANSPORT_CLIENT, &cfg, &c),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(c);
	/* server without host keys: transport_new refuses */
	c = (struct conn *)&r;
	assert_int_equal(conn_new(TRANSPORT_SERVER, &cfg, &c),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(c);
	assert_int_equal(conn_new(TRANSPORT_CLIENT, NULL, &c),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(conn_next_event(NULL, NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	conn_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pubkey_session),
	    cmocka_unit_test(test_pubkey_session_one_byte),
	    cmocka_unit_test(test_password_session),
	    cmocka_unit_test(test_password_session_one_byte),
	    cmocka_unit_test(test_chan_before_auth),
	    cmocka_unit_test(test_chan_before_auth_one_byte),
	    cmocka_unit_test(test_unknown_after_auth),
	    cmocka_unit_test(test_views_survive_mac_error),
	    cmocka_unit_test(test_automatic_reply_goes_out),
	    cmocka_unit_test(test_hostkey_rejected),
	    cmocka_unit_test(test_new_invalid),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
