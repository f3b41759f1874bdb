/*
 * server.c - one seshd connection (see server.h): the poll loop over the
 * socket, the session fds, a SIGCHLD self-pipe and a timer
 * (LoginGraceTime before authentication, ClientAliveInterval after);
 * the engine's configuration from servconf; the connection's end and
 * its log lines in sshd's words. Authentication events go to
 * server_auth.c, channel events to server_session.c, the
 * post-authentication split to server_privsep.c.
 *
 * Errors never leave this connection: a fatal protocol error is logged
 * and ends it; the result is an enum server_end value.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/handover.h"
#include "app/listener.h"
#include "app/monitor_client.h"
#include "app/monitor_serve.h"
#include "app/sandbox.h"
#include "app/server.h"
#include "app/server_hostkeys.h"
#include "app/server_int.h"
#include "app/server_trim.h"
#include "app/sockin.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "crypto/preload.h"
#include "crypto/rand.h"
#include "ssh/msg.h"

#define SRV_MAX_POLL (2u + 3u * CHAN_MAX_CHANNELS)

static int sigchld_pipe[2] = {-1, -1};

uint64_t
server_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int
srv_rand(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return rand_bytes(p, n);
}

/* Async-signal-safe: one byte into the self-pipe. */
static void
on_sigchld(int sig)
{
	int saved = errno;
	char b = 0;

	(void)sig;
	if (sigchld_pipe[1] >= 0) {
		(void)write(sigchld_pipe[1], &b, 1);
	}
	errno = saved;
}

