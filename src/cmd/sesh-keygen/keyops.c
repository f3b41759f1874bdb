/*
 * keyops.c - operations on existing key files: -y (print public key),
 * -l (fingerprints of a key file or of authorized_keys/known_hosts lines),
 * -p (change passphrase), -c (change comment), -e (export) and -i
 * (import), with ssh-keygen's prompts and messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/fileio.h"
#include "app/paths.h"
#include "app/tty.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "cmd/sesh-keygen/kg.h"
#include "key/keyfile.h"

/* The different wordings ssh-keygen uses when a private key won't load. */
enum load_ctx {
	LOAD_PRINT,   /* -y: Load key "f": why */
	LOAD_PASSWD,  /* -p: Failed to load key f: why */
	LOAD_COMMENT, /* -c: Cannot load private key "f": why */
	LOAD_EXPORT,  /* -e: Load key "f": why */
};

struct loaded {
	uint8_t *data;
	size_t n;
};

static void
loaded_free(struct loaded *l)
{
	if (l->data != NULL) {
		mem_free_secret(l->data, l->n);
	}
	l->data = NULL;
	l->n = 0;
}

/* Reads a file or dies with "<path>: <strerror>" (optionally prefixed). */
static void
read_or_die(const char *path, bool prefixed, struct loaded *l)
{
	int ret = fileio_read(path, SESH_MAX_KEYFILE, &l->data, &l->n);

	if (ret == 0) {
		return;
	}
	if (ret == SESH_ERR_LIMIT) {
		kg_fatal("%s%s: file too large",
		         prefixed ? "sesh-keygen: " : "", path);
	}
	kg_fatal("%s%s: %s", prefixed ? "sesh-keygen: " : "", path,
	         ret == SESH_ERR_NOMEM ? "out of memory" : strerror(errno));
}

static void
die_load(enum load_ctx ctx, const char *path, const char *why)
{
	switch (ctx) {
	case LOAD_PASSWD:
		kg_fatal("Failed to load key %s: %s", path, why);
	case LOAD_COMMENT:
		kg_fatal("Cannot load private key \"%s\": %s", path, why);
	default:
		kg_fatal("Load key \"%s\": %s", path, why);
	}
}

/* OpenSSH refuses private keys others can read: same warning. */
static bool
perms_ok(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		return true;
	}
	if (st.st_uid != getuid() || (st.st_mode & 077) == 0) {
		return true;
	}
	fflush(stdout);
	fprintf(stderr,
	        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
	        "@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @\n"
	        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
	        "Permissions 0%3.3o for '%s' are too open.\n"
	        "It is required that your private key files are NOT "
	        "accessible by others.\n"
	        "This private key will be ignored.\n",
	        (unsigned int)(st.st_mode & 0777), path);
	return false;
}

/*
 * Loads a private key, asking for the passphrase (prompt) when the file
 * is encrypted and -P was not given. *pass_out (if non-NULL) gets the
 * passphrase that worked (heap, secret; "" for none).
 */
static struct sshkey *
load_private(struct kg_opts *o, const char *path, const char *prompt,
             enum load_ctx ctx, char **pass_out)
{
	struct loaded l = {NULL, 0};
	struct sshkey *k = NULL;
	char *pass = NULL;
	int ret;

	if (pass_out != NULL) {
		*pass_out = NULL;
	}
	read_or_die(path, false, &l);
	if (!perms_ok(path)) {
		loaded_free(&l);
		die_load(ctx, path, "bad permissions");
	}
	pass = mem_strdup(o->old_pass != NULL ? o->old_pass : "");
	if (pass == NULL) {
		kg_fatal("out of memory");
	}
	ret = keyfile_parse_private(l.data, l.n, pass, &k);
	if ((ret == SESH_ERR_PASSPHRASE_NEEDED ||
	     ret == SESH_ERR_WRONG_PASSPHRASE) &&
	    o->old_pass == NULL) {
		mem_free_string_secret(pass);
		pass = NULL;
		if (tty_read_passphrase(prompt, &pass) != 0) {
			loaded_free(&l);
			kg_fatal("Failed to read passphrase");
		}
		ret = keyfile_parse_private(l.data, l.n, pass, &k);
	}
	loaded_free(&l);
	if (ret == SESH_ERR_PASSPHRASE_NEEDED) {
		ret = SESH_ERR_WRONG_PASSPHRASE;
	}
	if (ret != 0) {
		mem_free_string_secret(pass);
		die_load(ctx, path, sesh_err_str(ret));
	}
	if (pass_out != NULL) {
		*pass_out = pass;
	} else {
		mem_free_string_secret(pass);
	}
	return k;
}

