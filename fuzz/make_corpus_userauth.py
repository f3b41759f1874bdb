#!/usr/bin/python3
"""Writes the seed corpus of fuzz_userauth.c to fuzz/corpus/userauth/
(run by hand; the corpus is checked in). Each seed is a list of records,
2-byte big-endian length then payload, fed to a server and to a client."""
import os
import struct

D = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                 "corpus", "userauth")


def s(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def req(method, rest=b"", user="fuzz", service="ssh-connection"):
    return b"\x32" + s(user) + s(service) + s(method) + rest


SVC_REQ = b"\x05" + s("ssh-userauth")
SVC_ACC = b"\x06" + s("ssh-userauth")
BANNER = b"\x35" + s("Welcome\r\n\x1b[1m") + s("")
FAIL = b"\x33" + s("publickey,password,keyboard-interactive") + b"\x00"
FAIL_PARTIAL = b"\x33" + s("password") + b"\x01"
SUCCESS = b"\x34"
INFO_REQ = (b"\x3c" + s("name") + s("instr") + s("") +
            struct.pack(">I", 2) + s("Password: ") + b"\x00" +
            s("Code: ") + b"\x01")
CHANGEREQ = b"\x3c" + s("expired") + s("")
INFO_RESP = b"\x3d" + struct.pack(">I", 2) + s("secret") + s("x")
ED_BLOB = s("ssh-ed25519") + s(bytes(range(32)))


def seed(name, *msgs):
    with open(os.path.join(D, name), "wb") as f:
        for m in msgs:
            f.write(struct.pack(">H", len(m)) + m)


def main():
    os.makedirs(D, exist_ok=True)
    seed("server-none-password", SVC_REQ, req("none"),
         req("password", b"\x00" + s("wrong")),
         req("password", b"\x00" + s("secret")))
    seed("server-kbdint", SVC_REQ, req("keyboard-interactive", s("") + s("")),
         INFO_RESP, INFO_RESP)
    seed("server-pubkey", SVC_REQ,
         req("publickey", b"\x00" + s("ssh-ed25519") + s(ED_BLOB)),
         req("publickey", b"\x01" + s("ssh-ed25519") + s(ED_BLOB) +
             s(s("ssh-ed25519") + s(bytes(64)))))
    seed("server-change-user", SVC_REQ, req("none"), req("none", user="x"))
    seed("server-pwchange", SVC_REQ, req("none"), req("password", b"\x00" +
         s("a")), req("password", b"\x01" + s("a") + s("b")))
    seed("client-flow", SVC_ACC, BANNER, FAIL, FAIL_PARTIAL, INFO_REQ,
         CHANGEREQ, FAIL, SUCCESS)
    seed("client-kbdint", SVC_ACC, FAIL, FAIL, FAIL, INFO_REQ, INFO_REQ,
         SUCCESS)
    seed("empty")
    seed("junk", b"\x50\x00", b"", b"\xff" * 9)


if __name__ == "__main__":
    main()
