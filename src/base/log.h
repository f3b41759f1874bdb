/*
 * log.h - logging. Programs set a sink (stderr or syslog) and a level;
 * library code calls log_*(); the sans-I/O engine receives its logger
 * through its environment struct instead.
 */
#ifndef SESH_BASE_LOG_H
#define SESH_BASE_LOG_H

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

#define log_error(...)   log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_verbose(...) log_msg(LOG_LVL_VERBOSE, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_LVL_DEBUG1, __VA_ARGS__)

#endif
