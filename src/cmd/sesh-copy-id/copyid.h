/*
 * copyid.h - helpers private to sesh-copy-id (src/cmd/sesh-copy-id):
 * the key list, running sesh, and the remote installer script.
 *
 * Contract:
 *  - A key list is an array of heap strings, one public key line each
 *    (no newline); cid_keys_add() copies, cid_keys_free() frees.
 *  - cid_read_pub_file() appends the non-empty, non-comment lines of a
 *    .pub file (bounded by SESH_MAX_KEYFILE); cid_agent_keys() the keys
 *    the agent at $SSH_AUTH_SOCK holds (0 keys when there is none).
 *  - cid_run() runs sesh with argv (argv[0] is the program path) and
 *    waits for it: stdin from in (NULL: /dev/null), stdout into *out
 *    when out is non-NULL (else inherited), stderr into *out too when
 *    merge_err, else inherited. *out is a NUL-terminated heap string,
 *    set only on success; the exit status (or 255 for a signal) goes to
 *    *status. Returns 0 or SESH_ERR_SYSTEM / SESH_ERR_NOMEM.
 *  - cid_install_command() is the remote command: an `exec sh -c '...'`
 *    that creates ~/.ssh (0700) and ~/.ssh/authorized_keys (0600) when
 *    missing, adds a final newline to an existing file lacking one, then
 *    appends (>>, never truncating) each key line of its stdin whose
 *    "type blob" pair is not in the file yet, and prints
 *    CID_ADDED_MARK and the number of keys appended.
 */
#ifndef SESH_CMD_COPYID_H
#define SESH_CMD_COPYID_H

#include <stdbool.h>
#include <stddef.h>

#define CID_ADDED_MARK "sesh-copy-id: keys added: "
#define CID_MAX_OUTPUT (256 * 1024)

struct cid_keys {
	char **line;
	size_t n;
};

int cid_keys_add(struct cid_keys *k, const char *line, size_t len);
void cid_keys_free(struct cid_keys *k);

/* SESH_ERR_NOT_FOUND / SESH_ERR_SYSTEM with errno set when unreadable. */
int cid_read_pub_file(const char *path, struct cid_keys *k);
int cid_agent_keys(struct cid_keys *k);

int cid_run(char *const argv[], const char *in, size_t in_len, bool merge_err,
            char **out, int *status);

const char *cid_install_command(void);

/* "'s'" with each ' written '\'' (heap string, NULL when out of memory). */
char *cid_shell_quote(const char *s);

#endif
