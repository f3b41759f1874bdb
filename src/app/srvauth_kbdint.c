/*
 * srvauth_kbdint.c - keyboard-interactive (RFC 4256) through PAM. Contract
 * in srvauth.h.
 *
 * PAM's conversation is a callback that wants answers before it returns,
 * while the SSH exchange needs a round trip to the client, so the PAM
 * transaction (pam_authenticate, then pam_acct_mgmt) runs in a forked
 * helper process that talks to us over a socketpair. Frames are a uint32
 * length (at most KI_MAX_FRAME) and a payload in SSH wire encoding:
 *
 *   helper -> us   'P' string instruction, uint32 n (1..KI_MAX_PROMPTS),
 *                      n x (boolean echo, string prompt)
 *                  'R' boolean ok, string instruction
 *   us -> helper   'A' uint32 n, n x string answer
 *
 * PAM's informational messages are gathered into the instruction of the
 * next prompts or of the result; a result with text is shown to the
 * client as a request with no prompts before the outcome is given. States
 * of the parent side: START (nothing asked yet) -> PROMPTED (answers due)
 * -> ... -> RESULT (text shown, outcome due) -> DONE. Any error kills the
 * helper and ends the conversation.
 */
#include "app/srvauth.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/srvauth_int.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

#define KI_MAX_FRAME   (64u * 1024u)
#define KI_MAX_PROMPTS 32u
#define KI_MAX_TEXT    8192u

enum ki_state {
	KI_START = 0,
	KI_PROMPTED,
	KI_RESULT,
	KI_DONE,
};

struct srvauth_kbdint {
	pid_t pid;
	int fd;
	enum ki_state state;
	size_t nprompts; /* answers the helper waits for */
	bool usable;     /* a valid user whom PermitRootLogin admits */
	bool result_ok;
};

void
srvauth_prompts_clear(struct srvauth_prompts *p)
{
	if (p == NULL) {
		return;
	}
	free(p->name);
	free(p->instruction);
	mem_strv_free(p->prompts);
	free(p->echo);
	memset(p, 0, sizeof(*p));
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return SESH_ERR_SYSTEM;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
read_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return r == 0 ? SESH_ERR_PROTOCOL : SESH_ERR_SYSTEM;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Sends the payload of b as one frame. */
static int
send_frame(int fd, const struct buf *b)
{
	uint8_t hdr[4];
	size_t n = buf_len(b);
	int ret;

	if (n > KI_MAX_FRAME) {
		return SESH_ERR_LIMIT;
	}
	hdr[0] = (uint8_t)(n >> 24);
	hdr[1] = (uint8_t)(n >> 16);
	hdr[2] = (uint8_t)(n >> 8);
	hdr[3] = (uint8_t)n;
	if ((ret = write_all(fd, hdr, 4)) != 0) {
		return ret;
	}
	return write_all(fd, buf_data(b), n);
}

/* Receives one frame into a fresh buffer *p (free with
 * mem_free_secret(*p, *n): answers are secrets). */
static int
recv_frame(int fd, uint8_t **p, size_t *n)
{
	uint8_t hdr[4], *d;
	size_t len;
	int ret;

	*p = NULL;
	*n = 0;
	if ((ret = read_all(fd, hdr, 4)) != 0) {
		return ret;
	}
	len = ((size_t)hdr[0] << 24) | ((size_t)hdr[1] << 16) |
	      ((size_t)hdr[2] << 8) | hdr[3];
	if (len == 0 || len > KI_MAX_FRAME) {
		return SESH_ERR_LIMIT;
	}
	if ((d = malloc(len)) == NULL) {
		return SESH_ERR_NOMEM;
	}
	if ((ret = read_all(fd, d, len)) != 0) {
		mem_free_secret(d, len);
		return ret;
	}
	*p = d;
	*n = len;
	return 0;
}

/* ---- the helper process ---- */

struct ki_child {
	int fd;
	struct buf info; /* PAM text not yet shown */
};

static void
free_responses(struct pam_response *r, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		mem_free_string_secret(r[i].resp);
	}
	free(r);
}

