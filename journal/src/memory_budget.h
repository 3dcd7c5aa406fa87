// The memory budget of one open store: a block cache that holds data blocks,
// index and filter blocks, and (through a write buffer manager) the
// memtables, so RocksDB's memory stops growing with the data.
#ifndef JOURNALDB_JOURNAL_MEMORY_BUDGET_H_
#define JOURNALDB_JOURNAL_MEMORY_BUDGET_H_

#include <rocksdb/cache.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include <cstdint>
#include <memory>

#include "journaldb/status.h"

namespace journaldb {

// Invalid-argument naming the option unless bytes is kNoMemoryBudget or
// kMinMemoryBudgetBytes <= bytes <= kMaxMemoryBudgetBytes.
Status ValidateMemoryBudget(uint64_t bytes);

class MemoryBudget {
 public:
  // REQUIRES: ValidateMemoryBudget(bytes).ok(). kNoMemoryBudget applies
  // nothing but the table options given.
  explicit MemoryBudget(uint64_t bytes);

  // Applies the budget to a database: memtables charged to the cache.
  void ApplyTo(rocksdb::DBOptions& db) const;
  // Applies the budget to a column family whose table options are `table`
  // (its filter policy, if any, is kept).
  void ApplyTo(rocksdb::ColumnFamilyOptions& cf, rocksdb::BlockBasedTableOptions table) const;

 private:
  uint64_t bytes_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers_;
};

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_MEMORY_BUDGET_H_