static int
setup_signals(struct server *s)
{
	struct sigaction sa;
	int i;

	if (sigchld_pipe[0] < 0) {
		if (pipe(sigchld_pipe) != 0) {
			return SESH_ERR_SYSTEM;
		}
		for (i = 0; i < 2; i++) {
			(void)fcntl(sigchld_pipe[i], F_SETFD, FD_CLOEXEC);
			(void)fcntl(sigchld_pipe[i], F_SETFL,
			            fcntl(sigchld_pipe[i], F_GETFL) |
			                O_NONBLOCK);
		}
	}
	s->sigchld_fd = sigchld_pipe[0];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, NULL) != 0) {
		return SESH_ERR_SYSTEM;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
setup_socket(int fd)
{
	int one = 1;

	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* harmless on a pipe (-i from inetd-like callers): ENOTSOCK */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* How a connection that did not authenticate ended, for the listener's
 * PerSourcePenalties: an unknown user, failed attempts, or nothing. */
static enum server_end
unauth_end(const struct server *s)
{
	if (s->user_set && !s->user.valid) {
		return SERVER_END_INVALID_USER;
	}
	return s->failed_attempts > 0 ? SERVER_END_AUTH_FAIL
	                              : SERVER_END_NO_AUTH;
}

static void
set_end(struct server *s, enum server_end e)
{
	if (!s->done) {
		s->end = e;
	}
	s->done = true;
}

/* The user part of sshd's close lines: "authenticating user alice ",
 * "invalid user bob ", "user alice " or "". */
static void
log_closed(struct server *s, const char *how)
{
	if (s->authenticated) {
		log_info("%s user %s %s port %u", how, s->user.name,
		         s->ctx->raddr, s->ctx->rport);
	} else if (s->user_set) {
		log_info("%s %s %s port %u [preauth]", how, server_auth_who(s),
		         s->ctx->raddr, s->ctx->rport);
	} else {
		log_info("%s %s port %u [preauth]", how, s->ctx->raddr,
		         s->ctx->rport);
	}
}

static void
on_disconnected(struct server *s, const struct conn_event *ev)
{
	const char *pre = s->authenticated ? "" : " [preauth]";

	if (s->done) {
		return;
	}
	if (ev->tev.by_peer) {
		log_info("Received disconnect from %s port %u:%u: %s%s",
		         s->ctx->raddr, s->ctx->rport, ev->tev.reason,
		         ev->tev.text, pre);
		if (s->authenticated) {
			log_info("Disconnected from user %s %s port %u",
			         s->user.name, s->ctx->raddr, s->ctx->rport);
		} else {
			log_closed(s, "Disconnected from");
		}
		set_end(s, s->authenticated ? SERVER_END_OK : unauth_end(s));
		return;
	}
	if (ev->err == SESH_ERR_AUTH_TOO_MANY) {
		set_end(s, SERVER_END_AUTH_FAIL);
		return;
	}
	if (s->authenticated) {
		log_error("Disconnecting user %s %s port %u: %s", s->user.name,
		          s->ctx->raddr, s->ctx->rport, ev->tev.text);
	} else if (s->user_set) {
		log_error("Disconnecting %s %s port %u: %s%s",
		          server_auth_who(s), s->ctx->raddr, s->ctx->rport,
		          ev->tev.text, pre);
	} else {
		log_error("Disconnecting %s port %u: %s%s", s->ctx->raddr,
		          s->ctx->rport, ev->tev.text, pre);
	}
	set_end(s, SERVER_END_ERROR);
}

/* Tells the listener (MaxStartups) that this connection authenticated:
 * one byte, then the pipe is closed before anything is forked. */
static void
notify_listener(struct server *s)
{
	char b = 1;

	if (s->notify_fd > 2) {
		while (write(s->notify_fd, &b, 1) < 0 && errno == EINTR) {
		}
		close(s->notify_fd);
	}
	s->notify_fd = -1;
}

/* A rekey after a handover: the exchange hash signed by a host key we
 * (or our privileged parent) hold. A failure ends the connection. */
static void
on_sign(struct server *s, const struct transport_event *tev)
{
	struct buf sig;
	int ret;

	buf_init(&sig, 0);
	ret = s->mon_fd >= 0 ? server_preauth_sign(s, tev, &sig)
	                     : server_privsep_sign(s, tev, &sig);
	if (ret != 0) {
		log_error("host key signature for user %s: %s", s->user.name,
		          sesh_err_str(ret));
		(void)transport_hostkey_signature(conn_transport(s->c), NULL,
		                                  0);
	} else {
		(void)transport_hostkey_signature(
		    conn_transport(s->c), buf_data(&sig), buf_len(&sig));
	}
	buf_clear(&sig);
}

/* Writes the sessions' gathered stdin data (server_sess_flush_stdin);
 * a failure ends the connection. */
static void
flush_stdin(struct server *s)
{
	int ret = server_sess_flush_stdin(s);

	if (ret != 0 && !s->done) {
		log_error("session input: %s", sesh_err_str(ret));
		(void)conn_disconnect(s->c, SSH_DISCONNECT_BY_APPLICATION,
		                      "channel error");
		set_end(s, SERVER_END_ERROR);
	}
}

/* Drains engine events until none; the split happens between events.
 * Data for sessions' stdin is gathered and written once the batch is
 * decoded, or before any other event (which may depend on it). */
static void
drain(struct server *s)
{
	struct conn_event ev;
	int end, ret;
	bool parent;

	while (!s->done) {
		if (s->authenticated && !s->split) {
			if (s->handover_fd >= 0 || s->mon_fd >= 0) {
				/* loop() hands the connection to the listener
				 * once our output is written; what the client
				 * sent since stays undecoded and goes along */
				return;
			}
			notify_listener(s);
			s->split = true;
			if (server_privsep_split(s, &parent, &end) != 0) {
				(void)conn_disconnect(
				    s->c, SSH_DISCONNECT_BY_APPLICATION,
				    "internal error");
				set_end(s, SERVER_END_ERROR);
				return;
			}
			if (parent) {
				/* the child carried the connection on */
				s->end = (enum server_end)end;
				s->done = true;
				s->peer_closed = true;
				return;
			}
			/* the client may learn our other host keys now */
			server_hostkeys_notify(s);
			/* KEX and authentication are over: what they left
			 * behind goes back before the session's long life */
			server_trim_memory();
		}
		if (conn_next_event(s->c, &ev) != 0) {
			set_end(s, SERVER_END_ERROR);
			return;
		}
		if (ev.type != CONN_EV_CHANNEL ||
		    ev.chan.type != CHAN_EV_DATA) {
			flush_stdin(s);
		}
		switch (ev.type) {
		case CONN_EV_NONE:
			return;
		case CONN_EV_UA_SERVER:
			ret = s->mon_fd >= 0 ? server_preauth_event(s, ev.uas)
			                     : server_auth_event(s, ev.uas);
			if (ret != 0 && !s->done) {
				log_error("authentication of %s from %s port "
				          "%u failed: %s",
				          s->user_set ? s->user.name : "?",
				          s->ctx->raddr, s->ctx->rport,
				          sesh_err_str(ret));
				(void)conn_disconnect(
				    s->c, SSH_DISCONNECT_BY_APPLICATION,
				    "internal error");
				set_end(s, SERVER_END_ERROR);
			}
			break;
		case CONN_EV_CHANNEL:
			ret = server_chan_event(s, &ev.chan);
			if (ret != 0 && !s->done) {
				log_error("channel %u: %s", ev.chan.id,
				          sesh_err_str(ret));
				(void)conn_disconnect(
				    s->c, SSH_DISCONNECT_BY_APPLICATION,
				    "channel error");
				set_end(s, SERVER_END_ERROR);
			}
			break;
		case CONN_EV_HOSTKEY_SIGN:
			on_sign(s, &ev.tev);
			break;
		case CONN_EV_DISCONNECTED:
			on_disconnected(s, &ev);
			break;
		default:
			break;
		}
	}
}

/* Writes what the engine queued: one write per flush while it takes it. */
static bool
flush_out(struct server *s)
{
	const uint8_t *p;
	size_t n;
	ssize_t w;

	(void)conn_flush(s->c);
	for (;;) {
		conn_output_peek(s->c, &p, &n);
		if (n == 0) {
			return true;
		}
		w = write(s->wfd, p, n);
		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		conn_output_consume(s->c, (size_t)w);
		if ((size_t)w < n) {
			return true; /* the socket is full: wait for POLLOUT */
		}
	}
}

/*
 * Tells the channels how much the socket still holds after a read (full:
 * the read filled its buffer), so that windows do not grow while we, not
 * the path, are behind (channel.h, Flow control). Only after the split:
 * the sandboxed pre-auth child may not ioctl.
 */
static void
note_queued(struct server *s, bool full)
{
	chan_set_input_queued(conn_channels(s->c),
	                      sockin_queued(s->rfd, full && s->split));
}

/*
 * Bulk input (app/sockin.h): only once the connection is split: no bulk
 * data comes before, and the sandboxed child's filter allows no
 * setsockopt but TCP_QUICKACK. r: what the read returned (< 0: nothing
 * there).
 */
static void
bulk_lowat(struct server *s, ssize_t r)
{
	if (s->split) {
		sockin_after_read(&s->sin, s->rfd, r);
	}
}

static void
read_socket(struct server *s)
{
	uint8_t *rbuf = NULL;
	size_t want = SRV_IO_CHUNK;
	bool direct = false;
	ssize_t r;

	/*
	 * Once authenticated (bulk data may come), read straight into the
	 * packet decoder's buffer: one copy of every byte less. Before,
	 * through iobuf, so that a connection waiting at the login keeps
	 * only what it was sent.
	 */
	sockin_reading(&s->sin, server_now_ms());
	flush_stdin(s); /* the views die when input is fed */
	if (s->authenticated &&
	    conn_input_space(s->c, SRV_IO_CHUNK, &rbuf, &want) == 0 &&
	    rbuf != NULL) {
		direct = true;
		if (want > SRV_IO_CHUNK) {
			want = SRV_IO_CHUNK;
		}
	} else {
		rbuf = s->iobuf;
		want = SRV_IO_CHUNK;
	}
	r = read(s->rfd, rbuf, want);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			note_queued(s, false); /* drained */
			bulk_lowat(s, -1);
			return;
		}
		if (errno == EINTR) {
			return;
		}
	}
	if (r <= 0) {
		const char *how = r < 0 && errno == ECONNRESET
		                      ? "Connection reset by"
		                      : "Connection closed by";

		s->peer_closed = true;
		if (!s->done) {
			log_closed(s, how);
			set_end(s, s->authenticated ? SERVER_END_OK
			                            : unauth_end(s));
		}
		return;
	}
	s->last_input_ms = server_now_ms();
	s->alive_missed = 0;
	bulk_lowat(s, r);
	if (s->quickack_left > 0) {
		/*
		 * During the handshake, the login and the session's first
		 * requests, ACK at once: OpenSSH's client keeps Nagle on for
		 * non-interactive sessions, so each of its small writes waits
		 * for the ACK of the one before, which Linux would delay by
		 * up to 40 ms. The kernel clears the flag by itself, so it is
		 * set again after each read; bulk data later is left to the
		 * kernel's delayed ACKs.
		 */
		int one = 1;

		s->quickack_left--;
		if (setsockopt(s->rfd, IPPROTO_TCP, TCP_QUICKACK, &one,
		               sizeof(one)) != 0) {
			s->quickack_left = 0; /* not a TCP socket (-i) */
		}
	}
	if (direct) {
		note_queued(s, r == (ssize_t)want);
		if (conn_input_commit(s->c, (size_t)r, s->last_input_ms) != 0) {
			/* the DISCONNECTED event reports it */
		}
	} else if (conn_input(s->c, rbuf, (size_t)r, s->last_input_ms) != 0) {
		/* the DISCONNECTED event reports it */
	}
}

