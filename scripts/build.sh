#!/usr/bin/env bash
# Configures and builds journaldb into a build directory.
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${1:-$root/build}"
shift || true
jobs="$(nproc 2>/dev/null || echo 2)"
# Linked by lld (scripts/install-deps.sh installs it): a test binary links in
# a third of the default linker's time or less. Arguments given here come
# later and win.
lld=-fuse-ld=lld
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DCMAKE_EXE_LINKER_FLAGS="$lld" -DCMAKE_SHARED_LINKER_FLAGS="$lld" "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
