/*
 * test_authfile.c - authorized_keys lines: the fixture file
 * (tests/vectors/hostfile/authorized_keys, keys from OpenSSH's ssh-keygen)
 * with every documented option, option semantics (restrict ordering,
 * quoting, duplicates, expiry times, permitopen/permitlisten forms,
 * tunnel), bad options rejecting the line, the options-vs-key decision,
 * truncation / bit-flip sweeps, and from= matching (addresses, CIDR
 * blocks, host names, negation, invalid lists).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "base/err.h"
#include "base/limits.h"
#include "key/authfile.h"
#include "key/key.h"

#define VEC SESH_VECTORS_DIR "/hostfile/"

/* An ed25519 public key body (from an ssh-keygen run). */
#define ED                                                                     \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGO03B5pRhdW1lGygG1Mp1sYSpio"     \
	"NJpONv06UzX1S3Ku"

static char *
slurp(const char *name, size_t *n)
{
	char path[512];

	snprintf(path, sizeof(path), VEC "%s", name);
	return test_read_file(path, n);
}

struct lines {
	const char *p[32];
	size_t n[32];
	size_t count;
};

static void
split(const char *text, size_t len, struct lines *l)
{
	size_t pos = 0;

	l->count = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		assert_true(l->count < 32);
		l->p[l->count] = text + pos;
		l->n[l->count] = n;
		l->count++;
		pos += n + (nl ? 1 : 0);
	}
}

static void
assert_defaults(const struct authkey_opts *o)
{
	assert_false(o->restricted);
	assert_true(o->permit_port_forwarding);
	assert_true(o->permit_agent_forwarding);
	assert_true(o->permit_x11_forwarding);
	assert_true(o->permit_pty);
	assert_true(o->permit_user_rc);
	assert_false(o->cert_authority);
	assert_null(o->force_command);
	assert_null(o->from);
	assert_null(o->principals);
	assert_int_equal(o->nenv, 0);
	assert_int_equal(o->npermitopen, 0);
	assert_int_equal(o->npermitlisten, 0);
	assert_false(o->has_tunnel);
	assert_int_equal(o->expiry, 0);
}

