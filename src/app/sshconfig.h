/*
 * sshconfig.h - the client's configuration: ssh_config(5) files and
 * "-o" options, resolved into struct client_opts (app/client.h).
 *
 * Contract, following OpenSSH's ssh:
 *  - Sources are read in order: "-o" options (sshconfig_option), then
 *    the -F file alone, or ~/.ssh/config then /etc/ssh/ssh_config
 *    (sshconfig_read_all). For each setting the first value obtained
 *    wins; IdentityFile and SendEnv accumulate. Values given directly
 *    on the command line (-p, -l, -i, -c, ...) are stored by the
 *    program in the fields below before the files are read.
 *  - Host lines match the host as typed (ASCII case folded) with
 *    wildcards and '!' (key/match.h); Match supports all, host,
 *    originalhost, user, localuser, canonical and final (true only in
 *    the final pass, which is run when one was seen), each optionally
 *    negated; exec and localnetwork are errors ("not supported").
 *    Include takes globs; relative names are under ~/.ssh (user files)
 *    or /etc/ssh (system files); nesting is limited to
 *    SSHCONFIG_MAX_DEPTH; missing files are skipped silently.
 *  - Values are checked even inside blocks that do not apply. Every
 *    bad line is reported as ssh reports it ("FILE: line N: Bad
 *    configuration option: foo", "FILE line N: Bad port 'x'.", ...)
 *    and counted; after the file, "FILE: terminating, N bad
 *    configuration options" is reported and the read fails with
 *    SESH_ERR_INVALID_FORMAT (the program exits 255). Keywords OpenSSH
 *    knows that sesh does not implement are accepted (a debug line);
 *    IgnoreUnknown patterns silence unknown ones.
 *  - Messages go to c->report (one line, no "\n") or stderr when NULL.
 *  - Algorithm lists keep the raw spec; sshconfig_resolve applies the
 *    "+" (append), "-" (remove, wildcards allowed) and "^" (prepend)
 *    modifiers against the engine defaults (ssh/transport.h), drops
 *    names OpenSSH knows but sesh does not implement, and removes
 *    duplicates. Unknown names are rejected when read.
 *  - Fields: strings and lists are owned (free with sshconfig_clear);
 *    "unset" is NULL for pointers and SSHCONFIG_UNSET for numbers.
 */
#ifndef SESH_APP_SSHCONFIG_H
#define SESH_APP_SSHCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app/client.h"

#define SSHCONFIG_UNSET       (-0x7fffffff)
#define SSHCONFIG_MAX_DEPTH   16  /* Include nesting, as ssh */
#define SSHCONFIG_MAX_LIST    256 /* identity files, SendEnv, ... */
#define SSHCONFIG_MAX_FILE    (4u * 1024u * 1024u) /* one config file */
#define SSHCONFIG_SYSTEM_FILE "/etc/ssh/ssh_config"
#define SSHCONFIG_SYSTEM_DIR  "/etc/ssh"

enum sshconfig_alg {
	SSHCONFIG_ALG_KEX = 0,
	SSHCONFIG_ALG_CIPHERS,
	SSHCONFIG_ALG_MACS,
	SSHCONFIG_ALG_HOSTKEY,
	SSHCONFIG_ALG_PUBKEY,
	SSHCONFIG_ALG_COUNT,
};

/* Where a file came from: decides where relative Include names go and
 * whether "~" is expanded in them. */
enum sshconfig_origin {
	SSHCONFIG_USER = 0,
	SSHCONFIG_SYSTEM,
};

/* A "NULL-terminated owned string array" with a count. */
struct sshconfig_list {
	char **v; /* n strings then NULL; NULL when empty */
	size_t n;
};

struct sshconfig {
	/* ---- context (sshconfig_init) ---- */
	char *host_arg;    /* the destination host as typed */
	char *local_user;  /* login name of the real uid */
	char *home;        /* home directory */
	char *user_dir;    /* where relative user Includes go (~/.ssh) */
	char *system_dir;  /* where relative system Includes go */
	char *user_file;   /* ~/.ssh/config */
	char *system_file; /* /etc/ssh/ssh_config (tests point elsewhere) */
	char *config_file; /* -F file, or NULL */
	void (*report)(void *arg, const char *line);
	void *report_arg;
	bool no_include; /* fuzzing: Include lines checked, not followed */
	/* parse state */
	bool final_pass; /* Match final / canonical are true */
	bool want_final; /* one of them was seen */

