/*
 * test_transport.c - ssh/transport: client and server transports joined
 * in memory.
 *
 * Pairs run every KEX method x cipher x host key (ed25519, ecdsa-p256,
 * RSA with rsa-sha2-512 and -256), MACs rotating over the non-AEAD
 * ciphers, plus every cipher x MAC; bytes shuttled whole, one at a time
 * and in random chunks. After KEX payloads flow both ways; rekeys
 * started by either side (on demand, both at once, by volume) lose and
 * reorder nothing. Failure paths: host key refused, strict KEX with an
 * IGNORE before KEXINIT or inside the first exchange, banner lines over
 * the limit, bad identifications, no common algorithm (reason
 * KEY_EXCHANGE_FAILED), DISCONNECT both ways; EXT_INFO parsing with
 * truncation and bit-flip sweeps, DISCONNECT truncation sweep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/msg.h"
#include "ssh/packet.h"
#include "ssh/transport.h"

/* ---- deterministic randomness ---- */

struct trng {
	uint64_t s;
};

static uint32_t
trng_next(struct trng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 11);
}

static int
trng_fill(void *ctx, void *p, size_t n)
{
	struct trng *r = ctx;
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		b[i] = (uint8_t)trng_next(r);
	}
	return 0;
}

/* ---- fixtures ---- */

static struct sshkey *hk_ed, *hk_p256, *hk_rsa;
static const struct sshkey *hostkeys[3];

static int
group_setup(void **state)
{
	(void)state;
	if (key_generate(KEY_ED25519, 0, &hk_ed) != 0 ||
	    key_generate(KEY_ECDSA_P256, 256, &hk_p256) != 0 ||
	    key_generate(KEY_RSA, 2048, &hk_rsa) != 0) {
		return -1;
	}
	hostkeys[0] = hk_ed;
	hostkeys[1] = hk_p256;
	hostkeys[2] = hk_rsa;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	key_free(hk_ed);
	key_free(hk_p256);
	key_free(hk_rsa);
	return 0;
}

static const char *const kexes[] = {
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "mlkem768x25519-sha256",
    "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com",
};
static const char *const ciphers[] = {
    "chacha20-poly1305@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
};
static const char *const macs[] = {
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
};
static const char *const hkalgs[] = {
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "rsa-sha2-512",
    "rsa-sha2-256",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a pair ---- */

/* CH_SPACE: random chunks, through transport_input_space/commit once
 * the identification exchange is over. */
enum chunking { CH_ALL, CH_ONE, CH_RANDOM, CH_SPACE };
static size_t space_used; /* chunks that went through the space */

struct side {
	struct transport *t;
	struct buf rx; /* PAYLOAD events, each as string(payload) */
	int kex_done;
	int first_kex;
	int hostkey_events;
	bool reject;
	bool disconnected;
	bool by_peer;
	uint32_t reason;
	int err;
	char fp[128];
	char text[256];
};

struct pair {
	struct side c, s;
	struct trng rc, rs, chunk;
	enum chunking mode;
};

static void
cfg_init(struct transport_config *cfg, struct trng *r)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->rand = trng_fill;
	cfg->rand_ctx = r;
}

static void
pair_open(struct pair *pr, const struct transport_config *cc,
          const struct transport_config *sc)
{
	struct transport_config c = *cc, s = *sc;

	pr->rc.s = 0x1234567;
	pr->rs.s = 0x7654321;
	pr->chunk.s = 0xabcdef;
	c.rand = trng_fill;
	c.rand_ctx = &pr->rc;
	s.rand = trng_fill;
	s.rand_ctx = &pr->rs;
	if (s.hostkeys == NULL) {
		s.hostkeys = hostkeys;
		s.n_hostkeys = NELEM(hostkeys);
	}
	buf_init(&pr->c.rx, 0);
	buf_init(&pr->s.rx, 0);
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &c, &pr->c.t), 0);
	assert_int_equal(transport_new(TRANSPORT_SERVER, &s, &pr->s.t), 0);
}

static void
pair_close(struct pair *pr)
{
	transport_free(pr->c.t);
	transport_free(pr->s.t);
	buf_clear(&pr->c.rx);
	buf_clear(&pr->s.rx);
}

static void
drain(struct side *sd)
{
	struct transport_event ev;

	for (;;) {
		assert_int_equal(transport_next_event(sd->t, &ev), 0);
		switch (ev.type) {
		case TRANSPORT_EV_NONE:
			return;
		case TRANSPORT_EV_HOSTKEY_VERIFY:
			sd->hostkey_events++;
			assert_non_null(ev.hostkey);
			snprintf(sd->fp, sizeof(sd->fp), "%s", ev.fingerprint);
			assert_int_equal(
			    transport_hostkey_accept(sd->t, !sd->reject), 0);
			break;
		case TRANSPORT_EV_HOSTKEY_SIGN:
			fail_msg("unexpected HOSTKEY_SIGN");
			break;
		case TRANSPORT_EV_KEX_DONE:
			sd->kex_done++;
			sd->first_kex += ev.first_kex;
			break;
		case TRANSPORT_EV_PAYLOAD:
			assert_true(ev.len > 0);
			assert_int_equal(
			    buf_put_string(&sd->rx, ev.payload, ev.len), 0);
			break;
		case TRANSPORT_EV_DISCONNECTED:
			assert_false(sd->disconnected);
			sd->disconnected = true;
			sd->by_peer = ev.by_peer;
			sd->reason = ev.reason;
			sd->err = ev.err;
			snprintf(sd->text, sizeof(sd->text), "%s", ev.text);
			break;
		}
	}
}

