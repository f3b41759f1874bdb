#!/usr/bin/python3
"""Writes the seed corpus of fuzz_monitor.c (fuzz/corpus/monitor/): a
max_tries byte, then steps of (selector byte, frame), the frames laid out
as app/monitor.h describes (the selector of a REQ_USER step is the
ANS_USER max tries the target answers with, 0: unchanged). Run by hand; the corpus is checked in."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus",
                   "monitor")

SIGN, USER, NONE, KEYQ, KEYV, PASSWORD, KB_START, KB_RESP, HANDOVER, LOG = \
    range(1, 11)
A_SIGN, A_USER, A_KEYQ, A_AUTH, A_PROMPTS, A_HANDOVER = range(65, 71)
FAIL, PARTIAL, SUCCESS = 0, 1, 2
SEL_FAIL, SEL_PARTIAL, SEL_SUCCESS, SEL_PROMPTS = 0, 1, 2, 0x80

SID = bytes(range(32))


def s(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def frame(t, body=b""):
    return struct.pack(">IB", 1 + len(body), t) + body


def step(sel, t, body=b""):
    return bytes([sel]) + frame(t, body)


def sign(h=SID):
    return s("ssh-ed25519") + s(b"\x00" * 51) + s(h)


def user():
    return s("alice") + s("ssh-connection")


def keyv():
    return s("ssh-ed25519") + s(b"\x01" * 51) + s(s(SID) + b"\x32rest") + \
        s(b"\x02" * 83)


def pw(p="hunter2", new=None):
    if new is None:
        return s(p) + b"\x00"
    return s(p) + b"\x01" + s(new)


def respond(*answers):
    return struct.pack(">I", len(answers)) + b"".join(s(a) for a in answers)


def log(text):
    return bytes([3]) + s(text)


SEEDS = {
    "pubkey-success": bytes([6]) + step(1, SIGN, sign()) + step(0, USER, user())
    + step(SEL_FAIL, NONE) + step(1, KEYQ, s("ssh-ed25519") + s(b"\x00" * 51))
    + step(SEL_SUCCESS, KEYV, keyv()) + step(0, HANDOVER, s(b"state" * 40))
    + step(1, SIGN, sign(bytes(range(1, 33)))),
    "password-fails": bytes([3]) + step(1, SIGN, sign()) + step(0, USER, user())
    + step(SEL_FAIL, PASSWORD, pw()) + step(SEL_FAIL, PASSWORD, pw("x"))
    + step(SEL_FAIL, PASSWORD, pw("y")) + step(SEL_FAIL, PASSWORD, pw("z")),
    "password-change": bytes([6]) + step(1, SIGN, sign()) + step(0, USER, user())
    + step(SEL_PARTIAL, PASSWORD, pw("old", "new"))
    + step(SEL_SUCCESS, PASSWORD, pw()),
    "kbdint": bytes([6]) + step(1, SIGN, sign()) + step(0, USER, user())
    + step(SEL_PROMPTS, KB_START, s("pam"))
    + step(SEL_PROMPTS, KB_RESP, respond("pw"))
    + step(SEL_SUCCESS, KB_RESP, respond("123456", ""))
    + step(0, LOG, log("Accepted keyboard-interactive/pam")),
    "out-of-order": bytes([6]) + step(0, PASSWORD, pw()) + step(0, HANDOVER,
                                                               s(b"x"))
    + step(0, KB_RESP, respond()) + step(0, USER, user()) + step(0, USER, user())
    + step(SEL_SUCCESS, KEYV, keyv()),
    "answers": bytes([6]) + step(0, A_AUTH, bytes([SUCCESS]) + s(""))
    + step(0, A_SIGN, b"\x01" + s(b"sig"))
    + step(0, A_USER, s("password") + struct.pack(">I", 4))
    + step(0, A_KEYQ, b"\x01") + step(0, A_HANDOVER)
    + step(0, A_PROMPTS, s("n") + s("i") + struct.pack(">I", 1) + s("P: ")
           + b"\x00"),
    # ANS_USER's max tries from the selector (Match MaxAuthTries):
    # lowered 6 -> 2, raised 2 -> 5, out of range in a frame
    "match-lower": bytes([6]) + step(1, SIGN, sign()) + step(2, USER, user())
    + b"".join(step(SEL_FAIL, PASSWORD, pw("w%d" % i)) for i in range(3)),
    "match-raise": bytes([2]) + step(1, SIGN, sign()) + step(5, USER, user())
    + b"".join(step(SEL_FAIL, PASSWORD, pw("w%d" % i)) for i in range(6)),
    "user-answer-bounds": bytes([6]) + step(0, USER, user())
    + step(0, A_USER, s("password") + struct.pack(">I", 0))
    + step(0, A_USER, s("password") + struct.pack(">I", 33))
    + step(0, A_USER, s("password") + struct.pack(">I", 32)),
    "logs": bytes([0]) + b"".join(step(0, LOG, log("line %d" % i))
                                  for i in range(8)),
    "truncated": bytes([6]) + step(1, SIGN, sign()) + bytes([0]) +
    struct.pack(">I", 100) + b"\x02abc",
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
