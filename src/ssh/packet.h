/*
 * packet.h - the SSH binary packet protocol (RFC 4253 §6), both
 * directions, in memory (sans-I/O).
 *
 *	uint32    packet_length   (not counting itself or the MAC)
 *	byte      padding_length  (>= 4)
 *	byte[n1]  payload         n1 = packet_length - padding_length - 1
 *	byte[n2]  random padding  n2 = padding_length
 *	byte[m]   mac or AEAD tag
 *
 * Alignment: for plain (encrypt-and-MAC) modes the whole packet, length
 * field included, is a multiple of max(8, cipher block size); for
 * *-etm@openssh.com MACs and the AEAD ciphers (aes*-gcm@openssh.com,
 * chacha20-poly1305@openssh.com) the length field is excluded from that
 * sum (it travels in clear, or separately encrypted). With an AEAD
 * cipher the negotiated MAC is ignored (OpenSSH PROTOCOL §1.6).
 *
 * Receiving checks, in order: packet_length bounds (SESH_ERR_LIMIT above
 * SESH_MAX_PACKET, SESH_ERR_PROTOCOL below the minimum or misaligned);
 * for EtM and AEAD the tag before anything is decrypted; for plain modes
 * the first block is decrypted to learn the length, then the rest, then
 * the MAC over seqnr || plaintext packet; finally padding_length (>= 4
 * and inside the packet). Compression is not supported ("none" only).
 *
 * Sequence numbers are uint32 and wrap at 2^32 (RFC 4253 §6.4); they
 * count every packet and are never reset by new keys, except by
 * pkt_*_reset_seqnr() which strict KEX calls after each NEWKEYS.
 *
 * Keys: each direction owns one cipher context (NULL = "none") and one
 * MAC context (NULL = "none"; must be NULL with an AEAD cipher).
 * Installing new keys (at NEWKEYS) frees the old ones.
 *
 * The engine never calls the global RNG: padding comes from the
 * ssh_rand_fn given to pkt_out_init().
 */
#ifndef SESH_SSH_PACKET_H
#define SESH_SSH_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/cipher.h"
#include "crypto/mac.h"
#include "ssh/env.h"

#define PKT_LEN_FIELD   4 /* uint32 packet_length */
#define PKT_MIN_PADDING 4 /* RFC 4253 §6 */
#define PKT_MIN_BLOCK   8 /* alignment when the cipher's block is smaller */

struct pkt_keys {
	struct cipher_ctx *cipher; /* owned; NULL means "none" */
	struct mac_ctx *mac;       /* owned; NULL means "none" or AEAD */
};

/* Sending direction. */
struct pkt_out {
	struct pkt_keys keys;
	uint32_t seqnr;     /* of the next packet to seal */
	bool seqnr_wrapped; /* wrapped past 2^32-1 since init/reset */
	uint64_t packets;   /* sealed since the current keys */
	uint64_t bytes;     /* wire bytes sealed since the current keys */
	ssh_rand_fn rand;
	void *rand_ctx;
};

/* Receiving direction: an incremental decoder. */
struct pkt_in {
	struct pkt_keys keys;
	uint32_t seqnr;     /* of the next packet to open */
	bool seqnr_wrapped; /* wrapped past 2^32-1 since init/reset */
	uint64_t packets;   /* opened since the current keys */
	uint64_t bytes;     /* wire bytes opened since the current keys */
	struct buf raw;     /* received bytes (secret: holds plaintext) */
	size_t off;         /* start of the current packet in raw */
	bool have_len;      /* packet_length of the current one known */
	uint32_t plen;      /* that packet_length */
	size_t decrypted;   /* plain modes: bytes already decrypted */
	int err;            /* first error; sticks */
};

/* Starts with no keys, sequence number 0. rand must not be NULL. */
void pkt_out_init(struct pkt_out *o, ssh_rand_fn rand, void *rand_ctx);
/* Frees the keys; o can be initialised again. */
void pkt_out_clear(struct pkt_out *o);
/*
 * Installs keys for the packets sealed from now on (at NEWKEYS), freeing
 * the previous ones and restarting the packet/byte counters. Takes
 * ownership of cipher and mac in every case (they are freed on error).
 * cipher must be an encrypting context. Returns 0 or
 * SESH_ERR_INVALID_ARGUMENT (a MAC given with an AEAD cipher).
 */
