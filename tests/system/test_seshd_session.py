"""
seshd's sessions, driven by OpenSSH's ssh, paramiko, pexpect and our
sesh: exec exit codes and signals (exit-signal), stdout and stderr kept
apart, 100 MiB each way with equal SHA-256, a pty login shell (prompt,
`tty`, `stty size` after a resize, `who` shows the login), env with
AcceptEnv, the session environment, a subsystem, MaxSessions.

One seshd for the module (root: it logs a created user in, so the
post-authentication privilege drop, PAM and utmp all run); skipped
without root.
"""

import hashlib
import os
import re
import socket
import subprocess
import time

import pytest

import seshd_server_util as su
from seshd_util import start_seshd


@pytest.fixture(scope="module")
def srv(tmp_path_factory, sesh_bin):
	if os.geteuid() != 0:
		pytest.skip("creates a user and logs it in: needs root")
	d = tmp_path_factory.mktemp("seshd_session")
	user = su.make_user()
	try:
		key = su.make_key(d, "ed25519")
		su.authorize(user, [su.pub_line(key)])
		service = su.pam_service()
		sd = start_seshd(sesh_bin, d, [
			"UsePAM yes",
			f"PAMServiceName {service}",
			"AcceptEnv SESHTEST_* LC_*",
			"Subsystem seshtest-echo /bin/cat",
			"MaxSessions 2",
			"PrintMotd no",
			"LogLevel VERBOSE",
		])
		try:
			yield {"d": sd, "user": user, "key": key, "dir": d,
			       "dest": f"{user.name}@127.0.0.1"}
		finally:
			sd.stop()
	finally:
		su.remove_user(user)


def ssh(srv, command, *opts, stdin=b"", timeout=60):
	return su.run_ssh(srv["d"].port, srv["key"], srv["dest"], command,
			  *opts, stdin=stdin, timeout=timeout)


@pytest.mark.parametrize("code", [0, 1, 42])
def test_exec_exit_code(srv, code):
	r = ssh(srv, f"exit {code}")
	assert r.returncode == code, r.stderr


def test_exec_signal_gives_exit_signal(srv):
	r = subprocess.run(
		su.ssh_argv(srv["d"].port, srv["key"], srv["dest"],
			    "kill -TERM $$", "-v"),
		capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
	assert r.returncode == 255
	assert b"rtype exit-signal" in r.stderr
	assert b"rtype exit-status" not in r.stderr


def test_stdout_stderr_apart(srv):
	r = ssh(srv, "echo out; echo err >&2; echo out2; exit 7")
	assert r.returncode == 7
	assert r.stdout == b"out\nout2\n"
	assert r.stderr == b"err\n"


def test_stdin_reaches_child_and_eof_ends_it(srv):
	r = ssh(srv, "cat; echo done", stdin=b"line one\nline two\n")
	assert r.returncode == 0
	assert r.stdout == b"line one\nline two\ndone\n"


def test_session_environment(srv):
	r = ssh(srv, 'echo "$USER|$LOGNAME|$HOME|$SSH_CONNECTION|$PWD|'
		'${SSH_TTY:-none}|$(id -u)"')
	assert r.returncode == 0, r.stderr
	u = srv["user"]
	f = r.stdout.decode().strip().split("|")
	assert f[0] == u.name and f[1] == u.name and f[2] == u.home
	assert f[3].startswith("127.0.0.1 ") and f[3].endswith(
		f" 127.0.0.1 {srv['d'].port}")
	assert f[4] == u.home
	assert f[5] == "none"
	assert f[6] == str(u.uid)


def test_accept_env(srv):
	r = ssh(srv, 'echo "${SESHTEST_A:-unset} ${OTHER_B:-unset}"',
		"-o", "SetEnv=SESHTEST_A=alpha OTHER_B=beta")
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"alpha unset\n"


def test_100mib_both_ways(srv):
	data = os.urandom(1 << 20) * 100
	want = hashlib.sha256(data).hexdigest()
	r = ssh(srv, "cat > ~/big && sha256sum ~/big", stdin=data,
		timeout=120)
	assert r.returncode == 0, r.stderr
	assert r.stdout.split()[0].decode() == want
	r = ssh(srv, "cat ~/big && rm -f ~/big", timeout=120)
	assert r.returncode == 0, r.stderr
	assert len(r.stdout) == len(data)
	assert hashlib.sha256(r.stdout).hexdigest() == want


def ensure_utmp():
	"""`who` reads /run/utmp; a fresh container may not have one yet
	(glibc does not create it)."""
	path = "/run/utmp"
	if not os.path.exists(path):
		fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o664)
		os.close(fd)
		try:
			import grp
			os.chown(path, 0, grp.getgrnam("utmp").gr_gid)
		except (KeyError, OSError):
			pass


