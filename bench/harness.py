"""
Servers, clients and measurements for `make bench` (bench/run.py).

Contract:
  - Server classes start one daemon in the foreground on 127.0.0.1 at an
    ephemeral port, with its own configuration, host key and
    authorized_keys inside a private directory, and stop it (and every
    process it started) on stop(). Each instance serves one "profile": an
    optional cipher/MAC/KEX restriction written into its configuration, so
    every client connecting to it negotiates the same algorithms.
    OpenSSHServer drives Debian's /usr/sbin/sshd, SeshdServer drives
    build/bin/seshd (same options: -f -p -h -D -e), DropbearServer
    Debian's /usr/sbin/dropbear (-F -E -s -r KEY -p 127.0.0.1:PORT; it
    has no run-time algorithm options, so a profile's KEX/cipher/MAC is
    pinned on the client instead: pin_on_client, can()).
  - Client classes turn (server, remote command) into an argv that logs in
    as the current user with the bench's user key, a pre-populated
    known_hosts file and StrictHostKeyChecking=yes, BatchMode=yes, no user
    or system config (HOME is the bench directory; OpenSSH gets -F with
    an empty file, sesh too once it takes -F). SeshClient drives
    build/bin/sesh, OpenSSHClient /usr/bin/ssh, DbClient Dropbear's
    /usr/bin/dbclient (key converted with dropbearconvert; it reads only
    $HOME/.ssh/known_hosts, keyed by host without the port, so argv()
    rewrites that file for the server it is about to reach: one dbclient
    at a time).
  - run_timed() and run_bulk() run one child at a time and use
    os.wait4() so the CPU seconds are exactly those of the client
    process; run_bulk() feeds its stdin from a thread of this process, so
    the data source's CPU is not the client's.
  - Proxy wraps bench/delayproxy.py; Sink and plain_tcp_rate() give the
    plain-TCP reference through it; round_trips_by_time() turns wall
    times through it at a known RTT and at 0 into a round-trip count.
  - EchoProbe times a 1-byte echo on an interactive channel (`ssh -tt
    HOST cat`); a Feeder with a gate holds its stream after the first
    256 KiB so that several streams start together.
  - kill_tree() ends a server's descendants leaves first, so sessions
    never outlive the bench (and no orphan is left for an init that does
    not reap).
  - Nothing here sleeps to synchronise: waits poll a condition with a
    deadline.
Needs root for sshd (it logs in as root and must read host keys); the
caller checks.
"""

import os
import pwd
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

SSHD = "/usr/sbin/sshd"
SSH = shutil.which("ssh") or "/usr/bin/ssh"
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
DROPBEAR = "/usr/sbin/dropbear"
DBCLIENT = "/usr/bin/dbclient"
DROPBEARKEY = "/usr/bin/dropbearkey"
DROPBEARCONVERT = "/usr/bin/dropbearconvert"

# What Dropbear 2022.83 (Debian 12) can negotiate, client and server:
# `dbclient -c help`, `dbclient -m help`; its KEX list has no
# post-quantum hybrid (curve25519-sha256 first).
DROPBEAR_CIPHERS = {"chacha20-poly1305@openssh.com", "aes128-ctr",
		    "aes256-ctr"}
DROPBEAR_MACS = {"hmac-sha1", "hmac-sha2-256"}
DROPBEAR_KEX = {"curve25519-sha256", "curve25519-sha256@libssh.org",
		"ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
		"ecdh-sha2-nistp521", "diffie-hellman-group14-sha256",
		"diffie-hellman-group14-sha1"}


def dropbear_can(profile):
	"""True when Dropbear can speak profile's algorithms. A MAC only
	matters with a non-AEAD cipher."""
	c, m, k = (profile.get("cipher"), profile.get("mac"),
		   profile.get("kex"))
	if c and c not in DROPBEAR_CIPHERS:
		return False
	if c and "poly1305" not in c and m and m not in DROPBEAR_MACS:
		return False
	return not k or k in DROPBEAR_KEX


class BenchError(Exception):
	"""A server or client that cannot run: the row is skipped."""


def free_port():
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	s.bind(("127.0.0.1", 0))
	port = s.getsockname()[1]
	s.close()
	return port


def wait_for(pred, timeout, step=0.01):
	"""Polls pred() until it is true or the deadline passes."""
	deadline = time.monotonic() + timeout
	while True:
		v = pred()
		if v:
			return v
		if time.monotonic() > deadline:
			return v
		time.sleep(step)


