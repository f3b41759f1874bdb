/*
 * server_session.c - seshd's "session" channels (RFC 4254 §6) over
 * app/session.h processes: MaxSessions, pty-req (refused under no-pty
 * or PermitTTY no), env (AcceptEnv), shell, exec, subsystem,
 * window-change, signal (break and other names get FAILURE from the
 * engine); the process itself is started by server_spawn.c; utmp
 * logout records go through the privileged parent.
 *
 * Data: the client's data is queued for the child's stdin and the
 * window given back as the child takes it; the child's output is read
 * only while the client's window has room, so nothing is buffered on
 * that side. When the child has exited and its output ended, the
 * channel gets EOF, exit-status (or exit-signal) and CLOSE, in that
 * order, so stdout is fully delivered before the status. The client's
 * EOF closes the child's stdin (pipes; a pty stays open, as sshd).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/server_hostkeys.h"
#include "app/server_int.h"
#include "base/err.h"
#include "base/iov.h"
#include "base/log.h"
#include "base/mem.h"
#include "key/match.h"
#include "ssh/msg.h"

#define SRV_MAX_OUTQ (4u * 1024u * 1024u) /* socket bytes queued */

enum { ROLE_IN = 1, ROLE_OUT = 2, ROLE_ERR = 4 };

/* What each pollfd of server_sess_pollfds() stands for. */
static struct {
	uint32_t id;
	int roles;
} pmap[3u * CHAN_MAX_CHANNELS];

/* ---- the stdin queue ---- */

static int
queue_put(struct srv_queue *q, const uint8_t *p, size_t n)
{
	uint8_t *np;
	size_t need;

	if (n == 0) {
		return 0;
	}
	if (q->off > 0 && q->off == q->len) {
		q->off = q->len = 0;
	}
	if (q->off > 0 && q->len + n > q->cap) {
		memmove(q->p, q->p + q->off, q->len - q->off);
		q->len -= q->off;
		q->off = 0;
	}
	if (!size_add(q->len, n, &need)) {
		return SESH_ERR_LIMIT;
	}
	if (need > q->cap) {
		size_t cap = q->cap < 65536u ? 65536u : q->cap;

		while (cap < need) {
			cap *= 2;
		}
		np = realloc(q->p, cap);
		if (np == NULL) {
			return SESH_ERR_NOMEM;
		}
		q->p = np;
		q->cap = cap;
	}
	memcpy(q->p + q->len, p, n);
	q->len += n;
	return 0;
}

static size_t
queue_left(const struct srv_queue *q)
{
	return q->len - q->off;
}

static void
queue_free(struct srv_queue *q)
{
	free(q->p);
	memset(q, 0, sizeof(*q));
}

/* ---- helpers ---- */

static char *
str_dup_view(struct chan_str v)
{
	char *s = malloc(v.n + 1);

	if (s == NULL) {
		return NULL;
	}
	if (v.n > 0) {
		memcpy(s, v.p, v.n);
	}
	s[v.n] = '\0';
	return s;
}

static struct srv_sess *
sess_get(struct server *s, uint32_t id)
{
	if (id >= CHAN_MAX_CHANNELS || s->sess[id] == NULL) {
		return NULL;
	}
	return s->sess[id];
}

static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Closes the child's stdin (pipes only: a pty's master stays). */
static void
close_stdin(struct srv_sess *ss)
{
	if (ss->has_pty || ss->proc.in_fd < 0) {
		return;
	}
	close_fd(&ss->proc.in_fd);
}

