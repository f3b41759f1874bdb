/*
 * client_auth.c - the client's user authentication policy over the
 * userauth engine (ssh/userauth.h).
 *
 * Order: "none" first (to learn the server's methods), then the methods
 * of PreferredAuthentications (default publickey, keyboard-interactive,
 * password) that the options leave enabled, in that order, each as long
 * as the server lists it and it has attempts left:
 *  - publickey: the agent's keys (only those matching an identity file
 *    under IdentitiesOnly), then the identity files not already offered
 *    through the agent. Each key is queried first (with the public key:
 *    an encrypted file's passphrase is asked only for a key the server
 *    takes); on PK_OK it is signed by the agent or with the private key
 *    (kept decrypted for the connection).
 *  - keyboard-interactive: up to NumberOfPasswordPrompts rounds.
 *  - password: up to NumberOfPasswordPrompts prompts.
 * BatchMode disables every prompt (password, keyboard-interactive and
 * passphrases). At the end: "user@host: Permission denied (list)."
 *
 * Prompts go to /dev/tty, or to SSH_ASKPASS as ssh(1) decides:
 * SSH_ASKPASS_REQUIRE=force always, =prefer when DISPLAY is set, =never
 * never; otherwise only without a terminal and with DISPLAY set.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/client_int.h"
#include "app/fileio.h"
#include "app/paths.h"
#include "app/tty.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "key/key.h"
#include "key/keyfile.h"

#define CLIENT_ASKPASS_MAX     1024
#define CLIENT_ASKPASS_DEFAULT "/usr/bin/ssh-askpass"
#define CLIENT_DEFAULT_PREF    "publickey,keyboard-interactive,password"
#define CLIENT_MAX_CANDS       64

/* ---- prompting ---- */

/* Runs the askpass program with the prompt; the first line it prints. */
static int
askpass(const char *prog, const char *prompt, char **out)
{
	int pfd[2];
	pid_t pid;
	char buf[CLIENT_ASKPASS_MAX + 1];
	size_t len = 0;
	ssize_t r;
	int st = 0, ret = 0;

	*out = NULL;
	if (pipe(pfd) != 0) {
		return SESH_ERR_SYSTEM;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return SESH_ERR_SYSTEM;
	}
	if (pid == 0) {
		close(pfd[0]);
		if (dup2(pfd[1], STDOUT_FILENO) < 0) {
			_exit(1);
		}
		execlp(prog, prog, prompt, (char *)NULL);
		fprintf(stderr, "sesh_askpass: exec(%s): %s\n", prog,
		        strerror(errno));
		_exit(1);
	}
	close(pfd[1]);
	for (;;) {
		r = read(pfd[0], buf + len, CLIENT_ASKPASS_MAX - len);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		len += (size_t)r;
		if (len == CLIENT_ASKPASS_MAX) {
			break;
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		ret = SESH_ERR_SYSTEM;
	} else if ((*out = mem_strdup(buf)) == NULL) {
		ret = SESH_ERR_NOMEM;
	}
	mem_wipe(buf, sizeof(buf));
	return ret;
}

/* An answer read with echo on, from /dev/tty. */
static int
tty_read_echo(const char *prompt, char **out)
{
	char buf[TTY_LINE_MAX + 1];
	size_t len = 0;
	ssize_t r;
	char ch;
	int fd, ret = 0;

	*out = NULL;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		return SESH_ERR_SYSTEM;
	}
	(void)client_write_all(fd, (const uint8_t *)prompt, strlen(prompt));
	for (;;) {
		r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0 || ch == '\n' || ch == '\r') {
			break;
		}
		if (len < TTY_LINE_MAX) {
			buf[len++] = ch;
		}
	}
	close(fd);
	buf[len] = '\0';
	if ((*out = mem_strdup(buf)) == NULL) {
		ret = SESH_ERR_NOMEM;
	}
	mem_wipe(buf, sizeof(buf));
	return ret;
}

