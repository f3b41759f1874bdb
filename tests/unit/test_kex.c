/*
 * test_kex.c - ssh/kex: the KEX method registry, both roles of every
 * method, the exchange hash and the key derivation.
 *
 * In-memory pairs for every method x host key (ed25519, ecdsa-p256, RSA
 * 2048 with rsa-sha2-256 and -512): identical H and K on both sides, the
 * client verifies the signature and returns the server's key, derived
 * keys agree per direction and drive working packet ciphers (sealed by
 * one role, opened by the other; the wrong direction's keys fail).
 * Tampering (signature, ephemeral, host key, hash inputs, algorithm
 * names) fails; degenerate peer values are refused in both roles; every
 * prefix of INIT and REPLY is an error; bit flips in a REPLY always fail,
 * bit flips in an INIT either fail at the server or make the client
 * refuse the reply. Known answers: the curve25519-sha256 exchange over
 * RFC 7748's keys against an exchange hash built by hand here, fixed
 * inputs against digests computed outside sesh (Python's hashlib), and
 * K's mpint encoding (leading zeros dropped, 0x00 before a high bit).
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
#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "crypto/kdf.h"
#include "crypto/kexprim.h"
#include "crypto/mac.h"
#include "key/key.h"
#include "ssh/kex.h"
#include "ssh/packet.h"

/* ---- deterministic randomness ---- */

struct trng {
	uint64_t s;
};

static uint32_t
trng_next(struct trng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 11);
}

static int
trng_fill(void *ctx, void *p, size_t n)
{
	struct trng *r = ctx;
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		b[i] = (uint8_t)trng_next(r);
	}
	return 0;
}

/* Gives out one fixed 32-byte value (X25519 private keys). */
struct fixed_rand {
	uint8_t v[32];
	int calls;
};

static int
fixed_fill(void *ctx, void *p, size_t n)
{
	struct fixed_rand *f = ctx;

	if (n != sizeof(f->v)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memcpy(p, f->v, n);
	f->calls++;
	return 0;
}

static int
failing_rand(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return SESH_ERR_CRYPTO;
}

static void
unhex(const char *h, uint8_t *out, size_t n)
{
	size_t i;
	unsigned int v;

	assert_int_equal(strlen(h), 2 * n);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* ---- fixtures ---- */

static struct sshkey *hk_ed, *hk_ed2, *hk_p256, *hk_rsa;

struct hkcfg {
	struct sshkey **key;
	const char *alg;
};

static const struct hkcfg hkcfgs[] = {
    {&hk_ed, "ssh-ed25519"},
    {&hk_p256, "ecdsa-sha2-nistp256"},
    {&hk_rsa, "rsa-sha2-256"},
    {&hk_rsa, "rsa-sha2-512"},
};
#define NHK (sizeof(hkcfgs) / sizeof(hkcfgs[0]))

/*
 * Under valgrind (`make valgrind` sets SESH_VALGRIND=1) the every-bit
 * flip loops flip one bit per byte instead: every byte is still altered
 * and every path still runs under memcheck, at an eighth of the cost.
 * The normal and sanitizer runs flip every bit.
 */
static bool thin;

static const char *const method_names[] = {
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "mlkem768x25519-sha256",
    "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com",
};
#define NMETHODS (sizeof(method_names) / sizeof(method_names[0]))

static const uint8_t t_vc[] = "SSH-2.0-sesh_test";
static const uint8_t t_vs[] = "SSH-2.0-OpenSSH_9.6";
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
	if (key_generate(KEY_ED25519, 0, &hk_ed) != 0 ||
	    key_generate(KEY_ED25519, 0, &hk_ed2) != 0 ||
	    key_generate(KEY_ECDSA_P256, 256, &hk_p256) != 0 ||
	    key_generate(KEY_RSA, 2048, &hk_rsa) != 0) {
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	key_free(hk_ed);
	key_free(hk_ed2);
	key_free(hk_p256);
	key_free(hk_rsa);
	return 0;
}

static const struct kex_method *
method(const char *name)
{
	const struct kex_method *m = kex_method_by_name(name);

	assert_non_null(m);
	return m;
}

/* ---- one exchange ---- */

struct side {
	uint8_t H[HASH_MAX_LEN];
	size_t hl;
	struct buf K;
};

static void
side_init(struct side *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->K, 0);
}

static void
side_clear(struct side *s)
{
	buf_clear(&s->K);
}

struct xchg {
	struct kex_client *c;
	struct buf init, reply;
	struct side srv;
};

static void
xchg_start(struct xchg *x, const struct kex_method *m, const struct hkcfg *hk,
           uint64_t seed)
{
	struct trng rng = {seed};

	memset(x, 0, sizeof(*x));
	buf_init(&x->init, 0);
	buf_init(&x->reply, 0);
	side_init(&x->srv);
	assert_int_equal(kex_client_init(m, trng_fill, &rng, &x->c, &x->init),
	                 0);
	assert_non_null(x->c);
	assert_ptr_equal(kex_client_method(x->c), m);
	assert_int_equal(kex_server_reply(m, trng_fill, &rng,
	                                  buf_data(&x->init), buf_len(&x->init),
	                                  &hin, *hk->key, hk->alg, x->srv.H,
	                                  &x->srv.hl, &x->srv.K, &x->reply),
	                 0);
}

static void
xchg_end(struct xchg *x)
{
	kex_client_free(x->c);
	buf_clear(&x->init);
	buf_clear(&x->reply);
	side_clear(&x->srv);
}

/* Client processing of a (possibly altered) reply; checks that failure
 * leaves the outputs cleared. Returns the result. */
static int
client_try(struct kex_client *c, const char *alg, const uint8_t *p, size_t n,
           const struct kex_hash_input *in, struct side *cli,
           struct sshkey **got)
{
	int ret;

	ret =
	    kex_client_reply(c, alg, p, n, in, got, cli->H, &cli->hl, &cli->K);
	if (ret != 0) {
		static const uint8_t zero[HASH_MAX_LEN];

		assert_true(ret < 0);
		assert_null(*got);
		assert_int_equal(cli->hl, 0);
		assert_memory_equal(cli->H, zero, HASH_MAX_LEN);
		assert_int_equal(buf_len(&cli->K), 0);
	}
	return ret;
}

/* Splits a reply into its fields (test-side parser). */
struct reply_fields {
	const uint8_t *ks, *pub, *sig;
	size_t ks_len, pub_len, sig_len;
};

static void
split_reply(const struct kex_method *m, const struct buf *reply,
            struct reply_fields *f)
{
	struct rd r;

	rd_init(&r, buf_data(reply), buf_len(reply));
	assert_int_equal(rd_expect_u8(&r, 31), 0);
	assert_int_equal(rd_string(&r, &f->ks, &f->ks_len), 0);
	if (m->pub_enc == KEX_ENC_MPINT) {
		assert_int_equal(rd_mpint(&r, 0, &f->pub, &f->pub_len), 0);
	} else {
		assert_int_equal(rd_string(&r, &f->pub, &f->pub_len), 0);
	}
	assert_int_equal(rd_string(&r, &f->sig, &f->sig_len), 0);
	assert_int_equal(rd_end(&r), 0);
}

/* Builds a reply from fields; pub is written raw when pub_raw is set
 * (already encoded, length prefix included). */
static void
build_reply(const struct kex_method *m, const uint8_t *ks, size_t ks_len,
            const uint8_t *pub, size_t pub_len, bool pub_raw,
            const uint8_t *sig, size_t sig_len, struct buf *out)
{
	buf_reset(out);
	assert_int_equal(buf_put_u8(out, 31), 0);
	assert_int_equal(buf_put_string(out, ks, ks_len), 0);
	if (pub_raw) {
		assert_int_equal(buf_put(out, pub, pub_len), 0);
	} else if (m->pub_enc == KEX_ENC_MPINT) {
		assert_int_equal(buf_put_mpint(out, pub, pub_len), 0);
	} else {
		assert_int_equal(buf_put_string(out, pub, pub_len), 0);
	}
	assert_int_equal(buf_put_string(out, sig, sig_len), 0);
}

/* ---- keys and packets ---- */

static void
dir_equal(const struct kex_dir_keys *a, const struct kex_dir_keys *b)
{
	assert_ptr_equal(a->cipher, b->cipher);
	assert_ptr_equal(a->mac, b->mac);
	assert_int_equal(a->iv_len, b->iv_len);
	assert_int_equal(a->key_len, b->key_len);
	assert_int_equal(a->mac_key_len, b->mac_key_len);
	assert_memory_equal(a->iv, b->iv, a->iv_len);
	assert_memory_equal(a->key, b->key, a->key_len);
	assert_memory_equal(a->mac_key, b->mac_key, a->mac_key_len);
}

/* Seals three packets with tx and opens them with rx; with expect_ok
 * false (rx is another direction's keys) no payload may come out. */
static void
pkt_roundtrip(const struct kex_dir_keys *tx, const struct kex_dir_keys *rx,
              bool expect_ok)
{
	struct trng rng = {0x1234};
	struct pkt_out o;
	struct pkt_in in;
	struct cipher_ctx *c;
	struct mac_ctx *mc;
	struct buf wire;
	uint8_t payload[3][300];
	const uint8_t *p;
	size_t n, i, j;
	int ret;

	pkt_out_init(&o, trng_fill, &rng);
	pkt_in_init(&in);
	buf_init(&wire, 0);
	assert_int_equal(kex_dir_contexts(tx, true, &c, &mc), 0);
	assert_true(tx->cipher == NULL ? c == NULL : c != NULL);
	assert_true(tx->mac == NULL ? mc == NULL : mc != NULL);
	assert_int_equal(pkt_out_set_keys(&o, c, mc), 0);
	assert_int_equal(kex_dir_contexts(rx, false, &c, &mc), 0);
	assert_int_equal(pkt_in_set_keys(&in, c, mc), 0);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < sizeof(payload[i]); j++) {
			payload[i][j] = (uint8_t)(i * 31 + j);
		}
		assert_int_equal(pkt_seal(&o, payload[i], 100 + i * 97, &wire),
		                 0);
	}
	assert_int_equal(pkt_in_feed(&in, buf_data(&wire), buf_len(&wire)), 0);
	for (i = 0; i < 3; i++) {
		ret = pkt_in_next(&in, &p, &n);
		if (!expect_ok) {
			assert_true(ret != 0 || p == NULL);
			break;
		}
		assert_int_equal(ret, 0);
		assert_non_null(p);
		assert_int_equal(n, 100 + i * 97);
		assert_memory_equal(p, payload[i], n);
	}
	pkt_out_clear(&o);
	pkt_in_clear(&in);
	buf_clear(&wire);
}

