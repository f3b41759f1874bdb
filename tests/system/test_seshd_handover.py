"""
test_seshd_handover.py - after authentication seshd's re-executed
connection process hands the connection (socket, keys, sequence numbers,
undecoded input) to a process the listener forks, and ends
(src/app/server_handover.c, docs/architecture.md "Server processes").

Checked with OpenSSH's ssh: the session runs under a process whose parent
is the listener; the connection process is gone; the log says so; data
flows both ways intact and the keys keep working across rekeys after the
move, for each cipher mode; a non-root user's session runs as the user
under a root parent, and `seshd -i` / `-d` (no listener) still work.
"""
import hashlib
import os
import subprocess
import time

import pytest

from seshd_util import start_seshd
from seshd_server_util import (authorize, make_key, make_user, pub_line,
			       remove_user, run_ssh, ssh_argv)

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
				reason="logs in as root and creates users")


def wait_log(d, text, timeout=10):
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if text in d.log_text():
			return True
		time.sleep(0.05)
	return False


@pytest.fixture
def root_key(tmp_path):
	return make_key(tmp_path, "ed25519")


def test_session_runs_in_a_child_of_the_listener(sesh_bin, tmp_path,
						 root_key):
	with start_seshd(sesh_bin, tmp_path, ["LogLevel DEBUG1"],
			 user_keys=[pub_line(root_key)]) as d:
		# the shell's parent is the process carrying the session on
		r = run_ssh(d.port, root_key, "root@127.0.0.1",
			    "echo $PPID; cat /proc/$PPID/stat")
		assert r.returncode == 0, r.stderr
		lines = r.stdout.decode().splitlines()
		carrier = int(lines[0])
		carrier_ppid = int(lines[1].rsplit(")", 1)[1].split()[1])
		assert carrier_ppid == d.proc.pid, (carrier, carrier_ppid,
						    d.proc.pid)
		assert wait_log(d, "handed over"), d.log_text()
		log = d.log_text()
		assert f"Forked child {carrier} to carry connection" in log, log
		# the connection process that authenticated ended with
		# status 0 before the session did
		start = log.index("handed over")
		assert "exited with status 0" in log[start:], log


