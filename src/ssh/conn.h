/*
 * conn.h - one SSH connection, client or server role, sans-I/O: the thin
 * object that joins the transport (transport.h), user authentication
 * (userauth.h) and the connection protocol (channel.h). The modules do
 * the protocol work; conn routes payloads between them, sends what they
 * produce and re-exports their events as one stream.
 *
 * Driving it:
 *	conn_new()                 transport created, identification and
 *	                           KEXINIT queued
 *	loop:
 *	  conn_input(bytes)         what the peer sent (any chunking)
 *	  conn_next_event()         until CONN_EV_NONE; answer each event
 *	                            with the module calls (below)
 *	  conn_output_peek()/_consume()  write what is queued
 *
 * Answering. The application calls the modules' own functions on the
 * objects conn_transport(), conn_userauth_client()/_server() and
 * conn_channels() give, writing to conn_ua_buf() (userauth calls) or
 * conn_chan_buf() (channel calls), then calls conn_flush(), which sends
 * what they wrote. Userauth calls reset their buffer, so conn_flush()
 * must follow each of them (it is done before the next userauth call
 * can run only if the application calls it). Channel calls append
 * records; conn_next_event() also flushes first. Transport answers
 * (transport_hostkey_accept) need no flush. A userauth server event
 * (DECIDE state) must be answered before conn_next_event() is called
 * again: userauth refuses input until then and the connection would be
 * closed.
 *
 * Routing of PAYLOAD events (message number = first byte):
 *	7 (EXT_INFO)        dropped: the transport already keeps
 *	                    server-sig-algs (transport_server_sig_algs).
 *	before authentication succeeded (ua_*_done() false):
 *	  5, 6, 50-79       userauth (ua_client_input / ua_server_input)
 *	  >= 80             SESH_ERR_PROTOCOL (RFC 4252 §6): disconnect
 *	after it:
 *	  80-127            chan_input(); a number it does not know
 *	                    (SESH_ERR_UNSUPPORTED) is answered with
 *	                    SSH_MSG_UNIMPLEMENTED (RFC 4253 §11.4,
 *	                    transport_send_unimplemented) and the
 *	                    connection goes on.
 *	  >= 128            answered with SSH_MSG_UNIMPLEMENTED too
 *	  50-79             ignored (RFC 4252 §5.1: late USERAUTH_REQUESTs)
 *	  5, 6              SESH_ERR_PROTOCOL: disconnect
 * (Unknown transport-layer numbers are answered by the transport itself;
 * during a strict first key exchange anything unexpected is fatal
 * there, before conn sees it.) A received UNIMPLEMENTED is ignored.
 * A fatal error from a module input call disconnects with
 * sesh_err_disconnect_reason(err) and the error's text; conn_error()
 * returns it and the DISCONNECTED event carries it in err.
 *
 * Userauth objects are created at the first KEX_DONE, over the session
 * id. The client then sends SERVICE_REQUEST("ssh-userauth") at once
 * (ua_client_start) before passing KEX_DONE on; SERVICE_ACCEPT arrives
 * as a CONN_EV_UA_CLIENT event (UA_CEV_SERVICE_ACCEPT): pick a method.
 * The channel set exists from conn_new() (empty); conn routes to it only
 * after authentication.
 *
 * Event lifetimes: views in a conn_event (transport views, userauth
 * event, channel event views) are valid until the next conn_* call on
 * the connection or the next call on the module that made them. One
 * exception, which lets a driver gather several packets' data into one
 * write: a CHANNEL_DATA event's data view points into the packet
 * decoder's buffer, where packets are decrypted in place and which
 * moves only when bytes are fed, so it stays valid until the next
 * conn_input(), conn_input_space() or conn_free() (tests/unit/test_conn.c
 * checks it).
 *
 * Errors: SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM, SESH_ERR_PROTOCOL
 * and the modules' codes, as stated per function.
 */
#ifndef SESH_SSH_CONN_H
#define SESH_SSH_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ssh/channel.h"
#include "ssh/transport.h"
#include "ssh/userauth.h"

#define CONN_DEFAULT_METHODS "publickey,password"

