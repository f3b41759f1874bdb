/*
 * hostfile.h - known_hosts lines (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 * parsing one line, matching it against a host, hashing host names, and
 * the whole-content transforms behind ssh-keygen -R, -F and -H.
 *
 * Line layout (fields separated by spaces or tabs):
 *   [marker] hosts keytype base64 [comment]
 * marker: "@revoked" or "@cert-authority". hosts: a pattern list (see
 * match.h; "[host]:port" names a non-default port) or one hashed name
 * "|1|base64(salt)|base64(HMAC-SHA1(salt, name))" with a 20-byte salt.
 * Blank lines and lines whose first non-blank byte is '#' are comments.
 *
 * Everything here is pure: bytes in, bytes and structs out; the caller
 * reads and writes files and prints messages. Names looked up are the
 * "lookup names" ssh uses: "host" for port 22, "[host]:port" otherwise.
 * Plain patterns compare ASCII case-insensitively; hashed names are
 * compared exactly (ssh lowercases host names before looking them up and
 * -H lowercases them before hashing), in constant time.
 */
#ifndef SESH_KEY_HOSTFILE_H
#define SESH_KEY_HOSTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "key/key.h"
#include "key/match.h"

#define HOSTFILE_HASH_MAGIC   "|1|"
#define HOSTFILE_SALT_LEN     20 /* SHA-1 output size, as OpenSSH requires */
#define HOSTFILE_HASH_LEN     20
#define HOSTFILE_DEFAULT_PORT 22

enum hostfile_marker {
	HOSTFILE_MARKER_NONE = 0,
	HOSTFILE_MARKER_REVOKED,        /* "@revoked" */
	HOSTFILE_MARKER_CERT_AUTHORITY, /* "@cert-authority" */
};

enum hostfile_line_kind {
	HOSTFILE_LINE_COMMENT = 0, /* blank or '#': nothing else is set */
	HOSTFILE_LINE_ENTRY,
};

struct hostfile_entry {
	enum hostfile_line_kind kind;
	enum hostfile_marker marker;
	/* The hosts field exactly as written (owned, NUL-terminated). */
	char *hosts;
	bool hashed; /* hosts is "|1|salt|hash": salt and hash are set */
	uint8_t salt[HOSTFILE_SALT_LEN];
	uint8_t hash[HOSTFILE_HASH_LEN];
	/* The key (owned); its comment field holds the line's comment. */
	struct sshkey *key;
};

/*
 * Parses one line line[0..n) (a trailing "\n" or "\r\n" is allowed).
 * On success *out owns its hosts string and key; release with
 * hostfile_entry_clear. A comment line returns 0 with kind
 * HOSTFILE_LINE_COMMENT. Errors: SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_LIMIT (longer than SESH_MAX_LINE), SESH_ERR_INVALID_FORMAT
 * (NUL byte, unknown marker, missing field, malformed hashed name),
 * SESH_ERR_KEY_TYPE_UNKNOWN (a key type sesh does not handle; callers
 * normally skip such lines), the key parser's errors, SESH_ERR_NOMEM;
 * on error *out is left zeroed.
 */
int hostfile_parse_line(const char *line, size_t n, struct hostfile_entry *out);
/* Frees what the entry owns and zeroes it; NULL-safe. */
void hostfile_entry_clear(struct hostfile_entry *e);

/*
 * Appends the lookup name for host and port: "host" when port is 22 or 0,
 * otherwise "[host]:port". SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT,
 * SESH_ERR_NOMEM.
 */
int hostfile_lookup_name(const char *host, unsigned int port, struct buf *out);

/*
 * Matches an entry against a lookup name name[0..n) ("host" or
 * "[host]:port"). Plain entries use match_pattern_list (case-folded);
 * hashed entries compare HMAC-SHA1(salt, name) with the stored hash in
 * constant time (MATCH_POSITIVE or MATCH_NONE). *res is MATCH_NONE for a
 * comment line. Returns 0, SESH_ERR_INVALID_ARGUMENT or SESH_ERR_CRYPTO.
 */
int hostfile_match_name(const struct hostfile_entry *e, const char *name,
                        size_t n, enum match_result *res);
/* As hostfile_match_name with the lookup name of host and port. Also
 * SESH_ERR_LIMIT / SESH_ERR_NOMEM. */
int hostfile_match_host(const struct hostfile_entry *e, const char *host,
                        unsigned int port, enum match_result *res);

