/*
 * client.c - the sesh client driver (see client.h): options checked and
 * defaults resolved, the poll loop over the transport stream, local
 * input, signals (through a self-pipe: handlers only write one byte) and
 * timers (the engine's deadline, ConnectTimeout over the handshake,
 * ServerAliveInterval).
 *
 * The other concerns live in client_net.c (connecting, ProxyCommand),
 * client_hostkey.c (known_hosts), client_auth.c (authentication) and
 * client_session.c (channels, the session, escape characters);
 * client_int.h joins them.
 *
 * The local terminal is made raw only for a pty session and restored on
 * every way out of client_run(): normal end, errors, ~. and the signals
 * SIGINT, SIGTERM and SIGHUP (the loop sees the flag and returns).
 */
#include "app/client.h"
#include "app/client_sig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "app/client_int.h"
#include "app/client_tty.h"
#include "app/paths.h"
#include "app/sockin.h"
#include "base/err.h"
#include "base/iov.h"
#include "base/log.h"
#include "base/mem.h"
#include "crypto/rand.h"
#include "ssh/msg.h"

static int client_sigpipe[2] = {-1, -1};
static volatile sig_atomic_t client_got_quit;
static int client_killer;
static volatile sig_atomic_t client_got_winch;

static const int client_quit_signals[] = {SIGINT, SIGTERM, SIGHUP};

uint64_t
client_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
client_writev_all(int fd, struct iovec *iov, unsigned n)
{
	struct pollfd pf;
	unsigned i = 0;
	ssize_t w;

	iov_advance(iov, n, &i, 0); /* skips leading empty buffers */
	while (i < n) {
		w = writev(fd, iov + i, (int)(n - i));
		if (w == 0) {
			return SESH_ERR_SYSTEM; /* takes nothing: give up */
		}
		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN) {
				pf.fd = fd;
				pf.events = POLLOUT;
				(void)poll(&pf, 1, -1);
				continue;
			}
			return SESH_ERR_SYSTEM;
		}
		iov_advance(iov, n, &i, (size_t)w);
	}
	return 0;
}

int
client_write_all(int fd, const uint8_t *p, size_t n)
{
	struct iovec v = {.iov_base = (void *)(uintptr_t)p, .iov_len = n};

	return client_writev_all(fd, &v, 1);
}

