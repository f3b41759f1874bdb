"""
The client's bulk path against OpenSSH's sshd (see client_util.py):
stdin read straight into the outgoing CHANNEL_DATA messages (several
reads per turn of the loop while poll says more is there, up to 64 KiB,
sent in one flush) and the pooled padding randomness, checked for data
integrity with stdin as a regular file, as a pipe fed in odd-sized
pieces, as a pipe with an odd tail, as tiny inputs (EOF in the same turn
as the data), and with the window closing mid-stream while rekeys come
and go; and, when strace is installed, no getpid() per packet
(RAND_bytes' fork check, paid per pool refill instead) and TCP_QUICKACK
re-armed only during the login (never after the bulk data started).
"""

import hashlib
import re
import shutil
import subprocess
import threading

import pytest

from client_util import Sshd, wait_for

STRACE = shutil.which("strace")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
	s = Sshd(tmp_path_factory.mktemp("bulk"))
	yield s
	s.stop()


def pattern(n, seed):
	"""n bytes that differ everywhere (a shifted block would be seen)."""
	block = hashlib.sha256(seed).digest() * 2048  # 64 KiB
	out = bytearray()
	i = 0
	while len(out) < n:
		out += hashlib.sha256(seed + i.to_bytes(4, "big")).digest()
		out += block[:4093]
		i += 1
	return bytes(out[:n])


def test_stdin_regular_file(srv, sesh_bin, sesh_env, tmp_path):
	data = pattern((24 << 20) + 12345, b"file")
	f = tmp_path / "in.bin"
	f.write_bytes(data)
	with open(f, "rb") as fin:
		r = subprocess.run(srv.argv(sesh_bin("sesh"), cmd="sha256sum"),
				   stdin=fin, capture_output=True,
				   env=sesh_env, timeout=120)
	assert r.returncode == 0, r.stderr
	assert r.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()


def test_stdin_pipe_odd_pieces(srv, sesh_bin, sesh_env):
	"""Short reads of every size, and reads that stop the batch (below
	4 KiB) between large ones: every byte arrives once, in order."""
	sizes = [1, 7, 4095, 4096, 4097, 65535, 65536, 65537, 300000, 3,
		 262144, 262145, 100, 131072]
	chunks = [pattern(n, b"piece%d" % i) for i, n in enumerate(sizes * 6)]
	data = b"".join(chunks)
	p = subprocess.Popen(srv.argv(sesh_bin("sesh"), cmd="sha256sum"),
			     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
			     stderr=subprocess.PIPE, env=sesh_env, bufsize=0)
	got = {}

	def feed():
		try:
			for c in chunks:
				p.stdin.write(c)
		except OSError:
			pass
		finally:
			p.stdin.close()

	def drain(name, f):
		got[name] = f.read()
	threads = [threading.Thread(target=feed, daemon=True),
		   threading.Thread(target=drain, args=("err", p.stderr),
				    daemon=True)]
	for t in threads:
		t.start()
	out = p.stdout.read()
	assert p.wait(timeout=120) == 0
	for t in threads:
		t.join(30)
	assert out.split()[0].decode() == hashlib.sha256(data).hexdigest(), \
		got.get("err")


def test_stdin_pipe_tail(srv, sesh_bin, sesh_env):
	data = pattern((8 << 20) + 1, b"tail")
	r = srv.run(sesh_bin("sesh"), sesh_env, cmd="sha256sum", stdin=data,
		    timeout=120)
	assert r.returncode == 0, r.stderr
	assert r.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("n", [0, 1, 32767, 32769])
def test_stdin_small(srv, sesh_bin, sesh_env, n):
	"""Nothing, or less than a turn: the data, then EOF, arrive."""
	data = pattern(n, b"small%d" % n)
	r = srv.run(sesh_bin("sesh"), sesh_env, cmd="sha256sum", stdin=data)
	assert r.returncode == 0, r.stderr
	assert r.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()


