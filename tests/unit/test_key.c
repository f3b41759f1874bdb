/*
 * test_key.c - key layer: type names, blob round trips for every type,
 * sign/verify for every algorithm (ssh-rsa verify only, against an
 * openssl-made SHA-1 signature), short RSA signatures, fingerprints and
 * randomart against ssh-keygen's stored output (and live ssh-keygen when
 * installed), .pub lines, strictness (non-canonical mpints, curve
 * mismatch, trailing data), truncation and bit-flip sweeps of blobs and
 * signatures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"

#define VEC SESH_VECTORS_DIR "/keys/"

static const char *const fixture_names[] = {
    "ed25519_key",  "ecdsa256_key", "ecdsa384_key",
    "ecdsa521_key", "rsa2048_key",  "rsa_pem_key",
};
#define NFIXTURES (sizeof(fixture_names) / sizeof(fixture_names[0]))

static char *
read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	p = malloc((size_t)len + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	p[len] = '\0';
	fclose(f);
	*n = (size_t)len;
	return p;
}

static char *
read_vec(const char *name, const char *suffix, size_t *n)
{
	char path[512];

	snprintf(path, sizeof(path), VEC "%s%s", name, suffix);
	return read_file(path, n);
}

static struct sshkey *
load_pub(const char *name)
{
	struct sshkey *k = NULL;
	size_t n;
	char *s = read_vec(name, ".pub", &n);

	assert_int_equal(key_from_pub_line(s, n, &k), 0);
	free(s);
	return k;
}

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(key_type_name(KEY_ED25519), "ssh-ed25519");
	assert_string_equal(key_type_name(KEY_ECDSA_P384),
	                    "ecdsa-sha2-nistp384");
	assert_string_equal(key_type_name(KEY_RSA), "ssh-rsa");
	assert_string_equal(key_type_short(KEY_ECDSA_P521), "ECDSA");
	assert_string_equal(key_type_short(KEY_ED25519), "ED25519");
	assert_int_equal(key_type_from_name("ssh-rsa", 7), KEY_RSA);
	assert_int_equal(key_type_from_name("ssh-rsa2", 8), KEY_UNKNOWN);
	assert_int_equal(key_type_from_name("ssh-rs", 6), KEY_UNKNOWN);
	assert_int_equal(key_type_from_name("rsa-sha2-256", 12), KEY_UNKNOWN);
	assert_int_equal(key_type_from_keygen_name("ED25519", 0), KEY_ED25519);
	assert_int_equal(key_type_from_keygen_name("ecdsa", 0), KEY_ECDSA_P256);
	assert_int_equal(key_type_from_keygen_name("ecdsa", 521),
	                 KEY_ECDSA_P521);
	assert_int_equal(key_type_from_keygen_name("rsa", 4096), KEY_RSA);
	assert_int_equal(key_type_from_keygen_name("dsa", 1024), KEY_UNKNOWN);
	assert_string_equal(key_curve_name(KEY_ECDSA_P256), "nistp256");
	assert_null(key_curve_name(KEY_RSA));
}

struct gen_case {
	enum key_type type;
	unsigned int bits, want_bits;
};

static const struct gen_case gen_cases[] = {
    {KEY_ED25519, 0, 256},      {KEY_ECDSA_P256, 0, 256},
    {KEY_ECDSA_P384, 384, 384}, {KEY_ECDSA_P521, 0, 521},
    {KEY_RSA, 1024, 1024},
};

static void
test_generate_blob_roundtrip(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(gen_cases) / sizeof(gen_cases[0]); i++) {
		struct sshkey *k = NULL, *p = NULL, *c = NULL, *o = NULL;
		struct buf b, b2, line;

		buf_init(&b, 0);
		buf_init(&b2, 0);
		buf_init(&line, 0);
		assert_int_equal(
		    key_generate(gen_cases[i].type, gen_cases[i].bits, &k), 0);
		assert_int_equal(k->type, gen_cases[i].type);
		assert_int_equal(key_bits(k), gen_cases[i].want_bits);
		assert_true(key_has_private(k));
		assert_int_equal(key_set_comment(k, "me@host"), 0);
		assert_int_equal(key_to_blob(k, &b), 0);
		assert_int_equal(key_from_blob(buf_data(&b), buf_len(&b), &p),
		                 0);
		assert_false(key_has_private(p));
		assert_true(key_equal_public(k, p));
		assert_int_equal(key_to_blob(p, &b2), 0);
		assert_int_equal(buf_len(&b), buf_len(&b2));
		assert_memory_equal(buf_data(&b), buf_data(&b2), buf_len(&b));
		assert_int_equal(key_public_copy(k, &c), 0);
		assert_false(key_has_private(c));
		assert_string_equal(c->comment, "me@host");
		assert_true(key_equal_public(c, k));
		/* .pub line round trip */
		assert_int_equal(key_to_pub_line(k, true, &line), 0);
		assert_int_equal(
		    key_from_pub_line((const char *)buf_data(&line),
		                      buf_len(&line), &o),
		    0);
		assert_true(key_equal_public(o, k));
		assert_string_equal(o->comment, "me@host");
		key_free(o);
		key_free(c);
		key_free(p);
		key_free(k);
		buf_clear(&line);
		buf_clear(&b2);
		buf_clear(&b);
	}
	/* a different key is not equal */
	{
		struct sshkey *a = NULL, *b = NULL;

		assert_int_equal(key_generate(KEY_ED25519, 0, &a), 0);
		assert_int_equal(key_generate(KEY_ED25519, 0, &b), 0);
		assert_false(key_equal_public(a, b));
		key_free(a);
		key_free(b);
	}
}

