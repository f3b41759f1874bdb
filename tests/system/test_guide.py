"""
The guide (../shared/guide.md, issue 5), literally, with sesh's programs,
as root, from a temporary install prefix:

  install (cmake --install into PREFIX=<tmp>/pfx, SESH_SYSCONFDIR=
  <tmp>/pfx/etc; the init script and, when absent, the PAM service are
  copied to /etc/init.d/seshd and /etc/pam.d/seshd for `service`, and
  removed afterwards); `service seshd start` and `status`; a user with a
  strong password; `sesh user@127.0.0.1 -p PORT` with the password;
  `sesh-keygen -t rsa -b 5000 -C "comment" -f ... -N pass`;
  `sesh-copy-id -i` (the password asked once); the key logs in (the
  passphrase from askpass) with no password; a second sesh-copy-id adds
  no duplicate; the config gets another port, PermitEmptyPasswords no,
  PermitRootLogin no, PasswordAuthentication no; `service seshd restart`;
  then the old port refuses, the key logs in on the new port, the password
  is refused, root is refused even with an authorized key (accepted before
  the change), a user with an empty password is refused; `service seshd
  reload` applies a config change; `service seshd stop` and `status`
  says not running.

The config edits are the guide's lines plus what a test needs: a free
port instead of 22/5555, ListenAddress 127.0.0.1, a PidFile in the
temporary folder and a second AuthorizedKeysFile (/run/sesh-guide-*/%u) so that
root's key need not go to /root/.ssh.
"""

import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

import paramiko
import pytest

import copyid_util as cu
import seshd_util

INIT = "/etc/init.d/seshd"
PAM = "/etc/pam.d/seshd"
PASSPHRASE = "pass"

pytestmark = pytest.mark.skipif(
	os.geteuid() != 0, reason="installs an init script and users: needs root")


def run(argv, env=None, stdin=None, timeout=120):
	return subprocess.run(argv, env=env, capture_output=True,
			      timeout=timeout,
			      input=stdin if stdin is not None else b"")


def service(action):
	return run(["service", "seshd", action], env={
		"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"})


def refused(port):
	s = socket.socket()
	try:
		s.connect(("127.0.0.1", port))
		return False
	except ConnectionRefusedError:
		return True
	finally:
		s.close()


def allowed_methods(port, user):
	t = paramiko.Transport(("127.0.0.1", port))
	try:
		t.connect()
		try:
			t.auth_none(user)
		except paramiko.BadAuthenticationType as e:
			return list(e.allowed_types)
		return ["none"]
	finally:
		t.close()


def empty_password_refused(port, user):
	t = paramiko.Transport(("127.0.0.1", port))
	try:
		t.connect()
		try:
			t.auth_password(user, "")
		except (paramiko.AuthenticationException,
			paramiko.SSHException):
			return True
		return False
	finally:
		t.close()


class Installed:
	"""The init script (and PAM service) put in /etc for `service`."""

	def __init__(self, etc):
		self.saved_init = None
		self.made_pam = False
		if os.path.exists(INIT):
			with open(INIT, "rb") as f:
				self.saved_init = f.read()
		shutil.copy(os.path.join(etc, "init.d", "seshd"), INIT)
		os.chmod(INIT, 0o755)
		if not os.path.exists(PAM):
			shutil.copy(os.path.join(etc, "pam.d", "seshd"), PAM)
			self.made_pam = True

	def remove(self):
		if self.saved_init is not None:
			with open(INIT, "wb") as f:
				f.write(self.saved_init)
		else:
			os.unlink(INIT)
		if self.made_pam:
			os.unlink(PAM)


