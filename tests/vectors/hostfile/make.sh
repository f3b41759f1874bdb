#!/bin/sh
# Regenerates the known_hosts / authorized_keys fixtures with OpenSSH's
# ssh-keygen (made with OpenSSH_9.2p1 Debian-2+deb12u10). Keys are fresh
# each run, so every file here changes together; the unit tests
# (tests/unit/test_hostfile.c, test_authfile.c) only rely on the relations
# between the files, never on particular key bytes.
#
# Files:
#   keys.pub            ed25519, ecdsa-256, rsa-1024 and dsa public lines
#   known_hosts.in      a plain known_hosts file exercising every form
#   known_hosts.hashed  `ssh-keygen -H` of known_hosts.in
#   hashed.names        for each line of known_hosts.hashed, the name that
#                       line's hash was made from ("-" for lines kept as is)
#   R.<name>            `ssh-keygen -R <name>` of known_hosts.in
#   RH.<name>           `ssh-keygen -R <name>` of known_hosts.hashed
#   F.<name>            stdout of `ssh-keygen -F <name> -f known_hosts.in`
#   bogus.in            a file with a malformed hashed name on line 2
#   bogus.R.stderr      `ssh-keygen -R example.com` refuses it (invalid line)
#   bogus.H             `ssh-keygen -H` keeps the line verbatim
#   authorized_keys     an authorized_keys file with options (hand-written
#                       around the generated keys)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

ssh-keygen -q -t ed25519 -N '' -C 'alice@laptop' -f ed
ssh-keygen -q -t ecdsa -b 256 -N '' -C 'bob@desk' -f ec
ssh-keygen -q -t rsa -b 1024 -N '' -C 'carol@old' -f rsa
ssh-keygen -q -t dsa -N '' -C 'dsa@legacy' -f dsa
cat ed.pub ec.pub rsa.pub dsa.pub > "$here/keys.pub"

E=$(cut -d' ' -f1,2 ed.pub)
C=$(cut -d' ' -f1,2 ec.pub)
R=$(cut -d' ' -f1,2 rsa.pub)
D=$(cut -d' ' -f1,2 dsa.pub)

# Every line form: comments, blank, multi-name, [host]:port, wildcard and
# negation, markers, upper case, tabs and trailing comment/space, a DSA key
# (unknown to sesh, known to OpenSSH).
{
	printf '# known_hosts fixture\n'
	printf 'example.com,192.0.2.10 %s\n' "$E"
	printf '[example.com]:2222 %s host comment here\n' "$C"
	printf '\n'
	printf '*.wild.org,!bad.wild.org %s\n' "$R"
	printf '@revoked revoked.example %s\n' "$E"
	printf '@cert-authority *.ca.example %s\n' "$C"
	printf 'EXAMPLE.net %s\n' "$E"
	printf '\tMixed.Case,[h2]:2200\t%s trailing comment  \n' "$E"
	printf 'legacy.example %s\n' "$D"
	printf '   # indented comment\n'
	printf 'other,example.com %s\n' "$R"
} > known_hosts.in
cp known_hosts.in "$here/known_hosts.in"

cp known_hosts.in kh
ssh-keygen -H -f kh >/dev/null 2>&1
cp kh "$here/known_hosts.hashed"
# ssh-keygen -H lowercases and splits names; the order below is the
# order of the lines it writes.
printf '%s\n' - example.com 192.0.2.10 '[example.com]:2222' - - - - \
    example.net mixed.case '[h2]:2200' legacy.example - other \
    example.com > "$here/hashed.names"

for name in example.com '[example.com]:2222' example.net Example.Net \
    revoked.example good.wild.org bad.wild.org '[h2]:2200' nothere; do
	cp known_hosts.in kr
	ssh-keygen -R "$name" -f kr >/dev/null 2>&1 || true
	cp kr "$here/R.$name"
	cp "$here/known_hosts.hashed" krh
	ssh-keygen -R "$name" -f krh >/dev/null 2>&1 || true
	cp krh "$here/RH.$name"
	ssh-keygen -F "$name" -f known_hosts.in > "$here/F.$name" || true
done

# A malformed hashed name: -R/-F call the line invalid, -H keeps it.
{
	printf 'plain.example %s\n' "$E"
	printf '|1|bogus|bogus %s\n' "$E"
} > bogus.in
cp bogus.in "$here/bogus.in"
cp bogus.in kb
ssh-keygen -R example.com -f kb 2>&1 | sed 's/^kb/FILE/' \
    > "$here/bogus.R.stderr" || true
cp bogus.in kb
ssh-keygen -H -f kb >/dev/null 2>&1
cp kb "$here/bogus.H"

{
	printf '# authorized_keys fixture\n'
	printf '%s\n' "$(cat ed.pub)"
	printf 'restrict,command="dump /home" %s\n' "$(cat ec.pub)"
	printf 'permitopen="192.0.2.1:80",permitopen="[2001:db8::1]:25" %s\n' \
	    "$(cat rsa.pub)"
	printf 'no-pty,environment="LANG=C",environment="A_B=x y",from="*.example.com,!bad.example.com" %s\n' \
	    "$E"
	printf '\n'
	printf 'cert-authority,principals="alice,bob",expiry-time="20300101Z" %s\n' \
	    "$C"
	printf 'command="echo \\"quoted\\" word",tunnel="3" %s with comment\n' \
	    "$E"
	printf '%s\n' "$(cat dsa.pub)"
} > "$here/authorized_keys"
