/*
 * srvauth_pubkey.c - publickey authorization against AuthorizedKeysFile
 * (sshd(8) AUTHORIZED_KEYS FILE FORMAT, sshd_config(5) AuthorizedKeysFile
 * and StrictModes). Contract in srvauth.h.
 *
 * Each file name has %h (home), %u (user), %U (uid) and %% expanded and
 * is taken relative to the home directory unless absolute; "none" stands
 * for no file; for an unknown user %u is "NOUSER", as in sshd, so that
 * a client-chosen name never reaches a path. A file is opened with the
 * user's identity (when seshd runs as root), must be a regular file, and
 * with StrictModes the file and every directory from it up to the home
 * directory (or to / for a file outside home) must be owned by root or
 * the user and not writable by group or others. The first line whose key
 * equals the offered one and whose from= and expiry-time= allow the
 * connection wins; cert-authority lines are skipped (certificates come
 * later).
 */
#include "app/srvauth.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/srvauth_int.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "crypto/hash.h"
#include "key/authfile.h"

/* authorized_keys files larger than this are refused. */
#define AUTHKEYS_MAX_FILE (16u * 1024u * 1024u)
#define READ_CHUNK        65536u

static const char *const default_files[] = {
    ".ssh/authorized_keys",
    ".ssh/authorized_keys2",
    NULL,
};

/* Half-switched (still euid root): puts the saved gid (if changed) and
 * groups back; a failure here is logged as fatal, as in
 * srvauth_ids_restore(). errno is kept for the caller's message. */
static void
undo_ids(const struct srvauth_saved_ids *s, bool gid_changed)
{
	int saved = errno;

	if ((gid_changed && setegid(s->egid) != 0) ||
	    setgroups((size_t)s->ngroups, s->groups) != 0) {
		log_fatal("cannot restore privileges: %s", strerror(errno));
	}
	errno = saved;
}

