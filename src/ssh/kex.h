/*
 * kex.h - the key-exchange methods (sans-I/O): a registry of methods and
 * the message-level steps of one exchange in both roles, the exchange
 * hash, and the derivation of the six transport keys.
 *
 * Methods: curve25519-sha256, curve25519-sha256@libssh.org (RFC 8731),
 * ecdh-sha2-nistp256/384/521 (RFC 5656 §4), diffie-hellman-group14-sha256,
 * diffie-hellman-group16-sha512, diffie-hellman-group18-sha512 (RFC 8268,
 * RFC 4253 §8), and the post-quantum hybrids mlkem768x25519-sha256,
 * sntrup761x25519-sha512 and sntrup761x25519-sha512@openssh.com
 * (kex_hybrid.h; their values are strings and K is a string too).
 * Every method is one exchange of two messages:
 *
 *	client -> server  byte 30 (KEX_ECDH_INIT / KEXDH_INIT)
 *	                  pub   Q_C (string) or e (mpint)
 *	server -> client  byte 31 (KEX_ECDH_REPLY / KEXDH_REPLY)
 *	                  string K_S   (server host key blob)
 *	                  pub    Q_S (string) or f (mpint)
 *	                  string signature of H by the host key
 *
 *	H = HASH(string V_C || string V_S || string I_C || string I_S ||
 *	         string K_S || pub Q_C/e || pub Q_S/f || K)
 *
 * How the ephemeral values and K are encoded is a property of the method
 * (struct kex_method pub_enc, k_enc): the classic methods send
 * strings (ECDH points, X25519 keys) or mpints (DH e and f) and encode K
 * as an mpint; the post-quantum hybrids to come send strings and encode K
 * as a string. The encoded K ("K_enc", with its length prefix, exactly as
 * it went into H) is what kex_derive_keys() takes.
 *
 * Shared secrets are checked by src/crypto/kexprim.h: an all-zero X25519
 * result, an ECDH point off the curve and DH values outside 1 < f < p-1
 * are refused. X25519 public keys must be exactly 32 bytes (RFC 8731 §3).
 *
 * Randomness: every ephemeral private key comes from the ssh_rand_fn
 * given, never from libcrypto's own generator, so pair tests and fuzzing
 * are deterministic: X25519 takes 32 bytes; a NIST curve scalar takes
 * field-size bytes masked to the order's bit length and redrawn while
 * outside [1, n-1] (kexprim's ecdh_key_from_private); a DH exponent
 * takes dh_exponent_len() bytes (512 bits for group 14, 1024 for groups
 * 16 and 18). A production engine passes a wrapper of rand_bytes().
 *
 * Host key signature: kex_server_reply() signs H with a private host key
 * in one step; kex_server_hash() + kex_server_finish() split the same
 * exchange around a signature made elsewhere (privilege separation).
 *
 * Host keys: the negotiated server_host_key_algorithm names the signature
 * algorithm. ssh-ed25519 and ecdsa-sha2-nistpNNN need a key of that type;
 * rsa-sha2-256 and rsa-sha2-512 need an ssh-rsa key and the signature's
 * algorithm must equal the negotiated one. "ssh-rsa" (SHA-1) is refused.
 *
 * Secrets (ephemeral private keys, K, H while it is computed) are wiped
 * on every path. Every parser ends with rd_end().
 *
 * Error codes: SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM, SESH_ERR_CRYPTO,
 * SESH_ERR_LIMIT, wire errors (SESH_ERR_TRUNCATED, SESH_ERR_TRAILING_DATA,
 * SESH_ERR_PROTOCOL for a wrong message number, SESH_ERR_INVALID_FORMAT,
 * SESH_ERR_INVALID_MPINT), SESH_ERR_KEY_LENGTH (an X25519 value not 32
 * bytes), SESH_ERR_INVALID_KEY (ECDH point refused, host key blob
 * invalid), SESH_ERR_KEX_DEGENERATE, SESH_ERR_KEY_TYPE_UNKNOWN,
 * SESH_ERR_SIG_ALG_MISMATCH (host key or signature not of the negotiated
 * algorithm), SESH_ERR_BAD_SIGNATURE, SESH_ERR_UNSUPPORTED (unknown host
 * key algorithm).
 */
#ifndef SESH_SSH_KEX_H
#define SESH_SSH_KEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "crypto/mac.h"
#include "key/key.h"
#include "ssh/env.h"

/* How a value travels on the wire and goes into H. */
enum kex_enc {
	KEX_ENC_STRING, /* string: raw bytes with a length prefix */
	KEX_ENC_MPINT,  /* mpint of an unsigned big-endian magnitude */
};

/* Method family (selects the implementation behind kex_method.ops). */
enum kex_family {
	KEX_FAMILY_X25519,
	KEX_FAMILY_ECDH,
	KEX_FAMILY_DH,
	KEX_FAMILY_HYBRID, /* sntrup761x25519, mlkem768x25519 (kex_hybrid.h) */
};

struct kex_ops; /* private to src/ssh/kex*.c */

