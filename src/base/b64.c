/*
 * b64.c - base64 encoding and strict decoding (RFC 4648 §4). See b64.h.
 *
 * Decoding makes two passes: the first validates the whole input and
 * counts the output bytes, the second writes them into space reserved
 * once, so a failure never leaves partial output behind.
 */
#include "base/b64.h"

#include <stdbool.h>

#include "base/err.h"
#include "base/mem.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define B64_PAD   64 /* '=' */
#define B64_SPACE 65 /* ignored whitespace */
#define B64_BAD   66 /* anything else */

/* Class or 6-bit value of an input character. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	switch (c) {
	case '+':
		return 62;
	case '/':
		return 63;
	case '=':
		return B64_PAD;
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	case '\v':
	case '\f':
		return B64_SPACE;
	default:
		return B64_BAD;
	}
}

bool
b64_encoded_len(size_t n, size_t *out)
{
	size_t groups = n / 3 + (n % 3 != 0);

	return size_mul(groups, 4, out);
}

/* Encodes one group of 1..3 bytes into 4 characters, padded with '='. */
static void
b64_group(const uint8_t *in, size_t k, uint8_t out[4])
{
	uint32_t v = (uint32_t)in[0] << 16;

	if (k > 1) {
		v |= (uint32_t)in[1] << 8;
	}
	if (k > 2) {
		v |= in[2];
	}
	out[0] = (uint8_t)b64_alphabet[(v >> 18) & 0x3f];
	out[1] = (uint8_t)b64_alphabet[(v >> 12) & 0x3f];
	out[2] = k > 1 ? (uint8_t)b64_alphabet[(v >> 6) & 0x3f] : '=';
	out[3] = k > 2 ? (uint8_t)b64_alphabet[v & 0x3f] : '=';
}

/*
 * The one encoder: padded or not, wrapped at width (0: never). Computes
 * the exact output size, reserves it once, then fills it.
 */
static int
b64_encode_impl(struct buf *out, const uint8_t *p, size_t n, bool pad,
                size_t width)
{
	uint8_t grp[4], *dst;
	size_t chars, total, lines = 0, col = 0, i, k, j, w = 0;
	int ret;

	if (!b64_encoded_len(n, &chars)) {
		return SESH_ERR_LIMIT;
	}
	if (!pad && n % 3 != 0) {
		chars -= 3 - n % 3; /* one or two '=' dropped */
	}
	if (width > 0) {
		lines = chars / width + (chars % width != 0);
	}
	if (!size_add(chars, lines, &total)) {
		return SESH_ERR_LIMIT;
	}
	if (total == 0) {
		return 0;
	}
	if ((ret = buf_reserve(out, total, &dst)) != 0) {
		return ret;
	}
	for (i = 0; i < n; i += 3) {
		k = n - i < 3 ? n - i : 3;
		b64_group(p + i, k, grp);
		for (j = 0; j < 4; j++) {
			if (!pad && grp[j] == '=') {
				break;
			}
			dst[w++] = grp[j];
			if (width > 0 && ++col == width) {
				dst[w++] = '\n';
				col = 0;
			}
		}
	}
	if (width > 0 && col != 0) {
		dst[w++] = '\n';
	}
	return 0;
}

int
b64_encode(struct buf *out, const void *p, size_t n)
{
	return b64_encode_impl(out, p, n, true, 0);
}

int
b64_encode_wrapped(struct buf *out, const void *p, size_t n, size_t width)
{
	return b64_encode_impl(out, p, n, true, width);
}

int
b64_encode_unpadded(struct buf *out, const void *p, size_t n)
{
	return b64_encode_impl(out, p, n, false, 0);
}

/*
 * Validates s[0..n) as strict padded base64 and counts its decoded
 * length. Returns 0 or SESH_ERR_INVALID_FORMAT.
 */
static int
b64_scan(const char *s, size_t n, size_t *outlen)
{
	size_t i, sig = 0, pads = 0;
	int v, last = 0;

	*outlen = 0;
	for (i = 0; i < n; i++) {
		v = b64_value((unsigned char)s[i]);
		if (v == B64_SPACE) {
			continue;
		}
		if (v == B64_BAD) {
			return SESH_ERR_INVALID_FORMAT;
		}
		if (v == B64_PAD) {
			/* '=' only in the third or fourth place of a group. */
			if (sig % 4 < 2) {
				return SESH_ERR_INVALID_FORMAT;
			}
			pads++;
		} else {
			if (pads > 0) {
				return SESH_ERR_INVALID_FORMAT; /* after '=' */
			}
			last = v;
		}
		sig++;
	}
	/* Whole groups only; "xx=" + "x" already failed above. */
	if (sig % 4 != 0 || pads > 2) {
		return SESH_ERR_INVALID_FORMAT;
	}
	/* One '=' must be in place 4 (not "xx=x" which fails above). Two
	 * '=' must occupy places 3 and 4. Unused low bits must be zero
	 * (RFC 4648 §3.5): 4 bits for "xx==", 2 bits for "xxx=". */
	if ((pads == 2 && (last & 0x0f) != 0) ||
	    (pads == 1 && (last & 0x03) != 0)) {
		return SESH_ERR_INVALID_FORMAT;
	}
	*outlen = sig / 4 * 3 - pads;
	return 0;
}

int
b64_decode(struct buf *out, const char *s, size_t n)
{
	uint8_t *dst;
	uint32_t acc = 0;
	size_t len, i, w = 0, orig = buf_len(out);
	unsigned int have = 0;
	int v, ret;

	if ((ret = b64_scan(s, n, &len)) != 0) {
		return ret;
	}
	if (len == 0) {
		return 0;
	}
	if ((ret = buf_reserve(out, len, &dst)) != 0) {
		return ret;
	}
	for (i = 0; i < n; i++) {
		v = b64_value((unsigned char)s[i]);
		if (v == B64_SPACE) {
			continue;
		}
		if (v == B64_PAD) {
			break; /* validated: only padding remains */
		}
		acc = (acc << 6) | (uint32_t)v;
		if (++have == 4) {
			dst[w++] = (uint8_t)(acc >> 16);
			dst[w++] = (uint8_t)(acc >> 8);
			dst[w++] = (uint8_t)acc;
			acc = 0;
			have = 0;
		}
	}
	if (have == 3) {
		dst[w++] = (uint8_t)(acc >> 10);
		dst[w++] = (uint8_t)(acc >> 2);
	} else if (have == 2) {
		dst[w++] = (uint8_t)(acc >> 4);
	}
	mem_wipe(&acc, sizeof(acc));
	if (w != len) {
		/* Unreachable after b64_scan(); keeps the no-partial-output
		 * promise should the two passes ever disagree. */
		buf_truncate(out, orig);
		return SESH_ERR_INVALID_FORMAT;
	}
	return 0;
}
