# StateCache — two commands: `make demo` runs the main job, `make test` runs the tests.
# Both install the system libraries they need (Debian packages) when missing.

SWIFT        ?= swift
APT_PACKAGES := liblz4-dev libsqlite3-dev zlib1g-dev liblzma-dev libpq-dev postgresql-15
# The suites that exercise threads; `make test-tsan` runs them under ThreadSanitizer, built
# for debugging and again optimized (release), where the optimizer may move what debug keeps.
TSAN_FILTER  ?= Concurrency|Stress|ContractTests|StateCacheClientTests
# The suites `make test-asan` also runs optimized under AddressSanitizer: the cache core and
# its policy (with the randomized model test), persistence (cache files), and the stresses.
ASAN_RELEASE_FILTER ?= CacheCoreTests|CacheFilesTests|Stress|Concurrency
# `make test`'s release-build stress: seeds × seconds of `statecache stress`.
STRESS_SEEDS   ?= 1 2 3
STRESS_SECONDS ?= 5
# `make test`'s fault stress: seconds of `statecache stress --postgres` while the server is
# restarted (fast, immediate) and its sessions terminated; `make postgres-fault-stress` runs
# the 30-second version.
FAULT_STRESS_SECONDS ?= 10
# Runs a command against a throwaway PostgreSQL server (started, then stopped and removed,
# also on failure); the command finds it in STATECACHE_POSTGRES.
WITH_POSTGRES  := scripts/throwaway-postgres.sh run --
# Optimized test builds need @testable imports, which release builds refuse without this.
RELEASE_TESTING := -c release -Xswiftc -enable-testing
# Leak reports are not what these runs look for (the Swift runtime keeps caches to exit).
export ASAN_OPTIONS ?= detect_leaks=0

.PHONY: deps build test test-debug stress-release postgres-fault-stress test-tsan test-asan demo demo-postgres bench bench-postgres example clean check-sqlite-only fuzz

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing missing system libraries:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "+ $$sudo apt-get update -q"; $$sudo apt-get update -q >/dev/null || exit 1; \
	  echo "+ $$sudo apt-get install -y -q$$missing"; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing || exit 1; \
	else \
	  echo "make: system libraries present ($(APT_PACKAGES))"; \
	fi

build: deps
	$(SWIFT) build

# The release stress runs first, so that the test runner's own summary closes the output.
test: deps stress-release test-debug

# The PostgreSQL suites must run, not skip: STATECACHE_REQUIRE_POSTGRES turns a missing server
# into a failure.
test-debug: deps zeo-venv
	$(SWIFT) build --build-tests
	STATECACHE_REQUIRE_POSTGRES=1 $(WITH_POSTGRES) $(SWIFT) test --skip-build

# ZEO's own cache_stats for the interoperability tests (Tests/CacheTraceTests/
# ZEOInteroperabilityTests.swift): a virtual environment with ZEO from PyPI, made when missing;
# `make test` hands it to the tests as STATECACHE_PYTHON. No ZEO (no network) fails `make test`
# rather than skipping those tests silently; STATECACHE_SKIP_ZEO=1 opts out (they then skip).
# A STATECACHE_PYTHON of your own that can import ZEO is used instead of the environment.
.PHONY: zeo-venv
ZEO_VENV        ?= .build/zeo-venv
ZEO_REQUIREMENT ?= ZEO==6.2.*
PYTHON3         ?= python3
ZEO_VENV_PYTHON := $(abspath $(ZEO_VENV))/bin/python3
ZEO_PYTHON      := $(or $(STATECACHE_PYTHON),$(ZEO_VENV_PYTHON))
ifeq ($(STATECACHE_SKIP_ZEO),)
test-debug: export STATECACHE_PYTHON := $(ZEO_PYTHON)
endif

zeo-venv:
ifneq ($(STATECACHE_SKIP_ZEO),)
	@echo "make: STATECACHE_SKIP_ZEO is set: the ZEO interoperability tests will be skipped"
else
	@if "$(ZEO_PYTHON)" -c 'import ZEO' >/dev/null 2>&1; then \
	  echo "make: ZEO for the interoperability tests: $(ZEO_PYTHON)"; \
	elif [ "$(ZEO_PYTHON)" != "$(ZEO_VENV_PYTHON)" ]; then \
	  echo "make: STATECACHE_PYTHON=$(ZEO_PYTHON) cannot import ZEO" >&2; exit 1; \
	else \
	  echo "+ $(PYTHON3) -m venv $(ZEO_VENV) && $(ZEO_VENV)/bin/pip install '$(ZEO_REQUIREMENT)'"; \
	  { $(PYTHON3) -m venv $(ZEO_VENV) \
	    && $(ZEO_VENV)/bin/pip install -q --disable-pip-version-check '$(ZEO_REQUIREMENT)' \
	    && "$(ZEO_VENV_PYTHON)" -c 'import ZEO'; } || { \
	    echo "make: could not install $(ZEO_REQUIREMENT) into $(ZEO_VENV) (no network?)." >&2; \
	    echo "make: the ZEO interoperability tests need it; STATECACHE_SKIP_ZEO=1 skips them." >&2; \
	    exit 1; }; \
	fi
endif

