/*
 * main.c - sesh: the client program. Parses ssh(1)'s options (the subset
 * supported so far: -p, -i, -l, -o StrictHostKeyChecking=,
 * -o UserKnownHostsFile=, -o BatchMode=, -v) and [user@]host command...,
 * then runs the session (app/client.h) and exits with its status: the
 * remote command's exit status, or 255 on any error (as ssh).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app/client.h"
#include "app/hostkeys.h"
#include "app/paths.h"
#include "base/log.h"

#define SESH_MAX_COMMAND 65536

static const char *id_list[2];
static const char *kh_list[2];

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: sesh [-v] [-i identity_file] [-l login_name] "
	                "[-o option] [-p port]\n"
	                "            [user@]hostname command [argument ...]\n");
	exit(255);
}

static unsigned int
parse_port(const char *s)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < 1 || v > 65535) {
		fprintf(stderr, "Bad port '%s'\n", s);
		exit(255);
	}
	return (unsigned int)v;
}

static bool
parse_yesno(const char *kw, const char *v)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0) {
		return true;
	}
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0) {
		return false;
	}
	fprintf(stderr, "sesh: unsupported value \"%s\" for %s\n", v, kw);
	exit(255);
}

/* -o keyword=value or "keyword value". */
static void
parse_option(struct client_opts *o, const char *arg)
{
	char kw[64];
	size_t k = strcspn(arg, "= \t");
	const char *v = arg + k;

	if (k == 0 || k >= sizeof(kw) || *v == '\0') {
		fprintf(stderr, "sesh: bad option: %s\n", arg);
		exit(255);
	}
	memcpy(kw, arg, k);
	kw[k] = '\0';
	v += strspn(v, "= \t");
	if (strcasecmp(kw, "StrictHostKeyChecking") == 0) {
		if (hostkeys_strict_parse(v, &o->strict) != 0) {
			fprintf(stderr,
			        "sesh: unsupported value \"%s\" for "
			        "StrictHostKeyChecking\n",
			        v);
			exit(255);
		}
	} else if (strcasecmp(kw, "UserKnownHostsFile") == 0) {
		kh_list[0] = v;
		o->user_known_hosts = kh_list;
	} else if (strcasecmp(kw, "BatchMode") == 0) {
		o->batch = parse_yesno(kw, v);
	} else if (strcasecmp(kw, "Port") == 0) {
		o->port = parse_port(v);
	} else if (strcasecmp(kw, "User") == 0) {
		o->user = v;
	} else if (strcasecmp(kw, "IdentityFile") == 0) {
		id_list[0] = v;
		o->identities = id_list;
	} else {
		fprintf(stderr, "sesh: unsupported option \"%s\"\n", kw);
		exit(255);
	}
}

/* The remote command: the arguments joined by spaces, as ssh does. */
static char *
join_command(int argc, char **argv)
{
	size_t len = 0, l;
	char *s;
	int i;

	for (i = 0; i < argc; i++) {
		l = strlen(argv[i]);
		if (l > SESH_MAX_COMMAND || len + l + 1 > SESH_MAX_COMMAND) {
			fprintf(stderr, "sesh: command too long\n");
			exit(255);
		}
		len += l + 1;
	}
	if ((s = malloc(len + 1)) == NULL) {
		fprintf(stderr, "sesh: out of memory\n");
		exit(255);
	}
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i > 0) {
			strcat(s, " ");
		}
		strcat(s, argv[i]);
	}
	return s;
}

int
main(int argc, char **argv)
{
	struct client_opts o;
	enum log_level lvl = LOG_LVL_ERROR;
	char *target, *at, *cmd, *me = NULL;
	int ch, status;

	memset(&o, 0, sizeof(o));
	o.strict = HOSTKEYS_STRICT_ASK;
	while ((ch = getopt(argc, argv, "+vp:i:l:o:")) != -1) {
		switch (ch) {
		case 'v':
			if (lvl < LOG_LVL_DEBUG3) {
				lvl = lvl < LOG_LVL_DEBUG1 ? LOG_LVL_DEBUG1
				                           : lvl + 1;
			}
			break;
		case 'p':
			o.port = parse_port(optarg);
			break;
		case 'i':
			id_list[0] = optarg;
			o.identities = id_list;
			break;
		case 'l':
			o.user = optarg;
			break;
		case 'o':
			parse_option(&o, optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2) {
		/* no interactive shell yet: a command is required */
		usage();
	}
	log_init("sesh", lvl);
	target = argv[0];
	at = strrchr(target, '@');
	if (at != NULL) {
		*at = '\0';
		if (o.user == NULL) {
			o.user = target;
		}
		o.host = at + 1;
	} else {
		o.host = target;
	}
	if (*o.host == '\0') {
		usage();
	}
	if (o.user == NULL) {
		if (paths_user_name(&me) != 0) {
			fprintf(stderr, "sesh: cannot find the user name\n");
			return 255;
		}
		o.user = me;
	}
	cmd = join_command(argc - 1, argv + 1);
	o.command = cmd;
	status = client_run(&o);
	free(cmd);
	free(me);
	fflush(stdout);
	return status;
}
