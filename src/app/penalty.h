/*
 * penalty.h - seshd's per-source penalties (sshd_config(5)
 * PerSourcePenalties, PerSourcePenaltyExemptList, PerSourceNetBlockSize,
 * in the spirit of OpenSSH 9.8), and the netblock arithmetic that
 * PerSourceMaxStartups shares. Pure: no I/O, no clock, no RNG; the
 * listener passes the time (milliseconds of a monotonic clock) and a
 * hash seed in.
 *
 * Model. Sources are grouped into netblocks (the address with only its
 * first bits4 / bits6 bits kept). When a connection process ends in a
 * way that looks like an attack, the listener records a penalty of that
 * kind against its netblock: the netblock's penalty end moves to
 * now + duration, or, while a penalty is still running, grows by the
 * duration, never beyond now + max. A penalty is enforced (connections
 * from the netblock are refused) only once it has reached min seconds
 * at some point; once enforced it stays so until it ends. Connections in
 * progress are never affected. Exempt addresses are neither recorded
 * nor refused.
 *
 * The table keeps at most max_sources4 IPv4 and max_sources6 IPv6
 * netblocks (penalties below min count too). When a new netblock does
 * not fit, expired entries are dropped first; if the family is still
 * full, overflow "permissive" forgets the penalty that ends soonest to
 * make room, "deny-all" refuses every non-exempt connection of that
 * family until some penalty of it ends.
 *
 * Lookups are a hash table keyed with a seed the caller draws at random,
 * so a flood of chosen source addresses cannot degrade it.
 */
#ifndef SESH_APP_PENALTY_H
#define SESH_APP_PENALTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Why a connection process ended, as far as penalties care. */
enum penalty_kind {
	PENALTY_CRASH = 0,   /* killed by a signal, or an unknown status */
	PENALTY_AUTHFAIL,    /* failed authentication attempts */
	PENALTY_INVALIDUSER, /* attempts for a user that does not exist */
	PENALTY_NOAUTH,      /* closed without authenticating */
	PENALTY_GRACE,       /* LoginGraceTime exceeded */
	PENALTY_NKINDS,
};

enum penalty_overflow {
	PENALTY_OVERFLOW_PERMISSIVE = 0,
	PENALTY_OVERFLOW_DENY_ALL = 1,
};

/* Ceilings of the configurable values (checked by servconf). */
#define PENALTY_MAX_SOURCES_LIMIT (1u << 24)
#define PENALTY_MAX_EXEMPT        4096u /* elements of the exempt list */

/* PerSourcePenalties, values in seconds. */
struct penalty_conf {
	bool enabled;
	int duration[PENALTY_NKINDS];    /* crash 90, authfail 5, invaliduser
	                                    5, noauth 1, grace-exceeded 20 */
	int max;                         /* 600 */
	int min;                         /* 15 */
	unsigned int max_sources4;       /* 65536 */
	unsigned int max_sources6;       /* 65536 */
	enum penalty_overflow overflow4; /* permissive */
	enum penalty_overflow overflow6; /* overflow4 unless given */
};

/* OpenSSH 9.8's defaults (enabled). */
void penalty_conf_default(struct penalty_conf *pc);
/* The sub-keyword of a kind ("crash", "authfail", ...). */
const char *penalty_kind_name(enum penalty_kind k);
/* sshd's words for why a source is refused ("failed authentication"). */
const char *penalty_kind_reason(enum penalty_kind k);
/*
 * `sshd -T`'s value: "no", or "crash:90 authfail:5 ... overflow6:permissive"
 * (seconds, no unit). Always NUL-terminates when n > 0; returns
 * SESH_ERR_LIMIT when it did not fit.
 */
int penalty_conf_format(const struct penalty_conf *pc, char *buf, size_t n);

/* A source address: family 4 or 6, the address in network order (IPv4
 * in a[0..4)). */
struct penalty_addr {
	uint8_t family;
	uint8_t a[16];
};

/* From a socket address; an IPv4-mapped IPv6 address becomes IPv4.
 * Returns 0 or SESH_ERR_INVALID_ARGUMENT (not AF_INET/AF_INET6). */
int penalty_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
                               struct penalty_addr *out);
/* A numeric address ("192.0.2.1", "2001:db8::1"). Returns 0 or
 * SESH_ERR_INVALID_ARGUMENT. */
int penalty_addr_parse(const char *s, struct penalty_addr *out);
/* Is a inside the same netblock as b (first bits4 / bits6 bits)? */
bool penalty_same_block(const struct penalty_addr *a,
                        const struct penalty_addr *b, unsigned int bits4,
                        unsigned int bits6);

/*
 * PerSourcePenaltyExemptList: a comma-separated list of addresses, CIDR
 * "addr/bits" ranges (no bits set past the mask) and wildcard patterns
 * ('*', '?', matched against the numeric form), each optionally negated
 * with '!'. An address is exempt when some plain element matches and no
 * negated one does. Returns 0 (*out fresh, owned by the caller:
 * penalty_exempt_free), SESH_ERR_INVALID_ARGUMENT (*why says what), or
 * SESH_ERR_LIMIT / SESH_ERR_NOMEM. *out is NULL on error.
 */
struct penalty_exempt;
int penalty_exempt_parse(const char *list, size_t n,
                         struct penalty_exempt **out, const char **why);
bool penalty_exempt_match(const struct penalty_exempt *ex,
                          const struct penalty_addr *a);
void penalty_exempt_free(struct penalty_exempt *ex);

/*
 * The table. penalty_table_new copies pc; exempt_list may be NULL (none)
 * and must be valid (penalty_exempt_parse). bits4 <= 32, bits6 <= 128.
 * Returns 0, SESH_ERR_INVALID_ARGUMENT or SESH_ERR_NOMEM.
 */
struct penalty_table;
int penalty_table_new(const struct penalty_conf *pc, const char *exempt_list,
                      unsigned int bits4, unsigned int bits6, uint64_t seed,
                      struct penalty_table **out);
void penalty_table_free(struct penalty_table *t);

/* What penalty_record did. */
enum penalty_outcome {
	PENALTY_IGNORED = 0, /* disabled, exempt, or a zero duration */
	PENALTY_DEFERRED,    /* recorded, below min: not enforced yet */
	PENALTY_ACTIVE,      /* recorded and enforced */
	PENALTY_OVERFLOWED,  /* table full (deny-all): not recorded */
};

/*
 * Records a penalty of kind against a's netblock at now_ms. *secs (may
 * be NULL) gets the whole seconds the netblock's penalty now lasts. Returns an
 * enum penalty_outcome (never fails: without memory, the penalty is
 * treated as an overflow of the family's table).
 */
enum penalty_outcome penalty_record(struct penalty_table *t,
                                    const struct penalty_addr *a,
                                    enum penalty_kind kind, int64_t now_ms,
                                    int *secs);

/*
 * May a connection from a be accepted at now_ms? false when its
 * netblock's penalty is enforced (*reason: penalty_kind_reason of the
 * last kind recorded) or its family's table overflowed under deny-all
 * (*reason "too many penalised sources"). reason may be NULL.
 */
bool penalty_check(struct penalty_table *t, const struct penalty_addr *a,
                   int64_t now_ms, const char **reason);

/* Netblocks tracked now (tests, -d logs). */
size_t penalty_count(const struct penalty_table *t, int family);

/* Is the table enforcing anything at all (enabled)? */
bool penalty_enabled(const struct penalty_table *t);

#endif
