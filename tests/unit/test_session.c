/* test_session.c - seshd's session processes: spawning with pipes and with
 * a pty, exit statuses and signals, the environment, chdir fallback,
 * terminal modes and window size, privilege drop (as root), the signal
 * name table, utmp/wtmp and lastlog records on temporary files. Waits are
 * poll() with deadlines, never sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <lastlog.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "app/session.h"
#include "app/session_int.h"
#include "base/err.h"

#define DEADLINE_MS 15000
#define CAP         16384

struct result {
	char out[CAP];
	size_t nout;
	char err[CAP];
	size_t nerr;
	int status;
};

static char tdir[64];
static char *me_user, *me_home;

static int
setup(void **state)
{
	struct passwd *pw = getpwuid(getuid());

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(tdir, sizeof(tdir), "/tmp/sesh-session.XXXXXX");
	if (mkdtemp(tdir) == NULL || pw == NULL) {
		return -1;
	}
	me_user = strdup(pw->pw_name);
	me_home = strdup(pw->pw_dir);
	return me_user == NULL || me_home == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	free(me_user);
	free(me_home);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	return system(cmd) == 0 ? 0 : -1;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
ms_left(long long deadline)
{
	long long left = deadline - now_ms();

	if (left <= 0) {
		fail_msg("deadline passed waiting for the session");
	}
	return (int)left;
}

/* Waits for pid with a deadline (pidfd + poll), returns the status. */
static int
wait_child(pid_t pid)
{
	long long deadline = now_ms() + DEADLINE_MS;
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int st = 0;

	if (pfd >= 0) {
		struct pollfd p = {.fd = pfd, .events = POLLIN};

		while (poll(&p, 1, ms_left(deadline)) == 0) {
		}
		close(pfd);
	}
	while (waitpid(pid, &st, 0) < 0) {
		assert_int_equal(errno, EINTR);
	}
	return st;
}

static void
fd_flags_ok(int fd)
{
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

/*
 * Feeds input (may be NULL) to the process, collects its output until
 * EOF (EIO on a pty master) and waits for it. Without a pty, stdin is
 * closed after the input; with one, the caller's command must end on
 * its own.
 */
static void
collect(struct session_proc *p, bool pty, const char *input, struct result *r)
{
	long long deadline = now_ms() + DEADLINE_MS;
	size_t inlen = input != NULL ? strlen(input) : 0, inoff = 0;
	bool out_open = true, err_open = p->err_fd >= 0;

	memset(r, 0, sizeof(*r));
	while (inoff < inlen) {
		struct pollfd w = {.fd = p->in_fd, .events = POLLOUT};
		ssize_t n;

		assert_true(poll(&w, 1, ms_left(deadline)) >= 0);
		n = write(p->in_fd, input + inoff, inlen - inoff);
		if (n < 0) {
			assert_true(errno == EAGAIN || errno == EINTR);
			continue;
		}
		inoff += (size_t)n;
	}
	if (!pty) {
		close(p->in_fd);
		p->in_fd = -1;
	}
	while (out_open || err_open) {
		struct pollfd f[2];
		int nf = 0, k;

		if (out_open) {
			f[nf].fd = p->out_fd;
			f[nf++].events = POLLIN;
		}
		if (err_open) {
			f[nf].fd = p->err_fd;
			f[nf++].events = POLLIN;
		}
		assert_true(poll(f, (nfds_t)nf, ms_left(deadline)) >= 0);
		for (k = 0; k < nf; k++) {
			bool is_out = f[k].fd == p->out_fd;
			char *buf = is_out ? r->out : r->err;
			size_t *len = is_out ? &r->nout : &r->nerr;
			ssize_t n;

			if (f[k].revents == 0) {
				continue;
			}
			n = read(f[k].fd, buf + *len, CAP - 1 - *len);
			if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
				continue;
			}
			assert_true(n >= 0 || errno == EIO);
			if (n <= 0) {
				if (is_out) {
					out_open = false;
				} else {
					err_open = false;
				}
				continue;
			}
			*len += (size_t)n;
			buf[*len] = '\0';
		}
	}
	r->status = wait_child(p->pid);
	if (!pty) {
		close(p->out_fd);
		if (p->err_fd >= 0) {
			close(p->err_fd);
		}
	}
}

static const char *const min_env[] = {"PATH=/usr/bin:/bin", NULL};

static void
spec_self(struct session_spec *s, const char *command)
{
	memset(s, 0, sizeof(*s));
	s->user = me_user;
	s->uid = getuid();
	s->gid = getgid();
	s->home = me_home;
	s->shell = "/bin/sh";
	s->command = command;
	s->env = min_env;
}

