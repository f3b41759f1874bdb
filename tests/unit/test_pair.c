/*
 * test_pair.c - client and server engines joined in memory: what
 * test_transport.c and test_conn.c do not already cover.
 *
 *  - Every host key algorithm (ssh-ed25519, ecdsa-sha2-nistp256/384/521,
 *    rsa-sha2-256/512), signed inline and by event (sign_by_event with
 *    public-only host keys: HOSTKEY_SIGN answered by the test acting as
 *    the privileged monitor), and every KEX method by event; bytes moved
 *    whole, one at a time and in seeded random chunks; data both ways
 *    after each exchange, and a rekey (a second HOSTKEY_SIGN).
 *  - Refused signature answers: garbage, another key's signature, the
 *    right key over other data, the other RSA hash, a NULL answer; each
 *    ends the server with KEY_EXCHANGE_FAILED before any REPLY leaves.
 *    Answers without a question are refused.
 *  - Determinism: with the same rand seeds two runs of every KEX method
 *    produce the same bytes both ways (all ephemeral keys come from the
 *    injected rand function).
 *  - Time: rekey_seconds on either side starts a rekey when
 *    transport_tick() reaches the deadline transport_next_deadline()
 *    gave, not before, with data flowing both ways; combined with a
 *    volume limit on the other side; strict-KEX sequence numbers stay
 *    right (any slip fails a MAC). The same through conn (conn_tick,
 *    conn_next_deadline, conn_input's now) and CONN_EV_HOSTKEY_SIGN,
 *    and 2.7 MB of channel data both ways through conn while the server
 *    rekeys by time and the client by volume.
 *  - Strict KEX: IGNORE, DEBUG, an unknown transport number (25) and a
 *    service number (200) injected before NEWKEYS each disconnect;
 *    without strict KEX IGNORE and DEBUG are accepted.
 *  - UNIMPLEMENTED for a delivered payload names the sequence number
 *    the sender used (also across a rekey with strict-KEX resets).
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
#include "ssh/channel.h"
#include "ssh/conn.h"
#include "ssh/kex.h"
#include "ssh/msg.h"
#include "ssh/packet.h"
#include "ssh/transport.h"
#include "ssh/userauth.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

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

/* ---- host keys: private (the monitor's) and public (the engine's) ---- */

enum { HK_ED, HK_P256, HK_P384, HK_P521, HK_RSA, HK_N };

static struct sshkey *priv_keys[HK_N], *pub_keys[HK_N], *other_ed;
static const struct sshkey *priv_list[HK_N], *pub_list[HK_N];

static int
group_setup(void **state)
{
	static const enum key_type types[HK_N] = {KEY_ED25519, KEY_ECDSA_P256,
	                                          KEY_ECDSA_P384,
	                                          KEY_ECDSA_P521, KEY_RSA};
	static const unsigned bits[HK_N] = {0, 256, 384, 521, 2048};
	size_t i;

	(void)state;
	for (i = 0; i < HK_N; i++) {
		if (key_generate(types[i], bits[i], &priv_keys[i]) != 0 ||
		    key_public_copy(priv_keys[i], &pub_keys[i]) != 0 ||
		    key_has_private(pub_keys[i])) {
			return -1;
		}
		priv_list[i] = priv_keys[i];
		pub_list[i] = pub_keys[i];
	}
	return key_generate(KEY_ED25519, 0, &other_ed) == 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < HK_N; i++) {
		key_free(priv_keys[i]);
		key_free(pub_keys[i]);
	}
	key_free(other_ed);
	return 0;
}

