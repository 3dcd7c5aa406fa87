#include "store_error_listener.h"

#include <fmt/format.h>

#include <utility>

namespace journaldb::server {

using rocksdb::BackgroundErrorReason;

const char* BackgroundErrorWhat(BackgroundErrorReason reason) {
  switch (reason) {
    case BackgroundErrorReason::kFlush:
    case BackgroundErrorReason::kFlushNoWAL:
      return "a flush";
    case BackgroundErrorReason::kCompaction:
      return "a compaction";
    case BackgroundErrorReason::kWriteCallback:
      return "a write to the write-ahead log";
    case BackgroundErrorReason::kMemTable:
      return "a write to the memtable";
    case BackgroundErrorReason::kManifestWrite:
    case BackgroundErrorReason::kManifestWriteNoWAL:
      return "a write to the MANIFEST";
  }
  return "a background operation";
}

bool StopsWrites(BackgroundErrorReason reason, const rocksdb::Status& error) {
  if (error.ok()) return false;
  if (error.severity() != rocksdb::Status::kNoError)
    return error.severity() >= rocksdb::Status::kHardError;
  // A flush's failed table or MANIFEST write once the closed logs synced
  // (kFlushNoWAL, kManifestWriteNoWAL) becomes a soft error that stops
  // background work until RocksDB's retries clear it; the store allows none
  // (max_bgerror_resume_count 0), so flushes stay stopped and writes with
  // them. A compaction reschedules itself.
  return reason != BackgroundErrorReason::kCompaction;
}

void StoreErrorListener::SetLog(std::function<void(const std::string&)> log) {
  std::lock_guard<std::mutex> lock(mu_);
  log_ = std::move(log);
}

bool StoreErrorListener::writes_stopped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !stop_.empty();
}

std::string StoreErrorListener::stop() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

const char* StoreErrorListener::stopped_note() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_ ? kStoreStoppedNote : kStoreStoppedUnloggedNote;
}

void StoreErrorListener::Log(const std::string& line) {
  if (log_) log_(line);
}

void StoreErrorListener::OnBackgroundError(BackgroundErrorReason reason, rocksdb::Status* error) {
  std::lock_guard<std::mutex> lock(mu_);
  // Later errors while stopped change nothing for the operator (RocksDB
  // ignores those no worse than its own).
  if (!stop_.empty()) return;
  if (!StopsWrites(reason, *error)) {
    if (auto line = limited_.Admit(
            "store", fmt::format("warning: {} in the store failed: {}; writes go on and "
                                 "RocksDB retries it",
                                 BackgroundErrorWhat(reason), error->ToString())))
      Log(*line);
    return;
  }
  stop_ = fmt::format("{} failed: {}", BackgroundErrorWhat(reason), error->ToString());
  Log(fmt::format(
      "error: the store stopped accepting writes after {}; every upload and registration is "
      "refused until journal-server restarts: free disk space or raise the file-size limit, "
      "then restart it",
      stop_));
}

void StoreErrorListener::OnErrorRecoveryBegin(BackgroundErrorReason reason, rocksdb::Status error,
                                              bool* auto_recovery) {
  // Declined for an error that stopped writes: RocksDB 7.8's recovery
  // (DBImpl::ResumeImpl) can leave a failed write's record, whole or torn,
  // in the live log while later writes go on after it, to come back beside
  // them at the next open or to end the log's replay before them. A restart
  // rebuilds the server's state from what the store holds. A soft error's
  // recovery (a full disk in a compaction) only clears the error.
  if (StopsWrites(reason, error)) *auto_recovery = false;
}

void StoreErrorListener::OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) {
  std::lock_guard<std::mutex> lock(mu_);
  // A recovery from an error that did not stop writes (a compaction's soft
  // error, whose recovery may end just after the stop) says nothing of it.
  if (stop_.empty() || info.old_bg_error.severity() < rocksdb::Status::kHardError) return;
  // Closing the store midway through a recovery ends it with the error it
  // began with: nothing new to tell.
  if (info.new_bg_error.ToString() == info.old_bg_error.ToString()) return;
  if (info.new_bg_error.ok()) {
    // A recovery that began before the stop (a compaction's full disk, then
    // a failed write) runs on: the stop stays, as the server keeps it.
    Log(fmt::format(
        "store: RocksDB recovered from {} by itself, but the server accepts no writes until it "
        "restarts: a write that failed may be in the store's log",
        info.old_bg_error.ToString()));
  } else if (!info.new_bg_error.IsShutdownInProgress()) {
    Log(
        fmt::format("error: RocksDB's recovery of the store failed: {}; writes stay refused until "
                    "journal-server restarts",
                    info.new_bg_error.ToString()));
  }
}

}  // namespace journaldb::server
