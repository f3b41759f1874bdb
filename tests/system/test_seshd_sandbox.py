"""
test_seshd_sandbox.py - seshd as root runs each connection's engine, and
every parser of unauthenticated bytes, in a child confined by
app/sandbox.h (chroot to an empty folder, an unprivileged uid, no new
privileges, rlimits, a seccomp allow-list) under a privileged monitor
that holds the host keys and decides authentication
(docs/architecture.md, "Server processes").

Checked from outside: the child's /proc entries during the key exchange
(uid, root folder, NoNewPrivs, Seccomp, no host key file open); a
debug build of seshd (seshd-testhooks, tests/hooks/) whose child tries
to open a file or fork is killed by SIGSYS and the daemon serves on;
`seshd -T` names the sandbox; logins still work through the monitor;
SandboxUser picks the child's user and a missing one fails `seshd -t`.
"""
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

from seshd_util import start_seshd
from seshd_server_util import make_key, pub_line, run_ssh

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
				reason="the sandbox needs root")


def children(pid):
	out = []
	for d in os.listdir("/proc"):
		if not d.isdigit():
			continue
		try:
			with open(f"/proc/{d}/stat") as f:
				fields = f.read().rsplit(")", 1)[1].split()
		except OSError:
			continue
		if int(fields[1]) == pid:
			out.append(int(d))
	return out


def status(pid):
	st = {}
	with open(f"/proc/{pid}/status") as f:
		for line in f:
			k, _, v = line.partition(":")
			st[k] = v.strip()
	return st


def open_preauth(port):
	"""A connection that has exchanged versions and sits before KEX."""
	s = socket.create_connection(("127.0.0.1", port), 10)
	s.sendall(b"SSH-2.0-sandbox-probe\r\n")
	s.settimeout(10)
	data = b""
	while b"\n" not in data:
		data += s.recv(256)
	assert data.startswith(b"SSH-2.0-"), data
	return s


def find_child(listener, timeout=10):
	"""(monitor, child) under the listener."""
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		for m in children(listener):
			kids = children(m)
			if kids:
				return m, kids[0]
		time.sleep(0.05)
	raise AssertionError("no pre-authentication child appeared")


def test_preauth_child_is_confined(sesh_bin, tmp_path):
	with start_seshd(sesh_bin, tmp_path, []) as d:
		s = open_preauth(d.port)
		try:
			mon, child = find_child(d.proc.pid)
			ms, cs = status(mon), status(child)
			assert ms["Uid"].split()[0] == "0"  # the monitor
			uids = set(cs["Uid"].split())
			assert len(uids) == 1 and "0" not in uids, cs["Uid"]
			try:
				want = pwd.getpwnam("sesh").pw_uid
			except KeyError:
				want = pwd.getpwnam("nobody").pw_uid
			assert uids == {str(want)}
			assert cs["Gid"].split()[0] != "0"
			assert cs["NoNewPrivs"] == "1"
			assert cs["Seccomp"] == "2"  # filter mode
			assert os.readlink(f"/proc/{child}/root") == \
				"/run/sesh/empty"
			assert os.listdir("/run/sesh/empty") == []
			# no host key, no config, no log file among its fds:
			# stdio is /dev/null (it logs through the monitor), but
			# in a sanitizer build, whose reports need stderr
			sanitizer = "sanitizer build" in dump_last(sesh_bin, d)
			for fd in os.listdir(f"/proc/{child}/fd"):
				target = os.readlink(f"/proc/{child}/fd/{fd}")
				if int(fd) <= 2:
					assert sanitizer or target == "/dev/null", \
						(fd, target)
					continue
				assert not target.startswith(str(tmp_path)), target
				assert "ssh_host" not in target, target
		finally:
			s.close()


def test_login_through_the_monitor(sesh_bin, tmp_path):
	key = make_key(tmp_path, "ed25519")
	with start_seshd(sesh_bin, tmp_path, ["LogLevel VERBOSE"],
			 user_keys=[pub_line(key)]) as d:
		r = run_ssh(d.port, key, "root@127.0.0.1", "echo through")
		assert r.returncode == 0, r.stderr
		assert r.stdout == b"through\n"
		log = d.log_text()
		assert re.search(r"Accepted publickey for root from 127\.0\.0\.1"
				 r" port \d+ ssh2: ED25519 SHA256:", log), log
		assert "killed by signal" not in log


