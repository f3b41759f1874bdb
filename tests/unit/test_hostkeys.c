/*
 * test_hostkeys.c - the client's known_hosts policy (src/app/hostkeys.h)
 * on real files in a fresh temporary directory: plain lines, lines hashed
 * by OpenSSH's `ssh-keygen -H`, [host]:port names, @revoked and
 * @cert-authority markers, user vs global file precedence, every status;
 * hostkeys_add creating ~/.ssh and the file, never losing content, fixing
 * a missing final newline, and producing lines `ssh-keygen -F` finds; the
 * StrictHostKeyChecking decision table, prompt answers and the exact
 * message texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/hostkeys.h"
#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"

struct fixture {
	char dir[64];
	char user[128];
	char global[128];
	struct sshkey *ed1, *ed2, *ec256, *ec384;
	char *ed1_pub, *ed2_pub, *ec256_pub;
};

static char *
pub_line(const struct sshkey *k)
{
	struct buf b;
	char *s;

	buf_init(&b, 0);
	assert_int_equal(key_to_pub_line(k, false, &b), 0);
	s = malloc(buf_len(&b) + 1);
	assert_non_null(s);
	memcpy(s, buf_data(&b), buf_len(&b));
	s[buf_len(&b)] = '\0';
	buf_clear(&b);
	return s;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/sesh-hostkeys-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->user, sizeof(f->user), "%s/known_hosts", f->dir);
	snprintf(f->global, sizeof(f->global), "%s/ssh_known_hosts", f->dir);
	assert_int_equal(key_generate(KEY_ED25519, 0, &f->ed1), 0);
	assert_int_equal(key_generate(KEY_ED25519, 0, &f->ed2), 0);
	assert_int_equal(key_generate(KEY_ECDSA_P256, 0, &f->ec256), 0);
	assert_int_equal(key_generate(KEY_ECDSA_P384, 0, &f->ec384), 0);
	f->ed1_pub = pub_line(f->ed1);
	f->ed2_pub = pub_line(f->ed2);
	f->ec256_pub = pub_line(f->ec256);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	key_free(f->ed1);
	key_free(f->ed2);
	key_free(f->ec256);
	key_free(f->ec384);
	free(f->ed1_pub);
	free(f->ed2_pub);
	free(f->ec256_pub);
	free(f);
	return 0;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

static char *
read_text(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, fp), (size_t)n);
	p[n] = '\0';
	fclose(fp);
	return p;
}

/* Checks and asserts status, file and line (file NULL: not checked). */
static void
expect(const char *user, const char *global, const char *host,
       unsigned int port, const struct sshkey *key, enum hostkeys_status status,
       const char *file, size_t line, size_t nothers)
{
	struct hostkeys_result r;

	assert_int_equal(hostkeys_check(user, global, host, port, key, &r), 0);
	assert_int_equal(r.status, status);
	if (status == HOSTKEY_NEW) {
		assert_null(r.file);
		assert_int_equal(r.line, 0);
	} else {
		assert_non_null(r.file);
		if (file != NULL) {
			assert_string_equal(r.file, file);
		}
		assert_int_equal(r.line, line);
	}
	assert_int_equal(r.nothers, nothers);
	hostkeys_result_clear(&r);
}

