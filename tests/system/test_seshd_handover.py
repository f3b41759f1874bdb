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
			       remove_user, run_ssh)

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
