/*
 * test_privsep_req.c - app/privsep_req: the user's process's host key
 * requests to its privileged parent ('S' rekey hash, 'P' host key
 * proof), the parent's answer, the key list of a
 * hostkeys-prove-00@openssh.com request and the data a proof signs.
 * Round trips, every refusal, every truncation and a bit-flip sweep
 * (whatever still parses builds back to the same bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/privsep_req.h"
#include "base/buf.h"
#include "base/err.h"

static const uint8_t blob[] = {0,   0,   0,   11,  's', 's', 'h', '-',
                               'e', 'd', '2', '5', '5', '1', '9', 0,
                               0,   0,   4,   1,   2,   3,   4};
static uint8_t hash[32];

static void
make_req(struct privsep_req *q, char type, const char *alg)
{
	memset(q, 0, sizeof(*q));
	q->type = type;
	q->blob.p = blob;
	q->blob.n = sizeof(blob);
	strcpy(q->alg, alg);
	if (type == PRIVSEP_REQ_SIGN) {
		memset(hash, 0xab, sizeof(hash));
		q->hash.p = hash;
		q->hash.n = sizeof(hash);
	}
}

static void
build_ok(char type, const char *alg, struct buf *b)
{
	struct privsep_req q;

	make_req(&q, type, alg);
	buf_reset(b);
	assert_int_equal(privsep_req_build(&q, b), 0);
}

static void
view_inside(struct privsep_view v, const uint8_t *p, size_t n)
{
	if (v.n == 0) {
		return;
	}
	assert_true(v.p >= p && v.n <= n && (size_t)(v.p - p) <= n - v.n);
}

static void
test_round_trip(void **state)
{
	struct privsep_req q;
	struct buf b, again;
	char t;

	(void)state;
	buf_init(&b, 0);
	buf_init(&again, 0);
	for (t = 0; t < 2; t++) {
		char type = t == 0 ? PRIVSEP_REQ_SIGN : PRIVSEP_REQ_PROVE;

		build_ok(type, "rsa-sha2-512", &b);
		assert_int_equal(buf_data(&b)[0], (uint8_t)type);
		assert_int_equal(
		    privsep_req_parse(buf_data(&b), buf_len(&b), &q), 0);
		assert_int_equal(q.type, type);
		assert_int_equal(q.blob.n, sizeof(blob));
		assert_memory_equal(q.blob.p, blob, sizeof(blob));
		assert_string_equal(q.alg, "rsa-sha2-512");
		if (type == PRIVSEP_REQ_SIGN) {
			assert_int_equal(q.hash.n, sizeof(hash));
			assert_memory_equal(q.hash.p, hash, sizeof(hash));
		} else {
			assert_int_equal(q.hash.n, 0);
		}
		buf_reset(&again);
		assert_int_equal(privsep_req_build(&q, &again), 0);
		assert_int_equal(buf_len(&again), buf_len(&b));
		assert_memory_equal(buf_data(&again), buf_data(&b),
		                    buf_len(&b));
	}
	/* 'P' is exactly: byte, string blob, string alg */
	build_ok(PRIVSEP_REQ_PROVE, "ssh-ed25519", &b);
	assert_int_equal(buf_len(&b), 1 + 4 + sizeof(blob) + 4 + 11);
	buf_clear(&b);
	buf_clear(&again);
}

/* Appends byte type, string blob, string alg, then extra raw bytes. */
static void
raw_req(struct buf *b, uint8_t type, const void *bl, size_t bn, const void *alg,
        size_t an, const void *extra, size_t en)
{
	buf_reset(b);
	assert_int_equal(buf_put_u8(b, type), 0);
	assert_int_equal(buf_put_string(b, bl, bn), 0);
	assert_int_equal(buf_put_string(b, alg, an), 0);
	if (en > 0) {
		assert_int_equal(buf_put(b, extra, en), 0);
	}
}

