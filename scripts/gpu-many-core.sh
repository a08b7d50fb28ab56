#!/usr/bin/env bash
# Many-core timings on a lent GPU machine (see scripts/gpu-check.sh, which builds the binary it
# runs): `flow run --sites all` on the demo export and the BWDF commands of docs/PERFORMANCE.md,
# each three times, on all cores and on two (the development machine's count, by `taskset`), so
# the two figures come from one machine and one run.
# Needs the BWDF inflows copied beside the binary: cp ../shared/data/bwdf/inflows.csv .gpucheck/
# The origins are weeks other than the four BWDF evaluation weeks (those are held out).
set -u
B="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
T=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')
export LD_LIBRARY_PATH="$T/lib"
F="$B/flow"
I="$B/inflows.csv"
lscpu | grep -E "Model name|^CPU\(s\)"
W=$(mktemp -d); cd "$W"
export FLOW_CACHE_DIR="$W/cache"
ORIGINS=2022-03-07,2022-05-02,2022-09-05,2022-12-05
run() { # name cpus command...
  local name=$1 cpus=$2; shift 2
  for i in 1 2 3; do
    local start=$(date +%s%N)
    taskset -c "$cpus" "$@" > "out-$name-$i.log" 2>&1
    local rc=$? end=$(date +%s%N)
    local ms=$(( (end - start) / 1000000 ))
    printf '%-28s cpus %-6s run %d rc %d wall %d.%03d s\n' "$name" "$cpus" "$i" "$rc" $((ms / 1000)) $((ms % 1000))
  done
}
"$F" demo-data > /dev/null
all="0-$(($(nproc) - 1))"
for cpus in "$all" 0-1; do
  run run-demo-sites-all "$cpus" "$F" run --sites all --device cpu --output-dir "o-run"
  run forecast-bwdf-sites-all "$cpus" "$F" forecast --input "$I" --sites all --output-dir "o-forecast"
  run backtest-bwdf-10x4 "$cpus" "$F" backtest --input "$I" --sites all --origins "$ORIGINS" --output-dir "o-backtest"
  run night-bwdf-sites-all "$cpus" "$F" night --input "$I" --sites all --output-dir "o-night"
done
grep -h "PI1\|mean over" out-backtest-bwdf-10x4-1.log | tail -3
if [ -n "${OUT:-}" ]; then cp out-*-1.log "$OUT/"; fi
