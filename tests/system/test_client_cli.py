"""
sesh's command line and ssh_config handling, checked without connecting:
`sesh -G` against OpenSSH's `ssh -G` for the same -F file (user,
hostname, port, identity files in order, algorithm lists after + - ^,
environment, rekey limits), ssh's file:line messages and exit status 255
for bad configuration, -V, ssh:// destinations, -F none, ~/.ssh/config
with Include, flag precedence, -J, and the message for options not
supported yet.
"""

import os
import shutil
import subprocess

import pytest

SSH = shutil.which("ssh")


def run(argv, env, **kw):
	return subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
			      capture_output=True, text=True, timeout=30, **kw)


def parse_g(text):
	"""ssh -G output -> {keyword: [values...]} (repeated keywords kept)."""
	out = {}
	for line in text.splitlines():
		if not line.strip():
			continue
		kw, _, val = line.partition(" ")
		out.setdefault(kw, []).append(val)
	return out


def sesh_g(sesh_bin, env, *args):
	r = run([sesh_bin("sesh"), "-G", *args], env)
	assert r.returncode == 0, r.stderr
	return parse_g(r.stdout)


def ssh_g(env, *args):
	if SSH is None:
		pytest.skip("OpenSSH's ssh is not installed")
	r = run([SSH, "-G", *args], env)
	assert r.returncode == 0, r.stderr
	return parse_g(r.stdout)


def write(path, text, mode=0o600):
	path.parent.mkdir(parents=True, exist_ok=True)
	path.write_text(text)
	path.chmod(mode)
	return path


CONFIG = """\
# a user's config, as ssh reads it
Host alias web* !web9
    HostName %h.example.org
    User deploy
    Port 2222
    IdentityFile /keys/id_%h_%r
    IdentityFile /keys/second
    Ciphers ^aes256-ctr
    MACs -hmac-sha2-512*,*-etm@openssh.com
    KexAlgorithms curve25519-sha256,diffie-hellman-group14-sha256
    HostKeyAlgorithms=ssh-ed25519,rsa-sha2-256
    PubkeyAcceptedKeyTypes -ecdsa-*
    SendEnv LANG LC_*
    SetEnv A=1 "B=two words"
    RekeyLimit 1G 1h
    UserKnownHostsFile /kh/%h /kh/all
    ServerAliveInterval 1m
    ConnectTimeout 7
    EscapeChar ^B
    StrictHostKeyChecking accept-new
Host *
    User fallback
    Port 2200
    IdentityFile /keys/third
    ForwardAgent no
    GSSAPIAuthentication yes
"""


@pytest.mark.parametrize("host", ["web1", "alias", "web9", "other"])
def test_g_matches_openssh(sesh_bin, sesh_env, workdir, host):
	cfg = write(workdir / "cfg", CONFIG)
	ours = sesh_g(sesh_bin, sesh_env, "-F", str(cfg), host)
	theirs = ssh_g(sesh_env, "-F", str(cfg), host)
	for kw in ("host", "user", "hostname", "port", "identityfile",
		   "sendenv", "setenv", "rekeylimit", "serveraliveinterval",
		   "connecttimeout", "escapechar"):
		assert ours.get(kw) == theirs.get(kw), kw
	if host in ("web1", "alias"):
		# explicit lists and files: the same as ssh's
		for kw in ("kexalgorithms", "hostkeyalgorithms",
			   "userknownhostsfile", "stricthostkeychecking"):
			assert ours.get(kw) == theirs.get(kw), kw
		# "^": the named cipher first, then the defaults
		c_ours = ours["ciphers"][0].split(",")
		c_theirs = theirs["ciphers"][0].split(",")
		assert c_ours[0] == c_theirs[0] == "aes256-ctr"
		assert set(c_ours) <= set(c_theirs)
		assert c_ours.count("aes256-ctr") == 1
		# "-" with wildcards: what is left of the defaults
		m_ours = ours["macs"][0].split(",")
		assert m_ours == ["hmac-sha2-256"]
		assert set(m_ours) <= set(theirs["macs"][0].split(","))
		assert not any("sha2-512" in m or "etm" in m
			       for m in theirs["macs"][0].split(","))
		p_ours = ours["pubkeyacceptedalgorithms"][0].split(",")
		p_theirs = theirs["pubkeyacceptedalgorithms"][0].split(",")
		assert p_ours and not any(p.startswith("ecdsa-") for p in p_ours)
		assert set(p_ours) <= set(p_theirs)
	else:
		for kw in ("ciphers", "macs", "pubkeyacceptedalgorithms"):
			assert set(ours[kw][0].split(",")) <= \
			    set(theirs[kw][0].split(",")), kw


