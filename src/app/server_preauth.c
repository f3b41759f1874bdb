/*
 * server_preauth.c - user authentication in seshd's sandboxed
 * pre-authentication child (docs/architecture.md, "Server processes").
 * The child runs the engine on the client's bytes but decides nothing:
 * every userauth event and every host-key signature becomes a request
 * to the privileged monitor (app/monitor_client.h), whose answer is
 * applied with the ua_server_* calls. The monitor logs sshd's lines,
 * applies the failed-attempt delay and counts MaxAuthTries; the engine
 * counts them too (same limit: the global one, then the user's, Match
 * blocks applied, from the answer to REQ_USER) so the child disconnects
 * at the same failure. Lines the child logs go to the monitor (REQ_LOG).
 */
#include <stdlib.h>
#include <string.h>

#include "app/monitor_client.h"
#include "app/server_int.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "ssh/msg.h"

static int
pa_reject(struct server *s, bool partial)
{
	int ret;

	ret = ua_server_reject(conn_userauth_server(s->c), partial,
	                       conn_ua_buf(s->c));
	if (ret == SESH_ERR_AUTH_TOO_MANY) {
		/* the monitor logged it */
		(void)conn_disconnect(
		    s->c, SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
		    "Too many authentication failures");
		s->end = SERVER_END_AUTH_FAIL;
		s->done = true;
		return 0;
	}
	if (ret != 0) {
		return ret;
	}
	return conn_flush(s->c);
}

/* The monitor's verdict on an attempt (method names the one tried). */
static int
pa_apply(struct server *s, const struct mc_auth *a, const char *method)
{
	struct ua_server *ua = conn_userauth_server(s->c);
	int ret;

	switch (a->result) {
	case MONITOR_AUTH_SUCCESS:
		if ((ret = ua_server_accept(ua, conn_ua_buf(s->c))) != 0) {
			return ret;
		}
		s->authenticated = true;
		free(s->auth_method);
		s->auth_method = mem_strdup(method);
		return conn_flush(s->c);
	case MONITOR_AUTH_PARTIAL:
		if ((ret = ua_server_set_methods(ua, a->methods)) != 0) {
			return ret;
		}
		return pa_reject(s, true);
	default:
		s->failed_attempts++;
		if (a->methods != NULL && a->methods[0] != '\0' &&
		    (ret = ua_server_set_methods(ua, a->methods)) != 0) {
			return ret;
		}
		return pa_reject(s, false);
	}
}

static int
pa_kbdint(struct server *s, struct mc_kbdint *k)
{
	int ret;

	if (!k->is_prompts) {
		return pa_apply(s, &k->auth, "keyboard-interactive");
	}
	ret = ua_server_kbdint_info_request(
	    conn_userauth_server(s->c), k->name != NULL ? k->name : "",
	    k->instruction != NULL ? k->instruction : "",
	    (const char *const *)k->prompts, k->echo, k->n, conn_ua_buf(s->c));
	if (ret != 0) {
		return ret;
	}
	return conn_flush(s->c);
}

/* The first request names the user: the monitor answers the methods. */
static int
pa_user(struct server *s, const struct ua_server_event *ev)
{
	struct ua_server *ua = conn_userauth_server(s->c);
	char *methods = NULL;
	unsigned max_tries = 0;
	int ret;

	if ((ret = mc_user(s->mon_fd, ev->user, ev->service, &methods,
	                   &max_tries)) != 0) {
		return ret;
	}
	s->user_set = true;
	s->user.name = mem_strdup(ev->user);
	s->user.valid = true; /* for our logs only: the monitor decides */
	ret = s->user.name == NULL
	          ? SESH_ERR_NOMEM
	          : ua_server_set_methods(ua, methods != NULL ? methods : "");
	/* the user's MaxAuthTries (a Match block may set it): the engine
	 * disconnects at the failure the monitor counts as the last */
	if (ret == 0) {
		ret = ua_server_set_max_tries(ua, max_tries);
	}
	free(methods);
	if (ret == 0 && s->preauth_banner != NULL) {
		ret = ua_server_banner(conn_userauth_server(s->c),
		                       s->preauth_banner, conn_ua_buf(s->c));
		if (ret == 0) {
			ret = conn_flush(s->c);
		}
		free(s->preauth_banner);
		s->preauth_banner = NULL;
	}
	return ret;
}

