/*
 * test_hostkeys_update.c - UpdateHostKeys' pure steps (app/hostkeys_update.h):
 * the hostkeys-00 key list (unknown types skipped, duplicates, limits,
 * truncation and bit flips), the known_hosts plan (new keys, keys to
 * remove, @revoked, wildcard and shared entries, a host key not in the
 * file), the rewrite (other lines byte for byte, hashed names) and the
 * proofs (order, session id, RSA algorithm rules, trailing data,
 * truncation and bit flips).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/hostkeys_update.h"
#include "base/buf.h"
#include "base/err.h"
#include "key/hostfile.h"
#include "key/key.h"
#include "ssh/channel.h"

static struct sshkey *ked, *kec, *krsa, *kold;

static int
setup(void **state)
{
	(void)state;
	if (key_generate(KEY_ED25519, 0, &ked) != 0 ||
	    key_generate(KEY_ECDSA_P256, 0, &kec) != 0 ||
	    key_generate(KEY_RSA, 2048, &krsa) != 0 ||
	    key_generate(KEY_ED25519, 0, &kold) != 0) {
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	key_free(ked);
	key_free(kec);
	key_free(krsa);
	key_free(kold);
	return 0;
}

static void
put_blob(struct buf *b, const struct sshkey *k)
{
	struct buf blob;

	buf_init(&blob, 0);
	assert_int_equal(key_to_blob(k, &blob), 0);
	assert_int_equal(buf_put_string(b, buf_data(&blob), buf_len(&blob)), 0);
	buf_clear(&blob);
}

/* The server's list: ed25519, an unknown type, ecdsa, rsa. */
static void
server_list(struct buf *b)
{
	struct buf foreign;

	buf_init(&foreign, 0);
	assert_int_equal(buf_put_cstring(&foreign, "ssh-dss"), 0);
	assert_int_equal(buf_put_cstring(&foreign, "p q g y"), 0);
	put_blob(b, ked);
	assert_int_equal(
	    buf_put_string(b, buf_data(&foreign), buf_len(&foreign)), 0);
	put_blob(b, kec);
	put_blob(b, krsa);
	buf_clear(&foreign);
}

