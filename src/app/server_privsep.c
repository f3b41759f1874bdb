/*
 * server_privsep.c - the post-authentication split of a seshd
 * connection started as root: the PAM session is opened (UsePAM), then
 * the process forks. The child drops to the user (initgroups, setgid,
 * setuid, checked: it must not be able to get root back) and carries
 * the connection on with the same keys (no new KEX). The parent stays
 * root and small: it answers the child's utmp/lastlog requests over a
 * SOCK_SEQPACKET socketpair, and when the child ends it writes logout
 * records for ptys still logged in, closes the PAM session and returns
 * the child's result.
 *
 * A root login has nothing to drop: no fork then. The one process opens
 * the PAM session, writes utmp/wtmp/lastlog itself and, at the end,
 * closes the PAM session (server_privsep_end) after its sessions'
 * logout records (server_sess_clear_all). This saves a whole process
 * per connection (OpenSSH's sshd does the same for root).
 *
 * Requests (child -> parent), one packet each, answered by one byte
 * (0 ok, 1 failed):
 *	struct priv_msg { type 'L' login | 'O' logout; pid; tty }
 *	type 'E' end: code is the child's enum server_end (no answer)
 * and host key signatures (the child holds no private host key after a
 * handover; app/privsep_req.h has the codec):
 *	byte 'S', string host key blob, string alg, string H (20..64)
 *	  a rekey's exchange hash (the engine signs by event)
 *	byte 'P', string host key blob, string alg
 *	  a hostkeys-prove-00@openssh.com proof: the parent signs string
 *	  "hostkeys-prove-00@openssh.com", string session id, string blob
 *	  with the session id of its own copy of the connection
 *	  -> byte 0, string signature blob | byte 1 (refused)
 * The parent signs only with a key it holds, only hashes of the sizes
 * exchange hashes have, and proofs it builds itself: the child can
 * never get data of its choosing signed (as OpenSSH's monitor after
 * auth). Processes that hold their keys (a root login, non-root seshd,
 * -d/-i before the split) sign the same data themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/privsep_req.h"
#include "app/server_hostkeys.h"
#include "app/server_int.h"
#include "app/server_trim.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"

#define PRIV_MAX_TTYS 64u
#define PRIV_MAX_MSG  PRIVSEP_MAX_MSG /* a sign request or its answer */

static struct srvauth_pam_session *child_pam_copy;

struct priv_msg {
	char type;
	int32_t pid;
	int32_t code;
	char tty[64];
};

static int
send_req(struct server *s, const struct priv_msg *m, bool answer)
{
	char ok = 1;
	ssize_t r;

	do {
		r = send(s->priv_fd, m, sizeof(*m), MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(*m)) {
		return SESH_ERR_SYSTEM;
	}
	if (!answer) {
		return 0;
	}
	do {
		r = recv(s->priv_fd, &ok, 1, 0);
	} while (r < 0 && errno == EINTR);
	return r == 1 && ok == 0 ? 0 : SESH_ERR_SYSTEM;
}

/* "/dev/pts/<digits>": the only names the child may ask about. */
static bool
pts_name(const char *tty)
{
	const char *p = tty + 9;

	if (strncmp(tty, "/dev/pts/", 9) != 0 || *p == '\0') {
		return false;
	}
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return false;
		}
	}
	return true;
}

