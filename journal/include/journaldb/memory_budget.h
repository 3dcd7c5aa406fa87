// Bounds of Options::memory_budget_bytes (journaldb/options.h): what one open
// database may use for RocksDB's block cache, index and filter blocks and
// memtables together.
#ifndef JOURNALDB_MEMORY_BUDGET_H_
#define JOURNALDB_MEMORY_BUDGET_H_

#include <cstdint>

namespace journaldb {

inline constexpr uint64_t kDefaultMemoryBudgetBytes = uint64_t{64} << 20;  // 64 MiB
// Below this the memtables get so small that flushes dominate every write.
inline constexpr uint64_t kMinMemoryBudgetBytes = uint64_t{8} << 20;  // 8 MiB
// Beyond this the value is a mistake (a count of bytes read as something else).
inline constexpr uint64_t kMaxMemoryBudgetBytes = uint64_t{1} << 40;  // 1 TiB

}  // namespace journaldb

#endif  // JOURNALDB_MEMORY_BUDGET_H_