def user_name():
	return pwd.getpwuid(os.geteuid()).pw_name


def user_home():
	return pwd.getpwuid(os.geteuid()).pw_dir


# Set by run.py (--keep-rc clears it, probe_hide_rc() too when the
# machine cannot do it): see Server.wrapped_argv.
HIDE_RC = True


def hide_rc_argv(empty):
	rc = os.path.join(user_home(), ".bashrc")
	return ["unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
		'mount --bind "$1" "$2" && shift 2 && exec "$@"', "sh", empty,
		rc]


def probe_hide_rc(root):
	"""True when ~/.bashrc exists and can be hidden (a mount namespace
	needs CAP_SYS_ADMIN, which some containers lack)."""
	rc = os.path.join(user_home(), ".bashrc")
	if not os.path.isfile(rc) or not shutil.which("unshare"):
		return False
	empty = os.path.join(root, "empty_bashrc")
	open(empty, "w").close()
	try:
		r = subprocess.run(hide_rc_argv(empty) + ["test", "!", "-s", rc],
				   capture_output=True, timeout=10)
	except (OSError, subprocess.TimeoutExpired):
		return False
	return r.returncode == 0


class Keys:
	"""The bench's user key, made once with ssh-keygen."""

	def __init__(self, root):
		self.dir = os.path.join(root, "keys")
		os.makedirs(self.dir, exist_ok=True)
		self.user = os.path.join(self.dir, "id_ed25519")
		subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "",
				"-C", "bench", "-f", self.user], check=True)
		with open(self.user + ".pub") as f:
			self.user_pub = f.read()
		self.user_dropbear = None

	def dropbear_user(self):
		"""The user key in Dropbear's format (dbclient cannot read
		OpenSSH's ed25519 private key file)."""
		if self.user_dropbear is None:
			path = self.user + ".dropbear"
			r = subprocess.run([DROPBEARCONVERT, "openssh",
					    "dropbear", self.user, path],
					   capture_output=True)
			if r.returncode != 0:
				raise BenchError("dropbearconvert failed: " +
						 r.stderr.decode(errors="replace")
						 .strip()[-200:])
			self.user_dropbear = path
		return self.user_dropbear


# --- servers ---------------------------------------------------------------

