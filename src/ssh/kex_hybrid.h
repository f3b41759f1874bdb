/*
 * kex_hybrid.h - the post-quantum hybrid KEX family behind struct
 * kex_ops (kex_int.h): a KEM (Streamlined NTRU Prime sntrup761 or
 * ML-KEM-768) combined with X25519. Private to src/ssh/kex*.c.
 *
 *	sntrup761x25519-sha512 (= ...@openssh.com; OpenSSH PROTOCOL):
 *	  client  string(sntrup761 pk, 1158 B || X25519 pk, 32 B)
 *	  server  string(sntrup761 ct, 1039 B || X25519 pk, 32 B)
 *	  K = SHA-512(sntrup761 secret || X25519 secret), 64 bytes
 *	mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex):
 *	  client  string(ML-KEM-768 ek, 1184 B || X25519 pk, 32 B)
 *	  server  string(ML-KEM-768 ct, 1088 B || X25519 pk, 32 B)
 *	  K = SHA-256(ML-KEM secret || X25519 secret), 32 bytes
 *
 * Both send their values as strings and encode K as a string (not an
 * mpint) in H and in the key derivation: kex_method pub_enc = k_enc =
 * KEX_ENC_STRING. The family hands kex.c the raw values and the raw
 * 32- or 64-byte K. A peer value of any other length is
 * SESH_ERR_KEY_LENGTH; an ML-KEM public key with a coefficient >= q is
 * SESH_ERR_INVALID_KEY; an all-zero X25519 secret is
 * SESH_ERR_KEX_DEGENERATE. The server encapsulates (no KEM key pair of
 * its own); randomness, in this order, from the rand function: the KEM
 * (key generation or encapsulation), then 32 bytes of X25519 key.
 *
 * Registration (kex.c registry and kex.h's enum kex_family) uses
 * KEX_HYBRID_METHODS below once KEX_FAMILY_HYBRID exists.
 */
#ifndef SESH_SSH_KEX_HYBRID_H
#define SESH_SSH_KEX_HYBRID_H

#include "crypto/kexprim.h"
#include "crypto/mlkem768.h"
#include "crypto/sntrup761.h"

struct kex_ops;

/* kex_method.param of the hybrid methods. */
enum kex_hybrid_kem {
	KEX_HYBRID_SNTRUP761,
	KEX_HYBRID_MLKEM768,
};

/* Client INIT values (the larger of the two directions): pub_max. */
#define KEX_HYBRID_SNTRUP761_PUB (SNTRUP761_PK_LEN + X25519_LEN) /* 1190 */
#define KEX_HYBRID_MLKEM768_PUB  (MLKEM768_PK_LEN + X25519_LEN)  /* 1216 */

extern const struct kex_ops kex_ops_hybrid;

/* The registry entries, in preference order (needs KEX_FAMILY_HYBRID). */
/* clang-format off */
#define KEX_HYBRID_METHODS                                                     \
	{"mlkem768x25519-sha256", HASH_SHA256, KEX_FAMILY_HYBRID,              \
	 KEX_HYBRID_MLKEM768, KEX_ENC_STRING, KEX_ENC_STRING,                  \
	 KEX_HYBRID_MLKEM768_PUB, &kex_ops_hybrid},                            \
	{"sntrup761x25519-sha512", HASH_SHA512, KEX_FAMILY_HYBRID,             \
	 KEX_HYBRID_SNTRUP761, KEX_ENC_STRING, KEX_ENC_STRING,                 \
	 KEX_HYBRID_SNTRUP761_PUB, &kex_ops_hybrid},                           \
	{"sntrup761x25519-sha512@openssh.com", HASH_SHA512, KEX_FAMILY_HYBRID, \
	 KEX_HYBRID_SNTRUP761, KEX_ENC_STRING, KEX_ENC_STRING,                 \
	 KEX_HYBRID_SNTRUP761_PUB, &kex_ops_hybrid}
/* clang-format on */

#endif
