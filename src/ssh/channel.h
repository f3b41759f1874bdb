/*
 * channel.h - the SSH connection protocol (RFC 4254), sans-I/O, client and
 * server roles: a bounded table of channels per connection, flow control
 * (windows and maximum packet sizes), EOF/CLOSE, channel requests and
 * global requests.
 *
 * Contract. struct chan_set works on payloads (message number byte first,
 * after the transport has decrypted them). chan_input() takes one payload
 * of messages 80-100 and may append answers to `out`; every operation that
 * sends appends to `out`. `out` receives zero or more records, each one an
 * SSH string (uint32 length, then the payload): the caller reads them with
 * rd_string() and seals each as one packet. On error nothing is appended
 * by the failing step (a multi-message call keeps the messages completed
 * before it: see chan_send_data). chan_input() produces at most one event,
 * drained with chan_next_event(); its views point into the payload and are
 * valid until the next chan_input(), which refuses to run while an event
 * is undrained (SESH_ERR_INVALID_ARGUMENT). The module never reads a
 * socket, a clock or the RNG. Errors returned by chan_input() are fatal
 * for the connection (the caller disconnects with
 * sesh_err_disconnect_reason()), except SESH_ERR_UNSUPPORTED (a message
 * number of the 80-127 range this module does not know: the caller
 * answers UNIMPLEMENTED).
 *
 * Channel ids given to the application are our local ids (the table
 * index); the peer's ids stay inside. A local id is reused only after
 * the channel was freed (CLOSE seen both ways), which the CLOSED event
 * announces.
 *
 * Channel states and transitions:
 *	OPENING    we sent CHANNEL_OPEN (chan_open_session/_direct_tcpip).
 *	           OPEN_CONFIRMATION -> OPEN (event OPEN_CONFIRMED);
 *	           OPEN_FAILURE -> freed (event OPEN_FAILED). Anything else
 *	           for it is a protocol error.
 *	ACCEPTING  the peer sent CHANNEL_OPEN of a type we serve (server:
 *	           "session", "direct-tcpip"), event OPEN_REQUEST; the
 *	           application answers chan_accept() -> OPEN or chan_refuse()
 *	           -> freed. The peer does not know our id yet, so any
 *	           message for it is a protocol error. Other types, a full
 *	           table, or a client role are refused at once (no event).
 *	OPEN       data both ways within the windows; EOF each way (data
 *	           after the peer's EOF is a protocol error; sending after
 *	           ours is SESH_ERR_INVALID_ARGUMENT); requests; a CLOSE from
 *	           the peer is answered with ours and frees the channel
 *	           (event CLOSED); chan_close() -> CLOSING.
 *	CLOSING    we sent CLOSE: incoming data, EOF, requests and window
 *	           adjustments are checked but produce no events and no
 *	           replies; the peer's CLOSE frees the channel (event CLOSED).
 *
 * Flow control. Our receive window starts at the set's window (default
 * CHAN_DEFAULT_WINDOW) and shrinks with each DATA/EXTENDED_DATA received;
 * data beyond it is SESH_ERR_PROTOCOL. The application reports with
 * chan_consumed() what it has written out; once half of the window or
 * CHAN_ADJUST_STEP (the smaller) has been consumed, one WINDOW_ADJUST
 * returns all of it (coalescing). The peer's window and maximum packet
 * bound chan_send_data(): it sends what fits and reports how much; the
 * rest is retried after the WINDOW event.
 *
 * Window growth (clock-free). A window adjust sent while the consumer
 * keeps up (at most a quarter of the window delivered and not consumed,
 * and the peer still had at least a quarter of it) carries a probe: a
 * keepalive@openssh.com channel request with want_reply, which every
 * peer answers (FAILURE) once it has read the adjust; the answer is
 * taken here, no event. Data that arrives before the answer was sent
 * before the peer saw the adjust; when it is at least 7/8 of the window
 * the peer had before the adjust (the peer ran the window dry within
 * the round trip: the path holds more than the window) and the consumer
 * still keeps up, the window doubles, up to the set's cap (default
 * CHAN_MAX_WINDOW), and the increase is given at once. One probe per
 * channel is in flight at a time, none once at the cap or after the
 * peer's EOF. A slow consumer sends no adjusts, hence no probes, and a
 * window never shrinks back; we never accept more than the window we
 * advertised, so what the application buffers stays below the cap.
 * The driver reports after each read how much its socket still holds
 * (chan_set_input_queued; 0 when a read drained it). No probe is sent
 * while that is more than half the window (CHAN_BEHIND_DIVISOR): the
 * probe then goes with the first adjust after we have caught up,
 * whatever its size. And the least the socket held from the probe's
 * sending to its answer is not counted as data the peer sent before it
 * saw the adjust (the rest must reach 7/8): a backlog that never
 * drained in that round trip is a receiver behind, not a path holding
 * more than the window, and a bigger window would only lengthen it (a
 * peer buffers up to its window too: OpenSSH's ssh holds what it read
 * from stdin up to the window we gave, growing that buffer by copying
 * it; at 16 MiB on a busy host it spent most of its CPU there). A
 * backlog seen only at the answer, after the socket had drained, is a
 * burst off a long path (a window's worth arriving at once) and does
 * not hold the window back.
 *
 * Requests. Incoming channel requests this role serves (server: pty-req,
 * shell, exec, subsystem, env, window-change, signal; client: exit-status,
 * exit-signal; both: eow@openssh.com) become REQUEST events; when
 * want_reply is set the application answers with chan_reply(), in order.
 * Others (keepalive@openssh.com, unknown names) get CHANNEL_FAILURE when
 * want_reply is set, kept in order behind replies the application still
 * owes. Replies owed per channel are bounded by CHAN_MAX_PENDING (more is
 * SESH_ERR_LIMIT). Our own requests with want_reply are remembered in
 * order (at most CHAN_MAX_PENDING per channel) and their SUCCESS/FAILURE
 * become REQUEST_REPLY events naming the request type; a reply with none
 * pending is a protocol error.
 *
 * Global requests. hostkeys-prove-00@openssh.com with want_reply
 * (server) becomes a GLOBAL_REQUEST event (its data: the key blobs);
 * the application answers with chan_global_reply(), in order.
 * hostkeys-00@openssh.com without want_reply (client) becomes a
 * GLOBAL_REQUEST event too (req.want_reply false, data: the key blobs;
 * no answer owed). Others are answered here: hostkeys-00 with want_reply
 * gets REQUEST_FAILURE; no-more-sessions@openssh.com (server) makes any later
 * "session" open a protocol error; everything else
 * (keepalive@openssh.com included) gets REQUEST_FAILURE when want_reply
 * is set. Replies stay in request order: while the application owes
 * one, the automatic ones queue behind it; at most CHAN_MAX_PENDING
 * replies are owed (more is SESH_ERR_LIMIT). Our global requests with
 * want_reply are counted (at most CHAN_MAX_PENDING) and their replies
 * become GLOBAL_REPLY events.
 */
