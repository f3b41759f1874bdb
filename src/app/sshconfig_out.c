/*
 * sshconfig_out.c - from the values read (struct sshconfig) to the
 * options the client driver runs with (struct client_opts): defaults,
 * HostName and path tokens, algorithm lists, ProxyJump as a
 * ProxyCommand that runs this program again, and "sesh -G" output
 * (contracts in sshconfig.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/sshconfig.h"
#include "app/sshconfig_int.h"
#include "base/err.h"

static const char *const default_identities[] = {
    "~/.ssh/id_ed25519",
    "~/.ssh/id_ecdsa",
    "~/.ssh/id_rsa",
    NULL,
};
static const char *const default_user_kh[] = {
    "~/.ssh/known_hosts",
    "~/.ssh/known_hosts2",
    NULL,
};
static const char *const default_global_kh[] = {
    "/etc/ssh/ssh_known_hosts",
    "/etc/ssh/ssh_known_hosts2",
    NULL,
};

/* Token letters each keyword takes (ssh_config(5) TOKENS). */
#define TOKENS_PATHS "CdhijkLlnpru"
#define TOKENS_PROXY "hnpr"

void
sshconfig_out_clear(struct sshconfig_out *o)
{
	size_t i;

	if (o == NULL) {
		return;
	}
	free(o->host);
	free(o->user);
	for (i = 0; i < SSHCONFIG_ALG_COUNT; i++) {
		free(o->algs[i]);
	}
	sshconfig_list_clear(&o->identities);
	sshconfig_list_clear(&o->user_kh);
	sshconfig_list_clear(&o->global_kh);
	free(o->identity_agent);
	free(o->proxy_command);
	free(o->host_key_alias);
	free(o->preferred_auth);
	sshconfig_list_clear(&o->send_env);
	sshconfig_list_clear(&o->set_env);
	memset(o, 0, sizeof(*o));
}

/* Appends s single-quoted for /bin/sh. */
static int
shell_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			fputs("'\\''", f);
		} else {
			fputc(*s, f);
		}
	}
	fputc('\'', f);
	return 0;
}

int
sshconfig_jump_split(const char *hop, size_t n, char **user, char **host,
                     char **port)
{
	char *s, *h, *at, *colon;
	int ret = SESH_ERR_INVALID_ARGUMENT;

	*user = *host = *port = NULL;
	if ((s = strndup(hop, n)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	h = s;
	if (strncasecmp(h, "ssh://", 6) == 0) {
		h += 6;
		h[strcspn(h, "/")] = '\0';
	}
	if ((at = strrchr(h, '@')) != NULL) {
		*at = '\0';
		if (*h == '\0' || (*user = strdup(h)) == NULL) {
			goto out;
		}
		h = at + 1;
	}
	if (*h == '[') {
		char *rb = strchr(h, ']');
		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':')) {
			goto out;
		}
		*rb = '\0';
		colon = rb[1] == ':' ? rb + 1 : NULL;
		h++;
	} else {
		colon = strrchr(h, ':');
		if (colon != NULL && strchr(h, ':') != colon) {
			colon = NULL; /* a bare IPv6 address */
		}
	}
	if (colon != NULL) {
		*colon = '\0';
		if (colon[1] == '\0' ||
		    strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
			goto out;
		}
		if ((*port = strdup(colon + 1)) == NULL) {
			goto out;
		}
	}
	if (*h == '\0' || (*host = strdup(h)) == NULL) {
		goto out;
	}
	ret = 0;
out:
	if (ret != 0) {
		free(*user);
		free(*host);
		free(*port);
		*user = *host = *port = NULL;
	}
	free(s);
	return ret;
}

/*
 * "self [-l user] [-p port] [-F file] [-J earlier] -W '[host]:port' last":
 * as in ssh, the last hop of the list is the one connected through, the
 * earlier ones are its own ProxyJump.
 */
