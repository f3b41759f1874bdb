"""
sesh's interactive shell through a pty (pexpect) against OpenSSH's
sshd: the remote prompt, TERM, the terminal modes sent in pty-req,
`stty size` before and after a window change (SIGWINCH ->
window-change), the escape character (~? ~# ~C ~~ ~^Z and ~., -e none,
-e ^), the local terminal restored after sesh exits (normally, by ~.,
by SIGTERM/SIGHUP, and while suspended), -t/-T, and the new-host
question of StrictHostKeyChecking ask. sesh runs under `sh -c` so that
the same pty shows the local settings once it is gone.
"""

import os
import re
import shlex
import signal

import pytest

from client_util import Sshd, wait_for

pexpect = pytest.importorskip("pexpect")

PROMPT = "SESHP> "


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
	s = Sshd(tmp_path_factory.mktemp("tty"))
	yield s
	s.stop()


def spawn(srv, sesh_bin, sesh_env, *opts, pre="", cmd=None):
	argv = srv.argv(sesh_bin("sesh"), *opts, cmd=cmd)
	line = (pre + shlex.join(argv) + '; echo "SESH-EXIT=$?"; '
		'stty -a; echo LOCAL-DONE')
	env = dict(sesh_env)
	env["TERM"] = "vt100"
	child = pexpect.spawn("/bin/sh", ["-c", line], env=env,
			      dimensions=(24, 80), timeout=20)
	return child


def shell_prompt(child):
	child.sendline("bind 'set enable-bracketed-paste off' 2>/dev/null; "
		       "PS1='SESH''P> '; export PS1")
	child.expect_exact(PROMPT)


def finish(child):
	child.expect(r"SESH-EXIT=(\d+)")
	code = int(child.match.group(1))
	child.expect_exact("LOCAL-DONE")
	local = child.before.decode(errors="replace")
	child.expect(pexpect.EOF)
	return code, local


def test_shell_winsize_escape_and_restore(srv, sesh_bin, sesh_env):
	child = spawn(srv, sesh_bin, sesh_env, pre="stty intr ^X; ")
	try:
		shell_prompt(child)
		child.sendline("echo term=$TERM")
		child.expect_exact("term=vt100")
		child.expect_exact(PROMPT)
		# the pty-req carried our modes (intr ^X set locally)
		child.sendline("stty -a | tr ';' '\\n' | grep -w intr")
		child.expect(r"intr = \^X")
		child.expect_exact(PROMPT)
		child.sendline("stty size")
		child.expect(r"[\r\n]24 80\r\n")
		child.expect_exact(PROMPT)
		child.setwinsize(33, 101)
		# the window-change may race the next command: poll for it
		for _ in range(50):
			child.sendline("stty size")
			i = child.expect([r"[\r\n]33 101\r\n", r"[\r\n]24 80\r\n"])
			child.expect_exact(PROMPT)
			if i == 0:
				break
		else:
			pytest.fail("window change never arrived")
		# ~~ sends one ~: "~/../bin/echo" is /bin/echo on the remote
		child.send("\r")
		child.expect_exact(PROMPT)
		child.send("~~/../bin/echo tilde-ok\r")
		child.expect_exact("tilde-ok")
		child.expect_exact(PROMPT)
		child.send("~?")
		child.expect_exact("Supported escape sequences:")
		child.expect_exact("~.   - terminate connection")
		child.send("~#")
		child.expect_exact("The following connections are open:")
		child.send("~C")
		child.expect_exact("commandline disabled")
		# not at the start of a line: passed through
		child.send("echo a~.b\r")
		child.expect_exact("a~.b")
		child.expect_exact(PROMPT)
		child.send("\r~.")
		child.expect_exact("Connection to 127.0.0.1 closed.")
		code, local = finish(child)
	finally:
		child.close(force=True)
	assert code == 255
	# the local terminal is cooked again
	assert re.search(r"(?<!-)icanon", local), local
	assert re.search(r"(?<![-\w])echo(?!\w)", local), local
	assert "intr = ^X" in local


def test_shell_exit_status_and_message(srv, sesh_bin, sesh_env):
	child = spawn(srv, sesh_bin, sesh_env)
	try:
		shell_prompt(child)
		child.sendline("exit 7")
		child.expect_exact("Connection to 127.0.0.1 closed.")
		code, local = finish(child)
	finally:
		child.close(force=True)
	assert code == 7
	assert re.search(r"(?<!-)icanon", local), local