# Users run release builds: a bounded multi-process stress of the optimized tool, which fails
# on any crash, wrong byte (every state is checksummed), mismatch or lost update.
stress-release: deps
	$(SWIFT) build -c release --product statecache
	@for seed in $(STRESS_SEEDS); do \
	  echo "+ statecache stress --seed $$seed --seconds $(STRESS_SECONDS)  (release build)"; \
	  .build/release/statecache stress --seed $$seed --seconds $(STRESS_SECONDS) || { echo "release stress failed (seed $$seed)"; exit 1; }; \
	done
	$(WITH_POSTGRES) sh -c 'echo "+ statecache stress --postgres … --seconds $(STRESS_SECONDS)  (release build)"; \
	  .build/release/statecache stress --postgres "$$STATECACHE_POSTGRES" --seconds $(STRESS_SECONDS)'
	STATECACHE=.build/release/statecache scripts/postgres-fault-stress.sh $(FAULT_STRESS_SECONDS)

# A server restarted (`pg_ctl restart -m fast`, `-m immediate`) and its sessions terminated
# during 30 s of `statecache stress --postgres`: exit 0, no mismatch, no lost update, every lost
# connection reconnected (docs/faults-and-retries.md).
postgres-fault-stress: deps
	$(SWIFT) build -c release --product statecache
	STATECACHE=.build/release/statecache scripts/postgres-fault-stress.sh 30

# A longer fuzz run than the bounded one `make test` includes (Tests/FuzzTests; docs/fuzzing.md):
# every reader, supervised, FUZZ_CASES cases or FUZZ_SECONDS seconds, whichever ends first, from
# FUZZ_SEED (a new one each run unless given; the seed is printed). Crashing, hanging and failing
# cases are saved in fixtures/fuzz/crashers, which the suite replays. FUZZ_CONFIG=release fuzzes
# the optimized build.
FUZZ_SEED    ?= $(shell date +%s)
FUZZ_CASES   ?= 20000
FUZZ_SECONDS ?= 900
FUZZ_CONFIG  ?= debug
FUZZ_OPTIONS ?= --tool-every 10

fuzz: deps
	$(SWIFT) build -c $(FUZZ_CONFIG)
	@bin=$$($(SWIFT) build -c $(FUZZ_CONFIG) --show-bin-path); \
	echo "+ statecache-fuzz --replay fixtures/fuzz/crashers"; \
	$$bin/statecache-fuzz --replay fixtures/fuzz/crashers || exit 1; \
	echo "+ statecache-fuzz --supervise --seed $(FUZZ_SEED) --cases $(FUZZ_CASES) --seconds $(FUZZ_SECONDS) $(FUZZ_OPTIONS)"; \
	$$bin/statecache-fuzz --supervise --seed $(FUZZ_SEED) --cases $(FUZZ_CASES) --seconds $(FUZZ_SECONDS) $(FUZZ_OPTIONS)

test-tsan: deps
	$(WITH_POSTGRES) $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_FILTER)'
	$(WITH_POSTGRES) $(SWIFT) test $(RELEASE_TESTING) --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_FILTER)'

test-asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	$(WITH_POSTGRES) $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan
	$(SWIFT) build $(RELEASE_TESTING) --build-tests --sanitize=address --scratch-path .build-asan
	$(WITH_POSTGRES) $(SWIFT) test $(RELEASE_TESTING) --skip-build --sanitize=address --scratch-path .build-asan --filter '$(ASAN_RELEASE_FILTER)'

demo: deps
	$(SWIFT) build -c release --product statecache
	$(SWIFT) run -c release --skip-build statecache demo

# The demo and the storage benchmark against a throwaway PostgreSQL server instead of SQLite.
demo-postgres: deps
	$(SWIFT) build -c release --product statecache
	$(WITH_POSTGRES) sh -c '.build/release/statecache demo --postgres "$$STATECACHE_POSTGRES"'

bench-postgres: deps
	$(SWIFT) build -c release --product statecache
	$(WITH_POSTGRES) sh -c '.build/release/statecache bench storage --postgres "$$STATECACHE_POSTGRES"'

bench: deps
	$(SWIFT) build -c release --product statecache
	$(SWIFT) run -c release --skip-build statecache bench

# An application outside the package with the default traits off (Examples/CounterStress):
# it must link neither libpq nor liblzma, and its 64 tasks must lose no update.
COUNTER_STRESS := Examples/CounterStress/.build/release/CounterStress
check-sqlite-only: deps
	$(SWIFT) build -c release --package-path Examples/CounterStress
	@if ldd $(COUNTER_STRESS) | grep -E 'libpq|liblzma'; then \
	  echo "check-sqlite-only: a SQLite-only application links the libraries above" >&2; exit 1; \
	else echo "check-sqlite-only: links neither libpq nor liblzma"; fi
	$(COUNTER_STRESS) $(or $(SECONDS),20) 64 100

# The example HTTP server on the async client (Examples/HummingbirdServer, its own package and
# .build): not part of `make test`, since it fetches and builds SwiftNIO and Hummingbird.
example: deps
	$(SWIFT) build --package-path Examples/HummingbirdServer

clean:
	rm -rf .build .build-tsan .build-asan Examples/HummingbirdServer/.build Examples/CounterStress/.build Examples/CounterStress/.build-postgres
