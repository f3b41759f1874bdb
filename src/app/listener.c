/*
 * listener.c - seshd's listening sockets and accept loop (see
 * listener.h): bind/listen, MaxStartups random early drop, posix_spawn
 * per connection, reaping.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/listener.h"
#include "app/server.h"
#include "base/err.h"
#include "base/log.h"
#include "crypto/rand.h"

#define LISTEN_BACKLOG 128

void
listener_init(struct listener *l)
{
	memset(l, 0, sizeof(*l));
}

int
listener_sockname(int fd, bool peer, char *addr, size_t addrlen,
                  unsigned int *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char serv[16];
	int r;

	snprintf(addr, addrlen, "UNKNOWN");
	*port = 0;
	memset(&ss, 0, sizeof(ss));
	r = peer ? getpeername(fd, (struct sockaddr *)&ss, &sl)
	         : getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (r != 0) {
		return SESH_ERR_SYSTEM;
	}
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) {
		return 0;
	}
	if (getnameinfo((struct sockaddr *)&ss, sl, addr, (socklen_t)addrlen,
	                serv, sizeof(serv),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(addr, addrlen, "UNKNOWN");
		return SESH_ERR_SYSTEM;
	}
	/* IPv4-mapped IPv6 peers are shown as IPv4, as sshd does. */
	if (strncmp(addr, "::ffff:", 7) == 0 && strchr(addr + 7, ':') == NULL) {
		memmove(addr, addr + 7, strlen(addr + 7) + 1);
	}
	*port = (unsigned int)strtoul(serv, NULL, 10);
	return 0;
}

static int
open_one(struct listener *l, const struct addrinfo *ai)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	int fd, on = 1;

	if (l->nfds >= LISTENER_MAX_SOCKS) {
		log_error(
		    "Too many listen sockets. Enlarge LISTENER_MAX_SOCKS");
		return SESH_ERR_LIMIT;
	}
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), serv,
	                sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(host, sizeof(host), "?");
		snprintf(serv, sizeof(serv), "?");
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	            ai->ai_protocol);
	if (fd < 0) {
		log_verbose("socket: %s", strerror(errno));
		return SESH_ERR_SYSTEM;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ai->ai_family == AF_INET6) {
		/* Only v6 on v6 sockets: the v4 wildcard gets its own. */
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		                 sizeof(on));
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		log_error("Bind to port %s on %s failed: %s.", serv, host,
		          strerror(errno));
		close(fd);
		return SESH_ERR_SYSTEM;
	}
	if (listen(fd, LISTEN_BACKLOG) != 0) {
		log_error("listen on [%s]:%s: %s", host, serv, strerror(errno));
		close(fd);
		return SESH_ERR_SYSTEM;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		close(fd);
		return SESH_ERR_SYSTEM;
	}
	l->fds[l->nfds++] = fd;
	log_info("Server listening on %s port %s.", host, serv);
	return 0;
}

static int
open_addr(struct listener *l, const struct servconf *c, const char *addr,
          unsigned int port)
{
	struct addrinfo hints, *res = NULL, *ai;
	char serv[16];
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = c->address_family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = addr == NULL ? AI_PASSIVE : 0;
	snprintf(serv, sizeof(serv), "%u", port);
	r = getaddrinfo(addr, serv, &hints, &res);
	if (r != 0) {
		log_error("bad addr or host: %s (%s)",
		          addr != NULL ? addr : "<NULL>", gai_strerror(r));
		return SESH_ERR_SYSTEM;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) {
			continue;
		}
		(void)open_one(l, ai);
	}
	freeaddrinfo(res);
	return 0;
}

int
listener_open(struct listener *l, const struct servconf *c)
{
	size_t i, j;

	for (i = 0; i < c->nlisten; i++) {
		const struct servconf_listen *la = &c->listen[i];

		if (la->port != 0) {
			(void)open_addr(l, c, la->addr, la->port);
			continue;
		}
		for (j = 0; j < c->nports; j++) {
			(void)open_addr(l, c, la->addr, c->ports[j]);
		}
	}
	if (l->nfds == 0) {
		log_fatal("Cannot bind any address.");
		return SESH_ERR_SYSTEM;
	}
	return 0;
}

