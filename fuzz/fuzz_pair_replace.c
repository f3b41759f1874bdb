/*
 * fuzz_pair_replace.c - stateful libFuzzer target: a client and a server
 * connection (src/ssh/conn.h) joined in memory run a whole session (key
 * exchange, password authentication, a session channel with an exec
 * request, data both ways, EOF, CLOSE, a global request, optionally a
 * rekey) while the input decides, payload by payload, what one side (or
 * both) really sends: the payload unchanged, other bytes in its place,
 * nothing, or the payload twice. fuzz_conn.c injects extra payloads;
 * this target replaces them.
 *
 * Interception is before encryption, at the transport's only sealing
 * point, through the fuzz-only hook of src/ssh/transport_fuzz.h (built
 * with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION only). Every replaced
 * payload is sealed with the sender's real keys and sequence number, so
 * it reaches the other side's parsers and state machines (transport,
 * KEX, userauth, channels) instead of failing the MAC. The sending side
 * is not told: it goes on as if its own payload had been sent. Without
 * the hook (the corpus replay of normal builds) every payload goes
 * through unchanged and the session must still complete.
 *
 * Input:
 *	byte 0  bits 0-1  KEX: curve25519-sha256, ecdh-sha2-nistp256,
 *	                  mlkem768x25519-sha256, curve25519-sha256@libssh.org
 *	        bits 2-3  cipher/MAC: chacha20-poly1305@openssh.com,
 *	                  aes128-gcm@openssh.com, aes128-ctr with
 *	                  hmac-sha2-256-etm@openssh.com, aes128-ctr with
 *	                  hmac-sha2-256
 *	        bits 4-5  fuzzed side: 0 client, 1 server, 2 and 3 both
 *	        bit 6     no strict KEX offered (either side)
 *	        bit 7     the client rekeys once its channel is open
 *	then records, consumed one per fuzzed payload decision:
 *	        op byte   bits 0-1 action: 0 pass, 1 replace, 2 drop,
 *	                  3 duplicate; bits 2-7: how many payloads of the
 *	                  fuzzed side(s) pass unchanged before the action
 *	        replace:  uint16 big-endian length, then that many bytes
 *	                  (cut to what is left): the new payload, message
 *	                  number first (may be empty)
 *	Once the records run out, everything passes unchanged.
 *
 * PAIR_REPLACE_TRACE=1 in the environment prints each decision and the
 * outcome on stderr (for writing corpus inputs).
 *
 * Must never crash, hang or leak; both connections are freed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/common/pair.h"
#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/channel.h"
#include "ssh/conn.h"
#include "ssh/transport_fuzz.h"
#include "ssh/userauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PR_MAX_ROUNDS   400
#define PR_MAX_PW_TRIES 3
#define PR_DISC_BY_APP  11 /* SSH_DISCONNECT_BY_APPLICATION */
#define PR_MAX_ECHO     4096

enum pr_side { PR_NONE = 0, PR_CLIENT = 1, PR_SERVER = 2 };

struct pr_pair {
	struct conn *cl, *sv;
	struct transport *tcl, *tsv; /* known once each has sealed */
	enum pr_side creating;       /* conn_new() running for this side */
	unsigned fuzzed;             /* PR_CLIENT | PR_SERVER bits */
	bool rekey;
	/* records */
	struct rd r;
	bool have_op;
	uint8_t action;
	unsigned skip;
	/* client application */
	unsigned pw_tries;
	bool opened, rekeyed, closed, disconnected;
	bool tampered; /* a payload was replaced, dropped or doubled */
	uint32_t chan;
};

static const char *const pr_kex[4] = {
    "curve25519-sha256",
    "ecdh-sha2-nistp256",
    "mlkem768x25519-sha256",
    "curve25519-sha256@libssh.org",
};
static const char *const pr_cipher[4] = {
    "chacha20-poly1305@openssh.com",
    "aes128-gcm@openssh.com",
    "aes128-ctr",
    "aes128-ctr",
};
static const char *const pr_mac[4] = {
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-256",
};

