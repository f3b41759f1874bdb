/*
 * channel.c - the SSH connection protocol (RFC 4254): channel table,
 * windows, EOF/CLOSE, channel and global requests. The contract, the
 * states and the transitions are in channel.h.
 *
 * Every outgoing message is one record in `out` (an SSH string holding
 * the payload), opened with msg_begin() and closed with msg_end(); a
 * failure in between rolls the writer back with msg_undo(), so nothing
 * half-built is left behind. Channel state changes only after the
 * message that goes with them has been written.
 */
#include "ssh/channel.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "ssh/msg.h"

enum chan_state { CH_OPENING = 1, CH_ACCEPTING, CH_OPEN, CH_CLOSING };

#define REQ_RING  (CHAN_MAX_PENDING + 1u)
#define REQ_PROBE 0xffu /* req_q entry of our window growth probe */
#define PROBE_REQ "keepalive@openssh.com"

/* Entries of the queue of replies we owe, in request order. */
enum owed {
	OWED_APP = 0, /* the application has not answered yet */
	OWED_OK,
	OWED_FAIL
};

struct chan {
	enum chan_state state;
	uint32_t remote_id;
	/* Receive side: lwin + unconsumed + unadjusted == lwin_max, and
	 * lwin_max <= max(lwin_cap, the initial window). */
	uint32_t lwin_max, lwin, lmaxpacket;
	uint32_t unconsumed; /* delivered, not yet reported consumed */
	uint32_t unadjusted; /* consumed, not yet returned by an adjust */
	uint32_t lwin_cap;   /* how far lwin_max may grow */
	/* Growth probe in flight (see channel.h, Flow control). */
	bool probing;
	bool probe_wanted;    /* skipped while behind: goes once caught up */
	uint32_t probe_avail; /* the peer's window just before the adjust */
	uint32_t probe_got;   /* data received since the probe was sent */
	/* The least the driver's socket held (chan_set_input_queued) from
	 * the probe's sending until its answer: data that never left our
	 * own queue, not data in flight. */
	uint32_t probe_queued;
	/* Send side. */
	uint32_t rwin, rmaxpacket;
	bool sent_eof, rcvd_eof, rcvd_eow;
	/* Types of our requests awaiting SUCCESS/FAILURE (a ring; one more
	 * slot for a growth probe, REQ_PROBE). */
	uint8_t req_q[REQ_RING];
	unsigned req_head, req_n;
	/* Replies we owe (enum owed, a ring). */
	uint8_t owed_q[CHAN_MAX_PENDING];
	unsigned owed_head, owed_n;
};

/* Which role serves a request name. */
#define SERVED_BY_SERVER 1u
#define SERVED_BY_CLIENT 2u

static const struct {
	const char *name;
	enum chan_req_type type;
	unsigned served;
} req_names[] = {
    {"pty-req", CHAN_REQ_PTY, SERVED_BY_SERVER},
    {"shell", CHAN_REQ_SHELL, SERVED_BY_SERVER},
    {"exec", CHAN_REQ_EXEC, SERVED_BY_SERVER},
    {"subsystem", CHAN_REQ_SUBSYSTEM, SERVED_BY_SERVER},
    {"env", CHAN_REQ_ENV, SERVED_BY_SERVER},
    {"window-change", CHAN_REQ_WINDOW_CHANGE, SERVED_BY_SERVER},
    {"signal", CHAN_REQ_SIGNAL, SERVED_BY_SERVER},
    {"exit-status", CHAN_REQ_EXIT_STATUS, SERVED_BY_CLIENT},
    {"exit-signal", CHAN_REQ_EXIT_SIGNAL, SERVED_BY_CLIENT},
    {"eow@openssh.com", CHAN_REQ_EOW, SERVED_BY_SERVER | SERVED_BY_CLIENT},
    {"keepalive@openssh.com", CHAN_REQ_KEEPALIVE, 0},
};

#define GREQ_NO_MORE_SESSIONS "no-more-sessions@openssh.com"

struct chan_str
chan_str_c(const char *s)
{
	struct chan_str v = {(const uint8_t *)s, s != NULL ? strlen(s) : 0};

	return v;
}

bool
chan_str_eq(struct chan_str v, const char *s)
{
	size_t n = strlen(s);

	return v.n == n && (n == 0 || memcmp(v.p, s, n) == 0);
}

/* ---- writer records ---- */

struct mark {
	size_t len;
	unsigned depth;
};

static int
msg_begin(struct buf *out, struct mark *m, uint8_t type)
{
	int ret;

	m->len = buf_len(out);
	m->depth = out->depth;
	if ((ret = buf_begin(out)) != 0) {
		return ret;
	}
	if ((ret = buf_put_u8(out, type)) != 0) {
		buf_truncate(out, m->len);
		out->depth = m->depth;
	}
	return ret;
}

static void
msg_undo(struct buf *out, const struct mark *m)
{
	buf_truncate(out, m->len);
	out->depth = m->depth;
}

/* Closes the record, or rolls it back if ret (the build result) failed. */
static int
msg_end(struct buf *out, const struct mark *m, int ret)
{
	if (ret == 0) {
		ret = buf_end(out);
	}
	if (ret != 0) {
		msg_undo(out, m);
	}
	return ret;
}

/* A message of a type byte and the peer's channel id only. */
static int
send_simple(struct buf *out, uint8_t type, uint32_t remote_id)
{
	struct mark m;
	int ret;

	if ((ret = msg_begin(out, &m, type)) != 0) {
		return ret;
	}
	ret = buf_put_u32(out, remote_id);
	return msg_end(out, &m, ret);
}

static int
send_open_failure(struct buf *out, uint32_t remote_id, uint32_t reason,
                  const char *text)
{
	struct mark m;
	int ret;

	if ((ret = msg_begin(out, &m, SSH2_MSG_CHANNEL_OPEN_FAILURE)) != 0) {
		return ret;
	}
	if ((ret = buf_put_u32(out, remote_id)) == 0 &&
	    (ret = buf_put_u32(out, reason)) == 0 &&
	    (ret = buf_put_cstring(out, text != NULL ? text : "")) == 0) {
		ret = buf_put_cstring(out, ""); /* language tag */
	}
	return msg_end(out, &m, ret);
}

/* ---- the table ---- */

void
chan_set_init(struct chan_set *cs, bool server)
{
	memset(cs, 0, sizeof(*cs));
	cs->server = server;
	cs->window = CHAN_DEFAULT_WINDOW;
	cs->window_cap = CHAN_MAX_WINDOW;
	cs->maxpacket = CHAN_DEFAULT_MAXPACKET;
}

void
chan_set_clear(struct chan_set *cs)
{
	unsigned i;

	for (i = 0; i < CHAN_MAX_CHANNELS; i++) {
		free(cs->ch[i]);
	}
	memset(cs, 0, sizeof(*cs));
}

int
chan_set_params(struct chan_set *cs, uint32_t window, uint32_t maxpacket)
{
	if (window == 0 || maxpacket == 0 || maxpacket > SESH_MAX_PACKET / 2) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	cs->window = window;
	cs->maxpacket = maxpacket;
	return 0;
}