int
client_read_secret(const struct client *cl, const char *prompt, bool echo,
                   char **out)
{
	const char *display = getenv("DISPLAY");
	const char *req = getenv("SSH_ASKPASS_REQUIRE");
	const char *prog = getenv("SSH_ASKPASS");
	bool allow = display != NULL && *display != '\0';
	bool use = false;

	*out = NULL;
	if (cl->o->batch) {
		return SESH_ERR_NOT_FOUND;
	}
	if (req != NULL && strcmp(req, "force") == 0) {
		use = allow = true;
	} else if (req != NULL && strcmp(req, "prefer") == 0) {
		use = allow;
	} else if (req != NULL && strcmp(req, "never") == 0) {
		allow = false;
	}
	if (!use && allow && !tty_available()) {
		use = true;
	}
	if (use) {
		if (prog == NULL || *prog == '\0') {
			prog = CLIENT_ASKPASS_DEFAULT;
		}
		return askpass(prog, prompt, out);
	}
	if (!tty_available()) {
		fprintf(stderr, "sesh: read_passphrase: can't open /dev/tty: "
		                "No such device or address\r\n");
		return SESH_ERR_NOT_FOUND;
	}
	if (echo) {
		return tty_read_echo(prompt, out);
	}
	return tty_read_passphrase(prompt, out);
}

/* ---- methods ---- */

static bool
server_lists(const struct client *cl, const char *m)
{
	const char *l = cl->au.methods;

	if (l == NULL) {
		return true;
	}
	return namelist_has((const uint8_t *)l, strlen(l), m);
}

static unsigned int
prompts_max(const struct client *cl)
{
	return cl->o->password_prompts != 0 ? cl->o->password_prompts : 3;
}

