"""
sesh-keygen against the reference peers: OpenSSH's ssh-keygen and openssl.

Contract: every key sesh-keygen writes is read by OpenSSH's ssh-keygen as the
same key (same public blob, same comment, same fingerprint and randomart),
every key OpenSSH's ssh-keygen or openssl writes is read by sesh-keygen with
the output OpenSSH prints, and the editing commands (-p, -c, -e/-i, -R, -F,
-H) interoperate in both directions. Failures (wrong passphrase, bad sizes,
existing files) are clean: a message, a non-zero exit, no crash, nothing
existing damaged.

Run with Debian's pytest: /usr/bin/python3 -m pytest -q tests/system
SESH_BUILD names the build directory holding bin/sesh-keygen (see
conftest.py). For a sanitizer build, every sesh-keygen run gets
ASAN_OPTIONS/UBSAN_OPTIONS that turn a sanitizer report into exit code 86/87,
which the tests reject.

Cost: RSA 5000 is generated once per module; passphrase-protected keys use
-a 2 (bcrypt rounds) except one default-rounds case.
"""

import base64
import hashlib
import os
import pathlib
import shutil
import stat
import struct
import subprocess

import pytest

SSH_KEYGEN = "/usr/bin/ssh-keygen"
if not os.access(SSH_KEYGEN, os.X_OK):
	SSH_KEYGEN = shutil.which("ssh-keygen")
OPENSSL = shutil.which("openssl")

pytestmark = pytest.mark.skipif(
	SSH_KEYGEN is None,
	reason="OpenSSH's ssh-keygen (the reference peer) is not installed; "
	"apt-get install openssh-client")
needs_openssl = pytest.mark.skipif(
	OPENSSL is None,
	reason="openssl (reference peer) is not installed; apt-get install openssl")

# OpenSSH refuses to write passphrases shorter than 5 characters.
PASS = "old passphrase"
NEWPASS = "new passphrase"
WRONGPASS = "not the passphrase"
FAST = ["-a", "2"]
TIMEOUT = 300

SANITIZER_ENV = {
	"ASAN_OPTIONS": "exitcode=86:detect_leaks=1:abort_on_error=0",
	"UBSAN_OPTIONS": "halt_on_error=1:exitcode=87:print_stacktrace=1",
}
CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
		 "Traceback", "Segmentation fault", "Aborted")


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def env(tmp_path_factory):
	"""Environment for every child: a private HOME (nothing touches the
	real ~/.ssh), C locale, sanitizer options; umask 022 so .pub modes are
	what OpenSSH's users see."""
	home = tmp_path_factory.mktemp("home")
	e = dict(os.environ)
	e.update(SANITIZER_ENV)
	e["HOME"] = str(home)
	e["LC_ALL"] = "C"
	e.pop("SSH_ASKPASS", None)
	e.pop("DISPLAY", None)
	old = os.umask(0o022)
	yield e
	os.umask(old)


@pytest.fixture(scope="module")
def sesh(env, sesh_bin):
	"""Runs sesh-keygen (conftest's sesh_bin resolves it from SESH_BUILD);
	asserts it did not crash whatever the outcome."""
	path = sesh_bin("sesh-keygen")

	def run(*args, input=None, cwd=None, timeout=TIMEOUT):
		p = _run([str(path)] + [str(a) for a in args], env, input,
			 cwd, timeout)
		assert_clean(p)
		return p

	return run


@pytest.fixture(scope="module")
def ossh(env):
	"""Runs OpenSSH's ssh-keygen."""

	def run(*args, input=None, cwd=None, timeout=TIMEOUT):
		return _run([SSH_KEYGEN] + [str(a) for a in args], env, input,
			    cwd, timeout)

	return run


def _run(argv, env, input, cwd, timeout):
	# A new session has no controlling tty: a program that wants a
	# passphrase it was not given fails instead of prompting.
	# Bytes, decoded here: text=True would also turn a CR into a newline.
	p = subprocess.run(
		argv, input=None if input is None else input.encode(),
		stdin=subprocess.DEVNULL if input is None else None,
		capture_output=True, env=env, cwd=cwd, timeout=timeout,
		start_new_session=True)
	p.stdout = p.stdout.decode("utf-8", "surrogateescape")
	p.stderr = p.stderr.decode("utf-8", "surrogateescape")
	return p


def assert_clean(p):
	"""No signal, no sanitizer report, no crash text."""
	cmd = " ".join(p.args)
	assert p.returncode >= 0, (
		f"{cmd}: killed by signal {-p.returncode}\n{p.stderr}")
	assert p.returncode not in (86, 87), (
		f"{cmd}: sanitizer report (exit {p.returncode})\n{p.stderr}")
	for m in CRASH_MARKERS:
		assert m not in p.stderr, f"{cmd}: {m!r} on stderr\n{p.stderr}"


def ok(p):
	assert p.returncode == 0, (
		f"{' '.join(p.args)}: exit {p.returncode}\n"
		f"stdout: {p.stdout}\nstderr: {p.stderr}")
	return p


def failed_cleanly(p):
	assert_clean(p)
	assert p.returncode != 0, (
		f"{' '.join(p.args)}: expected failure, got exit 0\n{p.stdout}")
	assert p.stderr.strip(), f"{' '.join(p.args)}: failed silently"
	return p


def pw(passphrase):
	"""-P argument list for an optional passphrase."""
	return [] if passphrase is None else ["-P", passphrase]


def file_hash(path):
	return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def mode(path):
	return stat.S_IMODE(os.stat(path).st_mode)


def key_fields(line):
	"""(type, base64, comment-or-None) of a public key line."""
	parts = line.strip().split(None, 2)
	assert len(parts) >= 2, f"not a public key line: {line!r}"
	return parts[0], parts[1], parts[2] if len(parts) > 2 else None


