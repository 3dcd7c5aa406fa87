// StoreErrorListener: as RocksDB 7.8 calls it (db/error_handler.cc). An
// error that stops writes is logged once, with what failed and what to do,
// and left as it was; RocksDB's own recovery is declined, and errors that
// leave writes going are logged as warnings.
#include "store_error_listener.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <string>
#include <vector>

#include "journaldb/server/server_store.h"
#include "support/temp_dir.h"

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
  EXPECT_TRUE(log.listener.stopped());
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

// A full disk, as RocksDB reports it from a flush: a hard error its
// SstFileManager would recover from in this process. Declined: the stop
// lasts until a restart.
TEST(StoreErrorListener, RocksDBsOwnRecoveryFromAFullDiskIsDeclined) {
  Logged log;
  rocksdb::Status error = Hard(rocksdb::Status::NoSpace("While appending to file"));
  log.listener.OnBackgroundError(BackgroundErrorReason::kFlush, &error);
  bool auto_recovery = true;
  log.listener.OnErrorRecoveryBegin(BackgroundErrorReason::kFlush, error, &auto_recovery);
  EXPECT_FALSE(auto_recovery);
  EXPECT_TRUE(log.listener.stopped());
  // Closing the store midway through a recovery ends it with the error it
  // began with: nothing new to tell.
  log.listener.OnErrorRecoveryEnd({error, error});
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_NE(log.lines[0].find("after a flush failed: IO error: No space left on device"),
            std::string::npos)
      << log.lines[0];
  EXPECT_NE(log.lines[0].find("refused until journal-server restarts"), std::string::npos)
      << log.lines[0];
  EXPECT_EQ(log.listener.stop(), "a flush failed: " + error.ToString());
}

// The disk fills in a compaction first: a soft error, whose recovery
// RocksDB starts (not declined: writes go on). Then a write to the log fails
// on the same full disk: writes stop. The recovery already running resumes
// RocksDB once there is room; the stop stays all the same, and later
// compaction errors are not logged as if writes went on.
TEST(StoreErrorListener, AStopOutlastsARecoveryThatBeganBeforeIt) {
  Logged log;
  rocksdb::Status soft =
      rocksdb::Status(rocksdb::Status::NoSpace("compaction"), rocksdb::Status::kSoftError);
  log.listener.OnBackgroundError(BackgroundErrorReason::kCompaction, &soft);
  bool auto_recovery = true;
  log.listener.OnErrorRecoveryBegin(BackgroundErrorReason::kCompaction, soft, &auto_recovery);
  EXPECT_TRUE(auto_recovery);
  EXPECT_FALSE(log.listener.stopped());
  rocksdb::Status hard = Hard(rocksdb::Status::NoSpace("While appending to file"));
  log.listener.OnBackgroundError(BackgroundErrorReason::kWriteCallback, &hard);
  EXPECT_TRUE(log.listener.stopped());
  log.listener.OnBackgroundError(BackgroundErrorReason::kCompaction, &soft);
  // The soft error's own recovery may end just after the stop: not a line.
  log.listener.OnErrorRecoveryEnd({soft, rocksdb::Status::OK()});
  log.listener.OnErrorRecoveryEnd({hard, rocksdb::Status::OK()});
  EXPECT_TRUE(log.listener.stopped());
  ASSERT_EQ(log.lines.size(), 3u);
  EXPECT_NE(log.lines[0].find("warning: a compaction in the store failed"), std::string::npos)
      << log.lines[0];
  EXPECT_NE(log.lines[1].find("stopped accepting writes after a write to the write-ahead log "
                              "failed: IO error: No space left on device"),
            std::string::npos)
      << log.lines[1];
  EXPECT_EQ(log.lines[2], "store: RocksDB recovered from " + hard.ToString() +
                              " by itself, but the server accepts no writes until it restarts: a "
                              "write that failed may be in the store's log");
}

