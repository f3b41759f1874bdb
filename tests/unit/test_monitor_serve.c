/*
 * test_monitor_serve.c - the monitor's request loop (app/monitor_serve.h)
 * against the child's calls (app/monitor_client.h) over a socketpair,
 * the monitor in a thread, without root: a temporary directory holds an
 * Ed25519 host key (written and read back with key/keyfile.h) and an
 * authorized_keys file for the current user. Covers signing, the same
 * answers for unknown and known users, publickey success and the
 * result, signed data that does not start with the session id (or
 * names another user), MaxAuthTries (and a Match block's, carried by
 * the answer to REQ_USER), requests out of order, garbage
 * frames, the deadline, the child's log lines, and the publickey
 * signed-data check under truncation and bit flips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "app/monitor_client.h"
#include "app/monitor_serve.h"
#include "app/server.h"
#include "app/servconf.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "key/key.h"
#include "key/keyfile.h"

#define SERVICE "ssh-connection"

struct fixture {
	char dir[64];
	char ak[128];
	char me[256];
	struct sshkey *hostkey;  /* read back from its file */
	struct sshkey *userkey;  /* in authorized_keys */
	struct sshkey *otherkey; /* not */
	const struct sshkey *hostkeys[1];
	struct buf hostblob, userblob, otherblob;
	uint8_t sid[32];
};

static struct fixture fx;

static void
write_text(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

/* The host key goes through a private key file and back. */
static void
make_hostkey(void)
{
	struct sshkey *k = NULL;
	struct buf b;
	char path[128];
	size_t n;
	char *text;

	assert_int_equal(key_generate(KEY_ED25519, 0, &k), 0);
	buf_init(&b, 0);
	assert_int_equal(keyfile_serialize_private(k, NULL, 0, &b), 0);
	snprintf(path, sizeof(path), "%s/ssh_host_ed25519_key", fx.dir);
	write_text(path, buf_data(&b), buf_len(&b));
	buf_clear(&b);
	key_free(k);
	text = test_read_file(path, &n);
	assert_int_equal(
	    keyfile_parse_private((const uint8_t *)text, n, NULL, &fx.hostkey),
	    0);
	free(text);
	assert_true(key_has_private(fx.hostkey));
}

static void
blob_of(const struct sshkey *k, struct buf *b)
{
	buf_init(b, 0);
	assert_int_equal(key_to_blob(k, b), 0);
}

static int
group_setup(void **state)
{
	struct passwd *pw = getpwuid(geteuid());
	struct buf line;

	(void)state;
	assert_non_null(pw);
	snprintf(fx.me, sizeof(fx.me), "%s", pw->pw_name);
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/sesh-monserve.XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	make_hostkey();
	fx.hostkeys[0] = fx.hostkey;
	assert_int_equal(key_generate(KEY_ED25519, 0, &fx.userkey), 0);
	assert_int_equal(key_generate(KEY_ED25519, 0, &fx.otherkey), 0);
	blob_of(fx.hostkey, &fx.hostblob);
	blob_of(fx.userkey, &fx.userblob);
	blob_of(fx.otherkey, &fx.otherblob);
	buf_init(&line, 0);
	assert_int_equal(key_to_pub_line(fx.userkey, false, &line), 0);
	assert_int_equal(buf_put(&line, "\n", 1), 0);
	snprintf(fx.ak, sizeof(fx.ak), "%s/authorized_keys", fx.dir);
	write_text(fx.ak, buf_data(&line), buf_len(&line));
	buf_clear(&line);
	memset(fx.sid, 0x5a, sizeof(fx.sid));
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot remove %s\n", fx.dir);
	}
	key_free(fx.hostkey);
	key_free(fx.userkey);
	key_free(fx.otherkey);
	buf_clear(&fx.hostblob);
	buf_clear(&fx.userblob);
	buf_clear(&fx.otherblob);
	return 0;
}

