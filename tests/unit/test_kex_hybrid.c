/*
 * test_kex_hybrid.c - the post-quantum hybrid KEX family (ssh/kex_hybrid.h)
 * for mlkem768x25519-sha256, sntrup761x25519-sha512 and its
 * @openssh.com alias: the method entries (string values, K as a string,
 * hash, exact client value size as pub_max; taken from the registry
 * when registered, else from local entries with the same fields); both
 * roles through the family's ops over many seeds (value sizes, equal K
 * of the method's hash length); an exchange against values made by
 * independent code (tests/vectors/kex_hybrid/mlkem768x25519_noble.txt:
 * @noble/post-quantum's ML-KEM-768 with node's X25519 and SHA-256):
 * client INIT, server REPLY and K byte for byte; whole exchanges through
 * kex.c (INIT and REPLY framing, equal H and K encoded as a string with
 * a 4-byte length and no mpint sign byte) with an Ed25519 host key;
 * refusals: every wrong length of the client's and the server's value
 * (SESH_ERR_KEY_LENGTH, nothing appended), oversized strings in INIT
 * (SESH_ERR_LIMIT), truncation sweeps of whole INIT and REPLY payloads
 * (errors, and a client state still usable afterwards), an ML-KEM key
 * with a coefficient >= q (SESH_ERR_INVALID_KEY), an all-zero X25519
 * value (SESH_ERR_KEX_DEGENERATE); bit flips in either value never
 * crash and never give both sides the same K, except the top bit of an
 * X25519 key, which X25519 masks (RFC 7748 §5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "base/buf.h"
#include "base/err.h"
#include "crypto/hash.h"
#include "key/key.h"
#include "ssh/kex.h"
#include "ssh/kex_hybrid.h"
#include "ssh/kex_int.h"
#include "ssh/msg.h"

/* ---- methods ---- */

/* Used until the registry holds the hybrids (kex.c); same fields. The
 * family value is the one after KEX_FAMILY_DH (kex.c never reads it). */
#define HYBRID_FAMILY ((enum kex_family)(KEX_FAMILY_DH + 1))
static const struct kex_method local_methods[] = {
    {"mlkem768x25519-sha256", HASH_SHA256, HYBRID_FAMILY, KEX_HYBRID_MLKEM768,
     KEX_ENC_STRING, KEX_ENC_STRING, KEX_HYBRID_MLKEM768_PUB, &kex_ops_hybrid},
    {"sntrup761x25519-sha512", HASH_SHA512, HYBRID_FAMILY, KEX_HYBRID_SNTRUP761,
     KEX_ENC_STRING, KEX_ENC_STRING, KEX_HYBRID_SNTRUP761_PUB, &kex_ops_hybrid},
    {"sntrup761x25519-sha512@openssh.com", HASH_SHA512, HYBRID_FAMILY,
     KEX_HYBRID_SNTRUP761, KEX_ENC_STRING, KEX_ENC_STRING,
     KEX_HYBRID_SNTRUP761_PUB, &kex_ops_hybrid},
};
#define NMETHODS (sizeof(local_methods) / sizeof(local_methods[0]))

static const struct kex_method *
hyb(size_t i)
{
	const struct kex_method *m = kex_method_by_name(local_methods[i].name);

	return m != NULL ? m : &local_methods[i];
}

/* Sizes of one method's values. */
struct sizes {
	size_t c_pub, s_pub, k;
};

static struct sizes
sizes_of(const struct kex_method *m)
{
	struct sizes s;

	if (m->param == KEX_HYBRID_MLKEM768) {
		s.c_pub = 1184 + 32;
		s.s_pub = 1088 + 32;
		s.k = 32;
	} else {
		s.c_pub = 1158 + 32;
		s.s_pub = 1039 + 32;
		s.k = 64;
	}
	return s;
}

/* ---- randomness ---- */

/* Deterministic byte stream (splitmix64). */
static int
det_rand(void *ctx, void *p, size_t n)
{
	uint64_t *s = ctx;
	uint8_t *q = p;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		q[i] = (uint8_t)((z ^ (z >> 31)) >> 56);
	}
	return 0;
}

/* Serves given bytes, in order; an error once they run out. */
struct stream {
	const uint8_t *p;
	size_t n, off;
};

static int
stream_rand(void *ctx, void *p, size_t n)
{
	struct stream *s = ctx;

	if (n > s->n - s->off) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memcpy(p, s->p + s->off, n);
	s->off += n;
	return 0;
}