#ifndef SESH_SSH_CHANNEL_H
#define SESH_SSH_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define CHAN_MAX_CHANNELS   256u                 /* channels per connection */
#define CHAN_DEFAULT_WINDOW (2u * 1024u * 1024u) /* our initial window */
/*
 * Default cap of a receive window that grows (see Flow control): 16 MiB
 * covers the bandwidth-delay product of ~250 MiB/s at 50 ms (~60 MiB/s at
 * 200 ms) with the adjust step taken off, stays far below 2^32 - 1 (a
 * stock OpenSSH peer refuses a WINDOW_ADJUST that makes its remote window
 * overflow a uint32; ours never exceeds the cap) and bounds what a
 * channel can make the application hold: no more than the window.
 */
#define CHAN_MAX_WINDOW (16u * 1024u * 1024u)
/*
 * Behind: the driver's socket holds more than window / this. Half, not
 * less: on a busy host (more runnable processes than CPUs) a reader that
 * was only descheduled for a moment often has an eighth of its window
 * queued, and holding windows at 2 MiB then cost single-stream bulk
 * (make bench, interleaved: 1/8 and 1/2 both cured the 16 MiB windows of
 * eight connections; 1/2 kept single-stream throughput).
 */
#define CHAN_BEHIND_DIVISOR    2u
#define CHAN_ADJUST_STEP       (1024u * 1024u) /* adjust at least this often */
#define CHAN_DEFAULT_MAXPACKET 32768u          /* max data we accept per msg */
#define CHAN_MAX_SEND_DATA     32768u /* max data we put in one message */
#define CHAN_MAX_PENDING       16u  /* requests/replies in flight, per queue */
#define CHAN_MAX_PTY_MODES     256u /* encoded pty modes accepted */

