/*
 * session.c - spawning a session's process as sshd does (see session.h).
 *
 * Parent: prepares everything that allocates or consults NSS (argv, the
 * user's group list) before fork(), so the child only makes system
 * calls. A close-on-exec status pipe tells the parent whether the child
 * got as far as execve(): setup failures (controlling tty, descriptors,
 * privilege drop) come back as a stage and errno, the child is reaped
 * and session_spawn() fails. A failing execve() itself is reported as
 * sshd does, "<shell>: <reason>" on the session's stderr and exit
 * status 1, because by then the session is the client's to see.
 *
 * Child, in order: default signal dispositions and an empty mask;
 * setsid(); with a pty, the slave becomes the controlling tty and fds
 * 0-2; without, the pipes' child ends; every other descriptor closed;
 * as root, setgroups (the initgroups list), setgid, setuid, then a check
 * that root cannot be regained; chdir(home) falling back to "/" with
 * sshd's message; execve(shell) with exactly spec->env.
 */
#include "app/session.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

#define SESSION_DEFAULT_SHELL "/bin/sh"
/* Upper bound on supplementary groups we pass to setgroups(). */
#define SESSION_MAX_GROUPS 65536

/* Pipe capacity asked for the child's stdin and stdout. */
#define SESSION_PIPE_SIZE (1024 * 1024)

/* Where the child failed, sent to the parent over the status pipe. */
enum child_stage {
	ST_FDS = 1,
	ST_CTTY,
	ST_SETGROUPS,
	ST_SETGID,
	ST_SETUID,
	ST_REGAIN,
};

struct child_report {
	int stage;
	int err;
};

static const char *
stage_name(int stage)
{
	switch (stage) {
	case ST_FDS:
		return "setting up descriptors";
	case ST_CTTY:
		return "making the pty the controlling terminal";
	case ST_SETGROUPS:
		return "setgroups";
	case ST_SETGID:
		return "setgid";
	case ST_SETUID:
		return "setuid";
	case ST_REGAIN:
		return "privileges could be regained after setuid";
	default:
		return "unknown step";
	}
}

/* What the child needs, computed before fork(). */
struct spawn_prep {
	const char *shell;
	char *argv0;
	char *argv[4];
	char *const *envp;
	bool drop;
	gid_t *groups;
	int ngroups;
};

static char *const empty_env[] = {NULL};

static void
prep_clear(struct spawn_prep *pp)
{
	free(pp->argv0);
	free(pp->groups);
	memset(pp, 0, sizeof(*pp));
}