static bool
has_text(const struct loaded *l, const char *s)
{
	return memmem(l->data, l->n, s, strlen(s)) != NULL;
}

static char *
pub_path_of(const char *path)
{
	size_t n = strlen(path) + sizeof(".pub");
	char *p = malloc(n);

	if (p == NULL) {
		kg_fatal("out of memory");
	}
	snprintf(p, n, "%s.pub", path);
	return p;
}

/* Writes "type base64[ comment]\n" for k to stdout. */
static void
print_pub_line(const struct sshkey *k, bool with_comment)
{
	struct buf b;

	buf_init(&b, 0);
	if (key_to_pub_line(k, with_comment, &b) != 0) {
		buf_clear(&b);
		kg_fatal("sshkey_write failed");
	}
	printf("%.*s\n", (int)buf_len(&b), (const char *)buf_data(&b));
	buf_clear(&b);
}

int
kg_print_public(struct kg_opts *o)
{
	struct sshkey *k;

	kg_ask_filename(o, "the key is");
	k = load_private(o, o->file, "Enter passphrase: ", LOAD_PRINT, NULL);
	print_pub_line(k, true);
	key_free(k);
	return 0;
}

/* "<bits> <fp> <comment> (<TYPE>)" and, with -v, the randomart. */
static void
print_fingerprint_line(const struct kg_opts *o, const struct sshkey *k,
                       const char *comment)
{
	char *fp = kg_fingerprint(k, o->fp_hash);

	printf("%u %s %s (%s)\n", key_bits(k), fp,
	       comment != NULL && *comment != '\0' ? comment : "no comment",
	       key_type_short(k->type));
	if (o->verbose) {
		kg_print_randomart(k, o->fp_hash);
	}
	free(fp);
}

/* -l on a private key file: its .pub, else the key, else its header. */
static int
fingerprint_private(struct kg_opts *o, const struct loaded *l)
{
	struct loaded pl = {NULL, 0};
	struct sshkey *k = NULL;
	char *pub = pub_path_of(o->file);
	bool enc = false;
	int ret;

	if (fileio_read(pub, SESH_MAX_KEYFILE, &pl.data, &pl.n) == 0 &&
	    keyfile_parse_public(pl.data, pl.n, &k) == 0) {
		loaded_free(&pl);
		free(pub);
		print_fingerprint_line(o, k, k->comment);
		key_free(k);
		return 0;
	}
	loaded_free(&pl);
	free(pub);
	(void)perms_ok(o->file);
	if (keyfile_parse_private(l->data, l->n, "", &k) == 0) {
		print_fingerprint_line(o, k, k->comment);
		key_free(k);
		return 0;
	}
	/* Encrypted: openssh-key-v1 carries the public key in clear. */
	if ((ret = keyfile_peek(l->data, l->n, &enc, &k)) == 0 && k != NULL) {
		print_fingerprint_line(o, k, NULL);
		key_free(k);
		return 0;
	}
	key_free(k);
	kg_fatal("%s is not a public key file.", o->file);
}

/* Length of the first field of s, honouring "..." quotes (options). */
static size_t
field_len(const char *s, size_t n)
{
	bool quoted = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && quoted && i + 1 < n) {
			i++;
			continue;
		}
		if (s[i] == '"') {
			quoted = !quoted;
		} else if (!quoted && (s[i] == ' ' || s[i] == '\t')) {
			break;
		}
	}
	return i;
}

/* One authorized_keys / known_hosts / .pub line; true if printed. */
static bool
fingerprint_line(struct kg_opts *o, const char *s, size_t n)
{
	struct sshkey *k = NULL;
	char *host = NULL;
	size_t f;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 &&
	       (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) {
		n--;
	}
	/* Blank, comment, and marked (@cert-authority, @revoked) lines. */
	if (n == 0 || *s == '#' || *s == '@') {
		return false;
	}
	if (key_from_pub_line(s, n, &k) == 0) {
		print_fingerprint_line(o, k, k->comment);
		key_free(k);
		return true;
	}
	/* "hosts key..." or "options key...": the first field then a key;
	 * with no comment, the hosts/options field names the key. */
	f = field_len(s, n);
	if (f == n || (host = strndup(s, f)) == NULL) {
		return false;
	}
	s += f;
	n -= f;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (key_from_pub_line(s, n, &k) != 0) {
		free(host);
		return false;
	}
	print_fingerprint_line(
	    o, k,
	    k->comment != NULL && *k->comment != '\0' ? k->comment : host);
	key_free(k);
	free(host);
	return true;
}

