"""
seshd as a daemon: the command line (-t, -T, -C, -i, -d), configuration
errors in sshd's words and exit codes, host key errors, listening on
several ports and on ::1, the pid file, SIGTERM and SIGHUP, MaxStartups,
and clients that misbehave before authentication (garbage, a
disconnect in the middle of the key exchange) leaving the daemon
serving others. Nothing here logs in; the login tests are elsewhere.
"""

import os
import signal
import socket
import subprocess
import time

import pytest

from seshd_util import make_host_key, start_seshd

DEBIAN_SSHD_CONFIG = """
# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

Include /etc/ssh/sshd_config.d/*.conf

#Port 22
#AddressFamily any
#ListenAddress 0.0.0.0
#ListenAddress ::

#HostKey /etc/ssh/ssh_host_rsa_key
#HostKey /etc/ssh/ssh_host_ecdsa_key
#HostKey /etc/ssh/ssh_host_ed25519_key

# Ciphers and keying
#RekeyLimit default none

# Logging
#SyslogFacility AUTH
#LogLevel INFO

# Authentication:

#LoginGraceTime 2m
#PermitRootLogin prohibit-password
#StrictModes yes
#MaxAuthTries 6
#MaxSessions 10

#PubkeyAuthentication yes

# Expect .ssh/authorized_keys2 to be disregarded by default in future.
#AuthorizedKeysFile	.ssh/authorized_keys .ssh/authorized_keys2

#AuthorizedPrincipalsFile none

#AuthorizedKeysCommand none
#AuthorizedKeysCommandUser nobody

#HostbasedAuthentication no
#IgnoreUserKnownHosts no
#IgnoreRhosts yes

#PasswordAuthentication yes
#PermitEmptyPasswords no

KbdInteractiveAuthentication no

#KerberosAuthentication no
#GSSAPIAuthentication no
#GSSAPICleanupCredentials yes

UsePAM yes

#AllowAgentForwarding yes
#AllowTcpForwarding yes
#GatewayPorts no
X11Forwarding yes
#X11DisplayOffset 10
#X11UseLocalhost yes
#PermitTTY yes
PrintMotd no
#PrintLastLog yes
#TCPKeepAlive yes
#PermitUserEnvironment no
#Compression delayed
#ClientAliveInterval 0
#ClientAliveCountMax 3
#UseDNS no
#PidFile /run/sshd.pid
#MaxStartups 10:30:100
#PermitTunnel no
#ChrootDirectory none
#VersionAddendum none

#Banner none

AcceptEnv LANG LC_*

Subsystem	sftp	/usr/lib/openssh/sftp-server

# Example of overriding settings on a per-user basis
#Match User anoncvs
#	X11Forwarding no
#	AllowTcpForwarding no
#	PermitTTY no
#	ForceCommand cvs server
"""


@pytest.fixture
def seshd(sesh_bin):
	return sesh_bin("seshd")


@pytest.fixture
def hostkey(sesh_bin, workdir):
	return make_host_key(sesh_bin, workdir / "hk_ed25519")


def run(args, **kw):
	return subprocess.run(args, capture_output=True, text=True, timeout=30,
			      **kw)


def write_cfg(workdir, text, name="seshd_config"):
	path = workdir / name
	path.write_text(text)
	return str(path)


def dump(seshd, cfg, *args):
	r = run([seshd, "-T", "-f", cfg] + list(args))
	assert r.returncode == 0, r.stderr
	lines = r.stdout.splitlines()
	for line in lines:
		kw = line.split(" ", 1)[0]
		assert kw == kw.lower(), line
	return lines


def read_banner(port, addr="127.0.0.1", timeout=10):
	"""Connects and returns the first line the server sends (b'' on
	EOF), keeping the socket open in the returned tuple."""
	fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
	s = socket.socket(fam, socket.SOCK_STREAM)
	s.settimeout(timeout)
	s.connect((addr, port))
	data = b""
	while b"\n" not in data:
		try:
			chunk = s.recv(256)
		except ConnectionResetError:
			chunk = b""
		if not chunk:
			break
		data += chunk
	return data.split(b"\n", 1)[0] + (b"\n" if b"\n" in data else b""), s


