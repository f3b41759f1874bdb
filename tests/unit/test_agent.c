/*
 * test_agent.c - the ssh-agent protocol codec (src/ssh/agent.h) and the
 * blocking client (src/app/agent_client.h).
 *
 * Codec: byte-exact builders, round trips through the parsers, failure
 * answers, bounds, and truncation / bit-flip sweeps over every parser.
 * Client: against OpenSSH's ssh-agent started on a temporary socket
 * (skipped when ssh-agent, ssh-add or ssh-keygen is absent): keys made
 * by ssh-keygen and added with ssh-add are listed with their comments,
 * and the agent's signatures (ed25519; RSA as rsa-sha2-512 and -256)
 * verify with key_verify. Against a fake agent (a child process on a
 * temporary socket answering with canned bytes): FAILURE answers, a
 * signature of another algorithm, an oversized or truncated answer, and
 * identities of unknown key types skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/agent_client.h"
#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/agent.h"
#include "testutil.h"

/* ---- helpers ---- */

/* The message of a framed buffer, without its length prefix. */
static const uint8_t *
body(const struct buf *b, size_t *n)
{
	size_t len = 0;

	assert_int_equal(agent_frame_len(buf_data(b), buf_len(b), &len), 0);
	assert_int_equal(len + 4, buf_len(b));
	*n = len;
	return buf_data(b) + 4;
}

static const uint8_t blob1[] = {0, 0, 0, 3, 'a', 'b', 'c', 1, 2};
static const uint8_t blob2[] = {9, 8, 7, 6, 5};

static void
make_answer(struct buf *b)
{
	struct agent_id_view ids[2] = {
	    {blob1, sizeof(blob1), (const uint8_t *)"first", 5},
	    {blob2, sizeof(blob2), (const uint8_t *)"", 0},
	};

	buf_init(b, 0);
	assert_int_equal(agent_build_identities(ids, 2, b), 0);
}

/* Runs every parser on (p, n): must not crash; views stay inside. */
static void
parse_all(const uint8_t *p, size_t n)
{
	struct agent_id_view *ids = NULL;
	struct agent_request q;
	const uint8_t *sig;
	size_t cnt = 0, sl, i;

	if (agent_parse_identities(p, n, &ids, &cnt) == 0) {
		for (i = 0; i < cnt; i++) {
			assert_true(ids[i].blob >= p &&
			            ids[i].blob + ids[i].blob_len <= p + n);
			assert_true(
			    ids[i].comment_len == 0 ||
			    (ids[i].comment >= p &&
			     ids[i].comment + ids[i].comment_len <= p + n));
		}
		free(ids);
	} else {
		assert_null(ids);
		assert_int_equal(cnt, 0);
	}
	if (agent_parse_sign_response(p, n, &sig, &sl) == 0) {
		assert_true(sig >= p && sig + sl <= p + n);
	} else {
		assert_null(sig);
	}
	(void)agent_parse_status(p, n);
	if (agent_parse_request(p, n, &q) == 0) {
		assert_true(q.blob_len == 0 ||
		            (q.blob >= p && q.blob + q.blob_len <= p + n));
		assert_true(q.data_len == 0 ||
		            (q.data >= p && q.data + q.data_len <= p + n));
	}
}

/* Every strict prefix fails for parser kind (0 identities, 1 sign
 * response, 2 request); every single-bit flip is survivable. */
static void
sweep(const uint8_t *m, size_t n, int kind)
{
	struct agent_id_view *ids;
	struct agent_request q;
	const uint8_t *sig;
	uint8_t *c;
	size_t i, cnt, sl;
	int b, ret;

	for (i = 0; i < n; i++) {
		c = malloc(i + 1);
		assert_non_null(c);
		memcpy(c, m, i);
		switch (kind) {
		case 0:
			ret = agent_parse_identities(c, i, &ids, &cnt);
			break;
		case 1:
			ret = agent_parse_sign_response(c, i, &sig, &sl);
			break;
		default:
			ret = agent_parse_request(c, i, &q);
			break;
		}
		assert_true(ret < 0);
		free(c);
	}
	c = malloc(n);
	assert_non_null(c);
	for (i = 0; i < n; i++) {
		for (b = 0; b < 8; b++) {
			memcpy(c, m, n);
			c[i] ^= (uint8_t)(1u << b);
			parse_all(c, n);
		}
	}
	free(c);
}

