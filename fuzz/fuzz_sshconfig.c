/*
 * fuzz_sshconfig.c - libFuzzer target for the ssh_config reader
 * (src/app/sshconfig.h): the input is parsed as a user configuration
 * for the host "web1.example.com" (Include lines checked, not
 * followed), then, when it parsed, resolved into client options and
 * printed as "sesh -G" would. Checked: the parse result is 0 or
 * SESH_ERR_INVALID_FORMAT with the "terminating" report, resolve
 * fails only with SESH_ERR_INVALID_ARGUMENT, and nothing leaks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/sshconfig.h"
#include "base/err.h"
#include "base/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool terminated;

static void
report(void *arg, const char *line)
{
	(void)arg;
	if (strstr(line, ": terminating, ") != NULL) {
		terminated = true;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool inited;
	struct sshconfig_out out;
	struct sshconfig c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (!inited) {
		setenv("HOME", "/nonexistent-sesh-fuzz", 1);
		log_init("fuzz_sshconfig", LOG_LVL_QUIET);
		inited = true;
	}
	if (sshconfig_init(&c, "web1.example.com") != 0) {
		return 0;
	}
	c.report = report;
	c.no_include = true;
	terminated = false;
	ret = sshconfig_parse_buffer(&c, "fuzz", (const char *)data, size,
	                             SSHCONFIG_USER);
	if (ret != 0) {
		if (ret != SESH_ERR_INVALID_FORMAT || !terminated) {
			abort();
		}
		goto out;
	}
	ret = sshconfig_resolve(&c, "/usr/bin/sesh", &out);
	if (ret != 0) {
		if (ret != SESH_ERR_INVALID_ARGUMENT) {
			abort();
		}
		goto out;
	}
	if (out.opts.host == NULL || out.opts.user == NULL ||
	    out.opts.kex == NULL || out.opts.ciphers == NULL) {
		abort();
	}
	if ((f = open_memstream(&text, &len)) != NULL) {
		(void)sshconfig_dump(&out, f);
		fclose(f);
		free(text);
	}
	sshconfig_out_clear(&out);
out:
	sshconfig_clear(&c);
	return 0;
}