def kex_with(port):
	"""A full key exchange with paramiko; returns the host key."""
	paramiko = pytest.importorskip("paramiko")
	sock = socket.create_connection(("127.0.0.1", port), 10)
	t = paramiko.Transport(sock)
	try:
		t.start_client(timeout=10)
		return t.get_remote_server_key()
	finally:
		t.close()


# ---- -t: configuration checks ---------------------------------------------

def test_t_accepts_good_config(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, f"Port 2222\nHostKey {hostkey}\n"
			"LoginGraceTime 1h30m\nMaxStartups 5:50:20\n"
			"Ciphers -aes*-cbc\nPermitRootLogin without-password\n")
	r = run([seshd, "-t", "-f", cfg])
	assert r.returncode == 0, r.stderr
	assert r.stdout == ""


def test_t_bad_keyword_names_file_and_line(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, f"HostKey {hostkey}\n# comment\n\nFoo bar\n"
			"Port 22\nAlsoBad 1\n")
	r = run([seshd, "-t", "-f", cfg])
	assert r.returncode == 255
	assert f"{cfg}: line 4: Bad configuration option: Foo" in r.stderr
	assert f"{cfg}: line 6: Bad configuration option: AlsoBad" in r.stderr
	assert f"{cfg}: terminating, 2 bad configuration options" in r.stderr
	assert r.stderr.count("Bad configuration option") == 2


def test_t_bad_value_is_fatal(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, f"HostKey {hostkey}\nPermitRootLogin maybe\n")
	r = run([seshd, "-t", "-f", cfg])
	assert r.returncode == 255
	assert f'{cfg} line 2: unsupported option "maybe".' in r.stderr


@pytest.mark.parametrize("line,msg", [
	("Port 0", "Badly formatted port number."),
	("Port", 'no argument after keyword "Port"'),
	("LoginGraceTime 1x", "invalid time value."),
	("MaxAuthTries -1", "MaxAuthTries integer value too small."),
	("Ciphers aes128-ctr,bogus", "Bad SSH2 cipher spec"),
	("Match Frobnicate x", "Bad Match condition"),
	("Subsystem sftp", "Missing subsystem command."),
	("AuthenticationMethods any publickey", '"any" must appear alone'),
	("LogLevel LOUD", "unsupported log level 'LOUD'"),
])
def test_t_value_errors(seshd, workdir, hostkey, line, msg):
	cfg = write_cfg(workdir, f"HostKey {hostkey}\n{line}\n")
	r = run([seshd, "-t", "-f", cfg])
	assert r.returncode == 255, r.stderr
	assert f"{cfg} line 2: " in r.stderr
	assert msg in r.stderr


def test_t_match_block_restrictions(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, f"HostKey {hostkey}\nMatch User alice\n"
			"  PasswordAuthentication no\n  Port 23\n")
	r = run([seshd, "-t", "-f", cfg])
	assert r.returncode == 255
	assert (f"{cfg} line 4: Directive 'Port' is not allowed within a "
		"Match block") in r.stderr


def test_t_deprecated_options_accepted(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, f"HostKey {hostkey}\nProtocol 2\n"
			"UsePrivilegeSeparation sandbox\nGSSAPIAuthentication no\n"
			"ChallengeResponseAuthentication no\n")
	r = run([seshd, "-t", "-f", cfg])
	assert r.returncode == 0, r.stderr
	assert "line 3: Deprecated option UsePrivilegeSeparation" in r.stderr


def test_t_missing_config_file(seshd, workdir, hostkey):
	r = run([seshd, "-t", "-f", str(workdir / "nope"), "-h", hostkey])
	assert r.returncode == 1
	assert "nope: No such file or directory" in r.stderr


