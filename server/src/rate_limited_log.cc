#include "rate_limited_log.h"

#include <fmt/format.h>

namespace journaldb::server {

std::optional<std::string> RateLimitedLog::Admit(const char* kind, std::string line) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, first] = kinds_.try_emplace(kind);
  Kind& k = it->second;
  if (!first && now - k.last_logged < interval_) {
    ++k.suppressed;
    return std::nullopt;
  }
  if (k.suppressed > 0) line += fmt::format(" ({} similar suppressed)", k.suppressed);
  k.last_logged = now;
  k.suppressed = 0;
  return line;
}

}  // namespace journaldb::server
