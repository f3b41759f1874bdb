"""
adv_util.py - helpers shared by the adversarial tests.

    key, pub = make_client_key(dir)       # ed25519, OpenSSH ssh-keygen
    d = start_adv_seshd(sesh_bin, dir, (key, pub), extra=[...])
    c = connect(d)                        # rawssh.RawSSH to d.port
    c = kexed(d, strict=True)             # identification + first KEX done
    c = authed(d, key)                    # ... + ssh-userauth + publickey
    assert_dropped(c, what)               # the server closes c in time
    s = start_openssh(dir, (key, pub))    # Debian's sshd, same settings
    assert_serves(d, key)                 # no crash logged (sanitizers,
                                          # signals), OpenSSH ssh logs
                                          # in and runs echo

The seshd config: root may log in with the client key (an
authorized_keys file in the temp folder), only chacha20-poly1305 (the
raw client's default cipher, whose nonce is the sequence number) and
aes128-ctr with hmac-sha2-256(-etm) (fast to seal in floods; the
length outside an AEAD), MaxAuthTries
3, no PAM, no per-source penalties (every test connects from 127.0.0.1
many times on purpose) and MaxStartups high enough that a burst of bad
connections is served rather than dropped. LoginGraceTime is 60 s,
well above DROP_TIMEOUT, so that a connection the server should have
dropped at once is not dropped by the grace timer in time to pass;
the LoginGraceTime test starts its own seshd with
extra=["LoginGraceTime 2"] (the first value wins).
"""

import os
import re
import shutil
import subprocess
import time

import rawssh
from seshd_util import free_port, listening_ports, start_seshd

SSH = shutil.which("ssh", path="/usr/bin:/bin") or "/usr/bin/ssh"
SSH_KEYGEN = shutil.which("ssh-keygen", path="/usr/bin:/bin") or \
	"/usr/bin/ssh-keygen"

# How long a misbehaving connection may stay open before the test
# says the server failed to drop it.
DROP_TIMEOUT = 8

BASE_CONFIG = [
	"PermitRootLogin yes",
	"UsePAM no",
	"Ciphers chacha20-poly1305@openssh.com,aes128-ctr",
	"MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
	"LoginGraceTime 60",
	"MaxAuthTries 3",
	"PerSourcePenalties no",
	"MaxStartups 200",
	"LogLevel DEBUG1",
]


def make_client_key(directory):
	path = os.path.join(str(directory), "id_ed25519")
	if not os.path.exists(path):
		subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "",
				"-C", "adversarial", "-f", path], check=True,
			       stdout=subprocess.DEVNULL)
	with open(path + ".pub") as f:
		return path, f.read().strip()


def start_adv_seshd(sesh_bin, directory, client_key, extra=(),
		    small_quarantine=False):
	"""small_quarantine: for tests that measure memory; in a
	sanitizer build, ASan's quarantine of freed blocks (256 MB by
	default) would count as growth."""
	env = None
	if small_quarantine:
		env = dict(os.environ)
		opts = env.get("ASAN_OPTIONS", "")
		env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + \
			"quarantine_size_mb=1"
	return start_seshd(sesh_bin, directory,
			   list(extra) + BASE_CONFIG,
			   user_keys=[client_key[1]], env=env)


def connect(d, timeout=10):
	return rawssh.RawSSH(d.port, timeout=timeout)


def kexed(d, strict=True):
	c = connect(d)
	c.handshake(strict=strict)
	return c


def authed(d, key_path, user="root"):
	c = kexed(d)
	assert c.service_request("ssh-userauth") == "ssh-userauth"
	got = c.auth_publickey(user, key_path)
	assert got == rawssh.USERAUTH_SUCCESS, f"publickey auth answered {got}"
	return c


def assert_dropped(c, what, timeout=DROP_TIMEOUT):
	"""The server closes c within timeout; returns the Closed."""
	try:
		res = c.wait_closed(timeout)
	finally:
		c.close()
	assert res.closed, (f"{what}: the server kept the connection open "
			    f"for {timeout} s ({res!r})")
	return res


# Lines in seshd's log (LogLevel DEBUG1) that say a process crashed: a
# crash also closes the connection, which must not pass for a refusal.
CRASH_RX = re.compile(r"AddressSanitizer|LeakSanitizer|"
		      r"UndefinedBehaviorSanitizer|runtime error:|"
		      r"killed by signal|Segmentation fault|Aborted")


def assert_no_crash(d):
	m = CRASH_RX.search(d.log_text())
	assert m is None, f"seshd crashed ({m.group(0)}):\n" + d.log_text()


