/*
 * sshconfig_val.c - value syntax for ssh_config: ssh's time format,
 * RekeyLimit, algorithm names and the "+ - ^" list modifiers, "%x"
 * tokens, owned string lists and message reporting (contracts in
 * sshconfig.h). Pure except for sshconfig_report (stderr or the
 * caller's sink) and the "~" expansion (the password database).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/paths.h"
#include "app/sshconfig.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "crypto/hash.h"
#include "key/match.h"
#include "ssh/transport.h"

/* Names OpenSSH's ssh accepts in each list (9.x and later). Names sesh
 * does not implement are dropped from resolved lists. */
static const char *const known_kex[] = {
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group-exchange-sha256",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com",
    "mlkem768x25519-sha256",
    NULL,
};
static const char *const known_ciphers[] = {
    "3des-cbc",
    "aes128-cbc",
    "aes192-cbc",
    "aes256-cbc",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
    "rijndael-cbc@lysator.liu.se",
    NULL,
};
static const char *const known_macs[] = {
    "hmac-sha1",
    "hmac-sha1-96",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-md5",
    "hmac-md5-96",
    "umac-64@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "hmac-sha1-96-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-md5-etm@openssh.com",
    "hmac-md5-96-etm@openssh.com",
    "umac-64-etm@openssh.com",
    "umac-128-etm@openssh.com",
    NULL,
};
static const char *const known_keytypes[] = {
    "ssh-ed25519",
    "ssh-ed25519-cert-v01@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-rsa",
    "rsa-sha2-256",
    "rsa-sha2-512",
    "ssh-rsa-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "ssh-dss",
    "ssh-dss-cert-v01@openssh.com",
    "ssh-xmss@openssh.com",
    "ssh-xmss-cert-v01@openssh.com",
    NULL,
};

static const char *const *const known[SSHCONFIG_ALG_COUNT] = {
    known_kex, known_ciphers, known_macs, known_keytypes, known_keytypes,
};

/* What the engine implements, in its order of preference. */
static const char *const defaults[SSHCONFIG_ALG_COUNT] = {
    TRANSPORT_DEFAULT_KEX,     TRANSPORT_DEFAULT_CIPHERS,
    TRANSPORT_DEFAULT_MACS,    TRANSPORT_DEFAULT_HOSTKEY,
    TRANSPORT_DEFAULT_HOSTKEY,
};

void
sshconfig_report(const struct sshconfig *c, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c != NULL && c->report != NULL) {
		c->report(c->report_arg, msg);
	} else {
		fprintf(stderr, "%s\n", msg);
	}
}

