/*
 * test_log.c - the logger: LogLevel and SyslogFacility names both ways,
 * level filtering, debug prefixes and one whole line per call in a file
 * sink, long lines truncated but still ended by a newline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/log.h"

static void
test_level_names(void **state)
{
	enum log_level l;
	const char *names[] = {"QUIET",  "FATAL",  "ERROR",  "INFO",
	                       "VERBOSE", "DEBUG1", "DEBUG2", "DEBUG3"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(log_level_parse(names[i], &l), 0);
		assert_int_equal((int)l, (int)i);
		assert_string_equal(log_level_name(l), names[i]);
	}
	assert_int_equal(log_level_parse("debug", &l), 0);
	assert_int_equal(l, LOG_LVL_DEBUG1);
	assert_int_equal(log_level_parse("verbose", &l), 0);
	assert_int_equal(l, LOG_LVL_VERBOSE);
	assert_int_equal(log_level_parse("LOUD", &l),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(log_level_parse("", &l), SESH_ERR_INVALID_ARGUMENT);
}

static void
test_facility_names(void **state)
{
	int f;

	(void)state;
	assert_int_equal(log_facility_parse("AUTH", &f), 0);
	assert_int_equal(f, LOG_AUTH);
	assert_int_equal(log_facility_parse("local7", &f), 0);
	assert_int_equal(f, LOG_LOCAL7);
	assert_string_equal(log_facility_name(LOG_AUTHPRIV), "AUTHPRIV");
	assert_int_equal(log_facility_parse("KERN", &f),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 8192);
	size_t n;

	assert_non_null(f);
	assert_non_null(s);
	n = fread(s, 1, 8191, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

static void
test_file_sink(void **state)
{
	char path[] = "/tmp/test_log_XXXXXX";
	char big[4000];
	char *s, *nl;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	log_init("test", LOG_LVL_DEBUG2);
	assert_int_equal(log_to_file(path), 0);
	log_info("hello %d", 42);
	log_debug("first");
	log_debug2("second");
	log_debug3("hidden");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_error("%s", big);
	log_to_stderr();
	log_info("not in the file");
	s = slurp(path);
	assert_non_null(strstr(s, "hello 42\ndebug1: first\ndebug2: second\n"));
	assert_null(strstr(s, "hidden"));
	assert_null(strstr(s, "not in the file"));
	/* the long line is cut but still ends the file with a newline */
	nl = strstr(s, "xxxx");
	assert_non_null(nl);
	assert_true(strlen(nl) < sizeof(big));
	assert_int_equal(s[strlen(s) - 1], '\n');
	free(s);
	unlink(path);
	assert_int_equal(log_to_file("/nonexistent-dir/x/log"),
	                 SESH_ERR_SYSTEM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_level_names),
	    cmocka_unit_test(test_facility_names),
	    cmocka_unit_test(test_file_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
