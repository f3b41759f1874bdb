"""
A burst of 50 bad connections at once (a mix of every kind of abuse in
this folder, in parallel threads) against one seshd: each is dropped,
no connection process is left behind, the listener keeps running and
then a normal OpenSSH login works; good raw logins made during the
burst work too.
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor

import adv_util
import rawssh
from adv_util import assert_serves, authed, connect, kexed
from rawssh import string, u8, u32


def _ident(d):
	c = connect(d)
	c.send_ident()
	c.read_ident()
	return c


def bad_garbage(d):
	c = connect(d)
	c.send_raw(os.urandom(4096))
	return c


def bad_prebanner(d):
	c = connect(d)
	c.send_raw(b"EHLO example.com\r\n" * 10)
	return c


def bad_long_ident(d):
	c = connect(d)
	c.send_raw(b"SSH-2.0-" + b"L" * 1000 + b"\r\n")
	return c


def bad_big_length(d):
	c = _ident(d)
	c.send_packet_len(1 << 24, bytes(64))
	return c


def bad_ignore_in_strict_kex(d):
	c = _ident(d)
	c.send_kexinit()
	c.send_packet(u8(rawssh.IGNORE) + string("x"))
	return c


def bad_double_kexinit(d):
	c = _ident(d)
	c.send_kexinit()
	c.send_kexinit()
	return c


def bad_no_seq_reset(d):
	c = connect(d)
	c.reset_seq_out = False
	c.handshake()
	c.send_packet(u8(rawssh.SERVICE_REQUEST) + string("ssh-userauth"))
	return c


def bad_channel_before_auth(d):
	c = kexed(d)
	c.service_request()
	c.send_packet(rawssh.channel_open_payload())
	return c


def bad_userauth_success(d):
	c = kexed(d)
	c.service_request()
	c.send_packet(u8(rawssh.USERAUTH_SUCCESS))
	return c


def bad_garbage_after_kex(d):
	c = kexed(d)
	c.send_raw(os.urandom(2048))
	return c


def bad_half_packet_then_close(d):
	c = _ident(d)
	c.send_raw(u32(1000) + bytes(20))
	c.close()
	return None  # nothing to wait for: we left


KINDS = [bad_garbage, bad_prebanner, bad_long_ident, bad_big_length,
	 bad_ignore_in_strict_kex, bad_double_kexinit, bad_no_seq_reset,
	 bad_channel_before_auth, bad_userauth_success, bad_garbage_after_kex,
	 bad_half_packet_then_close]


def children_of(pid):
	out = []
	for name in os.listdir("/proc"):
		if not name.isdigit():
			continue
		try:
			with open(f"/proc/{name}/stat") as f:
				stat = f.read()
		except OSError:
			continue
		fields = stat.rsplit(")", 1)[1].split()
		if int(fields[1]) == pid:
			out.append(int(name))
	return out


def test_burst_of_bad_connections_then_login(seshd_adv, client_key):
	d = seshd_adv

	def one(i):
		kind = KINDS[i % len(KINDS)]
		try:
			c = kind(d)
		except (rawssh.ConnClosed, rawssh.ProtocolError, OSError):
			return kind.__name__, True  # refused while we spoke
		if c is None:
			return kind.__name__, True
		try:
			res = c.wait_closed(adv_util.DROP_TIMEOUT)
		except OSError:
			return kind.__name__, True
		finally:
			c.close()
		return kind.__name__, res.closed

	def good(_):
		with authed(d, client_key[0]) as c:
			return c.open_session()[1] > 0

	with ThreadPoolExecutor(50) as ex:
		bad_f = [ex.submit(one, i) for i in range(50)]
		good_f = [ex.submit(good, i) for i in range(3)]
		results = [f.result() for f in bad_f]
		goods = [f.result() for f in good_f]
	kept = sorted({k for k, closed in results if not closed})
	assert not kept, f"bad connections not dropped: {kept}"
	assert all(goods)
	assert d.proc.poll() is None, d.log_text()
	# every bad connection's process ends (none left hanging)
	deadline = time.monotonic() + 15
	while children_of(d.proc.pid):
		assert time.monotonic() < deadline, (
			f"connection processes left: {children_of(d.proc.pid)}")
		time.sleep(0.05)
	assert_serves(d, client_key[0])
