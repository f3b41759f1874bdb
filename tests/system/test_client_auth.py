"""
sesh's authentication and host key checks against OpenSSH's sshd (as
root; a local test user "seshc<digits>" is created with useradd and
removed with userdel -r, whatever the outcome): password and
keyboard-interactive (PAM) answered by SSH_ASKPASS, NumberOfPasswordPrompts,
partial success (AuthenticationMethods publickey,password), an encrypted
key's passphrase, keys from OpenSSH's ssh-agent (and IdentitiesOnly),
RSA user keys, an unknown host under BatchMode, a changed host key, the
global known_hosts list and HostKeyAlias.
"""

import os
import shutil
import socket
import subprocess

import pytest

from client_util import (Sshd, LocalUser, askpass_script, keygen,
			 need_root_sshd, wait_for)

PASSWORD = "Tr0ub4dor&3-sesh"


@pytest.fixture(scope="module")
def user():
	need_root_sshd()
	u = LocalUser(PASSWORD)
	yield u
	u.close()


@pytest.fixture(scope="module")
def user2():
	need_root_sshd()
	u = LocalUser(PASSWORD + "-2")
	yield u
	u.close()


@pytest.fixture(scope="module")
def srv(tmp_path_factory, user, user2):
	d = tmp_path_factory.mktemp("auth")
	extra_keys = []
	# an encrypted key and an RSA key, both authorized
	extra_keys.append(keygen(d / "enc_ed25519", passphrase="open sesame")
			  + ".pub")
	extra_keys.append(keygen(d / "user_rsa", "rsa", 2048) + ".pub")
	extra_keys.append(keygen(d / "agent_ecdsa", "ecdsa", 256) + ".pub")
	s = Sshd(d, extra=(
		f"Match User {user2.name}\n"
		"  AuthenticationMethods publickey,password\n"
		"  AuthorizedKeysFile %h/.ssh/authorized_keys\n"
		"Match all\n"
		"PasswordAuthentication yes\n"
		"KbdInteractiveAuthentication yes\n"
		"UsePAM yes\n"), authorized=extra_keys)
	yield s
	s.stop()


@pytest.fixture(scope="module")
def srv_nopam(tmp_path_factory, user):
	"""Password authentication without PAM (no PAM failure delay)."""
	s = Sshd(tmp_path_factory.mktemp("nopam"),
		 extra="PasswordAuthentication yes\n")
	yield s
	s.stop()


def askpass_env(env, script, require="force"):
	e = dict(env)
	e["SSH_ASKPASS"] = script
	e["SSH_ASKPASS_REQUIRE"] = require
	return e


def test_password_askpass(srv, user, sesh_bin, sesh_env, tmp_path):
	log = tmp_path / "prompts"
	env = askpass_env(sesh_env, askpass_script(tmp_path, PASSWORD, log))
	r = srv.run(sesh_bin("sesh"), env, "-o",
		    "PreferredAuthentications=password", cmd="id -un",
		    key=False, batch=False, user=user.name)
	assert r.returncode == 0, r.stderr
	assert r.stdout.decode() == user.name + "\n"
	assert log.read_text() == f"{user.name}@127.0.0.1's password: \n"


def test_keyboard_interactive(srv, user, sesh_bin, sesh_env, tmp_path):
	log = tmp_path / "prompts"
	env = askpass_env(sesh_env, askpass_script(tmp_path, PASSWORD, log))
	r = srv.run(sesh_bin("sesh"), env, "-o",
		    "PreferredAuthentications=keyboard-interactive",
		    cmd="id -un", key=False, batch=False, user=user.name)
	assert r.returncode == 0, r.stderr
	assert r.stdout.decode() == user.name + "\n"
	# PAM's prompt, through keyboard-interactive
	assert log.read_text() == "Password: \n"


def test_wrong_password_prompts(srv_nopam, user, sesh_bin, sesh_env,
				tmp_path):
	log = tmp_path / "prompts"
	env = askpass_env(sesh_env, askpass_script(tmp_path, "wrong", log))
	r = srv_nopam.run(sesh_bin("sesh"), env,
		    "-o", "PreferredAuthentications=password",
		    "-o", "NumberOfPasswordPrompts=2", cmd="true",
		    key=False, batch=False, user=user.name)
	assert r.returncode == 255
	assert log.read_text().count("password: ") == 2
	assert r.stderr.count(b"Permission denied, please try again.") == 1
	assert (f"{user.name}@127.0.0.1: Permission denied (".encode()
		in r.stderr)


