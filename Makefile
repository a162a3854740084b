# edge-sso: `make demo` and `make test` are the two commands a new machine needs.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

WASM_TARGET := wasm32-unknown-unknown
CHROMIUM    ?= /usr/bin/chromium
SUDO        := $(if $(filter 0,$(shell id -u)),,sudo)
# Deno comes from npm too, but outside package.json: its lock entries would name platform
# packages this registry does not have, and `npm ci` refuses an incomplete lock.
DENO_VERSION := 2.9.6
DENO        := .build/tools/node_modules/.bin/deno
WASM_RAW    := target/$(WASM_TARGET)/release/edge_sso.wasm
PKG_WASM    := pkg/wasm/edge_sso_bg.wasm
# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
WB_VERSION   = $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)

.PHONY: setup build pack test test-lint test-doc test-rust test-js test-postgres test-cli test-worker test-deno test-types test-browser worker-bundle demo demo-seed bench fuzz clean

setup:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@if [ "$$(wasm-bindgen --version 2>/dev/null | awk '{print $$2}')" != "$(WB_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WB_VERSION) (about 10 minutes, once)"; \
	  cargo install wasm-bindgen-cli --version $(WB_VERSION); \
	fi
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then npm ci --no-audit --no-fund; touch node_modules; fi
	@[ "$$($(DENO) --version 2>/dev/null | head -1 | awk '{print $$2}')" = "$(DENO_VERSION)" ] || \
	  npm install --no-save --no-package-lock --no-audit --no-fund --prefix .build/tools deno@$(DENO_VERSION) >/dev/null
	@command -v $(CHROMIUM) >/dev/null || { echo "installing Debian's chromium (browser tests)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "installing Debian's postgresql (PostgresStore tests)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

build: setup
	cargo build --release --target $(WASM_TARGET) --lib
	@# Generated in a private folder and moved into pkg/wasm when complete: an interrupted or
	@# concurrent build never leaves a half-written .wasm where the package loads it.
	@mkdir -p .build pkg/wasm && tmp=$$(mktemp -d .build/wasm.XXXXXX) && trap 'rm -rf "$$tmp"' EXIT && set -e && \
	  echo "wasm-bindgen --target web, then wasm-opt -O3 (into $$tmp, then pkg/wasm/)" && \
	  wasm-bindgen --target web --out-dir $$tmp --out-name edge_sso $(WASM_RAW) && \
	  node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
	    --enable-mutable-globals --enable-reference-types --enable-multivalue $$tmp/edge_sso_bg.wasm -o $$tmp/opt.wasm && \
	  mv $$tmp/opt.wasm $$tmp/edge_sso_bg.wasm && \
	  for f in edge_sso.js edge_sso.d.ts edge_sso_bg.wasm.d.ts edge_sso_bg.wasm; do mv -f $$tmp/$$f pkg/wasm/$$f; done
	@rm -f pkg/wasm/package.json pkg/wasm/.gitignore
	@mkdir -p www/vendor && cp node_modules/qrcode-generator/dist/qrcode.mjs www/vendor/qrcode.mjs
	@# The OpenAPI document ships in the package, generated from the route table (src/rest/table.rs).
	node tools/openapi.mjs pkg/wasm/edge_sso_bg.wasm pkg/openapi.json
	@echo "built $(PKG_WASM): $$(wc -c < $(PKG_WASM)) bytes, $$(gzip -9c $(PKG_WASM) | wc -c) gzipped"

test: build test-lint test-rust test-js test-types test-worker test-deno test-browser test-postgres test-cli test-doc

# Our rules, enforced: rustfmt's layout, and clippy (with the [lints] of Cargo.toml: no unsafe,
# no unwrap/expect/panic/unchecked indexing outside tests, docs on every public item) on every
# target, natively and for wasm32, and on the Argon2id crate.
test-lint:
	cargo fmt --check
	cargo fmt --check --manifest-path crates/argon2id/Cargo.toml
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) -- -D warnings
	cargo clippy --manifest-path crates/argon2id/Cargo.toml --target-dir target --all-targets -- -D warnings

test-rust:
	cargo test

# The package is tested the way a user gets it: packed, then installed where it is used.
pack: build
	@mkdir -p .build && rm -f .build/edge-sso-*.tgz
	cd pkg && npm pack --silent --pack-destination ../.build >/dev/null

# Installs the packed package into folder $(1), as `npm install` does for a user.
install_pkg = cd $(1) && rm -rf node_modules/edge-sso && npm install --no-save --no-package-lock --no-audit --no-fund $(CURDIR)/.build/edge-sso-*.tgz >/dev/null

# README.md's code blocks and the demo, run as written (tests/doc/run.mjs; markers explained there).
# Needs the worker bundle: the demo server the printed curl commands are pasted against.
# First, every spec § / O-nn / .md reference in the code resolves (tests/doc/refs.mjs).
test-doc: worker-bundle
	node tests/doc/refs.mjs
	$(call install_pkg,tests/doc)
	node tests/doc/run.mjs

test-js: pack
	$(call install_pkg,tests/js)
	$(call install_pkg,examples/node)
	node --test --test-concurrency=2 tests/js/

# PostgresStore on a throwaway PostgreSQL (Debian's, from setup): run.mjs starts it in a
# temporary directory on a unix socket, runs tests/postgres/*.test.mjs, then stops and removes it.
test-postgres: pack
	$(call install_pkg,tests/postgres)
	node tests/postgres/run.mjs

# The `edge-sso` command line, installed from the packed package with its optional packages
# (tests/cli/package.json), on every store kind, and import-zato on Zato databases built by
# Python's own cryptography and passlib (a venv under .build, made once).
PYENV := .build/pyenv
$(PYENV)/ok:
	python3 -m venv $(PYENV)
	$(PYENV)/bin/pip install --quiet --disable-pip-version-check cryptography passlib
	touch $@

test-cli: pack $(PYENV)/ok
	$(call install_pkg,tests/cli)
	PYTHON=$(CURDIR)/$(PYENV)/bin/python node tests/cli/run.mjs

# Real Chromium (Debian's) driven by playwright-core: every tests/browser/*.test.mjs (the package,
# the console, cookie sessions across origins against the example worker).
test-browser: worker-bundle
	CHROMIUM=$(CHROMIUM) node --test --test-concurrency=1 tests/browser/

# TypeScript users: an example using every exported type (example.ts; hono.ts for edge-sso/hono,
# whose @ts-expect-error lines must fail), type-checked against the package.
test-types: pack
	$(call install_pkg,tests/types)
	node_modules/.bin/tsc -p tests/types

# Deno through the package's "deno" export; Deno KV in a temporary file.
test-deno: pack
	$(call install_pkg,tests/deno)
	$(call install_pkg,examples/deno)
	cd tests/deno && DENO_DIR=$(CURDIR)/.build/deno-cache DENO_NO_UPDATE_CHECK=1 NO_COLOR=1 \
	  $(CURDIR)/$(DENO) test -A --unstable-kv --no-check .

# The example workers (examples/cloudflare-worker, examples/hono), bundled by wrangler as a user
# would, on workerd through miniflare.
# Into a fresh folder: wrangler names the .wasm by its hash and leaves earlier ones behind.
worker-bundle: pack
	$(call install_pkg,examples/cloudflare-worker)
	rm -rf .build/worker
	cd examples/cloudflare-worker && WRANGLER_SEND_METRICS=false $(CURDIR)/node_modules/.bin/wrangler deploy --dry-run --outdir $(CURDIR)/.build/worker >/dev/null
	$(call install_pkg,examples/hono)
	rm -rf .build/hono-worker
	cd examples/hono && WRANGLER_SEND_METRICS=false $(CURDIR)/node_modules/.bin/wrangler deploy --dry-run --outdir $(CURDIR)/.build/hono-worker >/dev/null

test-worker: worker-bundle
	node --test --test-concurrency=1 tests/worker/

# The real thing: the example worker on workerd with its KV under .demo/, REST API and console
# on http://127.0.0.1:8787. (`make demo-seed` runs the library-only seed flow instead.)
# The long fuzz run (make test runs 100,000 cases); FUZZ_CASES to choose.
fuzz:
	FUZZ_CASES=$${FUZZ_CASES:-1000000} cargo test --release --test fuzz -- --nocapture

# Rebuilds only when something is stale (examples/demo/stale.mjs compares file times): an
# unchanged checkout starts at once, without wasm-bindgen and wasm-opt.
demo:
	@node examples/demo/stale.mjs || $(MAKE) --no-print-directory worker-bundle
	node examples/demo/serve.mjs

demo-seed: build
	node examples/demo/seed-flow.mjs

bench: build
	node bench/run.mjs

clean:
	rm -rf target pkg/wasm .build .demo tests/js/node_modules examples/*/node_modules node_modules
