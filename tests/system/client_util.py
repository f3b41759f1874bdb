"""
Helpers for the client's system tests (test_client_*.py): OpenSSH's
sshd started as root on an ephemeral loopback port with its own
configuration, host keys and authorized_keys, and a sesh command line
builder.

Sshd(d, extra=..., hostkeys=...) writes <d>/sshd_config, starts
/usr/sbin/sshd -D -e and waits (bounded) until it accepts connections;
stop() kills it. The default configuration logs root in with the
public key <d>/user_ed25519 (publickey only, no PAM); `extra` lines
are added (later lines of sshd_config lose to earlier ones, so extra
comes first).
"""

import os
import random
import shutil
import socket
import subprocess
import time

import pytest

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = shutil.which("ssh-keygen")


def need_root_sshd():
	if os.geteuid() != 0:
		pytest.skip("logs in to sshd as root: needs root")
	if not os.access(SSHD, os.X_OK) or SSH_KEYGEN is None:
		pytest.skip("OpenSSH server (sshd, ssh-keygen) not installed")


def free_port():
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	s.bind(("127.0.0.1", 0))
	port = s.getsockname()[1]
	s.close()
	return port


def keygen(path, kind="ed25519", bits=None, passphrase="", comment=None):
	argv = [SSH_KEYGEN, "-q", "-t", kind, "-N", passphrase, "-f",
		str(path)]
	if bits:
		argv += ["-b", str(bits)]
	if comment:
		argv += ["-C", comment]
	subprocess.run(argv, check=True)
	return str(path)


def wait_for(cond, timeout=10.0, step=0.01):
	"""Polls cond() until true or the deadline; returns the last value."""
	end = time.monotonic() + timeout
	while True:
		v = cond()
		if v or time.monotonic() > end:
			return v
		time.sleep(step)


class Sshd:
	def __init__(self, d, extra="", hostkeys=None, authorized=None):
		need_root_sshd()
		self.dir = d
		os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
		d.mkdir(parents=True, exist_ok=True)
		if hostkeys is None:
			hostkeys = [keygen(d / "host_ed25519")]
		self.hostkeys = hostkeys
		self.key = str(d / "user_ed25519")
		if not os.path.exists(self.key):
			keygen(self.key)
		self.auth = d / "authorized_keys"
		keys = [self.key + ".pub"] + list(authorized or [])
		self.auth.write_text("".join(open(k).read() for k in keys))
		self.known_hosts = d / "known_hosts"
		self.extra = extra
		self.proc = None
		self.start()

	def start(self):
		d = self.dir
		for _ in range(5):
			self.port = free_port()
			cfg = d / "sshd_config"
			cfg.write_text(
				self.extra +
				f"\nListenAddress 127.0.0.1\n"
				f"Port {self.port}\n" +
				"".join(f"HostKey {k}\n" for k in self.hostkeys) +
				f"AuthorizedKeysFile {self.auth}\n"
				"PasswordAuthentication no\n"
				"KbdInteractiveAuthentication no\n"
				"UsePAM no\n"
				"PidFile none\n"
				"StrictModes no\n"
				"PermitRootLogin yes\n"
				"AllowTcpForwarding yes\n"
				"AcceptEnv SESHT_*\n"
				"Subsystem echosub /bin/cat\n"
				"LogLevel VERBOSE\n")
			self.logf = open(d / "sshd.log", "ab")
			self.proc = subprocess.Popen(
				[SSHD, "-D", "-e", "-f", str(cfg)],
				stdout=self.logf, stderr=subprocess.STDOUT)
			if self._wait_listening():
				return
			self.stop()
		pytest.fail("sshd did not start: " + self.log())

	def _wait_listening(self):
		def ok():
			if self.proc.poll() is not None:
				return "exited"
			try:
				with socket.create_connection(
					("127.0.0.1", self.port), 1):
					return "up"
			except OSError:
				return None
		return wait_for(ok, 10) == "up"

	def log(self):
		try:
			return (self.dir / "sshd.log").read_text()
		except OSError:
			return ""

	def children(self):
		"""Pids of the listener's children (one per connection)."""
		try:
			with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}"
				  "/children") as f:
				return [int(x) for x in f.read().split()]
		except OSError:
			return []

	def stop(self):
		if self.proc is not None:
			self.proc.kill()
			self.proc.wait()
			self.proc = None
		if getattr(self, "logf", None):
			self.logf.close()
			self.logf = None

	def trust(self):
		"""known_hosts line(s) for the host keys, as sesh looks up."""
		lines = []
		for k in self.hostkeys:
			pub = open(k + ".pub").read().split()
			lines.append(f"[127.0.0.1]:{self.port} {pub[0]} {pub[1]}\n")
		self.known_hosts.write_text("".join(lines))
		return str(self.known_hosts)

	def argv(self, sesh, *opts, cmd=None, key=None, batch=True,
		 trust=True, user="root"):
		"""sesh's argv: opts first (for -o the first value wins), then
		the defaults of these tests, the destination and cmd."""
		cfg = self.dir / "empty_config"
		cfg.write_text("")
		a = [sesh, "-F", str(cfg)] + list(opts) + ["-p", str(self.port)]
		if key is not False:
			a += ["-i", key or self.key]
		a += ["-o", "UserKnownHostsFile=" +
		      (self.trust() if trust else str(self.known_hosts))]
		if trust:
			a += ["-o", "StrictHostKeyChecking=yes"]
		a += ["-o", f"BatchMode={'yes' if batch else 'no'}"]
		a.append(f"{user}@127.0.0.1")
		if cmd is not None:
			a.append(cmd)
		return a

	def run(self, sesh, env, *opts, cmd=None, stdin=b"", timeout=60,
		**kw):
		return subprocess.run(self.argv(sesh, *opts, cmd=cmd, **kw),
				      input=stdin, capture_output=True,
				      env=env, timeout=timeout)


class LocalUser:
	"""A local user "seshc<digits>" with a password, removed on close."""

	def __init__(self, password):
		if os.geteuid() != 0:
			pytest.skip("creates a user: needs root")
		self.name = "seshc%06d" % random.randrange(10**6)
		self.password = password
		subprocess.run(["useradd", "-m", "-s", "/bin/sh", self.name],
			       check=True, capture_output=True)
		try:
			subprocess.run(["chpasswd"], check=True,
				       input=f"{self.name}:{password}\n".encode(),
				       capture_output=True)
		except Exception:
			self.close()
			raise

	def close(self):
		subprocess.run(["userdel", "-r", "-f", self.name],
			       capture_output=True)


def askpass_script(d, answer, log=None):
	"""A SSH_ASKPASS program printing answer (and logging its prompt)."""
	p = d / ("askpass_%d.sh" % random.randrange(10**9))
	body = "#!/bin/sh\n"
	if log:
		body += f"printf '%s\\n' \"$1\" >> {log}\n"
	body += f"printf '%s\\n' '{answer}'\n"
	p.write_text(body)
	p.chmod(0o755)
	return str(p)
