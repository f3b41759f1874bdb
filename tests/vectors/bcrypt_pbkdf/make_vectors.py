#!/usr/bin/python3
"""Makes tests/vectors/bcrypt_pbkdf/openssh.txt from keys that OpenSSH's
ssh-keygen encrypts (run it by hand; the unit test only reads its output).

For each case, ssh-keygen writes an encrypted openssh-key-v1 file. This
script parses it (PROTOCOL.key layout), derives the cipher key and IV with
python3-bcrypt's bcrypt.kdf (an implementation independent of ours), and
proves that derivation right by decrypting the private section with
python3-cryptography: the two check ints must be equal, the key type and
public key inside must match the file's public blob, and the padding must
be 1, 2, 3, ... Only then is the record written:

    name, cipher, pass (hex), salt (hex), rounds, keylen, key (hex: the
    derived key || IV), pubblob (hex), section (hex: the encrypted private
    section, GCM tag excluded)

Needs: ssh-keygen, python3-bcrypt, python3-cryptography (Debian).
"""
import base64
import os
import struct
import subprocess
import sys
import tempfile

import bcrypt
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

CIPHERS = {
    # name: (key length, iv length, tag length)
    "aes256-ctr": (32, 16, 0),
    "aes128-ctr": (16, 16, 0),
    "aes256-gcm@openssh.com": (32, 12, 16),
}

CASES = [
    # (name, key type, passphrase, rounds, cipher)
    ("ed25519-pass-a1", "ed25519", b"pass", 1, "aes256-ctr"),
    ("ed25519-pass-a16", "ed25519", b"pass", 16, "aes256-ctr"),
    ("ed25519-long-a3", "ed25519",
     b"correct horse battery staple, and then some more words", 3,
     "aes256-ctr"),
    ("ed25519-utf8-a2", "ed25519", "p\u00e4ssw\u00f6rd \u2603".encode(), 2,
     "aes256-ctr"),
    ("ed25519-aes128-a5", "ed25519", b"x", 5, "aes128-ctr"),
    ("ed25519-gcm-a7", "ed25519", b"gcm passphrase", 7,
     "aes256-gcm@openssh.com"),
    ("ecdsa256-pass-a4", "ecdsa", b"pass", 4, "aes256-ctr"),
]


class Reader:
    def __init__(self, data):
        self.d = data
        self.o = 0

    def u32(self):
        (v,) = struct.unpack(">I", self.d[self.o:self.o + 4])
        self.o += 4
        return v

    def string(self):
        n = self.u32()
        v = self.d[self.o:self.o + n]
        if len(v) != n:
            raise ValueError("truncated")
        self.o += n
        return v

    def rest(self):
        return self.d[self.o:]


def parse_keyfile(text):
    lines = text.strip().splitlines()
    assert lines[0] == "-----BEGIN OPENSSH PRIVATE KEY-----"
    assert lines[-1] == "-----END OPENSSH PRIVATE KEY-----"
    raw = base64.b64decode("".join(lines[1:-1]))
    magic = b"openssh-key-v1\0"
    assert raw.startswith(magic)
    r = Reader(raw[len(magic):])
    cipher = r.string().decode()
    kdf = r.string().decode()
    opts = Reader(r.string())
    assert kdf == "bcrypt"
    salt = opts.string()
    rounds = opts.u32()
    assert r.u32() == 1
    pub = r.string()
    section = r.string()
    tag = r.rest()
    return cipher, salt, rounds, pub, section, tag


def check_section(plain, pub, block):
    r = Reader(plain)
    c1, c2 = r.u32(), r.u32()
    assert c1 == c2, "check ints differ: wrong key"
    ktype = r.string()
    pr = Reader(pub)
    assert ktype == pr.string(), "key type differs"
    if ktype == b"ssh-ed25519":
        pk = r.string()
        assert pk == pr.string()
        r.string()  # private key
    elif ktype.startswith(b"ecdsa-sha2-"):
        assert r.string() == pr.string()  # curve
        assert r.string() == pr.string()  # point
        r.string()  # scalar
    else:
        raise ValueError("unexpected key type")
    r.string()  # comment
    pad = r.rest()
    assert pad == bytes(range(1, len(pad) + 1)), "bad padding"
    assert len(plain) % block == 0


def decrypt(cipher, key, iv, section, tag):
    if cipher.endswith("-ctr"):
        d = Cipher(algorithms.AES(key), modes.CTR(iv)).decryptor()
        return d.update(section) + d.finalize()
    d = Cipher(algorithms.AES(key), modes.GCM(iv, tag)).decryptor()
    return d.update(section) + d.finalize()


def make_case(tmp, name, ktype, passphrase, rounds, cipher):
    path = os.path.join(tmp, name)
    subprocess.run(["ssh-keygen", "-q", "-t", ktype, "-N",
                    passphrase.decode(), "-a", str(rounds), "-Z", cipher,
                    "-C", name, "-f", path], check=True)
    with open(path) as f:
        text = f.read()
    fcipher, salt, frounds, pub, section, tag = parse_keyfile(text)
    assert fcipher == cipher and frounds == rounds
    klen, ivlen, taglen = CIPHERS[cipher]
    assert len(tag) == taglen
    derived = bcrypt.kdf(passphrase, salt, klen + ivlen, rounds,
                         ignore_few_rounds=True)
    plain = decrypt(cipher, derived[:klen], derived[klen:], section, tag)
    check_section(plain, pub, 16 if cipher.startswith("aes") else 8)
    return [
        "name = " + name,
        "cipher = " + cipher,
        "pass = " + passphrase.hex(),
        "salt = " + salt.hex(),
        "rounds = %d" % rounds,
        "keylen = %d" % (klen + ivlen),
        "key = " + derived.hex(),
        "pubblob = " + pub.hex(),
        "section = " + section.hex(),
    ]


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "openssh.txt")
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            records.append("\n".join(make_case(tmp, *case)))
    with open(out, "w") as f:
        f.write("# bcrypt_pbkdf vectors from keys made by OpenSSH's "
                "ssh-keygen;\n# made and cross-checked by make_vectors.py "
                "(see there).\n\n")
        f.write("\n\n".join(records) + "\n")
    print("wrote %d records to %s" % (len(records), out), file=sys.stderr)


if __name__ == "__main__":
    main()