/* Reads the 'A' frame into the responses of the prompt messages. */
static int
child_read_answers(struct ki_child *k, int num_msg,
                   const struct pam_message **msg, size_t np,
                   struct pam_response *r)
{
	uint8_t *p = NULL;
	size_t n = 0;
	struct rd rd;
	uint8_t type;
	uint32_t na;
	int i, ret;

	if ((ret = recv_frame(k->fd, &p, &n)) != 0) {
		return ret;
	}
	rd_init(&rd, p, n);
	if ((ret = rd_u8(&rd, &type)) != 0 || (ret = rd_u32(&rd, &na)) != 0) {
		goto out;
	}
	if (type != 'A' || na != np) {
		ret = SESH_ERR_PROTOCOL;
		goto out;
	}
	for (i = 0; i < num_msg; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON) {
			continue;
		}
		if ((ret = rd_cstring(&rd, PAM_MAX_RESP_SIZE, &r[i].resp)) !=
		    0) {
			goto out;
		}
	}
	ret = rd_end(&rd);
out:
	mem_free_secret(p, n);
	return ret;
}

static int
child_conv(int num_msg, const struct pam_message **msg,
           struct pam_response **resp, void *appdata)
{
	struct ki_child *k = appdata;
	struct pam_response *r;
	struct buf b;
	size_t np = 0;
	int i, ret = 0;

	*resp = NULL;
	if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG) {
		return PAM_CONV_ERR;
	}
	if ((r = calloc((size_t)num_msg, sizeof(*r))) == NULL) {
		return PAM_BUF_ERR;
	}
	for (i = 0; i < num_msg; i++) {
		const char *m = msg[i]->msg != NULL ? msg[i]->msg : "";

		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			np++;
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			if (buf_len(&k->info) + strlen(m) + 1 <= KI_MAX_TEXT) {
				(void)buf_put(&k->info, m, strlen(m));
				(void)buf_put_u8(&k->info, '\n');
			}
			break;
		default:
			free(r);
			return PAM_CONV_ERR;
		}
	}
	if (np == 0) {
		*resp = r;
		return PAM_SUCCESS;
	}
	if (np > KI_MAX_PROMPTS) {
		free(r);
		return PAM_CONV_ERR;
	}
	buf_init(&b, KI_MAX_FRAME);
	if ((ret = buf_put_u8(&b, 'P')) != 0 ||
	    (ret = buf_put_string(&b, buf_data(&k->info), buf_len(&k->info))) !=
	        0 ||
	    (ret = buf_put_u32(&b, (uint32_t)np)) != 0) {
		goto out;
	}
	for (i = 0; i < num_msg && ret == 0; i++) {
		const char *m = msg[i]->msg != NULL ? msg[i]->msg : "";

		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON) {
			continue;
		}
		if ((ret = buf_put_bool(&b, msg[i]->msg_style ==
		                                PAM_PROMPT_ECHO_ON)) != 0 ||
		    (ret = buf_put_cstring(&b, m)) != 0) {
			goto out;
		}
	}
	buf_reset(&k->info);
	if ((ret = send_frame(k->fd, &b)) != 0 ||
	    (ret = child_read_answers(k, num_msg, msg, np, r)) != 0) {
		goto out;
	}