class Rd:
	"""Minimal SSH wire reader for checking files in the tests."""

	def __init__(self, data):
		self.d, self.o = data, 0

	def u32(self):
		(v,) = struct.unpack(">I", self.d[self.o:self.o + 4])
		self.o += 4
		return v

	def string(self):
		n = self.u32()
		v = self.d[self.o:self.o + n]
		assert len(v) == n, "truncated string"
		self.o += n
		return v


def ssh_string(b):
	return struct.pack(">I", len(b)) + b


def pem_body(text, label):
	lines = text.strip().splitlines()
	assert lines[0] == f"-----BEGIN {label}-----", lines[0]
	assert lines[-1] == f"-----END {label}-----", lines[-1]
	return base64.b64decode("".join(lines[1:-1]))


def openssh_v1_header(path):
	"""cipher, kdf, rounds (or None) and public blob of an openssh-key-v1
	file (PROTOCOL.key)."""
	text = pathlib.Path(path).read_text()
	for line in text.strip().splitlines()[1:-1]:
		assert len(line) <= 70, f"base64 line longer than 70: {line!r}"
	data = pem_body(text, "OPENSSH PRIVATE KEY")
	magic = b"openssh-key-v1\0"
	assert data.startswith(magic)
	r = Rd(data[len(magic):])
	cipher, kdf, kdfopts = r.string(), r.string(), r.string()
	assert r.u32() == 1, "key count"
	blob = r.string()
	rounds = None
	if kdf == b"bcrypt":
		o = Rd(kdfopts)
		assert len(o.string()) == 16, "salt length"
		rounds = o.u32()
	return cipher.decode(), kdf.decode(), rounds, blob


def fingerprint_sha256(blob):
	d = hashlib.sha256(blob).digest()
	return "SHA256:" + base64.b64encode(d).decode().rstrip("=")


def fingerprint_md5(blob):
	return "MD5:" + ":".join(f"{b:02x}" for b in hashlib.md5(blob).digest())


# ------------------------------------------------------- keys we generate

COMMENT = "sesh test key"
GUIDE_COMMENT = "comment...an email used commonly"

# (name, -t, -b or None, expected bits, expected key type, -l type label)
GEN = [
	("ed25519", "ed25519", None, 256, "ssh-ed25519", "ED25519"),
	("ecdsa-256", "ecdsa", 256, 256, "ecdsa-sha2-nistp256", "ECDSA"),
	("ecdsa-384", "ecdsa", 384, 384, "ecdsa-sha2-nistp384", "ECDSA"),
	("ecdsa-521", "ecdsa", 521, 521, "ecdsa-sha2-nistp521", "ECDSA"),
	("rsa-2048", "rsa", 2048, 2048, "ssh-rsa", "RSA"),
	("rsa-default", "rsa", None, 3072, "ssh-rsa", "RSA"),
	("rsa-5000", "rsa", 5000, 5000, "ssh-rsa", "RSA"),
]
GEN_IDS = [g[0] for g in GEN]
GEN_BY_NAME = {g[0]: g for g in GEN}
# The one passphrase case that uses the default bcrypt rounds (16).
DEFAULT_ROUNDS_CASE = ("ed25519", True)


class Keys:
	"""Module-wide cache of generated keys: each is made once and then
	only read (tests that modify a key work on a copy)."""

	def __init__(self, base, sesh, ossh, ossl):
		self.base = pathlib.Path(base)
		self.sesh, self.ossh, self.ossl = sesh, ossh, ossl
		self.cache = {}

	def _dir(self, name):
		d = self.base / name
		d.mkdir()
		return d

	def by_sesh(self, name, encrypted):
		"""A key from sesh-keygen -t T [-b B] -C c -N p -f F -q."""
		key = ("sesh", name, encrypted)
		if key in self.cache:
			return self.cache[key]
		_, t, bits, _, _, _ = GEN_BY_NAME[name]
		f = self._dir(f"sesh-{name}-{'enc' if encrypted else 'plain'}")
		f = f / "id"
		if name == "rsa-5000":
			# Generated once (slow); the other variant is derived
			# from it with -p so the module makes one 5000-bit key.
			other = ("sesh", name, not encrypted)
			if other in self.cache:
				src = self.cache[other][0]
				shutil.copy(src, f)
				shutil.copy(f"{src}.pub", f"{f}.pub")
				os.chmod(f, 0o600)
				ok(self.sesh("-p", "-f", f,
					     "-P", PASS if not encrypted else "",
					     "-N", PASS if encrypted else "",
					     *FAST))
				self.cache[key] = (f, PASS if encrypted else None)
				return self.cache[key]
		args = ["-t", t]
		if bits is not None:
			args += ["-b", bits]
		comment = GUIDE_COMMENT if name == "rsa-5000" else COMMENT
		args += ["-C", comment, "-f", f, "-q"]
		if encrypted:
			args += ["-N", PASS]
			if (name, encrypted) != DEFAULT_ROUNDS_CASE:
				args += FAST
		else:
			args += ["-N", ""]
		p = ok(self.sesh(*args))
		assert p.stdout == "", f"-q printed: {p.stdout!r}"
		self.cache[key] = (f, PASS if encrypted else None)
		return self.cache[key]

	def by_openssh(self, name):
		"""Keys from OpenSSH's ssh-keygen, see OPENSSH_MADE."""
		key = ("openssh", name)
		if key not in self.cache:
			t, bits, fmt, encrypted = OPENSSH_MADE[name]
			f = self._dir(f"openssh-{name}") / "id"
			args = ["-t", t, "-C", "made by openssh", "-f", f, "-q",
				"-N", PASS if encrypted else ""]
			if bits:
				args += ["-b", bits]
			if fmt:
				args += ["-m", fmt]
			if encrypted:
				args += FAST
			ok(self.ossh(*args))
			self.cache[key] = (f, PASS if encrypted else None)
		return self.cache[key]

	def by_openssl(self, name):
		"""Keys from openssl, see OPENSSL_MADE."""
		key = ("openssl", name)
		if key not in self.cache:
			algo, form, encrypted = OPENSSL_MADE[name]
			d = self._dir(f"openssl-{name}")
			plain = d / "plain.pem"
			gen = ["genpkey", "-out", plain]
			if algo == "rsa":
				gen += ["-algorithm", "RSA", "-pkeyopt",
					"rsa_keygen_bits:2048"]
			elif algo.startswith("P-"):
				gen += ["-algorithm", "EC", "-pkeyopt",
					f"ec_paramgen_curve:{algo}"]
			else:
				gen += ["-algorithm", "ED25519"]
			self.ossl(*gen)
			f = d / "key.pem"
			pass_out = ["-passout", f"pass:{PASS}"]
			if form == "pkcs8" and not encrypted:
				shutil.copy(plain, f)
			elif form == "pkcs8":
				self.ossl("pkcs8", "-topk8", "-in", plain, "-out", f,
					  "-v2", "aes-256-cbc", *pass_out)
			elif algo == "rsa":
				extra = ["-aes256", *pass_out] if encrypted else []
				self.ossl("rsa", "-in", plain, "-traditional",
					  "-out", f, *extra)
			else:
				extra = ["-aes256", *pass_out] if encrypted else []
				self.ossl("ec", "-in", plain, "-out", f, *extra)
			os.chmod(f, 0o600)
			head = f.read_text().splitlines()[0]
			assert head == OPENSSL_HEADERS[(algo, form, encrypted)], head
			self.cache[key] = (f, PASS if encrypted else None, plain)
		return self.cache[key]


