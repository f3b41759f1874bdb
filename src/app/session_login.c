/*
 * session_login.c - login records for pty sessions (see session.h):
 * utmp (who(1)) and wtmp (last(1)) through the utmpx API, and lastlog,
 * the binary file of struct lastlog records indexed by uid that gives
 * sshd's "Last login:" line.
 *
 * Records: ut_line is the tty without "/dev/"; ut_id is the last four
 * characters of it (as sshd abbreviates it), which is also the key
 * pututxline() matches, so the logout record replaces the login record
 * as a DEAD_PROCESS entry. A numeric host also fills ut_addr_v6.
 *
 * The lastlog line uses ctime's layout without its newline ("Last
 * login: Tue Nov 24 21:20:03 2026 from 192.0.2.1", no " from ..." when
 * the record has no host), in local time. A missing lastlog file or
 * record just means no line; a failed update is logged and ignored.
 */
#include "app/session_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <lastlog.h>
#include <paths.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "base/err.h"
#include "base/log.h"

/* Copies src into a fixed, not necessarily NUL-terminated field. */
static void
put_field(char *dst, size_t dsz, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	memset(dst, 0, dsz);
	if (n > dsz) {
		n = dsz;
	}
	if (n > 0) {
		memcpy(dst, src, n);
	}
}

/* "/dev/pts/3" -> "pts/3". */
static const char *
tty_line(const char *tty)
{
	if (tty != NULL && strncmp(tty, "/dev/", 5) == 0) {
		return tty + 5;
	}
	return tty != NULL ? tty : "";
}

/* The fields both records share: line, id, pid and time. */
static void
utmp_base(struct utmpx *ut, const char *tty, pid_t pid, short type)
{
	const char *line = tty_line(tty);
	size_t n = strlen(line);
	struct timeval tv;

	memset(ut, 0, sizeof(*ut));
	ut->ut_type = type;
	ut->ut_pid = pid;
	put_field(ut->ut_line, sizeof(ut->ut_line), line);
	/* The id is the line's tail: "pts/3" -> "ts/3". */
	put_field(ut->ut_id, sizeof(ut->ut_id),
	          n > sizeof(ut->ut_id) ? line + n - sizeof(ut->ut_id) : line);
	gettimeofday(&tv, NULL);
	/* Fields may be 32 bits wide (glibc's compat layout). */
	ut->ut_tv.tv_sec = tv.tv_sec;
	ut->ut_tv.tv_usec = tv.tv_usec;
}

static int
utmp_write(const char *utmp_path, const char *wtmp_path, const struct utmpx *ut)
{
	int ret = 0;

	if (utmp_path != NULL && utmpxname(utmp_path) != 0) {
		return SESH_ERR_SYSTEM;
	}
	setutxent();
	if (pututxline(ut) == NULL) {
		log_debug("utmp: pututxline %s: %s",
		          utmp_path != NULL ? utmp_path : _PATH_UTMPX,
		          strerror(errno));
		ret = SESH_ERR_SYSTEM;
	}
	endutxent();
	if (utmp_path != NULL) {
		(void)utmpxname(_PATH_UTMPX);
	}
	updwtmpx(wtmp_path != NULL ? wtmp_path : _PATH_WTMP, ut);
	return ret;
}

int
session_utmp_login_at(const char *utmp_path, const char *wtmp_path,
                      const char *tty, const char *user, const char *host,
                      pid_t pid)
{
	struct utmpx ut;
	struct in6_addr a6;
	struct in_addr a4;
	pid_t sid;

	if (tty == NULL || user == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	utmp_base(&ut, tty, pid, USER_PROCESS);
	put_field(ut.ut_user, sizeof(ut.ut_user), user);
	put_field(ut.ut_host, sizeof(ut.ut_host), host);
	if ((sid = getsid(pid)) > 0) {
		ut.ut_session = sid;
	}
	if (host != NULL && inet_pton(AF_INET, host, &a4) == 1) {
		memcpy(&ut.ut_addr_v6[0], &a4, sizeof(a4));
	} else if (host != NULL && inet_pton(AF_INET6, host, &a6) == 1) {
		memcpy(ut.ut_addr_v6, &a6, sizeof(ut.ut_addr_v6));
	}
	return utmp_write(utmp_path, wtmp_path, &ut);
}

int
session_utmp_logout_at(const char *utmp_path, const char *wtmp_path,
                       const char *tty, pid_t pid)
{
	struct utmpx ut;

	if (tty == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	utmp_base(&ut, tty, pid, DEAD_PROCESS);
	return utmp_write(utmp_path, wtmp_path, &ut);
}

int
session_utmp_login(const char *tty, const char *user, const char *host,
                   pid_t pid)
{
	return session_utmp_login_at(NULL, NULL, tty, user, host, pid);
}

int
session_utmp_logout(const char *tty, pid_t pid)
{
	return session_utmp_logout_at(NULL, NULL, tty, pid);
}

/* Reads uid's record; true when there is one with a time. */
static bool
lastlog_read(const char *path, off_t off, struct lastlog *ll)
{
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno != ENOENT) {
			log_debug("lastlog: open %s: %s", path,
			          strerror(errno));
		}
		return false;
	}
	do {
		r = pread(fd, ll, sizeof(*ll), off);
	} while (r < 0 && errno == EINTR);
	close(fd);
	return r == (ssize_t)sizeof(*ll) && ll->ll_time != 0;
}

static void
lastlog_update(const char *path, off_t off, const char *tty, const char *host)
{
	struct lastlog ll;
	ssize_t w;
	int fd;

	memset(&ll, 0, sizeof(ll));
	ll.ll_time = time(NULL);
	put_field(ll.ll_line, sizeof(ll.ll_line), tty_line(tty));
	put_field(ll.ll_host, sizeof(ll.ll_host), host);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		log_debug("lastlog: open %s: %s", path, strerror(errno));
		return;
	}
	do {
		w = pwrite(fd, &ll, sizeof(ll), off);
	} while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(ll)) {
		log_debug("lastlog: write %s: %s", path,
		          w < 0 ? strerror(errno) : "short write");
	}
	close(fd);
}

int
session_lastlog_at(const char *path, uid_t uid, const char *tty,
                   const char *host, bool update, char **out)
{
	struct lastlog ll;
	char when[64], from[sizeof(ll.ll_host) + 1];
	char *msg = NULL;
	off_t off = (off_t)uid * (off_t)sizeof(struct lastlog);
	time_t t;
	struct tm tm;

	*out = NULL;
	if (path == NULL) {
		path = _PATH_LASTLOG;
	}
	if (lastlog_read(path, off, &ll)) {
		t = (time_t)ll.ll_time;
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm) ==
		        0) {
			snprintf(when, sizeof(when), "%lld", (long long)t);
		}
		memcpy(from, ll.ll_host, sizeof(ll.ll_host));
		from[sizeof(ll.ll_host)] = '\0';
		if (from[0] != '\0') {
			if (asprintf(&msg, "Last login: %s from %s", when,
			             from) < 0) {
				return SESH_ERR_NOMEM;
			}
		} else if (asprintf(&msg, "Last login: %s", when) < 0) {
			return SESH_ERR_NOMEM;
		}
	}
	if (update) {
		lastlog_update(path, off, tty, host);
	}
	*out = msg;
	return 0;
}

int
session_lastlog(uid_t uid, const char *tty, const char *host, bool update,
                char **out)
{
	return session_lastlog_at(NULL, uid, tty, host, update, out);
}
