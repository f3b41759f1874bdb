"""
seshd's authentication, with OpenSSH's ssh as the client: publickey with
every key type (and sshd's "Accepted publickey ... ED25519 SHA256:..."
log line), authorized_keys options (command=, from= allowing and
denying, no-pty, restrict, expiry-time), StrictModes refusals, password
and keyboard-interactive through PAM for a created user ("Failed
password", "Invalid user" log lines), PermitRootLogin's values,
PermitEmptyPasswords, PasswordAuthentication no, AuthenticationMethods
publickey,password, AllowUsers/DenyUsers, MaxAuthTries, LoginGraceTime
with a silent client, Banner, and a SIGHUP reload that picks up a new
Banner.

Needs root (users are created and removed: "seshs" + digits); skipped
otherwise.
"""

import os
import re
import signal
import socket
import subprocess
import time

import pytest

import seshd_server_util as su
from seshd_util import start_seshd

KEY_TYPES = [("ed25519", None, "ED25519"), ("ecdsa", 256, "ECDSA"),
	     ("ecdsa", 384, "ECDSA"), ("ecdsa", 521, "ECDSA"),
	     ("rsa", 3072, "RSA")]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
	if os.geteuid() != 0:
		pytest.skip("creates users and logs them in: needs root")
	d = tmp_path_factory.mktemp("seshd_auth")
	user = su.make_user()
	try:
		keys = {}
		for t, bits, _ in KEY_TYPES:
			keys[(t, bits)] = su.make_key(d, t, bits)
		other = su.make_key(d, "ed25519", name="other_ed25519")
		# the ed25519 key is the one tests expect to work
		su.authorize(user, [su.pub_line(keys[("ed25519", None)])])
		yield {"user": user, "keys": keys, "other": other, "dir": d,
		       "pam": su.pam_service()}
	finally:
		su.remove_user(user)


def base_lines(env):
	return ["UsePAM yes", f"PAMServiceName {env['pam']}",
		"LogLevel VERBOSE", "PrintMotd no", "PrintLastLog no"]


@pytest.fixture(scope="module")
def base(env, sesh_bin, tmp_path_factory):
	"""One seshd with the defaults (StrictModes yes, user's own file)."""
	d = tmp_path_factory.mktemp("seshd_base")
	sd = start_seshd(sesh_bin, d, base_lines(env))
	try:
		yield sd
	finally:
		sd.stop()


def dest(env):
	return f"{env['user'].name}@127.0.0.1"


def ssh_key(sd, env, key, command="echo ok", *opts):
	return su.run_ssh(sd.port, key, dest(env), command, *opts)


def ssh_pw(sd, env, password, command="echo ok", user=None,
	   methods="password", extra=()):
	e = su.askpass_env(env["dir"], password)
	argv = su.ssh_argv(sd.port, None, f"{user or env['user'].name}"
			   "@127.0.0.1", command,
			   *su.password_opts(methods), *extra)
	return subprocess.run(argv, capture_output=True, timeout=60, env=e,
			      stdin=subprocess.DEVNULL)


def fingerprint(key):
	r = subprocess.run([su.SSH_KEYGEN, "-l", "-E", "sha256", "-f",
			    key + ".pub"], capture_output=True, check=True)
	return r.stdout.split()[1].decode()


def key0(env):
	return env["keys"][("ed25519", None)]


@pytest.fixture
def restore_keys(env):
	yield
	su.authorize(env["user"], [su.pub_line(key0(env))])
	os.chmod(os.path.join(env["user"].home, ".ssh"), 0o700)
	os.chmod(env["user"].home, 0o755)


# ---- publickey ----

@pytest.mark.parametrize("ktype,bits,short", KEY_TYPES)
def test_publickey_every_key_type(env, base, restore_keys, ktype, bits,
				  short):
	key = env["keys"][(ktype, bits)]
	su.authorize(env["user"], [su.pub_line(key)])
	r = ssh_key(base, env, key, "echo ok")
	assert r.returncode == 0, r.stderr + base.log_text().encode()
	assert r.stdout == b"ok\n"
	base.wait_log(re.compile(
		r"Accepted publickey for " + env["user"].name +
		r" from 127\.0\.0\.1 port \d+ ssh2: " + short + " " +
		re.escape(fingerprint(key))))


def test_publickey_wrong_key_refused(env, base, restore_keys):
	su.authorize(env["user"], [su.pub_line(key0(env))])
	r = ssh_key(base, env, env["other"])
	assert r.returncode == 255
	assert b"Permission denied" in r.stderr


def test_option_command(env, base, restore_keys):
	su.authorize(env["user"], [
		'command="echo forced:$SSH_ORIGINAL_COMMAND" ' +
		su.pub_line(key0(env))])
	r = ssh_key(base, env, key0(env), "echo asked")
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"forced:echo asked\n"


