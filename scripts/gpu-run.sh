#!/usr/bin/env bash
# Runs on the GPU machine (see scripts/gpu-check.sh): flow on the demo export with --device cuda,
# cpu and cuda again (the second CUDA run is the warm one), the original preset on CUDA and the
# device `auto` picks; copies the reports and anomaly lists to $OUT when it is set.
T=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')
export LD_LIBRARY_PATH="$T/lib"
F="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/flow"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
lscpu | grep -E "Model name|^CPU\(s\)"
W=$(mktemp -d); cd "$W"
export FLOW_CACHE_DIR="$W/cache" TIMEFORMAT="wall %R s"
time "$F" demo-data > /dev/null
for device in cuda cpu cuda; do
  echo "=== flow run --device $device"
  time "$F" run --site jangmyeong --device "$device" --output-dir "out-$device" 2>&1 | grep -vE "^  20|^written|^                 "
done
echo "=== original preset on cuda"
"$F" run --site jangmyeong --device cuda --preset original --output-dir out-original 2>&1 | grep -E "device|RMSE|anomal|^total"
echo "=== auto"
"$F" train --site jangmyeong --output-dir out-auto 2>&1 | grep -E "device|RMSE"
if [ -n "${OUT:-}" ]; then
  for device in cuda cpu; do
    cp "out-$device/jangmyeong/report.json" "$OUT/report-$device.json"
    cp "out-$device/jangmyeong/Prediction/abnormal.csv" "$OUT/abnormal-$device.csv"
  done
  cp out-cuda/jangmyeong/Learning_lstm/lstm_performance_graph.png "$OUT/graph-cuda.png"
fi
