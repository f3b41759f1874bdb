/*
 * sshconfig_kw.c - the ssh_config keywords sesh implements, the ones
 * OpenSSH knows that sesh accepts without acting on them, and checking
 * and storing each setting's value (first value wins; IdentityFile and
 * SendEnv accumulate). Values are checked even when the block does not
 * apply, as ssh does. Contract in sshconfig_int.h.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "app/hostkeys.h"
#include "app/sshconfig.h"
#include "app/sshconfig_int.h"
#include "base/cfgtok.h"
#include "base/err.h"
#include "base/log.h"
#include "key/match.h"

enum kw_type {
	KW_FLAG,     /* int: yes/no */
	KW_CHOICE,   /* int: one of a table */
	KW_STR,      /* char *: one argument */
	KW_INT,      /* int: a non-negative number */
	KW_TIME,     /* int: seconds, ssh's time format, "none" */
	KW_PORT,     /* int: 1..65535 */
	KW_FILES,    /* list: several arguments on one line */
	KW_ALGS,     /* algs[arg] */
	KW_IDENTITY, /* list, accumulated */
	KW_SENDENV,  /* list, accumulated, "-pattern" removes */
	KW_SETENV,   /* list, first line */
	KW_PROXYCMD, /* the rest of the line, raw */
	KW_PROXYJUMP,
	KW_ESCAPE,
	KW_REKEY,
	KW_LOGLEVEL,
	KW_HOST,
	KW_MATCH,
	KW_INCLUDE,
};

struct choice {
	const char *name;
	int value;
};

static const struct choice ch_yesno[] = {
    {"yes", 1}, {"true", 1}, {"no", 0}, {"false", 0}, {NULL, 0},
};
static const struct choice ch_pubkey[] = {
    {"yes", 1},     {"true", 1},       {"no", 0}, {"false", 0},
    {"unbound", 1}, {"host-bound", 1}, {NULL, 0},
};
static const struct choice ch_strict[] = {
    {"yes", HOSTKEYS_STRICT_YES},
    {"true", HOSTKEYS_STRICT_YES},
    {"no", HOSTKEYS_STRICT_NO},
    {"false", HOSTKEYS_STRICT_NO},
    {"off", HOSTKEYS_STRICT_NO},
    {"ask", HOSTKEYS_STRICT_ASK},
    {"accept-new", HOSTKEYS_STRICT_ACCEPT_NEW},
    {NULL, 0},
};
static const struct choice ch_uhk[] = {
    {"yes", CLIENT_UHK_YES},  {"true", CLIENT_UHK_YES}, {"no", CLIENT_UHK_NO},
    {"false", CLIENT_UHK_NO}, {"ask", CLIENT_UHK_ASK},  {NULL, 0},
};
static const struct choice ch_tty[] = {
    {"no", CLIENT_TTY_NO},
    {"false", CLIENT_TTY_NO},
    {"yes", CLIENT_TTY_YES},
    {"true", CLIENT_TTY_YES},
    {"force", CLIENT_TTY_FORCE},
    {"auto", CLIENT_TTY_AUTO},
    {NULL, 0},
};
static const struct choice ch_af[] = {
    {"any", AF_UNSPEC},
    {"inet", AF_INET},
    {"inet6", AF_INET6},
    {NULL, 0},
};

struct sshconfig_kw {
	const char *name;
	enum kw_type type;
	size_t off;                 /* field in struct sshconfig */
	const struct choice *table; /* KW_FLAG, KW_CHOICE */
	int arg;                    /* KW_ALGS: the category */
};

#define F(field) offsetof(struct sshconfig, field)