static void
test_fixture(void **state)
{
	struct authkey_entry e;
	struct lines l;
	const char *why;
	size_t len;
	char *text = slurp("authorized_keys", &len);

	(void)state;
	split(text, len, &l);
	assert_int_equal(l.count, 9);

	assert_int_equal(authfile_parse_line(l.p[0], l.n[0], &e, &why), 0);
	assert_int_equal(e.kind, AUTHFILE_LINE_COMMENT);
	assert_int_equal(authfile_parse_line(l.p[5], l.n[5], &e, &why), 0);
	assert_int_equal(e.kind, AUTHFILE_LINE_COMMENT);

	assert_int_equal(authfile_parse_line(l.p[1], l.n[1], &e, &why), 0);
	assert_int_equal(e.kind, AUTHFILE_LINE_ENTRY);
	assert_false(e.has_options);
	assert_defaults(&e.opts);
	assert_int_equal(e.key->type, KEY_ED25519);
	assert_string_equal(e.key->comment, "alice@laptop");
	authfile_entry_clear(&e);

	assert_int_equal(authfile_parse_line(l.p[2], l.n[2], &e, &why), 0);
	assert_true(e.has_options);
	assert_true(e.opts.restricted);
	assert_false(e.opts.permit_pty);
	assert_false(e.opts.permit_port_forwarding);
	assert_false(e.opts.permit_agent_forwarding);
	assert_false(e.opts.permit_x11_forwarding);
	assert_false(e.opts.permit_user_rc);
	assert_string_equal(e.opts.force_command, "dump /home");
	assert_int_equal(e.key->type, KEY_ECDSA_P256);
	assert_string_equal(e.key->comment, "bob@desk");
	authfile_entry_clear(&e);

	assert_int_equal(authfile_parse_line(l.p[3], l.n[3], &e, &why), 0);
	assert_int_equal(e.opts.npermitopen, 2);
	assert_string_equal(e.opts.permitopen[0].host, "192.0.2.1");
	assert_int_equal(e.opts.permitopen[0].port, 80);
	assert_string_equal(e.opts.permitopen[1].host, "2001:db8::1");
	assert_int_equal(e.opts.permitopen[1].port, 25);
	assert_int_equal(e.key->type, KEY_RSA);
	authfile_entry_clear(&e);

	assert_int_equal(authfile_parse_line(l.p[4], l.n[4], &e, &why), 0);
	assert_false(e.opts.permit_pty);
	assert_true(e.opts.permit_port_forwarding);
	assert_int_equal(e.opts.nenv, 2);
	assert_string_equal(e.opts.env[0], "LANG=C");
	assert_string_equal(e.opts.env[1], "A_B=x y");
	assert_string_equal(e.opts.from, "*.example.com,!bad.example.com");
	assert_null(e.key->comment);
	authfile_entry_clear(&e);

	assert_int_equal(authfile_parse_line(l.p[6], l.n[6], &e, &why), 0);
	assert_true(e.opts.cert_authority);
	assert_string_equal(e.opts.principals, "alice,bob");
	assert_int_equal(e.opts.expiry, 1893456000); /* 2030-01-01Z */
	authfile_entry_clear(&e);

	assert_int_equal(authfile_parse_line(l.p[7], l.n[7], &e, &why), 0);
	assert_string_equal(e.opts.force_command, "echo \"quoted\" word");
	assert_true(e.opts.has_tunnel);
	assert_int_equal(e.opts.tunnel, 3);
	assert_string_equal(e.key->comment, "with comment");
	authfile_entry_clear(&e);

	/* ssh-dss: no options, a key type sesh does not implement. */
	assert_int_equal(authfile_parse_line(l.p[8], l.n[8], &e, &why),
	                 SESH_ERR_KEY_TYPE_UNKNOWN);
	assert_null(e.key);
	free(text);
}

static int
opts(const char *s, struct authkey_opts *o, const char **why)
{
	return authfile_parse_options(s, strlen(s), o, why);
}

