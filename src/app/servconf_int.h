/*
 * servconf_int.h - internals shared by the servconf*.c files (not for
 * other modules): value parsers and the Match-criteria evaluator.
 *
 * Value parsers are pure and return 0 or SESH_ERR_INVALID_ARGUMENT (a
 * few SESH_ERR_NOMEM); outputs are set only on success.
 */
#ifndef SESH_APP_SERVCONF_INT_H
#define SESH_APP_SERVCONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/servconf.h"
#include "base/mem.h"
#include "base/cfgtok.h"

/* Which algorithm list a keyword names (for + - ^ and validation). */
enum sc_alg {
	SC_ALG_KEX = 0,
	SC_ALG_CIPHER,
	SC_ALG_MAC,
	SC_ALG_HOSTKEY,
	SC_ALG_PUBKEY,
};

/* sshd's time format: "90", "2m", "1h30m", "1w2d" (s m h d w, any case).
 * Result bounded to INT_MAX seconds. */
int sc_parse_time(const char *s, int *out);
/* "yes"/"no" (case folded). */
int sc_parse_flag(const char *s, int *out);
/* A decimal integer in [min, max]; *why says "invalid", "too small" or
 * "too large" on failure. */
int sc_parse_int(const char *s, long long min, long long max, long long *out,
                 const char **why);
/* A port 1..65535. */
int sc_parse_port(const char *s, unsigned int *out);
/* RekeyLimit's byte count: digits with an optional K/M/G suffix, or
 * "default" (0). */
int sc_parse_bytes(const char *s, uint64_t *out);
/* "start" or "start:rate:full". */
int sc_parse_maxstartups(const char *s, int *begin, int *rate, int *full);
/*
 * PerSourcePenalties arguments: "no" alone, or "yes" and/or sub-keywords
 * crash: authfail: invaliduser: noauth: grace-exceeded: max: min: (sshd
 * time format), max-sources4: max-sources6: (1..PENALTY_MAX_SOURCES_LIMIT),
 * overflow: overflow6: (deny-all | permissive). *out gets the defaults
 * (penalty_conf_default) with the given values over them; overflow6
 * follows overflow unless given. *why names the bad argument's problem.
 */
int sc_parse_penalties(char *const *args, size_t n, struct penalty_conf *out,
                       const char **why);
/* PerSourceNetBlockSize: "v4" or "v4:v6" (0..32, 0..128; v6 128 when
 * not given). */
int sc_parse_netblock(const char *s, int *v4, int *v6);
/*
 * ListenAddress argument: "host", "host:port", "[host]:port", "[host]",
 * a bare IPv6 address. *host is a fresh string (NULL for nothing before
 * the port is not allowed: always set); *port 0 when none given.
 */
int sc_parse_listen(const char *s, char **host, unsigned int *port);
/*
 * Resolves an algorithm list spec against the defaults: "a,b" (patterns
 * match the supported names), "+a,b" (append), "-a*" (remove), "^a,b"
 * (put first). Unknown names are an error. *out fresh.
 */
int sc_alg_list(enum sc_alg which, const char *spec, char **out);
/* The default list of a family. */
const char *sc_alg_default(enum sc_alg which);

/*
 * Does addr (numeric) match a Match Address list: comma-separated
 * elements, each optionally "!"-negated, each an address, a CIDR
 * "a.b.c.d/n" / "v6/n" or a wildcard pattern. Returns 1 (match), 0 (no
 * match), or SESH_ERR_INVALID_ARGUMENT (a malformed element; addr may be
 * NULL to only validate).
 */
int sc_addr_match_list(const char *addr, const char *list);

/* Is the list of AuthenticationMethods entries valid ("any" alone, each
 * entry a comma list of publickey, password, keyboard-interactive[:x],
 * none is not allowed)? */
int sc_check_auth_methods(char *const *v, size_t n, const char **why);

/* ---- shared by servconf.c and servconf_parse.c ------------------------ */

#define SC_MAX_DEPTH    16         /* Include nesting */
#define SC_MAX_FILE     (4u << 20) /* one config file, bytes */
#define SC_MAX_LIST     4096u      /* entries in one list keyword */
#define SC_CMDLINE_NAME "command-line"
#define SC_NKW          192u /* keyword table capacity */

enum kt {
	KT_FLAG,    /* int yes/no */
	KT_BOOL,    /* bool yes/no (TCPKeepAlive) */
	KT_INT,     /* int in [min, INT_MAX] */
	KT_TIME,    /* int seconds, sshd time format */
	KT_STR,     /* char *, one argument */
	KT_STRNONE, /* char *, "none" -> NULL */
	KT_JOIN,    /* char *, the rest of the line joined by spaces */
	KT_ARGV,    /* char **, the arguments of the first line */
	KT_ACCUM,   /* char **, every line's arguments appended */
	KT_ALG,     /* char *, resolved algorithm list */
	KT_PORT,
	KT_LISTEN,
	KT_AF,
	KT_LOGLEVEL,
	KT_FACILITY,
	KT_MAXSTARTUPS,
	KT_REKEY,
	KT_ROOT,
	KT_AUTHMETHODS,
	KT_SUBSYSTEM,
	KT_TCPFWD,
	KT_PENALTIES,     /* PerSourcePenalties (app/penalty.h) */
	KT_EXEMPT,        /* PerSourcePenaltyExemptList */
	KT_PSMAXSTARTUPS, /* PerSourceMaxStartups: number or none */
	KT_NETBLOCK,      /* PerSourceNetBlockSize v4[:v6] */
	KT_USER,          /* char *, an existing user without uid/gid 0
	                     (SandboxUser); "none" -> NULL */
	KT_INCLUDE,
	KT_MATCH,
	KT_IGNORE,     /* known to sshd, not implemented: debug line */
	KT_DEPRECATED, /* "Deprecated option" */
};

