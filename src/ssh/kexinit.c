/*
 * kexinit.c - SSH_MSG_KEXINIT build, parse and negotiation (see
 * kexinit.h; RFC 4253 §7.1).
 */
#include "ssh/kexinit.h"

#include <string.h>

#include "base/err.h"
#include "crypto/cipher.h"
#include "ssh/msg.h"

static const char *const kexinit_names[KEX_ALG_COUNT] = {
    "kex_algorithms",
    "server_host_key_algorithms",
    "encryption_algorithms_client_to_server",
    "encryption_algorithms_server_to_client",
    "mac_algorithms_client_to_server",
    "mac_algorithms_server_to_client",
    "compression_algorithms_client_to_server",
    "compression_algorithms_server_to_client",
    "languages_client_to_server",
    "languages_server_to_client",
};

/* Names that signal a feature in kex_algorithms and are no KEX method. */
static const char *const kexinit_pseudo[] = {
    KEX_STRICT_C,
    KEX_STRICT_S,
    KEX_EXT_INFO_C,
    KEX_EXT_INFO_S,
};

const char *
kexinit_category_name(int idx)
{
	if (idx < 0 || idx >= KEX_ALG_COUNT) {
		return "?";
	}
	return kexinit_names[idx];
}

int
kexinit_parse(const uint8_t *p, size_t n, struct kexinit *out)
{
	struct rd r;
	struct kexinit k;
	int i, ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(out, 0, sizeof(*out));
	memset(&k, 0, sizeof(k));
	if (p == NULL && n > 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	rd_init(&r, p, n);
	/* byte SSH_MSG_KEXINIT; byte[16] cookie */
	if ((ret = rd_expect_u8(&r, SSH2_MSG_KEXINIT)) != 0 ||
	    (ret = rd_bytes(&r, k.cookie, sizeof(k.cookie))) != 0) {
		return ret;
	}
	/* name-list kex_algorithms ... languages_server_to_client */
	for (i = 0; i < KEX_ALG_COUNT; i++) {
		if ((ret = rd_namelist(&r, &k.algs[i].p, &k.algs[i].n)) != 0) {
			return ret;
		}
	}
	/* boolean first_kex_packet_follows; uint32 0 (reserved) */
	if ((ret = rd_bool(&r, &k.first_kex_follows)) != 0 ||
	    (ret = rd_u32(&r, &k.reserved)) != 0 || (ret = rd_end(&r)) != 0) {
		return ret;
	}
	*out = k;
	return 0;
}

int
kexinit_build(const char *const lists[KEX_ALG_COUNT], bool first_kex_follows,
              ssh_rand_fn rand, void *rand_ctx, struct buf *out)
{
	struct buf b;
	struct kexinit check;
	uint8_t *cookie = NULL;
	const char *s;
	int i, ret;

	buf_init(&b, 0);
	if (lists == NULL || rand == NULL || out == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = buf_put_u8(&b, SSH2_MSG_KEXINIT)) != 0 ||
	    (ret = buf_reserve(&b, KEXINIT_COOKIE_LEN, &cookie)) != 0 ||
	    (ret = rand(rand_ctx, cookie, KEXINIT_COOKIE_LEN)) != 0) {
		goto out;
	}
	for (i = 0; i < KEX_ALG_COUNT; i++) {
		s = lists[i] != NULL ? lists[i] : "";
		if (strlen(s) > SESH_MAX_NAMELIST) {
			ret = SESH_ERR_LIMIT;
			goto out;
		}
		if ((ret = buf_put_cstring(&b, s)) != 0) {
			goto out;
		}
	}
	if ((ret = buf_put_bool(&b, first_kex_follows)) != 0 ||
	    (ret = buf_put_u32(&b, 0)) != 0) {
		goto out;
	}
	/* Only well-formed name-lists leave here: check with our parser. */
	if ((ret = kexinit_parse(buf_data(&b), buf_len(&b), &check)) != 0) {
		if (ret != SESH_ERR_LIMIT) {
			ret = SESH_ERR_INVALID_ARGUMENT;
		}
		goto out;
	}
	ret = buf_put(out, buf_data(&b), buf_len(&b));
out:
	buf_clear(&b);
	return ret;
}

