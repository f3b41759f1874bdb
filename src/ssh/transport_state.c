/*
 * transport_state.c - state transfer of a quiescent server transport
 * (transport_export / transport_import, contract in transport.h): lets
 * the server move an authenticated connection to another process
 * without a new key exchange.
 *
 * Encoding (RFC 4251 types, every length bounded on import):
 *	string   our identification        string   the peer's
 *	uint32   kex_count (1..2^31-1)     boolean  strict
 *	string   session id (1..HASH_MAX_LEN)
 *	string   the negotiated names, KEX_ALG_COUNT of them
 *	boolean  strict, ext_info_c, ext_info_s, guess_matches (choice)
 *	uint32   last_seqnr  boolean have_last
 *	uint32   unimplemented count, its last sequence number
 *	uint64   now  boolean time_known  uint64 kex_time  boolean set
 *	sending:   uint32 seqnr, boolean wrapped, uint64 packets, bytes,
 *	           keys
 *	receiving: the same, then string undecoded bytes, boolean have_len,
 *	           uint32 plen, uint32 decrypted
 * keys: boolean has_cipher [cipher_export], boolean has_mac [mac_export].
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "crypto/cipher.h"
#include "crypto/mac.h"
#include "ssh/packet.h"
#include "ssh/transport.h"
#include "ssh/transport_int.h"

bool
transport_can_export(const struct transport *t)
{
	return t != NULL && t->role == TRANSPORT_SERVER && !t->closed &&
	       t->err == 0 && t->in.err == 0 && t->kex_count > 0 &&
	       t->peer_version != NULL && !t->sent_kexinit && !t->got_kexinit &&
	       !t->sent_newkeys && !t->got_newkeys && !t->keys_ready &&
	       !t->awaiting_hostkey && !t->awaiting_sign && !t->pending_done &&
	       !t->ignore_next && t->kc == NULL && t->ks == NULL &&
	       buf_len(&t->queue) == 0 && buf_len(&t->out) == 0;
}

static int
put_keys(struct buf *b, const struct pkt_keys *k)
{
	int ret;

	if ((ret = buf_put_bool(b, k->cipher != NULL)) != 0 ||
	    (k->cipher != NULL && (ret = cipher_export(k->cipher, b)) != 0) ||
	    (ret = buf_put_bool(b, k->mac != NULL)) != 0 ||
	    (k->mac != NULL && (ret = mac_export(k->mac, b)) != 0)) {
		return ret;
	}
	return 0;
}

static int
put_dir(struct buf *b, uint32_t seqnr, bool wrapped, uint64_t packets,
        uint64_t bytes, const struct pkt_keys *k)
{
	int ret;

	if ((ret = buf_put_u32(b, seqnr)) != 0 ||
	    (ret = buf_put_bool(b, wrapped)) != 0 ||
	    (ret = buf_put_u64(b, packets)) != 0 ||
	    (ret = buf_put_u64(b, bytes)) != 0 || (ret = put_keys(b, k)) != 0) {
		return ret;
	}
	return 0;
}

int
transport_export(const struct transport *t, struct buf *out)
{
	const struct pkt_in *in;
	size_t mark, i;
	int ret;

	if (out == NULL || !transport_can_export(t)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	in = &t->in;
	mark = buf_len(out);
	if ((ret = buf_put_cstring(out, t->my_version)) != 0 ||
	    (ret = buf_put_cstring(out, t->peer_version)) != 0 ||
	    (ret = buf_put_u32(out, t->kex_count)) != 0 ||
	    (ret = buf_put_bool(out, t->strict)) != 0 ||
	    (ret = buf_put_string(out, t->session_id, t->sid_len)) != 0) {
		goto out;
	}
	for (i = 0; i < KEX_ALG_COUNT; i++) {
		if ((ret = buf_put_cstring(out, t->choice.alg[i])) != 0) {
			goto out;
		}
	}
	if ((ret = buf_put_bool(out, t->choice.strict)) != 0 ||
	    (ret = buf_put_bool(out, t->choice.ext_info_c)) != 0 ||
	    (ret = buf_put_bool(out, t->choice.ext_info_s)) != 0 ||
	    (ret = buf_put_bool(out, t->choice.guess_matches)) != 0 ||
	    (ret = buf_put_u32(out, t->last_seqnr)) != 0 ||
	    (ret = buf_put_bool(out, t->have_last)) != 0 ||
	    (ret = buf_put_u32(out, t->unimpl_count)) != 0 ||
	    (ret = buf_put_u32(out, t->unimpl_seqnr)) != 0 ||
	    (ret = buf_put_u64(out, t->now)) != 0 ||
	    (ret = buf_put_bool(out, t->time_known)) != 0 ||
	    (ret = buf_put_u64(out, t->kex_time)) != 0 ||
	    (ret = buf_put_bool(out, t->kex_time_set)) != 0 ||
	    (ret = put_dir(out, t->pout.seqnr, t->pout.seqnr_wrapped,
	                   t->pout.packets, t->pout.bytes, &t->pout.keys)) !=
	        0 ||
	    (ret = put_dir(out, in->seqnr, in->seqnr_wrapped, in->packets,
	                   in->bytes, &in->keys)) != 0 ||
	    (ret = buf_put_string(out, buf_data(&in->raw) + in->off,
	                          pkt_in_buffered(in))) != 0 ||
	    (ret = buf_put_bool(out, in->have_len)) != 0 ||
	    (ret = buf_put_u32(out, in->plen)) != 0 ||
	    (ret = buf_put_u32(out, (uint32_t)in->decrypted)) != 0) {
		goto out;
	}
	ret = 0;
out:
	if (ret != 0) {
		buf_truncate(out, mark);
	}
	return ret;
}

/* Reads one direction's keys; *c and *m owned by the caller (NULL if
 * absent). The cipher must run in the direction wanted. */
