/*
 * monitor.c - the monitor protocol's codec: frame building and parsing
 * for every message type of monitor.h. Sans-I/O, no state.
 *
 * Both directions go through the same per-type field layout; every
 * field is bounded on both sides (a builder never makes a frame the
 * parser refuses), text fields are checked for NUL bytes, and a parse
 * ends with rd_end() on the frame body.
 */
#include "app/monitor.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"

struct monitor_str
monitor_str_of(const char *s)
{
	struct monitor_str v;

	v.p = (const uint8_t *)(s != NULL ? s : "");
	v.n = s != NULL ? strlen(s) : 0;
	return v;
}

int
monitor_str_dup(struct monitor_str s, char **out)
{
	char *p;

	*out = NULL;
	if (s.n > 0 && memchr(s.p, '\0', s.n) != NULL) {
		return SESH_ERR_INVALID_FORMAT;
	}
	if ((p = malloc(s.n + 1)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (s.n > 0) {
		memcpy(p, s.p, s.n);
	}
	p[s.n] = '\0';
	*out = p;
	return 0;
}

const char *
monitor_type_name(uint8_t type)
{
	switch (type) {
	case MONITOR_REQ_SIGN:
		return "REQ_SIGN";
	case MONITOR_REQ_USER:
		return "REQ_USER";
	case MONITOR_REQ_AUTH_NONE:
		return "REQ_AUTH_NONE";
	case MONITOR_REQ_KEY_QUERY:
		return "REQ_KEY_QUERY";
	case MONITOR_REQ_KEY_VERIFY:
		return "REQ_KEY_VERIFY";
	case MONITOR_REQ_PASSWORD:
		return "REQ_PASSWORD";
	case MONITOR_REQ_KBDINT_START:
		return "REQ_KBDINT_START";
	case MONITOR_REQ_KBDINT_RESPOND:
		return "REQ_KBDINT_RESPOND";
	case MONITOR_REQ_HANDOVER:
		return "REQ_HANDOVER";
	case MONITOR_REQ_LOG:
		return "REQ_LOG";
	case MONITOR_ANS_SIGN:
		return "ANS_SIGN";
	case MONITOR_ANS_USER:
		return "ANS_USER";
	case MONITOR_ANS_KEY_QUERY:
		return "ANS_KEY_QUERY";
	case MONITOR_ANS_AUTH:
		return "ANS_AUTH";
	case MONITOR_ANS_PROMPTS:
		return "ANS_PROMPTS";
	case MONITOR_ANS_HANDOVER:
		return "ANS_HANDOVER";
	default:
		return "unknown";
	}
}

bool
monitor_expects_answer(uint8_t req)
{
	return req >= MONITOR_REQ_FIRST && req < MONITOR_REQ_LOG;
}

bool
monitor_answer_matches(uint8_t req, uint8_t ans)
{
	switch (req) {
	case MONITOR_REQ_SIGN:
		return ans == MONITOR_ANS_SIGN;
	case MONITOR_REQ_USER:
		return ans == MONITOR_ANS_USER;
	case MONITOR_REQ_KEY_QUERY:
		return ans == MONITOR_ANS_KEY_QUERY;
	case MONITOR_REQ_AUTH_NONE:
	case MONITOR_REQ_KEY_VERIFY:
	case MONITOR_REQ_PASSWORD:
		return ans == MONITOR_ANS_AUTH;
	case MONITOR_REQ_KBDINT_START:
	case MONITOR_REQ_KBDINT_RESPOND:
		return ans == MONITOR_ANS_AUTH || ans == MONITOR_ANS_PROMPTS;
	case MONITOR_REQ_HANDOVER:
		return ans == MONITOR_ANS_HANDOVER;
	default:
		return false;
	}
}

/* ---- building ---- */

static int
put_field(struct buf *b, struct monitor_str s, size_t max, bool text)
{
	if (s.n > max) {
		return SESH_ERR_LIMIT;
	}
	if (s.n > 0 && s.p == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (text && s.n > 0 && memchr(s.p, '\0', s.n) != NULL) {
		return SESH_ERR_INVALID_FORMAT;
	}
	return buf_put_string(b, s.n > 0 ? s.p : (const uint8_t *)"", s.n);
}

static int
build_body(const struct monitor_msg *m, struct buf *b)
{
	uint32_t i;
	int ret;

	switch (m->type) {
	case MONITOR_REQ_SIGN:
		if (m->data.n < MONITOR_MIN_HASH) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		if ((ret = put_field(b, m->alg, MONITOR_MAX_ALG, true)) != 0 ||
		    (ret = put_field(b, m->blob, MONITOR_MAX_BLOB, false)) !=
		        0 ||
		    (ret = put_field(b, m->data, MONITOR_MAX_HASH, false)) !=
		        0) {
			return ret;
		}
		return 0;
	case MONITOR_REQ_USER:
		if ((ret = put_field(b, m->user, MONITOR_MAX_USER, true)) !=
		        0 ||
		    (ret = put_field(b, m->service, MONITOR_MAX_SERVICE,
		                     true)) != 0) {
			return ret;
		}
		return 0;
	case MONITOR_REQ_AUTH_NONE:
	case MONITOR_ANS_HANDOVER:
		return 0;
	case MONITOR_REQ_KEY_QUERY:
	case MONITOR_REQ_KEY_VERIFY:
		if ((ret = put_field(b, m->alg, MONITOR_MAX_ALG, true)) != 0 ||
		    (ret = put_field(b, m->blob, MONITOR_MAX_BLOB, false)) !=
		        0) {
			return ret;
		}
		if (m->type == MONITOR_REQ_KEY_QUERY) {
			return 0;
		}
		if ((ret = put_field(b, m->data, MONITOR_MAX_SIGNED_DATA,
		                     false)) != 0 ||
		    (ret = put_field(b, m->sig, MONITOR_MAX_SIG, false)) != 0) {
			return ret;
		}
		return 0;
	case MONITOR_REQ_PASSWORD:
		if ((ret = put_field(b, m->password, MONITOR_MAX_PASSWORD,
		                     true)) != 0 ||
		    (ret = buf_put_bool(b, m->change)) != 0) {
			return ret;
		}
		if (m->change) {
			return put_field(b, m->new_password,
			                 MONITOR_MAX_PASSWORD, true);
		}
		return 0;
	case MONITOR_REQ_KBDINT_START:
		return put_field(b, m->text, MONITOR_MAX_TEXT, true);
	case MONITOR_REQ_KBDINT_RESPOND:
		if (m->count > MONITOR_MAX_PROMPTS) {
			return SESH_ERR_LIMIT;
		}
		if ((ret = buf_put_u32(b, m->count)) != 0) {
			return ret;
		}
		for (i = 0; i < m->count; i++) {
			if ((ret = put_field(b, m->item[i],
			                     MONITOR_MAX_PASSWORD, true)) !=
			    0) {
				return ret;
			}
		}
		return 0;
	case MONITOR_REQ_HANDOVER:
		return put_field(b, m->data, MONITOR_MAX_STATE, false);
	case MONITOR_REQ_LOG:
		if (m->level > LOG_LVL_DEBUG3) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		if ((ret = buf_put_u8(b, m->level)) != 0) {
			return ret;
		}
		return put_field(b, m->text, MONITOR_MAX_LOG, true);
	case MONITOR_ANS_SIGN:
		if ((ret = buf_put_bool(b, m->ok)) != 0) {
			return ret;
		}
		return put_field(b, m->data, MONITOR_MAX_SIG, false);
	case MONITOR_ANS_USER:
		if (!monitor_tries_valid(m->max_tries)) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		if ((ret = put_field(b, m->text, MONITOR_MAX_TEXT, true)) !=
		    0) {
			return ret;
		}
		return buf_put_u32(b, m->max_tries);
	case MONITOR_ANS_KEY_QUERY:
		return buf_put_bool(b, m->ok);
	case MONITOR_ANS_AUTH:
		if (m->result > MONITOR_AUTH_SUCCESS) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		if ((ret = buf_put_u8(b, m->result)) != 0) {
			return ret;
		}
		return put_field(b, m->text, MONITOR_MAX_TEXT, true);
	case MONITOR_ANS_PROMPTS:
		if (m->count > MONITOR_MAX_PROMPTS) {
			return SESH_ERR_LIMIT;
		}
		if ((ret = put_field(b, m->text, MONITOR_MAX_TEXT, true)) !=
		        0 ||
		    (ret = put_field(b, m->instruction, MONITOR_MAX_TEXT,
		                     true)) != 0 ||
		    (ret = buf_put_u32(b, m->count)) != 0) {
			return ret;
		}
		for (i = 0; i < m->count; i++) {
			if ((ret = put_field(b, m->item[i], MONITOR_MAX_TEXT,
			                     true)) != 0 ||
			    (ret = buf_put_bool(b, m->echo[i])) != 0) {
				return ret;
			}
		}
		return 0;
	default:
		return SESH_ERR_PROTOCOL;
	}
}

int
monitor_msg_build(const struct monitor_msg *m, struct buf *out)
{
	size_t start = buf_len(out);
	unsigned depth = out->depth;
	int ret;

	if ((ret = buf_begin(out)) != 0) {
		return ret;
	}
	if ((ret = buf_put_u8(out, m->type)) != 0 ||
	    (ret = build_body(m, out)) != 0 || (ret = buf_end(out)) != 0) {
		goto out;
	}
	if (buf_len(out) - start - 4 > MONITOR_MAX_MSG) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	return 0;
out:
	/* buf_end closes the frame we opened; then the bytes go. */
	if (out->depth > depth) {
		(void)buf_end(out);
	}
	buf_truncate(out, start);
	return ret;
}

/* ---- parsing ---- */

static int
get_field(struct rd *r, size_t max, bool text, struct monitor_str *s)
{
	const uint8_t *p;
	size_t n;
	int ret;

	if ((ret = rd_string_max(r, max, &p, &n)) != 0) {
		return ret;
	}
	if (text && n > 0 && memchr(p, '\0', n) != NULL) {
		return SESH_ERR_INVALID_FORMAT;
	}
	s->p = p;
	s->n = n;
	return 0;
}

static int
get_count(struct rd *r, uint32_t *count)
{
	int ret;

	if ((ret = rd_u32(r, count)) != 0) {
		return ret;
	}
	return *count > MONITOR_MAX_PROMPTS ? SESH_ERR_LIMIT : 0;
}

static int
parse_body(struct rd *r, struct monitor_msg *m)
{
	uint32_t i;
	int ret;

	switch (m->type) {
	case MONITOR_REQ_SIGN:
		if ((ret = get_field(r, MONITOR_MAX_ALG, true, &m->alg)) != 0 ||
		    (ret = get_field(r, MONITOR_MAX_BLOB, false, &m->blob)) !=
		        0 ||
		    (ret = get_field(r, MONITOR_MAX_HASH, false, &m->data)) !=
		        0) {
			return ret;
		}
		return m->data.n < MONITOR_MIN_HASH ? SESH_ERR_INVALID_FORMAT
		                                    : 0;
	case MONITOR_REQ_USER:
		if ((ret = get_field(r, MONITOR_MAX_USER, true, &m->user)) !=
		        0 ||
		    (ret = get_field(r, MONITOR_MAX_SERVICE, true,
		                     &m->service)) != 0) {
			return ret;
		}
		return 0;
	case MONITOR_REQ_AUTH_NONE:
	case MONITOR_ANS_HANDOVER:
		return 0;
	case MONITOR_REQ_KEY_QUERY:
	case MONITOR_REQ_KEY_VERIFY:
		if ((ret = get_field(r, MONITOR_MAX_ALG, true, &m->alg)) != 0 ||
		    (ret = get_field(r, MONITOR_MAX_BLOB, false, &m->blob)) !=
		        0) {
			return ret;
		}
		if (m->type == MONITOR_REQ_KEY_QUERY) {
			return 0;
		}
		if ((ret = get_field(r, MONITOR_MAX_SIGNED_DATA, false,
		                     &m->data)) != 0 ||
		    (ret = get_field(r, MONITOR_MAX_SIG, false, &m->sig)) !=
		        0) {
			return ret;
		}
		return 0;
	case MONITOR_REQ_PASSWORD:
		if ((ret = get_field(r, MONITOR_MAX_PASSWORD, true,
		                     &m->password)) != 0 ||
		    (ret = rd_bool(r, &m->change)) != 0) {
			return ret;
		}
		if (m->change) {
			return get_field(r, MONITOR_MAX_PASSWORD, true,
			                 &m->new_password);
		}
		return 0;
	case MONITOR_REQ_KBDINT_START:
		return get_field(r, MONITOR_MAX_TEXT, true, &m->text);
	case MONITOR_REQ_KBDINT_RESPOND:
		if ((ret = get_count(r, &m->count)) != 0) {
			return ret;
		}
		for (i = 0; i < m->count; i++) {
			if ((ret = get_field(r, MONITOR_MAX_PASSWORD, true,
			                     &m->item[i])) != 0) {
				return ret;
			}
		}
		return 0;
	case MONITOR_REQ_HANDOVER:
		return get_field(r, MONITOR_MAX_STATE, false, &m->data);
	case MONITOR_REQ_LOG:
		if ((ret = rd_u8(r, &m->level)) != 0) {
			return ret;
		}
		if (m->level > LOG_LVL_DEBUG3) {
			return SESH_ERR_INVALID_FORMAT;
		}
		return get_field(r, MONITOR_MAX_LOG, true, &m->text);
	case MONITOR_ANS_SIGN:
		if ((ret = rd_bool(r, &m->ok)) != 0) {
			return ret;
		}
		return get_field(r, MONITOR_MAX_SIG, false, &m->data);
	case MONITOR_ANS_USER:
		if ((ret = get_field(r, MONITOR_MAX_TEXT, true, &m->text)) !=
		        0 ||
		    (ret = rd_u32(r, &m->max_tries)) != 0) {
			return ret;
		}
		return monitor_tries_valid(m->max_tries)
		           ? 0
		           : SESH_ERR_INVALID_FORMAT;
	case MONITOR_ANS_KEY_QUERY:
		return rd_bool(r, &m->ok);
	case MONITOR_ANS_AUTH:
		if ((ret = rd_u8(r, &m->result)) != 0) {
			return ret;
		}
		if (m->result > MONITOR_AUTH_SUCCESS) {
			return SESH_ERR_INVALID_FORMAT;
		}
		return get_field(r, MONITOR_MAX_TEXT, true, &m->text);
	case MONITOR_ANS_PROMPTS:
		if ((ret = get_field(r, MONITOR_MAX_TEXT, true, &m->text)) !=
		        0 ||
		    (ret = get_field(r, MONITOR_MAX_TEXT, true,
		                     &m->instruction)) != 0 ||
		    (ret = get_count(r, &m->count)) != 0) {
			return ret;
		}
		for (i = 0; i < m->count; i++) {
			if ((ret = get_field(r, MONITOR_MAX_TEXT, true,
			                     &m->item[i])) != 0 ||
			    (ret = rd_bool(r, &m->echo[i])) != 0) {
				return ret;
			}
		}
		return 0;
	default:
		return SESH_ERR_PROTOCOL;
	}
}

int
monitor_msg_parse(const uint8_t *p, size_t n, struct monitor_msg *out)
{
	struct monitor_msg m;
	struct rd r, body;
	uint32_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	rd_init(&r, p, n);
	if ((ret = rd_u32(&r, &len)) != 0) {
		return ret;
	}
	if (len == 0 || len > MONITOR_MAX_MSG) {
		return SESH_ERR_LIMIT;
	}
	if (len > rd_left(&r)) {
		return SESH_ERR_TRUNCATED;
	}
	if (len < rd_left(&r)) {
		return SESH_ERR_TRAILING_DATA;
	}
	rd_init(&body, rd_ptr(&r), len);
	if ((ret = rd_u8(&body, &m.type)) != 0 ||
	    (ret = parse_body(&body, &m)) != 0 || (ret = rd_end(&body)) != 0) {
		return ret;
	}
	*out = m;
	return 0;
}
