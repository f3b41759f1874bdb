/*
 * main.c - sesh: the client program, ssh(1)'s command line.
 *
 *   sesh [-46aCGNnqsTtVvx] [-c cipher_spec] [-E log_file] [-e escape_char]
 *        [-F configfile] [-i identity_file] [-J destination]
 *        [-l login_name] [-m mac_spec] [-o option] [-p port]
 *        [-W host:port] destination [command [argument ...]]
 *
 * Values given by flags win over everything; then "-o" options, then
 * the destination's user and port, then the configuration files, each
 * first value winning (app/sshconfig.h). -G prints the result and
 * exits 0; -V prints the version and exits 0. Otherwise the session
 * runs (app/client.h) and its status is the exit status: the remote
 * command's, or 255 on any error, as ssh.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/client.h"
#include "app/client_sig.h"
#include "app/paths.h"
#include "app/sshconfig.h"
#include "base/err.h"
#include "base/log.h"
#include "crypto/libversion.h"
#include "sesh.h"
#include "ssh/transport.h"

#define SESH_MAX_OPTS 256 /* -o and -i arguments */
#define EXIT_ERR      CLIENT_EXIT_FAILURE

/* Everything the flags say, before the configuration is read. */
struct flags {
	/* -o options and -i files, in command-line order (IdentityFile
	 * lists keep it) */
	const char *opts[SESH_MAX_OPTS];
	bool is_id[SESH_MAX_OPTS];
	size_t nopts;
	const char *config_file; /* -F */
	const char *login;       /* -l */
	const char *ciphers;     /* -c */
	const char *macs;        /* -m */
	const char *jump;        /* -J */
	const char *log_file;    /* -E */
	unsigned int port;       /* -p */
	int family;              /* -4 / -6 */
	int escape;              /* -e; SSHCONFIG_UNSET */
	int verbose;             /* -v count */
	int tty;                 /* -t count; -1 for -T */
	bool quiet, dump, no_session, stdin_null, subsystem;
	char *fwd_host; /* -W */
	unsigned int fwd_port;
};

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	        "usage: sesh [-46aCGNnqsTtVvx] [-c cipher_spec] [-E log_file] "
	        "[-e escape_char]\n"
	        "            [-F configfile] [-i identity_file] "
	        "[-J destination] [-l login_name]\n"
	        "            [-m mac_spec] [-o option] [-p port] "
	        "[-W host:port]\n"
	        "            destination [command [argument ...]]\n");
	exit(EXIT_ERR);
}

static _Noreturn void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static _Noreturn void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_ERR);
}

static void
version(void)
{
	const char *v = TRANSPORT_DEFAULT_VERSION;

	if (strncmp(v, "SSH-2.0-", 8) == 0) {
		v += 8;
	}
	fprintf(stderr, "%s, %s\n", v, crypto_library_version());
}

