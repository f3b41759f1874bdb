/*
 * test_cfgtok.c - the ssh_config / sshd_config tokenizer: keyword and
 * '=' forms, quoting and escapes, comments, case folding, line numbers
 * across a whole file, bounds, and truncation / bit-flip sweeps (every
 * result is either a clean error or a well-formed line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/cfgtok.h"
#include "base/err.h"

static void
expect_line(const char *text, const char *kw, size_t nargs, ...)
{
	struct cfgtok_line l;
	va_list ap;
	size_t i;

	assert_int_equal(cfgtok_parse_line(text, strlen(text), 7, &l), 0);
	assert_int_equal(l.lineno, 7);
	if (kw == NULL) {
		assert_null(l.keyword);
		assert_int_equal(l.nargs, 0);
		cfgtok_line_clear(&l);
		return;
	}
	assert_non_null(l.keyword);
	assert_string_equal(l.keyword, kw);
	assert_int_equal(l.nargs, nargs);
	va_start(ap, nargs);
	for (i = 0; i < nargs; i++) {
		assert_string_equal(l.args[i], va_arg(ap, const char *));
	}
	va_end(ap);
	assert_null(l.args[nargs]);
	cfgtok_line_clear(&l);
}

static void
expect_error(const char *text, size_t n, int err)
{
	struct cfgtok_line l;

	assert_int_equal(cfgtok_parse_line(text, n, 3, &l), err);
	assert_null(l.keyword);
	assert_null(l.args);
	assert_int_equal(l.nargs, 0);
}

static void
test_forms(void **state)
{
	(void)state;
	expect_line("Port 22", "port", 1, "22");
	expect_line("Port=22", "port", 1, "22");
	expect_line("Port = 22\n", "port", 1, "22");
	expect_line("  Port\t=\t22 \t\r\n", "port", 1, "22");
	expect_line("Port =22", "port", 1, "22");
	expect_line("Port==22", "port", 1, "=22");
	expect_line("HOSTNAME Example.COM", "hostname", 1, "Example.COM");
	expect_line("Host a b !c *.d", "host", 4, "a", "b", "!c", "*.d");
	expect_line("SendEnv", "sendenv", 0);
	expect_line("Port=", "port", 0);
	expect_line("Ciphers +aes128-ctr,aes256-ctr\f\f", "ciphers", 1,
	            "+aes128-ctr,aes256-ctr");
}

static void
test_comments_blank(void **state)
{
	(void)state;
	expect_line("", NULL, 0);
	expect_line("\n", NULL, 0);
	expect_line("   \t \r\n", NULL, 0);
	expect_line("# Port 22", NULL, 0);
	expect_line("   #Port 22", NULL, 0);
	expect_line("User bob # trailing", "user", 1, "bob");
	expect_line("User bob#notacomment", "user", 1, "bob#notacomment");
	expect_line("User \"#x\"", "user", 1, "#x");
}

static void
test_quotes(void **state)
{
	(void)state;
	expect_line("IdentityFile \"/a b/c d\"", "identityfile", 1, "/a b/c d");
	expect_line("IdentityFile '/a b' x", "identityfile", 2, "/a b", "x");
	expect_line("ProxyCommand ssh -W \"%h:%p\" jump", "proxycommand", 4,
	            "ssh", "-W", "%h:%p", "jump");
	expect_line("SetEnv FOO=\"bar baz\"", "setenv", 1, "FOO=bar baz");
	expect_line("X a\\ b", "x", 1, "a b");
	expect_line("X \"a\\\"b\"", "x", 1, "a\"b");
	expect_line("X a\\\\b", "x", 1, "a\\b");
	expect_line("X a\\nb", "x", 1, "a\\nb");
	expect_line("X \"\"", "x", 1, "");
	expect_line("X \"it's\"", "x", 1, "it's");
	expect_error("X \"abc", 6, SESH_ERR_INVALID_FORMAT);
	expect_error("X 'abc", 6, SESH_ERR_INVALID_FORMAT);
	expect_error("X a\"b c", 7, SESH_ERR_INVALID_FORMAT);
}

static void
test_errors(void **state)
{
	struct cfgtok_line l;
	char *big;
	size_t i, n;

	(void)state;
	expect_error("=22", 3, SESH_ERR_INVALID_FORMAT);
	expect_error(" = 22", 5, SESH_ERR_INVALID_FORMAT);
	expect_error("Port\0 22", 8, SESH_ERR_INVALID_FORMAT);
	expect_error(NULL, 1, SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(cfgtok_parse_line("x", 1, 1, NULL),
	                 SESH_ERR_INVALID_ARGUMENT);

	/* Longest allowed line, then one byte more. */
	big = malloc(CFGTOK_MAX_LINE + 2);
	assert_non_null(big);
	memset(big, 'a', CFGTOK_MAX_LINE);
	big[1] = ' ';
	assert_int_equal(cfgtok_parse_line(big, CFGTOK_MAX_LINE, 1, &l), 0);
	assert_int_equal(l.nargs, 1);
	assert_int_equal(strlen(l.args[0]), CFGTOK_MAX_LINE - 2);
	cfgtok_line_clear(&l);
	big[CFGTOK_MAX_LINE] = '\n';
	assert_int_equal(cfgtok_parse_line(big, CFGTOK_MAX_LINE + 1, 1, &l), 0);
	cfgtok_line_clear(&l);
	big[CFGTOK_MAX_LINE] = 'a';
	expect_error(big, CFGTOK_MAX_LINE + 1, SESH_ERR_LIMIT);
	free(big);

	/* Argument count bound. */
	n = 2 + 2 * (CFGTOK_MAX_ARGS + 1);
	big = malloc(n);
	assert_non_null(big);
	big[0] = 'k';
	for (i = 1; i + 1 < n; i += 2) {
		big[i] = ' ';
		big[i + 1] = 'x';
	}
	big[n - 1] = ' ';
	expect_error(big, n, SESH_ERR_LIMIT);
	assert_int_equal(cfgtok_parse_line(big, n - 2, 1, &l), 0);
	assert_int_equal(l.nargs, CFGTOK_MAX_ARGS);
	cfgtok_line_clear(&l);
	free(big);
}

