/*
 * server_hostkeys.c - host key rotation for seshd (OpenSSH PROTOCOL
 * §2.5). After authentication the process carrying the connection tells
 * the client every host key (hostkeys-00@openssh.com, as sshd does); a
 * client that does not know some of them (ssh -o UpdateHostKeys=yes)
 * asks for proofs (hostkeys-prove-00@openssh.com) and records the keys
 * whose signatures check out.
 *
 * A proof signs string "hostkeys-prove-00@openssh.com", string session
 * id, string host key blob. RSA keys sign with the RSA algorithm of the
 * key exchange when it used one (OpenSSH's client then insists on it),
 * else rsa-sha2-512 (which it accepts otherwise; never ssh-rsa).
 */
#include "app/server_hostkeys.h"

#include <string.h>

#include "app/privsep_req.h"
#include "app/server_int.h"
#include "base/err.h"
#include "base/log.h"
#include "ssh/kexinit.h"
#include "ssh/transport.h"

#define PROVE_MAX_REPLY (64u * 1024u) /* the signatures of one request */

/* The public host keys the engine offers. */
static void
public_keys(const struct server *s, const struct sshkey *const **keys,
            size_t *n)
{
	if (s->pubkeys != NULL) {
		*keys = (const struct sshkey *const *)s->pubkeys;
		*n = s->npubkeys;
	} else {
		*keys = (const struct sshkey *const *)s->ctx->hostkeys;
		*n = s->ctx->nhostkeys;
	}
}

void
server_hostkeys_notify(struct server *s)
{
	const struct sshkey *const *keys;
	struct buf data, blob;
	size_t n, i, sent = 0;
	int ret = 0;

	public_keys(s, &keys, &n);
	buf_init(&data, PROVE_MAX_REPLY);
	buf_init(&blob, 0);
	for (i = 0; i < n && ret == 0; i++) {
		struct rd r;
		const uint8_t *p;
		size_t pn;
		bool dup = false;

		buf_reset(&blob);
		if (keys[i] == NULL ||
		    (ret = key_to_blob(keys[i], &blob)) != 0) {
			continue;
		}
		/* the same key named twice (HostKey lines) goes once */
		rd_init(&r, buf_data(&data), buf_len(&data));
		while (!dup && rd_string(&r, &p, &pn) == 0) {
			dup = pn == buf_len(&blob) &&
			      memcmp(p, buf_data(&blob), pn) == 0;
		}
		if (!dup && (ret = buf_put_string(&data, buf_data(&blob),
		                                  buf_len(&blob))) == 0) {
			sent++;
		}
	}
	if (ret == 0 && sent > 0) {
		ret = chan_global_request_data(
		    conn_channels(s->c), CHAN_GREQ_HOSTKEYS, false,
		    buf_data(&data), buf_len(&data), conn_chan_buf(s->c));
	}
	if (ret != 0) {
		log_error("cannot send the host keys to %s port %u: %s",
		          s->ctx->raddr, s->ctx->rport, sesh_err_str(ret));
	} else {
		log_debug("sent %zu host keys (hostkeys-00@openssh.com)", sent);
	}
	buf_clear(&data);
	buf_clear(&blob);
}

/* Our public host key whose blob is p[0..n), or NULL. */
static const struct sshkey *
our_key(const struct server *s, const uint8_t *p, size_t n)
{
	const struct sshkey *const *keys;
	const struct sshkey *found = NULL;
	struct buf b;
	size_t i, nkeys;

	public_keys(s, &keys, &nkeys);
	buf_init(&b, 0);
	for (i = 0; i < nkeys && found == NULL; i++) {
		buf_reset(&b);
		if (keys[i] != NULL && key_to_blob(keys[i], &b) == 0 &&
		    buf_len(&b) == n && memcmp(buf_data(&b), p, n) == 0) {
			found = keys[i];
		}
	}
	buf_clear(&b);
	return found;
}

/* The signature algorithm of a proof by k (see the top). */
static const char *
prove_alg(const struct server *s, const struct sshkey *k)
{
	const struct kex_choice *ch;
	const char *kexalg;

	if (k->type != KEY_RSA) {
		return key_type_name(k->type);
	}
	ch = transport_choice(conn_transport(s->c));
	kexalg = ch != NULL ? ch->alg[KEX_ALG_HOSTKEY] : "";
	if (strcmp(kexalg, "rsa-sha2-256") == 0 ||
	    strcmp(kexalg, "rsa-sha2-512") == 0) {
		return kexalg;
	}
	return "rsa-sha2-512";
}

int
server_hostkeys_prove(struct server *s, const struct chan_event *ev)
{
	struct privsep_view keys[PRIVSEP_MAX_PROVE_KEYS];
	const struct sshkey *k;
	struct buf sigs, sig;
	size_t n = 0, i;
	int ret;

	buf_init(&sigs, PROVE_MAX_REPLY);
	buf_init(&sig, PRIVSEP_MAX_MSG);
	if (!chan_str_eq(ev->req.name, CHAN_GREQ_HOSTKEYS_PROVE)) {
		ret = SESH_ERR_UNSUPPORTED;
		goto reply;
	}
	ret = privsep_prove_list_parse(ev->data.p, ev->data.n, keys,
	                               PRIVSEP_MAX_PROVE_KEYS, &n);
	/* string signature, one per key, in the request's order */
	for (i = 0; i < n && ret == 0; i++) {
		if ((k = our_key(s, keys[i].p, keys[i].n)) == NULL) {
			ret = SESH_ERR_NOT_FOUND;
			break;
		}
		buf_reset(&sig);
		if ((ret = server_privsep_prove(s, keys[i].p, keys[i].n,
		                                prove_alg(s, k), &sig)) == 0) {
			ret = buf_put_string(&sigs, buf_data(&sig),
			                     buf_len(&sig));
		}
	}
reply:
	if (ret != 0) {
		log_verbose("hostkeys-prove request from %s port %u refused: "
		            "%s",
		            s->ctx->raddr, s->ctx->rport, sesh_err_str(ret));
		ret = chan_global_reply(conn_channels(s->c), false, NULL, 0,
		                        conn_chan_buf(s->c));
	} else {
		log_debug("proved %zu host keys to %s port %u", n,
		          s->ctx->raddr, s->ctx->rport);
		ret = chan_global_reply(conn_channels(s->c), true,
		                        buf_data(&sigs), buf_len(&sigs),
		                        conn_chan_buf(s->c));
	}
	buf_clear(&sigs);
	buf_clear(&sig);
	return ret;
}
