/*
 * fuzz_b64.c - libFuzzer target for the base64 codec (src/base/b64.h).
 *
 * The input is decoded; if it is accepted, re-encoding the output must
 * give back the input without its whitespace (the decoder accepts only
 * canonical text). Then the input, as bytes, is encoded (padded, wrapped
 * at a width taken from its first byte, and unpadded) and the padded
 * forms must decode back to it. Any disagreement aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/* Decoding then re-encoding an accepted input is the identity. */
static void
check_decode(const uint8_t *data, size_t size)
{
	struct buf dec, enc;
	size_t i, j = 0;
	int ret;

	buf_init(&dec, 0);
	buf_init(&enc, 0);
	ret = b64_decode(&dec, (const char *)data, size);
	if (ret != 0) {
		if (ret != SESH_ERR_INVALID_FORMAT || buf_len(&dec) != 0) {
			abort();
		}
		goto out;
	}
	if (b64_encode(&enc, buf_data(&dec), buf_len(&dec)) != 0) {
		abort();
	}
	for (i = 0; i < size; i++) {
		if (is_space(data[i])) {
			continue;
		}
		if (j >= buf_len(&enc) || buf_data(&enc)[j] != data[i]) {
			abort();
		}
		j++;
	}
	if (j != buf_len(&enc)) {
		abort();
	}
out:
	buf_clear(&dec);
	buf_clear(&enc);
}

/* Encoded forms decode back to the bytes. */
static void
check_encode(const uint8_t *data, size_t size)
{
	struct buf enc, dec;
	size_t width = size > 0 ? data[0] % 80 : 0;
	size_t len, i;

	buf_init(&enc, 0);
	buf_init(&dec, 0);
	if (b64_encode_wrapped(&enc, data, size, width) != 0 ||
	    b64_decode(&dec, (const char *)buf_data(&enc), buf_len(&enc)) !=
	        0 ||
	    buf_len(&dec) != size ||
	    (size > 0 && memcmp(buf_data(&dec), data, size) != 0)) {
		abort();
	}
	buf_reset(&enc);
	if (b64_encode_unpadded(&enc, data, size) != 0 ||
	    !b64_encoded_len(size, &len)) {
		abort();
	}
	/* Unpadded = padded minus its '=' characters. */
	if (buf_len(&enc) != len - (size % 3 == 0 ? 0 : 3 - size % 3)) {
		abort();
	}
	for (i = 0; i < buf_len(&enc); i++) {
		if (buf_data(&enc)[i] == '=') {
			abort();
		}
	}
	buf_clear(&enc);
	buf_clear(&dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decode(data, size);
	check_encode(data, size);
	return 0;
}
