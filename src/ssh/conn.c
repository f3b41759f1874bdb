/*
 * conn.c - one SSH connection: routes transport payloads to userauth and
 * the channel set, sends their output, re-exports their events. The
 * contract (routing table, answer/flush rules) is in conn.h.
 */
#include "ssh/conn.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "ssh/msg.h"

struct conn {
	bool server;
	struct transport *t;
	struct ua_client *uac;
	struct ua_server *uas;
	struct chan_set cs;
	struct buf ua_out;
	struct buf chan_out;
	char *user;    /* client */
	char *methods; /* server */
	unsigned max_tries;
	int err; /* sticky: a routed payload's fatal error */
};

/* A connection without its transport: settings from cfg, empty set. */
static int
conn_alloc(enum transport_role role, const struct conn_config *cfg,
           struct conn **out)
{
	struct conn *c = NULL;
	const char *methods;
	int ret;

	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL || cfg == NULL ||
	    (role != TRANSPORT_CLIENT && role != TRANSPORT_SERVER)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (role == TRANSPORT_CLIENT &&
	    (cfg->user == NULL || strlen(cfg->user) > UA_MAX_USER)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	c->server = role == TRANSPORT_SERVER;
	buf_init(&c->ua_out, 0);
	buf_init(&c->chan_out, 0);
	chan_set_init(&c->cs, c->server);
	c->max_tries = cfg->max_tries;
	if (c->server) {
		methods =
		    cfg->methods != NULL ? cfg->methods : CONN_DEFAULT_METHODS;
		if ((c->methods = mem_strdup(methods)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
	} else if ((c->user = mem_strdup(cfg->user)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	*out = c;
	c = NULL;
	ret = 0;
out:
	conn_free(c);
	return ret;
}

int
conn_new(enum transport_role role, const struct conn_config *cfg,
         struct conn **out)
{
	struct conn *c = NULL;
	int ret;

	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = conn_alloc(role, cfg, &c)) != 0) {
		return ret;
	}
	if ((ret = transport_new(role, &cfg->transport, &c->t)) != 0) {
		conn_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

void
conn_free(struct conn *c)
{
	if (c == NULL) {
		return;
	}
	transport_free(c->t);
	ua_client_free(c->uac);
	ua_server_free(c->uas);
	chan_set_clear(&c->cs);
	buf_clear(&c->ua_out);
	buf_clear(&c->chan_out);
	free(c->user);
	free(c->methods);
	free(c);
}

int
conn_input(struct conn *c, const uint8_t *p, size_t n, uint64_t now)
{
	int ret;

	if (c == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = transport_tick(c->t, now)) != 0) {
		return ret;
	}
	return transport_input(c->t, p, n);
}

int
conn_input_space(struct conn *c, size_t n, uint8_t **p, size_t *room)
{
	if (c == NULL) {
		if (p != NULL) {
			*p = NULL;
		}
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return transport_input_space(c->t, n, p, room);
}

int
conn_input_commit(struct conn *c, size_t k, uint64_t now)
{
	int ret;

	if (c == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* The bytes first: the space is only valid until the next call. */
	ret = transport_input_commit(c->t, k);
	if (ret == 0) {
		ret = transport_tick(c->t, now);
	}
	return ret;
}

int
conn_tick(struct conn *c, uint64_t now)
{
	if (c == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* A rekey queued by the tick goes out with the next output; held
	 * module output is flushed first so nothing is reordered. */
	(void)conn_flush(c);
	return transport_tick(c->t, now);
}

bool
conn_next_deadline(const struct conn *c, uint64_t *when)
{
	if (c == NULL) {
		return false;
	}
	return transport_next_deadline(c->t, when);
}

void
conn_output_peek(const struct conn *c, const uint8_t **p, size_t *n)
{
	transport_output_peek(c->t, p, n);
}

void
conn_output_consume(struct conn *c, size_t n)
{
	transport_output_consume(c->t, n);
}

/* Records a fatal error and queues the DISCONNECT it calls for. */
static void
fail(struct conn *c, int err)
{
	if (c->err == 0) {
		c->err = err;
	}
	if (!transport_closed(c->t)) {
		/* Only SESH_ERR_PROTOCOL (already closed) can come back. */
		(void)transport_disconnect(
		    c->t, (uint32_t)sesh_err_disconnect_reason(err),
		    sesh_err_str(err));
	}
}

static int
flush_records(struct conn *c)
{
	struct rd r;
	const uint8_t *p;
	size_t n;
	int ret = 0;

	rd_init(&r, buf_data(&c->chan_out), buf_len(&c->chan_out));
	while (rd_left(&r) > 0) {
		if ((ret = rd_string(&r, &p, &n)) != 0 ||
		    (ret = transport_send(c->t, p, n)) != 0) {
			goto out;
		}
	}
out:
	buf_reset(&c->chan_out);
	return ret;
}

int
conn_flush(struct conn *c)
{
	int ret = 0;

	if (c == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (transport_closed(c->t)) {
		buf_reset(&c->ua_out);
		buf_reset(&c->chan_out);
		goto out;
	}
	if (buf_len(&c->ua_out) > 0) {
		ret = transport_send(c->t, buf_data(&c->ua_out),
		                     buf_len(&c->ua_out));
		buf_reset(&c->ua_out);
		if (ret != 0) {
			fail(c, ret);
			buf_reset(&c->chan_out);
			goto out;
		}
	}
	if ((ret = flush_records(c)) != 0) {
		fail(c, ret);
	}
out:
	return ret;
}

int
conn_disconnect(struct conn *c, uint32_t reason, const char *text)
{
	if (c == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* Answers still buffered (e.g. the CLOSE answering the peer's)
	 * go out first; a failing flush has already disconnected. */
	(void)conn_flush(c);
	return transport_disconnect(c->t, reason, text);
}

/* First KEX_DONE: the userauth object over the session id; the client
 * sends SERVICE_REQUEST. */
static int
start_userauth(struct conn *c)
{
	const uint8_t *sid;
	size_t sid_len;
	int ret;

	transport_session_id(c->t, &sid, &sid_len);
	if (c->server) {
		if (c->uas != NULL) {
			return 0;
		}
		return ua_server_new(sid, sid_len, c->methods, c->max_tries,
		                     &c->uas);
	}
	if (c->uac != NULL) {
		return 0;
	}
	if ((ret = ua_client_new(c->user, sid, sid_len, &c->uac)) != 0 ||
	    (ret = ua_client_start(c->uac, &c->ua_out)) != 0) {
		return ret;
	}
	return conn_flush(c);
}

/* Userauth payload (5, 6, 50-79 before success). Returns 1 with an event
 * in *ev, 0, or a fatal error. */
static int
route_userauth(struct conn *c, const uint8_t *p, size_t n,
               struct conn_event *ev)
{
	int ret;

	if (c->server) {
		if (c->uas == NULL) {
			return SESH_ERR_PROTOCOL;
		}
		ret = ua_server_input(c->uas, p, n, &ev->uas, &c->ua_out);
		if (ret != 0) {
			buf_reset(&c->ua_out);
			return ret;
		}
		/* An automatic reply (SERVICE_ACCEPT, FAILURE). The event
		 * lives in the userauth state, not in the transport's
		 * packet, so sending now is safe. */
		if ((ret = conn_flush(c)) != 0) {
			return ret;
		}
		if (ev->uas == NULL) {
			return 0;
		}
		ev->type = CONN_EV_UA_SERVER;
		return 1;
	}
	if (c->uac == NULL) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = ua_client_input(c->uac, p, n, &ev->uac)) != 0) {
		return ret;
	}
	if (ev->uac == NULL) {
		return 0;
	}
	ev->type = CONN_EV_UA_CLIENT;
	return 1;
}

/* One PAYLOAD. Returns 1 with an event in *ev, 0, or a fatal error. */
static int
route_payload(struct conn *c, const uint8_t *p, size_t n, struct conn_event *ev)
{
	struct rd r;
	uint8_t m;
	int ret;

	rd_init(&r, p, n);
	if ((ret = rd_u8(&r, &m)) != 0) {
		return SESH_ERR_PROTOCOL;
	}
	if (m == SSH2_MSG_EXT_INFO) {
		return 0;
	}
	if (!conn_authenticated(c)) {
		if (m == SSH2_MSG_SERVICE_REQUEST ||
		    m == SSH2_MSG_SERVICE_ACCEPT ||
		    (m >= SSH2_MSG_USERAUTH_REQUEST && m < 80)) {
			return route_userauth(c, p, n, ev);
		}
		/* RFC 4252 §6: no connection protocol before success */
		return SESH_ERR_PROTOCOL;
	}
	if (m >= SSH2_MSG_USERAUTH_REQUEST && m < 80) {
		return 0;
	}
	if (m < 80) {
		return SESH_ERR_PROTOCOL;
	}
	if (m > 127) {
		/* RFC 4253 §11.4: a number nobody here knows. */
		return transport_send_unimplemented(c->t);
	}
	ret = chan_input(&c->cs, p, n, &c->chan_out);
	if (ret == SESH_ERR_UNSUPPORTED) {
		/* A connection-protocol number channel.c does not know;
		 * its state is untouched. */
		buf_reset(&c->chan_out);
		return transport_send_unimplemented(c->t);
	}
	if (ret != 0) {
		return ret;
	}
	/* Answers in chan_out are flushed by the next conn_next_event or
	 * conn_flush: the event's views point into the transport's packet,
	 * which transport_send may reuse. */
	if (!chan_next_event(&c->cs, &ev->chan)) {
		return 0;
	}
	ev->type = CONN_EV_CHANNEL;
	return 1;
}

int
conn_next_event(struct conn *c, struct conn_event *ev)
{
	struct transport_event tev;
	bool flushed = false;
	int ret;

	if (ev != NULL) {
		memset(ev, 0, sizeof(*ev));
	}
	if (c == NULL || ev == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* A failed flush disconnects; the event says so below. */
	(void)conn_flush(c);
	for (;;) {
		if ((ret = transport_next_event(c->t, &tev)) != 0) {
			goto out;
		}
		switch (tev.type) {
		case TRANSPORT_EV_NONE:
			/*
			 * A payload that raised no event may have left an
			 * answer of the modules' own (a REQUEST_FAILURE to a
			 * keepalive, UNIMPLEMENTED ...): out with it now, not
			 * with the next input. Once: a failed flush shows as
			 * the DISCONNECTED event of the next turn.
			 */
			if (!flushed && (buf_len(&c->ua_out) > 0 ||
			                 buf_len(&c->chan_out) > 0)) {
				flushed = true;
				(void)conn_flush(c);
				continue;
			}
			ret = 0;
			goto out;
		case TRANSPORT_EV_HOSTKEY_VERIFY:
			ev->type = CONN_EV_HOSTKEY_VERIFY;
			ev->tev = tev;
			ret = 0;
			goto out;
		case TRANSPORT_EV_HOSTKEY_SIGN:
			ev->type = CONN_EV_HOSTKEY_SIGN;
			ev->tev = tev;
			ret = 0;
			goto out;
		case TRANSPORT_EV_KEX_DONE:
			if (tev.first_kex && (ret = start_userauth(c)) != 0) {
				fail(c, ret);
				continue;
			}
			ev->type = CONN_EV_KEX_DONE;
			ev->tev = tev;
			ret = 0;
			goto out;
		case TRANSPORT_EV_PAYLOAD:
			ret = route_payload(c, tev.payload, tev.len, ev);
			if (ret < 0) {
				memset(ev, 0, sizeof(*ev));
				fail(c, ret);
				continue;
			}
			if (ret == 1) {
				ret = 0;
				goto out;
			}
			continue;
		case TRANSPORT_EV_DISCONNECTED:
			ev->type = CONN_EV_DISCONNECTED;
			ev->tev = tev;
			ev->err = c->err != 0 ? c->err : tev.err;
			ret = 0;
			goto out;
		}
	}
out:
	return ret;
}

struct transport *
conn_transport(struct conn *c)
{
	return c->t;
}

struct ua_client *
conn_userauth_client(struct conn *c)
{
	return c->uac;
}

struct ua_server *
conn_userauth_server(struct conn *c)
{
	return c->uas;
}

struct chan_set *
conn_channels(struct conn *c)
{
	return &c->cs;
}

struct buf *
conn_ua_buf(struct conn *c)
{
	return &c->ua_out;
}

struct buf *
conn_chan_buf(struct conn *c)
{
	return &c->chan_out;
}

bool
conn_authenticated(const struct conn *c)
{
	if (c->server) {
		return c->uas != NULL && ua_server_done(c->uas);
	}
	return c->uac != NULL && ua_client_done(c->uac);
}

int
conn_error(const struct conn *c)
{
	return c->err != 0 ? c->err : transport_error(c->t);
}

bool
conn_closed(const struct conn *c)
{
	return transport_closed(c->t);
}

size_t
conn_held_bytes(const struct conn *c)
{
	return c != NULL ? transport_held_bytes(c->t) : 0;
}

/* ---- state transfer ---- */

#define CONN_EXPORT_TAG "sesh-conn-state-v1"

bool
conn_can_export(const struct conn *c)
{
	return c != NULL && c->server && c->err == 0 && c->t != NULL &&
	       conn_authenticated(c) && transport_can_export(c->t) &&
	       buf_len(&c->ua_out) == 0 && buf_len(&c->chan_out) == 0 &&
	       c->cs.nchan == 0 && c->cs.gowed_n == 0 && !c->cs.has_event;
}

int
conn_export(const struct conn *c, struct buf *out)
{
	size_t mark;
	int ret;

	if (out == NULL || !conn_can_export(c)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	mark = buf_len(out);
	if ((ret = buf_put_cstring(out, CONN_EXPORT_TAG)) != 0 ||
	    (ret = transport_export(c->t, out)) != 0 ||
	    (ret = ua_server_export(c->uas, out)) != 0 ||
	    (ret = buf_put_bool(out, c->cs.no_more_sessions)) != 0 ||
	    (ret = buf_put_u32(out, c->cs.window)) != 0 ||
	    (ret = buf_put_u32(out, c->cs.maxpacket)) != 0 ||
	    (ret = buf_put_u32(out, c->cs.global_pending)) != 0) {
		buf_truncate(out, mark);
		return ret;
	}
	return 0;
}

int
conn_import(const struct conn_config *cfg, const uint8_t *p, size_t n,
            struct conn **out)
{
	struct conn *c = NULL;
	const uint8_t *sid, *usid;
	size_t sid_len, tsid_len;
	struct rd r, sr;
	uint32_t window, maxpacket, pending;
	int ret;

	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL || cfg == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = conn_alloc(TRANSPORT_SERVER, cfg, &c)) != 0) {
		return ret;
	}
	rd_init(&r, p, n);
	if ((ret = rd_expect_cstring(&r, CONN_EXPORT_TAG)) != 0 ||
	    (ret = transport_import(&cfg->transport, &r, &c->t)) != 0) {
		goto out;
	}
	/* userauth runs over the transport's session id */
	sr = r;
	if ((ret = rd_string_max(&sr, UA_MAX_SESSION_ID, &usid, &sid_len)) !=
	    0) {
		goto out;
	}
	transport_session_id(c->t, &sid, &tsid_len);
	if (sid_len != tsid_len || memcmp(sid, usid, sid_len) != 0) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if ((ret = ua_server_import(&r, &c->uas)) != 0 ||
	    (ret = rd_bool(&r, &c->cs.no_more_sessions)) != 0 ||
	    (ret = rd_u32(&r, &window)) != 0 ||
	    (ret = rd_u32(&r, &maxpacket)) != 0 ||
	    (ret = rd_u32(&r, &pending)) != 0 || (ret = rd_end(&r)) != 0) {
		goto out;
	}
	if (chan_set_params(&c->cs, window, maxpacket) != 0 ||
	    pending > CHAN_MAX_PENDING) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	c->cs.global_pending = pending;
	*out = c;
	c = NULL;
	ret = 0;
out:
	conn_free(c);
	return ret;
}