/* Moves some of from's output into to; returns bytes moved. */
static size_t
shuttle(struct pair *pr, struct side *from, struct side *to)
{
	const uint8_t *p;
	size_t n, k;
	int ret;

	transport_output_peek(from->t, &p, &n);
	if (n == 0) {
		return 0;
	}
	k = n;
	if (pr->mode == CH_ONE) {
		k = 1;
	} else if (pr->mode == CH_RANDOM || pr->mode == CH_SPACE) {
		k = 1 + trng_next(&pr->chunk) % 700;
		if (k > n) {
			k = n;
		}
	}
	if (pr->mode == CH_SPACE) {
		uint8_t *sp = NULL;
		size_t room = 0;

		ret = transport_input_space(to->t, k, &sp, &room);
		if (ret == 0 && sp != NULL) {
			assert_true(room >= k);
			memcpy(sp, p, k);
			ret = transport_input_commit(to->t, k);
			space_used++;
		} else if (ret == 0) {
			ret = transport_input(to->t, p, k);
		}
	} else {
		ret = transport_input(to->t, p, k);
	}
	if (!transport_closed(to->t)) {
		assert_int_equal(ret, 0);
	}
	transport_output_consume(from->t, k);
	drain(to);
	return k;
}

static void
pump(struct pair *pr)
{
	size_t moved;

	drain(&pr->c);
	drain(&pr->s);
	do {
		moved = 0;
		while (shuttle(pr, &pr->c, &pr->s) > 0) {
			moved++;
		}
		while (shuttle(pr, &pr->s, &pr->c) > 0) {
			moved++;
		}
		drain(&pr->c);
		drain(&pr->s);
	} while (moved > 0);
}

static void
send_payload(struct side *sd, uint8_t msg, uint32_t tag, size_t len,
             struct buf *expect)
{
	uint8_t p[2048];
	size_t i;

	assert_true(len >= 5 && len <= sizeof(p));
	p[0] = msg;
	p[1] = (uint8_t)(tag >> 24);
	p[2] = (uint8_t)(tag >> 16);
	p[3] = (uint8_t)(tag >> 8);
	p[4] = (uint8_t)tag;
	for (i = 5; i < len; i++) {
		p[i] = (uint8_t)(tag + i);
	}
	assert_int_equal(transport_send(sd->t, p, len), 0);
	if (expect != NULL) {
		assert_int_equal(buf_put_string(expect, p, len), 0);
	}
}

/* Client's received payloads, EXT_INFO left out. */
static void
assert_rx(const struct buf *rx, const struct buf *expect)
{
	struct rd r;
	struct buf got;
	const uint8_t *p;
	size_t n;

	buf_init(&got, 0);
	rd_init(&r, buf_data(rx), buf_len(rx));
	while (rd_left(&r) > 0) {
		assert_int_equal(rd_string(&r, &p, &n), 0);
		if (p[0] != SSH2_MSG_EXT_INFO) {
			assert_int_equal(buf_put_string(&got, p, n), 0);
		}
	}
	assert_int_equal(buf_len(&got), buf_len(expect));
	if (buf_len(expect) > 0) {
		assert_memory_equal(buf_data(&got), buf_data(expect),
		                    buf_len(expect));
	}
	buf_clear(&got);
}

static void
assert_established(struct pair *pr, int kexes_done)
{
	const uint8_t *a, *b;
	size_t an, bn;

	assert_false(pr->c.disconnected);
	assert_false(pr->s.disconnected);
	assert_int_equal(pr->c.kex_done, kexes_done);
	assert_int_equal(pr->s.kex_done, kexes_done);
	assert_int_equal(pr->c.first_kex, 1);
	assert_int_equal(pr->s.first_kex, 1);
	assert_int_equal(pr->c.hostkey_events, 1);
	transport_session_id(pr->c.t, &a, &an);
	transport_session_id(pr->s.t, &b, &bn);
	assert_true(an >= 32);
	assert_int_equal(an, bn);
	assert_memory_equal(a, b, an);
}

/* Both ways, a few payloads of various sizes; checks delivery. */
static void
exchange_payloads(struct pair *pr, int count)
{
	struct buf ec, es;
	int i;

	buf_init(&ec, 0);
	buf_init(&es, 0);
	buf_reset(&pr->c.rx);
	buf_reset(&pr->s.rx);
	for (i = 0; i < count; i++) {
		send_payload(&pr->c, 94, (uint32_t)i, 5 + (size_t)i * 37 % 1500,
		             &es);
		send_payload(&pr->s, 94, (uint32_t)i + 1000,
		             5 + (size_t)i * 53 % 1700, &ec);
	}
	pump(pr);
	assert_rx(&pr->c.rx, &ec);
	assert_rx(&pr->s.rx, &es);
	buf_clear(&ec);
	buf_clear(&es);
}

static void
run_combo(const char *kex, const char *cipher, const char *mac,
          const char *hkalg, enum chunking mode)
{
	struct transport_config cc, sc;
	struct pair pr;
	const struct kex_choice *ch;
	const struct sshkey *key;
	struct buf fp;

	memset(&pr, 0, sizeof(pr));
	cfg_init(&cc, NULL);
	cfg_init(&sc, NULL);
	cc.kex = kex;
	cc.ciphers = cipher;
	cc.macs = mac;
	cc.hostkey = hkalg;
	pr.mode = mode;
	pair_open(&pr, &cc, &sc);
	pump(&pr);
	assert_established(&pr, 1);
	ch = transport_choice(pr.c.t);
	assert_string_equal(ch->alg[KEX_ALG_KEX], kex);
	assert_string_equal(ch->alg[KEX_ALG_ENC_CTOS], cipher);
	assert_string_equal(ch->alg[KEX_ALG_HOSTKEY], hkalg);
	assert_true(ch->strict);
	key = strncmp(hkalg, "rsa", 3) == 0     ? hk_rsa
	      : strncmp(hkalg, "ecdsa", 5) == 0 ? hk_p256
	                                        : hk_ed;
	buf_init(&fp, 0);
	assert_int_equal(key_fingerprint(key, HASH_SHA256, &fp), 0);
	assert_string_equal(pr.c.fp, (const char *)buf_data(&fp));
	buf_clear(&fp);
	exchange_payloads(&pr, 4);
	pair_close(&pr);
}

