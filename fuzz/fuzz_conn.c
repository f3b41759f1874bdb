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

#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/channel.h"
#include "ssh/conn.h"
#include "ssh/userauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_ROUNDS 2000

struct fuzz_rng {
	uint64_t s;
};

static int
fuzz_rand(void *ctx, void *p, size_t n)
{
	struct fuzz_rng *r = ctx;
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		r->s ^= r->s << 13;
		r->s ^= r->s >> 7;
		r->s ^= r->s << 17;
		b[i] = (uint8_t)(r->s >> 11);
	}
	return 0;
}

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
answer_ua_server(struct conn *c, const struct ua_server_event *ue)
{
	struct ua_server *us = conn_userauth_server(c);
	int ret;

	if (ue->type == UA_SEV_AUTH_PASSWORD && ue->password != NULL &&
	    strcmp(ue->password, "pw") == 0) {
		ret = ua_server_accept(us, conn_ua_buf(c));
	} else if (ue->type == UA_SEV_AUTH_PUBKEY_SIGNED &&
	           ua_server_verify(us) == 0) {
		ret = ua_server_accept(us, conn_ua_buf(c));
	} else {
		ret = ua_server_reject(us, false, conn_ua_buf(c));
	}
	if (ret != 0) {
		(void)conn_disconnect(c,
		                      (uint32_t)sesh_err_disconnect_reason(ret),
		                      sesh_err_str(ret));
		return;
	}
	(void)conn_flush(c);
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

/* Drains c's events; returns how many. */
static int
drain(struct fuzz_pair *fp, struct conn *c)
{
	struct conn_event ev;
	bool client = c == fp->cl;
	int count = 0;

	for (;;) {
		if (conn_next_event(c, &ev) != 0 || ev.type == CONN_EV_NONE) {
			return count;
		}
		count++;
		switch (ev.type) {
		case CONN_EV_HOSTKEY_VERIFY:
			(void)transport_hostkey_accept(conn_transport(c), true);
			break;
		case CONN_EV_KEX_DONE:
			if (client && fp->before_auth) {
				inject(fp);
			}
			break;
		case CONN_EV_UA_CLIENT:
			if (ev.uac->type == UA_CEV_SERVICE_ACCEPT) {
				if (ua_client_try_password(
				        conn_userauth_client(c), "pw",
				        conn_ua_buf(c)) == 0) {
					(void)conn_flush(c);
				}
			} else if (ev.uac->type == UA_CEV_SUCCESS) {
				inject(fp);
			}
			break;
		case CONN_EV_UA_SERVER:
			answer_ua_server(c, ev.uas);
			break;
		case CONN_EV_CHANNEL:
			answer_chan(c, &ev.chan);
			break;
		default:
			break;
		}
	}
}

static size_t
shuttle(struct fuzz_pair *fp, struct conn *from, struct conn *to)
{
	const uint8_t *p;
	size_t n;

	conn_output_peek(from, &p, &n);
	if (n == 0) {
		return 0;
	}
	(void)conn_input(to, p, n, 0);
	conn_output_consume(from, n);
	drain(fp, to);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_pair fp;
	struct fuzz_rng rc = {0x1234567}, rs = {0x7654321};
	const struct sshkey *hks[1];
	struct conn_config cc, sc;
	size_t moved;
	int rounds = 0;

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
	memset(&cc, 0, sizeof(cc));
	cc.transport.kex = "curve25519-sha256";
	cc.transport.hostkey = "ssh-ed25519";
	cc.transport.rand = fuzz_rand;
	cc.transport.rand_ctx = &rc;
	cc.user = "fuzz";
	sc = cc;
	sc.user = NULL;
	sc.transport.rand_ctx = &rs;
	sc.transport.hostkeys = hks;
	sc.transport.n_hostkeys = 1;
	if (conn_new(TRANSPORT_CLIENT, &cc, &fp.cl) != 0 ||
	    conn_new(TRANSPORT_SERVER, &sc, &fp.sv) != 0) {
		goto out;
	}
	do {
		moved = shuttle(&fp, fp.cl, fp.sv);
		moved += shuttle(&fp, fp.sv, fp.cl);
		moved += (size_t)drain(&fp, fp.cl);
		moved += (size_t)drain(&fp, fp.sv);
	} while (moved > 0 && ++rounds < FUZZ_MAX_ROUNDS);
out:
	conn_free(fp.cl);
	conn_free(fp.sv);
	return 0;
}