int
kg_fingerprint_file(struct kg_opts *o)
{
	struct loaded l = {NULL, 0};
	struct sshkey *k = NULL;
	const char *p, *nl, *end;
	size_t found = 0;

	kg_ask_filename(o, "the key is");
	read_or_die(o->file, true, &l);
	if (has_text(&l, "PRIVATE KEY-----")) {
		fingerprint_private(o, &l);
		loaded_free(&l);
		return 0;
	}
	if (has_text(&l, "---- BEGIN SSH2 PUBLIC KEY") ||
	    has_text(&l, "-----BEGIN")) {
		if (keyfile_parse_public(l.data, l.n, &k) != 0) {
			loaded_free(&l);
			kg_fatal("%s is not a public key file.", o->file);
		}
		print_fingerprint_line(o, k, k->comment);
		key_free(k);
		loaded_free(&l);
		return 0;
	}
	p = (const char *)l.data;
	end = p + l.n;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			nl = end;
		}
		if ((size_t)(nl - p) <= SESH_MAX_LINE &&
		    fingerprint_line(o, p, (size_t)(nl - p))) {
			found++;
		}
		p = nl + 1;
	}
	loaded_free(&l);
	if (found == 0) {
		kg_fatal("%s is not a public key file.", o->file);
	}
	return 0;
}

/* -p's new passphrase: -N, or asked twice; a mismatch ends with 1. */
static char *
ask_new_pass_once(struct kg_opts *o)
{
	char *p1 = NULL, *p2 = NULL;

	if (o->new_pass != NULL) {
		if ((p1 = mem_strdup(o->new_pass)) == NULL) {
			kg_fatal("out of memory");
		}
		return p1;
	}
	if (tty_read_passphrase("Enter new passphrase (empty for no "
	                        "passphrase): ",
	                        &p1) != 0 ||
	    tty_read_passphrase("Enter same passphrase again: ", &p2) != 0) {
		mem_free_string_secret(p1);
		kg_fatal("Failed to read passphrase");
	}
	if (strlen(p1) != strlen(p2) || !mem_equal_ct(p1, p2, strlen(p1))) {
		mem_free_string_secret(p1);
		mem_free_string_secret(p2);
		printf("Pass phrases do not match.  Try again.\n");
		fflush(stdout);
		return NULL;
	}
	mem_free_string_secret(p2);
	return p1;
}

static const char *
save_error_reason(int ret)
{
	return ret == SESH_ERR_SYSTEM || ret == SESH_ERR_NOT_FOUND
	           ? strerror(errno)
	           : sesh_err_str(ret);
}

int
kg_change_passphrase(struct kg_opts *o)
{
	struct sshkey *k;
	char *pass;
	int ret, which = 0;

	kg_ask_filename(o, "the key is");
	k = load_private(o, o->file, "Enter old passphrase: ", LOAD_PASSWD,
	                 NULL);
	printf("Key has comment '%s'\n", k->comment != NULL ? k->comment : "");
	fflush(stdout);
	if ((pass = ask_new_pass_once(o)) == NULL) {
		key_free(k);
		return 1;
	}
	ret = kg_save_keypair(k, o->file, NULL, pass, o->rounds, o->format,
	                      &which);
	mem_free_string_secret(pass);
	if (ret != 0) {
		kg_error("Saving key \"%s\" failed: %s.", o->file,
		         save_error_reason(ret));
		key_free(k);
		return KG_EXIT_FATAL;
	}
	key_free(k);
	printf("Your identification has been saved with the new "
	       "passphrase.\n");
	return 0;
}

int
kg_change_comment(struct kg_opts *o)
{
	struct sshkey *k;
	char *pass = NULL, *line = NULL, *pub;
	const char *newc;
	bool eof = false;
	int ret, which = 0;

	kg_ask_filename(o, "the key is");
	k = load_private(o, o->file, "Enter passphrase: ", LOAD_COMMENT, &pass);
	if (k->comment != NULL && *k->comment != '\0') {
		printf("Old comment: %s\n", k->comment);
	} else {
		printf("No existing comment\n");
	}
	if (o->comment != NULL) {
		newc = o->comment;
	} else {
		printf("New comment: ");
		fflush(stdout);
		if (tty_read_stdin_line(&line, &eof) != 0) {
			kg_fatal("Failed to read comment");
		}
		newc = line;
	}
	if (key_set_comment(k, *newc != '\0' ? newc : NULL) != 0) {
		kg_fatal("out of memory");
	}
	pub = pub_path_of(o->file);
	ret = kg_save_keypair(k, o->file, pub, pass, o->rounds, KG_FMT_DEFAULT,
	                      &which);
	mem_free_string_secret(pass);
	if (ret != 0) {
		if (which == 0) {
			kg_error("Saving key \"%s\" failed: %s", o->file,
			         save_error_reason(ret));
		} else {
			kg_error("Unable to save public key to %s: %s", pub,
			         save_error_reason(ret));
		}
		free(pub);
		free(line);
		key_free(k);
		return KG_EXIT_FATAL;
	}
	if (*newc != '\0') {
		printf("Comment '%s' applied\n", newc);
	} else {
		printf("Comment removed\n");
	}
	free(pub);
	free(line);
	key_free(k);
	return 0;
}