@pytest.fixture(scope="module")
def keys(tmp_path_factory, sesh, ossh, env):
	ossl_run = None
	if OPENSSL is not None:

		def ossl_run(*args):
			p = _run([OPENSSL] + [str(a) for a in args], env, None,
				 None, TIMEOUT)
			assert p.returncode == 0, f"openssl {args}: {p.stderr}"
			return p

	return Keys(tmp_path_factory.mktemp("keys"), sesh, ossh, ossl_run)


def copy_key(src, dst_dir, name="id"):
	"""Copies a key file (and its .pub if any) into dst_dir."""
	dst = pathlib.Path(dst_dir) / name
	shutil.copy(src, dst)
	os.chmod(dst, 0o600)
	if os.path.exists(f"{src}.pub"):
		shutil.copy(f"{src}.pub", f"{dst}.pub")
	return dst


# ------------------------------------------- generation: OpenSSH reads ours


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "pass"])
@pytest.mark.parametrize("name", GEN_IDS)
def test_generated_key_read_by_openssh(keys, sesh, ossh, name, encrypted):
	_, _, _, bits, ktype, _ = GEN_BY_NAME[name]
	f, passphrase = keys.by_sesh(name, encrypted)
	comment = GUIDE_COMMENT if name == "rsa-5000" else COMMENT

	assert mode(f) == 0o600, oct(mode(f))
	assert mode(f"{f}.pub") == 0o644, oct(mode(f"{f}.pub"))

	pub = pathlib.Path(f"{f}.pub").read_text()
	assert pub.endswith("\n") and pub.count("\n") == 1, repr(pub)
	ptype, pb64, pcomment = key_fields(pub)
	assert ptype == ktype
	assert pcomment == comment
	blob = base64.b64decode(pb64, validate=True)
	assert Rd(blob).string().decode() == ktype

	# The private file is OpenSSH's format, encrypted as OpenSSH does.
	cipher, kdf, rounds, fblob = openssh_v1_header(f)
	assert fblob == blob, "public blob in private file differs from .pub"
	if encrypted:
		want = 16 if (name, encrypted) == DEFAULT_ROUNDS_CASE else 2
		assert (cipher, kdf, rounds) == ("aes256-ctr", "bcrypt", want)
	else:
		assert (cipher, kdf) == ("none", "none")

	# OpenSSH derives the same public key from our private file.
	ref = ok(ossh("-y", "-f", f, *pw(passphrase)))
	rtype, rb64, rcomment = key_fields(ref.stdout)
	assert (rtype, rb64) == (ptype, pb64)
	if rcomment is not None:
		assert rcomment == comment
	# ... and our -y prints exactly what OpenSSH prints.
	mine = ok(sesh("-y", "-f", f, *pw(passphrase)))
	assert mine.stdout == ref.stdout

	# Size as OpenSSH counts it.
	lst = ok(ossh("-l", "-f", f"{f}.pub")).stdout.split()
	assert int(lst[0]) == bits

	if encrypted:
		# Really encrypted: OpenSSH cannot read it with a wrong one.
		bad = ossh("-y", "-f", f, "-P", WRONGPASS)
		assert bad.returncode != 0
		assert "incorrect passphrase" in bad.stderr


LIST_MODES = [
	["-l"],
	["-l", "-E", "sha256"],
	["-l", "-E", "md5"],
	["-lv"],
	["-l", "-v", "-E", "md5"],
]
LIST_IDS = ["l", "l-sha256", "l-md5", "lv", "lv-md5"]


@pytest.mark.parametrize("opts", LIST_MODES, ids=LIST_IDS)
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "pass"])
@pytest.mark.parametrize("name", GEN_IDS)
def test_generated_key_fingerprints(keys, sesh, ossh, name, encrypted, opts):
	f, _ = keys.by_sesh(name, encrypted)
	for target in (f"{f}.pub", str(f)):
		ref = ok(ossh(*opts, "-f", target))
		mine = ok(sesh(*opts, "-f", target))
		assert mine.stdout == ref.stdout, (
			f"sesh-keygen {' '.join(opts)} -f {target}")


