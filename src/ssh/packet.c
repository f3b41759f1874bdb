/*
 * packet.c - the SSH binary packet protocol in memory (see packet.h).
 *
 * Sending builds the plaintext packet directly in the caller's wire
 * buffer and encrypts it there, so a payload is copied once. Receiving
 * keeps the bytes in one buffer and decrypts in place; the decoder's
 * state (length known, bytes decrypted) survives between calls, so input
 * may arrive in any chunking. Work on a packet starts only when the
 * caller asks for it (pkt_in_next), which is what lets the transport
 * switch keys right after NEWKEYS with later bytes already buffered.
 *
 * This file, like src/base, works on raw wire bytes by offset: the
 * cipher and MAC interfaces take pointers into the packet.
 */
#include "ssh/packet.h"

#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"

/* Smallest packet_length: padding_length byte + 4 bytes of padding. */
#define PKT_MIN_LEN (1u + PKT_MIN_PADDING)
/* Compact the receive buffer once this much has been consumed. */
#define PKT_COMPACT (64u * 1024u)
/*
 * Plain modes (MAC over the plaintext, length decrypted before the MAC
 * can be checked): a packet with a bad length or a bad MAC is taken to
 * be this long, the largest length such a packet can have (4 + it is a
 * multiple of every block size), and fails with SESH_ERR_MAC_INVALID
 * only once all of it and its tag have arrived. Every bad packet thus
 * ends the connection at the same byte count after its start, whatever
 * its real or decrypted length, and with the same error: the sender
 * learns nothing about the decrypted length (issue 7; the CBC length
 * oracle of Albrecht, Paterson and Watson, 2009).
 */
#define PKT_DISCARD_LEN (SESH_MAX_PACKET - PKT_LEN_FIELD)

static bool
pkt_aead(const struct pkt_keys *k)
{
	const struct cipher_alg *a = cipher_alg(k->cipher);

	return a != NULL && (a->kind == CIPHER_KIND_GCM ||
	                     a->kind == CIPHER_KIND_CHACHAPOLY);
}

static bool
pkt_etm(const struct pkt_keys *k)
{
	const struct mac_alg *m = mac_alg(k->mac);

	return !pkt_aead(k) && m != NULL && m->etm;
}

/* True when a packet is authenticated (a MAC or an AEAD tag). */
static bool
pkt_integrity(const struct pkt_keys *k)
{
	return pkt_aead(k) || k->mac != NULL;
}

/* True when the length field is not part of the aligned sum. */
static bool
pkt_len_excluded(const struct pkt_keys *k)
{
	return pkt_aead(k) || pkt_etm(k);
}

static size_t
pkt_block(const struct pkt_keys *k)
{
	const struct cipher_alg *a = cipher_alg(k->cipher);

	if (a == NULL || a->block_len < PKT_MIN_BLOCK) {
		return PKT_MIN_BLOCK;
	}
	return a->block_len;
}

static size_t
pkt_tag_len(const struct pkt_keys *k)
{
	if (pkt_aead(k)) {
		return cipher_alg(k->cipher)->tag_len;
	}
	return k->mac != NULL ? mac_alg(k->mac)->tag_len : 0;
}

static void
pkt_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
pkt_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * Padding and packet_length for an n-byte payload: the least padding
 * >= 4 that aligns the packet. SESH_ERR_LIMIT beyond SESH_MAX_PACKET.
 */
static int
pkt_layout(const struct pkt_keys *k, size_t n, size_t *pad, size_t *plen)
{
	size_t block = pkt_block(k), base, p;

	if (n > SESH_MAX_PACKET) {
		return SESH_ERR_LIMIT;
	}
	base = 1 + n + (pkt_len_excluded(k) ? 0 : PKT_LEN_FIELD);
	p = block - base % block;
	if (p < PKT_MIN_PADDING) {
		p += block;
	}
	if (p > 255 || 1 + n + p > SESH_MAX_PACKET) {
		return SESH_ERR_LIMIT;
	}
	*pad = p;
	*plen = 1 + n + p;
	return 0;
}

