#!/usr/bin/env bash
# Route 2 of the README, as written: a scratch crate beside this repository (reached as
# ../hai-rs, as the README assumes) with the README's Cargo.toml, src/main.rs and
# hai-codegen commands; it must build with no warnings, pass `cargo fmt --check`, and
# `hai-codegen --check` must find the tree fresh. Not part of CI: it downloads tccli's
# package (for CVM's api.json) unless CVM_API_JSON names the file.
#
#   examples/route2/check.sh                 # download tccli 3.1.189.1
#   CVM_API_JSON=path/to/api.json examples/route2/check.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
ln -s "$repo" "$scratch/hai-rs"
crate="$scratch/my-cvm-tool"
mkdir -p "$crate/src"

# The README's blocks of the "Route 2" section: the Cargo.toml, the commands, src/main.rs.
python3 - "$repo/README.md" "$crate" <<'PY'
import re, sys, pathlib
text = pathlib.Path(sys.argv[1]).read_text()
section = text.split("### Route 2", 1)[1].split("\n### ", 1)[0]
blocks = re.findall(r"```([a-z,]*)\n(.*?)```", section, re.S)
crate = pathlib.Path(sys.argv[2])
toml = [b for lang, b in blocks if lang == "toml"]
rust = [b for lang, b in blocks if lang.startswith("rust") and b.startswith("// src/main.rs")]
sh = [b for lang, b in blocks if lang == "sh"]
assert len(toml) == 1 and len(rust) == 1 and len(sh) == 1, "Route 2 holds one toml, one main.rs and one sh block"
# Outside this workspace: a workspace of its own.
(crate / "Cargo.toml").write_text(toml[0] + "\n[workspace]\n")
(crate / "src/main.rs").write_text(rust[0])
(crate / "commands.sh").write_text(sh[0].replace("\\\n", " "))
PY

echo "== hai-codegen (built from this checkout)"
cargo build --quiet --manifest-path "$repo/Cargo.toml" -p hai-codegen
export PATH="$repo/target/debug:$PATH"

cd "$crate"
mkdir -p api
if [ -n "${CVM_API_JSON:-}" ]; then
    cp "$CVM_API_JSON" api/cvm-2017-03-12.api.json
else
    python3 -m pip download --quiet --no-deps tccli==3.1.189.1 -d tccli
    unzip -q -o tccli/tccli-3.1.189.1-py2.py3-none-any.whl -d tccli
    cp tccli/tccli/services/cvm/v20170312/api.json api/cvm-2017-03-12.api.json
fi

# The README's commands, in order: `cargo install` is what the PATH above already did, and
# `cargo run` needs credentials, so the build stands in for it.
while IFS= read -r line; do
    line="${line%%#*}"
    [ -z "${line// }" ] && continue
    case "$line" in
        "cargo install"*) echo "== $line (hai-codegen is on PATH)" ;;
        "cargo run"*)
            echo "== cargo build (for: $line)"
            cargo build --message-format short 2> build.log || { cat build.log; exit 1; }
            warnings=$(grep -c "warning" build.log || true)
            grep "warning" build.log || true
            echo "route 2: build finished with $warnings warning line(s)"
            [ "$warnings" -eq 0 ] || { echo "FAIL: warnings"; exit 1; }
            ;;
        *) echo "== $line"; eval "$line" ;;
    esac
done < commands.sh

echo "== cargo fmt --check"
cargo fmt --check
echo "route 2: ok (no warnings, cargo fmt --check clean, hai-codegen --check fresh)"