static int
prep_build(const struct session_spec *s, struct spawn_prep *pp)
{
	const char *base;
	int n;

	memset(pp, 0, sizeof(*pp));
	pp->shell = s->shell != NULL && s->shell[0] != '\0'
	                ? s->shell
	                : SESSION_DEFAULT_SHELL;
	base = strrchr(pp->shell, '/');
	base = base != NULL ? base + 1 : pp->shell;
	/* A login shell is told so by a '-' before its name. */
	if (asprintf(&pp->argv0, "%s%s", s->command == NULL ? "-" : "", base) <
	    0) {
		pp->argv0 = NULL;
		return SESH_ERR_NOMEM;
	}
	pp->argv[0] = pp->argv0;
	if (s->command != NULL) {
		pp->argv[1] = (char *)"-c";
		pp->argv[2] = (char *)s->command;
	}
	pp->envp = s->env != NULL ? (char *const *)s->env : empty_env;
	if (geteuid() != 0) {
		if (s->uid != geteuid()) {
			/* Only root may start a session as someone else. */
			errno = EPERM;
			log_error("session: cannot run as uid %u without root",
			          (unsigned)s->uid);
			return SESH_ERR_SYSTEM;
		}
		return 0;
	}
	if (s->user == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	pp->drop = true;
	/* initgroups(user, gid) in two halves: the NSS lookup here, the
	 * setgroups() in the child. */
	n = 64;
	for (;;) {
		int got = n;

		free(pp->groups);
		if ((pp->groups = mem_array((size_t)n, sizeof(gid_t))) ==
		    NULL) {
			return SESH_ERR_NOMEM;
		}
		if (getgrouplist(s->user, s->gid, pp->groups, &got) >= 0) {
			pp->ngroups = got;
			break;
		}
		if (got <= n || got > SESSION_MAX_GROUPS) {
			log_error("session: group list of %s unavailable",
			          s->user);
			return SESH_ERR_SYSTEM;
		}
		n = got;
	}
	return 0;
}

/* Child only: report a failed step and die. */
__attribute__((noreturn)) static void
child_fail(int status_fd, int stage)
{
	struct child_report r = {.stage = stage, .err = errno};
	ssize_t w;

	do {
		w = write(status_fd, &r, sizeof(r));
	} while (w < 0 && errno == EINTR);
	_exit(1);
}

/* Child only: a message on fd 2, as sshd's child prints with stdio. */
__attribute__((format(printf, 1, 2))) static void
child_msg(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	ssize_t w;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n <= 0) {
		return;
	}
	if ((size_t)n >= sizeof(buf)) {
		n = (int)sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	do {
		w = write(STDERR_FILENO, buf, (size_t)n);
	} while (w < 0 && errno == EINTR);
}

/* Child only: closes every descriptor from lo up. */
static void
child_close_from(int lo)
{
	long max;
	int fd;

	if (close_range((unsigned)lo, ~0U, 0) == 0) {
		return;
	}
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 1048576) {
		max = 1048576;
	}
	for (fd = lo; fd < max; fd++) {
		close(fd);
	}
}

static void
child_reset_signals(void)
{
	struct sigaction sa;
	sigset_t all;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		/* KILL, STOP and libc's reserved signals refuse; fine. */
		(void)sigaction(sig, &sa, NULL);
	}
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
}

/*
 * Child only. fds[0..2] are what becomes stdin, stdout and stderr (all
 * the pty slave with a pty); status_fd is the report pipe.
 */
