/*
 * sesh.h - helpers private to the sesh program (src/cmd/sesh): argument
 * syntax (args.c). Every function returns 0 or SESH_ERR_INVALID_ARGUMENT
 * (or SESH_ERR_NOMEM / SESH_ERR_LIMIT where it allocates); messages are
 * the caller's.
 */
#ifndef SESH_CMD_SESH_H
#define SESH_CMD_SESH_H

#include "app/client.h"

#define SESH_MAX_COMMAND 65536

/* A destination split in place: pointers into the argument. */
struct sesh_dest {
	char *user;        /* NULL when not given */
	char *host;        /* brackets of an IPv6 URL host removed */
	unsigned int port; /* 0 when not given (URL form only) */
};

/* "1".."65535" */
int sesh_parse_port(const char *s, unsigned int *out);
/* "[user@]host" or "ssh://[user@]host[:port]"; arg is modified. */
int sesh_parse_destination(char *arg, struct sesh_dest *d);
/* -W "host:port" or "[host]:port"; arg is modified, *host points in. */
int sesh_parse_forward(char *arg, char **host, unsigned int *port);
/* -e: "none", one character, or "^X" (a control character). */
int sesh_parse_escape(const char *s, int *out);
/* argv[0..argc) joined by spaces in a fresh string; NULL when argc is
 * 0. SESH_ERR_LIMIT past SESH_MAX_COMMAND bytes. */
int sesh_join_command(int argc, char **argv, char **out);

#endif
