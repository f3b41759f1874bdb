/*
 * fuzz_hostfile.c - libFuzzer target for known_hosts and authorized_keys
 * parsing (src/key/hostfile.h, authfile.h).
 *
 * The input is parsed as one known_hosts line (and matched against two
 * lookup names), as one authorized_keys line, and as a whole known_hosts
 * file through the ssh-keygen -R/-F/-H transforms. Checked: failures
 * leave outputs zeroed, every owned result is freed, and -R is
 * idempotent (removing a host from -R's own output changes nothing).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "key/authfile.h"
#include "key/hostfile.h"
#include "key/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME      "host.example.org"
#define NAME_PORT "[host.example.org]:2222"

static void
known_hosts_line(const uint8_t *data, size_t size)
{
	struct hostfile_entry e;
	enum match_result res;
	int ret;

	ret = hostfile_parse_line((const char *)data, size, &e);
	if (ret != 0) {
		if (ret > 0 || e.hosts != NULL || e.key != NULL) {
			abort();
		}
		return;
	}
	if (e.kind == HOSTFILE_LINE_ENTRY &&
	    (e.hosts == NULL || e.key == NULL)) {
		abort();
	}
	(void)hostfile_match_name(&e, NAME, strlen(NAME), &res);
	(void)hostfile_match_host(&e, "host.example.org", 2222, &res);
	hostfile_entry_clear(&e);
}

static void
authorized_keys_line(const uint8_t *data, size_t size)
{
	struct authkey_entry e;
	const char *why = NULL;
	int ret;

	ret = authfile_parse_line((const char *)data, size, &e, &why);
	if (ret != 0) {
		if (ret > 0 || e.key != NULL || e.opts.force_command != NULL ||
		    e.opts.env != NULL || e.opts.permitopen != NULL) {
			abort();
		}
		return;
	}
	if (e.kind == AUTHFILE_LINE_ENTRY && e.key == NULL) {
		abort();
	}
	authfile_entry_clear(&e);
}

static void
whole_file(const uint8_t *data, size_t size)
{
	struct hostfile_result r1, r2;

	memset(&r2, 0, sizeof(r2));
	if (hostfile_remove_host(data, size, NAME_PORT, strlen(NAME_PORT),
	                         &r1) == 0) {
		if (hostfile_remove_host(buf_data(&r1.out), buf_len(&r1.out),
		                         NAME_PORT, strlen(NAME_PORT),
		                         &r2) != 0 ||
		    r2.nhits != 0 || buf_len(&r2.out) != buf_len(&r1.out) ||
		    (buf_len(&r1.out) > 0 &&
		     memcmp(buf_data(&r2.out), buf_data(&r1.out),
		            buf_len(&r1.out)) != 0)) {
			abort();
		}
	}
	hostfile_result_clear(&r1);
	hostfile_result_clear(&r2);
	(void)hostfile_find_host(data, size, NAME, strlen(NAME),
	                         size > 0 && (data[0] & 1), &r1);
	hostfile_result_clear(&r1);
	(void)hostfile_hash_content(data, size, &r1);
	hostfile_result_clear(&r1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	known_hosts_line(data, size);
	authorized_keys_line(data, size);
	whole_file(data, size);
	return 0;
}
