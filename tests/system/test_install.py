"""
make install / make uninstall (issue 5): into a DESTDIR, PREFIX=/usr/local,
the system files in /etc (SESH_SYSCONFDIR) as Debian keeps /etc/ssh.

Checked: the programs, the man pages, the commented default seshd_config
(valid for `seshd -T`, UsePAM yes), the LSB init script (sh -n, the
installed paths), the PAM service, the systemd unit (Type=forking with
PIDFile, ExecReload HUP, host keys by sesh-keygen -A); nothing is written
outside DESTDIR; a second install keeps an edited seshd_config; uninstall
(the manifest) removes every installed file and keeps the configuration.
The cmake-level tests always run; the `make install/uninstall` one needs
the Makefile to pass DESTDIR to `cmake --install` (else it is skipped).
"""

import os
import pathlib
import re
import stat
import subprocess

import pytest

import copyid_util as cu

REPO = pathlib.Path(__file__).resolve().parents[2]
PROGRAMS = ["sesh", "seshd", "sesh-keygen", "sesh-copy-id"]
MAN = {"man1": ["sesh.1", "sesh-keygen.1", "sesh-copy-id.1"],
       "man5": ["seshd_config.5"], "man8": ["seshd.8"]}


def expected(root):
	root = pathlib.Path(root)
	files = [root / "usr/local/bin" / p for p in PROGRAMS]
	for sect, pages in MAN.items():
		files += [root / "usr/local/share/man" / sect / p for p in pages]
	files += [root / "etc/init.d/seshd", root / "etc/pam.d/seshd",
		  root / "usr/local/lib/systemd/system/seshd.service"]
	return files


def build_of(sesh_bin):
	sesh_bin("seshd")
	sesh_bin("sesh-copy-id")
	return os.path.dirname(os.path.dirname(sesh_bin("sesh")))


def check_tree(root, build, port=22):
	root = pathlib.Path(root)
	for f in expected(root):
		assert f.is_file(), f"{f} not installed"
	for p in PROGRAMS:
		assert os.access(root / "usr/local/bin" / p, os.X_OK)
	init = root / "etc/init.d/seshd"
	assert stat.S_IMODE(init.stat().st_mode) == 0o755
	r = subprocess.run(["sh", "-n", str(init)], capture_output=True)
	assert r.returncode == 0, r.stderr.decode()
	text = init.read_text()
	assert 'DAEMON="/usr/local/bin/seshd"' in text
	assert 'SYSCONFDIR="/etc"' in text
	assert "status_of_proc" in text
	for action in ("start)", "stop)", "restart)", "reload|force-reload)",
		       "status)"):
		assert action in text
	unit = (root / "usr/local/lib/systemd/system/seshd.service").read_text()
	for line in ("Type=forking", "PIDFile=/run/seshd.pid",
		     "ExecStartPre=/usr/local/bin/sesh-keygen -A",
		     "ExecStart=/usr/local/bin/seshd -f /etc/sesh/seshd_config",
		     "ExecReload=/bin/kill -HUP $MAINPID",
		     "WantedBy=multi-user.target"):
		assert line + "\n" in unit, line
	pam = (root / "etc/pam.d/seshd").read_text()
	assert "@include common-auth" in pam
	conf = root / "etc/sesh/seshd_config"
	assert conf.is_file()
	active = [l for l in conf.read_text().splitlines()
		  if l.strip() and not l.lstrip().startswith("#")]
	assert "UsePAM yes" in active
	assert "KbdInteractiveAuthentication no" in active
	assert "#HostKey /etc/sesh/ssh_host_ed25519_key" in conf.read_text()
	r = subprocess.run([str(pathlib.Path(build) / "bin" / "seshd"), "-T",
			    "-f", str(conf)], capture_output=True)
	assert r.returncode == 0, r.stderr.decode()
	dump = r.stdout.decode().splitlines()
	for line in ("usepam yes", f"port {port}", "permitemptypasswords no",
		     "permitrootlogin prohibit-password"):
		assert line in dump, line


