/*
 * test_monitor.c - app/monitor: the privilege-separation protocol.
 *
 *  - Codec: a round trip of every message type with every field set
 *    (parse(build(m)) == m, and building the parsed message gives the
 *    same bytes); every truncation of every frame (with the length field
 *    kept, and with it fixed to the shorter body) is an error; a bit
 *    flip anywhere never crashes and anything that still parses builds
 *    again; each bound (lengths, prompt counts, hash sizes, levels,
 *    results), NUL bytes in text, unknown types, trailing bytes and bad
 *    length fields are refused by the parser and by the builder, and a
 *    failed build leaves the output as it was.
 *  - State: per-phase allowances (nothing auth-related before USER, no
 *    second USER, no kbdint answers without prompts, nothing but the
 *    handover after success, signing only for rekeys after it), strict
 *    request/answer alternation, count caps (signatures before auth,
 *    LOG), MaxAuthTries over every method (and its hard cap), the
 *    user's MaxAuthTries from ANS_USER (raised, lowered, bounded), partial
 *    success not counted, kbdint rounds capped and abandoned by another
 *    method, the session id check of publickey signed data, answers that
 *    do not answer the pending request refused, and the check being
 *    pure.
 *  - I/O over a socketpair: frames both ways, the size cap, EOF before
 *    and inside a frame, a zero length, monitor_call's answer-type
 *    check and LOG without an answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/monitor.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"

static uint8_t hash32[32], hash_other[32], blob[100], sigb[80], state_b[3000];
static uint8_t signed_data[200];

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed + i * 7);
	}
}

static struct monitor_str
bytes(const uint8_t *p, size_t n)
{
	struct monitor_str s;

	s.p = p;
	s.n = n;
	return s;
}

static int
setup(void **state)
{
	(void)state;
	fill(hash32, sizeof(hash32), 1);
	fill(hash_other, sizeof(hash_other), 2);
	fill(blob, sizeof(blob), 3);
	fill(sigb, sizeof(sigb), 4);
	fill(state_b, sizeof(state_b), 5);
	/* string session id (hash32) || the rest (RFC 4252 §7) */
	memset(signed_data, 0, sizeof(signed_data));
	signed_data[3] = 32;
	memcpy(signed_data + 4, hash32, 32);
	fill(signed_data + 36, sizeof(signed_data) - 36, 6);
	return 0;
}

/* A message of each type with every field it carries set. */
static void
sample(uint8_t type, struct monitor_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	switch (type) {
	case MONITOR_REQ_SIGN:
		m->alg = monitor_str_of("rsa-sha2-512");
		m->blob = bytes(blob, sizeof(blob));
		m->data = bytes(hash32, sizeof(hash32));
		break;
	case MONITOR_REQ_USER:
		m->user = monitor_str_of("alice");
		m->service = monitor_str_of("ssh-connection");
		break;
	case MONITOR_REQ_KEY_QUERY:
		m->alg = monitor_str_of("ssh-ed25519");
		m->blob = bytes(blob, sizeof(blob));
		break;
	case MONITOR_REQ_KEY_VERIFY:
		m->alg = monitor_str_of("ssh-ed25519");
		m->blob = bytes(blob, sizeof(blob));
		m->data = bytes(signed_data, sizeof(signed_data));
		m->sig = bytes(sigb, sizeof(sigb));
		break;
	case MONITOR_REQ_PASSWORD:
		m->password = monitor_str_of("hunter2");
		m->change = true;
		m->new_password = monitor_str_of("correct horse");
		break;
	case MONITOR_REQ_KBDINT_START:
		m->text = monitor_str_of("pam");
		break;
	case MONITOR_REQ_KBDINT_RESPOND:
		m->count = 2;
		m->item[0] = monitor_str_of("one");
		m->item[1] = monitor_str_of("");
		break;
	case MONITOR_REQ_HANDOVER:
		m->data = bytes(state_b, sizeof(state_b));
		break;
	case MONITOR_REQ_LOG:
		m->level = LOG_LVL_VERBOSE;
		m->text = monitor_str_of("Connection from 127.0.0.1");
		break;
	case MONITOR_ANS_SIGN:
		m->ok = true;
		m->data = bytes(sigb, sizeof(sigb));
		break;
	case MONITOR_ANS_USER:
		m->text = monitor_str_of("publickey,password");
		m->max_tries = 5;
		break;
	case MONITOR_ANS_KEY_QUERY:
		m->ok = true;
		break;
	case MONITOR_ANS_AUTH:
		m->result = MONITOR_AUTH_PARTIAL;
		m->text = monitor_str_of("publickey");
		break;
	case MONITOR_ANS_PROMPTS:
		m->text = monitor_str_of("name");
		m->instruction = monitor_str_of("instruction");
		m->count = 2;
		m->item[0] = monitor_str_of("Password: ");
		m->echo[0] = false;
		m->item[1] = monitor_str_of("Code: ");
		m->echo[1] = true;
		break;
	default:
		break;
	}
}

