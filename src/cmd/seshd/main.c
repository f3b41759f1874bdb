/*
 * seshd - the sesh server daemon: sshd(8)'s command line.
 *
 *   seshd [-46DdeiqTtV] [-C connection_spec] [-E log_file] [-f config_file]
 *         [-h host_key_file] [-o option] [-p port]
 *
 * Modes: the listener (default: detaches; -D stays in the foreground;
 * -d: debug to stderr, one connection handled in this process), -i
 * (inetd: one connection on stdin/stdout), -t (check the configuration
 * and host keys), -T (print the effective configuration, -C applying
 * Match blocks for a connection), and the hidden -R: a connection
 * process re-executed by the listener (the socket on fd 3, the
 * MaxStartups pipe on fd 4; see app/listener.h).
 *
 * Every process reads the configuration itself (the same argv: -f, -o,
 * -p, -h), so a connection process and a SIGHUP restart see a fresh
 * config. Exit codes as sshd's: 0 fine, 1 usage / missing file / host
 * keys / bind, 255 a bad configuration; a connection process exits with
 * its enum server_end.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/fileio.h"
#include "app/listener.h"
#include "app/sandbox.h"
#include "app/servconf.h"
#include "app/server.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "crypto/noatexit.h"
#include "crypto/preload.h"
#include "key/key.h"
#include "key/keyfile.h"

#define SESHD_MAX_HOSTKEYS 16
#define SESHD_MAX_OPTS     256

struct opts {
	const char *config;
	const char *logfile;
	const char *conn_spec;
	const char *set[SESHD_MAX_OPTS]; /* "Key=value" in order */
	char *owned[SESHD_MAX_OPTS];
	size_t nset, nowned;
	int debug; /* -d count */
	bool foreground, to_stderr, inetd, test, dump, rexec, quiet;
};

static struct listener_sig g_sig;

static void
on_term(int signo)
{
	g_sig.term = signo;
}

static void
on_hup(int signo)
{
	(void)signo;
	g_sig.hup = 1;
}

static void
on_chld(int signo)
{
	(void)signo;
	g_sig.chld = 1;
}

static void
usage(void)
{
	fprintf(stderr,
	        "usage: seshd [-46DdeiqTtV] [-C connection_spec] "
	        "[-E log_file] [-f config_file]\n"
	        "             [-h host_key_file] [-o option] [-p port]\n");
	exit(1);
}

