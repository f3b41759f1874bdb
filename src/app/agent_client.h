/*
 * agent_client.h - blocking client of an SSH authentication agent
 * (OpenSSH ssh-agent, draft-miller-ssh-agent) over its unix socket.
 *
 * Contract:
 *  - agent_client_open connects to sock_path, or to $SSH_AUTH_SOCK when
 *    sock_path is NULL. SESH_ERR_NOT_FOUND when the variable is unset or
 *    empty or the socket does not exist / refuses the connection;
 *    SESH_ERR_SYSTEM for other socket errors.
 *  - Every request is one round trip: the message is written whole, the
 *    answer read whole (bounded by SESH_MAX_AGENT_MSG, see agent.h) and
 *    parsed by the sans-I/O codec src/ssh/agent.h. Reads and writes retry
 *    on EINTR and are bounded in time (a stuck agent gives SESH_ERR_SYSTEM).
 *  - agent_client_list returns the agent's keys (public only) with their
 *    comments; identities whose key type sesh does not know are skipped.
 *    Free with agent_identities_free. *ids and *n are set only on success.
 *  - agent_client_sign asks the agent to sign data with key using
 *    signature algorithm alg ("ssh-ed25519", "ecdsa-sha2-nistp256", ...,
 *    "rsa-sha2-256", "rsa-sha2-512"; NULL means the key's default) and
 *    appends the SSH signature blob (string alg, string sig) to sig_out.
 *    An agent FAILURE answer gives SESH_ERR_NOT_FOUND (key unknown to the
 *    agent, or refused); an answer whose signature algorithm is not alg
 *    gives SESH_ERR_SIG_ALG_MISMATCH; malformed answers SESH_ERR_PROTOCOL
 *    or the parser's code. The signature is not verified here.
 *  - On any I/O or protocol error the connection should be closed: the
 *    stream position is unknown.
 */
#ifndef SESH_APP_AGENT_CLIENT_H
#define SESH_APP_AGENT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "key/key.h"

struct agent_conn;

int agent_client_open(const char *sock_path /* NULL: $SSH_AUTH_SOCK */,
                      struct agent_conn **out);
void agent_client_close(struct agent_conn *a);

struct agent_identity {
	struct sshkey *key;
	char *comment;
};

int agent_client_list(struct agent_conn *a, struct agent_identity **ids,
                      size_t *n);
void agent_identities_free(struct agent_identity *ids, size_t n);

int agent_client_sign(struct agent_conn *a, const struct sshkey *key,
                      const char *alg, const uint8_t *data, size_t n,
                      struct buf *sig_out);

#endif