static const uint8_t all_types[] = {
    MONITOR_REQ_SIGN,         MONITOR_REQ_USER,           MONITOR_REQ_AUTH_NONE,
    MONITOR_REQ_KEY_QUERY,    MONITOR_REQ_KEY_VERIFY,     MONITOR_REQ_PASSWORD,
    MONITOR_REQ_KBDINT_START, MONITOR_REQ_KBDINT_RESPOND, MONITOR_REQ_HANDOVER,
    MONITOR_REQ_LOG,          MONITOR_ANS_SIGN,           MONITOR_ANS_USER,
    MONITOR_ANS_KEY_QUERY,    MONITOR_ANS_AUTH,           MONITOR_ANS_PROMPTS,
    MONITOR_ANS_HANDOVER,
};
#define NTYPES (sizeof(all_types) / sizeof(all_types[0]))

static void
assert_str_eq(struct monitor_str a, struct monitor_str b)
{
	assert_int_equal(a.n, b.n);
	if (a.n > 0) {
		assert_memory_equal(a.p, b.p, a.n);
	}
}

static void
assert_msg_eq(const struct monitor_msg *a, const struct monitor_msg *b)
{
	uint32_t i;

	assert_int_equal(a->type, b->type);
	assert_str_eq(a->alg, b->alg);
	assert_str_eq(a->blob, b->blob);
	assert_str_eq(a->data, b->data);
	assert_str_eq(a->sig, b->sig);
	assert_str_eq(a->user, b->user);
	assert_str_eq(a->service, b->service);
	assert_str_eq(a->password, b->password);
	assert_str_eq(a->new_password, b->new_password);
	assert_int_equal(a->change, b->change);
	assert_str_eq(a->text, b->text);
	assert_str_eq(a->instruction, b->instruction);
	assert_int_equal(a->count, b->count);
	for (i = 0; i < a->count; i++) {
		assert_str_eq(a->item[i], b->item[i]);
		assert_int_equal(a->echo[i], b->echo[i]);
	}
	assert_int_equal(a->level, b->level);
	assert_int_equal(a->ok, b->ok);
	assert_int_equal(a->result, b->result);
	assert_int_equal(a->max_tries, b->max_tries);
}

static void
build(const struct monitor_msg *m, struct buf *b)
{
	buf_init(b, 0);
	assert_int_equal(monitor_msg_build(m, b), 0);
}

static void
test_round_trip(void **state)
{
	struct monitor_msg m, p;
	struct buf b, b2;
	size_t i;

	(void)state;
	for (i = 0; i < NTYPES; i++) {
		sample(all_types[i], &m);
		build(&m, &b);
		assert_int_equal(
		    monitor_msg_parse(buf_data(&b), buf_len(&b), &p), 0);
		assert_msg_eq(&m, &p);
		build(&p, &b2);
		assert_int_equal(buf_len(&b), buf_len(&b2));
		assert_memory_equal(buf_data(&b), buf_data(&b2), buf_len(&b));
		assert_string_not_equal(monitor_type_name(m.type), "unknown");
		buf_clear(&b);
		buf_clear(&b2);
	}
	/* PASSWORD without a change has no new password field */
	sample(MONITOR_REQ_PASSWORD, &m);
	m.change = false;
	m.new_password = monitor_str_of(NULL);
	build(&m, &b);
	assert_int_equal(monitor_msg_parse(buf_data(&b), buf_len(&b), &p), 0);
	assert_msg_eq(&m, &p);
	buf_clear(&b);
	assert_string_equal(monitor_type_name(0), "unknown");
}

static void
test_truncation(void **state)
{
	struct monitor_msg m, p;
	struct buf b;
	uint8_t *copy;
	size_t i, k, n;

	(void)state;
	for (i = 0; i < NTYPES; i++) {
		sample(all_types[i], &m);
		build(&m, &b);
		n = buf_len(&b);
		copy = malloc(n);
		assert_non_null(copy);
		for (k = 0; k < n; k++) {
			/* cut, length field kept */
			memcpy(copy, buf_data(&b), n);
			p.type = 99;
			assert_int_not_equal(monitor_msg_parse(copy, k, &p), 0);
			assert_int_equal(p.type, 0); /* zeroed on error */
			/* cut inside the body, length field fixed to fit */
			if (k >= 4) {
				uint32_t len = (uint32_t)(k - 4);

				copy[0] = (uint8_t)(len >> 24);
				copy[1] = (uint8_t)(len >> 16);
				copy[2] = (uint8_t)(len >> 8);
				copy[3] = (uint8_t)len;
				assert_int_not_equal(
				    monitor_msg_parse(copy, k, &p), 0);
			}
		}
		free(copy);
		buf_clear(&b);
	}
}

static void
test_bitflip(void **state)
{
	struct monitor_msg m, p;
	struct buf b, b2;
	uint8_t *copy;
	size_t i, k, n;
	unsigned bit, parsed = 0;

	(void)state;
	for (i = 0; i < NTYPES; i++) {
		sample(all_types[i], &m);
		build(&m, &b);
		n = buf_len(&b);
		copy = malloc(n);
		assert_non_null(copy);
		for (k = 0; k < n && k < 600; k++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(copy, buf_data(&b), n);
				copy[k] ^= (uint8_t)(1u << bit);
				if (monitor_msg_parse(copy, n, &p) != 0) {
					continue;
				}
				parsed++;
				buf_init(&b2, 0);
				assert_int_equal(monitor_msg_build(&p, &b2), 0);
				buf_clear(&b2);
			}
		}
		free(copy);
		buf_clear(&b);
	}
	assert_true(parsed > 0); /* flips inside data fields still parse */
}