static int
add_set(struct opts *o, const char *prefix, const char *arg)
{
	char *s;

	if (o->nset >= SESHD_MAX_OPTS) {
		fprintf(stderr, "seshd: too many options\n");
		exit(1);
	}
	if (prefix == NULL) {
		o->set[o->nset++] = arg;
		return 0;
	}
	if (asprintf(&s, "%s%s", prefix, arg) < 0) {
		fprintf(stderr, "seshd: out of memory\n");
		exit(1);
	}
	o->owned[o->nowned++] = s;
	o->set[o->nset++] = s;
	return 0;
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->config = SERVCONF_DEFAULT_PATH;
	while ((ch = getopt(argc, argv, "46C:DE:RTVdef:g:h:ik:o:p:qt")) != -1) {
		switch (ch) {
		case '4':
			add_set(o, NULL, "AddressFamily=inet");
			break;
		case '6':
			add_set(o, NULL, "AddressFamily=inet6");
			break;
		case 'C':
			o->conn_spec = optarg;
			break;
		case 'D':
			o->foreground = true;
			break;
		case 'E':
			o->logfile = optarg;
			break;
		case 'R':
			o->rexec = true;
			break;
		case 'T':
			o->dump = true;
			break;
		case 'V':
			fprintf(stderr, "seshd 0.1 (sesh)\n");
			exit(0);
		case 'd':
			o->debug++;
			o->to_stderr = true;
			break;
		case 'e':
			o->to_stderr = true;
			break;
		case 'f':
			o->config = optarg;
			break;
		case 'g':
			add_set(o, "LoginGraceTime=", optarg);
			break;
		case 'h':
			add_set(o, "HostKey=", optarg);
			break;
		case 'i':
			o->inetd = true;
			break;
		case 'k':
			break; /* KeyRegenerationInterval: gone from sshd */
		case 'o':
			add_set(o, NULL, optarg);
			break;
		case 'p':
			add_set(o, "Port=", optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 't':
			o->test = true;
			break;
		default:
			usage();
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Extra argument %s.\n", argv[optind]);
		exit(1);
	}
}

/* Loads the configuration; on error prints sshd's message and returns
 * the exit code (255 a bad config, 1 otherwise). */
static int
load_config(const struct opts *o, struct servconf *c)
{
	struct servconf_err err;
	size_t i;
	int ret = 0, r;

	memset(&err, 0, sizeof(err));
	servconf_init(c);
	for (i = 0; i < o->nset; i++) {
		r = servconf_set_option(c, o->set[i], &err);
		if (r != 0 && ret == 0) {
			ret = r;
		}
		if (r != 0 && err.nbad == 0) {
			break;
		}
	}
	if (ret == 0 || err.nbad > 0) {
		r = servconf_load_file(c, o->config, &err);
		if (r != 0 && ret == 0) {
			ret = r;
		}
	}
	if (ret == 0) {
		ret = servconf_finish(c, &err);
	}
	if (ret == 0) {
		return 0;
	}
	/* Bad-option lines were logged as they were found (err.logged). */
	if (!err.logged && err.msg[0] != '\0') {
		fprintf(stderr, "%s\n", err.msg);
	} else if (!err.logged) {
		fprintf(stderr, "%s: %s\n", o->config, sesh_err_str(ret));
	}
	if (err.nbad > 0 && err.logged) {
		fprintf(stderr,
		        "%s: terminating, %u bad configuration options\n",
		        o->config, err.nbad);
	}
	servconf_clear(c);
	return ret == SESH_ERR_INVALID_ARGUMENT ? 255 : 1;
}

/* Loads one private host key; NULL (logged) when it cannot be used. */
static struct sshkey *
load_host_key(const char *path)
{
	struct sshkey *k = NULL;
	struct stat st;
	uint8_t *data = NULL;
	size_t n = 0;
	int ret;

	if (stat(path, &st) == 0 && st.st_uid == getuid() &&
	    (st.st_mode & 077) != 0) {
		log_error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@"
		          "@@@@@@@@");
		log_error("@         WARNING: UNPROTECTED PRIVATE KEY FILE!  "
		          "        @");
		log_error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@"
		          "@@@@@@@@");
		log_error("Permissions 0%3.3o for '%s' are too open.",
		          (unsigned int)(st.st_mode & 0777), path);
		log_error("It is required that your private key files are NOT "
		          "accessible by others.");
		log_error("This private key will be ignored.");
		log_error("Unable to load host key \"%s\": bad permissions",
		          path);
		return NULL;
	}
	ret = fileio_read(path, 0, &data, &n);
	if (ret == 0) {
		ret = keyfile_parse_private(data, n, "", &k);
		mem_free_secret(data, n);
	}
	if (ret != 0) {
		if (ret == SESH_ERR_NOT_FOUND) {
			log_error("Unable to load host key: %s", path);
		} else {
			log_error("Unable to load host key \"%s\": %s", path,
			          sesh_err_str(ret));
		}
		return NULL;
	}
	return k;
}

static size_t
load_host_keys(const struct servconf *c, struct sshkey **keys)
{
	size_t n = 0, i;

	for (i = 0; c->host_key_files != NULL && c->host_key_files[i] != NULL &&
	            n < SESHD_MAX_HOSTKEYS;
	     i++) {
		struct sshkey *k = load_host_key(c->host_key_files[i]);

		if (k != NULL) {
			keys[n++] = k;
		}
	}
	if (n == 0) {
		const char *eg = SERVCONF_HOSTKEY_DIR "/ssh_host_ed25519_key";

		for (i = 0;
		     c->host_key_files != NULL && c->host_key_files[i] != NULL;
		     i++) {
			if (i == 0 ||
			    strstr(c->host_key_files[i], "ed25519") != NULL) {
				eg = c->host_key_files[i];
			}
		}
		log_error("seshd: no hostkeys available -- exiting.");
		log_error("Create host keys with \"sesh-keygen -A\" (all "
		          "types, in %s) or \"sesh-keygen -t ed25519 -f %s "
		          "-N ''\".",
		          SERVCONF_HOSTKEY_DIR, eg);
	}
	return n;
}

static void
free_host_keys(struct sshkey **keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		key_free(keys[i]);
	}
}

