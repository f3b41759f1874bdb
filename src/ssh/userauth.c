/*
 * userauth.c - SSH user authentication (RFC 4252, RFC 4256, RFC 8308's
 * server-sig-algs, RFC 8332), sans-I/O, client and server roles. The
 * contract, states and transitions are in userauth.h.
 *
 * Every parser reads with struct rd and ends with rd_end(). Every error
 * from an input call is fatal and sticks. Passwords and answers are kept
 * in heap strings wiped on every path (mem_free_string_secret); output
 * buffers that carry them are marked secret.
 */
#include "ssh/userauth.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "ssh/msg.h"

/* ---------------------------------------------------------------- */
/* shared helpers                                                   */

/* Whether alg is a signature algorithm we accept for the key's type.
 * SHA-1 "ssh-rsa" signatures are refused. */
static bool
ua_alg_suits_key(const struct sshkey *key, const char *alg)
{
	if (key == NULL || alg == NULL) {
		return false;
	}
	switch (key->type) {
	case KEY_ED25519:
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384:
	case KEY_ECDSA_P521:
		return strcmp(alg, key_type_name(key->type)) == 0;
	case KEY_RSA:
		return strcmp(alg, "rsa-sha2-256") == 0 ||
		       strcmp(alg, "rsa-sha2-512") == 0;
	default:
		return false;
	}
}

int
ua_publickey_signed_data(const uint8_t *session_id, size_t sid_len,
                         const char *user, const char *service, const char *alg,
                         const uint8_t *blob, size_t blob_len, struct buf *out)
{
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_reset(out);
	if (session_id == NULL || sid_len == 0 || user == NULL ||
	    service == NULL || alg == NULL || blob == NULL || blob_len == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = buf_put_string(out, session_id, sid_len)) != 0 ||
	    (ret = buf_put_u8(out, SSH2_MSG_USERAUTH_REQUEST)) != 0 ||
	    (ret = buf_put_cstring(out, user)) != 0 ||
	    (ret = buf_put_cstring(out, service)) != 0 ||
	    (ret = buf_put_cstring(out, "publickey")) != 0 ||
	    (ret = buf_put_bool(out, true)) != 0 ||
	    (ret = buf_put_cstring(out, alg)) != 0 ||
	    (ret = buf_put_string(out, blob, blob_len)) != 0) {
		buf_reset(out);
		return ret;
	}
	return 0;
}

int
ua_pick_sig_alg(const struct sshkey *key, const uint8_t *ssa, size_t ssa_len,
                const char **alg)
{
	if (alg == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*alg = NULL;
	if (key == NULL || key_type_name(key->type) == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (key->type != KEY_RSA) {
		*alg = key_type_name(key->type);
		return 0;
	}
	if (ssa == NULL || namelist_has(ssa, ssa_len, "rsa-sha2-512")) {
		*alg = "rsa-sha2-512";
		return 0;
	}
	if (namelist_has(ssa, ssa_len, "rsa-sha2-256")) {
		*alg = "rsa-sha2-256";
		return 0;
	}
	return SESH_ERR_UNSUPPORTED;
}

int
ua_banner_build(const char *text, const char *lang, struct buf *out)
{
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_reset(out);
	if (text == NULL || strlen(text) > UA_MAX_TEXT) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* byte 53, string message, string language tag */
	if ((ret = buf_put_u8(out, SSH2_MSG_USERAUTH_BANNER)) != 0 ||
	    (ret = buf_put_cstring(out, text)) != 0 ||
	    (ret = buf_put_cstring(out, lang != NULL ? lang : "")) != 0) {
		buf_reset(out);
		return ret;
	}
	return 0;
}

int
ua_sanitize(const uint8_t *p, size_t n, char **out)
{
	char *s;
	size_t i, j = 0, sz;

	*out = NULL;
	if (!size_add(n, 1, &sz) || (s = malloc(sz)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		uint8_t ch = p[i];

		if (ch == '\r' && i + 1 < n && p[i + 1] == '\n') {
			continue;
		}
		if (ch == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f) {
			/* a UTF-8 encoded C1 control (e.g. CSI) */
			s[j++] = '?';
			i++;
			continue;
		}
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f) {
			ch = '?';
		}
		s[j++] = (char)ch;
	}
	s[j] = '\0';
	*out = s;
	return 0;
}

/* Reads a string as sanitized text bounded by UA_MAX_TEXT. */
static int
ua_rd_text(struct rd *r, char **out)
{
	struct rd save = *r;
	const uint8_t *p;
	size_t n;
	int ret;

	*out = NULL;
	if ((ret = rd_string_max(r, UA_MAX_TEXT, &p, &n)) != 0) {
		return ret;
	}
	if ((ret = ua_sanitize(p, n, out)) != 0) {
		*r = save;
	}
	return ret;
}

/* Reads a string into a bounded NUL-free heap string that holds a
 * secret: a NUL byte is SESH_ERR_INVALID_FORMAT. */
static int
ua_rd_secret(struct rd *r, char **out)
{
	return rd_cstring(r, UA_MAX_PASSWORD, out);
}

/* ---------------------------------------------------------------- */
/* client                                                           */

enum ua_cstate {
	UC_START,
	UC_SVC_WAIT,
	UC_READY,
	UC_WAIT,
	UC_WAIT_PK,
	UC_WAIT_PW,
	UC_WAIT_KI,
	UC_PK_SIGN,
	UC_KI_ANSWER,
	UC_DONE,
};

struct ua_client {
	enum ua_cstate st;
	int fatal;
	char *user;
	uint8_t sid[UA_MAX_SESSION_ID];
	size_t sid_len;
	char alg[SESH_MAX_NAME + 1]; /* publickey in progress */
	struct buf blob;
	bool changereq_seen; /* a PASSWD_CHANGEREQ allows a change */
	size_t ki_nprompts;  /* prompts of the last INFO_REQUEST */
	struct ua_client_event ev;
};

static void
ua_client_event_clear(struct ua_client *c)
{
	size_t i;

	free(c->ev.text);
	free(c->ev.methods);
	free(c->ev.name);
	free(c->ev.instruction);
	for (i = 0; i < c->ev.nprompts; i++) {
		free(c->ev.prompts[i].text);
	}
	free(c->ev.prompts);
	memset(&c->ev, 0, sizeof(c->ev));
}

int
ua_client_new(const char *user, const uint8_t *session_id, size_t sid_len,
              struct ua_client **out)
{
	struct ua_client *c = NULL;
	int ret = SESH_ERR_INVALID_ARGUMENT;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (user == NULL || strlen(user) > UA_MAX_USER || session_id == NULL ||
	    sid_len == 0 || sid_len > UA_MAX_SESSION_ID) {
		goto out;
	}
	ret = SESH_ERR_NOMEM;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->user = mem_strdup(user)) == NULL) {
		goto out;
	}
	memcpy(c->sid, session_id, sid_len);
	c->sid_len = sid_len;
	buf_init(&c->blob, UA_MAX_BLOB);
	c->st = UC_START;
	*out = c;
	c = NULL;
	ret = 0;
out:
	ua_client_free(c);
	return ret;
}

