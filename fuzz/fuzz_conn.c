/*
 * fuzz_conn.c - libFuzzer target for src/ssh/conn.h: a client and a
 * server connection joined in memory (curve25519-sha256, an ed25519
 * host key made once) run the key exchange and password
 * authentication, while the input supplies service payloads that one
 * side injects (through transport_send, so they arrive encrypted and
 * reach conn's routing, userauth and the channel set). Both
 * applications answer generically (accept channels, answer requests,
 * consume data). Must never crash, hang or leak.
 *
 * Input: byte 0 flags: bit 0 inject before authentication (at the
 * client's KEX_DONE) instead of after USERAUTH_SUCCESS; bit 1 the server
 * injects towards the client. Then records: uint16 big-endian length,
 * then that many payload bytes (message number first).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/common/pair.h"
#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/channel.h"
#include "ssh/conn.h"
#include "ssh/userauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_ROUNDS 2000

struct fuzz_pair {
	struct conn *cl, *sv;
	const uint8_t *in;
	size_t n;
	bool before_auth, from_server, injected;
};

static struct sshkey *fuzz_hostkey;

/* Sends every input record from the chosen side, once. */
static void
inject(struct fuzz_pair *fp)
{
	struct conn *c = fp->from_server ? fp->sv : fp->cl;
	struct rd r;
	const uint8_t *p;
	uint8_t hi, lo;
	size_t len;

	if (fp->injected) {
		return;
	}
	fp->injected = true;
	rd_init(&r, fp->in, fp->n);
	while (rd_u8(&r, &hi) == 0 && rd_u8(&r, &lo) == 0) {
		len = ((size_t)hi << 8) | lo;
		if (len > rd_left(&r)) {
			len = rd_left(&r);
		}
		if (rd_view(&r, len, &p) != 0) {
			break;
		}
		/* refused numbers and a closed transport are fine */
		(void)transport_send(conn_transport(c), p, len);
	}
}

static void
answer_chan(struct conn *c, const struct chan_event *ce)
{
	struct chan_set *cs = conn_channels(c);
	struct buf *out = conn_chan_buf(c);

	switch (ce->type) {
	case CHAN_EV_OPEN_REQUEST:
		(void)chan_accept(cs, ce->id, out);
		break;
	case CHAN_EV_REQUEST:
		if (ce->req.want_reply) {
			(void)chan_reply(cs, ce->id, true, out);
		}
		break;
	case CHAN_EV_DATA:
		(void)chan_consumed(cs, ce->id, ce->data.n, out);
		break;
	case CHAN_EV_EOF:
		(void)chan_close(cs, ce->id, out);
		break;
	default:
		break;
	}
}

/* Answers one event of c (a pair_event_fn). */
static void
on_event(void *ctx, struct conn *c, const struct conn_event *ev)
{
	struct fuzz_pair *fp = ctx;
	bool client = c == fp->cl;

	switch (ev->type) {
	case CONN_EV_KEX_DONE:
		if (client && fp->before_auth) {
			inject(fp);
		}
		break;
	case CONN_EV_UA_CLIENT:
		if (ev->uac->type == UA_CEV_SERVICE_ACCEPT) {
			if (ua_client_try_password(conn_userauth_client(c),
			                           "pw", conn_ua_buf(c)) == 0) {
				(void)conn_flush(c);
			}
		} else if (ev->uac->type == UA_CEV_SUCCESS) {
			inject(fp);
		}
		break;
	case CONN_EV_UA_SERVER:
		pair_answer_password(c, ev->uas, "pw", true);
		break;
	case CONN_EV_CHANNEL:
		answer_chan(c, &ev->chan);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_pair fp;
	struct pair_rng rc, rs;
	const struct sshkey *hks[1];
	struct conn_config cc, sc;

	if (size < 1) {
		return 0;
	}
	if (fuzz_hostkey == NULL &&
	    key_generate(KEY_ED25519, 0, &fuzz_hostkey) != 0) {
		return 0;
	}
	memset(&fp, 0, sizeof(fp));
	fp.before_auth = (data[0] & 1u) != 0;
	fp.from_server = (data[0] & 2u) != 0;
	fp.in = data + 1;
	fp.n = size - 1;
	hks[0] = fuzz_hostkey;
	pair_client_config(&cc, &rc, "fuzz");
	pair_server_config(&sc, &cc, &rs, hks, 1, NULL);
	if (conn_new(TRANSPORT_CLIENT, &cc, &fp.cl) != 0 ||
	    conn_new(TRANSPORT_SERVER, &sc, &fp.sv) != 0) {
		goto out;
	}
	(void)pair_run(fp.cl, fp.sv, false, on_event, &fp, FUZZ_MAX_ROUNDS);
out:
	conn_free(fp.cl);
	conn_free(fp.sv);
	return 0;
}
