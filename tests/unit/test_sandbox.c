/*
 * test_sandbox.c - app/sandbox: the pre-authentication child's
 * confinement, tested in forked children that enter it.
 *
 *  - Allowed: writing to an inherited pipe, poll, memory (malloc, large
 *    mmap/munmap, mprotect without PROT_EXEC), clocks, getrandom, and
 *    libcrypto work as the engine does it (X25519 via kexprim.h, ECDH,
 *    DH, chacha20-poly1305/AES-GCM seals via cipher.h, HMAC, signature
 *    checks of Ed25519/ECDSA/RSA keys).
 *  - The whole engine under the filter: a client and a server transport
 *    joined in memory inside the sandboxed child, for every registered
 *    KEX method, with host keys signed by the parent acting as the
 *    monitor (app/monitor.h over a socketpair: the private keys never
 *    enter the child), then a payload and a rekey.
 *  - Killed by SIGSYS: open, openat, stat of a path, fork, execve,
 *    socket, kill, mmap and mprotect with PROT_EXEC, and (x86_64) a
 *    32-bit int 0x80 syscall (the architecture check). In debug mode a
 *    denied call is reported on stderr, then the process still dies of
 *    SIGSYS.
 *  - The parent reads /proc/<pid>/status and limits of a live sandboxed
 *    child: NoNewPrivs 1, Seccomp 2, RLIMIT_NPROC/FSIZE 0, NOFILE small.
 *  - Root only (skipped otherwise): the child runs chrooted in an empty
 *    root-owned folder ("/" is that folder, empty) under a uid/gid that
 *    is not 0; unsafe folders (not empty, group-writable) and an unknown
 *    user are refused; sandbox_prepare_dir makes missing folders 0755.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mman.h> /* PROT_*, MAP_*: <sys/mman.h> clashes with pkey_free */
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/monitor.h"
#include "app/sandbox.h"
#include "base/buf.h"
#include "base/err.h"
#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "crypto/kexprim.h"
#include "crypto/mac.h"
#include "crypto/rand.h"
#include "key/key.h"
#include "ssh/kex.h"
#include "ssh/transport.h"

#define CHILD_DEADLINE_MS 120000

/* Raw memory calls (see the includes). NULL on failure. */
static void *
raw_mmap(size_t len, int prot)
{
	long r = syscall(SYS_mmap, NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS,
	                 -1, 0);

	return r == -1 ? NULL : (void *)r;
}

static int
raw_mprotect(void *p, size_t len, int prot)
{
	return (int)syscall(SYS_mprotect, p, len, prot);
}

static int
raw_munmap(void *p, size_t len)
{
	return (int)syscall(SYS_munmap, p, len);
}
#define NKEYS 3

static const enum key_type key_types[NKEYS] = {KEY_ED25519, KEY_ECDSA_P256,
                                               KEY_RSA};
static const unsigned kbits[NKEYS] = {0, 256, 2048};
static const char *const key_algs[NKEYS] = {
    "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"};
static struct sshkey *priv_keys[NKEYS], *pub_keys[NKEYS];
static const struct sshkey *pub_list[NKEYS];

static bool is_root;
static bool under_valgrind;
static char sb_dir[64];
static struct stat sb_st;

struct child_res {
	int status;
	char out[4096];
	size_t nout;
	char err[4096];
	size_t nerr;
	unsigned signs; /* monitor: signatures made */
};

typedef int (*child_fn)(int wfd, int monfd, void *arg);

static int
group_setup(void **state)
{
	size_t i;

	(void)state;
	is_root = geteuid() == 0;
	/* valgrind preloads its core into the program it runs */
	under_valgrind = getenv("LD_PRELOAD") != NULL &&
	                 strstr(getenv("LD_PRELOAD"), "vgpreload") != NULL;
	for (i = 0; i < NKEYS; i++) {
		if (key_generate(key_types[i], kbits[i], &priv_keys[i]) != 0 ||
		    key_public_copy(priv_keys[i], &pub_keys[i]) != 0) {
			return -1;
		}
		pub_list[i] = pub_keys[i];
	}
	if (is_root) {
		strcpy(sb_dir, "/tmp/sesh-sandbox-XXXXXX");
		if (mkdtemp(sb_dir) == NULL || chmod(sb_dir, 0755) != 0 ||
		    stat(sb_dir, &sb_st) != 0) {
			return -1;
		}
	}
	return 0;
}

static int
group_teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NKEYS; i++) {
		key_free(priv_keys[i]);
		key_free(pub_keys[i]);
	}
	if (is_root && sb_dir[0] != '\0') {
		rmdir(sb_dir);
	}
	return 0;
}