/* Parses a hand-made frame: byte type then body bytes. */
static int
parse_raw(uint8_t type, const uint8_t *body, size_t n)
{
	struct monitor_msg p;
	struct buf b;
	int ret;

	buf_init(&b, 0);
	assert_int_equal(buf_begin(&b), 0);
	assert_int_equal(buf_put_u8(&b, type), 0);
	assert_int_equal(buf_put(&b, body, n), 0);
	assert_int_equal(buf_end(&b), 0);
	ret = monitor_msg_parse(buf_data(&b), buf_len(&b), &p);
	buf_clear(&b);
	return ret;
}

static void
test_limits(void **state)
{
	static const uint8_t zero_len[] = {0, 0, 0, 0};
	static const uint8_t huge_len[] = {0xff, 0xff, 0xff, 0xff, 1};
	struct monitor_msg m, p;
	struct buf b, body;
	uint8_t *big;
	size_t before;
	uint32_t i;

	(void)state;
	big = calloc(1, MONITOR_MAX_STATE + 2);
	assert_non_null(big);
	memset(big, 'a', MONITOR_MAX_STATE + 1);
	buf_init(&b, 0);
	assert_int_equal(buf_put(&b, "xyz", 3), 0);
	before = buf_len(&b);
	/* builder: every bound, b unchanged after each failure */
	sample(MONITOR_REQ_USER, &m);
	m.user = bytes(big, MONITOR_MAX_USER + 1);
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_LIMIT);
	m.user = bytes(big, MONITOR_MAX_USER);
	assert_int_equal(monitor_msg_build(&m, &b), 0);
	buf_truncate(&b, before);
	m.user = bytes((const uint8_t *)"a\0b", 3);
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_INVALID_FORMAT);
	sample(MONITOR_REQ_SIGN, &m);
	m.data = bytes(hash32, MONITOR_MIN_HASH - 1);
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_INVALID_ARGUMENT);
	m.data = bytes(big, MONITOR_MAX_HASH + 1);
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_LIMIT);
	sample(MONITOR_ANS_PROMPTS, &m);
	m.count = MONITOR_MAX_PROMPTS + 1;
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_LIMIT);
	sample(MONITOR_REQ_KBDINT_RESPOND, &m);
	m.count = MONITOR_MAX_PROMPTS + 1;
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_LIMIT);
	sample(MONITOR_REQ_HANDOVER, &m);
	m.data = bytes(big, MONITOR_MAX_STATE + 1);
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_LIMIT);
	m.data = bytes(big, MONITOR_MAX_STATE);
	assert_int_equal(monitor_msg_build(&m, &b), 0);
	buf_truncate(&b, before);
	sample(MONITOR_REQ_LOG, &m);
	m.level = LOG_LVL_DEBUG3 + 1;
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_INVALID_ARGUMENT);
	sample(MONITOR_ANS_USER, &m);
	m.max_tries = 0;
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_INVALID_ARGUMENT);
	m.max_tries = MONITOR_HARD_MAX_TRIES + 1;
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_INVALID_ARGUMENT);
	m.max_tries = MONITOR_HARD_MAX_TRIES;
	m.text = bytes(big, MONITOR_MAX_TEXT + 1);
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_LIMIT);
	sample(MONITOR_ANS_AUTH, &m);
	m.result = 3;
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_INVALID_ARGUMENT);
	m.type = 0;
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_PROTOCOL);
	m.type = 200;
	assert_int_equal(monitor_msg_build(&m, &b), SESH_ERR_PROTOCOL);
	assert_int_equal(buf_len(&b), before);
	assert_memory_equal(buf_data(&b), "xyz", 3);
	assert_int_equal(b.depth, 0);
	buf_clear(&b);

	/* parser: the same bounds on hand-made frames */
	buf_init(&body, 0);
	assert_int_equal(buf_put_string(&body, big, MONITOR_MAX_USER + 1), 0);
	assert_int_equal(buf_put_cstring(&body, "ssh-connection"), 0);
	assert_int_equal(
	    parse_raw(MONITOR_REQ_USER, buf_data(&body), buf_len(&body)),
	    SESH_ERR_LIMIT);
	buf_reset(&body);
	assert_int_equal(buf_put_string(&body, "a\0b", 3), 0);
	assert_int_equal(buf_put_cstring(&body, "ssh-connection"), 0);
	assert_int_equal(
	    parse_raw(MONITOR_REQ_USER, buf_data(&body), buf_len(&body)),
	    SESH_ERR_INVALID_FORMAT);
	assert_int_equal(buf_put_u8(&body, 0), 0); /* trailing byte */
	buf_reset(&body);
	assert_int_equal(buf_put_cstring(&body, "alice"), 0);
	assert_int_equal(buf_put_cstring(&body, "ssh-connection"), 0);
	assert_int_equal(buf_put_u8(&body, 0), 0);
	assert_int_equal(
	    parse_raw(MONITOR_REQ_USER, buf_data(&body), buf_len(&body)),
	    SESH_ERR_TRAILING_DATA);
	buf_reset(&body);
	assert_int_equal(buf_put_cstring(&body, "ssh-ed25519"), 0);
	assert_int_equal(buf_put_string(&body, blob, 10), 0);
	assert_int_equal(buf_put_string(&body, hash32, MONITOR_MIN_HASH - 1),
	                 0);
	assert_int_equal(
	    parse_raw(MONITOR_REQ_SIGN, buf_data(&body), buf_len(&body)),
	    SESH_ERR_INVALID_FORMAT);
	buf_reset(&body);
	assert_int_equal(buf_put_u32(&body, MONITOR_MAX_PROMPTS + 1), 0);
	for (i = 0; i < MONITOR_MAX_PROMPTS + 1; i++) {
		assert_int_equal(buf_put_cstring(&body, "x"), 0);
	}
	assert_int_equal(parse_raw(MONITOR_REQ_KBDINT_RESPOND, buf_data(&body),
	                           buf_len(&body)),
	                 SESH_ERR_LIMIT);
	buf_reset(&body);
	assert_int_equal(buf_put_u8(&body, LOG_LVL_DEBUG3 + 1), 0);
	assert_int_equal(buf_put_cstring(&body, "x"), 0);
	assert_int_equal(
	    parse_raw(MONITOR_REQ_LOG, buf_data(&body), buf_len(&body)),
	    SESH_ERR_INVALID_FORMAT);
	buf_reset(&body);
	assert_int_equal(buf_put_u8(&body, 3), 0);
	assert_int_equal(buf_put_cstring(&body, ""), 0);
	assert_int_equal(
	    parse_raw(MONITOR_ANS_AUTH, buf_data(&body), buf_len(&body)),
	    SESH_ERR_INVALID_FORMAT);
	/* ANS_USER: max tries 1..MONITOR_HARD_MAX_TRIES, then nothing */
	for (i = 0; i <= MONITOR_HARD_MAX_TRIES + 1; i++) {
		buf_reset(&body);
		assert_int_equal(buf_put_cstring(&body, "password"), 0);
		assert_int_equal(buf_put_u32(&body, i), 0);
		assert_int_equal(parse_raw(MONITOR_ANS_USER, buf_data(&body),
		                           buf_len(&body)),
		                 i == 0 || i > MONITOR_HARD_MAX_TRIES
		                     ? SESH_ERR_INVALID_FORMAT
		                     : 0);
	}
	buf_reset(&body);
	assert_int_equal(buf_put_cstring(&body, "password"), 0);
	assert_int_equal(buf_put_u32(&body, 1), 0);
	assert_int_equal(buf_put_u8(&body, 0), 0);
	assert_int_equal(
	    parse_raw(MONITOR_ANS_USER, buf_data(&body), buf_len(&body)),
	    SESH_ERR_TRAILING_DATA);
	buf_reset(&body);
	assert_int_equal(buf_put_cstring(&body, "password"), 0); /* no u32 */
	assert_int_equal(
	    parse_raw(MONITOR_ANS_USER, buf_data(&body), buf_len(&body)),
	    SESH_ERR_TRUNCATED);
	assert_int_equal(parse_raw(11, NULL, 0), SESH_ERR_PROTOCOL);
	assert_int_equal(parse_raw(64, NULL, 0), SESH_ERR_PROTOCOL);
	assert_int_equal(parse_raw(MONITOR_REQ_AUTH_NONE, NULL, 0), 0);
	buf_clear(&body);
	assert_int_equal(monitor_msg_parse(zero_len, sizeof(zero_len), &p),
	                 SESH_ERR_LIMIT);
	assert_int_equal(monitor_msg_parse(huge_len, sizeof(huge_len), &p),
	                 SESH_ERR_LIMIT);
	/* bytes after the frame */
	sample(MONITOR_REQ_AUTH_NONE, &m);
	build(&m, &b);
	assert_int_equal(buf_put_u8(&b, 0), 0);
	assert_int_equal(monitor_msg_parse(buf_data(&b), buf_len(&b), &p),
	                 SESH_ERR_TRAILING_DATA);
	buf_clear(&b);
	free(big);
}

