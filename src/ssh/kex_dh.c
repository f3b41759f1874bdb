/*
 * kex_dh.c - the finite-field Diffie-Hellman KEX family behind struct
 * kex_ops: diffie-hellman-group14-sha256, -group16-sha512 and
 * -group18-sha512 (RFC 8268 over RFC 3526's groups, g = 2; messages as
 * RFC 4253 §8). Public values e and f are raw big-endian magnitudes here
 * (kex.c sends them as mpints); K is g^xy mod p, which kexprim gives
 * left-padded to the prime's size and kex.c encodes as an mpint (the
 * padding vanishes there). dh_shared refuses f outside 1 < f < p-1.
 *
 * The private exponents come from kexprim's dh_keygen (libcrypto's
 * CSPRNG), not from the rand function.
 */
#include "base/err.h"
#include "crypto/kexprim.h"
#include "ssh/kex_int.h"

static void
dh_priv_free(void *priv)
{
	dh_free(priv);
}

static int
dh_client_keygen(const struct kex_method *m, ssh_rand_fn rand, void *rand_ctx,
                 void **priv, struct buf *pub)
{
	struct dh_key *k = NULL;
	int ret;

	(void)rand;
	(void)rand_ctx;
	*priv = NULL;
	if ((ret = dh_keygen((enum dh_group)m->param, &k)) != 0 ||
	    (ret = dh_public(k, pub)) != 0) {
		goto out;
	}
	*priv = k;
	k = NULL;
	ret = 0;
out:
	dh_free(k);
	return ret;
}

static int
dh_client_shared(const struct kex_method *m, const void *priv,
                 const uint8_t *peer, size_t n, struct buf *k)
{
	(void)m;
	/* An mpint zero arrives as an empty view: degenerate. */
	if (n == 0) {
		return SESH_ERR_KEX_DEGENERATE;
	}
	return dh_shared(priv, peer, n, k);
}

const struct kex_ops kex_ops_dh = {
    dh_client_keygen,
    dh_client_shared,
    dh_priv_free,
    kex_classic_server,
};
