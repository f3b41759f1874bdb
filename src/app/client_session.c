/*
 * client_session.c - what the client does once authenticated: a session
 * channel (pty-req, env, then exec, shell or subsystem), a direct-tcpip
 * channel for -W, or nothing for -N; the streams both ways with flow
 * control (the window is given back only after the data was written
 * out); exit-status; the escape character on a pty session; window
 * changes.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "app/client_int.h"
#include "app/client_tty.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "key/match.h"
#include "ssh/msg.h"

extern char **environ;

bool
client_session_start(struct client *cl)
{
	const struct client_opts *o = cl->o;
	struct conn *c = cl->c;
	int ret;

	if (o->stdio_forward_host != NULL) {
		log_debug("stdio forwarding to %s:%u", o->stdio_forward_host,
		          o->stdio_forward_port);
		ret = chan_open_direct_tcpip(
		    conn_channels(c), o->stdio_forward_host,
		    o->stdio_forward_port, "127.0.0.1", 65535, conn_chan_buf(c),
		    &cl->chan);
	} else if (o->no_session) {
		return true;
	} else {
		cl->want_session = true;
		ret = chan_open_session(conn_channels(c), conn_chan_buf(c),
		                        &cl->chan);
	}
	if (ret != 0) {
		return false;
	}
	cl->chan_opened = true;
	return conn_flush(c) == 0;
}

static int
send_pty_req(struct client *cl)
{
	struct conn *c = cl->c;
	struct chan_req req;
	struct termios t;
	struct buf modes;
	const char *term = cl->o->term != NULL ? cl->o->term : getenv("TERM");
	uint32_t cols, rows, xp, yp;
	int ret;

	buf_init(&modes, 0);
	if (tcgetattr(STDIN_FILENO, &t) == 0) {
		ret = ctty_modes_build(&t, &modes);
	} else {
		ret = chan_pty_modes_build(NULL, 0, &modes);
	}
	if (ret != 0) {
		goto out;
	}
	(void)ctty_winsize(STDIN_FILENO, &cols, &rows, &xp, &yp);
	memset(&req, 0, sizeof(req));
	req.type = CHAN_REQ_PTY;
	req.want_reply = true;
	req.term = chan_str_c(term != NULL ? term : "");
	req.cols = cols;
	req.rows = rows;
	req.width_px = xp;
	req.height_px = yp;
	req.modes.p = buf_data(&modes);
	req.modes.n = buf_len(&modes);
	ret = chan_request(conn_channels(c), cl->chan, &req, conn_chan_buf(c));
out:
	buf_clear(&modes);
	return ret;
}

static int
send_env(struct client *cl, const char *name, size_t nlen, const char *value)
{
	struct chan_req req;

	memset(&req, 0, sizeof(req));
	req.type = CHAN_REQ_ENV;
	req.arg.p = (const uint8_t *)name;
	req.arg.n = nlen;
	req.value = chan_str_c(value);
	log_debug("Sending env %.*s = %s", (int)nlen, name, value);
	return chan_request(conn_channels(cl->c), cl->chan, &req,
	                    conn_chan_buf(cl->c));
}

static bool
env_wanted(const struct client *cl, const char *name, size_t n)
{
	const char *const *p;

	for (p = cl->o->send_env; p != NULL && *p != NULL; p++) {
		if ((*p)[0] == '-') {
			continue;
		}
		if (match_pattern_list(name, n, *p, strlen(*p), false) ==
		    MATCH_POSITIVE) {
			return true;
		}
	}
	return false;
}

static int
send_envs(struct client *cl)
{
	const struct client_opts *o = cl->o;
	char **e;
	const char *const *s;
	const char *eq;
	int ret;

	for (e = environ; o->send_env != NULL && e != NULL && *e != NULL; e++) {
		eq = strchr(*e, '=');
		if (eq == NULL || !env_wanted(cl, *e, (size_t)(eq - *e))) {
			continue;
		}
		if ((ret = send_env(cl, *e, (size_t)(eq - *e), eq + 1)) != 0) {
			return ret;
		}
	}
	for (s = o->set_env; s != NULL && *s != NULL; s++) {
		eq = strchr(*s, '=');
		if (eq == NULL) {
			continue;
		}
		if ((ret = send_env(cl, *s, (size_t)(eq - *s), eq + 1)) != 0) {
			return ret;
		}
	}
	return 0;
}

static bool
session_requests(struct client *cl)
{
	const struct client_opts *o = cl->o;
	struct chan_req req;

	if (cl->want_tty) {
		if (send_pty_req(cl) != 0) {
			return false;
		}
		if (isatty(STDIN_FILENO) && ctty_enter_raw(STDIN_FILENO) == 0) {
			cl->tty_raw = true;
		}
	}
	if (send_envs(cl) != 0) {
		return false;
	}
	memset(&req, 0, sizeof(req));
	req.want_reply = true;
	if (o->subsystem) {
		req.type = CHAN_REQ_SUBSYSTEM;
		req.arg = chan_str_c(o->command != NULL ? o->command : "");
	} else if (o->command != NULL && *o->command != '\0') {
		req.type = CHAN_REQ_EXEC;
		req.arg = chan_str_c(o->command);
	} else {
		req.type = CHAN_REQ_SHELL;
	}
	return chan_request(conn_channels(cl->c), cl->chan, &req,
	                    conn_chan_buf(cl->c)) == 0;
}

/* Sends what the window takes of the pending input; EOF once drained. */
static int
stdin_push(struct client *cl)
{
	struct conn *c = cl->c;
	size_t sent = 0;
	int ret;

	if (!cl->chan_open) {
		return 0;
	}
	if (cl->in_off < cl->in_len) {
		ret = chan_send_data(
		    conn_channels(c), cl->chan, 0, cl->in_buf + cl->in_off,
		    cl->in_len - cl->in_off, conn_chan_buf(c), &sent);
		if (ret != 0) {
			return ret;
		}
		cl->in_off += sent;
	}
	if (cl->in_off == cl->in_len) {
		cl->in_off = cl->in_len = 0;
		if (cl->stdin_eof) {
			return chan_send_eof(conn_channels(c), cl->chan,
			                     conn_chan_buf(c));
		}
	}
	return 0;
}