void
client_msg(const struct client *cl, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (cl->o->quiet) {
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	strcat(line, "\r\n");
	(void)client_write_all(STDERR_FILENO, (const uint8_t *)line,
	                       strlen(line));
}

static int
client_rand(void *ctx, void *p, size_t n)
{
	(void)ctx;
	/* mostly packet padding, one draw per packet: pooled (the pool
	 * is RAND_bytes output, wiped as handed out and at exit; the key
	 * exchange's few draws come from it too) */
	return rand_pool_bytes(p, n);
}

/* ---- signals ---- */

int
client_killed_by(void)
{
	return client_killer;
}

static void
on_signal(int sig)
{
	int saved = errno;
	char b = 0;

	if (sig == SIGWINCH) {
		client_got_winch = 1;
	} else {
		client_got_quit = sig;
	}
	if (client_sigpipe[1] >= 0) {
		(void)write(client_sigpipe[1], &b, 1);
	}
	errno = saved;
}

static int
signals_install(struct sigaction *old)
{
	struct sigaction sa;
	size_t i;

	if (pipe2(client_sigpipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		client_sigpipe[0] = client_sigpipe[1] = -1;
		return SESH_ERR_SYSTEM;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++) {
		(void)sigaction(client_quit_signals[i], &sa, &old[i]);
	}
	(void)sigaction(SIGWINCH, &sa, &old[3]);
	return 0;
}

static void
signals_restore(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		(void)sigaction(client_quit_signals[i], &old[i], NULL);
	}
	(void)sigaction(SIGWINCH, &old[3], NULL);
	if (client_sigpipe[0] >= 0) {
		close(client_sigpipe[0]);
		close(client_sigpipe[1]);
		client_sigpipe[0] = client_sigpipe[1] = -1;
	}
}

/* ---- the loop ---- */

/* ssh's words for a KEXINIT category the engine names. */
static const char *
category_words(const char *cat)
{
	if (strcmp(cat, "kex_algorithms") == 0) {
		return "key exchange method";
	}
	if (strcmp(cat, "server_host_key_algorithms") == 0) {
		return "host key type";
	}
	if (strncmp(cat, "encryption_algorithms", 21) == 0) {
		return "cipher";
	}
	if (strncmp(cat, "mac_algorithms", 14) == 0) {
		return "MAC";
	}
	if (strncmp(cat, "compression_algorithms", 22) == 0) {
		return "compression method";
	}
	return cat;
}

static void
disconnected(struct client *cl, const struct conn_event *ev)
{
	const char *t = ev->tev.text;
	char cat[64];
	size_t n;

	if (cl->done) {
		return;
	}
	if (!ev->tev.by_peer &&
	    ev->tev.reason == SSH_DISCONNECT_KEY_EXCHANGE_FAILED &&
	    strncmp(t, "no matching ", 12) == 0) {
		const char *offer = strstr(t, ". Their offer: ");

		n = strcspn(t + 12, " ");
		if (n < sizeof(cat)) {
			memcpy(cat, t + 12, n);
			cat[n] = '\0';
			fprintf(stderr,
			        "Unable to negotiate with %s port %u: no "
			        "matching %s found.%s%s\r\n",
			        cl->ip != NULL ? cl->ip : cl->host, cl->port,
			        category_words(cat),
			        offer != NULL ? " Their offer: " : "",
			        offer != NULL ? offer + 15 : "");
			return;
		}
	}
	if (ev->tev.by_peer) {
		fprintf(stderr,
		        "Received disconnect from %s port %u:%u: %s\r\n",
		        cl->ip != NULL ? cl->ip : cl->host, cl->port,
		        ev->tev.reason, ev->tev.text);
		fprintf(stderr, "Disconnected from %s port %u\r\n",
		        cl->ip != NULL ? cl->ip : cl->host, cl->port);
	} else if (ev->tev.reason != SSH_DISCONNECT_BY_APPLICATION) {
		fprintf(stderr, "sesh: Disconnected from %s port %u: %s\r\n",
		        cl->host, cl->port, ev->tev.text);
	}
}

/*
 * Tells the channels how much the socket still holds after a read into
 * the packet decoder (full: the read filled its room), so that a
 * download's windows do not grow while we, not the path, are behind
 * (channel.h, Flow control).
 */
static void
note_queued(struct client *cl, bool full)
{
	chan_set_input_queued(conn_channels(cl->c), sockin_queued(cl->fd, full));
}

/* Drains engine events; false ends the connection (message printed). */
static bool
drain(struct client *cl)
{
	struct conn_event ev;

	for (;;) {
		if (conn_next_event(cl->c, &ev) != 0) {
			(void)client_session_flush_out(cl);
			return false;
		}
		/* gathered output goes before anything else happens */
		if ((ev.type != CONN_EV_CHANNEL ||
		     ev.chan.type != CHAN_EV_DATA) &&
		    !client_session_flush_out(cl)) {
			return false;
		}
		switch (ev.type) {
		case CONN_EV_NONE:
			/* automatic answers (a keepalive's REQUEST_FAILURE)
			 * of the last payloads wait in the channel buffer */
			(void)conn_flush(cl->c);
			return true;
		case CONN_EV_HOSTKEY_VERIFY:
			if (!client_hostkey_check(cl, &ev.tev)) {
				(void)transport_hostkey_accept(
				    conn_transport(cl->c), false);
				return false;
			}
			if (transport_hostkey_accept(conn_transport(cl->c),
			                             true) != 0) {
				return false;
			}
			break;
		case CONN_EV_KEX_DONE:
			cl->handshake_deadline = 0;
			break;
		case CONN_EV_UA_CLIENT:
			if (!client_auth_event(cl, ev.uac)) {
				(void)conn_disconnect(
				    cl->c, SSH_DISCONNECT_BY_APPLICATION,
				    "no more authentication methods");
				return false;
			}
			if (ev.uac->type == UA_CEV_SUCCESS) {
				cl->authenticated = true;
				if (!client_session_start(cl)) {
					return false;
				}
			}
			break;
		case CONN_EV_CHANNEL:
			if (!client_session_event(cl, &ev.chan)) {
				(void)conn_disconnect(
				    cl->c, SSH_DISCONNECT_BY_APPLICATION,
				    "channel failure");
				return false;
			}
			break;
		case CONN_EV_DISCONNECTED:
			disconnected(cl, &ev);
			if (!cl->done) {
				return false;
			}
			break;
		default:
			break;
		}
	}
}

/*
 * Written engine output is consumed lazily (cl->out_done): consuming
 * moves what is left to the buffer's start, which after each partial
 * write to a full socket would copy the whole backlog again. Once this
 * much is written, or all of it, the engine's buffer is trimmed.
 */
#define CLIENT_OUT_TRIM    (256u * 1024u)
#define CLIENT_OUT_BACKLOG (1024u * 1024u)

/* Engine output not yet written. */
static size_t
out_pending(const struct client *cl)
{
	const uint8_t *p;
	size_t n;

	conn_output_peek(cl->c, &p, &n);
	return n > cl->out_done ? n - cl->out_done : 0;
}

/* Writes what the engine has queued (all of it in one write() when the
 * socket takes it); false on a write error. */
static bool
flush_out(struct client *cl, bool block)
{
	const uint8_t *p;
	size_t n;
	ssize_t w;
	struct pollfd pf;

	for (;;) {
		conn_output_peek(cl->c, &p, &n);
		if (cl->out_done >= n) {
			conn_output_consume(cl->c, n);
			cl->out_done = 0;
			return true;
		}
		w = write(cl->fd, p + cl->out_done, n - cl->out_done);
		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN && block) {
				pf.fd = cl->fd;
				pf.events = POLLOUT;
				if (poll(&pf, 1, 2000) <= 0) {
					return false;
				}
				continue;
			}
			return errno == EAGAIN;
		}
		cl->out_done += (size_t)w;
		if (cl->out_done >= CLIENT_OUT_TRIM && cl->out_done < n) {
			conn_output_consume(cl->c, cl->out_done);
			cl->out_done = 0;
		}
	}
}