class Server:
	"""One daemon instance. Subclasses set name, binary and config()."""

	name = "?"
	binary = None
	# True when the profile's algorithms are set by the client's
	# options (the server has no run-time setting for them).
	pin_on_client = False

	def __init__(self, root, keys, profile):
		self.profile = profile
		self.dir = os.path.join(root, f"{self.name}-{profile['id']}")
		os.makedirs(self.dir, exist_ok=True)
		self.keys = keys
		self.port = None
		self.proc = None
		self.log_path = os.path.join(self.dir, "server.log")
		self.log = None

	def make_hostkey(self):
		self.hostkey = os.path.join(self.dir, "host_ed25519")
		# A server of the same kind and profile may have run here
		# before (stopped by an earlier row group): a fresh key.
		for old in (self.hostkey, self.hostkey + ".pub"):
			if os.path.exists(old):
				os.unlink(old)
		subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "",
				"-f", self.hostkey], check=True)
		with open(self.hostkey + ".pub") as f:
			self.hostkey_pub = " ".join(f.read().split()[:2])
		self.auth = os.path.join(self.dir, "authorized_keys")
		with open(self.auth, "w") as f:
			f.write(self.keys.user_pub)
		self.known_hosts = os.path.join(self.dir, "known_hosts")

	def algo_lines(self):
		p = self.profile
		out = ""
		if p.get("cipher"):
			out += f"Ciphers {p['cipher']}\n"
		if p.get("mac"):
			out += f"MACs {p['mac']}\n"
		if p.get("kex"):
			out += f"KexAlgorithms {p['kex']}\n"
		return out

	def config(self):
		raise NotImplementedError

	def via(self, port):
		"""The same server reached at another port (a proxy's): an
		object with port and a known_hosts naming the key there."""
		view = ServerView()
		view.port = port
		view.hostkey_pub = self.hostkey_pub
		view.profile = self.profile
		view.pin_on_client = self.pin_on_client
		view.known_hosts = os.path.join(self.dir, f"known_hosts.{port}")
		with open(view.known_hosts, "w") as f:
			f.write(f"[127.0.0.1]:{port} {self.hostkey_pub}\n")
		return view

	def argv(self, cfg):
		return [self.binary, "-D", "-e", "-f", cfg, "-h", self.hostkey,
			"-p", str(self.port)]

	def wrapped_argv(self, cfg):
		"""argv, started in a private mount namespace where the login
		user's ~/.bashrc is an empty file when HIDE_RC is set: Debian's
		bash reads ~/.bashrc for every `ssh host command`, and a heavy
		one (pyenv, nvm, conda) would add the same tens of ms to every
		connect row and hide the protocol's cost. The host's file is
		untouched; the bind mount dies with the server."""
		argv = self.argv(cfg)
		if not HIDE_RC:
			return argv
		empty = os.path.join(self.dir, "empty_bashrc")
		open(empty, "w").close()
		return hide_rc_argv(empty) + argv

	def can(self, profile):
		"""False when this server cannot speak profile's algorithms."""
		return True

	def start(self):
		if not self.binary or not os.access(self.binary, os.X_OK):
			raise BenchError(f"{self.binary or self.name}: not built "
					 "or not installed")
		self.make_hostkey()
		last = ""
		for _ in range(5):
			self.port = free_port()
			with open(self.known_hosts, "w") as f:
				f.write(f"[127.0.0.1]:{self.port} "
					f"{self.hostkey_pub}\n")
			cfg = os.path.join(self.dir, "config")
			with open(cfg, "w") as f:
				f.write(self.config())
			self.log = open(self.log_path, "ab")
			self.proc = subprocess.Popen(
				self.wrapped_argv(cfg), stdin=subprocess.DEVNULL,
				stdout=self.log, stderr=subprocess.STDOUT,
				start_new_session=True)
			if self.wait_listening():
				# Helpers the daemon keeps (none for sshd).
				self.base_children = set(
					children_of(self.proc.pid))
				return self
			self.stop()
			with open(self.log_path, errors="replace") as f:
				last = f.read()[-2000:]
		raise BenchError(f"{self.name} did not start: {last.strip()}")

	def wait_listening(self):
		def up():
			if self.proc.poll() is not None:
				return None
			try:
				with socket.create_connection(
						("127.0.0.1", self.port), 1):
					return True
			except OSError:
				return False
		ok = wait_for(lambda: up() is not False, 10)
		return ok is True

	def pids(self):
		"""The listener and every descendant (pid list)."""
		if not self.proc or self.proc.poll() is not None:
			return []
		return descendants(self.proc.pid, include_self=True)

	def idle(self):
		"""True when no connection's process is left (all reaped)."""
		return set(children_of(self.proc.pid)) <= self.base_children

	def wait_idle(self, timeout=10):
		return wait_for(self.idle, timeout)

	def child_cpu(self):
		"""CPU seconds of the listener's reaped children (cutime +
		cstime from /proc/<pid>/stat): every finished connection."""
		return proc_child_cpu(self.proc.pid)

	def stop(self):
		if self.proc is not None:
			# Sessions may have left the listener's process group
			# (setsid); end every descendant by pid first.
			kill_tree(self.proc.pid)
			try:
				os.killpg(self.proc.pid, signal.SIGTERM)
			except ProcessLookupError:
				pass
			try:
				self.proc.wait(timeout=5)
			except subprocess.TimeoutExpired:
				try:
					os.killpg(self.proc.pid, signal.SIGKILL)
				except ProcessLookupError:
					pass
				self.proc.wait()
			# Per-connection processes may have left the group's
			# leader behind; sweep the session's group once more.
			try:
				os.killpg(self.proc.pid, signal.SIGKILL)
			except ProcessLookupError:
				pass
			self.proc = None
		if self.log is not None:
			self.log.close()
			self.log = None


class ServerView:
	"""port and known_hosts of a server seen through a proxy."""


def common_server_lines(srv):
	return (f"ListenAddress 127.0.0.1\n"
		f"Port {srv.port}\n"
		f"HostKey {srv.hostkey}\n"
		f"AuthorizedKeysFile {srv.auth}\n"
		"PasswordAuthentication no\n"
		"KbdInteractiveAuthentication no\n"
		"PidFile none\n"
		"StrictModes no\n"
		"PermitRootLogin yes\n"
		# High enough that the memory row's logins (8 at a time) are
		# never dropped early, whatever the server counts as a start.
		"MaxStartups 100:30:200\n")


