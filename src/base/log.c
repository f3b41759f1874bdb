/* log.c - a minimal stderr logger (see log.h). */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *log_prog = "sesh";
static enum log_level log_level_cur = LOG_LVL_INFO;

void
log_init(const char *progname, enum log_level level)
{
	if (progname != NULL)
		log_prog = progname;
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

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level_cur || level == LOG_LVL_QUIET)
		return;
	va_start(ap, fmt);
	if (level >= LOG_LVL_DEBUG1)
		fprintf(stderr, "debug%d: ", (int)(level - LOG_LVL_DEBUG1 + 1));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