def test_partial_success(srv, user2, sesh_bin, sesh_env, tmp_path):
	"""AuthenticationMethods publickey,password: the key gives partial
	success, then the password completes it."""
	home = os.path.expanduser("~" + user2.name)
	os.makedirs(home + "/.ssh", exist_ok=True)
	shutil.copy(srv.key + ".pub", home + "/.ssh/authorized_keys")
	shutil.chown(home + "/.ssh", user2.name)
	shutil.chown(home + "/.ssh/authorized_keys", user2.name)
	log = tmp_path / "prompts"
	env = askpass_env(sesh_env, askpass_script(tmp_path, user2.password,
						   log))
	r = srv.run(sesh_bin("sesh"), env, "-v", cmd="id -un", batch=False,
		    user=user2.name)
	assert r.returncode == 0, r.stderr
	assert r.stdout.decode() == user2.name + "\n"
	assert b"partial success" in r.stderr
	assert log.read_text() == f"{user2.name}@127.0.0.1's password: \n"
	assert f"Partial publickey for {user2.name}" in srv.log() or \
		f"Accepted publickey for {user2.name}" in srv.log()


def test_batch_mode_never_prompts(srv, user, sesh_bin, sesh_env, tmp_path):
	log = tmp_path / "prompts"
	env = askpass_env(sesh_env, askpass_script(tmp_path, PASSWORD, log))
	r = srv.run(sesh_bin("sesh"), env, cmd="true", key=False,
		    batch=True, user=user.name)
	assert r.returncode == 255
	assert not log.exists()
	assert b"Permission denied" in r.stderr


def test_askpass_needs_display_without_force(srv, user, sesh_bin,
					     sesh_env, tmp_path):
	"""Without a terminal, SSH_ASKPASS is used only with DISPLAY set
	(or SSH_ASKPASS_REQUIRE=force); SSH_ASKPASS_REQUIRE=never never."""
	log = tmp_path / "prompts"
	script = askpass_script(tmp_path, PASSWORD, log)
	argv = srv.argv(sesh_bin("sesh"), "-o",
			"PreferredAuthentications=password", cmd="id -un",
			key=False, batch=False, user=user.name)
	env = dict(sesh_env)
	env["SSH_ASKPASS"] = script
	r = subprocess.run(argv, env=env, capture_output=True, timeout=60,
			   stdin=subprocess.DEVNULL, start_new_session=True)
	assert r.returncode == 255
	assert not log.exists()
	env["DISPLAY"] = ":99"
	r = subprocess.run(argv, env=env, capture_output=True, timeout=60,
			   stdin=subprocess.DEVNULL, start_new_session=True)
	assert r.returncode == 0, r.stderr
	assert log.exists()
	log.unlink()
	env["SSH_ASKPASS_REQUIRE"] = "never"
	r = subprocess.run(argv, env=env, capture_output=True, timeout=60,
			   stdin=subprocess.DEVNULL, start_new_session=True)
	assert r.returncode == 255
	assert not log.exists()


def test_encrypted_key_passphrase(srv, sesh_bin, sesh_env, tmp_path):
	key = str(srv.dir / "enc_ed25519")
	log = tmp_path / "prompts"
	env = askpass_env(sesh_env, askpass_script(tmp_path, "open sesame",
						   log))
	r = srv.run(sesh_bin("sesh"), env, cmd="echo unlocked", key=key,
		    batch=False)
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"unlocked\n"
	assert log.read_text() == f"Enter passphrase for key '{key}': \n"
	# a wrong passphrase: asked NumberOfPasswordPrompts times, refused
	log.unlink()
	env = askpass_env(sesh_env, askpass_script(tmp_path, "nope", log))
	failed = srv.log().count("Failed publickey")
	r = srv.run(sesh_bin("sesh"), env, "-o",
		    "PreferredAuthentications=publickey", cmd="true", key=key,
		    batch=False)
	assert r.returncode == 255
	assert log.read_text().count("Enter passphrase") == 3
	# no signature was sent for the key it could not unlock, so the
	# server saw no failed signature (and spent no try on it)
	assert srv.log().count("Failed publickey") == failed
	assert "Permission denied (publickey" in r.stderr.decode()
	# a key the server does not take: no passphrase is asked (the public
	# half is queried first), as with ssh
	log.unlink()
	other = keygen(tmp_path / "enc_other", passphrase="open sesame")
	r = srv.run(sesh_bin("sesh"), env, "-o",
		    "PreferredAuthentications=publickey", cmd="true",
		    key=other, batch=False)
	assert r.returncode == 255
	assert not log.exists()
	# BatchMode: no prompt at all
	r = srv.run(sesh_bin("sesh"), env, cmd="true", key=key, batch=True)
	assert r.returncode == 255
	assert not log.exists()


def test_rsa_user_key(srv, sesh_bin, sesh_env):
	r = srv.run(sesh_bin("sesh"), sesh_env, cmd="echo rsa-ok",
		    key=str(srv.dir / "user_rsa"))
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"rsa-ok\n"
	assert "Accepted publickey for root from 127.0.0.1" in srv.log()