/* A finished config: the fixture's authorized_keys, no PAM; tail (Match
 * blocks) at the end. */
static void
make_conf(struct servconf *c, int max_tries, const char *tail)
{
	struct servconf_err err;
	char text[1024];
	int n;

	n = snprintf(text, sizeof(text),
	             "AuthorizedKeysFile %s\nStrictModes no\nUsePAM yes\n"
	             "MaxAuthTries %d\nPasswordAuthentication yes\n"
	             "KbdInteractiveAuthentication no\n"
	             "LoginGraceTime 0\n%s",
	             fx.ak, max_tries, tail);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	servconf_init(c);
	memset(&err, 0, sizeof(err));
	assert_int_equal(servconf_load_text(c, "test", text, (size_t)n, &err),
	                 0);
	assert_int_equal(servconf_finish(c, &err), 0);
}

/* ---- the monitor in a thread ---- */

struct run {
	int fd[2]; /* [0] the monitor's, [1] the child's */
	pthread_t th;
	struct servconf conf;
	struct monitor_serve_ctx ctx;
	struct monitor_result res;
	int end;
};

static void *
serve_main(void *arg)
{
	struct run *r = arg;

	r->end = monitor_serve(r->fd[0], &r->ctx, &r->res);
	/* as the lead's monitor would kill the child: it sees EOF */
	(void)shutdown(r->fd[0], SHUT_RDWR);
	return NULL;
}

static void
start_conf(struct run *r, int max_tries, uint64_t deadline_ms, const char *tail)
{
	memset(r, 0, sizeof(*r));
	make_conf(&r->conf, max_tries, tail);
	r->ctx.conf = &r->conf;
	r->ctx.hostkeys = fx.hostkeys;
	r->ctx.nhostkeys = 1;
	r->ctx.raddr = "127.0.0.1";
	r->ctx.rport = 4242;
	r->ctx.laddr = "127.0.0.1";
	r->ctx.lport = 22;
	r->ctx.deadline_ms = deadline_ms;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, r->fd), 0);
	assert_int_equal(pthread_create(&r->th, NULL, serve_main, r), 0);
}

static void
start_deadline(struct run *r, int max_tries, uint64_t deadline_ms)
{
	start_conf(r, max_tries, deadline_ms, "");
}

static void
start(struct run *r, int max_tries)
{
	start_deadline(r, max_tries, 0);
}

/* The child closes its end; the monitor's result. */
static int
finish(struct run *r)
{
	close(r->fd[1]);
	assert_int_equal(pthread_join(r->th, NULL), 0);
	close(r->fd[0]);
	assert_int_equal(r->res.end, r->end);
	return r->end;
}

static void
end_run(struct run *r)
{
	monitor_result_clear(&r->res);
	servconf_clear(&r->conf);
}

/* ---- child-side steps ---- */

/* The first signature: fx.sid becomes the session id. */
static void
sign_sid(struct run *r)
{
	struct buf sig;
	bool ok = false;

	buf_init(&sig, 0);
	assert_int_equal(mc_sign(r->fd[1], "ssh-ed25519",
	                         buf_data(&fx.hostblob), buf_len(&fx.hostblob),
	                         fx.sid, sizeof(fx.sid), &ok, &sig),
	                 0);
	assert_true(ok);
	buf_clear(&sig);
}

/* REQ_USER; *max_tries (if not NULL) the user's MaxAuthTries. */
static char *
user_tries(struct run *r, const char *name, unsigned *max_tries)
{
	char *methods = NULL;
	unsigned n = 0;

	assert_int_equal(mc_user(r->fd[1], name, SERVICE, &methods, &n), 0);
	assert_non_null(methods);
	assert_true(n >= 1 && n <= MONITOR_HARD_MAX_TRIES);
	if (max_tries != NULL) {
		*max_tries = n;
	}
	return methods;
}

static char *
user(struct run *r, const char *name)
{
	return user_tries(r, name, NULL);
}

