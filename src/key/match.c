/*
 * match.c - glob patterns ('*', '?') and negatable pattern lists, with
 * OpenSSH's semantics (see match.h for the contract).
 *
 * The glob matcher is the classic greedy scan: on a '*' remember where the
 * pattern resumes and which name byte the star has swallowed up to; on a
 * mismatch let the most recent star swallow one more byte and retry. With
 * only '*' and '?' this backtracking to the last star alone is complete,
 * and it bounds the work by len(name) * len(pattern).
 */
#include "key/match.h"

static unsigned char
fold(unsigned char c, bool fold_case)
{
	if (fold_case && c >= 'A' && c <= 'Z') {
		return (unsigned char)(c - 'A' + 'a');
	}
	return c;
}

bool
match_pattern(const char *name, size_t n, const char *pat, size_t m,
              bool fold_case)
{
	size_t i = 0, j = 0;
	size_t star_j = 0, star_i = 0;
	bool have_star = false;

	if ((name == NULL && n != 0) || (pat == NULL && m != 0)) {
		return false;
	}
	while (i < n) {
		if (j < m && pat[j] == '*') {
			have_star = true;
			star_j = ++j;
			star_i = i;
			continue;
		}
		if (j < m && (pat[j] == '?' ||
		              fold((unsigned char)pat[j], fold_case) ==
		                  fold((unsigned char)name[i], fold_case))) {
			i++;
			j++;
			continue;
		}
		if (!have_star) {
			return false;
		}
		/* Let the last star absorb one more byte, retry after it. */
		i = ++star_i;
		j = star_j;
	}
	/* Name consumed: only stars may remain in the pattern. */
	while (j < m && pat[j] == '*') {
		j++;
	}
	return j == m;
}

enum match_result
match_pattern_list(const char *name, size_t n, const char *list, size_t m,
                   bool fold_case)
{
	size_t start = 0, end;
	bool positive = false;

	if (list == NULL) {
		return MATCH_NONE;
	}
	while (start <= m) {
		size_t ps, pl;
		bool negated = false;

		for (end = start; end < m && list[end] != ','; end++) {
		}
		ps = start;
		pl = end - start;
		if (pl > 0 && list[ps] == '!') {
			negated = true;
			ps++;
			pl--;
		}
		if (pl > 0 &&
		    match_pattern(name, n, list + ps, pl, fold_case)) {
			if (negated) {
				return MATCH_NEGATED;
			}
			positive = true;
		}
		start = end + 1;
	}
	return positive ? MATCH_POSITIVE : MATCH_NONE;
}

bool
match_has_wildcard(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '*' || s[i] == '?' || s[i] == '!') {
			return true;
		}
	}
	return false;
}
