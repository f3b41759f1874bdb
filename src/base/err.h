/*
 * err.h - the one error vocabulary of sesh.
 *
 * Every fallible function returns int: 0 on success or a negative
 * SESH_ERR_* code. The table below is the single source of codes, their
 * names, human messages and the SSH disconnect reason (RFC 4250 §4.2.2)
 * sent when the error ends a connection.
 */
#ifndef SESH_BASE_ERR_H
#define SESH_BASE_ERR_H

/* RFC 4250 §4.2.2 disconnect reason codes. */
#define SSH_DISCONNECT_HOST_NOT_ALLOWED_TO_CONNECT    1
#define SSH_DISCONNECT_PROTOCOL_ERROR                 2
#define SSH_DISCONNECT_KEY_EXCHANGE_FAILED            3
#define SSH_DISCONNECT_RESERVED                       4
#define SSH_DISCONNECT_MAC_ERROR                      5
#define SSH_DISCONNECT_COMPRESSION_ERROR              6
#define SSH_DISCONNECT_SERVICE_NOT_AVAILABLE          7
#define SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED 8
#define SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE        9
#define SSH_DISCONNECT_CONNECTION_LOST                10
#define SSH_DISCONNECT_BY_APPLICATION                 11
#define SSH_DISCONNECT_TOO_MANY_CONNECTIONS           12
#define SSH_DISCONNECT_AUTH_CANCELLED_BY_USER         13
#define SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE 14
#define SSH_DISCONNECT_ILLEGAL_USER_NAME              15

/* X(NAME, message, disconnect reason) */
#define SESH_ERR_TABLE(X)                                                      \
	X(TRUNCATED, "message truncated", SSH_DISCONNECT_PROTOCOL_ERROR)       \
	X(TRAILING_DATA, "unexpected trailing data",                           \
	  SSH_DISCONNECT_PROTOCOL_ERROR)                                       \
	X(LIMIT, "length exceeds limit", SSH_DISCONNECT_PROTOCOL_ERROR)        \
	X(NOMEM, "out of memory", SSH_DISCONNECT_BY_APPLICATION)               \
	X(INVALID_FORMAT, "invalid format", SSH_DISCONNECT_PROTOCOL_ERROR)     \
	X(INVALID_MPINT, "invalid or non-canonical mpint",                     \
	  SSH_DISCONNECT_PROTOCOL_ERROR)                                       \
	X(INVALID_ARGUMENT, "invalid argument", SSH_DISCONNECT_BY_APPLICATION) \
	X(CRYPTO, "cryptographic library failure",                             \
	  SSH_DISCONNECT_BY_APPLICATION)                                       \
	X(KEY_TYPE_UNKNOWN, "unknown or unsupported key type",                 \
	  SSH_DISCONNECT_PROTOCOL_ERROR)                                       \
	X(KEY_LENGTH, "invalid key length", SSH_DISCONNECT_PROTOCOL_ERROR)     \
	X(KEY_MISMATCH, "public and private key do not match",                 \
	  SSH_DISCONNECT_PROTOCOL_ERROR)                                       \
	X(INVALID_KEY, "invalid key", SSH_DISCONNECT_PROTOCOL_ERROR)           \
	X(BAD_SIGNATURE, "incorrect signature", SSH_DISCONNECT_PROTOCOL_ERROR) \
	X(SIG_ALG_MISMATCH, "signature algorithm not allowed for key",         \
	  SSH_DISCONNECT_PROTOCOL_ERROR)                                       \
	X(MAC_INVALID, "message authentication code incorrect",                \
	  SSH_DISCONNECT_MAC_ERROR)                                            \
	X(KEX_DEGENERATE, "degenerate key exchange value",                     \
	  SSH_DISCONNECT_KEY_EXCHANGE_FAILED)                                  \
	X(CIPHER_UNKNOWN, "unknown cipher", SSH_DISCONNECT_PROTOCOL_ERROR)     \
	X(KDF_UNKNOWN, "unknown key derivation function",                      \
	  SSH_DISCONNECT_PROTOCOL_ERROR)                                       \
	X(PASSPHRASE_NEEDED, "passphrase required",                            \
	  SSH_DISCONNECT_BY_APPLICATION)                                       \
	X(WRONG_PASSPHRASE,                                                    \
	  "incorrect passphrase supplied to decrypt "                          \
	  "private key",                                                       \
	  SSH_DISCONNECT_BY_APPLICATION)                                       \
	X(SYSTEM, "system error", SSH_DISCONNECT_BY_APPLICATION)               \
	X(NOT_FOUND, "not found", SSH_DISCONNECT_BY_APPLICATION)               \
	X(EXISTS, "already exists", SSH_DISCONNECT_BY_APPLICATION)             \
	X(UNSUPPORTED, "unsupported", SSH_DISCONNECT_PROTOCOL_ERROR)           \
	X(PROTOCOL, "protocol error", SSH_DISCONNECT_PROTOCOL_ERROR)           \
	X(SERVICE_NOT_AVAILABLE, "service not available",                      \
	  SSH_DISCONNECT_SERVICE_NOT_AVAILABLE)                                \
	X(AUTH_TOO_MANY, "Too many authentication failures",                   \
	  SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE)

enum sesh_err {
	SESH_OK = 0,
#define SESH_ERR_ENUM_(name, msg, reason) SESH_ERR_##name,
	SESH_ERR_FIRST_ = -1000,
	SESH_ERR_TABLE(SESH_ERR_ENUM_)
#undef SESH_ERR_ENUM_
	    SESH_ERR_LAST_
};
/*
 * Codes are negative: SESH_ERR_TRUNCATED == -999, ... and so on. Use the
 * names, never the numbers.
 */

/* Human message for an error code ("success" for 0, "unknown error"). */
const char *sesh_err_str(int err);
/* Symbolic name, e.g. "SESH_ERR_TRUNCATED". */
const char *sesh_err_name(int err);
/* RFC 4250 disconnect reason for an error code. */
int sesh_err_disconnect_reason(int err);

#endif
