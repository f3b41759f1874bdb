/*
 * keyfile.c - openssh-key-v1 private key files (OpenSSH PROTOCOL.key), in
 * memory. Also the format dispatch of keyfile_parse_private and
 * keyfile_peek; PEM/PKCS#8 and public files are in keyfile_pem.c.
 *
 * Layout after base64 decoding of the armored body:
 *   byte[15] "openssh-key-v1\0"
 *   string   ciphername       ("none", "aes{128,192,256}-ctr",
 *                              "aes{128,256}-gcm@openssh.com")
 *   string   kdfname          ("none" or "bcrypt")
 *   string   kdfoptions       (bcrypt: string salt, uint32 rounds)
 *   uint32   number of keys   (we support exactly 1)
 *   string   public key blob
 *   string   encrypted private section
 *   byte[16] GCM tag          (only for the GCM ciphers)
 * Private section (cleartext): uint32 check, uint32 check (equal),
 * string type + type-specific private fields, string comment, padding
 * bytes 1, 2, 3, ... up to the cipher's block size (8 for "none").
 * The cipher key and IV are the first key_len and next iv_len bytes of
 * bcrypt_pbkdf(passphrase, salt, rounds).
 *
 * Every buffer that holds decrypted key material is marked secret (wiped
 * on growth and free); derived keys are wiped before return.
 */
#include "key/keyfile.h"

#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "crypto/bcrypt_pbkdf.h"
#include "crypto/cipher.h"
#include "crypto/rand.h"
#include "key/keyfile_int.h"

#define V1_MAGIC       "openssh-key-v1"
#define V1_MAGIC_LEN   15 /* including the NUL */
#define V1_BEGIN       "-----BEGIN OPENSSH PRIVATE KEY-----"
#define V1_END         "-----END OPENSSH PRIVATE KEY-----"
#define V1_LINE        70
#define V1_SALT_LEN    16
#define V1_MAX_SALT    1024
#define V1_KDF_OUT_MAX 128

/* ---- armor helpers shared with keyfile_pem.c ---- */

/* Does data[0..n) contain the NUL-terminated s? Returns its offset. */
bool
keyfile_find(const uint8_t *data, size_t n, const char *s, size_t *off)
{
	size_t sl = strlen(s), i;

	if (sl == 0 || sl > n) {
		return false;
	}
	for (i = 0; i + sl <= n; i++) {
		if (data[i] == (uint8_t)s[0] && memcmp(data + i, s, sl) == 0) {
			*off = i;
			return true;
		}
	}
	return false;
}

bool
keyfile_is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/*
 * Finds the body between begin and end markers and gives it as a view.
 * Only whitespace may precede begin (OpenSSH allows nothing there). The
 * body ends at the first end marker; the rest of that line may hold only
 * blanks or a CR, and every later line is ignored, as OpenSSH does (it
 * reads up to its END line). A file without an end marker is refused.
 */
static int
armor_body(const uint8_t *data, size_t n, const char *begin, const char *end,
           const uint8_t **body, size_t *blen)
{
	size_t i, boff, eoff, bl = strlen(begin), el = strlen(end);
	struct rd r;
	int ret;

	for (i = 0; i < n && keyfile_is_ws(data[i]); i++) {
	}
	if (n - i < bl || memcmp(data + i, begin, bl) != 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	boff = i + bl;
	rd_init(&r, data, n);
	if (!keyfile_find(data + boff, n - boff, end, &eoff)) {
		return SESH_ERR_INVALID_FORMAT;
	}
	eoff += boff;
	for (i = eoff + el; i < n && data[i] != '\n'; i++) {
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r') {
			return SESH_ERR_INVALID_FORMAT;
		}
	}
	if ((ret = rd_skip(&r, boff)) != 0 ||
	    (ret = rd_view(&r, eoff - boff, body)) != 0) {
		return ret;
	}
	*blen = eoff - boff;
	return 0;
}

/* ---- private key fields ---- */

