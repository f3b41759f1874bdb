"""
No user enumeration by reply or by timing (issue 7): seshd answers a
failed password attempt with the same bytes and after about the same
time for a valid and an unknown user. Each failed attempt waits at
least a per-user delay of 5 to 15 ms (HMAC of the user name, see
src/app/srvauth_delay.c) after its request arrived, and an unknown
user runs the same check as a valid one.

Three seshd configurations, each measured over many interleaved
attempts from a raw client (rawssh), a valid user (made here, with a
password) against unknown names (a new one for each connection):

  cheap   UsePAM yes with a PAM stack that is only pam_deny: the check
          takes well under a millisecond, so the reply time is the delay
          itself. Every reply, for both users, must come at least
          SRVAUTH_DELAY_MIN (5 ms) after the request was sent: a path
          that skips the delay answers in well under 1 ms.
  slow    UsePAM yes with a PAM stack that sleeps SLOW_CHECK seconds
          (pam_exec) before pam_deny: every reply, for both users, must
          take at least that long. A path that skips the check for an
          unknown user answers after the delay alone.
  shadow  UsePAM no (crypt(3) against the shadow file): the default,
          yescrypt for the valid user and a yescrypt of a fake salt for
          the unknown one. Every reply must take at least half the best
          time of that crypt(3) measured here (with the four unknown
          names' delays spread over 5-15 ms, a path that skips the hash
          for unknown users most often answers sooner; "slow" is the
          test that always catches it).

In each, the reply messages are identical and the two medians differ by
no more than the largest delay (a reply comes between the end of the
check and one delay later) plus a noise allowance from the samples' own
spread. The lower
bounds are exact (the server's clock starts after the client sent the
request); the median comparison is loose on purpose so that a loaded
2-vCPU machine does not make it flaky.

Needs root (creates a user, writes PAM service files); skipped
otherwise.
"""

import ctypes
import ctypes.util
import os
import statistics
import time

import pytest

import rawssh
import seshd_server_util as su
from adv_util import BASE_CONFIG, assert_no_crash, kexed
from seshd_util import start_seshd

DELAY_MIN = 0.005   # SRVAUTH_DELAY_MIN_US
JITTER = 0.010      # SRVAUTH_DELAY_JITTER_US
SLOW_CHECK = 0.15   # seconds the "slow" PAM stack sleeps
CONNS = 4           # connections per user
PER_CONN = 10       # password attempts per connection: 40 per user

PAM_DENY = """# seshd adversarial tests (test_auth_timing.py)
auth requisite pam_deny.so
account required pam_permit.so
session required pam_permit.so
"""
PAM_SLOW = f"""# seshd adversarial tests (test_auth_timing.py)
auth optional pam_exec.so quiet /bin/sleep {SLOW_CHECK}
auth requisite pam_deny.so
account required pam_permit.so
session required pam_permit.so
"""


def _pam_file(name, text):
	path = os.path.join("/etc/pam.d", name)
	tmp = f"{path}.tmp{os.getpid()}"
	with open(tmp, "w") as f:
		f.write(text)
	os.rename(tmp, path)
	return path


@pytest.fixture(scope="module")
def timing_env():
	if os.geteuid() != 0:
		pytest.skip("creates a user and PAM services: needs root")
	user = su.make_user()
	paths = []
	try:
		paths.append(_pam_file("sesh-adv-deny", PAM_DENY))
		paths.append(_pam_file("sesh-adv-slow", PAM_SLOW))
		yield {"user": user.name, "password": user.password}
	finally:
		for p in paths:
			try:
				os.unlink(p)
			except OSError:
				pass
		su.remove_user(user)


def _config(pam_service):
	lines = ["MaxAuthTries 30", "PasswordAuthentication yes"]
	if pam_service is None:
		lines.append("UsePAM no")
	else:
		lines += ["UsePAM yes", f"PAMServiceName {pam_service}",
			  "KbdInteractiveAuthentication no"]
	return lines + BASE_CONFIG


def _open(d, user):
	"""A connection that has asked "none" for user (so that the user
	is looked up before the timed attempts); its FAILURE payload."""
	c = kexed(d)
	c.service_request()
	first = c.auth_none(user)
	assert first[0] == rawssh.USERAUTH_FAILURE, first
	return c, bytes(first)


def _attempt(c, user, password):
	"""One password attempt: (seconds until the reply, its payload)."""
	body = (rawssh.u8(rawssh.USERAUTH_REQUEST) + rawssh.string(user) +
		rawssh.string("ssh-connection") + rawssh.string("password") +
		rawssh.boolean(False) + rawssh.string(password))
	sealed = c.seal(body)
	t0 = time.perf_counter()
	c.send_raw(sealed)
	p = c.recv_msg(skip=(rawssh.IGNORE, rawssh.DEBUG, rawssh.EXT_INFO,
			     rawssh.USERAUTH_BANNER))
	return time.perf_counter() - t0, bytes(p)


