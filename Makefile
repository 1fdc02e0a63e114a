# StateCache — two commands: `make demo` runs the main job, `make test` runs the tests.
# Both install the system libraries they need (Debian packages) when missing.

SWIFT        ?= swift
APT_PACKAGES := liblz4-dev libsqlite3-dev zlib1g-dev
# The suites that exercise threads; `make test-tsan` runs them under ThreadSanitizer.
TSAN_FILTER  ?= Concurrency|Stress

.PHONY: deps build test test-tsan demo bench clean

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

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-tsan: deps
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_FILTER)'

demo: deps
	$(SWIFT) build -c release --product statecache
	$(SWIFT) run -c release --skip-build statecache demo

bench: deps
	$(SWIFT) build -c release --product statecache
	$(SWIFT) run -c release --skip-build statecache bench

clean:
	rm -rf .build .build-tsan