class OpenSSHServer(Server):
	name = "sshd"
	binary = SSHD

	def config(self):
		os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
		# UsePAM no: the bench logs in by key; PAM's session modules
		# (motd, lastlog, systemd) would add the same cost to every
		# row and hide the protocol's.
		return (common_server_lines(self) + "UsePAM no\n"
			"LogLevel ERROR\n" + self.algo_lines())


class SeshdServer(Server):
	name = "seshd"

	def __init__(self, root, keys, profile, binary):
		self.binary = binary
		super().__init__(root, keys, profile)

	def config(self):
		return (common_server_lines(self) + "UsePAM no\n"
			"LogLevel ERROR\n" + self.algo_lines())


class DropbearServer(Server):
	"""Dropbear in the foreground: -F -E (log to stderr), -s (no
	passwords), -r its own ed25519 host key made by dropbearkey, -p
	127.0.0.1:PORT, -P a pid file of its own. Dropbear reads only
	~USER/.ssh/authorized_keys, so it runs in a private mount namespace
	where the login user's home is a directory of the bench's holding
	.ssh/authorized_keys and an empty .bashrc (the real one bound in
	with --keep-rc): the host's home is untouched. Without a mount
	namespace (no CAP_SYS_ADMIN) the server cannot start and its rows
	are skipped. Receive window and everything else: Dropbear's
	defaults."""

	name = "dropbear"
	binary = DROPBEAR
	pin_on_client = True

	def can(self, profile):
		return dropbear_can(profile)

	def make_hostkey(self):
		self.hostkey = os.path.join(self.dir, "host_ed25519.dropbear")
		if os.path.exists(self.hostkey):
			os.unlink(self.hostkey)
		r = subprocess.run([DROPBEARKEY, "-t", "ed25519", "-f",
				    self.hostkey], capture_output=True)
		if r.returncode != 0:
			raise BenchError("dropbearkey failed")
		r = subprocess.run([DROPBEARKEY, "-y", "-f", self.hostkey],
				   capture_output=True, text=True)
		pub = [x for x in r.stdout.splitlines()
		       if x.startswith("ssh-")]
		if r.returncode != 0 or not pub:
			raise BenchError("dropbearkey -y failed")
		self.hostkey_pub = " ".join(pub[0].split()[:2])
		self.home = os.path.join(self.dir, "home")
		os.makedirs(os.path.join(self.home, ".ssh"), mode=0o700,
			    exist_ok=True)
		os.chmod(self.home, 0o700)
		self.auth = os.path.join(self.home, ".ssh", "authorized_keys")
		with open(self.auth, "w") as f:
			f.write(self.keys.user_pub)
		os.chmod(self.auth, 0o600)
		open(os.path.join(self.home, ".bashrc"), "a").close()
		self.known_hosts = os.path.join(self.dir, "known_hosts")

	def config(self):
		return ""

	def argv(self, cfg):
		return [self.binary, "-F", "-E", "-s", "-P",
			os.path.join(self.dir, "dropbear.pid"), "-r",
			self.hostkey, "-p", f"127.0.0.1:{self.port}"]

	def wrapped_argv(self, cfg):
		rc = os.path.join(user_home(), ".bashrc")
		keep = "1" if not HIDE_RC and os.path.isfile(rc) else ""
		return ["unshare", "-m", "--propagation", "private", "/bin/sh",
			"-c", 'if [ -n "$1" ]; then mount --bind "$2" '
			'"$3/.bashrc" || exit 1; fi; mount --bind "$3" "$4" '
			'&& shift 4 && exec "$@"', "sh", keep, rc, self.home,
			user_home()] + self.argv(cfg)


# --- clients ---------------------------------------------------------------