static const char *
reason_text(uint32_t r)
{
	switch (r) {
	case 1:
		return "administratively prohibited";
	case 2:
		return "connect failed";
	case 3:
		return "unknown channel type";
	case 4:
		return "resource shortage";
	default:
		return "unknown reason";
	}
}

static const char *
req_name(enum chan_req_type t)
{
	switch (t) {
	case CHAN_REQ_EXEC:
		return "exec";
	case CHAN_REQ_SHELL:
		return "shell";
	case CHAN_REQ_SUBSYSTEM:
		return "subsystem";
	default:
		return "request";
	}
}

bool
client_session_flush_out(struct client *cl)
{
	size_t n = cl->out_bytes;

	if (cl->out_npend == 0) {
		return true;
	}
	/* as before gathering: a failed write (stdout closed) still
	 * returns the window, the data is dropped */
	(void)client_writev_all(cl->out_fd, cl->out_pend, cl->out_npend);
	cl->out_npend = 0;
	cl->out_bytes = 0;
	return chan_consumed(conn_channels(cl->c), cl->out_chan, n,
	                     conn_chan_buf(cl->c)) == 0;
}

bool
client_session_event(struct client *cl, const struct chan_event *ce)
{
	struct conn *c = cl->c;
	char *s = NULL;
	int fd;

	switch (ce->type) {
	case CHAN_EV_OPEN_CONFIRMED:
		cl->chan_open = true;
		if (!cl->want_session) {
			cl->stdin_live = true;
			return true;
		}
		return session_requests(cl);
	case CHAN_EV_OPEN_FAILED:
		if (ua_sanitize(ce->text.p, ce->text.n, &s) == 0) {
			fprintf(stderr, "channel %u: open failed: %s: %s\r\n",
			        ce->id, reason_text(ce->reason), s);
			free(s);
		}
		if (cl->o->stdio_forward_host != NULL) {
			fprintf(stderr, "stdio forwarding failed\r\n");
		}
		return false;
	case CHAN_EV_REQUEST_REPLY:
		if (ce->req_type == CHAN_REQ_PTY) {
			if (!ce->ok) {
				client_msg(cl,
				           "PTY allocation request failed on "
				           "channel %u",
				           ce->id);
			}
		} else if (ce->req_type == CHAN_REQ_EXEC ||
		           ce->req_type == CHAN_REQ_SHELL ||
		           ce->req_type == CHAN_REQ_SUBSYSTEM) {
			if (!ce->ok) {
				fprintf(stderr,
				        "%s request failed on channel %u\r\n",
				        req_name(ce->req_type), ce->id);
				return chan_close(conn_channels(c), ce->id,
				                  conn_chan_buf(c)) == 0;
			}
			cl->stdin_live = true;
			return stdin_push(cl) == 0;
		}
		return true;
	case CHAN_EV_DATA:
		/* kept as a view, written with the rest of this input */
		fd = ce->ext_type == 0 ? STDOUT_FILENO : STDERR_FILENO;
		if (cl->out_npend > 0 &&
		    (cl->out_fd != fd || cl->out_chan != ce->id ||
		     cl->out_npend == CLIENT_PEND_MAX) &&
		    !client_session_flush_out(cl)) {
			return false;
		}
		cl->out_fd = fd;
		cl->out_chan = ce->id;
		cl->out_pend[cl->out_npend].iov_base =
		    (void *)(uintptr_t)ce->data.p;
		cl->out_pend[cl->out_npend].iov_len = ce->data.n;
		cl->out_npend++;
		cl->out_bytes += ce->data.n;
		return true;
	case CHAN_EV_WINDOW:
		return stdin_push(cl) == 0;
	case CHAN_EV_EOF:
		return true;
	case CHAN_EV_REQUEST:
		if (ce->req.type == CHAN_REQ_EXIT_STATUS) {
			cl->have_status = true;
			cl->status = (int)(ce->req.exit_status & 0xff);
		} else if (ce->req.type == CHAN_REQ_EXIT_SIGNAL) {
			/* ssh does not take exit-signal: the status stays
			 * unknown (255); the signal is logged for -v */
			cl->have_signal = true;
			if (ua_sanitize(ce->req.arg.p, ce->req.arg.n, &s) ==
			    0) {
				log_debug("remote command killed by signal "
				          "%s",
				          s);
				free(s);
			}
		}
		if (ce->req.want_reply) {
			return chan_reply(conn_channels(c), ce->id, false,
			                  conn_chan_buf(c)) == 0;
		}
		return true;
	case CHAN_EV_CLOSED:
		cl->closed = true;
		cl->chan_open = false;
		cl->stdin_live = false;
		cl->done = true;
		(void)conn_disconnect(c, SSH_DISCONNECT_BY_APPLICATION,
		                      "disconnected by user");
		return true;
	case CHAN_EV_GLOBAL_REPLY:
		cl->alive_missed = 0;
		(void)client_hkupdate_reply(cl, ce);
		return true;
	case CHAN_EV_GLOBAL_REQUEST:
		return client_hkupdate_notify(cl, ce);
	default:
		return true;
	}
}

