/*
 * test_bcrypt_pbkdf.c - known-answer tests for the Blowfish core and
 * bcrypt_pbkdf.
 *
 * Blowfish: Eric Young's ECB vectors as published with Schneier's
 * description. bcrypt_pbkdf: OpenBSD's regression vectors, and records
 * made from keys that OpenSSH's ssh-keygen encrypted
 * (tests/vectors/bcrypt_pbkdf/openssh.txt, see make_vectors.py there). For
 * those, the derived key must match the recorded one AND, independently,
 * it must decrypt ssh-keygen's private section into one whose two check
 * ints are equal and whose embedded public key is the file's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "crypto/bcrypt_pbkdf.h"
#include "crypto/blowfish.h"
#include "crypto/cipher.h"

#define MAX_HEX 4096

static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (s[0] != '\0' && s[0] != '\n') {
		assert_true(s[1] != '\0');
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		assert_true(n < max);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* Eric Young's Blowfish ECB vectors (key, plaintext, ciphertext). */
static const char *const bf_ecb[][3] = {
    {"0000000000000000", "0000000000000000", "4ef997456198dd78"},
    {"ffffffffffffffff", "ffffffffffffffff", "51866fd5b85ecb8a"},
    {"3000000000000000", "1000000000000001", "7d856f9a613063f2"},
    {"1111111111111111", "1111111111111111", "2466dd878b963c9d"},
    {"0123456789abcdef", "1111111111111111", "61f9c3802281b096"},
    {"1111111111111111", "0123456789abcdef", "7d0cc630afda1ec7"},
    {"fedcba9876543210", "0123456789abcdef", "0aceab0fc6a0a28d"},
    {"7ca110454a1a6e57", "01a1d6d039776742", "59c68245eb05282b"},
    {"0131d9619dc1376e", "5cd54ca83def57da", "b1b8cc0b250f09a0"},
};

static void
test_blowfish_ecb(void **state)
{
	struct blowfish bf;
	uint8_t key[8], pt[8], ct[8], out[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bf_ecb) / sizeof(bf_ecb[0]); i++) {
		assert_int_equal(unhex(bf_ecb[i][0], key, sizeof(key)), 8);
		assert_int_equal(unhex(bf_ecb[i][1], pt, sizeof(pt)), 8);
		assert_int_equal(unhex(bf_ecb[i][2], ct, sizeof(ct)), 8);
		blowfish_set_key(&bf, key, sizeof(key));
		blowfish_encrypt_block(&bf, pt, out);
		assert_memory_equal(out, ct, 8);
		blowfish_decrypt_block(&bf, ct, out);
		assert_memory_equal(out, pt, 8);
		blowfish_wipe(&bf);
	}
}

/* The initial state is pi's digits: spot-check words from each table. */
static void
test_blowfish_pi(void **state)
{
	struct blowfish bf;

	(void)state;
	blowfish_init_state(&bf);
	assert_int_equal(bf.p[0], 0x243f6a88);
	assert_int_equal(bf.p[17], 0x8979fb1b);
	assert_int_equal(bf.s[0][0], 0xd1310ba6);
	assert_int_equal(bf.s[3][255], 0x3ac372e6);
}

/* Salted expansion with all-zero data is the unsalted one. */
static void
test_blowfish_expand_zero_data(void **state)
{
	static const uint8_t key[5] = {1, 2, 3, 4, 5};
	static const uint8_t zeros[8] = {0};
	struct blowfish a, b;

	(void)state;
	blowfish_init_state(&a);
	blowfish_init_state(&b);
	blowfish_expand0(&a, key, sizeof(key));
	blowfish_expand(&b, zeros, sizeof(zeros), key, sizeof(key));
	assert_memory_equal(&a, &b, sizeof(a));
	/* And non-zero data changes the state. */
	blowfish_init_state(&b);
	blowfish_expand(&b, key, sizeof(key), key, sizeof(key));
	assert_memory_not_equal(&a, &b, sizeof(a));
}

struct pbkdf_kat {
	const char *pass;
	size_t passlen;
	const char *salt;
	size_t saltlen;
	unsigned int rounds;
	const char *out;
};

