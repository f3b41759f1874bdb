# sesh - front door. See README.md.
#   make            build (build/bin/)
#   make run        install deps, build, demonstrate the programs
#   make test       install deps, build, run unit, replay and system tests
#   make test SANITIZE=1   the same in an ASan+UBSan build (build-asan/)
#   make install    PREFIX=/usr/local DESTDIR=
#   make bench | fuzz [SECONDS=N per target] | format | clean
#   make valgrind   build, run the unit tests under valgrind (memcheck)

PREFIX ?= /usr/local
DESTDIR ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PYTHON ?= /usr/bin/python3

ifeq ($(SANITIZE),1)
BUILD ?= build-asan
# The sanitizer build uses clang, so CI proves both compilers warning-free.
CMAKE_FLAGS += -DSESH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
else
BUILD ?= build
endif

.PHONY: all build deps deps-build run test unit system install uninstall \
	bench fuzz format clean valgrind

all: build

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

deps:
	scripts/deps.sh all

deps-build:
	scripts/deps.sh build

run: deps-build
	$(MAKE) build
	scripts/run.sh $(BUILD)

test: deps
	$(MAKE) build
	$(MAKE) unit system

unit:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

system:
	SESH_BUILD=$(abspath $(BUILD)) $(PYTHON) -m pytest -q tests/system \
		tests/adversarial

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

# CMake's manifest lists paths without DESTDIR; put it back in front.
uninstall:
	@if [ -f $(BUILD)/install_manifest.txt ]; then \
		sed 's|^|$(DESTDIR)|' $(BUILD)/install_manifest.txt | xargs rm -fv; \
	else \
		rm -fv $(DESTDIR)$(PREFIX)/bin/sesh-keygen; \
	fi

# sesh, OpenSSH's ssh/sshd side by side on loopback (needs root for sshd);
# BENCH_ARGS=--quick for a short run, --doc to refresh docs/benchmarks.md.
bench: build
	$(PYTHON) bench/run.py --build $(abspath $(BUILD)) $(BENCH_ARGS)

fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DSESH_FUZZ=ON \
		-DSESH_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	scripts/fuzz.sh build-fuzz $(or $(SECONDS),$(FUZZ_SECONDS))

format:
	find src tests/unit fuzz -name '*.[ch]' | xargs clang-format -i

# The cmocka unit tests (not the fuzz replays) under valgrind's memcheck:
# any error or leak fails the test. Logs in $(BUILD)/valgrind/ (forked
# children report there too; only the test process's own errors fail
# it). test_kex takes most of the time. Not with SANITIZE=1: valgrind
# cannot run an ASan build.
VALGRIND ?= valgrind --error-exitcode=1 --leak-check=full
valgrind: deps
	@if [ "$(SANITIZE)" = 1 ]; then \
		echo "make valgrind: not with SANITIZE=1" >&2; exit 2; fi
	$(MAKE) build
	@mkdir -p $(BUILD)/valgrind && cd $(BUILD) && \
	ctest -N | sed -n 's/^ *Test *#[0-9]*: *\(test_[A-Za-z0-9_]*\)$$/\1/p' | \
	xargs -P $(JOBS) -I{} sh -c 'if SESH_VALGRIND=1 $(VALGRIND) --log-file=valgrind/{}.log \
		tests/{} >valgrind/{}.out 2>&1; then echo "ok    {}"; \
		else echo "FAIL  {}: $(BUILD)/valgrind/{}.log"; exit 1; fi'

clean:
	rm -rf build build-asan build-fuzz
