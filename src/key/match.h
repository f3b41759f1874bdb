/*
 * match.h - OpenSSH-style patterns and pattern lists, as used in
 * known_hosts host fields, authorized_keys from="..." and ssh_config Host
 * lines (ssh_config(5) PATTERNS).
 *
 * A pattern is literal bytes plus two wildcards: '*' matches any run of
 * bytes (possibly empty), '?' exactly one byte. There is no escape
 * character. A pattern list is a comma-separated list of patterns, each
 * optionally preceded by '!' (negation). A list matches a name when some
 * non-negated pattern matches it and no negated pattern does: a negated
 * match wins over everything and never yields a positive result by itself.
 *
 * Matching is linear in practice (greedy with single backtrack point per
 * '*', worst case O(len(name) * len(pattern))), so hostile patterns cannot
 * make it hang. All functions are pure and never fail.
 */
#ifndef SESH_KEY_MATCH_H
#define SESH_KEY_MATCH_H

#include <stdbool.h>
#include <stddef.h>

enum match_result {
	MATCH_NONE = 0,     /* no pattern matched */
	MATCH_POSITIVE = 1, /* a pattern matched and no negated one did */
	MATCH_NEGATED = 2,  /* a negated pattern matched */
};

/*
 * Does name[0..n) match pattern pat[0..m) ('*' and '?')? With fold_case,
 * ASCII letters compare case-insensitively (host names). A '!' in pat is
 * an ordinary byte here.
 */
bool match_pattern(const char *name, size_t n, const char *pat, size_t m,
                   bool fold_case);

/*
 * Matches name[0..n) against the comma-separated list[0..m) with negation
 * as described above. Empty list elements ("a,,b", "!") match nothing.
 */
enum match_result match_pattern_list(const char *name, size_t n,
                                     const char *list, size_t m,
                                     bool fold_case);

/* Does s[0..n) contain a wildcard or negation byte ('*', '?', '!')? */
bool match_has_wildcard(const char *s, size_t n);

#endif