@pytest.fixture
def guide(tmp_path, sesh_bin):
	if shutil.which("service") is None or \
	   not os.path.exists("/lib/lsb/init-functions"):
		pytest.skip("no service(8) / LSB init functions")
	if os.path.isdir("/run/systemd/system"):
		pytest.skip("systemd is running: service(8) would use it")
	sesh_bin("seshd")
	build = os.path.dirname(os.path.dirname(sesh_bin("sesh")))
	prefix = tmp_path / "pfx"
	etc = prefix / "etc"
	cu.install(build, prefix, etc)
	inst = Installed(str(etc))
	users = []
	# StrictModes wants root-owned folders up to / that no one else can
	# write: not under /tmp
	keys = pathlib.Path(tempfile.mkdtemp(prefix="sesh-guide-", dir="/run"))
	state = {"prefix": prefix, "etc": etc, "users": users,
		 "tmp": tmp_path, "keys": keys}
	try:
		yield state
	finally:
		service("stop")
		pid = tmp_path / "seshd.pid"
		if pid.exists():  # stop failed: do not leave a daemon
			try:
				os.kill(int(pid.read_text().strip()), 15)
			except (ValueError, OSError):
				pass
		inst.remove()
		shutil.rmtree(keys, ignore_errors=True)
		for u in users:
			cu.remove_user(u)


def set_config(path, lines):
	"""The guide's edit: our lines first (the first value wins)."""
	with open(path) as f:
		text = f.read()
	with open(path, "w") as f:
		f.write("\n".join(lines) + "\n" + text)


