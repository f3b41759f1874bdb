/*
 * session_env.c - the environment sshd gives a session, and the RFC 4254
 * §6.10 signal names (see session.h).
 *
 * The environment is built in sshd's order (USER, LOGNAME, HOME, PATH,
 * MAIL, SHELL, TZ when the daemon has one, TERM, SSH_CLIENT,
 * SSH_CONNECTION, SSH_TTY, SSH_ORIGINAL_COMMAND), then the caller's extra
 * entries; setting a name that is already present replaces it in place,
 * so the last value wins and each name appears once. Extra entries
 * without '=' or with an empty name are skipped.
 */
#include "app/session.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

/* Debian's sshd defaults (its _PATH_STDPATH and the user path it is
 * configured with). */
#define SESSION_PATH_ROOT                                                      \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SESSION_PATH_USER "/usr/local/bin:/usr/bin:/bin:/usr/games"
#define SESSION_MAILDIR   "/var/mail"

struct envb {
	char **v;
	size_t n, cap;
};

/* Adds or replaces (by name) one "N=V" entry, copied. */
static int
envb_put(struct envb *e, const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t nlen, i;
	char *dup;

	if (eq == NULL || eq == entry) {
		return 0;
	}
	nlen = (size_t)(eq - entry);
	if ((dup = strdup(entry)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	for (i = 0; i < e->n; i++) {
		if (strncmp(e->v[i], entry, nlen + 1) == 0) {
			free(e->v[i]);
			e->v[i] = dup;
			return 0;
		}
	}
	if (e->n + 1 >= e->cap) {
		size_t ncap = e->cap == 0 ? 32 : e->cap * 2;
		char **nv;

		if (ncap <= e->cap ||
		    (nv = mem_array(ncap, sizeof(*nv))) == NULL) {
			free(dup);
			return SESH_ERR_NOMEM;
		}
		if (e->n > 0) {
			memcpy(nv, e->v, e->n * sizeof(*nv));
		}
		free(e->v);
		e->v = nv;
		e->cap = ncap;
	}
	e->v[e->n++] = dup;
	e->v[e->n] = NULL;
	return 0;
}

static int
envb_set(struct envb *e, const char *name, const char *value)
{
	char *s = NULL;
	int ret;

	if (value == NULL) {
		return 0;
	}
	if (asprintf(&s, "%s=%s", name, value) < 0) {
		return SESH_ERR_NOMEM;
	}
	ret = envb_put(e, s);
	free(s);
	return ret;
}

int
session_env_build(const struct session_env_info *i, char ***out)
{
	struct envb e = {0};
	char *mail = NULL, *client = NULL, *conn = NULL;
	const char *raddr, *laddr, *tz;
	size_t k;
	int ret = SESH_ERR_NOMEM;

	*out = NULL;
	if (i == NULL || i->user == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	raddr = i->raddr != NULL ? i->raddr : "";
	laddr = i->laddr != NULL ? i->laddr : "";
	if (asprintf(&mail, "%s/%s", SESSION_MAILDIR, i->user) < 0) {
		mail = NULL;
		goto out;
	}
	if (asprintf(&client, "%s %u %u", raddr, i->rport, i->lport) < 0) {
		client = NULL;
		goto out;
	}
	if (asprintf(&conn, "%s %u %s %u", raddr, i->rport, laddr, i->lport) <
	    0) {
		conn = NULL;
		goto out;
	}
	tz = getenv("TZ");
	if ((ret = envb_set(&e, "USER", i->user)) != 0 ||
	    (ret = envb_set(&e, "LOGNAME", i->user)) != 0 ||
	    (ret = envb_set(&e, "HOME", i->home != NULL ? i->home : "/")) !=
	        0 ||
	    (ret = envb_set(&e, "PATH",
	                    i->uid == 0 ? SESSION_PATH_ROOT
	                                : SESSION_PATH_USER)) != 0 ||
	    (ret = envb_set(&e, "MAIL", mail)) != 0 ||
	    (ret = envb_set(&e, "SHELL",
	                    i->shell != NULL && i->shell[0] != '\0'
	                        ? i->shell
	                        : "/bin/sh")) != 0 ||
	    (ret = envb_set(&e, "TZ", tz)) != 0 ||
	    (ret = envb_set(&e, "TERM", i->term)) != 0 ||
	    (ret = envb_set(&e, "SSH_CLIENT", client)) != 0 ||
	    (ret = envb_set(&e, "SSH_CONNECTION", conn)) != 0 ||
	    (ret = envb_set(&e, "SSH_TTY", i->tty)) != 0 ||
	    (ret = envb_set(&e, "SSH_ORIGINAL_COMMAND", i->original_command)) !=
	        0) {
		goto out;
	}
	for (k = 0; i->extra != NULL && i->extra[k] != NULL; k++) {
		if ((ret = envb_put(&e, i->extra[k])) != 0) {
			goto out;
		}
	}
	*out = e.v;
	e.v = NULL;
	ret = 0;
out:
	session_env_free(e.v);
	free(mail);
	free(client);
	free(conn);
	return ret;
}

void
session_env_free(char **env)
{
	mem_strv_free(env);
}

/* RFC 4254 §6.10: the signal names a client may send or be told. */
static const struct {
	const char *name;
	int sig;
} signal_table[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},
    {"ILL", SIGILL},   {"INT", SIGINT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE},
    {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV}, {"TERM", SIGTERM}, {"USR1", SIGUSR1},
    {"USR2", SIGUSR2},
};

int
session_signal_number(const char *name)
{
	size_t k;

	if (name == NULL) {
		return 0;
	}
	for (k = 0; k < sizeof(signal_table) / sizeof(signal_table[0]); k++) {
		if (strcmp(signal_table[k].name, name) == 0) {
			return signal_table[k].sig;
		}
	}
	return 0;
}

const char *
session_signal_name(int sig)
{
	size_t k;

	for (k = 0; k < sizeof(signal_table) / sizeof(signal_table[0]); k++) {
		if (signal_table[k].sig == sig) {
			return signal_table[k].name;
		}
	}
	return NULL;
}
