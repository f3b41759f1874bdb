/*
 * fuzz_privkey.c - libFuzzer target for the private key file parser
 * (keyfile_parse_private, keyfile_peek; src/key/keyfile.h).
 *
 * The first input byte picks the mode, the rest is the payload:
 *   bit 0 set: the payload is the binary openssh-key-v1 body, armored here
 *              (base64, 70 columns, BEGIN/END lines), so mutations reach
 *              the binary fields directly; clear: the payload is the file
 *              text as is (openssh-key-v1, PEM, PKCS#8 or junk).
 *   bit 1 set: also try the passphrase "pass", but only when the body is
 *              openssh-key-v1 with bcrypt rounds <= FUZZ_MAX_ROUNDS (so an
 *              input cannot buy a slow KDF; PEM's own KDF iteration counts
 *              are not bounded by sesh, so PEM input never gets one).
 *   bit 2 set: a key that parses is also re-serialised encrypted (1
 *              round) and re-parsed (costly, hence optional).
 * A key that parses must re-serialise unencrypted and re-parse to an
 * equal public key that still has its private half.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "key/keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_ROUNDS 4
#define V1_BEGIN        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
#define V1_END          "-----END OPENSSH PRIVATE KEY-----\n"
#define V1_END_MARK     "-----END OPENSSH PRIVATE KEY-----"
#define V1_MAGIC        "openssh-key-v1"

/* Reads the bcrypt rounds from a binary body; false if not found. */
static bool
body_rounds(const uint8_t *p, size_t n, uint32_t *rounds)
{
	struct rd r, opts;
	const uint8_t *m, *s;
	size_t sl;

	rd_init(&r, p, n);
	return rd_view(&r, sizeof(V1_MAGIC), &m) == 0 &&
	       memcmp(m, V1_MAGIC, sizeof(V1_MAGIC)) == 0 &&
	       rd_string(&r, &s, &sl) == 0 && /* cipher */
	       rd_string(&r, &s, &sl) == 0 && /* kdf */
	       rd_sub(&r, &opts) == 0 && rd_string(&opts, &s, &sl) == 0 &&
	       rd_u32(&opts, rounds) == 0;
}

static const uint8_t *
find(const uint8_t *p, size_t n, const char *s)
{
	size_t sl = strlen(s), i;

	for (i = 0; sl <= n && i <= n - sl; i++) {
		if (memcmp(p + i, s, sl) == 0) {
			return p + i;
		}
	}
	return NULL;
}

/*
 * May the passphrase be tried on this file text? Only for an
 * openssh-key-v1 body whose rounds we can read and which are low.
 */
static bool
pass_allowed(const uint8_t *text, size_t n)
{
	const uint8_t *b, *e;
	struct buf body;
	uint32_t rounds = 0;
	bool ok = false;

	if (find(text, n, "-----BEGIN") != find(text, n, V1_BEGIN) ||
	    (b = find(text, n, V1_BEGIN)) == NULL) {
		return false;
	}
	b += strlen(V1_BEGIN);
	if ((e = find(b, n - (size_t)(b - text), V1_END_MARK)) == NULL) {
		return false;
	}
	buf_init(&body, 0);
	if (b64_decode(&body, (const char *)b, (size_t)(e - b)) == 0 &&
	    body_rounds(buf_data(&body), buf_len(&body), &rounds)) {
		ok = rounds <= FUZZ_MAX_ROUNDS;
	}
	buf_clear(&body);
	return ok;
}

static void
roundtrip(const struct sshkey *k, const char *pass)
{
	struct buf out;
	struct sshkey *k2 = NULL;

	buf_init(&out, 0);
	if (keyfile_serialize_private(k, pass, 1, &out) != 0 ||
	    keyfile_parse_private(buf_data(&out), buf_len(&out), pass, &k2) !=
	        0 ||
	    !key_equal_public(k, k2) || !key_has_private(k2)) {
		abort();
	}
	key_free(k2);
	buf_clear(&out);
}

static void
parse(const uint8_t *text, size_t n, const char *pass, bool enc_roundtrip)
{
	struct sshkey *k = NULL;
	int ret;

	ret = keyfile_parse_private(text, n, pass, &k);
	if (ret != 0) {
		if (ret > 0 || k != NULL) {
			abort();
		}
		return;
	}
	if (k == NULL || !key_has_private(k)) {
		abort();
	}
	roundtrip(k, NULL);
	if (enc_roundtrip) {
		roundtrip(k, "pass");
	}
	key_free(k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf text;
	struct sshkey *pub = NULL;
	const uint8_t *p;
	size_t n;
	bool enc, with_pass;
	uint8_t mode;
	int ret;

	if (size < 1) {
		return 0;
	}
	mode = data[0];
	p = data + 1;
	n = size - 1;
	buf_init(&text, 0);
	if (mode & 1) {
		if (buf_put(&text, V1_BEGIN, strlen(V1_BEGIN)) != 0 ||
		    b64_encode_wrapped(&text, p, n, 70) != 0 ||
		    buf_put(&text, V1_END, strlen(V1_END)) != 0) {
			abort();
		}
	} else if (n > 0 && buf_put(&text, p, n) != 0) {
		abort();
	}
	p = buf_data(&text);
	n = buf_len(&text);
	if (p == NULL) {
		p = data; /* empty input: any valid pointer */
	}

	ret = keyfile_peek(p, n, &enc, &pub);
	if (ret == 0) {
		key_free(pub);
	} else if (ret > 0 || pub != NULL) {
		abort();
	}
	with_pass = (mode & 2) != 0 && pass_allowed(p, n);
	parse(p, n, NULL, (mode & 4) != 0);
	if (with_pass) {
		parse(p, n, "pass", (mode & 4) != 0);
	}
	buf_clear(&text);
	return 0;
}
