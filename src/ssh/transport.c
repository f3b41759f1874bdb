/*
 * transport.c - the SSH transport layer of one connection, both roles,
 * sans-I/O. Contract, states and transitions: transport.h.
 *
 * Bookkeeping of one key exchange round: sent_kexinit/got_kexinit say
 * whether each side's KEXINIT has gone by, sent_newkeys/got_newkeys
 * whether each side switched keys. A round ends (kex_finish) when both
 * NEWKEYS have gone by. While our KEXINIT is out and our NEWKEYS is not,
 * service payloads wait in t->queue (u32 length || payload records).
 *
 * A server signing by event (HOSTKEY_SIGN) keeps the half-done exchange
 * in t->ks between the INIT and the application's signature; no packet
 * is decoded meanwhile. The EXT_INFO parser is in transport_extinfo.c,
 * the configuration checks (algorithm lists, our version string) in
 * transport_cfg.c.
 */
#include "ssh/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "crypto/mac.h"
#include "ssh/kex.h"
#include "ssh/msg.h"
#include "ssh/packet.h"
#include "ssh/transport_fuzz.h"
#include "ssh/transport_int.h"

static const char *const ident_prefixes[] = {"SSH-2.0-", "SSH-1.99-"};

/* ---- small helpers ---- */

static bool
is_client(const struct transport *t)
{
	return t->role == TRANSPORT_CLIENT;
}

static void
copy_text(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	size_t i;

	if (n > cap - 1) {
		n = cap - 1;
	}
	for (i = 0; i < n; i++) {
		dst[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	}
	dst[n] = '\0';
}

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* fuzz-only builds: the sealing hook of transport_fuzz.h */
transport_fuzz_send_fn transport_fuzz_send_hook;
void *transport_fuzz_send_ctx;

int
transport_fuzz_seal(struct transport *t, const uint8_t *p, size_t n)
{
	return pkt_seal(&t->pout, p, n, &t->out);
}
#endif

/* Seals one payload now, whatever the state. */
static int
send_now(struct transport *t, const uint8_t *p, size_t n)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	if (transport_fuzz_send_hook != NULL) {
		return transport_fuzz_send_hook(transport_fuzz_send_ctx, t, p,
		                                n);
	}
#endif
	return pkt_seal(&t->pout, p, n, &t->out);
}

/* Sends a small payload built in b, then resets b. */
static int
send_buf(struct transport *t, struct buf *b)
{
	int ret = send_now(t, buf_data(b), buf_len(b));

	buf_reset(b);
	return ret;
}

static int
queue_disconnect(struct transport *t, uint32_t reason, const char *text)
{
	struct buf b;
	int ret;

	buf_init(&b, 0);
	if ((ret = buf_put_u8(&b, SSH2_MSG_DISCONNECT)) != 0 ||
	    (ret = buf_put_u32(&b, reason)) != 0 ||
	    (ret = buf_put_cstring(&b, text)) != 0 ||
	    (ret = buf_put_cstring(&b, "")) != 0) {
		goto out;
	}
	ret = send_buf(t, &b);
out:
	buf_clear(&b);
	return ret;
}

/*
 * The first fatal error: sticks, queues a DISCONNECT (reason 0 takes the
 * error's own reason), closes. Later calls do nothing.
 */
static void
fatal(struct transport *t, int err, uint32_t reason, const char *text)
{
	if (t->closed) {
		return;
	}
	if (reason == 0) {
		reason = (uint32_t)sesh_err_disconnect_reason(err);
	}
	if (text == NULL) {
		text = sesh_err_str(err);
	}
	t->err = err;
	t->disc_reason = reason;
	t->disc_by_peer = false;
	snprintf(t->disc_text, sizeof(t->disc_text), "%s", text);
	(void)queue_disconnect(t, reason, t->disc_text);
	t->closed = true;
}

/* The first of our host keys usable with algorithm alg, or NULL. */
static const struct sshkey *
hostkey_for(const struct transport *t, const char *alg)
{
	size_t i;

	for (i = 0; i < t->n_hostkeys; i++) {
		if (t->hostkeys[i] != NULL &&
		    kex_hostkey_alg_check(alg, t->hostkeys[i]->type) == 0) {
			return t->hostkeys[i];
		}
	}
	return NULL;
}

/* Server: the configured host key algorithms we have a key for. */
static int
filter_hostkey_list(struct transport *t, const char *list, char **out)
{
	const uint8_t *name;
	size_t pos = 0, nl, len = strlen(list), n;
	char tmp[SESH_MAX_NAME + 1];
	struct buf b;
	uint8_t *p = NULL;
	int ret;

	*out = NULL;
	buf_init(&b, SESH_MAX_NAMELIST);
	while (namelist_next((const uint8_t *)list, len, &pos, &name, &nl)) {
		if (nl > SESH_MAX_NAME) {
			ret = SESH_ERR_INVALID_ARGUMENT;
			goto out;
		}
		memcpy(tmp, name, nl);
		tmp[nl] = '\0';
		if (hostkey_for(t, tmp) == NULL) {
			continue;
		}
		if ((buf_len(&b) > 0 && (ret = buf_put_u8(&b, ',')) != 0) ||
		    (ret = buf_put(&b, tmp, nl)) != 0) {
			goto out;
		}
	}
	if (buf_len(&b) == 0) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = buf_steal(&b, &p, &n)) != 0) {
		goto out;
	}
	*out = (char *)p;
out:
	buf_clear(&b);
	return ret;
}

/* ---- key exchange ---- */

static bool
kex_running(const struct transport *t)
{
	return t->sent_kexinit || t->got_kexinit;
}

