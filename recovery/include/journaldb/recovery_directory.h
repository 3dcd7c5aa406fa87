// The recovery directory's lifecycle: where a database's recovery snapshots
// live, which are there, whether one is intact, and which may go.
//
//   std::string root = journaldb::DefaultRecoveryRoot(db->path());
//   auto listing = journaldb::ListRecoveryDirectory(root);
//   if (!listing.ok()) return listing.status();
//   for (const journaldb::RecoverySnapshot& snapshot : listing->snapshots) {
//     auto report = journaldb::VerifyRecoverySnapshot(snapshot.path, {});
//     if (!report.ok()) return report.status();
//   }
//   auto gc = journaldb::GarbageCollectRecoverySnapshots(*db, root, {});
//   return gc.status();
//
// A recovery root (by default `<db>.recovery`, DefaultRecoveryRoot() in
// journaldb/client_reset.h) holds one directory per snapshot
// (recovery_snapshot.h): `<recovery_id>/` once complete, `<recovery_id>.tmp/`
// while it is built or after a crash interrupted it. Nothing here writes
// inside a snapshot; garbage collection only removes whole snapshots.
//
// Thread safety: the functions are safe to call concurrently. Garbage
// collection must not run while CreateRecoverySnapshot() builds a snapshot of
// a new id in the same root: that snapshot's `.tmp` directory would be
// removed. A client reset's own snapshot is safe: its id is recorded before
// it is built, and garbage collection keeps it.
#ifndef JOURNALDB_RECOVERY_DIRECTORY_H_
#define JOURNALDB_RECOVERY_DIRECTORY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "journaldb/client_reset.h"
#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/status.h"