static int
parse(const struct buf *b)
{
	struct privsep_req q;
	int ret = privsep_req_parse(buf_data(b), buf_len(b), &q);

	if (ret != 0) {
		assert_int_equal(q.type, 0);
		assert_null(q.blob.p);
	}
	return ret;
}

static void
test_refusals(void **state)
{
	uint8_t h[66], longalg[SESH_MAX_NAME + 1];
	struct privsep_req q;
	struct buf b, e;

	(void)state;
	memset(h, 1, sizeof(h));
	memset(longalg, 'a', sizeof(longalg));
	buf_init(&b, 0);
	buf_init(&e, 0);
	/* an unknown type, and the utmp structs' types */
	raw_req(&b, 'X', blob, sizeof(blob), "a", 1, NULL, 0);
	assert_int_equal(parse(&b), SESH_ERR_INVALID_FORMAT);
	raw_req(&b, 'L', blob, sizeof(blob), "a", 1, NULL, 0);
	assert_int_equal(parse(&b), SESH_ERR_INVALID_FORMAT);
	/* an empty blob */
	raw_req(&b, 'P', blob, 0, "a", 1, NULL, 0);
	assert_int_equal(parse(&b), SESH_ERR_INVALID_FORMAT);
	/* algorithm names: empty, a space, a control byte, DEL, too long */
	raw_req(&b, 'P', blob, sizeof(blob), "", 0, NULL, 0);
	assert_int_equal(parse(&b), SESH_ERR_INVALID_FORMAT);
	raw_req(&b, 'P', blob, sizeof(blob), "a b", 3, NULL, 0);
	assert_int_equal(parse(&b), SESH_ERR_INVALID_FORMAT);
	raw_req(&b, 'P', blob, sizeof(blob), "a\nb", 3, NULL, 0);
	assert_int_equal(parse(&b), SESH_ERR_INVALID_FORMAT);
	raw_req(&b, 'P', blob, sizeof(blob), "a\x7f", 2, NULL, 0);
	assert_int_equal(parse(&b), SESH_ERR_INVALID_FORMAT);
	raw_req(&b, 'P', blob, sizeof(blob), "a\0b", 3, NULL, 0);
	assert_int_equal(parse(&b), SESH_ERR_INVALID_FORMAT);
	raw_req(&b, 'P', blob, sizeof(blob), longalg, SESH_MAX_NAME, NULL, 0);
	assert_int_equal(parse(&b), 0);
	raw_req(&b, 'P', blob, sizeof(blob), longalg, SESH_MAX_NAME + 1, NULL,
	        0);
	assert_int_equal(parse(&b), SESH_ERR_LIMIT);
	/* 'P' takes no hash: the child can never pass data to sign */
	buf_reset(&e);
	assert_int_equal(buf_put_string(&e, h, 32), 0);
	raw_req(&b, 'P', blob, sizeof(blob), "a", 1, buf_data(&e), buf_len(&e));
	assert_int_equal(parse(&b), SESH_ERR_TRAILING_DATA);
	/* 'S' hashes: 20..64 bytes only */
	buf_reset(&e);
	assert_int_equal(buf_put_string(&e, h, 19), 0);
	raw_req(&b, 'S', blob, sizeof(blob), "a", 1, buf_data(&e), buf_len(&e));
	assert_int_equal(parse(&b), SESH_ERR_INVALID_FORMAT);
	buf_reset(&e);
	assert_int_equal(buf_put_string(&e, h, 20), 0);
	raw_req(&b, 'S', blob, sizeof(blob), "a", 1, buf_data(&e), buf_len(&e));
	assert_int_equal(parse(&b), 0);
	buf_reset(&e);
	assert_int_equal(buf_put_string(&e, h, 64), 0);
	raw_req(&b, 'S', blob, sizeof(blob), "a", 1, buf_data(&e), buf_len(&e));
	assert_int_equal(parse(&b), 0);
	buf_reset(&e);
	assert_int_equal(buf_put_string(&e, h, 65), 0);
	raw_req(&b, 'S', blob, sizeof(blob), "a", 1, buf_data(&e), buf_len(&e));
	assert_int_equal(parse(&b), SESH_ERR_LIMIT);
	/* 'S' without its hash, or with a byte more */
	raw_req(&b, 'S', blob, sizeof(blob), "a", 1, NULL, 0);
	assert_int_equal(parse(&b), SESH_ERR_TRUNCATED);
	buf_reset(&e);
	assert_int_equal(buf_put_string(&e, h, 32), 0);
	assert_int_equal(buf_put_u8(&e, 0), 0);
	raw_req(&b, 'S', blob, sizeof(blob), "a", 1, buf_data(&e), buf_len(&e));
	assert_int_equal(parse(&b), SESH_ERR_TRAILING_DATA);
	/* the builder refuses what the parser would */
	make_req(&q, PRIVSEP_REQ_PROVE, "");
	buf_reset(&b);
	assert_int_equal(privsep_req_build(&q, &b), SESH_ERR_INVALID_ARGUMENT);
	make_req(&q, 'Q', "a");
	assert_int_equal(privsep_req_build(&q, &b), SESH_ERR_INVALID_ARGUMENT);
	make_req(&q, PRIVSEP_REQ_PROVE, "a");
	q.blob.n = 0;
	assert_int_equal(privsep_req_build(&q, &b), SESH_ERR_INVALID_ARGUMENT);
	make_req(&q, PRIVSEP_REQ_SIGN, "a");
	q.hash.n = 65;
	assert_int_equal(privsep_req_build(&q, &b), SESH_ERR_INVALID_ARGUMENT);
	q.hash.n = 19;
	assert_int_equal(privsep_req_build(&q, &b), SESH_ERR_INVALID_ARGUMENT);
	q.hash.n = 20;
	q.hash.p = NULL;
	assert_int_equal(privsep_req_build(&q, &b), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&b), 0);
	/* a writer that is full: nothing left behind */
	buf_clear(&b);
	buf_init(&b, 10);
	make_req(&q, PRIVSEP_REQ_PROVE, "a");
	assert_int_equal(privsep_req_build(&q, &b), SESH_ERR_LIMIT);
	assert_int_equal(buf_len(&b), 0);
	buf_clear(&b);
	buf_clear(&e);
}

