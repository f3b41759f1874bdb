/*
 * test_servconf.c - seshd's sshd_config reader: defaults, every keyword
 * family and its value syntax (flags, integers, times, strings, lists,
 * algorithm lists with + - ^, ListenAddress forms, MaxStartups,
 * RekeyLimit, PermitRootLogin, Subsystem, AuthenticationMethods),
 * first-value-wins, -o precedence (over files and Match blocks), Match
 * criteria (User, Group, Host, Address/LocalAddress with CIDR and
 * negation, LocalPort, All), Include (relative globs, recursion limit),
 * error messages with file and line, `-T` output, and truncation /
 * bit-flip sweeps over a whole config (clean error or success, never a
 * crash or leak).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/servconf.h"
#include "app/servconf_int.h"
#include "base/err.h"
#include "base/log.h"

/* Loads text as "t.conf", then finishes; returns the first error. */
static int
load(struct servconf *c, const char *text, struct servconf_err *err)
{
	int ret;

	servconf_init(c);
	memset(err, 0, sizeof(*err));
	ret = servconf_load_text(c, "t.conf", text, strlen(text), err);
	if (ret == 0) {
		ret = servconf_finish(c, err);
	}
	return ret;
}

static void
load_ok(struct servconf *c, const char *text)
{
	struct servconf_err err;
	int ret = load(c, text, &err);

	if (ret != 0) {
		fail_msg("load failed (%d): %s", ret, err.msg);
	}
}

/* The error message of a config that must fail. */
static void
expect_err(const char *text, const char *msg)
{
	struct servconf c;
	struct servconf_err err;
	int ret = load(&c, text, &err);

	assert_int_equal(ret, SESH_ERR_INVALID_ARGUMENT);
	if (strstr(err.msg, msg) == NULL) {
		fail_msg("got \"%s\", want \"%s\"", err.msg, msg);
	}
	servconf_clear(&c);
}

/* Does `-T` output contain this exact line? */
static bool
dump_has(const struct servconf *c, const char *line)
{
	char *buf = NULL, *p;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	bool found = false;
	size_t l = strlen(line);

	assert_non_null(f);
	assert_int_equal(servconf_dump(c, f), 0);
	fclose(f);
	for (p = buf; p != NULL && *p != '\0';) {
		char *e = strchr(p, '\n');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

		if (len == l && memcmp(p, line, l) == 0) {
			found = true;
		}
		p = e != NULL ? e + 1 : NULL;
	}
	free(buf);
	return found;
}

static void
test_defaults(void **state)
{
	struct servconf c;

	(void)state;
	load_ok(&c, "");
	assert_int_equal(c.nports, 1);
	assert_int_equal(c.ports[0], 22);
	assert_int_equal(c.nlisten, 1);
	assert_null(c.listen[0].addr);
	assert_int_equal(c.address_family, AF_UNSPEC);
	assert_int_equal(c.log_level, LOG_LVL_INFO);
	assert_int_equal(c.syslog_facility, LOG_AUTH);
	assert_int_equal(c.login_grace_time, 120);
	assert_int_equal(c.max_auth_tries, 6);
	assert_int_equal(c.max_sessions, 10);
	assert_int_equal(c.max_startups_begin, 10);
	assert_int_equal(c.max_startups_rate, 30);
	assert_int_equal(c.max_startups_full, 100);
	assert_int_equal(c.client_alive_interval, 0);
	assert_int_equal(c.client_alive_count_max, 3);
	assert_true(c.tcp_keep_alive);
	assert_int_equal(c.permit_root_login, SERVCONF_ROOT_PROHIBIT_PASSWORD);
	assert_int_equal(c.permit_empty_passwords, 0);
	assert_int_equal(c.password_authentication, 1);
	assert_int_equal(c.pubkey_authentication, 1);
	assert_int_equal(c.kbd_interactive_authentication, 1);
	assert_int_equal(c.use_pam, 0);
	assert_string_equal(c.pam_service_name, "seshd");
	assert_string_equal(c.authorized_keys_files[0], ".ssh/authorized_keys");
	assert_string_equal(c.authorized_keys_files[1],
	                    ".ssh/authorized_keys2");
	assert_null(c.authorized_keys_files[2]);
	assert_int_equal(c.strict_modes, 1);
	assert_null(c.authentication_methods);
	assert_null(c.banner);
	assert_null(c.force_command);
	assert_int_equal(c.print_motd, 1);
	assert_int_equal(c.allow_tcp_forwarding, 3);
	assert_string_equal(c.pid_file, SERVCONF_DEFAULT_PIDFILE);
	assert_string_equal(c.host_key_files[2],
	                    SERVCONF_HOSTKEY_DIR "/ssh_host_ed25519_key");
	assert_string_equal(c.ciphers, sc_alg_default(SC_ALG_CIPHER));
	assert_true(dump_has(&c, "permitrootlogin prohibit-password"));
	assert_true(dump_has(&c, "permitemptypasswords no"));
	assert_true(dump_has(&c, "passwordauthentication yes"));
	assert_true(dump_has(&c, "pubkeyauthentication yes"));
	assert_true(dump_has(&c, "port 22"));
	assert_true(dump_has(&c, "listenaddress 0.0.0.0:22"));
	assert_true(dump_has(&c, "listenaddress [::]:22"));
	assert_true(dump_has(&c, "authenticationmethods any"));
	assert_true(dump_has(&c, "maxstartups 10:30:100"));
	assert_true(dump_has(&c, "rekeylimit 0 0"));
	assert_true(dump_has(&c, "banner none"));
	servconf_clear(&c);
}