@pytest.fixture
def agent(srv, tmp_path):
	agent_bin = shutil.which("ssh-agent")
	add_bin = shutil.which("ssh-add")
	if agent_bin is None or add_bin is None:
		pytest.skip("OpenSSH's ssh-agent is not installed")
	sock = tmp_path / "agent.sock"
	p = subprocess.Popen([agent_bin, "-D", "-a", str(sock)],
			     stdout=subprocess.DEVNULL,
			     stderr=subprocess.DEVNULL)
	try:
		def listening():
			# the file appears at bind(), before listen()
			c = socket.socket(socket.AF_UNIX)
			try:
				c.connect(str(sock))
				return True
			except OSError:
				return False
			finally:
				c.close()
		assert wait_for(listening, 10)
		env = {"SSH_AUTH_SOCK": str(sock), "PATH": "/usr/bin:/bin"}
		subprocess.run([add_bin, str(srv.dir / "agent_ecdsa")],
			       env=env, check=True, capture_output=True)
		yield str(sock)
	finally:
		p.kill()
		p.wait()


def test_agent_key(srv, agent, sesh_bin, sesh_env, tmp_path):
	env = dict(sesh_env)
	env["SSH_AUTH_SOCK"] = agent
	# no identity file at all: only the agent holds the key
	r = srv.run(sesh_bin("sesh"), env, cmd="echo from-agent", key=False)
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"from-agent\n"
	assert "ECDSA" in srv.log().split("Accepted publickey")[-1][:300]


def test_identities_only_filters_agent(srv, agent, sesh_bin, sesh_env,
				       tmp_path):
	env = dict(sesh_env)
	env["SSH_AUTH_SOCK"] = agent
	other = keygen(tmp_path / "unauthorized")
	r = srv.run(sesh_bin("sesh"), env, "-o", "IdentitiesOnly=yes",
		    cmd="true", key=other)
	assert r.returncode == 255
	assert b"Permission denied (" in r.stderr
	# the identity file names the agent's key (only its .pub is here):
	# the agent signs
	pub_only = tmp_path / "agentkey"
	shutil.copy(str(srv.dir / "agent_ecdsa.pub"), str(pub_only) + ".pub")
	# (-i drops a missing file, as ssh does: IdentityFile keeps it)
	r = srv.run(sesh_bin("sesh"), env, "-o", "IdentitiesOnly=yes",
		    "-o", f"IdentityFile={pub_only}", cmd="echo matched",
		    key=False)
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"matched\n"


def test_identity_agent_none(srv, agent, sesh_bin, sesh_env):
	env = dict(sesh_env)
	env["SSH_AUTH_SOCK"] = agent
	r = srv.run(sesh_bin("sesh"), env, "-o", "IdentityAgent=none",
		    cmd="true", key=False)
	assert r.returncode == 255
	assert b"Permission denied" in r.stderr


def test_unknown_host_batch_refused(srv, sesh_bin, sesh_env):
	srv.known_hosts.write_text("")
	r = srv.run(sesh_bin("sesh"), sesh_env, cmd="echo no", trust=False,
		    batch=True)
	assert r.returncode == 255
	assert r.stdout == b""
	assert b"Host key verification failed." in r.stderr
	assert (f"No ED25519 host key is known for [127.0.0.1]:{srv.port} "
		"and you have requested strict checking.").encode() in r.stderr
	assert srv.known_hosts.read_text() == ""


def test_changed_host_key_refused(srv, sesh_bin, sesh_env, tmp_path):
	fake = keygen(tmp_path / "fake_host")
	pub = open(fake + ".pub").read().split()
	srv.known_hosts.write_text(
		f"[127.0.0.1]:{srv.port} {pub[0]} {pub[1]}\n")
	r = srv.run(sesh_bin("sesh"), sesh_env, cmd="echo no", trust=False,
		    batch=True)
	assert r.returncode == 255
	assert r.stdout == b""
	err = r.stderr.decode()
	assert "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!" in err
	assert "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!" in err
	assert f"Offending ED25519 key in {srv.known_hosts}:1" in err
	assert "Host key verification failed." in err


def test_global_known_hosts_and_alias(srv, sesh_bin, sesh_env, tmp_path):
	hk = open(srv.hostkeys[0] + ".pub").read().split()
	glob = tmp_path / "global_known_hosts"
	glob.write_text(f"[127.0.0.1]:{srv.port} {hk[0]} {hk[1]}\n")
	empty = tmp_path / "empty_kh"
	empty.write_text("")
	r = srv.run(sesh_bin("sesh"), sesh_env,
		    "-o", f"UserKnownHostsFile={empty}",
		    "-o", f"GlobalKnownHostsFile={glob}",
		    "-o", "StrictHostKeyChecking=yes", cmd="echo global",
		    trust=False)
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"global\n"
	alias = tmp_path / "alias_kh"
	alias.write_text(f"sesh-alias {hk[0]} {hk[1]}\n")
	r = srv.run(sesh_bin("sesh"), sesh_env,
		    "-o", f"UserKnownHostsFile={alias}",
		    "-o", "HostKeyAlias=sesh-alias",
		    "-o", "StrictHostKeyChecking=yes", cmd="echo alias",
		    trust=False)
	assert r.returncode == 0, r.stderr
	assert r.stdout == b"alias\n"
