"""
sesh-copy-id against seshd and OpenSSH's sshd, and OpenSSH's ssh-copy-id
against seshd (issue 5). As root: each test creates a user seshiNNNNNN
with a password (userdel -r afterwards); passwords come from an
SSH_ASKPASS script (SSH_ASKPASS_REQUIRE=force).

Checked: "Number of key(s) added: N" and the next command to try, the
try-first filter (a second run installs nothing), -f, -n (nothing
changes), existing authorized_keys lines kept byte for byte (also a file
without a final newline), ~/.ssh 0700 and authorized_keys 0600 created
for the user, the default identity (newest ~/.ssh/id*.pub), an agent's
keys, error paths and exit codes, and that the installed key then logs in
with BatchMode.
"""

import os
import re
import shutil
import stat
import subprocess
import time

import pytest

import copyid_util as cu
import seshd_server_util as ss
import seshd_util

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
				reason="creates users and logs in: needs root")

OLD_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGqPo1ZyH3lTmtDrYEUnQ7Xy"
	   "HcaV2RWGO4ckV9bq0vhP old@elsewhere")


@pytest.fixture(scope="module")
def seshd(sesh_bin, tmp_path_factory):
	d = tmp_path_factory.mktemp("seshd")
	srv = seshd_util.start_seshd(
		sesh_bin, d, ["UsePAM yes", f"PAMServiceName {ss.pam_service()}",
			      "KbdInteractiveAuthentication no"])
	yield srv
	srv.stop()


@pytest.fixture
def user():
	u = cu.make_user()
	yield u
	cu.remove_user(u)


@pytest.fixture
def key(workdir, sesh_bin):
	os.makedirs(workdir / ".ssh", mode=0o700, exist_ok=True)
	path = str(workdir / ".ssh" / "id_ed25519")
	subprocess.run([sesh_bin("sesh-keygen"), "-q", "-t", "ed25519", "-N",
			"", "-C", "copyid@test", "-f", path], check=True)
	return path


@pytest.fixture
def env(workdir, sesh_env):
	return cu.askpass_env(workdir, sesh_env)


def pub(key):
	with open(key + ".pub", "rb") as f:
		return f.read()


def opts(workdir, port):
	return ["-p", str(port), "-o", "StrictHostKeyChecking=accept-new",
		"-o", f"UserKnownHostsFile={workdir}/known_hosts"]


def copy_id(sesh_bin, env, workdir, port, user, *args, prog=None):
	argv = [prog or sesh_bin("sesh-copy-id")] + opts(workdir, port) + \
		list(args) + [f"{user.name}@127.0.0.1"]
	return subprocess.run(argv, env=env, capture_output=True, timeout=60,
			      stdin=subprocess.DEVNULL)


def login(sesh_bin, env, workdir, port, user, key, cmd="echo in-$USER"):
	return subprocess.run(
		[sesh_bin("sesh")] + opts(workdir, port) +
		["-i", key, "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
		 f"{user.name}@127.0.0.1", cmd],
		env=env, capture_output=True, timeout=60,
		stdin=subprocess.DEVNULL)


def read(path):
	with open(path, "rb") as f:
		return f.read()


def write_as(user, path, data, mode):
	os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
	os.chown(os.path.dirname(path), user.uid, user.gid)
	with open(path, "wb") as f:
		f.write(data)
	os.chown(path, user.uid, user.gid)
	os.chmod(path, mode)