bool
kexinit_has(const struct kexinit *k, enum kex_alg_idx idx, const char *name)
{
	if (k == NULL || name == NULL || (int)idx < 0 || idx >= KEX_ALG_COUNT) {
		return false;
	}
	return namelist_has(k->algs[idx].p, k->algs[idx].n, name);
}

static bool
kexinit_is_pseudo(const uint8_t *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(kexinit_pseudo) / sizeof(kexinit_pseudo[0]);
	     i++) {
		if (strlen(kexinit_pseudo[i]) == n &&
		    memcmp(kexinit_pseudo[i], name, n) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * The first name of the client's list that is on the server's, copied
 * to out (NUL-terminated). False when there is none.
 */
static bool
kexinit_match(const struct kexinit_list *c, const struct kexinit_list *s,
              bool skip_pseudo, char out[SESH_MAX_NAME + 1])
{
	const uint8_t *name;
	size_t pos = 0, len;
	char tmp[SESH_MAX_NAME + 1];

	while (namelist_next(c->p, c->n, &pos, &name, &len)) {
		if (len == 0 || len > SESH_MAX_NAME) {
			continue; /* cannot happen for a parsed list */
		}
		if (skip_pseudo && kexinit_is_pseudo(name, len)) {
			continue;
		}
		memcpy(tmp, name, len);
		tmp[len] = '\0';
		if (namelist_has(s->p, s->n, tmp)) {
			memcpy(out, tmp, len + 1);
			return true;
		}
	}
	return false;
}

/* Whether the first names of two lists are the same. */
static bool
kexinit_same_first(const struct kexinit_list *a, const struct kexinit_list *b)
{
	const uint8_t *na, *nb;
	size_t pa = 0, pb = 0, la, lb;

	if (!namelist_next(a->p, a->n, &pa, &na, &la) ||
	    !namelist_next(b->p, b->n, &pb, &nb, &lb)) {
		return false;
	}
	return la == lb && memcmp(na, nb, la) == 0;
}

static bool
kexinit_is_aead(const char *name)
{
	const struct cipher_alg *a = cipher_by_name(name);

	return a != NULL && (a->kind == CIPHER_KIND_GCM ||
	                     a->kind == CIPHER_KIND_CHACHAPOLY);
}

int
kexinit_negotiate(const struct kexinit *client, const struct kexinit *server,
                  struct kex_choice *out, int *failed)
{
	struct kex_choice ch;
	int i, ret;

	if (out == NULL || failed == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(out, 0, sizeof(*out));
	*failed = -1;
	if (client == NULL || server == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(&ch, 0, sizeof(ch));
	for (i = 0; i < KEX_ALG_COUNT; i++) {
		bool found;

		if ((i == KEX_ALG_MAC_CTOS &&
		     kexinit_is_aead(ch.alg[KEX_ALG_ENC_CTOS])) ||
		    (i == KEX_ALG_MAC_STOC &&
		     kexinit_is_aead(ch.alg[KEX_ALG_ENC_STOC]))) {
			continue; /* the AEAD tag replaces the MAC */
		}
		found = kexinit_match(&client->algs[i], &server->algs[i],
		                      i == KEX_ALG_KEX, ch.alg[i]);
		if (!found && i != KEX_ALG_LANG_CTOS &&
		    i != KEX_ALG_LANG_STOC) {
			*failed = i;
			ret = SESH_ERR_PROTOCOL;
			goto out;
		}
	}
	ch.strict = kexinit_has(client, KEX_ALG_KEX, KEX_STRICT_C) &&
	            kexinit_has(server, KEX_ALG_KEX, KEX_STRICT_S);
	ch.ext_info_c = kexinit_has(client, KEX_ALG_KEX, KEX_EXT_INFO_C);
	ch.ext_info_s = kexinit_has(server, KEX_ALG_KEX, KEX_EXT_INFO_S);
	ch.guess_matches = kexinit_same_first(&client->algs[KEX_ALG_KEX],
	                                      &server->algs[KEX_ALG_KEX]) &&
	                   kexinit_same_first(&client->algs[KEX_ALG_HOSTKEY],
	                                      &server->algs[KEX_ALG_HOSTKEY]);
	*out = ch;
	ret = 0;
out:
	return ret;
}
