/*
 * test_srvauth_pam.c - seshd's password, keyboard-interactive and PAM
 * stages (src/app/srvauth.h) against a real account. Needs root: the
 * group setup creates a user "seshfNNNNNN" with useradd and a password
 * with chpasswd (removed with userdel -r in the teardown) and installs
 * tests/pam/seshd as /etc/pam.d/seshd when that file is missing. Without
 * root every test is skipped with a message.
 *
 * pam_unix delays each failure by about two seconds, so failing PAM
 * calls are few: one wrong password, one unknown user, one wrong
 * keyboard-interactive answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "app/servconf.h"
#include "app/srvauth.h"
#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"

#define PAM_FILE     "/etc/pam.d/seshd"
#define PAM_SRC      SESH_VECTORS_DIR "/../pam/seshd"
#define PASSWORD     "sesh.Pw-42x"
#define BAD_PASSWORD "sesh.Pw-43x"

static struct {
	bool ready;
	char name[32];
	char service[48]; /* a PAM service with text messages */
	char service_path[96];
} tuser;

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int
install_pam_file(void)
{
	if (access(PAM_FILE, F_OK) == 0) {
		return 0;
	}
	return run("install -m 0644 '%s' '%s'", PAM_SRC, PAM_FILE);
}

static int
group_setup(void **state)
{
	unsigned int r;
	int fd;

	(void)state;
	if (geteuid() != 0) {
		return 0;
	}
	if ((fd = open("/dev/urandom", O_RDONLY)) < 0 ||
	    read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
		r = (unsigned int)getpid() ^ (unsigned int)time(NULL);
	}
	if (fd >= 0) {
		close(fd);
	}
	snprintf(tuser.name, sizeof(tuser.name), "seshf%06u", r % 1000000u);
	if (install_pam_file() != 0) {
		fprintf(stderr, "cannot install %s\n", PAM_FILE);
		return -1;
	}
	if (run("useradd -m -s /bin/sh '%s'", tuser.name) != 0) {
		fprintf(stderr, "useradd %s failed\n", tuser.name);
		return -1;
	}
	tuser.ready = true;
	snprintf(tuser.service, sizeof(tuser.service), "seshd-test-%s",
	         tuser.name);
	snprintf(tuser.service_path, sizeof(tuser.service_path),
	         "/etc/pam.d/%s", tuser.service);
	if (run("printf '%%s\\n' 'auth optional pam_echo.so Hello %%u' "
	        "'@include common-auth' 'auth optional pam_echo.so Goodbye' "
	        "'account required pam_permit.so' > '%s'",
	        tuser.service_path) != 0) {
		fprintf(stderr, "cannot write %s\n", tuser.service_path);
		return -1;
	}
	if (run("echo '%s:%s' | chpasswd", tuser.name, PASSWORD) != 0) {
		fprintf(stderr, "chpasswd failed\n");
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (tuser.ready) {
		(void)run("userdel -r '%s' 2>/dev/null", tuser.name);
		(void)unlink(tuser.service_path);
		tuser.ready = false;
	}
	return 0;
}

static void
need_root(void)
{
	if (!tuser.ready) {
		print_message("skipping: needs root to create a test user\n");
		skip();
	}
}

static void
conf_defaults(struct servconf *c, bool pam)
{
	memset(c, 0, sizeof(*c));
	c->permit_root_login = SERVCONF_ROOT_PROHIBIT_PASSWORD;
	c->password_authentication = 1;
	c->pubkey_authentication = 1;
	c->kbd_interactive_authentication = 1;
	c->use_pam = pam ? 1 : 0;
	c->pam_service_name = "seshd";
	c->strict_modes = 1;
}

static void
lookup(const char *name, struct srv_user *u)
{
	assert_int_equal(srvauth_user_lookup(name, u), 0);
}

static bool
password(const struct servconf *c, const struct srv_user *u, const char *pw)
{
	bool ok = true;

	assert_int_equal(srvauth_password(c, u, "127.0.0.1", pw, &ok), 0);
	return ok;
}

static void
test_password_pam(void **state)
{
	struct servconf c;
	struct srv_user u, nobody;

	(void)state;
	need_root();
	conf_defaults(&c, true);
	lookup(tuser.name, &u);
	assert_true(u.valid);
	assert_true(password(&c, &u, PASSWORD));
	assert_false(password(&c, &u, BAD_PASSWORD));
	/* Empty passwords are refused before PAM. */
	assert_false(password(&c, &u, ""));
	/* Unknown user: PAM runs and fails. */
	lookup("seshfnosuchuser", &nobody);
	assert_false(nobody.valid);
	assert_false(password(&c, &nobody, PASSWORD));
	srv_user_clear(&nobody);
	/* A missing PAM service fails closed (pam "other" denies). */
	srv_user_clear(&u);
}

static void
test_password_shadow(void **state)
{
	struct servconf c;
	struct srv_user u, nobody, fakeroot;
	char *why = NULL;
	bool ok;

	(void)state;
	need_root();
	conf_defaults(&c, false);
	lookup(tuser.name, &u);
	assert_true(password(&c, &u, PASSWORD));
	assert_false(password(&c, &u, BAD_PASSWORD));
	assert_false(password(&c, &u, PASSWORD "x"));
	assert_false(password(&c, &u, ""));
	lookup("seshfnosuchuser", &nobody);
	assert_false(password(&c, &nobody, PASSWORD));
	srv_user_clear(&nobody);

	/* PermitRootLogin decides for uid 0 even with the right password. */
	fakeroot = u;
	fakeroot.uid = 0;
	assert_false(password(&c, &fakeroot, PASSWORD));
	c.permit_root_login = SERVCONF_ROOT_YES;
	assert_true(password(&c, &fakeroot, PASSWORD));
	c.permit_root_login = SERVCONF_ROOT_PROHIBIT_PASSWORD;

	/* A locked account: no password, and refused by the account
	 * checks when PAM is off. */
	assert_int_equal(run("usermod -L '%s'", tuser.name), 0);
	assert_false(password(&c, &u, PASSWORD));
	ok = true;
	assert_int_equal(srvauth_account_allowed(&c, &u, "127.0.0.1",
	                                         "127.0.0.1", &ok, &why),
	                 0);
	assert_false(ok);
	assert_non_null(why);
	assert_non_null(strstr(why, "account is locked"));
	free(why);
	assert_int_equal(run("usermod -U '%s'", tuser.name), 0);
	/* An expired account (usermod -e 1: 2 January 1970). */
	assert_int_equal(run("usermod -e 1 '%s'", tuser.name), 0);
	assert_int_equal(srvauth_account_allowed(&c, &u, "127.0.0.1",
	                                         "127.0.0.1", &ok, &why),
	                 0);
	assert_false(ok);
	assert_non_null(why);
	assert_non_null(strstr(why, "has expired"));
	free(why);
	assert_int_equal(run("usermod -e '' '%s'", tuser.name), 0);
	assert_true(password(&c, &u, PASSWORD));
	assert_int_equal(srvauth_account_allowed(&c, &u, "127.0.0.1",
	                                         "127.0.0.1", &ok, NULL),
	                 0);
	assert_true(ok);

	/* An empty password only with PermitEmptyPasswords. */
	assert_int_equal(run("passwd -d '%s' >/dev/null", tuser.name), 0);
	assert_false(password(&c, &u, ""));
	assert_false(password(&c, &u, PASSWORD));
	c.permit_empty_passwords = 1;
	assert_true(password(&c, &u, ""));
	assert_false(password(&c, &u, PASSWORD));
	/* ... and through PAM (pam_unix nullok). */
	c.use_pam = 1;
	assert_true(password(&c, &u, ""));
	c.permit_empty_passwords = 0;
	assert_false(password(&c, &u, ""));
	assert_int_equal(run("echo '%s:%s' | chpasswd", tuser.name, PASSWORD),
	                 0);
	srv_user_clear(&u);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Median time of three wrong-password checks without PAM. */
static double
shadow_time(const struct servconf *c, const struct srv_user *u)
{
	double t[3], x;
	int i, j;

	for (i = 0; i < 3; i++) {
		t[i] = now_s();
		assert_false(password(c, u, BAD_PASSWORD));
		t[i] = now_s() - t[i];
	}
	for (i = 0; i < 3; i++) {
		for (j = i + 1; j < 3; j++) {
			if (t[j] < t[i]) {
				x = t[i];
				t[i] = t[j];
				t[j] = x;
			}
		}
	}
	return t[1];
}

/* An unknown user's failure costs about what a known user's does (the
 * password is hashed all the same), so timing does not tell them apart. */
static void
test_unknown_timing(void **state)
{
	struct servconf c;
	struct srv_user u, nobody;
	double known, unknown;

	(void)state;
	need_root();
	conf_defaults(&c, false);
	lookup(tuser.name, &u);
	lookup("seshfnosuchuser", &nobody);
	known = shadow_time(&c, &u);
	unknown = shadow_time(&c, &nobody);
	print_message("wrong password: known %.4f s, unknown %.4f s\n", known,
	              unknown);
	assert_true(unknown * 4 >= known);
	assert_true(known * 4 >= unknown);
	srv_user_clear(&nobody);
	srv_user_clear(&u);
}

/* Runs a keyboard-interactive exchange answering every prompt with
 * answer; returns the outcome. */
static bool
kbdint(const struct servconf *c, const struct srv_user *u, const char *answer)
{
	struct srvauth_kbdint *k = NULL;
	struct srvauth_prompts p;
	const char *answers[4];
	size_t n = 0, i, rounds = 0, prompts = 0;
	bool done = false, ok = true;

	assert_int_equal(srvauth_kbdint_start(c, u, "127.0.0.1", &k), 0);
	assert_non_null(k);
	while (!done) {
		assert_true(++rounds < 8);
		assert_int_equal(srvauth_kbdint_next(k, n > 0 ? answers : NULL,
		                                     n, &p, &done, &ok),
		                 0);
		if (done) {
			break;
		}
		assert_non_null(p.name);
		assert_non_null(p.instruction);
		assert_true(p.n <= 4);
		for (i = 0; i < p.n; i++) {
			assert_non_null(p.prompts[i]);
			assert_false(p.echo[i]);
			assert_non_null(strstr(p.prompts[i], "assword"));
			answers[i] = answer;
		}
		assert_null(p.prompts[p.n]);
		prompts += p.n;
		n = p.n;
		srvauth_prompts_clear(&p);
	}
	assert_true(prompts >= 1);
	srvauth_kbdint_free(k);
	return ok;
}

static void
test_kbdint(void **state)
{
	struct servconf c;
	struct srv_user u;
	struct srvauth_kbdint *k = (struct srvauth_kbdint *)&c;
	struct srvauth_prompts p;
	bool done, ok;

	(void)state;
	need_root();
	conf_defaults(&c, true);
	lookup(tuser.name, &u);
	assert_true(kbdint(&c, &u, PASSWORD));
	assert_false(kbdint(&c, &u, BAD_PASSWORD));

	/* Wrong number of answers ends the conversation. */
	assert_int_equal(srvauth_kbdint_start(&c, &u, "127.0.0.1", &k), 0);
	assert_int_equal(srvauth_kbdint_next(k, NULL, 0, &p, &done, &ok), 0);
	assert_false(done);
	assert_int_equal(p.n, 1);
	srvauth_prompts_clear(&p);
	assert_int_equal(srvauth_kbdint_next(k, NULL, 0, &p, &done, &ok),
	                 SESH_ERR_PROTOCOL);
	assert_int_equal(srvauth_kbdint_next(k, NULL, 0, &p, &done, &ok),
	                 SESH_ERR_INVALID_ARGUMENT);
	srvauth_kbdint_free(k);
	/* Freed while PAM waits for an answer. */
	assert_int_equal(srvauth_kbdint_start(&c, &u, "127.0.0.1", &k), 0);
	assert_int_equal(srvauth_kbdint_next(k, NULL, 0, &p, &done, &ok), 0);
	srvauth_prompts_clear(&p);
	srvauth_kbdint_free(k);
	srvauth_kbdint_free(NULL);

	/* Not offered without PAM. */
	c.use_pam = 0;
	k = (struct srvauth_kbdint *)&c;
	assert_int_equal(srvauth_kbdint_start(&c, &u, "127.0.0.1", &k),
	                 SESH_ERR_UNSUPPORTED);
	assert_null(k);
	srv_user_clear(&u);
}

/* PAM's text messages reach the client: before the prompt in the
 * instruction, and after success as a request without prompts. */
static void
test_kbdint_messages(void **state)
{
	struct servconf c;
	struct srv_user u;
	struct srvauth_kbdint *k = NULL;
	struct srvauth_prompts p;
	const char *answers[1] = {PASSWORD};
	char hello[64];
	bool done = true, ok = true;

	(void)state;
	need_root();
	conf_defaults(&c, true);
	c.pam_service_name = tuser.service;
	lookup(tuser.name, &u);
	snprintf(hello, sizeof(hello), "Hello %s\n", tuser.name);
	assert_int_equal(srvauth_kbdint_start(&c, &u, "127.0.0.1", &k), 0);
	assert_int_equal(srvauth_kbdint_next(k, NULL, 0, &p, &done, &ok), 0);
	assert_false(done);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.instruction, hello);
	srvauth_prompts_clear(&p);
	assert_int_equal(srvauth_kbdint_next(k, answers, 1, &p, &done, &ok), 0);
	assert_false(done);
	assert_int_equal(p.n, 0);
	assert_null(p.prompts[0]);
	assert_string_equal(p.instruction, "Goodbye\n");
	srvauth_prompts_clear(&p);
	assert_int_equal(srvauth_kbdint_next(k, NULL, 0, &p, &done, &ok), 0);
	assert_true(done);
	assert_true(ok);
	srvauth_kbdint_free(k);

	/* The password method ignores the text. */
	assert_true(password(&c, &u, PASSWORD));
	srv_user_clear(&u);
}

static void
test_pam_stages(void **state)
{
	struct servconf c;
	struct srv_user u, nobody;
	struct srvauth_pam_session *s = NULL;
	const char *const *env;
	bool ok = false;

	(void)state;
	need_root();
	conf_defaults(&c, true);
	lookup(tuser.name, &u);
	assert_int_equal(srvauth_pam_account(&c, &u, "127.0.0.1", &ok), 0);
	assert_true(ok);
	lookup("seshfnosuchuser", &nobody);
	assert_int_equal(srvauth_pam_account(&c, &nobody, "127.0.0.1", &ok), 0);
	assert_false(ok);
	srv_user_clear(&nobody);

	assert_int_equal(
	    srvauth_pam_open_session(&c, &u, "127.0.0.1", "/dev/pts/99", &s),
	    0);
	assert_non_null(s);
	env = srvauth_pam_env(s);
	assert_non_null(env);
	srvauth_pam_close_session(s);
	srvauth_pam_close_session(NULL);

	/* Without PAM: an empty session. */
	c.use_pam = 0;
	assert_int_equal(srvauth_pam_account(&c, &u, "127.0.0.1", &ok), 0);
	assert_true(ok);
	assert_int_equal(
	    srvauth_pam_open_session(&c, &u, "127.0.0.1", NULL, &s), 0);
	assert_null(srvauth_pam_env(s)[0]);
	srvauth_pam_close_session(s);
	srv_user_clear(&u);
}

/* authorized_keys in the real user's home, read with their identity. */
static void
test_pubkey_as_user(void **state)
{
	struct servconf c;
	struct srv_user u;
	struct srv_keyopts o;
	struct sshkey *key = NULL;
	struct buf b;
	char dir[512], path[600];
	char *groups[2] = {NULL, NULL};
	FILE *f;
	bool ok = false;

	(void)state;
	need_root();
	conf_defaults(&c, true);
	lookup(tuser.name, &u);
	assert_int_equal(key_generate(KEY_ED25519, 0, &key), 0);
	buf_init(&b, 0);
	assert_int_equal(key_to_pub_line(key, false, &b), 0);
	snprintf(dir, sizeof(dir), "%s/.ssh", u.home);
	snprintf(path, sizeof(path), "%s/authorized_keys", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chown(dir, u.uid, u.gid), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%.*s\n", (int)buf_len(&b), (const char *)buf_data(&b));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chown(path, u.uid, u.gid), 0);

	assert_int_equal(srvauth_pubkey_allowed(&c, &u, key, "127.0.0.1",
	                                        "127.0.0.1", 0, &ok, &o),
	                 0);
	assert_true(ok);
	srv_keyopts_clear(&o);
	assert_int_equal(geteuid(), 0);
	assert_int_equal(getegid(), 0);

	/* Owned by root (allowed by StrictModes) but unreadable by the
	 * user: refused, because the file is read as the user. */
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(srvauth_pubkey_allowed(&c, &u, key, "127.0.0.1",
	                                        "127.0.0.1", 0, &ok, &o),
	                 0);
	assert_false(ok);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(srvauth_pubkey_allowed(&c, &u, key, "127.0.0.1",
	                                        "127.0.0.1", 0, &ok, &o),
	                 0);
	assert_true(ok);
	srv_keyopts_clear(&o);
	assert_int_equal(geteuid(), 0);

	/* The user's own group (useradd makes one) in AllowGroups. */
	groups[0] = tuser.name;
	c.allow_groups = groups;
	assert_int_equal(srvauth_account_allowed(&c, &u, "127.0.0.1",
	                                         "127.0.0.1", &ok, NULL),
	                 0);
	assert_true(ok);

	buf_clear(&b);
	key_free(key);
	srv_user_clear(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password_pam),
	    cmocka_unit_test(test_password_shadow),
	    cmocka_unit_test(test_unknown_timing),
	    cmocka_unit_test(test_kbdint),
	    cmocka_unit_test(test_kbdint_messages),
	    cmocka_unit_test(test_pam_stages),
	    cmocka_unit_test(test_pubkey_as_user),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
