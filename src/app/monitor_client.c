/*
 * monitor_client.c - the pre-authentication child's calls to the
 * monitor (monitor_client.h): build the request, monitor_call, copy
 * what the caller keeps out of the answer frame, wipe the frame.
 */
#include "app/monitor_client.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

void
mc_auth_clear(struct mc_auth *a)
{
	free(a->methods);
	memset(a, 0, sizeof(*a));
}

void
mc_kbdint_clear(struct mc_kbdint *k)
{
	size_t i;

	mc_auth_clear(&k->auth);
	free(k->name);
	free(k->instruction);
	for (i = 0; i < k->n; i++) {
		free(k->prompts[i]);
	}
	memset(k, 0, sizeof(*k));
}

static struct monitor_str
view(const uint8_t *p, size_t n)
{
	struct monitor_str s;

	s.p = p;
	s.n = n;
	return s;
}

/* One request and its answer; scratch (the answer frame) is wiped and
 * freed by the caller with buf_clear. */
static int
call(int fd, const struct monitor_msg *req, struct buf *scratch,
     struct monitor_msg *ans)
{
	buf_init(scratch, 0);
	buf_set_secret(scratch);
	return monitor_call(fd, req, scratch, ans);
}

int
mc_sign(int fd, const char *alg, const uint8_t *blob, size_t blob_len,
        const uint8_t *h, size_t h_len, bool *ok, struct buf *sig)
{
	struct monitor_msg req, ans;
	struct buf b;
	int ret;

	*ok = false;
	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_SIGN;
	req.alg = monitor_str_of(alg);
	req.blob = view(blob, blob_len);
	req.data = view(h, h_len);
	if ((ret = call(fd, &req, &b, &ans)) == 0 && ans.ok &&
	    (ret = buf_put(sig, ans.data.p, ans.data.n)) == 0) {
		*ok = true;
	}
	buf_clear(&b);
	return ret;
}

int
mc_user(int fd, const char *user, const char *service, char **methods,
        unsigned *max_tries)
{
	struct monitor_msg req, ans;
	struct buf b;
	int ret;

	*methods = NULL;
	*max_tries = 0;
	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_USER;
	req.user = monitor_str_of(user);
	req.service = monitor_str_of(service);
	if ((ret = call(fd, &req, &b, &ans)) == 0 &&
	    (ret = monitor_str_dup(ans.text, methods)) == 0) {
		*max_tries = ans.max_tries; /* the parser bounds it */
	}
	buf_clear(&b);
	return ret;
}

/* An ANS_AUTH into *out. */
static int
take_auth(const struct monitor_msg *ans, struct mc_auth *out)
{
	out->result = ans->result;
	return monitor_str_dup(ans->text, &out->methods);
}

/* Requests answered by ANS_AUTH. */
static int
auth_call(int fd, const struct monitor_msg *req, struct mc_auth *out)
{
	struct monitor_msg ans;
	struct buf b;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = call(fd, req, &b, &ans)) == 0) {
		ret = take_auth(&ans, out);
	}
	buf_clear(&b);
	return ret;
}

int
mc_auth_none(int fd, struct mc_auth *out)
{
	struct monitor_msg req;

	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_AUTH_NONE;
	return auth_call(fd, &req, out);
}

int
mc_key_query(int fd, const char *alg, const uint8_t *blob, size_t blob_len,
             bool *ok)
{
	struct monitor_msg req, ans;
	struct buf b;
	int ret;

	*ok = false;
	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_KEY_QUERY;
	req.alg = monitor_str_of(alg);
	req.blob = view(blob, blob_len);
	if ((ret = call(fd, &req, &b, &ans)) == 0) {
		*ok = ans.ok;
	}
	buf_clear(&b);
	return ret;
}

int
mc_key_verify(int fd, const char *alg, const uint8_t *blob, size_t blob_len,
              const uint8_t *signed_data, size_t data_len, const uint8_t *sig,
              size_t sig_len, struct mc_auth *out)
{
	struct monitor_msg req;

	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_KEY_VERIFY;
	req.alg = monitor_str_of(alg);
	req.blob = view(blob, blob_len);
	req.data = view(signed_data, data_len);
	req.sig = view(sig, sig_len);
	return auth_call(fd, &req, out);
}

int
mc_password(int fd, const char *password, const char *new_password,
            struct mc_auth *out)
{
	struct monitor_msg req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_PASSWORD;
	req.password = monitor_str_of(password);
	req.change = new_password != NULL;
	req.new_password = monitor_str_of(new_password);
	ret = auth_call(fd, &req, out);
	mem_wipe(&req, sizeof(req));
	return ret;
}

/* ANS_PROMPTS into *out. */
static int
take_prompts(const struct monitor_msg *ans, struct mc_kbdint *out)
{
	int ret;

	out->is_prompts = true;
	if ((ret = monitor_str_dup(ans->text, &out->name)) != 0 ||
	    (ret = monitor_str_dup(ans->instruction, &out->instruction)) != 0) {
		return ret;
	}
	for (out->n = 0; out->n < ans->count; out->n++) {
		out->echo[out->n] = ans->echo[out->n];
		if ((ret = monitor_str_dup(ans->item[out->n],
		                           &out->prompts[out->n])) != 0) {
			return ret;
		}
	}
	return 0;
}

static int
kbdint_call(int fd, const struct monitor_msg *req, struct mc_kbdint *out)
{
	struct monitor_msg ans;
	struct buf b;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = call(fd, req, &b, &ans)) == 0) {
		ret = ans.type == MONITOR_ANS_PROMPTS
		          ? take_prompts(&ans, out)
		          : take_auth(&ans, &out->auth);
	}
	buf_clear(&b);
	if (ret != 0) {
		mc_kbdint_clear(out);
	}
	return ret;
}

int
mc_kbdint_start(int fd, const char *submethods, struct mc_kbdint *out)
{
	struct monitor_msg req;

	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_KBDINT_START;
	req.text = monitor_str_of(submethods);
	return kbdint_call(fd, &req, out);
}

int
mc_kbdint_respond(int fd, const char *const *answers, size_t n,
                  struct mc_kbdint *out)
{
	struct monitor_msg req;
	size_t i;
	int ret;

	if (n > MONITOR_MAX_PROMPTS) {
		return SESH_ERR_LIMIT;
	}
	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_KBDINT_RESPOND;
	req.count = (uint32_t)n;
	for (i = 0; i < n; i++) {
		req.item[i] = monitor_str_of(answers[i]);
	}
	ret = kbdint_call(fd, &req, out);
	mem_wipe(&req, sizeof(req));
	return ret;
}

int
mc_handover(int fd, const uint8_t *state, size_t n)
{
	struct monitor_msg req, ans;
	struct buf b;
	int ret;

	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_HANDOVER;
	req.data = view(state, n);
	ret = call(fd, &req, &b, &ans);
	buf_clear(&b);
	return ret;
}

int
mc_log(int fd, enum log_level level, const char *text)
{
	struct monitor_msg req, ans;
	struct buf b;
	int ret;

	memset(&req, 0, sizeof(req));
	req.type = MONITOR_REQ_LOG;
	req.level = (uint8_t)level;
	req.text = monitor_str_of(text);
	if (req.text.n > MONITOR_MAX_LOG) {
		req.text.n = MONITOR_MAX_LOG;
	}
	ret = call(fd, &req, &b, &ans);
	buf_clear(&b);
	return ret;
}