static void
test_flags_ints_times(void **state)
{
	struct servconf c;

	(void)state;
	load_ok(&c, "PasswordAuthentication no\n"
	            "pubkeyauthentication=NO\n"
	            "PermitEmptyPasswords yes\n"
	            "UsePAM yes\n"
	            "TCPKeepAlive no\n"
	            "ChallengeResponseAuthentication no\n"
	            "KbdInteractiveAuthentication yes\n" /* alias: first wins */
	            "MaxAuthTries 3\n"
	            "MaxSessions 0\n"
	            "LoginGraceTime 1h30m\n"
	            "ClientAliveInterval 2m\n"
	            "ClientAliveCountMax 7\n"
	            "AllowTcpForwarding local\n"
	            "PermitRootLogin without-password\n");
	assert_int_equal(c.password_authentication, 0);
	assert_int_equal(c.pubkey_authentication, 0);
	assert_int_equal(c.permit_empty_passwords, 1);
	assert_int_equal(c.use_pam, 1);
	assert_false(c.tcp_keep_alive);
	assert_int_equal(c.kbd_interactive_authentication, 0);
	assert_int_equal(c.max_auth_tries, 3);
	assert_int_equal(c.max_sessions, 0);
	assert_int_equal(c.login_grace_time, 5400);
	assert_int_equal(c.client_alive_interval, 120);
	assert_int_equal(c.client_alive_count_max, 7);
	assert_int_equal(c.allow_tcp_forwarding, 1);
	assert_int_equal(c.permit_root_login, SERVCONF_ROOT_PROHIBIT_PASSWORD);
	assert_true(dump_has(&c, "logingracetime 5400"));
	assert_true(dump_has(&c, "allowtcpforwarding local"));
	assert_true(dump_has(&c, "tcpkeepalive no"));
	servconf_clear(&c);

	load_ok(&c, "PermitRootLogin forced-commands-only\n");
	assert_int_equal(c.permit_root_login,
	                 SERVCONF_ROOT_FORCED_COMMANDS_ONLY);
	assert_true(dump_has(&c, "permitrootlogin forced-commands-only"));
	servconf_clear(&c);
	load_ok(&c, "PermitRootLogin no\nAllowTcpForwarding remote\n");
	assert_int_equal(c.permit_root_login, SERVCONF_ROOT_NO);
	assert_int_equal(c.allow_tcp_forwarding, 2);
	servconf_clear(&c);
}

static void
test_time_syntax(void **state)
{
	static const struct {
		const char *s;
		int v;
	} ok[] = {{"0", 0},        {"90", 90},     {"2m", 120},
	          {"1h30m", 5400}, {"1w", 604800}, {"1d2H3M4s", 93784},
	          {"10S", 10}};
	static const char *const bad[] = {"",    "1x",          "m", "-1",
	                                  "1m-", "99999999999", " 1"};
	size_t i;
	int v;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(sc_parse_time(ok[i].s, &v), 0);
		assert_int_equal(v, ok[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sc_parse_time(bad[i], &v),
		                 SESH_ERR_INVALID_ARGUMENT);
	}
}

