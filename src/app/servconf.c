/*
 * servconf.c - seshd's configuration (see servconf.h): the lifecycle
 * (init, -o options, files, defaults, clear), the deep copy and the
 * per-connection Match overlay (servconf_match), and the string helpers
 * the parser shares (servconf_int.h). Parsing is in servconf_parse.c,
 * value syntax in servconf_val.c, `-T` printing in servconf_dump.c.
 *
 * servconf_match: the result starts as a deep copy of the base config;
 * then, on a fresh overlay config, the -o options are applied first and
 * the lines of every Match block whose criteria hold after them (first
 * value wins, so -o beats Match and an earlier block beats a later
 * one); every keyword the overlay set replaces the copy's value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "app/servconf.h"
#include "app/servconf_int.h"
#include "base/cfgtok.h"
#include "base/err.h"
#include "base/log.h"

size_t
sc_strv_len(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL) {
		n++;
	}
	return n;
}

/* Appends copies of add[0..n) to *v. */
int
sc_strv_append(char ***v, char *const *add, size_t n)
{
	size_t have = sc_strv_len(*v), i;
	char **t;

	if (have + n > SC_MAX_LIST) {
		return SESH_ERR_LIMIT;
	}
	t = realloc(*v, (have + n + 1) * sizeof(*t));
	if (t == NULL) {
		return SESH_ERR_NOMEM;
	}
	*v = t;
	t[have] = NULL;
	for (i = 0; i < n; i++) {
		if ((t[have + i] = strdup(add[i])) == NULL) {
			return SESH_ERR_NOMEM;
		}
		t[have + i + 1] = NULL;
	}
	return 0;
}

int
sc_strv_dup(char *const *v, char ***out)
{
	char **t = NULL;
	int ret;

	*out = NULL;
	if (v == NULL) {
		return 0;
	}
	if ((ret = sc_strv_append(&t, v, sc_strv_len(v))) != 0) {
		mem_strv_free(t);
		return ret;
	}
	*out = t;
	return 0;
}

int
sc_str_dup(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL) {
		return 0;
	}
	if ((*out = strdup(s)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	return 0;
}

char *
sc_join_args(char *const *args, size_t n)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; i < n; i++) {
		len += strlen(args[i]) + 1;
	}
	if ((s = malloc(len)) == NULL) {
		return NULL;
	}
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0) {
			strcat(s, " ");
		}
		strcat(s, args[i]);
	}
	return s;
}

void
sc_line_clear(struct sc_line *l)
{
	free(l->file);
	free(l->kwraw);
	mem_strv_free(l->args);
	memset(l, 0, sizeof(*l));
}

int
sc_line_store(struct sc_line *l, const char *file, unsigned int lineno,
              const char *kwraw, char *const *args, size_t nargs)
{
	memset(l, 0, sizeof(*l));
	l->lineno = lineno;
	l->nargs = nargs;
	if ((l->file = strdup(file)) == NULL ||
	    (l->kwraw = strdup(kwraw)) == NULL ||
	    (l->args = calloc(1, sizeof(char *))) == NULL ||
	    sc_strv_append(&l->args, args, nargs) != 0) {
		sc_line_clear(l);
		return SESH_ERR_NOMEM;
	}
	return 0;
}

void
sc_priv_free(struct sc_priv *p)
{
	size_t i, j;

	if (p == NULL) {
		return;
	}
	for (i = 0; i < p->nblocks; i++) {
		sc_line_clear(&p->blocks[i].crit);
		for (j = 0; j < p->blocks[i].nlines; j++) {
			sc_line_clear(&p->blocks[i].lines[j]);
		}
		free(p->blocks[i].lines);
	}
	free(p->blocks);
	for (i = 0; i < p->ncmdline; i++) {
		sc_line_clear(&p->cmdline[i]);
	}
	free(p->cmdline);
	free(p);
}

struct sc_priv *
sc_priv_of(struct servconf *c)
{
	if (c->match_priv == NULL) {
		c->match_priv = calloc(1, sizeof(struct sc_priv));
	}
	return c->match_priv;
}