void
ua_client_free(struct ua_client *c)
{
	if (c == NULL) {
		return;
	}
	ua_client_event_clear(c);
	free(c->user);
	buf_clear(&c->blob);
	mem_wipe(c, sizeof(*c));
	free(c);
}

bool
ua_client_done(const struct ua_client *c)
{
	return c != NULL && c->fatal == 0 && c->st == UC_DONE;
}

/* Common entry of the client's answer calls: the state must be want. */
static int
ua_client_enter(struct ua_client *c, enum ua_cstate want, struct buf *out)
{
	if (c == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (out != NULL) {
		buf_reset(out);
	}
	if (c->fatal != 0) {
		return c->fatal;
	}
	if (c->st != want) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	ua_client_event_clear(c);
	return 0;
}

/* byte 50, string user, string "ssh-connection", string method */
static int
ua_client_req_head(const struct ua_client *c, const char *method,
                   struct buf *out)
{
	int ret;

	if ((ret = buf_put_u8(out, SSH2_MSG_USERAUTH_REQUEST)) != 0 ||
	    (ret = buf_put_cstring(out, c->user)) != 0 ||
	    (ret = buf_put_cstring(out, UA_SERVICE_CONNECTION)) != 0 ||
	    (ret = buf_put_cstring(out, method)) != 0) {
		return ret;
	}
	return 0;
}

int
ua_client_start(struct ua_client *c, struct buf *out)
{
	int ret;

	if ((ret = ua_client_enter(c, UC_START, out)) != 0) {
		return ret;
	}
	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = buf_put_u8(out, SSH2_MSG_SERVICE_REQUEST)) != 0 ||
	    (ret = buf_put_cstring(out, UA_SERVICE_USERAUTH)) != 0) {
		buf_reset(out);
		return ret;
	}
	c->st = UC_SVC_WAIT;
	return 0;
}

int
ua_client_try_none(struct ua_client *c, struct buf *out)
{
	int ret;

	if ((ret = ua_client_enter(c, UC_READY, out)) != 0) {
		return ret;
	}
	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = ua_client_req_head(c, "none", out)) != 0) {
		buf_reset(out);
		return ret;
	}
	c->st = UC_WAIT;
	return 0;
}

/* Records key and alg as the publickey in progress. */
static int
ua_client_set_key(struct ua_client *c, const struct sshkey *key,
                  const char *alg)
{
	int ret;

	if (!ua_alg_suits_key(key, alg) || strlen(alg) > SESH_MAX_NAME) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_reset(&c->blob);
	if ((ret = key_to_blob(key, &c->blob)) != 0) {
		buf_reset(&c->blob);
		return ret;
	}
	memcpy(c->alg, alg, strlen(alg) + 1);
	return 0;
}

int
ua_client_try_publickey_query(struct ua_client *c, const struct sshkey *key,
                              const char *alg, struct buf *out)
{
	int ret;

	if ((ret = ua_client_enter(c, UC_READY, out)) != 0) {
		return ret;
	}
	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = ua_client_set_key(c, key, alg)) != 0) {
		return ret;
	}
	/* boolean FALSE, string alg, string blob */
	if ((ret = ua_client_req_head(c, "publickey", out)) != 0 ||
	    (ret = buf_put_bool(out, false)) != 0 ||
	    (ret = buf_put_cstring(out, c->alg)) != 0 ||
	    (ret = buf_put_string(out, buf_data(&c->blob),
	                          buf_len(&c->blob))) != 0) {
		buf_reset(out);
		return ret;
	}
	c->st = UC_WAIT_PK;
	return 0;
}

int
ua_client_publickey_prepare(struct ua_client *c, const struct sshkey *key,
                            const char *alg)
{
	int ret;

	if ((ret = ua_client_enter(c, UC_READY, NULL)) != 0) {
		return ret;
	}
	if ((ret = ua_client_set_key(c, key, alg)) != 0) {
		return ret;
	}
	c->st = UC_PK_SIGN;
	return 0;
}

int
ua_client_signed_data(const struct ua_client *c, struct buf *out)
{
	if (out != NULL) {
		buf_reset(out);
	}
	if (c == NULL || out == NULL || c->fatal != 0 || c->st != UC_PK_SIGN) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return ua_publickey_signed_data(
	    c->sid, c->sid_len, c->user, UA_SERVICE_CONNECTION, c->alg,
	    buf_data(&c->blob), buf_len(&c->blob), out);
}

