// Commit markers: a small meta record written in the same RocksDB write batch
// as a transaction. The replayer records its progress (recovery id, last
// replayed lsn) this way, so a crash can never separate a replayed
// transaction from the record that it was replayed (DESIGN.md guarantee 5).
// Internal: visible to journaldb components at build time, never installed.
#ifndef JOURNALDB_ENGINE_COMMIT_MARKER_H_
#define JOURNALDB_ENGINE_COMMIT_MARKER_H_

#include <optional>
#include <string>
#include <string_view>

#include "journaldb/database.h"

namespace journaldb {

// Marker keys live in the meta column family under this prefix, apart from
// the engine's own meta keys.
inline constexpr std::string_view kMarkerKeyPrefix = "marker/";

struct CommitMarker {
  std::string key;  // must start with kMarkerKeyPrefix
  std::string value;
};

// invalid-argument unless `key` starts with kMarkerKeyPrefix and has more.
Status ValidateMarkerKey(std::string_view key);

// Transaction::Commit() with `marker` in the same write batch: both are
// durable together or not at all. Same contract as Transaction::Commit().
Result<Lsn> CommitWithMarker(Transaction& txn, const CommitMarker& marker);

// Writes `marker` alone (no journal entry), with the database's durability:
// for progress past a transaction that was skipped, not replayed.
Status WriteMarker(Database& db, const CommitMarker& marker);

// The marker's value, or nullopt if it was never written. Works on a
// database opened read-only.
Result<std::optional<std::string>> ReadMarker(const Database& db, std::string_view key);

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_COMMIT_MARKER_H_