/* ---- tests ---- */

static void
test_matrix(void **state)
{
	size_t k, c, h, i = 0;

	(void)state;
	for (k = 0; k < NELEM(kexes); k++) {
		for (c = 0; c < NELEM(ciphers); c++) {
			for (h = 0; h < NELEM(hkalgs); h++) {
				run_combo(kexes[k], ciphers[c],
				          macs[i++ % NELEM(macs)], hkalgs[h],
				          CH_ALL);
			}
		}
	}
}

static void
test_cipher_mac(void **state)
{
	size_t c, m;

	(void)state;
	for (c = 0; c < NELEM(ciphers); c++) {
		for (m = 0; m < NELEM(macs); m++) {
			run_combo("curve25519-sha256", ciphers[c], macs[m],
			          "ssh-ed25519", CH_ALL);
		}
	}
}

static void
test_chunking(void **state)
{
	(void)state;
	run_combo("curve25519-sha256", "chacha20-poly1305@openssh.com", macs[0],
	          "ssh-ed25519", CH_ONE);
	run_combo("ecdh-sha2-nistp256", "aes128-ctr", "hmac-sha2-256",
	          "ecdsa-sha2-nistp256", CH_ONE);
	run_combo("diffie-hellman-group14-sha256", "aes256-gcm@openssh.com",
	          macs[1], "rsa-sha2-512", CH_RANDOM);
	run_combo("curve25519-sha256", "aes192-ctr",
	          "hmac-sha2-512-etm@openssh.com", "rsa-sha2-256", CH_RANDOM);
	space_used = 0;
	run_combo("curve25519-sha256", "aes128-gcm@openssh.com", macs[0],
	          "ssh-ed25519", CH_SPACE);
	assert_true(space_used > 0);
	run_combo("curve25519-sha256", "aes128-ctr", macs[0], "ssh-ed25519",
	          CH_SPACE);
	run_combo("curve25519-sha256", "chacha20-poly1305@openssh.com", macs[2],
	          "ssh-ed25519", CH_SPACE);
}

static void
open_default(struct pair *pr, enum chunking mode)
{
	struct transport_config cc, sc;

	memset(pr, 0, sizeof(*pr));
	cfg_init(&cc, NULL);
	cfg_init(&sc, NULL);
	pr->mode = mode;
	pair_open(pr, &cc, &sc);
}

/* Rekey while payloads are in flight; who: 0 client, 1 server, 2 both. */
static void
rekey_with_data(int who, enum chunking mode)
{
	struct pair pr;
	struct buf ec, es;
	const uint8_t *sid;
	size_t sidn;
	uint8_t sid0[64];
	int i;

	open_default(&pr, mode);
	pump(&pr);
	assert_established(&pr, 1);
	transport_session_id(pr.c.t, &sid, &sidn);
	memcpy(sid0, sid, sidn);
	buf_init(&ec, 0);
	buf_init(&es, 0);
	buf_reset(&pr.c.rx);
	for (i = 0; i < 6; i++) {
		send_payload(&pr.c, 94, (uint32_t)i, 40 + (size_t)i, &es);
		send_payload(&pr.s, 94, (uint32_t)i + 100, 60 + (size_t)i, &ec);
	}
	if (who != 1) {
		assert_int_equal(transport_rekey(pr.c.t), 0);
	}
	if (who != 0) {
		assert_int_equal(transport_rekey(pr.s.t), 0);
	}
	/* These are held back until the sender's NEWKEYS (if it started). */
	for (i = 6; i < 12; i++) {
		send_payload(&pr.c, 94, (uint32_t)i, 40 + (size_t)i, &es);
		send_payload(&pr.s, 94, (uint32_t)i + 100, 60 + (size_t)i, &ec);
	}
	/* Move half of the client's bytes so the rekey overlaps data. */
	{
		const uint8_t *p;
		size_t n;

		transport_output_peek(pr.c.t, &p, &n);
		assert_int_equal(transport_input(pr.s.t, p, n / 2), 0);
		transport_output_consume(pr.c.t, n / 2);
		drain(&pr.s);
		for (i = 12; i < 16; i++) {
			send_payload(&pr.s, 94, (uint32_t)i + 100, 70, &ec);
		}
	}
	pump(&pr);
	assert_established(&pr, 2);
	assert_int_equal(transport_kex_count(pr.c.t), 2);
	assert_rx(&pr.c.rx, &ec);
	assert_rx(&pr.s.rx, &es);
	transport_session_id(pr.c.t, &sid, &sidn);
	assert_memory_equal(sid, sid0, sidn);
	exchange_payloads(&pr, 5);
	buf_clear(&ec);
	buf_clear(&es);
	pair_close(&pr);
}

static void
test_rekey_client(void **state)
{
	(void)state;
	rekey_with_data(0, CH_ALL);
	rekey_with_data(0, CH_RANDOM);
}

static void
test_rekey_server(void **state)
{
	(void)state;
	rekey_with_data(1, CH_ALL);
	rekey_with_data(1, CH_ONE);
}

static void
test_rekey_both(void **state)
{
	(void)state;
	rekey_with_data(2, CH_ALL);
	rekey_with_data(2, CH_RANDOM);
}