/* ---- codec ---- */

static void
test_request_identities(void **state)
{
	static const uint8_t want[] = {0, 0, 0, 1, 11};
	struct agent_request q;
	struct buf b;
	const uint8_t *m;
	size_t n;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(agent_build_request_identities(&b), 0);
	assert_int_equal(buf_len(&b), sizeof(want));
	assert_memory_equal(buf_data(&b), want, sizeof(want));
	m = body(&b, &n);
	assert_int_equal(agent_parse_request(m, n, &q), 0);
	assert_int_equal(q.type, SSH_AGENTC_REQUEST_IDENTITIES);
	buf_clear(&b);
}

static void
test_sign_request(void **state)
{
	static const uint8_t want[] = {
	    0, 0, 0, 28, 13, 0, 0,   0,   9,   0,   0,   0,   3, 'a', 'b', 'c',
	    1, 2, 0, 0,  0,  6, 'h', 'e', 'l', 'l', 'o', '!', 0, 0,   0,   4};
	struct agent_request q;
	struct buf b;
	const uint8_t *m;
	size_t n;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(agent_build_sign_request(
	                     blob1, sizeof(blob1), (const uint8_t *)"hello!", 6,
	                     agent_sign_flags("rsa-sha2-512"), &b),
	                 0);
	assert_int_equal(buf_len(&b), sizeof(want));
	assert_memory_equal(buf_data(&b), want, sizeof(want));
	m = body(&b, &n);
	assert_int_equal(agent_parse_request(m, n, &q), 0);
	assert_int_equal(q.type, SSH_AGENTC_SIGN_REQUEST);
	assert_int_equal(q.blob_len, sizeof(blob1));
	assert_memory_equal(q.blob, blob1, sizeof(blob1));
	assert_int_equal(q.data_len, 6);
	assert_memory_equal(q.data, "hello!", 6);
	assert_int_equal(q.flags, SSH_AGENT_RSA_SHA2_512);
	sweep(m, n, 2);
	/* invalid arguments append nothing */
	buf_reset(&b);
	assert_int_equal(agent_build_sign_request(NULL, 0, NULL, 0, 0, &b),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&b), 0);
	buf_clear(&b);
}

static void
test_sign_flags(void **state)
{
	(void)state;
	assert_int_equal(agent_sign_flags("rsa-sha2-256"), 2);
	assert_int_equal(agent_sign_flags("rsa-sha2-512"), 4);
	assert_int_equal(agent_sign_flags("ssh-ed25519"), 0);
	assert_int_equal(agent_sign_flags("ssh-rsa"), 0);
	assert_int_equal(agent_sign_flags(NULL), 0);
}

static void
test_identities_roundtrip(void **state)
{
	struct agent_id_view *ids = NULL;
	struct buf b;
	const uint8_t *m;
	size_t n, cnt = 0;

	(void)state;
	make_answer(&b);
	m = body(&b, &n);
	assert_int_equal(m[0], SSH_AGENT_IDENTITIES_ANSWER);
	assert_int_equal(agent_parse_identities(m, n, &ids, &cnt), 0);
	assert_int_equal(cnt, 2);
	assert_int_equal(ids[0].blob_len, sizeof(blob1));
	assert_memory_equal(ids[0].blob, blob1, sizeof(blob1));
	assert_int_equal(ids[0].comment_len, 5);
	assert_memory_equal(ids[0].comment, "first", 5);
	assert_int_equal(ids[1].blob_len, sizeof(blob2));
	assert_int_equal(ids[1].comment_len, 0);
	free(ids);
	sweep(m, n, 0);
	buf_clear(&b);
}

static void
test_identities_empty(void **state)
{
	static const uint8_t m[] = {12, 0, 0, 0, 0};
	struct agent_id_view *ids = (void *)1;
	size_t cnt = 7;

	(void)state;
	assert_int_equal(agent_parse_identities(m, sizeof(m), &ids, &cnt), 0);
	assert_null(ids);
	assert_int_equal(cnt, 0);
}