void
listener_close(struct listener *l)
{
	size_t i;

	for (i = 0; i < l->nfds; i++) {
		close(l->fds[i]);
	}
	l->nfds = 0;
}

void
listener_free(struct listener *l)
{
	size_t i;

	for (i = 0; i < l->nchildren; i++) {
		if (l->children[i].notify_fd >= 0) {
			close(l->children[i].notify_fd);
		}
	}
	free(l->children);
	l->children = NULL;
	penalty_table_free(l->penalty);
	l->penalty = NULL;
	l->nchildren = 0;
	l->unauth = 0;
}

/* The child stops counting as unauthenticated. */
static void
child_authed(struct listener *l, size_t i)
{
	if (l->children[i].notify_fd >= 0) {
		close(l->children[i].notify_fd);
		l->children[i].notify_fd = -1;
		if (l->unauth > 0) {
			l->unauth--;
		}
	}
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PerSourcePenalties: how an unauthenticated connection process ended
 * (exit status: enum server_end) decides its source's penalty. */
static void
penalise(struct listener *l, const struct listener_child *ch, int status)
{
	enum penalty_kind kind;
	enum penalty_outcome o;
	char a[64] = "?";
	int secs;

	if (ch->authed || ch->src.family == 0 || l->penalty == NULL) {
		return;
	}
	if (WIFSIGNALED(status)) {
		kind = PENALTY_CRASH;
	} else if (!WIFEXITED(status)) {
		return;
	} else {
		switch (WEXITSTATUS(status)) {
		case SERVER_END_OK:
			return;
		case SERVER_END_NO_AUTH:
		case SERVER_END_ERROR:
			kind = PENALTY_NOAUTH;
			break;
		case SERVER_END_AUTH_FAIL:
			kind = PENALTY_AUTHFAIL;
			break;
		case SERVER_END_INVALID_USER:
			kind = PENALTY_INVALIDUSER;
			break;
		case SERVER_END_GRACE:
			kind = PENALTY_GRACE;
			break;
		default:
			kind = PENALTY_CRASH;
			break;
		}
	}
	o = penalty_record(l->penalty, &ch->src, kind, now_ms(), &secs);
	if (o == PENALTY_IGNORED) {
		return;
	}
	(void)inet_ntop(ch->src.family == 4 ? AF_INET : AF_INET6, ch->src.a, a,
	                sizeof(a));
	if (o == PENALTY_OVERFLOWED) {
		log_info("penalty table full: refusing new sources of %s's "
		         "family until a penalty ends",
		         a);
	} else {
		log_verbose("%s: %s penalty of %d seconds for %s", a,
		            o == PENALTY_ACTIVE ? "active" : "deferred", secs,
		            penalty_kind_reason(kind));
	}
}

static void
reap(struct listener *l)
{
	pid_t pid;
	int status, idx;
	size_t i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) <= 5) {
			idx = WEXITSTATUS(status);
		} else {
			idx = 6;
		}
		l->ended[idx]++;
		if (WIFSIGNALED(status)) {
			log_debug("connection process %ld killed by signal %d",
			          (long)pid, WTERMSIG(status));
		} else {
			log_debug("connection process %ld exited with status "
			          "%d",
			          (long)pid,
			          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		for (i = 0; i < l->nchildren; i++) {
			if (l->children[i].pid == pid) {
				penalise(l, &l->children[i], status);
				child_authed(l, i);
				l->children[i] = l->children[--l->nchildren];
				break;
			}
		}
	}
}

/* sshd's random early drop: p% = rate + (100 - rate) * (n - begin) /
 * (full - begin) once n >= begin; always at n >= full. */
static bool
should_drop(const struct listener *l, const struct servconf *c)
{
	long n = (long)l->unauth, begin = c->max_startups_begin,
	     full = c->max_startups_full, rate = c->max_startups_rate, p;
	uint32_t r;

	if (n < begin) {
		return false;
	}
	if (n >= full) {
		return true;
	}
	p = 100 - rate;
	p *= n - begin;
	p /= full - begin;
	p += rate;
	if (rand_uniform(100, &r) != 0) {
		return true;
	}
	return (long)r < p;
}

