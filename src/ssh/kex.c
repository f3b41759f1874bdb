/*
 * kex.c - the KEX method registry, the message-level steps of one
 * exchange in both roles, the exchange hash (RFC 4253 §8, RFC 5656 §4,
 * RFC 8731 §3) and the transport key derivation (RFC 4253 §7.2). The
 * per-family arithmetic lives in kex_ecdh.c and kex_dh.c behind
 * struct kex_ops (kex_int.h). Contract: see kex.h.
 */
#include "ssh/kex.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "crypto/kdf.h"
#include "crypto/kexprim.h"
#include "ssh/kex_hybrid.h"
#include "ssh/kex_int.h"
#include "ssh/msg.h"

/*
 * The registry, in our preference order. pub_max: X25519 keys are 32
 * bytes; uncompressed points 1 + 2 * field bytes; DH values at most the
 * prime's size.
 */
static const struct kex_method kex_methods[] = {
    KEX_HYBRID_METHODS,
    {"curve25519-sha256", HASH_SHA256, KEX_FAMILY_X25519, 0, KEX_ENC_STRING,
     KEX_ENC_MPINT, X25519_LEN, &kex_ops_x25519},
    {"curve25519-sha256@libssh.org", HASH_SHA256, KEX_FAMILY_X25519, 0,
     KEX_ENC_STRING, KEX_ENC_MPINT, X25519_LEN, &kex_ops_x25519},
    {"ecdh-sha2-nistp256", HASH_SHA256, KEX_FAMILY_ECDH, ECDH_P256,
     KEX_ENC_STRING, KEX_ENC_MPINT, 65, &kex_ops_ecdh},
    {"ecdh-sha2-nistp384", HASH_SHA384, KEX_FAMILY_ECDH, ECDH_P384,
     KEX_ENC_STRING, KEX_ENC_MPINT, 97, &kex_ops_ecdh},
    {"ecdh-sha2-nistp521", HASH_SHA512, KEX_FAMILY_ECDH, ECDH_P521,
     KEX_ENC_STRING, KEX_ENC_MPINT, 133, &kex_ops_ecdh},
    {"diffie-hellman-group16-sha512", HASH_SHA512, KEX_FAMILY_DH, DH_GROUP16,
     KEX_ENC_MPINT, KEX_ENC_MPINT, 512, &kex_ops_dh},
    {"diffie-hellman-group18-sha512", HASH_SHA512, KEX_FAMILY_DH, DH_GROUP18,
     KEX_ENC_MPINT, KEX_ENC_MPINT, 1024, &kex_ops_dh},
    {"diffie-hellman-group14-sha256", HASH_SHA256, KEX_FAMILY_DH, DH_GROUP14,
     KEX_ENC_MPINT, KEX_ENC_MPINT, 256, &kex_ops_dh},
};

#define KEX_NMETHODS (sizeof(kex_methods) / sizeof(kex_methods[0]))

const struct kex_method *
kex_method_at(size_t i)
{
	return i < KEX_NMETHODS ? &kex_methods[i] : NULL;
}

const struct kex_method *
kex_method_by_name_n(const char *name, size_t n)
{
	size_t i;

	if (name == NULL) {
		return NULL;
	}
	for (i = 0; i < KEX_NMETHODS; i++) {
		if (strlen(kex_methods[i].name) == n &&
		    memcmp(kex_methods[i].name, name, n) == 0) {
			return &kex_methods[i];
		}
	}
	return NULL;
}

const struct kex_method *
kex_method_by_name(const char *name)
{
	return name == NULL ? NULL : kex_method_by_name_n(name, strlen(name));
}

int
kex_hostkey_alg_check(const char *hostkey_alg, enum key_type type)
{
	static const struct {
		const char *alg;
		enum key_type type;
	} map[] = {
	    {"ssh-ed25519", KEY_ED25519},
	    {"ecdsa-sha2-nistp256", KEY_ECDSA_P256},
	    {"ecdsa-sha2-nistp384", KEY_ECDSA_P384},
	    {"ecdsa-sha2-nistp521", KEY_ECDSA_P521},
	    {"rsa-sha2-256", KEY_RSA},
	    {"rsa-sha2-512", KEY_RSA},
	};
	size_t i;

	if (hostkey_alg == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].alg, hostkey_alg) == 0) {
			return map[i].type == type ? 0
			                           : SESH_ERR_SIG_ALG_MISMATCH;
		}
	}
	return SESH_ERR_UNSUPPORTED;
}

