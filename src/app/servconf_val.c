/*
 * servconf_val.c - sshd_config(5) value syntax for seshd: times, flags,
 * integers, ports, byte counts, MaxStartups, ListenAddress, algorithm
 * lists with + - ^ against the engine's defaults, Match Address lists
 * with CIDR, AuthenticationMethods lists. Pure functions (see
 * servconf_int.h); no I/O.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/servconf_int.h"
#include "base/err.h"
#include "base/limits.h"
#include "crypto/cipher.h"
#include "crypto/mac.h"
#include "key/match.h"
#include "ssh/kex.h"
#include "ssh/transport.h"

int
sc_parse_flag(const char *s, int *out)
{
	if (strcasecmp(s, "yes") == 0) {
		*out = 1;
	} else if (strcasecmp(s, "no") == 0) {
		*out = 0;
	} else {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return 0;
}

int
sc_parse_int(const char *s, long long min, long long max, long long *out,
             const char **why)
{
	char *end;
	long long v;

	errno = 0;
	if (*s == '\0' || isspace((unsigned char)*s)) {
		*why = "invalid";
		return SESH_ERR_INVALID_ARGUMENT;
	}
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		*why = "invalid";
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*why = "too small";
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (errno == ERANGE || v > max) {
		*why = "too large";
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = v;
	return 0;
}

int
sc_parse_port(const char *s, unsigned int *out)
{
	long long v;
	const char *why;

	if (sc_parse_int(s, 1, 65535, &v, &why) != 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = (unsigned int)v;
	return 0;
}

int
sc_parse_time(const char *s, int *out)
{
	long long total = 0, v, mult;
	const char *p = s;
	char *end;

	if (*p == '\0') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p)) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0 || v > INT_MAX) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		switch (*end) {
		case '\0':
			mult = 1;
			break;
		case 's':
		case 'S':
			mult = 1;
			end++;
			break;
		case 'm':
		case 'M':
			mult = 60;
			end++;
			break;
		case 'h':
		case 'H':
			mult = 3600;
			end++;
			break;
		case 'd':
		case 'D':
			mult = 86400;
			end++;
			break;
		case 'w':
		case 'W':
			mult = 604800;
			end++;
			break;
		default:
			return SESH_ERR_INVALID_ARGUMENT;
		}
		total += v * mult;
		if (total > INT_MAX) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		p = end;
	}
	*out = (int)total;
	return 0;
}

int
sc_parse_bytes(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (strcasecmp(s, "default") == 0) {
		*out = 0;
		return 0;
	}
	if (!isdigit((unsigned char)*s)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1024;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1024 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1024ull * 1024 * 1024;
		end++;
		break;
	default:
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (*end != '\0' || v > UINT64_MAX / mult) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = (uint64_t)v * mult;
	return 0;
}

int
sc_parse_maxstartups(const char *s, int *begin, int *rate, int *full)
{
	long long b, r, f;
	const char *why;
	char tmp[64];
	char *c1, *c2;

	if (strlen(s) >= sizeof(tmp)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memcpy(tmp, s, strlen(s) + 1);
	c1 = strchr(tmp, ':');
	if (c1 == NULL) {
		if (sc_parse_int(tmp, 1, INT_MAX, &b, &why) != 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		*begin = (int)b;
		*rate = 100;
		*full = (int)b;
		return 0;
	}
	*c1++ = '\0';
	c2 = strchr(c1, ':');
	if (c2 == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*c2++ = '\0';
	if (sc_parse_int(tmp, 1, INT_MAX, &b, &why) != 0 ||
	    sc_parse_int(c1, 1, 100, &r, &why) != 0 ||
	    sc_parse_int(c2, 1, INT_MAX, &f, &why) != 0 || b > f) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*begin = (int)b;
	*rate = (int)r;
	*full = (int)f;
	return 0;
}

/* s starts with prefix: the rest, else NULL. */
static const char *
after_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

