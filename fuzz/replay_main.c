/*
 * replay_main.c - a plain main for fuzz targets, so that their corpora
 * replay in the ordinary test run (no libFuzzer needed).
 *
 * Usage: replay_<thing> PATH...
 * Each PATH is a regular file (replayed) or a directory (each regular
 * file in it replayed, in name order; subdirectories are not entered).
 * Every input goes once through LLVMFuzzerTestOneInput(). Prints
 * "replayed N inputs" and exits 0; exits 1 with a message if a PATH
 * cannot be read or if no input at all was found (an empty corpus would
 * make the replay a test that cannot fail). A bug in a target shows as a
 * crash or a sanitizer report; REPLAY_VERBOSE=1 names each file first.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are skipped with a warning (libFuzzer's own
 * default -max_len is far below it). */
#define REPLAY_MAX_INPUT (16u * 1024u * 1024u)

static int replay_verbose;

/* Reads and replays one file. 0 or 1 (message printed). */
static int
replay_file(const char *path, unsigned long *count)
{
	FILE *f = NULL;
	uint8_t *data = NULL;
	struct stat st;
	size_t size, n;
	int ret = 1;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: too large, skipped\n", path);
		ret = 0;
		goto out;
	}
	/* Exactly the file's size, so that ASan sees any read past the end
	 * (an empty file gets one byte, to have a valid pointer). */
	size = (size_t)st.st_size;
	if ((data = malloc(size > 0 ? size : 1)) == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	n = fread(data, 1, size, f);
	if (ferror(f) || n != size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto out;
	}
	if (replay_verbose) {
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	}
	LLVMFuzzerTestOneInput(data, n);
	(*count)++;
	ret = 0;
out:
	free(data);
	if (f != NULL) {
		fclose(f);
	}
	return ret;
}

static int
replay_dir(const char *path, unsigned long *count)
{
	struct dirent **names = NULL;
	struct stat st;
	char *full = NULL;
	size_t len;
	int i, n, ret = 0;

	if ((n = scandir(path, &names, NULL, alphasort)) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (ret != 0 || names[i]->d_name[0] == '.') {
			free(names[i]);
			continue;
		}
		len = strlen(path) + strlen(names[i]->d_name) + 2;
		if ((full = malloc(len)) == NULL) {
			fprintf(stderr, "replay: out of memory\n");
			ret = 1;
		} else {
			snprintf(full, len, "%s/%s", path, names[i]->d_name);
			if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
				ret = replay_file(full, count);
			}
			free(full);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int
main(int argc, char **argv)
{
	struct stat st;
	unsigned long count = 0;
	const char *v = getenv("REPLAY_VERBOSE");
	int i;

	replay_verbose = v != NULL && v[0] != '\0' && v[0] != '0';
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			        strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) != 0) {
				return 1;
			}
		} else if (replay_file(argv[i], &count) != 0) {
			return 1;
		}
	}
	if (count == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("replayed %lu inputs\n", count);
	return 0;
}