/* RFC 4252 §7 signed data with the given session id and user. */
static void
signed_data(const uint8_t *sid, size_t sid_len, const char *name,
            const struct buf *blob, struct buf *out)
{
	buf_init(out, 0);
	assert_int_equal(buf_put_string(out, sid, sid_len), 0);
	assert_int_equal(buf_put_u8(out, 50), 0);
	assert_int_equal(buf_put_cstring(out, name), 0);
	assert_int_equal(buf_put_cstring(out, SERVICE), 0);
	assert_int_equal(buf_put_cstring(out, "publickey"), 0);
	assert_int_equal(buf_put_bool(out, true), 0);
	assert_int_equal(buf_put_cstring(out, "ssh-ed25519"), 0);
	assert_int_equal(buf_put_string(out, buf_data(blob), buf_len(blob)), 0);
}

/* A signed publickey request by k over data; the call's return. */
static int
key_verify_call(struct run *r, const struct sshkey *k, const struct buf *blob,
                const struct buf *data, struct mc_auth *a)
{
	struct buf sig;
	int ret;

	buf_init(&sig, 0);
	assert_int_equal(
	    key_sign(k, "ssh-ed25519", buf_data(data), buf_len(data), &sig), 0);
	ret = mc_key_verify(r->fd[1], "ssh-ed25519", buf_data(blob),
	                    buf_len(blob), buf_data(data), buf_len(data),
	                    buf_data(&sig), buf_len(&sig), a);
	buf_clear(&sig);
	return ret;
}

/* publickey with the authorized key up to SUCCESS. */
static void
pubkey_success(struct run *r)
{
	struct mc_auth a;
	struct buf data;
	bool ok = false;
	char *m;

	sign_sid(r);
	m = user(r, fx.me);
	free(m);
	assert_int_equal(mc_key_query(r->fd[1], "ssh-ed25519",
	                              buf_data(&fx.userblob),
	                              buf_len(&fx.userblob), &ok),
	                 0);
	assert_true(ok);
	signed_data(fx.sid, sizeof(fx.sid), fx.me, &fx.userblob, &data);
	assert_int_equal(
	    key_verify_call(r, fx.userkey, &fx.userblob, &data, &a), 0);
	assert_int_equal(a.result, MONITOR_AUTH_SUCCESS);
	assert_string_equal(a.methods, "");
	mc_auth_clear(&a);
	buf_clear(&data);
}

/* ---- tests ---- */

static void
test_sign(void **state)
{
	struct run r;
	struct buf sig;
	uint8_t h[48];
	bool ok = false;

	(void)state;
	start(&r, 6);
	memset(h, 0xa5, sizeof(h));
	buf_init(&sig, 0);
	assert_int_equal(mc_sign(r.fd[1], "ssh-ed25519", buf_data(&fx.hostblob),
	                         buf_len(&fx.hostblob), h, sizeof(h), &ok,
	                         &sig),
	                 0);
	assert_true(ok);
	assert_int_equal(key_verify(fx.hostkey, "ssh-ed25519", false,
	                            buf_data(&sig), buf_len(&sig), h,
	                            sizeof(h)),
	                 0);
	/* over other data it does not verify */
	h[0] ^= 1;
	assert_int_not_equal(key_verify(fx.hostkey, "ssh-ed25519", false,
	                                buf_data(&sig), buf_len(&sig), h,
	                                sizeof(h)),
	                     0);
	/* a key the monitor does not hold: refused, not fatal */
	buf_reset(&sig);
	assert_int_equal(
	    mc_sign(r.fd[1], "ssh-ed25519", buf_data(&fx.otherblob),
	            buf_len(&fx.otherblob), h, sizeof(h), &ok, &sig),
	    0);
	assert_false(ok);
	assert_int_equal(buf_len(&sig), 0);
	buf_clear(&sig);
	assert_int_equal(finish(&r), SERVER_END_NO_AUTH);
	/* the first H is the session id */
	assert_int_equal(r.res.session_id_len, sizeof(h));
	assert_false(r.res.authenticated);
	end_run(&r);
}

