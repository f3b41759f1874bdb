/*
 * server_int.h - private to src/app/server*.c: the state of one seshd
 * connection shared by the loop (server.c), the authentication driver
 * (server_auth.c), the session channels (server_session.c) and the
 * post-authentication split (server_privsep.c).
 */
#ifndef SESH_APP_SERVER_INT_H
#define SESH_APP_SERVER_INT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "app/server.h"
#include "app/session.h"
#include "app/sockin.h"
#include "app/srvauth.h"
#include "ssh/conn.h"

/* one read from the socket or a child (server.iobuf) */
#define SRV_IO_CHUNK (256u * 1024u)
/* CHANNEL_DATA views gathered per session before one writev (one socket
 * read of SRV_IO_CHUNK holds at most 8 full 32 KiB packets) */
#define SRV_PEND_MAX       16u
#define SRV_POLL_FOREVER   (-1)            /* poll(2) timeout: no timer due */
#define SRV_QUICKACK_READS 32u             /* reads that re-arm TCP_QUICKACK */
#define SRV_MAX_BACKLOG    (1024u * 1024u) /* unread output: stop reading */
/* payloads the engine holds while a key exchange runs: at
 * SRV_MAX_BACKLOG sessions are not read, at SRV_MAX_HELD the socket
 * neither (a peer that stalls a rekey cannot make us queue more) */
#define SRV_MAX_HELD  (4u * SRV_MAX_BACKLOG)
#define SRV_MAX_ENV   64u  /* env requests kept per session */
#define SRV_MAX_MODES 128u /* pty modes kept */

/* Bytes waiting to be written to a child (the client's data). */
struct srv_queue {
	uint8_t *p;
	size_t off, len, cap;
};

/* One "session" channel. */
struct srv_sess {
	bool used;
	uint32_t id;  /* local channel id */
	bool started; /* shell/exec/subsystem ran */
	bool has_pty;
	struct session_pty pty;
	char *term;
	uint32_t cols, rows, xpix, ypix;
	char *env[SRV_MAX_ENV + 1]; /* accepted "N=V" from env requests */
	size_t nenv;
	struct session_proc proc; /* pid 0 until started */
	struct srv_queue inq;     /* client data for the child's stdin */
	/* CHANNEL_DATA not yet written to the child's stdin, as views into
	 * the packet decoder's buffer (valid until more input is fed:
	 * conn.h); written together by server_sess_flush_stdin() */
	struct iovec pend[SRV_PEND_MAX];
	unsigned npend;
	bool client_eof;       /* the client sent EOF */
	bool out_eof, err_eof; /* child's stdout / stderr ended */
	bool exited;           /* reaped */
	int wstatus;
	bool finished;  /* exit sent, EOF and CLOSE sent */
	bool utmp_done; /* a login record was written */
	uint8_t *pre;   /* motd/lastlog text to send first */
	size_t pre_len, pre_off;
};

struct server {
	const struct server_ctx *ctx;
	struct servconf *conf;    /* effective (Match applied when known) */
	struct servconf own_conf; /* servconf_match's copy, when made */
	bool own_conf_set;
	struct conn *c;
	int rfd, wfd;
	unsigned quickack_left; /* socket reads that still re-arm
	                           TCP_QUICKACK (server.c) */
	struct sockin sin; /* bulk reads of rfd (app/sockin.h) */
	uint64_t start_ms;
	uint64_t last_input_ms;
	uint64_t alive_sent_ms; /* last keepalive sent */
	int alive_missed;
	enum server_end end;
	bool done;        /* leave the loop once output is flushed */
	bool stdin_pend;  /* some session has gathered views (npend > 0) */
	bool peer_closed; /* EOF on the socket */
	/* authentication */
	bool user_set;
	struct srv_user user;
	bool user_ok; /* valid and allowed by the account checks */
	bool banner_sent;
	bool authenticated;
	struct srvauth_methods *methods;
	struct srvauth_kbdint *kbdint;
	struct srv_keyopts keyopts; /* from the publickey that succeeded */
	bool have_keyopts;
	char *auth_method;        /* the last accepted method, for logs */
	unsigned failed_attempts; /* "Failed ..." lines logged */
	struct srvauth_used_keys used_keys; /* partial successes */
	/* host keys after a handover: the engine holds public copies
	 * (pubkeys, owned) and asks for signatures by event; signkeys are
	 * the private ones (the listener's, not owned), dropped by the
	 * user's process, which asks its privileged parent instead */
	struct sshkey **pubkeys;
	size_t npubkeys;
	struct sshkey *const *signkeys;
	size_t nsignkeys;
	int notify_fd; /* ctx->auth_notify_fd until used, else -1 */
	/* the sandboxed pre-authentication child: its socket to the
	 * monitor (-1 elsewhere) and the Banner text read before the
	 * sandbox closed the files */
	int mon_fd;
	char *preauth_banner;
	int handover_fd; /* the same socket when the listener can take the
	                    connection after authentication (ctx->handover),
	                    else -1 */
	/* after authentication */
	struct srvauth_pam_session *pam;
	int priv_fd;  /* socketpair to the privileged parent, -1 */
	bool is_root; /* running as root (before the split) */
	struct srv_sess *sess[CHAN_MAX_CHANNELS]; /* by channel id */
	unsigned nsess;
	int sigchld_fd; /* read end of the SIGCHLD self-pipe */
	bool split;     /* the post-auth split was done */
	bool pam_owner; /* not split (root): this process closes PAM */
	/* SRV_IO_CHUNK bytes for socket and child reads (not nested): on
	 * the heap, so the engine's calls below them do not run 64 KiB
	 * deeper in the stack, whose pages an idle session would keep */
	uint8_t *iobuf;
	pid_t orphans[16]; /* children of closed sessions, to reap */
	bool chld;         /* SIGCHLD seen since the last reap */
};

