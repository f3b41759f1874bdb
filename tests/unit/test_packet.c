/*
 * test_packet.c - ssh/packet: the binary packet protocol in memory.
 *
 * Round trips for every cipher x MAC combination the transport can use
 * (none/none, none with each MAC, each AES-CTR with each MAC, each AEAD
 * with its tag only), payload sizes 0..300, 5000 and the largest
 * allowed, fed at once, one byte at a time (checking that a payload
 * appears exactly when its last byte arrives) and in random chunks.
 * Wire layout checks (alignment, padding >= 4 in the clear case),
 * sequence numbers advancing and wrapping at 2^32, strict-KEX resets,
 * key switching at NEWKEYS with later bytes already buffered, tampering
 * with every bit => an error and never a payload, oversize and
 * undersize lengths, bad padding, sticky errors.
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
#include "base/limits.h"
#include "crypto/cipher.h"
#include "crypto/mac.h"
#include "ssh/packet.h"

/* ---- deterministic randomness (padding and chunking) ---- */

struct trng {
	uint64_t s;
	int fail; /* return this instead when non-zero */
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

	if (r->fail != 0) {
		return r->fail;
	}
	for (i = 0; i < n; i++) {
		b[i] = (uint8_t)trng_next(r);
	}
	return 0;
}

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* ---- combinations ---- */

struct combo {
	const char *cipher; /* NULL: no cipher context at all */
	const char *mac;    /* NULL: none */
};

static const struct combo combos[] = {
    {NULL, NULL},
    {"none", NULL},
    {NULL, "hmac-sha2-256"},
    {NULL, "hmac-sha2-256-etm@openssh.com"},
    {"aes128-ctr", "hmac-sha2-256"},
    {"aes128-ctr", "hmac-sha2-512"},
    {"aes128-ctr", "hmac-sha2-256-etm@openssh.com"},
    {"aes128-ctr", "hmac-sha2-512-etm@openssh.com"},
    {"aes128-ctr", "hmac-sha1"},
    {"aes192-ctr", "hmac-sha2-256"},
    {"aes192-ctr", "hmac-sha2-512-etm@openssh.com"},
    {"aes256-ctr", "hmac-sha2-512"},
    {"aes256-ctr", "hmac-sha2-256-etm@openssh.com"},
    {"aes128-gcm@openssh.com", NULL},
    {"aes256-gcm@openssh.com", NULL},
    {"chacha20-poly1305@openssh.com", NULL},
};

#define NCOMBOS (sizeof(combos) / sizeof(combos[0]))

static bool
combo_has_integrity(const struct combo *c)
{
	const struct cipher_alg *a =
	    c->cipher ? cipher_by_name(c->cipher) : NULL;

	return c->mac != NULL || (a != NULL && a->tag_len > 0);
}

static void
combo_keys(const struct combo *c, bool enc, struct cipher_ctx **cc,
           struct mac_ctx **mc)
{
	uint8_t key[64], iv[16], mkey[MAC_MAX_KEY_LEN];

	fill(key, sizeof(key), 1);
	fill(iv, sizeof(iv), 2);
	fill(mkey, sizeof(mkey), 3);
	*cc = NULL;
	*mc = NULL;
	if (c->cipher != NULL) {
		const struct cipher_alg *a = cipher_by_name(c->cipher);

		assert_non_null(a);
		assert_int_equal(cipher_new(a, enc, key, iv, cc), 0);
	}
	if (c->mac != NULL) {
		const struct mac_alg *m = mac_by_name(c->mac);

		assert_non_null(m);
		assert_int_equal(mac_new(m, mkey, mc), 0);
	}
}

struct pair {
	struct trng rng;
	struct pkt_out out;
	struct pkt_in in;
};

static void
pair_init(struct pair *p, const struct combo *c)
{
	struct cipher_ctx *cc;
	struct mac_ctx *mc;

	p->rng.s = 0x9e3779b97f4a7c15ull;
	p->rng.fail = 0;
	pkt_out_init(&p->out, trng_fill, &p->rng);
	pkt_in_init(&p->in);
	combo_keys(c, true, &cc, &mc);
	assert_int_equal(pkt_out_set_keys(&p->out, cc, mc), 0);
	combo_keys(c, false, &cc, &mc);
	assert_int_equal(pkt_in_set_keys(&p->in, cc, mc), 0);
}

static void
pair_clear(struct pair *p)
{
	pkt_out_clear(&p->out);
	pkt_in_clear(&p->in);
}

static size_t
combo_block(const struct combo *c)
{
	const struct cipher_alg *a =
	    c->cipher ? cipher_by_name(c->cipher) : NULL;

	return (a == NULL || a->block_len < 8) ? 8 : a->block_len;
}