def test_adds_once_keeps_existing_lines(seshd, sesh_bin, env, workdir, user,
					key):
	# an existing file without a final newline, with an option line
	old = (b"# keep me\n"
	       b"from=\"10.0.0.0/8\" " + OLD_KEY.encode() + b"\n" +
	       OLD_KEY.encode())
	write_as(user, user.authorized_keys, old, 0o600)
	r = copy_id(sesh_bin, env, workdir, seshd.port, user, "-i", key)
	out, err = r.stdout.decode(), r.stderr.decode()
	assert r.returncode == 0, out + err
	assert "Number of key(s) added: 1\n" in out
	assert (f"Now try logging into the machine, with:   \"sesh -p "
		f"'{seshd.port}' -o 'StrictHostKeyChecking=accept-new' -o "
		f"'UserKnownHostsFile={workdir}/known_hosts' "
		f"'{user.name}@127.0.0.1'\"") in out
	assert "and check to make sure that only the key(s) you wanted " \
		"were added." in out
	assert f'INFO: Source of key(s) to be installed: "{key}.pub"' in err
	assert "INFO: 1 key(s) remain to be installed" in err
	assert read(user.authorized_keys) == old + b"\n" + pub(key)
	# one password prompt: the install login
	assert len(cu.prompts(workdir)) == 1
	assert oct(os.stat(user.authorized_keys).st_mode & 0o777) == "0o600"

	r = login(sesh_bin, env, workdir, seshd.port, user, key)
	assert r.returncode == 0, r.stderr.decode()
	assert r.stdout.decode().strip() == f"in-{user.name}"

	# again: the key logs in, so it is skipped before any password
	cu.clear_prompts(workdir)
	r = copy_id(sesh_bin, env, workdir, seshd.port, user, "-i", key)
	err = r.stderr.decode()
	assert r.returncode == 0, err
	assert "WARNING: All keys were skipped because they already exist " \
		"on the remote system." in err
	assert "Number of key(s) added" not in r.stdout.decode()
	assert cu.prompts(workdir) == []
	assert read(user.authorized_keys) == old + b"\n" + pub(key)

	# -f: no try first, but the remote side still adds no duplicate
	r = copy_id(sesh_bin, env, workdir, seshd.port, user, "-f", "-i",
		    key + ".pub")
	assert r.returncode == 0, r.stderr.decode()
	assert "Number of key(s) added: 0\n" in r.stdout.decode()
	assert read(user.authorized_keys) == old + b"\n" + pub(key)


def test_creates_ssh_dir_and_file_modes(seshd, sesh_bin, env, workdir, user,
					key):
	assert not os.path.exists(user.ssh_dir)
	r = copy_id(sesh_bin, env, workdir, seshd.port, user, "-i", key)
	assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
	assert "Number of key(s) added: 1" in r.stdout.decode()
	st = os.stat(user.ssh_dir)
	assert stat.S_IMODE(st.st_mode) == 0o700
	assert (st.st_uid, st.st_gid) == (user.uid, user.gid)
	st = os.stat(user.authorized_keys)
	assert stat.S_IMODE(st.st_mode) == 0o600
	assert (st.st_uid, st.st_gid) == (user.uid, user.gid)
	assert read(user.authorized_keys) == pub(key)
	r = login(sesh_bin, env, workdir, seshd.port, user, key)
	assert r.returncode == 0, r.stderr.decode()


def test_existing_file_with_final_newline_untouched(seshd, sesh_bin, env,
						    workdir, user, key):
	old = OLD_KEY.encode() + b"\n\n"
	write_as(user, user.authorized_keys, old, 0o640)
	r = copy_id(sesh_bin, env, workdir, seshd.port, user, "-i", key)
	assert r.returncode == 0, r.stderr.decode()
	assert read(user.authorized_keys) == old + pub(key)
	# an existing file keeps its mode (ssh-copy-id does not chmod)
	assert stat.S_IMODE(os.stat(user.authorized_keys).st_mode) == 0o640


def test_dry_run_changes_nothing(seshd, sesh_bin, env, workdir, user, key):
	r = copy_id(sesh_bin, env, workdir, seshd.port, user, "-n", "-i", key)
	out = r.stdout.decode()
	assert r.returncode == 0, out + r.stderr.decode()
	assert "Would have added the following key(s):\n\n" + \
		pub(key).decode() in out
	assert "=-=-=-=-=-=-=-=" in out
	assert not os.path.exists(user.ssh_dir)
	assert cu.prompts(workdir) == []  # no password login