def test_options_and_precedence(sesh_bin, sesh_env, workdir):
	cfg = write(workdir / "cfg", CONFIG)
	key = write(workdir / "key", "not checked here\n")
	args = ["-F", str(cfg), "-i", str(key), "-o", "User=fromopt",
		"-o", "Port=1111", "-o", "IdentityFile=/keys/opt",
		"-o", "Ciphers +aes128-ctr", "-i", "/nonexistent/key", "web1"]
	ours = sesh_g(sesh_bin, sesh_env, *args)
	theirs = ssh_g(sesh_env, *args)
	for kw in ("user", "port", "identityfile"):
		assert ours[kw] == theirs[kw], kw
	assert ours["user"] == ["fromopt"]
	assert ours["identityfile"][:3] == [str(key), "/keys/opt",
					    "/keys/id_%h_%r"]
	r = run([sesh_bin("sesh"), "-G", *args], sesh_env)
	assert ("Warning: Identity file /nonexistent/key not accessible: "
		"No such file or directory.") in r.stderr
	# flags beat -o; -l beats user@; the URL port is used when unset
	ours = sesh_g(sesh_bin, sesh_env, "-F", "none", "-o", "Port=5",
		      "-p", "6", "-l", "flaguser", "urluser@h")
	assert ours["port"] == ["6"] and ours["user"] == ["flaguser"]
	# as ssh, options may follow the destination
	ours = sesh_g(sesh_bin, sesh_env, "-F", "none", "h", "-p", "7",
		      "-l", "late")
	assert ours["port"] == ["7"] and ours["user"] == ["late"]


def test_tokens_like_ssh(sesh_bin, sesh_env):
	"""%-tokens in a path keyword expand as ssh expands them (%C, %l,
	%L, %i, %k, %n, %u, %h, %p, %r, %%; host names lower-cased, %n as
	typed)."""
	args = ["-F", "none", "-o",
		"UserKnownHostsFile=/x/%C/%l/%L/%i/%k/%n/%u/%h/%p/%r/%%",
		"-o", "HostName=Real.%h", "-p", "23", "-l", "bob", "MixedCase"]
	ours = sesh_g(sesh_bin, sesh_env, *args)
	theirs = ssh_g(sesh_env, *args)
	for kw in ("host", "hostname", "userknownhostsfile"):
		assert ours[kw] == theirs[kw], kw
	assert ours["hostname"] == ["real.mixedcase"]


def test_ssh_url(sesh_bin, sesh_env):
	ours = sesh_g(sesh_bin, sesh_env, "-F", "none",
		      "ssh://alice@Example.COM:2022")
	assert ours["user"] == ["alice"]
	assert ours["hostname"] == ["example.com"]
	assert ours["port"] == ["2022"]
	ours = sesh_g(sesh_bin, sesh_env, "-F", "none", "ssh://[::1]:2")
	assert ours["hostname"] == ["::1"] and ours["port"] == ["2"]
	ours = sesh_g(sesh_bin, sesh_env, "-F", "none", "bob@host")
	assert ours["user"] == ["bob"] and ours["port"] == ["22"]


def test_user_config_include_and_f_none(sesh_bin, sesh_env, workdir):
	ssh_dir = workdir / ".ssh"
	write(ssh_dir / "conf.d" / "10.conf", "Host inc\n  User included\n")
	write(ssh_dir / "config",
	      "Include conf.d/*.conf\nHost *\n  Port 4444\n")
	ours = sesh_g(sesh_bin, sesh_env, "inc")
	assert ours["user"] == ["included"] and ours["port"] == ["4444"]
	ours = sesh_g(sesh_bin, sesh_env, "-F", "none", "inc")
	assert ours["port"] == ["22"]
	assert ours["user"] != ["included"]
	# a user config writable by others is refused, as ssh does
	(ssh_dir / "config").chmod(0o666)
	r = run([sesh_bin("sesh"), "-G", "inc"], sesh_env)
	assert r.returncode == 255
	assert "Bad owner or permissions on" in r.stderr


