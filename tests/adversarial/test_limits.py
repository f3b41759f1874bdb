"""
seshd's bounds on what a client sends: packet_length over 256 KiB (or
too small, or unaligned), identification lines (over 255 bytes, not
starting with SSH-, binary, endless), KEXINIT name-lists over the
limit, garbage and flipped bytes (an AEAD failure), a silent or stalled
client (LoginGraceTime), authentication attempts (MaxAuthTries, for
each method and across user names, and set by a Match block for the
user, with and without the monitor), channel abuse after
authentication (window overrun, unknown channel numbers, data after
close). Each is a disconnect, in time; every test ends with a normal
OpenSSH login. Floods (memory) are in test_floods.py.
"""

import os
import pwd
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import \
	Ed25519PrivateKey

import adv_util
import rawssh
from adv_util import (BASE_CONFIG, DROP_TIMEOUT, assert_no_crash,
		      assert_serves, authed, connect, kexed)
from rawssh import boolean, string, u8, u32
from seshd_util import start_seshd


def idented(d):
	c = connect(d)
	c.send_ident()
	c.read_ident()
	return c


def closed_after(c, data=None, timeout=DROP_TIMEOUT):
	"""Sends data (raw bytes) and waits for the close; the Closed, or
	a closed one when the server closed while we were sending."""
	try:
		if data:
			c.send_raw(data)
		return c.wait_closed(timeout)
	except OSError:
		return rawssh.Closed(True, None, [], "send failed")
	finally:
		c.close()


# ---- binary packets ----

@pytest.mark.parametrize("phase", ["plaintext", "encrypted"])
def test_packet_length_over_limit(seshd_adv, client_key, phase):
	"""The length alone is refused: no waiting for a body."""
	bad = {}
	for length in (256 * 1024 + 1, 1 << 20, 0x7fffffff, 0xffffffff):
		c = idented(seshd_adv) if phase == "plaintext" else \
			kexed(seshd_adv)
		try:
			c.send_packet_len(length, bytes(64))
		except OSError:
			c.close()
			continue
		res = closed_after(c)
		if not res.closed:
			bad[length] = res
	assert not bad, f"oversized packet_length not refused: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_packet_length_too_small_or_unaligned(seshd_adv, client_key):
	bad = {}
	for length in (0, 1, 4, 13, 17):
		c = idented(seshd_adv)
		try:
			c.send_packet_len(length, bytes(64))
		except OSError:
			c.close()
			continue
		res = closed_after(c)
		if not res.closed:
			bad[length] = res
	assert not bad, f"bad packet_length not refused: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_padding_longer_than_packet(seshd_adv, client_key):
	c = idented(seshd_adv)
	# packet_length 12, padding_length 200
	res = closed_after(c, u32(12) + u8(200) + bytes(11))
	assert res.closed, res
	assert_serves(seshd_adv, client_key[0])


# ---- identification ----

IDENT_ATTACKS = {
	"long_line": b"SSH-2.0-" + b"A" * 300 + b"\r\n",
	"long_unterminated": b"SSH-2.0-" + b"A" * 4096,
	"pre_banner_line": b"hello there\r\nSSH-2.0-x\r\n",
	"many_pre_banner_lines": b"x\r\n" * 2000 + b"SSH-2.0-x\r\n",
	"endless_line": b"x" * (1 << 20),
	"nul_in_version": b"SSH-2.0-a\x00b\r\n",
	"binary_version": b"SSH-2.0-\xff\xfe\x01\r\n",
	"ssh1": b"SSH-1.5-old\r\n",
	"http": b"GET / HTTP/1.0\r\n\r\n",
	"empty_lines": b"\r\n" * 5000,
}