/* ---- encodings ---- */

static int
put_enc(struct buf *b, enum kex_enc enc, const uint8_t *p, size_t n)
{
	if (enc == KEX_ENC_MPINT) {
		return buf_put_mpint(b, p, n);
	}
	return buf_put_string(b, p, n);
}

/* Reads the peer's ephemeral value as the method sends it. */
static int
read_pub(struct rd *r, const struct kex_method *m, const uint8_t **p, size_t *n)
{
	if (m->pub_enc == KEX_ENC_MPINT) {
		/* mpint e / f (RFC 4253 §8), canonical and non-negative */
		return rd_mpint(r, m->pub_max * 8, p, n);
	}
	/* string Q_C / Q_S (RFC 5656 §4, RFC 8731 §3) */
	return rd_string_max(r, m->pub_max, p, n);
}

static bool
method_valid(const struct kex_method *m)
{
	return m != NULL && m->ops != NULL && hash_len(m->hash) != 0;
}

int
kex_exchange_hash(const struct kex_method *m, const struct kex_hash_input *in,
                  struct kex_view k_s, struct kex_view c_pub,
                  struct kex_view s_pub, struct kex_view k_enc,
                  uint8_t H[HASH_MAX_LEN], size_t *h_len)
{
	struct buf b;
	int ret;

	buf_init(&b, 0);
	buf_set_secret(&b); /* holds K */
	if (H != NULL) {
		memset(H, 0, HASH_MAX_LEN);
	}
	if (h_len != NULL) {
		*h_len = 0;
	}
	if (!method_valid(m) || in == NULL || H == NULL || h_len == NULL ||
	    (k_enc.p == NULL && k_enc.n > 0)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = buf_put_string(&b, in->v_c.p, in->v_c.n)) != 0 ||
	    (ret = buf_put_string(&b, in->v_s.p, in->v_s.n)) != 0 ||
	    (ret = buf_put_string(&b, in->i_c.p, in->i_c.n)) != 0 ||
	    (ret = buf_put_string(&b, in->i_s.p, in->i_s.n)) != 0 ||
	    (ret = buf_put_string(&b, k_s.p, k_s.n)) != 0 ||
	    (ret = put_enc(&b, m->pub_enc, c_pub.p, c_pub.n)) != 0 ||
	    (ret = put_enc(&b, m->pub_enc, s_pub.p, s_pub.n)) != 0 ||
	    (ret = buf_put(&b, k_enc.p, k_enc.n)) != 0) {
		goto out;
	}
	if ((ret = hash_digest(m->hash, buf_data(&b), buf_len(&b), H)) != 0) {
		memset(H, 0, HASH_MAX_LEN);
		goto out;
	}
	*h_len = hash_len(m->hash);
	ret = 0;
out:
	buf_clear(&b);
	return ret;
}

/* Copies the local results to the caller's outputs (all or nothing). */
static int
set_results(const uint8_t *h, size_t hl, const struct buf *kenc,
            uint8_t H[HASH_MAX_LEN], size_t *h_len, struct buf *k_enc)
{
	int ret;

	buf_reset(k_enc);
	buf_set_secret(k_enc);
	if ((ret = buf_put(k_enc, buf_data(kenc), buf_len(kenc))) != 0) {
		return ret;
	}
	memcpy(H, h, hl);
	*h_len = hl;
	return 0;
}

static void
clear_results(uint8_t H[HASH_MAX_LEN], size_t *h_len, struct buf *k_enc)
{
	if (H != NULL) {
		memset(H, 0, HASH_MAX_LEN);
	}
	if (h_len != NULL) {
		*h_len = 0;
	}
	if (k_enc != NULL) {
		buf_set_secret(k_enc);
		buf_reset(k_enc);
	}
}

/* ---- client ---- */

struct kex_client {
	const struct kex_method *m;
	void *priv;       /* family's ephemeral key; NULL once spent */
	struct buf c_pub; /* our raw Q_C or e, as it goes into H */
};

const struct kex_method *
kex_client_method(const struct kex_client *c)
{
	return c == NULL ? NULL : c->m;
}

void
kex_client_free(struct kex_client *c)
{
	if (c == NULL) {
		return;
	}
	if (c->priv != NULL) {
		c->m->ops->client_free(c->priv);
	}
	buf_clear(&c->c_pub);
	free(c);
}

