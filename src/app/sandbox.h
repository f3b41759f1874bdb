/*
 * sandbox.h - confines seshd's pre-authentication child: the process
 * that runs the SSH engine (src/ssh) and every parser on bytes from an
 * unauthenticated client. See issue 7.
 *
 * sandbox_enter(), called in the child once the connection socket and
 * the monitor socket are its only open fds (besides 0-2), does, in order:
 *   1. crypto_preload() (crypto/preload.h): libcrypto's configuration,
 *      algorithm implementations and random generator are loaded now,
 *      while files can still be opened;
 *   2. as root only: chroot to an empty root-owned folder (made by
 *      sandbox_prepare_dir(), checked here: a folder, owned by root, not
 *      writable by group or others, empty), chdir("/"); then drop to an
 *      unprivileged user: opts->user, else the `sesh` system user if it
 *      exists, else nobody (group nogroup if it exists): setgroups(0),
 *      setresgid, setresuid, then checked (ids as asked, setuid(0) and
 *      setgid(0) fail);
 *   3. prctl(PR_SET_NO_NEW_PRIVS);
 *   4. rlimits: RLIMIT_FSIZE 0 (no file growth: note that writes to a
 *      stderr redirected to a regular file then raise SIGXFSZ; log
 *      through the monitor instead), RLIMIT_NPROC 0 (no fork), and
 *      RLIMIT_NOFILE max_fd + 1 (poll(2) refuses more fds than the limit,
 *      so it cannot be 0; the seccomp filter is what forbids new fds);
 *   5. a seccomp-bpf allow-list (libseccomp, sandbox.c lists each call
 *      and why): the architecture is checked (a syscall made through
 *      another ABI, e.g. int 0x80 on x86_64, kills the process), the
 *      default action kills the whole process (SIGSYS), and memory can
 *      never be made executable (mmap/mprotect with PROT_EXEC are
 *      denied by argument filters). No open, socket, fork, exec, kill,
 *      ptrace, ioctl.
 * Not root: step 2 is skipped (logged at verbose level); the others are
 * done (seccomp works unprivileged once no_new_privs is set).
 * A kernel without seccomp filters: step 5 is skipped with an error in
 * the log ("rlimit" sandbox only), as OpenSSH does.
 *
 * On an error the process is in an unknown, partly confined state: the
 * caller must end it (_exit) and never go on unconfined.
 *
 * Inside the sandbox the child may: read/write/poll its fds, use
 * sendmsg/recvmsg (monitor socket, app/monitor.h), allocate memory,
 * read clocks and getrandom(2), use libcrypto as the engine does, and
 * exit. Logging must not use syslog (a socket: killed) nor a file.
 *
 * Debug mode (opts->debug, e.g. seshd -d): a denied syscall writes
 * "sandbox: denied syscall N" to stderr (N as in <asm/unistd.h>; look
 * it up with scmp_sys_resolver N) before the process dies of SIGSYS.
 *
 * Sanitizer builds (ASan/UBSan) work: their runtime's extra needs are
 * allowed only when compiled with a sanitizer (SANDBOX_SANITIZER). But
 * LSan's exit-time leak check needs clone and ptrace: a sandboxed child
 * must end with _exit(), not exit(), or it dies of SIGSYS in that build.
 *
 * ---- How seshd uses this (server.c; the lead wires it) ----
 * Listener/startup (root): sandbox_prepare_dir(NULL or a configured
 * folder) once; `seshd -T` prints "sandbox %s", sandbox_describe().
 * Per connection, as root, before any client byte is parsed:
 *	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv); fork();
 *	child:  close sv[0] and every fd but the connection and sv[1];
 *	        set O_NONBLOCK/TCP_NODELAY, signal handlers, the log sink
 *	        (stderr, or REQ_LOG through the monitor: never syslog or a
 *	        file) first; then sandbox_enter(&(struct sandbox_opts){
 *	        .dir = NULL, .user = SandboxUser, .max_fd = -1,
 *	        .debug = -d });
 *	        on error _exit at once. Then run the engine with
 *	        sign_by_event and ask the monitor (app/monitor.h) for every
 *	        signature and auth decision; after success send
 *	        REQ_HANDOVER and _exit.
 *	parent: close sv[1]; serve monitor requests (monitor.h) and enforce
 *	        LoginGraceTime and the failed-auth delay (no alarm or sleep
 *	        is allowed in the child); waitpid the child: WIFSIGNALED
 *	        (SIGSYS included) is a crash for the penalties.
 */
