/*
 * penalty.c - per-source penalties (see penalty.h): the netblock table,
 * the exempt list and the -T formatting of PerSourcePenalties.
 *
 * The table is a chained hash table over one entry pool. Entries are
 * found by their masked address; chains and the free list link entries
 * by index. Expired entries are dropped lazily (when looked up) and in a
 * sweep when a family's table is full.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/penalty.h"
#include "base/err.h"
#include "base/mem.h"
#include "key/match.h"

#define NIL            UINT32_MAX
#define MIN_BUCKETS    16u
#define EXEMPT_ELEMLEN 64u /* "ffff:...:ffff/128" fits; longer: bad */

/* ------------------------------------------------------------ config */

static const char *const kind_names[PENALTY_NKINDS] = {
    "crash", "authfail", "invaliduser", "noauth", "grace-exceeded",
};

static const char *const kind_reasons[PENALTY_NKINDS] = {
    "caused crash",
    "failed authentication",
    "invalid user",
    "connections without attempting authentication",
    "exceeded LoginGraceTime",
};

void
penalty_conf_default(struct penalty_conf *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->enabled = true;
	pc->duration[PENALTY_CRASH] = 90;
	pc->duration[PENALTY_AUTHFAIL] = 5;
	pc->duration[PENALTY_INVALIDUSER] = 5;
	pc->duration[PENALTY_NOAUTH] = 1;
	pc->duration[PENALTY_GRACE] = 20;
	pc->max = 600;
	pc->min = 15;
	pc->max_sources4 = 65536;
	pc->max_sources6 = 65536;
	pc->overflow4 = PENALTY_OVERFLOW_PERMISSIVE;
	pc->overflow6 = PENALTY_OVERFLOW_PERMISSIVE;
}

const char *
penalty_kind_name(enum penalty_kind k)
{
	return (unsigned int)k < PENALTY_NKINDS ? kind_names[k] : "unknown";
}

const char *
penalty_kind_reason(enum penalty_kind k)
{
	return (unsigned int)k < PENALTY_NKINDS ? kind_reasons[k] : "unknown";
}

static const char *
overflow_name(enum penalty_overflow o)
{
	return o == PENALTY_OVERFLOW_DENY_ALL ? "deny-all" : "permissive";
}

int
penalty_conf_format(const struct penalty_conf *pc, char *buf, size_t n)
{
	size_t off = 0;
	int w, i;

	if (n == 0) {
		return SESH_ERR_LIMIT;
	}
	buf[0] = '\0';
	if (!pc->enabled) {
		w = snprintf(buf, n, "no");
		return (w < 0 || (size_t)w >= n) ? SESH_ERR_LIMIT : 0;
	}
	for (i = 0; i < PENALTY_NKINDS; i++) {
		w = snprintf(buf + off, n - off, "%s%s:%d", i ? " " : "",
		             kind_names[i], pc->duration[i]);
		if (w < 0 || (size_t)w >= n - off) {
			return SESH_ERR_LIMIT;
		}
		off += (size_t)w;
	}
	w = snprintf(buf + off, n - off,
	             " max:%d min:%d max-sources4:%u max-sources6:%u "
	             "overflow:%s overflow6:%s",
	             pc->max, pc->min, pc->max_sources4, pc->max_sources6,
	             overflow_name(pc->overflow4),
	             overflow_name(pc->overflow6));
	if (w < 0 || (size_t)w >= n - off) {
		return SESH_ERR_LIMIT;
	}
	return 0;
}

/* --------------------------------------------------------- addresses */

static void
addr_v4(struct penalty_addr *out, const void *four)
{
	memset(out, 0, sizeof(*out));
	out->family = 4;
	memcpy(out->a, four, 4);
}

static void
addr_v6(struct penalty_addr *out, const uint8_t *sixteen)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
	                                   0, 0, 0, 0, 0xff, 0xff};

	if (memcmp(sixteen, mapped, sizeof(mapped)) == 0) {
		addr_v4(out, sixteen + 12);
		return;
	}
	memset(out, 0, sizeof(*out));
	out->family = 6;
	memcpy(out->a, sixteen, 16);
}

