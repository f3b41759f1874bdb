/*
 * test_channel.c - ssh/channel: the connection protocol (RFC 4254).
 *
 * A client and a server chan_set joined in memory (each one's output
 * records fed to the other): session open, pty-req + shell, exec with
 * data both ways and stderr, exit-status / EOF / CLOSE in several orders
 * and crossing CLOSEs, 10 MiB each way through a small window with max
 * packet checks, coalesced window adjustments, peer overrun and data
 * after EOF, eow@openssh.com, unknown and keepalive requests answered
 * FAILURE in order behind replies the application owes, global requests
 * (keepalive, no-more-sessions, hostkeys-00), hostkeys-prove-00 as an
 * event whose reply (with data) keeps its place in order ahead of the
 * automatic global replies queued behind it, bounds on pending replies,
 * the channel table limit, unknown channel ids and misplaced messages;
 * pty modes round trips; truncation sweeps over every message the
 * module parses, and a bit-flip sweep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "ssh/channel.h"
#include "ssh/msg.h"

#define NEV 16

/* One endpoint with a tiny application on top of it. */
struct side {
	struct chan_set cs;
	struct buf out;
	struct buf data[2]; /* received normal and stderr data */
	unsigned nev[NEV];  /* events seen by type */
	bool auto_accept;   /* accept OPEN_REQUEST */
	int auto_reply;     /* -1: leave owed; 0/1 answer want_reply */
	bool auto_consume;  /* report data consumed at once */
	bool discard;       /* do not keep received data */
	size_t max_chunk;   /* largest DATA seen */
	uint32_t last_id;
	enum chan_req_type req_types[32]; /* requests seen, in order */
	unsigned nreq;
	bool reply_ok[32]; /* REQUEST_REPLY results, in order */
	enum chan_req_type reply_type[32];
	unsigned nreply;
	bool global_ok[32];
	unsigned nglobal;
	uint8_t greply[64]; /* data of the last GLOBAL_REPLY */
	size_t greply_len;
	char greq_name[64]; /* the last GLOBAL_REQUEST event */
	uint8_t greq_data[64];
	size_t greq_len;
	uint32_t exit_status;
	char arg[64], term[64];
	uint32_t cols, rows, fail_reason;
	char fail_text[64];
	uint8_t modes[64];
	size_t modes_len;
	enum chan_open_kind kind;
	char dtcp_host[64];
	uint32_t dtcp_port;
};

static void
copy_str(char *dst, size_t cap, struct chan_str s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;

	if (n > 0) {
		memcpy(dst, s.p, n);
	}
	dst[n] = '\0';
}

static void
side_init(struct side *s, bool server)
{
	memset(s, 0, sizeof(*s));
	chan_set_init(&s->cs, server);
	buf_init(&s->out, 0);
	buf_init(&s->data[0], 0);
	buf_init(&s->data[1], 0);
	s->auto_accept = true;
	s->auto_reply = 1;
	s->auto_consume = true;
}

static void
side_clear(struct side *s)
{
	chan_set_clear(&s->cs);
	buf_clear(&s->out);
	buf_clear(&s->data[0]);
	buf_clear(&s->data[1]);
}

/* The application's reaction to one event. */
static void
handle(struct side *s, const struct chan_event *ev)
{
	assert_true(ev->type < NEV);
	s->nev[ev->type]++;
	s->last_id = ev->id;
	switch (ev->type) {
	case CHAN_EV_OPEN_REQUEST:
		s->kind = ev->kind;
		copy_str(s->dtcp_host, sizeof(s->dtcp_host), ev->dtcp_host);
		s->dtcp_port = ev->dtcp_port;
		if (s->auto_accept) {
			assert_int_equal(chan_accept(&s->cs, ev->id, &s->out),
			                 0);
		}
		break;
	case CHAN_EV_OPEN_FAILED:
		s->fail_reason = ev->reason;
		copy_str(s->fail_text, sizeof(s->fail_text), ev->text);
		break;
	case CHAN_EV_DATA:
		assert_true(ev->data.n > 0);
		if (!s->discard) {
			assert_int_equal(buf_put(&s->data[ev->ext_type != 0],
			                         ev->data.p, ev->data.n),
			                 0);
		}
		if (ev->data.n > s->max_chunk) {
			s->max_chunk = ev->data.n;
		}
		if (s->auto_consume) {
			assert_int_equal(
			    chan_consumed(&s->cs, ev->id, ev->data.n, &s->out),
			    0);
		}
		break;
	case CHAN_EV_REQUEST:
		assert_true(s->nreq < 32);
		s->req_types[s->nreq++] = ev->req.type;
		if (ev->req.type == CHAN_REQ_EXIT_STATUS) {
			s->exit_status = ev->req.exit_status;
		}
		if (ev->req.type == CHAN_REQ_PTY) {
			copy_str(s->term, sizeof(s->term), ev->req.term);
			s->cols = ev->req.cols;
			s->rows = ev->req.rows;
			assert_true(ev->req.modes.n <= sizeof(s->modes));
			memcpy(s->modes, ev->req.modes.p, ev->req.modes.n);
			s->modes_len = ev->req.modes.n;
		}
		copy_str(s->arg, sizeof(s->arg), ev->req.arg);
		if (ev->req.want_reply && s->auto_reply >= 0) {
			assert_int_equal(chan_reply(&s->cs, ev->id,
			                            s->auto_reply == 1,
			                            &s->out),
			                 0);
		}
		break;
	case CHAN_EV_REQUEST_REPLY:
		assert_true(s->nreply < 32);
		s->reply_ok[s->nreply] = ev->ok;
		s->reply_type[s->nreply++] = ev->req_type;
		break;
	case CHAN_EV_GLOBAL_REPLY:
		assert_true(s->nglobal < 32);
		s->global_ok[s->nglobal++] = ev->ok;
		assert_true(ev->data.n <= sizeof(s->greply));
		if (ev->data.n > 0) {
			memcpy(s->greply, ev->data.p, ev->data.n);
		}
		s->greply_len = ev->data.n;
		break;
	case CHAN_EV_GLOBAL_REQUEST:
		/* server: hostkeys-prove; client: hostkeys-00, no reply */
		assert_true(ev->req.want_reply == s->cs.server);
		copy_str(s->greq_name, sizeof(s->greq_name), ev->req.name);
		assert_true(ev->data.n <= sizeof(s->greq_data));
		if (ev->data.n > 0) {
			memcpy(s->greq_data, ev->data.p, ev->data.n);
		}
		s->greq_len = ev->data.n;
		break;
	default:
		break;
	}
}

/* Feeds every record of from->out to `to`; each must be accepted. */
static void
deliver(struct side *from, struct side *to)
{
	struct chan_event ev;
	struct rd r;
	const uint8_t *p;
	size_t n;

	while (buf_len(&from->out) > 0) {
		rd_init(&r, buf_data(&from->out), buf_len(&from->out));
		assert_int_equal(rd_string(&r, &p, &n), 0);
		assert_int_equal(chan_input(&to->cs, p, n, &to->out), 0);
		while (chan_next_event(&to->cs, &ev)) {
			handle(to, &ev);
		}
		assert_int_equal(ev.type, CHAN_EV_NONE);
		buf_consume(&from->out, 4 + n);
	}
}

static void
run(struct side *a, struct side *b)
{
	while (buf_len(&a->out) > 0 || buf_len(&b->out) > 0) {
		deliver(a, b);
		deliver(b, a);
	}
}

/* Client opens a session which the server accepts; returns client id. */
static uint32_t
open_pair(struct side *c, struct side *s)
{
	uint32_t id;

	assert_int_equal(chan_open_session(&c->cs, &c->out, &id), 0);
	run(c, s);
	assert_int_equal(c->nev[CHAN_EV_OPEN_CONFIRMED], 1);
	assert_int_equal(s->nev[CHAN_EV_OPEN_REQUEST], 1);
	assert_int_equal(s->kind, CHAN_KIND_SESSION);
	return id;
}

static void
req_simple(struct side *c, uint32_t id, enum chan_req_type t, const char *arg,
           bool want_reply)
{
	struct chan_req q = {0};

	q.type = t;
	q.want_reply = want_reply;
	q.arg = chan_str_c(arg);
	if (t == CHAN_REQ_UNKNOWN) {
		q.name = chan_str_c(arg);
	}
	assert_int_equal(chan_request(&c->cs, id, &q, &c->out), 0);
}

/* Counts the records in a writer and checks each message type. */
static unsigned
count_records(const struct buf *b, int type)
{
	struct rd r;
	const uint8_t *p;
	size_t n;
	unsigned k = 0;

	rd_init(&r, buf_data(b), buf_len(b));
	while (rd_left(&r) > 0) {
		assert_int_equal(rd_string(&r, &p, &n), 0);
		assert_true(n > 0);
		if (type >= 0) {
			assert_int_equal(p[0], type);
		}
		k++;
	}
	return k;
}

/* The first record of a writer (a payload view). */
static void
first_record(const struct buf *b, const uint8_t **p, size_t *n)
{
	struct rd r;

	rd_init(&r, buf_data(b), buf_len(b));
	assert_int_equal(rd_string(&r, p, n), 0);
}

/* Field by field: the structs have padding. */
static void
modes_equal(const struct chan_pty_mode *a, const struct chan_pty_mode *b,
            size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(a[i].op, b[i].op);
		assert_int_equal(a[i].value, b[i].value);
	}
}

/* ---- tests ---- */

static void
test_open_session(void **state)
{
	struct side c, s;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	id = open_pair(&c, &s);
	assert_int_equal(id, 0);
	assert_int_equal(c.cs.nchan, 1);
	assert_int_equal(s.cs.nchan, 1);
	assert_int_equal(chan_send_room(&c.cs, id), CHAN_DEFAULT_WINDOW);
	assert_int_equal(chan_send_room(&s.cs, s.last_id), CHAN_DEFAULT_WINDOW);
	/* Nothing else happened. */
	assert_int_equal(c.nev[CHAN_EV_REQUEST], 0);
	side_clear(&c);
	side_clear(&s);
}

