/*
 * buf.c - the wire writer and reader (see buf.h). This is the one place
 * where pointer arithmetic on wire bytes happens; everything above uses
 * these bounds-checked accessors.
 */
#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max == 0 ? SESH_MAX_WRITER : max;
}

void
buf_set_secret(struct buf *b)
{
	b->secret = true;
}

void
buf_clear(struct buf *b)
{
	size_t max = b->max;
	bool secret = b->secret;

	if (b->p != NULL) {
		if (b->secret)
			mem_wipe(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
	b->max = max;
	b->secret = secret;
}

void
buf_reset(struct buf *b)
{
	if (b->secret && b->p != NULL)
		mem_wipe(b->p, b->len);
	b->len = 0;
	b->depth = 0;
}

/* Ensures room for n more bytes. Secret buffers never realloc in place:
 * the old block is wiped before it is freed. */
static int
buf_grow(struct buf *b, size_t n)
{
	size_t need, ncap;
	uint8_t *np;

	if (!size_add(b->len, n, &need) || need > b->max)
		return SESH_ERR_LIMIT;
	if (need <= b->cap)
		return 0;
	ncap = b->cap < 256 ? 256 : b->cap;
	while (ncap < need) {
		if (!size_mul(ncap, 2, &ncap)) {
			ncap = need;
			break;
		}
	}
	if (ncap > b->max)
		ncap = b->max;
	/* +1 keeps room for the terminator buf_steal adds. */
	if (!size_add(ncap, 1, &ncap))
		return SESH_ERR_LIMIT;
	if (b->secret) {
		if ((np = malloc(ncap)) == NULL)
			return SESH_ERR_NOMEM;
		if (b->p != NULL) {
			memcpy(np, b->p, b->len);
			mem_wipe(b->p, b->cap);
			free(b->p);
		}
	} else if ((np = realloc(b->p, ncap)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	b->p = np;
	b->cap = ncap - 1;
	return 0;
}

int
buf_reserve(struct buf *b, size_t n, uint8_t **out)
{
	int ret;

	*out = NULL;
	if ((ret = buf_grow(b, n)) != 0)
		return ret;
	*out = b->p + b->len;
	b->len += n;
	return 0;
}

int
buf_space(struct buf *b, size_t n, uint8_t **out, size_t *room)
{
	int ret;

	*out = NULL;
	if (room != NULL)
		*room = 0;
	if (n == 0)
		return SESH_ERR_INVALID_ARGUMENT;
	if ((ret = buf_grow(b, n)) != 0)
		return ret;
	*out = b->p + b->len;
	if (room != NULL)
		*room = (b->cap < b->max ? b->cap : b->max) - b->len;
	return 0;
}

int
buf_commit(struct buf *b, size_t k)
{
	size_t lim = b->cap < b->max ? b->cap : b->max;

	if (k > lim - b->len)
		return SESH_ERR_INVALID_ARGUMENT;
	b->len += k;
	return 0;
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n > b->len)
		n = b->len;
	if (n == 0)
		return;
	memmove(b->p, b->p + n, b->len - n);
	if (b->secret)
		mem_wipe(b->p + b->len - n, n);
	b->len -= n;
}

void
buf_truncate(struct buf *b, size_t n)
{
	if (n >= b->len)
		return;
	if (b->secret)
		mem_wipe(b->p + n, b->len - n);
	b->len = n;
}

int
buf_put(struct buf *b, const void *p, size_t n)
{
	uint8_t *dst;
	int ret;

	if (n == 0)
		return 0;
	if ((ret = buf_reserve(b, n, &dst)) != 0)
		return ret;
	memcpy(dst, p, n);
	return 0;
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	return buf_put(b, &v, 1);
}

int
buf_put_bool(struct buf *b, bool v)
{
	return buf_put_u8(b, v ? 1 : 0);
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
	                (uint8_t)(v >> 8), (uint8_t)v};

	return buf_put(b, x, sizeof(x));
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	uint8_t x[8];
	int i;

	for (i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (56 - 8 * i));
	return buf_put(b, x, sizeof(x));
}

int
buf_put_string(struct buf *b, const void *p, size_t n)
{
	size_t total;
	int ret;

	if (n > UINT32_MAX || !size_add(n, 4, &total))
		return SESH_ERR_LIMIT;
	if ((ret = buf_grow(b, total)) != 0)
		return ret;
	(void)buf_put_u32(b, (uint32_t)n);
	return buf_put(b, p, n);
}

int
buf_put_cstring(struct buf *b, const char *s)
{
	return buf_put_string(b, s, s == NULL ? 0 : strlen(s));
}

int
buf_put_mpint(struct buf *b, const uint8_t *mag, size_t n)
{
	size_t len, total;
	bool pad;
	int ret;

	while (n > 0 && mag[0] == 0) {
		mag++;
		n--;
	}
	pad = n > 0 && (mag[0] & 0x80) != 0;
	if (!size_add(n, pad ? 1 : 0, &len) || len > UINT32_MAX ||
	    !size_add(len, 4, &total))
		return SESH_ERR_LIMIT;
	if ((ret = buf_grow(b, total)) != 0)
		return ret;
	(void)buf_put_u32(b, (uint32_t)len);
	if (pad)
		(void)buf_put_u8(b, 0);
	return buf_put(b, mag, n);
}

int
buf_begin(struct buf *b)
{
	int ret;

	if (b->depth >= BUF_MAX_NEST)
		return SESH_ERR_LIMIT;
	if ((ret = buf_put_u32(b, 0)) != 0)
		return ret;
	b->nest[b->depth++] = b->len;
	return 0;
}

int
buf_end(struct buf *b)
{
	size_t start, n;

	if (b->depth == 0)
		return SESH_ERR_INVALID_ARGUMENT;
	start = b->nest[--b->depth];
	n = b->len - start;
	if (n > UINT32_MAX)
		return SESH_ERR_LIMIT;
	b->p[start - 4] = (uint8_t)(n >> 24);
	b->p[start - 3] = (uint8_t)(n >> 16);
	b->p[start - 2] = (uint8_t)(n >> 8);
	b->p[start - 1] = (uint8_t)n;
	return 0;
}

int
buf_steal(struct buf *b, uint8_t **out, size_t *n)
{
	int ret;

	*out = NULL;
	*n = 0;
	if (b->p == NULL && (ret = buf_grow(b, 1)) != 0)
		return ret;
	b->p[b->len] = '\0'; /* cap always leaves one spare byte */
	*out = b->p;
	*n = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	b->depth = 0;
	return 0;
}

/* ---- reader ---- */

void
rd_init(struct rd *r, const void *p, size_t n)
{
	r->p = p;
	r->len = p == NULL ? 0 : n;
	r->off = 0;
}

int
rd_view(struct rd *r, size_t n, const uint8_t **p)
{
	if (n > rd_left(r))
		return SESH_ERR_TRUNCATED;
	*p = r->p + r->off;
	r->off += n;
	return 0;
}

int
rd_skip(struct rd *r, size_t n)
{
	const uint8_t *p;

	return rd_view(r, n, &p);
}

int
rd_bytes(struct rd *r, void *out, size_t n)
{
	const uint8_t *p;
	int ret;

	if ((ret = rd_view(r, n, &p)) != 0)
		return ret;
	if (n > 0)
		memcpy(out, p, n);
	return 0;
}

int
rd_u8(struct rd *r, uint8_t *v)
{
	return rd_bytes(r, v, 1);
}

int
rd_expect_u8(struct rd *r, uint8_t v)
{
	uint8_t got;

	if (rd_left(r) < 1)
		return SESH_ERR_TRUNCATED;
	got = r->p[r->off];
	if (got != v)
		return SESH_ERR_PROTOCOL;
	r->off++;
	return 0;
}

int
rd_bool(struct rd *r, bool *v)
{
	uint8_t x;
	int ret;

	if ((ret = rd_u8(r, &x)) != 0)
		return ret;
	*v = x != 0;
	return 0;
}

static uint32_t
peek_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int
rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *p;
	int ret;

	if ((ret = rd_view(r, 4, &p)) != 0)
		return ret;
	*v = peek_u32(p);
	return 0;
}

int
rd_u64(struct rd *r, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	int ret, i;

	if ((ret = rd_view(r, 8, &p)) != 0)
		return ret;
	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	*v = x;
	return 0;
}

int
rd_string_max(struct rd *r, size_t max, const uint8_t **p, size_t *n)
{
	uint32_t len;

	if (rd_left(r) < 4)
		return SESH_ERR_TRUNCATED;
	len = peek_u32(r->p + r->off);
	if (len > max)
		return SESH_ERR_LIMIT;
	if (len > rd_left(r) - 4)
		return SESH_ERR_TRUNCATED;
	*p = r->p + r->off + 4;
	*n = len;
	r->off += 4 + (size_t)len;
	return 0;
}

int
rd_string(struct rd *r, const uint8_t **p, size_t *n)
{
	return rd_string_max(r, SESH_MAX_STRING, p, n);
}

int
rd_sub(struct rd *r, struct rd *sub)
{
	const uint8_t *p;
	size_t n;
	int ret;

	if ((ret = rd_string(r, &p, &n)) != 0)
		return ret;
	rd_init(sub, p, n);
	return 0;
}

int
rd_cstring(struct rd *r, size_t max, char **out)
{
	struct rd save = *r;
	const uint8_t *p;
	size_t n;
	char *s;
	int ret;

	*out = NULL;
	if ((ret = rd_string_max(r, max, &p, &n)) != 0)
		return ret;
	if (n > 0 && memchr(p, '\0', n) != NULL) {
		*r = save;
		return SESH_ERR_INVALID_FORMAT;
	}
	if ((s = malloc(n + 1)) == NULL) {
		*r = save;
		return SESH_ERR_NOMEM;
	}
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return 0;
}

int
rd_expect_cstring(struct rd *r, const char *s)
{
	struct rd save = *r;
	const uint8_t *p;
	size_t n, slen = strlen(s);
	int ret;

	if ((ret = rd_string(r, &p, &n)) != 0)
		return ret;
	if (n != slen || memcmp(p, s, n) != 0) {
		*r = save;
		return SESH_ERR_INVALID_FORMAT;
	}
	return 0;
}

int
rd_mpint(struct rd *r, size_t maxbits, const uint8_t **mag, size_t *n)
{
	struct rd save = *r;
	const uint8_t *p;
	size_t len, bits;
	int ret;

	if (maxbits == 0)
		maxbits = SESH_MAX_MPINT_BITS;
	if ((ret = rd_string(r, &p, &len)) != 0)
		return ret;
	ret = SESH_ERR_INVALID_MPINT;
	if (len > 0 && (p[0] & 0x80) != 0)
		goto fail; /* negative */
	if (len > 0 && p[0] == 0) {
		/* a leading zero is only allowed before a set top bit */
		if (len == 1 || (p[1] & 0x80) == 0)
			goto fail;
		p++;
		len--;
	}
	bits = len * 8;
	if (len > 0) {
		uint8_t top = p[0];

		while ((top & 0x80) == 0) {
			top <<= 1;
			bits--;
		}
	}
	if (bits > maxbits) {
		ret = SESH_ERR_LIMIT;
		goto fail;
	}
	*mag = p;
	*n = len;
	return 0;
fail:
	*r = save;
	return ret;
}

static bool
namelist_valid(const uint8_t *p, size_t n)
{
	size_t i, run = 0;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++) {
		if (p[i] == ',') {
			if (run == 0)
				return false;
			run = 0;
			continue;
		}
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return false;
		if (++run > SESH_MAX_NAME)
			return false;
	}
	return run > 0;
}