static void
test_rekey_volume(void **state)
{
	struct transport_config cc, sc;
	struct pair pr;
	struct buf ec, es;
	int i;

	(void)state;
	memset(&pr, 0, sizeof(pr));
	cfg_init(&cc, NULL);
	cfg_init(&sc, NULL);
	cc.rekey_bytes = 20000;
	pair_open(&pr, &cc, &sc);
	pump(&pr);
	assert_established(&pr, 1);
	buf_init(&ec, 0);
	buf_init(&es, 0);
	buf_reset(&pr.c.rx);
	for (i = 0; i < 60; i++) {
		send_payload(&pr.c, 94, (uint32_t)i, 1000, &es);
		send_payload(&pr.s, 94, (uint32_t)i, 900, &ec);
		if (i % 7 == 0) {
			pump(&pr);
		}
	}
	pump(&pr);
	assert_true(transport_kex_count(pr.c.t) >= 3);
	assert_int_equal(transport_kex_count(pr.s.t),
	                 transport_kex_count(pr.c.t));
	assert_false(pr.c.disconnected);
	assert_false(pr.s.disconnected);
	assert_rx(&pr.c.rx, &ec);
	assert_rx(&pr.s.rx, &es);
	buf_clear(&ec);
	buf_clear(&es);
	pair_close(&pr);
}

static void
test_hostkey_reject(void **state)
{
	struct pair pr;

	(void)state;
	open_default(&pr, CH_ALL);
	pr.c.reject = true;
	pump(&pr);
	assert_int_equal(pr.c.hostkey_events, 1);
	assert_true(pr.c.disconnected);
	assert_false(pr.c.by_peer);
	assert_int_equal(pr.c.reason, SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE);
	assert_true(pr.s.disconnected);
	assert_true(pr.s.by_peer);
	assert_int_equal(pr.s.reason, SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE);
	assert_int_equal(pr.c.kex_done, 0);
	assert_int_equal(pr.s.kex_done, 0);
	pair_close(&pr);
}

static void
test_queued_before_kex(void **state)
{
	struct pair pr;
	struct buf es, ec;

	(void)state;
	open_default(&pr, CH_RANDOM);
	buf_init(&es, 0);
	buf_init(&ec, 0);
	send_payload(&pr.c, SSH2_MSG_SERVICE_REQUEST, 1, 20, &es);
	send_payload(&pr.c, 80, 2, 30, &es);
	send_payload(&pr.s, 80, 3, 30, &ec);
	pump(&pr);
	assert_established(&pr, 1);
	assert_rx(&pr.s.rx, &es);
	assert_rx(&pr.c.rx, &ec);
	buf_clear(&es);
	buf_clear(&ec);
	pair_close(&pr);
}

static void
test_send_invalid(void **state)
{
	struct pair pr;
	uint8_t p[4] = {SSH2_MSG_KEXINIT, 0, 0, 0};
	uint8_t m;

	(void)state;
	open_default(&pr, CH_ALL);
	for (m = 0; m < 50; m++) {
		p[0] = m;
		if (m == 5 || m == 6 || m == 7) {
			continue;
		}
		assert_int_equal(transport_send(pr.c.t, p, sizeof(p)),
		                 SESH_ERR_INVALID_ARGUMENT);
	}
	assert_int_equal(transport_send(pr.c.t, p, 0),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(transport_rekey(pr.c.t), SESH_ERR_PROTOCOL);
	assert_int_equal(transport_hostkey_accept(pr.c.t, true),
	                 SESH_ERR_INVALID_ARGUMENT);
	pump(&pr);
	assert_established(&pr, 1);
	pair_close(&pr);
}

static void
test_ext_info(void **state)
{
	struct transport_config cc, sc;
	struct pair pr;

	(void)state;
	open_default(&pr, CH_ALL);
	pump(&pr);
	assert_established(&pr, 1);
	assert_non_null(transport_server_sig_algs(pr.c.t));
	assert_string_equal(transport_server_sig_algs(pr.c.t),
	                    TRANSPORT_SERVER_SIG_ALGS);
	/* The EXT_INFO itself came as a PAYLOAD too. */
	assert_true(buf_len(&pr.c.rx) > 5);
	assert_int_equal(buf_data(&pr.c.rx)[4], SSH2_MSG_EXT_INFO);
	assert_null(transport_server_sig_algs(pr.s.t));
	pair_close(&pr);

	memset(&pr, 0, sizeof(pr));
	cfg_init(&cc, NULL);
	cfg_init(&sc, NULL);
	cc.no_ext_info = true;
	pair_open(&pr, &cc, &sc);
	pump(&pr);
	assert_established(&pr, 1);
	assert_null(transport_server_sig_algs(pr.c.t));
	assert_int_equal(buf_len(&pr.c.rx), 0);
	pair_close(&pr);
}

static void
test_ext_info_parse(void **state)
{
	struct buf b;
	char *sig = NULL;
	size_t i, bit;
	uint8_t *copy;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_put_u8(&b, SSH2_MSG_EXT_INFO), 0);
	assert_int_equal(buf_put_u32(&b, 2), 0);
	assert_int_equal(buf_put_cstring(&b, "delay-compression"), 0);
	assert_int_equal(buf_put_cstring(&b, "x"), 0);
	assert_int_equal(buf_put_cstring(&b, "server-sig-algs"), 0);
	assert_int_equal(buf_put_cstring(&b, "ssh-ed25519,rsa-sha2-256"), 0);
	assert_int_equal(
	    transport_ext_info_parse(buf_data(&b), buf_len(&b), &sig), 0);
	assert_string_equal(sig, "ssh-ed25519,rsa-sha2-256");
	free(sig);
	for (i = 0; i < buf_len(&b); i++) {
		sig = (char *)1;
		assert_true(transport_ext_info_parse(buf_data(&b), i, &sig) <
		            0);
		assert_null(sig);
	}
	copy = malloc(buf_len(&b));
	assert_non_null(copy);
	for (bit = 0; bit < buf_len(&b) * 8; bit++) {
		memcpy(copy, buf_data(&b), buf_len(&b));
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (transport_ext_info_parse(copy, buf_len(&b), &sig) == 0) {
			free(sig);
		} else {
			assert_null(sig);
		}
	}
	free(copy);
	/* Too many extensions; an invalid name-list value. */
	buf_reset(&b);
	assert_int_equal(buf_put_u8(&b, SSH2_MSG_EXT_INFO), 0);
	assert_int_equal(buf_put_u32(&b, TRANSPORT_MAX_EXTENSIONS + 1), 0);
	assert_int_equal(
	    transport_ext_info_parse(buf_data(&b), buf_len(&b), &sig),
	    SESH_ERR_LIMIT);
	buf_reset(&b);
	assert_int_equal(buf_put_u8(&b, SSH2_MSG_EXT_INFO), 0);
	assert_int_equal(buf_put_u32(&b, 1), 0);
	assert_int_equal(buf_put_cstring(&b, "server-sig-algs"), 0);
	assert_int_equal(buf_put_cstring(&b, "a,,b"), 0);
	assert_true(transport_ext_info_parse(buf_data(&b), buf_len(&b), &sig) <
	            0);
	assert_null(sig);
	buf_clear(&b);
}