static const char *const kex_names[] = {
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

static const struct {
	const char *alg;
	int key;
} hkalgs[] = {
    {"ssh-ed25519", HK_ED},           {"ecdsa-sha2-nistp256", HK_P256},
    {"ecdsa-sha2-nistp384", HK_P384}, {"ecdsa-sha2-nistp521", HK_P521},
    {"rsa-sha2-256", HK_RSA},         {"rsa-sha2-512", HK_RSA},
};

/* ---- a transport pair ---- */

enum chunking { CH_ALL, CH_ONE, CH_RANDOM };

enum sign_answer {
	SIGN_GOOD,
	SIGN_GARBAGE,
	SIGN_OTHER_KEY,
	SIGN_OTHER_DATA,
	SIGN_OTHER_HASH, /* rsa-sha2-256 for -512 and back */
	SIGN_NULL,
};

struct side {
	struct transport *t;
	struct buf rx;   /* PAYLOAD events, each as string(payload) */
	struct buf wire; /* every byte this side received */
	int kex_done;
	int hostkey_events;
	int sign_events;
	enum sign_answer answer;
	int sign_ret; /* last transport_hostkey_signature() result */
	bool disconnected, by_peer;
	uint32_t reason;
	int err;
};

struct pair {
	struct side c, s;
	struct trng rc, rs, chunk;
	enum chunking mode;
};

static const struct sshkey *
private_for(const struct sshkey *pub)
{
	size_t i;

	for (i = 0; i < HK_N; i++) {
		if (key_equal_public(priv_keys[i], pub)) {
			return priv_keys[i];
		}
	}
	fail_msg("no private key for the host key");
	return NULL;
}

/* The test as the privileged monitor: answers HOSTKEY_SIGN. */
static void
answer_sign(struct side *sd, const struct transport_event *ev)
{
	const struct sshkey *k;
	const char *alg = ev->sig_alg;
	struct buf sig;
	uint8_t junk[80];
	size_t i;

	assert_non_null(ev->hostkey);
	assert_false(key_has_private(ev->hostkey));
	assert_non_null(ev->sig_alg);
	assert_true(ev->hash_len >= 32 && ev->hash_len <= 64);
	assert_int_equal(ev->hash_len,
	                 hash_len(kex_method_by_name(
	                              transport_choice(sd->t)->alg[KEX_ALG_KEX])
	                              ->hash));
	k = private_for(ev->hostkey);
	buf_init(&sig, 0);
	switch (sd->answer) {
	case SIGN_GOOD:
		assert_int_equal(key_sign(k, alg, ev->hash, ev->hash_len, &sig),
		                 0);
		break;
	case SIGN_GARBAGE:
		for (i = 0; i < sizeof(junk); i++) {
			junk[i] = (uint8_t)(i * 37 + 1);
		}
		assert_int_equal(buf_put(&sig, junk, sizeof(junk)), 0);
		break;
	case SIGN_OTHER_KEY:
		assert_int_equal(key_sign(other_ed, "ssh-ed25519", ev->hash,
		                          ev->hash_len, &sig),
		                 0);
		break;
	case SIGN_OTHER_DATA:
		assert_int_equal(
		    key_sign(k, alg, ev->hash, ev->hash_len - 1, &sig), 0);
		break;
	case SIGN_OTHER_HASH:
		assert_int_equal(key_sign(k,
		                          strcmp(alg, "rsa-sha2-512") == 0
		                              ? "rsa-sha2-256"
		                              : "rsa-sha2-512",
		                          ev->hash, ev->hash_len, &sig),
		                 0);
		break;
	case SIGN_NULL:
		break;
	}
	sd->sign_ret = transport_hostkey_signature(
	    sd->t, buf_len(&sig) > 0 ? buf_data(&sig) : NULL, buf_len(&sig));
	if (sd->answer == SIGN_GOOD || sd->answer == SIGN_NULL) {
		assert_int_equal(sd->sign_ret, 0);
	} else {
		assert_true(sd->sign_ret < 0);
	}
	/* answered: a second answer is refused */
	assert_int_equal(
	    transport_hostkey_signature(sd->t, buf_data(&sig), buf_len(&sig)),
	    SESH_ERR_INVALID_ARGUMENT);
	buf_clear(&sig);
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
			assert_int_equal(transport_hostkey_accept(sd->t, true),
			                 0);
			break;
		case TRANSPORT_EV_HOSTKEY_SIGN:
			sd->sign_events++;
			answer_sign(sd, &ev);
			break;
		case TRANSPORT_EV_KEX_DONE:
			sd->kex_done++;
			break;
		case TRANSPORT_EV_PAYLOAD:
			assert_int_equal(
			    buf_put_string(&sd->rx, ev.payload, ev.len), 0);
			break;
		case TRANSPORT_EV_DISCONNECTED:
			assert_false(sd->disconnected);
			sd->disconnected = true;
			sd->by_peer = ev.by_peer;
			sd->reason = ev.reason;
			sd->err = ev.err;
			break;
		}
	}
}

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
	} else if (pr->mode == CH_RANDOM) {
		k = 1 + trng_next(&pr->chunk) % 900;
		if (k > n) {
			k = n;
		}
	}
	assert_int_equal(buf_put(&to->wire, p, k), 0);
	ret = transport_input(to->t, p, k);
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
cfg_init(struct transport_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->rand = trng_fill;
}

/* Server config: public keys signed by event, or private ones inline. */
static void
server_keys(struct transport_config *sc, bool by_event)
{
	sc->hostkeys = by_event ? pub_list : priv_list;
	sc->n_hostkeys = HK_N;
	sc->sign_by_event = by_event;
}

static void
pair_open(struct pair *pr, const struct transport_config *cc,
          const struct transport_config *sc, enum chunking mode)
{
	struct transport_config c = *cc, s = *sc;

	memset(pr, 0, sizeof(*pr));
	pr->mode = mode;
	pr->rc.s = 0x1234567;
	pr->rs.s = 0x7654321;
	pr->chunk.s = 0xabcdef;
	c.rand_ctx = &pr->rc;
	s.rand_ctx = &pr->rs;
	buf_init(&pr->c.rx, 0);
	buf_init(&pr->s.rx, 0);
	buf_init(&pr->c.wire, 0);
	buf_init(&pr->s.wire, 0);
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
	buf_clear(&pr->c.wire);
	buf_clear(&pr->s.wire);
}

static void
send_payload(struct side *sd, uint32_t tag, size_t len, struct buf *expect)
{
	uint8_t p[4096];
	size_t i;

	assert_true(len >= 5 && len <= sizeof(p));
	p[0] = 94;
	p[1] = (uint8_t)(tag >> 24);
	p[2] = (uint8_t)(tag >> 16);
	p[3] = (uint8_t)(tag >> 8);
	p[4] = (uint8_t)tag;
	for (i = 5; i < len; i++) {
		p[i] = (uint8_t)(tag * 7 + i);
	}
	assert_int_equal(transport_send(sd->t, p, len), 0);
	assert_int_equal(buf_put_string(expect, p, len), 0);
}

/* Received payloads (EXT_INFO left out) equal expect. */
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
exchange(struct pair *pr, int count)
{
	struct buf ec, es;
	int i;

	buf_init(&ec, 0);
	buf_init(&es, 0);
	buf_reset(&pr->c.rx);
	buf_reset(&pr->s.rx);
	for (i = 0; i < count; i++) {
		send_payload(&pr->c, (uint32_t)i, 5 + (size_t)i * 41 % 1800,
		             &es);
		send_payload(&pr->s, (uint32_t)i + 500,
		             5 + (size_t)i * 59 % 2100, &ec);
	}
	pump(pr);
	assert_rx(&pr->c.rx, &ec);
	assert_rx(&pr->s.rx, &es);
	buf_clear(&ec);
	buf_clear(&es);
}

