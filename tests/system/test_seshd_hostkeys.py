"""
test_seshd_hostkeys.py - host key rotation (OpenSSH PROTOCOL §2.5):
after authentication seshd sends hostkeys-00@openssh.com with all its
host keys and answers hostkeys-prove-00@openssh.com with signatures
(src/app/server_hostkeys.c); in the user's process of a non-root login
the privileged parent signs ('P' request, src/app/server_privsep.c).

Checked with OpenSSH's ssh -o UpdateHostKeys=yes: starting from a
known_hosts file that holds only seshd's ed25519 key, a login (root, a
created user, `seshd -i` for both) leaves the file holding exactly the
ed25519, ECDSA and RSA keys' material; a user's proofs are signed by its
root parent. A monitor carrying a login on (after SIGHUP) signs them
itself. With paramiko: the proofs verify over
string "hostkeys-prove-00@openssh.com", string session id, string blob
(RSA with the key exchange's RSA algorithm), and a key seshd does not
have, a malformed request or too many keys get REQUEST_FAILURE while the
connection goes on.
"""
import base64
import os
import shutil
import signal
import socket
import struct

import pytest

from seshd_util import make_host_key, start_seshd
from seshd_server_util import (authorize, make_key, make_user, pub_line,
			       remove_user, run_ssh)

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
				reason="logs in as root and creates users")

HOST_KEY_TYPES = ("ed25519", "ecdsa", "rsa")
PROVE = "hostkeys-prove-00@openssh.com"


def host_pub(d, ktype):
	"""(type, base64) of one of seshd's host keys."""
	path = [k for k in d.host_keys if k.endswith(f"_{ktype}_key")][0]
	with open(path + ".pub") as f:
		fields = f.read().split()
	return fields[0], fields[1]


def known_keys(path):
	"""The (type, base64) pairs of a known_hosts file's lines."""
	out = []
	with open(path) as f:
		for line in f:
			fields = line.split()
			if len(fields) >= 3 and not line.startswith("#"):
				out.append((fields[1], fields[2]))
	return out


def update_host_keys(d, key, dest, tmp_path, *opts):
	kh = tmp_path / "known_hosts"
	t, b = host_pub(d, "ed25519")
	kh.write_text(f"[127.0.0.1]:{d.port} {t} {b}\n")
	r = run_ssh(d.port, key, dest, "echo in", "-o", "UpdateHostKeys=yes",
		    "-o", "StrictHostKeyChecking=yes",
		    "-o", f"UserKnownHostsFile={kh}", "-o", "LogLevel=DEBUG3",
		    *opts)
	assert r.returncode == 0, r.stderr.decode()[-3000:]
	assert r.stdout == b"in\n"
	want = sorted(host_pub(d, t) for t in HOST_KEY_TYPES)
	got = sorted(known_keys(kh))
	assert got == want, (r.stderr.decode()[-3000:], d.log_text())
	return r


@pytest.fixture(scope="module")
def host_keys(sesh_bin, tmp_path_factory):
	"""seshd's three host keys, made once (RSA takes a while)."""
	d = tmp_path_factory.mktemp("hostkeys")
	for t in HOST_KEY_TYPES:
		make_host_key(sesh_bin, d / f"ssh_host_{t}_key", t)
	return d


@pytest.fixture
def root_key(tmp_path, host_keys):
	# start_seshd keeps host keys it finds in its folder
	for f in os.listdir(host_keys):
		shutil.copy(host_keys / f, tmp_path / f)
	return make_key(tmp_path, "ed25519")


def test_root_login_learns_all_host_keys(sesh_bin, tmp_path, root_key):
	with start_seshd(sesh_bin, tmp_path, ["LogLevel DEBUG1"],
			 user_keys=[pub_line(root_key)],
			 host_key_types=HOST_KEY_TYPES) as d:
		r = update_host_keys(d, root_key, "root@127.0.0.1", tmp_path)
		assert b"asking server to prove ownership for 2 keys" in \
			r.stderr
		assert "proved 2 host keys" in d.log_text()


