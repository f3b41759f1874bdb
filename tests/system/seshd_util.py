"""
seshd_util.py - start seshd for a system test.

    from seshd_util import start_seshd

    d = start_seshd(sesh_bin, workdir, ["PermitRootLogin yes"],
                    user_keys=[pub_line])
    try:
        ... connect to 127.0.0.1:d.port ...
        assert "Accepted publickey" in d.log_text()
    finally:
        d.stop()

start_seshd(sesh_bin, tmpdir, extra_config_lines=(), user_keys=None,
            args=(), env=None, host_key_types=("ed25519",),
            listen="127.0.0.1", ports=1, timeout=15)

  sesh_bin            the conftest fixture (resolves build/bin/<name>)
  tmpdir              a folder for the config, host keys, log, pid file
  extra_config_lines  sshd_config lines written FIRST in the config (so
                      they win over the fixture's own lines: first value
                      wins, as in sshd); Match blocks are fine here too,
                      they are appended after the fixture's lines
                      automatically when a line starts with "Match"
  user_keys           public key lines (str) for an authorized_keys file
                      in tmpdir; the config then names it with
                      AuthorizedKeysFile and says StrictModes no (unless
                      extra_config_lines set them)
  args                more seshd command-line arguments (e.g. ["-o",
                      "LogLevel=DEBUG3"])
  env                 the environment (default: os.environ)
  host_key_types      sesh-keygen -t words, one host key each
  listen              the ListenAddress (default 127.0.0.1; "::1" for v6)
  ports               how many ephemeral ports to listen on
  timeout             seconds to wait for the listening sockets

Returns a Seshd:
  .port, .ports       the (first) listening port(s)
  .addr               the listen address
  .proc               the subprocess.Popen of `seshd -D -e -f cfg`
  .config, .log_path, .pid_file, .host_keys, .authorized_keys (paths)
  .log_text()         everything seshd (and its connection processes)
                      logged so far (-e: stderr, into .log_path)
  .wait_log(text_or_regex, timeout=10)  polls the log until it matches;
                      returns the match text or raises AssertionError
  .stop()             SIGTERM, wait (kills after a deadline); idempotent
It is also a context manager (stop on exit).

Readiness is polled, not slept on: /proc/net/tcp{,6} must show every
port in LISTEN state (no probe connection is made, so tests that count
connections, e.g. MaxStartups, are not disturbed). A port taken by
someone else between choosing and binding is retried with new ports.
"""

import os
import re
import signal
import socket
import subprocess
import time


def free_port(family=socket.AF_INET, addr="127.0.0.1"):
	"""An ephemeral port that was free a moment ago."""
	s = socket.socket(family, socket.SOCK_STREAM)
	try:
		s.bind((addr, 0))
		return s.getsockname()[1]
	finally:
		s.close()


def listening_ports():
	"""Ports in LISTEN state (TCP, IPv4 and IPv6) from /proc/net."""
	ports = set()
	for name in ("/proc/net/tcp", "/proc/net/tcp6"):
		try:
			with open(name) as f:
				lines = f.read().splitlines()[1:]
		except OSError:
			continue
		for line in lines:
			fields = line.split()
			if len(fields) < 4 or fields[3] != "0A":
				continue
			ports.add(int(fields[1].rsplit(":", 1)[1], 16))
	return ports


def make_host_key(sesh_bin, path, ktype="ed25519"):
	keygen = sesh_bin("sesh-keygen")
	subprocess.run([keygen, "-q", "-t", ktype, "-N", "", "-f", str(path)],
		       check=True, stdout=subprocess.DEVNULL)
	return str(path)