static void
test_option_semantics(void **state)
{
	struct authkey_opts o;
	const char *why;

	(void)state;
	/* Left to right: restrict then pty allows a pty... */
	assert_int_equal(opts("restrict,pty", &o, &why), 0);
	assert_null(why);
	assert_true(o.permit_pty);
	assert_false(o.permit_agent_forwarding);
	authfile_opts_clear(&o);
	/* ...pty then restrict does not. */
	assert_int_equal(opts("pty,restrict", &o, &why), 0);
	assert_false(o.permit_pty);
	authfile_opts_clear(&o);
	/* Case-insensitive keywords, every flag. */
	assert_int_equal(opts("NO-PTY,No-Port-Forwarding,no-agent-forwarding,"
	                      "no-X11-forwarding,no-user-rc,"
	                      "no-touch-required,verify-required,"
	                      "cert-authority",
	                      &o, &why),
	                 0);
	assert_false(o.permit_pty);
	assert_false(o.permit_port_forwarding);
	assert_false(o.permit_agent_forwarding);
	assert_false(o.permit_x11_forwarding);
	assert_false(o.permit_user_rc);
	assert_true(o.no_require_user_presence);
	assert_true(o.require_verify);
	assert_true(o.cert_authority);
	assert_false(o.restricted);
	authfile_opts_clear(&o);
	assert_int_equal(opts("restrict,port-forwarding,agent-forwarding,"
	                      "X11-forwarding,user-rc",
	                      &o, &why),
	                 0);
	assert_true(o.permit_port_forwarding && o.permit_agent_forwarding &&
	            o.permit_x11_forwarding && o.permit_user_rc);
	assert_false(o.permit_pty);
	authfile_opts_clear(&o);
	/* Quoting: spaces, commas and \" inside; other backslashes kept. */
	assert_int_equal(opts("command=\"a, b \\\"c\\\" \\\\n\"", &o, &why), 0);
	assert_string_equal(o.force_command, "a, b \"c\" \\\\n");
	authfile_opts_clear(&o);
	assert_int_equal(opts("command=\"\"", &o, &why), 0);
	assert_string_equal(o.force_command, "");
	authfile_opts_clear(&o);
	/* environment: first of a name wins. */
	assert_int_equal(opts("environment=\"A=1\",environment=\"B=2\","
	                      "environment=\"A=3\"",
	                      &o, &why),
	                 0);
	assert_int_equal(o.nenv, 2);
	assert_string_equal(o.env[0], "A=1");
	assert_string_equal(o.env[1], "B=2");
	authfile_opts_clear(&o);
	/* permitlisten forms. */
	assert_int_equal(opts("permitlisten=\"8080\",permitlisten=\"localhost:"
	                      "*\",permitlisten=\"[::1]:22000\"",
	                      &o, &why),
	                 0);
	assert_int_equal(o.npermitlisten, 3);
	assert_null(o.permitlisten[0].host);
	assert_int_equal(o.permitlisten[0].port, 8080);
	assert_string_equal(o.permitlisten[1].host, "localhost");
	assert_int_equal(o.permitlisten[1].port, AUTHKEY_PORT_ANY);
	assert_string_equal(o.permitlisten[2].host, "::1");
	assert_int_equal(o.permitlisten[2].port, 22000);
	authfile_opts_clear(&o);
	/* expiry-time forms; several keep the earliest. */
	assert_int_equal(opts("expiry-time=\"203001010000Z\"", &o, &why), 0);
	assert_int_equal(o.expiry, 1893456000);
	authfile_opts_clear(&o);
	assert_int_equal(opts("expiry-time=\"20300101000001Z\","
	                      "expiry-time=\"20291231235959Z\"",
	                      &o, &why),
	                 0);
	assert_int_equal(o.expiry, 1893455999);
	authfile_opts_clear(&o);
	assert_int_equal(opts("expiry-time=\"20300101\"", &o, &why), 0);
	assert_true(o.expiry > 1893456000 - 15 * 3600 &&
	            o.expiry < 1893456000 + 15 * 3600);
	authfile_opts_clear(&o);
	assert_int_equal(opts("tunnel=\"any\"", &o, &why), 0);
	assert_int_equal(o.tunnel, AUTHKEY_TUN_ANY);
	authfile_opts_clear(&o);
	assert_int_equal(opts("tunnel=\"0\"", &o, &why), 0);
	assert_true(o.has_tunnel);
	assert_int_equal(o.tunnel, 0);
	authfile_opts_clear(&o);
	authfile_opts_clear(NULL);
}