static void
test_refused_opens(void **state)
{
	struct side c, s;
	struct buf m;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	/* The server application refuses. */
	s.auto_accept = false;
	assert_int_equal(chan_open_session(&c.cs, &c.out, &id), 0);
	run(&c, &s);
	assert_int_equal(s.nev[CHAN_EV_OPEN_REQUEST], 1);
	assert_int_equal(chan_refuse(&s.cs, s.last_id,
	                             SSH2_OPEN_ADMINISTRATIVELY_PROHIBITED,
	                             "no sessions today", &s.out),
	                 0);
	assert_int_equal(s.cs.nchan, 0);
	run(&c, &s);
	assert_int_equal(c.nev[CHAN_EV_OPEN_FAILED], 1);
	assert_int_equal(c.fail_reason, SSH2_OPEN_ADMINISTRATIVELY_PROHIBITED);
	assert_string_equal(c.fail_text, "no sessions today");
	assert_int_equal(c.cs.nchan, 0);
	/* Answering twice is refused. */
	assert_int_equal(chan_accept(&s.cs, s.last_id, &s.out),
	                 SESH_ERR_INVALID_ARGUMENT);

	/* An unknown channel type: refused by the server at once. */
	buf_init(&m, 0);
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_CHANNEL_OPEN), 0);
	assert_int_equal(buf_put_cstring(&m, "x11"), 0);
	assert_int_equal(buf_put_u32(&m, 7), 0);
	assert_int_equal(buf_put_u32(&m, 1000), 0);
	assert_int_equal(buf_put_u32(&m, 1000), 0);
	assert_int_equal(buf_put_cstring(&m, "1.2.3.4"), 0);
	assert_int_equal(buf_put_u32(&m, 5), 0);
	assert_int_equal(chan_input(&s.cs, buf_data(&m), buf_len(&m), &s.out),
	                 0);
	assert_int_equal(count_records(&s.out, SSH2_MSG_CHANNEL_OPEN_FAILURE),
	                 1);
	buf_reset(&s.out);

	/* A client refuses sessions opened towards it. */
	buf_reset(&m);
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_CHANNEL_OPEN), 0);
	assert_int_equal(buf_put_cstring(&m, "session"), 0);
	assert_int_equal(buf_put_u32(&m, 3), 0);
	assert_int_equal(buf_put_u32(&m, 1000), 0);
	assert_int_equal(buf_put_u32(&m, 1000), 0);
	assert_int_equal(chan_input(&c.cs, buf_data(&m), buf_len(&m), &c.out),
	                 0);
	assert_int_equal(count_records(&c.out, SSH2_MSG_CHANNEL_OPEN_FAILURE),
	                 1);
	assert_int_equal(c.cs.nchan, 0);
	buf_clear(&m);
	side_clear(&c);
	side_clear(&s);
}

static void
test_direct_tcpip(void **state)
{
	struct side c, s;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	assert_int_equal(chan_open_direct_tcpip(&c.cs, "example.org", 80,
	                                        "127.0.0.1", 4711, &c.out, &id),
	                 0);
	run(&c, &s);
	assert_int_equal(s.kind, CHAN_KIND_DIRECT_TCPIP);
	assert_string_equal(s.dtcp_host, "example.org");
	assert_int_equal(s.dtcp_port, 80);
	assert_int_equal(c.nev[CHAN_EV_OPEN_CONFIRMED], 1);
	side_clear(&c);
	side_clear(&s);
}

static void
test_pty_shell(void **state)
{
	static const struct chan_pty_mode modes[] = {
	    {1, 3},
	    {53, 1},
	    {CHAN_TTY_OP_ISPEED, 38400},
	    {CHAN_TTY_OP_OSPEED, 38400}};
	struct chan_pty_mode got[8];
	struct side c, s;
	struct chan_req q = {0};
	struct buf mb;
	size_t count;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	id = open_pair(&c, &s);
	buf_init(&mb, 0);
	assert_int_equal(chan_pty_modes_build(modes, 4, &mb), 0);
	q.type = CHAN_REQ_PTY;
	q.want_reply = true;
	q.term = chan_str_c("xterm-256color");
	q.cols = 80;
	q.rows = 24;
	q.width_px = 640;
	q.height_px = 480;
	q.modes.p = buf_data(&mb);
	q.modes.n = buf_len(&mb);
	assert_int_equal(chan_request(&c.cs, id, &q, &c.out), 0);
	req_simple(&c, id, CHAN_REQ_SHELL, NULL, true);
	run(&c, &s);
	assert_int_equal(s.nreq, 2);
	assert_int_equal(s.req_types[0], CHAN_REQ_PTY);
	assert_int_equal(s.req_types[1], CHAN_REQ_SHELL);
	assert_string_equal(s.term, "xterm-256color");
	assert_int_equal(s.cols, 80);
	assert_int_equal(s.rows, 24);
	assert_int_equal(
	    chan_pty_modes_parse(s.modes, s.modes_len, got, 8, &count), 0);
	assert_int_equal(count, 4);
	modes_equal(got, modes, 4);
	assert_int_equal(c.nreply, 2);
	assert_true(c.reply_ok[0] && c.reply_ok[1]);
	assert_int_equal(c.reply_type[0], CHAN_REQ_PTY);
	assert_int_equal(c.reply_type[1], CHAN_REQ_SHELL);

	/* window-change without reply; then env refused by the server. */
	q.type = CHAN_REQ_WINDOW_CHANGE;
	q.want_reply = false;
	q.cols = 132;
	q.rows = 43;
	assert_int_equal(chan_request(&c.cs, id, &q, &c.out), 0);
	s.auto_reply = 0;
	memset(&q, 0, sizeof(q));
	q.type = CHAN_REQ_ENV;
	q.want_reply = true;
	q.arg = chan_str_c("LANG");
	q.value = chan_str_c("C.UTF-8");
	assert_int_equal(chan_request(&c.cs, id, &q, &c.out), 0);
	run(&c, &s);
	assert_int_equal(s.nreq, 4);
	assert_int_equal(s.req_types[2], CHAN_REQ_WINDOW_CHANGE);
	assert_int_equal(s.req_types[3], CHAN_REQ_ENV);
	assert_string_equal(s.arg, "LANG");
	assert_int_equal(c.nreply, 3);
	assert_false(c.reply_ok[2]);
	assert_int_equal(c.reply_type[2], CHAN_REQ_ENV);
	buf_clear(&mb);
	side_clear(&c);
	side_clear(&s);
}

/*
 * exec with data both ways, then the server ends the session in one of
 * several orders; order 3 has the client close first (CLOSEs cross).
 */
static void
exec_session(int order)
{
	static const uint8_t in[] = "input for the command";
	struct side c, s;
	struct chan_req q = {0};
	size_t sent;
	uint32_t id, sid;

	side_init(&c, false);
	side_init(&s, true);
	id = open_pair(&c, &s);
	sid = s.last_id;
	req_simple(&c, id, CHAN_REQ_EXEC, "uname -a", true);
	run(&c, &s);
	assert_string_equal(s.arg, "uname -a");
	assert_int_equal(c.nreply, 1);
	assert_true(c.reply_ok[0]);
	assert_int_equal(
	    chan_send_data(&c.cs, id, 0, in, sizeof(in), &c.out, &sent), 0);
	assert_int_equal(sent, sizeof(in));
	assert_int_equal(chan_send_eof(&c.cs, id, &c.out), 0);
	assert_int_equal(chan_send_data(&c.cs, id, 0, in, 1, &c.out, &sent),
	                 SESH_ERR_INVALID_ARGUMENT);
	run(&c, &s);
	assert_int_equal(buf_len(&s.data[0]), sizeof(in));
	assert_memory_equal(buf_data(&s.data[0]), in, sizeof(in));
	assert_int_equal(s.nev[CHAN_EV_EOF], 1);
	assert_int_equal(chan_send_data(&s.cs, sid, 0, (const uint8_t *)"out",
	                                3, &s.out, &sent),
	                 0);
	assert_int_equal(chan_send_data(&s.cs, sid, SSH2_EXTENDED_DATA_STDERR,
	                                (const uint8_t *)"error", 5, &s.out,
	                                &sent),
	                 0);
	assert_int_equal(sent, 5);
	q.type = CHAN_REQ_EXIT_STATUS;
	q.exit_status = 42;
	switch (order) {
	case 0: /* exit-status, EOF, CLOSE */
		assert_int_equal(chan_request(&s.cs, sid, &q, &s.out), 0);
		assert_int_equal(chan_send_eof(&s.cs, sid, &s.out), 0);
		assert_int_equal(chan_close(&s.cs, sid, &s.out), 0);
		break;
	case 1: /* EOF, exit-status, CLOSE */
		assert_int_equal(chan_send_eof(&s.cs, sid, &s.out), 0);
		assert_int_equal(chan_request(&s.cs, sid, &q, &s.out), 0);
		assert_int_equal(chan_close(&s.cs, sid, &s.out), 0);
		break;
	case 2: /* exit-status, CLOSE without EOF */
		assert_int_equal(chan_request(&s.cs, sid, &q, &s.out), 0);
		assert_int_equal(chan_close(&s.cs, sid, &s.out), 0);
		break;
	default: /* exit-status, then both close at once */
		assert_int_equal(chan_request(&s.cs, sid, &q, &s.out), 0);
		deliver(&s, &c);
		assert_int_equal(chan_close(&s.cs, sid, &s.out), 0);
		assert_int_equal(chan_close(&c.cs, id, &c.out), 0);
		break;
	}
	run(&c, &s);
	assert_int_equal(c.exit_status, 42);
	assert_int_equal(buf_len(&c.data[0]), 3);
	assert_memory_equal(buf_data(&c.data[0]), "out", 3);
	assert_int_equal(buf_len(&c.data[1]), 5);
	assert_memory_equal(buf_data(&c.data[1]), "error", 5);
	assert_int_equal(c.nev[CHAN_EV_EOF], order <= 1 ? 1 : 0);
	assert_int_equal(c.nev[CHAN_EV_CLOSED], 1);
	assert_int_equal(s.nev[CHAN_EV_CLOSED], 1);
	assert_int_equal(c.cs.nchan, 0);
	assert_int_equal(s.cs.nchan, 0);
	assert_int_equal(chan_send_room(&c.cs, id), 0);
	side_clear(&c);
	side_clear(&s);
}

static void
test_exec_orders(void **state)
{
	int order;

	(void)state;
	for (order = 0; order < 4; order++) {
		exec_session(order);
	}
}

static void
test_crossing_close(void **state)
{
	struct side c, s;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	id = open_pair(&c, &s);
	assert_int_equal(chan_close(&c.cs, id, &c.out), 0);
	assert_int_equal(chan_close(&c.cs, id, &c.out), 0); /* no-op */
	assert_int_equal(chan_close(&s.cs, s.last_id, &s.out), 0);
	assert_int_equal(count_records(&c.out, SSH2_MSG_CHANNEL_CLOSE), 1);
	/* Both CLOSEs cross: neither side answers again. */
	deliver(&c, &s);
	deliver(&s, &c);
	assert_int_equal(buf_len(&c.out), 0);
	assert_int_equal(buf_len(&s.out), 0);
	assert_int_equal(c.nev[CHAN_EV_CLOSED], 1);
	assert_int_equal(s.nev[CHAN_EV_CLOSED], 1);
	assert_int_equal(c.cs.nchan + s.cs.nchan, 0);
	/* The id is free again. */
	assert_int_equal(chan_open_session(&c.cs, &c.out, &id), 0);
	assert_int_equal(id, 0);
	side_clear(&c);
	side_clear(&s);
}

/* Sends total bytes from a to b over channel id through b's window. */
static void
transfer(struct side *a, struct side *b, uint32_t id, size_t total,
         uint32_t ext)
{
	uint8_t *src = malloc(total);
	size_t off = 0, sent, i;
	unsigned rounds = 0;

	assert_non_null(src);
	for (i = 0; i < total; i++) {
		src[i] = (uint8_t)(i * 131u + (i >> 11));
	}
	while (off < total) {
		assert_int_equal(chan_send_data(&a->cs, id, ext, src + off,
		                                total - off, &a->out, &sent),
		                 0);
		assert_true(sent > 0); /* the window reopened */
		off += sent;
		run(a, b);
		rounds++;
	}
	assert_int_equal(buf_len(&b->data[ext != 0]), total);
	assert_memory_equal(buf_data(&b->data[ext != 0]), src, total);
	assert_true(rounds > 1);
	free(src);
}