/* One session: user, an unauthorized key query, a signature by that
 * key; the answers into *s. */
struct shape {
	char *methods;
	bool query_ok;
	uint8_t result;
	char *fail_methods;
	int end;
};

/* A valid signature by the unauthorized key: a failed attempt. */
static void
verify_other(struct run *r, const char *name, struct mc_auth *a)
{
	struct buf data;

	signed_data(fx.sid, sizeof(fx.sid), name, &fx.otherblob, &data);
	assert_int_equal(
	    key_verify_call(r, fx.otherkey, &fx.otherblob, &data, a), 0);
	buf_clear(&data);
}

static void
shape_of(const char *name, struct shape *s)
{
	struct run r;
	struct mc_auth a;

	start(&r, 6);
	sign_sid(&r);
	s->methods = user(&r, name);
	assert_int_equal(mc_key_query(r.fd[1], "ssh-ed25519",
	                              buf_data(&fx.otherblob),
	                              buf_len(&fx.otherblob), &s->query_ok),
	                 0);
	verify_other(&r, name, &a);
	s->result = a.result;
	s->fail_methods = a.methods;
	a.methods = NULL;
	s->end = finish(&r);
	assert_true(r.res.user_set);
	assert_false(r.res.authenticated);
	end_run(&r);
}

static void
test_unknown_user_same_shape(void **state)
{
	struct shape known, unknown;

	(void)state;
	shape_of(fx.me, &known);
	shape_of("no-such-user-sesh-test", &unknown);
	assert_string_equal(known.methods, unknown.methods);
	assert_true(strlen(known.methods) > 0);
	assert_false(known.query_ok);
	assert_false(unknown.query_ok);
	assert_int_equal(known.result, MONITOR_AUTH_FAIL);
	assert_int_equal(unknown.result, MONITOR_AUTH_FAIL);
	assert_string_equal(known.fail_methods, unknown.fail_methods);
	assert_int_equal(known.end, SERVER_END_AUTH_FAIL);
	assert_int_equal(unknown.end, SERVER_END_INVALID_USER);
	free(known.methods);
	free(unknown.methods);
	free(known.fail_methods);
	free(unknown.fail_methods);
}

static void
test_pubkey_success(void **state)
{
	static const uint8_t blob[] = "engine state";
	struct run r;

	(void)state;
	start(&r, 6);
	pubkey_success(&r);
	assert_int_equal(mc_log(r.fd[1], LOG_LVL_DEBUG1, "before handover"), 0);
	assert_int_equal(mc_handover(r.fd[1], blob, sizeof(blob)), 0);
	assert_int_equal(finish(&r), SERVER_END_OK);
	assert_true(r.res.authenticated);
	assert_true(r.res.user_set);
	assert_true(r.res.user.valid);
	assert_string_equal(r.res.user.name, fx.me);
	assert_string_equal(r.res.method, "publickey");
	assert_true(r.res.have_keyopts);
	assert_non_null(r.res.keyopts.where);
	assert_int_equal(r.res.state_len, sizeof(blob));
	assert_memory_equal(r.res.state, blob, sizeof(blob));
	assert_int_equal(r.res.session_id_len, sizeof(fx.sid));
	assert_memory_equal(r.res.session_id, fx.sid, sizeof(fx.sid));
	end_run(&r);
}

/* The right key but the child closes before the handover. */
static void
test_no_handover(void **state)
{
	struct run r;

	(void)state;
	start(&r, 6);
	pubkey_success(&r);
	assert_int_equal(finish(&r), SERVER_END_ERROR);
	assert_true(r.res.authenticated);
	assert_null(r.res.state);
	end_run(&r);
}