static void
run_simple(const char *command, const char *input, struct result *r)
{
	struct session_spec s;
	struct session_proc p;

	spec_self(&s, command);
	assert_int_equal(session_spawn(&s, &p), 0);
	assert_true(p.pid > 0);
	fd_flags_ok(p.in_fd);
	fd_flags_ok(p.out_fd);
	fd_flags_ok(p.err_fd);
	collect(&p, false, input, r);
}

static void
test_spawn_pipes_status(void **state)
{
	struct result r;

	(void)state;
	run_simple("echo out; echo err >&2; exit 7", NULL, &r);
	assert_string_equal(r.out, "out\n");
	assert_string_equal(r.err, "err\n");
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 7);
}

static void
test_spawn_stdin(void **state)
{
	struct result r;

	(void)state;
	run_simple("tr a-z A-Z", "hello stdin\n", &r);
	assert_string_equal(r.out, "HELLO STDIN\n");
	assert_string_equal(r.err, "");
	assert_int_equal(WEXITSTATUS(r.status), 0);
}

static void
test_spawn_killed(void **state)
{
	struct result r;

	(void)state;
	run_simple("kill -TERM $$; echo not reached", NULL, &r);
	assert_true(WIFSIGNALED(r.status));
	assert_int_equal(WTERMSIG(r.status), SIGTERM);
	assert_string_equal(r.out, "");
}

static void
test_spawn_signals_reset(void **state)
{
	sigset_t blk, old;
	struct result r;
	unsigned long long mask;
	const char *ign;
	int sig;

	(void)state;
	/* A blocked or ignored signal in the daemon must not leak into the
	 * session: the child resets both. */
	sigemptyset(&blk);
	sigaddset(&blk, SIGTERM);
	assert_int_equal(sigprocmask(SIG_BLOCK, &blk, &old), 0);
	signal(SIGHUP, SIG_IGN);
	run_simple("grep -E '^Sig(Blk|Ign)' /proc/self/status", NULL, &r);
	signal(SIGHUP, SIG_DFL);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	if (strstr(r.out, "SigIgn:\t0000000000000000") == NULL ||
	    strstr(r.out, "SigBlk:\t0000000000000000") == NULL) {
		fprintf(stderr, "child's signal state:\n%s\n", r.out);
	}
	assert_non_null(strstr(r.out, "SigBlk:\t0000000000000000"));
	assert_non_null((ign = strstr(r.out, "SigIgn:\t")));
	/* glibc's reserved signals (32 and 33, below SIGRTMIN) cannot be
	 * changed by sigaction and keep whatever the test runner set */
	mask = 0;
	for (sig = 32; sig < SIGRTMIN; sig++) {
		mask |= 1ull << (sig - 1);
	}
	assert_int_equal(strtoull(ign + 8, NULL, 16) & ~mask, 0);
}

static void
test_spawn_fds_closed(void **state)
{
	struct result r;
	int keep;

	(void)state;
	/* A descriptor open in the daemon without close-on-exec must not
	 * reach the session. */
	keep = open("/dev/null", O_RDONLY);
	assert_true(keep > 2);
	run_simple("ls /proc/self/fd", NULL, &r);
	close(keep);
	/* ls itself opens one (3) for the directory. */
	assert_string_equal(r.out, "0\n1\n2\n3\n");
}

static void
test_spawn_login_shell(void **state)
{
	struct session_spec s;
	struct session_proc p;
	struct result r;

	(void)state;
	spec_self(&s, NULL);
	assert_int_equal(session_spawn(&s, &p), 0);
	collect(&p, false, "echo \"argv0=$0\"; exit 3\n", &r);
	assert_string_equal(r.out, "argv0=-sh\n");
	assert_int_equal(WEXITSTATUS(r.status), 3);
}

static void
test_spawn_exec_failure(void **state)
{
	struct session_spec s;
	struct session_proc p;
	struct result r;

	(void)state;
	spec_self(&s, "true");
	s.shell = "/nonexistent/sesh-shell";
	assert_int_equal(session_spawn(&s, &p), 0);
	collect(&p, false, NULL, &r);
	assert_string_equal(r.err, "/nonexistent/sesh-shell: No such file or "
	                           "directory\n");
	assert_int_equal(WEXITSTATUS(r.status), 1);
}

static void
test_spawn_chdir(void **state)
{
	struct session_spec s;
	struct session_proc p;
	struct result r;
	char want[128];

	(void)state;
	spec_self(&s, "pwd");
	s.chdir_home = true;
	s.home = tdir;
	assert_int_equal(session_spawn(&s, &p), 0);
	collect(&p, false, NULL, &r);
	snprintf(want, sizeof(want), "%s\n", tdir);
	assert_string_equal(r.out, want);
	assert_string_equal(r.err, "");

	s.home = "/nonexistent/sesh-home";
	assert_int_equal(session_spawn(&s, &p), 0);
	collect(&p, false, NULL, &r);
	assert_string_equal(r.out, "/\n");
	assert_string_equal(r.err, "Could not chdir to home directory "
	                           "/nonexistent/sesh-home: No such file or "
	                           "directory\n");
	assert_int_equal(WEXITSTATUS(r.status), 0);
}