int
sc_parse_penalties(char *const *args, size_t n, struct penalty_conf *out,
                   const char **why)
{
	static const char *const kinds[PENALTY_NKINDS] = {
	    "crash:", "authfail:", "invaliduser:", "noauth:", "grace-exceeded:",
	};
	struct penalty_conf pc;
	bool overflow6_set = false;
	const char *v;
	long long ll;
	size_t i;
	int k, secs, mode;

	penalty_conf_default(&pc);
	*why = NULL;
	if (n == 1 && strcmp(args[0], "no") == 0) {
		pc.enabled = false;
		*out = pc;
		return 0;
	}
	for (i = 0; i < n; i++) {
		const char *a = args[i];

		if (strcmp(a, "yes") == 0) {
			continue;
		}
		for (k = 0; k < PENALTY_NKINDS; k++) {
			if ((v = after_prefix(a, kinds[k])) != NULL) {
				break;
			}
		}
		if (k < PENALTY_NKINDS ||
		    (v = after_prefix(a, "max:")) != NULL ||
		    (v = after_prefix(a, "min:")) != NULL) {
			if (sc_parse_time(v, &secs) != 0) {
				*why = "invalid time value";
				return SESH_ERR_INVALID_ARGUMENT;
			}
			if (k < PENALTY_NKINDS) {
				pc.duration[k] = secs;
			} else if (a[1] == 'a') {
				pc.max = secs;
			} else {
				pc.min = secs;
			}
		} else if ((v = after_prefix(a, "max-sources4:")) != NULL ||
		           (v = after_prefix(a, "max-sources6:")) != NULL) {
			if (sc_parse_int(v, 1, PENALTY_MAX_SOURCES_LIMIT, &ll,
			                 why) != 0) {
				return SESH_ERR_INVALID_ARGUMENT;
			}
			if (a[11] == '4') {
				pc.max_sources4 = (unsigned int)ll;
			} else {
				pc.max_sources6 = (unsigned int)ll;
			}
		} else if ((v = after_prefix(a, "overflow:")) != NULL ||
		           (v = after_prefix(a, "overflow6:")) != NULL) {
			if (strcmp(v, "deny-all") == 0) {
				mode = PENALTY_OVERFLOW_DENY_ALL;
			} else if (strcmp(v, "permissive") == 0) {
				mode = PENALTY_OVERFLOW_PERMISSIVE;
			} else {
				*why = "unsupported overflow mode";
				return SESH_ERR_INVALID_ARGUMENT;
			}
			if (a[8] == '6') {
				pc.overflow6 = (enum penalty_overflow)mode;
				overflow6_set = true;
			} else {
				pc.overflow4 = (enum penalty_overflow)mode;
			}
		} else {
			*why = "unsupported argument";
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	if (!overflow6_set) {
		pc.overflow6 = pc.overflow4;
	}
	*out = pc;
	return 0;
}

int
sc_parse_netblock(const char *s, int *v4, int *v6)
{
	long long a, b = 128;
	const char *why;
	char tmp[16];
	char *colon;

	if (strlen(s) >= sizeof(tmp)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memcpy(tmp, s, strlen(s) + 1);
	if ((colon = strchr(tmp, ':')) != NULL) {
		*colon++ = '\0';
		if (sc_parse_int(colon, 0, 128, &b, &why) != 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	if (sc_parse_int(tmp, 0, 32, &a, &why) != 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*v4 = (int)a;
	*v6 = (int)b;
	return 0;
}

int
sc_parse_listen(const char *s, char **host, unsigned int *port)
{
	const char *h = s, *colon;
	size_t hl;
	unsigned int p = 0;
	char *copy;

	if (*s == '\0') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close == s + 1) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		h = s + 1;
		hl = (size_t)(close - h);
		if (close[1] == ':') {
			if (sc_parse_port(close + 2, &p) != 0) {
				return SESH_ERR_LIMIT; /* bad port number */
			}
		} else if (close[1] != '\0') {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			hl = (size_t)(colon - s);
			if (hl == 0) {
				return SESH_ERR_INVALID_ARGUMENT;
			}
			if (sc_parse_port(colon + 1, &p) != 0) {
				return SESH_ERR_LIMIT;
			}
		} else {
			hl = strlen(s); /* a name, IPv4, or bare IPv6 */
		}
	}
	copy = strndup(h, hl);
	if (copy == NULL) {
		return SESH_ERR_NOMEM;
	}
	*host = copy;
	*port = p;
	return 0;
}

/* Every name each family accepts, defaults first (then extras that the
 * registries know). */
static const char *const all_kex = TRANSPORT_DEFAULT_KEX
    ",diffie-hellman-group14-sha1,"
    "diffie-hellman-group1-sha1,diffie-hellman-group-exchange-sha256,"
    "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,"
    "mlkem768x25519-sha256";
static const char *const all_cipher =
    TRANSPORT_DEFAULT_CIPHERS ",aes128-cbc,aes192-cbc,aes256-cbc,3des-cbc";
static const char *const all_mac =
    TRANSPORT_DEFAULT_MACS ",hmac-sha1-etm@openssh.com,hmac-sha1,"
                           "umac-64-etm@openssh.com,umac-128-etm@openssh.com,"
                           "umac-64@openssh.com,umac-128@openssh.com";
static const char *const all_key = TRANSPORT_DEFAULT_HOSTKEY ",ssh-rsa";

/* seshd's own defaults for KexAlgorithms and HostKeyAlgorithms: the
 * engine's (which the client keeps, like OpenSSH's ssh) without the
 * NIST-curve ECDH exchanges and ECDSA host keys, which ssh-audit marks
 * as failures ("using weak elliptic curves"). Both stay in all_kex and
 * all_key, so "KexAlgorithms +ecdh-sha2-nistp256" and
 * "HostKeyAlgorithms +ecdsa-sha2-nistp256" bring them back; an ECDSA
 * host key (sesh-keygen -A makes one) is loaded but not offered unless
 * so configured. See docs/hardening.md. */
#define SC_SERVER_DEFAULT_KEX                                                  \
	"mlkem768x25519-sha256,sntrup761x25519-sha512,"                        \
	"sntrup761x25519-sha512@openssh.com,"                                  \
	"curve25519-sha256,curve25519-sha256@libssh.org,"                      \
	"diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"         \
	"diffie-hellman-group14-sha256"
#define SC_SERVER_DEFAULT_HOSTKEY "ssh-ed25519,rsa-sha2-512,rsa-sha2-256"

const char *
sc_alg_default(enum sc_alg which)
{
	switch (which) {
	case SC_ALG_KEX:
		return SC_SERVER_DEFAULT_KEX;
	case SC_ALG_CIPHER:
		return TRANSPORT_DEFAULT_CIPHERS;
	case SC_ALG_MAC:
		return TRANSPORT_DEFAULT_MACS;
	case SC_ALG_HOSTKEY:
		return SC_SERVER_DEFAULT_HOSTKEY;
	case SC_ALG_PUBKEY:
		return TRANSPORT_SERVER_SIG_ALGS;
	}
	return "";
}

static bool
alg_supported(enum sc_alg which, const char *name, size_t n)
{
	const char *all = all_key;
	size_t len;
	const char *p;

	switch (which) {
	case SC_ALG_KEX:
		return kex_method_by_name_n(name, n) != NULL;
	case SC_ALG_CIPHER:
		return cipher_by_name_n(name, n) != NULL;
	case SC_ALG_MAC:
		return mac_by_name_n(name, n) != NULL;
	case SC_ALG_HOSTKEY:
	case SC_ALG_PUBKEY:
		break;
	}
	for (p = all; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len == n && memcmp(p, name, n) == 0) {
			return true;
		}
	}
	return false;
}

static const char *
alg_all(enum sc_alg which)
{
	switch (which) {
	case SC_ALG_KEX:
		return all_kex;
	case SC_ALG_CIPHER:
		return all_cipher;
	case SC_ALG_MAC:
		return all_mac;
	default:
		return all_key;
	}
}

/* A growing comma list without duplicates. */
struct namelist {
	char *s;
	size_t len;
};

static bool
nl_has(const struct namelist *l, const char *name, size_t n)
{
	const char *p;
	size_t len;

	if (l->s == NULL) {
		return false;
	}
	for (p = l->s; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len == n && memcmp(p, name, n) == 0) {
			return true;
		}
	}
	return false;
}

static int
nl_add(struct namelist *l, const char *name, size_t n)
{
	char *t;

	if (n == 0 || nl_has(l, name, n)) {
		return 0;
	}
	if (l->len + n + 2 > SESH_MAX_NAMELIST) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	t = realloc(l->s, l->len + n + 2);
	if (t == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (l->len > 0) {
		t[l->len++] = ',';
	}
	memcpy(t + l->len, name, n);
	l->len += n;
	t[l->len] = '\0';
	l->s = t;
	return 0;
}

/*
 * Adds to l every name of 'spec' (a comma list, patterns allowed,
 * resolved against the family's full list in its order). Unknown plain
 * names and patterns that match nothing are errors.
 */
static int
nl_add_spec(struct namelist *l, enum sc_alg which, const char *spec)
{
	const char *p, *q, *all = alg_all(which);
	size_t len, qlen;
	bool any;
	int ret;

	for (p = spec; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len == 0 || len > SESH_MAX_NAME * 4) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		if (!match_has_wildcard(p, len)) {
			if (!alg_supported(which, p, len)) {
				return SESH_ERR_INVALID_ARGUMENT;
			}
			if ((ret = nl_add(l, p, len)) != 0) {
				return ret;
			}
			continue;
		}
		any = false;
		for (q = all; *q != '\0'; q += qlen + (q[qlen] == ',')) {
			qlen = strcspn(q, ",");
			if (!alg_supported(which, q, qlen) ||
			    match_pattern_list(q, qlen, p, len, false) !=
			        MATCH_POSITIVE) {
				continue;
			}
			any = true;
			if ((ret = nl_add(l, q, qlen)) != 0) {
				return ret;
			}
		}
		if (!any) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	return 0;
}

int
sc_alg_list(enum sc_alg which, const char *spec, char **out)
{
	struct namelist l = {0};
	const char *def = sc_alg_default(which), *p;
	size_t len;
	int ret = 0;

	if (*spec == '\0') {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	switch (spec[0]) {
	case '+':
		if ((ret = nl_add_spec(&l, which, def)) != 0 ||
		    (ret = nl_add_spec(&l, which, spec + 1)) != 0) {
			goto out;
		}
		break;
	case '^':
		if ((ret = nl_add_spec(&l, which, spec + 1)) != 0 ||
		    (ret = nl_add_spec(&l, which, def)) != 0) {
			goto out;
		}
		break;
	case '-':
		if (spec[1] == '\0') {
			ret = SESH_ERR_INVALID_ARGUMENT;
			goto out;
		}
		for (p = def; *p != '\0'; p += len + (p[len] == ',')) {
			len = strcspn(p, ",");
			if (match_pattern_list(p, len, spec + 1,
			                       strlen(spec + 1),
			                       false) == MATCH_POSITIVE) {
				continue;
			}
			if ((ret = nl_add(&l, p, len)) != 0) {
				goto out;
			}
		}
		if (l.s == NULL) {
			ret = SESH_ERR_INVALID_ARGUMENT; /* nothing left */
			goto out;
		}
		break;
	default:
		if ((ret = nl_add_spec(&l, which, spec)) != 0) {
			goto out;
		}
		break;
	}
	*out = l.s;
	l.s = NULL;
out:
	free(l.s);
	return ret;
}

/* Parses "addr" or "addr/bits" into family, 16 bytes and prefix bits. */
static int
cidr_parse(const char *s, size_t n, int *family, unsigned char *a,
           unsigned int *bits)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	char *slash;
	long long b;
	const char *why;
	unsigned int max;

	if (n == 0 || n >= sizeof(tmp)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	slash = strchr(tmp, '/');
	if (slash != NULL) {
		*slash++ = '\0';
	}
	memset(a, 0, 16);
	if (inet_pton(AF_INET, tmp, a) == 1) {
		*family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, tmp, a) == 1) {
		*family = AF_INET6;
		max = 128;
	} else {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*bits = max;
	if (slash != NULL) {
		if (sc_parse_int(slash, 0, max, &b, &why) != 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		*bits = (unsigned int)b;
	}
	/* sshd refuses host bits set past the prefix ("1.2.3.4/8"). */
	for (unsigned int i = *bits; i < max; i++) {
		if (a[i / 8] & (0x80 >> (i % 8))) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	return 0;
}

static bool
cidr_contains(int fam, const unsigned char *net, unsigned int bits, int afam,
              const unsigned char *a)
{
	unsigned int i;

	if (fam != afam) {
		return false;
	}
	for (i = 0; i < bits; i++) {
		unsigned char m = (unsigned char)(0x80 >> (i % 8));

		if ((net[i / 8] & m) != (a[i / 8] & m)) {
			return false;
		}
	}
	return true;
}

int
sc_addr_match_list(const char *addr, const char *list)
{
	unsigned char a[16], net[16];
	int afam = 0, fam;
	unsigned int abits, bits;
	const char *p, *e;
	size_t len;
	bool neg, pos = false, negm = false, is_pat;

	if (addr != NULL &&
	    cidr_parse(addr, strlen(addr), &afam, a, &abits) != 0) {
		afam = 0; /* not numeric: only patterns can match */
	}
	for (p = list; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		e = p;
		neg = len > 0 && *e == '!';
		if (neg) {
			e++;
		}
		if (len == 0 || (neg && len == 1)) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		is_pat = memchr(e, '*', len - neg) != NULL ||
		         memchr(e, '?', len - neg) != NULL;
		if (is_pat) {
			if (addr == NULL ||
			    !match_pattern(addr, strlen(addr), e, len - neg,
			                   true)) {
				continue;
			}
		} else {
			if (cidr_parse(e, len - neg, &fam, net, &bits) != 0) {
				return SESH_ERR_INVALID_ARGUMENT;
			}
			if (afam == 0 ||
			    !cidr_contains(fam, net, bits, afam, a)) {
				continue;
			}
		}
		if (neg) {
			negm = true;
		} else {
			pos = true;
		}
	}
	return (pos && !negm) ? 1 : 0;
}

static bool
method_ok(const char *m, size_t n)
{
	static const char *const names[] = {"publickey", "password",
	                                    "keyboard-interactive"};
	size_t i, l;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		l = strlen(names[i]);
		if (n == l && memcmp(m, names[i], l) == 0) {
			return true;
		}
		/* keyboard-interactive:pam (a submethod) */
		if (i == 2 && n > l + 1 && memcmp(m, names[i], l) == 0 &&
		    m[l] == ':') {
			return true;
		}
	}
	return false;
}

int
sc_check_auth_methods(char *const *v, size_t n, const char **why)
{
	size_t i, len;
	const char *p;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i], "any") == 0) {
			if (n != 1) {
				*why = "\"any\" must appear alone in "
				       "AuthenticationMethods";
				return SESH_ERR_INVALID_ARGUMENT;
			}
			continue;
		}
		for (p = v[i];; p += len + 1) {
			len = strcspn(p, ",");
			if (!method_ok(p, len)) {
				*why = "invalid AuthenticationMethods method "
				       "list.";
				return SESH_ERR_INVALID_ARGUMENT;
			}
			if (p[len] == '\0') {
				break;
			}
		}
	}
	return 0;
}
