/*
 * fuzz_userauth.c - libFuzzer target for ssh/userauth.h, both roles.
 *
 * The input is a sequence of records, each a 2-byte big-endian length
 * then that many bytes (a short last record takes what is left). The
 * records are fed as client payloads to a server (ua_server) and then,
 * separately, as server payloads to a client (ua_client). Each side is
 * driven as an application would: the server answers every event (a
 * rotating choice of reject, partial reject, PK_OK, info request,
 * change request, verify-then-accept, accept), the client tries a
 * rotating method after SERVICE_ACCEPT / FAILURE / change request,
 * signs after PK_OK and answers info requests. Invariants: results are
 * 0 or negative, an error sticks (the same payload gives the same
 * error again), an event is only returned on success, and accept never
 * succeeds for a signed request whose signature did not verify.
 * Everything is freed (runs under ASan with leak detection).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "key/key.h"
#include "ssh/userauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_sid[32] = {1, 2, 3, 4, 5, 6, 7, 8};

/* Next record: (*p, *n) view it; returns false at the end. */
static bool
next_record(const uint8_t *data, size_t size, size_t *off, const uint8_t **p,
            size_t *n)
{
	size_t len, left;

	if (*off + 2 > size) {
		return false;
	}
	len = ((size_t)data[*off] << 8) | data[*off + 1];
	*off += 2;
	left = size - *off;
	if (len > left) {
		len = left;
	}
	*p = data + *off;
	*n = len;
	*off += len;
	return true;
}

static void
drive_server_event(struct ua_server *s, const struct ua_server_event *ev,
                   unsigned k, struct buf *out)
{
	static const char *const prompts[] = {"Password: ", "Code: "};
	static const bool echo[] = {false, true};
	int ret = 0;

	switch (ev->type) {
	case UA_SEV_AUTH_NONE:
		ret = ua_server_reject(s, false, out);
		break;
	case UA_SEV_AUTH_PUBKEY_QUERY:
		ret = (k & 1) ? ua_server_pk_ok(s, out)
		              : ua_server_reject(s, false, out);
		break;
	case UA_SEV_AUTH_PUBKEY_SIGNED:
		if (ua_server_verify(s) == 0) {
			ret = ua_server_accept(s, out);
		} else {
			if (ua_server_accept(s, out) !=
			    SESH_ERR_INVALID_ARGUMENT) {
				abort();
			}
			ret = ua_server_reject(s, false, out);
		}
		break;
	case UA_SEV_AUTH_PASSWORD:
		if (ev->password == NULL) {
			abort();
		}
		if (strcmp(ev->password, "secret") == 0) {
			ret = ua_server_accept(s, out);
		} else if (k % 3 == 0) {
			ret = ua_server_passwd_changereq(s, "expired", out);
		} else {
			ret = ua_server_reject(s, (k & 2) != 0, out);
		}
		break;
	case UA_SEV_AUTH_KBDINT:
	case UA_SEV_KBDINT_RESPONSE:
		if (ev->type == UA_SEV_KBDINT_RESPONSE && ev->nanswers > 0 &&
		    strcmp(ev->answers[0], "secret") == 0) {
			ret = ua_server_accept(s, out);
		} else if (k & 1) {
			ret = ua_server_kbdint_info_request(
			    s, "n", "i", prompts, echo, 1 + ((k >> 1) & 1),
			    out);
		} else {
			ret = ua_server_reject(s, false, out);
		}
		break;
	default:
		abort();
	}
	if (ret > 0 || (ret != 0 && ret != SESH_ERR_AUTH_TOO_MANY)) {
		abort();
	}
}

static void
run_server(const uint8_t *data, size_t size, struct buf *out)
{
	struct ua_server *s = NULL;
	const struct ua_server_event *ev;
	const uint8_t *p;
	size_t off = 0, n;
	unsigned k = 0;
	int ret;

	if (ua_server_new(fuzz_sid, sizeof(fuzz_sid),
	                  "publickey,password,keyboard-interactive", 4,
	                  &s) != 0) {
		abort();
	}
	while (next_record(data, size, &off, &p, &n)) {
		ret = ua_server_input(s, p, n, &ev, out);
		if (ret > 0 || (ret < 0 && ev != NULL)) {
			abort();
		}
		if (ret < 0) {
			if (ua_server_input(s, p, n, &ev, out) != ret) {
				abort();
			}
			break;
		}
		if (ev != NULL) {
			drive_server_event(s, ev, k++, out);
		}
	}
	ua_server_free(s);
}

