/*
 * authfile.c - authorized_keys lines and their options (contract in
 * authfile.h; option semantics from sshd(8) AUTHORIZED_KEYS FILE FORMAT).
 *
 * Options are parsed left to right by a small scanner over the options
 * field: keyword, then for value options '=' and a quoted string, then a
 * comma or the end. Anything else is "bad options" and rejects the line,
 * so a typo can never silently drop a restriction.
 */
#include "key/authfile.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/err.h"
#include "base/limits.h"
#include "key/hostfile.h"

/* Boolean options: keyword, field, value set. */
struct flag_opt {
	const char *name;
	size_t field; /* offsetof(struct authkey_opts, <bool>) */
	bool value;
};

static const struct flag_opt flag_opts[] = {
    {"cert-authority", offsetof(struct authkey_opts, cert_authority), true},
    {"port-forwarding", offsetof(struct authkey_opts, permit_port_forwarding),
     true},
    {"no-port-forwarding",
     offsetof(struct authkey_opts, permit_port_forwarding), false},
    {"agent-forwarding", offsetof(struct authkey_opts, permit_agent_forwarding),
     true},
    {"no-agent-forwarding",
     offsetof(struct authkey_opts, permit_agent_forwarding), false},
    {"x11-forwarding", offsetof(struct authkey_opts, permit_x11_forwarding),
     true},
    {"no-x11-forwarding", offsetof(struct authkey_opts, permit_x11_forwarding),
     false},
    {"pty", offsetof(struct authkey_opts, permit_pty), true},
    {"no-pty", offsetof(struct authkey_opts, permit_pty), false},
    {"user-rc", offsetof(struct authkey_opts, permit_user_rc), true},
    {"no-user-rc", offsetof(struct authkey_opts, permit_user_rc), false},
    {"no-touch-required",
     offsetof(struct authkey_opts, no_require_user_presence), true},
    {"touch-required", offsetof(struct authkey_opts, no_require_user_presence),
     false},
    {"verify-required", offsetof(struct authkey_opts, require_verify), true},
};

static bool
kw_is(const char *kw, size_t kl, const char *name)
{
	return strlen(name) == kl && strncasecmp(kw, name, kl) == 0;
}

static bool
is_sep(char c)
{
	return c == ' ' || c == '\t';
}

void
authfile_opts_init(struct authkey_opts *o)
{
	if (o == NULL) {
		return;
	}
	memset(o, 0, sizeof(*o));
	o->permit_port_forwarding = true;
	o->permit_agent_forwarding = true;
	o->permit_x11_forwarding = true;
	o->permit_pty = true;
	o->permit_user_rc = true;
}

static void
free_hostports(struct authkey_hostport *hp, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(hp[i].host);
	}
	free(hp);
}

void
authfile_opts_clear(struct authkey_opts *o)
{
	size_t i;

	if (o == NULL) {
		return;
	}
	free(o->force_command);
	free(o->from);
	free(o->principals);
	for (i = 0; i < o->nenv; i++) {
		free(o->env[i]);
	}
	free(o->env);
	free_hostports(o->permitopen, o->npermitopen);
	free_hostports(o->permitlisten, o->npermitlisten);
	authfile_opts_init(o);
}

/*
 * Reads a quoted value starting at s[*i] (which must be '"') into a fresh
 * string; \" stands for a quote. Advances *i past the closing quote.
 */
static int
dequote(const char *s, size_t n, size_t *i, char **out, const char **why)
{
	size_t j = *i, k = 0;
	char *v;

	*out = NULL;
	if (j >= n || s[j] != '"') {
		*why = "missing start quote";
		return SESH_ERR_INVALID_FORMAT;
	}
	if ((v = malloc(n - j)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	for (j++; j < n; j++) {
		if (s[j] == '\\' && j + 1 < n && s[j + 1] == '"') {
			v[k++] = '"';
			j++;
		} else if (s[j] == '"') {
			break;
		} else {
			v[k++] = s[j];
		}
	}
	if (j >= n) {
		free(v);
		*why = "missing end quote";
		return SESH_ERR_INVALID_FORMAT;
	}
	v[k] = '\0';
	*i = j + 1;
	*out = v;
	return 0;
}

/* Port: "*" or a decimal 1..65535. */
static bool
parse_port(const char *p, int *port)
{
	size_t i, len = strlen(p);
	long v = 0;

	if (len == 1 && p[0] == '*') {
		*port = AUTHKEY_PORT_ANY;
		return true;
	}
	if (len == 0 || len > 5) {
		return false;
	}
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9') {
			return false;
		}
		v = v * 10 + (p[i] - '0');
	}
	if (v < 1 || v > 65535) {
		return false;
	}
	*port = (int)v;
	return true;
}