def test_generate_verbose_output_matches_openssh(tmp_path, sesh, ossh):
	"""Without -q: the fingerprint and randomart OpenSSH shows for it."""
	f = tmp_path / "id_ed25519"
	p = ok(sesh("-t", "ed25519", "-N", "", "-C", "loud", "-f", f))
	fp = ok(ossh("-l", "-f", f"{f}.pub")).stdout.split()[1]
	art = ok(ossh("-lv", "-f", f"{f}.pub")).stdout.splitlines()[1:]
	assert f"{fp} loud" in p.stdout, p.stdout
	assert "\n".join(art) in p.stdout, p.stdout
	assert str(f) in p.stdout


def test_generate_refuses_to_overwrite(tmp_path, sesh):
	"""No answer to "Overwrite (y/n)?" means no; the file is intact."""
	f = tmp_path / "id"
	ok(sesh("-t", "ed25519", "-N", "", "-f", f, "-q"))
	before = (file_hash(f), file_hash(f"{f}.pub"))
	p = sesh("-t", "ed25519", "-N", "", "-f", f, "-q")
	assert p.returncode != 0
	assert (file_hash(f), file_hash(f"{f}.pub")) == before


@pytest.mark.parametrize("args", [
	["-t", "rsa", "-b", "1023"],
	["-t", "rsa", "-b", "16385"],
	["-t", "ecdsa", "-b", "300"],
	["-t", "ecdsa", "-b", "2048"],
	["-t", "dsa2"],
], ids=["rsa-1023", "rsa-16385", "ecdsa-300", "ecdsa-2048", "bad-type"])
def test_generate_rejects_bad_size_or_type(tmp_path, sesh, ossh, args):
	f = tmp_path / "id"
	assert ossh(*args, "-N", "", "-f", tmp_path / "ref", "-q").returncode
	failed_cleanly(sesh(*args, "-N", "", "-f", f, "-q"))
	assert not f.exists() and not pathlib.Path(f"{f}.pub").exists()
	assert sorted(os.listdir(tmp_path)) == [], os.listdir(tmp_path)


# --------------------------------------------- import: we read their keys

# name -> (-t, -b, -m format or None, encrypted)
OPENSSH_MADE = {}
for _t, _b in (("ed25519", None), ("ecdsa", 256), ("ecdsa", 384),
	       ("ecdsa", 521), ("rsa", 2048)):
	for _enc in (False, True):
		_n = f"{_t}{'-' + str(_b) if _b else ''}-{'enc' if _enc else 'plain'}"
		OPENSSH_MADE[_n] = (_t, _b, None, _enc)
for _fmt in ("PEM", "PKCS8"):
	for _t, _b in (("rsa", 2048), ("ecdsa", 256), ("ecdsa", 384)):
		for _enc in (False, True):
			_n = f"{_fmt.lower()}-{_t}-{_b}-{'enc' if _enc else 'plain'}"
			OPENSSH_MADE[_n] = (_t, _b, _fmt, _enc)

# name -> (algorithm, "pkcs8" | "trad", encrypted)
OPENSSL_MADE = {}
for _a in ("rsa", "P-256", "P-384", "ed25519"):
	OPENSSL_MADE[f"{_a}-pkcs8-plain"] = (_a, "pkcs8", False)
	OPENSSL_MADE[f"{_a}-pkcs8-enc"] = (_a, "pkcs8", True)
for _a in ("rsa", "P-256", "P-384"):
	OPENSSL_MADE[f"{_a}-trad-plain"] = (_a, "trad", False)
	OPENSSL_MADE[f"{_a}-trad-enc"] = (_a, "trad", True)
OPENSSL_HEADERS = {}
for (_a, _f, _e) in OPENSSL_MADE.values():
	if _f == "pkcs8":
		_h = "ENCRYPTED PRIVATE KEY" if _e else "PRIVATE KEY"
	elif _a == "rsa":
		_h = "RSA PRIVATE KEY"
	else:
		_h = "EC PRIVATE KEY"
	OPENSSL_HEADERS[(_a, _f, _e)] = f"-----BEGIN {_h}-----"


@pytest.mark.parametrize("name", sorted(OPENSSH_MADE))
def test_reads_openssh_keys(keys, sesh, ossh, tmp_path, name):
	f, passphrase = keys.by_openssh(name)
	fmt = OPENSSH_MADE[name][2]
	head = pathlib.Path(f).read_text().splitlines()[0]
	if fmt is None:
		assert head == "-----BEGIN OPENSSH PRIVATE KEY-----"

	# -y: the same line as OpenSSH's.
	ref = ok(ossh("-y", "-f", f, *pw(passphrase)))
	assert ok(sesh("-y", "-f", f, *pw(passphrase))).stdout == ref.stdout

	# -l on the .pub, on the private file next to its .pub, and on the
	# private file alone (OpenSSH then says "no comment" or, for
	# encrypted PEM/PKCS#8 that carry no clear public key, fails).
	alone = copy_key(f, tmp_path, "alone")
	os.unlink(f"{alone}.pub")
	for target in (f"{f}.pub", f, alone):
		for opts in (["-l"], ["-l", "-E", "md5"], ["-lv"]):
			ref = ossh(*opts, "-f", target)
			mine = sesh(*opts, "-f", target)
			if ref.returncode == 0:
				assert ok(mine).stdout == ref.stdout, (
					f"-f {target} {opts}")
			else:
				failed_cleanly(mine)