class Client:
	name = "?"
	binary = None

	def available(self):
		return bool(self.binary) and os.access(self.binary, os.X_OK)

	def can(self, profile):
		"""False when this client cannot speak profile's algorithms."""
		return True

	def pin_opts(self, srv):
		"""-o KexAlgorithms / -c / -m from the profile of a server that
		cannot restrict them itself (Dropbear); nothing otherwise."""
		p = getattr(srv, "profile", None) or {}
		if not getattr(srv, "pin_on_client", False):
			return []
		out = []
		if p.get("kex"):
			out += ["-o", f"KexAlgorithms={p['kex']}"]
		if p.get("cipher"):
			out += ["-c", p["cipher"]]
			if "poly1305" not in p["cipher"] and "gcm" not in \
					p["cipher"] and p.get("mac"):
				out += ["-m", p["mac"]]
		return out

	def common_opts(self, srv, keys):
		return ["-p", str(srv.port), "-i", keys.user,
			"-o", "StrictHostKeyChecking=yes",
			"-o", f"UserKnownHostsFile={srv.known_hosts}",
			"-o", "BatchMode=yes"]

	def argv(self, srv, keys, command):
		raise NotImplementedError


class SeshClient(Client):
	name = "sesh"

	def __init__(self, build):
		self.binary = os.path.join(build, "bin", "sesh")
		self.extra = []

	def detect(self, env, empty_config):
		"""Passes -F EMPTY (no ssh_config, as OpenSSH's ssh gets)
		once this sesh takes -F: probed against a closed port, an
		accepted option gets as far as "connect to host"."""
		if not self.available():
			return
		try:
			r = subprocess.run(
				[self.binary, "-F", empty_config, "-p",
				 str(free_port()), "-o", "BatchMode=yes",
				 "127.0.0.1", "true"], stdin=subprocess.DEVNULL,
				capture_output=True, env=env, timeout=10)
		except (OSError, subprocess.TimeoutExpired):
			return
		if b"connect to host" in r.stderr:
			self.extra = ["-F", empty_config]

	def argv(self, srv, keys, command):
		return ([self.binary] + self.extra +
			self.common_opts(srv, keys) + self.pin_opts(srv) +
			[f"{user_name()}@127.0.0.1", command])


class OpenSSHClient(Client):
	name = "ssh"
	binary = SSH

	def __init__(self, empty_config):
		# An empty file of the bench's rather than /dev/null: if a
		# program ever renames a file over /dev/null, ssh would read it.
		self.config = empty_config

	def argv(self, srv, keys, command, extra=()):
		return ([self.binary, "-F", self.config] +
			self.common_opts(srv, keys) + self.pin_opts(srv) +
			list(extra) + [f"{user_name()}@127.0.0.1", command])


class DbClient(Client):
	"""Dropbear's dbclient: -p PORT -i KEY (Dropbear format) USER@HOST
	COMMAND, and -c/-m when the profile names a cipher (it has no KEX
	option; 2022.83 offers curve25519-sha256 first). It has no batch
	mode: the servers offer no password, and the host key is always in
	$HOME/.ssh/known_hosts, so it never prompts."""

	name = "dbclient"
	binary = DBCLIENT

	def __init__(self, home):
		self.home = home

	def can(self, profile):
		# No KEX option: its default is what a kex profile asks for
		# only when that is curve25519-sha256.
		k = profile.get("kex")
		if k and k not in ("curve25519-sha256",
				   "curve25519-sha256@libssh.org"):
			return False
		return dropbear_can({x: y for x, y in profile.items()
				     if x != "kex"})

	def argv(self, srv, keys, command):
		kh = os.path.join(self.home, ".ssh", "known_hosts")
		os.makedirs(os.path.dirname(kh), mode=0o700, exist_ok=True)
		line = f"127.0.0.1 {srv.hostkey_pub}\n"
		try:
			with open(kh) as f:
				same = f.read() == line
		except OSError:
			same = False
		if not same:
			with open(kh, "w") as f:
				f.write(line)
		p = getattr(srv, "profile", None) or {}
		algo = []
		if p.get("cipher"):
			algo += ["-c", p["cipher"]]
			if "poly1305" not in p["cipher"] and p.get("mac"):
				algo += ["-m", p["mac"]]
		return ([self.binary, "-p", str(srv.port), "-i",
			 keys.dropbear_user()] + algo +
			[f"{user_name()}@127.0.0.1", command])


# --- /proc helpers -----------------------------------------------------------

def children_of(pid):
	out = []
	try:
		for tid in os.listdir(f"/proc/{pid}/task"):
			with open(f"/proc/{pid}/task/{tid}/children") as f:
				out += [int(x) for x in f.read().split()]
	except OSError:
		pass
	return out


def descendants(pid, include_self=False):
	out = [pid] if include_self else []
	todo = [pid]
	while todo:
		p = todo.pop()
		for c in children_of(p):
			out.append(c)
			todo.append(c)
	return out


