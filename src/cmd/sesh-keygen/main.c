/*
 * main.c - sesh-keygen: option parsing and dispatch. The flags, prompts,
 * messages and exit statuses follow OpenSSH's ssh-keygen(1): 0 success,
 * 1 usage errors and declined questions, 255 fatal errors.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app/paths.h"
#include "base/limits.h"
#include "base/log.h"
#include "cmd/sesh-keygen/kg.h"

static _Noreturn void
usage(void)
{
	fprintf(stderr,
	        "usage: sesh-keygen [-q] [-a rounds] [-b bits] [-C comment] "
	        "[-f output_keyfile]\n"
	        "                   [-m format] [-N new_passphrase] "
	        "[-t ecdsa | ed25519 | rsa]\n"
	        "       sesh-keygen -p [-a rounds] [-f keyfile] [-m format] "
	        "[-N new_passphrase]\n"
	        "                    [-P old_passphrase]\n"
	        "       sesh-keygen -i [-f input_keyfile] [-m key_format]\n"
	        "       sesh-keygen -e [-f input_keyfile] [-m key_format]\n"
	        "       sesh-keygen -y [-f input_keyfile] [-P passphrase]\n"
	        "       sesh-keygen -c [-a rounds] [-C comment] [-f keyfile] "
	        "[-P passphrase]\n"
	        "       sesh-keygen -l [-v] [-E fingerprint_hash] "
	        "[-f input_keyfile]\n"
	        "       sesh-keygen -F hostname [-H] [-f known_hosts_file]\n"
	        "       sesh-keygen -H [-f known_hosts_file]\n"
	        "       sesh-keygen -R hostname [-f known_hosts_file]\n"
	        "       sesh-keygen -A [-a rounds] [-f prefix_path]\n");
	exit(1);
}

/*
 * strtonum(3) as ssh-keygen uses it: an optional sign and decimal digits
 * (strtoll), "invalid" for anything else, "too small" below lo (negative
 * numbers included), "too large" above hi; fatal with what.
 */
static unsigned int
parse_number(const char *s, long long lo, long long hi, const char *what)
{
	char *end = NULL;
	long long v;
	const char *why;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0') {
		why = "invalid";
		goto bad;
	}
	if ((v == LLONG_MIN && errno == ERANGE) || v < lo) {
		why = "too small";
		goto bad;
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > hi) {
		why = "too large";
		goto bad;
	}
	return (unsigned int)v;
bad:
	kg_fatal("%s %s (%s)", what, s, why);
}

static enum hash_alg
parse_hash(const char *s)
{
	if (strcasecmp(s, "sha256") == 0) {
		return HASH_SHA256;
	}
	if (strcasecmp(s, "md5") == 0) {
		return HASH_MD5;
	}
	if (strcasecmp(s, "sha1") == 0) {
		return HASH_SHA1;
	}
	if (strcasecmp(s, "sha384") == 0) {
		return HASH_SHA384;
	}
	if (strcasecmp(s, "sha512") == 0) {
		return HASH_SHA512;
	}
	kg_fatal("Invalid hash algorithm \"%s\"", s);
}

static enum kg_format
parse_format(const char *s)
{
	if (strcasecmp(s, "RFC4716") == 0 || strcasecmp(s, "ssh2") == 0) {
		return KG_FMT_RFC4716;
	}
	if (strcasecmp(s, "PEM") == 0) {
		return KG_FMT_PEM;
	}
	if (strcasecmp(s, "PKCS8") == 0) {
		return KG_FMT_PKCS8;
	}
	kg_fatal("Unsupported conversion format \"%s\"", s);
}

static void
set_mode(struct kg_opts *o, enum kg_mode m)
{
	/* -H with -F means "print hashed"; otherwise the last mode wins,
	 * as with ssh-keygen's flag precedence for these pairs. */
	if (m == KG_HASH_HOSTS && o->mode == KG_FIND_HOST) {
		o->hash_found = true;
		return;
	}
	if (m == KG_FIND_HOST && o->mode == KG_HASH_HOSTS) {
		o->hash_found = true;
	}
	if (m == KG_FINGERPRINT && o->mode == KG_FIND_HOST) {
		return; /* -F -l: print found lines (fingerprints not kept) */
	}
	o->mode = m;
}

