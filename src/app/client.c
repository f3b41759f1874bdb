/*
 * client.c - the sesh client driver (see client.h): socket, poll loop,
 * host key policy, authentication choices and the exec session.
 *
 * Authentication order: "none" (to learn the server's methods), then
 * each identity file (publickey query, signature on PK_OK), then up to
 * CLIENT_PASSWORD_TRIES passwords. Standard output and error are written
 * with blocking writes before the window is given back (chan_consumed),
 * so a slow reader slows the server rather than filling our memory.
 */
#include "app/client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/fileio.h"
#include "app/paths.h"
#include "app/tty.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "crypto/rand.h"
#include "key/key.h"
#include "key/keyfile.h"
#include "ssh/conn.h"
#include "ssh/msg.h"

#define CLIENT_PASSWORD_TRIES 3
#define CLIENT_MAX_IDS        3
#define CLIENT_IO_CHUNK       32768
#define CLIENT_ASKPASS_MAX    1024

struct client {
	const struct client_opts *o;
	unsigned int port;
	struct conn *c;
	int fd;
	char *kh_path;
	/* authentication */
	char *ids[CLIENT_MAX_IDS];
	size_t nids, next_id;
	struct sshkey *key; /* the key being tried */
	const char *alg;
	int pw_tries;
	bool sent_none;
	char *methods; /* from the last FAILURE */
	/* session */
	uint32_t chan;
	bool chan_open, exec_ok, stdin_eof, stdin_live;
	uint8_t in_buf[CLIENT_IO_CHUNK];
	size_t in_len, in_off;
	bool have_status, have_signal, closed, done;
	int status;
};

static int
client_rand(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return rand_bytes(p, n);
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return SESH_ERR_SYSTEM;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
client_connect(struct client *cl)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int fd = -1, err = 0, one = 1, ret;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%u", cl->port);
	ret = getaddrinfo(cl->o->host, portstr, &hints, &res);
	if (ret != 0) {
		fprintf(stderr, "sesh: Could not resolve hostname %s: %s\n",
		        cl->o->host, gai_strerror(ret));
		return SESH_ERR_NOT_FOUND;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			break;
		}
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "sesh: connect to host %s port %u: %s\n",
		        cl->o->host, cl->port, strerror(err));
		return SESH_ERR_SYSTEM;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	cl->fd = fd;
	return 0;
}

/* ---- host key ---- */

static void
print_owned(char *s)
{
	if (s != NULL) {
		fputs(s, stderr);
		free(s);
	}
}

/* Asks the new-host question on /dev/tty; true for yes. */
static bool
ask_new_host(const char *prompt, const char *fp)
{
	FILE *tty = fopen("/dev/tty", "r+");
	char line[256];
	char *msg = NULL;
	enum hostkeys_answer a = HOSTKEYS_ANSWER_NO;
	const char *q = prompt;

	if (tty == NULL) {
		return false;
	}
	for (;;) {
		fputs(q, tty);
		fflush(tty);
		if (fgets(line, sizeof(line), tty) == NULL) {
			a = HOSTKEYS_ANSWER_NO;
			break;
		}
		a = hostkeys_parse_answer(line, fp);
		if (a != HOSTKEYS_ANSWER_RETRY) {
			break;
		}
		free(msg);
		msg = NULL;
		if (hostkeys_msg_retry(&msg) != 0) {
			a = HOSTKEYS_ANSWER_NO;
			break;
		}
		q = msg;
	}
	free(msg);
	fclose(tty);
	return a == HOSTKEYS_ANSWER_YES;
}