/* Tries a method in rotation from READY. */
static void
client_try(struct ua_client *c, const struct sshkey *key, unsigned k,
           struct buf *out)
{
	int ret;

	switch (k % 5) {
	case 0:
		ret = ua_client_try_none(c, out);
		break;
	case 1:
		ret = ua_client_try_publickey_query(c, key, "ssh-ed25519", out);
		break;
	case 2:
		ret = ua_client_try_password(c, "secret", out);
		break;
	case 3:
		ret = ua_client_try_kbdint(c, NULL, out);
		break;
	default:
		ret = ua_client_try_password_change(c, "a", "b", out);
		if (ret == SESH_ERR_INVALID_ARGUMENT) {
			ret = ua_client_try_none(c, out);
		}
		break;
	}
	if (ret != 0) {
		abort();
	}
}

static void
drive_client_event(struct ua_client *c, const struct ua_client_event *ev,
                   const struct sshkey *key, unsigned k, struct buf *out)
{
	struct buf tbs, sig;
	const char **answers = NULL;
	size_t i;

	switch (ev->type) {
	case UA_CEV_SERVICE_ACCEPT:
	case UA_CEV_FAILURE:
	case UA_CEV_PASSWD_CHANGEREQ:
		client_try(c, key, k, out);
		break;
	case UA_CEV_BANNER:
		if (ev->text == NULL) {
			abort();
		}
		break;
	case UA_CEV_PK_OK:
		buf_init(&tbs, 0);
		buf_init(&sig, 0);
		if (ua_client_signed_data(c, &tbs) != 0 ||
		    key_sign(key, NULL, buf_data(&tbs), buf_len(&tbs), &sig) !=
		        0 ||
		    ua_client_send_publickey_signed(c, buf_data(&sig),
		                                    buf_len(&sig), out) != 0) {
			abort();
		}
		buf_clear(&tbs);
		buf_clear(&sig);
		break;
	case UA_CEV_INFO_REQUEST:
		if (ev->nprompts > UA_MAX_PROMPTS) {
			abort();
		}
		if (ev->nprompts > 0) {
			answers = calloc(ev->nprompts, sizeof(*answers));
			if (answers == NULL) {
				abort();
			}
			for (i = 0; i < ev->nprompts; i++) {
				answers[i] = (k & 1) ? "secret" : "";
			}
		}
		if (ua_client_kbdint_respond(c, answers, ev->nprompts, out) !=
		    0) {
			abort();
		}
		free(answers);
		break;
	case UA_CEV_SUCCESS:
		if (!ua_client_done(c)) {
			abort();
		}
		break;
	default:
		abort();
	}
}

static void
run_client(const uint8_t *data, size_t size, const struct sshkey *key,
           struct buf *out)
{
	struct ua_client *c = NULL;
	const struct ua_client_event *ev;
	const uint8_t *p;
	size_t off = 0, n;
	unsigned k = 0;
	int ret;

	if (ua_client_new("fuzz", fuzz_sid, sizeof(fuzz_sid), &c) != 0 ||
	    ua_client_start(c, out) != 0) {
		abort();
	}
	while (next_record(data, size, &off, &p, &n)) {
		ret = ua_client_input(c, p, n, &ev);
		if (ret > 0 || (ret < 0 && ev != NULL)) {
			abort();
		}
		if (ret < 0) {
			if (ua_client_input(c, p, n, &ev) != ret) {
				abort();
			}
			break;
		}
		if (ev != NULL) {
			drive_client_event(c, ev, key, k++, out);
		}
	}
	ua_client_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshkey *key = NULL;
	struct buf out;

	buf_init(&out, 0);
	run_server(data, size, &out);
	if (key_generate(KEY_ED25519, 0, &key) != 0) {
		abort();
	}
	run_client(data, size, key, &out);
	key_free(key);
	buf_clear(&out);
	return 0;
}