int
kex_client_init(const struct kex_method *m, ssh_rand_fn rand, void *rand_ctx,
                struct kex_client **out, struct buf *msg_out)
{
	struct kex_client *c = NULL;
	struct buf msg;
	int ret;

	buf_init(&msg, 0);
	if (out != NULL) {
		*out = NULL;
	}
	if (!method_valid(m) || rand == NULL || out == NULL ||
	    msg_out == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	c->m = m;
	buf_init(&c->c_pub, 0);
	if ((ret = m->ops->client_keygen(m, rand, rand_ctx, &c->priv,
	                                 &c->c_pub)) != 0) {
		goto out;
	}
	/* byte SSH_MSG_KEX_ECDH_INIT / KEXDH_INIT, then Q_C or e */
	if ((ret = buf_put_u8(&msg, SSH2_MSG_KEX_ECDH_INIT)) != 0 ||
	    (ret = put_enc(&msg, m->pub_enc, buf_data(&c->c_pub),
	                   buf_len(&c->c_pub))) != 0 ||
	    (ret = buf_put(msg_out, buf_data(&msg), buf_len(&msg))) != 0) {
		goto out;
	}
	*out = c;
	c = NULL;
	ret = 0;
out:
	kex_client_free(c);
	buf_clear(&msg);
	return ret;
}

int
kex_client_reply(struct kex_client *c, const char *hostkey_alg,
                 const uint8_t *payload, size_t n,
                 const struct kex_hash_input *in, struct sshkey **hostkey_out,
                 uint8_t H[HASH_MAX_LEN], size_t *h_len, struct buf *k_enc)
{
	const struct kex_method *m;
	const uint8_t *ks = NULL, *spub = NULL, *sig = NULL;
	size_t ks_len = 0, spub_len = 0, sig_len = 0, hl = 0;
	struct sshkey *hk = NULL;
	struct buf kraw, kenc;
	uint8_t h[HASH_MAX_LEN];
	struct rd r;
	bool spent = false;
	int ret;

	buf_init(&kraw, 0);
	buf_set_secret(&kraw);
	buf_init(&kenc, 0);
	buf_set_secret(&kenc);
	memset(h, 0, sizeof(h));
	if (hostkey_out != NULL) {
		*hostkey_out = NULL;
	}
	clear_results(H, h_len, k_enc);
	if (c == NULL || hostkey_alg == NULL || (payload == NULL && n > 0) ||
	    in == NULL || hostkey_out == NULL || H == NULL || h_len == NULL ||
	    k_enc == NULL || c->priv == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	m = c->m;
	/*
	 * byte   SSH_MSG_KEX_ECDH_REPLY / KEXDH_REPLY
	 * string K_S, server's public host key
	 * string Q_S / mpint f
	 * string signature of H
	 */
	rd_init(&r, payload, n);
	if ((ret = rd_expect_u8(&r, SSH2_MSG_KEX_ECDH_REPLY)) != 0 ||
	    (ret = rd_string(&r, &ks, &ks_len)) != 0 ||
	    (ret = read_pub(&r, m, &spub, &spub_len)) != 0 ||
	    (ret = rd_string(&r, &sig, &sig_len)) != 0 ||
	    (ret = rd_end(&r)) != 0) {
		goto out;
	}
	/* Well-formed: from here on this state's one exchange is spent. */
	spent = true;
	if ((ret = key_from_blob(ks, ks_len, &hk)) != 0 ||
	    (ret = kex_hostkey_alg_check(hostkey_alg, hk->type)) != 0) {
		goto out;
	}
	if ((ret = m->ops->client_shared(m, c->priv, spub, spub_len, &kraw)) !=
	        0 ||
	    (ret = put_enc(&kenc, m->k_enc, buf_data(&kraw), buf_len(&kraw))) !=
	        0) {
		goto out;
	}
	if ((ret = kex_exchange_hash(
	         m, in, (struct kex_view){ks, ks_len},
	         (struct kex_view){buf_data(&c->c_pub), buf_len(&c->c_pub)},
	         (struct kex_view){spub, spub_len},
	         (struct kex_view){buf_data(&kenc), buf_len(&kenc)}, h, &hl)) !=
	    0) {
		goto out;
	}
	/* The signature must be of the negotiated algorithm (so an RSA
	 * key negotiated as rsa-sha2-512 cannot answer with -256). */
	if ((ret = key_verify(hk, hostkey_alg, false, sig, sig_len, h, hl)) !=
	    0) {
		goto out;
	}
	if ((ret = set_results(h, hl, &kenc, H, h_len, k_enc)) != 0) {
		goto out;
	}
	*hostkey_out = hk;
	hk = NULL;
	ret = 0;
out:
	if (ret != 0) {
		clear_results(H, h_len, k_enc);
	}
	/* One exchange per state: once a well-formed reply was seen the
	 * ephemeral key is gone, whatever the outcome. */
	if (spent && c->priv != NULL) {
		c->m->ops->client_free(c->priv);
		c->priv = NULL;
	}
	key_free(hk);
	mem_wipe(h, sizeof(h));
	buf_clear(&kraw);
	buf_clear(&kenc);
	return ret;
}

/* ---- server ---- */

int
kex_classic_server(const struct kex_method *m, ssh_rand_fn rand, void *rand_ctx,
                   const uint8_t *c_pub, size_t n, struct buf *s_pub,
                   struct buf *k)
{
	void *priv = NULL;
	int ret;

	if ((ret = m->ops->client_keygen(m, rand, rand_ctx, &priv, s_pub)) !=
	    0) {
		goto out;
	}
	ret = m->ops->client_shared(m, priv, c_pub, n, k);
out:
	m->ops->client_free(priv);
	return ret;
}

/*
 * A server exchange between its hash and its signature: what the REPLY
 * needs besides the signature, and H to check the signature against.
 */
struct kex_server {
	const struct kex_method *m;
	struct sshkey *hostkey; /* public copy */
	char sig_alg[SESH_MAX_NAME + 1];
	struct buf ks;   /* K_S, the host key blob */
	struct buf spub; /* our raw Q_S or f */
	uint8_t h[HASH_MAX_LEN];
	size_t hl;
	bool done; /* REPLY built: the state is spent */
};

void
kex_server_free(struct kex_server *s)
{
	if (s == NULL) {
		return;
	}
	key_free(s->hostkey);
	buf_clear(&s->ks);
	buf_clear(&s->spub);
	mem_wipe(s->h, sizeof(s->h));
	free(s);
}

void
kex_server_hash_view(const struct kex_server *s, const uint8_t **h, size_t *hl)
{
	*h = s != NULL ? s->h : NULL;
	*hl = s != NULL ? s->hl : 0;
}

int
kex_server_hash(const struct kex_method *m, ssh_rand_fn rand, void *rand_ctx,
                const uint8_t *payload, size_t n,
                const struct kex_hash_input *in, const struct sshkey *hostkey,
                const char *sig_alg, struct kex_server **out,
                uint8_t H[HASH_MAX_LEN], size_t *h_len, struct buf *k_enc)
{
	const uint8_t *cpub = NULL;
	size_t cpub_len = 0;
	struct kex_server *s = NULL;
	struct buf kraw, kenc;
	struct rd r;
	int ret;

	buf_init(&kraw, 0);
	buf_set_secret(&kraw);
	buf_init(&kenc, 0);
	buf_set_secret(&kenc);
	if (out != NULL) {
		*out = NULL;
	}
	clear_results(H, h_len, k_enc);
	if (!method_valid(m) || rand == NULL || (payload == NULL && n > 0) ||
	    in == NULL || hostkey == NULL || sig_alg == NULL || out == NULL ||
	    H == NULL || h_len == NULL || k_enc == NULL ||
	    strlen(sig_alg) > SESH_MAX_NAME) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = kex_hostkey_alg_check(sig_alg, hostkey->type)) != 0) {
		goto out;
	}
	/* byte SSH_MSG_KEX_ECDH_INIT / KEXDH_INIT; string Q_C / mpint e */
	rd_init(&r, payload, n);
	if ((ret = rd_expect_u8(&r, SSH2_MSG_KEX_ECDH_INIT)) != 0 ||
	    (ret = read_pub(&r, m, &cpub, &cpub_len)) != 0 ||
	    (ret = rd_end(&r)) != 0) {
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	s->m = m;
	buf_init(&s->ks, 0);
	buf_init(&s->spub, 0);
	memcpy(s->sig_alg, sig_alg, strlen(sig_alg) + 1);
	if ((ret = key_public_copy(hostkey, &s->hostkey)) != 0 ||
	    (ret = key_to_blob(hostkey, &s->ks)) != 0 ||
	    (ret = m->ops->server_exchange(m, rand, rand_ctx, cpub, cpub_len,
	                                   &s->spub, &kraw)) != 0 ||
	    (ret = put_enc(&kenc, m->k_enc, buf_data(&kraw), buf_len(&kraw))) !=
	        0) {
		goto out;
	}
	if ((ret = kex_exchange_hash(
	         m, in, (struct kex_view){buf_data(&s->ks), buf_len(&s->ks)},
	         (struct kex_view){cpub, cpub_len},
	         (struct kex_view){buf_data(&s->spub), buf_len(&s->spub)},
	         (struct kex_view){buf_data(&kenc), buf_len(&kenc)}, s->h,
	         &s->hl)) != 0) {
		goto out;
	}
	if ((ret = set_results(s->h, s->hl, &kenc, H, h_len, k_enc)) != 0) {
		goto out;
	}
	*out = s;
	s = NULL;
	ret = 0;
out:
	if (ret != 0) {
		clear_results(H, h_len, k_enc);
	}
	kex_server_free(s);
	buf_clear(&kraw);
	buf_clear(&kenc);
	return ret;
}

/* Appends the REPLY with signature sig; verify: check sig over H first. */
static int
server_finish(struct kex_server *s, const uint8_t *sig, size_t sig_len,
              bool verify, struct buf *reply_out)
{
	struct buf rep;
	int ret;

	buf_init(&rep, 0);
	if (s == NULL || s->done || sig == NULL || sig_len == 0 ||
	    reply_out == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	/* The signature must be by our host key, over H, with the
	 * negotiated algorithm: the client would refuse anything else. */
	if (verify && (ret = key_verify(s->hostkey, s->sig_alg, false, sig,
	                                sig_len, s->h, s->hl)) != 0) {
		goto out;
	}
	/* byte REPLY; string K_S; Q_S / f; string signature */
	if ((ret = buf_put_u8(&rep, SSH2_MSG_KEX_ECDH_REPLY)) != 0 ||
	    (ret = buf_put_string(&rep, buf_data(&s->ks), buf_len(&s->ks))) !=
	        0 ||
	    (ret = put_enc(&rep, s->m->pub_enc, buf_data(&s->spub),
	                   buf_len(&s->spub))) != 0 ||
	    (ret = buf_put_string(&rep, sig, sig_len)) != 0 ||
	    (ret = buf_put(reply_out, buf_data(&rep), buf_len(&rep))) != 0) {
		goto out;
	}
	s->done = true;
	ret = 0;
out:
	buf_clear(&rep);
	return ret;
}

int
kex_server_finish(struct kex_server *s, const uint8_t *sig, size_t sig_len,
                  struct buf *reply_out)
{
	return server_finish(s, sig, sig_len, true, reply_out);
}

int
kex_server_reply(const struct kex_method *m, ssh_rand_fn rand, void *rand_ctx,
                 const uint8_t *payload, size_t n,
                 const struct kex_hash_input *in, const struct sshkey *hostkey,
                 const char *sig_alg, uint8_t H[HASH_MAX_LEN], size_t *h_len,
                 struct buf *k_enc, struct buf *reply_out)
{
	struct kex_server *s = NULL;
	struct buf sig;
	int ret;

	buf_init(&sig, 0);
	clear_results(H, h_len, k_enc);
	if (hostkey == NULL || reply_out == NULL || !key_has_private(hostkey)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = kex_server_hash(m, rand, rand_ctx, payload, n, in, hostkey,
	                           sig_alg, &s, H, h_len, k_enc)) != 0 ||
	    (ret = key_sign(hostkey, sig_alg, s->h, s->hl, &sig)) != 0 ||
	    (ret = server_finish(s, buf_data(&sig), buf_len(&sig), false,
	                         reply_out)) != 0) {
		clear_results(H, h_len, k_enc);
		goto out;
	}
	ret = 0;
out:
	kex_server_free(s);
	buf_clear(&sig);
	return ret;
}

/* ---- key derivation ---- */

static int
derive_part(enum hash_alg h, const uint8_t *k_enc, size_t k_len,
            const uint8_t *H, size_t h_len, char letter, const uint8_t *sid,
            size_t sid_len, uint8_t *out, size_t len)
{
	if (len == 0) {
		return 0;
	}
	return kdf_derive(h, k_enc, k_len, H, h_len, letter, sid, sid_len, out,
	                  len);
}

/* One direction: letters iv, key, integrity ('A','C','E' or 'B','D','F'). */
static int
derive_dir(enum hash_alg h, const uint8_t *k_enc, size_t k_len,
           const uint8_t *H, size_t h_len, const uint8_t *sid, size_t sid_len,
           const struct cipher_alg *cipher, const struct mac_alg *mac,
           const char letters[3], struct kex_dir_keys *d)
{
	bool aead;
	int ret;

	if (cipher != NULL && cipher->kind == CIPHER_KIND_NONE) {
		cipher = NULL;
	}
	aead = cipher != NULL && (cipher->kind == CIPHER_KIND_GCM ||
	                          cipher->kind == CIPHER_KIND_CHACHAPOLY);
	d->cipher = cipher;
	d->mac = aead ? NULL : mac;
	d->iv_len = cipher != NULL ? cipher->iv_len : 0;
	d->key_len = cipher != NULL ? cipher->key_len : 0;
	d->mac_key_len = d->mac != NULL ? d->mac->key_len : 0;
	if (d->iv_len > sizeof(d->iv) || d->key_len > sizeof(d->key) ||
	    d->mac_key_len > sizeof(d->mac_key)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = derive_part(h, k_enc, k_len, H, h_len, letters[0], sid,
	                       sid_len, d->iv, d->iv_len)) != 0 ||
	    (ret = derive_part(h, k_enc, k_len, H, h_len, letters[1], sid,
	                       sid_len, d->key, d->key_len)) != 0 ||
	    (ret = derive_part(h, k_enc, k_len, H, h_len, letters[2], sid,
	                       sid_len, d->mac_key, d->mac_key_len)) != 0) {
		return ret;
	}
	return 0;
}