def test_default_identity_is_newest_pub(seshd, sesh_bin, env, workdir, user,
					key):
	newer = str(workdir / ".ssh" / "id_ecdsa")
	subprocess.run([sesh_bin("sesh-keygen"), "-q", "-t", "ecdsa", "-N",
			"", "-f", newer], check=True)
	old_t = time.time() - 3600
	os.utime(key + ".pub", (old_t, old_t))
	# a certificate is never the default
	shutil.copy(newer + ".pub", newer + "-cert.pub")
	r = subprocess.run([sesh_bin("sesh-copy-id")] +
			   opts(workdir, seshd.port) +
			   [f"{user.name}@127.0.0.1"], env=env,
			   capture_output=True, timeout=60)
	assert r.returncode == 0, r.stderr.decode()
	assert f'Source of key(s) to be installed: "{newer}.pub"' in \
		r.stderr.decode()
	assert read(user.authorized_keys) == pub(newer)


def test_agent_keys_when_no_i(seshd, sesh_bin, env, workdir, user, key):
	agent = shutil.which("ssh-agent")
	add = shutil.which("ssh-add")
	if agent is None or add is None:
		pytest.skip("ssh-agent not installed")
	sock = str(workdir / "agent.sock")
	proc = subprocess.Popen([agent, "-D", "-a", sock],
				stdout=subprocess.DEVNULL)
	try:
		deadline = time.monotonic() + 10
		while not os.path.exists(sock):
			assert time.monotonic() < deadline, "no agent socket"
			time.sleep(0.02)
		aenv = dict(env)
		aenv["SSH_AUTH_SOCK"] = sock
		subprocess.run([add, "-q", key], env=aenv, check=True,
			       capture_output=True)
		os.unlink(key + ".pub")  # only the agent can give the key
		r = subprocess.run([sesh_bin("sesh-copy-id")] +
				   opts(workdir, seshd.port) +
				   [f"{user.name}@127.0.0.1"], env=aenv,
				   capture_output=True, timeout=60)
		assert r.returncode == 0, r.stderr.decode()
		assert "Number of key(s) added: 1" in r.stdout.decode()
		lines = read(user.authorized_keys).decode().splitlines()
		assert len(lines) == 1
		blob = lines[0].split()[1]
		ak = subprocess.run([add, "-L"], env=aenv, capture_output=True)
		assert blob in ak.stdout.decode()
		# the agent's key is now installed: a second run skips it
		r = subprocess.run([sesh_bin("sesh-copy-id")] +
				   opts(workdir, seshd.port) +
				   [f"{user.name}@127.0.0.1"], env=aenv,
				   capture_output=True, timeout=60)
		assert r.returncode == 0, r.stderr.decode()
		assert "All keys were skipped" in r.stderr.decode()
	finally:
		proc.terminate()
		proc.wait(10)


def test_wrong_password_fails_and_keeps_file(seshd, sesh_bin, workdir,
					     sesh_env, user, key):
	env = cu.askpass_env(workdir, sesh_env, password="not-the-password")
	write_as(user, user.authorized_keys, OLD_KEY.encode() + b"\n", 0o600)
	r = copy_id(sesh_bin, env, workdir, seshd.port, user, "-i", key,
		    "-o", "NumberOfPasswordPrompts=1")
	assert r.returncode == 1, r.stdout.decode() + r.stderr.decode()
	assert "Number of key(s) added" not in r.stdout.decode()
	assert read(user.authorized_keys) == OLD_KEY.encode() + b"\n"


