"""
rawssh.py - a small raw SSH-2 client for adversarial tests: every step
of the protocol is a separate call, so a test can inject any packet (or
any bytes) at any point, skip a step, or stop mid-way.

    c = RawSSH(port)                  # TCP connect (timeout = deadline)
    c.send_ident()                    # "SSH-2.0-rawssh_1.0\\r\\n"
    c.read_ident()                    # the server's line (pre-lines kept)
    c.send_kexinit(strict=True)       # kex-strict-c-v00@openssh.com offered
    c.recv_kexinit()                  # the server's KEXINIT (parsed)
    c.send_ecdh_init()                # curve25519-sha256 (30)
    c.recv_ecdh_reply(verify=True)    # (31); ed25519 signature checked
    c.recv_newkeys(); c.send_newkeys()  # keys installed per direction
    c.service_request("ssh-userauth") # -> SERVICE_ACCEPT
    c.auth_publickey("root", key)     # ed25519 OpenSSH private key file
    c.open_session()                  # -> (peer id, peer window, max)
    c.run_command("echo hi")          # -> (stdout, exit status)
  or simply c.handshake() for ident + KEX, then the service calls.

Injection: c.send_packet(payload) seals any payload with the current
keys (padding, sequence number); c.send_raw(bytes) writes bytes as
they are; c.send_packet_len(length, body) declares any packet_length.
Errors: ConnClosed (EOF or reset while reading), ProtocolError (what
the server sent does not parse or authenticate), Stalled (no progress
within the timeout: not an OSError); a reset or broken pipe while
writing stays an OSError.
Outcome: c.wait_closed(timeout) reads until the server closes the
connection (EOF or reset), decoding what it can; returns a Closed
with .closed (bool), .disconnect ((reason, text) of a DISCONNECT seen
or None), .msgs (message numbers received meanwhile) and .payloads.

Cipher: chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305)
by default, whose nonce is the packet sequence number, so a wrong
sequence number is an authentication failure on the peer; or
RawSSH(port, cipher="aes128-ctr"/"aes256-ctr", mac="hmac-sha2-256" or
"hmac-sha2-256-etm@openssh.com") (the tests of length handling outside
an AEAD). Only the chosen cipher and MAC are offered: the server must
allow them. Sequence numbers follow RFC 4253 §6.4 and
reset at each NEWKEYS under strict KEX; c.reset_seq_out / c.reset_seq_in
= True or False force a reset or none per direction (to prove the
server resets its own, and only under strict KEX).

Only what these tests need: curve25519-sha256 and ssh-ed25519.
"""

import hashlib
import hmac
import socket
import struct
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
	Ed25519PrivateKey, Ed25519PublicKey)
