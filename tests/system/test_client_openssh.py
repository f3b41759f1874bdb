"""
sesh (the client) against OpenSSH's sshd on 127.0.0.1.

Each test module run starts Debian's /usr/sbin/sshd in the foreground
(-D -e) with a temporary configuration: an ephemeral port found by
binding 127.0.0.1:0, a fresh ed25519 host key, AuthorizedKeysFile in the
temporary directory, publickey only (PasswordAuthentication no, UsePAM
no), PidFile none, StrictModes no. It logs in as root, so it needs root;
it skips otherwise. The tests run one exec command and check stdout,
stderr and the exit status, standard input passed through `cat`, a
refused key (Permission denied, 255) and a refused connection (255).
"""

import os
import shutil
import socket
import subprocess
import time

import pytest

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = shutil.which("ssh-keygen")


def free_port():
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	s.bind(("127.0.0.1", 0))
	port = s.getsockname()[1]
	s.close()
	return port


def wait_listening(proc, port, tries=500):
	"""Polls connect() until sshd accepts; bounded by a try count."""
	for _ in range(tries):
		if proc.poll() is not None:
			return False
		try:
			with socket.create_connection(("127.0.0.1", port), 1):
				return True
		except OSError:
			time.sleep(0.02)
	return False


def start_sshd(tmp_path_factory, sesh_bin, password):
	if os.geteuid() != 0:
		pytest.skip("logs in to sshd as root: needs root")
	if not os.access(SSHD, os.X_OK) or SSH_KEYGEN is None:
		pytest.skip("OpenSSH server (sshd, ssh-keygen) not installed")
	keygen = sesh_bin("sesh-keygen")
	d = tmp_path_factory.mktemp("sshd")
	os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
	hostkey = d / "host_ed25519"
	subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f",
			str(hostkey)], check=True)
	userkey = d / "user_ed25519"
	subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f",
			str(userkey)], check=True)
	otherkey = d / "other_ed25519"
	subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f",
			str(otherkey)], check=True)
	auth = d / "authorized_keys"
	shutil.copy(str(userkey) + ".pub", auth)
	port = free_port()
	cfg = d / "sshd_config"
	cfg.write_text(
		f"ListenAddress 127.0.0.1\n"
		f"Port {port}\n"
		f"HostKey {hostkey}\n"
		f"AuthorizedKeysFile {auth}\n"
		f"PasswordAuthentication {'yes' if password else 'no'}\n"
		"KbdInteractiveAuthentication no\n"
		"UsePAM no\n"
		"PidFile none\n"
		"StrictModes no\n"
		"PermitRootLogin yes\n"
		"LogLevel VERBOSE\n")
	log = open(d / "sshd.log", "wb")
	proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(cfg), "-h",
				 str(hostkey), "-p", str(port)],
				stdout=log, stderr=subprocess.STDOUT)
	try:
		if not wait_listening(proc, port):
			pytest.fail("sshd did not start: " +
				    (d / "sshd.log").read_text())
		yield {"port": port, "key": str(userkey),
		       "other": str(otherkey), "dir": d}
	finally:
		proc.kill()
		proc.wait()
		log.close()


@pytest.fixture(scope="module")
def sshd(tmp_path_factory, sesh_bin):
	yield from start_sshd(tmp_path_factory, sesh_bin, False)


@pytest.fixture(scope="module")
def sshd_pw(tmp_path_factory, sesh_bin):
	yield from start_sshd(tmp_path_factory, sesh_bin, True)


def run_sesh(sesh_bin, sesh_env, srv, key, command, stdin=None,
	     port=None, batch=True, extra=()):
	kh = srv["dir"] / "known_hosts_test"
	cfg = srv["dir"] / "empty_config"
	cfg.write_text("")
	# extra options come first: for -o the first value wins
	argv = [sesh_bin("sesh"), "-F", str(cfg), *extra,
		"-p", str(port or srv["port"]), "-i", key,
		"-o", "StrictHostKeyChecking=no",
		"-o", f"UserKnownHostsFile={kh}",
		"-o", f"BatchMode={'yes' if batch else 'no'}",
		"root@127.0.0.1", command]
	return subprocess.run(argv, input=stdin, capture_output=True,
			      env=sesh_env, timeout=60)


