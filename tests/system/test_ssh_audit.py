"""
A default install against Debian's ssh-audit (issue 7): the programs and
the commented default seshd_config installed by `cmake --install` (into a
temporary prefix, whose seshd_config then names its HostKey files), host
keys made by `sesh-keygen -A -f <prefix>` (RSA, ECDSA, Ed25519, as
OpenSSH's ssh-keygen -A), seshd run with that configuration on
127.0.0.1:<ephemeral> (-o only for the address, port, pid file and a
test authorized_keys file).

Checked: ssh-audit reports no [fail] (and exits neither with FAILURE nor
a connection error); its JSON lists no NIST-curve KEX or ECDSA host key;
OpenSSH's ssh with its built-in defaults (-F none) and paramiko with its
defaults log in to that server by publickey; the ECDSA key that -A makes
and the NIST-curve exchanges stay usable by configuration and are refused
without it. Needs root (logs in as root through the installed PAM
service, as the installed config says UsePAM yes); skipped without
ssh-audit.
"""

import json
import os
import re
import shutil
import subprocess

import pytest

import copyid_util as cu
import seshd_server_util as su
from seshd_util import _wait_ready, free_port

SSH_AUDIT = shutil.which("ssh-audit")
# ssh-audit's exit codes (ssh_audit/exitcodes.py)
AUDIT_CONN_ERROR, AUDIT_FAILURE = 1, 3

pytestmark = [
	pytest.mark.skipif(SSH_AUDIT is None,
			   reason="ssh-audit is not installed "
			   "(scripts/deps.sh test installs Debian's)"),
	pytest.mark.skipif(os.geteuid() != 0,
			   reason="the installed config says UsePAM yes; the "
			   "tests log in as root: needs root"),
]


class Server:
	def __init__(self, prefix, workdir, extra=()):
		self.prefix = prefix
		self.conf = prefix / "etc/sesh/seshd_config"
		self.log_path = workdir / "seshd.log"
		self.proc = None
		self._log = None
		self.port = None
		self.extra = list(extra)

	def start(self, ak):
		seshd = str(self.prefix / "bin/seshd")
		last = ""
		for _attempt in range(5):
			self.port = free_port()
			argv = [seshd, "-D", "-e", "-f", str(self.conf)]
			for o in ["ListenAddress=127.0.0.1", f"Port={self.port}",
				  f"PidFile={self.log_path.parent}/seshd.pid",
				  f"AuthorizedKeysFile={ak}",
				  "StrictModes=no"] + self.extra:
				argv += ["-o", o]
			self._log = open(self.log_path, "wb")
			self.proc = subprocess.Popen(
				argv, stdin=subprocess.DEVNULL, stdout=self._log,
				stderr=subprocess.STDOUT)
			if _wait_ready(self.proc, [self.port], 15):
				return self
			last = self.log_text()
			self.stop()
			if "in use" not in last:
				break
		raise AssertionError("seshd did not start:\n" + last)

	def log_text(self):
		try:
			return self.log_path.read_bytes().decode("utf-8", "replace")
		except OSError:
			return ""

	def stop(self):
		if self.proc is not None and self.proc.poll() is None:
			self.proc.terminate()
			try:
				self.proc.wait(10)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait(10)
		if self._log is not None:
			self._log.close()
			self._log = None


@pytest.fixture(scope="module")
def install(tmp_path_factory, sesh_bin):
	sesh_bin("seshd")
	sesh_bin("sesh-keygen")
	build = os.path.dirname(os.path.dirname(sesh_bin("sesh")))
	base = tmp_path_factory.mktemp("audit")
	prefix = base / "pfx"
	cu.install(build, prefix, prefix / "etc")
	r = subprocess.run([str(prefix / "bin/sesh-keygen"), "-A", "-f",
			    str(prefix)], capture_output=True, timeout=120)
	assert r.returncode == 0, r.stderr.decode()
	conf = (prefix / "etc/sesh/seshd_config").read_text()
	hostkeys = re.findall(r"^HostKey (\S+)$", conf, re.M)
	assert len(hostkeys) == 3, conf
	for k in hostkeys:
		assert os.path.isfile(k), f"sesh-keygen -A did not make {k}"
	key = su.make_key(base, "ed25519", name="user_key")
	ak = base / "authorized_keys"
	ak.write_text(su.pub_line(key) + "\n")
	ak.chmod(0o600)
	return {"prefix": prefix, "base": base, "key": key, "ak": ak}


@pytest.fixture(scope="module")
def server(install):
	d = install["base"] / "default"
	d.mkdir()
	s = Server(install["prefix"], d).start(install["ak"])
	try:
		yield s
	finally:
		s.stop()


def run_audit(port, *opts):
	return subprocess.run([SSH_AUDIT, *opts, "-p", str(port), "127.0.0.1"],
			      capture_output=True, timeout=120)


