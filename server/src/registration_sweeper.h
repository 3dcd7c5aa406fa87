// RegistrationSweeper: removes registrations that were never used (no hello
// with the client's id and no upload since it registered) once they are
// older than an age (docs/server.md, "Registrations"). The server runs one:
// a sweep when it starts, then one at intervals on a thread of its own.
//
//   auto sweeper = RegistrationSweeper::Start(&store, 86400, log).value();
//   ...
//   sweeper.reset();  // before the store closes
//
// Thread safety: Start and the destructor from one thread; the sweeps call
// ServerStorage::RemoveUnusedRegistrations, which any thread may call.
#ifndef JOURNALDB_SERVER_REGISTRATION_SWEEPER_H_
#define JOURNALDB_SERVER_REGISTRATION_SWEEPER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "journaldb/server/server_storage.h"
#include "journaldb/status.h"

namespace journaldb::server {

// Removes the registrations made more than `age_seconds` ago that were never
// used; returns how many. An age beyond the clock's reach removes nothing.
Result<uint64_t> ExpireUnusedRegistrations(ServerStorage& store, uint64_t age_seconds);

// How often the sweeper sweeps for `age_seconds`: a quarter of the age,
// within [1 s, 1 h], so a registration goes at most that long after its age.
std::chrono::seconds SweepInterval(uint64_t age_seconds);

// How long the connection whose hello registered a client must have lasted
// before a download over it marks the registration used (docs/server.md,
// "Registrations"): half the age. A client still connected then is no
// one-off, and being marked at half the age, the registration is safe from
// every sweep (each removes only registrations older than the age) while
// its client keeps the connection.
std::chrono::milliseconds RegisteringConnectionMarksUsedAfter(uint64_t age_seconds);

class RegistrationSweeper {
 public:
  // Sweeps `store` (not owned; must outlive the sweeper) once, then starts
  // the thread that sweeps every SweepInterval(age_seconds). `log` gets one
  // line for a sweep that removed registrations or failed; a failed sweep is
  // tried again at the next interval. IOError if the thread cannot start.
  // REQUIRES: age_seconds > 0 (0 means: run no sweeper).
  static Result<std::unique_ptr<RegistrationSweeper>> Start(
      ServerStorage* store, uint64_t age_seconds, std::function<void(const std::string&)> log);
  // Stops the thread; a sweep in progress finishes first.
  ~RegistrationSweeper();

  RegistrationSweeper(const RegistrationSweeper&) = delete;
  RegistrationSweeper& operator=(const RegistrationSweeper&) = delete;

 private:
  RegistrationSweeper(ServerStorage* store, uint64_t age_seconds,
                      std::function<void(const std::string&)> log)
      : store_(store), age_seconds_(age_seconds), log_(std::move(log)) {}
  void SweepOnce();
  void Loop();

  ServerStorage* const store_;
  const uint64_t age_seconds_;
  const std::function<void(const std::string&)> log_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_REGISTRATION_SWEEPER_H_