int
chan_set_window_cap(struct chan_set *cs, uint32_t cap)
{
	if (cap == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	cs->window_cap = cap;
	return 0;
}

void
chan_set_input_queued(struct chan_set *cs, size_t n)
{
	unsigned i, seen = 0;

	cs->input_queued = n;
	for (i = 0; i < CHAN_MAX_CHANNELS && seen < cs->nchan; i++) {
		struct chan *c = cs->ch[i];

		if (c == NULL) {
			continue;
		}
		seen++;
		if (c->probing && n < c->probe_queued) {
			c->probe_queued = (uint32_t)n;
		}
	}
}

/* A fresh channel in the first free slot. SESH_ERR_LIMIT when full. */
static int
chan_alloc(struct chan_set *cs, enum chan_state state, uint32_t *id)
{
	struct chan *c;
	uint32_t i;

	for (i = 0; i < CHAN_MAX_CHANNELS; i++) {
		if (cs->ch[i] == NULL) {
			break;
		}
	}
	if (i == CHAN_MAX_CHANNELS) {
		return SESH_ERR_LIMIT;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	c->state = state;
	c->lwin_max = cs->window;
	c->lwin = cs->window;
	c->lwin_cap = cs->window_cap > cs->window ? cs->window_cap : cs->window;
	c->lmaxpacket = cs->maxpacket;
	cs->ch[i] = c;
	cs->nchan++;
	*id = i;
	return 0;
}

static void
chan_free(struct chan_set *cs, uint32_t id)
{
	free(cs->ch[id]);
	cs->ch[id] = NULL;
	cs->nchan--;
}

static struct chan *
chan_get(const struct chan_set *cs, uint32_t id)
{
	if (id >= CHAN_MAX_CHANNELS) {
		return NULL;
	}
	return cs->ch[id];
}

/* ---- events ---- */

static struct chan_event *
ev_set(struct chan_set *cs, enum chan_ev_type type, uint32_t id)
{
	memset(&cs->ev, 0, sizeof(cs->ev));
	cs->ev.type = type;
	cs->ev.id = id;
	cs->has_event = true;
	return &cs->ev;
}

bool
chan_next_event(struct chan_set *cs, struct chan_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (!cs->has_event) {
		return false;
	}
	*ev = cs->ev;
	memset(&cs->ev, 0, sizeof(cs->ev));
	cs->has_event = false;
	return true;
}

/* ---- owed replies ---- */

/* Sends the decided replies at the head of the queue, in order. In
 * CLOSING nothing may be sent on the channel: the queue is dropped. */
static int
owed_flush(struct chan *c, struct buf *out)
{
	uint8_t type;
	int ret;

	if (c->state == CH_CLOSING) {
		c->owed_n = 0;
		return 0;
	}
	while (c->owed_n > 0 && c->owed_q[c->owed_head] != OWED_APP) {
		type = c->owed_q[c->owed_head] == OWED_OK
		           ? SSH2_MSG_CHANNEL_SUCCESS
		           : SSH2_MSG_CHANNEL_FAILURE;
		if ((ret = send_simple(out, type, c->remote_id)) != 0) {
			return ret;
		}
		c->owed_head = (c->owed_head + 1) % CHAN_MAX_PENDING;
		c->owed_n--;
	}
	return 0;
}

static int
owed_push(struct chan *c, enum owed v)
{
	if (c->owed_n >= CHAN_MAX_PENDING) {
		return SESH_ERR_LIMIT;
	}
	c->owed_q[(c->owed_head + c->owed_n) % CHAN_MAX_PENDING] = (uint8_t)v;
	c->owed_n++;
	return 0;
}

int
chan_reply(struct chan_set *cs, uint32_t id, bool ok, struct buf *out)
{
	struct chan *c = chan_get(cs, id);
	unsigned i, k;

	if (c == NULL || (c->state != CH_OPEN && c->state != CH_CLOSING)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (c->state == CH_CLOSING) {
		return 0; /* the answer can no longer be sent */
	}
	for (i = 0; i < c->owed_n; i++) {
		k = (c->owed_head + i) % CHAN_MAX_PENDING;
		if (c->owed_q[k] == OWED_APP) {
			c->owed_q[k] = ok ? OWED_OK : OWED_FAIL;
			return owed_flush(c, out);
		}
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

/* ---- pty modes (RFC 4254 §8) ---- */

int
chan_pty_modes_build(const struct chan_pty_mode *m, size_t count,
                     struct buf *out)
{
	size_t start = buf_len(out), i;
	int ret = 0;

	if (count > CHAN_MAX_PTY_MODES) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	for (i = 0; i < count; i++) {
		if (m[i].op == CHAN_TTY_OP_END || m[i].op >= 160) {
			ret = SESH_ERR_INVALID_ARGUMENT;
			goto out;
		}
		if ((ret = buf_put_u8(out, m[i].op)) != 0 ||
		    (ret = buf_put_u32(out, m[i].value)) != 0) {
			goto out;
		}
	}
	ret = buf_put_u8(out, CHAN_TTY_OP_END);
out:
	if (ret != 0) {
		buf_truncate(out, start);
	}
	return ret;
}

int
chan_pty_modes_parse(const uint8_t *p, size_t n, struct chan_pty_mode *m,
                     size_t max, size_t *count)
{
	struct rd r;
	size_t k = 0;
	uint8_t op;
	uint32_t v;
	int ret;

	*count = 0;
	rd_init(&r, p, n);
	if (n == 0) {
		return 0; /* no modes at all */
	}
	for (;;) {
		/* A string that ends without TTY_OP_END is cut short. */
		if ((ret = rd_u8(&r, &op)) != 0) {
			return ret;
		}
		if (op == CHAN_TTY_OP_END) {
			if ((ret = rd_end(&r)) != 0) {
				return ret;
			}
			break;
		}
		if (op >= 160) {
			break; /* undefined opcodes stop parsing */
		}
		if ((ret = rd_u32(&r, &v)) != 0) {
			return ret;
		}
		if (k >= CHAN_MAX_PTY_MODES || (m != NULL && k >= max)) {
			return SESH_ERR_LIMIT;
		}
		if (m != NULL) {
			m[k].op = op;
			m[k].value = v;
		}
		k++;
	}
	*count = k;
	return 0;
}

/* ---- channel requests ---- */

/* Index into req_names, or SESH_ERR_NOT_FOUND. */
static int
req_lookup(struct chan_str name)
{
	size_t i;

	for (i = 0; i < sizeof(req_names) / sizeof(req_names[0]); i++) {
		if (chan_str_eq(name, req_names[i].name)) {
			return (int)i;
		}
	}
	return SESH_ERR_NOT_FOUND;
}

static int
req_index_of(enum chan_req_type type)
{
	size_t i;

	for (i = 0; i < sizeof(req_names) / sizeof(req_names[0]); i++) {
		if (req_names[i].type == type) {
			return (int)i;
		}
	}
	return SESH_ERR_NOT_FOUND;
}

static int
rd_view_str(struct rd *r, struct chan_str *s)
{
	return rd_string(r, &s->p, &s->n);
}

/* The type-specific part of a known request (RFC 4254 §6.2-§6.10). */
static int
req_parse_data(struct rd *r, struct chan_req *q)
{
	size_t nmodes;
	int ret = 0;

	switch (q->type) {
	case CHAN_REQ_PTY:
		if ((ret = rd_view_str(r, &q->term)) != 0 ||
		    (ret = rd_u32(r, &q->cols)) != 0 ||
		    (ret = rd_u32(r, &q->rows)) != 0 ||
		    (ret = rd_u32(r, &q->width_px)) != 0 ||
		    (ret = rd_u32(r, &q->height_px)) != 0 ||
		    (ret = rd_view_str(r, &q->modes)) != 0 ||
		    (ret = chan_pty_modes_parse(q->modes.p, q->modes.n, NULL, 0,
		                                &nmodes)) != 0) {
			return ret;
		}
		break;
	case CHAN_REQ_EXEC:
	case CHAN_REQ_SUBSYSTEM:
	case CHAN_REQ_SIGNAL:
		ret = rd_view_str(r, &q->arg);
		break;
	case CHAN_REQ_ENV:
		if ((ret = rd_view_str(r, &q->arg)) == 0) {
			ret = rd_view_str(r, &q->value);
		}
		break;
	case CHAN_REQ_WINDOW_CHANGE:
		if ((ret = rd_u32(r, &q->cols)) != 0 ||
		    (ret = rd_u32(r, &q->rows)) != 0 ||
		    (ret = rd_u32(r, &q->width_px)) != 0 ||
		    (ret = rd_u32(r, &q->height_px)) != 0) {
			return ret;
		}
		break;
	case CHAN_REQ_EXIT_STATUS:
		ret = rd_u32(r, &q->exit_status);
		break;
	case CHAN_REQ_EXIT_SIGNAL:
		if ((ret = rd_view_str(r, &q->arg)) != 0 ||
		    (ret = rd_bool(r, &q->core_dumped)) != 0 ||
		    (ret = rd_view_str(r, &q->msg)) != 0 ||
		    (ret = rd_view_str(r, &q->lang)) != 0) {
			return ret;
		}
		break;
	case CHAN_REQ_SHELL:
	case CHAN_REQ_EOW:
		break;
	case CHAN_REQ_KEEPALIVE:
	case CHAN_REQ_UNKNOWN:
		/* Not interpreted: whatever data follows is skipped. */
		return rd_skip(r, rd_left(r));
	}
	if (ret != 0) {
		return ret;
	}
	return rd_end(r);
}

int
chan_request_parse(const uint8_t *p, size_t n, uint32_t *recipient,
                   struct chan_req *req)
{
	struct chan_req q = {0};
	struct rd r;
	uint32_t id;
	int ret, i;

	*recipient = 0;
	memset(req, 0, sizeof(*req));
	rd_init(&r, p, n);
	/* byte SSH_MSG_CHANNEL_REQUEST, uint32 recipient channel,
	 * string request type, boolean want reply, type-specific data */
	if ((ret = rd_expect_u8(&r, SSH2_MSG_CHANNEL_REQUEST)) != 0 ||
	    (ret = rd_u32(&r, &id)) != 0 ||
	    (ret = rd_view_str(&r, &q.name)) != 0 ||
	    (ret = rd_bool(&r, &q.want_reply)) != 0) {
		return ret;
	}
	i = req_lookup(q.name);
	q.type = i >= 0 ? req_names[i].type : CHAN_REQ_UNKNOWN;
	if ((ret = req_parse_data(&r, &q)) != 0) {
		return ret;
	}
	*recipient = id;
	*req = q;
	return 0;
}

static int
put_str(struct buf *out, struct chan_str s)
{
	return buf_put_string(out, s.p, s.n);
}

/* The type-specific part of a request we send. */
static int
req_build_data(struct buf *out, const struct chan_req *q)
{
	size_t nmodes;
	int ret = 0;

	switch (q->type) {
	case CHAN_REQ_PTY:
		if (chan_pty_modes_parse(q->modes.p, q->modes.n, NULL, 0,
		                         &nmodes) != 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		if ((ret = put_str(out, q->term)) != 0 ||
		    (ret = buf_put_u32(out, q->cols)) != 0 ||
		    (ret = buf_put_u32(out, q->rows)) != 0 ||
		    (ret = buf_put_u32(out, q->width_px)) != 0 ||
		    (ret = buf_put_u32(out, q->height_px)) != 0) {
			return ret;
		}
		ret = put_str(out, q->modes);
		break;
	case CHAN_REQ_EXEC:
	case CHAN_REQ_SUBSYSTEM:
	case CHAN_REQ_SIGNAL:
		ret = put_str(out, q->arg);
		break;
	case CHAN_REQ_ENV:
		if ((ret = put_str(out, q->arg)) == 0) {
			ret = put_str(out, q->value);
		}
		break;
	case CHAN_REQ_WINDOW_CHANGE:
		if ((ret = buf_put_u32(out, q->cols)) != 0 ||
		    (ret = buf_put_u32(out, q->rows)) != 0 ||
		    (ret = buf_put_u32(out, q->width_px)) != 0) {
			return ret;
		}
		ret = buf_put_u32(out, q->height_px);
		break;
	case CHAN_REQ_EXIT_STATUS:
		ret = buf_put_u32(out, q->exit_status);
		break;
	case CHAN_REQ_EXIT_SIGNAL:
		if ((ret = put_str(out, q->arg)) != 0 ||
		    (ret = buf_put_bool(out, q->core_dumped)) != 0 ||
		    (ret = put_str(out, q->msg)) != 0) {
			return ret;
		}
		ret = put_str(out, q->lang);
		break;
	case CHAN_REQ_SHELL:
	case CHAN_REQ_EOW:
	case CHAN_REQ_KEEPALIVE:
	case CHAN_REQ_UNKNOWN:
		break;
	}
	return ret;
}

int
chan_request(struct chan_set *cs, uint32_t id, const struct chan_req *req,
             struct buf *out)
{
	struct chan *c = chan_get(cs, id);
	struct chan_str name;
	struct mark m;
	bool want_reply;
	int ret, i;

	if (c == NULL || c->state != CH_OPEN) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (req->type == CHAN_REQ_UNKNOWN) {
		name = req->name;
		if (name.n == 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	} else {
		if ((i = req_index_of(req->type)) < 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		name = chan_str_c(req_names[i].name);
	}
	want_reply = req->want_reply && req->type != CHAN_REQ_EOW;
	if (want_reply &&
	    c->req_n - (c->probing ? 1u : 0u) >= CHAN_MAX_PENDING) {
		return SESH_ERR_LIMIT;
	}
	if ((ret = msg_begin(out, &m, SSH2_MSG_CHANNEL_REQUEST)) != 0) {
		return ret;
	}
	if ((ret = buf_put_u32(out, c->remote_id)) == 0 &&
	    (ret = put_str(out, name)) == 0 &&
	    (ret = buf_put_bool(out, want_reply)) == 0) {
		ret = req_build_data(out, req);
	}
	if ((ret = msg_end(out, &m, ret)) != 0) {
		return ret;
	}
	if (want_reply) {
		c->req_q[(c->req_head + c->req_n) % REQ_RING] =
		    (uint8_t)req->type;
		c->req_n++;
	}
	return 0;
}

/* ---- opening ---- */

static int
open_common(struct chan_set *cs, const char *type, const char *host,
            uint32_t port, const char *orig_host, uint32_t orig_port,
            struct buf *out, uint32_t *id)
{
	struct chan *c;
	struct mark m;
	uint32_t i;
	int ret;

	*id = 0;
	if ((ret = chan_alloc(cs, CH_OPENING, &i)) != 0) {
		return ret;
	}
	c = cs->ch[i];
	/* byte SSH_MSG_CHANNEL_OPEN, string channel type, uint32 sender
	 * channel, uint32 initial window size, uint32 maximum packet size,
	 * channel type specific data */
	if ((ret = msg_begin(out, &m, SSH2_MSG_CHANNEL_OPEN)) != 0) {
		goto out;
	}
	if ((ret = buf_put_cstring(out, type)) == 0 &&
	    (ret = buf_put_u32(out, i)) == 0 &&
	    (ret = buf_put_u32(out, c->lwin)) == 0 &&
	    (ret = buf_put_u32(out, c->lmaxpacket)) == 0 && host != NULL) {
		if ((ret = buf_put_cstring(out, host)) == 0 &&
		    (ret = buf_put_u32(out, port)) == 0 &&
		    (ret = buf_put_cstring(out, orig_host)) == 0) {
			ret = buf_put_u32(out, orig_port);
		}
	}
	ret = msg_end(out, &m, ret);
out:
	if (ret != 0) {
		chan_free(cs, i);
		return ret;
	}
	*id = i;
	return 0;
}

int
chan_open_session(struct chan_set *cs, struct buf *out, uint32_t *id)
{
	return open_common(cs, "session", NULL, 0, NULL, 0, out, id);
}

int
chan_open_direct_tcpip(struct chan_set *cs, const char *host, uint32_t port,
                       const char *orig_host, uint32_t orig_port,
                       struct buf *out, uint32_t *id)
{
	if (host == NULL || orig_host == NULL) {
		*id = 0;
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return open_common(cs, "direct-tcpip", host, port, orig_host, orig_port,
	                   out, id);
}

int
chan_accept(struct chan_set *cs, uint32_t id, struct buf *out)
{
	struct chan *c = chan_get(cs, id);
	struct mark m;
	int ret;

	if (c == NULL || c->state != CH_ACCEPTING) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* byte SSH_MSG_CHANNEL_OPEN_CONFIRMATION, uint32 recipient channel,
	 * uint32 sender channel, uint32 initial window size, uint32 maximum
	 * packet size */
	if ((ret = msg_begin(out, &m, SSH2_MSG_CHANNEL_OPEN_CONFIRMATION)) !=
	    0) {
		return ret;
	}
	if ((ret = buf_put_u32(out, c->remote_id)) == 0 &&
	    (ret = buf_put_u32(out, id)) == 0 &&
	    (ret = buf_put_u32(out, c->lwin)) == 0) {
		ret = buf_put_u32(out, c->lmaxpacket);
	}
	if ((ret = msg_end(out, &m, ret)) != 0) {
		return ret;
	}
	c->state = CH_OPEN;
	return 0;
}

int
chan_refuse(struct chan_set *cs, uint32_t id, uint32_t reason, const char *text,
            struct buf *out)
{
	struct chan *c = chan_get(cs, id);
	int ret;

	if (c == NULL || c->state != CH_ACCEPTING) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = send_open_failure(out, c->remote_id, reason, text)) != 0) {
		return ret;
	}
	chan_free(cs, id);
	return 0;
}

/* ---- sending ---- */

size_t
chan_send_room(const struct chan_set *cs, uint32_t id)
{
	const struct chan *c = chan_get(cs, id);

	if (c == NULL || c->state != CH_OPEN || c->sent_eof ||
	    c->rmaxpacket == 0) {
		return 0;
	}
	return c->rwin;
}

int
chan_send_data(struct chan_set *cs, uint32_t id, uint32_t ext_type,
               const uint8_t *p, size_t n, struct buf *out, size_t *sent)
{
	struct chan *c = chan_get(cs, id);
	struct rd r;
	const uint8_t *chunk;
	struct mark m;
	size_t k, total = 0;
	int ret = 0;

	*sent = 0;
	if (c == NULL || c->state != CH_OPEN || c->sent_eof ||
	    (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	rd_init(&r, p, n);
	while (rd_left(&r) > 0 && c->rwin > 0 && c->rmaxpacket > 0) {
		k = rd_left(&r);
		if (k > c->rwin) {
			k = c->rwin;
		}
		if (k > c->rmaxpacket) {
			k = c->rmaxpacket;
		}
		if (k > CHAN_MAX_SEND_DATA) {
			k = CHAN_MAX_SEND_DATA;
		}
		/* byte SSH_MSG_CHANNEL_DATA, uint32 recipient channel,
		 * string data; or byte SSH_MSG_CHANNEL_EXTENDED_DATA,
		 * uint32 recipient channel, uint32 data_type_code, string
		 * data */
		ret = msg_begin(out, &m,
		                ext_type == 0 ? SSH2_MSG_CHANNEL_DATA
		                              : SSH2_MSG_CHANNEL_EXTENDED_DATA);
		if (ret != 0) {
			break;
		}
		ret = buf_put_u32(out, c->remote_id);
		if (ret == 0 && ext_type != 0) {
			ret = buf_put_u32(out, ext_type);
		}
		if (ret == 0 && (ret = rd_view(&r, k, &chunk)) == 0) {
			ret = buf_put_string(out, chunk, k);
		}
		if ((ret = msg_end(out, &m, ret)) != 0) {
			break;
		}
		c->rwin -= (uint32_t)k;
		total += k;
	}
	if (ret != 0 && total == 0) {
		return ret;
	}
	*sent = total;
	return 0;
}

static void
chan_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One DATA / EXTENDED_DATA record of chan_send_data's shape (uint32
 * record length, then the message) carrying k bytes of data at p+hdr. */
static void
chan_data_header(uint8_t *p, const struct chan *c, uint32_t ext_type,
                 size_t hdr, size_t k)
{
	chan_put32(p, (uint32_t)(hdr - 4 + k));
	p[4] = ext_type == 0 ? SSH2_MSG_CHANNEL_DATA
	                     : SSH2_MSG_CHANNEL_EXTENDED_DATA;
	chan_put32(p + 5, c->remote_id);
	if (ext_type != 0) {
		chan_put32(p + 9, ext_type);
	}
	chan_put32(p + hdr - 4, (uint32_t)k);
}

int
chan_send_data_space(struct chan_set *cs, uint32_t id, uint32_t ext_type,
                     size_t n, struct buf *out, struct chan_data_space *sp)
{
	struct chan *c = chan_get(cs, id);
	size_t left, win, k, total = 0, i, off;
	uint8_t *base = NULL;
	int ret;

	memset(sp, 0, sizeof(*sp));
	if (c == NULL || c->state != CH_OPEN || c->sent_eof ||
	    out->depth != 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	sp->start = buf_len(out);
	/* uint32 record length, byte type, uint32 recipient channel,
	 * [uint32 data_type_code,] uint32 data length */
	sp->hdr = ext_type == 0 ? 13 : 17;
	left = n;
	win = c->rwin;
	while (left > 0 && win > 0 && c->rmaxpacket > 0 &&
	       sp->nseg < CHAN_DATA_MAX_SEGS) {
		k = left;
		if (k > win) {
			k = win;
		}
		if (k > c->rmaxpacket) {
			k = c->rmaxpacket;
		}
		if (k > CHAN_MAX_SEND_DATA) {
			k = CHAN_MAX_SEND_DATA;
		}
		sp->seg_len[sp->nseg++] = k;
		total += sp->hdr + k;
		left -= k;
		win -= k;
	}
	if (sp->nseg == 0) {
		return 0;
	}
	if ((ret = buf_reserve(out, total, &base)) != 0) {
		memset(sp, 0, sizeof(*sp));
		return ret;
	}
	for (i = 0, off = 0; i < sp->nseg; i++) {
		chan_data_header(base + off, c, ext_type, sp->hdr,
		                 sp->seg_len[i]);
		sp->seg[i] = base + off + sp->hdr;
		off += sp->hdr + sp->seg_len[i];
	}
	return 0;
}

int
chan_send_data_commit(struct chan_set *cs, uint32_t id, struct buf *out,
                      const struct chan_data_space *sp, size_t k)
{
	struct chan *c = chan_get(cs, id);
	size_t i, off = sp->start, left = k, t;
	uint8_t *rec;

	if (c == NULL || sp->nseg == 0) {
		if (sp->nseg > 0 || k > 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		return 0;
	}
	for (i = 0; i < sp->nseg && left > 0; i++) {
		t = left < sp->seg_len[i] ? left : sp->seg_len[i];
		if (t < sp->seg_len[i]) {
			/* the last one, short: its length fields shrink */
			rec = sp->seg[i] - sp->hdr;
			chan_put32(rec, (uint32_t)(sp->hdr - 4 + t));
			chan_put32(rec + sp->hdr - 4, (uint32_t)t);
		}
		off += sp->hdr + t;
		left -= t;
	}
	if (left > 0 || k > c->rwin) {
		buf_truncate(out, sp->start);
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_truncate(out, off);
	c->rwin -= (uint32_t)k;
	return 0;
}

/*
 * Sends one WINDOW_ADJUST returning what was consumed (unadjusted) plus
 * grow more bytes (lwin_max already counts them), then, when the
 * consumer keeps up and the window may still grow, a probe (see
 * channel.h, Flow control). lwin + unadjusted + grow <= lwin_max <=
 * UINT32_MAX, so nothing overflows here, and the peer's window (never
 * above our lwin) stays below 2^32 too. On error nothing changed.
 */
/* The driver's socket holds more than half of c's window: we are
 * behind, so the peer running the window dry says nothing of the path. */
static bool
input_behind(const struct chan_set *cs, const struct chan *c)
{
	return cs->input_queued > c->lwin_max / CHAN_BEHIND_DIVISOR;
}

static int
give_window(const struct chan_set *cs, struct chan *c, uint32_t grow,
            struct buf *out)
{
	uint32_t add = c->unadjusted + grow, before = c->lwin;
	struct mark m;
	int ret;

	/* byte SSH_MSG_CHANNEL_WINDOW_ADJUST, uint32 recipient channel,
	 * uint32 bytes to add */
	if ((ret = msg_begin(out, &m, SSH2_MSG_CHANNEL_WINDOW_ADJUST)) != 0) {
		return ret;
	}
	if ((ret = buf_put_u32(out, c->remote_id)) == 0) {
		ret = buf_put_u32(out, add);
	}
	if ((ret = msg_end(out, &m, ret)) != 0) {
		return ret;
	}
	c->lwin += add;
	c->unadjusted = 0;
	if (c->probing || c->lwin_max >= c->lwin_cap ||
	    c->unconsumed > c->lwin_max / 4 || before < c->lwin_max / 4) {
		c->probe_wanted = false;
		return 0;
	}
	if (input_behind(cs, c)) {
		c->probe_wanted = true; /* chan_consumed() sends it later */
		return 0;
	}
	c->probe_wanted = false;
	/* byte SSH_MSG_CHANNEL_REQUEST, uint32 recipient channel, string
	 * request type, boolean want reply (no request data). Best effort:
	 * without room for it, no probe this time. */
	if (msg_begin(out, &m, SSH2_MSG_CHANNEL_REQUEST) != 0) {
		return 0;
	}
	if ((ret = buf_put_u32(out, c->remote_id)) == 0 &&
	    (ret = buf_put_cstring(out, PROBE_REQ)) == 0) {
		ret = buf_put_bool(out, true);
	}
	if (msg_end(out, &m, ret) != 0) {
		return 0;
	}
	c->req_q[(c->req_head + c->req_n) % REQ_RING] = REQ_PROBE;
	c->req_n++;
	c->probing = true;
	c->probe_avail = before;
	c->probe_got = 0;
	c->probe_queued =
	    cs->input_queued < before ? (uint32_t)cs->input_queued : before;
	return 0;
}

/*
 * The peer answered our probe: it has read the adjust sent with it, and
 * probe_got is what it sent before. Grows the window when the peer ran
 * (nearly) dry and the consumer keeps up.
 */
static int
probe_answered(const struct chan_set *cs, struct chan *c, struct buf *out)
{
	uint32_t grow;
	int ret;

	c->probing = false;
	if (c->state != CH_OPEN || c->rcvd_eof || c->lwin_max >= c->lwin_cap ||
	    c->probe_got - (c->probe_got < c->probe_queued ? c->probe_got
	                                                   : c->probe_queued) <
	        c->probe_avail - c->probe_avail / 8 ||
	    c->unconsumed > c->lwin_max / 4) {
		return 0;
	}
	grow = c->lwin_cap - c->lwin_max;
	if (grow > c->lwin_max) {
		grow = c->lwin_max; /* double at most */
	}
	c->lwin_max += grow;
	if ((ret = give_window(cs, c, grow, out)) != 0) {
		c->lwin_max -= grow; /* no room for it now: stay */
	}
	return 0;
}

uint32_t
chan_recv_window(const struct chan_set *cs, uint32_t id)
{
	const struct chan *c = chan_get(cs, id);

	return c != NULL ? c->lwin_max : 0;
}

int
chan_consumed(struct chan_set *cs, uint32_t id, size_t n, struct buf *out)
{
	struct chan *c = chan_get(cs, id);
	uint32_t threshold;
	int ret;

	if (c == NULL || (c->state != CH_OPEN && c->state != CH_CLOSING)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (c->state == CH_CLOSING) {
		return 0; /* nothing more will be adjusted */
	}
	if (n > c->unconsumed) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	threshold = c->lwin_max / 2 > 0 ? c->lwin_max / 2 : 1;
	if (threshold > CHAN_ADJUST_STEP) {
		threshold = CHAN_ADJUST_STEP;
	}
	c->unconsumed -= (uint32_t)n;
	c->unadjusted += (uint32_t)n;
	/* After the peer's EOF no data comes: the window is not reopened. A
	 * probe skipped while we were behind goes with what was consumed
	 * once we have caught up. */
	if ((c->unadjusted >= threshold ||
	     (c->probe_wanted && c->unadjusted > 0 && !input_behind(cs, c))) &&
	    !c->rcvd_eof && (ret = give_window(cs, c, 0, out)) != 0) {
		c->unadjusted -= (uint32_t)n; /* as before the call */
		c->unconsumed += (uint32_t)n;
		return ret;
	}
	return 0;
}

int
chan_send_eof(struct chan_set *cs, uint32_t id, struct buf *out)
{
	struct chan *c = chan_get(cs, id);
	int ret;

	if (c == NULL || c->state != CH_OPEN) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (c->sent_eof) {
		return 0;
	}
	if ((ret = send_simple(out, SSH2_MSG_CHANNEL_EOF, c->remote_id)) != 0) {
		return ret;
	}
	c->sent_eof = true;
	return 0;
}

int
chan_close(struct chan_set *cs, uint32_t id, struct buf *out)
{
	struct chan *c = chan_get(cs, id);
	int ret;

	if (c == NULL || (c->state != CH_OPEN && c->state != CH_CLOSING)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (c->state == CH_CLOSING) {
		return 0;
	}
	if ((ret = send_simple(out, SSH2_MSG_CHANNEL_CLOSE, c->remote_id)) !=
	    0) {
		return ret;
	}
	c->state = CH_CLOSING;
	c->owed_n = 0;
	return 0;
}

int
chan_global_request(struct chan_set *cs, const char *name, bool want_reply,
                    struct buf *out)
{
	return chan_global_request_data(cs, name, want_reply, NULL, 0, out);
}

int
chan_global_request_data(struct chan_set *cs, const char *name, bool want_reply,
                         const uint8_t *p, size_t n, struct buf *out)
{
	struct mark m;
	int ret;

	if (name == NULL || name[0] == '\0' || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (want_reply && cs->global_pending >= CHAN_MAX_PENDING) {
		return SESH_ERR_LIMIT;
	}
	/* byte SSH_MSG_GLOBAL_REQUEST, string request name, boolean want
	 * reply, request-specific data */
	if ((ret = msg_begin(out, &m, SSH2_MSG_GLOBAL_REQUEST)) != 0) {
		return ret;
	}
	if ((ret = buf_put_cstring(out, name)) == 0) {
		ret = buf_put_bool(out, want_reply);
	}
	if (ret == 0 && n > 0) {
		ret = buf_put(out, p, n);
	}
	if ((ret = msg_end(out, &m, ret)) != 0) {
		return ret;
	}
	if (want_reply) {
		cs->global_pending++;
	}
	return 0;
}

/* ---- owed global replies ---- */

/* REQUEST_SUCCESS with response data p[0..n), or REQUEST_FAILURE. */
static int
send_global_reply(struct buf *out, bool ok, const uint8_t *p, size_t n)
{
	struct mark m;
	int ret;

	if ((ret = msg_begin(out, &m,
	                     ok ? SSH2_MSG_REQUEST_SUCCESS
	                        : SSH2_MSG_REQUEST_FAILURE)) != 0) {
		return ret;
	}
	return msg_end(out, &m, n > 0 ? buf_put(out, p, n) : 0);
}

static int
gowed_push(struct chan_set *cs, enum owed v)
{
	if (cs->gowed_n >= CHAN_MAX_PENDING) {
		return SESH_ERR_LIMIT;
	}
	cs->gowed_q[(cs->gowed_head + cs->gowed_n) % CHAN_MAX_PENDING] =
	    (uint8_t)v;
	cs->gowed_n++;
	return 0;
}

static void
gowed_pop(struct chan_set *cs)
{
	cs->gowed_head = (cs->gowed_head + 1) % CHAN_MAX_PENDING;
	cs->gowed_n--;
}

/* Sends the automatic replies at the head of the queue, up to the
 * first one the application owes. */
static int
gowed_flush(struct chan_set *cs, struct buf *out)
{
	int ret;

	while (cs->gowed_n > 0 && cs->gowed_q[cs->gowed_head] != OWED_APP) {
		ret = send_global_reply(
		    out, cs->gowed_q[cs->gowed_head] == OWED_OK, NULL, 0);
		if (ret != 0) {
			return ret;
		}
		gowed_pop(cs);
	}
	return 0;
}

int
chan_global_reply(struct chan_set *cs, bool ok, const uint8_t *p, size_t n,
                  struct buf *out)
{
	int ret;

	if ((p == NULL && n > 0) || (!ok && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* what a writer error left queued in front goes first */
	if ((ret = gowed_flush(cs, out)) != 0) {
		return ret;
	}
	if (cs->gowed_n == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = send_global_reply(out, ok, p, n)) != 0) {
		return ret;
	}
	gowed_pop(cs);
	return gowed_flush(cs, out);
}

/* ---- input handlers ---- */

static int
in_global_request(struct chan_set *cs, struct rd *r, struct buf *out)
{
	struct chan_event *ev;
	struct chan_str name, data;
	bool want_reply, ok = false;
	int ret;

	/* string request name, boolean want reply, request-specific data
	 * (interpreted only by the application, for the one request it
	 * serves) */
	if ((ret = rd_view_str(r, &name)) != 0 ||
	    (ret = rd_bool(r, &want_reply)) != 0) {
		return ret;
	}
	/*
	 * Server: byte GLOBAL_REQUEST, "hostkeys-prove-00@openssh.com", TRUE,
	 * string hostkey ...; the application owes the answer. Client:
	 * "hostkeys-00@openssh.com", FALSE, string hostkey ...; it compares
	 * them with known_hosts, no reply (OpenSSH PROTOCOL §2.5).
	 */
	if ((cs->server && want_reply &&
	     chan_str_eq(name, CHAN_GREQ_HOSTKEYS_PROVE)) ||
	    (!cs->server && !want_reply &&
	     chan_str_eq(name, CHAN_GREQ_HOSTKEYS))) {
		data.n = rd_left(r);
		if ((ret = rd_view(r, data.n, &data.p)) != 0 ||
		    (want_reply && (ret = gowed_push(cs, OWED_APP)) != 0)) {
			return ret;
		}
		ev = ev_set(cs, CHAN_EV_GLOBAL_REQUEST, 0);
		ev->req.name = name;
		ev->req.want_reply = want_reply;
		ev->data = data;
		return 0;
	}
	if (!cs->server && chan_str_eq(name, CHAN_GREQ_HOSTKEYS)) {
		ok = false; /* with want_reply (not OpenSSH's form): refused */
	} else if (cs->server && chan_str_eq(name, GREQ_NO_MORE_SESSIONS)) {
		cs->no_more_sessions = true;
		ok = true;
	}
	if (!want_reply) {
		return 0;
	}
	if (cs->gowed_n > 0) {
		/* behind a reply the application still owes */
		return gowed_push(cs, ok ? OWED_OK : OWED_FAIL);
	}
	return send_global_reply(out, ok, NULL, 0);
}

static int
in_global_reply(struct chan_set *cs, uint8_t type, struct rd *r)
{
	struct chan_event *ev;
	struct chan_str data;
	int ret;

	/* REQUEST_SUCCESS may carry response-specific data; FAILURE none. */
	if (type == SSH2_MSG_REQUEST_FAILURE && (ret = rd_end(r)) != 0) {
		return ret;
	}
	if (cs->global_pending == 0) {
		return SESH_ERR_PROTOCOL;
	}
	data.n = rd_left(r);
	if ((ret = rd_view(r, data.n, &data.p)) != 0) {
		return ret;
	}
	cs->global_pending--;
	ev = ev_set(cs, CHAN_EV_GLOBAL_REPLY, 0);
	ev->ok = type == SSH2_MSG_REQUEST_SUCCESS;
	ev->data = data;
	return 0;
}

static int
in_open(struct chan_set *cs, struct rd *r, struct buf *out)
{
	struct chan_str type, host = {0}, orig = {0};
	uint32_t sender, window, maxpacket, port = 0, orig_port = 0, id;
	enum chan_open_kind kind;
	struct chan_event *ev;
	struct chan *c;
	int ret;

	/* string channel type, uint32 sender channel, uint32 initial
	 * window size, uint32 maximum packet size, type-specific data */
	if ((ret = rd_view_str(r, &type)) != 0 ||
	    (ret = rd_u32(r, &sender)) != 0 ||
	    (ret = rd_u32(r, &window)) != 0 ||
	    (ret = rd_u32(r, &maxpacket)) != 0) {
		return ret;
	}
	if (chan_str_eq(type, "session")) {
		kind = CHAN_KIND_SESSION;
	} else if (chan_str_eq(type, "direct-tcpip")) {
		/* string host to connect, uint32 port to connect, string
		 * originator IP address, uint32 originator port (§7.2) */
		kind = CHAN_KIND_DIRECT_TCPIP;
		if ((ret = rd_view_str(r, &host)) != 0 ||
		    (ret = rd_u32(r, &port)) != 0 ||
		    (ret = rd_view_str(r, &orig)) != 0 ||
		    (ret = rd_u32(r, &orig_port)) != 0) {
			return ret;
		}
	} else {
		return send_open_failure(out, sender,
		                         SSH2_OPEN_UNKNOWN_CHANNEL_TYPE,
		                         "unknown channel type");
	}
	if ((ret = rd_end(r)) != 0) {
		return ret;
	}
	if (!cs->server) {
		return send_open_failure(out, sender,
		                         SSH2_OPEN_ADMINISTRATIVELY_PROHIBITED,
		                         "open refused by client");
	}
	if (kind == CHAN_KIND_SESSION && cs->no_more_sessions) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = chan_alloc(cs, CH_ACCEPTING, &id)) != 0) {
		return send_open_failure(out, sender,
		                         SSH2_OPEN_RESOURCE_SHORTAGE,
		                         "too many channels");
	}
	c = cs->ch[id];
	c->remote_id = sender;
	c->rwin = window;
	c->rmaxpacket = maxpacket;
	ev = ev_set(cs, CHAN_EV_OPEN_REQUEST, id);
	ev->kind = kind;
	ev->dtcp_host = host;
	ev->dtcp_port = port;
	ev->dtcp_orig_host = orig;
	ev->dtcp_orig_port = orig_port;
	return 0;
}

static int
in_open_confirmation(struct chan_set *cs, uint32_t id, struct chan *c,
                     struct rd *r)
{
	uint32_t sender, window, maxpacket;
	int ret;

	/* uint32 sender channel, uint32 initial window size, uint32
	 * maximum packet size (no type-specific data for our types) */
	if ((ret = rd_u32(r, &sender)) != 0 ||
	    (ret = rd_u32(r, &window)) != 0 ||
	    (ret = rd_u32(r, &maxpacket)) != 0 || (ret = rd_end(r)) != 0) {
		return ret;
	}
	if (c->state != CH_OPENING) {
		return SESH_ERR_PROTOCOL;
	}
	c->remote_id = sender;
	c->rwin = window;
	c->rmaxpacket = maxpacket;
	c->state = CH_OPEN;
	ev_set(cs, CHAN_EV_OPEN_CONFIRMED, id);
	return 0;
}

static int
in_open_failure(struct chan_set *cs, uint32_t id, struct chan *c, struct rd *r)
{
	struct chan_str text, lang;
	struct chan_event *ev;
	uint32_t reason;
	int ret;

	/* uint32 reason code, string description, string language tag */
	if ((ret = rd_u32(r, &reason)) != 0 ||
	    (ret = rd_view_str(r, &text)) != 0 ||
	    (ret = rd_view_str(r, &lang)) != 0 || (ret = rd_end(r)) != 0) {
		return ret;
	}
	if (c->state != CH_OPENING) {
		return SESH_ERR_PROTOCOL;
	}
	chan_free(cs, id);
	ev = ev_set(cs, CHAN_EV_OPEN_FAILED, id);
	ev->reason = reason;
	ev->text = text;
	return 0;
}

static int
in_data(struct chan_set *cs, uint32_t id, struct chan *c, uint8_t type,
        struct rd *r)
{
	struct chan_event *ev;
	struct chan_str data;
	uint32_t code = 0;
	int ret;

	if (type == SSH2_MSG_CHANNEL_EXTENDED_DATA &&
	    (ret = rd_u32(r, &code)) != 0) {
		return ret;
	}
	if ((ret = rd_view_str(r, &data)) != 0 || (ret = rd_end(r)) != 0) {
		return ret;
	}
	if (c->rcvd_eof || data.n > c->lwin) {
		return SESH_ERR_PROTOCOL;
	}
	c->lwin -= (uint32_t)data.n;
	if (c->probing) {
		/* <= probe_avail: the peer cannot send more before the adjust
		 */
		c->probe_got += (uint32_t)data.n;
	}
	if (c->state != CH_OPEN || data.n == 0) {
		return 0;
	}
	c->unconsumed += (uint32_t)data.n;
	ev = ev_set(cs, CHAN_EV_DATA, id);
	ev->ext_type = code;
	ev->data = data;
	return 0;
}

static int
in_window_adjust(struct chan_set *cs, uint32_t id, struct chan *c, struct rd *r)
{
	uint32_t add;
	int ret;

	if ((ret = rd_u32(r, &add)) != 0 || (ret = rd_end(r)) != 0) {
		return ret;
	}
	if (add > UINT32_MAX - c->rwin) {
		return SESH_ERR_PROTOCOL; /* windows stop at 2^32 - 1 */
	}
	c->rwin += add;
	if (c->state == CH_OPEN && !c->sent_eof && add > 0) {
		ev_set(cs, CHAN_EV_WINDOW, id);
	}
	return 0;
}

static int
in_request(struct chan_set *cs, uint32_t id, struct chan *c, const uint8_t *p,
           size_t n, struct buf *out)
{
	struct chan_event *ev;
	struct chan_req q;
	uint32_t recipient;
	unsigned role = cs->server ? SERVED_BY_SERVER : SERVED_BY_CLIENT;
	bool served;
	int ret, i;

	if ((ret = chan_request_parse(p, n, &recipient, &q)) != 0) {
		return ret;
	}
	if (c->state != CH_OPEN) {
		return 0; /* CLOSING: nothing may be sent any more */
	}
	i = req_lookup(q.name);
	served = i >= 0 && (req_names[i].served & role) != 0;
	if (served && q.type == CHAN_REQ_EOW) {
		/* Never answered (OpenSSH PROTOCOL §2.1). */
		if (q.want_reply) {
			q.want_reply = false;
			if ((ret = owed_push(c, OWED_FAIL)) != 0) {
				return ret;
			}
		}
		c->rcvd_eow = true;
	} else if (!served) {
		if (!q.want_reply) {
			return 0;
		}
		if ((ret = owed_push(c, OWED_FAIL)) != 0) {
			return ret;
		}
		return owed_flush(c, out);
	} else if (q.want_reply && (ret = owed_push(c, OWED_APP)) != 0) {
		return ret;
	}
	if ((ret = owed_flush(c, out)) != 0) {
		return ret;
	}
	ev = ev_set(cs, CHAN_EV_REQUEST, id);
	ev->req = q;
	return 0;
}

static int
in_request_reply(struct chan_set *cs, uint32_t id, struct chan *c, uint8_t type,
                 struct rd *r, struct buf *out)
{
	struct chan_event *ev;
	uint8_t req_type;
	int ret;

	if ((ret = rd_end(r)) != 0) {
		return ret;
	}
	if (c->req_n == 0) {
		return SESH_ERR_PROTOCOL;
	}
	req_type = c->req_q[c->req_head];
	c->req_head = (c->req_head + 1) % REQ_RING;
	c->req_n--;
	if (req_type == REQ_PROBE) {
		return probe_answered(cs, c, out);
	}
	if (c->state == CH_OPEN) {
		ev = ev_set(cs, CHAN_EV_REQUEST_REPLY, id);
		ev->ok = type == SSH2_MSG_CHANNEL_SUCCESS;
		ev->req_type = (enum chan_req_type)req_type;
	}
	return 0;
}

static int
in_close(struct chan_set *cs, uint32_t id, struct chan *c, struct rd *r,
         struct buf *out)
{
	int ret;

	if ((ret = rd_end(r)) != 0) {
		return ret;
	}
	if (c->state == CH_OPEN &&
	    (ret = send_simple(out, SSH2_MSG_CHANNEL_CLOSE, c->remote_id)) !=
	        0) {
		return ret;
	}
	chan_free(cs, id);
	ev_set(cs, CHAN_EV_CLOSED, id);
	return 0;
}

static int
in_eof(struct chan_set *cs, uint32_t id, struct chan *c, struct rd *r)
{
	int ret;

	if ((ret = rd_end(r)) != 0) {
		return ret;
	}
	if (c->rcvd_eof) {
		return 0; /* a repeated EOF changes nothing */
	}
	c->rcvd_eof = true;
	if (c->state == CH_OPEN) {
		ev_set(cs, CHAN_EV_EOF, id);
	}
	return 0;
}

/* Messages 91-100: all start with the recipient channel (our id). */
static int
in_channel_msg(struct chan_set *cs, uint8_t type, struct rd *r,
               const uint8_t *p, size_t n, struct buf *out)
{
	struct chan *c;
	uint32_t id;
	int ret;

	if ((ret = rd_u32(r, &id)) != 0) {
		return ret;
	}
	if ((c = chan_get(cs, id)) == NULL || c->state == CH_ACCEPTING) {
		return SESH_ERR_PROTOCOL;
	}
	if (type == SSH2_MSG_CHANNEL_OPEN_CONFIRMATION) {
		return in_open_confirmation(cs, id, c, r);
	}
	if (type == SSH2_MSG_CHANNEL_OPEN_FAILURE) {
		return in_open_failure(cs, id, c, r);
	}
	if (c->state == CH_OPENING) {
		return SESH_ERR_PROTOCOL;
	}
	switch (type) {
	case SSH2_MSG_CHANNEL_WINDOW_ADJUST:
		return in_window_adjust(cs, id, c, r);
	case SSH2_MSG_CHANNEL_DATA:
	case SSH2_MSG_CHANNEL_EXTENDED_DATA:
		return in_data(cs, id, c, type, r);
	case SSH2_MSG_CHANNEL_EOF:
		return in_eof(cs, id, c, r);
	case SSH2_MSG_CHANNEL_CLOSE:
		return in_close(cs, id, c, r, out);
	case SSH2_MSG_CHANNEL_REQUEST:
		return in_request(cs, id, c, p, n, out);
	case SSH2_MSG_CHANNEL_SUCCESS:
	case SSH2_MSG_CHANNEL_FAILURE:
		return in_request_reply(cs, id, c, type, r, out);
	default:
		return SESH_ERR_PROTOCOL;
	}
}

int
chan_input(struct chan_set *cs, const uint8_t *p, size_t n, struct buf *out)
{
	struct rd r;
	uint8_t type;
	int ret;

	if (cs->has_event) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	rd_init(&r, p, n);
	if ((ret = rd_u8(&r, &type)) != 0) {
		return ret;
	}
	switch (type) {
	case SSH2_MSG_GLOBAL_REQUEST:
		return in_global_request(cs, &r, out);
	case SSH2_MSG_REQUEST_SUCCESS:
	case SSH2_MSG_REQUEST_FAILURE:
		return in_global_reply(cs, type, &r);
	case SSH2_MSG_CHANNEL_OPEN:
		return in_open(cs, &r, out);
	default:
		break;
	}
	if (type >= SSH2_MSG_CHANNEL_OPEN_CONFIRMATION &&
	    type <= SSH2_MSG_CHANNEL_FAILURE) {
		return in_channel_msg(cs, type, &r, p, n, out);
	}
	if (type >= SSH2_MSG_GLOBAL_REQUEST && type <= 127) {
		return SESH_ERR_UNSUPPORTED;
	}
	return SESH_ERR_PROTOCOL;
}
