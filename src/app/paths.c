/*
 * paths.c - home directory, tilde expansion and default ~/.ssh paths
 * (see paths.h).
 */
#include "app/paths.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"

/* Joins a, "/" (unless a ends in one) and b into a fresh string. */
static int
join(const char *a, const char *b, char **out)
{
	size_t la = strlen(a), lb = strlen(b), n;
	bool slash = la > 0 && a[la - 1] == '/';
	char *p;

	*out = NULL;
	if (!size_add(la, lb, &n) || !size_add(n, 2, &n)) {
		return SESH_ERR_NOMEM;
	}
	if ((p = malloc(n)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	snprintf(p, n, "%s%s%s", a, slash || *b == '\0' ? "" : "/", b);
	*out = p;
	return 0;
}

/* Copies a home path, dropping trailing slashes but keeping "/". */
static int
copy_home(const char *h, char **out)
{
	size_t n = strlen(h);
	char *p;

	*out = NULL;
	while (n > 1 && h[n - 1] == '/') {
		n--;
	}
	if ((p = strndup(h, n)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	*out = p;
	return 0;
}

int
paths_home(char **out)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	*out = NULL;
	if (h != NULL && *h != '\0') {
		return copy_home(h, out);
	}
	pw = getpwuid(getuid());
	if (pw == NULL || pw->pw_dir == NULL || *pw->pw_dir == '\0') {
		return SESH_ERR_NOT_FOUND;
	}
	return copy_home(pw->pw_dir, out);
}

int
paths_expand_tilde(const char *path, char **out)
{
	const char *rest, *slash;
	char *home = NULL, *user = NULL;
	struct passwd *pw;
	int ret;

	*out = NULL;
	if (path == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (path[0] != '~') {
		return (*out = mem_strdup(path)) == NULL ? SESH_ERR_NOMEM : 0;
	}
	slash = strchr(path, '/');
	rest = slash != NULL ? slash + 1 : "";
	if (path[1] == '/' || path[1] == '\0') {
		if ((ret = paths_home(&home)) != 0) {
			goto out;
		}
	} else {
		size_t ul = slash != NULL ? (size_t)(slash - path - 1)
		                          : strlen(path + 1);

		if ((user = strndup(path + 1, ul)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		pw = getpwnam(user);
		if (pw == NULL || pw->pw_dir == NULL) {
			ret = SESH_ERR_NOT_FOUND;
			goto out;
		}
		if ((ret = copy_home(pw->pw_dir, &home)) != 0) {
			goto out;
		}
	}
	ret = join(home, rest, out);
out:
	free(home);
	free(user);
	return ret;
}

int
paths_in_home(const char *rel, char **out)
{
	char *home = NULL;
	int ret;

	*out = NULL;
	if ((ret = paths_home(&home)) != 0) {
		return ret;
	}
	ret = join(home, rel, out);
	free(home);
	return ret;
}

int
paths_ssh_dir(char **out)
{
	return paths_in_home(PATHS_SSH_DIR, out);
}

int
paths_default_identity(const char *type_word, char **out)
{
	char rel[64];

	*out = NULL;
	if (type_word == NULL || (strcmp(type_word, "ed25519") != 0 &&
	                          strcmp(type_word, "ecdsa") != 0 &&
	                          strcmp(type_word, "rsa") != 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	snprintf(rel, sizeof(rel), PATHS_SSH_DIR "/id_%s", type_word);
	return paths_in_home(rel, out);
}

int
paths_known_hosts(char **out)
{
	return paths_in_home(PATHS_SSH_DIR "/known_hosts", out);
}

int
paths_user_name(char **out)
{
	struct passwd *pw = getpwuid(getuid());
	const char *u = NULL;

	*out = NULL;
	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0') {
		u = pw->pw_name;
	} else {
		u = getenv("USER");
	}
	if (u == NULL || *u == '\0') {
		return SESH_ERR_NOT_FOUND;
	}
	return (*out = mem_strdup(u)) == NULL ? SESH_ERR_NOMEM : 0;
}

int
paths_default_comment(char **out)
{
	char host[256];
	char *user = NULL, *p;
	size_t n;
	int ret;

	*out = NULL;
	if ((ret = paths_user_name(&user)) != 0) {
		return ret;
	}
	if (gethostname(host, sizeof(host)) != 0) {
		snprintf(host, sizeof(host), "localhost");
	}
	host[sizeof(host) - 1] = '\0';
	n = strlen(user) + 1 + strlen(host) + 1;
	if ((p = malloc(n)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	snprintf(p, n, "%s@%s", user, host);
	*out = p;
	ret = 0;
out:
	free(user);
	return ret;
}
