/*
 * keyfile.h - private key files, as bytes in memory (no file I/O here;
 * src/app does the reading and the atomic temp+rename writing).
 *
 * Formats: openssh-key-v1 (PROTOCOL.key): "-----BEGIN OPENSSH PRIVATE
 * KEY-----", base64 lines of 70 chars; cipher "none", "aes256-ctr" (what
 * we write), "aes128-ctr", "aes192-ctr", "aes256-gcm@openssh.com" (read);
 * KDF "none" or "bcrypt" (salt 16 bytes, rounds). Also reads PEM and
 * PKCS#8 private keys via src/crypto/pkey.h.
 */
#ifndef SESH_KEY_KEYFILE_H
#define SESH_KEY_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "key/key.h"

#define KEYFILE_DEFAULT_ROUNDS 16
#define KEYFILE_DEFAULT_CIPHER "aes256-ctr"

/*
 * Parses a private key file (openssh-key-v1 or PEM/PKCS#8, detected by
 * content). passphrase NULL or "" for unencrypted. Returns 0,
 * SESH_ERR_PASSPHRASE_NEEDED (encrypted, no passphrase given),
 * SESH_ERR_WRONG_PASSPHRASE, SESH_ERR_INVALID_FORMAT, SESH_ERR_KDF_UNKNOWN,
 * SESH_ERR_CIPHER_UNKNOWN, SESH_ERR_KEY_TYPE_UNKNOWN, ... The comment is
 * set from the file (openssh-key-v1) or left NULL (PEM).
 */
int keyfile_parse_private(const uint8_t *data, size_t n, const char *passphrase,
                          struct sshkey **out);
/* Is the file encrypted? Only reads the public header; also returns the
 * public key (openssh-key-v1 carries it in clear) if pub_out non-NULL and
 * the format carries one (else *pub_out = NULL). */
int keyfile_peek(const uint8_t *data, size_t n, bool *encrypted,
                 struct sshkey **pub_out);
/*
 * Serialises k (with its comment) as openssh-key-v1. passphrase NULL or
 * "" writes cipher "none"/kdf "none"; otherwise aes256-ctr + bcrypt with
 * a random 16-byte salt and the given rounds (0 = default 16). out is
 * marked secret.
 */
int keyfile_serialize_private(const struct sshkey *k, const char *passphrase,
                              unsigned int rounds, struct buf *out);

/* PEM export (ssh-keygen -e/-m PEM|PKCS8 for private keys with -p -m). */
int keyfile_serialize_pem(const struct sshkey *k, bool pkcs8,
                          const char *passphrase, struct buf *out);

/*
 * Public key files: "type base64 comment" lines (.pub), RFC 4716 SSH2
 * public key blocks ("---- BEGIN SSH2 PUBLIC KEY ----"), PEM SPKI and
 * PKCS#1 public keys. Detects the format.
 */
int keyfile_parse_public(const uint8_t *data, size_t n, struct sshkey **out);
/* RFC 4716 export as ssh-keygen -e writes it (Comment header, 70-col).
 * The Comment header holds k->comment (none if NULL). */
int keyfile_serialize_rfc4716(const struct sshkey *k, struct buf *out);
/*
 * Same with an explicit Comment header value (NULL: no header). ssh-keygen
 * -e writes "<bits>-bit <TYPE>, converted by <user>@<host> from OpenSSH"
 * there; the caller (src/app or src/cmd) builds that text. Header lines
 * over 72 bytes are continued with a trailing backslash (RFC 4716 §3.3).
 * Appends to out; returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT,
 * SESH_ERR_NOMEM or a key_to_blob error.
 */
int keyfile_serialize_rfc4716_comment(const struct sshkey *k,
                                      const char *comment, struct buf *out);

#endif