out:
	buf_clear(&b);
	if (ret != 0) {
		free_responses(r, num_msg);
		return PAM_CONV_ERR;
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* The helper's whole life; it never returns. */
static void
child_run(int fd, const struct servconf *c, const struct srv_user *u,
          const char *rhost)
{
	struct ki_child k;
	struct pam_conv conv = {child_conv, &k};
	pam_handle_t *h = NULL;
	struct buf b;
	int r = PAM_SYSTEM_ERR, flags = 0;

	k.fd = fd;
	buf_init(&k.info, KI_MAX_TEXT + 1);
	buf_init(&b, KI_MAX_FRAME);
	if (c->permit_empty_passwords != 1) {
		flags |= PAM_DISALLOW_NULL_AUTHTOK;
	}
	if (srvauth_pam_begin(c, u, rhost, NULL, &conv, &h) == 0) {
		r = pam_authenticate(h, flags);
		if (r == PAM_SUCCESS) {
			r = pam_acct_mgmt(h, flags);
		}
		if (r != PAM_SUCCESS) {
			log_debug("PAM: keyboard-interactive for %s failed: "
			          "%s",
			          u->name, pam_strerror(h, r));
		}
	}
	if (buf_put_u8(&b, 'R') == 0 &&
	    buf_put_bool(&b, r == PAM_SUCCESS) == 0 &&
	    buf_put_string(&b, buf_data(&k.info), buf_len(&k.info)) == 0) {
		(void)send_frame(fd, &b);
	}
	if (h != NULL) {
		pam_end(h, r);
	}
	buf_clear(&b);
	buf_clear(&k.info);
	close(fd);
	/* A forked helper must not run the parent's exit handlers. */
	_exit(r == PAM_SUCCESS ? 0 : 1);
}

/* ---- the parent side ---- */

static void
kill_helper(struct srvauth_kbdint *k)
{
	int st;

	if (k->fd >= 0) {
		close(k->fd);
		k->fd = -1;
	}
	if (k->pid > 0) {
		(void)kill(k->pid, SIGKILL);
		while (waitpid(k->pid, &st, 0) < 0 && errno == EINTR) {
		}
		k->pid = -1;
	}
	k->state = KI_DONE;
}

int
srvauth_kbdint_start(const struct servconf *c, const struct srv_user *u,
                     const char *rhost, struct srvauth_kbdint **out)
{
	struct srvauth_kbdint *k;
	int sv[2];
	pid_t pid;

	if (out != NULL) {
		*out = NULL;
	}
	if (c == NULL || u == NULL || u->name == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (c->use_pam != 1 || c->kbd_interactive_authentication == 0) {
		return SESH_ERR_UNSUPPORTED;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		return SESH_ERR_NOMEM;
	}
	k->usable =
	    u->valid && srvauth_root_allowed(c, u, SRVAUTH_KBDINT, false);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		free(k);
		return SESH_ERR_SYSTEM;
	}
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		free(k);
		return SESH_ERR_SYSTEM;
	}
	if (pid == 0) {
		close(sv[0]);
		child_run(sv[1], c, u, rhost);
	}
	close(sv[1]);
	k->pid = pid;
	k->fd = sv[0];
	k->state = KI_START;
	*out = k;
	return 0;
}

