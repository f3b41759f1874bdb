/*
 * cfgtok.h - the line tokenizer shared by ssh_config and sshd_config
 * parsing (ssh_config(5), sshd_config(5) "keyword argument" syntax).
 *
 * Contract, following what OpenSSH accepts:
 *  - Input is split into lines at '\n'; a "\r" before it and trailing
 *    spaces, tabs and form feeds are ignored. Lines are numbered from 1.
 *  - A line is blank, a comment (first non-blank byte '#'), or
 *    "keyword args...". The keyword ends at a space, tab or '='; between
 *    it and the first argument there may be blanks and at most one '='
 *    ("Port 22", "Port=22", "Port = 22"). Keywords are returned
 *    lowercased (they compare case-insensitively).
 *  - Arguments are separated by blanks. Inside an argument, "..." or
 *    '...' quote blanks ('"a b"' is one argument "a b"); a backslash
 *    before a quote, a backslash, or (outside quotes) a blank makes it
 *    literal. A '#' at the start of an argument ends the line (a
 *    trailing comment). An unterminated quote is an error.
 *  - Bounds: a line is at most CFGTOK_MAX_LINE bytes, at most
 *    CFGTOK_MAX_ARGS arguments; NUL bytes are an error.
 *  - Pure: no I/O. Errors carry the line number (cfgtok_reader.lineno)
 *    so callers print "FILE line N: ..." as OpenSSH does.
 */
#ifndef SESH_BASE_CFGTOK_H
#define SESH_BASE_CFGTOK_H

#include <stdbool.h>
#include <stddef.h>

#define CFGTOK_MAX_LINE 16384u /* bytes in one line, without "\n" */
#define CFGTOK_MAX_ARGS 1024u  /* arguments after the keyword */

/* One tokenized line. Everything points into one owned allocation. */
struct cfgtok_line {
	size_t lineno; /* 1-based */
	char *keyword; /* lowercased, NUL-terminated; NULL if blank */
	char **args;   /* nargs NUL-terminated arguments, then NULL */
	size_t nargs;
	char *store_; /* private: backing storage */
};

/*
 * Tokenizes one line line[0..n) (a trailing "\n" or "\r\n" allowed).
 * lineno is recorded in out. A blank or comment line returns 0 with
 * out->keyword NULL and nargs 0. Release with cfgtok_line_clear.
 * Returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT (line or argument
 * count over the bounds), SESH_ERR_INVALID_FORMAT (NUL byte, empty
 * keyword before '=', unterminated quote) or SESH_ERR_NOMEM; on error
 * *out is zeroed (its lineno still set).
 */
int cfgtok_parse_line(const char *line, size_t n, size_t lineno,
                      struct cfgtok_line *out);
/* Frees what the line owns and zeroes it; NULL-safe. */
void cfgtok_line_clear(struct cfgtok_line *l);

/* Case-insensitive ASCII keyword comparison (l->keyword may be NULL). */
bool cfgtok_is(const struct cfgtok_line *l, const char *keyword);

/* Walks whole file content, one line at a time. Non-owning. */
struct cfgtok_reader {
	const char *p;
	size_t n;
	size_t pos;
	size_t lineno; /* number of the line last returned (or failed) */
};

void cfgtok_reader_init(struct cfgtok_reader *r, const char *p, size_t n);

/*
 * Returns the next line that has a keyword (blank and comment lines are
 * skipped) in *out, or sets *eof when the input is exhausted (then *out
 * is zeroed). On error, r->lineno names the bad line and the reader has
 * moved past it (the caller may stop or continue). Errors as
 * cfgtok_parse_line.
 */
int cfgtok_next(struct cfgtok_reader *r, struct cfgtok_line *out, bool *eof);

#endif
