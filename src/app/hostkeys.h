/*
 * hostkeys.h - the client's known_hosts policy: is the server's host key
 * known, new, changed or revoked; adding a learned key; the messages
 * OpenSSH's ssh prints about it; and the StrictHostKeyChecking decision.
 *
 * Contract:
 *  - hostkeys_check reads the user file, then the global file (either may
 *    be NULL or missing; unreadable files are skipped as ssh does) and
 *    looks the host up under its lookup name ("host" for port 22,
 *    "[host]:port" otherwise; host lowercased, as ssh does), plain or
 *    hashed entries alike (src/key/hostfile.h). Lines that do not parse
 *    and @cert-authority lines are ignored. Precedence:
 *      1. an @revoked entry for the host holding this key: REVOKED;
 *      2. an unmarked entry for the host holding this key: OK;
 *      3. an unmarked entry for the host with another key of the same
 *         type (ECDSA curves count as one type, as in ssh): CHANGED,
 *         naming the first such entry's file and line;
 *      4. otherwise NEW; keys of other types known for the host are
 *         listed in the result (ssh's "but keys of different type are
 *         already known for this host").
 *  - hostkeys_add never loses existing content: it reads the file, adds
 *    the line (after a '\n' if the file lacked a final one) and replaces
 *    the file atomically (temp + rename) with its existing mode, or 0600
 *    for a new file. A missing parent directory (~/.ssh) is created 0700.
 *  - The message builders return owned NUL-terminated text (free()) that
 *    the caller prints to stderr (or the tty, for the prompt); wording
 *    follows OpenSSH 9.2's ssh.
 *  - hostkeys_decide is pure.
 */
#ifndef SESH_APP_HOSTKEYS_H
#define SESH_APP_HOSTKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "key/key.h"

enum hostkeys_status {
	HOSTKEY_OK = 0,
	HOSTKEY_NEW,
	HOSTKEY_CHANGED,
	HOSTKEY_REVOKED,
};

/* A key of another type known for the host (for the NEW note). */
struct hostkeys_other {
	char *file;         /* owned */
	size_t line;        /* 1-based */
	struct sshkey *key; /* owned */
};

/* known_hosts files larger than this are not read. */
#define HOSTKEYS_MAX_FILE   (16u * 1024u * 1024u)
#define HOSTKEYS_MAX_OTHERS 16

struct hostkeys_result {
	enum hostkeys_status status;
	/* OK: the matching entry; CHANGED: the offending entry; REVOKED:
	 * the @revoked entry. NULL / 0 for NEW. */
	char *file; /* owned */
	size_t line;
	/* Entries for the host with keys of other types (at most
	 * HOSTKEYS_MAX_OTHERS kept; any status). */
	struct hostkeys_other others[HOSTKEYS_MAX_OTHERS];
	size_t nothers;
};

/* Frees what the result owns and zeroes it; NULL-safe. */
void hostkeys_result_clear(struct hostkeys_result *r);
/* A lowercased copy of host (ssh looks names up in lowercase); NULL when
 * out of memory. */
char *hostkeys_lower(const char *host);
/* "host" or "[host]:port", host lowercased, as an owned C string in
 * *out. 0 or hostfile_lookup_name's errors (*out NULL). */
int hostkeys_lookup_name(const char *host, unsigned int port, char **out);

/*
 * Checks key for host and port (0 means 22) against the known_hosts
 * files. On success *res owns its strings (hostkeys_result_clear).
 * Returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_CRYPTO or
 * SESH_ERR_NOMEM; *res is zeroed on entry and filled only on success.
 */
int hostkeys_check(const char *user_path, const char *global_path,
                   const char *host, unsigned int port,
                   const struct sshkey *key, struct hostkeys_result *res);

/*
 * Adds "<name> <type> <base64>" for host and port to path (hashed name
 * with hash). Returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT (file
 * too large), SESH_ERR_NOT_FOUND (a missing grandparent directory),
 * SESH_ERR_SYSTEM (errno set) or SESH_ERR_NOMEM; the file is unchanged on
 * error.
 */
int hostkeys_add(const char *path, const char *host, unsigned int port,
                 const struct sshkey *key, bool hash);