static void
test_strings_lists(void **state)
{
	struct servconf c;

	(void)state;
	load_ok(&c, "AuthorizedKeysFile %h/.ssh/keys /etc/keys/%u\n"
	            "AuthorizedKeysFile ignored\n"
	            "AllowUsers alice bob@10.0.0.*\n"
	            "AllowUsers carol\n"
	            "DenyUsers mallory\n"
	            "AllowGroups staff\nDenyGroups guests\n"
	            "AcceptEnv LANG LC_*\nAcceptEnv TZ\n"
	            "Banner /etc/issue.net\n"
	            "ForceCommand internal-sftp -d /srv\n"
	            "PidFile /tmp/x.pid\n"
	            "PAMServiceName sshd\n"
	            "ChrootDirectory none\n"
	            "VersionAddendum hello there\n"
	            "AuthenticationMethods publickey,password publickey\n"
	            "Subsystem sftp /usr/lib/sftp-server -l INFO\n"
	            "Subsystem other /bin/other\n");
	assert_string_equal(c.authorized_keys_files[0], "%h/.ssh/keys");
	assert_string_equal(c.authorized_keys_files[1], "/etc/keys/%u");
	assert_null(c.authorized_keys_files[2]);
	assert_string_equal(c.allow_users[0], "alice");
	assert_string_equal(c.allow_users[1], "bob@10.0.0.*");
	assert_string_equal(c.allow_users[2], "carol");
	assert_null(c.allow_users[3]);
	assert_string_equal(c.deny_users[0], "mallory");
	assert_string_equal(c.allow_groups[0], "staff");
	assert_string_equal(c.deny_groups[0], "guests");
	assert_string_equal(c.accept_env[2], "TZ");
	assert_string_equal(c.banner, "/etc/issue.net");
	assert_string_equal(c.force_command, "internal-sftp -d /srv");
	assert_string_equal(c.pid_file, "/tmp/x.pid");
	assert_string_equal(c.pam_service_name, "sshd");
	assert_string_equal(c.version_addendum, "hello there");
	assert_string_equal(c.authentication_methods[0], "publickey,password");
	assert_string_equal(c.authentication_methods[1], "publickey");
	assert_int_equal(c.nsubsystems, 2);
	assert_string_equal(c.subsystems[0].name, "sftp");
	assert_string_equal(c.subsystems[0].command,
	                    "/usr/lib/sftp-server -l INFO");
	assert_true(dump_has(&c, "allowusers carol"));
	assert_true(dump_has(&c, "acceptenv LC_*"));
	assert_true(dump_has(&c, "subsystem other /bin/other"));
	assert_true(dump_has(&c, "authorizedkeysfile %h/.ssh/keys "
	                         "/etc/keys/%u"));
	assert_true(dump_has(&c, "authenticationmethods publickey,password "
	                         "publickey"));
	servconf_clear(&c);

	load_ok(&c, "Banner none\nBanner /x\nForceCommand none\n");
	assert_null(c.banner);
	assert_null(c.force_command);
	assert_true(dump_has(&c, "forcecommand none"));
	servconf_clear(&c);
}

static void
test_listen_ports(void **state)
{
	struct servconf c;
	char *h = NULL;
	unsigned int p = 0;

	(void)state;
	load_ok(&c, "Port 2222\nPort 2223\n"
	            "ListenAddress 127.0.0.1\n"
	            "ListenAddress 10.1.2.3:8022\n"
	            "ListenAddress [::1]:9022\n"
	            "ListenAddress ::\n"
	            "ListenAddress localhost rdomain x\n"
	            "AddressFamily inet6\n"
	            "HostKey /a\nHostKey /b\n");
	assert_int_equal(c.nports, 2);
	assert_int_equal(c.ports[1], 2223);
	assert_int_equal(c.nlisten, 5);
	assert_string_equal(c.listen[0].addr, "127.0.0.1");
	assert_int_equal(c.listen[0].port, 0);
	assert_string_equal(c.listen[1].addr, "10.1.2.3");
	assert_int_equal(c.listen[1].port, 8022);
	assert_string_equal(c.listen[2].addr, "::1");
	assert_int_equal(c.listen[2].port, 9022);
	assert_string_equal(c.listen[3].addr, "::");
	assert_int_equal(c.listen[3].port, 0);
	assert_int_equal(c.address_family, AF_INET6);
	assert_string_equal(c.host_key_files[0], "/a");
	assert_string_equal(c.host_key_files[1], "/b");
	assert_null(c.host_key_files[2]);
	assert_true(dump_has(&c, "listenaddress 127.0.0.1:2222"));
	assert_true(dump_has(&c, "listenaddress 127.0.0.1:2223"));
	assert_true(dump_has(&c, "listenaddress 10.1.2.3:8022"));
	assert_true(dump_has(&c, "listenaddress [::1]:9022"));
	assert_true(dump_has(&c, "addressfamily inet6"));
	servconf_clear(&c);

	assert_int_equal(sc_parse_listen("[fe80::1]", &h, &p), 0);
	assert_string_equal(h, "fe80::1");
	assert_int_equal(p, 0);
	free(h);
	assert_int_not_equal(sc_parse_listen("[::1", &h, &p), 0);
	assert_int_not_equal(sc_parse_listen("1.2.3.4:99999", &h, &p), 0);
	assert_int_not_equal(sc_parse_listen(":22", &h, &p), 0);
	assert_int_not_equal(sc_parse_listen("[::1]x", &h, &p), 0);
	expect_err("ListenAddress [::1\n", "t.conf line 1: bad address:port "
	                                   "usage");
	expect_err("ListenAddress 1.2.3.4:0\n", "bad port number");
	expect_err("Port 65536\n", "t.conf line 1: Badly formatted port "
	                           "number.");
	expect_err("AddressFamily ipx\n", "unsupported option \"ipx\".");
}

