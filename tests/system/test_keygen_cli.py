"""
sesh-keygen's command-line behaviour, compared with OpenSSH's ssh-keygen
(Debian 12, OpenSSH 9.2): prompts (on a pseudo-terminal and without one),
messages, exit statuses (0 ok, 1 usage/declined, 255 fatal), file modes,
overwrite refusal, -q, -A into a temporary prefix, -R/-F/-H on a
known_hosts file, -c, -p and the -e/-i round trip with ssh-keygen.

Deeper format interop (every type and size, keys made by OpenSSH and
openssl) is test_keygen_interop.py's job.
"""

import fcntl
import os
import pathlib
import pty
import select
import shutil
import signal
import stat
import subprocess
import termios

import pytest

SSH_KEYGEN = shutil.which("ssh-keygen")
needs_ossh = pytest.mark.skipif(
	SSH_KEYGEN is None,
	reason="OpenSSH's ssh-keygen (reference) missing; "
	"apt-get install openssh-client")
TIMEOUT = 120
PTY_TIMEOUT = 30
PW = "correct horse"


def run(cmd, env, inp=None, cwd=None, new_session=True):
	"""Runs cmd without a controlling terminal (like ssh-keygen in CI)."""
	return subprocess.run(cmd, input=inp, capture_output=True, text=True,
			      env=env, cwd=cwd, timeout=TIMEOUT,
			      start_new_session=new_session)


@pytest.fixture
def kg(sesh_bin, sesh_env, workdir):
	exe = sesh_bin("sesh-keygen")

	def call(*args, inp=None):
		return run([exe, *args], sesh_env, inp=inp, cwd=workdir)
	call.exe = exe
	return call


def ossh(env, *args, inp=None):
	return run([SSH_KEYGEN, *args], env, inp=inp)


def mode(p):
	return stat.S_IMODE(os.stat(p).st_mode)


# ------------------------------------------------------------ generation

def test_generate_messages_and_modes(kg, workdir):
	key = workdir / "k"
	r = kg("-t", "ed25519", "-f", str(key), "-N", "", "-C", "me@here")
	assert r.returncode == 0, r.stderr
	lines = r.stdout.splitlines()
	assert lines[0] == "Generating public/private ed25519 key pair."
	assert lines[1] == f"Your identification has been saved in {key}"
	assert lines[2] == f"Your public key has been saved in {key}.pub"
	assert lines[3] == "The key fingerprint is:"
	assert lines[4].startswith("SHA256:") and lines[4].endswith(" me@here")
	assert lines[5] == "The key's randomart image is:"
	assert lines[6] == "+--[ED25519 256]--+"
	assert lines[-1] == "+----[SHA256]-----+"
	assert len(lines) == 6 + 11
	assert r.stderr == ""
	assert mode(key) == 0o600
	assert mode(str(key) + ".pub") == 0o644
	pub = (workdir / "k.pub").read_text()
	assert pub.startswith("ssh-ed25519 ") and pub.endswith(" me@here\n")
	# No temporary files are left behind.
	assert sorted(p.name for p in workdir.iterdir()) == ["k", "k.pub"]


def test_quiet_prints_nothing(kg, workdir):
	r = kg("-q", "-t", "ecdsa", "-f", str(workdir / "k"), "-N", "")
	assert r.returncode == 0, r.stderr
	assert r.stdout == "" and r.stderr == ""
	assert (workdir / "k.pub").read_text().startswith(
		"ecdsa-sha2-nistp256 ")