/* The preferred methods that are enabled and known, comma-separated. */
static int
build_pref(struct client *cl)
{
	const struct client_opts *o = cl->o;
	const char *src =
	    o->preferred_auth != NULL ? o->preferred_auth : CLIENT_DEFAULT_PREF;
	char *copy, *tok, *save = NULL;
	struct buf b;
	int ret = 0;

	if ((copy = mem_strdup(src)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	buf_init(&b, 0);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		bool ok = false;

		if (strcmp(tok, "publickey") == 0) {
			ok = !o->no_pubkey_auth;
		} else if (strcmp(tok, "password") == 0) {
			ok = !o->no_password_auth && !o->batch;
		} else if (strcmp(tok, "keyboard-interactive") == 0) {
			ok = !o->no_kbdint_auth && !o->batch;
		}
		if (!ok) {
			continue;
		}
		if ((buf_len(&b) > 0 && (ret = buf_put_u8(&b, ',')) != 0) ||
		    (ret = buf_put(&b, tok, strlen(tok))) != 0) {
			break;
		}
	}
	if (ret == 0) {
		ret = buf_put_u8(&b, 0);
	}
	if (ret == 0) {
		cl->au.pref = mem_strdup((const char *)buf_data(&b));
		if (cl->au.pref == NULL) {
			ret = SESH_ERR_NOMEM;
		}
	}
	buf_clear(&b);
	free(copy);
	return ret;
}

/* Moves to the next preferred method the server lists; false at the end. */
static bool
advance_method(struct client *cl)
{
	struct client_auth *au = &cl->au;
	size_t len;

	free(au->cur);
	au->cur = NULL;
	au->cur_started = false;
	while (au->pref[au->pos] != '\0') {
		len = strcspn(au->pref + au->pos, ",");
		au->cur = strndup(au->pref + au->pos, len);
		au->pos += len;
		if (au->pref[au->pos] == ',') {
			au->pos++;
		}
		if (au->cur == NULL) {
			return false;
		}
		if (server_lists(cl, au->cur)) {
			log_debug("Next authentication method: %s", au->cur);
			return true;
		}
		free(au->cur);
		au->cur = NULL;
	}
	return false;
}

/* ---- publickey ---- */

static int
read_pub_file(const char *path, struct sshkey **out)
{
	char *pubpath = NULL;
	uint8_t *data = NULL;
	size_t n = 0;
	int ret;

	*out = NULL;
	if (asprintf(&pubpath, "%s.pub", path) < 0) {
		return SESH_ERR_NOMEM;
	}
	ret = fileio_read(pubpath, 0, &data, &n);
	if (ret == 0) {
		ret = keyfile_parse_public(data, n, out);
	}
	free(data);
	free(pubpath);
	return ret;
}

/* The public key of an identity file (private file, else path.pub). */
static int
identity_public(const char *path, struct sshkey **out)
{
	uint8_t *data = NULL;
	size_t n = 0;
	bool enc = false;
	struct sshkey *pub = NULL, *priv = NULL;
	int ret;

	*out = NULL;
	if ((ret = fileio_read(path, 0, &data, &n)) != 0) {
		/* only the .pub may be here: an agent holds the key */
		return read_pub_file(path, out) == 0 ? 0 : ret;
	}
	ret = keyfile_peek(data, n, &enc, &pub);
	if (ret == 0 && pub == NULL && !enc &&
	    keyfile_parse_private(data, n, NULL, &priv) == 0) {
		ret = key_public_copy(priv, &pub);
		key_free(priv);
	}
	mem_free_secret(data, n);
	if (pub == NULL && read_pub_file(path, &pub) != 0) {
		return ret != 0 ? ret : SESH_ERR_NOT_FOUND;
	}
	*out = pub;
	return 0;
}

static int
add_cand(struct client_auth *au, struct sshkey *pub, const char *path,
         bool agent)
{
	struct client_cand *nc;

	if (au->ncands >= CLIENT_MAX_CANDS) {
		key_free(pub);
		return 0;
	}
	nc = realloc(au->cands, (au->ncands + 1) * sizeof(*nc));
	if (nc == NULL) {
		key_free(pub);
		return SESH_ERR_NOMEM;
	}
	au->cands = nc;
	nc[au->ncands].pub = pub;
	nc[au->ncands].priv = NULL;
	nc[au->ncands].agent = agent;
	nc[au->ncands].path = NULL;
	if (path != NULL && (nc[au->ncands].path = mem_strdup(path)) == NULL) {
		key_free(pub);
		return SESH_ERR_NOMEM;
	}
	au->ncands++;
	return 0;
}

static void
prepare_cands(struct client *cl)
{
	static const char *const words[] = {"ed25519", "ecdsa", "rsa"};
	const struct client_opts *o = cl->o;
	struct client_auth *au = &cl->au;
	char *paths[CLIENT_MAX_CANDS];
	struct sshkey *fpub[CLIENT_MAX_CANDS];
	bool used[CLIENT_MAX_CANDS];
	size_t nf = 0, i, j;
	struct agent_identity *ids = NULL;
	size_t nids = 0;
	char *sock = NULL;
	int ret;

	au->cands_ready = true;
	if (o->identities != NULL) {
		for (i = 0; o->identities[i] != NULL && nf < CLIENT_MAX_CANDS;
		     i++) {
			if (paths_expand_tilde(o->identities[i], &paths[nf]) ==
			    0) {
				nf++;
			}
		}
	} else {
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (paths_default_identity(words[i], &paths[nf]) == 0) {
				nf++;
			}
		}
	}
	for (i = 0; i < nf; i++) {
		used[i] = false;
		if (identity_public(paths[i], &fpub[i]) != 0) {
			log_debug("identity file %s: no key", paths[i]);
			fpub[i] = NULL;
		}
	}
	/* the agent's keys first */
	if (o->identity_agent == NULL ||
	    strcmp(o->identity_agent, "none") != 0) {
		if (o->identity_agent != NULL &&
		    strcmp(o->identity_agent, "SSH_AUTH_SOCK") != 0) {
			(void)paths_expand_tilde(o->identity_agent, &sock);
		}
		ret = agent_client_open(sock, &au->agent);
		if (ret == 0 &&
		    agent_client_list(au->agent, &ids, &nids) != 0) {
			agent_client_close(au->agent);
			au->agent = NULL;
		}
		free(sock);
	}
	for (i = 0; i < nids; i++) {
		struct sshkey *k = NULL;
		const char *match = NULL;

		for (j = 0; j < nf; j++) {
			if (fpub[j] != NULL &&
			    key_equal_public(fpub[j], ids[i].key)) {
				used[j] = true;
				match = paths[j];
				break;
			}
		}
		if (o->identities_only && match == NULL) {
			continue;
		}
		if (key_public_copy(ids[i].key, &k) == 0) {
			log_debug("Will attempt key: %s agent",
			          ids[i].comment != NULL ? ids[i].comment : "");
			(void)add_cand(au, k, match, true);
		}
	}
	if (ids != NULL) {
		agent_identities_free(ids, nids);
	}
	for (i = 0; i < nf; i++) {
		if (fpub[i] != NULL && !used[i]) {
			log_debug("Will attempt key: %s", paths[i]);
			(void)add_cand(au, fpub[i], paths[i], false);
			fpub[i] = NULL;
		}
		key_free(fpub[i]);
		free(paths[i]);
	}
}