static void
put(int fd, const char *s)
{
	size_t n = strlen(s);

	if (write(fd, s, n) != (ssize_t)n) {
		/* the parent sees the missing text */
	}
}

/* Root: runs after the chroot and uid change, before the filter. */
static int
root_checks(void *arg)
{
	int wfd = *(int *)arg;
	struct stat st;
	struct dirent *de;
	DIR *d;
	int entries = 0;

	if (getuid() == 0 || geteuid() == 0 || getgid() == 0 ||
	    getegid() == 0 || stat("/", &st) != 0 ||
	    st.st_ino != sb_st.st_ino || st.st_dev != sb_st.st_dev ||
	    (d = opendir("/")) == NULL) {
		return SESH_ERR_SYSTEM;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			entries++;
		}
	}
	closedir(d);
	if (entries != 0 || access("/etc/passwd", F_OK) == 0) {
		return SESH_ERR_SYSTEM;
	}
	put(wfd, "R");
	return 0;
}

/* Parent side of a child's monitor socket: signs host-key requests. */
static int
serve_monitor(int fd, struct monitor_state *st, struct child_res *res)
{
	struct monitor_msg req, ans;
	struct buf in, out, sig;
	struct sshkey *k = NULL;
	size_t i;
	int ret;

	buf_init(&in, 0);
	buf_init(&out, 0);
	buf_init(&sig, 0);
	if ((ret = monitor_recv(fd, 0, &in)) != 0 ||
	    (ret = monitor_msg_parse(buf_data(&in), buf_len(&in), &req)) != 0 ||
	    (ret = monitor_state_request(st, &req)) != 0) {
		goto out;
	}
	memset(&ans, 0, sizeof(ans));
	ans.type = MONITOR_ANS_SIGN;
	if (req.type != MONITOR_REQ_SIGN) {
		ret = SESH_ERR_PROTOCOL;
		goto out;
	}
	if ((ret = key_from_blob(req.blob.p, req.blob.n, &k)) != 0) {
		goto out;
	}
	for (i = 0; i < NKEYS; i++) {
		char alg[MONITOR_MAX_ALG + 1];

		memcpy(alg, req.alg.p, req.alg.n);
		alg[req.alg.n] = '\0';
		if (key_equal_public(k, pub_keys[i]) &&
		    key_sign(priv_keys[i], alg, req.data.p, req.data.n, &sig) ==
		        0) {
			ans.ok = true;
			ans.data.p = buf_data(&sig);
			ans.data.n = buf_len(&sig);
			res->signs++;
			break;
		}
	}
	if ((ret = monitor_state_answer(st, &ans)) != 0 ||
	    (ret = monitor_msg_build(&ans, &out)) != 0 ||
	    (ret = monitor_send(fd, buf_data(&out), buf_len(&out))) != 0) {
		goto out;
	}
out:
	key_free(k);
	buf_clear(&in);
	buf_clear(&out);
	buf_clear(&sig);
	return ret;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
drain_fd(int *fd, char *p, size_t *n, size_t max)
{
	ssize_t r;

	r = read(*fd, p + *n, max - 1 - *n);
	if (r > 0) {
		*n += (size_t)r;
		p[*n] = '\0';
	} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
	if (*n >= max - 1) {
		close(*fd); /* full: the rest is not needed */
		*fd = -1;
	}
}

/*
 * Forks a child that enters the sandbox and runs fn(wfd, monfd, arg);
 * collects what it writes to wfd (and to stderr if debug) and how it
 * ended; serves its monitor requests.
 */
static void
run_child(child_fn fn, void *arg, bool debug, struct child_res *res)
{
	int out[2], err[2], mon[2];
	struct monitor_state st;
	uint64_t deadline;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, mon), 0);
	monitor_state_init(&st, 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sandbox_opts o;
		int ret;

		close(out[0]);
		close(err[0]);
		close(mon[0]);
		if (debug) {
			dup2(err[1], STDERR_FILENO);
		}
		memset(&o, 0, sizeof(o));
		o.dir = is_root ? sb_dir : NULL;
		o.max_fd = -1;
		o.debug = debug;
		if (is_root) {
			o.before_filter = root_checks;
			o.arg = &out[1];
		}
		if ((ret = sandbox_enter(&o)) != 0) {
			char msg[128];

			snprintf(msg, sizeof(msg), "E:%s", sesh_err_name(ret));
			put(out[1], msg);
			_exit(100);
		}
		_exit(fn(out[1], mon[1], arg));
	}
	close(out[1]);
	close(err[1]);
	close(mon[1]);
	deadline = now_ms() + CHILD_DEADLINE_MS;
	while (out[0] >= 0 || err[0] >= 0) {
		struct pollfd pfd[3];
		uint64_t now = now_ms();

		assert_true(now < deadline);
		pfd[0].fd = out[0];
		pfd[1].fd = err[0];
		pfd[2].fd = mon[0];
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		if (poll(pfd, 3, (int)(deadline - now)) < 0) {
			assert_int_equal(errno, EINTR);
			continue;
		}
		if (pfd[0].revents != 0) {
			drain_fd(&out[0], res->out, &res->nout,
			         sizeof(res->out));
		}
		if (pfd[1].revents != 0) {
			drain_fd(&err[0], res->err, &res->nerr,
			         sizeof(res->err));
		}
		if (mon[0] >= 0 && (pfd[2].revents & POLLIN) != 0) {
			if (serve_monitor(mon[0], &st, res) != 0) {
				close(mon[0]);
				mon[0] = -1;
			}
		} else if (pfd[2].revents != 0 && mon[0] >= 0) {
			close(mon[0]);
			mon[0] = -1;
		}
	}
	if (mon[0] >= 0) {
		close(mon[0]);
	}
	assert_int_equal(waitpid(pid, &res->status, 0), pid);
	if (is_root && strncmp(res->out, "E:", 2) != 0) {
		/* the root checks ran and passed before anything else */
		assert_true(res->out[0] == 'R');
		memmove(res->out, res->out + 1, res->nout);
		res->nout--;
	}
}