int pkt_out_set_keys(struct pkt_out *o, struct cipher_ctx *cipher,
                     struct mac_ctx *mac);
/* Strict KEX: the next packet sealed gets sequence number 0. */
void pkt_out_reset_seqnr(struct pkt_out *o);
/*
 * Appends one wire packet carrying payload[0..n) to wire: minimal
 * padding (>= 4, aligned as above) from the rand function, encrypted and
 * MAC'd/tagged with the current keys; advances the sequence number.
 * On error nothing is appended and the sequence number is unchanged
 * (but a cipher's internal state may have advanced: treat any error but
 * SESH_ERR_LIMIT as fatal for the connection). Returns 0,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT (payload too large for
 * SESH_MAX_PACKET, or wire's cap reached), SESH_ERR_NOMEM,
 * SESH_ERR_CRYPTO, or the rand function's error.
 */
int pkt_seal(struct pkt_out *o, const uint8_t *payload, size_t n,
             struct buf *wire);
/* Largest payload pkt_seal() accepts with the current keys. */
size_t pkt_out_max_payload(const struct pkt_out *o);

/* Starts with no keys, sequence number 0, nothing buffered. */
void pkt_in_init(struct pkt_in *in);
/* Frees keys and buffered bytes (wiped); in can be initialised again. */
void pkt_in_clear(struct pkt_in *in);
/*
 * Installs keys for the packets opened from now on, with the same rules
 * and ownership as pkt_out_set_keys(); cipher must be a decrypting
 * context. Call it right after pkt_in_next() returned the NEWKEYS
 * payload, before asking for the next packet (bytes already buffered
 * are still undecoded and are read with the new keys). Returns 0 or
 * SESH_ERR_INVALID_ARGUMENT (MAC with AEAD, or a packet half-decoded
 * under the old keys).
 */
int pkt_in_set_keys(struct pkt_in *in, struct cipher_ctx *cipher,
                    struct mac_ctx *mac);
/* Strict KEX: the next packet opened has sequence number 0. */
void pkt_in_reset_seqnr(struct pkt_in *in);
/*
 * Buffers received bytes (any chunking). Invalidates the payload view of
 * the last pkt_in_next(). Returns 0, the sticky error of pkt_in_next(),
 * SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_LIMIT (more than SESH_MAX_WRITER bytes buffered: drain with
 * pkt_in_next first) or SESH_ERR_NOMEM; on error nothing is buffered.
 */
int pkt_in_feed(struct pkt_in *in, const uint8_t *p, size_t n);
/*
 * The same as pkt_in_feed() without a copy: makes room for at least n
 * bytes at the end of the decoder's buffer and points *p at it (*room,
 * optional, is how much is free there). The caller writes received
 * bytes there and appends them with pkt_in_commit(); the space is
 * invalidated by any other call on in. Returns what pkt_in_feed()
 * returns (n 0 is SESH_ERR_INVALID_ARGUMENT); on error *p is NULL.
 */
int pkt_in_space(struct pkt_in *in, size_t n, uint8_t **p, size_t *room);
/* Appends k bytes written at pkt_in_space()'s pointer (k <= its room).
 * Returns 0, the sticky error or SESH_ERR_INVALID_ARGUMENT. */
int pkt_in_commit(struct pkt_in *in, size_t k);
/*
 * Decodes the next whole packet from the buffered bytes. On success
 * with a packet, *payload and *n view its payload (valid until the next
 * pkt_in_feed, pkt_in_space or pkt_in_clear: the buffer moves only when
 * bytes are added, and a decode error wipes only the failed packet and
 * what follows it) and the sequence number advances; with no whole packet
 * buffered yet, *payload is NULL and *n 0 (an empty payload gives a
 * non-NULL view with *n 0). Errors stick: every later call returns the
 * first one. Returns 0, SESH_ERR_LIMIT (packet_length too large),
 * SESH_ERR_PROTOCOL (packet_length too small or misaligned, bad
 * padding_length), SESH_ERR_MAC_INVALID (MAC or AEAD tag), SESH_ERR_CRYPTO
 * or SESH_ERR_INVALID_ARGUMENT.
 */
int pkt_in_next(struct pkt_in *in, const uint8_t **payload, size_t *n);
/* Bytes buffered and not yet returned as packets. */
size_t pkt_in_buffered(const struct pkt_in *in);

#endif