/* Reads "string type" and the private fields of one key (PROTOCOL.key). */
static int
private_from_reader(struct rd *r, struct sshkey **out)
{
	const uint8_t *tname, *p, *q, *sk;
	size_t tlen, plen, qlen, sklen, dlen, flen;
	const uint8_t *d;
	const char *curve;
	struct pkey_rsa_parts parts;
	struct pkey *pk = NULL;
	struct sshkey *k = NULL;
	enum key_type type;
	enum pkey_type ptype;
	int ret;

	*out = NULL;
	if ((ret = rd_string_max(r, SESH_MAX_NAME, &tname, &tlen)) != 0) {
		goto out;
	}
	type = key_type_from_name((const char *)tname, tlen);
	switch (type) {
	case KEY_ED25519:
		/* string pk[32], string sk[64] = seed || pk */
		if ((ret = rd_string(r, &p, &plen)) != 0 ||
		    (ret = rd_string(r, &sk, &sklen)) != 0) {
			goto out;
		}
		if (plen != PKEY_ED25519_LEN || sklen != 2 * PKEY_ED25519_LEN) {
			ret = SESH_ERR_KEY_LENGTH;
			goto out;
		}
		if (!mem_equal_ct(sk + PKEY_ED25519_LEN, p, PKEY_ED25519_LEN)) {
			ret = SESH_ERR_KEY_MISMATCH;
			goto out;
		}
		ret = pkey_ed25519_from_raw(p, sk, &pk);
		ptype = PKEY_ED25519;
		break;
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384:
	case KEY_ECDSA_P521:
		/* string curve, string Q, mpint d */
		ptype = type == KEY_ECDSA_P256   ? PKEY_ECDSA_P256
		        : type == KEY_ECDSA_P384 ? PKEY_ECDSA_P384
		                                 : PKEY_ECDSA_P521;
		flen = pkey_ecdsa_field_len(ptype);
		curve = key_curve_name(type);
		if ((ret = rd_string_max(r, SESH_MAX_NAME, &p, &plen)) != 0) {
			goto out;
		}
		if (plen != strlen(curve) || memcmp(p, curve, plen) != 0) {
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
		if ((ret = rd_string(r, &q, &qlen)) != 0 ||
		    (ret = rd_mpint(r, flen * 8, &d, &dlen)) != 0) {
			goto out;
		}
		if (qlen != 1 + 2 * flen || dlen == 0) {
			ret = SESH_ERR_INVALID_KEY;
			goto out;
		}
		ret = pkey_ecdsa_from_raw(ptype, q, qlen, d, dlen, &pk);
		break;
	case KEY_RSA:
		/* mpint n, e, d, iqmp, p, q */
		memset(&parts, 0, sizeof(parts));
		if ((ret = rd_mpint(r, 0, &parts.n, &parts.n_len)) != 0 ||
		    (ret = rd_mpint(r, 0, &parts.e, &parts.e_len)) != 0 ||
		    (ret = rd_mpint(r, 0, &parts.d, &parts.d_len)) != 0 ||
		    (ret = rd_mpint(r, 0, &parts.iqmp, &parts.iqmp_len)) != 0 ||
		    (ret = rd_mpint(r, 0, &parts.p, &parts.p_len)) != 0 ||
		    (ret = rd_mpint(r, 0, &parts.q, &parts.q_len)) != 0) {
			goto out;
		}
		if (parts.d_len == 0 || parts.iqmp_len == 0 ||
		    parts.p_len == 0 || parts.q_len == 0) {
			ret = SESH_ERR_INVALID_KEY;
			goto out;
		}
		ret = pkey_rsa_from_parts(&parts, &pk);
		break;
	default:
		ret = SESH_ERR_KEY_TYPE_UNKNOWN;
		goto out;
	}
	if (ret != 0) {
		goto out;
	}
	if ((k = key_new()) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	k->type = type;
	k->pk = pk;
	pk = NULL;
	*out = k;
out:
	pkey_free(pk);
	return ret;
}

/* Appends one mpint from a pkey RSA component. */
static int
put_rsa_part(const struct sshkey *k, enum pkey_rsa_part part, struct buf *out)
{
	struct buf tmp;
	int ret;

	buf_init(&tmp, 0);
	buf_set_secret(&tmp);
	if ((ret = pkey_rsa_part(k->pk, part, &tmp)) == 0) {
		ret = buf_put_mpint(out, buf_data(&tmp), buf_len(&tmp));
	}
	buf_clear(&tmp);
	return ret;
}

/* Appends "string type" and the private fields (PROTOCOL.key). */
static int
private_to_buf(const struct sshkey *k, struct buf *out)
{
	uint8_t pub[PKEY_ED25519_LEN], sk[2 * PKEY_ED25519_LEN];
	struct buf tmp;
	int ret;

	buf_init(&tmp, 0);
	buf_set_secret(&tmp);
	if ((ret = buf_put_cstring(out, key_type_name(k->type))) != 0) {
		goto out;
	}
	switch (k->type) {
	case KEY_ED25519:
		if ((ret = pkey_ed25519_to_raw(k->pk, pub, sk)) != 0) {
			goto out;
		}
		memcpy(sk + PKEY_ED25519_LEN, pub, PKEY_ED25519_LEN);
		if ((ret = buf_put_string(out, pub, sizeof(pub))) != 0 ||
		    (ret = buf_put_string(out, sk, sizeof(sk))) != 0) {
			goto out;
		}
		break;
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384:
	case KEY_ECDSA_P521:
		if ((ret = buf_put_cstring(out, key_curve_name(k->type))) !=
		        0 ||
		    (ret = pkey_ecdsa_point(k->pk, &tmp)) != 0 ||
		    (ret = buf_put_string(out, buf_data(&tmp),
		                          buf_len(&tmp))) != 0) {
			goto out;
		}
		buf_reset(&tmp);
		if ((ret = pkey_ecdsa_scalar(k->pk, &tmp)) != 0 ||
		    (ret = buf_put_mpint(out, buf_data(&tmp), buf_len(&tmp))) !=
		        0) {
			goto out;
		}
		break;
	case KEY_RSA:
		if ((ret = put_rsa_part(k, PKEY_RSA_N, out)) != 0 ||
		    (ret = put_rsa_part(k, PKEY_RSA_E, out)) != 0 ||
		    (ret = put_rsa_part(k, PKEY_RSA_D, out)) != 0 ||
		    (ret = put_rsa_part(k, PKEY_RSA_IQMP, out)) != 0 ||
		    (ret = put_rsa_part(k, PKEY_RSA_P, out)) != 0 ||
		    (ret = put_rsa_part(k, PKEY_RSA_Q, out)) != 0) {
			goto out;
		}
		break;
	default:
		ret = SESH_ERR_KEY_TYPE_UNKNOWN;
		goto out;
	}
out:
	crypto_wipe(sk, sizeof(sk));
	buf_clear(&tmp);
	return ret;
}

/* ---- openssh-key-v1 header ---- */

struct v1_header {
	const struct cipher_alg *cipher; /* NULL for "none" */
	bool bcrypt;
	const uint8_t *salt;
	size_t salt_len;
	uint32_t rounds;
	const uint8_t *pub;
	size_t pub_len;
	const uint8_t *enc;
	size_t enc_len;
	const uint8_t *tag; /* GCM only */
};

/* Decodes the armor into raw (secret) and parses the clear header. */
static int
v1_header_parse(const uint8_t *data, size_t n, struct buf *raw,
                struct v1_header *h)
{
	const uint8_t *body, *cname, *kname, *magic;
	size_t blen, clen, klen;
	struct rd r, opts;
	uint32_t nkeys;
	int ret;

	memset(h, 0, sizeof(*h));
	if ((ret = armor_body(data, n, V1_BEGIN, V1_END, &body, &blen)) != 0) {
		return ret;
	}
	if ((ret = b64_decode(raw, (const char *)body, blen)) != 0) {
		return ret;
	}
	rd_init(&r, buf_data(raw), buf_len(raw));
	if ((ret = rd_view(&r, V1_MAGIC_LEN, &magic)) != 0) {
		return ret;
	}
	if (memcmp(magic, V1_MAGIC, V1_MAGIC_LEN) != 0) {
		return SESH_ERR_INVALID_FORMAT;
	}
	if ((ret = rd_string_max(&r, SESH_MAX_NAME, &cname, &clen)) != 0 ||
	    (ret = rd_string_max(&r, SESH_MAX_NAME, &kname, &klen)) != 0 ||
	    (ret = rd_sub(&r, &opts)) != 0 || (ret = rd_u32(&r, &nkeys)) != 0) {
		return ret;
	}
	if (nkeys != 1) {
		return SESH_ERR_UNSUPPORTED;
	}
	if ((ret = rd_string(&r, &h->pub, &h->pub_len)) != 0 ||
	    (ret = rd_string(&r, &h->enc, &h->enc_len)) != 0) {
		return ret;
	}
	if (clen == 4 && memcmp(cname, "none", 4) == 0) {
		h->cipher = NULL;
	} else {
		h->cipher = cipher_by_name_n((const char *)cname, clen);
		if (h->cipher == NULL || (h->cipher->kind != CIPHER_KIND_CTR &&
		                          h->cipher->kind != CIPHER_KIND_GCM)) {
			return SESH_ERR_CIPHER_UNKNOWN;
		}
		if (h->cipher->kind == CIPHER_KIND_GCM &&
		    (ret = rd_view(&r, h->cipher->tag_len, &h->tag)) != 0) {
			return ret;
		}
	}
	if ((ret = rd_end(&r)) != 0) {
		return ret;
	}
	if (klen == 4 && memcmp(kname, "none", 4) == 0) {
		/* An encrypted section needs a KDF; no options allowed. */
		if (h->cipher != NULL || rd_left(&opts) != 0) {
			return SESH_ERR_INVALID_FORMAT;
		}
	} else if (klen == 6 && memcmp(kname, "bcrypt", 6) == 0) {
		h->bcrypt = true;
		if ((ret = rd_string_max(&opts, V1_MAX_SALT, &h->salt,
		                         &h->salt_len)) != 0 ||
		    (ret = rd_u32(&opts, &h->rounds)) != 0 ||
		    (ret = rd_end(&opts)) != 0) {
			return ret == SESH_ERR_TRUNCATED
			           ? SESH_ERR_INVALID_FORMAT
			           : ret;
		}
		if (h->cipher == NULL || h->salt_len == 0 || h->rounds == 0) {
			return SESH_ERR_INVALID_FORMAT;
		}
		if (h->rounds > SESH_MAX_KDF_ROUNDS) {
			return SESH_ERR_LIMIT;
		}
	} else {
		return SESH_ERR_KDF_UNKNOWN;
	}
	return 0;
}

static int
v1_peek(const uint8_t *data, size_t n, bool *encrypted, struct sshkey **pub_out)
{
	struct v1_header h;
	struct buf raw;
	struct sshkey *k = NULL;
	int ret;

	buf_init(&raw, SESH_MAX_KEYFILE);
	buf_set_secret(&raw);
	if ((ret = v1_header_parse(data, n, &raw, &h)) != 0) {
		goto out;
	}
	if (pub_out != NULL &&
	    (ret = key_from_blob(h.pub, h.pub_len, &k)) != 0) {
		goto out;
	}
	*encrypted = h.cipher != NULL;
	if (pub_out != NULL) {
		*pub_out = k;
		k = NULL;
	}
out:
	key_free(k);
	buf_clear(&raw);
	return ret;
}

/* Decrypts h->enc into sec (secret) with the passphrase. */
static int
v1_decrypt(const struct v1_header *h, const char *passphrase, struct buf *sec)
{
	uint8_t kiv[V1_KDF_OUT_MAX], tag[16];
	const struct cipher_alg *c = h->cipher;
	struct cipher_ctx *ctx = NULL;
	uint8_t *p;
	size_t kivlen = 0;
	int ret;

	if ((ret = buf_reserve(sec, h->enc_len, &p)) != 0) {
		goto out;
	}
	if (h->enc_len > 0) {
		memcpy(p, h->enc, h->enc_len);
	}
	if (c == NULL) {
		goto out;
	}
	kivlen = c->key_len + c->iv_len;
	if (kivlen > sizeof(kiv) || c->tag_len > sizeof(tag)) {
		ret = SESH_ERR_CIPHER_UNKNOWN;
		goto out;
	}
	if ((ret = bcrypt_pbkdf(passphrase, strlen(passphrase), h->salt,
	                        h->salt_len, kiv, kivlen, h->rounds)) != 0) {
		goto out;
	}
	if (c->kind == CIPHER_KIND_GCM) {
		memcpy(tag, h->tag, c->tag_len);
		ret = cipher_gcm_once(c, false, kiv, kiv + c->key_len, p,
		                      h->enc_len, tag);
		if (ret == SESH_ERR_MAC_INVALID) {
			ret = SESH_ERR_WRONG_PASSPHRASE;
		}
		goto out;
	}
	if ((ret = cipher_new(c, false, kiv, kiv + c->key_len, &ctx)) != 0 ||
	    (ret = cipher_crypt(ctx, p, p, h->enc_len)) != 0) {
		goto out;
	}
out:
	cipher_free(ctx);
	crypto_wipe(kiv, sizeof(kiv));
	if (ret != 0) {
		buf_reset(sec);
	}
	return ret;
}

static int
v1_parse(const uint8_t *data, size_t n, const char *passphrase,
         struct sshkey **out)
{
	struct v1_header h;
	struct buf raw, sec;
	struct sshkey *pub = NULL, *k = NULL;
	struct rd r;
	uint32_t check1, check2;
	size_t block, i, left;
	uint8_t pad;
	char *comment = NULL;
	int ret;

	buf_init(&raw, SESH_MAX_KEYFILE);
	buf_set_secret(&raw);
	buf_init(&sec, SESH_MAX_KEYFILE);
	buf_set_secret(&sec);
	if ((ret = v1_header_parse(data, n, &raw, &h)) != 0) {
		goto out;
	}
	if ((ret = key_from_blob(h.pub, h.pub_len, &pub)) != 0) {
		goto out;
	}
	block = h.cipher != NULL ? h.cipher->block_len : 8;
	if (block == 0 || h.enc_len < 8 || h.enc_len % block != 0) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if (h.cipher != NULL && (passphrase == NULL || *passphrase == '\0')) {
		ret = SESH_ERR_PASSPHRASE_NEEDED;
		goto out;
	}
	if ((ret = v1_decrypt(&h, passphrase, &sec)) != 0) {
		goto out;
	}
	rd_init(&r, buf_data(&sec), buf_len(&sec));
	if ((ret = rd_u32(&r, &check1)) != 0 ||
	    (ret = rd_u32(&r, &check2)) != 0) {
		goto out;
	}
	if (check1 != check2) {
		ret = h.cipher != NULL ? SESH_ERR_WRONG_PASSPHRASE
		                       : SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if ((ret = private_from_reader(&r, &k)) != 0 ||
	    (ret = rd_cstring(&r, SESH_MAX_COMMENT, &comment)) != 0) {
		goto out;
	}
	/* Padding: 1, 2, 3, ... shorter than one block. */
	left = rd_left(&r);
	if (left >= block) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	for (i = 0; i < left; i++) {
		if ((ret = rd_u8(&r, &pad)) != 0) {
			goto out;
		}
		if (pad != (uint8_t)(i + 1)) {
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
	}
	if (!key_equal_public(pub, k)) {
		ret = SESH_ERR_KEY_MISMATCH;
		goto out;
	}
	if (comment[0] != '\0') {
		k->comment = comment;
		comment = NULL;
	}
	*out = k;
	k = NULL;
out:
	free(comment);
	key_free(k);
	key_free(pub);
	buf_clear(&sec);
	buf_clear(&raw);
	return ret;
}

/* ---- public entry points ---- */

static bool
is_v1(const uint8_t *data, size_t n)
{
	size_t off;

	return keyfile_find(data, n, V1_BEGIN, &off);
}

int
keyfile_parse_private(const uint8_t *data, size_t n, const char *passphrase,
                      struct sshkey **out)
{
	*out = NULL;
	if (data == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (n > SESH_MAX_KEYFILE) {
		return SESH_ERR_LIMIT;
	}
	if (is_v1(data, n)) {
		return v1_parse(data, n, passphrase, out);
	}
	return keyfile_pem_parse_private(data, n, passphrase, out);
}

int
keyfile_peek(const uint8_t *data, size_t n, bool *encrypted,
             struct sshkey **pub_out)
{
	bool enc = false;
	int ret;

	*encrypted = false;
	if (pub_out != NULL) {
		*pub_out = NULL;
	}
	if (data == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (n > SESH_MAX_KEYFILE) {
		return SESH_ERR_LIMIT;
	}
	if (is_v1(data, n)) {
		return v1_peek(data, n, encrypted, pub_out);
	}
	if ((ret = keyfile_pem_peek(data, n, &enc)) != 0) {
		return ret;
	}
	*encrypted = enc;
	return 0;
}

int
keyfile_serialize_private(const struct sshkey *k, const char *passphrase,
                          unsigned int rounds, struct buf *out)
{
	const struct cipher_alg *c = NULL;
	struct cipher_ctx *ctx = NULL;
	uint8_t salt[V1_SALT_LEN], kiv[V1_KDF_OUT_MAX];
	struct buf body, sec, pub;
	uint32_t check;
	size_t block = 8, start, kivlen = 0;
	uint8_t pad, *encp;
	bool enc;
	int ret;

	buf_init(&body, SESH_MAX_KEYFILE);
	buf_set_secret(&body);
	buf_init(&sec, SESH_MAX_KEYFILE);
	buf_set_secret(&sec);
	buf_init(&pub, 0);
	start = out != NULL ? buf_len(out) : 0;
	if (k == NULL || out == NULL || !key_has_private(k)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	buf_set_secret(out);
	enc = passphrase != NULL && *passphrase != '\0';
	if (rounds == 0) {
		rounds = KEYFILE_DEFAULT_ROUNDS;
	}
	if (rounds > SESH_MAX_KDF_ROUNDS) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	if (enc) {
		if ((c = cipher_by_name(KEYFILE_DEFAULT_CIPHER)) == NULL) {
			ret = SESH_ERR_CIPHER_UNKNOWN;
			goto out;
		}
		block = c->block_len;
		kivlen = c->key_len + c->iv_len;
		if (kivlen > sizeof(kiv)) {
			ret = SESH_ERR_CIPHER_UNKNOWN;
			goto out;
		}
		if ((ret = rand_bytes(salt, sizeof(salt))) != 0) {
			goto out;
		}
	}
	/* Private section: check ints, key, comment, padding. */
	if ((ret = rand_bytes(&check, sizeof(check))) != 0 ||
	    (ret = buf_put_u32(&sec, check)) != 0 ||
	    (ret = buf_put_u32(&sec, check)) != 0 ||
	    (ret = private_to_buf(k, &sec)) != 0 ||
	    (ret = buf_put_cstring(&sec, k->comment != NULL ? k->comment
	                                                    : "")) != 0) {
		goto out;
	}
	for (pad = 1; buf_len(&sec) % block != 0; pad++) {
		if ((ret = buf_put_u8(&sec, pad)) != 0) {
			goto out;
		}
	}
	if (enc) {
		if ((ret = bcrypt_pbkdf(passphrase, strlen(passphrase), salt,
		                        sizeof(salt), kiv, kivlen, rounds)) !=
		        0 ||
		    (ret = cipher_new(c, true, kiv, kiv + c->key_len, &ctx)) !=
		        0) {
			goto out;
		}
	}
	if ((ret = key_to_blob(k, &pub)) != 0) {
		goto out;
	}
	if ((ret = buf_put(&body, V1_MAGIC, V1_MAGIC_LEN)) != 0 ||
	    (ret = buf_put_cstring(&body, enc ? c->name : "none")) != 0 ||
	    (ret = buf_put_cstring(&body, enc ? "bcrypt" : "none")) != 0 ||
	    (ret = buf_begin(&body)) != 0) {
		goto out;
	}
	if (enc && ((ret = buf_put_string(&body, salt, sizeof(salt))) != 0 ||
	            (ret = buf_put_u32(&body, rounds)) != 0)) {
		goto out;
	}
	if ((ret = buf_end(&body)) != 0 || (ret = buf_put_u32(&body, 1)) != 0 ||
	    (ret = buf_put_string(&body, buf_data(&pub), buf_len(&pub))) != 0 ||
	    (ret = buf_put_u32(&body, (uint32_t)buf_len(&sec))) != 0 ||
	    (ret = buf_reserve(&body, buf_len(&sec), &encp)) != 0) {
		goto out;
	}
	/* string encrypted section: written straight into the body */
	if (enc) {
		ret = cipher_crypt(ctx, encp, buf_data(&sec), buf_len(&sec));
	} else {
		memcpy(encp, buf_data(&sec), buf_len(&sec));
	}
	if (ret != 0) {
		goto out;
	}
	if ((ret = buf_put(out, V1_BEGIN "\n", strlen(V1_BEGIN) + 1)) != 0 ||
	    (ret = b64_encode_wrapped(out, buf_data(&body), buf_len(&body),
	                              V1_LINE)) != 0 ||
	    (ret = buf_put(out, V1_END "\n", strlen(V1_END) + 1)) != 0) {
		goto out;
	}
out:
	if (ret != 0 && out != NULL) {
		buf_truncate(out, start);
	}
	cipher_free(ctx);
	crypto_wipe(kiv, sizeof(kiv));
	buf_clear(&pub);
	buf_clear(&sec);
	buf_clear(&body);
	return ret;
}