static void
pkt_keys_clear(struct pkt_keys *k)
{
	cipher_free(k->cipher);
	mac_free(k->mac);
	k->cipher = NULL;
	k->mac = NULL;
}

/* Validates and installs keys; takes ownership in every case. */
static int
pkt_keys_set(struct pkt_keys *k, struct cipher_ctx *cipher, struct mac_ctx *mac)
{
	struct pkt_keys nk = {cipher, mac};

	if (pkt_aead(&nk) && mac != NULL) {
		pkt_keys_clear(&nk);
		return SESH_ERR_INVALID_ARGUMENT;
	}
	pkt_keys_clear(k);
	*k = nk;
	return 0;
}

void
pkt_out_init(struct pkt_out *o, ssh_rand_fn rand, void *rand_ctx)
{
	memset(o, 0, sizeof(*o));
	o->rand = rand;
	o->rand_ctx = rand_ctx;
}

void
pkt_out_clear(struct pkt_out *o)
{
	if (o == NULL) {
		return;
	}
	pkt_keys_clear(&o->keys);
	memset(o, 0, sizeof(*o));
}

int
pkt_out_set_keys(struct pkt_out *o, struct cipher_ctx *cipher,
                 struct mac_ctx *mac)
{
	int ret;

	if (o == NULL) {
		cipher_free(cipher);
		mac_free(mac);
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = pkt_keys_set(&o->keys, cipher, mac)) != 0) {
		return ret;
	}
	o->packets = 0;
	o->bytes = 0;
	return 0;
}

void
pkt_out_reset_seqnr(struct pkt_out *o)
{
	o->seqnr = 0;
	o->seqnr_wrapped = false;
}

size_t
pkt_out_max_payload(const struct pkt_out *o)
{
	size_t n = SESH_MAX_PACKET - PKT_MIN_LEN, pad, plen;

	while (n > 0 && pkt_layout(&o->keys, n, &pad, &plen) != 0) {
		n--;
	}
	return n;
}

/* True when pkt_protect() can read the payload from where it is
 * (encryption before any MAC over the plaintext). */
static bool
pkt_protect_from(const struct pkt_keys *k)
{
	return pkt_aead(k) || (pkt_etm(k) && k->cipher != NULL);
}

/*
 * Encrypts and MACs/tags the plaintext packet pkt[0..4+plen) in place,
 * writing the tag at tag. With payload not NULL (pkt_protect_from()),
 * the n payload bytes are read from there rather than from pkt: the
 * encryption writes them into pkt, which saves copying them in first.
 */
static int
pkt_protect(struct pkt_out *o, uint8_t *pkt, size_t plen, uint8_t *tag,
            const uint8_t *payload, size_t n)
{
	struct pkt_keys *k = &o->keys;
	size_t len = PKT_LEN_FIELD + plen;
	int ret;

	if (pkt_aead(k)) {
		if (payload != NULL) {
			return cipher_seal_from(k->cipher, o->seqnr, pkt, len,
			                        tag, payload, PKT_LEN_FIELD + 1,
			                        n);
		}
		return cipher_seal(k->cipher, o->seqnr, pkt, len, tag);
	}
	if (pkt_etm(k)) {
		/* mac = MAC(seqnr || packet_length || encrypted_packet) */
		if (k->cipher != NULL && payload != NULL) {
			ret = cipher_crypt_from(k->cipher, pkt + PKT_LEN_FIELD,
			                        plen, payload, 1, n);
		} else if (k->cipher != NULL) {
			ret = cipher_crypt(k->cipher, pkt + PKT_LEN_FIELD,
			                   pkt + PKT_LEN_FIELD, plen);
		} else {
			ret = 0;
		}
		if (ret != 0) {
			return ret;
		}
		return mac_compute(k->mac, o->seqnr, pkt, len, tag);
	}
	/* mac = MAC(seqnr || unencrypted_packet), RFC 4253 §6.4 */
	if (k->mac != NULL &&
	    (ret = mac_compute(k->mac, o->seqnr, pkt, len, tag)) != 0) {
		return ret;
	}
	if (k->cipher != NULL &&
	    (ret = cipher_crypt(k->cipher, pkt, pkt, len)) != 0) {
		return ret;
	}
	return 0;
}