static int
jump_command(const struct sshconfig *c, const char *self, const char *host,
             unsigned int port, char **out)
{
	const char *jump = c->proxy_jump, *comma, *hop;
	char *user = NULL, *jhost = NULL, *jport = NULL, *res = NULL;
	char *target = NULL, *earlier = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int ret;

	*out = NULL;
	comma = strrchr(jump, ',');
	hop = comma != NULL ? comma + 1 : jump;
	ret = sshconfig_jump_split(hop, strlen(hop), &user, &jhost, &jport);
	if (ret != 0) {
		sshconfig_report(c, "Invalid ProxyJump \"%s\"", jump);
		goto out;
	}
	if (asprintf(&target, "[%s]:%u", host, port) < 0) {
		target = NULL;
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((comma != NULL &&
	     (earlier = strndup(jump, (size_t)(comma - jump))) == NULL) ||
	    (f = open_memstream(&res, &len)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	shell_quote(f, self);
	if (user != NULL) {
		fputs(" -l ", f);
		shell_quote(f, user);
	}
	if (jport != NULL) {
		fprintf(f, " -p %s", jport);
	}
	if (c->config_file != NULL) {
		fputs(" -F ", f);
		shell_quote(f, c->config_file);
	}
	if (earlier != NULL) {
		fputs(" -J ", f);
		shell_quote(f, earlier);
	}
	fputs(" -W ", f);
	shell_quote(f, target);
	fputc(' ', f);
	shell_quote(f, jhost);
	if (fclose(f) != 0) {
		f = NULL;
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	f = NULL;
	log_debug("ProxyJump %s: %s", jump, res);
	*out = res;
	res = NULL;
out:
	if (f != NULL) {
		fclose(f);
	}
	free(res);
	free(target);
	free(earlier);
	free(user);
	free(jhost);
	free(jport);
	return ret;
}

static int
expand_list(const struct sshconfig *c, const char *const *in,
            const struct sshconfig_tokens *t, const char *what,
            struct sshconfig_list *out)
{
	char *e = NULL;
	size_t i;
	int ret = 0;

	for (i = 0; in != NULL && in[i] != NULL; i++) {
		if ((ret = sshconfig_expand(in[i], t, TOKENS_PATHS, true,
		                            &e)) != 0) {
			if (ret == SESH_ERR_INVALID_ARGUMENT) {
				sshconfig_report(c,
				                 "%s \"%s\": bad %%-token or ~",
				                 what, in[i]);
			} else {
				sshconfig_report(c, "%s \"%s\": %s", what,
				                 in[i], sesh_err_str(ret));
			}
			return ret;
		}
		ret = sshconfig_list_add(out, e);
		free(e);
		if (ret != 0) {
			return ret;
		}
	}
	return 0;
}

static int
copy_list(const struct sshconfig_list *in, struct sshconfig_list *out)
{
	size_t i;
	int ret;

	for (i = 0; i < in->n; i++) {
		if ((ret = sshconfig_list_add(out, in->v[i])) != 0) {
			return ret;
		}
	}
	return 0;
}

static int
pick(int v, int dflt)
{
	return v == SSHCONFIG_UNSET ? dflt : v;
}

int
sshconfig_resolve(const struct sshconfig *c, const char *self,
                  struct sshconfig_out *o)
{
	static const char *const alg_names[] = {
	    "KexAlgorithms",
	    "Ciphers",
	    "MACs",
	    "HostKeyAlgorithms",
	    "PubkeyAcceptedAlgorithms",
	};
	struct sshconfig_tokens t = {0};
	struct client_opts *co = &o->opts;
	char portstr[16], uidstr[24], lhost[256], lshort[256], chash[41];
	char *cin = NULL;
	size_t i;
	int ret;

	memset(o, 0, sizeof(*o));
	o->src = c;
	t.h = c->host_arg != NULL ? c->host_arg : "";
	if (c->hostname != NULL) {
		ret = sshconfig_expand(c->hostname, &t, "h", false, &o->host);
		if (ret != 0) {
			sshconfig_report(c, "HostName \"%s\": bad %%-token",
			                 c->hostname);
			goto out;
		}
	} else if ((o->host = strdup(t.h)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	for (i = 0; o->host[i] != '\0'; i++) {
		/* as ssh: host names compare in lower case */
		if (o->host[i] >= 'A' && o->host[i] <= 'Z') {
			o->host[i] = (char)(o->host[i] - 'A' + 'a');
		}
	}
	if ((o->user = strdup(c->user != NULL ? c->user : c->local_user)) ==
	    NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	o->port = (unsigned int)pick(c->port, 22);
	snprintf(portstr, sizeof(portstr), "%u", o->port);
	snprintf(uidstr, sizeof(uidstr), "%lu", (unsigned long)getuid());
	if (gethostname(lhost, sizeof(lhost)) != 0) {
		strcpy(lhost, "localhost");
	}
	lhost[sizeof(lhost) - 1] = '\0';
	snprintf(lshort, sizeof(lshort), "%s", lhost);
	lshort[strcspn(lshort, ".")] = '\0';
	if (asprintf(&cin, "%s%s%s%s", lhost, o->host, portstr, o->user) < 0) {
		cin = NULL;
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	chash[0] = '\0';
	t.h = o->host;
	t.n = c->host_arg != NULL ? c->host_arg : o->host;
	t.p = portstr;
	t.r = o->user;
	t.u = c->local_user;
	t.d = c->home;
	t.l = lhost;
	t.L = lshort;
	t.i = uidstr;
	t.k = c->host_key_alias != NULL ? c->host_key_alias : t.n;
	t.C_src = cin;
	t.C_buf = chash;
	t.j = c->proxy_jump != NULL ? c->proxy_jump : "";

	if (c->identity_files.n > 0) {
		if ((ret = expand_list(
		         c, (const char *const *)c->identity_files.v, &t,
		         "IdentityFile", &o->identities)) != 0) {
			goto out;
		}
		co->identities = (const char *const *)o->identities.v;
		co->identities_explicit = true;
	}
	if ((ret = expand_list(c,
	                       c->user_known_hosts.n > 0
	                           ? (const char *const *)c->user_known_hosts.v
	                           : default_user_kh,
	                       &t, "UserKnownHostsFile", &o->user_kh)) != 0 ||
	    (ret =
	         expand_list(c,
	                     c->global_known_hosts.n > 0
	                         ? (const char *const *)c->global_known_hosts.v
	                         : default_global_kh,
	                     &t, "GlobalKnownHostsFile", &o->global_kh)) != 0) {
		goto out;
	}
	co->user_known_hosts = (const char *const *)o->user_kh.v;
	co->global_known_hosts = (const char *const *)o->global_kh.v;
	if (c->identity_agent != NULL &&
	    strcmp(c->identity_agent, "SSH_AUTH_SOCK") != 0) {
		if (strcasecmp(c->identity_agent, "none") == 0) {
			o->identity_agent = strdup("none");
			ret = o->identity_agent == NULL ? SESH_ERR_NOMEM : 0;
		} else {
			ret = sshconfig_expand(c->identity_agent, &t,
			                       TOKENS_PATHS, true,
			                       &o->identity_agent);
			if (ret == SESH_ERR_INVALID_ARGUMENT) {
				sshconfig_report(c,
				                 "IdentityAgent \"%s\": bad "
				                 "%%-token or ~",
				                 c->identity_agent);
			}
		}
		if (ret != 0) {
			goto out;
		}
	}
	if (c->proxy_jump != NULL && strcasecmp(c->proxy_jump, "none") != 0) {
		if (self == NULL) {
			sshconfig_report(c, "ProxyJump: cannot find this "
			                    "program's path");
			ret = SESH_ERR_INVALID_ARGUMENT;
			goto out;
		}
		if ((ret = jump_command(c, self, o->host, o->port,
		                        &o->proxy_command)) != 0) {
			goto out;
		}
	} else if (c->proxy_command != NULL &&
	           strcasecmp(c->proxy_command, "none") != 0) {
		ret = sshconfig_expand(c->proxy_command, &t, TOKENS_PROXY,
		                       false, &o->proxy_command);
		if (ret != 0) {
			sshconfig_report(c,
			                 "ProxyCommand: bad %%-token in "
			                 "\"%s\"",
			                 c->proxy_command);
			goto out;
		}
	}
	for (i = 0; i < SSHCONFIG_ALG_COUNT; i++) {
		ret = sshconfig_algs_resolve((enum sshconfig_alg)i, c->algs[i],
		                             &o->algs[i]);
		if (ret != 0) {
			sshconfig_report(c,
			                 "%s: no supported algorithms in "
			                 "\"%s\"",
			                 alg_names[i],
			                 c->algs[i] != NULL ? c->algs[i] : "");
			goto out;
		}
	}
	if ((c->host_key_alias != NULL &&
	     (o->host_key_alias = strdup(c->host_key_alias)) == NULL) ||
	    (c->preferred_auth != NULL &&
	     (o->preferred_auth = strdup(c->preferred_auth)) == NULL)) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((ret = copy_list(&c->send_env, &o->send_env)) != 0 ||
	    (ret = copy_list(&c->set_env, &o->set_env)) != 0) {
		goto out;
	}

	co->host = o->host;
	co->host_arg = c->host_arg;
	co->port = o->port;
	co->user = o->user;
	co->address_family = pick(c->address_family, 0);
	co->connect_timeout = (unsigned int)pick(c->connect_timeout, 0);
	co->proxy_command = o->proxy_command;
	co->host_key_alias = o->host_key_alias;
	co->strict = (enum hostkeys_strict)pick(c->strict, HOSTKEYS_STRICT_ASK);
	co->hash_known_hosts = pick(c->hash_known_hosts, 0) != 0;
	co->batch = pick(c->batch_mode, 0) != 0;
	/* ssh: on unless UserKnownHostsFile was set (or VerifyHostKeyDNS,
	 * which sesh does not implement) */
	co->update_host_keys = (enum client_uhk)pick(
	    c->update_host_keys,
	    c->user_known_hosts.n == 0 ? CLIENT_UHK_YES : CLIENT_UHK_NO);
	co->kex = o->algs[SSHCONFIG_ALG_KEX];
	co->ciphers = o->algs[SSHCONFIG_ALG_CIPHERS];
	co->macs = o->algs[SSHCONFIG_ALG_MACS];
	co->hostkey_algs = o->algs[SSHCONFIG_ALG_HOSTKEY];
	co->pubkey_algs = o->algs[SSHCONFIG_ALG_PUBKEY];
	co->rekey_bytes = c->rekey_bytes > 0 ? (uint64_t)c->rekey_bytes : 0;
	co->rekey_seconds =
	    c->rekey_bytes >= 0 ? (unsigned)c->rekey_seconds : 0;
	co->preferred_auth = o->preferred_auth;
	co->no_pubkey_auth = pick(c->pubkey_auth, 1) == 0;
	co->no_password_auth = pick(c->password_auth, 1) == 0;
	co->no_kbdint_auth = pick(c->kbdint_auth, 1) == 0;
	co->password_prompts = (unsigned int)pick(c->password_prompts, 3);
	co->identities_only = pick(c->identities_only, 0) != 0;
	co->identity_agent = o->identity_agent;
	co->request_tty =
	    (enum client_tty)pick(c->request_tty, CLIENT_TTY_AUTO);
	co->send_env = (const char *const *)o->send_env.v;
	co->set_env = (const char *const *)o->set_env.v;
	co->escape_char = pick(c->escape_char, '~');
	co->server_alive_interval =
	    (unsigned int)pick(c->server_alive_interval, 0);
	co->server_alive_count_max =
	    (unsigned int)pick(c->server_alive_count_max, 3);
	co->log_level = (enum log_level)pick(c->log_level, LOG_LVL_INFO);
	co->quiet = co->log_level == LOG_LVL_QUIET;
	ret = 0;
out:
	free(cin);
	if (ret != 0) {
		sshconfig_out_clear(o);
	}
	return ret;
}

static const char *
yn(bool v)
{
	return v ? "yes" : "no";
}

static void
print_list(FILE *f, const char *kw, const char *const *v)
{
	size_t i;

	if (v == NULL || v[0] == NULL) {
		return;
	}
	fprintf(f, "%s", kw);
	for (i = 0; v[i] != NULL; i++) {
		fprintf(f, " %s", v[i]);
	}
	fputc('\n', f);
}

int
sshconfig_dump(const struct sshconfig_out *o, FILE *f)
{
	static const char *const af[] = {"any", "inet", "inet6"};
	static const char *const tty[] = {"auto", "no", "yes", "force"};
	static const char *const strict[] = {"ask", "true", "accept-new",
	                                     "false"};
	static const char *const uhk[] = {"false", "true", "ask"};
	const struct client_opts *co = &o->opts;
	const struct sshconfig *c = o->src;
	const char *const *ids;
	size_t i;

	fprintf(f, "host %s\n", co->host_arg != NULL ? co->host_arg : co->host);
	fprintf(f, "user %s\n", co->user);
	fprintf(f, "hostname %s\n", co->host);
	fprintf(f, "port %u\n", co->port);
	fprintf(f, "addressfamily %s\n",
	        af[co->address_family == AF_INET    ? 1
	           : co->address_family == AF_INET6 ? 2
	                                            : 0]);
	fprintf(f, "batchmode %s\n", yn(co->batch));
	fprintf(f, "hashknownhosts %s\n", yn(co->hash_known_hosts));
	fprintf(f, "identitiesonly %s\n", yn(co->identities_only));
	fprintf(f, "kbdinteractiveauthentication %s\n",
	        yn(!co->no_kbdint_auth));
	fprintf(f, "passwordauthentication %s\n", yn(!co->no_password_auth));
	fprintf(f, "pubkeyauthentication %s\n", yn(!co->no_pubkey_auth));
	fprintf(f, "requesttty %s\n", tty[co->request_tty & 3]);
	fprintf(f, "stricthostkeychecking %s\n", strict[co->strict & 3]);
	fprintf(f, "updatehostkeys %s\n", uhk[co->update_host_keys % 3]);
	fprintf(f, "numberofpasswordprompts %u\n", co->password_prompts);
	fprintf(f, "serveralivecountmax %u\n", co->server_alive_count_max);
	fprintf(f, "serveraliveinterval %u\n", co->server_alive_interval);
	fprintf(f, "ciphers %s\n", co->ciphers);
	fprintf(f, "hostkeyalgorithms %s\n", co->hostkey_algs);
	fprintf(f, "kexalgorithms %s\n", co->kex);
	fprintf(f, "loglevel %s\n", log_level_name(co->log_level));
	fprintf(f, "macs %s\n", co->macs);
	fprintf(f, "pubkeyacceptedalgorithms %s\n", co->pubkey_algs);
	fprintf(f, "preferredauthentications %s\n",
	        co->preferred_auth != NULL
	            ? co->preferred_auth
	            : "publickey,keyboard-interactive,password");
	if (co->host_key_alias != NULL) {
		fprintf(f, "hostkeyalias %s\n", co->host_key_alias);
	}
	if (co->identity_agent != NULL) {
		fprintf(f, "identityagent %s\n", co->identity_agent);
	}
	/* as ssh -G: identity files as written, tokens unexpanded */
	ids = c != NULL && c->identity_files.n > 0
	          ? (const char *const *)c->identity_files.v
	          : default_identities;
	for (i = 0; ids[i] != NULL; i++) {
		fprintf(f, "identityfile %s\n", ids[i]);
	}
	print_list(f, "globalknownhostsfile", co->global_known_hosts);
	print_list(f, "userknownhostsfile", co->user_known_hosts);
	for (i = 0; co->send_env != NULL && co->send_env[i] != NULL; i++) {
		fprintf(f, "sendenv %s\n", co->send_env[i]);
	}
	for (i = 0; co->set_env != NULL && co->set_env[i] != NULL; i++) {
		fprintf(f, "setenv %s\n", co->set_env[i]);
	}
	if (co->connect_timeout == 0) {
		fprintf(f, "connecttimeout none\n");
	} else {
		fprintf(f, "connecttimeout %u\n", co->connect_timeout);
	}
	if (co->escape_char == CLIENT_ESCAPE_NONE) {
		fprintf(f, "escapechar none\n");
	} else if (co->escape_char < 32) {
		fprintf(f, "escapechar \\^%c\n", co->escape_char + 64);
	} else {
		fprintf(f, "escapechar %c\n", co->escape_char);
	}
	fprintf(f, "rekeylimit %llu %u\n", (unsigned long long)co->rekey_bytes,
	        co->rekey_seconds);
	if (c != NULL && c->proxy_jump != NULL) {
		fprintf(f, "proxyjump %s\n", c->proxy_jump);
	} else if (c != NULL && c->proxy_command != NULL) {
		fprintf(f, "proxycommand %s\n", c->proxy_command);
	}
	if (fflush(f) != 0 || ferror(f)) {
		return SESH_ERR_SYSTEM;
	}
	return 0;
}