/* -C user=alice,host=h,addr=1.2.3.4,laddr=...,lport=22 */
static int
parse_conn_spec(char *spec, struct servconf_conninfo *ci)
{
	char *tok, *save = NULL, *eq;

	memset(ci, 0, sizeof(*ci));
	for (tok = strtok_r(spec, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')) == NULL) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		*eq++ = '\0';
		if (strcmp(tok, "user") == 0) {
			ci->user = eq;
		} else if (strcmp(tok, "host") == 0) {
			ci->host = eq;
		} else if (strcmp(tok, "addr") == 0) {
			ci->addr = eq;
		} else if (strcmp(tok, "laddr") == 0) {
			ci->laddr = eq;
		} else if (strcmp(tok, "lport") == 0) {
			ci->lport = (unsigned int)strtoul(eq, NULL, 10);
		} else if (strcmp(tok, "rdomain") != 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	return 0;
}

/*
 * -T's last line: how pre-authentication is confined. As root in
 * listener mode each connection's engine runs in a child under a
 * monitor, in the sandbox of app/sandbox.h (chroot, uid, no new
 * privileges, rlimits, the seccomp filter where the kernel has it);
 * otherwise (not root, -d, -i) in one process.
 */
static void
print_sandbox(const struct servconf *c)
{
	const char *user = NULL;

	if (geteuid() == 0) {
		if (sandbox_user(c->sandbox_user, &user, NULL, NULL) != 0) {
			user = "(none usable)";
		}
		printf("sandbox %s (chroot %s, user %s, rlimits, "
		       "no_new_privs) for the pre-authentication child; -d "
		       "and -i run without it%s\n",
		       sandbox_describe(), SANDBOX_DEFAULT_DIR, user,
		       sandbox_sanitizer_build()
		           ? "; sanitizer build: the child keeps stderr"
		           : "");
	} else {
		printf("sandbox none (not root: one process per connection)"
		       "\n");
	}
}

static int
dump_config(const struct opts *o, const struct servconf *c)
{
	struct servconf_conninfo ci;
	struct servconf m;
	struct servconf_err err;
	char *spec;
	int ret;

	if (o->conn_spec == NULL) {
		if (servconf_dump(c, stdout) != 0) {
			return 1;
		}
		print_sandbox(c);
		return 0;
	}
	if ((spec = strdup(o->conn_spec)) == NULL ||
	    parse_conn_spec(spec, &ci) != 0) {
		fprintf(stderr, "Invalid test mode specification %s\n",
		        o->conn_spec);
		free(spec);
		return 1;
	}
	memset(&err, 0, sizeof(err));
	ret = servconf_match(c, &ci, &m, &err);
	if (ret != 0) {
		fprintf(stderr, "%s\n",
		        err.msg[0] != '\0' ? err.msg : sesh_err_str(ret));
		free(spec);
		return 255;
	}
	ret = servconf_dump(&m, stdout) == 0 ? 0 : 1;
	if (ret == 0) {
		print_sandbox(c);
	}
	servconf_clear(&m);
	free(spec);
	return ret;
}

/* Runs one connection on rfd/wfd in this process; returns its end. */
static int
run_connection(const struct opts *o, const struct servconf *c,
               struct sshkey **keys, size_t nkeys, int rfd, int wfd,
               int notify_fd)
{
	struct server_ctx ctx;
	char raddr[64], laddr[64];
	unsigned int rport = 0, lport = 0;
	struct stat st;

	(void)listener_sockname(rfd, true, raddr, sizeof(raddr), &rport);
	(void)listener_sockname(rfd, false, laddr, sizeof(laddr), &lport);
	memset(&ctx, 0, sizeof(ctx));
	ctx.conf = c;
	ctx.hostkeys = (const struct sshkey *const *)keys;
	ctx.nhostkeys = nkeys;
	ctx.rfd = rfd;
	ctx.wfd = wfd;
	ctx.raddr = raddr;
	ctx.rport = rport;
	ctx.laddr = laddr;
	ctx.lport = lport;
	ctx.debug = o->debug > 0;
	ctx.auth_notify_fd = notify_fd;
	/* a listener's socketpair (not the pipe of an older listener):
	 * it takes the connection over after authentication */
	ctx.handover =
	    notify_fd > 2 && fstat(notify_fd, &st) == 0 && S_ISSOCK(st.st_mode);
	ctx.privsep = ctx.handover && geteuid() == 0;
	return server_conn_run(&ctx);
}

/*
 * What every process forked to carry a session on would otherwise load
 * for itself, loaded once here so that they all share the pages:
 * libcrypto's configuration, providers and algorithm implementations,
 * and the NSS modules that user and group lookups open.
 */
static void
preload_for_sessions(void)
{
	gid_t groups[8];
	int ngroups = 8;
	struct passwd *pw;

	(void)crypto_preload();
	if ((pw = getpwuid(0)) != NULL) {
		(void)getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups);
	}
	(void)getpwnam("sesh-nss-preload-no-such-user");
	endpwent();
	endgrent();
}

/* What the listener's take-over processes need (listener.h resume). */
struct resume_arg {
	const struct opts *o;
	const struct servconf *c;
	struct sshkey **keys;
	size_t nkeys;
};

static int
resume_connection(void *arg, int fd)
{
	const struct resume_arg *ra = arg;
	struct server_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.conf = ra->c;
	ctx.hostkeys = (const struct sshkey *const *)ra->keys;
	ctx.nhostkeys = ra->nkeys;
	ctx.debug = ra->o->debug > 0;
	ctx.auth_notify_fd = -1;
	return server_conn_resume(&ctx, fd);
}

static void
write_pid_file(const struct servconf *c)
{
	char buf[32];
	int fd, n;

	if (c->pid_file == NULL || strcmp(c->pid_file, "none") == 0) {
		return;
	}
	fd = open(c->pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("Couldn't create pid file \"%s\": %s", c->pid_file,
		          strerror(errno));
		return;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		log_error("Couldn't write pid file \"%s\"", c->pid_file);
	}
	close(fd);
}

static void
remove_pid_file(const struct servconf *c)
{
	if (c->pid_file != NULL && strcmp(c->pid_file, "none") != 0) {
		(void)unlink(c->pid_file);
	}
}

static void
install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Set across a SIGHUP re-exec by a daemon that detached. */
#define SESHD_DAEMON_ENV "SESHD_DAEMONIZED"

/*
 * True when this process already is a daemon, i.e. a SIGHUP re-exec of
 * one that detached: it must keep its pid so that PidFile readers and
 * systemd's Type=forking keep track of it. The marker is set just before
 * that exec, and also accepted is sshd's own test (no controlling
 * terminal, adopted by init, leader of its own session).
 */
static bool
already_daemon(void)
{
	int fd;

	if (getenv(SESHD_DAEMON_ENV) != NULL) {
		(void)unsetenv(SESHD_DAEMON_ENV);
		return getsid(0) == getpid();
	}
	if ((fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC)) >= 0) {
		close(fd);
		return false;
	}
	return getppid() == 1 && getsid(0) == getpid();
}

static void
daemonize(bool keep_stderr)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		log_fatal("fork: %s", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		_exit(0);
	}
	(void)setsid();
	/* The working directory is kept (unlike sshd): connection processes
	 * and SIGHUP restarts re-read the config with this argv, so a
	 * relative -f or HostKey must keep meaning the same file. */
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		(void)dup2(fd, 0);
		(void)dup2(fd, 1);
		if (!keep_stderr) {
			(void)dup2(fd, 2);
		}
		if (fd > 2) {
			close(fd);
		}
	}
}