/* The next timer (ms, client_now_ms clock); UINT64_MAX if none. */
static uint64_t
next_deadline(const struct client *cl)
{
	uint64_t when = UINT64_MAX, t;
	unsigned int iv = cl->o->server_alive_interval;

	if (conn_next_deadline(cl->c, &t) && t < when) {
		when = t;
	}
	if (cl->handshake_deadline != 0 && cl->handshake_deadline < when) {
		when = cl->handshake_deadline;
	}
	if (iv > 0 && cl->authenticated && !cl->done) {
		t = (cl->alive_missed > 0 ? cl->alive_sent_ms
		                          : cl->last_input_ms) +
		    (uint64_t)iv * 1000u;
		if (t < when) {
			when = t;
		}
	}
	return when;
}

/* Runs timers; false when the server is declared dead. */
static bool
run_timers(struct client *cl, uint64_t now)
{
	unsigned int iv = cl->o->server_alive_interval;
	unsigned int max = cl->o->server_alive_count_max != 0
	                       ? cl->o->server_alive_count_max
	                       : 3;
	uint64_t t;

	if (conn_next_deadline(cl->c, &t) && t <= now) {
		(void)conn_tick(cl->c, now);
	}
	if (cl->handshake_deadline != 0 && cl->handshake_deadline <= now) {
		/* ConnectTimeout also bounds the banner exchange and the
		 * first key exchange, as in ssh */
		fprintf(stderr,
		        "Connection timed out during banner exchange\r\n"
		        "Connection to %s port %u timed out\r\n",
		        cl->ip != NULL ? cl->ip : cl->host, cl->port);
		return false;
	}
	if (iv == 0 || !cl->authenticated || cl->done) {
		return true;
	}
	t = (cl->alive_missed > 0 ? cl->alive_sent_ms : cl->last_input_ms) +
	    (uint64_t)iv * 1000u;
	if (t > now) {
		return true;
	}
	if (++cl->alive_missed > max) {
		fprintf(stderr, "Timeout, server %s not responding.\r\n",
		        cl->host);
		return false;
	}
	cl->alive_sent_ms = now;
	if (chan_global_request(conn_channels(cl->c), "keepalive@openssh.com",
	                        true, conn_chan_buf(cl->c)) == 0) {
		client_hkupdate_sent_request(cl);
	}
	(void)conn_flush(cl->c);
	return true;
}

