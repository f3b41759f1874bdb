/*
 * sshconfig.c - reading ssh_config(5): files, Include, Host and Match
 * blocks (contract in sshconfig.h). The keyword table and value storing
 * are in sshconfig_kw.c; value syntax helpers (times, RekeyLimit,
 * algorithm names, tokens) in sshconfig_val.c; turning the values into
 * client options is sshconfig_out.c.
 *
 * Each line is checked whether or not its block applies (as ssh does);
 * it is stored only when the block applies and the setting is unset.
 * A bad line is reported and counted, the file goes on, and the count
 * decides the result at the end of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/paths.h"
#include "app/sshconfig.h"
#include "app/sshconfig_int.h"
#include "base/cfgtok.h"
#include "base/err.h"
#include "base/log.h"
#include "key/match.h"

static int read_file_depth(struct sshconfig *c, const char *path,
                           enum sshconfig_origin origin, bool required,
                           bool check_perm, int depth, bool never_match,
                           int *nbad);

/* "FILE line N: " or "command-line line 0: " */
void
sshconfig_bad(const struct sshconfig *c, struct frame *fr, size_t lineno,
              const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sshconfig_report(c, "%s line %zu: %s", fr->name, lineno, msg);
	fr->nbad++;
}

/* ssh's words for block keywords given with -o (no line number) */
static void
cmdline_only(const struct sshconfig *c, struct frame *fr, const char *kw)
{
	sshconfig_report(c,
	                 "%s directive not supported as a command-line "
	                 "option",
	                 kw);
	fr->nbad++;
}

/* The host name Match host compares: HostName (%h expanded) if set. */
static int
current_hostname(const struct sshconfig *c, char **out)
{
	struct sshconfig_tokens t = {0};

	*out = NULL;
	if (c->hostname == NULL) {
		*out = strdup(c->host_arg != NULL ? c->host_arg : "");
		return *out == NULL ? SESH_ERR_NOMEM : 0;
	}
	t.h = c->host_arg != NULL ? c->host_arg : "";
	return sshconfig_expand(c->hostname, &t, "h", false, out);
}

/* Host patterns...: some pattern matches and no negated one does. */
static bool
match_host_line(const struct sshconfig *c, const char *name,
                const struct cfgtok_line *l)
{
	bool hit = false;
	size_t i;

	for (i = 0; i < l->nargs; i++) {
		enum match_result m = match_pattern_list(
		    name, strlen(name), l->args[i], strlen(l->args[i]), true);
		if (m == MATCH_NEGATED) {
			return false;
		}
		if (m == MATCH_POSITIVE) {
			hit = true;
		}
	}
	(void)c;
	return hit;
}

static bool
pattern_hit(const char *name, const char *list)
{
	if (name == NULL) {
		name = "";
	}
	return match_pattern_list(name, strlen(name), list, strlen(list),
	                          true) == MATCH_POSITIVE;
}

/*
 * Match criteria. Sets *result; returns 0 or an error already reported
 * (SESH_ERR_INVALID_FORMAT) or SESH_ERR_NOMEM.
 */
