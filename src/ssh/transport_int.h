/*
 * transport_int.h - helpers shared by the transport's files
 * (transport.c, transport_cfg.c). Not for use outside src/ssh/transport*.c.
 */
#ifndef SESH_SSH_TRANSPORT_INT_H
#define SESH_SSH_TRANSPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
