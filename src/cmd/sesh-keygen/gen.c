/*
 * gen.c - key generation (the default mode) and -A (missing host keys),
 * with ssh-keygen's questions and messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/fileio.h"
#include "app/paths.h"
#include "app/tty.h"
#include "base/err.h"
#include "base/mem.h"
#include "cmd/sesh-keygen/kg.h"

/* Checks -t/-b the way ssh-keygen does, before anything is asked. */
static enum key_type
check_type_bits(const char *word, unsigned int bits)
{
	enum key_type t;

	if (word == NULL) {
		word = "ed25519";
	}
	if (strcasecmp(word, "ed25519") != 0 &&
	    strcasecmp(word, "ecdsa") != 0 && strcasecmp(word, "rsa") != 0 &&
	    strcmp(word, "ssh-ed25519") != 0 && strcmp(word, "ssh-rsa") != 0 &&
	    strncmp(word, "ecdsa-sha2-nistp", 16) != 0) {
		kg_fatal("unknown key type %s", word);
	}
	t = key_type_from_keygen_name(word, bits);
	if (t == KEY_UNKNOWN) {
		kg_fatal("unknown key type %s", word);
	}
	if (t == KEY_RSA && bits != 0) {
		if (bits < 1024) {
			kg_fatal("Invalid RSA key length: minimum is 1024 "
			         "bits");
		}
		if (bits > 16384) {
			kg_fatal("Invalid RSA key length: maximum is 16384 "
			         "bits");
		}
	}
	if ((t == KEY_ECDSA_P256 || t == KEY_ECDSA_P384 ||
	     t == KEY_ECDSA_P521) &&
	    bits != 0 && bits != 256 && bits != 384 && bits != 521) {
		kg_fatal("Invalid ECDSA key length: valid lengths are 256, "
		         "384 or 521 bits");
	}
	return t;
}

/* Asks for the new passphrase twice until both agree (ssh-keygen). */
static char *
ask_new_passphrase(void)
{
	char *p1 = NULL, *p2 = NULL;

	for (;;) {
		if (tty_read_passphrase("Enter passphrase (empty for no "
		                        "passphrase): ",
		                        &p1) != 0) {
			kg_fatal("Failed to read passphrase");
		}
		if (tty_read_passphrase("Enter same passphrase again: ", &p2) !=
		    0) {
			mem_free_string_secret(p1);
			kg_fatal("Failed to read passphrase");
		}
		if (strlen(p1) == strlen(p2) &&
		    mem_equal_ct(p1, p2, strlen(p1))) {
			mem_free_string_secret(p2);
			return p1;
		}
		mem_free_string_secret(p1);
		mem_free_string_secret(p2);
		p1 = p2 = NULL;
		printf("Passphrases do not match.  Try again.\n");
		fflush(stdout);
	}
}

/* "<file> already exists.\nOverwrite (y/n)? "; false unless y/Y. */
static bool
confirm_overwrite(const char *path)
{
	char *line = NULL;
	bool eof = false, yes;

	if (!fileio_exists(path)) {
		return true;
	}
	printf("%s already exists.\n", path);
	printf("Overwrite (y/n)? ");
	fflush(stdout);
	if (tty_read_stdin_line(&line, &eof) != 0 || eof) {
		free(line);
		return false;
	}
	yes = line[0] == 'y' || line[0] == 'Y';
	free(line);
	return yes;
}

