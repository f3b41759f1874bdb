/*
 * handover.c - the handover message's codec (see handover.h).
 */
#include "app/handover.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "ssh/conn.h"

static int
put_text(struct buf *b, const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n > max) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return buf_put_string(b, s != NULL ? s : "", n);
}

static int
put_keyopts(struct buf *b, const struct srv_keyopts *o)
{
	uint32_t n = 0;
	int ret;

	while (o->environment != NULL && o->environment[n] != NULL) {
		if (n >= HANDOVER_MAX_ENV) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		n++;
	}
	if ((ret = put_text(b, o->command, HANDOVER_MAX_TEXT)) != 0 ||
	    (ret = buf_put_bool(b, o->command != NULL)) != 0 ||
	    (ret = buf_put_u32(b, n)) != 0) {
		return ret;
	}
	for (uint32_t i = 0; i < n; i++) {
		if ((ret = put_text(b, o->environment[i], HANDOVER_MAX_TEXT)) !=
		    0) {
			return ret;
		}
	}
	if ((ret = buf_put_bool(b, o->no_pty)) != 0 ||
	    (ret = buf_put_bool(b, o->no_port_forwarding)) != 0 ||
	    (ret = buf_put_bool(b, o->no_agent_forwarding)) != 0 ||
	    (ret = buf_put_bool(b, o->no_x11_forwarding)) != 0 ||
	    (ret = buf_put_bool(b, o->no_user_rc)) != 0 ||
	    (ret = buf_put_u64(b, o->expiry)) != 0) {
		return ret;
	}
	return put_text(b, o->where, HANDOVER_MAX_TEXT);
}

int
handover_info_build(const struct handover_info *hi, struct buf *out)
{
	size_t un, mn;
	int ret;

	if (hi == NULL || out == NULL || hi->user == NULL ||
	    hi->method == NULL || (hi->state == NULL && hi->state_len > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	un = strlen(hi->user);
	mn = strlen(hi->method);
	if (un == 0 || mn == 0 || hi->state_len > HANDOVER_MAX_STATE ||
	    hi->quickack_left > HANDOVER_MAX_QUICKACK ||
	    hi->session_id == NULL || hi->session_id_len < HANDOVER_MIN_SID ||
	    hi->session_id_len > HANDOVER_MAX_SID) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = buf_put_cstring(out, HANDOVER_MAGIC)) != 0 ||
	    (ret = put_text(out, hi->user, HANDOVER_MAX_NAME)) != 0 ||
	    (ret = put_text(out, hi->method, HANDOVER_MAX_NAME)) != 0 ||
	    (ret = buf_put_u32(out, hi->quickack_left)) != 0 ||
	    (ret = buf_put_string(out, hi->session_id, hi->session_id_len)) !=
	        0 ||
	    (ret = buf_put_bool(out, hi->have_keyopts)) != 0) {
		return ret;
	}
	if (hi->have_keyopts && (ret = put_keyopts(out, &hi->keyopts)) != 0) {
		return ret;
	}
	return buf_put_string(
	    out, hi->state != NULL ? hi->state : (const uint8_t *)"",
	    hi->state_len);
}

/* A boolean that must be 0 or 1: the encoding stays canonical. */
static int
get_bool(struct rd *r, bool *v)
{
	uint8_t x;
	int ret;

	if ((ret = rd_u8(r, &x)) != 0) {
		return ret;
	}
	if (x > 1) {
		return SESH_ERR_INVALID_FORMAT;
	}
	*v = x == 1;
	return 0;
}