/* Loads the private key of an identity file, asking its passphrase up
 * to NumberOfPasswordPrompts times. */
static int
load_private(struct client *cl, const char *path, struct sshkey **out)
{
	uint8_t *data = NULL;
	size_t n = 0;
	char *pass = NULL, *prompt = NULL;
	unsigned int i;
	int ret;

	*out = NULL;
	if ((ret = fileio_read(path, 0, &data, &n)) != 0) {
		goto out;
	}
	ret = keyfile_parse_private(data, n, NULL, out);
	if (ret != SESH_ERR_PASSPHRASE_NEEDED) {
		goto out;
	}
	if (asprintf(&prompt, "Enter passphrase for key '%s': ", path) < 0) {
		prompt = NULL;
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < prompts_max(cl); i++) {
		if ((ret = client_read_secret(cl, prompt, false, &pass)) != 0) {
			goto out;
		}
		if (*pass == '\0') {
			ret = SESH_ERR_PASSPHRASE_NEEDED;
			goto out;
		}
		ret = keyfile_parse_private(data, n, pass, out);
		mem_free_string_secret(pass);
		pass = NULL;
		if (ret != SESH_ERR_WRONG_PASSPHRASE) {
			break;
		}
	}
out:
	if (data != NULL) {
		mem_free_secret(data, n);
	}
	if (pass != NULL) {
		mem_free_string_secret(pass);
	}
	free(prompt);
	return ret;
}

static bool
alg_allowed(const struct client *cl, const char *alg)
{
	const char *l = cl->o->pubkey_algs;

	return l == NULL || namelist_has((const uint8_t *)l, strlen(l), alg);
}

/* Sends the next publickey query; false when no key is left. */
static bool
try_pubkey(struct client *cl)
{
	struct client_auth *au = &cl->au;
	struct conn *c = cl->c;
	const char *ssa = transport_server_sig_algs(conn_transport(c));
	struct client_cand *k;

	if (!au->cands_ready) {
		prepare_cands(cl);
	}
	while (au->next_cand < au->ncands) {
		k = &au->cands[au->next_cand++];
		if (ua_pick_sig_alg(k->pub, (const uint8_t *)ssa,
		                    ssa != NULL ? strlen(ssa) : 0,
		                    &au->alg) != 0 ||
		    !alg_allowed(cl, au->alg)) {
			continue;
		}
		log_debug("Offering public key: %s%s",
		          k->path != NULL ? k->path : "",
		          k->agent ? " agent" : "");
		au->trying = k;
		if (ua_client_try_publickey_query(conn_userauth_client(c),
		                                  k->pub, au->alg,
		                                  conn_ua_buf(c)) == 0 &&
		    conn_flush(c) == 0) {
			return true;
		}
		return false;
	}
	return false;
}

/* Signs with the private key, loaded (and decrypted, asking the
 * passphrase) the first time and kept for the connection. */