/* ---- the pair check ---- */

struct combo {
	const char *cipher;
	const char *mac;
};

static const struct combo combos[] = {
    {"chacha20-poly1305@openssh.com", "hmac-sha2-256"},
    {"aes256-gcm@openssh.com", "hmac-sha2-512"},
    {"aes128-gcm@openssh.com", NULL},
    {"aes256-ctr", "hmac-sha2-256-etm@openssh.com"},
    {"aes192-ctr", "hmac-sha2-512-etm@openssh.com"},
    {"aes128-ctr", "hmac-sha2-256"},
    {"aes256-ctr", "hmac-sha2-512"},
};
#define NCOMBOS (sizeof(combos) / sizeof(combos[0]))

static void
check_pair(const struct kex_method *m, const struct hkcfg *hk,
           const struct combo *cb, uint64_t seed)
{
	const struct cipher_alg *ca = cipher_by_name(cb->cipher);
	const struct mac_alg *ma =
	    cb->mac != NULL ? mac_by_name(cb->mac) : NULL;
	struct xchg x;
	struct side cli;
	struct sshkey *got = NULL;
	struct kex_keys ck, sk;
	const uint8_t *mag;
	uint8_t letter_out[KEX_MAX_KEY_LEN];
	size_t magn;
	struct rd r;

	assert_non_null(ca);
	side_init(&cli);
	xchg_start(&x, m, hk, seed);
	assert_int_equal(client_try(x.c, hk->alg, buf_data(&x.reply),
	                            buf_len(&x.reply), &hin, &cli, &got),
	                 0);
	/* identical H and K */
	assert_int_equal(cli.hl, hash_len(m->hash));
	assert_int_equal(x.srv.hl, cli.hl);
	assert_memory_equal(cli.H, x.srv.H, cli.hl);
	assert_int_equal(buf_len(&cli.K), buf_len(&x.srv.K));
	assert_memory_equal(buf_data(&cli.K), buf_data(&x.srv.K),
	                    buf_len(&cli.K));
	assert_true(cli.K.secret);
	assert_true(x.srv.K.secret);
	/* K is one canonical, positive mpint; for the post-quantum
	 * hybrids a string of the hash's length */
	rd_init(&r, buf_data(&cli.K), buf_len(&cli.K));
	if (m->k_enc == KEX_ENC_STRING) {
		assert_int_equal(rd_string(&r, &mag, &magn), 0);
		assert_int_equal(magn, hash_len(m->hash));
	} else {
		assert_int_equal(rd_mpint(&r, 0, &mag, &magn), 0);
	}
	assert_int_equal(rd_end(&r), 0);
	assert_true(magn > 0);
	/* the server's key comes back for the known_hosts check */
	assert_non_null(got);
	assert_true(key_equal_public(got, *hk->key));
	assert_false(key_has_private(got));
	/* one exchange per state */
	{
		struct side again;
		struct sshkey *g2 = NULL;

		side_init(&again);
		assert_int_equal(client_try(x.c, hk->alg, buf_data(&x.reply),
		                            buf_len(&x.reply), &hin, &again,
		                            &g2),
		                 SESH_ERR_INVALID_ARGUMENT);
		side_clear(&again);
	}

	/* key derivation: session id = this H (first exchange) */
	assert_int_equal(kex_derive_keys(m->hash, buf_data(&cli.K),
	                                 buf_len(&cli.K), cli.H, cli.hl, cli.H,
	                                 cli.hl, ca, ma, ca, ma, &ck),
	                 0);
	assert_int_equal(kex_derive_keys(m->hash, buf_data(&x.srv.K),
	                                 buf_len(&x.srv.K), x.srv.H, x.srv.hl,
	                                 x.srv.H, x.srv.hl, ca, ma, ca, ma,
	                                 &sk),
	                 0);
	dir_equal(&ck.c2s, &sk.c2s);
	dir_equal(&ck.s2c, &sk.s2c);
	assert_int_equal(ck.c2s.key_len, ca->key_len);
	assert_int_equal(ck.c2s.iv_len, ca->iv_len);
	/* C really is the letter-C derivation, and differs from D */
	assert_int_equal(kdf_derive(m->hash, buf_data(&cli.K), buf_len(&cli.K),
	                            cli.H, cli.hl, 'C', cli.H, cli.hl,
	                            letter_out, ca->key_len),
	                 0);
	assert_memory_equal(letter_out, ck.c2s.key, ca->key_len);
	assert_memory_not_equal(ck.c2s.key, ck.s2c.key, ca->key_len);
	/* working packet ciphers, both directions */
	pkt_roundtrip(kex_keys_dir(&ck, KEX_ROLE_CLIENT, true),
	              kex_keys_dir(&sk, KEX_ROLE_SERVER, false), true);
	pkt_roundtrip(kex_keys_dir(&sk, KEX_ROLE_SERVER, true),
	              kex_keys_dir(&ck, KEX_ROLE_CLIENT, false), true);
	/* a direction's keys do not open the other direction */
	pkt_roundtrip(kex_keys_dir(&ck, KEX_ROLE_CLIENT, true),
	              kex_keys_dir(&sk, KEX_ROLE_SERVER, true), false);

	kex_keys_clear(&ck);
	kex_keys_clear(&sk);
	key_free(got);
	side_clear(&cli);
	xchg_end(&x);
}