/* Timers; returns the poll timeout in ms (-1: none). */
static int
timers(struct server *s)
{
	uint64_t now = server_now_ms(), when = UINT64_MAX;
	const struct servconf *c = s->conf;
	uint64_t t;

	if (!s->authenticated && c->login_grace_time > 0) {
		t = s->start_ms + (uint64_t)c->login_grace_time * 1000u;
		if (now >= t) {
			if (s->mon_fd < 0) { /* else the monitor says it */
				log_info("Timeout before authentication for %s "
				         "port %u",
				         s->ctx->raddr, s->ctx->rport);
			}
			set_end(s, SERVER_END_GRACE);
			s->peer_closed = true; /* sshd says nothing more */
			return 0;
		}
		when = t;
	}
	if (s->authenticated && c->client_alive_interval > 0) {
		uint64_t iv = (uint64_t)c->client_alive_interval * 1000u;

		/* sshd: after CountMax unanswered keepalives, give up;
		 * any input from the client resets the count */
		t = (s->last_input_ms > s->alive_sent_ms ? s->last_input_ms
		                                         : s->alive_sent_ms) +
		    iv;
		if (now >= t) {
			if (s->alive_missed >= c->client_alive_count_max) {
				log_info("Timeout, client not responding from "
				         "user %s %s port %u",
				         s->user.name, s->ctx->raddr,
				         s->ctx->rport);
				(void)conn_disconnect(
				    s->c, SSH_DISCONNECT_BY_APPLICATION,
				    "Timeout, client not responding");
				set_end(s, SERVER_END_OK);
				return 0;
			}
			s->alive_missed++;
			(void)chan_global_request(conn_channels(s->c),
			                          "keepalive@openssh.com", true,
			                          conn_chan_buf(s->c));
			s->alive_sent_ms = now;
			t = now + iv;
		}
		if (t < when) {
			when = t;
		}
	}
	/* the engine's own timers (RekeyLimit's time part) */
	if (conn_next_deadline(s->c, &t)) {
		if (now >= t) {
			(void)conn_tick(s->c, now);
			if (!conn_next_deadline(s->c, &t)) {
				t = UINT64_MAX;
			}
		}
		if (t < when) {
			when = t;
		}
	}
	if (when == UINT64_MAX) {
		return SRV_POLL_FOREVER;
	}
	if (when <= now) {
		return 0;
	}
	if (when - now > 60000u) {
		return 60000;
	}
	return (int)(when - now);
}