static void
test_generate_bad_lengths(void **state)
{
	struct sshkey *k = NULL;

	(void)state;
	assert_int_equal(key_generate(KEY_ECDSA_P256, 384, &k),
	                 SESH_ERR_KEY_LENGTH);
	assert_null(k);
	assert_int_equal(key_generate(KEY_RSA, 512, &k), SESH_ERR_KEY_LENGTH);
	assert_int_equal(key_generate(KEY_RSA, 20000, &k), SESH_ERR_KEY_LENGTH);
	assert_int_equal(key_generate(KEY_UNKNOWN, 0, &k),
	                 SESH_ERR_KEY_TYPE_UNKNOWN);
	assert_null(k);
}

static void
sign_verify_one(const struct sshkey *k, const char *alg, const char *want_alg)
{
	static const uint8_t msg[] = "the quick brown fox";
	struct buf sig;
	struct rd r;
	const uint8_t *a;
	size_t alen, i;
	uint8_t *flip;

	buf_init(&sig, 0);
	assert_int_equal(key_sign(k, alg, msg, sizeof(msg), &sig), 0);
	rd_init(&r, buf_data(&sig), buf_len(&sig));
	assert_int_equal(rd_string(&r, &a, &alen), 0);
	assert_int_equal(alen, strlen(want_alg));
	assert_memory_equal(a, want_alg, alen);
	assert_int_equal(key_verify(k, NULL, false, buf_data(&sig),
	                            buf_len(&sig), msg, sizeof(msg)),
	                 0);
	assert_int_equal(key_verify(k, want_alg, false, buf_data(&sig),
	                            buf_len(&sig), msg, sizeof(msg)),
	                 0);
	assert_int_equal(key_verify(k, NULL, false, buf_data(&sig),
	                            buf_len(&sig), msg, sizeof(msg) - 1),
	                 SESH_ERR_BAD_SIGNATURE);
	if (k->type == KEY_RSA) {
		const char *other = strcmp(want_alg, "rsa-sha2-256") == 0
		                        ? "rsa-sha2-512"
		                        : "rsa-sha2-256";

		assert_int_equal(key_verify(k, other, false, buf_data(&sig),
		                            buf_len(&sig), msg, sizeof(msg)),
		                 SESH_ERR_SIG_ALG_MISMATCH);
	}
	/* Every proper prefix is an error. */
	for (i = 0; i < buf_len(&sig); i++) {
		assert_int_not_equal(key_verify(k, NULL, false, buf_data(&sig),
		                                i, msg, sizeof(msg)),
		                     0);
	}
	/* Every single-bit flip is an error (byte stride for big sigs). */
	flip = malloc(buf_len(&sig));
	assert_non_null(flip);
	for (i = 0; i < buf_len(&sig) * 8; i++) {
		memcpy(flip, buf_data(&sig), buf_len(&sig));
		flip[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_not_equal(key_verify(k, NULL, false, flip,
		                                buf_len(&sig), msg,
		                                sizeof(msg)),
		                     0);
	}
	free(flip);
	buf_clear(&sig);
}

static void
test_sign_verify(void **state)
{
	struct sshkey *k = NULL, *pub = NULL;
	struct buf sig;
	static const uint8_t msg[] = "m";

	(void)state;
	assert_int_equal(key_generate(KEY_ED25519, 0, &k), 0);
	sign_verify_one(k, NULL, "ssh-ed25519");
	sign_verify_one(k, "ssh-ed25519", "ssh-ed25519");
	buf_init(&sig, 0);
	assert_int_equal(key_sign(k, "rsa-sha2-256", msg, 1, &sig),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	assert_int_equal(buf_len(&sig), 0);
	/* a public key cannot sign */
	assert_int_equal(key_public_copy(k, &pub), 0);
	assert_int_not_equal(key_sign(pub, NULL, msg, 1, &sig), 0);
	key_free(pub);
	key_free(k);
	assert_int_equal(key_generate(KEY_ECDSA_P256, 0, &k), 0);
	sign_verify_one(k, NULL, "ecdsa-sha2-nistp256");
	key_free(k);
	assert_int_equal(key_generate(KEY_ECDSA_P384, 0, &k), 0);
	sign_verify_one(k, "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384");
	key_free(k);
	assert_int_equal(key_generate(KEY_ECDSA_P521, 0, &k), 0);
	sign_verify_one(k, NULL, "ecdsa-sha2-nistp521");
	assert_int_equal(key_sign(k, "ecdsa-sha2-nistp256", msg, 1, &sig),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	key_free(k);
	assert_int_equal(key_generate(KEY_RSA, 1024, &k), 0);
	sign_verify_one(k, NULL, "rsa-sha2-512");
	sign_verify_one(k, "rsa-sha2-512", "rsa-sha2-512");
	sign_verify_one(k, "rsa-sha2-256", "rsa-sha2-256");
	/* ssh-rsa (SHA-1) is never produced */
	assert_int_not_equal(key_sign(k, "ssh-rsa", msg, 1, &sig), 0);
	assert_int_equal(buf_len(&sig), 0);
	key_free(k);
	buf_clear(&sig);
}

/* ssh-rsa verification against a SHA-1 signature openssl made. */
static void
test_ssh_rsa_verify(void **state)
{
	struct sshkey *k;
	struct buf sig;
	char *raw, *msg;
	size_t rawlen, msglen;

	(void)state;
	k = load_pub("rsa_p8.pem");
	raw = read_vec("rsa_p8.sha1sig", "", &rawlen);
	msg = read_vec("sha1sig.msg", "", &msglen);
	buf_init(&sig, 0);
	assert_int_equal(buf_put_cstring(&sig, "ssh-rsa"), 0);
	assert_int_equal(buf_put_string(&sig, raw, rawlen), 0);
	assert_int_equal(key_verify(k, NULL, true, buf_data(&sig),
	                            buf_len(&sig), (const uint8_t *)msg,
	                            msglen),
	                 0);
	assert_int_equal(key_verify(k, "ssh-rsa", true, buf_data(&sig),
	                            buf_len(&sig), (const uint8_t *)msg,
	                            msglen),
	                 0);
	assert_int_equal(key_verify(k, NULL, false, buf_data(&sig),
	                            buf_len(&sig), (const uint8_t *)msg,
	                            msglen),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	assert_int_equal(key_verify(k, NULL, true, buf_data(&sig),
	                            buf_len(&sig), (const uint8_t *)msg,
	                            msglen - 1),
	                 SESH_ERR_BAD_SIGNATURE);
	/* the same bytes labelled rsa-sha2-256 do not verify */
	buf_reset(&sig);
	assert_int_equal(buf_put_cstring(&sig, "rsa-sha2-256"), 0);
	assert_int_equal(buf_put_string(&sig, raw, rawlen), 0);
	assert_int_equal(key_verify(k, NULL, true, buf_data(&sig),
	                            buf_len(&sig), (const uint8_t *)msg,
	                            msglen),
	                 SESH_ERR_BAD_SIGNATURE);
	buf_clear(&sig);
	free(raw);
	free(msg);
	key_free(k);
}

/*
 * OpenSSH may send RSA signatures shorter than the modulus (leading zero
 * bytes dropped); they must verify. Longer ones must not.
 */
static void
test_rsa_short_signature(void **state)
{
	struct sshkey *k = NULL;
	struct buf sig, sh;
	struct rd r;
	const uint8_t *a, *s;
	size_t alen, slen;
	uint8_t msg[8];
	uint32_t i;
	bool found = false;

	(void)state;
	assert_int_equal(key_generate(KEY_RSA, 1024, &k), 0);
	buf_init(&sig, 0);
	buf_init(&sh, 0);
	/* About 1 in 256 signatures starts with a zero byte; (255/256)^6000
	 * is below 1e-10. */
	for (i = 0; i < 6000 && !found; i++) {
		memcpy(msg, &i, sizeof(i));
		memcpy(msg + 4, "sesh", 4);
		buf_reset(&sig);
		assert_int_equal(
		    key_sign(k, "rsa-sha2-256", msg, sizeof(msg), &sig), 0);
		rd_init(&r, buf_data(&sig), buf_len(&sig));
		assert_int_equal(rd_string(&r, &a, &alen), 0);
		assert_int_equal(rd_string(&r, &s, &slen), 0);
		assert_int_equal(slen, 128);
		found = s[0] == 0;
	}
	assert_true(found);
	assert_int_equal(buf_put_cstring(&sh, "rsa-sha2-256"), 0);
	assert_int_equal(buf_put_string(&sh, s + 1, slen - 1), 0);
	assert_int_equal(key_verify(k, NULL, false, buf_data(&sh), buf_len(&sh),
	                            msg, sizeof(msg)),
	                 0);
	/* one byte too long (an extra leading zero) */
	buf_reset(&sh);
	assert_int_equal(buf_put_cstring(&sh, "rsa-sha2-256"), 0);
	assert_int_equal(buf_begin(&sh), 0);
	assert_int_equal(buf_put_u8(&sh, 0), 0);
	assert_int_equal(buf_put(&sh, s, slen), 0);
	assert_int_equal(buf_end(&sh), 0);
	assert_int_equal(key_verify(k, NULL, false, buf_data(&sh), buf_len(&sh),
	                            msg, sizeof(msg)),
	                 SESH_ERR_BAD_SIGNATURE);
	buf_clear(&sh);
	buf_clear(&sig);
	key_free(k);
}

/* Strips the trailing newline(s) of a file's text. */
static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) {
		s[--n] = '\0';
	}
}

/* "bits FP comment (TYPE)" -> FP */
static char *
fp_field(char *line)
{
	char *sp = strchr(line, ' '), *end;

	assert_non_null(sp);
	end = strchr(sp + 1, ' ');
	assert_non_null(end);
	*end = '\0';
	return sp + 1;
}

static void
check_fp_art(const struct sshkey *k, const char *name, enum hash_alg h,
             const char *suffix)
{
	char fpname[64], artname[64];
	char *fp, *art, *pic;
	struct buf b;
	size_t n;

	snprintf(fpname, sizeof(fpname), ".fp.%s", suffix);
	snprintf(artname, sizeof(artname), ".art.%s", suffix);
	buf_init(&b, 0);
	fp = read_vec(name, fpname, &n);
	assert_int_equal(key_fingerprint(k, h, &b), 0);
	assert_string_equal((const char *)buf_data(&b), fp_field(fp));
	assert_int_equal(strlen((const char *)buf_data(&b)), buf_len(&b));
	buf_reset(&b);
	art = read_vec(name, artname, &n);
	chomp(art);
	pic = strchr(art, '\n'); /* skip the fingerprint line */
	assert_non_null(pic);
	pic++;
	assert_int_equal(key_randomart(k, h, &b), 0);
	assert_string_equal((const char *)buf_data(&b), pic);
	assert_int_equal(strlen((const char *)buf_data(&b)), buf_len(&b));
	free(fp);
	free(art);
	buf_clear(&b);
}

static void
test_fingerprint_randomart_fixtures(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NFIXTURES; i++) {
		struct sshkey *k = load_pub(fixture_names[i]);

		check_fp_art(k, fixture_names[i], HASH_SHA256, "sha256");
		check_fp_art(k, fixture_names[i], HASH_MD5, "md5");
		key_free(k);
	}
}

/* Live comparison with ssh-keygen -lv on fresh keys, when installed. */
static void
test_randomart_live(void **state)
{
	static const enum key_type types[] = {
	    KEY_ED25519, KEY_ECDSA_P384, KEY_ECDSA_P521,
	    KEY_RSA,     KEY_ED25519,    KEY_ECDSA_P256,
	};
	char dir[] = "/tmp/sesh-test-key-XXXXXX";
	char path[128], cmd[512], out[2048];
	size_t i, n;

	(void)state;
	if (access("/usr/bin/ssh-keygen", X_OK) != 0) {
		skip();
	}
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct sshkey *k = NULL;
		struct buf line, art;
		FILE *f;

		buf_init(&line, 0);
		buf_init(&art, 0);
		assert_int_equal(
		    key_generate(types[i], types[i] == KEY_RSA ? 1024 : 0, &k),
		    0);
		assert_int_equal(key_to_pub_line(k, false, &line), 0);
		snprintf(path, sizeof(path), "%s/k%zu.pub", dir, i);
		f = fopen(path, "w");
		assert_non_null(f);
		fwrite(buf_data(&line), 1, buf_len(&line), f);
		fputc('\n', f);
		fclose(f);
		snprintf(cmd, sizeof(cmd),
		         "ssh-keygen -lv %s -f %s | tail -n +2",
		         i % 2 ? "-E md5" : "", path);
		f = popen(cmd, "r");
		assert_non_null(f);
		n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = '\0';
		assert_int_equal(pclose(f), 0);
		chomp(out);
		assert_int_equal(
		    key_randomart(k, i % 2 ? HASH_MD5 : HASH_SHA256, &art), 0);
		assert_string_equal((const char *)buf_data(&art), out);
		unlink(path);
		buf_clear(&art);
		buf_clear(&line);
		key_free(k);
	}
	rmdir(dir);
}

