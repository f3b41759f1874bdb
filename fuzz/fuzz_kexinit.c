/*
 * fuzz_kexinit.c - libFuzzer target for the KEXINIT parser and the
 * negotiation over what it accepts (src/ssh/kexinit.h).
 *
 * The input is a KEXINIT payload. When it parses, every view must lie
 * inside the input (each byte is touched, so ASan sees an overrun), and
 * it is negotiated against a fixed KEXINIT in both roles: the result is
 * either success with names on both lists, or SESH_ERR_PROTOCOL naming
 * a category. A failed parse must leave the output zeroed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "ssh/kexinit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t fuzz_sink;

static const char *const fixed_lists[KEX_ALG_COUNT] = {
    ("curve25519-sha256,ecdh-sha2-nistp256,ext-info-c,"
     "kex-strict-c-v00@openssh.com"),
    "ssh-ed25519,rsa-sha2-512",
    "aes128-gcm@openssh.com,aes128-ctr",
    "chacha20-poly1305@openssh.com,aes256-ctr",
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
    "hmac-sha2-512",
    "none",
    "none",
    "",
    "",
};

static int
fixed_rand(void *ctx, void *p, size_t n)
{
	(void)ctx;
	memset(p, 0x5a, n);
	return 0;
}

static void
check_choice(const struct kex_choice *ch, const struct kexinit *a,
             const struct kexinit *b)
{
	int i;

	for (i = 0; i < KEX_ALG_COUNT; i++) {
		if (ch->alg[i][0] == '\0') {
			continue;
		}
		if (!kexinit_has(a, i, ch->alg[i]) ||
		    !kexinit_has(b, i, ch->alg[i])) {
			abort();
		}
	}
}

static void
negotiate_both(const struct kexinit *in, const struct kexinit *fixed)
{
	struct kex_choice ch;
	int failed, ret;

	ret = kexinit_negotiate(in, fixed, &ch, &failed);
	if (ret == 0) {
		check_choice(&ch, in, fixed);
	} else if (ret != SESH_ERR_PROTOCOL || failed < 0 ||
	           failed >= KEX_ALG_COUNT) {
		abort();
	}
	ret = kexinit_negotiate(fixed, in, &ch, &failed);
	if (ret == 0) {
		check_choice(&ch, fixed, in);
	} else if (ret != SESH_ERR_PROTOCOL || failed < 0 ||
	           failed >= KEX_ALG_COUNT) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kexinit zero;
	struct kexinit k, fixed;
	struct buf b;
	uint8_t x = 0;
	size_t j;
	int i, ret;

	ret = kexinit_parse(data, size, &k);
	if (ret != 0) {
		if (ret > 0 || memcmp(&k, &zero, sizeof(k)) != 0) {
			abort();
		}
		return 0;
	}
	for (i = 0; i < KEX_ALG_COUNT; i++) {
		const uint8_t *p = k.algs[i].p;

		if (k.algs[i].n > 0 &&
		    (p < data || k.algs[i].n > size ||
		     (size_t)(p - data) > size - k.algs[i].n)) {
			abort();
		}
		for (j = 0; j < k.algs[i].n; j++) {
			x ^= p[j];
		}
	}
	fuzz_sink ^= x;
	buf_init(&b, 0);
	if (kexinit_build(fixed_lists, false, fixed_rand, NULL, &b) != 0 ||
	    kexinit_parse(buf_data(&b), buf_len(&b), &fixed) != 0) {
		abort();
	}
	negotiate_both(&k, &fixed);
	buf_clear(&b);
	return 0;
}
