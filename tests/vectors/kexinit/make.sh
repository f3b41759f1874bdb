#!/bin/sh
# Regenerates the KEXINIT vectors of this folder (run as root on the
# project's Debian 12 machine: OpenSSH_9.2p1 Debian-2+deb12u*).
#
# openssh92_server.bin: the SSH_MSG_KEXINIT payload (message byte 20 on,
# as it goes into the exchange hash) that Debian 12's /usr/sbin/sshd
# sends with its default algorithm lists and three host keys (ed25519,
# ecdsa, rsa). Captured off the wire by capture.py from an sshd it
# starts on 127.0.0.1 at a kernel-chosen port. The cookie is random, so
# every run differs in bytes 1..16 only (and the lists if the OpenSSH
# package changes); tests/unit/test_kexinit.c checks the lists.
set -eu
cd "$(dirname "$0")"
/usr/bin/python3 capture.py openssh92_server.bin
