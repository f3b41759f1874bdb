"""
Strict KEX (OpenSSH PROTOCOL "kex-strict", the Terrapin counter-measure)
as seshd must enforce it on a client that offers
kex-strict-c-v00@openssh.com: during the first key exchange only KEX
messages are allowed (an IGNORE, DEBUG, UNIMPLEMENTED or unknown
message anywhere, a repeated KEXINIT or ECDH_INIT, a NEWKEYS out of
turn, a first packet that is not KEXINIT: disconnect), and both
sequence numbers restart at 0 after each NEWKEYS. Without strict KEX
the same IGNORE/DEBUG are tolerated and the numbers run on.

The raw client's cipher (chacha20-poly1305) takes the sequence number
as its nonce, so a side that does not restart its numbers fails the
other side's Poly1305 check: that is how the restart is proved.
Every test ends with a normal OpenSSH login to the same daemon.
"""

import pytest

import rawssh
from adv_util import (DROP_TIMEOUT, assert_dropped, assert_serves, connect,
		      kexed)
from rawssh import string, u8, u32

INJECT = {
	"ignore": u8(rawssh.IGNORE) + string("terrapin"),
	"debug": u8(rawssh.DEBUG) + b"\x01" + string("hi") + string(""),
	"unimplemented": u8(rawssh.UNIMPLEMENTED) + u32(1),
	"unknown-15": u8(15) + b"x" * 8,
	"unknown-200": u8(200) + b"x" * 8,
}

# Where, in the client's half of the first exchange, the packet goes.
POSITIONS = ("before_kexinit", "after_kexinit", "after_ecdh_init",
	     "before_newkeys")


def kex_with_injection(c, payload, where, strict):
	"""Runs the first exchange on c with payload injected at where
	(KEX finished when the server went along)."""
	c.send_ident()
	c.read_ident()
	if where == "before_kexinit":
		c.send_packet(payload)
	c.send_kexinit(strict=strict)
	if where == "after_kexinit":
		c.send_packet(payload)
	c.recv_kexinit()
	c.send_ecdh_init()
	if where == "after_ecdh_init":
		c.send_packet(payload)
	c.recv_ecdh_reply()
	c.recv_newkeys()
	if where == "before_newkeys":
		c.send_packet(payload)
	c.send_newkeys()


def drop_during_kex(d, payload, where):
	"""None when the server refused the injection, else what it did."""
	c = connect(d)
	try:
		kex_with_injection(c, payload, where, strict=True)
	except (rawssh.ConnClosed, rawssh.ProtocolError, OSError):
		c.close()
		return None  # refused part-way: good
	# The exchange looked complete from here: the server must not
	# go on with the connection.
	try:
		c.send_packet(u8(rawssh.SERVICE_REQUEST) +
			      string("ssh-userauth"))
	except OSError:
		c.close()
		return None
	try:
		res = c.wait_closed(DROP_TIMEOUT)
	finally:
		c.close()
	if not res.closed or rawssh.SERVICE_ACCEPT in res.msgs:
		return f"KEX completed and connection kept: {res!r}"
	return None


@pytest.mark.parametrize("what", sorted(INJECT))
def test_strict_kex_refuses_injected_message(seshd_adv, client_key, what):
	bad = {}
	for where in POSITIONS:
		r = drop_during_kex(seshd_adv, INJECT[what], where)
		if r is not None:
			bad[where] = r
	assert not bad, f"{what} accepted during strict KEX: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_without_strict_kex_ignore_and_debug_are_tolerated(seshd_adv,
							   client_key):
	for where in POSITIONS:
		for what in ("ignore", "debug"):
			with connect(seshd_adv) as c:
				kex_with_injection(c, INJECT[what], where,
						   strict=False)
				assert not c.strict
				assert c.service_request() == "ssh-userauth"
				assert c.auth_publickey(
					"root", client_key[0]) == \
					rawssh.USERAUTH_SUCCESS, (what, where)


def test_repeated_kexinit_is_refused(seshd_adv, client_key):
	c = connect(seshd_adv)
	c.send_ident()
	c.read_ident()
	c.send_kexinit()
	c.recv_kexinit()
	c.send_kexinit()
	assert_dropped(c, "second KEXINIT during the first exchange")
	assert_serves(seshd_adv, client_key[0])


def test_repeated_ecdh_init_is_refused(seshd_adv, client_key):
	c = connect(seshd_adv)
	c.send_ident()
	c.read_ident()
	c.send_kexinit()
	c.recv_kexinit()
	c.send_ecdh_init()
	c.send_ecdh_init()
	res = assert_dropped(c, "second KEX_ECDH_INIT")
	assert res.msgs.count(rawssh.KEX_ECDH_REPLY) <= 1, res
	assert_serves(seshd_adv, client_key[0])


