/*
 * fuzz_penalty.c - libFuzzer target for seshd's per-source penalties
 * (src/app/penalty.h): the PerSourcePenaltyExemptList parser and the
 * penalty table driven by a stream of operations.
 *
 * Input: an exempt list up to the first '\n' (none when empty), then a
 * settings byte (overflow modes, netblock sizes, min/max), then records
 * of 1 op byte, 1 time byte (seconds to advance), and 4 or 16 address
 * bytes (IPv4 when the op's low bit is clear).
 *
 * Checked: the parser returns 0 or an error with a reason and never a
 * half-built list; each family stays within max-sources; a penalty just
 * reported active refuses its source at once; an exempt source is never
 * refused or recorded; everything is freed (ASan/LSan).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/penalty.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct penalty_conf pc;
	struct penalty_table *t = NULL;
	struct penalty_exempt *ex = NULL;
	const uint8_t *nl;
	char *list = NULL;
	const char *why = NULL;
	size_t llen, off;
	int64_t now = 0;
	uint8_t set;
	int ret;

	if (size > 8192) {
		return 0;
	}
	nl = memchr(data, '\n', size);
	llen = nl != NULL ? (size_t)(nl - data) : size;
	ret = penalty_exempt_parse((const char *)data, llen, &ex, &why);
	if (ret == 0) {
		if (ex == NULL) {
			abort();
		}
	} else if (ex != NULL || why == NULL ||
	           (ret != SESH_ERR_INVALID_ARGUMENT && ret != SESH_ERR_LIMIT &&
	            ret != SESH_ERR_NOMEM)) {
		abort();
	}
	if (nl == NULL) {
		penalty_exempt_free(ex);
		return 0;
	}
	if (ret == 0 && llen > 0) {
		if ((list = malloc(llen + 1)) == NULL) {
			penalty_exempt_free(ex);
			return 0;
		}
		memcpy(list, data, llen);
		list[llen] = '\0';
		if (strlen(list) != llen) { /* a NUL inside: parse refused it */
			abort();
		}
	}
	off = llen + 1;
	set = off < size ? data[off++] : 0;
	penalty_conf_default(&pc);
	pc.max_sources4 = 1u + (set & 7u);
	pc.max_sources6 = 1u + ((set >> 3) & 3u);
	pc.overflow4 = (set & 0x20) ? PENALTY_OVERFLOW_DENY_ALL
	                            : PENALTY_OVERFLOW_PERMISSIVE;
	pc.overflow6 = (set & 0x40) ? PENALTY_OVERFLOW_DENY_ALL
	                            : PENALTY_OVERFLOW_PERMISSIVE;
	pc.min = (set & 0x80) ? 0 : 15;
	if (penalty_table_new(&pc, list, (set * 7u) % 33u, (set * 13u) % 129u,
	                      0x5eed, &t) != 0) {
		goto out;
	}
	while (off + 2 <= size) {
		uint8_t op = data[off], dt = data[off + 1];
		struct penalty_addr a;
		size_t alen = (op & 1) ? 16 : 4;
		enum penalty_outcome o;
		const char *reason;
		bool ok, exm;

		off += 2;
		if (off + alen > size) {
			break;
		}
		memset(&a, 0, sizeof(a));
		a.family = (op & 1) ? 6 : 4;
		memcpy(a.a, data + off, alen);
		off += alen;
		now += (int64_t)dt * 250;
		exm = ex != NULL && penalty_exempt_match(ex, &a);
		if (op & 2) {
			ok = penalty_check(t, &a, now, &reason);
			if ((exm && !ok) || (!ok && reason == NULL)) {
				abort();
			}
			continue;
		}
		o = penalty_record(t, &a, (enum penalty_kind)((op >> 2) % 5),
		                   now, NULL);
		if (exm && o != PENALTY_IGNORED) {
			abort();
		}
		if (o == PENALTY_ACTIVE && penalty_check(t, &a, now, NULL)) {
			abort();
		}
		if (penalty_count(t, 4) > pc.max_sources4 ||
		    penalty_count(t, 6) > pc.max_sources6) {
			abort();
		}
	}
out:
	penalty_table_free(t);
	penalty_exempt_free(ex);
	free(list);
	return 0;
}