static void
test_identities_bounds(void **state)
{
	static const uint8_t huge[] = {12, 0x7f, 0xff, 0xff, 0xff};
	static const uint8_t more[] = {12, 0, 0,   0, 2, 0, 0,
	                               0,  1, 'k', 0, 0, 0, 0};
	static const uint8_t nul[] = {12, 0,   0, 0, 1, 0, 0,   0,
	                              1,  'k', 0, 0, 0, 2, 'a', 0};
	static const uint8_t empty_blob[] = {12, 0, 0, 0, 1, 0, 0,
	                                     0,  0, 0, 0, 0, 0};
	static const uint8_t trailing[] = {12, 0, 0, 0, 0, 0};
	static const uint8_t failure[] = {5};
	static const uint8_t ext_failure[] = {28};
	static const uint8_t other[] = {14, 0, 0, 0, 0};
	struct agent_id_view *ids;
	size_t cnt;

	(void)state;
	assert_int_equal(agent_parse_identities(huge, sizeof(huge), &ids, &cnt),
	                 SESH_ERR_LIMIT);
	assert_int_equal(agent_parse_identities(more, sizeof(more), &ids, &cnt),
	                 SESH_ERR_TRUNCATED);
	assert_int_equal(agent_parse_identities(nul, sizeof(nul), &ids, &cnt),
	                 SESH_ERR_INVALID_FORMAT);
	assert_int_equal(
	    agent_parse_identities(empty_blob, sizeof(empty_blob), &ids, &cnt),
	    SESH_ERR_INVALID_FORMAT);
	assert_int_equal(
	    agent_parse_identities(trailing, sizeof(trailing), &ids, &cnt),
	    SESH_ERR_TRAILING_DATA);
	assert_int_equal(
	    agent_parse_identities(failure, sizeof(failure), &ids, &cnt),
	    SESH_ERR_NOT_FOUND);
	assert_int_equal(agent_parse_identities(
	                     ext_failure, sizeof(ext_failure), &ids, &cnt),
	                 SESH_ERR_NOT_FOUND);
	assert_int_equal(
	    agent_parse_identities(other, sizeof(other), &ids, &cnt),
	    SESH_ERR_PROTOCOL);
	assert_null(ids);
}

static void
test_sign_response(void **state)
{
	static const uint8_t sigblob[] = {0, 0, 0, 1, 'x', 0, 0, 0, 1, 'y'};
	static const uint8_t empty[] = {14, 0, 0, 0, 0};
	static const uint8_t failure[] = {5};
	struct buf b;
	const uint8_t *m, *sig;
	size_t n, sl;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(
	    agent_build_sign_response(sigblob, sizeof(sigblob), &b), 0);
	m = body(&b, &n);
	assert_int_equal(agent_parse_sign_response(m, n, &sig, &sl), 0);
	assert_int_equal(sl, sizeof(sigblob));
	assert_memory_equal(sig, sigblob, sizeof(sigblob));
	sweep(m, n, 1);
	assert_int_equal(
	    agent_parse_sign_response(empty, sizeof(empty), &sig, &sl),
	    SESH_ERR_INVALID_FORMAT);
	assert_int_equal(
	    agent_parse_sign_response(failure, sizeof(failure), &sig, &sl),
	    SESH_ERR_NOT_FOUND);
	buf_clear(&b);
}

static void
test_status_and_remove(void **state)
{
	struct agent_request q;
	struct buf b;
	const uint8_t *m;
	size_t n;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(agent_build_status(true, &b), 0);
	m = body(&b, &n);
	assert_int_equal(agent_parse_status(m, n), 0);
	buf_reset(&b);
	assert_int_equal(agent_build_status(false, &b), 0);
	m = body(&b, &n);
	assert_int_equal(agent_parse_status(m, n), SESH_ERR_NOT_FOUND);
	buf_reset(&b);
	assert_int_equal(agent_build_remove(blob2, sizeof(blob2), &b), 0);
	m = body(&b, &n);
	assert_int_equal(agent_parse_request(m, n, &q), 0);
	assert_int_equal(q.type, SSH_AGENTC_REMOVE_IDENTITY);
	assert_int_equal(q.blob_len, sizeof(blob2));
	sweep(m, n, 2);
	buf_reset(&b);
	assert_int_equal(agent_build_remove(NULL, 0, &b), 0);
	m = body(&b, &n);
	assert_int_equal(agent_parse_request(m, n, &q), 0);
	assert_int_equal(q.type, SSH_AGENTC_REMOVE_ALL_IDENTITIES);
	buf_clear(&b);
}