def kill_tree(pid, timeout=5):
	"""SIGKILLs pid's descendants (not pid), leaves first, each level
	reaped by its still-living parent before the parent goes, so no
	orphan is left for an init that may not reap."""
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		d = descendants(pid)
		if not d:
			return
		leaves = [p for p in d if not children_of(p)]
		for p in leaves:
			try:
				os.kill(p, signal.SIGKILL)
			except ProcessLookupError:
				pass
		wait_for(lambda: not set(leaves) & set(descendants(pid)), 1,
			 0.005)
	for p in descendants(pid):
		try:
			os.kill(p, signal.SIGKILL)
		except ProcessLookupError:
			pass


def comm(pid):
	try:
		with open(f"/proc/{pid}/comm") as f:
			return f.read().strip()
	except OSError:
		return ""


def pss_kib(pid):
	"""Pss of one process in KiB (smaps_rollup), 0 if it is gone."""
	try:
		with open(f"/proc/{pid}/smaps_rollup") as f:
			for line in f:
				if line.startswith("Pss:"):
					return int(line.split()[1])
	except OSError:
		pass
	return 0


def proc_self_cpu(pid):
	"""utime + stime of pid itself, in seconds."""
	try:
		with open(f"/proc/{pid}/stat") as f:
			s = f.read()
	except OSError:
		return 0.0
	fields = s[s.rindex(")") + 2:].split()
	return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_child_cpu(pid):
	try:
		with open(f"/proc/{pid}/stat") as f:
			s = f.read()
	except OSError:
		return 0.0
	fields = s[s.rindex(")") + 2:].split()
	# fields[0] is field 3 (state); cutime is field 16, cstime 17.
	hz = os.sysconf("SC_CLK_TCK")
	return (int(fields[13]) + int(fields[14])) / hz


# --- measurements -----------------------------------------------------------

def run_timed(argv, env, stdin=subprocess.DEVNULL, timeout=120,
	      stdout=subprocess.DEVNULL):
	"""Runs argv to completion; returns (t_start, t_end, user+sys s,
	status, stderr tail) with perf_counter times. wait4() gives this
	child's own rusage."""
	t0 = time.perf_counter()
	p = subprocess.Popen(argv, stdin=stdin, stdout=stdout,
			     stderr=subprocess.PIPE, env=env)
	err = b""
	status = None
	try:
		fd = p.stderr.fileno()
		deadline = time.monotonic() + timeout
		while True:
			left = deadline - time.monotonic()
			if left <= 0:
				raise BenchError(f"{argv[0]}: timed out after "
						 f"{timeout}s")
			r, _, _ = select.select([fd], [], [], left)
			if not r:
				continue
			chunk = os.read(fd, 65536)
			if not chunk:
				break
			err = (err + chunk)[-4000:]
		_, st, ru = os.wait4(p.pid, 0)
		t1 = time.perf_counter()
		status = os.waitstatus_to_exitcode(st)
		p.returncode = status
	finally:
		p.stderr.close()
		if status is None:
			p.kill()
			p.wait()
	return t0, t1, ru.ru_utime + ru.ru_stime, status, err


CHUNK = 1 << 20


class Feeder(threading.Thread):
	"""Writes nbytes of zeros into a pipe from this process (so the
	source's CPU is not the client's) and notes when the first 1 MiB
	write returned: by then the client is reading its stdin, so the
	transfer has begun and the login is over."""

	PRIME = 256 * 1024  # more than a pipe holds: taken by the client

	def __init__(self, nbytes, gate=None):
		"""gate: a threading.Event; when given, the feeder first
		writes PRIME bytes (the client only takes them once its
		session is open), sets self.primed, and waits for gate before
		the rest, so several streams can start moving together."""
		super().__init__(daemon=True)
		self.rfd, self.wfd = os.pipe()
		self.nbytes = nbytes
		self.t_first = None
		self.sent = 0
		self.gate = gate
		self.primed = threading.Event()

	def run(self):
		buf = memoryview(bytes(CHUNK))
		try:
			if self.gate is not None:
				n = min(self.PRIME, self.nbytes)
				while self.sent < n:
					self.sent += os.write(
						self.wfd, buf[:n - self.sent])
				self.primed.set()
				self.gate.wait()
			while self.sent < self.nbytes:
				n = os.write(self.wfd, buf[:min(
					CHUNK, self.nbytes - self.sent)])
				self.sent += n
				if self.t_first is None:
					self.t_first = time.perf_counter()
					self.first = n
		except OSError:
			pass
		finally:
			self.primed.set()
			os.close(self.wfd)


