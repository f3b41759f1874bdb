/*
 * sesh-copy-id - install public keys in a remote account's
 * authorized_keys, as ssh-copy-id(1) does, logging in with sesh.
 *
 *   sesh-copy-id [-h|-?|-f|-n|-s] [-i [identity_file]] [-p port]
 *                [-F ssh_config] [[-o ssh_option] ...] [user@]hostname
 *
 * Keys: those of the agent at $SSH_AUTH_SOCK when it holds any and no -i
 * is given; else the -i file (name.pub, or name + ".pub"), else the
 * newest ~/.ssh/id*.pub (not *-cert.pub). Unless -f, each key is first
 * tried (sesh -o PreferredAuthentications=publickey -o IdentitiesOnly=yes
 * -i key ... exit): keys that log in are already installed and skipped.
 * The rest go, in ONE sesh login (which prompts for the password), to a
 * remote sh script that appends the keys not yet present (see copyid.h).
 * -n prints the keys instead; -s (sftp) is not supported yet.
 *
 * Messages and exit codes are ssh-copy-id's, with this program's name:
 * 0 done (also when every key was already installed), 1 on usage errors,
 * unreadable identity files, a failed login or remote error.
 * sesh is the one next to this program (/proc/self/exe), else $PATH's.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "copyid.h"

#define CID_MAX_ARGS 512

struct cid {
	const char *prog; /* argv[0], as ssh-copy-id's "$0" */
	char *id_arg;     /* -i */
	char *pub_file, *priv_file;
	char *opts[CID_MAX_ARGS]; /* -o/-p/-F pairs for sesh */
	size_t nopts;
	char *opts_text; /* "-p '2222' 'user@host'" */
	const char *dest;
	bool forced, dry_run, sftp;
	struct cid_keys keys;
	char sesh[PATH_MAX];
};

static void
usage(const char *prog)
{
	fprintf(stderr,
	        "Usage: %s [-h|-?|-f|-n|-s] [-i [identity_file]] [-p port] "
	        "[-F alternative ssh_config file] [[-o <ssh -o options>] ...] "
	        "[user@]hostname\n",
	        prog);
	fprintf(stderr, "\t-f: force mode -- copy keys without trying to "
	                "check if they are already installed\n");
	fprintf(stderr, "\t-n: dry run    -- no keys are actually copied\n");
	fprintf(stderr, "\t-s: use sftp   -- use sftp instead of executing "
	                "remote-commands. Can be useful if the remote only "
	                "allows sftp\n");
	fprintf(stderr, "\t-h|-?: print this help\n");
	exit(1);
}

static void
nomem(const struct cid *c)
{
	fprintf(stderr, "%s: ERROR: out of memory\n", c->prog);
	exit(1);
}

/* Appends s to the growing text with a separating space. */
static void
text_add(struct cid *c, const char *s)
{
	char *t;

	if (asprintf(&t, "%s%s%s", c->opts_text != NULL ? c->opts_text : "",
	             c->opts_text != NULL ? " " : "", s) < 0) {
		nomem(c);
	}
	free(c->opts_text);
	c->opts_text = t;
}

static void
add_opt(struct cid *c, char flag, const char *val)
{
	char f[3] = {'-', flag, '\0'};
	char *q = NULL;

	if (c->nopts + 2 > CID_MAX_ARGS) {
		fprintf(stderr, "%s: ERROR: too many options\n", c->prog);
		exit(1);
	}
	if ((c->opts[c->nopts] = strdup(f)) == NULL ||
	    (c->opts[c->nopts + 1] = strdup(val)) == NULL ||
	    (q = cid_shell_quote(val)) == NULL) {
		nomem(c);
	}
	c->nopts += 2;
	text_add(c, f);
	text_add(c, q);
	free(q);
}

/* The newest ~/.ssh/id*.pub that is not a certificate, or NULL. */
static char *
default_pub_file(void)
{
	const char *home = getenv("HOME");
	char dir[PATH_MAX], *best = NULL, *path;
	struct timespec best_t = {0, 0};
	struct dirent *e;
	struct stat st;
	size_t n;
	DIR *d;

	if (home == NULL || *home == '\0' ||
	    snprintf(dir, sizeof(dir), "%s/.ssh", home) >= (int)sizeof(dir) ||
	    (d = opendir(dir)) == NULL) {
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (strncmp(e->d_name, "id", 2) != 0 || n < 6 ||
		    strcmp(e->d_name + n - 4, ".pub") != 0 ||
		    (n >= 9 && strcmp(e->d_name + n - 9, "-cert.pub") == 0)) {
			continue;
		}
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
			break;
		}
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (best != NULL &&
		     (st.st_mtim.tv_sec < best_t.tv_sec ||
		      (st.st_mtim.tv_sec == best_t.tv_sec &&
		       st.st_mtim.tv_nsec <= best_t.tv_nsec)))) {
			free(path);
			continue;
		}
		free(best);
		best = path;
		best_t = st.st_mtim;
	}
	closedir(d);
	return best;
}

