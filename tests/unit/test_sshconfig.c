/*
 * test_sshconfig.c - ssh_config reading (app/sshconfig.h): Host patterns
 * and negation, first value wins, Match criteria and the final pass,
 * Include (relative, globs, depth limit) in a temporary directory,
 * algorithm modifiers "+ - ^", %-tokens, ProxyCommand and ProxyJump,
 * bad lines reported with their numbers, RekeyLimit and times, and
 * truncation / bit-flip sweeps over a sample configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/sshconfig.h"
#include "base/err.h"
#include "base/log.h"

/* Messages reported by the reader, one line each. */
static char reported[8192];

static void
capture(void *arg, const char *line)
{
	size_t len = strlen(reported);

	(void)arg;
	snprintf(reported + len, sizeof(reported) - len, "%s\n", line);
}

static char tmpdir[64];

static int
setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/test_sshconfig.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		return -1;
	}
	setenv("HOME", tmpdir, 1);
	log_init("test_sshconfig", LOG_LVL_ERROR);
	return 0;
}

static void
rm_rf(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot remove %s\n", dir);
	}
}

static int
teardown(void **state)
{
	(void)state;
	rm_rf(tmpdir);
	return 0;
}

static void
start(struct sshconfig *c, const char *host)
{
	reported[0] = '\0';
	assert_int_equal(sshconfig_init(c, host), 0);
	c->report = capture;
}