static void
parse_flags(int argc, char **argv, struct flags *f)
{
	int ch;

	while ((ch = getopt(argc, argv,
	                    "+46AaCfGgKkMNnqsTtVvXxYyB:b:c:D:E:e:F:I:i:J:"
	                    "L:l:m:O:o:p:Q:R:S:W:w:")) != -1) {
		switch (ch) {
		case '4':
			f->family = AF_INET;
			break;
		case '6':
			f->family = AF_INET6;
			break;
		case 'a':
		case 'x':
		case 'C':
			break; /* no agent / X11 forwarding, no compression */
		case 'G':
			f->dump = true;
			break;
		case 'N':
			f->no_session = true;
			break;
		case 'n':
			f->stdin_null = true;
			break;
		case 'q':
			f->quiet = true;
			break;
		case 's':
			f->subsystem = true;
			break;
		case 'T':
			f->tty = -1;
			break;
		case 't':
			f->tty = f->tty < 0 ? 1 : f->tty + 1;
			break;
		case 'V':
			version();
			exit(0);
		case 'v':
			f->verbose++;
			break;
		case 'c':
			if (sshconfig_algs_check(SSHCONFIG_ALG_CIPHERS,
			                         optarg) != 0) {
				die("Unknown cipher type '%s'", optarg);
			}
			f->ciphers = optarg;
			break;
		case 'm':
			if (sshconfig_algs_check(SSHCONFIG_ALG_MACS, optarg) !=
			    0) {
				die("Unknown mac type '%s'", optarg);
			}
			f->macs = optarg;
			break;
		case 'E':
			f->log_file = optarg;
			break;
		case 'e':
			if (sesh_parse_escape(optarg, &f->escape) != 0) {
				die("Bad escape character '%s'.", optarg);
			}
			break;
		case 'F':
			f->config_file = optarg;
			break;
		case 'i':
			if (f->nopts >= SESH_MAX_OPTS) {
				die("sesh: too many -%s options", "i");
			}
			f->is_id[f->nopts] = true;
			f->opts[f->nopts++] = optarg;
			break;
		case 'J':
			if (f->jump != NULL) {
				die("%s", "Only a single -J option is "
				          "permitted");
			}
			f->jump = optarg;
			break;
		case 'l':
			f->login = optarg;
			break;
		case 'o':
			if (f->nopts >= SESH_MAX_OPTS) {
				die("sesh: too many -%s options", "o");
			}
			f->opts[f->nopts++] = optarg;
			break;
		case 'p':
			if (sesh_parse_port(optarg, &f->port) != 0) {
				die("Bad port '%s'", optarg);
			}
			break;
		case 'W':
			if (f->fwd_host != NULL) {
				die("%s", "stdio forward already specified");
			}
			if (sesh_parse_forward(optarg, &f->fwd_host,
			                       &f->fwd_port) != 0) {
				die("Bad stdio forwarding specification '%s'",
				    optarg);
			}
			break;
		case '?':
			usage();
		default: {
			char o[2] = {(char)ch, '\0'};
			die("sesh: option -%s not supported yet", o);
		}
		}
	}
}

/* Stores what the flags fix into c; they win over -o and files. */
static int
apply_flags(struct sshconfig *c, const struct flags *f)
{
	int ret = SESH_ERR_NOMEM;

	if (f->config_file != NULL &&
	    (c->config_file = strdup(f->config_file)) == NULL) {
		return ret;
	}
	if (f->login != NULL && (c->user = strdup(f->login)) == NULL) {
		return ret;
	}
	if (f->ciphers != NULL &&
	    (c->algs[SSHCONFIG_ALG_CIPHERS] = strdup(f->ciphers)) == NULL) {
		return ret;
	}
	if (f->macs != NULL &&
	    (c->algs[SSHCONFIG_ALG_MACS] = strdup(f->macs)) == NULL) {
		return ret;
	}
	if (f->jump != NULL && (c->proxy_jump = strdup(f->jump)) == NULL) {
		return ret;
	}
	if (f->port != 0) {
		c->port = (int)f->port;
	}
	if (f->family != 0) {
		c->address_family = f->family;
	}
	if (f->escape != SSHCONFIG_UNSET) {
		c->escape_char = f->escape;
	}
	if (f->quiet) {
		c->log_level = LOG_LVL_QUIET;
	}
	if (f->verbose > 0) {
		c->log_level = f->verbose >= 3   ? LOG_LVL_DEBUG3
		               : f->verbose == 2 ? LOG_LVL_DEBUG2
		                                 : LOG_LVL_DEBUG1;
	}
	if (f->tty != 0) {
		c->request_tty = f->tty < 0    ? CLIENT_TTY_NO
		                 : f->tty == 1 ? CLIENT_TTY_YES
		                               : CLIENT_TTY_FORCE;
	}
	return 0;
}

/* -i: a file that cannot be read is left out with ssh's warning. */
static int
add_identity(struct sshconfig *c, const char *path)
{
	char *p = NULL;
	int ret;

	if ((ret = paths_expand_tilde(path, &p)) != 0) {
		fprintf(stderr, "sesh: cannot expand %s\n", path);
		return ret;
	}
	if (access(p, R_OK) != 0) {
		fprintf(stderr,
		        "Warning: Identity file %s not accessible: %s.\n", p,
		        strerror(errno));
		free(p);
		return 0;
	}
	ret = sshconfig_list_add(&c->identity_files, path);
	free(p);
	if (ret == 0) {
		c->identities_cmdline = true;
	}
	return ret;
}