static void
test_str_dup(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(monitor_str_dup(monitor_str_of("abc"), &s), 0);
	assert_string_equal(s, "abc");
	free(s);
	assert_int_equal(monitor_str_dup(monitor_str_of(NULL), &s), 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(monitor_str_dup(bytes((const uint8_t *)"a\0b", 3), &s),
	                 SESH_ERR_INVALID_FORMAT);
	assert_null(s);
}

static void
test_answer_table(void **state)
{
	(void)state;
	assert_true(monitor_answer_matches(MONITOR_REQ_SIGN, MONITOR_ANS_SIGN));
	assert_false(
	    monitor_answer_matches(MONITOR_REQ_SIGN, MONITOR_ANS_AUTH));
	assert_true(
	    monitor_answer_matches(MONITOR_REQ_PASSWORD, MONITOR_ANS_AUTH));
	assert_false(
	    monitor_answer_matches(MONITOR_REQ_PASSWORD, MONITOR_ANS_PROMPTS));
	assert_true(monitor_answer_matches(MONITOR_REQ_KBDINT_START,
	                                   MONITOR_ANS_PROMPTS));
	assert_true(monitor_answer_matches(MONITOR_REQ_KBDINT_RESPOND,
	                                   MONITOR_ANS_AUTH));
	assert_false(monitor_answer_matches(MONITOR_REQ_LOG, MONITOR_ANS_AUTH));
	assert_false(monitor_expects_answer(MONITOR_REQ_LOG));
	assert_true(monitor_expects_answer(MONITOR_REQ_HANDOVER));
	assert_false(monitor_expects_answer(MONITOR_ANS_AUTH));
}

/* ---- state ---- */

/* Admits req (must be allowed) and records ans. */
static void
exchange(struct monitor_state *st, const struct monitor_msg *req,
         const struct monitor_msg *ans)
{
	struct monitor_state before = *st;

	assert_int_equal(monitor_check_request(st, req->type), 0);
	assert_memory_equal(&before, st, sizeof(before)); /* pure */
	assert_int_equal(monitor_state_request(st, req), 0);
	if (ans != NULL) {
		assert_int_equal(st->pending, req->type);
		assert_int_equal(monitor_state_answer(st, ans), 0);
	}
	assert_int_equal(st->pending, 0);
}

static void
req_of(uint8_t type, struct monitor_msg *m)
{
	sample(type, m);
}

static void
auth_ans(uint8_t result, struct monitor_msg *m)
{
	sample(MONITOR_ANS_AUTH, m);
	m->result = result;
}

static void
sign_and_user(struct monitor_state *st)
{
	struct monitor_msg req, ans;

	req_of(MONITOR_REQ_SIGN, &req);
	sample(MONITOR_ANS_SIGN, &ans);
	exchange(st, &req, &ans);
	req_of(MONITOR_REQ_USER, &req);
	sample(MONITOR_ANS_USER, &ans);
	ans.max_tries = st->max_tries; /* no Match block */
	exchange(st, &req, &ans);
}

static void
test_state_order(void **state)
{
	struct monitor_state st;
	struct monitor_msg req, ans;
	int t;

	(void)state;
	monitor_state_init(&st, 0);
	assert_int_equal(st.max_tries, MONITOR_DEFAULT_MAX_TRIES);
	assert_int_equal(st.phase, MONITOR_PREAUTH);
	/* not requests at all */
	for (t = 0; t < 256; t++) {
		if (t < MONITOR_REQ_FIRST || t > MONITOR_REQ_LAST) {
			assert_int_equal(monitor_check_request(&st, (uint8_t)t),
			                 SESH_ERR_PROTOCOL);
		}
	}
	/* auth before USER; kbdint answers without prompts; handover */
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_AUTH_NONE),
	                 SESH_ERR_PROTOCOL);
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_PASSWORD),
	                 SESH_ERR_PROTOCOL);
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_KEY_QUERY),
	                 SESH_ERR_PROTOCOL);
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_HANDOVER),
	                 SESH_ERR_PROTOCOL);
	/* publickey signed data before any session id */
	req_of(MONITOR_REQ_USER, &req);
	sample(MONITOR_ANS_USER, &ans);
	exchange(&st, &req, &ans);
	req_of(MONITOR_REQ_KEY_VERIFY, &req);
	assert_int_equal(monitor_state_request(&st, &req), SESH_ERR_PROTOCOL);
	/* a second user */
	req_of(MONITOR_REQ_USER, &req);
	assert_int_equal(monitor_state_request(&st, &req), SESH_ERR_PROTOCOL);
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_KBDINT_RESPOND),
	                 SESH_ERR_PROTOCOL);
	/* strict alternation: while SIGN waits, nothing else */
	req_of(MONITOR_REQ_SIGN, &req);
	assert_int_equal(monitor_state_request(&st, &req), 0);
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_SIGN),
	                 SESH_ERR_PROTOCOL);
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_LOG),
	                 SESH_ERR_PROTOCOL);
	/* an answer to something else is refused, nothing changes */
	auth_ans(MONITOR_AUTH_SUCCESS, &ans);
	assert_int_equal(monitor_state_answer(&st, &ans),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(st.phase, MONITOR_PREAUTH);
	sample(MONITOR_ANS_SIGN, &ans);
	assert_int_equal(monitor_state_answer(&st, &ans), 0);
	/* no answer without a request */
	assert_int_equal(monitor_state_answer(&st, &ans),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* LOG needs no answer */
	req_of(MONITOR_REQ_LOG, &req);
	exchange(&st, &req, NULL);
}

static void
test_state_session_id(void **state)
{
	struct monitor_state st;
	struct monitor_msg req, ans;

	(void)state;
	monitor_state_init(&st, 0);
	sign_and_user(&st);
	assert_int_equal(st.session_id_len, 32);
	assert_memory_equal(st.session_id, hash32, 32);
	/* a rekey's H does not replace the session id */
	req_of(MONITOR_REQ_SIGN, &req);
	req.data = bytes(hash_other, sizeof(hash_other));
	sample(MONITOR_ANS_SIGN, &ans);
	exchange(&st, &req, &ans);
	assert_memory_equal(st.session_id, hash32, 32);
	/* signed data for another session */
	req_of(MONITOR_REQ_KEY_VERIFY, &req);
	signed_data[10] ^= 1;
	assert_int_equal(monitor_state_request(&st, &req), SESH_ERR_PROTOCOL);
	signed_data[10] ^= 1;
	req.data = bytes(signed_data, 20); /* too short for the id */
	assert_int_equal(monitor_state_request(&st, &req), SESH_ERR_PROTOCOL);
	req_of(MONITOR_REQ_KEY_VERIFY, &req);
	auth_ans(MONITOR_AUTH_FAIL, &ans);
	exchange(&st, &req, &ans);
	assert_int_equal(st.failures, 1);
}

static void
test_state_caps(void **state)
{
	struct monitor_state st;
	struct monitor_msg req, ans;
	unsigned i;

	(void)state;
	monitor_state_init(&st, 0);
	req_of(MONITOR_REQ_SIGN, &req);
	sample(MONITOR_ANS_SIGN, &ans);
	for (i = 0; i < MONITOR_MAX_SIGN_PREAUTH; i++) {
		exchange(&st, &req, &ans);
	}
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_SIGN),
	                 SESH_ERR_LIMIT);
	assert_int_equal(monitor_state_request(&st, &req), SESH_ERR_LIMIT);
	req_of(MONITOR_REQ_LOG, &req);
	for (i = 0; i < MONITOR_MAX_LOGS; i++) {
		exchange(&st, &req, NULL);
	}
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_LOG),
	                 SESH_ERR_LIMIT);
	/* none: capped, and it can fail */
	monitor_state_init(&st, 0);
	sign_and_user(&st);
	req_of(MONITOR_REQ_AUTH_NONE, &req);
	auth_ans(MONITOR_AUTH_PARTIAL, &ans);
	for (i = 0; i < MONITOR_MAX_NONE; i++) {
		exchange(&st, &req, &ans);
	}
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_AUTH_NONE),
	                 SESH_ERR_LIMIT);
	assert_int_equal(st.failures, 0); /* partial success is no failure */
	/* key queries answered ok are capped too */
	req_of(MONITOR_REQ_KEY_QUERY, &req);
	sample(MONITOR_ANS_KEY_QUERY, &ans);
	for (i = 0; i < MONITOR_MAX_KEY_QUERY; i++) {
		exchange(&st, &req, &ans);
	}
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_KEY_QUERY),
	                 SESH_ERR_LIMIT);
}

