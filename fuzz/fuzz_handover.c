/*
 * fuzz_handover.c - libFuzzer target for conn_import() (src/ssh/conn.h):
 * the input is a conn_export() blob, imported with a fixed server
 * configuration (ssh-ed25519 host key made once, default lists). A blob
 * that imports is driven a little (some input bytes, the events, a
 * rekey) and freed. Must never crash, hang or leak.
 *
 * Corpus: fuzz/corpus/handover/, valid blobs written by
 * tests/unit/test_handover.c with SESH_WRITE_CORPUS=<dir>.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "key/key.h"
#include "ssh/channel.h"
#include "ssh/conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sshkey *fuzz_hostkey;
static const struct sshkey *fuzz_hostkeys[1];

static int
fuzz_rand(void *ctx, void *p, size_t n)
{
	uint64_t *s = ctx;
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		b[i] = (uint8_t)(*s >> 11);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t junk[48] = {0, 0, 0, 12, 4, 1, 2, 3, 4, 5};
	struct conn_config cfg;
	struct conn_event ev;
	struct conn *c = NULL;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int i;

	if (fuzz_hostkey == NULL) {
		if (key_generate(KEY_ED25519, 0, &fuzz_hostkey) != 0) {
			abort();
		}
		fuzz_hostkeys[0] = fuzz_hostkey;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.transport.hostkeys = fuzz_hostkeys;
	cfg.transport.n_hostkeys = 1;
	cfg.transport.rand = fuzz_rand;
	cfg.transport.rand_ctx = &seed;
	cfg.methods = "password";
	if (conn_import(&cfg, data, size, &c) != 0) {
		if (c != NULL) {
			abort();
		}
		return 0;
	}
	for (i = 0; i < 16; i++) {
		if (conn_next_event(c, &ev) != 0 || ev.type == CONN_EV_NONE ||
		    ev.type == CONN_EV_DISCONNECTED) {
			break;
		}
		if (ev.type == CONN_EV_CHANNEL &&
		    ev.chan.type == CHAN_EV_OPEN_REQUEST) {
			(void)chan_accept(conn_channels(c), ev.chan.id,
			                  conn_chan_buf(c));
		}
	}
	(void)conn_input(c, junk, sizeof(junk), 1000);
	for (i = 0; i < 16; i++) {
		if (conn_next_event(c, &ev) != 0 || ev.type == CONN_EV_NONE ||
		    ev.type == CONN_EV_DISCONNECTED) {
			break;
		}
	}
	(void)transport_rekey(conn_transport(c));
	conn_free(c);
	return 0;
}
