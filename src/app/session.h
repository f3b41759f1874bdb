/*
 * session.h - seshd's session processes: pseudo-terminals (allocation,
 * terminal modes from pty-req, window size), the user's environment,
 * spawning the login shell or `shell -c command` (or a subsystem) as the
 * user, signals, exit status, and utmp/wtmp/lastlog records for pty
 * sessions.
 *
 * A session_proc gives the driver file descriptors to poll: with a pty,
 * one master fd for input and output (err_fd -1); without, pipes for
 * stdin, stdout and stderr. All fds are non-blocking and close-on-exec.
 *
 * Privileges: session_spawn() called as root drops to the user in the
 * child (initgroups, setgid, setuid, checked); called as the user it
 * just execs. Records in utmp/wtmp need root: session_utmp_login() /
 * _logout() are called by whoever holds it (they return SESH_ERR_SYSTEM
 * otherwise, which the driver logs and ignores).
 */
#ifndef SESH_APP_SESSION_H
#define SESH_APP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ssh/channel.h"

struct session_pty {
	int master;          /* -1: none */
	int slave;           /* kept open by the parent until spawn */
	char name[64];       /* "/dev/pts/3" */
};

/* Opens a pty pair; the slave is owned by uid/gid (when root), mode 0620
 * (tty group when it exists). The master is non-blocking; both are
 * close-on-exec and neither is our controlling tty. Returns 0 or
 * SESH_ERR_SYSTEM; on error *out is { -1, -1, "" }. */
int session_pty_open(uid_t uid, gid_t gid, struct session_pty *out);
/* Applies pty-req modes (RFC 4254 §8 opcodes) to the slave's termios;
 * unknown opcodes are ignored. Call it before session_spawn() (which
 * closes the parent's slave). Returns 0, SESH_ERR_SYSTEM, or
 * SESH_ERR_INVALID_ARGUMENT when the slave is already closed. */
int session_pty_modes(const struct session_pty *p,
                      const struct chan_pty_mode *m, size_t n);
/* TIOCSWINSZ on the master (values clamped to 16 bits); usable before
 * and after spawn (window-change). Returns 0, SESH_ERR_SYSTEM or
 * SESH_ERR_INVALID_ARGUMENT (no master). */
int session_pty_winsize(const struct session_pty *p, uint32_t cols,
                        uint32_t rows, uint32_t xpix, uint32_t ypix);
/* Closes whatever of master and slave is open and sets them to -1;
 * idempotent. The master's close ends the session's tty. */
void session_pty_close(struct session_pty *p);

struct session_spec {
	/* who */
	const char *user;
	uid_t uid;
	gid_t gid;
	const char *home;
	const char *shell; /* login shell; "" or NULL: /bin/sh */
	/* what: command NULL = interactive login shell ("-bash" argv0) */
	const char *command;
	/* environment: computed by session_env_build() or the caller,
	 * "N=V" strings, NULL-terminated */
	const char *const *env;
	/* pty: NULL for pipes; the slave becomes the controlling tty */
	struct session_pty *pty;
	bool chdir_home; /* chdir(home), "/" if that fails (as sshd) */
};

struct session_proc {
	pid_t pid;
	int in_fd;  /* pty master, or the write end of stdin's pipe */
	int out_fd; /* pty master (same fd), or stdout's read end */
	int err_fd; /* stderr's read end, -1 with a pty */
};

/* Forks and execs; *out gets the pid and parent's fds. Returns 0,
 * SESH_ERR_SYSTEM or SESH_ERR_NOMEM (*out is { -1, -1, -1, -1 } then).
 *
 * Fd ownership: with a pty, in_fd == out_fd == s->pty->master, still
 * owned by the session_pty (session_pty_close() closes it; do not close
 * it twice), and the parent's copy of the slave is closed here
 * (s->pty->slave becomes -1), so reading the master gives EIO once the
 * session's last process has let go of the tty. Without a pty the
 * caller owns and closes in_fd, out_fd and err_fd; closing in_fd is the
 * child's EOF on stdin.
 *
 * Failures of the child before execve() (controlling tty, privilege
 * drop) make this return SESH_ERR_SYSTEM with the child reaped. A
 * failing execve() is the session's own result, as with sshd: the
 * child prints "<shell>: <reason>" on its stderr and exits 1. Without
 * root, s->uid must be the caller's (SESH_ERR_SYSTEM otherwise). The
 * caller reaps the child (waitpid) when it exits. */
int session_spawn(const struct session_spec *s, struct session_proc *out);

/* The environment sshd gives a session: USER, LOGNAME, HOME, SHELL,
 * PATH (_PATH_STDPATH-like for root, default user path otherwise),
 * MAIL, TZ (the daemon's, if set), TERM (if a pty), SSH_CLIENT,
 * SSH_CONNECTION, SSH_TTY (pty),
 * SSH_ORIGINAL_COMMAND (forced commands), then the extra "N=V" entries
 * (PAM env, AcceptEnv'd client env, authorized_keys environment=)
 * where a later entry of the same name replaces an earlier one.
 * *out is a NULL-terminated owned array (session_env_free). */
struct session_env_info {
	const char *user, *home, *shell;
	uid_t uid;
	const char *term;        /* NULL without a pty */
	const char *tty;         /* "/dev/pts/3" or NULL */
	const char *raddr, *laddr;
	unsigned int rport, lport;
	const char *original_command; /* NULL unless forced */
	const char *const *extra;     /* NULL-terminated or NULL */
};
int session_env_build(const struct session_env_info *i, char ***out);
void session_env_free(char **env);

/* "INT", "TERM", "HUP", "KILL", ... (RFC 4254 §6.10 names, no "SIG")
 * -> signal number; 0 if unknown. And the reverse (NULL if not one of
 * the RFC's names). */
int session_signal_number(const char *name);
const char *session_signal_name(int sig);

/* utmp/wtmp login and logout records for a pty session (root only):
 * tty as "/dev/pts/3" (the "/dev/" is dropped for ut_line), host the
 * remote address or name, pid the session's process. Logout turns the
 * utmp entry into a DEAD_PROCESS one and appends a logout to wtmp.
 * Return 0, SESH_ERR_SYSTEM (utmp not writable) or
 * SESH_ERR_INVALID_ARGUMENT. */
int session_utmp_login(const char *tty, const char *user, const char *host,
                       pid_t pid);
int session_utmp_logout(const char *tty, pid_t pid);
/* The "Last login: ... from ..." line for PrintLastLog, from lastlog;
 * *out NULL when there is none. Updates lastlog when update is true
 * (root only). The line is sshd's ("Last login: Tue Nov 24 21:20:03
 * 2026 from 192.0.2.1", local time) WITHOUT a line ending: the caller
 * writes it followed by "\r\n" and frees it. A missing file or
 * failed update is not an error. Returns 0 or SESH_ERR_NOMEM. */
int session_lastlog(uid_t uid, const char *tty, const char *host, bool update,
                    char **out);

#endif
