/*
 * fuzz_authfrom.c - libFuzzer target for authorized_keys from= pattern
 * lists (authfile_match_from() in src/key/authfile.h).
 *
 * The input (up to its first NUL) is a pattern list matched against a
 * few IPv4, IPv6 and v4-mapped clients, with and without a host name.
 * Checked: the result is 0 or SESH_ERR_INVALID_FORMAT, an invalid list
 * never allows, and the verdict does not depend on the case of the host
 * name.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "key/authfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const addrs[] = {
    "127.0.0.1",   "10.1.2.3",  "192.168.100.200", "::1",
    "2001:db8::5", "fe80::1:2", "::ffff:10.1.2.3", "not-an-address",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pat;
	size_t i;
	bool ok, ok2;
	int ret, ret2;

	if (size > 4096) {
		return 0;
	}
	if ((pat = malloc(size + 1)) == NULL) {
		return 0;
	}
	memcpy(pat, data, size);
	pat[size] = '\0';
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		ret =
		    authfile_match_from(pat, "Host.Example.ORG", addrs[i], &ok);
		ret2 = authfile_match_from(pat, "host.example.org", addrs[i],
		                           &ok2);
		if ((ret != 0 && ret != SESH_ERR_INVALID_FORMAT) ||
		    (ret != 0 && ok) || ret != ret2 || ok != ok2) {
			abort();
		}
		ret = authfile_match_from(pat, NULL, addrs[i], &ok);
		if ((ret != 0 && ret != SESH_ERR_INVALID_FORMAT) ||
		    (ret != 0 && ok)) {
			abort();
		}
	}
	ret = authfile_match_from(pat, "host", NULL, &ok);
	if (ok || (ret != 0 && ret != SESH_ERR_INVALID_FORMAT)) {
		abort();
	}
	free(pat);
	return 0;
}
