/*
 * fuzz_privsep_req.c - libFuzzer target for app/privsep_req.h: the same
 * input goes to the request parser (whatever parses must build again to
 * the same bytes: the encoding is canonical), the answer parser and the
 * hostkeys-prove key list parser (views must lie inside the input).
 * Nothing may crash or leak.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/privsep_req.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(struct privsep_view v, const uint8_t *p, size_t n)
{
	if (v.n == 0) {
		return;
	}
	if (v.p < p || v.n > n || (size_t)(v.p - p) > n - v.n) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct privsep_view keys[PRIVSEP_MAX_PROVE_KEYS], sig;
	struct privsep_req q;
	struct buf b;
	size_t count, i;
	bool ok;

	if (size > 1024 * 1024) {
		return 0;
	}
	if (privsep_req_parse(data, size, &q) == 0) {
		inside(q.blob, data, size);
		inside(q.hash, data, size);
		buf_init(&b, 0);
		if (privsep_req_build(&q, &b) != 0 || buf_len(&b) != size ||
		    memcmp(buf_data(&b), data, size) != 0) {
			abort();
		}
		buf_clear(&b);
	}
	if (privsep_answer_parse(data, size, &ok, &sig) == 0) {
		inside(sig, data, size);
		if (!ok && sig.n != 0) {
			abort();
		}
	}
	if (privsep_prove_list_parse(data, size, keys, PRIVSEP_MAX_PROVE_KEYS,
	                             &count) == 0) {
		if (count == 0 || count > PRIVSEP_MAX_PROVE_KEYS) {
			abort();
		}
		for (i = 0; i < count; i++) {
			if (keys[i].n == 0) {
				abort();
			}
			inside(keys[i], data, size);
		}
	}
	return 0;
}