/*
 * Appends the hashed form "|1|base64(salt)|base64(HMAC-SHA1(salt, name))"
 * of the lookup name name[0..n). salt is HOSTFILE_SALT_LEN bytes, or NULL
 * for a fresh random salt. Returns 0, SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_CRYPTO, SESH_ERR_LIMIT or SESH_ERR_NOMEM (nothing appended on
 * error).
 */
int hostfile_hash_name(const char *name, size_t n, const uint8_t *salt,
                       struct buf *out);
/* hostfile_hash_name of the lookup name of host and port, random salt. */
int hostfile_hash_host(const char *host, unsigned int port, struct buf *out);

/*
 * Appends a new known_hosts line "<name> <keytype> <base64>\n" for host
 * and port, as ssh writes when it learns a host key (no comment); with
 * hash, the name is hashed with a random salt. Errors as above.
 */
int hostfile_format_line(const char *host, unsigned int port,
                         const struct sshkey *key, bool hash, struct buf *out);

/*
 * Is name[0..n) a key type OpenSSH accepts but sesh does not implement
 * (ssh-dss, the sk-* FIDO types, certificates)? Lines with such keys are
 * kept by the transforms below, and authorized_keys lines starting with
 * one are known to have no options.
 */
bool hostfile_is_foreign_key_type(const char *name, size_t n);

/* ---- whole-content transforms for ssh-keygen -R / -F / -H ---- */

/* One line that matched (-R: removed; -F: found). */
struct hostfile_hit {
	size_t line;                 /* 1-based line number in the input */
	enum hostfile_marker marker; /* for -F's " CA" / " REVOKED" note */
	size_t off, len;             /* -F: this hit's output in out */
};

struct hostfile_result {
	/* -R, -H: the new file content. -F: the text to print, one or more
	 * '\n'-terminated lines per hit (see hits[i].off/len). */
	struct buf out;
	struct hostfile_hit *hits; /* owned array */
	size_t nhits;
	/* Lines that are neither comments nor valid entries (kept verbatim;
	 * ssh-keygen -H and -R refuse to replace a file that has any). */
	size_t *invalid; /* owned array of 1-based line numbers */
	size_t ninvalid;
	/* -H: lines left unhashed because their hosts field holds a
	 * wildcard or negation ("ignoring host name with wildcard"). */
	size_t *wild; /* owned array of 1-based line numbers */
	size_t nwild;
	/* -H: at least one name was hashed (the old file held plain
	 * names: "WARNING: ... contains unhashed entries"). */
	bool hashed_some;
};

/* Frees what a result owns and zeroes it; NULL-safe. A zeroed struct is
 * a valid empty result. */
void hostfile_result_clear(struct hostfile_result *r);

/*
 * Lines are separated by '\n'; output lines always end with '\n' (so a
 * missing final newline is added) and are otherwise copied byte for byte.
 * Line matching uses the lookup name name[0..n) as given (e.g.
 * "[host]:2222"). Lines whose key type sesh does not implement but OpenSSH
 * knows (ssh-dss, sk-*, *-cert-v01@openssh.com) count as valid entries.
 * As in ssh-keygen, a malformed hashed name makes its line invalid for
 * -R and -F, while -H keeps it verbatim without complaint. Each returns 0,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT (input or output over
 * SESH_MAX_WRITER), SESH_ERR_CRYPTO or SESH_ERR_NOMEM; *res is zeroed on entry
 * and filled only on success.
 */

/* -R: drops every entry without a marker that matches name (positively);
 * @revoked and @cert-authority lines are kept, as ssh-keygen does. */
int hostfile_remove_host(const uint8_t *content, size_t n, const char *name,
                         size_t namelen, struct hostfile_result *res);
/* -F: collects the matching entries (markers included); with hash, each
 * plain hit is printed as -H would rewrite it. ssh-keygen -F ignores
 * invalid lines (they are still listed in res->invalid). */
int hostfile_find_host(const uint8_t *content, size_t n, const char *name,
                       size_t namelen, bool hash, struct hostfile_result *res);
/* -H: replaces each plain line without a marker or wildcard by one line
 * per host name, "<hashed lowercased name> <rest of the line>"; comments,
 * hashed, marked, wildcard and invalid lines are kept verbatim. Empty
 * names in a list ("a,,b") are skipped. */
int hostfile_hash_content(const uint8_t *content, size_t n,
                          struct hostfile_result *res);

#endif