static void
test_pub_line_parse(void **state)
{
	struct sshkey *k = NULL, *k2 = NULL;
	struct buf b;
	char *s, line[1024];
	size_t n;
	const char *blob64;

	(void)state;
	s = read_vec("ed25519_key", ".pub", &n);
	assert_int_equal(key_from_pub_line(s, n, &k), 0);
	assert_string_equal(k->comment, "ed25519_key@sesh-test");
	/* without comment, leading spaces, CRLF */
	blob64 = strchr(s, ' ') + 1;
	*strchr(blob64, ' ') = '\0';
	snprintf(line, sizeof(line), "  ssh-ed25519 %s\r\n", blob64);
	assert_int_equal(key_from_pub_line(line, strlen(line), &k2), 0);
	assert_null(k2->comment);
	assert_true(key_equal_public(k, k2));
	key_free(k2);
	/* comment with spaces, trailing whitespace trimmed */
	snprintf(line, sizeof(line), "ssh-ed25519\t%s  my  key \t\n", blob64);
	assert_int_equal(key_from_pub_line(line, strlen(line), &k2), 0);
	assert_string_equal(k2->comment, "my  key");
	buf_init(&b, 0);
	assert_int_equal(key_to_pub_line(k2, true, &b), 0);
	snprintf(line, sizeof(line), "ssh-ed25519 %s my  key", blob64);
	assert_int_equal(buf_len(&b), strlen(line));
	assert_memory_equal(buf_data(&b), line, strlen(line));
	buf_reset(&b);
	assert_int_equal(key_to_pub_line(k2, false, &b), 0);
	snprintf(line, sizeof(line), "ssh-ed25519 %s", blob64);
	assert_int_equal(buf_len(&b), strlen(line));
	assert_memory_equal(buf_data(&b), line, strlen(line));
	key_free(k2);
	/* type label must match the blob */
	snprintf(line, sizeof(line), "ssh-rsa %s c", blob64);
	assert_int_equal(key_from_pub_line(line, strlen(line), &k2),
	                 SESH_ERR_INVALID_FORMAT);
	assert_null(k2);
	snprintf(line, sizeof(line), "ssh-foo %s c", blob64);
	assert_int_equal(key_from_pub_line(line, strlen(line), &k2),
	                 SESH_ERR_KEY_TYPE_UNKNOWN);
	/* broken base64, missing blob, empty line */
	snprintf(line, sizeof(line), "ssh-ed25519 %s c", blob64 + 1);
	assert_int_not_equal(key_from_pub_line(line, strlen(line), &k2), 0);
	assert_int_equal(key_from_pub_line("ssh-ed25519", 11, &k2),
	                 SESH_ERR_INVALID_FORMAT);
	assert_int_equal(key_from_pub_line("", 0, &k2),
	                 SESH_ERR_INVALID_FORMAT);
	/* a NUL inside the line */
	snprintf(line, sizeof(line), "ssh-ed25519 %s c", blob64);
	n = strlen(line);
	line[n - 1] = '\0';
	assert_int_equal(key_from_pub_line(line, n, &k2),
	                 SESH_ERR_INVALID_FORMAT);
	assert_null(k2);
	buf_clear(&b);
	key_free(k);
	free(s);
}

