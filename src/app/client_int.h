/*
 * client_int.h - what the client driver's files share (client.c: run and
 * poll loop; client_hostkey.c: known_hosts; client_net.c: connecting;
 * client_auth.c: authentication; client_session.c: channels, the
 * session and the escape character). Not for use outside
 * src/app/client*.c.
 */
#ifndef SESH_APP_CLIENT_INT_H
#define SESH_APP_CLIENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "app/agent_client.h"
#include "app/client.h"
#include "app/client_sig.h"
#include "app/escape.h"
#include "app/hostkeys_update.h"
#include "app/sockin.h"
#include "ssh/conn.h"

#define CLIENT_IO_CHUNK (128u * 1024u)
/*
 * Plain stdin: at most this much per turn of the loop (reads straight
 * into the outgoing CHANNEL_DATA messages, repeated while poll says
 * more is there, up to CLIENT_IN_READS), all sent in one flush. One pipe's
 * worth: measured against 128 and 256 KiB on 2 cores, bigger batches cost
 * throughput (the server waits longer for each) and a little CPU (cache).
 */
#define CLIENT_IN_MAX   (64u * 1024u)
#define CLIENT_IN_READS 8u

/* A public key we may offer: from the agent or an identity file. */
struct client_cand {
	struct sshkey *pub;  /* owned */
	struct sshkey *priv; /* owned: decrypted before the query, or NULL */
	char *path;          /* identity file, owned; NULL: agent only */
	bool agent;          /* sign through the agent */
};

struct client_auth {
	char *pref;    /* PreferredAuthentications, filtered, owned */
	size_t pos;    /* offset of the current method in pref */
	char *cur;     /* current method name, owned */
	char *methods; /* the server's last list, owned */
	bool sent_none;
	bool cur_started;
	struct agent_conn *agent;
	struct client_cand *cands;
	size_t ncands, next_cand;
	bool cands_ready;
	struct client_cand *trying;
	const char *alg;
	unsigned int pw_tries, kbd_tries;
};

/* CHANNEL_DATA views gathered before one write of the session's output
 * (one socket read of 256 KiB holds at most 8 full packets) */
#define CLIENT_PEND_MAX 16u

struct client {
	const struct client_opts *o;
	const char *host; /* for messages and known_hosts */
	unsigned int port;
	struct conn *c;
	int fd;          /* the transport (socket or socketpair end) */
	size_t out_done; /* engine output written, not yet consumed */
	pid_t proxy_pid; /* ProxyCommand child, or 0 */
	bool via_proxy;
	bool quickack; /* re-arm TCP_QUICKACK after reads (login phase) */
	struct sockin sin; /* bulk reads of fd (app/sockin.h) */
	char *ip;      /* the peer's address as text, NULL via proxy */
	/* known_hosts files, expanded (NULL-terminated lists) */
	char **ukh;
	char **gkh;
	struct client_auth au;
	/* session */
	bool want_session; /* a session channel (not -N, -W) */
	bool want_tty;     /* pty requested */
	bool tty_raw;      /* local terminal is raw */
	uint32_t chan;
	bool chan_opened, chan_open, stdin_live, stdin_eof;
	uint8_t *in_buf; /* CLIENT_IO_CHUNK * 2 + 1: input after the
	                    escape filter, or plain input when the
	                    messages could not be laid out */
	size_t in_len, in_off;
	struct escape esc;
	bool have_status, have_signal, closed, done, authenticated;
	int status;
	bool quit_escape; /* ~. */
	/* The session's output not yet written: CHANNEL_DATA views into
	 * the packet decoder's buffer (valid until more input is fed:
	 * conn.h), all for out_fd of channel out_chan; written together by
	 * client_session_flush_out(). */
	struct iovec out_pend[CLIENT_PEND_MAX];
	unsigned out_npend;
	int out_fd;
	uint32_t out_chan;
	size_t out_bytes;
	/* keepalive */
	unsigned int alive_missed;
	uint64_t last_input_ms;
	uint64_t alive_sent_ms;
	uint64_t handshake_deadline; /* ConnectTimeout until the first
	                                KEX_DONE; 0: none */
	/* UpdateHostKeys (client_hkupdate.c) */
	struct sshkey *hk_key;      /* host key verified by the first user
	                               file (updates allowed), or NULL */
	struct hkupd_plan *hk_plan; /* waiting for the server's proofs */
	bool hk_seen;               /* hostkeys-00 handled (once) */
	unsigned int greq_out;      /* our global requests not answered */
	unsigned int hk_prove_at;   /* the prove's place among them; 0 */
};