/* ---- tests ---- */

static void
test_registry(void **state)
{
	size_t i, count = 0;
	const struct kex_method *m;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		m = kex_method_by_name(method_names[i]);
		assert_non_null(m);
		assert_string_equal(m->name, method_names[i]);
		assert_ptr_equal(kex_method_by_name_n(method_names[i],
		                                      strlen(method_names[i])),
		                 m);
		/* K: an mpint, a string for the post-quantum hybrids */
		assert_int_equal(m->k_enc, m->family == KEX_FAMILY_HYBRID
		                               ? KEX_ENC_STRING
		                               : KEX_ENC_MPINT);
	}
	while (kex_method_at(count) != NULL) {
		count++;
	}
	assert_int_equal(count, NMETHODS);
	assert_null(kex_method_by_name("kex-strict-c-v00@openssh.com"));
	assert_null(kex_method_by_name("ext-info-c"));
	assert_null(kex_method_by_name("curve25519-sha25"));
	assert_null(kex_method_by_name_n("curve25519-sha256", 16));
	assert_null(kex_method_by_name(NULL));
	m = method("curve25519-sha256");
	assert_int_equal(m->hash, HASH_SHA256);
	assert_int_equal(m->pub_enc, KEX_ENC_STRING);
	assert_int_equal(method("ecdh-sha2-nistp384")->hash, HASH_SHA384);
	assert_int_equal(method("ecdh-sha2-nistp521")->hash, HASH_SHA512);
	assert_int_equal(method("ecdh-sha2-nistp521")->pub_enc, KEX_ENC_STRING);
	m = method("diffie-hellman-group14-sha256");
	assert_int_equal(m->hash, HASH_SHA256);
	assert_int_equal(m->pub_enc, KEX_ENC_MPINT);
	assert_int_equal(method("diffie-hellman-group16-sha512")->hash,
	                 HASH_SHA512);
	assert_int_equal(method("diffie-hellman-group18-sha512")->hash,
	                 HASH_SHA512);

	assert_int_equal(kex_hostkey_alg_check("ssh-ed25519", KEY_ED25519), 0);
	assert_int_equal(kex_hostkey_alg_check("rsa-sha2-256", KEY_RSA), 0);
	assert_int_equal(kex_hostkey_alg_check("rsa-sha2-512", KEY_RSA), 0);
	assert_int_equal(
	    kex_hostkey_alg_check("ecdsa-sha2-nistp384", KEY_ECDSA_P384), 0);
	assert_int_equal(
	    kex_hostkey_alg_check("ecdsa-sha2-nistp384", KEY_ECDSA_P256),
	    SESH_ERR_SIG_ALG_MISMATCH);
	assert_int_equal(kex_hostkey_alg_check("ssh-ed25519", KEY_RSA),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	assert_int_equal(kex_hostkey_alg_check("ssh-rsa", KEY_RSA),
	                 SESH_ERR_UNSUPPORTED);
	assert_int_equal(kex_hostkey_alg_check(NULL, KEY_RSA),
	                 SESH_ERR_INVALID_ARGUMENT);
}

static void
test_pair_matrix(void **state)
{
	size_t i, j, k = 0;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		for (j = 0; j < NHK; j++) {
			check_pair(method(method_names[i]), &hkcfgs[j],
			           &combos[k % NCOMBOS], 1000 + k);
			k++;
		}
	}
}

static void
test_cipher_mac_matrix(void **state)
{
	static const char *const ciphers[] = {
	    "chacha20-poly1305@openssh.com",
	    "aes256-gcm@openssh.com",
	    "aes128-gcm@openssh.com",
	    "aes256-ctr",
	    "aes192-ctr",
	    "aes128-ctr",
	};
	static const char *const macs[] = {
	    "hmac-sha2-256-etm@openssh.com",
	    "hmac-sha2-512-etm@openssh.com",
	    "hmac-sha2-256",
	    "hmac-sha2-512",
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		for (j = 0; j < sizeof(macs) / sizeof(macs[0]); j++) {
			struct combo cb = {ciphers[i], macs[j]};

			check_pair(method("curve25519-sha256"), &hkcfgs[0], &cb,
			           77 + i * 8 + j);
		}
	}
}

