/*
 * monitor_serve.c - the monitor's request loop (monitor_serve.h): frame
 * in, parse, admit with monitor_state, act, answer; host-key signing,
 * the user lookup (REQ_USER), the child's log lines and the handover.
 * The authentication methods are in monitor_serve_auth.c.
 *
 * Each wait for a frame is bounded by the deadline: poll(2) for the
 * first byte, then SO_RCVTIMEO for the rest, so a child that stalls
 * inside a frame cannot hold the monitor past LoginGraceTime.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "app/monitor_serve_int.h"
#include "app/server.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

#define MSERV_PK_MSG 50u /* SSH_MSG_USERAUTH_REQUEST */

uint64_t
monitor_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t
mono_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- publickey signed data (RFC 4252 §7) ---- */

static int
expect_string(struct rd *r, struct monitor_str want)
{
	const uint8_t *p;
	size_t n;
	int ret;

	if ((ret = rd_string(r, &p, &n)) != 0) {
		return ret;
	}
	if (n != want.n || (n > 0 && memcmp(p, want.p, n) != 0)) {
		return SESH_ERR_PROTOCOL;
	}
	return 0;
}

int
monitor_pk_data_check(struct monitor_str data, struct monitor_str session_id,
                      const char *user, const char *service,
                      struct monitor_str alg, struct monitor_str blob)
{
	struct rd r;
	uint8_t type, has_sig;
	int ret;

	if (session_id.n == 0) {
		return SESH_ERR_PROTOCOL;
	}
	rd_init(&r, data.p, data.n);
	if ((ret = expect_string(&r, session_id)) != 0 ||
	    (ret = rd_u8(&r, &type)) != 0) {
		return ret;
	}
	if (type != MSERV_PK_MSG) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = expect_string(&r, monitor_str_of(user))) != 0 ||
	    (ret = expect_string(&r, monitor_str_of(service))) != 0 ||
	    (ret = expect_string(&r, monitor_str_of("publickey"))) != 0 ||
	    (ret = rd_u8(&r, &has_sig)) != 0) {
		return ret;
	}
	if (has_sig != 1) { /* TRUE, as the client's engine encodes it */
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = expect_string(&r, alg)) != 0 ||
	    (ret = expect_string(&r, blob)) != 0) {
		return ret;
	}
	return rd_end(&r);
}

/* ---- helpers for logs ---- */

const char *
mserv_who(const struct mserv *m)
{
	static char who[MONITOR_MAX_USER + 32];

	if (!m->res->user_set) {
		return "";
	}
	(void)snprintf(who, sizeof(who), "%s user %s",
	               m->user_ok ? "authenticating" : "invalid",
	               m->res->user.name);
	return who;
}

static void
set_end(struct mserv *m, int end)
{
	if (!m->done) {
		m->end = end;
	}
	m->done = true;
}

/* How a connection that did not authenticate ended (as server.c). */
static int
unauth_end(const struct mserv *m)
{
	if (m->st.failures >= m->st.max_tries) {
		return SERVER_END_AUTH_FAIL;
	}
	if (m->res->user_set && !m->res->user.valid) {
		return SERVER_END_INVALID_USER;
	}
	return m->failed_lines > 0 ? SERVER_END_AUTH_FAIL : SERVER_END_NO_AUTH;
}

static void
log_too_many(struct mserv *m)
{
	if (m->too_many_logged) {
		return;
	}
	m->too_many_logged = true;
	log_error("Disconnecting %s %s port %u: Too many authentication "
	          "failures [preauth]",
	          mserv_who(m), m->ctx->raddr, m->ctx->rport);
}

/* ---- waiting for a frame, bounded by the deadline ---- */

static bool
deadline_passed(const struct mserv *m)
{
	return m->ctx->deadline_ms != 0 &&
	       monitor_now_ms() >= m->ctx->deadline_ms;
}

/* Milliseconds left (poll's -1: no deadline); 0 when passed. */
static int
ms_left(const struct mserv *m)
{
	uint64_t now = monitor_now_ms(), left;

	if (m->ctx->deadline_ms == 0) {
		return MSERV_POLL_FOREVER;
	}
	if (now >= m->ctx->deadline_ms) {
		return 0;
	}
	left = m->ctx->deadline_ms - now;
	return left > 86400000u ? 86400000 : (int)left;
}