int
server_preauth_event(struct server *s, const struct ua_server_event *ev)
{
	struct mc_auth a;
	struct mc_kbdint k;
	bool ok = false;
	int ret;

	if (!s->user_set && (ret = pa_user(s, ev)) != 0) {
		return ret;
	}
	memset(&a, 0, sizeof(a));
	memset(&k, 0, sizeof(k));
	switch (ev->type) {
	case UA_SEV_AUTH_NONE:
		ret = mc_auth_none(s->mon_fd, &a);
		if (ret == 0) {
			ret = pa_apply(s, &a, "none");
		}
		break;
	case UA_SEV_AUTH_PUBKEY_QUERY:
		ret = mc_key_query(s->mon_fd, ev->alg, ev->blob, ev->blob_len,
		                   &ok);
		if (ret == 0 && ok) {
			ret = ua_server_pk_ok(conn_userauth_server(s->c),
			                      conn_ua_buf(s->c));
			if (ret == 0) {
				ret = conn_flush(s->c);
			}
		} else if (ret == 0) {
			ret = pa_reject(s, false);
		}
		break;
	case UA_SEV_AUTH_PUBKEY_SIGNED:
		ret = mc_key_verify(s->mon_fd, ev->alg, ev->blob, ev->blob_len,
		                    ev->signed_data, ev->signed_data_len,
		                    ev->sig, ev->sig_len, &a);
		/* the engine checks the signature too (it must, before it
		 * may accept); the monitor's check is the one that counts */
		if (ret == 0 && a.result != MONITOR_AUTH_FAIL &&
		    ua_server_verify(conn_userauth_server(s->c)) != 0) {
			ret = SESH_ERR_BAD_SIGNATURE;
		}
		if (ret == 0) {
			ret = pa_apply(s, &a, "publickey");
		}
		break;
	case UA_SEV_AUTH_PASSWORD:
		ret =
		    mc_password(s->mon_fd, ev->password, ev->new_password, &a);
		if (ret == 0) {
			ret = pa_apply(s, &a, "password");
		}
		break;
	case UA_SEV_AUTH_KBDINT:
		ret = mc_kbdint_start(
		    s->mon_fd, ev->submethods != NULL ? ev->submethods : "",
		    &k);
		if (ret == 0) {
			ret = pa_kbdint(s, &k);
		}
		break;
	case UA_SEV_KBDINT_RESPONSE:
		ret = mc_kbdint_respond(s->mon_fd,
		                        (const char *const *)ev->answers,
		                        ev->nanswers, &k);
		if (ret == 0) {
			ret = pa_kbdint(s, &k);
		}
		break;
	default:
		ret = pa_reject(s, false);
		break;
	}
	mc_auth_clear(&a);
	mc_kbdint_clear(&k);
	return ret;
}

int
server_preauth_sign(struct server *s, const struct transport_event *tev,
                    struct buf *sig)
{
	struct buf blob;
	bool ok = false;
	int ret;

	buf_init(&blob, 0);
	if ((ret = key_to_blob(tev->hostkey, &blob)) == 0) {
		ret =
		    mc_sign(s->mon_fd, tev->sig_alg, buf_data(&blob),
		            buf_len(&blob), tev->hash, tev->hash_len, &ok, sig);
	}
	buf_clear(&blob);
	if (ret == 0 && !ok) {
		ret = SESH_ERR_NOT_FOUND;
	}
	return ret;
}

/* log_to_fn's sink: the line goes to the monitor, which adds
 * " [preauth]" itself. */
static void
pa_log(void *arg, enum log_level level, const char *line)
{
	const struct server *s = arg;
	size_t n = strlen(line);
	static const char tag[] = " [preauth]";
	char *copy;

	if (n >= sizeof(tag) - 1 &&
	    strcmp(line + n - (sizeof(tag) - 1), tag) == 0 &&
	    (copy = malloc(n + 1)) != NULL) {
		memcpy(copy, line, n - (sizeof(tag) - 1));
		copy[n - (sizeof(tag) - 1)] = '\0';
		(void)mc_log(s->mon_fd, level, copy);
		free(copy);
		return;
	}
	(void)mc_log(s->mon_fd, level, line);
}

void
server_preauth_log_to_monitor(struct server *s)
{
	log_to_fn(pa_log, s);
}