/* One registered method; the registry is a const table. */
struct kex_method {
	const char *name;
	enum hash_alg hash; /* exchange hash and KDF hash */
	enum kex_family family;
	int param;            /* enum ecdh_curve or enum dh_group */
	enum kex_enc pub_enc; /* Q_C/Q_S or e/f */
	enum kex_enc k_enc;   /* K in H and in the KDF */
	size_t pub_max;       /* largest peer value accepted, bytes */
	const struct kex_ops *ops;
};

/* NULL for an unknown name (pseudo-algorithms such as kex-strict-* and
 * ext-info-* are not methods). */
const struct kex_method *kex_method_by_name(const char *name);
/* Same over a non-terminated view. */
const struct kex_method *kex_method_by_name_n(const char *name, size_t n);
/* The i-th registered method, in preference order; NULL past the end. */
const struct kex_method *kex_method_at(size_t i);

/* A view of bytes the caller owns. */
struct kex_view {
	const uint8_t *p;
	size_t n;
};

/*
 * The exchange hash's inputs besides the KEX messages: the
 * identification strings without CR LF (V_C, V_S) and the whole KEXINIT
 * payloads, message byte included (I_C, I_S).
 */
struct kex_hash_input {
	struct kex_view v_c, v_s, i_c, i_s;
};

/*
 * Computes H over already-known fields: K_S (host key blob), the raw
 * client and server ephemeral values (encoded per m->pub_enc: as they are
 * for strings, as mpints of these magnitudes otherwise), and k_enc (K as
 * already encoded, length prefix included). Writes hash_len(m->hash)
 * bytes to H (HASH_MAX_LEN room) and the length to *h_len; on error H is
 * zeroed. Returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM,
 * SESH_ERR_LIMIT or SESH_ERR_CRYPTO.
 */
int kex_exchange_hash(const struct kex_method *m,
                      const struct kex_hash_input *in, struct kex_view k_s,
                      struct kex_view c_pub, struct kex_view s_pub,
                      struct kex_view k_enc, uint8_t H[HASH_MAX_LEN],
                      size_t *h_len);

/* ---- client role ---- */

struct kex_client; /* one exchange; opaque */

/*
 * Starts an exchange as the client: makes the ephemeral key and appends
 * the INIT payload (message byte 30 and Q_C or e) to msg_out. *out
 * (owned by the caller, kex_client_free) is NULL on error and nothing is
 * appended. Returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM,
 * SESH_ERR_CRYPTO, SESH_ERR_LIMIT or the rand function's error.
 */
int kex_client_init(const struct kex_method *m, ssh_rand_fn rand,
                    void *rand_ctx, struct kex_client **out,
                    struct buf *msg_out);

/*
 * Processes the server's REPLY payload (message byte 31 included):
 * parses it strictly, parses K_S and checks it suits hostkey_alg (the
 * negotiated server_host_key_algorithm), computes K (refusing degenerate
 * values), computes H, and verifies the signature over H with the
 * algorithm hostkey_alg. On success *hostkey_out gets the server's host
 * key (public, caller frees it with key_free; the application must still
 * check it against known_hosts), H[0..*h_len) the exchange hash (use
 * the first one as the session id) and k_enc (reset, marked secret) the
 * encoded K. On error the outputs are cleared (*hostkey_out NULL, H
 * zeroed, *h_len 0, k_enc empty). A reply that does not parse (wire
 * errors, SESH_ERR_PROTOCOL for another message) leaves the state as it
 * was; once a well-formed reply was processed the ephemeral key is wiped
 * and further calls are SESH_ERR_INVALID_ARGUMENT, whatever the outcome.
 * Error codes: see the top of this file.
 */
int kex_client_reply(struct kex_client *c, const char *hostkey_alg,
                     const uint8_t *payload, size_t n,
                     const struct kex_hash_input *in,
                     struct sshkey **hostkey_out, uint8_t H[HASH_MAX_LEN],
                     size_t *h_len, struct buf *k_enc);

/* Wipes the ephemeral private key and frees; NULL-safe. */
void kex_client_free(struct kex_client *c);

/* The method a client state was made for. */
const struct kex_method *kex_client_method(const struct kex_client *c);

/* ---- server role ---- */

/*
 * Processes a client's INIT payload (message byte 30 included) as the
 * server: parses it strictly, makes the server's ephemeral key, computes
 * K (refusing degenerate values) and H, signs H with hostkey (private
 * part required) using sig_alg (the negotiated server_host_key_algorithm,
 * e.g. "rsa-sha2-256"), and appends the REPLY payload to reply_out. On
 * success H[0..*h_len) and k_enc (reset, marked secret) are set; on error
 * they are cleared and nothing is appended to reply_out. Error codes: see
 * the top of this file.
 */
int kex_server_reply(const struct kex_method *m, ssh_rand_fn rand,
                     void *rand_ctx, const uint8_t *payload, size_t n,
                     const struct kex_hash_input *in,
                     const struct sshkey *hostkey, const char *sig_alg,
                     uint8_t H[HASH_MAX_LEN], size_t *h_len, struct buf *k_enc,
                     struct buf *reply_out);