@pytest.mark.parametrize("pattern,ok", [("127.0.0.1", True),
					("10.9.8.7", False),
					("!127.0.0.1,*", False)])
def test_option_from(env, base, restore_keys, pattern, ok):
	su.authorize(env["user"], [f'from="{pattern}" ' +
				   su.pub_line(key0(env))])
	r = ssh_key(base, env, key0(env))
	assert (r.returncode == 0) == ok, r.stderr


@pytest.mark.parametrize("opt", ["no-pty", "restrict"])
def test_option_no_pty(env, base, restore_keys, opt):
	su.authorize(env["user"], [opt + " " + su.pub_line(key0(env))])
	argv = su.ssh_argv(base.port, key0(env), dest(env),
			   "tty; echo rc=$?", tty=True)
	r = subprocess.run(argv, capture_output=True, timeout=60,
			   stdin=subprocess.DEVNULL)
	# an explicitly requested pty that is refused ends OpenSSH's ssh
	assert b"PTY allocation request failed" in r.stderr, r.stderr
	assert b"/dev/pts" not in r.stdout
	# without asking for a pty the key still works
	r = ssh_key(base, env, key0(env), "tty; echo rc=$?")
	assert r.stdout == b"not a tty\nrc=1\n", r.stderr


def test_pty_allowed_without_options(env, base, restore_keys):
	argv = su.ssh_argv(base.port, key0(env), dest(env), "tty", tty=True)
	r = subprocess.run(argv, capture_output=True, timeout=60,
			   stdin=subprocess.DEVNULL)
	assert re.search(rb"/dev/pts/\d+", r.stdout), r.stdout + r.stderr


@pytest.mark.parametrize("when,ok", [("20000101", False),
				     ("29991231", True)])
def test_option_expiry_time(env, base, restore_keys, when, ok):
	su.authorize(env["user"], [f'expiry-time="{when}" ' +
				   su.pub_line(key0(env))])
	r = ssh_key(base, env, key0(env))
	assert (r.returncode == 0) == ok, r.stderr


@pytest.mark.parametrize("what", ["ssh_dir", "home", "file"])
def test_strict_modes_refuses_group_writable(env, base, restore_keys, what):
	u = env["user"]
	path = {"ssh_dir": os.path.join(u.home, ".ssh"), "home": u.home,
		"file": su.authorize(u, [su.pub_line(key0(env))])}[what]
	assert ssh_key(base, env, key0(env)).returncode == 0
	os.chmod(path, os.stat(path).st_mode | 0o020)
	r = ssh_key(base, env, key0(env))
	assert r.returncode == 255
	assert b"Permission denied" in r.stderr


# ---- password, keyboard-interactive (PAM) ----

def test_password_pam(env, base):
	r = ssh_pw(base, env, env["user"].password, "echo pw-ok")
	assert r.returncode == 0, r.stderr + base.log_text().encode()
	assert r.stdout == b"pw-ok\n"
	base.wait_log(re.compile(r"Accepted password for " + env["user"].name
				 + r" from 127\.0\.0\.1 port \d+ ssh2"))


def test_password_wrong_logged(env, base):
	r = ssh_pw(base, env, "not-the-password")
	assert r.returncode == 255
	assert b"Permission denied" in r.stderr
	base.wait_log(re.compile(r"Failed password for " + env["user"].name +
				 r" from 127\.0\.0\.1 port \d+ ssh2"))


def test_invalid_user_logged(env, base):
	r = ssh_pw(base, env, "whatever", user="seshsnosuchuser")
	assert r.returncode == 255
	assert b"Permission denied" in r.stderr
	base.wait_log(re.compile(
		r"Invalid user seshsnosuchuser from 127\.0\.0\.1 port \d+"))
	base.wait_log(re.compile(
		r"Failed password for invalid user seshsnosuchuser from "
		r"127\.0\.0\.1 port \d+ ssh2"))


def test_keyboard_interactive_pam(env, base):
	r = ssh_pw(base, env, env["user"].password, "echo ki-ok",
		   methods="keyboard-interactive")
	assert r.returncode == 0, r.stderr + base.log_text().encode()
	assert r.stdout == b"ki-ok\n"
	base.wait_log(re.compile(r"Accepted keyboard-interactive/pam for " +
				 env["user"].name))


def test_password_authentication_no(env, sesh_bin, tmp_path):
	with start_seshd(sesh_bin, tmp_path,
			 ["PasswordAuthentication no",
			  "KbdInteractiveAuthentication no"] +
			 base_lines(env)) as sd:
		r = ssh_pw(sd, env, env["user"].password)
		assert r.returncode == 255
		assert b"Permission denied (publickey)" in r.stderr
		assert ssh_key(sd, env, key0(env)).returncode == 0