static int
send_kexinit(struct transport *t)
{
	const char *lists[KEX_ALG_COUNT];
	char kex[SESH_MAX_NAMELIST + 1];
	bool first = t->kex_count == 0;
	int ret, w;

	w = snprintf(kex, sizeof(kex), "%s%s%s", t->kex_list,
	             first && t->offer_ext_info ? "," KEX_EXT_INFO_C : "",
	             !first || !t->offer_strict ? ""
	             : is_client(t)             ? "," KEX_STRICT_C
	                                        : "," KEX_STRICT_S);
	if (w < 0 || (size_t)w >= sizeof(kex)) {
		return SESH_ERR_LIMIT;
	}
	lists[KEX_ALG_KEX] = kex;
	lists[KEX_ALG_HOSTKEY] = t->hostkey_list;
	lists[KEX_ALG_ENC_CTOS] = t->cipher_list;
	lists[KEX_ALG_ENC_STOC] = t->cipher_list;
	lists[KEX_ALG_MAC_CTOS] = t->mac_list;
	lists[KEX_ALG_MAC_STOC] = t->mac_list;
	lists[KEX_ALG_COMP_CTOS] = "none";
	lists[KEX_ALG_COMP_STOC] = "none";
	lists[KEX_ALG_LANG_CTOS] = "";
	lists[KEX_ALG_LANG_STOC] = "";
	buf_reset(&t->my_kexinit);
	if ((ret = kexinit_build(lists, false, t->rand, t->rand_ctx,
	                         &t->my_kexinit)) != 0 ||
	    (ret = send_now(t, buf_data(&t->my_kexinit),
	                    buf_len(&t->my_kexinit))) != 0) {
		return ret;
	}
	t->sent_kexinit = true;
	return 0;
}

static void
hash_input(const struct transport *t, struct kex_hash_input *hin)
{
	struct kex_view mine = {(const uint8_t *)t->my_version,
	                        strlen(t->my_version)};
	struct kex_view peer = {(const uint8_t *)t->peer_version,
	                        strlen(t->peer_version)};
	struct kex_view mk = {buf_data(&t->my_kexinit),
	                      buf_len(&t->my_kexinit)};
	struct kex_view pk = {buf_data(&t->peer_kexinit),
	                      buf_len(&t->peer_kexinit)};

	hin->v_c = is_client(t) ? mine : peer;
	hin->v_s = is_client(t) ? peer : mine;
	hin->i_c = is_client(t) ? mk : pk;
	hin->i_s = is_client(t) ? pk : mk;
}

/* Sets the session id on the first exchange and derives the keys. */
static int
derive(struct transport *t, const uint8_t *H, size_t hl,
       const struct buf *k_enc)
{
	int ret;

	if (t->kex_count == 0) {
		memcpy(t->session_id, H, hl);
		t->sid_len = hl;
	}
	ret = kex_derive_keys(t->method->hash, buf_data(k_enc), buf_len(k_enc),
	                      H, hl, t->session_id, t->sid_len, t->cipher_c2s,
	                      t->mac_c2s, t->cipher_s2c, t->mac_s2c, &t->keys);
	if (ret == 0) {
		t->keys_ready = true;
	}
	return ret;
}

static enum kex_role
krole(const struct transport *t)
{
	return is_client(t) ? KEX_ROLE_CLIENT : KEX_ROLE_SERVER;
}

static int
install_keys(struct transport *t, bool sending)
{
	struct cipher_ctx *c = NULL;
	struct mac_ctx *m = NULL;
	int ret;

	ret = kex_dir_contexts(kex_keys_dir(&t->keys, krole(t), sending),
	                       sending, &c, &m);
	if (ret != 0) {
		return ret;
	}
	if (sending) {
		if ((ret = pkt_out_set_keys(&t->pout, c, m)) == 0 &&
		    t->strict) {
			pkt_out_reset_seqnr(&t->pout);
		}
	} else {
		if ((ret = pkt_in_set_keys(&t->in, c, m)) == 0 && t->strict) {
			pkt_in_reset_seqnr(&t->in);
		}
	}
	return ret;
}

static void
kex_finish(struct transport *t)
{
	t->kex_count++;
	t->sent_kexinit = t->got_kexinit = false;
	t->sent_newkeys = t->got_newkeys = false;
	t->keys_ready = false;
	kex_keys_clear(&t->keys);
	buf_reset(&t->my_kexinit);
	buf_reset(&t->peer_kexinit);
	t->pending_done = true;
	/* The time limit counts from here (or from the next tick). */
	t->kex_time = t->now;
	t->kex_time_set = t->time_known;
}

static int
send_ext_info(struct transport *t)
{
	struct buf b;
	int ret;

	buf_init(&b, 0);
	if ((ret = buf_put_u8(&b, SSH2_MSG_EXT_INFO)) != 0 ||
	    (ret = buf_put_u32(&b, 1)) != 0 ||
	    (ret = buf_put_cstring(&b, "server-sig-algs")) != 0 ||
	    (ret = buf_put_cstring(&b, TRANSPORT_SERVER_SIG_ALGS)) != 0) {
		goto out;
	}
	ret = send_buf(t, &b);
out:
	buf_clear(&b);
	return ret;
}

/* Seals what transport_send() held back. */
static int
flush_queue(struct transport *t)
{
	struct rd r;
	const uint8_t *p;
	size_t n;
	int ret = 0;

	rd_init(&r, buf_data(&t->queue), buf_len(&t->queue));
	while (rd_left(&r) > 0) {
		if ((ret = rd_string(&r, &p, &n)) != 0 ||
		    (ret = send_now(t, p, n)) != 0) {
			break;
		}
	}
	buf_reset(&t->queue);
	return ret;
}