struct conn_config {
	/* transport settings (copied by transport_new; host keys must
	 * outlive the connection) */
	struct transport_config transport;
	/* client: the user name (required, copied) */
	const char *user;
	/* server: methods FAILURE offers (NULL: CONN_DEFAULT_METHODS),
	 * copied; max_tries 0 = UA_DEFAULT_MAX_TRIES */
	const char *methods;
	unsigned max_tries;
};

enum conn_event_type {
	CONN_EV_NONE = 0,
	CONN_EV_HOSTKEY_VERIFY, /* client: tev; transport_hostkey_accept() */
	CONN_EV_HOSTKEY_SIGN,   /* server, sign_by_event: tev (hostkey,
	                           sig_alg, hash); answer with
	                           transport_hostkey_signature() */
	CONN_EV_KEX_DONE,       /* tev.first_kex */
	CONN_EV_UA_CLIENT,      /* uac: a userauth client event */
	CONN_EV_UA_SERVER,      /* uas: a userauth server event: answer it */
	CONN_EV_CHANNEL,        /* chan: a channel event */
	CONN_EV_DISCONNECTED,   /* tev (reason, text, by_peer); err */
};

struct conn_event {
	enum conn_event_type type;
	struct transport_event tev;        /* HOSTKEY_VERIFY, HOSTKEY_SIGN,
	                                      KEX_DONE, DISCONNECTED */
	const struct ua_client_event *uac; /* UA_CLIENT */
	const struct ua_server_event *uas; /* UA_SERVER */
	struct chan_event chan;            /* CHANNEL */
	int err; /* DISCONNECTED: conn's or the transport's sticky error */
};

struct conn;

/*
 * Creates a connection: the transport (transport_new) and an empty
 * channel set. *out owned by the caller (conn_free). Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (a client without user, an over-long user),
 * SESH_ERR_NOMEM or transport_new's errors; *out NULL on error.
 */
int conn_new(enum transport_role role, const struct conn_config *cfg,
             struct conn **out);
/* Frees the connection and its modules, wiping secrets; NULL-safe. */
void conn_free(struct conn *c);

/*
 * Buffers bytes from the peer (transport_input), after giving the
 * transport the time now (milliseconds, monotonic: transport_tick).
 * Returns 0, SESH_ERR_LIMIT (drain events first) or the transport's
 * sticky error.
 */
int conn_input(struct conn *c, const uint8_t *p, size_t n, uint64_t now);
/*
 * conn_input without a copy (transport_input_space): *p, when not NULL,
 * is room for at least n bytes (*room of them) to read the peer's bytes
 * into, then taken by conn_input_commit(c, k, now); with *p NULL use
 * conn_input. No other call on c in between.
 */
int conn_input_space(struct conn *c, size_t n, uint8_t **p, size_t *room);
int conn_input_commit(struct conn *c, size_t k, uint64_t now);

/*
 * The time has come (now, ms): flushes pending module output and runs
 * the transport's timers (transport_tick: the rekey_seconds limit). Call
 * it when conn_next_deadline() passed, then write the output. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT or the sticky error.
 */
int conn_tick(struct conn *c, uint64_t now);

/*
 * When conn_tick() must run next: true with *when (ms, the clock of now)
 * if a timer runs, false if none (a poll loop may then wait for input
 * only).
 */
bool conn_next_deadline(const struct conn *c, uint64_t *when);

/*
 * Flushes pending module output, then decodes and routes payloads until
 * an event for the application (or CONN_EV_NONE). Returns 0 (fatal
 * protocol errors become a DISCONNECTED event) or
 * SESH_ERR_INVALID_ARGUMENT.
 */
int conn_next_event(struct conn *c, struct conn_event *ev);

/* Bytes to write (transport_output_peek); call conn_flush() first if
 * module calls were made since the last conn_next_event(). */
void conn_output_peek(const struct conn *c, const uint8_t **p, size_t *n);
void conn_output_consume(struct conn *c, size_t n);

/*
 * Sends what module calls wrote: conn_ua_buf() as one payload,
 * conn_chan_buf() as its records; both are emptied. Once the transport
 * is closed the output is dropped. Returns 0, or the transport_send
 * error, which also disconnects (the error sticks).
 */
int conn_flush(struct conn *c);

