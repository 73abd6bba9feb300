#!/usr/bin/env bash
# The CVM client as a user's own crate would have it: this example copied into a scratch
# crate outside the workspace (its own `[workspace]`), generating the WHOLE of CVM 2017-03-12
# from tccli's api.json in its build script, on hai-runtime alone. It checks that the
# dependency tree holds no HAI code, runs the signed-call tests against the full client, and
# times clean builds (`cargo build --timings`) with 3 selected actions and with all 106.
#
# Not part of CI: it downloads tccli and builds twice from clean. Usage:
#   examples/cvm-client/scratch.sh            # everything
#   SKIP_TIMINGS=1 examples/cvm-client/scratch.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$repo/target/cvm-scratch"
tccli_version=3.1.189.1
mkdir -p "$work"

api="$work/tccli/tccli/services/cvm/v20170312/api.json"
if [ ! -f "$api" ]; then
    python3 -m pip download --quiet --no-deps "tccli==$tccli_version" -d "$work/tccli"
    unzip -q -o "$work/tccli/tccli-$tccli_version-py2.py3-none-any.whl" -d "$work/tccli"
fi

crate="$work/cvm-app"
rm -rf "$crate"
mkdir -p "$crate"
cp -r "$repo/examples/cvm-client/"{build.rs,src,tests,api} "$crate/"
cat > "$crate/Cargo.toml" <<TOML
[package]
name = "cvm-app"
version = "0.1.0"
edition = "2021"
publish = false

# Outside the hai-rs workspace: a crate of its own, as a user's would be.
[workspace]

[lib]
name = "cvm_client_example"

[dependencies]
hai-runtime = { path = "$repo/hai-runtime" }

[build-dependencies]
hai-codegen = { path = "$repo/hai-codegen" }

[dev-dependencies]
tokio = { version = "1", features = ["rt", "macros", "time", "net", "io-util"] }
sha2 = "0.10"
hmac = "0.12"
serde_json = "1"
TOML
# The same dependency versions as the workspace.
cp "$repo/Cargo.lock" "$crate/Cargo.lock"
cd "$crate"
export CVM_API_JSON="$api"

echo "== dependency tree (normal dependencies)"
cargo tree -e normal --prefix none | sort -u > "$work/tree.txt"
if grep -E '^hai-(sdk|emulator|cli)' "$work/tree.txt"; then
    echo "FAIL: the CVM client depends on HAI code" >&2
    exit 1
fi
grep -E '^hai-' "$work/tree.txt"
echo "no hai-sdk in the tree"

echo "== the whole of CVM: signed-call tests (plain method syntax on cvm::Client)"
cargo test --quiet 2>&1 | tail -n 5

lines() { wc -l < "$(find "$1" -name cvm.rs -path '*cvm-app*' | head -n 1)"; }

if [ -z "${SKIP_TIMINGS:-}" ]; then
    for mode in 3 all; do
        if [ "$mode" = 3 ]; then
            export CVM_ACTIONS=DescribeInstances,StartInstances,StopInstances
        else
            unset CVM_ACTIONS
        fi
        target="$work/target-$mode"
        rm -rf "$target"
        echo "== clean build, $mode actions"
        start=$(date +%s.%N)
        CARGO_TARGET_DIR="$target" cargo build --timings --lib 2>&1 | tail -n 1
        end=$(date +%s.%N)
        report="$(ls "$target"/cargo-timings/cargo-timing-*.html | head -n 1)"
        cp "$report" "$work/timings-$mode.html"
        echo "generated lines: $(lines "$target")"
        echo "wall time: $(echo "$end - $start" | bc) s; report: $work/timings-$mode.html"
        # The generated crate's own unit: "cvm-app" in the report's unit table.
        python3 - "$report" <<'PY'
import json, re, sys
html = open(sys.argv[1]).read()
m = re.search(r"const UNIT_DATA = (\[.*?\]);", html, re.S)
units = json.loads(m.group(1)) if m else []
for u in units:
    if u.get("name") in ("cvm-app",) and u.get("target", "").strip() in ("", "lib"):
        print(f"cvm-app (lib) compiled in {u['duration']:.2f} s")
    if u.get("name") in ("cvm-app",) and "build script" in u.get("target", ""):
        print(f"cvm-app {u['target'].strip()}: {u['duration']:.2f} s")
print(f"{len(units)} units")
PY
    done
fi