static int
get_keys(struct rd *r, bool encrypt, struct cipher_ctx **c, struct mac_ctx **m)
{
	bool has;
	int ret;

	*c = NULL;
	*m = NULL;
	if ((ret = rd_bool(r, &has)) != 0) {
		return ret;
	}
	if (has) {
		if ((ret = cipher_import(r, c)) != 0) {
			return ret;
		}
		if (cipher_encrypting(*c) != encrypt) {
			return SESH_ERR_INVALID_FORMAT;
		}
	}
	if ((ret = rd_bool(r, &has)) != 0) {
		return ret;
	}
	if (has && (ret = mac_import(r, m)) != 0) {
		return ret;
	}
	return 0;
}

struct dir_state {
	uint32_t seqnr;
	bool wrapped;
	uint64_t packets, bytes;
};

static int
get_dir_head(struct rd *r, struct dir_state *d)
{
	int ret;

	if ((ret = rd_u32(r, &d->seqnr)) != 0 ||
	    (ret = rd_bool(r, &d->wrapped)) != 0 ||
	    (ret = rd_u64(r, &d->packets)) != 0 ||
	    (ret = rd_u64(r, &d->bytes)) != 0) {
		return ret;
	}
	return 0;
}

/* The packet layer's alignment rules (packet.h) for the checks below. */
static bool
keys_aead(const struct pkt_keys *k)
{
	const struct cipher_alg *a = cipher_alg(k->cipher);

	return a != NULL && (a->kind == CIPHER_KIND_GCM ||
	                     a->kind == CIPHER_KIND_CHACHAPOLY);
}

static bool
keys_len_excluded(const struct pkt_keys *k)
{
	const struct mac_alg *m = mac_alg(k->mac);

	return keys_aead(k) || (m != NULL && m->etm);
}

static size_t
keys_block(const struct pkt_keys *k)
{
	const struct cipher_alg *a = cipher_alg(k->cipher);

	return a == NULL || a->block_len < PKT_MIN_BLOCK ? PKT_MIN_BLOCK
	                                                 : a->block_len;
}

/*
 * The decoder's partial state must be one pkt_in_next() can leave:
 * nothing known, or the length of the current packet known (plain
 * modes: at least its first block decrypted in place, never more than
 * is buffered or than the packet holds).
 */