static bool
env_has(char **env, const char *entry)
{
	size_t k;

	for (k = 0; env[k] != NULL; k++) {
		if (strcmp(env[k], entry) == 0) {
			return true;
		}
	}
	return false;
}

static size_t
env_count_name(char **env, const char *name)
{
	size_t k, n = 0, l = strlen(name);

	for (k = 0; env[k] != NULL; k++) {
		if (strncmp(env[k], name, l) == 0 && env[k][l] == '=') {
			n++;
		}
	}
	return n;
}

static void
test_env_build(void **state)
{
	const char *extra[] = {
	    "LANG=C.UTF-8", "noequals",      "=novalue", "FOO=1",
	    "FOO=2",        "USER=override", NULL};
	struct session_env_info i = {
	    .user = "alice",
	    .home = "/home/alice",
	    .shell = "/bin/bash",
	    .uid = 1000,
	    .raddr = "192.0.2.1",
	    .laddr = "192.0.2.2",
	    .rport = 51000,
	    .lport = 22,
	    .extra = extra,
	};
	char **env = NULL;

	(void)state;
	assert_int_equal(session_env_build(&i, &env), 0);
	assert_string_equal(env[0], "USER=override");
	assert_string_equal(env[1], "LOGNAME=alice");
	assert_true(env_has(env, "HOME=/home/alice"));
	assert_true(env_has(env, "SHELL=/bin/bash"));
	assert_true(env_has(env, "MAIL=/var/mail/alice"));
	assert_true(
	    env_has(env, "PATH=/usr/local/bin:/usr/bin:/bin:/usr/games"));
	assert_true(env_has(env, "SSH_CLIENT=192.0.2.1 51000 22"));
	assert_true(
	    env_has(env, "SSH_CONNECTION=192.0.2.1 51000 192.0.2.2 22"));
	assert_true(env_has(env, "LANG=C.UTF-8"));
	assert_true(env_has(env, "FOO=2"));
	assert_int_equal(env_count_name(env, "FOO"), 1);
	assert_int_equal(env_count_name(env, "USER"), 1);
	assert_int_equal(env_count_name(env, "TERM"), 0);
	assert_int_equal(env_count_name(env, "SSH_TTY"), 0);
	assert_int_equal(env_count_name(env, "SSH_ORIGINAL_COMMAND"), 0);
	assert_int_equal(env_count_name(env, "noequals"), 0);
	session_env_free(env);

	i.uid = 0;
	i.user = "root";
	i.shell = NULL;
	i.term = "xterm-256color";
	i.tty = "/dev/pts/7";
	i.original_command = "ls -l";
	i.extra = NULL;
	assert_int_equal(session_env_build(&i, &env), 0);
	assert_string_equal(env[0], "USER=root");
	assert_true(env_has(env, "PATH=/usr/local/sbin:/usr/local/bin:"
	                         "/usr/sbin:/usr/bin:/sbin:/bin"));
	assert_true(env_has(env, "SHELL=/bin/sh"));
	assert_true(env_has(env, "TERM=xterm-256color"));
	assert_true(env_has(env, "SSH_TTY=/dev/pts/7"));
	assert_true(env_has(env, "SSH_ORIGINAL_COMMAND=ls -l"));
	assert_true(env_has(env, "MAIL=/var/mail/root"));
	session_env_free(env);
}

static void
test_spawn_env(void **state)
{
	struct session_env_info i = {
	    .user = NULL,
	    .shell = "/bin/sh",
	    .raddr = "127.0.0.1",
	    .laddr = "127.0.0.1",
	    .rport = 40000,
	    .lport = 2222,
	};
	struct session_spec s;
	struct session_proc p;
	struct result r;
	char **env = NULL, want[256];

	(void)state;
	i.user = me_user;
	i.home = me_home;
	i.uid = getuid();
	assert_int_equal(setenv("SESH_TEST_LEAK", "1", 1), 0);
	assert_int_equal(session_env_build(&i, &env), 0);
	spec_self(&s, "env");
	s.env = (const char *const *)env;
	assert_int_equal(session_spawn(&s, &p), 0);
	collect(&p, false, NULL, &r);
	session_env_free(env);
	unsetenv("SESH_TEST_LEAK");
	snprintf(want, sizeof(want), "USER=%s\n", me_user);
	assert_non_null(strstr(r.out, want));
	snprintf(want, sizeof(want), "\nHOME=%s\n", me_home);
	assert_non_null(strstr(r.out, want));
	assert_non_null(
	    strstr(r.out, "SSH_CONNECTION=127.0.0.1 40000 127.0.0.1 2222\n"));
	assert_non_null(strstr(r.out, "SSH_CLIENT=127.0.0.1 40000 2222\n"));
	assert_null(strstr(r.out, "SESH_TEST_LEAK"));
}

