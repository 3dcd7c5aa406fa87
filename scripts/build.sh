#!/usr/bin/env bash
# Configures and builds journaldb into a build directory.
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${1:-$root/build}"
shift || true
jobs="$(nproc 2>/dev/null || echo 2)"
# Linked by lld where it is installed (scripts/install-deps.sh installs it): a
# test binary links in a third of the default linker's time or less. LDFLAGS
# still apply; arguments given here come later and win.
linker="${LDFLAGS:-}"
if command -v ld.lld >/dev/null; then linker="${linker:+$linker }-fuse-ld=lld"; fi
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DCMAKE_EXE_LINKER_FLAGS="$linker" -DCMAKE_SHARED_LINKER_FLAGS="$linker" "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