static int
sign_local(struct client *cl, struct client_cand *k, const uint8_t *data,
           size_t n, struct buf *sig)
{
	struct sshkey *priv = k->priv;
	int ret;

	if (priv == NULL && (ret = load_private(cl, k->path, &priv)) != 0) {
		return ret;
	}
	if (!key_equal_public(priv, k->pub)) {
		ret = SESH_ERR_INVALID_ARGUMENT;
	} else {
		ret = key_sign(priv, cl->au.alg, data, n, sig);
	}
	if (ret == 0 && k->priv == NULL) {
		k->priv = priv;
	} else if (priv != k->priv) {
		key_free(priv);
	}
	return ret;
}

static bool next_attempt(struct client *cl);

static bool
pk_sign(struct client *cl)
{
	struct conn *c = cl->c;
	struct client_cand *k = cl->au.trying;
	struct buf data, sig;
	int ret;
	bool ok = false;

	buf_init(&data, 0);
	buf_init(&sig, 0);
	if (k == NULL) {
		goto out;
	}
	if ((ret = ua_client_signed_data(conn_userauth_client(c), &data)) !=
	    0) {
		goto out;
	}
	if (k->agent && cl->au.agent != NULL) {
		ret = agent_client_sign(cl->au.agent, k->pub, cl->au.alg,
		                        buf_data(&data), buf_len(&data), &sig);
	} else if (k->path != NULL) {
		ret = sign_local(cl, k, buf_data(&data), buf_len(&data), &sig);
	} else {
		ret = SESH_ERR_NOT_FOUND;
	}
	if (ret != 0) {
		/* No signature (passphrase refused, agent failure): nothing
		 * is sent for this key and we go on with the next attempt,
		 * as ssh does, without spending one of the server's tries. */
		log_debug("signing failed: %s", sesh_err_str(ret));
		if (ua_client_publickey_abandon(conn_userauth_client(c)) != 0) {
			goto out;
		}
		ok = next_attempt(cl);
		goto out;
	}
	ret = ua_client_send_publickey_signed(conn_userauth_client(c),
	                                      buf_data(&sig), buf_len(&sig),
	                                      conn_ua_buf(c));
	ok = ret == 0 && conn_flush(c) == 0;
out:
	buf_clear(&data);
	buf_clear(&sig);
	return ok;
}

/* ---- password and keyboard-interactive ---- */

static bool
try_password(struct client *cl)
{
	struct conn *c = cl->c;
	char *prompt = NULL, *pw = NULL;
	int ret;

	if (cl->au.pw_tries >= prompts_max(cl)) {
		return false;
	}
	if (cl->au.pw_tries > 0) {
		fprintf(stderr, "Permission denied, please try again.\r\n");
	}
	cl->au.pw_tries++;
	if (asprintf(&prompt, "%s@%s's password: ", cl->o->user, cl->host) <
	    0) {
		return false;
	}
	ret = client_read_secret(cl, prompt, false, &pw);
	free(prompt);
	if (ret != 0) {
		cl->au.pw_tries = prompts_max(cl);
		return false;
	}
	ret =
	    ua_client_try_password(conn_userauth_client(c), pw, conn_ua_buf(c));
	mem_free_string_secret(pw);
	return ret == 0 && conn_flush(c) == 0;
}

static bool
try_kbdint(struct client *cl)
{
	struct conn *c = cl->c;

	if (cl->au.kbd_tries >= prompts_max(cl)) {
		return false;
	}
	cl->au.kbd_tries++;
	return ua_client_try_kbdint(conn_userauth_client(c), NULL,
	                            conn_ua_buf(c)) == 0 &&
	       conn_flush(c) == 0;
}

