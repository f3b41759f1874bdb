/*
 * msg.h - SSH message numbers (RFC 4250 §4.1, RFC 8308 for EXT_INFO) and
 * related protocol constants.
 *
 * Ranges (RFC 4251 §7): 1-19 transport generic, 20-29 algorithm
 * negotiation, 30-49 key exchange method specific, 50-59 userauth
 * generic, 60-79 userauth method specific, 80-89 connection generic,
 * 90-127 channels, 128-191 reserved, 192-255 local extensions.
 */
#ifndef SESH_SSH_MSG_H
#define SESH_SSH_MSG_H

/* Transport layer generic (RFC 4253) */
#define SSH2_MSG_DISCONNECT      1
#define SSH2_MSG_IGNORE          2
#define SSH2_MSG_UNIMPLEMENTED   3
#define SSH2_MSG_DEBUG           4
#define SSH2_MSG_SERVICE_REQUEST 5
#define SSH2_MSG_SERVICE_ACCEPT  6
#define SSH2_MSG_EXT_INFO        7 /* RFC 8308 */

/* Algorithm negotiation (RFC 4253 §7) */
#define SSH2_MSG_KEXINIT 20
#define SSH2_MSG_NEWKEYS 21

/* Key exchange method specific (30-49; numbers are reused per method) */
#define SSH2_MSG_KEXDH_INIT         30 /* RFC 4253 §8 */
#define SSH2_MSG_KEXDH_REPLY        31
#define SSH2_MSG_KEX_ECDH_INIT      30 /* RFC 5656 §7.1, also curve25519 */
#define SSH2_MSG_KEX_ECDH_REPLY     31
#define SSH2_MSG_KEX_HYBRID_INIT    30 /* PQ hybrids */
#define SSH2_MSG_KEX_HYBRID_REPLY   31
#define SSH2_MSG_KEX_DH_GEX_REQUEST 34 /* RFC 4419 (not implemented) */
#define SSH2_MSG_KEX_DH_GEX_GROUP   31
#define SSH2_MSG_KEX_DH_GEX_INIT    32
#define SSH2_MSG_KEX_DH_GEX_REPLY   33

/* User authentication (RFC 4252) */
#define SSH2_MSG_USERAUTH_REQUEST 50
#define SSH2_MSG_USERAUTH_FAILURE 51
#define SSH2_MSG_USERAUTH_SUCCESS 52
#define SSH2_MSG_USERAUTH_BANNER  53
/* Method specific (60-79; numbers are reused per method) */
#define SSH2_MSG_USERAUTH_PK_OK            60 /* publickey */
#define SSH2_MSG_USERAUTH_PASSWD_CHANGEREQ 60 /* password */
#define SSH2_MSG_USERAUTH_INFO_REQUEST     60 /* RFC 4256 */
#define SSH2_MSG_USERAUTH_INFO_RESPONSE    61

/* Connection protocol (RFC 4254) */
#define SSH2_MSG_GLOBAL_REQUEST            80
#define SSH2_MSG_REQUEST_SUCCESS           81
#define SSH2_MSG_REQUEST_FAILURE           82
#define SSH2_MSG_CHANNEL_OPEN              90
#define SSH2_MSG_CHANNEL_OPEN_CONFIRMATION 91
#define SSH2_MSG_CHANNEL_OPEN_FAILURE      92
#define SSH2_MSG_CHANNEL_WINDOW_ADJUST     93
#define SSH2_MSG_CHANNEL_DATA              94
#define SSH2_MSG_CHANNEL_EXTENDED_DATA     95
#define SSH2_MSG_CHANNEL_EOF               96
#define SSH2_MSG_CHANNEL_CLOSE             97
#define SSH2_MSG_CHANNEL_REQUEST           98
#define SSH2_MSG_CHANNEL_SUCCESS           99
#define SSH2_MSG_CHANNEL_FAILURE           100

/* Channel open failure reason codes (RFC 4250 §4.3) */
#define SSH2_OPEN_ADMINISTRATIVELY_PROHIBITED 1
#define SSH2_OPEN_CONNECT_FAILED              2
#define SSH2_OPEN_UNKNOWN_CHANNEL_TYPE        3
#define SSH2_OPEN_RESOURCE_SHORTAGE           4

/* Channel extended data type codes (RFC 4250 §4.4) */
#define SSH2_EXTENDED_DATA_STDERR 1

#endif