static int
check_partial(const struct pkt_in *in, bool have_len, uint32_t plen,
              uint32_t decrypted)
{
	size_t avail = pkt_in_buffered(in), block = keys_block(&in->keys);
	size_t aligned;
	bool excl = keys_len_excluded(&in->keys);

	if (!have_len) {
		return plen == 0 && decrypted == 0 ? 0
		                                   : SESH_ERR_INVALID_FORMAT;
	}
	aligned = excl ? plen : PKT_LEN_FIELD + (size_t)plen;
	if (plen > SESH_MAX_PACKET || plen < 1u + PKT_MIN_PADDING ||
	    aligned % block != 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	if (excl) {
		if (decrypted != 0 || avail < PKT_LEN_FIELD) {
			return SESH_ERR_INVALID_FORMAT;
		}
	} else if (decrypted < block || decrypted > avail ||
	           PKT_LEN_FIELD + (size_t)plen < decrypted) {
		/* at least the first block; more once a bad packet is
		 * being discarded (packet.c) */
		return SESH_ERR_INVALID_FORMAT;
	}
	return 0;
}

static bool
peer_version_ok(const char *v)
{
	size_t n = strlen(v);

	return n + 1 <= TRANSPORT_MAX_IDENT &&
	       transport_ident_printable((const uint8_t *)v, n) &&
	       (strncmp(v, "SSH-2.0-", 8) == 0 ||
	        strncmp(v, "SSH-1.99-", 9) == 0);
}

int
transport_import(const struct transport_config *cfg, struct rd *r,
                 struct transport **out)
{
	struct transport *t = NULL;
	struct cipher_ctx *c = NULL;
	struct mac_ctx *m = NULL;
	struct dir_state ds;
	char *s = NULL;
	const uint8_t *p;
	size_t n, i;
	uint32_t u, plen, decrypted;
	bool have_len;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (r == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = transport_alloc(TRANSPORT_SERVER, cfg, &t)) != 0) {
		return ret;
	}
	/* identification strings */
	if ((ret = rd_cstring(r, TRANSPORT_MAX_IDENT, &s)) != 0) {
		goto out;
	}
	if (!transport_version_ok(s)) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	memcpy(t->my_version, s, strlen(s) + 1);
	free(s);
	s = NULL;
	if ((ret = rd_cstring(r, TRANSPORT_MAX_IDENT, &t->peer_version)) != 0) {
		goto out;
	}
	if (!peer_version_ok(t->peer_version)) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	buf_clear(&t->idline);
	/* connection-wide */
	if ((ret = rd_u32(r, &u)) != 0 || (ret = rd_bool(r, &t->strict)) != 0 ||
	    (ret = rd_string_max(r, HASH_MAX_LEN, &p, &n)) != 0) {
		goto out;
	}
	if (u == 0 || u > INT32_MAX || n == 0) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	t->kex_count = u;
	memcpy(t->session_id, p, n);
	t->sid_len = n;
	for (i = 0; i < KEX_ALG_COUNT; i++) {
		if ((ret = rd_cstring(r, SESH_MAX_NAME, &s)) != 0) {
			goto out;
		}
		memcpy(t->choice.alg[i], s, strlen(s) + 1);
		free(s);
		s = NULL;
	}
	if ((ret = rd_bool(r, &t->choice.strict)) != 0 ||
	    (ret = rd_bool(r, &t->choice.ext_info_c)) != 0 ||
	    (ret = rd_bool(r, &t->choice.ext_info_s)) != 0 ||
	    (ret = rd_bool(r, &t->choice.guess_matches)) != 0 ||
	    (ret = rd_u32(r, &t->last_seqnr)) != 0 ||
	    (ret = rd_bool(r, &t->have_last)) != 0 ||
	    (ret = rd_u32(r, &u)) != 0 ||
	    (ret = rd_u32(r, &t->unimpl_seqnr)) != 0 ||
	    (ret = rd_u64(r, &t->now)) != 0 ||
	    (ret = rd_bool(r, &t->time_known)) != 0 ||
	    (ret = rd_u64(r, &t->kex_time)) != 0 ||
	    (ret = rd_bool(r, &t->kex_time_set)) != 0) {
		goto out;
	}
	t->unimpl_count = u;
	/* sending direction */
	if ((ret = get_dir_head(r, &ds)) != 0 ||
	    (ret = get_keys(r, true, &c, &m)) != 0) {
		goto out;
	}
	ret = pkt_out_set_keys(&t->pout, c, m);
	c = NULL;
	m = NULL;
	if (ret != 0) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	t->pout.seqnr = ds.seqnr;
	t->pout.seqnr_wrapped = ds.wrapped;
	t->pout.packets = ds.packets;
	t->pout.bytes = ds.bytes;
	/* receiving direction */
	if ((ret = get_dir_head(r, &ds)) != 0 ||
	    (ret = get_keys(r, false, &c, &m)) != 0) {
		goto out;
	}
	ret = pkt_in_set_keys(&t->in, c, m);
	c = NULL;
	m = NULL;
	if (ret != 0) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	t->in.seqnr = ds.seqnr;
	t->in.seqnr_wrapped = ds.wrapped;
	t->in.packets = ds.packets;
	t->in.bytes = ds.bytes;
	if ((ret = rd_string_max(r, SESH_MAX_WRITER, &p, &n)) != 0 ||
	    (ret = rd_bool(r, &have_len)) != 0 ||
	    (ret = rd_u32(r, &plen)) != 0 ||
	    (ret = rd_u32(r, &decrypted)) != 0) {
		goto out;
	}
	if (n > 0 && (ret = pkt_in_feed(&t->in, p, n)) != 0) {
		goto out;
	}
	if ((ret = check_partial(&t->in, have_len, plen, decrypted)) != 0) {
		goto out;
	}
	t->in.have_len = have_len;
	t->in.plen = plen;
	t->in.decrypted = decrypted;
	*out = t;
	t = NULL;
	ret = 0;
out:
	free(s);
	cipher_free(c);
	mac_free(m);
	transport_free(t);
	return ret;
}