@pytest.mark.parametrize("text", [
	"Host *\n  Port 22\n  Frobnicate yes\n",
	"Port 99999\n",
	"Ciphers aes128-ctr,nope\n",
	"BatchMode maybe\n",
	"User a b\n",
	"Host x\n  NoSuchThing 1\n  OtherThing 2\n",
	"RekeyLimit 15\n",
	"RekeyLimit 1X\n",
	"RekeyLimit 1G soon\n",
	"NumberOfPasswordPrompts abc\nServerAliveCountMax -1\n",
	"ProxyJump @x\n",
	"Match bogus x\n",
	"Match host\n",
	"KexAlgorithms +bar\nMACs nope\nHostKeyAlgorithms x\n",
	"EscapeChar abc\nLogLevel zz\nConnectTimeout x\n",
	"Host\nStrictHostKeyChecking q\nAddressFamily q\n",
	"SendEnv A=B\n",
])
def test_bad_config_like_ssh(sesh_bin, sesh_env, workdir, text):
	cfg = write(workdir / "bad.cfg", text)
	r = run([sesh_bin("sesh"), "-F", str(cfg), "-G", "h"], sesh_env)
	assert r.returncode == 255
	assert r.stdout == ""
	if SSH is not None:
		s = run([SSH, "-F", str(cfg), "-G", "h"], sesh_env)
		assert s.returncode == 255
		want = [l for l in s.stderr.splitlines() if str(cfg) in l]
		got = [l for l in r.stderr.splitlines() if str(cfg) in l]
		assert got == want
	else:
		assert f"{cfg}: terminating, " in r.stderr


@pytest.mark.parametrize("opt", ["Foo=1", "Port=x", "RekeyLimit=15",
				 "Ciphers=+nope", "User=a b", "Host=x",
				 "NumberOfPasswordPrompts=-1"])
def test_bad_option_like_ssh(sesh_bin, sesh_env, opt):
	r = run([sesh_bin("sesh"), "-F", "none", "-o", opt, "-G", "h"],
		sesh_env)
	assert r.returncode == 255 and r.stdout == ""
	if SSH is None:
		pytest.skip("OpenSSH's ssh is not installed")
	s = run([SSH, "-F", "none", "-o", opt, "-G", "h"], sesh_env)
	assert s.returncode == 255
	assert r.stderr.splitlines() == [
		l for l in s.stderr.splitlines() if "Pseudo-terminal" not in l]


def test_bad_keyword_message(sesh_bin, sesh_env, workdir):
	cfg = write(workdir / "c", "# x\nHost *\n  Foo bar\n")
	r = run([sesh_bin("sesh"), "-F", str(cfg), "h", "true"], sesh_env)
	assert r.returncode == 255
	assert r.stderr.splitlines() == [
		f"{cfg}: line 3: Bad configuration option: foo",
		f"{cfg}: terminating, 1 bad configuration options",
	]
	# IgnoreUnknown silences it; keywords OpenSSH knows are accepted
	write(cfg, "IgnoreUnknown Foo*\nFooBar 1\nForwardX11 no\n")
	r = run([sesh_bin("sesh"), "-F", str(cfg), "-G", "h"], sesh_env)
	assert r.returncode == 0, r.stderr
	r = run([sesh_bin("sesh"), "-F", "none", "-o", "Foo=1", "-G", "h"],
		sesh_env)
	assert r.returncode == 255
	assert "command-line: line 0: Bad configuration option: foo" in \
	    r.stderr


def test_version(sesh_bin, sesh_env):
	r = run([sesh_bin("sesh"), "-V"], sesh_env)
	assert r.returncode == 0
	assert r.stdout == ""
	assert r.stderr.startswith("sesh_")
	assert ", OpenSSL 3." in r.stderr


@pytest.mark.parametrize("flag", ["-A", "-f", "-X", "-L8080:h:80",
				  "-R8080:h:80", "-D1080"])
def test_unsupported_flags(sesh_bin, sesh_env, flag):
	r = run([sesh_bin("sesh"), flag, "host", "true"], sesh_env)
	assert r.returncode == 255
	assert f"sesh: option -{flag[1]} not supported yet" in r.stderr


def test_cli_errors(sesh_bin, sesh_env):
	sesh = sesh_bin("sesh")
	r = run([sesh, "-c", "nope", "h"], sesh_env)
	assert r.returncode == 255 and "Unknown cipher type 'nope'" in r.stderr
	r = run([sesh, "-m", "nope", "h"], sesh_env)
	assert r.returncode == 255 and "Unknown mac type 'nope'" in r.stderr
	r = run([sesh, "-p", "0", "h"], sesh_env)
	assert r.returncode == 255 and "Bad port '0'" in r.stderr
	r = run([sesh, "-F", "/nonexistent/cfg", "h"], sesh_env)
	assert r.returncode == 255
	assert "Can't open user config file /nonexistent/cfg" in r.stderr
	r = run([sesh], sesh_env)
	assert r.returncode == 255 and "usage: sesh" in r.stderr
	# no-op flags are accepted
	ours = sesh_g(lambda n: sesh, sesh_env, "-a", "-x", "-C", "-F",
		      "none", "h")
	assert ours["hostname"] == ["h"]


