/*
 * test_penalty.c - per-source penalties (app/penalty.h) on a fake clock:
 * accumulation, min threshold, max cap, expiry, netblocks, exemptions,
 * both overflow modes, the -T formatting; the exempt-list parser's
 * truncation and bit-flip sweeps; and the sshd_config keywords
 * (PerSourcePenalties, PerSourcePenaltyExemptList, PerSourceMaxStartups,
 * PerSourceNetBlockSize) through servconf, including -T output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "app/penalty.h"
#include "app/servconf.h"
#include "base/err.h"
#include "base/log.h"

#define S(x) ((int64_t)(x)*1000) /* seconds on the fake clock */

static struct penalty_addr
A(const char *s) {
	struct penalty_addr a;

	assert_int_equal(penalty_addr_parse(s, &a), 0);
	return a;
}

static struct penalty_table *
table(const struct penalty_conf *pc, const char *exempt, unsigned int b4,
      unsigned int b6)
{
	struct penalty_table *t = NULL;

	assert_int_equal(penalty_table_new(pc, exempt, b4, b6, 12345, &t), 0);
	assert_non_null(t);
	return t;
}

static bool
allowed(struct penalty_table *t, const char *addr, int64_t now)
{
	struct penalty_addr a = A(addr);

	return penalty_check(t, &a, now, NULL);
}

static enum penalty_outcome
rec(struct penalty_table *t, const char *addr, enum penalty_kind k, int64_t now,
    int *secs)
{
	struct penalty_addr a = A(addr);

	return penalty_record(t, &a, k, now, secs);
}

static void
test_defaults_and_format(void **state)
{
	struct penalty_conf pc;
	char buf[512];

	(void)state;
	penalty_conf_default(&pc);
	assert_true(pc.enabled);
	assert_int_equal(penalty_conf_format(&pc, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "crash:90 authfail:5 invaliduser:5 noauth:1 "
	                         "grace-exceeded:20 max:600 min:15 "
	                         "max-sources4:65536 max-sources6:65536 "
	                         "overflow:permissive overflow6:permissive");
	assert_int_equal(penalty_conf_format(&pc, buf, 10), SESH_ERR_LIMIT);
	assert_true(strlen(buf) < 10);
	pc.enabled = false;
	assert_int_equal(penalty_conf_format(&pc, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "no");
	assert_string_equal(penalty_kind_reason(PENALTY_AUTHFAIL),
	                    "failed authentication");
	assert_string_equal(penalty_kind_name(PENALTY_GRACE), "grace-exceeded");
}

/* authfail 5s, min 15s: two failures stay deferred, the third enforces;
 * the penalty then ends on time. */
static void
test_accumulate_min(void **state)
{
	struct penalty_conf pc;
	struct penalty_table *t;
	int secs;

	(void)state;
	penalty_conf_default(&pc);
	t = table(&pc, NULL, 32, 128);
	assert_true(allowed(t, "192.0.2.1", 0));
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_AUTHFAIL, 0, &secs),
	                 PENALTY_DEFERRED);
	assert_int_equal(secs, 5);
	assert_true(allowed(t, "192.0.2.1", S(1)));
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_AUTHFAIL, S(1), &secs),
	                 PENALTY_DEFERRED);
	assert_int_equal(secs, 9); /* 4 left + 5 */
	assert_true(allowed(t, "192.0.2.1", S(2)));
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_AUTHFAIL, S(2), &secs),
	                 PENALTY_DEFERRED);
	assert_int_equal(secs, 13);
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_AUTHFAIL, S(2), &secs),
	                 PENALTY_ACTIVE);
	assert_int_equal(secs, 18);
	assert_false(allowed(t, "192.0.2.1", S(3)));
	assert_false(allowed(t, "192.0.2.1", S(2) + S(18) - 1));
	assert_true(allowed(t, "192.0.2.1", S(2) + S(18)));
	/* ended: the entry is gone, a new failure starts from zero */
	assert_int_equal(penalty_count(t, 4), 0);
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_AUTHFAIL, S(30), &secs),
	                 PENALTY_DEFERRED);
	assert_int_equal(secs, 5);
	/* a deferred penalty that runs out is forgotten */
	assert_true(allowed(t, "192.0.2.1", S(36)));
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_AUTHFAIL, S(36), &secs),
	                 PENALTY_DEFERRED);
	assert_int_equal(secs, 5);
	/* other sources are not touched */
	assert_true(allowed(t, "192.0.2.2", S(36)));
	penalty_table_free(t);
}