def _measure(d, valid, invalid):
	"""Interleaved attempts: CONNS rounds of a connection for the valid
	user and one for the next unknown name (invalid[k]; several names,
	so that their delays spread over the delay's range), PER_CONN wrong
	passwords each, one attempt per connection in turn. Returns
	{"valid"|"invalid": ([seconds], {payloads}, {none payloads})}."""
	out = {w: ([], set(), set()) for w in ("valid", "invalid")}
	for k in range(CONNS):
		users = {"valid": valid, "invalid": invalid[k % len(invalid)]}
		conns = {}
		try:
			for w, u in users.items():
				c, none = _open(d, u)
				conns[w] = c
				out[w][2].add(none)
			for i in range(PER_CONN):
				for w, u in users.items():
					t, p = _attempt(conns[w], u, f"wrong-{i}")
					out[w][0].append(t)
					out[w][1].add(p)
		finally:
			for c in conns.values():
				c.close()
	return out


def _mad(xs):
	m = statistics.median(xs)
	return statistics.median(abs(x - m) for x in xs)


def _ms(xs):
	return "[" + ", ".join(f"{x * 1000:.1f}" for x in sorted(xs)) + "]"


def _check(d, env, floor):
	"""floor: seconds, or a function called after the measurement
	giving them."""
	valid = env["user"]
	invalid = [f"nosuch{k}{valid[5:]}" for k in range(CONNS)]
	res = _measure(d, valid, invalid)
	tv, pv, nv = res["valid"]
	ti, pi, ni = res["invalid"]
	report = (f"valid {valid} ms {_ms(tv)}\ninvalid {invalid} ms "
		  f"{_ms(ti)}")
	if callable(floor):
		floor = floor()
	# the same answer, byte for byte
	assert len(pv) == 1 and pv == pi, (pv, pi)
	assert next(iter(pv))[0] == rawssh.USERAUTH_FAILURE
	assert nv == ni, (nv, ni)
	# exact lower bounds: the delay (and the check) ran for both
	assert min(tv) >= floor, f"a reply came before {floor} s\n{report}"
	assert min(ti) >= floor, f"a reply came before {floor} s\n{report}"
	# the medians: a reply comes between the end of the check and one
	# delay later, so two users' medians differ by less than the
	# largest delay; the rest is noise, allowed from the spread of the
	# samples
	mv, mi = statistics.median(tv), statistics.median(ti)
	noise = max(0.004, 3 * (_mad(tv) + _mad(ti)))
	bound = DELAY_MIN + JITTER + noise
	assert abs(mv - mi) <= bound, (
		f"medians {mv * 1000:.1f} / {mi * 1000:.1f} ms differ by more "
		f"than {bound * 1000:.1f} ms\n{report}")
	assert_no_crash(d)
	log = d.log_text()
	assert f"Failed password for {valid} from" in log
	for u in invalid:
		assert f"Failed password for invalid user {u} from" in log
	return mv, mi


def test_no_enumeration_cheap_check(timing_env, sesh_bin, tmp_path):
	"""The check costs nothing: the reply time is the delay, for both
	users."""
	with start_seshd(sesh_bin, tmp_path, _config("sesh-adv-deny")) as d:
		mv, mi = _check(d, timing_env, DELAY_MIN * 0.98)
	# the delay dominates: both medians are within the delay's range
	# (plus scheduling noise)
	for m in (mv, mi):
		assert m < DELAY_MIN + JITTER + 0.1, m


def test_no_enumeration_slow_check(timing_env, sesh_bin, tmp_path):
	"""A slow check runs for the unknown user too."""
	with start_seshd(sesh_bin, tmp_path, _config("sesh-adv-slow")) as d:
		_check(d, timing_env, SLOW_CHECK * 0.98)


def _crypt_seconds(name):
	"""The least time crypt(3) takes here for name's shadow hash (the
	best of a few runs: what the server's check cannot beat)."""
	lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
	lib.crypt.restype = ctypes.c_char_p
	lib.crypt.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
	with open("/etc/shadow") as f:
		setting = next(l.split(":")[1] for l in f
			       if l.split(":")[0] == name)
	best = None
	for _ in range(5):
		t0 = time.perf_counter()
		assert lib.crypt(b"wrong", setting.encode()) is not None
		t = time.perf_counter() - t0
		best = t if best is None else min(best, t)
	return best


def test_no_enumeration_shadow(timing_env, sesh_bin, tmp_path):
	"""Without PAM: crypt(3) for the user, a fake hash of the same kind
	for an unknown name, so both take at least (most of) one crypt."""
	user = timing_env["user"]
	before = _crypt_seconds(user)
	with start_seshd(sesh_bin, tmp_path, _config(None)) as d:
		# the best of ten runs, before and after, halved: a margin
		# for load while this process measured
		_check(d, timing_env, lambda: max(
			DELAY_MIN * 0.98,
			0.5 * min(before, _crypt_seconds(user))))
