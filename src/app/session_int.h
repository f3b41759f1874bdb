/*
 * session_int.h - internals of the session module shared with its unit
 * tests: the login-record functions with explicit file paths, so tests
 * can work on temporary copies instead of the system's files. NULL
 * paths mean the system files (_PATH_UTMPX, _PATH_WTMP, _PATH_LASTLOG).
 * And the pure half of session_pty_modes().
 */
#ifndef SESH_APP_SESSION_INT_H
#define SESH_APP_SESSION_INT_H

#include <termios.h>

#include "app/session.h"

int session_utmp_login_at(const char *utmp_path, const char *wtmp_path,
                          const char *tty, const char *user, const char *host,
                          pid_t pid);
int session_utmp_logout_at(const char *utmp_path, const char *wtmp_path,
                           const char *tty, pid_t pid);
int session_lastlog_at(const char *path, uid_t uid, const char *tty,
                       const char *host, bool update, char **out);

/* Applies RFC 4254 §8 modes to *tio (what session_pty_modes() does
 * between tcgetattr and tcsetattr). */
void session_pty_modes_apply(struct termios *tio, const struct chan_pty_mode *m,
                             size_t n);

#endif
