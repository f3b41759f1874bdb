/*
 * hosts.c - known_hosts edits: -R (remove a host, keeping file.old), -F
 * (find a host) and -H (hash the names, keeping file.old), with
 * ssh-keygen's messages. The file transforms are src/key/hostfile.h's;
 * this file reads, writes and reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/fileio.h"
#include "app/paths.h"
#include "base/err.h"
#include "base/limits.h"
#include "cmd/sesh-keygen/kg.h"
#include "key/hostfile.h"

#define KG_MAX_KNOWN_HOSTS (SESH_MAX_KEYFILE * 64u)

/* Picks -f or ~/.ssh/known_hosts and reads it ("Cannot stat" if none). */
static void
read_known_hosts(struct kg_opts *o, uint8_t **data, size_t *n)
{
	int ret;

	if (o->file == NULL && paths_known_hosts(&o->file) != 0) {
		kg_fatal("Cannot determine the home directory");
	}
	ret = fileio_read(o->file, KG_MAX_KNOWN_HOSTS, data, n);
	if (ret == SESH_ERR_NOT_FOUND) {
		kg_fatal("Cannot stat %s: %s", o->file, strerror(errno));
	}
	if (ret != 0) {
		kg_fatal("%s: %s", o->file,
		         ret == SESH_ERR_SYSTEM ? strerror(errno)
		                                : sesh_err_str(ret));
	}
}

static const char *
marker_note(enum hostfile_marker m)
{
	switch (m) {
	case HOSTFILE_MARKER_REVOKED:
		return "REVOKED";
	case HOSTFILE_MARKER_CERT_AUTHORITY:
		return "CA";
	default:
		return "";
	}
}

/* Reports invalid lines; true if there were any (file not replaced). */
static bool
report_invalid(const struct kg_opts *o, const struct hostfile_result *r)
{
	size_t i;

	for (i = 0; i < r->ninvalid; i++) {
		kg_error("%s:%zu: invalid line", o->file, r->invalid[i]);
	}
	if (r->ninvalid == 0) {
		return false;
	}
	kg_error("%s is not a valid known_hosts file.", o->file);
	kg_error("Not replacing existing known_hosts file because of "
	         "errors");
	return true;
}

static int
replace_file(const struct kg_opts *o, const struct buf *content)
{
	mode_t mode = 0;

	if (fileio_mode(o->file, &mode) != 0) {
		mode = FILEIO_MODE_PUBLIC;
	}
	if (fileio_replace_keep_old(o->file, buf_data(content),
	                            buf_len(content), mode) != 0) {
		kg_fatal("Cannot replace %s: %s", o->file, strerror(errno));
	}
	printf("%s updated.\n", o->file);
	printf("Original contents retained as %s.old\n", o->file);
	return 0;
}

int
kg_remove_host(struct kg_opts *o)
{
	struct hostfile_result r;
	uint8_t *data = NULL;
	size_t n = 0, i;
	int ret;

	read_known_hosts(o, &data, &n);
	ret = hostfile_remove_host(data, n, o->host, strlen(o->host), &r);
	free(data);
	if (ret != 0) {
		kg_fatal("%s: %s", o->file, sesh_err_str(ret));
	}
	for (i = 0; i < r.nhits && !o->quiet; i++) {
		printf("# Host %s found: line %zu\n", o->host, r.hits[i].line);
	}
	fflush(stdout);
	if (report_invalid(o, &r)) {
		hostfile_result_clear(&r);
		return 1;
	}
	if (r.nhits == 0) {
		kg_error("Host %s not found in %s", o->host, o->file);
		hostfile_result_clear(&r);
		return 0;
	}
	ret = replace_file(o, &r.out);
	hostfile_result_clear(&r);
	return ret;
}

int
kg_find_host(struct kg_opts *o)
{
	struct hostfile_result r;
	uint8_t *data = NULL;
	size_t n = 0, i;
	int ret;

	read_known_hosts(o, &data, &n);
	ret = hostfile_find_host(data, n, o->host, strlen(o->host),
	                         o->hash_found, &r);
	free(data);
	if (ret != 0) {
		kg_fatal("%s: %s", o->file, sesh_err_str(ret));
	}
	for (i = 0; i < r.nhits; i++) {
		const struct hostfile_hit *h = &r.hits[i];

		if (!o->quiet) {
			printf("# Host %s found: line %zu %s\n", o->host,
			       h->line, marker_note(h->marker));
		}
		printf("%.*s", (int)h->len,
		       (const char *)buf_data(&r.out) + h->off);
	}
	ret = r.nhits > 0 ? 0 : 1;
	hostfile_result_clear(&r);
	return ret;
}

int
kg_hash_hosts(struct kg_opts *o)
{
	struct hostfile_result r;
	uint8_t *data = NULL;
	size_t n = 0;
	int ret;

	read_known_hosts(o, &data, &n);
	ret = hostfile_hash_content(data, n, &r);
	if (ret != 0) {
		free(data);
		kg_fatal("%s: %s", o->file, sesh_err_str(ret));
	}
	{
		/* Name the wildcard lines as ssh-keygen does. */
		size_t i;

		for (i = 0; i < r.nwild; i++) {
			const char *s = (const char *)data, *e = s + n;
			size_t line = 1, len;

			while (s < e && line < r.wild[i]) {
				const char *nl =
				    memchr(s, '\n', (size_t)(e - s));

				s = nl != NULL ? nl + 1 : e;
				line++;
			}
			while (s < e && (*s == ' ' || *s == '\t')) {
				s++;
			}
			for (len = 0; s + len < e && s[len] != ' ' &&
			              s[len] != '\t' && s[len] != '\n';
			     len++) {
			}
			kg_error("%s:%zu: ignoring host name with wildcard: "
			         "%.*s",
			         o->file, r.wild[i], (int)len, s);
		}
	}
	free(data);
	if (report_invalid(o, &r)) {
		hostfile_result_clear(&r);
		return 1;
	}
	ret = replace_file(o, &r.out);
	if (r.hashed_some) {
		fflush(stdout);
		kg_error("WARNING: %s.old contains unhashed entries", o->file);
		kg_error("Delete this file to ensure privacy of hostnames");
	}
	hostfile_result_clear(&r);
	return ret;
}
