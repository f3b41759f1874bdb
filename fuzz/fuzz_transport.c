/*
 * fuzz_transport.c - libFuzzer target for the client side of
 * src/ssh/transport.h: the input is fed, as the bytes a server sent, to
 * a client transport whose randomness is fixed, then every event is
 * drained (host keys accepted, a payload sent after each KEX_DONE, the
 * output discarded). Must never crash, hang or leak.
 *
 * Because the client's randomness is fixed and every KEX method takes
 * its ephemeral private key from it, a server transcript recorded
 * against this client replays through the whole key exchange into the
 * encrypted stage (curve25519, ECDH and DH transcripts alike): that
 * randomness is tests/common/pair.h's pair_rand, seeded 0x5eed5eed.
 * Built with -DFUZZ_TRANSPORT_MAKE_CORPUS this file instead has a main
 * that writes such transcripts (and a few hand-made inputs) into the
 * directory named by argv[1] (fuzz/corpus/transport/):
 *	cc -std=c11 -D_GNU_SOURCE -DFUZZ_TRANSPORT_MAKE_CORPUS -Isrc \
 *	    fuzz/fuzz_transport.c libsesh.a -lcrypto -o mk && ./mk DIR
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/common/pair.h"
#include "base/err.h"
#include "ssh/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Event budget per input: every event consumes input or answers one,
 * but bound the loop anyway. */
#define FUZZ_MAX_EVENTS 100000

static void
fuzz_client_config(struct transport_config *cfg, struct pair_rng *r)
{
	memset(cfg, 0, sizeof(*cfg));
	r->s = 0x5eed5eedu;
	cfg->rand = pair_rand;
	cfg->rand_ctx = r;
	cfg->rekey_bytes = 1u << 20;
}

/* Sent by the client after each KEX_DONE (SERVICE_REQUEST). */
static const uint8_t fuzz_svc[] = {5,   0,   0,   0,   12,  's', 's', 'h', '-',
                                   'u', 's', 'e', 'r', 'a', 'u', 't', 'h'};