/* A plain (unkeyed) packet stream builder for hand-made peers. */
static void
plain_packet(struct buf *wire, const uint8_t *p, size_t n)
{
	struct pkt_out o;
	struct trng r = {99};

	pkt_out_init(&o, trng_fill, &r);
	assert_int_equal(pkt_seal(&o, p, n, wire), 0);
	pkt_out_clear(&o);
}

/* The server's first output split: identification line, then packets. */
static void
take_output(struct transport *t, struct buf *ident, struct buf *pkts)
{
	const uint8_t *p, *lf;
	size_t n, l;

	transport_output_peek(t, &p, &n);
	lf = memchr(p, '\n', n);
	assert_non_null(lf);
	l = (size_t)(lf - p) + 1;
	if (ident != NULL) {
		assert_int_equal(buf_put(ident, p, l), 0);
	}
	if (pkts != NULL) {
		assert_int_equal(buf_put(pkts, p + l, n - l), 0);
	}
	transport_output_consume(t, n);
}

static void
feed(struct side *sd, const struct buf *b)
{
	(void)transport_input(sd->t, buf_data(b), buf_len(b));
	drain(sd);
}

static void
test_strict_ignore_before_kexinit(void **state)
{
	static const uint8_t ign[] = {SSH2_MSG_IGNORE, 0, 0, 0, 1, 'x'};
	struct pair pr;
	struct buf id, pk, wire;

	(void)state;
	open_default(&pr, CH_ALL);
	buf_init(&id, 0);
	buf_init(&pk, 0);
	buf_init(&wire, 0);
	take_output(pr.c.t, &id, &pk);
	assert_int_equal(buf_put(&wire, buf_data(&id), buf_len(&id)), 0);
	plain_packet(&wire, ign, sizeof(ign));
	assert_int_equal(buf_put(&wire, buf_data(&pk), buf_len(&pk)), 0);
	feed(&pr.s, &wire);
	assert_true(pr.s.disconnected);
	assert_false(pr.s.by_peer);
	assert_int_equal(pr.s.reason, SSH_DISCONNECT_PROTOCOL_ERROR);
	assert_int_equal(pr.s.err, SESH_ERR_PROTOCOL);
	/* The DISCONNECT reaches the client. */
	pump(&pr);
	assert_true(pr.c.disconnected);
	assert_true(pr.c.by_peer);
	buf_clear(&id);
	buf_clear(&pk);
	buf_clear(&wire);
	pair_close(&pr);
}

static void
test_strict_ignore_within_kex(void **state)
{
	struct transport_config cc, sc;
	struct pair pr;
	const char *who;

	(void)state;
	/* Server sends IGNORE right after its KEXINIT. */
	open_default(&pr, CH_ALL);
	assert_int_equal(transport_send_ignore(pr.s.t, NULL, 0), 0);
	pump(&pr);
	assert_true(pr.c.disconnected);
	assert_false(pr.c.by_peer);
	assert_int_equal(pr.c.reason, SSH_DISCONNECT_PROTOCOL_ERROR);
	assert_int_equal(pr.c.kex_done, 0);
	pair_close(&pr);

	/* Client sends IGNORE after its KEXINIT, also inside the KEX. */
	open_default(&pr, CH_ONE);
	assert_int_equal(
	    transport_send_ignore(pr.c.t, (const uint8_t *)"ab", 2), 0);
	pump(&pr);
	assert_true(pr.s.disconnected);
	assert_false(pr.s.by_peer);
	assert_int_equal(pr.s.kex_done, 0);
	pair_close(&pr);

	/* Non-strict (the client offers no kex-strict-c): tolerated, in
	 * both directions, and sequence numbers stay consistent. */
	for (who = "cs"; *who != '\0'; who++) {
		memset(&pr, 0, sizeof(pr));
		cfg_init(&cc, NULL);
		cfg_init(&sc, NULL);
		cc.no_strict_kex = true;
		pair_open(&pr, &cc, &sc);
		assert_int_equal(transport_send_ignore(
		                     *who == 'c' ? pr.c.t : pr.s.t, NULL, 0),
		                 0);
		pump(&pr);
		assert_established(&pr, 1);
		assert_false(transport_choice(pr.c.t)->strict);
		exchange_payloads(&pr, 3);
		assert_int_equal(transport_rekey(pr.c.t), 0);
		assert_int_equal(transport_send_ignore(pr.s.t, NULL, 0), 0);
		pump(&pr);
		assert_established(&pr, 2);
		exchange_payloads(&pr, 3);
		pair_close(&pr);
	}
}

/* Strict KEX resets sequence numbers after each NEWKEYS: after the
 * first exchange and after rekeys with IGNOREs around them, both sides
 * still agree (a mismatch would fail every MAC). */
