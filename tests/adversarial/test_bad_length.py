"""
Bad-length and bad-MAC packets are indistinguishable to the sender
(issue 7), against seshd and against Debian's OpenSSH sshd.

aes128-ctr with hmac-sha2-256 (not EtM): the receiver decrypts
packet_length before it can check the MAC, so a sender who flips
length bits could learn about the plaintext from how the receiver
reacts. seshd treats every bad packet in such a mode (length out of
range, bad MAC) as one of the largest length, and only once all of
it has arrived fails, with the same error and DISCONNECT as a bad
MAC (src/ssh/packet.c, PKT_DISCARD_LEN); sshd closes both at once
(cipher not CBC). Either way the two must look the same: closed or
not after the same number of bytes, with the same DISCONNECT.

Was tests/adversarial/test_known_bugs.py's known bug "bad length vs
bad MAC" (reason 2 "length exceeds limit", at once, against reason 5
after the whole packet).
"""

import pytest

import adv_util
import rawssh
from adv_util import assert_serves
from rawssh import string, u8


@pytest.fixture(params=["seshd", "openssh"])
def server(request):
	return request.getfixturevalue("seshd_adv" if request.param == "seshd"
				       else "openssh_sshd")


def _send_bad(d, bad, more):
	"""A bad packet (bad: 'length', over the limit, or 'mac'), then
	more zero bytes; a connection and whether it closed within 1 s."""
	c = rawssh.RawSSH(d.port, cipher="aes128-ctr", mac="hmac-sha2-256")
	c.handshake()
	if bad == "length":
		c.send_packet_len(0x7fff0000, bytes(60))
	else:
		wire = bytearray(c.seal(u8(rawssh.IGNORE) + string(bytes(20))))
		wire[-1] ^= 1
		c.send_raw(bytes(wire))
	try:
		if more:
			c.send_raw(bytes(more))
		early = c.wait_closed(1.0)
	except OSError:
		early = rawssh.Closed(True, None, [], "send failed")
	return c, early


def _outcome(d, bad, more):
	"""(closed after the bad packet + more bytes, DISCONNECT once
	closed after 300 KiB of filler at most)."""
	c, early = _send_bad(d, bad, more)
	res = early
	if not early.closed:
		try:
			c.send_raw(bytes(300 * 1024))
			res = c.wait_closed(adv_util.DROP_TIMEOUT)
		except OSError:
			res = rawssh.Closed(True, None, [], "send failed")
	c.close()
	assert res.closed, f"bad {bad}: still open after 300 KiB: {res}"
	return early.closed, res.disconnect


@pytest.mark.parametrize("more", [0, 128 * 1024])
def test_bad_length_and_bad_mac_look_the_same(server, client_key, more):
	"""The same reaction at the same byte count: after the packet
	alone, and after 128 KiB more (less than the largest packet)."""
	d = server
	by_len = _outcome(d, "length", more)
	by_mac = _outcome(d, "mac", more)
	assert by_len == by_mac, (
		f"+{more} bytes: bad length: closed at once={by_len[0]} "
		f"{by_len[1]}; bad MAC: closed at once={by_mac[0]} {by_mac[1]}")
	assert_serves(d, client_key[0])
