#!/bin/sh
# bench/run.sh BUILD_DIR [run.py options...]: `make bench` entry kept for
# Makefiles that call this script; the bench itself is bench/run.py.
build=${1:-build}
[ $# -gt 0 ] && shift
exec /usr/bin/python3 "$(dirname "$0")/run.py" --build "$build" "$@"