def test_pty_shell(srv):
	pexpect = pytest.importorskip("pexpect")
	ensure_utmp()
	argv = su.ssh_argv(srv["d"].port, srv["key"], srv["dest"], None,
			   tty=True)
	child = pexpect.spawn(argv[0], argv[1:], timeout=20,
			      dimensions=(24, 80))
	try:
		child.sendline("PS1='SE''SHPROMPT> '")
		child.expect("SESHPROMPT> ")
		child.sendline("tty")
		child.expect(r"/dev/pts/(\d+)")
		pts = "pts/" + child.match.group(1).decode()
		child.expect("SESHPROMPT> ")
		child.setwinsize(33, 101)
		# the resize reaches the pty through window-change
		child.sendline("stty size")
		child.expect(r"(\d+) (\d+)\r\n")
		size = child.match.groups()
		deadline = time.monotonic() + 10
		while size != (b"33", b"101") and time.monotonic() < deadline:
			child.expect("SESHPROMPT> ")
			child.sendline("stty size")
			child.expect(r"(\d+) (\d+)\r\n")
			size = child.match.groups()
		assert size == (b"33", b"101")
		child.expect("SESHPROMPT> ")
		child.sendline("who")
		child.expect("SESHPROMPT> ")
		assert re.search(srv["user"].name.encode() + rb"\s+" +
				 pts.encode(), child.before), child.before
		child.sendline("exit 5")
		child.expect(pexpect.EOF)
	finally:
		child.close()
	assert child.exitstatus == 5


def pty_login_text(srv, pexpect):
	"""Logs in with a pty shell; returns what came before the prompt."""
	argv = su.ssh_argv(srv["d"].port, srv["key"], srv["dest"], None,
			   tty=True)
	child = pexpect.spawn(argv[0], argv[1:], timeout=20)
	try:
		child.sendline("PS1='SE''SHPROMPT> '")
		child.expect("SESHPROMPT> ")
		text = child.before
		child.sendline("exit")
		child.expect(pexpect.EOF)
	finally:
		child.close()
	return text


def test_print_last_log(srv):
	pexpect = pytest.importorskip("pexpect")
	path = "/var/log/lastlog"
	if not os.path.exists(path):
		os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o664))
	pty_login_text(srv, pexpect)
	text = pty_login_text(srv, pexpect)
	assert re.search(rb"Last login: .* from 127\.0\.0\.1", text), text


def test_subsystem(srv):
	paramiko = pytest.importorskip("paramiko")
	c = paramiko.SSHClient()
	c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
	c.connect("127.0.0.1", srv["d"].port, username=srv["user"].name,
		  key_filename=srv["key"], look_for_keys=False,
		  allow_agent=False, timeout=20)
	try:
		ch = c.get_transport().open_session()
		ch.invoke_subsystem("seshtest-echo")
		ch.sendall(b"ping\n")
		ch.shutdown_write()
		got = b""
		while True:
			b = ch.recv(4096)
			if not b:
				break
			got += b
		assert got == b"ping\n"
		ch2 = c.get_transport().open_session()
		with pytest.raises(paramiko.SSHException):
			ch2.invoke_subsystem("no-such-subsystem")
	finally:
		c.close()


def test_paramiko_retries_after_a_refused_key(srv, tmp_path):
	"""paramiko sends SERVICE_REQUEST again before each attempt; as with
	sshd, a refused key is followed by a working one."""
	paramiko = pytest.importorskip("paramiko")
	wrong = tmp_path / "wrong_rsa"
	paramiko.RSAKey.generate(2048).write_private_key_file(str(wrong))
	c = paramiko.SSHClient()
	c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
	c.connect("127.0.0.1", srv["d"].port, username=srv["user"].name,
		  key_filename=[str(wrong), srv["key"]], look_for_keys=False,
		  allow_agent=False, timeout=20)
	try:
		_, out, _ = c.exec_command("echo retried")
		assert out.read() == b"retried\n"
	finally:
		c.close()


def test_max_sessions(srv):
	paramiko = pytest.importorskip("paramiko")
	c = paramiko.SSHClient()
	c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
	c.connect("127.0.0.1", srv["d"].port, username=srv["user"].name,
		  key_filename=srv["key"], look_for_keys=False,
		  allow_agent=False, timeout=20)
	try:
		t = c.get_transport()
		a = t.open_session()
		b = t.open_session()
		with pytest.raises(paramiko.ChannelException):
			t.open_session()
		a.close()
		b.exec_command("echo two")
		assert b.makefile().read() == b"two\n"
	finally:
		c.close()