bool
client_session_wants_stdin(const struct client *cl)
{
	return cl->stdin_live && !cl->stdin_eof && cl->in_len == 0 &&
	       chan_send_room(conn_channels(cl->c), cl->chan) > 0;
}

void
client_session_winch(struct client *cl)
{
	struct chan_req req;
	uint32_t xp, yp;

	if (!cl->want_tty || !cl->chan_open) {
		return;
	}
	memset(&req, 0, sizeof(req));
	req.type = CHAN_REQ_WINDOW_CHANGE;
	if (!ctty_winsize(STDIN_FILENO, &req.cols, &req.rows, &xp, &yp)) {
		return;
	}
	req.width_px = xp;
	req.height_px = yp;
	(void)chan_request(conn_channels(cl->c), cl->chan, &req,
	                   conn_chan_buf(cl->c));
}

static void
raw_print(const char *s)
{
	(void)client_write_all(STDERR_FILENO, (const uint8_t *)s, strlen(s));
}

/* Acts on an escape command; false: the session is over (~.). */
static bool
escape_command(struct client *cl, enum escape_cmd cmd)
{
	char buf[1024];
	struct chan_req req;
	int ch = cl->esc.ch;

	switch (cmd) {
	case ESCAPE_CMD_DISCONNECT:
		snprintf(buf, sizeof(buf), "%c.\r\n", ch);
		raw_print(buf);
		cl->quit_escape = true;
		cl->done = true;
		cl->stdin_live = false;
		(void)conn_disconnect(cl->c, SSH_DISCONNECT_BY_APPLICATION,
		                      "disconnected by user");
		return false;
	case ESCAPE_CMD_SUSPEND:
		snprintf(buf, sizeof(buf), "%c^Z [suspend sesh]\r\n", ch);
		raw_print(buf);
		if (cl->tty_raw) {
			ctty_leave_raw();
		}
		(void)kill(getpid(), SIGTSTP);
		/* continued */
		if (cl->tty_raw) {
			(void)ctty_enter_raw(STDIN_FILENO);
		}
		client_session_winch(cl);
		return true;
	case ESCAPE_CMD_LIST:
		snprintf(buf, sizeof(buf),
		         "%c#\r\nThe following connections are open:\r\n"
		         "  #%u client-session (open)\r\n",
		         ch, cl->chan);
		raw_print(buf);
		return true;
	case ESCAPE_CMD_HELP:
		snprintf(buf, sizeof(buf), "%c?\r\n", ch);
		raw_print(buf);
		escape_help(ch, buf, sizeof(buf));
		raw_print(buf);
		return true;
	case ESCAPE_CMD_COMMANDLINE:
		raw_print("\r\ncommandline disabled\r\n");
		return true;
	case ESCAPE_CMD_REKEY:
		snprintf(buf, sizeof(buf), "%cR\r\n", ch);
		raw_print(buf);
		(void)transport_rekey(conn_transport(cl->c));
		return true;
	case ESCAPE_CMD_BREAK:
		snprintf(buf, sizeof(buf), "%cB\r\n", ch);
		raw_print(buf);
		memset(&req, 0, sizeof(req));
		req.type = CHAN_REQ_UNKNOWN;
		req.name = chan_str_c("break");
		(void)chan_request(conn_channels(cl->c), cl->chan, &req,
		                   conn_chan_buf(cl->c));
		return true;
	case ESCAPE_CMD_LESS_VERBOSE:
	case ESCAPE_CMD_MORE_VERBOSE:
		if (cmd == ESCAPE_CMD_MORE_VERBOSE &&
		    log_get_level() < LOG_LVL_DEBUG3) {
			log_set_level(log_get_level() + 1);
		} else if (cmd == ESCAPE_CMD_LESS_VERBOSE &&
		           log_get_level() > LOG_LVL_QUIET) {
			log_set_level(log_get_level() - 1);
		}
		snprintf(buf, sizeof(buf), "%c%c [LogLevel %s]\r\n", ch,
		         cmd == ESCAPE_CMD_MORE_VERBOSE ? 'v' : 'V',
		         log_level_name(log_get_level()));
		raw_print(buf);
		return true;
	default:
		return true;
	}
}