/* ---- fixtures ---- */

static struct sshkey *hk_ed;

static const uint8_t t_vc[] = "SSH-2.0-sesh_test";
static const uint8_t t_vs[] = "SSH-2.0-OpenSSH_9.9";
static const uint8_t t_ic[] = "\x14"
                              "client-kexinit";
static const uint8_t t_is[] = "\x14"
                              "server-kexinit";

static const struct kex_hash_input hin = {
    {t_vc, sizeof(t_vc) - 1},
    {t_vs, sizeof(t_vs) - 1},
    {t_ic, sizeof(t_ic) - 1},
    {t_is, sizeof(t_is) - 1},
};

static int
group_setup(void **state)
{
	(void)state;
	return key_generate(KEY_ED25519, 0, &hk_ed) == 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	key_free(hk_ed);
	return 0;
}

/* One exchange at the ops level. */
struct ops_x {
	void *priv;
	struct buf c_pub, s_pub, k_srv, k_cli;
};

static void
ops_x_init(struct ops_x *x)
{
	memset(x, 0, sizeof(*x));
	buf_init(&x->c_pub, 0);
	buf_init(&x->s_pub, 0);
	buf_init(&x->k_srv, 0);
	buf_init(&x->k_cli, 0);
}

static void
ops_x_clear(const struct kex_method *m, struct ops_x *x)
{
	m->ops->client_free(x->priv);
	buf_clear(&x->c_pub);
	buf_clear(&x->s_pub);
	buf_clear(&x->k_srv);
	buf_clear(&x->k_cli);
}

/* Runs both roles with one seed; checks sizes and equal K. */
static void
ops_exchange(const struct kex_method *m, uint64_t seed, struct ops_x *x)
{
	struct sizes sz = sizes_of(m);

	assert_int_equal(
	    m->ops->client_keygen(m, det_rand, &seed, &x->priv, &x->c_pub), 0);
	assert_non_null(x->priv);
	assert_int_equal(buf_len(&x->c_pub), sz.c_pub);
	assert_int_equal(
	    m->ops->server_exchange(m, det_rand, &seed, buf_data(&x->c_pub),
	                            buf_len(&x->c_pub), &x->s_pub, &x->k_srv),
	    0);
	assert_int_equal(buf_len(&x->s_pub), sz.s_pub);
	assert_int_equal(buf_len(&x->k_srv), sz.k);
	assert_int_equal(m->ops->client_shared(m, x->priv, buf_data(&x->s_pub),
	                                       buf_len(&x->s_pub), &x->k_cli),
	                 0);
	assert_int_equal(buf_len(&x->k_cli), sz.k);
	assert_memory_equal(buf_data(&x->k_cli), buf_data(&x->k_srv), sz.k);
}

/* ---- tests ---- */

static void
test_methods(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		const struct kex_method *m = hyb(i);
		struct sizes sz = sizes_of(m);

		assert_string_equal(m->name, local_methods[i].name);
		assert_ptr_equal(m->ops, &kex_ops_hybrid);
		assert_int_equal(m->pub_enc, KEX_ENC_STRING);
		assert_int_equal(m->k_enc, KEX_ENC_STRING);
		assert_int_equal(m->hash, local_methods[i].hash);
		assert_int_equal(m->param, local_methods[i].param);
		assert_int_equal(m->pub_max, sz.c_pub);
		assert_int_equal(hash_len(m->hash), sz.k);
	}
	assert_int_equal(KEX_HYBRID_MLKEM768_PUB, 1216);
	assert_int_equal(KEX_HYBRID_SNTRUP761_PUB, 1190);
}

static void
test_ops_pairs(void **state)
{
	uint8_t first[64];
	struct ops_x x;
	size_t i;
	int s;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		const struct kex_method *m = hyb(i);

		for (s = 0; s < 6; s++) {
			ops_x_init(&x);
			ops_exchange(m, (uint64_t)s * 1000 + i, &x);
			if (s == 0) {
				memcpy(first, buf_data(&x.k_cli),
				       buf_len(&x.k_cli));
			} else {
				assert_memory_not_equal(first,
				                        buf_data(&x.k_cli),
				                        buf_len(&x.k_cli));
			}
			ops_x_clear(m, &x);
		}
	}
}