def test_exec_stdout_stderr_status(sshd, sesh_bin, sesh_env):
	r = run_sesh(sesh_bin, sesh_env, sshd, sshd["key"],
		     "echo hello; echo err >&2; exit 3", stdin=b"")
	assert r.stdout == b"hello\n", r.stderr
	assert b"err" in r.stderr
	assert r.returncode == 3, r.stderr


def test_stdin_through_cat(sshd, sesh_bin, sesh_env):
	data = b"".join(b"line %d\n" % i for i in range(20000))
	r = run_sesh(sesh_bin, sesh_env, sshd, sshd["key"], "cat",
		     stdin=data)
	assert r.returncode == 0, r.stderr
	assert r.stdout == data


def test_known_hosts_learned(sshd, sesh_bin, sesh_env):
	r = run_sesh(sesh_bin, sesh_env, sshd, sshd["key"], "true",
		     stdin=b"")
	assert r.returncode == 0, r.stderr
	kh = (sshd["dir"] / "known_hosts_test").read_text()
	assert f"[127.0.0.1]:{sshd['port']} ssh-ed25519 " in kh


def test_known_hosts_hashed(sshd, sesh_bin, sesh_env):
	"""HashKnownHosts yes writes a |1| line, which the next login
	finds (StrictHostKeyChecking yes would refuse otherwise)."""
	kh = sshd["dir"] / "known_hosts_test"
	if kh.exists():
		kh.unlink()
	r = run_sesh(sesh_bin, sesh_env, sshd, sshd["key"], "true",
		     stdin=b"", extra=("-o", "HashKnownHosts=yes"))
	assert r.returncode == 0, r.stderr
	text = kh.read_text()
	assert text.startswith("|1|") and " ssh-ed25519 " in text
	assert "127.0.0.1" not in text
	r = run_sesh(sesh_bin, sesh_env, sshd, sshd["key"], "echo again",
		     stdin=b"", extra=("-o", "StrictHostKeyChecking=yes"))
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"again\n"


def test_wrong_key_denied(sshd, sesh_bin, sesh_env):
	r = run_sesh(sesh_bin, sesh_env, sshd, sshd["other"], "echo no",
		     stdin=b"")
	assert r.returncode == 255
	assert b"Permission denied" in r.stderr
	assert r.stdout == b""


def test_connection_refused(sshd, sesh_bin, sesh_env):
	port = free_port()
	r = run_sesh(sesh_bin, sesh_env, sshd, sshd["key"], "true",
		     stdin=b"", port=port)
	assert r.returncode == 255
	assert b"sesh: connect to host 127.0.0.1 port %d" % port in r.stderr
	assert b"Connection refused" in r.stderr


def test_wrong_key_denied_message_lists_methods(sshd, sesh_bin, sesh_env):
	r = run_sesh(sesh_bin, sesh_env, sshd, sshd["other"], "true",
		     stdin=b"")
	assert r.returncode == 255
	assert b"root@127.0.0.1: Permission denied (publickey)." in r.stderr


def test_askpass_forced_password(sshd_pw, sesh_bin, sesh_env):
	"""A wrong password from SSH_ASKPASS: asked three times with ssh's
	prompt, then refused; a right key still logs in on this server."""
	d = sshd_pw["dir"]
	log = d / "askpass.log"
	script = d / "askpass.sh"
	script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> {log}\n"
			  "echo not-the-password\n")
	script.chmod(0o755)
	env = dict(sesh_env)
	env["SSH_ASKPASS"] = str(script)
	env["SSH_ASKPASS_REQUIRE"] = "force"
	r = run_sesh(sesh_bin, env, sshd_pw, sshd_pw["other"], "true",
		     stdin=b"", batch=False)
	assert r.returncode == 255
	assert (b"root@127.0.0.1: Permission denied (publickey,password)."
		in r.stderr)
	assert log.read_text() == "root@127.0.0.1's password: \n" * 3
	r = run_sesh(sesh_bin, env, sshd_pw, sshd_pw["key"], "echo ok",
		     stdin=b"", batch=False)
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"ok\n"
