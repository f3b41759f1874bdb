/*
 * buf.h - the wire writer (struct buf) and the non-owning reader (struct rd).
 *
 * Writer: a growable byte array with a hard cap. Every put returns 0 or
 * SESH_ERR_LIMIT (cap reached) / SESH_ERR_NOMEM; on error nothing is
 * appended. A buffer marked secret (buf_set_secret) wipes memory on every
 * reset, growth and clear. Length-prefixed strings are built with
 * buf_begin()/buf_end(), never counted by hand.
 *
 * Reader: a view over bytes it does not own. Every getter checks bounds,
 * returns 0, SESH_ERR_TRUNCATED, SESH_ERR_LIMIT or SESH_ERR_INVALID_*,
 * and consumes nothing on failure. Views returned point into the
 * underlying bytes. Message parsers end with rd_end().
 *
 * Wire encodings are RFC 4251 §5: byte, boolean, uint32, uint64, string,
 * mpint (two's complement, big-endian, minimal), name-list.
 */
#ifndef SESH_BASE_BUF_H
#define SESH_BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUF_MAX_NEST 8

struct buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len */
	size_t nest[BUF_MAX_NEST];
	unsigned depth;
	bool secret;
};

/* Initialises an empty writer; max 0 means SESH_MAX_WRITER. */
void buf_init(struct buf *b, size_t max);
/* Marks the buffer as holding secrets: wiped on reset/growth/clear. */
void buf_set_secret(struct buf *b);
/* Frees memory (wiping it if secret); the buffer can be reused after. */
void buf_clear(struct buf *b);
/* Empties the buffer, keeping its memory (wiped if secret). */
void buf_reset(struct buf *b);
static inline const uint8_t *
buf_data(const struct buf *b)
{
	return b->p;
}
static inline size_t
buf_len(const struct buf *b)
{
	return b->len;
}
/* Makes room for n more bytes and returns a pointer to them in *out;
 * the bytes are appended (len grows by n), contents uninitialised. */
int buf_reserve(struct buf *b, size_t n, uint8_t **out);
/*
 * Makes room for at least n more bytes without appending them, for
 * reading straight into the buffer: *out points just past the data and
 * *room (optional) tells how many bytes are free there (>= n, within
 * max). buf_commit(b, k) then appends the first k of them.
 */
int buf_space(struct buf *b, size_t n, uint8_t **out, size_t *room);
/* Appends k bytes written at buf_space()'s pointer (k <= its room). */
int buf_commit(struct buf *b, size_t k);
/* Removes the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* Shrinks len to n (n <= len); the dropped tail is wiped if secret. */
void buf_truncate(struct buf *b, size_t n);

int buf_put(struct buf *b, const void *p, size_t n);
int buf_put_u8(struct buf *b, uint8_t v);
int buf_put_bool(struct buf *b, bool v);
int buf_put_u32(struct buf *b, uint32_t v);
int buf_put_u64(struct buf *b, uint64_t v);
int buf_put_string(struct buf *b, const void *p, size_t n);
int buf_put_cstring(struct buf *b, const char *s);
/* mpint from an unsigned big-endian magnitude (leading zeros allowed in
 * the input; written minimal, with a 0x00 prefix if the top bit is set). */
int buf_put_mpint(struct buf *b, const uint8_t *mag, size_t n);
/* Copies a reader's remaining bytes is not offered: use buf_put. */

/* Opens a length-prefixed string (writes a 4-byte placeholder). */
int buf_begin(struct buf *b);
/* Closes the innermost buf_begin(), filling in its length. Returns
 * SESH_ERR_INVALID_ARGUMENT if nothing is open. */
int buf_end(struct buf *b);

/* Takes ownership of b's memory: *out gets the bytes (NUL-terminated for
 * convenience, the terminator not counted in *n). b is left empty. */
int buf_steal(struct buf *b, uint8_t **out, size_t *n);

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

void rd_init(struct rd *r, const void *p, size_t n);
static inline size_t
rd_left(const struct rd *r)
{
	return r->len - r->off;
}
/* Pointer to the unread bytes. */
static inline const uint8_t *
rd_ptr(const struct rd *r)
{
	return r->p + r->off;
}

int rd_u8(struct rd *r, uint8_t *v);
/* SESH_ERR_PROTOCOL if the byte is not v. */
int rd_expect_u8(struct rd *r, uint8_t v);
/* Any non-zero byte is TRUE (RFC 4251 §5). */
int rd_bool(struct rd *r, bool *v);
int rd_u32(struct rd *r, uint32_t *v);
int rd_u64(struct rd *r, uint64_t *v);
/* Copies n raw bytes. */
int rd_bytes(struct rd *r, void *out, size_t n);
/* n raw bytes as a view. */
int rd_view(struct rd *r, size_t n, const uint8_t **p);
int rd_skip(struct rd *r, size_t n);
/* string as a view; length bounded by SESH_MAX_STRING. */
int rd_string(struct rd *r, const uint8_t **p, size_t *n);
/* string as a view, length bounded by max (SESH_ERR_LIMIT beyond). */
int rd_string_max(struct rd *r, size_t max, const uint8_t **p, size_t *n);
/* string read into a sub-reader. */
int rd_sub(struct rd *r, struct rd *sub);
/* string copied into a fresh NUL-terminated heap string (free()); strings
 * holding a NUL byte are SESH_ERR_INVALID_FORMAT; bounded by max. */
int rd_cstring(struct rd *r, size_t max, char **out);
/* Same as rd_string_max but compares with an expected text. Returns
 * SESH_ERR_INVALID_FORMAT if different. */
int rd_expect_cstring(struct rd *r, const char *s);
/*
 * mpint (RFC 4251 §5) that must be non-negative and canonical (no
 * superfluous leading 0x00, no negative values); *mag and *n are a view of the
 * magnitude without the sign byte (n == 0 for zero). Magnitudes over
 * maxbits bits are SESH_ERR_LIMIT; maxbits 0 means SESH_MAX_MPINT_BITS.
 */
int rd_mpint(struct rd *r, size_t maxbits, const uint8_t **mag, size_t *n);
/*
 * name-list (RFC 4251 §5): a string of comma-separated non-empty names of
 * printable US-ASCII (no comma, space or control bytes), bounded by
 * SESH_MAX_NAMELIST bytes and SESH_MAX_NAME per name. The view (*p, *n) is
 * the raw list.
 */
int rd_namelist(struct rd *r, const uint8_t **p, size_t *n);
/* SESH_ERR_TRAILING_DATA if bytes remain. */
int rd_end(const struct rd *r);

/* Name-list helpers over a validated list view. */
/* Is the name (NUL-terminated) one of the list's names? */
bool namelist_has(const uint8_t *list, size_t n, const char *name);
/* Iterates: *pos starts at 0; yields each name as a view; returns false at
 * the end. */
bool namelist_next(const uint8_t *list, size_t n, size_t *pos,
                   const uint8_t **name, size_t *name_len);

#endif