@pytest.mark.parametrize("args,msg", [
	(["-t", "dsa"], "unknown key type dsa"),
	(["-t", "foo"], "unknown key type foo"),
	(["-t", "rsa", "-b", "512"],
	 "Invalid RSA key length: minimum is 1024 bits"),
	(["-t", "rsa", "-b", "20000"],
	 "Invalid RSA key length: maximum is 16384 bits"),
	(["-t", "ecdsa", "-b", "300"],
	 "Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits"),
	(["-t", "rsa", "-b", "abc"], "Bits has bad value abc (invalid)"),
	(["-a", "0"], "Invalid number: 0 (too small)"),
])
def test_bad_type_or_size(kg, workdir, args, msg):
	r = kg(*args, "-f", str(workdir / "k"), "-N", "")
	assert r.returncode == 255
	assert r.stderr.strip() == msg
	assert r.stdout == ""
	assert not (workdir / "k").exists()


@pytest.mark.parametrize("flag", ["-?", "-h", "-Z"])
def test_usage(kg, flag):
	r = kg(flag)
	assert r.returncode == 1
	assert "usage: sesh-keygen" in r.stderr


def test_overwrite_declined_keeps_file(kg, workdir):
	key = workdir / "k"
	assert kg("-q", "-f", str(key), "-N", "").returncode == 0
	before = key.read_bytes(), (workdir / "k.pub").read_bytes()
	r = kg("-f", str(key), "-N", "", inp="n\n")
	assert r.returncode == 1
	assert r.stdout.endswith(f"{key} already exists.\nOverwrite (y/n)? ")
	assert (key.read_bytes(), (workdir / "k.pub").read_bytes()) == before
	# End of input is a "no" too.
	assert kg("-f", str(key), "-N", "", inp="").returncode == 1
	assert (key.read_bytes(), (workdir / "k.pub").read_bytes()) == before
	r = kg("-q", "-f", str(key), "-N", "", inp="y\n")
	assert r.returncode == 0
	assert key.read_bytes() != before[0]


def test_unwritable_directory_fails_cleanly(kg, workdir):
	target = workdir / "missing" / "k"
	r = kg("-q", "-f", str(target), "-N", "")
	assert r.returncode == 1
	assert r.stderr.strip() == (
		f'Saving key "{target}" failed: No such file or directory')


def test_no_tty_prompts_on_stderr_and_reads_stdin(kg, workdir, sesh_env):
	"""Without a terminal, as ssh-keygen: the default file is asked on
	stdout, passphrases on stderr, answers come from stdin; a mismatch
	asks again."""
	r = kg("-t", "ed25519", inp="\nfirst pass\nother\n" + PW + "\n" + PW +
	       "\n")
	assert r.returncode == 0, r.stderr
	default = workdir / ".ssh" / "id_ed25519"
	assert (f"Enter file in which to save the key ({default}): "
		f"Created directory '{workdir / '.ssh'}'.") in r.stdout
	assert "Passphrases do not match.  Try again." in r.stdout
	assert r.stderr.count(
		"Enter passphrase (empty for no passphrase): ") == 2
	assert r.stderr.count("Enter same passphrase again: ") == 2
	assert mode(workdir / ".ssh") == 0o700
	assert mode(default) == 0o600
	assert PW not in r.stdout + r.stderr
	if SSH_KEYGEN:
		y = ossh(sesh_env, "-y", "-f", str(default), "-P", PW)
		assert y.returncode == 0, y.stderr
		assert y.stdout == (workdir / ".ssh" / "id_ed25519.pub") \
			.read_text()


# ------------------------------------------------------------ pty prompts