int
ua_client_publickey_abandon(struct ua_client *c)
{
	if (c == NULL || c->fatal != 0 || c->st != UC_PK_SIGN) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	c->st = UC_READY;
	return 0;
}

int
ua_client_send_publickey_signed(struct ua_client *c, const uint8_t *sig,
                                size_t sig_len, struct buf *out)
{
	int ret;

	if ((ret = ua_client_enter(c, UC_PK_SIGN, out)) != 0) {
		return ret;
	}
	if (out == NULL || sig == NULL || sig_len == 0 ||
	    sig_len > UA_MAX_SIG) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* boolean TRUE, string alg, string blob, string signature */
	if ((ret = ua_client_req_head(c, "publickey", out)) != 0 ||
	    (ret = buf_put_bool(out, true)) != 0 ||
	    (ret = buf_put_cstring(out, c->alg)) != 0 ||
	    (ret = buf_put_string(out, buf_data(&c->blob),
	                          buf_len(&c->blob))) != 0 ||
	    (ret = buf_put_string(out, sig, sig_len)) != 0) {
		buf_reset(out);
		return ret;
	}
	c->st = UC_WAIT;
	return 0;
}

/* boolean change, string password [, string new password] */
static int
ua_client_password_req(struct ua_client *c, const char *old_pw,
                       const char *new_pw, struct buf *out)
{
	int ret;

	if (old_pw == NULL || strlen(old_pw) > UA_MAX_PASSWORD ||
	    (new_pw != NULL && strlen(new_pw) > UA_MAX_PASSWORD)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_set_secret(out);
	if ((ret = ua_client_req_head(c, "password", out)) != 0 ||
	    (ret = buf_put_bool(out, new_pw != NULL)) != 0 ||
	    (ret = buf_put_cstring(out, old_pw)) != 0 ||
	    (new_pw != NULL && (ret = buf_put_cstring(out, new_pw)) != 0)) {
		buf_reset(out);
		return ret;
	}
	c->st = UC_WAIT_PW;
	return 0;
}

int
ua_client_try_password(struct ua_client *c, const char *password,
                       struct buf *out)
{
	int ret;

	if ((ret = ua_client_enter(c, UC_READY, out)) != 0) {
		return ret;
	}
	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return ua_client_password_req(c, password, NULL, out);
}

int
ua_client_try_password_change(struct ua_client *c, const char *old_pw,
                              const char *new_pw, struct buf *out)
{
	int ret;

	if ((ret = ua_client_enter(c, UC_READY, out)) != 0) {
		return ret;
	}
	if (out == NULL || new_pw == NULL || !c->changereq_seen) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return ua_client_password_req(c, old_pw, new_pw, out);
}

int
ua_client_try_kbdint(struct ua_client *c, const char *submethods,
                     struct buf *out)
{
	int ret;

	if ((ret = ua_client_enter(c, UC_READY, out)) != 0) {
		return ret;
	}
	if (out == NULL ||
	    (submethods != NULL && strlen(submethods) > UA_MAX_TEXT)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* string language tag (deprecated, empty), string submethods */
	if ((ret = ua_client_req_head(c, "keyboard-interactive", out)) != 0 ||
	    (ret = buf_put_cstring(out, "")) != 0 ||
	    (ret = buf_put_cstring(out, submethods != NULL ? submethods
	                                                   : "")) != 0) {
		buf_reset(out);
		return ret;
	}
	c->st = UC_WAIT_KI;
	return 0;
}

int
ua_client_kbdint_respond(struct ua_client *c, const char *const *answers,
                         size_t n, struct buf *out)
{
	size_t i;
	int ret;

	if ((ret = ua_client_enter(c, UC_KI_ANSWER, out)) != 0) {
		return ret;
	}
	if (out == NULL || n != c->ki_nprompts || (n > 0 && answers == NULL)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	for (i = 0; i < n; i++) {
		if (answers[i] == NULL ||
		    strlen(answers[i]) > UA_MAX_PASSWORD) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	buf_set_secret(out);
	/* byte 61, uint32 num-responses, string response[...] */
	if ((ret = buf_put_u8(out, SSH2_MSG_USERAUTH_INFO_RESPONSE)) != 0 ||
	    (ret = buf_put_u32(out, (uint32_t)n)) != 0) {
		buf_reset(out);
		return ret;
	}
	for (i = 0; i < n; i++) {
		if ((ret = buf_put_cstring(out, answers[i])) != 0) {
			buf_reset(out);
			return ret;
		}
	}
	c->st = UC_WAIT_KI;
	return 0;
}

static bool
ua_client_waiting(const struct ua_client *c)
{
	return c->st == UC_WAIT || c->st == UC_WAIT_PK || c->st == UC_WAIT_PW ||
	       c->st == UC_WAIT_KI;
}

/* SERVICE_ACCEPT: string service name */
static int
ua_client_service_accept(struct ua_client *c, struct rd *r)
{
	const uint8_t *p;
	size_t n;
	int ret;

	if (c->st != UC_SVC_WAIT) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = rd_string_max(r, UA_MAX_SERVICE, &p, &n)) != 0 ||
	    (ret = rd_end(r)) != 0) {
		return ret;
	}
	if (n != strlen(UA_SERVICE_USERAUTH) ||
	    memcmp(p, UA_SERVICE_USERAUTH, n) != 0) {
		return SESH_ERR_SERVICE_NOT_AVAILABLE;
	}
	c->ev.type = UA_CEV_SERVICE_ACCEPT;
	c->st = UC_READY;
	return 0;
}

/* BANNER: string message, string language tag */
static int
ua_client_banner(struct ua_client *c, struct rd *r)
{
	const uint8_t *lang;
	size_t langn;
	char *text = NULL;
	int ret;

	if (c->st == UC_START || c->st == UC_SVC_WAIT || c->st == UC_DONE) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = ua_rd_text(r, &text)) != 0 ||
	    (ret = rd_string_max(r, UA_MAX_TEXT, &lang, &langn)) != 0 ||
	    (ret = rd_end(r)) != 0) {
		free(text);
		return ret;
	}
	c->ev.type = UA_CEV_BANNER;
	c->ev.text = text;
	return 0;
}