static struct sshkey *pr_hostkey;
static int pr_trace = -1;

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
static enum pr_side
pr_side_of(struct pr_pair *fp, struct transport *t)
{
	if (t == fp->tcl) {
		return PR_CLIENT;
	}
	if (t == fp->tsv) {
		return PR_SERVER;
	}
	/* the first KEXINIT is sealed inside conn_new() */
	if (fp->creating == PR_CLIENT && fp->tcl == NULL) {
		fp->tcl = t;
		return PR_CLIENT;
	}
	if (fp->creating == PR_SERVER && fp->tsv == NULL) {
		fp->tsv = t;
		return PR_SERVER;
	}
	return PR_NONE;
}

/* Loads the next record; false once the input is used up. */
static bool
pr_next_op(struct pr_pair *fp)
{
	uint8_t op;

	if (rd_u8(&fp->r, &op) != 0) {
		return false;
	}
	fp->action = op & 3u;
	fp->skip = op >> 2;
	fp->have_op = true;
	return true;
}

/* The sealing hook: one fuzzed payload decision per call. */
static int
pr_hook(void *ctx, struct transport *t, const uint8_t *p, size_t n)
{
	struct pr_pair *fp = ctx;
	enum pr_side side = pr_side_of(fp, t);
	const uint8_t *np;
	uint8_t hi, lo;
	size_t nn;
	int ret;

	if ((fp->fuzzed & (unsigned)side) == 0 ||
	    (!fp->have_op && !pr_next_op(fp))) {
		return transport_fuzz_seal(t, p, n);
	}
	if (fp->skip > 0) {
		fp->skip--;
		if (pr_trace > 0) {
			fprintf(stderr, "%s msg %u: pass\n",
			        side == PR_CLIENT ? "client" : "server",
			        n > 0 ? p[0] : 0u);
		}
		return transport_fuzz_seal(t, p, n);
	}
	fp->have_op = false;
	fp->tampered = fp->tampered || fp->action != 0;
	if (pr_trace > 0) {
		fprintf(stderr, "%s msg %u: action %u\n",
		        side == PR_CLIENT ? "client" : "server",
		        n > 0 ? p[0] : 0u, fp->action);
	}
	switch (fp->action) {
	case 1: /* replace */
		if (rd_u8(&fp->r, &hi) != 0 || rd_u8(&fp->r, &lo) != 0) {
			return transport_fuzz_seal(t, p, n);
		}
		nn = ((size_t)hi << 8) | lo;
		if (nn > rd_left(&fp->r)) {
			nn = rd_left(&fp->r);
		}
		if (rd_view(&fp->r, nn, &np) != 0) {
			return transport_fuzz_seal(t, p, n);
		}
		return transport_fuzz_seal(t, np, nn);
	case 2: /* drop */
		return 0;
	case 3: /* duplicate */
		if ((ret = transport_fuzz_seal(t, p, n)) != 0) {
			return ret;
		}
		return transport_fuzz_seal(t, p, n);
	default:
		return transport_fuzz_seal(t, p, n);
	}
}
#endif

static void
pr_server_chan(struct conn *c, const struct chan_event *ce)
{
	struct chan_set *cs = conn_channels(c);
	struct buf *out = conn_chan_buf(c);
	struct chan_req rq;
	size_t sent, n;

	switch (ce->type) {
	case CHAN_EV_OPEN_REQUEST:
		if (ce->kind == CHAN_KIND_SESSION) {
			(void)chan_accept(cs, ce->id, out);
		} else {
			(void)chan_refuse(cs, ce->id, 1, "no", out);
		}
		break;
	case CHAN_EV_REQUEST:
		if (ce->req.want_reply) {
			(void)chan_reply(cs, ce->id,
			                 ce->req.type == CHAN_REQ_EXEC, out);
		}
		if (ce->req.type == CHAN_REQ_EXEC) {
			(void)chan_send_data(cs, ce->id, 0,
			                     (const uint8_t *)"out", 3, out,
			                     &sent);
			(void)chan_send_data(cs, ce->id, 1,
			                     (const uint8_t *)"err", 3, out,
			                     &sent);
		}
		break;
	case CHAN_EV_DATA:
		/* echo (bounded), then give the window back */
		n = ce->data.n < PR_MAX_ECHO ? ce->data.n : PR_MAX_ECHO;
		(void)chan_send_data(cs, ce->id, 0, ce->data.p, n, out, &sent);
		(void)chan_consumed(cs, ce->id, ce->data.n, out);
		break;
	case CHAN_EV_EOF:
		memset(&rq, 0, sizeof(rq));
		rq.type = CHAN_REQ_EXIT_STATUS;
		rq.exit_status = 0;
		(void)chan_request(cs, ce->id, &rq, out);
		(void)chan_send_eof(cs, ce->id, out);
		(void)chan_close(cs, ce->id, out);
		break;
	default:
		break;
	}
}

