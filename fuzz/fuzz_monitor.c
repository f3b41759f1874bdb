/*
 * fuzz_monitor.c - libFuzzer target for the monitor protocol
 * (app/monitor.h): the frame parser and the monitor-side state machine.
 *
 * Input: byte max_tries, then steps, each a selector byte and one frame
 * (uint32 length, then that many bytes). Every frame goes through
 * monitor_msg_parse; one that parses must lie inside the input, build
 * again, and parse back to the same type. Requests go through
 * monitor_check_request (which must not change the state) and
 * monitor_state_request (which must agree with it and change nothing on
 * refusal); an admitted request gets an answer made from the selector,
 * which monitor_state_answer must take. Answer frames are also offered
 * to monitor_state_answer directly (refused unless they answer the
 * pending request). Invariants: failures never exceed max_tries, at
 * most MONITOR_HARD_MAX_TRIES (ANS_USER sets it, before any failure);
 * phases only move forward, to AUTHENTICATED only through an ANS_AUTH
 * success.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/monitor.h"
#include "base/buf.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_view(struct monitor_str s, const uint8_t *p, size_t n)
{
	if (s.n == 0) {
		return;
	}
	if (s.p < p || s.n > n || (size_t)(s.p - p) > n - s.n) {
		abort();
	}
}

static void
check_msg(const struct monitor_msg *m, const uint8_t *p, size_t n)
{
	struct monitor_msg again;
	struct buf b;
	uint32_t i;

	check_view(m->alg, p, n);
	check_view(m->blob, p, n);
	check_view(m->data, p, n);
	check_view(m->sig, p, n);
	check_view(m->user, p, n);
	check_view(m->service, p, n);
	check_view(m->password, p, n);
	check_view(m->new_password, p, n);
	check_view(m->text, p, n);
	check_view(m->instruction, p, n);
	if (m->count > MONITOR_MAX_PROMPTS) {
		abort();
	}
	for (i = 0; i < m->count; i++) {
		check_view(m->item[i], p, n);
	}
	buf_init(&b, 0);
	if (monitor_msg_build(m, &b) != 0 ||
	    monitor_msg_parse(buf_data(&b), buf_len(&b), &again) != 0 ||
	    again.type != m->type || again.count != m->count ||
	    again.data.n != m->data.n || again.text.n != m->text.n ||
	    again.max_tries != m->max_tries) {
		abort();
	}
	buf_clear(&b);
}

/* An answer of a type that fits req, its content from sel (ANS_USER:
 * a Match block's MaxAuthTries, 1..32, or the one in force for sel 0). */
static void
make_answer(uint8_t req, uint8_t sel, unsigned max_tries,
            struct monitor_msg *ans)
{
	memset(ans, 0, sizeof(*ans));
	switch (req) {
	case MONITOR_REQ_SIGN:
		ans->type = MONITOR_ANS_SIGN;
		ans->ok = (sel & 1) != 0;
		break;
	case MONITOR_REQ_USER:
		ans->type = MONITOR_ANS_USER;
		ans->max_tries = sel % (MONITOR_HARD_MAX_TRIES + 1);
		if (ans->max_tries == 0) {
			ans->max_tries = max_tries;
		}
		break;
	case MONITOR_REQ_KEY_QUERY:
		ans->type = MONITOR_ANS_KEY_QUERY;
		ans->ok = (sel & 1) != 0;
		break;
	case MONITOR_REQ_HANDOVER:
		ans->type = MONITOR_ANS_HANDOVER;
		break;
	case MONITOR_REQ_KBDINT_START:
	case MONITOR_REQ_KBDINT_RESPOND:
		if ((sel & 0x80) != 0) {
			ans->type = MONITOR_ANS_PROMPTS;
			break;
		}
		/* fall through */
	default:
		ans->type = MONITOR_ANS_AUTH;
		ans->result = (uint8_t)(sel % 3);
		break;
	}
}

static void
check_invariants(const struct monitor_state *st, enum monitor_phase before,
                 bool success_answer)
{
	if (st->failures > st->max_tries ||
	    st->max_tries > MONITOR_HARD_MAX_TRIES || st->phase < before ||
	    (before == MONITOR_PREAUTH && st->phase != MONITOR_PREAUTH &&
	     !success_answer) ||
	    st->session_id_len > MONITOR_MAX_HASH) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor_state st, saved;
	struct monitor_msg m, ans;
	struct rd r;
	uint8_t max_tries, sel;
	uint32_t len;
	const uint8_t *frame;

	rd_init(&r, data, size);
	if (rd_u8(&r, &max_tries) != 0) {
		return 0;
	}
	monitor_state_init(&st, max_tries);
	while (rd_u8(&r, &sel) == 0) {
		enum monitor_phase before = st.phase;
		int chk, ret;

		frame = rd_ptr(&r);
		if (rd_u32(&r, &len) != 0 || rd_skip(&r, len) != 0) {
			/* the rest, as one (bad) frame */
			(void)monitor_msg_parse(
			    frame, size - (size_t)(frame - data), &m);
			break;
		}
		if (monitor_msg_parse(frame, 4 + (size_t)len, &m) != 0) {
			continue;
		}
		check_msg(&m, frame, 4 + (size_t)len);
		if (m.type >= MONITOR_REQ_FIRST && m.type <= MONITOR_REQ_LAST) {
			saved = st;
			chk = monitor_check_request(&st, m.type);
			if (memcmp(&saved, &st, sizeof(st)) != 0) {
				abort();
			}
			ret = monitor_state_request(&st, &m);
			if (ret != 0) {
				if (memcmp(&saved, &st, sizeof(st)) != 0) {
					abort();
				}
				continue;
			}
			if (chk != 0) {
				abort();
			}
			if (!monitor_expects_answer(m.type)) {
				continue;
			}
			make_answer(m.type, sel, st.max_tries, &ans);
			if (monitor_state_answer(&st, &ans) != 0 ||
			    st.pending != 0 ||
			    (ans.type == MONITOR_ANS_USER &&
			     st.max_tries != ans.max_tries)) {
				abort();
			}
			check_invariants(&st, before,
			                 ans.type == MONITOR_ANS_AUTH &&
			                     ans.result ==
			                         MONITOR_AUTH_SUCCESS);
		} else {
			uint8_t pending = st.pending;

			saved = st;
			ret = monitor_state_answer(&st, &m);
			if (ret != 0) {
				if (memcmp(&saved, &st, sizeof(st)) != 0) {
					abort();
				}
				continue;
			}
			if (pending == 0 ||
			    !monitor_answer_matches(pending, m.type)) {
				abort();
			}
			check_invariants(&st, before,
			                 m.type == MONITOR_ANS_AUTH &&
			                     m.result == MONITOR_AUTH_SUCCESS);
		}
	}
	return 0;
}
