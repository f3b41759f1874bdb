/*
 * pkey.h - asymmetric keys over libcrypto's EVP_PKEY: generation, raw
 * component import/export (for SSH blobs and openssh-key-v1 files),
 * signing/verification, PEM/PKCS#8/SPKI import/export.
 *
 * struct pkey is opaque; it owns an EVP_PKEY. Private material is wiped
 * by libcrypto on free; every buffer this module fills with private
 * material is marked secret.
 *
 * Signature formats at this layer (the key layer adds SSH framing):
 *   Ed25519: 64 bytes.
 *   ECDSA:   r || s, each left-padded to the curve's field size
 *            (32, 48, 66 bytes).
 *   RSA:     PKCS#1 v1.5 signature, exactly the modulus length.
 * Error codes: SESH_ERR_CRYPTO (libcrypto failed), SESH_ERR_NOMEM,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_KEY_LENGTH (unsupported size),
 * SESH_ERR_INVALID_KEY (point not on curve, bad components),
 * SESH_ERR_KEY_MISMATCH (private does not match public),
 * SESH_ERR_BAD_SIGNATURE, SESH_ERR_WRONG_PASSPHRASE,
 * SESH_ERR_PASSPHRASE_NEEDED, SESH_ERR_INVALID_FORMAT.
 */
#ifndef SESH_CRYPTO_PKEY_H
#define SESH_CRYPTO_PKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/hash.h"

enum pkey_type {
	PKEY_ED25519,
	PKEY_ECDSA_P256,
	PKEY_ECDSA_P384,
	PKEY_ECDSA_P521,
	PKEY_RSA,
};

#define PKEY_RSA_MIN_BITS    1024
#define PKEY_RSA_MAX_BITS    16384
#define PKEY_ED25519_LEN     32
#define PKEY_ED25519_SIG_LEN 64

struct pkey;

/*
 * Generates a key. bits: RSA 1024..16384 (any multiple of 8 is not
 * required; libcrypto handles e.g. 5000), ECDSA must match the type or
 * be 0, Ed25519 ignores it. RSA public exponent 65537.
 */
int pkey_generate(enum pkey_type type, unsigned int bits, struct pkey **out);
void pkey_free(struct pkey *k);
enum pkey_type pkey_get_type(const struct pkey *k);
bool pkey_has_private(const struct pkey *k);
/* Modulus bits for RSA, curve bits (256/384/521) for ECDSA, 256 Ed25519. */
unsigned int pkey_bits(const struct pkey *k);
/* Field size in bytes for ECDSA (32/48/66); 0 otherwise. */
size_t pkey_ecdsa_field_len(enum pkey_type type);
/* Public halves equal? */
bool pkey_public_equal(const struct pkey *a, const struct pkey *b);
/* New key holding only the public half. */
int pkey_public_copy(const struct pkey *k, struct pkey **out);

/* Ed25519: pub is 32 bytes; seed (32 bytes) NULL for a public key. If both
 * are given the seed's public key must equal pub (SESH_ERR_KEY_MISMATCH). */
int pkey_ed25519_from_raw(const uint8_t *pub, const uint8_t *seed,
                          struct pkey **out);
/* Writes 32-byte pub (if non-NULL) and seed (if non-NULL; needs private). */
int pkey_ed25519_to_raw(const struct pkey *k, uint8_t *pub, uint8_t *seed);

/* ECDSA: point is the uncompressed SEC1 point (0x04 || X || Y), validated
 * on the curve; scalar (big-endian, may be NULL/0 for public) must give
 * the point. */
int pkey_ecdsa_from_raw(enum pkey_type type, const uint8_t *point,
                        size_t point_len, const uint8_t *scalar,
                        size_t scalar_len, struct pkey **out);
/* Appends the uncompressed point to out. */
int pkey_ecdsa_point(const struct pkey *k, struct buf *out);
/* Appends the private scalar (big-endian, minimal) to out (marks it
 * secret). */
int pkey_ecdsa_scalar(const struct pkey *k, struct buf *out);