@needs_openssl
@pytest.mark.parametrize("name", sorted(OPENSSL_MADE))
def test_reads_openssl_keys(keys, sesh, ossh, env, name):
	f, passphrase, plain = keys.by_openssl(name)
	algo, form, encrypted = OPENSSL_MADE[name]

	if algo == "ed25519":
		# OpenSSH 9.2 cannot read these; the reference is openssl's
		# public key in SSH form, printed as OpenSSH prints PEM keys.
		der = subprocess.run(
			[OPENSSL, "pkey", "-in", plain, "-pubout", "-outform",
			 "DER"], capture_output=True, env=env, check=True).stdout
		assert len(der) == 44
		blob = ssh_string(b"ssh-ed25519") + ssh_string(der[-32:])
		want_y = "ssh-ed25519 " + base64.b64encode(blob).decode() + "\n"
		want_l = {
			("-l",): f"256 {fingerprint_sha256(blob)} no comment "
			"(ED25519)\n",
			("-l", "-E", "md5"): f"256 {fingerprint_md5(blob)} no "
			"comment (ED25519)\n",
		}
		assert ok(sesh("-y", "-f", f, *pw(passphrase))).stdout == want_y
		for opts, want in want_l.items():
			mine = sesh(*opts, "-f", f)
			if encrypted:
				failed_cleanly(mine)
			else:
				assert ok(mine).stdout == want
		return

	ref = ok(ossh("-y", "-f", f, *pw(passphrase)))
	assert ok(sesh("-y", "-f", f, *pw(passphrase))).stdout == ref.stdout
	for opts in (["-l"], ["-l", "-E", "md5"], ["-lv"]):
		ref = ossh(*opts, "-f", f)
		mine = sesh(*opts, "-f", f)
		if ref.returncode == 0:
			assert ok(mine).stdout == ref.stdout, opts
		else:
			failed_cleanly(mine)


def test_encrypted_key_without_passphrase_fails_cleanly(keys, sesh, ossh):
	"""No -P and no terminal: no key, no hang, a message."""
	f, _ = keys.by_openssh("ed25519-enc")
	before = file_hash(f)
	assert ossh("-y", "-f", f).returncode != 0
	failed_cleanly(sesh("-y", "-f", f))
	assert file_hash(f) == before


CIPHERS_READ = ["aes256-ctr", "aes128-ctr", "aes192-ctr",
		"aes256-gcm@openssh.com"]
CIPHERS_OTHER = ["aes128-gcm@openssh.com", "aes256-cbc",
		 "chacha20-poly1305@openssh.com"]


@pytest.mark.parametrize("cipher", CIPHERS_READ + CIPHERS_OTHER)
def test_reads_openssh_key_ciphers(sesh, ossh, tmp_path, cipher):
	"""Keys OpenSSH encrypted with ssh-keygen -Z: the ciphers sesh reads
	give OpenSSH's output; any other fails cleanly (or also works)."""
	f = tmp_path / "id"
	ok(ossh("-t", "ed25519", "-N", PASS, *FAST, "-Z", cipher, "-f", f,
		"-q"))
	assert openssh_v1_header(f)[0] == cipher
	ref = ok(ossh("-y", "-f", f, "-P", PASS))
	mine = sesh("-y", "-f", f, "-P", PASS)
	if cipher in CIPHERS_READ or mine.returncode == 0:
		assert ok(mine).stdout == ref.stdout
	else:
		failed_cleanly(mine)
	if cipher in CIPHERS_READ:
		bad = failed_cleanly(sesh("-y", "-f", f, "-P", WRONGPASS))
		assert "incorrect passphrase" in bad.stderr.lower()


def _variants_private():
	def crlf(t):
		return t.replace("\n", "\r\n")
	return {
		"crlf": crlf,
		"no-final-newline": lambda t: t.rstrip("\n"),
		"trailing-blank-line": lambda t: t + "\n",
		"trailing-text-line": lambda t: t + "not part of the key\n",
		"leading-blank-line": lambda t: "\n" + t,
		"text-before": lambda t: "a note about this key\n" + t,
		"indented": lambda t: "".join(
			"  " + line for line in t.splitlines(True)),
	}


def _variants_public():
	return {
		"crlf": lambda t: t.replace("\n", "\r\n"),
		"no-final-newline": lambda t: t.rstrip("\n"),
		"indented": lambda t: "   " + t,
		"tabs": lambda t: t.replace(" ", "\t"),
		"comments-and-blank-lines": lambda t: "# note\n\n" + t + "\n",
		"no-comment": lambda t: " ".join(t.split()[:2]) + "\n",
		"spaces-in-comment": lambda t: t.rstrip("\n") + "  two  spaces\n",
		"authorized-keys-options": lambda t: (
			'no-pty,command="echo a b",from="*.example" ' + t),
		"known-hosts-line": lambda t: "host.example,192.0.2.9 " + t,
		"two-keys": lambda t: t + t.replace("sesh test key", "again"),
	}


PRIV_VARIANTS = _variants_private()
PUB_VARIANTS = _variants_public()


@pytest.mark.parametrize("variant", sorted(PRIV_VARIANTS))
@pytest.mark.parametrize("source", ["ed25519-plain", "pem-rsa-2048-plain",
				    "pkcs8-ecdsa-256-plain"])
def test_private_file_layout_like_openssh(keys, sesh, ossh, tmp_path, source,
					  variant):
	"""Where OpenSSH reads an oddly laid out private file, sesh reads it
	the same; where OpenSSH refuses, sesh may either way, cleanly."""
	src, _ = keys.by_openssh(source)
	f = tmp_path / "id"
	f.write_bytes(PRIV_VARIANTS[variant](
		pathlib.Path(src).read_text()).encode())
	os.chmod(f, 0o600)
	ref = ossh("-y", "-f", f)
	mine = sesh("-y", "-f", f)
	if ref.returncode == 0:
		assert ok(mine).stdout == ref.stdout
	elif mine.returncode != 0:
		failed_cleanly(mine)


@pytest.mark.parametrize("variant", sorted(PUB_VARIANTS))
@pytest.mark.parametrize("name", ["ed25519", "ecdsa-521", "rsa-2048"])
def test_public_file_layout_like_openssh(keys, sesh, ossh, tmp_path, name,
					 variant):
	src, _ = keys.by_sesh(name, False)
	f = tmp_path / "id.pub"
	f.write_text(PUB_VARIANTS[variant](
		pathlib.Path(f"{src}.pub").read_text()))
	for opts in (["-l"], ["-l", "-E", "md5"]):
		ref = ossh(*opts, "-f", f)
		mine = sesh(*opts, "-f", f)
		if ref.returncode == 0:
			# OpenSSH prints a CR ending the comment verbatim; not
			# doing so is fine.
			assert ok(mine).stdout == ref.stdout.replace("\r", "")
		elif mine.returncode != 0:
			failed_cleanly(mine)