static void
drain_sigchld(struct server *s)
{
	char b[64];

	while (read(s->sigchld_fd, b, sizeof(b)) > 0) {
	}
	s->chld = true;
}

/*
 * The sandboxed child, authenticated: its engine state goes to the
 * monitor, which hands it on (run_monitored); this process is done
 * either way (it cannot carry a session on: no privileges, no files).
 */
static bool
child_handover(struct server *s)
{
	struct buf state;
	int ret = SESH_ERR_INVALID_ARGUMENT;

	buf_init(&state, HANDOVER_MAX_STATE);
	buf_set_secret(&state);
	if (conn_can_export(s->c) && (ret = conn_export(s->c, &state)) == 0) {
		ret = mc_handover(s->mon_fd, buf_data(&state), buf_len(&state));
	}
	buf_clear(&state);
	if (ret != 0) {
		/* e.g. a key exchange the client started as it logged in */
		log_error("handover of %s's connection failed: %s",
		          s->user.name, sesh_err_str(ret));
		(void)conn_disconnect(s->c, SSH_DISCONNECT_BY_APPLICATION,
		                      "internal error");
		s->mon_fd = -1;
		set_end(s, SERVER_END_ERROR);
		return false;
	}
	s->end = SERVER_END_OK;
	s->done = true;
	s->peer_closed = true;
	return true;
}

/*
 * Authenticated and all output written: the connection moves to a
 * process the listener forks (server_handover.c). True when it did and
 * this process is done; false when it carries on here (a key exchange
 * is running, or the handover failed: logged), as a connection without
 * a listener would.
 */
static bool
try_handover(struct server *s)
{
	if (s->mon_fd >= 0) {
		return child_handover(s);
	}
	if (server_handover_possible(s) && server_handover_send(s) == 0) {
		log_debug("connection of %s from %s port %u handed over",
		          s->user.name, s->ctx->raddr, s->ctx->rport);
		close(s->handover_fd);
		s->handover_fd = s->notify_fd = -1;
		s->end = SERVER_END_OK;
		s->done = true;
		s->peer_closed = true;
		return true;
	}
	/* the listener counts us as authenticated either way once the
	 * socket is closed (notify_listener) */
	s->handover_fd = -1;
	return false;
}

static void
loop(struct server *s)
{
	struct pollfd pfd[SRV_MAX_POLL];
	size_t nsess = 0;
	const uint8_t *p;
	size_t n;
	int timeout, pr, left;
	size_t held;
	bool backlog;

	for (;;) {
		drain(s);
		if (!s->done) {
			(void)server_sess_reap(s);
			drain(s);
		}
		timeout = s->done ? 5000 : timers(s);
		if (s->done && s->peer_closed) {
			return;
		}
		if (!flush_out(s)) {
			if (!s->done) {
				log_closed(s, "Connection reset by");
				set_end(s, s->authenticated ? SERVER_END_OK
				                            : unauth_end(s));
			}
			return;
		}
		conn_output_peek(s->c, &p, &n);
		if (s->done && n == 0) {
			return;
		}
		if (!s->done && s->authenticated && !s->split &&
		    (s->handover_fd >= 0 || s->mon_fd >= 0) && n == 0) {
			if (try_handover(s)) {
				return;
			}
			continue; /* carried on here: drain() splits */
		}
		if (!s->done && conn_closed(s->c) && n == 0) {
			set_end(s, SERVER_END_ERROR);
			return;
		}
		/* A peer that does not read what we owe it (replies to its
		 * requests, channel data) is not read from either until the
		 * backlog drains: no unbounded queue (as sshd). */
		held = conn_held_bytes(s->c);
		backlog = n >= SRV_MAX_BACKLOG || held >= SRV_MAX_HELD;
		pfd[0].fd = s->rfd;
		/* nothing more is read while a handover waits for the
		 * output to be written */
		pfd[0].events =
		    (short)(s->done || backlog ||
		                    (s->authenticated && !s->split &&
		                     (s->handover_fd >= 0 || s->mon_fd >= 0))
		                ? 0
		                : POLLIN);
		pfd[0].revents = 0;
		pfd[1].fd = s->wfd;
		pfd[1].events = (short)(n > 0 ? POLLOUT : 0);
		pfd[1].revents = 0;
		pfd[2].fd = s->sigchld_fd;
		pfd[2].events = POLLIN;
		pfd[2].revents = 0;
		nsess = s->done || backlog || held >= SRV_MAX_BACKLOG
		            ? 0
		            : server_sess_pollfds(s, pfd + 3, SRV_MAX_POLL - 3);
		if (pfd[0].events != 0 &&
		    (left = sockin_wait(&s->sin, server_now_ms())) >= 0 &&
		    (timeout < 0 || timeout > left)) {
			timeout = left;
		}
		pr = poll(pfd, 3 + nsess, timeout);
		if (pr < 0) {
			if (errno == EINTR) {
				continue;
			}
			set_end(s, SERVER_END_ERROR);
			return;
		}
		if (pr == 0 && s->done) {
			return; /* the peer does not read our DISCONNECT */
		}
		if (pfd[2].revents & POLLIN) {
			drain_sigchld(s);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			read_socket(s);
		} else if (pfd[0].events != 0 && !s->done &&
		           sockin_wait(&s->sin, server_now_ms()) == 0) {
			/* less than SOCKIN_LOWAT came, whatever else kept the
			 * loop busy: read it (or find none: SO_RCVLOWAT off) */
			read_socket(s);
		}
		if ((pfd[1].revents & POLLERR) && !s->done) {
			s->peer_closed = true;
			log_closed(s, "Connection reset by");
			set_end(s, s->authenticated ? SERVER_END_OK
			                            : unauth_end(s));
		}
		if (nsess > 0 && !s->done) {
			(void)server_sess_io(s, pfd + 3, nsess);
		}
	}
}

