/*
 * hostkeys_update.c - the pure half of UpdateHostKeys: parsing the
 * server's key list, planning the known_hosts change, the proof request
 * and its check, and rewriting the file's content. Contract in
 * hostkeys_update.h; the client's glue is in client_hkupdate.c.
 */
#include "app/hostkeys_update.h"

#include <stdlib.h>
#include <string.h>

#include "app/privsep_req.h"
#include "base/err.h"
#include "key/hostfile.h"
#include "key/match.h"

void
hkupd_keys_clear(struct hkupd_keys *ks)
{
	size_t i;

	if (ks == NULL) {
		return;
	}
	for (i = 0; i < ks->n; i++) {
		key_free(ks->k[i]);
	}
	memset(ks, 0, sizeof(*ks));
}

void
hkupd_plan_clear(struct hkupd_plan *pl)
{
	if (pl == NULL) {
		return;
	}
	hkupd_keys_clear(&pl->add);
	hkupd_keys_clear(&pl->remove);
	memset(pl, 0, sizeof(*pl));
}

static bool
keys_have(const struct hkupd_keys *ks, const struct sshkey *k)
{
	size_t i;

	for (i = 0; i < ks->n; i++) {
		if (key_equal_public(ks->k[i], k)) {
			return true;
		}
	}
	return false;
}

/* Adds a public copy of k (once). */
static int
keys_push_copy(struct hkupd_keys *ks, const struct sshkey *k)
{
	int ret;

	if (keys_have(ks, k)) {
		return 0;
	}
	if (ks->n >= HKUPD_MAX_KEYS) {
		return SESH_ERR_LIMIT;
	}
	if ((ret = key_public_copy(k, &ks->k[ks->n])) != 0) {
		return ret;
	}
	ks->n++;
	return 0;
}

