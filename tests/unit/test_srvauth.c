/*
 * test_srvauth.c - seshd's authentication policy (src/app/srvauth.h)
 * without root: AuthenticationMethods bookkeeping, the PermitRootLogin
 * table, user lookup and the account checks (AllowUsers/DenyUsers with
 * user@host patterns, AllowGroups/DenyGroups, shells) for the current
 * user, and publickey against authorized_keys files in a temporary home
 * (options, from=, expiry-time, tokens, StrictModes refusals).
 * test_srvauth_pam.c covers passwords, PAM and keyboard-interactive as
 * root.
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
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "app/servconf.h"
#include "app/srvauth.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "key/key.h"

/* A config with sshd's defaults, filled by hand (independent of the
 * config parser); lists point at static arrays. */
static void
conf_defaults(struct servconf *c)
{
	memset(c, 0, sizeof(*c));
	c->permit_root_login = SERVCONF_ROOT_PROHIBIT_PASSWORD;
	c->permit_empty_passwords = 0;
	c->password_authentication = 1;
	c->pubkey_authentication = 1;
	c->kbd_interactive_authentication = 1;
	c->use_pam = 1;
	c->strict_modes = 1;
	c->permit_user_environment = 0;
}

/* ---- AuthenticationMethods ---- */

static struct srvauth_methods *
methods(const struct servconf *c)
{
	struct srvauth_methods *m = NULL;

	assert_int_equal(srvauth_methods_new(c, &m), 0);
	assert_non_null(m);
	return m;
}

