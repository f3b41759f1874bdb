#!/bin/sh
# Installs every build and test dependency of sesh from Debian's packages.
# Idempotent: when everything is present it only checks and returns quickly.
# Usage: scripts/deps.sh [build|test|all]   (default: all)
set -eu

what=${1:-all}

build_pkgs="build-essential cmake pkg-config libssl-dev libpam0g-dev libcrypt-dev libseccomp-dev"
# dropbear-bin: Dropbear for make bench (binaries only, it starts no service).
test_pkgs="libcmocka-dev python3 python3-pytest openssh-client openssh-server
clang libclang-rt-14-dev python3-pexpect python3-paramiko openssh-sftp-server strace valgrind
ssh-audit
dropbear-bin"

case "$what" in
build) pkgs="$build_pkgs" ;;
test | all) pkgs="$build_pkgs $test_pkgs" ;;
*)
	echo "usage: $0 [build|test|all]" >&2
	exit 2
	;;
esac

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

# seshd's PAM service for an uninstalled build (make install puts the same
# file in place); only root can write it, and an existing one is kept.
pam_service() {
	here=$(dirname "$0")
	if [ "$what" != build ] && [ "$(id -u)" -eq 0 ] &&
		[ ! -e /etc/pam.d/seshd ] && [ -d /etc/pam.d ]; then
		install -m 0644 "$here/../tests/pam/seshd" /etc/pam.d/seshd
	fi
}

if [ -z "$missing" ]; then
	pam_service
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps.sh: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
else
	SUDO=""
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
pam_service
