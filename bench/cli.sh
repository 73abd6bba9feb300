#!/usr/bin/env bash
# Wall time and peak memory (RSS) per invocation of `hai` and of `tccli hai`, median of
# RUNS runs (default 15): `--help` of an action, and one DescribeInstances against a local
# emulator (hai over http, and over https with --ca-bundle; tccli, which speaks only https,
# against the same --tls emulator, whose certificate is appended to its private certifi
# bundle). Not part of CI: tccli is installed into a venv under target/.
#
#   bench/cli.sh          (RUNS=N for another count, HAI_EMULATOR=PATH for another emulator)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$root/target/tccli-venv"
work="$root/target/cli-bench"
runs="${RUNS:-15}"
mkdir -p "$work"

cargo build --quiet --release -p hai-emulator -p hai-cli
hai="$root/target/release/hai"
emulator="${HAI_EMULATOR:-$root/target/release/hai-emulator}"
have_tccli=0
if [ -x "$venv/bin/tccli" ] || { "${PYTHON:-python3}" -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check tccli; }; then
    have_tccli=1
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
start() { # name [flags...] -> prints the endpoint URL
    local name="$1"; shift
    "$emulator" --listen 127.0.0.1:0 "$@" >"$work/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        grep -q '^TENCENTCLOUD_SECRET_KEY=' "$work/$name.log" && break
        sleep 0.1
    done
}
start plain
url="$(sed -n 's/^TENCENTCLOUD_ENDPOINT_URL_HAI=//p' "$work/plain.log" | head -n1)"
export TENCENTCLOUD_SECRET_ID="$(sed -n 's/^TENCENTCLOUD_SECRET_ID=//p' "$work/plain.log" | head -n1)"
export TENCENTCLOUD_SECRET_KEY="$(sed -n 's/^TENCENTCLOUD_SECRET_KEY=//p' "$work/plain.log" | head -n1)"
export TENCENTCLOUD_REGION=ap-guangzhou
# Runs are 60 ms apart: the emulator's rate limit (20/s per action) would throttle a tight loop.
tls_host=""
if [ "$have_tccli" = 1 ] && "$emulator" --help 2>&1 | grep -q -- '--tls'; then
    start tls --tls --cert-out "$work/tls.pem"
    bundle="$("$venv/bin/python" -c 'import certifi; print(certifi.where())')"
    [ -f "$bundle.orig" ] || cp "$bundle" "$bundle.orig"
    cp "$bundle.orig" "$bundle"; cat "$work/tls.pem" >>"$bundle"
    tls_url="$(sed -n 's/^TENCENTCLOUD_ENDPOINT_URL_HAI=//p' "$work/tls.log" | head -n1)"
    tls_host="${tls_url#*://}"
fi

measure() { # label command...
    "${PYTHON:-python3}" - "$runs" "$@" <<'PY'
import os, statistics, subprocess, sys, time
runs, label, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
walls, rss = [], []
for _ in range(runs):
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    walls.append(time.perf_counter() - start)
    rss.append(usage.ru_maxrss / 1024)
    if status != 0:
        sys.exit(f"{label}: exit status {status}")
    time.sleep(0.06)
print(f"{label:<44} {statistics.median(walls) * 1000:9.1f} ms {statistics.median(rss):8.1f} MiB")
PY
}

printf '%-44s %12s %12s\n' "median of $runs runs" "wall" "peak RSS"
measure "hai StopInstance --help" "$hai" StopInstance --help
[ "$have_tccli" = 1 ] && measure "tccli hai StopInstance --help" "$venv/bin/tccli" hai StopInstance --help
measure "hai DescribeInstances (http emulator)" "$hai" DescribeInstances --endpoint "$url"
if [ -n "$tls_host" ]; then
    measure "hai DescribeInstances (https emulator)" "$hai" DescribeInstances --endpoint "$tls_host" --ca-bundle "$work/tls.pem"
    measure "tccli hai DescribeInstances (https emulator)" "$venv/bin/tccli" hai DescribeInstances --endpoint "$tls_host"
else
    echo "(the emulator has no --tls mode yet: tccli's DescribeInstances skipped)"
fi
