"""
test_client_updatehostkeys.py - sesh's UpdateHostKeys (ssh_config(5);
OpenSSH PROTOCOL §2.5; src/app/client_hkupdate.c, hostkeys_update.c).

Starting from a known_hosts file holding the server's ed25519 key (and
unrelated lines), `sesh -o UpdateHostKeys=yes` against seshd and against
OpenSSH's sshd (each with ed25519, ECDSA and RSA host keys) leaves the
file holding all three keys' material for the host, the other lines
byte for byte unchanged. A key the server no longer has is removed;
with UpdateHostKeys=no (the default once UserKnownHostsFile is set) the
file is untouched (same bytes, same inode). A paramiko server that
answers the hostkeys-prove-00 request with bad signatures gets nothing
written, while the same server with good proofs does.
"""
import os
import shutil
import socket
import struct
import subprocess
import threading

import pytest

from client_util import Sshd, keygen, need_root_sshd
from seshd_util import make_host_key, start_seshd

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
				reason="logs in as root (seshd, sshd)")

TYPES = ("ed25519", "ecdsa", "rsa")
UNRELATED = ("# my hosts\n"
	     "other.example ssh-ed25519 "
	     "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	     " c\n"
	     "\n"
	     "not a valid line\n")


def pub(path):
	"""(type, base64) of a public key file."""
	f = open(str(path) + ".pub").read().split()
	return f[0], f[1]


def host_entries(kh, name):
	"""(type, base64) of the plain lines for name, and the other lines."""
	mine, other = [], []
	for line in open(kh).read().splitlines(keepends=True):
		f = line.split()
		if len(f) >= 3 and f[0] == name:
			mine.append((f[1], f[2]))
		else:
			other.append(line)
	return sorted(mine), other


