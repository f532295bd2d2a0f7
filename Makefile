# Kaizen: run, test, bench.
# `make run` starts the tracking server on 127.0.0.1:5000 (SQLite + ./mlartifacts).
# `make test` runs every test: Swift units and routes, then the Python interoperability suite.

SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run build release install test swift-test interop image-tools ui-tools services-tools interop-replicas dependent-check bench bench-tools venv monitor-venv lint clean onnx-fixtures text-fixtures

run: build
	.build/debug/kaizen server

build:
	$(SWIFT) build

# Release builds are tuned for the x86-64 CPU they are built on. With AVX-512, the ONNX engine's products work on
# 16 floats at a time (-target-cpu native -DKAIZEN_WIDE_SIMD); otherwise, with AVX2 and FMA, on 8 (-target-cpu
# haswell: Intel Haswell, AMD Zen and later). The binary then needs such a CPU; RELEASE_FLAGS= builds for any
# x86-64. bench/README.md has the figures for both builds.
ifeq ($(shell uname -m),x86_64)
ifneq ($(shell grep -m1 -o -w avx512f /proc/cpuinfo),)
RELEASE_FLAGS ?= -Xswiftc -target-cpu -Xswiftc native -Xswiftc -DKAIZEN_FMA -Xswiftc -DKAIZEN_WIDE_SIMD
else ifneq ($(shell grep -m1 -o -w fma /proc/cpuinfo),)
RELEASE_FLAGS ?= -Xswiftc -target-cpu -Xswiftc haswell -Xswiftc -DKAIZEN_FMA
endif
endif

# The release binary links the Swift standard library and Foundation statically: one file that needs only the C
# library, libstdc++, libgcc_s, SQLite and zlib on the host (outgoing HTTP is on SwiftNIO, so no libcurl), and
# about 4 MB less resident memory per process (bench/README.md). Debug information is left out at link time (the
# symbol table stays, so backtraces keep their names): 118 MB rather than 189 MB, which model images carry.
release:
	$(SWIFT) build -c release --product kaizen --static-swift-stdlib -Xlinker --strip-debug $(RELEASE_FLAGS)

# `make install PREFIX=~/.local` puts the release binary in PREFIX/bin.
PREFIX ?= /usr/local
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 .build/release/kaizen $(DESTDIR)$(PREFIX)/bin/kaizen

venv: $(STAMP)

$(STAMP): interop/requirements.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r interop/requirements.txt
	touch $(STAMP)

# The references for `kaizen monitor` (Evidently, NannyML) need pandas below 3, so they get a virtualenv of their own.
MONITOR_VENV := .venv-monitor
MVPY := $(MONITOR_VENV)/bin/python
MONITOR_STAMP := $(MONITOR_VENV)/.installed

monitor-venv: $(MONITOR_STAMP)

$(MONITOR_STAMP): interop-monitor/requirements.txt
	test -x $(MVPY) || $(PYTHON) -m venv $(MONITOR_VENV)
	$(MVPY) -m pip install --quiet --upgrade pip
	$(MVPY) -m pip install --quiet -r interop-monitor/requirements.txt
	touch $(MONITOR_STAMP)

# Warnings are errors for Kaizen's own targets (Package.swift: treatAllWarnings), never for dependencies.
swift-test: venv onnx-fixtures text-fixtures services-tools
	$(SWIFT) build --build-tests
	scripts/services.sh run -- $(SWIFT) test --skip-build

# ONNX test fixtures for KaizenONNX: parity cases (models converted with
# skl2onnx/onnxmltools, expected outputs from onnxruntime) and the ONNX backend
# node tests for the supported operators. Regenerated only when a generator or
# the pinned requirements change.
ONNX_FIXTURES := .fixtures/onnx
ONNX_FIXTURES_STAMP := $(ONNX_FIXTURES)/.stamp

onnx-fixtures: venv $(ONNX_FIXTURES_STAMP)

$(ONNX_FIXTURES_STAMP): interop/onnx/make_parity_fixtures.py interop/onnx/make_node_tests.py interop/text/make_encoder_fixtures.py interop/requirements.txt | $(STAMP)
	$(VPY) interop/onnx/make_parity_fixtures.py $(ONNX_FIXTURES)/parity
	$(VPY) interop/onnx/make_node_tests.py $(ONNX_FIXTURES)/node
	$(VPY) interop/text/make_encoder_fixtures.py $(ONNX_FIXTURES)/encoders
	touch $@