def test_user_login_parent_signs(sesh_bin, tmp_path, root_key):
	user = make_user()
	try:
		key = make_key(tmp_path, "ed25519", name="ukey")
		authorize(user, [pub_line(key)])
		with start_seshd(sesh_bin, tmp_path,
				 ["LogLevel DEBUG1", "UsePAM no"],
				 host_key_types=HOST_KEY_TYPES) as d:
			update_host_keys(d, key, f"{user.name}@127.0.0.1",
					 tmp_path)
			log = d.log_text()
			# the user's process has no private host key: the
			# proofs came from its root parent
			assert "handed over" in log, log
			assert "proved 2 host keys" in log, log
			assert log.count("signed a host key proof") == 2, log
			assert "signed a host key proof (rsa-sha2-512) for " \
				f"user {user.name}'s process" in log, log
			assert "refused a host key signature" not in log, log
			# seshd -i: no handover, the parent signs with the
			# keys the engine was given
			r = inetd_login(sesh_bin, d, key,
					f"{user.name}@127.0.0.1", tmp_path)
			# (seshd -i -e logs to ssh's stderr)
			assert r.stderr.count(b"signed a host key proof") == 2, \
				r.stderr
	finally:
		remove_user(user)


def inetd_login(sesh_bin, d, key, dest, tmp_path):
	"""A login through `seshd -i` (ProxyCommand) with UpdateHostKeys."""
	proxy = f"{sesh_bin('seshd')} -i -e -f {d.config}"
	kh = tmp_path / "known_hosts_inetd"
	t, b = host_pub(d, "ed25519")
	# ssh names the host by HostKeyAlias with a ProxyCommand
	kh.write_text(f"seshd-inetd {t} {b}\n")
	r = run_ssh(d.port, key, dest, "echo in",
		    "-o", f"ProxyCommand={proxy}",
		    "-o", "HostKeyAlias=seshd-inetd",
		    "-o", "UpdateHostKeys=yes",
		    "-o", "StrictHostKeyChecking=yes",
		    "-o", f"UserKnownHostsFile={kh}")
	assert r.returncode == 0, r.stderr.decode()[-3000:]
	assert r.stdout == b"in\n"
	want = sorted(host_pub(d, t) for t in HOST_KEY_TYPES)
	assert sorted(known_keys(kh)) == want, r.stderr.decode()
	return r


def test_inetd_mode_learns_all_host_keys(sesh_bin, tmp_path, root_key):
	with start_seshd(sesh_bin, tmp_path, ["LogLevel DEBUG1"],
			 user_keys=[pub_line(root_key)],
			 host_key_types=HOST_KEY_TYPES) as d:
		inetd_login(sesh_bin, d, root_key, "root@127.0.0.1", tmp_path)


# ---- paramiko: the proofs themselves ----

def ssh_string(b):
	return struct.pack(">I", len(b)) + b


def read_string(buf, off):
	(n,) = struct.unpack(">I", buf[off:off + 4])
	return buf[off + 4:off + 4 + n], off + 4 + n


def blob_of(d, ktype):
	return base64.b64decode(host_pub(d, ktype)[1])


def verify(blob, sig, data):
	"""Verifies an SSH signature blob over data with host key blob."""
	from cryptography.hazmat.primitives import hashes
	from cryptography.hazmat.primitives.asymmetric import ec, ed25519
	from cryptography.hazmat.primitives.asymmetric import padding, rsa
	from cryptography.hazmat.primitives.asymmetric.utils import \
		encode_dss_signature

	ktype, off = read_string(blob, 0)
	alg, soff = read_string(sig, 0)
	raw, soff = read_string(sig, soff)
	assert soff == len(sig)
	if ktype == b"ssh-ed25519":
		pk, _ = read_string(blob, off)
		assert alg == b"ssh-ed25519"
		ed25519.Ed25519PublicKey.from_public_bytes(pk).verify(raw,
								     data)
	elif ktype.startswith(b"ecdsa-sha2-"):
		curve, off = read_string(blob, off)
		point, _ = read_string(blob, off)
		assert alg == ktype
		assert curve == b"nistp256"
		pub = ec.EllipticCurvePublicKey.from_encoded_point(
			ec.SECP256R1(), point)
		r, o = read_string(raw, 0)
		s, _ = read_string(raw, o)
		der = encode_dss_signature(int.from_bytes(r, "big"),
					   int.from_bytes(s, "big"))
		pub.verify(der, data, ec.ECDSA(hashes.SHA256()))
	elif ktype == b"ssh-rsa":
		e, off = read_string(blob, off)
		n, _ = read_string(blob, off)
		pub = rsa.RSAPublicNumbers(int.from_bytes(e, "big"),
					   int.from_bytes(n, "big")).public_key()
		h = {b"rsa-sha2-256": hashes.SHA256(),
		     b"rsa-sha2-512": hashes.SHA512()}[alg]
		pub.verify(raw, data, padding.PKCS1v15(), h)
	else:
		raise AssertionError(ktype)
	return alg


