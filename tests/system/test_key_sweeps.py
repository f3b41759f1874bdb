"""
Truncation and bit-flip sweeps through sesh-keygen's key file parsers.

Contract: whatever bytes a key file holds, `sesh-keygen -y -f F -P pass`
and `sesh-keygen -l -f F.pub` end with exit 0 (and then print a well-formed
public key line / fingerprint line) or with a clean error: exit 1 or 255
(ssh-keygen's fatal code), a message on stderr, no signal, no sanitizer
report, no hang. Under a sanitizer build (SESH_BUILD pointing at an
ASan+UBSan build) the child gets ASAN_OPTIONS/UBSAN_OPTIONS making any
report exit 86/87 (ASan's default 1 would be ambiguous), which fails here.

The source keys are made by OpenSSH's ssh-keygen (the reference), so the
sweeps do not depend on sesh-keygen's writer. Mutations are made both on
the file text (truncation at every 7th byte, bit flips anywhere) and on the
decoded binary inside the armour (truncated or flipped, then re-armoured),
which reaches the binary parsers behind a valid base64 layer. Cases are a
fixed, seeded list, shuffled so that the run-time bound (SESH_SWEEP_BUDGET
seconds per test, for slow sanitizer builds) still samples every region.
"""

import base64
import concurrent.futures
import os
import pathlib
import random
import re
import shutil
import struct
import subprocess
import time

import pytest

SSH_KEYGEN = "/usr/bin/ssh-keygen"
if not os.access(SSH_KEYGEN, os.X_OK):
	SSH_KEYGEN = shutil.which("ssh-keygen")

pytestmark = pytest.mark.skipif(
	SSH_KEYGEN is None,
	reason="OpenSSH's ssh-keygen (makes the source keys) is not installed; "
	"apt-get install openssh-client")

PASS = "sweep passphrase"
BUDGET = float(os.environ.get("SESH_SWEEP_BUDGET", "7"))
PROC_TIMEOUT = 30
CLEAN_EXITS = (0, 1, 255)
SANITIZER_ENV = {
	"ASAN_OPTIONS": "exitcode=86:detect_leaks=1:abort_on_error=0",
	"UBSAN_OPTIONS": "halt_on_error=1:exitcode=87:print_stacktrace=1",
}
CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")
KEY_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	     "ecdsa-sha2-nistp521", "ssh-rsa")
PUB_LINE = re.compile(r"^(\S+) ([A-Za-z0-9+/]+={0,2})( [^\n]*)?\n$")
FP_LINE = re.compile(
	r"^\d+ SHA256:[A-Za-z0-9+/]{43} .* \((ED25519|ECDSA|RSA)\)\n$")
ARMOUR = "OPENSSH PRIVATE KEY"


@pytest.fixture(scope="module")
def sesh(sesh_bin):
	"""Path of sesh-keygen (conftest's sesh_bin, from SESH_BUILD)."""
	return sesh_bin("sesh-keygen")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
	e = dict(os.environ)
	e.update(SANITIZER_ENV)
	e["HOME"] = str(tmp_path_factory.mktemp("home"))
	e["LC_ALL"] = "C"
	return e


# (name, ssh-keygen args, encrypted)
SOURCES = [
	("ed25519-plain", ["-t", "ed25519"], False),
	("ed25519-enc", ["-t", "ed25519"], True),
	("rsa2048-plain", ["-t", "rsa", "-b", "2048"], False),
	("rsa2048-enc", ["-t", "rsa", "-b", "2048"], True),
	("ecdsa384-enc", ["-t", "ecdsa", "-b", "384"], True),
]


@pytest.fixture(scope="module")
def sources(tmp_path_factory, env):
	d = tmp_path_factory.mktemp("sources")
	out = {}
	for name, args, enc in SOURCES:
		f = d / name
		subprocess.run(
			[SSH_KEYGEN, *args, "-C", f"sweep {name}", "-f", f, "-q",
			 "-N", PASS if enc else "", *(["-a", "2"] if enc else [])],
			check=True, env=env, stdin=subprocess.DEVNULL,
			capture_output=True)
		out[name] = f
	return out


# ------------------------------------------------------------ mutations


def split_armour(text):
	"""(begin line, decoded body, end line) of a key file."""
	lines = text.strip().splitlines()
	return lines[0], base64.b64decode("".join(lines[1:-1])), lines[-1]


def armour(begin, body, end):
	b64 = base64.b64encode(body).decode()
	lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
	return "\n".join([begin, *lines, end]) + "\n"


def rounds_span(body):
	"""Byte range of the bcrypt rounds field in an openssh-key-v1 body, or
	None. Flipping low bits there makes a valid, merely slow file (up to
	SESH_MAX_KDF_ROUNDS rounds), so the sweeps leave it to
	test_absurd_kdf_rounds_fail_fast."""
	o = len(b"openssh-key-v1\0")

	def skip_string(off):
		(n,) = struct.unpack(">I", body[off:off + 4])
		return off + 4 + n

	o = skip_string(o)  # ciphername
	kdf_off = o
	o = skip_string(o)  # kdfname
	if body[kdf_off + 4:o] != b"bcrypt":
		return None
	o += 4  # kdfoptions length
	o = skip_string(o)  # salt
	return (o, o + 4)


