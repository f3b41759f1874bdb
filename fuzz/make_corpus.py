#!/usr/bin/python3
"""Regenerates the seed corpora of the key-layer fuzz targets from keys
made by OpenSSH's ssh-keygen and by openssl (run by hand; the corpora are
checked in). Writes fuzz/corpus/{pubkey_blob,privkey,hostfile}/.

privkey seeds start with the mode byte fuzz_privkey.c reads: bit 0 =
payload is the binary body (armored by the target), bit 1 = try "pass",
bit 2 = also re-serialise encrypted.
"""
import base64
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")

KEYS = [
    ("ed25519", ["-t", "ed25519"]),
    ("ecdsa256", ["-t", "ecdsa", "-b", "256"]),
    ("ecdsa384", ["-t", "ecdsa", "-b", "384"]),
    ("ecdsa521", ["-t", "ecdsa", "-b", "521"]),
    ("rsa1024", ["-t", "rsa", "-b", "1024"]),
]


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw).stdout


def write(thing, name, data):
    d = os.path.join(CORPUS, thing)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def body_of(text):
    lines = text.strip().splitlines()
    return base64.b64decode("".join(lines[1:-1]))


def flip(data, pos, bit=0x01):
    b = bytearray(data)
    b[pos % len(b)] ^= bit
    return bytes(b)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in KEYS:
            path = os.path.join(tmp, name)
            run("ssh-keygen", "-q", *args, "-N", "", "-C",
                "seed " + name, "-f", path)
            priv = open(path, "rb").read()
            pub = open(path + ".pub", "rb").read()
            blob = base64.b64decode(pub.split()[1])
            # pubkey_blob: blob, .pub line, RFC 4716, PEM SPKI, mutants.
            write("pubkey_blob", name + ".blob", blob)
            write("pubkey_blob", name + ".pub", pub)
            write("pubkey_blob", name + ".rfc4716",
                  run("ssh-keygen", "-e", "-f", path + ".pub"))
            if name != "ed25519":  # OpenSSH 9.2 cannot export these
                write("pubkey_blob", name + ".pkcs8",
                      run("ssh-keygen", "-e", "-m", "PKCS8", "-f",
                          path + ".pub"))
            write("pubkey_blob", name + ".blob-trunc", blob[:-1])
            write("pubkey_blob", name + ".blob-flip", flip(blob, 3))
            # privkey: text and binary-body modes, plain and encrypted.
            write("privkey", name + ".text", b"\x00" + priv)
            write("privkey", name + ".body", b"\x01" + body_of(priv.decode()))
            epath = path + "-enc"
            run("ssh-keygen", "-q", *args, "-N", "pass", "-a", "2", "-C",
                "enc " + name, "-f", epath)
            epriv = open(epath, "rb").read()
            write("privkey", name + ".enc-text", b"\x06" + epriv)
            write("privkey", name + ".enc-body",
                  b"\x03" + body_of(epriv.decode()))
            write("privkey", name + ".body-flip",
                  b"\x01" + flip(body_of(priv.decode()), 40, 0x10))
            # hostfile: known_hosts and authorized_keys lines.
            kt, b64 = pub.split()[:2]
            write("hostfile", name + ".kh",
                  b"example.com,192.0.2.1 " + kt + b" " + b64 + b"\n")
            write("hostfile", name + ".ak",
                  b'from="192.0.2.0/24",no-pty,command="echo \\"hi\\"" '
                  + pub)
        # PEM and PKCS#8 private keys from openssl.
        for alg, opts in (("ED25519", []),
                          ("EC", ["-pkeyopt", "ec_paramgen_curve:P-256"]),
                          ("RSA", ["-pkeyopt", "rsa_keygen_bits:1024"])):
            pem = run("openssl", "genpkey", "-algorithm", alg, *opts)
            write("privkey", "openssl-%s.pkcs8" % alg.lower(), b"\x00" + pem)
            if alg != "ED25519":
                trad = run("openssl", "pkey", "-traditional", input=pem)
                write("privkey", "openssl-%s.trad" % alg.lower(),
                      b"\x00" + trad)
        # More hostfile lines: markers, ports, hashed names, comments.
        ed = open(os.path.join(tmp, "ed25519.pub"), "rb").read().split()
        line = ed[0] + b" " + ed[1]
        kh = os.path.join(tmp, "known_hosts")
        with open(kh, "wb") as f:
            f.write(b"host.example.org " + line + b"\n"
                    b"[host.example.org]:2222 " + line + b"\n")
        run("ssh-keygen", "-q", "-H", "-f", kh)
        for i, l in enumerate(open(kh, "rb").read().splitlines()):
            write("hostfile", "hashed%d.kh" % i, l + b"\n")
        write("hostfile", "revoked.kh", b"@revoked * " + line + b"\n")
        write("hostfile", "ca.kh",
              b"@cert-authority *.example.com " + line + b" ca\n")
        write("hostfile", "neg.kh", b"*.example.com,!bad.example.com "
              + line + b" comment here\n")
        write("hostfile", "comment.kh", b"# a comment\n")
        write("hostfile", "blank.kh", b"   \n")
        write("hostfile", "unknown-type.kh",
              b"host ssh-dss AAAAB3NzaC1kc3MAAACBAP==\n")
        write("hostfile", "plain.ak", line + b" user@host\n")
        write("hostfile", "bad-b64.kh", b"host ssh-ed25519 AAAA!!\n")


if __name__ == "__main__":
    main()