def test_debian_stock_config_parses(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, DEBIAN_SSHD_CONFIG)
	r = run([seshd, "-t", "-f", cfg, "-h", hostkey])
	assert r.returncode == 0, r.stderr
	lines = dump(seshd, cfg, "-h", hostkey)
	assert "usepam yes" in lines
	assert "kbdinteractiveauthentication no" in lines
	assert "x11forwarding yes" in lines
	assert "printmotd no" in lines
	assert "acceptenv LANG" in lines and "acceptenv LC_*" in lines
	assert "subsystem sftp /usr/lib/openssh/sftp-server" in lines
	if os.path.exists("/etc/ssh/sshd_config"):
		r = run([seshd, "-t", "-f", "/etc/ssh/sshd_config", "-h",
			 hostkey])
		assert r.returncode == 0, r.stderr


def test_include_relative_glob_and_first_wins(seshd, workdir, hostkey):
	(workdir / "conf.d").mkdir()
	(workdir / "conf.d" / "10-a.conf").write_text(
		"PasswordAuthentication no\nMaxAuthTries 3\n")
	(workdir / "conf.d" / "20-b.conf").write_text(
		"PasswordAuthentication yes\nMaxSessions 4\n")
	(workdir / "conf.d" / "skip.txt").write_text("Bogus yes\n")
	cfg = write_cfg(workdir, f"HostKey {hostkey}\nInclude conf.d/*.conf\n"
			"MaxAuthTries 9\n")
	lines = dump(seshd, cfg)
	assert "passwordauthentication no" in lines
	assert "maxauthtries 3" in lines
	assert "maxsessions 4" in lines


# ---- -T: the effective configuration --------------------------------------

def test_T_defaults(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, f"HostKey {hostkey}\n")
	lines = dump(seshd, cfg)
	for want in ("permitrootlogin prohibit-password",
		     "permitemptypasswords no", "passwordauthentication yes",
		     "pubkeyauthentication yes", "port 22", "logingracetime 120",
		     "maxauthtries 6", "maxsessions 10",
		     "maxstartups 10:30:100", "authorizedkeysfile "
		     ".ssh/authorized_keys .ssh/authorized_keys2",
		     f"hostkey {hostkey}", "loglevel INFO",
		     "syslogfacility AUTH", "addressfamily any",
		     "listenaddress 0.0.0.0:22", "listenaddress [::]:22"):
		assert want in lines, want


def test_T_command_line_wins(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, f"HostKey {hostkey}\nPort 2200\n"
			"PermitRootLogin yes\nListenAddress 127.0.0.1\n"
			"ListenAddress [::1]:2300\n")
	lines = dump(seshd, cfg, "-p", "2022", "-p", "2023", "-o",
		     "PermitRootLogin=no", "-o", "LoginGraceTime 2m",
		     "-o", "Ciphers=^aes256-ctr")
	assert "permitrootlogin no" in lines
	assert "port 2022" in lines and "port 2023" in lines
	assert "port 2200" not in lines
	assert "logingracetime 120" in lines
	assert "listenaddress 127.0.0.1:2022" in lines
	assert "listenaddress 127.0.0.1:2023" in lines
	assert "listenaddress [::1]:2300" in lines
	ciphers = [l for l in lines if l.startswith("ciphers ")][0]
	assert ciphers.startswith("ciphers aes256-ctr,")
	assert ciphers.count("aes256-ctr") == 1


def test_T_with_match_spec(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, f"HostKey {hostkey}\n"
			"Match User alice Address 10.0.0.0/8,!10.1.2.3\n"
			"  PasswordAuthentication no\n"
			"  Banner /etc/issue.net\n"
			"Match Group wheel\n  MaxAuthTries 2\n")
	base = dump(seshd, cfg)
	assert "passwordauthentication yes" in base
	m = dump(seshd, cfg, "-C", "user=alice,addr=10.9.9.9,host=h")
	assert "passwordauthentication no" in m
	assert "banner /etc/issue.net" in m
	neg = dump(seshd, cfg, "-C", "user=alice,addr=10.1.2.3,host=h")
	assert "passwordauthentication yes" in neg
	other = dump(seshd, cfg, "-C", "user=bob,addr=10.9.9.9,host=h")
	assert "passwordauthentication yes" in other
	assert "banner none" in other


# ---- host keys ------------------------------------------------------------

