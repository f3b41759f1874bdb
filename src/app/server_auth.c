/*
 * server_auth.c - seshd's answers to the engine's userauth server events
 * (ssh/userauth.h), decided by the policy of app/srvauth.h: the user is
 * looked up at the first request (a non-root server serves only its own
 * user; others are treated as unknown, as are users refused by the
 * account checks: same replies, no enumeration), the Banner goes before
 * the first reply, then none / publickey (query: PK_OK when the key is
 * authorized; signed: signature verified and the key checked again) /
 * password / keyboard-interactive (PAM) with PermitRootLogin and
 * AuthenticationMethods (partial success). Log lines are sshd's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/server_int.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "crypto/hash.h"
#include "key/key.h"
#include "ssh/msg.h"

#define SRV_MAX_BANNER 65536u

/*
 * The failed-attempt delay (srvauth.h; OpenSSH's sshd does the same in
 * spirit): a failed password, keyboard-interactive or signed publickey
 * attempt is answered no sooner than the user's delay after its request
 * arrived, for valid and unknown users alike. Not for "none" or a
 * publickey query (OpenSSH clients send those before every real try).
 * The wait blocks: a connection process serves one connection before
 * authentication, and nothing else is due meanwhile but LoginGraceTime,
 * which the wait never passes. It uses ppoll (allowed by the sandbox),
 * not nanosleep. One connection per process: the state is static.
 */
static struct {
	bool key_set;
	uint8_t key[SRVAUTH_DELAY_KEY_LEN];
	uint64_t t0_us; /* when the request being answered arrived */
} fail_delay;

static uint64_t
mono_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* At the start of each request. */
static int
fail_delay_start(struct server *s)
{
	if (!fail_delay.key_set) {
		/* before the clock starts: an RSA signature takes time */
		int ret = srvauth_delay_key(s->ctx->hostkeys, s->ctx->nhostkeys,
		                            fail_delay.key);

		if (ret != 0) {
			return ret;
		}
		fail_delay.key_set = true;
	}
	fail_delay.t0_us = mono_us();
	return 0;
}

/* Before the reply to a failed attempt. */
static void
fail_delay_wait(struct server *s)
{
	const struct servconf *c = s->conf;
	uint64_t now = mono_us(), elapsed, target, end, grace_left = UINT64_MAX;
	uint32_t d;

	if (!fail_delay.key_set) {
		return;
	}
	d = srvauth_delay_us(fail_delay.key,
	                     s->user.name != NULL ? s->user.name : "");
	elapsed = now > fail_delay.t0_us ? now - fail_delay.t0_us : 0;
	target = srvauth_delay_target_us(elapsed, d);
	if (c->login_grace_time > 0) {
		uint64_t deadline = s->start_ms +
		                    (uint64_t)c->login_grace_time * 1000u,
		         now_ms = server_now_ms();

		grace_left =
		    deadline > now_ms ? (deadline - now_ms) * 1000u : 0;
	}
	if (target - elapsed > grace_left) {
		target = elapsed + grace_left;
	}
	end = fail_delay.t0_us + target;
	while ((now = mono_us()) < end) {
		struct timespec ts;
		uint64_t left = end - now;

		ts.tv_sec = (time_t)(left / 1000000u);
		ts.tv_nsec = (long)(left % 1000000u) * 1000L;
		if (ppoll(NULL, 0, &ts, NULL) < 0 && errno != EINTR) {
			break;
		}
	}
}

const char *
server_auth_who(const struct server *s)
{
	static char who[UA_MAX_USER + 32];

	if (!s->user_set) {
		return "";
	}
	(void)snprintf(who, sizeof(who), "%s user %s",
	               s->user_ok ? "authenticating" : "invalid", s->user.name);
	return who;
}

void
server_auth_clear(struct server *s)
{
	srvauth_kbdint_free(s->kbdint);
	s->kbdint = NULL;
	srvauth_methods_free(s->methods);
	s->methods = NULL;
	srv_keyopts_clear(&s->keyopts);
	srv_user_clear(&s->user);
	srvauth_used_keys_clear(&s->used_keys);
	free(s->auth_method);
	s->auth_method = NULL;
}

/* Reads the Banner file (at most SRV_MAX_BANNER bytes); NULL if none. */
static char *
read_banner(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	ssize_t r;
	int fd;

	if (path == NULL || strcmp(path, "none") == 0) {
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("Banner %s: %s", path, strerror(errno));
		return NULL;
	}
	text = malloc(SRV_MAX_BANNER + 1);
	if (text == NULL) {
		close(fd);
		return NULL;
	}
	while (len < SRV_MAX_BANNER) {
		r = read(fd, text + len, SRV_MAX_BANNER - len);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		len += (size_t)r;
	}
	close(fd);
	text[len] = '\0';
	if (len == 0) {
		free(text);
		return NULL;
	}
	return text;
}

