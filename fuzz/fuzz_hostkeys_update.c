/*
 * fuzz_hostkeys_update.c - libFuzzer target for app/hostkeys_update.h
 * (UpdateHostKeys). The input is parsed as a hostkeys-00 key list, as a
 * known_hosts file (planned against a fixed server list of an ed25519 and
 * an ECDSA key, the ed25519 key being the session's host key) and as a
 * prove reply for those keys. Checked: failures leave outputs zeroed,
 * nothing leaks, no proof passes, and a rewrite is final: planning again
 * over its output finds nothing left to do.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/hostkeys_update.h"
#include "base/buf.h"
#include "key/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "host.example"
static const char ED[] =
    "ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIML3w6MXpUsiGxr2Eox7Eme3mXutQlz+KhxgcNWV96Sr";
static const char EC[] =
    "ecdsa-sha2-nistp256 "
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDIUzNPdy3QOlSCxqq"
    "pR+jzPho3NdItTOtd1YKIuR2oqAP9yuLDweHQ4zD3fnaq01BWzNqdquFX+0qx4HuhDb2U=";

static struct hkupd_keys server;

static void
init(void)
{
	if (server.n > 0) {
		return;
	}
	if (key_from_pub_line(ED, strlen(ED), &server.k[0]) != 0 ||
	    key_from_pub_line(EC, strlen(EC), &server.k[1]) != 0) {
		abort();
	}
	server.n = 2;
}

static void
check_plan(const uint8_t *data, size_t size)
{
	struct hkupd_plan pl, again;
	struct buf out;
	int ret;

	ret = hkupd_plan(data, size, NAME, server.k[0], &server, &pl);
	if (ret != 0) {
		if (ret > 0 || pl.add.n != 0 || pl.remove.n != 0) {
			abort();
		}
		return;
	}
	if (pl.add.n > server.n || pl.remove.n > HKUPD_MAX_KEYS) {
		abort();
	}
	buf_init(&out, 0);
	if (hkupd_rewrite(data, size, NAME, NAME, 22, &pl, false, &out) == 0) {
		ret = hkupd_plan(buf_data(&out), buf_len(&out), NAME,
		                 server.k[0], &server, &again);
		if (ret != 0 || again.add.n != 0 || again.remove.n != 0) {
			abort();
		}
		hkupd_plan_clear(&again);
	}
	buf_clear(&out);
	hkupd_plan_clear(&pl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sid[32] = {1};
	struct hkupd_keys ks;
	int ret;

	if (size > 256 * 1024) {
		return 0;
	}
	init();
	ret = hkupd_parse_keys(data, size, &ks, NULL);
	if (ret != 0 && (ret > 0 || ks.n != 0)) {
		abort();
	}
	if (ks.n > HKUPD_MAX_KEYS) {
		abort();
	}
	hkupd_keys_clear(&ks);
	check_plan(data, size);
	if (hkupd_verify_proofs(&server, sid, sizeof(sid), "ssh-ed25519", data,
	                        size) == 0) {
		abort(); /* nobody has these keys' private halves */
	}
	return 0;
}
