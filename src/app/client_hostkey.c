/*
 * client_hostkey.c - the client's host key decision over the known_hosts
 * lists (UserKnownHostsFile, then GlobalKnownHostsFile; app/hostkeys.h
 * checks one file, this file combines them), HostKeyAlias (looked up
 * without a port, as ssh does), StrictHostKeyChecking with the new-host
 * question on /dev/tty, HashKnownHosts when adding (to the first user
 * file), and ssh's messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/client_int.h"
#include "app/hostkeys.h"
#include "base/err.h"

static void
print_owned(char *s)
{
	if (s != NULL) {
		fputs(s, stderr);
		free(s);
	}
}

/* Asks the new-host question on /dev/tty; true for yes. */
static bool
ask_new_host(const char *prompt, const char *fp)
{
	FILE *tty = fopen("/dev/tty", "r+");
	char line[256];
	char *msg = NULL;
	enum hostkeys_answer a = HOSTKEYS_ANSWER_NO;
	const char *q = prompt;

	if (tty == NULL) {
		return false;
	}
	for (;;) {
		fputs(q, tty);
		fflush(tty);
		if (fgets(line, sizeof(line), tty) == NULL) {
			a = HOSTKEYS_ANSWER_NO;
			break;
		}
		a = hostkeys_parse_answer(line, fp);
		if (a != HOSTKEYS_ANSWER_RETRY) {
			break;
		}
		free(msg);
		msg = NULL;
		if (hostkeys_msg_retry(&msg) != 0) {
			a = HOSTKEYS_ANSWER_NO;
			break;
		}
		q = msg;
	}
	free(msg);
	fclose(tty);
	return a == HOSTKEYS_ANSWER_YES;
}

/*
 * Checks every known_hosts file (user list, then global list) and
 * combines as one lookup would: REVOKED anywhere, else OK anywhere, else
 * the first CHANGED, else NEW (with the other-type notes of the first
 * file that had any).
 */
static int
check_lists(struct client *cl, const char *name, unsigned int port,
            const struct sshkey *key, struct hostkeys_result *out)
{
	struct hostkeys_result r, best;
	char **lists[2] = {cl->ukh, cl->gkh};
	size_t l, i;
	int rank, best_rank = -1, ret;

	memset(&best, 0, sizeof(best));
	best.status = HOSTKEY_NEW;
	for (l = 0; l < 2; l++) {
		for (i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
			ret = hostkeys_check(lists[l][i], NULL, name, port, key,
			                     &r);
			if (ret != 0) {
				hostkeys_result_clear(&best);
				return ret;
			}
			switch (r.status) {
			case HOSTKEY_REVOKED:
				rank = 3;
				break;
			case HOSTKEY_OK:
				rank = 2;
				break;
			case HOSTKEY_CHANGED:
				rank = 1;
				break;
			default:
				rank = r.nothers > 0 ? 0 : -1;
				break;
			}
			if (rank > best_rank) {
				hostkeys_result_clear(&best);
				best = r;
				best_rank = rank;
			} else {
				hostkeys_result_clear(&r);
			}
		}
	}
	*out = best;
	return 0;
}

void
client_known_name(const struct client *cl, const char **host,
                  unsigned int *port)
{
	*host =
	    cl->o->host_key_alias != NULL ? cl->o->host_key_alias : cl->host;
	*port = cl->o->host_key_alias != NULL ? 22 : cl->port;
}

bool
client_hostkey_check(struct client *cl, const struct transport_event *tev)
{
	const struct client_opts *o = cl->o;
	const char *name;
	unsigned int port;
	const char *upath = cl->ukh != NULL && cl->ukh[0] != NULL
	                        ? cl->ukh[0]
	                        : "~/.ssh/known_hosts";
	struct hostkeys_result res;
	enum hostkeys_action act;
	char *msg = NULL;
	bool ok = false;
	int ret;

	client_known_name(cl, &name, &port);
	ret = check_lists(cl, name, port, tev->hostkey, &res);
	if (ret != 0) {
		fprintf(stderr, "sesh: host key check failed: %s\r\n",
		        sesh_err_str(ret));
		return false;
	}
	act = hostkeys_decide(o->strict, res.status, o->batch);
	if (act == HOSTKEYS_PROMPT) {
		if (hostkeys_msg_new_host(
		        name, port, o->host_key_alias == NULL ? cl->ip : NULL,
		        tev->hostkey, &res, &msg) == 0 &&
		    ask_new_host(msg, tev->fingerprint)) {
			act = HOSTKEYS_ACCEPT_ADD;
		} else {
			act = HOSTKEYS_REFUSE;
			res.status = HOSTKEY_NEW;
		}
		free(msg);
		msg = NULL;
	}
	switch (act) {
	case HOSTKEYS_ACCEPT:
		/* UpdateHostKeys: only for a key the first user file holds
		 * (ssh: not the global file, not a changed key) */
		if (res.status == HOSTKEY_OK && res.file != NULL &&
		    cl->ukh != NULL && cl->ukh[0] != NULL &&
		    strcmp(res.file, cl->ukh[0]) == 0) {
			client_hkupdate_allow(cl, tev->hostkey);
		}
		if (res.status == HOSTKEY_CHANGED &&
		    hostkeys_msg_changed(upath, name, port, tev->hostkey, &res,
		                         false, &msg) == 0) {
			print_owned(msg);
		}
		ok = true;
		break;
	case HOSTKEYS_ACCEPT_ADD:
		ret = hostkeys_add(upath, name, port, tev->hostkey,
		                   o->hash_known_hosts);
		if (ret != 0) {
			fprintf(stderr,
			        "sesh: Failed to add the host to the "
			        "list of known hosts (%s).\r\n",
			        upath);
		} else {
			if (cl->ukh != NULL && cl->ukh[0] != NULL &&
			    strcmp(upath, cl->ukh[0]) == 0) {
				client_hkupdate_allow(cl, tev->hostkey);
			}
			if (!o->quiet &&
			    hostkeys_msg_added(name, port, tev->hostkey,
			                       &msg) == 0) {
				print_owned(msg);
			}
		}
		ok = true;
		break;
	default:
		if (res.status == HOSTKEY_CHANGED) {
			ret = hostkeys_msg_changed(
			    upath, name, port, tev->hostkey, &res, true, &msg);
		} else if (res.status == HOSTKEY_REVOKED) {
			ret = hostkeys_msg_revoked(name, port, tev->hostkey,
			                           &msg);
		} else if (o->strict == HOSTKEYS_STRICT_YES || o->batch) {
			ret = hostkeys_msg_strict_new(name, port, tev->hostkey,
			                              &msg);
		} else {
			ret = 0;
		}
		if (ret == 0) {
			print_owned(msg);
		}
		msg = NULL;
		if (hostkeys_msg_failed(&msg) == 0) {
			print_owned(msg);
		}
		ok = false;
		break;
	}
	hostkeys_result_clear(&res);
	return ok;
}
