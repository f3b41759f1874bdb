"""
The bench's own tools work (not a timed test: nothing here asserts a
speed).

- bench/delayproxy.py forwards bytes unchanged in both directions,
  forwards a half-close, holds each direction back by at least its
  configured delay, and writes one statistics line per connection.
- bench/run.py, asked for one connect run, prints its table with the
  sesh-vs-ssh connect row measured (needs root, like the system tests
  that start sshd; skipped otherwise).
- The round-trip count by time (bench/harness.py round_trips_by_time)
  finds the number of sequential request/response exchanges made
  through the delay proxy; the echo probe (harness.EchoProbe) times
  echoes and fails cleanly on a channel that never echoes; a gated
  Feeder holds its stream until released; run_download counts what a
  command writes to its stdout and gives no rate for a short stream.
- bench/run.py --rows cps measures connections/s at 1, 4 and 16
  parallel for ssh -> seshd and sesh -> seshd, each against ssh -> sshd
  (root).
- bench/run.py --rows download measures both directions' pairs of the
  download rows (sesh vs ssh -> sshd, ssh -> seshd vs sshd), with no
  targets (root, like the connect row).
- With Dropbear installed (dropbear-bin) and root: the bench's Dropbear
  server takes dbclient and OpenSSH's ssh logins, dbclient's cipher
  limits show as n/a rows, and the memory-before-auth row holds
  connections at the userauth stage on every server.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
PROXY = REPO / "bench" / "delayproxy.py"
RUN = REPO / "bench" / "run.py"
sys.path.insert(0, str(REPO / "bench"))
sys.dont_write_bytecode = True
import harness  # noqa: E402


def start_proxy(target_port, tmp_path, *extra):
	stats = tmp_path / "stats.jsonl"
	p = subprocess.Popen([sys.executable, str(PROXY), "--target",
			      f"127.0.0.1:{target_port}", "--stats", str(stats),
			      *extra], stdout=subprocess.PIPE)
	line = p.stdout.readline()
	assert line.strip().isdigit(), line
	return p, int(line), stats


def echo_server():
	"""A one-connection server that echoes until EOF, then closes."""
	srv = socket.socket()
	srv.bind(("127.0.0.1", 0))
	srv.listen(1)

	def run():
		c, _ = srv.accept()
		with c:
			while True:
				b = c.recv(65536)
				if not b:
					break
				c.sendall(b)
			c.shutdown(socket.SHUT_WR)
		srv.close()
	t = threading.Thread(target=run, daemon=True)
	t.start()
	return srv.getsockname()[1], t


def recv_all(s, n):
	out = b""
	while len(out) < n:
		b = s.recv(n - len(out))
		if not b:
			break
		out += b
	return out


def test_delayproxy_forwards_and_delays(tmp_path):
	port, t = echo_server()
	proxy, pport, stats = start_proxy(port, tmp_path, "--up-ms", "40",
					  "--down-ms", "10", "--window",
					  "100000")
	try:
		s = socket.create_connection(("127.0.0.1", pport), 5)
		s.settimeout(10)
		t0 = time.monotonic()
		s.sendall(b"ping")
		assert recv_all(s, 4) == b"ping"
		# At least the two one-way delays, whatever the machine.
		assert time.monotonic() - t0 >= 0.05
		# Larger than the window: backpressure, not loss.
		data = os.urandom(1 << 20)
		got = []
		reader = threading.Thread(
			target=lambda: got.append(recv_all(s, len(data))))
		reader.start()
		s.sendall(data)
		reader.join(30)
		assert got and got[0] == data
		s.shutdown(socket.SHUT_WR)
		assert s.recv(1) == b""  # the server's close came through
		s.close()
		t.join(10)
		deadline = time.monotonic() + 10
		lines = []
		while time.monotonic() < deadline:
			if stats.exists():
				lines = stats.read_text().splitlines()
				if lines:
					break
			time.sleep(0.02)
		rec = json.loads(lines[0])
		assert rec["up_bytes"] == 4 + len(data)
		assert rec["down_bytes"] == 4 + len(data)
		assert rec["up_flights"] >= 2
	finally:
		proxy.terminate()
		proxy.wait()
		proxy.stdout.close()


def sshd_prereqs():
	"""Root, OpenSSH's sshd and a built sesh (the build dir), or skip."""
	if os.geteuid() != 0:
		pytest.skip("starts sshd and logs in as root: needs root")
	if not os.access("/usr/sbin/sshd", os.X_OK):
		pytest.skip("OpenSSH server not installed")
	build = os.environ.get("SESH_BUILD", str(REPO / "build"))
	if not os.access(os.path.join(build, "bin", "sesh"), os.X_OK):
		pytest.skip(f"{build}/bin/sesh is not built (set SESH_BUILD)")
	return build