def test_flags_in_g(sesh_bin, sesh_env):
	ours = sesh_g(sesh_bin, sesh_env, "-F", "none", "-4", "-e", "none",
		      "-c", "aes128-ctr", "-m", "^hmac-sha2-512", "-tt",
		      "-q", "h")
	assert ours["addressfamily"] == ["inet"]
	assert ours["escapechar"] == ["none"]
	assert ours["ciphers"] == ["aes128-ctr"]
	assert ours["macs"][0].startswith("hmac-sha2-512,")
	assert ours["requesttty"] == ["force"]
	assert ours["loglevel"] == ["QUIET"]
	ours = sesh_g(sesh_bin, sesh_env, "-F", "none", "-vv", "-T", "h")
	assert ours["loglevel"] == ["DEBUG2"]
	assert ours["requesttty"] == ["no"]


def test_proxyjump_command(sesh_bin, sesh_env, workdir):
	sesh = sesh_bin("sesh")
	r = run([sesh, "-v", "-F", "none", "-J", "ju@jump1:2200,jump2",
		 "-G", "-p", "23", "target"], sesh_env)
	assert r.returncode == 0, r.stderr
	assert parse_g(r.stdout)["proxyjump"] == ["ju@jump1:2200,jump2"]
	real = os.path.realpath(sesh)
	# the last hop is connected through; earlier ones are its -J
	want = (f"'{real}' -F 'none' -J 'ju@jump1:2200' "
		"-W '[target]:23' 'jump2'")
	assert want in r.stderr
	r = run([sesh, "-v", "-F", "none", "-J", "ju@jump1:2200", "-G",
		 "target"], sesh_env)
	want = (f"'{real}' -l 'ju' -p 2200 -F 'none' -W '[target]:22' "
		"'jump1'")
	assert want in r.stderr
	if SSH is not None:
		theirs = ssh_g(sesh_env, "-F", "none", "-J",
			       "ju@jump1:2200,jump2", "-p", "23", "target")
		assert theirs["proxyjump"] == ["ju@jump1:2200,jump2"]


def test_log_file(sesh_bin, sesh_env, workdir):
	log = workdir / "log.txt"
	cfg = write(workdir / "c", "Include nothing-here\n")
	r = run([sesh_bin("sesh"), "-v", "-E", str(log), "-F", str(cfg),
		 "-G", "h"], sesh_env)
	assert r.returncode == 0
	assert "debug1: " in log.read_text()
	assert "debug1: " not in r.stderr


def test_proxyjump_chain(sesh_bin, sesh_env, workdir, tmp_path_factory):
	"""-J a,b: sesh reaches b through a, then the target through b (two
	hops, here both the same OpenSSH sshd), settings from ~/.ssh/config
	in every hop."""
	from client_util import Sshd
	srv = Sshd(tmp_path_factory.mktemp("target"))
	try:
		jump_dir = tmp_path_factory.mktemp("jump")
		for suffix in ("", ".pub"):
			(jump_dir / ("user_ed25519" + suffix)).write_bytes(
				open(srv.key + suffix, "rb").read())
		(jump_dir / "user_ed25519").chmod(0o600)
		jump = Sshd(jump_dir)
		try:
			kh = workdir / "kh"
			kh.write_text(open(jump.trust()).read() +
				      open(srv.trust()).read())
			write(workdir / ".ssh" / "config",
			      "Host *\n"
			      f"  IdentityFile {srv.key}\n"
			      f"  UserKnownHostsFile {kh}\n"
			      "  StrictHostKeyChecking yes\n"
			      "  BatchMode yes\n")
			before = jump.log().count("Accepted publickey")
			hop = f"root@127.0.0.1:{jump.port}"
			r = run([sesh_bin("sesh"), "-J", f"{hop},{hop}", "-p",
				 str(srv.port), "root@127.0.0.1", "echo chained"],
				sesh_env)
			assert r.returncode == 0, r.stderr
			assert r.stdout == "chained\n"
			assert jump.log().count("Accepted publickey") == \
			    before + 2
		finally:
			jump.stop()
	finally:
		srv.stop()


def test_config_dev_null(sesh_bin, sesh_env):
	"""`-F /dev/null` is an empty configuration, as with ssh."""
	ours = sesh_g(sesh_bin, sesh_env, "-F", "/dev/null", "-p", "2200",
		      "u@h")
	theirs = ssh_g(sesh_env, "-F", "/dev/null", "-p", "2200", "u@h")
	for kw in ("user", "port", "hostname"):
		assert ours[kw] == theirs[kw], kw
