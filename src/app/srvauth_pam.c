/*
 * srvauth_pam.c - password authentication (PAM, or the shadow file with
 * crypt(3) when UsePAM is no) and the PAM account and session stages.
 * Contract in srvauth.h; keyboard-interactive is in srvauth_kbdint.c.
 *
 * As sshd does, a password attempt that cannot succeed (unknown user,
 * root where PermitRootLogin forbids passwords) still runs the whole
 * check with a password that cannot match, so that its reply takes about
 * as long as a real failure. An empty password is refused at once unless
 * PermitEmptyPasswords (the same for every user).
 */
#include "app/srvauth.h"

#include <crypt.h>
#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <stdlib.h>
#include <string.h>

#include "app/srvauth_int.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

#define DEFAULT_PAM_SERVICE "seshd"

/* What an impossible attempt sends instead of the user's password. */
static const char bad_password[] = "\b\n\r\177INCORRECT";

const char *
srvauth_rhost(const char *rhost)
{
	return rhost != NULL && rhost[0] != '\0' ? rhost : "UNKNOWN";
}

const char *
srvauth_pam_service(const struct servconf *c)
{
	return c->pam_service_name != NULL && c->pam_service_name[0] != '\0'
	           ? c->pam_service_name
	           : DEFAULT_PAM_SERVICE;
}

/* Answers every hidden prompt with the password; no visible prompts. */
static int
password_conv(int num_msg, const struct pam_message **msg,
              struct pam_response **resp, void *appdata)
{
	const char *pw = appdata;
	struct pam_response *r;
	int i;

	*resp = NULL;
	if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG) {
		return PAM_CONV_ERR;
	}
	if ((r = calloc((size_t)num_msg, sizeof(*r))) == NULL) {
		return PAM_BUF_ERR;
	}
	for (i = 0; i < num_msg; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			if ((r[i].resp = strdup(pw)) == NULL) {
				goto fail;
			}
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			log_debug("PAM: %s",
			          msg[i]->msg != NULL ? msg[i]->msg : "");
			break;
		default:
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < num_msg; i++) {
		mem_free_string_secret(r[i].resp);
	}
	free(r);
	return PAM_CONV_ERR;
}