/* Spawns command on a fresh pty after applying modes and a size. */
static void
run_pty(const char *command, const struct chan_pty_mode *m, size_t nm,
        const char *input, struct session_pty *pty, struct result *r)
{
	struct session_spec s;
	struct session_proc p;

	assert_int_equal(session_pty_open(getuid(), getgid(), pty), 0);
	assert_true(strncmp(pty->name, "/dev/pts/", 9) == 0);
	fd_flags_ok(pty->master);
	assert_int_equal(session_pty_modes(pty, m, nm), 0);
	assert_int_equal(session_pty_winsize(pty, 101, 37, 640, 480), 0);
	spec_self(&s, command);
	s.pty = pty;
	assert_int_equal(session_spawn(&s, &p), 0);
	assert_int_equal(p.in_fd, pty->master);
	assert_int_equal(p.out_fd, pty->master);
	assert_int_equal(p.err_fd, -1);
	assert_int_equal(pty->slave, -1);
	collect(&p, true, input, r);
}

static void
test_pty_tty_and_size(void **state)
{
	struct session_pty pty;
	struct result r;
	char want[128];

	(void)state;
	run_pty("tty; stty size; test -t 0 && test -t 2 && echo ttys", NULL, 0,
	        NULL, &pty, &r);
	snprintf(want, sizeof(want), "%s\r\n37 101\r\nttys\r\n", pty.name);
	assert_string_equal(r.out, want);
	assert_int_equal(WEXITSTATUS(r.status), 0);
	session_pty_close(&pty);
	assert_int_equal(pty.master, -1);
}

static void
test_pty_ctty(void **state)
{
	struct session_pty pty;
	struct result r;

	(void)state;
	/* /dev/tty opens only with a controlling terminal; the session is
	 * its own session leader with the pty as that terminal. */
	run_pty("echo ok >/dev/tty && read p c s g sid x </proc/$$/stat && "
	        "echo $sid $$",
	        NULL, 0, NULL, &pty, &r);
	session_pty_close(&pty);
	assert_true(strncmp(r.out, "ok\r\n", 4) == 0);
	{
		long sid = -1, pid = -2;

		assert_int_equal(sscanf(r.out + 4, "%ld %ld", &sid, &pid), 2);
		assert_int_equal(sid, pid);
	}
}

static void
test_pty_echo_off_and_stdin(void **state)
{
	struct chan_pty_mode off[] = {{53, 0}}; /* ECHO */
	struct chan_pty_mode on[] = {{53, 1}};
	struct session_pty pty;
	struct result r;
	const char *cmd = "stty -a | grep -o -- '-\\?echo ' | head -n1; "
	                  "read x; echo \"got:$x\"";

	(void)state;
	run_pty(cmd, off, 1, "hello\n", &pty, &r);
	session_pty_close(&pty);
	assert_non_null(strstr(r.out, "-echo \r\n"));
	assert_non_null(strstr(r.out, "got:hello\r\n"));
	/* Not echoed: the only "hello" is the child's. */
	assert_ptr_equal(strstr(r.out, "hello"),
	                 strstr(r.out, "got:hello") + 4);

	run_pty(cmd, on, 1, "hello\n", &pty, &r);
	session_pty_close(&pty);
	assert_non_null(strstr(r.out, "got:hello\r\n"));
	assert_ptr_not_equal(strstr(r.out, "hello"),
	                     strstr(r.out, "got:hello") + 4);
}

struct flag_case {
	uint8_t op;
	int field; /* 0 iflag, 1 lflag, 2 oflag, 3 cflag */
	tcflag_t bit;
};

static const struct flag_case flag_cases[] = {
    {30, 0, IGNPAR}, {31, 0, PARMRK}, {32, 0, INPCK},  {33, 0, ISTRIP},
    {34, 0, INLCR},  {35, 0, IGNCR},  {36, 0, ICRNL},  {37, 0, IUCLC},
    {38, 0, IXON},   {39, 0, IXANY},  {40, 0, IXOFF},  {41, 0, IMAXBEL},
    {42, 0, IUTF8},  {50, 1, ISIG},   {51, 1, ICANON}, {52, 1, XCASE},
    {53, 1, ECHO},   {54, 1, ECHOE},  {55, 1, ECHOK},  {56, 1, ECHONL},
    {57, 1, NOFLSH}, {58, 1, TOSTOP}, {59, 1, IEXTEN}, {60, 1, ECHOCTL},
    {61, 1, ECHOKE}, {62, 1, PENDIN}, {70, 2, OPOST},  {71, 2, OLCUC},
    {72, 2, ONLCR},  {73, 2, OCRNL},  {74, 2, ONOCR},  {75, 2, ONLRET},
    {92, 3, PARENB}, {93, 3, PARODD},
};
#define NFLAGS (sizeof(flag_cases) / sizeof(flag_cases[0]))

