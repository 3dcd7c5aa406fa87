// Median of a set of measurements, the figure the summary lines report.
#ifndef JOURNALDB_TOOLS_BENCH_MEDIAN_H_
#define JOURNALDB_TOOLS_BENCH_MEDIAN_H_

#include <algorithm>
#include <vector>

namespace journaldb::bench {

// The middle value; the mean of the two middle ones for an even count.
// REQUIRES: `v` is not empty.
template <typename T>
T Median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_MEDIAN_H_
