/*
 * fuzz_handover_info.c - libFuzzer target for the handover message
 * codec (app/handover.h): whatever parses must build again to the same
 * bytes (the encoding is canonical), and nothing may crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/handover.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct handover_info hi;
	struct buf b;

	if (size > 1024 * 1024) {
		return 0;
	}
	if (handover_info_parse(data, size, &hi) != 0) {
		return 0;
	}
	buf_init(&b, 0);
	if (handover_info_build(&hi, &b) != 0 || buf_len(&b) != size ||
	    memcmp(buf_data(&b), data, size) != 0) {
		abort();
	}
	buf_clear(&b);
	handover_info_clear(&hi);
	return 0;
}