class PtyProc:
	"""A process whose controlling terminal is a fresh pty."""

	def __init__(self, argv, env, cwd):
		self.master, self.slave = pty.openpty()
		slave = self.slave

		def become_tty_owner():
			os.setsid()
			fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

		self.proc = subprocess.Popen(
			argv, stdin=slave, stdout=slave, stderr=slave, env=env,
			cwd=cwd, preexec_fn=become_tty_owner, close_fds=True)
		self.out = b""

	def expect(self, text):
		want = text.encode()
		while want not in self.out:
			ready, _, _ = select.select([self.master], [], [],
						    PTY_TIMEOUT)
			assert ready, f"timed out waiting for {text!r}: {self.out!r}"
			try:
				chunk = os.read(self.master, 4096)
			except OSError:
				chunk = b""
			assert chunk, f"EOF waiting for {text!r}: {self.out!r}"
			self.out += chunk

	def send(self, text):
		os.write(self.master, text.encode())

	def echo_on(self):
		return bool(termios.tcgetattr(self.slave)[3] & termios.ECHO)

	def finish(self):
		rc = self.proc.wait(timeout=PTY_TIMEOUT)
		# Drain what is left.
		while True:
			ready, _, _ = select.select([self.master], [], [], 0)
			if not ready:
				break
			try:
				chunk = os.read(self.master, 4096)
			except OSError:
				break
			if not chunk:
				break
			self.out += chunk
		os.close(self.master)
		os.close(self.slave)
		return rc


@pytest.fixture
def pty_run():
	"""Starts PtyProcs and kills any still running at teardown."""
	procs = []

	def start(argv, env, cwd):
		p = PtyProc(argv, env, cwd)
		procs.append(p)
		return p
	yield start
	for p in procs:
		if p.proc.poll() is None:
			p.proc.kill()
			p.proc.wait()


def test_pty_passphrase_not_echoed(kg, workdir, sesh_env, pty_run):
	key = workdir / "k"
	p = pty_run([kg.exe, "-f", str(key), "-C", "pty"], sesh_env, workdir)
	p.expect("Enter passphrase (empty for no passphrase): ")
	assert not p.echo_on()
	p.send(PW + "\n")
	p.expect("Enter same passphrase again: ")
	assert not p.echo_on()
	p.send(PW + "\n")
	p.expect("The key's randomart image is:")
	assert p.echo_on()
	assert p.finish() == 0
	assert PW.encode() not in p.out
	if SSH_KEYGEN:
		y = ossh(sesh_env, "-y", "-f", str(key), "-P", PW)
		assert y.returncode == 0, y.stderr


def test_pty_signal_restores_echo(kg, workdir, sesh_env, pty_run):
	key = workdir / "k"
	p = pty_run([kg.exe, "-f", str(key)], sesh_env, workdir)
	p.expect("Enter passphrase (empty for no passphrase): ")
	assert not p.echo_on()
	p.send("\x03")  # ^C: SIGINT from the terminal
	rc = p.proc.wait(timeout=PTY_TIMEOUT)
	assert rc == -signal.SIGINT
	assert p.echo_on(), "terminal echo not restored after SIGINT"
	p.finish()
	assert not key.exists()


# ------------------------------------------------------- existing key files

@pytest.fixture
def enc_key(kg, workdir):
	key = workdir / "enc"
	r = kg("-q", "-t", "ed25519", "-a", "2", "-f", str(key), "-N", PW,
	       "-C", "orig")
	assert r.returncode == 0, r.stderr
	return key


def test_print_public_and_wrong_passphrase(kg, enc_key):
	pub = pathlib.Path(str(enc_key) + ".pub").read_text()
	r = kg("-y", "-f", str(enc_key), "-P", PW)
	assert r.returncode == 0 and r.stdout == pub
	before = enc_key.read_bytes()
	r = kg("-y", "-f", str(enc_key), "-P", "wrong")
	assert r.returncode == 255
	assert r.stderr.strip() == (f'Load key "{enc_key}": incorrect '
				    'passphrase supplied to decrypt private key')
	# Asked on stdin (no tty) when -P is absent.
	r = kg("-y", "-f", str(enc_key), inp=PW + "\n")
	assert r.returncode == 0 and r.stdout == pub
	assert r.stderr == "Enter passphrase: "
	assert enc_key.read_bytes() == before


