/*
 * fuzz_kex_reply.c - libFuzzer target for the client side of a
 * curve25519-sha256 exchange (src/ssh/kex.h): the input is fed as a
 * KEX_ECDH_REPLY payload to a client state whose ephemeral key and hash
 * inputs are fixed, once for each negotiated host key algorithm
 * (ssh-ed25519, ecdsa-sha2-nistp256, rsa-sha2-512).
 *
 * A reply can legitimately succeed (anyone may sign H with a key of
 * their own: the application checks the key against known_hosts). On
 * success the outputs must be consistent (a host key of the negotiated
 * type, a 32-byte H, K a canonical mpint); on error they must be
 * cleared. The corpus in fuzz/corpus/kex_reply/ holds valid replies for
 * each host key type made against this fixed client, and broken ones.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/kex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The client's fixed X25519 private key (RFC 7748 §6.1, Alice). */
static const uint8_t fuzz_client_priv[32] = {
    0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
    0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
    0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a,
};

static const uint8_t fuzz_vc[] = "SSH-2.0-sesh_fuzz";
static const uint8_t fuzz_vs[] = "SSH-2.0-OpenSSH_9.6";
static const uint8_t fuzz_ic[] = "\x14"
                                 "client-kexinit";
static const uint8_t fuzz_is[] = "\x14"
                                 "server-kexinit";

static const struct kex_hash_input fuzz_hin = {
    {fuzz_vc, sizeof(fuzz_vc) - 1},
    {fuzz_vs, sizeof(fuzz_vs) - 1},
    {fuzz_ic, sizeof(fuzz_ic) - 1},
    {fuzz_is, sizeof(fuzz_is) - 1},
};

static const char *const fuzz_hostkey_algs[] = {
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "rsa-sha2-512",
};

static int
fuzz_fixed_rand(void *ctx, void *p, size_t n)
{
	(void)ctx;
	if (n != sizeof(fuzz_client_priv)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memcpy(p, fuzz_client_priv, n);
	return 0;
}

static void
fuzz_one(const char *alg, const uint8_t *data, size_t size)
{
	static const uint8_t zero[HASH_MAX_LEN];
	const struct kex_method *m = kex_method_by_name("curve25519-sha256");
	struct kex_client *c = NULL;
	struct sshkey *hk = NULL;
	struct buf init, k;
	uint8_t H[HASH_MAX_LEN];
	size_t hl = 0;
	int ret;

	buf_init(&init, 0);
	buf_init(&k, 0);
	if (m == NULL ||
	    kex_client_init(m, fuzz_fixed_rand, NULL, &c, &init) != 0) {
		abort();
	}
	ret = kex_client_reply(c, alg, data, size, &fuzz_hin, &hk, H, &hl, &k);
	if (ret == 0) {
		struct rd r;
		const uint8_t *mag;
		size_t n;

		rd_init(&r, buf_data(&k), buf_len(&k));
		if (hk == NULL || hl != 32 ||
		    kex_hostkey_alg_check(alg, hk->type) != 0 ||
		    rd_mpint(&r, 0, &mag, &n) != 0 || rd_end(&r) != 0 ||
		    n == 0) {
			abort();
		}
	} else if (ret > 0 || hk != NULL || hl != 0 ||
	           memcmp(H, zero, sizeof(H)) != 0 || buf_len(&k) != 0) {
		abort();
	}
	key_free(hk);
	kex_client_free(c);
	buf_clear(&init);
	buf_clear(&k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0;
	     i < sizeof(fuzz_hostkey_algs) / sizeof(fuzz_hostkey_algs[0]);
	     i++) {
		fuzz_one(fuzz_hostkey_algs[i], data, size);
	}
	return 0;
}