/*
 * Plain stdin straight into the channel's outgoing messages (no copy
 * through in_buf): lays out up to room bytes of CHANNEL_DATA and reads
 * into them, with more reads while poll says more is there, so the
 * messages go out full and one flush carries several in one write().
 * False when nothing could be laid out (the caller reads through
 * in_buf); cl->stdin_eof set on EOF or a read error.
 */
static bool
read_stdin_direct(struct client *cl, size_t room)
{
	struct chan_set *cs = conn_channels(cl->c);
	struct chan_data_space sp;
	struct iovec iov[CHAN_DATA_MAX_SEGS];
	struct pollfd pf;
	size_t len = 0, total = 0, i, skip;
	unsigned int reads = 0;
	ssize_t r;

	if (cl->in_len != 0 ||
	    chan_send_data_space(cs, cl->chan, 0, room, conn_chan_buf(cl->c),
	                         &sp) != 0 ||
	    sp.nseg == 0) {
		return false;
	}
	for (i = 0; i < sp.nseg; i++) {
		iov[i].iov_base = sp.seg[i];
		iov[i].iov_len = sp.seg_len[i];
		total += sp.seg_len[i];
	}
	for (;;) {
		/* from the first segment not full yet (len < total) */
		for (i = 0, skip = len; skip >= sp.seg_len[i]; i++) {
			skip -= sp.seg_len[i];
		}
		iov[i].iov_base = sp.seg[i] + skip;
		iov[i].iov_len = sp.seg_len[i] - skip;
		r = readv(STDIN_FILENO, iov + i, (int)(sp.nseg - i));
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0 && errno == EAGAIN) {
			break;
		}
		if (r <= 0) {
			cl->stdin_eof = true;
			break;
		}
		len += (size_t)r;
		/* a short read of a small amount: interactive, send now */
		if (++reads >= CLIENT_IN_READS || total - len < 4096u ||
		    (size_t)r < 4096u) {
			break;
		}
		pf.fd = STDIN_FILENO;
		pf.events = POLLIN;
		pf.revents = 0;
		if (poll(&pf, 1, 0) <= 0 || (pf.revents & POLLIN) == 0) {
			break;
		}
	}
	/* len <= total and sp was laid out just now: cannot fail */
	(void)chan_send_data_commit(cs, cl->chan, conn_chan_buf(cl->c), &sp,
	                            len);
	return true;
}

