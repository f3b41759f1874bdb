/*
 * transport_extinfo.c - the EXT_INFO parser of the transport
 * (transport_ext_info_parse, contract in transport.h): a pure function
 * over one payload, kept apart from the transport's state machine.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "ssh/msg.h"
#include "ssh/transport.h"

/* EXT_INFO (RFC 8308 §2.3): byte 7, uint32 count, count x (string name,
 * string value). */
int
transport_ext_info_parse(const uint8_t *p, size_t n, char **server_sig_algs)
{
	struct rd r, vr;
	struct buf tmp;
	uint32_t count, i;
	const uint8_t *name, *val, *lp;
	size_t nn, vn, ln;
	char *sig = NULL;
	int ret;

	buf_init(&tmp, 0);
	if (server_sig_algs == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*server_sig_algs = NULL;
	rd_init(&r, p, n);
	if ((ret = rd_expect_u8(&r, SSH2_MSG_EXT_INFO)) != 0 ||
	    (ret = rd_u32(&r, &count)) != 0) {
		goto out;
	}
	if (count > TRANSPORT_MAX_EXTENSIONS) {
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	for (i = 0; i < count; i++) {
		if ((ret = rd_string_max(&r, SESH_MAX_NAME, &name, &nn)) != 0 ||
		    (ret = rd_string_max(&r, SESH_MAX_NAMELIST, &val, &vn)) !=
		        0) {
			goto out;
		}
		if (nn != strlen("server-sig-algs") ||
		    memcmp(name, "server-sig-algs", nn) != 0) {
			continue;
		}
		/* The value is a name-list: validate it as one. */
		buf_reset(&tmp);
		if ((ret = buf_put_string(&tmp, val, vn)) != 0) {
			goto out;
		}
		rd_init(&vr, buf_data(&tmp), buf_len(&tmp));
		if ((ret = rd_namelist(&vr, &lp, &ln)) != 0) {
			goto out;
		}
		free(sig);
		if ((sig = malloc(vn + 1)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		memcpy(sig, val, vn);
		sig[vn] = '\0';
	}
	if ((ret = rd_end(&r)) != 0) {
		goto out;
	}
	*server_sig_algs = sig;
	sig = NULL;
out:
	buf_clear(&tmp);
	free(sig);
	return ret;
}