/*
 * Under valgrind the filter would also bind valgrind's own syscalls (and
 * it refuses the RLIMIT_NOFILE change): tests that enter the sandbox are
 * skipped there; the ASan build runs them.
 */
static void
skip_if_valgrind(void)
{
	if (under_valgrind) {
		print_message("under valgrind: sandboxed children not run\n");
		skip();
	}
}

static void
assert_exit_ok(const struct child_res *res, const char *want)
{
	if (!WIFEXITED(res->status) || WEXITSTATUS(res->status) != 0) {
		print_message("child: status %#x, out \"%s\", err \"%s\"\n",
		              res->status, res->out, res->err);
	}
	assert_true(WIFEXITED(res->status));
	assert_int_equal(WEXITSTATUS(res->status), 0);
	assert_string_equal(res->out, want);
}

static void
assert_sigsys(const struct child_res *res)
{
	if (!WIFSIGNALED(res->status) || WTERMSIG(res->status) != SIGSYS) {
		print_message("child: status %#x, out \"%s\", err \"%s\"\n",
		              res->status, res->out, res->err);
	}
	assert_true(WIFSIGNALED(res->status));
	assert_int_equal(WTERMSIG(res->status), SIGSYS);
	/* it got as far as the forbidden call, and no further */
	assert_string_equal(res->out, "A");
}

/* ---- children ---- */

static int
child_allowed(int wfd, int monfd, void *arg)
{
	struct pollfd pfd;
	struct timespec ts;
	uint8_t r[32];
	char *big;
	void *m;
	unsigned want;

	(void)monfd;
	(void)arg;
	pfd.fd = wfd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, 1000) != 1 || clock_gettime(CLOCK_MONOTONIC, &ts) ||
	    time(NULL) == (time_t)-1 || rand_bytes(r, sizeof(r)) != 0 ||
	    getpid() <= 0) {
		return 1;
	}
	/* small and large allocations (the latter by mmap) */
	if ((big = malloc(8u << 20)) == NULL) {
		return 2;
	}
	memset(big, 1, 8u << 20);
	free(big);
	m = raw_mmap(65536, PROT_READ | PROT_WRITE);
	if (m == NULL || raw_mprotect(m, 4096, PROT_READ) != 0 ||
	    raw_munmap(m, 65536) != 0) {
		return 3;
	}
	want = SANDBOX_DID_NNP | SANDBOX_DID_RLIMIT | SANDBOX_DID_SECCOMP;
	if (is_root) {
		want |= SANDBOX_DID_CHROOT | SANDBOX_DID_UID;
	}
	if (sandbox_applied() != want) {
		return 4;
	}
	put(wfd, "ok");
	return 0;
}

/* Ends through exit(): stdio flush, atexit handlers (libcrypto's
 * cleanup) run under the filter. (Nothing is printed to stdout: it may
 * be a regular file, and RLIMIT_FSIZE 0 makes that SIGXFSZ.) */
static int
child_exit(int wfd, int monfd, void *arg)
{
	uint8_t r[16];

	(void)monfd;
	(void)arg;
	if (rand_bytes(r, sizeof(r)) != 0) {
		return 1;
	}
	put(wfd, "ok");
	exit(0);
}