def run_bench(tmp_path, build, *args, timeout=300):
	"""bench/run.py --build build args... --json FILE: its result (exit
	0 asserted) and its rows by name."""
	out = tmp_path / "bench.json"
	r = subprocess.run([sys.executable, str(RUN), "--build", build,
			    *args, "--json", str(out)], capture_output=True,
			   text=True, timeout=timeout)
	assert r.returncode == 0, r.stderr
	rows = {x["row"]: x for x in json.loads(out.read_text())["rows"]}
	return r, rows


def test_bench_connect_row(tmp_path):
	build = sshd_prereqs()
	r, rows = run_bench(tmp_path, build, "--rows", "connect", "--runs",
			    "1")
	assert "connect+true, sesh vs ssh -> sshd" in r.stdout
	row = rows["connect+true, sesh vs ssh -> sshd"]
	assert row["verdict"] != "skip", row
	assert row["ours"] > 0 and row["theirs"] > 0


def exchanges_through_proxy(pport, k):
	"""k sequential 1-byte request/response exchanges on one connection
	through the proxy; returns the wall time (connect to close)."""
	t0 = time.perf_counter()
	s = socket.create_connection(("127.0.0.1", pport), 5)
	s.settimeout(20)
	try:
		for _ in range(k):
			s.sendall(b"q")
			assert recv_all(s, 1) == b"q"
	finally:
		s.close()
	return time.perf_counter() - t0


def echo_server_many():
	"""An echo server for any number of sequential connections."""
	srv = socket.socket()
	srv.bind(("127.0.0.1", 0))
	srv.listen(8)

	def run():
		while True:
			try:
				c, _ = srv.accept()
			except OSError:
				return
			with c:
				while True:
					b = c.recv(65536)
					if not b:
						break
					c.sendall(b)
	threading.Thread(target=run, daemon=True).start()
	return srv


def test_round_trips_by_time_counts_exchanges(tmp_path):
	"""3 and 5 dependent exchanges through a 200 ms RTT path, minus
	the same through the proxy at 0 ms, divided by the RTT: 3 and 5
	(rounded; the margin is half a round trip, 100 ms)."""
	srv = echo_server_many()
	procs = []
	try:
		p0, port0, _ = start_proxy(srv.getsockname()[1], tmp_path,
					   "--delay-ms", "0")
		procs.append(p0)
		stats_dir = tmp_path / "d"
		stats_dir.mkdir()
		p1, port1, _ = start_proxy(srv.getsockname()[1], stats_dir,
					   "--delay-ms", "100")
		procs.append(p1)
		for k in (3, 5):
			base = [exchanges_through_proxy(port0, k)
				for _ in range(3)]
			slow = [exchanges_through_proxy(port1, k)
				for _ in range(3)]
			est = harness.round_trips_by_time(slow, base, 0.2)
			assert round(est) == k, (k, est, slow, base)
	finally:
		for p in procs:
			p.terminate()
			p.wait()
			p.stdout.close()
		srv.close()


def test_round_trips_by_time_rejects_empty():
	with pytest.raises(ValueError):
		harness.round_trips_by_time([], [0.1], 0.1)
	with pytest.raises(ValueError):
		harness.round_trips_by_time([0.2], [0.1], 0)
	assert harness.round_trips_by_time([0.5, 0.7, 0.6], [0.1], 0.1) \
		== pytest.approx(5.0)


def test_echo_probe_counts_each_echo():
	# `cat` on pipes echoes every byte back, as a pty does.
	probe = harness.EchoProbe(["cat"])
	try:
		assert probe.ready(10) > 0
		times = [probe.once() for _ in range(20)]
		assert all(t > 0 for t in times)
		assert probe.sent == 21 and probe.got == 21
	finally:
		probe.close()


def test_echo_probe_fails_without_echo():
	# Reads its input and never answers: a clean BenchError.
	probe = harness.EchoProbe(["sh", "-c", "cat > /dev/null"])
	try:
		with pytest.raises(harness.BenchError):
			probe.once(timeout=0.3)
	finally:
		probe.close()
	# A channel that closes: an error, not a hang.
	probe = harness.EchoProbe(["true"])
	try:
		with pytest.raises(harness.BenchError):
			probe.once(timeout=10)
			probe.once(timeout=10)
	finally:
		probe.close()