static bool
kbdint_answer(struct client *cl, const struct ua_client_event *ue)
{
	struct conn *c = cl->c;
	char **ans = NULL;
	size_t i, got = 0;
	bool ok = false;

	if (ue->name != NULL && *ue->name != '\0' && !cl->o->quiet) {
		fprintf(stderr, "%s\r\n", ue->name);
	}
	if (ue->instruction != NULL && *ue->instruction != '\0' &&
	    !cl->o->quiet) {
		fprintf(stderr, "%s\r\n", ue->instruction);
	}
	if (ue->nprompts > 0) {
		ans = calloc(ue->nprompts, sizeof(*ans));
		if (ans == NULL) {
			return false;
		}
	}
	for (i = 0; i < ue->nprompts; i++) {
		if (client_read_secret(cl, ue->prompts[i].text,
		                       ue->prompts[i].echo, &ans[i]) != 0) {
			goto out;
		}
		got++;
	}
	ok = ua_client_kbdint_respond(conn_userauth_client(c),
	                              (const char *const *)ans, ue->nprompts,
	                              conn_ua_buf(c)) == 0 &&
	     conn_flush(c) == 0;
out:
	for (i = 0; i < got; i++) {
		mem_free_string_secret(ans[i]);
	}
	free(ans);
	return ok;
}

/* ---- the sequence ---- */

static void
denied(struct client *cl)
{
	fprintf(stderr, "%s@%s: Permission denied (%s).\r\n", cl->o->user,
	        cl->host, cl->au.methods != NULL ? cl->au.methods : "");
}

/* Sends the next attempt; false when none is left (message printed). */
static bool
next_attempt(struct client *cl)
{
	struct client_auth *au = &cl->au;

	if (au->pref == NULL && build_pref(cl) != 0) {
		return false;
	}
	for (;;) {
		if (au->cur == NULL || !server_lists(cl, au->cur)) {
			if (!advance_method(cl)) {
				denied(cl);
				return false;
			}
		}
		if (strcmp(au->cur, "publickey") == 0) {
			if (try_pubkey(cl)) {
				return true;
			}
		} else if (strcmp(au->cur, "keyboard-interactive") == 0) {
			if (try_kbdint(cl)) {
				return true;
			}
		} else if (strcmp(au->cur, "password") == 0) {
			if (try_password(cl)) {
				return true;
			}
		}
		free(au->cur);
		au->cur = NULL;
	}
}

bool
client_auth_event(struct client *cl, const struct ua_client_event *ue)
{
	struct conn *c = cl->c;
	struct client_auth *au = &cl->au;

	switch (ue->type) {
	case UA_CEV_SERVICE_ACCEPT:
		au->sent_none = true;
		return ua_client_try_none(conn_userauth_client(c),
		                          conn_ua_buf(c)) == 0 &&
		       conn_flush(c) == 0;
	case UA_CEV_BANNER:
		if (ue->text != NULL && !cl->o->quiet) {
			fputs(ue->text, stderr);
		}
		return true;
	case UA_CEV_FAILURE:
		free(au->methods);
		au->methods =
		    mem_strdup(ue->methods != NULL ? ue->methods : "");
		if (au->methods == NULL) {
			return false;
		}
		if (ue->partial) {
			log_verbose("Authenticated using \"%s\" with partial "
			            "success.",
			            au->cur != NULL ? au->cur : "");
			au->next_cand = 0;
		}
		return next_attempt(cl);
	case UA_CEV_PK_OK:
		return pk_sign(cl);
	case UA_CEV_INFO_REQUEST:
		return kbdint_answer(cl, ue);
	case UA_CEV_PASSWD_CHANGEREQ:
		fprintf(stderr, "%s\r\n",
		        ue->text != NULL ? ue->text
		                         : "Password change "
		                           "required");
		/* change not supported: try the next method */
		free(au->cur);
		au->cur = NULL;
		return next_attempt(cl);
	case UA_CEV_SUCCESS:
		log_verbose("Authenticated to %s using \"%s\".", cl->host,
		            au->cur != NULL ? au->cur : "none");
		return true;
	default:
		return false;
	}
}

void
client_auth_clear(struct client_auth *au)
{
	size_t i;

	for (i = 0; i < au->ncands; i++) {
		key_free(au->cands[i].pub);
		key_free(au->cands[i].priv);
		free(au->cands[i].path);
	}
	free(au->cands);
	if (au->agent != NULL) {
		agent_client_close(au->agent);
	}
	free(au->pref);
	free(au->cur);
	free(au->methods);
	memset(au, 0, sizeof(*au));
}
