/*
 * tty.c - passphrase prompts with echo off and unbuffered line reads
 * (see tty.h).
 *
 * Signal safety: the handlers installed during a read only record the
 * signal number (a sig_atomic_t). The signals stay blocked except inside
 * ppoll(2), which unblocks them atomically while waiting, so a signal
 * that arrives just before the wait cannot be lost (a plain read(2)
 * would then block forever with the terminal's echo off). After a caught
 * signal the terminal and the original handlers are restored, the mask
 * is restored, and the signal is re-raised.
 */
#include "app/tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"

static const int tty_signals[] = {
    SIGALRM, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU,
};
#define TTY_NSIG (sizeof(tty_signals) / sizeof(tty_signals[0]))

static volatile sig_atomic_t tty_caught;

static void
tty_handler(int sig)
{
	tty_caught = sig;
}

static void
write_str(int fd, const char *s)
{
	size_t n = strlen(s), off = 0;
	ssize_t w;

	while (off < n) {
		w = write(fd, s + off, n - off);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return;
		}
		off += (size_t)w;
	}
}

/*
 * Reads up to a newline (or CR when from a tty) byte by byte. Keeps at
 * most TTY_LINE_MAX bytes in buf (size TTY_LINE_MAX + 1). waitmask
 * non-NULL: wait in ppoll() with that signal mask before each read and
 * stop once a handled signal was recorded. Returns 0 and sets *len and
 * *eof, SESH_ERR_LIMIT (too long; rest consumed), or SESH_ERR_SYSTEM
 * (errno; EINTR when a handled signal arrived).
 */
static int
read_line_fd(int fd, bool stop_at_cr, const sigset_t *waitmask, char *buf,
             size_t *len, bool *eof)
{
	struct pollfd pfd;
	size_t n = 0;
	bool too_long = false;
	ssize_t r;
	char c;

	*len = 0;
	*eof = false;
	for (;;) {
		if (waitmask != NULL) {
			if (tty_caught != 0) {
				mem_wipe(buf, TTY_LINE_MAX + 1);
				errno = EINTR;
				return SESH_ERR_SYSTEM;
			}
			pfd.fd = fd;
			pfd.events = POLLIN;
			pfd.revents = 0;
			if (ppoll(&pfd, 1, NULL, waitmask) < 0) {
				if (errno == EINTR) {
					continue;
				}
				mem_wipe(buf, TTY_LINE_MAX + 1);
				return SESH_ERR_SYSTEM;
			}
		}
		r = read(fd, &c, 1);
		if (r < 0) {
			if (errno == EINTR && tty_caught == 0) {
				continue;
			}
			mem_wipe(buf, TTY_LINE_MAX + 1);
			return SESH_ERR_SYSTEM;
		}
		if (r == 0) {
			*eof = n == 0 && !too_long;
			break;
		}
		if (c == '\n' || (stop_at_cr && c == '\r')) {
			break;
		}
		if (n < TTY_LINE_MAX) {
			buf[n++] = c;
		} else {
			too_long = true;
		}
	}
	c = 0;
	if (too_long) {
		mem_wipe(buf, TTY_LINE_MAX + 1);
		return SESH_ERR_LIMIT;
	}
	buf[n] = '\0';
	*len = n;
	return 0;
}

static int
finish(char *buf, size_t len, char **out)
{
	char *s = malloc(len + 1);

	if (s == NULL) {
		mem_wipe(buf, TTY_LINE_MAX + 1);
		return SESH_ERR_NOMEM;
	}
	memcpy(s, buf, len);
	s[len] = '\0';
	mem_wipe(buf, TTY_LINE_MAX + 1);
	*out = s;
	return 0;
}

bool
tty_available(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		return false;
	}
	close(fd);
	return true;
}

int
tty_read_stdin_line(char **out, bool *eof)
{
	char buf[TTY_LINE_MAX + 1];
	size_t len = 0;
	int ret;

	*out = NULL;
	*eof = false;
	tty_caught = 0;
	if ((ret = read_line_fd(STDIN_FILENO, false, NULL, buf, &len, eof)) !=
	    0) {
		return ret;
	}
	if (len > 0 && buf[len - 1] == '\r') {
		buf[--len] = '\0';
	}
	return finish(buf, len, out);
}

/* One attempt at the tty read with echo off and signals caught. */
static int
read_tty_once(int fd, const char *prompt, char *buf, size_t *len, int *sig_out)
{
	struct sigaction sa, saved[TTY_NSIG];
	struct termios oterm, term;
	sigset_t block, oldmask;
	bool have_term, eof = false;
	size_t i;
	int ret, saved_errno;

	*sig_out = 0;
	tty_caught = 0;
	sigemptyset(&block);
	for (i = 0; i < TTY_NSIG; i++) {
		sigaddset(&block, tty_signals[i]);
	}
	(void)sigprocmask(SIG_BLOCK, &block, &oldmask);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	for (i = 0; i < TTY_NSIG; i++) {
		(void)sigaction(tty_signals[i], &sa, &saved[i]);
	}
	have_term = tcgetattr(fd, &oterm) == 0;
	if (have_term) {
		term = oterm;
		term.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		(void)tcsetattr(fd, TCSAFLUSH, &term);
	}
	write_str(fd, prompt);
	/* Signals are delivered only while waiting in ppoll(). */
	ret = read_line_fd(fd, true, &oldmask, buf, len, &eof);
	saved_errno = errno;
	if (have_term) {
		/* The newline the user typed was not echoed. */
		write_str(fd, "\n");
		(void)tcsetattr(fd, TCSAFLUSH, &oterm);
	}
	for (i = 0; i < TTY_NSIG; i++) {
		(void)sigaction(tty_signals[i], &saved[i], NULL);
	}
	*sig_out = tty_caught;
	/* Anything still pending now meets the original dispositions. */
	(void)sigprocmask(SIG_SETMASK, &oldmask, NULL);
	errno = saved_errno;
	return ret;
}

int
tty_read_passphrase(const char *prompt, char **out)
{
	char buf[TTY_LINE_MAX + 1];
	size_t len = 0;
	bool eof = false;
	int fd, ret, sig;

	*out = NULL;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		/* No terminal: prompt on stderr, read stdin (ssh-keygen). */
		write_str(STDERR_FILENO, prompt);
		tty_caught = 0;
		ret = read_line_fd(STDIN_FILENO, false, NULL, buf, &len, &eof);
		if (ret != 0) {
			return ret;
		}
		if (len > 0 && buf[len - 1] == '\r') {
			buf[--len] = '\0';
		}
		return finish(buf, len, out);
	}
	for (;;) {
		ret = read_tty_once(fd, prompt, buf, &len, &sig);
		if (sig == 0) {
			break;
		}
		/* Terminal restored: deliver the signal as if never caught. */
		(void)raise(sig);
		if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU) {
			/* Still alive: the caller ignores or handles it. */
			mem_wipe(buf, sizeof(buf));
			close(fd);
			errno = EINTR;
			return SESH_ERR_SYSTEM;
		}
		/* Continued after a stop: ask again. */
	}
	close(fd);
	if (ret != 0) {
		return ret;
	}
	return finish(buf, len, out);
}
