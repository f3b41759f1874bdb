/*
 * servconf_parse.c - seshd's sshd_config(5) reader, the parsing half
 * (see servconf.h, servconf_int.h): the keyword table, one line at a
 * time with first-value-wins storing, Include (glob patterns; relative
 * ones are taken from the top-level config file's folder), Match lines
 * (criteria checked and evaluated here; their blocks are stored for
 * servconf_match).
 *
 * Errors follow sshd's words and shapes: "FILE: line N: Bad
 * configuration option: Foo" (counted in err->nbad; parsing goes on, as
 * sshd does, and the load fails at the end), "FILE line N: no argument
 * after keyword \"Port\"", "FILE line N: unsupported option \"maybe\"."
 * (a bad value: parsing stops there). err keeps the first error.
 * Keywords sshd knows that seshd does not implement are accepted
 * (a debug line), or logged as "Deprecated option" like sshd.
 */
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "app/fileio.h"
#include "app/sandbox.h"
#include "app/servconf.h"
#include "app/servconf_int.h"
#include "base/cfgtok.h"
#include "base/err.h"
#include "base/log.h"
#include "key/match.h"

#define O(f) offsetof(struct servconf, f)

const struct kw sc_kws[] = {
    {"port", KT_PORT, 0, 0, 0, NULL},
    {"listenaddress", KT_LISTEN, 0, 0, 0, NULL},
    {"addressfamily", KT_AF, O(address_family), 0, 0, NULL},
    {"hostkey", KT_ACCUM, O(host_key_files), 0, 0, NULL},
    {"pidfile", KT_STR, O(pid_file), 0, 0, NULL},
    {"loglevel", KT_LOGLEVEL, O(log_level), F_M, 0, NULL},
    {"syslogfacility", KT_FACILITY, O(syslog_facility), 0, 0, NULL},
    {"logingracetime", KT_TIME, O(login_grace_time), 0, 0, NULL},
    {"maxauthtries", KT_INT, O(max_auth_tries), F_M, 0, NULL},
    {"maxsessions", KT_INT, O(max_sessions), F_M, 0, NULL},
    {"maxstartups", KT_MAXSTARTUPS, 0, 0, 0, NULL},
    {"clientaliveinterval", KT_TIME, O(client_alive_interval), F_M, 0, NULL},
    {"clientalivecountmax", KT_INT, O(client_alive_count_max), F_M, 0, NULL},
    {"tcpkeepalive", KT_BOOL, O(tcp_keep_alive), 0, 0, NULL},
    {"keepalive", KT_BOOL, 0, 0, 0, "tcpkeepalive"},
    {"kexalgorithms", KT_ALG, O(kex_algorithms), 0, SC_ALG_KEX, NULL},
    {"ciphers", KT_ALG, O(ciphers), 0, SC_ALG_CIPHER, NULL},
    {"macs", KT_ALG, O(macs), 0, SC_ALG_MAC, NULL},
    {"hostkeyalgorithms", KT_ALG, O(host_key_algorithms), 0, SC_ALG_HOSTKEY,
     NULL},
    {"pubkeyacceptedalgorithms", KT_ALG, O(pubkey_accepted_algorithms), F_M,
     SC_ALG_PUBKEY, NULL},
    {"pubkeyacceptedkeytypes", KT_ALG, 0, F_M, 0, "pubkeyacceptedalgorithms"},
    {"rekeylimit", KT_REKEY, 0, F_M, 0, NULL},
    {"permitrootlogin", KT_ROOT, O(permit_root_login), F_M, 0, NULL},
    {"permitemptypasswords", KT_FLAG, O(permit_empty_passwords), F_M, 0, NULL},
    {"passwordauthentication", KT_FLAG, O(password_authentication), F_M, 0,
     NULL},
    {"pubkeyauthentication", KT_FLAG, O(pubkey_authentication), F_M, 0, NULL},
    {"kbdinteractiveauthentication", KT_FLAG, O(kbd_interactive_authentication),
     F_M, 0, NULL},
    {"challengeresponseauthentication", KT_FLAG, 0, F_M, 0,
     "kbdinteractiveauthentication"},
    {"skeyauthentication", KT_FLAG, 0, F_M, 0, "kbdinteractiveauthentication"},
    {"authenticationmethods", KT_AUTHMETHODS, O(authentication_methods), F_M, 0,
     NULL},
    {"usepam", KT_FLAG, O(use_pam), 0, 0, NULL},
    {"pamservicename", KT_STR, O(pam_service_name), 0, 0, NULL},
    {"authorizedkeysfile", KT_ARGV, O(authorized_keys_files), F_M, 0, NULL},
    {"strictmodes", KT_FLAG, O(strict_modes), 0, 0, NULL},
    {"allowusers", KT_ACCUM, O(allow_users), F_M, 0, NULL},
    {"denyusers", KT_ACCUM, O(deny_users), F_M, 0, NULL},
    {"allowgroups", KT_ACCUM, O(allow_groups), F_M, 0, NULL},
    {"denygroups", KT_ACCUM, O(deny_groups), F_M, 0, NULL},
    {"permituserenvironment", KT_FLAG, O(permit_user_environment), 0, 0, NULL},
    {"banner", KT_STRNONE, O(banner), F_M, 0, NULL},
    {"printmotd", KT_FLAG, O(print_motd), 0, 0, NULL},
    {"printlastlog", KT_FLAG, O(print_last_log), 0, 0, NULL},
    {"acceptenv", KT_ACCUM, O(accept_env), F_M, 0, NULL},
    {"subsystem", KT_SUBSYSTEM, 0, 0, 0, NULL},
    {"forcecommand", KT_JOIN, O(force_command), F_M | F_NONE, 0, NULL},
    {"permittty", KT_FLAG, O(permit_tty), F_M, 0, NULL},
    {"x11forwarding", KT_FLAG, O(x11_forwarding), F_M, 0, NULL},
    {"allowtcpforwarding", KT_TCPFWD, O(allow_tcp_forwarding), F_M, 0, NULL},
    {"allowagentforwarding", KT_FLAG, O(allow_agent_forwarding), F_M, 0, NULL},
    {"usedns", KT_FLAG, O(use_dns), 0, 0, NULL},
    {"chrootdirectory", KT_STR, O(chroot_directory), F_M, 0, NULL},
    {"versionaddendum", KT_JOIN, O(version_addendum), 0, 0, NULL},
    {"persourcepenalties", KT_PENALTIES, O(per_source_penalties), 0, 0, NULL},
    {"persourcepenaltyexemptlist", KT_EXEMPT, 0, 0, 0, NULL},
    {"persourcemaxstartups", KT_PSMAXSTARTUPS, O(per_source_max_startups), 0, 0,
     NULL},
    {"persourcenetblocksize", KT_NETBLOCK, 0, 0, 0, NULL},
    {"sandboxuser", KT_USER, O(sandbox_user), 0, 0, NULL},
    {"include", KT_INCLUDE, 0, F_M, 0, NULL},
    {"match", KT_MATCH, 0, F_M, 0, NULL},
    /* known to sshd, not implemented here */
    {"protocol", KT_IGNORE, 0, 0, 0, NULL},
    {"hostcertificate", KT_IGNORE, 0, 0, 0, NULL},
    {"hostkeyagent", KT_IGNORE, 0, 0, 0, NULL},
    {"hostbasedauthentication", KT_IGNORE, 0, F_M, 0, NULL},
    {"hostbasedusesnamefrompacketonly", KT_IGNORE, 0, F_M, 0, NULL},
    {"hostbasedacceptedalgorithms", KT_IGNORE, 0, F_M, 0, NULL},
    {"hostbasedacceptedkeytypes", KT_IGNORE, 0, F_M, 0, NULL},
    {"ignorerhosts", KT_IGNORE, 0, F_M, 0, NULL},
    {"ignoreuserknownhosts", KT_IGNORE, 0, 0, 0, NULL},
    {"kerberosauthentication", KT_IGNORE, 0, F_M, 0, NULL},
    {"kerberosorlocalpasswd", KT_IGNORE, 0, 0, 0, NULL},
    {"kerberosticketcleanup", KT_IGNORE, 0, 0, 0, NULL},
    {"kerberosgetafstoken", KT_IGNORE, 0, 0, 0, NULL},
    {"gssapiauthentication", KT_IGNORE, 0, F_M, 0, NULL},
    {"gssapicleanupcredentials", KT_IGNORE, 0, 0, 0, NULL},
    {"gssapistrictacceptorcheck", KT_IGNORE, 0, 0, 0, NULL},
    {"gssapikeyexchange", KT_IGNORE, 0, 0, 0, NULL},
    {"gssapistorecredentialsonrekey", KT_IGNORE, 0, 0, 0, NULL},
    {"gssapikexalgorithms", KT_IGNORE, 0, 0, 0, NULL},
    {"x11displayoffset", KT_IGNORE, 0, F_M, 0, NULL},
    {"x11uselocalhost", KT_IGNORE, 0, F_M, 0, NULL},
    {"xauthlocation", KT_IGNORE, 0, 0, 0, NULL},
    {"permituserrc", KT_IGNORE, 0, F_M, 0, NULL},
    {"compression", KT_IGNORE, 0, 0, 0, NULL},
    {"gatewayports", KT_IGNORE, 0, F_M, 0, NULL},
    {"disableforwarding", KT_IGNORE, 0, F_M, 0, NULL},
    {"allowstreamlocalforwarding", KT_IGNORE, 0, F_M, 0, NULL},
    {"streamlocalbindmask", KT_IGNORE, 0, F_M, 0, NULL},
    {"streamlocalbindunlink", KT_IGNORE, 0, F_M, 0, NULL},
    {"fingerprinthash", KT_IGNORE, 0, 0, 0, NULL},
    {"exposeauthinfo", KT_IGNORE, 0, F_M, 0, NULL},
    {"modulifile", KT_IGNORE, 0, 0, 0, NULL},
    {"trustedusercakeys", KT_IGNORE, 0, F_M, 0, NULL},
    {"revokedkeys", KT_IGNORE, 0, F_M, 0, NULL},
    {"securitykeyprovider", KT_IGNORE, 0, 0, 0, NULL},
    {"authorizedprincipalsfile", KT_IGNORE, 0, F_M, 0, NULL},
    {"authorizedkeyscommand", KT_IGNORE, 0, F_M, 0, NULL},
    {"authorizedkeyscommanduser", KT_IGNORE, 0, F_M, 0, NULL},
    {"authorizedprincipalscommand", KT_IGNORE, 0, F_M, 0, NULL},
    {"authorizedprincipalscommanduser", KT_IGNORE, 0, F_M, 0, NULL},
    {"casignaturealgorithms", KT_IGNORE, 0, 0, 0, NULL},
    {"permittunnel", KT_IGNORE, 0, F_M, 0, NULL},
    {"ipqos", KT_IGNORE, 0, F_M, 0, NULL},
    {"permitopen", KT_IGNORE, 0, F_M, 0, NULL},
    {"permitlisten", KT_IGNORE, 0, F_M, 0, NULL},
    {"pubkeyauthoptions", KT_IGNORE, 0, F_M, 0, NULL},
    {"setenv", KT_IGNORE, 0, F_M, 0, NULL},
    {"requiredrsasize", KT_IGNORE, 0, F_M, 0, NULL},
    {"unusedconnectiontimeout", KT_IGNORE, 0, F_M, 0, NULL},
    {"channeltimeout", KT_IGNORE, 0, F_M, 0, NULL},
    {"debianbanner", KT_IGNORE, 0, 0, 0, NULL},
    {"logverbose", KT_IGNORE, 0, F_M, 0, NULL},
    {"rdomain", KT_IGNORE, 0, F_M, 0, NULL},
    {"refuseconnection", KT_IGNORE, 0, F_M, 0, NULL},
    {"sshdsessionpath", KT_IGNORE, 0, 0, 0, NULL},
    {"sshdauthpath", KT_IGNORE, 0, 0, 0, NULL},
    {"useprivilegeseparation", KT_DEPRECATED, 0, 0, 0, NULL},
    {"rsaauthentication", KT_DEPRECATED, 0, F_M, 0, NULL},
    {"rhostsrsaauthentication", KT_DEPRECATED, 0, F_M, 0, NULL},
    {"rhostsauthentication", KT_DEPRECATED, 0, F_M, 0, NULL},
    {"keyregenerationinterval", KT_DEPRECATED, 0, 0, 0, NULL},
    {"serverkeybits", KT_DEPRECATED, 0, 0, 0, NULL},
    {"uselogin", KT_DEPRECATED, 0, 0, 0, NULL},
    {"dsaauthentication", KT_DEPRECATED, 0, F_M, 0, NULL},
    {"verifyreversemapping", KT_DEPRECATED, 0, 0, 0, NULL},
    {"reversemappingcheck", KT_DEPRECATED, 0, 0, 0, NULL},
    {"pamauthenticationviakbdint", KT_DEPRECATED, 0, 0, 0, NULL},
    {"afstokenpassing", KT_DEPRECATED, 0, 0, 0, NULL},
    {"kerberostgtpassing", KT_DEPRECATED, 0, 0, 0, NULL},
    {"showpatchlevel", KT_DEPRECATED, 0, 0, 0, NULL},
    {"authorizedkeysfile2", KT_DEPRECATED, 0, F_M, 0, NULL},
    {"useroaming", KT_DEPRECATED, 0, 0, 0, NULL},
};