static void
test_methods(void **state)
{
	struct servconf c;
	struct srvauth_methods *m;
	char *two[] = {"publickey,password", "publickey,keyboard-interactive",
	               NULL};
	char *dis[] = {"publickey,password", "publickey", NULL};
	char *none_left[] = {"password", "keyboard-interactive:pam", NULL};
	char *any[] = {"any", NULL};
	bool complete;

	(void)state;
	/* Default: any single enabled method. */
	conf_defaults(&c);
	m = methods(&c);
	assert_string_equal(srvauth_methods_next(m),
	                    "publickey,password,keyboard-interactive");
	assert_true(srvauth_methods_allowed(m, SRVAUTH_PASSWORD));
	assert_false(srvauth_methods_allowed(m, SRVAUTH_NONE));
	assert_int_equal(
	    srvauth_methods_success(m, SRVAUTH_PASSWORD, &complete), 0);
	assert_true(complete);
	assert_false(srvauth_methods_allowed(m, SRVAUTH_PUBKEY));
	srvauth_methods_free(m);

	/* "any" spelled out; no PAM means no keyboard-interactive. */
	c.authentication_methods = any;
	c.use_pam = 0;
	m = methods(&c);
	assert_string_equal(srvauth_methods_next(m), "publickey,password");
	assert_false(srvauth_methods_allowed(m, SRVAUTH_KBDINT));
	srvauth_methods_free(m);

	/* The *Authentication keywords disable methods. */
	conf_defaults(&c);
	c.pubkey_authentication = 0;
	c.kbd_interactive_authentication = 0;
	m = methods(&c);
	assert_string_equal(srvauth_methods_next(m), "password");
	assert_int_equal(srvauth_methods_success(m, SRVAUTH_PUBKEY, &complete),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_false(complete);
	srvauth_methods_free(m);

	/* Two lists, each in order. */
	conf_defaults(&c);
	c.authentication_methods = two;
	m = methods(&c);
	assert_string_equal(srvauth_methods_next(m), "publickey");
	assert_false(srvauth_methods_allowed(m, SRVAUTH_PASSWORD));
	assert_int_equal(
	    srvauth_methods_success(m, SRVAUTH_PASSWORD, &complete),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(srvauth_methods_success(m, SRVAUTH_PUBKEY, &complete),
	                 0);
	assert_false(complete);
	assert_string_equal(srvauth_methods_next(m),
	                    "password,keyboard-interactive");
	assert_false(srvauth_methods_allowed(m, SRVAUTH_PUBKEY));
	assert_int_equal(srvauth_methods_success(m, SRVAUTH_KBDINT, &complete),
	                 0);
	assert_true(complete);
	assert_string_equal(srvauth_methods_next(m), "");
	srvauth_methods_free(m);

	/* A list naming a disabled method is dropped. */
	conf_defaults(&c);
	c.authentication_methods = dis;
	c.password_authentication = 0;
	m = methods(&c);
	assert_string_equal(srvauth_methods_next(m), "publickey");
	assert_int_equal(srvauth_methods_success(m, SRVAUTH_PUBKEY, &complete),
	                 0);
	assert_true(complete);
	srvauth_methods_free(m);

	/* Nothing left: an error, as sshd refuses to start. */
	conf_defaults(&c);
	c.authentication_methods = none_left;
	c.use_pam = 0;
	c.password_authentication = 0;
	m = (struct srvauth_methods *)&c;
	assert_int_equal(srvauth_methods_new(&c, &m),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(m);
	/* keyboard-interactive:pam is keyboard-interactive. */
	c.use_pam = 1;
	m = methods(&c);
	assert_string_equal(srvauth_methods_next(m), "keyboard-interactive");
	srvauth_methods_free(m);
	srvauth_methods_free(NULL);
	assert_string_equal(srvauth_methods_next(NULL), "");
}

/* ---- PermitRootLogin ---- */

static void
test_root_policy(void **state)
{
	static const struct {
		enum servconf_root p;
		enum srvauth_method m;
		bool forced, want;
	} table[] = {
	    {SERVCONF_ROOT_YES, SRVAUTH_PASSWORD, false, true},
	    {SERVCONF_ROOT_YES, SRVAUTH_KBDINT, false, true},
	    {SERVCONF_ROOT_YES, SRVAUTH_PUBKEY, false, true},
	    {SERVCONF_ROOT_PROHIBIT_PASSWORD, SRVAUTH_PUBKEY, false, true},
	    {SERVCONF_ROOT_PROHIBIT_PASSWORD, SRVAUTH_PUBKEY, true, true},
	    {SERVCONF_ROOT_PROHIBIT_PASSWORD, SRVAUTH_PASSWORD, false, false},
	    {SERVCONF_ROOT_PROHIBIT_PASSWORD, SRVAUTH_KBDINT, false, false},
	    {SERVCONF_ROOT_UNSET, SRVAUTH_PUBKEY, false, true},
	    {SERVCONF_ROOT_UNSET, SRVAUTH_PASSWORD, false, false},
	    {SERVCONF_ROOT_FORCED_COMMANDS_ONLY, SRVAUTH_PUBKEY, true, true},
	    {SERVCONF_ROOT_FORCED_COMMANDS_ONLY, SRVAUTH_PUBKEY, false, false},
	    {SERVCONF_ROOT_FORCED_COMMANDS_ONLY, SRVAUTH_PASSWORD, true, false},
	    {SERVCONF_ROOT_FORCED_COMMANDS_ONLY, SRVAUTH_KBDINT, false, false},
	    {SERVCONF_ROOT_NO, SRVAUTH_PUBKEY, true, false},
	    {SERVCONF_ROOT_NO, SRVAUTH_PUBKEY, false, false},
	    {SERVCONF_ROOT_NO, SRVAUTH_PASSWORD, false, false},
	};
	struct srv_user root = {.name = "root", .uid = 0, .valid = true};
	struct srv_user bob = {.name = "bob", .uid = 1000, .valid = true};
	struct servconf c;
	size_t i;

	(void)state;
	conf_defaults(&c);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		c.permit_root_login = table[i].p;
		if (srvauth_root_allowed(&c, &root, table[i].m,
		                         table[i].forced) != table[i].want) {
			fail_msg("row %zu", i);
		}
		assert_true(srvauth_root_allowed(&c, &bob, table[i].m,
		                                 table[i].forced));
	}
}

/* ---- user lookup and account checks ---- */

static void
lookup_me(struct srv_user *u)
{
	struct passwd *pw = getpwuid(getuid());

	assert_non_null(pw);
	assert_int_equal(srvauth_user_lookup(pw->pw_name, u), 0);
	assert_true(u->valid);
	assert_int_equal(u->uid, getuid());
	assert_int_equal(u->gid, pw->pw_gid);
	assert_string_equal(u->home, pw->pw_dir);
}

/* Runs the account checks; returns ok and checks why's presence. */
static bool
allowed(const struct servconf *c, const struct srv_user *u, const char *rhost,
        const char *raddr, const char *want_why)
{
	char *why = NULL;
	bool ok = true;

	assert_int_equal(srvauth_account_allowed(c, u, rhost, raddr, &ok, &why),
	                 0);
	if (ok) {
		assert_null(why);
	} else {
		assert_non_null(why);
		if (want_why != NULL && strstr(why, want_why) == NULL) {
			fail_msg("why \"%s\" lacks \"%s\"", why, want_why);
		}
	}
	free(why);
	return ok;
}

static void
test_user_lookup(void **state)
{
	struct srv_user u, f;
	struct group *gr;
	bool found = false;
	size_t i;

	(void)state;
	lookup_me(&u);
	gr = getgrgid(u.gid);
	assert_non_null(u.groups);
	for (i = 0; u.groups[i] != NULL; i++) {
		found = found ||
		        (gr != NULL && strcmp(u.groups[i], gr->gr_name) == 0);
	}
	assert_true(gr == NULL || found);
	srv_user_clear(&u);
	srv_user_clear(NULL);

	/* Unknown: a plausible fake that is never valid. */
	assert_int_equal(srvauth_user_lookup("seshnosuchuser4711", &f), 0);
	assert_false(f.valid);
	assert_string_equal(f.name, "seshnosuchuser4711");
	assert_non_null(f.home);
	assert_non_null(f.shell);
	assert_non_null(f.groups);
	assert_null(f.groups[0]);
	srv_user_clear(&f);
	assert_int_equal(srvauth_user_lookup(NULL, &f),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_account(void **state)
{
	struct servconf c;
	struct srv_user u, f;
	char *list[4] = {NULL};
	char pat[256], grp[256];
	char *saved_shell;

	(void)state;
	conf_defaults(&c);
	lookup_me(&u);
	assert_non_null(u.groups[0]);
	snprintf(grp, sizeof(grp), "%s", u.groups[0]);
	assert_true(allowed(&c, &u, "127.0.0.1", "127.0.0.1", NULL));

	/* Unknown users never pass. */
	assert_int_equal(srvauth_user_lookup("seshnosuchuser4711", &f), 0);
	assert_false(allowed(&c, &f, "127.0.0.1", "127.0.0.1",
	                     "Invalid user seshnosuchuser4711 from "
	                     "127.0.0.1"));
	srv_user_clear(&f);

	/* DenyUsers: name, wildcard, user@host with CIDR. */
	c.deny_users = list;
	list[0] = u.name;
	assert_false(allowed(&c, &u, "127.0.0.1", "127.0.0.1",
	                     "not allowed because listed in DenyUsers"));
	list[0] = "*";
	assert_false(allowed(&c, &u, "127.0.0.1", "127.0.0.1", "DenyUsers"));
	snprintf(pat, sizeof(pat), "%s@10.0.0.0/8", u.name);
	list[0] = pat;
	assert_true(allowed(&c, &u, "127.0.0.1", "127.0.0.1", NULL));
	assert_false(allowed(&c, &u, "10.9.8.7", "10.9.8.7", "DenyUsers"));
	list[0] = "someoneelse";
	assert_true(allowed(&c, &u, "127.0.0.1", "127.0.0.1", NULL));
	c.deny_users = NULL;

	/* AllowUsers. */
	c.allow_users = list;
	list[0] = "someoneelse";
	list[1] = NULL;
	assert_false(allowed(&c, &u, "127.0.0.1", "127.0.0.1",
	                     "not allowed because not listed in AllowUsers"));
	list[1] = u.name;
	list[2] = NULL;
	assert_true(allowed(&c, &u, "127.0.0.1", "127.0.0.1", NULL));
	snprintf(pat, sizeof(pat), "%s@127.0.0.1", u.name);
	list[1] = pat;
	assert_true(allowed(&c, &u, "localhost", "127.0.0.1", NULL));
	assert_false(allowed(&c, &u, "192.0.2.1", "192.0.2.1", "AllowUsers"));
	snprintf(pat, sizeof(pat), "?*@*.example.org");
	assert_true(allowed(&c, &u, "h.example.org", "192.0.2.1", NULL));
	assert_false(allowed(&c, &u, "h.example.net", "192.0.2.1", "User "));
	/* DenyUsers is checked before AllowUsers. */
	list[1] = u.name;
	c.deny_users = list + 1;
	assert_false(allowed(&c, &u, "127.0.0.1", "127.0.0.1", "DenyUsers"));
	c.deny_users = NULL;
	c.allow_users = NULL;

	/* Groups. */
	list[0] = grp;
	list[1] = NULL;
	c.deny_groups = list;
	assert_false(allowed(&c, &u, "127.0.0.1", "127.0.0.1",
	                     "not allowed because a group is listed in "
	                     "DenyGroups"));
	c.deny_groups = NULL;
	c.allow_groups = list;
	assert_true(allowed(&c, &u, "127.0.0.1", "127.0.0.1", NULL));
	list[0] = "seshnosuchgroup*";
	assert_false(allowed(&c, &u, "127.0.0.1", "127.0.0.1",
	                     "none of user's groups are listed in "
	                     "AllowGroups"));
	list[0] = "*";
	assert_true(allowed(&c, &u, "127.0.0.1", "127.0.0.1", NULL));
	c.allow_groups = NULL;

	/* Shells. */
	saved_shell = u.shell;
	u.shell = "/nonexistent/seshsh";
	assert_false(allowed(&c, &u, "127.0.0.1", "127.0.0.1",
	                     "shell /nonexistent/seshsh does not exist"));
	u.shell = "/etc/passwd";
	assert_false(allowed(&c, &u, "127.0.0.1", "127.0.0.1",
	                     "shell /etc/passwd is not executable"));
	u.shell = "/";
	assert_false(
	    allowed(&c, &u, "127.0.0.1", "127.0.0.1", "is not executable"));
	/* With a ChrootDirectory the shell is not checked. */
	c.chroot_directory = "/var/empty";
	assert_true(allowed(&c, &u, "127.0.0.1", "127.0.0.1", NULL));
	c.chroot_directory = NULL;
	u.shell = saved_shell;
	srv_user_clear(&u);
}

/* ---- publickey ---- */

struct home {
	char dir[64];
	char ssh[96];
	char ak[128];
	struct srv_user u;
	struct sshkey *key, *other;
	char line[1024];  /* the key's .pub line */
	char oline[1024]; /* the other key's */
};

static void
pub_line(const struct sshkey *k, char *out, size_t max)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(key_to_pub_line(k, false, &b), 0);
	assert_true(buf_len(&b) < max);
	memcpy(out, buf_data(&b), buf_len(&b));
	out[buf_len(&b)] = '\0';
	buf_clear(&b);
}

static int
home_setup(void **state)
{
	struct home *h = calloc(1, sizeof(*h));
	struct passwd *pw = getpwuid(getuid());

	assert_non_null(h);
	assert_non_null(pw);
	snprintf(h->dir, sizeof(h->dir), "/tmp/sesh-srvauth.XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->ssh, sizeof(h->ssh), "%s/.ssh", h->dir);
	snprintf(h->ak, sizeof(h->ak), "%s/authorized_keys", h->ssh);
	assert_int_equal(mkdir(h->ssh, 0700), 0);
	h->u.name = strdup(pw->pw_name);
	h->u.home = strdup(h->dir);
	h->u.shell = strdup("/bin/sh");
	h->u.uid = getuid();
	h->u.gid = getgid();
	h->u.valid = true;
	assert_int_equal(key_generate(KEY_ED25519, 0, &h->key), 0);
	assert_int_equal(key_generate(KEY_ECDSA_P256, 0, &h->other), 0);
	pub_line(h->key, h->line, sizeof(h->line));
	pub_line(h->other, h->oline, sizeof(h->oline));
	*state = h;
	return 0;
}

static int
home_teardown(void **state)
{
	struct home *h = *state;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot remove %s\n", h->dir);
	}
	free(h->u.name);
	free(h->u.home);
	free(h->u.shell);
	key_free(h->key);
	key_free(h->other);
	free(h);
	return 0;
}

static void
write_file(const char *path, mode_t mode, const char *text)
{
	FILE *f;

	(void)unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* authorized_keys = the lines given (each followed by '\n'). */
static void
set_keys(const struct home *h, const char *path, const char *l1, const char *l2)
{
	char text[10240];

	snprintf(text, sizeof(text), "%s\n%s%s", l1, l2 != NULL ? l2 : "",
	         l2 != NULL ? "\n" : "");
	write_file(path != NULL ? path : h->ak, 0600, text);
}

static bool
pubkey_ok(const struct servconf *c, const struct home *h,
          const struct srv_user *u, const char *rhost, const char *raddr,
          struct srv_keyopts *opts)
{
	struct srv_keyopts o;
	bool ok = true;

	assert_int_equal(srvauth_pubkey_allowed(c, u != NULL ? u : &h->u,
	                                        h->key, rhost, raddr,
	                                        (uint64_t)time(NULL), &ok, &o),
	                 0);
	if (opts != NULL) {
		*opts = o;
	} else {
		srv_keyopts_clear(&o);
	}
	return ok;
}

static void
test_pubkey_basic(void **state)
{
	struct home *h = *state;
	struct servconf c;
	struct srv_keyopts o;
	struct srv_user fake;
	char want[256], line[4096];

	conf_defaults(&c);
	/* No file. */
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	/* Only another key. */
	set_keys(h, NULL, "# comment", h->oline);
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	/* Found, on line 3, after a bad line. */
	snprintf(line, sizeof(line), "bogus-option %s\n%s", h->line, h->line);
	set_keys(h, NULL, h->oline, line);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", &o));
	snprintf(want, sizeof(want), "%s:3", h->ak);
	assert_string_equal(o.where, want);
	assert_null(o.command);
	assert_null(o.environment);
	assert_false(o.no_pty);
	assert_false(o.no_port_forwarding);
	assert_int_equal(o.expiry, 0);
	srv_keyopts_clear(&o);
	srv_keyopts_clear(NULL);

	/* A cert-authority line is not a plain key. */
	snprintf(line, sizeof(line), "cert-authority %s", h->line);
	set_keys(h, NULL, line, NULL);
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));

	/* The second default file. */
	(void)unlink(h->ak);
	snprintf(want, sizeof(want), "%s/authorized_keys2", h->ssh);
	set_keys(h, want, h->line, NULL);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	(void)unlink(want);

	/* An unknown user with the same home never matches. */
	set_keys(h, NULL, h->line, NULL);
	fake = h->u;
	fake.valid = false;
	assert_false(pubkey_ok(&c, h, &fake, "127.0.0.1", "127.0.0.1", NULL));
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));

	/* Not a regular file; a FIFO must not block. */
	(void)unlink(h->ak);
	assert_int_equal(mkfifo(h->ak, 0600), 0);
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	(void)unlink(h->ak);
	assert_int_equal(mkdir(h->ak, 0700), 0);
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	assert_int_equal(rmdir(h->ak), 0);

	assert_int_equal(srvauth_pubkey_allowed(&c, &h->u, NULL, NULL, NULL, 0,
	                                        &fake.valid, &o),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_pubkey_options(void **state)
{
	struct home *h = *state;
	struct servconf c;
	struct srv_keyopts o;
	char line[4096];

	conf_defaults(&c);
	snprintf(line, sizeof(line),
	         "restrict,pty,command=\"echo \\\"hi\\\"\","
	         "environment=\"A=B\",environment=\"C=D\" %s",
	         h->line);
	set_keys(h, NULL, line, NULL);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", &o));
	assert_string_equal(o.command, "echo \"hi\"");
	assert_false(o.no_pty);
	assert_true(o.no_port_forwarding);
	assert_true(o.no_agent_forwarding);
	assert_true(o.no_x11_forwarding);
	assert_true(o.no_user_rc);
	/* environment= only with PermitUserEnvironment. */
	assert_null(o.environment);
	srv_keyopts_clear(&o);
	c.permit_user_environment = 1;
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", &o));
	assert_non_null(o.environment);
	assert_string_equal(o.environment[0], "A=B");
	assert_string_equal(o.environment[1], "C=D");
	assert_null(o.environment[2]);
	srv_keyopts_clear(&o);
	c.permit_user_environment = 0;

	snprintf(line, sizeof(line),
	         "no-pty,no-port-forwarding,no-agent-forwarding,"
	         "no-X11-forwarding %s",
	         h->line);
	set_keys(h, NULL, line, NULL);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", &o));
	assert_true(o.no_pty);
	assert_true(o.no_port_forwarding);
	assert_true(o.no_agent_forwarding);
	assert_true(o.no_x11_forwarding);
	assert_false(o.no_user_rc);
	assert_null(o.command);
	srv_keyopts_clear(&o);

	/* expiry-time: past refused, future accepted and reported. */
	snprintf(line, sizeof(line), "expiry-time=\"20000101\" %s", h->line);
	set_keys(h, NULL, line, NULL);
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	snprintf(line, sizeof(line), "expiry-time=\"29990101Z\" %s", h->line);
	set_keys(h, NULL, line, NULL);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", &o));
	assert_int_equal(o.expiry, 32472144000ull);
	srv_keyopts_clear(&o);
}

static void
test_pubkey_from(void **state)
{
	struct home *h = *state;
	struct servconf c;
	struct srv_keyopts o;
	char line[4096], second[4096];

	conf_defaults(&c);
	snprintf(line, sizeof(line), "from=\"127.0.0.1\" %s", h->line);
	set_keys(h, NULL, line, NULL);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	assert_false(pubkey_ok(&c, h, NULL, "10.1.2.3", "10.1.2.3", NULL));

	snprintf(line, sizeof(line), "from=\"10.0.0.0/8,!10.1.0.0/16\" %s",
	         h->line);
	set_keys(h, NULL, line, NULL);
	assert_true(pubkey_ok(&c, h, NULL, "10.2.3.4", "10.2.3.4", NULL));
	assert_false(pubkey_ok(&c, h, NULL, "10.1.2.3", "10.1.2.3", NULL));
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));

	snprintf(line, sizeof(line), "from=\"*.example.org\" %s", h->line);
	set_keys(h, NULL, line, NULL);
	assert_true(pubkey_ok(&c, h, NULL, "a.example.org", "192.0.2.1", NULL));
	assert_false(
	    pubkey_ok(&c, h, NULL, "a.example.com", "192.0.2.1", NULL));

	/* An invalid list refuses the key. */
	snprintf(line, sizeof(line), "from=\"10.0.0.1/8\" %s", h->line);
	set_keys(h, NULL, line, NULL);
	assert_false(pubkey_ok(&c, h, NULL, "10.0.0.1", "10.0.0.1", NULL));

	/* A refused line does not stop the search. */
	snprintf(line, sizeof(line), "from=\"192.0.2.0/24\" %s", h->line);
	snprintf(second, sizeof(second), "no-pty %s", h->line);
	set_keys(h, NULL, line, second);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", &o));
	assert_true(o.no_pty);
	assert_non_null(strstr(o.where, ":2"));
	srv_keyopts_clear(&o);
}