static size_t
combo_tag(const struct combo *c)
{
	const struct cipher_alg *a =
	    c->cipher ? cipher_by_name(c->cipher) : NULL;

	if (a != NULL && a->tag_len > 0) {
		return a->tag_len;
	}
	return c->mac ? mac_by_name(c->mac)->tag_len : 0;
}

static bool
combo_len_excluded(const struct combo *c)
{
	const struct cipher_alg *a =
	    c->cipher ? cipher_by_name(c->cipher) : NULL;

	return (a != NULL && a->tag_len > 0) ||
	       (c->mac != NULL && mac_by_name(c->mac)->etm);
}

/* ---- round trips ---- */

/* FEED_SPACE: random chunks written through pkt_in_space/commit. */
enum feed_mode { FEED_ALL, FEED_BYTES, FEED_RANDOM, FEED_SPACE };

#define NSIZES (301 + 2)

static size_t
test_size(size_t i, size_t max)
{
	if (i <= 300) {
		return i;
	}
	return i == 301 ? 5000 : max;
}

static void
round_trip(const struct combo *c, enum feed_mode mode)
{
	struct pair p;
	struct buf wire;
	size_t *ends, i, fed = 0, got = 0, max;
	uint8_t *data;
	struct trng chunk_rng = {12345, 0};

	pair_init(&p, c);
	buf_init(&wire, 0);
	max = pkt_out_max_payload(&p.out);
	assert_true(max >= 35000);
	assert_true(max < SESH_MAX_PACKET);
	data = malloc(max);
	assert_non_null(data);
	ends = calloc(NSIZES, sizeof(*ends));
	assert_non_null(ends);
	for (i = 0; i < NSIZES; i++) {
		size_t n = test_size(i, max), before = buf_len(&wire), len;

		fill(data, n, (uint32_t)i);
		assert_int_equal(p.out.seqnr, (uint32_t)i);
		assert_int_equal(pkt_seal(&p.out, data, n, &wire), 0);
		len = buf_len(&wire) - before - combo_tag(c);
		/* Alignment, and padding in [4, 4 + block). */
		if (combo_len_excluded(c)) {
			assert_int_equal((len - 4) % combo_block(c), 0);
		} else {
			assert_int_equal(len % combo_block(c), 0);
		}
		assert_true(len >= 4 + 1 + n + 4);
		assert_true(len < 4 + 1 + n + 4 + combo_block(c));
		if (c->cipher == NULL && c->mac == NULL) {
			/* Clear text: check the fields themselves. */
			const uint8_t *w = buf_data(&wire) + before;
			uint32_t plen = (uint32_t)w[0] << 24 |
			                (uint32_t)w[1] << 16 |
			                (uint32_t)w[2] << 8 | w[3];

			assert_int_equal(plen, len - 4);
			assert_true(w[4] >= 4);
			assert_int_equal(plen - 1 - w[4], n);
			assert_memory_equal(w + 5, data, n);
		}
		ends[i] = buf_len(&wire);
	}
	assert_int_equal(p.out.packets, NSIZES);
	assert_int_equal(p.out.bytes, buf_len(&wire));
	assert_int_equal(pkt_seal(&p.out, data, max + 1, &wire),
	                 SESH_ERR_LIMIT);
	assert_int_equal(buf_len(&wire), ends[NSIZES - 1]);

	while (fed < buf_len(&wire)) {
		size_t step;
		const uint8_t *pl;
		size_t pn;

		switch (mode) {
		case FEED_ALL:
			step = buf_len(&wire);
			break;
		case FEED_BYTES:
			step = 1;
			break;
		default:
			step = 1 + trng_next(&chunk_rng) % 700;
			break;
		}
		if (step > buf_len(&wire) - fed) {
			step = buf_len(&wire) - fed;
		}
		if (mode == FEED_SPACE) {
			uint8_t *sp = NULL;
			size_t room = 0;

			assert_int_equal(pkt_in_space(&p.in, step, &sp, &room),
			                 0);
			assert_non_null(sp);
			assert_true(room >= step);
			memcpy(sp, buf_data(&wire) + fed, step);
			/* more than the room is refused, nothing taken */
			assert_int_equal(pkt_in_commit(&p.in, room + 1),
			                 SESH_ERR_INVALID_ARGUMENT);
			assert_int_equal(pkt_in_commit(&p.in, step), 0);
		} else {
			assert_int_equal(
			    pkt_in_feed(&p.in, buf_data(&wire) + fed, step), 0);
		}
		fed += step;
		for (;;) {
			assert_int_equal(pkt_in_next(&p.in, &pl, &pn), 0);
			if (pl == NULL) {
				assert_int_equal(pn, 0);
				break;
			}
			assert_true(got < NSIZES);
			/* A packet appears only once all of it is in. */
			assert_true(fed >= ends[got]);
			if (mode == FEED_BYTES) {
				assert_int_equal(fed, ends[got]);
			}
			assert_int_equal(pn, test_size(got, max));
			fill(data, pn, (uint32_t)got);
			assert_memory_equal(pl, data, pn);
			got++;
			assert_int_equal(p.in.seqnr, (uint32_t)got);
		}
	}
	assert_int_equal(got, NSIZES);
	assert_int_equal(pkt_in_buffered(&p.in), 0);
	assert_int_equal(p.in.bytes, buf_len(&wire));
	free(ends);
	free(data);
	buf_clear(&wire);
	pair_clear(&p);
}