static void
test_state_max_tries(void **state)
{
	static const uint8_t methods[] = {
	    MONITOR_REQ_AUTH_NONE, MONITOR_REQ_KEY_QUERY,
	    MONITOR_REQ_KEY_VERIFY, MONITOR_REQ_PASSWORD,
	    MONITOR_REQ_KBDINT_START};
	struct monitor_state st;
	struct monitor_msg req, ans;
	size_t m, k;

	(void)state;
	monitor_state_init(&st, 1000);
	assert_int_equal(st.max_tries, MONITOR_HARD_MAX_TRIES);
	/* each method's failures count, and each is then refused */
	for (m = 0; m < sizeof(methods); m++) {
		monitor_state_init(&st, 3);
		sign_and_user(&st);
		for (k = 0; st.failures < 3 && k < 4; k++) {
			req_of(methods[k % 2 == 0 ? m : (m + 1) % 5], &req);
			if (req.type == MONITOR_REQ_KEY_QUERY) {
				sample(MONITOR_ANS_KEY_QUERY, &ans);
				ans.ok = false;
			} else {
				auth_ans(MONITOR_AUTH_FAIL, &ans);
			}
			exchange(&st, &req, &ans);
		}
		assert_int_equal(st.failures, 3);
		/* as sshd: a first request of method "none" that fails is
		 * not a failure; any later one is */
		assert_int_equal(k,
		                 methods[m] == MONITOR_REQ_AUTH_NONE ? 4 : 3);
		for (k = 0; k < sizeof(methods); k++) {
			assert_int_equal(monitor_check_request(&st, methods[k]),
			                 SESH_ERR_AUTH_TOO_MANY);
		}
		/* signing and logging go on (the child says goodbye) */
		assert_int_equal(monitor_check_request(&st, MONITOR_REQ_LOG),
		                 0);
		assert_int_equal(monitor_check_request(&st, MONITOR_REQ_SIGN),
		                 0);
	}
}

