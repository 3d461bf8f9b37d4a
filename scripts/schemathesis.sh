#!/usr/bin/env bash
# The REST API against its own OpenAPI document (/api/openapi.json), with
# schemathesis: every operation, a bounded number of generated requests each,
# logged in as an account with the county's administrator, brigade leader and
# supervisor roles (made by the county's administrator). Two checks: no answer is a
# server error (5xx), and every answer's body matches the schema the
# document declares for its status.
#
#   scripts/schemathesis.sh                (also `make schemathesis`, run by `make test`)
#
# SCHEMATHESIS_MAX_EXAMPLES (default 50) bounds the generated requests per
# operation and phase, so a run takes a few minutes on two cores;
# SCHEMATHESIS_SEED makes a run repeatable (default: a fixed seed, so CI is
# deterministic; `random` lets schemathesis pick one).
#
# scripts/schemathesis.toml names real identifiers of the demo county that
# some generated values are drawn from, so requests reach past "not found".
#
# It makes a Python virtual environment under the target folder with the
# pinned schemathesis from PyPI, builds the debug binary, starts
# `yiwang demo` on a free loopback port with a fresh data folder, logs in
# (bearer token), runs, stops the server and removes the folder. The last
# line is `schemathesis operations O, examples E, failures F`; the exit
# status is non-zero when F > 0 or schemathesis could not run.
#
# Operations left out, each because calling it with generated data cannot
# test it and would spoil the run:
#   POST /api/v1/logout       ends the session the whole run is logged in with
#   GET /api/v1/reports/stream  server-sent events: the answer never ends by design
#   POST /api/v1/me/password  would change (or throttle) the one account the run uses
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

SCHEMATHESIS_VERSION=4.32.5
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-50}
seed=${SCHEMATHESIS_SEED:-20261128}
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/schemathesis-venv"

# 1. schemathesis, pinned, in its own environment
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$venv/bin/schemathesis" --version

# A run that cannot start still ends with the summary line.
setup_failed() {
    echo "$1" >&2
    [[ -f ${work:-}/server.log ]] && tail -n 40 "$work/server.log" >&2
    echo "schemathesis operations 0, examples 0, failures 1"
    exit 1
}

# 2. the server: the demo county in a fresh folder, on a port the system picks
cargo build --quiet -p yiwang
bin="$target/debug/yiwang"
work=$(mktemp -d "${TMPDIR:-/tmp}/yiwang-schemathesis.XXXXXX")
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
RUST_LOG=${RUST_LOG:-warn} "$bin" demo --listen 127.0.0.1:0 --data "$work/data" >"$work/server.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 1 600); do
    url=$(sed -n 's|^yiwang demo: \(http://[^/ ]*\)/.*|\1|p' "$work/server.log" | head -n 1)
    [[ -n $url ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    sleep 0.2
done
[[ -n $url ]] || setup_failed "the demo server did not start"
echo "demo server at $url"

# 3. a session that may do nearly everything in the whole county: the
# county's system administrator makes an account with the administrator's
# role and the brigade leader's and county supervisor's (reports, cases,
# assessment), so that generated requests get past the permission check
token=$("$venv/bin/python" - "$url" <<'PY' || true
import json, sys, urllib.request
base = sys.argv[1]
def call(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
admin = call("POST", "/api/v1/login", {"username": "countyadmin", "password": "demo12345"})["token"]
county = call("GET", "/api/v1/me", token=admin)["roles"][0]["jurisdiction_code"]
user = call("POST", "/api/v1/users", {"username": "apicheck", "display_name": "接口检查",
    "password": "demo12345", "role": "system_admin", "jurisdiction": county}, token=admin)
for role in ("brigade_leader", "county_supervisor"):
    call("POST", "/api/v1/users/%s/roles" % user["id"], {"role": role, "jurisdiction": county}, token=admin)
print(call("POST", "/api/v1/login", {"username": "apicheck", "password": "demo12345"})["token"])
PY
)
[[ -n $token ]] || setup_failed "making and logging in the checking account failed"

# 4. the run
# kept after the run, for a closer look
report="$target/schemathesis/report.json"
mkdir -p "$(dirname "$report")"
rm -f "$report"
status=0
"$venv/bin/schemathesis" --config-file "$root/scripts/schemathesis.toml" \
    run "$url/api/openapi.json" \
    --url "$url" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$max_examples" \
    $([[ $seed == random ]] || echo "--seed $seed") \
    --workers 2 \
    --request-timeout 60 \
    --suppress-health-check all \
    --exclude-path /api/v1/logout \
    --exclude-path /api/v1/reports/stream \
    --exclude-path /api/v1/me/password \
    --report json --report-json-path "$report" \
    --output-truncate true \
    --no-color || status=$?

[[ -s $report ]] || setup_failed "schemathesis wrote no report (exit status $status)"
if grep -q 'panicked at' "$work/server.log"; then
    echo "--- the server panicked (where, how often) ---"
    grep -A1 'panicked at' "$work/server.log" | grep -v '^--$' | sed 's/^thread [^ ]* ([0-9]*) //' |
        paste - - | sort | uniq -c | sort -rn | head -n 20 || true
fi
summary=$("$venv/bin/python" - "$report" "$status" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ops = (doc.get("operations") or {}).get("tested", 0)
cases = doc["test_cases"]["generated"]
failures = sum(f["count"] for f in doc["failures"]) + sum(e["count"] for e in doc["errors"])
if int(sys.argv[2]) != 0 and failures == 0:
    failures = 1  # schemathesis failed without naming a failure
print(f"schemathesis operations {ops}, examples {cases}, failures {failures}")
PY
)
echo "$summary"
[[ $summary == *", failures 0" ]]
