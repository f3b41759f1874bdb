"""
seshd's connection handling around the sessions: after authentication
the connection's process runs as the user while a small root parent
stays (privilege separation), ClientAliveInterval/ClientAliveCountMax
(a stopped client is dropped with sshd's "Timeout, client not
responding" line; a live one is kept), and a seshd run by an ordinary
user serves that user alone.

Needs root (creates users); skipped otherwise.
"""

import os
import pwd
import re
import shutil
import signal
import subprocess
import time

import pytest

import seshd_server_util as su
from seshd_util import free_port, listening_ports, start_seshd


@pytest.fixture(scope="module")
def user():
	if os.geteuid() != 0:
		pytest.skip("creates users: needs root")
	u = su.make_user()
	try:
		yield u
	finally:
		su.remove_user(u)


@pytest.fixture(scope="module")
def key(user, tmp_path_factory):
	d = tmp_path_factory.mktemp("seshd_conn_keys")
	k = su.make_key(d, "ed25519")
	su.authorize(user, [su.pub_line(k)])
	return k


def test_connection_process_runs_as_user(user, key, sesh_bin, tmp_path):
	with start_seshd(sesh_bin, tmp_path, ["UsePAM no"]) as sd:
		cmd = ('p=$PPID; g=$(awk \'/^PPid:/{print $2}\' /proc/$p/status);'
		       ' echo "$(awk \'/^Uid:/{print $2,$3,$4,$5}\' '
		       '/proc/$p/status)|$(awk \'/^Uid:/{print $2}\' '
		       '/proc/$g/status)|$(cat /proc/$g/comm)"')
		r = su.run_ssh(sd.port, key, f"{user.name}@127.0.0.1", cmd)
		assert r.returncode == 0, r.stderr
		mine, parent, comm = r.stdout.decode().strip().split("|")
		# the process that carries the connection: the user, all of
		# real, effective, saved and filesystem ids
		assert mine.split() == [str(user.uid)] * 4
		# its parent is the privileged one (utmp, PAM session close)
		assert parent == "0"
		assert "seshd" in comm


def test_client_alive_drops_a_stopped_client(user, key, sesh_bin, tmp_path):
	with start_seshd(sesh_bin, tmp_path,
			 ["UsePAM no", "ClientAliveInterval 1",
			  "ClientAliveCountMax 3"]) as sd:
		argv = su.ssh_argv(sd.port, key, f"{user.name}@127.0.0.1", None,
				   "-N")
		p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
				     stdout=subprocess.DEVNULL,
				     stderr=subprocess.DEVNULL)
		try:
			sd.wait_log("Accepted publickey for " + user.name)
			# answers keepalives while it runs: still there after
			# more than interval * countmax
			deadline = time.monotonic() + 4.5
			while time.monotonic() < deadline:
				assert p.poll() is None
				time.sleep(0.1)
			assert "not responding" not in sd.log_text()
			os.kill(p.pid, signal.SIGSTOP)
			t0 = time.monotonic()
			sd.wait_log(re.compile(
				r"Timeout, client not responding from user " +
				user.name + r" 127\.0\.0\.1 port \d+"), timeout=15)
			assert time.monotonic() - t0 < 10
		finally:
			os.kill(p.pid, signal.SIGCONT)
			p.kill()
			p.wait(10)


def test_non_root_seshd_serves_only_its_user(user, key, sesh_bin):
	other = su.make_user()
	d = os.path.join(user.home, "seshd-test")
	proc = None
	try:
		os.makedirs(d, mode=0o700)
		os.chown(d, user.uid, user.gid)
		hk = os.path.join(d, "host_ed25519")
		subprocess.run([sesh_bin("sesh-keygen"), "-q", "-t", "ed25519",
				"-N", "", "-f", hk], check=True,
			       stdout=subprocess.DEVNULL)
		okey = su.make_key(d, "ed25519", name="other_key")
		su.authorize(other, [su.pub_line(okey)])
		for f in os.listdir(d):
			os.chown(os.path.join(d, f), user.uid, user.gid)
		port = free_port()
		cfg = os.path.join(d, "seshd_config")
		with open(cfg, "w") as f:
			f.write(f"Port {port}\nListenAddress 127.0.0.1\n"
				f"HostKey {hk}\nPidFile {d}/seshd.pid\n"
				"UsePAM no\n")
		log = open(os.path.join(d, "seshd.log"), "wb")

		def drop():
			os.setgid(user.gid)
			os.setgroups([])
			os.setuid(user.uid)

		# a copy the user can surely execute (the build folder may
		# be closed to others)
		seshd = os.path.join(d, "seshd")
		shutil.copy(sesh_bin("seshd"), seshd)
		os.chmod(seshd, 0o755)
		proc = subprocess.Popen([seshd, "-D", "-e", "-f", cfg],
					stdin=subprocess.DEVNULL, stdout=log,
					stderr=subprocess.STDOUT,
					preexec_fn=drop)
		deadline = time.monotonic() + 15
		while port not in listening_ports():
			assert proc.poll() is None, open(log.name).read()
			assert time.monotonic() < deadline
			time.sleep(0.02)
		# its own user logs in, and the session runs as that user
		r = su.run_ssh(port, key, f"{user.name}@127.0.0.1", "id -u")
		assert r.returncode == 0, r.stderr + open(log.name, "rb").read()
		assert r.stdout == f"{user.uid}\n".encode()
		# another user with a valid key is refused
		r = su.run_ssh(port, okey, f"{other.name}@127.0.0.1", "id -u")
		assert r.returncode == 255
		assert b"Permission denied" in r.stderr
		# a password cannot be checked without root: refused, and
		# the server keeps serving
		e = su.askpass_env(d, user.password)
		r = subprocess.run(
			su.ssh_argv(port, None, f"{user.name}@127.0.0.1", "true",
				    *su.password_opts()),
			capture_output=True, timeout=60, env=e,
			stdin=subprocess.DEVNULL)
		assert r.returncode == 255
		r = su.run_ssh(port, key, f"{user.name}@127.0.0.1", "echo again")
		assert r.stdout == b"again\n"
		assert pwd.getpwuid(os.stat(f"/proc/{proc.pid}").st_uid
				    ).pw_name == user.name
	finally:
		if proc is not None:
			proc.terminate()
			try:
				proc.wait(10)
			except subprocess.TimeoutExpired:
				proc.kill()
				proc.wait(10)
		su.remove_user(other)