/* transfer() through chan_send_data_space/commit, each round filling a
 * varying prefix of the segments (as a short readv would). */
static void
transfer_space(struct side *a, struct side *b, uint32_t id, size_t total,
               uint32_t ext)
{
	uint8_t *src = malloc(total);
	struct chan_data_space sp;
	size_t off = 0, i, k, want, put, before;
	unsigned rounds = 0;

	assert_non_null(src);
	for (i = 0; i < total; i++) {
		src[i] = (uint8_t)(i * 131u + (i >> 11));
	}
	while (off < total) {
		want = total - off;
		before = chan_send_room(&a->cs, id);
		assert_int_equal(
		    chan_send_data_space(&a->cs, id, ext, want, &a->out, &sp),
		    0);
		assert_true(sp.nseg > 0); /* the window reopened */
		/* fill 1/3, 2/3 or all of what was laid out */
		for (i = 0, k = 0; i < sp.nseg; i++) {
			k += sp.seg_len[i];
		}
		assert_true(k <= want && k <= before);
		k = k * (1 + rounds % 3) / 3;
		if (rounds % 7 == 6) {
			/* nothing read: all undone, window untouched */
			assert_int_equal(
			    chan_send_data_commit(&a->cs, id, &a->out, &sp, 0),
			    0);
			assert_int_equal(chan_send_room(&a->cs, id), before);
			rounds++;
			continue;
		}
		if (k == 0) {
			k = 1;
		}
		for (i = 0, put = 0; put < k; i++) {
			size_t t =
			    k - put < sp.seg_len[i] ? k - put : sp.seg_len[i];

			memcpy(sp.seg[i], src + off + put, t);
			put += t;
		}
		assert_int_equal(
		    chan_send_data_commit(&a->cs, id, &a->out, &sp, k), 0);
		assert_int_equal(chan_send_room(&a->cs, id), before - k);
		off += k;
		run(a, b);
		rounds++;
	}
	assert_int_equal(buf_len(&b->data[ext != 0]), total);
	assert_memory_equal(buf_data(&b->data[ext != 0]), src, total);
	free(src);
}

static void
test_large_transfer_space(void **state)
{
	struct side c, s;
	struct chan_data_space sp;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	assert_int_equal(chan_set_params(&c.cs, 50000, 1000), 0);
	assert_int_equal(chan_set_params(&s.cs, 65536, 4096), 0);
	assert_int_equal(chan_set_window_cap(&c.cs, 50000), 0);
	assert_int_equal(chan_set_window_cap(&s.cs, 65536), 0);
	id = open_pair(&c, &s);
	transfer_space(&c, &s, id, 3u * 1024u * 1024u + 5u, 0);
	assert_int_equal(s.max_chunk, 4096);
	transfer_space(&s, &c, s.last_id, 1024u * 1024u + 17u,
	               SSH2_EXTENDED_DATA_STDERR);
	assert_int_equal(c.max_chunk, 1000);
	/* more than was laid out is refused and undone */
	assert_int_equal(chan_send_data_space(&c.cs, id, 0, 10, &c.out, &sp),
	                 0);
	if (sp.nseg > 0) {
		size_t len = sp.start;

		assert_int_equal(
		    chan_send_data_commit(&c.cs, id, &c.out, &sp, 11),
		    SESH_ERR_INVALID_ARGUMENT);
		assert_int_equal(buf_len(&c.out), len);
	}
	/* unknown channel */
	assert_int_equal(chan_send_data_space(&c.cs, 99, 0, 10, &c.out, &sp),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sp.nseg, 0);
	side_clear(&c);
	side_clear(&s);
}

static void
test_large_transfer(void **state)
{
	struct side c, s;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	/* Small windows and packets both ways. */
	assert_int_equal(chan_set_params(&c.cs, 50000, 1000), 0);
	assert_int_equal(chan_set_params(&s.cs, 65536, 4096), 0);
	/* windows that stay small (growth: test_window_grows) */
	assert_int_equal(chan_set_window_cap(&c.cs, 50000), 0);
	assert_int_equal(chan_set_window_cap(&s.cs, 65536), 0);
	id = open_pair(&c, &s);
	transfer(&c, &s, id, 10u * 1024u * 1024u, 0);
	assert_int_equal(s.max_chunk, 4096);
	assert_true(c.nev[CHAN_EV_WINDOW] > 100);
	transfer(&s, &c, s.last_id, 3u * 1024u * 1024u + 17u,
	         SSH2_EXTENDED_DATA_STDERR);
	assert_int_equal(c.max_chunk, 1000);
	side_clear(&c);
	side_clear(&s);
}

/* One message per call at most the peer's max packet, never beyond the
 * window; what does not fit is left for later. */
static void
test_max_packet_and_window(void **state)
{
	static uint8_t big[10000];
	struct side c, s;
	size_t sent;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	assert_int_equal(chan_set_params(&s.cs, 2500, 100), 0);
	id = open_pair(&c, &s);
	assert_int_equal(chan_send_room(&c.cs, id), 2500);
	assert_int_equal(
	    chan_send_data(&c.cs, id, 0, big, sizeof(big), &c.out, &sent), 0);
	assert_int_equal(sent, 2500);
	assert_int_equal(count_records(&c.out, SSH2_MSG_CHANNEL_DATA), 25);
	assert_int_equal(
	    chan_send_data(&c.cs, id, 0, big, sizeof(big), &c.out, &sent), 0);
	assert_int_equal(sent, 0);
	assert_int_equal(chan_send_room(&c.cs, id), 0);
	/* Nothing consumed: the window stays shut. */
	s.auto_consume = false;
	run(&c, &s);
	assert_int_equal(buf_len(&s.data[0]), 2500);
	assert_int_equal(chan_send_room(&c.cs, id), 0);
	/* Coalescing: below half the window, no adjust. */
	assert_int_equal(chan_consumed(&s.cs, s.last_id, 1000, &s.out), 0);
	assert_int_equal(buf_len(&s.out), 0);
	assert_int_equal(chan_consumed(&s.cs, s.last_id, 249, &s.out), 0);
	assert_int_equal(buf_len(&s.out), 0);
	assert_int_equal(chan_consumed(&s.cs, s.last_id, 1, &s.out), 0);
	assert_int_equal(count_records(&s.out, SSH2_MSG_CHANNEL_WINDOW_ADJUST),
	                 1);
	/* More than was received is refused. */
	assert_int_equal(chan_consumed(&s.cs, s.last_id, 1251, &s.out),
	                 SESH_ERR_INVALID_ARGUMENT);
	run(&c, &s);
	assert_int_equal(chan_send_room(&c.cs, id), 1250);
	assert_int_equal(c.nev[CHAN_EV_WINDOW], 1);
	side_clear(&c);
	side_clear(&s);
}

static void
put_data_msg(struct buf *m, uint32_t id, size_t n)
{
	static const uint8_t zeros[4096];

	buf_reset(m);
	assert_true(n <= sizeof(zeros));
	assert_int_equal(buf_put_u8(m, SSH2_MSG_CHANNEL_DATA), 0);
	assert_int_equal(buf_put_u32(m, id), 0);
	assert_int_equal(buf_put_string(m, zeros, n), 0);
}

static int
feed(struct side *s, const struct buf *m)
{
	struct chan_event ev;
	int ret = chan_input(&s->cs, buf_data(m), buf_len(m), &s->out);

	while (chan_next_event(&s->cs, &ev)) {
		handle(s, &ev);
	}
	return ret;
}

static void
test_overrun_and_eof(void **state)
{
	struct side c, s;
	struct buf m;
	uint32_t sid;

	(void)state;
	buf_init(&m, 0);
	side_init(&c, false);
	side_init(&s, true);
	assert_int_equal(chan_set_params(&s.cs, 1000, 500), 0);
	(void)open_pair(&c, &s);
	sid = s.last_id;
	s.auto_consume = false;
	put_data_msg(&m, sid, 1001);
	assert_int_equal(feed(&s, &m), SESH_ERR_PROTOCOL);
	put_data_msg(&m, sid, 1000); /* bigger than max packet: tolerated */
	assert_int_equal(feed(&s, &m), 0);
	put_data_msg(&m, sid, 1);
	assert_int_equal(feed(&s, &m), SESH_ERR_PROTOCOL);
	side_clear(&c);
	side_clear(&s);

	/* Data after EOF. */
	side_init(&c, false);
	side_init(&s, true);
	(void)open_pair(&c, &s);
	sid = s.last_id;
	assert_int_equal(chan_send_eof(&c.cs, 0, &c.out), 0);
	run(&c, &s);
	put_data_msg(&m, sid, 0);
	assert_int_equal(feed(&s, &m), SESH_ERR_PROTOCOL);
	/* A repeated EOF is harmless. */
	buf_reset(&m);
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_CHANNEL_EOF), 0);
	assert_int_equal(buf_put_u32(&m, sid), 0);
	assert_int_equal(feed(&s, &m), 0);
	assert_int_equal(s.nev[CHAN_EV_EOF], 1);
	/* Window overflow. */
	buf_reset(&m);
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_CHANNEL_WINDOW_ADJUST), 0);
	assert_int_equal(buf_put_u32(&m, sid), 0);
	assert_int_equal(buf_put_u32(&m, UINT32_MAX), 0);
	assert_int_equal(feed(&s, &m), SESH_ERR_PROTOCOL);
	buf_clear(&m);
	side_clear(&c);
	side_clear(&s);
}

/* ---- window growth ---- */

#define WP_CHUNK (256u * 1024u)

/*
 * A peer on a long path whose sending is bound by the window: each round
 * it sends all its window to the side (raw DATA messages), then, a round
 * trip later, reads what the side sent meanwhile: adjusts open its window
 * (checked as OpenSSH does: past 2^32 - 1 is fatal), probes (channel
 * requests with want_reply) get FAILURE.
 */
struct wpeer {
	struct side *s;
	uint32_t sid;      /* the side's channel id */
	uint64_t rwin;     /* the peer's view of the side's window */
	uint64_t max_rwin; /* the largest it was */
	unsigned probes;   /* probes seen */
	uint64_t held;     /* delivered to the side's app, not consumed */
	uint64_t max_held;
	struct buf m, in;
};

static void
wpeer_init(struct wpeer *w, struct side *s, uint32_t sid)
{
	memset(w, 0, sizeof(*w));
	w->s = s;
	w->sid = sid;
	w->rwin = chan_recv_window(&s->cs, sid);
	w->max_rwin = w->rwin;
	buf_init(&w->m, 0);
	buf_init(&w->in, 0);
}

static void
wpeer_clear(struct wpeer *w)
{
	buf_clear(&w->m);
	buf_clear(&w->in);
}

