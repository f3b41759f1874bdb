/*
 * key.c - SSH key types, public-key blobs, signatures with SSH framing,
 * .pub lines, fingerprints and randomart (see key.h for the contract).
 *
 * Blob parsing is strict: mpints must be canonical (rd_mpint), the ECDSA
 * curve identifier must match the type name, the Ed25519 key must be 32
 * bytes, and key_from_blob rejects trailing bytes. Signature parsing is
 * equally strict; the only leniency is RSA signatures shorter than the
 * modulus, which OpenSSH may send and which are left-padded with zeros
 * before verification (RFC 8332 §3 asks for the full length, but OpenSSH
 * itself accepts and emits shorter ones).
 */
#include "key/key.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/b64.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"

struct key_info {
	enum key_type type;
	const char *name;
	const char *shortname;
	const char *curve;
	enum pkey_type ptype;
	unsigned int bits;     /* fixed size, 0 for RSA */
	enum hash_alg sighash; /* ECDSA curve hash */
};

static const struct key_info key_infos[] = {
    {KEY_ED25519, "ssh-ed25519", "ED25519", NULL, PKEY_ED25519, 256,
     HASH_SHA512},
    {KEY_ECDSA_P256, "ecdsa-sha2-nistp256", "ECDSA", "nistp256",
     PKEY_ECDSA_P256, 256, HASH_SHA256},
    {KEY_ECDSA_P384, "ecdsa-sha2-nistp384", "ECDSA", "nistp384",
     PKEY_ECDSA_P384, 384, HASH_SHA384},
    {KEY_ECDSA_P521, "ecdsa-sha2-nistp521", "ECDSA", "nistp521",
     PKEY_ECDSA_P521, 521, HASH_SHA512},
    {KEY_RSA, "ssh-rsa", "RSA", NULL, PKEY_RSA, 0, HASH_SHA512},
};

#define KEY_NINFOS           (sizeof(key_infos) / sizeof(key_infos[0]))
#define KEY_RSA_DEFAULT_BITS 3072

static const struct key_info *
key_info(enum key_type t)
{
	size_t i;

	for (i = 0; i < KEY_NINFOS; i++) {
		if (key_infos[i].type == t) {
			return &key_infos[i];
		}
	}
	return NULL;
}

static bool
is_ecdsa(enum key_type t)
{
	return t == KEY_ECDSA_P256 || t == KEY_ECDSA_P384 ||
	       t == KEY_ECDSA_P521;
}

const char *
key_type_name(enum key_type t)
{
	const struct key_info *ki = key_info(t);

	return ki != NULL ? ki->name : "unknown";
}

const char *
key_type_short(enum key_type t)
{
	const struct key_info *ki = key_info(t);

	return ki != NULL ? ki->shortname : "UNKNOWN";
}

enum key_type
key_type_from_name(const char *name, size_t n)
{
	size_t i;

	if (name == NULL) {
		return KEY_UNKNOWN;
	}
	for (i = 0; i < KEY_NINFOS; i++) {
		if (strlen(key_infos[i].name) == n &&
		    memcmp(key_infos[i].name, name, n) == 0) {
			return key_infos[i].type;
		}
	}
	return KEY_UNKNOWN;
}

enum key_type
key_type_from_keygen_name(const char *name, unsigned int bits)
{
	enum key_type t;

	if (name == NULL) {
		return KEY_UNKNOWN;
	}
	if ((t = key_type_from_name(name, strlen(name))) != KEY_UNKNOWN) {
		return t;
	}
	if (strcasecmp(name, "ed25519") == 0) {
		return KEY_ED25519;
	}
	if (strcasecmp(name, "rsa") == 0) {
		return KEY_RSA;
	}
	if (strcasecmp(name, "ecdsa") == 0) {
		/* Other sizes map to P-256 so key_generate reports the
		 * length as the problem. */
		if (bits == 384) {
			return KEY_ECDSA_P384;
		}
		if (bits == 521) {
			return KEY_ECDSA_P521;
		}
		return KEY_ECDSA_P256;
	}
	return KEY_UNKNOWN;
}

const char *
key_curve_name(enum key_type t)
{
	const struct key_info *ki = key_info(t);

	return ki != NULL ? ki->curve : NULL;
}

