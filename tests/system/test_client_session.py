"""
sesh's sessions against OpenSSH's sshd (root, ephemeral loopback port,
see client_util.py): exit statuses (0, 1, 42, a signal: 255 as ssh),
100 MiB both ways through `cat` with equal SHA-256, stderr apart from
stdout, -4/-6, -n, -N, -s, -W, ProxyCommand (sshd -i), ProxyJump (-J),
SendEnv/SetEnv, RekeyLimit (client-initiated rekeys every MiB of 256
MiB, the server's own limit, and the time limit), ServerAliveInterval
against a stopped server, ConnectTimeout (connect and banner), -t/-tt
without a terminal.
"""

import hashlib
import os
import signal
import socket
import subprocess
import time

import pytest

from client_util import Sshd, wait_for


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
	s = Sshd(tmp_path_factory.mktemp("sess"))
	yield s
	s.stop()


@pytest.mark.parametrize("code", [0, 1, 42])
def test_exit_codes(srv, sesh_bin, sesh_env, code):
	r = srv.run(sesh_bin("sesh"), sesh_env, cmd=f"exit {code}")
	assert r.returncode == code, r.stderr
	assert r.stdout == b""


def test_killed_by_signal(srv, sesh_bin, sesh_env):
	"""ssh ignores exit-signal: no status, so 255, nothing printed."""
	r = srv.run(sesh_bin("sesh"), sesh_env, cmd="echo before; kill -TERM $$")
	assert r.returncode == 255
	assert r.stdout == b"before\n"
	assert r.stderr == b""


def test_100mib_both_ways(srv, sesh_bin, sesh_env):
	data = os.urandom(1 << 20) * 100
	t = time.monotonic()
	r = srv.run(sesh_bin("sesh"), sesh_env, cmd="cat", stdin=data,
		    timeout=120)
	took = time.monotonic() - t
	assert r.returncode == 0, r.stderr
	assert len(r.stdout) == len(data)
	assert hashlib.sha256(r.stdout).digest() == \
		hashlib.sha256(data).digest()
	print(f"100 MiB each way: {took:.2f}s")


def test_upload_sha256(srv, sesh_bin, sesh_env):
	data = os.urandom(1 << 20) * 8
	r = srv.run(sesh_bin("sesh"), sesh_env, cmd="sha256sum", stdin=data)
	assert r.returncode == 0, r.stderr
	assert r.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()


def test_stderr_apart(srv, sesh_bin, sesh_env):
	r = srv.run(sesh_bin("sesh"), sesh_env,
		    cmd="i=0; while [ $i -lt 2000 ]; do echo out$i; "
		        "echo err$i >&2; i=$((i+1)); done")
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"".join(b"out%d\n" % i for i in range(2000))
	assert r.stderr == b"".join(b"err%d\n" % i for i in range(2000))


def test_address_family(srv, sesh_bin, sesh_env):
	r = srv.run(sesh_bin("sesh"), sesh_env, "-4", cmd="echo v4")
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"v4\n"
	# 127.0.0.1 has no IPv6 address: resolution fails as in ssh
	r = srv.run(sesh_bin("sesh"), sesh_env, "-6", cmd="echo v6")
	assert r.returncode == 255
	assert r.stderr.startswith(
		b"sesh: Could not resolve hostname 127.0.0.1: ")


def test_stdin_null(srv, sesh_bin, sesh_env):
	r = srv.run(sesh_bin("sesh"), sesh_env, "-n", cmd="cat; echo end",
		    stdin=b"must not arrive\n")
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"end\n", (r.stdout, r.stderr)


def test_subsystem(srv, sesh_bin, sesh_env):
	# sshd_config: Subsystem echosub /bin/cat
	r = srv.run(sesh_bin("sesh"), sesh_env, "-s", cmd="echosub",
		    stdin=b"through the subsystem\n")
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"through the subsystem\n"


