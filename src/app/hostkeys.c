/*
 * hostkeys.c - known_hosts policy for the client; see hostkeys.h for the
 * contract. File access goes through fileio.h; line parsing and host
 * matching through key/hostfile.h.
 */
#include "app/hostkeys.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/fileio.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/mem.h"
#include "key/hostfile.h"

#define AT_LINE "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"

static char
ascii_lower(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return (char)(c - 'A' + 'a');
	}
	return c;
}

char *
hostkeys_lower(const char *s)
{
	char *d = mem_strdup(s);
	size_t i;

	if (d != NULL) {
		for (i = 0; d[i] != '\0'; i++) {
			d[i] = ascii_lower(d[i]);
		}
	}
	return d;
}

int
hostkeys_lookup_name(const char *host, unsigned int port, char **out)
{
	struct buf b;
	char *lh = NULL;
	uint8_t *p = NULL;
	size_t n;
	int ret;

	*out = NULL;
	buf_init(&b, SESH_MAX_LINE);
	if ((lh = hostkeys_lower(host)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((ret = hostfile_lookup_name(lh, port, &b)) != 0 ||
	    (ret = buf_steal(&b, &p, &n)) != 0) {
		goto out;
	}
	*out = (char *)p;
	ret = 0;
out:
	free(lh);
	buf_clear(&b);
	return ret;
}

/* ssh compares key "families": every ECDSA curve is one type. */
static bool
same_family(const struct sshkey *a, const struct sshkey *b)
{
	return strcmp(key_type_short(a->type), key_type_short(b->type)) == 0;
}

void
hostkeys_result_clear(struct hostkeys_result *r)
{
	size_t i;

	if (r == NULL) {
		return;
	}
	free(r->file);
	for (i = 0; i < r->nothers; i++) {
		free(r->others[i].file);
		key_free(r->others[i].key);
	}
	memset(r, 0, sizeof(*r));
}

/* What one scan of the files found, best first. */
struct scan {
	char *revoked_file, *ok_file, *changed_file;
	size_t revoked_line, ok_line, changed_line;
	struct hostkeys_result *res; /* others go straight here */
};

static int
set_where(char **file, size_t *line, const char *path, size_t lineno)
{
	if (*file != NULL) {
		return 0; /* the first entry wins */
	}
	if ((*file = mem_strdup(path)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	*line = lineno;
	return 0;
}

static int
note_other(struct hostkeys_result *res, const char *path, size_t lineno,
           const struct sshkey *k)
{
	struct hostkeys_other *o;
	int ret;

	if (res->nothers == HOSTKEYS_MAX_OTHERS) {
		return 0;
	}
	o = &res->others[res->nothers];
	if ((o->file = mem_strdup(path)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if ((ret = key_public_copy(k, &o->key)) != 0) {
		free(o->file);
		o->file = NULL;
		return ret;
	}
	o->line = lineno;
	res->nothers++;
	return 0;
}

/* One entry that matched the host. */
static int
consider(struct scan *s, const struct hostfile_entry *e, const char *path,
         size_t lineno, const struct sshkey *key)
{
	if (e->marker == HOSTFILE_MARKER_CERT_AUTHORITY) {
		return 0;
	}
	if (e->marker == HOSTFILE_MARKER_REVOKED) {
		if (key_equal_public(e->key, key)) {
			return set_where(&s->revoked_file, &s->revoked_line,
			                 path, lineno);
		}
		return 0;
	}
	if (!same_family(e->key, key)) {
		return note_other(s->res, path, lineno, e->key);
	}
	if (key_equal_public(e->key, key)) {
		return set_where(&s->ok_file, &s->ok_line, path, lineno);
	}
	return set_where(&s->changed_file, &s->changed_line, path, lineno);
}

static int
scan_file(struct scan *s, const char *path, const char *name,
          const struct sshkey *key)
{
	uint8_t *content = NULL;
	size_t n = 0, pos = 0, lineno = 0, end;
	const uint8_t *nl;
	struct hostfile_entry e;
	enum match_result m;
	int ret;

	memset(&e, 0, sizeof(e));
	if (path == NULL) {
		return 0;
	}
	ret = fileio_read(path, HOSTKEYS_MAX_FILE, &content, &n);
	if (ret == SESH_ERR_NOMEM) {
		goto out;
	}
	if (ret != 0) {
		/* Missing or unreadable files hold no keys, as for ssh. */
		log_debug("known_hosts %s not read: %s", path,
		          sesh_err_str(ret));
		ret = 0;
		goto out;
	}
	while (pos < n) {
		nl = memchr(content + pos, '\n', n - pos);
		end = nl == NULL ? n : (size_t)(nl - content) + 1;
		lineno++;
		ret = hostfile_parse_line((const char *)content + pos,
		                          end - pos, &e);
		pos = end;
		if (ret == SESH_ERR_NOMEM) {
			goto out;
		}
		if (ret != 0 || e.kind != HOSTFILE_LINE_ENTRY) {
			hostfile_entry_clear(&e);
			continue;
		}
		ret = hostfile_match_name(&e, name, strlen(name), &m);
		if (ret == 0 && m == MATCH_POSITIVE) {
			ret = consider(s, &e, path, lineno, key);
		}
		hostfile_entry_clear(&e);
		if (ret != 0) {
			goto out;
		}
	}
	ret = 0;
out:
	hostfile_entry_clear(&e);
	free(content);
	return ret;
}

int
hostkeys_check(const char *user_path, const char *global_path, const char *host,
               unsigned int port, const struct sshkey *key,
               struct hostkeys_result *res)
{
	struct hostkeys_result r;
	struct scan s;
	char *name = NULL;
	int ret;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	if (res != NULL) {
		memset(res, 0, sizeof(*res));
	}
	if (res == NULL || host == NULL || key == NULL || host[0] == '\0') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	s.res = &r;
	if ((ret = hostkeys_lookup_name(host, port, &name)) != 0 ||
	    (ret = scan_file(&s, user_path, name, key)) != 0 ||
	    (ret = scan_file(&s, global_path, name, key)) != 0) {
		goto out;
	}
	if (s.revoked_file != NULL) {
		r.status = HOSTKEY_REVOKED;
		r.file = s.revoked_file;
		r.line = s.revoked_line;
		s.revoked_file = NULL;
	} else if (s.ok_file != NULL) {
		r.status = HOSTKEY_OK;
		r.file = s.ok_file;
		r.line = s.ok_line;
		s.ok_file = NULL;
	} else if (s.changed_file != NULL) {
		r.status = HOSTKEY_CHANGED;
		r.file = s.changed_file;
		r.line = s.changed_line;
		s.changed_file = NULL;
	} else {
		r.status = HOSTKEY_NEW;
	}
	*res = r;
	memset(&r, 0, sizeof(r));
	ret = 0;
out:
	free(s.revoked_file);
	free(s.ok_file);
	free(s.changed_file);
	free(name);
	hostkeys_result_clear(&r);
	return ret;
}

/* Creates the directory holding path (its last component only). */
static int
ensure_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int ret;

	if (slash == NULL || slash == path) {
		return 0; /* the current or root directory */
	}
	if ((dir = mem_strdup(path)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	dir[slash - path] = '\0';
	ret = fileio_ensure_dir(dir, FILEIO_MODE_DIR_PRIVATE);
	free(dir);
	return ret;
}

/* Appends p to an existing non-regular file (a device, a FIFO). */
static int
append_to(const char *path, const uint8_t *p, size_t n)
{
	ssize_t w;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		return SESH_ERR_SYSTEM;
	}
	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			ret = SESH_ERR_SYSTEM;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	close(fd);
	return ret;
}

int
hostkeys_add(const char *path, const char *host, unsigned int port,
             const struct sshkey *key, bool hash)
{
	struct stat st;
	struct buf b;
	uint8_t *old = NULL;
	size_t n = 0;
	char *lh = NULL;
	mode_t mode = FILEIO_MODE_PRIVATE;
	int ret;

	buf_init(&b, HOSTKEYS_MAX_FILE + SESH_MAX_LINE);
	if (path == NULL || host == NULL || key == NULL || host[0] == '\0' ||
	    path[0] == '\0') {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((lh = hostkeys_lower(host)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((ret = ensure_parent(path)) != 0) {
		goto out;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* /dev/null and friends: write the line into it, as ssh
		 * does; renaming over it is never an option. */
		if ((ret = hostfile_format_line(lh, port, key, hash, &b)) ==
		    0) {
			ret = append_to(path, buf_data(&b), buf_len(&b));
		}
		goto out;
	}
	ret = fileio_read(path, HOSTKEYS_MAX_FILE, &old, &n);
	if (ret == SESH_ERR_NOT_FOUND) {
		n = 0;
	} else if (ret != 0) {
		goto out;
	} else if ((ret = fileio_mode(path, &mode)) != 0) {
		goto out;
	}
	if ((n > 0 && (ret = buf_put(&b, old, n)) != 0) ||
	    (n > 0 && old[n - 1] != '\n' &&
	     (ret = buf_put_u8(&b, '\n')) != 0) ||
	    (ret = hostfile_format_line(lh, port, key, hash, &b)) != 0) {
		goto out;
	}
	ret = fileio_write_atomic(path, buf_data(&b), buf_len(&b), mode);
out:
	free(lh);
	free(old);
	buf_clear(&b);
	return ret;
}

int
hostkeys_strict_parse(const char *s, enum hostkeys_strict *out)
{
	static const struct {
		const char *word;
		enum hostkeys_strict mode;
	} words[] = {
	    {"yes", HOSTKEYS_STRICT_YES},
	    {"true", HOSTKEYS_STRICT_YES},
	    {"no", HOSTKEYS_STRICT_NO},
	    {"false", HOSTKEYS_STRICT_NO},
	    {"off", HOSTKEYS_STRICT_NO},
	    {"ask", HOSTKEYS_STRICT_ASK},
	    {"accept-new", HOSTKEYS_STRICT_ACCEPT_NEW},
	};
	size_t i, j;

	if (s == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		for (j = 0; s[j] != '\0' && words[i].word[j] != '\0'; j++) {
			if (ascii_lower(s[j]) != words[i].word[j]) {
				break;
			}
		}
		if (s[j] == '\0' && words[i].word[j] == '\0') {
			*out = words[i].mode;
			return 0;
		}
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

enum hostkeys_action
hostkeys_decide(enum hostkeys_strict mode, enum hostkeys_status status,
                bool batch)
{
	switch (status) {
	case HOSTKEY_OK:
		return HOSTKEYS_ACCEPT;
	case HOSTKEY_CHANGED:
		return mode == HOSTKEYS_STRICT_NO ? HOSTKEYS_ACCEPT
		                                  : HOSTKEYS_REFUSE;
	case HOSTKEY_NEW:
		switch (mode) {
		case HOSTKEYS_STRICT_ACCEPT_NEW:
		case HOSTKEYS_STRICT_NO:
			return HOSTKEYS_ACCEPT_ADD;
		case HOSTKEYS_STRICT_ASK:
			return batch ? HOSTKEYS_REFUSE : HOSTKEYS_PROMPT;
		case HOSTKEYS_STRICT_YES:
		default:
			return HOSTKEYS_REFUSE;
		}
	case HOSTKEY_REVOKED:
	default:
		return HOSTKEYS_REFUSE;
	}
}

/* Does a equal b[0..n) ignoring ASCII case? */
static bool
word_is(const char *a, size_t n, const char *b)
{
	size_t i;

	if (strlen(b) != n) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (ascii_lower(a[i]) != b[i]) {
			return false;
		}
	}
	return true;
}

enum hostkeys_answer
hostkeys_parse_answer(const char *reply, const char *fp)
{
	size_t n;

	if (reply == NULL) {
		return HOSTKEYS_ANSWER_NO;
	}
	n = strcspn(reply, "\r\n");
	if (n == 0 || word_is(reply, n, "no")) {
		return HOSTKEYS_ANSWER_NO;
	}
	if (word_is(reply, n, "yes")) {
		return HOSTKEYS_ANSWER_YES;
	}
	if (fp != NULL && strlen(fp) == n && memcmp(reply, fp, n) == 0) {
		return HOSTKEYS_ANSWER_YES;
	}
	return HOSTKEYS_ANSWER_RETRY;
}

/* ---- messages ---- */

__attribute__((format(printf, 2, 3))) static int
appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[512];
	char *big = NULL;
	int len, ret;

	va_start(ap, fmt);
	len = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (len < 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((size_t)len < sizeof(small)) {
		return buf_put(b, small, (size_t)len);
	}
	if ((big = malloc((size_t)len + 1)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	va_start(ap, fmt);
	len = vsnprintf(big, (size_t)len + 1, fmt, ap);
	va_end(ap);
	ret =
	    len < 0 ? SESH_ERR_INVALID_ARGUMENT : buf_put(b, big, (size_t)len);
	free(big);
	return ret;
}

/* The SHA256 fingerprint of k as an owned C string. */
static int
fingerprint(const struct sshkey *k, char **out)
{
	struct buf b;
	int ret;

	*out = NULL;
	buf_init(&b, 0);
	if ((ret = key_fingerprint(k, HASH_SHA256, &b)) != 0) {
		goto out;
	}
	if ((*out = malloc(buf_len(&b) + 1)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	memcpy(*out, buf_data(&b), buf_len(&b));
	(*out)[buf_len(&b)] = '\0';
	ret = 0;
out:
	buf_clear(&b);
	return ret;
}

/* Hands b's text to *out as a C string. */
static int
finish(struct buf *b, char **out)
{
	uint8_t *p = NULL;
	size_t n;
	int ret;

	if ((ret = buf_steal(b, &p, &n)) != 0) {
		return ret;
	}
	*out = (char *)p;
	return 0;
}

int
hostkeys_msg_new_host(const char *host, unsigned int port, const char *ip,
                      const struct sshkey *key,
                      const struct hostkeys_result *res, char **out)
{
	struct buf b;
	char *name = NULL, *ipname = NULL, *fp = NULL, *ofp = NULL;
	const char *tshort;
	bool others = res != NULL && res->nothers > 0;
	size_t i;
	int ret;

	buf_init(&b, 0);
	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL || host == NULL || key == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	tshort = key_type_short(key->type);
	if ((ret = hostkeys_lookup_name(host, port, &name)) != 0 ||
	    (ip != NULL &&
	     (ret = hostkeys_lookup_name(ip, port, &ipname)) != 0) ||
	    (ret = fingerprint(key, &fp)) != 0) {
		goto out;
	}
	for (i = 0; others && i < res->nothers; i++) {
		const struct hostkeys_other *o = &res->others[i];

		if ((ret = fingerprint(o->key, &ofp)) != 0 ||
		    (ret = appendf(&b,
		                   "WARNING: %s key found for host %s\n"
		                   "in %s:%zu\n"
		                   "%s key fingerprint %s.\n",
		                   key_type_short(o->key->type), name, o->file,
		                   o->line, key_type_short(o->key->type),
		                   ofp)) != 0) {
			goto out;
		}
		free(ofp);
		ofp = NULL;
	}
	if ((ret = appendf(&b,
	                   "The authenticity of host '%.200s (%s)' can't be "
	                   "established%s\n"
	                   "%s key fingerprint is %s.\n"
	                   "This key is not known by any other names.\n"
	                   "Are you sure you want to continue connecting "
	                   "(yes/no/[fingerprint])? ",
	                   name,
	                   ipname != NULL ? ipname
	                                  : "<no hostip for proxy command>",
	                   others ? "\nbut keys of different type are already "
	                            "known for this host."
	                          : ".",
	                   tshort, fp)) != 0 ||
	    (ret = finish(&b, out)) != 0) {
		goto out;
	}
	ret = 0;
out:
	free(name);
	free(ipname);
	free(fp);
	free(ofp);
	buf_clear(&b);
	return ret;
}

static int
dup_text(const char *s, char **out)
{
	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((*out = mem_strdup(s)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	return 0;
}

int
hostkeys_msg_retry(char **out)
{
	return dup_text("Please type 'yes', 'no' or the fingerprint: ", out);
}

int
hostkeys_msg_failed(char **out)
{
	return dup_text("Host key verification failed.\n", out);
}

int
hostkeys_msg_added(const char *host, unsigned int port,
                   const struct sshkey *key, char **out)
{
	struct buf b;
	char *name = NULL;
	int ret;

	buf_init(&b, 0);
	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL || host == NULL || key == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = hostkeys_lookup_name(host, port, &name)) != 0 ||
	    (ret = appendf(&b,
	                   "Warning: Permanently added '%.200s' (%s) to the "
	                   "list of known hosts.\n",
	                   name, key_type_short(key->type))) != 0 ||
	    (ret = finish(&b, out)) != 0) {
		goto out;
	}
out:
	free(name);
	buf_clear(&b);
	return ret;
}

int
hostkeys_msg_changed(const char *user_path, const char *host, unsigned int port,
                     const struct sshkey *key,
                     const struct hostkeys_result *res, bool strict, char **out)
{
	struct buf b;
	char *name = NULL, *fp = NULL;
	const char *tshort;
	int ret;

	buf_init(&b, 0);
	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL || host == NULL || key == NULL || res == NULL ||
	    res->status != HOSTKEY_CHANGED || res->file == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	tshort = key_type_short(key->type);
	if ((ret = hostkeys_lookup_name(host, port, &name)) != 0 ||
	    (ret = fingerprint(key, &fp)) != 0) {
		goto out;
	}
	if ((ret = appendf(
	         &b,
	         AT_LINE "@    WARNING: REMOTE HOST IDENTIFICATION HAS "
	                 "CHANGED!     @\n" AT_LINE
	                 "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING "
	                 "NASTY!\n"
	                 "Someone could be eavesdropping on you right now "
	                 "(man-in-the-middle attack)!\n"
	                 "It is also possible that a host key has just been "
	                 "changed.\n"
	                 "The fingerprint for the %s key sent by the remote "
	                 "host is\n%s.\n"
	                 "Please contact your system administrator.\n"
	                 "Add correct host key in %.100s to get rid of this "
	                 "message.\n"
	                 "Offending %s key in %s:%zu\n"
	                 "  remove with:\n"
	                 "  ssh-keygen -f \"%s\" -R \"%s\"\n",
	         tshort, fp, user_path != NULL ? user_path : res->file, tshort,
	         res->file, res->line, res->file, name)) != 0) {
		goto out;
	}
	if (strict && (ret = appendf(&b,
	                             "Host key for %.200s has changed and you "
	                             "have requested strict checking.\n",
	                             name)) != 0) {
		goto out;
	}
	ret = finish(&b, out);
out:
	free(name);
	free(fp);
	buf_clear(&b);
	return ret;
}

int
hostkeys_msg_revoked(const char *host, unsigned int port,
                     const struct sshkey *key, char **out)
{
	struct buf b;
	char *name = NULL;
	int ret;

	buf_init(&b, 0);
	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL || host == NULL || key == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = hostkeys_lookup_name(host, port, &name)) != 0 ||
	    (ret = appendf(&b,
	                   AT_LINE
	                   "@       WARNING: REVOKED HOST KEY "
	                   "DETECTED!               @\n" AT_LINE
	                   "The %s host key for %s is marked as revoked.\n"
	                   "This could mean that a stolen key is being used "
	                   "to\nimpersonate this host.\n",
	                   key_type_short(key->type), name)) != 0 ||
	    (ret = finish(&b, out)) != 0) {
		goto out;
	}
out:
	free(name);
	buf_clear(&b);
	return ret;
}

int
hostkeys_msg_strict_new(const char *host, unsigned int port,
                        const struct sshkey *key, char **out)
{
	struct buf b;
	char *name = NULL;
	int ret;

	buf_init(&b, 0);
	if (out != NULL) {
		*out = NULL;
	}
	if (out == NULL || host == NULL || key == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = hostkeys_lookup_name(host, port, &name)) != 0 ||
	    (ret = appendf(&b,
	                   "No %s host key is known for %.200s and you have "
	                   "requested strict checking.\n",
	                   key_type_short(key->type), name)) != 0 ||
	    (ret = finish(&b, out)) != 0) {
		goto out;
	}
out:
	free(name);
	buf_clear(&b);
	return ret;
}