/* Closes the session's fds once each (with a pty they may be one). */
static void
close_unique(struct srv_sess *ss)
{
	int fds[5], n = 0, i, j;

	fds[n++] = ss->proc.in_fd;
	fds[n++] = ss->proc.out_fd;
	fds[n++] = ss->proc.err_fd;
	fds[n++] = ss->pty.master;
	fds[n++] = ss->pty.slave;
	for (i = 0; i < n; i++) {
		if (fds[i] < 0) {
			continue;
		}
		for (j = 0; j < i; j++) {
			if (fds[j] == fds[i]) {
				break;
			}
		}
		if (j == i) {
			close(fds[i]);
		}
	}
	ss->proc.in_fd = ss->proc.out_fd = ss->proc.err_fd = -1;
	ss->pty.master = ss->pty.slave = -1;
}

static void
utmp_logout(struct server *s, struct srv_sess *ss)
{
	if (ss->utmp_done) {
		ss->utmp_done = false;
		(void)server_privsep_utmp_logout(s, ss->pty.name, ss->proc.pid);
	}
}

static void
sess_free(struct server *s, struct srv_sess *ss)
{
	size_t i;

	utmp_logout(s, ss);
	if (ss->proc.pid > 0 && !ss->exited) {
		(void)kill(ss->proc.pid, SIGHUP);
		for (i = 0; i < sizeof(s->orphans) / sizeof(s->orphans[0]);
		     i++) {
			if (s->orphans[i] <= 0) {
				s->orphans[i] = ss->proc.pid;
				break;
			}
		}
	}
	ss->npend = 0; /* views into the decoder: nothing to free */
	close_unique(ss);
	free(ss->term);
	for (i = 0; i < ss->nenv; i++) {
		free(ss->env[i]);
	}
	queue_free(&ss->inq);
	free(ss->pre);
	if (ss->id < CHAN_MAX_CHANNELS && s->sess[ss->id] == ss) {
		s->sess[ss->id] = NULL;
	}
	free(ss);
	if (s->nsess > 0) {
		s->nsess--;
	}
}

void
server_sess_clear_all(struct server *s)
{
	uint32_t i;

	for (i = 0; i < CHAN_MAX_CHANNELS; i++) {
		if (s->sess[i] != NULL) {
			sess_free(s, s->sess[i]);
		}
	}
}

/* ---- requests ---- */

static bool
req_pty(struct server *s, struct srv_sess *ss, const struct chan_req *r)
{
	struct chan_pty_mode modes[SRV_MAX_MODES];
	size_t n = 0;

	if (ss->started || ss->has_pty) {
		return false;
	}
	if (s->conf->permit_tty == 0 ||
	    (s->have_keyopts && s->keyopts.no_pty)) {
		log_verbose("Pty allocation disabled.");
		return false;
	}
	if (session_pty_open(s->user.uid, s->user.gid, &ss->pty) != 0) {
		log_error("session_pty_req: session %u alloc failed", ss->id);
		return false;
	}
	ss->has_pty = true;
	ss->term = str_dup_view(r->term);
	ss->cols = r->cols;
	ss->rows = r->rows;
	ss->xpix = r->width_px;
	ss->ypix = r->height_px;
	if (chan_pty_modes_parse(r->modes.p, r->modes.n, modes, SRV_MAX_MODES,
	                         &n) == 0 &&
	    n > 0) {
		(void)session_pty_modes(&ss->pty, modes, n);
	}
	(void)session_pty_winsize(&ss->pty, r->cols, r->rows, r->width_px,
	                          r->height_px);
	return true;
}

static bool
env_accepted(const struct server *s, const char *name)
{
	char **p = s->conf->accept_env;

	for (; p != NULL && *p != NULL; p++) {
		if (match_pattern(name, strlen(name), *p, strlen(*p), false)) {
			return true;
		}
	}
	return false;
}