@pytest.mark.parametrize("what", ["open", "fork"])
def test_sandbox_kills_escape(sesh_bin, tmp_path, what):
	hooks = os.path.join(os.path.dirname(sesh_bin("seshd")), "..",
			     "tests", "seshd-testhooks")
	if not os.path.exists(hooks):
		pytest.skip("seshd-testhooks not built")
	env = dict(os.environ, SESH_TEST_SANDBOX_ESCAPE=what)
	key = make_key(tmp_path, "ed25519")

	def hooked(name):
		return os.path.abspath(hooks) if name == "seshd" \
			else sesh_bin(name)
	with start_seshd(hooked, tmp_path, ["LogLevel VERBOSE"],
			 user_keys=[pub_line(key)], env=env) as d:
		for _ in range(2):  # and the daemon serves on
			r = run_ssh(d.port, key, "root@127.0.0.1", "echo no")
			assert r.returncode == 255
			assert r.stdout == b""
		deadline = time.monotonic() + 10
		while time.monotonic() < deadline and \
				d.log_text().count("killed by signal 31") < 2:
			time.sleep(0.05)
		log = d.log_text()
		assert log.count("killed by signal 31 (a system call the "
				 "sandbox forbids)") == 2, log
		assert "sandbox escape" not in log, log


def dump_last(sesh_bin, d):
	r = subprocess.run([sesh_bin("seshd"), "-T", "-f", d.config],
			   capture_output=True, timeout=30)
	assert r.returncode == 0, r.stderr
	return r.stdout.decode().strip().splitlines()[-1]


def test_dump_names_the_sandbox(sesh_bin, tmp_path):
	with start_seshd(sesh_bin, tmp_path, []) as d:
		last = dump_last(sesh_bin, d)
	assert last.startswith("sandbox seccomp (chroot /run/sesh/empty"), last


@pytest.fixture
def system_user():
	"""A system user made for one test (useradd -r, with its own group),
	removed after it."""
	if shutil.which("useradd") is None or shutil.which("userdel") is None:
		pytest.skip("useradd/userdel not installed")
	name = f"seshsbx{os.getpid() % 100000}"
	subprocess.run(["userdel", name], capture_output=True)  # a leftover
	r = subprocess.run(["useradd", "-r", "-U", "-M", "-d", "/nonexistent",
			    "-s", "/usr/sbin/nologin", name],
			   capture_output=True, timeout=30)
	assert r.returncode == 0, r.stderr
	try:
		yield pwd.getpwnam(name)
	finally:
		subprocess.run(["userdel", name], capture_output=True,
			       timeout=30)


def test_sandbox_user_is_configurable(sesh_bin, tmp_path, system_user):
	"""SandboxUser (a sesh extension): the pre-authentication child runs
	with that user's ids; -T says so."""
	pw = system_user
	assert pw.pw_uid != 0 and pw.pw_gid != 0
	with start_seshd(sesh_bin, tmp_path,
			 [f"SandboxUser {pw.pw_name}"]) as d:
		s = open_preauth(d.port)
		try:
			_, child = find_child(d.proc.pid)
			cs = status(child)
			assert cs["Uid"].split() == [str(pw.pw_uid)] * 4, cs["Uid"]
			assert cs["Gid"].split() == [str(pw.pw_gid)] * 4, cs["Gid"]
			assert cs["Groups"] == "", cs["Groups"]
			assert cs["Seccomp"] == "2"
		finally:
			s.close()
		r = subprocess.run([sesh_bin("seshd"), "-T", "-f", d.config],
				   capture_output=True, timeout=30)
		assert r.returncode == 0, r.stderr
		out = r.stdout.decode().splitlines()
		assert f"sandboxuser {pw.pw_name}" in out, out
		assert f", user {pw.pw_name}, " in out[-1], out[-1]