/* ---- StrictHostKeyChecking ---- */

enum hostkeys_strict {
	HOSTKEYS_STRICT_ASK = 0, /* ssh's default */
	HOSTKEYS_STRICT_YES,
	HOSTKEYS_STRICT_ACCEPT_NEW,
	HOSTKEYS_STRICT_NO,
};

/* "yes"/"true", "no"/"false"/"off", "accept-new", "ask" (ASCII case
 * folded). Returns 0 or SESH_ERR_INVALID_ARGUMENT. */
int hostkeys_strict_parse(const char *s, enum hostkeys_strict *out);

enum hostkeys_action {
	HOSTKEYS_ACCEPT = 0, /* go on; write nothing */
	HOSTKEYS_ACCEPT_ADD, /* go on; add the key to the user file and
	                      * print hostkeys_msg_added */
	HOSTKEYS_PROMPT,     /* ask with hostkeys_msg_new_host; on yes
	                      * (or the fingerprint) ACCEPT_ADD, else REFUSE */
	HOSTKEYS_REFUSE,     /* print the matching message, then
	                      * hostkeys_msg_failed; abort the connection */
};

/*
 * The decision ssh makes: OK accepts; REVOKED refuses; CHANGED refuses
 * unless mode is NO (ssh then goes on, with the warning, without writing);
 * NEW refuses under YES, is added under ACCEPT_NEW and NO, and is asked
 * under ASK unless batch (BatchMode: no questions, so refused).
 */
enum hostkeys_action hostkeys_decide(enum hostkeys_strict mode,
                                     enum hostkeys_status status, bool batch);

enum hostkeys_answer {
	HOSTKEYS_ANSWER_NO = 0,
	HOSTKEYS_ANSWER_YES,
	HOSTKEYS_ANSWER_RETRY, /* print hostkeys_msg_retry and ask again */
};

/*
 * Interprets a reply to the new-host prompt (a trailing "\n" or "\r\n"
 * ignored): "yes" / "no" in any case, or the exact fingerprint
 * fp ("SHA256:..."; accepted as yes); an empty reply or NULL (EOF) is no.
 */
enum hostkeys_answer hostkeys_parse_answer(const char *reply, const char *fp);

/* ---- messages (owned, NUL-terminated; free()) ---- */

/*
 * The new-host prompt, ending in "(yes/no/[fingerprint])? " without a
 * newline. ip is the address as text ("[ip]:port" is formed for other
 * ports), NULL when unknown (a proxy command). res (may be NULL) adds
 * ssh's note about keys of other types. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_CRYPTO or SESH_ERR_NOMEM.
 */
int hostkeys_msg_new_host(const char *host, unsigned int port, const char *ip,
                          const struct sshkey *key,
                          const struct hostkeys_result *res, char **out);
/* "Please type 'yes', 'no' or the fingerprint: " */
int hostkeys_msg_retry(char **out);
/* "Warning: Permanently added 'NAME' (TYPE) to the list of known
 * hosts.\n" */
int hostkeys_msg_added(const char *host, unsigned int port,
                       const struct sshkey *key, char **out);
/*
 * The REMOTE HOST IDENTIFICATION HAS CHANGED block for a CHANGED result:
 * the fingerprint of key, "Add correct host key in USER_PATH ...",
 * "Offending TYPE key in FILE:LINE", the ssh-keygen -R hint, and with
 * strict, "Host key for NAME has changed and you have requested strict
 * checking.". Lines end in '\n'.
 */
int hostkeys_msg_changed(const char *user_path, const char *host,
                         unsigned int port, const struct sshkey *key,
                         const struct hostkeys_result *res, bool strict,
                         char **out);
/* The REVOKED HOST KEY DETECTED block. */
int hostkeys_msg_revoked(const char *host, unsigned int port,
                         const struct sshkey *key, char **out);
/* "No TYPE host key is known for NAME and you have requested strict
 * checking.\n" (NEW under StrictHostKeyChecking yes). */
int hostkeys_msg_strict_new(const char *host, unsigned int port,
                            const struct sshkey *key, char **out);
/* "Host key verification failed.\n" */
int hostkeys_msg_failed(char **out);

#endif
