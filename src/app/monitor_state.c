/*
 * monitor_state.c - the monitor's side of the request table: which
 * request may come in which phase, how often, and what the monitor's
 * answers change. See monitor.h.
 *
 * Phases and transitions:
 *	PREAUTH --ANS_AUTH SUCCESS--> AUTHENTICATED --ANS_HANDOVER--> DONE
 * Per-phase allowances (anything else is refused; counts reset at each
 * transition):
 *	PREAUTH        SIGN (<= MONITOR_MAX_SIGN_PREAUTH), USER (once, first
 *	               before any auth request), AUTH_NONE, KEY_QUERY,
 *	               KEY_VERIFY, PASSWORD, KBDINT_START, KBDINT_RESPOND
 *	               (only after ANS_PROMPTS), LOG
 *	AUTHENTICATED  HANDOVER (once), LOG
 *	DONE           SIGN (<= MONITOR_MAX_SIGN_POSTAUTH, rekeys), LOG
 * Strict alternation: while a request waits for its answer no other
 * request is taken (LOG has no answer). Auth requests that can fail are
 * refused once failures reach max_tries (SESH_ERR_AUTH_TOO_MANY); each
 * type also has a hard count cap whatever the answers were. max_tries
 * starts as the global MaxAuthTries and becomes the user's (Match
 * blocks applied) with the monitor's ANS_USER, before any failure.
 */
#include "app/monitor.h"

#include <string.h>

#include "base/err.h"

#define PH_PRE  (1u << MONITOR_PREAUTH)
#define PH_AUTH (1u << MONITOR_AUTHENTICATED)
#define PH_DONE (1u << MONITOR_DONE)

#define KBDINT_RESPONSES (MONITOR_HARD_MAX_TRIES * MONITOR_MAX_KBDINT_ROUNDS)

struct monitor_rule {
	unsigned phases;
	unsigned cap;    /* per phase (DONE: SIGN's own cap below) */
	bool needs_user; /* REQ_USER must have been answered */
	bool can_fail;   /* refused once failures reach max_tries */
};

static const struct monitor_rule monitor_rules[MONITOR_REQ_LAST + 1] = {
    [MONITOR_REQ_SIGN] = {PH_PRE | PH_DONE, MONITOR_MAX_SIGN_PREAUTH, false,
                          false},
    [MONITOR_REQ_USER] = {PH_PRE, 1, false, false},
    [MONITOR_REQ_AUTH_NONE] = {PH_PRE, MONITOR_MAX_NONE, true, true},
    [MONITOR_REQ_KEY_QUERY] = {PH_PRE, MONITOR_MAX_KEY_QUERY, true, true},
    [MONITOR_REQ_KEY_VERIFY] = {PH_PRE, MONITOR_MAX_KEY_VERIFY, true, true},
    [MONITOR_REQ_PASSWORD] = {PH_PRE, MONITOR_HARD_MAX_TRIES, true, true},
    [MONITOR_REQ_KBDINT_START] = {PH_PRE, MONITOR_HARD_MAX_TRIES, true, true},
    [MONITOR_REQ_KBDINT_RESPOND] = {PH_PRE, KBDINT_RESPONSES, true, false},
    [MONITOR_REQ_HANDOVER] = {PH_AUTH, 1, false, false},
    [MONITOR_REQ_LOG] = {PH_PRE | PH_AUTH | PH_DONE, MONITOR_MAX_LOGS, false,
                         false},
};

static unsigned
cap_tries(unsigned max_tries)
{
	if (max_tries == 0) {
		return MONITOR_DEFAULT_MAX_TRIES;
	}
	return max_tries > MONITOR_HARD_MAX_TRIES ? MONITOR_HARD_MAX_TRIES
	                                          : max_tries;
}

unsigned
monitor_max_tries(int max_auth_tries)
{
	return cap_tries(max_auth_tries > 0 ? (unsigned)max_auth_tries : 0);
}

bool
monitor_tries_valid(unsigned max_tries)
{
	return max_tries != 0 && max_tries <= MONITOR_HARD_MAX_TRIES;
}

void
monitor_state_init(struct monitor_state *st, unsigned max_tries)
{
	memset(st, 0, sizeof(*st));
	st->phase = MONITOR_PREAUTH;
	st->max_tries = cap_tries(max_tries);
}

