/*
 * test_handover_info.c - the handover message codec (app/handover.h):
 * round trips, bounds refused on both sides, and every truncation and
 * bit flip of valid messages parsed without a crash or a leak.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "app/handover.h"
#include "base/buf.h"
#include "base/err.h"

static const uint8_t state[] = {1, 2, 3, 4, 5, 0, 0xff, 7};
static const uint8_t sid[32] = {0x5e, 0x55, 0x10, 0x1d, 9, 8, 7, 6};

static void
build(struct buf *b, bool opts)
{
	static char *env[] = {"A=1", "LANG=C", NULL};
	struct handover_info hi;

	memset(&hi, 0, sizeof(hi));
	hi.user = "alice";
	hi.method = "publickey";
	hi.quickack_left = 17;
	hi.session_id = sid;
	hi.session_id_len = sizeof(sid);
	hi.state = state;
	hi.state_len = sizeof(state);
	if (opts) {
		hi.have_keyopts = true;
		hi.keyopts.command = "echo forced";
		hi.keyopts.environment = env;
		hi.keyopts.no_pty = true;
		hi.keyopts.no_x11_forwarding = true;
		hi.keyopts.expiry = 4102444800u;
		hi.keyopts.where = "/home/alice/.ssh/authorized_keys:3";
	}
	buf_init(b, 0);
	assert_int_equal(handover_info_build(&hi, b), 0);
}

static void
test_round_trip(void **st)
{
	struct handover_info out;
	struct buf b;

	(void)st;
	build(&b, true);
	assert_int_equal(handover_info_parse(buf_data(&b), buf_len(&b), &out),
	                 0);
	assert_string_equal(out.user, "alice");
	assert_string_equal(out.method, "publickey");
	assert_int_equal(out.quickack_left, 17);
	assert_int_equal(out.session_id_len, sizeof(sid));
	assert_memory_equal(out.session_id, sid, sizeof(sid));
	assert_true(out.have_keyopts);
	assert_string_equal(out.keyopts.command, "echo forced");
	assert_non_null(out.keyopts.environment);
	assert_string_equal(out.keyopts.environment[0], "A=1");
	assert_string_equal(out.keyopts.environment[1], "LANG=C");
	assert_null(out.keyopts.environment[2]);
	assert_true(out.keyopts.no_pty);
	assert_false(out.keyopts.no_port_forwarding);
	assert_false(out.keyopts.no_agent_forwarding);
	assert_true(out.keyopts.no_x11_forwarding);
	assert_int_equal(out.keyopts.expiry, 4102444800u);
	assert_string_equal(out.keyopts.where,
	                    "/home/alice/.ssh/authorized_keys:3");
	assert_int_equal(out.state_len, sizeof(state));
	assert_memory_equal(out.state, state, sizeof(state));
	handover_info_clear(&out);
	buf_clear(&b);
}

static void
test_no_opts_no_command(void **st)
{
	struct handover_info hi, out;
	struct buf b;

	(void)st;
	build(&b, false);
	assert_int_equal(handover_info_parse(buf_data(&b), buf_len(&b), &out),
	                 0);
	assert_false(out.have_keyopts);
	assert_null(out.keyopts.command);
	handover_info_clear(&out);
	buf_clear(&b);

	/* options without a command: the command stays NULL (not "") */
	memset(&hi, 0, sizeof(hi));
	hi.user = "bob";
	hi.method = "password";
	hi.session_id = sid;
	hi.session_id_len = sizeof(sid);
	hi.have_keyopts = true;
	hi.keyopts.no_pty = true;
	buf_init(&b, 0);
	assert_int_equal(handover_info_build(&hi, &b), 0);
	assert_int_equal(handover_info_parse(buf_data(&b), buf_len(&b), &out),
	                 0);
	assert_true(out.have_keyopts);
	assert_null(out.keyopts.command);
	assert_null(out.keyopts.environment);
	assert_true(out.keyopts.no_pty);
	assert_int_equal(out.state_len, 0);
	handover_info_clear(&out);
	buf_clear(&b);
}

