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
 * (tty group when it exists). Returns 0 or SESH_ERR_SYSTEM. */
int session_pty_open(uid_t uid, gid_t gid, struct session_pty *out);
/* Applies pty-req modes (RFC 4254 §8 opcodes) to the slave's termios;
 * unknown opcodes are ignored. Returns 0 or SESH_ERR_SYSTEM. */
int session_pty_modes(const struct session_pty *p,
                      const struct chan_pty_mode *m, size_t n);
/* TIOCSWINSZ on the master. */
int session_pty_winsize(const struct session_pty *p, uint32_t cols,
                        uint32_t rows, uint32_t xpix, uint32_t ypix);
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
 * SESH_ERR_SYSTEM or SESH_ERR_NOMEM. */
int session_spawn(const struct session_spec *s, struct session_proc *out);

/* The environment sshd gives a session: USER, LOGNAME, HOME, SHELL,
 * PATH (_PATH_STDPATH-like for root, default user path otherwise),
 * MAIL, TERM (if a pty), SSH_CLIENT, SSH_CONNECTION, SSH_TTY (pty),
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

/* utmp/wtmp login and logout records for a pty session (root only). */
int session_utmp_login(const char *tty, const char *user, const char *host,
                       pid_t pid);
int session_utmp_logout(const char *tty, pid_t pid);
/* The "Last login: ... from ..." line for PrintLastLog, from lastlog;
 * *out NULL when there is none. Updates lastlog when update is true
 * (root only). */
int session_lastlog(uid_t uid, const char *tty, const char *host, bool update,
                    char **out);

#endif
