/*
 * test_userauth.c - ssh/userauth: both roles of RFC 4252 user
 * authentication as in-memory client/server pairs.
 *
 * Pairs: none, publickey query + signature with real keys (ed25519,
 * ecdsa-p256, RSA with rsa-sha2-256 and -512; the server side also checks
 * with key_verify directly), password right and wrong, the password change
 * request, keyboard-interactive with two prompts, partial success
 * (publickey then password), MaxAuthTries, requests after SUCCESS.
 * Refusals: wrong service (SERVICE_REQUEST and USERAUTH_REQUEST), a change
 * of user or service, every message type in every state of both roles
 * against the allow-lists of userauth.h, messages >= 80 before SUCCESS,
 * a PK_OK for another key, a wrong INFO_RESPONSE count, answer calls in
 * the wrong state. Sweeps: every prefix of every message either side
 * parses is an error; bit flips never crash, errors stick, and a flipped
 * signed request never verifies over other data. Known answers: the
 * signed data bytes laid out by hand from RFC 4252 §7; sig-alg choice;
 * banner sanitizing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/msg.h"
#include "ssh/userauth.h"

static struct sshkey *k_ed, *k_ec, *k_rsa;

static const uint8_t sid[32] = {
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
    0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
    0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
};

#define ALL_METHODS "publickey,password,keyboard-interactive"

static int
group_setup(void **state)
{
	(void)state;
	if (key_generate(KEY_ED25519, 0, &k_ed) != 0 ||
	    key_generate(KEY_ECDSA_P256, 256, &k_ec) != 0 ||
	    key_generate(KEY_RSA, 2048, &k_rsa) != 0) {
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	key_free(k_ed);
	key_free(k_ec);
	key_free(k_rsa);
	return 0;
}

/* ---- the pair ---- */

struct pair {
	struct ua_client *c;
	struct ua_server *s;
	struct buf cout; /* client -> server */
	struct buf sout; /* server -> client */
	const struct ua_client_event *cev;
	const struct ua_server_event *sev;
};

static void
pair_init(struct pair *p, const char *methods, unsigned max_tries)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(ua_client_new("alice", sid, sizeof(sid), &p->c), 0);
	assert_int_equal(
	    ua_server_new(sid, sizeof(sid), methods, max_tries, &p->s), 0);
	buf_init(&p->cout, 0);
	buf_init(&p->sout, 0);
}

static void
pair_free(struct pair *p)
{
	ua_client_free(p->c);
	ua_server_free(p->s);
	buf_clear(&p->cout);
	buf_clear(&p->sout);
}

/* Client's last payload to the server; returns the server's result. */
static int
c2s(struct pair *p)
{
	assert_true(buf_len(&p->cout) > 0);
	return ua_server_input(p->s, buf_data(&p->cout), buf_len(&p->cout),
	                       &p->sev, &p->sout);
}

static int
s2c(struct pair *p)
{
	assert_true(buf_len(&p->sout) > 0);
	return ua_client_input(p->c, buf_data(&p->sout), buf_len(&p->sout),
	                       &p->cev);
}

/* Service request/accept: both sides READY. */
static void
pair_service(struct pair *p)
{
	assert_int_equal(ua_client_start(p->c, &p->cout), 0);
	assert_int_equal(c2s(p), 0);
	assert_null(p->sev);
	assert_int_equal(s2c(p), 0);
	assert_non_null(p->cev);
	assert_int_equal(p->cev->type, UA_CEV_SERVICE_ACCEPT);
}

static void
expect_failure(struct pair *p, const char *methods, bool partial)
{
	assert_int_equal(s2c(p), 0);
	assert_non_null(p->cev);
	assert_int_equal(p->cev->type, UA_CEV_FAILURE);
	assert_string_equal(p->cev->methods, methods);
	assert_int_equal(p->cev->partial, partial);
}

static void
expect_success(struct pair *p)
{
	assert_int_equal(s2c(p), 0);
	assert_non_null(p->cev);
	assert_int_equal(p->cev->type, UA_CEV_SUCCESS);
	assert_true(ua_client_done(p->c));
	assert_true(ua_server_done(p->s));
}

/* ---- known answers ---- */

static void
put32(uint8_t *p, size_t *off, uint32_t v)
{
	p[(*off)++] = (uint8_t)(v >> 24);
	p[(*off)++] = (uint8_t)(v >> 16);
	p[(*off)++] = (uint8_t)(v >> 8);
	p[(*off)++] = (uint8_t)v;
}

static void
putstr(uint8_t *p, size_t *off, const void *s, size_t n)
{
	put32(p, off, (uint32_t)n);
	memcpy(p + *off, s, n);
	*off += n;
}

static void
test_signed_data_kat(void **state)
{
	static const uint8_t blob[] = {0, 0, 0, 3, 'a', 'b', 'c', 9, 8, 7};
	uint8_t want[256];
	size_t n = 0;
	struct buf b;

	(void)state;
	/* RFC 4252 §7, field by field */
	putstr(want, &n, sid, sizeof(sid));
	want[n++] = 50;
	putstr(want, &n, "alice", 5);
	putstr(want, &n, "ssh-connection", 14);
	putstr(want, &n, "publickey", 9);
	want[n++] = 1;
	putstr(want, &n, "ssh-ed25519", 11);
	putstr(want, &n, blob, sizeof(blob));
	assert_int_equal(n, 4 + 32 + 1 + 9 + 18 + 13 + 1 + 15 + 14);

	buf_init(&b, 0);
	assert_int_equal(ua_publickey_signed_data(
	                     sid, sizeof(sid), "alice", "ssh-connection",
	                     "ssh-ed25519", blob, sizeof(blob), &b),
	                 0);
	assert_int_equal(buf_len(&b), n);
	assert_memory_equal(buf_data(&b), want, n);
	/* missing inputs */
	assert_int_equal(
	    ua_publickey_signed_data(NULL, 0, "alice", "ssh-connection",
	                             "ssh-ed25519", blob, sizeof(blob), &b),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&b), 0);
	buf_clear(&b);
}