/*
 * Plain stdin (no escape character): up to the window and
 * CLIENT_IN_MAX, straight into the messages (read_stdin_direct), else
 * into in_buf, with more reads while poll says more is there, so one
 * flush carries several packets in one write().
 */
static void
read_stdin_plain(struct client *cl, size_t room)
{
	struct pollfd pf;
	size_t len = 0;
	unsigned int reads = 0;
	ssize_t r;

	if (room == 0) {
		return; /* no window: polled by mistake, not an EOF */
	}
	if (room > CLIENT_IN_MAX) {
		room = CLIENT_IN_MAX;
	}
	if (read_stdin_direct(cl, room)) {
		(void)stdin_push(cl); /* the EOF, if that was one */
		return;
	}
	for (;;) {
		r = read(STDIN_FILENO, cl->in_buf + len, room - len);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0 && errno == EAGAIN) {
			break;
		}
		if (r <= 0) {
			cl->stdin_eof = true;
			break;
		}
		len += (size_t)r;
		/* a short read of a small amount: interactive, send now */
		if (++reads >= CLIENT_IN_READS || room - len < 4096u ||
		    (size_t)r < 4096u) {
			break;
		}
		pf.fd = STDIN_FILENO;
		pf.events = POLLIN;
		pf.revents = 0;
		if (poll(&pf, 1, 0) <= 0 || (pf.revents & POLLIN) == 0) {
			break;
		}
	}
	cl->in_len = len;
	cl->in_off = 0;
	(void)stdin_push(cl);
}

void
client_session_read_stdin(struct client *cl)
{
	size_t room = chan_send_room(conn_channels(cl->c), cl->chan);
	uint8_t raw[CLIENT_IO_CHUNK];
	size_t off = 0, used, outlen;
	enum escape_cmd cmd;
	ssize_t r;

	if (!cl->want_tty || cl->esc.ch == ESCAPE_NONE) {
		read_stdin_plain(cl, room);
		return;
	}
	if (room > sizeof(raw)) {
		room = sizeof(raw);
	}
	r = read(STDIN_FILENO, raw, room);
	if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	if (r <= 0) {
		cl->stdin_eof = true;
		(void)stdin_push(cl);
		return;
	}
	cl->in_len = cl->in_off = 0;
	while (off < (size_t)r) {
		cmd = escape_feed(&cl->esc, raw + off, (size_t)r - off,
		                  cl->in_buf + cl->in_len, &outlen, &used);
		cl->in_len += outlen;
		off += used;
		if (cmd != ESCAPE_CMD_NONE) {
			(void)stdin_push(cl);
			if (!escape_command(cl, cmd)) {
				return;
			}
		}
	}
	(void)stdin_push(cl);
}
