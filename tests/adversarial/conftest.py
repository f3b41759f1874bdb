"""
Fixtures for the adversarial tests (tests/adversarial): the system
tests' own fixtures (sesh_bin, workdir, sesh_env from
tests/system/conftest.py, loaded under another module name) and the
helpers in tests/system (seshd_util) on sys.path, plus:

  client_key  -> (path, public line) of an ed25519 key made with
                 OpenSSH's ssh-keygen (session scope)
  seshd_adv   -> a seshd for the whole module, started by
                 adv_util.start_adv_seshd (root login with client_key,
                 chacha20-poly1305 only, LoginGraceTime 60, MaxAuthTries
                 3, no per-source penalties); needs root
  seshd_mem   -> the same with a small ASan quarantine (for the tests
                 that measure the connection process's memory)
Both check at teardown that seshd's log reports no crash.
  openssh_sshd -> Debian's sshd with the same settings (module scope),
                 the reference some tests also run against; skipped
                 when it is not installed
"""

import importlib.util
import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
SYSTEM = HERE.parent / "system"
for p in (str(SYSTEM), str(HERE)):
	if p not in sys.path:
		sys.path.insert(0, p)

_spec = importlib.util.spec_from_file_location("sesh_system_conftest",
					       SYSTEM / "conftest.py")
_system = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_system)

sesh_bin = _system.sesh_bin
workdir = _system.workdir
sesh_env = _system.sesh_env

import adv_util  # noqa: E402  (needs sys.path above)


@pytest.fixture(scope="session")
def client_key(tmp_path_factory):
	return adv_util.make_client_key(tmp_path_factory.mktemp("adv_key"))


@pytest.fixture(scope="module")
def seshd_adv(sesh_bin, client_key, tmp_path_factory):
	if os.geteuid() != 0:
		pytest.skip("logs in as root: needs root")
	d = adv_util.start_adv_seshd(sesh_bin,
				     tmp_path_factory.mktemp("adv_seshd"),
				     client_key)
	try:
		yield d
	finally:
		d.stop()
	adv_util.assert_no_crash(d)  # a crash late in the module


@pytest.fixture(scope="module")
def seshd_mem(sesh_bin, client_key, tmp_path_factory):
	if os.geteuid() != 0:
		pytest.skip("logs in as root: needs root")
	d = adv_util.start_adv_seshd(sesh_bin,
				     tmp_path_factory.mktemp("adv_seshd_mem"),
				     client_key, small_quarantine=True)
	try:
		yield d
	finally:
		d.stop()
	adv_util.assert_no_crash(d)  # a crash late in the module


@pytest.fixture(scope="module")
def openssh_sshd(client_key, tmp_path_factory):
	if os.geteuid() != 0:
		pytest.skip("logs in to sshd as root: needs root")
	if not adv_util.have_openssh_server():
		pytest.skip("OpenSSH server not installed")
	s = adv_util.start_openssh(tmp_path_factory.mktemp("adv_sshd"),
				   client_key)
	try:
		yield s
	finally:
		s.stop()