/* "host:port", "[v6]:port", or for permitlisten also a bare "port". */
static int
parse_hostport(const char *v, bool listen, struct authkey_hostport *hp,
               const char **why)
{
	const char *hs, *pe;
	size_t hl;
	int port;

	memset(hp, 0, sizeof(*hp));
	if (listen && strchr(v, ':') == NULL) {
		if (!parse_port(v, &port)) {
			*why = "invalid listen port";
			return SESH_ERR_INVALID_FORMAT;
		}
		hp->port = port;
		return 0;
	}
	if (v[0] == '[') {
		const char *rb = strchr(v, ']');

		if (rb == NULL || rb[1] != ':') {
			*why = "invalid host in permission";
			return SESH_ERR_INVALID_FORMAT;
		}
		hs = v + 1;
		hl = (size_t)(rb - hs);
		pe = rb + 2;
	} else {
		const char *colon = strchr(v, ':');

		if (colon == NULL) {
			*why = "missing port in permission";
			return SESH_ERR_INVALID_FORMAT;
		}
		hs = v;
		hl = (size_t)(colon - v);
		pe = colon + 1;
	}
	if (hl == 0) {
		*why = "missing host in permission";
		return SESH_ERR_INVALID_FORMAT;
	}
	if (!parse_port(pe, &port)) {
		*why = "invalid port in permission";
		return SESH_ERR_INVALID_FORMAT;
	}
	if ((hp->host = strndup(hs, hl)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	hp->port = port;
	return 0;
}

static int
add_hostport(struct authkey_hostport **arr, size_t *n, const char *v,
             bool listen, const char **why)
{
	struct authkey_hostport hp, *p;
	int ret;

	if (*n >= AUTHKEY_MAX_LIST) {
		*why = "too many permissions";
		return SESH_ERR_LIMIT;
	}
	if ((ret = parse_hostport(v, listen, &hp, why)) != 0) {
		return ret;
	}
	if ((p = realloc(*arr, (*n + 1) * sizeof(*p))) == NULL) {
		free(hp.host);
		return SESH_ERR_NOMEM;
	}
	p[*n] = hp;
	*arr = p;
	(*n)++;
	return 0;
}

/* environment="NAME=value": NAME of [A-Za-z0-9_]+; first of a name wins.
 * Takes ownership of v. */
static int
add_env(struct authkey_opts *o, char *v, const char **why)
{
	size_t i, nl;
	char **p;

	for (nl = 0; v[nl] != '\0' && v[nl] != '='; nl++) {
		if (!isalnum((unsigned char)v[nl]) && v[nl] != '_') {
			break;
		}
	}
	if (nl == 0 || v[nl] != '=') {
		free(v);
		*why = "invalid environment string";
		return SESH_ERR_INVALID_FORMAT;
	}
	for (i = 0; i < o->nenv; i++) {
		if (strncmp(o->env[i], v, nl + 1) == 0) {
			free(v);
			return 0;
		}
	}
	if (o->nenv >= AUTHKEY_MAX_LIST) {
		free(v);
		*why = "too many environment strings";
		return SESH_ERR_LIMIT;
	}
	if ((p = realloc(o->env, (o->nenv + 1) * sizeof(*p))) == NULL) {
		free(v);
		return SESH_ERR_NOMEM;
	}
	p[o->nenv] = v;
	o->env = p;
	o->nenv++;
	return 0;
}

static int
digits(const char *p, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "YYYYMMDD[HHMM[SS]][Z]" into seconds since the epoch. */
static int
parse_expiry(const char *v, int64_t *out, const char **why)
{
	size_t len = strlen(v), i;
	struct tm tm = {0};
	bool utc = false;
	time_t t;

	if (len > 0 && v[len - 1] == 'Z') {
		utc = true;
		len--;
	}
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9') {
			goto bad;
		}
	}
	if (len != 8 && len != 12 && len != 14) {
		goto bad;
	}
	tm.tm_year = digits(v, 4) - 1900;
	tm.tm_mon = digits(v + 4, 2) - 1;
	tm.tm_mday = digits(v + 6, 2);
	if (len >= 12) {
		tm.tm_hour = digits(v + 8, 2);
		tm.tm_min = digits(v + 10, 2);
	}
	if (len == 14) {
		tm.tm_sec = digits(v + 12, 2);
	}
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59) {
		goto bad;
	}
	i = (size_t)tm.tm_mday;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	/* mktime normalises 31 April to 1 May: refuse such dates. */
	if (t == (time_t)-1 || (size_t)tm.tm_mday != i || t <= 0) {
		goto bad;
	}
	*out = (int64_t)t;
	return 0;
bad:
	*why = "invalid expiry time";
	return SESH_ERR_INVALID_FORMAT;
}