static void
test_round_trip_all(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		round_trip(&combos[i], FEED_ALL);
	}
}

static void
test_round_trip_bytes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		round_trip(&combos[i], FEED_BYTES);
	}
}

static void
test_round_trip_space(void **state)
{
	size_t i;
	uint8_t *sp = (uint8_t *)1;
	struct pkt_in in;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		round_trip(&combos[i], FEED_SPACE);
	}
	pkt_in_init(&in);
	assert_int_equal(pkt_in_space(&in, 0, &sp, NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(sp);
	assert_int_equal(pkt_in_space(NULL, 1, &sp, NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(pkt_in_space(&in, SESH_MAX_WRITER + 1, &sp, NULL),
	                 SESH_ERR_LIMIT);
	assert_null(sp);
	assert_int_equal(pkt_in_commit(&in, 1), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(pkt_in_commit(NULL, 0), SESH_ERR_INVALID_ARGUMENT);
	pkt_in_clear(&in);
}

static void
test_round_trip_random(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		round_trip(&combos[i], FEED_RANDOM);
	}
}

/* Seals one packet and opens it on the other side: payload must match. */
static void
one_trip(struct pair *p, uint32_t tag)
{
	struct buf wire;
	uint8_t data[77];
	const uint8_t *pl;
	size_t pn;

	buf_init(&wire, 0);
	fill(data, sizeof(data), tag);
	assert_int_equal(pkt_seal(&p->out, data, sizeof(data), &wire), 0);
	assert_int_equal(pkt_in_feed(&p->in, buf_data(&wire), buf_len(&wire)),
	                 0);
	assert_int_equal(pkt_in_next(&p->in, &pl, &pn), 0);
	assert_non_null(pl);
	assert_int_equal(pn, sizeof(data));
	assert_memory_equal(pl, data, pn);
	buf_clear(&wire);
}

/* Zero bytes, enough to take any packet past the discard bound. */
static uint8_t zeros[SESH_MAX_PACKET + 256];

/* Bytes from a packet's start at which a plain mode reports a bad
 * packet: the largest packet with its tag. */
static size_t
discard_total(const struct pair *p)
{
	const struct mac_alg *m =
	    p->in.keys.mac ? mac_alg(p->in.keys.mac) : NULL;

	return SESH_MAX_PACKET + (m != NULL ? m->tag_len : 0);
}

/* Seals one packet; the other side must fail. */
static void
one_trip_fails(struct pair *p)
{
	struct buf wire;
	uint8_t data[40] = {0};
	const uint8_t *pl;
	size_t pn;
	int ret;

	buf_init(&wire, 0);
	assert_int_equal(pkt_seal(&p->out, data, sizeof(data), &wire), 0);
	assert_int_equal(pkt_in_feed(&p->in, buf_data(&wire), buf_len(&wire)),
	                 0);
	ret = pkt_in_next(&p->in, &pl, &pn);
	if (ret == 0) {
		/* A plain mode discards up to the bound first. */
		assert_null(pl);
		assert_int_equal(pkt_in_feed(&p->in, zeros, discard_total(p)),
		                 0);
		ret = pkt_in_next(&p->in, &pl, &pn);
	}
	/* chacha20-poly1305 decrypts the length with the seqnr too, so a
	 * wrong one may show as an impossible length: the same error. */
	assert_int_equal(ret, SESH_ERR_MAC_INVALID);
	assert_null(pl);
	buf_clear(&wire);
}

static void
test_seqnr_wrap(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		struct pair p;

		pair_init(&p, &combos[i]);
		p.out.seqnr = 0xfffffffeu;
		p.in.seqnr = 0xfffffffeu;
		for (k = 0; k < 4; k++) {
			one_trip(&p, (uint32_t)k);
		}
		assert_int_equal(p.out.seqnr, 2);
		assert_int_equal(p.in.seqnr, 2);
		assert_true(p.out.seqnr_wrapped);
		assert_true(p.in.seqnr_wrapped);
		/* Strict KEX: both reset, still in step. */
		pkt_out_reset_seqnr(&p.out);
		pkt_in_reset_seqnr(&p.in);
		assert_false(p.out.seqnr_wrapped);
		assert_int_equal(p.out.seqnr, 0);
		one_trip(&p, 9);
		assert_int_equal(p.in.seqnr, 1);
		pair_clear(&p);
	}
}

/* The sequence number is authenticated: out of step => MAC error. */
static void
test_seqnr_mismatch(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		struct pair p;
		const struct cipher_alg *a;

		if (combos[i].mac == NULL) {
			/* GCM counts on its own; chacha uses the seqnr. */
			a = combos[i].cipher ? cipher_by_name(combos[i].cipher)
			                     : NULL;
			if (a == NULL || a->kind != CIPHER_KIND_CHACHAPOLY) {
				continue;
			}
		}
		pair_init(&p, &combos[i]);
		one_trip(&p, 1);
		pkt_out_reset_seqnr(&p.out); /* only one side */
		one_trip_fails(&p);
		pair_clear(&p);
	}
}

/* NEWKEYS: the packets after it are already buffered when keys change. */
static void
test_key_switch(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		struct trng rng = {77, 0};
		struct pkt_out out;
		struct pkt_in in;
		struct buf wire;
		struct cipher_ctx *cc;
		struct mac_ctx *mc;
		const uint8_t msg_a[] = {2, 'a'}, msg_nk[] = {21};
		const uint8_t msg_c[] = {94, 'c', 'c'};
		const uint8_t *pl;
		size_t pn;

		pkt_out_init(&out, trng_fill, &rng);
		pkt_in_init(&in);
		buf_init(&wire, 0);
		assert_int_equal(pkt_seal(&out, msg_a, sizeof(msg_a), &wire),
		                 0);
		assert_int_equal(pkt_seal(&out, msg_nk, sizeof(msg_nk), &wire),
		                 0);
		combo_keys(&combos[i], true, &cc, &mc);
		assert_int_equal(pkt_out_set_keys(&out, cc, mc), 0);
		assert_int_equal(out.packets, 0);
		assert_int_equal(pkt_seal(&out, msg_c, sizeof(msg_c), &wire),
		                 0);
		assert_int_equal(out.seqnr, 3);
		assert_int_equal(
		    pkt_in_feed(&in, buf_data(&wire), buf_len(&wire)), 0);
		assert_int_equal(pkt_in_next(&in, &pl, &pn), 0);
		assert_int_equal(pn, sizeof(msg_a));
		assert_memory_equal(pl, msg_a, pn);
		assert_int_equal(pkt_in_next(&in, &pl, &pn), 0);
		assert_int_equal(pn, sizeof(msg_nk));
		assert_memory_equal(pl, msg_nk, pn);
		combo_keys(&combos[i], false, &cc, &mc);
		assert_int_equal(pkt_in_set_keys(&in, cc, mc), 0);
		assert_int_equal(pkt_in_next(&in, &pl, &pn), 0);
		assert_non_null(pl);
		assert_int_equal(pn, sizeof(msg_c));
		assert_memory_equal(pl, msg_c, pn);
		assert_int_equal(in.seqnr, 3);
		assert_int_equal(pkt_in_next(&in, &pl, &pn), 0);
		assert_null(pl);
		buf_clear(&wire);
		pkt_out_clear(&out);
		pkt_in_clear(&in);
	}
}

