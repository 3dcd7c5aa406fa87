// RateLimitedLog: events of one kind (an accept error, a refused connection)
// logged at most `per_interval` times per interval (once by default), the
// next line logged saying how many were held back,
// so a flood of events can neither flood the log nor keep a core busy
// writing it.
//
//   RateLimitedLog limited;
//   if (auto line = limited.Admit("accept", "accept failed: ...")) Log(*line);
//
// Thread safety: Admit may be called from any thread.
#ifndef JOURNALDB_SERVER_RATE_LIMITED_LOG_H_
#define JOURNALDB_SERVER_RATE_LIMITED_LOG_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace journaldb::server {

class RateLimitedLog {
 public:
  explicit RateLimitedLog(std::chrono::milliseconds interval = std::chrono::seconds(1),
                          uint32_t per_interval = 1)
      : interval_(interval), per_interval_(per_interval) {}

  // `line` (with the count of `kind` events suppressed since the last one
  // logged) if fewer than `per_interval` `kind` lines were logged in the
  // current interval (which begins with the first line after the last
  // ended); nullopt otherwise. `kind` is one of a few fixed names, never
  // peer data.
  std::optional<std::string> Admit(const char* kind, std::string line) {
    return Admit(kind, std::move(line), std::chrono::steady_clock::now());
  }
  // The same at time `now` (tests pass their own clock).
  std::optional<std::string> Admit(const char* kind, std::string line,
                                   std::chrono::steady_clock::time_point now);

  // One line per kind with events held back since its last line, saying how
  // many, in kind order; those counts start again from zero. At the end
  // (the server stops), so a flood's tail is not lost with it.
  std::vector<std::string> TakeSuppressed();

 private:
  struct Kind {
    std::chrono::steady_clock::time_point interval_start;
    uint32_t logged = 0;  // in the interval
    uint64_t suppressed = 0;
  };
  const std::chrono::milliseconds interval_;
  const uint32_t per_interval_;
  std::mutex mu_;
  std::map<std::string, Kind> kinds_;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_RATE_LIMITED_LOG_H_