int
main(int argc, char **argv)
{
	struct kg_opts o;
	int ch, ret;

	memset(&o, 0, sizeof(o));
	o.mode = KG_GENERATE;
	o.fp_hash = HASH_SHA256;
	log_init("sesh-keygen", LOG_LVL_INFO);
	opterr = 0;
	while ((ch = getopt(argc, argv,
	                    ":Aa:b:C:cE:eF:f:HhilN:m:P:pqR:t:vy")) != -1) {
		switch (ch) {
		case 'A':
			set_mode(&o, KG_HOST_KEYS);
			break;
		case 'a':
			o.rounds = parse_number(optarg, 1, SESH_MAX_KDF_ROUNDS,
			                        "Invalid number:");
			break;
		case 'b':
			/* ssh-keygen accepts any u_int here and lets the
			 * key type judge the size. */
			o.bits = parse_number(optarg, 1, UINT_MAX,
			                      "Bits has bad value");
			break;
		case 'C':
			o.comment = optarg;
			break;
		case 'c':
			set_mode(&o, KG_CHANGE_COMMENT);
			break;
		case 'E':
			o.fp_hash = parse_hash(optarg);
			break;
		case 'e':
			set_mode(&o, KG_EXPORT);
			break;
		case 'F':
			o.host = optarg;
			set_mode(&o, KG_FIND_HOST);
			break;
		case 'f':
			free(o.file);
			if (paths_expand_tilde(optarg, &o.file) != 0) {
				kg_fatal("Cannot expand path %s", optarg);
			}
			break;
		case 'H':
			set_mode(&o, KG_HASH_HOSTS);
			break;
		case 'i':
			set_mode(&o, KG_IMPORT);
			break;
		case 'l':
			set_mode(&o, KG_FINGERPRINT);
			break;
		case 'm':
			o.format = parse_format(optarg);
			break;
		case 'N':
			o.new_pass = optarg;
			break;
		case 'P':
			o.old_pass = optarg;
			break;
		case 'p':
			set_mode(&o, KG_CHANGE_PASS);
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'R':
			o.host = optarg;
			set_mode(&o, KG_REMOVE_HOST);
			break;
		case 't':
			o.type_word = optarg;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'y':
			set_mode(&o, KG_PRINT_PUBLIC);
			break;
		case 'h':
			usage();
		case ':':
			/* The leading ':' in the option string tells a
			 * missing argument from an unknown option. */
			fprintf(stderr, "option requires an argument -- %c\n",
			        optopt);
			usage();
		default:
			if (optopt != 0 && optopt != '?') {
				fprintf(stderr, "unknown option -- %c\n",
				        optopt);
			} else if (optopt == '?') {
				fprintf(stderr, "unknown option -- ?\n");
			}
			usage();
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Too many arguments.\n");
		usage();
	}
	switch (o.mode) {
	case KG_GENERATE:
		ret = kg_generate(&o);
		break;
	case KG_PRINT_PUBLIC:
		ret = kg_print_public(&o);
		break;
	case KG_FINGERPRINT:
		ret = kg_fingerprint_file(&o);
		break;
	case KG_CHANGE_PASS:
		ret = kg_change_passphrase(&o);
		break;
	case KG_CHANGE_COMMENT:
		ret = kg_change_comment(&o);
		break;
	case KG_EXPORT:
		ret = kg_export(&o);
		break;
	case KG_IMPORT:
		ret = kg_import(&o);
		break;
	case KG_HOST_KEYS:
		ret = kg_host_keys(&o);
		break;
	case KG_REMOVE_HOST:
		ret = kg_remove_host(&o);
		break;
	case KG_FIND_HOST:
		ret = kg_find_host(&o);
		break;
	case KG_HASH_HOSTS:
		ret = kg_hash_hosts(&o);
		break;
	default:
		ret = 1;
		break;
	}
	free(o.file);
	if (fflush(stdout) != 0 && ret == 0) {
		ret = 1;
	}
	return ret;
}
