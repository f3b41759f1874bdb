/*
 * kdf.c - RFC 4253 §7.2 key derivation (see kdf.h).
 *
 * The key stream is built in a scratch buffer rounded up to whole digests
 * (each extension block hashes K || H || everything produced so far), then
 * the first out_len bytes are copied out. The scratch buffer and the hash
 * state are wiped whatever happens.
 */
#include "crypto/kdf.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "crypto/rand.h"

int
kdf_derive(enum hash_alg h, const uint8_t *k_enc, size_t k_len,
           const uint8_t *H, size_t h_len, char letter,
           const uint8_t *session_id, size_t sid_len, uint8_t *out,
           size_t out_len)
{
	struct hash_ctx *ctx = NULL;
	uint8_t *stream = NULL;
	size_t dlen = hash_len(h);
	size_t blocks, have, stream_len = 0;
	uint8_t c = (uint8_t)letter;
	int ret;

	if (out != NULL && out_len > 0 && out_len <= KDF_MAX_OUT) {
		memset(out, 0, out_len);
	}
	if (dlen == 0 || out == NULL || out_len == 0 || out_len > KDF_MAX_OUT ||
	    k_enc == NULL || k_len == 0 || H == NULL || h_len == 0 ||
	    session_id == NULL || sid_len == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* out_len <= KDF_MAX_OUT, so this cannot overflow. */
	blocks = (out_len + dlen - 1) / dlen;
	stream_len = blocks * dlen;
	if ((stream = calloc(1, stream_len)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((ret = hash_new(h, &ctx)) != 0) {
		goto out;
	}
	/* K1 = HASH(K || H || letter || session_id) */
	if ((ret = hash_update(ctx, k_enc, k_len)) != 0 ||
	    (ret = hash_update(ctx, H, h_len)) != 0 ||
	    (ret = hash_update(ctx, &c, 1)) != 0 ||
	    (ret = hash_update(ctx, session_id, sid_len)) != 0 ||
	    (ret = hash_final(ctx, stream)) != 0) {
		goto out;
	}
	/* Kn = HASH(K || H || K1 || ... || K(n-1)) */
	for (have = dlen; have < stream_len; have += dlen) {
		if ((ret = hash_reset(ctx)) != 0 ||
		    (ret = hash_update(ctx, k_enc, k_len)) != 0 ||
		    (ret = hash_update(ctx, H, h_len)) != 0 ||
		    (ret = hash_update(ctx, stream, have)) != 0 ||
		    (ret = hash_final(ctx, &stream[have])) != 0) {
			goto out;
		}
	}
	memcpy(out, stream, out_len);
	ret = 0;
out:
	if (stream != NULL) {
		crypto_wipe(stream, stream_len);
		free(stream);
	}
	hash_free(ctx);
	return ret;
}
