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

std::vector<std::string> RateLimitedLog::TakeSuppressed() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> lines;
  for (auto& [kind, k] : kinds_) {
    if (k.suppressed == 0) continue;
    lines.push_back(
        fmt::format("{}: {} similar lines suppressed since the last one", kind, k.suppressed));
    k.suppressed = 0;
  }
  return lines;
}

}  // namespace journaldb::server