/* RSA components as big-endian unsigned magnitudes (views). */
struct pkey_rsa_parts {
	const uint8_t *n, *e, *d, *iqmp, *p, *q;
	size_t n_len, e_len, d_len, iqmp_len, p_len, q_len;
};
/* Public key: n, e. Private: also d, iqmp, p, q (dmp1/dmq1 are computed;
 * consistency is checked). Modulus bits outside 1024..16384 are
 * SESH_ERR_KEY_LENGTH. An even n or e, e <= 1, e >= n, or a bad iqmp
 * (iqmp*q != 1 mod p) is SESH_ERR_INVALID_KEY; p*q != n or e*d != 1 mod
 * (p-1), (q-1) is SESH_ERR_KEY_MISMATCH; d given without iqmp/p/q is
 * SESH_ERR_INVALID_ARGUMENT. */
int pkey_rsa_from_parts(const struct pkey_rsa_parts *parts, struct pkey **out);
enum pkey_rsa_part {
	PKEY_RSA_N,
	PKEY_RSA_E,
	PKEY_RSA_D,
	PKEY_RSA_IQMP,
	PKEY_RSA_P,
	PKEY_RSA_Q,
};
/* Appends one component (big-endian, minimal) to out; private parts mark
 * out secret. */
int pkey_rsa_part(const struct pkey *k, enum pkey_rsa_part part,
                  struct buf *out);

/*
 * Signs data. hash: for RSA HASH_SHA256 or HASH_SHA512 (HASH_SHA1 is
 * refused for signing); for ECDSA the curve's hash (SHA256/384/512) is
 * required; ignored for Ed25519. Appends the raw signature to out.
 */
int pkey_sign(const struct pkey *k, enum hash_alg hash, const uint8_t *data,
              size_t n, struct buf *out);
/* Verifies; HASH_SHA1 accepted for RSA (ssh-rsa verify only). Returns 0
 * or SESH_ERR_BAD_SIGNATURE. */
int pkey_verify(const struct pkey *k, enum hash_alg hash, const uint8_t *data,
                size_t n, const uint8_t *sig, size_t siglen);

/*
 * Reads a PEM private key: traditional ("BEGIN RSA PRIVATE KEY", "BEGIN EC
 * PRIVATE KEY", possibly with Proc-Type encryption) or PKCS#8 ("BEGIN
 * PRIVATE KEY", "BEGIN ENCRYPTED PRIVATE KEY"). passphrase may be NULL:
 * an encrypted file then gives SESH_ERR_PASSPHRASE_NEEDED; a wrong one
 * SESH_ERR_WRONG_PASSPHRASE. Only the supported types/curves load:
 * others are SESH_ERR_KEY_TYPE_UNKNOWN, RSA outside 1024..16384 bits
 * SESH_ERR_KEY_LENGTH; text that is no private key PEM is
 * SESH_ERR_INVALID_FORMAT; inconsistent components as in
 * pkey_ecdsa_from_raw / pkey_rsa_from_parts. Longer than
 * SESH_MAX_KEYFILE: SESH_ERR_LIMIT.
 */
int pkey_from_pem_private(const char *pem, size_t len, const char *passphrase,
                          struct pkey **out);
/* Reads a PEM public key: "BEGIN PUBLIC KEY" (SPKI) or "BEGIN RSA PUBLIC
 * KEY" (PKCS#1). */
int pkey_from_pem_public(const char *pem, size_t len, struct pkey **out);

enum pkey_pem_format {
	PKEY_PEM_PKCS8, /* private: BEGIN [ENCRYPTED] PRIVATE KEY */
	PKEY_PEM_TRAD,  /* private: BEGIN RSA/EC PRIVATE KEY (PKCS8 for Ed25519)
	                 */
	PKEY_PEM_SPKI,  /* public: BEGIN PUBLIC KEY */
	PKEY_PEM_PKCS1, /* public RSA: BEGIN RSA PUBLIC KEY */
};
/* Appends PEM text; passphrase (private formats only, may be NULL)
 * encrypts with AES-256-CBC as OpenSSL does. An empty passphrase means
 * no encryption (as with ssh-keygen). Private formats mark out secret;
 * they need the private half, PKEY_PEM_PKCS1 needs RSA
 * (SESH_ERR_INVALID_ARGUMENT otherwise). */
int pkey_to_pem(const struct pkey *k, enum pkey_pem_format fmt,
                const char *passphrase, struct buf *out);

#endif
