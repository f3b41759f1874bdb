/*
 * fuzz_sandbox_ids.c - libFuzzer target for app/sandbox.h's ids message:
 * whatever decodes must encode back to the same bytes (the encoding is
 * canonical); nothing may crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sandbox_opts o;
	uint8_t again[SANDBOX_IDS_LEN];

	if (sandbox_ids_decode(data, size, &o) != 0) {
		return 0;
	}
	sandbox_ids_encode(&o, again);
	if (size != SANDBOX_IDS_LEN || memcmp(again, data, size) != 0) {
		abort();
	}
	return 0;
}