/* client.c */
uint64_t client_now_ms(void);
int client_write_all(int fd, const uint8_t *p, size_t n);
/* The same for n buffers (changes iov); blocks on EAGAIN until all is
 * written. 0 or SESH_ERR_SYSTEM. */
int client_writev_all(int fd, struct iovec *iov, unsigned n);
/* Prints to stderr unless quiet: with "\r\n" line ends when raw. */
void client_msg(const struct client *cl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* client_hostkey.c: the name and port known_hosts uses for this
 * connection (HostKeyAlias, port 22, or the host and port). */
void client_known_name(const struct client *cl, const char **host,
                       unsigned int *port);
/* client_hostkey.c: the server's host key is acceptable (messages
 * printed; the key may have been added to the user file). */
bool client_hostkey_check(struct client *cl, const struct transport_event *tev);

/* client_hkupdate.c: UpdateHostKeys. */
/* The host key was verified by (or added to) the first user file:
 * updates may follow (unless UpdateHostKeys is no). */
void client_hkupdate_allow(struct client *cl, const struct sshkey *hostkey);
/* hostkeys-00@openssh.com (a GLOBAL_REQUEST event); always true. */
bool client_hkupdate_notify(struct client *cl, const struct chan_event *ce);
/* We sent a global request with want_reply (keepalive). */
void client_hkupdate_sent_request(struct client *cl);
/* A GLOBAL_REPLY: true if it answered the prove request (handled). */
bool client_hkupdate_reply(struct client *cl, const struct chan_event *ce);
void client_hkupdate_clear(struct client *cl);

/* client_net.c: sets cl->fd (and proxy_pid); messages printed. */
int client_net_connect(struct client *cl);
/*
 * After a read from the transport during the login: asks the kernel to
 * ACK at once (TCP_QUICKACK), until the session is set up; see
 * client_net.c. Cheap no-op once cl->quickack is false.
 */
void client_net_quickack(struct client *cl);
/* Reaps the proxy command, if any. */
void client_net_close(struct client *cl);

/* client_auth.c */
/* false: give up (message printed). */
bool client_auth_event(struct client *cl, const struct ua_client_event *ue);
void client_auth_clear(struct client_auth *au);
/*
 * Reads a secret (or an echoed answer) for prompt: from SSH_ASKPASS as
 * ssh(1) decides with SSH_ASKPASS_REQUIRE and DISPLAY, else /dev/tty.
 * Never prompts in batch mode (SESH_ERR_NOT_FOUND).
 */
int client_read_secret(const struct client *cl, const char *prompt, bool echo,
                       char **out);

/* client_session.c */
/* After authentication: opens what the options ask for. */
bool client_session_start(struct client *cl);
/* A channel event; false ends the connection (message printed). */
bool client_session_event(struct client *cl, const struct chan_event *ce);
/* Writes the gathered session output (one writev) and returns its
 * window; false if the engine failed. Runs before more input is fed
 * and before any other event is handled. */
bool client_session_flush_out(struct client *cl);
/* Local input is readable: read it and send what the window allows. */
void client_session_read_stdin(struct client *cl);
/* Should stdin be polled? */
bool client_session_wants_stdin(const struct client *cl);
/* SIGWINCH seen: send a window-change. */
void client_session_winch(struct client *cl);

#endif
