#include "rate_limited_log.h"

#include <fmt/format.h>

namespace journaldb::server {

std::optional<std::string> RateLimitedLog::Admit(const char* kind, std::string line,
                                                 std::chrono::steady_clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, first] = kinds_.try_emplace(kind);
  Kind& k = it->second;
  if (first || now - k.interval_start >= interval_) {
    k.interval_start = now;
    k.logged = 0;
  }
  if (k.logged >= per_interval_) {
    ++k.suppressed;
    return std::nullopt;
  }
  ++k.logged;
  if (k.suppressed > 0) line += fmt::format(" ({} similar suppressed)", k.suppressed);
  k.suppressed = 0;
  return line;
}

}  // namespace journaldb::server