/*
 * Starts `exe argv` (the connection process, seshd -R) with the
 * connection on LISTENER_CONN_FD, the pipe on LISTENER_NOTIFY_FD,
 * nothing else above stderr and the listener's signal mask from before
 * accept. posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK)) rather than
 * fork + exec: the listener's page tables are not copied for a process
 * that execs at once. The child runs nothing of ours before the exec;
 * signal handlers become SIG_DFL, ignored signals stay ignored, as with
 * execve. Returns the pid, or -1 with errno set (the exec's error too).
 */
static pid_t
spawn_conn(int conn, int pipew, const char *exe, char *const *argv,
           const sigset_t *omask)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	pid_t pid = -1;
	int c2, p2, err;

	/* above the targets, so that one dup2 cannot clobber the other's
	 * source (both CLOEXEC; dup2's copies are not) */
	c2 = fcntl(conn, F_DUPFD_CLOEXEC, 10);
	p2 = fcntl(pipew, F_DUPFD_CLOEXEC, 10);
	if (c2 < 0 || p2 < 0) {
		err = errno;
		goto out;
	}
	if ((err = posix_spawn_file_actions_init(&fa)) != 0) {
		goto out;
	}
	if ((err = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto out;
	}
	if ((err = posix_spawn_file_actions_adddup2(&fa, c2,
	                                            LISTENER_CONN_FD)) != 0 ||
	    (err = posix_spawn_file_actions_adddup2(&fa, p2,
	                                            LISTENER_NOTIFY_FD)) != 0 ||
	    (err = posix_spawn_file_actions_addclosefrom_np(
	         &fa, LISTENER_NOTIFY_FD + 1)) != 0 ||
	    (err = posix_spawnattr_setsigmask(&at, omask)) != 0 ||
	    (err = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK)) !=
	        0 ||
	    (err = posix_spawn(&pid, exe, &fa, &at, argv, environ)) != 0) {
		pid = -1;
	}
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
out:
	if (c2 >= 0) {
		close(c2);
	}
	if (p2 >= 0) {
		close(p2);
	}
	if (pid < 0) {
		errno = err;
	}
	return pid;
}

/*
 * Why a connection from src must be dropped at once ("penalty: failed
 * authentication", "past PerSourceMaxStartups"), or NULL. Penalties
 * first, as sshd does.
 */
static const char *
source_refused(struct listener *l, const struct servconf *c,
               const struct penalty_addr *src)
{
	static char buf[96];
	const char *reason;
	size_t i, n = 0;

	if (src->family == 0) {
		return NULL;
	}
	if (!penalty_check(l->penalty, src, now_ms(), &reason)) {
		snprintf(buf, sizeof(buf), "penalty: %s", reason);
		return buf;
	}
	if (c->per_source_max_startups <= 0) {
		return NULL;
	}
	for (i = 0; i < l->nchildren; i++) {
		if (l->children[i].notify_fd >= 0 &&
		    penalty_same_block(&l->children[i].src, src,
		                       (unsigned int)c->per_source_netblock4,
		                       (unsigned int)c->per_source_netblock6)) {
			n++;
		}
	}
	return n >= (size_t)c->per_source_max_startups
	           ? "past PerSourceMaxStartups"
	           : NULL;
}