// A retryable I/O error, as RocksDB reports it (before giving it a
// severity): it stops writes unless a compaction failed (the store allows
// no retries), and a failed recovery of it is logged.
TEST(StoreErrorListener, ARetryableErrorStopsWritesAndAFailedRecoveryIsLogged) {
  Logged log;
  rocksdb::IOStatus io = rocksdb::IOStatus::IOError("While syncing", "/d/000004.log");
  io.SetRetryable(true);
  rocksdb::Status error = io;
  ASSERT_EQ(error.severity(), rocksdb::Status::kNoError);
  EXPECT_TRUE(StopsWrites(BackgroundErrorReason::kFlush, error));
  // With an empty log, a soft error that stops flushes until a retry, and
  // the store allows none.
  EXPECT_TRUE(StopsWrites(BackgroundErrorReason::kFlushNoWAL, error));
  EXPECT_FALSE(StopsWrites(BackgroundErrorReason::kCompaction, error));
  log.listener.OnBackgroundError(BackgroundErrorReason::kWriteCallback, &error);
  EXPECT_TRUE(log.listener.stopped());
  // RocksDB keeps it as a hard error, which its retries' end reports.
  log.listener.OnErrorRecoveryEnd(
      {Hard(error), rocksdb::Status::Aborted("Exceeded resume retry count")});
  ASSERT_EQ(log.lines.size(), 2u);
  EXPECT_NE(log.lines[0].find("after a write to the write-ahead log failed: IO error: While "
                              "syncing: /d/000004.log; every upload and registration is refused"),
            std::string::npos)
      << log.lines[0];
  EXPECT_NE(log.lines[1].find("recovery of the store failed: Operation aborted: Exceeded resume"),
            std::string::npos)
      << log.lines[1];
  EXPECT_TRUE(log.listener.stopped());
}

TEST(StoreErrorListener, AnErrorThatLeavesWritesGoingIsAWarning) {
  Logged log;
  // A soft error: writes go on (a compaction's retryable error does too:
  // ARetryableErrorStopsWritesAndAFailedRecoveryIsLogged).
  rocksdb::Status soft =
      rocksdb::Status(rocksdb::Status::NoSpace("compaction"), rocksdb::Status::kSoftError);
  log.listener.OnBackgroundError(BackgroundErrorReason::kCompaction, &soft);
  EXPECT_FALSE(log.listener.stopped());
  // Its recovery only clears the error: not declined.
  bool auto_recovery = true;
  log.listener.OnErrorRecoveryBegin(BackgroundErrorReason::kCompaction, soft, &auto_recovery);
  EXPECT_TRUE(auto_recovery);
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0], "warning: a compaction in the store failed: " + soft.ToString() +
                              "; writes go on and RocksDB retries it");
}

// The server's store never resumes writes in this process: no retries of a
// retryable error (the listener declines a full disk's recovery, above),
// and once its listener saw a stop it refuses each write itself, even with
// RocksDB taking writes again (here: never stopped).
TEST(StoreErrorListener, TheServersStoreRetriesNoStoppedWriteAndRefusesWritesAfterAStop) {
  testing::TempDir dir;
  std::vector<std::string> lines;  // the log set below; outlives the store
  auto store = ServerStore::Open(dir.Sub("server"), /*create=*/true);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  rocksdb::DBOptions options = (*store)->db()->GetDBOptions();
  EXPECT_EQ(options.max_bgerror_resume_count, 0);
  ASSERT_TRUE((*store)->RegisterClient(HashClientSecret("first")).ok());
  ASSERT_EQ(options.listeners.size(), 1u);
  auto listener = std::dynamic_pointer_cast<StoreErrorListener>(options.listeners[0]);
  ASSERT_NE(listener, nullptr);
  rocksdb::Status hard = Hard(rocksdb::Status::NoSpace("While appending to file"));
  listener->OnBackgroundError(BackgroundErrorReason::kWriteCallback, &hard);
  Result<uint64_t> refused = (*store)->RegisterClient(HashClientSecret("second"));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsIOError()) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find(
                "register client: refused: the store stopped accepting writes after a write "
                "to the write-ahead log failed: IO error: No space left on device"),
            std::string::npos)
      << refused.status().ToString();
  // No log is set (an admin command's store): the refusal says what to do
  // itself, not to read a server log that nothing wrote.
  EXPECT_NE(refused.status().message().find(kStoreStoppedUnloggedNote), std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(refused.status().message().find("journal-server restarts"), std::string::npos)
      << refused.status().ToString();
  // A log set after the stop (the server sets it once its store is open)
  // is told of it, as every refusal's note from then on says.
  (*store)->SetLog([&](const std::string& line) { lines.push_back(line); });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("error: the store stopped accepting writes after a write to the "
                           "write-ahead log failed: IO error: No space left on device",
                           0),
            0u)
      << lines[0];
  Result<uint64_t> logged = (*store)->RegisterClient(HashClientSecret("third"));
  ASSERT_FALSE(logged.ok());
  EXPECT_NE(logged.status().message().find(kStoreStoppedNote), std::string::npos)
      << logged.status().ToString();
}

}  // namespace
}  // namespace journaldb::server