@pytest.mark.skipif(os.geteuid() != 0, reason="installs files owned by root")
def test_cmake_install_destdir(sesh_bin, tmp_path):
	build = build_of(sesh_bin)
	dest = tmp_path / "dest"
	out, manifest = cu.install(build, "/usr/local", "/etc", destdir=dest)
	check_tree(dest, build)
	# every manifest entry is under DESTDIR; the config is not listed
	assert manifest
	for path in manifest:
		assert (dest / path.lstrip("/")).is_file(), path
	assert "/etc/sesh/seshd_config" not in manifest
	for f in expected(dest):
		assert "/" + str(f.relative_to(dest)) in manifest

	# a second install keeps an edited configuration
	conf = dest / "etc/sesh/seshd_config"
	conf.write_text("Port 2222\n" + conf.read_text())
	edited = conf.read_bytes()
	out, manifest = cu.install(build, "/usr/local", "/etc", destdir=dest)
	assert "Keeping: " in out
	assert conf.read_bytes() == edited
	check_tree(dest, build, port=2222)

	# uninstall: the manifest, under DESTDIR
	for path in manifest:
		os.unlink(dest / path.lstrip("/"))
	for f in expected(dest):
		assert not f.exists()
	assert conf.read_bytes() == edited


@pytest.mark.skipif(os.geteuid() != 0, reason="installs files owned by root")
def test_sysconfdir_elsewhere_names_host_keys(sesh_bin, tmp_path):
	build = build_of(sesh_bin)
	prefix = tmp_path / "pfx"
	cu.install(build, prefix, prefix / "etc")
	conf = (prefix / "etc/sesh/seshd_config").read_text()
	assert f"\nHostKey {prefix}/etc/sesh/ssh_host_ed25519_key\n" in conf
	unit = (prefix / "lib/systemd/system/seshd.service").read_text()
	assert f"ExecStartPre={prefix}/bin/sesh-keygen -A -f {prefix}\n" in unit
	init = (prefix / "etc/init.d/seshd").read_text()
	assert f'DAEMON="{prefix}/bin/seshd"' in init


def makefile_passes_destdir():
	text = (REPO / "Makefile").read_text()
	m = re.search(r"^install:.*\n((?:\t.*\n)+)", text, re.M)
	return m is not None and "DESTDIR=$(DESTDIR) cmake --install" in \
		m.group(1)


@pytest.mark.skipif(os.geteuid() != 0, reason="installs files owned by root")
def test_make_install_uninstall(sesh_bin, tmp_path):
	if not makefile_passes_destdir():
		# make exports DESTDIR: with it also in --prefix, the programs
		# would land in DESTDIR/DESTDIR/usr/local
		pytest.skip("the Makefile's install recipe does not pass "
			    "DESTDIR to cmake --install yet")
	build = build_of(sesh_bin)
	dest = tmp_path / "dest"
	manifest = pathlib.Path(build) / "install_manifest.txt"
	saved = manifest.read_bytes() if manifest.exists() else None
	env = dict(os.environ)
	env.pop("SESH_SYSCONFDIR", None)
	try:
		r = subprocess.run(["make", "-C", str(REPO), "install",
				    f"BUILD={build}", "PREFIX=/usr/local",
				    f"DESTDIR={dest}"], env=env,
				   capture_output=True, timeout=600)
		assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
		check_tree(dest, build)
		r = subprocess.run(["make", "-C", str(REPO), "uninstall",
				    f"BUILD={build}", "PREFIX=/usr/local",
				    f"DESTDIR={dest}"], env=env,
				   capture_output=True, timeout=120)
		assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
		for f in expected(dest):
			assert not f.exists(), f
		assert (dest / "etc/sesh/seshd_config").exists()
	finally:
		if saved is not None:
			manifest.write_bytes(saved)
		elif manifest.exists():
			manifest.unlink()