static int
send_newkeys(struct transport *t)
{
	static const uint8_t newkeys[1] = {SSH2_MSG_NEWKEYS};
	int ret;

	if ((ret = send_now(t, newkeys, sizeof(newkeys))) != 0 ||
	    (ret = install_keys(t, true)) != 0) {
		return ret;
	}
	t->sent_newkeys = true;
	if (!is_client(t) && t->kex_count == 0 && t->choice.ext_info_c &&
	    (ret = send_ext_info(t)) != 0) {
		return ret;
	}
	if ((ret = flush_queue(t)) != 0) {
		return ret;
	}
	if (t->got_newkeys) {
		kex_finish(t);
	}
	return 0;
}

static int
handle_kexinit(struct transport *t, const uint8_t *p, size_t n)
{
	struct kexinit peer, mine;
	struct buf init;
	int ret, failed = -1;
	char text[TRANSPORT_MAX_DISC_TEXT + 1];

	buf_init(&init, 0);
	if (t->got_kexinit) {
		ret = SESH_ERR_PROTOCOL;
		goto out;
	}
	buf_reset(&t->peer_kexinit);
	if ((ret = buf_put(&t->peer_kexinit, p, n)) != 0 ||
	    (ret = kexinit_parse(buf_data(&t->peer_kexinit),
	                         buf_len(&t->peer_kexinit), &peer)) != 0) {
		goto out;
	}
	t->got_kexinit = true;
	if (!t->sent_kexinit && (ret = send_kexinit(t)) != 0) {
		goto out;
	}
	if ((ret = kexinit_parse(buf_data(&t->my_kexinit),
	                         buf_len(&t->my_kexinit), &mine)) != 0) {
		goto out;
	}
	ret = kexinit_negotiate(is_client(t) ? &mine : &peer,
	                        is_client(t) ? &peer : &mine, &t->choice,
	                        &failed);
	if (ret != 0) {
		/* ssh's words, with the peer's list for the user */
		snprintf(text, sizeof(text),
		         "no matching %s found. Their offer: %.*s",
		         kexinit_category_name(failed),
		         (int)(failed >= 0 && failed < KEX_ALG_COUNT
		                   ? peer.algs[failed].n
		                   : 0),
		         failed >= 0 && failed < KEX_ALG_COUNT
		             ? (const char *)peer.algs[failed].p
		             : "");
		fatal(t, ret, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, text);
		goto out;
	}
	if (t->kex_count == 0) {
		t->strict = t->choice.strict;
		if (t->strict && t->pre_kexinit_pkts > 0) {
			fatal(t, SESH_ERR_PROTOCOL, 0,
			      "strict KEX: first packet not KEXINIT");
			ret = SESH_ERR_PROTOCOL;
			goto out;
		}
	}
	t->method = kex_method_by_name(t->choice.alg[KEX_ALG_KEX]);
	t->cipher_c2s = cipher_by_name(t->choice.alg[KEX_ALG_ENC_CTOS]);
	t->cipher_s2c = cipher_by_name(t->choice.alg[KEX_ALG_ENC_STOC]);
	t->mac_c2s = mac_by_name(t->choice.alg[KEX_ALG_MAC_CTOS]);
	t->mac_s2c = mac_by_name(t->choice.alg[KEX_ALG_MAC_STOC]);
	if (t->method == NULL || t->cipher_c2s == NULL ||
	    t->cipher_s2c == NULL ||
	    (t->cipher_c2s->tag_len == 0 && t->mac_c2s == NULL) ||
	    (t->cipher_s2c->tag_len == 0 && t->mac_s2c == NULL)) {
		ret = SESH_ERR_UNSUPPORTED;
		goto out;
	}
	if (peer.first_kex_follows && !t->choice.guess_matches) {
		t->ignore_next = true;
	}
	if (is_client(t)) {
		kex_client_free(t->kc);
		t->kc = NULL;
		if ((ret = kex_client_init(t->method, t->rand, t->rand_ctx,
		                           &t->kc, &init)) != 0 ||
		    (ret = send_buf(t, &init)) != 0) {
			goto out;
		}
	}
out:
	buf_clear(&init);
	return ret;
}

/* Client: KEX REPLY. */
static int
handle_reply(struct transport *t, const uint8_t *p, size_t n)
{
	struct kex_hash_input hin;
	struct sshkey *hk = NULL;
	uint8_t H[HASH_MAX_LEN];
	size_t hl = 0;
	struct buf k;
	int ret;

	buf_init(&k, 0);
	buf_set_secret(&k);
	hash_input(t, &hin);
	if ((ret = kex_client_reply(t->kc, t->choice.alg[KEX_ALG_HOSTKEY], p, n,
	                            &hin, &hk, H, &hl, &k)) != 0 ||
	    (ret = derive(t, H, hl, &k)) != 0) {
		goto out;
	}
	kex_client_free(t->kc);
	t->kc = NULL;
	if (t->kex_count == 0) {
		buf_reset(&t->fingerprint);
		if ((ret = key_fingerprint(hk, HASH_SHA256, &t->fingerprint)) !=
		    0) {
			goto out;
		}
		t->new_hostkey = hk;
		hk = NULL;
		t->awaiting_hostkey = true;
		t->hostkey_reported = false;
	} else if (!key_equal_public(hk, t->peer_hostkey)) {
		fatal(t, SESH_ERR_INVALID_KEY,
		      SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE,
		      "host key changed during rekey");
		ret = SESH_ERR_INVALID_KEY;
	} else {
		ret = send_newkeys(t);
	}
out:
	mem_wipe(H, sizeof(H));
	buf_clear(&k);
	key_free(hk);
	return ret;
}

