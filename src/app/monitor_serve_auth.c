/*
 * monitor_serve_auth.c - the monitor's answers to the child's
 * authentication requests (monitor.h): none, publickey query and
 * signature (the monitor verifies the signature itself, over signed
 * data it checks field by field), password, keyboard-interactive
 * (PAM), with AuthenticationMethods (partial success), PermitRootLogin,
 * the PAM account stage and sshd's log lines, in server_auth.c's
 * wording. A failed attempt (not "none", not a publickey query) sets
 * delay_due so that the loop answers after the failed-attempt delay.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/monitor_serve_int.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "crypto/hash.h"

static const char *
method_name(enum srvauth_method x)
{
	switch (x) {
	case SRVAUTH_PUBKEY:
		return "publickey";
	case SRVAUTH_PASSWORD:
		return "password";
	case SRVAUTH_KBDINT:
		return "keyboard-interactive/pam";
	default:
		return "none";
	}
}

void
mserv_auth_clear(struct mserv *m)
{
	srvauth_kbdint_free(m->kbdint);
	m->kbdint = NULL;
	srvauth_prompts_clear(&m->prompts);
}

static int
set_auth(struct monitor_msg *ans, uint8_t result, const char *methods)
{
	ans->type = MONITOR_ANS_AUTH;
	ans->result = result;
	ans->text = monitor_str_of(methods);
	return 0;
}

/* FAILURE with the methods that can continue. */
static int
reject(struct mserv *m, struct monitor_msg *ans)
{
	return set_auth(ans, MONITOR_AUTH_FAIL,
	                srvauth_methods_next(m->methods));
}

/* A failed attempt: answered after the delay. */
static int
reject_failed(struct mserv *m, struct monitor_msg *ans)
{
	m->delay_due = true;
	return reject(m, ans);
}

static void
log_failed(struct mserv *m, enum srvauth_method x, const char *detail)
{
	m->failed_lines++;
	log_info("Failed %s for %s%s from %s port %u ssh2%s%s", method_name(x),
	         m->user_ok ? "" : "invalid user ", m->res->user.name,
	         m->ctx->raddr, m->ctx->rport, detail != NULL ? ": " : "",
	         detail != NULL ? detail : "");
}

static bool
root_ok(struct mserv *m, enum srvauth_method x, bool forced)
{
	if (!m->user_ok || m->res->user.uid != 0 ||
	    srvauth_root_allowed(m->conf, &m->res->user, x, forced)) {
		return true;
	}
	log_info("ROOT LOGIN REFUSED FROM %s port %u", m->ctx->raddr,
	         m->ctx->rport);
	return false;
}

/* The PAM account stage once every method is done (root only). */
static bool
account_ok(struct mserv *m)
{
	bool ok = true;

	if (m->conf->use_pam > 0 && m->is_root &&
	    srvauth_pam_account(m->conf, &m->res->user, m->ctx->raddr, &ok) !=
	        0) {
		ok = false;
	}
	if (!ok) {
		log_error("Access denied for user %s by PAM account "
		          "configuration [preauth]",
		          m->res->user.name);
	}
	return ok;
}

/* The user passed method x: SUCCESS or partial success. */
static int
succeed(struct mserv *m, enum srvauth_method x, const char *detail,
        struct monitor_msg *ans)
{
	bool complete = false;
	int ret;

