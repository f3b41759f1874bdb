/*
 * keyfile_int.h - helpers shared by keyfile.c (openssh-key-v1) and
 * keyfile_pem.c (PEM/PKCS#8 private keys, public key files). Internal to
 * src/key.
 */
#ifndef SESH_KEY_KEYFILE_INT_H
#define SESH_KEY_KEYFILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "key/key.h"

/* Finds the NUL-terminated s in data[0..n); its offset in *off. */
bool keyfile_find(const uint8_t *data, size_t n, const char *s, size_t *off);
/* Space, tab, CR, LF, VT or FF. */
bool keyfile_is_ws(uint8_t c);
/* PEM / PKCS#8 private key (see keyfile_parse_private). */
int keyfile_pem_parse_private(const uint8_t *data, size_t n,
                              const char *passphrase, struct sshkey **out);
/* Is a PEM private key encrypted? SESH_ERR_INVALID_FORMAT if not PEM. */
int keyfile_pem_peek(const uint8_t *data, size_t n, bool *encrypted);
/* Wraps a pkey (owned, freed on error) into a new sshkey. */
int keyfile_wrap_pkey(struct pkey *pk, struct sshkey **out);

#endif