/* Server: KEX INIT. */
static int
handle_init(struct transport *t, const uint8_t *p, size_t n)
{
	struct kex_hash_input hin;
	const struct sshkey *key;
	uint8_t H[HASH_MAX_LEN];
	size_t hl = 0;
	struct buf k, reply;
	int ret;

	buf_init(&k, 0);
	buf_set_secret(&k);
	buf_init(&reply, 0);
	key = hostkey_for(t, t->choice.alg[KEX_ALG_HOSTKEY]);
	if (key == NULL) {
		ret = SESH_ERR_UNSUPPORTED;
		goto out;
	}
	hash_input(t, &hin);
	if (t->sign_by_event || !key_has_private(key)) {
		/* H now, the signature from the application (HOSTKEY_SIGN,
		 * transport_hostkey_signature), then REPLY and NEWKEYS. */
		kex_server_free(t->ks);
		t->ks = NULL;
		if ((ret = kex_server_hash(t->method, t->rand, t->rand_ctx, p,
		                           n, &hin, key,
		                           t->choice.alg[KEX_ALG_HOSTKEY],
		                           &t->ks, H, &hl, &k)) != 0 ||
		    (ret = derive(t, H, hl, &k)) != 0) {
			goto out;
		}
		t->sign_key = key;
		t->awaiting_sign = true;
		t->sign_reported = false;
		goto out;
	}
	if ((ret = kex_server_reply(t->method, t->rand, t->rand_ctx, p, n, &hin,
	                            key, t->choice.alg[KEX_ALG_HOSTKEY], H, &hl,
	                            &k, &reply)) != 0 ||
	    (ret = derive(t, H, hl, &k)) != 0 ||
	    (ret = send_buf(t, &reply)) != 0 || (ret = send_newkeys(t)) != 0) {
		goto out;
	}
out:
	mem_wipe(H, sizeof(H));
	buf_clear(&k);
	buf_clear(&reply);
	return ret;
}

static int
handle_newkeys(struct transport *t, size_t n)
{
	int ret;

	if (n != 1 || !t->keys_ready || t->got_newkeys) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = install_keys(t, false)) != 0) {
		return ret;
	}
	t->got_newkeys = true;
	if (t->sent_newkeys) {
		kex_finish(t);
	}
	return 0;
}

/* ---- other transport messages ---- */

/* DISCONNECT: byte 1, uint32 reason, string description, string lang. */
static int
handle_disconnect(struct transport *t, const uint8_t *p, size_t n)
{
	struct rd r;
	uint32_t reason;
	const uint8_t *d, *lang;
	size_t dn, ln;
	int ret;

	rd_init(&r, p, n);
	if ((ret = rd_expect_u8(&r, SSH2_MSG_DISCONNECT)) != 0 ||
	    (ret = rd_u32(&r, &reason)) != 0 ||
	    (ret = rd_string(&r, &d, &dn)) != 0 ||
	    (ret = rd_string(&r, &lang, &ln)) != 0 || (ret = rd_end(&r)) != 0) {
		return ret;
	}
	t->disc_reason = reason;
	copy_text(t->disc_text, sizeof(t->disc_text), d, dn);
	t->disc_by_peer = true;
	t->closed = true;
	return 0;
}

static int
handle_ext_info(struct transport *t, const uint8_t *p, size_t n)
{
	char *sig = NULL;
	int ret;

	if ((ret = transport_ext_info_parse(p, n, &sig)) != 0) {
		return ret;
	}
	if (sig != NULL) {
		free(t->server_sig_algs);
		t->server_sig_algs = sig;
	}
	return 0;
}

static int
send_unimplemented(struct transport *t)
{
	struct buf b;
	int ret;

	buf_init(&b, 0);
	if ((ret = buf_put_u8(&b, SSH2_MSG_UNIMPLEMENTED)) != 0 ||
	    (ret = buf_put_u32(&b, t->last_seqnr)) != 0) {
		goto out;
	}
	ret = send_buf(t, &b);
out:
	buf_clear(&b);
	return ret;
}

/* UNIMPLEMENTED: byte 3, uint32 packet sequence number rejected. Noted
 * (transport_unimplemented_received), otherwise harmless. */
static int
handle_unimplemented(struct transport *t, const uint8_t *p, size_t n)
{
	struct rd r;
	uint32_t seq;
	int ret;

	rd_init(&r, p, n);
	if ((ret = rd_expect_u8(&r, SSH2_MSG_UNIMPLEMENTED)) != 0 ||
	    (ret = rd_u32(&r, &seq)) != 0 || (ret = rd_end(&r)) != 0) {
		return ret;
	}
	t->unimpl_count++;
	t->unimpl_seqnr = seq;
	return 0;
}

static bool
is_kex_msg(uint8_t m)
{
	return m == SSH2_MSG_KEXINIT || m == SSH2_MSG_NEWKEYS ||
	       (m >= 30 && m <= 49);
}

/*
 * One decoded packet. Returns 1 with *ev filled (a PAYLOAD), 0, or an
 * error (fatal for the connection).
 */
static int
handle_packet(struct transport *t, const uint8_t *p, size_t n,
              struct transport_event *ev)
{
	uint8_t m;
	int ret;