/* Sets the log sink and level once the config is known. */
static void
setup_logging(const struct opts *o, const struct servconf *c)
{
	enum log_level lv = c->log_level;

	if (o->debug > 0) {
		lv = o->debug == 1   ? LOG_LVL_DEBUG1
		     : o->debug == 2 ? LOG_LVL_DEBUG2
		                     : LOG_LVL_DEBUG3;
	}
	if (o->quiet) {
		lv = LOG_LVL_QUIET;
	}
	log_set_level(lv);
	if (o->logfile != NULL) {
		if (log_to_file(o->logfile) != 0) {
			fprintf(stderr, "Couldn't open logfile %s: %s\n",
			        o->logfile, strerror(errno));
			exit(1);
		}
	} else if (!o->to_stderr && !o->test && !o->dump) {
		log_to_syslog(c->syslog_facility);
	}
}

static void
opts_free(struct opts *o)
{
	size_t i;

	for (i = 0; i < o->nowned; i++) {
		free(o->owned[i]);
	}
	o->nowned = 0;
}

/* -d: one connection, handled in this process. */
static int
debug_one(const struct opts *o, struct listener *l, const struct servconf *c,
          struct sshkey **keys, size_t nkeys)
{
	int ret, fd = -1;

	ret = listener_accept_one(l, &g_sig, &fd);
	listener_close(l);
	if (ret != 0) {
		log_info("Received signal %d; terminating.", (int)g_sig.term);
		return 0;
	}
	ret = run_connection(o, c, keys, nkeys, fd, fd, -1);
	close(fd);
	return ret;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct servconf conf;
	struct listener l;
	struct sshkey *keys[SESHD_MAX_HOSTKEYS];
	struct resume_arg ra;
	char **cargv = NULL, exe[PATH_MAX];
	size_t nkeys = 0, i;
	ssize_t el;
	int ret = 1;
	bool detached = false;