/* Reads "name = hex" into out (exactly n bytes) from a record. */
static void
record_get(char *rec, const char *name, uint8_t *out, size_t n)
{
	char key[64], *p, *end;
	size_t len;

	snprintf(key, sizeof(key), "\n%s = ", name);
	p = strstr(rec, key);
	assert_non_null(p);
	p += strlen(key);
	end = strchr(p, '\n');
	assert_non_null(end);
	len = (size_t)(end - p);
	assert_int_equal(len, 2 * n);
	*end = '\0';
	assert_int_equal(unhex(p, out, n), n);
	*end = '\n';
}

static void
test_noble_vectors(void **state)
{
	const struct kex_method *m = hyb(0);
	struct sizes sz = sizes_of(m);
	uint8_t crand[96], srand[64], cinit[1216], sreply[1120], k[32];
	struct stream cs, ss;
	struct ops_x x;
	char *text, *rec, *next;
	size_t n, count = 0;

	(void)state;
	assert_int_equal(m->param, KEX_HYBRID_MLKEM768);
	text = test_read_file(
	    SESH_VECTORS_DIR "/kex_hybrid/mlkem768x25519_noble.txt", &n);
	for (rec = strstr(text, "\ncount = "); rec != NULL; rec = next) {
		next = strstr(rec + 1, "\ncount = ");
		if (next != NULL) {
			*next = '\0';
		}
		record_get(rec, "client_rand", crand, sizeof(crand));
		record_get(rec, "server_rand", srand, sizeof(srand));
		record_get(rec, "c_init", cinit, sizeof(cinit));
		record_get(rec, "s_reply", sreply, sizeof(sreply));
		record_get(rec, "k", k, sizeof(k));
		if (next != NULL) {
			*next = '\n';
		}
		ops_x_init(&x);
		cs = (struct stream){crand, sizeof(crand), 0};
		ss = (struct stream){srand, sizeof(srand), 0};
		assert_int_equal(m->ops->client_keygen(m, stream_rand, &cs,
		                                       &x.priv, &x.c_pub),
		                 0);
		assert_int_equal(cs.off, sizeof(crand));
		assert_int_equal(buf_len(&x.c_pub), sz.c_pub);
		assert_memory_equal(buf_data(&x.c_pub), cinit, sizeof(cinit));
		assert_int_equal(m->ops->server_exchange(m, stream_rand, &ss,
		                                         cinit, sizeof(cinit),
		                                         &x.s_pub, &x.k_srv),
		                 0);
		assert_int_equal(ss.off, sizeof(srand));
		assert_memory_equal(buf_data(&x.s_pub), sreply, sizeof(sreply));
		assert_memory_equal(buf_data(&x.k_srv), k, sizeof(k));
		assert_int_equal(m->ops->client_shared(m, x.priv, sreply,
		                                       sizeof(sreply),
		                                       &x.k_cli),
		                 0);
		assert_memory_equal(buf_data(&x.k_cli), k, sizeof(k));
		ops_x_clear(m, &x);
		count++;
	}
	assert_int_equal(count, 2);
	free(text);
}

/* One exchange through kex.c. */
struct kx {
	struct kex_client *c;
	struct buf init, reply, k_srv, k_cli;
	uint8_t h_srv[HASH_MAX_LEN], h_cli[HASH_MAX_LEN];
	size_t hl_srv, hl_cli;
};

static void
kx_init(struct kx *x)
{
	memset(x, 0, sizeof(*x));
	buf_init(&x->init, 0);
	buf_init(&x->reply, 0);
	buf_init(&x->k_srv, 0);
	buf_init(&x->k_cli, 0);
}

static void
kx_clear(struct kx *x)
{
	kex_client_free(x->c);
	buf_clear(&x->init);
	buf_clear(&x->reply);
	buf_clear(&x->k_srv);
	buf_clear(&x->k_cli);
}

/* INIT and REPLY through kex.c; the client's step is left to callers. */
static void
kx_start(const struct kex_method *m, uint64_t seed, struct kx *x)
{
	assert_int_equal(kex_client_init(m, det_rand, &seed, &x->c, &x->init),
	                 0);
	assert_int_equal(kex_server_reply(m, det_rand, &seed,
	                                  buf_data(&x->init), buf_len(&x->init),
	                                  &hin, hk_ed, "ssh-ed25519", x->h_srv,
	                                  &x->hl_srv, &x->k_srv, &x->reply),
	                 0);
}