/* Feeds wire with one bit flipped; must end in an error, no payload. */
static void
tamper_one(const struct combo *c, const struct buf *wire, size_t bit,
           const uint8_t *filler, size_t filler_len)
{
	struct pair p;
	uint8_t *w = malloc(buf_len(wire));
	const uint8_t *pl;
	size_t pn;
	int ret;

	assert_non_null(w);
	memcpy(w, buf_data(wire), buf_len(wire));
	w[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	pair_init(&p, c);
	/* The pair's sender is not used: only its receiving side. */
	assert_int_equal(pkt_in_feed(&p.in, w, buf_len(wire)), 0);
	ret = pkt_in_next(&p.in, &pl, &pn);
	/* Plain modes never tell early: every bad packet is discarded up
	 * to the bound (the length, the body and the MAC alike). */
	if (!combo_len_excluded(c)) {
		assert_int_equal(ret, 0);
	}
	if (ret == 0) {
		/* A length made larger: it waits. More bytes end that. */
		assert_null(pl);
		assert_int_equal(pkt_in_feed(&p.in, filler, filler_len), 0);
		ret = pkt_in_next(&p.in, &pl, &pn);
	}
	/* Whatever the bit: a bad length is a bad MAC. */
	assert_int_equal(ret, SESH_ERR_MAC_INVALID);
	assert_null(pl);
	/* Sticky. */
	assert_int_equal(pkt_in_next(&p.in, &pl, &pn), ret);
	assert_int_equal(pkt_in_feed(&p.in, w, 1), ret);
	pair_clear(&p);
	free(w);
}

static void
test_tamper(void **state)
{
	size_t filler_len = SESH_MAX_PACKET + 256, i, bit;
	uint8_t *filler = calloc(1, filler_len);

	(void)state;
	assert_non_null(filler);
	for (i = 0; i < NCOMBOS; i++) {
		struct pair p;
		struct buf wire;
		uint8_t data[40];

		if (!combo_has_integrity(&combos[i])) {
			continue;
		}
		pair_init(&p, &combos[i]);
		buf_init(&wire, 0);
		fill(data, sizeof(data), 4);
		assert_int_equal(pkt_seal(&p.out, data, sizeof(data), &wire),
		                 0);
		for (bit = 0; bit < buf_len(&wire) * 8; bit++) {
			tamper_one(&combos[i], &wire, bit, filler, filler_len);
		}
		buf_clear(&wire);
		pair_clear(&p);
	}
	free(filler);
}

/*
 * Payload views of one feed stay valid until bytes are fed again, also
 * when a later packet of the same feed fails (a driver writes a batch of
 * views at once, conn.h): the error wipes the bad packet only. Three
 * good packets and a fourth with one flipped bit in its last byte (the
 * tag or MAC), per combo with integrity.
 */
static void
test_views_survive_later_error(void **state)
{
	uint8_t *filler = calloc(1, SESH_MAX_PACKET + 256);
	size_t i, k;
	int ret;

	(void)state;
	assert_non_null(filler);
	for (i = 0; i < NCOMBOS; i++) {
		struct pair p;
		struct buf wire;
		uint8_t data[3][100], *w;
		const uint8_t *pl[3], *bad;
		size_t pn[3], bn, end;

		if (!combo_has_integrity(&combos[i])) {
			continue;
		}
		pair_init(&p, &combos[i]);
		buf_init(&wire, 0);
		for (k = 0; k < 3; k++) {
			fill(data[k], sizeof(data[k]), (uint32_t)(10 + k));
			assert_int_equal(
			    pkt_seal(&p.out, data[k], sizeof(data[k]), &wire),
			    0);
		}
		assert_int_equal(pkt_seal(&p.out, data[0], 40, &wire), 0);
		end = buf_len(&wire);
		w = malloc(end);
		assert_non_null(w);
		memcpy(w, buf_data(&wire), end);
		w[end - 1] ^= 0x01;
		assert_int_equal(pkt_in_feed(&p.in, w, end), 0);
		for (k = 0; k < 3; k++) {
			assert_int_equal(pkt_in_next(&p.in, &pl[k], &pn[k]), 0);
			assert_non_null(pl[k]);
			assert_int_equal(pn[k], sizeof(data[k]));
		}
		ret = pkt_in_next(&p.in, &bad, &bn);
		assert_null(bad);
		for (k = 0; k < 3; k++) {
			assert_memory_equal(pl[k], data[k], sizeof(data[k]));
		}
		if (ret == 0) {
			/* plain modes wait for the discard bound (more bytes:
			 * the views above end there, as documented) */
			assert_false(combo_len_excluded(&combos[i]));
			assert_int_equal(
			    pkt_in_feed(&p.in, filler, SESH_MAX_PACKET + 256),
			    0);
			ret = pkt_in_next(&p.in, &bad, &bn);
		}
		assert_int_equal(ret, SESH_ERR_MAC_INVALID);
		assert_int_equal(pkt_in_buffered(&p.in), 0);
		free(w);
		buf_clear(&wire);
		pair_clear(&p);
	}
	free(filler);
}

/* A partial packet yields nothing and no error, for every prefix. */
static void
test_truncation(void **state)
{
	size_t i, cut;

	(void)state;
	for (i = 0; i < NCOMBOS; i++) {
		struct pair p;
		struct buf wire;
		uint8_t data[50];

		pair_init(&p, &combos[i]);
		buf_init(&wire, 0);
		fill(data, sizeof(data), 8);
		assert_int_equal(pkt_seal(&p.out, data, sizeof(data), &wire),
		                 0);
		for (cut = 0; cut < buf_len(&wire); cut++) {
			struct pair q;
			const uint8_t *pl;
			size_t pn;

			pair_init(&q, &combos[i]);
			assert_int_equal(
			    pkt_in_feed(&q.in, buf_data(&wire), cut), 0);
			assert_int_equal(pkt_in_next(&q.in, &pl, &pn), 0);
			assert_null(pl);
			assert_int_equal(pkt_in_next(&q.in, &pl, &pn), 0);
			assert_null(pl);
			assert_int_equal(pkt_in_buffered(&q.in), cut);
			/* The rest completes it. */
			assert_int_equal(pkt_in_feed(&q.in,
			                             buf_data(&wire) + cut,
			                             buf_len(&wire) - cut),
			                 0);
			assert_int_equal(pkt_in_next(&q.in, &pl, &pn), 0);
			assert_non_null(pl);
			assert_int_equal(pn, sizeof(data));
			assert_memory_equal(pl, data, pn);
			pair_clear(&q);
		}
		buf_clear(&wire);
		pair_clear(&p);
	}
}

/* ---- hand-made packets (no cipher) ---- */

/* Feeds bytes to a fresh keyless decoder (plus an optional MAC) and
 * returns pkt_in_next's result. */
static int
decode_raw(const uint8_t *w, size_t n, struct mac_ctx *mac)
{
	struct pkt_in in;
	const uint8_t *pl;
	size_t pn;
	int ret;

	pkt_in_init(&in);
	assert_int_equal(pkt_in_set_keys(&in, NULL, mac), 0);
	assert_int_equal(pkt_in_feed(&in, w, n), 0);
	ret = pkt_in_next(&in, &pl, &pn);
	if (ret != 0) {
		assert_null(pl);
	}
	pkt_in_clear(&in);
	return ret;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
test_lengths_and_padding(void **state)
{
	uint8_t w[64] = {0};
	uint8_t key[MAC_MAX_KEY_LEN] = {0};
	struct mac_ctx *m = NULL;
	static const uint32_t big[] = {SESH_MAX_PACKET + 4, SESH_MAX_PACKET + 8,
	                               0x7ffffffcu, 0xfffffffcu};
	size_t i;

	(void)state;
	/* A good one: plen 12, pad 4, payload 7 bytes. */
	put32(w, 12);
	w[4] = 4;
	assert_int_equal(decode_raw(w, 16, NULL), 0);
	/* Oversize lengths (aligned or not): LIMIT before anything else. */
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		put32(w, big[i]);
		assert_int_equal(decode_raw(w, 16, NULL), SESH_ERR_LIMIT);
	}
	/* Exactly the maximum length is fine so far (it waits). */
	put32(w, SESH_MAX_PACKET - 4);
	assert_int_equal(decode_raw(w, 16, NULL), 0);
	/* Misaligned: 4 + 13 = 17. */
	put32(w, 13);
	assert_int_equal(decode_raw(w, 16, NULL), SESH_ERR_PROTOCOL);
	/* Too short: plen 4 (aligned, but no room for padding). */
	put32(w, 4);
	assert_int_equal(decode_raw(w, 16, NULL), SESH_ERR_PROTOCOL);
	put32(w, 0);
	assert_int_equal(decode_raw(w, 16, NULL), SESH_ERR_PROTOCOL);
	/* Padding < 4. */
	put32(w, 12);
	w[4] = 3;
	assert_int_equal(decode_raw(w, 16, NULL), SESH_ERR_PROTOCOL);
	w[4] = 0;
	assert_int_equal(decode_raw(w, 16, NULL), SESH_ERR_PROTOCOL);
	/* Padding longer than the packet: plen 12, pad 12 (n1 < 0). */
	w[4] = 12;
	assert_int_equal(decode_raw(w, 16, NULL), SESH_ERR_PROTOCOL);
	w[4] = 11; /* payload of 0 bytes: allowed at this layer */
	assert_int_equal(decode_raw(w, 16, NULL), 0);
	w[4] = 255;
	assert_int_equal(decode_raw(w, 16, NULL), SESH_ERR_PROTOCOL);

	/* With a valid EtM MAC the padding is still checked afterwards:
	 * plen 16 (length excluded from the alignment), pad 3. */
	put32(w, 16);
	w[4] = 3;
	assert_int_equal(
	    mac_new(mac_by_name("hmac-sha2-256-etm@openssh.com"), key, &m), 0);
	assert_int_equal(mac_compute(m, 0, w, 20, w + 20), 0);
	assert_int_equal(decode_raw(w, 52, m), SESH_ERR_PROTOCOL);
	/* And EtM alignment: plen 12 with the length excluded is not a
	 * multiple of 8. */
	assert_int_equal(
	    mac_new(mac_by_name("hmac-sha2-256-etm@openssh.com"), key, &m), 0);
	put32(w, 12);
	w[4] = 4;
	assert_int_equal(mac_compute(m, 0, w, 16, w + 16), 0);
	/* (a bad length with integrity keys is a MAC failure) */
	assert_int_equal(decode_raw(w, 48, m), SESH_ERR_MAC_INVALID);
	/* The same bytes with padding fixed to 4 and plen 16 pass. */
	assert_int_equal(
	    mac_new(mac_by_name("hmac-sha2-256-etm@openssh.com"), key, &m), 0);
	put32(w, 16);
	w[4] = 4;
	assert_int_equal(mac_compute(m, 0, w, 20, w + 20), 0);
	assert_int_equal(decode_raw(w, 52, m), 0);
	/* Oversize with EtM: refused before the MAC is even there, as a
	 * MAC failure (the length is authenticated). */
	assert_int_equal(
	    mac_new(mac_by_name("hmac-sha2-256-etm@openssh.com"), key, &m), 0);
	put32(w, SESH_MAX_PACKET + 8);
	assert_int_equal(decode_raw(w, 4, m), SESH_ERR_MAC_INVALID);
}

/* ---- bad length vs bad MAC (issue 7) ---- */

/*
 * Feeds w (n bytes: one bad packet, then more) to p's receiver in
 * pieces and returns at which byte count pkt_in_next first failed (0:
 * never); that error in *err.
 */
static size_t
fail_point(struct pair *p, const uint8_t *w, size_t n, int *err)
{
	const uint8_t *pl;
	size_t pn, at = 0, step;
	int ret;

	*err = 0;
	while (at < n) {
		/* Byte by byte at the start and near the bound, so that
		 * the point is exact; big steps in between. */
		step = 1;
		if (at >= 256 && at + 4096 + 256 < SESH_MAX_PACKET) {
			step = 4093;
		}
		assert_int_equal(pkt_in_feed(&p->in, w + at, step), 0);
		at += step;
		ret = pkt_in_next(&p->in, &pl, &pn);
		assert_null(pl);
		if (ret != 0) {
			*err = ret;
			return at;
		}
	}
	return 0;
}

enum bad_kind {
	BAD_MAC,        /* a tag bit */
	BAD_BODY,       /* a payload bit */
	BAD_LEN_HUGE,   /* length's top bit: far over the limit */
	BAD_LEN_UNALN,  /* length's low bit: not a multiple of the block */
	BAD_LEN_LONGER, /* a valid, larger length: waits, then bad MAC */
	BAD_LEN_SHORT,  /* a valid, smaller length: bad MAC at once */
	BAD_KINDS
};

/*
 * Plain modes (aes-ctr, MAC over the plaintext): a bad length, a bad
 * MAC and a bad body all end at the same byte count after the packet's
 * start (the largest packet plus tag) with the same error, so the
 * sender cannot tell them apart; EtM and AEAD modes authenticate the
 * length on its own: a bad one is the same error at once.
 */
static void
test_bad_length_like_bad_mac(void **state)
{
	size_t n = SESH_MAX_PACKET + 512, i, at;
	uint8_t *w = malloc(n);
	int kind, err;

	(void)state;
	assert_non_null(w);
	for (i = 0; i < NCOMBOS; i++) {
		const struct combo *c = &combos[i];
		size_t expect = 0, len, tag = combo_tag(c);

		if (!combo_has_integrity(c)) {
			continue;
		}
		for (kind = 0; kind < BAD_KINDS; kind++) {
			struct pair p;
			struct buf wire;
			uint8_t data[40];

			pair_init(&p, c);
			buf_init(&wire, 0);
			fill(data, sizeof(data), 11);
			assert_int_equal(
			    pkt_seal(&p.out, data, sizeof(data), &wire), 0);
			len = buf_len(&wire);
			assert_true(len < 200);
			memset(w, 0x5a, n);
			memcpy(w, buf_data(&wire), len);
			/* Stream ciphers: a flipped ciphertext bit flips
			 * the same plaintext bit. The layouts: plen 44 (or
			 * 40 when the length is excluded), 16-aligned. */
			switch (kind) {
			case BAD_MAC:
				w[len - 1] ^= 0x01;
				break;
			case BAD_BODY:
				w[10] ^= 0x20;
				break;
			case BAD_LEN_HUGE:
				w[0] ^= 0x80;
				break;
			case BAD_LEN_UNALN:
				w[3] ^= 0x01;
				break;
			case BAD_LEN_LONGER:
				w[2] ^= 0x01; /* +256 */
				break;
			case BAD_LEN_SHORT:
				w[3] ^= 0x10; /* 44 -> 60 or 28, 40 -> 56 */
				break;
			}
			at = fail_point(&p, w, n, &err);
			assert_int_equal(err, SESH_ERR_MAC_INVALID);
			if (!combo_len_excluded(c)) {
				/* Exactly at the bound, every kind. */
				assert_int_equal(at, SESH_MAX_PACKET + tag);
			} else if (kind == BAD_LEN_HUGE) {
				/* At once: the length alone is enough. */
				assert_int_equal(at, PKT_LEN_FIELD);
			}
			if (kind == BAD_MAC) {
				expect = at;
			} else if (!combo_len_excluded(c)) {
				assert_int_equal(at, expect);
			}
			/* Sticky, and nothing more comes out. */
			assert_int_equal(pkt_in_feed(&p.in, w, 1), err);
			buf_clear(&wire);
			pair_clear(&p);
		}
	}
	free(w);
}

/* Without integrity (before the first NEWKEYS) the errors say what
 * was wrong: nothing to hide. */
static void
test_bad_length_in_clear(void **state)
{
	struct pkt_in in;
	uint8_t w[16] = {0};
	const uint8_t *pl;
	size_t pn;

	(void)state;
	pkt_in_init(&in);
	put32(w, SESH_MAX_PACKET + 16);
	assert_int_equal(pkt_in_feed(&in, w, sizeof(w)), 0);
	assert_int_equal(pkt_in_next(&in, &pl, &pn), SESH_ERR_LIMIT);
	pkt_in_clear(&in);
}

static void
test_bad_args(void **state)
{
	struct trng rng = {1, 0};
	struct pkt_out out;
	struct pkt_in in;
	struct buf wire;
	struct cipher_ctx *cc = NULL;
	struct mac_ctx *mc = NULL;
	uint8_t key[64] = {0}, iv[16] = {0};
	const uint8_t *pl;
	size_t pn;

	(void)state;
	pkt_out_init(&out, trng_fill, &rng);
	pkt_in_init(&in);
	buf_init(&wire, 0);
	/* A MAC with an AEAD cipher is refused (and both are freed). */
	assert_int_equal(cipher_new(cipher_by_name("aes128-gcm@openssh.com"),
	                            true, key, iv, &cc),
	                 0);
	assert_int_equal(mac_new(mac_by_name("hmac-sha2-256"), key, &mc), 0);
	assert_int_equal(pkt_out_set_keys(&out, cc, mc),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* The rand function's error passes through; nothing appended. */
	rng.fail = SESH_ERR_CRYPTO;
	assert_int_equal(pkt_seal(&out, key, 10, &wire), SESH_ERR_CRYPTO);
	assert_int_equal(buf_len(&wire), 0);
	assert_int_equal(out.seqnr, 0);
	rng.fail = 0;
	assert_int_equal(pkt_seal(&out, NULL, 10, &wire),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(pkt_seal(&out, NULL, 0, &wire), 0);
	/* A half-decoded packet blocks a key change. */
	assert_int_equal(pkt_in_feed(&in, buf_data(&wire), 10), 0);
	assert_int_equal(pkt_in_next(&in, &pl, &pn), 0);
	assert_null(pl);
	assert_int_equal(pkt_in_set_keys(&in, NULL, NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(pkt_in_next(&in, NULL, &pn),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(pkt_in_feed(&in, NULL, 1), SESH_ERR_INVALID_ARGUMENT);
	/* A cap on the wire buffer: LIMIT, nothing appended. */
	buf_clear(&wire);
	buf_init(&wire, 20);
	assert_int_equal(pkt_seal(&out, key, 30, &wire), SESH_ERR_LIMIT);
	assert_int_equal(buf_len(&wire), 0);
	buf_clear(&wire);
	pkt_out_clear(&out);
	pkt_in_clear(&in);
	pkt_out_clear(NULL);
	pkt_in_clear(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_all),
	    cmocka_unit_test(test_round_trip_bytes),
	    cmocka_unit_test(test_round_trip_random),
	    cmocka_unit_test(test_round_trip_space),
	    cmocka_unit_test(test_seqnr_wrap),
	    cmocka_unit_test(test_seqnr_mismatch),
	    cmocka_unit_test(test_key_switch),
	    cmocka_unit_test(test_tamper),
	    cmocka_unit_test(test_views_survive_later_error),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_lengths_and_padding),
	    cmocka_unit_test(test_bad_length_like_bad_mac),
	    cmocka_unit_test(test_bad_length_in_clear),
	    cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
