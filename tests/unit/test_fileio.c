/* test_fileio.c - whole-file reads with a cap, atomic replacement that
 * leaves no temporary files and never damages the target on failure,
 * .old retention, directory creation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/fileio.h"
#include "base/err.h"

static char tdir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/sesh-fileio.XXXXXX");
	return mkdtemp(tdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tdir, name);
}

static size_t
count_entries(void)
{
	DIR *d = opendir(tdir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			n++;
		}
	}
	closedir(d);
	return n;
}

static void
expect_content(const char *path, const char *want)
{
	uint8_t *data = NULL;
	size_t n = 0;

	assert_int_equal(fileio_read(path, 0, &data, &n), 0);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(data, want, n);
	assert_int_equal(data[n], '\0');
	free(data);
}

static void
test_write_read_modes(void **state)
{
	char p[128];
	mode_t m = 0;

	(void)state;
	path_of(p, sizeof(p), "priv");
	assert_int_equal(
	    fileio_write_atomic(p, "secret\n", 7, FILEIO_MODE_PRIVATE), 0);
	expect_content(p, "secret\n");
	assert_int_equal(fileio_mode(p, &m), 0);
	assert_int_equal(m, 0600);
	/* Replacing keeps no temporary file around and takes the new mode. */
	assert_int_equal(fileio_write_atomic(p, "pub", 3, FILEIO_MODE_PUBLIC),
	                 0);
	expect_content(p, "pub");
	assert_int_equal(fileio_mode(p, &m), 0);
	assert_int_equal(m, 0644);
	assert_int_equal(count_entries(), 1);
	/* Empty content is a valid file. */
	assert_int_equal(fileio_write_atomic(p, "", 0, FILEIO_MODE_PUBLIC), 0);
	expect_content(p, "");
}

static void
test_write_failures_leave_target(void **state)
{
	char p[128], sub[128], inner[160];
	uint8_t *data = NULL;
	size_t n = 0;

	(void)state;
	/* Missing directory: ENOENT, nothing created. */
	path_of(p, sizeof(p), "nodir/file");
	assert_int_equal(fileio_write_atomic(p, "x", 1, 0600), SESH_ERR_SYSTEM);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(count_entries(), 0);
	/* The target is a non-empty directory: refused (not a regular
	 * file), the directory and its content are intact, no temporary
	 * file is left. */
	path_of(sub, sizeof(sub), "d");
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(inner, sizeof(inner), "%s/keep", sub);
	assert_int_equal(fileio_write_atomic(inner, "kept", 4, 0600), 0);
	assert_int_equal(fileio_write_atomic(sub, "x", 1, 0600),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(count_entries(), 1);
	expect_content(inner, "kept");
	assert_int_equal(fileio_read(sub, 0, &data, &n),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(data);
}

static void
test_read_cap_and_missing(void **state)
{
	char p[128], big[100];
	uint8_t *data = NULL;
	size_t n = 99;

	(void)state;
	memset(big, 'a', sizeof(big));
	path_of(p, sizeof(p), "big");
	assert_int_equal(fileio_write_atomic(p, big, sizeof(big), 0600), 0);
	assert_int_equal(fileio_read(p, 99, &data, &n), SESH_ERR_LIMIT);
	assert_null(data);
	assert_int_equal(n, 0);
	assert_int_equal(fileio_read(p, 100, &data, &n), 0);
	assert_int_equal(n, 100);
	free(data);
	data = NULL;
	path_of(p, sizeof(p), "missing");
	assert_int_equal(fileio_read(p, 0, &data, &n), SESH_ERR_NOT_FOUND);
	assert_int_equal(errno, ENOENT);
	assert_null(data);
	assert_false(fileio_exists(p));
}

static void
test_replace_keep_old(void **state)
{
	char p[128], old[140];
	mode_t m = 0;

	(void)state;
	path_of(p, sizeof(p), "known_hosts");
	snprintf(old, sizeof(old), "%s.old", p);
	assert_int_equal(fileio_write_atomic(p, "one\n", 4, 0640), 0);
	assert_int_equal(fileio_replace_keep_old(p, "two\n", 4, 0640), 0);
	expect_content(p, "two\n");
	expect_content(old, "one\n");
	assert_int_equal(fileio_replace_keep_old(p, "three\n", 6, 0640), 0);
	expect_content(p, "three\n");
	expect_content(old, "two\n");
	assert_int_equal(fileio_mode(p, &m), 0);
	assert_int_equal(m, 0640);
	assert_int_equal(count_entries(), 2);
	/* The file must exist. */
	path_of(p, sizeof(p), "absent");
	assert_int_not_equal(fileio_replace_keep_old(p, "x", 1, 0600), 0);
	assert_false(fileio_exists(p));
	assert_int_equal(count_entries(), 2);
}

static void
test_dirs(void **state)
{
	char p[128], f[128];
	struct stat st;

	(void)state;
	path_of(p, sizeof(p), ".ssh");
	assert_int_equal(fileio_ensure_dir(p, FILEIO_MODE_DIR_PRIVATE), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(fileio_ensure_dir(p, FILEIO_MODE_DIR_PRIVATE), 0);
	path_of(f, sizeof(f), "file");
	assert_int_equal(fileio_write_atomic(f, "x", 1, 0600), 0);
	assert_int_equal(fileio_ensure_dir(f, 0700), SESH_ERR_SYSTEM);
	assert_int_equal(errno, ENOTDIR);
	path_of(p, sizeof(p), "a/b");
	assert_int_equal(fileio_ensure_dir(p, 0700), SESH_ERR_NOT_FOUND);
	path_of(p, sizeof(p), "a/b/etc/sesh");
	assert_int_equal(fileio_ensure_dirs(p, 0755), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

/* A symlink is followed (the link stays a link); a FIFO or a device is
 * never replaced (renaming over /dev/null broke a machine once). */
static void
test_special_targets(void **state)
{
	char real[128], link_path[128], fifo[128];
	struct stat st;

	(void)state;
	path_of(real, sizeof(real), "real");
	path_of(link_path, sizeof(link_path), "link");
	path_of(fifo, sizeof(fifo), "fifo");
	assert_int_equal(fileio_write_atomic(real, "one\n", 4, 0600), 0);
	assert_int_equal(symlink("real", link_path), 0);
	assert_int_equal(fileio_write_atomic(link_path, "two\n", 4, 0600), 0);
	assert_int_equal(lstat(link_path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	expect_content(real, "two\n");
	assert_int_equal(
	    fileio_replace_keep_old(link_path, "three\n", 6, 0600), 0);
	assert_int_equal(lstat(link_path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	expect_content(real, "three\n");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(fileio_write_atomic(fifo, "x", 1, 0600),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(fileio_replace_keep_old(fifo, "x", 1, 0600),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(fileio_write_atomic("/dev/null", "x", 1, 0600),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_write_read_modes, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_write_failures_leave_target,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_cap_and_missing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_replace_keep_old, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_dirs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_special_targets, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