def test_newkeys_before_the_exchange_is_refused(seshd_adv, client_key):
	c = connect(seshd_adv)
	c.send_ident()
	c.read_ident()
	c.send_kexinit()
	c.recv_kexinit()
	c.send_packet(u8(rawssh.NEWKEYS))
	assert_dropped(c, "NEWKEYS before KEX_ECDH_INIT")
	assert_serves(seshd_adv, client_key[0])


def test_ecdh_reply_from_client_is_refused(seshd_adv, client_key):
	c = connect(seshd_adv)
	c.send_ident()
	c.read_ident()
	c.send_kexinit()
	c.recv_kexinit()
	c.send_packet(u8(rawssh.KEX_ECDH_REPLY) + string(b"k") +
		      string(bytes(32)) + string(b"s"))
	res = assert_dropped(c, "KEX_ECDH_REPLY sent by the client")
	assert rawssh.KEX_ECDH_REPLY not in res.msgs, res
	assert_serves(seshd_adv, client_key[0])


def test_first_packet_not_kexinit_is_refused(seshd_adv, client_key):
	payloads = {
		"service_request": u8(rawssh.SERVICE_REQUEST) +
		string("ssh-userauth"),
		"userauth_request": u8(rawssh.USERAUTH_REQUEST) +
		string("root") + string("ssh-connection") + string("none"),
		"channel_open": rawssh.channel_open_payload(),
		"newkeys": u8(rawssh.NEWKEYS),
		"ecdh_init": None,
	}
	bad = {}
	for first, p in payloads.items():
		c = connect(seshd_adv)
		c.send_ident()
		c.read_ident()
		c.send_packet(p if p is not None else c.ecdh_init_payload())
		c.send_kexinit()
		try:
			c.recv_kexinit()
			c.send_ecdh_init()
			c.recv_ecdh_reply()
			c.recv_newkeys()
			c.send_newkeys()
			c.send_packet(u8(rawssh.SERVICE_REQUEST) +
				      string("ssh-userauth"))
		except (rawssh.ConnClosed, rawssh.ProtocolError, OSError):
			c.close()
			continue
		try:
			res = c.wait_closed(DROP_TIMEOUT)
		finally:
			c.close()
		if not res.closed or rawssh.SERVICE_ACCEPT in res.msgs:
			bad[first] = res
	assert not bad, f"first packet not KEXINIT accepted: {bad}"
	assert_serves(seshd_adv, client_key[0])


# ---- sequence numbers at NEWKEYS ----

def test_strict_kex_resets_sequence_numbers(seshd_adv, client_key):
	"""Both directions restart at 0: our first encrypted packet carries
	number 0 (else the server's Poly1305 check fails) and the server's
	first encrypted packet is number 0 (else ours fails)."""
	with kexed(seshd_adv, strict=True) as c:
		assert c.strict
		assert c.seq_out == 0 and c.seq_in == 0
		assert c.service_request() == "ssh-userauth"
		assert c.auth_publickey("root", client_key[0]) == \
			rawssh.USERAUTH_SUCCESS


def test_strict_kex_client_not_resetting_is_dropped(seshd_adv, client_key):
	c = connect(seshd_adv)
	c.reset_seq_out = False
	c.handshake(strict=True)
	assert c.strict and c.seq_out == 3  # KEXINIT, ECDH_INIT, NEWKEYS
	c.send_packet(u8(rawssh.SERVICE_REQUEST) + string("ssh-userauth"))
	res = assert_dropped(c, "client kept its sequence number after "
			     "NEWKEYS under strict KEX")
	assert rawssh.SERVICE_ACCEPT not in res.msgs, res
	assert_serves(seshd_adv, client_key[0])


def test_strict_kex_server_resets_its_own_numbers(seshd_adv, client_key):
	"""A client that keeps its receiving number cannot read the
	server's first encrypted packet: the server did restart."""
	c = connect(seshd_adv)
	c.reset_seq_in = False
	c.handshake(strict=True)
	with c:
		c.send_packet(u8(rawssh.SERVICE_REQUEST) +
			      string("ssh-userauth"))
		with pytest.raises(rawssh.ProtocolError):
			c.recv_packet()


def test_without_strict_kex_numbers_run_on(seshd_adv, client_key):
	with kexed(seshd_adv, strict=False) as c:
		assert not c.strict
		assert c.seq_out == 3 and c.seq_in == 3
		assert c.service_request() == "ssh-userauth"
	# and a client that restarts them anyway is dropped
	c = connect(seshd_adv)
	c.reset_seq_out = True
	c.reset_seq_in = True
	c.handshake(strict=False)
	c.send_packet(u8(rawssh.SERVICE_REQUEST) + string("ssh-userauth"))
	res = assert_dropped(c, "sequence number reset without strict KEX")
	assert rawssh.SERVICE_ACCEPT not in res.msgs, res
	assert_serves(seshd_adv, client_key[0])
