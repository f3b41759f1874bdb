/*
 * args.c - sesh's argument syntax: the destination ("[user@]host" or
 * "ssh://[user@]host[:port]"), -W "host:port", -e escape characters,
 * ports, and the remote command (the arguments joined by spaces, as ssh
 * does). Pure parsing; the caller prints and exits (contract in sesh.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/sshconfig.h"
#include "base/err.h"
#include "sesh.h"

int
sesh_parse_port(const char *s, unsigned int *out)
{
	char *end = NULL;
	long v;

	*out = 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < 1 || v > 65535) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = (unsigned int)v;
	return 0;
}

/* "host", "[v6addr]" (brackets removed) then optional ":port" */
static int
split_host_port(char *h, char **host, char **port)
{
	char *colon = NULL;

	*host = *port = NULL;
	if (*h == '[') {
		char *rb = strchr(h, ']');
		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':')) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		*rb = '\0';
		if (rb[1] == ':') {
			colon = rb + 1;
		}
		h++;
	} else {
		colon = strchr(h, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			colon = NULL; /* a bare IPv6 address */
		}
	}
	if (colon != NULL) {
		*colon = '\0';
		*port = colon + 1;
	}
	if (*h == '\0') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*host = h;
	return 0;
}

int
sesh_parse_destination(char *arg, struct sesh_dest *d)
{
	char *h = arg, *at, *host = NULL, *port = NULL;

	memset(d, 0, sizeof(*d));
	if (strncasecmp(h, "ssh://", 6) == 0) {
		h += 6;
		if (strchr(h, '/') != NULL) {
			return SESH_ERR_INVALID_ARGUMENT; /* no path allowed */
		}
		if ((at = strrchr(h, '@')) != NULL) {
			*at = '\0';
			if (*h == '\0') {
				return SESH_ERR_INVALID_ARGUMENT;
			}
			d->user = h;
			h = at + 1;
		}
		if (split_host_port(h, &host, &port) != 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		if (port != NULL && sesh_parse_port(port, &d->port) != 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		d->host = host;
		return 0;
	}
	if ((at = strrchr(h, '@')) != NULL) {
		*at = '\0';
		if (*h == '\0') {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		d->user = h;
		h = at + 1;
	}
	if (*h == '\0' || *h == '-') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	d->host = h;
	return 0;
}

int
sesh_parse_forward(char *arg, char **host, unsigned int *port)
{
	char *h = NULL, *p = NULL;

	*host = NULL;
	*port = 0;
	if (split_host_port(arg, &h, &p) != 0 || p == NULL ||
	    sesh_parse_port(p, port) != 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*host = h;
	return 0;
}

int
sesh_parse_escape(const char *s, int *out)
{
	/* ssh -e spells "none" exactly; EscapeChar folds it */
	return sshconfig_escape_parse(s, false, out);
}

int
sesh_join_command(int argc, char **argv, char **out)
{
	size_t len = 0, l;
	char *s;
	int i;

	*out = NULL;
	if (argc <= 0) {
		return 0;
	}
	for (i = 0; i < argc; i++) {
		l = strlen(argv[i]);
		if (l > SESH_MAX_COMMAND || len + l + 1 > SESH_MAX_COMMAND) {
			return SESH_ERR_LIMIT;
		}
		len += l + 1;
	}
	if ((s = malloc(len + 1)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	s[0] = '\0';
	len = 0;
	for (i = 0; i < argc; i++) {
		l = strlen(argv[i]);
		if (i > 0) {
			s[len++] = ' ';
		}
		memcpy(s + len, argv[i], l);
		len += l;
		s[len] = '\0';
	}
	*out = s;
	return 0;
}
