#include "journaldb/recovery_snapshot.h"

#include <fmt/format.h>

#include <boost/filesystem.hpp>
#include <chrono>

#include "durable_file.h"
#include "journaldb/engine/checkpoint.h"
#include "journaldb/engine/client_reset_record.h"
#include "journaldb/engine/diverged_count.h"
#include "journaldb/journal/util/fsync.h"
#include "journaldb/journal/wall_clock.h"
#include "journaldb/sync.h"
#include "journaldb/recovery/manifest_codec.h"
#include "snapshot_layout.h"

namespace journaldb {

namespace fs = boost::filesystem;

namespace {

using recovery::DatabasePath;
using recovery::IncompletePath;
using recovery::ManifestPath;

Status FsError(std::string_view what, const fs::path& p, const boost::system::error_code& ec) {
  return Status::IOError(fmt::format("{} {}: {}", what, p.string(), ec.message()));
}

Result<std::unique_ptr<Database>> OpenCheckpoint(const std::string& db_path) {
  Options ro;
  ro.read_only = true;
  ro.create_if_missing = false;
  return Database::Open(db_path, ro);
}

// Counts the diverged entries of the checkpoint `snap`, reading it back. The
// cost must not grow with the database's size nor with how much diverged:
// the cursors come from meta (Info() would count every key), the counts from
// the tallies of the first and last diverged entry (diverged_count.h). A
// damaged copy is refused as far as this reads it: RocksDB checks the
// checksums of the files it opens and of every block read, and both end
// entries are decoded and verified; the entries between are verified by the
// replay that applies them (and by VerifyRecoverySnapshot).
Status FillDivergedRange(const Database& snap, std::optional<Lsn> diverged_after,
                         RecoveryManifest& m) {
  Result<SyncStatus> info = GetSyncStatus(snap);
  if (!info.ok()) return info.status();
  m.old_client_id = info->client_id;
  m.old_epoch = info->epoch;
  m.download_cursor = info->download_cursor;
  m.upload_cursor = info->upload_cursor;
  Result<DivergedCount> count =
      CountJournalAfter(snap, diverged_after.value_or(info->upload_cursor));
  if (!count.ok()) return count.status();
  m.first_diverged_lsn = count->first_lsn;
  m.last_diverged_lsn = count->last_lsn;
  m.diverged_entries = count->entries;
  m.diverged_ops = count->ops;
  return Status::OK();
}

// A complete snapshot `id` left by an interrupted client reset, if it holds
// every entry `db` has now (nothing was committed after it) and names the
// same diverged range (a later demand may have widened it).
Result<std::optional<RecoverySnapshot>> ReusableSnapshot(const Database& db, const fs::path& dir,
                                                         std::optional<Lsn> diverged_after) {
  boost::system::error_code ec;
  if (!fs::exists(ManifestPath(dir), ec)) return std::optional<RecoverySnapshot>();
  Result<RecoverySnapshot> snap = OpenRecoverySnapshot(dir.string());
  if (!snap.ok()) return snap.status();
  Result<std::unique_ptr<Database>> copy = OpenCheckpoint(snap->db_path);
  if (!copy.ok()) return copy.status();
  Result<SyncStatus> then = GetSyncStatus(**copy);
  if (!then.ok()) return then.status();
  Result<SyncStatus> now = GetSyncStatus(db);
  if (!now.ok()) return now.status();
  if (then->last_lsn != now->last_lsn) return std::optional<RecoverySnapshot>();
  RecoveryManifest wanted;
  if (Status s = FillDivergedRange(**copy, diverged_after, wanted); !s.ok()) return s;
  const RecoveryManifest& m = snap->manifest;
  if (wanted.first_diverged_lsn != m.first_diverged_lsn ||
      wanted.last_diverged_lsn != m.last_diverged_lsn ||
      wanted.diverged_entries != m.diverged_entries)
    return std::optional<RecoverySnapshot>();
  return std::optional<RecoverySnapshot>(std::move(snap).value());
}
}  // namespace

Result<RecoverySnapshot> CreateRecoverySnapshot(const Database& db,
                                                const std::string& recovery_root,
                                                const std::string& reason) {
  RecoverySnapshotOptions options;
  options.reason = reason;
  return CreateRecoverySnapshot(db, recovery_root, options);
}

Result<RecoverySnapshot> CreateRecoverySnapshot(const Database& db,
                                                const std::string& recovery_root,
                                                const RecoverySnapshotOptions& options) {
  boost::system::error_code ec;
  fs::create_directories(recovery_root, ec);
  if (ec) return FsError("create recovery root", recovery_root, ec);

  RecoveryManifest m;
  m.created_time_us = NowMicros();
  m.recovery_id = options.recovery_id.empty() ? NewRecoveryId() : options.recovery_id;
  if (!options.recovery_id.empty()) {
    const fs::path existing = fs::path(recovery_root) / m.recovery_id;
    Result<std::optional<RecoverySnapshot>> reuse =
        ReusableSnapshot(db, existing, options.diverged_after);
    if (!reuse.ok()) return reuse.status();
    if (reuse->has_value()) return std::move(**reuse);
    const fs::path incomplete = IncompletePath(recovery_root, options.recovery_id);
    fs::remove_all(incomplete, ec);
    if (ec) return FsError("remove incomplete", incomplete, ec);
    if (fs::exists(existing, ec)) {
      // Complete but older than the database: entries were committed after
      // it. The new snapshot (a superset) takes the same id, and the stale
      // one stops being complete first, durably: under a new id, a crash
      // before the reset recorded it left two complete snapshots of one
      // reset, whose replay markers differ, so both replayed. Nothing is
      // lost meanwhile: a reset snapshots before it wipes (the database
      // still holds every entry), and a crash leaves only `.tmp`.
      fs::rename(existing, incomplete, ec);
      if (ec) return FsError("rename to " + incomplete.string(), existing, ec);
      if (Status s = util::FsyncDirectory(recovery_root); !s.ok()) return s;
      fs::remove_all(incomplete, ec);
      if (ec) return FsError("remove superseded snapshot", incomplete, ec);
    }
  }
  m.reason = options.reason;
  m.original_path = fs::absolute(db.path()).lexically_normal().string();
  m.product_version = "journaldb 0.1.0";

  const fs::path final_dir = fs::path(recovery_root) / m.recovery_id;
  const fs::path tmp_dir = IncompletePath(recovery_root, m.recovery_id);
  fs::create_directory(tmp_dir, ec);
  if (ec) return FsError("create", tmp_dir, ec);

  auto fail = [&](Status s) {
    // Only our own incomplete .tmp directory is removed; the original is untouched.
    boost::system::error_code ignored;
    fs::remove_all(tmp_dir, ignored);
    return s;
  };
  const std::string tmp_db = DatabasePath(tmp_dir).string();
  if (Status s = CreateCheckpoint(db, tmp_db); !s.ok()) return fail(s);
  // Before the manifest, so no complete snapshot lacks it: from now on every
  // writable open of the copy is refused by the engine.
  if (Status s = MarkReadOnlyCopy(tmp_db); !s.ok()) return fail(s);
  {
    // Closed again before the manifest makes the directory complete.
    Result<std::unique_ptr<Database>> copy = OpenCheckpoint(tmp_db);
    if (!copy.ok()) return fail(copy.status());
    if (Status s = FillDivergedRange(**copy, options.diverged_after, m); !s.ok()) return fail(s);
  }
  // The manifest is written last: its presence marks a complete checkpoint.
  if (Status s = recovery::WriteFileDurably(ManifestPath(tmp_dir).string(),
                                            recovery::EncodeManifest(m));
      !s.ok())
    return fail(s);
  if (Status s = util::FsyncDirectory(tmp_dir.string()); !s.ok()) return fail(s);
  fs::rename(tmp_dir, final_dir, ec);
  if (ec) return fail(FsError("rename to " + final_dir.string(), tmp_dir, ec));
  if (Status s = util::FsyncDirectory(recovery_root); !s.ok()) return s;
  return RecoverySnapshot{final_dir.string(), DatabasePath(final_dir).string(), std::move(m)};
}

Result<RecoverySnapshot> OpenRecoverySnapshot(const std::string& snapshot_dir) {
  const fs::path dir(snapshot_dir);
  const std::string manifest_path = ManifestPath(dir).string();
  Result<std::string> bytes =
      recovery::ReadSmallFile(manifest_path, recovery::kMaxManifestBytes + 16);
  if (!bytes.ok()) {
    if (bytes.status().IsNotFound())
      return Status::NotFound(fmt::format("{} is not a complete recovery snapshot: no {}",
                                          snapshot_dir, recovery::kManifestFile));
    return bytes.status();
  }
  Result<RecoveryManifest> m = recovery::DecodeManifest(*bytes, manifest_path);
  if (!m.ok()) return m.status();
  if (m->recovery_id != dir.filename().string())
    return Status::Corruption(fmt::format("{}: manifest names recovery {}, directory is {}",
                                          manifest_path, m->recovery_id, dir.filename().string()));
  return RecoverySnapshot{dir.string(), DatabasePath(dir).string(), std::move(m).value()};
}

}  // namespace journaldb
