"""
OpenSSH's ssh against seshd for every algorithm sesh implements (the
client issue's lists): each KEX method, cipher, MAC (with an AEAD and
with a CTR cipher, so that the MAC is used) and host key algorithm,
restricted on the ssh side with -o; each connection runs a command whose
output and exit status must come back. Needs root (logs in as root with a
key in the test's own AuthorizedKeysFile); skipped otherwise.
"""

import os
import re
import subprocess

import pytest

import seshd_server_util as su
from seshd_util import start_seshd

KEX = ["mlkem768x25519-sha256", "sntrup761x25519-sha512",
       "sntrup761x25519-sha512@openssh.com",
       "curve25519-sha256", "curve25519-sha256@libssh.org",
       "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
       "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512",
       "diffie-hellman-group18-sha512"]
CIPHERS = ["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com",
	   "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"]
MACS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
	"hmac-sha2-256", "hmac-sha2-512"]
HOSTKEYS = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	    "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256"]


def ssh_supports(kind, name):
	r = subprocess.run([su.SSH, "-Q", kind], capture_output=True)
	return name in r.stdout.decode().split()


@pytest.fixture(scope="module")
def srv(tmp_path_factory, sesh_bin):
	if os.geteuid() != 0:
		pytest.skip("logs in as root: needs root")
	d = tmp_path_factory.mktemp("seshd_algos")
	key = su.make_key(d, "ed25519", name="user_key")
	hk = [su.make_key(d, "ecdsa", 384, name="host_ecdsa384"),
	      su.make_key(d, "ecdsa", 521, name="host_ecdsa521")]
	sd = start_seshd(sesh_bin, d,
			 ["PermitRootLogin yes", "UsePAM no",
			  "PasswordAuthentication no",
			  # seshd's defaults leave out the NIST curves
			  # (test_ssh_audit.py): every algorithm named
			  "KexAlgorithms " + ",".join(KEX),
			  "HostKeyAlgorithms " + ",".join(HOSTKEYS)] +
			 [f"HostKey {k}" for k in hk],
			 user_keys=[su.pub_line(key)],
			 host_key_types=("ed25519", "ecdsa", "rsa"))
	try:
		yield {"d": sd, "key": key}
	finally:
		sd.stop()


def check(srv, *opts):
	r = su.run_ssh(srv["d"].port, srv["key"], "root@127.0.0.1",
		       "echo algo-ok; exit 3", *opts, "-v")
	assert r.returncode == 3, r.stderr.decode()[-3000:]
	assert r.stdout == b"algo-ok\n"
	return r.stderr.decode()


@pytest.mark.parametrize("kex", KEX)
def test_kex(srv, kex):
	if not ssh_supports("kex", kex):
		pytest.skip(f"this ssh lacks {kex}")
	err = check(srv, "-o", f"KexAlgorithms={kex}")
	assert f"kex: algorithm: {kex}" in err


@pytest.mark.parametrize("cipher", CIPHERS)
def test_cipher(srv, cipher):
	err = check(srv, "-o", f"Ciphers={cipher}")
	assert f"cipher: {cipher}" in err


@pytest.mark.parametrize("mac", MACS)
def test_mac(srv, mac):
	err = check(srv, "-o", "Ciphers=aes128-ctr", "-o", f"MACs={mac}")
	assert f"MAC: {mac}" in err


@pytest.mark.parametrize("alg", HOSTKEYS)
def test_host_key_algorithm(srv, alg):
	err = check(srv, "-o", f"HostKeyAlgorithms={alg}")
	assert re.search(r"kex: host key algorithm: " + re.escape(alg), err)


def test_rekey_by_volume(srv):
	# RekeyLimit on the client side forces several key exchanges
	# during one transfer; the data must come through intact.
	data = os.urandom(1 << 20) * 8
	r = su.run_ssh(srv["d"].port, srv["key"], "root@127.0.0.1",
		       "sha256sum", "-o", "RekeyLimit=1M", "-v", stdin=data)
	assert r.returncode == 0, r.stderr.decode()[-2000:]
	import hashlib
	assert r.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()
	assert r.stderr.count(b"SSH2_MSG_KEXINIT sent") >= 3


def test_rekey_by_time(srv, sesh_bin, tmp_path):
	# RekeyLimit's time part on the server: a new key exchange while a
	# quiet session waits (the engine's timer, driven by the loop)
	with start_seshd(sesh_bin, tmp_path,
			 ["PermitRootLogin yes", "UsePAM no",
			  "RekeyLimit default 1"],
			 user_keys=[su.pub_line(srv["key"])]) as sd:
		r = su.run_ssh(sd.port, srv["key"], "root@127.0.0.1",
			       "sleep 2.5; echo after", "-v")
		assert r.returncode == 0, r.stderr.decode()[-2000:]
		assert r.stdout == b"after\n"
		assert r.stderr.count(b"SSH2_MSG_KEXINIT received") >= 2
