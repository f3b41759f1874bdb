"""
seshd's root login runs in one process: with nothing to drop, no
privileged parent is forked after authentication (as OpenSSH's sshd),
and that one process still does what the parent does for a user: utmp
login and logout records for a pty, and the PAM session's open and
close (seen through pam_exec in a PAM service of this file's own). The
split for a non-root user is checked in test_seshd_conn.py.
"""

import os
import subprocess
import time

import pytest

import seshd_server_util as su
from seshd_util import start_seshd

PAM_EXEC = "/lib/x86_64-linux-gnu/security/pam_exec.so"


def wait_for(pred, timeout=10):
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if pred():
			return True
		time.sleep(0.05)
	return pred()


def ppid(pid):
	with open(f"/proc/{pid}/status") as f:
		for line in f:
			if line.startswith("PPid:"):
				return int(line.split()[1])
	raise AssertionError(f"no PPid for {pid}")


@pytest.fixture(scope="module")
def root_srv(tmp_path_factory, sesh_bin):
	if os.geteuid() != 0:
		pytest.skip("logs root in: needs root")
	if not os.path.exists(PAM_EXEC):
		pytest.skip("pam_exec.so is not installed")
	d = tmp_path_factory.mktemp("seshd_rootsession")
	key = su.make_key(d, "ed25519", name="root_key")
	ak = d / "ak_root"
	ak.write_text(su.pub_line(key) + "\n")
	os.chmod(ak, 0o600)
	log = d / "pam.log"
	hook = d / "pam_hook.sh"
	hook.write_text(f'#!/bin/sh\necho "$PAM_TYPE $PAM_USER" >> {log}\n')
	os.chmod(hook, 0o700)
	service = "seshtest-root%d" % os.getpid()
	path = os.path.join("/etc/pam.d", service)
	with open(path, "w") as f:
		f.write("auth required pam_permit.so\n"
			"account required pam_permit.so\n"
			f"session required pam_exec.so {hook}\n")
	try:
		sd = start_seshd(sesh_bin, d, [
			"UsePAM yes",
			f"PAMServiceName {service}",
			f"AuthorizedKeysFile {ak}",
			"PermitRootLogin yes",
			"StrictModes no",
			"PrintMotd no",
			"PrintLastLog no",
		])
		try:
			yield {"d": sd, "key": key, "log": log}
		finally:
			sd.stop()
	finally:
		os.unlink(path)


def pam_lines(srv):
	try:
		return srv["log"].read_text().split("\n")
	except FileNotFoundError:
		return []


def test_root_login_has_no_privileged_parent(root_srv):
	before = len([x for x in pam_lines(root_srv) if x])
	# the shell's parent carries the connection; its parent must be
	# the listener itself (a split adds a root seshd in between)
	cmd = ('p=$PPID; echo "$p $(awk \'/^PPid:/{print $2}\' '
	       '/proc/$p/status) $(cat /proc/$p/comm) '
	       '$(awk \'/^Uid:/{print $2}\' /proc/$p/status)"')
	r = su.run_ssh(root_srv["d"].port, root_srv["key"], "root@127.0.0.1",
		       cmd)
	assert r.returncode == 0, r.stderr
	conn, parent, comm, uid = r.stdout.decode().split()
	assert "seshd" in comm
	assert uid == "0"
	assert int(parent) == root_srv["d"].proc.pid
	# the one process opened the PAM session and closed it at the end
	assert wait_for(lambda: "close_session root" in pam_lines(root_srv)
			[before:]), pam_lines(root_srv)
	lines = [x for x in pam_lines(root_srv)[before:] if x]
	assert lines == ["open_session root", "close_session root"], lines


def who_has(tty):
	r = subprocess.run(["who"], capture_output=True)
	name = tty[len("/dev/"):]
	return any(line.split()[:2] == ["root", name]
		   for line in r.stdout.decode().splitlines())


def test_root_pty_utmp_login_and_logout(root_srv):
	if not os.path.exists("/var/run/utmp"):
		os.close(os.open("/var/run/utmp", os.O_WRONLY | os.O_CREAT,
				 0o664))
	r = subprocess.run(su.ssh_argv(root_srv["d"].port, root_srv["key"],
				       "root@127.0.0.1", "tty; who", tty=True),
			   stdin=subprocess.DEVNULL, capture_output=True,
			   timeout=60)
	assert r.returncode == 0, r.stderr
	out = r.stdout.decode().replace("\r", "").splitlines()
	tty = out[0].strip()
	assert tty.startswith("/dev/pts/"), out
	name = tty[len("/dev/"):]
	# the login record was there while the command ran
	assert any(line.split()[:2] == ["root", name] for line in out[1:]), out
	# and the logout record removed it once the session ended
	assert wait_for(lambda: not who_has(tty)), tty
