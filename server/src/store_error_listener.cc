#include "store_error_listener.h"

#include <fmt/format.h>

#include <mutex>
#include <utility>

namespace journaldb::server {

using rocksdb::BackgroundErrorReason;

void StoreErrorListener::SetLog(std::function<void(const std::string&)> log) {
  std::lock_guard<std::mutex> lock(mu_);
  log_ = std::move(log);
  // Writes that stopped before there was a log (while the server opened its
  // store) are told now: every refusal's note points to it.
  if (stopped()) Stopped(StopText());
}

const char* StoreErrorListener::stopped_note() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_ ? kStoreStoppedNote : kStoreStoppedUnloggedNote;
}

void StoreErrorListener::Log(const std::string& line) {
  if (log_) log_(line);
}

void StoreErrorListener::NotStopping(BackgroundErrorReason reason, const rocksdb::Status& error) {
  if (auto line = limited_.Admit(
          "store", fmt::format("warning: {} in the store failed: {}; writes go on and "
                               "RocksDB retries it",
                               BackgroundErrorWhat(reason), error.ToString())))
    Log(*line);
}

void StoreErrorListener::Stopped(const std::string& stop) {
  Log(fmt::format(
      "error: the store stopped accepting writes after {}; every upload and registration is "
      "refused until journal-server restarts: free disk space or raise the file-size limit, "
      "then restart it",
      stop));
}

void StoreErrorListener::OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) {
  std::lock_guard<std::mutex> lock(mu_);
  // A recovery from an error that did not stop writes (a compaction's soft
  // error, whose recovery may end just after the stop) says nothing of it.
  if (!stopped() || info.old_bg_error.severity() < rocksdb::Status::kHardError) return;
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
