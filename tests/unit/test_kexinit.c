/*
 * test_kexinit.c - ssh/kexinit: KEXINIT build/parse and negotiation.
 *
 * Build -> parse round trips; a real KEXINIT payload captured from
 * Debian 12's OpenSSH 9.2 sshd (tests/vectors/kexinit/, see make.sh
 * there); RFC 4253 §7.1 first-match negotiation in every category, with
 * no common algorithm, pseudo-algorithms (strict KEX, ext-info) never
 * chosen as the KEX, AEAD ciphers skipping the MAC; truncation and
 * bit-flip sweeps of the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "ssh/kexinit.h"
#include "ssh/msg.h"

static int
seq_rand(void *ctx, void *p, size_t n)
{
	uint8_t *b = p, *next = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		b[i] = (*next)++;
	}
	return 0;
}

static int
fail_rand(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return SESH_ERR_CRYPTO;
}

static bool
list_is(const struct kexinit *k, int idx, const char *s)
{
	return k->algs[idx].n == strlen(s) &&
	       (k->algs[idx].n == 0 ||
	        memcmp(k->algs[idx].p, s, k->algs[idx].n) == 0);
}

static const char *const client_lists[KEX_ALG_COUNT] = {
    ("curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
     "diffie-hellman-group14-sha256,ext-info-c,kex-strict-c-v00@openssh.com"),
    "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256",
    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr",
    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr",
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com",
    "none",
    "none",
    "",
    "",
};

static void
build(const char *const lists[KEX_ALG_COUNT], bool follows, struct buf *b,
      struct kexinit *k)
{
	uint8_t next = 0;

	buf_init(b, 0);
	assert_int_equal(kexinit_build(lists, follows, seq_rand, &next, b), 0);
	assert_int_equal(kexinit_parse(buf_data(b), buf_len(b), k), 0);
}

static void
test_round_trip(void **state)
{
	struct buf b;
	struct kexinit k;
	int i;

	(void)state;
	build(client_lists, true, &b, &k);
	assert_int_equal(buf_data(&b)[0], SSH2_MSG_KEXINIT);
	for (i = 0; i < KEXINIT_COOKIE_LEN; i++) {
		assert_int_equal(k.cookie[i], i);
	}
	for (i = 0; i < KEX_ALG_COUNT; i++) {
		assert_true(list_is(&k, i, client_lists[i]));
	}
	assert_true(k.first_kex_follows);
	assert_int_equal(k.reserved, 0);
	assert_true(kexinit_has(&k, KEX_ALG_KEX, KEX_STRICT_C));
	assert_false(kexinit_has(&k, KEX_ALG_KEX, KEX_STRICT_S));
	assert_true(kexinit_has(&k, KEX_ALG_ENC_STOC, "aes128-ctr"));
	assert_false(kexinit_has(&k, KEX_ALG_ENC_STOC, "aes128"));
	/* 1 + 16 + 10 lengths + contents + 1 + 4 */
	{
		size_t want = 1 + 16 + 1 + 4, j;

		for (j = 0; j < KEX_ALG_COUNT; j++) {
			want += 4 + strlen(client_lists[j]);
		}
		assert_int_equal(buf_len(&b), want);
	}
	buf_clear(&b);

	/* NULL lists are empty; first_kex_follows false. */
	{
		const char *const empty[KEX_ALG_COUNT] = {"a"};

		build(empty, false, &b, &k);
		assert_true(list_is(&k, KEX_ALG_KEX, "a"));
		for (i = 1; i < KEX_ALG_COUNT; i++) {
			assert_int_equal(k.algs[i].n, 0);
		}
		assert_false(k.first_kex_follows);
		buf_clear(&b);
	}
}