__attribute__((noreturn)) static void
child_run(const struct session_spec *s, const struct spawn_prep *pp,
          const int fds[3], int status_fd)
{
	int hi[3], st, k;

	child_reset_signals();
	(void)setsid();
	/* Lift everything above 2 first so the dup2()s below cannot
	 * clobber a descriptor still needed. */
	if ((st = fcntl(status_fd, F_DUPFD_CLOEXEC, 3)) < 0) {
		_exit(1);
	}
	for (k = 0; k < 3; k++) {
		if ((hi[k] = fcntl(fds[k], F_DUPFD_CLOEXEC, 3)) < 0) {
			child_fail(st, ST_FDS);
		}
	}
	if (s->pty != NULL && ioctl(hi[0], TIOCSCTTY, 0) != 0) {
		child_fail(st, ST_CTTY);
	}
	for (k = 0; k < 3; k++) {
		if (dup2(hi[k], k) != k) {
			child_fail(st, ST_FDS);
		}
	}
	if (st != 3) {
		if (dup3(st, 3, O_CLOEXEC) != 3) {
			child_fail(st, ST_FDS);
		}
		st = 3;
	}
	child_close_from(4);

	if (pp->drop) {
		if (setgroups((size_t)pp->ngroups, pp->groups) != 0) {
			child_fail(st, ST_SETGROUPS);
		}
		if (setgid(s->gid) != 0) {
			child_fail(st, ST_SETGID);
		}
		if (setuid(s->uid) != 0) {
			child_fail(st, ST_SETUID);
		}
		if (getuid() != s->uid || geteuid() != s->uid ||
		    getgid() != s->gid || getegid() != s->gid) {
			errno = EPERM;
			child_fail(st, ST_SETUID);
		}
		if (s->uid != 0 && setuid(0) == 0) {
			errno = EPERM;
			child_fail(st, ST_REGAIN);
		}
	}
	if (s->chdir_home) {
		const char *home = s->home != NULL ? s->home : "";

		if (chdir(home) != 0) {
			child_msg("Could not chdir to home directory %s: %s\n",
			          home, strerror(errno));
			if (chdir("/") != 0) {
				/* nothing better to try */
			}
		}
	}
	execve(pp->shell, pp->argv, pp->envp);
	child_msg("%s: %s\n", pp->shell, strerror(errno));
	_exit(1);
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

int
session_spawn(const struct session_spec *s, struct session_proc *out)
{
	struct spawn_prep pp;
	struct child_report rep;
	/* [0] stdin, [1] stdout, [2] stderr; each [read, write] */
	int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
	int status[2] = {-1, -1};
	int child_fds[3];
	pid_t pid = -1;
	ssize_t r;
	size_t got;
	int ret, k;

	out->pid = -1;
	out->in_fd = out->out_fd = out->err_fd = -1;
	if ((ret = prep_build(s, &pp)) != 0) {
		goto out;
	}
	ret = SESH_ERR_SYSTEM;
	if (s->pty != NULL) {
		if (s->pty->master < 0 || s->pty->slave < 0) {
			ret = SESH_ERR_INVALID_ARGUMENT;
			goto out;
		}
		child_fds[0] = child_fds[1] = child_fds[2] = s->pty->slave;
	} else {
		for (k = 0; k < 3; k++) {
			if (pipe2(pipes[k], O_CLOEXEC) != 0) {
				log_error("session: pipe: %s", strerror(errno));
				goto out;
			}
		}
		child_fds[0] = pipes[0][0];
		child_fds[1] = pipes[1][1];
		child_fds[2] = pipes[2][1];
		if (set_nonblock(pipes[0][1]) != 0 ||
		    set_nonblock(pipes[1][0]) != 0 ||
		    set_nonblock(pipes[2][0]) != 0) {
			log_error("session: fcntl: %s", strerror(errno));
			goto out;
		}
		/* bulk stdin/stdout: a larger pipe means fewer wake-ups of
		 * the child and of us (best effort: the default stays) */
		(void)fcntl(pipes[0][1], F_SETPIPE_SZ, SESSION_PIPE_SIZE);
		(void)fcntl(pipes[1][0], F_SETPIPE_SZ, SESSION_PIPE_SIZE);
	}
	if (pipe2(status, O_CLOEXEC) != 0) {
		log_error("session: pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		log_error("session: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		child_run(s, &pp, child_fds, status[1]);
	}
	/* Parent: the child's ends are the child's now. */
	close_fd(&status[1]);
	if (s->pty != NULL) {
		close_fd(&s->pty->slave);
	} else {
		close_fd(&pipes[0][0]);
		close_fd(&pipes[1][1]);
		close_fd(&pipes[2][1]);
	}
	got = 0;
	while (got < sizeof(rep)) {
		r = read(status[0], (char *)&rep + got, sizeof(rep) - got);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		got += (size_t)r;
	}
	if (got != 0) {
		/* The child stopped before execve(). */
		if (got == sizeof(rep)) {
			log_error("session for %s: %s: %s",
			          s->user != NULL ? s->user : "?",
			          stage_name(rep.stage), strerror(rep.err));
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
		}
		pid = -1;
		goto out;
	}
	out->pid = pid;
	if (s->pty != NULL) {
		out->in_fd = out->out_fd = s->pty->master;
	} else {
		out->in_fd = pipes[0][1];
		out->out_fd = pipes[1][0];
		out->err_fd = pipes[2][0];
		pipes[0][1] = pipes[1][0] = pipes[2][0] = -1;
	}
	ret = 0;
out:
	for (k = 0; k < 3; k++) {
		close_fd(&pipes[k][0]);
		close_fd(&pipes[k][1]);
	}
	close_fd(&status[0]);
	close_fd(&status[1]);
	prep_clear(&pp);
	return ret;
}
