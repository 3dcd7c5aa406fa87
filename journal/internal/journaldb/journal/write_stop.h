// WriteStop: makes a RocksDB store's first write that fails for good (to its
// write-ahead log, a flush or its MANIFEST: a full disk, a file-size limit,
// an I/O error) stop every later write until the store is opened again.
//
// RocksDB 7.8 recovers from a full disk by itself (DBImpl::ResumeImpl), but
// starts a new write-ahead log only if a memtable holds data: the failed
// write's record, whole or torn, can stay in the live log with later writes
// appended after it, to come back beside them at the next open or to end the
// log's replay before them. So WriteStop declines that recovery, the store
// allows no retries (max_bgerror_resume_count 0), and the stop is a latch
// that each write checks first, since a recovery RocksDB began before the
// stop (a compaction's full disk) may still resume RocksDB.
//
//   auto stop = std::make_shared<WriteStop>();
//   options.listeners.push_back(stop);  // before rocksdb::DB::Open
//   options.max_bgerror_resume_count = 0;
//   ... if (stop->stopped()) refuse the write;
//
// It never changes the error RocksDB reports to it (nor calls DB::Resume).
// Thread safety: RocksDB calls it from its writers' and background threads,
// with its DB mutex released; stopped and stop may be called from any thread.
#ifndef JOURNALDB_JOURNAL_WRITE_STOP_H_
#define JOURNALDB_JOURNAL_WRITE_STOP_H_

#include <rocksdb/db.h>
#include <rocksdb/listener.h>

#include <atomic>
#include <mutex>
#include <string>

namespace journaldb {

class GrowingBatch;

// What failed, for messages: "a write to the write-ahead log", "a flush" ...
const char* BackgroundErrorWhat(rocksdb::BackgroundErrorReason reason);

// Whether RocksDB 7.8 stops accepting writes for `error` during `reason`
// (db/error_handler.cc), in a store that allows no retries
// (max_bgerror_resume_count 0): a hard error or worse does; a retryable I/O
// error is reported before RocksDB gives it a severity, and stops writes
// unless a compaction failed.
bool StopsWrites(rocksdb::BackgroundErrorReason reason, const rocksdb::Status& error);

class WriteStop : public rocksdb::EventListener {
 public:
  // True from the first error that stopped writes on: a latch, which even a
  // recovery RocksDB began before it does not clear. One atomic load: every
  // write asks.
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  // What stopped writes ("a flush failed: IO error: ..."), or empty.
  std::string stop() const;
  // Stops writes for a failure RocksDB does not report: a write that threw
  // inside RocksDB (std::bad_alloc), which may have reached the log or not
  // and may leave RocksDB's write group unfinished, so that later writes are
  // refused rather than wait for it. `what` (a literal) is what stop() then
  // says.
  void StopWrites(const char* what) noexcept;
  // db.Write of `batch`; an exception from inside it (RocksDB 7.8 is not
  // exception-safe there) stops writes (StopWrites) and is passed on.
  rocksdb::Status Write(rocksdb::DB& db, const rocksdb::WriteOptions& options, GrowingBatch& batch);

  const char* Name() const override { return "journaldb::WriteStop"; }
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status error,
                            bool* auto_recovery) override;

 protected:
  // Called with mu_ held: once, when writes stop, and for each error that
  // leaves writes going (a compaction RocksDB retries) before that.
  virtual void Stopped(const std::string& /*stop*/) {}
  virtual void NotStopping(rocksdb::BackgroundErrorReason /*reason*/,
                           const rocksdb::Status& /*error*/) {}

  // What stop() says. REQUIRES: mu_ held.
  std::string StopText() const;

  mutable std::mutex mu_;
  std::string stop_;  // empty until writes stop; guarded by mu_

 private:
  // Sets the latch, then tells Stopped. REQUIRES: mu_ held, stop_ set if
  // its text could be made; `fallback` (a literal) stands in for it if not.
  void Latch(const char* fallback) noexcept;

  const char* fallback_ = "";         // guarded by mu_
  std::atomic<bool> stopped_{false};  // set (release) once stop_ is
};

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_WRITE_STOP_H_