def test_usage_and_errors(sesh_bin, workdir, sesh_env, key):
	prog = sesh_bin("sesh-copy-id")

	def run(*args):
		return subprocess.run([prog] + list(args), env=sesh_env,
				      capture_output=True, timeout=30)

	r = run()
	assert r.returncode == 1
	assert "Usage: " in r.stderr.decode()
	assert "-n: dry run" in r.stderr.decode()
	for flag in ("-h", "-?"):
		r = run(flag)
		assert r.returncode == 1 and "Usage: " in r.stderr.decode()
	r = run("-x", "host")
	assert r.returncode == 1 and "Usage: " in r.stderr.decode()
	r = run("a", "b")
	assert r.returncode == 1
	assert "ERROR: Too many arguments." in r.stderr.decode()
	r = run("-i", key, "-i", key, "host")
	assert r.returncode == 1
	assert "ERROR: -i option must not be specified more than once" in \
		r.stderr.decode()
	r = run("-i", str(workdir / "nope"), "host")
	assert r.returncode == 1
	assert (f"ERROR: failed to open ID file '{workdir}/nope.pub': "
		"No such file") in r.stdout.decode()
	# a .pub without its private key: only -f installs it
	os.unlink(key)
	r = run("-i", key + ".pub", "host")
	assert r.returncode == 1
	assert "(to install the contents of" in r.stdout.decode()
	r = run("-s", "-i", key + ".pub", "-f", "host")
	assert r.returncode == 1
	assert "not supported" in r.stderr.decode()
	# no key at all
	shutil.rmtree(workdir / ".ssh")
	r = run("host")
	assert r.returncode == 1
	assert "ERROR: No identities found" in r.stderr.decode()


def test_unreachable_host_reports_error(sesh_bin, env, workdir, user, key):
	port = seshd_util.free_port()
	r = copy_id(sesh_bin, env, workdir, port, user, "-i", key)
	assert r.returncode == 1
	err = r.stderr.decode()
	assert re.search(r"ERROR: .*(refused|connect)", err), err


def test_against_openssh_sshd(sesh_bin, env, workdir, user, key):
	if not os.access(cu.SSHD, os.X_OK):
		pytest.skip("OpenSSH's sshd is not installed")
	old = OLD_KEY.encode()  # no final newline
	write_as(user, user.authorized_keys, old, 0o600)
	sshd = cu.start_sshd(workdir)
	try:
		r = copy_id(sesh_bin, env, workdir, sshd.port, user, "-i", key)
		assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
		assert "Number of key(s) added: 1" in r.stdout.decode()
		assert read(user.authorized_keys) == old + b"\n" + pub(key)
		r = login(sesh_bin, env, workdir, sshd.port, user, key)
		assert r.returncode == 0, r.stderr.decode()
		assert "Accepted publickey for " + user.name in sshd.log_text()
		r = copy_id(sesh_bin, env, workdir, sshd.port, user, "-i", key)
		assert r.returncode == 0
		assert "All keys were skipped" in r.stderr.decode()
		assert read(user.authorized_keys) == old + b"\n" + pub(key)
	finally:
		sshd.stop()


def test_openssh_ssh_copy_id_against_seshd(seshd, sesh_bin, env, workdir,
					   user, key):
	prog = shutil.which("ssh-copy-id")
	if prog is None or shutil.which("ssh") is None:
		pytest.skip("OpenSSH's ssh-copy-id is not installed")
	r = copy_id(sesh_bin, env, workdir, seshd.port, user, "-i", key,
		    prog=prog)
	assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
	assert "Number of key(s) added: 1" in r.stdout.decode()
	assert read(user.authorized_keys) == pub(key)
	assert stat.S_IMODE(os.stat(user.ssh_dir).st_mode) == 0o700
	r = login(sesh_bin, env, workdir, seshd.port, user, key)
	assert r.returncode == 0, r.stderr.decode()
	r = copy_id(sesh_bin, env, workdir, seshd.port, user, "-i", key,
		    prog=prog)
	assert r.returncode == 0
	assert "All keys were skipped" in r.stderr.decode()
	assert read(user.authorized_keys) == pub(key)
