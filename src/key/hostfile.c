/*
 * hostfile.c - known_hosts lines: parse, match, hash, and the -R/-F/-H
 * content transforms (contract in hostfile.h).
 *
 * Every line goes through one splitter that finds the marker, the hosts
 * field and the start of the key part ("type base64 [comment]"). Single
 * lines have their key parsed by key_from_pub_line; the -R/-F/-H
 * transforms only check the type word, as ssh-keygen does. The transforms
 * copy lines byte for byte whenever they keep them, so a file round-trips
 * unchanged except for the lines an operation is about.
 */
#include "key/hostfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/b64.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

#define MARKER_REVOKED "@revoked"
#define MARKER_CA      "@cert-authority"

static const char *const foreign_types[] = {
    "ssh-dss",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "ssh-rsa-cert-v01@openssh.com",
    "ssh-dss-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "ssh-ed25519-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
};

/* Where the fields of one line are (offsets into the line). */
struct fields {
	enum hostfile_line_kind kind;
	enum hostfile_marker marker;
	size_t hosts_off, hosts_len;
	size_t key_off; /* first byte of the key type; rest of line follows */
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool
token_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(p, word, n) == 0;
}

bool
hostfile_is_foreign_key_type(const char *name, size_t n)
{
	size_t i;

	if (name == NULL) {
		return false;
	}
	for (i = 0; i < sizeof(foreign_types) / sizeof(foreign_types[0]); i++) {
		if (token_is(name, n, foreign_types[i])) {
			return true;
		}
	}
	return false;
}

/*
 * Splits line[0..n) (no '\n') into marker, hosts and key part. Returns 0
 * (f->kind says comment or entry) or SESH_ERR_INVALID_FORMAT.
 */
static int
split_line(const char *line, size_t n, struct fields *f)
{
	size_t i = 0, start;

	memset(f, 0, sizeof(*f));
	while (i < n && is_blank(line[i])) {
		i++;
	}
	if (i == n || line[i] == '#') {
		f->kind = HOSTFILE_LINE_COMMENT;
		return 0;
	}
	if (line[i] == '@') {
		start = i;
		while (i < n && !is_blank(line[i])) {
			i++;
		}
		if (token_is(line + start, i - start, MARKER_REVOKED)) {
			f->marker = HOSTFILE_MARKER_REVOKED;
		} else if (token_is(line + start, i - start, MARKER_CA)) {
			f->marker = HOSTFILE_MARKER_CERT_AUTHORITY;
		} else {
			return SESH_ERR_INVALID_FORMAT;
		}
		while (i < n && is_blank(line[i])) {
			i++;
		}
	}
	start = i;
	while (i < n && !is_blank(line[i])) {
		i++;
	}
	if (i == start) {
		return SESH_ERR_INVALID_FORMAT;
	}
	f->hosts_off = start;
	f->hosts_len = i - start;
	while (i < n && is_blank(line[i])) {
		i++;
	}
	if (i == n) {
		return SESH_ERR_INVALID_FORMAT;
	}
	f->key_off = i;
	f->kind = HOSTFILE_LINE_ENTRY;
	return 0;
}

/* Decodes base64 s[0..n) that must yield exactly want bytes into out. */
static int
decode_exact(const char *s, size_t n, uint8_t *out, size_t want)
{
	struct buf b;
	int ret;

	buf_init(&b, 256);
	if ((ret = b64_decode(&b, s, n)) != 0) {
		goto out;
	}
	if (buf_len(&b) != want) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	memcpy(out, buf_data(&b), want);
out:
	buf_clear(&b);
	return ret;
}