int
srvauth_ids_switch(const struct srv_user *u, struct srvauth_saved_ids *s)
{
	gid_t *ug = NULL;
	size_t nug = 0;
	int n, ret;

	memset(s, 0, sizeof(*s));
	if (geteuid() != 0 || !u->valid || u->uid == 0) {
		return 0;
	}
	s->euid = geteuid();
	s->egid = getegid();
	if ((n = getgroups(0, NULL)) < 0) {
		return SESH_ERR_SYSTEM;
	}
	if ((s->groups = mem_array((size_t)n + 1, sizeof(gid_t))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if ((s->ngroups = getgroups(n, s->groups)) < 0) {
		ret = SESH_ERR_SYSTEM;
		goto fail;
	}
	if ((ret = srvauth_user_gids(u->name, u->gid, &ug, &nug)) != 0) {
		goto fail;
	}
	ret = SESH_ERR_SYSTEM;
	if (setgroups(nug, ug) != 0) {
		goto fail;
	}
	if (setegid(u->gid) != 0) {
		undo_ids(s, false);
		goto fail;
	}
	if (seteuid(u->uid) != 0) {
		undo_ids(s, true);
		goto fail;
	}
	free(ug);
	s->switched = true;
	return 0;
fail:
	log_error("cannot take the identity of %s: %s", u->name,
	          strerror(errno));
	free(ug);
	free(s->groups);
	memset(s, 0, sizeof(*s));
	return ret;
}

int
srvauth_ids_restore(struct srvauth_saved_ids *s)
{
	int ret = 0;

	if (!s->switched) {
		return 0;
	}
	if (seteuid(s->euid) != 0 || setegid(s->egid) != 0 ||
	    setgroups((size_t)s->ngroups, s->groups) != 0) {
		log_fatal("cannot restore privileges: %s", strerror(errno));
		ret = SESH_ERR_SYSTEM;
	}
	free(s->groups);
	memset(s, 0, sizeof(*s));
	return ret;
}

void
srv_keyopts_clear(struct srv_keyopts *o)
{
	if (o == NULL) {
		return;
	}
	free(o->command);
	mem_strv_free(o->environment);
	free(o->where);
	memset(o, 0, sizeof(*o));
}

/* Expands %h %u %U %% and makes the name absolute (relative to home). */
static int
expand_path(const char *f, const struct srv_user *u, char **out)
{
	struct buf b;
	char num[32];
	uint8_t *p = NULL;
	size_t n, i;
	int ret = 0;

	*out = NULL;
	buf_init(&b, PATH_MAX * 4);
	if (f[0] != '/' && f[0] != '%') {
		if ((ret = buf_put(&b, u->home, strlen(u->home))) != 0 ||
		    (ret = buf_put_u8(&b, '/')) != 0) {
			goto out;
		}
	}
	for (i = 0; f[i] != '\0' && ret == 0; i++) {
		if (f[i] != '%') {
			ret = buf_put_u8(&b, (uint8_t)f[i]);
			continue;
		}
		switch (f[++i]) {
		case '%':
			ret = buf_put_u8(&b, '%');
			break;
		case 'h':
			ret = buf_put(&b, u->home, strlen(u->home));
			break;
		case 'u':
			ret = buf_put(&b, u->name, strlen(u->name));
			break;
		case 'U':
			snprintf(num, sizeof(num), "%lu",
			         (unsigned long)u->uid);
			ret = buf_put(&b, num, strlen(num));
			break;
		default:
			log_error("AuthorizedKeysFile %s: unknown token %%%c",
			          f, f[i] != '\0' ? f[i] : ' ');
			ret = SESH_ERR_INVALID_ARGUMENT;
			goto out;
		}
	}
	if (ret != 0 || (ret = buf_steal(&b, &p, &n)) != 0) {
		goto out;
	}
	/* A leading token that did not expand to an absolute path. */
	if (p[0] != '/') {
		struct buf b2;
		uint8_t *q = NULL;

		buf_init(&b2, PATH_MAX * 4);
		if ((ret = buf_put(&b2, u->home, strlen(u->home))) != 0 ||
		    (ret = buf_put_u8(&b2, '/')) != 0 ||
		    (ret = buf_put(&b2, p, n)) != 0 ||
		    (ret = buf_steal(&b2, &q, &n)) != 0) {
			buf_clear(&b2);
			goto out;
		}
		free(p);
		p = q;
	}
	*out = (char *)p;
	p = NULL;
out:
	free(p);
	buf_clear(&b);
	return ret;
}

static bool
bad_owner_or_mode(const struct stat *st, uid_t uid)
{
	return (st->st_uid != 0 && st->st_uid != uid) ||
	       (st->st_mode & 022) != 0;
}

/*
 * StrictModes: the open file's status fst, then each directory above the
 * file's real path up to home (inclusive) or /. Returns true if safe;
 * else logs sshd's "Authentication refused: ..." line.
 */
static bool
secure_path(const char *path, const struct stat *fst, const struct srv_user *u)
{
	char *rp = NULL, *home = NULL, *slash;
	struct stat st;
	bool ok = false;

	if (bad_owner_or_mode(fst, u->uid)) {
		log_info("Authentication refused: bad ownership or modes for "
		         "file %s",
		         path);
		return false;
	}
	if ((rp = realpath(path, NULL)) == NULL) {
		log_info("Authentication refused: realpath %s failed: %s", path,
		         strerror(errno));
		return false;
	}
	home = realpath(u->home, NULL);
	for (;;) {
		if ((slash = strrchr(rp, '/')) == NULL) {
			break;
		}
		if (slash == rp) {
			slash[1] = '\0';
		} else {
			*slash = '\0';
		}
		if (stat(rp, &st) != 0) {
			log_info("Authentication refused: stat %s failed: %s",
			         rp, strerror(errno));
			goto out;
		}
		if (!S_ISDIR(st.st_mode) || bad_owner_or_mode(&st, u->uid)) {
			log_info("Authentication refused: bad ownership or "
			         "modes for directory %s",
			         rp);
			goto out;
		}
		if ((home != NULL && strcmp(home, rp) == 0) ||
		    strcmp(rp, "/") == 0) {
			break;
		}
	}
	ok = true;
out:
	free(rp);
	free(home);
	return ok;
}

/*
 * Opens and reads path as the user. *data NULL (and 0 returned) when the
 * file is missing, unreadable, not regular or refused by StrictModes.
 */
static int
read_keys_file(const struct servconf *c, const struct srv_user *u,
               const char *path, char **data, size_t *len)
{
	struct srvauth_saved_ids ids;
	struct stat st;
	struct buf b;
	uint8_t *p = NULL;
	size_t n = 0;
	int fd = -1, ret, rret;
	ssize_t r;

	*data = NULL;
	*len = 0;
	buf_init(&b, AUTHKEYS_MAX_FILE + READ_CHUNK);
	if ((ret = srvauth_ids_switch(u, &ids)) != 0) {
		return ret;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			log_debug("Could not open user '%s' authorized keys "
			          "'%s': %s",
			          u->name, path, strerror(errno));
		} else {
			log_info("Could not open user '%s' authorized keys "
			         "'%s': %s",
			         u->name, path, strerror(errno));
		}
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		log_info("User %s authorized keys %s is not a regular file",
		         u->name, path);
		goto out;
	}
	if (c->strict_modes != 0 && !secure_path(path, &st, u)) {
		goto out;
	}
	if ((uint64_t)st.st_size > AUTHKEYS_MAX_FILE) {
		log_info("authorized keys %s too large", path);
		goto out;
	}
	for (;;) {
		uint8_t *dst;

		if ((ret = buf_reserve(&b, READ_CHUNK, &dst)) != 0) {
			if (ret == SESH_ERR_LIMIT) {
				log_info("authorized keys %s too large", path);
				ret = 0;
			}
			goto out;
		}
		r = read(fd, dst, READ_CHUNK);
		buf_truncate(&b, buf_len(&b) - READ_CHUNK +
		                     (r > 0 ? (size_t)r : 0));
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			log_info("read %s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0) {
			break;
		}
	}
	if ((ret = buf_steal(&b, &p, &n)) != 0) {
		goto out;
	}
	*data = (char *)p;
	*len = n;
out:
	if (fd >= 0) {
		close(fd);
	}
	buf_clear(&b);
	if ((rret = srvauth_ids_restore(&ids)) != 0) {
		free(*data);
		*data = NULL;
		return rret;
	}
	return ret;
}

/* Copies the matching line's options into the policy view. */
static int
fill_opts(const struct servconf *c, const struct authkey_opts *ko,
          const char *path, unsigned long lineno, struct srv_keyopts *o)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	if (ko->force_command != NULL &&
	    (o->command = strdup(ko->force_command)) == NULL) {
		goto nomem;
	}
	if (c->permit_user_environment == 1 && ko->nenv > 0) {
		o->environment = mem_array(ko->nenv + 1, sizeof(char *));
		if (o->environment == NULL) {
			goto nomem;
		}
		for (i = 0; i < ko->nenv; i++) {
			if ((o->environment[i] = strdup(ko->env[i])) == NULL) {
				goto nomem;
			}
		}
	}
	o->no_pty = !ko->permit_pty;
	o->no_port_forwarding = !ko->permit_port_forwarding;
	o->no_agent_forwarding = !ko->permit_agent_forwarding;
	o->no_x11_forwarding = !ko->permit_x11_forwarding;
	o->no_user_rc = !ko->permit_user_rc;
	o->expiry = ko->expiry > 0 ? (uint64_t)ko->expiry : 0;
	if (asprintf(&o->where, "%s:%lu", path, lineno) < 0) {
		o->where = NULL;
		goto nomem;
	}
	return 0;
nomem:
	srv_keyopts_clear(o);
	return SESH_ERR_NOMEM;
}