/* OpenBSD's regression vectors for bcrypt_pbkdf. */
static const struct pbkdf_kat openbsd_kats[] = {
    {"password", 8, "salt", 4, 4,
     "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"},
    {"password", 8, "\0", 1, 4, "c12b566235eee04c212598970a579a67"},
    {"\0", 1, "salt", 4, 4, "6051be18c2f4f82cbf0efee5471b4bb9"},
    {"password\0", 9, "salt\0", 5, 4,
     "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"},
    {"pass\0wor", 8, "sa\0l", 4, 4, "c2bffd9db38f6569efef4372f4de83c0"},
    {"pass\0word", 9, "sa\0lt", 5, 4, "4ba4ac3925c0e8d7f0cdb6bb1684a56f"},
    {"password", 8, "salt", 4, 8,
     "e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec7"
     "6227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d"},
    {"password", 8, "salt", 4, 42, "833cf0dcf56db65608e8f0dc0ce882bd"},
    {"Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do "
     "eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut "
     "enim ad minim veniam, quis nostrud exercitation ullamco laboris "
     "nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in "
     "reprehenderit in voluptate velit esse cillum dolore eu fugiat "
     "nulla pariatur. Excepteur sint occaecat cupidatat non proident, "
     "sunt in culpa qui officia deserunt mollit anim id est laborum.",
     446, "salis\0", 6, 8, "10978b07253df57f71a162eb0e8ad30a"},
};

static void
test_pbkdf_openbsd(void **state)
{
	uint8_t want[128], got[128];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(openbsd_kats) / sizeof(openbsd_kats[0]); i++) {
		const struct pbkdf_kat *k = &openbsd_kats[i];

		if (k->passlen > 9) {
			assert_int_equal(strlen(k->pass), k->passlen);
		}
		n = unhex(k->out, want, sizeof(want));
		memset(got, 0xaa, sizeof(got));
		assert_int_equal(bcrypt_pbkdf(k->pass, k->passlen,
		                              (const uint8_t *)k->salt,
		                              k->saltlen, got, n, k->rounds),
		                 0);
		assert_memory_equal(got, want, n);
		/* Nothing written past keylen. */
		assert_int_equal(got[n], 0xaa);
	}
}

/* One record of openssh.txt. */
struct ossh_vec {
	char name[64];
	char cipher[64];
	uint8_t pass[256];
	size_t passlen;
	uint8_t salt[64];
	size_t saltlen;
	unsigned int rounds;
	size_t keylen;
	uint8_t key[64];
	size_t keylen_hex;
	uint8_t pub[512];
	size_t publen;
	uint8_t section[MAX_HEX];
	size_t sectionlen;
	unsigned int fields;
};

static void
set_field(struct ossh_vec *v, const char *k, const char *val)
{
	if (strcmp(k, "name") == 0) {
		snprintf(v->name, sizeof(v->name), "%s", val);
	} else if (strcmp(k, "cipher") == 0) {
		snprintf(v->cipher, sizeof(v->cipher), "%s", val);
	} else if (strcmp(k, "pass") == 0) {
		v->passlen = unhex(val, v->pass, sizeof(v->pass));
	} else if (strcmp(k, "salt") == 0) {
		v->saltlen = unhex(val, v->salt, sizeof(v->salt));
	} else if (strcmp(k, "rounds") == 0) {
		v->rounds = (unsigned int)strtoul(val, NULL, 10);
	} else if (strcmp(k, "keylen") == 0) {
		v->keylen = (size_t)strtoul(val, NULL, 10);
	} else if (strcmp(k, "key") == 0) {
		v->keylen_hex = unhex(val, v->key, sizeof(v->key));
	} else if (strcmp(k, "pubblob") == 0) {
		v->publen = unhex(val, v->pub, sizeof(v->pub));
	} else if (strcmp(k, "section") == 0) {
		v->sectionlen = unhex(val, v->section, sizeof(v->section));
	} else {
		fail_msg("unknown field %s", k);
	}
	v->fields++;
}

static uint32_t
be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/*
 * For CTR records, decrypts the section with the derived key and checks
 * it: equal check ints, then the public blob's first fields (type string
 * and, for ed25519, the public key) repeated.
 */
static void
check_decrypts(const struct ossh_vec *v, const uint8_t *key)
{
	const struct cipher_alg *alg = cipher_by_name(v->cipher);
	struct cipher_ctx *c = NULL;
	static uint8_t plain[MAX_HEX];
	size_t typelen;

	assert_non_null(alg);
	if (alg->kind != CIPHER_KIND_CTR) {
		return; /* GCM records: checked by make_vectors.py only */
	}
	assert_int_equal(alg->key_len + alg->iv_len, v->keylen);
	assert_int_equal(cipher_new(alg, false, key, key + alg->key_len, &c),
	                 0);
	assert_int_equal(cipher_crypt(c, plain, v->section, v->sectionlen), 0);
	cipher_free(c);
	assert_true(v->sectionlen >= 8 + v->publen);
	assert_int_equal(be32(plain), be32(plain + 4));
	/* The private section repeats the type and (ed25519) public key,
	 * which is the whole public blob for ed25519. */
	typelen = 4 + be32(v->pub);
	assert_true(typelen <= v->publen);
	assert_memory_equal(plain + 8, v->pub, typelen);
	if (memcmp(v->pub + 4, "ssh-ed25519", 11) == 0) {
		assert_memory_equal(plain + 8, v->pub, v->publen);
	}
}