struct sshkey *
key_new(void)
{
	return calloc(1, sizeof(struct sshkey));
}

void
key_free(struct sshkey *k)
{
	if (k == NULL) {
		return;
	}
	pkey_free(k->pk);
	free(k->comment);
	free(k);
}

/* Wraps a pkey (taking ownership, also on error) into a new sshkey. */
static int
key_wrap(enum key_type type, struct pkey *pk, struct sshkey **out)
{
	struct sshkey *k;

	*out = NULL;
	if ((k = key_new()) == NULL) {
		pkey_free(pk);
		return SESH_ERR_NOMEM;
	}
	k->type = type;
	k->pk = pk;
	*out = k;
	return 0;
}

int
key_generate(enum key_type type, unsigned int bits, struct sshkey **out)
{
	const struct key_info *ki = key_info(type);
	struct pkey *pk = NULL;
	int ret;

	*out = NULL;
	if (ki == NULL) {
		return SESH_ERR_KEY_TYPE_UNKNOWN;
	}
	if (type == KEY_RSA) {
		if (bits == 0) {
			bits = KEY_RSA_DEFAULT_BITS;
		}
		if (bits < PKEY_RSA_MIN_BITS || bits > PKEY_RSA_MAX_BITS) {
			return SESH_ERR_KEY_LENGTH;
		}
	} else if (is_ecdsa(type)) {
		if (bits != 0 && bits != ki->bits) {
			return SESH_ERR_KEY_LENGTH;
		}
		bits = ki->bits;
	} else {
		bits = 0;
	}
	if ((ret = pkey_generate(ki->ptype, bits, &pk)) != 0) {
		return ret;
	}
	return key_wrap(type, pk, out);
}

int
key_public_copy(const struct sshkey *k, struct sshkey **out)
{
	struct sshkey *c = NULL;
	struct pkey *pk = NULL;
	int ret;

	*out = NULL;
	if (k == NULL || k->pk == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = pkey_public_copy(k->pk, &pk)) != 0) {
		goto out;
	}
	if ((ret = key_wrap(k->type, pk, &c)) != 0) {
		goto out;
	}
	if ((ret = key_set_comment(c, k->comment)) != 0) {
		goto out;
	}
	*out = c;
	c = NULL;
out:
	key_free(c);
	return ret;
}

bool
key_has_private(const struct sshkey *k)
{
	return k != NULL && k->pk != NULL && pkey_has_private(k->pk);
}

bool
key_equal_public(const struct sshkey *a, const struct sshkey *b)
{
	if (a == NULL || b == NULL || a->pk == NULL || b->pk == NULL) {
		return false;
	}
	return a->type == b->type && pkey_public_equal(a->pk, b->pk);
}

unsigned int
key_bits(const struct sshkey *k)
{
	if (k == NULL || k->pk == NULL) {
		return 0;
	}
	return pkey_bits(k->pk);
}