char *
server_auth_read_banner(const char *path)
{
	return read_banner(path);
}

static void
send_banner(struct server *s)
{
	char *text;

	if (s->banner_sent) {
		return;
	}
	s->banner_sent = true;
	text = read_banner(s->conf->banner);
	if (text == NULL) {
		return;
	}
	if (ua_server_banner(conn_userauth_server(s->c), text,
	                     conn_ua_buf(s->c)) == 0) {
		(void)conn_flush(s->c);
	}
	free(text);
}

/* Applies the Match blocks for the now known user. */
static void
apply_match(struct server *s)
{
	struct servconf_conninfo ci;
	struct servconf_err err;

	memset(&ci, 0, sizeof(ci));
	ci.user = s->user.name;
	ci.host = s->ctx->raddr;
	ci.addr = s->ctx->raddr;
	ci.laddr = s->ctx->laddr;
	ci.lport = s->ctx->lport;
	ci.groups = (const char *const *)s->user.groups;
	memset(&err, 0, sizeof(err));
	if (servconf_match(s->ctx->conf, &ci, &s->own_conf, &err) != 0) {
		log_error("Match for user %s: %s", s->user.name, err.msg);
		return;
	}
	s->own_conf_set = true;
	s->conf = &s->own_conf;
}

void
server_auth_apply_match(struct server *s)
{
	apply_match(s);
}

