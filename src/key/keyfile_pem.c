/*
 * keyfile_pem.c - PEM and PKCS#8 private keys (through src/crypto/pkey.h),
 * and public key files: ".pub" lines, RFC 4716 "SSH2 PUBLIC KEY" blocks,
 * PEM SPKI and PKCS#1 public keys; RFC 4716 export.
 *
 * RFC 4716 §3: a BEGIN line, header lines "Tag: value" (a value ending in
 * '\' continues on the next line), base64 body lines, an END line. Lines
 * must not exceed 72 bytes (we accept up to SESH_MAX_LINE when reading and
 * wrap headers at 72 when writing); the body is written 70 characters per
 * line as ssh-keygen -e does.
 */
#include "key/keyfile.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/b64.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "key/keyfile_int.h"

#define PEM_BEGIN     "-----BEGIN "
#define SSH2_BEGIN    "---- BEGIN SSH2 PUBLIC KEY ----"
#define SSH2_END      "---- END SSH2 PUBLIC KEY ----"
#define SSH2_LINE     70
#define SSH2_HDR_LINE 72
#define SSH2_MAX_TAG  64

int
keyfile_wrap_pkey(struct pkey *pk, struct sshkey **out)
{
	struct sshkey *k;
	enum key_type t;

	*out = NULL;
	switch (pkey_get_type(pk)) {
	case PKEY_ED25519:
		t = KEY_ED25519;
		break;
	case PKEY_ECDSA_P256:
		t = KEY_ECDSA_P256;
		break;
	case PKEY_ECDSA_P384:
		t = KEY_ECDSA_P384;
		break;
	case PKEY_ECDSA_P521:
		t = KEY_ECDSA_P521;
		break;
	case PKEY_RSA:
		t = KEY_RSA;
		break;
	default:
		pkey_free(pk);
		return SESH_ERR_KEY_TYPE_UNKNOWN;
	}
	if ((k = key_new()) == NULL) {
		pkey_free(pk);
		return SESH_ERR_NOMEM;
	}
	k->type = t;
	k->pk = pk;
	*out = k;
	return 0;
}

int
keyfile_pem_parse_private(const uint8_t *data, size_t n, const char *passphrase,
                          struct sshkey **out)
{
	struct pkey *pk = NULL;
	size_t off;
	int ret;

	*out = NULL;
	if (!keyfile_find(data, n, PEM_BEGIN, &off)) {
		return SESH_ERR_INVALID_FORMAT;
	}
	if (passphrase != NULL && *passphrase == '\0') {
		passphrase = NULL;
	}
	if ((ret = pkey_from_pem_private((const char *)data, n, passphrase,
	                                 &pk)) != 0) {
		return ret;
	}
	return keyfile_wrap_pkey(pk, out);
}

int
keyfile_pem_peek(const uint8_t *data, size_t n, bool *encrypted)
{
	size_t off;

	*encrypted = false;
	if (!keyfile_find(data, n, PEM_BEGIN, &off) ||
	    !keyfile_find(data, n, "PRIVATE KEY-----", &off)) {
		return SESH_ERR_INVALID_FORMAT;
	}
	*encrypted =
	    keyfile_find(data, n, "BEGIN ENCRYPTED PRIVATE KEY", &off) ||
	    keyfile_find(data, n, "Proc-Type: 4,ENCRYPTED", &off);
	return 0;
}

int
keyfile_serialize_pem(const struct sshkey *k, bool pkcs8,
                      const char *passphrase, struct buf *out)
{
	if (k == NULL || k->pk == NULL || out == NULL || !key_has_private(k)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (passphrase != NULL && *passphrase == '\0') {
		passphrase = NULL;
	}
	buf_set_secret(out);
	return pkey_to_pem(k->pk, pkcs8 ? PKEY_PEM_PKCS8 : PKEY_PEM_TRAD,
	                   passphrase, out);
}

/* ---- line iteration ---- */

struct lines {
	struct rd r;
};

/* Next line (without '\n' and a trailing '\r'); false at the end. */
static bool
next_line(struct lines *l, const uint8_t **p, size_t *n)
{
	const uint8_t *rest = rd_ptr(&l->r);
	size_t left = rd_left(&l->r), len;

	if (left == 0) {
		return false;
	}
	for (len = 0; len < left && rest[len] != '\n'; len++) {
	}
	(void)rd_view(&l->r, len, p);
	if (len < left) {
		(void)rd_skip(&l->r, 1); /* the '\n' */
	}
	if (len > 0 && (*p)[len - 1] == '\r') {
		len--;
	}
	*n = len;
	return true;
}

static bool
line_is(const uint8_t *p, size_t n, const char *s)
{
	/* trailing whitespace is tolerated */
	while (n > 0 && keyfile_is_ws(p[n - 1])) {
		n--;
	}
	return n == strlen(s) && memcmp(p, s, n) == 0;
}

static bool
line_blank(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!keyfile_is_ws(p[i])) {
			return false;
		}
	}
	return true;
}