int
monitor_check_request(const struct monitor_state *st, uint8_t type)
{
	const struct monitor_rule *rule;
	unsigned cap;

	if (type < MONITOR_REQ_FIRST || type > MONITOR_REQ_LAST) {
		return SESH_ERR_PROTOCOL;
	}
	rule = &monitor_rules[type];
	if (st->pending != 0 || (rule->phases & (1u << st->phase)) == 0) {
		return SESH_ERR_PROTOCOL;
	}
	if ((type == MONITOR_REQ_USER && st->user_set) ||
	    (rule->needs_user && !st->user_set) ||
	    (type == MONITOR_REQ_KBDINT_RESPOND && !st->in_kbdint)) {
		return SESH_ERR_PROTOCOL;
	}
	if (rule->can_fail && st->failures >= st->max_tries) {
		return SESH_ERR_AUTH_TOO_MANY;
	}
	cap = rule->cap;
	if (type == MONITOR_REQ_SIGN && st->phase == MONITOR_DONE) {
		cap = MONITOR_MAX_SIGN_POSTAUTH;
	}
	if (st->count[type] >= cap ||
	    (type == MONITOR_REQ_KBDINT_RESPOND &&
	     st->kbdint_rounds > MONITOR_MAX_KBDINT_ROUNDS)) {
		return SESH_ERR_LIMIT;
	}
	return 0;
}

/* Signed data of a publickey request begins with string session id
 * (RFC 4252 §7). */
static int
check_signed_data(const struct monitor_state *st, struct monitor_str d)
{
	const uint8_t *sid;
	size_t n;
	struct rd r;

	if (st->session_id_len == 0) {
		return SESH_ERR_PROTOCOL;
	}
	rd_init(&r, d.p, d.n);
	if (rd_string_max(&r, MONITOR_MAX_HASH, &sid, &n) != 0 ||
	    n != st->session_id_len || memcmp(sid, st->session_id, n) != 0) {
		return SESH_ERR_PROTOCOL;
	}
	return 0;
}

int
monitor_state_request(struct monitor_state *st, const struct monitor_msg *req)
{
	int ret;

	if ((ret = monitor_check_request(st, req->type)) != 0) {
		return ret;
	}
	switch (req->type) {
	case MONITOR_REQ_SIGN:
		if (req->data.n < MONITOR_MIN_HASH ||
		    req->data.n > MONITOR_MAX_HASH) {
			return SESH_ERR_PROTOCOL;
		}
		if (st->session_id_len == 0) {
			memcpy(st->session_id, req->data.p, req->data.n);
			st->session_id_len = req->data.n;
		}
		break;
	case MONITOR_REQ_KEY_VERIFY:
		if ((ret = check_signed_data(st, req->data)) != 0) {
			return ret;
		}
		break;
	default:
		break;
	}
	switch (req->type) {
	case MONITOR_REQ_AUTH_NONE:
	case MONITOR_REQ_KEY_QUERY:
	case MONITOR_REQ_KEY_VERIFY:
	case MONITOR_REQ_PASSWORD:
	case MONITOR_REQ_KBDINT_START:
		/* Another method abandons a kbdint conversation. */
		st->in_kbdint = false;
		st->kbdint_rounds = 0;
		st->attempts++;
		st->last_auth = req->type;
		break;
	default:
		break;
	}
	st->count[req->type]++;
	if (monitor_expects_answer(req->type)) {
		st->pending = req->type;
	}
	return 0;
}

static void
enter_phase(struct monitor_state *st, enum monitor_phase ph)
{
	st->phase = ph;
	memset(st->count, 0, sizeof(st->count));
	st->in_kbdint = false;
	st->kbdint_rounds = 0;
}

int
monitor_state_answer(struct monitor_state *st, const struct monitor_msg *ans)
{
	uint8_t req = st->pending;

	if (req == 0 || !monitor_answer_matches(req, ans->type)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ans->type == MONITOR_ANS_AUTH &&
	     ans->result > MONITOR_AUTH_SUCCESS) ||
	    (ans->type == MONITOR_ANS_USER &&
	     !monitor_tries_valid(ans->max_tries))) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	st->pending = 0;
	switch (ans->type) {
	case MONITOR_ANS_USER:
		/* REQ_USER precedes every auth request: no failures yet */
		st->user_set = true;
		st->max_tries = ans->max_tries;
		break;
	case MONITOR_ANS_KEY_QUERY:
		if (!ans->ok) {
			st->failures++;
		}
		break;
	case MONITOR_ANS_AUTH:
		st->in_kbdint = false;
		st->kbdint_rounds = 0;
		if (ans->result == MONITOR_AUTH_FAIL &&
		    !(st->attempts == 1 &&
		      st->last_auth == MONITOR_REQ_AUTH_NONE)) {
			st->failures++;
		} else if (ans->result == MONITOR_AUTH_SUCCESS) {
			enter_phase(st, MONITOR_AUTHENTICATED);
		}
		break;
	case MONITOR_ANS_PROMPTS:
		st->in_kbdint = true;
		st->kbdint_rounds++;
		break;
	case MONITOR_ANS_HANDOVER:
		enter_phase(st, MONITOR_DONE);
		break;
	default:
		break;
	}
	return 0;
}
