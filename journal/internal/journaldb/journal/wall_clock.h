// The wall clock as the journal records it: microseconds since the Unix
// epoch (commit times, reset and snapshot times, retention ages). Internal:
// not installed.
#ifndef JOURNALDB_JOURNAL_WALL_CLOCK_H_
#define JOURNALDB_JOURNAL_WALL_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace journaldb {

inline int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_WALL_CLOCK_H_