static void
test_derive_keys(void **state)
{
	static const char *const names[] = {
	    "chacha20-poly1305@openssh.com",
	    "aes256-gcm@openssh.com",
	    "aes128-gcm@openssh.com",
	    "aes256-ctr",
	    "aes192-ctr",
	    "aes128-ctr",
	};
	const struct mac_alg *ma = mac_by_name("hmac-sha2-512-etm@openssh.com");
	const struct mac_alg *mb = mac_by_name("hmac-sha2-256");
	uint8_t K[4 + 33], H[32], sid[32], ref[KEX_MAX_KEY_LEN];
	struct kex_keys k;
	size_t i;

	(void)state;
	assert_non_null(ma);
	assert_non_null(mb);
	memset(K, 0x42, sizeof(K));
	K[0] = 0;
	K[1] = 0;
	K[2] = 0;
	K[3] = 33;
	K[4] = 0;
	memset(H, 0x17, sizeof(H));
	memset(sid, 0x99, sizeof(sid)); /* a rekey: sid != H */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct cipher_alg *ca = cipher_by_name(names[i]);
		const struct cipher_alg *cb = cipher_by_name("aes128-ctr");
		bool aead;

		assert_non_null(ca);
		aead = ca->kind == CIPHER_KIND_GCM ||
		       ca->kind == CIPHER_KIND_CHACHAPOLY;
		assert_int_equal(kex_derive_keys(HASH_SHA256, K, sizeof(K), H,
		                                 sizeof(H), sid, sizeof(sid),
		                                 ca, ma, cb, mb, &k),
		                 0);
		assert_ptr_equal(k.c2s.cipher, ca);
		assert_int_equal(k.c2s.key_len, ca->key_len);
		assert_int_equal(k.c2s.iv_len, ca->iv_len);
		if (aead) {
			assert_null(k.c2s.mac);
			assert_int_equal(k.c2s.mac_key_len, 0);
		} else {
			assert_ptr_equal(k.c2s.mac, ma);
			assert_int_equal(k.c2s.mac_key_len, ma->key_len);
			assert_int_equal(
			    kdf_derive(HASH_SHA256, K, sizeof(K), H, sizeof(H),
			               'E', sid, sizeof(sid), ref, ma->key_len),
			    0);
			assert_memory_equal(ref, k.c2s.mac_key, ma->key_len);
		}
		assert_int_equal(kdf_derive(HASH_SHA256, K, sizeof(K), H,
		                            sizeof(H), 'C', sid, sizeof(sid),
		                            ref, ca->key_len),
		                 0);
		assert_memory_equal(ref, k.c2s.key, ca->key_len);
		if (ca->iv_len > 0) {
			assert_int_equal(
			    kdf_derive(HASH_SHA256, K, sizeof(K), H, sizeof(H),
			               'A', sid, sizeof(sid), ref, ca->iv_len),
			    0);
			assert_memory_equal(ref, k.c2s.iv, ca->iv_len);
		}
		/* s2c: aes128-ctr + hmac-sha2-256, letters B, D, F */
		assert_int_equal(k.s2c.key_len, 16);
		assert_int_equal(k.s2c.iv_len, 16);
		assert_int_equal(k.s2c.mac_key_len, 32);
		assert_int_equal(kdf_derive(HASH_SHA256, K, sizeof(K), H,
		                            sizeof(H), 'B', sid, sizeof(sid),
		                            ref, 16),
		                 0);
		assert_memory_equal(ref, k.s2c.iv, 16);
		assert_int_equal(kdf_derive(HASH_SHA256, K, sizeof(K), H,
		                            sizeof(H), 'D', sid, sizeof(sid),
		                            ref, 16),
		                 0);
		assert_memory_equal(ref, k.s2c.key, 16);
		assert_int_equal(kdf_derive(HASH_SHA256, K, sizeof(K), H,
		                            sizeof(H), 'F', sid, sizeof(sid),
		                            ref, 32),
		                 0);
		assert_memory_equal(ref, k.s2c.mac_key, 32);
	}
	assert_int_equal(
	    cipher_by_name("chacha20-poly1305@openssh.com")->key_len, 64);
	/* roles */
	assert_ptr_equal(kex_keys_dir(&k, KEX_ROLE_CLIENT, true), &k.c2s);
	assert_ptr_equal(kex_keys_dir(&k, KEX_ROLE_CLIENT, false), &k.s2c);
	assert_ptr_equal(kex_keys_dir(&k, KEX_ROLE_SERVER, true), &k.s2c);
	assert_ptr_equal(kex_keys_dir(&k, KEX_ROLE_SERVER, false), &k.c2s);
	/* "none" cipher: no material, no context */
	{
		const struct cipher_alg *none = cipher_by_name("none");
		struct cipher_ctx *c = (struct cipher_ctx *)1;
		struct mac_ctx *mc = (struct mac_ctx *)1;

		if (none != NULL) {
			assert_int_equal(
			    kex_derive_keys(HASH_SHA256, K, sizeof(K), H,
			                    sizeof(H), sid, sizeof(sid), none,
			                    NULL, none, NULL, &k),
			    0);
			assert_null(k.c2s.cipher);
			assert_int_equal(k.c2s.key_len, 0);
			assert_int_equal(
			    kex_dir_contexts(&k.c2s, true, &c, &mc), 0);
			assert_null(c);
			assert_null(mc);
		}
	}
	/* bad arguments: out wiped */
	assert_int_equal(kex_derive_keys(HASH_SHA256, NULL, 0, H, sizeof(H),
	                                 sid, sizeof(sid), NULL, NULL, NULL,
	                                 NULL, &k),
	                 SESH_ERR_INVALID_ARGUMENT);
	{
		struct kex_keys zero;

		memset(&zero, 0, sizeof(zero));
		assert_memory_equal(&k, &zero, sizeof(k));
	}
	assert_int_equal(kex_derive_keys(HASH_SHA256, K, sizeof(K), H,
	                                 sizeof(H), NULL, 0, NULL, NULL, NULL,
	                                 NULL, &k),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(kex_derive_keys((enum hash_alg)99, K, sizeof(K), H,
	                                 sizeof(H), sid, sizeof(sid), NULL,
	                                 NULL, NULL, NULL, &k),
	                 SESH_ERR_INVALID_ARGUMENT);
	kex_keys_clear(&k);
}

/* RFC 7748 §6.1 */
static const char alice_priv[] =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char alice_pub[] =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char bob_priv[] =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
static const char bob_pub[] =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
static const char shared_k[] =
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

/* Appends a string by hand: big-endian length, bytes. */
static void
manual_string(struct buf *b, const uint8_t *p, size_t n)
{
	uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16),
	                  (uint8_t)(n >> 8), (uint8_t)n};

	assert_int_equal(buf_put(b, len, 4), 0);
	assert_int_equal(buf_put(b, p, n), 0);
}

static void
test_kat_curve25519(void **state)
{
	const struct kex_method *m = method("curve25519-sha256");
	struct fixed_rand fa, fb;
	uint8_t qc[32], qs[32], k[32], expect[32], kmp[4 + 33];
	struct kex_client *c = NULL;
	struct buf init, reply, ks, manual;
	struct side srv, cli;
	struct sshkey *got = NULL;
	struct reply_fields f;

	(void)state;
	unhex(alice_priv, fa.v, 32);
	unhex(bob_priv, fb.v, 32);
	fa.calls = fb.calls = 0;
	unhex(alice_pub, qc, 32);
	unhex(bob_pub, qs, 32);
	unhex(shared_k, k, 32);
	buf_init(&init, 0);
	buf_init(&reply, 0);
	buf_init(&ks, 0);
	buf_init(&manual, 0);
	side_init(&srv);
	side_init(&cli);

	/* INIT = byte 30, string Q_C (RFC 8731 §3) */
	assert_int_equal(kex_client_init(m, fixed_fill, &fa, &c, &init), 0);
	assert_int_equal(fa.calls, 1);
	assert_int_equal(buf_len(&init), 1 + 4 + 32);
	assert_int_equal(buf_data(&init)[0], 30);
	assert_memory_equal(buf_data(&init) + 1, "\0\0\0\x20", 4);
	assert_memory_equal(buf_data(&init) + 5, qc, 32);
	assert_int_equal(kex_server_reply(m, fixed_fill, &fb, buf_data(&init),
	                                  buf_len(&init), &hin, hk_ed,
	                                  "ssh-ed25519", srv.H, &srv.hl, &srv.K,
	                                  &reply),
	                 0);
	assert_int_equal(fb.calls, 1);
	split_reply(m, &reply, &f);
	assert_int_equal(f.pub_len, 32);
	assert_memory_equal(f.pub, qs, 32);
	assert_int_equal(key_to_blob(hk_ed, &ks), 0);
	assert_int_equal(f.ks_len, buf_len(&ks));
	assert_memory_equal(f.ks, buf_data(&ks), f.ks_len);
	assert_int_equal(client_try(c, "ssh-ed25519", buf_data(&reply),
	                            buf_len(&reply), &hin, &cli, &got),
	                 0);

	/* K: mpint of the shared secret; 0x4a has no high bit, no zero */
	kmp[0] = 0;
	kmp[1] = 0;
	kmp[2] = 0;
	kmp[3] = 32;
	memcpy(kmp + 4, k, 32);
	assert_int_equal(buf_len(&cli.K), 36);
	assert_memory_equal(buf_data(&cli.K), kmp, 36);
	assert_memory_equal(buf_data(&srv.K), kmp, 36);

	/* H by hand: V_C, V_S, I_C, I_S, K_S, Q_C, Q_S as strings, K */
	manual_string(&manual, t_vc, sizeof(t_vc) - 1);
	manual_string(&manual, t_vs, sizeof(t_vs) - 1);
	manual_string(&manual, t_ic, sizeof(t_ic) - 1);
	manual_string(&manual, t_is, sizeof(t_is) - 1);
	manual_string(&manual, buf_data(&ks), buf_len(&ks));
	manual_string(&manual, qc, 32);
	manual_string(&manual, qs, 32);
	assert_int_equal(buf_put(&manual, kmp, 36), 0);
	assert_int_equal(hash_digest(HASH_SHA256, buf_data(&manual),
	                             buf_len(&manual), expect),
	                 0);
	assert_int_equal(cli.hl, 32);
	assert_memory_equal(cli.H, expect, 32);
	assert_memory_equal(srv.H, expect, 32);
	/* and the signature in the reply is the host key's over it */
	assert_int_equal(key_verify(hk_ed, "ssh-ed25519", false, f.sig,
	                            f.sig_len, expect, 32),
	                 0);

	key_free(got);
	kex_client_free(c);
	buf_clear(&init);
	buf_clear(&reply);
	buf_clear(&ks);
	buf_clear(&manual);
	side_clear(&srv);
	side_clear(&cli);
}

