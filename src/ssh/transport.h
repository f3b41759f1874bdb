/*
 * transport.h - the SSH transport layer (RFC 4253) of one connection,
 * client or server role, sans-I/O: identification exchange, KEXINIT
 * negotiation, key exchange (kex.h), NEWKEYS and key installation,
 * strict KEX, ext-info (RFC 8308), IGNORE/DEBUG/UNIMPLEMENTED,
 * DISCONNECT, and rekeying by volume, by time (transport_tick) or on
 * demand; host key signatures inline or by event. It owns a pkt_in /
 * pkt_out pair and never reads a socket, a clock or the global RNG.
 *
 * Driving it:
 *	transport_new()            queues our identification and KEXINIT
 *	loop:
 *	  transport_input(bytes)    buffers what the peer sent
 *	  transport_next_event()    until TRANSPORT_EV_NONE: decodes packets
 *	                            and acts on them (answers, KEX steps)
 *	  transport_output_peek()/_consume()  write what is queued
 * Packets are decoded lazily, one per transport_next_event() call that
 * needs one, so a PAYLOAD event's view stays valid until the next call of
 * any transport_* function on t. The application must drain events
 * before feeding more than SESH_MAX_WRITER bytes.
 *
 * States (one key exchange at a time):
 *	IDENT     waiting for the peer's identification line. The client
 *	          skips up to SESH_MAX_BANNER_LINES lines of at most
 *	          SESH_MAX_BANNER_LINE bytes before "SSH-"; the server wants
 *	          "SSH-" on the first line. "SSH-2.0-" and "SSH-1.99-" are
 *	          accepted; at most 255 bytes with CR LF; LF alone is
 *	          tolerated (as OpenSSH does).
 *	KEX       from sending or receiving a KEXINIT until both NEWKEYS:
 *	          KEXINIT exchange -> (client) send INIT, await REPLY, verify
 *	          -> [first KEX only: HOSTKEY_VERIFY event, await
 *	          transport_hostkey_accept()] -> send NEWKEYS; (server) await
 *	          INIT -> [sign by event: HOSTKEY_SIGN event, await
 *	          transport_hostkey_signature()] -> send REPLY and
 *	          NEWKEYS. Each side installs its
 *	          sending keys when it sends NEWKEYS and its receiving keys
 *	          when it receives one. A wrong first_kex_packet_follows
 *	          guess makes the next packet ignored. Service payloads
 *	          given to transport_send() after our KEXINIT are queued and
 *	          flushed after our NEWKEYS. Only transport messages (1-4,
 *	          20-49) are accepted from the peer between its KEXINIT and
 *	          its NEWKEYS.
 *	OPEN      after KEX_DONE: service payloads flow. A peer KEXINIT
 *	          starts a rekey (we answer with ours); so do
 *	          transport_rekey(), the volume limits and the time limit
 *	          (rekey_seconds, checked by transport_tick()).
 *	CLOSED    after a DISCONNECT sent or received, or the first fatal
 *	          error (which sticks, and queues a DISCONNECT with its
 *	          reason: this must still be flushed). Input is discarded.
 *
 * Strict KEX (kex-strict-c/s-v00@openssh.com, both in the first
 * KEXINITs): the peer's first packet must be KEXINIT, any other message
 * than the expected KEX ones during the first exchange is fatal
 * (IGNORE, DEBUG included; DISCONNECT is still honoured), and both
 * sequence numbers reset to 0 after every NEWKEYS.
 *
 * ext-info: the client adds ext-info-c to its first KEXINIT; a server
 * that sees it sends EXT_INFO with server-sig-algs right after its
 * first NEWKEYS. The client parses every EXT_INFO (at most
 * TRANSPORT_MAX_EXTENSIONS, names up to SESH_MAX_NAME and values up to
 * SESH_MAX_NAMELIST bytes), keeps server-sig-algs
 * (transport_server_sig_algs) and passes the EXT_INFO on as a PAYLOAD.
 *
 * Rekeying after a host key change: on rekeys the client requires the
 * same host key as in the first exchange (no new HOSTKEY_VERIFY).
 *
 * Host key signing: by default the server signs the exchange hash
 * itself with the private host keys of the config. With sign_by_event
 * (or when the chosen host key has no private part) the config may hold
 * public keys only: at each exchange the server then emits
 * TRANSPORT_EV_HOSTKEY_SIGN carrying the host key (public), the
 * signature algorithm and the exchange hash H; the application gets H
 * signed (by a privileged monitor) and answers with
 * transport_hostkey_signature(). The signature is checked against the
 * key before the REPLY goes out; a wrong or missing one ends the
 * connection (KEY_EXCHANGE_FAILED). No packet is decoded while the
 * question is pending.
 *
 * Time: the engine reads no clock. transport_tick(now) gives it the time
 * (milliseconds, any monotonic origin, never decreasing); with
 * rekey_seconds set a rekey starts once that long passed since the last
 * exchange ended (the first tick after an exchange starts the count if
 * none came during it). transport_next_deadline() says when to call
 * transport_tick() next.
 *
 * UNIMPLEMENTED (RFC 4253 §11.4): the transport answers unknown
 * transport-layer messages itself (after the first exchange; during it
 * they are fatal). For service messages it delivers but the layer above
 * does not know, that layer calls transport_send_unimplemented(), which
 * names the last packet delivered. A received UNIMPLEMENTED is ignored.
 *
 * Error codes (returned, and the sticky error): SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_NOMEM, SESH_ERR_LIMIT, SESH_ERR_PROTOCOL, SESH_ERR_CRYPTO,
 * SESH_ERR_MAC_INVALID, SESH_ERR_UNSUPPORTED, wire errors from the
 * parsers and the KEX errors of kex.h.
 */