def test_bad_identification_is_refused(seshd_adv, client_key):
	def one(name):
		c = connect(seshd_adv)
		c.read_ident()
		t = time.monotonic()
		res = closed_after(c, IDENT_ATTACKS[name])
		return name, res, time.monotonic() - t

	with ThreadPoolExecutor(4) as ex:
		results = list(ex.map(one, sorted(IDENT_ATTACKS)))
	bad = {n: r for n, r, _ in results if not r.closed}
	assert not bad, f"bad identification kept: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_identification_of_255_bytes_is_fine(seshd_adv, client_key):
	"""The limit is RFC 4253's 255 bytes with CR LF, not less."""
	line = b"SSH-2.0-" + b"v" * (255 - 2 - 8)
	c = connect(seshd_adv)
	with c:
		c.send_ident(line)
		c.read_ident()
		c.send_kexinit()
		c.recv_kexinit()
		c.send_ecdh_init()
		c.recv_ecdh_reply()
		c.recv_newkeys()
		c.send_newkeys()
		assert c.service_request() == "ssh-userauth"
	assert_serves(seshd_adv, client_key[0])


# ---- KEXINIT ----

def test_overlong_name_list_is_refused(seshd_adv, client_key):
	bad = {}
	cases = {
		"kex_20k": dict(extra_kex=["x%05d@example.com" % i
					   for i in range(1200)]),
		"cipher_100k": dict(ciphers=["c%06d" % i
					     for i in range(14000)] +
				    [rawssh.CHACHA]),
		"one_long_name": dict(extra_kex=["n" * 20000]),
	}
	for name, kw in cases.items():
		c = idented(seshd_adv)
		try:
			c.send_kexinit(**kw)
			c.recv_kexinit()
			c.send_ecdh_init()
			c.recv_ecdh_reply()
		except (rawssh.ConnClosed, rawssh.ProtocolError, OSError):
			c.close()
			continue
		res = closed_after(c)
		if not res.closed:
			bad[name] = res
	assert not bad, f"over-long name-list accepted: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_kexinit_without_common_algorithm_is_refused(seshd_adv,
						     client_key):
	c = idented(seshd_adv)
	c.send_kexinit(kex=["nope-kex@example.com"])
	res = closed_after(c)
	assert res.closed, res
	assert_serves(seshd_adv, client_key[0])


