/*
 * agent_client.c - blocking ssh-agent client (contract in agent_client.h).
 * Placeholder: every call returns SESH_ERR_UNSUPPORTED until implemented.
 */
#include "app/agent_client.h"

#include <stdlib.h>

#include "base/err.h"

int
agent_client_open(const char *sock_path, struct agent_conn **out)
{
	(void)sock_path;
	(void)out;
	return SESH_ERR_UNSUPPORTED;
}

void
agent_client_close(struct agent_conn *a)
{
	(void)a;
}

int
agent_client_list(struct agent_conn *a, struct agent_identity **ids,
		  size_t *n)
{
	(void)a;
	(void)ids;
	(void)n;
	return SESH_ERR_UNSUPPORTED;
}

void
agent_identities_free(struct agent_identity *ids, size_t n)
{
	size_t i;

	if (ids == NULL) {
		return;
	}
	for (i = 0; i < n; i++) {
		key_free(ids[i].key);
		free(ids[i].comment);
	}
	free(ids);
}

int
agent_client_sign(struct agent_conn *a, const struct sshkey *key,
		  const char *alg, const uint8_t *data, size_t n,
		  struct buf *sig_out)
{
	(void)a;
	(void)key;
	(void)alg;
	(void)data;
	(void)n;
	(void)sig_out;
	return SESH_ERR_UNSUPPORTED;
}