static void
run_ossh_vec(const struct ossh_vec *v)
{
	uint8_t got[64], bad[64];

	assert_int_equal(v->fields, 9);
	assert_int_equal(v->keylen, v->keylen_hex);
	assert_true(v->keylen <= sizeof(got));
	assert_int_equal(bcrypt_pbkdf((const char *)v->pass, v->passlen,
	                              v->salt, v->saltlen, got, v->keylen,
	                              v->rounds),
	                 0);
	assert_memory_equal(got, v->key, v->keylen);
	check_decrypts(v, got);
	/* A wrong passphrase gives another key. */
	assert_int_equal(bcrypt_pbkdf("wrong", 5, v->salt, v->saltlen, bad,
	                              v->keylen, v->rounds),
	                 0);
	assert_memory_not_equal(bad, v->key, v->keylen);
}

static void
test_pbkdf_openssh(void **state)
{
	static struct ossh_vec v;
	static char line[2 * MAX_HEX + 64];
	FILE *f;
	char *eq, *nl;
	unsigned int records = 0;

	(void)state;
	f = fopen(SESH_VECTORS_DIR "/bcrypt_pbkdf/openssh.txt", "r");
	assert_non_null(f);
	memset(&v, 0, sizeof(v));
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
		}
		if (line[0] == '#') {
			continue;
		}
		if (line[0] == '\0') {
			if (v.fields != 0) {
				run_ossh_vec(&v);
				records++;
				memset(&v, 0, sizeof(v));
			}
			continue;
		}
		eq = strstr(line, " = ");
		assert_non_null(eq);
		*eq = '\0';
		set_field(&v, line, eq + 3);
	}
	fclose(f);
	if (v.fields != 0) {
		run_ossh_vec(&v);
		records++;
	}
	assert_true(records >= 5);
}

/* Keys longer than one block are interleaved, not concatenated: a longer
 * request is no extension of a shorter one, but the stride-1 prefix is. */
static void
test_pbkdf_interleave(void **state)
{
	static const uint8_t salt[16] = {0x5a};
	uint8_t k32[32], k33[33], k64[64];

	(void)state;
	assert_int_equal(bcrypt_pbkdf("p", 1, salt, sizeof(salt), k32, 32, 2),
	                 0);
	assert_int_equal(bcrypt_pbkdf("p", 1, salt, sizeof(salt), k33, 33, 2),
	                 0);
	assert_int_equal(bcrypt_pbkdf("p", 1, salt, sizeof(salt), k64, 64, 2),
	                 0);
	/* keylen 64: stride 2, block 1 at even positions. keylen 33:
	 * stride 2, amt 17, block 1 at positions 0, 2, ..., 32. keylen 32:
	 * stride 1, block 1 whole. */
	for (size_t i = 0; i < 16; i++) {
		assert_int_equal(k64[2 * i], k32[i]);
		assert_int_equal(k33[2 * i], k32[i]);
	}
	assert_int_equal(k33[32], k32[16]);
}

static void
test_pbkdf_invalid(void **state)
{
	static const uint8_t salt[4] = {1, 2, 3, 4};
	uint8_t key[1025];

	(void)state;
	memset(key, 0x55, sizeof(key));
	assert_int_equal(bcrypt_pbkdf("p", 1, salt, 4, key, 16, 0),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(bcrypt_pbkdf("p", 0, salt, 4, key, 16, 1),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(bcrypt_pbkdf("p", 1, salt, 0, key, 16, 1),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(bcrypt_pbkdf("p", 1, salt, 4, key, 0, 1),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(bcrypt_pbkdf("p", 1, salt, 4, key, 1025, 1),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(bcrypt_pbkdf(NULL, 1, salt, 4, key, 16, 1),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(bcrypt_pbkdf("p", 1, NULL, 4, key, 16, 1),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* The failed calls wrote nothing. */
	assert_int_equal(key[0], 0x55);
	/* The largest key works and fills every byte position. */
	assert_int_equal(bcrypt_pbkdf("p", 1, salt, 4, key, 1024, 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blowfish_pi),
	    cmocka_unit_test(test_blowfish_ecb),
	    cmocka_unit_test(test_blowfish_expand_zero_data),
	    cmocka_unit_test(test_pbkdf_openbsd),
	    cmocka_unit_test(test_pbkdf_openssh),
	    cmocka_unit_test(test_pbkdf_interleave),
	    cmocka_unit_test(test_pbkdf_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
