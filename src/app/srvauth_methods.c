/*
 * srvauth_methods.c - AuthenticationMethods bookkeeping (sshd_config(5)):
 * each configured list is a sequence of methods that must all succeed in
 * order; authentication is complete when one list is exhausted. A method
 * may be tried when it is the next step of some unfinished list. "any"
 * (or no lists) means any single enabled method completes. Lists naming a
 * disabled or unknown method are dropped at setup, as sshd does; if none
 * is left, setup fails. Contract in srvauth.h.
 */
#include "app/srvauth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"

#define MAX_LISTS 32
#define MAX_STEPS 16

struct methods_list {
	enum srvauth_method m[MAX_STEPS];
	size_t n, pos;
};

struct srvauth_methods {
	bool any;
	bool complete;
	bool enabled[SRVAUTH_KBDINT + 1];
	struct methods_list lists[MAX_LISTS];
	size_t nlists;
	char next[64];
};

/* The order sshd lists its methods in USERAUTH_FAILURE. */
static const enum srvauth_method order[] = {
    SRVAUTH_PUBKEY,
    SRVAUTH_PASSWORD,
    SRVAUTH_KBDINT,
};

static const char *
method_name(enum srvauth_method m)
{
	switch (m) {
	case SRVAUTH_PUBKEY:
		return "publickey";
	case SRVAUTH_PASSWORD:
		return "password";
	case SRVAUTH_KBDINT:
		return "keyboard-interactive";
	case SRVAUTH_NONE:
	default:
		return "none";
	}
}

static enum srvauth_method
method_from_name(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum srvauth_method m;
	} names[] = {
	    {"publickey", SRVAUTH_PUBKEY},
	    {"password", SRVAUTH_PASSWORD},
	    {"keyboard-interactive", SRVAUTH_KBDINT},
	    {"keyboard-interactive:pam", SRVAUTH_KBDINT},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) == n &&
		    memcmp(names[i].name, s, n) == 0) {
			return names[i].m;
		}
	}
	return SRVAUTH_NONE;
}

/* Parses "m1,m2,..." into l; false (and logs) if a step is unusable. */
static bool
parse_list(const struct srvauth_methods *m, const char *s,
           struct methods_list *l)
{
	const char *p = s;

	memset(l, 0, sizeof(*l));
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		enum srvauth_method x = method_from_name(p, n);

		if (x == SRVAUTH_NONE || !m->enabled[x]) {
			log_verbose("Disabled method \"%.*s\" in "
			            "AuthenticationMethods list \"%s\"",
			            (int)n, p, s);
			return false;
		}
		if (l->n >= MAX_STEPS) {
			log_verbose("AuthenticationMethods list \"%s\" too "
			            "long",
			            s);
			return false;
		}
		l->m[l->n++] = x;
		if (comma == NULL) {
			break;
		}
		p = comma + 1;
	}
	return true;
}

static bool
step_allowed(const struct srvauth_methods *m, enum srvauth_method x)
{
	size_t i;

	if (m->complete || x < SRVAUTH_PUBKEY || x > SRVAUTH_KBDINT ||
	    !m->enabled[x]) {
		return false;
	}
	if (m->any) {
		return true;
	}
	for (i = 0; i < m->nlists; i++) {
		const struct methods_list *l = &m->lists[i];

		if (l->pos < l->n && l->m[l->pos] == x) {
			return true;
		}
	}
	return false;
}

static void
update_next(struct srvauth_methods *m)
{
	size_t i, len = 0;

	m->next[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (step_allowed(m, order[i])) {
			int w = snprintf(m->next + len, sizeof(m->next) - len,
			                 "%s%s", len > 0 ? "," : "",
			                 method_name(order[i]));

			if (w > 0 && (size_t)w < sizeof(m->next) - len) {
				len += (size_t)w;
			}
		}
	}
}

int
srvauth_methods_new(const struct servconf *c, struct srvauth_methods **out)
{
	struct srvauth_methods *m;
	char **am;
	size_t i;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (c == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	/* Unset (-1) counts as the default, which is yes for all three;
	 * keyboard-interactive exists only through PAM. */
	m->enabled[SRVAUTH_PUBKEY] = c->pubkey_authentication != 0;
	m->enabled[SRVAUTH_PASSWORD] = c->password_authentication != 0;
	m->enabled[SRVAUTH_KBDINT] =
	    c->kbd_interactive_authentication != 0 && c->use_pam == 1;
	am = c->authentication_methods;
	if (am == NULL || am[0] == NULL ||
	    (strcmp(am[0], "any") == 0 && am[1] == NULL)) {
		m->any = true;
	} else {
		for (i = 0; am[i] != NULL; i++) {
			if (m->nlists >= MAX_LISTS) {
				log_error("too many AuthenticationMethods "
				          "lists");
				break;
			}
			if (parse_list(m, am[i], &m->lists[m->nlists])) {
				m->nlists++;
			}
		}
		if (m->nlists == 0) {
			log_error("No AuthenticationMethods left after "
			          "eliminating disabled methods");
			free(m);
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	update_next(m);
	*out = m;
	return 0;
}

void
srvauth_methods_free(struct srvauth_methods *m)
{
	free(m);
}

int
srvauth_methods_success(struct srvauth_methods *m, enum srvauth_method x,
                        bool *complete)
{
	bool advanced = false;
	size_t i;

	if (complete != NULL) {
		*complete = false;
	}
	if (m == NULL || complete == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (!step_allowed(m, x)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (m->any) {
		m->complete = true;
	} else {
		for (i = 0; i < m->nlists; i++) {
			struct methods_list *l = &m->lists[i];

			if (l->pos < l->n && l->m[l->pos] == x) {
				l->pos++;
				advanced = true;
				if (l->pos == l->n) {
					m->complete = true;
				}
			}
		}
		if (!advanced) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
	}
	update_next(m);
	*complete = m->complete;
	return 0;
}

bool
srvauth_methods_allowed(const struct srvauth_methods *m, enum srvauth_method x)
{
	return m != NULL && step_allowed(m, x);
}

const char *
srvauth_methods_next(const struct srvauth_methods *m)
{
	return m != NULL ? m->next : "";
}