# ------------------------------------------------------- -p round trips

P_TYPES = ["ed25519", "ecdsa-256", "rsa-2048"]


def _origin_key(keys, origin, name, encrypted):
	if origin == "sesh":
		return keys.by_sesh(name, encrypted)[0]
	t, b = GEN_BY_NAME[name][1], GEN_BY_NAME[name][2]
	n = f"{t}{'-' + str(b) if b else ''}-{'enc' if encrypted else 'plain'}"
	return keys.by_openssh(n)[0]


@pytest.mark.parametrize("changer", ["sesh", "openssh"])
@pytest.mark.parametrize("origin", ["sesh", "openssh"])
@pytest.mark.parametrize("name", P_TYPES)
def test_change_passphrase_round_trip(keys, sesh, ossh, tmp_path, name,
				      origin, changer):
	f = copy_key(_origin_key(keys, origin, name, True), tmp_path)
	pub_before = pathlib.Path(f"{f}.pub").read_text()
	want = key_fields(ok(ossh("-y", "-f", f, "-P", PASS)).stdout)[:2]

	tool = sesh if changer == "sesh" else ossh
	ok(tool("-p", "-f", f, "-P", PASS, "-N", NEWPASS, *FAST))
	assert mode(f) == 0o600
	assert pathlib.Path(f"{f}.pub").read_text() == pub_before
	assert openssh_v1_header(f)[:3] == ("aes256-ctr", "bcrypt", 2)
	assert sorted(os.listdir(tmp_path)) == ["id", "id.pub"], "stray files"

	# Both tools read it with the new passphrase, neither with the old.
	for reader in (ossh, sesh):
		got = ok(reader("-y", "-f", f, "-P", NEWPASS)).stdout
		assert key_fields(got)[:2] == want
		old = reader("-y", "-f", f, "-P", PASS)
		assert old.returncode != 0
		assert "incorrect passphrase" in old.stderr.lower()


@pytest.mark.parametrize("origin", ["sesh", "openssh"])
@pytest.mark.parametrize("name", P_TYPES)
def test_remove_and_add_passphrase(keys, sesh, ossh, tmp_path, name, origin):
	f = copy_key(_origin_key(keys, origin, name, True), tmp_path)
	want = ok(ossh("-y", "-f", f, "-P", PASS)).stdout

	ok(sesh("-p", "-f", f, "-P", PASS, "-N", ""))
	assert openssh_v1_header(f)[:2] == ("none", "none")
	assert mode(f) == 0o600
	# OpenSSH reads it with no passphrase at all (no tty to ask on).
	assert ok(ossh("-y", "-f", f)).stdout == want
	assert ok(sesh("-y", "-f", f)).stdout == want

	# And back: protect an unencrypted key.
	ok(sesh("-p", "-f", f, "-P", "", "-N", NEWPASS, *FAST))
	assert openssh_v1_header(f)[:3] == ("aes256-ctr", "bcrypt", 2)
	assert ok(ossh("-y", "-f", f, "-P", NEWPASS)).stdout == want
	assert ossh("-y", "-f", f).returncode != 0


PEM_EDIT_CASES = ["rsa-trad-enc", "P-256-pkcs8-enc", "rsa-pkcs8-plain",
		  "P-384-trad-plain"]


@needs_openssl
@pytest.mark.parametrize("op", ["p", "c"])
@pytest.mark.parametrize("name", PEM_EDIT_CASES)
def test_edit_pem_keys_like_openssh(keys, sesh, ossh, tmp_path, name, op):
	"""-p / -c on a PEM or PKCS#8 key: OpenSSH rewrites it in its own
	format; sesh must leave a file OpenSSH reads the same way."""
	src, passphrase, _ = keys.by_openssl(name)
	results = {}
	for who, tool in (("ours", sesh), ("theirs", ossh)):
		d = tmp_path / who
		d.mkdir()
		f = copy_key(src, d)
		if op == "p":
			ok(tool("-p", "-f", f, "-P", passphrase or "", "-N",
				NEWPASS, *FAST))
			readpw = NEWPASS
		else:
			ok(tool("-c", "-C", "edited", "-f", f, *pw(passphrase)))
			readpw = passphrase
		assert mode(f) == 0o600
		results[who] = (
			pathlib.Path(f).read_text().splitlines()[0],
			sorted(os.listdir(d)),
			ok(ossh("-y", "-f", f, *pw(readpw))).stdout)
		if readpw:
			assert ossh("-y", "-f", f, "-P", WRONGPASS).returncode
	assert results["ours"] == results["theirs"]


def test_list_known_hosts_like_openssh(tmp_path, keys, sesh, ossh):
	"""-l over a known_hosts file (plain and hashed) prints what OpenSSH
	prints, host names as comments."""
	ed = pathlib.Path(f"{keys.by_openssh('ed25519-plain')[0]}.pub")
	ec = pathlib.Path(f"{keys.by_openssh('ecdsa-384-plain')[0]}.pub")
	ed, ec = (" ".join(p.read_text().split()[:2]) for p in (ed, ec))
	f = tmp_path / "known_hosts"
	f.write_text(f"a.example,192.0.2.1 {ed}\n[b.example]:2200 {ec}\n"
		     f"# comment\n@revoked c.example {ed}\n"
		     f"@cert-authority *.example {ec}\n")
	for _ in range(2):
		ref = ok(ossh("-l", "-f", f)).stdout
		assert ok(sesh("-l", "-f", f)).stdout == ref
		ok(ossh("-H", "-f", f))


# ------------------------------------------------ wrong passphrase: clean

