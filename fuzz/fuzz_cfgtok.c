/*
 * fuzz_cfgtok.c - libFuzzer target for the config-file tokenizer
 * (src/base/cfgtok.h).
 *
 * The input is tokenized as one line and as a whole file. Checked:
 * failures leave the output zeroed, every returned string is
 * NUL-terminated within bounds, line numbers only grow, and everything
 * is freed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/cfgtok.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_line(const struct cfgtok_line *l, size_t size)
{
	size_t i;

	if (l->keyword == NULL) {
		if (l->nargs != 0) {
			abort();
		}
		return;
	}
	if (strlen(l->keyword) == 0 || strlen(l->keyword) > size) {
		abort();
	}
	for (i = 0; i < l->nargs; i++) {
		if (l->args[i] == NULL || strlen(l->args[i]) > size) {
			abort();
		}
	}
	if (l->args[l->nargs] != NULL) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfgtok_line l;
	struct cfgtok_reader r;
	size_t last = 0, rounds = 0;
	bool eof = false;
	int ret;

	ret = cfgtok_parse_line((const char *)data, size, 1, &l);
	if (ret != 0) {
		if (ret > 0 || l.keyword != NULL || l.args != NULL) {
			abort();
		}
	} else {
		check_line(&l, size);
		cfgtok_line_clear(&l);
	}

	cfgtok_reader_init(&r, (const char *)data, size);
	while (!eof) {
		ret = cfgtok_next(&r, &l, &eof);
		if (++rounds > size + 2) {
			abort(); /* every call consumes a line */
		}
		if (r.lineno < last) {
			abort();
		}
		last = r.lineno;
		if (ret != 0) {
			if (ret > 0 || l.keyword != NULL || eof) {
				abort();
			}
			continue;
		}
		if (eof) {
			if (l.keyword != NULL) {
				abort();
			}
			break;
		}
		if (l.keyword == NULL || l.lineno != r.lineno) {
			abort();
		}
		check_line(&l, size);
		cfgtok_line_clear(&l);
	}
	return 0;
}
