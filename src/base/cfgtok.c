/*
 * cfgtok.c - ssh_config / sshd_config line tokenizer; see cfgtok.h for
 * the accepted syntax. Pure: no I/O.
 */
#include "base/cfgtok.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char
ascii_lower(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return (char)(c - 'A' + 'a');
	}
	return c;
}

void
cfgtok_line_clear(struct cfgtok_line *l)
{
	if (l == NULL) {
		return;
	}
	free(l->store_);
	free(l->args);
	memset(l, 0, sizeof(*l));
}

/*
 * Copies one argument starting at s[*i] into dst (which has room: the
 * output is never longer than the input span), NUL-terminates it and
 * advances *i past it. Returns the bytes written (without NUL) via *wlen.
 */
static int
copy_arg(const char *s, size_t len, size_t *i, char *dst, size_t *wlen)
{
	size_t j = 0, k = *i;
	char quote = 0;

	while (k < len) {
		char c = s[k];

		if (c == '\\' && k + 1 < len &&
		    (s[k + 1] == '"' || s[k + 1] == '\'' || s[k + 1] == '\\' ||
		     (quote == 0 && is_blank(s[k + 1])))) {
			dst[j++] = s[k + 1];
			k += 2;
			continue;
		}
		if (quote == 0 && is_blank(c)) {
			break;
		}
		if (quote == 0 && (c == '"' || c == '\'')) {
			quote = c;
		} else if (quote != 0 && c == quote) {
			quote = 0;
		} else {
			dst[j++] = c;
		}
		k++;
	}
	if (quote != 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	dst[j] = '\0';
	*i = k;
	*wlen = j;
	return 0;
}

int
cfgtok_parse_line(const char *line, size_t n, size_t lineno,
                  struct cfgtok_line *out)
{
	struct cfgtok_line l = {0};
	size_t len = n, i = 0, w = 0, nargs = 0, a, wlen;
	size_t *offs = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(out, 0, sizeof(*out));
	out->lineno = lineno;
	if (line == NULL && n != 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	l.lineno = lineno;
	if (len > 0 && line[len - 1] == '\n') {
		len--;
	}
	if (len > CFGTOK_MAX_LINE) {
		return SESH_ERR_LIMIT;
	}
	if (len > 0 && memchr(line, '\0', len) != NULL) {
		return SESH_ERR_INVALID_FORMAT;
	}
	/* Trailing blanks, '\r' and form feeds carry no meaning. */
	while (len > 0 && (is_blank(line[len - 1]) || line[len - 1] == '\r' ||
	                   line[len - 1] == '\f')) {
		len--;
	}
	while (i < len && is_blank(line[i])) {
		i++;
	}
	if (i == len || line[i] == '#') {
		*out = l;
		return 0;
	}
	if ((l.store_ = malloc(len + 2)) == NULL ||
	    (offs = mem_array(CFGTOK_MAX_ARGS, sizeof(*offs))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	/* keyword: up to a blank or '=' */
	while (i < len && !is_blank(line[i]) && line[i] != '=') {
		l.store_[w++] = ascii_lower(line[i++]);
	}
	if (w == 0) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	l.store_[w++] = '\0';
	while (i < len && is_blank(line[i])) {
		i++;
	}
	if (i < len && line[i] == '=') {
		i++;
	}
	/* arguments */
	for (;;) {
		while (i < len && is_blank(line[i])) {
			i++;
		}
		if (i == len || line[i] == '#') {
			break;
		}
		if (nargs == CFGTOK_MAX_ARGS) {
			ret = SESH_ERR_LIMIT;
			goto out;
		}
		offs[nargs++] = w;
		if ((ret = copy_arg(line, len, &i, l.store_ + w, &wlen)) != 0) {
			goto out;
		}
		w += wlen + 1;
	}
	if ((l.args = mem_array(nargs + 1, sizeof(*l.args))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	for (a = 0; a < nargs; a++) {
		l.args[a] = l.store_ + offs[a];
	}
	l.args[nargs] = NULL;
	l.nargs = nargs;
	l.keyword = l.store_;
	*out = l;
	memset(&l, 0, sizeof(l));
	ret = 0;
out:
	free(offs);
	cfgtok_line_clear(&l);
	return ret;
}

bool
cfgtok_is(const struct cfgtok_line *l, const char *keyword)
{
	size_t i;

	if (l == NULL || l->keyword == NULL || keyword == NULL) {
		return false;
	}
	for (i = 0; keyword[i] != '\0' && l->keyword[i] != '\0'; i++) {
		if (ascii_lower(keyword[i]) != l->keyword[i]) {
			return false;
		}
	}
	return keyword[i] == '\0' && l->keyword[i] == '\0';
}

void
cfgtok_reader_init(struct cfgtok_reader *r, const char *p, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->n = p == NULL ? 0 : n;
}

int
cfgtok_next(struct cfgtok_reader *r, struct cfgtok_line *out, bool *eof)
{
	const char *nl;
	size_t start, end;
	int ret;

	if (out != NULL) {
		memset(out, 0, sizeof(*out));
	}
	if (eof != NULL) {
		*eof = false;
	}
	if (r == NULL || out == NULL || eof == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	while (r->pos < r->n) {
		start = r->pos;
		nl = memchr(r->p + start, '\n', r->n - start);
		end = nl == NULL ? r->n : (size_t)(nl - r->p) + 1;
		r->pos = end;
		r->lineno++;
		ret = cfgtok_parse_line(r->p + start, end - start, r->lineno,
		                        out);
		if (ret != 0) {
			return ret;
		}
		if (out->keyword != NULL) {
			return 0;
		}
		cfgtok_line_clear(out);
	}
	*eof = true;
	return 0;
}