static tcflag_t
field_of(const struct termios *t, int f)
{
	switch (f) {
	case 0:
		return t->c_iflag;
	case 1:
		return t->c_lflag;
	case 2:
		return t->c_oflag;
	default:
		return t->c_cflag;
	}
}

static const struct {
	uint8_t op;
	int cc;
} char_cases[] = {
    {1, VINTR},     {2, VQUIT},    {3, VERASE},  {4, VKILL},  {5, VEOF},
    {6, VEOL},      {7, VEOL2},    {8, VSTART},  {9, VSTOP},  {10, VSUSP},
    {12, VREPRINT}, {13, VWERASE}, {14, VLNEXT}, {16, VSWTC}, {18, VDISCARD},
};
#define NCHARS (sizeof(char_cases) / sizeof(char_cases[0]))

/* Fills m with every opcode set (v=1: to a value, v=0: cleared or
 * "none"), plus ignorable noise; returns the count. */
static size_t
all_modes(struct chan_pty_mode *m, int v)
{
	size_t k, n = 0;

	for (k = 0; k < NFLAGS; k++) {
		m[n].op = flag_cases[k].op;
		m[n++].value = (uint32_t)v;
	}
	for (k = 0; k < NCHARS; k++) {
		m[n].op = char_cases[k].op;
		/* distinct control characters, or "none" */
		m[n++].value = v ? (uint32_t)(k + 1) : 255;
	}
	m[n].op = 128;
	m[n++].value = v ? 9600 : 38400;
	/* (glibc on Linux keeps one speed for both directions) */
	m[n].op = 129;
	m[n++].value = v ? 9600 : 38400;
	/* unknown opcodes and unknown speeds are ignored */
	m[n].op = 99;
	m[n++].value = 1;
	m[n].op = 129;
	m[n++].value = 12345;
	m[n].op = 90; /* CS7 */
	m[n++].value = 1;
	m[n].op = 91; /* CS8 */
	m[n++].value = (uint32_t)v;
	return n;
}

/* Checks t against all_modes(v); cflags only when with_cflag (a Linux
 * pty keeps its own). */
static void
check_modes(const struct termios *t, int v, bool with_cflag)
{
	size_t k;

	for (k = 0; k < NFLAGS; k++) {
		tcflag_t got =
		    field_of(t, flag_cases[k].field) & flag_cases[k].bit;

		if (flag_cases[k].field == 3 && !with_cflag) {
			continue;
		}
		if ((got != 0) != (v != 0)) {
			fail_msg("mode opcode %u not %s", flag_cases[k].op,
			         v ? "set" : "clear");
		}
	}
	for (k = 0; k < NCHARS; k++) {
		cc_t want = v ? (cc_t)(k + 1) : _POSIX_VDISABLE;

		if (t->c_cc[char_cases[k].cc] != want) {
			fail_msg("char opcode %u", char_cases[k].op);
		}
	}
	assert_int_equal(cfgetispeed(t), v ? B9600 : B38400);
	assert_int_equal(cfgetospeed(t), v ? B9600 : B38400);
	if (with_cflag) {
		/* CS8 wins over CS7 when both are set (OpenSSH sends both
		 * for an 8-bit terminal); CS7 alone means 7 bits. */
		assert_int_equal(t->c_cflag & CSIZE, v ? CS8 : CS7);
	}
}

static void
test_modes_apply(void **state)
{
	struct chan_pty_mode m[NFLAGS + NCHARS + 8];
	struct termios t;
	size_t n;
	int v;

	(void)state;
	for (v = 1; v >= 0; v--) {
		memset(&t, v ? 0 : 0xff, sizeof(t));
		cfsetispeed(&t, B0);
		cfsetospeed(&t, B0);
		n = all_modes(m, v);
		session_pty_modes_apply(&t, m, n);
		check_modes(&t, v, true);
	}
	/* neither CS7 nor CS8 asked: the size stays */
	memset(&t, 0, sizeof(t));
	t.c_cflag = CS6;
	m[0].op = 92;
	m[0].value = 1;
	session_pty_modes_apply(&t, m, 1);
	assert_int_equal(t.c_cflag, CS6 | PARENB);
}