def test_guide_workflow(guide, sesh_env, tmp_path):
	bindir = guide["prefix"] / "bin"
	sesh = str(bindir / "sesh")
	config = guide["etc"] / "sesh" / "seshd_config"
	assert config.exists()
	keys = guide["keys"]
	port = seshd_util.free_port()
	test_lines = [f"ListenAddress 127.0.0.1",
		      f"PidFile {tmp_path}/seshd.pid",
		      f"AuthorizedKeysFile .ssh/authorized_keys {keys}/%u"]
	with open(config) as f:
		pristine = f.read()
	set_config(config, [f"Port {port}"] + test_lines)

	# sudo service ssh status / start
	r = service("start")
	assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
	assert cu.wait_port(port), "seshd is not listening"
	r = service("status")
	assert r.returncode == 0, r.stdout.decode()
	assert "seshd is running" in r.stdout.decode()
	# host keys made on first start (sesh-keygen -A)
	for t in ("rsa", "ecdsa", "ed25519"):
		assert (guide["etc"] / "sesh" / f"ssh_host_{t}_key").exists()

	# a user with a strong password; ssh user@host -p port
	user = cu.make_user()
	guide["users"].append(user)
	home = tmp_path / "home"
	(home / ".ssh").mkdir(parents=True, mode=0o700)
	base = dict(sesh_env)
	base["HOME"] = str(home)
	base["PATH"] = f"{bindir}:" + base.get("PATH", "/usr/bin:/bin")
	env = cu.askpass_env(tmp_path, base, password=user.password,
			     passphrase=PASSPHRASE)
	dest = f"{user.name}@127.0.0.1"
	accept = ["-o", "StrictHostKeyChecking=accept-new"]
	r = run([sesh, dest, "-p", str(port)] + accept, env=env,
		stdin=b"echo guide-$(id -un)\nexit\n")
	assert r.returncode == 0, r.stderr.decode()
	assert f"guide-{user.name}" in r.stdout.decode()
	assert len(cu.prompts(tmp_path)) == 1  # the password

	# ssh-keygen -t rsa -b 5000 -C "comment"
	key = str(home / ".ssh" / "id_rsa")
	r = run(["sesh-keygen", "-t", "rsa", "-b", "5000", "-C",
		 "guide@example.com", "-f", key, "-N", PASSPHRASE], env=env)
	assert r.returncode == 0, r.stderr.decode()
	with open(key + ".pub") as f:
		pub = f.read()
	assert pub.startswith("ssh-rsa ") and "guide@example.com" in pub

	# ssh-copy-id -i ~/.ssh/mykey user@host: the password once
	cu.clear_prompts(tmp_path)
	r = run(["sesh-copy-id", "-i", key, "-p", str(port), dest], env=env)
	assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
	assert "Number of key(s) added: 1" in r.stdout.decode()
	pw_prompts = [p for p in cu.prompts(tmp_path)
		      if "assphrase" not in p]
	assert len(pw_prompts) == 1, cu.prompts(tmp_path)

	# the key logs in: the passphrase, never the password
	def key_login(p, who=dest):
		cu.clear_prompts(tmp_path)
		res = run([sesh, "-i", key, "-p", str(p)] + accept +
			  [who, "echo key-$(id -un)"], env=env)
		asked = cu.prompts(tmp_path)
		assert all("assphrase" in a for a in asked), asked
		return res

	r = key_login(port)
	assert r.returncode == 0, r.stderr.decode()
	assert r.stdout.decode().strip() == f"key-{user.name}"

	# twice: no duplicate key
	r = run(["sesh-copy-id", "-i", key, "-p", str(port), dest], env=env)
	assert r.returncode == 0, r.stderr.decode()
	with open(user.authorized_keys) as f:
		assert f.read() == pub

	# root with an authorized key is accepted by the default
	# (PermitRootLogin prohibit-password), refused after the guide's edit
	root_keys = keys / "root"
	root_keys.write_text(pub)
	os.chmod(root_keys, 0o600)
	r = key_login(port, "root@127.0.0.1")
	assert r.returncode == 0, r.stderr.decode()
	assert r.stdout.decode().strip() == "key-root"

	# a user with an empty password
	empty = cu.make_user(password="")
	guide["users"].append(empty)

	# the guide's hardening; sudo service ssh restart
	new_port = seshd_util.free_port()
	with open(config, "w") as f:
		f.write(pristine)
	set_config(config, [f"Port {new_port}",
			    "PermitEmptyPasswords no",
			    "PermitRootLogin no",
			    "PasswordAuthentication no"] + test_lines)
	r = service("restart")
	assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
	assert cu.wait_port(new_port), "seshd is not on the new port"
	assert cu.wait_port(port, up=False)
	r = service("status")
	assert r.returncode == 0 and "seshd is running" in r.stdout.decode()

	# the old port refuses
	assert refused(port)
	# the key still logs in on the new port
	r = key_login(new_port)
	assert r.returncode == 0, r.stderr.decode()
	assert r.stdout.decode().strip() == f"key-{user.name}"
	# the password is refused (publickey is the only method left)
	assert allowed_methods(new_port, user.name) == ["publickey"]
	r = run([sesh, "-p", str(new_port), "-o",
		 "PreferredAuthentications=password,keyboard-interactive",
		 "-o", "PubkeyAuthentication=no"] + accept + [dest, "true"],
		env=env)
	assert r.returncode == 255
	assert "Permission denied" in r.stderr.decode()
	# root is refused even with its authorized key
	r = key_login(new_port, "root@127.0.0.1")
	assert r.returncode == 255
	assert "Permission denied" in r.stderr.decode()
	# a user with an empty password is refused
	assert empty_password_refused(new_port, empty.name)

	# service seshd reload: the configuration is read again (SIGHUP)
	extra_port = seshd_util.free_port()
	set_config(config, [f"Port {extra_port}"])
	r = service("reload")
	assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
	assert cu.wait_port(extra_port), "reload did not apply the config"
	deadline = time.monotonic() + 10
	while service("status").returncode != 0:
		assert time.monotonic() < deadline, "not running after reload"
		time.sleep(0.05)

	# sudo service ssh stop; status says not running (as ssh's: exit 3)
	r = service("stop")
	assert r.returncode == 0, r.stdout.decode()
	assert cu.wait_port(new_port, up=False)
	assert cu.wait_port(extra_port, up=False)
	r = service("status")
	assert r.returncode == 3, r.stdout.decode()
	assert "seshd is not running" in r.stdout.decode()
