/*
 * mac.c - SSH transport MACs over the reusable HMAC contexts of hash.h
 * (see mac.h). The context is keyed once; each packet restarts it with
 * hmac_init(), so per packet only the hashing is paid for.
 */
#include "crypto/mac.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

static const struct mac_alg mac_algs[] = {
    {"hmac-sha2-256-etm@openssh.com", HASH_SHA256, 32, 32, true},
    {"hmac-sha2-512-etm@openssh.com", HASH_SHA512, 64, 64, true},
    {"hmac-sha2-256", HASH_SHA256, 32, 32, false},
    {"hmac-sha2-512", HASH_SHA512, 64, 64, false},
    {"hmac-sha1", HASH_SHA1, 20, 20, false},
};

#define MAC_NALGS (sizeof(mac_algs) / sizeof(mac_algs[0]))

struct mac_ctx {
	const struct mac_alg *alg;
	struct hmac_ctx *hmac;
	uint8_t key[MAC_MAX_KEY_LEN]; /* kept for mac_export(); wiped */
};

const struct mac_alg *
mac_by_name_n(const char *name, size_t n)
{
	size_t i;

	if (name == NULL) {
		return NULL;
	}
	for (i = 0; i < MAC_NALGS; i++) {
		if (strlen(mac_algs[i].name) == n &&
		    memcmp(mac_algs[i].name, name, n) == 0) {
			return &mac_algs[i];
		}
	}
	return NULL;
}

const struct mac_alg *
mac_by_name(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	return mac_by_name_n(name, strlen(name));
}

const struct mac_alg *
mac_alg_at(size_t i)
{
	return i < MAC_NALGS ? &mac_algs[i] : NULL;
}

int
mac_new(const struct mac_alg *alg, const uint8_t *key, struct mac_ctx **out)
{
	struct mac_ctx *m = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (alg == NULL || key == NULL || alg->tag_len > MAC_MAX_TAG_LEN ||
	    alg->tag_len != hash_len(alg->hash)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	m->alg = alg;
	if (alg->key_len > sizeof(m->key)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	memcpy(m->key, key, alg->key_len);
	if ((ret = hmac_new(alg->hash, key, alg->key_len, &m->hmac)) != 0) {
		goto out;
	}
	*out = m;
	m = NULL;
	ret = 0;
out:
	mac_free(m);
	return ret;
}

void
mac_free(struct mac_ctx *m)
{
	if (m == NULL) {
		return;
	}
	hmac_free(m->hmac);
	crypto_wipe(m, sizeof(*m));
	free(m);
}

const struct mac_alg *
mac_alg(const struct mac_ctx *m)
{
	return m == NULL ? NULL : m->alg;
}

int
mac_compute(struct mac_ctx *m, uint32_t seqnr, const uint8_t *p, size_t n,
            uint8_t *out)
{
	uint8_t seq[4];
	int ret;

	if (m == NULL || out == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* uint32 sequence_number, big-endian (RFC 4253 §6.4) */
	seq[0] = (uint8_t)(seqnr >> 24);
	seq[1] = (uint8_t)(seqnr >> 16);
	seq[2] = (uint8_t)(seqnr >> 8);
	seq[3] = (uint8_t)seqnr;
	if ((ret = hmac_init(m->hmac)) != 0 ||
	    (ret = hmac_update(m->hmac, seq, sizeof(seq))) != 0 ||
	    (ret = hmac_update(m->hmac, p, n)) != 0 ||
	    (ret = hmac_final(m->hmac, out)) != 0) {
		return ret;
	}
	return 0;
}

int
mac_verify(struct mac_ctx *m, uint32_t seqnr, const uint8_t *p, size_t n,
           const uint8_t *tag)
{
	uint8_t want[MAC_MAX_TAG_LEN];
	int ret;

	if (m == NULL || tag == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = mac_compute(m, seqnr, p, n, want)) != 0) {
		goto out;
	}
	if (!crypto_equal(want, tag, m->alg->tag_len)) {
		ret = SESH_ERR_MAC_INVALID;
		goto out;
	}
	ret = 0;
out:
	crypto_wipe(want, sizeof(want));
	return ret;
}

/* ---- state transfer ---- */

int
mac_export(const struct mac_ctx *m, struct buf *out)
{
	size_t mark;
	int ret;

	if (m == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	mark = buf_len(out);
	if ((ret = buf_put_cstring(out, m->alg->name)) != 0 ||
	    (ret = buf_put_string(out, m->key, m->alg->key_len)) != 0) {
		buf_truncate(out, mark);
	}
	return ret;
}

int
mac_import(struct rd *r, struct mac_ctx **out)
{
	const struct mac_alg *alg;
	const uint8_t *name, *key;
	size_t name_len, key_len;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (r == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = rd_string_max(r, SESH_MAX_NAME, &name, &name_len)) != 0 ||
	    (ret = rd_string_max(r, MAC_MAX_KEY_LEN, &key, &key_len)) != 0) {
		return ret;
	}
	if ((alg = mac_by_name_n((const char *)name, name_len)) == NULL) {
		return SESH_ERR_UNSUPPORTED;
	}
	if (key_len != alg->key_len) {
		return SESH_ERR_INVALID_FORMAT;
	}
	return mac_new(alg, key, out);
}