def test_feeder_gate_holds_the_stream():
	gate = threading.Event()
	feed = harness.Feeder(4 << 20, gate)
	got = [0]

	def reader():
		while True:
			b = os.read(feed.rfd, 1 << 20)
			if not b:
				break
			got[0] += len(b)
	t = threading.Thread(target=reader, daemon=True)
	feed.start()
	t.start()
	assert feed.primed.wait(10)
	# Primed: exactly the first PRIME bytes, and no more while shut.
	time.sleep(0.2)
	assert feed.sent == harness.Feeder.PRIME
	assert got[0] <= harness.Feeder.PRIME
	gate.set()
	feed.join(10)
	t.join(10)
	os.close(feed.rfd)
	assert feed.sent == 4 << 20 and got[0] == 4 << 20
	assert feed.t_first is not None


def test_run_download_counts_the_stream():
	env = dict(os.environ)
	n = 3 << 20
	r = harness.run_download(["sh", "-c", f"head -c {n} /dev/zero"],
				 env, n, timeout=30)
	assert r["status"] == 0 and r["got"] == n, r
	assert r["rate_mib"] is not None and r["rate_mib"] > 0
	# A stream shorter than asked for has no rate (and is no hang).
	r = harness.run_download(["sh", "-c", f"head -c {n - 1} /dev/zero"],
				 env, n, timeout=30)
	assert r["got"] == n - 1 and r["rate_mib"] is None, r
	# Below the first MiB the timing never starts.
	r = harness.run_download(["sh", "-c", "head -c 1000 /dev/zero"],
				 env, 1000, timeout=30)
	assert r["got"] == 1000 and r["rate_mib"] is None, r


def test_bench_download_rows(tmp_path):
	build = sshd_prereqs()
	r, rows = run_bench(tmp_path, build, "--rows", "server,download",
			    "--bulk-mib", "4", "--bulk-runs", "1", "--ciphers",
			    "aes128-gcm")
	names = ["download aes128-gcm MiB/s", "download aes128-gcm client CPU",
		 "download aes128-gcm server CPU"]
	if os.access(os.path.join(build, "bin", "seshd"), os.X_OK):
		names += ["server download aes128-gcm MiB/s",
			  "server download aes128-gcm server CPU"]
	for name in names:
		row = rows[name]
		assert row["verdict"] == "" and row["target"] is None, row
		# Server CPU is in clock ticks: 4 MiB may take none.
		least = 0 if name.endswith("server CPU") else 1e-9
		assert row["ours"] >= least and row["theirs"] >= least, row
	# Only the asked-for groups ran; the client upload rows did not.
	# The server rows stopped their seshd before the download group
	# started one for the same profile again (a fresh host key).
	assert not any(k.startswith("bulk ") for k in rows), rows.keys()
	assert not any(x["verdict"] == "skip" for x in rows.values()), \
		[x for x in rows.values() if x["verdict"] == "skip"]
	assert "download: 4 MiB of zeros from `head -c 4194304 /dev/zero`" \
		in r.stdout


def test_bench_cps_rows(tmp_path):
	build = sshd_prereqs()
	if not os.access(os.path.join(build, "bin", "seshd"), os.X_OK):
		pytest.skip("seshd not built")
	r, rows = run_bench(tmp_path, build, "--rows", "cps", "--cps-count",
			    "2")
	for par in (1, 4, 16):
		for name in (f"connections/s, {par} parallel",
			     f"connections/s, {par} parallel, sesh->seshd vs "
			     "ssh->sshd"):
			row = rows[name]
			assert row["verdict"] in ("pass", "MISS"), row
			assert row["target"] == ">= 2 (#8)", row
			assert row["ours"] > 0 and row["theirs"] > 0, row
		# the suite row's OpenSSH side is the ssh -> sshd figure
		assert rows[f"connections/s, {par} parallel, sesh->seshd vs "
			    "ssh->sshd"]["theirs"] == \
			rows[f"connections/s, {par} parallel"]["theirs"]
	assert rows["server CPU per connection (4 parallel)"]["ours"] > 0
	assert "connections/s: 2 logins" in r.stdout