static void
test_pty_modes_termios(void **state)
{
	struct chan_pty_mode m[NFLAGS + NCHARS + 8];
	struct session_pty pty;
	struct termios t;
	size_t n;
	int v;

	(void)state;
	assert_int_equal(session_pty_open(getuid(), getgid(), &pty), 0);
	for (v = 1; v >= 0; v--) {
		n = all_modes(m, v);
		assert_int_equal(session_pty_modes(&pty, m, n), 0);
		assert_int_equal(tcgetattr(pty.slave, &t), 0);
		check_modes(&t, v, false);
	}
	/* no modes at all is fine */
	assert_int_equal(session_pty_modes(&pty, NULL, 0), 0);
	session_pty_close(&pty);
	assert_int_equal(pty.master, -1);
	assert_int_equal(pty.slave, -1);
	/* a closed pty is an argument error, not a crash */
	assert_int_equal(session_pty_modes(&pty, m, 1),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(session_pty_winsize(&pty, 80, 24, 0, 0),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_pty_stty_shows_modes(void **state)
{
	struct chan_pty_mode m[] = {
	    {1, 1},                            /* VINTR = ^A */
	    {128, 9600}, {129, 9600}, {42, 0}, /* -iutf8 (on by default) */
	    {72, 0},                           /* -onlcr */
	};
	struct session_pty pty;
	struct result r;

	(void)state;
	run_pty("stty -a", m, sizeof(m) / sizeof(m[0]), NULL, &pty, &r);
	session_pty_close(&pty);
	if (strstr(r.out, "-iutf8") == NULL) {
		fail_msg("stty -a said:\n%s", r.out);
	}
	assert_non_null(strstr(r.out, "speed 9600 baud"));
	assert_non_null(strstr(r.out, "rows 37; columns 101"));
	assert_non_null(strstr(r.out, "intr = ^A;"));
	assert_non_null(strstr(r.out, " -onlcr"));
	/* -onlcr: lines end in a bare \n */
	assert_null(strstr(r.out, "\r\n"));
}

static void
test_signal_names(void **state)
{
	static const struct {
		const char *name;
		int sig;
	} t[] = {
	    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},
	    {"HUP", SIGHUP},   {"ILL", SIGILL},   {"INT", SIGINT},
	    {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"QUIT", SIGQUIT},
	    {"SEGV", SIGSEGV}, {"TERM", SIGTERM}, {"USR1", SIGUSR1},
	    {"USR2", SIGUSR2},
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		assert_int_equal(session_signal_number(t[k].name), t[k].sig);
		assert_string_equal(session_signal_name(t[k].sig), t[k].name);
	}
	assert_int_equal(session_signal_number("SIGINT"), 0);
	assert_int_equal(session_signal_number("int"), 0);
	assert_int_equal(session_signal_number("CHLD"), 0);
	assert_int_equal(session_signal_number(""), 0);
	assert_int_equal(session_signal_number(NULL), 0);
	assert_null(session_signal_name(SIGCHLD));
	assert_null(session_signal_name(0));
	assert_null(session_signal_name(-1));
}

static void
test_spawn_wrong_user(void **state)
{
	struct session_spec s;
	struct session_proc p;

	(void)state;
	if (geteuid() == 0) {
		skip();
	}
	/* Without root, spawning as another uid must fail up front. */
	spec_self(&s, "true");
	s.uid = getuid() + 1;
	assert_int_equal(session_spawn(&s, &p), SESH_ERR_SYSTEM);
	assert_int_equal(p.pid, -1);
	assert_int_equal(p.in_fd, -1);
}

/* Parses whitespace-separated numbers of s into v (max n). */
static size_t
parse_ids(const char *s, long *v, size_t n)
{
	size_t k = 0;
	char *end;

	while (k < n) {
		long x = strtol(s, &end, 10);

		if (end == s) {
			break;
		}
		v[k++] = x;
		s = end;
	}
	return k;
}

static void
test_root_drop_privileges(void **state)
{
	struct passwd *pw;
	struct session_spec s;
	struct session_proc p;
	struct result r;
	gid_t groups[64];
	int ng = 64, k;
	long ids[80];
	size_t nids, j;
	char *line2;
	gid_t saved[64], extra[2] = {0, 4};
	int saved_n;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: needs root to change user\n");
		skip();
	}
	pw = getpwnam("nobody");
	assert_non_null(pw);
	assert_true(pw->pw_uid != 0);
	assert_true(getgrouplist("nobody", pw->pw_gid, groups, &ng) >= 0);
	memset(&s, 0, sizeof(s));
	s.user = "nobody";
	s.uid = pw->pw_uid;
	s.gid = pw->pw_gid;
	s.home = pw->pw_dir;
	s.shell = "/bin/sh";
	s.env = min_env;
	s.command = "cd /; id -u; id -G; id -g";
	/* Give ourselves supplementary groups the session must not keep. */
	saved_n = getgroups(64, saved);
	assert_true(saved_n >= 0);
	assert_int_equal(setgroups(2, extra), 0);
	assert_int_equal(session_spawn(&s, &p), 0);
	assert_int_equal(setgroups((size_t)saved_n, saved), 0);
	collect(&p, false, NULL, &r);
	assert_int_equal(WEXITSTATUS(r.status), 0);
	assert_int_equal(strtol(r.out, NULL, 10), (long)pw->pw_uid);
	line2 = strchr(r.out, '\n');
	assert_non_null(line2);
	nids = parse_ids(line2 + 1, ids, 80);
	assert_true(nids >= 1);
	/* every group is one of nobody's: root's are gone */
	for (j = 0; j + 1 < nids; j++) { /* the last is id -g's */
		bool found = false;

		for (k = 0; k < ng; k++) {
			found = found || ids[j] == (long)groups[k];
		}
		if (!found || ids[j] == 0) {
			fail_msg("group %ld kept after the drop", ids[j]);
		}
	}
	assert_int_equal(ids[nids - 1], (long)pw->pw_gid);
}

static void
test_root_pty_owner(void **state)
{
	struct session_pty pty;
	struct passwd *pw;
	struct group *gr;
	struct stat st;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: needs root to chown the pty\n");
		skip();
	}
	pw = getpwnam("nobody");
	assert_non_null(pw);
	assert_int_equal(session_pty_open(pw->pw_uid, pw->pw_gid, &pty), 0);
	assert_int_equal(stat(pty.name, &st), 0);
	assert_int_equal(st.st_uid, pw->pw_uid);
	gr = getgrnam("tty");
	if (gr != NULL) {
		assert_int_equal(st.st_gid, gr->gr_gid);
		assert_int_equal(st.st_mode & 07777, 0620);
	} else {
		assert_int_equal(st.st_gid, pw->pw_gid);
		assert_int_equal(st.st_mode & 07777, 0600);
	}
	session_pty_close(&pty);
}