int
hkupd_parse_keys(const uint8_t *p, size_t n, struct hkupd_keys *out,
                 size_t *skipped)
{
	struct hkupd_keys ks;
	struct sshkey *k = NULL;
	const uint8_t *b;
	size_t bn, skip = 0, total = 0;
	struct rd r;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&ks, 0, sizeof(ks));
	if (skipped != NULL) {
		*skipped = 0;
	}
	if (p == NULL && n > 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	rd_init(&r, p, n);
	/* string hostkey, repeated (OpenSSH PROTOCOL §2.5) */
	while (rd_left(&r) > 0) {
		if ((ret = rd_string(&r, &b, &bn)) != 0) {
			goto out;
		}
		if (bn == 0) {
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
		if (++total > HKUPD_MAX_KEYS) {
			ret = SESH_ERR_LIMIT;
			goto out;
		}
		ret = key_from_blob(b, bn, &k);
		if (ret == SESH_ERR_NOMEM) {
			goto out;
		}
		if (ret != 0) {
			skip++; /* a type we do not know, or a bad blob */
			continue;
		}
		if (keys_have(&ks, k)) {
			key_free(k);
			k = NULL;
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
		ks.k[ks.n++] = k;
		k = NULL;
	}
	*out = ks;
	memset(&ks, 0, sizeof(ks));
	if (skipped != NULL) {
		*skipped = skip;
	}
	ret = 0;
out:
	key_free(k);
	hkupd_keys_clear(&ks);
	return ret;
}

/* One name, no pattern: an entry we may drop for this host alone. */
static bool
simple_hosts(const struct hostfile_entry *e)
{
	return e->hashed || strchr(e->hosts, ',') == NULL;
}

/*
 * Calls fn for every known_hosts entry of content whose hosts match name
 * (positively), with the line's bytes; other lines go to fn with e NULL
 * when all is set.
 */
typedef int (*line_fn)(void *arg, const struct hostfile_entry *e,
                       const uint8_t *line, size_t len);

static int
each_line(const uint8_t *content, size_t n, const char *name, bool all,
          line_fn fn, void *arg)
{
	struct hostfile_entry e;
	enum match_result m;
	size_t pos = 0, end;
	const uint8_t *nl;
	int ret = 0;

	memset(&e, 0, sizeof(e));
	while (pos < n && ret == 0) {
		nl = memchr(content + pos, '\n', n - pos);
		end = nl == NULL ? n : (size_t)(nl - content) + 1;
		m = MATCH_NONE;
		ret = hostfile_parse_line((const char *)content + pos,
		                          end - pos, &e);
		if (ret == SESH_ERR_NOMEM) {
			break;
		}
		if (ret == 0 && e.kind == HOSTFILE_LINE_ENTRY) {
			ret = hostfile_match_name(&e, name, strlen(name), &m);
		} else {
			ret = 0;
		}
		if (ret == 0 && m == MATCH_POSITIVE) {
			ret = fn(arg, &e, content + pos, end - pos);
		} else if (ret == 0 && all) {
			ret = fn(arg, NULL, content + pos, end - pos);
		}
		hostfile_entry_clear(&e);
		pos = end;
	}
	hostfile_entry_clear(&e);
	return ret;
}

struct plan_ctx {
	const struct sshkey *hostkey;
	const struct hkupd_keys *server;
	bool known[HKUPD_MAX_KEYS];   /* server key i has a plain entry */
	bool revoked[HKUPD_MAX_KEYS]; /* server key i is @revoked */
	bool found, hashed;
	struct hkupd_keys remove;
};

static int
plan_line(void *arg, const struct hostfile_entry *e, const uint8_t *line,
          size_t len)
{
	struct plan_ctx *c = arg;
	bool offered = false;
	size_t i;

	(void)line;
	(void)len;
	if (e->marker == HOSTFILE_MARKER_CERT_AUTHORITY) {
		return 0;
	}
	if (e->marker == HOSTFILE_MARKER_NONE && !e->hashed &&
	    match_has_wildcard(e->hosts, strlen(e->hosts))) {
		return SESH_ERR_UNSUPPORTED; /* ssh leaves such files alone */
	}
	for (i = 0; i < c->server->n; i++) {
		if (key_equal_public(e->key, c->server->k[i])) {
			offered = true;
			if (e->marker == HOSTFILE_MARKER_REVOKED) {
				c->revoked[i] = true;
			} else {
				c->known[i] = true;
			}
		}
	}
	if (e->marker != HOSTFILE_MARKER_NONE) {
		return 0;
	}
	if (!c->found && key_equal_public(e->key, c->hostkey)) {
		c->found = true;
		c->hashed = e->hashed;
	}
	if (offered || key_equal_public(e->key, c->hostkey)) {
		return 0;
	}
	if (!simple_hosts(e)) {
		return SESH_ERR_UNSUPPORTED; /* shared with other names */
	}
	return keys_push_copy(&c->remove, e->key);
}

int
hkupd_plan(const uint8_t *content, size_t n, const char *name,
           const struct sshkey *hostkey, const struct hkupd_keys *server,
           struct hkupd_plan *out)
{
	struct plan_ctx *c = NULL;
	struct hkupd_plan pl;
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&pl, 0, sizeof(pl));
	if ((content == NULL && n > 0) || name == NULL || hostkey == NULL ||
	    server == NULL || server->n > HKUPD_MAX_KEYS) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	c->hostkey = hostkey;
	c->server = server;
	if ((ret = each_line(content, n, name, false, plan_line, c)) != 0) {
		goto out;
	}
	if (!c->found) {
		ret = SESH_ERR_NOT_FOUND;
		goto out;
	}
	for (i = 0; i < server->n; i++) {
		if (!c->known[i] && !c->revoked[i] &&
		    (ret = keys_push_copy(&pl.add, server->k[i])) != 0) {
			goto out;
		}
	}
	pl.remove = c->remove;
	memset(&c->remove, 0, sizeof(c->remove));
	pl.hashed = c->hashed;
	*out = pl;
	memset(&pl, 0, sizeof(pl));
	ret = 0;
out:
	if (c != NULL) {
		hkupd_keys_clear(&c->remove);
		free(c);
	}
	hkupd_plan_clear(&pl);
	return ret;
}

/* Appends string blob(k). */
static int
put_blob(struct buf *out, const struct sshkey *k)
{
	struct buf blob;
	int ret;

	buf_init(&blob, 0);
	if ((ret = key_to_blob(k, &blob)) == 0) {
		ret = buf_put_string(out, buf_data(&blob), buf_len(&blob));
	}
	buf_clear(&blob);
	return ret;
}

int
hkupd_prove_request(const struct hkupd_keys *keys, struct buf *out)
{
	size_t start = buf_len(out), i;
	int ret = 0;

	/* string hostkey, repeated */
	for (i = 0; i < keys->n && ret == 0; i++) {
		ret = put_blob(out, keys->k[i]);
	}
	if (ret != 0) {
		buf_truncate(out, start);
	}
	return ret;
}

int
hkupd_verify_proofs(const struct hkupd_keys *keys, const uint8_t *sid,
                    size_t sidn, const char *kex_hostkey_alg, const uint8_t *p,
                    size_t n)
{
	struct buf data, blob;
	const uint8_t *sig;
	const char *alg;
	size_t sign, i;
	struct rd r;
	int ret = 0;

	if (keys == NULL || sid == NULL || sidn == 0 || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_init(&data, 0);
	buf_init(&blob, 0);
	rd_init(&r, p, n);
	/* string signature, one per key of the request, in its order */
	for (i = 0; i < keys->n && ret == 0; i++) {
		if ((ret = rd_string(&r, &sig, &sign)) != 0) {
			break;
		}
		buf_reset(&data);
		buf_reset(&blob);
		/* what the server signed: the same builder as seshd's */
		if ((ret = key_to_blob(keys->k[i], &blob)) != 0 ||
		    (ret = privsep_prove_data(sid, sidn, buf_data(&blob),
		                              buf_len(&blob), &data)) != 0) {
			break;
		}
		alg = NULL; /* the key's own algorithm(s), never ssh-rsa */
		if (keys->k[i]->type == KEY_RSA && kex_hostkey_alg != NULL &&
		    (strcmp(kex_hostkey_alg, "rsa-sha2-256") == 0 ||
		     strcmp(kex_hostkey_alg, "rsa-sha2-512") == 0)) {
			alg = kex_hostkey_alg;
		}
		ret = key_verify(keys->k[i], alg, false, sig, sign,
		                 buf_data(&data), buf_len(&data));
	}
	if (ret == 0) {
		ret = rd_end(&r);
	}
	buf_clear(&data);
	buf_clear(&blob);
	return ret;
}

struct rewrite_ctx {
	const struct hkupd_keys *remove;
	struct buf *out;
};

static int
rewrite_line(void *arg, const struct hostfile_entry *e, const uint8_t *line,
             size_t len)
{
	struct rewrite_ctx *c = arg;

	if (e != NULL && e->marker == HOSTFILE_MARKER_NONE && simple_hosts(e) &&
	    keys_have(c->remove, e->key)) {
		return 0; /* dropped */
	}
	return buf_put(c->out, line, len);
}

int
hkupd_rewrite(const uint8_t *content, size_t n, const char *name,
              const char *host, unsigned int port, const struct hkupd_plan *pl,
              bool hash, struct buf *out)
{
	struct rewrite_ctx c;
	size_t i;
	int ret;

	if ((content == NULL && n > 0) || name == NULL || host == NULL ||
	    pl == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	c.remove = &pl->remove;
	c.out = out;
	if ((ret = each_line(content, n, name, true, rewrite_line, &c)) != 0) {
		return ret;
	}
	if (pl->add.n > 0 && buf_len(out) > 0 &&
	    buf_data(out)[buf_len(out) - 1] != '\n' &&
	    (ret = buf_put_u8(out, '\n')) != 0) {
		return ret;
	}
	for (i = 0; i < pl->add.n; i++) {
		if ((ret = hostfile_format_line(host, port, pl->add.k[i], hash,
		                                out)) != 0) {
			return ret;
		}
	}
	return 0;
}