/* Creates ~/.ssh when the chosen file lives in it (asked, not -f). */
static void
maybe_create_ssh_dir(const char *path, bool quiet)
{
	char *dir = NULL;
	size_t n;

	if (paths_ssh_dir(&dir) != 0) {
		return;
	}
	n = strlen(dir);
	if (strncmp(path, dir, n) == 0 && path[n] == '/' &&
	    !fileio_exists(dir)) {
		if (fileio_ensure_dir(dir, FILEIO_MODE_DIR_PRIVATE) != 0) {
			kg_error("Could not create directory '%s': %s", dir,
			         strerror(errno));
		} else if (!quiet) {
			printf("Created directory '%s'.\n", dir);
		}
	}
	free(dir);
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

int
kg_generate(struct kg_opts *o)
{
	struct sshkey *k = NULL;
	char *pass = NULL, *comment = NULL, *pub = NULL, *fp;
	enum key_type t;
	int ret, which = 0;
	bool asked = o->file == NULL;

	t = check_type_bits(o->type_word, o->bits);
	if (!o->quiet) {
		printf("Generating public/private %s key pair.\n",
		       kg_type_word(t));
		fflush(stdout);
	}
	if ((ret = key_generate(t, o->bits, &k)) != 0) {
		kg_fatal("sshkey_generate failed: %s", sesh_err_str(ret));
	}
	kg_ask_filename(o, "to save the key");
	if (asked) {
		maybe_create_ssh_dir(o->file, o->quiet);
	}
	if (!confirm_overwrite(o->file)) {
		key_free(k);
		return 1;
	}
	if (o->new_pass != NULL) {
		if ((pass = mem_strdup(o->new_pass)) == NULL) {
			kg_fatal("out of memory");
		}
	} else {
		pass = ask_new_passphrase();
	}
	if (o->comment != NULL) {
		comment = mem_strdup(o->comment);
	} else if (paths_default_comment(&comment) != 0) {
		comment = NULL;
	}
	if (key_set_comment(k, comment) != 0) {
		kg_fatal("out of memory");
	}
	pub = pub_path_of(o->file);
	ret = kg_save_keypair(k, o->file, pub, pass, o->rounds, o->format,
	                      &which);
	mem_free_string_secret(pass);
	if (ret != 0) {
		const char *why =
		    ret == SESH_ERR_SYSTEM || ret == SESH_ERR_NOT_FOUND
		        ? strerror(errno)
		        : sesh_err_str(ret);

		if (which == 0) {
			kg_error("Saving key \"%s\" failed: %s", o->file, why);
		} else {
			kg_error("Unable to save public key to %s: %s", pub,
			         why);
		}
		ret = 1;
		goto out;
	}
	if (!o->quiet) {
		fp = kg_fingerprint(k, o->fp_hash);
		printf("Your identification has been saved in %s\n", o->file);
		printf("Your public key has been saved in %s\n", pub);
		printf("The key fingerprint is:\n");
		printf("%s %s\n", fp, comment != NULL ? comment : "");
		printf("The key's randomart image is:\n");
		kg_print_randomart(k, o->fp_hash);
		free(fp);
	}
	ret = 0;
out:
	free(comment);
	free(pub);
	key_free(k);
	return ret;
}

int
kg_host_keys(struct kg_opts *o)
{
	static const char *const words[] = {"rsa", "ecdsa", "ed25519"};
	char dir[4096];
	char *comment = NULL, *path = NULL, *pub = NULL;
	struct sshkey *k = NULL;
	bool first = true;
	int ret, which, status = 0;
	size_t i;

	snprintf(dir, sizeof(dir), "%s%s", o->file != NULL ? o->file : "",
	         PATHS_SYSTEM_DIR);
	if (paths_default_comment(&comment) != 0) {
		comment = NULL;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		enum key_type t = key_type_from_keygen_name(words[i], 0);

		free(path);
		free(pub);
		path = pub = NULL;
		if (asprintf(&path, "%s/ssh_host_%s_key", dir, words[i]) < 0 ||
		    asprintf(&pub, "%s.pub", path) < 0) {
			kg_fatal("out of memory");
		}
		if (fileio_exists(path)) {
			continue;
		}
		if (first) {
			/* sesh keeps its keys apart from OpenSSH's: the
			 * folder may not exist yet on a fresh system. */
			if (fileio_ensure_dirs(dir, 0755) != 0) {
				kg_error("Could not create %s: %s", dir,
				         strerror(errno));
				status = 1;
				break;
			}
			if (!o->quiet) {
				printf("sesh-keygen: generating new host "
				       "keys: ");
			}
			first = false;
		}
		if (!o->quiet) {
			printf("%s ", key_type_short(t));
			fflush(stdout);
		}
		if ((ret = key_generate(t, 0, &k)) != 0 ||
		    (ret = key_set_comment(k, comment)) != 0) {
			kg_error("sshkey_generate failed: %s",
			         sesh_err_str(ret));
			key_free(k);
			k = NULL;
			status = 1;
			continue;
		}
		ret = kg_save_keypair(k, path, pub, NULL, o->rounds,
		                      KG_FMT_DEFAULT, &which);
		if (ret != 0) {
			kg_error("Could not save your %s key in %s: %s",
			         which == 0 ? "private" : "public",
			         which == 0 ? path : pub,
			         ret == SESH_ERR_SYSTEM ||
			                 ret == SESH_ERR_NOT_FOUND
			             ? strerror(errno)
			             : sesh_err_str(ret));
			status = 1;
		}
		key_free(k);
		k = NULL;
	}
	if (!first && !o->quiet) {
		printf("\n");
	}
	free(path);
	free(pub);
	free(comment);
	return status;
}