static void
drain_sigpipe(void)
{
	char b[64];

	while (read(client_sigpipe[0], b, sizeof(b)) > 0) {
	}
}

static int
session_loop(struct client *cl)
{
	struct pollfd pf[3];
	uint8_t rbuf[CLIENT_IO_CHUNK];
	size_t n;
	ssize_t r;
	nfds_t nfd, in_idx;
	uint64_t now, when;
	int wait, lw;

	cl->last_input_ms = client_now_ms();
	if (cl->o->connect_timeout > 0) {
		cl->handshake_deadline =
		    cl->last_input_ms +
		    (uint64_t)cl->o->connect_timeout * 1000u;
	}
	for (;;) {
		if (!drain(cl)) {
			(void)flush_out(cl, true);
			return CLIENT_EXIT_FAILURE;
		}
		if (!flush_out(cl, false)) {
			fprintf(stderr, "sesh: write failed: %s\r\n",
			        strerror(errno));
			return CLIENT_EXIT_FAILURE;
		}
		n = out_pending(cl);
		if (cl->done && n == 0) {
			break;
		}
		if (client_got_quit) {
			client_killer = (int)client_got_quit;
			(void)conn_disconnect(cl->c,
			                      SSH_DISCONNECT_BY_APPLICATION,
			                      "disconnected by user");
			(void)flush_out(cl, true);
			return CLIENT_EXIT_FAILURE;
		}
		if (client_got_winch) {
			client_got_winch = 0;
			client_session_winch(cl);
			continue;
		}
		pf[0].fd = cl->fd;
		pf[0].events = POLLIN | (n > 0 ? POLLOUT : 0);
		pf[0].revents = 0;
		pf[1].fd = client_sigpipe[0];
		pf[1].events = POLLIN;
		pf[1].revents = 0;
		nfd = 2;
		in_idx = 0;
		/* backpressure: no more input while a lot waits for the
		 * socket (the window would let it pile up in memory) */
		if (n < CLIENT_OUT_BACKLOG && client_session_wants_stdin(cl)) {
			pf[2].fd = STDIN_FILENO;
			pf[2].events = POLLIN;
			pf[2].revents = 0;
			in_idx = 2;
			nfd = 3;
		}
		now = client_now_ms();
		when = next_deadline(cl);
		wait = -1;
		if (when != UINT64_MAX) {
			wait = when <= now
			           ? 0
			           : (when - now > 60000u ? 60000
			                                  : (int)(when - now));
		}
		if ((lw = sockin_wait(&cl->sin, now)) >= 0 &&
		    (wait < 0 || wait > lw)) {
			wait = lw;
		}
		if (poll(pf, nfd, wait) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return CLIENT_EXIT_FAILURE;
		}
		if (pf[1].revents != 0) {
			drain_sigpipe();
		}
		now = client_now_ms();
		if (!run_timers(cl, now)) {
			return CLIENT_EXIT_FAILURE;
		}
		if (in_idx != 0 && pf[in_idx].revents != 0) {
			client_session_read_stdin(cl);
		}
		if ((pf[0].revents & (POLLIN | POLLHUP | POLLERR)) ||
		    sockin_wait(&cl->sin, now) == 0) {
			uint8_t *into = NULL;
			size_t room = 0;

			/* read at least every SOCKIN_LOWAT_WAIT_MS while
			 * SO_RCVLOWAT is on, whatever else woke us */
			sockin_reading(&cl->sin, now);

			/* the gathered output's views die when input is
			 * fed (drain() has written them already) */
			(void)client_session_flush_out(cl);
			/* logged in: straight into the packet decoder (no
			 * copy of bulk data); before, through rbuf */
			if (cl->authenticated &&
			    conn_input_space(cl->c, sizeof(rbuf), &into,
			                     &room) == 0 &&
			    into != NULL) {
				if (room > sizeof(rbuf)) {
					room = sizeof(rbuf);
				}
				r = read(cl->fd, into, room);
				note_queued(cl, r == (ssize_t)room);
			} else {
				into = NULL;
				r = read(cl->fd, rbuf, sizeof(rbuf));
			}
			if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
				if (errno == EAGAIN) {
					sockin_after_read(&cl->sin, cl->fd, -1);
				}
				continue;
			}
			if (r <= 0) {
				if (cl->done) {
					break;
				}
				if (cl->authenticated) {
					client_msg(cl,
					           "Connection to %s closed by "
					           "remote host.",
					           cl->host);
				} else {
					fprintf(stderr,
					        "Connection closed by %s port "
					        "%u\r\n",
					        cl->ip != NULL ? cl->ip
					                       : cl->host,
					        cl->port);
				}
				return CLIENT_EXIT_FAILURE;
			}
			cl->last_input_ms = now;
			cl->alive_missed = 0;
			if (cl->authenticated) {
				sockin_after_read(&cl->sin, cl->fd, r);
			}
			if (cl->quickack) {
				/* until the session is set up (stdin
				 * flows) or -N is logged in */
				if (cl->stdin_live || cl->done ||
				    (cl->authenticated && !cl->chan_opened)) {
					cl->quickack = false;
				}
				client_net_quickack(cl);
			}
			if (into != NULL) {
				(void)conn_input_commit(cl->c, (size_t)r, now);
			} else if (conn_input(cl->c, rbuf, (size_t)r, now) ==
			               SESH_ERR_LIMIT &&
			           (!drain(cl) ||
			            conn_input(cl->c, rbuf, (size_t)r, now) ==
			                SESH_ERR_LIMIT)) {
				/* still too much buffered: give up */
				(void)flush_out(cl, true);
				return CLIENT_EXIT_FAILURE;
			}
		}
	}
	if (cl->quit_escape) {
		return CLIENT_EXIT_FAILURE;
	}
	if (cl->have_status) {
		return cl->status;
	}
	if (cl->o->stdio_forward_host != NULL && cl->closed) {
		return 0;
	}
	return CLIENT_EXIT_FAILURE;
}