def test_dropbear_capabilities():
	can = harness.dropbear_can
	assert can({"id": "default"})
	assert can({"cipher": "chacha20-poly1305@openssh.com",
		    "mac": "hmac-sha2-256-etm@openssh.com"})
	assert can({"cipher": "aes128-ctr", "mac": "hmac-sha2-256"})
	assert not can({"cipher": "aes128-gcm@openssh.com"})
	assert not can({"cipher": "aes128-ctr",
			"mac": "hmac-sha2-256-etm@openssh.com"})
	assert not can({"kex": "sntrup761x25519-sha512@openssh.com"})
	db = harness.DbClient("/nonexistent")
	assert db.can({"kex": "curve25519-sha256"})
	assert not db.can({"kex": "ecdh-sha2-nistp256"})


def bench_prereqs():
	if os.geteuid() != 0:
		pytest.skip("starts servers and logs in as root: needs root")
	for p in ("/usr/sbin/sshd", harness.DROPBEAR, harness.DBCLIENT):
		if not os.access(p, os.X_OK):
			pytest.skip(f"{p} not installed (scripts/deps.sh)")
	if subprocess.run(["unshare", "-m", "true"]).returncode != 0:
		pytest.skip("no private mount namespace for dropbear")
	build = os.environ.get("SESH_BUILD", str(REPO / "build"))
	if not os.access(os.path.join(build, "bin", "sesh"), os.X_OK):
		pytest.skip(f"{build}/bin/sesh is not built (set SESH_BUILD)")
	return build


def test_dropbear_server_and_dbclient(tmp_path):
	bench_prereqs()
	home = tmp_path / "home"
	home.mkdir()
	env = dict(os.environ, HOME=str(home), LC_ALL="C")
	keys = harness.Keys(str(tmp_path))
	empty = tmp_path / "empty"
	empty.write_text("")
	prof = {"id": "t", "cipher": "aes128-ctr", "mac": "hmac-sha2-256"}
	srv = harness.DropbearServer(str(tmp_path), keys, prof).start()
	try:
		for cl in (harness.DbClient(str(home)),
			   harness.OpenSSHClient(str(empty))):
			argv = cl.argv(srv, keys, "echo ok-$HOME")
			if isinstance(cl, harness.OpenSSHClient):
				# the profile is pinned on the client
				assert argv[argv.index("-c") + 1] == "aes128-ctr"
			r = subprocess.run(argv, env=env, capture_output=True,
					   text=True, stdin=subprocess.DEVNULL,
					   timeout=60)
			assert r.returncode == 0, r.stderr
			assert r.stdout.strip() == "ok-" + harness.user_home()
		assert srv.wait_idle(10)
		log = pathlib.Path(srv.log_path).read_text()
		assert log.count("Pubkey auth succeeded") >= 2
	finally:
		srv.stop()
	# The host's home was only covered inside the server's namespace.
	assert not os.path.exists(os.path.join(
		harness.user_home(), ".ssh", "authorized_keys")) or \
		keys.user_pub not in pathlib.Path(
			harness.user_home(), ".ssh",
			"authorized_keys").read_text()


def test_bench_dropbear_rows(tmp_path):
	build = bench_prereqs()
	r, rows = run_bench(tmp_path, build, "--quick", "--rows",
			    "preauth,bulk", "--bulk-mib", "8", "--ciphers",
			    "chacha20-poly1305,aes128-gcm", timeout=600)
	row = rows["bulk chacha20-poly1305, sesh vs dbclient MiB/s"]
	assert row["verdict"] != "skip" and row["theirs"] > 0, row
	na = rows["bulk aes128-gcm, sesh vs dbclient"]
	assert na["verdict"] == "n/a", na
	# sesh -> seshd against the pipe ceiling, per AEAD cipher asked for
	for c in ("chacha20-poly1305", "aes128-gcm"):
		ce = rows[f"bulk {c}, sesh->seshd vs pipe ceiling"]
		assert ce["verdict"] in ("pass", "MISS"), ce
		assert ce["ours"] > 0 and ce["theirs"] > 0, ce
	assert not any("aes128-ctr" in k and "ceiling" in k for k in rows)
	assert "n/a: dbclient cannot do aes128-gcm" in r.stdout
	pre = rows["memory per connection before auth (8), dropbear vs sshd"]
	assert pre["verdict"] != "skip", pre
	assert pre["ours"] > 0 and pre["theirs"] > 0
	# The clients held at userauth (their askpass sleeps) are gone.
	left = subprocess.run(["pgrep", "-f", "^sleep 999.125$"],
			      capture_output=True)
	assert left.returncode == 1, left.stdout
