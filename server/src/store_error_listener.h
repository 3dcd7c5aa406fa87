// StoreErrorListener: the server store's WriteStop (journaldb/journal/
// write_stop.h: the first write that fails for good stops every later one,
// and RocksDB's own recovery is declined) that also tells the server's log.
// Without its one line at the stop, every upload and registration would fail
// with the same error and the log would not say that the store stopped, why,
// or what the operator should do (docs/server.md, "Limits").
//
//   auto errors = std::make_shared<StoreErrorListener>();
//   options.listeners.push_back(errors);  // before rocksdb::DB::Open
//   errors->SetLog([&](const std::string& line) { server.Log(line); });
//
// Thread safety: as WriteStop's; SetLog and stopped_note too.
#ifndef JOURNALDB_SERVER_STORE_ERROR_LISTENER_H_
#define JOURNALDB_SERVER_STORE_ERROR_LISTENER_H_

#include <rocksdb/listener.h>

#include <chrono>
#include <functional>
#include <string>

#include "journaldb/journal/write_stop.h"
#include "rate_limited_log.h"

namespace journaldb::server {

// Appended to the error of every write refused once the store stopped: in
// the server, which logs the stop; in a process that does not log it (an
// admin command, or the server before it starts), the next open is the fix.
inline constexpr char kStoreStoppedNote[] =
    "(the store accepts no writes until journal-server restarts; see its log)";
inline constexpr char kStoreStoppedUnloggedNote[] =
    "(the store accepts no more writes in this process: fix the cause, then run the command "
    "again)";

class StoreErrorListener final : public WriteStop {
 public:
  // Where lines go (one call per line, from RocksDB's threads); until set,
  // nowhere. A stop before it is logged when it is set. `log` must stay
  // callable until the store is closed.
  void SetLog(std::function<void(const std::string&)> log);
  // kStoreStoppedNote once a log is set, else kStoreStoppedUnloggedNote.
  const char* stopped_note() const;

  const char* Name() const override { return "journaldb::server::StoreErrorListener"; }
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override;

 private:
  void Stopped(const std::string& stop) override;
  void NotStopping(rocksdb::BackgroundErrorReason reason, const rocksdb::Status& error) override;
  void Log(const std::string& line);  // REQUIRES: mu_ held

  std::function<void(const std::string&)> log_;  // guarded by mu_
  // Errors that leave writes going (a compaction RocksDB retries) may come
  // back at every retry: one line a minute.
  RateLimitedLog limited_{std::chrono::minutes(1)};
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_STORE_ERROR_LISTENER_H_
