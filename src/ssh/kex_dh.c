/*
 * kex_dh.c - the finite-field Diffie-Hellman KEX family behind struct
 * kex_ops: diffie-hellman-group14-sha256, -group16-sha512 and
 * -group18-sha512 (RFC 8268 over RFC 3526's groups, g = 2; messages as
 * RFC 4253 §8). Public values e and f are raw big-endian magnitudes here
 * (kex.c sends them as mpints); K is g^xy mod p, which kexprim gives
 * left-padded to the prime's size and kex.c encodes as an mpint (the
 * padding vanishes there). dh_shared refuses f outside 1 < f < p-1.
 *
 * The private exponents come from the caller's rand function (so pair
 * tests and fuzzing are deterministic): dh_exponent_len() bytes (512
 * bits for group 14, 1024 for 16 and 18, as kexprim.h explains), drawn
 * again in the negligible case x <= 1.
 */
#include <stdint.h>

#include "base/err.h"
#include "base/mem.h"
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
	enum dh_group g = (enum dh_group)m->param;
	uint8_t x[128];
	size_t xlen = dh_exponent_len(g);
	struct dh_key *k = NULL;
	int i, ret = SESH_ERR_CRYPTO;

	*priv = NULL;
	if (rand == NULL || xlen == 0 || xlen > sizeof(x)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	for (i = 0; i < 4; i++) {
		if ((ret = rand(rand_ctx, x, xlen)) != 0) {
			goto out;
		}
		ret = dh_key_from_private(g, x, xlen, &k);
		if (ret != SESH_ERR_INVALID_KEY) {
			break;
		}
	}
	if (ret != 0 || (ret = dh_public(k, pub)) != 0) {
		goto out;
	}
	*priv = k;
	k = NULL;
	ret = 0;
out:
	mem_wipe(x, sizeof(x));
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