/* ANS_USER carries the user's MaxAuthTries (Match blocks applied). */
static void
test_state_user_max_tries(void **state)
{
	struct monitor_state st, before;
	struct monitor_msg req, ans;
	unsigned i;

	(void)state;
	assert_int_equal(monitor_max_tries(-1), MONITOR_DEFAULT_MAX_TRIES);
	assert_int_equal(monitor_max_tries(0), MONITOR_DEFAULT_MAX_TRIES);
	assert_int_equal(monitor_max_tries(2), 2);
	assert_int_equal(monitor_max_tries(1000), MONITOR_HARD_MAX_TRIES);
	/* out of range: refused, nothing changes, the answer still due */
	monitor_state_init(&st, 6);
	req_of(MONITOR_REQ_USER, &req);
	assert_int_equal(monitor_state_request(&st, &req), 0);
	before = st;
	sample(MONITOR_ANS_USER, &ans);
	ans.max_tries = 0;
	assert_int_equal(monitor_state_answer(&st, &ans),
	                 SESH_ERR_INVALID_ARGUMENT);
	ans.max_tries = MONITOR_HARD_MAX_TRIES + 1;
	assert_int_equal(monitor_state_answer(&st, &ans),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_memory_equal(&before, &st, sizeof(st));
	/* lowered: 6 -> 2, the third attempt is refused */
	ans.max_tries = 2;
	assert_int_equal(monitor_state_answer(&st, &ans), 0);
	assert_int_equal(st.max_tries, 2);
	req_of(MONITOR_REQ_PASSWORD, &req);
	auth_ans(MONITOR_AUTH_FAIL, &ans);
	for (i = 0; i < 2; i++) {
		exchange(&st, &req, &ans);
	}
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_PASSWORD),
	                 SESH_ERR_AUTH_TOO_MANY);
	/* raised: 2 -> 5 */
	monitor_state_init(&st, 2);
	req_of(MONITOR_REQ_USER, &req);
	sample(MONITOR_ANS_USER, &ans);
	exchange(&st, &req, &ans);
	assert_int_equal(st.max_tries, 5);
	req_of(MONITOR_REQ_PASSWORD, &req);
	auth_ans(MONITOR_AUTH_FAIL, &ans);
	for (i = 0; i < 5; i++) {
		exchange(&st, &req, &ans);
	}
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_PASSWORD),
	                 SESH_ERR_AUTH_TOO_MANY);
	assert_int_equal(st.failures, 5);
}