static void
test_request_truncations_and_flips(void **state)
{
	struct privsep_req q;
	struct buf b, again;
	uint8_t *p;
	size_t n, i, bit;
	char t;

	(void)state;
	buf_init(&b, 0);
	buf_init(&again, 0);
	for (t = 0; t < 2; t++) {
		build_ok(t == 0 ? PRIVSEP_REQ_SIGN : PRIVSEP_REQ_PROVE,
		         "ecdsa-sha2-nistp256", &b);
		n = buf_len(&b);
		for (i = 0; i < n; i++) {
			assert_true(privsep_req_parse(buf_data(&b), i, &q) < 0);
		}
		p = malloc(n);
		assert_non_null(p);
		for (i = 0; i < n; i++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(p, buf_data(&b), n);
				p[i] ^= (uint8_t)(1u << bit);
				if (privsep_req_parse(p, n, &q) != 0) {
					continue;
				}
				/* still valid: views inside, canonical */
				view_inside(q.blob, p, n);
				view_inside(q.hash, p, n);
				buf_reset(&again);
				assert_int_equal(privsep_req_build(&q, &again),
				                 0);
				assert_int_equal(buf_len(&again), n);
				assert_memory_equal(buf_data(&again), p, n);
			}
		}
		free(p);
	}
	buf_clear(&b);
	buf_clear(&again);
}

