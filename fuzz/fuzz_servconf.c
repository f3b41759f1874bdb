/*
 * fuzz_servconf.c - libFuzzer target for seshd's sshd_config reader
 * (src/app/servconf.h): the input is loaded as a whole config file, then
 * finished, matched for a fixed connection and printed as `-T` does.
 *
 * Checked: failures are negative codes with a message (or NOMEM/LIMIT),
 * a loaded config always finishes, Match copies and `-T` output work on
 * whatever parsed, and everything is freed (ASan/LSan). Inputs naming
 * Include are skipped: they would read arbitrary files of the host.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/servconf.h"
#include "base/err.h"
#include "base/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
mentions_include(const uint8_t *p, size_t n)
{
	static const char word[] = "include";
	size_t i, j;

	for (i = 0; i + sizeof(word) - 1 <= n; i++) {
		for (j = 0; j < sizeof(word) - 1; j++) {
			char ch = (char)p[i + j];

			if (ch >= 'A' && ch <= 'Z') {
				ch = (char)(ch - 'A' + 'a');
			}
			if (ch != word[j]) {
				break;
			}
		}
		if (j == sizeof(word) - 1) {
			return true;
		}
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	static const char *const groups[] = {"wheel", "users", NULL};
	struct servconf c, m;
	struct servconf_err err;
	struct servconf_conninfo ci;
	int ret;

	if (devnull == NULL) {
		log_init("fuzz_servconf", LOG_LVL_QUIET);
		devnull = fopen("/dev/null", "w");
		if (devnull == NULL) {
			abort();
		}
	}
	if (mentions_include(data, size)) {
		return 0;
	}
	servconf_init(&c);
	memset(&err, 0, sizeof(err));
	ret = servconf_load_text(&c, "fuzz", (const char *)data, size, &err);
	if (ret != 0) {
		if (ret > 0 || (err.msg[0] == '\0' && ret != SESH_ERR_NOMEM &&
		                ret != SESH_ERR_LIMIT)) {
			abort();
		}
		servconf_clear(&c);
		return 0;
	}
	if (servconf_finish(&c, &err) != 0) {
		abort();
	}
	memset(&ci, 0, sizeof(ci));
	ci.user = "alice";
	ci.host = "client.example.org";
	ci.addr = "10.1.2.3";
	ci.laddr = "::1";
	ci.lport = 22;
	ci.groups = groups;
	if (servconf_match(&c, &ci, &m, &err) == 0) {
		if (servconf_dump(&m, devnull) != 0) {
			abort();
		}
		servconf_clear(&m);
	}
	if (servconf_dump(&c, devnull) != 0) {
		abort();
	}
	servconf_clear(&c);
	return 0;
}
