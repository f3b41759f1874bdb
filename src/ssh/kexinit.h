/*
 * kexinit.h - SSH_MSG_KEXINIT build, parse and algorithm negotiation
 * (RFC 4253 §7.1), with OpenSSH's pseudo-algorithms for strict KEX
 * (kex-strict-c/s-v00@openssh.com) and RFC 8308 ext-info (ext-info-c/s).
 *
 *	byte         SSH_MSG_KEXINIT
 *	byte[16]     cookie (random bytes)
 *	name-list    kex_algorithms
 *	name-list    server_host_key_algorithms
 *	name-list    encryption_algorithms_client_to_server
 *	name-list    encryption_algorithms_server_to_client
 *	name-list    mac_algorithms_client_to_server
 *	name-list    mac_algorithms_server_to_client
 *	name-list    compression_algorithms_client_to_server
 *	name-list    compression_algorithms_server_to_client
 *	name-list    languages_client_to_server
 *	name-list    languages_server_to_client
 *	boolean      first_kex_packet_follows
 *	uint32       0 (reserved for future extension)
 *
 * Negotiation: in each category the first algorithm on the client's list
 * that is also on the server's. Pseudo-algorithms (kex-strict-*,
 * ext-info-*) are never chosen as the KEX. With an AEAD cipher in a
 * direction the MAC of that direction is not negotiated (OpenSSH
 * PROTOCOL §1.6). Languages never fail (none chosen if none common).
 * Choosing the KEX by host-key compatibility (RFC 4253 §7.1, the fuller
 * rule) is left to the KEX layer above: here it is simple first match.
 */
#ifndef SESH_SSH_KEXINIT_H
#define SESH_SSH_KEXINIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/limits.h"
#include "ssh/env.h"

#define KEXINIT_COOKIE_LEN 16

#define KEX_STRICT_C   "kex-strict-c-v00@openssh.com"
#define KEX_STRICT_S   "kex-strict-s-v00@openssh.com"
#define KEX_EXT_INFO_C "ext-info-c"
#define KEX_EXT_INFO_S "ext-info-s"

/* The ten name-lists, in wire order. */
enum kex_alg_idx {
	KEX_ALG_KEX = 0,
	KEX_ALG_HOSTKEY,
	KEX_ALG_ENC_CTOS,
	KEX_ALG_ENC_STOC,
	KEX_ALG_MAC_CTOS,
	KEX_ALG_MAC_STOC,
	KEX_ALG_COMP_CTOS,
	KEX_ALG_COMP_STOC,
	KEX_ALG_LANG_CTOS,
	KEX_ALG_LANG_STOC,
	KEX_ALG_COUNT
};

/* A validated name-list: a view into the parsed payload. */
struct kexinit_list {
	const uint8_t *p;
	size_t n;
};

struct kexinit {
	uint8_t cookie[KEXINIT_COOKIE_LEN];
	struct kexinit_list algs[KEX_ALG_COUNT];
	bool first_kex_follows;
	uint32_t reserved;
};

/* Chosen algorithms; "" where nothing was chosen (MAC under an AEAD
 * cipher, languages). */
struct kex_choice {
	char alg[KEX_ALG_COUNT][SESH_MAX_NAME + 1];
	bool strict;        /* both kex-strict-c and kex-strict-s present */
	bool ext_info_c;    /* client's list has ext-info-c */
	bool ext_info_s;    /* server's list has ext-info-s */
	bool guess_matches; /* both sides' first kex and host key agree */
};

/* "kex_algorithms", "server_host_key_algorithms", ...; "?" if out of
 * range. */
const char *kexinit_category_name(int idx);

/*
 * Appends a KEXINIT payload (message byte included) to out: a cookie of
 * 16 bytes from rand, lists[i] as the i-th name-list (a comma-separated
 * C string, "" for an empty list; NULL is taken as ""),
 * first_kex_follows, reserved 0. Returns 0, SESH_ERR_INVALID_ARGUMENT
 * (a list that is not a valid name-list), SESH_ERR_LIMIT (a list too
 * long, or out's cap), SESH_ERR_NOMEM or the rand function's error; on
 * error nothing is appended.
 */
int kexinit_build(const char *const lists[KEX_ALG_COUNT],
                  bool first_kex_follows, ssh_rand_fn rand, void *rand_ctx,
                  struct buf *out);

/*
 * Parses an SSH_MSG_KEXINIT payload. Views in *out point into p and live
 * as long as it. Returns 0, SESH_ERR_PROTOCOL (not KEXINIT),
 * SESH_ERR_TRUNCATED, SESH_ERR_LIMIT (a name-list or name too long),
 * SESH_ERR_INVALID_FORMAT (a malformed name-list) or
 * SESH_ERR_TRAILING_DATA; on error *out is left zeroed.
 */
int kexinit_parse(const uint8_t *p, size_t n, struct kexinit *out);

/* Whether list idx of k holds name. */
bool kexinit_has(const struct kexinit *k, enum kex_alg_idx idx,
                 const char *name);

/*
 * Negotiates between the client's and the server's KEXINIT. On success
 * fills *out and sets *failed to -1. On failure returns
 * SESH_ERR_PROTOCOL with *failed = the category (enum kex_alg_idx)
 * that had no algorithm in common, and *out zeroed. Returns
 * SESH_ERR_INVALID_ARGUMENT for NULL arguments.
 */
int kexinit_negotiate(const struct kexinit *client,
                      const struct kexinit *server, struct kex_choice *out,
                      int *failed);

#endif