def test_missing_and_unprotected_files(kg, workdir, enc_key):
	r = kg("-y", "-f", str(workdir / "nope"))
	assert r.returncode == 255
	assert r.stderr.strip() == f"{workdir / 'nope'}: No such file or directory"
	r = kg("-l", "-f", str(workdir / "nope"))
	assert r.returncode == 255
	assert "No such file or directory" in r.stderr
	os.chmod(enc_key, 0o644)
	r = kg("-y", "-f", str(enc_key), "-P", PW)
	assert r.returncode == 255
	assert "WARNING: UNPROTECTED PRIVATE KEY FILE!" in r.stderr
	assert f"Permissions 0644 for '{enc_key}' are too open." in r.stderr
	assert r.stderr.strip().endswith(f'Load key "{enc_key}": bad permissions')
	garbage = workdir / "garbage"
	garbage.write_text("not a key\n")
	r = kg("-l", "-f", str(garbage))
	assert r.returncode == 255
	assert r.stderr.strip() == f"{garbage} is not a public key file."


@needs_ossh
def test_fingerprint_matches_openssh(kg, enc_key, sesh_env):
	for args in (["-l"], ["-lv"], ["-l", "-E", "md5"],
		     ["-lv", "-E", "md5"]):
		for f in (str(enc_key), str(enc_key) + ".pub"):
			ours = kg(*args, "-f", f)
			theirs = ossh(sesh_env, *args, "-f", f)
			assert ours.returncode == 0, ours.stderr
			assert ours.stdout == theirs.stdout, (args, f)
	r = kg("-l", "-E", "foo", "-f", str(enc_key))
	assert r.returncode == 255
	assert r.stderr.strip() == 'Invalid hash algorithm "foo"'


@needs_ossh
def test_fingerprint_lines_of_authorized_keys(kg, enc_key, workdir,
					      sesh_env):
	k = " ".join(pathlib.Path(str(enc_key) + ".pub").read_text()
		     .split()[:2])
	ak = workdir / "authorized_keys"
	ak.write_text(f"# comment\n\n{k} plain\n"
		      f'no-pty,command="echo a b" {k} withopts\n'
		      f"host1,host2 {k}\n@cert-authority *.x {k}\n"
		      "bogus line\n")
	ours = kg("-l", "-f", str(ak))
	theirs = ossh(sesh_env, "-l", "-f", str(ak))
	assert ours.returncode == theirs.returncode == 0
	assert ours.stdout == theirs.stdout
	assert len(ours.stdout.splitlines()) == 3


@needs_ossh
def test_change_passphrase(kg, enc_key, sesh_env):
	r = kg("-p", "-f", str(enc_key), "-P", PW, "-N", "new secret")
	assert r.returncode == 0, r.stderr
	assert r.stdout == ("Key has comment 'orig'\nYour identification has "
			    "been saved with the new passphrase.\n")
	assert mode(enc_key) == 0o600
	assert ossh(sesh_env, "-y", "-f", str(enc_key), "-P",
		    "new secret").returncode == 0
	before = enc_key.read_bytes()
	r = kg("-p", "-f", str(enc_key), "-P", PW, "-N", "x")
	assert r.returncode == 255
	assert r.stderr.strip() == (f"Failed to load key {enc_key}: incorrect "
				    "passphrase supplied to decrypt private key")
	# Asked: old, new, again; a mismatch ends with 1 and changes nothing.
	r = kg("-p", "-f", str(enc_key), inp="new secret\naaaaa\nbbbbb\n")
	assert r.returncode == 1
	assert "Pass phrases do not match.  Try again." in r.stdout
	assert r.stderr == ("Enter old passphrase: Enter new passphrase (empty "
			    "for no passphrase): Enter same passphrase again: ")
	assert enc_key.read_bytes() == before
	r = kg("-p", "-f", str(enc_key), inp="new secret\n\n\n")
	assert r.returncode == 0
	assert ossh(sesh_env, "-y", "-f", str(enc_key), "-P",
		    "").returncode == 0