static void
test_build_rejects(void **state)
{
	static const char *const bad[] = {
	    "a,,b",
	    "a,",
	    ",a",
	    "a b",
	    "a\tb",
	    "caf\xc3\xa9",
	    /* 65 bytes: one name too long */
	    ("0123456789012345678901234567890123456789012345678901234567890123"
	     "4"),
	};
	const char *lists[KEX_ALG_COUNT];
	struct buf b;
	uint8_t next = 0;
	size_t i;
	int j;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_put_u8(&b, 0xaa), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (j = 0; j < KEX_ALG_COUNT; j++) {
			memcpy(lists, client_lists, sizeof(lists));
			lists[j] = bad[i];
			assert_int_not_equal(
			    kexinit_build(lists, false, seq_rand, &next, &b),
			    0);
			assert_int_equal(buf_len(&b), 1); /* nothing appended */
		}
	}
	assert_int_equal(
	    kexinit_build(client_lists, false, fail_rand, NULL, &b),
	    SESH_ERR_CRYPTO);
	assert_int_equal(buf_len(&b), 1);
	assert_int_equal(kexinit_build(NULL, false, seq_rand, &next, &b),
	                 SESH_ERR_INVALID_ARGUMENT);
	buf_clear(&b);
}

static uint8_t *
read_vector(const char *name, size_t *n)
{
	char path[512];
	FILE *f;
	uint8_t *p = malloc(65536);

	assert_non_null(p);
	snprintf(path, sizeof(path), "%s/kexinit/%s", SESH_VECTORS_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	*n = fread(p, 1, 65536, f);
	assert_true(*n > 0 && *n < 65536);
	fclose(f);
	return p;
}

static void
test_openssh92(void **state)
{
	struct kexinit k, c;
	struct kex_choice ch;
	struct buf b;
	size_t n;
	uint8_t *p = read_vector("openssh92_server.bin", &n);
	int failed;

	(void)state;
	assert_int_equal(kexinit_parse(p, n, &k), 0);
	assert_true(kexinit_has(&k, KEX_ALG_KEX, "curve25519-sha256"));
	assert_true(kexinit_has(&k, KEX_ALG_KEX, "ecdh-sha2-nistp521"));
	assert_true(
	    kexinit_has(&k, KEX_ALG_KEX, "diffie-hellman-group18-sha512"));
	assert_true(kexinit_has(&k, KEX_ALG_KEX, KEX_STRICT_S));
	assert_false(kexinit_has(&k, KEX_ALG_KEX, KEX_STRICT_C));
	assert_true(list_is(&k, KEX_ALG_HOSTKEY,
	                    "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,"
	                    "rsa-sha2-256"));
	assert_true(list_is(&k, KEX_ALG_ENC_CTOS,
	                    "chacha20-poly1305@openssh.com,aes128-ctr,"
	                    "aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
	                    "aes256-gcm@openssh.com"));
	assert_true(
	    kexinit_has(&k, KEX_ALG_MAC_STOC, "hmac-sha2-512-etm@openssh.com"));
	assert_true(list_is(&k, KEX_ALG_COMP_CTOS, "none,zlib@openssh.com"));
	assert_int_equal(k.algs[KEX_ALG_LANG_CTOS].n, 0);
	assert_int_equal(k.algs[KEX_ALG_LANG_STOC].n, 0);
	assert_false(k.first_kex_follows);
	assert_int_equal(k.reserved, 0);

	/* Our client against it. */
	build(client_lists, false, &b, &c);
	assert_int_equal(kexinit_negotiate(&c, &k, &ch, &failed), 0);
	assert_int_equal(failed, -1);
	assert_string_equal(ch.alg[KEX_ALG_KEX], "curve25519-sha256");
	assert_string_equal(ch.alg[KEX_ALG_HOSTKEY], "ssh-ed25519");
	assert_string_equal(ch.alg[KEX_ALG_ENC_CTOS],
	                    "chacha20-poly1305@openssh.com");
	assert_string_equal(ch.alg[KEX_ALG_MAC_CTOS], ""); /* AEAD */
	assert_string_equal(ch.alg[KEX_ALG_COMP_STOC], "none");
	assert_string_equal(ch.alg[KEX_ALG_LANG_CTOS], "");
	assert_true(ch.strict);
	assert_true(ch.ext_info_c);
	assert_false(ch.ext_info_s);
	assert_false(ch.guess_matches); /* sntrup761... first on theirs */
	buf_clear(&b);
	free(p);
}

static void
negotiate_lists(const char *const cl[KEX_ALG_COUNT],
                const char *const sl[KEX_ALG_COUNT], struct kex_choice *ch,
                int *failed, int *ret)
{
	struct buf bc, bs;
	struct kexinit c, s;

	build(cl, false, &bc, &c);
	build(sl, false, &bs, &s);
	*ret = kexinit_negotiate(&c, &s, ch, failed);
	buf_clear(&bc);
	buf_clear(&bs);
}

static void
test_negotiate(void **state)
{
	const char *cl[KEX_ALG_COUNT], *sl[KEX_ALG_COUNT];
	struct kex_choice ch;
	int failed, ret, i;

	(void)state;
	/* Client preference wins; CTR ciphers get a MAC. */
	memcpy(cl, client_lists, sizeof(cl));
	memcpy(sl, client_lists, sizeof(sl));
	cl[KEX_ALG_ENC_CTOS] = "aes128-ctr,aes256-gcm@openssh.com";
	sl[KEX_ALG_ENC_CTOS] = "aes256-gcm@openssh.com,aes128-ctr";
	sl[KEX_ALG_MAC_CTOS] =
	    "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com";
	sl[KEX_ALG_KEX] = "ecdh-sha2-nistp256,curve25519-sha256,"
	                  "kex-strict-s-v00@openssh.com,ext-info-s";
	sl[KEX_ALG_LANG_STOC] = "en";
	cl[KEX_ALG_LANG_STOC] = "de,en";
	negotiate_lists(cl, sl, &ch, &failed, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(ch.alg[KEX_ALG_KEX], "curve25519-sha256");
	assert_string_equal(ch.alg[KEX_ALG_ENC_CTOS], "aes128-ctr");
	assert_string_equal(ch.alg[KEX_ALG_MAC_CTOS],
	                    "hmac-sha2-256-etm@openssh.com");
	assert_string_equal(ch.alg[KEX_ALG_ENC_STOC],
	                    "chacha20-poly1305@openssh.com");
	assert_string_equal(ch.alg[KEX_ALG_MAC_STOC], "");
	assert_string_equal(ch.alg[KEX_ALG_LANG_STOC], "en");
	assert_true(ch.strict && ch.ext_info_c && ch.ext_info_s);
	assert_false(ch.guess_matches);

	/* Identical lists: the guess matches. */
	negotiate_lists(client_lists, client_lists, &ch, &failed, &ret);
	assert_int_equal(ret, 0);
	assert_true(ch.guess_matches);
	assert_false(ch.strict); /* only the -c marker on both sides */
	assert_false(ch.ext_info_s);

	/* Pseudo-algorithms are never the KEX, even when common. */
	memcpy(cl, client_lists, sizeof(cl));
	memcpy(sl, client_lists, sizeof(sl));
	cl[KEX_ALG_KEX] = "ext-info-c,kex-strict-c-v00@openssh.com,"
	                  "kex-strict-s-v00@openssh.com,ext-info-s,"
	                  "curve25519-sha256";
	sl[KEX_ALG_KEX] = "curve25519-sha256,ext-info-c,ext-info-s,"
	                  "kex-strict-c-v00@openssh.com,"
	                  "kex-strict-s-v00@openssh.com";
	negotiate_lists(cl, sl, &ch, &failed, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(ch.alg[KEX_ALG_KEX], "curve25519-sha256");
	assert_true(ch.strict);
	cl[KEX_ALG_KEX] = "ext-info-c,kex-strict-c-v00@openssh.com,foo";
	negotiate_lists(cl, sl, &ch, &failed, &ret);
	assert_int_equal(ret, SESH_ERR_PROTOCOL);
	assert_int_equal(failed, KEX_ALG_KEX);
	assert_string_equal(kexinit_category_name(failed), "kex_algorithms");
	assert_false(ch.strict); /* zeroed on failure */

	/* No common algorithm in each mandatory category. */
	for (i = 0; i < KEX_ALG_COUNT; i++) {
		memcpy(cl, client_lists, sizeof(cl));
		memcpy(sl, client_lists, sizeof(sl));
		if (i == KEX_ALG_MAC_CTOS || i == KEX_ALG_MAC_STOC) {
			/* MACs matter only with a non-AEAD cipher. */
			cl[i - 2] = sl[i - 2] = "aes128-ctr";
		}
		sl[i] = "something-else";
		negotiate_lists(cl, sl, &ch, &failed, &ret);
		if (i == KEX_ALG_LANG_CTOS || i == KEX_ALG_LANG_STOC) {
			assert_int_equal(ret, 0);
			assert_string_equal(ch.alg[i], "");
			continue;
		}
		assert_int_equal(ret, SESH_ERR_PROTOCOL);
		assert_int_equal(failed, i);
		/* An empty list on either side fails the same way. */
		sl[i] = "";
		negotiate_lists(cl, sl, &ch, &failed, &ret);
		assert_int_equal(ret, SESH_ERR_PROTOCOL);
		assert_int_equal(failed, i);
	}
	/* A MAC mismatch does not matter under an AEAD cipher. */
	memcpy(cl, client_lists, sizeof(cl));
	memcpy(sl, client_lists, sizeof(sl));
	cl[KEX_ALG_ENC_CTOS] = sl[KEX_ALG_ENC_CTOS] = "aes128-gcm@openssh.com";
	sl[KEX_ALG_MAC_CTOS] = "hmac-sha1";
	negotiate_lists(cl, sl, &ch, &failed, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(ch.alg[KEX_ALG_MAC_CTOS], "");
	assert_string_equal(kexinit_category_name(KEX_ALG_LANG_STOC),
	                    "languages_server_to_client");
	assert_string_equal(kexinit_category_name(-1), "?");
	assert_string_equal(kexinit_category_name(KEX_ALG_COUNT), "?");
	assert_int_equal(kexinit_negotiate(NULL, NULL, &ch, &failed),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static bool
zeroed(const struct kexinit *k)
{
	static const struct kexinit z;

	return memcmp(k, &z, sizeof(z)) == 0;
}

static void
sweep(const uint8_t *p, size_t n)
{
	struct kexinit k;
	uint8_t *q = malloc(n + 1);
	size_t cut, bit;
	int ret, i;

	assert_non_null(q);
	/* Every proper prefix is an error and leaves *out zeroed. */
	for (cut = 0; cut < n; cut++) {
		memcpy(q, p, cut); /* exact size, for ASan */
		memset(&k, 0xa5, sizeof(k));
		assert_int_not_equal(kexinit_parse(q, cut, &k), 0);
		assert_true(zeroed(&k));
	}
	/* A trailing byte. */
	memcpy(q, p, n);
	q[n] = 0;
	assert_int_equal(kexinit_parse(q, n + 1, &k), SESH_ERR_TRAILING_DATA);
	/* Every bit flipped: an error, or a parse whose lists are valid. */
	for (bit = 0; bit < n * 8; bit++) {
		memcpy(q, p, n);
		q[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ret = kexinit_parse(q, n, &k);
		if (ret != 0) {
			assert_true(ret < 0);
			assert_true(zeroed(&k));
			continue;
		}
		for (i = 0; i < KEX_ALG_COUNT; i++) {
			const uint8_t *name;
			size_t pos = 0, len;

			while (namelist_next(k.algs[i].p, k.algs[i].n, &pos,
			                     &name, &len)) {
				assert_true(len > 0 && len <= SESH_MAX_NAME);
				assert_true(name >= q && name + len <= q + n);
			}
		}
	}
	free(q);
}

static void
test_sweeps(void **state)
{
	struct buf b;
	struct kexinit k;
	size_t n;
	uint8_t *p = read_vector("openssh92_server.bin", &n);

	(void)state;
	sweep(p, n);
	build(client_lists, true, &b, &k);
	sweep(buf_data(&b), buf_len(&b));
	/* Not a KEXINIT. */
	p[0] = SSH2_MSG_NEWKEYS;
	assert_int_equal(kexinit_parse(p, n, &k), SESH_ERR_PROTOCOL);
	assert_int_equal(kexinit_parse(NULL, 0, &k), SESH_ERR_TRUNCATED);
	assert_int_equal(kexinit_parse(p, n, NULL), SESH_ERR_INVALID_ARGUMENT);
	buf_clear(&b);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_build_rejects),
	    cmocka_unit_test(test_openssh92),
	    cmocka_unit_test(test_negotiate),
	    cmocka_unit_test(test_sweeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