def test_unknown_subsystem_fails(srv, sesh_bin, sesh_env):
	r = srv.run(sesh_bin("sesh"), sesh_env, "-s", cmd="nosuchsub")
	assert r.returncode == 255
	assert b"subsystem request failed on channel 0" in r.stderr


def test_no_tty_message(srv, sesh_bin, sesh_env):
	r = srv.run(sesh_bin("sesh"), sesh_env, "-t", cmd="echo x")
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"x\n"
	assert r.stderr == (b"Pseudo-terminal will not be allocated because "
			    b"stdin is not a terminal.\r\n")
	r = srv.run(sesh_bin("sesh"), sesh_env, "-q", "-t", cmd="echo x")
	assert r.stderr == b""


def test_forced_tty_without_terminal(srv, sesh_bin, sesh_env):
	r = srv.run(sesh_bin("sesh"), sesh_env, "-tt", cmd="tty; exit 3")
	assert r.returncode == 3, r.stderr
	assert r.stdout.startswith(b"/dev/pts/")
	assert b"Connection to 127.0.0.1 closed." in r.stderr


def test_no_session_until_signal(srv, sesh_bin, sesh_env):
	n0 = srv.log().count("Accepted publickey")
	p = subprocess.Popen(srv.argv(sesh_bin("sesh"), "-N"), env=sesh_env,
			     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
			     stderr=subprocess.PIPE)
	try:
		# authenticated (sshd logged it), and still running
		assert wait_for(lambda: srv.log().count("Accepted publickey")
				> n0, 10)
		assert p.poll() is None
		p.send_signal(signal.SIGTERM)
		out, err = p.communicate(timeout=10)
	finally:
		if p.poll() is None:
			p.kill()
			p.wait()
	# ssh dies of the signal; sesh's client_run returns 255 and the
	# program re-raises it (client_sig.h)
	assert p.returncode == -signal.SIGTERM
	assert out == b""
	assert err == b""


