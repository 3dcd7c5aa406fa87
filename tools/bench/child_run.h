// RunInChild: runs one measurement in a forked child process and brings its
// result back through a pipe. Each run so starts from a fresh heap and no
// leftover RocksDB threads, and its peak RSS is its own, not the high-water
// mark of earlier runs in the same process.
//
// REQUIRES: the calling process runs no RocksDB (or other) threads: forking a
// multi-threaded process is unsafe. The parent of all runs only parses,
// prints and waits.
#ifndef JOURNALDB_TOOLS_BENCH_CHILD_RUN_H_
#define JOURNALDB_TOOLS_BENCH_CHILD_RUN_H_

#include <cstdint>
#include <functional>

#include "journaldb/status.h"

namespace journaldb::bench {

struct RunResult {
  uint64_t ops = 0;
  double seconds = 0;  // the timed region only (no open, close or set-up)
  // CPU time the committing threads spent in the timed region, summed. Unlike
  // `seconds` it does not grow while other processes hold the CPU, so it
  // stays comparable on a shared machine (background flushes are not in it).
  double cpu_seconds = 0;
  uint64_t peak_rss_kib = 0;
  // Encoded journal bytes the run committed, and its largest entry's
  // (list-insert: a list op's before-image is the whole list).
  uint64_t journal_bytes = 0;
  uint64_t largest_entry_bytes = 0;
  double ops_per_s() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
};

using RunFn = std::function<Result<RunResult>()>;

// Runs `fn` in a child; the child fills in peak_rss_kib. A child that fails
// or dies yields an error status naming why.
Result<RunResult> RunInChild(const RunFn& fn);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_CHILD_RUN_H_