/* The side's records since the last call, as the peer reads them. */
static void
wpeer_read(struct wpeer *w)
{
	const uint8_t *p, *name;
	size_t n, name_n;
	uint32_t rid, add;
	uint8_t type;
	bool want;
	struct rd r, q;

	buf_reset(&w->in);
	assert_int_equal(
	    buf_put(&w->in, buf_data(&w->s->out), buf_len(&w->s->out)), 0);
	buf_reset(&w->s->out);
	rd_init(&r, buf_data(&w->in), buf_len(&w->in));
	while (rd_left(&r) > 0) {
		assert_int_equal(rd_string(&r, &p, &n), 0);
		rd_init(&q, p, n);
		assert_int_equal(rd_u8(&q, &type), 0);
		assert_int_equal(rd_u32(&q, &rid), 0);
		if (type == SSH2_MSG_CHANNEL_WINDOW_ADJUST) {
			assert_int_equal(rd_u32(&q, &add), 0);
			assert_true(add > 0);
			w->rwin += add;
			/* OpenSSH: "adjust overflows remote window" */
			assert_true(w->rwin <= UINT32_MAX);
			if (w->rwin > w->max_rwin) {
				w->max_rwin = w->rwin;
			}
			continue;
		}
		assert_int_equal(type, SSH2_MSG_CHANNEL_REQUEST);
		assert_int_equal(rd_string(&q, &name, &name_n), 0);
		assert_int_equal(rd_bool(&q, &want), 0);
		assert_int_equal(rd_end(&q), 0);
		assert_true(want);
		assert_int_equal(name_n, strlen("keepalive@openssh.com"));
		assert_memory_equal(name, "keepalive@openssh.com", name_n);
		w->probes++;
		buf_reset(&w->m);
		assert_int_equal(buf_put_u8(&w->m, SSH2_MSG_CHANNEL_FAILURE),
		                 0);
		assert_int_equal(buf_put_u32(&w->m, w->sid), 0);
		assert_int_equal(feed(w->s, &w->m), 0);
		/* the answer is the module's own: no event for it */
		assert_int_equal(w->s->nev[CHAN_EV_REQUEST_REPLY], 0);
	}
}

/* The peer sends its whole window (at most *left bytes). */
static void
wpeer_send(struct wpeer *w, uint64_t *left)
{
	static const uint8_t zeros[WP_CHUNK];
	size_t n;

	while (w->rwin > 0 && *left > 0) {
		n = WP_CHUNK;
		if (n > w->rwin) {
			n = (size_t)w->rwin;
		}
		if (n > *left) {
			n = (size_t)*left;
		}
		buf_reset(&w->m);
		assert_int_equal(buf_put_u8(&w->m, SSH2_MSG_CHANNEL_DATA), 0);
		assert_int_equal(buf_put_u32(&w->m, w->sid), 0);
		assert_int_equal(buf_put_string(&w->m, zeros, n), 0);
		assert_int_equal(feed(w->s, &w->m), 0);
		w->rwin -= n;
		*left -= n;
		if (!w->s->auto_consume) {
			w->held += n;
			if (w->held > w->max_held) {
				w->max_held = w->held;
			}
		}
		/* never more than advertised, never above the cap */
		assert_true(w->held <= chan_recv_window(&w->s->cs, w->sid));
	}
}

/* The side's application consumes n of what it holds. */
static void
wpeer_consume(struct wpeer *w, uint64_t n)
{
	assert_true(n <= w->held);
	assert_int_equal(
	    chan_consumed(&w->s->cs, w->sid, (size_t)n, &w->s->out), 0);
	w->held -= n;
}

/* A server side with a channel open from a client; its id. */
static uint32_t
growth_pair(struct side *c, struct side *s)
{
	side_init(c, false);
	side_init(s, true);
	s->discard = true;
	(void)open_pair(c, s);
	return s->last_id;
}

/* A window-bound peer and a prompt consumer: the window doubles per
 * probe up to the cap, exactly, and stays there; the peer's window never
 * goes beyond it. */
static void
test_window_grows(void **state)
{
	struct side c, s;
	struct wpeer w;
	uint64_t left = 200ull << 20;
	uint32_t sid, win, seen[8];
	unsigned nseen = 0, rounds = 0;

	(void)state;
	sid = growth_pair(&c, &s);
	assert_int_equal(chan_recv_window(&s.cs, sid), CHAN_DEFAULT_WINDOW);
	wpeer_init(&w, &s, sid);
	seen[nseen++] = CHAN_DEFAULT_WINDOW;
	while (left > 0) {
		wpeer_send(&w, &left);
		wpeer_read(&w);
		rounds++;
		win = chan_recv_window(&s.cs, sid);
		assert_true(win <= CHAN_MAX_WINDOW);
		if (win != seen[nseen - 1]) {
			assert_true(nseen < 8);
			assert_int_equal(win,
			                 2u * seen[nseen - 1]); /* doubles */
			seen[nseen++] = win;
		}
	}
	assert_int_equal(nseen, 4); /* 2, 4, 8, 16 MiB */
	assert_int_equal(seen[3], CHAN_MAX_WINDOW);
	assert_true(w.max_rwin <= CHAN_MAX_WINDOW);
	assert_true(w.max_rwin > CHAN_MAX_WINDOW / 2);
	/* probes stop at the cap: at most a couple per doubling */
	assert_true(w.probes >= 3 && w.probes <= 8);
	assert_true(rounds > 10);
	wpeer_clear(&w);
	side_clear(&c);
	side_clear(&s);
}

/* A consumer that lags gives no window back promptly: no probe, no
 * growth, and what it holds never exceeds the window advertised. */
static void
test_window_stays_when_consumer_lags(void **state)
{
	struct side c, s;
	struct wpeer w;
	uint64_t left;
	uint32_t sid;
	int mode;

	(void)state;
	for (mode = 0; mode < 2; mode++) {
		sid = growth_pair(&c, &s);
		s.auto_consume = false;
		wpeer_init(&w, &s, sid);
		left = 64ull << 20;
		while (left > 0) {
			wpeer_send(&w, &left);
			if (mode == 0) {
				/* all of it, late: after the peer ran dry */
				wpeer_consume(&w, w.held);
			} else {
				/* a slow consumer: a bit per round */
				wpeer_consume(&w, w.held < 300000 ? w.held
				                                  : 300000);
			}
			wpeer_read(&w);
			assert_int_equal(chan_recv_window(&s.cs, sid),
			                 CHAN_DEFAULT_WINDOW);
		}
		assert_int_equal(w.probes, 0);
		assert_true(w.max_held <= CHAN_DEFAULT_WINDOW);
		assert_true(w.max_rwin <= CHAN_DEFAULT_WINDOW);
		wpeer_clear(&w);
		side_clear(&c);
		side_clear(&s);
	}
}

/* The probe rule message by message: the probe rides on an adjust; its
 * answer grows the window only if the peer had used most of the window
 * by then and the consumer keeps up. */
static void
test_window_probe_rule(void **state)
{
	struct side c, s;
	struct wpeer w;
	uint64_t left;
	uint32_t sid;
	int kase;

	(void)state;
	for (kase = 0; kase < 3; kase++) {
		sid = growth_pair(&c, &s);
		wpeer_init(&w, &s, sid);
		/* half the window, consumed at once: adjust + probe */
		left = CHAN_DEFAULT_WINDOW / 2;
		wpeer_send(&w, &left);
		assert_int_equal(count_records(&s.out, -1), 2);
		/* the peer (not yet having the adjust) sends more */
		if (kase == 0) {
			left = CHAN_DEFAULT_WINDOW / 2; /* all it had */
		} else if (kase == 1) {
			left = CHAN_DEFAULT_WINDOW / 4; /* half of it */
		} else {
			left = CHAN_DEFAULT_WINDOW / 2; /* all, not consumed */
			s.auto_consume = false;
		}
		wpeer_send(&w, &left);
		wpeer_read(&w); /* adjusts, then the probe's answer */
		assert_int_equal(w.probes, 1);
		assert_int_equal(chan_recv_window(&s.cs, sid),
		                 kase == 0 ? 2u * CHAN_DEFAULT_WINDOW
		                           : CHAN_DEFAULT_WINDOW);
		/* growth is given at once, with the next probe */
		assert_int_equal(count_records(&s.out, -1), kase == 0 ? 2 : 0);
		wpeer_read(&w);
		assert_true(w.rwin <= chan_recv_window(&s.cs, sid) - w.held);
		wpeer_clear(&w);
		side_clear(&c);
		side_clear(&s);
	}
}

/*
 * The driver's socket holds a backlog (chan_set_input_queued above half
 * of the window, CHAN_BEHIND_DIVISOR): the receiver, not the path, is behind,
 * so a window-bound peer does not make the window grow (no probe is sent
 * then); once the backlog is gone it grows to the cap as usual. What the
 * socket held all through a probe's round trip does not count as the
 * peer's use of its window.
 */
static void
test_window_stays_when_input_behind(void **state)
{
	struct side c, s;
	struct wpeer w;
	uint64_t left;
	uint32_t sid;
	int round;

	(void)state;
	/* behind all along: no probe, no growth */
	sid = growth_pair(&c, &s);
	wpeer_init(&w, &s, sid);
	chan_set_input_queued(&s.cs,
	                      CHAN_DEFAULT_WINDOW / CHAN_BEHIND_DIVISOR + 1);
	left = 64ull << 20;
	while (left > 0) {
		wpeer_send(&w, &left);
		wpeer_read(&w);
		assert_int_equal(chan_recv_window(&s.cs, sid),
		                 CHAN_DEFAULT_WINDOW);
	}
	assert_int_equal(w.probes, 0);
	assert_true(w.max_rwin <= CHAN_DEFAULT_WINDOW);
	/* the backlog is gone: doubles per probe up to the cap */
	chan_set_input_queued(&s.cs, 0);
	left = 200ull << 20;
	while (left > 0) {
		wpeer_send(&w, &left);
		wpeer_read(&w);
	}
	assert_int_equal(chan_recv_window(&s.cs, sid), CHAN_MAX_WINDOW);
	assert_true(w.probes >= 3);
	wpeer_clear(&w);
	side_clear(&c);
	side_clear(&s);

	/* behind when the adjust goes: no probe with it; none either while
	 * still behind; once caught up, the next consumption sends an
	 * adjust of what it freed with the probe */
	sid = growth_pair(&c, &s);
	s.auto_consume = false;
	wpeer_init(&w, &s, sid);
	chan_set_input_queued(&s.cs, CHAN_DEFAULT_WINDOW);
	left = CHAN_DEFAULT_WINDOW / 2;
	wpeer_send(&w, &left);
	wpeer_consume(&w, CHAN_DEFAULT_WINDOW / 2);
	assert_int_equal(count_records(&s.out, -1), 1); /* the adjust */
	left = 4096;
	wpeer_send(&w, &left);
	wpeer_consume(&w, 4096);
	assert_int_equal(count_records(&s.out, -1), 1);
	chan_set_input_queued(&s.cs, 0);
	left = 4096;
	wpeer_send(&w, &left);
	wpeer_consume(&w, 4096);
	assert_int_equal(count_records(&s.out, -1), 3); /* adjust + probe */
	left = 4096;
	wpeer_send(&w, &left);
	wpeer_consume(&w, 4096);
	assert_int_equal(count_records(&s.out, -1), 3); /* one, not more */
	wpeer_read(&w);
	assert_int_equal(w.probes, 1);
	wpeer_clear(&w);
	side_clear(&c);
	side_clear(&s);

	/*
	 * One probe, the peer using all its window (1 MiB) before it reads
	 * the adjust; the socket's backlog when the probe goes out and when
	 * the answer is read. What the socket held all along (its least)
	 * was our queue, not the path, and is taken off what the peer sent;
	 * the rest must reach 7/8 of the 1 MiB (896 KiB). Rounds: 0, empty
	 * at the probe, over half the window at the answer (a burst off a
	 * long path): it grows; 1, 200 KiB then 300 KiB: 824 KiB, no growth;
	 * 2, 200 KiB then drained: it grows; 3, 100 KiB then 150 KiB: 924
	 * KiB, it grows; 4, half the window and more, never drained (a slow
	 * receiver): no growth.
	 */
	for (round = 0; round < 5; round++) {
		static const size_t q_send[5] = {
		    0, 200u << 10, 200u << 10, 100u << 10,
		    CHAN_DEFAULT_WINDOW / CHAN_BEHIND_DIVISOR};
		static const size_t q_answer[5] = {
		    CHAN_DEFAULT_WINDOW / CHAN_BEHIND_DIVISOR + 1, 300u << 10,
		    0, 150u << 10,
		    CHAN_DEFAULT_WINDOW / CHAN_BEHIND_DIVISOR + 1};
		bool grows = round == 0 || round == 2 || round == 3;

		sid = growth_pair(&c, &s);
		wpeer_init(&w, &s, sid);
		chan_set_input_queued(&s.cs, q_send[round]);
		left = CHAN_DEFAULT_WINDOW / 2;
		wpeer_send(&w, &left); /* adjust + probe */
		assert_int_equal(count_records(&s.out, -1), 2);
		left = CHAN_DEFAULT_WINDOW / 2; /* all the peer had */
		wpeer_send(&w, &left);
		chan_set_input_queued(&s.cs, q_answer[round]);
		wpeer_read(&w); /* the adjust, then the probe's answer */
		assert_int_equal(w.probes, 1);
		assert_int_equal(chan_recv_window(&s.cs, sid),
		                 grows ? 2u * CHAN_DEFAULT_WINDOW
		                       : CHAN_DEFAULT_WINDOW);
		wpeer_clear(&w);
		side_clear(&c);
		side_clear(&s);
	}
}