	/* ---- values (first obtained wins) ---- */
	char *hostname; /* HostName, raw (%h and %% expanded later) */
	char *user;
	int port;
	struct sshconfig_list identity_files; /* raw, accumulated */
	int identities_only;                  /* bool */
	char *identity_agent;
	int batch_mode;                           /* bool */
	int strict;                               /* enum hostkeys_strict */
	struct sshconfig_list user_known_hosts;   /* raw; n == 0: unset */
	struct sshconfig_list global_known_hosts; /* raw; n == 0: unset */
	int hash_known_hosts;                     /* bool */
	int update_host_keys;                     /* enum client_uhk */
	char *host_key_alias;
	char *algs[SSHCONFIG_ALG_COUNT]; /* raw specs ("+x", "-y*", ...) */
	char *preferred_auth;
	int password_auth; /* bool */
	int pubkey_auth;   /* bool */
	int kbdint_auth;   /* bool */
	int password_prompts;
	int connect_timeout; /* seconds, 0: none */
	int server_alive_interval;
	int server_alive_count_max;
	int request_tty;                /* enum client_tty */
	struct sshconfig_list send_env; /* accumulated patterns */
	struct sshconfig_list set_env;  /* first line wins */
	bool set_env_set;
	int escape_char;     /* char, CLIENT_ESCAPE_NONE */
	int log_level;       /* enum log_level */
	char *proxy_command; /* raw (tokens expanded later); "none" */
	char *proxy_jump;    /* raw; "none" */
	int64_t rekey_bytes; /* -1 unset; 0: default */
	int rekey_seconds;   /* 0: none */
	int address_family;  /* AF_UNSPEC, AF_INET, AF_INET6 */
	char *ignore_unknown;
	/* command line only */
	bool identities_cmdline; /* -i given */
};

/*
 * Sets up c for the destination host_arg (as typed; NULL allowed for
 * parsing only) with the current user's name and home. The default
 * file locations are ~/.ssh/config and SSHCONFIG_SYSTEM_FILE. Returns 0,
 * SESH_ERR_NOMEM or SESH_ERR_NOT_FOUND (no user name or home); c is
 * cleared on error.
 */
int sshconfig_init(struct sshconfig *c, const char *host_arg);
/* Frees everything c owns and zeroes it; NULL-safe. */
void sshconfig_clear(struct sshconfig *c);

/*
 * One "-o" option ("Keyword value" or "Keyword=value"), reported as
 * "command-line line 0". Host, Match and Include are refused as ssh
 * refuses them there. Returns 0 or SESH_ERR_INVALID_FORMAT (reported).
 */
int sshconfig_option(struct sshconfig *c, const char *opt);

/*
 * Parses config text p[0..n) named name (for messages) at Include
 * depth 0. Returns 0, SESH_ERR_INVALID_FORMAT (bad lines, reported),
 * SESH_ERR_NOMEM.
 */
int sshconfig_parse_buffer(struct sshconfig *c, const char *name, const char *p,
                           size_t n, enum sshconfig_origin origin);

/*
 * Reads one file. A missing file is fine (0) unless required (then
 * "Can't open user config file PATH: REASON", SESH_ERR_NOT_FOUND).
 * User files must not be writable by others ("Bad owner or
 * permissions on PATH", SESH_ERR_INVALID_FORMAT). Errors as
 * sshconfig_parse_buffer plus SESH_ERR_SYSTEM, SESH_ERR_LIMIT.
 */
int sshconfig_read_file(struct sshconfig *c, const char *path,
                        enum sshconfig_origin origin, bool required);

/*
 * Reads the files in ssh's order: c->config_file alone when set ("none"
 * reads nothing), otherwise c->user_file then c->system_file; then, if
 * Match final/canonical was seen, again in a final pass with the Host
 * name set to the resolved HostName. Errors as sshconfig_read_file.
 */
int sshconfig_read_all(struct sshconfig *c);

/*
 * Stores an algorithm spec given on the command line (-c, -m) or a
 * file: checks the names ("+", "-", "^" allowed). Returns 0 or
 * SESH_ERR_INVALID_ARGUMENT (an unknown name; nothing reported).
 */
int sshconfig_algs_check(enum sshconfig_alg cat, const char *spec);

/*
 * Applies spec (NULL: the defaults) to the engine defaults of cat as
 * described above; *out is a fresh comma-separated list. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (nothing left, or an unknown name) or
 * SESH_ERR_NOMEM.
 */
int sshconfig_algs_resolve(enum sshconfig_alg cat, const char *spec,
                           char **out);

