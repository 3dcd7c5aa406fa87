#include "rss.h"

#include <sys/resource.h>

namespace journaldb::bench {

uint64_t PeakRssKib() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<uint64_t>(usage.ru_maxrss);
}

}  // namespace journaldb::bench
