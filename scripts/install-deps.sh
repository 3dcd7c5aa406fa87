#!/usr/bin/env bash
# Installs the Debian 12 packages journaldb builds and tests with (lld links
# them, python3 runs tests/tools/bench_report_test.py), and any packages named
# as arguments
# (scripts/bench.sh adds gnuplot-nox). Idempotent: does nothing when everything
# is present. Needs root (apt-get).
#   scripts/install-deps.sh [EXTRA_PACKAGE...]
set -euo pipefail

packages=(
  build-essential cmake git pkg-config
  librocksdb-dev libflatbuffers-dev flatbuffers-compiler
  libboost-filesystem-dev libfmt-dev libgtest-dev librapidcheck-dev
  clang-14 libclang-rt-14-dev lld
  libsqlite3-dev libcli11-dev
  libssl-dev openssl
  libgoogle-perftools-dev
  postgresql libpq-dev
  python3
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root to install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