/* kex_exchange_hash over fixed inputs, against digests computed by
 * Python's hashlib over the hand-encoded fields. */
static void
test_kat_exchange_hash(void **state)
{
	static const uint8_t ks[] = "fixed host key blob";
	uint8_t qc[32], qs[32], k[32], kmp[36], H[HASH_MAX_LEN], want[64];
	uint8_t e[16], fv[10], k2[4 + 32];
	size_t hl, i;

	(void)state;
	unhex(alice_pub, qc, 32);
	unhex(bob_pub, qs, 32);
	unhex(shared_k, k, 32);
	kmp[0] = kmp[1] = kmp[2] = 0;
	kmp[3] = 32;
	memcpy(kmp + 4, k, 32);
	assert_int_equal(
	    kex_exchange_hash(method("curve25519-sha256"), &hin,
	                      (struct kex_view){ks, sizeof(ks) - 1},
	                      (struct kex_view){qc, 32},
	                      (struct kex_view){qs, 32},
	                      (struct kex_view){kmp, 36}, H, &hl),
	    0);
	unhex("a3c4cafbee469c6fabf91416aec2d9ab08ddb6320a768e3500c80d16e8772c"
	      "66",
	      want, 32);
	assert_int_equal(hl, 32);
	assert_memory_equal(H, want, 32);

	/* mpint publics: e has the high bit (0x00 added), f leading
	 * zeros (dropped); SHA-512. */
	e[0] = 0x80;
	for (i = 1; i < 16; i++) {
		e[i] = (uint8_t)i;
	}
	fv[0] = 0;
	fv[1] = 0;
	fv[2] = 5;
	for (i = 0; i < 7; i++) {
		fv[3 + i] = (uint8_t)i;
	}
	k2[0] = k2[1] = k2[2] = 0;
	k2[3] = 32;
	k2[4] = 0;
	k2[5] = 0xff;
	for (i = 0; i < 30; i++) {
		k2[6 + i] = (uint8_t)i;
	}
	assert_int_equal(
	    kex_exchange_hash(method("diffie-hellman-group16-sha512"), &hin,
	                      (struct kex_view){ks, sizeof(ks) - 1},
	                      (struct kex_view){e, sizeof(e)},
	                      (struct kex_view){fv, sizeof(fv)},
	                      (struct kex_view){k2, sizeof(k2)}, H, &hl),
	    0);
	unhex("e0dbfc2c73a8d3f29418d280cbd99958233b32fb8efd9ef96db0b408582eaa"
	      "c43eaac4bdc0fae172106da32ba6e4901808cf2aa0ba0cf4649f6a62e27e08"
	      "8e77",
	      want, 64);
	assert_int_equal(hl, 64);
	assert_memory_equal(H, want, 64);

	assert_int_equal(kex_exchange_hash(NULL, &hin, (struct kex_view){ks, 1},
	                                   (struct kex_view){qc, 32},
	                                   (struct kex_view){qs, 32},
	                                   (struct kex_view){kmp, 36}, H, &hl),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(hl, 0);
}

/* K's mpint encoding over many X25519 exchanges: leading zero octets
 * dropped, 0x00 before a high bit; checked against kexprim directly. */
static void
test_k_mpint_encoding(void **state)
{
	const struct kex_method *m = method("curve25519-sha256");
	bool seen_zero = false, seen_high = false;
	uint64_t seed;

	(void)state;
	for (seed = 1; seed < 20000 && !(seen_zero && seen_high); seed++) {
		struct fixed_rand fa, fb;
		struct x25519_key ka;
		uint8_t s[32], want[4 + 33];
		const uint8_t *p = s;
		size_t n = 32, wl;
		struct trng rng = {seed};
		struct kex_client *c = NULL;
		struct buf init, reply;
		struct side srv, cli;
		struct sshkey *got = NULL;
		struct reply_fields f;

		trng_fill(&rng, fa.v, 32);
		trng_fill(&rng, fb.v, 32);
		buf_init(&init, 0);
		buf_init(&reply, 0);
		side_init(&srv);
		side_init(&cli);
		assert_int_equal(kex_client_init(m, fixed_fill, &fa, &c, &init),
		                 0);
		assert_int_equal(
		    kex_server_reply(m, fixed_fill, &fb, buf_data(&init),
		                     buf_len(&init), &hin, hk_ed, "ssh-ed25519",
		                     srv.H, &srv.hl, &srv.K, &reply),
		    0);
		assert_int_equal(client_try(c, "ssh-ed25519", buf_data(&reply),
		                            buf_len(&reply), &hin, &cli, &got),
		                 0);
		split_reply(m, &reply, &f);
		assert_int_equal(x25519_keygen_from(fa.v, &ka), 0);
		assert_int_equal(x25519_shared(&ka, f.pub, s), 0);
		x25519_clear(&ka);
		while (n > 0 && *p == 0) {
			p++;
			n--;
		}
		wl = 0;
		if (n < 32) {
			seen_zero = true;
		}
		if (n > 0 && (*p & 0x80) != 0) {
			seen_high = true;
			want[4] = 0;
			wl = 1;
		}
		memcpy(want + 4 + wl, p, n);
		wl += n;
		want[0] = 0;
		want[1] = 0;
		want[2] = 0;
		want[3] = (uint8_t)wl;
		assert_int_equal(buf_len(&cli.K), 4 + wl);
		assert_memory_equal(buf_data(&cli.K), want, 4 + wl);
		assert_memory_equal(buf_data(&srv.K), want, 4 + wl);
		key_free(got);
		kex_client_free(c);
		buf_clear(&init);
		buf_clear(&reply);
		side_clear(&srv);
		side_clear(&cli);
	}
	assert_true(seen_zero);
	assert_true(seen_high);
}

/* Tampering with each part of a reply, for one method. */
static void
tamper_method(const struct kex_method *m)
{
	struct xchg x, y;
	struct side cli;
	struct sshkey *got = NULL;
	struct reply_fields f, g;
	struct buf bad, ks2;
	uint8_t *sigcopy;
	static const uint8_t other_is[] = "\x14"
	                                  "server-kexinit!";
	struct kex_hash_input hin2 = hin;

	side_init(&cli);
	buf_init(&bad, 0);
	buf_init(&ks2, 0);
	xchg_start(&x, m, &hkcfgs[0], 5);
	xchg_start(&y, m, &hkcfgs[0], 6);
	split_reply(m, &x.reply, &f);
	split_reply(m, &y.reply, &g);

	/* signature: last byte flipped */
	sigcopy = malloc(f.sig_len);
	assert_non_null(sigcopy);
	memcpy(sigcopy, f.sig, f.sig_len);
	sigcopy[f.sig_len - 1] ^= 0x01;
	build_reply(m, f.ks, f.ks_len, f.pub, f.pub_len, false, sigcopy,
	            f.sig_len, &bad);
	assert_int_equal(client_try(x.c, "ssh-ed25519", buf_data(&bad),
	                            buf_len(&bad), &hin, &cli, &got),
	                 SESH_ERR_BAD_SIGNATURE);
	free(sigcopy);
	xchg_end(&x);

	/* ephemeral: another exchange's server value */
	xchg_start(&x, m, &hkcfgs[0], 5);
	split_reply(m, &x.reply, &f);
	build_reply(m, f.ks, f.ks_len, g.pub, g.pub_len, false, f.sig,
	            f.sig_len, &bad);
	assert_int_equal(client_try(x.c, "ssh-ed25519", buf_data(&bad),
	                            buf_len(&bad), &hin, &cli, &got),
	                 SESH_ERR_BAD_SIGNATURE);
	xchg_end(&x);

	/* host key: another ed25519 key */
	xchg_start(&x, m, &hkcfgs[0], 5);
	split_reply(m, &x.reply, &f);
	assert_int_equal(key_to_blob(hk_ed2, &ks2), 0);
	build_reply(m, buf_data(&ks2), buf_len(&ks2), f.pub, f.pub_len, false,
	            f.sig, f.sig_len, &bad);
	assert_int_equal(client_try(x.c, "ssh-ed25519", buf_data(&bad),
	                            buf_len(&bad), &hin, &cli, &got),
	                 SESH_ERR_BAD_SIGNATURE);
	xchg_end(&x);

	/* host key of another type than negotiated */
	xchg_start(&x, m, &hkcfgs[0], 5);
	assert_int_equal(client_try(x.c, "ecdsa-sha2-nistp256",
	                            buf_data(&x.reply), buf_len(&x.reply), &hin,
	                            &cli, &got),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	xchg_end(&x);
	xchg_start(&x, m, &hkcfgs[0], 5);
	assert_int_equal(client_try(x.c, "ssh-rsa", buf_data(&x.reply),
	                            buf_len(&x.reply), &hin, &cli, &got),
	                 SESH_ERR_UNSUPPORTED);
	xchg_end(&x);

	/* a KEXINIT changed in flight: H differs */
	hin2.i_s.p = other_is;
	hin2.i_s.n = sizeof(other_is) - 1;
	xchg_start(&x, m, &hkcfgs[0], 5);
	assert_int_equal(client_try(x.c, "ssh-ed25519", buf_data(&x.reply),
	                            buf_len(&x.reply), &hin2, &cli, &got),
	                 SESH_ERR_BAD_SIGNATURE);
	xchg_end(&x);

	/* RSA signed with -256 while -512 was negotiated, and back */
	xchg_start(&x, m, &hkcfgs[2], 7);
	assert_int_equal(client_try(x.c, "rsa-sha2-512", buf_data(&x.reply),
	                            buf_len(&x.reply), &hin, &cli, &got),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	xchg_end(&x);
	xchg_start(&x, m, &hkcfgs[3], 7);
	assert_int_equal(client_try(x.c, "rsa-sha2-256", buf_data(&x.reply),
	                            buf_len(&x.reply), &hin, &cli, &got),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	xchg_end(&x);

	xchg_end(&y);
	buf_clear(&bad);
	buf_clear(&ks2);
	side_clear(&cli);
}

static void
test_tamper(void **state)
{
	(void)state;
	tamper_method(method("curve25519-sha256"));
	tamper_method(method("ecdh-sha2-nistp256"));
	tamper_method(method("ecdh-sha2-nistp521"));
	tamper_method(method("diffie-hellman-group14-sha256"));
}

/* Server-side refusals and bad arguments. */
static void
test_server_refusals(void **state)
{
	const struct kex_method *m = method("curve25519-sha256");
	struct trng rng = {9};
	struct kex_client *c = NULL;
	struct buf init, reply;
	struct side srv;
	struct sshkey *pub = NULL;
	static const uint8_t zero[HASH_MAX_LEN];

	(void)state;
	buf_init(&init, 0);
	buf_init(&reply, 0);
	side_init(&srv);
	assert_int_equal(kex_client_init(m, trng_fill, &rng, &c, &init), 0);
	assert_int_equal(key_public_copy(hk_ed, &pub), 0);
	/* no private key */
	assert_int_equal(kex_server_reply(m, trng_fill, &rng, buf_data(&init),
	                                  buf_len(&init), &hin, pub,
	                                  "ssh-ed25519", srv.H, &srv.hl, &srv.K,
	                                  &reply),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* sig alg not for the key */
	assert_int_equal(kex_server_reply(m, trng_fill, &rng, buf_data(&init),
	                                  buf_len(&init), &hin, hk_ed,
	                                  "rsa-sha2-256", srv.H, &srv.hl,
	                                  &srv.K, &reply),
	                 SESH_ERR_SIG_ALG_MISMATCH);
	/* rand failure surfaces */
	assert_int_equal(kex_server_reply(m, failing_rand, NULL,
	                                  buf_data(&init), buf_len(&init), &hin,
	                                  hk_ed, "ssh-ed25519", srv.H, &srv.hl,
	                                  &srv.K, &reply),
	                 SESH_ERR_CRYPTO);
	assert_int_equal(buf_len(&reply), 0);
	assert_int_equal(srv.hl, 0);
	assert_memory_equal(srv.H, zero, HASH_MAX_LEN);
	/* wrong message number */
	{
		uint8_t b[37];

		memcpy(b, buf_data(&init), sizeof(b));
		b[0] = 31;
		assert_int_equal(kex_server_reply(m, trng_fill, &rng, b,
		                                  sizeof(b), &hin, hk_ed,
		                                  "ssh-ed25519", srv.H, &srv.hl,
		                                  &srv.K, &reply),
		                 SESH_ERR_PROTOCOL);
	}
	assert_int_equal(buf_len(&reply), 0);
	kex_client_free(c);
	c = (struct kex_client *)1;
	assert_int_equal(kex_client_init(NULL, trng_fill, &rng, &c, &init),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(c);
	c = (struct kex_client *)1;
	buf_reset(&init);
	assert_int_equal(kex_client_init(m, failing_rand, NULL, &c, &init),
	                 SESH_ERR_CRYPTO);
	assert_null(c);
	assert_int_equal(buf_len(&init), 0);
	kex_client_free(NULL);
	key_free(pub);
	buf_clear(&init);
	buf_clear(&reply);
	side_clear(&srv);
}

/* Replaces the server value of x's reply with raw (already encoded)
 * bytes and expects err from the client. */
static void
expect_reply_pub(const struct kex_method *m, const uint8_t *enc, size_t n,
                 int err)
{
	struct xchg x;
	struct reply_fields f;
	struct buf bad;
	struct side cli;
	struct sshkey *got = NULL;

	buf_init(&bad, 0);
	side_init(&cli);
	xchg_start(&x, m, &hkcfgs[0], 11);
	split_reply(m, &x.reply, &f);
	build_reply(m, f.ks, f.ks_len, enc, n, true, f.sig, f.sig_len, &bad);
	assert_int_equal(client_try(x.c, "ssh-ed25519", buf_data(&bad),
	                            buf_len(&bad), &hin, &cli, &got),
	                 err);
	xchg_end(&x);
	buf_clear(&bad);
	side_clear(&cli);
}

/* The client's INIT with its value replaced (encoded) => err. */
static void
expect_init_pub(const struct kex_method *m, const uint8_t *enc, size_t n,
                int err)
{
	struct trng rng = {3};
	struct buf init, reply;
	struct side srv;

	buf_init(&init, 0);
	buf_init(&reply, 0);
	side_init(&srv);
	assert_int_equal(buf_put_u8(&init, 30), 0);
	assert_int_equal(buf_put(&init, enc, n), 0);
	assert_int_equal(kex_server_reply(m, trng_fill, &rng, buf_data(&init),
	                                  buf_len(&init), &hin, hk_ed,
	                                  "ssh-ed25519", srv.H, &srv.hl, &srv.K,
	                                  &reply),
	                 err);
	assert_int_equal(buf_len(&reply), 0);
	assert_int_equal(srv.hl, 0);
	assert_int_equal(buf_len(&srv.K), 0);
	buf_clear(&init);
	buf_clear(&reply);
	side_clear(&srv);
}

static void
expect_both(const struct kex_method *m, const uint8_t *enc, size_t n, int err)
{
	expect_reply_pub(m, enc, n, err);
	expect_init_pub(m, enc, n, err);
}

/* Encodes value bytes as a string (or copies them as they are when
 * raw) into out. */
static size_t
enc_string(const uint8_t *p, size_t n, uint8_t *out)
{
	out[0] = (uint8_t)(n >> 24);
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	memcpy(out + 4, p, n);
	return 4 + n;
}

static void
test_degenerate_x25519(void **state)
{
	const struct kex_method *m = method("curve25519-sha256");
	uint8_t v[40], enc[48];
	size_t n;

	(void)state;
	/* u = 0 */
	memset(v, 0, sizeof(v));
	n = enc_string(v, 32, enc);
	expect_both(m, enc, n, SESH_ERR_KEX_DEGENERATE);
	/* u = 1 (order 4) */
	v[0] = 1;
	n = enc_string(v, 32, enc);
	expect_both(m, enc, n, SESH_ERR_KEX_DEGENERATE);
	/* u = p = 2^255 - 19, i.e. 0 */
	memset(v, 0xff, 32);
	v[0] = 0xed;
	v[31] = 0x7f;
	n = enc_string(v, 32, enc);
	expect_both(m, enc, n, SESH_ERR_KEX_DEGENERATE);
	/* wrong lengths */
	memset(v, 0x09, sizeof(v));
	n = enc_string(v, 31, enc);
	expect_both(m, enc, n, SESH_ERR_KEY_LENGTH);
	n = enc_string(v, 0, enc);
	expect_both(m, enc, n, SESH_ERR_KEY_LENGTH);
	n = enc_string(v, 33, enc);
	expect_both(m, enc, n, SESH_ERR_LIMIT);
}

static void
test_degenerate_ecdh(void **state)
{
	const struct kex_method *m = method("ecdh-sha2-nistp256");
	struct xchg x;
	struct reply_fields f;
	uint8_t v[80], enc[96];
	size_t n;

	(void)state;
	/* (0, 0) is not on the curve */
	memset(v, 0, sizeof(v));
	v[0] = 0x04;
	n = enc_string(v, 65, enc);
	expect_both(m, enc, n, SESH_ERR_INVALID_KEY);
	/* a real point with one bit of y flipped: off the curve */
	xchg_start(&x, m, &hkcfgs[0], 13);
	split_reply(m, &x.reply, &f);
	memcpy(v, f.pub, 65);
	xchg_end(&x);
	v[64] ^= 0x01;
	n = enc_string(v, 65, enc);
	expect_both(m, enc, n, SESH_ERR_INVALID_KEY);
	/* compressed form of the real point: refused (RFC 5656 §4) */
	v[64] ^= 0x01;
	v[0] = (uint8_t)(0x02 | (v[64] & 1));
	n = enc_string(v, 33, enc);
	expect_both(m, enc, n, SESH_ERR_INVALID_KEY);
	/* empty and overlong */
	n = enc_string(v, 0, enc);
	expect_both(m, enc, n, SESH_ERR_INVALID_KEY);
	v[0] = 0x04;
	n = enc_string(v, 66, enc);
	expect_both(m, enc, n, SESH_ERR_LIMIT);
	/* a P-256 point offered to P-384 */
	v[0] = 0x04;
	n = enc_string(v, 65, enc);
	expect_both(method("ecdh-sha2-nistp384"), enc, n, SESH_ERR_INVALID_KEY);
}

/* RFC 3526 §3, the 2048-bit MODP group's prime. */
static const char modp2048[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

/* mpint of a 256-byte magnitude (top bit set): 00 00 01 01 00 mag */
static size_t
enc_mpint256(const uint8_t mag[256], uint8_t *out)
{
	out[0] = 0;
	out[1] = 0;
	out[2] = 1;
	out[3] = 1;
	out[4] = 0;
	memcpy(out + 5, mag, 256);
	return 261;
}

static void
test_degenerate_dh(void **state)
{
	const struct kex_method *m = method("diffie-hellman-group14-sha256");
	uint8_t p[257], enc[300];
	size_t n;

	(void)state;
	/* 0, 1 */
	memcpy(enc, "\0\0\0\0", 4);
	expect_both(m, enc, 4, SESH_ERR_KEX_DEGENERATE);
	memcpy(enc, "\0\0\0\x01\x01", 5);
	expect_both(m, enc, 5, SESH_ERR_KEX_DEGENERATE);
	/* p - 1, p, p + 1, 2^2048 - 1 */
	unhex(modp2048, p, 256);
	p[255] = 0xfe;
	n = enc_mpint256(p, enc);
	expect_both(m, enc, n, SESH_ERR_KEX_DEGENERATE);
	p[255] = 0xff;
	n = enc_mpint256(p, enc);
	expect_both(m, enc, n, SESH_ERR_KEX_DEGENERATE);
	memset(p, 0xff, 256);
	n = enc_mpint256(p, enc);
	expect_both(m, enc, n, SESH_ERR_KEX_DEGENERATE);
	/* 2^2048: one bit too many */
	memset(p, 0, sizeof(p));
	p[0] = 1;
	memcpy(enc, "\0\0\x01\x01", 4);
	memcpy(enc + 4, p, 257);
	expect_both(m, enc, 261, SESH_ERR_LIMIT);
	/* negative, and a superfluous leading zero */
	memcpy(enc, "\0\0\0\x01\x80", 5);
	expect_both(m, enc, 5, SESH_ERR_INVALID_MPINT);
	memcpy(enc, "\0\0\0\x02\x00\x05", 6);
	expect_both(m, enc, 6, SESH_ERR_INVALID_MPINT);
}

static void
truncation_method(const struct kex_method *m, const struct hkcfg *hk)
{
	struct xchg x;
	struct side cli, srv;
	struct sshkey *got = NULL;
	struct buf reply2, longer;
	struct trng rng = {21};
	size_t i;

	side_init(&cli);
	side_init(&srv);
	buf_init(&reply2, 0);
	buf_init(&longer, 0);
	xchg_start(&x, m, hk, 20);
	/* every prefix of INIT: an error, nothing appended */
	for (i = 0; i < buf_len(&x.init); i++) {
		int ret = kex_server_reply(
		    m, trng_fill, &rng, buf_data(&x.init), i, &hin, *hk->key,
		    hk->alg, srv.H, &srv.hl, &srv.K, &reply2);
		assert_true(ret < 0);
		assert_int_equal(buf_len(&reply2), 0);
	}
	/* one byte more */
	assert_int_equal(buf_put(&longer, buf_data(&x.init), buf_len(&x.init)),
	                 0);
	assert_int_equal(buf_put_u8(&longer, 0), 0);
	assert_int_equal(kex_server_reply(m, trng_fill, &rng, buf_data(&longer),
	                                  buf_len(&longer), &hin, *hk->key,
	                                  hk->alg, srv.H, &srv.hl, &srv.K,
	                                  &reply2),
	                 SESH_ERR_TRAILING_DATA);
	/* every prefix of REPLY: an error (parse errors keep the state) */
	for (i = 0; i < buf_len(&x.reply); i++) {
		assert_true(client_try(x.c, hk->alg, buf_data(&x.reply), i,
		                       &hin, &cli, &got) < 0);
	}
	buf_reset(&longer);
	assert_int_equal(
	    buf_put(&longer, buf_data(&x.reply), buf_len(&x.reply)), 0);
	assert_int_equal(buf_put_u8(&longer, 0), 0);
	assert_int_equal(client_try(x.c, hk->alg, buf_data(&longer),
	                            buf_len(&longer), &hin, &cli, &got),
	                 SESH_ERR_TRAILING_DATA);
	/* the whole reply still works on the same state */
	assert_int_equal(client_try(x.c, hk->alg, buf_data(&x.reply),
	                            buf_len(&x.reply), &hin, &cli, &got),
	                 0);
	assert_memory_equal(cli.H, x.srv.H, cli.hl);
	key_free(got);
	xchg_end(&x);
	buf_clear(&reply2);
	buf_clear(&longer);
	side_clear(&cli);
	side_clear(&srv);
}

static void
test_truncation(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NMETHODS; i++) {
		truncation_method(method(method_names[i]), &hkcfgs[0]);
	}
	truncation_method(method("curve25519-sha256"), &hkcfgs[1]);
	truncation_method(method("curve25519-sha256"), &hkcfgs[3]);
}

/*
 * A new client in the state x's client had before the reply: same seed,
 * so the same INIT when the method takes its ephemeral from our RNG.
 * Returns NULL when it does not (DH ephemerals come from libcrypto).
 */
static struct kex_client *
client_again(const struct kex_method *m, const struct xchg *x, uint64_t seed)
{
	struct trng rng = {seed};
	struct kex_client *c = NULL;
	struct buf init;
	bool same;

	buf_init(&init, 0);
	assert_int_equal(kex_client_init(m, trng_fill, &rng, &c, &init), 0);
	same = buf_len(&init) == buf_len(&x->init) &&
	       memcmp(buf_data(&init), buf_data(&x->init), buf_len(&init)) == 0;
	buf_clear(&init);
	if (!same) {
		kex_client_free(c);
		return NULL;
	}
	return c;
}

/*
 * Flips bits of a REPLY (every bit, or one bit per byte when per_byte):
 * the client must always refuse. Each try gets a fresh client state:
 * where the client's INIT is reproducible, one server REPLY serves every
 * flip (the costly host key signature is made once) and a fresh client
 * with the same seed takes each flipped copy; the unflipped copy is
 * first proven to succeed on such a client, so the refusals are the
 * flips' doing. Otherwise (DH) the exchange is rebuilt for each flip.
 */
static void
bitflip_reply(const struct kex_method *m, const struct hkcfg *hk, bool per_byte)
{
	struct xchg x;
	struct side cli;
	struct sshkey *got = NULL;
	struct kex_client *c;
	uint8_t *copy;
	size_t len, maxlen, i, bit;
	bool reuse;

	side_init(&cli);
	/* ECDSA signatures and DH values vary in length: leave room */
	xchg_start(&x, m, hk, 40);
	maxlen = buf_len(&x.reply) + 8;
	c = client_again(m, &x, 40);
	reuse = c != NULL;
	if (reuse) {
		assert_int_equal(client_try(c, hk->alg, buf_data(&x.reply),
		                            buf_len(&x.reply), &hin, &cli,
		                            &got),
		                 0);
		assert_memory_equal(cli.H, x.srv.H, cli.hl);
		key_free(got);
		got = NULL;
		kex_client_free(c);
		side_clear(&cli);
		side_init(&cli);
	} else {
		xchg_end(&x);
	}
	copy = malloc(maxlen);
	assert_non_null(copy);
	for (i = 0; i < maxlen; i++) {
		for (bit = 0; bit < 8; bit++) {
			if ((per_byte || thin) && bit != i % 8) {
				continue;
			}
			if (!reuse) {
				xchg_start(&x, m, hk, 40);
			}
			len = buf_len(&x.reply);
			if (i >= len) {
				if (!reuse) {
					xchg_end(&x);
				}
				continue;
			}
			assert_true(len <= maxlen);
			memcpy(copy, buf_data(&x.reply), len);
			copy[i] ^= (uint8_t)(1u << bit);
			if (reuse) {
				c = client_again(m, &x, 40);
				assert_non_null(c);
			} else {
				c = x.c;
			}
			assert_true(client_try(c, hk->alg, copy, len, &hin,
			                       &cli, &got) < 0);
			if (reuse) {
				kex_client_free(c);
			} else {
				xchg_end(&x);
			}
		}
	}
	if (reuse) {
		xchg_end(&x);
	}
	free(copy);
	side_clear(&cli);
}

static void
test_bitflip_reply(void **state)
{
	size_t j;

	(void)state;
	for (j = 0; j < NHK; j++) {
		bitflip_reply(method("curve25519-sha256"), &hkcfgs[j], false);
	}
	bitflip_reply(method("ecdh-sha2-nistp256"), &hkcfgs[0], true);
	bitflip_reply(method("ecdh-sha2-nistp384"), &hkcfgs[1], true);
	bitflip_reply(method("diffie-hellman-group14-sha256"), &hkcfgs[0],
	              true);
}

/*
 * Flips bits of an INIT: the server either refuses it or answers for a
 * different Q_C / e, which the client (holding the original) must
 * refuse: never a success with a different H.
 */
static void
bitflip_init(const struct kex_method *m, bool per_byte)
{
	struct xchg x;
	struct side cli, srv;
	struct sshkey *got = NULL;
	struct buf reply;
	uint8_t *copy;
	size_t len, clen, i, bit, served = 0;
	int ret;

	side_init(&cli);
	side_init(&srv);
	buf_init(&reply, 0);
	xchg_start(&x, m, &hkcfgs[0], 50);
	len = buf_len(&x.init) + 1; /* room for a longer DH INIT */
	xchg_end(&x);
	copy = malloc(len);
	assert_non_null(copy);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			struct trng rng = {51};

			if ((per_byte || thin) && bit != i % 8) {
				continue;
			}
			xchg_start(&x, m, &hkcfgs[0], 50);
			/*
			 * DH ephemerals come from libcrypto's RNG, so this
			 * exchange's INIT may be a byte longer or shorter than
			 * the first one (mpint sign byte): flip within its own
			 * length, never copy past it.
			 */
			clen = buf_len(&x.init);
			if (clen > len || i >= clen) {
				xchg_end(&x);
				continue;
			}
			memcpy(copy, buf_data(&x.init), clen);
			copy[i] ^= (uint8_t)(1u << bit);
			buf_reset(&reply);
			ret = kex_server_reply(m, trng_fill, &rng, copy, clen,
			                       &hin, hk_ed, "ssh-ed25519",
			                       srv.H, &srv.hl, &srv.K, &reply);
			if (ret == 0) {
				served++;
				assert_true(client_try(x.c, "ssh-ed25519",
				                       buf_data(&reply),
				                       buf_len(&reply), &hin,
				                       &cli, &got) < 0);
			} else {
				assert_true(ret < 0);
				assert_int_equal(buf_len(&reply), 0);
			}
			xchg_end(&x);
		}
	}
	/* flips inside the value itself do reach the client */
	assert_true(served > 0);
	free(copy);
	buf_clear(&reply);
	side_clear(&cli);
	side_clear(&srv);
}

static void
test_bitflip_init(void **state)
{
	(void)state;
	bitflip_init(method("curve25519-sha256"), false);
	bitflip_init(method("diffie-hellman-group14-sha256"), true);
}

int
main(void)
{
	const char *vg = getenv("SESH_VALGRIND");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_pair_matrix),
	    cmocka_unit_test(test_cipher_mac_matrix),
	    cmocka_unit_test(test_derive_keys),
	    cmocka_unit_test(test_kat_curve25519),
	    cmocka_unit_test(test_kat_exchange_hash),
	    cmocka_unit_test(test_k_mpint_encoding),
	    cmocka_unit_test(test_tamper),
	    cmocka_unit_test(test_server_refusals),
	    cmocka_unit_test(test_degenerate_x25519),
	    cmocka_unit_test(test_degenerate_ecdh),
	    cmocka_unit_test(test_degenerate_dh),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_bitflip_reply),
	    cmocka_unit_test(test_bitflip_init),
	};

	thin = vg != NULL && strcmp(vg, "1") == 0;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