/* Host key rotation's global requests (OpenSSH PROTOCOL §2.5): the
 * server's key list and the client's request for proofs, whose
 * signatures also cover this name. */
#define CHAN_GREQ_HOSTKEYS       "hostkeys-00@openssh.com"
#define CHAN_GREQ_HOSTKEYS_PROVE "hostkeys-prove-00@openssh.com"

/* pty mode opcodes of RFC 4254 §8 used outside this module. */
#define CHAN_TTY_OP_END    0
#define CHAN_TTY_OP_ISPEED 128
#define CHAN_TTY_OP_OSPEED 129

/* A view of wire bytes (not NUL-terminated). */
struct chan_str {
	const uint8_t *p;
	size_t n;
};

/* A view of a C string, for building requests. */
struct chan_str chan_str_c(const char *s);
/* Whether a view holds exactly the C string s. */
bool chan_str_eq(struct chan_str v, const char *s);

enum chan_req_type {
	CHAN_REQ_UNKNOWN = 0,   /* any other name (build: uses req.name) */
	CHAN_REQ_PTY,           /* pty-req */
	CHAN_REQ_SHELL,         /* shell */
	CHAN_REQ_EXEC,          /* exec: arg = command */
	CHAN_REQ_SUBSYSTEM,     /* subsystem: arg = name */
	CHAN_REQ_ENV,           /* env: arg = name, value */
	CHAN_REQ_WINDOW_CHANGE, /* window-change: cols, rows, px */
	CHAN_REQ_SIGNAL,        /* signal: arg = name without "SIG" */
	CHAN_REQ_EXIT_STATUS,   /* exit-status: exit_status */
	CHAN_REQ_EXIT_SIGNAL,   /* exit-signal: arg, core_dumped, msg, lang */
	CHAN_REQ_EOW,           /* eow@openssh.com (never wants a reply) */
	CHAN_REQ_KEEPALIVE      /* keepalive@openssh.com */
};

/*
 * A channel request (RFC 4254 §6), parsed or to be built. Only the fields
 * of the type are used; parsed views point into the payload.
 */
struct chan_req {
	enum chan_req_type type;
	bool want_reply;
	struct chan_str name; /* the request name as on the wire */
	struct chan_str term; /* pty-req: TERM */
	uint32_t cols, rows;  /* pty-req, window-change: characters */
	uint32_t width_px, height_px;
	struct chan_str modes; /* pty-req: encoded terminal modes */
	struct chan_str arg;   /* exec, subsystem, env name, signal names */
	struct chan_str value; /* env value */
	uint32_t exit_status;  /* exit-status */
	bool core_dumped;      /* exit-signal */
	struct chan_str msg;   /* exit-signal: error message (UTF-8) */
	struct chan_str lang;  /* exit-signal: language tag */
};

/* One terminal mode (RFC 4254 §8): opcode 1-159 and its uint32. */
struct chan_pty_mode {
	uint8_t op;
	uint32_t value;
};

enum chan_open_kind { CHAN_KIND_SESSION = 1, CHAN_KIND_DIRECT_TCPIP };

enum chan_ev_type {
	CHAN_EV_NONE = 0,
	CHAN_EV_OPEN_REQUEST,   /* server: kind, dtcp_*: chan_accept/refuse */
	CHAN_EV_OPEN_CONFIRMED, /* our open succeeded */
	CHAN_EV_OPEN_FAILED,    /* our open refused: reason, text; id freed */
	CHAN_EV_DATA,           /* ext_type (0 = normal data), data */
	CHAN_EV_WINDOW,         /* the peer's window grew: send more */
	CHAN_EV_EOF,            /* the peer sends no more data */
	CHAN_EV_CLOSED,         /* CLOSE both ways; the id is freed */
	CHAN_EV_REQUEST,        /* req; chan_reply() if req.want_reply */
	CHAN_EV_REQUEST_REPLY,  /* ok, req_type: answer to our request */
	CHAN_EV_GLOBAL_REPLY,   /* ok, data: answer to our global request */
	CHAN_EV_GLOBAL_REQUEST  /* req.name, data: chan_global_reply() if
	                           req.want_reply */
};