	if ((ret = srvauth_methods_success(m->methods, x, &complete)) != 0) {
		return ret;
	}
	log_info("%s %s for %s from %s port %u ssh2%s%s",
	         complete ? "Accepted" : "Partial", method_name(x),
	         m->res->user.name, m->ctx->raddr, m->ctx->rport,
	         detail != NULL ? ": " : "", detail != NULL ? detail : "");
	if (!complete) {
		return set_auth(ans, MONITOR_AUTH_PARTIAL,
		                srvauth_methods_next(m->methods));
	}
	if (!account_ok(m)) {
		return reject_failed(m, ans);
	}
	free(m->res->method);
	if ((m->res->method = mem_strdup(method_name(x))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	return set_auth(ans, MONITOR_AUTH_SUCCESS, "");
}

/* ---- none ---- */

static int
on_none(struct mserv *m, struct monitor_msg *ans)
{
	const struct servconf *c = m->conf;
	bool ok = false;

	if (c->permit_empty_passwords > 0 && c->password_authentication != 0 &&
	    srvauth_methods_allowed(m->methods, SRVAUTH_PASSWORD) &&
	    m->user_ok) {
		if (srvauth_password(c, &m->res->user, m->ctx->raddr, "",
		                     &ok) != 0) {
			ok = false;
		}
		if (ok && root_ok(m, SRVAUTH_PASSWORD, false)) {
			return succeed(m, SRVAUTH_PASSWORD, NULL, ans);
		}
	}
	return reject(m, ans);
}

/* ---- publickey ---- */

/* Is k authorized for the user now? *opts filled when *ok. */
static int
key_allowed(struct mserv *m, const struct sshkey *k, bool *ok,
            struct srv_keyopts *opts)
{
	int ret;

	*ok = false;
	memset(opts, 0, sizeof(*opts));
	/* unknown users go through the same work (srvauth.h) */
	if (!srvauth_methods_allowed(m->methods, SRVAUTH_PUBKEY) ||
	    m->conf->pubkey_authentication == 0 ||
	    srvauth_key_used(&m->used_keys, k)) {
		return 0;
	}
	ret = srvauth_pubkey_allowed(m->conf, &m->res->user, k, m->ctx->raddr,
	                             m->ctx->raddr, (uint64_t)time(NULL), ok,
	                             opts);
	if (ret == SESH_ERR_SYSTEM) {
		/* identity not restored after reading the user's files */
		return ret;
	}
	if (ret != 0 || !*ok || !m->user_ok) {
		*ok = false;
		srv_keyopts_clear(opts);
	}
	return 0;
}

static int
on_key_query(struct mserv *m, const struct monitor_msg *req,
             struct monitor_msg *ans)
{
	struct sshkey *k = NULL;
	struct srv_keyopts opts;
	bool ok = false;
	int ret = 0;

	if (key_from_blob(req->blob.p, req->blob.n, &k) == 0) {
		ret = key_allowed(m, k, &ok, &opts);
		srv_keyopts_clear(&opts);
	}
	key_free(k);
	ans->type = MONITOR_ANS_KEY_QUERY;
	ans->ok = ok;
	return ret;
}

/* The signature over the checked signed data, by the key. */
static bool
signature_ok(const struct monitor_msg *req, const struct sshkey *k)
{
	char *alg = NULL;
	bool ok;

	if (monitor_str_dup(req->alg, &alg) != 0) {
		return false;
	}
	ok = key_verify(k, alg, false, req->sig.p, req->sig.n, req->data.p,
	                req->data.n) == 0;
	free(alg);
	return ok;
}

/* The key passed: keep its options, then succeed. */
static int
key_accepted(struct mserv *m, const struct sshkey *k, struct srv_keyopts *opts,
             const char *detail, struct monitor_msg *ans)
{
	srv_keyopts_clear(&m->res->keyopts);
	m->res->keyopts = *opts;
	m->res->have_keyopts = true;
	srvauth_key_remember(&m->used_keys, k);
	return succeed(m, SRVAUTH_PUBKEY, detail, ans);
}

static int
on_key_verify(struct mserv *m, const struct monitor_msg *req,
              struct monitor_msg *ans)
{
	struct monitor_str sid = {m->st.session_id, m->st.session_id_len};
	struct sshkey *k = NULL;
	struct srv_keyopts opts;
	char detail[160];
	bool ok = false;
	int ret;

	/* the child built the signed data: every field must be ours */
	if ((ret = monitor_pk_data_check(req->data, sid, m->res->user.name,
	                                 m->service, req->alg, req->blob)) !=
	        0 ||
	    (ret = key_from_blob(req->blob.p, req->blob.n, &k)) != 0) {
		return SESH_ERR_PROTOCOL;
	}
	if ((ret = key_allowed(m, k, &ok, &opts)) != 0) {
		key_free(k);
		return ret;
	}
	srvauth_key_detail(k, detail, sizeof(detail));
	/* verified whatever the key check said: the same work */
	ok = signature_ok(req, k) && ok &&
	     root_ok(m, SRVAUTH_PUBKEY, opts.command != NULL);
	if (!ok) {
		srv_keyopts_clear(&opts);
		key_free(k);
		log_failed(m, SRVAUTH_PUBKEY, detail);
		return reject_failed(m, ans);
	}
	ret = key_accepted(m, k, &opts, detail, ans);
	key_free(k);
	return ret;
}

/* ---- password ---- */

static int
on_password(struct mserv *m, const struct monitor_msg *req,
            struct monitor_msg *ans)
{
	char *pw = NULL;
	bool ok = false;
	int ret;

	if (req->change ||
	    !srvauth_methods_allowed(m->methods, SRVAUTH_PASSWORD) ||
	    m->conf->password_authentication == 0) {
		return reject_failed(m, ans);
	}
	if ((ret = monitor_str_dup(req->password, &pw)) != 0) {
		return ret;
	}
	if (srvauth_password(m->conf, &m->res->user, m->ctx->raddr, pw, &ok) !=
	    0) {
		ok = false;
	}
	mem_free_string_secret(pw);
	ok = ok && m->user_ok && root_ok(m, SRVAUTH_PASSWORD, false);
	if (!ok) {
		log_failed(m, SRVAUTH_PASSWORD, NULL);
		return reject_failed(m, ans);
	}
	return succeed(m, SRVAUTH_PASSWORD, NULL, ans);
}

/* ---- keyboard-interactive ---- */

static int
set_prompts(struct mserv *m, struct monitor_msg *ans)
{
	const struct srvauth_prompts *p = &m->prompts;
	size_t i;

	if (p->n > MONITOR_MAX_PROMPTS) {
		return SESH_ERR_LIMIT;
	}
	ans->type = MONITOR_ANS_PROMPTS;
	ans->text = monitor_str_of(p->name);
	ans->instruction = monitor_str_of(p->instruction);
	ans->count = (uint32_t)p->n;
	for (i = 0; i < p->n; i++) {
		ans->item[i] = monitor_str_of(p->prompts[i]);
		ans->echo[i] = p->echo[i];
	}
	return 0;
}

/* The conversation ended (ret an error or done with ok). */
static int
kbdint_end(struct mserv *m, bool ok, struct monitor_msg *ans)
{
	mserv_auth_clear(m);
	ok = ok && m->user_ok && root_ok(m, SRVAUTH_KBDINT, false);
	if (!ok) {
		log_failed(m, SRVAUTH_KBDINT, NULL);
		return reject_failed(m, ans);
	}
	return succeed(m, SRVAUTH_KBDINT, NULL, ans);
}

static int
kbdint_step(struct mserv *m, const char *const *answers, size_t n,
            struct monitor_msg *ans)
{
	bool done = false, ok = false;
	int ret;

	srvauth_prompts_clear(&m->prompts);
	ret =
	    srvauth_kbdint_next(m->kbdint, answers, n, &m->prompts, &done, &ok);
	if (ret == 0 && !done && set_prompts(m, ans) == 0) {
		return 0;
	}
	return kbdint_end(m, ret == 0 && done && ok, ans);
}

static int
on_kbdint_start(struct mserv *m, struct monitor_msg *ans)
{
	const struct servconf *c = m->conf;

	if (!srvauth_methods_allowed(m->methods, SRVAUTH_KBDINT) ||
	    c->kbd_interactive_authentication == 0 || c->use_pam <= 0 ||
	    srvauth_kbdint_start(c, &m->res->user, m->ctx->raddr, &m->kbdint) !=
	        0) {
		return reject_failed(m, ans);
	}
	return kbdint_step(m, NULL, 0, ans);
}

static void
answers_free(char **a, size_t n)
{
	while (n > 0) {
		mem_free_string_secret(a[--n]);
	}
}

static int
on_kbdint_respond(struct mserv *m, const struct monitor_msg *req,
                  struct monitor_msg *ans)
{
	char *a[MONITOR_MAX_PROMPTS + 1];
	size_t n;
	int ret;

	if (m->kbdint == NULL) {
		return reject_failed(m, ans);
	}
	for (n = 0; n < req->count; n++) {
		if ((ret = monitor_str_dup(req->item[n], &a[n])) != 0) {
			answers_free(a, n);
			return ret;
		}
	}
	a[n] = NULL;
	ret = kbdint_step(m, (const char *const *)a, n, ans);
	answers_free(a, n);
	return ret;
}

int
mserv_auth(struct mserv *m, const struct monitor_msg *req,
           struct monitor_msg *ans)
{
	if (req->type != MONITOR_REQ_KBDINT_RESPOND) {
		/* a new request abandons keyboard-interactive (RFC 4256) */
		mserv_auth_clear(m);
	}
	switch (req->type) {
	case MONITOR_REQ_AUTH_NONE:
		return on_none(m, ans);
	case MONITOR_REQ_KEY_QUERY:
		return on_key_query(m, req, ans);
	case MONITOR_REQ_KEY_VERIFY:
		return on_key_verify(m, req, ans);
	case MONITOR_REQ_PASSWORD:
		return on_password(m, req, ans);
	case MONITOR_REQ_KBDINT_START:
		return on_kbdint_start(m, ans);
	case MONITOR_REQ_KBDINT_RESPOND:
		return on_kbdint_respond(m, req, ans);
	default:
		return SESH_ERR_PROTOCOL;
	}
}
