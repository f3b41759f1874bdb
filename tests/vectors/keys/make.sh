#!/bin/sh
# Regenerates the key fixtures used by tests/unit/test_key.c and
# tests/unit/test_keyfile.c. The fixtures are committed; this script only
# documents how they were made (OpenSSH 9.2p1's ssh-keygen, OpenSSL 3.0).
# Running it replaces every fixture with fresh random keys.
#
# Naming: <type>[_<variant>] private key, .pub its public key, .fp.sha256
# and .fp.md5 the `ssh-keygen -l` lines, .art.sha256 / .art.md5 the
# `ssh-keygen -lv` output, .rfc4716 `ssh-keygen -e`, .spki
# `ssh-keygen -e -m PKCS8`, .pkcs1 `ssh-keygen -e -m PEM` (RSA).
set -eu
cd "$(dirname "$0")"
rm -f ./*_key ./*_key.pub ./*.fp.* ./*.art.* ./*.rfc4716 ./*.spki \
	./*.pkcs1 ./*.pem ./*.p8

gen() { # name type bits passphrase [extra ssh-keygen args...]
	name=$1 type=$2 bits=$3 pass=$4
	shift 4
	if [ "$bits" = 0 ]; then
		ssh-keygen -q -t "$type" -N "$pass" -C "$name@sesh-test" \
			-f "$name" "$@"
	else
		ssh-keygen -q -t "$type" -b "$bits" -N "$pass" \
			-C "$name@sesh-test" -f "$name" "$@"
	fi
}

# openssh-key-v1, unencrypted
gen ed25519_key ed25519 0 ""
gen ecdsa256_key ecdsa 256 ""
gen ecdsa384_key ecdsa 384 ""
gen ecdsa521_key ecdsa 521 ""
gen rsa2048_key rsa 2048 ""
# encrypted with "pass": aes256-ctr + bcrypt, 2 rounds to keep tests fast
gen ed25519_enc_key ed25519 0 pass -a 2
gen ecdsa256_enc_key ecdsa 256 pass -a 2
gen ecdsa384_enc_key ecdsa 384 pass -a 2
gen ecdsa521_enc_key ecdsa 521 pass -a 2
gen rsa2048_enc_key rsa 2048 pass -a 2
# default 16 rounds, other ciphers
gen ed25519_r16_key ed25519 0 pass
gen ed25519_gcm_key ed25519 0 pass -a 2 -Z aes256-gcm@openssh.com
gen ecdsa256_gcm_key ecdsa 256 pass -a 2 -Z aes256-gcm@openssh.com
gen ed25519_ctr128_key ed25519 0 pass -a 2 -Z aes128-ctr
gen rsa2048_ctr192_key rsa 2048 pass -a 2 -Z aes192-ctr
# traditional PEM written by ssh-keygen -m PEM
gen rsa_pem_key rsa 2048 "" -m PEM
gen ecdsa_pem_key ecdsa 256 "" -m PEM
# (PEM encryption needs at least 5 characters)
gen rsa_pem_enc_key rsa 2048 passw -m PEM

for f in ed25519_key ecdsa256_key ecdsa384_key ecdsa521_key rsa2048_key \
	rsa_pem_key; do
	ssh-keygen -l -f "$f.pub" >"$f.fp.sha256"
	ssh-keygen -l -E md5 -f "$f.pub" >"$f.fp.md5"
	ssh-keygen -lv -f "$f.pub" >"$f.art.sha256"
	ssh-keygen -lv -E md5 -f "$f.pub" >"$f.art.md5"
	ssh-keygen -e -f "$f.pub" >"$f.rfc4716"
	case $f in
	ed25519*) ;; # ssh-keygen 9.2 cannot export Ed25519 as PKCS8
	*) ssh-keygen -e -m PKCS8 -f "$f.pub" >"$f.spki" ;;
	esac
done
ssh-keygen -e -m PEM -f rsa2048_key.pub >rsa2048_key.pkcs1

# PKCS#8 from openssl, plain and encrypted with "pass"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	-out rsa_p8.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
	-out ec384_p8.pem 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed25519_p8.pem 2>/dev/null
for f in rsa_p8 ec384_p8 ed25519_p8; do
	openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:pass \
		-in "$f.pem" -out "${f}_enc.pem"
done
# the public keys as ssh-keygen sees them
ssh-keygen -y -f rsa_p8.pem >rsa_p8.pem.pub
ssh-keygen -y -f ec384_p8.pem >ec384_p8.pem.pub
# ssh-keygen 9.2 cannot read PKCS#8 Ed25519: build the .pub line from the
# raw public key (the last 32 bytes of the SPKI DER)
python3 - <<'PY' >ed25519_p8.pem.pub
import base64, struct, subprocess
der = subprocess.run(["openssl", "pkey", "-in", "ed25519_p8.pem", "-pubout",
                      "-outform", "DER"], capture_output=True,
                     check=True).stdout
pk = der[-32:]
s = lambda b: struct.pack(">I", len(b)) + b
print("ssh-ed25519 " + base64.b64encode(s(b"ssh-ed25519") + s(pk)).decode())
PY

# an "ssh-rsa" (SHA-1, PKCS#1 v1.5) raw signature by rsa_p8.pem over
# sha1sig.msg, for the verify-only ssh-rsa path
printf 'sesh ssh-rsa verify test\n' >sha1sig.msg
openssl dgst -sha1 -sign rsa_p8.pem -out rsa_p8.sha1sig sha1sig.msg
