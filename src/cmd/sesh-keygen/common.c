/*
 * common.c - sesh-keygen helpers shared by its commands: fatal errors,
 * the "Enter file in which ..." question, fingerprint/randomart printing
 * and writing a key pair to disk.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/fileio.h"
#include "app/paths.h"
#include "app/tty.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "cmd/sesh-keygen/kg.h"
#include "key/keyfile.h"

void
kg_fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(KG_EXIT_FATAL);
}

void
kg_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
kg_type_word(enum key_type t)
{
	switch (t) {
	case KEY_ED25519:
		return "ed25519";
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384:
	case KEY_ECDSA_P521:
		return "ecdsa";
	case KEY_RSA:
		return "rsa";
	default:
		return "unknown";
	}
}

void
kg_ask_filename(struct kg_opts *o, const char *what)
{
	char *def = NULL, *line = NULL;
	bool eof = false;
	const char *word = o->type_word != NULL ? o->type_word : "ed25519";
	enum key_type t;

	if (o->file != NULL) {
		return;
	}
	t = key_type_from_keygen_name(word, o->bits);
	if (paths_default_identity(kg_type_word(t), &def) != 0 &&
	    paths_default_identity("ed25519", &def) != 0) {
		kg_fatal("Cannot determine the home directory");
	}
	printf("Enter file in which %s (%s): ", what, def);
	fflush(stdout);
	if (tty_read_stdin_line(&line, &eof) != 0 || eof) {
		free(def);
		exit(1);
	}
	if (line[0] == '\0') {
		o->file = def;
		def = NULL;
	} else if (paths_expand_tilde(line, &o->file) != 0) {
		kg_fatal("Cannot expand path %s", line);
	}
	free(line);
	free(def);
}

char *
kg_fingerprint(const struct sshkey *k, enum hash_alg h)
{
	struct buf fp;
	uint8_t *p = NULL;
	size_t n = 0;

	buf_init(&fp, 0);
	if (key_fingerprint(k, h, &fp) != 0 || buf_steal(&fp, &p, &n) != 0) {
		buf_clear(&fp);
		kg_fatal("sshkey_fingerprint failed");
	}
	return (char *)p;
}

void
kg_print_randomart(const struct sshkey *k, enum hash_alg h)
{
	struct buf art;

	buf_init(&art, 0);
	if (key_randomart(k, h, &art) != 0) {
		buf_clear(&art);
		kg_fatal("key_randomart failed");
	}
	/* The art is NUL-terminated past buf_len. */
	printf("%.*s\n", (int)buf_len(&art), (const char *)buf_data(&art));
	buf_clear(&art);
}

int
kg_save_keypair(const struct sshkey *k, const char *path, const char *pub_path,
                const char *passphrase, unsigned int rounds, enum kg_format fmt,
                int *which)
{
	struct buf priv, pub;
	int ret;

	*which = 0;
	buf_init(&priv, 0);
	buf_set_secret(&priv);
	buf_init(&pub, 0);
	/* Ed25519 has no PEM form in OpenSSH: it stays openssh-key-v1. */
	if ((fmt == KG_FMT_PEM || fmt == KG_FMT_PKCS8) &&
	    k->type != KEY_ED25519) {
		ret = keyfile_serialize_pem(k, fmt == KG_FMT_PKCS8, passphrase,
		                            &priv);
	} else {
		ret = keyfile_serialize_private(k, passphrase, rounds, &priv);
	}
	if (ret != 0) {
		goto out;
	}
	if ((ret = fileio_write_atomic(path, buf_data(&priv), buf_len(&priv),
	                               FILEIO_MODE_PRIVATE)) != 0) {
		goto out;
	}
	if (pub_path == NULL) {
		ret = 0;
		goto out;
	}
	*which = 1;
	if ((ret = key_to_pub_line(k, true, &pub)) != 0 ||
	    (ret = buf_put_u8(&pub, '\n')) != 0) {
		goto out;
	}
	ret = fileio_write_atomic(pub_path, buf_data(&pub), buf_len(&pub),
	                          FILEIO_MODE_PUBLIC);
out:
	buf_clear(&priv);
	buf_clear(&pub);
	return ret;
}
