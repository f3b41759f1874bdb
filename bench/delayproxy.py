#!/usr/bin/python3
"""
A TCP proxy that adds a fixed one-way delay to each direction (no netem
needed), for the round-trip rows of `make bench` (bench/run.py) and the
50 ms / 200 ms RTT rows of issue 8.

Usage:
  delayproxy.py --target HOST:PORT [--listen HOST:PORT] [--delay-ms MS]
                [--up-ms MS] [--down-ms MS] [--window BYTES]
                [--stats FILE]

--delay-ms sets both directions (default 25, i.e. 50 ms round trip);
--up-ms (client to server) and --down-ms (server to client) override it.
The proxy binds --listen (default 127.0.0.1:0), prints the bound port on
one line on stdout, flushes, and serves until SIGTERM/SIGINT.

Contract: bytes are forwarded unchanged and in order; every chunk read at
time t is written at t + delay (never earlier), so a request/response
exchange costs one added round trip; EOF (half-close) is forwarded after
the same delay; an error on either side closes both. Both sockets use
TCP_NODELAY so the proxy adds no Nagle waits. Each direction holds at
most --window bytes in flight (default 4 MiB; backpressure beyond that,
through the sockets' own buffers): like a TCP window over a real path,
it bounds a bulk stream to about window / one-way delay, and it bounds
the proxy's memory.

--stats FILE appends one JSON line per finished connection: bytes and
"flights" per direction (runs of reads less than half the delay apart),
so up_flights - 1 is the number of times the client spoke again after
waiting for the server: its round trips.

Importable too: serve(listen_host, listen_port, target, up_s, down_s, stats,
window)
is a coroutine returning the asyncio server.
"""

import argparse
import asyncio
import json
import signal
import socket
import sys

READ_SIZE = 256 * 1024
WINDOW = 4 << 20


def nodelay(writer):
	sock = writer.get_extra_info("socket")
	if sock is not None:
		try:
			sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
		except OSError:
			pass


class Flights:
	"""Counts a direction's flights: runs of chunks read with gaps
	shorter than `gap` seconds between them. With a delay well above the
	peers' own think time, each flight after the first of a direction
	is one more round trip the other side waited for."""

	def __init__(self, gap):
		self.gap = gap
		self.count = 0
		self.bytes = 0
		self.last = None

	def saw(self, now, n):
		if self.last is None or now - self.last > self.gap:
			self.count += 1
		self.last = now
		self.bytes += n


async def pump(reader, writer, delay, flights, window):
	"""Copies reader to writer, each chunk delivered `delay` s after it
	was read, at most `window` bytes held. Returns when EOF has been
	forwarded or on error."""
	loop = asyncio.get_running_loop()
	queue = asyncio.Queue()
	held = [0]
	room = asyncio.Event()
	room.set()

	async def read_side():
		try:
			while True:
				while held[0] >= window:
					room.clear()
					await room.wait()
				data = await reader.read(
					min(READ_SIZE, window - held[0]))
				held[0] += len(data)
				if data:
					flights.saw(loop.time(), len(data))
				await queue.put((loop.time() + delay, data))
				if not data:
					return
		except (ConnectionError, OSError):
			await queue.put((loop.time() + delay, None))

	async def write_side():
		while True:
			due, data = await queue.get()
			wait = due - loop.time()
			if wait > 0:
				await asyncio.sleep(wait)
			if data is None:
				writer.close()
				return
			if not data:
				if writer.can_write_eof():
					writer.write_eof()
				return
			writer.write(data)
			await writer.drain()
			held[0] -= len(data)
			room.set()

	rd = asyncio.ensure_future(read_side())
	try:
		await write_side()
	finally:
		rd.cancel()


async def handle(client_r, client_w, target, up, down, stats, window):
	try:
		server_r, server_w = await asyncio.open_connection(*target)
	except OSError:
		client_w.close()
		return
	nodelay(client_w)
	nodelay(server_w)
	gap = max(min(up, down) / 2, 0.002)
	fl_up, fl_down = Flights(gap), Flights(gap)
	tasks = [asyncio.ensure_future(pump(client_r, server_w, up, fl_up,
					    window)),
		 asyncio.ensure_future(pump(server_r, client_w, down,
					    fl_down, window))]
	try:
		done, pending = await asyncio.wait(
			tasks, return_when=asyncio.FIRST_EXCEPTION)
		for t in pending:
			t.cancel()
		await asyncio.gather(*tasks, return_exceptions=True)
	except (ConnectionError, OSError, asyncio.CancelledError):
		for t in tasks:
			t.cancel()
	finally:
		for w in (client_w, server_w):
			w.close()
		if stats is not None and not stats.closed:
			stats.write(json.dumps({
				"up_flights": fl_up.count,
				"down_flights": fl_down.count,
				"up_bytes": fl_up.bytes,
				"down_bytes": fl_down.bytes}) + "\n")
			stats.flush()


async def serve(host, port, target, up, down, stats=None, window=WINDOW):
	"""stats: a text file getting one JSON line per closed connection
	(flights and bytes per direction), or None."""
	return await asyncio.start_server(
		lambda r, w: handle(r, w, target, up, down, stats, window),
		host, port)


def hostport(s):
	host, _, port = s.rpartition(":")
	return host or "127.0.0.1", int(port)


async def main_async(args):
	up = (args.up_ms if args.up_ms is not None else args.delay_ms) / 1000
	down = (args.down_ms if args.down_ms is not None
		else args.delay_ms) / 1000
	lh, lp = hostport(args.listen)
	stats = open(args.stats, "a") if args.stats else None
	server = await serve(lh, lp, hostport(args.target), up, down, stats,
			     args.window)
	port = server.sockets[0].getsockname()[1]
	sys.stdout.write(f"{port}\n")
	sys.stdout.flush()
	stop = asyncio.Event()
	loop = asyncio.get_running_loop()
	for sig in (signal.SIGTERM, signal.SIGINT):
		loop.add_signal_handler(sig, stop.set)
	await stop.wait()
	server.close()
	# stats is left to the process's exit: connections still open may
	# write their line while asyncio.run() cancels them.


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	ap.add_argument("--target", required=True)
	ap.add_argument("--listen", default="127.0.0.1:0")
	ap.add_argument("--delay-ms", type=float, default=25.0)
	ap.add_argument("--up-ms", type=float)
	ap.add_argument("--down-ms", type=float)
	ap.add_argument("--window", type=int, default=WINDOW)
	ap.add_argument("--stats", metavar="FILE")
	asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
	main()
