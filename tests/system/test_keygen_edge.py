"""
sesh-keygen against OpenSSH's ssh-keygen on edge cases of option parsing
and of known_hosts editing: same message (ignoring OpenSSH's "\r\n" line
ends), same exit status, same resulting file.
"""

import shutil
import subprocess

import pytest

OSSH = shutil.which("ssh-keygen")


def run(argv, env, cwd):
	r = subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
			   capture_output=True, text=True, timeout=120)
	return r.returncode, r.stdout.replace("\r", ""), \
		r.stderr.replace("\r", "")


@pytest.fixture
def both(sesh_bin, sesh_env, workdir):
	if OSSH is None:
		pytest.skip("OpenSSH's ssh-keygen is not installed")
	ours = sesh_bin("sesh-keygen")

	def go(*args):
		theirs = run([OSSH, *args], sesh_env, workdir)
		mine = run([ours, *args], sesh_env, workdir)
		return theirs, mine
	return go


@pytest.mark.parametrize("args", [
	["-f"],                                   # missing argument
	["-t", "rsa", "-b", "-5", "-N", "", "-f", "k"],
	["-t", "rsa", "-b", "4294967295", "-N", "", "-f", "k"],
	["-t", "rsa", "-b", "4294967296", "-N", "", "-f", "k"],
	["-t", "ecdsa", "-b", "200000", "-N", "", "-f", "k"],
])
def test_option_errors_match(both, args):
	(rc1, _, err1), (rc2, _, err2) = both(*args)
	assert rc2 == rc1
	first = err1.splitlines()[0]
	assert err2.splitlines()[0] == first.replace("ssh-keygen", "sesh-keygen")


def test_damaged_line_does_not_block_remove_or_find(sesh_bin, sesh_env,
						       workdir):
	"""ssh-keygen -R/-F check a line's key type, not its base64 body."""
	if OSSH is None:
		pytest.skip("OpenSSH's ssh-keygen is not installed")
	ours = sesh_bin("sesh-keygen")
	good = ("good ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdC8vBXxAZlPxPUnmmGO"
		"kYURxNxAt0AIWqWkCPQfNII\n")
	text = ("damaged ssh-ed25519 AAAAbroken\n" + good +
		"short ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAYQDbad\n")
	for name in ("theirs", "ours"):
		(workdir / name).write_text(text)
	theirs = run([OSSH, "-F", "damaged", "-f", "theirs"], sesh_env, workdir)
	mine = run([ours, "-F", "damaged", "-f", "ours"], sesh_env, workdir)
	assert theirs[0] == 0 and "damaged ssh-ed25519" in theirs[1]
	assert mine[:2] == theirs[:2]
	theirs = run([OSSH, "-R", "good", "-f", "theirs"], sesh_env, workdir)
	mine = run([ours, "-R", "good", "-f", "ours"], sesh_env, workdir)
	assert theirs[0] == 0
	assert mine[0] == 0, mine[2]
	assert mine[1].replace("ours", "theirs") == theirs[1]
	assert (workdir / "ours").read_text() == \
		(workdir / "theirs").read_text() == text.replace(good, "")
	assert (workdir / "ours.old").read_text() == text
