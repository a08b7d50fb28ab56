#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs every test of the workspace: unit, integration,
# CLI, property (fuzz) and documentation tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cargo test --workspace --locked
