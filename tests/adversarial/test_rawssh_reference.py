"""
The raw client (rawssh.py) against the reference, Debian's OpenSSH
sshd, so that a failing adversarial test points at seshd and not at
the client: a full login and a command with each cipher/MAC the tests
use, with and without strict KEX; and a few of the attacks, which
sshd refuses the way the tests expect of seshd (seshd is stricter on
connection messages before authentication: a disconnect where sshd
answers UNIMPLEMENTED). Then the same full login against seshd.
"""

import pytest

import rawssh
from adv_util import assert_serves, connect
from rawssh import string, u8

MODES = [("chacha20-poly1305@openssh.com", "hmac-sha2-256"),
	 ("aes128-ctr", "hmac-sha2-256"),
	 ("aes128-ctr", "hmac-sha2-256-etm@openssh.com")]


@pytest.fixture
def sshd(openssh_sshd):
	return openssh_sshd


def full_login(port, key, cipher, mac, strict):
	with rawssh.RawSSH(port, cipher=cipher, mac=mac) as c:
		c.handshake(strict=strict)
		assert c.strict == strict
		assert c.service_request() == "ssh-userauth"
		assert c.auth_publickey("root", key) == rawssh.USERAUTH_SUCCESS
		out, status = c.run_command("echo raw-$((6*7))")
		assert (out, status) == (b"raw-42\n", 0)


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("cipher,mac", MODES)
def test_rawssh_logs_in_to_openssh(sshd, client_key, cipher, mac, strict):
	full_login(sshd.port, client_key[0], cipher, mac, strict)


def test_openssh_refuses_what_the_tests_refuse(sshd, client_key):
	# IGNORE during a strict first exchange
	c = connect(sshd)
	c.send_ident()
	c.read_ident()
	c.send_kexinit()
	c.send_packet(u8(rawssh.IGNORE) + string("x"))
	res = c.wait_closed(10)
	c.close()
	assert res.closed, res
	# a client that keeps its sequence number under strict KEX
	c = connect(sshd)
	c.reset_seq_out = False
	c.handshake()
	c.send_packet(u8(rawssh.SERVICE_REQUEST) + string("ssh-userauth"))
	res = c.wait_closed(10)
	c.close()
	assert res.closed and rawssh.SERVICE_ACCEPT not in res.msgs, res
	# a channel before authentication: sshd refuses it (UNIMPLEMENTED;
	# seshd is stricter and disconnects)
	c = connect(sshd)
	c.handshake()
	c.service_request()
	c.send_packet(rawssh.channel_open_payload())
	try:
		got = c.recv_msg()[0]
	except rawssh.ConnClosed:
		got = rawssh.DISCONNECT
	c.close()
	assert got in (rawssh.UNIMPLEMENTED, rawssh.DISCONNECT), got
	full_login(sshd.port, client_key[0], *MODES[0], True)


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("cipher,mac", MODES)
def test_rawssh_logs_in_to_seshd(seshd_adv, client_key, cipher, mac,
				 strict):
	full_login(seshd_adv.port, client_key[0], cipher, mac, strict)


def test_seshd_still_serves(seshd_adv, client_key):
	assert_serves(seshd_adv, client_key[0])
