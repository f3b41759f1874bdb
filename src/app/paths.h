/*
 * paths.h - the user's home, "~" expansion, the ~/.ssh files OpenSSH
 * programs use by default, and the "user@host" default key comment.
 *
 * Contract: every function returning a string gives a fresh heap string
 * in *out (free() it) and returns 0, SESH_ERR_NOMEM, SESH_ERR_NOT_FOUND
 * (no home directory / unknown user) or SESH_ERR_INVALID_ARGUMENT; *out
 * is NULL on error. The home is $HOME when set and non-empty, else the
 * password database entry of the real uid (as OpenSSH's tools do for
 * files under ~/.ssh, $HOME wins so tests can point it elsewhere).
 */
#ifndef SESH_APP_PATHS_H
#define SESH_APP_PATHS_H

#define PATHS_SSH_DIR    ".ssh"
#define PATHS_SYSTEM_DIR "/etc/sesh"

/* The home directory, without a trailing slash (except for "/"). */
int paths_home(char **out);

/*
 * Expands a leading "~" or "~/..." (the current user's home) or
 * "~user/..." (that user's home); other paths are copied unchanged.
 */
int paths_expand_tilde(const char *path, char **out);

/* home + "/" + rel (rel relative, e.g. ".ssh/known_hosts"). */
int paths_in_home(const char *rel, char **out);

/* ~/.ssh */
int paths_ssh_dir(char **out);

/*
 * The default identity file for an ssh-keygen type word ("ed25519",
 * "ecdsa", "rsa"): ~/.ssh/id_<word>. Other words are
 * SESH_ERR_INVALID_ARGUMENT.
 */
int paths_default_identity(const char *type_word, char **out);

/* ~/.ssh/known_hosts */
int paths_known_hosts(char **out);

/* The login name of the real uid (password database, then $USER). */
int paths_user_name(char **out);

/* "user@hostname", ssh-keygen's default key comment. */
int paths_default_comment(char **out);

#endif