/* ---- RFC 4716 ---- */

static int
rfc4716_parse(const uint8_t *data, size_t n, struct sshkey **out)
{
	struct lines l;
	const uint8_t *p;
	size_t len, i, tlen;
	struct buf b64, blob, hval;
	struct sshkey *k = NULL;
	bool begun = false, ended = false, in_body = false, cont = false;
	bool is_comment = false;
	char *comment = NULL;
	int ret;

	*out = NULL;
	buf_init(&b64, SESH_MAX_KEYFILE);
	buf_init(&blob, SESH_MAX_KEYFILE);
	buf_init(&hval, SESH_MAX_LINE);
	rd_init(&l.r, data, n);
	ret = SESH_ERR_INVALID_FORMAT;
	while (next_line(&l, &p, &len)) {
		if (!begun) {
			if (line_blank(p, len)) {
				continue;
			}
			if (!line_is(p, len, SSH2_BEGIN)) {
				goto out;
			}
			begun = true;
			continue;
		}
		if (ended) {
			if (!line_blank(p, len)) {
				goto out;
			}
			continue;
		}
		if (line_is(p, len, SSH2_END)) {
			ended = true;
			continue;
		}
		if (cont) {
			/* continuation of the previous header's value */
			cont = len > 0 && p[len - 1] == '\\';
			if (is_comment &&
			    (ret = buf_put(&hval, p, cont ? len - 1 : len)) !=
			        0) {
				goto out;
			}
			ret = SESH_ERR_INVALID_FORMAT;
			continue;
		}
		for (tlen = 0; !in_body && tlen < len && p[tlen] != ':';
		     tlen++) {
		}
		if (!in_body && tlen < len) {
			/* header-tag ":" SP header-value */
			struct rd hr;
			const uint8_t *v;

			if (tlen == 0 || tlen > SSH2_MAX_TAG) {
				goto out;
			}
			for (i = 0; i < tlen; i++) {
				if (p[i] <= ' ' || p[i] >= 0x7f) {
					goto out;
				}
			}
			rd_init(&hr, p, len);
			(void)rd_skip(&hr, tlen + 1);
			while (rd_left(&hr) > 0 && rd_ptr(&hr)[0] == ' ') {
				(void)rd_skip(&hr, 1);
			}
			len = rd_left(&hr);
			(void)rd_view(&hr, len, &v);
			is_comment =
			    tlen == 7 &&
			    strncasecmp((const char *)p, "Comment", 7) == 0;
			cont = len > 0 && v[len - 1] == '\\';
			if (is_comment) {
				buf_reset(&hval);
				if ((ret = buf_put(&hval, v,
				                   cont ? len - 1 : len)) !=
				    0) {
					goto out;
				}
				ret = SESH_ERR_INVALID_FORMAT;
			}
			continue;
		}
		in_body = true;
		if ((ret = buf_put(&b64, p, len)) != 0) {
			goto out;
		}
		ret = SESH_ERR_INVALID_FORMAT;
	}
	if (!ended || cont || buf_len(&b64) == 0) {
		goto out;
	}
	if ((ret = b64_decode(&blob, (const char *)buf_data(&b64),
	                      buf_len(&b64))) != 0 ||
	    (ret = key_from_blob(buf_data(&blob), buf_len(&blob), &k)) != 0) {
		goto out;
	}
	if (buf_len(&hval) > 0) {
		const uint8_t *c = buf_data(&hval);
		size_t cl = buf_len(&hval), cs = 0;

		/* a quoted value loses its quotes */
		if (cl >= 2 && c[0] == '"' && c[cl - 1] == '"') {
			cs = 1;
			cl -= 2;
		}
		if (cl > SESH_MAX_COMMENT) {
			ret = SESH_ERR_LIMIT;
			goto out;
		}
		/* control bytes (NUL, CR, ...) cannot survive a .pub line */
		for (i = 0; i < buf_len(&hval); i++) {
			if (c[i] < 0x20 || c[i] == 0x7f) {
				ret = SESH_ERR_INVALID_FORMAT;
				goto out;
			}
		}
		if ((ret = buf_put_u8(&hval, 0)) != 0) {
			goto out;
		}
		if (cl > 0 &&
		    (comment = strndup((const char *)buf_data(&hval) + cs,
		                       cl)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		k->comment = comment;
	}
	*out = k;
	k = NULL;
	ret = 0;
out:
	key_free(k);
	buf_clear(&hval);
	buf_clear(&blob);
	buf_clear(&b64);
	return ret;
}

int
keyfile_serialize_rfc4716_comment(const struct sshkey *k, const char *comment,
                                  struct buf *out)
{
	struct buf blob, hdr;
	size_t start, i, left, chunk;
	int ret;

	if (k == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	buf_init(&blob, 0);
	buf_init(&hdr, 0);
	start = buf_len(out);
	if ((ret = key_to_blob(k, &blob)) != 0 ||
	    (ret = buf_put(out, SSH2_BEGIN "\n", strlen(SSH2_BEGIN) + 1)) !=
	        0) {
		goto out;
	}
	if (comment != NULL) {
		if ((ret = buf_put(&hdr, "Comment: \"", 10)) != 0 ||
		    (ret = buf_put(&hdr, comment, strlen(comment))) != 0 ||
		    (ret = buf_put_u8(&hdr, '"')) != 0) {
			goto out;
		}
		/* Lines over 72 bytes continue after a backslash. */
		left = buf_len(&hdr);
		for (i = 0; left > SSH2_HDR_LINE; i += chunk) {
			chunk = SSH2_HDR_LINE - 1;
			if ((ret = buf_put(out, buf_data(&hdr) + i, chunk)) !=
			        0 ||
			    (ret = buf_put(out, "\\\n", 2)) != 0) {
				goto out;
			}
			left -= chunk;
		}
		if ((ret = buf_put(out, buf_data(&hdr) + i, left)) != 0 ||
		    (ret = buf_put_u8(out, '\n')) != 0) {
			goto out;
		}
	}
	if ((ret = b64_encode_wrapped(out, buf_data(&blob), buf_len(&blob),
	                              SSH2_LINE)) != 0 ||
	    (ret = buf_put(out, SSH2_END "\n", strlen(SSH2_END) + 1)) != 0) {
		goto out;
	}
out:
	if (ret != 0) {
		buf_truncate(out, start);
	}
	buf_clear(&hdr);
	buf_clear(&blob);
	return ret;
}

int
keyfile_serialize_rfc4716(const struct sshkey *k, struct buf *out)
{
	if (k == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return keyfile_serialize_rfc4716_comment(k, k->comment, out);
}

/* ---- public key files ---- */

static int
pub_lines_parse(const uint8_t *data, size_t n, struct sshkey **out)
{
	struct lines l;
	const uint8_t *p;
	size_t len, i;
	struct sshkey *k = NULL;
	int ret = SESH_ERR_INVALID_FORMAT;

	*out = NULL;
	rd_init(&l.r, data, n);
	while (next_line(&l, &p, &len)) {
		for (i = 0; i < len && keyfile_is_ws(p[i]); i++) {
		}
		if (i == len || p[i] == '#') {
			continue;
		}
		if (k != NULL) {
			/* one key per file */
			ret = SESH_ERR_TRAILING_DATA;
			goto out;
		}
		if ((ret = key_from_pub_line((const char *)p, len, &k)) != 0) {
			goto out;
		}
	}
	if (k == NULL) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	*out = k;
	k = NULL;
	ret = 0;
out:
	key_free(k);
	return ret;
}

int
keyfile_parse_public(const uint8_t *data, size_t n, struct sshkey **out)
{
	struct pkey *pk = NULL;
	size_t off;
	int ret;

	*out = NULL;
	if (data == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (n > SESH_MAX_KEYFILE) {
		return SESH_ERR_LIMIT;
	}
	if (keyfile_find(data, n, SSH2_BEGIN, &off)) {
		return rfc4716_parse(data, n, out);
	}
	if (keyfile_find(data, n, "-----BEGIN PUBLIC KEY-----", &off) ||
	    keyfile_find(data, n, "-----BEGIN RSA PUBLIC KEY-----", &off)) {
		if ((ret = pkey_from_pem_public((const char *)data, n, &pk)) !=
		    0) {
			return ret;
		}
		return keyfile_wrap_pkey(pk, out);
	}
	return pub_lines_parse(data, n, out);
}