/* Growth near 2^32: the cap is reached exactly and no adjust makes the
 * peer's window overflow a uint32 (which OpenSSH refuses). */
static void
test_window_cap_no_overflow(void **state)
{
	struct side c, s;
	struct wpeer w;
	uint64_t left = 5ull << 30;
	uint32_t sid;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	s.discard = true;
	assert_int_equal(chan_set_window_cap(&s.cs, 0),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(chan_set_window_cap(&s.cs, UINT32_MAX), 0);
	assert_int_equal(chan_set_params(&s.cs, 0x90000000u, 32768), 0);
	(void)open_pair(&c, &s);
	sid = s.last_id;
	wpeer_init(&w, &s, sid);
	assert_int_equal(w.rwin, 0x90000000u);
	while (left > 0) {
		wpeer_send(&w, &left);
		wpeer_read(&w);
	}
	assert_int_equal(chan_recv_window(&s.cs, sid), UINT32_MAX);
	assert_int_equal(w.max_rwin, UINT32_MAX);
	wpeer_clear(&w);
	side_clear(&c);
	side_clear(&s);

	/* A cap at the window: no growth, no probes. */
	sid = growth_pair(&c, &s);
	side_clear(&c);
	side_clear(&s);
	side_init(&c, false);
	side_init(&s, true);
	s.discard = true;
	assert_int_equal(chan_set_window_cap(&s.cs, CHAN_DEFAULT_WINDOW), 0);
	(void)open_pair(&c, &s);
	sid = s.last_id;
	wpeer_init(&w, &s, sid);
	left = 64ull << 20;
	while (left > 0) {
		wpeer_send(&w, &left);
		wpeer_read(&w);
	}
	assert_int_equal(w.probes, 0);
	assert_int_equal(chan_recv_window(&s.cs, sid), CHAN_DEFAULT_WINDOW);
	wpeer_clear(&w);
	side_clear(&c);
	side_clear(&s);
}

static void
test_eow_and_unknown_requests(void **state)
{
	struct side c, s;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	id = open_pair(&c, &s);
	/* eow@openssh.com: never with want_reply, never answered. */
	req_simple(&c, id, CHAN_REQ_EOW, NULL, true);
	deliver(&c, &s);
	assert_int_equal(s.nreq, 1);
	assert_int_equal(s.req_types[0], CHAN_REQ_EOW);
	assert_int_equal(buf_len(&s.out), 0);
	/* The application holds its answer to exec; an unknown request and
	 * a keepalive are answered FAILURE, but only after it. */
	s.auto_reply = -1;
	req_simple(&c, id, CHAN_REQ_EXEC, "true", true);
	req_simple(&c, id, CHAN_REQ_UNKNOWN, "foo@example.org", true);
	req_simple(&c, id, CHAN_REQ_KEEPALIVE, NULL, true);
	req_simple(&c, id, CHAN_REQ_UNKNOWN, "bar@example.org", false);
	deliver(&c, &s);
	assert_int_equal(s.nreq, 2); /* only exec reached the application */
	assert_int_equal(buf_len(&s.out), 0);
	assert_int_equal(chan_reply(&s.cs, s.last_id, true, &s.out), 0);
	assert_int_equal(count_records(&s.out, -1), 3);
	assert_int_equal(chan_reply(&s.cs, s.last_id, true, &s.out),
	                 SESH_ERR_INVALID_ARGUMENT);
	run(&c, &s);
	assert_int_equal(c.nreply, 3);
	assert_true(c.reply_ok[0]);
	assert_int_equal(c.reply_type[0], CHAN_REQ_EXEC);
	assert_false(c.reply_ok[1]);
	assert_int_equal(c.reply_type[1], CHAN_REQ_UNKNOWN);
	assert_false(c.reply_ok[2]);
	assert_int_equal(c.reply_type[2], CHAN_REQ_KEEPALIVE);
	/* A client does not serve exec: FAILURE from it too. */
	req_simple(&s, s.last_id, CHAN_REQ_EXEC, "ls", true);
	run(&c, &s);
	assert_int_equal(c.nreq, 0);
	assert_int_equal(s.nreply, 1);
	assert_false(s.reply_ok[0]);
	side_clear(&c);
	side_clear(&s);
}

static void
test_exit_signal(void **state)
{
	struct side c, s;
	struct chan_req q = {0};

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	(void)open_pair(&c, &s);
	q.type = CHAN_REQ_EXIT_SIGNAL;
	q.arg = chan_str_c("KILL");
	q.core_dumped = true;
	q.msg = chan_str_c("killed");
	q.lang = chan_str_c("");
	assert_int_equal(chan_request(&s.cs, s.last_id, &q, &s.out), 0);
	run(&c, &s);
	assert_int_equal(c.nreq, 1);
	assert_int_equal(c.req_types[0], CHAN_REQ_EXIT_SIGNAL);
	assert_string_equal(c.arg, "KILL");
	side_clear(&c);
	side_clear(&s);
}

static void
test_global_requests(void **state)
{
	struct side c, s;
	struct buf m;
	const uint8_t *p;
	size_t n;
	uint32_t id;
	unsigned i;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	buf_init(&m, 0);
	assert_int_equal(
	    chan_global_request(&c.cs, "keepalive@openssh.com", true, &c.out),
	    0);
	assert_int_equal(
	    chan_global_request(&c.cs, "foo@example.org", false, &c.out), 0);
	run(&c, &s);
	assert_int_equal(c.nglobal, 1);
	assert_false(c.global_ok[0]);
	/* Pending replies are bounded. */
	for (i = 0; i < CHAN_MAX_PENDING; i++) {
		assert_int_equal(
		    chan_global_request(&c.cs, "x@y", true, &c.out), 0);
	}
	assert_int_equal(chan_global_request(&c.cs, "x@y", true, &c.out),
	                 SESH_ERR_LIMIT);
	run(&c, &s);
	assert_int_equal(c.nglobal, 1 + CHAN_MAX_PENDING);
	/* A reply with nothing pending. */
	buf_reset(&m);
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_REQUEST_FAILURE), 0);
	assert_int_equal(feed(&c, &m), SESH_ERR_PROTOCOL);
	/* hostkeys-00 from the server: ignored by the client. */
	buf_reset(&m);
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_GLOBAL_REQUEST), 0);
	assert_int_equal(buf_put_cstring(&m, "hostkeys-00@openssh.com"), 0);
	assert_int_equal(buf_put_bool(&m, false), 0);
	assert_int_equal(buf_put_cstring(&m, "some key blob"), 0);
	assert_int_equal(feed(&c, &m), 0);
	assert_int_equal(buf_len(&c.out), 0);
	/* no-more-sessions: a later session open is fatal. */
	assert_int_equal(chan_global_request(&c.cs,
	                                     "no-more-sessions@openssh.com",
	                                     false, &c.out),
	                 0);
	run(&c, &s);
	assert_true(s.cs.no_more_sessions);
	assert_int_equal(chan_open_session(&c.cs, &c.out, &id), 0);
	first_record(&c.out, &p, &n);
	assert_int_equal(chan_input(&s.cs, p, n, &s.out), SESH_ERR_PROTOCOL);
	buf_clear(&m);
	side_clear(&c);
	side_clear(&s);
}

/* A GLOBAL_REQUEST payload with raw request data. */
static void
global_msg(struct buf *m, const char *name, bool want_reply, const void *data,
           size_t n)
{
	buf_reset(m);
	assert_int_equal(buf_put_u8(m, SSH2_MSG_GLOBAL_REQUEST), 0);
	assert_int_equal(buf_put_cstring(m, name), 0);
	assert_int_equal(buf_put_bool(m, want_reply), 0);
	if (n > 0) {
		assert_int_equal(buf_put(m, data, n), 0);
	}
}