/*
 * The same exchange in two steps, for a server whose host key signs
 * elsewhere (privilege separation: the network-facing process holds only
 * public host keys).
 *
 * kex_server_hash() does what kex_server_reply() does up to H: parses
 * the INIT, makes the ephemeral key, computes K and H with hostkey's
 * public blob (no private part needed) and sets H, *h_len and k_enc as
 * kex_server_reply() does. *out (kex_server_free) then waits for the
 * signature of H by hostkey with sig_alg. Same error codes; on error
 * *out is NULL and the outputs are cleared.
 *
 * kex_server_finish() takes that signature (an SSH signature blob:
 * string alg, string sig), checks it is hostkey's signature of H with
 * sig_alg (SESH_ERR_BAD_SIGNATURE, SESH_ERR_SIG_ALG_MISMATCH, wire
 * errors of the blob otherwise) and appends the REPLY to reply_out.
 * Once it succeeded the state is spent (SESH_ERR_INVALID_ARGUMENT);
 * after a refused signature it can be called again.
 */
struct kex_server;
int kex_server_hash(const struct kex_method *m, ssh_rand_fn rand,
                    void *rand_ctx, const uint8_t *payload, size_t n,
                    const struct kex_hash_input *in,
                    const struct sshkey *hostkey, const char *sig_alg,
                    struct kex_server **out, uint8_t H[HASH_MAX_LEN],
                    size_t *h_len, struct buf *k_enc);
int kex_server_finish(struct kex_server *s, const uint8_t *sig, size_t sig_len,
                      struct buf *reply_out);
/* H of a state made by kex_server_hash (a view into it). */
void kex_server_hash_view(const struct kex_server *s, const uint8_t **h,
                          size_t *hl);
/* Wipes and frees; NULL-safe. */
void kex_server_free(struct kex_server *s);

/*
 * Whether the negotiated host key algorithm name suits the key type:
 * ssh-ed25519 / ecdsa-sha2-nistpNNN for their type, rsa-sha2-256/512 for
 * KEY_RSA. 0, SESH_ERR_UNSUPPORTED (unknown or SHA-1 algorithm) or
 * SESH_ERR_SIG_ALG_MISMATCH.
 */
int kex_hostkey_alg_check(const char *hostkey_alg, enum key_type type);

/* ---- key derivation (RFC 4253 §7.2) ---- */

#define KEX_MAX_IV_LEN  16u
#define KEX_MAX_KEY_LEN 64u
#define KEX_MAX_MAC_LEN MAC_MAX_KEY_LEN

/* Key material of one direction, sized for its algorithms. */
struct kex_dir_keys {
	const struct cipher_alg *cipher; /* NULL means "none" */
	const struct mac_alg *mac;       /* NULL: "none" or AEAD */
	uint8_t iv[KEX_MAX_IV_LEN];
	size_t iv_len;
	uint8_t key[KEX_MAX_KEY_LEN];
	size_t key_len;
	uint8_t mac_key[KEX_MAX_MAC_LEN];
	size_t mac_key_len;
};

/* Both directions: client to server uses letters A (IV), C (key), E
 * (integrity); server to client B, D, F. */
struct kex_keys {
	struct kex_dir_keys c2s;
	struct kex_dir_keys s2c;
};

enum kex_role {
	KEX_ROLE_CLIENT,
	KEX_ROLE_SERVER,
};

/*
 * Derives the six keys from K_enc (K exactly as encoded in H, length
 * prefix included), H and the session id, with the method's hash. Each
 * direction gets iv_len/key_len from its cipher (cipher_alg: key_len,
 * iv_len; NULL or "none" gets none) and a MAC key of mac->key_len unless
 * the cipher is AEAD (then the MAC is ignored and stored as NULL). out is
 * wiped on entry and filled only on success. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (NULL inputs, sizes above the KEX_MAX_*
 * bounds) or the KDF's errors.
 */
int kex_derive_keys(enum hash_alg h, const uint8_t *k_enc, size_t k_len,
                    const uint8_t *H, size_t h_len, const uint8_t *session_id,
                    size_t sid_len, const struct cipher_alg *cipher_c2s,
                    const struct mac_alg *mac_c2s,
                    const struct cipher_alg *cipher_s2c,
                    const struct mac_alg *mac_s2c, struct kex_keys *out);

/* The direction a role sends with (client: c2s) or receives with. */
const struct kex_dir_keys *kex_keys_dir(const struct kex_keys *k,
                                        enum kex_role role, bool sending);

/*
 * Makes the packet layer's contexts for one direction: *cipher (NULL
 * for "none") encrypting or decrypting, *mac (NULL for "none" or AEAD).
 * Hand them to pkt_out_set_keys()/pkt_in_set_keys(). On error both are
 * NULL. Returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM or
 * SESH_ERR_CRYPTO.
 */
int kex_dir_contexts(const struct kex_dir_keys *d, bool encrypt,
                     struct cipher_ctx **cipher, struct mac_ctx **mac);

/* Wipes all key material. */
void kex_keys_clear(struct kex_keys *k);

#endif
