#include "memory_budget.h"

#include <fmt/format.h>

#include <algorithm>

#include "journaldb/memory_budget.h"

namespace journaldb {

namespace {

// Memtables may take half the budget (the write buffer manager flushes the
// largest one beyond it); blocks, indexes and filters get the rest.
constexpr uint64_t kMemtableShareDivisor = 2;
// One column family's memtable: a quarter of the memtable share, so the two
// busy families (state, journal) each have a full memtable and one being
// flushed within it. RocksDB's own default (64 MiB) is the cap.
constexpr uint64_t kMemtableDivisor = 8;
constexpr uint64_t kMaxMemtableBytes = uint64_t{64} << 20;

}  // namespace

Status ValidateMemoryBudget(uint64_t bytes) {
  if (bytes == kNoMemoryBudget) return Status::OK();
  if (bytes < kMinMemoryBudgetBytes || bytes > kMaxMemoryBudgetBytes)
    return Status::InvalidArgument(fmt::format(
        "Options::memory_budget_bytes is {}; it must be 0 (no budget) or between {} ({} MiB) "
        "and {} ({} GiB)",
        bytes, kMinMemoryBudgetBytes, kMinMemoryBudgetBytes >> 20, kMaxMemoryBudgetBytes,
        kMaxMemoryBudgetBytes >> 30));
  return Status::OK();
}

MemoryBudget::MemoryBudget(uint64_t bytes) : bytes_(bytes) {
  if (bytes == kNoMemoryBudget) return;
  rocksdb::LRUCacheOptions cache;
  cache.capacity = bytes;
  // Index and filter blocks go to the high-priority pool, so a long scan of
  // the journal does not evict the ones every read needs.
  cache.high_pri_pool_ratio = 0.2;
  cache_ = rocksdb::NewLRUCache(cache);
  write_buffers_ =
      std::make_shared<rocksdb::WriteBufferManager>(bytes / kMemtableShareDivisor, cache_);
}

void MemoryBudget::ApplyTo(rocksdb::DBOptions& db) const {
  if (bytes_ == kNoMemoryBudget) return;
  db.write_buffer_manager = write_buffers_;
}

void MemoryBudget::ApplyTo(rocksdb::ColumnFamilyOptions& cf,
                           rocksdb::BlockBasedTableOptions table) const {
  if (bytes_ == kNoMemoryBudget) {
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    return;
  }
  table.block_cache = cache_;
  // Without these, every table file's index and filter stay in memory
  // outside any cache: about 1% of the data, unbounded.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // In cached pieces of 4 KiB under a pinned top level: a whole file's filter
  // (10 bits per object) outgrows what a cache shard (1 MiB at 64 MiB, less
  // the memtables' share) keeps once the file holds some 100,000s of objects,
  // and was then read from the file again for every miss, which each
  // commit's read of a new object is.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.pin_top_level_index_and_filter = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.write_buffer_size = std::min(bytes_ / kMemtableDivisor, kMaxMemtableBytes);
}

}  // namespace journaldb