int
rd_namelist(struct rd *r, const uint8_t **p, size_t *n)
{
	struct rd save = *r;
	const uint8_t *lp;
	size_t ln;
	int ret;

	if ((ret = rd_string_max(r, SESH_MAX_NAMELIST, &lp, &ln)) != 0)
		return ret;
	if (!namelist_valid(lp, ln)) {
		*r = save;
		return SESH_ERR_INVALID_FORMAT;
	}
	*p = lp;
	*n = ln;
	return 0;
}

int
rd_end(const struct rd *r)
{
	return rd_left(r) == 0 ? 0 : SESH_ERR_TRAILING_DATA;
}

bool
namelist_next(const uint8_t *list, size_t n, size_t *pos, const uint8_t **name,
              size_t *name_len)
{
	size_t start = *pos, end;

	if (start >= n)
		return false;
	end = start;
	while (end < n && list[end] != ',')
		end++;
	*name = list + start;
	*name_len = end - start;
	*pos = end < n ? end + 1 : n;
	return true;
}

bool
namelist_has(const uint8_t *list, size_t n, const char *name)
{
	size_t pos = 0, nl, want = strlen(name);
	const uint8_t *nm;

	while (namelist_next(list, n, &pos, &nm, &nl)) {
		if (nl == want && memcmp(nm, name, nl) == 0)
			return true;
	}
	return false;
}