static int
child_open(int wfd, int monfd, void *arg)
{
	(void)monfd;
	(void)arg;
	put(wfd, "A");
	if (open("/etc/passwd", O_RDONLY) >= 0) {
		put(wfd, "B");
	}
	put(wfd, "C");
	return 0;
}

static int
child_openat(int wfd, int monfd, void *arg)
{
	(void)monfd;
	(void)arg;
	put(wfd, "A");
	if (syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY) >= 0) {
		put(wfd, "B");
	}
	put(wfd, "C");
	return 0;
}

static int
child_stat(int wfd, int monfd, void *arg)
{
	struct stat st;

	(void)monfd;
	(void)arg;
	put(wfd, "A");
	if (stat("/", &st) == 0) {
		put(wfd, "B");
	}
	put(wfd, "C");
	return 0;
}

static int
child_fork(int wfd, int monfd, void *arg)
{
	pid_t p;

	(void)monfd;
	(void)arg;
	put(wfd, "A");
	p = fork();
	if (p == 0) {
		_exit(0);
	}
	put(wfd, "C");
	return 0;
}

static int
child_exec(int wfd, int monfd, void *arg)
{
	char *const argv[] = {(char *)"true", NULL};

	(void)monfd;
	(void)arg;
	put(wfd, "A");
	execve("/bin/true", argv, argv + 1);
	put(wfd, "C");
	return 0;
}

static int
child_socket(int wfd, int monfd, void *arg)
{
	(void)monfd;
	(void)arg;
	put(wfd, "A");
	if (socket(AF_INET, SOCK_STREAM, 0) >= 0) {
		put(wfd, "B");
	}
	put(wfd, "C");
	return 0;
}

static int
child_kill(int wfd, int monfd, void *arg)
{
	(void)monfd;
	(void)arg;
	put(wfd, "A");
	kill(getpid(), 0);
	put(wfd, "C");
	return 0;
}

static int
child_mmap_exec(int wfd, int monfd, void *arg)
{
	void *m;

	(void)monfd;
	(void)arg;
	put(wfd, "A");
	m = raw_mmap(4096, PROT_READ | PROT_EXEC);
	if (m != NULL) {
		put(wfd, "B");
	}
	put(wfd, "C");
	return 0;
}

static int
child_mprotect_exec(int wfd, int monfd, void *arg)
{
	void *m;

	(void)monfd;
	(void)arg;
	m = raw_mmap(4096, PROT_READ | PROT_WRITE);
	if (m == NULL) {
		return 1;
	}
	put(wfd, "A");
	if (raw_mprotect(m, 4096, PROT_READ | PROT_EXEC) == 0) {
		put(wfd, "B");
	}
	put(wfd, "C");
	return 0;
}

#if defined(__x86_64__)
/* getpid through the i386 ABI: another AUDIT_ARCH. */
static long
i386_getpid(void)
{
	long ret = 20; /* __NR_getpid on i386 */

	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	return ret;
}

static int
child_int80(int wfd, int monfd, void *arg)
{
	(void)monfd;
	(void)arg;
	put(wfd, "A");
	if (i386_getpid() > 0) {
		put(wfd, "B");
	}
	put(wfd, "C");
	return 0;
}
#endif

/* X25519 via kexprim.h, ECDH, DH, AEAD and CTR seals, HMAC, signature
 * checks: libcrypto as the engine uses it. arg: signatures to check. */
struct sig_case {
	struct buf sig[NKEYS];
	uint8_t data[48];
};