# Tokenizer fixtures for KaizenTokenizers: real and trained tokenizer files, the `tokenizers` library's encodings of
# 11,000 texts, and every code point's class as the library sees it; and a small RoBERTa-structured sentiment
# classifier for text serving.
TEXT_FIXTURES := .fixtures/text
TEXT_FIXTURES_STAMP := $(TEXT_FIXTURES)/.stamp

text-fixtures: venv $(TEXT_FIXTURES_STAMP)

$(TEXT_FIXTURES_STAMP): interop/text/make_tokenizer_fixtures.py interop/text/make_sentiment_model.py interop/text/make_encoder_fixtures.py interop/requirements.txt | $(STAMP)
	$(VPY) interop/text/make_tokenizer_fixtures.py $(TEXT_FIXTURES)
	$(VPY) interop/text/make_sentiment_model.py $(TEXT_FIXTURES)/vocab-roberta $(TEXT_FIXTURES)/sentiment
	touch $@

interop: build venv monitor-venv image-tools ui-tools onnx-fixtures text-fixtures services-tools
	scripts/services.sh run -- env KAIZEN_BIN=$(CURDIR)/.build/debug/kaizen $(VPY) -m pytest -q interop
	KAIZEN_BIN=$(CURDIR)/.build/debug/kaizen $(MVPY) -m pytest -q -p no:warnings interop-monitor

# The same interop suite through the team topology: nginx in front of 3 replicas on one PostgreSQL database and one
# S3 bucket (interop/topology.py). It must pass exactly as the single-server run does.
interop-replicas: build venv image-tools ui-tools onnx-fixtures text-fixtures services-tools
	scripts/services.sh run -- env INTEROP_TOPOLOGY=replicas KAIZEN_BIN=$(CURDIR)/.build/debug/kaizen \
		$(VPY) -m pytest -q interop

# interop/test_image.py checks `kaizen models build-image` with real container tools from Debian: docker-registry
# (distribution 2.8) takes the pushes, skopeo reads layouts, archives and registries, umoci unpacks and runc runs the
# image (both as root); podman loads a docker-archive and runs it.
image-tools:
	command -v docker-registry >/dev/null && command -v skopeo >/dev/null && command -v umoci >/dev/null \
		&& command -v runc >/dev/null && command -v podman >/dev/null \
		|| (apt-get update -qq && apt-get install -y -qq docker-registry skopeo umoci runc podman)

# interop/test_ui.py and test_ui_predict.py drive the web UI in a real browser: Debian's Chromium, headless, through
# chromedriver and Python's selenium.
ui-tools:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null \
		|| (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

# The team topology's services, from Debian: PostgreSQL (the store conformance suite runs on it and on SQLite; the
# replicas' interop run keeps its metadata there) and nginx (the load balancer in front of the replicas).
# scripts/services.sh starts them for one test command and stops them after.
services-tools:
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v nginx >/dev/null \
		|| (apt-get update -qq && apt-get install -y -qq postgresql nginx)

# A throwaway package depends on a tagged clone of this repository by version and runs an ONNX model through
# KaizenONNX: the library products stay usable as dependencies (no unsafe flags).
dependent-check: onnx-fixtures
	scripts/check-dependent-package.sh $(ONNX_FIXTURES)/parity/rf_reg

test: lint swift-test interop interop-replicas dependent-check

bench: release venv monitor-venv bench-tools image-tools ui-tools services-tools
	mkdir -p bench/out
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/tracking.py --json bench/out/tracking.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/registry.py --json bench/out/registry.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/onnx.py --json bench/out/onnx.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/serving.py --json bench/out/serving.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/image.py --json bench/out/image.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/endpoint.py --json bench/out/endpoint.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/flavors.py --json bench/out/flavors.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(MVPY) bench/drift.py --json bench/out/drift.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/inference_log.py --json bench/out/inference_log.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen $(VPY) bench/ui.py --json bench/out/ui.json
	KAIZEN_BIN=$(CURDIR)/.build/release/kaizen scripts/services.sh run -- $(VPY) bench/scaleout.py --json bench/out/scaleout.json

# wrk drives the throughput figures; it comes from Debian.
bench-tools:
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests

clean:
	rm -rf .build $(VENV) $(MONITOR_VENV)