static void
verify_refused(const uint8_t *sid, size_t sid_len, const char *name,
               const struct sshkey *k, const struct buf *blob)
{
	struct run r;
	struct mc_auth a;
	struct buf data;
	char *m;

	start(&r, 6);
	sign_sid(&r);
	m = user(&r, fx.me);
	free(m);
	signed_data(sid, sid_len, name, blob, &data);
	assert_int_not_equal(key_verify_call(&r, k, blob, &data, &a), 0);
	buf_clear(&data);
	assert_int_equal(finish(&r), SERVER_END_ERROR);
	assert_false(r.res.authenticated);
	end_run(&r);
}

static void
test_verify_bad_signed_data(void **state)
{
	uint8_t other[32];

	(void)state;
	memset(other, 0x33, sizeof(other));
	/* another session id: the monitor ends the connection */
	verify_refused(other, sizeof(other), fx.me, fx.userkey, &fx.userblob);
	/* a prefix of it */
	verify_refused(fx.sid, sizeof(fx.sid) - 1, fx.me, fx.userkey,
	               &fx.userblob);
	/* the right session id, another user than REQ_USER's */
	verify_refused(fx.sid, sizeof(fx.sid), "root-or-anyone", fx.userkey,
	               &fx.userblob);
}

/* A valid signature by a key that is not authorized: FAIL, not end. */
static void
test_verify_unauthorized_key(void **state)
{
	struct run r;
	struct mc_auth a;
	struct buf data;
	char *m;

	(void)state;
	start(&r, 6);
	sign_sid(&r);
	m = user(&r, fx.me);
	free(m);
	signed_data(fx.sid, sizeof(fx.sid), fx.me, &fx.otherblob, &data);
	assert_int_equal(
	    key_verify_call(&r, fx.otherkey, &fx.otherblob, &data, &a), 0);
	assert_int_equal(a.result, MONITOR_AUTH_FAIL);
	mc_auth_clear(&a);
	/* signed data naming another key than the request's: the
	 * monitor ends the connection */
	assert_int_not_equal(
	    key_verify_call(&r, fx.otherkey, &fx.userblob, &data, &a), 0);
	buf_clear(&data);
	assert_int_equal(finish(&r), SERVER_END_ERROR);
	end_run(&r);
}

static void
test_bad_signature_fails(void **state)
{
	struct run r;
	struct mc_auth a;
	struct buf data;
	char *m;

	(void)state;
	start(&r, 6);
	sign_sid(&r);
	m = user(&r, fx.me);
	free(m);
	/* the authorized key's blob, signed by another key */
	signed_data(fx.sid, sizeof(fx.sid), fx.me, &fx.userblob, &data);
	assert_int_equal(
	    key_verify_call(&r, fx.otherkey, &fx.userblob, &data, &a), 0);
	assert_int_equal(a.result, MONITOR_AUTH_FAIL);
	mc_auth_clear(&a);
	buf_clear(&data);
	assert_int_equal(finish(&r), SERVER_END_AUTH_FAIL);
	assert_false(r.res.authenticated);
	end_run(&r);
}

