#!/usr/bin/python3
"""Capture the cleartext SSH_MSG_KEXINIT payload of a local OpenSSH sshd.

Usage: capture.py OUTFILE

Starts /usr/sbin/sshd -D on 127.0.0.1 at a port the kernel picked, with
its own temporary config and host keys (ed25519, ecdsa, rsa made by
ssh-keygen), connects, sends an identification line, reads the server's,
then reads the first binary packet (unencrypted: uint32 packet_length,
byte padding_length, payload, padding) and writes the payload (from the
message byte 20 on) to OUTFILE. Needs root (sshd's privilege separation).
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

SSHD = "/usr/sbin/sshd"


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise RuntimeError("connection closed")
        out += chunk
    return out


def recv_line(sock):
    line = b""
    while not line.endswith(b"\n"):
        line += recv_exact(sock, 1)
        if len(line) > 8192:
            raise RuntimeError("line too long")
    return line


def capture(tmp, out_path):
    keys = []
    for t in ("ed25519", "ecdsa", "rsa"):
        k = os.path.join(tmp, "host_" + t)
        subprocess.run(["ssh-keygen", "-q", "-t", t, "-N", "", "-f", k],
                       check=True)
        keys.append(k)
    port = free_port()
    cfg = os.path.join(tmp, "sshd_config")
    with open(cfg, "w") as f:
        f.write("ListenAddress 127.0.0.1:%d\n" % port)
        f.write("PidFile none\nUsePAM no\nStrictModes no\n")
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    argv = [SSHD, "-D", "-e", "-f", cfg]
    for k in keys:
        argv += ["-h", k]
    proc = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
    try:
        sock = None
        for _ in range(100):  # bounded: about 10 s
            try:
                sock = socket.create_connection(("127.0.0.1", port), 2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("sshd exited")
                time.sleep(0.1)
        if sock is None:
            raise RuntimeError("sshd did not listen")
        sock.settimeout(10)
        sock.sendall(b"SSH-2.0-sesh_capture\r\n")
        while True:
            line = recv_line(sock)
            if line.startswith(b"SSH-"):
                break
        sys.stderr.write("server: %r\n" % line.rstrip(b"\r\n"))
        plen, = struct.unpack(">I", recv_exact(sock, 4))
        if plen > 256 * 1024:
            raise RuntimeError("packet too long")
        body = recv_exact(sock, plen)
        pad = body[0]
        payload = body[1:plen - pad]
        if payload[0] != 20:
            raise RuntimeError("not a KEXINIT")
        with open(out_path, "wb") as f:
            f.write(payload)
        sock.close()
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: capture.py OUTFILE")
    tmp = tempfile.mkdtemp(prefix="sesh-kexinit-")
    try:
        capture(tmp, sys.argv[1])
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