	if (n == 0) {
		return SESH_ERR_PROTOCOL;
	}
	m = p[0];
	if (t->ignore_next) {
		t->ignore_next = false;
		return 0;
	}
	if (m == SSH2_MSG_DISCONNECT) {
		return handle_disconnect(t, p, n);
	}
	if (t->kex_count == 0 && !t->got_kexinit && m != SSH2_MSG_KEXINIT) {
		t->pre_kexinit_pkts++;
	}
	if (t->kex_count == 0 && t->strict && !is_kex_msg(m)) {
		fatal(t, SESH_ERR_PROTOCOL, 0,
		      "strict KEX: unexpected message during key exchange");
		return SESH_ERR_PROTOCOL;
	}
	switch (m) {
	case SSH2_MSG_IGNORE:
	case SSH2_MSG_DEBUG:
		return 0;
	case SSH2_MSG_UNIMPLEMENTED:
		return handle_unimplemented(t, p, n);
	case SSH2_MSG_KEXINIT:
		return handle_kexinit(t, p, n);
	case SSH2_MSG_NEWKEYS:
		return handle_newkeys(t, n);
	default:
		break;
	}
	if (m >= 30 && m <= 49) {
		if (!t->got_kexinit) {
			if (t->kex_count == 0) {
				return SESH_ERR_PROTOCOL;
			}
			return send_unimplemented(t);
		}
		if (t->keys_ready) {
			return SESH_ERR_PROTOCOL;
		}
		if (is_client(t)) {
			if (t->kc == NULL) {
				return SESH_ERR_PROTOCOL;
			}
			return handle_reply(t, p, n);
		}
		return handle_init(t, p, n);
	}
	if (m == SSH2_MSG_SERVICE_REQUEST || m == SSH2_MSG_SERVICE_ACCEPT ||
	    m == SSH2_MSG_EXT_INFO || m >= 50) {
		/* Service messages: never before the first KEX ends, nor
		 * between the peer's KEXINIT and its NEWKEYS. */
		if (t->kex_count == 0 || (t->got_kexinit && !t->got_newkeys)) {
			return SESH_ERR_PROTOCOL;
		}
		if ((m == SSH2_MSG_SERVICE_REQUEST && is_client(t)) ||
		    (m == SSH2_MSG_SERVICE_ACCEPT && !is_client(t))) {
			return SESH_ERR_PROTOCOL;
		}
		if (m == SSH2_MSG_EXT_INFO) {
			if (!is_client(t)) {
				return 0; /* we never offer ext-info-s */
			}
			if ((ret = handle_ext_info(t, p, n)) != 0) {
				return ret;
			}
		}
		ev->type = TRANSPORT_EV_PAYLOAD;
		ev->payload = p;
		ev->len = n;
		return 1;
	}
	/* 0, 8-19, 22-29: unknown transport messages. */
	if (t->kex_count == 0) {
		return SESH_ERR_PROTOCOL;
	}
	return send_unimplemented(t);
}

static bool
volume_reached(const struct transport *t)
{
	return t->pout.bytes >= t->rekey_bytes ||
	       t->in.bytes >= t->rekey_bytes ||
	       t->pout.packets >= t->rekey_packets ||
	       t->in.packets >= t->rekey_packets;
}

static bool
time_reached(const struct transport *t)
{
	return t->rekey_ms != 0 && t->kex_time_set &&
	       t->now - t->kex_time >= t->rekey_ms;
}

static void
maybe_rekey(struct transport *t)
{
	int ret;

	if (t->closed || t->kex_count == 0 || kex_running(t) ||
	    (!volume_reached(t) && !time_reached(t))) {
		return;
	}
	if ((ret = send_kexinit(t)) != 0) {
		fatal(t, ret, 0, NULL);
	}
}

/* ---- identification ---- */

static bool
has_prefix(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);

	return n >= l && memcmp(p, s, l) == 0;
}

/* One complete line (LF and a CR before it removed); raw_len counts
 * them. Returns 0, 1 when it was the identification, or an error. */
static int
ident_line(struct transport *t, const uint8_t *p, size_t n, size_t raw_len)
{
	if (!has_prefix(p, n, "SSH-")) {
		if (!is_client(t)) {
			fatal(t, SESH_ERR_PROTOCOL,
			      SSH_DISCONNECT_PROTOCOL_ERROR,
			      "invalid SSH identification string");
			return SESH_ERR_PROTOCOL;
		}
		if (++t->banner_lines > SESH_MAX_BANNER_LINES) {
			fatal(t, SESH_ERR_LIMIT, 0,
			      "too many lines before identification");
			return SESH_ERR_LIMIT;
		}
		return 0;
	}
	if (raw_len > TRANSPORT_MAX_IDENT) {
		fatal(t, SESH_ERR_LIMIT, 0, "identification string too long");
		return SESH_ERR_LIMIT;
	}
	if (!transport_ident_printable(p, n)) {
		fatal(t, SESH_ERR_PROTOCOL, 0,
		      "invalid character in identification");
		return SESH_ERR_PROTOCOL;
	}
	if (!has_prefix(p, n, ident_prefixes[0]) &&
	    !has_prefix(p, n, ident_prefixes[1])) {
		fatal(t, SESH_ERR_UNSUPPORTED,
		      SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED,
		      "protocol version not supported");
		return SESH_ERR_UNSUPPORTED;
	}
	if ((t->peer_version = malloc(n + 1)) == NULL) {
		fatal(t, SESH_ERR_NOMEM, 0, NULL);
		return SESH_ERR_NOMEM;
	}
	memcpy(t->peer_version, p, n);
	t->peer_version[n] = '\0';
	return 1;
}

/* Consumes identification bytes from r, up to and including the
 * identification line; the rest (packets) is left in r. */
