"""
Before authentication seshd speaks only the transport and user
authentication protocols: a connection-protocol message (80-127) or
any higher number before USERAUTH_SUCCESS, and a message only a
server may send (SERVICE_ACCEPT, USERAUTH_FAILURE/SUCCESS/BANNER,
USERAUTH_PK_OK) disconnect the client, with no side effect (no
channel, no command run, no port forwarded). Odd user names
(format directives, binary, huge) are just names, and a missing user
gets the same answers as an existing one, in the same time (wrong
passwords).

Every test ends with a normal OpenSSH login to the same daemon.
"""

import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import \
	Ed25519PrivateKey

import rawssh
import seshd_server_util as su
from adv_util import (DROP_TIMEOUT, assert_dropped, assert_serves, kexed,
		      start_adv_seshd)
from rawssh import boolean, string, u8, u32
from seshd_util import free_port, listening_ports


def conn_payload(m):
	"""A well-formed message m (80-127 and beyond) as far as we know
	its layout, else the number and some bytes."""
	if m == rawssh.GLOBAL_REQUEST:
		return rawssh.global_request_payload()
	if m == rawssh.CHANNEL_OPEN:
		return rawssh.channel_open_payload()
	if m == rawssh.CHANNEL_OPEN_CONFIRMATION:
		return u8(m) + u32(0) + u32(0) + u32(65536) + u32(32768)
	if m == rawssh.CHANNEL_OPEN_FAILURE:
		return u8(m) + u32(0) + u32(1) + string("no") + string("")
	if m == rawssh.CHANNEL_WINDOW_ADJUST:
		return u8(m) + u32(0) + u32(65536)
	if m == rawssh.CHANNEL_DATA:
		return u8(m) + u32(0) + string("data")
	if m == rawssh.CHANNEL_EXTENDED_DATA:
		return u8(m) + u32(0) + u32(1) + string("data")
	if m in (rawssh.CHANNEL_EOF, rawssh.CHANNEL_CLOSE,
		 rawssh.CHANNEL_SUCCESS, rawssh.CHANNEL_FAILURE):
		return u8(m) + u32(0)
	if m == rawssh.CHANNEL_REQUEST:
		return (u8(m) + u32(0) + string("exec") + boolean(True) +
			string("id"))
	return u8(m) + bytes(16)


def dropped_after(c, payload):
	"""None when the server closes c after payload, else the Closed."""
	try:
		c.send_packet(payload)
		res = c.wait_closed(DROP_TIMEOUT)
	except OSError:
		return None
	finally:
		c.close()
	bad = {rawssh.CHANNEL_OPEN_CONFIRMATION, rawssh.REQUEST_SUCCESS,
	       rawssh.CHANNEL_SUCCESS, rawssh.USERAUTH_SUCCESS}
	if not res.closed or bad & set(res.msgs):
		return res
	return None


def test_connection_messages_before_auth_disconnect(seshd_adv, client_key):
	def one(m):
		with kexed(seshd_adv) as c:
			assert c.service_request() == "ssh-userauth"
			return m, dropped_after(c, conn_payload(m))

	msgs = list(range(80, 128)) + [128, 192, 255]
	with ThreadPoolExecutor(8) as ex:
		bad = {m: r for m, r in ex.map(one, msgs) if r is not None}
	assert not bad, f"accepted before authentication: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_connection_messages_before_service_request_disconnect(
		seshd_adv, client_key):
	bad = {}
	for m in (rawssh.GLOBAL_REQUEST, rawssh.CHANNEL_OPEN,
		  rawssh.CHANNEL_REQUEST, rawssh.CHANNEL_DATA, 127):
		with kexed(seshd_adv) as c:
			r = dropped_after(c, conn_payload(m))
			if r is not None:
				bad[m] = r
	assert not bad, f"accepted before ssh-userauth: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_connection_messages_after_failed_auth_disconnect(seshd_adv,
							  client_key):
	"""Also after a USERAUTH_FAILURE and after a PK_OK (a key query
	without signature is no authentication)."""
	bad = {}
	for m in (rawssh.CHANNEL_OPEN, rawssh.GLOBAL_REQUEST):
		with kexed(seshd_adv) as c:
			c.service_request()
			assert c.auth_none("root")[0] == rawssh.USERAUTH_FAILURE
			r = dropped_after(c, conn_payload(m))
			if r is not None:
				bad[("after none", m)] = r
		with kexed(seshd_adv) as c:
			c.service_request()
			assert pk_query(c, client_key) == rawssh.USERAUTH_PK_OK
			r = dropped_after(c, conn_payload(m))
			if r is not None:
				bad[("after PK_OK", m)] = r
	assert not bad, f"accepted without authentication: {bad}"
	assert_serves(seshd_adv, client_key[0])


