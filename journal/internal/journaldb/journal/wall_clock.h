// The wall clock as the journal records it: microseconds since the Unix
// epoch (commit times, reset and snapshot times, retention ages). Internal:
// not installed.
#ifndef JOURNALDB_JOURNAL_WALL_CLOCK_H_
#define JOURNALDB_JOURNAL_WALL_CLOCK_H_

#include <chrono>
#include <cstdint>
#include <optional>

namespace journaldb {

inline int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The wall-clock time `age_seconds` ago, or nullopt if that is before the
// epoch: an age longer than the clock has run (up to 2^64-1 s, as options
// and operators may give), which nothing recorded is older than. Computed as
// now - age * 10^6 in int64 it would wrap to a time in the future, and
// everything would look old.
inline std::optional<int64_t> MicrosAgo(uint64_t age_seconds) {
  constexpr int64_t kMicrosPerSecond = 1000000;
  const int64_t now = NowMicros();
  if (now < 0 || age_seconds > static_cast<uint64_t>(now / kMicrosPerSecond)) return std::nullopt;
  return now - static_cast<int64_t>(age_seconds) * kMicrosPerSecond;
}

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_WALL_CLOCK_H_