static void
fuzz_drain(struct transport *t)
{
	struct transport_event ev;
	const uint8_t *p;
	size_t n;
	int i;

	for (i = 0; i < FUZZ_MAX_EVENTS; i++) {
		if (transport_next_event(t, &ev) != 0) {
			abort();
		}
		transport_output_peek(t, &p, &n);
		transport_output_consume(t, n);
		switch (ev.type) {
		case TRANSPORT_EV_NONE:
			return;
		case TRANSPORT_EV_HOSTKEY_VERIFY:
			if (ev.hostkey == NULL || ev.fingerprint == NULL ||
			    transport_hostkey_accept(t, true) != 0) {
				abort();
			}
			break;
		case TRANSPORT_EV_HOSTKEY_SIGN:
			/* not configured: the server signs inline */
			abort();
		case TRANSPORT_EV_KEX_DONE:
			(void)transport_send(t, fuzz_svc, sizeof(fuzz_svc));
			break;
		case TRANSPORT_EV_PAYLOAD:
			if (ev.len == 0 || ev.payload == NULL) {
				abort();
			}
			break;
		case TRANSPORT_EV_DISCONNECTED:
			if (ev.text == NULL || !transport_closed(t)) {
				abort();
			}
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct transport_config cfg;
	struct pair_rng r;
	struct transport *t = NULL;
	size_t half = size / 2;

	fuzz_client_config(&cfg, &r);
	if (transport_new(TRANSPORT_CLIENT, &cfg, &t) != 0) {
		return 0;
	}
	/* Two feeds, so that the identification/packet boundary and the
	 * packet decoder see split input. */
	(void)transport_input(t, data, half);
	fuzz_drain(t);
	(void)transport_input(t, data + half, size - half);
	fuzz_drain(t);
	transport_free(t);
	return 0;
}

#ifdef FUZZ_TRANSPORT_MAKE_CORPUS
#include <stdio.h>

#include "base/buf.h"
#include "key/key.h"
#include "ssh/packet.h"

static int
mk_write(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n) {
		return 1;
	}
	return fclose(f) != 0;
}

/* Records what a server sends to the fuzz client through a KEX, a few
 * payloads and (optionally) a rekey the server starts. */
static int
mk_transcript(const char *dir, const char *name, struct sshkey *hk, bool rekey,
              const char *kex)
{
	static const uint8_t data[] = {94, 0, 0, 0,   0,   0,
	                               0,  0, 3, 'a', 'b', 'c'};
	const struct sshkey *keys[1] = {hk};
	struct transport_config cc, sc;
	struct pair_rng rc, rs = {42};
	struct transport *c = NULL, *s = NULL;
	struct transport_event ev;
	struct buf rec;
	const uint8_t *p;
	size_t n;
	int round, ret = 1;

	buf_init(&rec, 0);
	/* The client's config must be the fuzz target's own: its KEXINIT
	 * goes into H. The server's single key picks the algorithm. */
	fuzz_client_config(&cc, &rc);
	memset(&sc, 0, sizeof(sc));
	sc.rand = pair_rand;
	sc.rand_ctx = &rs;
	sc.hostkeys = keys;
	sc.n_hostkeys = 1;
	sc.kex = kex;
	if (transport_new(TRANSPORT_CLIENT, &cc, &c) != 0 ||
	    transport_new(TRANSPORT_SERVER, &sc, &s) != 0) {
		goto out;
	}
	for (round = 0; round < 40; round++) {
		transport_output_peek(c, &p, &n);
		(void)transport_input(s, p, n);
		transport_output_consume(c, n);
		while (transport_next_event(s, &ev) == 0 &&
		       ev.type != TRANSPORT_EV_NONE) {
			if (ev.type == TRANSPORT_EV_KEX_DONE && ev.first_kex) {
				(void)transport_send(s, data, sizeof(data));
				if (rekey) {
					(void)transport_rekey(s);
				}
			}
		}
		transport_output_peek(s, &p, &n);
		if (buf_put(&rec, p, n) != 0) {
			goto out;
		}
		(void)transport_input(c, p, n);
		transport_output_consume(s, n);
		while (transport_next_event(c, &ev) == 0 &&
		       ev.type != TRANSPORT_EV_NONE) {
			if (ev.type == TRANSPORT_EV_HOSTKEY_VERIFY) {
				(void)transport_hostkey_accept(c, true);
			} else if (ev.type == TRANSPORT_EV_KEX_DONE) {
				(void)transport_send(c, fuzz_svc,
				                     sizeof(fuzz_svc));
			}
		}
	}
	if (transport_closed(c) || transport_kex_count(c) < 1) {
		fprintf(stderr, "%s: exchange failed\n", name);
		goto out;
	}
	ret = mk_write(dir, name, buf_data(&rec), buf_len(&rec));
out:
	transport_free(c);
	transport_free(s);
	buf_clear(&rec);
	return ret;
}

static int
mk_plain(const char *dir, const char *name, const char *pre,
         const uint8_t *payload, size_t n)
{
	struct pair_rng r = {7};
	struct pkt_out o;
	struct buf b;
	int ret = 1;

	buf_init(&b, 0);
	pkt_out_init(&o, pair_rand, &r);
	if (buf_put(&b, pre, strlen(pre)) != 0 ||
	    (payload != NULL && pkt_seal(&o, payload, n, &b) != 0)) {
		goto out;
	}
	ret = mk_write(dir, name, buf_data(&b), buf_len(&b));
out:
	pkt_out_clear(&o);
	buf_clear(&b);
	return ret;
}

int
main(int argc, char **argv)
{
	static const uint8_t disc[] = {1, 0,   0,   0,   2, 0, 0, 0,
	                               3, 'b', 'y', 'e', 0, 0, 0, 0};
	static const uint8_t ign[] = {2, 0, 0, 0, 0};
	uint8_t kexinit[4096];
	size_t kn;
	struct sshkey *ed = NULL, *ec = NULL, *rsa = NULL;
	FILE *f;
	int ret = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CORPUS-DIR openssh92_server.bin\n",
		        argv[0]);
		return 2;
	}
	if ((f = fopen(argv[2], "rb")) == NULL) {
		return 1;
	}
	kn = fread(kexinit, 1, sizeof(kexinit), f);
	fclose(f);
	if (key_generate(KEY_ED25519, 0, &ed) != 0 ||
	    key_generate(KEY_ECDSA_P256, 256, &ec) != 0 ||
	    key_generate(KEY_RSA, 2048, &rsa) != 0) {
		return 1;
	}
	ret |= mk_transcript(argv[1], "kex-ed25519", ed, false, NULL);
	ret |= mk_transcript(argv[1], "kex-ecdsa256", ec, false, NULL);
	ret |= mk_transcript(argv[1], "kex-rsa512-rekey", rsa, true, NULL);
	ret |= mk_transcript(argv[1], "kex-ecdh256", ed, false,
	                     "ecdh-sha2-nistp256");
	ret |= mk_transcript(argv[1], "kex-dh14-rekey", ec, true,
	                     "diffie-hellman-group14-sha256");
	ret |= mk_plain(argv[1], "openssh92-kexinit",
	                "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", kexinit, kn);
	ret |= mk_plain(argv[1], "banner-kexinit",
	                "Hello\r\nthere\nSSH-2.0-OpenSSH_9.2\r\n", kexinit, kn);
	ret |= mk_plain(argv[1], "disconnect", "SSH-2.0-x\r\n", disc,
	                sizeof(disc));
	ret |= mk_plain(argv[1], "ignore-first", "SSH-2.0-x\r\n", ign,
	                sizeof(ign));
	ret |= mk_plain(argv[1], "bad-version", "SSH-1.5-x\r\n", NULL, 0);
	key_free(ed);
	key_free(ec);
	key_free(rsa);
	return ret;
}
#endif
