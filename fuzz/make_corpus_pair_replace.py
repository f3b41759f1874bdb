#!/usr/bin/python3
"""Writes the seed corpus of fuzz_pair_replace.c to
fuzz/corpus/pair_replace/ (run by hand; the corpus is checked in).

Input format (see the target's header): a config byte, then records
(op byte: action in bits 0-1 = pass/replace/drop/duplicate, payloads
to let through first in bits 2-7; replace adds a uint16 length and the
new payload). With the default config the client seals, in order:
KEXINIT, KEX_ECDH_INIT, NEWKEYS, SERVICE_REQUEST, USERAUTH_REQUEST,
GLOBAL_REQUEST, CHANNEL_OPEN, CHANNEL_REQUEST env, CHANNEL_REQUEST
exec, CHANNEL_DATA, CHANNEL_EOF, CHANNEL_CLOSE, DISCONNECT; the server
KEXINIT, KEX_ECDH_REPLY, NEWKEYS, EXT_INFO, SERVICE_ACCEPT,
USERAUTH_SUCCESS, REQUEST_FAILURE, CHANNEL_OPEN_CONFIRMATION, ...
(PAIR_REPLACE_TRACE=1 prints them)."""
import os
import struct

D = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                 "corpus", "pair_replace")

PASS, REPLACE, DROP, DUP = 0, 1, 2, 3
CLIENT, SERVER, BOTH = 0x00, 0x10, 0x20
MLKEM, NOSTRICT, REKEY = 0x02, 0x40, 0x80


def s(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def op(action, skip=0, payload=None):
    r = bytes([(skip << 2) | action])
    if action == REPLACE:
        r += struct.pack(">H", len(payload)) + payload
    return r


def kexinit(kex, hostkey="ssh-ed25519",
            cipher="chacha20-poly1305@openssh.com",
            mac="hmac-sha2-256-etm@openssh.com"):
    return (b"\x14" + bytes(range(16)) + s(kex) + s(hostkey) +
            s(cipher) + s(cipher) + s(mac) + s(mac) + s("none") +
            s("none") + s("") + s("") + b"\x00" + bytes(4))


def ua_password(user, pw):
    return (b"\x32" + s(user) + s("ssh-connection") + s("password") +
            b"\x00" + s(pw))


SEEDS = {
    # everything unchanged: the whole session completes
    "pass_through": bytes([CLIENT]),
    "pass_through_rekey": bytes([REKEY | CLIENT]),
    "pass_through_mlkem_gcm": bytes([MLKEM | 0x04 | SERVER]),
    # the client's KEXINIT replaced: same algorithms, another cookie and
    # no ext-info-c, so the exchange hashes differ (bad signature)
    "replace_kexinit": bytes([CLIENT]) + op(
        REPLACE, 0,
        kexinit("curve25519-sha256,kex-strict-c-v00@openssh.com")),
    # ... and with nothing in common
    "replace_kexinit_nomatch": bytes([SERVER]) + op(
        REPLACE, 0, kexinit("diffie-hellman-group1-sha1", "ssh-dss")),
    # a truncated hybrid INIT
    "replace_kex_init_mlkem": bytes([MLKEM | CLIENT]) + op(
        REPLACE, 1, b"\x1e" + s(bytes(10))),
    # the client's NEWKEYS dropped
    "drop_newkeys": bytes([CLIENT]) + op(DROP, 2),
    # the password request replaced by a wrong password (the client
    # tries again and gets in) ...
    "replace_userauth_request": bytes([CLIENT]) + op(
        REPLACE, 4, ua_password("fuzz", "x")),
    # ... by another user's (the user changes: disconnect)
    "replace_userauth_request_user": bytes([CLIENT]) + op(
        REPLACE, 4, ua_password("root", "x")),
    # the server's USERAUTH_SUCCESS turned into a FAILURE
    "replace_userauth_success": bytes([SERVER]) + op(
        REPLACE, 5, b"\x33" + s("password") + b"\x00"),
    # the client's CHANNEL_DATA sent twice
    "dup_channel_data": bytes([CLIENT]) + op(DUP, 9),
    # the server's OPEN_CONFIRMATION naming a channel that does not exist
    "replace_open_confirmation": bytes([SERVER]) + op(
        REPLACE, 7, b"\x5b" + struct.pack(">IIII", 7, 0, 65536, 32768)),
    # the client's rekey KEXINIT (its 8th payload with REKEY) offering
    # nothing in common
    "replace_rekey_kexinit": bytes([REKEY | CLIENT]) + op(
        REPLACE, 7, kexinit("diffie-hellman-group1-sha1")),
    # the server's EXT_INFO claiming two extensions, holding one
    "replace_ext_info": bytes([SERVER]) + op(
        REPLACE, 3, b"\x07" + struct.pack(">I", 2) + s("server-sig-algs") +
        s("ssh-ed25519")),
    # a duplicated KEXINIT without strict KEX, both sides fuzzed
    "dup_kexinit_nostrict": bytes([NOSTRICT | BOTH]) + op(DUP, 0),
}


def main():
    os.makedirs(D, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(D, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