/* A text field: no NUL inside, min..max bytes; *out allocated. */
static int
get_text(struct rd *r, size_t min, size_t max, char **out)
{
	const uint8_t *p;
	size_t n;
	int ret;

	if ((ret = rd_string_max(r, max, &p, &n)) != 0) {
		return ret;
	}
	if (n < min || memchr(p, 0, n) != NULL) {
		return SESH_ERR_INVALID_FORMAT;
	}
	if ((*out = malloc(n + 1)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	memcpy(*out, p, n);
	(*out)[n] = '\0';
	return 0;
}

static int
get_keyopts(struct rd *r, struct srv_keyopts *o)
{
	char *cmd = NULL;
	bool has_cmd;
	uint32_t n, i;
	int ret;

	if ((ret = get_text(r, 0, HANDOVER_MAX_TEXT, &cmd)) != 0 ||
	    (ret = get_bool(r, &has_cmd)) != 0 || (ret = rd_u32(r, &n)) != 0) {
		free(cmd);
		return ret;
	}
	if (has_cmd) {
		o->command = cmd;
	} else {
		ret = cmd[0] == '\0' ? 0 : SESH_ERR_INVALID_FORMAT;
		free(cmd);
		if (ret != 0) {
			return ret;
		}
	}
	if (n > HANDOVER_MAX_ENV) {
		return SESH_ERR_LIMIT;
	}
	if (n > 0) {
		o->environment = calloc((size_t)n + 1, sizeof(char *));
		if (o->environment == NULL) {
			return SESH_ERR_NOMEM;
		}
		for (i = 0; i < n; i++) {
			ret = get_text(r, 1, HANDOVER_MAX_TEXT,
			               &o->environment[i]);
			if (ret != 0) {
				return ret;
			}
		}
	}
	if ((ret = get_bool(r, &o->no_pty)) != 0 ||
	    (ret = get_bool(r, &o->no_port_forwarding)) != 0 ||
	    (ret = get_bool(r, &o->no_agent_forwarding)) != 0 ||
	    (ret = get_bool(r, &o->no_x11_forwarding)) != 0 ||
	    (ret = get_bool(r, &o->no_user_rc)) != 0 ||
	    (ret = rd_u64(r, &o->expiry)) != 0) {
		return ret;
	}
	return get_text(r, 0, HANDOVER_MAX_TEXT, &o->where);
}

int
handover_info_parse(const uint8_t *p, size_t n, struct handover_info *out)
{
	struct rd r;
	int ret;

	if (out == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(out, 0, sizeof(*out));
	rd_init(&r, p, n);
	if ((ret = rd_expect_cstring(&r, HANDOVER_MAGIC)) != 0 ||
	    (ret = get_text(&r, 1, HANDOVER_MAX_NAME, &out->user)) != 0 ||
	    (ret = get_text(&r, 1, HANDOVER_MAX_NAME, &out->method)) != 0 ||
	    (ret = rd_u32(&r, &out->quickack_left)) != 0 ||
	    (ret = rd_string_max(&r, HANDOVER_MAX_SID, &out->session_id,
	                         &out->session_id_len)) != 0 ||
	    (ret = get_bool(&r, &out->have_keyopts)) != 0) {
		goto fail;
	}
	if (out->quickack_left > HANDOVER_MAX_QUICKACK) {
		ret = SESH_ERR_LIMIT;
		goto fail;
	}
	if (out->session_id_len < HANDOVER_MIN_SID) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto fail;
	}
	if (out->have_keyopts && (ret = get_keyopts(&r, &out->keyopts)) != 0) {
		goto fail;
	}
	if ((ret = rd_string_max(&r, HANDOVER_MAX_STATE, &out->state,
	                         &out->state_len)) != 0 ||
	    (ret = rd_end(&r)) != 0) {
		goto fail;
	}
	return 0;
fail:
	handover_info_clear(out);
	return ret;
}

void
handover_info_clear(struct handover_info *hi)
{
	if (hi == NULL) {
		return;
	}
	free(hi->user);
	free(hi->method);
	srv_keyopts_clear(&hi->keyopts);
	memset(hi, 0, sizeof(*hi));
}

int
handover_state_matches(const struct handover_info *hi, struct conn *c)
{
	const uint8_t *sid;
	size_t n;
	const char *user;

	if (hi == NULL || c == NULL || hi->user == NULL) {
		return SESH_ERR_PROTOCOL;
	}
	transport_session_id(conn_transport(c), &sid, &n);
	user = conn_userauth_server(c) != NULL
	           ? ua_server_user(conn_userauth_server(c))
	           : NULL;
	if (n == 0 || n != hi->session_id_len ||
	    memcmp(sid, hi->session_id, n) != 0 || user == NULL ||
	    strcmp(user, hi->user) != 0) {
		return SESH_ERR_PROTOCOL;
	}
	return 0;
}