static void
test_frame_len(void **state)
{
	static const uint8_t zero[] = {0, 0, 0, 0};
	static const uint8_t big[] = {0, 4, 0, 1};
	static const uint8_t max[] = {0, 4, 0, 0};
	size_t len = 9;

	(void)state;
	assert_int_equal(agent_frame_len(zero, 3, &len), SESH_ERR_TRUNCATED);
	assert_int_equal(agent_frame_len(zero, 4, &len), SESH_ERR_LIMIT);
	assert_int_equal(len, 0);
	assert_int_equal(agent_frame_len(big, 4, &len), SESH_ERR_LIMIT);
	assert_int_equal(agent_frame_len(max, 4, &len), 0);
	assert_int_equal(len, AGENT_MAX_MSG);
}

/* ---- client ---- */

static void
test_open_not_found(void **state)
{
	struct agent_conn *a = (void *)1;
	char *saved = getenv("SSH_AUTH_SOCK");

	(void)state;
	if (saved != NULL) {
		saved = strdup(saved);
	}
	unsetenv("SSH_AUTH_SOCK");
	assert_int_equal(agent_client_open(NULL, &a), SESH_ERR_NOT_FOUND);
	assert_null(a);
	assert_int_equal(agent_client_open("/nonexistent/sesh-agent.sock", &a),
	                 SESH_ERR_NOT_FOUND);
	if (saved != NULL) {
		setenv("SSH_AUTH_SOCK", saved, 1);
		free(saved);
	}
}

static bool
have(const char *prog)
{
	return access(prog, X_OK) == 0;
}

/* Runs argv with SSH_AUTH_SOCK=sock, output to /dev/null; its status. */
static int
run(const char *sock, char *const argv[])
{
	pid_t pid;
	int st, fd;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			(void)dup2(fd, 0);
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
		}
		(void)setenv("SSH_AUTH_SOCK", sock, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct sshkey *
read_pub(const char *path)
{
	struct sshkey *k = NULL;
	size_t n;
	char *text = test_read_file(path, &n);

	assert_int_equal(key_from_pub_line(text, n, &k), 0);
	free(text);
	return k;
}

/* The identity holding key k, or NULL. */
static const struct agent_identity *
find_id(const struct agent_identity *ids, size_t n, const struct sshkey *k)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (key_equal_public(ids[i].key, k)) {
			return &ids[i];
		}
	}
	return NULL;
}

static void
sign_verify(struct agent_conn *a, const struct sshkey *k, const char *alg)
{
	static const uint8_t data[] = "session id || userauth request";
	struct buf sig;

	buf_init(&sig, 0);
	assert_int_equal(agent_client_sign(a, k, alg, data, sizeof(data), &sig),
	                 0);
	assert_int_equal(key_verify(k, alg, false, buf_data(&sig),
	                            buf_len(&sig), data, sizeof(data)),
	                 0);
	/* a signature over other data must not verify */
	assert_int_not_equal(key_verify(k, alg, false, buf_data(&sig),
	                                buf_len(&sig), data, sizeof(data) - 1),
	                     0);
	buf_clear(&sig);
}

/* ---- a fake agent ---- */

static bool
read_full(int fd, uint8_t *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = read(fd, p, n);
		if (r <= 0) {
			return false;
		}
		p += (size_t)r;
		n -= (size_t)r;
	}
	return true;
}

/*
 * Listens on path; a child accepts n connections in turn, reads one
 * request on each and answers it with answers[i] (raw bytes), then
 * closes it. Returns the child's pid.
 */