#ifndef SESH_APP_SANDBOX_H
#define SESH_APP_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SANDBOX_DEFAULT_DIR  "/run/sesh/empty"
#define SANDBOX_DEFAULT_USER "sesh"

struct sandbox_opts {
	const char *dir;  /* chroot folder; NULL: SANDBOX_DEFAULT_DIR */
	const char *user; /* NULL: "sesh", else nobody; set: must exist
	                     (seshd: SandboxUser) */
	int max_fd;       /* highest fd kept open; < 0: found by a scan */
	bool debug;       /* report denied syscalls on stderr (see above) */
	/* true: uid/gid are user's ids, already looked up with
	 * sandbox_user() (e.g. by the parent before its fork), and
	 * sandbox_enter does no NSS lookup of its own; both must be
	 * non-zero */
	bool have_ids;
	uid_t uid;
	gid_t gid;
	/*
	 * Called after the chroot and uid change, before no_new_privs and the
	 * filter: the last moment files can be opened. Tests use it to check
	 * the confinement. NULL: none. A non-zero return fails sandbox_enter
	 * with that code.
	 */
	int (*before_filter)(void *arg);
	void *arg;
};

/* What sandbox_enter did (sandbox_applied). */
#define SANDBOX_DID_CHROOT  0x01u
#define SANDBOX_DID_UID     0x02u
#define SANDBOX_DID_NNP     0x04u
#define SANDBOX_DID_RLIMIT  0x08u
#define SANDBOX_DID_SECCOMP 0x10u

/*
 * Makes path (NULL: SANDBOX_DEFAULT_DIR) and its missing parents as
 * root-owned 0755 folders. An existing path must be a folder owned by
 * root and not writable by group or others, else SESH_ERR_INVALID_ARGUMENT
 * (logged). Not root: SESH_ERR_UNSUPPORTED. Also SESH_ERR_SYSTEM.
 */
int sandbox_prepare_dir(const char *path);

/*
 * Confines the calling process (see the top of this file); irreversible.
 * Returns 0, SESH_ERR_NOT_FOUND (opts->user does not exist, or no sesh
 * nor nobody user), SESH_ERR_INVALID_ARGUMENT (the folder is unsafe or
 * not empty, the user is root), SESH_ERR_CRYPTO (crypto_preload),
 * SESH_ERR_SYSTEM (a step failed; logged), or before_filter's code.
 */
int sandbox_enter(const struct sandbox_opts *opts);

/*
 * The user sandbox_enter drops to for opts->user = user: that user, or
 * for NULL the `sesh` system user if it exists, else nobody (group
 * nogroup if it exists). Sets *name (user itself, or a static string)
 * and the ids; each output may be NULL; logs nothing. Returns 0,
 * SESH_ERR_NOT_FOUND (no such user; for NULL: neither sesh nor nobody)
 * or SESH_ERR_INVALID_ARGUMENT (its uid or gid is 0). seshd checks its
 * SandboxUser with it when reading the config, and `seshd -T` names the
 * user in effect.
 */
int sandbox_user(const char *user, const char **name, uid_t *uid, gid_t *gid);
/*
 * The ids a monitor looked up (sandbox_user) for the child it forked,
 * sent as its first message to that child: SANDBOX_IDS_LEN bytes, a
 * flag (1: looked up; 0: not, the child looks for itself and says why)
 * then uid and gid, each a big-endian uint32. decode clears *o and sets
 * have_ids, uid and gid: SESH_ERR_TRUNCATED for another length,
 * SESH_ERR_INVALID_ARGUMENT for another flag.
 */
#define SANDBOX_IDS_LEN 9
void sandbox_ids_encode(const struct sandbox_opts *ids,
                        uint8_t out[SANDBOX_IDS_LEN]);
int sandbox_ids_decode(const uint8_t *p, size_t n, struct sandbox_opts *o);

/* SANDBOX_DID_* bits of the last sandbox_enter in this process. */
unsigned sandbox_applied(void);

/*
 * "seccomp" if this kernel takes seccomp filters (the sandbox then has
 * all its layers), "rlimit" otherwise; for `seshd -T` ("sandbox ...").
 */
const char *sandbox_describe(void);

/* True in a build with ASan or UBSan (their runtime gets more calls). */
bool sandbox_sanitizer_build(void);

#endif
