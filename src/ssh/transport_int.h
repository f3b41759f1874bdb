/*
 * transport_int.h - helpers shared by the transport's files
 * (transport.c, transport_cfg.c, transport_state.c). Not for use outside
 * src/ssh/transport*.c.
 */
#ifndef SESH_SSH_TRANSPORT_INT_H
#define SESH_SSH_TRANSPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "crypto/mac.h"
#include "ssh/kex.h"
#include "ssh/kexinit.h"
#include "ssh/packet.h"
#include "ssh/transport.h"

/* The transport's state (transport.c; transport_state.c serializes it). */
struct transport {
	enum transport_role role;
	/* configuration (copied) */
	char *kex_list, *hostkey_list, *cipher_list, *mac_list;
	const struct sshkey *const *hostkeys;
	size_t n_hostkeys;
	bool offer_strict, offer_ext_info;
	bool sign_by_event;
	uint64_t rekey_bytes, rekey_packets;
	uint64_t rekey_ms; /* time limit; 0 = none */
	ssh_rand_fn rand;
	void *rand_ctx;
	char my_version[TRANSPORT_MAX_IDENT + 1];

	/* identification exchange */
	struct buf idline;
	unsigned int banner_lines;
	char *peer_version;

	/* packets */
	struct pkt_in in;
	struct pkt_out pout;
	struct buf out;   /* wire bytes to write */
	struct buf queue; /* service payloads held during KEX */

	/* key exchange round */
	bool sent_kexinit, got_kexinit, sent_newkeys, got_newkeys;
	bool ignore_next;
	bool keys_ready;
	bool awaiting_hostkey, hostkey_reported;
	bool pending_done;
	unsigned long pre_kexinit_pkts;
	struct buf my_kexinit, peer_kexinit;
	struct kex_choice choice;
	const struct kex_method *method;
	const struct cipher_alg *cipher_c2s, *cipher_s2c;
	const struct mac_alg *mac_c2s, *mac_s2c;
	struct kex_client *kc;
	struct kex_keys keys;
	struct sshkey *new_hostkey; /* client: awaiting the answer */
	struct buf fingerprint;
	struct kex_server *ks; /* server: awaiting a HOSTKEY_SIGN answer */
	const struct sshkey *sign_key;
	bool awaiting_sign, sign_reported;

	/* connection-wide */
	unsigned int kex_count;
	bool strict;
	uint8_t session_id[HASH_MAX_LEN];
	size_t sid_len;
	struct sshkey *peer_hostkey; /* client: from the first exchange */
	char *server_sig_algs;
	uint32_t last_seqnr; /* of the last packet decoded */
	bool have_last;
	unsigned int unimpl_count; /* UNIMPLEMENTED received */
	uint32_t unimpl_seqnr;     /* the last one's sequence number */

	/* time (transport_tick) */
	uint64_t now;
	bool time_known;
	uint64_t kex_time; /* when the last exchange ended */
	bool kex_time_set;

	/* end */
	bool closed, disc_reported, disc_by_peer;
	int err;
	uint32_t disc_reason;
	char disc_text[TRANSPORT_MAX_DISC_TEXT + 1];
};

/* Which registry the names of a configured list must be found in. */
enum transport_list_kind {
	TRANSPORT_LIST_KEX,
	TRANSPORT_LIST_HOSTKEY,
	TRANSPORT_LIST_CIPHER,
	TRANSPORT_LIST_MAC,
};

/*
 * *out = a copy of s (def when s is NULL) once every name in it is
 * known to the registry of kind and the list fits in a name-list.
 * Returns 0, SESH_ERR_INVALID_ARGUMENT (empty, too long or an unknown
 * name; *out NULL) or SESH_ERR_NOMEM.
 */
int transport_list_dup(const char *s, const char *def,
                       enum transport_list_kind kind, char **out);

/* True when p[0..n) is printable US-ASCII (RFC 4253 §4.2). */
bool transport_ident_printable(const uint8_t *p, size_t n);

/* Our identification string v (without CR LF): "SSH-2.0-", printable,
 * short enough with its CR LF for TRANSPORT_MAX_IDENT. */
bool transport_version_ok(const char *v);

/*
 * transport_new() without the output: a transport configured from cfg
 * (lists checked and copied, host keys filtered) with nothing queued and
 * no state. Same returns as transport_new().
 */
int transport_alloc(enum transport_role role,
                    const struct transport_config *cfg, struct transport **out);

#endif