static void
test_answer(void **state)
{
	static const uint8_t sig[] = {0, 0, 0, 1, 'x', 0, 0, 0, 1, 'y'};
	struct privsep_view v;
	struct buf b;
	uint8_t one = 1, two = 2;
	bool ok;
	size_t n, i, bit;
	uint8_t *p;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_put_u8(&b, 0), 0);
	assert_int_equal(buf_put_string(&b, sig, sizeof(sig)), 0);
	assert_int_equal(
	    privsep_answer_parse(buf_data(&b), buf_len(&b), &ok, &v), 0);
	assert_true(ok);
	assert_int_equal(v.n, sizeof(sig));
	assert_memory_equal(v.p, sig, sizeof(sig));
	/* refused */
	assert_int_equal(privsep_answer_parse(&one, 1, &ok, &v), 0);
	assert_false(ok);
	assert_int_equal(v.n, 0);
	/* another status byte; a refusal with more; an empty signature */
	assert_int_equal(privsep_answer_parse(&two, 1, &ok, &v),
	                 SESH_ERR_INVALID_FORMAT);
	assert_int_equal(privsep_answer_parse(buf_data(&b), 0, &ok, &v),
	                 SESH_ERR_TRUNCATED);
	p = malloc(buf_len(&b));
	assert_non_null(p);
	memcpy(p, buf_data(&b), buf_len(&b));
	p[0] = 1;
	assert_int_equal(privsep_answer_parse(p, buf_len(&b), &ok, &v),
	                 SESH_ERR_TRAILING_DATA);
	assert_false(ok);
	free(p);
	buf_reset(&b);
	assert_int_equal(buf_put_u8(&b, 0), 0);
	assert_int_equal(buf_put_string(&b, sig, 0), 0);
	assert_int_equal(
	    privsep_answer_parse(buf_data(&b), buf_len(&b), &ok, &v),
	    SESH_ERR_INVALID_FORMAT);
	assert_false(ok);
	/* every truncation, and flips */
	buf_reset(&b);
	assert_int_equal(buf_put_u8(&b, 0), 0);
	assert_int_equal(buf_put_string(&b, sig, sizeof(sig)), 0);
	n = buf_len(&b);
	for (i = 0; i < n; i++) {
		assert_true(privsep_answer_parse(buf_data(&b), i, &ok, &v) < 0);
		assert_false(ok);
	}
	p = malloc(n);
	assert_non_null(p);
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(p, buf_data(&b), n);
			p[i] ^= (uint8_t)(1u << bit);
			if (privsep_answer_parse(p, n, &ok, &v) == 0) {
				view_inside(v, p, n);
				assert_true(ok || v.n == 0);
			}
		}
	}
	free(p);
	buf_clear(&b);
}

