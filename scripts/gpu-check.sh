#!/usr/bin/env bash
# Prepares a check of flow's CUDA path on a GPU machine that has PyTorch 2.11.0 and no network
# (this workplace's device machines): builds `flow` against PyPI's torch==2.11.0 here and puts it,
# with scripts/gpu-run.sh and scripts/gpu-many-core.sh, in .gpucheck/ (git-ignored). Then run
# there, carrying `.gpucheck`:
#     bash .gpucheck/gpu-run.sh; bash .gpucheck/gpu-many-core.sh
# tch 0.26's C++ shim is generated for libtorch 2.13.0; the ops 2.11.0 lacks (about 15 attention,
# philox and lanczos ops, none used by flow) are stubbed out in a vendored copy of torch-sys inside
# a temporary clone of the committed tree. The repository and its normal build are not touched.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
venv="$HOME/.cache/flow/torch-2.11.0"
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q torch==2.11.0; }
torch=$("$venv/bin/python" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/flow"
cp -r "$(ls -d "$HOME"/.cargo/registry/src/*/torch-sys-0.26.0 | head -1)" "$work/flow/vendor-torch-sys"
printf '\n[patch.crates-io]\ntorch-sys = { path = "vendor-torch-sys" }\n' >> "$work/flow/Cargo.toml"
build() {
  (cd "$work/flow" && LIBTORCH="$torch" LIBTORCH_BYPASS_VERSION_CHECK=1 \
    CARGO_TARGET_DIR="$HOME/.cache/flow/target-torch-2.11.0" cargo build --release -p flowcli) > "$work/build.log" 2>&1
}
if ! build; then
  python3 - "$work/build.log" "$work/flow/vendor-torch-sys/libtch/torch_api_generated.cpp" <<'PY'
import re, sys
log, source = sys.argv[1], sys.argv[2]
lines = open(source).read().split("\n")
errors = {int(n) for n in re.findall(r"torch_api_generated\.cpp:(\d+):\d+: error", open(log).read())}
if not errors:
    sys.exit(open(log).read()[-3000:])
spans = set()
for line in errors:
    start = line - 1
    while not lines[start].startswith("void atg_"):
        start -= 1
    end = line - 1
    while lines[end] != "}":
        end += 1
    spans.add((start, end))
for start, end in sorted(spans, reverse=True):
    lines[start:end + 1] = [lines[start], "}"]  # an empty body: the symbol stays, flow never calls it
open(source, "w").write("\n".join(lines))
print(f"stubbed {len(spans)} ops libtorch 2.11 lacks")
PY
  build || { tail -30 "$work/build.log"; exit 1; }
fi
mkdir -p .gpucheck
cp "$HOME/.cache/flow/target-torch-2.11.0/release/flow" .gpucheck/flow
cp scripts/gpu-run.sh scripts/gpu-many-core.sh .gpucheck/
# The many-core timings read the BWDF inflows; they travel with the binary when present here.
[ -f ../shared/data/bwdf/inflows.csv ] && cp ../shared/data/bwdf/inflows.csv .gpucheck/
echo "ready: .gpucheck/flow ($(du -h .gpucheck/flow | cut -f1)); run 'bash .gpucheck/gpu-run.sh' (and 'bash .gpucheck/gpu-many-core.sh') on the GPU machine, carrying .gpucheck"
