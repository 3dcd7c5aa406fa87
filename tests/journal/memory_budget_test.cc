// The memory budget (journal/src/memory_budget.cc) as a store opens it: one
// block cache of the budget's size, and reads that stay in it once the data
// outgrows what a cache shard can hold in one block, and journal scans that
// leave the cache as they found it.
#include "journaldb/memory_budget.h"

#include <gtest/gtest.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/write_batch.h>

#include <string>

#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/store.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

std::unique_ptr<Store> OpenWithBudget(const std::string& path, uint64_t budget) {
  StoreOptions options;
  options.memory_budget_bytes = budget;
  auto store = Store::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

TEST(MemoryBudget, TheBlockCacheIsTheBudgetAndADefaultStoreHasOne) {
  testing::TempDir dir;
  for (uint64_t budget : {kMinMemoryBudgetBytes, uint64_t{100} << 20}) {
    std::unique_ptr<Store> store = OpenWithBudget(dir.Sub(std::to_string(budget)), budget);
    ASSERT_NE(store, nullptr);
    uint64_t capacity = 0;
    ASSERT_TRUE(
        store->db()->GetIntProperty(store->state(), "rocksdb.block-cache-capacity", &capacity));
    EXPECT_EQ(capacity, budget);
  }
  auto store = Store::Open(dir.Sub("default"), StoreOptions{});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  uint64_t capacity = 0;
  ASSERT_TRUE(
      (*store)->db()->GetIntProperty((*store)->state(), "rocksdb.block-cache-capacity", &capacity));
  EXPECT_EQ(capacity, kDefaultMemoryBudgetBytes);
  EXPECT_NE(kDefaultMemoryBudgetBytes, kNoMemoryBudget);
}

// A commit reads every object it touches, and a new object is a miss that
// only the state family's bloom filter answers. With one filter block per
// table file, a file of 600,000 objects has a 750 KB filter, more than a
// shard of the smallest budget's cache (512 KB) holds: each miss read the
// filter from the file again, so commits slowed as the state grew. The
// filters must be read in cached pieces instead.
TEST(MemoryBudget, MissesOnALargeStateFamilyAreAnsweredFromTheCache) {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenWithBudget(dir.Sub("db"), kMinMemoryBudgetBytes);
  ASSERT_NE(store, nullptr);
  rocksdb::DB* db = store->db();
  constexpr int kObjects = 600000;
  for (int i = 0; i < kObjects;) {
    rocksdb::WriteBatch batch;
    for (int end = i + 10000; i < end; ++i)
      ASSERT_TRUE(batch.Put(store->state(), "present/" + std::to_string(i), "v").ok());
    ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  // One table file at the bottom level holds them all.
  ASSERT_TRUE(
      db->CompactRange(rocksdb::CompactRangeOptions(), store->state(), nullptr, nullptr).ok());
  std::string files;
  ASSERT_TRUE(db->GetProperty(store->state(), "rocksdb.num-files-at-level0", &files));
  ASSERT_EQ(files, "0");

  constexpr int kMisses = 2000;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::get_perf_context()->Reset();
  std::string value;
  for (int i = 0; i < kMisses; ++i)
    // Within the file's key range, so only the filter can answer.
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), store->state(),
                        "present/" + std::to_string(i * 7) + "-absent", &value)
                    .IsNotFound());
  const uint64_t blocks_read = rocksdb::get_perf_context()->block_read_count;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  // Cold pieces are read once each: a few dozen, far fewer than the misses.
  EXPECT_LT(blocks_read, kMisses / 10)
      << "blocks read from table files for " << kMisses << " misses";
}

// A scan of the journal (a replay's read of its snapshot, an upload, a
// verification) reads each entry once: its blocks must not push the state's
// out of the budget's cache.
TEST(MemoryBudget, AJournalScanLeavesTheBlockCacheAsItWas) {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenWithBudget(dir.Sub("db"), kMinMemoryBudgetBytes);
  ASSERT_NE(store, nullptr);
  rocksdb::DB* db = store->db();
  constexpr Lsn kEntries = 20000;
  rocksdb::WriteBatch batch;
  for (Lsn lsn = 1; lsn <= kEntries; ++lsn) {
    JournalEntry e;
    e.lsn = lsn;
    e.ops.push_back(Operation::Increment("c", "k", "n", 1));
    ASSERT_TRUE(batch.Put(store->journal(), layout::LsnKey(lsn), codec::EncodeEntry(e)).ok());
  }
  ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  // In table files, so the scan reads blocks.
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), store->journal()).ok());

  uint64_t before = 0, after = 0;
  ASSERT_TRUE(db->GetIntProperty(store->journal(), "rocksdb.block-cache-usage", &before));
  Lsn seen = 0;
  for (JournalCursor c(*store, 1); c.Valid(); c.Next()) ++seen;
  ASSERT_EQ(seen, kEntries);
  ASSERT_TRUE(db->GetIntProperty(store->journal(), "rocksdb.block-cache-usage", &after));
  EXPECT_EQ(after, before) << "the scan left its blocks in the cache";
}

}  // namespace
}  // namespace journaldb