def pk_query(c, client_key):
	"""publickey without signature for the authorized key."""
	blob = _pub_blob(client_key[1])
	c.send_packet(u8(rawssh.USERAUTH_REQUEST) + string("root") +
		      string("ssh-connection") + string("publickey") +
		      boolean(False) + string("ssh-ed25519") + string(blob))
	return c.recv_msg(skip=(rawssh.IGNORE, rawssh.DEBUG,
				rawssh.EXT_INFO, rawssh.USERAUTH_BANNER))[0]


def _pub_blob(line):
	import base64
	return base64.b64decode(line.split()[1])


def test_no_side_effect_before_auth(seshd_adv, client_key, tmp_path):
	"""A session with an exec request and a remote forward, all in
	one burst before authentication: nothing runs, nothing listens."""
	marker = tmp_path / "ran"
	port = free_port()
	with kexed(seshd_adv) as c:
		c.service_request()
		burst = b"".join(c.seal(p) for p in (
			rawssh.global_request_payload(
				"tcpip-forward", True,
				string("127.0.0.1") + u32(port)),
			rawssh.channel_open_payload(),
			u8(rawssh.CHANNEL_REQUEST) + u32(0) + string("exec") +
			boolean(True) + string(f"touch {marker}"),
			u8(rawssh.CHANNEL_DATA) + u32(0) + string("x")))
		c.send_raw(burst)
		res = assert_dropped(c, "connection protocol before auth")
	assert not {rawssh.CHANNEL_OPEN_CONFIRMATION, rawssh.REQUEST_SUCCESS,
		    rawssh.CHANNEL_SUCCESS} & set(res.msgs), res
	assert port not in listening_ports()
	assert_serves(seshd_adv, client_key[0])
	assert not marker.exists(), "a command ran before authentication"
	assert port not in listening_ports()


# Messages only a server sends (RFC 4252, RFC 4253).
SERVER_ONLY = {
	"SERVICE_ACCEPT": u8(rawssh.SERVICE_ACCEPT) + string("ssh-userauth"),
	"USERAUTH_FAILURE": u8(rawssh.USERAUTH_FAILURE) +
	string("publickey") + boolean(False),
	"USERAUTH_SUCCESS": u8(rawssh.USERAUTH_SUCCESS),
	"USERAUTH_BANNER": u8(rawssh.USERAUTH_BANNER) + string("hi") +
	string(""),
	"USERAUTH_PK_OK": u8(rawssh.USERAUTH_PK_OK) + string("ssh-ed25519") +
	string(bytes(51)),
}


@pytest.mark.parametrize("when", ["before_service", "after_service"])
def test_server_only_messages_from_client_disconnect(seshd_adv, client_key,
						     when):
	bad = {}
	for name, p in SERVER_ONLY.items():
		with kexed(seshd_adv) as c:
			if when == "after_service":
				c.service_request()
			r = dropped_after(c, p)
			if r is not None:
				bad[name] = r
	assert not bad, f"server-only messages accepted {when}: {bad}"
	assert_serves(seshd_adv, client_key[0])


def test_userauth_success_from_client_gives_no_session(seshd_adv,
						       client_key):
	"""USERAUTH_SUCCESS then a session at once: never a channel."""
	with kexed(seshd_adv) as c:
		c.service_request()
		c.send_raw(c.seal(u8(rawssh.USERAUTH_SUCCESS)) +
			   c.seal(rawssh.channel_open_payload()))
		res = assert_dropped(c, "client USERAUTH_SUCCESS")
	assert rawssh.CHANNEL_OPEN_CONFIRMATION not in res.msgs, res
	assert_serves(seshd_adv, client_key[0])