static void
pr_client_opened(struct pr_pair *fp, struct conn *c, uint32_t id)
{
	struct chan_set *cs = conn_channels(c);
	struct buf *out = conn_chan_buf(c);
	struct chan_req rq;
	size_t sent;

	if (fp->rekey && !fp->rekeyed) {
		/* the requests below wait in the KEX queue */
		fp->rekeyed = true;
		(void)conn_flush(c);
		(void)transport_rekey(conn_transport(c));
	}
	memset(&rq, 0, sizeof(rq));
	rq.type = CHAN_REQ_ENV;
	rq.arg = chan_str_c("LANG");
	rq.value = chan_str_c("C");
	(void)chan_request(cs, id, &rq, out);
	memset(&rq, 0, sizeof(rq));
	rq.type = CHAN_REQ_EXEC;
	rq.want_reply = true;
	rq.arg = chan_str_c("true");
	(void)chan_request(cs, id, &rq, out);
	(void)chan_send_data(cs, id, 0, (const uint8_t *)"hello", 5, out,
	                     &sent);
	(void)chan_send_eof(cs, id, out);
}

/* Ends the session once the channel closed and any rekey is over. */
static void
pr_client_finish(struct pr_pair *fp, struct conn *c)
{
	if (!fp->closed || fp->disconnected ||
	    (fp->rekeyed && transport_kex_count(conn_transport(c)) < 2)) {
		return;
	}
	fp->disconnected = true;
	(void)conn_disconnect(c, PR_DISC_BY_APP, "done");
}

static void
pr_client_chan(struct pr_pair *fp, struct conn *c, const struct chan_event *ce)
{
	struct chan_set *cs = conn_channels(c);
	struct buf *out = conn_chan_buf(c);

	switch (ce->type) {
	case CHAN_EV_OPEN_CONFIRMED:
		pr_client_opened(fp, c, ce->id);
		break;
	case CHAN_EV_DATA:
		(void)chan_consumed(cs, ce->id, ce->data.n, out);
		break;
	case CHAN_EV_REQUEST:
		if (ce->req.want_reply) {
			(void)chan_reply(cs, ce->id, false, out);
		}
		break;
	case CHAN_EV_EOF:
		(void)chan_close(cs, ce->id, out);
		break;
	case CHAN_EV_CLOSED:
		fp->closed = true;
		pr_client_finish(fp, c);
		break;
	default:
		break;
	}
}

static void
pr_client_ua(struct pr_pair *fp, struct conn *c,
             const struct ua_client_event *ue)
{
	struct chan_set *cs = conn_channels(c);
	struct buf *out = conn_chan_buf(c);

	switch (ue->type) {
	case UA_CEV_SERVICE_ACCEPT:
	case UA_CEV_FAILURE:
		if (fp->pw_tries < PR_MAX_PW_TRIES) {
			fp->pw_tries++;
			if (ua_client_try_password(conn_userauth_client(c),
			                           "pw", conn_ua_buf(c)) == 0) {
				(void)conn_flush(c);
			}
		}
		break;
	case UA_CEV_SUCCESS:
		if (!fp->opened) {
			fp->opened = true;
			(void)chan_global_request(cs, "keepalive@openssh.com",
			                          true, out);
			(void)chan_open_session(cs, out, &fp->chan);
		}
		break;
	default:
		break;
	}
}

