/*
 * agent.c - the SSH agent protocol codec (contract and message layouts
 * in agent.h). Builders assemble the message in a scratch buffer and
 * append it to the caller's only when complete, so nothing is appended
 * on error.
 */
#include "ssh/agent.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"

int
agent_frame_len(const uint8_t *p, size_t n, size_t *len)
{
	struct rd r;
	uint32_t v;
	int ret;

	if (len == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*len = 0;
	rd_init(&r, p, n);
	if ((ret = rd_u32(&r, &v)) != 0) {
		return ret;
	}
	if (v == 0 || v > AGENT_MAX_MSG) {
		return SESH_ERR_LIMIT;
	}
	*len = v;
	return 0;
}

uint32_t
agent_sign_flags(const char *alg)
{
	if (alg == NULL) {
		return 0;
	}
	if (strcmp(alg, "rsa-sha2-256") == 0) {
		return SSH_AGENT_RSA_SHA2_256;
	}
	if (strcmp(alg, "rsa-sha2-512") == 0) {
		return SSH_AGENT_RSA_SHA2_512;
	}
	return 0;
}

/* ---- building ---- */

/* Opens a message in a scratch buffer: length placeholder, type. */
static int
msg_begin(struct buf *m, uint8_t type)
{
	int ret;

	buf_init(m, AGENT_MAX_MSG + 4u);
	if ((ret = buf_begin(m)) != 0 || (ret = buf_put_u8(m, type)) != 0) {
		return ret;
	}
	return 0;
}

/* Closes the message and appends it to out; clears m either way. */
static int
msg_finish(struct buf *m, int ret, struct buf *out)
{
	if (ret == 0 && (ret = buf_end(m)) == 0) {
		ret = buf_put(out, buf_data(m), buf_len(m));
	}
	buf_clear(m);
	return ret;
}

int
agent_build_request_identities(struct buf *out)
{
	struct buf m;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	ret = msg_begin(&m, SSH_AGENTC_REQUEST_IDENTITIES);
	return msg_finish(&m, ret, out);
}

int
agent_build_sign_request(const uint8_t *blob, size_t blob_len,
                         const uint8_t *data, size_t data_len, uint32_t flags,
                         struct buf *out)
{
	struct buf m;
	int ret;

	if (out == NULL || blob == NULL || blob_len == 0 ||
	    (data == NULL && data_len > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* byte 13; string key blob; string data; uint32 flags */
	if ((ret = msg_begin(&m, SSH_AGENTC_SIGN_REQUEST)) == 0 &&
	    (ret = buf_put_string(&m, blob, blob_len)) == 0 &&
	    (ret = buf_put_string(&m, data, data_len)) == 0) {
		ret = buf_put_u32(&m, flags);
	}
	return msg_finish(&m, ret, out);
}

int
agent_build_remove(const uint8_t *blob, size_t blob_len, struct buf *out)
{
	struct buf m;
	int ret;

	if (out == NULL || (blob != NULL && blob_len == 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (blob == NULL) {
		ret = msg_begin(&m, SSH_AGENTC_REMOVE_ALL_IDENTITIES);
	} else if ((ret = msg_begin(&m, SSH_AGENTC_REMOVE_IDENTITY)) == 0) {
		ret = buf_put_string(&m, blob, blob_len);
	}
	return msg_finish(&m, ret, out);
}

int
agent_build_identities(const struct agent_id_view *ids, size_t count,
                       struct buf *out)
{
	struct buf m;
	size_t i;
	int ret;

	if (out == NULL || (ids == NULL && count > 0) ||
	    count > AGENT_MAX_IDENTITIES) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* byte 12; uint32 nkeys; nkeys x (string blob, string comment) */
	if ((ret = msg_begin(&m, SSH_AGENT_IDENTITIES_ANSWER)) == 0) {
		ret = buf_put_u32(&m, (uint32_t)count);
	}
	for (i = 0; ret == 0 && i < count; i++) {
		if ((ret = buf_put_string(&m, ids[i].blob, ids[i].blob_len)) ==
		    0) {
			ret = buf_put_string(&m, ids[i].comment,
			                     ids[i].comment_len);
		}
	}
	return msg_finish(&m, ret, out);
}

int
agent_build_sign_response(const uint8_t *sig, size_t sig_len, struct buf *out)
{
	struct buf m;
	int ret;

	if (out == NULL || sig == NULL || sig_len == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = msg_begin(&m, SSH_AGENT_SIGN_RESPONSE)) == 0) {
		ret = buf_put_string(&m, sig, sig_len);
	}
	return msg_finish(&m, ret, out);
}

int
agent_build_status(bool ok, struct buf *out)
{
	struct buf m;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	ret = msg_begin(&m, ok ? SSH_AGENT_SUCCESS : SSH_AGENT_FAILURE);
	return msg_finish(&m, ret, out);
}

/* ---- parsing ---- */

static bool
is_failure(uint8_t type)
{
	return type == SSH_AGENT_FAILURE ||
	       type == SSH_AGENT_EXTENSION_FAILURE ||
	       type == SSH_COM_AGENT2_FAILURE;
}

/*
 * Reads the type byte of an answer expected to be `want`. A failure
 * answer (with any contents: some agents add an error code) is
 * SESH_ERR_NOT_FOUND, another type SESH_ERR_PROTOCOL.
 */
static int
answer_type(struct rd *r, const uint8_t *msg, size_t n, uint8_t want)
{
	uint8_t t;
	int ret;

	if (msg == NULL || n == 0) {
		return n == 0 && msg != NULL ? SESH_ERR_TRUNCATED
		                             : SESH_ERR_INVALID_ARGUMENT;
	}
	if (n > AGENT_MAX_MSG) {
		return SESH_ERR_LIMIT;
	}
	rd_init(r, msg, n);
	if ((ret = rd_u8(r, &t)) != 0) {
		return ret;
	}
	if (t == want) {
		return 0;
	}
	return is_failure(t) ? SESH_ERR_NOT_FOUND : SESH_ERR_PROTOCOL;
}

int
agent_parse_identities(const uint8_t *msg, size_t n, struct agent_id_view **ids,
                       size_t *count)
{
	struct agent_id_view *v = NULL;
	struct rd r;
	uint32_t nkeys, i;
	int ret;

	if (ids == NULL || count == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*ids = NULL;
	*count = 0;
	if ((ret = answer_type(&r, msg, n, SSH_AGENT_IDENTITIES_ANSWER)) != 0 ||
	    (ret = rd_u32(&r, &nkeys)) != 0) {
		goto out;
	}
	if (nkeys > AGENT_MAX_IDENTITIES) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	/* Each identity takes at least 8 bytes: no allocation beyond what
	 * the message can fill. */
	if (nkeys > rd_left(&r) / 8u) {
		ret = SESH_ERR_TRUNCATED;
		goto out;
	}
	if (nkeys > 0 && (v = mem_array(nkeys, sizeof(*v))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < nkeys; i++) {
		if ((ret = rd_string_max(&r, AGENT_MAX_BLOB, &v[i].blob,
		                         &v[i].blob_len)) != 0 ||
		    (ret = rd_string_max(&r, SESH_MAX_COMMENT, &v[i].comment,
		                         &v[i].comment_len)) != 0) {
			goto out;
		}
		if (v[i].blob_len == 0) {
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
		if (v[i].comment_len > 0 &&
		    memchr(v[i].comment, 0, v[i].comment_len) != NULL) {
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
	}
	if ((ret = rd_end(&r)) != 0) {
		goto out;
	}
	*ids = v;
	*count = nkeys;
	v = NULL;
out:
	free(v);
	return ret;
}

int
agent_parse_sign_response(const uint8_t *msg, size_t n, const uint8_t **sig,
                          size_t *sig_len)
{
	const uint8_t *p;
	size_t pn;
	struct rd r;
	int ret;

	if (sig == NULL || sig_len == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*sig = NULL;
	*sig_len = 0;
	/* byte 14; string signature */
	if ((ret = answer_type(&r, msg, n, SSH_AGENT_SIGN_RESPONSE)) != 0 ||
	    (ret = rd_string_max(&r, AGENT_MAX_BLOB, &p, &pn)) != 0 ||
	    (ret = rd_end(&r)) != 0) {
		return ret;
	}
	if (pn == 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	*sig = p;
	*sig_len = pn;
	return 0;
}

int
agent_parse_status(const uint8_t *msg, size_t n)
{
	struct rd r;
	int ret;

	if ((ret = answer_type(&r, msg, n, SSH_AGENT_SUCCESS)) != 0) {
		return ret;
	}
	return rd_end(&r);
}

int
agent_parse_request(const uint8_t *msg, size_t n, struct agent_request *out)
{
	struct agent_request q;
	struct rd r;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(out, 0, sizeof(*out));
	memset(&q, 0, sizeof(q));
	if (msg == NULL && n > 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (n > AGENT_MAX_MSG) {
		return SESH_ERR_LIMIT;
	}
	rd_init(&r, msg, n);
	if ((ret = rd_u8(&r, &q.type)) != 0) {
		return ret;
	}
	switch (q.type) {
	case SSH_AGENTC_REQUEST_IDENTITIES:
	case SSH_AGENTC_REMOVE_ALL_IDENTITIES:
		break;
	case SSH_AGENTC_SIGN_REQUEST:
		/* string key blob; string data; uint32 flags */
		if ((ret = rd_string_max(&r, AGENT_MAX_BLOB, &q.blob,
		                         &q.blob_len)) != 0 ||
		    (ret = rd_string(&r, &q.data, &q.data_len)) != 0 ||
		    (ret = rd_u32(&r, &q.flags)) != 0) {
			return ret;
		}
		break;
	case SSH_AGENTC_REMOVE_IDENTITY:
		if ((ret = rd_string_max(&r, AGENT_MAX_BLOB, &q.blob,
		                         &q.blob_len)) != 0) {
			return ret;
		}
		break;
	case SSH_AGENTC_LOCK:
	case SSH_AGENTC_UNLOCK:
		/* string passphrase */
		if ((ret = rd_string(&r, &q.data, &q.data_len)) != 0) {
			return ret;
		}
		break;
	default:
		q.data = rd_ptr(&r);
		q.data_len = rd_left(&r);
		if ((ret = rd_skip(&r, q.data_len)) != 0) {
			return ret;
		}
		break;
	}
	if ((ret = rd_end(&r)) != 0) {
		return ret;
	}
	*out = q;
	return 0;
}