int
pkt_seal(struct pkt_out *o, const uint8_t *payload, size_t n, struct buf *wire)
{
	size_t start, pad = 0, plen = 0, tlen, total;
	uint8_t *pkt = NULL;
	bool from;
	int ret;

	if (o == NULL || wire == NULL || o->rand == NULL ||
	    (payload == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	start = buf_len(wire);
	if ((ret = pkt_layout(&o->keys, n, &pad, &plen)) != 0) {
		return ret;
	}
	tlen = pkt_tag_len(&o->keys);
	total = PKT_LEN_FIELD + plen + tlen;
	if ((ret = buf_reserve(wire, total, &pkt)) != 0) {
		return ret;
	}
	pkt_put32(pkt, (uint32_t)plen);
	pkt[PKT_LEN_FIELD] = (uint8_t)pad;
	from = n > 0 && pkt_protect_from(&o->keys);
	if (n > 0 && !from) {
		memcpy(pkt + PKT_LEN_FIELD + 1, payload, n);
	}
	if ((ret = o->rand(o->rand_ctx, pkt + PKT_LEN_FIELD + 1 + n, pad)) !=
	    0) {
		goto out;
	}
	if ((ret = pkt_protect(o, pkt, plen, pkt + PKT_LEN_FIELD + plen,
	                       from ? payload : NULL, n)) != 0) {
		goto out;
	}
	o->seqnr++;
	if (o->seqnr == 0) {
		o->seqnr_wrapped = true;
	}
	o->packets++;
	o->bytes += total;
	ret = 0;
out:
	if (ret != 0) {
		/* Drop the half-built packet (wiping its plaintext). */
		mem_wipe(pkt, total);
		buf_truncate(wire, start);
	}
	return ret;
}

void
pkt_in_init(struct pkt_in *in)
{
	memset(in, 0, sizeof(*in));
	buf_init(&in->raw, 0);
	buf_set_secret(&in->raw);
}

void
pkt_in_clear(struct pkt_in *in)
{
	if (in == NULL) {
		return;
	}
	pkt_keys_clear(&in->keys);
	buf_clear(&in->raw);
	memset(in, 0, sizeof(*in));
}

int
pkt_in_set_keys(struct pkt_in *in, struct cipher_ctx *cipher,
                struct mac_ctx *mac)
{
	int ret;

	if (in == NULL || in->have_len) {
		cipher_free(cipher);
		mac_free(mac);
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = pkt_keys_set(&in->keys, cipher, mac)) != 0) {
		return ret;
	}
	in->packets = 0;
	in->bytes = 0;
	return 0;
}

void
pkt_in_reset_seqnr(struct pkt_in *in)
{
	in->seqnr = 0;
	in->seqnr_wrapped = false;
}

size_t
pkt_in_buffered(const struct pkt_in *in)
{
	return buf_len(&in->raw) - in->off;
}

/*
 * Drops consumed packets before n more bytes are appended; what remains
 * is at most a partial one plus whatever the caller has not drained
 * yet. Also when the bytes would not fit the allocation: moving a
 * partial packet costs less than growing the buffer.
 */
static void
pkt_in_compact(struct pkt_in *in, size_t n)
{
	size_t len = buf_len(&in->raw);

	if (in->off > 0 && (in->off == len || in->off >= PKT_COMPACT ||
	                    len + n > in->raw.cap || len + n > in->raw.max)) {
		buf_consume(&in->raw, in->off);
		in->off = 0;
	}
}

int
pkt_in_feed(struct pkt_in *in, const uint8_t *p, size_t n)
{
	if (in == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (in->err != 0) {
		return in->err;
	}
	if (n == 0) {
		return 0;
	}
	pkt_in_compact(in, n);
	return buf_put(&in->raw, p, n);
}

int
pkt_in_space(struct pkt_in *in, size_t n, uint8_t **p, size_t *room)
{
	if (p != NULL) {
		*p = NULL;
	}
	if (room != NULL) {
		*room = 0;
	}
	if (in == NULL || p == NULL || n == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (in->err != 0) {
		return in->err;
	}
	pkt_in_compact(in, n);
	return buf_space(&in->raw, n, p, room);
}

int
pkt_in_commit(struct pkt_in *in, size_t k)
{
	if (in == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (in->err != 0) {
		return in->err;
	}
	return buf_commit(&in->raw, k);
}

/* 0 when packet_length plen is possible with keys k, else the error. */
static int
pkt_len_check(const struct pkt_keys *k, uint32_t plen, size_t decrypted)
{
	size_t block = pkt_block(k), aligned;

	if (plen > SESH_MAX_PACKET) {
		return SESH_ERR_LIMIT;
	}
	aligned = pkt_len_excluded(k) ? plen : PKT_LEN_FIELD + (size_t)plen;
	if (plen < PKT_MIN_LEN || aligned % block != 0 ||
	    PKT_LEN_FIELD + (size_t)plen < decrypted) {
		return SESH_ERR_PROTOCOL;
	}
	return 0;
}

/*
 * Learns packet_length of the packet at pkt (avail bytes buffered) and
 * checks its bounds. Leaves have_len false when more bytes are needed.
 * With integrity keys a bad length is a MAC failure: at once when the
 * length is authenticated on its own (EtM, AEAD), after PKT_DISCARD_LEN
 * in plain modes (see there).
 */
static int
pkt_in_length(struct pkt_in *in, uint8_t *pkt, size_t avail)
{
	struct pkt_keys *k = &in->keys;
	size_t block = pkt_block(k);
	uint32_t plen = 0;
	int ret;

	if (pkt_aead(k)) {
		if (avail < PKT_LEN_FIELD) {
			return 0;
		}
		if ((ret = cipher_open_length(k->cipher, in->seqnr, pkt,
		                              &plen)) != 0) {
			return ret;
		}
	} else if (pkt_etm(k)) {
		if (avail < PKT_LEN_FIELD) {
			return 0;
		}
		plen = pkt_get32(pkt);
	} else {
		/* Plain mode: the length is inside the first cipher block. */
		if (avail < block) {
			return 0;
		}
		if (in->decrypted == 0 && k->cipher != NULL &&
		    (ret = cipher_crypt(k->cipher, pkt, pkt, block)) != 0) {
			return ret;
		}
		in->decrypted = block;
		plen = pkt_get32(pkt);
	}
	if ((ret = pkt_len_check(k, plen, in->decrypted)) != 0) {
		if (!pkt_integrity(k)) {
			return ret;
		}
		if (pkt_len_excluded(k)) {
			return SESH_ERR_MAC_INVALID;
		}
		/* Discard: the length field no longer matches in->plen,
		 * which is how pkt_in_open knows. */
		plen = PKT_DISCARD_LEN;
	}
	in->plen = plen;
	in->have_len = true;
	return 0;
}

/*
 * Plain modes, a bad packet whose PKT_DISCARD_LEN bytes (and tag) have
 * all arrived and been decrypted: MACs the bytes a good packet's check
 * would have covered and the bad MAC's did not (all of them after a bad
 * length), so that the work done is the same in every case.
 */
static int
pkt_in_discarded(struct pkt_in *in, uint8_t *pkt)
{
	struct pkt_keys *k = &in->keys;
	size_t len = PKT_LEN_FIELD + (size_t)in->plen, done = 0;
	uint32_t field = pkt_get32(pkt);
	uint8_t tag[MAC_MAX_TAG_LEN];

	if (pkt_len_check(k, field, 0) == 0) {
		done = PKT_LEN_FIELD + (size_t)field; /* a bad MAC */
	}
	if (k->mac != NULL && done < len) {
		(void)mac_compute(k->mac, in->seqnr, pkt + done, len - done,
		                  tag);
		mem_wipe(tag, sizeof(tag));
	}
	return SESH_ERR_MAC_INVALID;
}

/*
 * Authenticates and decrypts the whole packet pkt[0..4+plen) + tag.
 * Returns 1 when a plain-mode packet failed its MAC and the decoder now
 * waits for PKT_DISCARD_LEN bytes of it.
 */
static int
pkt_in_open(struct pkt_in *in, uint8_t *pkt)
{
	struct pkt_keys *k = &in->keys;
	size_t len = PKT_LEN_FIELD + (size_t)in->plen;
	uint8_t *tag = pkt + len;
	int ret;

	if (pkt_aead(k)) {
		return cipher_open(k->cipher, in->seqnr, pkt, len, tag);
	}
	if (pkt_etm(k)) {
		/* Check before decrypting anything. */
		if ((ret = mac_verify(k->mac, in->seqnr, pkt, len, tag)) != 0) {
			return ret;
		}
		if (k->cipher != NULL &&
		    (ret = cipher_crypt(k->cipher, pkt + PKT_LEN_FIELD,
		                        pkt + PKT_LEN_FIELD, in->plen)) != 0) {
			return ret;
		}
		return 0;
	}
	if (k->cipher != NULL &&
	    (ret = cipher_crypt(k->cipher, pkt + in->decrypted,
	                        pkt + in->decrypted, len - in->decrypted)) !=
	        0) {
		return ret;
	}
	in->decrypted = len;
	if (pkt_get32(pkt) != in->plen) {
		return pkt_in_discarded(in, pkt);
	}
	if (k->mac != NULL &&
	    (ret = mac_verify(k->mac, in->seqnr, pkt, len, tag)) != 0) {
		if (ret != SESH_ERR_MAC_INVALID ||
		    in->plen == PKT_DISCARD_LEN) {
			return ret;
		}
		in->plen = PKT_DISCARD_LEN;
		return 1;
	}
	return 0;
}

static int
pkt_in_decode(struct pkt_in *in, const uint8_t **payload, size_t *n)
{
	size_t avail = pkt_in_buffered(in), total, pad;
	uint8_t *pkt;
	int ret;

	if (avail == 0) {
		return 0;
	}
	pkt = in->raw.p + in->off;
	if (!in->have_len) {
		if ((ret = pkt_in_length(in, pkt, avail)) != 0) {
			return ret;
		}
		if (!in->have_len) {
			return 0;
		}
	}
	/* pkt_in_open gives 1 after a bad MAC in a plain mode: the packet
	 * now counts as PKT_DISCARD_LEN long, maybe all here already. */
	do {
		total =
		    PKT_LEN_FIELD + (size_t)in->plen + pkt_tag_len(&in->keys);
		if (avail < total) {
			return 0;
		}
	} while ((ret = pkt_in_open(in, pkt)) == 1);
	if (ret != 0) {
		return ret;
	}
	/* byte padding_length: >= 4, and the payload n1 >= 0 */
	pad = pkt[PKT_LEN_FIELD];
	if (pad < PKT_MIN_PADDING || pad > (size_t)in->plen - 1) {
		return SESH_ERR_PROTOCOL;
	}
	*payload = pkt + PKT_LEN_FIELD + 1;
	*n = (size_t)in->plen - 1 - pad;
	in->off += total;
	in->have_len = false;
	in->plen = 0;
	in->decrypted = 0;
	in->seqnr++;
	if (in->seqnr == 0) {
		in->seqnr_wrapped = true;
	}
	in->packets++;
	in->bytes += total;
	return 0;
}

int
pkt_in_next(struct pkt_in *in, const uint8_t **payload, size_t *n)
{
	const uint8_t *p = NULL;
	size_t len = 0;
	int ret;

	if (payload == NULL || n == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*payload = NULL;
	*n = 0;
	if (in == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (in->err != 0) {
		return in->err;
	}
	if ((ret = pkt_in_decode(in, &p, &len)) != 0) {
		in->err = ret;
		/* The failed packet and what follows it are unauthenticated
		 * or dead: wiped. The packets returned before it stay (their
		 * views are valid until bytes are fed, which now fails). */
		buf_truncate(&in->raw, in->off);
		return ret;
	}
	*payload = p;
	*n = len;
	return 0;
}
