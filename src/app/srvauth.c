/*
 * srvauth.c - seshd's account policy: user lookup (with a fake entry for
 * unknown names), the account checks sshd makes before any method
 * (shell, locked/expired accounts without PAM, DenyUsers, AllowUsers,
 * DenyGroups, AllowGroups, in that order), PermitRootLogin, and the
 * AuthenticationMethods bookkeeping. Contract in srvauth.h; publickey is
 * in srvauth_pubkey.c, PAM and passwords in srvauth_pam.c and
 * srvauth_kbdint.c.
 */
#include "app/srvauth.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <shadow.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/srvauth_int.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "key/authfile.h"
#include "key/match.h"

/* What an unknown user looks like (never valid). */
#define FAKE_UID   ((uid_t)65534)
#define FAKE_GID   ((gid_t)65534)
#define FAKE_HOME  "/nonexistent"
#define FAKE_SHELL "/bin/sh"
#define MAX_GROUPS 65536

void
srv_user_clear(struct srv_user *u)
{
	if (u == NULL) {
		return;
	}
	free(u->name);
	free(u->home);
	free(u->shell);
	mem_strv_free(u->groups);
	memset(u, 0, sizeof(*u));
}

/* getgrouplist() into a fresh array. */
int
srvauth_user_gids(const char *name, gid_t gid, gid_t **out, size_t *n)
{
	gid_t *g = NULL, *ng;
	int cnt = 32;

	*out = NULL;
	*n = 0;
	for (;;) {
		int have = cnt;

		if ((ng = realloc(g, (size_t)cnt * sizeof(*g))) == NULL) {
			free(g);
			return SESH_ERR_NOMEM;
		}
		g = ng;
		if (getgrouplist(name, gid, g, &cnt) >= 0) {
			break;
		}
		if (cnt <= have) {
			cnt = have * 2;
		}
		if (cnt > MAX_GROUPS) {
			free(g);
			return SESH_ERR_LIMIT;
		}
	}
	*out = g;
	*n = (size_t)cnt;
	return 0;
}

/* The name of group gid, or its number when it has none. */
static char *
group_name(gid_t gid)
{
	struct group gr, *res = NULL;
	size_t sz = 1024;
	char *buf = NULL, *nb, *name = NULL;
	char num[32];
	int e;

	for (;;) {
		if ((nb = realloc(buf, sz)) == NULL) {
			goto out;
		}
		buf = nb;
		e = getgrgid_r(gid, &gr, buf, sz, &res);
		if (e != ERANGE || sz >= (1u << 20)) {
			break;
		}
		sz *= 2;
	}
	if (res != NULL) {
		name = strdup(gr.gr_name);
	} else {
		snprintf(num, sizeof(num), "%lu", (unsigned long)gid);
		name = strdup(num);
	}
out:
	free(buf);
	return name;
}