static int
ident_input(struct transport *t, struct rd *r)
{
	const uint8_t *lf, *line, *seg;
	size_t segn, ln, raw;
	int ret;

	while (rd_left(r) > 0) {
		lf = memchr(rd_ptr(r), '\n', rd_left(r));
		segn = lf != NULL ? (size_t)(lf - rd_ptr(r)) + 1 : rd_left(r);
		if ((ret = rd_view(r, segn, &seg)) != 0) {
			fatal(t, ret, 0, NULL);
			return ret;
		}
		if ((ret = buf_put(&t->idline, seg, segn)) != 0) {
			fatal(t, SESH_ERR_LIMIT, 0,
			      "identification line too long");
			return SESH_ERR_LIMIT;
		}
		if (lf == NULL) {
			break;
		}
		line = buf_data(&t->idline);
		raw = buf_len(&t->idline);
		ln = raw - 1;
		if (ln > 0 && line[ln - 1] == '\r') {
			ln--;
		}
		ret = ident_line(t, line, ln, raw);
		buf_reset(&t->idline);
		if (ret < 0) {
			return ret;
		}
		if (ret == 1) {
			buf_clear(&t->idline);
			return 0;
		}
	}
	/* A partial identification line is also bounded by 255 bytes. */
	if (buf_len(&t->idline) > TRANSPORT_MAX_IDENT &&
	    has_prefix(buf_data(&t->idline), buf_len(&t->idline), "SSH-")) {
		fatal(t, SESH_ERR_LIMIT, 0, "identification string too long");
		return SESH_ERR_LIMIT;
	}
	return 0;
}

/* ---- public API ---- */

int
transport_alloc(enum transport_role role, const struct transport_config *cfg,
                struct transport **out)
{
	struct transport *t = NULL;
	char *hk = NULL;
	const char *version;
	int ret;

	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL || cfg == NULL || cfg->rand == NULL ||
	    (role != TRANSPORT_CLIENT && role != TRANSPORT_SERVER)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	version =
	    cfg->version != NULL ? cfg->version : TRANSPORT_DEFAULT_VERSION;
	if (!transport_version_ok(version)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	t->role = role;
	t->rand = cfg->rand;
	t->rand_ctx = cfg->rand_ctx;
	t->hostkeys = cfg->hostkeys;
	t->n_hostkeys = cfg->hostkeys != NULL ? cfg->n_hostkeys : 0;
	t->offer_strict = !cfg->no_strict_kex;
	t->offer_ext_info = role == TRANSPORT_CLIENT && !cfg->no_ext_info;
	t->sign_by_event = role == TRANSPORT_SERVER && cfg->sign_by_event;
	t->rekey_ms = (uint64_t)cfg->rekey_seconds * 1000u;
	t->rekey_bytes =
	    cfg->rekey_bytes != 0 ? cfg->rekey_bytes : TRANSPORT_DEFAULT_REKEY;
	t->rekey_packets = cfg->rekey_packets != 0
	                       ? cfg->rekey_packets
	                       : TRANSPORT_DEFAULT_REKEY_PACKETS;
	snprintf(t->my_version, sizeof(t->my_version), "%s", version);
	buf_init(&t->idline, role == TRANSPORT_CLIENT ? SESH_MAX_BANNER_LINE
	                                              : TRANSPORT_MAX_IDENT);
	pkt_in_init(&t->in);
	pkt_out_init(&t->pout, cfg->rand, cfg->rand_ctx);
	buf_init(&t->out, 0);
	buf_init(&t->queue, 0);
	buf_set_secret(&t->queue);
	buf_init(&t->my_kexinit, 0);
	buf_init(&t->peer_kexinit, 0);
	buf_init(&t->fingerprint, 0);
	if ((ret = transport_list_dup(cfg->kex, TRANSPORT_DEFAULT_KEX,
	                              TRANSPORT_LIST_KEX, &t->kex_list)) != 0 ||
	    (ret = transport_list_dup(cfg->hostkey, TRANSPORT_DEFAULT_HOSTKEY,
	                              TRANSPORT_LIST_HOSTKEY, &hk)) != 0 ||
	    (ret = transport_list_dup(cfg->ciphers, TRANSPORT_DEFAULT_CIPHERS,
	                              TRANSPORT_LIST_CIPHER,
	                              &t->cipher_list)) != 0 ||
	    (ret = transport_list_dup(cfg->macs, TRANSPORT_DEFAULT_MACS,
	                              TRANSPORT_LIST_MAC, &t->mac_list)) != 0) {
		goto out;
	}
	if (role == TRANSPORT_SERVER) {
		if ((ret = filter_hostkey_list(t, hk, &t->hostkey_list)) != 0) {
			goto out;
		}
	} else {
		t->hostkey_list = hk;
		hk = NULL;
	}
	*out = t;
	t = NULL;
out:
	free(hk);
	transport_free(t);
	return ret;
}

int
transport_new(enum transport_role role, const struct transport_config *cfg,
              struct transport **out)
{
	struct transport *t = NULL;
	int ret;

	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = transport_alloc(role, cfg, &t)) != 0) {
		return ret;
	}
	if ((ret = buf_put(&t->out, t->my_version, strlen(t->my_version))) !=
	        0 ||
	    (ret = buf_put(&t->out, "\r\n", 2)) != 0 ||
	    (ret = send_kexinit(t)) != 0) {
		transport_free(t);
		return ret;
	}
	*out = t;
	return 0;
}