@pytest.mark.parametrize("cipher,mac", [
	("chacha20-poly1305@openssh.com", None),
	("aes128-gcm@openssh.com", None),
	("aes256-gcm@openssh.com", None),
	("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
	("aes256-ctr", "hmac-sha2-512"),
])
def test_keys_and_rekeys_after_the_move(sesh_bin, tmp_path, root_key,
					cipher, mac):
	data = os.urandom(6 * 1024 * 1024)
	want = hashlib.sha256(data).hexdigest()
	opts = ["-c", cipher, "-o", "RekeyLimit=1M"]
	if mac:
		opts += ["-m", mac]
	with start_seshd(sesh_bin, tmp_path,
			 ["LogLevel DEBUG1", "RekeyLimit 2M"],
			 user_keys=[pub_line(root_key)]) as d:
		# both directions: sha256 of what arrived, and the data back
		r = run_ssh(d.port, root_key, "root@127.0.0.1",
			    "tee /dev/stderr | sha256sum >&2; head -c 3000000 "
			    "/dev/zero", *opts, stdin=data, timeout=120)
		assert r.returncode == 0, r.stderr[-500:]
		assert want.encode() in r.stderr[-200:], r.stderr[-200:]
		assert r.stderr[:len(data)] == data
		assert r.stdout == bytes(3000000)
		assert wait_log(d, "handed over"), d.log_text()


def test_user_session_after_the_move(sesh_bin, tmp_path):
	user = make_user()
	try:
		key = make_key(tmp_path, "ed25519", name="ukey")
		authorize(user, [pub_line(key)])
		with start_seshd(sesh_bin, tmp_path,
				 ["LogLevel DEBUG1", "UsePAM no"]) as d:
			# the session's seshd process (C), its parent (P) and
			# P's parent, read while the session runs
			cmd = ("id -u; echo $PPID; "
			       "C=$PPID; P=$(awk '/^PPid:/{print $2}' "
			       "/proc/$C/status); echo $P; "
			       "awk '/^Uid:/{print $2}' /proc/$C/status; "
			       "awk '/^Uid:/{print $2}' /proc/$P/status; "
			       "awk '/^PPid:/{print $2}' /proc/$P/status")
			r = run_ssh(d.port, key, f"{user.name}@127.0.0.1", cmd)
			assert r.returncode == 0, r.stderr
			out = [int(x) for x in r.stdout.decode().split()]
			uid, carrier, parent, c_uid, p_uid, p_ppid = out
			assert uid == user.uid
			# the user's process, under a root parent forked by the
			# listener
			assert c_uid == user.uid
			assert p_uid == 0
			assert p_ppid == d.proc.pid
			assert carrier != parent
			assert wait_log(d, "handed over"), d.log_text()
			# rekeys in the user's process: it holds no private
			# host key, its root parent signs the exchange hashes
			data = os.urandom(5 * 1024 * 1024)
			r = run_ssh(d.port, key, f"{user.name}@127.0.0.1",
				    "sha256sum", "-o", "RekeyLimit=1M",
				    stdin=data, timeout=120)
			assert r.returncode == 0, r.stderr
			assert hashlib.sha256(data).hexdigest().encode() in \
				r.stdout
			assert "host key signature" not in d.log_text()
	finally:
		remove_user(user)


def test_inetd_mode_has_no_handover(sesh_bin, tmp_path, root_key):
	with start_seshd(sesh_bin, tmp_path, ["LogLevel DEBUG1"],
			 user_keys=[pub_line(root_key)]) as d:
		cfg = d.config
	proxy = f"{sesh_bin('seshd')} -i -e -f {cfg}"
	r = run_ssh(1, root_key, "root@127.0.0.1", "echo inetd-ok",
		    "-o", f"ProxyCommand={proxy}")
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"inetd-ok\n"
	assert b"handed over" not in r.stderr


def _host_key_seed(path):
	"""The 32-byte private seed of an OpenSSH ed25519 key file."""
	from cryptography.hazmat.primitives import serialization
	with open(path, "rb") as f:
		k = serialization.load_ssh_private_key(f.read(), None)
	return k.private_bytes(serialization.Encoding.Raw,
			       serialization.PrivateFormat.Raw,
			       serialization.NoEncryption())


def _memory_holds(pid, needle):
	"""Whether any readable, resident mapping of process pid holds
	needle. Mappings over 1 GiB are skipped: only a sanitizer build has
	them (its shadow memory, reserved and mostly untouched)."""
	regions, cur = [], None
	with open(f"/proc/{pid}/smaps") as f:
		for line in f:
			first = line.split()[0]
			if "-" in first and not first.endswith(":"):
				fields = line.split()
				lo, hi = (int(x, 16) for x in first.split("-"))
				name = fields[5] if len(fields) > 5 else ""
				cur = [lo, hi, "r" in fields[1] and
				       name not in ("[vvar]", "[vsyscall]"), 0]
				regions.append(cur)
			elif first == "Rss:" and cur is not None:
				cur[3] = int(line.split()[1])
	chunk = 16 << 20
	with open(f"/proc/{pid}/mem", "rb", 0) as mem:
		for lo, hi, readable, rss in regions:
			if not readable or rss == 0 or hi - lo > (1 << 30):
				continue
			at = lo
			while at < hi:
				n = min(chunk + len(needle), hi - at)
				try:
					mem.seek(at)
					data = mem.read(n)
				except OSError:
					break
				if needle in data:
					return True
				at += chunk
	return False


@pytest.mark.parametrize("mode", ["listener", "inetd"])
def test_user_process_holds_no_private_host_key(sesh_bin, tmp_path, mode):
	"""A non-root user's session process has dropped the private host
	key (its root parent signs for it), with a listener (after the
	handover) and with -i (no monitor, no handover); the parent's
	memory, searched the same way, holds it (the search works)."""
	user = make_user()
	try:
		key = make_key(tmp_path, "ed25519", name="ukey")
		authorize(user, [pub_line(key)])
		with start_seshd(sesh_bin, tmp_path,
				 ["LogLevel DEBUG1", "UsePAM no"]) as d:
			seed = _host_key_seed(d.host_keys[0])
			if mode == "listener":
				port, extra = d.port, []
			else:
				port, extra = 1, ["-o", "ProxyCommand="
						  f"{sesh_bin('seshd')} -i -e "
						  f"-f {d.config}"]
			argv = ssh_argv(port, key, f"{user.name}@127.0.0.1",
					"echo $PPID; exec sleep 30", *extra)
			p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
					     stdout=subprocess.PIPE,
					     stderr=subprocess.PIPE)
			try:
				carrier = int(p.stdout.readline())
				with open(f"/proc/{carrier}/status") as f:
					st = f.read()
				uid = int(st.split("\nUid:")[1].split()[0])
				parent = int(st.split("\nPPid:")[1].split()[0])
				assert uid == user.uid
				assert _memory_holds(parent, seed)
				assert not _memory_holds(carrier, seed)
			finally:
				p.kill()
				p.wait()
			# and rekeys still work: the parent signs them
			data = os.urandom(3 * 1024 * 1024)
			r = run_ssh(port, key, f"{user.name}@127.0.0.1",
				    "sha256sum", "-o", "RekeyLimit=512K",
				    *extra, stdin=data, timeout=120)
			assert r.returncode == 0, r.stderr
			assert hashlib.sha256(data).hexdigest().encode() in \
				r.stdout
	finally:
		remove_user(user)