static void
test_build_refuses(void **st)
{
	struct handover_info hi;
	struct buf b;
	char *big;

	(void)st;
	buf_init(&b, 0);
	memset(&hi, 0, sizeof(hi));
	hi.method = "password";
	hi.session_id = sid;
	hi.session_id_len = sizeof(sid);
	assert_int_equal(handover_info_build(&hi, &b),
	                 SESH_ERR_INVALID_ARGUMENT); /* no user */
	hi.user = "";
	assert_int_equal(handover_info_build(&hi, &b),
	                 SESH_ERR_INVALID_ARGUMENT);
	big = malloc(HANDOVER_MAX_NAME + 2);
	assert_non_null(big);
	memset(big, 'u', HANDOVER_MAX_NAME + 1);
	big[HANDOVER_MAX_NAME + 1] = '\0';
	hi.user = big;
	buf_reset(&b);
	assert_int_equal(handover_info_build(&hi, &b),
	                 SESH_ERR_INVALID_ARGUMENT);
	hi.user = "carol";
	hi.state = state;
	hi.state_len = HANDOVER_MAX_STATE + 1;
	buf_reset(&b);
	assert_int_equal(handover_info_build(&hi, &b),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* a session id of a size no exchange hash has */
	hi.state_len = sizeof(state);
	hi.session_id_len = HANDOVER_MIN_SID - 1;
	buf_reset(&b);
	assert_int_equal(handover_info_build(&hi, &b),
	                 SESH_ERR_INVALID_ARGUMENT);
	hi.session_id_len = HANDOVER_MAX_SID + 1;
	buf_reset(&b);
	assert_int_equal(handover_info_build(&hi, &b),
	                 SESH_ERR_INVALID_ARGUMENT);
	free(big);
	buf_clear(&b);
}

static void
test_parse_refuses(void **st)
{
	struct handover_info out;
	struct buf b;
	uint8_t *p;
	size_t n;

	(void)st;
	/* trailing data */
	build(&b, true);
	assert_int_equal(buf_put_u8(&b, 0), 0);
	assert_int_equal(handover_info_parse(buf_data(&b), buf_len(&b), &out),
	                 SESH_ERR_TRAILING_DATA);
	assert_null(out.user);
	buf_clear(&b);
	/* another magic */
	buf_init(&b, 0);
	assert_int_equal(buf_put_cstring(&b, "sesh-handover-info-v2"), 0);
	assert_int_equal(handover_info_parse(buf_data(&b), buf_len(&b), &out),
	                 SESH_ERR_INVALID_FORMAT);
	buf_clear(&b);
	/* a NUL inside the user name */
	build(&b, false);
	n = buf_len(&b);
	p = malloc(n);
	assert_non_null(p);
	memcpy(p, buf_data(&b), n);
	/* magic string: 4 + 21 bytes, then the user's length and "alice" */
	p[4 + strlen(HANDOVER_MAGIC) + 4 + 2] = 0;
	assert_int_equal(handover_info_parse(p, n, &out),
	                 SESH_ERR_INVALID_FORMAT);
	free(p);
	buf_clear(&b);
}

/* Every prefix is refused; every one-bit flip parses or is refused
 * cleanly (ASan/LSan builds check there is no leak either way). */
static void
test_truncation_and_flips(void **st)
{
	struct handover_info out;
	struct buf b;
	uint8_t *p;
	size_t n, i;
	int bit, ret;

	(void)st;
	for (int opts = 0; opts < 2; opts++) {
		build(&b, opts != 0);
		n = buf_len(&b);
		p = malloc(n);
		assert_non_null(p);
		memcpy(p, buf_data(&b), n);
		for (i = 0; i < n; i++) {
			ret = handover_info_parse(p, i, &out);
			assert_true(ret < 0);
			assert_null(out.user);
		}
		for (i = 0; i < n; i++) {
			for (bit = 0; bit < 8; bit++) {
				p[i] ^= (uint8_t)(1u << bit);
				ret = handover_info_parse(p, n, &out);
				if (ret == 0) {
					assert_non_null(out.user);
					assert_non_null(out.method);
					handover_info_clear(&out);
				} else {
					assert_null(out.user);
				}
				p[i] ^= (uint8_t)(1u << bit);
			}
		}
		free(p);
		buf_clear(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_no_opts_no_command),
	    cmocka_unit_test(test_build_refuses),
	    cmocka_unit_test(test_parse_refuses),
	    cmocka_unit_test(test_truncation_and_flips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