def test_ssh_audit_reports_no_failure(server):
	r = run_audit(server.port, "-n")
	out = r.stdout.decode("utf-8", "replace")
	report = out + r.stderr.decode("utf-8", "replace")
	# a real audit: it saw our banner and our key exchanges
	assert "SSH-2.0-sesh" in out, report
	assert re.search(r"^\(kex\) curve25519-sha256 ", out, re.M), report
	fails = [l for l in out.splitlines() if "[fail]" in l]
	assert fails == [], report
	assert r.returncode not in (AUDIT_CONN_ERROR, AUDIT_FAILURE), report
	for line in out.splitlines():
		if "[warn]" in line:
			print(line)  # noted in docs/hardening.md


def test_ssh_audit_json_lists(server):
	r = run_audit(server.port, "-j")
	doc = json.loads(r.stdout.decode())
	kex = [a["algorithm"] for a in doc["kex"]]
	keys = [a["algorithm"] for a in doc["key"]]
	assert "curve25519-sha256" in kex
	assert not [k for k in kex if k.startswith("ecdh-sha2-")], kex
	assert not [k for k in keys if k.startswith("ecdsa-")], keys
	assert "ssh-ed25519" in keys and "rsa-sha2-512" in keys, keys
	rsa = [a for a in doc["key"] if a["algorithm"] == "rsa-sha2-512"]
	assert rsa[0].get("keysize", 0) >= 3072, rsa
	assert not [m for m in doc["mac"] if "sha1" in m or "md5" in m or
		    "umac-64" in m], doc["mac"]


def ssh_defaults(port, key, known_hosts, *opts):
	"""ssh with its built-in defaults: no config file; only the key, a
	fresh known_hosts and no prompts are given."""
	argv = [su.SSH, "-F", "none", "-p", str(port), *opts,
		"-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=accept-new",
		"-o", f"UserKnownHostsFile={known_hosts}",
		"-o", "ConnectTimeout=10", "-v", "-T", "root@127.0.0.1",
		"echo audit-login-ok"]
	return subprocess.run(argv, capture_output=True, timeout=60)


def test_openssh_defaults_log_in(install, server, tmp_path):
	kh = tmp_path / "known_hosts"
	r = ssh_defaults(server.port, install["key"], kh)
	err = r.stderr.decode("utf-8", "replace")
	assert r.returncode == 0, err[-3000:] + server.log_text()[-2000:]
	assert r.stdout == b"audit-login-ok\n"
	assert 'using "publickey"' in err
	assert "kex: host key algorithm: ssh-ed25519" in err
	assert "ssh-ed25519" in kh.read_text()


def test_paramiko_defaults_log_in(install, server):
	paramiko = pytest.importorskip("paramiko")
	c = paramiko.SSHClient()
	c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
	try:
		c.connect("127.0.0.1", port=server.port, username="root",
			  key_filename=install["key"], look_for_keys=False,
			  allow_agent=False, timeout=20, banner_timeout=20,
			  auth_timeout=20)
		assert c.get_transport().is_authenticated()
		stdin, stdout, stderr = c.exec_command("echo paramiko-ok",
						       timeout=20)
		out = stdout.read()
		status = stdout.channel.recv_exit_status()
		for f in (stdin, stdout, stderr):
			f.close()
	finally:
		c.close()
	assert out == b"paramiko-ok\n"
	assert status == 0
	assert "Accepted publickey for root" in server.log_text()


def test_nist_algorithms_need_configuration(install, server, tmp_path):
	# off by default: an ssh that only speaks them is refused ...
	only = ["-o", "KexAlgorithms=ecdh-sha2-nistp256",
		"-o", "HostKeyAlgorithms=ecdsa-sha2-nistp256"]
	r = ssh_defaults(server.port, install["key"], tmp_path / "kh1", *only)
	assert r.returncode == 255
	assert b"no matching" in r.stderr, r.stderr.decode()[-2000:]
	# ... and back with one line each: the ECDSA key -A made is used
	d = install["base"] / "nist"
	d.mkdir(exist_ok=True)
	s = Server(install["prefix"], d,
		   ["KexAlgorithms=+ecdh-sha2-nistp256",
		    "HostKeyAlgorithms=+ecdsa-sha2-nistp256"])
	s.start(install["ak"])
	try:
		kh = tmp_path / "kh2"
		r = ssh_defaults(s.port, install["key"], kh, *only)
		err = r.stderr.decode("utf-8", "replace")
		assert r.returncode == 0, err[-3000:] + s.log_text()[-2000:]
		assert r.stdout == b"audit-login-ok\n"
		assert "kex: algorithm: ecdh-sha2-nistp256" in err
		pub = (install["prefix"] /
		       "etc/sesh/ssh_host_ecdsa_key.pub").read_text().split()
		assert pub[1] in kh.read_text()
	finally:
		s.stop()