static void
set_rcvtimeo(int fd, int ms)
{
	struct timeval tv;

	memset(&tv, 0, sizeof(tv));
	if (ms > 0) {
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* 0 with a frame in m->in, SESH_ERR_SYSTEM with errno ETIMEDOUT at the
 * deadline, or monitor_recv's errors. */
static int
wait_frame(struct mserv *m)
{
	struct pollfd pfd;
	int left, r;

	for (;;) {
		left = ms_left(m);
		if (left == 0) {
			errno = ETIMEDOUT;
			return SESH_ERR_SYSTEM;
		}
		pfd.fd = m->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, left);
		if (r > 0) {
			break;
		}
		if (r < 0 && errno != EINTR) {
			return SESH_ERR_SYSTEM;
		}
	}
	left = ms_left(m);
	/* -1: no deadline (no timeout); 0: passed (the shortest) */
	set_rcvtimeo(m->fd, left < 0 ? 0 : left == 0 ? 1 : left);
	return monitor_recv(m->fd, 0, &m->in);
}

/* The frame could not be read: how the connection ended. */
static void
end_io(struct mserv *m, int err)
{
	bool pre = m->st.phase == MONITOR_PREAUTH;

	if (pre && deadline_passed(m)) {
		log_info("Timeout before authentication for %s port %u",
		         m->ctx->raddr, m->ctx->rport);
		set_end(m, SERVER_END_GRACE);
		return;
	}
	if (pre && err == SESH_ERR_NOT_FOUND) {
		set_end(m, unauth_end(m));
		return;
	}
	if (err == SESH_ERR_NOT_FOUND) {
		log_error("monitor: the child ended after authentication "
		          "without handing the connection over");
	} else {
		log_error("monitor: bad frame from the child: %s",
		          sesh_err_str(err));
	}
	set_end(m, SERVER_END_ERROR);
}

/* A request monitor_msg_parse or monitor_state_request refused. */
static void
refuse(struct mserv *m, uint8_t type, int err)
{
	if (err == SESH_ERR_AUTH_TOO_MANY) {
		log_too_many(m);
		set_end(m, SERVER_END_AUTH_FAIL);
		return;
	}
	log_error("monitor: refused request %s: %s", monitor_type_name(type),
	          sesh_err_str(err));
	set_end(m, SERVER_END_ERROR);
}

/* ---- the failed-attempt delay (srvauth.h), as server_auth.c ---- */

static void
delay_start(struct mserv *m)
{
	m->t0_us = mono_us();
	m->delay_due = false;
}

static void
delay_wait(struct mserv *m)
{
	uint64_t now = mono_us(), elapsed, target, end, grace_us = UINT64_MAX;
	int left = ms_left(m);
	struct timespec ts;

	if (!m->delay_key_set || !m->delay_due) {
		return;
	}
	elapsed = now > m->t0_us ? now - m->t0_us : 0;
	target = srvauth_delay_target_us(
	    elapsed,
	    srvauth_delay_us(m->delay_key,
	                     m->res->user_set ? m->res->user.name : ""));
	if (left >= 0) {
		grace_us = (uint64_t)left * 1000u;
	}
	if (target - elapsed > grace_us) {
		target = elapsed + grace_us;
	}
	end = m->t0_us + target;
	while ((now = mono_us()) < end) {
		ts.tv_sec = (time_t)((end - now) / 1000000u);
		ts.tv_nsec = (long)((end - now) % 1000000u) * 1000L;
		if (ppoll(NULL, 0, &ts, NULL) < 0 && errno != EINTR) {
			break;
		}
	}
}

/* ---- REQ_SIGN ---- */

static const struct sshkey *
find_hostkey(const struct mserv *m, struct monitor_str blob)
{
	const struct sshkey *found = NULL;
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < m->ctx->nhostkeys && found == NULL; i++) {
		buf_reset(&b);
		if (m->ctx->hostkeys[i] != NULL &&
		    key_to_blob(m->ctx->hostkeys[i], &b) == 0 &&
		    buf_len(&b) == blob.n &&
		    memcmp(buf_data(&b), blob.p, blob.n) == 0) {
			found = m->ctx->hostkeys[i];
		}
	}
	buf_clear(&b);
	return found;
}

static int
on_sign(struct mserv *m, const struct monitor_msg *req, struct monitor_msg *ans)
{
	const struct sshkey *k = find_hostkey(m, req->blob);
	char *alg = NULL;
	int ret;

	ans->type = MONITOR_ANS_SIGN;
	buf_reset(&m->sig);
	if ((ret = monitor_str_dup(req->alg, &alg)) != 0) {
		return ret;
	}
	if (k == NULL || !key_has_private(k)) {
		log_error("monitor: no private host key for the signing "
		          "request (%s)",
		          alg);
	} else if ((ret = key_sign(k, alg, req->data.p, req->data.n,
	                           &m->sig)) != 0) {
		log_error("monitor: host key signature (%s): %s", alg,
		          sesh_err_str(ret));
	} else {
		ans->ok = true;
		ans->data.p = buf_data(&m->sig);
		ans->data.n = buf_len(&m->sig);
	}
	free(alg);
	return 0;
}

