/*
 * hostkeys_update.h - UpdateHostKeys for the client (OpenSSH PROTOCOL
 * §2.5, ssh_config(5) UpdateHostKeys): the pieces that need no socket,
 * so that they can be tested and fuzzed alone.
 *
 * After authentication a server lists its host keys in the global request
 * hostkeys-00@openssh.com (string blob, repeated). The client compares
 * them with the user's known_hosts entries for the host, asks the server
 * to prove the new ones (hostkeys-prove-00@openssh.com: string blob,
 * repeated; the reply: string signature per key, in order, each over
 * string "hostkeys-prove-00@openssh.com" || string session id || string
 * blob) and then rewrites known_hosts: proven keys added, keys the
 * server no longer has removed.
 *
 * Contract:
 *  - hkupd_parse_keys skips keys it cannot use (unknown types, blobs
 *    that do not parse); a broken list (truncated string), a duplicate,
 *    or more than HKUPD_MAX_KEYS keys is an error.
 *  - hkupd_plan only proposes changes when the host key of the session
 *    is held by a plain (unmarked) entry for the host in this content and
 *    no unmarked entry for the host uses a wildcard or negation (marked
 *    ones may: "@revoked *"); entries to remove
 *    must name only this host (one name, or a hashed name). Otherwise
 *    it returns SESH_ERR_NOT_FOUND (host key not there) or
 *    SESH_ERR_UNSUPPORTED (a complex entry), and the caller leaves the
 *    file alone, as ssh does. Keys the file marks @revoked for the host
 *    are never added.
 *  - hkupd_rewrite copies every line byte for byte except the entries
 *    to remove, then appends one line per key to add ("name type base64",
 *    the name hashed with hash); a missing final newline is added before
 *    the appended lines only.
 *  - Outputs are zeroed on entry and set only on success.
 */
#ifndef SESH_APP_HOSTKEYS_UPDATE_H
#define SESH_APP_HOSTKEYS_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "key/key.h"

#define HKUPD_MAX_KEYS  32u /* keys in one hostkeys-00 request */

/* An owned list of public keys. */
struct hkupd_keys {
	struct sshkey *k[HKUPD_MAX_KEYS];
	size_t n;
};

/* Frees the keys and zeroes the list; NULL-safe. */
void hkupd_keys_clear(struct hkupd_keys *ks);

/*
 * Parses hostkeys-00@openssh.com request data p[0..n) (string blob,
 * repeated). *skipped (may be NULL) counts keys left out as unusable.
 * Returns 0, SESH_ERR_TRUNCATED, SESH_ERR_INVALID_FORMAT (an empty blob
 * or a duplicate), SESH_ERR_LIMIT (over HKUPD_MAX_KEYS) or
 * SESH_ERR_NOMEM.
 */
int hkupd_parse_keys(const uint8_t *p, size_t n, struct hkupd_keys *out,
                     size_t *skipped);

struct hkupd_plan {
	struct hkupd_keys add;    /* the server's keys not known for the host */
	struct hkupd_keys remove; /* known for the host, no longer offered */
	bool hashed; /* the entry holding the session's host key is hashed */
};

/* Frees what a plan owns and zeroes it; NULL-safe. */
void hkupd_plan_clear(struct hkupd_plan *pl);

/*
 * Compares the server's keys with the known_hosts content[0..n) for the
 * lookup name name ("host" or "[host]:port", lowercase). hostkey is the
 * key the session was verified with. Lines that do not parse are
 * ignored (and kept by hkupd_rewrite). Returns 0, SESH_ERR_NOT_FOUND,
 * SESH_ERR_UNSUPPORTED (see the contract), SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_CRYPTO or SESH_ERR_NOMEM.
 */
int hkupd_plan(const uint8_t *content, size_t n, const char *name,
               const struct sshkey *hostkey, const struct hkupd_keys *server,
               struct hkupd_plan *out);

/* Appends the hostkeys-prove-00 request data: string blob per key. */
int hkupd_prove_request(const struct hkupd_keys *keys, struct buf *out);

/*
 * Checks the REQUEST_SUCCESS data p[0..n) of a prove request for keys:
 * one string signature per key in order, nothing after. Each signature
 * must verify over the proof data with session id sid[0..sidn). RSA keys:
 * when the key exchange used rsa-sha2-256 or -512 (kex_hostkey_alg)
 * the proof must use that algorithm, else either of them; ssh-rsa
 * (SHA-1) never. Returns 0, SESH_ERR_TRUNCATED, SESH_ERR_TRAILING_DATA,
 * SESH_ERR_BAD_SIGNATURE, SESH_ERR_SIG_ALG_MISMATCH, the verifier's
 * errors, SESH_ERR_INVALID_ARGUMENT or SESH_ERR_NOMEM.
 */
int hkupd_verify_proofs(const struct hkupd_keys *keys, const uint8_t *sid,
                        size_t sidn, const char *kex_hostkey_alg,
                        const uint8_t *p, size_t n);

/*
 * Writes into out the new known_hosts content: content[0..n) without the
 * plain entries for name whose key is in pl->remove, then lines for
 * pl->add under host and port (hashed with hash). Returns 0,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT, SESH_ERR_CRYPTO or
 * SESH_ERR_NOMEM (out holds partial data on error).
 */
int hkupd_rewrite(const uint8_t *content, size_t n, const char *name,
                  const char *host, unsigned int port,
                  const struct hkupd_plan *pl, bool hash, struct buf *out);

#endif