def test_missing_host_key_says_how_to_make_one(seshd, workdir):
	missing = str(workdir / "no_such_key")
	cfg = write_cfg(workdir, f"HostKey {missing}\n")
	for args in (["-t"], ["-D", "-e", "-p", "1"]):
		r = run([seshd, "-f", cfg] + args)
		assert r.returncode == 1, r.stderr
		assert f"Unable to load host key: {missing}" in r.stderr
		assert "no hostkeys available" in r.stderr
		assert "sesh-keygen -A" in r.stderr
		assert f"sesh-keygen -t ed25519 -f {missing} -N ''" in r.stderr


def test_unknown_flag_is_usage_error(seshd):
	r = run([seshd, "-Z"])
	assert r.returncode == 1
	assert "usage: seshd" in r.stderr


# ---- the listener ---------------------------------------------------------

def test_two_ports_pidfile_and_sigterm(sesh_bin, workdir):
	d = start_seshd(sesh_bin, workdir, ports=2)
	try:
		for p in d.ports:
			line, s = read_banner(p)
			s.close()
			assert line.startswith(b"SSH-2.0-"), line
		for p in d.ports:
			assert f"Server listening on 127.0.0.1 port {p}." in \
				d.log_text()
		with open(d.pid_file) as f:
			assert int(f.read().strip()) == d.proc.pid
		d.proc.send_signal(signal.SIGTERM)
		assert d.proc.wait(10) == 0
		assert not os.path.exists(d.pid_file)
		assert "Received signal 15; terminating." in d.log_text()
	finally:
		d.stop()


def test_ipv6_loopback(sesh_bin, workdir):
	if not socket.has_ipv6:
		pytest.skip("no IPv6")
	try:
		s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
		s.bind(("::1", 0))
		s.close()
	except OSError:
		pytest.skip("::1 not available")
	d = start_seshd(sesh_bin, workdir, listen="::1")
	try:
		line, s = read_banner(d.port, "::1")
		s.close()
		assert line.startswith(b"SSH-2.0-"), line
		assert f"Server listening on ::1 port {d.port}." in d.log_text()
	finally:
		d.stop()


def test_sighup_reexecs_and_rereads_config(sesh_bin, workdir):
	d = start_seshd(sesh_bin, workdir)
	try:
		assert kex_with(d.port) is not None
		assert "debug1:" not in d.log_text()
		# The re-executed daemon must read the changed file.
		with open(d.config) as f:
			text = f.read()
		with open(d.config, "w") as f:
			f.write("LogLevel DEBUG1\n" + text)
		d.proc.send_signal(signal.SIGHUP)
		d.wait_log("Received SIGHUP; restarting.")
		d.wait_log(r"(?s)restarting\..*Server listening on 127\.0\.0\.1")
		assert d.proc.poll() is None  # same process, exec'd again
		assert kex_with(d.port) is not None
		d.wait_log("debug1: Forked child")
		with open(d.pid_file) as f:
			assert int(f.read().strip()) == d.proc.pid
	finally:
		d.stop()


def test_garbage_and_mid_kex_disconnect_leave_daemon_serving(sesh_bin,
							      workdir):
	d = start_seshd(sesh_bin, workdir)
	try:
		# Garbage instead of an identification line.
		line, s = read_banner(d.port)
		assert line.startswith(b"SSH-2.0-")
		s.sendall(b"GET / HTTP/1.0\r\n\r\n" + bytes(range(256)) * 4)
		s.close()
		# A disconnect in the middle of the key exchange: identify,
		# then half a KEXINIT packet.
		line, s = read_banner(d.port)
		s.sendall(b"SSH-2.0-halfway\r\n")
		s.sendall(b"\x00\x00\x01\x00\x06\x14" + os.urandom(40))
		s.close()
		# An abrupt reset.
		line, s = read_banner(d.port)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
			     b"\x01\x00\x00\x00\x00\x00\x00\x00")
		s.close()
		for _ in range(3):
			assert kex_with(d.port) is not None
		assert d.proc.poll() is None
	finally:
		d.stop()