static void
test_strict_seqnr(void **state)
{
	struct pair pr;
	int i;

	(void)state;
	open_default(&pr, CH_RANDOM);
	pump(&pr);
	assert_established(&pr, 1);
	assert_true(transport_choice(pr.s.t)->strict);
	for (i = 0; i < 3; i++) {
		assert_int_equal(transport_send_ignore(pr.c.t, NULL, 0), 0);
		exchange_payloads(&pr, 2);
		assert_int_equal(transport_rekey(i % 2 ? pr.s.t : pr.c.t), 0);
		assert_int_equal(transport_send_ignore(pr.s.t, NULL, 0), 0);
		pump(&pr);
		assert_established(&pr, 2 + i);
		exchange_payloads(&pr, 2);
	}
	pair_close(&pr);
}

static void
test_banner_lines(void **state)
{
	struct pair pr;
	struct buf pre, out;
	const uint8_t *p;
	size_t n, i;

	(void)state;
	/* Accepted: a few lines, CR LF and bare LF. */
	open_default(&pr, CH_ONE);
	buf_init(&pre, 0);
	assert_int_equal(
	    buf_put(&pre, "Welcome\r\nto the\nserver SSH-2.0-no\r\n", 35), 0);
	assert_int_equal(transport_input(pr.c.t, buf_data(&pre), buf_len(&pre)),
	                 0);
	pump(&pr);
	assert_established(&pr, 1);
	assert_string_equal(transport_peer_version(pr.c.t),
	                    TRANSPORT_DEFAULT_VERSION);
	pair_close(&pr);

	/* Over the line limit: refused. */
	open_default(&pr, CH_ALL);
	buf_reset(&pre);
	for (i = 0; i < SESH_MAX_BANNER_LINES + 1; i++) {
		assert_int_equal(buf_put(&pre, "x\r\n", 3), 0);
	}
	assert_true(transport_input(pr.c.t, buf_data(&pre), buf_len(&pre)) < 0);
	drain(&pr.c);
	assert_true(pr.c.disconnected);
	pair_close(&pr);

	/* Exactly the limit: accepted. */
	open_default(&pr, CH_ALL);
	buf_reset(&pre);
	for (i = 0; i < SESH_MAX_BANNER_LINES; i++) {
		assert_int_equal(buf_put(&pre, "x\n", 2), 0);
	}
	assert_int_equal(transport_input(pr.c.t, buf_data(&pre), buf_len(&pre)),
	                 0);
	pump(&pr);
	assert_established(&pr, 1);
	pair_close(&pr);

	/* A line over SESH_MAX_BANNER_LINE: refused. */
	open_default(&pr, CH_ALL);
	buf_reset(&pre);
	for (i = 0; i < SESH_MAX_BANNER_LINE + 1; i++) {
		assert_int_equal(buf_put_u8(&pre, 'y'), 0);
	}
	assert_true(transport_input(pr.c.t, buf_data(&pre), buf_len(&pre)) < 0);
	drain(&pr.c);
	assert_true(pr.c.disconnected);
	/* A DISCONNECT is queued for the peer anyway. */
	transport_output_peek(pr.c.t, &p, &n);
	assert_true(n > 0);
	pair_close(&pr);

	/* The server takes no lines before the identification. */
	open_default(&pr, CH_ALL);
	buf_init(&out, 0);
	take_output(pr.c.t, NULL, NULL);
	assert_true(transport_input(pr.s.t, (const uint8_t *)"hello\r\n", 7) <
	            0);
	drain(&pr.s);
	assert_true(pr.s.disconnected);
	buf_clear(&out);
	buf_clear(&pre);
	pair_close(&pr);
}

static void
bad_ident(enum transport_role victim, const char *line, uint32_t reason)
{
	struct pair pr;
	struct side *sd;

	open_default(&pr, CH_ALL);
	sd = victim == TRANSPORT_CLIENT ? &pr.c : &pr.s;
	assert_true(
	    transport_input(sd->t, (const uint8_t *)line, strlen(line)) < 0);
	drain(sd);
	assert_true(sd->disconnected);
	assert_false(sd->by_peer);
	if (reason != 0) {
		assert_int_equal(sd->reason, reason);
	}
	assert_null(transport_peer_version(sd->t));
	/* Later input is discarded. */
	assert_true(
	    transport_input(sd->t, (const uint8_t *)"SSH-2.0-x\r\n", 11) < 0);
	pair_close(&pr);
}

static void
test_bad_ident(void **state)
{
	char longid[400];
	struct pair pr;

	(void)state;
	bad_ident(TRANSPORT_SERVER, "GET / HTTP/1.1\r\n", 0);
	bad_ident(TRANSPORT_SERVER, "SSH-1.5-old\r\n",
	          SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED);
	bad_ident(TRANSPORT_CLIENT, "SSH-1.5-old\r\n",
	          SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED);
	bad_ident(TRANSPORT_CLIENT, "SSH-2.0-a\001b\r\n", 0);
	memset(longid, 'a', sizeof(longid));
	memcpy(longid, "SSH-2.0-", 8);
	memcpy(longid + 254, "\r\n", 3);
	bad_ident(TRANSPORT_CLIENT, longid, 0); /* 256 bytes with CR LF */
	longid[254] = 'a';
	bad_ident(TRANSPORT_SERVER, longid, 0); /* no line end in 300 */
	longid[253] = '\r';
	longid[254] = '\n';
	longid[255] = '\0';
	{
		/* 255 bytes with CR LF is fine. */
		open_default(&pr, CH_ALL);
		assert_int_equal(
		    transport_input(pr.c.t, (const uint8_t *)longid, 255), 0);
		drain(&pr.c);
		assert_false(pr.c.disconnected);
		assert_int_equal(strlen(transport_peer_version(pr.c.t)), 253);
		pair_close(&pr);
	}
	/* SSH-1.99 is SSH-2 compatible; bare LF accepted. */
	open_default(&pr, CH_ALL);
	assert_int_equal(
	    transport_input(pr.s.t, (const uint8_t *)"SSH-1.99-x\n", 11), 0);
	drain(&pr.s);
	assert_false(pr.s.disconnected);
	assert_string_equal(transport_peer_version(pr.s.t), "SSH-1.99-x");
	pair_close(&pr);
}

