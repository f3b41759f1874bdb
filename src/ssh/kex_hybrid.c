/*
 * kex_hybrid.c - the post-quantum hybrid KEX family (see kex_hybrid.h):
 * sntrup761x25519-sha512 and mlkem768x25519-sha256. Only raw values
 * here; framing, encodings and the exchange hash are kex.c's.
 *
 *	client_keygen:   KEM key pair + X25519 key; pub = KEM pk || X25519 pk
 *	server_exchange: split the client's value at its fixed length,
 *	                 encapsulate to the KEM pk, new X25519 key;
 *	                 s_pub = ct || X25519 pk; K = HASH(ss || X25519 ss)
 *	client_shared:   split the reply, decapsulate, X25519;
 *	                 K = HASH(ss || X25519 ss)
 *
 * Lengths are exact (a peer value of another length is refused before
 * any arithmetic). KEM secret keys, shared secrets and X25519 keys are
 * wiped on every path; outputs are appended only on success.
 */
#include "ssh/kex_hybrid.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/hash.h"
#include "ssh/kex_int.h"

#define KEM_MAX_SK MLKEM768_SK_LEN /* the larger secret key */
#define KEM_SS_LEN 32              /* both KEMs */

/* One KEM behind a common shape (the rand functions share ssh_rand_fn's). */
struct kem {
	size_t pk_len, sk_len, ct_len;
	int (*keypair)(ssh_rand_fn rand, void *ctx, uint8_t *pk, uint8_t *sk);
	int (*enc)(ssh_rand_fn rand, void *ctx, const uint8_t *pk, uint8_t *ct,
	           uint8_t *ss);
	int (*dec)(const uint8_t *sk, const uint8_t *ct, uint8_t *ss);
};

static int
sntrup_keypair(ssh_rand_fn rand, void *ctx, uint8_t *pk, uint8_t *sk)
{
	return sntrup761_keypair(rand, ctx, pk, sk);
}

static int
sntrup_enc(ssh_rand_fn rand, void *ctx, const uint8_t *pk, uint8_t *ct,
           uint8_t *ss)
{
	return sntrup761_enc(rand, ctx, pk, ct, ss);
}

static int
sntrup_dec(const uint8_t *sk, const uint8_t *ct, uint8_t *ss)
{
	return sntrup761_dec(sk, ct, ss);
}

static int
mlkem_keypair(ssh_rand_fn rand, void *ctx, uint8_t *pk, uint8_t *sk)
{
	return mlkem768_keypair(rand, ctx, pk, sk);
}

static int
mlkem_enc(ssh_rand_fn rand, void *ctx, const uint8_t *pk, uint8_t *ct,
          uint8_t *ss)
{
	return mlkem768_enc(rand, ctx, pk, ct, ss);
}

static int
mlkem_dec(const uint8_t *sk, const uint8_t *ct, uint8_t *ss)
{
	return mlkem768_dec(sk, ct, ss);
}

static const struct kem kem_sntrup761 = {
    SNTRUP761_PK_LEN, SNTRUP761_SK_LEN, SNTRUP761_CT_LEN,
    sntrup_keypair,   sntrup_enc,       sntrup_dec,
};

static const struct kem kem_mlkem768 = {
    MLKEM768_PK_LEN, MLKEM768_SK_LEN, MLKEM768_CT_LEN,
    mlkem_keypair,   mlkem_enc,       mlkem_dec,
};

static const struct kem *
kem_of(const struct kex_method *m)
{
	if (m == NULL) {
		return NULL;
	}
	switch (m->param) {
	case KEX_HYBRID_SNTRUP761:
		return &kem_sntrup761;
	case KEX_HYBRID_MLKEM768:
		return &kem_mlkem768;
	}
	return NULL;
}

/* The client's ephemeral state. */
struct hybrid_priv {
	const struct kem *kem;
	uint8_t sk[KEM_MAX_SK];
	struct x25519_key x;
};

static void
hybrid_priv_free(void *priv)
{
	struct hybrid_priv *p = priv;

	if (p == NULL) {
		return;
	}
	x25519_clear(&p->x);
	mem_free_secret(p, sizeof(*p));
}

/* Appends K = HASH(kem_ss || x_ss), the method's hash, to k. */
static int
combine(const struct kex_method *m, const uint8_t kem_ss[KEM_SS_LEN],
        const uint8_t x_ss[X25519_LEN], struct buf *k)
{
	uint8_t in[KEM_SS_LEN + X25519_LEN], out[HASH_MAX_LEN];
	size_t hl = hash_len(m->hash);
	int ret;

	memcpy(in, kem_ss, KEM_SS_LEN);
	memcpy(in + KEM_SS_LEN, x_ss, X25519_LEN);
	if (hl == 0 || hl > sizeof(out)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = hash_digest(m->hash, in, sizeof(in), out)) != 0) {
		goto out;
	}
	buf_set_secret(k);
	ret = buf_put(k, out, hl);
out:
	mem_wipe(in, sizeof(in));
	mem_wipe(out, sizeof(out));
	return ret;
}