/* ---- REQ_USER ---- */

/* Applies the Match blocks for the now known user. */
static void
apply_match(struct mserv *m)
{
	struct servconf_conninfo ci;
	struct servconf_err err;
	struct monitor_result *r = m->res;

	memset(&ci, 0, sizeof(ci));
	ci.user = r->user.name;
	ci.host = m->ctx->raddr;
	ci.addr = m->ctx->raddr;
	ci.laddr = m->ctx->laddr;
	ci.lport = m->ctx->lport;
	ci.groups = (const char *const *)r->user.groups;
	memset(&err, 0, sizeof(err));
	if (servconf_match(m->ctx->conf, &ci, &r->conf, &err) != 0) {
		log_error("Match for user %s: %s", r->user.name, err.msg);
		return;
	}
	r->conf_set = true;
	m->conf = &r->conf;
}

/* Account checks for a valid user: sets m->user_ok. */
static int
check_account(struct mserv *m)
{
	char *why = NULL;
	bool ok = false;
	int ret;

	ret = srvauth_account_allowed(m->conf, &m->res->user, m->ctx->raddr,
	                              m->ctx->raddr, &ok, &why);
	if (ret == 0 && !ok) {
		if (why != NULL) {
			log_info("%s", why);
		} else {
			log_info("User %s from %s not allowed",
			         m->res->user.name, m->ctx->raddr);
		}
	}
	free(why);
	m->user_ok = ret == 0 && ok;
	return ret;
}