/* FAILURE: name-list methods that can continue, boolean partial */
static int
ua_client_failure(struct ua_client *c, struct rd *r)
{
	const uint8_t *list;
	size_t n;
	bool partial;
	char *m;
	int ret;

	if (!ua_client_waiting(c)) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = rd_namelist(r, &list, &n)) != 0 ||
	    (ret = rd_bool(r, &partial)) != 0 || (ret = rd_end(r)) != 0) {
		return ret;
	}
	if ((m = malloc(n + 1)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (n > 0) {
		memcpy(m, list, n);
	}
	m[n] = '\0';
	c->ev.type = UA_CEV_FAILURE;
	c->ev.methods = m;
	c->ev.partial = partial;
	c->st = UC_READY;
	return 0;
}

/* PK_OK: string alg, string blob (must be the queried ones) */
static int
ua_client_pk_ok(struct ua_client *c, struct rd *r)
{
	const uint8_t *alg, *blob;
	size_t algn, blobn;
	int ret;

	if ((ret = rd_string_max(r, SESH_MAX_NAME, &alg, &algn)) != 0 ||
	    (ret = rd_string_max(r, UA_MAX_BLOB, &blob, &blobn)) != 0 ||
	    (ret = rd_end(r)) != 0) {
		return ret;
	}
	if (algn != strlen(c->alg) || memcmp(alg, c->alg, algn) != 0 ||
	    blobn != buf_len(&c->blob) ||
	    memcmp(blob, buf_data(&c->blob), blobn) != 0) {
		return SESH_ERR_PROTOCOL;
	}
	c->ev.type = UA_CEV_PK_OK;
	c->st = UC_PK_SIGN;
	return 0;
}

/* PASSWD_CHANGEREQ: string prompt, string language tag */
static int
ua_client_changereq(struct ua_client *c, struct rd *r)
{
	const uint8_t *lang;
	size_t langn;
	char *text = NULL;
	int ret;

	if ((ret = ua_rd_text(r, &text)) != 0 ||
	    (ret = rd_string_max(r, UA_MAX_TEXT, &lang, &langn)) != 0 ||
	    (ret = rd_end(r)) != 0) {
		free(text);
		return ret;
	}
	c->ev.type = UA_CEV_PASSWD_CHANGEREQ;
	c->ev.text = text;
	c->changereq_seen = true;
	c->st = UC_READY;
	return 0;
}

/*
 * INFO_REQUEST (RFC 4256 §3.2): string name, string instruction, string
 * language tag, int num-prompts, then num-prompts x (string prompt,
 * boolean echo).
 */
static int
ua_client_info_request(struct ua_client *c, struct rd *r)
{
	struct ua_client_event ev = {0};
	const uint8_t *lang;
	size_t langn, i;
	uint32_t num;
	int ret;

	ev.type = UA_CEV_INFO_REQUEST;
	if ((ret = ua_rd_text(r, &ev.name)) != 0 ||
	    (ret = ua_rd_text(r, &ev.instruction)) != 0 ||
	    (ret = rd_string_max(r, UA_MAX_TEXT, &lang, &langn)) != 0 ||
	    (ret = rd_u32(r, &num)) != 0) {
		goto out;
	}
	if (num > UA_MAX_PROMPTS) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	if (num > 0 &&
	    (ev.prompts = mem_array(num, sizeof(*ev.prompts))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < num; i++) {
		if ((ret = ua_rd_text(r, &ev.prompts[i].text)) != 0) {
			goto out;
		}
		ev.nprompts = i + 1;
		if ((ret = rd_bool(r, &ev.prompts[i].echo)) != 0) {
			goto out;
		}
	}
	if ((ret = rd_end(r)) != 0) {
		goto out;
	}
	c->ev = ev;
	memset(&ev, 0, sizeof(ev));
	c->ki_nprompts = num;
	c->st = UC_KI_ANSWER;
out:
	free(ev.name);
	free(ev.instruction);
	for (i = 0; i < ev.nprompts; i++) {
		free(ev.prompts[i].text);
	}
	free(ev.prompts);
	return ret;
}

int
ua_client_input(struct ua_client *c, const uint8_t *p, size_t n,
                const struct ua_client_event **ev)
{
	struct rd r;
	uint8_t type;
	int ret;

	if (ev == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*ev = NULL;
	if (c == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (c->fatal != 0) {
		return c->fatal;
	}
	ua_client_event_clear(c);
	rd_init(&r, p, n);
	if ((ret = rd_u8(&r, &type)) != 0) {
		goto out;
	}
	switch (type) {
	case SSH2_MSG_SERVICE_ACCEPT:
		ret = ua_client_service_accept(c, &r);
		break;
	case SSH2_MSG_USERAUTH_BANNER:
		ret = ua_client_banner(c, &r);
		break;
	case SSH2_MSG_USERAUTH_FAILURE:
		ret = ua_client_failure(c, &r);
		break;
	case SSH2_MSG_USERAUTH_SUCCESS:
		if (!ua_client_waiting(c)) {
			ret = SESH_ERR_PROTOCOL;
		} else if ((ret = rd_end(&r)) == 0) {
			c->ev.type = UA_CEV_SUCCESS;
			c->st = UC_DONE;
		}
		break;
	case 60: /* PK_OK, PASSWD_CHANGEREQ, INFO_REQUEST by state */
		if (c->st == UC_WAIT_PK) {
			ret = ua_client_pk_ok(c, &r);
		} else if (c->st == UC_WAIT_PW) {
			ret = ua_client_changereq(c, &r);
		} else if (c->st == UC_WAIT_KI) {
			ret = ua_client_info_request(c, &r);
		} else {
			ret = SESH_ERR_PROTOCOL;
		}
		break;
	default:
		ret = SESH_ERR_PROTOCOL;
		break;
	}
out:
	if (ret != 0) {
		ua_client_event_clear(c);
		c->fatal = ret;
		return ret;
	}
	if (c->ev.type != 0) {
		*ev = &c->ev;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* server                                                           */

enum ua_sstate {
	US_SVC_WAIT,
	US_READY,
	US_DECIDE,
	US_KI_WAIT,
	US_DONE,
};

struct ua_server {
	enum ua_sstate st;
	int fatal;
	uint8_t sid[UA_MAX_SESSION_ID];
	size_t sid_len;
	char *methods;
	unsigned max_tries;
	unsigned failures;
	unsigned attempts;
	char *user;    /* fixed by the first request */
	char *service; /* likewise */
	/* the request being decided */
	enum ua_server_event_type pending;
	bool pending_none;
	bool verified; /* PUBKEY_SIGNED: ua_server_verify succeeded */
	char alg[SESH_MAX_NAME + 1];
	struct buf blob;
	struct buf sig;
	struct buf sdata;
	struct sshkey *key;
	char *password;
	char *new_password;
	char *submethods;
	char **answers;
	size_t nanswers;
	size_t ki_nprompts;
	struct ua_server_event ev;
};

/* Drops the request being decided, wiping secrets. */
static void
ua_server_pending_clear(struct ua_server *s)
{
	size_t i;

	buf_reset(&s->blob);
	buf_reset(&s->sig);
	buf_reset(&s->sdata);
	key_free(s->key);
	s->key = NULL;
	mem_free_string_secret(s->password);
	s->password = NULL;
	mem_free_string_secret(s->new_password);
	s->new_password = NULL;
	free(s->submethods);
	s->submethods = NULL;
	for (i = 0; i < s->nanswers; i++) {
		mem_free_string_secret(s->answers[i]);
	}
	free(s->answers);
	s->answers = NULL;
	s->nanswers = 0;
	s->alg[0] = '\0';
	s->pending_none = false;
	s->verified = false;
	s->pending = 0;
	memset(&s->ev, 0, sizeof(s->ev));
}

int
ua_server_new(const uint8_t *session_id, size_t sid_len, const char *methods,
              unsigned max_tries, struct ua_server **out)
{
	struct ua_server *s = NULL;
	int ret = SESH_ERR_INVALID_ARGUMENT;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (session_id == NULL || sid_len == 0 || sid_len > UA_MAX_SESSION_ID ||
	    methods == NULL || strlen(methods) > SESH_MAX_NAMELIST) {
		goto out;
	}
	ret = SESH_ERR_NOMEM;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		goto out;
	}
	buf_init(&s->blob, UA_MAX_BLOB);
	buf_init(&s->sig, UA_MAX_SIG);
	buf_init(&s->sdata, 0);
	if ((s->methods = mem_strdup(methods)) == NULL) {
		goto out;
	}
	memcpy(s->sid, session_id, sid_len);
	s->sid_len = sid_len;
	s->max_tries = max_tries != 0 ? max_tries : UA_DEFAULT_MAX_TRIES;
	s->st = US_SVC_WAIT;
	*out = s;
	s = NULL;
	ret = 0;
out:
	ua_server_free(s);
	return ret;
}

void
ua_server_free(struct ua_server *s)
{
	if (s == NULL) {
		return;
	}
	ua_server_pending_clear(s);
	buf_clear(&s->blob);
	buf_clear(&s->sig);
	buf_clear(&s->sdata);
	free(s->methods);
	free(s->user);
	free(s->service);
	mem_wipe(s, sizeof(*s));
	free(s);
}

int
ua_server_set_methods(struct ua_server *s, const char *methods)
{
	char *m;

	if (s == NULL || methods == NULL ||
	    strlen(methods) > SESH_MAX_NAMELIST) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((m = mem_strdup(methods)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	free(s->methods);
	s->methods = m;
	return 0;
}

int
ua_server_set_max_tries(struct ua_server *s, unsigned max_tries)
{
	if (s == NULL || s->fatal != 0 || s->st == US_DONE) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	s->max_tries = max_tries != 0 ? max_tries : UA_DEFAULT_MAX_TRIES;
	return 0;
}

unsigned
ua_server_max_tries(const struct ua_server *s)
{
	return s != NULL ? s->max_tries : 0;
}

unsigned
ua_server_failures(const struct ua_server *s)
{
	return s != NULL ? s->failures : 0;
}

bool
ua_server_done(const struct ua_server *s)
{
	return s != NULL && s->fatal == 0 && s->st == US_DONE;
}

const char *
ua_server_user(const struct ua_server *s)
{
	return s != NULL ? s->user : NULL;
}

/* Common entry of the server's answer calls. */
static int
ua_server_enter(struct ua_server *s, struct buf *out)
{
	if (out != NULL) {
		buf_reset(out);
	}
	if (s == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (s->fatal != 0) {
		return s->fatal;
	}
	return 0;
}

/*
 * Writes FAILURE (name-list methods, boolean partial) and counts a
 * failure as OpenSSH does: not for partial success, not for a first
 * "none". At max_tries nothing is sent: SESH_ERR_AUTH_TOO_MANY, fatal.
 */
static int
ua_server_fail(struct ua_server *s, bool partial, struct buf *out)
{
	int ret;

	if (!partial && (s->attempts > 1 || !s->pending_none)) {
		s->failures++;
	}
	ua_server_pending_clear(s);
	s->st = US_READY;
	if (s->failures >= s->max_tries) {
		s->fatal = SESH_ERR_AUTH_TOO_MANY;
		return s->fatal;
	}
	if ((ret = buf_put_u8(out, SSH2_MSG_USERAUTH_FAILURE)) != 0 ||
	    (ret = buf_put_cstring(out, s->methods)) != 0 ||
	    (ret = buf_put_bool(out, partial)) != 0) {
		buf_reset(out);
		s->fatal = ret;
		return ret;
	}
	return 0;
}

int
ua_server_accept(struct ua_server *s, struct buf *out)
{
	int ret;

	if ((ret = ua_server_enter(s, out)) != 0) {
		return ret;
	}
	if (s->st != US_DECIDE || s->pending == UA_SEV_AUTH_PUBKEY_QUERY ||
	    (s->pending == UA_SEV_AUTH_PUBKEY_SIGNED && !s->verified)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = buf_put_u8(out, SSH2_MSG_USERAUTH_SUCCESS)) != 0) {
		buf_reset(out);
		return ret;
	}
	ua_server_pending_clear(s);
	s->st = US_DONE;
	return 0;
}

int
ua_server_reject(struct ua_server *s, bool partial, struct buf *out)
{
	int ret;

	if ((ret = ua_server_enter(s, out)) != 0) {
		return ret;
	}
	if (s->st != US_DECIDE) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return ua_server_fail(s, partial, out);
}

int
ua_server_pk_ok(struct ua_server *s, struct buf *out)
{
	int ret;

	if ((ret = ua_server_enter(s, out)) != 0) {
		return ret;
	}
	if (s->st != US_DECIDE || s->pending != UA_SEV_AUTH_PUBKEY_QUERY) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* byte 60, string alg, string blob */
	if ((ret = buf_put_u8(out, SSH2_MSG_USERAUTH_PK_OK)) != 0 ||
	    (ret = buf_put_cstring(out, s->alg)) != 0 ||
	    (ret = buf_put_string(out, buf_data(&s->blob),
	                          buf_len(&s->blob))) != 0) {
		buf_reset(out);
		return ret;
	}
	ua_server_pending_clear(s);
	s->st = US_READY;
	return 0;
}

int
ua_server_kbdint_info_request(struct ua_server *s, const char *name,
                              const char *instruction,
                              const char *const *prompts, const bool *echo,
                              size_t n, struct buf *out)
{
	size_t i;
	int ret;

	if ((ret = ua_server_enter(s, out)) != 0) {
		return ret;
	}
	if (s->st != US_DECIDE || (s->pending != UA_SEV_AUTH_KBDINT &&
	                           s->pending != UA_SEV_KBDINT_RESPONSE)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (n > UA_MAX_PROMPTS ||
	    (n > 0 && (prompts == NULL || echo == NULL))) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* byte 60, string name, string instruction, string lang,
	 * int num-prompts, num x (string prompt, boolean echo) */
	if ((ret = buf_put_u8(out, SSH2_MSG_USERAUTH_INFO_REQUEST)) != 0 ||
	    (ret = buf_put_cstring(out, name != NULL ? name : "")) != 0 ||
	    (ret = buf_put_cstring(out, instruction != NULL ? instruction
	                                                    : "")) != 0 ||
	    (ret = buf_put_cstring(out, "")) != 0 ||
	    (ret = buf_put_u32(out, (uint32_t)n)) != 0) {
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (prompts[i] == NULL) {
			ret = SESH_ERR_INVALID_ARGUMENT;
			goto out;
		}
		if ((ret = buf_put_cstring(out, prompts[i])) != 0 ||
		    (ret = buf_put_bool(out, echo[i])) != 0) {
			goto out;
		}
	}
	ua_server_pending_clear(s);
	s->ki_nprompts = n;
	s->st = US_KI_WAIT;
out:
	if (ret != 0) {
		buf_reset(out);
	}
	return ret;
}

int
ua_server_passwd_changereq(struct ua_server *s, const char *prompt,
                           struct buf *out)
{
	int ret;

	if ((ret = ua_server_enter(s, out)) != 0) {
		return ret;
	}
	if (s->st != US_DECIDE || s->pending != UA_SEV_AUTH_PASSWORD ||
	    prompt == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* byte 60, string prompt, string language tag */
	if ((ret = buf_put_u8(out, SSH2_MSG_USERAUTH_PASSWD_CHANGEREQ)) != 0 ||
	    (ret = buf_put_cstring(out, prompt)) != 0 ||
	    (ret = buf_put_cstring(out, "")) != 0) {
		buf_reset(out);
		return ret;
	}
	ua_server_pending_clear(s);
	s->st = US_READY;
	return 0;
}

int
ua_server_banner(struct ua_server *s, const char *text, struct buf *out)
{
	int ret;

	if ((ret = ua_server_enter(s, out)) != 0) {
		return ret;
	}
	if (s->st == US_DONE) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return ua_banner_build(text, "", out);
}

int
ua_server_verify(struct ua_server *s)
{
	int ret;

	if (s == NULL || s->fatal != 0 || s->st != US_DECIDE ||
	    s->pending != UA_SEV_AUTH_PUBKEY_SIGNED) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	ret = key_verify(s->key, s->alg, false, buf_data(&s->sig),
	                 buf_len(&s->sig), buf_data(&s->sdata),
	                 buf_len(&s->sdata));
	if (ret == 0) {
		s->verified = true;
	}
	return ret;
}

/* SERVICE_REQUEST: string service name */
static int
ua_server_service_request(struct ua_server *s, struct rd *r, struct buf *out)
{
	const uint8_t *p;
	size_t n;
	int ret;

	/* A repeated request between attempts is answered again, as sshd
	 * does (paramiko sends one before each retry). */
	if (s->st != US_SVC_WAIT && s->st != US_READY) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = rd_string_max(r, UA_MAX_SERVICE, &p, &n)) != 0 ||
	    (ret = rd_end(r)) != 0) {
		return ret;
	}
	if (n != strlen(UA_SERVICE_USERAUTH) ||
	    memcmp(p, UA_SERVICE_USERAUTH, n) != 0) {
		return SESH_ERR_SERVICE_NOT_AVAILABLE;
	}
	if ((ret = buf_put_u8(out, SSH2_MSG_SERVICE_ACCEPT)) != 0 ||
	    (ret = buf_put_cstring(out, UA_SERVICE_USERAUTH)) != 0) {
		return ret;
	}
	s->st = US_READY;
	return 0;
}

/* publickey: boolean has-sig, string alg, string blob [, string sig] */
static int
ua_server_publickey(struct ua_server *s, struct rd *r, struct buf *out)
{
	const uint8_t *alg, *blob, *sig = NULL;
	size_t algn, blobn, sign = 0;
	bool has_sig;
	int ret;

	if ((ret = rd_bool(r, &has_sig)) != 0 ||
	    (ret = rd_string_max(r, SESH_MAX_NAME, &alg, &algn)) != 0 ||
	    (ret = rd_string_max(r, UA_MAX_BLOB, &blob, &blobn)) != 0 ||
	    (has_sig &&
	     (ret = rd_string_max(r, UA_MAX_SIG, &sig, &sign)) != 0) ||
	    (ret = rd_end(r)) != 0) {
		return ret;
	}
	memcpy(s->alg, alg, algn);
	s->alg[algn] = '\0';
	if (memchr(alg, '\0', algn) != NULL ||
	    key_from_blob(blob, blobn, &s->key) != 0 ||
	    !ua_alg_suits_key(s->key, s->alg)) {
		/* a key or algorithm we cannot use: refused at once */
		return ua_server_fail(s, false, out);
	}
	if ((ret = buf_put(&s->blob, blob, blobn)) != 0) {
		return ret;
	}
	s->ev.alg = s->alg;
	s->ev.blob = buf_data(&s->blob);
	s->ev.blob_len = buf_len(&s->blob);
	s->ev.key = s->key;
	if (!has_sig) {
		s->pending = UA_SEV_AUTH_PUBKEY_QUERY;
		return 0;
	}
	if ((ret = buf_put(&s->sig, sig, sign)) != 0 ||
	    (ret = ua_publickey_signed_data(
	         s->sid, s->sid_len, s->user, s->service, s->alg,
	         buf_data(&s->blob), buf_len(&s->blob), &s->sdata)) != 0) {
		return ret;
	}
	s->pending = UA_SEV_AUTH_PUBKEY_SIGNED;
	s->ev.sig = buf_data(&s->sig);
	s->ev.sig_len = buf_len(&s->sig);
	s->ev.signed_data = buf_data(&s->sdata);
	s->ev.signed_data_len = buf_len(&s->sdata);
	return 0;
}

/* password: boolean change, string password [, string new password] */
static int
ua_server_password(struct ua_server *s, struct rd *r)
{
	bool change;
	int ret;

	if ((ret = rd_bool(r, &change)) != 0 ||
	    (ret = ua_rd_secret(r, &s->password)) != 0 ||
	    (change && (ret = ua_rd_secret(r, &s->new_password)) != 0) ||
	    (ret = rd_end(r)) != 0) {
		return ret;
	}
	s->pending = UA_SEV_AUTH_PASSWORD;
	s->ev.password = s->password;
	s->ev.new_password = s->new_password;
	return 0;
}

/* keyboard-interactive: string language tag, string submethods */
static int
ua_server_kbdint(struct ua_server *s, struct rd *r)
{
	const uint8_t *lang;
	size_t langn;
	int ret;

	if ((ret = rd_string_max(r, UA_MAX_TEXT, &lang, &langn)) != 0 ||
	    (ret = rd_cstring(r, UA_MAX_TEXT, &s->submethods)) != 0 ||
	    (ret = rd_end(r)) != 0) {
		return ret;
	}
	s->pending = UA_SEV_AUTH_KBDINT;
	s->ev.submethods = s->submethods;
	return 0;
}

/*
 * USERAUTH_REQUEST: string user name, string service name, string
 * method name, method-specific fields.
 */
static int
ua_server_request(struct ua_server *s, struct rd *r, struct buf *out)
{
	char *user = NULL, *service = NULL, *method = NULL;
	int ret;

	if (s->st == US_DONE) {
		return 0; /* RFC 4252 §5.1: ignored after SUCCESS */
	}
	if (s->st != US_READY && s->st != US_KI_WAIT) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = rd_cstring(r, UA_MAX_USER, &user)) != 0 ||
	    (ret = rd_cstring(r, UA_MAX_SERVICE, &service)) != 0 ||
	    (ret = rd_cstring(r, UA_MAX_METHOD, &method)) != 0) {
		goto out;
	}
	if (s->user != NULL) {
		if (strcmp(user, s->user) != 0 ||
		    strcmp(service, s->service) != 0) {
			/* OpenSSH: "Change of username or service not
			 * allowed" */
			ret = SESH_ERR_PROTOCOL;
			goto out;
		}
	} else {
		if (strcmp(service, UA_SERVICE_CONNECTION) != 0) {
			ret = SESH_ERR_SERVICE_NOT_AVAILABLE;
			goto out;
		}
		s->user = user;
		s->service = service;
		user = service = NULL;
	}
	ua_server_pending_clear(s);
	s->st = US_READY;
	s->attempts++;
	s->ev.user = s->user;
	s->ev.service = s->service;
	if (strcmp(method, "none") == 0) {
		if ((ret = rd_end(r)) == 0) {
			s->pending = UA_SEV_AUTH_NONE;
			s->pending_none = true;
		}
	} else if (!namelist_has((const uint8_t *)s->methods,
	                         strlen(s->methods), method)) {
		/* not offered (or unknown): refused at once, counted */
		ret = ua_server_fail(s, false, out);
	} else if (strcmp(method, "publickey") == 0) {
		ret = ua_server_publickey(s, r, out);
	} else if (strcmp(method, "password") == 0) {
		ret = ua_server_password(s, r);
	} else if (strcmp(method, "keyboard-interactive") == 0) {
		ret = ua_server_kbdint(s, r);
	} else {
		ret = ua_server_fail(s, false, out);
	}
	if (ret == 0 && s->pending != 0) {
		s->ev.type = s->pending;
		s->st = US_DECIDE;
	}
out:
	free(user);
	free(service);
	free(method);
	return ret;
}

/* INFO_RESPONSE (RFC 4256 §3.4): int num-responses, string response[] */
static int
ua_server_info_response(struct ua_server *s, struct rd *r)
{
	uint32_t num, i;
	int ret;

	if (s->st != US_KI_WAIT) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = rd_u32(r, &num)) != 0) {
		return ret;
	}
	if (num != s->ki_nprompts) {
		return SESH_ERR_PROTOCOL;
	}
	ua_server_pending_clear(s);
	if (num > 0 &&
	    (s->answers = mem_array(num, sizeof(*s->answers))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	for (i = 0; i < num; i++) {
		if ((ret = ua_rd_secret(r, &s->answers[i])) != 0) {
			return ret;
		}
		s->nanswers = i + 1;
	}
	if ((ret = rd_end(r)) != 0) {
		return ret;
	}
	s->pending = UA_SEV_KBDINT_RESPONSE;
	s->ev.type = UA_SEV_KBDINT_RESPONSE;
	s->ev.user = s->user;
	s->ev.service = s->service;
	s->ev.answers = s->answers;
	s->ev.nanswers = s->nanswers;
	s->st = US_DECIDE;
	return 0;
}

int
ua_server_input(struct ua_server *s, const uint8_t *p, size_t n,
                const struct ua_server_event **ev, struct buf *out)
{
	struct rd r;
	uint8_t type;
	int ret;

	if (ev == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*ev = NULL;
	if ((ret = ua_server_enter(s, out)) != 0) {
		return ret;
	}
	if (p == NULL && n > 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (s->st == US_DECIDE) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	rd_init(&r, p, n);
	if ((ret = rd_u8(&r, &type)) != 0) {
		goto out;
	}
	switch (type) {
	case SSH2_MSG_SERVICE_REQUEST:
		ret = ua_server_service_request(s, &r, out);
		break;
	case SSH2_MSG_USERAUTH_REQUEST:
		ret = ua_server_request(s, &r, out);
		break;
	case SSH2_MSG_USERAUTH_INFO_RESPONSE:
		ret = ua_server_info_response(s, &r);
		break;
	default:
		ret = SESH_ERR_PROTOCOL;
		break;
	}
out:
	if (ret != 0) {
		buf_reset(out);
		ua_server_pending_clear(s);
		s->fatal = ret;
		return ret;
	}
	if (s->st == US_DECIDE) {
		*ev = &s->ev;
	}
	return 0;
}

/* ---- server state transfer ---- */

int
ua_server_export(const struct ua_server *s, struct buf *out)
{
	unsigned max_tries;
	size_t mark;
	int ret;

	if (s == NULL || out == NULL || !ua_server_done(s) || s->user == NULL ||
	    s->service == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* a limit lowered to the failures so far (ua_server_set_max_tries)
	 * and then a success: the limit is spent, the import wants one
	 * above the count */
	max_tries =
	    s->failures >= s->max_tries ? s->failures + 1 : s->max_tries;
	mark = buf_len(out);
	if ((ret = buf_put_string(out, s->sid, s->sid_len)) != 0 ||
	    (ret = buf_put_cstring(out, s->methods)) != 0 ||
	    (ret = buf_put_u32(out, max_tries)) != 0 ||
	    (ret = buf_put_u32(out, s->failures)) != 0 ||
	    (ret = buf_put_u32(out, s->attempts)) != 0 ||
	    (ret = buf_put_cstring(out, s->user)) != 0 ||
	    (ret = buf_put_cstring(out, s->service)) != 0) {
		buf_truncate(out, mark);
	}
	return ret;
}

int
ua_server_import(struct rd *r, struct ua_server **out)
{
	struct ua_server *s = NULL;
	const uint8_t *sid;
	size_t sid_len;
	char *methods = NULL;
	uint32_t max_tries, failures, attempts;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (r == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = rd_string_max(r, UA_MAX_SESSION_ID, &sid, &sid_len)) != 0 ||
	    (ret = rd_cstring(r, SESH_MAX_NAMELIST, &methods)) != 0 ||
	    (ret = rd_u32(r, &max_tries)) != 0 ||
	    (ret = rd_u32(r, &failures)) != 0 ||
	    (ret = rd_u32(r, &attempts)) != 0) {
		goto out;
	}
	if (sid_len == 0 || max_tries == 0 || failures >= max_tries ||
	    attempts == 0) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if ((ret = ua_server_new(sid, sid_len, methods, max_tries, &s)) != 0) {
		goto out;
	}
	s->failures = failures;
	s->attempts = attempts;
	if ((ret = rd_cstring(r, UA_MAX_USER, &s->user)) != 0 ||
	    (ret = rd_cstring(r, UA_MAX_SERVICE, &s->service)) != 0) {
		goto out;
	}
	if (strcmp(s->service, UA_SERVICE_CONNECTION) != 0) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	s->st = US_DONE;
	*out = s;
	s = NULL;
	ret = 0;
out:
	free(methods);
	ua_server_free(s);
	return ret;
}