static void
test_state_kbdint(void **state)
{
	struct monitor_state st;
	struct monitor_msg req, ans;
	unsigned i;

	(void)state;
	monitor_state_init(&st, 0);
	sign_and_user(&st);
	req_of(MONITOR_REQ_KBDINT_START, &req);
	sample(MONITOR_ANS_PROMPTS, &ans);
	exchange(&st, &req, &ans);
	assert_true(st.in_kbdint);
	req_of(MONITOR_REQ_KBDINT_RESPOND, &req);
	for (i = 1; i < MONITOR_MAX_KBDINT_ROUNDS; i++) {
		exchange(&st, &req, &ans);
	}
	/* the last round's answers, then more prompts: refused */
	exchange(&st, &req, &ans);
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_KBDINT_RESPOND),
	                 SESH_ERR_LIMIT);
	/* another method abandons the conversation */
	req_of(MONITOR_REQ_PASSWORD, &req);
	assert_int_equal(monitor_state_request(&st, &req), 0);
	assert_false(st.in_kbdint);
	auth_ans(MONITOR_AUTH_FAIL, &ans);
	assert_int_equal(monitor_state_answer(&st, &ans), 0);
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_KBDINT_RESPOND),
	                 SESH_ERR_PROTOCOL);
	/* a conversation ending in failure */
	req_of(MONITOR_REQ_KBDINT_START, &req);
	sample(MONITOR_ANS_PROMPTS, &ans);
	exchange(&st, &req, &ans);
	req_of(MONITOR_REQ_KBDINT_RESPOND, &req);
	auth_ans(MONITOR_AUTH_FAIL, &ans);
	exchange(&st, &req, &ans);
	assert_false(st.in_kbdint);
	assert_int_equal(st.failures, 2);
	/* and one ending in success */
	req_of(MONITOR_REQ_KBDINT_START, &req);
	sample(MONITOR_ANS_PROMPTS, &ans);
	exchange(&st, &req, &ans);
	req_of(MONITOR_REQ_KBDINT_RESPOND, &req);
	auth_ans(MONITOR_AUTH_SUCCESS, &ans);
	exchange(&st, &req, &ans);
	assert_int_equal(st.phase, MONITOR_AUTHENTICATED);
}

static void
test_state_success(void **state)
{
	static const uint8_t preauth_only[] = {
	    MONITOR_REQ_SIGN,         MONITOR_REQ_USER,
	    MONITOR_REQ_AUTH_NONE,    MONITOR_REQ_KEY_QUERY,
	    MONITOR_REQ_KEY_VERIFY,   MONITOR_REQ_PASSWORD,
	    MONITOR_REQ_KBDINT_START, MONITOR_REQ_KBDINT_RESPOND};
	struct monitor_state st;
	struct monitor_msg req, ans;
	size_t i;

	(void)state;
	monitor_state_init(&st, 0);
	sign_and_user(&st);
	req_of(MONITOR_REQ_PASSWORD, &req);
	auth_ans(MONITOR_AUTH_PARTIAL, &ans);
	exchange(&st, &req, &ans);
	assert_int_equal(st.phase, MONITOR_PREAUTH);
	req_of(MONITOR_REQ_KEY_VERIFY, &req);
	auth_ans(MONITOR_AUTH_SUCCESS, &ans);
	exchange(&st, &req, &ans);
	assert_int_equal(st.phase, MONITOR_AUTHENTICATED);
	/* nothing but the handover (and logs) now */
	for (i = 0; i < sizeof(preauth_only); i++) {
		assert_int_equal(monitor_check_request(&st, preauth_only[i]),
		                 SESH_ERR_PROTOCOL);
	}
	req_of(MONITOR_REQ_LOG, &req);
	exchange(&st, &req, NULL);
	req_of(MONITOR_REQ_HANDOVER, &req);
	assert_int_equal(monitor_state_request(&st, &req), 0);
	sample(MONITOR_ANS_SIGN, &ans);
	assert_int_equal(monitor_state_answer(&st, &ans),
	                 SESH_ERR_INVALID_ARGUMENT);
	sample(MONITOR_ANS_HANDOVER, &ans);
	assert_int_equal(monitor_state_answer(&st, &ans), 0);
	assert_int_equal(st.phase, MONITOR_DONE);
	assert_int_equal(monitor_check_request(&st, MONITOR_REQ_HANDOVER),
	                 SESH_ERR_PROTOCOL);
	/* signatures for rekeys: more than the pre-auth cap */
	req_of(MONITOR_REQ_SIGN, &req);
	sample(MONITOR_ANS_SIGN, &ans);
	for (i = 0; i < MONITOR_MAX_SIGN_PREAUTH + 4; i++) {
		exchange(&st, &req, &ans);
	}
	for (i = 1; i < sizeof(preauth_only); i++) {
		assert_int_equal(monitor_check_request(&st, preauth_only[i]),
		                 SESH_ERR_PROTOCOL);
	}
}

