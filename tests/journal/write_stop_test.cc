// WriteStop (journal/src/write_stop.cc) in a real store, called as RocksDB
// 7.8 calls it (db/error_handler.cc): a write that failed for good stops
// every later one until the store is opened again, and RocksDB's own
// recovery from it is declined.
#include "journaldb/journal/write_stop.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <memory>

#include "journaldb/journal/store.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

using rocksdb::BackgroundErrorReason;

rocksdb::Status WithSeverity(rocksdb::Status s, rocksdb::Status::Severity severity) {
  return rocksdb::Status(s, severity);
}

std::shared_ptr<WriteStop> StopOf(Store& store) {
  for (const auto& l : store.db()->GetDBOptions().listeners)
    if (auto stop = std::dynamic_pointer_cast<WriteStop>(l)) return stop;
  return nullptr;
}

Status PutMeta(Store& store, uint64_t value) {
  GrowingBatch batch;
  Store::PutMetaU64(batch, store.meta(), "test/value", value);
  return store.Write(batch, /*sync=*/true);
}

TEST(WriteStop, AFailedWriteStopsTheStoresWritesUntilItIsOpenedAgain) {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  auto opened = Store::Open(path, StoreOptions{});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Store> store = std::move(opened).value();
  // No retries of a retryable error (RocksDB's default: 2147483647).
  EXPECT_EQ(store->db()->GetDBOptions().max_bgerror_resume_count, 0);
  std::shared_ptr<WriteStop> stop = StopOf(*store);
  ASSERT_NE(stop, nullptr);
  ASSERT_TRUE(PutMeta(*store, 1).ok());

  // A compaction's full disk is a soft error: writes go on, and RocksDB's
  // recovery (which only clears the error) is not declined.
  rocksdb::Status soft = WithSeverity(rocksdb::Status::NoSpace("While appending to file"),
                                      rocksdb::Status::kSoftError);
  stop->OnBackgroundError(BackgroundErrorReason::kCompaction, &soft);
  bool auto_recovery = true;
  stop->OnErrorRecoveryBegin(BackgroundErrorReason::kCompaction, soft, &auto_recovery);
  EXPECT_TRUE(auto_recovery);
  EXPECT_FALSE(stop->stopped());
  EXPECT_TRUE(PutMeta(*store, 2).ok());

  // A full disk under a write to the write-ahead log stops writes, and
  // RocksDB's recovery from it is declined. RocksDB itself is healthy here:
  // the refusal is the store's latch, which outlasts a recovery RocksDB began
  // before the stop.
  rocksdb::Status hard = WithSeverity(rocksdb::Status::NoSpace("While appending to file"),
                                      rocksdb::Status::kHardError);
  stop->OnBackgroundError(BackgroundErrorReason::kWriteCallback, &hard);
  EXPECT_TRUE(hard.IsNoSpace()) << "the error RocksDB reports is left as it was";
  auto_recovery = true;
  stop->OnErrorRecoveryBegin(BackgroundErrorReason::kWriteCallback, hard, &auto_recovery);
  EXPECT_FALSE(auto_recovery);
  Status refused = PutMeta(*store, 3);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.IsIOError()) << refused.ToString();
  EXPECT_NE(refused.message().find(
                "refused: the database stopped accepting writes after a write to the write-ahead "
                "log failed: IO error: No space left on device"),
            std::string::npos)
      << refused.ToString();
  EXPECT_NE(refused.message().find("until it is opened again"), std::string::npos)
      << refused.ToString();
  EXPECT_FALSE(store->WritesStopped().ok());

  // The next open starts afresh, with what was written before the stop.
  store.reset();
  opened = Store::Open(path, StoreOptions{});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store = std::move(opened).value();
  Result<uint64_t> value = store->GetMetaU64("test/value");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, 2u);
  EXPECT_TRUE(PutMeta(*store, 4).ok());
}

// A failure RocksDB does not report (a write that threw inside it) stops
// writes as a reported one does; a background error after it changes
// nothing.
TEST(WriteStop, StopWritesStopsTheStoresWritesAndKeepsItsText) {
  testing::TempDir dir;
  auto opened = Store::Open(dir.Sub("db"), StoreOptions{});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Store> store = std::move(opened).value();
  std::shared_ptr<WriteStop> stop = StopOf(*store);
  ASSERT_NE(stop, nullptr);
  stop->StopWrites("a write threw inside RocksDB");
  EXPECT_TRUE(stop->stopped());
  EXPECT_EQ(stop->stop(), "a write threw inside RocksDB");
  rocksdb::Status hard = WithSeverity(rocksdb::Status::NoSpace("While appending to file"),
                                      rocksdb::Status::kHardError);
  stop->OnBackgroundError(BackgroundErrorReason::kWriteCallback, &hard);
  EXPECT_EQ(stop->stop(), "a write threw inside RocksDB");
  Status refused = PutMeta(*store, 1);
  EXPECT_TRUE(refused.IsIOError()) << refused.ToString();
  EXPECT_NE(refused.message().find("a write threw inside RocksDB"), std::string::npos)
      << refused.ToString();
}

}  // namespace
}  // namespace journaldb