static void
test_no_common_alg(void **state)
{
	struct transport_config cc, sc;
	struct pair pr;

	(void)state;
	memset(&pr, 0, sizeof(pr));
	cfg_init(&cc, NULL);
	cfg_init(&sc, NULL);
	cc.ciphers = "aes128-ctr";
	sc.ciphers = "aes256-ctr";
	pair_open(&pr, &cc, &sc);
	pump(&pr);
	assert_true(pr.c.disconnected);
	assert_true(pr.s.disconnected);
	assert_int_equal(pr.c.reason, SSH_DISCONNECT_KEY_EXCHANGE_FAILED);
	assert_int_equal(pr.s.reason, SSH_DISCONNECT_KEY_EXCHANGE_FAILED);
	assert_non_null(strstr(pr.c.text, "encryption"));
	pair_close(&pr);

	memset(&pr, 0, sizeof(pr));
	cfg_init(&cc, NULL);
	cfg_init(&sc, NULL);
	cc.kex = "ecdh-sha2-nistp384";
	sc.kex = "curve25519-sha256";
	pair_open(&pr, &cc, &sc);
	pump(&pr);
	assert_true(pr.c.disconnected);
	assert_int_equal(pr.c.reason, SSH_DISCONNECT_KEY_EXCHANGE_FAILED);
	pair_close(&pr);

	/* Server with only an ed25519 key vs a client wanting RSA. */
	memset(&pr, 0, sizeof(pr));
	cfg_init(&cc, NULL);
	cfg_init(&sc, NULL);
	cc.hostkey = "rsa-sha2-512";
	sc.hostkeys = hostkeys;
	sc.n_hostkeys = 1;
	pair_open(&pr, &cc, &sc);
	pump(&pr);
	assert_true(pr.c.disconnected);
	assert_int_equal(pr.c.reason, SSH_DISCONNECT_KEY_EXCHANGE_FAILED);
	pair_close(&pr);
}

static void
test_disconnect(void **state)
{
	struct pair pr;
	uint8_t p[8] = {94, 1, 2, 3, 4, 5, 6, 7};

	(void)state;
	open_default(&pr, CH_ALL);
	pump(&pr);
	assert_established(&pr, 1);
	assert_int_equal(transport_disconnect(pr.c.t,
	                                      SSH_DISCONNECT_BY_APPLICATION,
	                                      "bye\x01now"),
	                 0);
	assert_int_equal(transport_disconnect(pr.c.t, 2, "again"),
	                 SESH_ERR_PROTOCOL);
	assert_int_equal(transport_send(pr.c.t, p, sizeof(p)),
	                 SESH_ERR_PROTOCOL);
	pump(&pr);
	assert_true(pr.c.disconnected);
	assert_false(pr.c.by_peer);
	assert_int_equal(pr.c.err, 0);
	assert_true(pr.s.disconnected);
	assert_true(pr.s.by_peer);
	assert_int_equal(pr.s.reason, SSH_DISCONNECT_BY_APPLICATION);
	assert_string_equal(pr.s.text, "bye?now");
	assert_int_equal(transport_send(pr.s.t, p, sizeof(p)),
	                 SESH_ERR_PROTOCOL);
	pair_close(&pr);
}

/* Every prefix of a DISCONNECT from a hand-made server before KEX is an
 * error (our DISCONNECT), the whole one the peer's. */
static void
test_disconnect_truncated(void **state)
{
	struct pair pr;
	struct buf msg, wire;
	size_t i;

	(void)state;
	buf_init(&msg, 0);
	buf_init(&wire, 0);
	assert_int_equal(buf_put_u8(&msg, SSH2_MSG_DISCONNECT), 0);
	assert_int_equal(buf_put_u32(&msg, 7), 0);
	assert_int_equal(buf_put_cstring(&msg, "service gone"), 0);
	assert_int_equal(buf_put_cstring(&msg, "en"), 0);
	for (i = 0; i <= buf_len(&msg); i++) {
		open_default(&pr, CH_ALL);
		buf_reset(&wire);
		assert_int_equal(buf_put(&wire, "SSH-2.0-fake\r\n", 14), 0);
		plain_packet(&wire, buf_data(&msg), i);
		feed(&pr.c, &wire);
		assert_true(pr.c.disconnected);
		if (i == buf_len(&msg)) {
			assert_true(pr.c.by_peer);
			assert_int_equal(pr.c.reason, 7);
			assert_string_equal(pr.c.text, "service gone");
		} else {
			assert_false(pr.c.by_peer);
			assert_int_equal(pr.c.reason,
			                 SSH_DISCONNECT_PROTOCOL_ERROR);
		}
		pair_close(&pr);
	}
	buf_clear(&msg);
	buf_clear(&wire);
}

/* Before the first KEX ends a service message is fatal, as is a KEX
 * method message before KEXINIT and a second KEXINIT. */