def test_escape_none_and_custom(srv, sesh_bin, sesh_env):
	"""-e none: "~." is ordinary text; -e ^ makes "^." disconnect."""
	child = spawn(srv, sesh_bin, sesh_env, "-e", "none")
	try:
		shell_prompt(child)
		child.send("\r~.\r")
		child.expect("~.: (command )?not found|No such file")
		child.expect_exact(PROMPT)
		child.sendline("exit 0")
		code, _ = finish(child)
	finally:
		child.close(force=True)
	assert code == 0
	child = spawn(srv, sesh_bin, sesh_env, "-e", "^")
	try:
		shell_prompt(child)
		child.send("\r^.")
		code, _ = finish(child)
	finally:
		child.close(force=True)
	assert code == 255


def test_suspend_and_resume(srv, sesh_bin, sesh_env):
	"""~^Z stops sesh (SIGTSTP) with the local terminal restored; bash
	(job control on) then brings it back with fg and the session goes
	on."""
	argv = srv.argv(sesh_bin("sesh"))
	line = ("set -m; " + shlex.join(argv) + '; echo "STOPPED-$?"; '
		'stty -a; echo LOCAL-STOPPED; fg; echo "SESH-EXIT=$?"; '
		'stty -a; echo LOCAL-DONE')
	env = dict(sesh_env)
	env["TERM"] = "vt100"
	child = pexpect.spawn("/bin/bash", ["--norc", "--noprofile", "-c",
					    line], env=env,
			      dimensions=(24, 80), timeout=20)
	try:
		shell_prompt(child)
		child.send("\r")
		child.expect_exact(PROMPT)
		child.send("~\x1a")
		child.expect_exact("[suspend sesh]")
		child.expect_exact("STOPPED-148")
		child.expect_exact("LOCAL-STOPPED")
		stopped = child.before.decode(errors="replace")
		assert re.search(r"(?<!-)icanon", stopped), stopped
		child.sendline("echo resumed-$((40+2))")
		child.expect_exact("resumed-42")
		child.expect_exact(PROMPT)
		child.sendline("exit 0")
		code, local = finish(child)
	finally:
		child.close(force=True)
	assert code == 0
	assert re.search(r"(?<!-)icanon", local), local


def sesh_child_of(parent):
	for pid in os.listdir("/proc"):
		if not pid.isdigit():
			continue
		try:
			st = open(f"/proc/{pid}/stat").read()
		except OSError:
			continue
		if "(sesh)" in st and int(st.split(") ")[1].split()[1]) == parent:
			return int(pid)
	return None


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_restores_terminal(srv, sesh_bin, sesh_env, sig):
	"""Killed by SIGTERM or SIGHUP in raw mode: the local terminal is
	cooked again afterwards."""
	child = spawn(srv, sesh_bin, sesh_env)
	try:
		shell_prompt(child)
		pid = wait_for(lambda: sesh_child_of(child.pid), 10)
		assert pid
		os.kill(pid, sig)
		code, local = finish(child)
	finally:
		child.close(force=True)
	assert code in (255, 128 + sig)
	assert re.search(r"(?<!-)icanon", local), local
	assert re.search(r"(?<![-\w])echo(?!\w)", local), local


def test_tty_exec_with_t(srv, sesh_bin, sesh_env):
	"""-t with a command: a pty for the command (tty(1) names it)."""
	child = spawn(srv, sesh_bin, sesh_env, "-t", cmd="tty; exit 5")
	try:
		child.expect(r"/dev/pts/\d+")
		code, local = finish(child)
	finally:
		child.close(force=True)
	assert code == 5


def test_no_tty_with_T(srv, sesh_bin, sesh_env):
	child = spawn(srv, sesh_bin, sesh_env, "-T", cmd="tty; exit 0")
	try:
		child.expect_exact("not a tty")
		code, local = finish(child)
	finally:
		child.close(force=True)
	assert code == 0


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_new_host_question(srv, sesh_bin, sesh_env, answer):
	"""StrictHostKeyChecking ask (the default): the question on the
	terminal; "yes" adds the key and goes on, "no" refuses."""
	srv.known_hosts.write_text("")
	argv = srv.argv(sesh_bin("sesh"), cmd="echo in-$((1+1))", trust=False,
			batch=False)
	child = pexpect.spawn(argv[0], argv[1:], env=sesh_env, timeout=20)
	try:
		child.expect_exact("Are you sure you want to continue connecting "
				   "(yes/no/[fingerprint])? ")
		child.sendline(answer)
		if answer == "yes":
			child.expect_exact("Warning: Permanently added "
					   f"'[127.0.0.1]:{srv.port}' (ED25519) "
					   "to the list of known hosts.")
			child.expect_exact("in-2")
		else:
			child.expect_exact("Host key verification failed.")
		child.expect(pexpect.EOF)
		child.close()
	finally:
		child.close(force=True)
	if answer == "yes":
		assert child.exitstatus == 0
		assert f"[127.0.0.1]:{srv.port} ssh-ed25519 " in \
			srv.known_hosts.read_text()
	else:
		assert child.exitstatus == 255
		assert srv.known_hosts.read_text() == ""
