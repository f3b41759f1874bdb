/*
 * srvauth.h - seshd's authentication policy, below the engine's userauth
 * (which parses and builds the messages): user lookup, account checks
 * (AllowUsers/DenyUsers/AllowGroups/DenyGroups, PermitRootLogin,
 * nologin shells), publickey against AuthorizedKeysFile with its options
 * and StrictModes, password through PAM or the shadow file with
 * crypt(3), keyboard-interactive through PAM, PAM account and session
 * stages, and AuthenticationMethods bookkeeping.
 *
 * Unknown users get a fake entry (valid false) so that every check runs
 * the same code and takes about the same time as for a real user with a
 * wrong password; they can never succeed.
 *
 * These calls may block (PAM, files): seshd runs one process per
 * connection, so only that connection waits.
 */
#ifndef SESH_APP_SRVAUTH_H
#define SESH_APP_SRVAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "app/servconf.h"
#include "key/key.h"

struct srv_user {
	char *name;
	uid_t uid;
	gid_t gid;
	char *home;
	char *shell;
	char **groups; /* group names, NULL-terminated */
	bool valid;    /* false: no such user (fake entry) */
};

void srv_user_clear(struct srv_user *u);
/* getpwnam + groups; an unknown name gives valid=false and returns 0.
 * Returns 0, SESH_ERR_NOMEM or SESH_ERR_SYSTEM. */
int srvauth_user_lookup(const char *name, struct srv_user *out);

/*
 * Account checks that do not depend on the method: a valid user,
 * AllowUsers/DenyUsers (user, user@host patterns)/AllowGroups/DenyGroups,
 * a login shell that exists and is not nologin-like... *why (owned,
 * may be NULL) says why not, in sshd's log words ("User bob from
 * 127.0.0.1 not allowed because listed in DenyUsers"). Returns 0 and
 * *ok.
 */
int srvauth_account_allowed(const struct servconf *c,
                            const struct srv_user *u, const char *rhost,
                            const char *raddr, bool *ok, char **why);

enum srvauth_method {
	SRVAUTH_NONE = 0,
	SRVAUTH_PUBKEY,
	SRVAUTH_PASSWORD,
	SRVAUTH_KBDINT,
};

/* PermitRootLogin for a successful method (forced: a forced command
 * applies, from ForceCommand or command=). Non-root users: true. */
bool srvauth_root_allowed(const struct servconf *c, const struct srv_user *u,
                          enum srvauth_method m, bool forced);

/* authorized_keys options of the matching line (key/authfile.h parses
 * them; this is the policy view). */
struct srv_keyopts {
	char *command;       /* command="..." or NULL */
	char **environment;  /* environment="N=V" (PermitUserEnvironment) */
	bool no_pty, no_port_forwarding, no_agent_forwarding,
	    no_x11_forwarding, no_user_rc;
	uint64_t expiry;     /* expiry-time as seconds since epoch; 0: none */
	char *where;         /* "file:line" of the matching line */
};
void srv_keyopts_clear(struct srv_keyopts *o);

/*
 * Is key authorized for u? Reads each AuthorizedKeysFile (%h %u %%
 * expanded, relative to home) as the user would (StrictModes: refuse a
 * group/world-writable home, ~/.ssh or key file, or one not owned by
 * the user or root), matches from= against raddr/rhost, expiry-time
 * against now. Returns 0 with *ok, and *opts filled when ok.
 */
int srvauth_pubkey_allowed(const struct servconf *c, const struct srv_user *u,
                           const struct sshkey *key, const char *rhost,
                           const char *raddr, uint64_t now, bool *ok,
                           struct srv_keyopts *opts);

/*
 * Checks a password: PAM (UsePAM yes, service PAMServiceName, PAM_RHOST
 * rhost) or crypt(3) against the shadow entry. Empty passwords only with
 * PermitEmptyPasswords. Unknown users run the same work and fail.
 * Returns 0 with *ok.
 */
int srvauth_password(const struct servconf *c, const struct srv_user *u,
                     const char *rhost, const char *password, bool *ok);

/* keyboard-interactive through PAM (UsePAM yes; without PAM there is
 * none). A conversation runs in a helper process so its prompts can go
 * to the client between calls. */
struct srvauth_kbdint;
struct srvauth_prompts {
	char *name, *instruction;
	char **prompts; /* NULL-terminated */
	bool *echo;
	size_t n;
};
void srvauth_prompts_clear(struct srvauth_prompts *p);
int srvauth_kbdint_start(const struct servconf *c, const struct srv_user *u,
                         const char *rhost, struct srvauth_kbdint **out);
/*
 * First call with answers NULL/0. Gives either the next prompts
 * (*done false) or the result (*done true, *ok). Returns 0 or an error
 * (the conversation is over).
 */
int srvauth_kbdint_next(struct srvauth_kbdint *k, const char *const *answers,
                        size_t n, struct srvauth_prompts *p, bool *done,
                        bool *ok);
void srvauth_kbdint_free(struct srvauth_kbdint *k);

/* PAM account stage (pam_acct_mgmt) when UsePAM; 0 with *ok. */
int srvauth_pam_account(const struct servconf *c, const struct srv_user *u,
                        const char *rhost, bool *ok);
/* PAM session stage, as root, before privileges are dropped: opens and
 * later closes; env gets PAM's environment ("N=V", NULL-terminated,
 * owned by the session). */
struct srvauth_pam_session;
int srvauth_pam_open_session(const struct servconf *c,
                             const struct srv_user *u, const char *rhost,
                             const char *tty, struct srvauth_pam_session **out);
const char *const *srvauth_pam_env(const struct srvauth_pam_session *s);
void srvauth_pam_close_session(struct srvauth_pam_session *s);

/*
 * AuthenticationMethods: which methods are still needed. init from the
 * config; after each successful method, srvauth_methods_done() says
 * whether the user is now fully authenticated (else partial success) and
 * srvauth_methods_next() lists what may continue ("publickey,password"
 * style, for USERAUTH_FAILURE), honouring Pubkey/Password/KbdInteractive
 * Authentication.
 */
struct srvauth_methods;
int srvauth_methods_new(const struct servconf *c, struct srvauth_methods **out);
void srvauth_methods_free(struct srvauth_methods *m);
int srvauth_methods_success(struct srvauth_methods *m, enum srvauth_method x,
                            bool *complete);
bool srvauth_methods_allowed(const struct srvauth_methods *m,
                             enum srvauth_method x);
/* The methods that can continue, comma separated, owned by m. */
const char *srvauth_methods_next(const struct srvauth_methods *m);

#endif