def run_bulk(argv, env, nbytes, timeout=600):
	"""Streams nbytes through argv's stdin. Returns a dict: wall (whole
	run, login included), rate_mib (MiB/s from the first completed write
	to the client's exit), cpu (client user+sys s), status, err."""
	feed = Feeder(nbytes)
	feed.start()
	try:
		t0, t1, cpu, status, err = run_timed(argv, env, stdin=feed.rfd,
						     timeout=timeout)
	finally:
		os.close(feed.rfd)
		feed.join()
	rate = None
	if feed.t_first is not None and feed.sent == nbytes and t1 > \
			feed.t_first:
		rate = (nbytes - feed.first) / (1 << 20) / (t1 - feed.t_first)
	return {"wall": t1 - t0, "rate_mib": rate, "cpu": cpu,
		"status": status, "err": err, "sent": feed.sent}


class Drain(threading.Thread):
	"""Reads a pipe to EOF in this process (so the sink's CPU is not
	the client's), counting the bytes and noting when the first 1 MiB
	had arrived: by then the session is open and the transfer under
	way, so the login is over. The mirror of Feeder."""

	def __init__(self):
		super().__init__(daemon=True)
		self.rfd, self.wfd = os.pipe()
		self.got = 0
		self.t_first = None
		self.first = 0

	def run(self):
		# One buffer, reused: the drain costs a read() per chunk and
		# nothing per byte, like the feeder's writes.
		buf = bytearray(CHUNK)
		try:
			while True:
				n = os.readv(self.rfd, [buf])
				if not n:
					break
				self.got += n
				if self.t_first is None and self.got >= CHUNK:
					self.t_first = time.perf_counter()
					self.first = self.got
		except OSError:
			pass
		finally:
			os.close(self.rfd)


def run_download(argv, env, nbytes, timeout=600):
	"""Runs argv (a client whose remote command writes nbytes of zeros)
	with its stdout on a pipe this process drains. Returns the dict of
	run_bulk: rate_mib is MiB/s from the moment the first MiB had
	arrived to the client's exit, None unless exactly nbytes came;
	"got" is the bytes received."""
	drain = Drain()
	drain.start()
	try:
		t0, t1, cpu, status, err = run_timed(argv, env, timeout=timeout,
						     stdout=drain.wfd)
	finally:
		# The client is gone: its end closed, the drain sees EOF.
		os.close(drain.wfd)
		drain.join(10)
	rate = None
	if drain.t_first is not None and drain.got == nbytes and \
			t1 > drain.t_first:
		rate = (nbytes - drain.first) / (1 << 20) / (t1 - drain.t_first)
	return {"wall": t1 - t0, "rate_mib": rate, "cpu": cpu,
		"status": status, "err": err, "got": drain.got}


def pipe_ceiling(nbytes):
	"""MiB/s of `dd if=/dev/zero bs=1M | cat > /dev/null`: the
	machine's ceiling for one byte stream between processes."""
	mib = nbytes // (1 << 20)
	t0 = time.perf_counter()
	src = subprocess.Popen(["dd", "if=/dev/zero", "bs=1M",
				f"count={mib}", "status=none"],
			       stdout=subprocess.PIPE)
	cat = subprocess.Popen(["cat"], stdin=src.stdout,
			       stdout=subprocess.DEVNULL)
	src.stdout.close()
	cat.wait()
	src.wait()
	return mib / (time.perf_counter() - t0)


def round_trips_by_time(walls, walls0, rtt):
	"""How many round trips a run waits for: (median wall time through
	a path with round-trip time rtt - median through the same path with
	none) / rtt, both lists of seconds. A count of the round trips on
	the critical path, whatever the direction of each."""
	if not walls or not walls0 or rtt <= 0:
		raise ValueError("round_trips_by_time: empty sample or rtt")
	return (statistics.median(walls) - statistics.median(walls0)) / rtt