const size_t sc_nkw = sizeof(sc_kws) / sizeof(sc_kws[0]);
_Static_assert(sizeof(sc_kws) / sizeof(sc_kws[0]) <= SC_NKW, "raise SC_NKW");

int sc_fail(struct sc_ctx *x, const char *file, unsigned int lineno, int ret,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

int
sc_fail(struct sc_ctx *x, const char *file, unsigned int lineno, int ret,
        const char *fmt, ...)
{
	va_list ap;

	/* A fatal error replaces a bad-option line already logged. */
	if (x->err != NULL && (x->err->msg[0] == '\0' || x->err->logged)) {
		snprintf(x->err->file, sizeof(x->err->file), "%s", file);
		x->err->line = lineno;
		x->err->logged = false;
		va_start(ap, fmt);
		vsnprintf(x->err->msg, sizeof(x->err->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

int
sc_bad_option(struct sc_ctx *x, const char *file, unsigned int lineno,
              const char *fmt, ...)
{
	char msg[sizeof(x->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s", msg);
	if (x->err != NULL) {
		x->err->nbad++;
		if (x->err->msg[0] == '\0') {
			snprintf(x->err->file, sizeof(x->err->file), "%s",
			         file);
			x->err->line = lineno;
			x->err->logged = true;
			memcpy(x->err->msg, msg, sizeof(msg));
		}
	}
	return SESH_ERR_INVALID_ARGUMENT;
}

const struct kw *
sc_kw_find(const char *kw, size_t *idx)
{
	size_t i;

	for (i = 0; i < sc_nkw; i++) {
		if (strcmp(sc_kws[i].name, kw) == 0) {
			if (sc_kws[i].alias != NULL) {
				return sc_kw_find(sc_kws[i].alias, idx);
			}
			*idx = i;
			return &sc_kws[i];
		}
	}
	return NULL;
}

/* ---- Match criteria --------------------------------------------------- */

/*
 * Checks (ci NULL) or evaluates a Match line's criteria. Returns 1
 * (applies), 0 (does not), or SESH_ERR_INVALID_ARGUMENT with *why.
 */
int
sc_match_eval(char *const *args, size_t n, const struct servconf_conninfo *ci,
              const char **why)
{
	size_t i, k;
	int result = 1, r;
	unsigned int port;
	const char *a, *v;

	if (n == 0) {
		*why = "Missing Match criteria";
		return SESH_ERR_INVALID_ARGUMENT;
	}
	for (i = 0; i < n; i++) {
		a = args[i];
		if (strcasecmp(a, "all") == 0) {
			if (n != 1) {
				*why = "'all' cannot be combined with other "
				       "Match attributes";
				return SESH_ERR_INVALID_ARGUMENT;
			}
			return 1;
		}
		if (i + 1 >= n || args[i + 1][0] == '\0') {
			*why = "Missing Match criteria";
			return SESH_ERR_INVALID_ARGUMENT;
		}
		v = args[++i];
		if (strcasecmp(a, "user") == 0) {
			if (ci == NULL || ci->user == NULL ||
			    match_pattern_list(ci->user, strlen(ci->user), v,
			                       strlen(v),
			                       false) != MATCH_POSITIVE) {
				result = 0;
			}
		} else if (strcasecmp(a, "group") == 0) {
			bool pos = false, neg = false;
			enum match_result m;

			for (k = 0; ci != NULL && ci->groups != NULL &&
			            ci->groups[k] != NULL;
			     k++) {
				m = match_pattern_list(ci->groups[k],
				                       strlen(ci->groups[k]), v,
				                       strlen(v), false);
				pos |= m == MATCH_POSITIVE;
				neg |= m == MATCH_NEGATED;
			}
			if (!pos || neg) {
				result = 0;
			}
		} else if (strcasecmp(a, "host") == 0) {
			const char *h = ci != NULL ? ci->host : NULL;

			if (h == NULL && ci != NULL) {
				h = ci->addr;
			}
			if (h == NULL ||
			    match_pattern_list(h, strlen(h), v, strlen(v),
			                       true) != MATCH_POSITIVE) {
				result = 0;
			}
		} else if (strcasecmp(a, "address") == 0 ||
		           strcasecmp(a, "localaddress") == 0) {
			const char *addr = NULL;

			if (ci != NULL) {
				addr = strcasecmp(a, "address") == 0
				           ? ci->addr
				           : ci->laddr;
			}
			r = sc_addr_match_list(addr, v);
			if (r < 0) {
				*why = "Invalid Match address argument";
				return r;
			}
			if (r != 1) {
				result = 0;
			}
		} else if (strcasecmp(a, "localport") == 0) {
			if (sc_parse_port(v, &port) != 0) {
				*why = "Invalid LocalPort";
				return SESH_ERR_INVALID_ARGUMENT;
			}
			if (ci == NULL || ci->lport != port) {
				result = 0;
			}
		} else if (strcasecmp(a, "rdomain") == 0) {
			result = 0; /* routing domains: never ours */
		} else {
			*why = "Unsupported Match attribute";
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	return result;
}

/* ---- applying one line ------------------------------------------------ */

int *
sc_fint(struct servconf *c, const struct kw *k)
{
	return (int *)(void *)((char *)c + k->off);
}

char **
sc_fstr(struct servconf *c, const struct kw *k)
{
	return (char **)(void *)((char *)c + k->off);
}

char ***
sc_fstrv(struct servconf *c, const struct kw *k)
{
	return (char ***)(void *)((char *)c + k->off);
}

static int
apply_include(struct sc_ctx *x, const char *file, unsigned int lineno,
              char *const *args, size_t nargs)
{
	glob_t g;
	size_t i, j;
	char *pat;
	const char *slash;
	const char *top = x->mode == SC_CMDLINE ? NULL : x->topfile;
	long blk = x->blk;
	int ret = 0, gr, first = 0;

	if (x->depth >= SC_MAX_DEPTH) {
		return BAD(x, file, lineno,
		           "%s line %u: Too many recursive "
		           "configuration includes",
		           file, lineno);
	}
	for (i = 0; i < nargs && !x->stop; i++) {
		if (args[i][0] == '/' || top == NULL ||
		    (slash = strrchr(top, '/')) == NULL) {
			pat = strdup(args[i]);
		} else if (asprintf(&pat, "%.*s/%s", (int)(slash - top), top,
		                    args[i]) < 0) {
			pat = NULL;
		}
		if (pat == NULL) {
			return SESH_ERR_NOMEM;
		}
		memset(&g, 0, sizeof(g));
		gr = glob(pat, 0, NULL, &g);
		if (gr == GLOB_NOMATCH) {
			log_debug2("%s line %u: include %s matched no files",
			           file, lineno, pat);
		} else if (gr != 0) {
			free(pat);
			globfree(&g);
			return BAD(x, file, lineno,
			           "%s line %u: include \"%s\" glob failed",
			           file, lineno, args[i]);
		}
		free(pat);
		for (j = 0; j < g.gl_pathc && !x->stop; j++) {
			x->depth++;
			ret = sc_load(x, g.gl_pathv[j]);
			x->depth--;
			/* A Match inside an included file ends with it. */
			x->blk = blk;
			if (ret == SESH_ERR_NOT_FOUND) {
				ret = 0; /* vanished since the glob */
			}
			if (ret != 0 && first == 0) {
				first = ret;
			}
			if (ret != 0 && ret != SESH_ERR_INVALID_ARGUMENT) {
				break;
			}
		}
		globfree(&g);
		if (ret != 0 && ret != SESH_ERR_INVALID_ARGUMENT) {
			return ret;
		}
	}
	return first;
}

/*
 * Parses and stores one keyword line into x->c (first value wins).
 * Returns 0, SESH_ERR_INVALID_ARGUMENT (err says which), SESH_ERR_NOMEM.
 */
int
sc_apply_line(struct sc_ctx *x, const char *file, unsigned int lineno,
              const char *kwraw, const char *kw, char *const *args,
              size_t nargs)
{
	struct servconf *c = x->c;
	struct sc_priv *p = x->p;
	const struct kw *k;
	size_t idx = 0;
	bool have;
	const char *why = NULL;
	int ret = 0, iv;
	long long ll;

	k = sc_kw_find(kw, &idx);
	if (k == NULL) {
		return sc_bad_option(
		    x, file, lineno,
		    "%s: line %u: Bad configuration option: %s", file, lineno,
		    kwraw);
	}
	if (k->type == KT_MATCH) {
		struct sc_block *nb;

		if (x->mode != SC_LOAD) {
			x->stop = true;
			return BAD(x, file, lineno,
			           "Match directive not "
			           "supported as a command-line option");
		}
		if (sc_match_eval(args, nargs, NULL, &why) < 0) {
			x->stop = true;
			return BAD(x, file, lineno,
			           "%s line %u: Bad Match condition (%s)", file,
			           lineno, why);
		}
		if (p->nblocks >= SC_MAX_LIST) {
			x->stop = true;
			return BAD(x, file, lineno,
			           "%s line %u: too many "
			           "Match blocks",
			           file, lineno);
		}
		nb = realloc(p->blocks, (p->nblocks + 1) * sizeof(*nb));
		if (nb == NULL) {
			return SESH_ERR_NOMEM;
		}
		p->blocks = nb;
		memset(&nb[p->nblocks], 0, sizeof(*nb));
		if ((ret = sc_line_store(&nb[p->nblocks].crit, file, lineno,
		                         kwraw, args, nargs)) != 0) {
			return ret;
		}
		x->blk = (long)p->nblocks++;
		return 0;
	}
	if (x->blk >= 0 && !(k->flags & F_M)) {
		x->stop = true;
		return BAD(x, file, lineno,
		           "%s line %u: Directive '%s' is not "
		           "allowed within a Match block",
		           file, lineno, kwraw);
	}
	if (nargs == 0 ||
	    (nargs == 1 && args[0][0] == '\0' && k->type != KT_IGNORE)) {
		if (k->type == KT_IGNORE || k->type == KT_DEPRECATED) {
			goto ignored;
		}
		return sc_bad_option(
		    x, file, lineno,
		    "%s line %u: no argument after keyword \"%s\"", file,
		    lineno, kwraw);
	}
	if (k->type == KT_INCLUDE) {
		return apply_include(x, file, lineno, args, nargs);
	}
	if (x->blk >= 0) {
		/* Inside a Match block: check the value now (on a scratch
		 * config, so -t reports it), keep the line for later. */
		struct servconf scratch;
		struct sc_ctx sx = *x;
		struct sc_block *b = &p->blocks[x->blk];
		struct sc_line *nl;

		servconf_init(&scratch);
		sx.c = &scratch;
		sx.p = sc_priv_of(&scratch);
		sx.blk = -1;
		sx.mode = SC_APPLY;
		ret = sx.p == NULL ? SESH_ERR_NOMEM
		                   : sc_apply_line(&sx, file, lineno, kwraw, kw,
		                                   args, nargs);
		x->stop = sx.stop;
		servconf_clear(&scratch);
		if (ret != 0) {
			return ret;
		}
		if (b->nlines >= SC_MAX_LIST) {
			return SESH_ERR_LIMIT;
		}
		nl = realloc(b->lines, (b->nlines + 1) * sizeof(*nl));
		if (nl == NULL) {
			return SESH_ERR_NOMEM;
		}
		b->lines = nl;
		ret = sc_line_store(&nl[b->nlines], file, lineno, kwraw, args,
		                    nargs);
		if (ret == 0) {
			b->nlines++;
		}
		return ret;
	}
	/* Single-argument keywords. */
	switch (k->type) {
	case KT_FLAG:
	case KT_BOOL:
	case KT_INT:
	case KT_TIME:
	case KT_STR:
	case KT_STRNONE:
	case KT_ALG:
	case KT_AF:
	case KT_LOGLEVEL:
	case KT_FACILITY:
	case KT_MAXSTARTUPS:
	case KT_EXEMPT:
	case KT_PSMAXSTARTUPS:
	case KT_NETBLOCK:
	case KT_ROOT:
	case KT_TCPFWD:
	case KT_PORT:
	case KT_USER:
		if (nargs > 1) {
			return sc_bad_option(x, file, lineno,
			                     "%s line %u: keyword %s "
			                     "extra arguments at end of line",
			                     file, lineno, kwraw);
		}
		break;
	default:
		break;
	}
	have = p->set[idx] != 0;
	x->stop = true; /* value errors below are fatal, as in sshd */
	switch (k->type) {
	case KT_FLAG:
	case KT_BOOL:
		if (sc_parse_flag(args[0], &iv) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: unsupported option \"%s\".",
			           file, lineno, args[0]);
		}
		if (!have) {
			if (k->type == KT_BOOL) {
				*(bool *)(void *)((char *)c + k->off) = iv;
			} else {
				*sc_fint(c, k) = iv;
			}
		}
		break;
	case KT_INT:
		if (sc_parse_int(args[0], k->arg, INT_MAX, &ll, &why) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: %s integer value %s.", file,
			           lineno, kwraw, why);
		}
		if (!have) {
			*sc_fint(c, k) = (int)ll;
		}
		break;
	case KT_TIME:
		if (sc_parse_time(args[0], &iv) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: invalid time value.", file,
			           lineno);
		}
		if (!have) {
			*sc_fint(c, k) = iv;
		}
		break;
	case KT_STR:
	case KT_STRNONE:
	case KT_JOIN:
		if (!have) {
			char *s;

			if ((k->type == KT_STRNONE ||
			     ((k->flags & F_NONE) && nargs == 1)) &&
			    strcasecmp(args[0], "none") == 0) {
				s = NULL;
			} else if ((s = sc_join_args(args, nargs)) == NULL) {
				return SESH_ERR_NOMEM;
			}
			free(*sc_fstr(c, k));
			*sc_fstr(c, k) = s;
		}
		break;
	case KT_USER:
		if (strcasecmp(args[0], "none") != 0) {
			ret = sandbox_user(args[0], NULL, NULL, NULL);
			if (ret == SESH_ERR_NOT_FOUND) {
				return BAD(
				    x, file, lineno,
				    "%s line %u: %s: no such user \"%s\".",
				    file, lineno, kwraw, args[0]);
			}
			if (ret != 0) {
				return BAD(
				    x, file, lineno,
				    "%s line %u: %s: user \"%s\" has uid "
				    "or gid 0.",
				    file, lineno, kwraw, args[0]);
			}
		}
		if (!have) {
			char *s = NULL;

			if (strcasecmp(args[0], "none") != 0 &&
			    (s = strdup(args[0])) == NULL) {
				return SESH_ERR_NOMEM;
			}
			free(*sc_fstr(c, k));
			*sc_fstr(c, k) = s;
		}
		break;
	case KT_ARGV:
		if (!have) {
			mem_strv_free(*sc_fstrv(c, k));
			*sc_fstrv(c, k) = NULL;
			if ((ret = sc_strv_append(sc_fstrv(c, k), args,
			                          nargs)) != 0) {
				return ret;
			}
		}
		break;
	case KT_ACCUM:
		if ((ret = sc_strv_append(sc_fstrv(c, k), args, nargs)) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: too many "
			           "entries",
			           file, lineno);
		}
		break;
	case KT_AUTHMETHODS:
		if (sc_check_auth_methods(args, nargs, &why) != 0) {
			return BAD(x, file, lineno, "%s line %u: %s", file,
			           lineno, why);
		}
		if (!have) {
			mem_strv_free(*sc_fstrv(c, k));
			*sc_fstrv(c, k) = NULL;
			if ((ret = sc_strv_append(sc_fstrv(c, k), args,
			                          nargs)) != 0) {
				return ret;
			}
		}
		break;
	case KT_ALG: {
		char *s = NULL;
		static const char *const what[] = {
		    "key exchange algorithm", "cipher", "MAC",
		    "host key algorithm", "public key algorithm"};

		ret = sc_alg_list((enum sc_alg)k->arg, args[0], &s);
		if (ret == SESH_ERR_NOMEM) {
			return ret;
		}
		if (ret != 0) {
			if (k->arg == SC_ALG_CIPHER) {
				return BAD(x, file, lineno,
				           "%s line %u: Bad "
				           "SSH2 cipher spec '%s'.",
				           file, lineno, args[0]);
			}
			return BAD(x, file, lineno,
			           "%s line %u: Bad %s "
			           "list '%s'.",
			           file, lineno, what[k->arg], args[0]);
		}
		if (!have) {
			free(*sc_fstr(c, k));
			*sc_fstr(c, k) = s;
		} else {
			free(s);
		}
		break;
	}
	case KT_PORT: {
		unsigned int port;

		if (sc_parse_port(args[0], &port) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: Badly "
			           "formatted port number.",
			           file, lineno);
		}
		if (x->mode == SC_CMDLINE) {
			p->cmdline_ports = true;
		} else if (p->cmdline_ports) {
			break; /* -p wins over the files' Port lines */
		}
		if (c->nports >= SERVCONF_MAX_PORTS) {
			return BAD(x, file, lineno,
			           "%s line %u: too many "
			           "ports.",
			           file, lineno);
		}
		c->ports[c->nports++] = port;
		break;
	}
	case KT_LISTEN: {
		struct servconf_listen *nl;
		char *host = NULL;
		unsigned int port = 0;

		if (nargs != 1 &&
		    !(nargs == 3 && strcasecmp(args[1], "rdomain") == 0)) {
			return BAD(x, file, lineno,
			           "%s line %u: bad "
			           "ListenAddress arguments",
			           file, lineno);
		}
		ret = sc_parse_listen(args[0], &host, &port);
		if (ret == SESH_ERR_NOMEM) {
			return ret;
		}
		if (ret != 0) {
			return BAD(
			    x, file, lineno, "%s line %u: %s", file, lineno,
			    ret == SESH_ERR_LIMIT ? "bad port number"
			                          : "bad address:port usage");
		}
		if (c->nlisten >= SC_MAX_LIST) {
			free(host);
			return BAD(x, file, lineno,
			           "%s line %u: too many "
			           "listen addresses",
			           file, lineno);
		}
		nl = realloc(c->listen, (c->nlisten + 1) * sizeof(*nl));
		if (nl == NULL) {
			free(host);
			return SESH_ERR_NOMEM;
		}
		c->listen = nl;
		nl[c->nlisten].addr = host;
		nl[c->nlisten].port = port;
		c->nlisten++;
		break;
	}
	case KT_AF:
		if (strcasecmp(args[0], "any") == 0) {
			iv = AF_UNSPEC;
		} else if (strcasecmp(args[0], "inet") == 0) {
			iv = AF_INET;
		} else if (strcasecmp(args[0], "inet6") == 0) {
			iv = AF_INET6;
		} else {
			return BAD(x, file, lineno,
			           "%s line %u: unsupported "
			           "option \"%s\".",
			           file, lineno, args[0]);
		}
		if (!have) {
			*sc_fint(c, k) = iv;
		}
		break;
	case KT_LOGLEVEL: {
		enum log_level lv;

		if (log_level_parse(args[0], &lv) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: unsupported "
			           "log level '%s'",
			           file, lineno, args[0]);
		}
		if (!have) {
			c->log_level = lv;
		}
		break;
	}
	case KT_FACILITY:
		if (log_facility_parse(args[0], &iv) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: unsupported "
			           "log facility '%s'",
			           file, lineno, args[0]);
		}
		if (!have) {
			c->syslog_facility = iv;
		}
		break;
	case KT_MAXSTARTUPS: {
		int b, r, f;

		if (sc_parse_maxstartups(args[0], &b, &r, &f) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: Illegal "
			           "MaxStartups spec.",
			           file, lineno);
		}
		if (!have) {
			c->max_startups_begin = b;
			c->max_startups_rate = r;
			c->max_startups_full = f;
		}
		break;
	}
	case KT_PENALTIES: {
		struct penalty_conf pc;

		if (sc_parse_penalties(args, nargs, &pc, &why) != 0) {
			return BAD(x, file, lineno, "%s line %u: %s: %s", file,
			           lineno, kwraw,
			           why != NULL ? why : "invalid value");
		}
		if (!have) {
			c->penalty = pc;
			c->per_source_penalties = pc.enabled ? 1 : 0;
		}
		break;
	}
	case KT_EXEMPT: {
		struct penalty_exempt *ex = NULL;

		ret = penalty_exempt_parse(args[0], strlen(args[0]), &ex, &why);
		penalty_exempt_free(ex);
		if (ret == SESH_ERR_NOMEM) {
			return ret;
		}
		if (ret != 0 && strcasecmp(args[0], "none") != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: %s: invalid address list "
			           "\"%s\" (%s)",
			           file, lineno, kwraw, args[0], why);
		}
		if (!have && ret == 0) {
			free(c->per_source_penalty_exempt);
			c->per_source_penalty_exempt = strdup(args[0]);
			if (c->per_source_penalty_exempt == NULL) {
				return SESH_ERR_NOMEM;
			}
		}
		break;
	}
	case KT_PSMAXSTARTUPS:
		if (strcmp(args[0], "none") == 0) {
			iv = 0;
		} else if (sc_parse_int(args[0], 1, INT_MAX, &ll, &why) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: %s integer value %s.", file,
			           lineno, kwraw, why);
		} else {
			iv = (int)ll;
		}
		if (!have) {
			c->per_source_max_startups = iv;
		}
		break;
	case KT_NETBLOCK: {
		int b4, b6;

		if (sc_parse_netblock(args[0], &b4, &b6) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: Invalid %s argument \"%s\"",
			           file, lineno, kwraw, args[0]);
		}
		if (!have) {
			c->per_source_netblock4 = b4;
			c->per_source_netblock6 = b6;
		}
		break;
	}
	case KT_REKEY: {
		uint64_t bytes;
		int secs = 0;

		if (nargs > 2) {
			x->stop = false;
			return sc_bad_option(x, file, lineno,
			                     "%s line %u: keyword %s "
			                     "extra arguments at end of line",
			                     file, lineno, kwraw);
		}
		if (sc_parse_bytes(args[0], &bytes) != 0 ||
		    (bytes != 0 && bytes < 16)) {
			return BAD(x, file, lineno,
			           "%s line %u: Bad RekeyLimit "
			           "number '%s'",
			           file, lineno, args[0]);
		}
		if (nargs == 2 && strcasecmp(args[1], "none") != 0 &&
		    strcasecmp(args[1], "default") != 0 &&
		    sc_parse_time(args[1], &secs) != 0) {
			return BAD(x, file, lineno,
			           "%s line %u: invalid "
			           "rekey time value.",
			           file, lineno);
		}
		if (!have) {
			c->rekey_limit_bytes = bytes;
			c->rekey_limit_secs = (unsigned int)secs;
		}
		break;
	}
	case KT_ROOT:
		if (strcasecmp(args[0], "yes") == 0) {
			iv = SERVCONF_ROOT_YES;
		} else if (strcasecmp(args[0], "no") == 0) {
			iv = SERVCONF_ROOT_NO;
		} else if (strcasecmp(args[0], "prohibit-password") == 0 ||
		           strcasecmp(args[0], "without-password") == 0) {
			iv = SERVCONF_ROOT_PROHIBIT_PASSWORD;
		} else if (strcasecmp(args[0], "forced-commands-only") == 0) {
			iv = SERVCONF_ROOT_FORCED_COMMANDS_ONLY;
		} else {
			return BAD(x, file, lineno,
			           "%s line %u: unsupported "
			           "option \"%s\".",
			           file, lineno, args[0]);
		}
		if (!have) {
			c->permit_root_login = (enum servconf_root)iv;
		}
		break;
	case KT_TCPFWD:
		if (strcasecmp(args[0], "yes") == 0 ||
		    strcasecmp(args[0], "all") == 0) {
			iv = 3;
		} else if (strcasecmp(args[0], "no") == 0) {
			iv = 0;
		} else if (strcasecmp(args[0], "local") == 0) {
			iv = 1;
		} else if (strcasecmp(args[0], "remote") == 0) {
			iv = 2;
		} else {
			return BAD(x, file, lineno,
			           "%s line %u: unsupported "
			           "option \"%s\".",
			           file, lineno, args[0]);
		}
		if (!have) {
			*sc_fint(c, k) = iv;
		}
		break;
	case KT_SUBSYSTEM: {
		struct servconf_subsystem *ns;
		size_t i;
		char *cmd;

		if (nargs < 2) {
			return BAD(x, file, lineno,
			           "%s line %u: Missing "
			           "subsystem command.",
			           file, lineno);
		}
		for (i = 0; i < c->nsubsystems; i++) {
			if (strcmp(c->subsystems[i].name, args[0]) == 0) {
				return BAD(x, file, lineno,
				           "%s line %u: "
				           "Subsystem '%s' already defined.",
				           file, lineno, args[0]);
			}
		}
		if (c->nsubsystems >= SC_MAX_LIST) {
			return SESH_ERR_LIMIT;
		}
		ns = realloc(c->subsystems, (c->nsubsystems + 1) * sizeof(*ns));
		if (ns == NULL) {
			return SESH_ERR_NOMEM;
		}
		c->subsystems = ns;
		cmd = sc_join_args(args + 1, nargs - 1);
		ns[c->nsubsystems].name = strdup(args[0]);
		ns[c->nsubsystems].command = cmd;
		c->nsubsystems++;
		if (cmd == NULL || ns[c->nsubsystems - 1].name == NULL) {
			return SESH_ERR_NOMEM;
		}
		break;
	}
	case KT_IGNORE:
	case KT_DEPRECATED:
	ignored:
		x->stop = false;
		if (k->type == KT_DEPRECATED) {
			log_info("%s line %u: Deprecated option %s", file,
			         lineno, kwraw);
		} else {
			log_debug("%s line %u: Unsupported option %s", file,
			          lineno, kwraw);
		}
		return 0;
	case KT_INCLUDE:
	case KT_MATCH:
		break;
	}
	x->stop = false;
	p->set[idx] = 1;
	return 0;
}

