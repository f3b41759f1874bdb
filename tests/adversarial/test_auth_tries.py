"""
MaxAuthTries for every method and no second chance through a new user
name (issue 7), the parts test_limits.py does not cover: there,
publickey, password (UsePAM no) and a mix of the two are counted with
root, and alternating names never get past the limit. Here, with
UsePAM yes and a PAM stack of pam_unix (so keyboard-interactive has a
real conversation):

  - keyboard-interactive, PAM password, signed publickey and a mix of
    all three: exactly MaxAuthTries - 1 FAILURE replies, then the
    server disconnects ("Too many authentication failures"), for a
    valid and an unknown user alike;
  - repeated "none" requests count too (after the first, as in sshd);
  - a change of user name (or of service) in a later request ends the
    connection at once, as OpenSSH does ("Change of username or service
    not allowed"): no FAILURE, no PK_OK, no prompts for the new name,
    whatever the method, including in the middle of a
    keyboard-interactive conversation;
  - keyboard-interactive prompts are the same for a valid and an
    unknown user.

Needs root (creates a user and a PAM service); skipped otherwise.
"""

import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import \
	Ed25519PrivateKey

import rawssh
import seshd_server_util as su
from adv_util import BASE_CONFIG, assert_no_crash, kexed
from rawssh import boolean, string, u8, u32
from seshd_util import start_seshd

MAX_TRIES = 3
INFO_REQUEST = 60
INFO_RESPONSE = 61
SKIP = (rawssh.IGNORE, rawssh.DEBUG, rawssh.EXT_INFO,
	rawssh.USERAUTH_BANNER)

PAM_UNIX = """# seshd adversarial tests (test_auth_tries.py)
auth required pam_unix.so nodelay
account required pam_permit.so
session required pam_permit.so
"""
PAM_NAME = "sesh-adv-unix"


@pytest.fixture(scope="module")
def tries_env(sesh_bin, tmp_path_factory):
	if os.geteuid() != 0:
		pytest.skip("creates a user and a PAM service: needs root")
	user = su.make_user()
	path = os.path.join("/etc/pam.d", PAM_NAME)
	d = None
	try:
		with open(path + ".tmp", "w") as f:
			f.write(PAM_UNIX)
		os.rename(path + ".tmp", path)
		d = start_seshd(sesh_bin, tmp_path_factory.mktemp("tries"),
				["UsePAM yes", f"PAMServiceName {PAM_NAME}",
				 "KbdInteractiveAuthentication yes",
				 "PasswordAuthentication yes",
				 f"MaxAuthTries {MAX_TRIES}"] + BASE_CONFIG)
		yield {"d": d, "user": user.name,
		       "invalid": "nosuch" + user.name[5:]}
	finally:
		if d is not None:
			d.stop()
			assert_no_crash(d)
		try:
			os.unlink(path)
		except OSError:
			pass
		su.remove_user(user)


def _request(c, user, method, tail=b"", service="ssh-connection"):
	c.send_packet(u8(rawssh.USERAUTH_REQUEST) + string(user) +
		      string(service) + string(method) + tail)


def _kbdint_start(c, user):
	"""Starts keyboard-interactive; the first reply's payload."""
	_request(c, user, "keyboard-interactive", string("") + string(""))
	return c.recv_msg(skip=SKIP)


def _kbdint(c, user, i):
	"""A whole keyboard-interactive attempt with wrong answers; the
	final reply's message number."""
	p = _kbdint_start(c, user)
	while p[0] == INFO_REQUEST:
		r = rawssh.Reader(p[1:])
		r.string()
		r.string()
		r.string()
		n = r.u32()
		c.send_packet(u8(INFO_RESPONSE) + u32(n) +
			      b"".join(string(f"wrong-{i}") for _ in range(n)))
		p = c.recv_msg(skip=SKIP)
	return p[0]


def _password(c, user, i):
	_request(c, user, "password", boolean(False) + string(f"wrong-{i}"))
	return c.recv_msg(skip=SKIP)[0]


_OTHER = Ed25519PrivateKey.generate()


def _publickey(c, user, i):
	return c.auth_publickey(user, _OTHER)


def _none(c, user, i):
	return c.auth_none(user)[0]


def _mixed(c, user, i):
	return (_kbdint, _password, _publickey)[i % 3](c, user, i)