static int
kx_client(struct kx *x, const uint8_t *p, size_t n)
{
	struct sshkey *got = NULL;
	int ret;

	ret = kex_client_reply(x->c, "ssh-ed25519", p, n, &hin, &got, x->h_cli,
	                       &x->hl_cli, &x->k_cli);
	if (ret == 0) {
		assert_non_null(got);
	} else {
		assert_null(got);
		assert_int_equal(x->hl_cli, 0);
		assert_int_equal(buf_len(&x->k_cli), 0);
	}
	key_free(got);
	return ret;
}

static void
test_kex_driver(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		const struct kex_method *m = hyb(i);
		struct sizes sz = sizes_of(m);
		const uint8_t *v, *kp;
		struct rd r;
		size_t vn;
		struct kx x;

		kx_init(&x);
		kx_start(m, 500 + i, &x);
		/* byte 30, string C_INIT */
		rd_init(&r, buf_data(&x.init), buf_len(&x.init));
		assert_int_equal(rd_expect_u8(&r, SSH2_MSG_KEX_ECDH_INIT), 0);
		assert_int_equal(rd_string(&r, &v, &vn), 0);
		assert_int_equal(vn, sz.c_pub);
		assert_int_equal(rd_end(&r), 0);
		assert_int_equal(
		    kx_client(&x, buf_data(&x.reply), buf_len(&x.reply)), 0);
		assert_int_equal(x.hl_cli, hash_len(m->hash));
		assert_int_equal(x.hl_srv, x.hl_cli);
		assert_memory_equal(x.h_cli, x.h_srv, x.hl_cli);
		/* K as a string: uint32 length, then the digest as is */
		assert_int_equal(buf_len(&x.k_cli), 4 + sz.k);
		assert_int_equal(buf_len(&x.k_srv), 4 + sz.k);
		assert_memory_equal(buf_data(&x.k_cli), buf_data(&x.k_srv),
		                    4 + sz.k);
		kp = buf_data(&x.k_cli);
		assert_int_equal(kp[0] | kp[1] | kp[2], 0);
		assert_int_equal(kp[3], sz.k);
		kx_clear(&x);
	}
}

/* Wrong lengths of the client's value: nothing appended. */
static void
check_server_len(const struct kex_method *m, const uint8_t *c_pub, size_t n)
{
	struct buf s_pub, k;
	uint64_t seed = 9;

	buf_init(&s_pub, 0);
	buf_init(&k, 0);
	assert_int_equal(
	    m->ops->server_exchange(m, det_rand, &seed, c_pub, n, &s_pub, &k),
	    SESH_ERR_KEY_LENGTH);
	assert_int_equal(buf_len(&s_pub), 0);
	assert_int_equal(buf_len(&k), 0);
	buf_clear(&s_pub);
	buf_clear(&k);
}

static void
test_wrong_lengths(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		const struct kex_method *m = hyb(i);
		struct sizes sz = sizes_of(m);
		uint8_t *big = calloc(1, 2 * sz.c_pub);
		struct ops_x x;
		struct buf k;

		assert_non_null(big);
		buf_init(&k, 0);
		ops_x_init(&x);
		ops_exchange(m, 77 + i, &x);
		memcpy(big, buf_data(&x.c_pub), sz.c_pub);
		/* every shorter length, and some longer ones */
		for (n = 0; n < sz.c_pub; n++) {
			check_server_len(m, big, n);
		}
		for (n = sz.c_pub + 1; n < sz.c_pub + 40; n++) {
			check_server_len(m, big, n);
		}
		check_server_len(m, big, 2 * sz.c_pub);
		check_server_len(m, NULL, sz.c_pub);
		/* the server's value, at the client */
		memcpy(big, buf_data(&x.s_pub), sz.s_pub);
		for (n = 0; n < sz.s_pub + 40; n++) {
			if (n == sz.s_pub) {
				continue;
			}
			assert_int_equal(
			    m->ops->client_shared(m, x.priv, big, n, &k),
			    SESH_ERR_KEY_LENGTH);
			assert_int_equal(buf_len(&k), 0);
		}
		/* the other method's sizes are wrong too */
		assert_int_equal(
		    m->ops->client_shared(m, x.priv, big,
		                          sizes_of(hyb((i + 1) % 2)).s_pub, &k),
		    m->param == hyb((i + 1) % 2)->param ? 0
		                                        : SESH_ERR_KEY_LENGTH);
		buf_clear(&k);
		ops_x_clear(m, &x);
		free(big);
	}
}

