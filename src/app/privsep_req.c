/*
 * privsep_req.c - codecs of the user's process's host key requests to
 * its privileged parent and of hostkeys-prove-00@openssh.com data; the
 * layouts and errors are in privsep_req.h.
 */
#include "app/privsep_req.h"

#include <string.h>

#include "base/err.h"
#include "ssh/channel.h"

/* A signature algorithm name: 1..SESH_MAX_NAME printable ASCII bytes,
 * copied NUL-terminated into alg. */
static int
rd_alg(struct rd *r, char alg[SESH_MAX_NAME + 1])
{
	const uint8_t *p;
	size_t n, i;
	int ret;

	if ((ret = rd_string_max(r, SESH_MAX_NAME, &p, &n)) != 0) {
		return ret;
	}
	if (n == 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	for (i = 0; i < n; i++) {
		if (p[i] <= 0x20 || p[i] >= 0x7f) {
			return SESH_ERR_INVALID_FORMAT;
		}
	}
	memcpy(alg, p, n);
	alg[n] = '\0';
	return 0;
}

static bool
hash_size_ok(size_t n)
{
	return n >= PRIVSEP_MIN_HASH && n <= PRIVSEP_MAX_HASH;
}

int
privsep_req_parse(const uint8_t *p, size_t n, struct privsep_req *out)
{
	struct privsep_req q;
	struct rd r;
	uint8_t type;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&q, 0, sizeof(q));
	rd_init(&r, p, n);
	/* byte type, string blob, string alg[, string H] */
	if ((ret = rd_u8(&r, &type)) != 0) {
		return ret;
	}
	if (type != PRIVSEP_REQ_SIGN && type != PRIVSEP_REQ_PROVE) {
		return SESH_ERR_INVALID_FORMAT;
	}
	q.type = (char)type;
	if ((ret = rd_string_max(&r, PRIVSEP_MAX_MSG, &q.blob.p, &q.blob.n)) !=
	        0 ||
	    (ret = rd_alg(&r, q.alg)) != 0) {
		return ret;
	}
	if (q.blob.n == 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	if (type == PRIVSEP_REQ_SIGN) {
		if ((ret = rd_string_max(&r, PRIVSEP_MAX_HASH, &q.hash.p,
		                         &q.hash.n)) != 0) {
			return ret;
		}
		if (!hash_size_ok(q.hash.n)) {
			return SESH_ERR_INVALID_FORMAT;
		}
	}
	if ((ret = rd_end(&r)) != 0) {
		return ret;
	}
	*out = q;
	return 0;
}

int
privsep_req_build(const struct privsep_req *req, struct buf *out)
{
	size_t start = buf_len(out), an = strnlen(req->alg, sizeof(req->alg));
	int ret;

	if ((req->type != PRIVSEP_REQ_SIGN && req->type != PRIVSEP_REQ_PROVE) ||
	    req->blob.p == NULL || req->blob.n == 0 || an == 0 ||
	    an > SESH_MAX_NAME ||
	    (req->type == PRIVSEP_REQ_SIGN &&
	     (req->hash.p == NULL || !hash_size_ok(req->hash.n)))) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = buf_put_u8(out, (uint8_t)req->type)) != 0 ||
	    (ret = buf_put_string(out, req->blob.p, req->blob.n)) != 0 ||
	    (ret = buf_put_string(out, req->alg, an)) != 0 ||
	    (req->type == PRIVSEP_REQ_SIGN &&
	     (ret = buf_put_string(out, req->hash.p, req->hash.n)) != 0)) {
		buf_truncate(out, start);
		return ret;
	}
	return 0;
}

int
privsep_answer_parse(const uint8_t *p, size_t n, bool *ok,
                     struct privsep_view *sig)
{
	struct privsep_view v = {NULL, 0};
	struct rd r;
	uint8_t st;
	int ret;

	*ok = false;
	memset(sig, 0, sizeof(*sig));
	rd_init(&r, p, n);
	/* byte 0, string signature | byte 1 */
	if ((ret = rd_u8(&r, &st)) != 0) {
		return ret;
	}
	if (st > 1) {
		return SESH_ERR_INVALID_FORMAT;
	}
	if (st == 0 &&
	    (ret = rd_string_max(&r, PRIVSEP_MAX_MSG, &v.p, &v.n)) != 0) {
		return ret;
	}
	if ((ret = rd_end(&r)) != 0) {
		return ret;
	}
	if (st == 0 && v.n == 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	*ok = st == 0;
	*sig = v;
	return 0;
}

int
privsep_prove_list_parse(const uint8_t *p, size_t n, struct privsep_view *keys,
                         size_t max, size_t *count)
{
	struct rd r;
	size_t k = 0;
	const uint8_t *b;
	size_t bn;
	int ret;

	*count = 0;
	if (max > PRIVSEP_MAX_PROVE_KEYS) {
		max = PRIVSEP_MAX_PROVE_KEYS;
	}
	rd_init(&r, p, n);
	/* string hostkey, repeated (OpenSSH PROTOCOL §2.5) */
	while (rd_left(&r) > 0) {
		if ((ret = rd_string(&r, &b, &bn)) != 0) {
			return ret;
		}
		if (bn == 0) {
			return SESH_ERR_INVALID_FORMAT;
		}
		if (k >= max) {
			return SESH_ERR_LIMIT;
		}
		keys[k].p = b;
		keys[k].n = bn;
		k++;
	}
	if (k == 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	*count = k;
	return 0;
}

int
privsep_prove_data(const uint8_t *sid, size_t sid_len, const uint8_t *blob,
                   size_t blob_len, struct buf *out)
{
	size_t start = buf_len(out);
	int ret;

	if (sid == NULL || sid_len == 0 || blob == NULL || blob_len == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = buf_put_cstring(out, CHAN_GREQ_HOSTKEYS_PROVE)) != 0 ||
	    (ret = buf_put_string(out, sid, sid_len)) != 0 ||
	    (ret = buf_put_string(out, blob, blob_len)) != 0) {
		buf_truncate(out, start);
		return ret;
	}
	return 0;
}