	log_init("seshd", LOG_LVL_INFO);
	listener_init(&l);
	parse_args(argc, argv, &o);
	if (o.rexec) {
		/* one connection, then exit: no libcrypto teardown at exit
		 * (crypto/noatexit.h) */
		(void)crypto_no_atexit();
	}
	if ((ret = load_config(&o, &conf)) != 0) {
		opts_free(&o);
		return ret;
	}
	setup_logging(&o, &conf);
	log_debug("seshd version sesh_0.1, config %s", o.config);
	if (o.dump) {
		ret = dump_config(&o, &conf);
		goto out;
	}
	ret = 1;
	if ((nkeys = load_host_keys(&conf, keys)) == 0) {
		goto out;
	}
	if (o.test) {
		ret = 0;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (o.rexec) {
		ret = run_connection(&o, &conf, keys, nkeys, LISTENER_CONN_FD,
		                     LISTENER_CONN_FD, LISTENER_NOTIFY_FD);
		goto out;
	}
	if (o.inetd) {
		ret = run_connection(&o, &conf, keys, nkeys, 0, 1, -1);
		goto out;
	}

	/* The listener. */
	el = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (el <= 0) {
		log_fatal("seshd re-exec requires /proc/self/exe: %s",
		          strerror(errno));
		goto out;
	}
	exe[el] = '\0';
	/* A rebuilt binary: exec the new file at the same path, as sshd
	 * does with its absolute argv[0]. */
	if ((size_t)el > 10 && strcmp(exe + el - 10, " (deleted)") == 0) {
		exe[el - 10] = '\0';
	}
	install_handlers();
	/* the pre-authentication children's empty root (as sshd wants
	 * its privilege separation folder) */
	if (geteuid() == 0 && o.debug == 0 && sandbox_prepare_dir(NULL) != 0) {
		log_fatal("Missing privilege separation directory: %s",
		          SANDBOX_DEFAULT_DIR);
		goto out;
	}
	if (listener_open(&l, &conf) != 0) {
		goto out;
	}
	if (!o.foreground && o.debug == 0) {
		detached = true;
		if (!already_daemon()) {
			daemonize(o.to_stderr);
		}
	}
	write_pid_file(&conf);
	if (o.debug > 0) {
		ret = debug_one(&o, &l, &conf, keys, nkeys);
		remove_pid_file(&conf);
		goto out;
	}
	/* The connection processes: this argv plus -R. Each loads its own
	 * host keys; the listener keeps its copy for the processes it
	 * forks to carry authenticated connections on (rekeys sign). */
	ra.o = &o;
	ra.c = &conf;
	ra.keys = keys;
	ra.nkeys = nkeys;
	l.resume = resume_connection;
	l.resume_arg = &ra;
	preload_for_sessions();
	cargv = calloc((size_t)argc + 2, sizeof(*cargv));
	if (cargv == NULL) {
		goto out;
	}
	for (i = 0; i < (size_t)argc; i++) {
		cargv[i] = argv[i];
	}
	cargv[argc] = (char *)"-R";
	ret = listener_run(&l, &conf, exe, cargv, &g_sig);
	listener_close(&l);
	listener_free(&l);
	if (ret == LISTENER_STOP_HUP) {
		log_info("Received SIGHUP; restarting.");
		free(cargv);
		servconf_clear(&conf);
		if (detached) {
			(void)setenv(SESHD_DAEMON_ENV, "1", 1);
		}
		opts_free(&o);
		execv(exe, argv);
		log_fatal("RESTART FAILED: exec %s: %s", exe, strerror(errno));
		return 1;
	}
	if (ret == LISTENER_STOP_TERM) {
		log_info("Received signal %d; terminating.", (int)g_sig.term);
		ret = 0;
	} else {
		ret = 1;
	}
	remove_pid_file(&conf);
out:
	listener_close(&l);
	listener_free(&l);
	free(cargv);
	free_host_keys(keys, nkeys);
	servconf_clear(&conf);
	opts_free(&o);
	return ret;
}
