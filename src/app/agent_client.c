/*
 * agent_client.c - blocking ssh-agent client over a unix socket
 * (contract in agent_client.h; messages built and parsed by
 * src/ssh/agent.h). Each request is written whole with send(MSG_NOSIGNAL)
 * and its answer read whole, waiting with poll() against a deadline of
 * AGENT_CLIENT_TIMEOUT_MS per round trip (long enough for an agent that
 * asks the user to confirm a signature). A round trip that fails midway
 * closes the socket, so that later calls fail (SESH_ERR_SYSTEM) instead
 * of reading a stale answer.
 */
#include "app/agent_client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"
#include "ssh/agent.h"

#define AGENT_CLIENT_TIMEOUT_MS 120000

struct agent_conn {
	int fd;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Waits for events on fd until the deadline; 0 or SESH_ERR_SYSTEM. */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd;
	uint64_t now;
	int r;

	for (;;) {
		now = now_ms();
		if (now >= deadline) {
			return SESH_ERR_SYSTEM;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r > 0) {
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			return SESH_ERR_SYSTEM;
		}
	}
}

static int
write_all(int fd, const uint8_t *p, size_t n, uint64_t deadline)
{
	ssize_t w;
	int ret;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			p += (size_t)w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((ret = wait_fd(fd, POLLOUT, deadline)) != 0) {
				return ret;
			}
			continue;
		}
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