/* X25519 key pair from 32 bytes of the rand function. */
static int
x25519_from_rand(ssh_rand_fn rand, void *rand_ctx, struct x25519_key *x)
{
	uint8_t seed[X25519_LEN];
	int ret;

	if ((ret = rand(rand_ctx, seed, sizeof(seed))) == 0) {
		ret = x25519_keygen_from(seed, x);
	}
	mem_wipe(seed, sizeof(seed));
	return ret;
}

static int
hybrid_client_keygen(const struct kex_method *m, ssh_rand_fn rand,
                     void *rand_ctx, void **priv, struct buf *pub)
{
	const struct kem *kem = kem_of(m);
	struct hybrid_priv *p = NULL;
	uint8_t pk[MLKEM768_PK_LEN]; /* the larger public key */
	size_t mark = 0;
	int ret;

	if (priv != NULL) {
		*priv = NULL;
	}
	if (kem == NULL || rand == NULL || priv == NULL || pub == NULL ||
	    kem->pk_len > sizeof(pk)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	mark = buf_len(pub);
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	p->kem = kem;
	/* C_INIT = KEM pk || X25519 pk */
	if ((ret = kem->keypair(rand, rand_ctx, pk, p->sk)) != 0 ||
	    (ret = x25519_from_rand(rand, rand_ctx, &p->x)) != 0 ||
	    (ret = buf_put(pub, pk, kem->pk_len)) != 0 ||
	    (ret = buf_put(pub, p->x.pub, X25519_LEN)) != 0) {
		goto out;
	}
	*priv = p;
	p = NULL;
	ret = 0;
out:
	if (ret != 0 && buf_len(pub) > mark) {
		buf_truncate(pub, mark);
	}
	hybrid_priv_free(p);
	return ret;
}

static int
hybrid_client_shared(const struct kex_method *m, const void *priv,
                     const uint8_t *peer, size_t n, struct buf *k)
{
	const struct hybrid_priv *p = priv;
	uint8_t ss[KEM_SS_LEN], xs[X25519_LEN];
	int ret;

	if (p == NULL || k == NULL || kem_of(m) != p->kem) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* S_REPLY = KEM ciphertext || X25519 pk, exactly */
	if (peer == NULL || n != p->kem->ct_len + X25519_LEN) {
		return SESH_ERR_KEY_LENGTH;
	}
	if ((ret = p->kem->dec(p->sk, peer, ss)) != 0 ||
	    (ret = x25519_shared(&p->x, peer + p->kem->ct_len, xs)) != 0) {
		goto out;
	}
	ret = combine(m, ss, xs, k);
out:
	mem_wipe(ss, sizeof(ss));
	mem_wipe(xs, sizeof(xs));
	return ret;
}

static int
hybrid_server_exchange(const struct kex_method *m, ssh_rand_fn rand,
                       void *rand_ctx, const uint8_t *c_pub, size_t n,
                       struct buf *s_pub, struct buf *k)
{
	const struct kem *kem = kem_of(m);
	uint8_t ct[SNTRUP761_CT_LEN > MLKEM768_CT_LEN ? SNTRUP761_CT_LEN
	                                              : MLKEM768_CT_LEN];
	uint8_t ss[KEM_SS_LEN], xs[X25519_LEN];
	struct x25519_key x;
	struct buf kl;
	size_t mark = 0;
	int ret;

	memset(&x, 0, sizeof(x));
	buf_init(&kl, 0);
	buf_set_secret(&kl);
	if (kem == NULL || rand == NULL || s_pub == NULL || k == NULL ||
	    kem->ct_len > sizeof(ct)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	mark = buf_len(s_pub);
	/* C_INIT = KEM pk || X25519 pk, exactly */
	if (c_pub == NULL || n != kem->pk_len + X25519_LEN) {
		ret = SESH_ERR_KEY_LENGTH;
		goto out;
	}
	if ((ret = kem->enc(rand, rand_ctx, c_pub, ct, ss)) != 0 ||
	    (ret = x25519_from_rand(rand, rand_ctx, &x)) != 0 ||
	    (ret = x25519_shared(&x, c_pub + kem->pk_len, xs)) != 0 ||
	    (ret = combine(m, ss, xs, &kl)) != 0) {
		goto out;
	}
	/* S_REPLY = KEM ciphertext || X25519 pk */
	if ((ret = buf_put(s_pub, ct, kem->ct_len)) != 0 ||
	    (ret = buf_put(s_pub, x.pub, X25519_LEN)) != 0) {
		goto out;
	}
	buf_set_secret(k);
	ret = buf_put(k, buf_data(&kl), buf_len(&kl));
out:
	if (ret != 0 && s_pub != NULL && buf_len(s_pub) > mark) {
		buf_truncate(s_pub, mark);
	}
	x25519_clear(&x);
	mem_wipe(ss, sizeof(ss));
	mem_wipe(xs, sizeof(xs));
	buf_clear(&kl);
	return ret;
}

const struct kex_ops kex_ops_hybrid = {
    hybrid_client_keygen,
    hybrid_client_shared,
    hybrid_priv_free,
    hybrid_server_exchange,
};
