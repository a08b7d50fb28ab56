#!/usr/bin/env bash
# Sets up everything flow needs on a fresh Debian machine with Rust and python3:
# a venv holding PyPI's torch==2.13.0 (the libtorch that tch 0.26 links against),
# kept in a per-user cache keyed by the torch version so that clean clones reuse it,
# and the link .libtorch to it, which .cargo/config.toml hands to tch's build as LIBTORCH.
# Binaries and tests get an rpath to it (build.rs), so nothing needs exporting by hand.
# Idempotent: a second run takes well under a second.
set -euo pipefail

TORCH_VERSION=2.13.0
cache_root="${FLOW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flow}"
venv="$cache_root/torch-$TORCH_VERSION"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v cargo >/dev/null 2>&1 || { echo "setup: cargo not found: install Rust first (https://rustup.rs)" >&2; exit 1; }
py="${PYTHON:-python3}"
command -v "$py" >/dev/null 2>&1 || { echo "setup: $py not found: install python3" >&2; exit 1; }
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating venv $venv" >&2
  mkdir -p "$cache_root"
  if ! "$py" -m venv "$venv" 2>/dev/null; then
    # Debian's python3 lacks ensurepip unless python3-venv is installed.
    if command -v apt-get >/dev/null 2>&1; then
      $as_root apt-get update -qq && $as_root apt-get install -y -qq python3-venv >/dev/null
    fi
    rm -rf "$venv"
    "$py" -m venv "$venv"
  fi
fi

site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
# The dist-info folder names the installed version without importing torch (which takes seconds).
if [ ! -d "$site/torch-$TORCH_VERSION.dist-info" ] || [ ! -f "$site/torch/lib/libtorch_cpu.so" ]; then
  # --no-cache-dir: a copy of the wheels in pip's cache would add gigabytes for nothing.
  echo "setup: installing torch==$TORCH_VERSION into $venv (about 4.7 GB, a minute or two)" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir "torch==$TORCH_VERSION"
fi
libtorch="$site/torch"
[ -f "$libtorch/lib/libtorch_cpu.so" ] || { echo "setup: no libtorch_cpu.so under $libtorch/lib" >&2; exit 1; }

# .cargo/config.toml points LIBTORCH at this link, so plain cargo commands find libtorch.
ln -sfn "$libtorch" "$here/../.libtorch"
echo "setup: libtorch at $libtorch (linked as .libtorch)" >&2