WRONG_CASES = [
	("sesh", "ed25519"), ("sesh", "ecdsa-384"), ("sesh", "rsa-2048"),
	("openssh", "ed25519-enc"), ("openssh", "rsa-2048-enc"),
	("openssh", "pem-rsa-2048-enc"), ("openssh", "pkcs8-ecdsa-256-enc"),
	("openssl", "rsa-pkcs8-enc"), ("openssl", "P-256-trad-enc"),
	("openssl", "rsa-trad-enc"),
]


def _wrong_case_key(keys, origin, name):
	if origin == "sesh":
		return keys.by_sesh(name, True)[0]
	if origin == "openssh":
		return keys.by_openssh(name)[0]
	if OPENSSL is None:
		pytest.skip("openssl (reference peer) is not installed")
	return keys.by_openssl(name)[0]


@pytest.mark.parametrize("op", ["y", "p", "c"])
@pytest.mark.parametrize("origin,name", WRONG_CASES,
			 ids=[f"{o}-{n}" for o, n in WRONG_CASES])
def test_wrong_passphrase_fails_cleanly(keys, sesh, ossh, tmp_path, origin,
					name, op):
	f = copy_key(_wrong_case_key(keys, origin, name), tmp_path)
	listing = sorted(os.listdir(tmp_path))
	hashes = {n: file_hash(tmp_path / n) for n in listing}

	# With PEM/PKCS#8 (CBC padding), a wrong passphrase is caught as such
	# only ~255 times in 256; OpenSSH's verdict on this very file says
	# which message to expect.
	ref = ossh("-y", "-f", f, "-P", WRONGPASS)
	assert ref.returncode != 0
	expect_msg = "incorrect passphrase" in ref.stderr

	if op == "y":
		p = sesh("-y", "-f", f, "-P", WRONGPASS)
	elif op == "p":
		p = sesh("-p", "-f", f, "-P", WRONGPASS, "-N", NEWPASS, *FAST)
	else:
		p = sesh("-c", "-C", "new", "-f", f, "-P", WRONGPASS)
	failed_cleanly(p)
	assert p.stdout.count("ssh-") == 0, "printed a key anyway"
	if expect_msg:
		assert "incorrect passphrase" in p.stderr.lower(), p.stderr
	assert sorted(os.listdir(tmp_path)) == listing, "files appeared"
	assert {n: file_hash(tmp_path / n) for n in listing} == hashes, (
		"a file changed")


# ------------------------------------------------------------ -c comment


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "pass"])
@pytest.mark.parametrize("origin", ["sesh", "openssh"])
@pytest.mark.parametrize("name", ["ed25519", "ecdsa-521", "rsa-2048"])
def test_change_comment(keys, sesh, ossh, tmp_path, name, origin, encrypted):
	f = copy_key(_origin_key(keys, origin, name, encrypted), tmp_path)
	passphrase = PASS if encrypted else None
	key = key_fields(ok(ossh("-y", "-f", f, *pw(passphrase))).stdout)[:2]
	new = "a brand new comment"

	ok(sesh("-c", "-C", new, "-f", f, *pw(passphrase)))
	assert mode(f) == 0o600
	got = key_fields(ok(ossh("-y", "-f", f, *pw(passphrase))).stdout)
	assert got == (*key, new)
	assert key_fields(pathlib.Path(f"{f}.pub").read_text()) == (*key, new)
	lst = ok(ossh("-l", "-f", f"{f}.pub")).stdout
	assert f" {new} (" in lst
	assert ok(sesh("-l", "-f", f"{f}.pub")).stdout == lst
	if encrypted:
		# Still protected by the same passphrase.
		assert openssh_v1_header(f)[:2] == ("aes256-ctr", "bcrypt")
		assert ossh("-y", "-f", f, "-P", WRONGPASS).returncode != 0
	else:
		assert openssh_v1_header(f)[:2] == ("none", "none")


# ------------------------------------------------------------- -e and -i

EXPORT_TYPES = ["ed25519", "ecdsa-256", "ecdsa-384", "ecdsa-521", "rsa-2048"]


def _export_cases():
	cases = []
	for n in EXPORT_TYPES:
		cases.append((n, None))
		# OpenSSH 9.2 has no PEM/PKCS8 export for Ed25519.
		if n != "ed25519":
			cases += [(n, "PEM"), (n, "PKCS8")]
	return cases


EXPORT_CASES = _export_cases()


def _import_opts(name, fmt):
	"""-m for reading an export back: OpenSSH writes ECDSA "PEM" as an
	SPKI (PKCS8) public key and reads it back only with -m PKCS8."""
	if fmt == "PEM" and name.startswith("ecdsa"):
		return ["-m", "PKCS8"]
	return ["-m", fmt] if fmt else []
EXPORT_IDS = [f"{n}-{m or 'RFC4716'}" for n, m in EXPORT_CASES]


@pytest.mark.parametrize("name,fmt", EXPORT_CASES, ids=EXPORT_IDS)
def test_export_read_by_openssh(keys, sesh, ossh, tmp_path, name, fmt):
	f, _ = keys.by_sesh(name, False)
	want = key_fields(pathlib.Path(f"{f}.pub").read_text())[:2]
	m = ["-m", fmt] if fmt else []
	for src in (f"{f}.pub", f):
		out = ok(sesh("-e", *m, "-f", src)).stdout
		ref = ok(ossh("-e", *m, "-f", src)).stdout
		if fmt:
			# DER is canonical: byte-identical to OpenSSH's.
			assert out == ref
		else:
			assert out.startswith("---- BEGIN SSH2 PUBLIC KEY ----\n")
			assert out.endswith("---- END SSH2 PUBLIC KEY ----\n")
			assert all(len(line) <= 72 for line in out.splitlines())
		exported = tmp_path / "exported"
		exported.write_text(out)
		back = ok(ossh("-i", *_import_opts(name, fmt), "-f",
			       exported)).stdout
		assert key_fields(back)[:2] == want


