/*
 * sandbox.c - the pre-authentication child's confinement; the contract
 * and the order of the steps are in sandbox.h.
 *
 * The seccomp allow-list (sandbox_rules below) is what the engine's
 * poll loop, libc's allocator and libcrypto (after crypto_preload) need
 * and nothing more; tests/unit/test_sandbox.c runs X25519, ECDH, DH, the
 * AEAD and CTR ciphers, HMAC, signature checks and the monitor socket
 * under it, and proves that open, fork, executable mmap/mprotect and a
 * foreign-ABI syscall kill the process.
 */
#include "app/sandbox.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <dirent.h>
#include <unistd.h>

#include <seccomp.h>

#include "base/err.h"
#include "base/log.h"
#include "crypto/preload.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER 0
#endif

/* fds scanned for the highest open one when opts->max_fd < 0 */
#define SANDBOX_FD_SCAN_MAX 65536

static unsigned sandbox_did;

/*
 * Syscalls allowed whatever their arguments. Names missing on this
 * architecture (e.g. poll on arm64, which only has ppoll) are skipped.
 */
static const char *const sandbox_plain[] = {
    /* the poll loop over the connection and monitor sockets */
    "read",
    "write",
    "readv",
    "writev",
    "poll",
    "ppoll",
    "close",
    "shutdown",
    /* monitor requests (app/monitor_io.c: sendmsg/recvmsg); glibc's recv()
     * is recvfrom (send() is sendto: below, without an address) */
    "sendmsg",
    "recvmsg",
    "recvfrom",
    /* poll interrupted by a signal is restarted through this */
    "restart_syscall",
    /* ending */
    "exit",
    "exit_group",
    /* signals: return from handlers, masks around critical sections,
     * the alternate stack glibc/ASan set for new threads */
    "rt_sigreturn",
    "rt_sigprocmask",
    "sigaltstack",
    /* clocks (normally the vDSO, but it may fall back to the syscall) */
    "clock_gettime",
    "clock_gettime64",
    "gettimeofday",
    "time",
    /* libcrypto's DRBG reseeds from the kernel */
    "getrandom",
    /* the allocator: heap growth, releases, huge-page and free hints;
     * mmap and mprotect are below, without PROT_EXEC */
    "brk",
    "munmap",
    "mremap",
    "madvise",
    /* locks inside libc/libcrypto; OpenSSL's fork check reads the pid */
    "futex",
    "getpid",
    /* stdio asks for the type of an fd before buffering it */
    "fstat",
};

#if SANDBOX_SANITIZER
/*
 * ASan/UBSan runtime only. The engine runs under the plain list in the
 * sanitizer build too (tests/unit/test_sandbox.c passes there); these
 * serve the runtime's error path: yielding in its spin locks, the
 * thread id and stack limit in a report, and tgkill so that
 * abort_on_error still ends in SIGABRT (a report already means failure).
 */
static const char *const sandbox_sanitizer_extra[] = {
    "sched_yield", "gettid", "tgkill", "getrlimit", "prlimit64",
};
#endif

static int
sandbox_allow_names(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		int rc;

		if (nr < 0) {
			continue; /* not a syscall on this architecture */
		}
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) < 0) {
			log_msg(LOG_LVL_ERROR, "sandbox: seccomp rule %s: %s",
			        names[i], strerror(-rc));
			return SESH_ERR_SYSTEM;
		}
	}
	return 0;
}