/* Blob of every fixture type; caller frees. */
static void
fixture_blob(size_t i, struct buf *b)
{
	struct sshkey *k = load_pub(fixture_names[i]);

	buf_init(b, 0);
	assert_int_equal(key_to_blob(k, b), 0);
	key_free(k);
}

static void
test_blob_strictness(void **state)
{
	struct sshkey *k = NULL;
	struct buf b, m;
	struct rd r;
	const uint8_t *t, *e, *nn, *q;
	size_t tl, el, nl, ql;

	(void)state;
	/* trailing data */
	fixture_blob(0, &b);
	assert_int_equal(buf_put_u8(&b, 0), 0);
	assert_int_equal(key_from_blob(buf_data(&b), buf_len(&b), &k),
	                 SESH_ERR_TRAILING_DATA);
	assert_null(k);
	buf_clear(&b);
	/* RSA: non-canonical mpint (extra leading zero) */
	fixture_blob(4, &b);
	rd_init(&r, buf_data(&b), buf_len(&b));
	assert_int_equal(rd_string(&r, &t, &tl), 0);
	assert_int_equal(rd_mpint(&r, 0, &e, &el), 0);
	assert_int_equal(rd_mpint(&r, 0, &nn, &nl), 0);
	buf_init(&m, 0);
	assert_int_equal(buf_put_string(&m, t, tl), 0);
	assert_int_equal(buf_begin(&m), 0);
	assert_int_equal(buf_put_u8(&m, 0), 0);
	assert_int_equal(buf_put_u8(&m, 0), 0);
	assert_int_equal(buf_put(&m, e, el), 0);
	assert_int_equal(buf_end(&m), 0);
	assert_int_equal(buf_put_mpint(&m, nn, nl), 0);
	assert_int_equal(key_from_blob(buf_data(&m), buf_len(&m), &k),
	                 SESH_ERR_INVALID_MPINT);
	buf_clear(&m);
	buf_clear(&b);
	/* ECDSA: curve name must match the type */
	fixture_blob(1, &b);
	rd_init(&r, buf_data(&b), buf_len(&b));
	assert_int_equal(rd_string(&r, &t, &tl), 0);
	assert_int_equal(rd_string(&r, &e, &el), 0);
	assert_int_equal(rd_string(&r, &q, &ql), 0);
	buf_init(&m, 0);
	assert_int_equal(buf_put_string(&m, t, tl), 0);
	assert_int_equal(buf_put_cstring(&m, "nistp384"), 0);
	assert_int_equal(buf_put_string(&m, q, ql), 0);
	assert_int_equal(key_from_blob(buf_data(&m), buf_len(&m), &k),
	                 SESH_ERR_INVALID_FORMAT);
	assert_null(k);
	buf_clear(&m);
	buf_clear(&b);
	/* Ed25519: 31-byte key */
	buf_init(&m, 0);
	assert_int_equal(buf_put_cstring(&m, "ssh-ed25519"), 0);
	assert_int_equal(
	    buf_put_string(&m, "0123456789012345678901234567890", 31), 0);
	assert_int_equal(key_from_blob(buf_data(&m), buf_len(&m), &k),
	                 SESH_ERR_KEY_LENGTH);
	buf_clear(&m);
	/* unknown type */
	buf_init(&m, 0);
	assert_int_equal(buf_put_cstring(&m, "ssh-dss"), 0);
	assert_int_equal(key_from_blob(buf_data(&m), buf_len(&m), &k),
	                 SESH_ERR_KEY_TYPE_UNKNOWN);
	buf_clear(&m);
}