void
transport_free(struct transport *t)
{
	if (t == NULL) {
		return;
	}
	free(t->kex_list);
	free(t->hostkey_list);
	free(t->cipher_list);
	free(t->mac_list);
	buf_clear(&t->idline);
	free(t->peer_version);
	pkt_in_clear(&t->in);
	pkt_out_clear(&t->pout);
	buf_clear(&t->out);
	buf_clear(&t->queue);
	buf_clear(&t->my_kexinit);
	buf_clear(&t->peer_kexinit);
	kex_client_free(t->kc);
	kex_server_free(t->ks);
	kex_keys_clear(&t->keys);
	key_free(t->new_hostkey);
	buf_clear(&t->fingerprint);
	key_free(t->peer_hostkey);
	free(t->server_sig_algs);
	mem_wipe(t->session_id, sizeof(t->session_id));
	free(t);
}

int
transport_input(struct transport *t, const uint8_t *p, size_t n)
{
	struct rd r;
	int ret;

	if (t == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->closed) {
		return t->err;
	}
	rd_init(&r, p, n);
	if (t->peer_version == NULL) {
		if ((ret = ident_input(t, &r)) != 0) {
			return ret;
		}
		if (t->peer_version == NULL || rd_left(&r) == 0) {
			return 0;
		}
	}
	if ((ret = pkt_in_feed(&t->in, rd_ptr(&r), rd_left(&r))) != 0 &&
	    ret != SESH_ERR_LIMIT) {
		fatal(t, ret, 0, NULL);
	}
	return ret;
}

int
transport_input_space(struct transport *t, size_t n, uint8_t **p, size_t *room)
{
	int ret;

	if (p != NULL) {
		*p = NULL;
	}
	if (room != NULL) {
		*room = 0;
	}
	if (t == NULL || p == NULL || n == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->closed || t->peer_version == NULL) {
		return 0; /* transport_input handles (or drops) these */
	}
	if ((ret = pkt_in_space(&t->in, n, p, room)) != 0 &&
	    ret != SESH_ERR_LIMIT) {
		fatal(t, ret, 0, NULL);
	}
	return ret;
}

int
transport_input_commit(struct transport *t, size_t k)
{
	int ret;

	if (t == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->closed) {
		return t->err;
	}
	if ((ret = pkt_in_commit(&t->in, k)) != 0) {
		fatal(t, ret, 0, NULL);
	}
	return ret;
}

int
transport_next_event(struct transport *t, struct transport_event *ev)
{
	const uint8_t *p;
	size_t n;
	int ret;

	if (ev != NULL) {
		memset(ev, 0, sizeof(*ev));
	}
	if (t == NULL || ev == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	ev->text = "";
	for (;;) {
		if (t->closed) {
			if (!t->disc_reported) {
				t->disc_reported = true;
				ev->type = TRANSPORT_EV_DISCONNECTED;
				ev->reason = t->disc_reason;
				ev->text = t->disc_text;
				ev->by_peer = t->disc_by_peer;
				ev->err = t->err;
			}
			return 0;
		}
		if (t->pending_done) {
			t->pending_done = false;
			ev->type = TRANSPORT_EV_KEX_DONE;
			ev->first_kex = t->kex_count == 1;
			return 0;
		}
		if (t->awaiting_hostkey) {
			if (!t->hostkey_reported) {
				t->hostkey_reported = true;
				ev->type = TRANSPORT_EV_HOSTKEY_VERIFY;
				ev->hostkey = t->new_hostkey;
				ev->fingerprint =
				    (const char *)buf_data(&t->fingerprint);
			}
			return 0;
		}
		if (t->awaiting_sign) {
			if (!t->sign_reported) {
				t->sign_reported = true;
				ev->type = TRANSPORT_EV_HOSTKEY_SIGN;
				ev->hostkey = t->sign_key;
				ev->sig_alg = t->choice.alg[KEX_ALG_HOSTKEY];
				kex_server_hash_view(t->ks, &ev->hash,
				                     &ev->hash_len);
			}
			return 0;
		}
		maybe_rekey(t);
		if (t->closed) {
			continue;
		}
		if (t->peer_version == NULL) {
			return 0;
		}
		if ((ret = pkt_in_next(&t->in, &p, &n)) != 0) {
			fatal(t, ret, 0, NULL);
			continue;
		}
		if (p == NULL) {
			return 0;
		}
		t->last_seqnr = t->in.seqnr - 1u;
		t->have_last = true;
		ret = handle_packet(t, p, n, ev);
		if (ret == 1) {
			return 0;
		}
		if (ret < 0) {
			fatal(t, ret, 0, NULL);
		}
	}
}

void
transport_output_peek(const struct transport *t, const uint8_t **p, size_t *n)
{
	*p = buf_data(&t->out);
	*n = buf_len(&t->out);
}

void
transport_output_consume(struct transport *t, size_t n)
{
	if (n > buf_len(&t->out)) {
		n = buf_len(&t->out);
	}
	buf_consume(&t->out, n);
}

int
transport_hostkey_accept(struct transport *t, bool accept)
{
	int ret;

	if (t == NULL || !t->awaiting_hostkey || !t->hostkey_reported ||
	    t->closed) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	t->awaiting_hostkey = false;
	if (!accept) {
		fatal(t, SESH_ERR_INVALID_KEY,
		      SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE,
		      "host key verification failed");
		return 0;
	}
	t->peer_hostkey = t->new_hostkey;
	t->new_hostkey = NULL;
	if ((ret = send_newkeys(t)) != 0) {
		fatal(t, ret, 0, NULL);
	}
	return 0;
}

int
transport_hostkey_signature(struct transport *t, const uint8_t *sig, size_t n)
{
	struct buf reply;
	int ret;

	if (t == NULL || !t->awaiting_sign || !t->sign_reported || t->closed) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_init(&reply, 0);
	if (sig == NULL || n == 0) {
		fatal(t, SESH_ERR_BAD_SIGNATURE,
		      SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
		      "host key signing failed");
		ret = 0;
		goto out;
	}
	if ((ret = kex_server_finish(t->ks, sig, n, &reply)) != 0) {
		fatal(t, ret, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
		      "host key signature refused");
		goto out;
	}
	t->awaiting_sign = false;
	if ((ret = send_buf(t, &reply)) != 0 || (ret = send_newkeys(t)) != 0) {
		fatal(t, ret, 0, NULL);
	}
out:
	t->awaiting_sign = false;
	t->sign_key = NULL;
	kex_server_free(t->ks);
	t->ks = NULL;
	buf_clear(&reply);
	return ret;
}

int
transport_send_unimplemented(struct transport *t)
{
	int ret;

	if (t == NULL || !t->have_last) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->closed) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = send_unimplemented(t)) != 0 && ret != SESH_ERR_LIMIT) {
		fatal(t, ret, 0, NULL);
	}
	return ret;
}

