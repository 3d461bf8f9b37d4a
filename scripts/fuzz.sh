#!/usr/bin/env bash
# Fuzz every importer and the camera webhook's body, a fixed time each:
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 60; also `make fuzz`)
#
# The targets live in fuzz/ (a cargo-fuzz crate with a workspace of its
# own, so the main build never compiles it): GeoJSON grid import with every
# import check, power-list XLSX and CSV import, 12345 hotline batches, and
# the camera webhook body (signature, alert, snapshot). Seeds are in
# fuzz/corpus/<target>/ (`cargo run --example seeds` in fuzz/ rewrites the
# generated ones) and a libFuzzer dictionary each in fuzz/dicts/. New
# inputs found while fuzzing go to a working corpus under the target
# folder, so the committed seeds stay as they are.
#
# cargo-fuzz instruments the build with flags that rustc accepts only on a
# nightly toolchain. Only stable is installed, so RUSTC_BOOTSTRAP=1 lets
# stable rustc take them (set here, for the fuzz build alone). The build has
# debug assertions (overflow checks) on; FUZZ_SANITIZER picks libFuzzer's
# sanitizer (default none: the code is safe Rust, and a panic is what we
# look for; `address` works too, at about half the speed).
#
# A crash stops its target and leaves the input in fuzz/artifacts/<target>/;
# reproduce it with `RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -a <target>
# fuzz/artifacts/<target>/crash-…` from the repository root.
#
# Per target it prints the executions and crashes, then the last line
#   fuzz targets T, executions X, crashes C
# and exits non-zero when C > 0.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

secs=${1:-60}
if ! [[ $secs =~ ^[0-9]+$ ]] || ((secs < 1)); then
    echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2
    exit 2
fi
sanitizer=${FUZZ_SANITIZER:-none}

export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: installing it" >&2
    cargo install cargo-fuzz --locked
fi

target_dir="${CARGO_TARGET_DIR:-$root/target}/fuzz"
work="$target_dir/corpus"
logs="$target_dir/logs"
mkdir -p "$work" "$logs"

mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
if ((${#targets[@]} == 0)); then
    echo "no fuzz targets found in fuzz/" >&2
    exit 1
fi

echo "building ${#targets[@]} fuzz targets (sanitizer $sanitizer, debug assertions on)"
cargo fuzz build --fuzz-dir fuzz -s "$sanitizer" -a --target-dir "$target_dir"

total_runs=0
total_crashes=0
for t in "${targets[@]}"; do
    mkdir -p "$work/$t" "fuzz/artifacts/$t"
    stamp="$logs/$t.start"
    : >"$stamp"
    log="$logs/$t.log"
    echo "fuzzing $t for ${secs} s (log: ${log#"$root"/})"
    dict=()
    if [[ -f fuzz/dicts/$t.dict ]]; then
        dict=(-dict="$root/fuzz/dicts/$t.dict")
    fi
    status=0
    cargo fuzz run --fuzz-dir fuzz -s "$sanitizer" -a --target-dir "$target_dir" "$t" \
        "$work/$t" "$root/fuzz/corpus/$t" -- \
        -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 "${dict[@]}" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    if [[ -z $runs ]]; then
        # stopped by a crash: the last status line counts what was run
        runs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
    fi
    runs=${runs:-0}
    crashes=$(find "fuzz/artifacts/$t" -type f -newer "$stamp" | wc -l)
    if ((status != 0 && crashes == 0)); then
        # failed without an input to blame (a build or start-up failure)
        echo "  $t: libFuzzer exited with $status; see ${log#"$root"/}" >&2
        tail -n 20 "$log" >&2
        crashes=1
    fi
    for f in $(find "fuzz/artifacts/$t" -type f -newer "$stamp"); do
        echo "  crash input: $f"
    done
    echo "$t: executions $runs, crashes $crashes"
    total_runs=$((total_runs + runs))
    total_crashes=$((total_crashes + crashes))
done

echo "fuzz targets ${#targets[@]}, executions $total_runs, crashes $total_crashes"
((total_crashes == 0))