static void
test_root_pty_session_as_user(void **state)
{
	struct session_pty pty;
	struct session_spec s;
	struct session_proc p;
	struct passwd *pw;
	struct result r;
	char want[128];

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: needs root to change user\n");
		skip();
	}
	pw = getpwnam("nobody");
	assert_non_null(pw);
	assert_int_equal(session_pty_open(pw->pw_uid, pw->pw_gid, &pty), 0);
	memset(&s, 0, sizeof(s));
	s.user = "nobody";
	s.uid = pw->pw_uid;
	s.gid = pw->pw_gid;
	s.home = pw->pw_dir;
	s.shell = "/bin/sh";
	s.env = min_env;
	s.pty = &pty;
	s.command = "id -u; tty";
	assert_int_equal(session_spawn(&s, &p), 0);
	collect(&p, true, NULL, &r);
	snprintf(want, sizeof(want), "%u\r\n%s\r\n", (unsigned)pw->pw_uid,
	         pty.name);
	assert_string_equal(r.out, want);
	session_pty_close(&pty);
}

static void
make_empty(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

static void
test_utmp_records(void **state)
{
	char ut_path[128], wt_path[128];
	struct utmpx key, *u, rec[4];
	FILE *f;
	size_t n;
	pid_t pid = getpid();
	bool dead = false;

	(void)state;
	snprintf(ut_path, sizeof(ut_path), "%s/utmp", tdir);
	snprintf(wt_path, sizeof(wt_path), "%s/wtmp", tdir);
	make_empty(ut_path);
	make_empty(wt_path);
	assert_int_equal(session_utmp_login_at(ut_path, wt_path, "/dev/pts/99",
	                                       "alice", "192.0.2.7", pid),
	                 0);

	assert_int_equal(utmpxname(ut_path), 0);
	setutxent();
	memset(&key, 0, sizeof(key));
	strcpy(key.ut_line, "pts/99");
	u = getutxline(&key);
	assert_non_null(u);
	assert_int_equal(u->ut_type, USER_PROCESS);
	assert_int_equal(u->ut_pid, pid);
	assert_string_equal(u->ut_user, "alice");
	assert_string_equal(u->ut_host, "192.0.2.7");
	assert_memory_equal(u->ut_id, "s/99", 4);
	assert_true(u->ut_tv.tv_sec > 0);
	assert_int_equal(u->ut_addr_v6[0], htonl(0xc0000207));
	endutxent();

	assert_int_equal(
	    session_utmp_logout_at(ut_path, wt_path, "/dev/pts/99", pid), 0);
	/* (the call pointed the utmpx functions back at the system file) */
	assert_int_equal(utmpxname(ut_path), 0);
	setutxent();
	assert_null(getutxline(&key)); /* no longer a live login */
	setutxent();
	n = 0;
	while ((u = getutxent()) != NULL) {
		n++;
		if (strncmp(u->ut_line, "pts/99", sizeof(u->ut_line)) == 0) {
			dead = u->ut_type == DEAD_PROCESS && u->ut_pid == pid &&
			       u->ut_user[0] == '\0';
		}
	}
	endutxent();
	assert_int_equal(utmpxname(_PATH_UTMPX), 0);
	assert_int_equal(n, 1); /* replaced in place, not appended */
	assert_true(dead);

	/* wtmp: a login and a logout record, in order */
	f = fopen(wt_path, "rb");
	assert_non_null(f);
	n = fread(rec, sizeof(rec[0]), 4, f);
	fclose(f);
	assert_int_equal(n, 2);
	assert_int_equal(rec[0].ut_type, USER_PROCESS);
	assert_string_equal(rec[0].ut_user, "alice");
	assert_string_equal(rec[0].ut_line, "pts/99");
	assert_int_equal(rec[1].ut_type, DEAD_PROCESS);
	assert_string_equal(rec[1].ut_line, "pts/99");
	assert_int_equal(rec[1].ut_pid, pid);
}

static void
test_utmp_unwritable(void **state)
{
	char ut_path[128], wt_path[128];

	(void)state;
	/* a utmp that cannot be opened is a system error to ignore */
	snprintf(ut_path, sizeof(ut_path), "%s/no/such/utmp", tdir);
	snprintf(wt_path, sizeof(wt_path), "%s/no/such/wtmp", tdir);
	assert_int_equal(session_utmp_login_at(ut_path, wt_path, "/dev/pts/9",
	                                       "bob", "h", getpid()),
	                 SESH_ERR_SYSTEM);
	assert_int_equal(
	    session_utmp_login_at(ut_path, wt_path, NULL, "bob", "h", getpid()),
	    SESH_ERR_INVALID_ARGUMENT);
}

static void
test_lastlog_round_trip(void **state)
{
	char path[128], want[160], when[64];
	struct lastlog ll;
	struct stat st;
	struct tm tm;
	char *msg = (char *)1;
	uid_t uid = 1234;
	time_t t;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/lastlog", tdir);
	/* absent file: no line, no failure */
	assert_int_equal(session_lastlog_at(path, uid, "/dev/pts/4",
	                                    "198.51.100.1", false, &msg),
	                 0);
	assert_null(msg);
	assert_int_equal(stat(path, &st), -1);
	/* first login: nothing to show, record written */
	assert_int_equal(session_lastlog_at(path, uid, "/dev/pts/4",
	                                    "198.51.100.1", true, &msg),
	                 0);
	assert_null(msg);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, (off_t)(uid + 1) * sizeof(ll));
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &ll, sizeof(ll), (off_t)uid * sizeof(ll)),
	                 sizeof(ll));
	close(fd);
	assert_string_equal(ll.ll_line, "pts/4");
	assert_string_equal(ll.ll_host, "198.51.100.1");
	assert_true(ll.ll_time > 0);
	/* next login shows it, in sshd's ctime layout */
	assert_int_equal(
	    session_lastlog_at(path, uid, "/dev/pts/5", "", true, &msg), 0);
	assert_non_null(msg);
	t = (time_t)ll.ll_time;
	assert_non_null(localtime_r(&t, &tm));
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
	snprintf(want, sizeof(want), "Last login: %s from 198.51.100.1", when);
	assert_string_equal(msg, want);
	{
		char ct[32];

		/* the same text ctime(3) gives, minus its newline */
		assert_non_null(ctime_r(&t, ct));
		assert_memory_equal(msg + 12, ct, 24);
	}
	free(msg);
	/* a record without host: no " from" */
	assert_int_equal(
	    session_lastlog_at(path, uid, "/dev/pts/6", NULL, false, &msg), 0);
	assert_non_null(msg);
	assert_null(strstr(msg, " from"));
	assert_true(strncmp(msg, "Last login: ", 12) == 0);
	free(msg);
	/* other uids are untouched */
	assert_int_equal(
	    session_lastlog_at(path, uid - 1, "/dev/pts/6", NULL, false, &msg),
	    0);
	assert_null(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spawn_pipes_status),
	    cmocka_unit_test(test_spawn_stdin),
	    cmocka_unit_test(test_spawn_killed),
	    cmocka_unit_test(test_spawn_signals_reset),
	    cmocka_unit_test(test_spawn_fds_closed),
	    cmocka_unit_test(test_spawn_login_shell),
	    cmocka_unit_test(test_spawn_exec_failure),
	    cmocka_unit_test(test_spawn_chdir),
	    cmocka_unit_test(test_env_build),
	    cmocka_unit_test(test_spawn_env),
	    cmocka_unit_test(test_pty_tty_and_size),
	    cmocka_unit_test(test_pty_ctty),
	    cmocka_unit_test(test_pty_echo_off_and_stdin),
	    cmocka_unit_test(test_modes_apply),
	    cmocka_unit_test(test_pty_modes_termios),
	    cmocka_unit_test(test_pty_stty_shows_modes),
	    cmocka_unit_test(test_signal_names),
	    cmocka_unit_test(test_spawn_wrong_user),
	    cmocka_unit_test(test_root_drop_privileges),
	    cmocka_unit_test(test_root_pty_owner),
	    cmocka_unit_test(test_root_pty_session_as_user),
	    cmocka_unit_test(test_utmp_records),
	    cmocka_unit_test(test_utmp_unwritable),
	    cmocka_unit_test(test_lastlog_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
