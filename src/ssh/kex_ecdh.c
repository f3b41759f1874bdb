/*
 * kex_ecdh.c - the elliptic-curve KEX families behind struct kex_ops:
 * curve25519-sha256 (RFC 8731: 32-byte X25519 keys as strings, the
 * 32-byte shared secret read as a big-endian number) and
 * ecdh-sha2-nistp256/384/521 (RFC 5656 §4: uncompressed points as
 * strings, the shared x coordinate as the secret). Only raw values here;
 * framing and encodings are kex.c's.
 *
 * Every ephemeral private key comes from the caller's rand function
 * (so pair tests and fuzzing are deterministic): X25519 takes 32 bytes
 * (clamped by X25519 itself); a NIST curve scalar takes field-size bytes,
 * masked to the order's bit length (P-521: 521 bits) and drawn again
 * while outside [1, n-1] (rejection sampling: uniform, and for these
 * curves a redraw has probability below 2^-32).
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "crypto/kexprim.h"
#include "ssh/kex_int.h"

/* ---- X25519 ---- */

static void
x25519_priv_free(void *priv)
{
	struct x25519_key *k = priv;

	if (k == NULL) {
		return;
	}
	x25519_clear(k);
	mem_free_secret(k, sizeof(*k));
}

static int
x25519_client_keygen(const struct kex_method *m, ssh_rand_fn rand,
                     void *rand_ctx, void **priv, struct buf *pub)
{
	uint8_t seed[X25519_LEN];
	struct x25519_key *k = NULL;
	int ret;

	(void)m;
	*priv = NULL;
	if (rand == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((ret = rand(rand_ctx, seed, sizeof(seed))) != 0 ||
	    (ret = x25519_keygen_from(seed, k)) != 0 ||
	    (ret = buf_put(pub, k->pub, sizeof(k->pub))) != 0) {
		goto out;
	}
	*priv = k;
	k = NULL;
	ret = 0;
out:
	mem_wipe(seed, sizeof(seed));
	x25519_priv_free(k);
	return ret;
}

static int
x25519_client_shared(const struct kex_method *m, const void *priv,
                     const uint8_t *peer, size_t n, struct buf *k)
{
	uint8_t secret[X25519_LEN];
	int ret;

	(void)m;
	/* RFC 8731 §3: a public key of another length is an error. */
	if (n != X25519_LEN) {
		return SESH_ERR_KEY_LENGTH;
	}
	if ((ret = x25519_shared(priv, peer, secret)) != 0) {
		goto out;
	}
	ret = buf_put(k, secret, sizeof(secret));
out:
	mem_wipe(secret, sizeof(secret));
	return ret;
}

const struct kex_ops kex_ops_x25519 = {
    x25519_client_keygen,
    x25519_client_shared,
    x25519_priv_free,
    kex_classic_server,
};

/* ---- ECDH over NIST curves ---- */

static void
ecdh_priv_free(void *priv)
{
	ecdh_free(priv);
}

/* Redraws before giving up (each has probability below 2^-32). */
#define ECDH_MAX_DRAWS 8

static int
ecdh_client_keygen(const struct kex_method *m, ssh_rand_fn rand, void *rand_ctx,
                   void **priv, struct buf *pub)
{
	enum ecdh_curve curve = (enum ecdh_curve)m->param;
	uint8_t d[66];
	size_t flen = ecdh_field_len(curve);
	struct ecdh_key *k = NULL;
	int i, ret = SESH_ERR_CRYPTO;

	*priv = NULL;
	if (rand == NULL || flen == 0 || flen > sizeof(d)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	for (i = 0; i < ECDH_MAX_DRAWS; i++) {
		if ((ret = rand(rand_ctx, d, flen)) != 0) {
			goto out;
		}
		if (curve == ECDH_P521) {
			d[0] &= 0x01; /* 66 bytes hold 528 bits; n has 521 */
		}
		ret = ecdh_key_from_private(curve, d, flen, &k);
		if (ret != SESH_ERR_INVALID_KEY) {
			break;
		}
	}
	if (ret != 0 || (ret = ecdh_public(k, pub)) != 0) {
		goto out;
	}
	*priv = k;
	k = NULL;
	ret = 0;
out:
	mem_wipe(d, sizeof(d));
	ecdh_free(k);
	return ret;
}

static int
ecdh_client_shared(const struct kex_method *m, const void *priv,
                   const uint8_t *peer, size_t n, struct buf *k)
{
	(void)m;
	if (peer == NULL) {
		return SESH_ERR_INVALID_KEY;
	}
	return ecdh_shared(priv, peer, n, k);
}

const struct kex_ops kex_ops_ecdh = {
    ecdh_client_keygen,
    ecdh_client_shared,
    ecdh_priv_free,
    kex_classic_server,
};
