// Recovery snapshots: the read-only copy of a database taken before a client
// reset destroys anything, so that every diverged operation survives
// (DESIGN.md guarantee 4).
//
//   auto snap = journaldb::CreateRecoverySnapshot(*db, "/data/app.recovery", "manual");
//   if (!snap.ok()) return snap.status();
//   std::cout << snap->path << ": " << snap->manifest.diverged_ops << " diverged ops\n";
//   auto again = journaldb::OpenRecoverySnapshot(snap->path);   // verifies the manifest
//
// A snapshot is the directory `<recovery_root>/<recovery_id>/` holding `db/`
// (a RocksDB checkpoint: hard links, so its cost does not grow with data
// size) and `MANIFEST`. It is built under `<recovery_id>.tmp/`, the manifest is
// written last and fsynced, then the directory is renamed and its parent
// fsynced: a directory without `.tmp` is complete. A crash leaves at most a
// `.tmp` directory, which RemoveIncompleteRecoverySnapshots() deletes (the
// original database is untouched until a complete snapshot exists).
//
// Thread safety: the functions are safe to call concurrently for different
// recovery ids.
#ifndef JOURNALDB_RECOVERY_SNAPSHOT_H_
#define JOURNALDB_RECOVERY_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/journal_entry.h"
#include "journaldb/status.h"

namespace journaldb {

struct RecoveryManifest {
  std::string recovery_id;
  std::string reason;
  int64_t created_time_us = 0;
  std::string original_path;
  uint64_t old_client_id = 0;
  uint64_t old_epoch = 0;
  uint64_t download_cursor = 0;
  uint64_t upload_cursor = 0;
  Lsn first_diverged_lsn = 0;  // 0 when nothing diverged
  Lsn last_diverged_lsn = 0;
  uint64_t diverged_entries = 0;
  uint64_t diverged_ops = 0;
  std::string product_version;
  friend bool operator==(const RecoveryManifest&, const RecoveryManifest&) = default;
};

struct RecoverySnapshot {
  std::string path;     // <recovery_root>/<recovery_id>
  std::string db_path;  // path + "/db": open with Options::read_only
  RecoveryManifest manifest;
};

struct RecoverySnapshotOptions {
  // Recorded in the manifest, e.g. "manual" or "epoch-mismatch". Default: "manual".
  std::string reason = "manual";
  // The snapshot's id. Empty: a new one. A client reset passes the id it
  // recorded before starting, so a crashed attempt is resumed: a complete
  // snapshot of that id holding every entry of `db` and the same diverged
  // range is reused; a leftover `.tmp` of it is removed first, and one that
  // is stale (entries committed after it) is made incomplete, durably, and
  // taken again under the same id, so one reset never leaves two snapshots.
  // Default: empty.
  std::string recovery_id;
  // Journal entries above this lsn are diverged. nullopt: those above the
  // upload cursor (never acknowledged). Default: nullopt.
  std::optional<Lsn> diverged_after;
};

// Takes a complete recovery snapshot of `db` under `recovery_root` (created
// if needed).
Result<RecoverySnapshot> CreateRecoverySnapshot(const Database& db,
                                                const std::string& recovery_root,
                                                const RecoverySnapshotOptions& options);
// The same with default options and `reason`.
Result<RecoverySnapshot> CreateRecoverySnapshot(const Database& db,
                                                const std::string& recovery_root,
                                                const std::string& reason);

// Reads and verifies `<snapshot_dir>/MANIFEST`: missing (not-found), truncated,
// bad checksum, or not a manifest (corruption) are errors naming the path.
Result<RecoverySnapshot> OpenRecoverySnapshot(const std::string& snapshot_dir);

// Complete snapshots under `recovery_root`, oldest first. Incomplete (`.tmp`)
// directories are not listed; a directory whose manifest fails verification
// is an error naming it, not silently skipped.
Result<std::vector<RecoverySnapshot>> ListRecoverySnapshots(const std::string& recovery_root);

// Deletes `<id>.tmp` directories left by a crash mid-snapshot; returns how many.
Result<int> RemoveIncompleteRecoverySnapshots(const std::string& recovery_root);

}  // namespace journaldb

#endif  // JOURNALDB_RECOVERY_SNAPSHOT_H_
