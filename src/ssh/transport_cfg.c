/*
 * transport_cfg.c - checks of a transport's configuration, kept apart
 * from the state machine in transport.c: algorithm lists must name only
 * what the registries (kex, host-key, cipher, MAC) implement, and our
 * identification string must be one the peer will accept (RFC 4253
 * §4.2). Pure functions; contract in transport_int.h.
 */
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "crypto/cipher.h"
#include "crypto/mac.h"
#include "key/key.h"
#include "ssh/kex.h"
#include "ssh/transport.h"
#include "ssh/transport_int.h"

/* Is every name of list known to the registry of kind (and is there
 * at least one)? */
static bool
list_known(const char *list, enum transport_list_kind kind)
{
	const uint8_t *name;
	size_t pos = 0, nl, len = strlen(list);
	char tmp[SESH_MAX_NAME + 1];
	bool any = false;

	while (namelist_next((const uint8_t *)list, len, &pos, &name, &nl)) {
		if (nl == 0 || nl > SESH_MAX_NAME) {
			return false;
		}
		memcpy(tmp, name, nl);
		tmp[nl] = '\0';
		any = true;
		switch (kind) {
		case TRANSPORT_LIST_KEX:
			if (kex_method_by_name(tmp) == NULL) {
				return false;
			}
			break;
		case TRANSPORT_LIST_HOSTKEY:
			if (kex_hostkey_alg_check(tmp, KEY_UNKNOWN) ==
			    SESH_ERR_UNSUPPORTED) {
				return false;
			}
			break;
		case TRANSPORT_LIST_CIPHER:
			if (cipher_by_name(tmp) == NULL) {
				return false;
			}
			break;
		case TRANSPORT_LIST_MAC:
			if (mac_by_name(tmp) == NULL) {
				return false;
			}
			break;
		}
	}
	return any;
}

int
transport_list_dup(const char *s, const char *def,
                   enum transport_list_kind kind, char **out)
{
	*out = NULL;
	if (s == NULL) {
		s = def;
	}
	/* room left in the KEXINIT name-list for the pseudo-algorithms */
	if (strlen(s) > SESH_MAX_NAMELIST - 64 || !list_known(s, kind)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((*out = mem_strdup(s)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	return 0;
}

bool
transport_ident_printable(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] > 0x7e) {
			return false;
		}
	}
	return true;
}

bool
transport_version_ok(const char *v)
{
	size_t n = strlen(v);

	return n + 2 <= TRANSPORT_MAX_IDENT && strncmp(v, "SSH-2.0-", 8) == 0 &&
	       transport_ident_printable((const uint8_t *)v, n);
}