def test_sandbox_user_must_exist(sesh_bin, tmp_path):
	cfg = tmp_path / "bad_config"
	cfg.write_text("Port 22\nSandboxUser no-such-sesh-user\n")
	r = subprocess.run([sesh_bin("seshd"), "-t", "-f", str(cfg)],
			   capture_output=True, timeout=30)
	assert r.returncode != 0
	assert f"{cfg} line 2: SandboxUser: no such user " \
		"\"no-such-sesh-user\"." in r.stderr.decode(), r.stderr
	cfg.write_text("SandboxUser root\n")
	r = subprocess.run([sesh_bin("seshd"), "-t", "-f", str(cfg)],
			   capture_output=True, timeout=30)
	assert r.returncode != 0
	assert "line 1: SandboxUser: user \"root\" has uid or gid 0." in \
		r.stderr.decode(), r.stderr


def test_reload_during_a_login_keeps_it(sesh_bin, tmp_path):
	"""SIGHUP re-executes the listener, which closes its sockets to the
	connections in progress: one that authenticates afterwards cannot be
	handed to the listener, so its monitor carries it on itself."""
	paramiko = pytest.importorskip("paramiko")
	key = make_key(tmp_path, "ed25519")
	with start_seshd(sesh_bin, tmp_path, ["LogLevel VERBOSE"],
			 user_keys=[pub_line(key)]) as d:
		sock = socket.create_connection(("127.0.0.1", d.port), 10)
		t = paramiko.Transport(sock)
		try:
			t.start_client(timeout=10)
			os.kill(d.proc.pid, signal.SIGHUP)
			deadline = time.monotonic() + 10
			while time.monotonic() < deadline and \
					"Received SIGHUP" not in d.log_text():
				time.sleep(0.05)
			time.sleep(0.3)  # the new image is listening again
			t.auth_publickey(
				"root", paramiko.Ed25519Key.from_private_key_file(
					key))
			ch = t.open_session(timeout=10)
			ch.exec_command("echo kept")
			out = ch.makefile("rb").read()
			assert ch.recv_exit_status() == 0
			assert out == b"kept\n"
		finally:
			t.close()
		log = d.log_text()
		assert "carried on by its monitor" in log, log
		# and the reloaded daemon serves new logins as before
		r = run_ssh(d.port, key, "root@127.0.0.1", "echo again")
		assert r.returncode == 0, r.stderr
		assert r.stdout == b"again\n"


def test_publickey_twice_needs_two_keys(sesh_bin, tmp_path):
	"""AuthenticationMethods publickey,publickey through the monitor:
	the same key cannot pass both steps (sshd's "refusing
	previously-used" key), a second key can."""
	paramiko = pytest.importorskip("paramiko")
	k1 = make_key(tmp_path, "ed25519", name="k1")
	k2 = make_key(tmp_path, "ed25519", name="k2")
	with start_seshd(sesh_bin, tmp_path,
			 ["LogLevel VERBOSE",
			  "AuthenticationMethods publickey,publickey"],
			 user_keys=[pub_line(k1), pub_line(k2)]) as d:
		key1 = paramiko.Ed25519Key.from_private_key_file(k1)
		key2 = paramiko.Ed25519Key.from_private_key_file(k2)
		sock = socket.create_connection(("127.0.0.1", d.port), 10)
		t = paramiko.Transport(sock)
		try:
			t.start_client(timeout=10)
			assert t.auth_publickey("root", key1) == ["publickey"]
			assert not t.is_authenticated()
			with pytest.raises(paramiko.AuthenticationException):
				t.auth_publickey("root", key1)
			assert not t.is_authenticated()
			assert t.auth_publickey("root", key2) == []
			assert t.is_authenticated()
		finally:
			t.close()
		log = d.log_text()
		assert "Partial publickey for root" in log, log
		assert "refusing previously-used ED25519 key" in log, log
		assert "Accepted publickey for root" in log, log
		# one key alone does not get in
		r = run_ssh(d.port, k1, "root@127.0.0.1", "echo no")
		assert r.returncode == 255
