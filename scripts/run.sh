#!/bin/sh
# scripts/run.sh <builddir> - starts seshd on 127.0.0.1:2222 for a try.
#
# State lives in ./state/ (override with SESH_STATE=dir): an Ed25519 host
# key made on the first run with sesh-keygen, the config written on every
# run, the pid file and the log. seshd runs in the background (-D -e, its
# log in state/seshd.log); a previous instance started from the same
# folder is stopped first. Run as a normal user, seshd serves that user
# alone (public keys from ~/.ssh/authorized_keys), as sshd does.
set -eu

build=${1:-build}
seshd="$build/bin/seshd"
kg="$build/bin/sesh-keygen"
sesh="$build/bin/sesh"
port=${SESH_PORT:-2222}
for p in "$seshd" "$kg"; do
	if [ ! -x "$p" ]; then
		echo "run.sh: $p is not built (run: make)" >&2
		exit 1
	fi
done

state=${SESH_STATE:-state}
mkdir -p "$state"
chmod 700 "$state"
state=$(cd "$state" && pwd)
seshd=$(cd "$(dirname "$seshd")" && pwd)/seshd
hostkey="$state/ssh_host_ed25519_key"
cfg="$state/seshd_config"
pidfile="$state/seshd.pid"
log="$state/seshd.log"

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	old=$(cat "$pidfile")
	echo "== stopping the previous seshd (pid $old)"
	kill "$old"
	i=0
	while kill -0 "$old" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
fi

if [ ! -f "$hostkey" ]; then
	echo "== $kg -t ed25519 -N '' -f $hostkey"
	"$kg" -q -t ed25519 -N '' -C "seshd@$(hostname)" -f "$hostkey"
fi

usepam=no
if [ "$(id -u)" -eq 0 ] && [ -f /etc/pam.d/seshd ]; then
	usepam=yes
fi
cat >"$cfg" <<EOT
# Written by scripts/run.sh (rewritten on every run).
Port $port
ListenAddress 127.0.0.1
HostKey $hostkey
PidFile $pidfile
UsePAM $usepam
EOT

echo "== $seshd -D -e -f $cfg  (log: $log)"
: >"$log"
if command -v setsid >/dev/null 2>&1; then
	setsid "$seshd" -D -e -f "$cfg" >>"$log" 2>&1 </dev/null &
else
	"$seshd" -D -e -f "$cfg" >>"$log" 2>&1 </dev/null &
fi
pid=$!

# Wait (bounded) for the listening line, or for seshd to give up.
i=0
while ! grep -q "Server listening" "$log" 2>/dev/null; do
	if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 100 ]; then
		echo "run.sh: seshd did not start; its log:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done
cat "$log"

user=$(id -un)
cat <<EOT

seshd is running (pid $pid) on 127.0.0.1 port $port; host key fingerprint:
  $("$kg" -l -f "$hostkey.pub")
Connect (your key must be in ~/.ssh/authorized_keys):
  $sesh -p $port $user@127.0.0.1
  ssh -p $port $user@127.0.0.1
Log:   tail -f $log
Stop:  kill \$(cat $pidfile)
EOT
