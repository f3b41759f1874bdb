"""
seshd's per-source limits (sshd_config(5) PerSourcePenalties,
PerSourcePenaltyExemptList, PerSourceNetBlockSize, PerSourceMaxStartups):
a source whose connections end badly (no authentication, failed
authentication) is refused at accept time for the penalty's length, then
accepted again; the exempt list and `PerSourcePenalties no` let it
through; the defaults (noauth:1s min:15s) catch a burst of connections
that never authenticate; a source holding PerSourceMaxStartups
unauthenticated connections gets no more, while another source does.

Other sources are real: Linux routes all of 127.0.0.0/8 to loopback, so
a client socket bound to 127.0.0.2 is another source address.
"""

import re
import socket
import subprocess
import time

import pytest

from seshd_util import start_seshd

REFUSED = b"Not allowed at this time"


def banner(port, src="127.0.0.1", timeout=10):
	"""Connects from src; returns (first line sent, socket)."""
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	s.settimeout(timeout)
	s.bind((src, 0))
	s.connect(("127.0.0.1", port))
	data = b""
	while b"\n" not in data:
		try:
			chunk = s.recv(256)
		except (ConnectionResetError, socket.timeout):
			chunk = b""
		if not chunk:
			break
		data += chunk
	return data.split(b"\n", 1)[0], s


def probe(port, src="127.0.0.1"):
	"""One connection that closes without authenticating: True when
	seshd answered with its banner, False when it refused."""
	line, s = banner(port, src)
	s.close()
	if line.startswith(b"SSH-2.0-"):
		return True
	assert line in (REFUSED + b"\r", REFUSED, b""), line
	return False


def noauth_connection(d, src="127.0.0.1"):
	"""A connection that reads the banner and hangs up (noauth)."""
	assert probe(d.port, src), d.log_text()


def wait_penalty(d, count=1, timeout=10):
	"""Waits until the listener logged count penalties (LogLevel
	VERBOSE): the child must have been reaped first."""
	deadline = time.monotonic() + timeout
	while True:
		n = len(re.findall(r"(active|deferred) penalty of", d.log_text()))
		if n >= count:
			return
		assert time.monotonic() < deadline, d.log_text()
		time.sleep(0.02)


def test_dump_keywords(sesh_bin, workdir):
	d = start_seshd(sesh_bin, workdir, [
		"PerSourcePenalties authfail:3s min:3s max:2m overflow:deny-all",
		"PerSourcePenaltyExemptList 10.0.0.0/8,!10.1.2.3",
		"PerSourceMaxStartups 4",
		"PerSourceNetBlockSize 24:64",
	])
	d.stop()
	r = subprocess.run([sesh_bin("seshd"), "-T", "-f", d.config],
			   capture_output=True, text=True, timeout=30)
	assert r.returncode == 0, r.stderr
	lines = r.stdout.splitlines()
	assert ("persourcepenalties crash:90 authfail:3 invaliduser:5 "
		"noauth:1 grace-exceeded:20 max:120 min:3 max-sources4:65536 "
		"max-sources6:65536 overflow:deny-all overflow6:deny-all") in lines
	assert "persourcepenaltyexemptlist 10.0.0.0/8,!10.1.2.3" in lines
	assert "persourcemaxstartups 4" in lines
	assert "persourcenetblocksize 24:64" in lines


def test_bad_values_rejected(sesh_bin, workdir):
	for line, msg in [
		("PerSourcePenalties authfail:soon", "invalid time value"),
		("PerSourcePenalties overflow:maybe", "unsupported overflow"),
		("PerSourcePenaltyExemptList 10.0.0.1/8", "bits set beyond"),
		("PerSourceMaxStartups 0", "too small"),
		("PerSourceNetBlockSize 33:128", "Invalid PerSourceNetBlockSize"),
	]:
		cfg = workdir / "bad_config"
		cfg.write_text(line + "\n")
		r = subprocess.run([sesh_bin("seshd"), "-t", "-f", str(cfg)],
				   capture_output=True, text=True, timeout=30)
		assert r.returncode == 255, (line, r.stderr)
		assert msg in r.stderr, (line, r.stderr)
		assert "line 1" in r.stderr


def test_noauth_penalty_refuses_then_expires(sesh_bin, workdir):
	d = start_seshd(sesh_bin, workdir, [
		"PerSourcePenalties noauth:3s min:3s",
		"LogLevel VERBOSE",
	])
	try:
		noauth_connection(d)
		wait_penalty(d)
		seen = time.monotonic()
		assert "127.0.0.1: active penalty of 3 seconds for " \
			"connections without attempting authentication" \
			in d.log_text()
		line, s = banner(d.port)
		s.close()
		assert line == REFUSED + b"\r", line
		d.wait_log(r"drop connection #\d+ from \[127\.0\.0\.1\]:\d+ on "
			   r"\[127\.0\.0\.1\]:%d penalty: connections without "
			   r"attempting authentication" % d.port)
		# Another source is not affected (netblocks are /32).
		assert probe(d.port, "127.0.0.2")
		# Accepted again once the 3 seconds are over.
		deadline = time.monotonic() + 15
		while not probe(d.port):
			assert time.monotonic() < deadline, d.log_text()
			time.sleep(0.2)
		assert time.monotonic() - seen > 1.5
	finally:
		d.stop()