static int
parse(struct sshconfig *c, const char *text)
{
	return sshconfig_parse_buffer(c, "cfg", text, strlen(text),
	                              SSHCONFIG_USER);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_true(n > 0 && (size_t)n < sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
test_host_patterns(void **state)
{
	static const char cfg[] = "Host other\n"
	                          "  User nobody\n"
	                          "Host web*.example.com !web2.example.com\n"
	                          "  User alice\n"
	                          "  Port 2200\n"
	                          "Host *.example.com\n"
	                          "  User bob\n"
	                          "  Port 2300\n"
	                          "  HostName real.%h\n"
	                          "Host *\n"
	                          "  IdentitiesOnly yes\n";
	struct sshconfig c;

	(void)state;
	start(&c, "WEB1.example.com");
	assert_int_equal(parse(&c, cfg), 0);
	assert_string_equal(c.user, "alice");
	assert_int_equal(c.port, 2200);
	assert_string_equal(c.hostname, "real.%h");
	assert_int_equal(c.identities_only, 1);
	sshconfig_clear(&c);

	/* the negated pattern makes the whole Host line miss */
	start(&c, "web2.example.com");
	assert_int_equal(parse(&c, cfg), 0);
	assert_string_equal(c.user, "bob");
	assert_int_equal(c.port, 2300);
	sshconfig_clear(&c);

	/* several patterns on one line, a comma list, '?' */
	start(&c, "db7");
	assert_int_equal(parse(&c, "Host x y,db?\n User u\n"), 0);
	assert_string_equal(c.user, "u");
	sshconfig_clear(&c);

	start(&c, "nomatch");
	assert_int_equal(parse(&c, cfg), 0);
	assert_null(c.user);
	assert_int_equal(c.port, SSHCONFIG_UNSET);
	assert_int_equal(c.identities_only, 1);
	sshconfig_clear(&c);
}

static void
test_first_wins(void **state)
{
	struct sshconfig c;

	(void)state;
	start(&c, "h");
	/* -o first, then files; IdentityFile and SendEnv accumulate */
	assert_int_equal(sshconfig_option(&c, "Port=7"), 0);
	assert_int_equal(sshconfig_option(&c, "IdentityFile /a"), 0);
	assert_int_equal(parse(&c, "Port 8\nUser x\nUser y\n"
	                           "IdentityFile /b\nIdentityFile /c\n"
	                           "SendEnv A B\nSendEnv C -A\n"
	                           "SetEnv X=1 Y=2\nSetEnv Z=3\n"
	                           "UserKnownHostsFile /k1 /k2\n"
	                           "UserKnownHostsFile /k3\n"
	                           "StrictHostKeyChecking accept-new\n"
	                           "StrictHostKeyChecking no\n"),
	                 0);
	assert_int_equal(c.port, 7);
	assert_string_equal(c.user, "x");
	assert_int_equal(c.identity_files.n, 3);
	assert_string_equal(c.identity_files.v[0], "/a");
	assert_string_equal(c.identity_files.v[2], "/c");
	assert_int_equal(c.send_env.n, 2);
	assert_string_equal(c.send_env.v[0], "B");
	assert_string_equal(c.send_env.v[1], "C");
	assert_int_equal(c.set_env.n, 2);
	assert_string_equal(c.set_env.v[1], "Y=2");
	assert_int_equal(c.user_known_hosts.n, 2);
	assert_int_equal(c.strict, 2 /* HOSTKEYS_STRICT_ACCEPT_NEW */);
	/* -o refuses block keywords */
	assert_int_equal(sshconfig_option(&c, "Host=x"),
	                 SESH_ERR_INVALID_FORMAT);
	assert_non_null(strstr(reported, "Host directive not supported as a "
	                                 "command-line option"));
	sshconfig_clear(&c);
}

static void
test_match(void **state)
{
	struct sshconfig c;

	(void)state;
	start(&c, "alias");
	c.user = strdup("carol");
	assert_int_equal(parse(&c, "Host alias\n HostName box.lan\n"
	                           "Match host box.lan user carol\n"
	                           " Port 1\n"
	                           "Match originalhost box.lan\n"
	                           " IdentityAgent none\n"
	                           "Match !originalhost box.lan\n"
	                           " BatchMode yes\n"
	                           "Match user !carol,*\n"
	                           " ConnectTimeout 9\n"
	                           "Match all\n"
	                           " ServerAliveInterval 1m\n"),
	                 0);
	assert_int_equal(c.port, 1);
	assert_null(c.identity_agent);
	assert_int_equal(c.batch_mode, 1);
	assert_int_equal(c.connect_timeout, SSHCONFIG_UNSET);
	assert_int_equal(c.server_alive_interval, 60);
	assert_false(c.want_final);
	sshconfig_clear(&c);

	/* localuser; "final" only in the final pass */
	start(&c, "h");
	assert_int_equal(parse(&c, "Match final\n Port 5\n"), 0);
	assert_true(c.want_final);
	assert_int_equal(c.port, SSHCONFIG_UNSET);
	c.final_pass = true;
	assert_int_equal(parse(&c, "Match final\n Port 5\n"), 0);
	assert_int_equal(c.port, 5);
	sshconfig_clear(&c);

	start(&c, "h");
	c.local_user[0] = 'Z';
	assert_int_equal(parse(&c, "Match localuser Z*\n User lu\n"), 0);
	assert_string_equal(c.user, "lu");
	sshconfig_clear(&c);

	/* errors: exec unsupported, unknown attribute, all mixed */
	start(&c, "h");
	assert_int_equal(parse(&c, "Match exec true\nMatch bogus x\n"
	                           "Match all host x\nMatch host\n"),
	                 SESH_ERR_INVALID_FORMAT);
	assert_string_equal(
	    reported, "Match exec is not supported by sesh\n"
	              "cfg line 1: Bad Match condition\n"
	              "Unsupported Match attribute bogus\n"
	              "cfg line 2: Bad Match condition\n"
	              "cfg line 3: 'all' cannot be combined with other Match "
	              "attributes\n"
	              "cfg line 3: Bad Match condition\n"
	              "Missing Match criteria for host\n"
	              "cfg line 4: Bad Match condition\n"
	              "cfg: terminating, 4 bad configuration options\n");
	sshconfig_clear(&c);
}

static void
test_include(void **state)
{
	char dir[512], path[600];
	struct sshconfig c;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/.ssh", tmpdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/conf.d", dir);
	mkdir(path, 0700);
	write_file(dir, "conf.d/10-a.conf", "Host inc\n User from10\n");
	write_file(dir, "conf.d/20-b.conf",
	           "Host inc\n User from20\n"
	           " Port 2020\n");
	write_file(dir, "conf.d/skip.txt", "Bogus line\n");
	write_file(dir, "loop", "Include loop\n");
	write_file(dir, "config",
	           "Include conf.d/*.conf\n"
	           "Host inc\n Port 1\n IdentitiesOnly yes\n");

	start(&c, "inc");
	snprintf(path, sizeof(path), "%s/config", dir);
	assert_int_equal(sshconfig_read_file(&c, path, SSHCONFIG_USER, false),
	                 0);
	assert_string_equal(c.user, "from10");
	assert_int_equal(c.port, 2020);
	assert_int_equal(c.identities_only, 1);
	sshconfig_clear(&c);

	/* an Include inside a block that does not apply stores nothing;
	 * the block state after an Include is the includer's */
	start(&c, "other");
	assert_int_equal(parse(&c, "Host inc\nInclude conf.d/*.conf\n"
	                           "Port 3\nHost *\nUser after\n"),
	                 0);
	assert_null(c.hostname);
	assert_int_equal(c.port, SSHCONFIG_UNSET);
	assert_string_equal(c.user, "after");
	sshconfig_clear(&c);

	/* absolute and "~" names; a missing file is fine */
	start(&c, "inc");
	assert_int_equal(parse(&c, "Include ~/.ssh/conf.d/20-b.conf "
	                           "/nonexistent/x\n"),
	                 0);
	assert_string_equal(c.user, "from20");
	sshconfig_clear(&c);

	/* recursion stops at the depth limit, reported */
	start(&c, "h");
	assert_int_equal(parse(&c, "Include loop\n"), SESH_ERR_INVALID_FORMAT);
	assert_non_null(strstr(reported, "Too many recursive configuration "
	                                 "includes"));
	sshconfig_clear(&c);

	/* files writable by others are refused */
	start(&c, "h");
	chmod(path, 0666);
	assert_int_equal(sshconfig_read_file(&c, path, SSHCONFIG_USER, false),
	                 SESH_ERR_INVALID_FORMAT);
	assert_non_null(strstr(reported, "Bad owner or permissions"));
	chmod(path, 0600);
	sshconfig_clear(&c);

	/* a required file (-F) that is missing */
	start(&c, "h");
	c.config_file = strdup("/nonexistent/cfg");
	assert_int_equal(sshconfig_read_all(&c), SESH_ERR_NOT_FOUND);
	assert_non_null(strstr(reported, "Can't open user config file "
	                                 "/nonexistent/cfg"));
	free(c.config_file);
	c.config_file = strdup("none");
	assert_int_equal(sshconfig_read_all(&c), 0);
	sshconfig_clear(&c);
}

static void
expect_algs(enum sshconfig_alg cat, const char *spec, const char *want)
{
	char *got = NULL;

	assert_int_equal(sshconfig_algs_resolve(cat, spec, &got), 0);
	assert_string_equal(got, want);
	free(got);
}

static void
test_alg_modifiers(void **state)
{
	char *got = NULL;

	(void)state;
	expect_algs(SSHCONFIG_ALG_MACS, NULL,
	            "hmac-sha2-256-etm@openssh.com,"
	            "hmac-sha2-512-etm@openssh.com,hmac-sha2-256,"
	            "hmac-sha2-512");
	expect_algs(SSHCONFIG_ALG_MACS, "-*-etm@openssh.com",
	            "hmac-sha2-256,hmac-sha2-512");
	expect_algs(SSHCONFIG_ALG_MACS, "^hmac-sha2-512",
	            "hmac-sha2-512,hmac-sha2-256-etm@openssh.com,"
	            "hmac-sha2-512-etm@openssh.com,hmac-sha2-256");
	/* "+" of a name sesh lacks (but ssh knows) changes nothing */
	expect_algs(SSHCONFIG_ALG_MACS, "+hmac-sha1",
	            "hmac-sha2-256-etm@openssh.com,"
	            "hmac-sha2-512-etm@openssh.com,hmac-sha2-256,"
	            "hmac-sha2-512");
	expect_algs(SSHCONFIG_ALG_CIPHERS, "aes256-ctr,aes128-cbc,aes256-ctr",
	            "aes256-ctr");
	expect_algs(SSHCONFIG_ALG_CIPHERS, "-aes*-ctr,chacha*",
	            "aes128-gcm@openssh.com,aes256-gcm@openssh.com");
	expect_algs(SSHCONFIG_ALG_KEX, "^diffie-hellman-group14-sha256",
	            "diffie-hellman-group14-sha256,mlkem768x25519-sha256,"
	            "sntrup761x25519-sha512,"
	            "sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
	            "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
	            "ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
	            "diffie-hellman-group16-sha512,"
	            "diffie-hellman-group18-sha512");
	expect_algs(SSHCONFIG_ALG_PUBKEY, "-rsa-*,ecdsa-*", "ssh-ed25519");
	/* nothing left */
	assert_int_equal(
	    sshconfig_algs_resolve(SSHCONFIG_ALG_CIPHERS, "aes128-cbc", &got),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_null(got);
	/* names checked: unknown, wildcards outside "-", empty */
	assert_int_equal(sshconfig_algs_check(SSHCONFIG_ALG_CIPHERS, "foo"),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_algs_check(SSHCONFIG_ALG_CIPHERS, "+aes*"),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(
	    sshconfig_algs_check(SSHCONFIG_ALG_MACS, "hmac-sha2-256,"),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_algs_check(SSHCONFIG_ALG_CIPHERS, "-foo*"),
	                 0);
	assert_int_equal(
	    sshconfig_algs_check(SSHCONFIG_ALG_HOSTKEY, "+ssh-rsa,ssh-dss"), 0);
	assert_int_equal(
	    sshconfig_algs_check(SSHCONFIG_ALG_KEX, "^sntrup761x25519-sha512"),
	    0);
}

static void
test_tokens(void **state)
{
	struct sshconfig_tokens t = {0};
	struct sshconfig_out out;
	struct sshconfig c;
	char *s = NULL, want[512];

	(void)state;
	t.h = "host";
	t.p = "22";
	t.r = "remote";
	assert_int_equal(sshconfig_expand("%h:%p %r %%h", &t, "hpr", false, &s),
	                 0);
	assert_string_equal(s, "host:22 remote %h");
	free(s);
	assert_int_equal(sshconfig_expand("%x", &t, "hpr", false, &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_expand("%u", &t, "hpr", false, &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_expand("50%", &t, "hpr", false, &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(s);

	/* %C: SHA-1 of its source (FIPS 180 "abc" vector), computed on
	 * first use only, then reused */
	{
		char cbuf[41] = "";

		t.C_src = "abc";
		t.C_buf = cbuf;
		assert_int_equal(
		    sshconfig_expand("%h-%p", &t, "hpC", false, &s), 0);
		assert_string_equal(s, "host-22");
		free(s);
		assert_string_equal(cbuf, "");
		assert_int_equal(
		    sshconfig_expand("c/%C/%h", &t, "hpC", false, &s), 0);
		assert_string_equal(
		    s, "c/a9993e364706816aba3e25717850c26c9cd0d89d/host");
		free(s);
		assert_string_equal(cbuf,
		                    "a9993e364706816aba3e25717850c26c9cd0d89d");
		t.C_src = "changed"; /* computed once: the buffer stands */
		assert_int_equal(sshconfig_expand("%C", &t, "C", false, &s),
		                 0);
		assert_string_equal(s,
		                    "a9993e364706816aba3e25717850c26c9cd0d89d");
		free(s);
		s = NULL;
		assert_int_equal(sshconfig_expand("%C", &t, "hp", false, &s),
		                 SESH_ERR_INVALID_ARGUMENT);
		t.C_buf = NULL; /* a source but nowhere to put the hash */
		assert_int_equal(sshconfig_expand("%C", &t, "C", false, &s),
		                 SESH_ERR_INVALID_ARGUMENT);
		t.C_src = NULL;
		assert_int_equal(sshconfig_expand("%C", &t, "C", false, &s),
		                 SESH_ERR_INVALID_ARGUMENT);
		assert_null(s);
	}

	start(&c, "Short");
	assert_int_equal(parse(&c, "Host short\n HostName %h.example.org\n"
	                           " User rem\n Port 2022\n"
	                           " IdentityFile ~/keys/%h-%r-%p\n"
	                           " IdentityFile %d/%u/%%/%n\n"
	                           " UserKnownHostsFile ~/kh_%h\n"
	                           " ProxyCommand nc -X 5 \"%h\" %p # x\n"),
	                 0);
	assert_int_equal(sshconfig_resolve(&c, "/bin/sesh", &out), 0);
	assert_string_equal(out.opts.host, "short.example.org");
	assert_string_equal(out.opts.host_arg, "Short");
	assert_string_equal(out.opts.user, "rem");
	assert_int_equal(out.opts.port, 2022);
	assert_true(out.opts.identities_explicit);
	snprintf(want, sizeof(want), "%s/keys/short.example.org-rem-2022",
	         tmpdir);
	assert_string_equal(out.opts.identities[0], want);
	snprintf(want, sizeof(want), "%s/%s/%%/Short", tmpdir, c.local_user);
	assert_string_equal(out.opts.identities[1], want);
	assert_null(out.opts.identities[2]);
	snprintf(want, sizeof(want), "%s/kh_short.example.org", tmpdir);
	assert_string_equal(out.opts.user_known_hosts[0], want);
	assert_null(out.opts.user_known_hosts[1]);
	/* the command as written, comment included as ssh keeps it */
	assert_string_equal(out.opts.proxy_command,
	                    "nc -X 5 \"short.example.org\" 2022 # x");
	sshconfig_out_clear(&out);
	sshconfig_clear(&c);

	/* a bad token is an error at resolve time */
	start(&c, "h");
	assert_int_equal(parse(&c, "IdentityFile ~/%z\n"), 0);
	assert_int_equal(sshconfig_resolve(&c, NULL, &out),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_non_null(strstr(reported, "IdentityFile \"~/%z\""));
	sshconfig_clear(&c);
}

static void
test_proxyjump(void **state)
{
	struct sshconfig_out out;
	struct sshconfig c;

	(void)state;
	start(&c, "target");
	c.config_file = strdup("/etc/my cfg");
	assert_int_equal(parse(&c, "ProxyJump \"al'ice@jump1:2222,jump2\"\n"
	                           "ProxyCommand ignored\nPort 23\n"),
	                 0);
	assert_null(c.proxy_command);
	assert_int_equal(sshconfig_resolve(&c, "/opt/sesh", &out), 0);
	assert_string_equal(out.opts.proxy_command,
	                    "'/opt/sesh' -F '/etc/my cfg' "
	                    "-J 'al'\\''ice@jump1:2222' -W '[target]:23' "
	                    "'jump2'");
	sshconfig_out_clear(&out);
	sshconfig_clear(&c);

	start(&c, "t");
	assert_int_equal(parse(&c, "ProxyJump ssh://[::1]:99\n"), 0);
	assert_int_equal(sshconfig_resolve(&c, "/s", &out), 0);
	assert_string_equal(out.opts.proxy_command,
	                    "'/s' -p 99 -W '[t]:22' '::1'");
	sshconfig_out_clear(&out);
	sshconfig_clear(&c);

	/* ProxyCommand first: ProxyJump later is ignored; "none" */
	start(&c, "t");
	assert_int_equal(parse(&c, "ProxyCommand none\nProxyJump j\n"), 0);
	assert_null(c.proxy_jump);
	assert_int_equal(sshconfig_resolve(&c, "/s", &out), 0);
	assert_null(out.opts.proxy_command);
	sshconfig_out_clear(&out);
	sshconfig_clear(&c);
}

static void
test_bad_lines(void **state)
{
	struct sshconfig c;

	(void)state;
	start(&c, "h");
	assert_int_equal(parse(&c, "# comment\n\nFoo bar\n"
	                           "Host h\n  Port 99999\n"
	                           "  IgnoreUnknown Use*\n"
	                           "  UseKeychain yes\n"
	                           "  Bar 1\n"
	                           "Ciphers aes128-ctr,nope\n"
	                           "Forwardagent yes\n"
	                           "BatchMode=maybe\n"
	                           "User a b\n"
	                           "EscapeChar ab\n"
	                           "ConnectTimeout 1x\n"
	                           "LogLevel LOUD\n"
	                           "User \"unterminated\n"),
	                 SESH_ERR_INVALID_FORMAT);
	assert_string_equal(
	    reported,
	    "cfg: line 3: Bad configuration option: foo\n"
	    "cfg line 5: Bad port '99999'.\n"
	    "cfg: line 8: Bad configuration option: bar\n"
	    "cfg line 9: Bad SSH2 cipher spec 'aes128-ctr,nope'.\n"
	    "cfg line 11: unsupported option \"maybe\".\n"
	    "cfg line 12: keyword user extra arguments at end of line\n"
	    "cfg line 13: Bad escape character.\n"
	    "cfg line 14: invalid time value.\n"
	    "cfg line 15: unsupported log level 'LOUD'\n"
	    "cfg line 16: invalid quotes or bytes\n"
	    "cfg: terminating, 10 bad configuration options\n");
	/* good lines around the bad ones still count */
	assert_string_equal(c.ignore_unknown, "Use*");
	sshconfig_clear(&c);

	/* Debian's stock /etc/ssh/ssh_config parses */
	start(&c, "h");
	c.no_include = true;
	assert_int_equal(parse(&c, "Include /etc/ssh/ssh_config.d/*.conf\n"
	                           "Host *\n"
	                           "#   ForwardAgent no\n"
	                           "    SendEnv LANG LC_*\n"
	                           "    HashKnownHosts yes\n"
	                           "    GSSAPIAuthentication yes\n"),
	                 0);
	assert_string_equal(reported, "");
	assert_int_equal(c.hash_known_hosts, 1);
	assert_int_equal(c.send_env.n, 2);
	sshconfig_clear(&c);
}

static void
test_limits(void **state)
{
	struct sshconfig c;
	char *text = malloc(300 * 32), *p;
	int i;

	(void)state;
	assert_non_null(text);
	p = text;
	for (i = 0; i < 300; i++) {
		p += sprintf(p, "IdentityFile /k%d\n", i);
	}
	start(&c, "h");
	assert_int_equal(parse(&c, text), SESH_ERR_INVALID_FORMAT);
	assert_int_equal(c.identity_files.n, SSHCONFIG_MAX_LIST);
	assert_non_null(strstr(reported, "cfg line 257: too many "
	                                 "identityfile values"));
	assert_non_null(strstr(reported, "cfg: terminating, 44 bad"));
	sshconfig_clear(&c);
	free(text);
}

static void
test_rekey_and_time(void **state)
{
	int64_t b;
	int s;

	(void)state;
	assert_int_equal(sshconfig_parse_rekey("1G", "1h", &b, &s), 0);
	assert_int_equal(b, 1073741824);
	assert_int_equal(s, 3600);
	assert_int_equal(sshconfig_parse_rekey("500M", NULL, &b, &s), 0);
	assert_int_equal(b, 500 * 1048576);
	assert_int_equal(s, 0);
	assert_int_equal(sshconfig_parse_rekey("default", "none", &b, &s), 0);
	assert_int_equal(b, 0);
	assert_int_equal(sshconfig_parse_rekey("64k", "1h30m", &b, &s), 0);
	assert_int_equal(b, 65536);
	assert_int_equal(s, 5400);
	assert_int_equal(sshconfig_parse_rekey("8", NULL, &b, &s),
	                 SESH_ERR_LIMIT);
	assert_int_equal(sshconfig_parse_rekey("1.5G", "30", &b, &s), 0);
	assert_int_equal(b, 1610612736);
	assert_int_equal(s, 30);
	assert_int_equal(sshconfig_parse_rekey("2T", NULL, &b, &s), 0);
	assert_int_equal(b, 2199023255552LL);
	assert_int_equal(sshconfig_parse_rekey("1.", NULL, &b, &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_parse_rekey("1X", NULL, &b, &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_parse_rekey("1GG", NULL, &b, &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_parse_rekey("99999999999999G", NULL, &b, &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_parse_rekey("1G", "soon", &b, &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_parse_time("90", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(sshconfig_parse_time("1w2d3h4m5s", &s), 0);
	assert_int_equal(s, 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	assert_int_equal(sshconfig_parse_time("", &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_parse_time("m", &s),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_parse_time("99999999w", &s),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_resolve_defaults(void **state)
{
	struct sshconfig_out out;
	struct sshconfig c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	start(&c, "plain");
	assert_int_equal(parse(&c, "RekeyLimit 1G 1h\nEscapeChar ^A\n"
	                           "RequestTTY force\nAddressFamily inet6\n"
	                           "PubkeyAuthentication no\n"
	                           "LogLevel DEBUG2\n"),
	                 0);
	assert_int_equal(sshconfig_resolve(&c, NULL, &out), 0);
	assert_string_equal(out.opts.user, c.local_user);
	assert_int_equal(out.opts.port, 22);
	assert_null(out.opts.identities);
	assert_false(out.opts.identities_explicit);
	assert_int_equal(out.opts.rekey_bytes, 1073741824);
	assert_int_equal(out.opts.rekey_seconds, 3600);
	assert_int_equal(out.opts.escape_char, 1);
	assert_int_equal(out.opts.request_tty, CLIENT_TTY_FORCE);
	assert_true(out.opts.no_pubkey_auth);
	assert_false(out.opts.no_password_auth);
	assert_int_equal(out.opts.password_prompts, 3);
	assert_int_equal(out.opts.log_level, LOG_LVL_DEBUG2);
	assert_string_equal(out.opts.global_known_hosts[0],
	                    "/etc/ssh/ssh_known_hosts");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(sshconfig_dump(&out, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "host plain\n"));
	assert_non_null(strstr(text, "\nport 22\n"));
	assert_non_null(strstr(text, "\naddressfamily inet6\n"));
	assert_non_null(strstr(text, "\nrekeylimit 1073741824 3600\n"));
	assert_non_null(strstr(text, "\nescapechar \\^A\n"));
	assert_non_null(strstr(text, "\nidentityfile ~/.ssh/id_ed25519\n"));
	free(text);
	sshconfig_out_clear(&out);
	sshconfig_clear(&c);
}

static const char sample[] =
    "# sample\n"
    "Include conf.d/*.conf\n"
    "Host web* !web9 \"quoted host\"\n"
    "  HostName %h.example.com\n"
    "  User=deploy\n"
    "  Port 2222\n"
    "  IdentityFile ~/.ssh/id_%h_%r\n"
    "  Ciphers ^aes256-gcm@openssh.com\n"
    "  MACs -hmac-sha2-512*\n"
    "  KexAlgorithms +diffie-hellman-group14-sha256\n"
    "  ProxyCommand sh -c 'nc %h %p'\n"
    "Match host *.example.com user deploy !localuser nobody\n"
    "  RekeyLimit 1G 1h\n"
    "  SendEnv LANG LC_*\n"
    "  SetEnv A=1 B=\"two words\"\n"
    "Host *\n"
    "  ServerAliveInterval 30\n"
    "  EscapeChar ~\n"
    "  ForwardAgent no\n";

/* Whatever the bytes, parsing ends with 0 or a reported error. */
static void
sweep_one(const char *p, size_t n)
{
	struct sshconfig_out out;
	struct sshconfig c;
	int ret;

	start(&c, "web1");
	c.no_include = true;
	ret = sshconfig_parse_buffer(&c, "s", p, n, SSHCONFIG_USER);
	assert_true(ret == 0 || ret == SESH_ERR_INVALID_FORMAT);
	if (ret != 0) {
		assert_non_null(strstr(reported, "s: terminating"));
	} else {
		ret = sshconfig_resolve(&c, "/s", &out);
		assert_true(ret == 0 || ret == SESH_ERR_INVALID_ARGUMENT);
		if (ret == 0) {
			assert_non_null(out.opts.host);
			sshconfig_out_clear(&out);
		}
	}
	sshconfig_clear(&c);
}

static void
test_sweeps(void **state)
{
	size_t n = sizeof(sample) - 1, i;
	char *buf = malloc(n);
	int bit;

	(void)state;
	assert_non_null(buf);
	sweep_one(sample, n);
	assert_string_equal(reported, "");
	for (i = 0; i <= n; i++) {
		memcpy(buf, sample, i);
		sweep_one(buf, i);
	}
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, sample, n);
			buf[i] = (char)(buf[i] ^ (1 << bit));
			sweep_one(buf, n);
		}
	}
	free(buf);
}

/* EscapeChar and ssh -e share one reader; only "none" folding differs. */
static void
test_escape_parse(void **state)
{
	int v = 7;

	(void)state;
	assert_int_equal(sshconfig_escape_parse("~", false, &v), 0);
	assert_int_equal(v, '~');
	assert_int_equal(sshconfig_escape_parse("^A", false, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sshconfig_escape_parse("^_", false, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(sshconfig_escape_parse("none", false, &v), 0);
	assert_int_equal(v, CLIENT_ESCAPE_NONE);
	assert_int_equal(sshconfig_escape_parse("NONE", true, &v), 0);
	assert_int_equal(v, CLIENT_ESCAPE_NONE);
	assert_int_equal(sshconfig_escape_parse("NONE", false, &v),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(v, 0);
	assert_int_equal(sshconfig_escape_parse("", true, &v),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_escape_parse("^", true, &v), 0);
	assert_int_equal(v, '^');
	assert_int_equal(sshconfig_escape_parse("^\x01", true, &v),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_escape_parse("ab", true, &v),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sshconfig_escape_parse("^AB", true, &v),
	                 SESH_ERR_INVALID_ARGUMENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_patterns),
	    cmocka_unit_test(test_first_wins),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_include),
	    cmocka_unit_test(test_alg_modifiers),
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_proxyjump),
	    cmocka_unit_test(test_bad_lines),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_rekey_and_time),
	    cmocka_unit_test(test_resolve_defaults),
	    cmocka_unit_test(test_sweeps),
	    cmocka_unit_test(test_escape_parse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
