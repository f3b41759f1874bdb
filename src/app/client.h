/*
 * client.h - the sesh client driver: one connection to a server over the
 * sans-I/O engine (ssh/conn.h), running a remote command, an interactive
 * shell, a subsystem, stdio forwarding (-W) or nothing (-N).
 *
 * Contract:
 *  - The program (src/cmd/sesh) resolves the command line and ssh_config
 *    (app/sshconfig.h) into struct client_opts; client_run() only reads
 *    it. Lists are NULL-terminated string arrays; NULL means the default
 *    stated for the field.
 *  - client_run() connects (directly or through ProxyCommand, TCP_NODELAY),
 *    runs the transport with a poll loop, checks the host key against the
 *    known_hosts files (app/hostkeys.h), authenticates in
 *    PreferredAuthentications order (publickey from the agent and the
 *    identity files, keyboard-interactive, password; prompts on /dev/tty or
 *    through SSH_ASKPASS), opens a session and streams stdin/stdout/stderr.
 *  - Every failure is reported on stderr in ssh's words, with "sesh:" in
 *    place of "ssh:". The function never exits the process: it returns
 *    the status the program should exit with: the remote exit status, or
 *    255 (connection, host key or authentication failure, a command killed
 *    by a signal, a connection closed without status).
 */
#ifndef SESH_APP_CLIENT_H
#define SESH_APP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "app/hostkeys.h"
#include "base/log.h"

#define CLIENT_EXIT_FAILURE 255

enum client_tty {
	CLIENT_TTY_AUTO = 0, /* RequestTTY auto: a pty for a shell when stdin
	                        is a terminal */
	CLIENT_TTY_NO,       /* -T, RequestTTY no */
	CLIENT_TTY_YES,      /* -t, RequestTTY yes: when stdin is a tty */
	CLIENT_TTY_FORCE,    /* -tt, RequestTTY force */
};

#define CLIENT_ESCAPE_NONE (-1)

/* UpdateHostKeys: learn the keys a server lists after authentication
 * (hostkeys-00@openssh.com) into the first UserKnownHostsFile. */
enum client_uhk {
	CLIENT_UHK_NO = 0,
	CLIENT_UHK_YES,
	CLIENT_UHK_ASK, /* confirm on /dev/tty; no under BatchMode */
};

struct client_opts {
	/* where */
	const char *host;          /* required: HostName, %-expanded */
	const char *host_arg;      /* the host as given (known_hosts, %n);
	                              NULL: host */
	unsigned int port;         /* 0 means 22 */
	const char *user;          /* required */
	int address_family;        /* AF_UNSPEC (0), AF_INET, AF_INET6 */
	unsigned int connect_timeout; /* seconds; 0: none */
	const char *proxy_command;    /* ProxyCommand (tokens already
	                                 expanded), run by /bin/sh -c; NULL
	                                 or "none": connect directly. The
	                                 program turns ProxyJump/-J into one. */
	/* host keys */
	const char *const *user_known_hosts;   /* NULL: ~/.ssh/known_hosts,
	                                          ~/.ssh/known_hosts2 */
	const char *const *global_known_hosts; /* NULL: /etc/ssh/ssh_known_hosts,
	                                          /etc/ssh/ssh_known_hosts2 */
	const char *host_key_alias;            /* HostKeyAlias or NULL */
	enum hostkeys_strict strict;
	bool hash_known_hosts;                 /* HashKnownHosts */
	bool batch;                            /* BatchMode: never prompt */
	enum client_uhk update_host_keys;      /* UpdateHostKeys */
	/* algorithms: resolved name-lists (+ - ^ applied by the program);
	 * NULL: the engine defaults */
	const char *kex;
	const char *ciphers;
	const char *macs;
	const char *hostkey_algs;
	const char *pubkey_algs; /* PubkeyAcceptedAlgorithms */
	uint64_t rekey_bytes;    /* RekeyLimit; 0: default */
	unsigned int rekey_seconds; /* 0: none */
	/* authentication */
	const char *preferred_auth; /* NULL: "publickey,keyboard-interactive,
	                               password" */
	bool no_pubkey_auth;        /* PubkeyAuthentication no */
	bool no_password_auth;      /* PasswordAuthentication no */
	bool no_kbdint_auth;        /* KbdInteractiveAuthentication no */
	unsigned int password_prompts; /* NumberOfPasswordPrompts; 0: 3 */
	const char *const *identities; /* IdentityFile, expanded; NULL: the
	                                  defaults ~/.ssh/id_ed25519,
	                                  id_ecdsa, id_rsa */
	bool identities_explicit;      /* identities came from -i/config */
	bool identities_only;          /* IdentitiesOnly */
	const char *identity_agent;    /* IdentityAgent: socket path, "none",
	                                  or NULL for $SSH_AUTH_SOCK */
	/* session */
	const char *command;    /* remote command; NULL: a shell */
	bool subsystem;         /* -s: command names a subsystem */
	bool no_session;        /* -N */
	bool stdin_null;        /* -n */
	const char *stdio_forward_host; /* -W host:port */
	unsigned int stdio_forward_port;
	enum client_tty request_tty;
	const char *term;        /* NULL: $TERM */
	const char *const *send_env; /* SendEnv patterns */
	const char *const *set_env;  /* SetEnv "NAME=value" */
	int escape_char; /* '~' by default, CLIENT_ESCAPE_NONE for none;
	                    the program sets it (0 is a valid control char
	                    only via ^@ which we do not accept) */
	unsigned int server_alive_interval; /* seconds; 0: off */
	unsigned int server_alive_count_max; /* 0: 3 */
	/* output */
	bool quiet;              /* -q / LogLevel QUIET */
	enum log_level log_level;
};

/* Runs the connection; returns the exit status (0-255) described above. */
int client_run(const struct client_opts *o);

#endif