static void
engine_config(const struct server *s, struct conn_config *cfg)
{
	const struct servconf *c = s->conf;

	memset(cfg, 0, sizeof(*cfg));
	cfg->transport.kex = c->kex_algorithms;
	cfg->transport.hostkey = c->host_key_algorithms;
	cfg->transport.ciphers = c->ciphers;
	cfg->transport.macs = c->macs;
	cfg->transport.hostkeys = s->ctx->hostkeys;
	cfg->transport.n_hostkeys = s->ctx->nhostkeys;
	if (s->pubkeys != NULL) {
		cfg->transport.hostkeys =
		    (const struct sshkey *const *)s->pubkeys;
		cfg->transport.n_hostkeys = s->npubkeys;
		cfg->transport.sign_by_event = true;
	}
	cfg->transport.rekey_bytes = c->rekey_limit_bytes;
	cfg->transport.rekey_seconds = c->rekey_limit_secs;
	cfg->transport.rand = srv_rand;
	cfg->methods = srvauth_methods_next(s->methods);
	cfg->max_tries =
	    c->max_auth_tries > 0 ? (unsigned)c->max_auth_tries : 0;
}

/* The state both entries share; NULL (logged) on failure. */
static struct server *
server_new(const struct server_ctx *ctx)
{
	struct server *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return NULL;
	}
	s->ctx = ctx;
	s->conf = (struct servconf *)ctx->conf;
	s->rfd = ctx->rfd;
	s->quickack_left = SRV_QUICKACK_READS;
	sockin_init(&s->sin);
	s->wfd = ctx->wfd;
	s->priv_fd = -1;
	s->mon_fd = -1;
	s->sigchld_fd = -1;
	s->notify_fd = ctx->auth_notify_fd > 2 ? ctx->auth_notify_fd : -1;
	if (s->notify_fd >= 0) {
		(void)fcntl(s->notify_fd, F_SETFD, FD_CLOEXEC);
	}
	s->handover_fd = ctx->handover ? s->notify_fd : -1;
	s->is_root = geteuid() == 0;
	s->start_ms = server_now_ms();
	s->last_input_ms = s->start_ms;
	s->end = SERVER_END_ERROR;
	s->iobuf = malloc(SRV_IO_CHUNK);
	if (s->iobuf == NULL) {
		free(s);
		return NULL;
	}
	setup_socket(s->rfd);
	if (s->wfd != s->rfd) {
		setup_socket(s->wfd);
	}
	if ((ret = setup_signals(s)) != 0 ||
	    (ret = srvauth_methods_new(s->conf, &s->methods)) != 0) {
		log_error("Connection from %s port %u: %s", ctx->raddr,
		          ctx->rport, sesh_err_str(ret));
		s->done = true; /* server_finish frees it */
	}
	return s;
}

/* Ends the connection's sessions and frees s; returns its end. */
static int
server_finish(struct server *s)
{
	int end = (int)s->end;

	server_sess_clear_all(s); /* logout records first, then PAM */
	server_privsep_end(s);
	if (s->split && s->priv_fd >= 0) {
		server_privsep_report_end(s, end);
	}
	server_auth_clear(s);
	conn_free(s->c);
	if (s->priv_fd >= 0) {
		close(s->priv_fd);
	}
	if (s->own_conf_set) {
		servconf_clear(&s->own_conf);
	}
	if (s->notify_fd >= 0) {
		close(s->notify_fd);
	}
	for (size_t i = 0; i < s->npubkeys; i++) {
		key_free(s->pubkeys[i]);
	}
	free(s->pubkeys);
	free(s->preauth_banner);
	free(s->iobuf);
	free(s);
	return end;
}