struct chan_event {
	enum chan_ev_type type;
	uint32_t id; /* local channel id (not for GLOBAL_REPLY) */
	/* OPEN_REQUEST */
	enum chan_open_kind kind;
	struct chan_str dtcp_host; /* direct-tcpip: host to connect */
	uint32_t dtcp_port;
	struct chan_str dtcp_orig_host; /* originator address */
	uint32_t dtcp_orig_port;
	/* OPEN_FAILED */
	uint32_t reason;
	struct chan_str text;
	/* DATA */
	uint32_t ext_type;
	struct chan_str data; /* also GLOBAL_REPLY's response data and
	                         GLOBAL_REQUEST's request data */
	/* REQUEST */
	struct chan_req req;
	/* REQUEST_REPLY, GLOBAL_REPLY */
	bool ok;
	enum chan_req_type req_type;
};

struct chan; /* private to channel.c */

struct chan_set {
	bool server;
	bool no_more_sessions;   /* server: the client sent it */
	uint32_t window;         /* initial receive window of new channels */
	uint32_t window_cap;     /* how far their windows may grow */
	uint32_t maxpacket;      /* our max packet of new channels */
	unsigned nchan;          /* channels in use */
	unsigned global_pending; /* our global requests awaiting replies */
	size_t input_queued;     /* bytes waiting in the driver's socket */
	/* Global replies we owe, in request order (a ring of enum owed
	 * values, channel.c): the head is always one the application has
	 * not answered yet. */
	uint8_t gowed_q[CHAN_MAX_PENDING];
	unsigned gowed_head, gowed_n;
	bool has_event;
	struct chan_event ev;
	struct chan *ch[CHAN_MAX_CHANNELS];
};

/* Initialises an empty set for the role, with the default window and max
 * packet. */
void chan_set_init(struct chan_set *cs, bool server);
/* Frees every channel; the set can be initialised again after. */
void chan_set_clear(struct chan_set *cs);
/*
 * Sets the receive window and max packet advertised for channels opened
 * or accepted from now on. Returns 0 or SESH_ERR_INVALID_ARGUMENT (zero
 * values, or a max packet above SESH_MAX_PACKET / 2).
 */
int chan_set_params(struct chan_set *cs, uint32_t window, uint32_t maxpacket);
/*
 * Sets how far the receive windows of channels opened or accepted from
 * now on may grow (default CHAN_MAX_WINDOW); a cap at or below the
 * window turns growth off. Returns 0 or SESH_ERR_INVALID_ARGUMENT (0).
 */
int chan_set_window_cap(struct chan_set *cs, uint32_t cap);
/* The current receive window size of channel id (what it grew to); 0 for
 * an unknown channel. */
uint32_t chan_recv_window(const struct chan_set *cs, uint32_t id);
/*
 * The driver reports how many received bytes wait unread in its socket
 * (e.g. FIONREAD after a read that filled its buffer; 0 when the read
 * took everything). While that is more than half of a channel's
 * window, its window does not grow (see Flow control). Drivers that never
 * call it leave it 0.
 */
void chan_set_input_queued(struct chan_set *cs, size_t n);

/*
 * Processes one payload (message 80-100). Returns 0, SESH_ERR_UNSUPPORTED
 * (another message number), SESH_ERR_INVALID_ARGUMENT (an undrained
 * event), SESH_ERR_PROTOCOL (unknown channel id, a message not allowed in
 * the channel's state, data beyond the window or after EOF, a reply with
 * nothing pending, a window overflow, a session after
 * no-more-sessions), SESH_ERR_LIMIT (too many owed replies), the reader's
 * errors for malformed messages (SESH_ERR_TRUNCATED,
 * SESH_ERR_TRAILING_DATA, SESH_ERR_INVALID_FORMAT, ...), or the writer's
 * (SESH_ERR_NOMEM, SESH_ERR_LIMIT) when an answer does not fit in out.
 */
int chan_input(struct chan_set *cs, const uint8_t *p, size_t n,
               struct buf *out);
