# Kaizen: run, test, bench.
# `make run` starts the tracking server on 127.0.0.1:5000 (SQLite + ./mlartifacts).
# `make test` runs every test: Swift units and routes, then the Python interoperability suite.

SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run build release test swift-test interop bench bench-tools venv lint clean

run: build
	.build/debug/kaizen server

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product kaizen

venv: $(STAMP)

$(STAMP): interop/requirements.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r interop/requirements.txt
	touch $(STAMP)

swift-test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

interop: build venv
	KAIZEN_BIN=$(CURDIR)/.build/debug/kaizen $(VPY) -m pytest -q interop

test: lint swift-test interop

bench: release venv bench-tools
	mkdir -p bench/out
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/tracking.py --json bench/out/tracking.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/registry.py --json bench/out/registry.json

# wrk drives the throughput figures; it comes from Debian.
bench-tools:
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests

clean:
	rm -rf .build $(VENV)