/* A crash (90s >= min) enforces at once; max caps accumulation. */
static void
test_crash_and_max(void **state)
{
	struct penalty_conf pc;
	struct penalty_table *t;
	const char *why;
	struct penalty_addr a = A("2001:db8::7");
	int secs, i;

	(void)state;
	penalty_conf_default(&pc);
	t = table(&pc, NULL, 32, 128);
	assert_int_equal(penalty_record(t, &a, PENALTY_CRASH, S(100), &secs),
	                 PENALTY_ACTIVE);
	assert_int_equal(secs, 90);
	assert_false(penalty_check(t, &a, S(101), &why));
	assert_string_equal(why, "caused crash");
	for (i = 0; i < 20; i++) {
		(void)penalty_record(t, &a, PENALTY_CRASH, S(101), &secs);
	}
	assert_int_equal(secs, 600);
	assert_false(penalty_check(t, &a, S(101) + S(600) - 1, NULL));
	assert_true(penalty_check(t, &a, S(101) + S(600), NULL));
	/* the reason follows the last penalty recorded */
	assert_int_equal(penalty_record(t, &a, PENALTY_CRASH, S(800), NULL),
	                 PENALTY_ACTIVE);
	assert_int_equal(penalty_record(t, &a, PENALTY_GRACE, S(801), NULL),
	                 PENALTY_ACTIVE);
	assert_false(penalty_check(t, &a, S(802), &why));
	assert_string_equal(why, "exceeded LoginGraceTime");
	penalty_table_free(t);
}

static void
test_disabled_and_zero(void **state)
{
	struct penalty_conf pc;
	struct penalty_table *t;

	(void)state;
	penalty_conf_default(&pc);
	pc.enabled = false;
	t = table(&pc, NULL, 32, 128);
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_CRASH, 0, NULL),
	                 PENALTY_IGNORED);
	assert_true(allowed(t, "192.0.2.1", 1));
	assert_int_equal(penalty_count(t, 4), 0);
	penalty_table_free(t);

	penalty_conf_default(&pc);
	pc.duration[PENALTY_NOAUTH] = 0;
	pc.min = 0;
	t = table(&pc, NULL, 32, 128);
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_NOAUTH, 0, NULL),
	                 PENALTY_IGNORED);
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_AUTHFAIL, 0, NULL),
	                 PENALTY_ACTIVE);
	assert_false(allowed(t, "192.0.2.1", 1));
	penalty_table_free(t);
	/* a NULL table allows everything */
	assert_true(
	    penalty_check(NULL, &(struct penalty_addr){.family = 4}, 0, NULL));
}