static bool
req_env(struct server *s, struct srv_sess *ss, const struct chan_req *r)
{
	char *name, *val, *nv;
	size_t n;

	if (ss->started || ss->nenv >= SRV_MAX_ENV) {
		return false;
	}
	name = str_dup_view(r->arg);
	val = str_dup_view(r->value);
	if (name == NULL || val == NULL || strchr(name, '=') != NULL ||
	    name[0] == '\0' || strlen(name) != r->arg.n ||
	    !env_accepted(s, name)) {
		if (name != NULL) {
			log_debug2("Ignoring env request %s: disallowed name",
			           name);
		}
		free(name);
		free(val);
		return false;
	}
	n = strlen(name) + strlen(val) + 2;
	nv = malloc(n);
	if (nv != NULL) {
		(void)snprintf(nv, n, "%s=%s", name, val);
		ss->env[ss->nenv++] = nv;
	}
	free(name);
	free(val);
	return nv != NULL;
}

static bool
req_subsystem(struct server *s, struct srv_sess *ss, const struct chan_req *r)
{
	char *name = str_dup_view(r->arg);
	bool ok = false;
	size_t i;

	if (name == NULL) {
		return false;
	}
	for (i = 0; i < s->conf->nsubsystems; i++) {
		if (strcmp(s->conf->subsystems[i].name, name) == 0) {
			if (strcmp(s->conf->subsystems[i].command,
			           "internal-sftp") == 0) {
				log_error("subsystem request for %.100s: "
				          "internal-sftp not available",
				          name);
				break;
			}
			log_info("subsystem request for %.100s by user %s",
			         name, s->user.name);
			ok = server_sess_start(
			    s, ss, s->conf->subsystems[i].command, "subsystem");
			break;
		}
	}
	if (i == s->conf->nsubsystems) {
		log_info("subsystem request for %.100s by user %s failed, "
		         "subsystem not found",
		         name, s->user.name);
	}
	free(name);
	return ok;
}

static bool
on_request(struct server *s, struct srv_sess *ss, const struct chan_req *r)
{
	char *cmd;
	bool ok = false;
	int sig;

	switch (r->type) {
	case CHAN_REQ_PTY:
		return req_pty(s, ss, r);
	case CHAN_REQ_ENV:
		return req_env(s, ss, r);
	case CHAN_REQ_SHELL:
		return server_sess_start(s, ss, NULL, "shell");
	case CHAN_REQ_EXEC:
		cmd = str_dup_view(r->arg);
		if (cmd != NULL && strlen(cmd) == r->arg.n) {
			ok = server_sess_start(s, ss, cmd, "command");
		}
		free(cmd);
		return ok;
	case CHAN_REQ_SUBSYSTEM:
		return req_subsystem(s, ss, r);
	case CHAN_REQ_WINDOW_CHANGE:
		if (!ss->has_pty) {
			return false;
		}
		return session_pty_winsize(&ss->pty, r->cols, r->rows,
		                           r->width_px, r->height_px) == 0;
	case CHAN_REQ_SIGNAL:
		cmd = str_dup_view(r->arg);
		sig = cmd != NULL ? session_signal_number(cmd) : 0;
		free(cmd);
		if (sig == 0 || !ss->started || ss->exited ||
		    ss->proc.pid <= 0) {
			return false;
		}
		return kill(ss->proc.pid, sig) == 0;
	default:
		return false;
	}
}

/* ---- data ---- */

/* eow@openssh.com (OpenSSH's PROTOCOL §2.1): the child's stdin is
 * gone, the client may stop sending. */
static void
send_eow(struct server *s, struct srv_sess *ss)
{
	struct chan_req req;

	memset(&req, 0, sizeof(req));
	req.type = CHAN_REQ_EOW;
	(void)chan_request(conn_channels(s->c), ss->id, &req,
	                   conn_chan_buf(s->c));
}

/*
 * Writes a session's gathered views to the child's stdin in one writev
 * while it takes them; the rest is copied to the queue (for POLLOUT).
 * Errors other than EAGAIN are left to push_stdin, which sees them on
 * the queue. Returns 0 or queue_put's error.
 */