/* ---- I/O ---- */

static void
send_msg(int fd, const struct monitor_msg *m)
{
	struct buf b;

	build(m, &b);
	assert_int_equal(monitor_send(fd, buf_data(&b), buf_len(&b)), 0);
	buf_clear(&b);
}

static void
test_io(void **state)
{
	struct monitor_msg m, p, ans;
	struct buf b;
	int sv[2];
	uint32_t len;
	uint8_t hdr[5];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	buf_init(&b, 0);
	/* a large frame (the handover state) arrives whole */
	sample(MONITOR_REQ_HANDOVER, &m);
	send_msg(sv[0], &m);
	assert_int_equal(monitor_recv(sv[1], 0, &b), 0);
	assert_true(b.secret);
	assert_int_equal(monitor_msg_parse(buf_data(&b), buf_len(&b), &p), 0);
	assert_msg_eq(&m, &p);
	/* the cap: a frame over max is refused before reading it */
	send_msg(sv[0], &m);
	assert_int_equal(monitor_recv(sv[1], 100, &b), SESH_ERR_LIMIT);
	assert_int_equal(buf_len(&b), 0);
	close(sv[0]);
	close(sv[1]);

	/* zero length */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(hdr, 0, sizeof(hdr));
	assert_int_equal(monitor_send(sv[0], hdr, 4), 0);
	assert_int_equal(monitor_recv(sv[1], 0, &b), SESH_ERR_LIMIT);
	/* EOF inside a frame, then before one */
	len = 10;
	hdr[3] = (uint8_t)len;
	hdr[4] = MONITOR_REQ_LOG;
	assert_int_equal(monitor_send(sv[0], hdr, 5), 0);
	close(sv[0]);
	assert_int_equal(monitor_recv(sv[1], 0, &b), SESH_ERR_TRUNCATED);
	assert_int_equal(monitor_recv(sv[1], 0, &b), SESH_ERR_NOT_FOUND);
	close(sv[1]);

	/* monitor_call: the answer waits in the socket already */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	sample(MONITOR_ANS_SIGN, &m);
	send_msg(sv[1], &m);
	sample(MONITOR_REQ_SIGN, &m);
	assert_int_equal(monitor_call(sv[0], &m, &b, &ans), 0);
	assert_int_equal(ans.type, MONITOR_ANS_SIGN);
	assert_true(ans.ok);
	assert_int_equal(ans.data.n, sizeof(sigb));
	assert_memory_equal(ans.data.p, sigb, sizeof(sigb));
	assert_int_equal(monitor_recv(sv[1], 0, &b), 0); /* the request */
	assert_int_equal(monitor_msg_parse(buf_data(&b), buf_len(&b), &p), 0);
	assert_msg_eq(&m, &p);
	/* a wrong answer type */
	auth_ans(MONITOR_AUTH_SUCCESS, &m);
	send_msg(sv[1], &m);
	sample(MONITOR_REQ_SIGN, &m);
	assert_int_equal(monitor_call(sv[0], &m, &b, &ans), SESH_ERR_PROTOCOL);
	assert_int_equal(ans.type, 0);
	assert_int_equal(monitor_recv(sv[1], 0, &b), 0);
	/* LOG: sent, no answer awaited */
	sample(MONITOR_REQ_LOG, &m);
	assert_int_equal(monitor_call(sv[0], &m, &b, &ans), 0);
	assert_int_equal(monitor_recv(sv[1], 0, &b), 0);
	assert_int_equal(monitor_msg_parse(buf_data(&b), buf_len(&b), &p), 0);
	assert_int_equal(p.type, MONITOR_REQ_LOG);
	/* a build error sends nothing */
	m.level = 200;
	assert_int_equal(monitor_call(sv[0], &m, &b, &ans),
	                 SESH_ERR_INVALID_ARGUMENT);
	close(sv[0]);
	assert_int_equal(monitor_recv(sv[1], 0, &b), SESH_ERR_NOT_FOUND);
	close(sv[1]);
	buf_clear(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_bitflip),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_str_dup),
	    cmocka_unit_test(test_answer_table),
	    cmocka_unit_test(test_state_order),
	    cmocka_unit_test(test_state_session_id),
	    cmocka_unit_test(test_state_caps),
	    cmocka_unit_test(test_state_max_tries),
	    cmocka_unit_test(test_state_user_max_tries),
	    cmocka_unit_test(test_state_kbdint),
	    cmocka_unit_test(test_state_success),
	    cmocka_unit_test(test_io),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