int
sshconfig_list_add(struct sshconfig_list *l, const char *s)
{
	char **v;
	char *d;

	if (l->n >= SSHCONFIG_MAX_LIST) {
		return SESH_ERR_LIMIT;
	}
	if ((d = strdup(s)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if ((v = realloc(l->v, (l->n + 2) * sizeof(*v))) == NULL) {
		free(d);
		return SESH_ERR_NOMEM;
	}
	v[l->n++] = d;
	v[l->n] = NULL;
	l->v = v;
	return 0;
}

void
sshconfig_list_clear(struct sshconfig_list *l)
{
	size_t i;

	if (l == NULL) {
		return;
	}
	for (i = 0; i < l->n; i++) {
		free(l->v[i]);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
sshconfig_parse_time(const char *s, int *out)
{
	long long total = 0, v, mult;
	const char *p = s;

	*out = 0;
	if (*p == '\0') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	while (*p != '\0') {
		if (*p < '0' || *p > '9') {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			if (v > 0x7fffffffLL) {
				return SESH_ERR_INVALID_ARGUMENT;
			}
		}
		switch (*p) {
		case '\0':
			mult = 1;
			break;
		case 's':
		case 'S':
			mult = 1;
			p++;
			break;
		case 'm':
		case 'M':
			mult = 60;
			p++;
			break;
		case 'h':
		case 'H':
			mult = 3600;
			p++;
			break;
		case 'd':
		case 'D':
			mult = 86400;
			p++;
			break;
		case 'w':
		case 'W':
			mult = 604800;
			p++;
			break;
		default:
			return SESH_ERR_INVALID_ARGUMENT;
		}
		total += v * mult;
		if (total > 0x7fffffffLL) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	*out = (int)total;
	return 0;
}

/* A size: digits, an optional fraction, an optional K, M, G or T
 * (powers of 1024), as ssh's scan_scaled. At most 2^62. */
static int
parse_size(const char *p, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, fscale = 1, mult = 1;
	unsigned shift = 0;

	*out = 0;
	if (*p < '0' || *p > '9') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	while (*p >= '0' && *p <= '9') {
		whole = whole * 10 + (uint64_t)(*p++ - '0');
		if (whole > (1ull << 62)) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9') {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		while (*p >= '0' && *p <= '9') {
			if (fscale < 1000000000ull) { /* 9 digits are plenty */
				frac = frac * 10 + (uint64_t)(*p - '0');
				fscale *= 10;
			}
			p++;
		}
	}
	switch (*p) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (*p != '\0' && *++p != '\0') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	mult = 1ull << shift;
	if (whole > (1ull << 62) / mult) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* frac < fscale <= 10^9 < 2^30 and mult <= 2^40: no overflow */
	*out = whole * mult + (frac * mult) / fscale;
	return 0;
}

int
sshconfig_parse_rekey(const char *size, const char *interval, int64_t *bytes,
                      int *seconds)
{
	uint64_t v = 0;
	int secs = 0, ret;

	*bytes = 0;
	*seconds = 0;
	if (strcasecmp(size, "default") != 0 && strcasecmp(size, "none") != 0) {
		if ((ret = parse_size(size, &v)) != 0) {
			return ret;
		}
		if (v != 0 && v < 16) {
			return SESH_ERR_LIMIT;
		}
	}
	if (interval != NULL && strcasecmp(interval, "none") != 0 &&
	    strcasecmp(interval, "default") != 0 &&
	    sshconfig_parse_time(interval, &secs) != 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*bytes = (int64_t)v;
	*seconds = secs;
	return 0;
}

static bool
in_list(const char *const *list, const char *s, size_t n)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++) {
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0) {
			return true;
		}
	}
	return false;
}

int
sshconfig_algs_check(enum sshconfig_alg cat, const char *spec)
{
	const char *p = spec, *e;

	if ((unsigned)cat >= SSHCONFIG_ALG_COUNT || spec == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (*p == '-') {
		return 0; /* patterns to remove; anything goes, as in ssh */
	}
	if (*p == '+' || *p == '^') {
		p++;
	}
	if (*p == '\0') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	for (;;) {
		e = strchr(p, ',');
		if (e == NULL) {
			e = p + strlen(p);
		}
		if (e == p || !in_list(known[cat], p, (size_t)(e - p))) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		if (*e == '\0') {
			return 0;
		}
		p = e + 1;
	}
}

/* Is name[0..n) already one of the comma-separated entries of out? */
static bool
list_has(const char *out, const char *name, size_t n)
{
	const char *p = out, *e;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL) {
			e = p + strlen(p);
		}
		if ((size_t)(e - p) == n && memcmp(p, name, n) == 0) {
			return true;
		}
		p = *e == ',' ? e + 1 : e;
	}
	return false;
}

static void
append_name(char *out, const char *name, size_t n)
{
	size_t len = strlen(out);

	if (len > 0) {
		out[len++] = ',';
	}
	memcpy(out + len, name, n);
	out[len + n] = '\0';
}

/* Adds the supported names matching pat[0..n) (a name or a wildcard
 * pattern) to out, in the engine's order, skipping duplicates. */
static void
add_supported(char *out, const char *sup, const char *pat, size_t n)
{
	const char *p = sup, *e;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL) {
			e = p + strlen(p);
		}
		if (match_pattern(p, (size_t)(e - p), pat, n, false) &&
		    !list_has(out, p, (size_t)(e - p))) {
			append_name(out, p, (size_t)(e - p));
		}
		p = *e == ',' ? e + 1 : e;
	}
}

