"""
The bench's own tools work (not a timed test: nothing here asserts a
speed).

- bench/delayproxy.py forwards bytes unchanged in both directions,
  forwards a half-close, holds each direction back by at least its
  configured delay, and writes one statistics line per connection.
- bench/run.py, asked for one connect run, prints its table with the
  sesh-vs-ssh connect row measured (needs root, like the system tests
  that start sshd; skipped otherwise).
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


def test_bench_connect_row(tmp_path):
	if os.geteuid() != 0:
		pytest.skip("starts sshd and logs in as root: needs root")
	if not os.access("/usr/sbin/sshd", os.X_OK):
		pytest.skip("OpenSSH server not installed")
	build = os.environ.get("SESH_BUILD", str(REPO / "build"))
	if not os.access(os.path.join(build, "bin", "sesh"), os.X_OK):
		pytest.skip(f"{build}/bin/sesh is not built (set SESH_BUILD)")
	out = tmp_path / "bench.json"
	r = subprocess.run([sys.executable, str(RUN), "--build", build,
			    "--rows", "connect", "--runs", "1", "--json",
			    str(out)], capture_output=True, text=True,
			   timeout=300)
	assert r.returncode == 0, r.stderr
	assert "connect+true, sesh vs ssh -> sshd" in r.stdout
	rows = {x["row"]: x for x in json.loads(out.read_text())["rows"]}
	row = rows["connect+true, sesh vs ssh -> sshd"]
	assert row["verdict"] != "skip", row
	assert row["ours"] > 0 and row["theirs"] > 0