class EchoProbe:
	"""An interactive channel's echo time: argv (e.g. `ssh -tt HOST
	cat`) runs with pipes on stdin and stdout; once() writes one byte
	"x" and returns the seconds until that byte comes back (the remote
	pty echoes it). Bytes other than "x" are ignored; each call waits
	for one more "x" than all earlier calls together, so a late echo
	is never counted twice. A canonical-mode pty holds at most 4095
	characters of a line: a few thousand probes per channel at most."""

	def __init__(self, argv, env=None):
		self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
					     stdout=subprocess.PIPE,
					     stderr=subprocess.DEVNULL, env=env,
					     bufsize=0)
		self.sent = 0
		self.got = 0

	def ready(self, timeout=30):
		"""Waits for the first echo (the login and the channel's
		setup); BenchError if none comes."""
		return self.once(timeout)

	def once(self, timeout=10):
		fd = self.proc.stdout.fileno()
		t0 = time.perf_counter()
		try:
			os.write(self.proc.stdin.fileno(), b"x")
		except OSError as e:
			raise BenchError(f"echo probe: {e}")
		self.sent += 1
		deadline = time.monotonic() + timeout
		while self.got < self.sent:
			left = deadline - time.monotonic()
			if left <= 0:
				raise BenchError("echo probe: no echo within "
						 f"{timeout:g} s")
			r, _, _ = select.select([fd], [], [], left)
			if not r:
				continue
			b = os.read(fd, 4096)
			if not b:
				raise BenchError("echo probe: channel closed")
			self.got += b.count(b"x")
		return time.perf_counter() - t0

	def close(self):
		if self.proc.poll() is None:
			self.proc.kill()
		self.proc.wait()
		self.proc.stdin.close()
		self.proc.stdout.close()


# --- the delay proxy ----------------------------------------------------------

PROXY_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
			    "delayproxy.py")


class Proxy:
	"""bench/delayproxy.py in front of 127.0.0.1:target_port, as a
	context manager; .port is where to connect."""

	def __init__(self, target_port, delay_ms, stats=None, window=None):
		self.argv = [sys.executable, PROXY_SCRIPT, "--target",
			     f"127.0.0.1:{target_port}", "--delay-ms",
			     str(delay_ms)]
		if stats:
			self.argv += ["--stats", stats]
		if window:
			self.argv += ["--window", str(window)]
		self.proc = None
		self.port = None

	def __enter__(self):
		self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE,
					     stdin=subprocess.DEVNULL)
		line = self.proc.stdout.readline()
		if not line.strip().isdigit():
			self.__exit__()
			raise BenchError("delayproxy did not start")
		self.port = int(line)
		return self

	def __exit__(self, *exc):
		if self.proc is not None:
			self.proc.terminate()
			self.proc.wait()
			self.proc.stdout.close()
			self.proc = None


class Sink:
	"""A TCP server in a thread that reads one connection to EOF."""

	def __init__(self):
		self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		self.sock.bind(("127.0.0.1", 0))
		self.sock.listen(1)
		self.port = self.sock.getsockname()[1]
		self.got = 0
		self.t_end = None
		self.thread = threading.Thread(target=self.run, daemon=True)
		self.thread.start()

	def run(self):
		try:
			c, _ = self.sock.accept()
			with c:
				while True:
					b = c.recv(1 << 20)
					if not b:
						break
					self.got += len(b)
			self.t_end = time.perf_counter()
		except OSError:
			pass
		finally:
			self.sock.close()


def plain_tcp_rate(connect_port, sink, nbytes, timeout=600):
	"""Sends nbytes to connect_port (a proxy in front of sink); MiB/s
	from the first completed 1 MiB send to the sink's EOF."""
	s = socket.create_connection(("127.0.0.1", connect_port), 10)
	s.settimeout(timeout)
	s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
	buf = memoryview(bytes(CHUNK))
	sent = 0
	t_first = None
	try:
		while sent < nbytes:
			n = min(CHUNK, nbytes - sent)
			s.sendall(buf[:n])
			sent += n
			if t_first is None:
				t_first = time.perf_counter()
				first = n
		s.shutdown(socket.SHUT_WR)
		sink.thread.join(timeout)
	finally:
		s.close()
	if sink.got != nbytes or sink.t_end is None:
		raise BenchError(f"plain TCP: {sink.got} of {nbytes} bytes "
				 "arrived")
	return (nbytes - first) / MIB_ / (sink.t_end - t_first)


MIB_ = 1 << 20