static const struct sshconfig_kw keywords[] = {
    {"host", KW_HOST, 0, NULL, 0},
    {"match", KW_MATCH, 0, NULL, 0},
    {"include", KW_INCLUDE, 0, NULL, 0},
    {"hostname", KW_STR, F(hostname), NULL, 0},
    {"user", KW_STR, F(user), NULL, 0},
    {"port", KW_PORT, F(port), NULL, 0},
    {"identityfile", KW_IDENTITY, F(identity_files), NULL, 0},
    {"identitiesonly", KW_FLAG, F(identities_only), ch_yesno, 0},
    {"identityagent", KW_STR, F(identity_agent), NULL, 0},
    {"batchmode", KW_FLAG, F(batch_mode), ch_yesno, 0},
    {"stricthostkeychecking", KW_CHOICE, F(strict), ch_strict, 0},
    {"userknownhostsfile", KW_FILES, F(user_known_hosts), NULL, 0},
    {"globalknownhostsfile", KW_FILES, F(global_known_hosts), NULL, 0},
    {"hashknownhosts", KW_FLAG, F(hash_known_hosts), ch_yesno, 0},
    {"updatehostkeys", KW_CHOICE, F(update_host_keys), ch_uhk, 0},
    {"hostkeyalias", KW_STR, F(host_key_alias), NULL, 0},
    {"kexalgorithms", KW_ALGS, 0, NULL, SSHCONFIG_ALG_KEX},
    {"ciphers", KW_ALGS, 0, NULL, SSHCONFIG_ALG_CIPHERS},
    {"macs", KW_ALGS, 0, NULL, SSHCONFIG_ALG_MACS},
    {"hostkeyalgorithms", KW_ALGS, 0, NULL, SSHCONFIG_ALG_HOSTKEY},
    {"pubkeyacceptedalgorithms", KW_ALGS, 0, NULL, SSHCONFIG_ALG_PUBKEY},
    {"pubkeyacceptedkeytypes", KW_ALGS, 0, NULL, SSHCONFIG_ALG_PUBKEY},
    {"preferredauthentications", KW_STR, F(preferred_auth), NULL, 0},
    {"passwordauthentication", KW_FLAG, F(password_auth), ch_yesno, 0},
    {"pubkeyauthentication", KW_FLAG, F(pubkey_auth), ch_pubkey, 0},
    {"kbdinteractiveauthentication", KW_FLAG, F(kbdint_auth), ch_yesno, 0},
    {"challengeresponseauthentication", KW_FLAG, F(kbdint_auth), ch_yesno, 0},
    {"numberofpasswordprompts", KW_INT, F(password_prompts), NULL, 0},
    {"connecttimeout", KW_TIME, F(connect_timeout), NULL, 0},
    {"serveraliveinterval", KW_TIME, F(server_alive_interval), NULL, 0},
    {"serveralivecountmax", KW_INT, F(server_alive_count_max), NULL, 0},
    {"requesttty", KW_CHOICE, F(request_tty), ch_tty, 0},
    {"sendenv", KW_SENDENV, F(send_env), NULL, 0},
    {"setenv", KW_SETENV, F(set_env), NULL, 0},
    {"escapechar", KW_ESCAPE, F(escape_char), NULL, 0},
    {"loglevel", KW_LOGLEVEL, F(log_level), NULL, 0},
    {"proxycommand", KW_PROXYCMD, F(proxy_command), NULL, 0},
    {"proxyjump", KW_PROXYJUMP, F(proxy_jump), NULL, 0},
    {"rekeylimit", KW_REKEY, 0, NULL, 0},
    {"addressfamily", KW_CHOICE, F(address_family), ch_af, 0},
    {"ignoreunknown", KW_STR, F(ignore_unknown), NULL, 0},
};

#undef F

/* Keywords ssh knows (ssh_config(5), Debian's GSSAPI ones, deprecated
 * and removed names it still accepts) that sesh does not act on. */
