#!/usr/bin/python3
"""
`make bench`: sesh, OpenSSH and Dropbear side by side, in one run, on
loopback.

Usage:
  /usr/bin/python3 bench/run.py --build BUILD_DIR [--quick] [--json FILE]
      [--markdown FILE] [--doc FILE] [--runs N] [--bulk-mib N]
      [--bulk-runs N] [--keep-rc] [--seshd PATH] [--ciphers LIST]
      [--sessions N]
      [--rows connect,rtt,bulk,server,download,memory,preauth,wan,cps,
              streams]

Rows (issues 3, 4 and 8; the ratio is always sesh's figure over
OpenSSH's or Dropbear's, so every target reads "ratio <= x" or "ratio >=
x"; the echo row's target is an absolute "< 5 ms"). Dropbear (Debian's
dropbear-bin: /usr/sbin/dropbear, /usr/bin/dbclient) is measured where
installed, its rows skipped otherwise; a row a tool cannot do (a cipher
Dropbear lacks) prints "n/a":
  connect   wall time of `CLIENT -p PORT user@127.0.0.1 true`, median of
            --runs (default 20) runs per pair, pairs interleaved run by
            run after one discarded warm-up each: sesh->sshd vs
            ssh->sshd (target <= 0.6), the same with curve25519-sha256
            forced on the server, and with seshd built: ssh->seshd vs
            ssh->sshd (<= 0.5) and sesh->seshd vs ssh->sshd (<= 0.2),
            both also with curve25519-sha256; dbclient->dropbear and
            ssh->dropbear, default and curve25519, against ssh->sshd and
            sesh->seshd/ssh->seshd against them.
  rtt       the same login + `true` through bench/delayproxy.py at 0
            and 50 ms each way: round trips = (median wall at 100 ms RTT
            - median wall at 0) / 100 ms; the client's turns (flights of
            its data the proxy saw, i.e. how often it spoke, each time
            but the first after waiting for the server; TCP's handshake
            is with the proxy and not counted); the wall time at 100 ms
            RTT. Pairs: sesh/ssh->sshd, ssh/sesh->seshd,
            dbclient/ssh->dropbear; curve25519 too (not with --quick).
  bulk      --bulk-mib (2048; 256 with --quick) MiB of zeros through
            `cat > /dev/null` per cipher (the server's Ciphers/MACs are
            restricted, so both clients negotiate the same): MiB/s of the
            transfer (from the first MiB taken by the client to its
            exit; login excluded) and the client process's CPU seconds
            per GiB (wait4 rusage), sesh vs ssh, both against sshd;
            server CPU per GiB (cutime+cstime of the listener: the
            connection's processes and `cat`) shown alongside; dbclient
            -> sshd too (sesh vs dbclient), n/a for ciphers it lacks;
            with seshd built, sesh -> seshd per AEAD cipher against the
            pipe ceiling (dd | cat) measured before each run (>= 0.9).
  server    with seshd built: bulk with OpenSSH's ssh against seshd vs
            against sshd per cipher (>= 1.0), server CPU per GiB; and
            vs dropbear (cipher pinned with ssh -c/-m).
  download  the other direction, per cipher: `head -c N /dev/zero`
            (N: --bulk-mib MiB) on the server, the client's stdout a
            pipe the bench process reads and counts; MiB/s from the
            moment the first MiB had arrived to the client's exit,
            median of --bulk-runs, interleaved; client CPU per GiB
            (wait4) and server CPU per GiB (the listener's cutime+
            cstime: the connection's processes and `head`); sesh vs
            ssh against sshd, and with seshd built ssh->seshd vs
            ssh->sshd (server CPU only). No targets.
  memory    with seshd built: PSS (smaps_rollup) of the server's
            processes with --sessions (50) idle `sleep` sessions held by
            OpenSSH's ssh, sleep/shell processes left out (<= 0.25);
            per session seshd vs dropbear (<= 1.0).
  preauth   PSS per connection held at the userauth stage (20; 8 with
            --quick): ssh with a passphrase key the server accepts
            waits on an SSH_ASKPASS that sleeps, after PK_OK; seshd,
            sshd, dropbear.
  wan       bulk at 50 and 200 ms RTT through the delay proxy vs plain
            TCP through it.
  cps       connections/s from 1, 4, 16 parallel ssh workers (each its
            own 127.0.0.x), seshd vs sshd (>= 2) and vs dropbear.
  streams   8 `cat > /dev/null` streams of --bulk-mib/8 MiB started
            together on one ControlMaster connection and on 8
            connections, per server, MiB/s; and the median echo time of
            1 byte on `ssh -tt HOST cat` while they run (< 5 ms).
Rows whose server or client is missing, or fails, are skipped with a
note; the table is still printed. The run needs root (sshd logs in as
root with its own host key), like the system tests.
Exit status: 0 when the table was printed (misses are not failures:
this is a measurement, never a timed test), 2 when it could not run.
"""

import argparse
import atexit
import datetime
import json
import os
import platform
import signal
import stat
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ left in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import (BenchError, DbClient, DropbearServer,  # noqa: E402
		     OpenSSHClient, OpenSSHServer, SeshClient, SeshdServer)