/* Whole INIT and REPLY payloads cut short or oversized, via kex.c. */
static void
test_truncation(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		const struct kex_method *m = hyb(i);
		struct sizes sz = sizes_of(m);
		uint8_t H[HASH_MAX_LEN];
		size_t hl = 0;
		uint64_t seed = 31;
		struct buf k, reply, init;
		struct kx x;

		buf_init(&k, 0);
		buf_init(&reply, 0);
		buf_init(&init, 0);
		kx_init(&x);
		kx_start(m, 600 + i, &x);
		for (n = 0; n < buf_len(&x.init); n++) {
			assert_true(kex_server_reply(m, det_rand, &seed,
			                             buf_data(&x.init), n, &hin,
			                             hk_ed, "ssh-ed25519", H,
			                             &hl, &k, &reply) < 0);
			assert_int_equal(buf_len(&reply), 0);
			assert_int_equal(hl, 0);
		}
		/* one byte more than the method's largest value: LIMIT */
		assert_int_equal(buf_put_u8(&init, SSH2_MSG_KEX_ECDH_INIT), 0);
		assert_int_equal(buf_begin(&init), 0);
		assert_int_equal(
		    buf_put(&init, buf_data(&x.init) + 5, sz.c_pub), 0);
		assert_int_equal(buf_put_u8(&init, 0), 0);
		assert_int_equal(buf_end(&init), 0);
		assert_int_equal(
		    kex_server_reply(m, det_rand, &seed, buf_data(&init),
		                     buf_len(&init), &hin, hk_ed, "ssh-ed25519",
		                     H, &hl, &k, &reply),
		    SESH_ERR_LIMIT);
		/* one byte less: the family refuses the length */
		buf_reset(&init);
		assert_int_equal(buf_put_u8(&init, SSH2_MSG_KEX_ECDH_INIT), 0);
		assert_int_equal(
		    buf_put_string(&init, buf_data(&x.init) + 5, sz.c_pub - 1),
		    0);
		assert_int_equal(
		    kex_server_reply(m, det_rand, &seed, buf_data(&init),
		                     buf_len(&init), &hin, hk_ed, "ssh-ed25519",
		                     H, &hl, &k, &reply),
		    SESH_ERR_KEY_LENGTH);
		assert_int_equal(buf_len(&reply), 0);
		/* every prefix of the REPLY fails and leaves the state usable
		 */
		for (n = 0; n < buf_len(&x.reply); n++) {
			assert_true(kx_client(&x, buf_data(&x.reply), n) < 0);
		}
		assert_int_equal(
		    kx_client(&x, buf_data(&x.reply), buf_len(&x.reply)), 0);
		assert_memory_equal(x.h_cli, x.h_srv, x.hl_srv);
		buf_clear(&k);
		buf_clear(&reply);
		buf_clear(&init);
		kx_clear(&x);
	}
}

static void
test_bad_values(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		const struct kex_method *m = hyb(i);
		struct sizes sz = sizes_of(m);
		uint8_t *v = malloc(sz.c_pub + sz.s_pub);
		struct buf s_pub, k;
		uint64_t seed = 5;
		struct ops_x x;

		assert_non_null(v);
		buf_init(&s_pub, 0);
		buf_init(&k, 0);
		ops_x_init(&x);
		ops_exchange(m, 900 + i, &x);
		/* X25519 value 0 (a small-order point) from the client */
		memcpy(v, buf_data(&x.c_pub), sz.c_pub);
		memset(v + sz.c_pub - 32, 0, 32);
		assert_int_equal(m->ops->server_exchange(m, det_rand, &seed, v,
		                                         sz.c_pub, &s_pub, &k),
		                 SESH_ERR_KEX_DEGENERATE);
		assert_int_equal(buf_len(&s_pub), 0);
		assert_int_equal(buf_len(&k), 0);
		/* ... and from the server */
		memcpy(v, buf_data(&x.s_pub), sz.s_pub);
		memset(v + sz.s_pub - 32, 0, 32);
		assert_int_equal(
		    m->ops->client_shared(m, x.priv, v, sz.s_pub, &k),
		    SESH_ERR_KEX_DEGENERATE);
		assert_int_equal(buf_len(&k), 0);
		if (m->param == KEX_HYBRID_MLKEM768) {
			/* first 12-bit coefficient = q */
			memcpy(v, buf_data(&x.c_pub), sz.c_pub);
			v[0] = 0x01;
			v[1] = (uint8_t)((v[1] & 0xf0) | 0x0d);
			assert_int_equal(
			    m->ops->server_exchange(m, det_rand, &seed, v,
			                            sz.c_pub, &s_pub, &k),
			    SESH_ERR_INVALID_KEY);
			assert_int_equal(buf_len(&s_pub), 0);
		}
		buf_clear(&s_pub);
		buf_clear(&k);
		ops_x_clear(m, &x);
		free(v);
	}
}

