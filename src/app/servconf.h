/*
 * servconf.h - seshd's configuration: sshd_config(5) syntax and
 * semantics (first value wins for single-valued keywords, as in sshd),
 * Include, Match blocks, command-line -o overrides, defaults, `-T`
 * printing (lower-case keywords as `sshd -T` prints them) and `-t`
 * checking with file:line errors.
 *
 * Lifecycle:
 *	servconf_init(&c)                       defaults not yet applied
 *	servconf_set_option(&c, "Key=value")    each -o, before the file
 *	servconf_load_file(&c, path, &err)      the file (and its Includes:
 *	                                        relative patterns are taken
 *	                                        from path's folder)
 *	servconf_finish(&c)                     fills unset fields with
 *	                                        defaults, checks consistency
 *	servconf_match(&c, &conninfo, &out)     per connection (after the
 *	                                        user name is known): the
 *	                                        effective config with the
 *	                                        Match blocks that apply
 *	servconf_clear(&c)
 * Strings and lists are owned by the struct (lists NULL-terminated).
 *
 * Errors: SESH_ERR_INVALID_ARGUMENT (bad keyword or value; err says where
 * and why), SESH_ERR_NOT_FOUND (a missing config file), SESH_ERR_SYSTEM,
 * SESH_ERR_LIMIT, SESH_ERR_NOMEM.
 */
#ifndef SESH_APP_SERVCONF_H
#define SESH_APP_SERVCONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app/penalty.h"
#include "base/log.h"

#define SERVCONF_DEFAULT_PATH    "/etc/sesh/seshd_config"
#define SERVCONF_DEFAULT_PIDFILE "/run/seshd.pid"
#define SERVCONF_HOSTKEY_DIR     "/etc/sesh" /* default HostKey files' folder */
#define SERVCONF_MAX_PORTS       32

enum servconf_root {
	SERVCONF_ROOT_UNSET = -1,
	SERVCONF_ROOT_NO = 0,
	SERVCONF_ROOT_YES,
	SERVCONF_ROOT_PROHIBIT_PASSWORD, /* default; "without-password" too */
	SERVCONF_ROOT_FORCED_COMMANDS_ONLY,
};

struct servconf_listen {
	char *addr;        /* numeric or name; NULL: any of the family */
	unsigned int port; /* 0: every Port */
};

struct servconf_subsystem {
	char *name;
	char *command; /* command line, run by the user's shell -c */
};

/* Where a config error is. */
struct servconf_err {
	char file[256];
	unsigned int line;
	char msg[256];     /* the whole message, sshd's words, location
	                      included ("f line 3: ...") */
	unsigned int nbad; /* "Bad configuration option" lines seen (sshd
	                      goes on after those and then prints
	                      "f: terminating, N bad configuration options") */
	bool logged;       /* msg was already written with log_error (each
	                      bad-option line is, as sshd prints them all);
	                      a caller prints msg only when false */
};