/* This program's absolute path, for ProxyJump; NULL if unknown. */
static char *
self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0) {
		return NULL;
	}
	buf[n] = '\0';
	return strdup(buf);
}

int
main(int argc, char **argv)
{
	struct flags f;
	struct sshconfig c;
	struct sshconfig_out out;
	struct sesh_dest d;
	char *cmd = NULL, *self = NULL;
	size_t i;
	int status = EXIT_ERR, ret, sig;

	memset(&f, 0, sizeof(f));
	memset(&out, 0, sizeof(out));
	f.escape = SSHCONFIG_UNSET;
	parse_flags(argc, argv, &f);
	argc -= optind;
	argv += optind;
	if (argc < 1 || sesh_parse_destination(argv[0], &d) != 0) {
		usage();
	}
	if (argc > 1 && argv[1][0] == '-') {
		/* as ssh: options may follow the destination, before the
		 * command ("sesh host -p 2222 ls -l") */
		optind = 0; /* glibc: start over */
		parse_flags(argc, argv, &f);
		argc -= optind - 1;
		argv += optind - 1;
	}
	log_init("sesh", f.verbose > 0 ? LOG_LVL_DEBUG1 : LOG_LVL_INFO);
	if (f.log_file != NULL && log_to_file(f.log_file) != 0) {
		fprintf(stderr, "Couldn't open logfile %s: %s\n", f.log_file,
		        strerror(errno));
		return EXIT_ERR;
	}
	if ((ret = sshconfig_init(&c, d.host)) != 0) {
		fprintf(stderr, "sesh: %s\n", sesh_err_str(ret));
		return EXIT_ERR;
	}
	if ((ret = apply_flags(&c, &f)) != 0) {
		fprintf(stderr, "sesh: %s\n", sesh_err_str(ret));
		goto out;
	}
	if (c.log_level != SSHCONFIG_UNSET) {
		log_set_level((enum log_level)c.log_level);
	}
	for (i = 0; i < f.nopts; i++) {
		if (f.is_id[i]) {
			if (add_identity(&c, f.opts[i]) != 0) {
				goto out;
			}
		} else if (sshconfig_option(&c, f.opts[i]) != 0) {
			goto out;
		}
	}
	if (d.user != NULL && c.user == NULL &&
	    (c.user = strdup(d.user)) == NULL) {
		goto out;
	}
	if (d.port != 0 && c.port == SSHCONFIG_UNSET) {
		c.port = (int)d.port;
	}
	if (sshconfig_read_all(&c) != 0) {
		goto out;
	}
	self = self_path();
	if (sshconfig_resolve(&c, self, &out) != 0) {
		goto out;
	}
	log_set_level(out.opts.log_level);
	if (f.dump) {
		status = sshconfig_dump(&out, stdout) == 0 ? 0 : EXIT_ERR;
		goto out;
	}
	if ((ret = sesh_join_command(argc - 1, argv + 1, &cmd)) != 0) {
		fprintf(stderr, "sesh: command: %s\n", sesh_err_str(ret));
		goto out;
	}
	if (f.subsystem && cmd == NULL) {
		usage();
	}
	out.opts.command = cmd;
	out.opts.subsystem = f.subsystem;
	out.opts.no_session = f.no_session;
	out.opts.stdin_null = f.stdin_null;
	out.opts.stdio_forward_host = f.fwd_host;
	out.opts.stdio_forward_port = f.fwd_port;
	if (f.fwd_host != NULL) {
		out.opts.request_tty = CLIENT_TTY_NO; /* as ssh -W */
	}
	status = client_run(&out.opts);
	fflush(stdout);
out:
	sshconfig_out_clear(&out);
	sshconfig_clear(&c);
	free(cmd);
	free(self);
	/* Killed by SIGINT/SIGTERM/SIGHUP: die of it after the cleanup, as
	 * ssh does, so the parent sees the same end. */
	if ((sig = client_killed_by()) != 0) {
		(void)signal(sig, SIG_DFL);
		(void)raise(sig);
	}
	return status;
}
