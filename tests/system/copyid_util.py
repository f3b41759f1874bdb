"""
copyid_util.py - helpers for test_copy_id.py, test_guide.py and
test_install.py (sesh-copy-id, the guide's workflow, make install).

    u = make_user(password)       # "seshi" + digits, useradd -m, chpasswd
    remove_user(u)                # userdel -r -f (teardown)
    env = askpass_env(dir, base_env, password=..., passphrase=...)
                                  # SSH_ASKPASS_REQUIRE=force; the script
                                  # answers a "passphrase" prompt with the
                                  # passphrase, anything else with the
                                  # password, and logs each prompt to
                                  # <dir>/askpass.log
    prompts(dir)                  # the prompts askpass was asked, in order
    start_sshd(dir)               # OpenSSH's sshd -D on a free port
    install(build, prefix, etc, destdir=None)   # cmake --install
    wait_port(port, up=True)      # polls /proc/net/tcp until (not) listening
"""

import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import time

import seshd_util

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
PASSWORD = "Gu1de-Str0ng-pw!x7"


class User:
	def __init__(self, name, password):
		pw = pwd.getpwnam(name)
		self.name = name
		self.password = password
		self.uid = pw.pw_uid
		self.gid = pw.pw_gid
		self.home = pw.pw_dir

	@property
	def ssh_dir(self):
		return os.path.join(self.home, ".ssh")

	@property
	def authorized_keys(self):
		return os.path.join(self.home, ".ssh", "authorized_keys")


def make_user(password=PASSWORD):
	"""seshiNNNNNN with a home (no ~/.ssh), /bin/sh and a password
	(None: no password set; "": an empty password)."""
	for _ in range(20):
		name = "seshi%06d" % random.randrange(10**6)
		try:
			pwd.getpwnam(name)
			continue
		except KeyError:
			pass
		r = subprocess.run(["useradd", "-m", "-s", "/bin/sh", name],
				   capture_output=True)
		if r.returncode == 0:
			break
	else:
		raise AssertionError("useradd failed: " + r.stderr.decode())
	if password == "":
		subprocess.run(["passwd", "-d", name], check=True,
			       capture_output=True)
	elif password is not None:
		subprocess.run(["chpasswd"], check=True,
			       input=f"{name}:{password}\n".encode())
	return User(name, password)


def remove_user(u):
	if u is not None:
		subprocess.run(["userdel", "-r", "-f", u.name],
			       capture_output=True)


def askpass_env(directory, base, password=PASSWORD, passphrase=None):
	directory = str(directory)
	script = os.path.join(directory, "askpass.sh")
	log = os.path.join(directory, "askpass.log")

	def q(s):
		return "'" + (s or "").replace("'", "'\\''") + "'"

	with open(script, "w") as f:
		f.write("#!/bin/sh\n"
			f"printf '%s\\n' \"$1\" >> {q(log)}\n"
			"case \"$1\" in\n"
			f"*assphrase*) printf '%s\\n' {q(passphrase)} ;;\n"
			f"*) printf '%s\\n' {q(password)} ;;\n"
			"esac\n")
	os.chmod(script, 0o700)
	env = dict(base)
	env["SSH_ASKPASS"] = script
	env["SSH_ASKPASS_REQUIRE"] = "force"
	env["DISPLAY"] = ":0"
	env.pop("SSH_AUTH_SOCK", None)
	return env


def prompts(directory):
	try:
		with open(os.path.join(str(directory), "askpass.log")) as f:
			return f.read().splitlines()
	except OSError:
		return []


def clear_prompts(directory):
	try:
		os.unlink(os.path.join(str(directory), "askpass.log"))
	except OSError:
		pass


def wait_port(port, up=True, timeout=10):
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if (port in seshd_util.listening_ports()) == up:
			return True
		time.sleep(0.02)
	return False


class Sshd:
	def __init__(self, proc, port, log_path, log):
		self.proc = proc
		self.port = port
		self.log_path = log_path
		self._log = log

	def log_text(self):
		with open(self.log_path, "rb") as f:
			return f.read().decode("utf-8", "replace")

	def stop(self):
		if self.proc.poll() is None:
			self.proc.send_signal(signal.SIGTERM)
			try:
				self.proc.wait(10)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait(10)
		self._log.close()


def start_sshd(directory):
	"""OpenSSH's sshd in the foreground on 127.0.0.1, password and
	publickey logins, the users' own ~/.ssh/authorized_keys."""
	directory = str(directory)
	os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
	hostkey = os.path.join(directory, "sshd_host_ed25519")
	subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f",
			hostkey], check=True)
	cfg = os.path.join(directory, "sshd_config")
	log_path = os.path.join(directory, "sshd.log")
	for _ in range(5):
		port = seshd_util.free_port()
		with open(cfg, "w") as f:
			f.write(f"ListenAddress 127.0.0.1\nPort {port}\n"
				f"HostKey {hostkey}\n"
				"PasswordAuthentication yes\n"
				"KbdInteractiveAuthentication no\n"
				"UsePAM no\nPidFile none\n"
				"LogLevel VERBOSE\n")
		log = open(log_path, "wb")
		proc = subprocess.Popen([SSHD, "-D", "-e", "-f", cfg],
					stdout=log, stderr=subprocess.STDOUT,
					stdin=subprocess.DEVNULL)
		deadline = time.monotonic() + 10
		while time.monotonic() < deadline and proc.poll() is None:
			if port in seshd_util.listening_ports():
				return Sshd(proc, port, log_path, log)
			time.sleep(0.02)
		s = Sshd(proc, port, log_path, log)
		s.stop()
		if "in use" not in s.log_text():
			break
	raise AssertionError("sshd did not start:\n" + s.log_text())


def install(build, prefix, etc, destdir=None, timeout=120):
	"""cmake --install of build into prefix with SESH_SYSCONFDIR=etc;
	keeps the build's install_manifest.txt as it was (returns the
	manifest this install wrote)."""
	env = dict(os.environ)
	env["SESH_SYSCONFDIR"] = str(etc)
	if destdir is not None:
		env["DESTDIR"] = str(destdir)
	else:
		env.pop("DESTDIR", None)
	manifest = os.path.join(str(build), "install_manifest.txt")
	saved = None
	if os.path.exists(manifest):
		with open(manifest, "rb") as f:
			saved = f.read()
	try:
		r = subprocess.run(["cmake", "--install", str(build),
				    "--prefix", str(prefix)], env=env,
				   capture_output=True, timeout=timeout)
		assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
		with open(manifest) as f:
			mine = f.read().split()
	finally:
		if saved is not None:
			with open(manifest, "wb") as f:
				f.write(saved)
		elif os.path.exists(manifest):
			os.unlink(manifest)
	return r.stdout.decode(), mine