def test_maxstartups_drops_unauthenticated_excess(sesh_bin, workdir):
	d = start_seshd(sesh_bin, workdir, ["MaxStartups 1:100:1",
					    "LoginGraceTime 30"])
	try:
		first, s1 = read_banner(d.port)
		assert first.startswith(b"SSH-2.0-"), first
		second, s2 = read_banner(d.port)
		s2.close()
		assert second == b"", second
		d.wait_log("past MaxStartups")
		s1.close()
		# Once the first connection's process is gone, a slot frees.
		deadline = time.monotonic() + 10
		while True:
			line, s3 = read_banner(d.port)
			s3.close()
			if line.startswith(b"SSH-2.0-"):
				break
			assert time.monotonic() < deadline, d.log_text()
			time.sleep(0.05)
	finally:
		d.stop()


def test_inetd_mode(seshd, workdir, hostkey):
	cfg = write_cfg(workdir, f"HostKey {hostkey}\n")
	a, b = socket.socketpair()
	p = subprocess.Popen([seshd, "-i", "-e", "-f", cfg], stdin=b, stdout=b,
			     stderr=subprocess.PIPE)
	b.close()
	try:
		a.settimeout(10)
		data = b""
		while b"\n" not in data:
			chunk = a.recv(256)
			if not chunk:
				break
			data += chunk
		assert data.startswith(b"SSH-2.0-"), data
		a.close()
		assert p.wait(10) != 0  # closed before authenticating
	finally:
		if p.poll() is None:
			p.kill()
		p.wait()
		p.stderr.close()