CIPHERS = [
	("chacha20-poly1305", "chacha20-poly1305@openssh.com", None),
	("aes128-gcm", "aes128-gcm@openssh.com", None),
	("aes256-gcm", "aes256-gcm@openssh.com", None),
	("aes128-ctr+etm", "aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
]
ALL_ROWS = ("connect", "rtt", "bulk", "server", "download", "memory",
	    "preauth", "wan", "cps", "streams")
MIB = 1 << 20
GIB = 1 << 30


def log(msg):
	print(msg, file=sys.stderr, flush=True)


# --- results -----------------------------------------------------------------

class Table:
	"""Rows of (name, ours, theirs, unit, ratio, target, verdict, note)."""

	def __init__(self):
		self.rows = []
		self.notes = []

	def add(self, name, ours, theirs, unit, target=None, higher=False,
		ours_label="sesh", theirs_label="OpenSSH", note="", issue=None,
		limit=None):
		"""target: the ratio bound; higher: the ratio must be >= it;
		limit: instead, an upper bound on ours itself (in the row's
		unit's base: seconds for ms); issue: the issue number that sets
		the target."""
		ratio = None
		if ours is not None and theirs:
			ratio = ours / theirs
		verdict = ""
		shown = None
		if limit is not None:
			shown = f"< {fmt(limit, unit)}"
			verdict = ("n/a" if ours is None else
				   "pass" if ours < limit else "MISS")
		elif target is not None and ratio is not None:
			ok = ratio >= target if higher else ratio <= target
			verdict = "pass" if ok else "MISS"
		elif target is not None:
			verdict = "n/a"
		if target is not None and limit is None:
			shown = (">= " if higher else "<= ") + f"{target:g}"
		if shown and issue:
			shown += f" (#{issue})"
		self.rows.append({
			"row": name, "ours": ours, "theirs": theirs,
			"unit": unit, "ratio": ratio,
			"target": shown,
			"verdict": verdict, "ours_label": ours_label,
			"theirs_label": theirs_label, "note": note})

	def skip(self, name, why):
		"""A row not measured; a why starting with "n/a" (a tool that
		cannot do what the row asks) prints as "n/a"."""
		self.rows.append({"row": name, "ours": None, "theirs": None,
				  "unit": "", "ratio": None, "target": None,
				  "verdict": "n/a" if why.startswith("n/a")
				  else "skip", "ours_label": "",
				  "theirs_label": "", "note": why})

	def note(self, text):
		self.notes.append(text)


def fmt(v, unit):
	if v is None:
		return "-"
	if unit == "ms":
		return f"{v * 1000:.1f} ms"
	if unit == "MiB/s":
		return f"{v:.0f} MiB/s"
	if unit == "s/GiB":
		return f"{v:.2f} s/GiB"
	if unit == "KiB":
		return f"{v:.0f} KiB"
	if unit == "rt":
		return f"{v:.1f}"
	if unit == "conn/s":
		return f"{v:.1f}/s"
	return f"{v:g} {unit}"


def cells(r):
	if r["verdict"] == "skip":
		return [r["row"], "-", "-", "-", "-", "skip: " + r["note"]]
	if r["verdict"] == "n/a" and r["ours"] is None and \
			r["theirs"] is None:
		return [r["row"], "-", "-", "-", "-", r["note"]]
	ours = fmt(r["ours"], r["unit"])
	theirs = fmt(r["theirs"], r["unit"])
	if r["ours_label"] != "sesh":
		ours = f"{ours} ({r['ours_label']})"
	if r["theirs_label"] != "OpenSSH":
		theirs = f"{theirs} ({r['theirs_label']})"
	ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
	res = r["verdict"]
	if r["note"]:
		res = (res + " " if res else "") + f"({r['note']})"
	return [r["row"], ours, theirs, ratio, r["target"] or "", res]


HEAD = ["row", "sesh", "OpenSSH or Dropbear", "ratio", "target", "result"]


def render_text(table, machine):
	out = [f"{k}: {v}" for k, v in machine.items()] + [""]
	data = [HEAD] + [cells(r) for r in table.rows]
	width = [max(len(row[i]) for row in data) for i in range(len(HEAD))]
	for i, row in enumerate(data):
		out.append("  ".join(c.ljust(width[j])
				     for j, c in enumerate(row)).rstrip())
		if i == 0:
			out.append("  ".join("-" * w for w in width))
	out += [""] + [f"note: {n}" for n in table.notes]
	return "\n".join(out)


def render_markdown(table, machine):
	out = [f"- {k}: {v}" for k, v in machine.items()]
	out += ["", "| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
	for r in table.rows:
		out.append("| " + " | ".join(c.replace("|", "\\|")
					     for c in cells(r)) + " |")
	out.append("")
	out += [f"- {n}" for n in table.notes]
	return "\n".join(out) + "\n"


# --- environment ---------------------------------------------------------------

def first_line(argv):
	try:
		r = subprocess.run(argv, capture_output=True, text=True,
				   timeout=10)
		return (r.stdout + r.stderr).strip().splitlines()[0]
	except (OSError, IndexError, subprocess.TimeoutExpired):
		return "?"


def machine_info(bulk_bytes):
	cpu = "?"
	try:
		with open("/proc/cpuinfo") as f:
			for line in f:
				if line.startswith("model name"):
					cpu = line.split(":", 1)[1].strip()
					break
	except OSError:
		pass
	ceiling = harness.pipe_ceiling(min(bulk_bytes, GIB))
	return {
		"date": datetime.datetime.now(datetime.timezone.utc)
		.strftime("%Y-%m-%d %H:%M UTC"),
		"nproc": os.cpu_count(),
		"cpu": cpu,
		"kernel": platform.release(),
		"openssl": first_line(["openssl", "version"]),
		"openssh": first_line([harness.SSH, "-V"]),
		"pipe ceiling": f"{ceiling:.0f} MiB/s (dd bs=1M | cat)",
		"load average at start": loadavg(),
	}


def loadavg():
	try:
		with open("/proc/loadavg") as f:
			return " ".join(f.read().split()[:3])
	except OSError:
		return "?"


# --- the bench ------------------------------------------------------------------

class Bench:
	def __init__(self, args):
		self.args = args
		self.build = os.path.abspath(args.build)
		self.root = tempfile.mkdtemp(prefix="sesh-bench-")
		self.home = os.path.join(self.root, "home")
		os.makedirs(self.home)
		self.env = dict(os.environ)
		for var in ("SSH_AUTH_SOCK", "DISPLAY", "SSH_ASKPASS",
			    "SSH_ASKPASS_REQUIRE"):
			self.env.pop(var, None)
		self.env["HOME"] = self.home
		self.env["LC_ALL"] = "C"
		self.keys = harness.Keys(self.root)
		self.servers = {}
		self.procs = []
		self.empty_config = os.path.join(self.root, "empty_config")
		open(self.empty_config, "w").close()
		self.sesh = SeshClient(self.build)
		self.sesh.detect(self.env, self.empty_config)
		self.ssh = OpenSSHClient(self.empty_config)
		self.dbclient = DbClient(self.home)
		self.table = Table()
		self.raw = {}

	# servers are started lazily, one per (kind, profile), kept to the end
	def server(self, kind, profile):
		key = (kind, profile["id"])
		if key in self.servers:
			srv = self.servers[key]
			if isinstance(srv, BenchError):
				raise srv
			return srv
		if kind == "sshd":
			srv = OpenSSHServer(self.root, self.keys, profile)
		elif kind == "dropbear":
			srv = DropbearServer(self.root, self.keys, profile)
		else:
			srv = SeshdServer(self.root, self.keys, profile,
					  self.seshd_path())
		if not srv.can(profile):
			raise BenchError(f"n/a: {kind} cannot speak this profile")
		try:
			srv.start()
			# One login proves the server usable before timing;
			# sesh checks the profiles OpenSSH 9.2 cannot speak
			# (mlkem768x25519).
			cl = self.sesh if profile.get("sesh_only") else self.ssh
			t0, t1, cpu, st, err = harness.run_timed(
				cl.argv(srv, self.keys, "true"), self.env,
				timeout=30)
			if st != 0:
				raise BenchError(f"{kind}: login failed: "
						 f"{tail(err)}")
		except BenchError as e:
			srv.stop()
			self.servers[key] = e
			raise
		self.servers[key] = srv
		return srv

	def stop_server(self, kind, profile):
		srv = self.servers.pop((kind, profile["id"]), None)
		if srv is not None and not isinstance(srv, BenchError):
			srv.stop()

	def cleanup(self):
		# Servers first: Server.stop() ends their sessions' processes
		# while those are still descendants, before the clients go.
		for srv in self.servers.values():
			if not isinstance(srv, BenchError):
				srv.stop()
		self.servers = {}
		for p in self.procs:
			if p.poll() is None:
				p.kill()
			p.wait()
		self.procs = []
		subprocess.run(["rm", "-rf", self.root])

	def seshd_path(self):
		return self.args.seshd or os.path.join(self.build, "bin",
						       "seshd")

	def seshd_available(self):
		return os.access(self.seshd_path(), os.X_OK)

	# --- connect ---
	def connect_rows(self):
		runs = self.args.runs
		default = {"id": "default"}
		curve = {"id": "curve25519", "kex": "curve25519-sha256"}
		pairs = []  # (label, client, kind, profile)
		for prof in (default, curve):
			pairs.append((f"sesh->sshd {prof['id']}", self.sesh,
				      "sshd", prof))
			pairs.append((f"ssh->sshd {prof['id']}", self.ssh,
				      "sshd", prof))
		# the post-quantum hybrids (issue 6), sesh on both ends
		hybrids = [{"id": "mlkem768x25519",
			    "kex": "mlkem768x25519-sha256", "sesh_only": True},
			   {"id": "sntrup761x25519",
			    "kex": "sntrup761x25519-sha512"}]
		if self.seshd_available():
			for prof in (default, curve):
				pairs.append((f"ssh->seshd {prof['id']}",
					      self.ssh, "seshd", prof))
				pairs.append((f"sesh->seshd {prof['id']}",
					      self.sesh, "seshd", prof))
			for prof in hybrids:
				pairs.append((f"sesh->seshd {prof['id']}",
					      self.sesh, "seshd", prof))
		# Dropbear: its own client, and OpenSSH's ssh against it.
		for prof in (default, curve):
			pairs.append((f"dbclient->dropbear {prof['id']}",
				      self.dbclient, "dropbear", prof))
			pairs.append((f"ssh->dropbear {prof['id']}", self.ssh,
				      "dropbear", prof))
		live, errors = [], {}
		for label, cl, kind, prof in pairs:
			try:
				if not cl.available():
					raise BenchError(f"{cl.binary}: not "
							 "built or not installed")
				if not cl.can(prof):
					raise BenchError(f"n/a: {cl.name} cannot "
							 "speak this profile")
				srv = self.server(kind, prof)
			except BenchError as e:
				errors[label] = str(e)
				continue
			live.append((label, cl, srv))
		times = {label: [] for label, _, _ in live}
		log(f"bench: connect, {runs} runs x {len(live)} pairs")
		for i in range(runs + 1):
			for label, cl, srv in live:
				if label in errors:
					continue
				try:
					t0, t1, _, st, err = harness.run_timed(
						cl.argv(srv, self.keys, "true"),
						self.env, timeout=30)
				except BenchError as e:
					errors[label] = str(e)
					continue
				if st != 0:
					errors[label] = (f"exit {st}: "
							 f"{tail(err)}")
					continue
				if i > 0:
					times[label].append(t1 - t0)
		med = {}
		for label, ts in times.items():
			if label not in errors and ts:
				med[label] = statistics.median(ts)
		self.raw["connect"] = {k: v for k, v in times.items()}
		self.raw["connect_errors"] = errors

		def row(name, a, b, target, la="sesh", lb="OpenSSH",
			issue=None):
			if a in med and b in med:
				self.table.add(name, med[a], med[b], "ms",
					       target, ours_label=la,
					       theirs_label=lb, issue=issue)
			else:
				why = errors.get(a) or errors.get(b) or \
					"not measured"
				self.table.skip(name, why)

		row("connect+true, sesh vs ssh -> sshd",
		    "sesh->sshd default", "ssh->sshd default", 0.6, issue=3)
		row("connect+true, curve25519-sha256 both",
		    "sesh->sshd curve25519", "ssh->sshd curve25519", None)
		if self.seshd_available():
			row("connect+true, ssh -> seshd vs sshd",
			    "ssh->seshd default", "ssh->sshd default", 0.5,
			    la="ssh->seshd", lb="ssh->sshd", issue=4)
			row("connect+true, sesh->seshd vs ssh->sshd",
			    "sesh->seshd default", "ssh->sshd default", 0.2,
			    la="sesh->seshd", lb="ssh->sshd", issue=8)
			row("connect+true, curve25519, ssh -> seshd vs sshd",
			    "ssh->seshd curve25519", "ssh->sshd curve25519",
			    None, la="ssh->seshd", lb="ssh->sshd")
			row("connect+true, curve25519, sesh->seshd vs ssh->sshd",
			    "sesh->seshd curve25519", "ssh->sshd curve25519",
			    None, la="sesh->seshd", lb="ssh->sshd")
			for h in hybrids:
				row(f"connect+true, {h['id']} vs curve25519, "
				    "sesh->seshd",
				    f"sesh->seshd {h['id']}",
				    "sesh->seshd curve25519", 1.3,
				    la=h["id"], lb="curve25519", issue=6)
		else:
			self.table.skip("connect+true, ssh -> seshd vs sshd",
					"build/bin/seshd not built")
		for prof, kx in (("default", ""), ("curve25519",
						   ", curve25519")):
			row(f"connect+true{kx}, dbclient->dropbear vs "
			    "ssh->sshd", f"dbclient->dropbear {prof}",
			    f"ssh->sshd {prof}", None, la="dbclient->dropbear",
			    lb="ssh->sshd")
			row(f"connect+true{kx}, ssh -> dropbear vs sshd",
			    f"ssh->dropbear {prof}", f"ssh->sshd {prof}", None,
			    la="ssh->dropbear", lb="ssh->sshd")
			if self.seshd_available():
				row(f"connect+true{kx}, sesh->seshd vs "
				    "dbclient->dropbear",
				    f"sesh->seshd {prof}",
				    f"dbclient->dropbear {prof}", None,
				    la="sesh->seshd", lb="dbclient->dropbear")
				row(f"connect+true{kx}, ssh -> seshd vs "
				    "dropbear", f"ssh->seshd {prof}",
				    f"ssh->dropbear {prof}", None,
				    la="ssh->seshd", lb="ssh->dropbear")
		self.table.note(
			"connect, Dropbear: 2022.83 has no post-quantum KEX, so "
			"its default is curve25519-sha256 for dbclient and for "
			"ssh against it; dropbear cannot restrict algorithms "
			"at run time, so its curve25519 profile is set on the "
			"client (ssh -o KexAlgorithms; dbclient has no KEX "
			"option and offers curve25519-sha256 first)")
		self.connect_medians = med

	# --- round trips ---
	def rtt_rows(self):
		delay_ms = 50.0
		runs = 3 if self.args.quick else 5
		profs = [({"id": "default"}, "")]
		if not self.args.quick:
			profs.append(({"id": "curve25519",
				       "kex": "curve25519-sha256"},
				      ", curve25519"))
		pairs = [("sesh->sshd", self.sesh, "sshd"),
			 ("ssh->sshd", self.ssh, "sshd")]
		if self.seshd_available():
			pairs.append(("ssh->seshd", self.ssh, "seshd"))
			pairs.append(("sesh->seshd", self.sesh, "seshd"))
		pairs.append(("dbclient->dropbear", self.dbclient, "dropbear"))
		pairs.append(("ssh->dropbear", self.ssh, "dropbear"))
		comparisons = [("sesh->sshd", "ssh->sshd", "sesh", "OpenSSH"),
			       ("ssh->seshd", "ssh->sshd", None, None),
			       ("sesh->seshd", "ssh->sshd", None, None),
			       ("dbclient->dropbear", "ssh->sshd", None, None),
			       ("ssh->dropbear", "ssh->sshd", None, None),
			       ("sesh->seshd", "dbclient->dropbear", None,
				None)]
		self.raw["round_trips"] = {}
		for prof, kx in profs:
			res = {}
			log(f"bench: round trips{kx}, {runs} runs x {len(pairs)} "
			    f"pairs through delayproxy.py at 0 and "
			    f"{2 * delay_ms:g} ms RTT")
			for label, cl, kind in pairs:
				try:
					if not cl.available():
						raise BenchError(f"{cl.binary}: "
								 "not built")
					if not cl.can(prof):
						raise BenchError(f"n/a: {cl.name} "
								 "cannot speak "
								 "this profile")
					srv = self.server(kind, prof)
					res[label] = self.round_trips(
						cl, srv, delay_ms, runs)
				except BenchError as e:
					res[label] = str(e)
			self.raw["round_trips"][prof["id"]] = res

			def row(name, key, unit, a, b, la, lb):
				ra, rb = res.get(a), res.get(b)
				if isinstance(ra, dict) and isinstance(rb, dict):
					self.table.add(name, ra[key], rb[key], unit,
						       None, ours_label=la,
						       theirs_label=lb)
				elif a in res and b in res:
					self.table.skip(name, str(
						ra if not isinstance(ra, dict)
						else rb))
			rtt = f"{2 * delay_ms:g} ms RTT"
			for a, b, la, lb in comparisons:
				pair = f"{a} vs {b}"
				la, lb = la or a, lb or b
				row(f"round trips{kx}, {pair}", "rts", "rt", a, b,
				    la, lb)
				if kx:
					continue
				row(f"client turns, {pair}", "turns", "rt", a, b,
				    la, lb)
				row(f"connect+true at {rtt}, {pair}", "wall", "ms",
				    a, b, la, lb)
		self.table.note(
			"round trips: (median wall time of login + `true` "
			f"through bench/delayproxy.py at {2 * delay_ms:g} ms RTT "
			"- the same through the proxy at 0 ms) / "
			f"{2 * delay_ms:g} ms, {runs} runs each: how many round "
			"trips the login waits for (TCP's handshake is with the "
			"proxy, so it is not counted); client turns: flights of "
			"client-to-server data the proxy saw (a flight is a run "
			"of reads less than half the one-way delay apart), "
			"median: how many times the client spoke, each but the "
			"first after waiting for the server")

	def round_trips(self, cl, srv, delay_ms, runs):
		out = {}
		for d in (0.0, delay_ms):
			stats = os.path.join(
				self.root, f"proxy-{cl.name}-{srv.name}-"
				f"{srv.profile['id']}-{d:g}.json")

			def lines():
				try:
					with open(stats) as f:
						return [json.loads(x) for x in f
							if x.strip()]
				except (OSError, ValueError):
					return []
			with harness.Proxy(srv.port, d, stats=stats) as proxy:
				view = srv.via(proxy.port)
				walls = []
				for i in range(runs):
					t0, t1, _, st, err = harness.run_timed(
						cl.argv(view, self.keys, "true"),
						self.env, timeout=60)
					if st != 0:
						raise BenchError(
							f"exit {st} through proxy: "
							f"{tail(err)}")
					walls.append(t1 - t0)
					harness.wait_for(
						lambda: len(lines()) > i, 10)
			out[d] = (walls, lines())
		walls0, _ = out[0.0]
		walls, got = out[delay_ms]
		if len(got) < runs:
			raise BenchError("delayproxy kept no statistics")
		return {"wall": statistics.median(walls),
			"wall0": statistics.median(walls0),
			"rts": harness.round_trips_by_time(
				walls, walls0, 2 * delay_ms / 1000),
			"turns": statistics.median(
				x["up_flights"] for x in got),
			"server_turns": statistics.median(
				x["down_flights"] for x in got),
			"runs": got, "walls": walls, "walls0": walls0}

	# --- bulk over a delayed path ---
	def wan_rows(self):
		"""Bulk through delayproxy.py at 50 and 200 ms RTT: sesh and
		ssh to sshd, ssh to seshd, and plain TCP through the same
		proxy (issue 8: >= 80% of plain TCP at 50 ms)."""
		prof = {"id": "default"}
		runs = 1 if self.args.quick else 2
		for rtt, mib in ((50, 256), (200, 64)):
			if self.args.quick:
				mib //= 4
			nbytes = mib * MIB
			name = f"bulk at {rtt} ms RTT"
			log(f"bench: {name}, {runs} x {mib} MiB per client")
			res = {"tcp": [], "sesh->sshd": [], "ssh->sshd": [],
			       "ssh->seshd": [], "sesh->seshd": []}
			pairs = [("sesh->sshd", self.sesh, "sshd"),
				 ("ssh->sshd", self.ssh, "sshd")]
			if self.seshd_available():
				pairs.append(("ssh->seshd", self.ssh, "seshd"))
				pairs.append(("sesh->seshd", self.sesh,
					      "seshd"))
			errors = {}
			for _ in range(runs):
				sink = harness.Sink()
				with harness.Proxy(sink.port, rtt / 2) as px:
					res["tcp"].append(harness.plain_tcp_rate(
						px.port, sink, nbytes))
				for label, cl, kind in pairs:
					if label in errors:
						continue
					try:
						if not cl.available():
							raise BenchError(
								f"{cl.binary}: not "
								"built")
						srv = self.server(kind, prof)
						with harness.Proxy(srv.port,
								   rtt / 2) as px:
							r = harness.run_bulk(
								cl.argv(srv.via(
									px.port),
									self.keys,
									"cat > /dev/null"),
								self.env, nbytes)
						if r["status"] != 0 or \
								r["rate_mib"] is None:
							raise BenchError(
								f"exit {r['status']}: "
								f"{tail(r['err'])}")
						res[label].append(r["rate_mib"])
					except BenchError as e:
						errors[label] = str(e)
			med = {k: statistics.median(v) for k, v in res.items()
			       if v and k not in errors}
			self.raw.setdefault("wan", {})[rtt] = {
				"rates": res, "errors": errors}

			def row(title, a, b, target=None, la="sesh",
				lb="OpenSSH", issue=None):
				if a in med and b in med:
					self.table.add(title, med[a], med[b],
						       "MiB/s", target,
						       higher=True,
						       ours_label=la,
						       theirs_label=lb,
						       issue=issue)
				else:
					self.table.skip(title, errors.get(a) or
							errors.get(b) or
							"not measured")
			row(f"{name} MiB/s", "sesh->sshd", "ssh->sshd")
			# sesh -> sshd is bound by sshd's fixed 2 MiB receive
			# window; the target applies where sesh's engine owns
			# the window (sesh -> seshd, windows that grow)
			row(f"{name}, sesh vs plain TCP", "sesh->sshd", "tcp",
			    lb="plain TCP")
			if self.seshd_available():
				row(f"{name}, sesh -> seshd vs plain TCP",
				    "sesh->seshd", "tcp",
				    0.8 if rtt == 50 else None,
				    la="sesh->seshd", lb="plain TCP",
				    issue=8 if rtt == 50 else None)
			row(f"{name}, ssh vs plain TCP", "ssh->sshd", "tcp",
			    la="OpenSSH", lb="plain TCP")
			if self.seshd_available():
				row(f"{name}, ssh -> seshd vs sshd",
				    "ssh->seshd", "ssh->sshd", 1.0,
				    la="ssh->seshd", lb="ssh->sshd")
		self.table.note(
			"bulk at N ms RTT: zeros to `cat > /dev/null` through "
			"bench/delayproxy.py (N/2 ms each way, at most 4 MiB in "
			"flight per direction, so plain TCP through it reaches "
			"about 8 MiB per RTT), each side's default cipher; "
			"plain TCP is a socket sending the same bytes through "
			"the same proxy to a sink")

	# --- connections per second ---
	def cps_rows(self):
		"""OpenSSH's ssh logging in and running `true` from 1, 4 and 16
		parallel workers, a bounded count each level, against seshd
		and sshd (issue 8: >= 2x); server CPU per connection."""
		title = "connections/s, ssh -> seshd vs sshd"
		if not self.seshd_available():
			self.table.skip(title, "seshd not built")
			return
		prof = {"id": "default"}
		count = self.args.cps_count or (16 if self.args.quick else 40)
		res = {}
		db_err = sesh_err = None
		if not self.sesh.available():
			sesh_err = f"{self.sesh.binary}: not built"
		for par in (1, 4, 16):
			log(f"bench: connections, {par} parallel, {count} each "
			    "server")
			for kind in ("seshd", "sshd", "dropbear", "sesh"):
				if (kind == "dropbear" and db_err) or \
				   (kind == "sesh" and sesh_err):
					continue
				try:
					if kind == "sesh":
						# the suites: sesh -> seshd
						srv = self.server("seshd", prof)
						res[(par, kind)] = self.cps(
							srv, par, count,
							client=self.sesh)
						continue
					srv = self.server(kind, prof)
					res[(par, kind)] = self.cps(srv, par, count)
				except BenchError as e:
					if kind == "dropbear":
						db_err = str(e)
						continue
					if kind == "sesh":
						sesh_err = str(e)
						continue
					self.table.skip(f"{title} ({par} parallel)",
							f"{kind}: {e}")
					return
		self.raw["cps"] = {f"{p} {k}": v for (p, k), v in res.items()}
		self.raw["cps_dropbear_error"] = db_err
		for par in (1, 4, 16):
			a, b = res[(par, "seshd")], res[(par, "sshd")]
			self.table.add(f"connections/s, {par} parallel",
				       a["cps"], b["cps"], "conn/s", 2.0,
				       higher=True, ours_label="ssh->seshd",
				       theirs_label="ssh->sshd", issue=8)
		for par in (1, 4, 16):
			name = (f"connections/s, {par} parallel, sesh->seshd "
				"vs ssh->sshd")
			if (par, "sesh") not in res:
				self.table.skip(name, f"sesh: {sesh_err}")
				continue
			self.table.add(name, res[(par, "sesh")]["cps"],
				       res[(par, "sshd")]["cps"], "conn/s", 2.0,
				       higher=True, ours_label="sesh->seshd",
				       theirs_label="ssh->sshd", issue=8)
		a, b = res[(4, "seshd")], res[(4, "sshd")]
		self.table.add("server CPU per connection (4 parallel)",
			       a["cpu_per_conn"], b["cpu_per_conn"], "ms", None,
			       ours_label="seshd", theirs_label="sshd")
		for par in (1, 4, 16):
			name = f"connections/s, {par} parallel, seshd vs dropbear"
			if (par, "dropbear") not in res:
				self.table.skip(name, f"dropbear: {db_err}")
				continue
			self.table.add(name, res[(par, "seshd")]["cps"],
				       res[(par, "dropbear")]["cps"], "conn/s",
				       None, higher=True,
				       ours_label="ssh->seshd",
				       theirs_label="ssh->dropbear")
		if (4, "dropbear") in res:
			self.table.add("server CPU per connection (4 parallel), "
				       "seshd vs dropbear",
				       res[(4, "seshd")]["cpu_per_conn"],
				       res[(4, "dropbear")]["cpu_per_conn"], "ms",
				       None, ours_label="seshd",
				       theirs_label="dropbear")
		self.table.note(
			f"connections/s: {count} logins + `true` by OpenSSH's "
			"ssh per level, spread over N parallel workers, worker "
			"i binding 127.0.0.(2+i) as its source (Dropbear takes "
			"at most 5 unauthenticated connections per source "
			"address); server CPU is the listener's and its reaped "
			"children's; sesh->seshd: the same count by sesh (one "
			"source address), against the ssh->sshd figure. OpenSSH "
			"9.2's ssh negotiates sntrup761x25519 with seshd and "
			"sshd (~80 ms of its CPU per login here) and "
			"curve25519 with Dropbear 2022.83, which has no "
			"sntrup761: in parallel the ssh rows are bound by the "
			"client's CPU")

	def cps(self, srv, par, count, client=None):
		left = [count]
		fails = []
		lock = threading.Lock()

		def worker(i):
			if client is None:
				argv = self.ssh.argv(srv, self.keys, "true", extra=(
					"-o", f"BindAddress={source_addr(i)}"))
			else:
				argv = client.argv(srv, self.keys, "true")
			while True:
				with lock:
					if left[0] <= 0 or fails:
						return
					left[0] -= 1
				r = subprocess.run(argv, stdin=subprocess.DEVNULL,
						   stdout=subprocess.DEVNULL,
						   stderr=subprocess.PIPE,
						   env=self.env, timeout=120)
				if r.returncode != 0:
					with lock:
						fails.append(tail(r.stderr))
		srv.wait_idle()
		cpu0 = srv.child_cpu() + harness.proc_self_cpu(srv.proc.pid)
		t0 = time.perf_counter()
		threads = [threading.Thread(target=worker, args=(i,))
			   for i in range(par)]
		for t in threads:
			t.start()
		for t in threads:
			t.join()
		wall = time.perf_counter() - t0
		if fails:
			raise BenchError(f"{len(fails)} logins failed: "
					 f"{fails[0]}")
		srv.wait_idle()
		cpu = srv.child_cpu() + harness.proc_self_cpu(srv.proc.pid) - \
			cpu0
		return {"cps": count / wall, "wall": wall,
			"cpu_per_conn": cpu / count}

	# --- bulk ---
	def bulk_once(self, cl, srv, nbytes, download=False):
		"""One bulk run: nbytes from the bench's stdin feed to `cat >
		/dev/null` on the server, or with download from `head -c
		nbytes /dev/zero` there to the bench's drain of the client's
		stdout."""
		before = srv.child_cpu()
		if download:
			r = harness.run_download(
				cl.argv(srv, self.keys,
					f"head -c {nbytes} /dev/zero"),
				self.env, nbytes)
			moved = f"{r['got'] / MIB:.0f} of {nbytes // MIB} MiB " \
				"received"
		else:
			r = harness.run_bulk(
				cl.argv(srv, self.keys, "cat > /dev/null"),
				self.env, nbytes)
			moved = f"{r['sent'] // MIB} MiB sent"
		if r["status"] != 0 or r["rate_mib"] is None:
			raise BenchError(f"{cl.name}: exit {r['status']}, "
					 f"{moved}: {tail(r['err'])}")
		# The connection's processes are reaped by the listener soon
		# after the client's exit; wait for it so their CPU counts.
		srv.wait_idle()
		r["server_cpu"] = srv.child_cpu() - before
		return r

	def bulk_pairs(self, pairs, title, target_rate, target_cpu, la, lb,
		       issue, third=None, download=False, server_target=0.6):
		"""pairs: (client_a, kind_a, client_b, kind_b), compared a over
		b; third: (client_c, kind_c, label_c), also measured and a
		compared over it (Dropbear), "n/a" where it cannot speak the
		cipher. target_cpu "server": a server comparison (no client
		CPU row; its server CPU row's target is server_target);
		download: the server sends (bulk_once)."""
		nbytes = self.args.bulk_mib * MIB
		gib = nbytes / GIB
		for name, cipher, mac in CIPHERS:
			if self.args.ciphers and name not in self.args.ciphers:
				continue
			prof = {"id": name, "cipher": cipher, "mac": mac or
				"hmac-sha2-256-etm@openssh.com"}
			ca, ka, cb, kb = pairs
			results = {"a": [], "b": [], "c": []}
			sc, third_err = None, None
			try:
				for c in (ca, cb):
					if not c.available():
						raise BenchError(f"{c.binary}: "
								 "not built")
				sa = self.server(ka, prof)
				sb = self.server(kb, prof)
				if third:
					try:
						cc, kc, _ = third
						if not cc.available():
							raise BenchError(
								f"{cc.binary}: not "
								"installed")
						if not cc.can(prof):
							raise BenchError(
								f"n/a: {cc.name} "
								f"cannot do {name}")
						sc = self.server(kc, prof)
					except BenchError as e:
						third_err = str(e)
				log(f"bench: {title} {name}, "
				    f"{self.args.bulk_runs} x "
				    f"{self.args.bulk_mib} MiB")
				for _ in range(self.args.bulk_runs):
					results["a"].append(self.bulk_once(
						ca, sa, nbytes, download))
					results["b"].append(self.bulk_once(
						cb, sb, nbytes, download))
					if sc is not None and not third_err:
						try:
							results["c"].append(
								self.bulk_once(
									third[0], sc,
									nbytes,
									download))
						except BenchError as e:
							third_err = str(e)
			except BenchError as e:
				self.table.skip(f"{title} {name}", str(e))
				continue
			finally:
				# Free the cipher-restricted servers.
				for k in {ka, kb, third[1] if third else "sshd"}:
					if k != "sshd":
						self.stop_server(k, prof)
			self.raw.setdefault(title, {})[name] = {
				k: [{x: y for x, y in r.items() if x != "err"}
				    for r in v] for k, v in results.items()}

			def medof(key, side, per_gib=False):
				v = statistics.median(
					r[key] for r in results[side])
				return v / gib if per_gib else v
			self.table.add(f"{title} {name} MiB/s",
				       medof("rate_mib", "a"),
				       medof("rate_mib", "b"), "MiB/s",
				       target_rate, higher=True,
				       ours_label=la, theirs_label=lb,
				       issue=issue)
			if target_cpu != "server":
				self.table.add(f"{title} {name} client CPU",
					       medof("cpu", "a", True),
					       medof("cpu", "b", True), "s/GiB",
					       target_cpu, ours_label=la,
					       theirs_label=lb, issue=8)
			self.table.add(f"{title} {name} server CPU",
				       medof("server_cpu", "a", True),
				       medof("server_cpu", "b", True), "s/GiB",
				       server_target if target_cpu == "server"
				       else None,
				       ours_label=la if target_cpu == "server"
				       else "sshd<-sesh",
				       theirs_label=lb if target_cpu == "server"
				       else "sshd<-ssh", issue=8)
			if not third:
				continue
			lc = third[2]
			vs = f"{title} {name}, {la} vs {lc}"
			if third_err or not results["c"]:
				self.table.skip(vs, third_err or "not measured")
				continue
			self.table.add(f"{vs} MiB/s", medof("rate_mib", "a"),
				       medof("rate_mib", "c"), "MiB/s", None,
				       higher=True, ours_label=la,
				       theirs_label=lc)
			srv_side = target_cpu == "server"
			key = "server_cpu" if srv_side else "cpu"
			self.table.add(f"{vs} {'server' if srv_side else 'client'}"
				       " CPU", medof(key, "a", True),
				       medof(key, "c", True), "s/GiB", None,
				       ours_label=la, theirs_label=lc)

	def bulk_rows(self):
		self.bulk_pairs((self.sesh, "sshd", self.ssh, "sshd"), "bulk",
				1.0, 0.6, "sesh", "OpenSSH", 3,
				third=(self.dbclient, "sshd", "dbclient"))
		self.table.note(
			f"bulk: {self.args.bulk_mib} MiB of zeros to `cat > "
			"/dev/null`, median of "
			f"{self.args.bulk_runs}; MiB/s counts from the first "
			"MiB the client took from its stdin to its exit (login "
			"excluded); CPU is the client process's user+sys "
			"(wait4) and the server's connection processes plus "
			"`cat` (listener's cutime+cstime), per GiB; the "
			"server's Ciphers/MACs are restricted per row")
		self.ceiling_rows()

	def ceiling_rows(self):
		"""sesh -> seshd bulk per AEAD cipher against the machine's
		pipe ceiling measured between the runs (issue 8: every AEAD
		cipher at the pipe ceiling)."""
		if not self.seshd_available() or not self.sesh.available():
			self.table.skip("bulk, sesh->seshd vs pipe ceiling",
					"sesh or seshd not built")
			return
		nbytes = self.args.bulk_mib * MIB
		for name, cipher, mac in CIPHERS:
			if mac is not None or (self.args.ciphers and
					       name not in self.args.ciphers):
				continue
			prof = {"id": name, "cipher": cipher,
				"mac": "hmac-sha2-256-etm@openssh.com"}
			rates, ceil = [], []
			try:
				srv = self.server("seshd", prof)
				for _ in range(self.args.bulk_runs):
					ceil.append(harness.pipe_ceiling(
						min(nbytes, GIB)))
					rates.append(self.bulk_once(
						self.sesh, srv, nbytes)["rate_mib"])
			except BenchError as e:
				self.table.skip(f"bulk {name}, sesh->seshd vs "
						"pipe ceiling", str(e))
				continue
			self.raw.setdefault("ceiling", {})[name] = {
				"sesh_seshd": rates, "ceiling": ceil}
			self.table.add(f"bulk {name}, sesh->seshd vs pipe "
				       "ceiling", statistics.median(rates),
				       statistics.median(ceil), "MiB/s", 0.9,
				       higher=True, ours_label="sesh->seshd",
				       theirs_label="dd | cat", issue=8)
		self.table.note(
			"pipe ceiling rows: sesh -> seshd bulk as in the bulk "
			"rows (median of the runs) against `dd bs=1M | cat` "
			"measured before each run (median); \"at the ceiling\" "
			"is read as >= 0.9 of it, the ceiling itself moving "
			"by ~10% between runs on these 2 vCPUs")

	def server_rows(self):
		if not self.seshd_available():
			self.table.skip("server bulk (ssh -> seshd vs sshd)",
					"build/bin/seshd not built")
			return
		self.bulk_pairs((self.ssh, "seshd", self.ssh, "sshd"),
				"server bulk", 1.0, "server", "ssh->seshd",
				"ssh->sshd", 4,
				third=(self.ssh, "dropbear", "ssh->dropbear"))

	def download_rows(self):
		"""bulk and server bulk the other way: the server's `head -c N
		/dev/zero` to the client's stdout; no targets (issue 8 asks
		for the figures)."""
		self.bulk_pairs((self.sesh, "sshd", self.ssh, "sshd"),
				"download", None, None, "sesh", "OpenSSH", None,
				download=True)
		if self.seshd_available():
			self.bulk_pairs((self.ssh, "seshd", self.ssh, "sshd"),
					"server download", None, "server",
					"ssh->seshd", "ssh->sshd", None,
					download=True, server_target=None)
		else:
			self.table.skip("server download (ssh -> seshd vs "
					"sshd)", "build/bin/seshd not built")
		self.table.note(
			f"download: {self.args.bulk_mib} MiB of zeros from "
			f"`head -c {self.args.bulk_mib * MIB} /dev/zero` on "
			"the server to the client's stdout, a "
			"pipe the bench process reads and counts (as it feeds "
			"the upload rows' stdin), median of "
			f"{self.args.bulk_runs}; MiB/s counts from the moment "
			"the first MiB had arrived to the client's exit (login "
			"excluded) and needs every byte; CPU is the client "
			"process's user+sys (wait4) and the server's connection "
			"processes plus `head` (listener's cutime+cstime), per "
			"GiB; the server's Ciphers/MACs are restricted per row")

	# --- memory ---
	def memory_rows(self):
		name = f"memory, {self.args.sessions} idle sessions (PSS)"
		if not self.seshd_available():
			self.table.skip(name, "build/bin/seshd not built")
			return
		res = {}
		for kind in ("seshd", "sshd"):
			try:
				res[kind] = self.memory(kind)
			except BenchError as e:
				self.table.skip(name, f"{kind}: {e}")
				return
		self.raw["memory"] = res
		self.table.add(name, res["seshd"]["total_kib"],
			       res["sshd"]["total_kib"], "KiB", 0.25,
			       ours_label="seshd", theirs_label="sshd", issue=4)
		self.table.add("memory per idle session (PSS)",
			       res["seshd"]["per_session_kib"],
			       res["sshd"]["per_session_kib"], "KiB", None,
			       ours_label="seshd", theirs_label="sshd")
		dname = "memory per idle session (PSS), seshd vs dropbear"
		try:
			res["dropbear"] = self.memory("dropbear")
			self.table.add(dname, res["seshd"]["per_session_kib"],
				       res["dropbear"]["per_session_kib"], "KiB",
				       1.0, ours_label="seshd",
				       theirs_label="dropbear", issue=8)
		except BenchError as e:
			self.table.skip(dname, f"dropbear: {e}")
		self.table.note(
			"memory: sum of Pss (/proc/PID/smaps_rollup) over the "
			"listener and its descendants, `sleep` and shells left "
			f"out, with {self.args.sessions} OpenSSH `ssh HOST "
			"sleep 1000` sessions open; per session = (that - the "
			"idle listener's) / sessions")

	def memory(self, kind):
		prof = {"id": "memory"}
		srv = self.server(kind, prof)
		skip = {"sleep", "sh", "bash", "dash", "zsh"}

		def server_pss():
			pids = srv.pids()
			return sum(harness.pss_kib(p) for p in pids
				   if harness.comm(p) not in skip)

		def sleeps():
			return [p for p in srv.pids()
				if harness.comm(p) == "sleep"]
		# The check login of server() is over and reaped.
		srv.wait_idle()
		idle = server_pss()
		clients = []
		try:
			n = self.args.sessions
			batch = 8
			for start in range(0, n, batch):
				for _ in range(min(batch, n - start)):
					errf = os.path.join(
						srv.dir, f"client{len(clients)}.err")
					src = source_addr(len(clients))
					with open(errf, "wb") as ef:
						p = subprocess.Popen(
							self.ssh.argv(
								srv, self.keys,
								"sleep 1000", extra=(
									"-o",
									"BindAddress="
									f"{src}")),
							stdin=subprocess.DEVNULL,
							stdout=subprocess.DEVNULL,
							stderr=ef, env=self.env)
					p.errf = errf
					clients.append(p)
					self.procs.append(p)
				want = len(clients)
				harness.wait_for(lambda: len(sleeps()) >= want,
						 30, 0.02)
				if len(sleeps()) < want:
					why = ""
					for p in clients:
						if p.poll() is not None:
							with open(p.errf, "rb") as f:
								why = tail(f.read())
							why = (f"; a client exited "
							       f"{p.returncode}: {why}")
							break
					raise BenchError(
						f"only {len(sleeps())} of {want} "
						f"sessions came up{why}")
			total = server_pss()
			return {"idle_kib": idle, "total_kib": total,
				"per_session_kib": (total - idle) / n,
				"processes": len([p for p in srv.pids()
						  if harness.comm(p) not in
						  skip])}
		finally:
			# The sessions' processes first, while they are still
			# the server's descendants: once a client is gone they
			# would be reparented out of reach of Server.stop().
			harness.kill_tree(srv.proc.pid)
			for p in clients:
				p.kill()
				p.wait()
				self.procs.remove(p)
			self.stop_server(kind, prof)

	# --- memory before authentication ---
	def preauth_rows(self):
		n = 8 if self.args.quick else 20
		res = {}
		for kind in ("seshd", "sshd", "dropbear"):
			if kind == "seshd" and not self.seshd_available():
				res[kind] = "build/bin/seshd not built"
				continue
			try:
				log(f"bench: memory before auth, {n} connections "
				    f"to {kind}")
				res[kind] = self.preauth(kind, n)
			except BenchError as e:
				res[kind] = str(e)
		self.raw["preauth"] = res

		def row(name, a, b, target=None, issue=None):
			ra, rb = res[a], res[b]
			if isinstance(ra, dict) and isinstance(rb, dict):
				self.table.add(name, ra["per_conn_kib"],
					       rb["per_conn_kib"], "KiB", target,
					       ours_label=a, theirs_label=b,
					       issue=issue)
			else:
				self.table.skip(name, f"{a}: {ra}" if not
						isinstance(ra, dict) else f"{b}: {rb}")
		row(f"memory per connection before auth ({n}), seshd vs sshd",
		    "seshd", "sshd")
		row(f"memory per connection before auth ({n}), seshd vs "
		    "dropbear", "seshd", "dropbear")
		row(f"memory per connection before auth ({n}), dropbear vs "
		    "sshd", "dropbear", "sshd")
		self.table.note(
			f"memory before auth: {n} OpenSSH ssh clients (each from "
			"its own 127.0.0.x) with a passphrase-protected key the "
			"server accepts: each finishes the key exchange, sends "
			"the publickey query, gets PK_OK and then waits on "
			"SSH_ASKPASS (a script that sleeps), so its connection "
			"sits at the userauth stage; per connection = (Pss of "
			"the listener and its descendants - the idle listener's) "
			f"/ {n}")

	def preauth(self, kind, n):
		prof = {"id": "preauth"}
		srv = self.server(kind, prof)
		d = os.path.join(self.root, f"preauth-{kind}")
		os.makedirs(d, exist_ok=True)
		key = os.path.join(self.root, "keys", "id_locked")
		if not os.path.exists(key):
			subprocess.run([harness.SSH_KEYGEN, "-q", "-t", "ed25519",
					"-N", "bench-preauth", "-C", "locked",
					"-f", key], check=True)
		with open(key + ".pub") as f:
			locked_pub = f.read()
		# Accepted by the server (so it answers the query with PK_OK);
		# the servers read authorized_keys at each attempt.
		with open(srv.auth, "a") as f:
			f.write(locked_pub)
		ready = os.path.join(d, "ready")
		askpass = os.path.join(d, "askpass")
		with open(askpass, "w") as f:
			f.write(f"#!/bin/sh\necho $$ >> '{ready}'\n"
				"exec sleep 999.125\n")
		os.chmod(askpass, 0o755)
		env = dict(self.env, SSH_ASKPASS=askpass,
			   SSH_ASKPASS_REQUIRE="force")

		def waiting():
			try:
				with open(ready) as f:
					return [int(x) for x in f.read().split()]
			except (OSError, ValueError):
				return []

		def server_pss():
			return sum(harness.pss_kib(p) for p in srv.pids())
		srv.wait_idle()
		idle = server_pss()
		clients = []
		try:
			for i in range(n):
				argv = [self.ssh.binary, "-F", self.empty_config,
					"-p", str(srv.port), "-i", key,
					"-o", "IdentitiesOnly=yes",
					"-o", "PreferredAuthentications=publickey",
					"-o", "StrictHostKeyChecking=yes",
					"-o", f"UserKnownHostsFile={srv.known_hosts}",
					"-o", "BatchMode=no",
					"-o", f"BindAddress={source_addr(i)}"] + \
					self.ssh.pin_opts(srv) + \
					[f"{harness.user_name()}@127.0.0.1", "true"]
				errf = os.path.join(d, f"client{i}.err")
				with open(errf, "wb") as ef:
					p = subprocess.Popen(
						argv, stdin=subprocess.DEVNULL,
						stdout=subprocess.DEVNULL, stderr=ef,
						env=env, start_new_session=True)
				p.errf = errf
				clients.append(p)
				self.procs.append(p)
			harness.wait_for(lambda: len(waiting()) >= n, 60, 0.05)
			if len(waiting()) < n:
				why = ""
				for p in clients:
					if p.poll() is not None:
						with open(p.errf, "rb") as f:
							why = (f"; a client exited "
							       f"{p.returncode}: "
							       f"{tail(f.read())}")
						break
				raise BenchError(f"only {len(waiting())} of {n} "
						 "connections reached userauth"
						 f"{why}")
			total = server_pss()
			return {"idle_kib": idle, "total_kib": total,
				"per_conn_kib": (total - idle) / n,
				"processes": len(srv.pids())}
		finally:
			for pid in waiting():
				try:
					os.kill(pid, signal.SIGKILL)
				except ProcessLookupError:
					pass
			for p in clients:
				p.kill()
				p.wait()
				self.procs.remove(p)
			self.stop_server(kind, prof)


	# --- parallel streams and interactive echo ---
	def streams_rows(self):
		"""Eight `cat > /dev/null` streams at once, on one connection
		(OpenSSH's ssh multiplexing them over a ControlMaster) and on
		eight connections, to each server, with the round-trip time of
		a 1-byte echo on an interactive pty channel (`ssh -tt HOST
		cat`, on the same connection in the multiplexed case) while
		they run (issue 8: < 5 ms)."""
		n = 8
		mib = max(self.args.bulk_mib // 8, 4)
		nbytes = mib * MIB
		res = {}
		for kind in ("seshd", "sshd", "dropbear"):
			for mode in ("one", "eight"):
				if kind == "seshd" and not self.seshd_available():
					res[(kind, mode)] = "seshd not built"
					continue
				log(f"bench: {n} streams x {mib} MiB, {mode} "
				    f"connection{'s' if mode != 'one' else ''}, "
				    f"{kind}")
				try:
					res[(kind, mode)] = self.streams(
						kind, mode, n, nbytes)
				except BenchError as e:
					res[(kind, mode)] = str(e)
		self.raw["streams"] = {f"{k} {m}": v for (k, m), v in
				       res.items()}

		def row(name, key, unit, a, b, mode, higher=False, limit=None,
			issue=None):
			ra, rb = res[(a, mode)], res[(b, mode)]
			for k, r in ((a, ra), (b, rb)):
				if isinstance(r, dict) and r[key] is None:
					self.table.skip(name, f"{k}: {r['probes']} "
							"probe(s) under load, too few "
							"(longer streams: --bulk-mib)")
					return
			if isinstance(ra, dict) and isinstance(rb, dict):
				self.table.add(name, ra[key], rb[key], unit, None,
					       higher=higher, ours_label=a,
					       theirs_label=b, limit=limit,
					       issue=issue)
			else:
				self.table.skip(name, f"{a}: {ra}" if not
						isinstance(ra, dict) else f"{b}: {rb}")
		for mode, what in (("one", "one connection"),
				   ("eight", "eight connections")):
			for other in ("sshd", "dropbear"):
				row(f"{n} streams on {what}, seshd vs {other}",
				    "rate_mib", "MiB/s", "seshd", other, mode,
				    higher=True)
			for other in ("sshd", "dropbear"):
				row(f"echo under {n} streams on {what}, seshd vs "
				    f"{other}", "echo_load", "ms", "seshd", other,
				    mode, limit=0.005 if other == "sshd" else None,
				    issue=8 if other == "sshd" else None)
		row("echo, idle (one connection), seshd vs sshd", "echo_idle",
		    "ms", "seshd", "sshd", "one")
		self.table.note(
			f"streams: {n} x {mib} MiB of zeros to `cat > /dev/null` "
			"at once by OpenSSH's ssh, either as sessions of one "
			"ControlMaster connection or as eight connections; MiB/s "
			"= bytes / (last client's exit - start); every session "
			"is open before the streams start together; "
			"echo: median round-trip time of 1 byte written to `ssh "
			"-tt HOST cat` until the remote pty's echo of it comes "
			"back, probed every 10 ms while the streams run (idle: "
			"before they start), from their start until half of "
			"them have ended (at least 5 probes); in the "
			"one-connection case the probe is a session of the same "
			"connection; each client binds its own 127.0.0.x")

	def streams(self, kind, mode, n, nbytes):
		srv = self.server(kind, {"id": "default"})
		mux = []
		master = None
		if mode == "one":
			path = os.path.join(self.root, f"mux-{kind}")
			mux = ["-o", f"ControlPath={path}", "-o",
			       "ControlMaster=no"]
			argv = self.ssh.argv(srv, self.keys, "", extra=(
				"-N", "-o", "ControlMaster=yes", "-o",
				f"ControlPath={path}"))[:-1]
			master = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
						  stdout=subprocess.DEVNULL,
						  stderr=subprocess.PIPE,
						  env=self.env)
			self.procs.append(master)
			# The master listens on its ControlPath once logged in.
			harness.wait_for(lambda: os.path.exists(path) or
					 master.poll() is not None, 30)
			if not os.path.exists(path):
				raise BenchError("ControlMaster did not start: "
						 f"{tail(master.stderr.read())}"
						 if master.poll() is not None else
						 "ControlMaster did not start")
		probe = None
		clients = []
		try:
			# Own source addresses: Dropbear takes at most 5
			# unauthenticated connections per address.
			probe = harness.EchoProbe(
				self.ssh.argv(srv, self.keys, "cat",
					      extra=["-tt", "-o", "BindAddress="
						     f"{source_addr(n)}"] + mux),
				self.env)
			self.procs.append(probe.proc)
			probe.ready(30)
			idle = [probe.once() for _ in range(10)]
			feeds = []
			gate = threading.Event()
			for i in range(n):
				feed = harness.Feeder(nbytes, gate)
				feed.start()
				feeds.append(feed)
				p = subprocess.Popen(
					self.ssh.argv(srv, self.keys,
						      "cat > /dev/null",
						      extra=["-o", "BindAddress="
							     f"{source_addr(i)}"] +
						      mux),
					stdin=feed.rfd, stdout=subprocess.DEVNULL,
					stderr=subprocess.PIPE, env=self.env)
				os.close(feed.rfd)
				clients.append(p)
				self.procs.append(p)
			# Every session open (its client took the first
			# bytes), then all streams start at once.
			harness.wait_for(lambda: all(f.primed.is_set()
						     for f in feeds), 120)
			if not all(f.primed.is_set() for f in feeds) or \
					any(p.poll() is not None for p in clients):
				raise BenchError("a stream did not start: " + next(
					(tail(p.stderr.read()) for p in clients
					 if p.poll() is not None), "timed out"))
			t0 = time.perf_counter()
			gate.set()
			ends = {}
			loaded = []
			deadline = time.monotonic() + 600
			while len(ends) < n and time.monotonic() < deadline:
				for p in clients:
					if p.pid not in ends and \
							p.poll() is not None:
						ends[p.pid] = time.perf_counter()
				# Under load: until half the streams end.
				if len(ends) < n // 2:
					loaded.append(probe.once())
					time.sleep(0.01)
				elif len(ends) < n:
					time.sleep(0.002)
			for feed in feeds:
				feed.join(10)
			bad = [p for p in clients if p.returncode != 0]
			if len(ends) < n or bad:
				why = tail(bad[0].stderr.read()) if bad else \
					"timed out"
				raise BenchError(f"a stream failed: {why}")
			if any(f.sent != nbytes or f.t_first is None
			       for f in feeds):
				raise BenchError("a stream did not take all its "
						 "bytes")
			wall = max(ends.values()) - t0
			moved = n * (nbytes - min(harness.Feeder.PRIME, nbytes))
			if not loaded:
				raise BenchError("no echo probe ran under load "
						 "(streams too short: --bulk-mib)")
			enough = len(loaded) >= 5
			return {"rate_mib": moved / MIB / wall,
				"echo_idle": statistics.median(idle),
				"echo_load": (statistics.median(loaded) if enough
					      else None),
				"echo_load_max": max(loaded),
				"probes": len(loaded)}
		finally:
			for p in clients + ([probe.proc] if probe else []) + \
					([master] if master else []):
				if p.poll() is None:
					p.kill()
				p.wait()
				for f in (p.stderr, p.stdin, p.stdout):
					if f is not None:
						f.close()
				self.procs.remove(p)
			srv.wait_idle()


def source_addr(i):
	"""A loopback source address per client, 127.0.0.2 and up (all of
	127/8 is local), so no server's per-address limit applies."""
	return f"127.0.{(2 + i) // 256}.{(2 + i) % 256}"


def tail(err):
	text = err.decode(errors="replace").strip().splitlines()
	return " / ".join(text[-2:])[:200] if text else "(no message)"


def parse_args(argv):
	ap = argparse.ArgumentParser(
		description="sesh vs OpenSSH on loopback (make bench)")
	ap.add_argument("--build", default="build",
			help="build directory whose bin/ has sesh (and seshd)")
	ap.add_argument("--quick", action="store_true",
			help="256 MiB bulk, one bulk run, 20 connects, fewer "
			"round-trip runs and pre-auth connections, 32 MiB "
			"streams")
	ap.add_argument("--json", metavar="FILE",
			help="also write every figure as JSON")
	ap.add_argument("--markdown", metavar="FILE",
			help="also write the table as Markdown")
	ap.add_argument("--doc", metavar="FILE",
			help="replace the table at the end of FILE "
			"(docs/benchmarks.md) with this run's")
	ap.add_argument("--runs", type=int, default=20,
			help="connect runs per pair (default 20)")
	ap.add_argument("--bulk-mib", type=int,
			help="MiB per bulk run (2048; --quick 256)")
	ap.add_argument("--bulk-runs", type=int,
			help="bulk runs per pair (3; --quick 1)")
	ap.add_argument("--seshd", metavar="PATH",
			help="the server to bench as seshd (default "
			"BUILD/bin/seshd)")
	ap.add_argument("--sessions", type=int, default=50)
	ap.add_argument("--cps-count", type=int, default=0,
			help="logins per level in the connections/s rows "
			"(default 40, 16 with --quick)")
	ap.add_argument("--keep-rc", action="store_true",
			help="let the servers' sessions read the login user's "
			"~/.bashrc (hidden by default: see harness.py)")
	ap.add_argument("--rows", default=",".join(ALL_ROWS),
			help="comma list of: " + ",".join(ALL_ROWS))
	ap.add_argument("--ciphers",
			help="comma list of: " + ",".join(c[0] for c in CIPHERS))
	a = ap.parse_args(argv)
	if a.bulk_mib is None:
		a.bulk_mib = 256 if a.quick else 2048
	if a.bulk_runs is None:
		a.bulk_runs = 1 if a.quick else 3
	a.rows = [r for r in a.rows.split(",") if r]
	for r in a.rows:
		if r not in ALL_ROWS:
			ap.error(f"unknown row {r}")
	a.ciphers = a.ciphers.split(",") if a.ciphers else None
	if a.runs < 1 or a.bulk_mib < 2 or a.bulk_runs < 1 or a.sessions < 1 \
			or a.cps_count < 0:
		ap.error("counts must be positive (--bulk-mib >= 2)")
	return a


def main(argv):
	args = parse_args(argv)
	if os.geteuid() != 0:
		log("bench: needs root (sshd logs in as root with its own host "
		    "key, like the system tests); not run")
		return 2
	if not os.access(harness.SSHD, os.X_OK):
		log(f"bench: {harness.SSHD} not installed (scripts/deps.sh)")
		return 2
	if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
		log("bench: /dev/null is not a character device (something "
		    "renamed a file over it): restore it first (rm /dev/null; "
		    "mknod -m 666 /dev/null c 1 3)")
		return 2
	sesh = os.path.join(os.path.abspath(args.build), "bin", "sesh")
	if not os.access(sesh, os.X_OK):
		log(f"bench: {sesh} not built")
		return 2

	def on_term(signum, frame):
		raise SystemExit(128 + signum)
	signal.signal(signal.SIGTERM, on_term)
	signal.signal(signal.SIGHUP, on_term)
	bench = Bench(args)
	harness.HIDE_RC = not args.keep_rc and harness.probe_hide_rc(bench.root)
	atexit.register(bench.cleanup)
	started = time.monotonic()
	try:
		log("bench: machine and pipe ceiling")
		machine = machine_info(args.bulk_mib * MIB)
		for name in ALL_ROWS:
			if name not in args.rows:
				continue
			try:
				getattr(bench, f"{name}_rows")()
			except (BenchError, OSError, ValueError,
				subprocess.SubprocessError) as e:
				# One broken group must not cost the others.
				bench.table.skip(f"{name} rows", f"{e}")
	finally:
		bench.cleanup()
	bench.table.note(f"connect: median of {args.runs} runs per pair, "
			 "interleaved, after one warm-up; OpenSSH's ssh runs "
			 "with -F EMPTY_FILE" + (", sesh too" if bench.sesh.extra
						 else " (this sesh has no -F)") +
			 "; both clients with a known_hosts "
			 "holding the host key and BatchMode=yes; sshd with "
			 "UsePAM no and one ed25519 host key")
	rc = os.path.join(harness.user_home(), ".bashrc")
	if harness.HIDE_RC:
		bench.table.note(f"sessions ran with {rc} hidden (an empty file "
				 "bound over it in the servers' mount namespace; "
				 "--keep-rc keeps it): Debian's bash reads it for "
				 "every `ssh host command`")
	elif os.path.isfile(rc):
		bench.table.note(f"sessions read {rc}" + (
			"" if args.keep_rc else " (it could not be hidden: no "
			"private mount namespace here)") + "; its cost is in "
			"every connect row")
	bench.table.note(f"logins are as {harness.user_name()}"
			 + ("; sshd runs a root login's session in one process "
			    "(no privilege-separated child), its cheapest case"
			    if os.geteuid() == 0 else ""))
	machine["bench time"] = f"{time.monotonic() - started:.0f} s"
	machine["load average at end"] = loadavg()
	# The start's 1-minute load is other work's (the bench's own load
	# shows in the end's figure).
	try:
		busy = float(machine["load average at start"].split()[0])
	except (ValueError, IndexError):
		busy = 0.0
	if busy > (os.cpu_count() or 1) / 2:
		bench.table.note(f"the machine was busy (1-minute load "
				 f"{busy:g} at start on {os.cpu_count()} CPUs): "
				 "figures "
				 "are noisy; ratios are fairer than absolute "
				 "values since the pairs run interleaved")
	text = render_text(bench.table, machine)
	print(text, flush=True)
	if args.json:
		with open(args.json, "w") as f:
			json.dump({"machine": machine, "args": vars(args),
				   "rows": bench.table.rows,
				   "notes": bench.table.notes,
				   "raw": bench.raw}, f, indent=1,
				  default=str)
	if args.markdown:
		with open(args.markdown, "w") as f:
			f.write(render_markdown(bench.table, machine))
	if args.doc:
		update_doc(args.doc, render_markdown(bench.table, machine),
			   argv)
	return 0


DOC_MARK = "## Latest table"


def update_doc(path, table_md, argv):
	"""Replaces what follows DOC_MARK in path (docs/benchmarks.md) with
	this run's table, keeping the prose above it."""
	with open(path) as f:
		text = f.read()
	i = text.find(DOC_MARK)
	if i < 0:
		raise SystemExit(f"bench: {path} has no '{DOC_MARK}' heading")
	# The options that shape the figures; output paths and the build
	# directory's name do not.
	shown, skip = [], False
	for a in argv:
		if skip:
			skip = False
			continue
		if a in ("--json", "--markdown", "--doc", "--build"):
			skip = True
			continue
		if a.split("=")[0] in ("--json", "--markdown", "--doc",
				       "--build"):
			continue
		shown.append(a)
	cmd = " ".join(["bench/run.py --build BUILD"] + shown)
	text = (text[:i] + DOC_MARK + "\n\n" +
		f"Written by `{cmd}`.\n\n" + table_md)
	with open(path, "w") as f:
		f.write(text)


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