static void
test_netblocks(void **state)
{
	struct penalty_conf pc;
	struct penalty_table *t;
	struct penalty_addr a, b;

	(void)state;
	penalty_conf_default(&pc);
	pc.min = 1;
	t = table(&pc, NULL, 24, 64);
	assert_int_equal(rec(t, "198.51.100.9", PENALTY_AUTHFAIL, 0, NULL),
	                 PENALTY_ACTIVE);
	assert_false(allowed(t, "198.51.100.200", 1));
	assert_true(allowed(t, "198.51.101.9", 1));
	assert_int_equal(rec(t, "2001:db8:1:2::1", PENALTY_AUTHFAIL, 0, NULL),
	                 PENALTY_ACTIVE);
	assert_false(allowed(t, "2001:db8:1:2:ffff::9", 1));
	assert_true(allowed(t, "2001:db8:1:3::1", 1));
	/* IPv4-mapped IPv6 is the IPv4 address */
	assert_false(allowed(t, "::ffff:198.51.100.1", 1));
	assert_int_equal(penalty_count(t, 4), 1);
	assert_int_equal(penalty_count(t, 6), 1);
	penalty_table_free(t);

	a = A("10.1.2.3");
	b = A("10.1.3.3");
	assert_true(penalty_same_block(&a, &b, 16, 128));
	assert_false(penalty_same_block(&a, &b, 24, 128));
	assert_true(penalty_same_block(&a, &b, 0, 128));
	b = A("::1");
	assert_false(penalty_same_block(&a, &b, 0, 0));
	assert_int_equal(penalty_addr_parse("10.1.2", &a),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(penalty_table_new(&pc, NULL, 33, 128, 0,
	                                   &(struct penalty_table *){NULL}),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_sockaddr(void **state)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct penalty_addr a;

	(void)state;
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_addr.s_addr = htonl(0x7f000001);
	assert_int_equal(
	    penalty_addr_from_sockaddr((struct sockaddr *)&s4, sizeof(s4), &a),
	    0);
	assert_int_equal(a.family, 4);
	assert_memory_equal(a.a, "\x7f\0\0\x01", 4);
	assert_int_equal(
	    penalty_addr_from_sockaddr((struct sockaddr *)&s4, 4, &a),
	    SESH_ERR_INVALID_ARGUMENT);
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr.s6_addr[15] = 1;
	assert_int_equal(
	    penalty_addr_from_sockaddr((struct sockaddr *)&s6, sizeof(s6), &a),
	    0);
	assert_int_equal(a.family, 6);
	s6.sin6_addr.s6_addr[10] = 0xff;
	s6.sin6_addr.s6_addr[11] = 0xff;
	assert_int_equal(
	    penalty_addr_from_sockaddr((struct sockaddr *)&s6, sizeof(s6), &a),
	    0);
	assert_int_equal(a.family, 4);
	s6.sin6_family = AF_UNIX;
	assert_int_equal(
	    penalty_addr_from_sockaddr((struct sockaddr *)&s6, sizeof(s6), &a),
	    SESH_ERR_INVALID_ARGUMENT);
}

static bool
exempt(const char *list, const char *addr)
{
	struct penalty_exempt *ex = NULL;
	const char *why;
	struct penalty_addr a = A(addr);
	bool r;

	assert_int_equal(penalty_exempt_parse(list, strlen(list), &ex, &why),
	                 0);
	r = penalty_exempt_match(ex, &a);
	penalty_exempt_free(ex);
	return r;
}

static int
exempt_err(const char *list)
{
	struct penalty_exempt *ex = (void *)1;
	const char *why = NULL;
	int r = penalty_exempt_parse(list, strlen(list), &ex, &why);

	assert_null(ex);
	assert_non_null(why);
	return r;
}

static void
test_exempt_list(void **state)
{
	(void)state;
	assert_true(exempt("127.0.0.1", "127.0.0.1"));
	assert_false(exempt("127.0.0.1", "127.0.0.2"));
	assert_true(exempt("10.0.0.0/8,192.168.1.0/24", "10.200.0.1"));
	assert_true(exempt("10.0.0.0/8,192.168.1.0/24", "192.168.1.77"));
	assert_false(exempt("10.0.0.0/8,192.168.1.0/24", "192.168.2.77"));
	assert_true(exempt("10.0.0.0/8,!10.1.2.3", "10.1.2.4"));
	assert_false(exempt("10.0.0.0/8,!10.1.2.3", "10.1.2.3"));
	assert_false(exempt("!10.1.2.3", "10.9.9.9")); /* negation alone */
	assert_true(exempt("192.168.*", "192.168.200.1"));
	assert_false(exempt("192.168.*", "192.169.0.1"));
	assert_true(exempt("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(exempt("2001:db8::/32", "2001:db9::1"));
	assert_true(exempt("::1", "::1"));
	assert_true(exempt("::ffff:127.0.0.1", "127.0.0.1"));
	assert_true(exempt("0.0.0.0/0", "203.0.113.5"));
	assert_false(exempt("0.0.0.0/0", "2001:db8::1"));
	assert_true(exempt("::/0,0.0.0.0/0", "2001:db8::1"));

	assert_int_equal(exempt_err(""), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("10.0.0.1,"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err(",10.0.0.1"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("!"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("10.0.0.1/8"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("10.0.0.0/33"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("10.0.0.0/"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("10.0.0.0/a"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("10.0.0.0/0008"),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("::/129"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("host.example"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("10.0.0.1 "), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(exempt_err("1*!"), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(penalty_exempt_parse("1\0002", 3,
	                                      &(struct penalty_exempt *){NULL},
	                                      &(const char *){NULL}),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_exempt_limit(void **state)
{
	size_t n = (PENALTY_MAX_EXEMPT + 1) * 2, i;
	char *s = malloc(n);

	(void)state;
	assert_non_null(s);
	for (i = 0; i + 1 < n; i += 2) {
		s[i] = '*';
		s[i + 1] = ',';
	}
	s[n - 1] = '\0';
	assert_int_equal(exempt_err(s), SESH_ERR_LIMIT);
	free(s);
}

/* Every prefix and every single-bit flip of valid lists: an error or a
 * list, never a crash (ASan/valgrind watch the memory). */
static void
test_exempt_truncation_bitflip(void **state)
{
	static const char *const lists[] = {
	    "10.0.0.0/8,!10.1.2.3,192.168.*,2001:db8::/32,::1",
	    "0.0.0.0/0,::/0",
	    "127.0.0.1",
	};
	struct penalty_addr probe = A("10.1.2.4");
	size_t i, j, len;
	unsigned int bit;
	char buf[128];

	(void)state;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		len = strlen(lists[i]);
		for (j = 0; j <= len; j++) {
			struct penalty_exempt *ex = NULL;
			const char *why = NULL;
			int r = penalty_exempt_parse(lists[i], j, &ex, &why);

			assert_true(r == 0 || r == SESH_ERR_INVALID_ARGUMENT);
			assert_true((r == 0) == (ex != NULL));
			(void)penalty_exempt_match(ex, &probe);
			penalty_exempt_free(ex);
		}
		for (j = 0; j < len; j++) {
			for (bit = 0; bit < 8; bit++) {
				struct penalty_exempt *ex = NULL;
				const char *why = NULL;
				int r;

				memcpy(buf, lists[i], len);
				buf[j] = (char)(buf[j] ^ (1u << bit));
				r = penalty_exempt_parse(buf, len, &ex, &why);
				assert_true(r == 0 ||
				            r == SESH_ERR_INVALID_ARGUMENT);
				assert_true((r == 0) == (ex != NULL));
				(void)penalty_exempt_match(ex, &probe);
				penalty_exempt_free(ex);
			}
		}
	}
}

static void
test_exempt_in_table(void **state)
{
	struct penalty_conf pc;
	struct penalty_table *t;

	(void)state;
	penalty_conf_default(&pc);
	t = table(&pc, "127.0.0.0/8", 32, 128);
	assert_int_equal(rec(t, "127.0.0.1", PENALTY_CRASH, 0, NULL),
	                 PENALTY_IGNORED);
	assert_true(allowed(t, "127.0.0.1", 1));
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_CRASH, 0, NULL),
	                 PENALTY_ACTIVE);
	assert_false(allowed(t, "192.0.2.1", 1));
	penalty_table_free(t);
	assert_int_equal(penalty_table_new(&pc, "bogus", 32, 128, 0,
	                                   &(struct penalty_table *){NULL}),
	                 SESH_ERR_INVALID_ARGUMENT);
}

/* max-sources4 2, permissive: a third source pushes out the penalty that
 * ends soonest; expired entries make room first. */
static void
test_overflow_permissive(void **state)
{
	struct penalty_conf pc;
	struct penalty_table *t;

	(void)state;
	penalty_conf_default(&pc);
	pc.max_sources4 = 2;
	t = table(&pc, NULL, 32, 128);
	assert_int_equal(rec(t, "192.0.2.1", PENALTY_CRASH, 0, NULL),
	                 PENALTY_ACTIVE); /* ends at 90 */
	assert_int_equal(rec(t, "192.0.2.2", PENALTY_GRACE, 0, NULL),
	                 PENALTY_ACTIVE); /* ends at 20 */
	assert_int_equal(rec(t, "192.0.2.3", PENALTY_CRASH, S(1), NULL),
	                 PENALTY_ACTIVE);
	assert_int_equal(penalty_count(t, 4), 2);
	assert_true(allowed(t, "192.0.2.2", S(2))); /* pushed out */
	assert_false(allowed(t, "192.0.2.1", S(2)));
	assert_false(allowed(t, "192.0.2.3", S(2)));
	/* IPv6 is tracked separately */
	assert_int_equal(rec(t, "2001:db8::1", PENALTY_CRASH, S(2), NULL),
	                 PENALTY_ACTIVE);
	assert_int_equal(penalty_count(t, 4), 2);
	/* after 192.0.2.1 ends, a new source takes its slot */
	assert_int_equal(rec(t, "192.0.2.4", PENALTY_CRASH, S(90), NULL),
	                 PENALTY_ACTIVE);
	assert_int_equal(penalty_count(t, 4), 2);
	assert_true(allowed(t, "192.0.2.1", S(90)));
	assert_false(allowed(t, "192.0.2.3", S(90)));
	assert_false(allowed(t, "192.0.2.4", S(90)));
	penalty_table_free(t);
}

/* deny-all: a source that does not fit closes the family to everyone
 * but the exempt until the soonest penalty ends. */
static void
test_overflow_deny_all(void **state)
{
	struct penalty_conf pc;
	struct penalty_table *t;
	const char *why;
	struct penalty_addr a = A("203.0.113.9");

	(void)state;
	penalty_conf_default(&pc);
	pc.max_sources4 = 1;
	pc.overflow4 = PENALTY_OVERFLOW_DENY_ALL;
	t = table(&pc, "192.0.2.0/24", 32, 128);
	assert_int_equal(rec(t, "198.51.100.1", PENALTY_GRACE, 0, NULL),
	                 PENALTY_ACTIVE); /* ends at 20 */
	assert_true(allowed(t, "203.0.113.9", S(1)));
	assert_int_equal(rec(t, "198.51.100.2", PENALTY_NOAUTH, S(1), NULL),
	                 PENALTY_OVERFLOWED);
	assert_false(penalty_check(t, &a, S(2), &why));
	assert_string_equal(why, "too many penalised sources");
	assert_true(allowed(t, "192.0.2.5", S(2)));   /* exempt */
	assert_true(allowed(t, "2001:db8::1", S(2))); /* other family */
	assert_true(allowed(t, "203.0.113.9", S(20)));
	/* the ended entry makes room again */
	assert_int_equal(rec(t, "198.51.100.2", PENALTY_NOAUTH, S(20), NULL),
	                 PENALTY_DEFERRED);
	penalty_table_free(t);
}

/* Many sources: the hash table grows and finds each one. */
static void
test_many_sources(void **state)
{
	struct penalty_conf pc;
	struct penalty_table *t;
	struct penalty_addr a;
	unsigned int i;

	(void)state;
	penalty_conf_default(&pc);
	pc.max_sources6 = 3000;
	t = table(&pc, NULL, 32, 128);
	memset(&a, 0, sizeof(a));
	a.family = 6;
	a.a[0] = 0x20;
	for (i = 0; i < 5000; i++) {
		a.a[14] = (uint8_t)(i >> 8);
		a.a[15] = (uint8_t)i;
		(void)penalty_record(t, &a, PENALTY_CRASH, (int64_t)i, NULL);
	}
	assert_int_equal(penalty_count(t, 6), 3000);
	/* the newest 3000 are there (each pushed out the oldest) */
	for (i = 2000; i < 5000; i++) {
		a.a[14] = (uint8_t)(i >> 8);
		a.a[15] = (uint8_t)i;
		assert_false(penalty_check(t, &a, 6000, NULL));
	}
	a.a[14] = 0;
	a.a[15] = 5;
	assert_true(penalty_check(t, &a, 6000, NULL));
	penalty_table_free(t);
}

/* ---- sshd_config keywords ------------------------------------------- */

static int
load(const char *text, struct servconf *c, char *dump, size_t dumpn)
{
	struct servconf_err err;
	int r;

	servconf_init(c);
	memset(&err, 0, sizeof(err));
	r = servconf_load_text(c, "t", text, strlen(text), &err);
	if (r == 0) {
		r = servconf_finish(c, &err);
	}
	if (r == 0 && dump != NULL) {
		FILE *f = fmemopen(dump, dumpn, "w");

		assert_non_null(f);
		assert_int_equal(servconf_dump(c, f), 0);
		fclose(f);
	}
	return r;
}

static bool
has_line(const char *dump, const char *line)
{
	const char *p = strstr(dump, line);

	return p != NULL && (p == dump || p[-1] == '\n') &&
	       p[strlen(line)] == '\n';
}

static void
test_config_keywords(void **state)
{
	static char dump[16384];
	struct servconf c;

	(void)state;
	memset(dump, 0, sizeof(dump));
	assert_int_equal(load("", &c, dump, sizeof(dump)), 0);
	assert_true(c.penalty.enabled);
	assert_true(has_line(dump, "persourcepenalties crash:90 authfail:5 "
	                           "invaliduser:5 noauth:1 grace-exceeded:20 "
	                           "max:600 min:15 max-sources4:65536 "
	                           "max-sources6:65536 overflow:permissive "
	                           "overflow6:permissive"));
	assert_true(has_line(dump, "persourcepenaltyexemptlist none"));
	assert_true(has_line(dump, "persourcemaxstartups none"));
	assert_true(has_line(dump, "persourcenetblocksize 32:128"));
	servconf_clear(&c);

	memset(dump, 0, sizeof(dump));
	assert_int_equal(
	    load("PerSourcePenalties authfail:3s min:1m30s max:1h "
	         "noauth:0 max-sources6:10 overflow:deny-all\n"
	         "PerSourcePenalties no\n"
	         "PerSourcePenaltyExemptList 10.0.0.0/8,!10.1.2.3,192.168.*\n"
	         "PerSourcePenaltyExemptList 127.0.0.1\n"
	         "PerSourceMaxStartups 3\n"
	         "PerSourceNetBlockSize 24:56\n",
	         &c, dump, sizeof(dump)),
	    0);
	assert_true(c.penalty.enabled);
	assert_int_equal(c.penalty.duration[PENALTY_AUTHFAIL], 3);
	assert_int_equal(c.penalty.duration[PENALTY_NOAUTH], 0);
	assert_int_equal(c.penalty.min, 90);
	assert_int_equal(c.penalty.max, 3600);
	assert_int_equal(c.penalty.max_sources6, 10);
	assert_int_equal(c.penalty.overflow6, PENALTY_OVERFLOW_DENY_ALL);
	assert_int_equal(c.per_source_max_startups, 3);
	assert_int_equal(c.per_source_netblock4, 24);
	assert_int_equal(c.per_source_netblock6, 56);
	assert_true(has_line(dump, "persourcepenalties crash:90 authfail:3 "
	                           "invaliduser:5 noauth:0 grace-exceeded:20 "
	                           "max:3600 min:90 max-sources4:65536 "
	                           "max-sources6:10 overflow:deny-all "
	                           "overflow6:deny-all"));
	assert_true(has_line(dump, "persourcepenaltyexemptlist "
	                           "10.0.0.0/8,!10.1.2.3,192.168.*"));
	assert_true(has_line(dump, "persourcemaxstartups 3"));
	assert_true(has_line(dump, "persourcenetblocksize 24:56"));
	servconf_clear(&c);

	memset(dump, 0, sizeof(dump));
	assert_int_equal(load("PerSourcePenalties no\n"
	                      "PerSourceNetBlockSize 16\n"
	                      "PerSourceMaxStartups none\n"
	                      "PerSourcePenaltyExemptList none\n",
	                      &c, dump, sizeof(dump)),
	                 0);
	assert_false(c.penalty.enabled);
	assert_true(has_line(dump, "persourcepenalties no"));
	assert_true(has_line(dump, "persourcenetblocksize 16:128"));
	assert_true(has_line(dump, "persourcemaxstartups none"));
	assert_null(c.per_source_penalty_exempt);
	servconf_clear(&c);

	/* overflow6 given on its own */
	assert_int_equal(
	    load("PerSourcePenalties yes overflow6:deny-all\n", &c, NULL, 0),
	    0);
	assert_int_equal(c.penalty.overflow4, PENALTY_OVERFLOW_PERMISSIVE);
	assert_int_equal(c.penalty.overflow6, PENALTY_OVERFLOW_DENY_ALL);
	servconf_clear(&c);
}

static void
test_config_errors(void **state)
{
	static const char *const bad[] = {
	    "PerSourcePenalties crash\n",
	    "PerSourcePenalties crash:\n",
	    "PerSourcePenalties crash:-1\n",
	    "PerSourcePenalties crash:5x\n",
	    "PerSourcePenalties bogus:5\n",
	    "PerSourcePenalties no crash:5\n",
	    "PerSourcePenalties max-sources4:0\n",
	    "PerSourcePenalties max-sources6:99999999999\n",
	    "PerSourcePenalties overflow:maybe\n",
	    "PerSourcePenalties Crash:5\n",
	    "PerSourcePenalties\n",
	    "PerSourcePenaltyExemptList 10.0.0.1/8\n",
	    "PerSourcePenaltyExemptList host.example\n",
	    "PerSourcePenaltyExemptList 1.2.3.4 5.6.7.8\n",
	    "PerSourceMaxStartups 0\n",
	    "PerSourceMaxStartups -3\n",
	    "PerSourceMaxStartups lots\n",
	    "PerSourceNetBlockSize 33\n",
	    "PerSourceNetBlockSize 24:129\n",
	    "PerSourceNetBlockSize 24:\n",
	    "PerSourceNetBlockSize :64\n",
	    "PerSourceNetBlockSize 8:8:8\n",
	    "Match User x\n PerSourcePenalties no\n",
	};
	struct servconf c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = load(bad[i], &c, NULL, 0);

		if (r == 0) {
			fail_msg("accepted: %s", bad[i]);
		}
		servconf_clear(&c);
	}
}

/* Truncations and bit flips of a config naming every keyword: loads or
 * fails cleanly. */
static void
test_config_truncation_bitflip(void **state)
{
	static const char text[] =
	    "PerSourcePenalties crash:1m authfail:5 noauth:1s min:2 max:9 "
	    "max-sources4:7 overflow:deny-all overflow6:permissive\n"
	    "PerSourcePenaltyExemptList 10.0.0.0/8,!10.1.2.3,fe80::/10\n"
	    "PerSourceMaxStartups 4\n"
	    "PerSourceNetBlockSize 24:48\n";
	char buf[sizeof(text)];
	struct servconf c;
	size_t len = sizeof(text) - 1, j;
	unsigned int bit;
	struct servconf_err err;

	(void)state;
	for (j = 0; j <= len; j++) {
		servconf_init(&c);
		memset(&err, 0, sizeof(err));
		if (servconf_load_text(&c, "t", text, j, &err) == 0) {
			assert_int_equal(servconf_finish(&c, &err), 0);
		}
		servconf_clear(&c);
	}
	for (j = 0; j < len; j++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, text, len);
			buf[j] = (char)(buf[j] ^ (1u << bit));
			servconf_init(&c);
			memset(&err, 0, sizeof(err));
			if (servconf_load_text(&c, "t", buf, len, &err) == 0) {
				assert_int_equal(servconf_finish(&c, &err), 0);
			}
			servconf_clear(&c);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_and_format),
	    cmocka_unit_test(test_accumulate_min),
	    cmocka_unit_test(test_crash_and_max),
	    cmocka_unit_test(test_disabled_and_zero),
	    cmocka_unit_test(test_netblocks),
	    cmocka_unit_test(test_sockaddr),
	    cmocka_unit_test(test_exempt_list),
	    cmocka_unit_test(test_exempt_limit),
	    cmocka_unit_test(test_exempt_truncation_bitflip),
	    cmocka_unit_test(test_exempt_in_table),
	    cmocka_unit_test(test_overflow_permissive),
	    cmocka_unit_test(test_overflow_deny_all),
	    cmocka_unit_test(test_many_sources),
	    cmocka_unit_test(test_config_keywords),
	    cmocka_unit_test(test_config_errors),
	    cmocka_unit_test(test_config_truncation_bitflip),
	};

	log_init("test_penalty", LOG_LVL_QUIET);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