static void
test_bad_options(void **state)
{
	static const struct {
		const char *s;
		const char *why;
	} bad[] = {
	    {"bogus", "unknown key option"},
	    {"no-pty,bogus", "unknown key option"},
	    {"no-pty=\"x\"", "unknown key option"},
	    {"restrict=\"x\"", "unknown key option"},
	    {"command", "unknown key option"},
	    {"no-pty,", "unexpected end of options"},
	    {",no-pty", "unknown key option"},
	    {"no-pty,,pty", "unknown key option"},
	    {"command=x", "missing start quote"},
	    {"command=\"x", "missing end quote"},
	    {"command=\"x\\\"", "missing end quote"},
	    {"command=\"x\"y", "unexpected character after option"},
	    {"command=\"a\",command=\"b\"", "multiple \"command\" clauses"},
	    {"from=\"a\",from=\"b\"", "multiple \"from\" clauses"},
	    {"principals=\"a\",principals=\"b\"",
	     "multiple \"principals\" clauses"},
	    {"tunnel=\"1\",tunnel=\"2\"", "multiple \"tunnel\" clauses"},
	    {"environment=\"NOEQUALS\"", "invalid environment string"},
	    {"environment=\"=v\"", "invalid environment string"},
	    {"environment=\"A-B=v\"", "invalid environment string"},
	    {"permitopen=\"host\"", "missing port in permission"},
	    {"permitopen=\":80\"", "missing host in permission"},
	    {"permitopen=\"h:0\"", "invalid port in permission"},
	    {"permitopen=\"h:65536\"", "invalid port in permission"},
	    {"permitopen=\"h:8x\"", "invalid port in permission"},
	    {"permitopen=\"[::1:80\"", "invalid host in permission"},
	    {"permitopen=\"[::1]80\"", "invalid host in permission"},
	    {"permitlisten=\"x\"", "invalid listen port"},
	    {"expiry-time=\"2030\"", "invalid expiry time"},
	    {"expiry-time=\"20300230\"", "invalid expiry time"},
	    {"expiry-time=\"20301301Z\"", "invalid expiry time"},
	    {"expiry-time=\"203001012400Z\"", "invalid expiry time"},
	    {"expiry-time=\"20300101Zx\"", "invalid expiry time"},
	    {"expiry-time=\"19000101Z\"", "invalid expiry time"},
	    {"tunnel=\"x\"", "invalid tun device"},
	    {"tunnel=\"2147483646\"", "invalid tun device"},
	    {"tunnel=\"\"", "invalid tun device"},
	};
	struct authkey_opts o;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = opts(bad[i].s, &o, &why);

		if (ret == 0) {
			fail_msg("accepted bad options %s", bad[i].s);
		}
		assert_int_equal(ret, SESH_ERR_INVALID_FORMAT);
		assert_non_null(why);
		if (strcmp(why, bad[i].why) != 0) {
			fail_msg("%s: reason '%s', expected '%s'", bad[i].s,
			         why, bad[i].why);
		}
		assert_defaults(&o);
	}
	assert_int_equal(authfile_parse_options("", 0, &o, &why),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(authfile_parse_options("x", 1, NULL, &why),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_line_forms(void **state)
{
	struct authkey_entry e;
	const char *why;
	static const char l1[] = "  command=\"a b\",no-pty\t " ED " c d\r\n";
	static const char l2[] = "from=\"*.x\" ssh-dss AAAAB3NzaC1kc3M=";
	static const char l3[] = "sk-ssh-ed25519@openssh.com AAAA";
	static const char l4[] = "bogus-option " ED;
	static const char l5[] = "command=\"x\"";
	static const char l6[] = "command=\"x\"   ";
	static const char l7[] = "command=\"x y " ED;
	static const char l8[] = ED;
	static const char l9[] = "\t# comment " ED;
	static const char l10[] = "no-pty ssh-ed25519 !!!!";

	(void)state;
	assert_int_equal(authfile_parse_line(l1, strlen(l1), &e, &why), 0);
	assert_true(e.has_options);
	assert_string_equal(e.opts.force_command, "a b");
	assert_false(e.opts.permit_pty);
	assert_string_equal(e.key->comment, "c d");
	authfile_entry_clear(&e);
	assert_int_equal(authfile_parse_line(l2, strlen(l2), &e, &why),
	                 SESH_ERR_KEY_TYPE_UNKNOWN);
	assert_int_equal(authfile_parse_line(l3, strlen(l3), &e, &why),
	                 SESH_ERR_KEY_TYPE_UNKNOWN);
	assert_int_equal(authfile_parse_line(l4, strlen(l4), &e, &why),
	                 SESH_ERR_INVALID_FORMAT);
	assert_string_equal(why, "unknown key option");
	assert_null(e.key);
	assert_defaults(&e.opts);
	assert_int_equal(authfile_parse_line(l5, strlen(l5), &e, &why),
	                 SESH_ERR_INVALID_FORMAT);
	assert_string_equal(why, "no key after options");
	assert_int_equal(authfile_parse_line(l6, strlen(l6), &e, &why),
	                 SESH_ERR_INVALID_FORMAT);
	assert_int_equal(authfile_parse_line(l7, strlen(l7), &e, &why),
	                 SESH_ERR_INVALID_FORMAT);
	assert_string_equal(why, "missing end quote");
	assert_int_equal(authfile_parse_line(l8, strlen(l8), &e, &why), 0);
	assert_false(e.has_options);
	assert_null(why);
	authfile_entry_clear(&e);
	assert_int_equal(authfile_parse_line(l9, strlen(l9), &e, &why), 0);
	assert_int_equal(e.kind, AUTHFILE_LINE_COMMENT);
	assert_int_equal(authfile_parse_line(l10, strlen(l10), &e, &why),
	                 SESH_ERR_INVALID_FORMAT);
	assert_int_equal(authfile_parse_line("a\0b", 3, &e, &why),
	                 SESH_ERR_INVALID_FORMAT);
	assert_int_equal(authfile_parse_line(NULL, 0, &e, NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(authfile_parse_line(l8, SESH_MAX_LINE + 1, &e, NULL),
	                 SESH_ERR_LIMIT);
	authfile_entry_clear(NULL);
}

static void
test_sweeps(void **state)
{
	struct authkey_entry e;
	struct lines l;
	const char *why;
	size_t len, i, k, ok = 0, full = 0;
	unsigned bit;
	char *text = slurp("authorized_keys", &len);

	(void)state;
	split(text, len, &l);
	for (i = 0; i < l.count; i++) {
		char *c = malloc(l.n[i] + 1);

		assert_non_null(c);
		for (k = 0; k <= l.n[i]; k++) {
			memcpy(c, l.p[i], k);
			if (authfile_parse_line(c, k, &e, &why) == 0) {
				ok++;
				full += k == l.n[i];
			}
			authfile_entry_clear(&e);
		}
		memcpy(c, l.p[i], l.n[i]);
		for (k = 0; k < l.n[i]; k++) {
			for (bit = 0; bit < 8; bit++) {
				c[k] ^= (char)(1u << bit);
				(void)authfile_parse_line(c, l.n[i], &e, &why);
				authfile_entry_clear(&e);
				c[k] ^= (char)(1u << bit);
			}
		}
		free(c);
	}
	/* All but the ssh-dss line parse whole. */
	assert_int_equal(full, l.count - 1);
	assert_true(ok >= full);
	free(text);
}

/* from="..." against (host, addr): 1 allowed, 0 denied, -1 invalid. */
struct from_case {
	const char *pat, *host, *addr;
	int want;
};

static void
test_match_from(void **state)
{
	static const struct from_case cases[] = {
	    /* plain addresses and address wildcards */
	    {"127.0.0.1", NULL, "127.0.0.1", 1},
	    {"127.0.0.1", NULL, "127.0.0.2", 0},
	    {"127.0.0.*", NULL, "127.0.0.9", 1},
	    {"10.?.1.1", NULL, "10.2.1.1", 1},
	    {"10.?.1.1", NULL, "10.22.1.1", 0},
	    /* CIDR, IPv4 */
	    {"10.0.0.0/8", NULL, "10.200.3.4", 1},
	    {"10.0.0.0/8", NULL, "11.0.0.1", 0},
	    {"192.168.1.128/25", NULL, "192.168.1.129", 1},
	    {"192.168.1.128/25", NULL, "192.168.1.127", 0},
	    {"0.0.0.0/0", NULL, "203.0.113.7", 1},
	    {"203.0.113.7/32", NULL, "203.0.113.7", 1},
	    {"203.0.113.7/32", NULL, "203.0.113.8", 0},
	    /* negation wins */
	    {"10.0.0.0/8,!10.1.0.0/16", NULL, "10.2.3.4", 1},
	    {"10.0.0.0/8,!10.1.0.0/16", NULL, "10.1.3.4", 0},
	    {"!10.1.0.0/16,*", NULL, "10.1.3.4", 0},
	    {"!10.1.0.0/16", NULL, "192.0.2.1", 0},
	    {"*,!192.0.2.*", NULL, "192.0.2.1", 0},
	    /* IPv6, canonical comparison, v4-mapped */
	    {"2001:db8::/32", NULL, "2001:db8:1::5", 1},
	    {"2001:db8::/32", NULL, "2001:db9::5", 0},
	    {"::1", NULL, "0:0:0:0:0:0:0:1", 1},
	    {"2001:db8::/32", NULL, "10.0.0.1", 0},
	    {"127.0.0.0/8", NULL, "::ffff:127.0.0.1", 1},
	    {"fe80::/10", NULL, "fe80::1", 1},
	    /* host names: case folded wildcards, negation */
	    {"*.example.org", "host.EXAMPLE.org", "192.0.2.1", 1},
	    {"*.example.org", "host.example.net", "192.0.2.1", 0},
	    {"*,!bad.example.org", "bad.example.org", "192.0.2.1", 0},
	    {"*,!bad.example.org", "good.example.org", "192.0.2.1", 1},
	    {"!*.example.org,10.0.0.0/8", "x.example.org", "10.0.0.1", 0},
	    {"host.example.org", NULL, "192.0.2.1", 0},
	    /* invalid lists: host bits past the mask, empty entries */
	    {"10.0.0.1/8", NULL, "10.0.0.1", -1},
	    {"2001:db8::1/32", NULL, "2001:db8::1", -1},
	    {"127.0.0.1,,10.0.0.0/8", NULL, "127.0.0.1", -1},
	    {"!", NULL, "127.0.0.1", -1},
	    {"", NULL, "127.0.0.1", -1},
	    /* malformed masks are just patterns that match nothing */
	    {"10.0.0.0/33", NULL, "10.0.0.0", 0},
	    {"10.0.0.0/", NULL, "10.0.0.0", 0},
	    {"10.0.0.0/x", NULL, "10.0.0.0", 0},
	    {"10.0.0.0/8", NULL, NULL, 0},
	};
	size_t i;
	bool ok;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct from_case *c = &cases[i];

		ok = true;
		ret = authfile_match_from(c->pat, c->host, c->addr, &ok);
		if (c->want < 0) {
			if (ret != SESH_ERR_INVALID_FORMAT || ok) {
				fail_msg("case %zu (%s): ret %d ok %d", i,
				         c->pat, ret, ok);
			}
			continue;
		}
		if (ret != 0 || ok != (c->want == 1)) {
			fail_msg("case %zu (%s vs %s/%s): ret %d ok %d", i,
			         c->pat, c->host ? c->host : "-",
			         c->addr ? c->addr : "-", ret, ok);
		}
	}
	assert_int_equal(authfile_match_from(NULL, NULL, "1.2.3.4", &ok),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(authfile_match_from("*", NULL, "1.2.3.4", NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
}

/* Every prefix and bit flip of a few lists: no crash, defined result. */
static void
test_match_from_sweep(void **state)
{
	static const char *const lists[] = {
	    "10.0.0.0/8,!10.1.0.0/16,*.example.org",
	    "2001:db8::/32,!2001:db8:1::/48,::ffff:1.2.3.4",
	};
	char buf[128];
	size_t i, k, len;
	unsigned bit;
	bool ok;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		len = strlen(lists[i]);
		for (k = 0; k <= len; k++) {
			memcpy(buf, lists[i], k);
			buf[k] = '\0';
			ret = authfile_match_from(buf, "a.example.org",
			                          "10.1.2.3", &ok);
			assert_true(ret == 0 ||
			            (ret == SESH_ERR_INVALID_FORMAT && !ok));
		}
		memcpy(buf, lists[i], len + 1);
		for (k = 0; k < len; k++) {
			for (bit = 0; bit < 8; bit++) {
				buf[k] ^= (char)(1u << bit);
				if (buf[k] != '\0') {
					ret = authfile_match_from(
					    buf, "a.example.org", "2001:db8::1",
					    &ok);
					assert_true(
					    ret == 0 ||
					    (ret == SESH_ERR_INVALID_FORMAT &&
					     !ok));
				}
				buf[k] ^= (char)(1u << bit);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture),
	    cmocka_unit_test(test_option_semantics),
	    cmocka_unit_test(test_bad_options),
	    cmocka_unit_test(test_line_forms),
	    cmocka_unit_test(test_sweeps),
	    cmocka_unit_test(test_match_from),
	    cmocka_unit_test(test_match_from_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