/* Scans one file's text; *found and *opts on a usable matching line. */
static int
scan_keys(const struct servconf *c, const struct srv_user *u,
          const struct sshkey *key, const char *rhost, const char *raddr,
          uint64_t now, const char *path, const char *data, size_t len,
          bool *found, struct srv_keyopts *opts)
{
	struct authkey_entry e;
	unsigned long lineno = 0;
	size_t pos = 0;
	int ret = 0;

	*found = false;
	while (pos < len && !*found && ret == 0) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (data + pos)) : len - pos;
		const char *why = NULL;
		bool from_ok = true;
		int r;

		lineno++;
		r = authfile_parse_line(data + pos, n, &e, &why);
		pos += n + (nl != NULL ? 1 : 0);
		if (r != 0) {
			if (r == SESH_ERR_NOMEM) {
				ret = r;
			} else if (why != NULL) {
				log_verbose("%s:%lu: %s", path, lineno, why);
			}
			continue;
		}
		if (e.kind != AUTHFILE_LINE_ENTRY || e.opts.cert_authority ||
		    !key_equal_public(e.key, key)) {
			authfile_entry_clear(&e);
			continue;
		}
		log_debug("%s:%lu: matching key found", path, lineno);
		if (e.opts.from != NULL) {
			if (authfile_match_from(e.opts.from, rhost, raddr,
			                        &from_ok) != 0) {
				log_info("%s:%lu: invalid from= pattern \"%s\"",
				         path, lineno, e.opts.from);
			}
			if (!from_ok) {
				log_info("Authentication tried for %s with "
				         "correct key but not from a permitted "
				         "host (host=%s, ip=%s).",
				         u->name, rhost != NULL ? rhost : "",
				         raddr != NULL ? raddr : "");
			}
		}
		if (from_ok && e.opts.expiry > 0 &&
		    now > (uint64_t)e.opts.expiry) {
			log_info("%s:%lu: key has expired", path, lineno);
			from_ok = false;
		}
		if (from_ok) {
			ret = fill_opts(c, &e.opts, path, lineno, opts);
			*found = ret == 0;
		}
		authfile_entry_clear(&e);
	}
	return ret;
}

