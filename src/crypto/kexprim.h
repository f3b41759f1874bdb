/*
 * kexprim.h - key-exchange primitives over libcrypto's EVP_PKEY: X25519
 * (RFC 7748), ECDH over NIST P-256/384/521 (RFC 5656) and finite-field
 * Diffie-Hellman over RFC 3526's MODP groups 14, 16 and 18 with g = 2
 * (RFC 8268). The SSH-level framing (mpint/string encoding of K, the
 * exchange hash) belongs to the kex methods in src/ssh/.
 *
 * Every shared secret is checked: an all-zero X25519 result, a peer ECDH
 * point off the curve, or a DH value outside 1 < f < p-1 is refused.
 * Private keys live inside these objects (or in the caller's struct for
 * X25519) and are wiped by the _free/_clear functions; every buffer this
 * module fills with a shared secret is marked secret.
 *
 * DH private exponents are random with a fixed length per group, twice
 * the symmetric strength the method's hash and ciphers aim for (as
 * OpenSSH does): group 14 (used with SHA-256): 512 bits; groups 16 and 18
 * (used with SHA-512): 1024 bits. That is far above the groups' own
 * strength (about 112, 150 and 200 bits), at a fraction of the cost of a
 * full-size exponent.
 *
 * Keys can also be made from given private values (ecdh_key_from_private,
 * dh_key_from_private, x25519_keygen_from): the SSH engine draws those
 * bytes from its injected rand function, and known-answer tests (RFC
 * 5903) use fixed ones.
 *
 * Error codes: SESH_ERR_INVALID_ARGUMENT (bad parameter), SESH_ERR_NOMEM,
 * SESH_ERR_CRYPTO (libcrypto failure), SESH_ERR_INVALID_KEY (peer ECDH
 * point malformed or not on the curve), SESH_ERR_KEX_DEGENERATE (all-zero
 * X25519 secret, DH value out of range).
 */
#ifndef SESH_CRYPTO_KEXPRIM_H
#define SESH_CRYPTO_KEXPRIM_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* ---- X25519 (RFC 7748 §5, §6.1) ---- */

#define X25519_LEN 32

/* Caller-owned key pair; clear it with x25519_clear(). */
struct x25519_key {
	uint8_t priv[X25519_LEN];
	uint8_t pub[X25519_LEN];
};

/* Fresh random key pair. 0, SESH_ERR_CRYPTO. */
int x25519_keygen(struct x25519_key *k);
/* Key pair from a given 32-byte private key (clamped as RFC 7748 says
 * when used); pub = X25519(priv, 9). 0, SESH_ERR_CRYPTO. */
int x25519_keygen_from(const uint8_t priv[X25519_LEN], struct x25519_key *k);
/*
 * shared = X25519(k->priv, peer), 32 bytes written to out only on
 * success. An all-zero result (peer of small order) is
 * SESH_ERR_KEX_DEGENERATE.
 */
int x25519_shared(const struct x25519_key *k, const uint8_t peer[X25519_LEN],
                  uint8_t out[X25519_LEN]);
/* Wipes the key pair. */
void x25519_clear(struct x25519_key *k);

/* ---- ECDH over NIST curves (RFC 5656 §4) ---- */

enum ecdh_curve {
	ECDH_P256,
	ECDH_P384,
	ECDH_P521,
};

/* Field size in bytes (32, 48, 66); 0 for an unknown curve. */
size_t ecdh_field_len(enum ecdh_curve c);
/* Uncompressed point size, 1 + 2 * field size (65, 97, 133). */
size_t ecdh_point_len(enum ecdh_curve c);

struct ecdh_key;
/* Fresh ephemeral key; *out owned by the caller (ecdh_free). */
int ecdh_keygen(enum ecdh_curve c, struct ecdh_key **out);
/*
 * Key pair from a private scalar d (big-endian, 1..field size bytes,
 * leading zeros allowed): public = d * G. A scalar outside [1, n-1] (n
 * the group order) is SESH_ERR_INVALID_KEY: a caller drawing d from
 * random bytes draws again (rejection sampling keeps d uniform). Also
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM, SESH_ERR_CRYPTO.
 */
int ecdh_key_from_private(enum ecdh_curve c, const uint8_t *d, size_t n,
                          struct ecdh_key **out);
/* Wipes and frees; NULL-safe. */
void ecdh_free(struct ecdh_key *k);
/* Appends our public point, uncompressed (0x04 || X || Y). */
int ecdh_public(const struct ecdh_key *k, struct buf *out);
/*
 * Appends the shared secret (the x coordinate of d * Q, left-padded to the
 * field size) to out and marks out secret. peer must be an uncompressed
 * point on our curve: anything else is SESH_ERR_INVALID_KEY.
 */
int ecdh_shared(const struct ecdh_key *k, const uint8_t *peer, size_t peer_len,
                struct buf *out);

/* ---- Finite-field DH, RFC 3526 MODP groups, g = 2 ---- */

enum dh_group {
	DH_GROUP14, /* 2048-bit MODP */
	DH_GROUP16, /* 4096-bit MODP */
	DH_GROUP18, /* 8192-bit MODP */
};

/* Prime size in bytes (256, 512, 1024); 0 for an unknown group. */
size_t dh_prime_len(enum dh_group g);

struct dh_key;
/* Fresh key pair (private exponent length: see the top of this file). */
int dh_keygen(enum dh_group g, struct dh_key **out);
/* Length in bytes of the private exponents dh_keygen makes (64 for group
 * 14, 128 for 16 and 18); 0 for an unknown group. */
size_t dh_exponent_len(enum dh_group g);
/*
 * Key pair from a private exponent x (big-endian, at most the prime's
 * size): e = 2^x mod p. x outside 1 < x < p-1 is SESH_ERR_INVALID_KEY
 * (draw again). For an ephemeral key pass dh_exponent_len(g) random
 * bytes. Also SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM,
 * SESH_ERR_CRYPTO.
 */
int dh_key_from_private(enum dh_group g, const uint8_t *x, size_t n,
                        struct dh_key **out);
/* Wipes and frees; NULL-safe. */
void dh_free(struct dh_key *k);
/* Appends our public value e = g^x mod p, big-endian, minimal (no
 * leading zero octets). */
int dh_public(const struct dh_key *k, struct buf *out);
/*
 * Checks the peer's value f (big-endian, leading zeros allowed): 1 < f <
 * p-1 or SESH_ERR_KEX_DEGENERATE. Then appends K = f^x mod p, big-endian,
 * left-padded to the prime size, to out and marks out secret.
 */
int dh_shared(const struct dh_key *k, const uint8_t *f, size_t f_len,
              struct buf *out);

#endif
