#!/usr/bin/env bash
# Client CPU per StopInstance call of hai-sdk against the raw pre-signed floor, through the
# shared client-cost harness (shared/bench): builds hai-bench (release), runs the harness
# RUNS times with it as "ours", and prints, for the sequential and the 32-in-flight mode,
# the median CPU per call of raw and ours and the median of each run's ratio ours/raw (two
# decimals). Not part of CI: timings are noisy on shared machines; run it on a quiet one.
#
#   bench/harness.sh [HARNESS_DIR]     (default: ../shared/bench beside this repository)
#   RUNS=3 SEQ_N=20000 CONC_N=40000 ONLY='raw|ours' bench/harness.sh
#
#   BASELINE=/path/to/old/hai-bench bench/harness.sh
#
# With BASELINE, each of the RUNS rounds runs the harness twice, first with the baseline
# binary as "ours", then with the current one (interleaved, so both see the same machine
# load), and both ratio tables are printed: before/after in one session.
#
# The harness is copied to target/bench-harness (it builds and installs into its folder,
# which may be read-only). ONLY='raw|ours' (the default here) skips the official SDKs'
# rows; ONLY='.' runs them all.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
src="${1:-$root/../shared/bench}"
work="$root/target/bench-harness"
[ -x "$src/run.sh" ] || { echo "harness not found at $src (give its directory)" >&2; exit 2; }

cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p hai-bench
mkdir -p "$work"
# Refresh the harness's sources, keep what it built and installed before.
(cd "$src" && tar --exclude=target --exclude=.venv --exclude=node_modules --exclude=results -cf - .) \
    | (cd "$work" && tar -xf -)
rm -rf "$work/results"

ours="$root/target/release/hai-bench"
runs="${RUNS:-3}"
one_run() { # BIN RESULTS_DIR
    rm -rf "$work/results"
    (cd "$work" && RUNS=1 SEQ_N="${SEQ_N:-20000}" CONC_N="${CONC_N:-40000}" \
        ONLY="${ONLY:-raw|ours}" OURS_SEQ_CMD="$1" OURS_CONC_CMD="$1" ./run.sh) | tail -n 12
    mkdir -p "$2"
    mv "$work"/results/*.jsonl "$2"/
}

summary() { # TITLE RESULTS_DIR
python3 - "$1" "$2"/*.jsonl <<'PY'
import json, statistics, sys
title = sys.argv[1]
runs = []
for path in sys.argv[2:]:
    per = {}
    for line in open(path):
        r = json.loads(line)
        loop = r.get("loop") or {}
        if r.get("check") != "ok" or not loop.get("calls"):
            continue
        us = (loop["cpu_user_s"] + loop["cpu_sys_s"]) / loop["calls"] * 1e6
        per[(r["client"], r["mode"])] = us
    runs.append(per)
print()
print(f"{title}")
print("mode        raw us/call  ours us/call  ours/raw (median of per-run ratios)")
for mode, name in (("seq", "sequential"), ("conc", "32 in flight")):
    pairs = [(p[("raw", mode)], p[("ours", mode)]) for p in runs
             if ("raw", mode) in p and ("ours", mode) in p]
    if not pairs:
        print(f"{name:<12} no complete run")
        continue
    raw = statistics.median(a for a, _ in pairs)
    ours = statistics.median(b for _, b in pairs)
    ratio = statistics.median(b / a for a, b in pairs)
    each = " ".join(f"{b / a:.2f}" for a, b in pairs)
    print(f"{name:<12} {raw:10.1f}  {ours:12.1f}  {ratio:.2f}x  ({len(pairs)} runs: {each})")
PY
}

out="$work/results-all"
rm -rf "$out"
if [ -n "${BASELINE:-}" ]; then
    [ -x "$BASELINE" ] || { echo "BASELINE=$BASELINE is not an executable" >&2; exit 2; }
    for r in $(seq "$runs"); do
        echo "== round $r/$runs: baseline $BASELINE"
        one_run "$BASELINE" "$out/baseline"
        echo "== round $r/$runs: current $ours"
        one_run "$ours" "$out/current"
    done
    summary "baseline ($BASELINE)" "$out/baseline"
    summary "current ($ours)" "$out/current"
else
    for r in $(seq "$runs"); do
        one_run "$ours" "$out/current"
    done
    summary "current ($ours)" "$out/current"
fi