def assert_serves(d, key_path, timeout=30):
	"""No crash so far, the daemon is alive and a normal OpenSSH login
	works."""
	assert_no_crash(d)
	assert d.proc.poll() is None, "seshd exited:\n" + d.log_text()
	r = subprocess.run(
		[SSH, "-F", "none", "-p", str(d.port), "-i", key_path,
		 "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
		 "-o", "StrictHostKeyChecking=no",
		 "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		 "-o", "ConnectTimeout=10", "-T", "root@127.0.0.1",
		 "echo adversarial-ok"],
		stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
	assert r.returncode == 0 and r.stdout.strip() == b"adversarial-ok", (
		f"login after the attack failed: rc={r.returncode} "
		f"stderr={r.stderr.decode(errors='replace')}\n" + d.log_text())
	assert_no_crash(d)  # also what was reaped meanwhile


def wait_for(cond, timeout=10, step=0.02):
	deadline = time.monotonic() + timeout
	while True:
		v = cond()
		if v:
			return v
		if time.monotonic() > deadline:
			return v
		time.sleep(step)


def descendants(pid):
	"""Every process below pid (children, grandchildren, ...)."""
	parent = {}
	for name in os.listdir("/proc"):
		if not name.isdigit():
			continue
		try:
			with open(f"/proc/{name}/stat") as f:
				stat = f.read()
		except OSError:
			continue
		parent[int(name)] = int(stat.rsplit(")", 1)[1].split()[1])
	out, todo = [], [pid]
	while todo:
		p = todo.pop()
		kids = [c for c, pp in parent.items() if pp == p]
		out += kids
		todo += kids
	return out


def rss_kib(pid):
	"""VmRSS of pid in KiB (0 when it is gone)."""
	try:
		with open(f"/proc/{pid}/status") as f:
			for line in f:
				if line.startswith("VmRSS:"):
					return int(line.split()[1])
	except OSError:
		pass
	return 0


def max_conn_rss_kib(d):
	"""The largest VmRSS among seshd's connection processes."""
	return max([rss_kib(p) for p in descendants(d.proc.pid)] + [0])


SSHD = "/usr/sbin/sshd"


class OpenSshd:
	"""Debian's OpenSSH sshd as a reference, with seshd's attributes
	that the tests use (port, proc, log_text, stop)."""

	def __init__(self, port, proc, log_path):
		self.port = port
		self.proc = proc
		self.log_path = log_path

	def log_text(self):
		try:
			with open(self.log_path, "rb") as f:
				return f.read().decode(errors="replace")
		except OSError:
			return ""

	def stop(self):
		if self.proc.poll() is None:
			self.proc.kill()
		self.proc.wait()


def have_openssh_server():
	return os.access(SSHD, os.X_OK) and os.access(SSH_KEYGEN, os.X_OK)


def start_openssh(directory, client_key, timeout=10):
	"""sshd -D on 127.0.0.1 with the settings of BASE_CONFIG that
	OpenSSH 9.2 knows (root login with client_key, the same ciphers
	and MACs, MaxAuthTries 3, LoginGraceTime 60)."""
	d = str(directory)
	os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
	hostkey = os.path.join(d, "ssh_host_ed25519_key")
	if not os.path.exists(hostkey):
		subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "",
				"-f", hostkey], check=True)
	auth = os.path.join(d, "authorized_keys")
	with open(auth, "w") as f:
		f.write(client_key[1] + "\n")
	log_path = os.path.join(d, "sshd.log")
	for _attempt in range(5):
		port = free_port()
		cfg = os.path.join(d, "sshd_config")
		with open(cfg, "w") as f:
			f.write(f"ListenAddress 127.0.0.1\nPort {port}\n"
				f"HostKey {hostkey}\nAuthorizedKeysFile {auth}\n"
				"Ciphers chacha20-poly1305@openssh.com,"
				"aes128-ctr\n"
				"MACs hmac-sha2-256-etm@openssh.com,"
				"hmac-sha2-256\n"
				"UsePAM no\nPidFile none\nStrictModes no\n"
				"PermitRootLogin yes\nMaxAuthTries 3\n"
				"LoginGraceTime 60\nMaxStartups 200\n"
				"LogLevel VERBOSE\n")
		with open(log_path, "wb") as log:
			proc = subprocess.Popen([SSHD, "-D", "-e", "-f", cfg],
						stdin=subprocess.DEVNULL,
						stdout=log,
						stderr=subprocess.STDOUT)
		deadline = time.monotonic() + timeout
		while (proc.poll() is None and time.monotonic() < deadline
		       and port not in listening_ports()):
			time.sleep(0.01)
		s = OpenSshd(port, proc, log_path)
		if proc.poll() is None and port in listening_ports():
			return s
		s.stop()
	raise AssertionError("sshd did not start:\n" + s.log_text())