@needs_ossh
def test_change_comment(kg, enc_key, sesh_env):
	r = kg("-c", "-f", str(enc_key), "-P", PW, "-C", "new comment")
	assert r.returncode == 0, r.stderr
	assert r.stdout == ("Old comment: orig\n"
			    "Comment 'new comment' applied\n")
	pub = pathlib.Path(str(enc_key) + ".pub").read_text()
	assert pub.endswith(" new comment\n")
	y = ossh(sesh_env, "-y", "-f", str(enc_key), "-P", PW)
	assert y.stdout == pub
	r = kg("-c", "-f", str(enc_key), "-P", "bad", "-C", "x")
	assert r.returncode == 255
	assert r.stderr.strip() == (f'Cannot load private key "{enc_key}": '
				    "incorrect passphrase supplied to decrypt "
				    "private key")
	r = kg("-c", "-f", str(enc_key), "-P", PW, inp="asked\n")
	assert r.returncode == 0
	assert "New comment: Comment 'asked' applied" in r.stdout


@needs_ossh
@pytest.mark.parametrize("ktype", ["ed25519", "ecdsa", "rsa"])
def test_export_import_round_trip(kg, workdir, sesh_env, ktype):
	key = workdir / "k"
	args = ["-b", "1024"] if ktype == "rsa" else []
	assert kg("-q", "-t", ktype, *args, "-f", str(key), "-N",
		  "").returncode == 0
	pubfile = str(key) + ".pub"
	blob = " ".join(pathlib.Path(pubfile).read_text().split()[:2]) + "\n"
	formats = ["RFC4716"] if ktype == "ed25519" else [
		"RFC4716", "PEM", "PKCS8"]
	for fmt in formats:
		ours = kg("-e", "-m", fmt, "-f", pubfile)
		theirs = ossh(sesh_env, "-e", "-m", fmt, "-f", pubfile)
		assert ours.returncode == 0, ours.stderr
		assert ours.stdout == theirs.stdout
		exported = workdir / f"exp.{fmt}"
		exported.write_text(ours.stdout)
		# OpenSSH writes ECDSA "PEM" as SPKI, which only -m PKCS8
		# reads back.
		ifmt = "PKCS8" if (ktype, fmt) == ("ecdsa", "PEM") else fmt
		back = ossh(sesh_env, "-i", "-m", ifmt, "-f", str(exported))
		assert back.stdout == blob
		back = kg("-i", "-m", ifmt, "-f", str(exported))
		assert back.returncode == 0 and back.stdout == blob
	if ktype == "ed25519":
		r = kg("-e", "-m", "PEM", "-f", pubfile)
		assert r.returncode == 255
		assert "unsupported key type ED25519" in r.stderr
	r = kg("-i", "-f", pubfile)
	assert r.returncode == 255


# ------------------------------------------------------------ host keys

@needs_ossh
def test_host_keys_into_prefix(kg, workdir, sesh_env):
	r = kg("-A", "-f", str(workdir))
	assert r.returncode == 0, r.stderr
	assert r.stdout == ("sesh-keygen: generating new host keys: "
			    "RSA ECDSA ED25519 \n")
	d = workdir / "etc" / "sesh"
	for t in ("rsa", "ecdsa", "ed25519"):
		priv = d / f"ssh_host_{t}_key"
		assert mode(priv) == 0o600
		assert mode(str(priv) + ".pub") == 0o644
		y = ossh(sesh_env, "-y", "-f", str(priv))
		assert y.stdout == pathlib.Path(str(priv) + ".pub").read_text()
	r = kg("-A", "-f", str(workdir))
	assert r.returncode == 0 and r.stdout == ""
	(d / "ssh_host_ecdsa_key").unlink()
	r = kg("-A", "-f", str(workdir))
	assert r.stdout == "sesh-keygen: generating new host keys: ECDSA \n"


# ------------------------------------------------------------ known_hosts