static void
test_algorithms(void **state)
{
	struct servconf c;
	char *s = NULL;

	(void)state;
	load_ok(&c, "Ciphers aes256-ctr,aes128-ctr\n"
	            "MACs -*-512*\n"
	            "KexAlgorithms ^diffie-hellman-group14-sha256\n"
	            "HostKeyAlgorithms ssh-ed25519\n"
	            "PubkeyAcceptedKeyTypes +ssh-rsa\n");
	assert_string_equal(c.ciphers, "aes256-ctr,aes128-ctr");
	assert_null(strstr(c.macs, "512"));
	assert_non_null(strstr(c.macs, "hmac-sha2-256"));
	assert_true(strncmp(c.kex_algorithms, "diffie-hellman-group14-sha256,",
	                    30) == 0);
	/* no duplicate after ^ */
	assert_null(
	    strstr(c.kex_algorithms + 30, "diffie-hellman-group14-sha256"));
	assert_string_equal(c.host_key_algorithms, "ssh-ed25519");
	assert_non_null(strstr(c.pubkey_accepted_algorithms, ",ssh-rsa"));
	servconf_clear(&c);

	assert_int_equal(sc_alg_list(SC_ALG_CIPHER, "aes*-ctr", &s), 0);
	assert_string_equal(s, "aes128-ctr,aes192-ctr,aes256-ctr");
	free(s);
	assert_int_not_equal(sc_alg_list(SC_ALG_CIPHER, "+bogus", &s), 0);
	assert_int_not_equal(sc_alg_list(SC_ALG_CIPHER, "-*", &s), 0);
	assert_int_not_equal(sc_alg_list(SC_ALG_MAC, "", &s), 0);
	assert_int_not_equal(sc_alg_list(SC_ALG_KEX, "a,,b", &s), 0);
	assert_int_not_equal(sc_alg_list(SC_ALG_KEX, "nomatch*", &s), 0);
	expect_err("Ciphers aes128-ctr,bogus\n",
	           "t.conf line 1: Bad SSH2 cipher spec "
	           "'aes128-ctr,bogus'.");
	expect_err("MACs +nope\n", "t.conf line 1: Bad MAC list '+nope'.");
}

static void
test_maxstartups_rekey_logging(void **state)
{
	struct servconf c;

	(void)state;
	load_ok(&c, "MaxStartups 5:50:20\nRekeyLimit 1G 1h\n"
	            "LogLevel DEBUG2\nSyslogFacility LOCAL3\n");
	assert_int_equal(c.max_startups_begin, 5);
	assert_int_equal(c.max_startups_rate, 50);
	assert_int_equal(c.max_startups_full, 20);
	assert_int_equal(c.rekey_limit_bytes, 1ull << 30);
	assert_int_equal(c.rekey_limit_secs, 3600);
	assert_int_equal(c.log_level, LOG_LVL_DEBUG2);
	assert_int_equal(c.syslog_facility, LOG_LOCAL3);
	assert_true(dump_has(&c, "maxstartups 5:50:20"));
	assert_true(dump_has(&c, "rekeylimit 1073741824 3600"));
	assert_true(dump_has(&c, "loglevel DEBUG2"));
	assert_true(dump_has(&c, "syslogfacility LOCAL3"));
	servconf_clear(&c);

	load_ok(&c, "MaxStartups 7\nRekeyLimit default none\n");
	assert_int_equal(c.max_startups_begin, 7);
	assert_int_equal(c.max_startups_full, 7);
	assert_int_equal(c.rekey_limit_bytes, 0);
	assert_int_equal(c.rekey_limit_secs, 0);
	servconf_clear(&c);

	expect_err("MaxStartups 10:x\n", "Illegal MaxStartups spec.");
	expect_err("MaxStartups 10:30:5\n", "Illegal MaxStartups spec.");
	expect_err("MaxStartups 10:101:100\n", "Illegal MaxStartups spec.");
	expect_err("RekeyLimit 1Q\n", "Bad RekeyLimit number '1Q'");
	expect_err("RekeyLimit 1G 1x\n", "invalid rekey time value.");
	expect_err("LogLevel LOUD\n", "unsupported log level 'LOUD'");
	expect_err("SyslogFacility XX\n", "unsupported log facility 'XX'");
}

