// StoreErrorListener: as RocksDB 7.8 calls it (db/error_handler.cc). An
// error that stops writes is logged once, with what failed and what to do,
// and left as it was; RocksDB's own recovery is logged when it ends, and
// errors that leave writes going are logged as warnings.
#include "store_error_listener.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace journaldb::server {
namespace {

using rocksdb::BackgroundErrorReason;

struct Logged {
  std::vector<std::string> lines;
  StoreErrorListener listener;
  Logged() {
    listener.SetLog([this](const std::string& line) { lines.push_back(line); });
  }
};

rocksdb::Status Hard(rocksdb::Status s) { return rocksdb::Status(s, rocksdb::Status::kHardError); }

TEST(StoreErrorListener, AStopIsLoggedOnceWithWhatFailedAndTheErrorLeftAsItWas) {
  Logged log;
  rocksdb::Status error = rocksdb::Status(
      rocksdb::Status::IOError("While appending to file", "/d/000004.log: File too large"),
      rocksdb::Status::kFatalError);
  const std::string before = error.ToString();
  log.listener.OnBackgroundError(BackgroundErrorReason::kWriteCallback, &error);
  EXPECT_EQ(error.ToString(), before);
  EXPECT_EQ(error.severity(), rocksdb::Status::kFatalError);
  EXPECT_TRUE(log.listener.writes_stopped());
  rocksdb::Status later = Hard(rocksdb::Status::IOError("flush"));
  log.listener.OnBackgroundError(BackgroundErrorReason::kFlush, &later);
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0],
            "error: the store stopped accepting writes after a write to the write-ahead log "
            "failed: " +
                before +
                "; every upload and registration is refused until journal-server restarts: free "
                "disk space or raise the file-size limit, then restart it");
}

TEST(StoreErrorListener, RocksDBsOwnRecoveryIsLoggedAndEndsTheStop) {
  Logged log;
  rocksdb::Status error = Hard(rocksdb::Status::NoSpace("While appending to file"));
  log.listener.OnBackgroundError(BackgroundErrorReason::kFlush, &error);
  bool auto_recovery = true;
  log.listener.OnErrorRecoveryBegin(BackgroundErrorReason::kFlush, error, &auto_recovery);
  EXPECT_TRUE(auto_recovery);
  EXPECT_TRUE(log.listener.writes_stopped());
  // Closing the store ends a recovery in progress: nothing to tell.
  log.listener.OnErrorRecoveryEnd({error, rocksdb::Status::ShutdownInProgress()});
  log.listener.OnErrorRecoveryEnd({error, rocksdb::Status::OK()});
  EXPECT_FALSE(log.listener.writes_stopped());
  ASSERT_EQ(log.lines.size(), 3u);
  EXPECT_NE(log.lines[0].find("after a flush failed: IO error: No space left on device"),
            std::string::npos)
      << log.lines[0];
  EXPECT_NE(log.lines[1].find("RocksDB is recovering from"), std::string::npos) << log.lines[1];
  EXPECT_EQ(log.lines[2], "store: RocksDB recovered from " + error.ToString() +
                              "; the store accepts writes again");
  // A later stop is logged again.
  log.listener.OnBackgroundError(BackgroundErrorReason::kFlush, &error);
  log.listener.OnErrorRecoveryEnd({error, rocksdb::Status::Aborted("Exceeded resume retry count")});
  ASSERT_EQ(log.lines.size(), 5u);
  EXPECT_NE(log.lines[4].find("recovery of the store failed: Operation aborted: Exceeded resume"),
            std::string::npos)
      << log.lines[4];
  EXPECT_TRUE(log.listener.writes_stopped());
}

TEST(StoreErrorListener, AnErrorThatLeavesWritesGoingIsAWarning) {
  Logged log;
  // A soft error (writes go on) and a retryable one from a compaction,
  // which RocksDB reports before giving it a severity.
  rocksdb::Status soft =
      rocksdb::Status(rocksdb::Status::NoSpace("compaction"), rocksdb::Status::kSoftError);
  log.listener.OnBackgroundError(BackgroundErrorReason::kCompaction, &soft);
  EXPECT_FALSE(log.listener.writes_stopped());
  EXPECT_FALSE(
      StopsWrites(BackgroundErrorReason::kCompaction, rocksdb::Status::IOError("retryable")));
  EXPECT_TRUE(StopsWrites(BackgroundErrorReason::kFlush, rocksdb::Status::IOError("retryable")));
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0], "warning: a compaction in the store failed: " + soft.ToString() +
                              "; writes go on and RocksDB retries it");
}

}  // namespace
}  // namespace journaldb::server