static void
test_disallowed_before_kex(void **state)
{
	static const uint8_t bad[][2] = {
	    {SSH2_MSG_SERVICE_ACCEPT, 0},
	    {SSH2_MSG_EXT_INFO, 0},
	    {50, 0},
	    {94, 0},
	    {SSH2_MSG_KEXDH_REPLY, 0},
	    {SSH2_MSG_NEWKEYS, 0},
	    {8, 0},
	    {25, 0},
	};
	struct pair pr;
	struct buf wire, id, pk;
	size_t i;

	(void)state;
	buf_init(&wire, 0);
	buf_init(&id, 0);
	buf_init(&pk, 0);
	for (i = 0; i < NELEM(bad); i++) {
		open_default(&pr, CH_ALL);
		buf_reset(&wire);
		assert_int_equal(buf_put(&wire, "SSH-2.0-fake\r\n", 14), 0);
		plain_packet(&wire, bad[i], 1);
		feed(&pr.c, &wire);
		assert_true(pr.c.disconnected);
		assert_false(pr.c.by_peer);
		pair_close(&pr);
	}
	/* A second KEXINIT within one exchange. */
	open_default(&pr, CH_ALL);
	buf_reset(&id);
	buf_reset(&pk);
	take_output(pr.s.t, &id, &pk);
	buf_reset(&wire);
	assert_int_equal(buf_put(&wire, buf_data(&id), buf_len(&id)), 0);
	assert_int_equal(buf_put(&wire, buf_data(&pk), buf_len(&pk)), 0);
	assert_int_equal(buf_put(&wire, buf_data(&pk), buf_len(&pk)), 0);
	feed(&pr.c, &wire);
	assert_true(pr.c.disconnected);
	pair_close(&pr);
	buf_clear(&wire);
	buf_clear(&id);
	buf_clear(&pk);
}

static void
test_config_invalid(void **state)
{
	struct transport_config cfg;
	struct transport *t = (struct transport *)1;
	struct trng r = {5};

	(void)state;
	cfg_init(&cfg, &r);
	cfg.rand = NULL;
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(t);
	cfg_init(&cfg, &r);
	cfg.version = "SSH-1.5-x";
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	cfg_init(&cfg, &r);
	cfg.ciphers = "aes128-ctr,rot13";
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	cfg_init(&cfg, &r);
	cfg.kex = "";
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	cfg_init(&cfg, &r);
	cfg.macs = "hmac-sha2-256,hmac-md5-96";
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	cfg_init(&cfg, &r);
	cfg.version = "SSH-2.0-sesh\r\nSSH-2.0-forged";
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	cfg_init(&cfg, &r);
	cfg.version = "SSH-2.0-"
	              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	cfg.version = "SSH-2.0-sesh";
	cfg.macs = "hmac-sha2-256";
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &cfg, &t), 0);
	transport_free(t);
	t = NULL;
	cfg_init(&cfg, &r);
	cfg.hostkey = "ssh-rsa";
	assert_int_equal(transport_new(TRANSPORT_CLIENT, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* A server without keys. */
	cfg_init(&cfg, &r);
	assert_int_equal(transport_new(TRANSPORT_SERVER, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(t);
	/* A server whose keys fit none of the configured algorithms. */
	cfg.hostkeys = hostkeys;
	cfg.n_hostkeys = 1;
	cfg.hostkey = "rsa-sha2-256";
	assert_int_equal(transport_new(TRANSPORT_SERVER, &cfg, &t),
	                 SESH_ERR_INVALID_ARGUMENT);
	cfg.hostkey = NULL;
	assert_int_equal(transport_new(TRANSPORT_SERVER, &cfg, &t), 0);
	transport_free(t);
	transport_free(NULL);
}

/* The captured OpenSSH 9.2 KEXINIT as the server's first packet: the
 * client negotiates with it and sends its KEX INIT. */
static void
test_openssh_kexinit(void **state)
{
	struct pair pr;
	struct buf wire;
	uint8_t data[4096];
	size_t n;
	FILE *f;
	const uint8_t *p;
	size_t on;

	(void)state;
	f = fopen(SESH_VECTORS_DIR "/kexinit/openssh92_server.bin", "rb");
	assert_non_null(f);
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	assert_true(n > 100);
	open_default(&pr, CH_ALL);
	take_output(pr.c.t, NULL, NULL);
	buf_init(&wire, 0);
	assert_int_equal(
	    buf_put(&wire, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", 32), 0);
	plain_packet(&wire, data, n);
	feed(&pr.c, &wire);
	assert_false(pr.c.disconnected);
	assert_string_equal(transport_choice(pr.c.t)->alg[KEX_ALG_KEX],
	                    "sntrup761x25519-sha512");
	assert_true(transport_choice(pr.c.t)->strict);
	transport_output_peek(pr.c.t, &p, &on);
	assert_true(on > 32); /* the KEX INIT */
	buf_clear(&wire);
	pair_close(&pr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_invalid),
	    cmocka_unit_test(test_cipher_mac),
	    cmocka_unit_test(test_chunking),
	    cmocka_unit_test(test_rekey_client),
	    cmocka_unit_test(test_rekey_server),
	    cmocka_unit_test(test_rekey_both),
	    cmocka_unit_test(test_rekey_volume),
	    cmocka_unit_test(test_hostkey_reject),
	    cmocka_unit_test(test_queued_before_kex),
	    cmocka_unit_test(test_send_invalid),
	    cmocka_unit_test(test_ext_info),
	    cmocka_unit_test(test_ext_info_parse),
	    cmocka_unit_test(test_strict_ignore_before_kexinit),
	    cmocka_unit_test(test_strict_ignore_within_kex),
	    cmocka_unit_test(test_strict_seqnr),
	    cmocka_unit_test(test_banner_lines),
	    cmocka_unit_test(test_bad_ident),
	    cmocka_unit_test(test_no_common_alg),
	    cmocka_unit_test(test_disconnect),
	    cmocka_unit_test(test_disconnect_truncated),
	    cmocka_unit_test(test_disallowed_before_kex),
	    cmocka_unit_test(test_openssh_kexinit),
	    cmocka_unit_test(test_matrix),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
