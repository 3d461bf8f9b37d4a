# yiwang — the two commands a newcomer needs:
#   make demo   build everything, then serve the demo county on http://127.0.0.1:8080
#   make test   formatting, lints and every test on SQLite and PostgreSQL

CARGO ?= cargo
PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# The binary the checks below run, built first (YIWANG=./target/debug/yiwang
# runs them on a debug build).
YIWANG ?= ./target/release/yiwang
YIWANG_BUILD = $(if $(findstring /debug/,$(YIWANG)),build-debug,build)
VENDOR := crates/server/assets/vendor
SCALAR := $(VENDOR)/scalar/standalone.js
LEAFLET := $(VENDOR)/leaflet/leaflet.js
NPM_INSTALLED := web/node_modules/.package-lock.json

.PHONY: demo test assets tools postgres fmt lint check build clean-assets build-debug crash-test scale-test soak fuzz schemathesis bench-dashboard

## Front-end libraries: installed from the npm lockfile, copied into the
## folder the binary embeds.
assets: $(SCALAR) $(LEAFLET)

$(NPM_INSTALLED): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(SCALAR): $(NPM_INSTALLED)
	mkdir -p $(VENDOR)/scalar
	cp web/node_modules/@scalar/api-reference/dist/browser/standalone.js $@

$(LEAFLET): $(NPM_INSTALLED)
	rm -rf $(VENDOR)/leaflet
	mkdir -p $(VENDOR)/leaflet
	cp -R web/node_modules/leaflet/dist/images $(VENDOR)/leaflet/images
	cp web/node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet/leaflet.css
	cp web/node_modules/leaflet/dist/leaflet.js $@

build: assets
	$(CARGO) build --release -p yiwang

build-debug: assets
	$(CARGO) build -p yiwang

demo: build
	./target/release/yiwang demo --listen 127.0.0.1:8080

tools:
	scripts/ensure-tools.sh

postgres:
	scripts/ensure-postgres.sh

fmt:
	$(CARGO) fmt --all -- --check

lint: assets
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test: tools postgres assets fmt lint
	TEST_DATABASE_URL=$(PG_ADMIN_URL) $(CARGO) nextest run --workspace --profile ci
	TEST_DATABASE_URL=$(PG_ADMIN_URL) $(CARGO) test --workspace --doc
	scripts/schemathesis.sh

## Intake killed with SIGKILL 20 times on SQLite and on PostgreSQL; the last
## line is `acknowledged N, lost L, duplicated D` (fails unless L = D = 0).
crash-test: postgres $(YIWANG_BUILD)
	$(YIWANG) bench crash --kills 20 --postgres $(PG_ADMIN_URL)

## Three `yiwang serve` instances on one new PostgreSQL database, the
## harness as their round-robin; the last line is `instances 3, reports N,
## double-dispatched D, jobs-duplicated J` (fails unless D = J = 0 and every
## live-stream and upload check passed).
scale-test: postgres $(YIWANG_BUILD)
	$(YIWANG) bench scale --instances 3 --reports 2000 --postgres $(PG_ADMIN_URL)

## Ten million reports over a year, then every dashboard view timed over
## HTTP; the last line is `dashboard reports N, views V, slowest p50 X ms,
## slowest max Y ms` (fails if a view's p50 is over 200 ms).
bench-dashboard: $(YIWANG_BUILD)
	$(YIWANG) bench dashboard --reports 10000000

## One hour of steady load on SQLite (not in CI); a line a minute, the last
## `soak minutes M, reports N, errors E, rss start X MiB end Y MiB`.
SOAK_MINUTES ?= 60
soak: $(YIWANG_BUILD)
	$(YIWANG) bench soak --minutes $(SOAK_MINUTES)

## The API against its OpenAPI document (schemathesis, a bounded number of
## requests per operation, logged in); the last line is
## `schemathesis operations O, examples E, failures F`.
schemathesis:
	scripts/schemathesis.sh

## Every importer and the camera webhook body under libFuzzer, FUZZ_SECONDS
## each (default 60); the last line is `fuzz targets T, executions X, crashes C`.
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean-assets:
	rm -rf $(VENDOR) web/node_modules
