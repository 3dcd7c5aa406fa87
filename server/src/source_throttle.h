// SourceThrottle: counts failures (wrong tokens) per source address in a
// fixed window; a source past the limit is refused until its window ends,
// so guessing a token costs a guesser a window per few guesses.
//
//   SourceThrottle throttle(10, std::chrono::minutes(1));
//   if (throttle.Blocked(ip)) return Refuse("too many wrong tokens");
//   if (wrong) throttle.RecordFailure(ip);
//
// Thread safety: all methods may be called from any thread.
#ifndef JOURNALDB_SERVER_SOURCE_THROTTLE_H_
#define JOURNALDB_SERVER_SOURCE_THROTTLE_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace journaldb::server {

class SourceThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  SourceThrottle(uint32_t max_failures, Clock::duration window)
      : max_failures_(max_failures), window_(window) {}

  // True if `source` had max_failures failures in its current window.
  bool Blocked(const std::string& source);
  // Counts a failure of `source`; returns its count in the current window.
  uint32_t RecordFailure(const std::string& source);

 private:
  struct Window {
    Clock::time_point start;
    uint32_t failures = 0;
  };
  // Forgets windows that ended, so many sources cannot grow the map for good.
  void DropEnded(Clock::time_point now);

  const uint32_t max_failures_;
  const Clock::duration window_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SOURCE_THROTTLE_H_