#ifndef SESH_SSH_TRANSPORT_H
#define SESH_SSH_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "key/key.h"
#include "ssh/env.h"
#include "ssh/kexinit.h"

struct buf;
struct rd;

/* identification line, CR LF included */
#define TRANSPORT_MAX_IDENT             255u
#define TRANSPORT_MAX_EXTENSIONS        32u   /* EXT_INFO entries accepted */
#define TRANSPORT_MAX_DISC_TEXT         1024u /* DISCONNECT description kept */
#define TRANSPORT_DEFAULT_REKEY         (1ull << 30) /* bytes per direction */
#define TRANSPORT_DEFAULT_REKEY_PACKETS (1ull << 31)

#define TRANSPORT_DEFAULT_VERSION "SSH-2.0-sesh_0.1"
#define TRANSPORT_DEFAULT_KEX                                                  \
	"mlkem768x25519-sha256,sntrup761x25519-sha512,"                        \
	"sntrup761x25519-sha512@openssh.com,"                                  \
	"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"   \
	"ecdh-sha2-nistp384,ecdh-sha2-nistp521,"                               \
	"diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"         \
	"diffie-hellman-group14-sha256"
#define TRANSPORT_DEFAULT_HOSTKEY                                              \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"                 \
	"ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"
#define TRANSPORT_DEFAULT_CIPHERS                                              \
	"chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,"                \
	"aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr"
#define TRANSPORT_DEFAULT_MACS                                                 \
	"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"         \
	"hmac-sha2-256,hmac-sha2-512"
#define TRANSPORT_SERVER_SIG_ALGS                                              \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"                 \
	"ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"

enum transport_role {
	TRANSPORT_CLIENT,
	TRANSPORT_SERVER,
};

/*
 * Everything is copied by transport_new() except the host keys, which
 * must outlive the transport. NULL strings take the defaults above.
 */
