#include "journaldb/journal/write_stop.h"

#include <fmt/format.h>

#include "journaldb/journal/growing_batch.h"

namespace journaldb {

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

std::string WriteStop::stop() const {
  std::lock_guard<std::mutex> lock(mu_);
  return StopText();
}

std::string WriteStop::StopText() const { return stop_.empty() ? std::string(fallback_) : stop_; }

void WriteStop::OnBackgroundError(BackgroundErrorReason reason, rocksdb::Status* error) {
  std::lock_guard<std::mutex> lock(mu_);
  // Later errors while stopped change nothing (RocksDB ignores those no
  // worse than its own).
  if (stopped()) return;
  const bool stops = StopsWrites(reason, *error);
  // Nothing throws back into RocksDB's error handler (std::bad_alloc): a
  // text that cannot be made is left out.
  try {
    if (!stops) {
      NotStopping(reason, *error);
      return;
    }
    stop_ = fmt::format("{} failed: {}", BackgroundErrorWhat(reason), error->ToString());
  } catch (...) {
    if (!stops) return;
  }
  Latch("a write or flush that failed");
}

void WriteStop::StopWrites(const char* what) noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped()) return;
  try {
    stop_ = what;
  } catch (...) {
  }
  Latch(what);
}

void WriteStop::Latch(const char* fallback) noexcept {
  fallback_ = fallback;
  stopped_.store(true, std::memory_order_release);
  try {
    Stopped(StopText());
  } catch (...) {
    // (no memory to tell it: stopped all the same)
  }
}

rocksdb::Status WriteStop::Write(rocksdb::DB& db, const rocksdb::WriteOptions& options,
                                 GrowingBatch& batch) {
  try {
    return db.Write(options, &batch.rep());
  } catch (...) {
    StopWrites("a write threw inside RocksDB");
    throw;
  }
}

void WriteStop::OnErrorRecoveryBegin(BackgroundErrorReason reason, rocksdb::Status error,
                                     bool* auto_recovery) {
  // Declined for an error that stopped writes (the header says why); a soft
  // error's recovery (a full disk in a compaction) only clears the error.
  if (StopsWrites(reason, error)) *auto_recovery = false;
}

}  // namespace journaldb