/* Fields use -1 / 0 / NULL for "unset" until servconf_finish(). */
struct servconf {
	/* listening */
	unsigned int ports[SERVCONF_MAX_PORTS]; /* Port (several) */
	size_t nports;
	struct servconf_listen *listen; /* ListenAddress */
	size_t nlisten;
	int address_family;    /* AF_UNSPEC (any), AF_INET, AF_INET6 */
	char **host_key_files; /* HostKey (several) */
	char *pid_file;        /* PidFile; "none" disables */
	/* logging */
	enum log_level log_level; /* LogLevel, default INFO */
	int syslog_facility;      /* SyslogFacility, default AUTH */
	/* limits */
	int login_grace_time; /* seconds; 0 = none; default 120 */
	int max_auth_tries;   /* default 6 */
	int max_sessions;     /* default 10 */
	int max_startups_begin, max_startups_rate,
	    max_startups_full;      /* 10:30:100 */
	int client_alive_interval;  /* seconds, default 0 */
	int client_alive_count_max; /* default 3 */
	bool tcp_keep_alive;        /* default yes */
	/* algorithms (resolved name-lists; + - ^ applied against defaults) */
	char *kex_algorithms;
	char *ciphers;
	char *macs;
	char *host_key_algorithms;
	char *pubkey_accepted_algorithms;
	uint64_t rekey_limit_bytes;    /* 0 = default */
	unsigned int rekey_limit_secs; /* 0 = none */
	/* authentication */
	enum servconf_root permit_root_login;
	int permit_empty_passwords;         /* bool, default no */
	int password_authentication;        /* default yes */
	int pubkey_authentication;          /* default yes */
	int kbd_interactive_authentication; /* default yes (sshd's default) */
	char **authentication_methods;      /* each entry "publickey,password";
	                                       NULL or {"any"}: any one method */
	int use_pam;                        /* default no in sshd; Debian's
	                                       installed config says yes */
	char *pam_service_name;             /* default "seshd" */
	char **authorized_keys_files;       /* default .ssh/authorized_keys
	                                       .ssh/authorized_keys2 */
	int strict_modes;                   /* default yes */
	char **allow_users, **deny_users, **allow_groups, **deny_groups;
	int permit_user_environment; /* default no */
	/* session */
	char *banner;       /* path or NULL ("none") */
	int print_motd;     /* default yes */
	int print_last_log; /* default yes */
	char **accept_env;  /* patterns */
	struct servconf_subsystem *subsystems;
	size_t nsubsystems;
	char *force_command;        /* NULL: none */
	int permit_tty;             /* default yes */
	int x11_forwarding;         /* accepted, default no; not implemented */
	int allow_tcp_forwarding;   /* yes/no/local/remote/all: store as
	                               bitmask 1=local 2=remote; default 3 */
	int allow_agent_forwarding; /* default yes */
	int use_dns;                /* default no */
	char *chroot_directory;     /* accepted; "none" */
	char *version_addendum;     /* "none" */
	/* pre-authentication sandbox (app/sandbox.h); a sesh extension */
	char *sandbox_user; /* SandboxUser: an existing user without uid or
	                       gid 0 (checked when read); NULL ("none", the
	                       default): sesh, else nobody */
	/* per-source limits (app/penalty.h) */
	int per_source_penalties;        /* PerSourcePenalties: -1 unset, 0 no,
	                                    1 on (values in penalty) */
	struct penalty_conf penalty;     /* effective after servconf_finish */
	char *per_source_penalty_exempt; /* PerSourcePenaltyExemptList;
	                                    NULL: none */
	int per_source_max_startups;     /* PerSourceMaxStartups; -1 unset,
	                                    0: none (the default) */
	int per_source_netblock4, per_source_netblock6; /* 32:128 */
	/* internal: the Match blocks, kept for servconf_match */
	void *match_priv;
};

/* The connection facts Match criteria test. */
struct servconf_conninfo {
	const char *user;   /* NULL before the user is known */
	const char *host;   /* remote host name (UseDNS no: the address) */
	const char *addr;   /* remote address, numeric */
	const char *laddr;  /* local address, numeric */
	unsigned int lport; /* local port */
	const char *const *groups; /* the user's group names, NULL-terminated */
};

void servconf_init(struct servconf *c);
void servconf_clear(struct servconf *c);
/* "Keyword=value" or "Keyword value" from -o: takes precedence over the
 * file (first value wins). */
int servconf_set_option(struct servconf *c, const char *opt,
                        struct servconf_err *err);
int servconf_load_file(struct servconf *c, const char *path,
                       struct servconf_err *err);
/* As servconf_load_file, from memory; name is used in messages and as
 * the folder of relative Include patterns. */
int servconf_load_text(struct servconf *c, const char *name, const char *text,
                       size_t n, struct servconf_err *err);
int servconf_finish(struct servconf *c, struct servconf_err *err);
/* A deep copy of base with the applying Match blocks' settings; *out
 * owned by the caller (servconf_clear). */
int servconf_match(const struct servconf *base,
                   const struct servconf_conninfo *ci, struct servconf *out,
                   struct servconf_err *err);
/* `sshd -T`: every effective keyword, lower-case, one per line. */
int servconf_dump(const struct servconf *c, FILE *f);

#endif
