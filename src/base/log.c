/*
 * log.c - the logger (see log.h): one formatted line per call, written
 * with a single write(2) to stderr or a file, or handed to syslog(3).
 *
 * Messages carry peer-chosen text (user names, version strings, PAM
 * prompts), so control characters are written as "\ooo" octal escapes
 * (as sshd's strnvis does): in a file or syslog every one but TAB, so
 * that nobody can forge a log line with an embedded newline; on stderr
 * TAB, LF, CR, BS and BEL stay (vis(3)'s VIS_SAFE), the rest (ESC
 * sequences that would drive the user's terminal) is escaped.
 */
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "base/err.h"

#define LOG_LINE_MAX 2048

enum log_sink { LOG_SINK_STDERR, LOG_SINK_FILE, LOG_SINK_SYSLOG, LOG_SINK_FN };

static const char *log_prog = "sesh";
static enum log_level log_level_cur = LOG_LVL_INFO;
static enum log_sink log_sink_cur = LOG_SINK_STDERR;
static int log_fd = -1;
static log_fn_t log_fn;
static void *log_fn_arg;

static const struct {
	const char *name;
	enum log_level level;
} log_levels[] = {
    {"QUIET", LOG_LVL_QUIET},     {"FATAL", LOG_LVL_FATAL},
    {"ERROR", LOG_LVL_ERROR},     {"INFO", LOG_LVL_INFO},
    {"VERBOSE", LOG_LVL_VERBOSE}, {"DEBUG1", LOG_LVL_DEBUG1},
    {"DEBUG2", LOG_LVL_DEBUG2},   {"DEBUG3", LOG_LVL_DEBUG3},
    {"DEBUG", LOG_LVL_DEBUG1},
};

static const struct {
	const char *name;
	int facility;
} log_facilities[] = {
    {"DAEMON", LOG_DAEMON},     {"USER", LOG_USER},     {"AUTH", LOG_AUTH},
    {"AUTHPRIV", LOG_AUTHPRIV}, {"LOCAL0", LOG_LOCAL0}, {"LOCAL1", LOG_LOCAL1},
    {"LOCAL2", LOG_LOCAL2},     {"LOCAL3", LOG_LOCAL3}, {"LOCAL4", LOG_LOCAL4},
    {"LOCAL5", LOG_LOCAL5},     {"LOCAL6", LOG_LOCAL6}, {"LOCAL7", LOG_LOCAL7},
};

void
log_init(const char *progname, enum log_level level)
{
	if (progname != NULL) {
		log_prog = progname;
	}
	log_level_cur = level;
}

void
log_set_level(enum log_level level)
{
	log_level_cur = level;
}

enum log_level
log_get_level(void)
{
	return log_level_cur;
}

static void
log_close_sink(void)
{
	if (log_sink_cur == LOG_SINK_FILE && log_fd >= 0) {
		close(log_fd);
	} else if (log_sink_cur == LOG_SINK_SYSLOG) {
		closelog();
	}
	log_fd = -1;
	log_fn = NULL;
	log_fn_arg = NULL;
	log_sink_cur = LOG_SINK_STDERR;
}

void
log_to_fn(log_fn_t fn, void *arg)
{
	log_close_sink();
	if (fn != NULL) {
		log_fn = fn;
		log_fn_arg = arg;
		log_sink_cur = LOG_SINK_FN;
	}
}

void
log_to_stderr(void)
{
	log_close_sink();
}

int
log_to_file(const char *path)
{
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		return SESH_ERR_SYSTEM;
	}
	log_close_sink();
	log_fd = fd;
	log_sink_cur = LOG_SINK_FILE;
	return 0;
}

void
log_to_syslog(int facility)
{
	log_close_sink();
	openlog(log_prog, LOG_PID | LOG_NDELAY, facility);
	log_sink_cur = LOG_SINK_SYSLOG;
}

bool
log_is_syslog(void)
{
	return log_sink_cur == LOG_SINK_SYSLOG;
}

/* Whether byte c is written as an octal escape on the current sink. */
static bool
log_unsafe(unsigned char c)
{
	if (c == '\t') {
		return false;
	}
	if (log_sink_cur == LOG_SINK_STDERR &&
	    (c == '\n' || c == '\r' || c == '\b' || c == '\a')) {
		return false;
	}
	return c < 0x20 || c == 0x7f;
}

/* Copies src[0..n) into dst (room for cap bytes, cap >= 1) with unsafe
 * bytes escaped, stopping before an escape that would not fit; returns
 * the length written (no terminator). */
static size_t
log_escape(char *dst, size_t cap, const char *src, size_t n)
{
	static const char digits[] = "01234567";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (!log_unsafe(c)) {
			if (o + 1 > cap) {
				break;
			}
			dst[o++] = (char)c;
			continue;
		}
		if (o + 4 > cap) {
			break;
		}
		dst[o++] = '\\';
		dst[o++] = digits[(c >> 6) & 7];
		dst[o++] = digits[(c >> 3) & 7];
		dst[o++] = digits[c & 7];
	}
	return o;
}

static int
log_syslog_priority(enum log_level level)
{
	switch (level) {
	case LOG_LVL_FATAL:
		return LOG_CRIT;
	case LOG_LVL_ERROR:
		return LOG_ERR;
	case LOG_LVL_INFO:
	case LOG_LVL_VERBOSE:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char raw[LOG_LINE_MAX], line[LOG_LINE_MAX];
	size_t len = 0, prefix;
	ssize_t w;
	va_list ap;
	int n;
	int saved = errno;

	if (level > log_level_cur || level == LOG_LVL_QUIET) {
		return;
	}
	if (level >= LOG_LVL_DEBUG1) {
		n = snprintf(line, sizeof(line),
		             "debug%d: ", (int)(level - LOG_LVL_DEBUG1 + 1));
		len = n > 0 ? (size_t)n : 0;
	}
	prefix = len;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n > 0) {
		/* truncated if long: keep room for "\n" or the NUL */
		len += log_escape(line + len, sizeof(line) - 1 - len, raw,
		                  (size_t)n < sizeof(raw) ? (size_t)n
		                                          : sizeof(raw) - 1);
	}
	if (log_sink_cur == LOG_SINK_FN) {
		line[len] = '\0';
		log_fn(log_fn_arg, level, line + prefix);
		errno = saved;
		return;
	}
	if (log_sink_cur == LOG_SINK_SYSLOG) {
		line[len] = '\0';
		syslog(log_syslog_priority(level), "%s", line);
		errno = saved;
		return;
	}
	line[len++] = '\n';
	w = write(log_sink_cur == LOG_SINK_FILE ? log_fd : STDERR_FILENO, line,
	          len);
	(void)w; /* nowhere left to report a failed log write */
	errno = saved;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (strcasecmp(s, log_levels[i].name) == 0) {
			*out = log_levels[i].level;
			return 0;
		}
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

const char *
log_level_name(enum log_level l)
{
	size_t i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (log_levels[i].level == l) {
			return log_levels[i].name;
		}
	}
	return "INFO";
}

int
log_facility_parse(const char *s, int *out)
{
	size_t i;

	for (i = 0; i < sizeof(log_facilities) / sizeof(log_facilities[0]);
	     i++) {
		if (strcasecmp(s, log_facilities[i].name) == 0) {
			*out = log_facilities[i].facility;
			return 0;
		}
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

const char *
log_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < sizeof(log_facilities) / sizeof(log_facilities[0]);
	     i++) {
		if (log_facilities[i].facility == facility) {
			return log_facilities[i].name;
		}
	}
	return NULL;
}