/* The first request: who is it? */
static int
set_user(struct server *s, const char *name)
{
	char *why = NULL;
	bool ok = false;
	int ret;

	if ((ret = srvauth_user_lookup(name, &s->user)) != 0) {
		return ret;
	}
	s->user_set = true;
	if (s->user.name == NULL && (s->user.name = mem_strdup(name)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (s->user.valid && !s->is_root && s->user.uid != geteuid()) {
		/* as sshd run by a user: nobody else can log in */
		s->user.valid = false;
	}
	/* for an unknown user too (as sshd): the methods and MaxAuthTries a
	 * Match block sets must not tell the two apart */
	apply_match(s);
	if (s->own_conf_set) {
		struct srvauth_methods *m = NULL;

		/* AuthenticationMethods may differ in a Match block */
		if ((ret = srvauth_methods_new(s->conf, &m)) != 0) {
			return ret;
		}
		srvauth_methods_free(s->methods);
		s->methods = m;
		if ((ret = ua_server_set_methods(conn_userauth_server(s->c),
		                                 srvauth_methods_next(m))) !=
		    0) {
			return ret;
		}
		/* so may MaxAuthTries (engine_config's value otherwise) */
		if ((ret = ua_server_set_max_tries(
		         conn_userauth_server(s->c),
		         s->conf->max_auth_tries > 0
		             ? (unsigned)s->conf->max_auth_tries
		             : 0)) != 0) {
			return ret;
		}
	}
	if (!s->user.valid) {
		log_info("Invalid user %s from %s port %u", name, s->ctx->raddr,
		         s->ctx->rport);
		s->user_ok = false;
		return 0;
	}
	ret = srvauth_account_allowed(s->conf, &s->user, s->ctx->raddr,
	                              s->ctx->raddr, &ok, &why);
	if (ret != 0) {
		free(why);
		return ret;
	}
	if (!ok) {
		if (why != NULL) {
			log_info("%s", why);
		} else {
			log_info("User %s from %s not allowed", name,
			         s->ctx->raddr);
		}
	}
	free(why);
	s->user_ok = ok;
	return 0;
}

static const char *
method_name(enum srvauth_method m)
{
	switch (m) {
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

static int
reject(struct server *s, bool partial)
{
	struct ua_server *ua = conn_userauth_server(s->c);
	int ret;

	ret = ua_server_reject(ua, partial, conn_ua_buf(s->c));
	if (ret == SESH_ERR_AUTH_TOO_MANY) {
		log_error("Disconnecting %s %s port %u: Too many "
		          "authentication failures [preauth]",
		          server_auth_who(s), s->ctx->raddr, s->ctx->rport);
		(void)conn_disconnect(
		    s->c, SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
		    "Too many authentication failures");
		s->end = SERVER_END_AUTH_FAIL;
		s->done = true;
		return 0;
	}
	if (ret != 0) {
		return ret;
	}
	return conn_flush(s->c);
}

/* A failed attempt (not "none", not a publickey query): the delay, then
 * FAILURE (or the MaxAuthTries disconnect). */
static int
reject_failed(struct server *s)
{
	fail_delay_wait(s);
	return reject(s, false);
}

/* The user passed method m: complete (SUCCESS) or partial success. */
static int
succeed(struct server *s, enum srvauth_method m, const char *detail)
{
	struct ua_server *ua = conn_userauth_server(s->c);
	bool complete = false, ok = true;
	int ret;

	if ((ret = srvauth_methods_success(s->methods, m, &complete)) != 0) {
		return ret;
	}
	/* sshd's auth_log: "Partial" until AuthenticationMethods is met */
	log_info("%s %s for %s from %s port %u ssh2%s%s",
	         complete ? "Accepted" : "Partial", method_name(m),
	         s->user.name, s->ctx->raddr, s->ctx->rport,
	         detail != NULL ? ": " : "", detail != NULL ? detail : "");
	if (!complete) {
		if ((ret = ua_server_set_methods(
		         ua, srvauth_methods_next(s->methods))) != 0) {
			return ret;
		}
		return reject(s, true);
	}
	if (s->conf->use_pam > 0 && s->is_root &&
	    (ret = srvauth_pam_account(s->conf, &s->user, s->ctx->raddr,
	                               &ok)) != 0) {
		ok = false;
	}
	if (!ok) {
		log_error("Access denied for user %s by PAM account "
		          "configuration [preauth]",
		          s->user.name);
		return reject_failed(s);
	}
	if ((ret = ua_server_accept(ua, conn_ua_buf(s->c))) != 0) {
		return ret;
	}
	s->authenticated = true;
	free(s->auth_method);
	s->auth_method = mem_strdup(method_name(m));
	return conn_flush(s->c);
}

static bool
root_ok(struct server *s, enum srvauth_method m, bool forced)
{
	if (!s->user_ok || s->user.uid != 0) {
		return true;
	}
	if (srvauth_root_allowed(s->conf, &s->user, m, forced)) {
		return true;
	}
	log_info("ROOT LOGIN REFUSED FROM %s port %u", s->ctx->raddr,
	         s->ctx->rport);
	return false;
}

static void
log_failed(struct server *s, enum srvauth_method m, const char *detail)
{
	s->failed_attempts++;
	log_info("Failed %s for %s%s from %s port %u ssh2%s%s", method_name(m),
	         s->user_ok ? "" : "invalid user ", s->user.name, s->ctx->raddr,
	         s->ctx->rport, detail != NULL ? ": " : "",
	         detail != NULL ? detail : "");
}

static int
on_pubkey(struct server *s, const struct ua_server_event *ev)
{
	struct ua_server *ua = conn_userauth_server(s->c);
	struct srv_keyopts opts;
	char detail[160];
	bool ok = false, forced;
	int ret;

	memset(&opts, 0, sizeof(opts));
	if (srvauth_methods_allowed(s->methods, SRVAUTH_PUBKEY) &&
	    s->conf->pubkey_authentication != 0 &&
	    !srvauth_key_used(&s->used_keys, ev->key)) {
		ret = srvauth_pubkey_allowed(s->conf, &s->user, ev->key,
		                             s->ctx->raddr, s->ctx->raddr,
		                             (uint64_t)time(NULL), &ok, &opts);
		if (ret == SESH_ERR_SYSTEM) {
			/* identity not restored after reading the user's
			 * files (srvauth_int.h): do not go on */
			srv_keyopts_clear(&opts);
			return ret;
		}
		if (ret != 0) {
			ok = false;
		}
	}
	ok = ok && s->user_ok;
	/* as sshd: ForceCommand does not count for forced-commands-only */
	forced = opts.command != NULL;
	if (ev->type == UA_SEV_AUTH_PUBKEY_QUERY) {
		srv_keyopts_clear(&opts);
		if (!ok) {
			return reject(s, false);
		}
		if ((ret = ua_server_pk_ok(ua, conn_ua_buf(s->c))) != 0) {
			return ret;
		}
		return conn_flush(s->c);
	}
	srvauth_key_detail(ev->key, detail, sizeof(detail));
	if (ua_server_verify(ua) != 0) {
		srv_keyopts_clear(&opts);
		log_failed(s, SRVAUTH_PUBKEY, detail);
		return reject_failed(s);
	}
	if (!ok || !root_ok(s, SRVAUTH_PUBKEY, forced)) {
		srv_keyopts_clear(&opts);
		log_failed(s, SRVAUTH_PUBKEY, detail);
		return reject_failed(s);
	}
	srv_keyopts_clear(&s->keyopts);
	s->keyopts = opts;
	s->have_keyopts = true;
	srvauth_key_remember(&s->used_keys, ev->key);
	return succeed(s, SRVAUTH_PUBKEY, detail);
}

static int
on_password(struct server *s, const struct ua_server_event *ev)
{
	bool ok = false;

	if (ev->new_password != NULL ||
	    !srvauth_methods_allowed(s->methods, SRVAUTH_PASSWORD) ||
	    s->conf->password_authentication == 0) {
		return reject_failed(s);
	}
	if (srvauth_password(s->conf, &s->user, s->ctx->raddr, ev->password,
	                     &ok) != 0) {
		ok = false;
	}
	ok = ok && s->user_ok && root_ok(s, SRVAUTH_PASSWORD, false);
	if (!ok) {
		log_failed(s, SRVAUTH_PASSWORD, NULL);
		return reject_failed(s);
	}
	return succeed(s, SRVAUTH_PASSWORD, NULL);
}

static int
kbdint_step(struct server *s, const char *const *answers, size_t n)
{
	struct srvauth_prompts pr;
	bool done = false, ok = false;
	int ret;

	memset(&pr, 0, sizeof(pr));
	ret = srvauth_kbdint_next(s->kbdint, answers, n, &pr, &done, &ok);
	if (ret != 0 || done) {
		srvauth_prompts_clear(&pr);
		srvauth_kbdint_free(s->kbdint);
		s->kbdint = NULL;
		ok = ret == 0 && ok && s->user_ok &&
		     root_ok(s, SRVAUTH_KBDINT, false);
		if (!ok) {
			log_failed(s, SRVAUTH_KBDINT, NULL);
			return reject_failed(s);
		}
		return succeed(s, SRVAUTH_KBDINT, NULL);
	}
	ret = ua_server_kbdint_info_request(
	    conn_userauth_server(s->c), pr.name != NULL ? pr.name : "",
	    pr.instruction != NULL ? pr.instruction : "",
	    (const char *const *)pr.prompts, pr.echo, pr.n, conn_ua_buf(s->c));
	srvauth_prompts_clear(&pr);
	if (ret != 0) {
		return ret;
	}
	return conn_flush(s->c);
}

static int
on_kbdint(struct server *s)
{
	srvauth_kbdint_free(s->kbdint);
	s->kbdint = NULL;
	if (!srvauth_methods_allowed(s->methods, SRVAUTH_KBDINT) ||
	    s->conf->kbd_interactive_authentication == 0 ||
	    s->conf->use_pam <= 0 ||
	    srvauth_kbdint_start(s->conf, &s->user, s->ctx->raddr,
	                         &s->kbdint) != 0) {
		return reject_failed(s);
	}
	return kbdint_step(s, NULL, 0);
}

static int
on_none(struct server *s)
{
	bool ok = false;

	if (s->conf->permit_empty_passwords > 0 &&
	    s->conf->password_authentication != 0 &&
	    srvauth_methods_allowed(s->methods, SRVAUTH_PASSWORD) &&
	    s->user_ok) {
		if (srvauth_password(s->conf, &s->user, s->ctx->raddr, "",
		                     &ok) != 0) {
			ok = false;
		}
		if (ok && root_ok(s, SRVAUTH_PASSWORD, false)) {
			return succeed(s, SRVAUTH_PASSWORD, NULL);
		}
	}
	return reject(s, false);
}

int
server_auth_event(struct server *s, const struct ua_server_event *ev)
{
	int ret;

	if ((ret = fail_delay_start(s)) != 0) {
		return ret;
	}
	if (!s->user_set) {
		if ((ret = set_user(s, ev->user)) != 0) {
			return ret;
		}
	}
	send_banner(s);
	if (ev->type != UA_SEV_KBDINT_RESPONSE && s->kbdint != NULL) {
		/* a new request abandons keyboard-interactive (RFC 4256) */
		srvauth_kbdint_free(s->kbdint);
		s->kbdint = NULL;
	}
	switch (ev->type) {
	case UA_SEV_AUTH_NONE:
		return on_none(s);
	case UA_SEV_AUTH_PUBKEY_QUERY:
	case UA_SEV_AUTH_PUBKEY_SIGNED:
		return on_pubkey(s, ev);
	case UA_SEV_AUTH_PASSWORD:
		return on_password(s, ev);
	case UA_SEV_AUTH_KBDINT:
		return on_kbdint(s);
	case UA_SEV_KBDINT_RESPONSE:
		if (s->kbdint == NULL) {
			return reject_failed(s);
		}
		return kbdint_step(s, (const char *const *)ev->answers,
		                   ev->nanswers);
	default:
		return reject(s, false);
	}
}