static bool
check_hostkey(struct client *cl, const struct transport_event *tev)
{
	const struct client_opts *o = cl->o;
	struct hostkeys_result res;
	enum hostkeys_action act;
	char *msg = NULL;
	bool ok = false;
	int ret;

	ret = hostkeys_check(cl->kh_path, "/etc/ssh/ssh_known_hosts", o->host,
	                     cl->port, tev->hostkey, &res);
	if (ret != 0) {
		fprintf(stderr, "sesh: host key check failed: %s\n",
		        sesh_err_str(ret));
		return false;
	}
	act = hostkeys_decide(o->strict, res.status, o->batch);
	if (act == HOSTKEYS_PROMPT) {
		if (hostkeys_msg_new_host(o->host, cl->port, NULL, tev->hostkey,
		                          &res, &msg) == 0 &&
		    ask_new_host(msg, tev->fingerprint)) {
			act = HOSTKEYS_ACCEPT_ADD;
		} else {
			act = HOSTKEYS_REFUSE;
			res.status = HOSTKEY_NEW;
		}
		free(msg);
		msg = NULL;
	}
	switch (act) {
	case HOSTKEYS_ACCEPT:
		if (res.status == HOSTKEY_CHANGED &&
		    hostkeys_msg_changed(cl->kh_path, o->host, cl->port,
		                         tev->hostkey, &res, false,
		                         &msg) == 0) {
			print_owned(msg);
		}
		ok = true;
		break;
	case HOSTKEYS_ACCEPT_ADD:
		ret = hostkeys_add(cl->kh_path, o->host, cl->port, tev->hostkey,
		                   false);
		if (ret != 0) {
			fprintf(stderr,
			        "sesh: Failed to add the host to the "
			        "list of known hosts (%s).\n",
			        cl->kh_path);
		} else if (hostkeys_msg_added(o->host, cl->port, tev->hostkey,
		                              &msg) == 0) {
			print_owned(msg);
		}
		ok = true;
		break;
	default:
		if (res.status == HOSTKEY_CHANGED) {
			ret = hostkeys_msg_changed(cl->kh_path, o->host,
			                           cl->port, tev->hostkey, &res,
			                           true, &msg);
		} else if (res.status == HOSTKEY_REVOKED) {
			ret = hostkeys_msg_revoked(o->host, cl->port,
			                           tev->hostkey, &msg);
		} else if (o->strict == HOSTKEYS_STRICT_YES || o->batch) {
			ret = hostkeys_msg_strict_new(o->host, cl->port,
			                              tev->hostkey, &msg);
		} else {
			ret = 0;
		}
		if (ret == 0) {
			print_owned(msg);
		}
		msg = NULL;
		if (hostkeys_msg_failed(&msg) == 0) {
			print_owned(msg);
		}
		ok = false;
		break;
	}
	hostkeys_result_clear(&res);
	return ok;
}

/* ---- authentication ---- */

