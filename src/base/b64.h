/*
 * b64.h - base64 (RFC 4648 §4, the standard alphabet) into and out of a
 * struct buf.
 *
 * Every function appends to the buffer it is given and, on error, leaves
 * it exactly as it was (nothing appended). Encoders return 0,
 * SESH_ERR_LIMIT (the buffer's cap, or a size overflow) or SESH_ERR_NOMEM.
 * The decoder additionally returns SESH_ERR_INVALID_FORMAT for any input
 * that is not canonical, padded base64. Buffers holding secrets should be
 * marked with buf_set_secret() before the call.
 */
#ifndef SESH_BASE_B64_H
#define SESH_BASE_B64_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Encoded length of n bytes with padding, no line breaks; false on
 * overflow. */
bool b64_encoded_len(size_t n, size_t *out);

/* Padded base64 of p[0..n) on one line, no terminator. */
int b64_encode(struct buf *out, const void *p, size_t n);

/*
 * Padded base64 of p[0..n) broken into lines of width characters (the
 * last may be shorter), each ended by '\n' (so the output ends with '\n'
 * when n > 0). width 0 means no line breaks and no final '\n'.
 */
int b64_encode_wrapped(struct buf *out, const void *p, size_t n, size_t width);

/* Base64 without '=' padding, one line, as in SHA256 fingerprints. */
int b64_encode_unpadded(struct buf *out, const void *p, size_t n);

/*
 * Decodes s[0..n). Whitespace (space, tab, CR, LF, VT, FF) anywhere is
 * ignored. Otherwise the input must be whole 4-character groups of the
 * standard alphabet; '=' may appear only as one or two final padding
 * characters of the last group, whose unused bits must be zero. A NUL
 * byte is an invalid character. Empty (or all-whitespace) input decodes
 * to nothing. Returns 0, SESH_ERR_INVALID_FORMAT, SESH_ERR_LIMIT or
 * SESH_ERR_NOMEM.
 */
int b64_decode(struct buf *out, const char *s, size_t n);

#endif
