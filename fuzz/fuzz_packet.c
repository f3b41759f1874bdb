/*
 * fuzz_packet.c - libFuzzer target for the incremental packet decoder
 * (struct pkt_in, src/ssh/packet.h).
 *
 * Input: byte 0 chooses the keys (even: none/none; odd: aes128-ctr with
 * hmac-sha2-256, fixed all-0x11 key and all-0x22 IV, fixed all-0x33 MAC
 * key), byte 1 seeds the chunk sizes; the rest is wire bytes fed in
 * chunks of 1..64 bytes, draining after each. Checked: a payload view
 * lies inside the decoder's buffer and is at most SESH_MAX_PACKET
 * bytes, errors are negative and stick, and the decoder never crashes
 * or reads out of bounds.
 *
 * Corpus (fuzz/corpus/packet/): made by fuzz_packet_corpus() below,
 * compiled with -DFUZZ_PACKET_MAKE_CORPUS as a program that writes
 * well-formed streams for both key sets into the current directory.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "crypto/cipher.h"
#include "crypto/mac.h"
#include "ssh/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t fuzz_sink;

/* Keys for one direction of the odd-mode session. */
static int
fuzz_keys(bool enc, struct cipher_ctx **cc, struct mac_ctx **mc)
{
	uint8_t key[16], iv[16], mkey[32];
	int ret;

	memset(key, 0x11, sizeof(key));
	memset(iv, 0x22, sizeof(iv));
	memset(mkey, 0x33, sizeof(mkey));
	*cc = NULL;
	*mc = NULL;
	if ((ret = cipher_new(cipher_by_name("aes128-ctr"), enc, key, iv,
	                      cc)) != 0) {
		return ret;
	}
	if ((ret = mac_new(mac_by_name("hmac-sha2-256"), mkey, mc)) != 0) {
		cipher_free(*cc);
		*cc = NULL;
		return ret;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_in in;
	struct cipher_ctx *cc = NULL;
	struct mac_ctx *mc = NULL;
	uint32_t seed;
	size_t off = 2, j;
	int err = 0, ret;

	if (size < 2) {
		return 0;
	}
	seed = data[1] | 1u;
	pkt_in_init(&in);
	if (data[0] & 1) {
		if (fuzz_keys(false, &cc, &mc) != 0 ||
		    pkt_in_set_keys(&in, cc, mc) != 0) {
			abort();
		}
	}
	while (off < size) {
		size_t chunk;

		seed = seed * 1103515245u + 12345u;
		chunk = 1 + (seed >> 16) % 64;
		if (chunk > size - off) {
			chunk = size - off;
		}
		ret = pkt_in_feed(&in, data + off, chunk);
		if (ret != 0 && (err == 0 || ret != err)) {
			abort();
		}
		off += chunk;
		for (;;) {
			const uint8_t *pl;
			size_t pn;

			ret = pkt_in_next(&in, &pl, &pn);
			if (ret != 0) {
				if (ret > 0 || pl != NULL ||
				    (err != 0 && ret != err)) {
					abort();
				}
				err = ret;
				break;
			}
			if (pl == NULL) {
				break;
			}
			if (pn > SESH_MAX_PACKET || pl < in.raw.p ||
			    pl + pn > in.raw.p + in.raw.len) {
				abort();
			}
			for (j = 0; j < pn; j++) {
				fuzz_sink ^= pl[j];
			}
		}
	}
	pkt_in_clear(&in);
	return 0;
}

#ifdef FUZZ_PACKET_MAKE_CORPUS
#include <stdio.h>

static int
corpus_rand(void *ctx, void *p, size_t n)
{
	uint8_t *b = p, *s = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		b[i] = (*s)++;
	}
	return 0;
}

static int
write_stream(const char *name, uint8_t mode, const size_t *sizes, size_t count)
{
	struct pkt_out out;
	struct buf w;
	struct cipher_ctx *cc = NULL;
	struct mac_ctx *mc = NULL;
	uint8_t payload[2048], s = 0;
	FILE *f;
	size_t i;

	pkt_out_init(&out, corpus_rand, &s);
	buf_init(&w, 0);
	if ((mode & 1) && (fuzz_keys(true, &cc, &mc) != 0 ||
	                   pkt_out_set_keys(&out, cc, mc) != 0)) {
		return 1;
	}
	if (buf_put_u8(&w, mode) != 0 || buf_put_u8(&w, 7) != 0) {
		return 1;
	}
	for (i = 0; i < count; i++) {
		memset(payload, (int)(20 + i), sizeof(payload));
		if (sizes[i] > sizeof(payload) ||
		    pkt_seal(&out, payload, sizes[i], &w) != 0) {
			return 1;
		}
	}
	if ((f = fopen(name, "wb")) == NULL ||
	    fwrite(buf_data(&w), 1, buf_len(&w), f) != buf_len(&w) ||
	    fclose(f) != 0) {
		return 1;
	}
	buf_clear(&w);
	pkt_out_clear(&out);
	return 0;
}

int
main(void)
{
	static const size_t one[] = {1};
	static const size_t few[] = {0, 1, 20, 300, 1500};

	if (write_stream("none-one", 0, one, 1) != 0 ||
	    write_stream("none-few", 0, few, 5) != 0 ||
	    write_stream("ctr-one", 1, one, 1) != 0 ||
	    write_stream("ctr-few", 1, few, 5) != 0) {
		return 1;
	}
	return 0;
}
#endif
