/*
 * sshconfig_int.h - private to the ssh_config reader (sshconfig.c reads
 * files and blocks, sshconfig_kw.c knows the keywords and stores their
 * values). Not for use outside src/app/sshconfig*.c.
 */
#ifndef SESH_APP_SSHCONFIG_INT_H
#define SESH_APP_SSHCONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "app/sshconfig.h"
#include "base/cfgtok.h"

/* One file being read. */
struct frame {
	const char *name; /* for messages */
	enum sshconfig_origin origin;
	int depth;
	bool never_match; /* an Include from a block that does not apply */
	bool active;      /* the current block applies */
	bool cmdline;     /* "-o" */
	int nbad;
};

enum sshconfig_kw_kind {
	SSHCONFIG_KW_HOST,
	SSHCONFIG_KW_MATCH,
	SSHCONFIG_KW_INCLUDE,
	SSHCONFIG_KW_VALUE, /* a setting: sshconfig_kw_store */
};

struct sshconfig_kw; /* one entry of the keyword table */

/* The keyword (lowercased) or NULL when sesh does not implement it. */
const struct sshconfig_kw *sshconfig_kw_find(const char *name);
enum sshconfig_kw_kind sshconfig_kw_kind(const struct sshconfig_kw *k);
/* Does OpenSSH's ssh know this keyword (accepted, not acted on)? */
bool sshconfig_kw_known(const char *name);

/*
 * Checks the arguments of a setting line and stores the value when the
 * block applies and the setting is unset. line[0..n) is the raw text
 * (ProxyCommand keeps it as written). Bad values are reported and
 * counted in fr (return 0); returns SESH_ERR_NOMEM or SESH_ERR_LIMIT
 * (list full) otherwise 0.
 */
int sshconfig_kw_store(struct sshconfig *c, struct frame *fr,
                       const struct sshconfig_kw *k,
                       const struct cfgtok_line *l, const char *line, size_t n);

/*
 * One ProxyJump hop "[ssh://][user@]host[:port]" (brackets around an
 * IPv6 address; port digits 1..65535) from hop[0..n), split into fresh
 * strings (*user and *port NULL when absent). Returns 0,
 * SESH_ERR_INVALID_ARGUMENT or SESH_ERR_NOMEM; all NULL on error.
 */
int sshconfig_jump_split(const char *hop, size_t n, char **user, char **host,
                         char **port);

/* Reports "NAME line N: message" and counts it in fr. */
void sshconfig_bad(const struct sshconfig *c, struct frame *fr, size_t lineno,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