/*
 * An escape character as EscapeChar and ssh -e take it: one character,
 * "^X" (a control character, X in 64..127), or "none" (folded when
 * fold_none, as the configuration keyword is read) for
 * CLIENT_ESCAPE_NONE. Returns 0 or SESH_ERR_INVALID_ARGUMENT (*out 0).
 */
int sshconfig_escape_parse(const char *s, bool fold_none, int *out);

/*
 * RekeyLimit arguments: a size ("default", "none" -> 0, or a number with
 * an optional fraction and K, M, G or T suffix, at least 16 when not 0)
 * and an optional interval (NULL, "default", "none" -> 0, or a time
 * like "1h30m"). Returns 0, SESH_ERR_LIMIT (a size below 16) or
 * SESH_ERR_INVALID_ARGUMENT.
 */
int sshconfig_parse_rekey(const char *size, const char *interval,
                          int64_t *bytes, int *seconds);
/* ssh's time format: "90", "1h30m", "2d" (s, m, h, d, w; case folded).
 * Returns 0 or SESH_ERR_INVALID_ARGUMENT (also on overflow). */
int sshconfig_parse_time(const char *s, int *out);

/* Tokens for sshconfig_expand; NULL values make the token an error. */
struct sshconfig_tokens {
	const char *h; /* remote host name */
	const char *n; /* host as typed */
	const char *p; /* port */
	const char *r; /* remote user */
	const char *u; /* local user */
	const char *d; /* local home */
	const char *l; /* local host name */
	const char *L; /* local host name, first component */
	const char *i; /* local uid */
	const char *k; /* host key alias, else the host name */
	/* %C: %l%h%p%r, hashed into C_buf (41 bytes, "" until then) the first
	 * time %C is expanded, by sshconfig_expand (which writes C_buf
	 * although t is const): most runs never need it, and the first
	 * digest is what starts libcrypto up (sesh connects first) */
	const char *C_src;
	char *C_buf;
	const char *j; /* ProxyJump */
};

/*
 * Expands "%x" tokens in s (only the letters in allowed, plus "%%");
 * with tilde, a leading "~" first (paths_expand_tilde). *out is fresh.
 * Returns 0, SESH_ERR_INVALID_ARGUMENT (unknown or disallowed token, a
 * lone '%'; the caller reports it), SESH_ERR_LIMIT (over 1 MiB),
 * SESH_ERR_CRYPTO (%C's digest failed) or SESH_ERR_NOMEM.
 */
int sshconfig_expand(const char *s, const struct sshconfig_tokens *t,
                     const char *allowed, bool tilde, char **out);

/* The resolved configuration: client options plus what backs them. */
struct sshconfig_out {
	struct client_opts opts; /* points into the fields below */
	char *host;
	char *user;
	char *algs[SSHCONFIG_ALG_COUNT];
	struct sshconfig_list identities; /* expanded */
	struct sshconfig_list user_kh;    /* expanded */
	struct sshconfig_list global_kh;
	char *identity_agent;
	char *proxy_command;
	char *host_key_alias;
	char *preferred_auth;
	struct sshconfig_list send_env;
	struct sshconfig_list set_env;
	unsigned int port;
	const struct sshconfig *src; /* for sshconfig_dump */
};

/*
 * Fills *out from c: defaults for what is unset, HostName and every
 * path with its tokens expanded, algorithm lists resolved, ProxyJump
 * turned into a ProxyCommand running self (this program's absolute
 * path) as "self -W '[%h]:%p' [-l user] [-p port] [-F file] [-J rest]
 * host". Session fields (command, tty, ...) are left for the program.
 * Errors are reported; returns 0, SESH_ERR_INVALID_ARGUMENT or
 * SESH_ERR_NOMEM. out is cleared on entry (sshconfig_out_clear).
 */
int sshconfig_resolve(const struct sshconfig *c, const char *self,
                      struct sshconfig_out *out);
void sshconfig_out_clear(struct sshconfig_out *out);

/* Prints the resolved configuration as "ssh -G" does (lower-case
 * keyword, value; one per line). Returns 0 or SESH_ERR_SYSTEM. */
int sshconfig_dump(const struct sshconfig_out *out, FILE *f);

/* Appends a copy of s to l (bounded by SSHCONFIG_MAX_LIST). Returns 0,
 * SESH_ERR_LIMIT or SESH_ERR_NOMEM. */
int sshconfig_list_add(struct sshconfig_list *l, const char *s);
void sshconfig_list_clear(struct sshconfig_list *l);

/* Reports one formatted line through c->report (or stderr). */
void sshconfig_report(const struct sshconfig *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
