#!/usr/bin/env bash
# Runs the same commands with `tccli hai` and with `hai` against two fresh emulators (one
# each, so state changes do not leak between them) and compares stdout, with RequestIds
# (any UUID) and TaskId values masked. Not part of CI: it installs tccli into a private venv
# under target/.
#
#   tests/tccli-compare/compare.sh
#
# tccli speaks only https and verifies against the certifi bundle of its own Python
# environment: the emulators run with --tls and their certificates are appended to that
# private bundle (never to a system one). hai gets the same arguments, and its emulator's
# certificate through --ca-bundle.
#
# Environment: PYTHON (default python3); TCCLI_VERSION to pin a tccli version; HAI_EMULATOR
# to use another hai-emulator binary.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/tccli-venv"
work="$root/target/tccli-compare"
mkdir -p "$work"

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "tccli${TCCLI_VERSION:+==$TCCLI_VERSION}"
echo "tccli: $("$venv/bin/python" -m pip show tccli | sed -n 's/^Version: //p')"

cargo build --quiet --release -p hai-emulator -p hai-cli
emulator="${HAI_EMULATOR:-$root/target/release/hai-emulator}"
hai="$root/target/release/hai"
if ! "$emulator" --help 2>&1 | grep -q -- '--tls'; then
    echo "this hai-emulator has no --tls mode, which tccli needs (it speaks only https)" >&2
    exit 1
fi
bundle="$("$venv/bin/python" -c 'import certifi; print(certifi.where())')"
[ -f "$bundle.orig" ] || cp "$bundle" "$bundle.orig"
cp "$bundle.orig" "$bundle"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start() { # name [--tls] -> sets ${name}_url
    local name="$1" log="$work/$1.log"
    shift
    if [ "${1:-}" = --tls ]; then
        "$emulator" --listen 127.0.0.1:0 --tls --cert-out "$work/$name.pem" >"$log" 2>&1 &
    else
        "$emulator" --listen 127.0.0.1:0 >"$log" 2>&1 &
    fi
    pids+=($!)
    for _ in $(seq 100); do
        grep -q '^TENCENTCLOUD_SECRET_KEY=' "$log" && break
        sleep 0.1
    done
    [ -f "$work/$name.pem" ] && cat "$work/$name.pem" >>"$bundle"
    printf -v "${name}_url" '%s' "$(sed -n 's/^TENCENTCLOUD_ENDPOINT_URL_HAI=//p' "$log" | head -n1)"
    secret_id="$(sed -n 's/^TENCENTCLOUD_SECRET_ID=//p' "$log" | head -n1)"
    secret_key="$(sed -n 's/^TENCENTCLOUD_SECRET_KEY=//p' "$log" | head -n1)"
}
rm -f "$work"/*.pem
start tccli_emu --tls
start hai_emu --tls
tccli_emu_host="${tccli_emu_url#*://}"   # tccli takes a host and calls it over https
hai_emu_host="${hai_emu_url#*://}"

# A HOME of its own: only the keys, as `tccli configure` writes them.
home="$work/home"
rm -rf "$home"; mkdir -p "$home/.tccli"
printf '{\n    "secretId": "%s",\n    "secretKey": "%s"\n}' "$secret_id" "$secret_key" >"$home/.tccli/default.credential"
printf '{\n    "_sys_param": {"region": "ap-guangzhou", "output": "json"},\n    "hai": {"endpoint": "hai.tencentcloudapi.com", "version": "2023-08-12"}\n}' >"$home/.tccli/default.configure"

mask() { sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uuid>/g; s/"TaskId": [0-9]+/"TaskId": <n>/'; }

cases=(
    "DescribeInstances"
    "DescribeInstances --InstanceIds [\"hai-dunyfddn\"]"
    "DescribeInstances --Filters [{\"Name\":\"instance-state\",\"Values\":[\"RUNNING\"]}] --Limit 2"
    "DescribeRegions"
    "StopInstance --InstanceId hai-dunyfddn --StopMode STOP_CHARGE --DryRun False"
    "StopInstance --InstanceId hai-pending1"
    "StopInstance --InstanceId hai-lnchfail"
    "StopInstance --InstanceId hai-arrears1"
    "StopInstance --InstanceId hai-stopped1"
    "StopInstance --InstanceId hai-termning"
    "StopInstance --InstanceId hai-termnatd"
    "StopInstance --InstanceId hai-prepaid1"
    "StopInstance --InstanceId hai-broken01"
    "StartInstance --InstanceId hai-stopped1"
    "StartInstance --InstanceId hai-lnchfail"
    "DescribeInstances --InstanceIds [\"hai-stopped1\"] --output text"
    "DescribeInstances --InstanceIds [\"hai-stopped1\"] --output table"
    "DescribeInstances --filter InstanceSet[].InstanceId"
)
same=0; differ=0
for c in "${cases[@]}"; do
    read -r -a words <<<"$c"
    t_out="$(HOME="$home" "$venv/bin/tccli" hai "${words[@]}" --endpoint "$tccli_emu_host" 2>"$work/t.err" | mask || true)"
    h_out="$(HOME="$home" "$hai" "${words[@]}" --endpoint "$hai_emu_host" --ca-bundle "$work/hai_emu.pem" 2>"$work/h.err" | mask || true)"
    if [ "$t_out" == "$h_out" ]; then
        same=$((same + 1)); echo "same    $c"
    else
        differ=$((differ + 1)); echo "DIFFER  $c"
        diff <(echo "$t_out") <(echo "$h_out") | head -20 || true
    fi
    echo "        stderr: tccli: $(mask <"$work/t.err" | tail -n1 | cut -c1-150)"
    echo "        stderr: hai:   $(mask <"$work/h.err" | tail -n1 | cut -c1-150)"
done
echo "$same same, $differ differ"
[ "$differ" -eq 0 ]
