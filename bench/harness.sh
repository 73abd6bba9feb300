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
(cd "$work" && RUNS="${RUNS:-3}" SEQ_N="${SEQ_N:-20000}" CONC_N="${CONC_N:-40000}" \
    ONLY="${ONLY:-raw|ours}" OURS_SEQ_CMD="$ours" OURS_CONC_CMD="$ours" ./run.sh) | tail -n 20

python3 - "$work"/results/*.jsonl <<'PY'
import json, statistics, sys
runs = []
for path in sys.argv[1:]:
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
    print(f"{name:<12} {raw:10.1f}  {ours:12.1f}  {ratio:.2f}x  ({len(pairs)} runs)")
PY