def test_paramiko_defaults(srv):
	paramiko = pytest.importorskip("paramiko")
	c = paramiko.SSHClient()
	c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
	c.connect("127.0.0.1", srv["d"].port, username=srv["user"].name,
		  key_filename=srv["key"], look_for_keys=False,
		  allow_agent=False, timeout=20)
	try:
		_, out, err = c.exec_command("echo hi; echo oops >&2; exit 3")
		assert out.read() == b"hi\n"
		assert err.read() == b"oops\n"
		assert out.channel.recv_exit_status() == 3
	finally:
		c.close()


def test_sesh_client(srv, sesh_bin, workdir, sesh_env):
	r = subprocess.run(
		[sesh_bin("sesh"), "-p", str(srv["d"].port), "-i", srv["key"],
		 "-o", "StrictHostKeyChecking=no",
		 "-o", f"UserKnownHostsFile={workdir}/kh",
		 "-o", "BatchMode=yes", srv["dest"],
		 "echo from-sesh; exit 4"],
		capture_output=True, timeout=60, env=sesh_env,
		stdin=subprocess.DEVNULL)
	assert r.stdout == b"from-sesh\n", r.stderr
	assert r.returncode == 4


def test_garbage_client_leaves_server_serving(srv):
	s = socket.create_connection(("127.0.0.1", srv["d"].port), 10)
	s.sendall(b"SSH-2.0-junk\r\n" + os.urandom(4096))
	s.settimeout(10)
	try:
		while s.recv(4096):
			pass
	except OSError:
		pass
	s.close()
	assert ssh(srv, "echo still").stdout == b"still\n"


def test_signal_request(srv):
	paramiko = pytest.importorskip("paramiko")
	c = paramiko.SSHClient()
	c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
	c.connect("127.0.0.1", srv["d"].port, username=srv["user"].name,
		  key_filename=srv["key"], look_for_keys=False,
		  allow_agent=False, timeout=20)
	try:
		ch = c.get_transport().open_session()
		ch.exec_command("echo started; exec sleep 60")
		f = ch.makefile()
		assert f.readline() == "started\n"
		# RFC 4254 §6.9: "signal", no reply, signal name without SIG
		m = paramiko.Message()
		m.add_byte(paramiko.common.cMSG_CHANNEL_REQUEST)
		m.add_int(ch.remote_chanid)
		m.add_string("signal")
		m.add_boolean(False)
		m.add_string("TERM")
		c.get_transport()._send_user_message(m)
		t0 = time.monotonic()
		# exit-signal, not exit-status: paramiko reports -1
		assert ch.recv_exit_status() == -1
		assert time.monotonic() - t0 < 20
	finally:
		c.close()


def test_session_inherits_only_stdio(srv):
	# the socket, the privileged parent's socketpair, the SIGCHLD pipe
	# and the listener's pipe are all close-on-exec
	r = ssh(srv, "exec ls /proc/self/fd")
	assert r.returncode == 0, r.stderr
	fds = sorted(int(x) for x in r.stdout.split())
	# ls itself holds one more: the directory it reads
	assert fds[:3] == [0, 1, 2] and len(fds) == 4, fds


def test_eow_when_child_closes_stdin(srv):
	# the command closes its stdin at once; more data than a pipe holds
	# follows, so the write fails and seshd says eow@openssh.com
	r = subprocess.run(
		su.ssh_argv(srv["d"].port, srv["key"], srv["dest"],
			    "exec 0<&-; sleep 1; echo finished", "-v"),
		input=os.urandom(4 << 20), capture_output=True, timeout=60)
	assert r.returncode == 0, r.stderr[-2000:]
	assert r.stdout == b"finished\n"
	assert b"rtype eow@openssh.com" in r.stderr


def test_stdin_to_a_child_that_pauses(srv):
	"""A child that stops reading now and then: the pipe fills, seshd
	queues what the client sends (put_stdin) and writes it out as the
	child reads again, before newer data: every byte arrives, in
	order."""
	data = os.urandom(1 << 20) * 12 + os.urandom(12345)
	reader = ("import hashlib,sys,time\n"
		  "h=hashlib.sha256();n=0\n"
		  "while True:\n"
		  " b=sys.stdin.buffer.read1(1<<16)\n"
		  " if not b: break\n"
		  " h.update(b);n+=len(b)\n"
		  " if n>>20!=(n-len(b))>>20: time.sleep(0.02)\n"
		  "print(h.hexdigest(),n)\n")
	r = ssh(srv, f"/usr/bin/python3 -c '{reader}'", stdin=data)
	assert r.returncode == 0, r.stderr
	assert r.stdout.decode().split() == [
		hashlib.sha256(data).hexdigest(), str(len(data))]
