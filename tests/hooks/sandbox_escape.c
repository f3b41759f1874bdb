/*
 * sandbox_escape.c - test hook linked into seshd-testhooks only (see
 * CMakeLists.txt): with SESH_TEST_SANDBOX_ESCAPE=open|fork|none in
 * seshd's environment, the sandboxed pre-authentication child tries,
 * right after entering the sandbox, to open /etc/passwd or to fork.
 * The seccomp filter must kill it (SIGSYS); if the call works instead,
 * the child says so on stderr and exits 99, which the system test
 * (tests/system/test_seshd_sandbox.py) reports as a failure.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

void server_test_hook_sandboxed(void);

static void
say(const char *msg)
{
	ssize_t w = write(STDERR_FILENO, msg, strlen(msg));

	(void)w;
}

void
server_test_hook_sandboxed(void)
{
	const char *what = getenv("SESH_TEST_SANDBOX_ESCAPE");
	pid_t pid;
	int fd;

	if (what == NULL || strcmp(what, "none") == 0) {
		return;
	}
	if (strcmp(what, "open") == 0) {
		fd = open("/etc/passwd", O_RDONLY);
		if (fd >= 0) {
			say("sandbox escape: open(/etc/passwd) worked\n");
			_exit(99);
		}
		say("sandbox escape: open(/etc/passwd) failed without a "
		    "kill\n");
		_exit(98);
	}
	if (strcmp(what, "fork") == 0) {
		pid = fork();
		if (pid == 0) {
			_exit(0);
		}
		say(pid > 0 ? "sandbox escape: fork() worked\n"
		            : "sandbox escape: fork() failed without a kill\n");
		_exit(pid > 0 ? 99 : 98);
	}
}
