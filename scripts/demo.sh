#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), builds flow, and runs the main job on the built-in demo
# export: `flow run --site jangmyeong`. Extra arguments go to `flow run`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cargo build --release --locked -p flowcli
exec target/release/flow run --site jangmyeong "$@"
