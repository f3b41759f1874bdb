#!/usr/bin/env bash
# scripts/fuzz.sh - runs every libFuzzer target of a fuzz build.
#
# Usage: scripts/fuzz.sh <build-fuzz-dir> [seconds]
#   <build-fuzz-dir>  a CMake build made with -DSESH_FUZZ=ON and clang;
#                     its fuzz/ folder holds the fuzz_<thing> binaries.
#   seconds           time per target (default 60).
#
# Each target runs for that long over a scratch copy of
# fuzz/corpus/<thing>/ (the checked-in corpus is never modified; new
# inputs found stay in the scratch folder, whose path is printed). A
# crash, leak, sanitizer report or timeout is reported with the path of
# the reproducer, and the script exits 1 if any target failed, 0 if all
# ran clean, 2 on usage errors.
set -u

usage() {
	echo "usage: $0 <build-fuzz-dir> [seconds]" >&2
	exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
build=$1
secs=${2:-60}
case $secs in
'' | *[!0-9]*) usage ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=$build/fuzz
if [ ! -d "$bindir" ]; then
	echo "fuzz.sh: no $bindir (configure with -DSESH_FUZZ=ON" \
		"-DCMAKE_C_COMPILER=clang and build first)" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sesh-fuzz.XXXXXX")
failed=()
ran=0
for bin in "$bindir"/fuzz_*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	name=$(basename "$bin")
	thing=${name#fuzz_}
	corpus=$work/$thing/corpus
	artifacts=$work/$thing/artifacts
	mkdir -p "$corpus" "$artifacts"
	if [ -d "$root/fuzz/corpus/$thing" ]; then
		cp -R "$root/fuzz/corpus/$thing/." "$corpus/"
	fi
	log=$work/$thing/log
	echo "== $name: ${secs}s, corpus $corpus"
	ran=$((ran + 1))
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		"$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts/" \
		"$corpus" >"$log" 2>&1
	rc=$?
	# slow-unit-* files only say an input took over 10 s of wall time
	# (a loaded machine, a KDF): informational; -timeout catches hangs
	if [ $rc -ne 0 ] || ls "$artifacts"/* 2>/dev/null |
		grep -qv '/slow-unit-'; then
		echo "!! $name FAILED (exit $rc); log: $log"
		grep -E "ERROR:|SUMMARY:|Test unit written" "$log" | head -5
		failed+=("$name")
	else
		grep -E "^stat::number_of_executed_units" "$log" |
			sed "s/^/   /"
		if ls "$artifacts"/slow-unit-* >/dev/null 2>&1; then
			echo "   (slow inputs kept in $artifacts)"
		fi
		echo "   ok"
	fi
done

if [ $ran -eq 0 ]; then
	echo "fuzz.sh: no fuzz_* binaries in $bindir" >&2
	exit 2
fi
echo "fuzz.sh: $ran targets, ${#failed[@]} failed; scratch: $work"
if [ ${#failed[@]} -ne 0 ]; then
	echo "failed: ${failed[*]}"
	exit 1
fi
exit 0