/* Allows name when its argument arg, masked with mask, equals val. */
static int
sandbox_allow_masked(scmp_filter_ctx ctx, const char *name, unsigned arg,
                     uint64_t mask, uint64_t val)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr < 0) {
		return 0;
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
	                      SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, mask, val));
	if (rc < 0) {
		log_msg(LOG_LVL_ERROR, "sandbox: seccomp rule %s: %s", name,
		        strerror(-rc));
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

static int
sandbox_rules(scmp_filter_ctx ctx)
{
	int ret;

	if ((ret = sandbox_allow_names(ctx, sandbox_plain,
	                               sizeof(sandbox_plain) /
	                                   sizeof(sandbox_plain[0]))) != 0) {
		return ret;
	}
#if SANDBOX_SANITIZER
	if ((ret = sandbox_allow_names(
	         ctx, sandbox_sanitizer_extra,
	         sizeof(sandbox_sanitizer_extra) /
	             sizeof(sandbox_sanitizer_extra[0]))) != 0) {
		return ret;
	}
#endif
	/* Memory, never executable: mmap(addr, len, prot, ...) and
	 * mprotect(addr, len, prot) with PROT_EXEC clear in prot. */
	if ((ret = sandbox_allow_masked(ctx, "mmap", 2, PROT_EXEC, 0)) != 0 ||
	    (ret = sandbox_allow_masked(ctx, "mmap2", 2, PROT_EXEC, 0)) != 0 ||
	    (ret = sandbox_allow_masked(ctx, "mprotect", 2, PROT_EXEC, 0)) !=
	        0) {
		return ret;
	}
	/* glibc's fstat(fd) is newfstatat(fd, "", st, AT_EMPTY_PATH): only
	 * that form, so that no path can be looked up. */
	if ((ret = sandbox_allow_masked(ctx, "newfstatat", 3, AT_EMPTY_PATH,
	                                AT_EMPTY_PATH)) != 0 ||
	    (ret = sandbox_allow_masked(ctx, "fstatat64", 3, AT_EMPTY_PATH,
	                                AT_EMPTY_PATH)) != 0) {
		return ret;
	}
	/* glibc's send(fd, ...) is sendto(fd, ..., NULL, 0): no address, so
	 * only connected sockets (the only kind the child has). */
	if ((ret = sandbox_allow_masked(ctx, "sendto", 4, ~(uint64_t)0, 0)) !=
	    0) {
		return ret;
	}
	/* setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, ...) only: the engine
	 * driver ACKs the client's login writes at once (server.c) */
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
	                       SCMP_A1(SCMP_CMP_EQ, IPPROTO_TCP, 0),
	                       SCMP_A2(SCMP_CMP_EQ, TCP_QUICKACK, 0));
	if (ret != 0) {
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

/* Async-signal-safe: the debug mode's report of a denied syscall. */
static void
sandbox_sigsys(int sig, siginfo_t *info, void *uctx)
{
	char msg[64] = "sandbox: denied syscall ";
	char digits[16];
	size_t len = strlen(msg), nd = 0;
	unsigned v;

	(void)sig;
	(void)uctx;
	v = info->si_syscall < 0 ? 0u : (unsigned)info->si_syscall;
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && nd < sizeof(digits));
	while (nd > 0 && len < sizeof(msg) - 2) {
		msg[len++] = digits[--nd];
	}
	msg[len++] = '\n';
	if (write(STDERR_FILENO, msg, len) < 0) {
		/* nothing more to do */
	}
	/*
	 * kill is never allowed: this call traps again while SIGSYS is
	 * blocked (we are its handler), so the kernel resets the handler
	 * and the process dies of SIGSYS.
	 */
	syscall(SYS_kill, 0, 0);
}

static int
sandbox_seccomp(bool debug)
{
	scmp_filter_ctx ctx;
	uint32_t def = debug ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
	int rc, ret;

	if ((ctx = seccomp_init(def)) == NULL) {
		log_msg(LOG_LVL_ERROR, "sandbox: seccomp_init failed");
		return SESH_ERR_SYSTEM;
	}
	/*
	 * The filter holds the native architecture only; another ABI (e.g.
	 * i386 int 0x80 or x32 on x86_64) kills the process.
	 */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	                           SCMP_ACT_KILL_PROCESS)) < 0) {
		log_msg(LOG_LVL_ERROR, "sandbox: seccomp bad-arch action: %s",
		        strerror(-rc));
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	if ((ret = sandbox_rules(ctx)) != 0) {
		goto out;
	}
	if (debug) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sandbox_sigsys;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL) != 0) {
			log_msg(LOG_LVL_ERROR, "sandbox: sigaction: %s",
			        strerror(errno));
			ret = SESH_ERR_SYSTEM;
			goto out;
		}
	}
	if ((rc = seccomp_load(ctx)) < 0) {
		if (rc == -EINVAL || rc == -ENOSYS) {
			/* A kernel without seccomp filters. */
			log_msg(LOG_LVL_ERROR,
			        "sandbox: seccomp filters not available (%s): "
			        "rlimit sandbox only",
			        strerror(-rc));
			ret = 0;
			goto out;
		}
		log_msg(LOG_LVL_ERROR, "sandbox: seccomp_load: %s",
		        strerror(-rc));
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	sandbox_did |= SANDBOX_DID_SECCOMP;
	ret = 0;
out:
	seccomp_release(ctx);
	return ret;
}

/* The highest open fd: from /proc/self/fd when mounted (one listing),
 * else by probing each fd below the current limit (capped). */
static int
sandbox_highest_fd(void)
{
	struct rlimit rl;
	struct dirent *de;
	DIR *d;
	int lim = SANDBOX_FD_SCAN_MAX, fd, hi = -1;

	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char *end;
			long v = strtol(de->d_name, &end, 10);

			if (de->d_name[0] >= '0' && de->d_name[0] <= '9' &&
			    *end == '\0' && v != dirfd(d) && v > hi &&
			    v < INT_MAX) {
				hi = (int)v;
			}
		}
		closedir(d);
		return hi;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)lim) {
		lim = (int)rl.rlim_cur;
	}
	for (fd = 0; fd < lim; fd++) {
		if (fcntl(fd, F_GETFD) != -1) {
			hi = fd;
		}
	}
	return hi;
}