def test_stdio_forward(srv, sesh_bin, sesh_env):
	"""-W host:port: the stream is sshd's own port; its banner comes
	back on stdout."""
	p = subprocess.Popen(srv.argv(sesh_bin("sesh"), "-W",
				      f"127.0.0.1:{srv.port}"),
			     env=sesh_env, stdin=subprocess.PIPE,
			     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
	try:
		line = p.stdout.readline()
		assert line.startswith(b"SSH-2.0-OpenSSH"), p.stderr.read()
		p.stdin.write(b"garbage\r\n")
		p.stdin.close()
		p.stdout.read()
		p.wait(timeout=10)
	finally:
		if p.poll() is None:
			p.kill()
			p.wait()
	assert p.returncode == 0


def test_stdio_forward_refused(srv, sesh_bin, sesh_env):
	s = socket.socket()
	s.bind(("127.0.0.1", 0))
	port = s.getsockname()[1]
	s.close()
	r = srv.run(sesh_bin("sesh"), sesh_env, "-W", f"127.0.0.1:{port}")
	assert r.returncode == 255
	assert b"open failed" in r.stderr


def test_proxy_command_inetd_sshd(srv, sesh_bin, sesh_env):
	"""ProxyCommand: sshd -i speaks SSH on the command's stdio."""
	cfg = srv.dir / "sshd_config"
	r = srv.run(sesh_bin("sesh"), sesh_env, "-o",
		    f"ProxyCommand=/usr/sbin/sshd -i -f {cfg} -o LogLevel=ERROR",
		    cmd="echo via-proxy")
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"via-proxy\n"


def test_proxy_command_fails(srv, sesh_bin, sesh_env):
	r = srv.run(sesh_bin("sesh"), sesh_env, "-o", "ProxyCommand=exit 7",
		    cmd="true")
	assert r.returncode == 255
	assert r.stdout == b""


@pytest.fixture(scope="module")
def jump(tmp_path_factory, srv):
	d = tmp_path_factory.mktemp("jump")
	(d / "user_ed25519").write_bytes(open(srv.key, "rb").read())
	(d / "user_ed25519").chmod(0o600)
	(d / "user_ed25519.pub").write_bytes(open(srv.key + ".pub",
						  "rb").read())
	j = Sshd(d)
	yield j
	j.stop()


def test_proxy_jump(srv, jump, sesh_bin, sesh_env, workdir):
	"""-J: the jump host is reached by a second sesh (-W through it),
	which reads its settings from ~/.ssh/config."""
	ssh_dir = workdir / ".ssh"
	ssh_dir.mkdir(exist_ok=True)
	kh = workdir / "kh_jump"
	kh.write_text(open(jump.trust()).read() + open(srv.trust()).read())
	(ssh_dir / "config").write_text(
		"Host *\n"
		f"  IdentityFile {srv.key}\n"
		f"  UserKnownHostsFile {kh}\n"
		"  StrictHostKeyChecking yes\n"
		"  BatchMode yes\n")
	jlog = jump.log().count("Accepted publickey")
	argv = [sesh_bin("sesh"), "-J", f"root@127.0.0.1:{jump.port}",
		"-p", str(srv.port), "root@127.0.0.1", "echo jumped"]
	r = subprocess.run(argv, capture_output=True, env=sesh_env,
			   timeout=60, stdin=subprocess.DEVNULL)
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"jumped\n"
	# the jump host really carried it
	assert jump.log().count("Accepted publickey") == jlog + 1


def test_send_env_set_env(srv, sesh_bin, sesh_env):
	env = dict(sesh_env)
	env["SESHT_ONE"] = "first value"
	env["SESHT_TWO"] = "second"
	env["OTHER_SESHT"] = "not sent"
	r = srv.run(sesh_bin("sesh"), env, "-o", "SendEnv=SESHT_O*",
		    "-o", "SetEnv=SESHT_SET=from-setenv",
		    cmd='echo "$SESHT_ONE|$SESHT_TWO|$SESHT_SET|$OTHER_SESHT"')
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"first value||from-setenv|\n"


def transfer(srv, sesh_bin, env, mib, *opts):
	data = os.urandom(1 << 20) * mib
	t = time.monotonic()
	r = srv.run(sesh_bin("sesh"), env, *opts, cmd="sha256sum",
		    stdin=data, timeout=180)
	took = time.monotonic() - t
	assert r.returncode == 0, r.stderr
	assert r.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()
	return took


def test_client_rekey_limit(tmp_path, sesh_bin, sesh_env):
	"""RekeyLimit 1M on sesh's side during 256 MiB: the server (whose own
	limit is the default, far above) logs a NEWKEYS per MiB."""
	s = Sshd(tmp_path, extra="LogLevel DEBUG1\n")
	try:
		took = transfer(s, sesh_bin, sesh_env, 256,
				"-o", "RekeyLimit=1M")
		print(f"256 MiB with RekeyLimit 1M: {took:.2f}s")
		assert wait_for(lambda: s.log().count(
			"SSH2_MSG_NEWKEYS received") >= 100, 10), \
			s.log()[-3000:]
	finally:
		s.stop()


def test_server_rekey_limit(tmp_path, sesh_bin, sesh_env):
	"""The server's RekeyLimit 1M: sesh answers its rekeys with data
	flowing."""
	s = Sshd(tmp_path, extra="RekeyLimit 1M\nLogLevel DEBUG1\n")
	try:
		took = transfer(s, sesh_bin, sesh_env, 48)
		print(f"48 MiB with server RekeyLimit 1M: {took:.2f}s")
		assert wait_for(lambda: s.log().count(
			"SSH2_MSG_NEWKEYS received") >= 20, 10), \
			s.log()[-3000:]
	finally:
		s.stop()


def test_time_rekey(tmp_path, sesh_bin, sesh_env):
	"""RekeyLimit's time part: "default 1" rekeys every second while a
	quiet command runs (the poll loop wakes for the engine's deadline)."""
	s = Sshd(tmp_path, extra="LogLevel DEBUG1\n")
	try:
		# the first key exchange, then at least two rekeys
		n0 = s.log().count("SSH2_MSG_NEWKEYS received")
		r = s.run(sesh_bin("sesh"), sesh_env, "-o", "RekeyLimit=default 1",
			  cmd="sleep 2.5; echo slept")
		assert r.returncode == 0, r.stderr
		assert r.stdout == b"slept\n"
		assert wait_for(lambda: s.log().count(
			"SSH2_MSG_NEWKEYS received") - n0 >= 3, 10), s.log()[-2000:]
	finally:
		s.stop()


def test_server_alive_timeout(tmp_path, sesh_bin, sesh_env):
	"""The server stops answering (its processes are SIGSTOPped):
	ServerAliveInterval 1, CountMax 2 gives up in a few seconds."""
	s = Sshd(tmp_path)
	stopped = []
	p = subprocess.Popen(s.argv(sesh_bin("sesh"), "-o",
				    "ServerAliveInterval=1", "-o",
				    "ServerAliveCountMax=2", cmd="echo up; sleep 60"),
			     env=sesh_env, stdin=subprocess.DEVNULL,
			     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
	try:
		assert p.stdout.readline() == b"up\n"
		kids = s.children()
		assert kids
		for pid in kids:
			os.kill(pid, signal.SIGSTOP)
			stopped.append(pid)
		t = time.monotonic()
		out, err = p.communicate(timeout=20)
		took = time.monotonic() - t
		assert p.returncode == 255
		assert b"Timeout, server 127.0.0.1 not responding." in err
		assert took < 10
	finally:
		for pid in stopped:
			try:
				os.kill(pid, signal.SIGCONT)
			except OSError:
				pass
		if p.poll() is None:
			p.kill()
			p.wait()
		s.stop()


def test_connect_timeout_banner(sesh_bin, sesh_env, workdir):
	"""ConnectTimeout also bounds the banner exchange: a listener that
	accepts and says nothing."""
	lst = socket.socket()
	lst.bind(("127.0.0.1", 0))
	lst.listen(5)
	port = lst.getsockname()[1]
	cfg = workdir / "empty_config"
	cfg.write_text("")
	try:
		t = time.monotonic()
		r = subprocess.run([sesh_bin("sesh"), "-F", str(cfg), "-o",
				    "ConnectTimeout=1", "-o", "BatchMode=yes",
				    "-p", str(port), "root@127.0.0.1", "true"],
				   capture_output=True, env=sesh_env, timeout=30)
		took = time.monotonic() - t
	finally:
		lst.close()
	assert r.returncode == 255
	assert r.stderr == (b"Connection timed out during banner exchange\r\n"
			    b"Connection to 127.0.0.1 port %d timed out\r\n"
			    % port)
	assert 0.9 < took < 5


def test_connect_timeout(sesh_bin, sesh_env, workdir):
	"""A listener whose accept queue is full drops SYNs: connect()
	hangs until ConnectTimeout."""
	lst = socket.socket()
	lst.bind(("127.0.0.1", 0))
	lst.listen(0)
	port = lst.getsockname()[1]
	fillers = []
	try:
		for _ in range(4):
			c = socket.socket()
			c.setblocking(False)
			c.connect_ex(("127.0.0.1", port))
			fillers.append(c)
		probe = socket.socket()
		probe.settimeout(0.5)
		try:
			probe.connect(("127.0.0.1", port))
			pytest.skip("the kernel accepted past the backlog")
		except OSError:
			pass
		finally:
			probe.close()
		cfg = workdir / "empty_config"
		cfg.write_text("")
		t = time.monotonic()
		r = subprocess.run([sesh_bin("sesh"), "-F", str(cfg), "-o",
				    "ConnectTimeout=1", "-o", "BatchMode=yes",
				    "-p", str(port), "root@127.0.0.1", "true"],
				   capture_output=True, env=sesh_env, timeout=30)
		took = time.monotonic() - t
	finally:
		for c in fillers:
			c.close()
		lst.close()
	assert r.returncode == 255
	assert b"Connection timed out" in r.stderr, r.stderr
	assert took < 5