int
srvauth_pam_begin(const struct servconf *c, const struct srv_user *u,
                  const char *rhost, const char *tty,
                  const struct pam_conv *conv, pam_handle_t **h)
{
	int r;

	*h = NULL;
	r = pam_start(srvauth_pam_service(c), u->name, conv, h);
	if (r != PAM_SUCCESS) {
		log_error("PAM: pam_start(%s): %s", srvauth_pam_service(c),
		          pam_strerror(*h, r));
		if (*h != NULL) {
			pam_end(*h, r);
			*h = NULL;
		}
		return SESH_ERR_SYSTEM;
	}
	if ((r = pam_set_item(*h, PAM_RHOST, srvauth_rhost(rhost))) !=
	        PAM_SUCCESS ||
	    (r = pam_set_item(*h, PAM_TTY, tty != NULL ? tty : "ssh")) !=
	        PAM_SUCCESS) {
		log_error("PAM: pam_set_item: %s", pam_strerror(*h, r));
		pam_end(*h, r);
		*h = NULL;
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

static int
password_pam(const struct servconf *c, const struct srv_user *u,
             const char *rhost, const char *password, bool *ok)
{
	struct pam_conv conv = {password_conv, (void *)password};
	pam_handle_t *h = NULL;
	int r, ret, flags = 0;

	if ((ret = srvauth_pam_begin(c, u, rhost, NULL, &conv, &h)) != 0) {
		return ret;
	}
	if (c->permit_empty_passwords != 1) {
		flags |= PAM_DISALLOW_NULL_AUTHTOK;
	}
	r = pam_authenticate(h, flags);
	if (r == PAM_SUCCESS) {
		r = pam_acct_mgmt(h, flags);
		if (r == PAM_NEW_AUTHTOK_REQD) {
			log_info("PAM: password of %s has expired; change "
			         "required",
			         u->name);
		}
	}
	if (r != PAM_SUCCESS) {
		log_debug("PAM: password authentication for %s failed: %s",
		          u->name, pam_strerror(h, r));
	}
	*ok = r == PAM_SUCCESS;
	pam_end(h, r);
	return 0;
}

/* The stored hash: the shadow entry, else the passwd field. */
static char *
stored_hash(const char *name)
{
	struct spwd sp, *sres = NULL;
	struct passwd pw, *pres = NULL;
	char *buf, *hash = NULL;
	size_t sz = 16384;

	if ((buf = malloc(sz)) == NULL) {
		return NULL;
	}
	if (getspnam_r(name, &sp, buf, sz, &sres) == 0 && sres != NULL &&
	    sp.sp_pwdp != NULL) {
		hash = strdup(sp.sp_pwdp);
	} else if (getpwnam_r(name, &pw, buf, sz, &pres) == 0 && pres != NULL &&
	           pw.pw_passwd != NULL && strcmp(pw.pw_passwd, "x") != 0) {
		hash = strdup(pw.pw_passwd);
	}
	mem_free_secret(buf, sz);
	return hash;
}

static int
password_shadow(const struct servconf *c, const struct srv_user *u,
                const char *password, bool usable, bool *ok)
{
	struct crypt_data *cd = NULL;
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char *hash = NULL;
	const char *res;
	bool locked = false;
	int ret = 0;

	if ((cd = calloc(1, sizeof(*cd))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (u->valid) {
		hash = stored_hash(u->name);
	}
	if (hash != NULL && hash[0] == '\0') {
		/* No password at all. */
		*ok = usable && password[0] == '\0' &&
		      c->permit_empty_passwords == 1;
		goto out;
	}
	if (hash == NULL || hash[0] == '!' || hash[0] == '*') {
		/* Locked, unreadable or unknown: hash anyway for timing. */
		locked = true;
		free(hash);
		hash = NULL;
		if (crypt_gensalt_rn(NULL, 0, NULL, 0, setting,
		                     sizeof(setting)) == NULL) {
			ret = SESH_ERR_SYSTEM;
			goto out;
		}
	}
	res = crypt_r(password, hash != NULL ? hash : setting, cd);
	*ok = usable && !locked && hash != NULL && res != NULL &&
	      res[0] != '*' && strlen(res) == strlen(hash) &&
	      mem_equal_ct(res, hash, strlen(hash));
out:
	mem_free_string_secret(hash);
	mem_free_secret(cd, sizeof(*cd));
	return ret;
}

int
srvauth_password(const struct servconf *c, const struct srv_user *u,
                 const char *rhost, const char *password, bool *ok)
{
	bool usable;

	if (ok != NULL) {
		*ok = false;
	}
	if (c == NULL || u == NULL || u->name == NULL || password == NULL ||
	    ok == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (password[0] == '\0' && c->permit_empty_passwords != 1) {
		return 0;
	}
	usable =
	    u->valid && srvauth_root_allowed(c, u, SRVAUTH_PASSWORD, false);
	if (c->use_pam == 1) {
		bool pok = false;
		int ret = password_pam(c, u, rhost,
		                       usable ? password : bad_password, &pok);

		*ok = ret == 0 && pok && usable;
		return ret;
	}
	return password_shadow(c, u, usable ? password : bad_password, usable,
	                       ok);
}

int
srvauth_pam_account(const struct servconf *c, const struct srv_user *u,
                    const char *rhost, bool *ok)
{
	struct pam_conv conv = {password_conv, (void *)bad_password};
	pam_handle_t *h = NULL;
	int r, ret;

	if (ok != NULL) {
		*ok = false;
	}
	if (c == NULL || u == NULL || u->name == NULL || ok == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (c->use_pam != 1) {
		*ok = u->valid;
		return 0;
	}
	if ((ret = srvauth_pam_begin(c, u, rhost, NULL, &conv, &h)) != 0) {
		return ret;
	}
	r = pam_acct_mgmt(h, 0);
	if (r != PAM_SUCCESS) {
		log_info("PAM: account check for %s failed: %s", u->name,
		         pam_strerror(h, r));
	}
	*ok = r == PAM_SUCCESS && u->valid;
	pam_end(h, r);
	return 0;
}

struct srvauth_pam_session {
	pam_handle_t *h;
	char **env;
	bool cred;
	bool opened;
};

int
srvauth_pam_open_session(const struct servconf *c, const struct srv_user *u,
                         const char *rhost, const char *tty,
                         struct srvauth_pam_session **out)
{
	struct pam_conv conv = {password_conv, (void *)bad_password};
	struct srvauth_pam_session *s = NULL;
	char **pe;
	size_t n = 0, i;
	int r, ret;

	if (out != NULL) {
		*out = NULL;
	}
	if (c == NULL || u == NULL || u->name == NULL || out == NULL ||
	    !u->valid) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (c->use_pam != 1) {
		/* No PAM: an empty session with no environment. */
		if ((s->env = mem_array(1, sizeof(char *))) == NULL) {
			free(s);
			return SESH_ERR_NOMEM;
		}
		*out = s;
		return 0;
	}
	if ((ret = srvauth_pam_begin(c, u, rhost, tty, &conv, &s->h)) != 0) {
		free(s);
		return ret;
	}
	if ((r = pam_open_session(s->h, 0)) != PAM_SUCCESS) {
		log_error("PAM: pam_open_session(): %s", pam_strerror(s->h, r));
		ret = SESH_ERR_SYSTEM;
		goto fail;
	}
	s->opened = true;
	if ((r = pam_setcred(s->h, PAM_ESTABLISH_CRED)) != PAM_SUCCESS) {
		log_error("PAM: pam_setcred(): %s", pam_strerror(s->h, r));
		ret = SESH_ERR_SYSTEM;
		goto fail;
	}
	s->cred = true;
	pe = pam_getenvlist(s->h);
	for (n = 0; pe != NULL && pe[n] != NULL; n++) {
	}
	if ((s->env = mem_array(n + 1, sizeof(char *))) == NULL) {
		ret = SESH_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		if (s->env != NULL) {
			s->env[i] = pe[i];
		} else {
			free(pe[i]);
		}
	}
	free(pe);
	if (s->env == NULL) {
		goto fail;
	}
	*out = s;
	return 0;
fail:
	srvauth_pam_close_session(s);
	return ret;
}

const char *const *
srvauth_pam_env(const struct srvauth_pam_session *s)
{
	static const char *const empty_env[] = {NULL};

	if (s == NULL || s->env == NULL) {
		return empty_env;
	}
	return (const char *const *)s->env;
}

void
srvauth_pam_close_session(struct srvauth_pam_session *s)
{
	int r = PAM_SUCCESS;

	if (s == NULL) {
		return;
	}
	if (s->h != NULL) {
		if (s->cred) {
			(void)pam_setcred(s->h, PAM_DELETE_CRED);
		}
		if (s->opened &&
		    (r = pam_close_session(s->h, 0)) != PAM_SUCCESS) {
			log_error("PAM: pam_close_session(): %s",
			          pam_strerror(s->h, r));
		}
		pam_end(s->h, r);
	}
	mem_strv_free(s->env);
	free(s);
}