class Seshd:
	def __init__(self):
		self.proc = None
		self.port = None
		self.ports = []
		self.addr = None
		self.config = None
		self.log_path = None
		self.pid_file = None
		self.host_keys = []
		self.authorized_keys = None
		self._log = None

	def log_text(self):
		try:
			with open(self.log_path, "rb") as f:
				return f.read().decode("utf-8", "replace")
		except OSError:
			return ""

	def wait_log(self, pattern, timeout=10):
		rx = re.compile(pattern if not isinstance(pattern, str) or
				any(c in pattern for c in "^$[]()|*+?\\")
				else re.escape(pattern))
		deadline = time.monotonic() + timeout
		while True:
			m = rx.search(self.log_text())
			if m:
				return m.group(0)
			if time.monotonic() > deadline:
				raise AssertionError(
					f"seshd log never matched {pattern!r}:\n"
					+ self.log_text())
			time.sleep(0.02)

	def stop(self):
		if self.proc is not None and self.proc.poll() is None:
			try:
				self.proc.send_signal(signal.SIGTERM)
				self.proc.wait(10)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait(10)
		if self._log is not None:
			self._log.close()
			self._log = None

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.stop()


def _wait_ready(proc, ports, timeout):
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if proc.poll() is not None:
			return False
		if set(ports) <= listening_ports():
			return True
		time.sleep(0.01)
	return False


def start_seshd(sesh_bin, tmpdir, extra_config_lines=(), user_keys=None,
		args=(), env=None, host_key_types=("ed25519",),
		listen="127.0.0.1", ports=1, timeout=15, wrap=()):
	"""wrap: a command prefix for seshd (e.g. strace ...)."""
	tmpdir = str(tmpdir)
	d = Seshd()
	d.addr = listen
	d.config = os.path.join(tmpdir, "seshd_config")
	d.log_path = os.path.join(tmpdir, "seshd.log")
	d.pid_file = os.path.join(tmpdir, "seshd.pid")
	for t in host_key_types:
		path = os.path.join(tmpdir, f"ssh_host_{t}_key")
		if not os.path.exists(path):
			make_host_key(sesh_bin, path, t)
		d.host_keys.append(path)
	extra = list(extra_config_lines)
	# Everything from the first Match line on stays at the end.
	first = extra
	for i, l in enumerate(extra):
		if l.lstrip().lower().startswith("match"):
			first = extra[:i]
			matches = extra[i:]
			break
	else:
		matches = []
	lower = " ".join(l.strip().split(None, 1)[0].lower()
			 for l in first if l.strip())
	own = []
	if user_keys is not None:
		d.authorized_keys = os.path.join(tmpdir, "authorized_keys")
		with open(d.authorized_keys, "w") as f:
			for k in user_keys:
				f.write(k.rstrip("\n") + "\n")
		os.chmod(d.authorized_keys, 0o600)
		if "authorizedkeysfile" not in lower:
			own.append(f"AuthorizedKeysFile {d.authorized_keys}")
		if "strictmodes" not in lower:
			own.append("StrictModes no")
	if "persourcepenalties" not in lower:
		# Tests make many failing logins from 127.0.0.1 against one
		# daemon; the penalties (on by default, as in sshd 9.8) have
		# their own tests (test_seshd_penalty.py), which set them.
		own.append("PerSourcePenalties no")
	own.append(f"ListenAddress {listen}")
	own.append(f"PidFile {d.pid_file}")
	own += [f"HostKey {k}" for k in d.host_keys]
	seshd = sesh_bin("seshd")
	family = socket.AF_INET6 if ":" in listen else socket.AF_INET
	last_log = ""
	for _attempt in range(5):
		d.ports = []
		while len(d.ports) < ports:
			p = free_port(family, listen)
			if p not in d.ports:
				d.ports.append(p)
		d.port = d.ports[0]
		port_lines = [f"Port {p}" for p in d.ports]
		with open(d.config, "w") as f:
			f.write("\n".join(first + port_lines + own + matches) + "\n")
		d._log = open(d.log_path, "wb")
		d.proc = subprocess.Popen(
			list(wrap) + [seshd, "-D", "-e", "-f", d.config] +
			list(args),
			stdin=subprocess.DEVNULL, stdout=d._log,
			stderr=subprocess.STDOUT, env=env)
		if _wait_ready(d.proc, d.ports, timeout):
			return d
		last_log = d.log_text()
		d.stop()
		if "in use" not in last_log:
			break
	raise AssertionError("seshd did not start listening:\n" + last_log)
