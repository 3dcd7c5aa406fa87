#include "registration_sweeper.h"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "journaldb/journal/wall_clock.h"

namespace journaldb::server {

Result<uint64_t> ExpireUnusedRegistrations(ServerStorage& store, uint64_t age_seconds) {
  // An age longer than the clock has run: no registration is that old.
  std::optional<int64_t> cutoff = MicrosAgo(age_seconds);
  if (!cutoff) return uint64_t{0};
  return store.RemoveUnusedRegistrations(*cutoff);
}

std::chrono::seconds SweepInterval(uint64_t age_seconds) {
  constexpr uint64_t kMin = 1, kMax = 3600;
  return std::chrono::seconds(std::clamp<uint64_t>(age_seconds / 4, kMin, kMax));
}

std::chrono::milliseconds RegisteringConnectionMarksUsedAfter(uint64_t age_seconds) {
  constexpr uint64_t kMaxSeconds = std::chrono::milliseconds::max().count() / 1000;
  return std::chrono::milliseconds(std::min(age_seconds, kMaxSeconds) * 500);
}

Result<std::unique_ptr<RegistrationSweeper>> RegistrationSweeper::Start(
    ServerStorage* store, uint64_t age_seconds, std::function<void(const std::string&)> log) {
  std::unique_ptr<RegistrationSweeper> s(
      new RegistrationSweeper(store, age_seconds, std::move(log)));
  s->SweepOnce();
  try {
    s->thread_ = std::thread([p = s.get()] { p->Loop(); });
  } catch (const std::system_error& e) {
    return Status::IOError(
        fmt::format("server: cannot start the registration sweeper: {}", e.what()));
  }
  return s;
}

RegistrationSweeper::~RegistrationSweeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RegistrationSweeper::SweepOnce() {
  // Out of memory (std::bad_alloc): this sweep fails, the next one runs. An
  // exception leaving the thread would end the process.
  try {
    Result<uint64_t> removed = ExpireUnusedRegistrations(*store_, age_seconds_);
    if (!removed.ok())
      log_(fmt::format("expire registrations failed: {}", removed.status().ToString()));
    else if (*removed > 0)
      log_(fmt::format(
          "expire registrations: removed {} registered more than {} s ago and never used", *removed,
          age_seconds_));
  } catch (const std::exception& e) {
    try {
      log_(fmt::format("expire registrations failed: {}", e.what()));
    } catch (const std::exception&) {
      // Out of memory again: the line is lost.
    }
  }
}

void RegistrationSweeper::Loop() {
  const std::chrono::seconds interval = SweepInterval(age_seconds_);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_cv_.wait_for(lock, interval, [&] { return stop_; })) {
    lock.unlock();
    SweepOnce();
    lock.lock();
  }
}

}  // namespace journaldb::server
