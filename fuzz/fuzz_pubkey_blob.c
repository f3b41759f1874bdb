/*
 * fuzz_pubkey_blob.c - libFuzzer target for public-key parsing
 * (src/key/key.h, keyfile.h).
 *
 * The same input goes to three parsers: key_from_blob (binary wire blob),
 * key_from_pub_line (".pub" / authorized_keys key part) and
 * keyfile_parse_public (any public key file format). A blob that parses
 * must serialise back to exactly the input (blobs are compared byte-wise
 * when matching authorized keys, so the parser must only accept canonical
 * encodings); every parsed key must survive the .pub line, fingerprint and
 * randomart writers and re-parse to an equal key. Signature verification
 * of the input against the parsed key exercises the signature parser.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "crypto/hash.h"
#include "key/key.h"
#include "key/keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Re-reads k's own .pub line; it must give an equal key. */
static void
pub_line_roundtrip(const struct sshkey *k, bool with_comment)
{
	struct buf b;
	struct sshkey *k2 = NULL;

	buf_init(&b, 0);
	if (key_to_pub_line(k, with_comment, &b) != 0 ||
	    key_from_pub_line((const char *)buf_data(&b), buf_len(&b), &k2) !=
	        0 ||
	    !key_equal_public(k, k2)) {
		abort();
	}
	key_free(k2);
	buf_clear(&b);
}

/*
 * Writers must succeed on any parsed key, and the .pub line re-parses.
 * The corpus seed rfc4716-cr-comment once broke that: a CR in an RFC 4716
 * Comment header, now refused by the parser.
 */
static void
exercise_key(const struct sshkey *k)
{
	struct buf b;

	buf_init(&b, 0);
	if (key_fingerprint(k, HASH_SHA256, &b) != 0) {
		abort();
	}
	buf_reset(&b);
	if (key_fingerprint(k, HASH_MD5, &b) != 0) {
		abort();
	}
	buf_reset(&b);
	if (key_randomart(k, HASH_SHA256, &b) != 0) {
		abort();
	}
	buf_reset(&b);
	if (key_to_pub_line(k, true, &b) != 0) {
		abort();
	}
	buf_clear(&b);
	pub_line_roundtrip(k, false);
	pub_line_roundtrip(k, true);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshkey *k = NULL;
	struct buf b;
	int ret;

	buf_init(&b, 0);
	if ((ret = key_from_blob(data, size, &k)) == 0) {
		if (k == NULL || key_to_blob(k, &b) != 0 ||
		    buf_len(&b) != size || memcmp(buf_data(&b), data, size)) {
			abort();
		}
		exercise_key(k);
		/* The input as a signature over itself: never valid, but it
		 * must be rejected cleanly. */
		(void)key_verify(k, NULL, true, data, size, data, size);
		key_free(k);
		k = NULL;
	} else if (k != NULL || ret >= 0) {
		abort();
	}
	if ((ret = key_from_pub_line((const char *)data, size, &k)) == 0) {
		exercise_key(k);
		key_free(k);
		k = NULL;
	} else if (k != NULL || ret >= 0) {
		abort();
	}
	if ((ret = keyfile_parse_public(data, size, &k)) == 0) {
		exercise_key(k);
		key_free(k);
		k = NULL;
	} else if (k != NULL || ret >= 0) {
		abort();
	}
	buf_clear(&b);
	return 0;
}
