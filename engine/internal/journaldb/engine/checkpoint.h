// A RocksDB checkpoint of a live Database: hard links to its immutable files
// plus copies of the small mutable ones, so the cost does not grow with data
// size (same file system). Internal: the recovery component builds recovery
// snapshots on it; never installed.
#ifndef JOURNALDB_ENGINE_CHECKPOINT_H_
#define JOURNALDB_ENGINE_CHECKPOINT_H_

#include <string>

#include "journaldb/database.h"

namespace journaldb {

// Writes a consistent, openable copy of `db` (state, journal, meta) into
// `target_dir`, which must not exist. RocksDB builds it in `<target_dir>.tmp`
// and renames it; the new directory is fsynced, its parent is not (the caller
// does that as part of its own commit protocol).
// REQUIRES: `db` was opened by this library (not a user subclass).
Status CreateCheckpoint(const Database& db, const std::string& target_dir);

// The file whose presence in a database directory makes Database::Open
// refuse every open that is not read-only (failed-precondition). A recovery
// snapshot's copy carries it: it holds the only copy of the diverged writes.
inline constexpr char kReadOnlyCopyMarker[] = "JOURNALDB-READ-ONLY";

// Writes kReadOnlyCopyMarker into the database directory `db_dir` and fsyncs
// the file and the directory. Idempotent.
Status MarkReadOnlyCopy(const std::string& db_dir);

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_CHECKPOINT_H_
