/*
 * fuzz_rd.c - libFuzzer target for the wire reader (struct rd,
 * src/base/buf.h).
 *
 * The input drives a loop over one reader: each step reads an opcode
 * byte (and, for some getters, a parameter byte) from the reader itself,
 * then calls the chosen getter on what follows. Checked on every call:
 * a failing getter returns a negative code and consumes nothing; a
 * succeeding one returns views that lie inside the input (every byte is
 * touched, so ASan sees any overrun) and obey the getter's contract
 * (canonical mpints, well-formed name-lists, NUL-free C strings). Sub-
 * readers from rd_sub() are driven by the same loop, to a small depth.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RD_MAX_STEPS 4096
#define RD_MAX_DEPTH 4

static volatile uint8_t rd_sink;

static void
touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= p[i];
	}
	rd_sink ^= x;
}

/* A view must lie within the reader's bytes. */
static void
check_view(const struct rd *r, const uint8_t *p, size_t n)
{
	if (n > 0 &&
	    (p < r->p || n > r->len || (size_t)(p - r->p) > r->len - n)) {
		abort();
	}
	touch(p, n);
}

static void
check_namelist(const uint8_t *list, size_t n)
{
	const uint8_t *name;
	size_t pos = 0, len, i, count = 0;
	char tmp[SESH_MAX_NAME + 1];

	while (namelist_next(list, n, &pos, &name, &len)) {
		if (len == 0 || len > SESH_MAX_NAME) {
			abort();
		}
		for (i = 0; i < len; i++) {
			if (name[i] == ',' || name[i] <= ' ' ||
			    name[i] >= 0x7f) {
				abort();
			}
		}
		memcpy(tmp, name, len);
		tmp[len] = '\0';
		if (!namelist_has(list, n, tmp)) {
			abort();
		}
		if (++count > n) {
			abort(); /* iteration must make progress */
		}
	}
}

static void drive(struct rd *r, unsigned int depth, unsigned int *steps);

/* One getter call; returns its result. */
static int
step(struct rd *r, uint8_t op, uint8_t arg, unsigned int depth,
     unsigned int *steps)
{
	const uint8_t *p;
	uint8_t b8, bytes[256];
	uint32_t v32;
	uint64_t v64;
	bool bv;
	size_t n;
	char *s = NULL;
	struct rd sub;
	int ret;

	switch (op % 17) {
	case 0:
		ret = rd_u8(r, &b8);
		break;
	case 1:
		ret = rd_expect_u8(r, arg);
		break;
	case 2:
		ret = rd_bool(r, &bv);
		break;
	case 3:
		ret = rd_u32(r, &v32);
		break;
	case 4:
		ret = rd_u64(r, &v64);
		break;
	case 5:
		ret = rd_bytes(r, bytes, arg);
		break;
	case 6:
		if ((ret = rd_view(r, arg, &p)) == 0) {
			check_view(r, p, arg);
		}
		break;
	case 7:
		ret = rd_skip(r, arg);
		break;
	case 8:
		if ((ret = rd_string(r, &p, &n)) == 0) {
			check_view(r, p, n);
		}
		break;
	case 9:
		if ((ret = rd_string_max(r, arg, &p, &n)) == 0) {
			if (n > arg) {
				abort();
			}
			check_view(r, p, n);
		}
		break;
	case 10:
		if ((ret = rd_sub(r, &sub)) == 0) {
			check_view(r, sub.p, sub.len);
			if (depth < RD_MAX_DEPTH) {
				drive(&sub, depth + 1, steps);
			}
		}
		break;
	case 11:
		if ((ret = rd_cstring(r, arg, &s)) == 0) {
			if (s == NULL || strlen(s) > arg) {
				abort();
			}
			free(s);
		} else if (s != NULL) {
			abort();
		}
		break;
	case 12:
		ret = rd_expect_cstring(r, (arg & 1) ? "ssh-ed25519" : "");
		break;
	case 13: {
		size_t maxbits = (size_t)arg * 8;

		if ((ret = rd_mpint(r, maxbits, &p, &n)) == 0) {
			check_view(r, p, n);
			if (n > 0 && (p[0] == 0 || (maxbits != 0 &&
			                            n > (maxbits + 7) / 8))) {
				abort();
			}
		}
		break;
	}
	case 14:
		if ((ret = rd_namelist(r, &p, &n)) == 0) {
			check_view(r, p, n);
			check_namelist(p, n);
		}
		break;
	case 15:
		ret = rd_end(r);
		if ((ret == 0) != (rd_left(r) == 0)) {
			abort();
		}
		break;
	default:
		touch(rd_ptr(r), rd_left(r));
		ret = 0;
		break;
	}
	(void)steps;
	return ret;
}

static void
drive(struct rd *r, unsigned int depth, unsigned int *steps)
{
	uint8_t op, arg;
	size_t before;
	int ret;

	while (rd_left(r) > 0 && *steps < RD_MAX_STEPS) {
		(*steps)++;
		if (rd_u8(r, &op) != 0 || rd_u8(r, &arg) != 0) {
			return;
		}
		before = r->off;
		ret = step(r, op, arg, depth, steps);
		if (ret > 0 || ret < SESH_ERR_FIRST_) {
			abort();
		}
		if (ret != 0 && r->off != before) {
			abort(); /* failures consume nothing */
		}
		if (r->off > r->len) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r;
	unsigned int steps = 0;

	rd_init(&r, data, size);
	drive(&r, 0, &steps);
	return 0;
}