int
transport_tick(struct transport *t, uint64_t now)
{
	if (t == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->closed) {
		return t->err;
	}
	if (!t->time_known || now > t->now) {
		t->now = now;
	}
	t->time_known = true;
	if (t->kex_count > 0 && !kex_running(t) && !t->kex_time_set) {
		t->kex_time = t->now;
		t->kex_time_set = true;
	}
	maybe_rekey(t);
	return t->closed ? t->err : 0;
}

bool
transport_next_deadline(const struct transport *t, uint64_t *when)
{
	if (t == NULL || when == NULL || t->closed || t->rekey_ms == 0 ||
	    t->kex_count == 0 || kex_running(t) || !t->kex_time_set) {
		return false;
	}
	*when = t->kex_time + t->rekey_ms;
	return true;
}

int
transport_send(struct transport *t, const uint8_t *payload, size_t n)
{
	int ret;

	if (t == NULL || payload == NULL || n == 0 ||
	    (payload[0] < 50 && payload[0] != SSH2_MSG_SERVICE_REQUEST &&
	     payload[0] != SSH2_MSG_SERVICE_ACCEPT &&
	     payload[0] != SSH2_MSG_EXT_INFO)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->closed) {
		return SESH_ERR_PROTOCOL;
	}
	if (n > pkt_out_max_payload(&t->pout) || n > SESH_MAX_PACKET) {
		return SESH_ERR_LIMIT;
	}
	if (t->sent_kexinit && !t->sent_newkeys) {
		return buf_put_string(&t->queue, payload, n);
	}
	if ((ret = send_now(t, payload, n)) != 0) {
		if (ret != SESH_ERR_LIMIT) {
			fatal(t, ret, 0, NULL);
		}
		return ret;
	}
	maybe_rekey(t);
	return t->closed ? t->err : 0;
}

int
transport_send_ignore(struct transport *t, const uint8_t *data, size_t n)
{
	struct buf b;
	int ret;

	if (t == NULL || (data == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->closed) {
		return SESH_ERR_PROTOCOL;
	}
	buf_init(&b, 0);
	if ((ret = buf_put_u8(&b, SSH2_MSG_IGNORE)) != 0 ||
	    (ret = buf_put_string(&b, data, n)) != 0) {
		goto out;
	}
	if ((ret = send_buf(t, &b)) != 0 && ret != SESH_ERR_LIMIT) {
		fatal(t, ret, 0, NULL);
	}
out:
	buf_clear(&b);
	return ret;
}

int
transport_rekey(struct transport *t)
{
	int ret;

	if (t == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->closed || t->kex_count == 0) {
		return SESH_ERR_PROTOCOL;
	}
	if (kex_running(t)) {
		return 0;
	}
	if ((ret = send_kexinit(t)) != 0) {
		fatal(t, ret, 0, NULL);
	}
	return ret;
}

int
transport_disconnect(struct transport *t, uint32_t reason, const char *text)
{
	if (t == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->closed) {
		return SESH_ERR_PROTOCOL;
	}
	if (text == NULL) {
		text = "";
	}
	t->disc_reason = reason;
	t->disc_by_peer = false;
	snprintf(t->disc_text, sizeof(t->disc_text), "%s", text);
	(void)queue_disconnect(t, reason, t->disc_text);
	t->closed = true;
	return 0;
}

int
transport_error(const struct transport *t)
{
	return t->err;
}

bool
transport_closed(const struct transport *t)
{
	return t->closed;
}

void
transport_session_id(const struct transport *t, const uint8_t **p, size_t *n)
{
	*p = t->session_id;
	*n = t->sid_len;
}

const char *
transport_peer_version(const struct transport *t)
{
	return t->peer_version;
}

const char *
transport_server_sig_algs(const struct transport *t)
{
	return t->server_sig_algs;
}

const struct kex_choice *
transport_choice(const struct transport *t)
{
	return &t->choice;
}

size_t
transport_held_bytes(const struct transport *t)
{
	return t != NULL ? buf_len(&t->queue) : 0;
}

unsigned int
transport_kex_count(const struct transport *t)
{
	return t->kex_count;
}

unsigned int
transport_unimplemented_received(const struct transport *t,
                                 uint32_t *last_seqnr)
{
	if (last_seqnr != NULL) {
		*last_seqnr = t->unimpl_seqnr;
	}
	return t->unimpl_count;
}

void
transport_seqnrs(const struct transport *t, uint32_t *send, uint32_t *recv)
{
	if (send != NULL) {
		*send = t->pout.seqnr;
	}
	if (recv != NULL) {
		*recv = t->in.seqnr;
	}
}
