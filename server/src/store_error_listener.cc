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
  return reason != BackgroundErrorReason::kCompaction &&
         reason != BackgroundErrorReason::kFlushNoWAL &&
         reason != BackgroundErrorReason::kManifestWriteNoWAL;
}

void StoreErrorListener::SetLog(std::function<void(const std::string&)> log) {
  std::lock_guard<std::mutex> lock(mu_);
  log_ = std::move(log);
}

bool StoreErrorListener::writes_stopped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopped_;
}

void StoreErrorListener::Log(const std::string& line) {
  if (log_) log_(line);
}

void StoreErrorListener::OnBackgroundError(BackgroundErrorReason reason, rocksdb::Status* error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!StopsWrites(reason, *error)) {
    if (auto line = limited_.Admit(
            "store", fmt::format("warning: {} in the store failed: {}; writes go on and "
                                 "RocksDB retries it",
                                 BackgroundErrorWhat(reason), error->ToString())))
      Log(*line);
    return;
  }
  // Later errors while stopped change nothing for the operator.
  if (stopped_) return;
  stopped_ = true;
  Log(fmt::format(
      "error: the store stopped accepting writes after {} failed: {}; every upload and "
      "registration is refused until journal-server restarts: free disk space or raise the "
      "file-size limit, then restart it",
      BackgroundErrorWhat(reason), error->ToString()));
}

void StoreErrorListener::OnErrorRecoveryBegin(BackgroundErrorReason, rocksdb::Status,
                                              bool* auto_recovery) {
  // Declined: RocksDB 7.8's recovery (DBImpl::ResumeImpl) can leave a
  // failed write's record in the live log while later writes go on, to come
  // back at the next open beside them. A restart rebuilds the server's state
  // from what the store holds.
  *auto_recovery = false;
}

void StoreErrorListener::OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stopped_) return;
  // Closing the store midway through a recovery ends it with the error it
  // began with: nothing new to tell.
  if (info.new_bg_error.ToString() == info.old_bg_error.ToString()) return;
  if (info.new_bg_error.ok()) {
    stopped_ = false;
    Log(fmt::format("store: RocksDB recovered from {}; the store accepts writes again",
                    info.old_bg_error.ToString()));
  } else if (!info.new_bg_error.IsShutdownInProgress()) {
    Log(
        fmt::format("error: RocksDB's recovery of the store failed: {}; writes stay refused until "
                    "journal-server restarts",
                    info.new_bg_error.ToString()));
  }
}

}  // namespace journaldb::server
