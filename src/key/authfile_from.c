/*
 * authfile_from.c - from="pattern-list" matching for authorized_keys
 * (sshd(8) AUTHORIZED_KEYS FILE FORMAT) and the host part of
 * AllowUsers/DenyUsers user@host patterns; contract in authfile.h.
 *
 * The address side: each list entry (optionally '!'-negated) that parses
 * as an address or address/masklen block is compared bitwise with the
 * client's address; an entry with host bits set beyond its mask, or an
 * empty entry, makes the whole list invalid (sshd refuses then); any
 * other entry is a wildcard pattern against the address text. The name
 * side is match_pattern_list() with case folding. A negated match on
 * either side denies; otherwise any positive match allows.
 */
#include "key/authfile.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "base/err.h"
#include "key/match.h"

/* An address as 16 bytes plus its family (4 or 6). */
struct netaddr {
	int fam;
	unsigned char a[16];
};

enum cidr_parse {
	CIDR_OK = 0,
	CIDR_NOT_ADDR,  /* not an address: treat as a wildcard pattern */
	CIDR_HOST_BITS, /* an address block with bits set past its mask */
};

/* Parses s[0..n) as an address; IPv4-mapped IPv6 becomes IPv4. */
static bool
parse_addr(const char *s, size_t n, struct netaddr *out)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
	                                         0, 0, 0, 0, 0xff, 0xff};
	char tmp[INET6_ADDRSTRLEN + 1];
	size_t i;

	if (n == 0 || n >= sizeof(tmp)) {
		return false;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F') || c == '.' || c == ':')) {
			return false;
		}
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, tmp, out->a) == 1) {
		out->fam = 4;
		return true;
	}
	if (inet_pton(AF_INET6, tmp, out->a) == 1) {
		out->fam = 6;
		if (memcmp(out->a, mapped, sizeof(mapped)) == 0) {
			memmove(out->a, out->a + 12, 4);
			memset(out->a + 4, 0, 12);
			out->fam = 4;
		}
		return true;
	}
	return false;
}

/* "addr" or "addr/len" (len decimal, at most the family's width). */
static enum cidr_parse
parse_cidr(const char *s, size_t n, struct netaddr *net, unsigned int *len)
{
	const char *slash = memchr(s, '/', n);
	size_t an = slash != NULL ? (size_t)(slash - s) : n, i;
	unsigned int bits = 0, max;

	if (!parse_addr(s, an, net)) {
		return CIDR_NOT_ADDR;
	}
	max = net->fam == 4 ? 32u : 128u;
	if (slash == NULL) {
		*len = max;
		return CIDR_OK;
	}
	if (an + 1 == n || n - an - 1 > 3) {
		return CIDR_NOT_ADDR;
	}
	for (i = an + 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return CIDR_NOT_ADDR;
		}
		bits = bits * 10 + (unsigned int)(s[i] - '0');
	}
	if (bits > max) {
		return CIDR_NOT_ADDR;
	}
	/* Bits past the mask must be zero ("10.0.0.1/8" is a mistake). */
	for (i = 0; i < max; i++) {
		if (i >= bits && (net->a[i / 8] & (0x80u >> (i % 8))) != 0) {
			return CIDR_HOST_BITS;
		}
	}
	*len = bits;
	return CIDR_OK;
}

static bool
net_contains(const struct netaddr *net, unsigned int len,
             const struct netaddr *a)
{
	unsigned int full = len / 8, rest = len % 8;

	if (net->fam != a->fam) {
		return false;
	}
	if (memcmp(net->a, a->a, full) != 0) {
		return false;
	}
	if (rest != 0) {
		unsigned char mask = (unsigned char)(0xffu << (8 - rest));

		return (net->a[full] & mask) == (a->a[full] & mask);
	}
	return true;
}

/*
 * The address side: MATCH_NONE / MATCH_POSITIVE / MATCH_NEGATED, or
 * SESH_ERR_INVALID_FORMAT for an invalid list.
 */
static int
match_addr_list(const char *addr, const char *list)
{
	struct netaddr a, net;
	bool have_addr, positive = false;
	size_t alen = strlen(addr);
	const char *p = list;

	have_addr = parse_addr(addr, alen, &a);
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		bool neg = n > 0 && p[0] == '!', hit = false;
		const char *e = neg ? p + 1 : p;
		size_t en = neg ? n - 1 : n;
		unsigned int len = 0;

		if (en == 0) {
			return SESH_ERR_INVALID_FORMAT;
		}
		switch (parse_cidr(e, en, &net, &len)) {
		case CIDR_OK:
			hit = have_addr && net_contains(&net, len, &a);
			break;
		case CIDR_HOST_BITS:
			return SESH_ERR_INVALID_FORMAT;
		case CIDR_NOT_ADDR:
			hit = match_pattern(addr, alen, e, en, false);
			break;
		}
		if (hit && neg) {
			return MATCH_NEGATED;
		}
		positive = positive || hit;
		if (comma == NULL) {
			break;
		}
		p = comma + 1;
	}
	return positive ? MATCH_POSITIVE : MATCH_NONE;
}

int
authfile_match_from(const char *patterns, const char *host, const char *addr,
                    bool *ok)
{
	enum match_result mh;
	int ma;

	if (ok != NULL) {
		*ok = false;
	}
	if (patterns == NULL || ok == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (addr == NULL) {
		/* Nothing to test against: deny, after validating. */
		ma = match_addr_list("", patterns);
		return ma < 0 ? ma : 0;
	}
	if ((ma = match_addr_list(addr, patterns)) < 0) {
		return ma;
	}
	if (ma == MATCH_NEGATED) {
		return 0;
	}
	if (host == NULL) {
		host = addr;
	}
	mh = match_pattern_list(host, strlen(host), patterns, strlen(patterns),
	                        true);
	if (mh == MATCH_NEGATED) {
		return 0;
	}
	*ok = mh == MATCH_POSITIVE || ma == MATCH_POSITIVE;
	return 0;
}
