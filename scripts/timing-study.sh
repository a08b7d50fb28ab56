#!/usr/bin/env bash
# Redoes the utility's timing study with flow: `flow run --site jangmyeong` on the 527,041-row demo
# export, RUNS times (default 5) after one first run, printing each stage's median wall time, CPU and
# peak memory (from report.json) and the process's peak RSS and wall time (GNU time).
# Usage: scripts/timing-study.sh [RUNS] [extra flow run flags…]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-5}"; shift || true
bash scripts/setup.sh >/dev/null 2>&1
cargo build --release --locked -p flowcli >/dev/null 2>&1
flow="$PWD/target/release/flow"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cd "$work"
"$flow" demo-data >/dev/null            # generate the cached demo export outside the timed runs
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$flow" run --site jangmyeong "$@" >/dev/null
  python3 - "$work/Output/jangmyeong/report.json" "$work/time.txt" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
wall, rss_kb = open(sys.argv[2]).read().split()
row = {s["stage"]: (s["seconds"], s["cpu_percent"], s["peak_rss_bytes"] / 1e9) for s in report["profile"]}
row["process"] = (float(wall), 0.0, int(rss_kb) * 1024 / 1e9)
print(json.dumps(row))
PY
}
echo "first run:"; measure "$@" | tee "$work/first.json"
for _ in $(seq "$runs"); do measure "$@"; done > "$work/repeat.jsonl"
python3 - "$work/repeat.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print(f"repeated runs: {len(rows)}; medians")
print(f"{'stage':<12} {'wall s':>8} {'CPU %':>7} {'peak GB':>8}")
for stage in rows[0]:
    wall = statistics.median(r[stage][0] for r in rows)
    cpu = statistics.median(r[stage][1] for r in rows)
    mem = statistics.median(r[stage][2] for r in rows)
    print(f"{stage:<12} {wall:>8.3f} {cpu:>7.0f} {mem:>8.3f}")
PY