static int
child_crypto(int wfd, int monfd, void *arg)
{
	struct sig_case *sc = arg;
	struct x25519_key a, b;
	uint8_t sa[X25519_LEN], sb[X25519_LEN], key[64], iv[32], tag[16];
	uint8_t pkt[64], mtag[MAC_MAX_TAG_LEN];
	struct ecdh_key *ea = NULL, *eb = NULL;
	struct dh_key *da = NULL, *db = NULL;
	struct buf pa, pb, ka, kb;
	struct cipher_ctx *c = NULL;
	struct mac_ctx *mc = NULL;
	static const char *const aeads[] = {"chacha20-poly1305@openssh.com",
	                                    "aes128-gcm@openssh.com",
	                                    "aes256-gcm@openssh.com"};
	size_t i;
	int fail = 0;

	(void)monfd;
	buf_init(&pa, 0);
	buf_init(&pb, 0);
	buf_init(&ka, 0);
	buf_init(&kb, 0);
	if (x25519_keygen(&a) != 0 || x25519_keygen(&b) != 0 ||
	    x25519_shared(&a, b.pub, sa) != 0 ||
	    x25519_shared(&b, a.pub, sb) != 0 || memcmp(sa, sb, sizeof(sa))) {
		fail = 1;
		goto out;
	}
	if (ecdh_keygen(ECDH_P256, &ea) != 0 ||
	    ecdh_keygen(ECDH_P256, &eb) != 0 || ecdh_public(ea, &pa) != 0 ||
	    ecdh_public(eb, &pb) != 0 ||
	    ecdh_shared(ea, buf_data(&pb), buf_len(&pb), &ka) != 0 ||
	    ecdh_shared(eb, buf_data(&pa), buf_len(&pa), &kb) != 0 ||
	    buf_len(&ka) != buf_len(&kb) ||
	    memcmp(buf_data(&ka), buf_data(&kb), buf_len(&ka)) != 0) {
		fail = 2;
		goto out;
	}
	buf_reset(&pa);
	buf_reset(&pb);
	buf_reset(&ka);
	buf_reset(&kb);
	if (dh_keygen(DH_GROUP14, &da) != 0 || dh_keygen(DH_GROUP14, &db) ||
	    dh_public(da, &pa) != 0 || dh_public(db, &pb) != 0 ||
	    dh_shared(da, buf_data(&pb), buf_len(&pb), &ka) != 0 ||
	    dh_shared(db, buf_data(&pa), buf_len(&pa), &kb) != 0 ||
	    buf_len(&ka) != buf_len(&kb) ||
	    memcmp(buf_data(&ka), buf_data(&kb), buf_len(&ka)) != 0) {
		fail = 3;
		goto out;
	}
	memset(key, 7, sizeof(key));
	memset(iv, 9, sizeof(iv));
	for (i = 0; i < sizeof(aeads) / sizeof(aeads[0]); i++) {
		const struct cipher_alg *alg = cipher_by_name(aeads[i]);

		memset(pkt, 0, sizeof(pkt));
		pkt[3] = sizeof(pkt) - 4;
		if (alg == NULL || cipher_new(alg, true, key, iv, &c) != 0 ||
		    cipher_seal(c, 3, pkt, sizeof(pkt), tag) != 0) {
			fail = 4;
			goto out;
		}
		cipher_free(c);
		c = NULL;
		if (cipher_new(alg, false, key, iv, &c) != 0 ||
		    cipher_open(c, 3, pkt, sizeof(pkt), tag) != 0 ||
		    pkt[10] != 0) {
			fail = 5;
			goto out;
		}
		cipher_free(c);
		c = NULL;
	}
	if (cipher_new(cipher_by_name("aes256-ctr"), true, key, iv, &c) != 0 ||
	    cipher_crypt(c, pkt, pkt, sizeof(pkt)) != 0) {
		fail = 6;
		goto out;
	}
	if (mac_new(mac_by_name("hmac-sha2-512-etm@openssh.com"), key, &mc) !=
	        0 ||
	    mac_compute(mc, 1, pkt, sizeof(pkt), mtag) != 0 ||
	    mac_verify(mc, 1, pkt, sizeof(pkt), mtag) != 0) {
		fail = 7;
		goto out;
	}
	for (i = 0; i < NKEYS; i++) {
		if (key_verify(pub_keys[i], key_algs[i], false,
		               buf_data(&sc->sig[i]), buf_len(&sc->sig[i]),
		               sc->data, sizeof(sc->data)) != 0) {
			fail = 8;
			goto out;
		}
	}
	put(wfd, "ok");
out:
	x25519_clear(&a);
	x25519_clear(&b);
	ecdh_free(ea);
	ecdh_free(eb);
	dh_free(da);
	dh_free(db);
	cipher_free(c);
	mac_free(mc);
	buf_clear(&pa);
	buf_clear(&pb);
	buf_clear(&ka);
	buf_clear(&kb);
	return fail;
}

/* ---- the engine in the sandbox ---- */

struct engine_case {
	const char *kex, *cipher, *mac, *hostkey;
};

struct eside {
	struct transport *t;
	int kex_done;
	int payloads;
};

static int
engine_rand(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return rand_bytes(p, n);
}

