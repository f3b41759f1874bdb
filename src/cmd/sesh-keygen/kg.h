/*
 * kg.h - sesh-keygen's internal interface between its option parser
 * (main.c) and its commands: key generation and host keys (gen.c), key
 * file operations -y -l -p -c -e -i (keyops.c) and known_hosts edits
 * -R -F -H (hosts.c).
 *
 * Every command returns the process exit status (0, 1 or 255 as
 * OpenSSH's ssh-keygen uses them); kg_fatal() prints a message and exits
 * with 255 like ssh-keygen's fatal(). Only this program's code exits.
 */
#ifndef SESH_CMD_KEYGEN_KG_H
#define SESH_CMD_KEYGEN_KG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "crypto/hash.h"
#include "key/key.h"

#define KG_EXIT_FATAL 255

enum kg_mode {
	KG_GENERATE = 0,
	KG_PRINT_PUBLIC,   /* -y */
	KG_FINGERPRINT,    /* -l */
	KG_CHANGE_PASS,    /* -p */
	KG_CHANGE_COMMENT, /* -c */
	KG_EXPORT,         /* -e */
	KG_IMPORT,         /* -i */
	KG_HOST_KEYS,      /* -A */
	KG_REMOVE_HOST,    /* -R */
	KG_FIND_HOST,      /* -F */
	KG_HASH_HOSTS,     /* -H */
};

/* -m: key format for -e/-i and for private keys written by -p/generate. */
enum kg_format {
	KG_FMT_DEFAULT = 0, /* RFC4716 for -e/-i, openssh-key-v1 private */
	KG_FMT_RFC4716,
	KG_FMT_PEM,
	KG_FMT_PKCS8,
};

struct kg_opts {
	enum kg_mode mode;
	const char *type_word; /* -t, NULL: ed25519 */
	unsigned int bits;     /* -b, 0: default */
	const char *comment;   /* -C, NULL: not given */
	char *file;            /* -f (tilde-expanded, owned), NULL: ask */
	const char *new_pass;  /* -N */
	const char *old_pass;  /* -P */
	unsigned int rounds;   /* -a, 0: default */
	bool quiet;            /* -q */
	bool verbose;          /* -v */
	enum hash_alg fp_hash; /* -E */
	enum kg_format format; /* -m */
	const char *host;      /* -R / -F argument */
	bool hash_found;       /* -H together with -F */
};

/* Prints "msg\n" to stderr and exits with KG_EXIT_FATAL. */
_Noreturn void kg_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Prints "msg\n" to stderr. */
void kg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Makes sure o->file is set, asking "Enter file in which <what> (<def>): "
 * on stdout when it is not (def is ~/.ssh/id_<type>). Exits 1 on EOF.
 */
void kg_ask_filename(struct kg_opts *o, const char *what);

/* Short lowercase word for a key type: "ed25519", "ecdsa", "rsa". */
const char *kg_type_word(enum key_type t);

/* Prints "<fp> <comment>" / "<bits> <fp> <comment> (<TYPE>)" lines and
 * randomart; exits 255 on failure. */
void kg_print_randomart(const struct sshkey *k, enum hash_alg h);
char *kg_fingerprint(const struct sshkey *k, enum hash_alg h);

/*
 * Serialises and writes a private key (0600, atomically) in the chosen
 * format, and its .pub (0644) unless pub_path is NULL. Returns 0 or an
 * error code with errno meaningful for SESH_ERR_SYSTEM; *which is set to
 * 0 if the private write failed, 1 if the public one did.
 */
int kg_save_keypair(const struct sshkey *k, const char *path,
                    const char *pub_path, const char *passphrase,
                    unsigned int rounds, enum kg_format fmt, int *which);

int kg_generate(struct kg_opts *o);
int kg_host_keys(struct kg_opts *o);
int kg_print_public(struct kg_opts *o);
int kg_fingerprint_file(struct kg_opts *o);
int kg_change_passphrase(struct kg_opts *o);
int kg_change_comment(struct kg_opts *o);
int kg_export(struct kg_opts *o);
int kg_import(struct kg_opts *o);
int kg_remove_host(struct kg_opts *o);
int kg_find_host(struct kg_opts *o);
int kg_hash_hosts(struct kg_opts *o);

#endif
