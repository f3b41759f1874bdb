#!/usr/bin/python3
"""
`make bench`: sesh and OpenSSH side by side, in one run, on loopback.

Usage:
  /usr/bin/python3 bench/run.py --build BUILD_DIR [--quick] [--json FILE]
      [--markdown FILE] [--doc FILE] [--runs N] [--bulk-mib N]
      [--bulk-runs N] [--keep-rc] [--seshd PATH] [--ciphers LIST]
      [--sessions N] [--rows connect,rtt,bulk,server,memory]

Rows (issues 3, 4 and 8; the ratio is always sesh's figure over
OpenSSH's, so every target reads "ratio <= x" or "ratio >= x"):
  connect   wall time of `CLIENT -p PORT user@127.0.0.1 true`, median of
            --runs (default 20) runs per pair, pairs interleaved run by
            run after one discarded warm-up each: sesh->sshd vs
            ssh->sshd (target <= 0.6), the same with curve25519-sha256
            forced on the server, and with seshd built: ssh->seshd vs
            ssh->sshd (<= 0.5) and sesh->seshd vs ssh->sshd (<= 0.2),
            both also with curve25519-sha256.
  rtt       the same login + `true` through bench/delayproxy.py at 50
            ms each way: the client's turns (flights of its data the
            proxy saw, i.e. how often it spoke, each time but the first
            after waiting for the server; TCP's handshake not counted)
            and the wall time at that 100 ms round trip.
  bulk      --bulk-mib (2048; 256 with --quick) MiB of zeros through
            `cat > /dev/null` per cipher (the server's Ciphers/MACs are
            restricted, so both clients negotiate the same): MiB/s of the
            transfer (from the first MiB taken by the client to its
            exit; login excluded) and the client process's CPU seconds
            per GiB (wait4 rusage), sesh vs ssh, both against sshd;
            server CPU per GiB (cutime+cstime of the listener: the
            connection's processes and `cat`) shown alongside.
  server    with seshd built: bulk with OpenSSH's ssh against seshd vs
            against sshd per cipher (>= 1.0), server CPU per GiB.
  memory    with seshd built: PSS (smaps_rollup) of the server's
            processes with --sessions (50) idle `sleep` sessions held by
            OpenSSH's ssh, sleep/shell processes left out (<= 0.25).
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
from harness import (BenchError, OpenSSHClient, OpenSSHServer,  # noqa: E402
		     SeshClient, SeshdServer)

CIPHERS = [
	("chacha20-poly1305", "chacha20-poly1305@openssh.com", None),
	("aes128-gcm", "aes128-gcm@openssh.com", None),
	("aes256-gcm", "aes256-gcm@openssh.com", None),
	("aes128-ctr+etm", "aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
]
ALL_ROWS = ("connect", "rtt", "bulk", "server", "memory", "wan", "cps")
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
		ours_label="sesh", theirs_label="OpenSSH", note="", issue=None):
		"""target: the ratio bound; higher: the ratio must be >= it;
		issue: the issue number that sets the target."""
		ratio = None
		if ours is not None and theirs:
			ratio = ours / theirs
		verdict = ""
		if target is not None and ratio is not None:
			ok = ratio >= target if higher else ratio <= target
			verdict = "pass" if ok else "MISS"
		elif target is not None:
			verdict = "n/a"
		self.rows.append({
			"row": name, "ours": ours, "theirs": theirs,
			"unit": unit, "ratio": ratio,
			"target": (None if target is None else
				   (">= " if higher else "<= ") + f"{target:g}" +
				   (f" (#{issue})" if issue else "")),
			"verdict": verdict, "ours_label": ours_label,
			"theirs_label": theirs_label, "note": note})

	def skip(self, name, why):
		self.rows.append({"row": name, "ours": None, "theirs": None,
				  "unit": "", "ratio": None, "target": None,
				  "verdict": "skip", "ours_label": "",
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


HEAD = ["row", "sesh", "OpenSSH", "ratio", "target", "result"]


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
		else:
			srv = SeshdServer(self.root, self.keys, profile,
					  self.seshd_path())
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
		live, errors = [], {}
		for label, cl, kind, prof in pairs:
			try:
				if not cl.available():
					raise BenchError(f"{cl.binary}: not built")
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
		self.connect_medians = med

	# --- round trips ---
	def rtt_rows(self):
		delay_ms = 50.0
		runs = 3 if self.args.quick else 5
		pairs = [("sesh->sshd", self.sesh, "sshd"),
			 ("ssh->sshd", self.ssh, "sshd")]
		if self.seshd_available():
			pairs.append(("ssh->seshd", self.ssh, "seshd"))
			pairs.append(("sesh->seshd", self.sesh, "seshd"))
		res = {}
		log(f"bench: round trips, {runs} runs x {len(pairs)} pairs "
		    f"through delayproxy.py at {2 * delay_ms:g} ms RTT")
		for label, cl, kind in pairs:
			try:
				if not cl.available():
					raise BenchError(f"{cl.binary}: not built")
				srv = self.server(kind, {"id": "default"})
				res[label] = self.round_trips(cl, srv, delay_ms,
							      runs)
			except BenchError as e:
				res[label] = str(e)
		self.raw["round_trips"] = res

		def row(name, key, unit, a, b, la="sesh", lb="OpenSSH"):
			ra, rb = res.get(a), res.get(b)
			if isinstance(ra, dict) and isinstance(rb, dict):
				self.table.add(name, ra[key], rb[key], unit,
					       None, ours_label=la,
					       theirs_label=lb)
			else:
				self.table.skip(name, str(ra if not
						isinstance(ra, dict) else rb))
		rtt = f"{2 * delay_ms:g} ms RTT"
		row("client turns, login+true -> sshd", "turns", "rt",
		    "sesh->sshd", "ssh->sshd")
		row(f"connect+true at {rtt} -> sshd", "wall", "ms",
		    "sesh->sshd", "ssh->sshd")
		if self.seshd_available():
			row("client turns, ssh -> seshd vs sshd", "turns", "rt",
			    "ssh->seshd", "ssh->sshd", "ssh->seshd",
			    "ssh->sshd")
			row(f"connect+true at {rtt}, ssh -> seshd vs sshd",
			    "wall", "ms", "ssh->seshd", "ssh->sshd",
			    "ssh->seshd", "ssh->sshd")
		self.table.note(
			"client turns: flights of client-to-server data seen "
			f"by bench/delayproxy.py ({delay_ms:g} ms each way; a "
			"flight is a run of reads less than half the delay "
			"apart), median of the runs: how many times the client "
			"had to speak, each but the first after waiting for the "
			"server; the TCP handshake is not counted")

	def round_trips(self, cl, srv, delay_ms, runs):
		stats = os.path.join(self.root, f"proxy-{cl.name}-{srv.name}"
				     ".json")

		def lines():
			try:
				with open(stats) as f:
					return [json.loads(x) for x in f
						if x.strip()]
			except (OSError, ValueError):
				return []
		with harness.Proxy(srv.port, delay_ms, stats=stats) as proxy:
			view = srv.via(proxy.port)
			walls = []
			for i in range(runs):
				t0, t1, _, st, err = harness.run_timed(
					cl.argv(view, self.keys, "true"),
					self.env, timeout=60)
				if st != 0:
					raise BenchError(f"exit {st} through "
							 f"proxy: {tail(err)}")
				walls.append(t1 - t0)
				harness.wait_for(lambda: len(lines()) > i, 10)
		got = lines()
		if len(got) < runs:
			raise BenchError("delayproxy kept no statistics")
		return {"wall": statistics.median(walls),
			"turns": statistics.median(
				x["up_flights"] for x in got),
			"server_turns": statistics.median(
				x["down_flights"] for x in got),
			"runs": got, "walls": walls}

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
			       "ssh->seshd": []}
			pairs = [("sesh->sshd", self.sesh, "sshd"),
				 ("ssh->sshd", self.ssh, "sshd")]
			if self.seshd_available():
				pairs.append(("ssh->seshd", self.ssh, "seshd"))
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
			row(f"{name}, sesh vs plain TCP", "sesh->sshd", "tcp",
			    0.8 if rtt == 50 else None, lb="plain TCP",
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
		count = 16 if self.args.quick else 40
		res = {}
		for par in (1, 4, 16):
			log(f"bench: connections, {par} parallel, {count} each "
			    "server")
			for kind in ("seshd", "sshd"):
				try:
					srv = self.server(kind, prof)
					res[(par, kind)] = self.cps(srv, par, count)
				except BenchError as e:
					self.table.skip(f"{title} ({par} parallel)",
							f"{kind}: {e}")
					return
		self.raw["cps"] = {f"{p} {k}": v for (p, k), v in res.items()}
		for par in (1, 4, 16):
			a, b = res[(par, "seshd")], res[(par, "sshd")]
			self.table.add(f"connections/s, {par} parallel",
				       a["cps"], b["cps"], "conn/s", 2.0,
				       higher=True, ours_label="ssh->seshd",
				       theirs_label="ssh->sshd", issue=8)
		a, b = res[(4, "seshd")], res[(4, "sshd")]
		self.table.add("server CPU per connection (4 parallel)",
			       a["cpu_per_conn"], b["cpu_per_conn"], "ms", None,
			       ours_label="seshd", theirs_label="sshd")
		self.table.note(
			f"connections/s: {count} logins + `true` by OpenSSH's "
			"ssh per level, spread over N parallel workers; server "
			"CPU is the listener's and its reaped children's")

	def cps(self, srv, par, count):
		argv = self.ssh.argv(srv, self.keys, "true")
		left = [count]
		fails = []
		lock = threading.Lock()

		def worker():
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
		threads = [threading.Thread(target=worker) for _ in range(par)]
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
	def bulk_once(self, cl, srv, nbytes):
		before = srv.child_cpu()
		r = harness.run_bulk(cl.argv(srv, self.keys, "cat > /dev/null"),
				     self.env, nbytes)
		if r["status"] != 0 or r["rate_mib"] is None:
			raise BenchError(f"{cl.name}: exit {r['status']}, "
					 f"{r['sent'] // MIB} MiB sent: "
					 f"{tail(r['err'])}")
		# The connection's processes are reaped by the listener soon
		# after the client's exit; wait for it so their CPU counts.
		srv.wait_idle()
		r["server_cpu"] = srv.child_cpu() - before
		return r

	def bulk_pairs(self, pairs, title, target_rate, target_cpu, la, lb,
		       issue):
		"""pairs: {cipher-name: (client_a, kind_a, client_b, kind_b)}."""
		nbytes = self.args.bulk_mib * MIB
		gib = nbytes / GIB
		for name, cipher, mac in CIPHERS:
			if self.args.ciphers and name not in self.args.ciphers:
				continue
			prof = {"id": name, "cipher": cipher, "mac": mac or
				"hmac-sha2-256-etm@openssh.com"}
			ca, ka, cb, kb = pairs
			results = {"a": [], "b": []}
			try:
				for c in (ca, cb):
					if not c.available():
						raise BenchError(f"{c.binary}: "
								 "not built")
				sa = self.server(ka, prof)
				sb = self.server(kb, prof)
				log(f"bench: {title} {name}, "
				    f"{self.args.bulk_runs} x "
				    f"{self.args.bulk_mib} MiB")
				for _ in range(self.args.bulk_runs):
					results["a"].append(self.bulk_once(
						ca, sa, nbytes))
					results["b"].append(self.bulk_once(
						cb, sb, nbytes))
			except BenchError as e:
				self.table.skip(f"{title} {name}", str(e))
				continue
			finally:
				# Free the cipher-restricted servers.
				if ka != "sshd" or kb != "sshd":
					self.stop_server(ka, prof)
					self.stop_server(kb, prof)
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
				       0.6 if target_cpu == "server" else None,
				       ours_label=la if target_cpu == "server"
				       else "sshd<-sesh",
				       theirs_label=lb if target_cpu == "server"
				       else "sshd<-ssh", issue=8)

	def bulk_rows(self):
		self.bulk_pairs((self.sesh, "sshd", self.ssh, "sshd"), "bulk",
				1.0, 0.6, "sesh", "OpenSSH", 3)
		self.table.note(
			f"bulk: {self.args.bulk_mib} MiB of zeros to `cat > "
			"/dev/null`, median of "
			f"{self.args.bulk_runs}; MiB/s counts from the first "
			"MiB the client took from its stdin to its exit (login "
			"excluded); CPU is the client process's user+sys "
			"(wait4) and the server's connection processes plus "
			"`cat` (listener's cutime+cstime), per GiB; the "
			"server's Ciphers/MACs are restricted per row")

	def server_rows(self):
		if not self.seshd_available():
			self.table.skip("server bulk (ssh -> seshd vs sshd)",
					"build/bin/seshd not built")
			return
		self.bulk_pairs((self.ssh, "seshd", self.ssh, "sshd"),
				"server bulk", 1.0, "server", "ssh->seshd",
				"ssh->sshd", 4)

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
					with open(errf, "wb") as ef:
						p = subprocess.Popen(
							self.ssh.argv(
								srv, self.keys,
								"sleep 1000"),
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


def tail(err):
	text = err.decode(errors="replace").strip().splitlines()
	return " / ".join(text[-2:])[:200] if text else "(no message)"


def parse_args(argv):
	ap = argparse.ArgumentParser(
		description="sesh vs OpenSSH on loopback (make bench)")
	ap.add_argument("--build", default="build",
			help="build directory whose bin/ has sesh (and seshd)")
	ap.add_argument("--quick", action="store_true",
			help="256 MiB bulk, one bulk run, 20 connects")
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
	if a.runs < 1 or a.bulk_mib < 2 or a.bulk_runs < 1 or a.sessions < 1:
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
