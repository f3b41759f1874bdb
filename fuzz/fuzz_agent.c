/*
 * fuzz_agent.c - libFuzzer target for the ssh-agent protocol parsers
 * (src/ssh/agent.h).
 *
 * The input is one agent message without its length prefix. Every
 * parser runs over it; what parses must give views inside the input
 * (each byte is touched, so ASan sees an overrun) and must rebuild into
 * a message that parses again to the same fields. Failures must leave
 * outputs cleared. The framing helper runs over the input's first bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "ssh/agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t fuzz_sink;

static void
touch(const uint8_t *base, size_t size, const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	size_t i;

	if (n == 0) {
		return;
	}
	if (p < base || n > size || (size_t)(p - base) > size - n) {
		abort();
	}
	for (i = 0; i < n; i++) {
		x ^= p[i];
	}
	fuzz_sink ^= x;
}

/* A framed message built by the codec parses back; returns its body. */
static const uint8_t *
unframe(const struct buf *b, size_t *n)
{
	size_t len;

	if (agent_frame_len(buf_data(b), buf_len(b), &len) != 0 ||
	    len + 4 != buf_len(b)) {
		abort();
	}
	*n = len;
	return buf_data(b) + 4;
}

static void
check_identities(const uint8_t *data, size_t size)
{
	struct agent_id_view *ids = NULL, *ids2 = NULL;
	size_t n = 0, n2 = 0, i, bn;
	const uint8_t *m;
	struct buf b;
	int ret;

	ret = agent_parse_identities(data, size, &ids, &n);
	if (ret != 0) {
		if (ret > 0 || ids != NULL || n != 0) {
			abort();
		}
		return;
	}
	for (i = 0; i < n; i++) {
		touch(data, size, ids[i].blob, ids[i].blob_len);
		touch(data, size, ids[i].comment, ids[i].comment_len);
	}
	buf_init(&b, 0);
	if (agent_build_identities(ids, n, &b) != 0) {
		abort();
	}
	m = unframe(&b, &bn);
	if (agent_parse_identities(m, bn, &ids2, &n2) != 0 || n2 != n) {
		abort();
	}
	for (i = 0; i < n; i++) {
		if (ids2[i].blob_len != ids[i].blob_len ||
		    memcmp(ids2[i].blob, ids[i].blob, ids[i].blob_len) != 0 ||
		    ids2[i].comment_len != ids[i].comment_len ||
		    (ids[i].comment_len > 0 &&
		     memcmp(ids2[i].comment, ids[i].comment,
		            ids[i].comment_len) != 0)) {
			abort();
		}
	}
	free(ids);
	free(ids2);
	buf_clear(&b);
}

static void
check_sign_response(const uint8_t *data, size_t size)
{
	const uint8_t *sig = NULL, *m, *sig2;
	size_t sl = 0, bn, sl2;
	struct buf b;
	int ret;

	ret = agent_parse_sign_response(data, size, &sig, &sl);
	if (ret != 0) {
		if (ret > 0 || sig != NULL || sl != 0) {
			abort();
		}
		return;
	}
	touch(data, size, sig, sl);
	buf_init(&b, 0);
	if (agent_build_sign_response(sig, sl, &b) != 0) {
		abort();
	}
	m = unframe(&b, &bn);
	if (agent_parse_sign_response(m, bn, &sig2, &sl2) != 0 || sl2 != sl ||
	    memcmp(sig, sig2, sl) != 0) {
		abort();
	}
	buf_clear(&b);
}

static void
check_request(const uint8_t *data, size_t size)
{
	static const struct agent_request zero;
	struct agent_request q, q2;
	const uint8_t *m;
	size_t bn;
	struct buf b;
	int ret;

	ret = agent_parse_request(data, size, &q);
	if (ret != 0) {
		if (ret > 0 || memcmp(&q, &zero, sizeof(q)) != 0) {
			abort();
		}
		return;
	}
	touch(data, size, q.blob, q.blob_len);
	touch(data, size, q.data, q.data_len);
	if (q.type != SSH_AGENTC_SIGN_REQUEST || q.blob_len == 0) {
		return;
	}
	buf_init(&b, 0);
	if (agent_build_sign_request(q.blob, q.blob_len, q.data, q.data_len,
	                             q.flags, &b) != 0) {
		abort();
	}
	m = unframe(&b, &bn);
	if (agent_parse_request(m, bn, &q2) != 0 || q2.flags != q.flags ||
	    q2.blob_len != q.blob_len || q2.data_len != q.data_len ||
	    memcmp(q2.blob, q.blob, q.blob_len) != 0 ||
	    (q.data_len > 0 && memcmp(q2.data, q.data, q.data_len) != 0)) {
		abort();
	}
	buf_clear(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;

	check_identities(data, size);
	check_sign_response(data, size);
	check_request(data, size);
	(void)agent_parse_status(data, size);
	if (agent_frame_len(data, size, &len) == 0 &&
	    (len == 0 || len > AGENT_MAX_MSG)) {
		abort();
	}
	return 0;
}