static void
test_parse_keys(void **state)
{
	struct hkupd_keys ks;
	struct buf b;
	size_t skipped, i;
	int ret;

	(void)state;
	buf_init(&b, 0);
	server_list(&b);
	assert_int_equal(
	    hkupd_parse_keys(buf_data(&b), buf_len(&b), &ks, &skipped), 0);
	assert_int_equal(ks.n, 3);
	assert_int_equal(skipped, 1);
	assert_true(key_equal_public(ks.k[0], ked));
	assert_true(key_equal_public(ks.k[1], kec));
	assert_true(key_equal_public(ks.k[2], krsa));
	hkupd_keys_clear(&ks);

	/* empty: no keys */
	assert_int_equal(hkupd_parse_keys(NULL, 0, &ks, NULL), 0);
	assert_int_equal(ks.n, 0);

	/* a duplicate */
	put_blob(&b, kec);
	assert_int_equal(
	    hkupd_parse_keys(buf_data(&b), buf_len(&b), &ks, &skipped),
	    SESH_ERR_INVALID_FORMAT);
	assert_int_equal(ks.n, 0);

	/* an empty blob */
	buf_reset(&b);
	put_blob(&b, ked);
	assert_int_equal(buf_put_u32(&b, 0), 0);
	assert_int_equal(hkupd_parse_keys(buf_data(&b), buf_len(&b), &ks, NULL),
	                 SESH_ERR_INVALID_FORMAT);

	/* over the limit (unusable ones count too) */
	buf_reset(&b);
	for (i = 0; i <= HKUPD_MAX_KEYS; i++) {
		assert_int_equal(buf_put_cstring(&b, "x"), 0);
	}
	assert_int_equal(
	    hkupd_parse_keys(buf_data(&b), buf_len(&b), &ks, &skipped),
	    SESH_ERR_LIMIT);
	buf_truncate(&b, 5 * HKUPD_MAX_KEYS);
	assert_int_equal(
	    hkupd_parse_keys(buf_data(&b), buf_len(&b), &ks, &skipped), 0);
	assert_int_equal(ks.n, 0);
	assert_int_equal(skipped, HKUPD_MAX_KEYS);

	/* truncation: only cuts at a string boundary parse */
	buf_reset(&b);
	server_list(&b);
	for (i = 0; i < buf_len(&b); i++) {
		ret = hkupd_parse_keys(buf_data(&b), i, &ks, &skipped);
		if (ret == 0) {
			assert_true(ks.n < 3);
			hkupd_keys_clear(&ks);
		} else {
			assert_int_equal(ret, SESH_ERR_TRUNCATED);
			assert_int_equal(ks.n, 0);
		}
	}
	/* bit flips: an error or at most the keys there were */
	for (i = 0; i < buf_len(&b) * 8; i++) {
		uint8_t *p = (uint8_t *)buf_data(&b);

		p[i / 8] ^= (uint8_t)(1u << (i % 8));
		ret = hkupd_parse_keys(p, buf_len(&b), &ks, &skipped);
		if (ret == 0) {
			assert_true(ks.n <= 3);
			hkupd_keys_clear(&ks);
		} else {
			assert_true(ret < 0);
			assert_int_equal(ks.n, 0);
		}
		p[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	buf_clear(&b);
}

/* "name type base64\n" for k. */
static void
add_line(struct buf *b, const char *name, const struct sshkey *k)
{
	assert_int_equal(buf_put(b, name, strlen(name)), 0);
	assert_int_equal(buf_put_u8(b, ' '), 0);
	assert_int_equal(key_to_pub_line(k, false, b), 0);
	assert_int_equal(buf_put_u8(b, '\n'), 0);
}

static void
server_keys(struct hkupd_keys *ks)
{
	struct buf b;

	buf_init(&b, 0);
	server_list(&b);
	assert_int_equal(hkupd_parse_keys(buf_data(&b), buf_len(&b), ks, NULL),
	                 0);
	buf_clear(&b);
}

static void
test_plan(void **state)
{
	struct hkupd_keys srv;
	struct hkupd_plan pl;
	struct buf f;

	(void)state;
	server_keys(&srv);
	buf_init(&f, 0);

	/* only ed25519 known: ecdsa and rsa are new */
	add_line(&f, "other.example", kold);
	add_line(&f, "[host.example]:2222", ked);
	add_line(&f, "host.example", kec); /* port 22: another name */
	assert_int_equal(hkupd_plan(buf_data(&f), buf_len(&f),
	                            "[host.example]:2222", ked, &srv, &pl),
	                 0);
	assert_int_equal(pl.add.n, 2);
	assert_true(key_equal_public(pl.add.k[0], kec));
	assert_true(key_equal_public(pl.add.k[1], krsa));
	assert_int_equal(pl.remove.n, 0);
	assert_false(pl.hashed);
	hkupd_plan_clear(&pl);

	/* the host key is not there */
	assert_int_equal(hkupd_plan(buf_data(&f), buf_len(&f),
	                            "[host.example]:2222", kec, &srv, &pl),
	                 SESH_ERR_NOT_FOUND);
	assert_int_equal(
	    hkupd_plan(buf_data(&f), buf_len(&f), "nowhere", ked, &srv, &pl),
	    SESH_ERR_NOT_FOUND);

	/* an old key for the host is removed; a revoked one never added */
	add_line(&f, "[host.example]:2222", kold);
	assert_int_equal(buf_put(&f, "@revoked * ", 11), 0);
	assert_int_equal(key_to_pub_line(krsa, false, &f), 0);
	assert_int_equal(buf_put_u8(&f, '\n'), 0);
	assert_int_equal(hkupd_plan(buf_data(&f), buf_len(&f),
	                            "[host.example]:2222", ked, &srv, &pl),
	                 0);
	assert_int_equal(pl.add.n, 1);
	assert_true(key_equal_public(pl.add.k[0], kec));
	assert_int_equal(pl.remove.n, 1);
	assert_true(key_equal_public(pl.remove.k[0], kold));
	hkupd_plan_clear(&pl);

	/* an old key on a line shared with another name: left alone */
	buf_reset(&f);
	add_line(&f, "h1", ked);
	add_line(&f, "h1,10.0.0.1", kold);
	assert_int_equal(
	    hkupd_plan(buf_data(&f), buf_len(&f), "h1", ked, &srv, &pl),
	    SESH_ERR_UNSUPPORTED);
	/* a shared line with an offered key is fine */
	buf_reset(&f);
	add_line(&f, "h1,10.0.0.1", ked);
	assert_int_equal(
	    hkupd_plan(buf_data(&f), buf_len(&f), "h1", ked, &srv, &pl), 0);
	assert_int_equal(pl.add.n, 2);
	hkupd_plan_clear(&pl);
	/* a wildcard entry matching the host */
	buf_reset(&f);
	add_line(&f, "h1", ked);
	add_line(&f, "h?", kec);
	assert_int_equal(
	    hkupd_plan(buf_data(&f), buf_len(&f), "h1", ked, &srv, &pl),
	    SESH_ERR_UNSUPPORTED);

	/* a hashed entry: hashed is reported */
	buf_reset(&f);
	assert_int_equal(hostfile_format_line("h1", 22, ked, true, &f), 0);
	assert_int_equal(
	    hkupd_plan(buf_data(&f), buf_len(&f), "h1", ked, &srv, &pl), 0);
	assert_true(pl.hashed);
	assert_int_equal(pl.add.n, 2);
	hkupd_plan_clear(&pl);

	/* nothing to do when all are known */
	buf_reset(&f);
	add_line(&f, "h1", ked);
	add_line(&f, "h1", kec);
	add_line(&f, "h1", krsa);
	assert_int_equal(
	    hkupd_plan(buf_data(&f), buf_len(&f), "h1", ked, &srv, &pl), 0);
	assert_int_equal(pl.add.n + pl.remove.n, 0);
	hkupd_plan_clear(&pl);

	buf_clear(&f);
	hkupd_keys_clear(&srv);
}

static void
test_rewrite(void **state)
{
	static const char head[] = "# keep me  \n"
	                           "other.example ssh-foo AAAA junk\n"
	                           "garbage line\n";
	struct hkupd_keys srv;
	struct hkupd_plan pl;
	struct hostfile_entry e;
	enum match_result m;
	struct buf f, out, want;
	const uint8_t *p, *nl;
	size_t off, nlines = 0;

	(void)state;
	server_keys(&srv);
	buf_init(&f, 0);
	buf_init(&out, 0);
	buf_init(&want, 0);
	assert_int_equal(buf_put(&f, head, strlen(head)), 0);
	add_line(&f, "h1", ked);
	add_line(&f, "h1", kold);
	assert_int_equal(buf_put(&f, "tail h1 no newline", 18), 0);
	assert_int_equal(
	    hkupd_plan(buf_data(&f), buf_len(&f), "h1", ked, &srv, &pl), 0);
	assert_int_equal(pl.add.n, 2);
	assert_int_equal(pl.remove.n, 1);
	assert_int_equal(hkupd_rewrite(buf_data(&f), buf_len(&f), "h1", "h1",
	                               22, &pl, false, &out),
	                 0);
	/* the old content minus the kold line, then a newline, then the
	 * two new lines */
	assert_int_equal(buf_put(&want, head, strlen(head)), 0);
	add_line(&want, "h1", ked);
	assert_int_equal(buf_put(&want, "tail h1 no newline\n", 19), 0);
	add_line(&want, "h1", kec);
	add_line(&want, "h1", krsa);
	assert_int_equal(buf_len(&out), buf_len(&want));
	assert_memory_equal(buf_data(&out), buf_data(&want), buf_len(&want));

	/* hashed names for the new lines */
	buf_reset(&out);
	assert_int_equal(hkupd_rewrite(buf_data(&f), buf_len(&f), "h1", "h1",
	                               22, &pl, true, &out),
	                 0);
	p = buf_data(&out);
	for (off = 0; off < buf_len(&out); off = (size_t)(nl - p) + 1) {
		nl = memchr(p + off, '\n', buf_len(&out) - off);
		assert_non_null(nl);
		if (++nlines <= 5) {
			continue;
		}
		assert_int_equal(hostfile_parse_line((const char *)p + off,
		                                     (size_t)(nl - p) - off,
		                                     &e),
		                 0);
		assert_true(e.hashed);
		assert_int_equal(hostfile_match_name(&e, "h1", 2, &m), 0);
		assert_int_equal(m, MATCH_POSITIVE);
		hostfile_entry_clear(&e);
	}
	assert_int_equal(nlines, 7);
	hkupd_plan_clear(&pl);

	buf_clear(&f);
	buf_clear(&out);
	buf_clear(&want);
	hkupd_keys_clear(&srv);
}

/* The proof of k for sid with alg. */
static void
prove(struct buf *reply, const struct sshkey *k, const char *alg,
      const uint8_t *sid, size_t sidn)
{
	struct buf data, blob, sig;

	buf_init(&data, 0);
	buf_init(&blob, 0);
	buf_init(&sig, 0);
	assert_int_equal(key_to_blob(k, &blob), 0);
	assert_int_equal(buf_put_cstring(&data, CHAN_GREQ_HOSTKEYS_PROVE), 0);
	assert_int_equal(buf_put_string(&data, sid, sidn), 0);
	assert_int_equal(buf_put_string(&data, buf_data(&blob), buf_len(&blob)),
	                 0);
	assert_int_equal(
	    key_sign(k, alg, buf_data(&data), buf_len(&data), &sig), 0);
	assert_int_equal(buf_put_string(reply, buf_data(&sig), buf_len(&sig)),
	                 0);
	buf_clear(&data);
	buf_clear(&blob);
	buf_clear(&sig);
}

static void
test_proofs(void **state)
{
	static const uint8_t sid[32] = {1, 2, 3, 4, 5};
	static const uint8_t sid2[32] = {9};
	struct hkupd_keys ks;
	struct buf r, req, want;
	size_t i;

	(void)state;
	memset(&ks, 0, sizeof(ks));
	assert_int_equal(key_public_copy(kec, &ks.k[0]), 0);
	assert_int_equal(key_public_copy(krsa, &ks.k[1]), 0);
	ks.n = 2;
	buf_init(&r, 0);
	buf_init(&req, 0);
	buf_init(&want, 0);

	/* the request: string blob per key */
	assert_int_equal(hkupd_prove_request(&ks, &req), 0);
	put_blob(&want, kec);
	put_blob(&want, krsa);
	assert_int_equal(buf_len(&req), buf_len(&want));
	assert_memory_equal(buf_data(&req), buf_data(&want), buf_len(&want));

	prove(&r, kec, NULL, sid, sizeof(sid));
	prove(&r, krsa, "rsa-sha2-512", sid, sizeof(sid));
	assert_int_equal(hkupd_verify_proofs(&ks, sid, sizeof(sid),
	                                     "ssh-ed25519", buf_data(&r),
	                                     buf_len(&r)),
	                 0);
	assert_int_equal(hkupd_verify_proofs(&ks, sid, sizeof(sid),
	                                     "rsa-sha2-512", buf_data(&r),
	                                     buf_len(&r)),
	                 0);
	/* the kex used rsa-sha2-256: the RSA proof must too */
	assert_int_equal(hkupd_verify_proofs(&ks, sid, sizeof(sid),
	                                     "rsa-sha2-256", buf_data(&r),
	                                     buf_len(&r)),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	/* another session */
	assert_int_not_equal(hkupd_verify_proofs(&ks, sid2, sizeof(sid2),
	                                         "ssh-ed25519", buf_data(&r),
	                                         buf_len(&r)),
	                     0);
	/* trailing data */
	assert_int_equal(buf_put_u8(&r, 0), 0);
	assert_int_equal(hkupd_verify_proofs(&ks, sid, sizeof(sid),
	                                     "ssh-ed25519", buf_data(&r),
	                                     buf_len(&r)),
	                 SESH_ERR_TRAILING_DATA);
	buf_truncate(&r, buf_len(&r) - 1);
	/* truncation and bit flips never pass */
	for (i = 0; i < buf_len(&r); i++) {
		assert_int_not_equal(hkupd_verify_proofs(&ks, sid, sizeof(sid),
		                                         "ssh-ed25519",
		                                         buf_data(&r), i),
		                     0);
	}
	for (i = 0; i < buf_len(&r) * 8; i++) {
		uint8_t *p = (uint8_t *)buf_data(&r);

		p[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_not_equal(hkupd_verify_proofs(&ks, sid, sizeof(sid),
		                                         "ssh-ed25519", p,
		                                         buf_len(&r)),
		                     0);
		p[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	/* the wrong order */
	buf_reset(&r);
	prove(&r, krsa, "rsa-sha2-512", sid, sizeof(sid));
	prove(&r, kec, NULL, sid, sizeof(sid));
	assert_int_not_equal(hkupd_verify_proofs(&ks, sid, sizeof(sid),
	                                         "ssh-ed25519", buf_data(&r),
	                                         buf_len(&r)),
	                     0);
	/* without RSA in the kex, rsa-sha2-256 is as good as -512 */
	buf_reset(&r);
	prove(&r, kec, NULL, sid, sizeof(sid));
	prove(&r, krsa, "rsa-sha2-256", sid, sizeof(sid));
	assert_int_equal(hkupd_verify_proofs(&ks, sid, sizeof(sid),
	                                     "ssh-ed25519", buf_data(&r),
	                                     buf_len(&r)),
	                 0);
	buf_clear(&r);
	buf_clear(&req);
	buf_clear(&want);
	hkupd_keys_clear(&ks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_keys),
	    cmocka_unit_test(test_plan),
	    cmocka_unit_test(test_rewrite),
	    cmocka_unit_test(test_proofs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