int
key_set_comment(struct sshkey *k, const char *comment)
{
	char *c = NULL;

	if (k == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (comment != NULL) {
		if (strlen(comment) > SESH_MAX_COMMENT) {
			return SESH_ERR_LIMIT;
		}
		if ((c = strdup(comment)) == NULL) {
			return SESH_ERR_NOMEM;
		}
	}
	free(k->comment);
	k->comment = c;
	return 0;
}

/* ---- blobs ---- */

int
key_public_from_reader(struct rd *r, struct sshkey **out)
{
	struct rd save = *r;
	const struct key_info *ki;
	const uint8_t *tname, *p, *q;
	size_t tlen, plen, qlen;
	struct pkey *pk = NULL;
	struct pkey_rsa_parts parts;
	enum key_type type;
	int ret;

	*out = NULL;
	/* string key type name */
	if ((ret = rd_string_max(r, SESH_MAX_NAME, &tname, &tlen)) != 0) {
		goto fail;
	}
	if ((type = key_type_from_name((const char *)tname, tlen)) ==
	    KEY_UNKNOWN) {
		ret = SESH_ERR_KEY_TYPE_UNKNOWN;
		goto fail;
	}
	ki = key_info(type);
	switch (type) {
	case KEY_ED25519:
		/* RFC 8709 §4: string key (32 bytes) */
		if ((ret = rd_string(r, &p, &plen)) != 0) {
			goto fail;
		}
		if (plen != PKEY_ED25519_LEN) {
			ret = SESH_ERR_KEY_LENGTH;
			goto fail;
		}
		ret = pkey_ed25519_from_raw(p, NULL, &pk);
		break;
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384:
	case KEY_ECDSA_P521:
		/* RFC 5656 §3.1: string curve identifier, string Q */
		if ((ret = rd_string_max(r, SESH_MAX_NAME, &p, &plen)) != 0) {
			goto fail;
		}
		if (plen != strlen(ki->curve) ||
		    memcmp(p, ki->curve, plen) != 0) {
			ret = SESH_ERR_INVALID_FORMAT;
			goto fail;
		}
		if ((ret = rd_string(r, &q, &qlen)) != 0) {
			goto fail;
		}
		if (qlen != 1 + 2 * pkey_ecdsa_field_len(ki->ptype)) {
			ret = SESH_ERR_INVALID_KEY;
			goto fail;
		}
		ret = pkey_ecdsa_from_raw(ki->ptype, q, qlen, NULL, 0, &pk);
		break;
	case KEY_RSA:
		/* RFC 4253 §6.6: mpint e, mpint n */
		memset(&parts, 0, sizeof(parts));
		if ((ret = rd_mpint(r, 0, &parts.e, &parts.e_len)) != 0 ||
		    (ret = rd_mpint(r, 0, &parts.n, &parts.n_len)) != 0) {
			goto fail;
		}
		ret = pkey_rsa_from_parts(&parts, &pk);
		break;
	default:
		ret = SESH_ERR_KEY_TYPE_UNKNOWN;
		break;
	}
	if (ret != 0) {
		goto fail;
	}
	return key_wrap(type, pk, out);
fail:
	*r = save;
	return ret;
}

int
key_from_blob(const uint8_t *blob, size_t n, struct sshkey **out)
{
	struct sshkey *k = NULL;
	struct rd r;
	int ret;

	*out = NULL;
	rd_init(&r, blob, n);
	if ((ret = key_public_from_reader(&r, &k)) != 0) {
		goto out;
	}
	if ((ret = rd_end(&r)) != 0) {
		goto out;
	}
	*out = k;
	k = NULL;
out:
	key_free(k);
	return ret;
}

int
key_to_blob(const struct sshkey *k, struct buf *out)
{
	const struct key_info *ki;
	uint8_t pub[PKEY_ED25519_LEN];
	struct buf tmp;
	size_t start;
	int ret;

	if (k == NULL || k->pk == NULL || (ki = key_info(k->type)) == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_init(&tmp, 0);
	start = buf_len(out);
	if ((ret = buf_put_cstring(out, ki->name)) != 0) {
		goto out;
	}
	switch (k->type) {
	case KEY_ED25519:
		if ((ret = pkey_ed25519_to_raw(k->pk, pub, NULL)) != 0 ||
		    (ret = buf_put_string(out, pub, sizeof(pub))) != 0) {
			goto out;
		}
		break;
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384:
	case KEY_ECDSA_P521:
		if ((ret = buf_put_cstring(out, ki->curve)) != 0 ||
		    (ret = pkey_ecdsa_point(k->pk, &tmp)) != 0 ||
		    (ret = buf_put_string(out, buf_data(&tmp),
		                          buf_len(&tmp))) != 0) {
			goto out;
		}
		break;
	case KEY_RSA:
		if ((ret = pkey_rsa_part(k->pk, PKEY_RSA_E, &tmp)) != 0 ||
		    (ret = buf_put_mpint(out, buf_data(&tmp), buf_len(&tmp))) !=
		        0) {
			goto out;
		}
		buf_reset(&tmp);
		if ((ret = pkey_rsa_part(k->pk, PKEY_RSA_N, &tmp)) != 0 ||
		    (ret = buf_put_mpint(out, buf_data(&tmp), buf_len(&tmp))) !=
		        0) {
			goto out;
		}
		break;
	default:
		ret = SESH_ERR_KEY_TYPE_UNKNOWN;
		goto out;
	}
out:
	if (ret != 0) {
		buf_truncate(out, start);
	}
	buf_clear(&tmp);
	return ret;
}

/* ---- signatures ---- */

/*
 * Resolves a signature algorithm name for key k: its hash and canonical
 * name. NULL means the key's default. Returns SESH_ERR_SIG_ALG_MISMATCH
 * if alg does not suit the key.
 */
static int
sig_alg_for_key(const struct sshkey *k, const char *alg, size_t alen,
                bool allow_sha1, const char **name, enum hash_alg *hash)
{
	const struct key_info *ki = key_info(k->type);

	if (ki == NULL) {
		return SESH_ERR_KEY_TYPE_UNKNOWN;
	}
	if (k->type != KEY_RSA) {
		if (alg != NULL && (alen != strlen(ki->name) ||
		                    memcmp(alg, ki->name, alen) != 0)) {
			return SESH_ERR_SIG_ALG_MISMATCH;
		}
		*name = ki->name;
		*hash = ki->sighash;
		return 0;
	}
	if (alg == NULL ||
	    (alen == 12 && memcmp(alg, "rsa-sha2-512", 12) == 0)) {
		*name = "rsa-sha2-512";
		*hash = HASH_SHA512;
		return 0;
	}
	if (alen == 12 && memcmp(alg, "rsa-sha2-256", 12) == 0) {
		*name = "rsa-sha2-256";
		*hash = HASH_SHA256;
		return 0;
	}
	if (alen == 7 && memcmp(alg, "ssh-rsa", 7) == 0) {
		if (!allow_sha1) {
			return SESH_ERR_SIG_ALG_MISMATCH;
		}
		*name = "ssh-rsa";
		*hash = HASH_SHA1;
		return 0;
	}
	return SESH_ERR_SIG_ALG_MISMATCH;
}

int
key_sign(const struct sshkey *k, const char *alg, const uint8_t *data, size_t n,
         struct buf *sig_out)
{
	struct buf raw;
	const char *name;
	enum hash_alg hash;
	size_t start, flen;
	int ret;

	if (k == NULL || k->pk == NULL || sig_out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (!key_has_private(k)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_init(&raw, 0);
	start = buf_len(sig_out);
	if ((ret = sig_alg_for_key(k, alg, alg != NULL ? strlen(alg) : 0, false,
	                           &name, &hash)) != 0) {
		goto out;
	}
	if ((ret = pkey_sign(k->pk, hash, data, n, &raw)) != 0) {
		goto out;
	}
	/* string signature algorithm name */
	if ((ret = buf_put_cstring(sig_out, name)) != 0) {
		goto out;
	}
	if (is_ecdsa(k->type)) {
		/* RFC 5656 §3.1.2: string(mpint r || mpint s) */
		flen = pkey_ecdsa_field_len(key_info(k->type)->ptype);
		if (buf_len(&raw) != 2 * flen) {
			ret = SESH_ERR_CRYPTO;
			goto out;
		}
		if ((ret = buf_begin(sig_out)) != 0 ||
		    (ret = buf_put_mpint(sig_out, buf_data(&raw), flen)) != 0 ||
		    (ret = buf_put_mpint(sig_out, buf_data(&raw) + flen,
		                         flen)) != 0 ||
		    (ret = buf_end(sig_out)) != 0) {
			goto out;
		}
	} else {
		if ((ret = buf_put_string(sig_out, buf_data(&raw),
		                          buf_len(&raw))) != 0) {
			goto out;
		}
	}
out:
	if (ret != 0) {
		buf_truncate(sig_out, start);
	}
	buf_clear(&raw);
	return ret;
}

/* Copies an mpint magnitude right-aligned into dst[flen]. */
static int
put_fixed(uint8_t *dst, size_t flen, const uint8_t *mag, size_t mlen)
{
	if (mlen > flen) {
		return SESH_ERR_BAD_SIGNATURE;
	}
	memset(dst, 0, flen - mlen);
	if (mlen > 0) {
		memcpy(dst + (flen - mlen), mag, mlen);
	}
	return 0;
}

int
key_verify(const struct sshkey *k, const char *alg, bool allow_sha1,
           const uint8_t *sig, size_t siglen, const uint8_t *data, size_t n)
{
	struct rd r, inner;
	const uint8_t *salg, *s, *rm, *sm;
	size_t salen, slen, rlen, smlen, flen, modlen;
	const char *name;
	enum hash_alg hash;
	uint8_t *fixed = NULL;
	size_t fixed_len = 0;
	int ret;

	if (k == NULL || k->pk == NULL || (sig == NULL && siglen != 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	rd_init(&r, sig, siglen);
	/* string algorithm, string signature blob */
	if ((ret = rd_string_max(&r, SESH_MAX_NAME, &salg, &salen)) != 0 ||
	    (ret = rd_string(&r, &s, &slen)) != 0 || (ret = rd_end(&r)) != 0) {
		goto out;
	}
	if (alg != NULL &&
	    (strlen(alg) != salen || memcmp(alg, salg, salen) != 0)) {
		ret = SESH_ERR_SIG_ALG_MISMATCH;
		goto out;
	}
	if ((ret = sig_alg_for_key(k, (const char *)salg, salen, allow_sha1,
	                           &name, &hash)) != 0) {
		goto out;
	}
	switch (k->type) {
	case KEY_ED25519:
		if (slen != PKEY_ED25519_SIG_LEN) {
			ret = SESH_ERR_BAD_SIGNATURE;
			goto out;
		}
		ret = pkey_verify(k->pk, hash, data, n, s, slen);
		break;
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384:
	case KEY_ECDSA_P521:
		flen = pkey_ecdsa_field_len(key_info(k->type)->ptype);
		rd_init(&inner, s, slen);
		if ((ret = rd_mpint(&inner, flen * 8, &rm, &rlen)) != 0 ||
		    (ret = rd_mpint(&inner, flen * 8, &sm, &smlen)) != 0 ||
		    (ret = rd_end(&inner)) != 0) {
			ret = SESH_ERR_BAD_SIGNATURE;
			goto out;
		}
		if (rlen == 0 || smlen == 0) {
			ret = SESH_ERR_BAD_SIGNATURE;
			goto out;
		}
		fixed_len = 2 * flen;
		if ((fixed = malloc(fixed_len)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		if ((ret = put_fixed(fixed, flen, rm, rlen)) != 0 ||
		    (ret = put_fixed(fixed + flen, flen, sm, smlen)) != 0) {
			goto out;
		}
		ret = pkey_verify(k->pk, hash, data, n, fixed, fixed_len);
		break;
	case KEY_RSA:
		modlen = (pkey_bits(k->pk) + 7) / 8;
		if (slen == 0 || slen > modlen) {
			ret = SESH_ERR_BAD_SIGNATURE;
			goto out;
		}
		if (slen == modlen) {
			ret = pkey_verify(k->pk, hash, data, n, s, slen);
			break;
		}
		/* OpenSSH may strip leading zeros; restore them. */
		fixed_len = modlen;
		if ((fixed = malloc(fixed_len)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		(void)put_fixed(fixed, modlen, s, slen);
		ret = pkey_verify(k->pk, hash, data, n, fixed, fixed_len);
		break;
	default:
		ret = SESH_ERR_KEY_TYPE_UNKNOWN;
		break;
	}
	(void)name;
out:
	free(fixed);
	return ret;
}

/* ---- .pub lines ---- */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

int
key_from_pub_line(const char *line, size_t n, struct sshkey **out)
{
	struct sshkey *k = NULL;
	struct buf blob;
	size_t i, tstart, tlen, bstart, blen, cstart, cend;
	char *comment = NULL;
	enum key_type type;
	int ret;

	*out = NULL;
	buf_init(&blob, SESH_MAX_LINE);
	if (line == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (n > SESH_MAX_LINE) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	if (memchr(line, '\0', n) != NULL) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	/* Drop a trailing line ending. */
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
		n--;
	}
	for (i = 0; i < n && is_space(line[i]); i++) {
	}
	tstart = i;
	for (; i < n && !is_space(line[i]); i++) {
	}
	tlen = i - tstart;
	for (; i < n && is_space(line[i]); i++) {
	}
	bstart = i;
	for (; i < n && !is_space(line[i]); i++) {
	}
	blen = i - bstart;
	for (; i < n && is_space(line[i]); i++) {
	}
	cstart = i;
	cend = n;
	while (cend > cstart && isspace((unsigned char)line[cend - 1])) {
		cend--;
	}
	if (tlen == 0 || blen == 0) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if ((type = key_type_from_name(line + tstart, tlen)) == KEY_UNKNOWN) {
		ret = SESH_ERR_KEY_TYPE_UNKNOWN;
		goto out;
	}
	if (memchr(line + cstart, '\n', cend - cstart) != NULL ||
	    memchr(line + cstart, '\r', cend - cstart) != NULL) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if (cend - cstart > SESH_MAX_COMMENT) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	if ((ret = b64_decode(&blob, line + bstart, blen)) != 0) {
		goto out;
	}
	if ((ret = key_from_blob(buf_data(&blob), buf_len(&blob), &k)) != 0) {
		goto out;
	}
	if (k->type != type) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if (cend > cstart) {
		if ((comment = strndup(line + cstart, cend - cstart)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		k->comment = comment;
	}
	*out = k;
	k = NULL;
out:
	key_free(k);
	buf_clear(&blob);
	return ret;
}

int
key_to_pub_line(const struct sshkey *k, bool with_comment, struct buf *out)
{
	struct buf blob;
	size_t start;
	int ret;

	if (k == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_init(&blob, 0);
	start = buf_len(out);
	if ((ret = key_to_blob(k, &blob)) != 0) {
		goto out;
	}
	if ((ret = buf_put(out, key_type_name(k->type),
	                   strlen(key_type_name(k->type)))) != 0 ||
	    (ret = buf_put_u8(out, ' ')) != 0 ||
	    (ret = b64_encode(out, buf_data(&blob), buf_len(&blob))) != 0) {
		goto out;
	}
	if (with_comment && k->comment != NULL && k->comment[0] != '\0') {
		if ((ret = buf_put_u8(out, ' ')) != 0 ||
		    (ret = buf_put(out, k->comment, strlen(k->comment))) != 0) {
			goto out;
		}
	}
out:
	if (ret != 0) {
		buf_truncate(out, start);
	}
	buf_clear(&blob);
	return ret;
}

/* ---- fingerprints and randomart ---- */

/* Appends a NUL after the content without counting it in buf_len. */
static int
put_nul(struct buf *out)
{
	int ret;

	if ((ret = buf_put_u8(out, 0)) != 0) {
		return ret;
	}
	buf_truncate(out, buf_len(out) - 1);
	return 0;
}

static int
key_digest(const struct sshkey *k, enum hash_alg h, uint8_t *dgst, size_t *dlen)
{
	struct buf blob;
	int ret;

	*dlen = 0;
	if (hash_len(h) == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_init(&blob, 0);
	if ((ret = key_to_blob(k, &blob)) != 0) {
		goto out;
	}
	if ((ret = hash_digest(h, buf_data(&blob), buf_len(&blob), dgst)) !=
	    0) {
		goto out;
	}
	*dlen = hash_len(h);
out:
	buf_clear(&blob);
	return ret;
}

int
key_fingerprint(const struct sshkey *k, enum hash_alg h, struct buf *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t dgst[HASH_MAX_LEN];
	size_t dlen, i, start;
	int ret;

	if (k == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	start = buf_len(out);
	if ((ret = key_digest(k, h, dgst, &dlen)) != 0) {
		goto out;
	}
	if ((ret = buf_put(out, hash_name(h), strlen(hash_name(h)))) != 0 ||
	    (ret = buf_put_u8(out, ':')) != 0) {
		goto out;
	}
	if (h == HASH_MD5) {
		for (i = 0; i < dlen; i++) {
			if ((i > 0 && (ret = buf_put_u8(out, ':')) != 0) ||
			    (ret = buf_put_u8(out, hex[dgst[i] >> 4])) != 0 ||
			    (ret = buf_put_u8(out, hex[dgst[i] & 15])) != 0) {
				goto out;
			}
		}
	} else {
		if ((ret = b64_encode_unpadded(out, dgst, dlen)) != 0) {
			goto out;
		}
	}
	ret = put_nul(out);
out:
	if (ret != 0) {
		buf_truncate(out, start);
	}
	return ret;
}

/*
 * The "drunken bishop" picture: a bishop starts in the middle of a 17x9
 * board and, for each digest byte, makes four diagonal moves taken from
 * the byte's bit pairs, least significant first (bit 0: right/left,
 * bit 1: down/up), sticking to the walls. Each square counts its visits
 * and shows a symbol by count; the start is 'S', the end 'E'.
 */
#define RA_W 17
#define RA_H 9

int
key_randomart(const struct sshkey *k, enum hash_alg h, struct buf *out)
{
	static const char sym[] = " .o+=*BOX@%&#/^SE";
	const size_t nsym = sizeof(sym) - 1 - 2; /* counting symbols: 15 */
	uint8_t field[RA_W][RA_H];
	uint8_t dgst[HASH_MAX_LEN];
	char title[RA_W + 1], htitle[RA_W + 1];
	size_t dlen, i, j, tlen, hlen, start;
	int x, y, b, tw, ret;
	uint8_t in;

	if (k == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	start = buf_len(out);
	if ((ret = key_digest(k, h, dgst, &dlen)) != 0) {
		goto out;
	}
	memset(field, 0, sizeof(field));
	x = RA_W / 2;
	y = RA_H / 2;
	for (i = 0; i < dlen; i++) {
		in = dgst[i];
		for (b = 0; b < 4; b++) {
			x += (in & 1) ? 1 : -1;
			y += (in & 2) ? 1 : -1;
			x = x < 0 ? 0 : (x > RA_W - 1 ? RA_W - 1 : x);
			y = y < 0 ? 0 : (y > RA_H - 1 ? RA_H - 1 : y);
			if (field[x][y] < nsym - 1) {
				field[x][y]++;
			}
			in >>= 2;
		}
	}
	field[RA_W / 2][RA_H / 2] = (uint8_t)nsym; /* 'S' */
	field[x][y] = (uint8_t)(nsym + 1);         /* 'E' */

	/* Titles longer than the border are cut as ssh-keygen does. */
	tw = snprintf(title, sizeof(title) - 1, "[%s %u]",
	              key_type_short(k->type), key_bits(k));
	if (tw < 0 || (size_t)tw > sizeof(title) - 1) {
		(void)snprintf(title, sizeof(title) - 1, "[%s]",
		               key_type_short(k->type));
	}
	tlen = strlen(title);
	(void)snprintf(htitle, sizeof(htitle) - 1, "[%s]", hash_name(h));
	hlen = strlen(htitle);

	if ((ret = buf_put_u8(out, '+')) != 0) {
		goto out;
	}
	for (i = 0; i < (RA_W - tlen) / 2; i++) {
		if ((ret = buf_put_u8(out, '-')) != 0) {
			goto out;
		}
	}
	if ((ret = buf_put(out, title, tlen)) != 0) {
		goto out;
	}
	for (i += tlen; i < RA_W; i++) {
		if ((ret = buf_put_u8(out, '-')) != 0) {
			goto out;
		}
	}
	if ((ret = buf_put(out, "+\n", 2)) != 0) {
		goto out;
	}
	for (j = 0; j < RA_H; j++) {
		if ((ret = buf_put_u8(out, '|')) != 0) {
			goto out;
		}
		for (i = 0; i < RA_W; i++) {
			if ((ret = buf_put_u8(
			         out, (uint8_t)sym[field[i][j]])) != 0) {
				goto out;
			}
		}
		if ((ret = buf_put(out, "|\n", 2)) != 0) {
			goto out;
		}
	}
	if ((ret = buf_put_u8(out, '+')) != 0) {
		goto out;
	}
	for (i = 0; i < (RA_W - hlen) / 2; i++) {
		if ((ret = buf_put_u8(out, '-')) != 0) {
			goto out;
		}
	}
	if ((ret = buf_put(out, htitle, hlen)) != 0) {
		goto out;
	}
	for (i += hlen; i < RA_W; i++) {
		if ((ret = buf_put_u8(out, '-')) != 0) {
			goto out;
		}
	}
	if ((ret = buf_put_u8(out, '+')) != 0) {
		goto out;
	}
	ret = put_nul(out);
out:
	if (ret != 0) {
		buf_truncate(out, start);
	}
	return ret;
}