static void
test_prove_list(void **state)
{
	struct privsep_view keys[PRIVSEP_MAX_PROVE_KEYS + 2];
	struct buf b;
	size_t count, i, n, bit, bounds[4], nb = 0;
	uint8_t *p;
	int ret;

	(void)state;
	buf_init(&b, 0);
	/* one key */
	assert_int_equal(buf_put_string(&b, blob, sizeof(blob)), 0);
	assert_int_equal(privsep_prove_list_parse(buf_data(&b), buf_len(&b),
	                                          keys, 4, &count),
	                 0);
	assert_int_equal(count, 1);
	assert_int_equal(keys[0].n, sizeof(blob));
	assert_memory_equal(keys[0].p, blob, sizeof(blob));
	/* up to the cap, and one more */
	buf_reset(&b);
	for (i = 0; i < PRIVSEP_MAX_PROVE_KEYS; i++) {
		assert_int_equal(buf_put_string(&b, blob, 1 + i), 0);
	}
	assert_int_equal(
	    privsep_prove_list_parse(buf_data(&b), buf_len(&b), keys,
	                             PRIVSEP_MAX_PROVE_KEYS + 2, &count),
	    0);
	assert_int_equal(count, PRIVSEP_MAX_PROVE_KEYS);
	for (i = 0; i < count; i++) {
		assert_int_equal(keys[i].n, 1 + i);
	}
	/* the caller's room bounds it too */
	assert_int_equal(privsep_prove_list_parse(buf_data(&b), buf_len(&b),
	                                          keys, 3, &count),
	                 SESH_ERR_LIMIT);
	assert_int_equal(count, 0);
	assert_int_equal(buf_put_string(&b, blob, 2), 0);
	assert_int_equal(
	    privsep_prove_list_parse(buf_data(&b), buf_len(&b), keys,
	                             PRIVSEP_MAX_PROVE_KEYS + 2, &count),
	    SESH_ERR_LIMIT);
	assert_int_equal(count, 0);
	/* no key, an empty blob */
	assert_int_equal(privsep_prove_list_parse(NULL, 0, keys, 4, &count),
	                 SESH_ERR_INVALID_FORMAT);
	buf_reset(&b);
	assert_int_equal(buf_put_string(&b, blob, sizeof(blob)), 0);
	assert_int_equal(buf_put_string(&b, blob, 0), 0);
	assert_int_equal(privsep_prove_list_parse(buf_data(&b), buf_len(&b),
	                                          keys, 4, &count),
	                 SESH_ERR_INVALID_FORMAT);
	assert_int_equal(count, 0);
	/* three keys: every prefix fails except at the strings' ends */
	buf_reset(&b);
	for (i = 0; i < 3; i++) {
		assert_int_equal(buf_put_string(&b, blob, sizeof(blob) - i), 0);
		bounds[nb++] = buf_len(&b);
	}
	n = buf_len(&b);
	for (i = 1; i < n; i++) {
		ret =
		    privsep_prove_list_parse(buf_data(&b), i, keys, 4, &count);
		if (i == bounds[0] || i == bounds[1]) {
			assert_int_equal(ret, 0);
			assert_int_equal(count, i == bounds[0] ? 1 : 2);
		} else {
			assert_int_equal(ret, SESH_ERR_TRUNCATED);
			assert_int_equal(count, 0);
		}
	}
	p = malloc(n);
	assert_non_null(p);
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(p, buf_data(&b), n);
			p[i] ^= (uint8_t)(1u << bit);
			ret = privsep_prove_list_parse(p, n, keys, 4, &count);
			if (ret == 0) {
				assert_true(count >= 1 && count <= 4);
				for (size_t k = 0; k < count; k++) {
					assert_true(keys[k].n > 0);
					view_inside(keys[k], p, n);
				}
			} else {
				assert_true(ret < 0);
				assert_int_equal(count, 0);
			}
		}
	}
	free(p);
	buf_clear(&b);
}

static void
test_prove_data(void **state)
{
	static const uint8_t sid[] = {9, 8, 7};
	static const uint8_t want[] = {
	    0,   0,   0,   29,  'h', 'o', 's', 't', 'k', 'e', 'y', 's',
	    '-', 'p', 'r', 'o', 'v', 'e', '-', '0', '0', '@', 'o', 'p',
	    'e', 'n', 's', 's', 'h', '.', 'c', 'o', 'm', 0,   0,   0,
	    3,   9,   8,   7,   0,   0,   0,   2,   'k', 'b'};
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_put_u8(&b, 0xee), 0);
	assert_int_equal(
	    privsep_prove_data(sid, sizeof(sid), (const uint8_t *)"kb", 2, &b),
	    0);
	assert_int_equal(buf_len(&b), 1 + sizeof(want));
	assert_memory_equal(buf_data(&b) + 1, want, sizeof(want));
	assert_int_equal(
	    privsep_prove_data(NULL, 0, (const uint8_t *)"kb", 2, &b),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(privsep_prove_data(sid, sizeof(sid), NULL, 0, &b),
	                 SESH_ERR_INVALID_ARGUMENT);
	buf_clear(&b);
	/* a full writer keeps what it had */
	buf_init(&b, 20);
	assert_int_equal(buf_put_u8(&b, 1), 0);
	assert_int_equal(
	    privsep_prove_data(sid, sizeof(sid), (const uint8_t *)"kb", 2, &b),
	    SESH_ERR_LIMIT);
	assert_int_equal(buf_len(&b), 1);
	buf_clear(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_request_truncations_and_flips),
	    cmocka_unit_test(test_answer),
	    cmocka_unit_test(test_prove_list),
	    cmocka_unit_test(test_prove_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