/* -e: a public key from a .pub file or from a private key file. */
static struct sshkey *
load_any_public(struct kg_opts *o)
{
	struct loaded l = {NULL, 0};
	struct sshkey *k = NULL, *pubk = NULL;

	read_or_die(o->file, false, &l);
	if (!has_text(&l, "PRIVATE KEY-----") &&
	    keyfile_parse_public(l.data, l.n, &k) == 0) {
		loaded_free(&l);
		return k;
	}
	loaded_free(&l);
	k = load_private(o, o->file, "Enter passphrase: ", LOAD_EXPORT, NULL);
	if (key_public_copy(k, &pubk) != 0) {
		kg_fatal("out of memory");
	}
	key_free(k);
	return pubk;
}

int
kg_export(struct kg_opts *o)
{
	struct sshkey *k;
	struct buf out;
	char *user = NULL, comment[512];
	int ret;

	kg_ask_filename(o, "the key is");
	k = load_any_public(o);
	buf_init(&out, 0);
	switch (o->format) {
	case KG_FMT_PEM:
	case KG_FMT_PKCS8:
		if (k->type == KEY_ED25519) {
			kg_fatal("do_convert_to_%s: unsupported key type %s",
			         o->format == KG_FMT_PEM ? "pem" : "pkcs8",
			         key_type_short(k->type));
		}
		ret = pkey_to_pem(k->pk,
		                  o->format == KG_FMT_PEM && k->type == KEY_RSA
		                      ? PKEY_PEM_PKCS1
		                      : PKEY_PEM_SPKI,
		                  NULL, &out);
		break;
	default:
		if (paths_default_comment(&user) != 0) {
			user = NULL;
		}
		snprintf(comment, sizeof(comment),
		         "%u-bit %s, converted by %s from OpenSSH", key_bits(k),
		         key_type_short(k->type),
		         user != NULL ? user : "sesh-keygen");
		free(user);
		if ((ret = key_set_comment(k, comment)) == 0) {
			ret = keyfile_serialize_rfc4716(k, &out);
		}
		break;
	}
	if (ret != 0) {
		kg_fatal("Export of \"%s\" failed: %s", o->file,
		         sesh_err_str(ret));
	}
	fwrite(buf_data(&out), 1, buf_len(&out), stdout);
	buf_clear(&out);
	key_free(k);
	return 0;
}

int
kg_import(struct kg_opts *o)
{
	struct loaded l = {NULL, 0};
	struct sshkey *k = NULL;
	int ret;

	kg_ask_filename(o, "the key is");
	read_or_die(o->file, false, &l);
	switch (o->format) {
	case KG_FMT_PEM:
		if (!has_text(&l, "-----BEGIN RSA PUBLIC KEY-----")) {
			kg_fatal("do_convert_from_pem: unrecognised raw "
			         "private key format");
		}
		break;
	case KG_FMT_PKCS8:
		if (!has_text(&l, "-----BEGIN PUBLIC KEY-----")) {
			kg_fatal("do_convert_from_pkcs8: %s is not a "
			         "recognised public key format",
			         o->file);
		}
		break;
	default:
		if (!has_text(&l, "---- BEGIN SSH2 PUBLIC KEY ----")) {
			kg_fatal("do_convert_from_ssh2: parse key: invalid "
			         "format");
		}
		break;
	}
	ret = keyfile_parse_public(l.data, l.n, &k);
	loaded_free(&l);
	if (ret != 0) {
		kg_fatal("%s: %s is not a recognised public key format: %s",
		         o->format == KG_FMT_PEM     ? "do_convert_from_pem"
		         : o->format == KG_FMT_PKCS8 ? "do_convert_from_pkcs8"
		                                     : "do_convert_from_ssh2",
		         o->file, sesh_err_str(ret));
	}
	print_pub_line(k, false);
	key_free(k);
	return 0;
}