/* Flushes pending module output (conn_flush), then queues DISCONNECT
 * (transport_disconnect). Returns 0 or SESH_ERR_PROTOCOL (already
 * closed). */
int conn_disconnect(struct conn *c, uint32_t reason, const char *text);

/* The module objects, owned by c. The userauth ones are NULL before the
 * first KEX_DONE and for the other role. */
struct transport *conn_transport(struct conn *c);
struct ua_client *conn_userauth_client(struct conn *c);
struct ua_server *conn_userauth_server(struct conn *c);
struct chan_set *conn_channels(struct conn *c);
/* Output buffers for the module calls (see conn_flush). */
struct buf *conn_ua_buf(struct conn *c);
struct buf *conn_chan_buf(struct conn *c);

/* True once user authentication succeeded (ua_*_done). */
bool conn_authenticated(const struct conn *c);
/* conn's sticky error (a routed payload's fatal error), else the
 * transport's; 0 if none. */
int conn_error(const struct conn *c);
bool conn_closed(const struct conn *c);

/*
 * Bytes of service payloads the transport holds back while a key
 * exchange runs (its KEX queue, transport_held_bytes: 4 bytes of
 * framing counted per payload); 0 outside one. The server uses it to
 * stop producing channel data while a rekey stalls.
 */
size_t conn_held_bytes(const struct conn *c);

/*
 * State transfer: moving an authenticated server connection to another
 * process without a new key exchange.
 *
 * True when conn_export() would succeed now.
 */
bool conn_can_export(const struct conn *c);
/*
 * Serializes the whole state of a quiescent, authenticated SERVER
 * connection, appended to out. Quiescent: authenticated, transport open
 * (no key exchange in progress in either direction, no HOSTKEY_SIGN
 * pending, no undelivered KEX_DONE, not closed, no sticky error), all
 * output consumed (conn_output_peek gives 0 bytes) and the module
 * buffers (conn_ua_buf, conn_chan_buf) empty, no channel in the channel
 * set and no channel event pending. Bytes received but not yet decoded
 * (e.g. a CHANNEL_OPEN the client pipelined) are carried, together with
 * the packet decoder's partial state; the channel set's no-more-sessions
 * flag, window/max packet for new channels and count of global requests
 * awaiting replies are carried too.
 *
 * The bytes hold key material (both directions' keys): make out a
 * secret buffer first (buf_set_secret, base/buf.h) so that buf_clear
 * wipes it, and wipe any copy (mem_wipe, base/mem.h). On error nothing
 * is appended. Returns 0, SESH_ERR_INVALID_ARGUMENT (not quiescent,
 * client role), SESH_ERR_NOMEM or SESH_ERR_LIMIT (out's cap).
 */
int conn_export(const struct conn *c, struct buf *out);
/*
 * Rebuilds a server connection from conn_export()'s bytes p[0..n), with
 * cfg giving the settings (algorithm lists, host keys -- public parts are
 * enough if cfg sets sign_by_event --, rekey limits, rand function,
 * methods, max_tries) exactly as conn_new(TRANSPORT_SERVER) would take
 * them. The new connection continues as the old one would have: same
 * keys, sequence numbers, counters for rekey by volume, session id,
 * strict-KEX flag, our and the peer's version strings (ours from the
 * blob, not cfg), authentication done with the same user and service,
 * the buffered input; clock values (transport_tick) are carried as they
 * were. A later rekey (either side) works. Nothing is queued for output.
 * The bytes are parsed with every length bounded; malformed, truncated
 * or trailing input is an error. *out NULL on error, nothing leaked.
 * Returns 0, SESH_ERR_INVALID_ARGUMENT (a bad cfg), SESH_ERR_INVALID_FORMAT,
 * the reader's errors (SESH_ERR_TRUNCATED, SESH_ERR_TRAILING_DATA,
 * SESH_ERR_LIMIT, ...), SESH_ERR_CIPHER_UNKNOWN, SESH_ERR_UNSUPPORTED,
 * SESH_ERR_CRYPTO or SESH_ERR_NOMEM.
 */
int conn_import(const struct conn_config *cfg, const uint8_t *p, size_t n,
                struct conn **out);

#endif