static void
test_is(void **state)
{
	struct cfgtok_line l;

	(void)state;
	assert_int_equal(
	    cfgtok_parse_line("StrictHostKeyChecking no", 24, 1, &l), 0);
	assert_true(cfgtok_is(&l, "stricthostkeychecking"));
	assert_true(cfgtok_is(&l, "StrictHostKeyChecking"));
	assert_false(cfgtok_is(&l, "StrictHostKeyCheck"));
	assert_false(cfgtok_is(&l, "StrictHostKeyCheckingX"));
	cfgtok_line_clear(&l);
	assert_false(cfgtok_is(&l, "x"));
	assert_false(cfgtok_is(NULL, "x"));
	cfgtok_line_clear(NULL);
}

static const char file_text[] = "# sample\n"
                                "Host *.example.org\r\n"
                                "\n"
                                "  User=alice\n"
                                "\tIdentityFile \"~/my keys/id\"  # c\n"
                                "Match host foo exec \"test -f x\"\n"
                                "Port 2222";

static void
test_reader(void **state)
{
	struct cfgtok_reader r;
	struct cfgtok_line l;
	bool eof;
	static const size_t want_lines[] = {2, 4, 5, 6, 7};
	static const char *const want_kw[] = {"host", "user", "identityfile",
	                                      "match", "port"};
	size_t i;

	(void)state;
	cfgtok_reader_init(&r, file_text, sizeof(file_text) - 1);
	for (i = 0; i < 5; i++) {
		assert_int_equal(cfgtok_next(&r, &l, &eof), 0);
		assert_false(eof);
		assert_int_equal(l.lineno, want_lines[i]);
		assert_int_equal(r.lineno, want_lines[i]);
		assert_string_equal(l.keyword, want_kw[i]);
		if (i == 2) {
			assert_string_equal(l.args[0], "~/my keys/id");
			assert_int_equal(l.nargs, 1);
		}
		if (i == 3) {
			assert_int_equal(l.nargs, 4);
			assert_string_equal(l.args[3], "test -f x");
		}
		cfgtok_line_clear(&l);
	}
	assert_int_equal(cfgtok_next(&r, &l, &eof), 0);
	assert_true(eof);
	assert_null(l.keyword);
	assert_int_equal(cfgtok_next(&r, &l, &eof), 0);
	assert_true(eof);

	/* Errors name their line and the reader continues after it. */
	cfgtok_reader_init(&r, "a 1\n\nb \"x\nc 3\n", 14);
	assert_int_equal(cfgtok_next(&r, &l, &eof), 0);
	cfgtok_line_clear(&l);
	assert_int_equal(cfgtok_next(&r, &l, &eof), SESH_ERR_INVALID_FORMAT);
	assert_int_equal(r.lineno, 3);
	assert_false(eof);
	assert_int_equal(cfgtok_next(&r, &l, &eof), 0);
	assert_string_equal(l.keyword, "c");
	assert_int_equal(l.lineno, 4);
	cfgtok_line_clear(&l);
	assert_int_equal(cfgtok_next(&r, &l, &eof), 0);
	assert_true(eof);

	cfgtok_reader_init(&r, NULL, 5);
	assert_int_equal(cfgtok_next(&r, &l, &eof), 0);
	assert_true(eof);
}

/* Any outcome must be a clean error or a consistent line. */
static void
check_any(const char *p, size_t n)
{
	struct cfgtok_line l;
	size_t i;
	int ret;

	ret = cfgtok_parse_line(p, n, 1, &l);
	if (ret != 0) {
		assert_true(ret < 0);
		assert_null(l.keyword);
		assert_null(l.args);
		return;
	}
	if (l.keyword == NULL) {
		assert_int_equal(l.nargs, 0);
		return;
	}
	assert_true(strlen(l.keyword) > 0);
	assert_true(strlen(l.keyword) <= n);
	for (i = 0; i < l.nargs; i++) {
		assert_non_null(l.args[i]);
		assert_true(strlen(l.args[i]) <= n);
	}
	assert_null(l.args[l.nargs]);
	cfgtok_line_clear(&l);
}

static void
test_sweeps(void **state)
{
	static const char *const samples[] = {
	    "IdentityFile \"/a b/c\" 'd e' f\\ g # x\n",
	    "Port = 22\r\n",
	    "SetEnv A=\"1 2\" B='3' C=\\\"\n",
	    "Match host \"*.x\" exec \"echo a\\\"b\"\n",
	};
	char buf[128];
	size_t s, n, i;
	int bit;

	(void)state;
	for (s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		n = strlen(samples[s]);
		assert_true(n <= sizeof(buf));
		for (i = 0; i <= n; i++) {
			memcpy(buf, samples[s], i);
			check_any(buf, i);
		}
		for (i = 0; i < n; i++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(buf, samples[s], n);
				buf[i] = (char)(buf[i] ^ (1 << bit));
				check_any(buf, n);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forms),
	    cmocka_unit_test(test_comments_blank),
	    cmocka_unit_test(test_quotes),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_is),
	    cmocka_unit_test(test_reader),
	    cmocka_unit_test(test_sweeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
