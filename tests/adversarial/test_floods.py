"""
Floods before and after authentication: memory of the connection
process stays bounded (VmRSS of seshd's processes, measured from
/proc; the seshd_mem fixture keeps ASan's quarantine small in a
sanitizer build so that freed memory does not count as growth), and
the connection still works afterwards. Every test ends with a normal
OpenSSH login.
"""

import time

import rawssh
from adv_util import assert_serves, max_conn_rss_kib
from rawssh import boolean, string, u8, u32

def test_ignore_flood_before_auth_keeps_memory_bounded(seshd_mem,
						       client_key):
	"""200k IGNOREs before KEXINIT (no strict KEX: allowed) and 100k
	after the exchange, before authentication: the exchange and the
	login still work and the connection process does not grow (kept
	IGNOREs would cost at least 300k * 40 bytes)."""
	d = seshd_mem
	c = rawssh.RawSSH(d.port, cipher="aes128-ctr")
	with c:
		c.send_ident()
		c.read_ident()
		base = max_conn_rss_kib(d)
		one = c.seal(u8(rawssh.IGNORE) + string(bytes(8)))
		c.send_raw(one * 200000)
		c.seq_out = (c.seq_out + 200000 - 1) & 0xffffffff
		c.send_kexinit(strict=False)
		c.recv_kexinit()
		c.send_ecdh_init()
		c.recv_ecdh_reply()
		c.recv_newkeys()
		c.send_newkeys()
		ign = u8(rawssh.IGNORE) + string(bytes(8))
		for _ in range(100):
			c.send_raw(b"".join(c.seal(ign) for _ in range(1000)))
		assert c.service_request() == "ssh-userauth"
		grown = max_conn_rss_kib(d) - base
		assert c.auth_publickey("root", client_key[0]) == \
			rawssh.USERAUTH_SUCCESS
	assert grown < 8192, f"grew by {grown} KiB"
	assert_serves(d, client_key[0])


def test_unread_channel_output_is_bounded(seshd_mem, client_key):
	"""A command that writes without end to a client that opened a
	4 GiB window and reads nothing: the server stops reading the
	command once its queue is full, memory stays bounded."""
	d = seshd_mem
	c = rawssh.RawSSH(d.port, cipher="aes128-ctr", rcvbuf=4096)
	with c:
		c.handshake()
		c.service_request()
		assert c.auth_publickey("root", client_key[0]) == \
			rawssh.USERAUTH_SUCCESS
		peer, _w, _m = c.open_session(window=0xfffffff0,
					      max_packet=32768)
		base = max_conn_rss_kib(d)
		c.send_packet(u8(rawssh.CHANNEL_REQUEST) + u32(peer) +
			      string("exec") + boolean(False) +
			      string("exec cat /dev/zero"))
		peak = base
		deadline = time.monotonic() + 2
		while time.monotonic() < deadline:
			peak = max(peak, max_conn_rss_kib(d))
			time.sleep(0.05)
		# the command did run: its zeros are waiting for us
		p = c.recv_msg(skip=(rawssh.IGNORE, rawssh.DEBUG,
				     rawssh.EXT_INFO, rawssh.GLOBAL_REQUEST,
				     rawssh.CHANNEL_WINDOW_ADJUST))
		assert p[0] == rawssh.CHANNEL_DATA, p[0]
		assert p[9:9 + 16] == bytes(16)
	assert peak - base < 16 * 1024, f"grew from {base} to {peak} KiB"
	assert_serves(d, client_key[0])


def test_channel_open_flood_is_capped(seshd_mem, client_key):
	"""3000 session opens in one burst: at most MaxSessions (10 by
	default) are confirmed, the others refused (or the client
	dropped); memory stays bounded."""
	d = seshd_mem
	c = rawssh.RawSSH(d.port, cipher="aes128-ctr")
	with c:
		c.handshake()
		c.service_request()
		assert c.auth_publickey("root", client_key[0]) == \
			rawssh.USERAUTH_SUCCESS
		base = max_conn_rss_kib(d)
		c.send_raw(b"".join(c.seal(rawssh.channel_open_payload(
			our_id=i)) for i in range(3000)))
		confirmed = refused = 0
		while confirmed + refused < 3000:
			try:
				p = c.recv_msg(skip=(rawssh.IGNORE, rawssh.DEBUG,
						     rawssh.EXT_INFO,
						     rawssh.GLOBAL_REQUEST))
			except rawssh.ConnClosed:
				break
			if p[0] == rawssh.CHANNEL_OPEN_CONFIRMATION:
				confirmed += 1
			elif p[0] == rawssh.CHANNEL_OPEN_FAILURE:
				refused += 1
			else:
				assert p[0] == rawssh.DISCONNECT, p[0]
		grown = max_conn_rss_kib(d) - base
	assert confirmed <= 10, confirmed
	assert grown < 8192, f"grew by {grown} KiB"
	assert_serves(d, client_key[0])


def test_ignore_flood_during_rekey_is_bounded(seshd_mem, client_key):
	"""After authentication the client starts a key re-exchange, never
	finishes it, and sends 100k IGNOREs (transport messages: allowed
	during an exchange): the connection process does not grow; then a
	global request in the middle of the exchange (RFC 4253 7.1: only
	transport messages until NEWKEYS) ends the connection; the daemon
	serves the next login."""
	d = seshd_mem
	c = rawssh.RawSSH(d.port, cipher="aes128-ctr")
	with c:
		c.handshake()
		c.service_request()
		assert c.auth_publickey("root", client_key[0]) == \
			rawssh.USERAUTH_SUCCESS
		base = max_conn_rss_kib(d)
		c.send_packet(rawssh.build_kexinit(strict=False,
						   ciphers=["aes128-ctr"],
						   macs=["hmac-sha2-256"]))
		ign = u8(rawssh.IGNORE) + string(bytes(8))
		for _ in range(100):
			c.send_raw(b"".join(c.seal(ign) for _ in range(1000)))
		time.sleep(0.3)
		grown = max_conn_rss_kib(d) - base
		c.send_packet(u8(rawssh.GLOBAL_REQUEST) + string("ping@x") +
			      boolean(True))
		res = c.wait_closed(10)
		assert res.closed, res
	assert grown < 8192, f"grew by {grown} KiB"
	assert_serves(d, client_key[0])
