/*
 * client_hkupdate.c - UpdateHostKeys in the client (ssh_config(5)): after
 * authentication the server lists its host keys (hostkeys-00@openssh.com);
 * when the session's host key was found in (or just added to) the first
 * UserKnownHostsFile, new keys are proven by the server
 * (hostkeys-prove-00@openssh.com) and added, and keys it no longer has
 * are removed, by writing a new file and renaming it over the old one.
 * The pure steps are in hostkeys_update.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/client_int.h"
#include "app/fileio.h"
#include "app/hostkeys.h"
#include "app/hostkeys_update.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "ssh/kexinit.h"
#include "ssh/transport.h"

/* A lowercased copy of host and its lookup name ("[host]:port"). */
static int
names(const char *host, unsigned int port, char **lower, char **lookup)
{
	int ret;

	*lookup = NULL;
	if ((*lower = hostkeys_lower(host)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if ((ret = hostkeys_lookup_name(host, port, lookup)) != 0) {
		free(*lower);
		*lower = NULL;
	}
	return ret;
}

void
client_hkupdate_allow(struct client *cl, const struct sshkey *hostkey)
{
	key_free(cl->hk_key);
	cl->hk_key = NULL;
	if (cl->o->update_host_keys == CLIENT_UHK_NO || cl->ukh == NULL ||
	    cl->ukh[0] == NULL) {
		return;
	}
	if (key_public_copy(hostkey, &cl->hk_key) != 0) {
		cl->hk_key = NULL;
	}
}

void
client_hkupdate_clear(struct client *cl)
{
	key_free(cl->hk_key);
	cl->hk_key = NULL;
	if (cl->hk_plan != NULL) {
		hkupd_plan_clear(cl->hk_plan);
		free(cl->hk_plan);
		cl->hk_plan = NULL;
	}
}

/* Is k's type in HostKeyAlgorithms (any RSA algorithm for RSA)? */
static bool
alg_allowed(const struct client *cl, const struct sshkey *k)
{
	const char *list = cl->o->hostkey_algs, *p, *e;
	const char *name = key_type_name(k->type);
	size_t len;

	if (list == NULL) {
		return true; /* the engine defaults take every type we parse */
	}
	for (p = list; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = strchr(p, ',');
		if (e == NULL) {
			e = p + strlen(p);
		}
		len = (size_t)(e - p);
		if ((len == strlen(name) && memcmp(p, name, len) == 0) ||
		    (k->type == KEY_RSA && len == 12 &&
		     (memcmp(p, "rsa-sha2-256", 12) == 0 ||
		      memcmp(p, "rsa-sha2-512", 12) == 0))) {
			return true;
		}
	}
	return false;
}

static void
log_key(enum log_level lvl, const char *what, const struct sshkey *k)
{
	struct buf fp;

	buf_init(&fp, 0);
	if (key_fingerprint(k, HASH_SHA256, &fp) == 0 &&
	    buf_put_u8(&fp, '\0') == 0) {
		log_msg(lvl, "%s: %s %s", what, key_type_name(k->type),
		        (const char *)buf_data(&fp));
	}
	buf_clear(&fp);
}

/* UpdateHostKeys ask: the question on /dev/tty (never in BatchMode). */
static bool
confirm(struct client *cl)
{
	char *ans = NULL;
	bool yes;

	if (client_read_secret(cl, "Accept updated hostkeys? (yes/no): ", true,
	                       &ans) != 0) {
		return false;
	}
	ans[strcspn(ans, "\r\n")] = '\0';
	yes = strcasecmp(ans, "yes") == 0;
	free(ans);
	return yes;
}

/* Writes the plan into the first UserKnownHostsFile. */
static void
apply(struct client *cl, const struct hkupd_plan *pl)
{
	const char *path = cl->ukh[0], *host;
	char *lower = NULL, *lookup = NULL;
	uint8_t *old = NULL;
	unsigned int port;
	size_t n = 0, i;
	mode_t mode = FILEIO_MODE_PRIVATE;
	struct buf out;
	int ret;

	buf_init(&out, HOSTKEYS_MAX_FILE + HKUPD_MAX_KEYS * SESH_MAX_LINE);
	for (i = 0; i < pl->add.n; i++) {
		log_key(cl->o->update_host_keys == CLIENT_UHK_ASK
		            ? LOG_LVL_INFO
		            : LOG_LVL_VERBOSE,
		        "Learned new hostkey", pl->add.k[i]);
	}
	for (i = 0; i < pl->remove.n; i++) {
		log_key(cl->o->update_host_keys == CLIENT_UHK_ASK
		            ? LOG_LVL_INFO
		            : LOG_LVL_VERBOSE,
		        "Deprecating obsolete hostkey", pl->remove.k[i]);
	}
	if (cl->o->update_host_keys == CLIENT_UHK_ASK && !confirm(cl)) {
		log_debug("UpdateHostKeys: changes not accepted");
		goto out;
	}
	client_known_name(cl, &host, &port);
	if ((ret = names(host, port, &lower, &lookup)) != 0 ||
	    (ret = fileio_read(path, HOSTKEYS_MAX_FILE, &old, &n)) != 0 ||
	    (ret = fileio_mode(path, &mode)) != 0 ||
	    (ret = hkupd_rewrite(old, n, lookup, lower, port, pl,
	                         pl->hashed || cl->o->hash_known_hosts,
	                         &out)) != 0 ||
	    (ret = fileio_write_atomic(path, buf_data(&out), buf_len(&out),
	                               mode)) != 0) {
		log_error("hostkeys update of %s failed: %s", path,
		          sesh_err_str(ret));
		goto out;
	}
	log_verbose("Updated known_hosts %s for %s: %zu keys added, %zu "
	            "removed",
	            path, lookup, pl->add.n, pl->remove.n);
out:
	free(lower);
	free(lookup);
	free(old);
	buf_clear(&out);
}

bool
client_hkupdate_notify(struct client *cl, const struct chan_event *ce)
{
	struct hkupd_keys server;
	struct hkupd_plan pl;
	const char *host;
	char *lower = NULL, *lookup = NULL;
	uint8_t *content = NULL;
	unsigned int port;
	size_t n = 0, skipped = 0, i, j;
	struct buf req;
	int ret;

	memset(&server, 0, sizeof(server));
	memset(&pl, 0, sizeof(pl));
	buf_init(&req, 0);
	if (!chan_str_eq(ce->req.name, CHAN_GREQ_HOSTKEYS) ||
	    ce->req.want_reply) {
		goto out; /* the channel layer sends no other */
	}
	if (cl->hk_key == NULL) {
		log_debug("UpdateHostKeys off or the host key was not "
		          "verified by UserKnownHostsFile: server host keys "
		          "ignored");
		goto out;
	}
	if (cl->hk_seen) {
		log_debug("server already sent its host keys; ignored");
		goto out;
	}
	cl->hk_seen = true;
	if ((ret = hkupd_parse_keys(ce->data.p, ce->data.n, &server,
	                            &skipped)) != 0) {
		log_verbose("bad hostkeys-00@openssh.com request: %s",
		            sesh_err_str(ret));
		goto out;
	}
	log_debug("received %zu host keys from the server (%zu unusable)",
	          server.n, skipped);
	client_known_name(cl, &host, &port);
	if ((ret = names(host, port, &lower, &lookup)) != 0 ||
	    (ret = fileio_read(cl->ukh[0], HOSTKEYS_MAX_FILE, &content, &n)) !=
	        0 ||
	    (ret = hkupd_plan(content, n, lookup, cl->hk_key, &server, &pl)) !=
	        0) {
		log_debug("UpdateHostKeys skipped for %s in %s: %s",
		          lookup != NULL ? lookup : host, cl->ukh[0],
		          ret == SESH_ERR_UNSUPPORTED
		              ? "known_hosts has a wildcard or shared entry"
		              : sesh_err_str(ret));
		goto out;
	}
	/* keys HostKeyAlgorithms would not take are not learned */
	for (i = j = 0; i < pl.add.n; i++) {
		if (alg_allowed(cl, pl.add.k[i])) {
			pl.add.k[j++] = pl.add.k[i];
		} else {
			log_debug("%s host key not permitted by "
			          "HostKeyAlgorithms; skipped",
			          key_type_name(pl.add.k[i]->type));
			key_free(pl.add.k[i]);
		}
	}
	pl.add.n = j;
	if (pl.add.n == 0 && pl.remove.n == 0) {
		log_debug("UpdateHostKeys: no new or deprecated host keys");
		goto out;
	}
	if (pl.add.n == 0) {
		apply(cl, &pl); /* removals only: nothing to prove */
		goto out;
	}
	if ((ret = hkupd_prove_request(&pl.add, &req)) != 0 ||
	    (ret = chan_global_request_data(
	         conn_channels(cl->c), CHAN_GREQ_HOSTKEYS_PROVE, true,
	         buf_data(&req), buf_len(&req), conn_chan_buf(cl->c))) != 0) {
		log_verbose("hostkeys-prove request not sent: %s",
		            sesh_err_str(ret));
		goto out;
	}
	log_debug("asked the server to prove %zu new host keys", pl.add.n);
	if ((cl->hk_plan = malloc(sizeof(*cl->hk_plan))) == NULL) {
		goto out; /* its reply will not be ours then */
	}
	*cl->hk_plan = pl;
	memset(&pl, 0, sizeof(pl));
	cl->hk_prove_at = ++cl->greq_out;
out:
	hkupd_keys_clear(&server);
	hkupd_plan_clear(&pl);
	free(lower);
	free(lookup);
	free(content);
	buf_clear(&req);
	return true;
}

void
client_hkupdate_sent_request(struct client *cl)
{
	cl->greq_out++;
}

bool
client_hkupdate_reply(struct client *cl, const struct chan_event *ce)
{
	const struct kex_choice *ch;
	struct hkupd_plan *pl = cl->hk_plan;
	const uint8_t *sid;
	size_t sidn;
	int ret;

	if (cl->greq_out > 0) {
		cl->greq_out--;
	}
	if (cl->hk_prove_at == 0 || --cl->hk_prove_at != 0 || pl == NULL) {
		return false; /* a keepalive's */
	}
	cl->hk_plan = NULL;
	if (!ce->ok) {
		log_error("Server failed to confirm ownership of private host "
		          "keys");
		goto out;
	}
	transport_session_id(conn_transport(cl->c), &sid, &sidn);
	ch = transport_choice(conn_transport(cl->c));
	if ((ret = hkupd_verify_proofs(&pl->add, sid, sidn,
	                               ch != NULL ? ch->alg[KEX_ALG_HOSTKEY]
	                                          : NULL,
	                               ce->data.p, ce->data.n)) != 0) {
		log_error("server gave a bad host key proof: %s; known_hosts "
		          "not updated",
		          sesh_err_str(ret));
		goto out;
	}
	apply(cl, pl);
out:
	hkupd_plan_clear(pl);
	free(pl);
	return true;
}