static int
eside_drain(struct eside *sd, int monfd, struct buf *scratch)
{
	struct transport_event ev;
	struct monitor_msg req, ans;
	struct buf blob;
	int ret;

	for (;;) {
		if (transport_next_event(sd->t, &ev) != 0) {
			return 10;
		}
		switch (ev.type) {
		case TRANSPORT_EV_NONE:
			return 0;
		case TRANSPORT_EV_HOSTKEY_VERIFY:
			if (transport_hostkey_accept(sd->t, true) != 0) {
				return 11;
			}
			break;
		case TRANSPORT_EV_HOSTKEY_SIGN:
			buf_init(&blob, 0);
			memset(&req, 0, sizeof(req));
			req.type = MONITOR_REQ_SIGN;
			req.alg = monitor_str_of(ev.sig_alg);
			req.data.p = ev.hash;
			req.data.n = ev.hash_len;
			if (key_to_blob(ev.hostkey, &blob) != 0) {
				return 12;
			}
			req.blob.p = buf_data(&blob);
			req.blob.n = buf_len(&blob);
			ret = monitor_call(monfd, &req, scratch, &ans);
			buf_clear(&blob);
			if (ret != 0 || !ans.ok ||
			    transport_hostkey_signature(sd->t, ans.data.p,
			                                ans.data.n) != 0) {
				return 13;
			}
			break;
		case TRANSPORT_EV_KEX_DONE:
			sd->kex_done++;
			break;
		case TRANSPORT_EV_PAYLOAD:
			/* ours only (not the server's EXT_INFO) */
			if (ev.len == 4 && ev.payload[0] == 200) {
				sd->payloads++;
			}
			break;
		case TRANSPORT_EV_DISCONNECTED:
			return 14;
		}
	}
}

static int
eshuttle(struct eside *from, struct eside *to, size_t *moved)
{
	const uint8_t *p;
	size_t n;

	transport_output_peek(from->t, &p, &n);
	if (n == 0) {
		return 0;
	}
	if (transport_input(to->t, p, n) != 0) {
		return 20;
	}
	transport_output_consume(from->t, n);
	*moved += n;
	return 0;
}

static int
epump(struct eside *c, struct eside *s, int monfd, struct buf *scratch)
{
	size_t moved;
	int ret;

	do {
		moved = 0;
		if ((ret = eside_drain(c, monfd, scratch)) != 0 ||
		    (ret = eside_drain(s, monfd, scratch)) != 0 ||
		    (ret = eshuttle(c, s, &moved)) != 0 ||
		    (ret = eside_drain(s, monfd, scratch)) != 0 ||
		    (ret = eshuttle(s, c, &moved)) != 0) {
			return ret;
		}
	} while (moved > 0);
	return 0;
}

static int
child_engine(int wfd, int monfd, void *arg)
{
	const struct engine_case *ec = arg;
	struct transport_config cc, sc;
	struct eside c = {0}, s = {0};
	struct buf scratch;
	static const uint8_t payload[] = {200, 1, 2, 3};
	int ret;

	buf_init(&scratch, 0);
	memset(&cc, 0, sizeof(cc));
	cc.kex = ec->kex;
	cc.ciphers = ec->cipher;
	cc.macs = ec->mac;
	cc.hostkey = ec->hostkey;
	cc.rand = engine_rand;
	sc = cc;
	sc.hostkeys = pub_list;
	sc.n_hostkeys = NKEYS;
	sc.sign_by_event = true;
	if (transport_new(TRANSPORT_CLIENT, &cc, &c.t) != 0 ||
	    transport_new(TRANSPORT_SERVER, &sc, &s.t) != 0) {
		ret = 30;
		goto out;
	}
	if ((ret = epump(&c, &s, monfd, &scratch)) != 0) {
		goto out;
	}
	if (c.kex_done != 1 || s.kex_done != 1) {
		ret = 31;
		goto out;
	}
	if (transport_send(c.t, payload, sizeof(payload)) != 0 ||
	    transport_rekey(c.t) != 0 ||
	    (ret = epump(&c, &s, monfd, &scratch)) != 0 ||
	    transport_send(s.t, payload, sizeof(payload)) != 0 ||
	    (ret = epump(&c, &s, monfd, &scratch)) != 0) {
		ret = ret != 0 ? ret : 32;
		goto out;
	}
	if (c.kex_done != 2 || s.kex_done != 2 || s.payloads != 1 ||
	    c.payloads != 1) {
		ret = 33;
		goto out;
	}
	put(wfd, "ok");
	ret = 0;
out:
	transport_free(c.t);
	transport_free(s.t);
	buf_clear(&scratch);
	return ret;
}

/* ---- tests ---- */

static void
test_allowed(void **state)
{
	struct child_res res;

	(void)state;
	skip_if_valgrind();
	run_child(child_allowed, NULL, false, &res);
	assert_exit_ok(&res, "ok");
	/*
	 * exit() rather than _exit(). Not in sanitizer builds: LSan's
	 * exit-time leak check stops the world with clone and ptrace, which
	 * the filter denies (the real child must end with _exit there).
	 */
	if (!sandbox_sanitizer_build()) {
		run_child(child_exit, NULL, false, &res);
		assert_exit_ok(&res, "ok");
	}
}