static const char *const known_keywords[] = {
    "addkeystoagent",
    "bindaddress",
    "bindinterface",
    "canonicaldomains",
    "canonicalizefallbacklocal",
    "canonicalizehostname",
    "canonicalizemaxdots",
    "canonicalizepermittedcnames",
    "casignaturealgorithms",
    "certificatefile",
    "channeltimeout",
    "checkhostip",
    "clearallforwardings",
    "compression",
    "connectionattempts",
    "controlmaster",
    "controlpath",
    "controlpersist",
    "dynamicforward",
    "enableescapecommandline",
    "enablesshkeysign",
    "exitonforwardfailure",
    "fingerprinthash",
    "forkafterauthentication",
    "forwardagent",
    "forwardx11",
    "forwardx11timeout",
    "forwardx11trusted",
    "gatewayports",
    "gssapiauthentication",
    "gssapiclientidentity",
    "gssapidelegatecredentials",
    "gssapikeyexchange",
    "gssapirenewalforcesrekey",
    "gssapiserveridentity",
    "gssapitrustdns",
    "gssapikexalgorithms",
    "hostbasedacceptedalgorithms",
    "hostbasedauthentication",
    "hostbasedkeytypes",
    "ipqos",
    "kbdinteractivedevices",
    "knownhostscommand",
    "localcommand",
    "localforward",
    "logverbose",
    "nohostauthenticationforlocalhost",
    "obscurekeystroketiming",
    "permitlocalcommand",
    "permitremoteopen",
    "pkcs11provider",
    "proxyusefdpass",
    "refuseconnection",
    "remotecommand",
    "remoteforward",
    "requiredrsasize",
    "revokedhostkeys",
    "securitykeyprovider",
    "sessiontype",
    "stdinnull",
    "streamlocalbindmask",
    "streamlocalbindunlink",
    "syslogfacility",
    "tag",
    "tcpkeepalive",
    "tunnel",
    "tunneldevice",
    "verifyhostkeydns",
    "visualhostkey",
    "warnweakcrypto",
    "xauthlocation",
    "smartcarddevice",
    /* deprecated or removed, still accepted by ssh */
    "afstokenpassing",
    "cipher",
    "compressionlevel",
    "dsaauthentication",
    "fallbacktorsh",
    "globalknownhostsfile2",
    "identityfile2",
    "kerberosauthentication",
    "kerberostgtpassing",
    "protocol",
    "rhostsauthentication",
    "rhostsrsaauthentication",
    "rsaauthentication",
    "skeyauthentication",
    "tisauthentication",
    "useprivilegedport",
    "userknownhostsfile2",
    "useroaming",
    "usersh",
    NULL,
};

const struct sshconfig_kw *
sshconfig_kw_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (strcmp(keywords[i].name, name) == 0) {
			return &keywords[i];
		}
	}
	return NULL;
}

bool
sshconfig_kw_known(const char *name)
{
	size_t i;

	for (i = 0; known_keywords[i] != NULL; i++) {
		if (strcmp(known_keywords[i], name) == 0) {
			return true;
		}
	}
	return false;
}

static bool
lookup_choice(const struct choice *t, const char *s, int *out)
{
	size_t i;

	for (i = 0; t[i].name != NULL; i++) {
		if (strcasecmp(t[i].name, s) == 0) {
			*out = t[i].value;
			return true;
		}
	}
	return false;
}

enum sshconfig_kw_kind
sshconfig_kw_kind(const struct sshconfig_kw *k)
{
	switch (k->type) {
	case KW_HOST:
		return SSHCONFIG_KW_HOST;
	case KW_MATCH:
		return SSHCONFIG_KW_MATCH;
	case KW_INCLUDE:
		return SSHCONFIG_KW_INCLUDE;
	default:
		return SSHCONFIG_KW_VALUE;
	}
}

