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
/* getpwnam + groups; an unknown name gives valid=false and returns 0
 * (uid/gid 65534, home /nonexistent, shell /bin/sh, no groups). An empty
 * passwd shell field becomes /bin/sh. Returns 0, SESH_ERR_NOMEM,
 * SESH_ERR_LIMIT (absurdly many groups), SESH_ERR_INVALID_ARGUMENT or
 * SESH_ERR_SYSTEM. Free with srv_user_clear(). */
int srvauth_user_lookup(const char *name, struct srv_user *out);

/*
 * Account checks that do not depend on the method, in sshd's order: a
 * valid user ("Invalid user bob from 127.0.0.1"); without PAM, a shadow
 * entry that is not locked ("User bob not allowed because account is
 * locked") or expired ("Account bob has expired"); unless
 * ChrootDirectory is set, a shell that exists and is executable ("User
 * bob not allowed because shell /x does not exist" / "... is not
 * executable"; as in sshd a nologin shell passes and refuses the
 * session itself); then DenyUsers, AllowUsers (user or user@host
 * patterns, the host part matched as authorized_keys from=, CIDR
 * included), DenyGroups, AllowGroups ("User bob from 127.0.0.1 not
 * allowed because listed in DenyUsers" / "not listed in AllowUsers" /
 * "a group is listed in DenyGroups" / "none of user's groups are listed
 * in AllowGroups"). "from" is rhost, else raddr. *why (owned, may be
 * NULL; NULL when ok) says why not. Returns 0 and *ok, or
 * SESH_ERR_INVALID_ARGUMENT.
 */
int srvauth_account_allowed(const struct servconf *c, const struct srv_user *u,
                            const char *rhost, const char *raddr, bool *ok,
                            char **why);

enum srvauth_method {
	SRVAUTH_NONE = 0,
	SRVAUTH_PUBKEY,
	SRVAUTH_PASSWORD,
	SRVAUTH_KBDINT,
};

/* PermitRootLogin for a successful method: yes; prohibit-password
 * (the default, also when unset): publickey only; forced-commands-only:
 * publickey with forced true, i.e. the key's command= option applies
 * (as in sshd, ForceCommand does not count); no. Non-root users
 * (uid != 0): true. */
bool srvauth_root_allowed(const struct servconf *c, const struct srv_user *u,
                          enum srvauth_method m, bool forced);

/* authorized_keys options of the matching line (key/authfile.h parses
 * them; this is the policy view). */
struct srv_keyopts {
	char *command;      /* command="..." or NULL */
	char **environment; /* environment="N=V" (PermitUserEnvironment) */
	bool no_pty, no_port_forwarding, no_agent_forwarding, no_x11_forwarding,
	    no_user_rc;
	uint64_t expiry; /* expiry-time as seconds since epoch; 0: none */
	char *where;     /* "file:line" of the matching line */
};
void srv_keyopts_clear(struct srv_keyopts *o);

/*
 * Keys that already passed a publickey step: AuthenticationMethods
 * "publickey,publickey" wants another key each time (as sshd).
 * srvauth_key_used logs sshd's "refusing previously-used ED25519 key".
 */
#define SRVAUTH_MAX_USED_KEYS 8u
struct srvauth_used_keys {
	struct sshkey *k[SRVAUTH_MAX_USED_KEYS]; /* public copies */
	size_t n;
};
bool srvauth_key_used(const struct srvauth_used_keys *u,
                      const struct sshkey *k);
/* Keeps a public copy of k (the first SRVAUTH_MAX_USED_KEYS only). */
void srvauth_key_remember(struct srvauth_used_keys *u, const struct sshkey *k);
void srvauth_used_keys_clear(struct srvauth_used_keys *u);
/* sshd's key detail for logs, "ED25519 SHA256:..." (NUL-terminated,
 * empty if the fingerprint cannot be made). */
void srvauth_key_detail(const struct sshkey *k, char *out, size_t n);

/*
 * Is key authorized for u? Reads each AuthorizedKeysFile (%h %u %%
 * expanded, relative to home) as the user would (StrictModes: refuse a
 * group/world-writable home, ~/.ssh or key file, or one not owned by
 * the user or root), matches from= against raddr/rhost, expiry-time
 * against now (seconds since the epoch). "none" is no file; unknown %
 * tokens skip that file. cert-authority lines are skipped. The first
 * line with the key whose from= and expiry-time allow the connection
 * wins; a refused line does not stop the search. Unknown users never
 * match. Stateless: the server calls it for the query and again for the
 * signature. Returns 0 with *ok (and *opts filled, to be freed with
 * srv_keyopts_clear, when ok), SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM
 * or SESH_ERR_SYSTEM (the process could not restore its identity).
 */
int srvauth_pubkey_allowed(const struct servconf *c, const struct srv_user *u,
                           const struct sshkey *key, const char *rhost,
                           const char *raddr, uint64_t now, bool *ok,
                           struct srv_keyopts *opts);

/*
 * Checks a password: PAM (UsePAM yes, service PAMServiceName, PAM_RHOST
 * rhost; pam_authenticate then pam_acct_mgmt) or crypt(3) against the
 * shadow entry (locked "!"/"*" entries fail). Empty passwords only with
 * PermitEmptyPasswords. PermitRootLogin is applied here too (root with
 * a password needs "yes"). Unknown users and refused root run the same
 * work with a password that cannot match, and fail. Returns 0 with *ok,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM or SESH_ERR_SYSTEM (PAM
 * could not start: logged).
 */