/* Moves the pending event into *ev and returns true; false (and *ev
 * zeroed with type CHAN_EV_NONE) if there is none. */
bool chan_next_event(struct chan_set *cs, struct chan_event *ev);

/*
 * Opens a "session" channel (client): appends CHANNEL_OPEN and sets *id.
 * Returns 0, SESH_ERR_LIMIT (table full, or out's cap) or SESH_ERR_NOMEM.
 */
int chan_open_session(struct chan_set *cs, struct buf *out, uint32_t *id);
/* Opens a "direct-tcpip" channel (RFC 4254 §7.2); host strings are C
 * strings. Same returns as chan_open_session. */
int chan_open_direct_tcpip(struct chan_set *cs, const char *host, uint32_t port,
                           const char *orig_host, uint32_t orig_port,
                           struct buf *out, uint32_t *id);
/* Accepts a channel in ACCEPTING state (OPEN_CONFIRMATION). Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (no such channel in that state) or the
 * writer's errors. */
int chan_accept(struct chan_set *cs, uint32_t id, struct buf *out);
/* Refuses a channel in ACCEPTING state with an RFC 4250 §4.3 reason and a
 * text (OPEN_FAILURE) and frees it. Same returns as chan_accept. */
int chan_refuse(struct chan_set *cs, uint32_t id, uint32_t reason,
                const char *text, struct buf *out);

/*
 * Sends data (ext_type 0: CHANNEL_DATA) or extended data (ext_type != 0,
 * e.g. SSH2_EXTENDED_DATA_STDERR) on an OPEN channel, as many messages as
 * the peer's window allows, each at most the peer's max packet (and
 * CHAN_MAX_SEND_DATA). *sent is what was taken (0 when the window is
 * closed: retry after a WINDOW event). Returns 0 (also when a writer
 * error stopped it after some messages), SESH_ERR_INVALID_ARGUMENT (no
 * such open channel, or after our EOF or CLOSE) or the writer's errors
 * when nothing was sent.
 */
int chan_send_data(struct chan_set *cs, uint32_t id, uint32_t ext_type,
                   const uint8_t *p, size_t n, struct buf *out, size_t *sent);
/*
 * chan_send_data() without a copy, for a caller that reads the data
 * from a file descriptor: chan_send_data_space() appends to out the
 * messages that up to n bytes would make (as chan_send_data() would
 * split them, at most CHAN_DATA_MAX_SEGS) with their data left
 * unwritten, and points sp's segments at those data fields. The caller
 * fills a prefix of the segments in order (readv) and calls
 * chan_send_data_commit() with the count k written (0 to undo), which
 * trims the messages to k bytes and takes k from the peer's window. No
 * other call on cs or out in between. Errors as chan_send_data()'s;
 * with sp->nseg 0 nothing was appended (window closed).
 */
#define CHAN_DATA_MAX_SEGS 16
struct chan_data_space {
	size_t start; /* length of out before the messages */
	size_t nseg;
	size_t hdr; /* bytes of each message before its data */
	uint8_t *seg[CHAN_DATA_MAX_SEGS];
	size_t seg_len[CHAN_DATA_MAX_SEGS];
};
int chan_send_data_space(struct chan_set *cs, uint32_t id, uint32_t ext_type,
                         size_t n, struct buf *out, struct chan_data_space *sp);
int chan_send_data_commit(struct chan_set *cs, uint32_t id, struct buf *out,
                          const struct chan_data_space *sp, size_t k);
/* How many bytes chan_send_data() would take now (the peer's window); 0
 * for an unknown or closed channel. */
size_t chan_send_room(const struct chan_set *cs, uint32_t id);
/*
 * The application has written out n bytes of received data. Sends one
 * WINDOW_ADJUST once half the window (at most CHAN_ADJUST_STEP) has been
 * consumed, maybe with a growth probe (see Flow control). Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (unknown channel, or more than was received)
 * or the writer's errors.
 */
int chan_consumed(struct chan_set *cs, uint32_t id, size_t n, struct buf *out);
/* Sends CHANNEL_EOF (once; again is a no-op). Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (no such open channel) or the writer's
 * errors. */