static void
test_blob_truncation_sweep(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < NFIXTURES; i++) {
		struct buf b;

		fixture_blob(i, &b);
		for (j = 0; j < buf_len(&b); j++) {
			struct sshkey *k = NULL;

			assert_int_not_equal(key_from_blob(buf_data(&b), j, &k),
			                     0);
			assert_null(k);
		}
		buf_clear(&b);
	}
}

static void
test_blob_bitflip_sweep(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < NFIXTURES; i++) {
		struct sshkey *orig = load_pub(fixture_names[i]);
		struct buf b;
		uint8_t *f;

		fixture_blob(i, &b);
		f = malloc(buf_len(&b));
		assert_non_null(f);
		for (j = 0; j < buf_len(&b) * 8; j++) {
			struct sshkey *k = NULL;
			int ret;

			memcpy(f, buf_data(&b), buf_len(&b));
			f[j / 8] ^= (uint8_t)(1u << (j % 8));
			ret = key_from_blob(f, buf_len(&b), &k);
			if (ret == 0) {
				assert_false(key_equal_public(k, orig));
			} else {
				assert_null(k);
			}
			key_free(k);
		}
		free(f);
		buf_clear(&b);
		key_free(orig);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type_names),
	    cmocka_unit_test(test_generate_blob_roundtrip),
	    cmocka_unit_test(test_generate_bad_lengths),
	    cmocka_unit_test(test_sign_verify),
	    cmocka_unit_test(test_ssh_rsa_verify),
	    cmocka_unit_test(test_rsa_short_signature),
	    cmocka_unit_test(test_fingerprint_randomart_fixtures),
	    cmocka_unit_test(test_randomart_live),
	    cmocka_unit_test(test_pub_line_parse),
	    cmocka_unit_test(test_blob_strictness),
	    cmocka_unit_test(test_blob_truncation_sweep),
	    cmocka_unit_test(test_blob_bitflip_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