static pid_t
fake_agent(const char *path, const struct buf *answers, size_t n)
{
	struct sockaddr_un addr;
	uint8_t hdr[4], body[4096];
	size_t len, i;
	int lfd, fd;
	pid_t pid;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(addr.sun_path));
	memcpy(addr.sun_path, path, strlen(path) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			if ((fd = accept(lfd, NULL, NULL)) < 0 ||
			    !read_full(fd, hdr, 4)) {
				_exit(1);
			}
			len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
			      (size_t)hdr[2] << 8 | hdr[3];
			if (len > sizeof(body) || !read_full(fd, body, len) ||
			    write(fd, buf_data(&answers[i]),
			          buf_len(&answers[i])) !=
			        (ssize_t)buf_len(&answers[i])) {
				_exit(1);
			}
			(void)close(fd);
		}
		_exit(0);
	}
	(void)close(lfd);
	return pid;
}

/* A framed answer: type byte then body bytes. */
static void
framed(struct buf *b, uint8_t type, const struct buf *bodyb)
{
	buf_init(b, 0);
	assert_int_equal(buf_begin(b), 0);
	assert_int_equal(buf_put_u8(b, type), 0);
	if (bodyb != NULL) {
		assert_int_equal(buf_put(b, buf_data(bodyb), buf_len(bodyb)),
		                 0);
	}
	assert_int_equal(buf_end(b), 0);
}

