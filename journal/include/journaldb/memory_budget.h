// Bounds of Options::memory_budget_bytes (journaldb/options.h): what one open
// database may use for RocksDB's block cache, index and filter blocks and
// memtables together.
//
//   journaldb::Options options;
//   options.memory_budget_bytes = uint64_t{64} << 20;  // within [kMin..., kMax...]
//   auto db = journaldb::Database::Open("/data/app.journaldb", options);
#ifndef JOURNALDB_MEMORY_BUDGET_H_
#define JOURNALDB_MEMORY_BUDGET_H_

#include <cstdint>

namespace journaldb {

// 0: no budget, RocksDB's own defaults (memory grows with the data).
inline constexpr uint64_t kNoMemoryBudget = 0;
// 64 MiB: peak RSS of writing or replaying 3M ops about 100 and 180 MiB,
// against 220 and 270 MiB without a budget (docs/benchmarks.md, "Memory
// budget").
inline constexpr uint64_t kDefaultMemoryBudgetBytes = uint64_t{64} << 20;
// Below this the memtables get so small that flushes dominate every write.
inline constexpr uint64_t kMinMemoryBudgetBytes = uint64_t{8} << 20;  // 8 MiB
// Beyond this the value is a mistake (a count of bytes read as something else).
inline constexpr uint64_t kMaxMemoryBudgetBytes = uint64_t{1} << 40;  // 1 TiB

}  // namespace journaldb

#endif  // JOURNALDB_MEMORY_BUDGET_H_
