# yiwang — the two commands a newcomer needs:
#   make demo   build everything, then serve the demo county on http://127.0.0.1:8080
#   make test   formatting, lints and every test on SQLite and PostgreSQL

CARGO ?= cargo
PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres
VENDOR := crates/server/assets/vendor
SCALAR := $(VENDOR)/scalar/standalone.js
LEAFLET := $(VENDOR)/leaflet/leaflet.js
NPM_INSTALLED := web/node_modules/.package-lock.json

.PHONY: demo test assets tools postgres fmt lint check build clean-assets crash-test

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

## Intake killed with SIGKILL 20 times on SQLite and on PostgreSQL; the last
## line is `acknowledged N, lost L, duplicated D` (fails unless L = D = 0).
crash-test: postgres build
	./target/release/yiwang bench crash --kills 20 --postgres $(PG_ADMIN_URL)

clean-assets:
	rm -rf $(VENDOR) web/node_modules
