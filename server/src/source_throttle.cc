#include "source_throttle.h"

namespace journaldb::server {

namespace {
// Past this many tracked sources, ended windows are dropped on the next failure.
constexpr size_t kPruneAbove = 4096;
}  // namespace

bool SourceThrottle::Blocked(const std::string& source) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = windows_.find(source);
  if (it == windows_.end()) return false;
  if (Clock::now() - it->second.start >= window_) {
    windows_.erase(it);
    return false;
  }
  return it->second.failures >= max_failures_;
}

uint32_t SourceThrottle::RecordFailure(const std::string& source) {
  Clock::time_point now = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (windows_.size() > kPruneAbove) DropEnded(now);
  Window& w = windows_[source];
  if (w.failures == 0 || now - w.start >= window_) w = Window{now, 0};
  return ++w.failures;
}

void SourceThrottle::DropEnded(Clock::time_point now) {
  std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= window_; });
}

}  // namespace journaldb::server