static void
test_max_tries(void **state)
{
	struct run r;
	struct mc_auth a;
	struct mc_kbdint k;
	char *m;
	int i;

	(void)state;
	start(&r, 3);
	sign_sid(&r);
	m = user(&r, fx.me);
	free(m);
	/* keyboard-interactive without PAM: a failure */
	assert_int_equal(mc_kbdint_start(r.fd[1], "", &k), 0);
	assert_false(k.is_prompts);
	assert_int_equal(k.auth.result, MONITOR_AUTH_FAIL);
	mc_kbdint_clear(&k);
	/* a wrong password (PAM, or the shadow file) */
	assert_int_equal(mc_password(r.fd[1], "wrong", NULL, &a), 0);
	assert_int_equal(a.result, MONITOR_AUTH_FAIL);
	mc_auth_clear(&a);
	verify_other(&r, fx.me, &a);
	assert_int_equal(a.result, MONITOR_AUTH_FAIL);
	mc_auth_clear(&a);
	/* the fourth attempt is refused: the monitor ends */
	assert_int_not_equal(mc_password(r.fd[1], "wrong", NULL, &a), 0);
	assert_int_equal(finish(&r), SERVER_END_AUTH_FAIL);
	assert_int_equal(r.res.failures, 3);
	end_run(&r);

	/* the child disconnects at the limit itself: the same end */
	start(&r, 2);
	sign_sid(&r);
	m = user(&r, "no-such-user-sesh-test");
	free(m);
	for (i = 0; i < 2; i++) {
		verify_other(&r, "no-such-user-sesh-test", &a);
		assert_int_equal(a.result, MONITOR_AUTH_FAIL);
		mc_auth_clear(&a);
	}
	assert_int_equal(finish(&r), SERVER_END_AUTH_FAIL);
	end_run(&r);
}

/* Fails publickey attempts until the monitor refuses one; how many
 * failed (each answered). */
static unsigned
fail_until_refused(struct run *r, const char *name)
{
	struct mc_auth a;
	unsigned n = 0;
	struct buf data;
	int ret;

	for (;;) {
		signed_data(fx.sid, sizeof(fx.sid), name, &fx.otherblob, &data);
		ret = key_verify_call(r, fx.otherkey, &fx.otherblob, &data, &a);
		buf_clear(&data);
		if (ret != 0) {
			return n;
		}
		assert_int_equal(a.result, MONITOR_AUTH_FAIL);
		mc_auth_clear(&a);
		n++;
		assert_true(n <= MONITOR_HARD_MAX_TRIES);
	}
}

/* One login of user against MaxAuthTries global plus the config tail:
 * the answer to REQ_USER carries want and the monitor refuses after
 * want failures. Returns the failures the monitor logged. */
static int
tries_run(int global, const char *tail, const char *user, int want)
{
	struct run r;
	unsigned n = 0;
	char *m;
	int failures;

	start_conf(&r, global, 0, tail);
	sign_sid(&r);
	m = user_tries(&r, user, &n);
	free(m);
	assert_int_equal(n, want);
	assert_int_equal(fail_until_refused(&r, user), want);
	assert_int_equal(finish(&r), SERVER_END_AUTH_FAIL);
	failures = r.res.failures;
	end_run(&r);
	return failures;
}

/* MaxAuthTries in a Match block: the answer to REQ_USER carries it and
 * the monitor counts to it. */
static void
test_match_max_tries(void **state)
{
	static const char *const nobody = "no-such-user-sesh-test";
	struct run r;
	char tail[512];
	unsigned n = 0;
	char *m;

	(void)state;
	snprintf(tail, sizeof(tail), "Match User %s\n\tMaxAuthTries 2\n",
	         fx.me);
	/* lowered for this user: 6 -> 2 */
	assert_int_equal(tries_run(6, tail, fx.me, 2), 2);
	/* another user (an unknown one, not named by the block) keeps 6 */
	(void)tries_run(6, tail, nobody, 6);
	/* a block that matches any name applies to an unknown user as to a
	 * known one (as sshd): the count cannot tell them apart */
	snprintf(tail, sizeof(tail), "Match User *\n\tMaxAuthTries 3\n");
	(void)tries_run(6, tail, nobody, 3);
	(void)tries_run(6, tail, fx.me, 3);
	/* raised for this user: 2 -> 5 */
	snprintf(tail, sizeof(tail), "Match User %s\n\tMaxAuthTries 5\n",
	         fx.me);
	assert_int_equal(tries_run(2, tail, fx.me, 5), 5);
	/* over the hard cap: capped, as the global value is */
	snprintf(tail, sizeof(tail), "Match User %s\n\tMaxAuthTries 100\n",
	         fx.me);
	start_conf(&r, 2, 0, tail);
	sign_sid(&r);
	m = user_tries(&r, fx.me, &n);
	free(m);
	assert_int_equal(n, MONITOR_HARD_MAX_TRIES);
	assert_int_equal(finish(&r), SERVER_END_NO_AUTH);
	end_run(&r);
}