static void
test_fake_agent(void **state)
{
	char dir[] = "/tmp/sesh-fake-agent-XXXXXX", path[128];
	struct buf ans[6], body, blob, sig;
	struct agent_identity *ids = (void *)1;
	struct agent_conn *a;
	struct sshkey *rsa, *ed;
	size_t n = 9, i;
	int status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	assert_int_equal(key_generate(KEY_ED25519, 0, &ed), 0);
	assert_int_equal(key_generate(KEY_RSA, 1024, &rsa), 0);
	buf_init(&body, 0);
	buf_init(&blob, 0);
	buf_init(&sig, 0);
	/* 0: list -> FAILURE */
	framed(&ans[0], SSH_AGENT_FAILURE, NULL);
	/* 1: sign rsa-sha2-512 -> an rsa-sha2-256 signature */
	assert_int_equal(
	    key_sign(rsa, "rsa-sha2-256", (const uint8_t *)"d", 1, &sig), 0);
	assert_int_equal(buf_put_string(&body, buf_data(&sig), buf_len(&sig)),
	                 0);
	framed(&ans[1], SSH_AGENT_SIGN_RESPONSE, &body);
	/* 2: an answer length above the limit */
	buf_init(&ans[2], 0);
	assert_int_equal(buf_put_u32(&ans[2], AGENT_MAX_MSG + 1), 0);
	/* 3: an answer cut short by the agent closing */
	buf_init(&ans[3], 0);
	assert_int_equal(buf_put_u32(&ans[3], 100), 0);
	assert_int_equal(buf_put_u8(&ans[3], SSH_AGENT_IDENTITIES_ANSWER), 0);
	/* 4: two identities, one of a type we do not know */
	buf_reset(&body);
	assert_int_equal(buf_put_u32(&body, 2), 0);
	assert_int_equal(buf_put_string(&body, "\0\0\0\7ssh-dss\0\0\0\1x", 16),
	                 0);
	assert_int_equal(buf_put_cstring(&body, "dsa"), 0);
	assert_int_equal(key_to_blob(ed, &blob), 0);
	assert_int_equal(buf_put_string(&body, buf_data(&blob), buf_len(&blob)),
	                 0);
	assert_int_equal(buf_put_cstring(&body, "the ed key"), 0);
	framed(&ans[4], SSH_AGENT_IDENTITIES_ANSWER, &body);
	/* 5: another type of answer to a sign request */
	framed(&ans[5], SSH_AGENT_SUCCESS, NULL);
	pid = fake_agent(path, ans, 6);

	assert_int_equal(agent_client_open(path, &a), 0);
	assert_int_equal(agent_client_list(a, &ids, &n), SESH_ERR_NOT_FOUND);
	assert_null(ids);
	assert_int_equal(n, 0);
	agent_client_close(a);

	buf_reset(&sig);
	assert_int_equal(agent_client_open(path, &a), 0);
	assert_int_equal(agent_client_sign(a, rsa, "rsa-sha2-512",
	                                   (const uint8_t *)"d", 1, &sig),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	assert_int_equal(buf_len(&sig), 0);
	agent_client_close(a);

	assert_int_equal(agent_client_open(path, &a), 0);
	assert_int_equal(agent_client_list(a, &ids, &n), SESH_ERR_LIMIT);
	agent_client_close(a);

	assert_int_equal(agent_client_open(path, &a), 0);
	assert_int_equal(agent_client_list(a, &ids, &n), SESH_ERR_TRUNCATED);
	agent_client_close(a);

	assert_int_equal(agent_client_open(path, &a), 0);
	assert_int_equal(agent_client_list(a, &ids, &n), 0);
	assert_int_equal(n, 1);
	assert_true(key_equal_public(ids[0].key, ed));
	assert_string_equal(ids[0].comment, "the ed key");
	agent_identities_free(ids, n);
	agent_client_close(a);

	assert_int_equal(agent_client_open(path, &a), 0);
	assert_int_equal(
	    agent_client_sign(a, ed, NULL, (const uint8_t *)"d", 1, &sig),
	    SESH_ERR_PROTOCOL);
	/* ssh-rsa (SHA-1) is never asked for */
	assert_int_equal(
	    agent_client_sign(a, rsa, "ssh-rsa", (const uint8_t *)"d", 1, &sig),
	    SESH_ERR_SIG_ALG_MISMATCH);
	agent_client_close(a);

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (i = 0; i < 6; i++) {
		buf_clear(&ans[i]);
	}
	buf_clear(&body);
	buf_clear(&blob);
	buf_clear(&sig);
	key_free(ed);
	key_free(rsa);
	(void)unlink(path);
	(void)rmdir(dir);
}

/*
 * An answer that breaks off (here: a length over the bound, its bytes
 * still in the socket, followed by a well-formed answer) ends the
 * connection: the next request fails instead of taking those bytes for
 * its own answer. The agent's side is served in-process.
 */
static void
test_out_of_step(void **state)
{
	static const uint8_t stale[] = {0, 0, 0, 5, SSH_AGENT_IDENTITIES_ANSWER,
	                                0, 0, 0, 0};
	char dir[] = "/tmp/sesh-agent-step-XXXXXX", path[128];
	struct agent_identity *ids = NULL;
	struct sockaddr_un addr;
	struct agent_conn *a;
	struct buf first;
	size_t n = 0;
	int lfd, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(agent_client_open(path, &a), 0);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	/* Both answers are queued before either request is read. */
	buf_init(&first, 0);
	assert_int_equal(buf_put_u32(&first, AGENT_MAX_MSG + 1), 0);
	assert_int_equal(buf_put(&first, stale, sizeof(stale)), 0);
	assert_int_equal(write(fd, buf_data(&first), buf_len(&first)),
	                 (ssize_t)buf_len(&first));
	assert_int_equal(agent_client_list(a, &ids, &n), SESH_ERR_LIMIT);
	assert_int_equal(agent_client_list(a, &ids, &n), SESH_ERR_SYSTEM);
	assert_null(ids);
	assert_int_equal(n, 0);
	agent_client_close(a);
	buf_clear(&first);
	(void)close(fd);
	(void)close(lfd);
	(void)unlink(path);
	(void)rmdir(dir);
}

static void
test_openssh_agent(void **state)
{
	char dir[] = "/tmp/sesh-agent-test-XXXXXX";
	char sock[128], ed[128], rsa[128], edpub[160], rsapub[160];
	struct agent_identity *ids = NULL;
	const struct agent_identity *id;
	struct agent_conn *a = NULL;
	struct sshkey *edk, *rsak, *other;
	struct buf sig;
	struct stat st;
	uint64_t deadline;
	size_t n = 0;
	pid_t pid;
	int status;

	(void)state;
	if (!have("/usr/bin/ssh-agent") || !have("/usr/bin/ssh-add") ||
	    !have("/usr/bin/ssh-keygen")) {
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	snprintf(ed, sizeof(ed), "%s/id_ed25519", dir);
	snprintf(rsa, sizeof(rsa), "%s/id_rsa", dir);
	snprintf(edpub, sizeof(edpub), "%s.pub", ed);
	snprintf(rsapub, sizeof(rsapub), "%s.pub", rsa);
	{
		char *kg1[] = {"/usr/bin/ssh-keygen",
		               "-q",
		               "-t",
		               "ed25519",
		               "-N",
		               "",
		               "-C",
		               "ed key",
		               "-f",
		               ed,
		               NULL};
		char *kg2[] = {"/usr/bin/ssh-keygen",
		               "-q",
		               "-t",
		               "rsa",
		               "-b",
		               "2048",
		               "-N",
		               "",
		               "-C",
		               "rsa key",
		               "-f",
		               rsa,
		               NULL};

		assert_int_equal(run(sock, kg1), 0);
		assert_int_equal(run(sock, kg2), 0);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			(void)dup2(fd, 0);
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
		}
		execl("/usr/bin/ssh-agent", "ssh-agent", "-D", "-a", sock,
		      (char *)NULL);
		_exit(127);
	}
	/* Wait for the socket to appear (or the agent to die). */
	deadline = mono_ms() + 10000;
	while (stat(sock, &st) != 0) {
		assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
		assert_true(mono_ms() < deadline);
		(void)poll(NULL, 0, 10);
	}
	{
		char *add1[] = {"/usr/bin/ssh-add", ed, NULL};
		char *add2[] = {"/usr/bin/ssh-add", rsa, NULL};

		assert_int_equal(run(sock, add1), 0);
		assert_int_equal(run(sock, add2), 0);
	}
	edk = read_pub(edpub);
	rsak = read_pub(rsapub);
	assert_int_equal(agent_client_open(sock, &a), 0);
	assert_int_equal(agent_client_list(a, &ids, &n), 0);
	assert_int_equal(n, 2);
	id = find_id(ids, n, edk);
	assert_non_null(id);
	assert_string_equal(id->comment, "ed key");
	id = find_id(ids, n, rsak);
	assert_non_null(id);
	assert_string_equal(id->comment, "rsa key");
	sign_verify(a, edk, "ssh-ed25519");
	sign_verify(a, rsak, "rsa-sha2-512");
	sign_verify(a, rsak, "rsa-sha2-256");
	/* NULL algorithm: the key's default (rsa-sha2-512 for RSA) */
	buf_init(&sig, 0);
	assert_int_equal(
	    agent_client_sign(a, rsak, NULL, (const uint8_t *)"x", 1, &sig), 0);
	assert_int_equal(key_verify(rsak, "rsa-sha2-512", false, buf_data(&sig),
	                            buf_len(&sig), (const uint8_t *)"x", 1),
	                 0);
	buf_clear(&sig);
	/* a key the agent does not hold: FAILURE */
	assert_int_equal(key_generate(KEY_ED25519, 0, &other), 0);
	buf_init(&sig, 0);
	assert_int_equal(
	    agent_client_sign(a, other, NULL, (const uint8_t *)"x", 1, &sig),
	    SESH_ERR_NOT_FOUND);
	assert_int_equal(buf_len(&sig), 0);
	/* the connection stays usable after a FAILURE */
	sign_verify(a, edk, "ssh-ed25519");
	buf_clear(&sig);
	key_free(other);
	agent_identities_free(ids, n);
	agent_client_close(a);
	key_free(edk);
	key_free(rsak);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	(void)unlink(sock);
	(void)unlink(ed);
	(void)unlink(edpub);
	(void)unlink(rsa);
	(void)unlink(rsapub);
	(void)rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request_identities),
	    cmocka_unit_test(test_sign_request),
	    cmocka_unit_test(test_sign_flags),
	    cmocka_unit_test(test_identities_roundtrip),
	    cmocka_unit_test(test_identities_empty),
	    cmocka_unit_test(test_identities_bounds),
	    cmocka_unit_test(test_sign_response),
	    cmocka_unit_test(test_status_and_remove),
	    cmocka_unit_test(test_frame_len),
	    cmocka_unit_test(test_open_not_found),
	    cmocka_unit_test(test_fake_agent),
	    cmocka_unit_test(test_out_of_step),
	    cmocka_unit_test(test_openssh_agent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