int
penalty_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
                           struct penalty_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (sa->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const void *)sa;

		addr_v4(out, &s4->sin_addr);
		return 0;
	}
	if (sa->sa_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		addr_v6(out, s6->sin6_addr.s6_addr);
		return 0;
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

int
penalty_addr_parse(const char *s, struct penalty_addr *out)
{
	uint8_t b[16];

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, b) == 1) {
		addr_v4(out, b);
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		addr_v6(out, b);
		return 0;
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

/* out = a with only its first bits bits kept. */
static void
addr_mask(struct penalty_addr *out, const struct penalty_addr *a,
          unsigned int bits)
{
	unsigned int i, len = a->family == 4 ? 4u : 16u;

	memset(out, 0, sizeof(*out));
	out->family = a->family;
	if (bits > len * 8) {
		bits = len * 8;
	}
	for (i = 0; i < len; i++) {
		if (bits >= 8) {
			out->a[i] = a->a[i];
			bits -= 8;
		} else {
			out->a[i] = (uint8_t)(a->a[i] & (0xff00u >> bits));
			bits = 0;
		}
	}
}

bool
penalty_same_block(const struct penalty_addr *a, const struct penalty_addr *b,
                   unsigned int bits4, unsigned int bits6)
{
	struct penalty_addr ma, mb;
	unsigned int bits = a->family == 4 ? bits4 : bits6;

	if (a->family != b->family) {
		return false;
	}
	addr_mask(&ma, a, bits);
	addr_mask(&mb, b, bits);
	return memcmp(&ma, &mb, sizeof(ma)) == 0;
}

/* -------------------------------------------------------- exempt list */

struct exempt_elem {
	bool neg;
	bool is_pat;
	struct penalty_addr net; /* masked to bits */
	unsigned int bits;
	char *pat; /* patterns: NUL-terminated copy */
};

struct penalty_exempt {
	struct exempt_elem *v;
	size_t n;
};

void
penalty_exempt_free(struct penalty_exempt *ex)
{
	size_t i;

	if (ex == NULL) {
		return;
	}
	for (i = 0; i < ex->n; i++) {
		free(ex->v[i].pat);
	}
	free(ex->v);
	free(ex);
}

/* "addr" or "addr/bits" (s[0..n), no wildcard) into e. */
static int
parse_cidr(const char *s, size_t n, struct exempt_elem *e, const char **why)
{
	char buf[EXEMPT_ELEMLEN + 1];
	struct penalty_addr a, m;
	const char *slash;
	unsigned long bits;
	size_t alen, i;
	uint8_t raw[16];
	int fam;

	if (n > EXEMPT_ELEMLEN) {
		*why = "address too long";
		return SESH_ERR_INVALID_ARGUMENT;
	}
	slash = memchr(s, '/', n);
	alen = slash != NULL ? (size_t)(slash - s) : n;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, buf, raw) == 1) {
		fam = 4;
		addr_v4(&a, raw);
	} else if (inet_pton(AF_INET6, buf, raw) == 1) {
		fam = 6;
		a.family = 6;
		memcpy(a.a, raw, 16);
	} else {
		*why = "invalid address";
		return SESH_ERR_INVALID_ARGUMENT;
	}
	bits = fam == 4 ? 32 : 128;
	if (slash != NULL) {
		size_t dl = n - alen - 1;

		if (dl == 0 || dl > 3) {
			*why = "invalid mask length";
			return SESH_ERR_INVALID_ARGUMENT;
		}
		bits = 0;
		for (i = 0; i < dl; i++) {
			char ch = slash[1 + i];

			if (ch < '0' || ch > '9') {
				*why = "invalid mask length";
				return SESH_ERR_INVALID_ARGUMENT;
			}
			bits = bits * 10 + (unsigned long)(ch - '0');
		}
		if (bits > (fam == 4 ? 32u : 128u)) {
			*why = "mask length too long for the address";
			return SESH_ERR_INVALID_ARGUMENT;
		}
		addr_mask(&m, &a, (unsigned int)bits);
		if (memcmp(&m, &a, sizeof(m)) != 0) {
			*why = "address has bits set beyond the mask length";
			return SESH_ERR_INVALID_ARGUMENT;
		}
	} else if (fam == 6) {
		/* a lone IPv4-mapped address means the IPv4 one */
		addr_v6(&a, raw);
		bits = a.family == 4 ? 32 : 128;
	}
	e->net = a;
	e->bits = (unsigned int)bits;
	return 0;
}