static int
read_all(int fd, uint8_t *p, size_t n, uint64_t deadline)
{
	ssize_t r;
	int ret;

	while (n > 0) {
		r = recv(fd, p, n, MSG_DONTWAIT);
		if (r > 0) {
			p += (size_t)r;
			n -= (size_t)r;
			continue;
		}
		if (r == 0) {
			return SESH_ERR_TRUNCATED; /* agent closed */
		}
		if (errno == EINTR) {
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if ((ret = wait_fd(fd, POLLIN, deadline)) != 0) {
				return ret;
			}
			continue;
		}
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

/* Sends one framed request and reads one answer (without its length
 * prefix) into *ans (heap, free()), *ans_len. */
static int
round_trip(struct agent_conn *a, const struct buf *req, uint8_t **ans,
           size_t *ans_len)
{
	uint64_t deadline = now_ms() + AGENT_CLIENT_TIMEOUT_MS;
	uint8_t hdr[4], *p = NULL;
	size_t len;
	int ret;

	*ans = NULL;
	*ans_len = 0;
	if (a->fd < 0) {
		/* an earlier round trip broke off: the stream is lost */
		return SESH_ERR_SYSTEM;
	}
	if ((ret = write_all(a->fd, buf_data(req), buf_len(req), deadline)) !=
	        0 ||
	    (ret = read_all(a->fd, hdr, sizeof(hdr), deadline)) != 0 ||
	    (ret = agent_frame_len(hdr, sizeof(hdr), &len)) != 0) {
		goto out;
	}
	if ((p = malloc(len)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((ret = read_all(a->fd, p, len, deadline)) != 0) {
		goto out;
	}
	*ans = p;
	*ans_len = len;
	p = NULL;
out:
	if (ret != 0) {
		/* Part of a message may be in flight either way: never
		 * take a later answer for this one's. */
		(void)close(a->fd);
		a->fd = -1;
	}
	free(p);
	return ret;
}

int
agent_client_open(const char *sock_path, struct agent_conn **out)
{
	struct sockaddr_un addr;
	struct agent_conn *a = NULL;
	int fd = -1, ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (sock_path == NULL) {
		sock_path = getenv("SSH_AUTH_SOCK");
	}
	if (sock_path == NULL || sock_path[0] == '\0') {
		return SESH_ERR_NOT_FOUND;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof(addr.sun_path)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memcpy(addr.sun_path, sock_path, strlen(sock_path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		ret = SESH_ERR_SYSTEM;
		goto out;
	}
	while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		if (errno == EINTR) {
			continue;
		}
		ret = (errno == ENOENT || errno == ECONNREFUSED ||
		       errno == ENOTDIR)
		          ? SESH_ERR_NOT_FOUND
		          : SESH_ERR_SYSTEM;
		goto out;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	a->fd = fd;
	fd = -1;
	*out = a;
	ret = 0;
out:
	if (fd >= 0) {
		(void)close(fd);
	}
	return ret;
}

void
agent_client_close(struct agent_conn *a)
{
	if (a == NULL) {
		return;
	}
	if (a->fd >= 0) {
		(void)close(a->fd);
	}
	free(a);
}

void
agent_identities_free(struct agent_identity *ids, size_t n)
{
	size_t i;

	if (ids == NULL) {
		return;
	}
	for (i = 0; i < n; i++) {
		key_free(ids[i].key);
		free(ids[i].comment);
	}
	free(ids);
}

int
agent_client_list(struct agent_conn *a, struct agent_identity **ids, size_t *n)
{
	struct agent_id_view *v = NULL;
	struct agent_identity *res = NULL;
	struct buf req;
	uint8_t *ans = NULL;
	size_t ans_len = 0, nv = 0, i, got = 0;
	struct sshkey *k;
	int ret;

	buf_init(&req, 0);
	if (ids != NULL) {
		*ids = NULL;
	}
	if (n != NULL) {
		*n = 0;
	}
	if (a == NULL || ids == NULL || n == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if ((ret = agent_build_request_identities(&req)) != 0 ||
	    (ret = round_trip(a, &req, &ans, &ans_len)) != 0 ||
	    (ret = agent_parse_identities(ans, ans_len, &v, &nv)) != 0) {
		goto out;
	}
	if (nv > 0 && (res = mem_array(nv, sizeof(*res))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < nv; i++) {
		k = NULL;
		/* Keys we cannot use (certificates, DSA, sk-*) are skipped. */
		if (key_from_blob(v[i].blob, v[i].blob_len, &k) != 0) {
			continue;
		}
		res[got].key = k;
		if ((res[got].comment = malloc(v[i].comment_len + 1)) == NULL) {
			got++;
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		if (v[i].comment_len > 0) {
			memcpy(res[got].comment, v[i].comment,
			       v[i].comment_len);
		}
		res[got].comment[v[i].comment_len] = '\0';
		got++;
	}
	if (got == 0) {
		free(res);
		res = NULL;
	}
	*ids = res;
	*n = got;
	res = NULL;
	ret = 0;
out:
	agent_identities_free(res, got);
	free(v);
	free(ans);
	buf_clear(&req);
	return ret;
}

/* The algorithm name at the start of a signature blob equals alg. */
static int
check_sig_alg(const uint8_t *sig, size_t n, const char *alg)
{
	struct rd r;
	const uint8_t *name;
	size_t nl;
	int ret;

	rd_init(&r, sig, n);
	if ((ret = rd_string_max(&r, 64, &name, &nl)) != 0) {
		return ret;
	}
	if (nl != strlen(alg) || memcmp(name, alg, nl) != 0) {
		return SESH_ERR_SIG_ALG_MISMATCH;
	}
	return 0;
}

int
agent_client_sign(struct agent_conn *a, const struct sshkey *key,
                  const char *alg, const uint8_t *data, size_t n,
                  struct buf *sig_out)
{
	struct buf blob, req;
	uint8_t *ans = NULL;
	const uint8_t *sig;
	size_t ans_len = 0, sig_len;
	int ret;

	buf_init(&blob, 0);
	buf_init(&req, 0);
	if (a == NULL || key == NULL || (data == NULL && n > 0) ||
	    sig_out == NULL) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (alg == NULL) {
		alg = key->type == KEY_RSA ? "rsa-sha2-512"
		                           : key_type_name(key->type);
	}
	if (alg == NULL ||
	    (key->type == KEY_RSA && agent_sign_flags(alg) == 0)) {
		/* ssh-rsa (SHA-1) signatures are not asked for. */
		ret = SESH_ERR_SIG_ALG_MISMATCH;
		goto out;
	}
	if ((ret = key_to_blob(key, &blob)) != 0 ||
	    (ret = agent_build_sign_request(buf_data(&blob), buf_len(&blob),
	                                    data, n, agent_sign_flags(alg),
	                                    &req)) != 0 ||
	    (ret = round_trip(a, &req, &ans, &ans_len)) != 0 ||
	    (ret = agent_parse_sign_response(ans, ans_len, &sig, &sig_len)) !=
	        0 ||
	    (ret = check_sig_alg(sig, sig_len, alg)) != 0) {
		goto out;
	}
	ret = buf_put(sig_out, sig, sig_len);
out:
	free(ans);
	buf_clear(&blob);
	buf_clear(&req);
	return ret;
}