static void
test_pick_sig_alg(void **state)
{
	const char *alg;

	(void)state;
	assert_int_equal(ua_pick_sig_alg(k_ed, NULL, 0, &alg), 0);
	assert_string_equal(alg, "ssh-ed25519");
	assert_int_equal(ua_pick_sig_alg(k_ec, (const uint8_t *)"x", 1, &alg),
	                 0);
	assert_string_equal(alg, "ecdsa-sha2-nistp256");
	/* no server-sig-algs: rsa-sha2-512, never ssh-rsa */
	assert_int_equal(ua_pick_sig_alg(k_rsa, NULL, 0, &alg), 0);
	assert_string_equal(alg, "rsa-sha2-512");
#define SSA(s) (const uint8_t *)(s), strlen(s)
	assert_int_equal(
	    ua_pick_sig_alg(k_rsa, SSA("ssh-ed25519,rsa-sha2-256"), &alg), 0);
	assert_string_equal(alg, "rsa-sha2-256");
	assert_int_equal(
	    ua_pick_sig_alg(k_rsa, SSA("rsa-sha2-256,rsa-sha2-512"), &alg), 0);
	assert_string_equal(alg, "rsa-sha2-512");
	assert_int_equal(
	    ua_pick_sig_alg(k_rsa, SSA("ssh-rsa,ssh-ed25519"), &alg),
	    SESH_ERR_UNSUPPORTED);
	assert_null(alg);
	assert_int_equal(ua_pick_sig_alg(k_rsa, SSA(""), &alg),
	                 SESH_ERR_UNSUPPORTED);
#undef SSA
	assert_int_equal(ua_pick_sig_alg(NULL, NULL, 0, &alg),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_sanitize_banner(void **state)
{
	static const char text[] = "\x1b[31mred\r\n\ttab\x07 \x7f \xc2\x9b"
	                           "2J caf\xc3\xa9\r";
	struct pair p;

	(void)state;
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	assert_int_equal(ua_server_banner(p.s, text, &p.sout), 0);
	assert_int_equal(s2c(&p), 0);
	assert_non_null(p.cev);
	assert_int_equal(p.cev->type, UA_CEV_BANNER);
	assert_string_equal(p.cev->text, "?[31mred\n\ttab? ? ?2J caf\xc3\xa9?");
	pair_free(&p);
}

/* ---- pairs ---- */

static void
test_none(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	assert_int_equal(ua_client_try_none(p.c, &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_non_null(p.sev);
	assert_int_equal(p.sev->type, UA_SEV_AUTH_NONE);
	assert_string_equal(p.sev->user, "alice");
	assert_string_equal(p.sev->service, "ssh-connection");
	assert_string_equal(ua_server_user(p.s), "alice");
	assert_int_equal(ua_server_reject(p.s, false, &p.sout), 0);
	expect_failure(&p, ALL_METHODS, false);
	/* a first "none" is not a failure (OpenSSH) */
	assert_int_equal(ua_server_failures(p.s), 0);
	/* a second one is */
	assert_int_equal(ua_client_try_none(p.c, &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_reject(p.s, false, &p.sout), 0);
	expect_failure(&p, ALL_METHODS, false);
	assert_int_equal(ua_server_failures(p.s), 1);
	/* and a server may accept none */
	assert_int_equal(ua_client_try_none(p.c, &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_accept(p.s, &p.sout), 0);
	expect_success(&p);
	pair_free(&p);
}

/* Runs query, PK_OK, signature and verification; leaves the server in
 * DECIDE on the signed request. */
static void
do_publickey(struct pair *p, const struct sshkey *k, const char *alg)
{
	struct buf blob, data, sig, want;

	buf_init(&blob, 0);
	buf_init(&want, 0);
	buf_init(&data, 0);
	buf_init(&sig, 0);
	assert_int_equal(key_to_blob(k, &blob), 0);

	assert_int_equal(ua_client_try_publickey_query(p->c, k, alg, &p->cout),
	                 0);
	assert_int_equal(c2s(p), 0);
	assert_non_null(p->sev);
	assert_int_equal(p->sev->type, UA_SEV_AUTH_PUBKEY_QUERY);
	assert_string_equal(p->sev->alg, alg);
	assert_int_equal(p->sev->blob_len, buf_len(&blob));
	assert_memory_equal(p->sev->blob, buf_data(&blob), buf_len(&blob));
	assert_true(key_equal_public(p->sev->key, k));
	/* a query is never a login */
	assert_int_equal(ua_server_accept(p->s, &p->sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_pk_ok(p->s, &p->sout), 0);
	assert_int_equal(s2c(p), 0);
	assert_non_null(p->cev);
	assert_int_equal(p->cev->type, UA_CEV_PK_OK);

	assert_int_equal(ua_client_signed_data(p->c, &data), 0);
	assert_int_equal(ua_publickey_signed_data(
	                     sid, sizeof(sid), "alice", "ssh-connection", alg,
	                     buf_data(&blob), buf_len(&blob), &want),
	                 0);
	assert_int_equal(buf_len(&want), buf_len(&data));
	assert_memory_equal(buf_data(&want), buf_data(&data), buf_len(&data));
	assert_int_equal(
	    key_sign(k, alg, buf_data(&data), buf_len(&data), &sig), 0);
	assert_int_equal(ua_client_send_publickey_signed(
	                     p->c, buf_data(&sig), buf_len(&sig), &p->cout),
	                 0);
	assert_int_equal(c2s(p), 0);
	assert_non_null(p->sev);
	assert_int_equal(p->sev->type, UA_SEV_AUTH_PUBKEY_SIGNED);
	assert_string_equal(p->sev->alg, alg);
	assert_int_equal(p->sev->signed_data_len, buf_len(&data));
	assert_memory_equal(p->sev->signed_data, buf_data(&data),
	                    buf_len(&data));
	assert_int_equal(p->sev->sig_len, buf_len(&sig));
	/* the application's own check */
	assert_int_equal(key_verify(p->sev->key, p->sev->alg, false,
	                            p->sev->sig, p->sev->sig_len,
	                            p->sev->signed_data,
	                            p->sev->signed_data_len),
	                 0);
	/* accept needs ua_server_verify first */
	assert_int_equal(ua_server_accept(p->s, &p->sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&p->sout), 0);
	assert_int_equal(ua_server_verify(p->s), 0);
	buf_clear(&blob);
	buf_clear(&want);
	buf_clear(&data);
	buf_clear(&sig);
}

static void
publickey_pair(const struct sshkey *k, const char *alg)
{
	struct pair p;

	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	do_publickey(&p, k, alg);
	assert_int_equal(ua_server_accept(p.s, &p.sout), 0);
	expect_success(&p);
	pair_free(&p);
}

static void
test_publickey_ed25519(void **state)
{
	(void)state;
	publickey_pair(k_ed, "ssh-ed25519");
}

static void
test_publickey_ecdsa(void **state)
{
	(void)state;
	publickey_pair(k_ec, "ecdsa-sha2-nistp256");
}

static void
test_publickey_rsa(void **state)
{
	(void)state;
	publickey_pair(k_rsa, "rsa-sha2-256");
	publickey_pair(k_rsa, "rsa-sha2-512");
}

static void
test_publickey_bad(void **state)
{
	struct pair p;
	struct buf data, sig;

	(void)state;
	buf_init(&data, 0);
	buf_init(&sig, 0);
	/* the client refuses algs that do not suit the key (and SHA-1) */
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	assert_int_equal(
	    ua_client_try_publickey_query(p.c, k_rsa, "ssh-rsa", &p.cout),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(
	    ua_client_try_publickey_query(p.c, k_ed, "rsa-sha2-256", &p.cout),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&p.cout), 0);

	/* a signature by another key does not verify */
	assert_int_equal(ua_client_publickey_prepare(p.c, k_ed, "ssh-ed25519"),
	                 0);
	assert_int_equal(ua_client_signed_data(p.c, &data), 0);
	assert_int_equal(
	    key_sign(k_ec, NULL, buf_data(&data), buf_len(&data), &sig), 0);
	assert_int_equal(ua_client_send_publickey_signed(
	                     p.c, buf_data(&sig), buf_len(&sig), &p.cout),
	                 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(p.sev->type, UA_SEV_AUTH_PUBKEY_SIGNED);
	assert_int_not_equal(ua_server_verify(p.s), 0);
	assert_int_equal(ua_server_accept(p.s, &p.sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_reject(p.s, false, &p.sout), 0);
	expect_failure(&p, ALL_METHODS, false);

	/* a corrupted signature by the right key does not either */
	buf_reset(&sig);
	assert_int_equal(ua_client_publickey_prepare(p.c, k_ed, "ssh-ed25519"),
	                 0);
	assert_int_equal(ua_client_signed_data(p.c, &data), 0);
	assert_int_equal(
	    key_sign(k_ed, NULL, buf_data(&data), buf_len(&data), &sig), 0);
	buf_truncate(&sig, buf_len(&sig) - 1);
	assert_int_equal(buf_put_u8(&sig, 0x5a), 0);
	assert_int_equal(ua_client_send_publickey_signed(
	                     p.c, buf_data(&sig), buf_len(&sig), &p.cout),
	                 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_verify(p.s), SESH_ERR_BAD_SIGNATURE);
	assert_int_equal(ua_server_reject(p.s, false, &p.sout), 0);
	expect_failure(&p, ALL_METHODS, false);
	assert_int_equal(ua_server_failures(p.s), 2);

	/* a key that cannot sign after all (passphrase refused) is
	 * abandoned: nothing is sent, and the client may go on */
	assert_int_equal(ua_client_publickey_abandon(p.c),
	                 SESH_ERR_INVALID_ARGUMENT);
	buf_reset(&p.cout);
	assert_int_equal(ua_client_publickey_prepare(p.c, k_ed, "ssh-ed25519"),
	                 0);
	assert_int_equal(ua_client_publickey_abandon(p.c), 0);
	assert_int_equal(buf_len(&p.cout), 0);
	assert_int_equal(ua_client_signed_data(p.c, &data),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_client_try_none(p.c, &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(p.sev->type, UA_SEV_AUTH_NONE);
	pair_free(&p);
	buf_clear(&data);
	buf_clear(&sig);
}

/* A server refuses at once a key blob it cannot parse, an algorithm
 * that does not suit the key and "ssh-rsa"; counted as failures. */
static void
test_publickey_auto_reject(void **state)
{
	struct pair p;
	struct buf blob;
	static const char *const algs[] = {"ssh-rsa", "ssh-ed25519",
	                                   "rsa-sha2-256"};
	const struct sshkey *keys[] = {k_rsa, k_rsa, k_ed};
	size_t i;

	(void)state;
	buf_init(&blob, 0);
	pair_init(&p, ALL_METHODS, 10);
	pair_service(&p);
	for (i = 0; i < 3; i++) {
		buf_reset(&blob);
		assert_int_equal(key_to_blob(keys[i], &blob), 0);
		buf_reset(&p.cout);
		assert_int_equal(buf_put_u8(&p.cout, 50), 0);
		assert_int_equal(buf_put_cstring(&p.cout, "alice"), 0);
		assert_int_equal(buf_put_cstring(&p.cout, "ssh-connection"), 0);
		assert_int_equal(buf_put_cstring(&p.cout, "publickey"), 0);
		assert_int_equal(buf_put_bool(&p.cout, false), 0);
		assert_int_equal(buf_put_cstring(&p.cout, algs[i]), 0);
		if (i == 2) {
			/* and a broken blob */
			assert_int_equal(
			    buf_put_string(&p.cout, buf_data(&blob), 20), 0);
		} else {
			assert_int_equal(buf_put_string(&p.cout,
			                                buf_data(&blob),
			                                buf_len(&blob)),
			                 0);
		}
		assert_int_equal(c2s(&p), 0);
		assert_null(p.sev);
		assert_int_equal(buf_data(&p.sout)[0],
		                 SSH2_MSG_USERAUTH_FAILURE);
	}
	assert_int_equal(ua_server_failures(p.s), 3);
	pair_free(&p);
	buf_clear(&blob);
}

static void
test_password(void **state)
{
	struct pair p;
	int i;

	(void)state;
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	for (i = 0; i < 2; i++) {
		const char *pw = i == 0 ? "wrong" : "hunter2";

		assert_int_equal(ua_client_try_password(p.c, pw, &p.cout), 0);
		assert_true(p.cout.secret);
		assert_int_equal(c2s(&p), 0);
		assert_non_null(p.sev);
		assert_int_equal(p.sev->type, UA_SEV_AUTH_PASSWORD);
		assert_null(p.sev->new_password);
		if (strcmp(p.sev->password, "hunter2") == 0) {
			assert_int_equal(ua_server_accept(p.s, &p.sout), 0);
		} else {
			assert_int_equal(ua_server_reject(p.s, false, &p.sout),
			                 0);
		}
		if (i == 0) {
			expect_failure(&p, ALL_METHODS, false);
			assert_int_equal(ua_server_failures(p.s), 1);
		}
	}
	expect_success(&p);
	pair_free(&p);
}

static void
test_password_change(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	/* no change before the server asked */
	assert_int_equal(
	    ua_client_try_password_change(p.c, "old", "new", &p.cout),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_client_try_password(p.c, "old", &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(
	    ua_server_passwd_changereq(p.s, "Password expired\x1b", &p.sout),
	    0);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(p.cev->type, UA_CEV_PASSWD_CHANGEREQ);
	assert_string_equal(p.cev->text, "Password expired?");
	assert_int_equal(
	    ua_client_try_password_change(p.c, "old", "new", &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(p.sev->type, UA_SEV_AUTH_PASSWORD);
	assert_string_equal(p.sev->password, "old");
	assert_string_equal(p.sev->new_password, "new");
	assert_int_equal(ua_server_accept(p.s, &p.sout), 0);
	expect_success(&p);
	assert_int_equal(ua_server_failures(p.s), 0);
	pair_free(&p);
}

static void
test_kbdint(void **state)
{
	static const char *const prompts[] = {"Password: ", "Code: "};
	static const bool echo[] = {false, true};
	static const char *const answers[] = {"pw", "123456"};
	struct pair p;

	(void)state;
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	assert_int_equal(ua_client_try_kbdint(p.c, "pam", &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(p.sev->type, UA_SEV_AUTH_KBDINT);
	assert_string_equal(p.sev->submethods, "pam");
	assert_int_equal(ua_server_kbdint_info_request(
	                     p.s, "Login", "Answer", prompts, echo, 2, &p.sout),
	                 0);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(p.cev->type, UA_CEV_INFO_REQUEST);
	assert_string_equal(p.cev->name, "Login");
	assert_string_equal(p.cev->instruction, "Answer");
	assert_int_equal(p.cev->nprompts, 2);
	assert_string_equal(p.cev->prompts[0].text, "Password: ");
	assert_false(p.cev->prompts[0].echo);
	assert_string_equal(p.cev->prompts[1].text, "Code: ");
	assert_true(p.cev->prompts[1].echo);
	/* the count must match */
	assert_int_equal(ua_client_kbdint_respond(p.c, answers, 1, &p.cout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_client_kbdint_respond(p.c, answers, 2, &p.cout), 0);
	assert_true(p.cout.secret);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(p.sev->type, UA_SEV_KBDINT_RESPONSE);
	assert_int_equal(p.sev->nanswers, 2);
	assert_string_equal(p.sev->answers[0], "pw");
	assert_string_equal(p.sev->answers[1], "123456");
	/* a last round with no prompts, as OpenSSH's PAM does */
	assert_int_equal(
	    ua_server_kbdint_info_request(p.s, "", "", NULL, NULL, 0, &p.sout),
	    0);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(p.cev->type, UA_CEV_INFO_REQUEST);
	assert_int_equal(p.cev->nprompts, 0);
	assert_int_equal(ua_client_kbdint_respond(p.c, NULL, 0, &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(p.sev->type, UA_SEV_KBDINT_RESPONSE);
	assert_int_equal(p.sev->nanswers, 0);
	assert_int_equal(ua_server_accept(p.s, &p.sout), 0);
	expect_success(&p);
	pair_free(&p);
}

static void
test_kbdint_wrong_count(void **state)
{
	static const char *const prompts[] = {"a", "b"};
	static const bool echo[] = {false, false};
	struct pair p;

	(void)state;
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	assert_int_equal(ua_client_try_kbdint(p.c, NULL, &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_kbdint_info_request(p.s, NULL, NULL, prompts,
	                                               echo, 2, &p.sout),
	                 0);
	buf_reset(&p.cout);
	assert_int_equal(buf_put_u8(&p.cout, 61), 0);
	assert_int_equal(buf_put_u32(&p.cout, 1), 0);
	assert_int_equal(buf_put_cstring(&p.cout, "x"), 0);
	assert_int_equal(c2s(&p), SESH_ERR_PROTOCOL);
	assert_int_equal(c2s(&p), SESH_ERR_PROTOCOL); /* sticks */
	pair_free(&p);
}

static void
test_partial_success(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, "publickey,password", 0);
	pair_service(&p);
	do_publickey(&p, k_ed, "ssh-ed25519");
	assert_int_equal(ua_server_set_methods(p.s, "password"), 0);
	assert_int_equal(ua_server_reject(p.s, true, &p.sout), 0);
	expect_failure(&p, "password", true);
	assert_int_equal(ua_server_failures(p.s), 0);
	assert_int_equal(ua_client_try_password(p.c, "pw", &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(p.sev->type, UA_SEV_AUTH_PASSWORD);
	assert_int_equal(ua_server_accept(p.s, &p.sout), 0);
	expect_success(&p);
	pair_free(&p);
}

/* A method not offered is refused without asking the application. */
static void
test_method_not_offered(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p, "publickey", 0);
	pair_service(&p);
	assert_int_equal(ua_client_try_password(p.c, "pw", &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_null(p.sev);
	expect_failure(&p, "publickey", false);
	assert_int_equal(ua_client_try_kbdint(p.c, NULL, &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_null(p.sev);
	expect_failure(&p, "publickey", false);
	assert_int_equal(ua_server_failures(p.s), 2);
	pair_free(&p);
}

static void
test_max_tries(void **state)
{
	struct pair p;
	int i;

	(void)state;
	pair_init(&p, ALL_METHODS, 3);
	pair_service(&p);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ua_client_try_password(p.c, "x", &p.cout), 0);
		assert_int_equal(c2s(&p), 0);
		if (i < 2) {
			assert_int_equal(ua_server_reject(p.s, false, &p.sout),
			                 0);
			expect_failure(&p, ALL_METHODS, false);
		}
	}
	assert_int_equal(ua_server_reject(p.s, false, &p.sout),
	                 SESH_ERR_AUTH_TOO_MANY);
	assert_int_equal(buf_len(&p.sout), 0);
	assert_int_equal(sesh_err_disconnect_reason(SESH_ERR_AUTH_TOO_MANY),
	                 SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE);
	assert_string_equal(sesh_err_str(SESH_ERR_AUTH_TOO_MANY),
	                    "Too many authentication failures");
	/* sticky */
	assert_int_equal(c2s(&p), SESH_ERR_AUTH_TOO_MANY);
	assert_int_equal(ua_server_banner(p.s, "x", &p.sout),
	                 SESH_ERR_AUTH_TOO_MANY);
	pair_free(&p);
}

/* One wrong password; the server's answer to it. */
static int
fail_once(struct pair *p)
{
	assert_int_equal(ua_client_try_password(p->c, "x", &p->cout), 0);
	assert_int_equal(c2s(p), 0);
	assert_non_null(p->sev);
	return ua_server_reject(p->s, false, &p->sout);
}

/* A Match block's MaxAuthTries, applied once the user is known. */
static void
test_set_max_tries(void **state)
{
	struct pair p;
	struct buf st;
	struct rd r;
	struct ua_server *imported = NULL;
	int i;

	(void)state;
	/* raised: 2 -> 4, after one failure */
	pair_init(&p, ALL_METHODS, 2);
	pair_service(&p);
	assert_int_equal(ua_server_max_tries(p.s), 2);
	assert_int_equal(fail_once(&p), 0);
	expect_failure(&p, ALL_METHODS, false);
	assert_int_equal(ua_server_set_max_tries(p.s, 4), 0);
	assert_int_equal(ua_server_max_tries(p.s), 4);
	for (i = 0; i < 2; i++) {
		assert_int_equal(fail_once(&p), 0);
		expect_failure(&p, ALL_METHODS, false);
	}
	assert_int_equal(fail_once(&p), SESH_ERR_AUTH_TOO_MANY);
	assert_int_equal(buf_len(&p.sout), 0);
	assert_int_equal(ua_server_failures(p.s), 4);
	/* fatal: the limit no longer changes */
	assert_int_equal(ua_server_set_max_tries(p.s, 10),
	                 SESH_ERR_INVALID_ARGUMENT);
	pair_free(&p);

	/* lowered: 6 -> 2 before any failure */
	pair_init(&p, ALL_METHODS, 6);
	pair_service(&p);
	assert_int_equal(ua_server_set_max_tries(p.s, 2), 0);
	assert_int_equal(fail_once(&p), 0);
	expect_failure(&p, ALL_METHODS, false);
	assert_int_equal(fail_once(&p), SESH_ERR_AUTH_TOO_MANY);
	pair_free(&p);

	/* lowered below the failures so far: the next failure ends it */
	pair_init(&p, ALL_METHODS, 6);
	pair_service(&p);
	for (i = 0; i < 3; i++) {
		assert_int_equal(fail_once(&p), 0);
		expect_failure(&p, ALL_METHODS, false);
	}
	assert_int_equal(ua_server_set_max_tries(p.s, 2), 0);
	assert_int_equal(fail_once(&p), SESH_ERR_AUTH_TOO_MANY);
	assert_int_equal(buf_len(&p.sout), 0);
	assert_int_equal(c2s(&p), SESH_ERR_AUTH_TOO_MANY); /* sticky */
	pair_free(&p);

	/* 0 is the default; NULL is refused */
	pair_init(&p, ALL_METHODS, 2);
	assert_int_equal(ua_server_set_max_tries(p.s, 0), 0);
	assert_int_equal(ua_server_max_tries(p.s), UA_DEFAULT_MAX_TRIES);
	assert_int_equal(ua_server_set_max_tries(NULL, 3),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_max_tries(NULL), 0);
	pair_free(&p);

	/* lowered to the failures so far, then a success: the state
	 * still exports and imports, and the limit is then fixed */
	pair_init(&p, ALL_METHODS, 6);
	pair_service(&p);
	for (i = 0; i < 2; i++) {
		assert_int_equal(fail_once(&p), 0);
		expect_failure(&p, ALL_METHODS, false);
	}
	assert_int_equal(ua_server_set_max_tries(p.s, 1), 0);
	assert_int_equal(ua_client_try_password(p.c, "pw", &p.cout), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_accept(p.s, &p.sout), 0);
	expect_success(&p);
	assert_int_equal(ua_server_set_max_tries(p.s, 3),
	                 SESH_ERR_INVALID_ARGUMENT);
	buf_init(&st, 0);
	assert_int_equal(ua_server_export(p.s, &st), 0);
	rd_init(&r, buf_data(&st), buf_len(&st));
	assert_int_equal(ua_server_import(&r, &imported), 0);
	assert_true(ua_server_done(imported));
	assert_int_equal(ua_server_failures(imported), 2);
	ua_server_free(imported);
	buf_clear(&st);
	pair_free(&p);
}

static void
test_after_success(void **state)
{
	struct pair p;
	struct buf req;

	(void)state;
	buf_init(&req, 0);
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	assert_int_equal(ua_client_try_password(p.c, "pw", &p.cout), 0);
	assert_int_equal(buf_put(&req, buf_data(&p.cout), buf_len(&p.cout)), 0);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_accept(p.s, &p.sout), 0);
	expect_success(&p);
	/* further requests are ignored, even for another user */
	assert_int_equal(ua_server_input(p.s, buf_data(&req), buf_len(&req),
	                                 &p.sev, &p.sout),
	                 0);
	assert_null(p.sev);
	assert_int_equal(buf_len(&p.sout), 0);
	assert_int_equal(ua_server_banner(p.s, "late", &p.sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* the client takes nothing more */
	assert_int_equal(ua_server_input(p.s, (const uint8_t *)"\x3d\0\0\0\0",
	                                 5, &p.sev, &p.sout),
	                 SESH_ERR_PROTOCOL);
	assert_int_equal(
	    ua_client_input(p.c, (const uint8_t *)"\x34", 1, &p.cev),
	    SESH_ERR_PROTOCOL);
	assert_false(ua_client_done(p.c));
	pair_free(&p);
	buf_clear(&req);
}

/* Builds a USERAUTH_REQUEST "none" for user and service. */
static void
none_req(struct buf *b, const char *user, const char *service)
{
	buf_reset(b);
	assert_int_equal(buf_put_u8(b, 50), 0);
	assert_int_equal(buf_put_cstring(b, user), 0);
	assert_int_equal(buf_put_cstring(b, service), 0);
	assert_int_equal(buf_put_cstring(b, "none"), 0);
}

static void
test_wrong_service(void **state)
{
	struct pair p;
	char longuser[UA_MAX_USER + 2];

	(void)state;
	/* SERVICE_REQUEST for something else */
	pair_init(&p, ALL_METHODS, 0);
	assert_int_equal(buf_put_u8(&p.cout, 5), 0);
	assert_int_equal(buf_put_cstring(&p.cout, "ssh-connection"), 0);
	assert_int_equal(c2s(&p), SESH_ERR_SERVICE_NOT_AVAILABLE);
	assert_int_equal(
	    sesh_err_disconnect_reason(SESH_ERR_SERVICE_NOT_AVAILABLE),
	    SSH_DISCONNECT_SERVICE_NOT_AVAILABLE);
	pair_free(&p);
	/* SERVICE_ACCEPT for something else */
	pair_init(&p, ALL_METHODS, 0);
	assert_int_equal(ua_client_start(p.c, &p.cout), 0);
	assert_int_equal(buf_put_u8(&p.sout, 6), 0);
	assert_int_equal(buf_put_cstring(&p.sout, "ssh-connection"), 0);
	assert_int_equal(s2c(&p), SESH_ERR_SERVICE_NOT_AVAILABLE);
	pair_free(&p);
	/* a repeated SERVICE_REQUEST between attempts is answered again
	 * (paramiko sends one before each retry, sshd accepts it) */
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	buf_reset(&p.cout);
	assert_int_equal(buf_put_u8(&p.cout, 5), 0);
	assert_int_equal(buf_put_cstring(&p.cout, "ssh-userauth"), 0);
	assert_int_equal(c2s(&p), 0);
	assert_null(p.sev);
	assert_true(buf_len(&p.sout) > 0);
	assert_int_equal(buf_data(&p.sout)[0], 6);
	buf_reset(&p.cout);
	none_req(&p.cout, "alice", "ssh-connection");
	assert_int_equal(c2s(&p), 0);
	assert_non_null(p.sev);
	assert_int_equal(p.sev->type, UA_SEV_AUTH_NONE);
	pair_free(&p);
	/* USERAUTH_REQUEST for a service other than ssh-connection */
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	none_req(&p.cout, "alice", "ssh-userauth");
	assert_int_equal(c2s(&p), SESH_ERR_SERVICE_NOT_AVAILABLE);
	pair_free(&p);
	/* a user name over the bound */
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	memset(longuser, 'a', sizeof(longuser) - 1);
	longuser[sizeof(longuser) - 1] = '\0';
	none_req(&p.cout, longuser, "ssh-connection");
	assert_int_equal(c2s(&p), SESH_ERR_LIMIT);
	pair_free(&p);
}

static void
test_change_user_service(void **state)
{
	struct pair p;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		pair_init(&p, ALL_METHODS, 0);
		pair_service(&p);
		none_req(&p.cout, "alice", "ssh-connection");
		assert_int_equal(c2s(&p), 0);
		assert_int_equal(ua_server_reject(p.s, false, &p.sout), 0);
		if (i == 0) {
			none_req(&p.cout, "bob", "ssh-connection");
		} else {
			none_req(&p.cout, "alice", "ssh-userauth");
		}
		assert_int_equal(c2s(&p), SESH_ERR_PROTOCOL);
		assert_int_equal(c2s(&p), SESH_ERR_PROTOCOL);
		assert_string_equal(ua_server_user(p.s), "alice");
		pair_free(&p);
	}
}

static void
test_pk_ok_other_key(void **state)
{
	struct pair p;
	struct buf blob;

	(void)state;
	buf_init(&blob, 0);
	pair_init(&p, ALL_METHODS, 0);
	pair_service(&p);
	assert_int_equal(
	    ua_client_try_publickey_query(p.c, k_ed, "ssh-ed25519", &p.cout),
	    0);
	assert_int_equal(key_to_blob(k_ec, &blob), 0);
	assert_int_equal(buf_put_u8(&p.sout, 60), 0);
	assert_int_equal(buf_put_cstring(&p.sout, "ssh-ed25519"), 0);
	assert_int_equal(
	    buf_put_string(&p.sout, buf_data(&blob), buf_len(&blob)), 0);
	assert_int_equal(s2c(&p), SESH_ERR_PROTOCOL);
	pair_free(&p);
	buf_clear(&blob);
}

/* Answer calls in the wrong state change nothing. */
static void
test_wrong_state_calls(void **state)
{
	struct pair p;
	struct buf b;
	static const char *const one[] = {"x"};
	static const bool f[] = {false};

	(void)state;
	buf_init(&b, 0);
	pair_init(&p, ALL_METHODS, 0);
	assert_int_equal(ua_client_try_none(p.c, &p.cout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_accept(p.s, &p.sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_reject(p.s, false, &p.sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_pk_ok(p.s, &p.sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_verify(p.s), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(
	    ua_server_kbdint_info_request(p.s, "", "", one, f, 1, &p.sout),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_passwd_changereq(p.s, "p", &p.sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	pair_service(&p);
	assert_int_equal(ua_client_start(p.c, &p.cout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_client_signed_data(p.c, &b),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_client_send_publickey_signed(
	                     p.c, (const uint8_t *)"x", 1, &p.cout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_client_kbdint_respond(p.c, one, 1, &p.cout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_client_try_password(p.c, "pw", &p.cout), 0);
	/* request outstanding: no second one */
	assert_int_equal(ua_client_try_none(p.c, &p.cout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&p.cout), 0);
	assert_int_equal(ua_client_try_password(p.c, "pw", &p.cout),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* server deciding: feeding input is the caller's mistake */
	assert_int_equal(ua_client_try_password(p.c, "pw", &p.cout),
	                 SESH_ERR_INVALID_ARGUMENT);
	none_req(&p.cout, "alice", "ssh-connection");
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(c2s(&p), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_pk_ok(p.s, &p.sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_passwd_changereq(p.s, "p", &p.sout),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(ua_server_reject(p.s, false, &p.sout), 0);
	pair_free(&p);
	buf_clear(&b);
}

/* ---- allow-lists: every message type in every state ---- */

enum cst {
	C_START,
	C_SVC_WAIT,
	C_READY,
	C_WAIT,
	C_WAIT_PK,
	C_WAIT_PW,
	C_WAIT_KI,
	C_PK_SIGN,
	C_KI_ANSWER,
	C_DONE,
	C_COUNT
};

/* Drives a fresh pair's client into state st. */
static void
client_to(struct pair *p, enum cst st)
{
	static const char *const pr[] = {"a"};
	static const bool ec[] = {false};

	if (st == C_START) {
		return;
	}
	if (st == C_SVC_WAIT) {
		assert_int_equal(ua_client_start(p->c, &p->cout), 0);
		return;
	}
	pair_service(p);
	switch (st) {
	case C_READY:
		break;
	case C_WAIT:
		assert_int_equal(ua_client_try_none(p->c, &p->cout), 0);
		break;
	case C_WAIT_PK:
	case C_PK_SIGN:
		assert_int_equal(ua_client_try_publickey_query(
		                     p->c, k_ed, "ssh-ed25519", &p->cout),
		                 0);
		if (st == C_PK_SIGN) {
			assert_int_equal(c2s(p), 0);
			assert_int_equal(ua_server_pk_ok(p->s, &p->sout), 0);
			assert_int_equal(s2c(p), 0);
			assert_int_equal(p->cev->type, UA_CEV_PK_OK);
		}
		break;
	case C_WAIT_PW:
		assert_int_equal(ua_client_try_password(p->c, "x", &p->cout),
		                 0);
		break;
	case C_WAIT_KI:
	case C_KI_ANSWER:
		assert_int_equal(ua_client_try_kbdint(p->c, NULL, &p->cout), 0);
		if (st == C_KI_ANSWER) {
			assert_int_equal(c2s(p), 0);
			assert_int_equal(ua_server_kbdint_info_request(
			                     p->s, "", "", pr, ec, 1, &p->sout),
			                 0);
			assert_int_equal(s2c(p), 0);
			assert_int_equal(p->cev->type, UA_CEV_INFO_REQUEST);
		}
		break;
	case C_DONE:
		assert_int_equal(ua_client_try_none(p->c, &p->cout), 0);
		assert_int_equal(c2s(p), 0);
		assert_int_equal(ua_server_accept(p->s, &p->sout), 0);
		expect_success(p);
		break;
	default:
		fail();
	}
}

static bool
client_allows(enum cst st, int t)
{
	bool waiting = st == C_WAIT || st == C_WAIT_PK || st == C_WAIT_PW ||
	               st == C_WAIT_KI;

	switch (t) {
	case 6:
		return st == C_SVC_WAIT;
	case 53:
		return st >= C_READY && st != C_DONE;
	case 51:
	case 52:
		return waiting;
	case 60:
		return st == C_WAIT_PK || st == C_WAIT_PW || st == C_WAIT_KI;
	default:
		return false;
	}
}

static void
test_client_allow_lists(void **state)
{
	struct pair p;
	uint8_t msg[1];
	int st, t, ret;

	(void)state;
	for (st = 0; st < C_COUNT; st++) {
		for (t = 0; t < 256; t++) {
			pair_init(&p, ALL_METHODS, 0);
			client_to(&p, (enum cst)st);
			msg[0] = (uint8_t)t;
			ret = ua_client_input(p.c, msg, 1, &p.cev);
			if (client_allows((enum cst)st, t)) {
				/* parsed: bare SUCCESS is whole */
				assert_int_equal(
				    ret, t == 52 ? 0 : SESH_ERR_TRUNCATED);
			} else {
				assert_int_equal(ret, SESH_ERR_PROTOCOL);
			}
			pair_free(&p);
		}
	}
}

enum sst { S_SVC_WAIT, S_READY, S_DECIDE, S_KI_WAIT, S_DONE, S_COUNT };

static void
server_to(struct pair *p, enum sst st)
{
	static const char *const pr[] = {"a"};
	static const bool ec[] = {false};

	if (st == S_SVC_WAIT) {
		return;
	}
	pair_service(p);
	if (st == S_READY) {
		return;
	}
	if (st == S_KI_WAIT) {
		assert_int_equal(ua_client_try_kbdint(p->c, NULL, &p->cout), 0);
		assert_int_equal(c2s(p), 0);
		assert_int_equal(ua_server_kbdint_info_request(p->s, "", "", pr,
		                                               ec, 1, &p->sout),
		                 0);
		return;
	}
	assert_int_equal(ua_client_try_none(p->c, &p->cout), 0);
	assert_int_equal(c2s(p), 0);
	if (st == S_DONE) {
		assert_int_equal(ua_server_accept(p->s, &p->sout), 0);
	}
}

static void
test_server_allow_lists(void **state)
{
	struct pair p;
	uint8_t msg[1];
	int st, t, ret;
	bool allowed;

	(void)state;
	for (st = 0; st < S_COUNT; st++) {
		for (t = 0; t < 256; t++) {
			pair_init(&p, ALL_METHODS, 0);
			server_to(&p, (enum sst)st);
			msg[0] = (uint8_t)t;
			ret = ua_server_input(p.s, msg, 1, &p.sev, &p.sout);
			allowed =
			    ((st == S_SVC_WAIT || st == S_READY) && t == 5) ||
			    ((st == S_READY || st == S_KI_WAIT) && t == 50) ||
			    (st == S_KI_WAIT && t == 61);
			if (st == S_DECIDE) {
				assert_int_equal(ret,
				                 SESH_ERR_INVALID_ARGUMENT);
			} else if (st == S_DONE && t == 50) {
				assert_int_equal(ret, 0); /* ignored */
			} else if (allowed) {
				assert_int_equal(ret, SESH_ERR_TRUNCATED);
			} else {
				assert_int_equal(ret, SESH_ERR_PROTOCOL);
			}
			assert_int_equal(buf_len(&p.sout), 0);
			pair_free(&p);
		}
	}
}

/* ---- sweeps over every message each side parses ---- */

struct sample {
	int role; /* 0: fed to the server in state sst, 1: to the client */
	int st;   /* enum sst or enum cst */
	struct buf m;
};

#define NSAMPLES 16

static size_t
collect_samples(struct sample *sm)
{
	static const char *const pr[] = {"Password: ", "Code: "};
	static const bool ec[] = {false, true};
	static const char *const ans[] = {"pw", "123456"};
	struct pair p;
	struct buf data, sig;
	size_t n = 0, i;

	for (i = 0; i < NSAMPLES; i++) {
		buf_init(&sm[i].m, 0);
	}
	buf_init(&data, 0);
	buf_init(&sig, 0);
#define SAVE_C(st_) /* client payload, fed to a server in st_ */               \
	do {                                                                   \
		sm[n].role = 0;                                                \
		sm[n].st = (st_);                                              \
		assert_int_equal(                                              \
		    buf_put(&sm[n].m, buf_data(&p.cout), buf_len(&p.cout)),    \
		    0);                                                        \
		n++;                                                           \
	} while (0)
#define SAVE_S(st_)                                                            \
	do {                                                                   \
		sm[n].role = 1;                                                \
		sm[n].st = (st_);                                              \
		assert_int_equal(                                              \
		    buf_put(&sm[n].m, buf_data(&p.sout), buf_len(&p.sout)),    \
		    0);                                                        \
		n++;                                                           \
	} while (0)
	pair_init(&p, ALL_METHODS, 0);
	assert_int_equal(ua_client_start(p.c, &p.cout), 0);
	SAVE_C(S_SVC_WAIT);
	assert_int_equal(c2s(&p), 0);
	SAVE_S(C_SVC_WAIT);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(ua_server_banner(p.s, "hello\n", &p.sout), 0);
	SAVE_S(C_READY);
	assert_int_equal(ua_client_try_none(p.c, &p.cout), 0);
	SAVE_C(S_READY);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_reject(p.s, true, &p.sout), 0);
	SAVE_S(C_WAIT);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(
	    ua_client_try_publickey_query(p.c, k_ed, "ssh-ed25519", &p.cout),
	    0);
	SAVE_C(S_READY);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_pk_ok(p.s, &p.sout), 0);
	SAVE_S(C_WAIT_PK);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(ua_client_signed_data(p.c, &data), 0);
	assert_int_equal(
	    key_sign(k_ed, NULL, buf_data(&data), buf_len(&data), &sig), 0);
	assert_int_equal(ua_client_send_publickey_signed(
	                     p.c, buf_data(&sig), buf_len(&sig), &p.cout),
	                 0);
	SAVE_C(S_READY);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_reject(p.s, false, &p.sout), 0);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(ua_client_try_password(p.c, "old", &p.cout), 0);
	SAVE_C(S_READY);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_passwd_changereq(p.s, "change", &p.sout), 0);
	SAVE_S(C_WAIT_PW);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(
	    ua_client_try_password_change(p.c, "old", "new", &p.cout), 0);
	SAVE_C(S_READY);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_reject(p.s, false, &p.sout), 0);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(ua_client_try_kbdint(p.c, "pam", &p.cout), 0);
	SAVE_C(S_READY);
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(
	    ua_server_kbdint_info_request(p.s, "n", "i", pr, ec, 2, &p.sout),
	    0);
	SAVE_S(C_WAIT_KI);
	assert_int_equal(s2c(&p), 0);
	assert_int_equal(ua_client_kbdint_respond(p.c, ans, 2, &p.cout), 0);
	/* an INFO_RESPONSE is only parsed in KI_WAIT with 2 prompts */
	sm[n].role = 0;
	sm[n].st = -1;
	assert_int_equal(buf_put(&sm[n].m, buf_data(&p.cout), buf_len(&p.cout)),
	                 0);
	n++;
	assert_int_equal(c2s(&p), 0);
	assert_int_equal(ua_server_accept(p.s, &p.sout), 0);
	SAVE_S(C_WAIT_KI);
#undef SAVE_C
#undef SAVE_S
	pair_free(&p);
	buf_clear(&data);
	buf_clear(&sig);
	assert_true(n <= NSAMPLES);
	return n;
}

static void
free_samples(struct sample *sm)
{
	size_t i;

	for (i = 0; i < NSAMPLES; i++) {
		buf_clear(&sm[i].m);
	}
}

/* Puts a fresh pair where sample s is parsed (two prompts in KI_WAIT
 * for the INFO_RESPONSE sample). */
static void
sample_target(struct pair *p, const struct sample *s)
{
	static const char *const pr[] = {"a", "b"};
	static const bool ec[] = {false, false};

	pair_init(p, ALL_METHODS, 0);
	if (s->role == 1) {
		client_to(p, (enum cst)s->st);
	} else if (s->st >= 0) {
		server_to(p, (enum sst)s->st);
	} else {
		pair_service(p);
		assert_int_equal(ua_client_try_kbdint(p->c, NULL, &p->cout), 0);
		assert_int_equal(c2s(p), 0);
		assert_int_equal(ua_server_kbdint_info_request(p->s, "", "", pr,
		                                               ec, 2, &p->sout),
		                 0);
	}
}

static int
sample_feed(struct pair *p, const struct sample *s, const uint8_t *m, size_t n)
{
	if (s->role == 1) {
		return ua_client_input(p->c, m, n, &p->cev);
	}
	return ua_server_input(p->s, m, n, &p->sev, &p->sout);
}

static void
test_truncation_sweep(void **state)
{
	struct sample sm[NSAMPLES];
	struct pair p;
	size_t ns, i, len;
	int ret;

	(void)state;
	ns = collect_samples(sm);
	assert_int_equal(ns, 15);
	for (i = 0; i < ns; i++) {
		/* the whole message is accepted */
		sample_target(&p, &sm[i]);
		assert_int_equal(sample_feed(&p, &sm[i], buf_data(&sm[i].m),
		                             buf_len(&sm[i].m)),
		                 0);
		pair_free(&p);
		for (len = 0; len < buf_len(&sm[i].m); len++) {
			sample_target(&p, &sm[i]);
			ret = sample_feed(&p, &sm[i], buf_data(&sm[i].m), len);
			assert_true(ret < 0);
			/* and the error sticks */
			assert_int_equal(sample_feed(&p, &sm[i],
			                             buf_data(&sm[i].m),
			                             buf_len(&sm[i].m)),
			                 ret);
			pair_free(&p);
		}
		/* one trailing byte */
		sample_target(&p, &sm[i]);
		assert_int_equal(buf_put_u8(&sm[i].m, 0), 0);
		assert_int_equal(sample_feed(&p, &sm[i], buf_data(&sm[i].m),
		                             buf_len(&sm[i].m)),
		                 SESH_ERR_TRAILING_DATA);
		buf_truncate(&sm[i].m, buf_len(&sm[i].m) - 1);
		pair_free(&p);
	}
	free_samples(sm);
}

static void
test_bitflip_sweep(void **state)
{
	struct sample sm[NSAMPLES];
	struct pair p;
	struct buf orig;
	size_t ns, i, pos;
	int bit, ret, verified = 0;
	uint8_t *m;

	(void)state;
	buf_init(&orig, 0);
	ns = collect_samples(sm);
	for (i = 0; i < ns; i++) {
		size_t n = buf_len(&sm[i].m);
		bool signed_req = false;

		/* the original signed data, for the publickey sample */
		sample_target(&p, &sm[i]);
		assert_int_equal(sample_feed(&p, &sm[i], buf_data(&sm[i].m), n),
		                 0);
		if (sm[i].role == 0 && p.sev != NULL &&
		    p.sev->type == UA_SEV_AUTH_PUBKEY_SIGNED) {
			signed_req = true;
			buf_reset(&orig);
			assert_int_equal(buf_put(&orig, p.sev->signed_data,
			                         p.sev->signed_data_len),
			                 0);
		}
		pair_free(&p);
		if ((m = malloc(n)) == NULL) {
			fail();
		}
		for (pos = 0; pos < n; pos++) {
			for (bit = 0; bit < 8; bit++) {
				memcpy(m, buf_data(&sm[i].m), n);
				m[pos] ^= (uint8_t)(1u << bit);
				sample_target(&p, &sm[i]);
				ret = sample_feed(&p, &sm[i], m, n);
				assert_true(ret <= 0);
				if (ret < 0) {
					assert_int_equal(
					    sample_feed(&p, &sm[i], m, n), ret);
				} else if (signed_req && p.sev != NULL &&
				           p.sev->type ==
				               UA_SEV_AUTH_PUBKEY_SIGNED &&
				           ua_server_verify(p.s) == 0) {
					/* only the has-signature byte may
					 * change harmlessly */
					assert_int_equal(p.sev->signed_data_len,
					                 buf_len(&orig));
					assert_memory_equal(p.sev->signed_data,
					                    buf_data(&orig),
					                    buf_len(&orig));
					verified++;
				}
				/* a flipped PK_OK is always refused */
				if (sm[i].role == 1 && sm[i].st == C_WAIT_PK) {
					assert_true(ret < 0);
				}
				pair_free(&p);
			}
		}
		free(m);
	}
	/* the boolean TRUE byte with other bits set still verifies */
	assert_int_equal(verified, 7);
	free_samples(sm);
	buf_clear(&orig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signed_data_kat),
	    cmocka_unit_test(test_pick_sig_alg),
	    cmocka_unit_test(test_sanitize_banner),
	    cmocka_unit_test(test_none),
	    cmocka_unit_test(test_publickey_ed25519),
	    cmocka_unit_test(test_publickey_ecdsa),
	    cmocka_unit_test(test_publickey_rsa),
	    cmocka_unit_test(test_publickey_bad),
	    cmocka_unit_test(test_publickey_auto_reject),
	    cmocka_unit_test(test_password),
	    cmocka_unit_test(test_password_change),
	    cmocka_unit_test(test_kbdint),
	    cmocka_unit_test(test_kbdint_wrong_count),
	    cmocka_unit_test(test_partial_success),
	    cmocka_unit_test(test_method_not_offered),
	    cmocka_unit_test(test_max_tries),
	    cmocka_unit_test(test_set_max_tries),
	    cmocka_unit_test(test_after_success),
	    cmocka_unit_test(test_wrong_service),
	    cmocka_unit_test(test_change_user_service),
	    cmocka_unit_test(test_pk_ok_other_key),
	    cmocka_unit_test(test_wrong_state_calls),
	    cmocka_unit_test(test_client_allow_lists),
	    cmocka_unit_test(test_server_allow_lists),
	    cmocka_unit_test(test_truncation_sweep),
	    cmocka_unit_test(test_bitflip_sweep),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