static void
test_global_request_events(void **state)
{
	static const uint8_t keys[] = {0, 0, 0, 3, 'k', 'e', 'y'};
	static const uint8_t sigs[] = {0, 0, 0, 3, 's', 'i', 'g'};
	struct side c, s;
	struct buf m;
	const uint8_t *p;
	size_t n;
	unsigned i;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	buf_init(&m, 0);
	/* hostkeys-00 with its data, as the server sends it */
	assert_int_equal(
	    chan_global_request_data(&s.cs, "hostkeys-00@openssh.com", false,
	                             keys, sizeof(keys), &s.out),
	    0);
	global_msg(&m, "hostkeys-00@openssh.com", false, keys, sizeof(keys));
	first_record(&s.out, &p, &n);
	assert_int_equal(n, buf_len(&m));
	assert_memory_equal(p, buf_data(&m), n);
	run(&s, &c);
	assert_int_equal(buf_len(&c.out), 0); /* no reply owed */
	assert_int_equal(c.nev[CHAN_EV_GLOBAL_REQUEST], 1);
	assert_string_equal(c.greq_name, "hostkeys-00@openssh.com");
	assert_int_equal(c.greq_len, sizeof(keys));
	assert_memory_equal(c.greq_data, keys, sizeof(keys));
	/* with want_reply (not OpenSSH's form): refused, no event */
	global_msg(&m, "hostkeys-00@openssh.com", true, keys, sizeof(keys));
	assert_int_equal(feed(&c, &m), 0);
	assert_int_equal(c.nev[CHAN_EV_GLOBAL_REQUEST], 1);
	assert_int_equal(count_records(&c.out, SSH2_MSG_REQUEST_FAILURE), 1);
	buf_reset(&c.out);
	assert_int_equal(
	    chan_global_request_data(&s.cs, "x", false, NULL, 1, &s.out),
	    SESH_ERR_INVALID_ARGUMENT);

	/* hostkeys-prove: an event; then a keepalive and no-more-sessions
	 * wait behind the reply the application owes */
	assert_int_equal(
	    chan_global_request_data(&c.cs, "hostkeys-prove-00@openssh.com",
	                             true, keys, sizeof(keys), &c.out),
	    0);
	assert_int_equal(
	    chan_global_request(&c.cs, "keepalive@openssh.com", true, &c.out),
	    0);
	assert_int_equal(chan_global_request(&c.cs,
	                                     "no-more-sessions@openssh.com",
	                                     true, &c.out),
	                 0);
	deliver(&c, &s);
	assert_int_equal(s.nev[CHAN_EV_GLOBAL_REQUEST], 1);
	assert_string_equal(s.greq_name, "hostkeys-prove-00@openssh.com");
	assert_int_equal(s.greq_len, sizeof(keys));
	assert_memory_equal(s.greq_data, keys, sizeof(keys));
	assert_int_equal(buf_len(&s.out), 0); /* nothing overtakes it */
	assert_true(s.cs.no_more_sessions);   /* acted on, reply queued */
	/* a failure carries no data */
	assert_int_equal(
	    chan_global_reply(&s.cs, false, sigs, sizeof(sigs), &s.out),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(
	    chan_global_reply(&s.cs, true, sigs, sizeof(sigs), &s.out), 0);
	assert_int_equal(count_records(&s.out, -1), 3);
	run(&s, &c);
	assert_int_equal(c.nglobal, 3);
	assert_true(c.global_ok[0]);  /* the proof, first */
	assert_false(c.global_ok[1]); /* keepalive */
	assert_true(c.global_ok[2]);  /* no-more-sessions */
	assert_int_equal(c.greply_len, 0);
	/* nothing owed any more */
	assert_int_equal(chan_global_reply(&s.cs, true, NULL, 0, &s.out),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(chan_global_reply(&s.cs, false, NULL, 0, &s.out),
	                 SESH_ERR_INVALID_ARGUMENT);

	/* the proof's data reaches the client's GLOBAL_REPLY event */
	assert_int_equal(
	    chan_global_request_data(&c.cs, "hostkeys-prove-00@openssh.com",
	                             true, keys, sizeof(keys), &c.out),
	    0);
	run(&c, &s);
	assert_int_equal(s.nev[CHAN_EV_GLOBAL_REQUEST], 2);
	assert_int_equal(
	    chan_global_reply(&s.cs, true, sigs, sizeof(sigs), &s.out), 0);
	run(&s, &c);
	assert_int_equal(c.nglobal, 4);
	assert_true(c.global_ok[3]);
	assert_int_equal(c.greply_len, sizeof(sigs));
	assert_memory_equal(c.greply, sigs, sizeof(sigs));
	/* an unanswered proof with no automatic reply behind it: the
	 * application's FAILURE goes alone */
	global_msg(&m, "hostkeys-prove-00@openssh.com", true, NULL, 0);
	assert_int_equal(feed(&s, &m), 0);
	assert_int_equal(s.nev[CHAN_EV_GLOBAL_REQUEST], 3);
	assert_int_equal(s.greq_len, 0);
	assert_int_equal(chan_global_reply(&s.cs, false, NULL, 0, &s.out), 0);
	assert_int_equal(count_records(&s.out, SSH2_MSG_REQUEST_FAILURE), 1);
	buf_reset(&s.out);

	/* without want_reply: no event, no answer */
	global_msg(&m, "hostkeys-prove-00@openssh.com", false, keys,
	           sizeof(keys));
	assert_int_equal(feed(&s, &m), 0);
	assert_int_equal(s.nev[CHAN_EV_GLOBAL_REQUEST], 3);
	assert_int_equal(buf_len(&s.out), 0);
	/* to a client: an unknown request, FAILURE at once */
	global_msg(&m, "hostkeys-prove-00@openssh.com", true, keys,
	           sizeof(keys));
	assert_int_equal(feed(&c, &m), 0);
	assert_int_equal(c.nev[CHAN_EV_GLOBAL_REQUEST], 1); /* hostkeys-00 */
	assert_int_equal(count_records(&c.out, SSH2_MSG_REQUEST_FAILURE), 1);
	buf_reset(&c.out);

	/* owed replies are bounded: one owed by the application and
	 * CHAN_MAX_PENDING - 1 queued behind it, then SESH_ERR_LIMIT */
	assert_int_equal(feed(&s, &m), 0);
	assert_int_equal(s.nev[CHAN_EV_GLOBAL_REQUEST], 4);
	global_msg(&m, "keepalive@openssh.com", true, NULL, 0);
	for (i = 1; i < CHAN_MAX_PENDING; i++) {
		assert_int_equal(feed(&s, &m), 0);
	}
	assert_int_equal(buf_len(&s.out), 0);
	assert_int_equal(feed(&s, &m), SESH_ERR_LIMIT);
	global_msg(&m, "hostkeys-prove-00@openssh.com", true, keys,
	           sizeof(keys));
	assert_int_equal(feed(&s, &m), SESH_ERR_LIMIT);
	assert_int_equal(chan_global_reply(&s.cs, true, NULL, 0, &s.out), 0);
	assert_int_equal(count_records(&s.out, -1), CHAN_MAX_PENDING);
	first_record(&s.out, &p, &n);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], SSH2_MSG_REQUEST_SUCCESS);
	buf_clear(&m);
	side_clear(&c);
	side_clear(&s);
}

/* A writer error while the queue drains leaves the rest queued; the
 * next answer sends it first, still in order. */
static void
test_global_reply_writer_error(void **state)
{
	struct side s;
	struct buf m;
	const uint8_t *p;
	size_t n, max;

	(void)state;
	side_init(&s, true);
	buf_init(&m, 0);
	global_msg(&m, "hostkeys-prove-00@openssh.com", true, NULL, 0);
	assert_int_equal(feed(&s, &m), 0);
	global_msg(&m, "keepalive@openssh.com", true, NULL, 0);
	assert_int_equal(feed(&s, &m), 0);
	/* room for the first reply only (4 + 1 bytes) */
	max = s.out.max;
	s.out.max = 5;
	assert_int_equal(chan_global_reply(&s.cs, true, NULL, 0, &s.out),
	                 SESH_ERR_LIMIT);
	assert_int_equal(count_records(&s.out, SSH2_MSG_REQUEST_SUCCESS), 1);
	assert_int_equal(s.cs.gowed_n, 1);
	/* the queued FAILURE leaves before anything else */
	s.out.max = max;
	buf_reset(&s.out);
	assert_int_equal(chan_global_reply(&s.cs, true, NULL, 0, &s.out),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(count_records(&s.out, SSH2_MSG_REQUEST_FAILURE), 1);
	first_record(&s.out, &p, &n);
	assert_int_equal(n, 1);
	assert_int_equal(s.cs.gowed_n, 0);
	buf_clear(&m);
	side_clear(&s);
}

static void
test_pending_bounds(void **state)
{
	struct side c, s;
	struct buf m;
	uint32_t id;
	unsigned i;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	buf_init(&m, 0);
	id = open_pair(&c, &s);
	s.auto_reply = -1;
	for (i = 0; i < CHAN_MAX_PENDING; i++) {
		req_simple(&c, id, CHAN_REQ_SHELL, NULL, true);
	}
	assert_int_equal(chan_request(&c.cs, id,
	                              &(struct chan_req){.type = CHAN_REQ_SHELL,
	                                                 .want_reply = true},
	                              &c.out),
	                 SESH_ERR_LIMIT);
	/* Without reply it can still go. */
	req_simple(&c, id, CHAN_REQ_SHELL, NULL, false);
	run(&c, &s);
	/* One more owed reply at the server is too many. */
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_CHANNEL_REQUEST), 0);
	assert_int_equal(buf_put_u32(&m, s.last_id), 0);
	assert_int_equal(buf_put_cstring(&m, "nonsense"), 0);
	assert_int_equal(buf_put_bool(&m, true), 0);
	assert_int_equal(feed(&s, &m), SESH_ERR_LIMIT);
	/* A reply the client did not ask for. */
	for (i = 0; i < CHAN_MAX_PENDING; i++) {
		assert_int_equal(chan_reply(&s.cs, s.last_id, true, &s.out), 0);
	}
	run(&c, &s);
	assert_int_equal(c.nreply, CHAN_MAX_PENDING);
	buf_reset(&m);
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_CHANNEL_SUCCESS), 0);
	assert_int_equal(buf_put_u32(&m, id), 0);
	assert_int_equal(feed(&c, &m), SESH_ERR_PROTOCOL);
	buf_clear(&m);
	side_clear(&c);
	side_clear(&s);
}

static void
test_table_limit(void **state)
{
	struct side c, s;
	struct buf m;
	uint32_t id;
	unsigned i;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	buf_init(&m, 0);
	for (i = 0; i < CHAN_MAX_CHANNELS; i++) {
		assert_int_equal(chan_open_session(&c.cs, &c.out, &id), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(chan_open_session(&c.cs, &c.out, &id), SESH_ERR_LIMIT);
	run(&c, &s);
	assert_int_equal(c.nev[CHAN_EV_OPEN_CONFIRMED], CHAN_MAX_CHANNELS);
	assert_int_equal(s.cs.nchan, CHAN_MAX_CHANNELS);
	/* The server's table is full too: refused, not fatal. */
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_CHANNEL_OPEN), 0);
	assert_int_equal(buf_put_cstring(&m, "session"), 0);
	assert_int_equal(buf_put_u32(&m, 9999), 0);
	assert_int_equal(buf_put_u32(&m, 1000), 0);
	assert_int_equal(buf_put_u32(&m, 1000), 0);
	assert_int_equal(feed(&s, &m), 0);
	assert_int_equal(count_records(&s.out, SSH2_MSG_CHANNEL_OPEN_FAILURE),
	                 1);
	assert_int_equal(s.nev[CHAN_EV_OPEN_REQUEST], CHAN_MAX_CHANNELS);
	buf_clear(&m);
	side_clear(&c);
	side_clear(&s);
}