static void
test_crypto(void **state)
{
	struct sig_case sc;
	struct child_res res;
	size_t i;

	(void)state;
	skip_if_valgrind();
	memset(sc.data, 0x42, sizeof(sc.data));
	for (i = 0; i < NKEYS; i++) {
		buf_init(&sc.sig[i], 0);
		assert_int_equal(key_sign(priv_keys[i], key_algs[i], sc.data,
		                          sizeof(sc.data), &sc.sig[i]),
		                 0);
	}
	run_child(child_crypto, &sc, false, &res);
	assert_exit_ok(&res, "ok");
	for (i = 0; i < NKEYS; i++) {
		buf_clear(&sc.sig[i]);
	}
}

static void
test_engine(void **state)
{
	static const char *const ciphers[][2] = {
	    {"chacha20-poly1305@openssh.com", NULL},
	    {"aes128-gcm@openssh.com", NULL},
	    {"aes256-ctr", "hmac-sha2-256-etm@openssh.com"},
	    {"aes128-ctr", "hmac-sha2-512"},
	};
	const struct kex_method *km;
	struct engine_case ec;
	struct child_res res;
	size_t i;

	(void)state;
	skip_if_valgrind();
	for (i = 0; (km = kex_method_at(i)) != NULL; i++) {
		ec.kex = km->name;
		ec.cipher = ciphers[i % 4][0];
		ec.mac = ciphers[i % 4][1];
		ec.hostkey = key_algs[i % NKEYS];
		run_child(child_engine, &ec, false, &res);
		if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0) {
			print_message("engine %s %s %s\n", ec.kex, ec.cipher,
			              ec.hostkey);
		}
		assert_exit_ok(&res, "ok");
		/* the first exchange and the rekey, signed by the monitor */
		assert_int_equal(res.signs, 2);
	}
	assert_true(i >= 8);
}

static void
test_killed(void **state)
{
	static const struct {
		const char *what;
		child_fn fn;
	} cases[] = {
	    {"open", child_open},
	    {"openat", child_openat},
	    {"stat", child_stat},
	    {"fork", child_fork},
	    {"execve", child_exec},
	    {"socket", child_socket},
	    {"kill", child_kill},
	    {"mmap exec", child_mmap_exec},
	    {"mprotect exec", child_mprotect_exec},
	};
	struct child_res res;
	size_t i;

	(void)state;
	skip_if_valgrind();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("forbidden: %s\n", cases[i].what);
		run_child(cases[i].fn, NULL, false, &res);
		assert_sigsys(&res);
	}
}

static void
test_debug_report(void **state)
{
	struct child_res res;
	char want[64];

	(void)state;
	skip_if_valgrind();
	run_child(child_open, NULL, true, &res);
	assert_sigsys(&res);
	/* glibc's open() is the openat syscall */
	snprintf(want, sizeof(want), "sandbox: denied syscall %d\n",
	         (int)SYS_openat);
	assert_non_null(strstr(res.err, want));
}

static void
test_arch_check(void **state)
{
	(void)state;
	skip_if_valgrind();
#if defined(__x86_64__)
	{
		struct child_res res;
		int st;
		pid_t p;

		/* Without the sandbox: is the i386 ABI there at all? */
		p = fork();
		assert_true(p >= 0);
		if (p == 0) {
			_exit(i386_getpid() > 0 ? 0 : 1);
		}
		assert_int_equal(waitpid(p, &st, 0), p);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			print_message("no i386 syscall ABI in this kernel\n");
			skip();
		}
		run_child(child_int80, NULL, false, &res);
		assert_sigsys(&res);
	}
#else
	skip();
#endif
}

/* A live sandboxed child, seen from outside through /proc. */
static int
child_wait(int wfd, int monfd, void *arg)
{
	char c;

	(void)arg;
	put(wfd, "A");
	/* the parent closes its end of the monitor socket when done */
	if (read(monfd, &c, 1) != 0) {
		return 1;
	}
	return 0;
}

