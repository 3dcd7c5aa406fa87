// Peak resident set size of this process, the memory figure every workload
// reports.
#ifndef JOURNALDB_TOOLS_BENCH_RSS_H_
#define JOURNALDB_TOOLS_BENCH_RSS_H_

#include <cstdint>

namespace journaldb::bench {

// getrusage(RUSAGE_SELF).ru_maxrss: the high-water mark since the process
// started, in KiB (Linux reports KiB).
uint64_t PeakRssKib();

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_RSS_H_