def test_permit_empty_passwords(env, sesh_bin, tmp_path):
	u = su.make_user(password=None)
	try:
		subprocess.run(["passwd", "-d", u.name], check=True,
			       capture_output=True)
		argv = su.ssh_argv(0, None, f"{u.name}@127.0.0.1", "echo empty",
				   "-o", "BatchMode=yes",
				   "-o", "PubkeyAuthentication=no")
		for permit, ok in (("no", False), ("yes", True)):
			d = tmp_path / permit
			d.mkdir()
			with start_seshd(sesh_bin, d,
					 [f"PermitEmptyPasswords {permit}"] +
					 base_lines(env)) as sd:
				argv[argv.index("-p") + 1] = str(sd.port)
				r = subprocess.run(argv, capture_output=True,
						   timeout=60,
						   stdin=subprocess.DEVNULL)
				assert (r.returncode == 0) == ok, (
					r.stderr + sd.log_text().encode())
				if ok:
					assert r.stdout == b"empty\n"
	finally:
		su.remove_user(u)


def test_authentication_methods_publickey_password(env, sesh_bin, tmp_path):
	with start_seshd(sesh_bin, tmp_path,
			 ["AuthenticationMethods publickey,password"] +
			 base_lines(env)) as sd:
		# the key alone is only a partial success
		r = ssh_key(sd, env, key0(env))
		assert r.returncode == 255
		# the password alone is not offered first
		r = ssh_pw(sd, env, env["user"].password)
		assert r.returncode == 255
		# both, in order
		e = su.askpass_env(env["dir"], env["user"].password)
		argv = su.ssh_argv(sd.port, key0(env), dest(env), "echo both",
				   "-o", "BatchMode=no",
				   "-o", "PreferredAuthentications="
				   "publickey,password")
		r = subprocess.run(argv, capture_output=True, timeout=60,
				   env=e, stdin=subprocess.DEVNULL)
		assert r.returncode == 0, r.stderr + sd.log_text().encode()
		assert r.stdout == b"both\n"
		sd.wait_log(re.compile(r"Partial publickey for " +
				       env["user"].name))
		sd.wait_log(re.compile(r"Accepted password for " +
				       env["user"].name))


@pytest.mark.parametrize("lines,ok", [
	(["AllowUsers nobody-else"], False),
	(["AllowUsers {u}"], True),
	(["DenyUsers {u}"], False),
	(["DenyUsers nobody-else"], True),
	(["AllowUsers {u}@10.1.2.3"], False),
	(["AllowUsers {u}@127.0.0.1"], True),
])
def test_allow_deny_users(env, sesh_bin, tmp_path, lines, ok):
	lines = [l.format(u=env["user"].name) for l in lines]
	with start_seshd(sesh_bin, tmp_path, lines + base_lines(env)) as sd:
		r = ssh_key(sd, env, key0(env))
		assert (r.returncode == 0) == ok, r.stderr
		if not ok:
			sd.wait_log(re.compile(r"User " + env["user"].name +
					       r" from 127\.0\.0\.1 not allowed"))


def test_max_auth_tries(env, sesh_bin, tmp_path):
	extra = [su.make_key(tmp_path, "ed25519", name=f"wrong{i}")
		 for i in range(3)]
	with start_seshd(sesh_bin, tmp_path,
			 ["MaxAuthTries 2"] + base_lines(env)) as sd:
		argv = su.ssh_argv(sd.port, None, dest(env), "echo no",
				   "-o", "BatchMode=yes",
				   "-o", "IdentitiesOnly=yes",
				   "-o", "PreferredAuthentications=publickey",
				   *sum((["-i", k] for k in extra + [key0(env)]),
					[]))
		r = subprocess.run(argv, capture_output=True, timeout=60,
				   stdin=subprocess.DEVNULL)
		assert r.returncode == 255
		assert b"Too many authentication failures" in r.stderr
		sd.wait_log(re.compile(
			r"Disconnecting authenticating user " +
			env["user"].name + r" 127\.0\.0\.1 port \d+: "
			r"Too many authentication failures"))
		# fewer failures than the limit: the good key gets through
		argv = su.ssh_argv(sd.port, None, dest(env), "echo yes",
				   "-o", "BatchMode=yes",
				   "-o", "IdentitiesOnly=yes",
				   "-i", extra[0], "-i", key0(env))
		r = subprocess.run(argv, capture_output=True, timeout=60,
				   stdin=subprocess.DEVNULL)
		assert r.returncode == 0, r.stderr
		assert r.stdout == b"yes\n"