def connect_paramiko(d, key, hostkey_alg):
	paramiko = pytest.importorskip("paramiko")
	sock = socket.create_connection(("127.0.0.1", d.port), timeout=20)
	t = paramiko.Transport(sock)
	t.get_security_options().key_types = [hostkey_alg]
	t.start_client(timeout=20)
	t.auth_publickey("root", paramiko.Ed25519Key.from_private_key_file(
		key))
	assert t.is_authenticated()
	return t


def prove(t, blobs):
	m = t.global_request(PROVE, data=tuple(blobs), wait=True)
	if m is None:
		return None
	sigs = []
	rest = m.get_remainder()
	off = 0
	while off < len(rest):
		s, off = read_string(rest, off)
		sigs.append(s)
	return sigs


@pytest.mark.parametrize("kexalg", ["ssh-ed25519", "rsa-sha2-256"])
def test_prove_signatures_verify(sesh_bin, tmp_path, root_key, kexalg):
	with start_seshd(sesh_bin, tmp_path, ["LogLevel DEBUG1"],
			 user_keys=[pub_line(root_key)],
			 host_key_types=HOST_KEY_TYPES) as d:
		t = connect_paramiko(d, root_key, kexalg)
		try:
			blobs = [blob_of(d, k) for k in
				 ("rsa", "ecdsa", "ed25519")]
			sigs = prove(t, blobs)
			assert sigs is not None and len(sigs) == 3, \
				d.log_text()
			sid = t.session_id
			algs = []
			for blob, sig in zip(blobs, sigs):
				data = (ssh_string(PROVE.encode()) +
					ssh_string(sid) + ssh_string(blob))
				algs.append(verify(blob, sig, data))
			# RSA: the exchange's RSA algorithm, else SHA-512
			assert algs[0] == (b"rsa-sha2-256" if
					   kexalg == "rsa-sha2-256" else
					   b"rsa-sha2-512")
			# a proof over another session id does not verify
			bad = (ssh_string(PROVE.encode()) +
			       ssh_string(bytes(len(sid))) +
			       ssh_string(blobs[2]))
			with pytest.raises(Exception):
				verify(blobs[2], sigs[2], bad)
		finally:
			t.close()


def test_prove_refusals(sesh_bin, tmp_path, root_key):
	paramiko = pytest.importorskip("paramiko")
	with start_seshd(sesh_bin, tmp_path, ["LogLevel DEBUG1"],
			 user_keys=[pub_line(root_key)],
			 host_key_types=HOST_KEY_TYPES) as d:
		t = connect_paramiko(d, root_key, "ssh-ed25519")
		try:
			other = paramiko.Ed25519Key.from_private_key_file(
				make_key(tmp_path, "ed25519", name="other"))
			ours = blob_of(d, "ed25519")
			# a key seshd does not have, alone or among ours
			assert prove(t, [other.asbytes()]) is None
			assert prove(t, [ours, other.asbytes()]) is None
			# more keys than seshd takes in one request
			assert prove(t, [ours] * 17) is None
			# an empty request
			assert t.global_request(PROVE, wait=True) is None
			# the connection goes on: a good request still works,
			# and a session runs
			assert len(prove(t, [ours] * 16)) == 16
			ch = t.open_session()
			ch.exec_command("echo still")
			assert ch.makefile().read() == b"still\n"
		finally:
			t.close()
		assert "hostkeys-prove request from" in d.log_text()


def test_monitor_carrying_on_proves(sesh_bin, tmp_path, root_key):
	"""A login that completes after a SIGHUP closed the listener's
	sockets is carried on by its monitor (server.c carry_on), which
	signs with the keys it holds."""
	paramiko = pytest.importorskip("paramiko")
	with start_seshd(sesh_bin, tmp_path, ["LogLevel DEBUG1"],
			 user_keys=[pub_line(root_key)],
			 host_key_types=HOST_KEY_TYPES) as d:
		sock = socket.create_connection(("127.0.0.1", d.port), 10)
		t = paramiko.Transport(sock)
		try:
			t.start_client(timeout=10)
			os.kill(d.proc.pid, signal.SIGHUP)
			d.wait_log("Received SIGHUP")
			t.auth_publickey(
				"root", paramiko.Ed25519Key.from_private_key_file(
					root_key))
			blob = blob_of(d, "ecdsa")
			sigs = prove(t, [blob])
			assert sigs is not None and len(sigs) == 1, d.log_text()
			data = (ssh_string(PROVE.encode()) +
				ssh_string(t.session_id) + ssh_string(blob))
			verify(blob, sigs[0], data)
		finally:
			t.close()
		assert "carried on by its monitor" in d.log_text()