struct transport_config {
	const char *kex; /* KEX methods, without pseudo-algorithms */
	const char
	    *hostkey; /* host key algorithms (server: filtered by keys) */
	const char *ciphers; /* both directions */
	const char *macs;    /* both directions */
	const char *version; /* our identification, without CR LF */
	bool no_strict_kex;  /* do not offer kex-strict-* (tests, interop) */
	bool no_ext_info;    /* client: do not offer ext-info-c */
	/* server: host keys with private parts (not owned) */
	const struct sshkey *const *hostkeys;
	size_t n_hostkeys;
	uint64_t rekey_bytes;   /* per direction; 0 = TRANSPORT_DEFAULT_REKEY */
	uint64_t rekey_packets; /* 0 = TRANSPORT_DEFAULT_REKEY_PACKETS */
	uint32_t rekey_seconds; /* time limit (transport_tick); 0 = none */
	bool sign_by_event;     /* server: HOSTKEY_SIGN events, keys may be
	                           public only */
	ssh_rand_fn rand;       /* required */
	void *rand_ctx;
};

enum transport_event_type {
	TRANSPORT_EV_NONE = 0,       /* nothing until more input or an answer */
	TRANSPORT_EV_HOSTKEY_VERIFY, /* client, first KEX: answer it */
	TRANSPORT_EV_KEX_DONE,       /* keys in use both ways */
	TRANSPORT_EV_PAYLOAD,        /* a service-layer payload */
	TRANSPORT_EV_DISCONNECTED,   /* the connection is over */
	TRANSPORT_EV_HOSTKEY_SIGN,   /* server, sign_by_event: answer it */
};

/* Views in an event live until the next transport_* call on t. */
struct transport_event {
	enum transport_event_type type;
	/* HOSTKEY_VERIFY, HOSTKEY_SIGN */
	const struct sshkey *hostkey; /* the server's key (public) */
	const char *fingerprint;      /* HOSTKEY_VERIFY: "SHA256:..." of it */
	/* HOSTKEY_SIGN: sign hash[0..hash_len) with hostkey using sig_alg
	 * (e.g. "rsa-sha2-512"); the answer is an SSH signature blob */
	const char *sig_alg;
	const uint8_t *hash;
	size_t hash_len;
	/* KEX_DONE */
	bool first_kex;
	/* PAYLOAD: message number byte first (5, 6, 7 or >= 50) */
	const uint8_t *payload;
	size_t len;
	/* DISCONNECTED */
	uint32_t reason;  /* RFC 4250 §4.2.2 code */
	const char *text; /* description (sanitised), never NULL */
	bool by_peer;     /* received from the peer rather than sent */
	int err;          /* our sticky error, 0 if none */
};

struct transport;

/*
 * Creates a transport and queues our identification line and first
 * KEXINIT. *out owned by the caller (transport_free). Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (no rand, a bad version string, a server
 * without usable host keys, an invalid name-list), SESH_ERR_NOMEM or the
 * rand function's error; *out is NULL on error.
 */
int transport_new(enum transport_role role, const struct transport_config *cfg,
                  struct transport **out);
/* Wipes keys and buffers and frees; NULL-safe. */
void transport_free(struct transport *t);

/*
 * Buffers bytes received from the peer (any chunking), handling the
 * identification exchange. Returns 0 (also once closed: input is then
 * discarded), SESH_ERR_LIMIT (too much buffered: drain events first), or
 * the sticky fatal error (then a DISCONNECTED event is pending).
 */
int transport_input(struct transport *t, const uint8_t *p, size_t n);
/*
 * Receiving without a copy, once the identification exchange is over:
 * *p (NULL before that, or once closed: use transport_input) points at
 * room for at least n bytes (*room, optional, tells how many) in the
 * packet decoder, valid until the next call on t; the bytes written
 * there are taken by transport_input_commit(t, k). Errors as
 * transport_input's.
 */
int transport_input_space(struct transport *t, size_t n, uint8_t **p,
                          size_t *room);
int transport_input_commit(struct transport *t, size_t k);

/*
 * The next event, or TRANSPORT_EV_NONE. Decodes and handles packets as
 * needed. Fatal errors become a DISCONNECTED event (once). Returns 0 or
 * SESH_ERR_INVALID_ARGUMENT.
 */
