/*
 * monitor_serve_int.h - private to monitor_serve*.c: the state of one
 * monitor loop, shared by the loop, signing and user lookup
 * (monitor_serve.c) and the authentication methods
 * (monitor_serve_auth.c).
 */
#ifndef SESH_APP_MONITOR_SERVE_INT_H
#define SESH_APP_MONITOR_SERVE_INT_H

#include "app/monitor_serve.h"
#include "base/buf.h"

#define MSERV_POLL_FOREVER (-1) /* poll(2) timeout: no deadline */

struct mserv {
	const struct monitor_serve_ctx *ctx;
	struct monitor_result *res;
	const struct servconf *conf; /* ctx->conf or &res->conf (Match) */
	struct monitor_state st;
	int fd;
	bool is_root;
	bool user_ok; /* valid and allowed by the account checks */
	char *service;
	struct srvauth_methods *methods;
	struct srvauth_kbdint *kbdint;
	struct srvauth_prompts prompts;     /* ANS_PROMPTS' storage */
	struct srvauth_used_keys used_keys; /* publickey steps done */
	unsigned failed_lines;              /* "Failed ..." lines logged */
	bool too_many_logged;
	/* failed-attempt delay (srvauth.h) */
	bool delay_key_set;
	uint8_t delay_key[SRVAUTH_DELAY_KEY_LEN];
	uint64_t t0_us; /* when the request being answered arrived */
	bool delay_due; /* the answer is a failed attempt */
	struct buf in;  /* the request frame */
	struct buf out; /* the answer frame */
	struct buf sig; /* ANS_SIGN's signature */
	bool done;
	int end;
};

/* monitor_serve_auth.c: fill *ans (ANS_AUTH, ANS_KEY_QUERY,
 * ANS_PROMPTS) for an authentication request; 0 or an error that ends
 * the monitor. */
int mserv_auth(struct mserv *m, const struct monitor_msg *req,
               struct monitor_msg *ans);
/* Frees the keyboard-interactive conversation and its prompts. */
void mserv_auth_clear(struct mserv *m);
/* "authenticating user alice" / "invalid user bob" / "" for logs. */
const char *mserv_who(const struct mserv *m);

#endif
