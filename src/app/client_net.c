/*
 * client_net.c - the client's transport stream: a TCP connection
 * (getaddrinfo with AddressFamily, each address in turn, ConnectTimeout
 * through a non-blocking connect and poll, TCP_NODELAY) or a
 * ProxyCommand run by /bin/sh -c with one end of a socketpair as its
 * standard input and output. Errors are printed in ssh's words.
 *
 * TCP_QUICKACK during the login: a server with Nagle still on (OpenSSH's
 * sshd sets TCP_NODELAY only when a session starts) holds a small packet
 * back while its previous one is unacknowledged, and Linux delays our
 * ACK by up to 40 ms when we have nothing to send, hoping to piggyback
 * it. Against sshd that cost about 40 ms per login (after
 * USERAUTH_SUCCESS). Quick-ACK mode answers at once, but the kernel
 * drops back to delayed ACKs by itself, so the flag is re-armed after
 * every read until the session is set up (client.c decides when);
 * bulk transfers then keep the kernel's normal ACK pacing.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/client_int.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

/* Connects fd to ai within timeout_ms (-1: none). 0 or an errno. */
static int
connect_one(int fd, const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd pf;
	int err = 0, r;
	socklen_t len = sizeof(err);
	uint64_t deadline = 0, now;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		return 0;
	}
	if (errno != EINPROGRESS && errno != EINTR) {
		return errno;
	}
	if (timeout_ms >= 0) {
		deadline = client_now_ms() + (uint64_t)timeout_ms;
	}
	for (;;) {
		int wait = -1;

		if (timeout_ms >= 0) {
			now = client_now_ms();
			if (now >= deadline) {
				return ETIMEDOUT;
			}
			wait = (int)(deadline - now);
		}
		pf.fd = fd;
		pf.events = POLLOUT;
		pf.revents = 0;
		r = poll(&pf, 1, wait);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return errno;
		}
		if (r == 0) {
			continue;
		}
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
		return errno;
	}
	return err;
}

static int
connect_tcp(struct client *cl)
{
	const struct client_opts *o = cl->o;
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16], ipbuf[NI_MAXHOST];
	int fd = -1, err = ECONNREFUSED, one = 1, ret, timeout_ms;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->address_family;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%u", cl->port);
	ret = getaddrinfo(cl->host, portstr, &hints, &res);
	if (ret != 0) {
		fprintf(stderr, "sesh: Could not resolve hostname %s: %s\r\n",
		        cl->host, gai_strerror(ret));
		return SESH_ERR_NOT_FOUND;
	}
	timeout_ms = o->connect_timeout > 0
	                 ? (int)(o->connect_timeout > 2000000u
	                             ? 2000000000u
	                             : o->connect_timeout * 1000u)
	                 : -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		            ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		            ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, ipbuf,
		                sizeof(ipbuf), NULL, 0, NI_NUMERICHOST) != 0) {
			ipbuf[0] = '\0';
		}
		log_debug("Connecting to %s [%s] port %u.", cl->host, ipbuf,
		          cl->port);
		err = connect_one(fd, ai, timeout_ms);
		if (err == 0) {
			break;
		}
		log_debug("connect to address %s port %u: %s", ipbuf, cl->port,
		          strerror(err));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "sesh: connect to host %s port %u: %s\r\n",
		        cl->host, cl->port, strerror(err));
		return SESH_ERR_SYSTEM;
	}
	log_debug("Connection established.");
	free(cl->ip);
	cl->ip = ipbuf[0] != '\0' ? mem_strdup(ipbuf) : NULL;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	cl->fd = fd;
	cl->quickack = true;
	client_net_quickack(cl);
	/* A server on this machine: its accept was just woken, often on
	 * this CPU, and would wait for the start-up work that follows
	 * (libcrypto's, the first key exchange's); it is the longer path,
	 * so it goes first. Elsewhere it costs one system call. */
	(void)sched_yield();
	return 0;
}

static int
connect_proxy(struct client *cl)
{
	int sv[2];
	pid_t pid;
	char *cmd = NULL;

	if (asprintf(&cmd, "exec %s", cl->o->proxy_command) < 0) {
		return SESH_ERR_NOMEM;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		fprintf(stderr, "sesh: socketpair: %s\r\n", strerror(errno));
		free(cmd);
		return SESH_ERR_SYSTEM;
	}
	log_debug("Executing proxy command: %s", cmd);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sesh: fork: %s\r\n", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		free(cmd);
		return SESH_ERR_SYSTEM;
	}
	if (pid == 0) {
		/* child: the socketpair end is its stdin and stdout */
		(void)signal(SIGPIPE, SIG_DFL);
		if (dup2(sv[1], STDIN_FILENO) < 0 ||
		    dup2(sv[1], STDOUT_FILENO) < 0) {
			_exit(1);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		fprintf(stderr, "sesh: exec /bin/sh: %s\n", strerror(errno));
		_exit(1);
	}
	free(cmd);
	close(sv[1]);
	(void)fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	cl->fd = sv[0];
	cl->proxy_pid = pid;
	cl->via_proxy = true;
	return 0;
}

int
client_net_connect(struct client *cl)
{
	const char *pc = cl->o->proxy_command;

	if (pc != NULL && *pc != '\0' && strcmp(pc, "none") != 0) {
		return connect_proxy(cl);
	}
	return connect_tcp(cl);
}

void
client_net_quickack(struct client *cl)
{
	int one = 1;

	if (!cl->quickack || cl->fd < 0) {
		return;
	}
	if (setsockopt(cl->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one)) !=
	    0) {
		cl->quickack = false; /* not TCP, or not Linux: stop trying */
	}
}

void
client_net_close(struct client *cl)
{
	int st;

	if (cl->fd >= 0) {
		close(cl->fd);
		cl->fd = -1;
	}
	if (cl->proxy_pid > 0) {
		/* ssh hangs the proxy up and reaps it */
		(void)kill(cl->proxy_pid, SIGHUP);
		while (waitpid(cl->proxy_pid, &st, 0) < 0 && errno == EINTR) {
		}
		cl->proxy_pid = 0;
	}
}