static void
test_handover_before_success(void **state)
{
	static const uint8_t blob[] = "state";
	struct run r;
	char *m;

	(void)state;
	start(&r, 6);
	sign_sid(&r);
	m = user(&r, fx.me);
	free(m);
	assert_int_not_equal(mc_handover(r.fd[1], blob, sizeof(blob)), 0);
	assert_int_equal(finish(&r), SERVER_END_ERROR);
	assert_false(r.res.authenticated);
	assert_null(r.res.state);
	end_run(&r);
}

static void
test_sign_after_auth(void **state)
{
	struct run r;
	struct buf sig;
	bool ok = true;

	(void)state;
	start(&r, 6);
	pubkey_success(&r);
	buf_init(&sig, 0);
	assert_int_not_equal(
	    mc_sign(r.fd[1], "ssh-ed25519", buf_data(&fx.hostblob),
	            buf_len(&fx.hostblob), fx.sid, sizeof(fx.sid), &ok, &sig),
	    0);
	assert_false(ok);
	buf_clear(&sig);
	assert_int_equal(finish(&r), SERVER_END_ERROR);
	assert_null(r.res.state);
	end_run(&r);
}

static void
test_auth_before_user(void **state)
{
	struct run r;
	struct mc_auth a;

	(void)state;
	start(&r, 6);
	sign_sid(&r);
	assert_int_not_equal(mc_password(r.fd[1], "x", NULL, &a), 0);
	assert_int_equal(finish(&r), SERVER_END_ERROR);
	assert_false(r.res.user_set);
	end_run(&r);
}

static void
garbage(const uint8_t *p, size_t n, int want)
{
	struct run r;

	start(&r, 6);
	assert_int_equal(write(r.fd[1], p, n), (ssize_t)n);
	assert_int_equal(finish(&r), want);
	assert_false(r.res.authenticated);
	end_run(&r);
}

static void
test_garbage(void **state)
{
	static const uint8_t unknown[] = {0, 0, 0, 5, 0xff, 'a', 'b', 'c', 'd'};
	static const uint8_t answer[] = {0, 0, 0, 1, MONITOR_ANS_HANDOVER};
	static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 1};
	static const uint8_t zero[] = {0, 0, 0, 0};
	static const uint8_t cut[] = {0, 0, 0, 40, MONITOR_REQ_USER, 0, 0};
	static const uint8_t trailing[] = {0, 0, 0, 3, MONITOR_REQ_AUTH_NONE,
	                                   1, 2};

	(void)state;
	garbage(unknown, sizeof(unknown), SERVER_END_ERROR);
	garbage(answer, sizeof(answer), SERVER_END_ERROR);
	garbage(huge, sizeof(huge), SERVER_END_ERROR);
	garbage(zero, sizeof(zero), SERVER_END_ERROR);
	garbage(cut, sizeof(cut), SERVER_END_ERROR);
	garbage(trailing, sizeof(trailing), SERVER_END_ERROR);
	/* nothing at all: closed before any request */
	garbage(zero, 0, SERVER_END_NO_AUTH);
}

static void
test_deadline(void **state)
{
	struct run r;

	(void)state;
	/* passed already: no request is read */
	start_deadline(&r, 6, 1);
	assert_int_equal(pthread_join(r.th, NULL), 0);
	close(r.fd[1]);
	close(r.fd[0]);
	assert_int_equal(r.end, SERVER_END_GRACE);
	end_run(&r);
	/* a short one while the child says nothing */
	start_deadline(&r, 6, monitor_now_ms() + 50);
	assert_int_equal(pthread_join(r.th, NULL), 0);
	close(r.fd[1]);
	close(r.fd[0]);
	assert_int_equal(r.end, SERVER_END_GRACE);
	end_run(&r);
}

