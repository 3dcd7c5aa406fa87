// TimedThreads: splits `ops` operations over `threads` threads and times them
// from the moment all threads are started until the last one finished.
#ifndef JOURNALDB_TOOLS_BENCH_TIMED_THREADS_H_
#define JOURNALDB_TOOLS_BENCH_TIMED_THREADS_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "child_run.h"
#include "journaldb/status.h"

namespace journaldb::bench {

// Performs operations [begin, end). Should return early once `stop` is set
// (another thread failed).
using RangeFn = std::function<Status(uint64_t begin, uint64_t end, const std::atomic<bool>& stop)>;

// Thread t gets the t-th of `threads` contiguous ranges of [0, ops). The first
// failure is the result.
Result<RunResult> TimedThreads(uint64_t ops, int threads, const RangeFn& fn);

// CPU seconds the calling thread has used so far.
double ThreadCpuSeconds();

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_TIMED_THREADS_H_