/* Checks that a file can be opened for reading, as ssh-copy-id does. */
static void
check_readable(struct cid *c, const char *f, bool is_priv)
{
	FILE *fp = fopen(f, "r");
	const char *why;

	if (fp != NULL) {
		fclose(fp);
		return;
	}
	why = errno == ENOENT   ? "No such file"
	      : errno == EACCES ? "Permission denied"
	      : errno == EISDIR ? "Is a directory"
	                        : strerror(errno);
	printf("\n%s: ERROR: failed to open ID file '%s': %s\n", c->prog, f,
	       why);
	if (is_priv) {
		printf("\t(to install the contents of '%s' anyway, look at "
		       "the -f option)\n",
		       c->pub_file);
	}
	exit(1);
}

/* ssh-copy-id's use_id_file: the .pub and private names, both readable. */
static void
use_id_file(struct cid *c, const char *id)
{
	size_t n;

	if (id == NULL || *id == '\0') {
		printf("%s: ERROR: no ID file found\n", c->prog);
		exit(1);
	}
	n = strlen(id);
	free(c->pub_file);
	free(c->priv_file);
	c->priv_file = NULL;
	if (n >= 4 && strcmp(id + n - 4, ".pub") == 0) {
		c->pub_file = strdup(id);
	} else if (asprintf(&c->pub_file, "%s.pub", id) < 0) {
		c->pub_file = NULL;
	}
	if (c->pub_file == NULL) {
		nomem(c);
	}
	if (!c->forced) {
		n = strlen(c->pub_file);
		if ((c->priv_file = strndup(c->pub_file, n - 4)) == NULL) {
			nomem(c);
		}
	}
	check_readable(c, c->pub_file, false);
	if (c->priv_file != NULL) {
		check_readable(c, c->priv_file, true);
	}
	fprintf(stderr, "%s: INFO: Source of key(s) to be installed: \"%s\"\n",
	        c->prog, c->pub_file);
}

/* The sesh next to this program, else "sesh" from $PATH. */
static void
find_sesh(struct cid *c)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	snprintf(c->sesh, sizeof(c->sesh), "sesh");
	if (n <= 0) {
		return;
	}
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL) {
		return;
	}
	slash[1] = '\0';
	if (strlen(exe) + 5 < sizeof(c->sesh)) {
		char cand[PATH_MAX];

		snprintf(cand, sizeof(cand), "%ssesh", exe);
		if (access(cand, X_OK) == 0) {
			snprintf(c->sesh, sizeof(c->sesh), "%s", cand);
		}
	}
}

/* argv: sesh -a -x [pre...] opts... dest [cmd]; pointers only. */
static void
build_argv(struct cid *c, char **argv, char *const *pre, size_t npre,
           const char *cmd)
{
	size_t n = 0, i;

	argv[n++] = c->sesh;
	argv[n++] = (char *)"-a";
	argv[n++] = (char *)"-x";
	for (i = 0; i < npre; i++) {
		argv[n++] = pre[i];
	}
	for (i = 0; i < c->nopts; i++) {
		argv[n++] = c->opts[i];
	}
	argv[n++] = (char *)c->dest;
	if (cmd != NULL) {
		argv[n++] = (char *)cmd;
	}
	argv[n] = NULL;
}

/* A temporary .pub file holding line (agent keys: sesh finds the
 * private half in the agent). Removed by the caller. */