static int
flush_pend(struct server *s, struct srv_sess *ss)
{
	struct iovec *v = ss->pend;
	unsigned i = 0, n = ss->npend;
	ssize_t w;
	int ret = 0;

	ss->npend = 0;
	while (i < n && queue_left(&ss->inq) == 0 && ss->proc.in_fd >= 0) {
		w = writev(ss->proc.in_fd, v + i, (int)(n - i));
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			break; /* EAGAIN or an error: push_stdin sees it */
		}
		(void)chan_consumed(conn_channels(s->c), ss->id, (size_t)w,
		                    conn_chan_buf(s->c));
		iov_advance(v, n, &i, (size_t)w);
	}
	for (; i < n && ret == 0; i++) {
		ret = queue_put(&ss->inq, v[i].iov_base, v[i].iov_len);
	}
	return ret;
}

/*
 * Data for the child's stdin. When nothing waits before it, the view is
 * kept (no copy) and written with the others of this batch of input by
 * server_sess_flush_stdin(): one write, so one wake-up of the child, per
 * socket read rather than per packet. Otherwise it is queued behind.
 */
static int
put_stdin(struct server *s, struct srv_sess *ss, const uint8_t *p, size_t n)
{
	int ret;

	if (n == 0) {
		return 0;
	}
	if (queue_left(&ss->inq) == 0 && ss->started && ss->proc.in_fd >= 0) {
		if (ss->npend == SRV_PEND_MAX &&
		    (ret = flush_pend(s, ss)) != 0) {
			return ret;
		}
		if (queue_left(&ss->inq) == 0) {
			ss->pend[ss->npend].iov_base = (void *)(uintptr_t)p;
			ss->pend[ss->npend].iov_len = n;
			ss->npend++;
			s->stdin_pend = true;
			return 0;
		}
	}
	return queue_put(&ss->inq, p, n);
}

static int
push_stdin(struct server *s, struct srv_sess *ss)
{
	size_t left;
	ssize_t w;

	while ((left = queue_left(&ss->inq)) > 0 && ss->proc.in_fd >= 0) {
		w = write(ss->proc.in_fd, ss->inq.p + ss->inq.off, left);
		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				return 0;
			}
			/* the child closed its stdin: drop what it missed */
			if (ss->has_pty) {
				ss->proc.in_fd = -1; /* still the output fd */
			} else {
				close_fd(&ss->proc.in_fd);
				if (!ss->client_eof) {
					send_eow(s, ss);
				}
			}
			break;
		}
		ss->inq.off += (size_t)w;
		(void)chan_consumed(conn_channels(s->c), ss->id, (size_t)w,
		                    conn_chan_buf(s->c));
	}
	if (ss->proc.in_fd < 0 && ss->started && queue_left(&ss->inq) > 0) {
		(void)chan_consumed(conn_channels(s->c), ss->id,
		                    queue_left(&ss->inq), conn_chan_buf(s->c));
		ss->inq.off = ss->inq.len = 0;
	}
	if (queue_left(&ss->inq) == 0) {
		ss->inq.off = ss->inq.len = 0;
		if (ss->client_eof) {
			close_stdin(ss);
		}
	}
	return 0;
}

int
server_sess_flush_stdin(struct server *s)
{
	uint32_t i;
	int ret = 0;

	if (!s->stdin_pend) {
		return 0;
	}
	s->stdin_pend = false;
	for (i = 0; i < CHAN_MAX_CHANNELS; i++) {
		struct srv_sess *ss = s->sess[i];

		if (ss == NULL || ss->npend == 0) {
			continue;
		}
		if (ret == 0 && (ret = flush_pend(s, ss)) == 0) {
			ret = push_stdin(s, ss);
		}
		ss->npend = 0;
	}
	return ret;
}