static bool
proc_has(pid_t pid, const char *file, const char *line)
{
	char path[64], buf[8192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((fd = open(path, O_RDONLY)) < 0) {
		return false;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return false;
	}
	buf[n] = '\0';
	return strstr(buf, line) != NULL;
}

static void
test_proc_view(void **state)
{
	int out[2], mon[2], st;
	char c = 0;
	pid_t pid;

	(void)state;
	skip_if_valgrind();
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, mon), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sandbox_opts o;

		close(out[0]);
		close(mon[0]);
		memset(&o, 0, sizeof(o));
		o.dir = is_root ? sb_dir : NULL;
		o.max_fd = -1;
		/* must be cleared: it would make readable memory executable */
		if (personality(READ_IMPLIES_EXEC) == -1 ||
		    sandbox_enter(&o) != 0) {
			_exit(100);
		}
		_exit(child_wait(out[1], mon[1], NULL));
	}
	close(out[1]);
	close(mon[1]);
	/* blocks until the child is inside (or dead: then 0 bytes) */
	assert_int_equal(read(out[0], &c, 1), 1);
	assert_int_equal(c, 'A');
	assert_true(proc_has(pid, "status", "NoNewPrivs:\t1"));
	assert_true(proc_has(pid, "status", "Seccomp:\t2"));
	assert_true(proc_has(pid, "limits", "Max processes             0"));
	assert_true(proc_has(pid, "limits", "Max file size             0"));
	assert_true(proc_has(pid, "personality", "00000000"));
	if (is_root) {
		assert_false(proc_has(pid, "status", "Uid:\t0\t"));
	}
	close(mon[0]);
	close(out[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_describe(void **state)
{
	(void)state;
	assert_string_equal(sandbox_describe(), "seccomp");
}

/* Root: unsafe folders and unknown users are refused; prepare_dir. */
static int
child_enter_code(const struct sandbox_opts *o)
{
	int st;
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0) {
		int ret = sandbox_enter(o);

		_exit(ret == 0 ? 0
		               : (ret == SESH_ERR_INVALID_ARGUMENT ? 2
		                  : ret == SESH_ERR_NOT_FOUND      ? 3
		                                                   : 4));
	}
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void
test_root_refusals(void **state)
{
	struct sandbox_opts o;
	char dir[64], path[128], sub[160];
	struct stat st;

	(void)state;
	skip_if_valgrind();
	if (!is_root) {
		print_message("not root: chroot and uid checks skipped\n");
		skip();
	}
	strcpy(dir, "/tmp/sesh-sandbox2-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.max_fd = -1;
	assert_int_equal(child_enter_code(&o), 0);
	/* not empty */
	snprintf(path, sizeof(path), "%s/x", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(child_enter_code(&o), 2);
	assert_int_equal(rmdir(path), 0);
	/* group-writable */
	assert_int_equal(chmod(dir, 0775), 0);
	assert_int_equal(child_enter_code(&o), 2);
	assert_int_equal(sandbox_prepare_dir(dir), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(chmod(dir, 0755), 0);
	/* unknown user */
	o.user = "no-such-user-sesh-test";
	assert_int_equal(child_enter_code(&o), 3);
	/* prepare_dir makes missing folders, root-owned 0755 */
	snprintf(path, sizeof(path), "%s/a", dir);
	snprintf(sub, sizeof(sub), "%s/a/empty", dir);
	assert_int_equal(sandbox_prepare_dir(sub), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(sandbox_prepare_dir(sub), 0); /* idempotent */
	assert_int_equal(sandbox_prepare_dir("relative"),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* before_filter: the ids are the ones the caller looked up. */
static int
given_ids_check(void *arg)
{
	(void)arg;
	return getuid() == 54321 && geteuid() == 54321 && getgid() == 54322 &&
	               getegid() == 54322
	           ? 0
	           : SESH_ERR_SYSTEM;
}

/* Root: ids the caller looked up (have_ids) are used as given, without
 * a lookup of opts->user, and root ids among them are refused. */
static void
test_given_ids(void **state)
{
	struct sandbox_opts o;
	char dir[64];

	(void)state;
	skip_if_valgrind();
	if (!is_root) {
		print_message("not root: uid checks skipped\n");
		skip();
	}
	strcpy(dir, "/tmp/sesh-sandbox3-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.max_fd = -1;
	o.user = "no-such-user-sesh-test"; /* not looked up */
	o.have_ids = true;
	o.uid = 54321;
	o.gid = 54322;
	o.before_filter = given_ids_check;
	assert_int_equal(child_enter_code(&o), 0);
	o.uid = 0;
	assert_int_equal(child_enter_code(&o), 2);
	o.uid = 54321;
	o.gid = 0;
	assert_int_equal(child_enter_code(&o), 2);
	/* without have_ids the name is looked up again */
	o.have_ids = false;
	o.gid = 54322;
	assert_int_equal(child_enter_code(&o), 3);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_allowed),
	    cmocka_unit_test(test_crypto),
	    cmocka_unit_test(test_engine),
	    cmocka_unit_test(test_killed),
	    cmocka_unit_test(test_debug_report),
	    cmocka_unit_test(test_arch_check),
	    cmocka_unit_test(test_proc_view),
	    cmocka_unit_test(test_root_refusals),
	    cmocka_unit_test(test_given_ids),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
