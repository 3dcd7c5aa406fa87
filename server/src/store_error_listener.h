// StoreErrorListener: tells the server's log when its RocksDB store stops
// accepting writes. After a failed write-ahead-log write, flush or MANIFEST
// write (a full disk, a file-size limit) RocksDB refuses every write, so
// each upload and registration fails with the same error; without
// this one line the log would not say that the store stopped, why, or what
// the operator should do (docs/server.md, "Limits"). It declines RocksDB's
// own recovery from an error that stopped writes (with
// max_bgerror_resume_count 0 for the retryable ones, ServerStore::Open), and
// the store refuses every write from the stop on, so a stop lasts until a
// restart.
//
//   auto errors = std::make_shared<StoreErrorListener>();
//   options.listeners.push_back(errors);  // before rocksdb::DB::Open
//   errors->SetLog([&](const std::string& line) { server.Log(line); });
//
// It never changes the error RocksDB reports to it (nor calls DB::Resume).
//
// Thread safety: RocksDB calls the listener from its writers' and
// background threads, with its DB mutex released; SetLog, writes_stopped
// and stop may be called from any thread.
#ifndef JOURNALDB_SERVER_STORE_ERROR_LISTENER_H_
#define JOURNALDB_SERVER_STORE_ERROR_LISTENER_H_

#include <rocksdb/listener.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

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

// What failed, for the log: "a write to the write-ahead log", "a flush" ...
const char* BackgroundErrorWhat(rocksdb::BackgroundErrorReason reason);

// Whether RocksDB 7.8 stops accepting writes for `error` during `reason`
// (db/error_handler.cc), in a store that allows no retries
// (max_bgerror_resume_count 0): a hard error or worse does; a retryable I/O
// error is reported before RocksDB gives it a severity, and stops writes
// unless a compaction failed.
bool StopsWrites(rocksdb::BackgroundErrorReason reason, const rocksdb::Status& error);

class StoreErrorListener final : public rocksdb::EventListener {
 public:
  // Where lines go (one call per line, from RocksDB's threads); until set,
  // nowhere. `log` must stay callable until the store is closed.
  void SetLog(std::function<void(const std::string&)> log);
  // True from the first error that stopped writes on: a latch, which even a
  // recovery RocksDB began before it does not clear (the store refuses each
  // write while it is set, ServerStore::Write).
  bool writes_stopped() const;
  // What stopped writes ("a flush failed: IO error: ..."), or empty.
  std::string stop() const;
  // kStoreStoppedNote once a log is set, else kStoreStoppedUnloggedNote.
  const char* stopped_note() const;

  const char* Name() const override { return "journaldb::server::StoreErrorListener"; }
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status error,
                            bool* auto_recovery) override;
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override;

 private:
  void Log(const std::string& line);  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  std::function<void(const std::string&)> log_;
  std::string stop_;  // empty until writes stop
  // Errors that leave writes going (a compaction RocksDB retries) may come
  // back at every retry: one line a minute.
  RateLimitedLog limited_{std::chrono::minutes(1)};
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_STORE_ERROR_LISTENER_H_