/* Public copies of the host keys for the engine (signing by event). */
static int
resume_keys(struct server *s)
{
	size_t i, n = s->ctx->nhostkeys;
	int ret;

	if (n == 0 || (s->pubkeys = calloc(n, sizeof(*s->pubkeys))) == NULL) {
		return n == 0 ? SESH_ERR_INVALID_ARGUMENT : SESH_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		ret = key_public_copy(s->ctx->hostkeys[i], &s->pubkeys[i]);
		if (ret != 0) {
			return ret;
		}
		s->npubkeys++;
	}
	s->signkeys = (struct sshkey *const *)s->ctx->hostkeys;
	s->nsignkeys = n;
	return 0;
}

/* ---- privilege separation: the sandboxed child and its monitor ---- */

/*
 * Runs in the sandboxed child right after sandbox_enter(). Tests only:
 * seshd-testhooks (tests/hooks/) replaces this no-op to prove that the
 * sandbox kills a child that opens a file or forks; seshd itself never
 * carries anything else.
 */
__attribute__((weak)) void
server_test_hook_sandboxed(void)
{
}

/* The sandbox's ids, the monitor's first message to its child (the
 * encoding: sandbox.h). */
static int
send_sandbox_ids(int fd, const struct sandbox_opts *ids)
{
	uint8_t m[SANDBOX_IDS_LEN];
	ssize_t w;

	sandbox_ids_encode(ids, m);
	do {
		w = send(fd, m, sizeof(m), MSG_NOSIGNAL);
	} while (w < 0 && errno == EINTR);
	return w == (ssize_t)sizeof(m) ? 0 : SESH_ERR_SYSTEM;
}

static int
recv_sandbox_ids(int fd, struct sandbox_opts *so)
{
	uint8_t m[SANDBOX_IDS_LEN];
	ssize_t r;

	memset(so, 0, sizeof(*so));
	do {
		r = recv(fd, m, sizeof(m), MSG_WAITALL);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? SESH_ERR_SYSTEM
	             : sandbox_ids_decode(m, (size_t)r, so);
}

/*
 * The child: drops what it must not keep (the listener's socket, the
 * private host keys), reads what it will not be able to (Banner), loads
 * libcrypto's algorithms, takes the sandbox's ids (the monitor's first
 * message), sends its log lines to the monitor, enters the sandbox
 * (app/sandbox.h) and runs the engine, every decision and signature
 * asked of the monitor. Never returns.
 */
static void __attribute__((noreturn))
preauth_child(struct server *s, int fd)
{
	struct sandbox_opts so;
	struct conn_config cfg;
	int ret;

	s->mon_fd = fd;
	if (s->notify_fd >= 0) {
		close(s->notify_fd);
	}
	s->notify_fd = s->handover_fd = -1;
	s->preauth_banner = server_auth_read_banner(s->conf->banner);
	if ((ret = resume_keys(s)) != 0) {
		_exit(SERVER_END_ERROR);
	}
	for (size_t i = 0; i < s->nsignkeys; i++) {
		key_free(s->signkeys[i]); /* wiped: only the monitor signs */
	}
	s->nsignkeys = 0;
	/* libcrypto's algorithms first (sandbox_enter would), while the
	 * monitor looks the sandbox's user up, then its answer */
	if (crypto_preload() != 0) {
		_exit(SERVER_END_ERROR); /* logged */
	}
	if (recv_sandbox_ids(fd, &so) != 0) {
		log_error("pre-authentication child: no sandbox ids from the "
		          "monitor");
		_exit(SERVER_END_ERROR);
	}
	server_preauth_log_to_monitor(s);
	if (!sandbox_sanitizer_build()) {
		/* its lines go through the monitor: no stdio to write
		 * forged log lines to (a sanitizer's reports need stderr) */
		int nul = open("/dev/null", O_RDWR);

		if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 ||
		    dup2(nul, 2) < 0) {
			_exit(SERVER_END_ERROR);
		}
		if (nul > 2) {
			close(nul);
		}
	}
	so.max_fd = -1;
	so.user = s->conf->sandbox_user;
	so.debug = s->ctx->debug;
	if ((ret = sandbox_enter(&so)) != 0) {
		log_error("sandbox: %s", sesh_err_str(ret));
		_exit(SERVER_END_ERROR);
	}
	server_test_hook_sandboxed();
	engine_config(s, &cfg);
	if ((ret = conn_new(TRANSPORT_SERVER, &cfg, &s->c)) != 0) {
		log_error("Connection from %s port %u: %s", s->ctx->raddr,
		          s->ctx->rport, sesh_err_str(ret));
		_exit(SERVER_END_ERROR);
	}
	loop(s);
	/* _exit: no exit-time work (LSan's would need syscalls the
	 * filter kills) */
	_exit(s->end);
}

/* Waits up to about a second for the child, then kills it; returns the
 * signal it died of before we killed it (a crash, SIGSYS included: the
 * sandbox's verdict), else 0. */
static int
reap_child(pid_t pid)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int st, i;
	pid_t r;

	for (i = 0; i < 100; i++) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		}
		if (r < 0 && errno != EINTR) {
			return 0;
		}
		(void)nanosleep(&ts, NULL);
	}
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	return 0;
}

/* LoginGraceTime (+5 s) for the monitor as a whole, as sshd's alarm: a
 * PAM module that never returns cannot hold the connection forever. */