static void
test_first_value_wins_and_cmdline(void **state)
{
	struct servconf c;
	struct servconf_err err;
	const char *text = "Port 2200\nPermitRootLogin yes\n"
	                   "PermitRootLogin no\nMaxAuthTries 4\n";

	(void)state;
	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	assert_int_equal(servconf_set_option(&c, "PermitRootLogin=no", &err),
	                 0);
	assert_int_equal(servconf_set_option(&c, "Port 3000", &err), 0);
	assert_int_equal(servconf_set_option(&c, "maxauthtries = 9", &err), 0);
	assert_int_equal(
	    servconf_load_text(&c, "t.conf", text, strlen(text), &err), 0);
	assert_int_equal(servconf_finish(&c, &err), 0);
	assert_int_equal(c.permit_root_login, SERVCONF_ROOT_NO);
	assert_int_equal(c.nports, 1); /* -p / -o Port: the file's ignored */
	assert_int_equal(c.ports[0], 3000);
	assert_int_equal(c.max_auth_tries, 9);
	servconf_clear(&c);

	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	assert_int_equal(servconf_set_option(&c, "Bogus=1", &err),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.msg, "command-line: line 0: Bad "
	                             "configuration option: Bogus");
	servconf_clear(&c);
	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	assert_int_equal(servconf_set_option(&c, "Match User x", &err),
	                 SESH_ERR_INVALID_ARGUMENT);
	servconf_clear(&c);
}

static int
match_for(const struct servconf *base, const char *user, const char *addr,
          const char *const *groups, unsigned int lport, struct servconf *out)
{
	struct servconf_conninfo ci;
	struct servconf_err err;

	memset(&ci, 0, sizeof(ci));
	memset(&err, 0, sizeof(err));
	ci.user = user;
	ci.addr = addr;
	ci.host = "client.example.org";
	ci.laddr = "127.0.0.1";
	ci.lport = lport;
	ci.groups = groups;
	return servconf_match(base, &ci, out, &err);
}

static void
test_match(void **state)
{
	static const char *const wheel[] = {"users", "wheel", NULL};
	static const char *const users[] = {"users", NULL};
	struct servconf c, m;
	struct servconf_err err;
	const char *text =
	    "PasswordAuthentication yes\n"
	    "Banner /global\n"
	    "AllowUsers *\n"
	    "Match User alice,!root Address 10.0.0.0/8,!10.1.2.3\n"
	    "  PasswordAuthentication no\n"
	    "  Banner none\n"
	    "  MaxAuthTries 2\n"
	    "Match Group wheel\n"
	    "  PermitRootLogin yes\n"
	    "  MaxAuthTries 5\n"
	    "  AllowUsers admin\n"
	    "Match Host *.example.org LocalPort 2222\n"
	    "  X11Forwarding yes\n"
	    "Match LocalAddress 127.0.0.0/8 User b*\n"
	    "  ForceCommand /bin/true\n"
	    "Match All\n"
	    "  MaxSessions 3\n";

	(void)state;
	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	assert_int_equal(servconf_set_option(&c, "MaxSessions=8", &err), 0);
	assert_int_equal(
	    servconf_load_text(&c, "t.conf", text, strlen(text), &err), 0);
	assert_int_equal(servconf_finish(&c, &err), 0);
	/* the base ignores Match blocks */
	assert_int_equal(c.password_authentication, 1);
	assert_int_equal(c.max_sessions, 8);

	assert_int_equal(match_for(&c, "alice", "10.9.9.9", wheel, 22, &m), 0);
	assert_int_equal(m.password_authentication, 0);
	assert_null(m.banner);
	assert_int_equal(m.max_auth_tries, 2); /* first block wins */
	assert_int_equal(m.permit_root_login, SERVCONF_ROOT_YES);
	assert_string_equal(m.allow_users[0], "admin");
	assert_null(m.allow_users[1]);
	assert_int_equal(m.max_sessions, 8); /* -o beats Match All */
	assert_int_equal(m.x11_forwarding, 0);
	servconf_clear(&m);

	/* negated address, wrong group, matching host and port */
	assert_int_equal(match_for(&c, "alice", "10.1.2.3", users, 2222, &m),
	                 0);
	assert_int_equal(m.password_authentication, 1);
	assert_string_equal(m.banner, "/global");
	assert_int_equal(m.max_auth_tries, 6);
	assert_int_equal(m.permit_root_login, SERVCONF_ROOT_PROHIBIT_PASSWORD);
	assert_int_equal(m.x11_forwarding, 1);
	assert_string_equal(m.allow_users[0], "*");
	servconf_clear(&m);

	/* User b* and LocalAddress in 127/8; IPv6 peer */
	assert_int_equal(match_for(&c, "bob", "::1", NULL, 22, &m), 0);
	assert_string_equal(m.force_command, "/bin/true");
	servconf_clear(&m);

	/* before the user is known: no User/Group block applies */
	assert_int_equal(match_for(&c, NULL, "10.9.9.9", NULL, 22, &m), 0);
	assert_int_equal(m.password_authentication, 1);
	assert_null(m.force_command);
	servconf_clear(&m);

	/* the copy owns its memory */
	assert_int_equal(match_for(&c, "alice", "10.9.9.9", wheel, 22, &m), 0);
	servconf_clear(&c);
	assert_true(dump_has(&m, "passwordauthentication no"));
	assert_true(dump_has(&m, "allowusers admin"));
	assert_true(dump_has(&m, "maxsessions 8"));
	servconf_clear(&m);
}

