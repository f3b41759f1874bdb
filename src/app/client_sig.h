/*
 * client_sig.h - how client_run() ended when a signal ended it.
 *
 * OpenSSH's ssh, killed by SIGINT, SIGTERM or SIGHUP while connected
 * (without a pty), dies of that signal after cleaning up. client_run()
 * catches the signal, restores the terminal, says goodbye to the server
 * and returns 255; the program then re-raises the signal so that its
 * parent sees the same death:
 *
 *	status = client_run(&o);
 *	if ((sig = client_killed_by()) != 0) {
 *		signal(sig, SIG_DFL);
 *		raise(sig);
 *	}
 */
#ifndef SESH_APP_CLIENT_SIG_H
#define SESH_APP_CLIENT_SIG_H

/* The signal that ended the last client_run(), or 0. */
int client_killed_by(void);

#endif
