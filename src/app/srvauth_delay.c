/*
 * srvauth_delay.c - the failed-authentication delay's arithmetic and key
 * (contract in srvauth.h). server_auth.c does the waiting.
 *
 * Where the key comes from. seshd re-executes itself for every
 * connection, so a key drawn from the RNG at process start would change
 * with each connection: a user's jitter would then be fresh per
 * connection and an attacker who averages over many connections would
 * see it vanish, leaving only the difference in work between a valid
 * and an unknown user. The key must stay the same across the daemon's
 * connection processes. Rather than have the listener pass a secret
 * down (one more thing to carry across exec), it is derived from a
 * secret every connection process already holds: the host private key.
 * An Ed25519 signature (RFC 8032) and an RSA PKCS#1 v1.5 signature are
 * deterministic, so signing a fixed label gives the same bytes in every
 * process, and nobody without the private key can compute them; the
 * signature is hashed into the key and never leaves the process. The
 * label cannot be mistaken for anything the host key signs on the wire
 * (an exchange hash of 20, 32, 48 or 64 bytes, or the hostkeys-prove
 * blob, which starts with a uint32 length). ECDSA signatures are
 * randomized, so ECDSA keys are not used. Without a usable key the key
 * is random: then it is stable within the connection (seshd refuses a
 * change of user name anyway), which still gives valid and unknown users
 * the same delay distribution. A side effect of a host-key-derived key:
 * it survives restarts, so a user's jitter is stable as long as the
 * host key is, which is what the delay is for.
 */
#include "app/srvauth.h"

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "crypto/hash.h"
#include "crypto/rand.h"
#include "key/key.h"

/* 43 bytes: not the length of any hash the host key signs. */
static const char delay_label[] = "seshd failed-authentication delay key v1\n";

/* Signs the label with k and hashes the signature into key. */
static int
key_from_hostkey(const struct sshkey *k, const char *alg,
                 uint8_t key[SRVAUTH_DELAY_KEY_LEN])
{
	uint8_t h[HASH_MAX_LEN];
	struct buf sig;
	int ret;

	buf_init(&sig, 0);
	buf_set_secret(&sig); /* wiped when cleared */
	ret = key_sign(k, alg, (const uint8_t *)delay_label,
	               sizeof(delay_label) - 1, &sig);
	if (ret == 0) {
		ret = hmac_digest(HASH_SHA256, delay_label,
		                  sizeof(delay_label) - 1, buf_data(&sig),
		                  buf_len(&sig), h);
	}
	if (ret == 0) {
		memcpy(key, h, SRVAUTH_DELAY_KEY_LEN);
	}
	mem_wipe(h, sizeof(h));
	buf_clear(&sig);
	return ret;
}

int
srvauth_delay_key(const struct sshkey *const *hostkeys, size_t n,
                  uint8_t key[SRVAUTH_DELAY_KEY_LEN])
{
	static const struct {
		enum key_type type;
		const char *alg;
	} pref[] = {{KEY_ED25519, "ssh-ed25519"}, {KEY_RSA, "rsa-sha2-512"}};
	size_t p, i;

	if (key == NULL || (hostkeys == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	for (p = 0; p < sizeof(pref) / sizeof(pref[0]); p++) {
		for (i = 0; i < n; i++) {
			const struct sshkey *k = hostkeys[i];

			if (k != NULL && k->type == pref[p].type &&
			    key_has_private(k) &&
			    key_from_hostkey(k, pref[p].alg, key) == 0) {
				return 0;
			}
		}
	}
	if (rand_bytes(key, SRVAUTH_DELAY_KEY_LEN) != 0) {
		return SESH_ERR_CRYPTO;
	}
	return 0;
}

uint32_t
srvauth_delay_us(const uint8_t key[SRVAUTH_DELAY_KEY_LEN], const char *user)
{
	uint8_t h[HASH_MAX_LEN];
	uint32_t v;

	if (key == NULL || user == NULL ||
	    hmac_digest(HASH_SHA256, key, SRVAUTH_DELAY_KEY_LEN, user,
	                strlen(user), h) != 0) {
		return SRVAUTH_DELAY_MIN_US;
	}
	v = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 |
	    (uint32_t)h[3];
	mem_wipe(h, sizeof(h));
	/* the modulo bias (2^32 mod 10^4) is far below any clock's noise */
	return SRVAUTH_DELAY_MIN_US + v % SRVAUTH_DELAY_JITTER_US;
}

uint64_t
srvauth_delay_target_us(uint64_t elapsed_us, uint32_t delay_us)
{
	uint64_t k;

	if (delay_us == 0 || elapsed_us > UINT64_MAX - delay_us) {
		return elapsed_us;
	}
	if (elapsed_us <= delay_us) {
		return delay_us;
	}
	/* the work took longer: the next multiple, so that the reply time
	 * still carries the user's jitter rather than the work's length */
	k = (elapsed_us + delay_us - 1) / delay_us;
	return k * delay_us;
}