static int
lookup_user(struct mserv *m, const char *name)
{
	struct srv_user *u = &m->res->user;
	int ret;

	if ((ret = srvauth_user_lookup(name, u)) != 0) {
		return ret;
	}
	m->res->user_set = true;
	if (u->name == NULL && (u->name = mem_strdup(name)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (u->valid && !m->is_root && u->uid != geteuid()) {
		/* as sshd run by a user: nobody else can log in */
		u->valid = false;
	}
	/* for an unknown user too (as sshd): the methods and MaxAuthTries a
	 * Match block sets must not tell the two apart */
	apply_match(m);
	if (!u->valid) {
		log_info("Invalid user %s from %s port %u", name, m->ctx->raddr,
		         m->ctx->rport);
		m->user_ok = false;
		return 0;
	}
	return check_account(m);
}

static int
on_user(struct mserv *m, const struct monitor_msg *req, struct monitor_msg *ans)
{
	char *name = NULL;
	int ret;

	if ((ret = monitor_str_dup(req->user, &name)) != 0 ||
	    (ret = monitor_str_dup(req->service, &m->service)) != 0 ||
	    (ret = lookup_user(m, name)) != 0 ||
	    (ret = srvauth_methods_new(m->conf, &m->methods)) != 0) {
		free(name);
		return ret;
	}
	free(name);
	ans->type = MONITOR_ANS_USER;
	ans->text = monitor_str_of(srvauth_methods_next(m->methods));
	/* MaxAuthTries as a Match block for this user may set it: the
	 * state takes it with the answer, the child's engine from it */
	ans->max_tries = monitor_max_tries(m->conf->max_auth_tries);
	return 0;
}

/* ---- REQ_LOG, REQ_HANDOVER ---- */

static int
on_log(const struct monitor_msg *req)
{
	enum log_level lvl = (enum log_level)req->level;
	char *text = NULL;
	int ret;

	if (lvl < LOG_LVL_ERROR) {
		lvl = LOG_LVL_ERROR;
	} else if (lvl > LOG_LVL_DEBUG3) {
		lvl = LOG_LVL_DEBUG3;
	}
	if ((ret = monitor_str_dup(req->text, &text)) != 0) {
		return ret;
	}
	log_msg(lvl, "%s [preauth]", text);
	free(text);
	return 0;
}

static int
on_handover(struct mserv *m, const struct monitor_msg *req,
            struct monitor_msg *ans)
{
	struct monitor_result *r = m->res;

	if (req->data.n == 0) {
		return SESH_ERR_PROTOCOL;
	}
	if ((r->state = malloc(req->data.n)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	memcpy(r->state, req->data.p, req->data.n);
	r->state_len = req->data.n;
	ans->type = MONITOR_ANS_HANDOVER;
	return 0;
}

/* ---- the loop ---- */

static int
act(struct mserv *m, const struct monitor_msg *req, struct monitor_msg *ans)
{
	switch (req->type) {
	case MONITOR_REQ_SIGN:
		return on_sign(m, req, ans);
	case MONITOR_REQ_USER:
		return on_user(m, req, ans);
	case MONITOR_REQ_LOG:
		return on_log(req);
	case MONITOR_REQ_HANDOVER:
		return on_handover(m, req, ans);
	default:
		return mserv_auth(m, req, ans);
	}
}

/* Records, builds and sends the answer. */
static int
answer(struct mserv *m, const struct monitor_msg *ans)
{
	int ret;

	delay_wait(m);
	buf_reset(&m->out);
	if ((ret = monitor_state_answer(&m->st, ans)) != 0 ||
	    (ret = monitor_msg_build(ans, &m->out)) != 0) {
		return ret;
	}
	ret = monitor_send(m->fd, buf_data(&m->out), buf_len(&m->out));
	buf_reset(&m->out);
	return ret;
}

/* After an answer went out: MaxAuthTries reached, or the handover. */
static void
after_answer(struct mserv *m, const struct monitor_msg *ans)
{
	bool failed = (ans->type == MONITOR_ANS_AUTH &&
	               ans->result == MONITOR_AUTH_FAIL) ||
	              (ans->type == MONITOR_ANS_KEY_QUERY && !ans->ok);

	if (failed && m->st.failures >= m->st.max_tries) {
		/* the child's engine disconnects now (same max_tries: the
		 * global one, or the user's from ANS_USER) */
		log_too_many(m);
	}
	if (ans->type == MONITOR_ANS_AUTH &&
	    ans->result == MONITOR_AUTH_SUCCESS) {
		m->res->authenticated = true;
	}
	if (m->st.phase == MONITOR_DONE) {
		set_end(m, SERVER_END_OK);
	}
}

static void
step(struct mserv *m)
{
	struct monitor_msg req, ans;
	int ret;

	if ((ret = wait_frame(m)) != 0) {
		end_io(m, ret);
		return;
	}
	delay_start(m);
	if ((ret = monitor_msg_parse(buf_data(&m->in), buf_len(&m->in),
	                             &req)) != 0) {
		end_io(m, ret);
		return;
	}
	if ((ret = monitor_state_request(&m->st, &req)) != 0) {
		refuse(m, req.type, ret);
		return;
	}
	memset(&ans, 0, sizeof(ans));
	if ((ret = act(m, &req, &ans)) != 0) {
		refuse(m, req.type, ret);
		return;
	}
	if (!monitor_expects_answer(req.type)) {
		return;
	}
	ret = answer(m, &ans);
	srvauth_prompts_clear(&m->prompts);
	buf_reset(&m->sig);
	if (ret != 0) {
		log_error("monitor: cannot answer %s: %s",
		          monitor_type_name(req.type), sesh_err_str(ret));
		set_end(m, SERVER_END_ERROR);
		return;
	}
	after_answer(m, &ans);
}

static void
mserv_init(struct mserv *m, int fd, const struct monitor_serve_ctx *ctx,
           struct monitor_result *res)
{
	memset(m, 0, sizeof(*m));
	memset(res, 0, sizeof(*res));
	m->ctx = ctx;
	m->res = res;
	m->conf = ctx->conf;
	m->fd = fd;
	m->is_root = geteuid() == 0;
	monitor_state_init(&m->st,
	                   monitor_max_tries(ctx->conf->max_auth_tries));
	buf_init(&m->in, 0);
	buf_init(&m->out, 0);
	buf_init(&m->sig, 0);
	buf_set_secret(&m->in);
	buf_set_secret(&m->out);
	m->delay_key_set =
	    srvauth_delay_key(ctx->hostkeys, ctx->nhostkeys, m->delay_key) == 0;
}

static void
mserv_free(struct mserv *m)
{
	mserv_auth_clear(m);
	srvauth_methods_free(m->methods);
	srvauth_used_keys_clear(&m->used_keys);
	free(m->service);
	buf_clear(&m->in);
	buf_clear(&m->out);
	buf_clear(&m->sig);
	mem_wipe(m->delay_key, sizeof(m->delay_key));
	set_rcvtimeo(m->fd, 0);
}

int
monitor_serve(int fd, const struct monitor_serve_ctx *ctx,
              struct monitor_result *res)
{
	struct mserv m;

	mserv_init(&m, fd, ctx, res);
	while (!m.done) {
		step(&m);
	}
	res->end = m.end;
	res->failures = m.st.failures;
	memcpy(res->session_id, m.st.session_id, m.st.session_id_len);
	res->session_id_len = m.st.session_id_len;
	mserv_free(&m);
	return res->end;
}

void
monitor_result_clear(struct monitor_result *res)
{
	srv_user_clear(&res->user);
	free(res->method);
	srv_keyopts_clear(&res->keyopts);
	if (res->conf_set) {
		servconf_clear(&res->conf);
	}
	if (res->state != NULL) {
		mem_free_secret(res->state, res->state_len);
	}
	mem_wipe(res, sizeof(*res));
}