static int
temp_pub(const char *line, char *path, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	int fd;

	if (snprintf(path, size, "%s/sesh-copy-id.XXXXXX.pub",
	             tmp != NULL && *tmp != '\0' ? tmp : "/tmp") >= (int)size ||
	    (fd = mkstemps(path, 4)) < 0) {
		return SESH_ERR_SYSTEM;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return SESH_ERR_SYSTEM;
	}
	fprintf(f, "%s\n", line);
	if (fclose(f) != 0) {
		unlink(path);
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

/* ssh-copy-id's report of an unexpected login failure: each line of
 * sesh's output as "ERROR: line", after "\n<prog>: ". */
static void
print_errors(const struct cid *c, const char *out)
{
	const char *p = out, *nl;
	size_t len;
	bool first = true;

	fprintf(stderr, "\n%s: ", c->prog);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len > 0 && p[len - 1] == '\r') {
			len--;
		}
		fprintf(stderr, "%sERROR: %.*s", first ? "" : "\n", (int)len,
		        p);
		first = false;
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
	fprintf(stderr, "\n\n");
}

/*
 * Tries each key (ssh-copy-id's filter_ids): a login means installed
 * (dropped), "Permission denied" means to install, anything else is an
 * error printed as ssh-copy-id does (exit 1).
 */
static void
filter_keys(struct cid *c)
{
	char *pre[] = {
	    (char *)"-i", NULL,
	    (char *)"-o", (char *)"ControlPath=none",
	    (char *)"-o", (char *)"LogLevel=INFO",
	    (char *)"-o", (char *)"PreferredAuthentications=publickey",
	    (char *)"-o", (char *)"IdentitiesOnly=yes"};
	char *argv[CID_MAX_ARGS + 16], tmp[PATH_MAX], *out;
	struct cid_keys keep = {NULL, 0};
	size_t i;
	int st;

	fprintf(stderr,
	        "%s: INFO: attempting to log in with the new key(s), to "
	        "filter out any that are already installed\n",
	        c->prog);
	for (i = 0; i < c->keys.n; i++) {
		tmp[0] = '\0';
		if (c->priv_file != NULL) {
			pre[1] = c->priv_file;
		} else if (temp_pub(c->keys.line[i], tmp, sizeof(tmp)) == 0) {
			/* "-i name" finds name.pub, as ssh's does */
			if ((pre[1] = strndup(tmp, strlen(tmp) - 4)) == NULL) {
				nomem(c);
			}
		} else {
			fprintf(stderr, "%s: ERROR: temporary file: %s\n",
			        c->prog, strerror(errno));
			exit(1);
		}
		build_argv(c, argv, pre, sizeof(pre) / sizeof(pre[0]), "exit");
		if (cid_run(argv, NULL, 0, true, &out, &st) != 0) {
			fprintf(stderr, "%s: ERROR: running %s: %s\n", c->prog,
			        c->sesh, strerror(errno));
			exit(1);
		}
		if (tmp[0] != '\0') {
			unlink(tmp);
			free(pre[1]);
		}
		if (st == 0) {
			free(out);
			continue;
		}
		if (out[0] == '\0') {
			fprintf(stderr,
			        "\n%s: ERROR: %s exited with status %d\n\n",
			        c->prog, c->sesh, st);
			exit(1);
		}
		if (strstr(out, "Permission denied") == NULL) {
			print_errors(c, out);
			exit(1);
		}
		free(out);
		if (cid_keys_add(&keep, c->keys.line[i],
		                 strlen(c->keys.line[i])) != 0) {
			nomem(c);
		}
	}
	cid_keys_free(&c->keys);
	c->keys = keep;
	if (c->keys.n == 0) {
		fprintf(stderr,
		        "\n%s: WARNING: All keys were skipped because they "
		        "already exist on the remote system.\n",
		        c->prog);
		fprintf(stderr, "\t\t(if you think this is a mistake, you may "
		                "want to use -f option)\n\n");
		exit(0);
	}
	fprintf(stderr,
	        "%s: INFO: %zu key(s) remain to be installed -- if you are "
	        "prompted now it is to install the new keys\n",
	        c->prog, c->keys.n);
}

/* One sesh login running the installer; the number of keys appended. */
static size_t
install_keys(struct cid *c)
{
	char *argv[CID_MAX_ARGS + 8], *in = NULL, *out = NULL, *p, *line;
	const char *cmd = cid_install_command();
	size_t len = 0, i, added = 0;
	int st;
	bool seen = false;

	if (cmd == NULL) {
		nomem(c);
	}
	for (i = 0; i < c->keys.n; i++) {
		len += strlen(c->keys.line[i]) + 1;
	}
	if ((in = malloc(len + 1)) == NULL) {
		nomem(c);
	}
	in[0] = '\0';
	for (i = 0, p = in; i < c->keys.n; i++) {
		p += sprintf(p, "%s\n", c->keys.line[i]);
	}
	build_argv(c, argv, NULL, 0, cmd);
	if (cid_run(argv, in, len, false, &out, &st) != 0) {
		fprintf(stderr, "%s: ERROR: running %s: %s\n", c->prog, c->sesh,
		        strerror(errno));
		exit(1);
	}
	free(in);
	/* Pass the remote output on, minus the count line. */
	for (line = strtok(out, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		if (strncmp(line, CID_ADDED_MARK, strlen(CID_ADDED_MARK)) ==
		    0) {
			added =
			    strtoul(line + strlen(CID_ADDED_MARK), NULL, 10);
			seen = true;
		} else {
			printf("%s\n", line);
		}
	}
	free(out);
	if (st != 0 || !seen) {
		exit(1);
	}
	return added;
}

static void
cid_clear(struct cid *c)
{
	size_t i;

	for (i = 0; i < c->nopts; i++) {
		free(c->opts[i]);
	}
	free(c->opts_text);
	free(c->pub_file);
	free(c->priv_file);
	cid_keys_free(&c->keys);
	memset(c, 0, sizeof(*c));
}

static void
parse_args(struct cid *c, int argc, char **argv)
{
	int ch;

	opterr = 0;
	while ((ch = getopt(argc, argv, "i:o:p:F:fnsh?")) != -1) {
		switch (ch) {
		case 'i':
			if (c->id_arg != NULL) {
				fprintf(stderr,
				        "\n%s: ERROR: -i option must not be "
				        "specified more than once\n\n",
				        c->prog);
				usage(c->prog);
			}
			c->id_arg = optarg;
			break;
		case 'o':
		case 'p':
		case 'F':
			add_opt(c, (char)ch, optarg);
			break;
		case 'f':
			c->forced = true;
			break;
		case 'n':
			c->dry_run = true;
			break;
		case 's':
			c->sftp = true;
			break;
		case 'h':
			usage(c->prog);
			break;
		default:
			if (optopt == '?') {
				usage(c->prog);
			}
			if (optopt == 'i' || optopt == 'o' || optopt == 'p' ||
			    optopt == 'F') {
				fprintf(stderr, "No arg for -%c option\n",
				        optopt);
			} else {
				fprintf(stderr, "Illegal option -%c\n", optopt);
			}
			usage(c->prog);
		}
	}
	if (optind >= argc) {
		usage(c->prog);
	}
	if (argc - optind != 1) {
		fprintf(stderr,
		        "%s: ERROR: Too many arguments.  Expecting a target "
		        "hostname, got:",
		        c->prog);
		for (ch = optind; ch < argc; ch++) {
			fprintf(stderr, " %s", argv[ch]);
		}
		fprintf(stderr, "\n\n");
		usage(c->prog);
	}
	c->dest = argv[optind];
}

int
main(int argc, char **argv)
{
	struct cid c;
	char *q, *def;
	size_t i, added;
	int ret, status = 1;

	memset(&c, 0, sizeof(c));
	c.prog = argv[0] != NULL ? argv[0] : "sesh-copy-id";
	umask(0177);
	parse_args(&c, argc, argv);
	if ((q = cid_shell_quote(c.dest)) == NULL) {
		nomem(&c);
	}
	text_add(&c, q);
	free(q);
	find_sesh(&c);
	def = default_pub_file();

	if (c.id_arg != NULL) {
		use_id_file(&c, c.id_arg);
	} else if (cid_agent_keys(&c.keys) != 0) {
		nomem(&c);
	}
	if (c.keys.n == 0) {
		if (c.pub_file == NULL && def != NULL &&
		    access(def, R_OK) == 0) {
			use_id_file(&c, def);
		}
		if (c.pub_file != NULL &&
		    (ret = cid_read_pub_file(c.pub_file, &c.keys)) != 0 &&
		    ret == SESH_ERR_NOMEM) {
			nomem(&c);
		}
	}
	free(def);
	if (c.keys.n == 0) {
		fprintf(stderr, "%s: ERROR: No identities found\n", c.prog);
		goto out;
	}
	if (c.sftp) {
		fprintf(stderr,
		        "%s: ERROR: -s (sftp) is not supported yet: sesh has "
		        "no sftp client\n",
		        c.prog);
		goto out;
	}
	if (!c.forced) {
		filter_keys(&c);
	}
	if (c.dry_run) {
		printf("=-=-=-=-=-=-=-=\n");
		printf("Would have added the following key(s):\n\n");
		for (i = 0; i < c.keys.n; i++) {
			printf("%s\n", c.keys.line[i]);
		}
		printf("=-=-=-=-=-=-=-=\n");
		status = 0;
		goto out;
	}
	added = install_keys(&c);
	printf("\nNumber of key(s) added: %zu\n\n", added);
	printf("Now try logging into the machine, with:   \"sesh %s\"\n",
	       c.opts_text);
	printf("and check to make sure that only the key(s) you wanted were "
	       "added.\n\n");
	status = 0;
out:
	cid_clear(&c);
	return status;
}
