/*
 * log.h - logging. Programs set a sink (stderr, a file, or syslog) and a
 * level; library code calls log_*(); the sans-I/O engine receives its
 * logger through its environment struct instead.
 *
 * Sinks: stderr (the default), a file opened for appending (ssh -E,
 * sshd -E), or syslog with an ident and facility (sshd's default). Lines
 * are written whole with one write so that processes sharing a sink do
 * not interleave within a line. Debug lines start "debugN: " as in
 * OpenSSH.
 */
#ifndef SESH_BASE_LOG_H
#define SESH_BASE_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LVL_QUIET = 0,
	LOG_LVL_FATAL,
	LOG_LVL_ERROR,
	LOG_LVL_INFO,
	LOG_LVL_VERBOSE,
	LOG_LVL_DEBUG1,
	LOG_LVL_DEBUG2,
	LOG_LVL_DEBUG3,
};

void log_init(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Back to stderr (closes a file sink, closelog()s syslog). */
void log_to_stderr(void);
/*
 * Appends to path (created 0600 if missing) from now on. Returns 0 or
 * SESH_ERR_SYSTEM (errno set; the sink is unchanged).
 */
int log_to_file(const char *path);
/* syslog(3) with ident progname and facility (LOG_AUTH, LOG_DAEMON, ...
 * as given by log_facility_parse); LOG_PID set. */
void log_to_syslog(int facility);
/*
 * Hands each line to fn (without the "debugN: " prefix and newline,
 * control bytes escaped) from now on: seshd's sandboxed child sends its
 * lines to the monitor. fn must not log. NULL: back to stderr.
 */
typedef void (*log_fn_t)(void *arg, enum log_level level, const char *line);
void log_to_fn(log_fn_t fn, void *arg);
/* True when the current sink is syslog. */
bool log_is_syslog(void);

/*
 * "QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG" (= DEBUG1),
 * "DEBUG1".."DEBUG3", ASCII case folded, as LogLevel takes them.
 * Returns 0 or SESH_ERR_INVALID_ARGUMENT.
 */
int log_level_parse(const char *s, enum log_level *out);
/* The LogLevel keyword spelling ("INFO", "DEBUG1", ...). */
const char *log_level_name(enum log_level l);
/* "AUTH", "AUTHPRIV", "DAEMON", "USER", "LOCAL0".."LOCAL7" (case
 * folded) -> LOG_* facility value. Returns 0 or
 * SESH_ERR_INVALID_ARGUMENT. */
int log_facility_parse(const char *s, int *out);
/* The SyslogFacility keyword spelling of a facility value, or NULL. */
const char *log_facility_name(int facility);

#define log_fatal(...)   log_msg(LOG_LVL_FATAL, __VA_ARGS__)
#define log_error(...)   log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_verbose(...) log_msg(LOG_LVL_VERBOSE, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_LVL_DEBUG1, __VA_ARGS__)
#define log_debug2(...)  log_msg(LOG_LVL_DEBUG2, __VA_ARGS__)
#define log_debug3(...)  log_msg(LOG_LVL_DEBUG3, __VA_ARGS__)

#endif