/* Messages for ids not in use, or not allowed in a channel's state. */
static void
test_bad_ids_and_states(void **state)
{
	static const uint8_t simple[] = {
	    SSH2_MSG_CHANNEL_EOF, SSH2_MSG_CHANNEL_CLOSE,
	    SSH2_MSG_CHANNEL_SUCCESS, SSH2_MSG_CHANNEL_FAILURE};
	static const uint32_t ids[] = {1, 5, CHAN_MAX_CHANNELS, UINT32_MAX};
	struct side c, s;
	struct buf m;
	uint32_t id;
	size_t i, j;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	buf_init(&m, 0);
	(void)open_pair(&c, &s);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		for (j = 0; j < sizeof(simple); j++) {
			buf_reset(&m);
			assert_int_equal(buf_put_u8(&m, simple[j]), 0);
			assert_int_equal(buf_put_u32(&m, ids[i]), 0);
			assert_int_equal(feed(&s, &m), SESH_ERR_PROTOCOL);
			assert_int_equal(feed(&c, &m), SESH_ERR_PROTOCOL);
		}
		put_data_msg(&m, ids[i], 1);
		assert_int_equal(feed(&s, &m), SESH_ERR_PROTOCOL);
		buf_reset(&m);
		assert_int_equal(buf_put_u8(&m, SSH2_MSG_CHANNEL_REQUEST), 0);
		assert_int_equal(buf_put_u32(&m, ids[i]), 0);
		assert_int_equal(buf_put_cstring(&m, "shell"), 0);
		assert_int_equal(buf_put_bool(&m, true), 0);
		assert_int_equal(feed(&s, &m), SESH_ERR_PROTOCOL);
	}
	/* A second confirmation for an open channel. */
	buf_reset(&m);
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_CHANNEL_OPEN_CONFIRMATION), 0);
	assert_int_equal(buf_put_u32(&m, 0), 0);
	assert_int_equal(buf_put_u32(&m, 0), 0);
	assert_int_equal(buf_put_u32(&m, 100), 0);
	assert_int_equal(buf_put_u32(&m, 100), 0);
	assert_int_equal(feed(&c, &m), SESH_ERR_PROTOCOL);
	/* Data for a channel still OPENING. */
	assert_int_equal(chan_open_session(&c.cs, &c.out, &id), 0);
	put_data_msg(&m, id, 1);
	assert_int_equal(feed(&c, &m), SESH_ERR_PROTOCOL);
	/* A channel still ACCEPTING is unknown to the peer. */
	s.auto_accept = false;
	deliver(&c, &s);
	put_data_msg(&m, s.last_id, 1);
	assert_int_equal(feed(&s, &m), SESH_ERR_PROTOCOL);
	/* Other message numbers. */
	buf_reset(&m);
	assert_int_equal(buf_put_u8(&m, 101), 0);
	assert_int_equal(feed(&s, &m), SESH_ERR_UNSUPPORTED);
	buf_reset(&m);
	assert_int_equal(buf_put_u8(&m, SSH2_MSG_USERAUTH_REQUEST), 0);
	assert_int_equal(feed(&s, &m), SESH_ERR_PROTOCOL);
	assert_int_equal(chan_input(&s.cs, buf_data(&m), 0, &s.out),
	                 SESH_ERR_TRUNCATED);
	buf_clear(&m);
	side_clear(&c);
	side_clear(&s);
}

static void
test_undrained_event(void **state)
{
	struct side c, s;
	struct chan_event ev;
	const uint8_t *p;
	size_t n;
	uint32_t id;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	assert_int_equal(chan_open_session(&c.cs, &c.out, &id), 0);
	first_record(&c.out, &p, &n);
	assert_int_equal(chan_input(&s.cs, p, n, &s.out), 0);
	assert_int_equal(chan_input(&s.cs, p, n, &s.out),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_true(chan_next_event(&s.cs, &ev));
	assert_int_equal(ev.type, CHAN_EV_OPEN_REQUEST);
	assert_false(chan_next_event(&s.cs, &ev));
	side_clear(&c);
	side_clear(&s);
}

static void
test_pty_modes(void **state)
{
	static const struct chan_pty_mode m[] = {{1, 3},
	                                         {2, 28},
	                                         {53, 0},
	                                         {159, 0xffffffffu},
	                                         {CHAN_TTY_OP_ISPEED, 9600},
	                                         {CHAN_TTY_OP_OSPEED, 115200}};
	struct chan_pty_mode got[8];
	struct buf b;
	size_t count, n;
	uint8_t tmp[64];

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(chan_pty_modes_build(m, 6, &b), 0);
	assert_int_equal(buf_len(&b), 6 * 5 + 1);
	assert_int_equal(buf_data(&b)[buf_len(&b) - 1], CHAN_TTY_OP_END);
	assert_int_equal(
	    chan_pty_modes_parse(buf_data(&b), buf_len(&b), got, 8, &count), 0);
	assert_int_equal(count, 6);
	modes_equal(got, m, 6);
	/* Count-only, and too little room. */
	assert_int_equal(
	    chan_pty_modes_parse(buf_data(&b), buf_len(&b), NULL, 0, &count),
	    0);
	assert_int_equal(count, 6);
	assert_int_equal(
	    chan_pty_modes_parse(buf_data(&b), buf_len(&b), got, 5, &count),
	    SESH_ERR_LIMIT);
	assert_int_equal(count, 0);
	/* Every non-empty proper prefix fails; the empty string is none. */
	for (n = 1; n < buf_len(&b); n++) {
		assert_true(
		    chan_pty_modes_parse(buf_data(&b), n, got, 8, &count) < 0);
		assert_int_equal(count, 0);
	}
	assert_int_equal(chan_pty_modes_parse(buf_data(&b), 0, got, 8, &count),
	                 0);
	assert_int_equal(count, 0);
	/* Bytes after TTY_OP_END; an undefined opcode stops parsing. */
	memcpy(tmp, buf_data(&b), buf_len(&b));
	tmp[buf_len(&b)] = 7;
	assert_int_equal(
	    chan_pty_modes_parse(tmp, buf_len(&b) + 1, got, 8, &count),
	    SESH_ERR_TRAILING_DATA);
	tmp[buf_len(&b) - 1] = 200;
	assert_int_equal(
	    chan_pty_modes_parse(tmp, buf_len(&b) + 1, got, 8, &count), 0);
	assert_int_equal(count, 6);
	/* Bad opcodes are refused when building; nothing appended. */
	buf_reset(&b);
	assert_int_equal(
	    chan_pty_modes_build(&(struct chan_pty_mode){0, 1}, 1, &b),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(
	    chan_pty_modes_build(&(struct chan_pty_mode){160, 1}, 1, &b),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(chan_pty_modes_build(NULL, 0, &b), 0);
	assert_int_equal(buf_len(&b), 1);
	buf_clear(&b);
}

/* Every request type: build, then parse back. */
static void
test_request_round_trip(void **state)
{
	static const uint8_t modes[] = {CHAN_TTY_OP_END};
	struct side c, s;
	struct chan_req q, got;
	struct rd r;
	const uint8_t *p;
	size_t n;
	uint32_t id, recipient;
	int t;

	(void)state;
	side_init(&c, false);
	side_init(&s, true);
	id = open_pair(&c, &s);
	for (t = CHAN_REQ_UNKNOWN; t <= CHAN_REQ_KEEPALIVE; t++) {
		memset(&q, 0, sizeof(q));
		q.type = (enum chan_req_type)t;
		q.name = chan_str_c("x-unknown@example.org");
		q.term = chan_str_c("vt100");
		q.cols = 1;
		q.rows = 2;
		q.width_px = 3;
		q.height_px = 4;
		q.modes.p = modes;
		q.modes.n = sizeof(modes);
		q.arg = chan_str_c("ARG");
		q.value = chan_str_c("VALUE");
		q.exit_status = 255;
		q.core_dumped = true;
		q.msg = chan_str_c("msg");
		q.lang = chan_str_c("en");
		buf_reset(&c.out);
		assert_int_equal(chan_request(&c.cs, id, &q, &c.out), 0);
		rd_init(&r, buf_data(&c.out), buf_len(&c.out));
		assert_int_equal(rd_string(&r, &p, &n), 0);
		assert_int_equal(chan_request_parse(p, n, &recipient, &got), 0);
		assert_int_equal(recipient, s.last_id);
		assert_int_equal(got.type, t);
		assert_false(got.want_reply);
		switch (t) {
		case CHAN_REQ_PTY:
			assert_true(chan_str_eq(got.term, "vt100"));
			assert_int_equal(got.height_px, 4);
			assert_int_equal(got.modes.n, 1);
			break;
		case CHAN_REQ_ENV:
			assert_true(chan_str_eq(got.value, "VALUE"));
			/* fall through */
		case CHAN_REQ_EXEC:
		case CHAN_REQ_SUBSYSTEM:
		case CHAN_REQ_SIGNAL:
			assert_true(chan_str_eq(got.arg, "ARG"));
			break;
		case CHAN_REQ_WINDOW_CHANGE:
			assert_int_equal(got.cols, 1);
			assert_int_equal(got.width_px, 3);
			break;
		case CHAN_REQ_EXIT_STATUS:
			assert_int_equal(got.exit_status, 255);
			break;
		case CHAN_REQ_EXIT_SIGNAL:
			assert_true(got.core_dumped);
			assert_true(chan_str_eq(got.msg, "msg"));
			assert_true(chan_str_eq(got.lang, "en"));
			break;
		case CHAN_REQ_UNKNOWN:
			assert_true(
			    chan_str_eq(got.name, "x-unknown@example.org"));
			break;
		default:
			break;
		}
	}
	/* A pty-req with bad modes is refused when building. */
	memset(&q, 0, sizeof(q));
	q.type = CHAN_REQ_PTY;
	q.modes.p = (const uint8_t *)"\x01";
	q.modes.n = 1;
	assert_int_equal(chan_request(&c.cs, id, &q, &c.out),
	                 SESH_ERR_INVALID_ARGUMENT);
	side_clear(&c);
	side_clear(&s);
}

/* ---- sweeps ---- */

/* Where a message is valid: the set to feed and how it was prepared. */
enum target {
	TO_SERVER_OPEN,         /* server with channel 0 open */
	TO_CLIENT_OPENING,      /* client with channel 0 OPENING */
	TO_CLIENT_OPEN,         /* client with channel 0 open, a request and a
	                           global request awaiting replies */
	TO_CLIENT_OPEN_ACCEPTED /* client with channel 0 open */
};

struct sweep_msg {
	enum target target;
	struct buf m;
};

#define MAX_SWEEP 32

static struct sweep_msg sweep[MAX_SWEEP];
static size_t nsweep;

static struct buf *
sweep_add(enum target t)
{
	assert_true(nsweep < MAX_SWEEP);
	sweep[nsweep].target = t;
	buf_init(&sweep[nsweep].m, 0);
	return &sweep[nsweep++].m;
}

static void
sweep_add_req(enum target t, const char *name, bool want_reply,
              const uint8_t *data, size_t n)
{
	struct buf *b = sweep_add(t);

	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_REQUEST), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	assert_int_equal(buf_put_cstring(b, name), 0);
	assert_int_equal(buf_put_bool(b, want_reply), 0);
	assert_int_equal(buf_put(b, data, n), 0);
}

static void
sweep_build(void)
{
	static const struct chan_pty_mode modes[] = {{1, 3}, {128, 9600}};
	struct buf d, *b;

	nsweep = 0;
	buf_init(&d, 0);
	b = sweep_add(TO_SERVER_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_OPEN), 0);
	assert_int_equal(buf_put_cstring(b, "session"), 0);
	assert_int_equal(buf_put_u32(b, 1), 0);
	assert_int_equal(buf_put_u32(b, 1000), 0);
	assert_int_equal(buf_put_u32(b, 100), 0);
	b = sweep_add(TO_SERVER_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_OPEN), 0);
	assert_int_equal(buf_put_cstring(b, "direct-tcpip"), 0);
	assert_int_equal(buf_put_u32(b, 1), 0);
	assert_int_equal(buf_put_u32(b, 1000), 0);
	assert_int_equal(buf_put_u32(b, 100), 0);
	assert_int_equal(buf_put_cstring(b, "host"), 0);
	assert_int_equal(buf_put_u32(b, 22), 0);
	assert_int_equal(buf_put_cstring(b, "::1"), 0);
	assert_int_equal(buf_put_u32(b, 5555), 0);
	b = sweep_add(TO_CLIENT_OPENING);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_OPEN_CONFIRMATION), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	assert_int_equal(buf_put_u32(b, 3), 0);
	assert_int_equal(buf_put_u32(b, 1000), 0);
	assert_int_equal(buf_put_u32(b, 100), 0);
	b = sweep_add(TO_CLIENT_OPENING);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_OPEN_FAILURE), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	assert_int_equal(buf_put_u32(b, 2), 0);
	assert_int_equal(buf_put_cstring(b, "connect failed"), 0);
	assert_int_equal(buf_put_cstring(b, "en"), 0);
	b = sweep_add(TO_SERVER_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_WINDOW_ADJUST), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	assert_int_equal(buf_put_u32(b, 4096), 0);
	b = sweep_add(TO_SERVER_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_DATA), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	assert_int_equal(buf_put_cstring(b, "hello"), 0);
	b = sweep_add(TO_CLIENT_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_EXTENDED_DATA), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	assert_int_equal(buf_put_u32(b, 1), 0);
	assert_int_equal(buf_put_cstring(b, "oops"), 0);
	b = sweep_add(TO_SERVER_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_EOF), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	b = sweep_add(TO_SERVER_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_CLOSE), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	b = sweep_add(TO_CLIENT_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_SUCCESS), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	b = sweep_add(TO_CLIENT_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_CHANNEL_FAILURE), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	b = sweep_add(TO_SERVER_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_GLOBAL_REQUEST), 0);
	assert_int_equal(buf_put_cstring(b, "keepalive@openssh.com"), 0);
	assert_int_equal(buf_put_bool(b, true), 0);
	b = sweep_add(TO_CLIENT_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_REQUEST_FAILURE), 0);
	b = sweep_add(TO_SERVER_OPEN);
	assert_int_equal(buf_put_u8(b, SSH2_MSG_GLOBAL_REQUEST), 0);
	assert_int_equal(buf_put_cstring(b, "hostkeys-prove-00@openssh.com"),
	                 0);
	assert_int_equal(buf_put_bool(b, true), 0);
	/* (its data is opaque here: any prefix of it is a valid request;
	 * app/privsep_req.c parses it) */
	/* Requests, with their data. */
	assert_int_equal(buf_put_cstring(&d, "xterm"), 0);
	assert_int_equal(buf_put_u32(&d, 80), 0);
	assert_int_equal(buf_put_u32(&d, 24), 0);
	assert_int_equal(buf_put_u32(&d, 0), 0);
	assert_int_equal(buf_put_u32(&d, 0), 0);
	assert_int_equal(buf_begin(&d), 0);
	assert_int_equal(chan_pty_modes_build(modes, 2, &d), 0);
	assert_int_equal(buf_end(&d), 0);
	sweep_add_req(TO_SERVER_OPEN, "pty-req", true, buf_data(&d),
	              buf_len(&d));
	sweep_add_req(TO_SERVER_OPEN, "shell", true, NULL, 0);
	buf_reset(&d);
	assert_int_equal(buf_put_cstring(&d, "ls -l"), 0);
	sweep_add_req(TO_SERVER_OPEN, "exec", true, buf_data(&d), buf_len(&d));
	sweep_add_req(TO_SERVER_OPEN, "subsystem", true, buf_data(&d),
	              buf_len(&d));
	sweep_add_req(TO_SERVER_OPEN, "signal", false, buf_data(&d),
	              buf_len(&d));
	assert_int_equal(buf_put_cstring(&d, "value"), 0);
	sweep_add_req(TO_SERVER_OPEN, "env", true, buf_data(&d), buf_len(&d));
	buf_reset(&d);
	assert_int_equal(buf_put_u32(&d, 100), 0);
	assert_int_equal(buf_put_u32(&d, 50), 0);
	assert_int_equal(buf_put_u32(&d, 0), 0);
	assert_int_equal(buf_put_u32(&d, 0), 0);
	sweep_add_req(TO_SERVER_OPEN, "window-change", false, buf_data(&d),
	              buf_len(&d));
	sweep_add_req(TO_SERVER_OPEN, "eow@openssh.com", false, NULL, 0);
	sweep_add_req(TO_SERVER_OPEN, "keepalive@openssh.com", true, NULL, 0);
	sweep_add_req(TO_SERVER_OPEN, "unknown@example.org", true, NULL, 0);
	buf_reset(&d);
	assert_int_equal(buf_put_u32(&d, 1), 0);
	sweep_add_req(TO_CLIENT_OPEN_ACCEPTED, "exit-status", false,
	              buf_data(&d), buf_len(&d));
	buf_reset(&d);
	assert_int_equal(buf_put_cstring(&d, "SEGV"), 0);
	assert_int_equal(buf_put_bool(&d, true), 0);
	assert_int_equal(buf_put_cstring(&d, "Segmentation fault"), 0);
	assert_int_equal(buf_put_cstring(&d, ""), 0);
	sweep_add_req(TO_CLIENT_OPEN_ACCEPTED, "exit-signal", false,
	              buf_data(&d), buf_len(&d));
	buf_clear(&d);
}