static void
on_grace_alarm(int sig)
{
	(void)sig;
	_exit(SERVER_END_GRACE);
}

static void
arm_grace(const struct server *s)
{
	struct sigaction sa;

	if (s->conf->login_grace_time <= 0) {
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_grace_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) == 0) {
		(void)alarm((unsigned)s->conf->login_grace_time + 5u);
	}
}

static int resume_auth(struct server *s, struct handover_info *hi);

/*
 * The listener cannot take the authenticated connection (a SIGHUP
 * reload closed our socket to it): the monitor carries it on itself,
 * as a connection without a listener would (split, user's process).
 * Returns its end.
 */
static int
carry_on(struct server *s, struct handover_info *hi)
{
	struct conn_config cfg;
	int ret;

	close(s->handover_fd);
	s->handover_fd = s->notify_fd = -1;
	if ((ret = resume_auth(s, hi)) == 0 && (ret = resume_keys(s)) == 0) {
		engine_config(s, &cfg);
		ret = conn_import(&cfg, hi->state, hi->state_len, &s->c);
	}
	if (ret == 0) {
		ret = handover_state_matches(hi, s->c);
	}
	if (ret != 0) {
		log_error("Disconnected from user %s %s port %u: %s", hi->user,
		          s->ctx->raddr, s->ctx->rport, sesh_err_str(ret));
		return SERVER_END_ERROR;
	}
	log_verbose("connection of %s from %s port %u carried on by its "
	            "monitor",
	            hi->user, s->ctx->raddr, s->ctx->rport);
	s->authenticated = true;
	s->end = SERVER_END_OK;
	s->quickack_left = hi->quickack_left;
	loop(s);
	return s->end;
}

/*
 * The monitor (this root process): forks the child, answers it
 * (monitor_serve), and once it authenticated hands the connection
 * (the child's engine state, the monitor's verdict) to the listener.
 * Returns the connection's enum server_end.
 */
static int
run_monitored(struct server *s)
{
	struct monitor_serve_ctx mc;
	struct monitor_result res;
	struct handover_info hi;
	struct sandbox_opts ids;
	int sv[2], end, sig, ret;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		log_error("socketpair: %s", strerror(errno));
		return SERVER_END_ERROR;
	}
	pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return SERVER_END_ERROR;
	}
	if (pid == 0) {
		close(sv[0]);
		preauth_child(s, sv[1]);
	}
	close(sv[1]);
	arm_grace(s); /* the lookup below may wait on a slow NSS backend */
	/* The child's user, looked up here while the child loads
	 * libcrypto's algorithms: the NSS modules it loads stay loaded for
	 * the user's lookup (a known and an unknown user cost the same);
	 * on failure the child looks again and says why. */
	memset(&ids, 0, sizeof(ids));
	memset(&res, 0, sizeof(res));
	if (geteuid() == 0 && sandbox_user(s->conf->sandbox_user, NULL,
	                                   &ids.uid, &ids.gid) == 0) {
		ids.have_ids = true;
	}
	if (send_sandbox_ids(sv[0], &ids) != 0) {
		/* the child is gone already: its end is said below */
		log_verbose("pre-authentication child: cannot send its "
		            "sandbox ids");
		end = SERVER_END_ERROR;
	} else {
		memset(&mc, 0, sizeof(mc));
		mc.conf = s->ctx->conf;
		mc.hostkeys = s->ctx->hostkeys;
		mc.nhostkeys = s->ctx->nhostkeys;
		mc.raddr = s->ctx->raddr;
		mc.rport = s->ctx->rport;
		mc.laddr = s->ctx->laddr;
		mc.lport = s->ctx->lport;
		if (s->conf->login_grace_time > 0) {
			mc.deadline_ms =
			    monitor_now_ms() +
			    (uint64_t)s->conf->login_grace_time * 1000u;
		}
		end = monitor_serve(sv[0], &mc, &res);
	}
	(void)alarm(0);
	close(sv[0]);
	if ((sig = reap_child(pid)) != 0 && end != SERVER_END_OK) {
		log_error("pre-authentication child %ld killed by signal %d "
		          "(%s)",
		          (long)pid, sig,
		          sig == SIGSYS ? "a system call the sandbox forbids"
		                        : "crash");
		end = SERVER_END_CRASH;
	}
	if (end == SERVER_END_OK && res.authenticated && res.user_set) {
		memset(&hi, 0, sizeof(hi));
		hi.user = res.user.name;
		hi.method = res.method != NULL ? res.method : "none";
		hi.quickack_left = SRV_QUICKACK_READS / 2;
		hi.session_id = res.session_id;
		hi.session_id_len = res.session_id_len;
		hi.have_keyopts = res.have_keyopts;
		if (res.have_keyopts) {
			hi.keyopts = res.keyopts;
		}
		hi.state = res.state;
		hi.state_len = res.state_len;
		ret = server_handover_deliver(s->handover_fd, s->rfd, &hi);
		if (ret == 0) {
			log_debug(
			    "connection of %s from %s port %u handed over",
			    hi.user, s->ctx->raddr, s->ctx->rport);
		} else if (ret == SESH_ERR_UNSUPPORTED) {
			end = carry_on(s, &hi);
			/* the key options belong to s now */
			memset(&res.keyopts, 0, sizeof(res.keyopts));
			res.have_keyopts = false;
		} else {
			end = SERVER_END_ERROR;
		}
	} else if (end == SERVER_END_OK) {
		end = SERVER_END_ERROR;
	}
	monitor_result_clear(&res);
	return end;
}