int
sshconfig_algs_resolve(enum sshconfig_alg cat, const char *spec, char **out)
{
	const char *def, *rest, *p, *e;
	char *tmp = NULL, *res = NULL;
	size_t dlen, tlen;
	int ret = 0;

	*out = NULL;
	if ((unsigned)cat >= SSHCONFIG_ALG_COUNT) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	def = defaults[cat];
	dlen = strlen(def);
	if (spec == NULL) {
		spec = def;
	}
	rest = spec[0] == '+' || spec[0] == '-' || spec[0] == '^' ? spec + 1
	                                                          : spec;
	/* tmp: the defaults, a comma, the list, the NUL */
	if (!size_add(dlen, strlen(rest), &tlen) || !size_add(tlen, 2, &tlen)) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	if ((tmp = malloc(tlen)) == NULL || (res = malloc(dlen + 1)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	tmp[0] = res[0] = '\0';
	if (spec[0] == '+') {
		snprintf(tmp, tlen, "%s,%s", def, rest);
	} else if (spec[0] == '^') {
		snprintf(tmp, tlen, "%s,%s", rest, def);
	} else if (spec[0] == '-') {
		/* the defaults minus every name a pattern matches */
		for (p = def; *p != '\0'; p = *e == ',' ? e + 1 : e) {
			e = strchr(p, ',');
			if (e == NULL) {
				e = p + strlen(p);
			}
			if (match_pattern_list(p, (size_t)(e - p), rest,
			                       strlen(rest),
			                       false) != MATCH_POSITIVE) {
				append_name(tmp, p, (size_t)(e - p));
			}
		}
	} else {
		snprintf(tmp, tlen, "%s", rest);
	}
	for (p = tmp; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = strchr(p, ',');
		if (e == NULL) {
			e = p + strlen(p);
		}
		if (e == p) {
			continue;
		}
		if (!match_has_wildcard(p, (size_t)(e - p)) &&
		    !list_has(def, p, (size_t)(e - p))) {
			log_debug("algorithm %.*s not supported by sesh, "
			          "ignored",
			          (int)(e - p), p);
		}
		add_supported(res, def, p, (size_t)(e - p));
	}
	if (res[0] == '\0') {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	*out = res;
	res = NULL;
out:
	free(tmp);
	free(res);
	return ret;
}

struct sbuf {
	char *p;
	size_t len, cap;
};

static int
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	char *q;
	size_t cap;

	if (n > (1u << 20) || b->len + n + 1 > (1u << 20)) {
		return SESH_ERR_LIMIT;
	}
	if (b->len + n + 1 > b->cap) {
		cap = (b->len + n + 1) * 2;
		if ((q = realloc(b->p, cap)) == NULL) {
			return SESH_ERR_NOMEM;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* %C: the SHA-1 of t->C_src in hex, as ssh; computed into t->C_buf the
 * first time. SESH_ERR_INVALID_ARGUMENT without either. */
static int
token_hash(const struct sshconfig_tokens *t, const char **out)
{
	uint8_t dig[HASH_MAX_LEN];
	size_t i;

	if (t->C_src == NULL || t->C_buf == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (t->C_buf[0] == '\0') {
		if (hash_digest(HASH_SHA1, t->C_src, strlen(t->C_src), dig) !=
		    0) {
			return SESH_ERR_CRYPTO;
		}
		for (i = 0; i < 20; i++) {
			snprintf(t->C_buf + 2 * i, 3, "%02x", dig[i]);
		}
	}
	*out = t->C_buf;
	return 0;
}

static const char *
token_value(const struct sshconfig_tokens *t, char k)
{
	switch (k) {
	case 'h':
		return t->h;
	case 'n':
		return t->n;
	case 'p':
		return t->p;
	case 'r':
		return t->r;
	case 'u':
		return t->u;
	case 'd':
		return t->d;
	case 'l':
		return t->l;
	case 'L':
		return t->L;
	case 'i':
		return t->i;
	case 'k':
		return t->k;
	case 'j':
		return t->j;
	default:
		return NULL;
	}
}

int
sshconfig_expand(const char *s, const struct sshconfig_tokens *t,
                 const char *allowed, bool tilde, char **out)
{
	struct sbuf b = {0};
	char *exp = NULL;
	const char *v, *p;
	int ret;

	*out = NULL;
	if (tilde && s[0] == '~') {
		if ((ret = paths_expand_tilde(s, &exp)) != 0) {
			/* "~nosuchuser/": a bad value, like a bad token */
			if (ret != SESH_ERR_NOMEM) {
				ret = SESH_ERR_INVALID_ARGUMENT;
			}
			goto out;
		}
		s = exp;
	}
	if ((ret = sbuf_add(&b, "", 0)) != 0) {
		goto out;
	}
	for (p = s; *p != '\0'; p++) {
		if (*p != '%') {
			size_t run = strcspn(p, "%");
			if ((ret = sbuf_add(&b, p, run)) != 0) {
				goto out;
			}
			p += run - 1;
			continue;
		}
		p++;
		if (*p == '%') {
			ret = sbuf_add(&b, "%", 1);
		} else if (*p == '\0' || strchr(allowed, *p) == NULL) {
			ret = SESH_ERR_INVALID_ARGUMENT;
		} else if (*p == 'C') {
			if ((ret = token_hash(t, &v)) == 0) {
				ret = sbuf_add(&b, v, strlen(v));
			}
		} else if ((v = token_value(t, *p)) == NULL) {
			ret = SESH_ERR_INVALID_ARGUMENT;
		} else {
			ret = sbuf_add(&b, v, strlen(v));
		}
		if (ret != 0) {
			goto out;
		}
	}
	*out = b.p;
	b.p = NULL;
out:
	free(b.p);
	free(exp);
	return ret;
}

int
sshconfig_escape_parse(const char *s, bool fold_none, int *out)
{
	*out = 0;
	if (fold_none ? strcasecmp(s, "none") == 0 : strcmp(s, "none") == 0) {
		*out = CLIENT_ESCAPE_NONE;
	} else if (s[0] != '\0' && s[1] == '\0') {
		*out = (unsigned char)s[0];
	} else if (s[0] == '^' && s[1] != '\0' && s[2] == '\0' &&
	           (unsigned char)s[1] >= 64 && (unsigned char)s[1] < 128) {
		*out = (unsigned char)s[1] & 31;
	} else {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return 0;
}