int
srvauth_pubkey_allowed(const struct servconf *c, const struct srv_user *u,
                       const struct sshkey *key, const char *rhost,
                       const char *raddr, uint64_t now, bool *ok,
                       struct srv_keyopts *opts)
{
	static char nouser[] = "NOUSER";
	const char *const *files;
	struct srv_keyopts o = {0};
	struct srv_user eu;
	bool found = false;
	size_t i;
	int ret = 0;

	if (ok != NULL) {
		*ok = false;
	}
	if (opts != NULL) {
		memset(opts, 0, sizeof(*opts));
	}
	if (c == NULL || u == NULL || u->name == NULL || u->home == NULL ||
	    key == NULL || ok == NULL || opts == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* As sshd's fake user: an unknown (so unchecked) name from the
	 * client never becomes part of a path opened as root. */
	eu = *u;
	if (!u->valid) {
		eu.name = nouser;
	}
	files = c->authorized_keys_files != NULL
	            ? (const char *const *)c->authorized_keys_files
	            : default_files;
	for (i = 0; files[i] != NULL && !found; i++) {
		char *path = NULL, *data = NULL;
		size_t len = 0;

		if (strcasecmp(files[i], "none") == 0) {
			continue;
		}
		if (expand_path(files[i], &eu, &path) != 0) {
			continue;
		}
		ret = read_keys_file(c, u, path, &data, &len);
		if (ret == 0 && data != NULL) {
			ret = scan_keys(c, u, key, rhost, raddr, now, path,
			                data, len, &found, &o);
		}
		free(data);
		free(path);
		if (ret != 0) {
			goto out;
		}
	}
	if (found && u->valid) {
		*opts = o;
		memset(&o, 0, sizeof(o));
		*ok = true;
	}
out:
	srv_keyopts_clear(&o);
	return ret;
}

bool
srvauth_key_used(const struct srvauth_used_keys *u, const struct sshkey *k)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		if (key_equal_public(u->k[i], k)) {
			log_verbose("refusing previously-used %s key",
			            key_type_short(k->type));
			return true;
		}
	}
	return false;
}

void
srvauth_key_remember(struct srvauth_used_keys *u, const struct sshkey *k)
{
	struct sshkey *copy = NULL;

	if (u->n < SRVAUTH_MAX_USED_KEYS && key_public_copy(k, &copy) == 0) {
		u->k[u->n++] = copy;
	}
}

void
srvauth_used_keys_clear(struct srvauth_used_keys *u)
{
	while (u->n > 0) {
		key_free(u->k[--u->n]);
	}
}

void
srvauth_key_detail(const struct sshkey *k, char *out, size_t n)
{
	struct buf fp;

	buf_init(&fp, 0);
	out[0] = '\0';
	if (key_fingerprint(k, HASH_SHA256, &fp) == 0) {
		(void)snprintf(out, n, "%s %s", key_type_short(k->type),
		               (const char *)buf_data(&fp));
	}
	buf_clear(&fp);
}