int srvauth_password(const struct servconf *c, const struct srv_user *u,
                     const char *rhost, const char *password, bool *ok);

/* keyboard-interactive through PAM (UsePAM yes and
 * KbdInteractiveAuthentication not no; otherwise start returns
 * SESH_ERR_UNSUPPORTED). A conversation runs in a forked helper process
 * so its prompts can go to the client between calls; free kills and
 * reaps it. The outcome is never ok for an unknown user or for root
 * unless PermitRootLogin yes. Prompts: name "", PAM's text messages in
 * instruction; a request with n == 0 (just text) may come before the
 * outcome and is answered with no answers. */
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
 * (the conversation is over): SESH_ERR_PROTOCOL (wrong number of
 * answers, or the helper died), SESH_ERR_INVALID_ARGUMENT (called after
 * the end), SESH_ERR_NOMEM, SESH_ERR_LIMIT, SESH_ERR_SYSTEM. Free *p
 * with srvauth_prompts_clear().
 */
int srvauth_kbdint_next(struct srvauth_kbdint *k, const char *const *answers,
                        size_t n, struct srvauth_prompts *p, bool *done,
                        bool *ok);
void srvauth_kbdint_free(struct srvauth_kbdint *k);

/* PAM account stage (pam_acct_mgmt) when UsePAM (without PAM: *ok is
 * u->valid); 0 with *ok, or SESH_ERR_SYSTEM if PAM cannot start. */
int srvauth_pam_account(const struct servconf *c, const struct srv_user *u,
                        const char *rhost, bool *ok);
/* PAM session stage, as root, before privileges are dropped: opens and
 * later closes; env gets PAM's environment ("N=V", NULL-terminated,
 * owned by the session; never NULL). PAM_TTY is tty (NULL: "ssh"). u
 * must be valid. Without PAM: an empty session. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM or SESH_ERR_SYSTEM (logged).
 * close (NULL-safe) deletes credentials, closes and frees. */
struct srvauth_pam_session;
int srvauth_pam_open_session(const struct servconf *c, const struct srv_user *u,
                             const char *rhost, const char *tty,
                             struct srvauth_pam_session **out);
const char *const *srvauth_pam_env(const struct srvauth_pam_session *s);
void srvauth_pam_close_session(struct srvauth_pam_session *s);

/*
 * AuthenticationMethods: which methods are still needed. init from the
 * config; after each successful method, srvauth_methods_done() says
 * whether the user is now fully authenticated (else partial success) and
 * srvauth_methods_next() lists what may continue ("publickey,password"
 * style, for USERAUTH_FAILURE, in sshd's order publickey, password,
 * keyboard-interactive; "" once complete), honouring Pubkey/Password/
 * KbdInteractive Authentication (keyboard-interactive only with UsePAM).
 * Each list is ordered: a method may be tried when it is the next step of
 * some list. Lists naming a disabled or unknown method are dropped (as
 * sshd does); none left: new returns SESH_ERR_INVALID_ARGUMENT. success
 * for a method that is not allowed now returns SESH_ERR_INVALID_ARGUMENT.
 * A list may repeat publickey; the server must then insist on another key.
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

/*
 * Failed-attempt delay (srvauth_delay.c; issue 7): every failed
 * password, keyboard-interactive or signed publickey attempt is answered
 * no sooner than a per-user delay after the request arrived, the same
 * code for valid and unknown users, so that reply time does not tell
 * them apart. The delay is SRVAUTH_DELAY_MIN_US plus a jitter below
 * SRVAUTH_DELAY_JITTER_US from HMAC-SHA256(key, user name): stable for a
 * user as long as the key is, so averaging many attempts does not remove
 * it. A check that took longer waits until the next multiple of the
 * delay.
 */
#define SRVAUTH_DELAY_KEY_LEN   32u
#define SRVAUTH_DELAY_MIN_US    5000u
#define SRVAUTH_DELAY_JITTER_US 10000u
/* The key: derived from the first Ed25519 (else RSA) private host key
 * (a deterministic signature over a fixed label, hashed), so that every
 * connection process of a daemon with the same host keys uses the same
 * key without the listener passing a secret; with no such key, random
 * (stable within this process only). Returns 0, SESH_ERR_INVALID_ARGUMENT
 * or SESH_ERR_CRYPTO (no key could be made). */
int srvauth_delay_key(const struct sshkey *const *hostkeys, size_t n,
                      uint8_t key[SRVAUTH_DELAY_KEY_LEN]);
/* The delay in microseconds for user (in [MIN, MIN + JITTER)); the
 * minimum when the HMAC fails. */
uint32_t srvauth_delay_us(const uint8_t key[SRVAUTH_DELAY_KEY_LEN],
                          const char *user);
/* When to answer (µs since the request arrived) after elapsed µs of
 * work: delay, or the next multiple of delay not below elapsed. */
uint64_t srvauth_delay_target_us(uint64_t elapsed_us, uint32_t delay_us);

#endif
