/*
 * limits.h - every hard bound on data from the wire or from files, in one
 * place. Parsers check lengths against these before use.
 */
#ifndef SESH_BASE_LIMITS_H
#define SESH_BASE_LIMITS_H

#define SESH_MAX_PACKET       (256u * 1024u)  /* binary packet, bytes */
#define SESH_MAX_BANNER_LINE  8192u           /* one pre-identification line */
#define SESH_MAX_BANNER_LINES 1024u           /* lines before identification */
#define SESH_MAX_NAMELIST     16384u          /* one name-list, bytes */
#define SESH_MAX_NAME         64u             /* one algorithm name, bytes */
#define SESH_MAX_MPINT_BITS   16384u          /* mpint magnitude */
#define SESH_MAX_STRING       SESH_MAX_PACKET /* any string field */
#define SESH_MAX_WRITER       (64u * 1024u * 1024u) /* default writer cap */
#define SESH_MAX_KEYFILE      (1024u * 1024u) /* private/public key file */
#define SESH_MAX_LINE         (64u * 1024u) /* known_hosts/authorized_keys line */
#define SESH_MAX_COMMENT      4096u         /* key comment */
#define SESH_MAX_KDF_ROUNDS   10000u        /* bcrypt_pbkdf rounds accepted */

#endif