def test_login_grace_time_silent_client(env, sesh_bin, tmp_path):
	with start_seshd(sesh_bin, tmp_path,
			 ["LoginGraceTime 2"] + base_lines(env)) as sd:
		s = socket.create_connection(("127.0.0.1", sd.port), 10)
		t0 = time.monotonic()
		s.settimeout(1)
		closed = False
		while time.monotonic() - t0 < 15:
			try:
				if s.recv(4096) == b"":
					closed = True
					break
			except socket.timeout:
				continue
			except OSError:
				closed = True
				break
		elapsed = time.monotonic() - t0
		s.close()
		assert closed, "seshd kept a silent client past LoginGraceTime"
		assert 1.5 <= elapsed < 10
		sd.wait_log(re.compile(r"Timeout before authentication for "
				       r"127\.0\.0\.1 port \d+"))


def test_banner_and_sighup_reload(env, sesh_bin, tmp_path):
	b1 = tmp_path / "banner1"
	b1.write_text("Welcome to banner one\n")
	b2 = tmp_path / "banner2"
	b2.write_text("And now banner two\n")
	with start_seshd(sesh_bin, tmp_path,
			 [f"Banner {b1}"] + base_lines(env)) as sd:
		r = ssh_key(sd, env, key0(env), "true", "-o", "LogLevel=INFO")
		assert r.returncode == 0, r.stderr
		assert b"Welcome to banner one" in r.stderr
		with open(sd.config) as f:
			text = f.read()
		with open(sd.config, "w") as f:
			f.write(text.replace(f"Banner {b1}", f"Banner {b2}"))
		sd.proc.send_signal(signal.SIGHUP)
		deadline = time.monotonic() + 15
		while True:
			try:
				r = ssh_key(sd, env, key0(env), "true",
					    "-o", "LogLevel=INFO")
			except subprocess.TimeoutExpired:
				r = None
			if r is not None and b"banner two" in r.stderr:
				break
			assert time.monotonic() < deadline, (
				"the new Banner never showed: " +
				sd.log_text())
			time.sleep(0.1)
		assert r.returncode == 0


# ---- PermitRootLogin ----

@pytest.fixture(scope="module")
def root_env(env, tmp_path_factory):
	"""Root's key in a private AuthorizedKeysFile, and a uid-0 alias
	user with a known password (root's own password is never
	touched)."""
	d = tmp_path_factory.mktemp("seshd_root")
	key = su.make_key(d, "ed25519", name="root_key")
	ak = d / "ak_root"
	ak.write_text(su.pub_line(key) + "\n")
	forced = d / "ak_forced"
	forced.write_text('command="echo forced-root" ' + su.pub_line(key) +
			  "\n")
	os.chmod(ak, 0o600)
	os.chmod(forced, 0o600)
	alias = None
	for _ in range(20):
		name = "seshs%06d" % int.from_bytes(os.urandom(3), "big")
		r = subprocess.run(["useradd", "-o", "-u", "0", "-g", "0", "-M",
				    "-d", str(d), "-s", "/bin/sh", name],
				   capture_output=True)
		if r.returncode == 0:
			alias = name
			break
	try:
		if alias is not None:
			subprocess.run(["chpasswd"], check=True,
				       input=f"{alias}:{su.PASSWORD}\n".encode())
		yield {"key": key, "ak": str(ak), "forced": str(forced),
		       "alias": alias, "dir": d}
	finally:
		if alias is not None:
			subprocess.run(["userdel", "-f", alias],
				       capture_output=True)


@pytest.mark.parametrize("value,pub,forced,pw", [
	("yes", True, True, True),
	("prohibit-password", True, True, False),
	("forced-commands-only", False, True, False),
	("no", False, False, False),
])
def test_permit_root_login(env, root_env, sesh_bin, tmp_path, value, pub,
			   forced, pw):
	for akf, want in ((root_env["ak"], pub), (root_env["forced"], forced)):
		d = tmp_path / os.path.basename(akf)
		d.mkdir()
		with start_seshd(sesh_bin, d,
				 [f"PermitRootLogin {value}",
				  f"AuthorizedKeysFile {akf}",
				  "StrictModes no"] + base_lines(env)) as sd:
			r = su.run_ssh(sd.port, root_env["key"], "root@127.0.0.1",
				       "echo root-ok")
			assert (r.returncode == 0) == want, (
				value, akf, r.stderr, sd.log_text())
			if want:
				assert r.stdout in (b"root-ok\n",
						    b"forced-root\n")
			if root_env["alias"] is not None and akf == root_env["ak"]:
				r = ssh_pw(sd, {"dir": root_env["dir"],
						"user": env["user"]},
					   su.PASSWORD, "echo alias-ok",
					   user=root_env["alias"])
				assert (r.returncode == 0) == pw, (
					value, r.stderr, sd.log_text())