static void
handle_accept(struct listener *l, const struct servconf *c, int lfd,
              const char *exe, char *const *argv, const sigset_t *omask)
{
	struct listener_child *nc;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct penalty_addr src;
	char raddr[64], laddr[64];
	unsigned int rport, lport;
	int fd, pfd[2], on = 1;
	const char *why;
	pid_t pid;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED) {
			log_error("accept: %s", strerror(errno));
		}
		return;
	}
	l->nconn++;
	(void)listener_sockname(fd, true, raddr, sizeof(raddr), &rport);
	if (penalty_addr_from_sockaddr((struct sockaddr *)&ss, sl, &src) != 0) {
		memset(&src, 0, sizeof(src));
	}
	if ((why = source_refused(l, c, &src)) != NULL) {
		static const char msg[] = "Not allowed at this time\r\n";

		(void)listener_sockname(fd, false, laddr, sizeof(laddr),
		                        &lport);
		log_info("drop connection #%zu from [%s]:%u on [%s]:%u %s",
		         l->unauth, raddr, rport, laddr, lport, why);
		(void)send(fd, msg, sizeof(msg) - 1,
		           MSG_DONTWAIT | MSG_NOSIGNAL);
		close(fd);
		return;
	}
	if (should_drop(l, c)) {
		(void)listener_sockname(fd, false, laddr, sizeof(laddr),
		                        &lport);
		log_info("drop connection #%zu from [%s]:%u on [%s]:%u past "
		         "MaxStartups",
		         l->unauth, raddr, rport, laddr, lport);
		close(fd);
		return;
	}
	if (c->tcp_keep_alive) {
		(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	}
	nc = realloc(l->children, (l->nchildren + 1) * sizeof(*nc));
	if (nc == NULL) {
		close(fd);
		return;
	}
	l->children = nc;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pfd) != 0) {
		log_error("socketpair: %s", strerror(errno));
		close(fd);
		return;
	}
	pid = spawn_conn(fd, pfd[1], exe, argv, omask);
	if (pid < 0) {
		log_error("exec %s: %s", exe, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		close(fd);
		return;
	}
	close(pfd[1]);
	close(fd);
	memset(&nc[l->nchildren], 0, sizeof(nc[0]));
	nc[l->nchildren].pid = pid;
	nc[l->nchildren].notify_fd = pfd[0];
	nc[l->nchildren].src = src;
	l->nchildren++;
	l->unauth++;
	log_debug("Forked child %ld for connection from %s port %u.", (long)pid,
	          raddr, rport);
}

/*
 * Forks the process that carries child i's authenticated connection on
 * (listener.h resume). It is the listener's child too: reaped like the
 * others, never an unauthenticated startup.
 */
static void
take_over(struct listener *l, size_t i, const sigset_t *omask)
{
	struct listener_child *nc;
	int hfd = l->children[i].notify_fd, sig;
	size_t k;
	pid_t pid;

	nc = realloc(l->children, (l->nchildren + 1) * sizeof(*nc));
	if (nc == NULL) {
		return; /* the connection process carries on by itself */
	}
	l->children = nc;
	pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		for (k = 0; k < l->nfds; k++) {
			close(l->fds[k]);
		}
		for (k = 0; k < l->nchildren; k++) {
			if (k != i && l->children[k].notify_fd >= 0) {
				close(l->children[k].notify_fd);
			}
		}
		for (sig = 1; sig < NSIG; sig++) {
			if (sig != SIGKILL && sig != SIGSTOP &&
			    sig != SIGPIPE) {
				(void)signal(sig, SIG_DFL);
			}
		}
		(void)sigprocmask(SIG_SETMASK, omask, NULL);
		_exit(l->resume(l->resume_arg, hfd) & 0xff);
	}
	memset(&nc[l->nchildren], 0, sizeof(nc[0])); /* no penalties */
	nc[l->nchildren].pid = pid;
	nc[l->nchildren].notify_fd = -1;
	nc[l->nchildren].authed = true;
	l->nchildren++;
	log_debug("Forked child %ld to carry connection process %ld's "
	          "session on.",
	          (long)pid, (long)l->children[i].pid);
}

/* The PerSourcePenalties table, with a random hash seed. */
static int
penalty_new(struct listener *l, const struct servconf *c)
{
	uint64_t seed = 0;

	(void)rand_bytes(&seed, sizeof(seed));
	return penalty_table_new(&c->penalty, c->per_source_penalty_exempt,
	                         (unsigned int)c->per_source_netblock4,
	                         (unsigned int)c->per_source_netblock6, seed,
	                         &l->penalty);
}

static int
block_signals(sigset_t *omask)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	return sigprocmask(SIG_BLOCK, &set, omask) == 0 ? 0 : SESH_ERR_SYSTEM;
}