/*
 * An unknown user's name came from the client and was never checked:
 * %u expands to "NOUSER" (as sshd's fake user), so a name such as
 * "../../x" cannot steer which file is opened (as root, in seshd). The
 * path tried is seen in the debug log.
 */
static void
unknown_user_path(const struct home *h, struct servconf *c, char **files)
{
	char logpath[] = "/tmp/test_srvauth_log_XXXXXX";
	struct srv_user fake = h->u;
	enum log_level lvl = log_get_level();
	char *text, want[300];
	size_t n;
	int fd;

	fd = mkstemp(logpath);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(log_to_file(logpath), 0);
	log_set_level(LOG_LVL_DEBUG1);
	fake.name = "../../evil";
	fake.valid = false;
	files[0] = "%h/keys/%u";
	files[1] = NULL;
	assert_false(pubkey_ok(c, h, &fake, "127.0.0.1", "127.0.0.1", NULL));
	log_to_stderr();
	log_set_level(lvl);
	text = (char *)test_read_file(logpath, &n);
	unlink(logpath);
	snprintf(want, sizeof(want), "'%s/keys/NOUSER'", h->dir);
	assert_non_null(strstr(text, want));
	assert_null(strstr(text, "keys/../../evil"));
	free(text);
}

static void
test_pubkey_files(void **state)
{
	struct home *h = *state;
	struct servconf c;
	struct srv_keyopts o;
	char *files[3] = {NULL};
	char path[256], want[300];

	conf_defaults(&c);
	c.authorized_keys_files = files;
	(void)unlink(h->ak);

	/* %h and %u. */
	snprintf(path, sizeof(path), "%s/keys", h->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/keys/%s", h->dir, h->u.name);
	set_keys(h, path, h->line, NULL);
	files[0] = "%h/keys/%u";
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", &o));
	snprintf(want, sizeof(want), "%s:1", path);
	assert_string_equal(o.where, want);
	srv_keyopts_clear(&o);
	/* Relative to home. */
	files[0] = "keys/%u";
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	/* An unknown token spoils only its own entry. */
	files[0] = "keys/%q";
	files[1] = "keys/%u";
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	files[1] = NULL;
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	/* %% is a percent sign. */
	snprintf(path, sizeof(path), "%s/keys/100%%", h->dir);
	set_keys(h, path, h->line, NULL);
	files[0] = "%h/keys/100%%";
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	/* "none". */
	files[0] = "none";
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	unknown_user_path(h, &c, files);
}

static void
test_pubkey_strict_modes(void **state)
{
	struct home *h = *state;
	struct servconf c;

	conf_defaults(&c);
	set_keys(h, NULL, h->line, NULL);
	assert_int_equal(chmod(h->dir, 0755), 0);
	assert_int_equal(chmod(h->ssh, 0700), 0);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	/* A readable file is fine; writable by others is not. */
	assert_int_equal(chmod(h->ak, 0644), 0);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	assert_int_equal(chmod(h->ak, 0620), 0);
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	assert_int_equal(chmod(h->ak, 0602), 0);
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	c.strict_modes = 0;
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	c.strict_modes = 1;
	assert_int_equal(chmod(h->ak, 0600), 0);
	/* ~/.ssh group-writable. */
	assert_int_equal(chmod(h->ssh, 0770), 0);
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	c.strict_modes = 0;
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	c.strict_modes = 1;
	assert_int_equal(chmod(h->ssh, 0700), 0);
	/* Home group-writable. */
	assert_int_equal(chmod(h->dir, 0775), 0);
	assert_false(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	assert_int_equal(chmod(h->dir, 0755), 0);
	assert_true(pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	/* Above home (here /tmp, world-writable) is not checked. */
	/* A file owned by someone else (root can arrange that). */
	if (geteuid() == 0) {
		assert_int_equal(chown(h->ak, 4242, 4242), 0);
		assert_false(
		    pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
		assert_int_equal(chown(h->ak, getuid(), getgid()), 0);
		assert_int_equal(chown(h->ssh, 4242, 4242), 0);
		assert_false(
		    pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
		assert_int_equal(chown(h->ssh, getuid(), getgid()), 0);
		assert_true(
		    pubkey_ok(&c, h, NULL, "127.0.0.1", "127.0.0.1", NULL));
	} else {
		print_message("skipping ownership checks: not root\n");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_methods),
	    cmocka_unit_test(test_root_policy),
	    cmocka_unit_test(test_user_lookup),
	    cmocka_unit_test(test_account),
	    cmocka_unit_test_setup_teardown(test_pubkey_basic, home_setup,
	                                    home_teardown),
	    cmocka_unit_test_setup_teardown(test_pubkey_options, home_setup,
	                                    home_teardown),
	    cmocka_unit_test_setup_teardown(test_pubkey_from, home_setup,
	                                    home_teardown),
	    cmocka_unit_test_setup_teardown(test_pubkey_files, home_setup,
	                                    home_teardown),
	    cmocka_unit_test_setup_teardown(test_pubkey_strict_modes,
	                                    home_setup, home_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
