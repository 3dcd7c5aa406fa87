#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. install the Debian packages (idempotent);
#   2. build and run every test (unit, property, crash, install, end-to-end);
#   3. run every libFuzzer target for FUZZ_SECONDS (20 here; fuzz.sh alone: 60) after
#      replaying its corpus;
#   4. build the tests again with ASan + UBSan and run them, with smaller
#      budgets for the randomized and SIGKILL tests (see docs/testing.md).
# Set JOURNALDB_SKIP_SANITIZE=1 or JOURNALDB_SKIP_FUZZ=1 to skip a stage locally.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
start=$SECONDS
stage() { echo; echo "=== $1 (at $((SECONDS - start))s)"; }

stage "dependencies"
"$root/scripts/install-deps.sh"

# CI builds keep line tables only (-g1): enough for every backtrace and
# sanitizer report, and a quarter less compile time than full -g.
stage "build"
"$root/scripts/build.sh" "$root/build" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"

stage "tests"
# Four at a time on two cores: these tests wait on servers, sockets and
# fsyncs (two at a time kept the cores 60% busy); the sanitizer stage below
# is CPU-bound and keeps two (docs/testing.md, "How long each part runs").
(cd "$root/build" && ctest --output-on-failure -j 4)

if [ "${JOURNALDB_SKIP_FUZZ:-0}" != 1 ]; then
  stage "fuzz"
  # 20 s per target here (60 s when fuzz.sh runs alone): CI's time budget.
  FUZZ_SECONDS="${FUZZ_SECONDS:-20}" "$root/scripts/fuzz.sh"
fi

if [ "${JOURNALDB_SKIP_SANITIZE:-0}" != 1 ]; then
  stage "sanitizer build (ASan + UBSan)"
  # Without journal-bench (31 files): a benchmark, not product code; its
  # command line is tested in the tests stage.
  CC=clang-14 CXX=clang++-14 BUILD_TYPE=RelWithDebInfo \
    "$root/scripts/build.sh" "$root/build-asan" -DJOURNALDB_SANITIZE=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only -DNDEBUG" \
    -DJOURNALDB_MODEL_TEST_PARAMS=max_success=15 -DJOURNALDB_NODES_PROPERTY_PARAMS=max_success=5 \
    -DJOURNALDB_BUILD_BENCH=OFF
  stage "tests under ASan + UBSan"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # The same paths with a shallower random search: the tests stage ran the
  # full budgets; this one looks for memory errors and UB on those paths.
  export RC_PARAMS=max_success=10 JOURNALDB_CRASH_KILLS=25 JOURNALDB_REPLAY_KILLS=30 \
    JOURNALDB_FAULT_RUNS=25
  # Not again under ASan: the install test (an installed package, no new
  # code paths) and every second run on PostgreSQL (`*_on_postgres`: sync,
  # reset and model tests; the store's code runs under ASan in the other
  # `postgres` tests).
  (cd "$root/build-asan" && ctest --output-on-failure -j 2 -E 'install_consumer|_on_postgres$')
fi
stage "done"