int transport_next_event(struct transport *t, struct transport_event *ev);

/* Bytes to write: a view valid until the next call on t (*n may be 0). */
void transport_output_peek(const struct transport *t, const uint8_t **p,
                           size_t *n);
/* Drops the first n written bytes (n <= what peek gave). */
void transport_output_consume(struct transport *t, size_t n);

/*
 * The answer to HOSTKEY_VERIFY. Accepting continues the exchange;
 * refusing disconnects with HOST_KEY_NOT_VERIFIABLE. Returns 0 or
 * SESH_ERR_INVALID_ARGUMENT (no question pending).
 */
int transport_hostkey_accept(struct transport *t, bool accept);

/*
 * The answer to HOSTKEY_SIGN: sig[0..n) is the SSH signature blob
 * (string alg, string signature) of the event's hash by its host key.
 * It is checked; if good the REPLY and NEWKEYS are sent and the
 * exchange goes on. A refused signature ends the connection with
 * KEY_EXCHANGE_FAILED and its error is returned (SESH_ERR_BAD_SIGNATURE,
 * SESH_ERR_SIG_ALG_MISMATCH, a wire error of the blob); sig NULL (the
 * application cannot sign) ends it the same way but returns 0. A
 * DISCONNECTED event follows either. Returns 0, those errors, or
 * SESH_ERR_INVALID_ARGUMENT (no question pending).
 */
int transport_hostkey_signature(struct transport *t, const uint8_t *sig,
                                size_t n);

/*
 * Sends SSH_MSG_UNIMPLEMENTED (RFC 4253 §11.4) naming the sequence
 * number of the last packet delivered as a PAYLOAD event (the layer
 * above did not know its message number). Allowed during a key
 * exchange. Returns 0, SESH_ERR_INVALID_ARGUMENT (no payload delivered
 * yet), SESH_ERR_PROTOCOL (closed) or a fatal sealing error.
 */
int transport_send_unimplemented(struct transport *t);

/*
 * Gives the transport the time (ms, monotonic; an earlier value than
 * the last is taken as no time passed) and starts a time-based rekey if
 * due. Returns 0, SESH_ERR_INVALID_ARGUMENT or the sticky fatal error.
 */
int transport_tick(struct transport *t, uint64_t now);

/*
 * When transport_tick() must be called next: true with *when (ms, same
 * clock as now) if a timer runs, false if none (no rekey_seconds, no
 * exchange finished yet, one running, or closed).
 */
bool transport_next_deadline(const struct transport *t, uint64_t *when);

/*
 * Queues a service-layer payload (message byte first; numbers 5, 6, 7 or
 * >= 50). Sent at once when keys are in use, otherwise kept until our
 * NEWKEYS. May start a rekey when a volume limit is reached. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (empty, a transport message number),
 * SESH_ERR_PROTOCOL (closed), SESH_ERR_LIMIT (too large, or too much
 * queued), SESH_ERR_NOMEM, or a fatal sealing error.
 */
int transport_send(struct transport *t, const uint8_t *payload, size_t n);

/*
 * Sends SSH_MSG_IGNORE carrying data at once, also during a key exchange
 * (it is a transport message; strict KEX peers refuse it during the
 * first one). Returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_PROTOCOL
 * (closed), SESH_ERR_LIMIT or a fatal sealing error.
 */
int transport_send_ignore(struct transport *t, const uint8_t *data, size_t n);

/*
 * Parses an EXT_INFO payload (RFC 8308 §2.3). *server_sig_algs gets a
 * heap copy (free()) of the server-sig-algs value, a validated
 * name-list, or NULL if absent; the last one wins if repeated. Returns
 * 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_PROTOCOL (not EXT_INFO),
 * SESH_ERR_TRUNCATED, SESH_ERR_LIMIT (more than TRANSPORT_MAX_EXTENSIONS,
 * a name or value too long), SESH_ERR_INVALID_FORMAT,
 * SESH_ERR_TRAILING_DATA or SESH_ERR_NOMEM; *server_sig_algs is NULL on
 * error.
 */