/* Sends the login text first; true once it is all out. */
static bool
push_pre(struct server *s, struct srv_sess *ss)
{
	size_t sent = 0;

	if (ss->pre == NULL) {
		return true;
	}
	if (chan_send_data(conn_channels(s->c), ss->id, 0,
	                   ss->pre + ss->pre_off, ss->pre_len - ss->pre_off,
	                   conn_chan_buf(s->c), &sent) != 0) {
		sent = ss->pre_len - ss->pre_off;
	}
	ss->pre_off += sent;
	if (ss->pre_off < ss->pre_len) {
		return false;
	}
	free(ss->pre);
	ss->pre = NULL;
	return true;
}

/* Reads the child's output (fd, ext) within the client's window. */
static void
pull(struct server *s, struct srv_sess *ss, bool err)
{
	uint8_t *b = s->iobuf;
	int *fd = err ? &ss->proc.err_fd : &ss->proc.out_fd;
	bool *eof = err ? &ss->err_eof : &ss->out_eof;
	struct chan_data_space sp;
	struct iovec iov[CHAN_DATA_MAX_SEGS];
	bool direct = false;
	size_t room, sent, i;
	ssize_t r;

	if (*eof || *fd < 0) {
		return;
	}
	room = chan_send_room(conn_channels(s->c), ss->id);
	if (room == 0) {
		return;
	}
	if (room > SRV_IO_CHUNK) {
		room = SRV_IO_CHUNK;
	}
	/* Straight into the outgoing messages (one copy less); through
	 * iobuf when that cannot be laid out. */
	if (chan_send_data_space(conn_channels(s->c), ss->id,
	                         err ? SSH2_EXTENDED_DATA_STDERR : 0, room,
	                         conn_chan_buf(s->c), &sp) == 0 &&
	    sp.nseg > 0) {
		for (i = 0; i < sp.nseg; i++) {
			iov[i].iov_base = sp.seg[i];
			iov[i].iov_len = sp.seg_len[i];
		}
		int saved;

		r = readv(*fd, iov, (int)sp.nseg);
		saved = errno;
		(void)chan_send_data_commit(conn_channels(s->c), ss->id,
		                            conn_chan_buf(s->c), &sp,
		                            r > 0 ? (size_t)r : 0);
		errno = saved;
		direct = true;
	} else {
		r = read(*fd, b, room);
	}
	if (r < 0 &&
	    (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
		if (ss->exited && ss->has_pty) {
			*eof = true; /* nothing left behind the exit */
		}
		return;
	}
	if (r <= 0) {
		/* EOF, or EIO from a pty master whose slave is gone */
		*eof = true;
		if (!ss->has_pty) {
			close_fd(fd);
		}
		return;
	}
	if (!direct) {
		(void)chan_send_data(conn_channels(s->c), ss->id,
		                     err ? SSH2_EXTENDED_DATA_STDERR : 0, b,
		                     (size_t)r, conn_chan_buf(s->c), &sent);
	}
}

size_t
server_sess_pollfds(struct server *s, struct pollfd *pfd, size_t max)
{
	struct srv_sess *ss;
	size_t n = 0;
	uint32_t i;
	const uint8_t *p;
	size_t queued;
	bool room;

	/* a client that does not read its socket stops our reads too */
	conn_output_peek(s->c, &p, &queued);
	for (i = 0; i < CHAN_MAX_CHANNELS && n + 3 <= max; i++) {
		ss = s->sess[i];
		if (ss == NULL || !ss->started || ss->finished) {
			continue;
		}
		room = ss->pre == NULL && queued < SRV_MAX_OUTQ &&
		       chan_send_room(conn_channels(s->c), ss->id) > 0;
		if (ss->has_pty) {
			int fd = ss->proc.out_fd;
			short ev = 0;

			if (room && !ss->out_eof) {
				ev |= POLLIN;
			}
			if (ss->proc.in_fd >= 0 && queue_left(&ss->inq) > 0) {
				ev |= POLLOUT;
			}
			if (ev != 0 && fd >= 0) {
				pfd[n].fd = fd;
				pfd[n].events = ev;
				pfd[n].revents = 0;
				pmap[n].id = i;
				pmap[n].roles = ROLE_IN | ROLE_OUT;
				n++;
			}
			continue;
		}
		if (ss->proc.in_fd >= 0 && queue_left(&ss->inq) > 0) {
			pfd[n].fd = ss->proc.in_fd;
			pfd[n].events = POLLOUT;
			pfd[n].revents = 0;
			pmap[n].id = i;
			pmap[n].roles = ROLE_IN;
			n++;
		}
		if (room && !ss->out_eof && ss->proc.out_fd >= 0) {
			pfd[n].fd = ss->proc.out_fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			pmap[n].id = i;
			pmap[n].roles = ROLE_OUT;
			n++;
		}
		if (room && !ss->err_eof && ss->proc.err_fd >= 0) {
			pfd[n].fd = ss->proc.err_fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			pmap[n].id = i;
			pmap[n].roles = ROLE_ERR;
			n++;
		}
	}
	return n;
}

int
server_sess_io(struct server *s, struct pollfd *pfd, size_t n)
{
	struct srv_sess *ss;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0) {
			continue;
		}
		ss = sess_get(s, pmap[i].id);
		if (ss == NULL || ss->finished) {
			continue;
		}
		if ((pmap[i].roles & ROLE_IN) &&
		    (pfd[i].revents & (POLLOUT | POLLERR | POLLHUP))) {
			(void)push_stdin(s, ss);
		}
		if ((pmap[i].roles & ROLE_OUT) &&
		    (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			pull(s, ss, false);
		}
		if ((pmap[i].roles & ROLE_ERR) &&
		    (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			pull(s, ss, true);
		}
	}
	return 0;
}

/* The child is gone and its output delivered: status, EOF, CLOSE. */
static void
finish(struct server *s, struct srv_sess *ss)
{
	struct chan_set *cs = conn_channels(s->c);
	struct buf *out = conn_chan_buf(s->c);
	struct chan_req req;
	const char *name;

	ss->finished = true;
	utmp_logout(s, ss);
	(void)chan_send_eof(cs, ss->id, out);
	memset(&req, 0, sizeof(req));
	if (WIFSIGNALED(ss->wstatus)) {
		name = session_signal_name(WTERMSIG(ss->wstatus));
		req.type = CHAN_REQ_EXIT_SIGNAL;
		/* a signal without an RFC 4254 name: OpenSSH's spelling */
		req.arg = chan_str_c(name != NULL ? name : "SIG@openssh.com");
#ifdef WCOREDUMP
		req.core_dumped = WCOREDUMP(ss->wstatus) != 0;
#endif
		req.msg = chan_str_c("");
		req.lang = chan_str_c("");
	} else {
		req.type = CHAN_REQ_EXIT_STATUS;
		req.exit_status = (uint32_t)WEXITSTATUS(ss->wstatus);
	}
	(void)chan_request(cs, ss->id, &req, out);
	(void)chan_close(cs, ss->id, out);
}

int
server_sess_reap(struct server *s)
{
	struct srv_sess *ss;
	pid_t pid;
	int st;
	uint32_t i;

	/* only our own children: srvauth may have helpers of its own */
	for (i = 0; s->chld && i < CHAN_MAX_CHANNELS; i++) {
		ss = s->sess[i];
		if (ss == NULL || ss->proc.pid <= 0 || ss->exited) {
			continue;
		}
		pid = waitpid(ss->proc.pid, &st, WNOHANG);
		if (pid == ss->proc.pid) {
			ss->exited = true;
			ss->wstatus = st;
		}
	}
	for (i = 0; s->chld && i < sizeof(s->orphans) / sizeof(s->orphans[0]);
	     i++) {
		if (s->orphans[i] > 0 &&
		    waitpid(s->orphans[i], &st, WNOHANG) != 0) {
			s->orphans[i] = 0;
		}
	}
	s->chld = false;
	for (i = 0; i < CHAN_MAX_CHANNELS; i++) {
		ss = s->sess[i];
		if (ss == NULL || !ss->started || ss->finished) {
			continue;
		}
		if (!push_pre(s, ss)) {
			continue;
		}
		if (ss->exited && ss->has_pty && !ss->out_eof) {
			/* drain what the pty still holds */
			pull(s, ss, false);
		}
		if (ss->exited && ss->out_eof && ss->err_eof) {
			finish(s, ss);
		}
	}
	return 0;
}

/* ---- channel events ---- */

static int
on_open(struct server *s, const struct chan_event *ev)
{
	struct chan_set *cs = conn_channels(s->c);
	struct buf *out = conn_chan_buf(s->c);
	struct srv_sess *ss;

	if (ev->kind != CHAN_KIND_SESSION) {
		return chan_refuse(cs, ev->id,
		                   SSH2_OPEN_ADMINISTRATIVELY_PROHIBITED,
		                   "open failed", out);
	}
	if (ev->id >= CHAN_MAX_CHANNELS || s->sess[ev->id] != NULL ||
	    s->conf->max_sessions < 0 ||
	    s->nsess >= (unsigned)s->conf->max_sessions) {
		log_info("error: no more sessions");
		return chan_refuse(cs, ev->id,
		                   SSH2_OPEN_ADMINISTRATIVELY_PROHIBITED,
		                   "open failed", out);
	}
	ss = calloc(1, sizeof(*ss));
	if (ss == NULL) {
		return chan_refuse(cs, ev->id, SSH2_OPEN_RESOURCE_SHORTAGE,
		                   "open failed", out);
	}
	s->sess[ev->id] = ss;
	ss->used = true;
	ss->id = ev->id;
	ss->pty.master = ss->pty.slave = -1;
	ss->proc.in_fd = ss->proc.out_fd = ss->proc.err_fd = -1;
	s->nsess++;
	return chan_accept(cs, ev->id, out);
}

int
server_chan_event(struct server *s, const struct chan_event *ev)
{
	struct chan_set *cs = conn_channels(s->c);
	struct buf *out = conn_chan_buf(s->c);
	struct srv_sess *ss;
	bool ok;
	int ret;

	if (ev->type == CHAN_EV_OPEN_REQUEST) {
		return on_open(s, ev);
	}
	if (ev->type == CHAN_EV_GLOBAL_REPLY) {
		return 0; /* keepalive answers: any input resets the count */
	}
	if (ev->type == CHAN_EV_GLOBAL_REQUEST) {
		return server_hostkeys_prove(s, ev); /* hostkeys-prove */
	}
	ss = sess_get(s, ev->id);
	switch (ev->type) {
	case CHAN_EV_DATA:
		if (ss == NULL || ev->ext_type != 0 || ss->finished ||
		    (ss->started && ss->proc.in_fd < 0)) {
			return chan_consumed(cs, ev->id, ev->data.n, out);
		}
		if ((ret = put_stdin(s, ss, ev->data.p, ev->data.n)) != 0) {
			return ret;
		}
		return ss->npend > 0 ? 0 : push_stdin(s, ss);
	case CHAN_EV_EOF:
		if (ss != NULL) {
			ss->client_eof = true;
			if (ss->started) {
				(void)push_stdin(s, ss);
			}
		}
		return 0;
	case CHAN_EV_CLOSED:
		if (ss != NULL) {
			sess_free(s, ss);
		}
		return 0;
	case CHAN_EV_REQUEST:
		ok = ss != NULL && !ss->finished && on_request(s, ss, &ev->req);
		if (ok && ss->started) {
			/* data or EOF that came before the start */
			(void)push_stdin(s, ss);
		}
		if (ev->req.want_reply) {
			return chan_reply(cs, ev->id, ok, out);
		}
		return 0;
	default:
		return 0;
	}
}