/* Applies one tokenized line; the keyword's spelling comes from raw. */
int
sc_apply_tok(struct sc_ctx *x, const char *file, const char *raw, size_t rawn,
             const struct cfgtok_line *l)
{
	char kwraw[64];
	size_t i = 0, j = 0;

	while (i < rawn && (raw[i] == ' ' || raw[i] == '\t')) {
		i++;
	}
	while (i < rawn && j + 1 < sizeof(kwraw) && raw[i] != ' ' &&
	       raw[i] != '\t' && raw[i] != '=' && raw[i] != '\r' &&
	       raw[i] != '\n') {
		kwraw[j++] = raw[i++];
	}
	kwraw[j] = '\0';
	return sc_apply_line(x, file, (unsigned int)l->lineno, kwraw,
	                     l->keyword, l->args, l->nargs);
}

/* Parses text (a whole file) line by line. */
int
sc_parse_text(struct sc_ctx *x, const char *file, const char *text, size_t n)
{
	struct cfgtok_line l;
	size_t pos = 0, end, lineno = 0;
	int ret, first = 0;

	while (pos < n && !x->stop) {
		end = pos;
		while (end < n && text[end] != '\n') {
			end++;
		}
		lineno++;
		ret = cfgtok_parse_line(text + pos, end - pos, lineno, &l);
		if (ret == SESH_ERR_NOMEM) {
			return ret;
		}
		if (ret != 0) {
			x->stop = true;
			ret = BAD(x, file, (unsigned int)lineno,
			          "%s line %zu: "
			          "%s",
			          file, lineno,
			          ret == SESH_ERR_LIMIT ? "line too long"
			                                : "invalid quotes");
		} else if (l.keyword != NULL) {
			ret = sc_apply_tok(x, file, text + pos, end - pos, &l);
		}
		cfgtok_line_clear(&l);
		if (ret == SESH_ERR_NOMEM) {
			return ret;
		}
		if (ret != 0 && first == 0) {
			first = ret;
		}
		pos = end + 1;
	}
	return first;
}

int
sc_load(struct sc_ctx *x, const char *path)
{
	uint8_t *data = NULL;
	size_t n = 0;
	int ret;

	ret = fileio_read(path, SC_MAX_FILE, &data, &n);
	if (ret == SESH_ERR_NOT_FOUND && x->depth > 0) {
		return ret; /* an included file that vanished: skipped */
	}
	if (ret == SESH_ERR_NOT_FOUND) {
		return sc_fail(x, path, 0, ret, "%s: No such file or directory",
		               path);
	}
	if (ret != 0) {
		return sc_fail(x, path, 0, ret, "%s: %s", path,
		               ret == SESH_ERR_LIMIT ? "file too large"
		                                     : "cannot read file");
	}
	ret = sc_parse_text(x, path, (const char *)data, n);
	free(data);
	return ret;
}

/* ---- public API ------------------------------------------------------- */
