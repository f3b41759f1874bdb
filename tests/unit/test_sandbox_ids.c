/*
 * test_sandbox_ids.c - app/sandbox.h's ids message (the monitor's first
 * message to its pre-authentication child): encoded bytes are the flag
 * and big-endian uid and gid; decoding gives them back; every shorter
 * and a longer message is refused as truncated; a flipped bit in the
 * flag byte is refused, one in the ids changes exactly that id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/sandbox.h"
#include "base/err.h"

static void
test_round_trip(void **state)
{
	static const uint8_t want[SANDBOX_IDS_LEN] = {1,    0,    0x01, 0x02,
	                                              0x03, 0x00, 0x00, 0xff,
	                                              0xfe};
	struct sandbox_opts in, out;
	uint8_t m[SANDBOX_IDS_LEN];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.have_ids = true;
	in.uid = 0x010203;
	in.gid = 0xfffe;
	sandbox_ids_encode(&in, m);
	assert_memory_equal(m, want, sizeof(want));
	out.user = "x"; /* cleared by decode */
	assert_int_equal(sandbox_ids_decode(m, sizeof(m), &out), 0);
	assert_true(out.have_ids);
	assert_int_equal(out.uid, 0x010203);
	assert_int_equal(out.gid, 0xfffe);
	assert_null(out.user);
	in.have_ids = false;
	in.uid = in.gid = 0;
	sandbox_ids_encode(&in, m);
	assert_int_equal(sandbox_ids_decode(m, sizeof(m), &out), 0);
	assert_false(out.have_ids);
}

static void
test_truncated(void **state)
{
	struct sandbox_opts in, out;
	uint8_t m[SANDBOX_IDS_LEN + 1];
	size_t n;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.have_ids = true;
	in.uid = 65534;
	in.gid = 65534;
	sandbox_ids_encode(&in, m);
	m[SANDBOX_IDS_LEN] = 0;
	for (n = 0; n < SANDBOX_IDS_LEN; n++) {
		assert_int_equal(sandbox_ids_decode(m, n, &out),
		                 SESH_ERR_TRUNCATED);
		assert_false(out.have_ids);
	}
	assert_int_equal(sandbox_ids_decode(m, sizeof(m), &out),
	                 SESH_ERR_TRUNCATED);
}

static void
test_bit_flips(void **state)
{
	struct sandbox_opts in, out;
	uint8_t m[SANDBOX_IDS_LEN];
	size_t i;
	int bit;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.have_ids = true;
	in.uid = 1000;
	in.gid = 1001;
	for (i = 0; i < SANDBOX_IDS_LEN; i++) {
		for (bit = 0; bit < 8; bit++) {
			uint32_t flip = (uint32_t)1 << (8 * (3 - (i - 1) % 4) +
			                                (unsigned)bit);
			int r;

			sandbox_ids_encode(&in, m);
			m[i] ^= (uint8_t)(1u << bit);
			r = sandbox_ids_decode(m, sizeof(m), &out);
			if (i == 0) {
				/* 1 -> 0 is "not looked up"; else refused */
				if (bit == 0) {
					assert_int_equal(r, 0);
					assert_false(out.have_ids);
				} else {
					assert_int_equal(
					    r, SESH_ERR_INVALID_ARGUMENT);
				}
				continue;
			}
			assert_int_equal(r, 0);
			assert_true(out.have_ids);
			if (i < 5) {
				assert_int_equal(out.uid, 1000u ^ flip);
				assert_int_equal(out.gid, 1001);
			} else {
				assert_int_equal(out.uid, 1000);
				assert_int_equal(out.gid, 1001u ^ flip);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_bit_flips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
