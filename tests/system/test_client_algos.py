"""
sesh against OpenSSH's sshd: every key exchange, cipher, MAC and host
key algorithm of issue 3, each selected by restricting the server's
sshd_config to it (no client flag), checked by a login that runs one
command (host keys: the known_hosts file holds only that key, under
StrictHostKeyChecking yes).
"""

import subprocess

import pytest

from client_util import Sshd, keygen, need_root_sshd

KEX = ["mlkem768x25519-sha256", "sntrup761x25519-sha512",
       "sntrup761x25519-sha512@openssh.com",
       "curve25519-sha256", "curve25519-sha256@libssh.org",
       "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
       "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512",
       "diffie-hellman-group18-sha512"]
CIPHERS = ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com",
	   "aes128-gcm@openssh.com", "aes256-ctr", "aes192-ctr",
	   "aes128-ctr"]
MACS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
	"hmac-sha2-256", "hmac-sha2-512"]
HOSTKEYS = [("ssh-ed25519", "ed25519", None),
	    ("ecdsa-sha2-nistp256", "ecdsa", 256),
	    ("ecdsa-sha2-nistp384", "ecdsa", 384),
	    ("ecdsa-sha2-nistp521", "ecdsa", 521),
	    ("rsa-sha2-512", "rsa", 2048),
	    ("rsa-sha2-256", "rsa", 2048)]


@pytest.fixture(scope="module")
def keydir(tmp_path_factory):
	need_root_sshd()
	d = tmp_path_factory.mktemp("algkeys")
	keys = {}
	for alg, kind, bits in HOSTKEYS:
		name = f"host_{kind}_{bits or 0}"
		if name not in keys:
			keys[name] = keygen(d / name, kind, bits)
	keygen(d / "user_ed25519")
	return d, keys


def login(tmp_path, keydir, sesh_bin, sesh_env, extra, hostkey=None):
	d, keys = keydir
	hk = [hostkey or keys["host_ed25519_0"]]
	srv_dir = tmp_path / "srv"
	srv_dir.mkdir()
	(srv_dir / "user_ed25519").write_bytes(
		(d / "user_ed25519").read_bytes())
	(srv_dir / "user_ed25519").chmod(0o600)
	(srv_dir / "user_ed25519.pub").write_bytes(
		(d / "user_ed25519.pub").read_bytes())
	srv = Sshd(srv_dir, extra=extra, hostkeys=hk)
	try:
		r = srv.run(sesh_bin("sesh"), sesh_env, cmd="echo ok-$((6*7))")
		return r, srv.log()
	finally:
		srv.stop()


@pytest.mark.parametrize("kex", KEX)
def test_kex(kex, tmp_path, keydir, sesh_bin, sesh_env):
	q = subprocess.run(["ssh", "-Q", "kex"], capture_output=True)
	if kex not in q.stdout.decode().split():
		pytest.skip(f"this OpenSSH lacks {kex}")
	r, log = login(tmp_path, keydir, sesh_bin, sesh_env,
		       f"KexAlgorithms {kex}\n")
	assert r.returncode == 0, r.stderr.decode() + log
	assert r.stdout == b"ok-42\n"


@pytest.mark.parametrize("cipher", CIPHERS)
def test_cipher(cipher, tmp_path, keydir, sesh_bin, sesh_env):
	r, log = login(tmp_path, keydir, sesh_bin, sesh_env,
		       f"Ciphers {cipher}\n")
	assert r.returncode == 0, r.stderr.decode() + log
	assert r.stdout == b"ok-42\n"


@pytest.mark.parametrize("mac", MACS)
def test_mac(mac, tmp_path, keydir, sesh_bin, sesh_env):
	# a MAC is only used with a non-AEAD cipher
	r, log = login(tmp_path, keydir, sesh_bin, sesh_env,
		       f"Ciphers aes128-ctr\nMACs {mac}\n")
	assert r.returncode == 0, r.stderr.decode() + log
	assert r.stdout == b"ok-42\n"


@pytest.mark.parametrize("alg,kind,bits", HOSTKEYS)
def test_hostkey(alg, kind, bits, tmp_path, keydir, sesh_bin, sesh_env):
	d, keys = keydir
	r, log = login(tmp_path, keydir, sesh_bin, sesh_env,
		       f"HostKeyAlgorithms {alg}\n",
		       hostkey=keys[f"host_{kind}_{bits or 0}"])
	assert r.returncode == 0, r.stderr.decode() + log
	assert r.stdout == b"ok-42\n"


@pytest.mark.parametrize("flags,words,offer", [
	(("-c", "aes256-ctr"), "cipher", "aes128-ctr"),
	(("-m", "hmac-sha2-512"), "MAC", "hmac-sha2-256"),
	(("-o", "KexAlgorithms=curve25519-sha256"), "key exchange method",
	 "ecdh-sha2-nistp384"),
	(("-o", "HostKeyAlgorithms=ecdsa-sha2-nistp256"), "host key type",
	 "ssh-ed25519"),
])
def test_client_algorithm_options(flags, words, offer, tmp_path, keydir,
				  sesh_bin, sesh_env):
	"""The client's own lists (-c, -m, KexAlgorithms, HostKeyAlgorithms)
	are what it offers: against a server restricted to another
	algorithm, negotiation fails with ssh's message."""
	d, keys = keydir
	srv_dir = tmp_path / "srv"
	srv_dir.mkdir()
	(srv_dir / "user_ed25519").write_bytes(
		(d / "user_ed25519").read_bytes())
	(srv_dir / "user_ed25519").chmod(0o600)
	(srv_dir / "user_ed25519.pub").write_bytes(
		(d / "user_ed25519.pub").read_bytes())
	srv = Sshd(srv_dir, hostkeys=[keys["host_ed25519_0"]], extra=(
		"Ciphers aes128-ctr\nMACs hmac-sha2-256\n"
		"KexAlgorithms ecdh-sha2-nistp384\n"))
	try:
		r = srv.run(sesh_bin("sesh"), sesh_env, *flags, cmd="echo no")
		assert r.returncode == 255
		assert r.stdout == b""
		assert (f"Unable to negotiate with 127.0.0.1 port {srv.port}: "
			f"no matching {words} found. Their offer: {offer}"
			).encode() in r.stderr, r.stderr
		# the matching choice works
		ok = {"cipher": ("-c", "aes128-ctr"),
		      "MAC": ("-m", "hmac-sha2-256"),
		      "key exchange method":
			("-o", "KexAlgorithms=ecdh-sha2-nistp384"),
		      "host key type": ("-o", "HostKeyAlgorithms=ssh-ed25519")}
		r = srv.run(sesh_bin("sesh"), sesh_env, *ok[words],
			    cmd="echo yes")
		assert r.returncode == 0, r.stderr
		assert r.stdout == b"yes\n"
	finally:
		srv.stop()