static void
sweep_free(void)
{
	size_t i;

	for (i = 0; i < nsweep; i++) {
		buf_clear(&sweep[i].m);
	}
	nsweep = 0;
}

/* A fresh set in the state target needs; the peer is discarded. */
static void
sweep_prepare(enum target t, struct side *x)
{
	struct side c, s;
	uint32_t id;

	side_init(&c, false);
	side_init(&s, true);
	switch (t) {
	case TO_SERVER_OPEN:
		(void)open_pair(&c, &s);
		*x = s;
		side_clear(&c);
		return;
	case TO_CLIENT_OPENING:
		assert_int_equal(chan_open_session(&c.cs, &c.out, &id), 0);
		buf_reset(&c.out);
		break;
	case TO_CLIENT_OPEN:
		(void)open_pair(&c, &s);
		req_simple(&c, 0, CHAN_REQ_SHELL, NULL, true);
		assert_int_equal(
		    chan_global_request(&c.cs, "x@y", true, &c.out), 0);
		buf_reset(&c.out);
		break;
	case TO_CLIENT_OPEN_ACCEPTED:
		(void)open_pair(&c, &s);
		break;
	}
	*x = c;
	side_clear(&s);
}

static void
test_truncation_sweep(void **state)
{
	struct side x;
	size_t i, n;

	(void)state;
	sweep_build();
	for (i = 0; i < nsweep; i++) {
		const struct buf *m = &sweep[i].m;

		/* The whole message is valid where it is sent. */
		sweep_prepare(sweep[i].target, &x);
		assert_int_equal(feed(&x, m), 0);
		side_clear(&x);
		for (n = 0; n < buf_len(m); n++) {
			sweep_prepare(sweep[i].target, &x);
			assert_true(chan_input(&x.cs, buf_data(m), n, &x.out) <
			            0);
			assert_false(x.cs.has_event);
			side_clear(&x);
		}
	}
	/* Parsers on their own. */
	for (i = 0; i < nsweep; i++) {
		const struct buf *m = &sweep[i].m;
		struct chan_req q;
		uint32_t rcpt;

		if (buf_data(m)[0] != SSH2_MSG_CHANNEL_REQUEST) {
			continue;
		}
		assert_int_equal(
		    chan_request_parse(buf_data(m), buf_len(m), &rcpt, &q), 0);
		for (n = 0; n < buf_len(m); n++) {
			assert_true(
			    chan_request_parse(buf_data(m), n, &rcpt, &q) < 0);
			assert_int_equal(q.type, CHAN_REQ_UNKNOWN);
			assert_null(q.name.p);
		}
	}
	sweep_free();
}

static void
test_bitflip_sweep(void **state)
{
	struct chan_event ev;
	struct side x;
	uint8_t *p;
	size_t i, j, n;
	int bit, ret;

	(void)state;
	sweep_build();
	for (i = 0; i < nsweep; i++) {
		n = buf_len(&sweep[i].m);
		p = malloc(n);
		assert_non_null(p);
		for (j = 0; j < n; j++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(p, buf_data(&sweep[i].m), n);
				p[j] ^= (uint8_t)(1u << bit);
				sweep_prepare(sweep[i].target, &x);
				ret = chan_input(&x.cs, p, n, &x.out);
				assert_true(ret <= 0);
				while (chan_next_event(&x.cs, &ev)) {
					if (ev.data.n > 0) {
						assert_true(ev.data.p >= p &&
						            ev.data.p +
						                    ev.data.n <=
						                p + n);
					}
				}
				assert_true(x.cs.nchan <= 2);
				side_clear(&x);
			}
		}
		free(p);
	}
	sweep_free();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_session),
	    cmocka_unit_test(test_refused_opens),
	    cmocka_unit_test(test_direct_tcpip),
	    cmocka_unit_test(test_pty_shell),
	    cmocka_unit_test(test_exec_orders),
	    cmocka_unit_test(test_crossing_close),
	    cmocka_unit_test(test_large_transfer),
	    cmocka_unit_test(test_large_transfer_space),
	    cmocka_unit_test(test_max_packet_and_window),
	    cmocka_unit_test(test_overrun_and_eof),
	    cmocka_unit_test(test_window_grows),
	    cmocka_unit_test(test_window_stays_when_consumer_lags),
	    cmocka_unit_test(test_window_probe_rule),
	    cmocka_unit_test(test_window_stays_when_input_behind),
	    cmocka_unit_test(test_window_cap_no_overflow),
	    cmocka_unit_test(test_eow_and_unknown_requests),
	    cmocka_unit_test(test_exit_signal),
	    cmocka_unit_test(test_global_requests),
	    cmocka_unit_test(test_global_request_events),
	    cmocka_unit_test(test_global_reply_writer_error),
	    cmocka_unit_test(test_pending_bounds),
	    cmocka_unit_test(test_table_limit),
	    cmocka_unit_test(test_bad_ids_and_states),
	    cmocka_unit_test(test_undrained_event),
	    cmocka_unit_test(test_pty_modes),
	    cmocka_unit_test(test_request_round_trip),
	    cmocka_unit_test(test_truncation_sweep),
	    cmocka_unit_test(test_bitflip_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
