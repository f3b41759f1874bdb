/* test_paths.c - home directory, tilde expansion, default ~/.ssh paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pwd.h>

#include "app/paths.h"
#include "base/err.h"

/* Calls fn(args..., &got) first, then checks (argument evaluation order
 * is unspecified, so the call and the check are separate statements). */
#define EXPECT_PATH(want, fn, ...)                                             \
	do {                                                                   \
		char *got_ = NULL;                                             \
		assert_int_equal(fn(__VA_ARGS__ &got_), 0);                    \
		assert_non_null(got_);                                         \
		assert_string_equal(got_, want);                               \
		free(got_);                                                    \
	} while (0)

static void
test_home_and_tilde(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(setenv("HOME", "/home/tester//", 1), 0);
	EXPECT_PATH("/home/tester", paths_home, );
	EXPECT_PATH("/home/tester", paths_expand_tilde, "~", );
	EXPECT_PATH("/home/tester", paths_expand_tilde, "~/", );
	EXPECT_PATH("/home/tester/.ssh/id_rsa", paths_expand_tilde,
	            "~/.ssh/id_rsa", );
	EXPECT_PATH("/abs/~x", paths_expand_tilde, "/abs/~x", );
	EXPECT_PATH("rel", paths_expand_tilde, "rel", );
	assert_int_equal(setenv("HOME", "/", 1), 0);
	EXPECT_PATH("/x", paths_expand_tilde, "~/x", );
	assert_int_equal(paths_expand_tilde(NULL, &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(s);
	assert_int_equal(paths_expand_tilde("~no-such-user-sesh-test/x", &s),
	                 SESH_ERR_NOT_FOUND);
	assert_null(s);
}

static void
test_tilde_user(void **state)
{
	struct passwd *pw = getpwnam("root");
	char want[512];

	(void)state;
	if (pw == NULL) {
		skip();
	}
	snprintf(want, sizeof(want), "%s/k",
	         strcmp(pw->pw_dir, "/") == 0 ? "" : pw->pw_dir);
	EXPECT_PATH(want, paths_expand_tilde, "~root/k", );
}

static void
test_defaults(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(setenv("HOME", "/h", 1), 0);
	EXPECT_PATH("/h/.ssh", paths_ssh_dir, );
	EXPECT_PATH("/h/.ssh/known_hosts", paths_known_hosts, );
	EXPECT_PATH("/h/.ssh/id_ed25519", paths_default_identity, "ed25519", );
	EXPECT_PATH("/h/.ssh/id_ecdsa", paths_default_identity, "ecdsa", );
	EXPECT_PATH("/h/.ssh/id_rsa", paths_default_identity, "rsa", );
	assert_int_equal(paths_default_identity("dsa", &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(s);
	assert_int_equal(paths_default_comment(&s), 0);
	assert_non_null(strchr(s, '@'));
	assert_true(s[0] != '@');
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_home_and_tilde),
	    cmocka_unit_test(test_tilde_user),
	    cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