static void
assert_up(struct pair *pr, int kexes)
{
	assert_false(pr->c.disconnected);
	assert_false(pr->s.disconnected);
	assert_int_equal(pr->c.kex_done, kexes);
	assert_int_equal(pr->s.kex_done, kexes);
	assert_int_equal(transport_kex_count(pr->c.t), (unsigned)kexes);
	assert_int_equal(transport_kex_count(pr->s.t), (unsigned)kexes);
}

/* One exchange with kex, host key algorithm hk; by event or inline;
 * then data, a rekey started by the client, data again. */
static void
run_combo(const char *kex, const char *hk, bool by_event, enum chunking mode)
{
	struct transport_config cc, sc;
	struct pair pr;

	cfg_init(&cc);
	cfg_init(&sc);
	cc.kex = kex;
	cc.hostkey = hk;
	server_keys(&sc, by_event);
	pair_open(&pr, &cc, &sc, mode);
	pump(&pr);
	assert_up(&pr, 1);
	assert_string_equal(transport_choice(pr.c.t)->alg[KEX_ALG_KEX], kex);
	assert_string_equal(transport_choice(pr.c.t)->alg[KEX_ALG_HOSTKEY], hk);
	assert_true(transport_choice(pr.c.t)->strict);
	assert_int_equal(pr.s.sign_events, by_event ? 1 : 0);
	exchange(&pr, 3);
	assert_int_equal(transport_rekey(pr.c.t), 0);
	exchange(&pr, 3);
	assert_up(&pr, 2);
	assert_int_equal(pr.s.sign_events, by_event ? 2 : 0);
	assert_int_equal(pr.c.hostkey_events, 1);
	pair_close(&pr);
}

/* ---- tests: algorithms ---- */

static void
test_hostkeys_inline_and_event(void **state)
{
	size_t h;

	(void)state;
	for (h = 0; h < NELEM(hkalgs); h++) {
		run_combo("curve25519-sha256", hkalgs[h].alg, false,
		          h % 2 ? CH_RANDOM : CH_ALL);
		run_combo("ecdh-sha2-nistp256", hkalgs[h].alg, true,
		          h % 2 ? CH_ALL : CH_RANDOM);
	}
}

static void
test_kexes_by_event(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < NELEM(kex_names); k++) {
		run_combo(kex_names[k], hkalgs[k % NELEM(hkalgs)].alg, true,
		          (enum chunking)(k % 3));
	}
}

static void
test_one_byte_by_event(void **state)
{
	(void)state;
	run_combo("ecdh-sha2-nistp521", "ecdsa-sha2-nistp384", true, CH_ONE);
	run_combo("diffie-hellman-group14-sha256", "rsa-sha2-512", true,
	          CH_ONE);
}

/* A public-only host key needs no flag: the engine asks anyway. */
static void
test_public_keys_imply_event(void **state)
{
	struct transport_config cc, sc;
	struct pair pr;

	(void)state;
	cfg_init(&cc);
	cfg_init(&sc);
	sc.hostkeys = pub_list;
	sc.n_hostkeys = HK_N;
	pair_open(&pr, &cc, &sc, CH_ALL);
	pump(&pr);
	assert_up(&pr, 1);
	assert_int_equal(pr.s.sign_events, 1);
	exchange(&pr, 2);
	pair_close(&pr);
}

/* ---- tests: refused signatures ---- */

static void
refused(const char *hk, enum sign_answer a, int want_err)
{
	struct transport_config cc, sc;
	struct pair pr;

	cfg_init(&cc);
	cfg_init(&sc);
	cc.hostkey = hk;
	server_keys(&sc, true);
	pair_open(&pr, &cc, &sc, CH_ALL);
	pr.s.answer = a;
	pump(&pr);
	assert_int_equal(pr.s.sign_events, 1);
	if (want_err != 0) {
		assert_int_equal(pr.s.sign_ret, want_err);
	}
	assert_true(pr.s.disconnected);
	assert_false(pr.s.by_peer);
	assert_int_equal(pr.s.reason, SSH_DISCONNECT_KEY_EXCHANGE_FAILED);
	assert_int_equal(pr.s.kex_done, 0);
	/* No REPLY left the server: the client saw only the DISCONNECT. */
	assert_true(pr.c.disconnected);
	assert_true(pr.c.by_peer);
	assert_int_equal(pr.c.reason, SSH_DISCONNECT_KEY_EXCHANGE_FAILED);
	assert_int_equal(pr.c.hostkey_events, 0);
	assert_int_equal(pr.c.kex_done, 0);
	pair_close(&pr);
}

static void
test_sign_refused(void **state)
{
	(void)state;
	refused("ssh-ed25519", SIGN_GARBAGE, 0);
	refused("ecdsa-sha2-nistp256", SIGN_GARBAGE, 0);
	refused("ssh-ed25519", SIGN_OTHER_KEY, SESH_ERR_BAD_SIGNATURE);
	refused("ssh-ed25519", SIGN_OTHER_DATA, SESH_ERR_BAD_SIGNATURE);
	refused("ecdsa-sha2-nistp384", SIGN_OTHER_DATA, SESH_ERR_BAD_SIGNATURE);
	refused("rsa-sha2-512", SIGN_OTHER_HASH, SESH_ERR_SIG_ALG_MISMATCH);
	refused("rsa-sha2-256", SIGN_OTHER_HASH, SESH_ERR_SIG_ALG_MISMATCH);
	refused("ecdsa-sha2-nistp521", SIGN_NULL, 0);
}

