/*
 * srvauth_int.h - helpers shared by the srvauth*.c files (not part of the
 * srvauth.h contract).
 */
#ifndef SESH_APP_SRVAUTH_INT_H
#define SESH_APP_SRVAUTH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <security/pam_appl.h>

#include "app/srvauth.h"


/* getgrouplist() of name into a fresh array (free()). Returns 0,
 * SESH_ERR_NOMEM or SESH_ERR_LIMIT. */
int srvauth_user_gids(const char *name, gid_t gid, gid_t **out, size_t *n);

/*
 * Temporarily takes the user's effective uid, gid and supplementary
 * groups (only when running as root and u is a valid non-root user;
 * otherwise a no-op), so that files are opened as the user would open
 * them. srvauth_ids_restore() undoes it. Returns 0, SESH_ERR_NOMEM or
 * SESH_ERR_SYSTEM (nothing changed).
 */
struct srvauth_saved_ids {
	bool switched;
	uid_t euid;
	gid_t egid;
	gid_t *groups;
	int ngroups;
};
int srvauth_ids_switch(const struct srv_user *u, struct srvauth_saved_ids *s);
/* Returns 0 or SESH_ERR_SYSTEM (the process could not get its
 * identity back; the caller must not continue). */
int srvauth_ids_restore(struct srvauth_saved_ids *s);

/* PAM_RHOST value: rhost, or "UNKNOWN". */
const char *srvauth_rhost(const char *rhost);
/* PAMServiceName, or "seshd". */
const char *srvauth_pam_service(const struct servconf *c);
/* pam_start() with the items sshd sets: the user name, PAM_RHOST and
 * PAM_TTY (tty, or "ssh" when NULL). Returns 0 or SESH_ERR_SYSTEM
 * (logged; *h NULL). */
int srvauth_pam_begin(const struct servconf *c, const struct srv_user *u,
                      const char *rhost, const char *tty,
                      const struct pam_conv *conv, pam_handle_t **h);

#endif