/* ---- setup ---- */

static void
free_list(char **l)
{
	size_t i;

	for (i = 0; l != NULL && l[i] != NULL; i++) {
		free(l[i]);
	}
	free(l);
}

/* Expands a list (or the defaults) into a NULL-terminated heap list. */
static int
expand_list(const char *const *in, const char *const *defaults, char ***out)
{
	const char *const *src = in != NULL ? in : defaults;
	size_t n = 0, i, j;
	char **l;

	*out = NULL;
	while (src[n] != NULL) {
		n++;
	}
	if ((l = calloc(n + 1, sizeof(*l))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	for (i = 0, j = 0; i < n; i++) {
		if (strcmp(src[i], "none") == 0) {
			continue;
		}
		if (paths_expand_tilde(src[i], &l[j]) != 0) {
			free_list(l);
			return SESH_ERR_NOMEM;
		}
		j++;
	}
	n = j;
	l[n] = NULL;
	*out = l;
	return 0;
}

/* RequestTTY as ssh decides it, with its message. */
static bool
decide_tty(const struct client *cl)
{
	const struct client_opts *o = cl->o;
	bool tty = false;

	if (o->request_tty == CLIENT_TTY_YES ||
	    o->request_tty == CLIENT_TTY_FORCE) {
		tty = true;
	}
	if ((o->command == NULL || *o->command == '\0') && !o->subsystem) {
		tty = o->request_tty != CLIENT_TTY_NO;
	}
	if (o->request_tty == CLIENT_TTY_NO || o->no_session ||
	    o->stdio_forward_host != NULL) {
		tty = false;
	}
	if ((!isatty(STDIN_FILENO) || o->stdin_null) &&
	    o->request_tty != CLIENT_TTY_FORCE) {
		if (tty) {
			client_msg(cl, "Pseudo-terminal will not be allocated "
			               "because stdin is not a terminal.");
		}
		tty = false;
	}
	return tty;
}

int
client_run(const struct client_opts *o)
{
	static const char *const ukh_def[] = {"~/.ssh/known_hosts",
	                                      "~/.ssh/known_hosts2", NULL};
	static const char *const gkh_def[] = {
	    "/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2", NULL};
	struct client cl;
	struct conn_config cfg;
	struct sigaction old[4];
	bool sig_on = false;
	int status = CLIENT_EXIT_FAILURE, ret, fd;

	memset(&cl, 0, sizeof(cl));
	client_got_quit = 0;
	client_killer = 0;
	cl.o = o;
	cl.fd = -1;
	cl.host = o->host;
	cl.port = o->port != 0 ? o->port : 22;
	(void)signal(SIGPIPE, SIG_IGN);
	escape_init(&cl.esc, o->escape_char == 0 ? '~' : o->escape_char);
	if (o->escape_char == CLIENT_ESCAPE_NONE) {
		escape_init(&cl.esc, ESCAPE_NONE);
	}
	if (o->stdin_null &&
	    (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		/* -n: the remote side reads /dev/null, as with ssh */
		if (fd != STDIN_FILENO) {
			(void)dup2(fd, STDIN_FILENO);
			close(fd);
		}
	}
	cl.want_tty = decide_tty(&cl);
	if (signals_install(old) == 0) {
		sig_on = true;
	}
	if ((ret = expand_list(o->user_known_hosts, ukh_def, &cl.ukh)) != 0 ||
	    (ret = expand_list(o->global_known_hosts, gkh_def, &cl.gkh)) != 0) {
		fprintf(stderr, "sesh: cannot find the home directory: %s\r\n",
		        sesh_err_str(ret));
		goto out;
	}
	cl.in_buf = malloc(CLIENT_IO_CHUNK * 2 + 2);
	if (cl.in_buf == NULL) {
		goto out;
	}
	if (client_net_connect(&cl) != 0) {
		goto out;
	}
	sockin_init(&cl.sin);
	memset(&cfg, 0, sizeof(cfg));
	cfg.transport.rand = client_rand;
	cfg.transport.kex = o->kex;
	cfg.transport.ciphers = o->ciphers;
	cfg.transport.macs = o->macs;
	cfg.transport.hostkey = o->hostkey_algs;
	cfg.transport.rekey_bytes = o->rekey_bytes;
	cfg.transport.rekey_seconds = o->rekey_seconds;
	cfg.user = o->user;
	if ((ret = conn_new(TRANSPORT_CLIENT, &cfg, &cl.c)) != 0) {
		fprintf(stderr, "sesh: %s\r\n", sesh_err_str(ret));
		goto out;
	}
	status = session_loop(&cl);
	if (cl.want_tty && cl.authenticated && (cl.closed || cl.quit_escape)) {
		if (cl.tty_raw) {
			ctty_leave_raw();
			cl.tty_raw = false;
		}
		client_msg(&cl, "Connection to %s closed.", cl.host);
	}
out:
	if (cl.tty_raw) {
		ctty_leave_raw();
	}
	if (sig_on) {
		signals_restore(old);
	}
	conn_free(cl.c);
	client_net_close(&cl);
	client_auth_clear(&cl.au);
	client_hkupdate_clear(&cl);
	free_list(cl.ukh);
	free_list(cl.gkh);
	free(cl.in_buf);
	free(cl.ip);
	rand_pool_wipe();
	if (client_got_quit) {
		log_verbose("Killed by signal %d.", (int)client_got_quit);
	}
	return status;
}