def test_force_command(user, key, sesh_bin, tmp_path):
	with start_seshd(sesh_bin, tmp_path,
			 ["UsePAM no",
			  "ForceCommand echo forced:$SSH_ORIGINAL_COMMAND"]) as sd:
		r = su.run_ssh(sd.port, key, f"{user.name}@127.0.0.1",
			       "echo asked")
		assert r.returncode == 0, r.stderr
		assert r.stdout == b"forced:echo asked\n"


@pytest.mark.parametrize("permit", ["yes", "no"])
def test_authorized_keys_environment(user, key, sesh_bin, tmp_path,
				     permit):
	su.authorize(user, ['environment="SESHTEST_E=from-key" ' +
			    su.pub_line(key)])
	try:
		with start_seshd(sesh_bin, tmp_path,
				 ["UsePAM no",
				  f"PermitUserEnvironment {permit}"]) as sd:
			r = su.run_ssh(sd.port, key, f"{user.name}@127.0.0.1",
				       'echo "${SESHTEST_E:-unset}"')
			assert r.returncode == 0, r.stderr
			want = b"from-key\n" if permit == "yes" else b"unset\n"
			assert r.stdout == want
	finally:
		su.authorize(user, [su.pub_line(key)])


def test_disconnect_mid_kex_leaves_server_serving(user, key, sesh_bin,
						  tmp_path):
	import socket
	with start_seshd(sesh_bin, tmp_path, ["UsePAM no"]) as sd:
		for cut in (10, 200):
			s = socket.create_connection(("127.0.0.1", sd.port), 10)
			s.settimeout(10)
			ident = s.recv(256)
			assert ident.startswith(b"SSH-2.0-")
			# our identification, then part of a KEXINIT packet
			pkt = b"\x00\x00\x01\xfc\x0a\x14" + os.urandom(250)
			s.sendall(b"SSH-2.0-OpenSSH_9.2\r\n" + pkt[:cut])
			s.close()
		r = su.run_ssh(sd.port, key, f"{user.name}@127.0.0.1",
			       "echo still-serving")
		assert r.stdout == b"still-serving\n", r.stderr
		# sshd's words (reset: our KEXINIT was unread; a KEXINIT cut
		# short may also be judged malformed at once)
		sd.wait_log(re.compile(r"(Connection (closed|reset) by|"
				       r"Disconnecting) 127\.0\.0\.1 port \d+"
				       r".* \[preauth\]"))


def first_motd_line():
	try:
		with open("/etc/motd") as f:
			for line in f:
				if line.strip():
					return line.strip()
	except OSError:
		pass
	return None


@pytest.mark.parametrize("print_motd", ["yes", "no"])
def test_print_motd(user, key, sesh_bin, tmp_path, print_motd):
	pexpect = pytest.importorskip("pexpect")
	line = first_motd_line()
	if line is None:
		pytest.skip("no /etc/motd text to look for")
	with start_seshd(sesh_bin, tmp_path,
			 ["UsePAM no", f"PrintMotd {print_motd}",
			  "PrintLastLog no"]) as sd:
		argv = su.ssh_argv(sd.port, key, f"{user.name}@127.0.0.1", None,
				   tty=True)
		child = pexpect.spawn(argv[0], argv[1:], timeout=20)
		try:
			child.sendline("PS1='SE''SHPROMPT> '")
			child.expect("SESHPROMPT> ")
			text = child.before.decode("utf-8", "replace")
			child.sendline("exit")
			child.expect(pexpect.EOF)
		finally:
			child.close()
		assert (line in text) == (print_motd == "yes"), text


def test_quickack_only_during_setup(user, key, sesh_bin, tmp_path):
	"""seshd ACKs at once while the handshake, login and session set-up
	run (OpenSSH's client keeps Nagle on for a command, so each of its
	small writes waits for the previous one's ACK), and then leaves bulk
	data to the kernel's delayed ACKs: a bounded number of TCP_QUICKACK
	calls however much data follows."""
	strace = shutil.which("strace")
	if strace is None:
		pytest.skip("strace not installed")
	log = tmp_path / "strace.log"
	env = dict(os.environ)
	# LeakSanitizer needs ptrace at exit, which strace holds
	env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
	sd = start_seshd(sesh_bin, tmp_path, ["UsePAM no"], env=env,
			 wrap=[strace, "-f", "-qq", "--seccomp-bpf", "-e",
			       "trace=setsockopt",
			       "-o", str(log)])
	try:
		r = su.run_ssh(sd.port, key, f"{user.name}@127.0.0.1",
			       "cat >/dev/null; echo done", stdin=b"x" * (32 << 20))
		assert r.returncode == 0, r.stderr
		assert r.stdout == b"done\n"
	finally:
		pid = int(open(sd.pid_file).read()) if os.path.exists(
			sd.pid_file) else None
		sd.stop()
		if pid is not None:
			try:
				os.kill(pid, signal.SIGTERM)
			except ProcessLookupError:
				pass
	calls = log.read_text().count("TCP_QUICKACK")
	assert 3 <= calls <= 32, calls