/* Parses a 'P' payload (after its type byte) into *p. */
static int
parse_prompts(struct rd *rd, struct srvauth_prompts *p, size_t *np)
{
	struct srvauth_prompts q = {0};
	uint32_t n, i;
	int ret;

	if ((ret = rd_cstring(rd, KI_MAX_TEXT, &q.instruction)) != 0 ||
	    (ret = rd_u32(rd, &n)) != 0) {
		goto out;
	}
	if (n == 0 || n > KI_MAX_PROMPTS) {
		ret = SESH_ERR_PROTOCOL;
		goto out;
	}
	if ((q.name = strdup("")) == NULL ||
	    (q.prompts = mem_array(n + 1, sizeof(char *))) == NULL ||
	    (q.echo = mem_array(n, sizeof(bool))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((ret = rd_bool(rd, &q.echo[i])) != 0 ||
		    (ret = rd_cstring(rd, KI_MAX_TEXT, &q.prompts[i])) != 0) {
			goto out;
		}
		q.n++;
	}
	if ((ret = rd_end(rd)) != 0) {
		goto out;
	}
	*p = q;
	memset(&q, 0, sizeof(q));
	*np = n;
out:
	srvauth_prompts_clear(&q);
	return ret;
}

/* Receives the helper's next frame and turns it into the outputs. */
static int
receive(struct srvauth_kbdint *k, struct srvauth_prompts *p, bool *done,
        bool *ok)
{
	struct srvauth_prompts q = {0};
	uint8_t *d = NULL, type;
	size_t n = 0;
	struct rd rd;
	bool rok;
	int ret, st;

	if ((ret = recv_frame(k->fd, &d, &n)) != 0) {
		goto out;
	}
	rd_init(&rd, d, n);
	if ((ret = rd_u8(&rd, &type)) != 0) {
		goto out;
	}
	if (type == 'P') {
		if ((ret = parse_prompts(&rd, p, &k->nprompts)) == 0) {
			k->state = KI_PROMPTED;
		}
		goto out;
	}
	if (type != 'R') {
		ret = SESH_ERR_PROTOCOL;
		goto out;
	}
	if ((ret = rd_bool(&rd, &rok)) != 0 ||
	    (ret = rd_cstring(&rd, KI_MAX_TEXT, &q.instruction)) != 0 ||
	    (ret = rd_end(&rd)) != 0) {
		goto out;
	}
	k->result_ok = rok && k->usable;
	close(k->fd);
	k->fd = -1;
	while (waitpid(k->pid, &st, 0) < 0 && errno == EINTR) {
	}
	k->pid = -1;
	if (q.instruction[0] != '\0') {
		/* Show PAM's last words before the outcome. */
		if ((q.name = strdup("")) == NULL ||
		    (q.prompts = mem_array(1, sizeof(char *))) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		*p = q;
		memset(&q, 0, sizeof(q));
		k->state = KI_RESULT;
		goto out;
	}
	k->state = KI_DONE;
	*done = true;
	*ok = k->result_ok;
out:
	srvauth_prompts_clear(&q);
	mem_free_secret(d, n);
	return ret;
}

int
srvauth_kbdint_next(struct srvauth_kbdint *k, const char *const *answers,
                    size_t n, struct srvauth_prompts *p, bool *done, bool *ok)
{
	struct buf b;
	size_t i;
	int ret = 0;

	if (p != NULL) {
		memset(p, 0, sizeof(*p));
	}
	if (done != NULL) {
		*done = false;
	}
	if (ok != NULL) {
		*ok = false;
	}
	if (k == NULL || p == NULL || done == NULL || ok == NULL ||
	    (n > 0 && answers == NULL)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	switch (k->state) {
	case KI_START:
		if (n != 0) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		break;
	case KI_PROMPTED:
		if (n != k->nprompts) {
			kill_helper(k);
			return SESH_ERR_PROTOCOL;
		}
		buf_init(&b, KI_MAX_FRAME);
		buf_set_secret(&b);
		if ((ret = buf_put_u8(&b, 'A')) == 0) {
			ret = buf_put_u32(&b, (uint32_t)n);
		}
		for (i = 0; i < n && ret == 0; i++) {
			ret = buf_put_cstring(
			    &b, answers[i] != NULL ? answers[i] : "");
		}
		if (ret == 0) {
			ret = send_frame(k->fd, &b);
		}
		buf_clear(&b);
		if (ret != 0) {
			kill_helper(k);
			return ret;
		}
		break;
	case KI_RESULT:
		if (n != 0) {
			kill_helper(k);
			return SESH_ERR_PROTOCOL;
		}
		k->state = KI_DONE;
		*done = true;
		*ok = k->result_ok;
		return 0;
	case KI_DONE:
	default:
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = receive(k, p, done, ok)) != 0) {
		srvauth_prompts_clear(p);
		*done = false;
		*ok = false;
		kill_helper(k);
	}
	return ret;
}

void
srvauth_kbdint_free(struct srvauth_kbdint *k)
{
	if (k == NULL) {
		return;
	}
	kill_helper(k);
	free(k);
}