void
kex_keys_clear(struct kex_keys *k)
{
	if (k != NULL) {
		mem_wipe(k, sizeof(*k));
	}
}

int
kex_derive_keys(enum hash_alg h, const uint8_t *k_enc, size_t k_len,
                const uint8_t *H, size_t h_len, const uint8_t *session_id,
                size_t sid_len, const struct cipher_alg *cipher_c2s,
                const struct mac_alg *mac_c2s,
                const struct cipher_alg *cipher_s2c,
                const struct mac_alg *mac_s2c, struct kex_keys *out)
{
	struct kex_keys k;
	int ret;

	memset(&k, 0, sizeof(k));
	if (out != NULL) {
		kex_keys_clear(out);
	}
	if (out == NULL || k_enc == NULL || k_len == 0 || H == NULL ||
	    h_len == 0 || session_id == NULL || sid_len == 0 ||
	    hash_len(h) == 0) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	/* RFC 4253 §7.2: A/C/E client to server, B/D/F server to client */
	if ((ret = derive_dir(h, k_enc, k_len, H, h_len, session_id, sid_len,
	                      cipher_c2s, mac_c2s, "ACE", &k.c2s)) != 0 ||
	    (ret = derive_dir(h, k_enc, k_len, H, h_len, session_id, sid_len,
	                      cipher_s2c, mac_s2c, "BDF", &k.s2c)) != 0) {
		goto out;
	}
	*out = k;
	ret = 0;
out:
	kex_keys_clear(&k);
	return ret;
}

const struct kex_dir_keys *
kex_keys_dir(const struct kex_keys *k, enum kex_role role, bool sending)
{
	bool c2s = (role == KEX_ROLE_CLIENT) == sending;

	if (k == NULL) {
		return NULL;
	}
	return c2s ? &k->c2s : &k->s2c;
}

int
kex_dir_contexts(const struct kex_dir_keys *d, bool encrypt,
                 struct cipher_ctx **cipher, struct mac_ctx **mac)
{
	struct cipher_ctx *c = NULL;
	struct mac_ctx *mc = NULL;
	int ret;

	if (cipher != NULL) {
		*cipher = NULL;
	}
	if (mac != NULL) {
		*mac = NULL;
	}
	if (d == NULL || cipher == NULL || mac == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (d->cipher != NULL &&
	    (ret = cipher_new(d->cipher, encrypt, d->key, d->iv, &c)) != 0) {
		goto out;
	}
	if (d->mac != NULL && (ret = mac_new(d->mac, d->mac_key, &mc)) != 0) {
		goto out;
	}
	*cipher = c;
	*mac = mc;
	c = NULL;
	mc = NULL;
	ret = 0;
out:
	cipher_free(c);
	mac_free(mc);
	return ret;
}
