/*
 * server_handover.c - moving an authenticated connection out of the
 * re-executed connection process (seshd -R) into a process the listener
 * forks for it, so the long-lived part of a session does not carry the
 * per-exec cost of a fresh image (libcrypto's relocated tables, its
 * heap): see docs/architecture.md, "Server processes".
 *
 * Over the LISTENER_NOTIFY_FD socketpair (SOCK_STREAM, both ends ours):
 *	-R       -> listener  'H'  (the listener forks P, which keeps the
 *	                             other end of this socket)
 *	P        -> -R        'G'
 *	-R       -> P         uint32 length, with the client socket as
 *	                      SCM_RIGHTS, then that many bytes: the
 *	                      handover message (app/handover.h)
 * The -R process then ends; P rebuilds the connection (conn_import) and
 * goes on as the connection process would have after authentication.
 * Every wait is bounded (HANDOVER_TIMEOUT_MS).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/handover.h"
#include "app/server_int.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

#define HANDOVER_TIMEOUT_MS 30000

/* Waits until fd is readable (or writable); false on timeout/error. */
static bool
wait_fd(int fd, short ev)
{
	struct pollfd p;
	int r;

	p.fd = fd;
	p.events = ev;
	p.revents = 0;
	do {
		r = poll(&p, 1, HANDOVER_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	return r == 1 && (p.revents & (ev | POLLHUP | POLLERR)) != 0;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if (!wait_fd(fd, POLLOUT)) {
			return SESH_ERR_SYSTEM;
		}
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK) {
				continue;
			}
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
	ssize_t r;

	while (n > 0) {
		if (!wait_fd(fd, POLLIN)) {
			return SESH_ERR_SYSTEM;
		}
		r = recv(fd, p, n, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK) {
				continue;
			}
			return SESH_ERR_SYSTEM;
		}
		if (r == 0) {
			return SESH_ERR_TRUNCATED;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

bool
server_handover_possible(const struct server *s)
{
	return s->handover_fd >= 0 && conn_can_export(s->c);
}

int
server_handover_deliver(int fd, int sock, const struct handover_info *hi)
{
	struct buf msg;
	struct msghdr mh;
	struct iovec iov;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct cmsghdr *c;
	uint8_t hdr[4];
	char go = 0;
	ssize_t w;
	int ret;

	buf_init(&msg, HANDOVER_MAX);
	buf_set_secret(&msg);
	if ((ret = handover_info_build(hi, &msg)) != 0) {
		goto out;
	}
	/* nothing sent yet: the caller may carry the connection on */
	ret = SESH_ERR_UNSUPPORTED;
	if (write_all(fd, (const uint8_t *)"H", 1) != 0 ||
	    read_all(fd, (uint8_t *)&go, 1) != 0 || go != 'G') {
		log_verbose("handover of %s's connection: the listener did "
		            "not take it",
		            hi->user);
		goto out;
	}
	ret = SESH_ERR_SYSTEM;
	hdr[0] = (uint8_t)(buf_len(&msg) >> 24);
	hdr[1] = (uint8_t)(buf_len(&msg) >> 16);
	hdr[2] = (uint8_t)(buf_len(&msg) >> 8);
	hdr[3] = (uint8_t)buf_len(&msg);
	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = hdr;
	iov.iov_len = sizeof(hdr);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &sock, sizeof(int));
	if (!wait_fd(fd, POLLOUT)) {
		goto out;
	}
	do {
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
	} while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(hdr) ||
	    write_all(fd, buf_data(&msg), buf_len(&msg)) != 0) {
		goto out;
	}
	ret = 0;
out:
	buf_clear(&msg);
	return ret;
}

int
server_handover_send(struct server *s)
{
	struct handover_info hi;
	struct buf state;
	int ret;

	buf_init(&state, HANDOVER_MAX_STATE);
	buf_set_secret(&state);
	if ((ret = conn_export(s->c, &state)) == 0) {
		memset(&hi, 0, sizeof(hi));
		hi.user = s->user.name;
		hi.method = s->auth_method != NULL ? s->auth_method : "none";
		hi.quickack_left = s->quickack_left;
		transport_session_id(conn_transport(s->c), &hi.session_id,
		                     &hi.session_id_len);
		hi.have_keyopts = s->have_keyopts;
		if (s->have_keyopts) {
			hi.keyopts = s->keyopts;
		}
		hi.state = buf_data(&state);
		hi.state_len = buf_len(&state);
		ret = server_handover_deliver(s->handover_fd, s->rfd, &hi);
	}
	buf_clear(&state);
	return ret;
}

int
server_handover_recv(int fd, int *sock, uint8_t **msg, size_t *len)
{
	struct msghdr mh;
	struct iovec iov;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct cmsghdr *c;
	uint8_t hdr[4];
	uint8_t *p = NULL;
	size_t n;
	ssize_t r;
	int got = -1, ret;

	*sock = -1;
	*msg = NULL;
	*len = 0;
	if ((ret = write_all(fd, (const uint8_t *)"G", 1)) != 0) {
		return ret;
	}
	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = hdr;
	iov.iov_len = sizeof(hdr);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	if (!wait_fd(fd, POLLIN)) {
		return SESH_ERR_SYSTEM;
	}
	do {
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	for (c = CMSG_FIRSTHDR(&mh); r > 0 && c != NULL;
	     c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int))) {
			memcpy(&got, CMSG_DATA(c), sizeof(int));
		}
	}
	if (r <= 0 || got < 0 || (mh.msg_flags & MSG_CTRUNC) != 0) {
		if (got >= 0) {
			close(got);
		}
		return SESH_ERR_SYSTEM;
	}
	if (r < (ssize_t)sizeof(hdr) &&
	    read_all(fd, hdr + r, sizeof(hdr) - (size_t)r) != 0) {
		close(got);
		return SESH_ERR_TRUNCATED;
	}
	n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 |
	    (size_t)hdr[3];
	if (n == 0 || n > HANDOVER_MAX || (p = malloc(n)) == NULL) {
		close(got);
		return n == 0 || n > HANDOVER_MAX ? SESH_ERR_LIMIT
		                                  : SESH_ERR_NOMEM;
	}
	if ((ret = read_all(fd, p, n)) != 0) {
		mem_free_secret(p, n);
		close(got);
		return ret;
	}
	*sock = got;
	*msg = p;
	*len = n;
	return 0;
}