static int
eval_match(struct sshconfig *c, struct frame *fr, const struct cfgtok_line *l,
           bool *result)
{
	bool all = true, seen_all = false, this;
	size_t i, nattr = 0;
	char *hn = NULL;
	int ret = 0;

	*result = false;
	if (l->nargs == 0) {
		sshconfig_bad(c, fr, l->lineno,
		              "no argument after keyword \"match\"");
		return SESH_ERR_INVALID_FORMAT;
	}
	for (i = 0; i < l->nargs; i++) {
		const char *attr = l->args[i], *arg = NULL;
		bool neg = false;

		if (attr[0] == '!') {
			neg = true;
			attr++;
		}
		nattr++;
		if (strcasecmp(attr, "all") == 0) {
			seen_all = true;
			this = true;
		} else if (strcasecmp(attr, "canonical") == 0 ||
		           strcasecmp(attr, "final") == 0) {
			c->want_final = true;
			this = c->final_pass;
			nattr--; /* may go with "all" */
		} else if (strcasecmp(attr, "exec") == 0 ||
		           strcasecmp(attr, "localnetwork") == 0) {
			sshconfig_report(c, "Match %s is not supported by sesh",
			                 attr);
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		} else if (strcasecmp(attr, "host") == 0 ||
		           strcasecmp(attr, "originalhost") == 0 ||
		           strcasecmp(attr, "user") == 0 ||
		           strcasecmp(attr, "localuser") == 0 ||
		           strcasecmp(attr, "tagged") == 0) {
			if (i + 1 >= l->nargs || l->args[i + 1][0] == '\0') {
				sshconfig_report(
				    c, "Missing Match criteria for %s", attr);
				ret = SESH_ERR_INVALID_FORMAT;
				goto out;
			}
			arg = l->args[++i];
			if (strcasecmp(attr, "host") == 0) {
				free(hn);
				if ((ret = current_hostname(c, &hn)) != 0) {
					goto out;
				}
				this = pattern_hit(hn, arg);
			} else if (strcasecmp(attr, "originalhost") == 0) {
				this = pattern_hit(c->host_arg, arg);
			} else if (strcasecmp(attr, "user") == 0) {
				this = pattern_hit(
				    c->user != NULL ? c->user : c->local_user,
				    arg);
			} else if (strcasecmp(attr, "localuser") == 0) {
				this = pattern_hit(c->local_user, arg);
			} else {
				this = false; /* no Tag support: never tagged */
			}
		} else {
			sshconfig_report(c, "Unsupported Match attribute %s",
			                 attr);
			ret = SESH_ERR_INVALID_FORMAT;
			goto out;
		}
		if (neg) {
			this = !this;
		}
		all = all && this;
	}
	if (seen_all && nattr > 1) {
		sshconfig_report(c,
		                 "%s line %zu: 'all' cannot be combined with "
		                 "other Match attributes",
		                 fr->name, l->lineno);
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	*result = all;
out:
	if (ret == SESH_ERR_INVALID_FORMAT) {
		/* the detail above, then ssh's line for every bad Match */
		sshconfig_bad(c, fr, l->lineno, "Bad Match condition");
	}
	free(hn);
	return ret;
}

static int
do_include(struct sshconfig *c, struct frame *fr, const struct cfgtok_line *l)
{
	char *pat = NULL, *exp = NULL;
	const char *dir;
	glob_t g;
	size_t i, j;
	int ret = 0, r;

	if (fr->cmdline) {
		cmdline_only(c, fr, "Include");
		return 0;
	}
	if (l->nargs == 0) {
		sshconfig_bad(c, fr, l->lineno,
		              "no argument after keyword \"include\"");
		return 0;
	}
	if (c->no_include) {
		return 0;
	}
	dir = fr->origin == SSHCONFIG_USER ? c->user_dir : c->system_dir;
	for (i = 0; i < l->nargs; i++) {
		const char *a = l->args[i];

		free(pat);
		free(exp);
		pat = exp = NULL;
		if (a[0] == '~' && fr->origin == SSHCONFIG_USER) {
			if (paths_expand_tilde(a, &exp) != 0) {
				sshconfig_bad(
				    c, fr, l->lineno,
				    "Unable to expand include path %s", a);
				continue;
			}
			a = exp;
		}
		if (a[0] == '/') {
			pat = strdup(a);
		} else if (asprintf(&pat, "%s/%s", dir, a) < 0) {
			pat = NULL;
		}
		if (pat == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		memset(&g, 0, sizeof(g));
		r = glob(pat, 0, NULL, &g);
		if (r == GLOB_NOMATCH) {
			log_debug("%s line %zu: include %s matched no files",
			          fr->name, l->lineno, pat);
			globfree(&g);
			continue;
		}
		if (r != 0) {
			sshconfig_bad(c, fr, l->lineno, "include \"%s\" failed",
			              pat);
			globfree(&g);
			continue;
		}
		for (j = 0; j < g.gl_pathc; j++) {
			if (fr->depth + 1 > SSHCONFIG_MAX_DEPTH) {
				sshconfig_bad(
				    c, fr, l->lineno,
				    "Too many recursive configuration "
				    "includes");
				break;
			}
			r = read_file_depth(
			    c, g.gl_pathv[j], fr->origin, false,
			    fr->origin == SSHCONFIG_USER, fr->depth + 1,
			    fr->never_match || !fr->active, &fr->nbad);
			if (r == SESH_ERR_NOMEM) {
				globfree(&g);
				ret = r;
				goto out;
			}
		}
		globfree(&g);
	}
out:
	free(pat);
	free(exp);
	return ret;
}

/* One tokenized line; line[0..n) is its raw text. */
static int
process_line(struct sshconfig *c, struct frame *fr, const struct cfgtok_line *l,
             const char *line, size_t n)
{
	const struct sshconfig_kw *k = sshconfig_kw_find(l->keyword);
	bool m;
	int ret;

	if (k == NULL) {
		if (sshconfig_kw_known(l->keyword)) {
			log_debug("%s line %zu: keyword \"%s\" not "
			          "supported by sesh, ignored",
			          fr->name, l->lineno, l->keyword);
			return 0;
		}
		if (c->ignore_unknown != NULL &&
		    pattern_hit(l->keyword, c->ignore_unknown)) {
			log_debug("%s line %zu: Ignored unknown option \"%s\"",
			          fr->name, l->lineno, l->keyword);
			return 0;
		}
		sshconfig_report(c,
		                 "%s: line %zu: Bad configuration option: %s",
		                 fr->name, l->lineno, l->keyword);
		fr->nbad++;
		return 0;
	}
	switch (sshconfig_kw_kind(k)) {
	case SSHCONFIG_KW_HOST:
		if (fr->cmdline) {
			cmdline_only(c, fr, "Host");
			return 0;
		}
		if (l->nargs == 0) {
			sshconfig_bad(c, fr, l->lineno,
			              "no argument after keyword \"host\"");
			return 0;
		}
		if (c->final_pass && c->hostname != NULL) {
			char *hn = NULL;

			if ((ret = current_hostname(c, &hn)) != 0) {
				return ret;
			}
			fr->active = match_host_line(c, hn, l);
			free(hn);
		} else {
			fr->active = match_host_line(
			    c, c->host_arg != NULL ? c->host_arg : "", l);
		}
		return 0;
	case SSHCONFIG_KW_MATCH:
		if (fr->cmdline) {
			cmdline_only(c, fr, "Match");
			return 0;
		}
		ret = eval_match(c, fr, l, &m);
		if (ret == SESH_ERR_NOMEM) {
			return ret;
		}
		fr->active = ret == 0 && m;
		return 0;
	case SSHCONFIG_KW_INCLUDE:
		return do_include(c, fr, l);
	default:
		ret = sshconfig_kw_store(c, fr, k, l, line, n);
		if (ret == SESH_ERR_LIMIT) {
			sshconfig_bad(c, fr, l->lineno,
			              "too many %s values (at most %u)",
			              l->keyword, (unsigned)SSHCONFIG_MAX_LIST);
			ret = 0;
		}
		return ret;
	}
}

static int
parse_text(struct sshconfig *c, struct frame *fr, const char *p, size_t n)
{
	struct cfgtok_line l;
	size_t pos = 0, lineno = 0, len;
	const char *nl;
	int ret = 0;

	while (pos < n) {
		nl = memchr(p + pos, '\n', n - pos);
		len = nl != NULL ? (size_t)(nl - (p + pos)) + 1 : n - pos;
		lineno++;
		ret = cfgtok_parse_line(p + pos, len, lineno, &l);
		if (ret == SESH_ERR_NOMEM) {
			return ret;
		}
		if (ret != 0) {
			sshconfig_bad(c, fr, lineno, "%s",
			              ret == SESH_ERR_LIMIT
			                  ? "line too long"
			                  : "invalid quotes or "
			                    "bytes");
			ret = 0;
		} else if (l.keyword != NULL) {
			ret = process_line(c, fr, &l, p + pos, len);
		}
		cfgtok_line_clear(&l);
		if (ret != 0) {
			return ret;
		}
		pos += len;
	}
	return 0;
}

static int
parse_buffer_depth(struct sshconfig *c, const char *name, const char *p,
                   size_t n, enum sshconfig_origin origin, int depth,
                   bool never_match, int *nbad)
{
	struct frame fr = {0};
	int ret;

	fr.name = name;
	fr.origin = origin;
	fr.depth = depth;
	fr.never_match = never_match;
	fr.active = !never_match;
	ret = parse_text(c, &fr, p, n);
	*nbad += fr.nbad;
	return ret;
}

static int
finish(const struct sshconfig *c, const char *name, int nbad, int ret)
{
	if (ret == 0 && nbad > 0) {
		sshconfig_report(c,
		                 "%s: terminating, %d bad configuration "
		                 "options",
		                 name, nbad);
		ret = SESH_ERR_INVALID_FORMAT;
	}
	return ret;
}

int
sshconfig_parse_buffer(struct sshconfig *c, const char *name, const char *p,
                       size_t n, enum sshconfig_origin origin)
{
	int nbad = 0, ret;

	ret = parse_buffer_depth(c, name, p, n, origin, 0, false, &nbad);
	return finish(c, name, nbad, ret);
}

int
sshconfig_option(struct sshconfig *c, const char *opt)
{
	struct cfgtok_line l;
	struct frame fr = {0};
	int ret;

	fr.name = "command-line";
	fr.active = true;
	fr.cmdline = true;
	ret = cfgtok_parse_line(opt, strlen(opt), 0, &l);
	if (ret == SESH_ERR_NOMEM) {
		return ret;
	}
	if (ret != 0 || l.keyword == NULL) {
		cfgtok_line_clear(&l);
		sshconfig_report(c, "command-line line 0: Bad option \"%s\"",
		                 opt);
		return SESH_ERR_INVALID_FORMAT;
	}
	ret = process_line(c, &fr, &l, opt, strlen(opt));
	cfgtok_line_clear(&l);
	if (ret == 0 && fr.nbad > 0) {
		ret = SESH_ERR_INVALID_FORMAT;
	}
	return ret;
}

static int
read_file_depth(struct sshconfig *c, const char *path,
                enum sshconfig_origin origin, bool required, bool check_perm,
                int depth, bool never_match, int *nbad)
{
	struct stat st;
	char *p = NULL;
	size_t n = 0;
	ssize_t r;
	int fd, ret = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (required) {
			sshconfig_report(c,
			                 "Can't open user config file %s: %s",
			                 path, strerror(errno));
			return SESH_ERR_NOT_FOUND;
		}
		log_debug("Reading configuration data %s: %s", path,
		          strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) != 0) {
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	if (check_perm && ((st.st_uid != 0 && st.st_uid != getuid()) ||
	                   (st.st_mode & 022) != 0)) {
		sshconfig_report(c, "Bad owner or permissions on %s", path);
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if (S_ISCHR(st.st_mode) && !check_perm) {
		/* -F /dev/null, a common way to say "no config": empty */
		log_debug("Reading configuration data %s: empty device", path);
		ret = 0;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		sshconfig_report(c, "%s is not a regular file", path);
		ret = required ? SESH_ERR_INVALID_FORMAT : 0;
		goto out;
	}
	if (st.st_size > (off_t)SSHCONFIG_MAX_FILE) {
		sshconfig_report(c, "%s: file too large", path);
		ret = SESH_ERR_LIMIT;
		goto out;
	}
	if ((p = malloc((size_t)st.st_size + 1)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	while (n < (size_t)st.st_size) {
		r = read(fd, p + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			ret = SESH_ERR_SYSTEM;
			goto out;
		}
		if (r == 0) {
			break;
		}
		n += (size_t)r;
	}
	log_debug("Reading configuration data %s", path);
	ret =
	    parse_buffer_depth(c, path, p, n, origin, depth, never_match, nbad);
out:
	free(p);
	close(fd);
	return ret;
}

int
sshconfig_read_file(struct sshconfig *c, const char *path,
                    enum sshconfig_origin origin, bool required)
{
	int nbad = 0, ret;

	ret = read_file_depth(c, path, origin, required,
	                      origin == SSHCONFIG_USER && !required, 0, false,
	                      &nbad);
	return finish(c, path, nbad, ret);
}

static int
read_pass(struct sshconfig *c)
{
	int ret, nbad = 0;

	if (c->config_file != NULL) {
		if (strcasecmp(c->config_file, "none") == 0) {
			return 0;
		}
		ret = read_file_depth(c, c->config_file, SSHCONFIG_USER, true,
		                      false, 0, false, &nbad);
		return finish(c, c->config_file, nbad, ret);
	}
	if (c->user_file != NULL) {
		ret = read_file_depth(c, c->user_file, SSHCONFIG_USER, false,
		                      true, 0, false, &nbad);
		if ((ret = finish(c, c->user_file, nbad, ret)) != 0) {
			return ret;
		}
	}
	nbad = 0;
	if (c->system_file != NULL) {
		ret = read_file_depth(c, c->system_file, SSHCONFIG_SYSTEM,
		                      false, false, 0, false, &nbad);
		return finish(c, c->system_file, nbad, ret);
	}
	return 0;
}

int
sshconfig_read_all(struct sshconfig *c)
{
	int ret;

	c->final_pass = false;
	c->want_final = false;
	if ((ret = read_pass(c)) != 0 || !c->want_final) {
		return ret;
	}
	log_debug("re-parsing configuration");
	c->final_pass = true;
	return read_pass(c);
}

int
sshconfig_init(struct sshconfig *c, const char *host_arg)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->port = c->identities_only = c->batch_mode = SSHCONFIG_UNSET;
	c->strict = c->hash_known_hosts = c->password_auth = SSHCONFIG_UNSET;
	c->update_host_keys = SSHCONFIG_UNSET;
	c->pubkey_auth = c->kbdint_auth = c->password_prompts = SSHCONFIG_UNSET;
	c->connect_timeout = c->server_alive_interval = SSHCONFIG_UNSET;
	c->server_alive_count_max = c->request_tty = SSHCONFIG_UNSET;
	c->escape_char = c->log_level = c->address_family = SSHCONFIG_UNSET;
	c->rekey_bytes = -1;
	if (host_arg != NULL) {
		if ((c->host_arg = strdup(host_arg)) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
	}
	if ((ret = paths_user_name(&c->local_user)) != 0 ||
	    (ret = paths_home(&c->home)) != 0 ||
	    (ret = paths_ssh_dir(&c->user_dir)) != 0 ||
	    (ret = paths_in_home(PATHS_SSH_DIR "/config", &c->user_file)) !=
	        0) {
		goto out;
	}
	if ((c->system_dir = strdup(SSHCONFIG_SYSTEM_DIR)) == NULL ||
	    (c->system_file = strdup(SSHCONFIG_SYSTEM_FILE)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
out:
	if (ret != 0) {
		sshconfig_clear(c);
	}
	return ret;
}

void
sshconfig_clear(struct sshconfig *c)
{
	size_t i;

	if (c == NULL) {
		return;
	}
	free(c->host_arg);
	free(c->local_user);
	free(c->home);
	free(c->user_dir);
	free(c->system_dir);
	free(c->user_file);
	free(c->system_file);
	free(c->config_file);
	free(c->hostname);
	free(c->user);
	sshconfig_list_clear(&c->identity_files);
	free(c->identity_agent);
	sshconfig_list_clear(&c->user_known_hosts);
	sshconfig_list_clear(&c->global_known_hosts);
	free(c->host_key_alias);
	for (i = 0; i < SSHCONFIG_ALG_COUNT; i++) {
		free(c->algs[i]);
	}
	free(c->preferred_auth);
	sshconfig_list_clear(&c->send_env);
	sshconfig_list_clear(&c->set_env);
	free(c->proxy_command);
	free(c->proxy_jump);
	free(c->ignore_unknown);
	memset(c, 0, sizeof(*c));
}