void
servconf_init(struct servconf *c)
{
	memset(c, 0, sizeof(*c));
	c->address_family = -1;
	c->log_level = LOG_LVL_INFO;
	c->syslog_facility = -1;
	c->login_grace_time = -1;
	c->max_auth_tries = -1;
	c->max_sessions = -1;
	c->max_startups_begin = -1;
	c->max_startups_rate = -1;
	c->max_startups_full = -1;
	c->client_alive_interval = -1;
	c->client_alive_count_max = -1;
	c->tcp_keep_alive = true;
	c->permit_root_login = SERVCONF_ROOT_UNSET;
	c->permit_empty_passwords = -1;
	c->password_authentication = -1;
	c->pubkey_authentication = -1;
	c->kbd_interactive_authentication = -1;
	c->use_pam = -1;
	c->strict_modes = -1;
	c->permit_user_environment = -1;
	c->print_motd = -1;
	c->print_last_log = -1;
	c->permit_tty = -1;
	c->x11_forwarding = -1;
	c->allow_tcp_forwarding = -1;
	c->allow_agent_forwarding = -1;
	c->use_dns = -1;
	c->per_source_penalties = -1;
	c->per_source_max_startups = -1;
	c->per_source_netblock4 = -1;
	c->per_source_netblock6 = -1;
}

void
servconf_clear(struct servconf *c)
{
	size_t i;

	if (c == NULL) {
		return;
	}
	for (i = 0; i < c->nlisten; i++) {
		free(c->listen[i].addr);
	}
	free(c->listen);
	mem_strv_free(c->host_key_files);
	free(c->pid_file);
	free(c->kex_algorithms);
	free(c->ciphers);
	free(c->macs);
	free(c->host_key_algorithms);
	free(c->pubkey_accepted_algorithms);
	mem_strv_free(c->authentication_methods);
	free(c->pam_service_name);
	mem_strv_free(c->authorized_keys_files);
	mem_strv_free(c->allow_users);
	mem_strv_free(c->deny_users);
	mem_strv_free(c->allow_groups);
	mem_strv_free(c->deny_groups);
	free(c->banner);
	mem_strv_free(c->accept_env);
	for (i = 0; i < c->nsubsystems; i++) {
		free(c->subsystems[i].name);
		free(c->subsystems[i].command);
	}
	free(c->subsystems);
	free(c->force_command);
	free(c->chroot_directory);
	free(c->version_addendum);
	free(c->sandbox_user);
	free(c->per_source_penalty_exempt);
	sc_priv_free(c->match_priv);
	memset(c, 0, sizeof(*c));
}

static void
err_reset(struct servconf_err *err)
{
	if (err != NULL && err->msg[0] == '\0') {
		err->file[0] = '\0';
		err->line = 0;
	}
}

int
servconf_set_option(struct servconf *c, const char *opt,
                    struct servconf_err *err)
{
	struct sc_ctx x = {0};
	struct cfgtok_line l;
	struct sc_line *nl;
	size_t idx;
	int ret;