int chan_send_eof(struct chan_set *cs, uint32_t id, struct buf *out);
/* Sends CHANNEL_CLOSE (-> CLOSING; again is a no-op). Same returns. */
int chan_close(struct chan_set *cs, uint32_t id, struct buf *out);

/*
 * Sends a channel request built from *req (type-specific fields; for
 * CHAN_REQ_UNKNOWN the name and no data). eow@openssh.com is always sent
 * without want_reply. Returns 0, SESH_ERR_INVALID_ARGUMENT (no such open
 * channel, after our CLOSE, a pty-req whose modes do not parse),
 * SESH_ERR_LIMIT (CHAN_MAX_PENDING requests awaiting replies) or the
 * writer's errors.
 */
int chan_request(struct chan_set *cs, uint32_t id, const struct chan_req *req,
                 struct buf *out);
/*
 * Answers the oldest request of channel id whose reply the application
 * owes (CHANNEL_SUCCESS or FAILURE), then any automatic replies queued
 * behind it. On a CLOSING channel it does nothing (no answer may be sent
 * after our CLOSE). Returns 0, SESH_ERR_INVALID_ARGUMENT (no such channel,
 * or no reply owed) or the writer's errors.
 */
int chan_reply(struct chan_set *cs, uint32_t id, bool ok, struct buf *out);
/* Sends GLOBAL_REQUEST name (no request data). Returns 0, SESH_ERR_LIMIT
 * (CHAN_MAX_PENDING awaiting replies) or the writer's errors. */
int chan_global_request(struct chan_set *cs, const char *name, bool want_reply,
                        struct buf *out);
/* The same with request-specific data p[0..n) (raw bytes, e.g. the
 * strings of hostkeys-00@openssh.com); p may be NULL when n is 0. */
int chan_global_request_data(struct chan_set *cs, const char *name,
                             bool want_reply, const uint8_t *p, size_t n,
                             struct buf *out);
/*
 * Answers the oldest GLOBAL_REQUEST event still owed: REQUEST_SUCCESS
 * with the response data p[0..n) (raw bytes; p may be NULL when n is 0)
 * or REQUEST_FAILURE (ok false: no data), then the automatic replies
 * queued behind it. Returns 0, SESH_ERR_INVALID_ARGUMENT (no reply owed
 * by the application, or data with a failure) or the writer's errors
 * (nothing sent, still owed).
 */
int chan_global_reply(struct chan_set *cs, bool ok, const uint8_t *p, size_t n,
                      struct buf *out);

/*
 * Parses a CHANNEL_REQUEST payload (RFC 4254 §6) into *req (views into p)
 * and the recipient channel. The type-specific data is parsed for the
 * known names; unknown names are left unparsed (type CHAN_REQ_UNKNOWN).
 * Returns 0, SESH_ERR_PROTOCOL (not a CHANNEL_REQUEST), the reader's
 * errors, SESH_ERR_INVALID_FORMAT or SESH_ERR_LIMIT (bad pty modes); on
 * error the outputs are zeroed.
 */
int chan_request_parse(const uint8_t *p, size_t n, uint32_t *recipient,
                       struct chan_req *req);

/*
 * Encodes terminal modes (RFC 4254 §8): each opcode (1-159) with its
 * uint32, then TTY_OP_END. Appends the raw bytes (no length prefix).
 * Returns 0, SESH_ERR_INVALID_ARGUMENT (opcode 0 or above 159, more than
 * CHAN_MAX_PTY_MODES) or the writer's errors (nothing appended).
 */
int chan_pty_modes_build(const struct chan_pty_mode *m, size_t count,
                         struct buf *out);
/*
 * Parses encoded terminal modes: pairs until TTY_OP_END (nothing may
 * follow it) or an opcode of 160-255 (which stops parsing, RFC 4254 §8).
 * An empty string is no modes. m may be NULL (validate and count only);
 * else it has room for max entries. Returns 0 with *count set,
 * SESH_ERR_TRUNCATED (a cut pair or no TTY_OP_END),
 * SESH_ERR_TRAILING_DATA, SESH_ERR_LIMIT (more than max or
 * CHAN_MAX_PTY_MODES entries); on error *count is 0.
 */
int chan_pty_modes_parse(const uint8_t *p, size_t n, struct chan_pty_mode *m,
                         size_t max, size_t *count);

#endif