static void
test_missing_files(void **state)
{
	struct fixture *f = *state;
	struct hostkeys_result r;

	expect(f->user, f->global, "host.example.org", 22, f->ed1, HOSTKEY_NEW,
	       NULL, 0, 0);
	expect(NULL, NULL, "host.example.org", 22, f->ed1, HOSTKEY_NEW, NULL, 0,
	       0);
	assert_int_equal(hostkeys_check(f->user, NULL, "", 22, f->ed1, &r),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(hostkeys_check(f->user, NULL, "h", 22, NULL, &r),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(r.status, 0);
	assert_null(r.file);
	assert_int_equal(hostkeys_check(f->user, NULL, "h", 22, f->ed1, NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	hostkeys_result_clear(NULL);
}

static void
test_plain(void **state)
{
	struct fixture *f = *state;
	char text[4096];

	snprintf(text, sizeof(text),
	         "# comment\n"
	         "other.example.org %s\n"
	         "this is not a valid line\n"
	         "host.example.org,10.0.0.1 %s\n"
	         "[host.example.org]:2222 %s\n"
	         "*.wild.example.org %s\n"
	         "host.example.org %s\n",
	         f->ed2_pub, f->ed1_pub, f->ed2_pub, f->ed1_pub, f->ec256_pub);
	write_file(f->user, text);

	expect(f->user, NULL, "host.example.org", 22, f->ed1, HOSTKEY_OK,
	       f->user, 4, 1);
	expect(f->user, NULL, "HOST.Example.ORG", 0, f->ed1, HOSTKEY_OK,
	       f->user, 4, 1);
	expect(f->user, NULL, "10.0.0.1", 22, f->ed1, HOSTKEY_OK, f->user, 4,
	       0);
	/* same type, other key: changed, naming the entry */
	expect(f->user, NULL, "host.example.org", 22, f->ed2, HOSTKEY_CHANGED,
	       f->user, 4, 1);
	/* the ECDSA entry is found for its own type */
	expect(f->user, NULL, "host.example.org", 22, f->ec256, HOSTKEY_OK,
	       f->user, 7, 1);
	/* another ECDSA curve counts as the same type, as in ssh */
	expect(f->user, NULL, "host.example.org", 22, f->ec384, HOSTKEY_CHANGED,
	       f->user, 7, 1);
	/* non-default port */
	expect(f->user, NULL, "host.example.org", 2222, f->ed2, HOSTKEY_OK,
	       f->user, 5, 0);
	expect(f->user, NULL, "host.example.org", 2222, f->ed1, HOSTKEY_CHANGED,
	       f->user, 5, 0);
	expect(f->user, NULL, "host.example.org", 2200, f->ed1, HOSTKEY_NEW,
	       NULL, 0, 0);
	/* wildcards */
	expect(f->user, NULL, "a.wild.example.org", 22, f->ed1, HOSTKEY_OK,
	       f->user, 6, 0);
	/* only keys of other types known: new, with a note */
	expect(f->user, NULL, "10.0.0.1", 22, f->ec256, HOSTKEY_NEW, NULL, 0,
	       1);
	expect(f->user, NULL, "unknown.example.org", 22, f->ed1, HOSTKEY_NEW,
	       NULL, 0, 0);
}

static void
test_hashed_by_ssh_keygen(void **state)
{
	struct fixture *f = *state;
	char text[4096], cmd[512];
	char *after;

	snprintf(text, sizeof(text),
	         "host.example.org %s\n"
	         "[host.example.org]:2222 %s\n"
	         "other.example.org %s\n",
	         f->ed1_pub, f->ed2_pub, f->ec256_pub);
	write_file(f->user, text);
	snprintf(cmd, sizeof(cmd), "ssh-keygen -q -H -f '%s' >/dev/null 2>&1",
	         f->user);
	assert_int_equal(system(cmd), 0);
	after = read_text(f->user);
	assert_null(strstr(after, "example.org"));
	assert_non_null(strstr(after, "|1|"));
	free(after);

	expect(f->user, NULL, "host.example.org", 22, f->ed1, HOSTKEY_OK,
	       f->user, 1, 0);
	expect(f->user, NULL, "Host.Example.Org", 22, f->ed1, HOSTKEY_OK,
	       f->user, 1, 0);
	expect(f->user, NULL, "host.example.org", 22, f->ed2, HOSTKEY_CHANGED,
	       f->user, 1, 0);
	expect(f->user, NULL, "host.example.org", 2222, f->ed2, HOSTKEY_OK,
	       f->user, 2, 0);
	expect(f->user, NULL, "host.example.org", 2222, f->ed1, HOSTKEY_CHANGED,
	       f->user, 2, 0);
	expect(f->user, NULL, "other.example.org", 22, f->ed1, HOSTKEY_NEW,
	       NULL, 0, 1);
	expect(f->user, NULL, "other.example.org", 22, f->ec256, HOSTKEY_OK,
	       f->user, 3, 0);
	expect(f->user, NULL, "nothere.example.org", 22, f->ed1, HOSTKEY_NEW,
	       NULL, 0, 0);
}

static void
test_markers(void **state)
{
	struct fixture *f = *state;
	char text[4096];

	snprintf(text, sizeof(text),
	         "@cert-authority *.example.org %s\n"
	         "host.example.org %s\n"
	         "@revoked * %s\n",
	         f->ed2_pub, f->ed1_pub, f->ec256_pub);
	write_file(f->user, text);
	/* a CA line is not a host key */
	expect(f->user, NULL, "x.example.org", 22, f->ed2, HOSTKEY_NEW, NULL, 0,
	       0);
	expect(f->user, NULL, "host.example.org", 22, f->ed1, HOSTKEY_OK,
	       f->user, 2, 0);
	/* @revoked of another key does not make it "changed" */
	expect(f->user, NULL, "x.example.org", 22, f->ec384, HOSTKEY_NEW, NULL,
	       0, 0);
	expect(f->user, NULL, "x.example.org", 22, f->ec256, HOSTKEY_REVOKED,
	       f->user, 3, 0);

	/* revoked wins over a plain entry for the same key */
	snprintf(text, sizeof(text),
	         "host.example.org %s\n"
	         "@revoked host.example.org %s\n",
	         f->ed1_pub, f->ed1_pub);
	write_file(f->global, text);
	expect(f->user, f->global, "host.example.org", 22, f->ed1,
	       HOSTKEY_REVOKED, f->global, 2, 0);
	expect(NULL, f->global, "other.example.org", 22, f->ed1, HOSTKEY_NEW,
	       NULL, 0, 0);
}

static void
test_user_and_global(void **state)
{
	struct fixture *f = *state;
	char text[4096];

	snprintf(text, sizeof(text), "host.example.org %s\n", f->ed2_pub);
	write_file(f->user, text);
	snprintf(text, sizeof(text), "# global\nhost.example.org %s\n",
	         f->ed1_pub);
	write_file(f->global, text);
	/* a match in either file beats a mismatch in the other */
	expect(f->user, f->global, "host.example.org", 22, f->ed1, HOSTKEY_OK,
	       f->global, 2, 0);
	expect(f->user, f->global, "host.example.org", 22, f->ed2, HOSTKEY_OK,
	       f->user, 1, 0);
	/* a mismatch names the first offending entry (user file first) */
	write_file(f->user, "garbage\n");
	expect(f->user, f->global, "host.example.org", 22, f->ed2,
	       HOSTKEY_CHANGED, f->global, 2, 0);
	/* a directory in place of a file is skipped like a missing one */
	expect(f->dir, f->global, "host.example.org", 22, f->ed1, HOSTKEY_OK,
	       f->global, 2, 0);
}

/* Every prefix and every bit flip of a file: a clean result, never a
 * crash; a prefix holding the whole first line still finds its key. */
static void
test_damaged_files(void **state)
{
	struct fixture *f = *state;
	struct hostkeys_result r;
	char text[2048], cut[2048];
	size_t n, i, first;
	int bit;

	snprintf(text, sizeof(text), "host.example.org %s\n@revoked * %s\n",
	         f->ed1_pub, f->ed2_pub);
	n = strlen(text);
	first = (size_t)(strchr(text, '\n') - text);
	for (i = 0; i <= n; i++) {
		memcpy(cut, text, i);
		cut[i] = '\0';
		write_file(f->user, cut);
		assert_int_equal(hostkeys_check(f->user, NULL,
		                                "host.example.org", 22, f->ed1,
		                                &r),
		                 0);
		assert_int_equal(r.status,
		                 i >= first ? HOSTKEY_OK : HOSTKEY_NEW);
		hostkeys_result_clear(&r);
	}
	for (i = 0; i < n; i += 3) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(cut, text, n + 1);
			cut[i] = (char)(cut[i] ^ (1 << bit));
			if (cut[i] == '\0') {
				continue;
			}
			write_file(f->user, cut);
			assert_int_equal(hostkeys_check(f->user, NULL,
			                                "host.example.org", 22,
			                                f->ed2, &r),
			                 0);
			assert_true(r.status == HOSTKEY_NEW ||
			            r.status == HOSTKEY_CHANGED ||
			            r.status == HOSTKEY_REVOKED ||
			            r.status == HOSTKEY_OK);
			hostkeys_result_clear(&r);
		}
	}
}

static void
test_add(void **state)
{
	struct fixture *f = *state;
	char sshdir[160], path[200], cmd[512], text[4096];
	struct stat st;
	char *content;

	/* creates ~/.ssh (0700) and the file (0600) */
	snprintf(sshdir, sizeof(sshdir), "%s/home/.ssh", f->dir);
	snprintf(path, sizeof(path), "%s/known_hosts", sshdir);
	snprintf(cmd, sizeof(cmd), "mkdir '%s/home'", f->dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(
	    hostkeys_add(path, "Host.Example.org", 22, f->ed1, false), 0);
	assert_int_equal(stat(sshdir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	content = read_text(path);
	snprintf(text, sizeof(text), "host.example.org %s\n", f->ed1_pub);
	assert_string_equal(content, text);
	free(content);
	expect(path, NULL, "host.example.org", 22, f->ed1, HOSTKEY_OK, path, 1,
	       0);

	/* a hashed line for a port: found by us and by ssh-keygen -F */
	assert_int_equal(
	    hostkeys_add(path, "host.example.org", 2222, f->ed2, true), 0);
	expect(path, NULL, "host.example.org", 2222, f->ed2, HOSTKEY_OK, path,
	       2, 0);
	expect(path, NULL, "host.example.org", 22, f->ed1, HOSTKEY_OK, path, 1,
	       0);
	content = read_text(path);
	assert_non_null(strstr(content, "\n|1|"));
	assert_null(strstr(content, "2222"));
	free(content);
	snprintf(cmd, sizeof(cmd),
	         "ssh-keygen -F '[host.example.org]:2222' -f '%s' "
	         ">/dev/null 2>&1",
	         path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd),
	         "ssh-keygen -F 'host.example.org' -f '%s' >/dev/null 2>&1",
	         path);
	assert_int_equal(system(cmd), 0);

	/* never loses content; a missing final newline is supplied; the
	 * existing mode is kept */
	write_file(f->user, "# keep me\nother.example.org ssh-dss AAAA");
	assert_int_equal(chmod(f->user, 0644), 0);
	assert_int_equal(
	    hostkeys_add(f->user, "h.example.org", 22, f->ec256, false), 0);
	content = read_text(f->user);
	snprintf(text, sizeof(text),
	         "# keep me\nother.example.org ssh-dss AAAA\n"
	         "h.example.org %s\n",
	         f->ec256_pub);
	assert_string_equal(content, text);
	free(content);
	assert_int_equal(stat(f->user, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	expect(f->user, NULL, "h.example.org", 22, f->ec256, HOSTKEY_OK,
	       f->user, 3, 0);

	/* errors leave the file alone */
	assert_int_equal(hostkeys_add(f->user, "", 22, f->ed1, false),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(hostkeys_add(NULL, "h", 22, f->ed1, false),
	                 SESH_ERR_INVALID_ARGUMENT);
	snprintf(path, sizeof(path), "%s/no/such/dir/known_hosts", f->dir);
	assert_true(hostkeys_add(path, "h", 22, f->ed1, false) < 0);
	content = read_text(f->user);
	assert_string_equal(content, text);
	free(content);

	/* UserKnownHostsFile=/dev/null: written into, never replaced */
	assert_int_equal(
	    hostkeys_add("/dev/null", "h.example.org", 22, f->ed1, false), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* a FIFO gets just the new line */
	snprintf(path, sizeof(path), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	{
		FILE *rf;
		char line[1024];
		int wst = 0;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			_exit(hostkeys_add(path, "f.example.org", 22, f->ed1,
			                   false) == 0
			          ? 0
			          : 1);
		}
		rf = fopen(path, "r");
		assert_non_null(rf);
		assert_non_null(fgets(line, sizeof(line), rf));
		fclose(rf);
		snprintf(text, sizeof(text), "f.example.org %s\n", f->ed1_pub);
		assert_string_equal(line, text);
		assert_int_equal(waitpid(pid, &wst, 0), pid);
		assert_true(WIFEXITED(wst));
		assert_int_equal(WEXITSTATUS(wst), 0);
	}
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
}

static void
test_decide(void **state)
{
	enum hostkeys_strict m;

	(void)state;
	assert_int_equal(
	    hostkeys_decide(HOSTKEYS_STRICT_ASK, HOSTKEY_OK, false),
	    HOSTKEYS_ACCEPT);
	for (m = HOSTKEYS_STRICT_ASK; m <= HOSTKEYS_STRICT_NO; m++) {
		assert_int_equal(hostkeys_decide(m, HOSTKEY_OK, true),
		                 HOSTKEYS_ACCEPT);
		assert_int_equal(hostkeys_decide(m, HOSTKEY_REVOKED, false),
		                 HOSTKEYS_REFUSE);
		assert_int_equal(hostkeys_decide(m, HOSTKEY_CHANGED, false),
		                 m == HOSTKEYS_STRICT_NO ? HOSTKEYS_ACCEPT
		                                         : HOSTKEYS_REFUSE);
	}
	assert_int_equal(
	    hostkeys_decide(HOSTKEYS_STRICT_ASK, HOSTKEY_NEW, false),
	    HOSTKEYS_PROMPT);
	assert_int_equal(
	    hostkeys_decide(HOSTKEYS_STRICT_ASK, HOSTKEY_NEW, true),
	    HOSTKEYS_REFUSE);
	assert_int_equal(
	    hostkeys_decide(HOSTKEYS_STRICT_YES, HOSTKEY_NEW, false),
	    HOSTKEYS_REFUSE);
	assert_int_equal(
	    hostkeys_decide(HOSTKEYS_STRICT_ACCEPT_NEW, HOSTKEY_NEW, true),
	    HOSTKEYS_ACCEPT_ADD);
	assert_int_equal(
	    hostkeys_decide(HOSTKEYS_STRICT_NO, HOSTKEY_NEW, false),
	    HOSTKEYS_ACCEPT_ADD);

	assert_int_equal(hostkeys_strict_parse("YES", &m), 0);
	assert_int_equal(m, HOSTKEYS_STRICT_YES);
	assert_int_equal(hostkeys_strict_parse("true", &m), 0);
	assert_int_equal(m, HOSTKEYS_STRICT_YES);
	assert_int_equal(hostkeys_strict_parse("off", &m), 0);
	assert_int_equal(m, HOSTKEYS_STRICT_NO);
	assert_int_equal(hostkeys_strict_parse("false", &m), 0);
	assert_int_equal(m, HOSTKEYS_STRICT_NO);
	assert_int_equal(hostkeys_strict_parse("Accept-New", &m), 0);
	assert_int_equal(m, HOSTKEYS_STRICT_ACCEPT_NEW);
	assert_int_equal(hostkeys_strict_parse("ask", &m), 0);
	assert_int_equal(m, HOSTKEYS_STRICT_ASK);
	assert_int_equal(hostkeys_strict_parse("accept", &m),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(hostkeys_strict_parse("yess", &m),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(hostkeys_strict_parse("", &m),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_answers(void **state)
{
	const char *fp = "SHA256:abcDEF123";

	(void)state;
	assert_int_equal(hostkeys_parse_answer("yes\n", fp),
	                 HOSTKEYS_ANSWER_YES);
	assert_int_equal(hostkeys_parse_answer("YeS\r\n", fp),
	                 HOSTKEYS_ANSWER_YES);
	assert_int_equal(hostkeys_parse_answer("no", fp), HOSTKEYS_ANSWER_NO);
	assert_int_equal(hostkeys_parse_answer("\n", fp), HOSTKEYS_ANSWER_NO);
	assert_int_equal(hostkeys_parse_answer(NULL, fp), HOSTKEYS_ANSWER_NO);
	assert_int_equal(hostkeys_parse_answer("SHA256:abcDEF123\n", fp),
	                 HOSTKEYS_ANSWER_YES);
	assert_int_equal(hostkeys_parse_answer("SHA256:abcdef123", fp),
	                 HOSTKEYS_ANSWER_RETRY);
	assert_int_equal(hostkeys_parse_answer("SHA256:abcDEF12", fp),
	                 HOSTKEYS_ANSWER_RETRY);
	assert_int_equal(hostkeys_parse_answer("y", fp), HOSTKEYS_ANSWER_RETRY);
	assert_int_equal(hostkeys_parse_answer("yes please", NULL),
	                 HOSTKEYS_ANSWER_RETRY);
}

static char *
fp_of(const struct sshkey *k)
{
	struct buf b;
	char *s;

	buf_init(&b, 0);
	assert_int_equal(key_fingerprint(k, HASH_SHA256, &b), 0);
	s = malloc(buf_len(&b) + 1);
	assert_non_null(s);
	memcpy(s, buf_data(&b), buf_len(&b));
	s[buf_len(&b)] = '\0';
	buf_clear(&b);
	return s;
}

static void
test_messages(void **state)
{
	struct fixture *f = *state;
	struct hostkeys_result r;
	char want[4096], text[1024];
	char *s, *fp = fp_of(f->ed1), *fp2 = fp_of(f->ec256);

	assert_int_equal(hostkeys_msg_added("Host.Example.org", 22, f->ed1, &s),
	                 0);
	assert_string_equal(s, "Warning: Permanently added 'host.example.org' "
	                       "(ED25519) to the list of known hosts.\n");
	free(s);
	assert_int_equal(hostkeys_msg_added("localhost", 2222, f->ec256, &s),
	                 0);
	assert_string_equal(s, "Warning: Permanently added '[localhost]:2222' "
	                       "(ECDSA) to the list of known hosts.\n");
	free(s);

	assert_int_equal(hostkeys_msg_new_host("host.example.org", 22,
	                                       "192.0.2.7", f->ed1, NULL, &s),
	                 0);
	snprintf(want, sizeof(want),
	         "The authenticity of host 'host.example.org (192.0.2.7)' "
	         "can't be established.\n"
	         "ED25519 key fingerprint is %s.\n"
	         "This key is not known by any other names.\n"
	         "Are you sure you want to continue connecting "
	         "(yes/no/[fingerprint])? ",
	         fp);
	assert_string_equal(s, want);
	free(s);

	/* other port, other key types known */
	snprintf(text, sizeof(text), "[localhost]:2222 %s\n", f->ec256_pub);
	write_file(f->user, text);
	assert_int_equal(
	    hostkeys_check(f->user, NULL, "localhost", 2222, f->ed1, &r), 0);
	assert_int_equal(r.status, HOSTKEY_NEW);
	assert_int_equal(hostkeys_msg_new_host("localhost", 2222, "127.0.0.1",
	                                       f->ed1, &r, &s),
	                 0);
	snprintf(want, sizeof(want),
	         "WARNING: ECDSA key found for host [localhost]:2222\n"
	         "in %s:1\n"
	         "ECDSA key fingerprint %s.\n"
	         "The authenticity of host '[localhost]:2222 "
	         "([127.0.0.1]:2222)' can't be established\n"
	         "but keys of different type are already known for this "
	         "host.\n"
	         "ED25519 key fingerprint is %s.\n"
	         "This key is not known by any other names.\n"
	         "Are you sure you want to continue connecting "
	         "(yes/no/[fingerprint])? ",
	         f->user, fp2, fp);
	assert_string_equal(s, want);
	free(s);
	hostkeys_result_clear(&r);

	/* changed */
	snprintf(text, sizeof(text), "# x\nhost.example.org %s\n", f->ed2_pub);
	write_file(f->user, text);
	assert_int_equal(
	    hostkeys_check(f->user, NULL, "host.example.org", 22, f->ed1, &r),
	    0);
	assert_int_equal(r.status, HOSTKEY_CHANGED);
	assert_int_equal(hostkeys_msg_changed(f->user, "host.example.org", 22,
	                                      f->ed1, &r, true, &s),
	                 0);
	snprintf(
	    want, sizeof(want),
	    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
	    "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
	    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
	    "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
	    "Someone could be eavesdropping on you right now "
	    "(man-in-the-middle attack)!\n"
	    "It is also possible that a host key has just been changed.\n"
	    "The fingerprint for the ED25519 key sent by the remote host is\n"
	    "%s.\n"
	    "Please contact your system administrator.\n"
	    "Add correct host key in %s to get rid of this message.\n"
	    "Offending ED25519 key in %s:2\n"
	    "  remove with:\n"
	    "  ssh-keygen -f \"%s\" -R \"host.example.org\"\n"
	    "Host key for host.example.org has changed and you have "
	    "requested strict checking.\n",
	    fp, f->user, f->user, f->user);
	assert_string_equal(s, want);
	free(s);
	assert_int_equal(hostkeys_msg_changed(f->user, "host.example.org", 22,
	                                      f->ed1, &r, false, &s),
	                 0);
	assert_null(strstr(s, "strict checking"));
	assert_non_null(strstr(s, "Offending ED25519 key in"));
	free(s);
	hostkeys_result_clear(&r);
	/* only for a CHANGED result */
	s = (char *)"x";
	assert_int_equal(
	    hostkeys_msg_changed(f->user, "h", 22, f->ed1, &r, true, &s),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_null(s);

	assert_int_equal(hostkeys_msg_revoked("h.example.org", 22, f->ed1, &s),
	                 0);
	assert_string_equal(
	    s, "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
	       "@       WARNING: REVOKED HOST KEY DETECTED!               @\n"
	       "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
	       "The ED25519 host key for h.example.org is marked as revoked.\n"
	       "This could mean that a stolen key is being used to\n"
	       "impersonate this host.\n");
	free(s);

	assert_int_equal(hostkeys_msg_strict_new("h", 2200, f->ec256, &s), 0);
	assert_string_equal(s, "No ECDSA host key is known for [h]:2200 and "
	                       "you have requested strict checking.\n");
	free(s);
	assert_int_equal(hostkeys_msg_failed(&s), 0);
	assert_string_equal(s, "Host key verification failed.\n");
	free(s);
	assert_int_equal(hostkeys_msg_retry(&s), 0);
	assert_string_equal(s, "Please type 'yes', 'no' or the fingerprint: ");
	free(s);
	free(fp);
	free(fp2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_missing_files, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_plain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hashed_by_ssh_keygen, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_markers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_and_global, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_files, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_add, setup, teardown),
	    cmocka_unit_test(test_decide),
	    cmocka_unit_test(test_answers),
	    cmocka_unit_test_setup_teardown(test_messages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