int
server_conn_run(const struct server_ctx *ctx)
{
	struct server *s;
	struct conn_config cfg;
	int ret;

	if (ctx == NULL || ctx->conf == NULL) {
		return SERVER_END_ERROR;
	}
	if ((s = server_new(ctx)) == NULL) {
		return SERVER_END_ERROR;
	}
	if (s->done) {
		return server_finish(s);
	}
	log_verbose("Connection from %s port %u on %s port %u", ctx->raddr,
	            ctx->rport, ctx->laddr != NULL ? ctx->laddr : "?",
	            ctx->lport);
	if (ctx->privsep && s->is_root && s->handover_fd >= 0) {
		s->end = (enum server_end)run_monitored(s);
		return server_finish(s);
	}
	/*
	 * Root without a monitor (-d, -i): the engine gets public copies and
	 * asks for signatures by event, so that the user's process can drop
	 * the private keys at the split and ask its root parent, as after a
	 * handover (server_privsep.c).
	 */
	if (s->is_root && (ret = resume_keys(s)) != 0) {
		log_error("Connection from %s port %u: host keys: %s",
		          ctx->raddr, ctx->rport, sesh_err_str(ret));
		return server_finish(s);
	}
	engine_config(s, &cfg);
	if ((ret = conn_new(TRANSPORT_SERVER, &cfg, &s->c)) != 0) {
		log_error("Connection from %s port %u: %s", ctx->raddr,
		          ctx->rport, sesh_err_str(ret));
		return server_finish(s);
	}
	loop(s);
	return server_finish(s);
}

/* Who authenticated and how, from the handover message, into s. */
static int
resume_auth(struct server *s, struct handover_info *hi)
{
	int ret;

	if ((ret = srvauth_user_lookup(hi->user, &s->user)) != 0) {
		return ret;
	}
	s->user_set = true;
	if (!s->user.valid || (!s->is_root && s->user.uid != geteuid())) {
		return SESH_ERR_NOT_FOUND;
	}
	s->user_ok = true;
	s->quickack_left = hi->quickack_left;
	server_auth_apply_match(s);
	if ((s->auth_method = mem_strdup(hi->method)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (hi->have_keyopts) {
		s->keyopts = hi->keyopts;
		memset(&hi->keyopts, 0, sizeof(hi->keyopts));
		s->have_keyopts = true;
	}
	return 0;
}

int
server_conn_resume(const struct server_ctx *ctx0, int fd)
{
	struct server_ctx ctx;
	struct handover_info hi;
	struct conn_config cfg;
	struct server *s;
	char raddr[64], laddr[64];
	uint8_t *msg = NULL;
	size_t len = 0;
	int sock = -1, ret;

	if (ctx0 == NULL || ctx0->conf == NULL) {
		return SERVER_END_ERROR;
	}
	memset(&hi, 0, sizeof(hi));
	ret = server_handover_recv(fd, &sock, &msg, &len);
	close(fd);
	if (ret != 0 || (ret = handover_info_parse(msg, len, &hi)) != 0) {
		log_error("handover: %s", sesh_err_str(ret));
		if (sock >= 0) {
			close(sock);
		}
		mem_free_secret(msg, len);
		return SERVER_END_ERROR;
	}
	ctx = *ctx0;
	ctx.rfd = ctx.wfd = sock;
	ctx.auth_notify_fd = -1;
	ctx.handover = false;
	(void)listener_sockname(sock, true, raddr, sizeof(raddr), &ctx.rport);
	(void)listener_sockname(sock, false, laddr, sizeof(laddr), &ctx.lport);
	ctx.raddr = raddr;
	ctx.laddr = laddr;
	if ((s = server_new(&ctx)) == NULL) {
		close(sock);
		handover_info_clear(&hi);
		mem_free_secret(msg, len);
		return SERVER_END_ERROR;
	}
	if (!s->done && (ret = resume_auth(s, &hi)) == 0 &&
	    (ret = resume_keys(s)) == 0) {
		engine_config(s, &cfg);
		ret = conn_import(&cfg, hi.state, hi.state_len, &s->c);
	}
	if (ret == 0) {
		ret = handover_state_matches(&hi, s->c);
	}
	handover_info_clear(&hi);
	mem_free_secret(msg, len);
	if (s->done || ret != 0) {
		log_error("Disconnected from user %s %s port %u: handover "
		          "failed: %s",
		          s->user.name != NULL ? s->user.name : "?", raddr,
		          ctx.rport, sesh_err_str(ret));
		s->end = SERVER_END_ERROR;
		ret = server_finish(s);
		close(sock);
		return ret;
	}
	s->authenticated = true;
	s->end = SERVER_END_OK;
	loop(s);
	ret = server_finish(s);
	return ret;
}