from cryptography.hazmat.primitives.asymmetric.x25519 import (
	X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.poly1305 import Poly1305

# Message numbers (RFC 4250 §4.1, RFC 8308, RFC 5656).
DISCONNECT = 1
IGNORE = 2
UNIMPLEMENTED = 3
DEBUG = 4
SERVICE_REQUEST = 5
SERVICE_ACCEPT = 6
EXT_INFO = 7
KEXINIT = 20
NEWKEYS = 21
KEX_ECDH_INIT = 30
KEX_ECDH_REPLY = 31
USERAUTH_REQUEST = 50
USERAUTH_FAILURE = 51
USERAUTH_SUCCESS = 52
USERAUTH_BANNER = 53
USERAUTH_PK_OK = 60
GLOBAL_REQUEST = 80
REQUEST_SUCCESS = 81
REQUEST_FAILURE = 82
CHANNEL_OPEN = 90
CHANNEL_OPEN_CONFIRMATION = 91
CHANNEL_OPEN_FAILURE = 92
CHANNEL_WINDOW_ADJUST = 93
CHANNEL_DATA = 94
CHANNEL_EXTENDED_DATA = 95
CHANNEL_EOF = 96
CHANNEL_CLOSE = 97
CHANNEL_REQUEST = 98
CHANNEL_SUCCESS = 99
CHANNEL_FAILURE = 100

STRICT_C = "kex-strict-c-v00@openssh.com"
STRICT_S = "kex-strict-s-v00@openssh.com"
CHACHA = "chacha20-poly1305@openssh.com"
KEX = "curve25519-sha256"
HOSTKEY = "ssh-ed25519"
MAX_PACKET = 256 * 1024
CTR_KEY_LEN = {"aes128-ctr": 16, "aes256-ctr": 32}

KEXINIT_FIELDS = ("kex", "hostkey", "enc_c2s", "enc_s2c", "mac_c2s",
		  "mac_s2c", "comp_c2s", "comp_s2c", "lang_c2s", "lang_s2c")


class ProtocolError(Exception):
	pass


class ConnClosed(Exception):
	"""The server closed the connection (EOF or reset)."""


class Stalled(Exception):
	"""A read or write found no progress before the socket's timeout:
	the server neither answered nor closed. Deliberately not an
	OSError, so that a test catching OSError (a reset or broken pipe:
	the server closed) never takes a hanging server for a refusal."""


# ---- encoding ----

def u8(v):
	return bytes([v])


def u32(v):
	return struct.pack(">I", v & 0xffffffff)


def u64(v):
	return struct.pack(">Q", v)


def string(b):
	if isinstance(b, str):
		b = b.encode()
	return u32(len(b)) + b


def boolean(v):
	return b"\x01" if v else b"\x00"


def namelist(names):
	if isinstance(names, (list, tuple)):
		names = ",".join(names)
	return string(names)


def mpint(v):
	if v == 0:
		return u32(0)
	b = v.to_bytes((v.bit_length() + 7) // 8, "big")
	if b[0] & 0x80:
		b = b"\x00" + b
	return string(b)


class Reader:
	"""Parses SSH wire types from bytes; ProtocolError when short."""

	def __init__(self, data):
		self.data = bytes(data)
		self.pos = 0

	def take(self, n):
		if n > len(self.data) - self.pos:
			raise ProtocolError("truncated")
		b = self.data[self.pos:self.pos + n]
		self.pos += n
		return b

	def u8(self):
		return self.take(1)[0]

	def u32(self):
		return struct.unpack(">I", self.take(4))[0]

	def boolean(self):
		return self.u8() != 0

	def string(self):
		return self.take(self.u32())

	def text(self):
		return self.string().decode("utf-8", "replace")

	def namelist(self):
		s = self.text()
		return s.split(",") if s else []

	def rest(self):
		return self.take(len(self.data) - self.pos)


# ---- KEXINIT ----

def build_kexinit(strict=True, kex=None, hostkey=None, ciphers=None,
		  macs=None, comp=None, first_follows=False, cookie=None,
		  extra_kex=()):
	"""A KEXINIT payload; lists are strings or lists of names."""
	kex = list(kex or [KEX]) + list(extra_kex)
	if strict:
		kex.append(STRICT_C)
	ciphers = ciphers or [CHACHA]
	macs = macs or ["hmac-sha2-256", "hmac-sha2-512"]
	comp = comp or ["none"]
	lists = [kex, hostkey or [HOSTKEY], ciphers, ciphers, macs, macs,
		 comp, comp, [], []]
	return (u8(KEXINIT) + (cookie or bytes(16)) +
		b"".join(namelist(x) for x in lists) +
		boolean(first_follows) + u32(0))


def parse_kexinit(payload):
	r = Reader(payload)
	if r.u8() != KEXINIT:
		raise ProtocolError("not a KEXINIT")
	out = {"cookie": r.take(16)}
	for f in KEXINIT_FIELDS:
		out[f] = r.namelist()
	out["first_follows"] = r.boolean()
	out["reserved"] = r.u32()
	return out


# ---- chacha20-poly1305@openssh.com ----

def _chacha(key, seqnr, counter, data):
	# DJB ChaCha20: 64-bit block counter (little-endian) then the
	# 64-bit nonce, here the sequence number in network order.
	nonce = struct.pack("<Q", counter) + u64(seqnr)
	enc = Cipher(algorithms.ChaCha20(key, nonce), mode=None).encryptor()
	return enc.update(data)


class ChaChaPoly:
	"""chacha20-poly1305@openssh.com, one direction."""
	block = 8
	len_in_block = False  # the length field is not aligned with the rest

	def __init__(self, key64):
		if len(key64) != 64:
			raise ValueError("chacha20-poly1305 needs 64 key bytes")
		self.k_main = key64[:32]
		self.k_len = key64[32:]

	def seal(self, seqnr, packet):
		"""packet = length field || rest (plaintext)."""
		elen = _chacha(self.k_len, seqnr, 0, packet[:4])
		ebody = _chacha(self.k_main, seqnr, 1, packet[4:])
		polykey = _chacha(self.k_main, seqnr, 0, bytes(32))
		tag = Poly1305.generate_tag(polykey, elen + ebody)
		return elen + ebody + tag

	def length_field(self, seqnr, length):
		return _chacha(self.k_len, seqnr, 0, u32(length))

	def read(self, take, seqnr):
		"""Reads one packet with take(n); returns padding_length ||
		payload || padding."""
		elen = take(4)
		plen = struct.unpack(">I", _chacha(self.k_len, seqnr, 0,
						   elen))[0]
		if plen > MAX_PACKET or plen < 5:
			raise ProtocolError(f"packet length {plen}")
		ebody = take(plen)
		tag = take(16)
		polykey = _chacha(self.k_main, seqnr, 0, bytes(32))
		try:
			Poly1305.verify_tag(polykey, elen + ebody, tag)
		except InvalidSignature:
			raise ProtocolError("bad poly1305 tag")
		return _chacha(self.k_main, seqnr, 1, ebody)


class CtrHmac:
	"""aesNNN-ctr with hmac-sha2-256 or hmac-sha2-256-etm@openssh.com,
	one direction (RFC 4344, RFC 6668, OpenSSH PROTOCOL 1.7)."""
	block = 16

	def __init__(self, key, iv, mackey, etm, encrypt):
		c = Cipher(algorithms.AES(key), modes.CTR(iv))
		self.stream = c.encryptor() if encrypt else c.decryptor()
		self.hmac = hmac.new(mackey, digestmod=hashlib.sha256)
		self.etm = etm
		self.len_in_block = not etm

	def _mac(self, seqnr, data):
		h = self.hmac.copy()
		h.update(u32(seqnr) + data)
		return h.digest()

	def seal(self, seqnr, packet):
		if self.etm:
			body = self.stream.update(packet[4:])
			return packet[:4] + body + self._mac(seqnr,
							     packet[:4] + body)
		return self.stream.update(packet) + self._mac(seqnr, packet)

	def length_field(self, seqnr, length):
		if self.etm:
			return u32(length)
		return self.stream.update(u32(length))

	def read(self, take, seqnr):
		if self.etm:
			lenf = take(4)
			plen = struct.unpack(">I", lenf)[0]
			if plen > MAX_PACKET or plen < 5:
				raise ProtocolError(f"packet length {plen}")
			ebody = take(plen)
			if not hmac.compare_digest(
					take(32), self._mac(seqnr, lenf + ebody)):
				raise ProtocolError("bad MAC")
			return self.stream.update(ebody)
		first = self.stream.update(take(16))
		plen = struct.unpack(">I", first[:4])[0]
		if plen > MAX_PACKET or plen < 12:
			raise ProtocolError(f"packet length {plen}")
		packet = first + self.stream.update(take(plen + 4 - 16))
		if not hmac.compare_digest(take(32),
					   self._mac(seqnr, packet)):
			raise ProtocolError("bad MAC")
		return packet[4:]


# ---- the client ----

class Closed:
	def __init__(self, closed, disconnect, payloads, reason=""):
		self.closed = closed
		self.disconnect = disconnect
		self.payloads = payloads
		self.msgs = [p[0] for p in payloads]
		self.reason = reason

	def __repr__(self):
		return (f"Closed(closed={self.closed}, "
			f"disconnect={self.disconnect!r}, msgs={self.msgs!r}, "
			f"{self.reason})")


class RawSSH:
	def __init__(self, port, host="127.0.0.1", timeout=10,
		     version="SSH-2.0-rawssh_1.0", cipher=CHACHA,
		     mac="hmac-sha2-256", rcvbuf=None):
		if cipher != CHACHA and cipher not in CTR_KEY_LEN:
			raise ValueError(cipher)
		if mac not in ("hmac-sha2-256",
			       "hmac-sha2-256-etm@openssh.com"):
			raise ValueError(mac)
		self.cipher = cipher
		self.mac = mac
		self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		if rcvbuf is not None:
			# before connect(): it sets the window we advertise
			self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
					     rcvbuf)
		self.sock.settimeout(timeout)
		self.sock.connect((host, port))
		self.timeout = timeout
		self.version = version
		self.rbuf = bytearray()
		self.seq_out = 0
		self.seq_in = 0
		self.c_out = None  # a cipher object once NEWKEYS is sent
		self.c_in = None
		self.next_c_out = None
		self.next_c_in = None
		self.strict = False
		# None: reset at NEWKEYS when strict KEX was agreed; True or
		# False: always or never (per direction)
		self.reset_seq_out = None
		self.reset_seq_in = None
		self.server_version = None
		self.pre_lines = []
		self.i_c = None
		self.i_s = None
		self.server_kexinit = None
		self.session_id = None
		self.hostkey_blob = None
		self.x25519 = None
		self.received = []  # message numbers in order
		self.eof = False

	# -- raw I/O --

	def close(self):
		try:
			self.sock.close()
		except OSError:
			pass

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.close()

	def send_raw(self, data):
		try:
			self.sock.sendall(data)
		except socket.timeout:
			raise Stalled("send timed out")

	def _fill(self, n):
		"""Reads until rbuf holds n bytes; ConnClosed at EOF/reset."""
		while len(self.rbuf) < n:
			try:
				chunk = self.sock.recv(65536)
			except (ConnectionResetError, BrokenPipeError):
				self.eof = True
				raise ConnClosed("reset")
			except socket.timeout:
				raise Stalled("receive timed out")
			if not chunk:
				self.eof = True
				raise ConnClosed("eof")
			self.rbuf += chunk

	def _take(self, n):
		self._fill(n)
		b = bytes(self.rbuf[:n])
		del self.rbuf[:n]
		return b

	# -- identification --

	def send_ident(self, line=None):
		if line is None:
			line = self.version
		if isinstance(line, str):
			line = line.encode()
		self.version = line.decode("latin-1")
		self.send_raw(line + b"\r\n")

	def read_ident(self):
		while True:
			while b"\n" not in self.rbuf:
				if len(self.rbuf) > 65536:
					raise ProtocolError("no line end")
				self._fill(len(self.rbuf) + 1)
			i = self.rbuf.index(b"\n")
			line = bytes(self.rbuf[:i]).rstrip(b"\r")
			del self.rbuf[:i + 1]
			if line.startswith(b"SSH-"):
				self.server_version = line.decode("latin-1")
				return self.server_version
			self.pre_lines.append(line)

	# -- packets --

	def _build(self, payload, block, aead):
		# RFC 4253 §6: at least 4 bytes of padding; the length field
		# counts in the alignment only without an AEAD cipher.
		base = 1 + len(payload) + (0 if aead else 4)
		pad = block - base % block
		if pad < 4:
			pad += block
		return u32(1 + len(payload) + pad) + u8(pad) + payload + \
			bytes(pad)

	def seal(self, payload):
		"""The wire bytes of one packet (sequence number used)."""
		if self.c_out is None:
			wire = self._build(payload, 8, False)
		else:
			wire = self.c_out.seal(self.seq_out, self._build(
				payload, self.c_out.block,
				not self.c_out.len_in_block))
		self.seq_out = (self.seq_out + 1) & 0xffffffff
		return wire

	def send_packet(self, payload):
		self.send_raw(self.seal(payload))

	def send_packet_len(self, length, body=b""):
		"""A packet_length field of any value (encrypted with the
		current keys), then body as it is: the server should refuse
		the length before it reads the body."""
		if self.c_out is None:
			field = u32(length)
		else:
			field = self.c_out.length_field(self.seq_out, length)
		self.send_raw(field + body)
		self.seq_out = (self.seq_out + 1) & 0xffffffff

	def recv_packet(self):
		"""One payload (any type); ConnClosed at EOF."""
		if self.c_in is None:
			plen = struct.unpack(">I", self._take(4))[0]
			if plen > MAX_PACKET or plen < 5:
				raise ProtocolError(f"packet length {plen}")
			body = self._take(plen)
		else:
			body = self.c_in.read(self._take, self.seq_in)
		self.seq_in = (self.seq_in + 1) & 0xffffffff
		pad = body[0]
		if pad + 1 > len(body):
			raise ProtocolError("bad padding length")
		payload = body[1:len(body) - pad]
		if not payload:
			raise ProtocolError("empty payload")
		self.received.append(payload[0])
		if payload[0] == NEWKEYS:
			self._newkeys_in()
		return payload

	def recv_msg(self, skip=(IGNORE, DEBUG)):
		"""The next payload whose type is not in skip."""
		while True:
			p = self.recv_packet()
			if p[0] not in skip:
				return p

	def expect(self, msg, skip=(IGNORE, DEBUG, EXT_INFO)):
		p = self.recv_msg(skip)
		if p[0] == DISCONNECT:
			r = Reader(p[1:])
			raise ProtocolError(
				f"expected {msg}, got DISCONNECT {r.u32()} "
				f"{r.text()!r}")
		if p[0] != msg:
			raise ProtocolError(f"expected {msg}, got {p[0]}")
		return p

	def wait_closed(self, timeout=10):
		"""Reads until the server closes. A Closed; closed is False
		when the deadline passed with the connection still open."""
		deadline = time.monotonic() + timeout
		disc = None
		msgs = []
		raw = False  # undecodable: just drain
		try:
			while True:
				left = deadline - time.monotonic()
				if left <= 0:
					return Closed(False, disc, msgs, "deadline")
				self.sock.settimeout(left)
				if raw:
					self.rbuf.clear()
					self._fill(1)
					continue
				try:
					p = self.recv_packet()
				except ProtocolError:
					raw = True
					continue
				msgs.append(p)
				if p[0] == DISCONNECT and disc is None:
					r = Reader(p[1:])
					try:
						disc = (r.u32(), r.text())
					except ProtocolError:
						disc = (None, "")
		except ConnClosed as e:
			return Closed(True, disc, msgs, str(e))
		except Stalled:
			return Closed(False, disc, msgs, "deadline")
		finally:
			self.sock.settimeout(self.timeout)

	# -- key exchange --

	def send_kexinit(self, strict=True, **kw):
		kw.setdefault("ciphers", [self.cipher])
		kw.setdefault("macs", [self.mac])
		self.i_c = build_kexinit(strict=strict, **kw)
		self._offered_strict = strict
		self.send_packet(self.i_c)

	def recv_kexinit(self):
		"""The server's KEXINIT (must be its first packet)."""
		p = self.recv_packet()
		if p[0] != KEXINIT:
			raise ProtocolError(f"first server packet is {p[0]}")
		self.i_s = p
		self.server_kexinit = parse_kexinit(p)
		self.strict = (getattr(self, "_offered_strict", False) and
			       STRICT_S in self.server_kexinit["kex"])
		return self.server_kexinit

	def ecdh_init_payload(self):
		self.x25519 = X25519PrivateKey.generate()
		self.q_c = self.x25519.public_key().public_bytes(
			serialization.Encoding.Raw,
			serialization.PublicFormat.Raw)
		return u8(KEX_ECDH_INIT) + string(self.q_c)

	def send_ecdh_init(self):
		self.send_packet(self.ecdh_init_payload())

	def recv_ecdh_reply(self, verify=True):
		p = self.recv_packet()
		if p[0] != KEX_ECDH_REPLY:
			raise ProtocolError(f"expected ECDH_REPLY, got {p[0]}")
		r = Reader(p[1:])
		k_s = r.string()
		q_s = r.string()
		sig = r.string()
		shared = self.x25519.exchange(X25519PublicKey.from_public_bytes(
			q_s))
		k = mpint(int.from_bytes(shared, "big"))
		h = hashlib.sha256(
			string(self.version) + string(self.server_version) +
			string(self.i_c) + string(self.i_s) + string(k_s) +
			string(self.q_c) + string(q_s) + k).digest()
		if verify:
			kr = Reader(k_s)
			if kr.text() != HOSTKEY:
				raise ProtocolError("host key not ed25519")
			pk = Ed25519PublicKey.from_public_bytes(kr.string())
			sr = Reader(sig)
			if sr.text() != HOSTKEY:
				raise ProtocolError("signature not ed25519")
			try:
				pk.verify(sr.string(), h)
			except InvalidSignature:
				raise ProtocolError("bad host key signature")
		self.hostkey_blob = k_s
		if self.session_id is None:
			self.session_id = h
		# RFC 4253 §7.2
		if self.cipher == CHACHA:
			self.next_c_out = ChaChaPoly(self._derive(k, h, b"C", 64))
			self.next_c_in = ChaChaPoly(self._derive(k, h, b"D", 64))
		else:
			klen = CTR_KEY_LEN[self.cipher]
			etm = self.mac.endswith("-etm@openssh.com")
			self.next_c_out = CtrHmac(
				self._derive(k, h, b"C", klen),
				self._derive(k, h, b"A", 16),
				self._derive(k, h, b"E", 32), etm, True)
			self.next_c_in = CtrHmac(
				self._derive(k, h, b"D", klen),
				self._derive(k, h, b"B", 16),
				self._derive(k, h, b"F", 32), etm, False)
		return h

	def _derive(self, k, h, letter, n):
		out = hashlib.sha256(k + h + letter + self.session_id).digest()
		while len(out) < n:
			out += hashlib.sha256(k + h + out).digest()
		return out[:n]

	def _resets(self, choice):
		return self.strict if choice is None else choice

	def send_newkeys(self):
		self.send_packet(u8(NEWKEYS))
		self.c_out = self.next_c_out
		if self._resets(self.reset_seq_out):
			self.seq_out = 0

	def _newkeys_in(self):
		self.c_in = self.next_c_in
		if self._resets(self.reset_seq_in):
			self.seq_in = 0

	def recv_newkeys(self):
		self.expect(NEWKEYS, skip=() if self.strict else (IGNORE,
								  DEBUG))

	def handshake(self, strict=True, verify=True):
		"""Identification and the first key exchange, well-behaved."""
		self.send_ident()
		self.read_ident()
		self.send_kexinit(strict=strict)
		self.recv_kexinit()
		self.send_ecdh_init()
		self.recv_ecdh_reply(verify=verify)
		self.recv_newkeys()
		self.send_newkeys()

	# -- services --

	def service_request(self, name="ssh-userauth"):
		self.send_packet(u8(SERVICE_REQUEST) + string(name))
		p = self.expect(SERVICE_ACCEPT)
		return Reader(p[1:]).text()

	def auth_publickey(self, user, key):
		"""ed25519 publickey authentication (signature at once) with
		an OpenSSH private key file or an Ed25519PrivateKey.
		Returns the reply's message number (52 or 51)."""
		if not isinstance(key, Ed25519PrivateKey):
			with open(key, "rb") as f:
				key = serialization.load_ssh_private_key(
					f.read(), None)
		if not isinstance(key, Ed25519PrivateKey):
			raise ValueError("only ed25519 keys")
		pub = key.public_key().public_bytes(
			serialization.Encoding.Raw,
			serialization.PublicFormat.Raw)
		blob = string(HOSTKEY) + string(pub)
		body = (u8(USERAUTH_REQUEST) + string(user) +
			string("ssh-connection") + string("publickey") +
			boolean(True) + string(HOSTKEY) + string(blob))
		sig = key.sign(string(self.session_id) + body)
		self.send_packet(body + string(string(HOSTKEY) + string(sig)))
		p = self.recv_msg(skip=(IGNORE, DEBUG, EXT_INFO,
					USERAUTH_BANNER))
		return p[0]

	def auth_password(self, user, password):
		"""Returns the reply's message number."""
		self.send_packet(u8(USERAUTH_REQUEST) + string(user) +
				 string("ssh-connection") + string("password") +
				 boolean(False) + string(password))
		return self.recv_msg(skip=(IGNORE, DEBUG, EXT_INFO,
					   USERAUTH_BANNER))[0]

	def auth_none(self, user):
		self.send_packet(u8(USERAUTH_REQUEST) + string(user) +
				 string("ssh-connection") + string("none"))
		return self.recv_msg(skip=(IGNORE, DEBUG, EXT_INFO,
					   USERAUTH_BANNER))

	def open_session(self, our_id=0, window=2 * 1024 * 1024,
			 max_packet=32768):
		"""CHANNEL_OPEN "session"; returns (peer id, peer window,
		peer max packet) of the confirmation."""
		self.send_packet(u8(CHANNEL_OPEN) + string("session") +
				 u32(our_id) + u32(window) + u32(max_packet))
		p = self.recv_msg(skip=(IGNORE, DEBUG, EXT_INFO,
					GLOBAL_REQUEST))
		if p[0] != CHANNEL_OPEN_CONFIRMATION:
			raise ProtocolError(f"channel open answered {p[0]}")
		r = Reader(p[1:])
		if r.u32() != our_id:
			raise ProtocolError("confirmation for another channel")
		return r.u32(), r.u32(), r.u32()


	def run_command(self, command, our_id=0):
		"""Opens a session, runs command, returns (stdout bytes,
		exit status or None) once the server closes the channel."""
		peer, _w, _m = self.open_session(our_id=our_id)
		self.send_packet(u8(CHANNEL_REQUEST) + u32(peer) +
				 string("exec") + boolean(True) +
				 string(command))
		out = b""
		status = None
		while True:
			p = self.recv_msg(skip=(IGNORE, DEBUG, EXT_INFO,
						GLOBAL_REQUEST))
			r = Reader(p[1:])
			if p[0] == CHANNEL_FAILURE:
				raise ProtocolError("exec refused")
			if p[0] == CHANNEL_DATA:
				r.u32()
				out += r.string()
			elif p[0] == CHANNEL_REQUEST:
				r.u32()
				if r.text() == "exit-status":
					r.boolean()
					status = r.u32()
			elif p[0] == CHANNEL_CLOSE:
				self.send_packet(u8(CHANNEL_CLOSE) + u32(peer))
				return out, status


def channel_open_payload(kind="session", our_id=0, window=65536,
			 max_packet=32768, extra=b""):
	return (u8(CHANNEL_OPEN) + string(kind) + u32(our_id) + u32(window) +
		u32(max_packet) + extra)


def global_request_payload(name="tcpip-forward", want_reply=True,
			   extra=None):
	if extra is None and name == "tcpip-forward":
		extra = string("127.0.0.1") + u32(0)
	return (u8(GLOBAL_REQUEST) + string(name) + boolean(want_reply) +
		(extra or b""))