ODD_USERS = [
	"%n%s%x%n%s%x%p%n",
	"root%n",
	"${IFS}root",
	"../../../../etc/passwd",
	"r\x00oot",
	"root\n",
	"\xff\xfe\x80binary",
	"u" * 4096,
]


def test_odd_user_names_are_just_names(seshd_adv, client_key):
	for user in ODD_USERS:
		with kexed(seshd_adv) as c:
			c.service_request()
			raw = user.encode("latin-1")
			c.send_packet(u8(rawssh.USERAUTH_REQUEST) + string(raw) +
				      string("ssh-connection") + string("none"))
			try:
				p = c.recv_msg(skip=(rawssh.IGNORE, rawssh.DEBUG,
						     rawssh.EXT_INFO,
						     rawssh.USERAUTH_BANNER))
			except rawssh.ConnClosed:
				continue  # refused outright: fine
			assert p[0] in (rawssh.USERAUTH_FAILURE,
					rawssh.DISCONNECT), (user, p[0])
			if p[0] != rawssh.USERAUTH_FAILURE:
				continue
			# and root's key does not open it
			try:
				got = c.auth_publickey(raw, client_key[0])
			except rawssh.ConnClosed:
				continue
			assert got != rawssh.USERAUTH_SUCCESS, user
	assert seshd_adv.proc.poll() is None
	assert_serves(seshd_adv, client_key[0])


def test_no_user_enumeration_by_reply(seshd_adv, client_key):
	"""An existing and a missing user get the same answers, byte for
	byte, to none, a wrong password and an unknown key (the timing side
	is not measured here)."""
	other = Ed25519PrivateKey.generate()

	def replies(user):
		out = []
		with kexed(seshd_adv) as c:
			c.service_request()
			out.append(c.auth_none(user))
			c.send_packet(u8(rawssh.USERAUTH_REQUEST) + string(user) +
				      string("ssh-connection") +
				      string("password") + boolean(False) +
				      string("not-the-password"))
			out.append(c.recv_msg(skip=(rawssh.IGNORE, rawssh.DEBUG,
						    rawssh.EXT_INFO,
						    rawssh.USERAUTH_BANNER)))
			assert c.auth_publickey(user, other) == \
				rawssh.USERAUTH_FAILURE
		return out

	real = replies("root")
	missing = replies("nosuchuser%06d" % (os.getpid() % 1000000))
	assert real == missing
	assert all(p[0] == rawssh.USERAUTH_FAILURE for p in real), real
	assert_serves(seshd_adv, client_key[0])


def test_no_user_enumeration_by_password_timing(sesh_bin, client_key,
						tmp_path):
	"""A wrong password costs the same for an existing user with a
	password (a real crypt hash to check) and for a missing one:
	medians of interleaved attempts within 30 % (a server that skips
	the hash for missing users answers them many times faster)."""
	if os.geteuid() != 0:
		pytest.skip("creates a user: needs root")
	user = su.make_user()
	try:
		with start_adv_seshd(sesh_bin, tmp_path, client_key,
				     extra=["MaxAuthTries 100"]) as d:
			with kexed(d) as real, kexed(d) as missing:
				real.service_request()
				missing.service_request()
				times = {"real": [], "missing": []}
				for i in range(24):
					for name, c, u in (
						("real", real, user.name),
						("missing", missing,
						 user.name + "x")):
						t = time.perf_counter()
						got = c.auth_password(u, f"no-{i}")
						times[name].append(
							time.perf_counter() - t)
						assert got == rawssh.USERAUTH_FAILURE
			med = {k: statistics.median(v) for k, v in times.items()}
			hi, lo = max(med.values()), min(med.values())
			assert hi - lo <= 0.3 * hi + 0.002, (
				f"wrong-password answer times differ: {med}")
			assert_serves(d, client_key[0])
	finally:
		su.remove_user(user)