static void
test_log(void **state)
{
	char path[] = "/tmp/test_monitor_serve_log_XXXXXX";
	struct run r;
	size_t n;
	char *text;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(log_to_file(path), 0);
	log_set_level(LOG_LVL_INFO);
	start(&r, 6);
	assert_int_equal(mc_log(r.fd[1], LOG_LVL_INFO, "hello %s %n"), 0);
	assert_int_equal(mc_log(r.fd[1], LOG_LVL_FATAL, "as error"), 0);
	sign_sid(&r);
	free(user(&r, "no-such-user-sesh-test"));
	assert_int_equal(finish(&r), SERVER_END_INVALID_USER);
	end_run(&r);
	log_to_stderr();
	text = test_read_file(path, &n);
	assert_non_null(strstr(text, "hello %s %n [preauth]"));
	assert_non_null(strstr(text, "as error [preauth]"));
	assert_non_null(strstr(text, "Invalid user no-such-user-sesh-test "
	                             "from 127.0.0.1 port 4242"));
	free(text);
	unlink(path);
}

/* ---- the signed-data check ---- */

static int
pk_check(const struct buf *d)
{
	struct monitor_str data = {buf_data(d), buf_len(d)};
	struct monitor_str sid = {fx.sid, sizeof(fx.sid)};

	return monitor_pk_data_check(
	    data, sid, fx.me, SERVICE, monitor_str_of("ssh-ed25519"),
	    (struct monitor_str){buf_data(&fx.userblob),
	                         buf_len(&fx.userblob)});
}

static void
test_pk_data_check(void **state)
{
	struct buf d, t;
	size_t i;
	int bit;

	(void)state;
	signed_data(fx.sid, sizeof(fx.sid), fx.me, &fx.userblob, &d);
	assert_int_equal(pk_check(&d), 0);
	buf_init(&t, 0);
	/* every truncation is refused */
	for (i = 0; i < buf_len(&d); i++) {
		buf_reset(&t);
		assert_int_equal(buf_put(&t, buf_data(&d), i), 0);
		assert_int_not_equal(pk_check(&t), 0);
	}
	/* trailing data too */
	buf_reset(&t);
	assert_int_equal(buf_put(&t, buf_data(&d), buf_len(&d)), 0);
	assert_int_equal(buf_put_u8(&t, 0), 0);
	assert_int_equal(pk_check(&t), SESH_ERR_TRAILING_DATA);
	/* every single bit flip is refused */
	for (i = 0; i < buf_len(&d); i++) {
		for (bit = 0; bit < 8; bit++) {
			buf_reset(&t);
			assert_int_equal(buf_put(&t, buf_data(&d), buf_len(&d)),
			                 0);
			((uint8_t *)buf_data(&t))[i] ^= (uint8_t)(1u << bit);
			assert_int_not_equal(pk_check(&t), 0);
		}
	}
	buf_clear(&t);
	buf_clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pk_data_check),
	    cmocka_unit_test(test_sign),
	    cmocka_unit_test(test_unknown_user_same_shape),
	    cmocka_unit_test(test_pubkey_success),
	    cmocka_unit_test(test_no_handover),
	    cmocka_unit_test(test_verify_bad_signed_data),
	    cmocka_unit_test(test_verify_unauthorized_key),
	    cmocka_unit_test(test_bad_signature_fails),
	    cmocka_unit_test(test_max_tries),
	    cmocka_unit_test(test_match_max_tries),
	    cmocka_unit_test(test_handover_before_success),
	    cmocka_unit_test(test_sign_after_auth),
	    cmocka_unit_test(test_auth_before_user),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_deadline),
	    cmocka_unit_test(test_log),
	};

	log_init("test_monitor_serve", LOG_LVL_INFO);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