static int
set_str(char **field, const char *v, bool store)
{
	if (!store || *field != NULL) {
		return 0;
	}
	if ((*field = strdup(v)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	return 0;
}

/* The arguments of ProxyCommand as written: the line after the keyword
 * and its separator, trailing blanks removed. */
static int
raw_rest(const char *line, size_t n, char **out)
{
	size_t i = 0, e;

	*out = NULL;
	while (i < n && (line[i] == ' ' || line[i] == '\t')) {
		i++;
	}
	while (i < n && line[i] != ' ' && line[i] != '\t' && line[i] != '=') {
		i++;
	}
	while (i < n && (line[i] == ' ' || line[i] == '\t')) {
		i++;
	}
	if (i < n && line[i] == '=') {
		i++;
	}
	while (i < n && (line[i] == ' ' || line[i] == '\t')) {
		i++;
	}
	e = n;
	while (e > i && (line[e - 1] == '\n' || line[e - 1] == '\r' ||
	                 line[e - 1] == ' ' || line[e - 1] == '\t' ||
	                 line[e - 1] == '\f')) {
		e--;
	}
	if ((*out = strndup(line + i, e - i)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	return 0;
}

/* "none", or hops "[ssh://][user@]host[:port]", comma separated */
static bool
valid_jump(const char *s)
{
	const char *p = s, *e;
	char *u, *h, *port;

	if (strcasecmp(s, "none") == 0) {
		return true;
	}
	for (;;) {
		e = strchr(p, ',');
		if (e == NULL) {
			e = p + strlen(p);
		}
		if (sshconfig_jump_split(p, (size_t)(e - p), &u, &h, &port) !=
		    0) {
			return false;
		}
		free(u);
		free(h);
		free(port);
		if (*e == '\0') {
			return true;
		}
		p = e + 1;
	}
}

int
sshconfig_kw_store(struct sshconfig *c, struct frame *fr,
                   const struct sshconfig_kw *k, const struct cfgtok_line *l,
                   const char *line, size_t n)
{
	char *base = (char *)c;
	int *ip = (int *)(base + k->off);
	char **sp = (char **)(base + k->off);
	struct sshconfig_list *lp = (struct sshconfig_list *)(base + k->off);
	const char *a0 = l->nargs > 0 ? l->args[0] : NULL;
	bool store = fr->active && !fr->never_match;
	int v = 0, ret = 0;
	char *raw = NULL;
	size_t i;

	if (a0 == NULL || a0[0] == '\0') {
		sshconfig_bad(c, fr, l->lineno,
		              "no argument after keyword \"%s\"", l->keyword);
		return 0;
	}
	switch (k->type) {
	case KW_FLAG:
	case KW_CHOICE:
	case KW_STR:
	case KW_INT:
	case KW_TIME:
	case KW_PORT:
	case KW_ESCAPE:
	case KW_LOGLEVEL:
	case KW_PROXYJUMP:
		if (l->nargs > 1) {
			sshconfig_bad(
			    c, fr, l->lineno,
			    "keyword %s extra arguments at end of line",
			    l->keyword);
			return 0;
		}
		break;
	default:
		break;
	}
	switch (k->type) {
	case KW_FLAG:
	case KW_CHOICE:
		if (!lookup_choice(k->table, a0, &v)) {
			sshconfig_bad(c, fr, l->lineno,
			              "unsupported option \"%s\".", a0);
			return 0;
		}
		if (store && *ip == SSHCONFIG_UNSET) {
			*ip = v;
		}
		break;
	case KW_STR:
		ret = set_str(sp, a0, store);
		break;
	case KW_INT: {
		char *end = NULL;
		long x;

		errno = 0;
		x = strtol(a0, &end, 10);
		if (end == a0 || *end != '\0') {
			sshconfig_bad(c, fr, l->lineno,
			              "integer value invalid.");
			return 0;
		}
		if (x < 0) {
			sshconfig_bad(c, fr, l->lineno,
			              "integer value too small.");
			return 0;
		}
		if (errno != 0 || x > 0x7fffffffL) {
			sshconfig_bad(c, fr, l->lineno,
			              "integer value too large.");
			return 0;
		}
		if (store && *ip == SSHCONFIG_UNSET) {
			*ip = (int)x;
		}
		break;
	}
	case KW_TIME:
		if (strcasecmp(a0, "none") == 0) {
			v = 0;
		} else if (sshconfig_parse_time(a0, &v) != 0) {
			sshconfig_bad(c, fr, l->lineno, "invalid time value.");
			return 0;
		}
		if (store && *ip == SSHCONFIG_UNSET) {
			*ip = v;
		}
		break;
	case KW_PORT: {
		char *end = NULL;
		long x;

		errno = 0;
		x = strtol(a0, &end, 10);
		if (end == a0 || *end != '\0' || errno != 0 || x < 1 ||
		    x > 65535) {
			sshconfig_bad(c, fr, l->lineno, "Bad port '%s'.", a0);
			return 0;
		}
		if (store && *ip == SSHCONFIG_UNSET) {
			*ip = (int)x;
		}
		break;
	}
	case KW_FILES:
		if (store && lp->n == 0) {
			for (i = 0; i < l->nargs && ret == 0; i++) {
				ret = sshconfig_list_add(lp, l->args[i]);
			}
		}
		break;
	case KW_IDENTITY:
		if (l->nargs > 1) {
			sshconfig_bad(
			    c, fr, l->lineno,
			    "keyword %s extra arguments at end of line",
			    l->keyword);
			return 0;
		}
		if (store) {
			ret = sshconfig_list_add(lp, a0);
		}
		break;
	case KW_SENDENV:
		for (i = 0; i < l->nargs && store && ret == 0; i++) {
			const char *e = l->args[i];
			size_t j, o;

			if (strchr(e, '=') != NULL) {
				sshconfig_bad(c, fr, l->lineno,
				              "Invalid environment name.");
				return 0;
			}
			if (e[0] != '-') {
				ret = sshconfig_list_add(lp, e);
				continue;
			}
			/* "-pattern" removes earlier matching entries */
			for (j = o = 0; j < lp->n; j++) {
				if (match_pattern(lp->v[j], strlen(lp->v[j]),
				                  e + 1, strlen(e + 1),
				                  false)) {
					free(lp->v[j]);
				} else {
					lp->v[o++] = lp->v[j];
				}
			}
			lp->n = o;
			if (lp->v != NULL) {
				lp->v[o] = NULL;
			}
		}
		break;
	case KW_SETENV:
		for (i = 0; i < l->nargs; i++) {
			const char *eq = strchr(l->args[i], '=');
			if (eq == NULL || eq == l->args[i]) {
				sshconfig_bad(
				    c, fr, l->lineno,
				    "Invalid environment variable \"%s\"",
				    l->args[i]);
				return 0;
			}
		}
		if (store && !c->set_env_set) {
			c->set_env_set = true;
			for (i = 0; i < l->nargs && ret == 0; i++) {
				ret = sshconfig_list_add(lp, l->args[i]);
			}
		}
		break;
	case KW_ALGS:
		if (l->nargs > 1) {
			sshconfig_bad(
			    c, fr, l->lineno,
			    "keyword %s extra arguments at end of line",
			    l->keyword);
			return 0;
		}
		if (sshconfig_algs_check(k->arg, a0) != 0) {
			static const char *const what[] = {
			    "SSH2 KexAlgorithms", "SSH2 cipher spec",
			    "SSH2 MAC spec",      "key types",
			    "key types",
			};
			sshconfig_bad(c, fr, l->lineno, "Bad %s '%s'.",
			              what[k->arg], a0);
			return 0;
		}
		ret = set_str(&c->algs[k->arg], a0, store);
		break;
	case KW_PROXYCMD:
		if ((ret = raw_rest(line, n, &raw)) != 0) {
			return ret;
		}
		if (store && c->proxy_command == NULL &&
		    c->proxy_jump == NULL) {
			c->proxy_command = raw;
			raw = NULL;
		}
		break;
	case KW_PROXYJUMP:
		if (!valid_jump(a0)) {
			sshconfig_bad(c, fr, l->lineno,
			              "Invalid ProxyJump \"%s\"", a0);
			return 0;
		}
		if (store && c->proxy_command == NULL) {
			ret = set_str(&c->proxy_jump, a0, true);
		}
		break;
	case KW_ESCAPE:
		if (sshconfig_escape_parse(a0, true, &v) != 0) {
			sshconfig_bad(c, fr, l->lineno,
			              "Bad escape character.");
			return 0;
		}
		if (store && *ip == SSHCONFIG_UNSET) {
			*ip = v;
		}
		break;
	case KW_LOGLEVEL: {
		enum log_level lv;

		if (log_level_parse(a0, &lv) != 0) {
			sshconfig_bad(c, fr, l->lineno,
			              "unsupported log level '%s'", a0);
			return 0;
		}
		if (store && *ip == SSHCONFIG_UNSET) {
			*ip = (int)lv;
		}
		break;
	}
	case KW_REKEY: {
		int64_t b;
		int s;

		if (l->nargs > 2) {
			sshconfig_bad(
			    c, fr, l->lineno,
			    "keyword %s extra arguments at end of line",
			    l->keyword);
			return 0;
		}
		/* the size, then the interval: ssh's message for each */
		ret = sshconfig_parse_rekey(a0, NULL, &b, &s);
		if (ret == SESH_ERR_LIMIT) {
			sshconfig_bad(c, fr, l->lineno, "RekeyLimit too small");
			return 0;
		}
		if (ret != 0) {
			sshconfig_bad(c, fr, l->lineno,
			              "Bad number '%s': Invalid argument", a0);
			return 0;
		}
		if (l->nargs > 1 &&
		    sshconfig_parse_rekey(a0, l->args[1], &b, &s) != 0) {
			sshconfig_bad(c, fr, l->lineno, "invalid time value.");
			return 0;
		}
		if (store && c->rekey_bytes < 0) {
			c->rekey_bytes = b;
			c->rekey_seconds = s;
		}
		break;
	}
	default:
		break;
	}
	free(raw);
	return ret;
}