static int
load_key(struct client *cl, const char *path, struct sshkey **out)
{
	uint8_t *data = NULL;
	size_t n = 0;
	char *pass = NULL, *prompt = NULL;
	int ret;

	*out = NULL;
	if ((ret = fileio_read(path, 0, &data, &n)) != 0) {
		goto out;
	}
	ret = keyfile_parse_private(data, n, NULL, out);
	if (ret != SESH_ERR_PASSPHRASE_NEEDED || cl->o->batch) {
		goto out;
	}
	if (asprintf(&prompt, "Enter passphrase for key '%s': ", path) < 0) {
		prompt = NULL;
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((ret = tty_read_passphrase(prompt, &pass)) != 0) {
		goto out;
	}
	ret = keyfile_parse_private(data, n, pass, out);
	if (ret == SESH_ERR_WRONG_PASSPHRASE) {
		fprintf(stderr, "Load key \"%s\": incorrect passphrase\n",
		        path);
	}
out:
	if (data != NULL) {
		mem_free_secret(data, n);
	}
	if (pass != NULL) {
		mem_free_string_secret(pass);
	}
	free(prompt);
	return ret;
}

/* Runs $SSH_ASKPASS with the prompt; the first line of its output. */
static int
askpass(const char *prog, const char *prompt, char **out)
{
	int pfd[2];
	pid_t pid;
	char buf[CLIENT_ASKPASS_MAX + 1];
	size_t len = 0;
	ssize_t r;
	int st = 0, ret = 0;

	*out = NULL;
	if (pipe(pfd) != 0) {
		return SESH_ERR_SYSTEM;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return SESH_ERR_SYSTEM;
	}
	if (pid == 0) {
		close(pfd[0]);
		if (dup2(pfd[1], STDOUT_FILENO) < 0) {
			_exit(1);
		}
		execlp(prog, prog, prompt, (char *)NULL);
		_exit(1);
	}
	close(pfd[1]);
	for (;;) {
		r = read(pfd[0], buf + len, CLIENT_ASKPASS_MAX - len);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		len += (size_t)r;
		if (len == CLIENT_ASKPASS_MAX) {
			break;
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		ret = SESH_ERR_SYSTEM;
	} else if ((*out = mem_strdup(buf)) == NULL) {
		ret = SESH_ERR_NOMEM;
	}
	mem_wipe(buf, sizeof(buf));
	return ret;
}

static int
read_password(struct client *cl, char **out)
{
	const char *ap = getenv("SSH_ASKPASS");
	const char *req = getenv("SSH_ASKPASS_REQUIRE");
	char *prompt = NULL;
	int ret;

	*out = NULL;
	if (asprintf(&prompt, "%s@%s's password: ", cl->o->user, cl->o->host) <
	    0) {
		return SESH_ERR_NOMEM;
	}
	if (ap != NULL && *ap != '\0' && req != NULL &&
	    strcmp(req, "force") == 0) {
		ret = askpass(ap, prompt, out);
	} else if (cl->o->batch) {
		ret = SESH_ERR_NOT_FOUND;
	} else {
		ret = tty_read_passphrase(prompt, out);
	}
	free(prompt);
	return ret;
}

static bool
method_allowed(const struct client *cl, const char *m)
{
	if (cl->methods == NULL) {
		return true;
	}
	return namelist_has((const uint8_t *)cl->methods, strlen(cl->methods),
	                    m);
}

/* Sends the next authentication attempt; false when none is left. */
static bool
auth_next(struct client *cl)
{
	struct conn *c = cl->c;
	struct ua_client *ua = conn_userauth_client(c);
	const char *ssa;
	char *pw = NULL;
	int ret;

	if (!cl->sent_none) {
		cl->sent_none = true;
		if (ua_client_try_none(ua, conn_ua_buf(c)) == 0 &&
		    conn_flush(c) == 0) {
			return true;
		}
		return false;
	}
	while (method_allowed(cl, "publickey") && cl->next_id < cl->nids) {
		const char *path = cl->ids[cl->next_id++];

		key_free(cl->key);
		cl->key = NULL;
		if (load_key(cl, path, &cl->key) != 0) {
			continue;
		}
		ssa = transport_server_sig_algs(conn_transport(c));
		if (ua_pick_sig_alg(cl->key, (const uint8_t *)ssa,
		                    ssa != NULL ? strlen(ssa) : 0,
		                    &cl->alg) != 0) {
			continue;
		}
		log_debug("Offering public key: %s", path);
		if (ua_client_try_publickey_query(ua, cl->key, cl->alg,
		                                  conn_ua_buf(c)) == 0 &&
		    conn_flush(c) == 0) {
			return true;
		}
	}
	while (method_allowed(cl, "password") &&
	       cl->pw_tries < CLIENT_PASSWORD_TRIES) {
		if (cl->pw_tries > 0 && !cl->o->batch) {
			fprintf(stderr, "Permission denied, please try "
			                "again.\n");
		}
		cl->pw_tries++;
		if (read_password(cl, &pw) != 0) {
			break;
		}
		ret = ua_client_try_password(ua, pw, conn_ua_buf(c));
		mem_free_string_secret(pw);
		if (ret == 0 && conn_flush(c) == 0) {
			return true;
		}
		break;
	}
	fprintf(stderr, "%s@%s: Permission denied (%s).\n", cl->o->user,
	        cl->o->host, cl->methods != NULL ? cl->methods : "");
	return false;
}

static bool
auth_sign(struct client *cl)
{
	struct conn *c = cl->c;
	struct buf data, sig;
	bool ok = false;

	buf_init(&data, 0);
	buf_init(&sig, 0);
	if (ua_client_signed_data(conn_userauth_client(c), &data) == 0 &&
	    key_sign(cl->key, cl->alg, buf_data(&data), buf_len(&data), &sig) ==
	        0 &&
	    ua_client_send_publickey_signed(conn_userauth_client(c),
	                                    buf_data(&sig), buf_len(&sig),
	                                    conn_ua_buf(c)) == 0 &&
	    conn_flush(c) == 0) {
		ok = true;
	}
	buf_clear(&data);
	buf_clear(&sig);
	return ok;
}

/* false: give up (message printed). */
static bool
on_userauth(struct client *cl, const struct ua_client_event *ue)
{
	struct conn *c = cl->c;

	switch (ue->type) {
	case UA_CEV_SERVICE_ACCEPT:
		return auth_next(cl);
	case UA_CEV_BANNER:
		if (ue->text != NULL) {
			fputs(ue->text, stderr);
		}
		return true;
	case UA_CEV_FAILURE:
		free(cl->methods);
		cl->methods =
		    mem_strdup(ue->methods != NULL ? ue->methods : "");
		if (cl->methods == NULL) {
			return false;
		}
		return auth_next(cl);
	case UA_CEV_PK_OK:
		return auth_sign(cl);
	case UA_CEV_SUCCESS:
		log_debug("Authenticated to %s", cl->o->host);
		key_free(cl->key);
		cl->key = NULL;
		if (chan_open_session(conn_channels(c), conn_chan_buf(c),
		                      &cl->chan) != 0 ||
		    conn_flush(c) != 0) {
			return false;
		}
		return true;
	default:
		fprintf(stderr, "sesh: unsupported authentication request\n");
		return false;
	}
}

/* ---- session ---- */

static int
stdin_push(struct client *cl)
{
	struct conn *c = cl->c;
	size_t sent = 0;
	int ret;

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
		if (cl->stdin_eof && cl->chan_open) {
			return chan_send_eof(conn_channels(c), cl->chan,
			                     conn_chan_buf(c));
		}
	}
	return 0;
}

static bool
on_channel(struct client *cl, const struct chan_event *ce)
{
	struct conn *c = cl->c;
	struct chan_req req;
	char *s = NULL;

	switch (ce->type) {
	case CHAN_EV_OPEN_CONFIRMED:
		cl->chan_open = true;
		memset(&req, 0, sizeof(req));
		req.type = CHAN_REQ_EXEC;
		req.want_reply = true;
		req.arg = chan_str_c(cl->o->command);
		return chan_request(conn_channels(c), cl->chan, &req,
		                    conn_chan_buf(c)) == 0;
	case CHAN_EV_OPEN_FAILED:
		if (ua_sanitize(ce->text.p, ce->text.n, &s) == 0) {
			fprintf(stderr, "sesh: channel %u: open failed: %s\n",
			        ce->id, s);
			free(s);
		}
		return false;
	case CHAN_EV_REQUEST_REPLY:
		if (ce->req_type == CHAN_REQ_EXEC) {
			if (!ce->ok) {
				fprintf(stderr,
				        "sesh: exec request failed on "
				        "channel %u\n",
				        ce->id);
			} else {
				cl->exec_ok = true;
				cl->stdin_live = true;
			}
		}
		return true;
	case CHAN_EV_DATA:
		if (write_all(ce->ext_type == 0 ? STDOUT_FILENO : STDERR_FILENO,
		              ce->data.p, ce->data.n) != 0) {
			/* the reader is gone: drop, as ssh does */
		}
		return chan_consumed(conn_channels(c), ce->id, ce->data.n,
		                     conn_chan_buf(c)) == 0;
	case CHAN_EV_WINDOW:
		return stdin_push(cl) == 0;
	case CHAN_EV_EOF:
		return true;
	case CHAN_EV_REQUEST:
		if (ce->req.type == CHAN_REQ_EXIT_STATUS) {
			cl->have_status = true;
			cl->status = (int)(ce->req.exit_status & 0xff);
		} else if (ce->req.type == CHAN_REQ_EXIT_SIGNAL) {
			cl->have_signal = true;
			if (ua_sanitize(ce->req.arg.p, ce->req.arg.n, &s) ==
			    0) {
				fprintf(stderr,
				        "sesh: remote command killed by "
				        "signal %s\n",
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
	default:
		return true;
	}
}

/* Drains engine events; false ends the session (status left as is). */
static bool
drain(struct client *cl)
{
	struct conn_event ev;

	for (;;) {
		if (conn_next_event(cl->c, &ev) != 0) {
			return false;
		}
		switch (ev.type) {
		case CONN_EV_NONE:
			return true;
		case CONN_EV_HOSTKEY_VERIFY:
			if (!check_hostkey(cl, &ev.tev)) {
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
			break;
		case CONN_EV_UA_CLIENT:
			if (!on_userauth(cl, ev.uac)) {
				(void)conn_disconnect(
				    cl->c, SSH_DISCONNECT_BY_APPLICATION,
				    "no more authentication methods");
				return false;
			}
			break;
		case CONN_EV_CHANNEL:
			if (!on_channel(cl, &ev.chan)) {
				(void)conn_disconnect(
				    cl->c, SSH_DISCONNECT_BY_APPLICATION,
				    "channel failure");
				return false;
			}
			break;
		case CONN_EV_DISCONNECTED:
			if (!cl->done) {
				fprintf(stderr,
				        "sesh: Disconnected from %s port "
				        "%u: %s\n",
				        cl->o->host, cl->port,
				        ev.tev.text != NULL ? ev.tev.text : "");
				return false;
			}
			break;
		default:
			break;
		}
	}
}

/* Writes what the engine has queued; false on a socket error. */
static bool
flush_out(struct client *cl, bool block)
{
	const uint8_t *p;
	size_t n;
	ssize_t w;
	struct pollfd pf;

	for (;;) {
		conn_output_peek(cl->c, &p, &n);
		if (n == 0) {
			return true;
		}
		w = write(cl->fd, p, n);
		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN && block) {
				pf.fd = cl->fd;
				pf.events = POLLOUT;
				(void)poll(&pf, 1, -1);
				continue;
			}
			return errno == EAGAIN;
		}
		conn_output_consume(cl->c, (size_t)w);
	}
}

static void
read_stdin(struct client *cl)
{
	size_t room = chan_send_room(conn_channels(cl->c), cl->chan);
	ssize_t r;

	if (room > sizeof(cl->in_buf)) {
		room = sizeof(cl->in_buf);
	}
	r = read(STDIN_FILENO, cl->in_buf, room);
	if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	if (r <= 0) {
		cl->stdin_eof = true;
	} else {
		cl->in_len = (size_t)r;
		cl->in_off = 0;
	}
	(void)stdin_push(cl);
}

static int
session_loop(struct client *cl)
{
	struct pollfd pf[2];
	uint8_t rbuf[CLIENT_IO_CHUNK];
	const uint8_t *p;
	size_t n;
	ssize_t r;
	nfds_t nfd;

	for (;;) {
		if (!drain(cl)) {
			(void)flush_out(cl, true);
			return CLIENT_EXIT_FAILURE;
		}
		if (!flush_out(cl, false)) {
			fprintf(stderr, "sesh: write failed: %s\n",
			        strerror(errno));
			return CLIENT_EXIT_FAILURE;
		}
		conn_output_peek(cl->c, &p, &n);
		if (cl->done && n == 0) {
			break;
		}
		pf[0].fd = cl->fd;
		pf[0].events = POLLIN | (n > 0 ? POLLOUT : 0);
		pf[0].revents = 0;
		nfd = 1;
		if (cl->stdin_live && !cl->stdin_eof && cl->in_len == 0 &&
		    chan_send_room(conn_channels(cl->c), cl->chan) > 0) {
			pf[1].fd = STDIN_FILENO;
			pf[1].events = POLLIN;
			pf[1].revents = 0;
			nfd = 2;
		}
		if (poll(pf, nfd, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return CLIENT_EXIT_FAILURE;
		}
		if (nfd == 2 && pf[1].revents != 0) {
			read_stdin(cl);
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read(cl->fd, rbuf, sizeof(rbuf));
			if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
				continue;
			}
			if (r <= 0) {
				if (cl->done) {
					break;
				}
				fprintf(stderr,
				        "Connection closed by %s port %u\n",
				        cl->o->host, cl->port);
				return CLIENT_EXIT_FAILURE;
			}
			if (conn_input(cl->c, rbuf, (size_t)r, 0) != 0) {
				/* the DISCONNECTED event reports it */
				continue;
			}
		}
	}
	if (cl->have_status) {
		return cl->status;
	}
	return CLIENT_EXIT_FAILURE;
}

static int
setup_ids(struct client *cl)
{
	static const char *const words[] = {"ed25519", "ecdsa", "rsa"};
	size_t i;

	if (cl->o->identities != NULL) {
		for (i = 0; cl->o->identities[i] != NULL &&
		            cl->nids < CLIENT_MAX_IDS;
		     i++) {
			if (paths_expand_tilde(cl->o->identities[i],
			                       &cl->ids[cl->nids]) != 0) {
				return SESH_ERR_NOMEM;
			}
			cl->nids++;
		}
		return 0;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (paths_default_identity(words[i], &cl->ids[cl->nids]) == 0) {
			cl->nids++;
		}
	}
	return 0;
}

int
client_run(const struct client_opts *o)
{
	struct client cl;
	struct conn_config cfg;
	int status = CLIENT_EXIT_FAILURE, ret;
	size_t i;

	memset(&cl, 0, sizeof(cl));
	cl.o = o;
	cl.fd = -1;
	cl.port = o->port != 0 ? o->port : 22;
	(void)signal(SIGPIPE, SIG_IGN);
	if (o->user_known_hosts != NULL && o->user_known_hosts[0] != NULL) {
		ret = paths_expand_tilde(o->user_known_hosts[0], &cl.kh_path);
	} else {
		ret = paths_known_hosts(&cl.kh_path);
	}
	if (ret != 0 || setup_ids(&cl) != 0) {
		fprintf(stderr, "sesh: cannot find the home directory: %s\n",
		        sesh_err_str(ret));
		goto out;
	}
	if (client_connect(&cl) != 0) {
		goto out;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.transport.rand = client_rand;
	cfg.user = o->user;
	if ((ret = conn_new(TRANSPORT_CLIENT, &cfg, &cl.c)) != 0) {
		fprintf(stderr, "sesh: %s\n", sesh_err_str(ret));
		goto out;
	}
	status = session_loop(&cl);
out:
	conn_free(cl.c);
	if (cl.fd >= 0) {
		close(cl.fd);
	}
	key_free(cl.key);
	for (i = 0; i < cl.nids; i++) {
		free(cl.ids[i]);
	}
	free(cl.methods);
	free(cl.kh_path);
	return status;
}