def test_debug_mode_serves_one_connection(seshd, workdir, hostkey):
	s = socket.socket()
	s.bind(("127.0.0.1", 0))
	port = s.getsockname()[1]
	s.close()
	cfg = write_cfg(workdir, f"HostKey {hostkey}\nListenAddress 127.0.0.1\n"
			f"Port {port}\nPidFile none\n")
	p = subprocess.Popen([seshd, "-d", "-f", cfg], stdin=subprocess.DEVNULL,
			     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
	try:
		deadline = time.monotonic() + 10
		while True:
			try:
				line, c = read_banner(port)
				break
			except ConnectionRefusedError:
				assert p.poll() is None
				assert time.monotonic() < deadline
				time.sleep(0.02)
		assert line.startswith(b"SSH-2.0-")
		c.close()
		p.wait(10)
		err = p.stderr.read().decode()
		assert "debug1:" in err
		assert "Server listening on 127.0.0.1" in err
	finally:
		if p.poll() is None:
			p.kill()
		p.wait()
		p.stderr.close()


def test_log_file_option(sesh_bin, workdir):
	logf = workdir / "elog"
	d = start_seshd(sesh_bin, workdir, args=["-E", str(logf)])
	try:
		line, s = read_banner(d.port)
		s.close()
		assert line.startswith(b"SSH-2.0-")
		deadline = time.monotonic() + 10
		while f"port {d.port}." not in logf.read_text():
			assert time.monotonic() < deadline
			time.sleep(0.02)
		assert "Server listening" in logf.read_text()
		assert "Server listening" not in d.log_text()
	finally:
		d.stop()


def test_detaches_without_D(seshd, workdir, hostkey):
	s = socket.socket()
	s.bind(("127.0.0.1", 0))
	port = s.getsockname()[1]
	s.close()
	pidfile = workdir / "d.pid"
	cfg = write_cfg(workdir, f"HostKey {hostkey}\nListenAddress 127.0.0.1\n"
			f"Port {port}\nPidFile {pidfile}\n")
	r = run([seshd, "-f", cfg])
	assert r.returncode == 0, r.stderr  # the parent returns at once
	deadline = time.monotonic() + 10
	while not (pidfile.exists() and pidfile.read_text().endswith("\n")):
		assert time.monotonic() < deadline
		time.sleep(0.02)
	pid = int(pidfile.read_text())
	try:
		line, c = read_banner(port)
		c.close()
		assert line.startswith(b"SSH-2.0-")
		with open(f"/proc/{pid}/stat") as f:
			stat = f.read()
		# its own session, not our child
		assert int(stat.rsplit(")", 1)[1].split()[1]) != os.getpid()
		# SIGHUP re-executes in place: same pid (PidFile and systemd's
		# Type=forking keep track of it), still serving
		log_before = pidfile.stat().st_mtime_ns
		os.kill(pid, signal.SIGHUP)
		deadline = time.monotonic() + 10
		while pidfile.stat().st_mtime_ns == log_before:
			assert time.monotonic() < deadline, "no restart"
			time.sleep(0.02)
		assert int(pidfile.read_text()) == pid
		line, c = read_banner(port)
		c.close()
		assert line.startswith(b"SSH-2.0-")
	finally:
		os.kill(pid, signal.SIGTERM)
	while pidfile.exists():
		assert time.monotonic() < deadline + 10
		time.sleep(0.02)


def test_maxstartups_counts_only_unauthenticated(sesh_bin, workdir):
	"""An authenticated connection (its process told the listener
	through the MaxStartups pipe) no longer takes a startup slot."""
	if os.geteuid() != 0:
		pytest.skip("logs in as root: needs root")
	ssh = "/usr/bin/ssh"
	if not os.access(ssh, os.X_OK):
		pytest.skip("OpenSSH client not installed")
	key = workdir / "id_ed25519"
	subprocess.run([sesh_bin("sesh-keygen"), "-q", "-t", "ed25519", "-N",
			"", "-f", str(key)], check=True)
	d = start_seshd(sesh_bin, workdir, ["MaxStartups 1:100:1",
					    "PermitRootLogin yes"],
			user_keys=[(workdir / "id_ed25519.pub").read_text()])
	p = subprocess.Popen([ssh, "-i", str(key), "-o", "BatchMode=yes",
			      "-o", "StrictHostKeyChecking=no", "-o",
			      f"UserKnownHostsFile={workdir}/kh", "-p",
			      str(d.port), "root@127.0.0.1", "sleep 60"],
			     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
			     stderr=subprocess.DEVNULL)
	try:
		d.wait_log("Accepted publickey for root")
		deadline = time.monotonic() + 10
		while True:
			line, s = read_banner(d.port)
			if line.startswith(b"SSH-2.0-"):
				break
			s.close()
			assert time.monotonic() < deadline, d.log_text()
			time.sleep(0.05)
		# now that one is the unauthenticated startup: a third is
		# dropped
		third, s3 = read_banner(d.port)
		s3.close()
		s.close()
		assert third == b""
		assert p.poll() is None
	finally:
		p.kill()
		p.wait()
		d.stop()


def children_of(pid):
	"""(pid, state) of the processes whose parent is pid."""
	out = []
	for d in os.listdir("/proc"):
		if not d.isdigit():
			continue
		try:
			with open(f"/proc/{d}/stat") as f:
				stat = f.read()
		except OSError:
			continue
		fields = stat.rsplit(")", 1)[1].split()
		if int(fields[1]) == pid:
			out.append((int(d), fields[0]))
	return out


def test_many_connections_served_and_reaped(sesh_bin, workdir):
	# 40 connections that never log in would earn 127.0.0.1 a noauth
	# penalty under the default PerSourcePenalties (as with sshd 9.8)
	d = start_seshd(sesh_bin, workdir,
			["MaxStartups 200", "PerSourcePenalties no"],
			args=["-o", "LogLevel=DEBUG1"])
	try:
		socks = []
		for _ in range(40):
			s = socket.create_connection(("127.0.0.1", d.port), 10)
			s.settimeout(10)
			socks.append(s)
		for s in socks:
			data = b""
			while b"\n" not in data:
				chunk = s.recv(256)
				assert chunk, "connection closed without a banner"
				data += chunk
			assert data.startswith(b"SSH-2.0-")
		for s in socks:
			s.close()
		deadline = time.monotonic() + 20
		while (d.log_text().count("connection process ") < 40 or
		       children_of(d.proc.pid)):
			assert time.monotonic() < deadline, (
				children_of(d.proc.pid), d.log_text()[-2000:])
			time.sleep(0.05)
		assert "past MaxStartups" not in d.log_text()
		line, s = read_banner(d.port)
		s.close()
		assert line.startswith(b"SSH-2.0-")
	finally:
		d.stop()