@pytest.fixture
def known_hosts(workdir, sesh_env):
	"""A known_hosts file with keys made by OpenSSH's ssh-keygen."""
	if SSH_KEYGEN is None:
		pytest.skip("needs OpenSSH's ssh-keygen")
	keys = []
	for t in ("ed25519", "ecdsa"):
		path = workdir / f"host_{t}"
		r = ossh(sesh_env, "-q", "-t", t, "-N", "", "-f", str(path))
		assert r.returncode == 0
		keys.append(" ".join(pathlib.Path(str(path) + ".pub")
				     .read_text().split()[:2]))
	kh = workdir / "known_hosts"
	kh.write_text(f"host1 {keys[0]}\n# a comment\n"
		      f"host2,10.0.0.2 {keys[1]}\n[host3]:2222 {keys[0]}\n")
	return kh


def test_find_host(kg, known_hosts, sesh_env):
	for host in ("host2", "10.0.0.2", "[host3]:2222", "nope", "host3"):
		ours = kg("-F", host, "-f", str(known_hosts))
		theirs = ossh(sesh_env, "-F", host, "-f", str(known_hosts))
		assert ours.returncode == theirs.returncode, host
		assert ours.stdout == theirs.stdout, host
	r = kg("-F", "host2", "-f", str(known_hosts))
	assert r.stdout.startswith("# Host host2 found: line 3 \n")


def test_remove_host(kg, known_hosts, sesh_env):
	original = known_hosts.read_text()
	r = kg("-R", "host2", "-f", str(known_hosts))
	assert r.returncode == 0, r.stderr
	assert r.stdout == (f"# Host host2 found: line 3\n{known_hosts} "
			    f"updated.\nOriginal contents retained as "
			    f"{known_hosts}.old\n")
	assert pathlib.Path(str(known_hosts) + ".old").read_text() == original
	lines = original.splitlines(keepends=True)
	assert known_hosts.read_text() == "".join(lines[:2] + lines[3:])
	# OpenSSH agrees that host2 is gone and the rest is intact.
	assert ossh(sesh_env, "-F", "host2", "-f",
		    str(known_hosts)).returncode == 1
	assert ossh(sesh_env, "-F", "host1", "-f",
		    str(known_hosts)).returncode == 0
	r = kg("-R", "nope", "-f", str(known_hosts))
	assert r.returncode == 0
	assert r.stderr.strip() == f"Host nope not found in {known_hosts}"
	r = kg("-R", "x", "-f", str(known_hosts) + ".missing")
	assert r.returncode == 255
	assert r.stderr.startswith("Cannot stat ")


def test_remove_refuses_invalid_file(kg, known_hosts):
	with open(known_hosts, "a") as f:
		f.write("bogus line\n")
	before = known_hosts.read_text()
	r = kg("-R", "host1", "-f", str(known_hosts))
	assert r.returncode == 1
	assert f"{known_hosts}:5: invalid line" in r.stderr
	assert "Not replacing existing known_hosts file because of errors" \
		in r.stderr
	assert known_hosts.read_text() == before


def test_hash_known_hosts(kg, known_hosts, sesh_env):
	original = known_hosts.read_text()
	r = kg("-H", "-f", str(known_hosts))
	assert r.returncode == 0, r.stderr
	assert f"WARNING: {known_hosts}.old contains unhashed entries" \
		in r.stderr
	assert pathlib.Path(str(known_hosts) + ".old").read_text() == original
	lines = known_hosts.read_text().splitlines()
	assert len(lines) == 5  # host2,10.0.0.2 became two lines
	assert all(line.startswith("|1|") for line in lines if
		   not line.startswith("#"))
	for host in ("host1", "host2", "10.0.0.2", "[host3]:2222"):
		theirs = ossh(sesh_env, "-F", host, "-f", str(known_hosts))
		assert theirs.returncode == 0, host
		ours = kg("-F", host, "-f", str(known_hosts))
		assert ours.stdout == theirs.stdout
	assert ossh(sesh_env, "-F", "host3", "-f",
		    str(known_hosts)).returncode == 1
