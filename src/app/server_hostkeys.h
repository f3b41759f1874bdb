/*
 * server_hostkeys.h - seshd's side of OpenSSH's host key rotation
 * (PROTOCOL §2.5): hostkeys-00@openssh.com after authentication and the
 * answers to hostkeys-prove-00@openssh.com (server_hostkeys.c), signed
 * by this process or its privileged parent (server_privsep.c).
 */
#ifndef SESH_APP_SERVER_HOSTKEYS_H
#define SESH_APP_SERVER_HOSTKEYS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ssh/channel.h"

struct server;

/*
 * Sends hostkeys-00@openssh.com (no reply wanted) holding the public
 * blob of each host key once; called once, by the process that carries
 * the authenticated connection on. Failures are logged, not fatal.
 */
void server_hostkeys_notify(struct server *s);
/*
 * Answers a GLOBAL_REQUEST event (hostkeys-prove-00@openssh.com):
 * REQUEST_SUCCESS with one signature per key, in order, when every key
 * is one of ours and every signature was made; else REQUEST_FAILURE.
 * Returns 0 or chan_global_reply()'s writer errors (fatal).
 */
int server_hostkeys_prove(struct server *s, const struct chan_event *ev);
/*
 * Appends the signature blob of a hostkeys-prove proof for host key
 * blob[0..n) with alg, over this connection's session id: made here
 * when this process holds the key, else by the privileged parent
 * ('P' request: the parent builds the signed data itself). Returns 0,
 * SESH_ERR_NOT_FOUND (not a key we hold, or the parent refused),
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_SYSTEM (the parent is gone) or
 * key_sign()'s errors.
 */
int server_privsep_prove(struct server *s, const uint8_t *blob, size_t n,
                         const char *alg, struct buf *sig);

#endif
