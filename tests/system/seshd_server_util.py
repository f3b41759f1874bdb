"""
seshd_server_util.py - helpers for the seshd server tests
(test_seshd_*.py, not the daemon's own test_seshd_daemon.py).

    user = make_user()            # "seshs" + random digits, useradd -m,
    ...                           # /bin/bash, a password, ~/.ssh
    remove_user(user)             # userdel -r (teardown, also on failure)

    key = make_key(dir, "ed25519")          # OpenSSH ssh-keygen, no passphrase
    authorize(user, [pub_line], options)    # ~user/.ssh/authorized_keys
    ssh_argv(port, key, "user@127.0.0.1", "cmd", "-o", "X=y")
    run_ssh(...)                  # subprocess.run of that, with a timeout
    askpass_env(dir, password)    # env for SSH_ASKPASS_REQUIRE=force
    pam_service()                 # a PAM stack for seshd's tests,
                                  # /etc/pam.d/sesh-test-server
                                  # (common-auth/account/session)

Users, keys and config files are made in the test's temporary folder;
a created user's home is under /home as useradd makes it.
"""

import os
import pwd
import random
import shutil
import subprocess

SSH = shutil.which("ssh") or "/usr/bin/ssh"
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
PAM_SERVICE = "sesh-test-server"
PAM_STACK = """# seshd's system tests (tests/system/seshd_server_util.py)
@include common-auth
@include common-account
@include common-session-noninteractive
"""
PASSWORD = "Sesh-test-pw-9!"


class User:
	def __init__(self, name, password):
		self.name = name
		self.password = password
		pw = pwd.getpwnam(name)
		self.uid = pw.pw_uid
		self.gid = pw.pw_gid
		self.home = pw.pw_dir


def make_user(password=PASSWORD, shell="/bin/bash"):
	"""Creates seshsNNNNNN with a home, a shell and a password."""
	for _ in range(20):
		name = "seshs%06d" % random.randrange(10**6)
		try:
			pwd.getpwnam(name)
			continue
		except KeyError:
			pass
		r = subprocess.run(["useradd", "-m", "-s", shell, name],
				   capture_output=True)
		if r.returncode == 0:
			break
	else:
		raise AssertionError("useradd failed: " + r.stderr.decode())
	if password is not None:
		subprocess.run(["chpasswd"], input=f"{name}:{password}\n".encode(),
			       check=True)
	u = User(name, password)
	ssh_dir = os.path.join(u.home, ".ssh")
	os.makedirs(ssh_dir, mode=0o700, exist_ok=True)
	os.chown(ssh_dir, u.uid, u.gid)
	return u


def remove_user(user):
	if user is None:
		return
	name = user.name if isinstance(user, User) else user
	subprocess.run(["userdel", "-r", "-f", name], capture_output=True)


def make_key(directory, ktype="ed25519", bits=None, name=None):
	path = os.path.join(str(directory), name or f"id_{ktype}{bits or ''}")
	argv = [SSH_KEYGEN, "-q", "-t", ktype, "-N", "", "-f", path]
	if bits:
		argv += ["-b", str(bits)]
	if not os.path.exists(path):
		subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
	return path


def pub_line(key_path):
	with open(key_path + ".pub") as f:
		return f.read().strip()


def authorize(user, lines, mode=0o600):
	"""Writes ~user/.ssh/authorized_keys with lines (owned by user)."""
	path = os.path.join(user.home, ".ssh", "authorized_keys")
	with open(path, "w") as f:
		for line in lines:
			f.write(line + "\n")
	os.chown(path, user.uid, user.gid)
	os.chmod(path, mode)
	return path


def ssh_argv(port, key, dest, command=None, *opts, tty=False):
	# ssh takes the first value of an option: the caller's come first
	argv = [SSH, "-F", "none", "-p", str(port)] + list(opts) + [
		"-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null",
		"-o", "LogLevel=ERROR",
		"-o", "ConnectTimeout=10"]
	if key is not None:
		argv += ["-i", key, "-o", "IdentitiesOnly=yes",
			 "-o", "BatchMode=yes"]
	argv += ["-tt"] if tty else ["-T"]
	argv.append(dest)
	if command is not None:
		argv.append(command)
	return argv


def run_ssh(port, key, dest, command, *opts, stdin=b"", timeout=60,
	    env=None):
	return subprocess.run(ssh_argv(port, key, dest, command, *opts),
			      input=stdin, capture_output=True, timeout=timeout,
			      env=env)


def askpass_env(directory, password, base=None):
	"""An environment in which ssh reads the password from a script."""
	script = os.path.join(str(directory), "askpass.sh")
	with open(script, "w") as f:
		f.write("#!/bin/sh\nprintf '%s\\n' '" + password.replace("'", "")
			+ "'\n")
	os.chmod(script, 0o700)
	env = dict(base if base is not None else os.environ)
	env["SSH_ASKPASS"] = script
	env["SSH_ASKPASS_REQUIRE"] = "force"
	env["DISPLAY"] = ":0"
	env.pop("SSH_AUTH_SOCK", None)
	return env


def password_opts(methods="password", tries=1):
	return ["-o", f"PreferredAuthentications={methods}",
		"-o", "PubkeyAuthentication=no",
		"-o", f"NumberOfPasswordPrompts={tries}"]


def pam_service():
	"""The PAM stack the tests name with PAMServiceName."""
	path = os.path.join("/etc/pam.d", PAM_SERVICE)
	try:
		with open(path) as f:
			if f.read() == PAM_STACK:
				return PAM_SERVICE
	except OSError:
		pass
	tmp = path + ".tmp%d" % os.getpid()
	with open(tmp, "w") as f:
		f.write(PAM_STACK)
	os.rename(tmp, path)
	return PAM_SERVICE