/* utmp, wtmp and lastlog by this process (root, not split). */
static int
direct_login(struct server *s, const char *tty, pid_t pid)
{
	char *last = NULL;
	int ret;

	if (!pts_name(tty)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	ret = session_utmp_login(tty, s->user.name, s->ctx->raddr, pid);
	if (ret == 0) {
		(void)session_lastlog(s->user.uid, tty, s->ctx->raddr, true,
		                      &last);
		free(last);
	}
	return ret;
}

static int
utmp_req(struct server *s, char type, const char *tty, pid_t pid)
{
	struct priv_msg m;

	if (tty == NULL || tty[0] == '\0') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (s->priv_fd < 0) {
		if (!s->is_root) {
			return SESH_ERR_SYSTEM; /* no utmp without root */
		}
		return type == 'L' ? direct_login(s, tty, pid)
		                   : session_utmp_logout(tty, pid);
	}
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.pid = (int32_t)pid;
	(void)snprintf(m.tty, sizeof(m.tty), "%s", tty);
	return send_req(s, &m, true);
}

int
server_privsep_utmp_login(struct server *s, const char *tty, pid_t pid)
{
	return utmp_req(s, 'L', tty, pid);
}

int
server_privsep_utmp_logout(struct server *s, const char *tty, pid_t pid)
{
	return utmp_req(s, 'O', tty, pid);
}

/* Tells the parent how the connection ended (child side). */
void
server_privsep_report_end(struct server *s, int end)
{
	struct priv_msg m;

	if (s->priv_fd < 0) {
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = 'E';
	m.code = end;
	(void)send_req(s, &m, false);
}

/*
 * The private host keys this process holds: s->signkeys after a
 * handover or carry-on (the user's process dropped them), else, when
 * the engine was given the private keys themselves (no handover:
 * non-root seshd, -d, -i), those.
 */
static void
held_keys(const struct server *s, struct sshkey *const **keys, size_t *n)
{
	if (s->nsignkeys > 0) {
		*keys = s->signkeys;
		*n = s->nsignkeys;
	} else if (s->pubkeys == NULL && s->mon_fd < 0) {
		*keys = (struct sshkey *const *)s->ctx->hostkeys;
		*n = s->ctx->nhostkeys;
	} else {
		*keys = NULL;
		*n = 0;
	}
}

/* The private key this process holds whose public part is blob. */
static const struct sshkey *
sign_key(const struct server *s, const uint8_t *blob, size_t n)
{
	struct sshkey *const *keys;
	struct buf b;
	size_t i, nkeys;
	const struct sshkey *found = NULL;

	held_keys(s, &keys, &nkeys);
	buf_init(&b, 0);
	for (i = 0; i < nkeys && found == NULL; i++) {
		buf_reset(&b);
		if (keys[i] != NULL && key_has_private(keys[i]) &&
		    key_to_blob(keys[i], &b) == 0 && buf_len(&b) == n &&
		    memcmp(buf_data(&b), blob, n) == 0) {
			found = keys[i];
		}
	}
	buf_clear(&b);
	return found;
}

static int
sign_with(const struct server *s, const uint8_t *blob, size_t bn,
          const char *alg, const uint8_t *h, size_t hn, struct buf *sig)
{
	const struct sshkey *k;

	if (hn < 20 || hn > 64) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((k = sign_key(s, blob, bn)) == NULL) {
		return SESH_ERR_NOT_FOUND;
	}
	return key_sign(k, alg, h, hn, sig);
}

/* A hostkeys-prove signature over this process's own session id. */
static int
prove_with(const struct server *s, const uint8_t *blob, size_t bn,
           const char *alg, struct buf *sig)
{
	const struct sshkey *k;
	const uint8_t *sid = NULL;
	size_t sn = 0;
	struct buf data;
	int ret;

	if (s->c == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	transport_session_id(conn_transport(s->c), &sid, &sn);
	if ((k = sign_key(s, blob, bn)) == NULL) {
		return SESH_ERR_NOT_FOUND;
	}
	buf_init(&data, PRIV_MAX_MSG);
	if ((ret = privsep_prove_data(sid, sn, blob, bn, &data)) == 0) {
		ret = key_sign(k, alg, buf_data(&data), buf_len(&data), sig);
	}
	buf_clear(&data);
	return ret;
}

/* Sends req to the privileged parent; its signature goes to sig. */
static int
ask_parent(struct server *s, const struct privsep_req *req, struct buf *sig)
{
	struct buf out;
	struct privsep_view v;
	uint8_t *ans = NULL;
	ssize_t got;
	bool ok;
	int ret;

	buf_init(&out, PRIV_MAX_MSG);
	if ((ret = privsep_req_build(req, &out)) != 0) {
		goto out;
	}
	ret = SESH_ERR_SYSTEM;
	if ((ans = malloc(PRIV_MAX_MSG)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	do {
		got = send(s->priv_fd, buf_data(&out), buf_len(&out),
		           MSG_NOSIGNAL);
	} while (got < 0 && errno == EINTR);
	if (got != (ssize_t)buf_len(&out)) {
		goto out;
	}
	do {
		got = recv(s->priv_fd, ans, PRIV_MAX_MSG, 0);
	} while (got < 0 && errno == EINTR);
	if (got < 1 || privsep_answer_parse(ans, (size_t)got, &ok, &v) != 0) {
		goto out; /* the parent is gone, or garbled */
	}
	ret = ok ? buf_put(sig, v.p, v.n) : SESH_ERR_NOT_FOUND; /* refused */
out:
	free(ans);
	buf_clear(&out);
	return ret;
}

int
server_privsep_sign(struct server *s, const struct transport_event *tev,
                    struct buf *sig)
{
	struct privsep_req req;
	struct buf blob;
	int ret;

	buf_init(&blob, 0);
	if ((ret = key_to_blob(tev->hostkey, &blob)) != 0) {
		buf_clear(&blob);
		return ret;
	}
	if (s->priv_fd < 0) {
		ret = sign_with(s, buf_data(&blob), buf_len(&blob),
		                tev->sig_alg, tev->hash, tev->hash_len, sig);
		buf_clear(&blob);
		return ret;
	}
	memset(&req, 0, sizeof(req));
	req.type = PRIVSEP_REQ_SIGN;
	req.blob.p = buf_data(&blob);
	req.blob.n = buf_len(&blob);
	(void)snprintf(req.alg, sizeof(req.alg), "%s",
	               tev->sig_alg != NULL ? tev->sig_alg : "");
	req.hash.p = tev->hash;
	req.hash.n = tev->hash_len;
	ret = ask_parent(s, &req, sig);
	buf_clear(&blob);
	return ret;
}

int
server_privsep_prove(struct server *s, const uint8_t *blob, size_t n,
                     const char *alg, struct buf *sig)
{
	struct privsep_req req;

	if (blob == NULL || n == 0 || alg == NULL ||
	    strlen(alg) > SESH_MAX_NAME) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (s->priv_fd < 0) {
		return prove_with(s, blob, n, alg, sig);
	}
	memset(&req, 0, sizeof(req));
	req.type = PRIVSEP_REQ_PROVE;
	req.blob.p = blob;
	req.blob.n = n;
	(void)snprintf(req.alg, sizeof(req.alg), "%s", alg);
	return ask_parent(s, &req, sig);
}

/* The parent's answer to a child's 'S' or 'P' request p[0..n). */
static void
parent_sign(struct server *s, int fd, const uint8_t *p, size_t n)
{
	struct privsep_req req;
	struct buf ans, sig;
	uint8_t no = 1;
	int ret;

	buf_init(&ans, PRIV_MAX_MSG);
	buf_init(&sig, PRIV_MAX_MSG);
	if ((ret = privsep_req_parse(p, n, &req)) == 0) {
		ret =
		    req.type == PRIVSEP_REQ_SIGN
		        ? sign_with(s, req.blob.p, req.blob.n, req.alg,
		                    req.hash.p, req.hash.n, &sig)
		        : prove_with(s, req.blob.p, req.blob.n, req.alg, &sig);
	}
	if (ret == 0 && (ret = buf_put_u8(&ans, 0)) == 0) {
		ret = buf_put_string(&ans, buf_data(&sig), buf_len(&sig));
	}
	if (ret == 0) {
		if (req.type == PRIVSEP_REQ_PROVE) {
			log_debug("signed a host key proof (%s) for user %s's "
			          "process",
			          req.alg, s->user.name);
		}
		while (send(fd, buf_data(&ans), buf_len(&ans), MSG_NOSIGNAL) <
		           0 &&
		       errno == EINTR) {
		}
	} else {
		log_error("refused a host key signature request from user "
		          "%s's process: %s",
		          s->user.name, sesh_err_str(ret));
		while (send(fd, &no, 1, MSG_NOSIGNAL) < 0 && errno == EINTR) {
		}
	}
	buf_clear(&ans);
	buf_clear(&sig);
}

/* ---- the parent ---- */

struct logged {
	char tty[64];
	pid_t pid;
};

static void
parent_serve(struct server *s, int fd, pid_t child, int *end)
{
	struct logged tt[PRIV_MAX_TTYS];
	size_t ntt = 0, i;
	struct priv_msg m;
	uint8_t *in;
	char *last;
	char ok;
	ssize_t r;
	int st;

	*end = SERVER_END_ERROR; /* unless the child says how it ended */
	if ((in = malloc(PRIV_MAX_MSG)) == NULL) {
		return;
	}
	for (;;) {
		r = recv(fd, in, PRIV_MAX_MSG, 0);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r > 0 &&
		    (in[0] == PRIVSEP_REQ_SIGN || in[0] == PRIVSEP_REQ_PROVE)) {
			parent_sign(s, fd, in, (size_t)r);
			continue;
		}
		if (r != (ssize_t)sizeof(m)) {
			break; /* the child is gone */
		}
		memcpy(&m, in, sizeof(m));
		m.tty[sizeof(m.tty) - 1] = '\0';
		ok = 1;
		if (m.type == 'E') {
			*end = m.code >= SERVER_END_OK &&
			               m.code <= SERVER_END_ERROR
			           ? m.code
			           : SERVER_END_ERROR;
			continue;
		}
		/* only Unix98 ptys are ever named here */
		if (pts_name(m.tty)) {
			if (m.type == 'L' && ntt < PRIV_MAX_TTYS &&
			    session_utmp_login(m.tty, s->user.name,
			                       s->ctx->raddr,
			                       (pid_t)m.pid) == 0) {
				last = NULL;
				(void)session_lastlog(s->user.uid, m.tty,
				                      s->ctx->raddr, true,
				                      &last);
				free(last);
				memcpy(tt[ntt].tty, m.tty, sizeof(m.tty));
				tt[ntt].pid = (pid_t)m.pid;
				ntt++;
				ok = 0;
			} else if (m.type == 'O') {
				for (i = 0; i < ntt; i++) {
					if (tt[i].pid == (pid_t)m.pid &&
					    strcmp(tt[i].tty, m.tty) == 0) {
						break;
					}
				}
				if (i < ntt && session_utmp_logout(
				                   m.tty, (pid_t)m.pid) == 0) {
					tt[i] = tt[--ntt];
					ok = 0;
				}
			}
		}
		while (send(fd, &ok, 1, MSG_NOSIGNAL) < 0 && errno == EINTR) {
		}
	}
	free(in);
	for (i = 0; i < ntt; i++) {
		(void)session_utmp_logout(tt[i].tty, tt[i].pid);
	}
	while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
	}
	srvauth_pam_close_session(s->pam);
	s->pam = NULL;
}

/* The parent lets go of the connection: same fd numbers, no socket. */
static void
parent_drop_socket(struct server *s)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (nul < 0) {
		return;
	}
	(void)dup2(nul, s->rfd);
	if (s->wfd != s->rfd) {
		(void)dup2(nul, s->wfd);
	}
	close(nul);
}

static int
drop_privileges(const struct srv_user *u)
{
	if (initgroups(u->name, u->gid) != 0 || setgid(u->gid) != 0 ||
	    setuid(u->uid) != 0) {
		return SESH_ERR_SYSTEM;
	}
	if (getuid() != u->uid || geteuid() != u->uid || getgid() != u->gid ||
	    getegid() != u->gid) {
		return SESH_ERR_SYSTEM;
	}
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

void
server_privsep_end(struct server *s)
{
	if (s->pam_owner) {
		srvauth_pam_close_session(s->pam);
		s->pam = NULL;
		s->pam_owner = false;
	}
}

int
server_privsep_split(struct server *s, bool *is_parent, int *end)
{
	int sv[2] = {-1, -1};
	pid_t pid;
	int ret;

	*is_parent = false;
	*end = SERVER_END_OK;
	if (!s->is_root) {
		return 0; /* already the user: nothing to split */
	}
	if (s->conf->use_pam > 0) {
		ret = srvauth_pam_open_session(s->conf, &s->user, s->ctx->raddr,
		                               NULL, &s->pam);
		if (ret != 0) {
			log_error("PAM session for %s failed: %s", s->user.name,
			          sesh_err_str(ret));
			return ret;
		}
	}
	if (s->user.uid == 0) {
		/* root stays root: one process, which owns the PAM session */
		s->pam_owner = true;
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		log_error("socketpair: %s", strerror(errno));
		ret = SESH_ERR_SYSTEM;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		ret = SESH_ERR_SYSTEM;
		goto fail;
	}
	if (pid == 0) {
		close(sv[0]);
		s->priv_fd = sv[1];
		/* the parent closes the PAM session; the child only reads
		 * its environment and must never close it: its copy stays
		 * reachable until exit */
		child_pam_copy = s->pam;
		if ((ret = drop_privileges(&s->user)) != 0) {
			log_error("cannot drop privileges to %s: %s",
			          s->user.name, strerror(errno));
			return ret;
		}
		s->is_root = s->user.uid == 0;
		/* the parent signs for us from now on: the private host
		 * keys (the listener's copies) are wiped here */
		for (size_t i = 0; i < s->nsignkeys; i++) {
			key_free(s->signkeys[i]);
			/* no dangling copy for whoever owns the array (-d,
			 * -i: main frees it at exit) */
			((struct sshkey **)s->signkeys)[i] = NULL;
		}
		s->nsignkeys = 0;
		return 0;
	}
	close(sv[1]);
	parent_drop_socket(s);
	server_trim_memory();
	parent_serve(s, sv[0], pid, end);
	close(sv[0]);
	*is_parent = true;
	return 0;
fail:
	srvauth_pam_close_session(s->pam);
	s->pam = NULL;
	return ret;
}
