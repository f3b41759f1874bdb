/*
 * run.c - sesh-copy-id's helpers: key lists from a .pub file or the
 * agent, running sesh with its input and output in temporary files (no
 * pipe dead-locks whatever the sizes), the remote installer script and
 * shell quoting. See copyid.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/agent_client.h"
#include "app/fileio.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "copyid.h"
#include "key/key.h"

/*
 * The remote installer, run by `sh -c` in the user's home. It must hold
 * no single quote (it is wrapped in '...'). Keys arrive on stdin; an
 * existing key is one whose "type blob" pair appears as two adjacent
 * words of a line of the file (so options and comments do not matter).
 */
static const char install_script[] =
    "cd || exit 1; umask 077; set -f; "
    "d=.ssh; f=.ssh/authorized_keys; "
    "mkdir -p \"$d\" || exit 1; "
    "if [ -s \"$f\" ] && [ -n \"$(tail -c 1 \"$f\")\" ]; then "
    "echo >> \"$f\" || exit 1; fi; "
    "have() { [ -f \"$f\" ] || return 1; "
    "while IFS= read -r l || [ -n \"$l\" ]; do set -- $l; "
    "while [ $# -ge 2 ]; do [ \"$1 $2\" = \"$k\" ] && return 0; shift; "
    "done; done < \"$f\"; return 1; }; "
    "n=0; "
    "while IFS= read -r line || [ -n \"$line\" ]; do set -- $line; "
    "[ $# -ge 2 ] || continue; k=\"$1 $2\"; have && continue; "
    "printf \"%s\\n\" \"$line\" >> \"$f\" || exit 1; n=$((n+1)); done; "
    "if type restorecon >/dev/null 2>&1; then "
    "restorecon -F \"$d\" \"$f\"; fi; "
    "echo \"" CID_ADDED_MARK "$n\"";

static char *install_command;

const char *
cid_install_command(void)
{
	if (install_command == NULL) {
		if (asprintf(&install_command, "exec sh -c '%s'",
		             install_script) < 0) {
			install_command = NULL;
		}
	}
	return install_command;
}

char *
cid_shell_quote(const char *s)
{
	size_t n = 3, i;
	char *out, *p;

	for (i = 0; s[i] != '\0'; i++) {
		n += s[i] == '\'' ? 4 : 1;
	}
	if ((out = malloc(n)) == NULL) {
		return NULL;
	}
	p = out;
	*p++ = '\'';
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = s[i];
		}
	}
	*p++ = '\'';
	*p = '\0';
	return out;
}

int
cid_keys_add(struct cid_keys *k, const char *line, size_t len)
{
	char **nl, *s;

	if ((s = strndup(line, len)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	nl = realloc(k->line, (k->n + 1) * sizeof(*nl));
	if (nl == NULL) {
		free(s);
		return SESH_ERR_NOMEM;
	}
	k->line = nl;
	k->line[k->n++] = s;
	return 0;
}

void
cid_keys_free(struct cid_keys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->line[i]);
	}
	free(k->line);
	k->line = NULL;
	k->n = 0;
}

int
cid_read_pub_file(const char *path, struct cid_keys *k)
{
	uint8_t *data = NULL;
	const char *p, *end, *nl;
	size_t n, len;
	int ret;

	if ((ret = fileio_read(path, SESH_MAX_KEYFILE, &data, &n)) != 0) {
		return ret;
	}
	p = (const char *)data;
	end = p + n;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' ||
		                   p[len - 1] == '\t')) {
			len--;
		}
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len > 0 && *p != '#' &&
		    (ret = cid_keys_add(k, p, len)) != 0) {
			goto out;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	ret = 0;
out:
	free(data);
	return ret;
}

int
cid_agent_keys(struct cid_keys *k)
{
	struct agent_conn *a = NULL;
	struct agent_identity *ids = NULL;
	struct buf b;
	size_t nids = 0, i;
	int ret;

	buf_init(&b, SESH_MAX_KEYFILE);
	if (agent_client_open(NULL, &a) != 0) {
		return 0; /* no agent: no keys */
	}
	if (agent_client_list(a, &ids, &nids) != 0) {
		ret = 0;
		goto out;
	}
	for (i = 0; i < nids; i++) {
		buf_reset(&b);
		if (key_set_comment(ids[i].key, ids[i].comment) != 0 ||
		    key_to_pub_line(ids[i].key, true, &b) != 0) {
			continue;
		}
		if ((ret = cid_keys_add(k, (const char *)buf_data(&b),
		                        buf_len(&b))) != 0) {
			goto out;
		}
	}
	ret = 0;
out:
	agent_identities_free(ids, nids);
	agent_client_close(a);
	buf_clear(&b);
	return ret;
}

/* An unlinked temporary file holding n bytes at p, rewound. */
static int
temp_fd(const void *p, size_t n, int *out)
{
	FILE *f = tmpfile();
	int fd;

	if (f == NULL) {
		return SESH_ERR_SYSTEM;
	}
	if ((n > 0 && fwrite(p, 1, n, f) != n) || fflush(f) != 0 ||
	    (fd = dup(fileno(f))) < 0) {
		fclose(f);
		return SESH_ERR_SYSTEM;
	}
	fclose(f);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return SESH_ERR_SYSTEM;
	}
	*out = fd;
	return 0;
}

/* The whole content of fd (from its start), NUL-terminated. */
static int
slurp_fd(int fd, char **out)
{
	char *s;
	ssize_t r;
	size_t len = 0;

	if (lseek(fd, 0, SEEK_SET) != 0 ||
	    (s = malloc(CID_MAX_OUTPUT + 1)) == NULL) {
		return SESH_ERR_SYSTEM;
	}
	while (len < CID_MAX_OUTPUT) {
		r = read(fd, s + len, CID_MAX_OUTPUT - len);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		len += (size_t)r;
	}
	s[len] = '\0';
	*out = s;
	return 0;
}

int
cid_run(char *const argv[], const char *in, size_t in_len, bool merge_err,
        char **out, int *status)
{
	int infd = -1, outfd = -1, ret, st;
	char *text = NULL;
	pid_t pid, w;

	if (in != NULL) {
		ret = temp_fd(in, in_len, &infd);
	} else {
		infd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		ret = infd < 0 ? SESH_ERR_SYSTEM : 0;
	}
	if (ret != 0 || (out != NULL && (ret = temp_fd("", 0, &outfd)) != 0)) {
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	if (pid == 0) {
		if (dup2(infd, 0) < 0 || (outfd >= 0 && dup2(outfd, 1) < 0) ||
		    (outfd >= 0 && merge_err && dup2(outfd, 2) < 0)) {
			_exit(255);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(255);
	}
	do {
		w = waitpid(pid, &st, 0);
	} while (w < 0 && errno == EINTR);
	if (w < 0) {
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	if (outfd >= 0 && (ret = slurp_fd(outfd, &text)) != 0) {
		goto out;
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	if (out != NULL) {
		*out = text;
		text = NULL;
	}
	ret = 0;
out:
	free(text);
	if (infd >= 0) {
		close(infd);
	}
	if (outfd >= 0) {
		close(outfd);
	}
	return ret;
}