	err_reset(err);
	if ((x.p = sc_priv_of(c)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	x.c = c;
	x.err = err;
	x.mode = SC_CMDLINE;
	x.blk = -1;
	ret = cfgtok_parse_line(opt, strlen(opt), 0, &l);
	if (ret == SESH_ERR_NOMEM) {
		return ret;
	}
	if (ret != 0 || l.keyword == NULL) {
		cfgtok_line_clear(&l);
		return BAD(&x, SC_CMDLINE_NAME, 0,
		           "%s line 0: invalid option "
		           "\"%s\"",
		           SC_CMDLINE_NAME, opt);
	}
	ret = sc_apply_tok(&x, SC_CMDLINE_NAME, opt, strlen(opt), &l);
	if (ret == 0 && sc_kw_find(l.keyword, &idx) != NULL &&
	    (sc_kws[idx].flags & F_M) && sc_kws[idx].type != KT_INCLUDE) {
		/* Kept to re-apply over Match blocks: -o wins. */
		nl = realloc(x.p->cmdline, (x.p->ncmdline + 1) * sizeof(*nl));
		if (nl == NULL) {
			ret = SESH_ERR_NOMEM;
		} else {
			x.p->cmdline = nl;
			ret =
			    sc_line_store(&nl[x.p->ncmdline], SC_CMDLINE_NAME,
			                  0, sc_kws[idx].name, l.args, l.nargs);
			if (ret == 0) {
				x.p->ncmdline++;
			}
		}
	}
	cfgtok_line_clear(&l);
	return ret;
}

int
servconf_load_file(struct servconf *c, const char *path,
                   struct servconf_err *err)
{
	struct sc_ctx x = {0};

	err_reset(err);
	if ((x.p = sc_priv_of(c)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	x.c = c;
	x.err = err;
	x.mode = SC_LOAD;
	x.blk = -1;
	x.topfile = path;
	return sc_load(&x, path);
}

/* servconf_load_file from memory (tests and the fuzz target). */
int
servconf_load_text(struct servconf *c, const char *name, const char *text,
                   size_t n, struct servconf_err *err)
{
	struct sc_ctx x = {0};

	err_reset(err);
	if ((x.p = sc_priv_of(c)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	x.c = c;
	x.err = err;
	x.mode = SC_LOAD;
	x.blk = -1;
	x.topfile = name;
	return sc_parse_text(&x, name, text, n);
}

static int
def_int(int *f, int v)
{
	if (*f == -1) {
		*f = v;
	}
	return 0;
}

static int
def_str(char **f, const char *v)
{
	if (*f == NULL && v != NULL) {
		return sc_str_dup(v, f);
	}
	return 0;
}

int
servconf_finish(struct servconf *c, struct servconf_err *err)
{
	static char *const akf[] = {".ssh/authorized_keys",
	                            ".ssh/authorized_keys2"};
	static char *const hk[] = {SERVCONF_HOSTKEY_DIR "/ssh_host_rsa_key",
	                           SERVCONF_HOSTKEY_DIR "/ssh_host_ecdsa_key",
	                           SERVCONF_HOSTKEY_DIR
	                           "/ssh_host_ed25519_key"};
	struct sc_priv *p = sc_priv_of(c);
	size_t k;
	int ret = 0;

	(void)err;
	if (p == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (c->nports == 0) {
		c->ports[c->nports++] = 22;
	}
	if (c->nlisten == 0) {
		c->listen = calloc(1, sizeof(*c->listen));
		if (c->listen == NULL) {
			return SESH_ERR_NOMEM;
		}
		c->nlisten = 1;
	}
	def_int(&c->address_family, AF_UNSPEC);
	if (!sc_kw_find("loglevel", &k) || !p->set[k]) {
		c->log_level = LOG_LVL_INFO;
	}
	def_int(&c->syslog_facility, LOG_AUTH);
	def_int(&c->login_grace_time, 120);
	def_int(&c->max_auth_tries, 6);
	def_int(&c->max_sessions, 10);
	def_int(&c->max_startups_begin, 10);
	def_int(&c->max_startups_rate, 30);
	def_int(&c->max_startups_full, 100);
	def_int(&c->client_alive_interval, 0);
	def_int(&c->client_alive_count_max, 3);
	if (c->permit_root_login == SERVCONF_ROOT_UNSET) {
		c->permit_root_login = SERVCONF_ROOT_PROHIBIT_PASSWORD;
	}
	def_int(&c->permit_empty_passwords, 0);
	def_int(&c->password_authentication, 1);
	def_int(&c->pubkey_authentication, 1);
	def_int(&c->kbd_interactive_authentication, 1);
	def_int(&c->use_pam, 0);
	def_int(&c->strict_modes, 1);
	def_int(&c->permit_user_environment, 0);
	def_int(&c->print_motd, 1);
	def_int(&c->print_last_log, 1);
	def_int(&c->permit_tty, 1);
	def_int(&c->x11_forwarding, 0);
	def_int(&c->allow_tcp_forwarding, 3);
	def_int(&c->allow_agent_forwarding, 1);
	def_int(&c->use_dns, 0);
	if (c->per_source_penalties == -1) {
		penalty_conf_default(&c->penalty); /* on, OpenSSH 9.8 */
		c->per_source_penalties = 1;
	}
	c->penalty.enabled = c->per_source_penalties != 0;
	def_int(&c->per_source_max_startups, 0);
	def_int(&c->per_source_netblock4, 32);
	def_int(&c->per_source_netblock6, 128);
	if ((ret = def_str(&c->pid_file, SERVCONF_DEFAULT_PIDFILE)) != 0 ||
	    (ret = def_str(&c->pam_service_name, "seshd")) != 0 ||
	    (ret = def_str(&c->kex_algorithms, sc_alg_default(SC_ALG_KEX))) !=
	        0 ||
	    (ret = def_str(&c->ciphers, sc_alg_default(SC_ALG_CIPHER))) != 0 ||
	    (ret = def_str(&c->macs, sc_alg_default(SC_ALG_MAC))) != 0 ||
	    (ret = def_str(&c->host_key_algorithms,
	                   sc_alg_default(SC_ALG_HOSTKEY))) != 0 ||
	    (ret = def_str(&c->pubkey_accepted_algorithms,
	                   sc_alg_default(SC_ALG_PUBKEY))) != 0 ||
	    (ret = def_str(&c->chroot_directory, "none")) != 0 ||
	    (ret = def_str(&c->version_addendum, "none")) != 0) {
		return ret;
	}
	if (c->authorized_keys_files == NULL &&
	    (ret = sc_strv_append(&c->authorized_keys_files, akf, 2)) != 0) {
		return ret;
	}
	if (c->host_key_files == NULL &&
	    (ret = sc_strv_append(&c->host_key_files, hk, 3)) != 0) {
		return ret;
	}
	return 0;
}

/* Moves the keyword's field from src to dst (src's value consumed). */
static void
move_field(struct servconf *dst, struct servconf *src, const struct kw *k)
{
	switch (k->type) {
	case KT_FLAG:
	case KT_INT:
	case KT_TIME:
	case KT_AF:
	case KT_FACILITY:
	case KT_ROOT:
	case KT_TCPFWD:
		*sc_fint(dst, k) = *sc_fint(src, k);
		break;
	case KT_BOOL:
		dst->tcp_keep_alive = src->tcp_keep_alive;
		break;
	case KT_LOGLEVEL:
		dst->log_level = src->log_level;
		break;
	case KT_STR:
	case KT_STRNONE:
	case KT_JOIN:
	case KT_ALG:
	case KT_USER:
		free(*sc_fstr(dst, k));
		*sc_fstr(dst, k) = *sc_fstr(src, k);
		*sc_fstr(src, k) = NULL;
		break;
	case KT_ARGV:
	case KT_ACCUM:
	case KT_AUTHMETHODS:
		mem_strv_free(*sc_fstrv(dst, k));
		*sc_fstrv(dst, k) = *sc_fstrv(src, k);
		*sc_fstrv(src, k) = NULL;
		break;
	case KT_REKEY:
		dst->rekey_limit_bytes = src->rekey_limit_bytes;
		dst->rekey_limit_secs = src->rekey_limit_secs;
		break;
	case KT_MAXSTARTUPS:
		dst->max_startups_begin = src->max_startups_begin;
		dst->max_startups_rate = src->max_startups_rate;
		dst->max_startups_full = src->max_startups_full;
		break;
	default:
		break; /* not allowed in Match blocks */
	}
}

/* A deep copy of src without its Match blocks (dst gets an empty priv
 * with the same set[] marks). */
static int
servconf_copy(struct servconf *dst, const struct servconf *src)
{
	const struct sc_priv *sp = src->match_priv;
	struct sc_priv *dp;
	size_t i;
	int ret = SESH_ERR_NOMEM;

	*dst = *src;
	dst->listen = NULL;
	dst->nlisten = 0;
	dst->subsystems = NULL;
	dst->nsubsystems = 0;
	dst->match_priv = NULL;
	/* Clear every owned pointer first so a failure can clear dst. */
	dst->host_key_files = NULL;
	dst->pid_file = dst->kex_algorithms = dst->ciphers = dst->macs = NULL;
	dst->host_key_algorithms = dst->pubkey_accepted_algorithms = NULL;
	dst->authentication_methods = NULL;
	dst->pam_service_name = NULL;
	dst->authorized_keys_files = NULL;
	dst->allow_users = dst->deny_users = NULL;
	dst->allow_groups = dst->deny_groups = NULL;
	dst->banner = NULL;
	dst->accept_env = NULL;
	dst->force_command = dst->chroot_directory = NULL;
	dst->version_addendum = NULL;
	dst->sandbox_user = NULL;
	dst->per_source_penalty_exempt = NULL;
	if ((dp = sc_priv_of(dst)) == NULL) {
		goto out;
	}
	if (sp != NULL) {
		memcpy(dp->set, sp->set, sizeof(dp->set));
		dp->cmdline_ports = sp->cmdline_ports;
	}
	if (src->nlisten > 0) {
		dst->listen = calloc(src->nlisten, sizeof(*dst->listen));
		if (dst->listen == NULL) {
			goto out;
		}
		for (i = 0; i < src->nlisten; i++) {
			dst->listen[i].port = src->listen[i].port;
			if (sc_str_dup(src->listen[i].addr,
			               &dst->listen[i].addr) != 0) {
				goto out;
			}
			dst->nlisten = i + 1;
		}
		dst->nlisten = src->nlisten;
	}
	if (src->nsubsystems > 0) {
		dst->subsystems =
		    calloc(src->nsubsystems, sizeof(*dst->subsystems));
		if (dst->subsystems == NULL) {
			goto out;
		}
		dst->nsubsystems = src->nsubsystems;
		for (i = 0; i < src->nsubsystems; i++) {
			if (sc_str_dup(src->subsystems[i].name,
			               &dst->subsystems[i].name) != 0 ||
			    sc_str_dup(src->subsystems[i].command,
			               &dst->subsystems[i].command) != 0) {
				goto out;
			}
		}
	}
	if (sc_strv_dup(src->host_key_files, &dst->host_key_files) != 0 ||
	    sc_str_dup(src->pid_file, &dst->pid_file) != 0 ||
	    sc_str_dup(src->kex_algorithms, &dst->kex_algorithms) != 0 ||
	    sc_str_dup(src->ciphers, &dst->ciphers) != 0 ||
	    sc_str_dup(src->macs, &dst->macs) != 0 ||
	    sc_str_dup(src->host_key_algorithms, &dst->host_key_algorithms) !=
	        0 ||
	    sc_str_dup(src->pubkey_accepted_algorithms,
	               &dst->pubkey_accepted_algorithms) != 0 ||
	    sc_strv_dup(src->authentication_methods,
	                &dst->authentication_methods) != 0 ||
	    sc_str_dup(src->pam_service_name, &dst->pam_service_name) != 0 ||
	    sc_strv_dup(src->authorized_keys_files,
	                &dst->authorized_keys_files) != 0 ||
	    sc_strv_dup(src->allow_users, &dst->allow_users) != 0 ||
	    sc_strv_dup(src->deny_users, &dst->deny_users) != 0 ||
	    sc_strv_dup(src->allow_groups, &dst->allow_groups) != 0 ||
	    sc_strv_dup(src->deny_groups, &dst->deny_groups) != 0 ||
	    sc_str_dup(src->banner, &dst->banner) != 0 ||
	    sc_strv_dup(src->accept_env, &dst->accept_env) != 0 ||
	    sc_str_dup(src->force_command, &dst->force_command) != 0 ||
	    sc_str_dup(src->chroot_directory, &dst->chroot_directory) != 0 ||
	    sc_str_dup(src->version_addendum, &dst->version_addendum) != 0 ||
	    sc_str_dup(src->sandbox_user, &dst->sandbox_user) != 0 ||
	    sc_str_dup(src->per_source_penalty_exempt,
	               &dst->per_source_penalty_exempt) != 0) {
		goto out;
	}
	ret = 0;
out:
	if (ret != 0) {
		servconf_clear(dst);
	}
	return ret;
}

static int
apply_stored(struct sc_ctx *x, const struct sc_line *l)
{
	char kw[64];
	size_t i;

	for (i = 0; l->kwraw[i] != '\0' && i + 1 < sizeof(kw); i++) {
		kw[i] = (char)((l->kwraw[i] >= 'A' && l->kwraw[i] <= 'Z')
		                   ? l->kwraw[i] - 'A' + 'a'
		                   : l->kwraw[i]);
	}
	kw[i] = '\0';
	return sc_apply_line(x, l->file, l->lineno, l->kwraw, kw, l->args,
	                     l->nargs);
}

int
servconf_match(const struct servconf *base, const struct servconf_conninfo *ci,
               struct servconf *out, struct servconf_err *err)
{
	const struct sc_priv *bp = base->match_priv;
	struct servconf res, ov;
	struct sc_ctx x = {0};
	const char *why = NULL;
	size_t i, j;
	int ret, m;

	servconf_init(&ov);
	if ((ret = servconf_copy(&res, base)) != 0) {
		return ret;
	}
	if ((x.p = sc_priv_of(&ov)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	x.c = &ov;
	x.err = err;
	x.mode = SC_APPLY;
	x.blk = -1;
	for (i = 0; bp != NULL && i < bp->ncmdline; i++) {
		if ((ret = apply_stored(&x, &bp->cmdline[i])) != 0) {
			goto out;
		}
	}
	for (i = 0; bp != NULL && i < bp->nblocks; i++) {
		const struct sc_block *b = &bp->blocks[i];

		m = sc_match_eval(b->crit.args, b->crit.nargs, ci, &why);
		if (m < 0) {
			ret = BAD(&x, b->crit.file, b->crit.lineno,
			          "%s line %u: Bad Match condition (%s)",
			          b->crit.file, b->crit.lineno, why);
			goto out;
		}
		if (m == 0) {
			continue;
		}
		log_debug2("%s line %u: Match applies", b->crit.file,
		           b->crit.lineno);
		for (j = 0; j < b->nlines; j++) {
			if ((ret = apply_stored(&x, &b->lines[j])) != 0) {
				goto out;
			}
		}
	}
	for (i = 0; i < sc_nkw; i++) {
		if (x.p->set[i]) {
			move_field(&res, &ov, &sc_kws[i]);
		}
	}
	*out = res;
	memset(&res, 0, sizeof(res));
	ret = 0;
out:
	servconf_clear(&ov);
	servconf_clear(&res);
	return ret;
}