/* Flipped bits: no crash, and the two sides never agree on K. */
static void
test_bitflips(void **state)
{
	size_t i, bit;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		const struct kex_method *m = hyb(i);
		struct sizes sz = sizes_of(m);
		uint8_t *v = malloc(sz.c_pub);
		struct buf s_pub, k;
		uint64_t seed = 11;
		struct ops_x x;
		int ret;

		assert_non_null(v);
		buf_init(&s_pub, 0);
		buf_init(&k, 0);
		ops_x_init(&x);
		ops_exchange(m, 1200 + i, &x);
		/* in the server's value: the client's K differs (but for the
		 * X25519 key's top bit, which X25519 ignores: RFC 7748 §5) */
		for (bit = i; bit < sz.s_pub * 8; bit += 151) {
			if (bit == sz.s_pub * 8 - 1) {
				continue;
			}
			memcpy(v, buf_data(&x.s_pub), sz.s_pub);
			v[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			buf_reset(&k);
			ret = m->ops->client_shared(m, x.priv, v, sz.s_pub, &k);
			if (ret == 0) {
				assert_int_equal(buf_len(&k), sz.k);
				assert_memory_not_equal(
				    buf_data(&k), buf_data(&x.k_srv), sz.k);
			} else {
				assert_int_equal(buf_len(&k), 0);
			}
		}
		/* in the client's value: the server's K differs from the
		 * client's, or the value is refused (top bit: as above) */
		for (bit = i; bit < sz.c_pub * 8; bit += 307) {
			if (bit == sz.c_pub * 8 - 1) {
				continue;
			}
			memcpy(v, buf_data(&x.c_pub), sz.c_pub);
			v[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			buf_reset(&k);
			buf_reset(&s_pub);
			ret = m->ops->server_exchange(m, det_rand, &seed, v,
			                              sz.c_pub, &s_pub, &k);
			if (ret != 0) {
				assert_int_equal(buf_len(&s_pub), 0);
				continue;
			}
			assert_int_equal(buf_len(&s_pub), sz.s_pub);
			buf_reset(&x.k_cli);
			assert_int_equal(
			    m->ops->client_shared(m, x.priv, buf_data(&s_pub),
			                          buf_len(&s_pub), &x.k_cli),
			    0);
			assert_memory_not_equal(buf_data(&k),
			                        buf_data(&x.k_cli), sz.k);
		}
		/* that top bit of the server's X25519 key changes nothing */
		memcpy(v, buf_data(&x.s_pub), sz.s_pub);
		v[sz.s_pub - 1] ^= 0x80;
		buf_reset(&k);
		assert_int_equal(
		    m->ops->client_shared(m, x.priv, v, sz.s_pub, &k), 0);
		assert_memory_equal(buf_data(&k), buf_data(&x.k_srv), sz.k);
		buf_clear(&s_pub);
		buf_clear(&k);
		ops_x_clear(m, &x);
		free(v);
	}
}

static void
test_errors(void **state)
{
	const struct kex_method *m = hyb(0);
	struct kex_method bad = *m;
	struct buf pub;
	void *priv = (void *)1;
	uint64_t seed = 1;

	(void)state;
	buf_init(&pub, 0);
	bad.param = 77;
	assert_int_equal(
	    bad.ops->client_keygen(&bad, det_rand, &seed, &priv, &pub),
	    SESH_ERR_INVALID_ARGUMENT);
	assert_null(priv);
	assert_int_equal(m->ops->client_keygen(m, NULL, NULL, &priv, &pub),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(buf_len(&pub), 0);
	m->ops->client_free(NULL);
	buf_clear(&pub);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_methods),
	    cmocka_unit_test(test_ops_pairs),
	    cmocka_unit_test(test_noble_vectors),
	    cmocka_unit_test(test_kex_driver),
	    cmocka_unit_test(test_wrong_lengths),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_bitflips),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