def run_sesh(sesh_bin, env, tmp_path, port, key, kh, *opts, cmd="echo in"):
	cfg = tmp_path / "empty_config"
	cfg.write_text("")
	argv = [sesh_bin("sesh"), "-F", str(cfg), "-p", str(port),
		"-i", str(key), *opts,
		"-o", f"UserKnownHostsFile={kh}",
		"-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
		"-o", "LogLevel=DEBUG1", "root@127.0.0.1"]
	if cmd is not None:
		argv.append(cmd)
	return subprocess.run(argv, capture_output=True, env=env, timeout=20,
			      stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def seshd_keys(sesh_bin, tmp_path_factory):
	"""seshd's three host keys, made once (RSA takes a while)."""
	d = tmp_path_factory.mktemp("hostkeys")
	for t in TYPES:
		make_host_key(sesh_bin, d / f"ssh_host_{t}_key", t)
	return d


def seshd_dir(tmp_path, seshd_keys, types):
	d = tmp_path / "seshd"
	d.mkdir()
	for t in types:
		for ext in ("", ".pub"):
			shutil.copy(seshd_keys / f"ssh_host_{t}_key{ext}", d)
	return d


def user_key(tmp_path):
	return keygen(tmp_path / "id_ed25519")


def test_seshd_learns_all_keys(sesh_bin, sesh_env, tmp_path, seshd_keys):
	key = user_key(tmp_path)
	d = seshd_dir(tmp_path, seshd_keys, TYPES)
	with start_seshd(sesh_bin, d, ["LogLevel DEBUG1"],
			 user_keys=[" ".join(pub(key))],
			 host_key_types=TYPES) as s:
		name = f"[127.0.0.1]:{s.port}"
		kh = tmp_path / "known_hosts"
		t, b = pub(d / "ssh_host_ed25519_key")
		kh.write_text(UNRELATED + f"{name} {t} {b}\n")
		r = run_sesh(sesh_bin, sesh_env, tmp_path, s.port, key, kh,
			     "-o", "UpdateHostKeys=yes")
		err = r.stderr.decode()
		assert r.returncode == 0, err
		assert r.stdout == b"in\n"
		mine, other = host_entries(kh, name)
		want = sorted(pub(d / f"ssh_host_{t}_key") for t in TYPES)
		assert mine == want, (err, s.log_text())
		assert "".join(other) == UNRELATED
		# the first lines are the old file, byte for byte
		assert kh.read_text().startswith(UNRELATED + f"{name} {t} {b}\n")
		assert err.count("Learned new hostkey") == 2, err
		assert "proved 2 host keys" in s.log_text()
		# a second login has nothing to do
		before = kh.read_bytes()
		r = run_sesh(sesh_bin, sesh_env, tmp_path, s.port, key, kh,
			     "-o", "UpdateHostKeys=yes")
		assert r.returncode == 0, r.stderr.decode()
		assert kh.read_bytes() == before
		assert b"no new or deprecated host keys" in r.stderr


def test_seshd_removed_key_is_dropped(sesh_bin, sesh_env, tmp_path,
				      seshd_keys):
	key = user_key(tmp_path)
	d = seshd_dir(tmp_path, seshd_keys, ("ed25519", "rsa"))
	old = keygen(tmp_path / "old_ecdsa", "ecdsa")
	with start_seshd(sesh_bin, d, ["LogLevel DEBUG1"],
			 user_keys=[" ".join(pub(key))],
			 host_key_types=("ed25519", "rsa")) as s:
		name = f"[127.0.0.1]:{s.port}"
		kh = tmp_path / "known_hosts"
		t, b = pub(d / "ssh_host_ed25519_key")
		ot, ob = pub(old)
		rt, rb = pub(d / "ssh_host_rsa_key")
		kh.write_text(f"{name} {t} {b}\n" + UNRELATED +
			      f"{name} {ot} {ob}\n" + f"{name} {rt} {rb}\n")
		os.chmod(kh, 0o640)
		r = run_sesh(sesh_bin, sesh_env, tmp_path, s.port, key, kh,
			     "-o", "UpdateHostKeys=yes")
		err = r.stderr.decode()
		assert r.returncode == 0, err
		assert "Deprecating obsolete hostkey" in err, err
		assert kh.read_text() == (f"{name} {t} {b}\n" + UNRELATED +
					  f"{name} {rt} {rb}\n")
		assert os.stat(kh).st_mode & 0o777 == 0o640


def test_update_no_leaves_file(sesh_bin, sesh_env, tmp_path, seshd_keys):
	key = user_key(tmp_path)
	d = seshd_dir(tmp_path, seshd_keys, TYPES)
	with start_seshd(sesh_bin, d, [], user_keys=[" ".join(pub(key))],
			 host_key_types=TYPES) as s:
		name = f"[127.0.0.1]:{s.port}"
		kh = tmp_path / "known_hosts"
		t, b = pub(d / "ssh_host_ed25519_key")
		kh.write_text(UNRELATED + f"{name} {t} {b}")  # no final \n
		st = os.stat(kh)
		data = kh.read_bytes()
		# explicit no, and the default with UserKnownHostsFile set
		for opts in (("-o", "UpdateHostKeys=no"), ()):
			r = run_sesh(sesh_bin, sesh_env, tmp_path, s.port, key,
				     kh, *opts)
			assert r.returncode == 0, r.stderr.decode()
			assert kh.read_bytes() == data
			st2 = os.stat(kh)
			assert (st2.st_ino, st2.st_mtime_ns) == \
				(st.st_ino, st.st_mtime_ns)
		# ask without a terminal (BatchMode): no
		r = run_sesh(sesh_bin, sesh_env, tmp_path, s.port, key, kh,
			     "-o", "UpdateHostKeys=ask")
		assert r.returncode == 0, r.stderr.decode()
		assert kh.read_bytes() == data
		assert os.stat(kh).st_ino == st.st_ino


def test_openssh_sshd_learns_all_keys(sesh_bin, sesh_env, tmp_path):
	need_root_sshd()
	d = tmp_path / "sshd"
	d.mkdir()
	hostkeys = [keygen(d / f"host_{t}", t) for t in TYPES]
	sshd = Sshd(d, hostkeys=hostkeys)
	try:
		name = f"[127.0.0.1]:{sshd.port}"
		kh = tmp_path / "known_hosts"
		t, b = pub(hostkeys[0])
		kh.write_text(UNRELATED + f"{name} {t} {b}\n")
		r = run_sesh(sesh_bin, sesh_env, tmp_path, sshd.port, sshd.key,
			     kh, "-o", "UpdateHostKeys=yes")
		err = r.stderr.decode()
		assert r.returncode == 0, err + sshd.log()
		assert r.stdout == b"in\n"
		mine, other = host_entries(kh, name)
		assert mine == sorted(pub(k) for k in hostkeys), err
		assert "".join(other) == UNRELATED
	finally:
		sshd.stop()


# ---- a paramiko server: bad proofs write nothing ----

def fake_server(sock, hostkey, extra, good, done):
	import paramiko

	class Srv(paramiko.ServerInterface):
		def __init__(self):
			self.t = None
			self.proved = threading.Event()

		def get_allowed_auths(self, username):
			return "none"

		def check_auth_none(self, username):
			return paramiko.AUTH_SUCCESSFUL

		def check_global_request(self, kind, msg):
			if kind != "hostkeys-prove-00@openssh.com":
				return False
			sigs = []
			rest = msg.get_remainder()
			while rest:
				n = struct.unpack(">I", rest[:4])[0]
				blob, rest = rest[4:4 + n], rest[4 + n:]
				m = paramiko.Message()
				m.add_string("hostkeys-prove-00@openssh.com")
				# a good proof uses this session's id
				m.add_string(self.t.session_id if good
					     else b"\0" * 32)
				m.add_string(blob)
				sigs.append(extra.sign_ssh_data(
					m.asbytes()).asbytes())
			self.proved.set()
			return tuple(sigs)

	conn, _ = sock.accept()
	t = paramiko.Transport(conn)
	srv = Srv()
	srv.t = t
	t.add_server_key(hostkey)
	try:
		t.start_server(server=srv)
		for _ in range(1000):
			if t.is_authenticated() or not t.is_active():
				break
			threading.Event().wait(0.01)
		# each bytes item goes out as a string
		t.global_request("hostkeys-00@openssh.com",
				 (hostkey.asbytes(), extra.asbytes()), wait=False)
		srv.proved.wait(10)
		# answered in order: the client has handled our proofs
		t.global_request("keepalive@openssh.com", wait=True)
	finally:
		t.close()
		done.set()


@pytest.mark.parametrize("good", [False, True])
def test_bad_proof_writes_nothing(sesh_bin, sesh_env, tmp_path, good):
	paramiko = pytest.importorskip("paramiko")
	hk = keygen(tmp_path / "host_ed25519", "ed25519")
	ek = keygen(tmp_path / "host_ecdsa", "ecdsa")
	hostkey = paramiko.Ed25519Key.from_private_key_file(hk)
	extra = paramiko.ECDSAKey.from_private_key_file(ek)
	key = user_key(tmp_path)
	sock = socket.socket()
	sock.bind(("127.0.0.1", 0))
	sock.listen(1)
	port = sock.getsockname()[1]
	done = threading.Event()
	th = threading.Thread(target=fake_server,
			      args=(sock, hostkey, extra, good, done),
			      daemon=True)
	th.start()
	try:
		name = f"[127.0.0.1]:{port}"
		kh = tmp_path / "known_hosts"
		t, b = pub(hk)
		kh.write_text(UNRELATED + f"{name} {t} {b}\n")
		data = kh.read_bytes()
		ino = os.stat(kh).st_ino
		r = run_sesh(sesh_bin, sesh_env, tmp_path, port, key, kh,
			     "-N", "-o", "UpdateHostKeys=yes", cmd=None)
		assert done.wait(10)
		err = r.stderr.decode()
		if good:
			mine, other = host_entries(kh, name)
			assert mine == sorted([pub(hk), pub(ek)]), err
			assert "".join(other) == UNRELATED
		else:
			assert "bad host key proof" in err, err
			assert kh.read_bytes() == data
			assert os.stat(kh).st_ino == ino
	finally:
		sock.close()
		th.join(10)