/* tunnel="n": a device number or "any". */
static int
parse_tunnel(const char *v, uint32_t *out, const char **why)
{
	size_t i, len = strlen(v);
	uint64_t t = 0;

	if (strcasecmp(v, "any") == 0) {
		*out = AUTHKEY_TUN_ANY;
		return 0;
	}
	if (len == 0 || len > 10) {
		goto bad;
	}
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9') {
			goto bad;
		}
		t = t * 10 + (uint64_t)(v[i] - '0');
	}
	if (t > AUTHKEY_TUN_MAX) {
		goto bad;
	}
	*out = (uint32_t)t;
	return 0;
bad:
	*why = "invalid tun device";
	return SESH_ERR_INVALID_FORMAT;
}

/* Stores a value option that may appear once. Takes ownership of v. */
static int
set_once(char **field, char *v, const char *dup_why, const char **why)
{
	if (*field != NULL) {
		free(v);
		*why = dup_why;
		return SESH_ERR_INVALID_FORMAT;
	}
	*field = v;
	return 0;
}

/* Applies a value option kw="v". Takes ownership of v. */
static int
apply_value(struct authkey_opts *o, const char *kw, size_t kl, char *v,
            const char **why)
{
	int64_t exp = 0;
	int ret;

	if (kw_is(kw, kl, "command")) {
		return set_once(&o->force_command, v,
		                "multiple \"command\" clauses", why);
	}
	if (kw_is(kw, kl, "from")) {
		return set_once(&o->from, v, "multiple \"from\" clauses", why);
	}
	if (kw_is(kw, kl, "principals")) {
		return set_once(&o->principals, v,
		                "multiple \"principals\" clauses", why);
	}
	if (kw_is(kw, kl, "environment")) {
		return add_env(o, v, why);
	}
	if (kw_is(kw, kl, "permitopen")) {
		ret = add_hostport(&o->permitopen, &o->npermitopen, v, false,
		                   why);
	} else if (kw_is(kw, kl, "permitlisten")) {
		ret = add_hostport(&o->permitlisten, &o->npermitlisten, v, true,
		                   why);
	} else if (kw_is(kw, kl, "expiry-time")) {
		if ((ret = parse_expiry(v, &exp, why)) == 0 &&
		    (o->expiry == 0 || exp < o->expiry)) {
			o->expiry = exp;
		}
	} else if (kw_is(kw, kl, "tunnel")) {
		if (o->has_tunnel) {
			*why = "multiple \"tunnel\" clauses";
			ret = SESH_ERR_INVALID_FORMAT;
		} else if ((ret = parse_tunnel(v, &o->tunnel, why)) == 0) {
			o->has_tunnel = true;
		}
	} else {
		*why = "unknown key option";
		ret = SESH_ERR_INVALID_FORMAT;
	}
	free(v);
	return ret;
}

/* Applies a flag option; false if kw is not one. */
static bool
apply_flag(struct authkey_opts *o, const char *kw, size_t kl)
{
	size_t i;

	if (kw_is(kw, kl, "restrict")) {
		o->restricted = true;
		o->permit_port_forwarding = false;
		o->permit_agent_forwarding = false;
		o->permit_x11_forwarding = false;
		o->permit_pty = false;
		o->permit_user_rc = false;
		return true;
	}
	for (i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++) {
		if (kw_is(kw, kl, flag_opts[i].name)) {
			bool *f = (bool *)((char *)o + flag_opts[i].field);

			*f = flag_opts[i].value;
			return true;
		}
	}
	return false;
}

