// Peak resident set size of this process, the memory figure every workload
// reports, and the malloc behind it.
#ifndef JOURNALDB_TOOLS_BENCH_RSS_H_
#define JOURNALDB_TOOLS_BENCH_RSS_H_

#include <cstdint>
#include <string>

namespace journaldb::bench {

// getrusage(RUSAGE_SELF).ru_maxrss: the high-water mark since the process
// started, in KiB (Linux reports KiB).
uint64_t PeakRssKib();

// "tcmalloc", "jemalloc" or "glibc" (else the file's name): the malloc this
// process runs on, linked (cmake/JournaldbAllocator.cmake) or preloaded
// (LD_PRELOAD), named by the file that defines the malloc calls reach. Rates
// and RSS depend on it.
std::string AllocatorName();

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_RSS_H_