static void
test_sign_without_question(void **state)
{
	struct transport_config cc, sc;
	struct pair pr;
	uint8_t sig[4] = {0, 0, 0, 0};

	(void)state;
	cfg_init(&cc);
	cfg_init(&sc);
	server_keys(&sc, false);
	pair_open(&pr, &cc, &sc, CH_ALL);
	assert_int_equal(transport_hostkey_signature(pr.s.t, sig, sizeof(sig)),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(transport_hostkey_signature(pr.c.t, sig, sizeof(sig)),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(transport_hostkey_signature(NULL, sig, sizeof(sig)),
	                 SESH_ERR_INVALID_ARGUMENT);
	pump(&pr);
	assert_up(&pr, 1);
	assert_int_equal(transport_hostkey_signature(pr.s.t, sig, sizeof(sig)),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* a client config's sign_by_event means nothing */
	pair_close(&pr);
	cfg_init(&cc);
	cc.sign_by_event = true;
	cfg_init(&sc);
	server_keys(&sc, false);
	pair_open(&pr, &cc, &sc, CH_ALL);
	pump(&pr);
	assert_up(&pr, 1);
	assert_int_equal(pr.c.sign_events + pr.s.sign_events, 0);
	pair_close(&pr);
}

/* ---- tests: determinism ---- */

static void
record(const char *kex, struct buf *c_in, struct buf *s_in)
{
	struct transport_config cc, sc;
	struct pair pr;

	cfg_init(&cc);
	cfg_init(&sc);
	cc.kex = kex;
	cc.hostkey = "ssh-ed25519"; /* deterministic signatures */
	server_keys(&sc, false);
	pair_open(&pr, &cc, &sc, CH_ALL);
	pump(&pr);
	assert_up(&pr, 1);
	exchange(&pr, 2);
	assert_int_equal(
	    buf_put(c_in, buf_data(&pr.c.wire), buf_len(&pr.c.wire)), 0);
	assert_int_equal(
	    buf_put(s_in, buf_data(&pr.s.wire), buf_len(&pr.s.wire)), 0);
	pair_close(&pr);
}

static void
test_deterministic(void **state)
{
	struct buf c1, s1, c2, s2;
	size_t k;

	(void)state;
	for (k = 0; k < NELEM(kex_names); k++) {
		buf_init(&c1, 0);
		buf_init(&s1, 0);
		buf_init(&c2, 0);
		buf_init(&s2, 0);
		record(kex_names[k], &c1, &s1);
		record(kex_names[k], &c2, &s2);
		assert_int_equal(buf_len(&c1), buf_len(&c2));
		assert_memory_equal(buf_data(&c1), buf_data(&c2), buf_len(&c1));
		assert_int_equal(buf_len(&s1), buf_len(&s2));
		assert_memory_equal(buf_data(&s1), buf_data(&s2), buf_len(&s1));
		buf_clear(&c1);
		buf_clear(&s1);
		buf_clear(&c2);
		buf_clear(&s2);
	}
}

/* ---- tests: time ---- */

/* who: 0 client has rekey_seconds, 1 server; other_volume: the other
 * side also has a small volume limit. */
static void
rekey_by_time(int who, bool other_volume, enum chunking mode)
{
	struct transport_config cc, sc;
	struct pair pr;
	struct side *timed, *other;
	struct buf ec, es;
	uint64_t when = 0, t0 = 1000000;
	unsigned kexes;
	int i, round;

	cfg_init(&cc);
	cfg_init(&sc);
	server_keys(&sc, who == 1);
	if (who == 0) {
		cc.rekey_seconds = 30;
		sc.rekey_bytes = other_volume ? 40000 : 0;
	} else {
		sc.rekey_seconds = 30;
		cc.rekey_bytes = other_volume ? 40000 : 0;
	}
	pair_open(&pr, &cc, &sc, mode);
	timed = who == 0 ? &pr.c : &pr.s;
	other = who == 0 ? &pr.s : &pr.c;
	assert_false(transport_next_deadline(timed->t, &when));
	assert_int_equal(transport_tick(timed->t, t0), 0);
	assert_false(transport_next_deadline(timed->t, &when));
	pump(&pr);
	assert_up(&pr, 1);
	assert_true(transport_choice(pr.c.t)->strict);
	/* the count starts when the exchange ended (the last tick) */
	assert_true(transport_next_deadline(timed->t, &when));
	assert_true(when == t0 + 30000);
	assert_false(transport_next_deadline(other->t, &when));
	assert_true(transport_next_deadline(timed->t, &when));
	buf_init(&ec, 0);
	buf_init(&es, 0);
	buf_reset(&pr.c.rx);
	buf_reset(&pr.s.rx);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 8; i++) {
			send_payload(&pr.c, (uint32_t)(round * 100 + i),
			             300 + (size_t)i * 97, &es);
			send_payload(&pr.s, (uint32_t)(round * 100 + i + 50),
			             200 + (size_t)i * 131, &ec);
		}
		pump(&pr);
		/* (a volume rekey may have moved the deadline) */
		assert_true(transport_next_deadline(timed->t, &when));
		kexes = transport_kex_count(timed->t);
		/* just before the deadline: nothing */
		assert_int_equal(transport_tick(timed->t, when - 1), 0);
		pump(&pr);
		assert_int_equal(transport_kex_count(timed->t), kexes);
		/* at the deadline, with data queued both ways */
		for (i = 0; i < 4; i++) {
			send_payload(&pr.c, (uint32_t)(round * 100 + 20 + i),
			             1000, &es);
			send_payload(&pr.s, (uint32_t)(round * 100 + 70 + i),
			             1100, &ec);
		}
		assert_int_equal(transport_tick(timed->t, when), 0);
		assert_false(transport_next_deadline(timed->t, &when));
		for (i = 0; i < 4; i++) {
			send_payload(&pr.c, (uint32_t)(round * 100 + 30 + i),
			             700, &es);
			send_payload(&pr.s, (uint32_t)(round * 100 + 80 + i),
			             800, &ec);
		}
		pump(&pr);
		if (other_volume) {
			assert_true(transport_kex_count(timed->t) >= kexes + 1);
		} else {
			assert_int_equal(transport_kex_count(timed->t),
			                 kexes + 1);
		}
		assert_int_equal(transport_kex_count(other->t),
		                 transport_kex_count(timed->t));
		assert_false(pr.c.disconnected);
		assert_false(pr.s.disconnected);
		assert_true(transport_next_deadline(timed->t, &when));
	}
	if (other_volume) {
		/* enough data for the other side's volume limit too */
		for (i = 0; i < 40; i++) {
			send_payload(&pr.c, (uint32_t)(900 + i), 2000, &es);
			send_payload(&pr.s, (uint32_t)(950 + i), 2000, &ec);
			if (i % 5 == 0) {
				pump(&pr);
			}
		}
		pump(&pr);
		assert_true(transport_kex_count(other->t) >= 6);
	}
	assert_rx(&pr.c.rx, &ec);
	assert_rx(&pr.s.rx, &es);
	assert_int_equal(transport_kex_count(pr.c.t),
	                 transport_kex_count(pr.s.t));
	assert_int_equal(pr.c.hostkey_events, 1);
	exchange(&pr, 3);
	buf_clear(&ec);
	buf_clear(&es);
	pair_close(&pr);
}

static void
test_rekey_time_client(void **state)
{
	(void)state;
	rekey_by_time(0, false, CH_ALL);
	rekey_by_time(0, true, CH_RANDOM);
}

static void
test_rekey_time_server(void **state)
{
	(void)state;
	rekey_by_time(1, false, CH_RANDOM);
	rekey_by_time(1, true, CH_ONE);
}

/* The clock may stand still or step back: no rekey, no crash. */
static void
test_time_monotonic(void **state)
{
	struct transport_config cc, sc;
	struct pair pr;
	uint64_t when;

	(void)state;
	cfg_init(&cc);
	cfg_init(&sc);
	server_keys(&sc, false);
	cc.rekey_seconds = 1;
	pair_open(&pr, &cc, &sc, CH_ALL);
	pump(&pr);
	assert_up(&pr, 1);
	/* no tick before: the first one starts the count */
	assert_false(transport_next_deadline(pr.c.t, &when));
	assert_int_equal(transport_tick(pr.c.t, 5000), 0);
	assert_true(transport_next_deadline(pr.c.t, &when));
	assert_true(when == 6000);
	assert_int_equal(transport_tick(pr.c.t, 100), 0);
	assert_int_equal(transport_tick(pr.c.t, 5999), 0);
	pump(&pr);
	assert_up(&pr, 1);
	assert_int_equal(transport_tick(pr.c.t, 7000), 0);
	pump(&pr);
	assert_up(&pr, 2);
	assert_int_equal(transport_tick(NULL, 1), SESH_ERR_INVALID_ARGUMENT);
	assert_false(transport_next_deadline(NULL, &when));
	/* without rekey_seconds there is never a deadline */
	assert_false(transport_next_deadline(pr.s.t, &when));
	pair_close(&pr);
}

/* ---- tests: strict KEX injections ---- */

static void
plain_packet(struct buf *wire, const uint8_t *p, size_t n)
{
	struct pkt_out o;
	struct trng r = {99};

	pkt_out_init(&o, trng_fill, &r);
	assert_int_equal(pkt_seal(&o, p, n, wire), 0);
	pkt_out_clear(&o);
}

/* Moves all of from's output to to, adding a plain packet (msg) at the
 * end when msg is not NULL. */
static void
move_all(struct side *from, struct side *to, const uint8_t *msg, size_t n)
{
	const uint8_t *p;
	size_t len;
	struct buf w;

	buf_init(&w, 0);
	transport_output_peek(from->t, &p, &len);
	assert_int_equal(buf_put(&w, p, len), 0);
	transport_output_consume(from->t, len);
	if (msg != NULL) {
		plain_packet(&w, msg, n);
	}
	(void)transport_input(to->t, buf_data(&w), buf_len(&w));
	drain(to);
	buf_clear(&w);
}

/*
 * The client's INIT goes out with msg right behind it (before the
 * client's NEWKEYS): the server must refuse it under strict KEX, and
 * accept it otherwise when accept is true.
 */
static void
inject(const uint8_t *msg, size_t n, bool strict, bool accept)
{
	struct transport_config cc, sc;
	struct pair pr;

	cfg_init(&cc);
	cfg_init(&sc);
	server_keys(&sc, false);
	cc.no_strict_kex = !strict;
	pair_open(&pr, &cc, &sc, CH_ALL);
	move_all(&pr.s, &pr.c, NULL, 0); /* ident, KEXINIT */
	drain(&pr.c);
	move_all(&pr.c, &pr.s, msg, n); /* ident, KEXINIT, INIT, msg */
	if (strict || !accept) {
		assert_true(pr.s.disconnected);
		assert_false(pr.s.by_peer);
		assert_int_equal(pr.s.reason, SSH_DISCONNECT_PROTOCOL_ERROR);
		assert_int_equal(pr.s.kex_done, 0);
		pump(&pr);
		assert_true(pr.c.disconnected);
		assert_true(pr.c.by_peer);
	} else {
		/* Both finish the exchange. (No data afterwards: the client
		 * did not count the injected packet, so without strict KEX
		 * the sequence numbers now differ by one; test_transport.c
		 * covers counted IGNOREs with data.) */
		assert_false(pr.s.disconnected);
		pump(&pr);
		assert_up(&pr, 1);
	}
	pair_close(&pr);
}

static void
test_strict_injections(void **state)
{
	static const uint8_t ign[] = {SSH2_MSG_IGNORE, 0, 0, 0, 2, 'h', 'i'};
	static const uint8_t dbg[] = {
	    SSH2_MSG_DEBUG, 1, 0, 0, 0, 1, 'x', 0, 0, 0, 0};
	static const uint8_t unk25[] = {25, 1, 2, 3};
	static const uint8_t svc200[] = {200, 0, 0, 0, 0};

	(void)state;
	inject(ign, sizeof(ign), true, false);
	inject(dbg, sizeof(dbg), true, false);
	inject(unk25, sizeof(unk25), true, false);
	inject(svc200, sizeof(svc200), true, false);
	inject(ign, sizeof(ign), false, true);
	inject(dbg, sizeof(dbg), false, true);
	/* not KEX messages: refused during the first exchange anyway */
	inject(svc200, sizeof(svc200), false, false);
	inject(unk25, sizeof(unk25), false, false);
}

/* ---- tests: UNIMPLEMENTED ---- */

/* The server answers one delivered payload with UNIMPLEMENTED: the
 * client sees the sequence number it sent the payload with. */
static void
test_unimplemented(void **state)
{
	static const uint8_t odd[] = {250, 1, 2, 3};
	struct transport_config cc, sc;
	struct transport_event ev;
	struct pair pr;
	const uint8_t *p;
	uint32_t seq = 0, got = 7;
	size_t n;
	int round;

	(void)state;
	cfg_init(&cc);
	cfg_init(&sc);
	server_keys(&sc, false);
	pair_open(&pr, &cc, &sc, CH_RANDOM);
	assert_int_equal(transport_send_unimplemented(pr.s.t),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(transport_send_unimplemented(NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	pump(&pr);
	assert_up(&pr, 1);
	assert_int_equal(transport_unimplemented_received(pr.c.t, &got), 0);
	assert_int_equal(got, 0);
	for (round = 1; round <= 3; round++) {
		exchange(&pr, round);
		transport_seqnrs(pr.c.t, &seq, NULL);
		assert_int_equal(transport_send(pr.c.t, odd, sizeof(odd)), 0);
		transport_output_peek(pr.c.t, &p, &n);
		assert_int_equal(transport_input(pr.s.t, p, n), 0);
		transport_output_consume(pr.c.t, n);
		assert_int_equal(transport_next_event(pr.s.t, &ev), 0);
		assert_int_equal(ev.type, TRANSPORT_EV_PAYLOAD);
		assert_int_equal(ev.payload[0], 250);
		assert_int_equal(transport_send_unimplemented(pr.s.t), 0);
		if (round == 2) {
			/* also in the middle of a rekey */
			assert_int_equal(transport_rekey(pr.s.t), 0);
		}
		pump(&pr);
		assert_int_equal(transport_unimplemented_received(pr.c.t, &got),
		                 (unsigned)round);
		assert_int_equal(got, seq);
		assert_false(pr.c.disconnected);
		assert_false(pr.s.disconnected);
	}
	assert_int_equal(transport_kex_count(pr.c.t), 2);
	exchange(&pr, 2);
	assert_int_equal(transport_disconnect(pr.s.t, 11, "bye"), 0);
	assert_int_equal(transport_send_unimplemented(pr.s.t),
	                 SESH_ERR_PROTOCOL);
	pair_close(&pr);
}

/* ---- conn: HOSTKEY_SIGN and time ---- */

struct cside {
	struct conn *c;
	struct trng rng;
	int kex_done, sign_events, ua_events;
	bool disconnected;
	/* channel streaming (stream mode) */
	bool stream, server, chan_open;
	uint32_t chan_id;
	size_t to_send, sent; /* bytes of our pattern */
	size_t budget;        /* bytes we may still send this round */
	struct buf got;       /* channel data received */
};

/* The byte at offset i of a side's stream. */
static uint8_t
pattern(bool server, size_t i)
{
	return (uint8_t)((i * 131u + (i >> 9)) ^ (server ? 0x5a : 0xa5));
}

/* Sends as much of the stream as the window allows. */
static void
stream_push(struct cside *sd)
{
	uint8_t chunk[8192];
	size_t n, i, took;

	while (sd->chan_open && sd->sent < sd->to_send && sd->budget > 0 &&
	       chan_send_room(conn_channels(sd->c), sd->chan_id) > 0) {
		n = sd->to_send - sd->sent;
		if (n > sizeof(chunk)) {
			n = sizeof(chunk);
		}
		if (n > sd->budget) {
			n = sd->budget;
		}
		for (i = 0; i < n; i++) {
			chunk[i] = pattern(sd->server, sd->sent + i);
		}
		assert_int_equal(chan_send_data(conn_channels(sd->c),
		                                sd->chan_id, 0, chunk, n,
		                                conn_chan_buf(sd->c), &took),
		                 0);
		assert_true(took > 0);
		sd->sent += took;
		sd->budget -= took;
		assert_int_equal(conn_flush(sd->c), 0);
	}
}

/* Stream mode: password auth, a session channel, data. */
static void
stream_event(struct cside *sd, const struct conn_event *ev)
{
	struct conn *c = sd->c;
	const struct chan_event *ce = &ev->chan;

	if (ev->type == CONN_EV_UA_CLIENT) {
		if (ev->uac->type == UA_CEV_SERVICE_ACCEPT) {
			assert_int_equal(
			    ua_client_try_password(conn_userauth_client(c),
			                           "pw", conn_ua_buf(c)),
			    0);
		} else {
			assert_int_equal(ev->uac->type, UA_CEV_SUCCESS);
			assert_int_equal(chan_open_session(conn_channels(c),
			                                   conn_chan_buf(c),
			                                   &sd->chan_id),
			                 0);
		}
		assert_int_equal(conn_flush(c), 0);
		return;
	}
	if (ev->type == CONN_EV_UA_SERVER) {
		assert_int_equal(ev->uas->type, UA_SEV_AUTH_PASSWORD);
		assert_int_equal(
		    ua_server_accept(conn_userauth_server(c), conn_ua_buf(c)),
		    0);
		assert_int_equal(conn_flush(c), 0);
		return;
	}
	assert_int_equal(ev->type, CONN_EV_CHANNEL);
	switch (ce->type) {
	case CHAN_EV_OPEN_REQUEST:
		sd->chan_id = ce->id;
		assert_int_equal(
		    chan_accept(conn_channels(c), ce->id, conn_chan_buf(c)), 0);
		sd->chan_open = true;
		break;
	case CHAN_EV_OPEN_CONFIRMED:
		sd->chan_open = true;
		break;
	case CHAN_EV_DATA:
		assert_int_equal(ce->ext_type, 0);
		assert_int_equal(buf_put(&sd->got, ce->data.p, ce->data.n), 0);
		assert_int_equal(chan_consumed(conn_channels(c), ce->id,
		                               ce->data.n, conn_chan_buf(c)),
		                 0);
		break;
	case CHAN_EV_WINDOW:
		break;
	default:
		fail_msg("unexpected channel event %d", ce->type);
	}
	assert_int_equal(conn_flush(c), 0);
	stream_push(sd);
}

static void
cdrain(struct cside *sd)
{
	struct conn_event ev;
	const struct sshkey *k;
	struct buf sig;

	for (;;) {
		assert_int_equal(conn_next_event(sd->c, &ev), 0);
		switch (ev.type) {
		case CONN_EV_NONE:
			return;
		case CONN_EV_HOSTKEY_VERIFY:
			assert_int_equal(transport_hostkey_accept(
			                     conn_transport(sd->c), true),
			                 0);
			break;
		case CONN_EV_HOSTKEY_SIGN:
			sd->sign_events++;
			k = private_for(ev.tev.hostkey);
			buf_init(&sig, 0);
			assert_int_equal(key_sign(k, ev.tev.sig_alg,
			                          ev.tev.hash, ev.tev.hash_len,
			                          &sig),
			                 0);
			assert_int_equal(transport_hostkey_signature(
			                     conn_transport(sd->c),
			                     buf_data(&sig), buf_len(&sig)),
			                 0);
			buf_clear(&sig);
			break;
		case CONN_EV_KEX_DONE:
			sd->kex_done++;
			break;
		case CONN_EV_UA_CLIENT:
		case CONN_EV_UA_SERVER:
		case CONN_EV_CHANNEL:
			sd->ua_events++;
			if (sd->stream) {
				stream_event(sd, &ev);
			}
			break;
		case CONN_EV_DISCONNECTED:
			sd->disconnected = true;
			break;
		default:
			fail_msg("unexpected conn event %d", ev.type);
		}
	}
}

static void
cpump(struct cside *a, struct cside *b, uint64_t now)
{
	const uint8_t *p;
	size_t n, moved;
	struct cside *from, *to;
	int i;

	do {
		moved = 0;
		for (i = 0; i < 2; i++) {
			from = i == 0 ? a : b;
			to = i == 0 ? b : a;
			cdrain(from);
			conn_output_peek(from->c, &p, &n);
			if (n > 0) {
				assert_int_equal(conn_input(to->c, p, n, now),
				                 0);
				conn_output_consume(from->c, n);
				cdrain(to);
				moved += n;
			}
		}
	} while (moved > 0);
}

static void
test_conn_sign_and_time(void **state)
{
	struct conn_config cc, sc;
	struct cside cl, sv;
	uint64_t when = 0;
	uint8_t none = 0;

	(void)state;
	memset(&cl, 0, sizeof(cl));
	memset(&sv, 0, sizeof(sv));
	cl.rng.s = 11;
	sv.rng.s = 22;
	memset(&cc, 0, sizeof(cc));
	cc.transport.rand = trng_fill;
	cc.transport.rand_ctx = &cl.rng;
	cc.user = "alice";
	memset(&sc, 0, sizeof(sc));
	sc.transport.rand = trng_fill;
	sc.transport.rand_ctx = &sv.rng;
	sc.transport.hostkeys = pub_list;
	sc.transport.n_hostkeys = HK_N;
	sc.transport.sign_by_event = true;
	sc.transport.rekey_seconds = 60;
	assert_int_equal(conn_new(TRANSPORT_CLIENT, &cc, &cl.c), 0);
	assert_int_equal(conn_new(TRANSPORT_SERVER, &sc, &sv.c), 0);
	cpump(&cl, &sv, 5000);
	assert_int_equal(cl.kex_done, 1);
	assert_int_equal(sv.kex_done, 1);
	assert_int_equal(sv.sign_events, 1);
	assert_false(conn_next_deadline(cl.c, &when));
	assert_true(conn_next_deadline(sv.c, &when));
	assert_true(when == 65000);
	/* input before the deadline carries the time: nothing happens */
	cpump(&cl, &sv, 64999);
	assert_int_equal(conn_tick(sv.c, 64999), 0);
	cpump(&cl, &sv, 64999);
	assert_int_equal(sv.kex_done, 1);
	assert_int_equal(conn_tick(sv.c, 65000), 0);
	assert_false(conn_next_deadline(sv.c, &when));
	cpump(&cl, &sv, 65010);
	assert_int_equal(cl.kex_done, 2);
	assert_int_equal(sv.kex_done, 2);
	assert_int_equal(sv.sign_events, 2);
	assert_true(conn_next_deadline(sv.c, &when));
	assert_true(when == 125010);
	/* conn_input's now runs the timer too */
	assert_int_equal(conn_input(sv.c, &none, 0, 125010), 0);
	cpump(&cl, &sv, 125020);
	assert_int_equal(sv.kex_done, 3);
	assert_false(cl.disconnected);
	assert_false(sv.disconnected);
	assert_int_equal(conn_tick(NULL, 1), SESH_ERR_INVALID_ARGUMENT);
	assert_false(conn_next_deadline(NULL, &when));
	conn_free(cl.c);
	conn_free(sv.c);
}

/*
 * Channel data both ways through conn (1.5 MB client to server, 1.2 MB
 * back) while the server rekeys by time (by_time: rekey_seconds 3,
 * conn_tick at each deadline of a clock advancing 700 ms per round)
 * and/or the client by volume (by_volume: 250 kB). With both, the
 * client sends fast first (volume rekeys) then slowly (time rekeys).
 * Every byte arrives, in order.
 */
static void
channel_rekey(bool by_time, bool by_volume)
{
	struct conn_config cc, sc;
	struct cside cl, sv;
	uint64_t now = 1000, when;
	int rounds = 0, ticks = 0, before;
	size_t i;

	memset(&cl, 0, sizeof(cl));
	memset(&sv, 0, sizeof(sv));
	cl.rng.s = 33;
	sv.rng.s = 44;
	cl.stream = sv.stream = true;
	sv.server = true;
	cl.to_send = 1500000;
	sv.to_send = 1200000;
	buf_init(&cl.got, 0);
	buf_init(&sv.got, 0);
	memset(&cc, 0, sizeof(cc));
	cc.transport.rand = trng_fill;
	cc.transport.rand_ctx = &cl.rng;
	cc.transport.rekey_bytes = by_volume ? 250000 : 0;
	cc.transport.ciphers = "aes256-ctr";
	cc.transport.macs = "hmac-sha2-256";
	cc.user = "alice";
	memset(&sc, 0, sizeof(sc));
	sc.transport.rand = trng_fill;
	sc.transport.rand_ctx = &sv.rng;
	sc.transport.hostkeys = priv_list;
	sc.transport.n_hostkeys = HK_N;
	sc.transport.rekey_seconds = by_time ? 3 : 0;
	sc.methods = "password";
	assert_int_equal(conn_new(TRANSPORT_CLIENT, &cc, &cl.c), 0);
	assert_int_equal(conn_new(TRANSPORT_SERVER, &sc, &sv.c), 0);
	while (buf_len(&cl.got) < sv.to_send || buf_len(&sv.got) < cl.to_send) {
		assert_true(++rounds < 5000);
		cl.budget = !(by_time && by_volume) ? 60000
		            : rounds > 8            ? 8000
		                                    : 120000;
		sv.budget = by_time && by_volume && rounds > 8 ? 6000 : 30000;
		stream_push(&cl);
		stream_push(&sv);
		cpump(&cl, &sv, now);
		now += 700;
		if (conn_next_deadline(sv.c, &when) && when <= now) {
			before = sv.kex_done;
			assert_int_equal(conn_tick(sv.c, now), 0);
			assert_false(conn_next_deadline(sv.c, &when));
			assert_int_equal(sv.kex_done, before);
			ticks++;
		}
		assert_false(cl.disconnected);
		assert_false(sv.disconnected);
	}
	cpump(&cl, &sv, now); /* finish an exchange still running */
	print_message("time %d volume %d: %d rounds, %d exchanges, %d by "
	              "time\n",
	              by_time, by_volume, rounds, cl.kex_done, ticks);
	assert_int_equal(cl.kex_done, sv.kex_done);
	if (by_time) {
		assert_true(ticks >= 3);
	} else {
		assert_int_equal(ticks, 0);
		assert_false(conn_next_deadline(sv.c, &when));
	}
	if (by_volume) {
		/* 1.5 MB at 250 kB per exchange, at least */
		assert_true(cl.kex_done >= 1 + ticks + (by_time ? 2 : 5));
	} else {
		assert_int_equal(cl.kex_done, 1 + ticks);
	}
	assert_int_equal(buf_len(&sv.got), cl.to_send);
	assert_int_equal(buf_len(&cl.got), sv.to_send);
	for (i = 0; i < cl.to_send; i++) {
		if (buf_data(&sv.got)[i] != pattern(false, i)) {
			fail_msg("client stream differs at %zu", i);
		}
	}
	for (i = 0; i < sv.to_send; i++) {
		if (buf_data(&cl.got)[i] != pattern(true, i)) {
			fail_msg("server stream differs at %zu", i);
		}
	}
	buf_clear(&cl.got);
	buf_clear(&sv.got);
	conn_free(cl.c);
	conn_free(sv.c);
}

static void
test_conn_channel_rekey(void **state)
{
	(void)state;
	channel_rekey(true, false);
	channel_rekey(false, true);
	channel_rekey(true, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hostkeys_inline_and_event),
	    cmocka_unit_test(test_kexes_by_event),
	    cmocka_unit_test(test_one_byte_by_event),
	    cmocka_unit_test(test_public_keys_imply_event),
	    cmocka_unit_test(test_sign_refused),
	    cmocka_unit_test(test_sign_without_question),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_rekey_time_client),
	    cmocka_unit_test(test_rekey_time_server),
	    cmocka_unit_test(test_time_monotonic),
	    cmocka_unit_test(test_strict_injections),
	    cmocka_unit_test(test_unimplemented),
	    cmocka_unit_test(test_conn_sign_and_time),
	    cmocka_unit_test(test_conn_channel_rekey),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