namespace journaldb {

// ---------------------------------------------------------------------------
// Listing

// A directory in a recovery root that should be a complete snapshot but
// whose manifest is missing or fails verification.
struct UnreadableRecoverySnapshot {
  std::string path;
  Status status;  // not-found (no MANIFEST), corruption (damaged), or I/O error
};

// What a recovery root holds. Plain files that are not `.tmp` leftovers are
// not snapshots and not listed.
struct RecoveryDirectoryListing {
  // Complete snapshots, oldest first (by creation time, then id: ids alone
  // order by the second only).
  std::vector<RecoverySnapshot> snapshots;
  // `<id>.tmp` directories: snapshots being built, or left by a crash. Sorted.
  std::vector<std::string> incomplete;
  // Other directories whose manifest could not be read. Sorted by path.
  std::vector<UnreadableRecoverySnapshot> unreadable;
};

// Lists `recovery_root` without opening any snapshot's database. A root that
// does not exist holds nothing (an empty listing). A damaged snapshot does
// not fail the listing; it is reported in `unreadable`.
// Errors: failed-precondition (`recovery_root` exists but is not a
// directory), I/O error (it cannot be read).
[[nodiscard]] Result<RecoveryDirectoryListing> ListRecoveryDirectory(
    const std::string& recovery_root);

// ---------------------------------------------------------------------------
// Opening and verifying one snapshot

// Opens the snapshot at `snapshot_dir` (trailing slashes allowed) for
// reading: it must be a complete snapshot directory whose manifest verifies
// (OpenRecoverySnapshot) and whose database directory exists. Every error
// names the path. Errors: not-found (nothing at `snapshot_dir`, no MANIFEST,
// no database directory), failed-precondition (not a directory, an
// incomplete `.tmp` snapshot, a database, or a recovery root), corruption
// (the manifest is truncated, fails its checksum, or names another id),
// I/O error.
[[nodiscard]] Result<RecoverySnapshot> OpenCompleteRecoverySnapshot(
    const std::string& snapshot_dir);

// Opens the snapshot's database (its checkpoint) read-only. The caller owns
// the handle; it does not refer to `snapshot`. Errors: those of
// Database::Open, with the message naming the snapshot.
[[nodiscard]] Result<std::unique_ptr<Database>> OpenRecoverySnapshotDatabase(
    const RecoverySnapshot& snapshot);

// True if `path` (trailing slashes allowed) is meant as a recovery snapshot
// rather than a database: a directory that is not a database and holds a
// MANIFEST or a database directory (complete, damaged or `.tmp`).
bool LooksLikeRecoverySnapshot(const std::string& path);

// True if `path` is a recovery root: a directory that is not a database and
// some of whose subdirectories hold a MANIFEST.
bool IsRecoveryRoot(const std::string& path);

struct RecoverySnapshotVerifyOptions {
  // Also run Database::Verify() over the snapshot's database: every entry
  // decodes and the state equals the fold of the journal. It reads the whole
  // database and holds the folded state in memory; without it only the
  // diverged range is read. Default: true.
  bool check_database = true;
};

// What VerifyRecoverySnapshot() found.
struct RecoverySnapshotReport {
  RecoverySnapshot snapshot;      // as opened: path, database path, manifest
  uint64_t entries_checked = 0;   // journal entries Database::Verify checked
  uint64_t objects_checked = 0;   // objects Database::Verify checked
  uint64_t diverged_entries = 0;  // diverged entries found in the journal
  uint64_t diverged_ops = 0;      // their ops
  // One line per problem: those of Database::Verify prefixed "database: ",
  // then each way the database disagrees with the manifest (a cursor, a
  // missing or extra lsn, an entry or op count, a damaged diverged entry).
  // At most 100 of the latter.
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

// Checks the snapshot at `snapshot_dir`: it opens as
// OpenCompleteRecoverySnapshot() does, its database opens read-only (and
// passes Database::Verify with options.check_database), its cursors equal
// the manifest's, and its journal holds the manifest's diverged range
// without gaps, with the manifest's entry and op counts, and nothing above
// the upload cursor outside it (below it is allowed after a client-rollback,
// whose server holds those entries unacknowledged). A mismatch is a problem in the report, not
// an error. Errors (the check could not run): those of
// OpenCompleteRecoverySnapshot() and OpenRecoverySnapshotDatabase(), and
// I/O error while reading.
[[nodiscard]] Result<RecoverySnapshotReport> VerifyRecoverySnapshot(
    const std::string& snapshot_dir, const RecoverySnapshotVerifyOptions& options);

// ---------------------------------------------------------------------------
// Garbage collection

// Why garbage collection keeps or removes an entry of the recovery root.
enum class RecoveryGcState : uint8_t {
  kIncomplete = 1,            // a `.tmp` directory: removed
  kFullyReplayed = 2,         // every diverged transaction is done in the live database
  kNotFullyReplayed = 3,      // never removed
  kNeededByPendingReset = 4,  // the live database's pending client reset uses it: never removed
};

struct RecoveryGcEntry {
  std::string path;
  RecoveryGcState state = RecoveryGcState::kNotFullyReplayed;
  bool remove = false;  // removed, or with dry_run would be
};

struct RecoveryGcOptions {
  // How many fully replayed snapshots are kept, the newest ones. Default: 1.
  uint64_t keep_fully_replayed = 1;
  // Decide and report only; remove nothing. Default: false.
  bool dry_run = false;
  // Called after each removal, before the next one, so a caller can report
  // progress that survives a later failure. Default: none.
  std::function<void(const RecoveryGcEntry&)> on_removed;
};

struct RecoveryGcReport {
  // Incomplete directories first (sorted), then the snapshots oldest first.
  std::vector<RecoveryGcEntry> entries;
  uint64_t removed = 0;  // 0 with dry_run
};

// Removes, from `recovery_root`, the `.tmp` directories interrupted
// snapshots left and the snapshots fully replayed into `live`, except the
// newest options.keep_fully_replayed of those. Never removes a snapshot that
// is not fully replayed, nor the snapshot (complete or `.tmp`) of `live`'s
// pending client reset, even once replayed: the reset may still read it.
// A snapshot is first renamed to `<id>.tmp`, then deleted, so a crash midway
// leaves an incomplete directory, never a half-deleted snapshot.
// Nothing is removed if any snapshot's manifest cannot be read.
// REQUIRES: `live` is the database whose snapshots `recovery_root` holds
// (it may be opened read-only).
// Errors: those of ListRecoveryDirectory(); the first unreadable snapshot's
// status (not-found or corruption, naming it); invalid-argument (`live` was
// not opened by Database::Open); corruption or I/O error reading `live`'s
// replay progress or pending reset; I/O error removing (entries before it
// are removed and were passed to on_removed).
[[nodiscard]] Result<RecoveryGcReport> GarbageCollectRecoverySnapshots(
    const Database& live, const std::string& recovery_root, const RecoveryGcOptions& options);

}  // namespace journaldb

#endif  // JOURNALDB_RECOVERY_DIRECTORY_H_