@pytest.mark.parametrize("name,fmt", EXPORT_CASES, ids=EXPORT_IDS)
def test_import_from_openssh_export(keys, sesh, ossh, tmp_path, name, fmt):
	f, _ = keys.by_sesh(name, False)
	m = ["-m", fmt] if fmt else []
	exported = tmp_path / "exported"
	exported.write_text(ok(ossh("-e", *m, "-f", f"{f}.pub")).stdout)
	im = _import_opts(name, fmt)
	ref = ok(ossh("-i", *im, "-f", exported)).stdout
	got = ok(sesh("-i", *im, "-f", exported)).stdout
	assert got == ref
	want = key_fields(pathlib.Path(f"{f}.pub").read_text())[:2]
	assert key_fields(got)[:2] == want


# --------------------------------------------- known_hosts: -R, -F, -H


@pytest.fixture
def known_hosts(keys, ossh, tmp_path):
	"""Plain and hashed known_hosts files written with OpenSSH's tools."""
	ed = key_fields(pathlib.Path(
		f"{keys.by_openssh('ed25519-plain')[0]}.pub").read_text())
	ec = key_fields(pathlib.Path(
		f"{keys.by_openssh('ecdsa-256-plain')[0]}.pub").read_text())
	ed, ec = f"{ed[0]} {ed[1]}", f"{ec[0]} {ec[1]}"
	lines = [
		f"example.com,192.0.2.1 {ed}",
		f"[example.com]:2222 {ed}",
		f"other.example {ec}",
		"# a comment line mentioning example.com",
		"",
		f"example.com {ec}",
		f"[192.0.2.1]:22022,[other.example]:22 {ec}",
		f"@revoked example.com {ec}",
		f"@cert-authority *.example.com {ed}",
		f"onlyhere.example {ed}",
	]
	plain = tmp_path / "known_hosts"
	plain.write_text("\n".join(lines) + "\n")
	hashed = tmp_path / "known_hosts.hashed"
	shutil.copy(plain, hashed)
	ok(ossh("-H", "-f", hashed))
	os.unlink(f"{hashed}.old")
	assert "|1|" in hashed.read_text()
	# Mixed: the first half hashed, the rest plain.
	mixed = tmp_path / "known_hosts.mixed"
	h = hashed.read_text().splitlines()
	mixed.write_text("\n".join(h[:4] + lines[4:]) + "\n")
	return {"plain": plain, "hashed": hashed, "mixed": mixed}


R_HOSTS = ["example.com", "[example.com]:2222", "192.0.2.1",
	   "[192.0.2.1]:22022", "other.example", "onlyhere.example",
	   "absent.example"]


@pytest.mark.parametrize("kind", ["plain", "hashed", "mixed"])
@pytest.mark.parametrize("host", R_HOSTS)
def test_remove_host_like_openssh(known_hosts, sesh, ossh, tmp_path, kind,
				  host):
	src = known_hosts[kind]
	ours, theirs = tmp_path / "ours", tmp_path / "theirs"
	ours.mkdir()
	theirs.mkdir()
	shutil.copy(src, ours / "kh")
	shutil.copy(src, theirs / "kh")
	ref = ossh("-R", host, "-f", theirs / "kh")
	p = sesh("-R", host, "-f", ours / "kh")
	assert (p.returncode == 0) == (ref.returncode == 0), (ref, p)
	assert (ours / "kh").read_text() == (theirs / "kh").read_text()
	assert sorted(os.listdir(ours)) == sorted(os.listdir(theirs))
	if (theirs / "kh.old").exists():
		assert (ours / "kh.old").read_text() == src.read_text()
	if (ours / "kh").read_text() != src.read_text():
		# Something was removed: the file changed, not grew.
		assert len((ours / "kh").read_text()) < len(src.read_text())


@pytest.mark.parametrize("kind", ["plain", "hashed"])
@pytest.mark.parametrize("host", ["example.com", "[example.com]:2222",
				  "onlyhere.example", "absent.example"])
def test_find_host_like_openssh(known_hosts, sesh, ossh, kind, host):
	f = known_hosts[kind]
	ref = ossh("-F", host, "-f", f)
	p = sesh("-F", host, "-f", f)
	assert (p.returncode == 0) == (ref.returncode == 0)
	assert p.stdout == ref.stdout


def _hash_shape(text):
	"""A known_hosts file with each hashed host field replaced by a
	placeholder: what -H must produce, salts aside."""
	out = []
	for line in text.splitlines():
		if line.startswith("|1|"):
			line = "HASHED " + line.split(None, 1)[1]
		out.append(line)
	return out


def test_hash_known_hosts_like_openssh(known_hosts, sesh, ossh, tmp_path):
	src = known_hosts["plain"]
	original = src.read_text()
	ours, theirs = tmp_path / "ours", tmp_path / "theirs"
	ours.mkdir()
	theirs.mkdir()
	shutil.copy(src, ours / "kh")
	shutil.copy(src, theirs / "kh")
	ok(ossh("-H", "-f", theirs / "kh"))
	ok(sesh("-H", "-f", ours / "kh"))
	assert (ours / "kh.old").read_text() == original
	hashed = (ours / "kh").read_text()
	assert _hash_shape(hashed) == _hash_shape((theirs / "kh").read_text())
	# OpenSSH finds every host in our hashed file, on the same key lines
	# it finds in the plain one.
	for host in ("example.com", "[example.com]:2222", "192.0.2.1",
		     "[192.0.2.1]:22022", "other.example", "onlyhere.example"):
		found = ok(ossh("-F", host, "-f", ours / "kh")).stdout
		plain = ok(ossh("-F", host, "-f", ours / "kh.old")).stdout

		def keys_of(out):
			return sorted(line.split(None, 1)[1]
				      for line in out.splitlines()
				      if line and not line.startswith("#"))

		assert keys_of(found) == keys_of(plain), host
		assert keys_of(found), host