static int
fill_groups(struct srv_user *u)
{
	gid_t *g = NULL;
	size_t n = 0, i, k = 0, j;
	int ret;

	if ((ret = srvauth_user_gids(u->name, u->gid, &g, &n)) != 0) {
		return ret;
	}
	if ((u->groups = mem_array(n + 1, sizeof(*u->groups))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		bool dup = false;

		for (j = 0; j < i; j++) {
			dup = dup || g[j] == g[i];
		}
		if (dup) {
			continue;
		}
		if ((u->groups[k] = group_name(g[i])) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		k++;
	}
	ret = 0;
out:
	free(g);
	return ret;
}

int
srvauth_user_lookup(const char *name, struct srv_user *out)
{
	struct srv_user u = {0};
	struct passwd pw, *res = NULL;
	size_t sz = 1024;
	char *buf = NULL, *nb;
	int e, ret;

	if (out == NULL || name == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(out, 0, sizeof(*out));
	for (;;) {
		if ((nb = realloc(buf, sz)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		buf = nb;
		errno = 0;
		e = getpwnam_r(name, &pw, buf, sz, &res);
		if (e != ERANGE || sz >= (1u << 20)) {
			break;
		}
		sz *= 2;
	}
	/* ENOENT, ESRCH, EBADF, EPERM: "not found" per getpwnam(3). */
	if (res == NULL && e != 0 && e != ENOENT && e != ESRCH && e != EBADF &&
	    e != EPERM) {
		errno = e;
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	if ((u.name = strdup(name)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if (res == NULL || name[0] == '\0') {
		u.valid = false;
		u.uid = FAKE_UID;
		u.gid = FAKE_GID;
		u.home = strdup(FAKE_HOME);
		u.shell = strdup(FAKE_SHELL);
		u.groups = mem_array(1, sizeof(*u.groups));
		if (u.home == NULL || u.shell == NULL || u.groups == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
	} else {
		u.valid = true;
		u.uid = pw.pw_uid;
		u.gid = pw.pw_gid;
		u.home = strdup(pw.pw_dir != NULL ? pw.pw_dir : "/");
		/* An empty shell field means /bin/sh (passwd(5)). */
		u.shell = strdup(pw.pw_shell != NULL && pw.pw_shell[0] != '\0'
		                     ? pw.pw_shell
		                     : "/bin/sh");
		if (u.home == NULL || u.shell == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		if ((ret = fill_groups(&u)) != 0) {
			goto out;
		}
	}
	*out = u;
	memset(&u, 0, sizeof(u));
	ret = 0;
out:
	srv_user_clear(&u);
	free(buf);
	return ret;
}

/* *why = formatted text (left NULL on allocation failure). */
static void set_why(char **why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_why(char **why, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (why == NULL) {
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
	}
	va_end(ap);
	*why = s;
}

/* A user pattern, or user@host where host is matched as from= is. */
static bool
match_user_pattern(const char *user, const char *rhost, const char *raddr,
                   const char *pat)
{
	const char *at = strrchr(pat, '@');
	char *hostpart;
	bool ok = false;

	if (at == NULL) {
		return match_pattern(user, strlen(user), pat, strlen(pat),
		                     false);
	}
	if (!match_pattern(user, strlen(user), pat, (size_t)(at - pat),
	                   false)) {
		return false;
	}
	if ((hostpart = strdup(at + 1)) == NULL) {
		return false;
	}
	if (authfile_match_from(hostpart, rhost, raddr, &ok) != 0) {
		log_debug("invalid host pattern in \"%s\"", pat);
		ok = false;
	}
	free(hostpart);
	return ok;
}

static bool
list_matches_user(char **list, const char *user, const char *rhost,
                  const char *raddr)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++) {
		if (match_user_pattern(user, rhost, raddr, list[i])) {
			return true;
		}
	}
	return false;
}

static bool
list_matches_groups(char **list, char *const *groups)
{
	size_t i, j;

	for (i = 0; list != NULL && list[i] != NULL; i++) {
		for (j = 0; groups != NULL && groups[j] != NULL; j++) {
			if (match_pattern(groups[j], strlen(groups[j]), list[i],
			                  strlen(list[i]), false)) {
				return true;
			}
		}
	}
	return false;
}

static bool
list_empty(char **list)
{
	return list == NULL || list[0] == NULL;
}

/*
 * Without PAM, the shadow entry decides whether the account is locked
 * ("!..." as passwd -l and usermod -L make it) or expired (sp_expire, in
 * days since the epoch). Only root can read the shadow file; otherwise
 * nothing is known. Sets *why to sshd's words; false when refused.
 */
static bool
shadow_allows(const struct srv_user *u, char **why)
{
	struct spwd sp, *res = NULL;
	size_t sz = 4096;
	char *buf = NULL, *nb;
	long today, expire;
	bool locked;
	int e;

	/* Grow on ERANGE: a long entry must not skip the lock check. A
	 * fresh buffer each time, so that no copy of the hash is left. */
	for (;;) {
		if ((nb = malloc(sz)) == NULL) {
			mem_free_secret(buf, sz / 2);
			set_why(why, "User %s not allowed: out of memory",
			        u->name);
			return false;
		}
		mem_free_secret(buf, sz / 2);
		buf = nb;
		e = getspnam_r(u->name, &sp, buf, sz, &res);
		if (e != ERANGE || sz >= (1u << 20)) {
			break;
		}
		sz *= 2;
	}
	if (e == ERANGE) {
		mem_free_secret(buf, sz);
		set_why(why, "User %s not allowed: shadow entry too long",
		        u->name);
		return false;
	}
	if (e != 0 || res == NULL) {
		mem_free_secret(buf, sz);
		return true;
	}
	locked = sp.sp_pwdp != NULL && sp.sp_pwdp[0] == '!';
	expire = sp.sp_expire;
	mem_free_secret(buf, sz);
	if (locked) {
		set_why(why, "User %s not allowed because account is locked",
		        u->name);
		return false;
	}
	today = (long)(time(NULL) / 86400);
	if (expire != -1 && today > expire) {
		set_why(why, "Account %s has expired", u->name);
		return false;
	}
	return true;
}

int
srvauth_account_allowed(const struct servconf *c, const struct srv_user *u,
                        const char *rhost, const char *raddr, bool *ok,
                        char **why)
{
	const char *from;
	struct stat st;

	if (ok != NULL) {
		*ok = false;
	}
	if (why != NULL) {
		*why = NULL;
	}
	if (c == NULL || u == NULL || u->name == NULL || ok == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	from = rhost != NULL ? rhost : (raddr != NULL ? raddr : "UNKNOWN");
	if (!u->valid) {
		set_why(why, "Invalid user %s from %s", u->name, from);
		return 0;
	}
	if (c->use_pam != 1 && !shadow_allows(u, why)) {
		return 0;
	}
	/* sshd skips the shell test when it will chroot. */
	if (c->chroot_directory == NULL ||
	    strcasecmp(c->chroot_directory, "none") == 0) {
		const char *shell = u->shell != NULL && u->shell[0] != '\0'
		                        ? u->shell
		                        : "/bin/sh";

		if (stat(shell, &st) != 0) {
			set_why(why,
			        "User %s not allowed because shell %s does "
			        "not exist",
			        u->name, shell);
			return 0;
		}
		if (!S_ISREG(st.st_mode) ||
		    (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0) {
			set_why(why,
			        "User %s not allowed because shell %s is not "
			        "executable",
			        u->name, shell);
			return 0;
		}
	}
	if (list_matches_user(c->deny_users, u->name, rhost, raddr)) {
		set_why(why,
		        "User %s from %s not allowed because listed in "
		        "DenyUsers",
		        u->name, from);
		return 0;
	}
	if (!list_empty(c->allow_users) &&
	    !list_matches_user(c->allow_users, u->name, rhost, raddr)) {
		set_why(why,
		        "User %s from %s not allowed because not listed in "
		        "AllowUsers",
		        u->name, from);
		return 0;
	}
	if (!list_empty(c->deny_groups) || !list_empty(c->allow_groups)) {
		if (u->groups == NULL || u->groups[0] == NULL) {
			set_why(why,
			        "User %s from %s not allowed because not in "
			        "any group",
			        u->name, from);
			return 0;
		}
		if (list_matches_groups(c->deny_groups, u->groups)) {
			set_why(why,
			        "User %s from %s not allowed because a group "
			        "is listed in DenyGroups",
			        u->name, from);
			return 0;
		}
		if (!list_empty(c->allow_groups) &&
		    !list_matches_groups(c->allow_groups, u->groups)) {
			set_why(why,
			        "User %s from %s not allowed because none of "
			        "user's groups are listed in AllowGroups",
			        u->name, from);
			return 0;
		}
	}
	*ok = true;
	return 0;
}

bool
srvauth_root_allowed(const struct servconf *c, const struct srv_user *u,
                     enum srvauth_method m, bool forced)
{
	enum servconf_root p;

	if (u == NULL || c == NULL) {
		return false;
	}
	if (u->uid != 0) {
		return true;
	}
	p = c->permit_root_login;
	if (p == SERVCONF_ROOT_UNSET) {
		p = SERVCONF_ROOT_PROHIBIT_PASSWORD;
	}
	switch (p) {
	case SERVCONF_ROOT_YES:
		return true;
	case SERVCONF_ROOT_PROHIBIT_PASSWORD:
		return m == SRVAUTH_PUBKEY;
	case SERVCONF_ROOT_FORCED_COMMANDS_ONLY:
		return m == SRVAUTH_PUBKEY && forced;
	case SERVCONF_ROOT_NO:
	case SERVCONF_ROOT_UNSET:
	default:
		return false;
	}
}
