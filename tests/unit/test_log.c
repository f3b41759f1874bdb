/*
 * test_log.c - the logger: LogLevel and SyslogFacility names both ways,
 * level filtering, debug prefixes and one whole line per call in a file
 * sink, long lines truncated but still ended by a newline; control
 * characters from peer text escaped so that no line can be forged.
 */
#include <setjmp.h>
#include <stdbool.h>
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

#define LOG_TEST_BIG 1500

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

/* A message is written to a fresh file sink (or to stderr redirected
 * into it when to_stderr); returns the file's text. */
static char *
log_one(bool to_stderr, const char *msg)
{
	char path[] = "/tmp/test_log_XXXXXX";
	char *s;
	int fd, saved;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	log_init("test", LOG_LVL_INFO);
	if (to_stderr) {
		log_to_stderr();
		saved = dup(STDERR_FILENO);
		assert_true(saved >= 0);
		assert_true(dup2(fd, STDERR_FILENO) == STDERR_FILENO);
		log_info("user %s.", msg);
		assert_true(dup2(saved, STDERR_FILENO) == STDERR_FILENO);
		close(saved);
	} else {
		assert_int_equal(log_to_file(path), 0);
		log_info("user %s.", msg);
		log_to_stderr();
	}
	close(fd);
	s = slurp(path);
	unlink(path);
	return s;
}

static void
test_control_chars(void **state)
{
	static const char evil[] =
	    "x\nAccepted password for root\r\t\033[2J\177";
	char big[LOG_TEST_BIG];
	char *s;

	(void)state;
	/* file (and syslog): only TAB survives; one line, nothing forged */
	s = log_one(false, evil);
	assert_string_equal(s, "user x\\012Accepted password for root"
	                       "\\015\t\\033[2J\\177.\n");
	free(s);
	/* stderr: newline and CR stay, the terminal escape does not */
	s = log_one(true, evil);
	assert_string_equal(s, "user x\nAccepted password for root"
	                       "\r\t\\033[2J\\177.\n");
	free(s);
	/* escapes near the end are never cut in half */
	memset(big, '\033', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = log_one(false, big);
	assert_true(strlen(s) < 2048);
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_int_equal((strlen(s) - 1 - strlen("user ")) % 4, 0);
	assert_null(strchr(s, '\033'));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_level_names),
	    cmocka_unit_test(test_facility_names),
	    cmocka_unit_test(test_file_sink),
	    cmocka_unit_test(test_control_chars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
