/*
 * fuzz_monitor_pkdata.c - libFuzzer target for the monitor's check of
 * publickey signed data (monitor_pk_data_check, app/monitor_serve.h).
 *
 * Input: the signed data. The expected fields are fixed (session id 32
 * bytes of 0x11, user "alice", service "ssh-connection", alg
 * "ssh-ed25519", a fixed blob). Invariant: the check accepts exactly the
 * one canonical encoding of those fields, and never reads outside the
 * input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/monitor_serve.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t blob[] = "\0\0\0\x0bssh-ed25519\0\0\0\x20"
                              "0123456789abcdef0123456789abcdef";

static void
canonical(const uint8_t *sid, size_t sid_len, struct buf *out)
{
	if (buf_put_string(out, sid, sid_len) != 0 ||
	    buf_put_u8(out, 50) != 0 || buf_put_cstring(out, "alice") != 0 ||
	    buf_put_cstring(out, "ssh-connection") != 0 ||
	    buf_put_cstring(out, "publickey") != 0 ||
	    buf_put_bool(out, true) != 0 ||
	    buf_put_cstring(out, "ssh-ed25519") != 0 ||
	    buf_put_string(out, blob, sizeof(blob) - 1) != 0) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sid[32];
	struct monitor_str d = {data, size}, s = {sid, sizeof(sid)};
	struct monitor_str b = {blob, sizeof(blob) - 1};
	struct buf want;
	int ret;

	memset(sid, 0x11, sizeof(sid));
	ret = monitor_pk_data_check(d, s, "alice", "ssh-connection",
	                            monitor_str_of("ssh-ed25519"), b);
	buf_init(&want, 0);
	canonical(sid, sizeof(sid), &want);
	if ((ret == 0) != (size == buf_len(&want) &&
	                   memcmp(data, buf_data(&want), size) == 0)) {
		abort();
	}
	buf_clear(&want);
	return 0;
}
