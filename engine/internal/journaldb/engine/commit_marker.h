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
#include <span>
#include <vector>

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

// One transaction of a CommitMarkedBatch: its ops (empty: the marker alone,
// no journal entry) and the marker committed with them.
struct MarkedCommit {
  std::vector<Operation> ops;  // REQUIRES: each op valid (Operation::Validate)
  CommitMarker marker;
  Lsn lsn = 0;      // out: the lsn it committed as; 0: none (no ops, or not committed)
  Status refusal;   // out: why it was not prepared (see CommitMarkedBatch)
};

// Commits `commits` in order as one RocksDB write batch, each transaction
// its own journal entry (consecutive lsns) with its marker, durable together
// with the database's durability: after a crash all of them or none are
// there. Returns how many were committed, n. If n < commits.size(),
// commits[n] could not apply (as Transaction::Commit's invalid-argument: an
// increment of a non-int64 field, a limit) and holds that status in
// `refusal`, its ops as given; the ones after it were not tried. A write
// error commits none and is sticky, as for Transaction::Commit.
Result<size_t> CommitMarkedBatch(Database& db, std::span<MarkedCommit> commits);

// Fsyncs the database's write-ahead log: every write before the call
// survives power loss, whatever the database's durability.
Status SyncLog(Database& db);

// The keys of every marker in [begin, end), in key order. REQUIRES: both
// start with kMarkerKeyPrefix.
Result<std::vector<std::string>> ListMarkers(const Database& db, std::string_view begin,
                                             std::string_view end);

// Writes `marker` alone (no journal entry), with the database's durability:
// for progress past a transaction that was skipped, not replayed.
Status WriteMarker(Database& db, const CommitMarker& marker);

// The marker's value, or nullopt if it was never written. Works on a
// database opened read-only.
Result<std::optional<std::string>> ReadMarker(const Database& db, std::string_view key);

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_COMMIT_MARKER_H_
