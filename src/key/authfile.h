/*
 * authfile.h - authorized_keys lines (sshd(8) "AUTHORIZED_KEYS FILE
 * FORMAT"): an optional options field, then "keytype base64 [comment]".
 *
 *   [options] keytype base64 [comment]
 *
 * The options field is a comma-separated list without spaces except
 * inside double quotes; a quoted value may contain \" for a quote (any
 * other backslash is kept as is). Option keywords are case-insensitive.
 * As sshd does, a line has no options when its first word is a key type
 * name; otherwise the first word (up to a space or tab outside quotes) is
 * the options field. Any unknown or malformed option rejects the whole
 * line ("bad options"). Blank lines and '#' lines are comments.
 *
 * Pure functions: the caller reads the file, checks from=/expiry/etc.
 * against the connection, and logs *why.
 */
#ifndef SESH_KEY_AUTHFILE_H
#define SESH_KEY_AUTHFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "key/key.h"

#define AUTHKEY_PORT_ANY (-1)        /* "*" in permitopen/permitlisten */
#define AUTHKEY_TUN_ANY  0x7fffffffu /* tunnel="any" (OpenSSH's value) */
#define AUTHKEY_TUN_MAX  (AUTHKEY_TUN_ANY - 2)
#define AUTHKEY_MAX_LIST 4096u /* environment/permit* entries per line */

/* One permitopen="host:port" or permitlisten="[host:]port" value. */
struct authkey_hostport {
	char *host; /* owned; "[v6]" brackets removed; NULL: no host given
	               (permitlisten only) */
	int port;   /* 1..65535 or AUTHKEY_PORT_ANY */
};

struct authkey_opts {
	bool restricted; /* "restrict" was given */
	/* Permissions; all true by default, "restrict" clears them all and
	 * options apply left to right ("restrict,pty" allows a pty). */
	bool permit_port_forwarding;
	bool permit_agent_forwarding;
	bool permit_x11_forwarding;
	bool permit_pty;
	bool permit_user_rc;
	bool cert_authority;
	bool no_require_user_presence; /* no-touch-required */
	bool require_verify;           /* verify-required */
	char *force_command;           /* command="..." (owned) or NULL */
	char *from;                    /* from="pattern-list" (owned) or NULL */
	char *principals;              /* principals="..." (owned) or NULL */
	char **env;                    /* environment="NAME=value", owned; */
	size_t nenv;                   /* the first of a name wins */
	struct authkey_hostport *permitopen; /* owned array */
	size_t npermitopen;
	struct authkey_hostport *permitlisten; /* owned array */
	size_t npermitlisten;
	bool has_tunnel;
	uint32_t tunnel; /* 0..AUTHKEY_TUN_MAX or AUTHKEY_TUN_ANY */
	/* expiry-time: seconds since the epoch (UTC) after which the key is
	 * refused; 0 = none. Several: the earliest. A time without 'Z' is
	 * local time (converted with mktime, as sshd does). */
	int64_t expiry;
};

enum authfile_line_kind {
	AUTHFILE_LINE_COMMENT = 0, /* blank or '#': nothing else is set */
	AUTHFILE_LINE_ENTRY,
};

struct authkey_entry {
	enum authfile_line_kind kind;
	bool has_options; /* an options field was present */
	struct authkey_opts opts;
	struct sshkey *key; /* owned; its comment holds the line's comment */
};

/* Sets the defaults (no options: everything permitted, nothing owned). */
void authfile_opts_init(struct authkey_opts *o);
/* Frees what o owns and resets it to the defaults; NULL-safe. */
void authfile_opts_clear(struct authkey_opts *o);

/*
 * Parses an options field s[0..n) (no surrounding spaces) into *out,
 * which is initialised here. Returns 0, SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_INVALID_FORMAT (bad options; *why, if why is non-NULL, gets a
 * static reason such as "unknown key option"), SESH_ERR_LIMIT or
 * SESH_ERR_NOMEM. On error *out holds the defaults and owns nothing.
 */
int authfile_parse_options(const char *s, size_t n, struct authkey_opts *out,
                           const char **why);

/*
 * Parses one authorized_keys line line[0..n) (a trailing "\n" or "\r\n"
 * is allowed). A comment line returns 0 with kind AUTHFILE_LINE_COMMENT.
 * Errors: SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT (over SESH_MAX_LINE),
 * SESH_ERR_INVALID_FORMAT (bad options, with *why; missing key; NUL
 * byte), SESH_ERR_KEY_TYPE_UNKNOWN (a key type sesh does not handle),
 * the key parser's errors, SESH_ERR_NOMEM. *why is NULL unless a reason is
 * known. On success *out owns its options and key (authfile_entry_clear);
 * on error it is zeroed with default options.
 */
int authfile_parse_line(const char *line, size_t n, struct authkey_entry *out,
                        const char **why);
/* Frees what the entry owns and zeroes it; NULL-safe. */
void authfile_entry_clear(struct authkey_entry *e);

/*
 * from="pattern-list" (also the host part of sshd_config's AllowUsers /
 * DenyUsers user@host patterns): may a client at the numeric address addr
 * (IPv4 or IPv6; NULL: unknown, which never matches) whose host name is
 * host (NULL: use addr, as with UseDNS no) connect? Entries are
 * comma-separated, each optionally negated with '!'. An entry that is an
 * address or an address/masklen block ("192.168.0.0/16", "2001:db8::/32")
 * is compared with addr; any other entry is a wildcard pattern ('*', '?')
 * matched against addr and, case-insensitively, against host. A negated
 * match on either denies; otherwise a positive match on either allows.
 * Returns 0 with *ok, SESH_ERR_INVALID_FORMAT (an empty entry or a block
 * with bits set beyond its mask length, e.g. "10.0.0.1/8": the list is
 * refused, *ok false) or SESH_ERR_INVALID_ARGUMENT.
 */
int authfile_match_from(const char *patterns, const char *host,
                        const char *addr, bool *ok);

#endif
