/*
 * key.h - SSH keys: types, public-key blobs, signatures, .pub lines,
 * fingerprints and randomart. (Private key files: keyfile.h; known_hosts
 * and authorized_keys lines: hostfile.h, authfile.h.)
 *
 * Blob layouts (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709, RFC 8332):
 *   ssh-ed25519:          string "ssh-ed25519", string pk[32]
 *   ecdsa-sha2-nistpNNN:  string type, string "nistpNNN", string Q (0x04||X||Y)
 *   ssh-rsa:              string "ssh-rsa", mpint e, mpint n
 * Signature layouts:
 *   string alg, string sig   (ed25519: 64 bytes; RSA: modulus length;
 *   ECDSA: string(mpint r || mpint s))
 *
 * struct sshkey owns a struct pkey (src/crypto/pkey.h) and a comment.
 * Error codes: see src/base/err.h; parsers return SESH_ERR_TRUNCATED,
 * SESH_ERR_TRAILING_DATA, SESH_ERR_INVALID_FORMAT, SESH_ERR_KEY_TYPE_UNKNOWN,
 * SESH_ERR_INVALID_KEY, SESH_ERR_KEY_LENGTH, SESH_ERR_LIMIT, SESH_ERR_NOMEM.
 */
#ifndef SESH_KEY_KEY_H
#define SESH_KEY_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/hash.h"
#include "crypto/pkey.h"

enum key_type {
	KEY_UNKNOWN = 0,
	KEY_ED25519,
	KEY_ECDSA_P256,
	KEY_ECDSA_P384,
	KEY_ECDSA_P521,
	KEY_RSA,
};

struct sshkey {
	enum key_type type;
	struct pkey *pk; /* owned */
	char *comment;   /* owned, may be NULL */
};

/* "ssh-ed25519", "ecdsa-sha2-nistp256", ..., "ssh-rsa". */
const char *key_type_name(enum key_type t);
/* Short name as ssh-keygen prints it: "ED25519", "ECDSA", "RSA". */
const char *key_type_short(enum key_type t);
/* From an SSH type name (blob type, not signature alg); KEY_UNKNOWN. */
enum key_type key_type_from_name(const char *name, size_t n);
/* From ssh-keygen's -t word: "ed25519", "ecdsa", "rsa" (case-insens.). */
enum key_type key_type_from_keygen_name(const char *name, unsigned int bits);
/* Curve identifier "nistp256"... for ECDSA types, NULL otherwise. */
const char *key_curve_name(enum key_type t);

/* Allocates an empty key; free with key_free. */
struct sshkey *key_new(void);
void key_free(struct sshkey *k);
/* Generates a fresh key; bits as for ssh-keygen -b (0 = default:
 * RSA 3072, ECDSA 256). RSA bits 1024..16384; ECDSA 256/384/521. */
int key_generate(enum key_type type, unsigned int bits, struct sshkey **out);
/* Copies the public half and the comment. */
int key_public_copy(const struct sshkey *k, struct sshkey **out);
bool key_has_private(const struct sshkey *k);
/* Same type and public key. */
bool key_equal_public(const struct sshkey *a, const struct sshkey *b);
unsigned int key_bits(const struct sshkey *k);
/* Replaces the comment (copied; NULL clears). */
int key_set_comment(struct sshkey *k, const char *comment);

/* Parses a public-key blob (the whole input). */
int key_from_blob(const uint8_t *blob, size_t n, struct sshkey **out);
/* Parses a blob's fields from a reader (consumes only the blob's fields;
 * used inside private-key sections where private fields follow). */
int key_public_from_reader(struct rd *r, struct sshkey **out);
/* Appends the public blob. */
int key_to_blob(const struct sshkey *k, struct buf *out);

/* Signature algorithms: "ssh-ed25519", "ecdsa-sha2-nistp256",..,
 * "rsa-sha2-256", "rsa-sha2-512", "ssh-rsa" (verify only). NULL alg means
 * the key's default (rsa-sha2-512 for RSA). */
int key_sign(const struct sshkey *k, const char *alg, const uint8_t *data,
             size_t n, struct buf *sig_out);
/*
 * Verifies an SSH signature blob. If alg is non-NULL the signature's
 * algorithm must equal it (SESH_ERR_SIG_ALG_MISMATCH); the algorithm must
 * suit the key type. allow_sha1: accept "ssh-rsa" signatures.
 */
int key_verify(const struct sshkey *k, const char *alg, bool allow_sha1,
               const uint8_t *sig, size_t siglen, const uint8_t *data,
               size_t n);

/*
 * .pub / authorized_keys key part: "type base64 [comment]". Parses from
 * the start of line (leading spaces skipped); *consumed (if non-NULL)
 * gets the bytes consumed before the comment... The comment (rest of the
 * line, trimmed) is stored in the key. The base64 type must match the
 * blob's type.
 */
int key_from_pub_line(const char *line, size_t n, struct sshkey **out);
/* Appends "type base64[ comment]" with no newline. */
int key_to_pub_line(const struct sshkey *k, bool with_comment, struct buf *out);

/* Fingerprint "SHA256:base64-unpadded" or "MD5:aa:bb:..." of the blob,
 * NUL-terminated in out (not counted in buf_len). Hash: HASH_SHA256 or
 * HASH_MD5 (HASH_SHA1/SHA384/512 also accepted: "SHA1:..." base64). */
int key_fingerprint(const struct sshkey *k, enum hash_alg h, struct buf *out);
/* Randomart picture as ssh-keygen -lv prints it (17x9 field, header
 * "+---[ED25519 256]--+", footer "+----[SHA256]-----+"), lines separated
 * by '\n', no trailing newline, NUL-terminated. */
int key_randomart(const struct sshkey *k, enum hash_alg h, struct buf *out);

#endif