def _count(env, user, attempt, limit=10):
	"""FAILURE replies before the server closes, and the Closed."""
	c = kexed(env["d"])
	try:
		c.service_request()
		failures = 0
		for i in range(limit):
			try:
				got = attempt(c, user, i)
			except (rawssh.ConnClosed, OSError):
				break
			if got == rawssh.DISCONNECT:
				break
			assert got == rawssh.USERAUTH_FAILURE, got
			failures += 1
		else:
			return failures, None
		return failures, c
	finally:
		c.close()


@pytest.mark.parametrize("method", ["kbdint", "password", "publickey",
				    "mixed"])
@pytest.mark.parametrize("who", ["valid", "invalid"])
def test_max_auth_tries(tries_env, method, who):
	attempt = {"kbdint": _kbdint, "password": _password,
		   "publickey": _publickey, "mixed": _mixed}[method]
	user = tries_env["user"] if who == "valid" else tries_env["invalid"]
	n, closed = _count(tries_env, user, attempt)
	assert closed is not None, f"{method}: still open after 10 failures"
	# as sshd: the attempt that reaches the limit gets no FAILURE
	assert n == MAX_TRIES - 1, f"{method}: {n} failures"
	tries_env["d"].wait_log("Too many authentication failures")


def test_none_requests_count(tries_env):
	n, closed = _count(tries_env, tries_env["user"], _none)
	assert closed is not None, "repeated none never disconnected"
	# the first "none" is free (sshd), the next ones count
	assert n == MAX_TRIES, n


def _changes_user(env, first, second, method):
	"""first fails once (or starts a keyboard-interactive conversation
	for "kbdint-mid"), then a request for another name: the server
	closes without answering it."""
	c = kexed(env["d"])
	try:
		c.service_request()
		if method == "kbdint-mid":
			p = _kbdint_start(c, first)
			assert p[0] == INFO_REQUEST, p[0]
			method = "password"
		else:
			assert {"kbdint": _kbdint, "password": _password,
				"publickey": _publickey, "none": _none}[method](
				c, first, 0) == rawssh.USERAUTH_FAILURE
		if method == "kbdint":
			_request(c, second, "keyboard-interactive",
				 string("") + string(""))
		elif method == "password":
			_request(c, second, "password",
				 boolean(False) + string("x"))
		elif method == "publickey":
			# a query: would get PK_OK or FAILURE if answered
			pub = _OTHER.public_key().public_bytes(
				serialization.Encoding.Raw,
				serialization.PublicFormat.Raw)
			_request(c, second, "publickey", boolean(False) +
				 string(rawssh.HOSTKEY) +
				 string(string(rawssh.HOSTKEY) + string(pub)))
		else:
			_request(c, second, "none")
		res = c.wait_closed(10)
	finally:
		c.close()
	assert res.closed, f"{method}: still open after a change of user"
	answered = [m for m in res.msgs
		    if m not in (rawssh.IGNORE, rawssh.DEBUG,
				 rawssh.DISCONNECT)]
	assert not answered, f"{method}: the new user got {answered}"
	assert res.disconnect is not None, res
	assert res.disconnect[0] == 2, res.disconnect  # PROTOCOL_ERROR
	return res


@pytest.mark.parametrize("method", ["none", "password", "publickey",
				    "kbdint", "kbdint-mid"])
def test_user_change_disconnects(tries_env, method):
	valid, invalid = tries_env["user"], tries_env["invalid"]
	_changes_user(tries_env, valid, invalid, method)
	_changes_user(tries_env, invalid, valid, method)
	_changes_user(tries_env, invalid, invalid + "x", method)


def test_service_change_disconnects(tries_env):
	c = kexed(tries_env["d"])
	try:
		c.service_request()
		assert _password(c, tries_env["user"], 0) == \
			rawssh.USERAUTH_FAILURE
		_request(c, tries_env["user"], "password",
			 boolean(False) + string("x"), service="ssh-userauth")
		res = c.wait_closed(10)
	finally:
		c.close()
	assert res.closed and res.disconnect is not None, res
	assert rawssh.USERAUTH_FAILURE not in res.msgs, res


def test_kbdint_prompts_same_for_unknown_user(tries_env):
	got = {}
	for who in ("user", "invalid"):
		c = kexed(tries_env["d"])
		try:
			c.service_request()
			got[who] = bytes(_kbdint_start(c, tries_env[who]))
		finally:
			c.close()
	assert got["user"][0] == INFO_REQUEST, got
	assert got["user"] == got["invalid"], got