int
penalty_exempt_parse(const char *list, size_t n, struct penalty_exempt **out,
                     const char **why)
{
	struct penalty_exempt *ex;
	const char *p = list, *end = list + n, *comma;
	size_t len, cap = 0;
	int ret = SESH_ERR_NOMEM;

	*out = NULL;
	*why = "out of memory";
	if ((ex = calloc(1, sizeof(*ex))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (n == 0 || memchr(list, '\0', n) != NULL) {
		*why = "empty or malformed list";
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	for (;;) {
		struct exempt_elem *e;

		comma = memchr(p, ',', (size_t)(end - p));
		len = comma != NULL ? (size_t)(comma - p) : (size_t)(end - p);
		if (ex->n >= PENALTY_MAX_EXEMPT) {
			*why = "too many entries";
			ret = SESH_ERR_LIMIT;
			goto out;
		}
		if (ex->n == cap) {
			size_t ncap = cap == 0 ? 4 : cap * 2;
			struct exempt_elem *nv;

			nv = realloc(ex->v, ncap * sizeof(*nv));
			if (nv == NULL) {
				goto out;
			}
			ex->v = nv;
			cap = ncap;
		}
		e = &ex->v[ex->n];
		memset(e, 0, sizeof(*e));
		if (len > 0 && *p == '!') {
			e->neg = true;
			p++;
			len--;
		}
		if (len == 0) {
			*why = "empty entry";
			ret = SESH_ERR_INVALID_ARGUMENT;
			goto out;
		}
		if (match_has_wildcard(p, len)) {
			if (memchr(p, '!', len) != NULL) {
				*why = "misplaced '!'";
				ret = SESH_ERR_INVALID_ARGUMENT;
				goto out;
			}
			e->is_pat = true;
			if ((e->pat = malloc(len + 1)) == NULL) {
				goto out;
			}
			memcpy(e->pat, p, len);
			e->pat[len] = '\0';
		} else if ((ret = parse_cidr(p, len, e, why)) != 0) {
			goto out;
		}
		ex->n++;
		if (comma == NULL) {
			break;
		}
		p = comma + 1;
	}
	*out = ex;
	ex = NULL;
	*why = NULL;
	ret = 0;
out:
	penalty_exempt_free(ex);
	return ret;
}

static bool
elem_match(const struct exempt_elem *e, const struct penalty_addr *a,
           const char *text)
{
	struct penalty_addr m;

	if (e->is_pat) {
		return text[0] != '\0' &&
		       match_pattern(text, strlen(text), e->pat, strlen(e->pat),
		                     true);
	}
	if (e->net.family != a->family) {
		return false;
	}
	addr_mask(&m, a, e->bits);
	return memcmp(&m, &e->net, sizeof(m)) == 0;
}

bool
penalty_exempt_match(const struct penalty_exempt *ex,
                     const struct penalty_addr *a)
{
	char text[INET6_ADDRSTRLEN] = "";
	bool pos = false;
	size_t i;

	if (ex == NULL || (a->family != 4 && a->family != 6)) {
		return false;
	}
	for (i = 0; i < ex->n; i++) {
		if (ex->v[i].is_pat && text[0] == '\0' &&
		    inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, text,
		              sizeof(text)) == NULL) {
			text[0] = '\0';
		}
		if (!elem_match(&ex->v[i], a, text)) {
			continue;
		}
		if (ex->v[i].neg) {
			return false;
		}
		pos = true;
	}
	return pos;
}

/* -------------------------------------------------------------- table */

struct pent {
	struct penalty_addr key; /* masked */
	int64_t end_ms;
	uint32_t next; /* chain, or the free list */
	uint8_t kind;
	bool active;
	bool used;
};

struct penalty_table {
	struct penalty_conf conf;
	struct penalty_exempt *exempt;
	unsigned int bits4, bits6;
	uint64_t seed[2];
	struct pent *ents;
	uint32_t nents, cap, free_head;
	uint32_t *buckets;
	uint32_t nbuckets;       /* a power of two */
	size_t count[2];         /* [0] IPv4, [1] IPv6 */
	int64_t overflow_end[2]; /* deny-all: refuse until then */
};

static int
fam_idx(int family)
{
	return family == 4 ? 0 : 1;
}

static size_t
fam_max(const struct penalty_table *t, int fi)
{
	return fi == 0 ? t->conf.max_sources4 : t->conf.max_sources6;
}

/* A 64-bit finaliser (xor-shift-multiply rounds) of a combined with b. */
static uint64_t
mix(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ ((b << 23) | (b >> 41));

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x ^ b;
}

/* A seeded hash of the 17 key bytes (the seed is secret, so chosen
 * source addresses cannot aim at one chain). */
static uint32_t
key_hash(const struct penalty_table *t, const struct penalty_addr *k)
{
	uint64_t w0, w1, h;

	memcpy(&w0, k->a, 8);
	memcpy(&w1, k->a + 8, 8);
	h = mix(w0 ^ t->seed[0], w1 ^ t->seed[1] ^ 0x9e3779b97f4a7c15ull);
	h = mix(h ^ k->family ^ t->seed[1], 0xbf58476d1ce4e5b9ull ^ t->seed[0]);
	return (uint32_t)(h ^ (h >> 32)) & (t->nbuckets - 1);
}

int
penalty_table_new(const struct penalty_conf *pc, const char *exempt_list,
                  unsigned int bits4, unsigned int bits6, uint64_t seed,
                  struct penalty_table **out)
{
	struct penalty_table *t;
	const char *why;
	uint32_t i;
	int ret;

	*out = NULL;
	if (bits4 > 32 || bits6 > 128) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	t->conf = *pc;
	if (t->conf.max_sources4 > PENALTY_MAX_SOURCES_LIMIT) {
		t->conf.max_sources4 = PENALTY_MAX_SOURCES_LIMIT;
	}
	if (t->conf.max_sources6 > PENALTY_MAX_SOURCES_LIMIT) {
		t->conf.max_sources6 = PENALTY_MAX_SOURCES_LIMIT;
	}
	t->bits4 = bits4;
	t->bits6 = bits6;
	t->seed[0] = seed;
	t->seed[1] = mix(seed ^ 0x94d049bb133111ebull, 0x2545f4914f6cdd1dull);
	t->free_head = NIL;
	t->nbuckets = MIN_BUCKETS;
	t->buckets = mem_array(t->nbuckets, sizeof(*t->buckets));
	if (t->buckets == NULL) {
		ret = SESH_ERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < t->nbuckets; i++) {
		t->buckets[i] = NIL;
	}
	if (exempt_list != NULL &&
	    (ret = penalty_exempt_parse(exempt_list, strlen(exempt_list),
	                                &t->exempt, &why)) != 0) {
		goto fail;
	}
	*out = t;
	return 0;
fail:
	penalty_table_free(t);
	return ret;
}

void
penalty_table_free(struct penalty_table *t)
{
	if (t == NULL) {
		return;
	}
	penalty_exempt_free(t->exempt);
	free(t->ents);
	free(t->buckets);
	free(t);
}

bool
penalty_enabled(const struct penalty_table *t)
{
	return t != NULL && t->conf.enabled;
}

size_t
penalty_count(const struct penalty_table *t, int family)
{
	return t->count[fam_idx(family)];
}

static uint32_t
find(const struct penalty_table *t, const struct penalty_addr *k)
{
	uint32_t i;

	for (i = t->buckets[key_hash(t, k)]; i != NIL; i = t->ents[i].next) {
		if (memcmp(&t->ents[i].key, k, sizeof(*k)) == 0) {
			return i;
		}
	}
	return NIL;
}

static void
remove_ent(struct penalty_table *t, uint32_t idx)
{
	uint32_t *pp = &t->buckets[key_hash(t, &t->ents[idx].key)];

	while (*pp != NIL && *pp != idx) {
		pp = &t->ents[*pp].next;
	}
	if (*pp == idx) {
		*pp = t->ents[idx].next;
	}
	t->count[fam_idx(t->ents[idx].key.family)]--;
	memset(&t->ents[idx], 0, sizeof(t->ents[idx]));
	t->ents[idx].next = t->free_head;
	t->free_head = idx;
}

/* Doubles the bucket array (rehash); false without memory (the table
 * still works, with longer chains). */
static bool
grow_buckets(struct penalty_table *t)
{
	uint32_t nb = t->nbuckets * 2, i, *b;

	if (nb == 0 || nb > (1u << 26)) {
		return false;
	}
	if ((b = mem_array(nb, sizeof(*b))) == NULL) {
		return false;
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
	for (i = 0; i < nb; i++) {
		b[i] = NIL;
	}
	for (i = 0; i < t->nents; i++) {
		if (t->ents[i].used) {
			uint32_t h = key_hash(t, &t->ents[i].key);

			t->ents[i].next = b[h];
			b[h] = i;
		}
	}
	return true;
}

/* A fresh entry for k (not yet present); NIL without memory. */
static uint32_t
insert(struct penalty_table *t, const struct penalty_addr *k)
{
	uint32_t idx, h;
	size_t total = t->count[0] + t->count[1];

	if (total + 1 > t->nbuckets) {
		(void)grow_buckets(t);
	}
	if (t->free_head != NIL) {
		idx = t->free_head;
		t->free_head = t->ents[idx].next;
	} else {
		if (t->nents == t->cap) {
			uint32_t ncap = t->cap == 0 ? 16 : t->cap * 2;
			struct pent *ne;

			if (ncap < t->cap ||
			    ncap > 2 * PENALTY_MAX_SOURCES_LIMIT) {
				return NIL;
			}
			ne = mem_array(ncap, sizeof(*ne));
			if (ne == NULL) {
				return NIL;
			}
			if (t->nents > 0) {
				memcpy(ne, t->ents, t->nents * sizeof(*ne));
			}
			free(t->ents);
			t->ents = ne;
			t->cap = ncap;
		}
		idx = t->nents++;
	}
	memset(&t->ents[idx], 0, sizeof(t->ents[idx]));
	t->ents[idx].key = *k;
	t->ents[idx].used = true;
	h = key_hash(t, k);
	t->ents[idx].next = t->buckets[h];
	t->buckets[h] = idx;
	t->count[fam_idx(k->family)]++;
	return idx;
}

/* Drops the family's ended entries; returns the entry of the family
 * that ends soonest (NIL: none left). */
static uint32_t
sweep(struct penalty_table *t, int fi, int64_t now_ms)
{
	uint32_t i, soonest = NIL;

	for (i = 0; i < t->nents; i++) {
		struct pent *e = &t->ents[i];

		if (!e->used || fam_idx(e->key.family) != fi) {
			continue;
		}
		if (e->end_ms <= now_ms) {
			remove_ent(t, i);
			continue;
		}
		if (soonest == NIL || e->end_ms < t->ents[soonest].end_ms) {
			soonest = i;
		}
	}
	return soonest;
}

static void
key_of(const struct penalty_table *t, const struct penalty_addr *a,
       struct penalty_addr *k)
{
	addr_mask(k, a, a->family == 4 ? t->bits4 : t->bits6);
}

enum penalty_outcome
penalty_record(struct penalty_table *t, const struct penalty_addr *a,
               enum penalty_kind kind, int64_t now_ms, int *secs)
{
	struct penalty_addr k;
	struct pent *e;
	uint32_t idx;
	int64_t d, cap;
	int fi;

	if (secs != NULL) {
		*secs = 0;
	}
	if (t == NULL || !t->conf.enabled ||
	    (unsigned int)kind >= PENALTY_NKINDS ||
	    (a->family != 4 && a->family != 6) || t->conf.duration[kind] <= 0 ||
	    penalty_exempt_match(t->exempt, a)) {
		return PENALTY_IGNORED;
	}
	fi = fam_idx(a->family);
	key_of(t, a, &k);
	idx = find(t, &k);
	if (idx == NIL) {
		if (t->count[fi] >= fam_max(t, fi)) {
			uint32_t soonest = sweep(t, fi, now_ms);

			if (t->count[fi] >= fam_max(t, fi)) {
				enum penalty_overflow mode =
				    fi == 0 ? t->conf.overflow4
				            : t->conf.overflow6;

				if (mode == PENALTY_OVERFLOW_DENY_ALL ||
				    soonest == NIL) {
					t->overflow_end[fi] =
					    soonest != NIL
					        ? t->ents[soonest].end_ms
					        : now_ms;
					return mode == PENALTY_OVERFLOW_DENY_ALL
					           ? PENALTY_OVERFLOWED
					           : PENALTY_IGNORED;
				}
				remove_ent(t, soonest);
			}
		}
		if ((idx = insert(t, &k)) == NIL) {
			return PENALTY_OVERFLOWED;
		}
		t->ents[idx].end_ms = now_ms;
	}
	e = &t->ents[idx];
	if (e->end_ms <= now_ms) { /* ended: starts afresh */
		e->end_ms = now_ms;
		e->active = false;
	}
	d = (int64_t)t->conf.duration[kind] * 1000;
	cap = (int64_t)(t->conf.max > 0 ? t->conf.max : 0) * 1000;
	e->end_ms = e->end_ms - now_ms + d > cap ? now_ms + cap : e->end_ms + d;
	if (e->end_ms - now_ms >= (int64_t)t->conf.min * 1000 &&
	    e->end_ms > now_ms) {
		e->active = true;
	}
	e->kind = (uint8_t)kind;
	if (secs != NULL) {
		*secs = (int)((e->end_ms - now_ms) / 1000);
	}
	if (e->end_ms <= now_ms) { /* max 0: nothing to keep */
		remove_ent(t, idx);
		return PENALTY_DEFERRED;
	}
	return e->active ? PENALTY_ACTIVE : PENALTY_DEFERRED;
}

bool
penalty_check(struct penalty_table *t, const struct penalty_addr *a,
              int64_t now_ms, const char **reason)
{
	struct penalty_addr k;
	uint32_t idx;
	int fi;

	if (reason != NULL) {
		*reason = NULL;
	}
	if (t == NULL || !t->conf.enabled ||
	    (a->family != 4 && a->family != 6) ||
	    penalty_exempt_match(t->exempt, a)) {
		return true;
	}
	fi = fam_idx(a->family);
	key_of(t, a, &k);
	idx = find(t, &k);
	if (idx != NIL && t->ents[idx].end_ms <= now_ms) {
		remove_ent(t, idx);
		idx = NIL;
	}
	if (idx != NIL && t->ents[idx].active) {
		if (reason != NULL) {
			*reason = kind_reasons[t->ents[idx].kind];
		}
		return false;
	}
	if (t->overflow_end[fi] > now_ms) {
		if (reason != NULL) {
			*reason = "too many penalised sources";
		}
		return false;
	}
	return true;
}