uint64_t server_now_ms(void);

/* server_auth.c */
int server_auth_event(struct server *s, const struct ua_server_event *ev);
void server_auth_clear(struct server *s);
/* "authenticating user alice" / "invalid user bob" / "" for logs */
const char *server_auth_who(const struct server *s);

/* server_session.c */
int server_chan_event(struct server *s, const struct chan_event *ev);
/* Adds session fds to pfd (up to max); returns how many. */
size_t server_sess_pollfds(struct server *s, struct pollfd *pfd, size_t max);
/* server_spawn.c: runs the session's command (cmd NULL: the login
 * shell; what names it in logs). False (logged) if it cannot start. */
bool server_sess_start(struct server *s, struct srv_sess *ss, const char *cmd,
                       const char *what);
/* Handles poll results for the fds server_sess_pollfds gave. */
int server_sess_io(struct server *s, struct pollfd *pfd, size_t n);
/* Reaps children and finishes sessions that are done. */
int server_sess_reap(struct server *s);
void server_sess_clear_all(struct server *s);
/* Writes the CHANNEL_DATA views every session gathered since the last
 * call (one writev per session); what the child's stdin does not take
 * is copied to its queue. Must run before more input is fed to the
 * engine (the views die then) and before any other event of a session
 * is handled (order). Returns 0 or SESH_ERR_NOMEM/SESH_ERR_LIMIT (the
 * queue could not take the rest). */
int server_sess_flush_stdin(struct server *s);

/* server_auth.c: applies the Match blocks for s->user (s->conf then
 * points at s->own_conf) */
void server_auth_apply_match(struct server *s);

/* The Banner file's text (NULL: none or unreadable, logged). */
char *server_auth_read_banner(const char *path);

/* server.c: a no-op in seshd; seshd-testhooks replaces it */
void server_test_hook_sandboxed(void);

/* server_preauth.c: the sandboxed child's side (s->mon_fd) */
int server_preauth_event(struct server *s, const struct ua_server_event *ev);
int server_preauth_sign(struct server *s, const struct transport_event *tev,
                        struct buf *sig);
void server_preauth_log_to_monitor(struct server *s);

/* server_handover.c (see there for the exchange) */
/* Authenticated, handover_fd set and the engine quiescent (output
 * written, no key exchange running). */
bool server_handover_possible(const struct server *s);
/* Sends the connection (socket, engine state, who and how) to the
 * process the listener forks for it. 0: this process is done with it. */
int server_handover_send(struct server *s);
struct handover_info;
/* The same for a message already made (the monitor's, from the child's
 * state): sock goes along as SCM_RIGHTS. SESH_ERR_UNSUPPORTED: the
 * listener did not take it and nothing was sent (e.g. a SIGHUP reload
 * closed the socket): the caller may carry the connection on. */
int server_handover_deliver(int fd, int sock, const struct handover_info *hi);
/* In that process, over fd: the client socket (*sock) and the handover
 * message (*msg, *len: malloc'd, holds keys: mem_free_secret). */
int server_handover_recv(int fd, int *sock, uint8_t **msg, size_t *len);

/* server_privsep.c */
/*
 * After authentication: PAM session, fork; the parent (root) serves
 * utmp requests and closes the PAM session when the child ends, then
 * returns *is_parent true with *end the child's result; the child
 * drops to the user and returns *is_parent false. A root login does
 * not fork: PAM session only, *is_parent false, and this process closes
 * the session itself (server_privsep_end). Not root: nothing at all.
 */
int server_privsep_split(struct server *s, bool *is_parent, int *end);
/* Closes the PAM session when this process owns it (a root login). */
void server_privsep_end(struct server *s);
int server_privsep_utmp_login(struct server *s, const char *tty, pid_t pid);
int server_privsep_utmp_logout(struct server *s, const char *tty, pid_t pid);
/* A rekey's HOSTKEY_SIGN (after a handover): signs with s->signkeys,
 * or, in the user's process, asks the privileged parent. The signature
 * blob is appended to sig. */
int server_privsep_sign(struct server *s, const struct transport_event *tev,
                        struct buf *sig);
/* The child tells the parent its result before it ends. */
void server_privsep_report_end(struct server *s, int end);

#endif
