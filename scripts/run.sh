#!/bin/sh
# scripts/run.sh <builddir> - demonstrates sesh-keygen (until the server
# exists): makes an Ed25519 key in a temporary folder, prints its
# fingerprint and randomart, then shows how to try the other commands.
set -eu

build=${1:-build}
kg="$build/bin/sesh-keygen"
if [ ! -x "$kg" ]; then
	echo "run.sh: $kg is not built (run: make)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sesh-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

key="$tmp/id_ed25519"
echo "== $kg -t ed25519 -N '' -C demo@sesh -f $key"
"$kg" -t ed25519 -N '' -C demo@sesh -f "$key"
echo
echo "== $kg -lv -f $key.pub"
"$kg" -lv -f "$key.pub"
echo
echo "== $key.pub"
cat "$key.pub"
echo
cat <<EOT
Try the other commands (keys and files of OpenSSH work too):
  $kg -t rsa -b 4096 -f /tmp/mykey     generate (asks for a passphrase)
  $kg -y -f /tmp/mykey                 print the public key
  $kg -l -E md5 -f /tmp/mykey.pub      fingerprint (MD5)
  $kg -p -f /tmp/mykey                 change the passphrase
  $kg -c -C newcomment -f /tmp/mykey   change the comment
  $kg -e -f /tmp/mykey.pub             export (RFC 4716; -m PEM|PKCS8)
  $kg -i -f exported.txt               import an RFC 4716 key
  $kg -F host -f ~/.ssh/known_hosts    find a host; -R removes, -H hashes
  $kg -A -f /tmp/prefix                make missing host keys in /tmp/prefix/etc/sesh
EOT