def test_window_closed_and_rekeys(tmp_path, sesh_bin, sesh_env):
	"""The remote command reads nothing for a while: sshd's 2 MiB window
	runs out with stdin still full (reads stop, then resume at the
	adjust), and RekeyLimit 512K on sesh's side makes key exchanges
	run while data is being read (the transport queues it until
	NEWKEYS): every byte arrives once, in order."""
	s = Sshd(tmp_path, extra="LogLevel DEBUG1\n")
	try:
		sizes = [65537, 1, 300000, 4095, 131072, 7]
		chunks = [pattern(n, b"win%d" % i)
			  for i, n in enumerate(sizes * 16)]
		data = b"".join(chunks)
		n0 = s.log().count("SSH2_MSG_NEWKEYS received")
		p = subprocess.Popen(
		    s.argv(sesh_bin("sesh"), "-o", "RekeyLimit=512K",
			   cmd="sleep 0.5; sha256sum"),
		    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
		    stderr=subprocess.PIPE, env=sesh_env, bufsize=0)
		got = {}

		def feed():
			try:
				for c in chunks:
					p.stdin.write(c)
			except OSError:
				pass
			finally:
				p.stdin.close()

		def drain_err():
			got["err"] = p.stderr.read()
		threads = [threading.Thread(target=feed, daemon=True),
			   threading.Thread(target=drain_err, daemon=True)]
		for t in threads:
			t.start()
		out = p.stdout.read()
		assert p.wait(timeout=120) == 0, got.get("err")
		for t in threads:
			t.join(30)
		assert out.split()[0].decode() == \
			hashlib.sha256(data).hexdigest(), got.get("err")
		# about 8 MiB: a rekey per 512 KiB sent, fewer when key
		# exchanges are slow (sanitizers: the limit is checked once
		# one is over)
		assert wait_for(lambda: s.log().count(
			"SSH2_MSG_NEWKEYS received") - n0 >= 4, 10), \
			s.log()[-3000:]
	finally:
		s.stop()


def test_syscalls(srv, sesh_bin, sesh_env, tmp_path):
	"""32 MiB = 1024 full CHANNEL_DATA packets (sshd's maximum packet
	is 32 KiB) from a regular file: padding drawn from the pool, and
	TCP_QUICKACK only before the bulk data. (How many writes depends on
	how often the socket was full: not asserted.)"""
	if STRACE is None:
		pytest.skip("strace not installed")
	data = pattern(32 << 20, b"strace")
	f = tmp_path / "in.bin"
	f.write_bytes(data)
	log = tmp_path / "strace.log"
	argv = ([STRACE, "-o", str(log), "-e",
		 "trace=write,getpid,setsockopt"] +
		srv.argv(sesh_bin("sesh"), cmd="cat > /dev/null"))
	env = dict(sesh_env)
	# LeakSanitizer cannot run under ptrace (sanitizer builds)
	env["ASAN_OPTIONS"] = ":".join(
		[o for o in env.get("ASAN_OPTIONS", "").split(":")
		 if o and not o.startswith("detect_leaks=")] +
		["detect_leaks=0"])
	with open(f, "rb") as fin:
		r = subprocess.run(argv, stdin=fin, capture_output=True,
				   env=env, timeout=300)
	assert r.returncode == 0, r.stderr
	lines = log.read_text().splitlines()
	writes = [i for i, ln in enumerate(lines) if ln.startswith("write(")]
	big = [i for i in writes
	       if int(re.search(r"= (-?\d+)", lines[i]).group(1)) >= 32768]
	getpids = [ln for ln in lines if ln.startswith("getpid(")]
	quick = [i for i, ln in enumerate(lines) if "TCP_QUICKACK" in ln]
	assert big, "no bulk write seen"
	# RAND_bytes calls getpid() each time; the pool refills rarely.
	assert len(getpids) < 100, f"{len(getpids)} getpid() calls"
	# Re-armed during the login, never once the bulk data flows.
	assert quick, "TCP_QUICKACK never set"
	assert quick[-1] < big[0]