int
listener_run(struct listener *l, const struct servconf *c, const char *exe,
             char *const *argv, struct listener_sig *sig)
{
	struct pollfd *pfds = NULL;
	sigset_t omask;
	size_t i, n, cap = 0;
	int ret = 0, r;
	char b;

	if (block_signals(&omask) != 0) {
		return SESH_ERR_SYSTEM;
	}
	if (l->penalty == NULL && penalty_new(l, c) != 0) {
		(void)sigprocmask(SIG_SETMASK, &omask, NULL);
		return SESH_ERR_NOMEM;
	}
	for (;;) {
		if (sig->chld) {
			sig->chld = 0;
			reap(l);
		}
		if (sig->term) {
			ret = LISTENER_STOP_TERM;
			break;
		}
		if (sig->hup) {
			ret = LISTENER_STOP_HUP;
			break;
		}
		n = l->nfds + l->nchildren;
		if (n > cap) {
			struct pollfd *np = realloc(pfds, n * sizeof(*np));

			if (np == NULL) {
				ret = SESH_ERR_NOMEM;
				break;
			}
			pfds = np;
			cap = n;
		}
		for (i = 0; i < l->nfds; i++) {
			pfds[i].fd = l->fds[i];
			pfds[i].events = POLLIN;
			pfds[i].revents = 0;
		}
		for (i = 0; i < l->nchildren; i++) {
			pfds[l->nfds + i].fd = l->children[i].notify_fd;
			pfds[l->nfds + i].events = POLLIN;
			pfds[l->nfds + i].revents = 0;
		}
		r = ppoll(pfds, n, NULL, &omask);
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			log_error("poll: %s", strerror(errno));
			ret = SESH_ERR_SYSTEM;
			break;
		}
		/* Authentication notices first: they free startup slots.
		 * (take_over may add children: only the polled ones.) */
		for (i = 0; i < n - l->nfds; i++) {
			struct pollfd *pf = &pfds[l->nfds + i];

			if (pf->fd < 0 || pf->revents == 0 ||
			    l->children[i].notify_fd != pf->fd) {
				continue;
			}
			/* A byte (authenticated) or EOF (gone): either way
			 * no longer an unauthenticated startup. 'H': the
			 * connection moves to a process forked here. */
			b = 0;
			if (read(pf->fd, &b, 1) == 1) {
				l->children[i].authed = true;
			}
			if (b == 'H' && l->resume != NULL) {
				take_over(l, i, &omask);
			}
			child_authed(l, i);
		}
		for (i = 0; i < l->nfds; i++) {
			if (pfds[i].revents & POLLIN) {
				handle_accept(l, c, l->fds[i], exe, argv,
				              &omask);
			}
		}
	}
	free(pfds);
	(void)sigprocmask(SIG_SETMASK, &omask, NULL);
	return ret;
}

int
listener_accept_one(struct listener *l, struct listener_sig *sig, int *fd)
{
	struct pollfd pfds[LISTENER_MAX_SOCKS];
	sigset_t omask;
	size_t i;
	int r, ret = SESH_ERR_SYSTEM;

	if (block_signals(&omask) != 0) {
		return SESH_ERR_SYSTEM;
	}
	for (;;) {
		if (sig->term || sig->hup) {
			ret = LISTENER_STOP_TERM;
			break;
		}
		for (i = 0; i < l->nfds; i++) {
			pfds[i].fd = l->fds[i];
			pfds[i].events = POLLIN;
			pfds[i].revents = 0;
		}
		r = ppoll(pfds, l->nfds, NULL, &omask);
		if (r < 0 && errno != EINTR) {
			break;
		}
		for (i = 0; r > 0 && i < l->nfds; i++) {
			if (!(pfds[i].revents & POLLIN)) {
				continue;
			}
			r = accept4(l->fds[i], NULL, NULL, SOCK_CLOEXEC);
			if (r >= 0) {
				*fd = r;
				ret = 0;
				goto out;
			}
		}
	}
out:
	(void)sigprocmask(SIG_SETMASK, &omask, NULL);
	return ret;
}