def test_truncated_kexinit_is_refused(seshd_adv, client_key):
	full = rawssh.build_kexinit()
	bad = []
	for cut in (1, 17, 21, len(full) // 2, len(full) - 5):
		c = idented(seshd_adv)
		c.send_packet(full[:cut])
		res = closed_after(c)
		if not res.closed:
			bad.append(cut)
	assert not bad, f"truncated KEXINIT accepted at {bad}"
	assert_serves(seshd_adv, client_key[0])


# ---- garbage and flipped bytes ----

def test_garbage_is_refused(seshd_adv, client_key):
	bad = {}
	for when in ("instead_of_ident", "after_ident", "after_kex"):
		c = connect(seshd_adv)
		if when == "instead_of_ident":
			c.read_ident()
		elif when == "after_ident":
			c.send_ident()
			c.read_ident()
		else:
			c.close()
			c = kexed(seshd_adv)
		res = closed_after(c, os.urandom(300 * 1024))
		if not res.closed:
			bad[when] = res
	assert not bad, f"garbage accepted: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_flipped_byte_is_an_authentication_failure(seshd_adv, client_key):
	"""A MITM flips one bit of one encrypted packet (length field,
	body or tag): the server drops the connection and never acts on
	the packet. Filler follows so that a flipped length cannot make
	the server wait for a body."""
	payload = u8(rawssh.SERVICE_REQUEST) + string("ssh-userauth")

	def one(pos):
		c = kexed(seshd_adv)
		wire = bytearray(c.seal(payload))
		wire[pos % len(wire)] ^= 0x01 << (pos % 8)
		res = closed_after(c, bytes(wire) + bytes(300 * 1024))
		return pos, res

	n = len(kexed_len(seshd_adv, payload))
	with ThreadPoolExecutor(8) as ex:
		results = list(ex.map(one, range(n)))
	bad = {p: r for p, r in results
	       if not r.closed or rawssh.SERVICE_ACCEPT in r.msgs}
	assert not bad, f"flipped byte not refused at: {bad}"
	assert_serves(seshd_adv, client_key[0])


def kexed_len(d, payload):
	with kexed(d) as c:
		return c.seal(payload)


# ---- LoginGraceTime ----

def test_login_grace_time_drops_silent_and_stalled_clients(sesh_bin,
							   client_key,
							   tmp_path):
	if os.geteuid() != 0:
		pytest.skip("logs in as root: needs root")
	with adv_util.start_adv_seshd(sesh_bin, tmp_path, client_key,
				      extra=["LoginGraceTime 2"]) as d:
		t0 = time.monotonic()
		silent = connect(d)  # not even an identification
		ident_only = connect(d)
		ident_only.send_ident()
		after_kex = kexed(d)  # then nothing
		after_service = kexed(d)
		after_service.service_request()
		clients = {"silent": silent, "ident_only": ident_only,
			   "after_kex": after_kex,
			   "after_service": after_service}
		took = {}
		for name, c in clients.items():
			res = closed_after(c, timeout=8)
			took[name] = (res.closed, time.monotonic() - t0)
		for name, (closed, t) in took.items():
			assert closed, f"{name}: kept past LoginGraceTime 2"
			assert 1.5 <= t <= 7, f"{name}: dropped after {t:.2f} s"
		d.wait_log("Timeout before authentication")
		assert_serves(d, client_key[0])


# ---- MaxAuthTries ----

def _count_failures(c, attempt, limit=12):
	"""Calls attempt(c, i) until the server closes; the number of
	USERAUTH_FAILURE answers, or None if still open after limit."""
	failures = 0
	for i in range(limit):
		try:
			got = attempt(c, i)
		except (rawssh.ConnClosed, OSError):
			return failures
		if got == rawssh.DISCONNECT:
			return failures
		assert got == rawssh.USERAUTH_FAILURE, got
		failures += 1
	return None


def test_max_auth_tries_for_each_method(seshd_adv, client_key):
	other = Ed25519PrivateKey.generate()
	attempts = {
		"publickey": lambda c, i: c.auth_publickey("root", other),
		"password": lambda c, i: c.auth_password("root",
							 f"wrong-{i}"),
		"mixed": lambda c, i: (c.auth_publickey("root", other)
				       if i % 2 else
				       c.auth_password("root", f"w{i}")),
	}
	bad = {}
	for name, attempt in attempts.items():
		with kexed(seshd_adv) as c:
			c.service_request()
			n = _count_failures(c, attempt)
			if n is None or n > 3:
				bad[name] = n
	assert not bad, f"MaxAuthTries 3 not honoured (failures): {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_max_auth_tries_across_user_names(seshd_adv, client_key):
	"""Changing the user name does not restart the count."""
	other = Ed25519PrivateKey.generate()
	with kexed(seshd_adv) as c:
		c.service_request()
		n = _count_failures(c, lambda c, i: c.auth_publickey(
			"root" if i % 2 else f"nobody{i}", other))
	assert n is not None and n <= 3, n
	assert_serves(seshd_adv, client_key[0])


# MaxAuthTries in a Match block applies once the user is known (as in
# sshd), in the monitor and the sandboxed child alike, and without a
# monitor (-d). (global, Match User root value, user, limit)
MATCH_CASES = [(6, 2, "root", 2), (6, 2, "nobody", 6), (2, 5, "root", 5)]


def _password_failures(c, user, limit=12):
	"""Wrong passwords until the server disconnects: the FAILURE
	replies before it and the DISCONNECT payload."""
	for i in range(limit):
		c.send_packet(u8(rawssh.USERAUTH_REQUEST) + string(user) +
			      string("ssh-connection") + string("password") +
			      boolean(False) + string(f"wrong-{i}"))
		p = c.recv_msg(skip=(rawssh.IGNORE, rawssh.DEBUG,
				     rawssh.EXT_INFO, rawssh.USERAUTH_BANNER))
		if p[0] == rawssh.DISCONNECT:
			return i, p
		assert p[0] == rawssh.USERAUTH_FAILURE, p[0]
	return None, None


@pytest.mark.parametrize("mode", ["monitor", "debug"])
def test_max_auth_tries_in_match_block(sesh_bin, client_key, tmp_path,
				       mode):
	if os.geteuid() != 0:
		pytest.skip("the monitor and Match User root: needs root")
	try:
		pwd.getpwnam("nobody")  # a valid user Match does not name
	except KeyError:
		pytest.skip("no user nobody")
	args = ["-d"] if mode == "debug" else []
	for glob, match, user, limit in MATCH_CASES:
		# the first MaxAuthTries wins over BASE_CONFIG's
		lines = [f"MaxAuthTries {glob}"] + BASE_CONFIG + \
			["Match User root", f"MaxAuthTries {match}"]
		d = start_seshd(sesh_bin, tmp_path, lines,
				user_keys=[client_key[1]], args=args)
		try:
			with kexed(d) as c:
				c.service_request()
				n, disc = _password_failures(c, user)
			what = f"{mode}, {user}, {glob} then Match {match}"
			assert n is not None, f"{what}: never disconnected"
			# the attempt that reaches the limit gets no FAILURE
			assert n == limit - 1, f"{what}: {n} failures"
			r = rawssh.Reader(disc[1:])
			assert r.u32() == 14, what  # no more auth methods
			assert r.text() == "Too many authentication failures"
			d.wait_log("Too many authentication failures")
			assert "monitor: refused" not in d.log_text(), \
				d.log_text()
			assert_no_crash(d)
		finally:
			d.stop()


# ---- channels after authentication ----

def _window_adjust_total(res, chan):
	total = 0
	for p in res.payloads:
		if p[0] == rawssh.CHANNEL_WINDOW_ADJUST:
			r = rawssh.Reader(p[1:])
			if r.u32() == chan:
				total += r.u32()
	return total


def test_window_overrun_disconnects(seshd_adv, client_key):
	c = authed(seshd_adv, client_key[0])
	peer, window, maxpkt = c.open_session(our_id=0)
	chunk = min(maxpkt, 32768) - 64
	target = window + window // 2 + chunk
	sent = 0
	try:
		while sent < target:
			c.send_packet(u8(rawssh.CHANNEL_DATA) + u32(peer) +
				      string(bytes(chunk)))
			sent += chunk
	except OSError:
		pass
	res = closed_after(c)
	adjusted = _window_adjust_total(res, 0)
	# (sending stops early when the server closes at the overrun)
	assert sent > window + adjusted, (
		"inconclusive: the server opened the window as we sent",
		sent, window, adjusted)
	assert res.closed, (f"{sent} bytes into a window of {window}"
			    f" (+{adjusted}) and still connected: {res!r}")
	assert_serves(seshd_adv, client_key[0])


def test_unknown_channel_numbers_disconnect(seshd_adv, client_key):
	bad = {}
	for chan in (1, 7777, 0x7fffffff, 0xffffffff):
		for name, body in (
			("data", u8(rawssh.CHANNEL_DATA) + u32(chan) +
			 string("x")),
			("adjust", u8(rawssh.CHANNEL_WINDOW_ADJUST) + u32(chan) +
			 u32(1000)),
			("request", u8(rawssh.CHANNEL_REQUEST) + u32(chan) +
			 string("exec") + boolean(True) + string("id")),
			("close", u8(rawssh.CHANNEL_CLOSE) + u32(chan)),
		):
			c = authed(seshd_adv, client_key[0])
			c.open_session(our_id=0)  # the server's id is not chan
			res = closed_after(c, c.seal(body))
			if not res.closed or rawssh.CHANNEL_SUCCESS in res.msgs:
				bad[(name, chan)] = res
	assert not bad, f"messages for unknown channels accepted: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_data_after_close_disconnects(seshd_adv, client_key):
	c = authed(seshd_adv, client_key[0])
	peer, _w, _m = c.open_session(our_id=0)
	c.send_packet(u8(rawssh.CHANNEL_CLOSE) + u32(peer))
	p = c.recv_msg(skip=(rawssh.IGNORE, rawssh.DEBUG, rawssh.EXT_INFO,
			     rawssh.GLOBAL_REQUEST, rawssh.CHANNEL_EOF,
			     rawssh.CHANNEL_REQUEST))
	assert p[0] == rawssh.CHANNEL_CLOSE, p[0]
	res = closed_after(c, c.seal(u8(rawssh.CHANNEL_DATA) + u32(peer) +
				     string("late")))
	assert res.closed, res
	assert_serves(seshd_adv, client_key[0])