def text_span_of(body_span, text):
	"""Character range in the file text that encodes body bytes
	[a, b) (base64: 3 bytes per 4 chars, 70 chars per line)."""
	first_nl = text.index("\n") + 1
	a, b = body_span
	ca, cb = (a // 3) * 4, ((b + 2) // 3) * 4
	return (first_nl + ca + ca // 70, first_nl + cb + cb // 70 + 1)


def private_cases(name, data, rng, n_flips, enc):
	"""Mutated variants of one private key file: (label, bytes)."""
	text = data.decode()
	begin, body, end = split_armour(text)
	span = rounds_span(body) if enc else None
	tspan = text_span_of(span, text) if span else None
	cases = []
	for n in range(0, len(data), 7):
		cases.append((f"{name} file[:{n}]", data[:n]))
	step = max(1, len(body) // 80)
	for n in range(0, len(body), step):
		cases.append((f"{name} body[:{n}]",
			      armour(begin, body[:n], end).encode()))
	for _ in range(n_flips):
		while True:
			i = rng.randrange(len(data))
			if not tspan or not tspan[0] <= i < tspan[1]:
				break
		m = bytearray(data)
		m[i] ^= 1 << rng.randrange(8)
		cases.append((f"{name} file flip@{i}", bytes(m)))
	for _ in range(n_flips):
		while True:
			i = rng.randrange(len(body))
			if not span or not span[0] <= i < span[1]:
				break
		m = bytearray(body)
		m[i] ^= 1 << rng.randrange(8)
		cases.append((f"{name} body flip@{i}",
			      armour(begin, bytes(m), end).encode()))
	return cases


def public_cases(name, data, rng, n_flips):
	"""Mutated variants of one .pub line."""
	ktype, b64, comment = data.decode().rstrip("\n").split(" ", 2)
	blob = base64.b64decode(b64)
	cases = []
	for n in range(0, len(data), 3):
		cases.append((f"{name}.pub file[:{n}]", data[:n]))
	step = max(1, len(blob) // 120)
	for n in range(0, len(blob), step):
		line = f"{ktype} {base64.b64encode(blob[:n]).decode()} {comment}\n"
		cases.append((f"{name}.pub blob[:{n}]", line.encode()))
	for _ in range(n_flips):
		i = rng.randrange(len(data))
		m = bytearray(data)
		m[i] ^= 1 << rng.randrange(8)
		cases.append((f"{name}.pub file flip@{i}", bytes(m)))
	for _ in range(n_flips):
		i = rng.randrange(len(blob))
		m = bytearray(blob)
		m[i] ^= 1 << rng.randrange(8)
		line = f"{ktype} {base64.b64encode(bytes(m)).decode()} {comment}\n"
		cases.append((f"{name}.pub blob flip@{i}", line.encode()))
	return cases


# -------------------------------------------------------------- running


def check_pub_line(out):
	"""None if out is one well-formed public key line, else why not."""
	m = PUB_LINE.match(out)
	if not m:
		return f"not a public key line: {out!r}"
	if m.group(1) not in KEY_TYPES:
		return f"unknown key type printed: {m.group(1)!r}"
	try:
		blob = base64.b64decode(m.group(2), validate=True)
	except ValueError:
		return f"bad base64 printed: {out!r}"
	(n,) = struct.unpack(">I", blob[:4]) if len(blob) >= 4 else (None,)
	if n is None or blob[4:4 + n].decode("latin-1") != m.group(1):
		return f"blob type differs from line type: {out!r}"
	return None


def check_fp_line(out):
	return None if FP_LINE.match(out) else f"not a fingerprint line: {out!r}"


def run_case(sesh, env, workdir, idx, label, data, argv, check_ok):
	"""Runs one mutated file; returns None or a failure description."""
	f = workdir / f"case{idx}"
	if argv[0] == "-l":
		f = workdir / f"case{idx}.pub"
	f.write_bytes(data)
	os.chmod(f, 0o600)
	cmd = [a.replace("{F}", str(f)) for a in [sesh, *argv]]
	try:
		p = subprocess.run(cmd, capture_output=True, env=env,
				   stdin=subprocess.DEVNULL, timeout=PROC_TIMEOUT,
				   start_new_session=True)
	except subprocess.TimeoutExpired:
		return f"{label}: hang (> {PROC_TIMEOUT} s): {' '.join(cmd)}"
	out = p.stdout.decode("latin-1")
	err = p.stderr.decode("latin-1")
	rc = p.returncode
	why = None
	if rc < 0:
		why = f"killed by signal {-rc}"
	elif rc in (86, 87):
		why = f"sanitizer report (exit {rc})"
	elif rc not in CLEAN_EXITS:
		why = f"unexpected exit {rc}"
	elif any(m in err for m in CRASH_MARKERS):
		why = "sanitizer text on stderr"
	elif rc != 0 and not err.strip():
		why = "failed without a message"
	elif rc == 0:
		why = check_ok(out)
	if why is None:
		f.unlink()
		return None
	keep = workdir / f"FAILED-{idx}"
	f.rename(keep)
	return (f"{label}: {why}\n  cmd: {' '.join(cmd).replace(str(f), str(keep))}"
		f"\n  stderr: {err[-600:]!r}")


def sweep(sesh, env, workdir, cases, argv, check_ok, budget=BUDGET):
	"""Runs cases on 2 threads, stopping new work after `budget` seconds.
	Returns (number run, failures)."""
	rng = random.Random(4711)
	order = list(enumerate(cases))
	rng.shuffle(order)
	deadline = time.monotonic() + budget
	failures, ran = [], 0
	with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
		pending = set()
		it = iter(order)
		done_feeding = False
		while True:
			while not done_feeding and len(pending) < 4:
				if time.monotonic() > deadline:
					done_feeding = True
					break
				nxt = next(it, None)
				if nxt is None:
					done_feeding = True
					break
				idx, (label, data) = nxt
				pending.add(pool.submit(run_case, sesh, env, workdir,
							idx, label, data, argv,
							check_ok))
			if not pending:
				break
			done, pending = concurrent.futures.wait(
				pending,
				return_when=concurrent.futures.FIRST_COMPLETED)
			for fut in done:
				ran += 1
				r = fut.result()
				if r:
					failures.append(r)
	return ran, failures


def report(ran, total, failures):
	print(f"sweep: ran {ran} of {total} cases, {len(failures)} failures")
	assert ran >= min(total, 100), f"only {ran} of {total} cases ran"
	assert not failures, (f"{len(failures)} of {ran} mutated files "
			      "mishandled:\n" + "\n".join(failures[:15]))


# ---------------------------------------------------------------- tests


def test_sources_are_valid(sesh, env, sources):
	"""The unmutated files work (else every sweep case 'passes' as an
	error)."""
	for name, f in sources.items():
		p = subprocess.run([sesh, "-y", "-f", str(f), "-P", PASS],
				   capture_output=True, text=True, env=env,
				   stdin=subprocess.DEVNULL, timeout=PROC_TIMEOUT)
		assert p.returncode == 0, (name, p.stderr)
		assert check_pub_line(p.stdout) is None, p.stdout
		p = subprocess.run([sesh, "-l", "-f", f"{f}.pub"],
				   capture_output=True, text=True, env=env,
				   stdin=subprocess.DEVNULL, timeout=PROC_TIMEOUT)
		assert p.returncode == 0, (name, p.stderr)
		assert check_fp_line(p.stdout) is None, p.stdout


@pytest.mark.parametrize("group", [
	["ed25519-plain", "ed25519-enc"],
	["rsa2048-plain"],
	["rsa2048-enc"],
	["ecdsa384-enc"],
], ids=["ed25519", "rsa-plain", "rsa-enc", "ecdsa-enc"])
def test_private_key_sweep(sesh, env, sources, tmp_path, group):
	rng = random.Random("private-" + "-".join(group))
	cases = []
	for name in group:
		data = sources[name].read_bytes()
		enc = dict((s[0], s[2]) for s in SOURCES)[name]
		cases += private_cases(name, data, rng, 100 // len(group), enc)
	ran, failures = sweep(sesh, env, tmp_path, cases,
			      ["-y", "-f", "{F}", "-P", PASS], check_pub_line)
	report(ran, len(cases), failures)


def test_public_key_sweep(sesh, env, sources, tmp_path):
	rng = random.Random("public")
	cases = []
	for name in ("ed25519-plain", "rsa2048-plain", "ecdsa384-enc"):
		data = pathlib.Path(f"{sources[name]}.pub").read_bytes()
		cases += public_cases(name, data, rng, 60)
	ran, failures = sweep(sesh, env, tmp_path, cases, ["-l", "-f", "{F}"],
			      check_fp_line)
	report(ran, len(cases), failures)


@pytest.mark.parametrize("rounds", [0, 0xFFFFFFFF, 0x7FFFFFFF])
def test_absurd_kdf_rounds_fail_fast(sesh, env, sources, tmp_path, rounds):
	"""A rounds field nobody would write is an error, not hours of
	bcrypt (the subprocess timeout catches a hang)."""
	text = sources["ed25519-enc"].read_text()
	begin, body, end = split_armour(text)
	a, b = rounds_span(body)
	mutated = body[:a] + struct.pack(">I", rounds) + body[b:]
	f = tmp_path / "key"
	f.write_text(armour(begin, mutated, end))
	os.chmod(f, 0o600)
	try:
		p = subprocess.run([sesh, "-y", "-f", str(f), "-P", PASS],
				   capture_output=True, text=True, env=env,
				   stdin=subprocess.DEVNULL, timeout=PROC_TIMEOUT,
				   start_new_session=True)
	except subprocess.TimeoutExpired:
		pytest.fail(f"rounds={rounds}: still running after "
			    f"{PROC_TIMEOUT} s")
	assert p.returncode in (1, 255), (p.returncode, p.stderr)
	assert p.stderr.strip()
	assert not any(m in p.stderr for m in CRASH_MARKERS), p.stderr