/* Parses "|1|base64(salt)|base64(hash)". */
static int
parse_hashed(const char *h, size_t n, uint8_t salt[HOSTFILE_SALT_LEN],
             uint8_t hash[HOSTFILE_HASH_LEN])
{
	size_t ml = strlen(HOSTFILE_HASH_MAGIC), i;
	int ret;

	if (n < ml || memcmp(h, HOSTFILE_HASH_MAGIC, ml) != 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	for (i = ml; i < n && h[i] != '|'; i++) {
	}
	if (i == n) {
		return SESH_ERR_INVALID_FORMAT;
	}
	if ((ret = decode_exact(h + ml, i - ml, salt, HOSTFILE_SALT_LEN)) !=
	        0 ||
	    (ret = decode_exact(h + i + 1, n - i - 1, hash,
	                        HOSTFILE_HASH_LEN)) != 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	return 0;
}

/* HMAC-SHA1(salt, name) == hash, compared in constant time. */
static int
hashed_match(const uint8_t *salt, const uint8_t *hash, const char *name,
             size_t n, enum match_result *res)
{
	uint8_t mac[HASH_MAX_LEN];
	int ret;

	*res = MATCH_NONE;
	if ((ret = hmac_digest(HASH_SHA1, salt, HOSTFILE_SALT_LEN, name, n,
	                       mac)) != 0) {
		return ret;
	}
	if (crypto_equal(mac, hash, HOSTFILE_HASH_LEN)) {
		*res = MATCH_POSITIVE;
	}
	return 0;
}

/* Matches a raw hosts field (a malformed hashed one matches nothing). */
static int
match_field(const char *hosts, size_t hl, const char *name, size_t n,
            enum match_result *res)
{
	uint8_t salt[HOSTFILE_SALT_LEN], hash[HOSTFILE_HASH_LEN];

	*res = MATCH_NONE;
	if (hl > 0 && hosts[0] == '|') {
		if (parse_hashed(hosts, hl, salt, hash) != 0) {
			return 0;
		}
		return hashed_match(salt, hash, name, n, res);
	}
	*res = match_pattern_list(name, n, hosts, hl, true);
	return 0;
}

int
hostfile_parse_line(const char *line, size_t n, struct hostfile_entry *out)
{
	struct hostfile_entry e = {0};
	struct fields f;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(out, 0, sizeof(*out));
	if (line == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (n > SESH_MAX_LINE) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	if (n > 0 && line[n - 1] == '\n') {
		n--;
	}
	if (memchr(line, '\0', n) != NULL || memchr(line, '\n', n) != NULL) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if ((ret = split_line(line, n, &f)) != 0) {
		goto out;
	}
	if (f.kind == HOSTFILE_LINE_COMMENT) {
		out->kind = HOSTFILE_LINE_COMMENT;
		ret = 0;
		goto out;
	}
	e.kind = HOSTFILE_LINE_ENTRY;
	e.marker = f.marker;
	if ((e.hosts = strndup(line + f.hosts_off, f.hosts_len)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if (e.hosts[0] == '|') {
		if ((ret = parse_hashed(e.hosts, f.hosts_len, e.salt,
		                        e.hash)) != 0) {
			goto out;
		}
		e.hashed = true;
	}
	if ((ret = key_from_pub_line(line + f.key_off, n - f.key_off,
	                             &e.key)) != 0) {
		goto out;
	}
	*out = e;
	memset(&e, 0, sizeof(e));
out:
	hostfile_entry_clear(&e);
	return ret;
}

void
hostfile_entry_clear(struct hostfile_entry *e)
{
	if (e == NULL) {
		return;
	}
	free(e->hosts);
	key_free(e->key);
	memset(e, 0, sizeof(*e));
}

int
hostfile_lookup_name(const char *host, unsigned int port, struct buf *out)
{
	char portstr[16];
	size_t start;
	int ret;

	if (host == NULL || out == NULL || host[0] == '\0' || port > 65535) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	start = buf_len(out);
	if (port == 0 || port == HOSTFILE_DEFAULT_PORT) {
		return buf_put(out, host, strlen(host));
	}
	snprintf(portstr, sizeof(portstr), "%u", port);
	if ((ret = buf_put_u8(out, '[')) != 0 ||
	    (ret = buf_put(out, host, strlen(host))) != 0 ||
	    (ret = buf_put(out, "]:", 2)) != 0 ||
	    (ret = buf_put(out, portstr, strlen(portstr))) != 0) {
		buf_truncate(out, start);
		return ret;
	}
	return 0;
}

int
hostfile_match_name(const struct hostfile_entry *e, const char *name, size_t n,
                    enum match_result *res)
{
	if (res == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*res = MATCH_NONE;
	if (e == NULL || (name == NULL && n != 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (e->kind != HOSTFILE_LINE_ENTRY || e->hosts == NULL) {
		return 0;
	}
	if (e->hashed) {
		return hashed_match(e->salt, e->hash, name, n, res);
	}
	*res = match_pattern_list(name, n, e->hosts, strlen(e->hosts), true);
	return 0;
}

int
hostfile_match_host(const struct hostfile_entry *e, const char *host,
                    unsigned int port, enum match_result *res)
{
	struct buf name;
	int ret;

	if (res == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*res = MATCH_NONE;
	buf_init(&name, SESH_MAX_LINE);
	if ((ret = hostfile_lookup_name(host, port, &name)) != 0) {
		goto out;
	}
	ret = hostfile_match_name(e, (const char *)buf_data(&name),
	                          buf_len(&name), res);
out:
	buf_clear(&name);
	return ret;
}

int
hostfile_hash_name(const char *name, size_t n, const uint8_t *salt,
                   struct buf *out)
{
	uint8_t s[HOSTFILE_SALT_LEN], mac[HASH_MAX_LEN];
	size_t start;
	int ret;

	if ((name == NULL && n != 0) || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	start = buf_len(out);
	if (salt != NULL) {
		memcpy(s, salt, sizeof(s));
	} else if ((ret = rand_bytes(s, sizeof(s))) != 0) {
		goto out;
	}
	if ((ret = hmac_digest(HASH_SHA1, s, sizeof(s), name, n, mac)) != 0 ||
	    (ret = buf_put(out, HOSTFILE_HASH_MAGIC,
	                   strlen(HOSTFILE_HASH_MAGIC))) != 0 ||
	    (ret = b64_encode(out, s, sizeof(s))) != 0 ||
	    (ret = buf_put_u8(out, '|')) != 0 ||
	    (ret = b64_encode(out, mac, HOSTFILE_HASH_LEN)) != 0) {
		goto out;
	}
out:
	if (ret != 0) {
		buf_truncate(out, start);
	}
	return ret;
}

int
hostfile_hash_host(const char *host, unsigned int port, struct buf *out)
{
	struct buf name;
	int ret;

	buf_init(&name, SESH_MAX_LINE);
	if ((ret = hostfile_lookup_name(host, port, &name)) != 0) {
		goto out;
	}
	ret = hostfile_hash_name((const char *)buf_data(&name), buf_len(&name),
	                         NULL, out);
out:
	buf_clear(&name);
	return ret;
}

int
hostfile_format_line(const char *host, unsigned int port,
                     const struct sshkey *key, bool hash, struct buf *out)
{
	size_t start;
	int ret;

	if (key == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	start = buf_len(out);
	if (hash) {
		ret = hostfile_hash_host(host, port, out);
	} else {
		ret = hostfile_lookup_name(host, port, out);
	}
	if (ret != 0 || (ret = buf_put_u8(out, ' ')) != 0 ||
	    (ret = key_to_pub_line(key, false, out)) != 0 ||
	    (ret = buf_put_u8(out, '\n')) != 0) {
		goto out;
	}
out:
	if (ret != 0) {
		buf_truncate(out, start);
	}
	return ret;
}

/* ---- transforms ---- */

enum xform_mode {
	XFORM_REMOVE,
	XFORM_FIND,
	XFORM_HASH,
};

void
hostfile_result_clear(struct hostfile_result *r)
{
	if (r == NULL) {
		return;
	}
	buf_clear(&r->out);
	free(r->hits);
	free(r->invalid);
	free(r->wild);
	memset(r, 0, sizeof(*r));
}

/* Appends v to a growable array of line numbers. */
static int
push_line(size_t **arr, size_t *n, size_t v)
{
	size_t bytes;
	size_t *p;

	if (!size_mul(*n + 1, sizeof(**arr), &bytes)) {
		return SESH_ERR_LIMIT;
	}
	if ((p = realloc(*arr, bytes)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	p[*n] = v;
	*arr = p;
	(*n)++;
	return 0;
}

static int
push_hit(struct hostfile_result *r, const struct hostfile_hit *h)
{
	size_t bytes;
	struct hostfile_hit *p;

	if (!size_mul(r->nhits + 1, sizeof(*p), &bytes)) {
		return SESH_ERR_LIMIT;
	}
	if ((p = realloc(r->hits, bytes)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	p[r->nhits] = *h;
	r->hits = p;
	r->nhits++;
	return 0;
}

static int
emit_verbatim(struct buf *out, const char *line, size_t n)
{
	int ret;

	if ((ret = buf_put(out, line, n)) != 0) {
		return ret;
	}
	return buf_put_u8(out, '\n');
}

/*
 * Key type words OpenSSH's sshkey_type_from_name() accepts beyond the key
 * names sesh implements and the foreign types above: RSA signature names,
 * the certificate and webauthn variants, and the short names (matched
 * ignoring case).
 */
static const char *const openssh_type_aliases[] = {
    "rsa-sha2-256",
    "rsa-sha2-512",
    "rsa-sha2-256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
};
static const char *const openssh_short_names[] = {
    "rsa", "dsa", "ecdsa", "ed25519", "ecdsa-sk", "ed25519-sk",
};

/* Is t[0..n) a key type word OpenSSH knows? */
static bool
known_type_word(const char *t, size_t n)
{
	size_t i;

	if (key_type_from_name(t, n) != KEY_UNKNOWN ||
	    hostfile_is_foreign_key_type(t, n)) {
		return true;
	}
	for (i = 0;
	     i < sizeof(openssh_type_aliases) / sizeof(openssh_type_aliases[0]);
	     i++) {
		if (token_is(t, n, openssh_type_aliases[i])) {
			return true;
		}
	}
	for (i = 0;
	     i < sizeof(openssh_short_names) / sizeof(openssh_short_names[0]);
	     i++) {
		if (strlen(openssh_short_names[i]) == n &&
		    strncasecmp(t, openssh_short_names[i], n) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * Classifies a line (no '\n'): *valid is true for a comment or a usable
 * entry; with check_hashed a malformed hashed name makes it invalid.
 * As ssh-keygen -R/-F/-H do (they never decode the key), an entry is
 * usable when its key type is one OpenSSH knows and something other than
 * a '#' follows it; the base64 body is not checked, so a damaged key on
 * one line never stops another host from being removed or found.
 * Returns 0 (no failure is possible; the int keeps the call sites'
 * error chain).
 */
static int
classify(const char *line, size_t n, bool check_hashed, struct fields *f,
         bool *valid)
{
	uint8_t salt[HOSTFILE_SALT_LEN], hash[HOSTFILE_HASH_LEN];
	size_t i, tl;

	*valid = false;
	if (n > SESH_MAX_LINE || memchr(line, '\0', n) != NULL ||
	    split_line(line, n, f) != 0) {
		return 0;
	}
	if (f->kind == HOSTFILE_LINE_COMMENT) {
		*valid = true;
		return 0;
	}
	if (check_hashed && line[f->hosts_off] == '|' &&
	    parse_hashed(line + f->hosts_off, f->hosts_len, salt, hash) != 0) {
		return 0;
	}
	/* key type, then a non-blank that does not start a comment */
	for (i = f->key_off; i < n && !is_blank(line[i]); i++) {
	}
	tl = i - f->key_off;
	while (i < n && is_blank(line[i])) {
		i++;
	}
	*valid =
	    known_type_word(line + f->key_off, tl) && i < n && line[i] != '#';
	return 0;
}

/*
 * Writes the -H form of an entry line: one "<hash> <key part>" line per
 * host name, or the line verbatim if it is hashed, marked or holds a
 * wildcard (*wild is then set for a wildcard).
 */
static int
emit_hashed(struct hostfile_result *r, const char *line, size_t n,
            const struct fields *f, bool *wild)
{
	const char *hosts = line + f->hosts_off;
	size_t hl = f->hosts_len, s = 0, e, i;
	char *lower = NULL;
	int ret = 0;

	*wild = match_has_wildcard(hosts, hl);
	if (hosts[0] == '|' || f->marker != HOSTFILE_MARKER_NONE || *wild) {
		return emit_verbatim(&r->out, line, n);
	}
	if ((lower = malloc(hl)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	for (i = 0; i < hl; i++) {
		char c = hosts[i];

		lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	while (s <= hl) {
		for (e = s; e < hl && lower[e] != ','; e++) {
		}
		if (e > s) {
			if ((ret = hostfile_hash_name(lower + s, e - s, NULL,
			                              &r->out)) != 0 ||
			    (ret = buf_put_u8(&r->out, ' ')) != 0 ||
			    (ret = emit_verbatim(&r->out, line + f->key_off,
			                         n - f->key_off)) != 0) {
				goto out;
			}
			r->hashed_some = true;
		}
		s = e + 1;
	}
out:
	free(lower);
	return ret;
}

static int
transform(enum xform_mode mode, const uint8_t *content, size_t n,
          const char *name, size_t namelen, bool hash,
          struct hostfile_result *res)
{
	struct hostfile_result r = {0};
	const char *text = (const char *)content;
	size_t pos = 0, lineno = 0;
	int ret = 0;

	if (res == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(res, 0, sizeof(*res));
	buf_init(&r.out, 0);
	if ((content == NULL && n != 0) ||
	    (mode != XFORM_HASH && (name == NULL || namelen == 0))) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (n > SESH_MAX_WRITER) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	while (pos < n) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', n - pos);
		size_t len = nl != NULL ? (size_t)(nl - line) : n - pos;
		struct fields f;
		enum match_result m = MATCH_NONE;
		struct hostfile_hit hit = {0};
		bool valid, wild;

		pos += len + (nl != NULL ? 1 : 0);
		lineno++;
		if ((ret = classify(line, len, mode != XFORM_HASH, &f,
		                    &valid)) != 0) {
			goto out;
		}
		if (!valid) {
			if ((ret = push_line(&r.invalid, &r.ninvalid,
			                     lineno)) != 0) {
				goto out;
			}
		} else if (f.kind == HOSTFILE_LINE_ENTRY &&
		           mode != XFORM_HASH &&
		           (mode == XFORM_FIND ||
		            f.marker == HOSTFILE_MARKER_NONE)) {
			if ((ret = match_field(line + f.hosts_off, f.hosts_len,
			                       name, namelen, &m)) != 0) {
				goto out;
			}
		}
		hit.line = lineno;
		hit.marker = f.marker;
		switch (mode) {
		case XFORM_REMOVE:
			if (m == MATCH_POSITIVE) {
				ret = push_hit(&r, &hit);
			} else {
				ret = emit_verbatim(&r.out, line, len);
			}
			break;
		case XFORM_FIND:
			if (m != MATCH_POSITIVE) {
				break;
			}
			hit.off = buf_len(&r.out);
			if (hash) {
				ret = emit_hashed(&r, line, len, &f, &wild);
			} else {
				ret = emit_verbatim(&r.out, line, len);
			}
			hit.len = buf_len(&r.out) - hit.off;
			if (ret == 0) {
				ret = push_hit(&r, &hit);
			}
			break;
		case XFORM_HASH:
			if (!valid || f.kind != HOSTFILE_LINE_ENTRY) {
				ret = emit_verbatim(&r.out, line, len);
				break;
			}
			if ((ret = emit_hashed(&r, line, len, &f, &wild)) ==
			        0 &&
			    wild) {
				ret = push_line(&r.wild, &r.nwild, lineno);
			}
			break;
		}
		if (ret != 0) {
			goto out;
		}
	}
	*res = r;
	memset(&r, 0, sizeof(r));
out:
	hostfile_result_clear(&r);
	return ret;
}

int
hostfile_remove_host(const uint8_t *content, size_t n, const char *name,
                     size_t namelen, struct hostfile_result *res)
{
	return transform(XFORM_REMOVE, content, n, name, namelen, false, res);
}

int
hostfile_find_host(const uint8_t *content, size_t n, const char *name,
                   size_t namelen, bool hash, struct hostfile_result *res)
{
	return transform(XFORM_FIND, content, n, name, namelen, hash, res);
}

int
hostfile_hash_content(const uint8_t *content, size_t n,
                      struct hostfile_result *res)
{
	return transform(XFORM_HASH, content, n, NULL, 0, false, res);
}
