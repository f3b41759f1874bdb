/*
 * kex_int.h - private interface between the generic key-exchange code
 * (kex.c) and the method families (kex_ecdh.c, kex_dh.c; later the
 * post-quantum hybrids). Not for use outside src/ssh/kex*.c.
 *
 * A family deals only in raw values: its public values as bytes (an
 * X25519 key, an uncompressed point, a DH magnitude) and the raw shared
 * secret before encoding. The generic code does the wire framing, the
 * encodings (kex_method.pub_enc, k_enc), the exchange hash and the host
 * key signature.
 */
#ifndef SESH_SSH_KEX_INT_H
#define SESH_SSH_KEX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ssh/env.h"
#include "ssh/kex.h"

struct kex_ops {
	/*
	 * Client: makes an ephemeral key pair; *priv (family-specific,
	 * freed with client_free) is NULL on error; appends the raw public
	 * value to pub. Returns 0 or a SESH_ERR_* code.
	 */
	int (*client_keygen)(const struct kex_method *m, ssh_rand_fn rand,
	                     void *rand_ctx, void **priv, struct buf *pub);
	/*
	 * Client: appends the raw shared secret from priv and the server's
	 * raw value to k (a secret buffer). Degenerate or malformed peer
	 * values are errors.
	 */
	int (*client_shared)(const struct kex_method *m, const void *priv,
	                     const uint8_t *peer, size_t n, struct buf *k);
	/* Wipes and frees what client_keygen made; NULL-safe. */
	void (*client_free)(void *priv);
	/*
	 * Server: from the client's raw value, appends the server's raw
	 * value to s_pub and the raw shared secret to k. For the
	 * Diffie-Hellman-like families this is keygen + shared
	 * (kex_classic_server); a KEM encapsulates instead.
	 */
	int (*server_exchange)(const struct kex_method *m, ssh_rand_fn rand,
	                       void *rand_ctx, const uint8_t *c_pub, size_t n,
	                       struct buf *s_pub, struct buf *k);
};

extern const struct kex_ops kex_ops_x25519;
extern const struct kex_ops kex_ops_ecdh;
extern const struct kex_ops kex_ops_dh;

/* server_exchange for families where both sides run keygen + shared. */
int kex_classic_server(const struct kex_method *m, ssh_rand_fn rand,
                       void *rand_ctx, const uint8_t *c_pub, size_t n,
                       struct buf *s_pub, struct buf *k);

#endif
