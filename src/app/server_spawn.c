/*
 * server_spawn.c - starting a seshd session's process (see server_int.h):
 * the command that runs (ForceCommand, then authorized_keys command=,
 * with SSH_ORIGINAL_COMMAND; else the client's command, or the login
 * shell), its environment (sshd's variables, then PAM's, the accepted
 * env requests and, with PermitUserEnvironment, authorized_keys
 * environment=), the text a login shell on a pty is greeted with
 * (PrintLastLog, PrintMotd, unless ~/.hushlogin) and the utmp login
 * record through the privileged parent.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/server_int.h"
#include "base/err.h"
#include "base/log.h"

#define SRV_MAX_MOTD 16384u

/* The text to show before a login shell: PrintLastLog, PrintMotd. */
static void
login_text(struct server *s, struct srv_sess *ss)
{
	char path[1024], *last = NULL, *out;
	char motd[SRV_MAX_MOTD];
	size_t mlen = 0, i, n = 0, cap;
	struct stat st;
	ssize_t r;
	int fd;

	(void)snprintf(path, sizeof(path), "%s/.hushlogin",
	               s->user.home != NULL ? s->user.home : "/");
	if (stat(path, &st) == 0) {
		return;
	}
	if (s->conf->print_last_log != 0) {
		(void)session_lastlog(s->user.uid, ss->pty.name, s->ctx->raddr,
		                      false, &last);
	}
	if (s->conf->print_motd != 0) {
		fd = open("/etc/motd", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			while (mlen < sizeof(motd)) {
				r = read(fd, motd + mlen, sizeof(motd) - mlen);
				if (r <= 0) {
					break;
				}
				mlen += (size_t)r;
			}
			close(fd);
		}
	}
	cap = 2 * (mlen + (last != NULL ? strlen(last) : 0)) + 4;
	out = malloc(cap);
	if (out == NULL) {
		free(last);
		return;
	}
	/* the terminal is raw on the client's side: LF becomes CR LF */
	if (last != NULL) {
		for (i = 0; last[i] != '\0'; i++) {
			if (last[i] == '\n') {
				out[n++] = '\r';
			}
			out[n++] = last[i];
		}
		if (n > 0 && out[n - 1] != '\n') {
			out[n++] = '\r';
			out[n++] = '\n';
		}
	}
	for (i = 0; i < mlen; i++) {
		if (motd[i] == '\n' && (i == 0 || motd[i - 1] != '\r')) {
			out[n++] = '\r';
		}
		out[n++] = motd[i];
	}
	free(last);
	if (n == 0) {
		free(out);
		return;
	}
	ss->pre = (uint8_t *)out;
	ss->pre_len = n;
	ss->pre_off = 0;
}

bool
server_sess_start(struct server *s, struct srv_sess *ss, const char *cmd,
                  const char *what)
{
	struct session_env_info info;
	struct session_spec spec;
	const char *extra[SRV_MAX_ENV + 256 + 1];
	const char *const *pe;
	const char *run = cmd, *orig = NULL;
	char **env = NULL;
	size_t ne = 0, i;
	int ret;

	if (ss->started) {
		return false;
	}
	if (s->conf->force_command != NULL) {
		run = s->conf->force_command;
		orig = cmd;
	} else if (s->have_keyopts && s->keyopts.command != NULL) {
		run = s->keyopts.command;
		orig = cmd;
	}
	if (run != cmd) {
		log_verbose("forced command: %s", run);
	}
	if (s->pam != NULL) {
		for (pe = srvauth_pam_env(s->pam);
		     pe != NULL && *pe != NULL && ne < 256; pe++) {
			extra[ne++] = *pe;
		}
	}
	for (i = 0; i < ss->nenv; i++) {
		extra[ne++] = ss->env[i];
	}
	if (s->have_keyopts && s->conf->permit_user_environment > 0 &&
	    s->keyopts.environment != NULL) {
		for (i = 0; s->keyopts.environment[i] != NULL &&
		            ne < sizeof(extra) / sizeof(extra[0]) - 1;
		     i++) {
			extra[ne++] = s->keyopts.environment[i];
		}
	}
	extra[ne] = NULL;
	memset(&info, 0, sizeof(info));
	info.user = s->user.name;
	info.home = s->user.home;
	info.shell = s->user.shell;
	info.uid = s->user.uid;
	info.term = ss->has_pty ? (ss->term != NULL ? ss->term : "") : NULL;
	info.tty = ss->has_pty ? ss->pty.name : NULL;
	info.raddr = s->ctx->raddr;
	info.laddr = s->ctx->laddr != NULL ? s->ctx->laddr : "";
	info.rport = s->ctx->rport;
	info.lport = s->ctx->lport;
	info.original_command = orig;
	info.extra = extra;
	if ((ret = session_env_build(&info, &env)) != 0) {
		log_error("session: environment: %s", sesh_err_str(ret));
		return false;
	}
	memset(&spec, 0, sizeof(spec));
	spec.user = s->user.name;
	spec.uid = s->user.uid;
	spec.gid = s->user.gid;
	spec.home = s->user.home;
	spec.shell = s->user.shell;
	spec.command = run;
	spec.env = (const char *const *)env;
	spec.pty = ss->has_pty ? &ss->pty : NULL;
	spec.chdir_home = true;
	if (ss->has_pty && run == NULL) {
		login_text(s, ss);
	}
	ret = session_spawn(&spec, &ss->proc);
	session_env_free(env);
	if (ret != 0) {
		log_error("session: cannot start %s for %s: %s", what,
		          s->user.name, sesh_err_str(ret));
		free(ss->pre);
		ss->pre = NULL;
		ss->pre_len = 0;
		return false;
	}
	ss->started = true;
	if (ss->has_pty) {
		if (ss->pty.slave >= 0) {
			close(ss->pty.slave);
			ss->pty.slave = -1;
		}
		ss->err_eof = true;
		if (server_privsep_utmp_login(s, ss->pty.name, ss->proc.pid) ==
		    0) {
			ss->utmp_done = true;
		}
	} else if (ss->proc.err_fd < 0) {
		ss->err_eof = true;
	}
	log_verbose("Starting session: %s%s%s for %s from %s port %u id %u",
	            what, ss->has_pty ? " on " : "",
	            ss->has_pty ? ss->pty.name : "", s->user.name,
	            s->ctx->raddr, s->ctx->rport, ss->id);
	return true;
}
