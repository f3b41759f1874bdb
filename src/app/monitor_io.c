/*
 * monitor_io.c - blocking transport of monitor frames (monitor.h) over
 * a SOCK_STREAM socketpair: whole writes with sendmsg, frame reads with
 * recvmsg (the two socket calls the sandbox allows), the length field
 * bounded before anything is allocated.
 */
#include "app/monitor.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "base/err.h"

int
monitor_send(int fd, const uint8_t *p, size_t n)
{
	struct msghdr mh;
	struct iovec iov;
	ssize_t w;

	while (n > 0) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = (void *)p;
		iov.iov_len = n;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
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

/* Reads exactly n bytes; *got says how many came before EOF/error. */
static int
recv_all(int fd, uint8_t *p, size_t n, size_t *got)
{
	struct msghdr mh;
	struct iovec iov;
	ssize_t r;

	*got = 0;
	while (*got < n) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = p + *got;
		iov.iov_len = n - *got;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		r = recvmsg(fd, &mh, 0);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return SESH_ERR_SYSTEM;
		}
		if (r == 0) {
			return SESH_ERR_TRUNCATED;
		}
		*got += (size_t)r;
	}
	return 0;
}

int
monitor_recv(int fd, size_t max, struct buf *out)
{
	uint8_t *p;
	uint32_t len;
	size_t got;
	int ret;

	buf_set_secret(out);
	buf_reset(out);
	if (max == 0 || max > MONITOR_MAX_MSG) {
		max = MONITOR_MAX_MSG;
	}
	if ((ret = buf_reserve(out, 4, &p)) != 0) {
		return ret;
	}
	if ((ret = recv_all(fd, p, 4, &got)) != 0) {
		buf_reset(out);
		return ret == SESH_ERR_TRUNCATED && got == 0
		           ? SESH_ERR_NOT_FOUND
		           : ret;
	}
	len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	      (uint32_t)p[2] << 8 | (uint32_t)p[3];
	if (len == 0 || len > max) {
		buf_reset(out);
		return SESH_ERR_LIMIT;
	}
	if ((ret = buf_reserve(out, len, &p)) != 0 ||
	    (ret = recv_all(fd, p, len, &got)) != 0) {
		buf_reset(out);
		return ret;
	}
	return 0;
}

int
monitor_call(int fd, const struct monitor_msg *req, struct buf *scratch,
             struct monitor_msg *ans)
{
	int ret;

	memset(ans, 0, sizeof(*ans));
	buf_set_secret(scratch);
	buf_reset(scratch);
	if ((ret = monitor_msg_build(req, scratch)) != 0 ||
	    (ret = monitor_send(fd, buf_data(scratch), buf_len(scratch))) !=
	        0) {
		buf_reset(scratch);
		return ret;
	}
	buf_reset(scratch);
	if (!monitor_expects_answer(req->type)) {
		return 0;
	}
	if ((ret = monitor_recv(fd, 0, scratch)) != 0 ||
	    (ret = monitor_msg_parse(buf_data(scratch), buf_len(scratch),
	                             ans)) != 0) {
		return ret;
	}
	if (!monitor_answer_matches(req->type, ans->type)) {
		memset(ans, 0, sizeof(*ans));
		return SESH_ERR_PROTOCOL;
	}
	return 0;
}