static int
sandbox_rlimits(int max_fd)
{
	struct rlimit zero = {0, 0}, nofile;

	nofile.rlim_cur = nofile.rlim_max = (rlim_t)max_fd + 1;
	if (setrlimit(RLIMIT_FSIZE, &zero) != 0 ||
	    setrlimit(RLIMIT_NPROC, &zero) != 0 ||
	    setrlimit(RLIMIT_NOFILE, &nofile) != 0) {
		log_msg(LOG_LVL_ERROR, "sandbox: setrlimit: %s",
		        strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	sandbox_did |= SANDBOX_DID_RLIMIT;
	return 0;
}

int
sandbox_user(const char *user, const char **name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;
	const char *n = user;
	uid_t u;
	gid_t g;

	if (user != NULL) {
		pw = getpwnam(user);
	} else if ((pw = getpwnam(SANDBOX_DEFAULT_USER)) != NULL) {
		n = SANDBOX_DEFAULT_USER;
	} else {
		pw = getpwnam("nobody");
		n = "nobody";
	}
	if (pw == NULL) {
		return SESH_ERR_NOT_FOUND;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	u = pw->pw_uid;
	g = pw->pw_gid;
	if (user == NULL && strcmp(n, "nobody") == 0 &&
	    (gr = getgrnam("nogroup")) != NULL && gr->gr_gid != 0) {
		g = gr->gr_gid;
	}
	if (name != NULL) {
		*name = n;
	}
	if (uid != NULL) {
		*uid = u;
	}
	if (gid != NULL) {
		*gid = g;
	}
	return 0;
}

void
sandbox_ids_encode(const struct sandbox_opts *ids,
                   uint8_t out[SANDBOX_IDS_LEN])
{
	uint32_t u = (uint32_t)ids->uid, g = (uint32_t)ids->gid;
	int k;

	out[0] = ids->have_ids ? 1 : 0;
	for (k = 0; k < 4; k++) {
		out[1 + k] = (uint8_t)(u >> (24 - 8 * k));
		out[5 + k] = (uint8_t)(g >> (24 - 8 * k));
	}
}

int
sandbox_ids_decode(const uint8_t *p, size_t n, struct sandbox_opts *o)
{
	uint32_t u = 0, g = 0;
	int k;

	memset(o, 0, sizeof(*o));
	if (n != SANDBOX_IDS_LEN) {
		return SESH_ERR_TRUNCATED;
	}
	if (p[0] > 1) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	for (k = 0; k < 4; k++) {
		u = u << 8 | p[1 + k];
		g = g << 8 | p[5 + k];
	}
	o->have_ids = p[0] == 1;
	o->uid = (uid_t)u;
	o->gid = (gid_t)g;
	return 0;
}

/* Finds the unprivileged ids to run as (before the chroot: NSS). */
static int
sandbox_pick_user(const char *user, uid_t *uid, gid_t *gid)
{
	int ret = sandbox_user(user, NULL, uid, gid);

	if (ret == SESH_ERR_NOT_FOUND) {
		log_msg(LOG_LVL_ERROR, "sandbox: no user %s",
		        user != NULL ? user
		                     : SANDBOX_DEFAULT_USER " nor nobody");
	} else if (ret != 0) {
		log_msg(LOG_LVL_ERROR, "sandbox: user %s has root ids",
		        user != NULL ? user : "nobody");
	}
	return ret;
}

/* fd (a folder) is owned by root, not group/other writable, empty. */
static int
sandbox_check_dir(int fd, const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int dfd, ret = 0;

	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_msg(LOG_LVL_ERROR,
		        "sandbox: %s must be a folder owned by root and "
		        "writable only by it",
		        path);
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((dfd = dup(fd)) < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0) {
			close(dfd);
		}
		log_msg(LOG_LVL_ERROR, "sandbox: %s: %s", path,
		        strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			log_msg(LOG_LVL_ERROR, "sandbox: %s is not empty",
			        path);
			ret = SESH_ERR_INVALID_ARGUMENT;
			break;
		}
	}
	closedir(d);
	return ret;
}

static int
sandbox_chroot(const char *path)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_msg(LOG_LVL_ERROR, "sandbox: %s: %s", path,
		        strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	if ((ret = sandbox_check_dir(fd, path)) != 0) {
		goto out;
	}
	/* The folder checked is the one we enter (no second lookup). */
	if (fchdir(fd) != 0 || chroot(".") != 0 || chdir("/") != 0) {
		log_msg(LOG_LVL_ERROR, "sandbox: chroot %s: %s", path,
		        strerror(errno));
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	sandbox_did |= SANDBOX_DID_CHROOT;
	ret = 0;
out:
	close(fd);
	return ret;
}

static int
sandbox_drop(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		log_msg(LOG_LVL_ERROR, "sandbox: dropping to uid %u: %s",
		        (unsigned)uid, strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	/* Checked: all ids as asked, no groups, root out of reach. */
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
	    ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid || getgroups(0, NULL) != 0 || setuid(0) == 0 ||
	    setgid(0) == 0) {
		log_msg(LOG_LVL_ERROR, "sandbox: uid %u not dropped properly",
		        (unsigned)uid);
		return SESH_ERR_SYSTEM;
	}
	sandbox_did |= SANDBOX_DID_UID;
	return 0;
}

/*
 * READ_IMPLIES_EXEC (a personality inherited from a parent, or set for
 * binaries without a non-executable stack note) would make every
 * readable mapping executable behind the PROT_EXEC argument filters.
 */
static int
sandbox_no_implied_exec(void)
{
	int pers = personality(0xffffffff);

	if (pers == -1) {
		log_msg(LOG_LVL_ERROR, "sandbox: personality: %s",
		        strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	if ((pers & READ_IMPLIES_EXEC) != 0 &&
	    personality((unsigned long)pers &
	                ~(unsigned long)READ_IMPLIES_EXEC) == -1) {
		log_msg(LOG_LVL_ERROR, "sandbox: personality: %s",
		        strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

int
sandbox_enter(const struct sandbox_opts *opts)
{
	static const struct sandbox_opts none = {.max_fd = -1};
	const char *dir;
	uid_t uid = 0;
	gid_t gid = 0;
	int max_fd, ret;

	if (opts == NULL) {
		opts = &none;
	}
	dir = opts->dir != NULL ? opts->dir : SANDBOX_DEFAULT_DIR;
	sandbox_did = 0;
	/* before the chroot hides /proc */
	max_fd = opts->max_fd >= 0 ? opts->max_fd : sandbox_highest_fd();
	if ((ret = crypto_preload()) != 0) {
		return ret;
	}
	if (geteuid() == 0) {
		if (opts->have_ids) {
			/* looked up by the caller (sandbox_user) */
			uid = opts->uid;
			gid = opts->gid;
			if (uid == 0 || gid == 0) {
				log_msg(LOG_LVL_ERROR,
				        "sandbox: user has root ids");
				return SESH_ERR_INVALID_ARGUMENT;
			}
		} else if ((ret = sandbox_pick_user(opts->user, &uid, &gid)) !=
		           0) {
			return ret;
		}
		if ((ret = sandbox_chroot(dir)) != 0 ||
		    (ret = sandbox_drop(uid, gid)) != 0) {
			return ret;
		}
	} else {
		log_msg(LOG_LVL_VERBOSE,
		        "sandbox: not root: no chroot and no change of user");
	}
	if (opts->before_filter != NULL &&
	    (ret = opts->before_filter(opts->arg)) != 0) {
		return ret;
	}
	if ((ret = sandbox_no_implied_exec()) != 0) {
		return ret;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		log_msg(LOG_LVL_ERROR, "sandbox: no_new_privs: %s",
		        strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	sandbox_did |= SANDBOX_DID_NNP;
	if ((ret = sandbox_rlimits(max_fd)) != 0) {
		return ret;
	}
	return sandbox_seccomp(opts->debug);
}

unsigned
sandbox_applied(void)
{
	return sandbox_did;
}

int
sandbox_prepare_dir(const char *path)
{
	char tmp[4096];
	struct stat st;
	size_t i, n;

	if (path == NULL) {
		path = SANDBOX_DEFAULT_DIR;
	}
	if (geteuid() != 0) {
		return SESH_ERR_UNSUPPORTED;
	}
	n = strlen(path);
	if (n == 0 || n >= sizeof(tmp) || path[0] != '/') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memcpy(tmp, path, n + 1);
	/* Each missing component, parents first, made 0755 (umask aside). */
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0') {
			continue;
		}
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) == 0) {
			if (chmod(tmp, 0755) != 0) {
				goto sys;
			}
		} else if (errno != EEXIST) {
			goto sys;
		}
		if (i < n) {
			tmp[i] = '/';
		}
	}
	if (lstat(path, &st) != 0) {
		goto sys;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_msg(LOG_LVL_ERROR,
		        "sandbox: %s must be a folder owned by root and "
		        "writable only by it",
		        path);
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return 0;
sys:
	log_msg(LOG_LVL_ERROR, "sandbox: %s: %s", tmp, strerror(errno));
	return SESH_ERR_SYSTEM;
}

const char *
sandbox_describe(void)
{
	return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 ? "seccomp" : "rlimit";
}

bool
sandbox_sanitizer_build(void)
{
	return SANDBOX_SANITIZER != 0;
}
