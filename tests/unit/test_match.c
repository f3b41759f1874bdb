/*
 * test_match.c - glob patterns and pattern lists: hand-picked cases from
 * ssh_config(5) PATTERNS and sshd(8), case folding, negation semantics,
 * a randomised comparison against fnmatch(3) (which agrees with OpenSSH
 * patterns when only '*' and '?' are used), and a pathological pattern
 * that a naive backtracking matcher would take exponential time on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fnmatch.h>

#include "key/match.h"

static bool
pm(const char *name, const char *pat)
{
	return match_pattern(name, strlen(name), pat, strlen(pat), false);
}

static enum match_result
pl(const char *name, const char *list)
{
	return match_pattern_list(name, strlen(name), list, strlen(list), true);
}

static void
test_pattern_basic(void **state)
{
	(void)state;
	assert_true(pm("a.co.uk", "*.co.uk"));
	assert_false(pm("co.uk", "*.co.uk"));
	assert_true(pm("192.168.0.7", "192.168.0.?"));
	assert_false(pm("192.168.0.10", "192.168.0.?"));
	assert_true(pm("", ""));
	assert_true(pm("", "*"));
	assert_true(pm("", "***"));
	assert_false(pm("", "?"));
	assert_false(pm("a", ""));
	assert_true(pm("abc", "a*c"));
	assert_true(pm("abbbc", "a*b*c"));
	assert_false(pm("abbb", "a*b*c"));
	assert_true(pm("host", "host"));
	assert_false(pm("host1", "host"));
	assert_false(pm("hos", "host"));
	assert_true(pm("mississippi", "*sip*"));
	assert_true(pm("mississippi", "m*iss*ppi"));
	assert_false(pm("mississippi", "m*iss*ppix"));
	/* '!' is literal inside a single pattern. */
	assert_true(pm("!x", "!x"));
	assert_false(pm("x", "!x"));
	/* Case: exact unless folded. */
	assert_false(pm("HOST", "host"));
	assert_true(match_pattern("HOST.Example", 12, "host.*", 6, true));
	/* Embedded bytes count: a length-delimited name. */
	assert_true(match_pattern("abc", 2, "ab", 2, false));
	assert_false(match_pattern("abc", 3, "ab", 2, false));
	assert_false(match_pattern(NULL, 1, "a", 1, false));
}

static void
test_list_semantics(void **state)
{
	(void)state;
	/* sshd(8) / ssh_config(5) examples. */
	assert_int_equal(
	    pl("a.example.com", "!*.dialup.example.com,*.example.com"),
	    MATCH_POSITIVE);
	assert_int_equal(
	    pl("x.dialup.example.com", "!*.dialup.example.com,*.example.com"),
	    MATCH_NEGATED);
	/* Order does not matter: a negated match always wins. */
	assert_int_equal(
	    pl("x.dialup.example.com", "*.example.com,!*.dialup.example.com"),
	    MATCH_NEGATED);
	assert_int_equal(pl("host3", "!host1,!host2"), MATCH_NONE);
	assert_int_equal(pl("host3", "!host1,!host2,*"), MATCH_POSITIVE);
	assert_int_equal(pl("host1", "!host1,!host2,*"), MATCH_NEGATED);
	assert_int_equal(pl("example.com", "example.com,192.0.2.10"),
	                 MATCH_POSITIVE);
	assert_int_equal(pl("192.0.2.10", "example.com,192.0.2.10"),
	                 MATCH_POSITIVE);
	assert_int_equal(pl("192.0.2.11", "example.com,192.0.2.10"),
	                 MATCH_NONE);
	/* Host lists fold case. */
	assert_int_equal(pl("EXAMPLE.com", "example.COM"), MATCH_POSITIVE);
	/* [host]:port is just bytes to the matcher. */
	assert_int_equal(pl("[h]:2222", "[h]:2222"), MATCH_POSITIVE);
	assert_int_equal(pl("h", "[h]:2222"), MATCH_NONE);
	assert_int_equal(pl("[h]:2222", "[h]:*"), MATCH_POSITIVE);
	/* Empty elements and a lone '!' match nothing. */
	assert_int_equal(pl("", ""), MATCH_NONE);
	assert_int_equal(pl("a", ",,a,,"), MATCH_POSITIVE);
	assert_int_equal(pl("", "!"), MATCH_NONE);
	assert_int_equal(pl("", "!,*"), MATCH_POSITIVE);
	assert_int_equal(match_pattern_list("a", 1, NULL, 0, true), MATCH_NONE);
	assert_true(match_has_wildcard("*.x", 3));
	assert_true(match_has_wildcard("a,!b", 4));
	assert_true(match_has_wildcard("a?", 2));
	assert_false(match_has_wildcard("a.b,[c]:22", 10));
}

/* Random names and patterns over a tiny alphabet, checked against
 * fnmatch(3) with no flags (no '[' or '\\' is ever generated). */
static void
test_against_fnmatch(void **state)
{
	static const char nalpha[] = "ab.";
	static const char palpha[] = "ab.*?";
	char name[12], pat[12];
	unsigned int seed = 12345, i;
	size_t nl, ml, j;

	(void)state;
	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		nl = (seed >> 16) % 9;
		seed = seed * 1103515245u + 12345u;
		ml = (seed >> 16) % 8;
		for (j = 0; j < nl; j++) {
			seed = seed * 1103515245u + 12345u;
			name[j] = nalpha[(seed >> 16) % 3];
		}
		name[nl] = '\0';
		for (j = 0; j < ml; j++) {
			seed = seed * 1103515245u + 12345u;
			pat[j] = palpha[(seed >> 16) % 5];
		}
		pat[ml] = '\0';
		if (pm(name, pat) != (fnmatch(pat, name, 0) == 0)) {
			fail_msg("name '%s' pattern '%s': ours %d", name, pat,
			         pm(name, pat));
		}
	}
}

static void
test_pathological(void **state)
{
	char *name = malloc(20001), *pat = malloc(81);
	size_t i;

	(void)state;
	assert_non_null(name);
	assert_non_null(pat);
	memset(name, 'a', 20000);
	name[20000] = '\0';
	for (i = 0; i < 40; i++) {
		pat[2 * i] = '*';
		pat[2 * i + 1] = 'a';
	}
	pat[80] = '\0';
	/* "*a*a...*a" matches; with a final 'b' it cannot. Exponential
	 * backtracking would never finish either. */
	assert_true(pm(name, pat));
	pat[79] = 'b';
	assert_false(pm(name, pat));
	free(name);
	free(pat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pattern_basic),
	    cmocka_unit_test(test_list_semantics),
	    cmocka_unit_test(test_against_fnmatch),
	    cmocka_unit_test(test_pathological),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