int
authfile_parse_options(const char *s, size_t n, struct authkey_opts *out,
                       const char **why)
{
	struct authkey_opts o;
	const char *reason = NULL;
	size_t i = 0, kstart, kl;
	char *v = NULL;
	int ret = 0;

	authfile_opts_init(&o);
	if (why != NULL) {
		*why = NULL;
	}
	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	authfile_opts_init(out);
	if (s == NULL || n == 0) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (n > SESH_MAX_LINE || memchr(s, '\0', n) != NULL) {
		reason = "bad options";
		ret = n > SESH_MAX_LINE ? SESH_ERR_LIMIT
		                        : SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	for (;;) {
		kstart = i;
		while (i < n && s[i] != '=' && s[i] != ',') {
			i++;
		}
		kl = i - kstart;
		if (i < n && s[i] == '=') {
			i++;
			if ((ret = dequote(s, n, &i, &v, &reason)) != 0 ||
			    (ret = apply_value(&o, s + kstart, kl, v,
			                       &reason)) != 0) {
				goto out;
			}
		} else if (!apply_flag(&o, s + kstart, kl)) {
			reason = "unknown key option";
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
		if (i == n) {
			break;
		}
		if (s[i] != ',') {
			reason = "unexpected character after option";
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
		if (++i == n) {
			reason = "unexpected end of options";
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
	}
	*out = o;
	authfile_opts_init(&o);
out:
	authfile_opts_clear(&o);
	if (ret != 0 && why != NULL) {
		*why = reason;
	}
	return ret;
}

void
authfile_entry_clear(struct authkey_entry *e)
{
	if (e == NULL) {
		return;
	}
	authfile_opts_clear(&e->opts);
	key_free(e->key);
	memset(e, 0, sizeof(*e));
	authfile_opts_init(&e->opts);
}

int
authfile_parse_line(const char *line, size_t n, struct authkey_entry *out,
                    const char **why)
{
	struct authkey_entry e;
	const char *reason = NULL;
	size_t i = 0, tstart, oend;
	bool quoted = false;
	int ret = 0;

	memset(&e, 0, sizeof(e));
	authfile_opts_init(&e.opts);
	if (why != NULL) {
		*why = NULL;
	}
	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(out, 0, sizeof(*out));
	authfile_opts_init(&out->opts);
	if (line == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (n > SESH_MAX_LINE) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	if (n > 0 && line[n - 1] == '\n') {
		n--;
	}
	if (n > 0 && line[n - 1] == '\r') {
		n--;
	}
	if (memchr(line, '\0', n) != NULL || memchr(line, '\n', n) != NULL) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	while (i < n && is_sep(line[i])) {
		i++;
	}
	if (i == n || line[i] == '#') {
		out->kind = AUTHFILE_LINE_COMMENT;
		goto out;
	}
	tstart = i;
	while (i < n && !is_sep(line[i])) {
		i++;
	}
	if (key_type_from_name(line + tstart, i - tstart) == KEY_UNKNOWN &&
	    !hostfile_is_foreign_key_type(line + tstart, i - tstart)) {
		/* An options field: up to a space or tab outside quotes. */
		for (i = tstart; i < n && (quoted || !is_sep(line[i])); i++) {
			if (line[i] == '\\' && i + 1 < n &&
			    line[i + 1] == '"') {
				i++;
			} else if (line[i] == '"') {
				quoted = !quoted;
			}
		}
		oend = i;
		if ((ret = authfile_parse_options(line + tstart, oend - tstart,
		                                  &e.opts, &reason)) != 0) {
			goto out;
		}
		e.has_options = true;
		while (i < n && is_sep(line[i])) {
			i++;
		}
		if (i == n) {
			reason = "no key after options";
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
		tstart = i;
	}
	if ((ret = key_from_pub_line(line + tstart, n - tstart, &e.key)) != 0) {
		goto out;
	}
	e.kind = AUTHFILE_LINE_ENTRY;
	*out = e;
	memset(&e, 0, sizeof(e));
	authfile_opts_init(&e.opts);
out:
	authfile_entry_clear(&e);
	if (ret != 0 && why != NULL) {
		*why = reason;
	}
	return ret;
}
