#!/usr/bin/env bash
# Calls the emulator with Tencent's official Python SDK (tencentcloud-sdk-python-hai) and checks
# it gets the same answers as our SDK: StopInstance success with a TaskId, then the documented
# error codes. Runs once over http and once over https (the emulator's --tls, its certificate
# given to the SDK's HttpProfile as the CA file). Installs the SDK into a private venv under
# target/ (nothing system-wide).
#
#   tests/official-python/check.sh [http|https ...]     (default: http https)
#
# Environment: PYTHON (default python3); HAI_PY_SDK_VERSION to pin another SDK version.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/official-python-sdk"
version="${HAI_PY_SDK_VERSION:-}"

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "tencentcloud-sdk-python-hai${version:+==$version}"
echo "official SDK: $("$venv/bin/python" -m pip show tencentcloud-sdk-python-hai | sed -n 's/^Version: //p')" \
     "(common $("$venv/bin/python" -m pip show tencentcloud-sdk-python-common | sed -n 's/^Version: //p'))"

cargo build --quiet -p hai-emulator --bin hai-emulator
work="$(mktemp -d)"
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

schemes=("$@")
[ ${#schemes[@]} -gt 0 ] || schemes=(http https)
for scheme in "${schemes[@]}"; do
    log="$work/$scheme.log"
    case "$scheme" in
        http) tls=() ;;
        https) tls=(--tls --cert-out "$work/cert.pem") ;;
        *) echo "unknown scheme $scheme (http or https)" >&2; exit 2 ;;
    esac
    "$root/target/debug/hai-emulator" --listen 127.0.0.1:0 "${tls[@]}" >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        grep -q '^TENCENTCLOUD_SECRET_KEY=' "$log" && break
        kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "emulator exited" >&2; exit 1; }
        sleep 0.1
    done
    value() { sed -n "s/^$1=//p" "$log" | head -n1; }
    endpoint="$(value TENCENTCLOUD_ENDPOINT_URL_HAI)"
    echo "emulator: $endpoint"
    ca=()
    [ "$scheme" = https ] && ca=("$work/cert.pem")
    TENCENTCLOUD_SECRET_ID="$(value TENCENTCLOUD_SECRET_ID)" \
    TENCENTCLOUD_SECRET_KEY="$(value TENCENTCLOUD_SECRET_KEY)" \
        "$venv/bin/python" "$here/official_python_check.py" "$endpoint" "${ca[@]}"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
done