int transport_ext_info_parse(const uint8_t *p, size_t n,
                             char **server_sig_algs);

/* Starts a key re-exchange unless one is running. Returns 0,
 * SESH_ERR_PROTOCOL (closed, or before the first KEX ended) or a fatal
 * error. */
int transport_rekey(struct transport *t);

/*
 * Queues a DISCONNECT (reason, text) and closes; later input is
 * discarded, a DISCONNECTED event (by_peer false) follows. Returns 0 or
 * SESH_ERR_PROTOCOL (already closed).
 */
int transport_disconnect(struct transport *t, uint32_t reason,
                         const char *text);

/* The sticky error (0 if none). */
int transport_error(const struct transport *t);
/* True once a DISCONNECT was sent or received, or a fatal error hit. */
bool transport_closed(const struct transport *t);
/* The session id (H of the first exchange); *n 0 before it. */
void transport_session_id(const struct transport *t, const uint8_t **p,
                          size_t *n);
/* The peer's identification (without CR LF), NULL before it arrived. */
const char *transport_peer_version(const struct transport *t);
/* Client: server-sig-algs from EXT_INFO, NULL if none was received. */
const char *transport_server_sig_algs(const struct transport *t);
/* Algorithms of the last completed (or running) negotiation. */
const struct kex_choice *transport_choice(const struct transport *t);
/* Number of completed key exchanges. */
unsigned int transport_kex_count(const struct transport *t);
/* How many UNIMPLEMENTED the peer sent; *last_seqnr (if non-NULL) gets
 * the sequence number the last one named (0 if none). */
unsigned int transport_unimplemented_received(const struct transport *t,
                                              uint32_t *last_seqnr);
/* Sequence numbers of the next packet we seal (*send) and of the next
 * one we open (*recv); either pointer may be NULL. */
void transport_seqnrs(const struct transport *t, uint32_t *send,
                      uint32_t *recv);

/*
 * Bytes the transport holds back while a key exchange runs: service
 * payloads given to transport_send() after our KEXINIT, waiting for our
 * NEWKEYS (each counted with 4 bytes of framing). 0 outside a key
 * exchange.
 */
size_t transport_held_bytes(const struct transport *t);

/*
 * State transfer (transport_state.c), server role only. A transport can
 * be exported when it is quiescent: the first exchange done, no key
 * exchange running in either direction (no KEXINIT sent or received
 * since the last one ended, no HOSTKEY_SIGN pending, no KEX_DONE event
 * undelivered), not closed, no output left (transport_output_peek gives
 * 0 bytes) and nothing held (transport_held_bytes 0).
 */
bool transport_can_export(const struct transport *t);
/*
 * Appends the state of a quiescent server transport to out: version
 * strings, session id, exchange count, strict flag, negotiated names,
 * both directions' keys (cipher_export/mac_export), sequence numbers,
 * counters (rekey by volume), the received bytes not yet decoded with
 * the decoder's partial state, the time values. Holds key material:
 * out should be a secret buffer (buf_set_secret), wiped after use. On
 * error nothing is appended. Returns 0, SESH_ERR_INVALID_ARGUMENT (not
 * quiescent, client role), SESH_ERR_LIMIT or SESH_ERR_NOMEM.
 */
int transport_export(const struct transport *t, struct buf *out);
/*
 * Reads what transport_export() wrote from r (every length bounded; r
 * advanced past it) into a new server transport configured from cfg as
 * transport_new() would be (lists, host keys, rekey limits, rand), but
 * with nothing queued: it goes on where the exported one stopped (our
 * version string is the exported one). *out NULL on error. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (a bad cfg), SESH_ERR_INVALID_FORMAT (values
 * that cannot belong together), the reader's errors, the cipher/MAC
 * import errors, or SESH_ERR_NOMEM.
 */
int transport_import(const struct transport_config *cfg, struct rd *r,
                     struct transport **out);

#endif