def test_authfail_penalty(sesh_bin, workdir):
	paramiko = pytest.importorskip("paramiko")
	d = start_seshd(sesh_bin, workdir, [
		"PerSourcePenalties authfail:3s noauth:0 min:3s",
		"MaxAuthTries 1",
		"LogLevel VERBOSE",
	])
	try:
		sock = socket.create_connection(("127.0.0.1", d.port), 10)
		t = paramiko.Transport(sock)
		try:
			t.start_client(timeout=10)
			with pytest.raises(paramiko.SSHException):
				t.auth_password("no-such-user-penalty", "wrong")
		finally:
			t.close()
		wait_penalty(d)
		assert "active penalty of 3 seconds for failed " \
			"authentication" in d.log_text()
		assert not probe(d.port)
		d.wait_log("penalty: failed authentication")
		deadline = time.monotonic() + 15
		while not probe(d.port):
			assert time.monotonic() < deadline, d.log_text()
			time.sleep(0.2)
	finally:
		d.stop()


def test_netblock_groups_sources(sesh_bin, workdir):
	d = start_seshd(sesh_bin, workdir, [
		"PerSourcePenalties noauth:30s min:3s",
		"PerSourceNetBlockSize 24",
		"LogLevel VERBOSE",
	])
	try:
		noauth_connection(d, "127.0.0.1")
		wait_penalty(d)
		assert not probe(d.port, "127.0.0.2")  # same /24
		assert probe(d.port, "127.0.1.1")      # another /24
	finally:
		d.stop()


@pytest.mark.parametrize("lines", [
	["PerSourcePenalties noauth:3s min:3s",
	 "PerSourcePenaltyExemptList 10.9.9.9,127.0.0.0/24"],
	["PerSourcePenalties no"],
])
def test_exempt_or_disabled_not_refused(sesh_bin, workdir, lines):
	d = start_seshd(sesh_bin, workdir, lines + ["LogLevel VERBOSE"])
	try:
		for _ in range(3):
			noauth_connection(d)
			time.sleep(0.3)  # let the listener reap it
		assert "drop connection" not in d.log_text()
		assert "penalty of" not in d.log_text()
	finally:
		d.stop()


def test_default_penalties_catch_a_burst(sesh_bin, workdir):
	"""OpenSSH 9.8's defaults: noauth:1s, min:15s. Some fifteen quick
	connections that never authenticate get the source refused."""
	# "yes": the defaults (start_seshd turns penalties off otherwise)
	d = start_seshd(sesh_bin, workdir,
			["LogLevel VERBOSE", "PerSourcePenalties yes"])
	try:
		for n in range(1, 41):
			if not probe(d.port):
				break
			wait_penalty(d, n)
		else:
			pytest.fail("never refused:\n" + d.log_text())
		assert n >= 15, n
		d.wait_log("penalty: connections without attempting "
			   "authentication")
		assert re.search(r"127\.0\.0\.1: active penalty of 1[5-9] seconds",
				 d.log_text()), d.log_text()
	finally:
		d.stop()


def test_per_source_max_startups(sesh_bin, workdir):
	d = start_seshd(sesh_bin, workdir, [
		"PerSourceMaxStartups 1",
		"PerSourcePenalties no",
		"LoginGraceTime 30",
	])
	try:
		first, s1 = banner(d.port)
		assert first.startswith(b"SSH-2.0-"), first
		second, s2 = banner(d.port)
		s2.close()
		assert second in (REFUSED + b"\r", b""), second
		d.wait_log(r"drop connection #1 from \[127\.0\.0\.1\]:\d+ on "
			   r"\[127\.0\.0\.1\]:\d+ past PerSourceMaxStartups")
		# Another source still gets in.
		other, s3 = banner(d.port, "127.0.0.2")
		assert other.startswith(b"SSH-2.0-"), other
		s3.close()
		# Once the first connection's process is gone, a slot frees.
		s1.close()
		deadline = time.monotonic() + 10
		while not probe(d.port):
			assert time.monotonic() < deadline, d.log_text()
			time.sleep(0.05)
	finally:
		d.stop()


def test_per_source_max_startups_netblock(sesh_bin, workdir):
	d = start_seshd(sesh_bin, workdir, [
		"PerSourceMaxStartups 1",
		"PerSourceNetBlockSize 16:128",
		"PerSourcePenalties no",
		"LoginGraceTime 30",
	])
	try:
		first, s1 = banner(d.port, "127.0.5.5")
		assert first.startswith(b"SSH-2.0-"), first
		second, s2 = banner(d.port, "127.0.9.9")  # same /16
		s2.close()
		assert not second.startswith(b"SSH-2.0-"), second
		third, s3 = banner(d.port, "127.1.0.1")   # another /16
		assert third.startswith(b"SSH-2.0-"), third
		s3.close()
		s1.close()
	finally:
		d.stop()