/* Answers one event of c (a pair_event_fn). */
static void
pr_on_event(void *ctx, struct conn *c, const struct conn_event *ev)
{
	struct pr_pair *fp = ctx;
	bool client = c == fp->cl;

	switch (ev->type) {
	case CONN_EV_KEX_DONE:
		if (client) {
			pr_client_finish(fp, c);
		}
		break;
	case CONN_EV_UA_CLIENT:
		pr_client_ua(fp, c, ev->uac);
		break;
	case CONN_EV_UA_SERVER:
		pair_answer_password(c, ev->uas, "pw", false);
		break;
	case CONN_EV_CHANNEL:
		if (client) {
			pr_client_chan(fp, c, &ev->chan);
		} else {
			pr_server_chan(c, &ev->chan);
		}
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pr_pair fp;
	struct pair_rng rc, rs;
	const struct sshkey *hks[1];
	struct conn_config cc, sc;
	unsigned side, ci;
	int rounds;

	if (size < 1) {
		return 0;
	}
	if (pr_trace < 0) {
		pr_trace = getenv("PAIR_REPLACE_TRACE") != NULL;
	}
	if (pr_hostkey == NULL &&
	    key_generate(KEY_ED25519, 0, &pr_hostkey) != 0) {
		return 0;
	}
	memset(&fp, 0, sizeof(fp));
	side = (data[0] >> 4) & 3u;
	fp.fuzzed = side == 0   ? PR_CLIENT
	            : side == 1 ? PR_SERVER
	                        : PR_CLIENT | PR_SERVER;
	fp.rekey = (data[0] & 0x80u) != 0;
	rd_init(&fp.r, data + 1, size - 1);
	ci = (data[0] >> 2) & 3u;
	hks[0] = pr_hostkey;
	pair_client_config(&cc, &rc, "fuzz");
	cc.transport.kex = pr_kex[data[0] & 3u];
	cc.transport.ciphers = pr_cipher[ci];
	cc.transport.macs = pr_mac[ci];
	cc.transport.no_strict_kex = (data[0] & 0x40u) != 0;
	pair_server_config(&sc, &cc, &rs, hks, 1, "password");
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	transport_fuzz_send_hook = pr_hook;
	transport_fuzz_send_ctx = &fp;
#endif
	fp.creating = PR_CLIENT;
	if (conn_new(TRANSPORT_CLIENT, &cc, &fp.cl) != 0) {
		goto out;
	}
	fp.tcl = conn_transport(fp.cl);
	fp.creating = PR_SERVER;
	if (conn_new(TRANSPORT_SERVER, &sc, &fp.sv) != 0) {
		goto out;
	}
	fp.tsv = conn_transport(fp.sv);
	fp.creating = PR_NONE;
	rounds = pair_run(fp.cl, fp.sv, true, pr_on_event, &fp, PR_MAX_ROUNDS);
	if (pr_trace > 0) {
		fprintf(stderr,
		        "kex %u/%u rounds %d, client auth %d closed %d err %d, "
		        "server auth %d err %d, channel closed %d\n",
		        transport_kex_count(fp.tcl),
		        transport_kex_count(fp.tsv), rounds,
		        conn_authenticated(fp.cl), conn_closed(fp.cl),
		        conn_error(fp.cl), conn_authenticated(fp.sv),
		        conn_error(fp.sv), fp.closed);
	}
	/* Untouched, the session must complete: anything else is a bug
	 * (crash on purpose so that the fuzzer and the replay see it). */
	if (!fp.tampered && (!fp.disconnected || !conn_authenticated(fp.sv) ||
	                     conn_error(fp.cl) != 0 || conn_error(fp.sv) != 0 ||
	                     (fp.rekey && transport_kex_count(fp.tsv) != 2))) {
		abort();
	}
out:
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	transport_fuzz_send_hook = NULL;
	transport_fuzz_send_ctx = NULL;
#endif
	conn_free(fp.cl);
	conn_free(fp.sv);
	return 0;
}
