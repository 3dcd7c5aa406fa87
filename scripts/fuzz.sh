#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each one for
# FUZZ_SECONDS (default 60) starting from its committed seed corpus. New
# corpus entries go to a temporary directory, never into the repository.
# A crash leaves its input in build-fuzz/findings/ and fails the script: add
# that input to fuzz/corpus/<target>/ as a regression case once fixed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"

CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DJOURNALDB_BUILD_FUZZERS=ON -DJOURNALDB_BUILD_TESTS=OFF -DJOURNALDB_BUILD_TOOLS=OFF \
  -DJOURNALDB_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" >/dev/null
# Only the fuzz targets and what they link (not the server library, the
# combined libjournaldb or the seed writer).
targets=()
for corpus in "$root"/fuzz/corpus/*/; do targets+=("$(basename "$corpus")"); done
cmake --build "$build_dir" -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}"

mkdir -p "$build_dir/findings"

# fuzz_one TARGET: replays TARGET's committed corpus, then fuzzes it; its
# output goes to $logs/TARGET.log, the status is the exit code.
logs="$(mktemp -d)"
fuzz_one() {
  local target="$1" corpus="$root/fuzz/corpus/$1/" binary="$build_dir/fuzz/$1" flags="" work
  local log="$logs/$target.log"
  [ -x "$binary" ] || { echo "fuzz: no binary for corpus $target" >"$log"; return 1; }
  [ -f "$root/fuzz/options/$target.flags" ] && flags="$(cat "$root/fuzz/options/$target.flags")"
  work="$(mktemp -d)"
  echo "fuzz: $target: replaying $(ls "$corpus" | wc -l) corpus inputs, then fuzzing ${seconds}s" >"$log"
  local status=0
  # Replay first: every committed input (including regression cases) must pass.
  # shellcheck disable=SC2086 # flags are a word list
  if ! "$binary" $flags -runs=0 "$corpus" >"$work/replay.log" 2>&1; then
    tail -30 "$work/replay.log" >>"$log"; echo "fuzz: $target: corpus replay FAILED" >>"$log"; status=1
  elif ! "$binary" $flags -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$build_dir/findings/$target-" "$work" "$corpus" >"$work/fuzz.log" 2>&1; then
    tail -40 "$work/fuzz.log" >>"$log"; echo "fuzz: $target: FINDING, input in $build_dir/findings/" >>"$log"; status=1
  else
    grep -E "stat::number_of_executed_units" "$work/fuzz.log" | sed "s/^/fuzz: $target: /" >>"$log"
  fi
  rm -rf "$work"
  return $status
}

# Each libFuzzer process uses one core: run as many targets at once as there
# are cores, so fuzzing time is spent on every core.
jobs="$(nproc 2>/dev/null || echo 2)"
status=0
pids=() names=()
finish() {  # waits for the oldest running target and prints its log
  wait "${pids[0]}" || status=1
  cat "$logs/${names[0]}.log"
  pids=("${pids[@]:1}") names=("${names[@]:1}")
}
for corpus in "$root"/fuzz/corpus/*/; do
  target="$(basename "$corpus")"
  [ "${#pids[@]}" -lt "$jobs" ] || finish
  fuzz_one "$target" & pids+=($!) names+=("$target")
done
while [ "${#pids[@]}" -gt 0 ]; do finish; done
rm -rf "$logs"
exit $status