static void
test_match_errors(void **state)
{
	(void)state;
	expect_err("Match Frob x\n", "t.conf line 1: Bad Match condition");
	expect_err("Match User\n", "t.conf line 1: Bad Match condition");
	expect_err("Match All User x\n", "Bad Match condition");
	expect_err("Match Address 1.2.3.0/33\n", "Bad Match condition");
	expect_err("Match Address 1.2.3.4/8\n", "Bad Match condition");
	expect_err("Match LocalPort 0\n", "Bad Match condition");
	expect_err("Match User a\n  PasswordAuthentication maybe\n",
	           "t.conf line 2: unsupported option \"maybe\".");
	expect_err("Match User a\nPort 23\n",
	           "t.conf line 2: Directive 'Port' is not allowed within "
	           "a Match block");
	expect_err("Match User a\nHostKey /x\n", "Directive 'HostKey'");
	expect_err("Match User a\nUsePAM yes\n", "Directive 'UsePAM'");
}

static void
test_addr_lists(void **state)
{
	(void)state;
	assert_int_equal(sc_addr_match_list("192.168.1.7", "192.168.0.0/16"),
	                 1);
	assert_int_equal(sc_addr_match_list("192.169.1.7", "192.168.0.0/16"),
	                 0);
	assert_int_equal(sc_addr_match_list("10.0.0.1", "0.0.0.0/0"), 1);
	assert_int_equal(sc_addr_match_list("10.0.0.1", "10.0.0.1"), 1);
	assert_int_equal(sc_addr_match_list("10.0.0.1", "10.*,!10.0.0.1"), 0);
	assert_int_equal(sc_addr_match_list("10.0.0.2", "10.*,!10.0.0.1"), 1);
	assert_int_equal(sc_addr_match_list("2001:db8::5", "2001:db8::/32"), 1);
	assert_int_equal(sc_addr_match_list("2001:db9::5", "2001:db8::/32"), 0);
	assert_int_equal(sc_addr_match_list("::1", "127.0.0.1"), 0);
	assert_int_equal(sc_addr_match_list("1.2.3.4", "!1.2.3.4"), 0);
	assert_int_equal(sc_addr_match_list(NULL, "1.2.3.0/24"), 0);
	assert_int_equal(sc_addr_match_list("1.2.3.4", "1.2.3.0/24,x/3"),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sc_addr_match_list("1.2.3.4", "1.2.3.0/-1"),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sc_addr_match_list("1.2.3.4", "!"),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sc_addr_match_list("1.2.3.4", "a,,b"),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_errors(void **state)
{
	struct servconf c;
	struct servconf_err err;

	(void)state;
	/* unknown keywords: counted, parsing goes on, first one reported */
	assert_int_equal(load(&c,
	                      "Port 22\n\n# x\nFoo bar\nMaxAuthTries 2\n"
	                      "  bAr=1\n",
	                      &err),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.msg, "t.conf: line 4: Bad configuration "
	                             "option: Foo");
	assert_string_equal(err.file, "t.conf");
	assert_int_equal(err.line, 4);
	assert_int_equal(err.nbad, 2);
	assert_int_equal(c.max_auth_tries, 2);
	servconf_clear(&c);

	expect_err("Port\n", "t.conf line 1: no argument after keyword "
	                     "\"Port\"");
	expect_err("PermitRootLogin yes extra\n",
	           "t.conf line 1: keyword PermitRootLogin extra arguments "
	           "at end of line");
	expect_err("MaxAuthTries x\n",
	           "t.conf line 1: MaxAuthTries integer value invalid.");
	expect_err("MaxSessions -1\n",
	           "t.conf line 1: MaxSessions integer value too small.");
	expect_err("LoginGraceTime 2q\n", "t.conf line 1: invalid time "
	                                  "value.");
	expect_err("Subsystem sftp\n", "Missing subsystem command.");
	expect_err("Subsystem a b\nSubsystem a c\n",
	           "t.conf line 2: Subsystem 'a' already defined.");
	expect_err("AuthenticationMethods publickey,bogus\n",
	           "invalid AuthenticationMethods method list.");
	expect_err("AuthenticationMethods any publickey\n",
	           "\"any\" must appear alone");
	expect_err("Banner \"unterminated\n", "t.conf line 1: invalid quotes");
	expect_err("AllowTcpForwarding maybe\n", "unsupported option");

	/* deprecated and not-implemented keywords are accepted */
	load_ok(&c, "Protocol 2\nUsePrivilegeSeparation sandbox\n"
	            "GSSAPIAuthentication no\nX11UseLocalhost yes\n"
	            "Compression delayed\nDebianBanner no\n"
	            "AuthorizedKeysFile2 x\n");
	servconf_clear(&c);
}

/* A user that exists with neither uid nor gid 0 (NULL: none here). */
static const char *
plain_user(char *buf, size_t n)
{
	struct passwd *pw;
	const char *found = NULL;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (pw->pw_uid != 0 && pw->pw_gid != 0 &&
		    strlen(pw->pw_name) < n) {
			snprintf(buf, n, "%s", pw->pw_name);
			found = buf;
			break;
		}
	}
	endpwent();
	return found;
}

/* SandboxUser (a sesh extension): checked when read, not in Match. */
static void
test_sandbox_user(void **state)
{
	struct servconf c, m;
	struct servconf_err err;
	char text[256], line[128], name[64];
	const char *user = plain_user(name, sizeof(name));

	(void)state;
	/* default: unset, -T "none" */
	load_ok(&c, "");
	assert_null(c.sandbox_user);
	assert_true(dump_has(&c, "sandboxuser none"));
	servconf_clear(&c);
	load_ok(&c, "SandboxUser none\n");
	assert_null(c.sandbox_user);
	servconf_clear(&c);

	/* a missing user, root and a gid-0 user: file:line errors */
	expect_err("Port 22\nSandboxUser no-such-user-sesh-test\n",
	           "t.conf line 2: SandboxUser: no such user "
	           "\"no-such-user-sesh-test\".");
	expect_err("sandboxuser root\n",
	           "t.conf line 1: sandboxuser: user \"root\" has uid or "
	           "gid 0.");
	expect_err("SandboxUser\n", "t.conf line 1: no argument after "
	                            "keyword \"SandboxUser\"");
	expect_err("SandboxUser root\n", "has uid or gid 0");
	assert_int_equal(load(&c, "SandboxUser a b\n", &err),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_non_null(strstr(err.msg, "extra arguments at end of line"));
	servconf_clear(&c);
	expect_err("Match User a\n\tSandboxUser root\n",
	           "t.conf line 2: Directive 'SandboxUser' is not allowed "
	           "within a Match block");

	if (user == NULL) {
		skip();
	}
	/* set: stored, first value wins, a later bad value still fails */
	snprintf(text, sizeof(text), "SandboxUser %s\nSandboxUser none\n",
	         user);
	load_ok(&c, text);
	assert_string_equal(c.sandbox_user, user);
	snprintf(line, sizeof(line), "sandboxuser %s", user);
	assert_true(dump_has(&c, line));
	/* a connection's effective config keeps it */
	assert_int_equal(match_for(&c, "alice", "10.0.0.1", NULL, 22, &m), 0);
	assert_string_equal(m.sandbox_user, user);
	servconf_clear(&m);
	servconf_clear(&c);
	snprintf(text, sizeof(text),
	         "SandboxUser %s\nSandboxUser no-such-user-sesh-test\n", user);
	expect_err(text, "t.conf line 2: SandboxUser: no such user");

	/* -o: over the file, and checked the same way */
	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	snprintf(line, sizeof(line), "SandboxUser=%s", user);
	assert_int_equal(servconf_set_option(&c, line, &err), 0);
	assert_int_equal(servconf_load_text(&c, "t.conf", "SandboxUser none\n",
	                                    strlen("SandboxUser none\n"), &err),
	                 0);
	assert_int_equal(servconf_finish(&c, &err), 0);
	assert_string_equal(c.sandbox_user, user);
	servconf_clear(&c);
	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	assert_int_equal(servconf_set_option(&c, "SandboxUser=root", &err),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_non_null(strstr(err.msg, "has uid or gid 0"));
	servconf_clear(&c);
}

/* A scratch folder for Include tests. */
static char tmpdir[64];

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_include(void **state)
{
	struct servconf c, m;
	struct servconf_err err;
	char path[256], text[512];
	static const char *const none[] = {NULL};

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_servconf.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/conf.d", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_file("conf.d/10-a.conf", "PasswordAuthentication no\n"
	                               "Match User carol\n"
	                               "  MaxAuthTries 1\n");
	write_file("conf.d/20-b.conf", "PasswordAuthentication yes\n"
	                               "MaxSessions 4\n");
	write_file("conf.d/ignored", "Bogus 1\n");
	/* nested relative Includes start from the top file's folder */
	write_file("conf.d/30-c.conf", "Include nested.conf\n");
	write_file("nested.conf", "ClientAliveInterval 7\n");
	write_file("inblock.conf", "Banner /inblock\n");
	write_file("main.conf", "Include conf.d/*.conf nothing-*.conf\n"
	                        "MaxAuthTries 9\n"
	                        "Match User dave\n"
	                        "  Include inblock.conf\n");
	write_file("loop.conf", "Include loop.conf\n");
	write_file("bad.conf", "Port 22\nNope 1\n");
	write_file("incbad.conf", "\nInclude bad.conf\n");

	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	snprintf(path, sizeof(path), "%s/main.conf", tmpdir);
	assert_int_equal(servconf_load_file(&c, path, &err), 0);
	assert_int_equal(servconf_finish(&c, &err), 0);
	assert_int_equal(c.password_authentication, 0);
	assert_int_equal(c.max_sessions, 4);
	assert_int_equal(c.client_alive_interval, 7);
	/* the Match in 10-a.conf ended with that file */
	assert_int_equal(c.max_auth_tries, 9);
	assert_int_equal(match_for(&c, "carol", "1.2.3.4", none, 22, &m), 0);
	assert_int_equal(m.max_auth_tries, 1);
	assert_null(m.banner);
	servconf_clear(&m);
	assert_int_equal(match_for(&c, "dave", "1.2.3.4", none, 22, &m), 0);
	assert_string_equal(m.banner, "/inblock");
	servconf_clear(&m);
	servconf_clear(&c);

	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	snprintf(path, sizeof(path), "%s/loop.conf", tmpdir);
	assert_int_equal(servconf_load_file(&c, path, &err),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_non_null(strstr(err.msg, "Too many recursive configuration "
	                                "includes"));
	servconf_clear(&c);

	/* errors name the included file and its line */
	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	snprintf(path, sizeof(path), "%s/incbad.conf", tmpdir);
	assert_int_equal(servconf_load_file(&c, path, &err),
	                 SESH_ERR_INVALID_ARGUMENT);
	snprintf(text, sizeof(text),
	         "%s/bad.conf: line 2: Bad configuration "
	         "option: Nope",
	         tmpdir);
	assert_string_equal(err.msg, text);
	servconf_clear(&c);

	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	assert_int_equal(servconf_load_file(&c, path, &err),
	                 SESH_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "No such file or directory"));
	servconf_clear(&c);

	snprintf(text, sizeof(text), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(text), 0);
}

static const char sweep_text[] =
    "Port 2222\n"
    "ListenAddress [::1]:2200\n"
    "HostKey /etc/sesh/k\n"
    "PermitRootLogin prohibit-password\n"
    "LoginGraceTime 1m30s\n"
    "MaxStartups 3:50:9\n"
    "RekeyLimit 512M 10m\n"
    "Ciphers +aes128-cbc\n"
    "AuthorizedKeysFile .ssh/a \"%h/with space\"\n"
    "AcceptEnv LANG LC_*\n"
    "Subsystem sftp /usr/lib/sftp-server\n"
    "AuthenticationMethods publickey,password\n"
    "Match User alice Address 10.0.0.0/8,!10.0.0.1\n"
    "  PasswordAuthentication no\n"
    "  Banner /etc/banner\n"
    "Match Group g LocalPort 22\n"
    "  AllowUsers x y\n";

/* Loads, finishes, matches and prints; anything may fail, cleanly. */
static void
exercise(const char *text, size_t n)
{
	static const char *const groups[] = {"g", NULL};
	struct servconf c, m;
	struct servconf_err err;
	struct servconf_conninfo ci;
	FILE *f;
	int ret;

	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	ret = servconf_load_text(&c, "s.conf", text, n, &err);
	if (ret != 0) {
		assert_true(ret < 0);
		assert_true(err.msg[0] != '\0' || ret == SESH_ERR_NOMEM ||
		            ret == SESH_ERR_LIMIT);
		servconf_clear(&c);
		return;
	}
	assert_int_equal(servconf_finish(&c, &err), 0);
	memset(&ci, 0, sizeof(ci));
	ci.user = "alice";
	ci.addr = "10.2.3.4";
	ci.laddr = "127.0.0.1";
	ci.lport = 22;
	ci.groups = groups;
	if (servconf_match(&c, &ci, &m, &err) == 0) {
		f = fopen("/dev/null", "w");
		assert_non_null(f);
		assert_int_equal(servconf_dump(&m, f), 0);
		fclose(f);
		servconf_clear(&m);
	}
	servconf_clear(&c);
}

static void
test_sweeps(void **state)
{
	size_t n = sizeof(sweep_text) - 1, i;
	char *buf = malloc(n);
	int bit;

	(void)state;
	assert_non_null(buf);
	exercise(sweep_text, n);
	for (i = 0; i <= n; i++) {
		memcpy(buf, sweep_text, i);
		exercise(buf, i);
	}
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit += 3) {
			memcpy(buf, sweep_text, n);
			buf[i] = (char)(buf[i] ^ (1 << bit));
			exercise(buf, n);
		}
	}
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_flags_ints_times),
	    cmocka_unit_test(test_time_syntax),
	    cmocka_unit_test(test_strings_lists),
	    cmocka_unit_test(test_listen_ports),
	    cmocka_unit_test(test_algorithms),
	    cmocka_unit_test(test_maxstartups_rekey_logging),
	    cmocka_unit_test(test_first_value_wins_and_cmdline),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_match_errors),
	    cmocka_unit_test(test_addr_lists),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_sandbox_user),
	    cmocka_unit_test(test_include),
	    cmocka_unit_test(test_sweeps),
	};

	log_init("test_servconf", LOG_LVL_QUIET);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