#define F_M    1u /* allowed inside a Match block */
#define F_NONE 2u /* a lone "none" stores NULL (KT_JOIN) */

struct kw {
	const char *name; /* lower case */
	enum kt type;
	size_t off;
	unsigned int flags;
	int arg;           /* KT_INT: minimum; KT_ALG: enum sc_alg */
	const char *alias; /* another entry's name: shares its slot */
};

#define O(f) offsetof(struct servconf, f)

extern const struct kw sc_kws[];
extern const size_t sc_nkw;

/* A stored config line (Match block bodies, -o options). */
struct sc_line {
	char *file;
	unsigned int lineno;
	char *kwraw;
	char **args; /* NULL-terminated */
	size_t nargs;
};

struct sc_block {
	struct sc_line crit; /* the Match line */
	struct sc_line *lines;
	size_t nlines;
};

struct sc_priv {
	unsigned char set[SC_NKW];
	bool cmdline_ports; /* -p / -o Port: the files' Port lines ignored */
	struct sc_block *blocks;
	size_t nblocks;
	struct sc_line *cmdline;
	size_t ncmdline;
};

enum sc_mode {
	SC_LOAD,    /* a file: Match starts a stored block */
	SC_CMDLINE, /* -o */
	SC_APPLY,   /* re-applying stored lines (Match overlay) */
};

struct sc_ctx {
	struct servconf *c;
	struct sc_priv *p;
	struct servconf_err *err;
	enum sc_mode mode;
	int depth;
	long blk;  /* index of the current Match block, -1: global */
	bool stop; /* a fatal (value) error happened */
	/* the top-level file: relative Include patterns are taken from
	 * its folder (sshd uses its fixed /etc/ssh the same way) */
	const char *topfile;
};

/* String-vector and line helpers (servconf.c). Vectors are
 * NULL-terminated; append/dup return 0, SESH_ERR_NOMEM or SESH_ERR_LIMIT. */
size_t sc_strv_len(char *const *v);
int sc_strv_append(char ***v, char *const *add, size_t n);
int sc_strv_dup(char *const *v, char ***out);
int sc_str_dup(const char *s, char **out);
char *sc_join_args(char *const *args, size_t n);
void sc_line_clear(struct sc_line *l);
int sc_line_store(struct sc_line *l, const char *file, unsigned int lineno,
                  const char *kwraw, char *const *args, size_t nargs);
void sc_priv_free(struct sc_priv *p);
/* The config's private part, created on first use (NULL: no memory). */
struct sc_priv *sc_priv_of(struct servconf *c);

/* Parsing (servconf_parse.c). */
/* Records the first error in x->err (sshd's message) and returns ret. */
int sc_fail(struct sc_ctx *x, const char *file, unsigned int lineno, int ret,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A "Bad configuration option"-class error (sshd counts those and goes
 * on): logged at once with log_error, counted in x->err->nbad, kept in
 * x->err (logged set) if it is the first. Returns
 * SESH_ERR_INVALID_ARGUMENT. */
int sc_bad_option(struct sc_ctx *x, const char *file, unsigned int lineno,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define BAD(x, file, ln, ...)                                                  \
	sc_fail((x), (file), (ln), SESH_ERR_INVALID_ARGUMENT, __VA_ARGS__)
/* The table entry of a lower-case keyword (aliases resolved), its index
 * in *idx; NULL when unknown. */
const struct kw *sc_kw_find(const char *kw, size_t *idx);
/* Checks (ci NULL) or evaluates a Match line's criteria: 1 applies, 0
 * not, SESH_ERR_INVALID_ARGUMENT with *why. */
int sc_match_eval(char *const *args, size_t n,
                  const struct servconf_conninfo *ci, const char **why);
/* One line (keyword lower-cased in kw, as written in kwraw). */
int sc_apply_line(struct sc_ctx *x, const char *file, unsigned int lineno,
                  const char *kwraw, const char *kw, char *const *args,
                  size_t nargs);
int sc_apply_tok(struct sc_ctx *x, const char *file, const char *raw,
                 size_t rawn, const struct cfgtok_line *l);
int sc_parse_text(struct sc_ctx *x, const char *file, const char *text,
                  size_t n);
int sc_load(struct sc_ctx *x, const char *path);
int *sc_fint(struct servconf *c, const struct kw *k);
char **sc_fstr(struct servconf *c, const struct kw *k);
char ***sc_fstrv(struct servconf *c, const struct kw *k);

#endif
