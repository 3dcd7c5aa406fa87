// GarbageCollectRecoverySnapshots: the I/O around the policy in
// recovery_gc_plan.cc.
#include <fmt/format.h>

#include <boost/filesystem.hpp>
#include <optional>

#include "journaldb/client_reset.h"
#include "journaldb/recovery_directory.h"
#include "journaldb/replayer.h"
#include "journaldb/recovery/recovery_gc_plan.h"
#include "snapshot_layout.h"

namespace journaldb {

namespace fs = boost::filesystem;

namespace {

Status RemoveDirectory(const fs::path& p) {
  boost::system::error_code ec;
  fs::remove_all(p, ec);
  if (ec) return Status::IOError(fmt::format("remove {}: {}", p.string(), ec.message()));
  return Status::OK();
}

// Renames the snapshot to <id>.tmp first: from then on every reader treats
// it as incomplete, and a crash leaves only a .tmp to clean up.
Status RemoveSnapshot(const fs::path& snapshot_dir) {
  const fs::path tmp =
      recovery::IncompletePath(snapshot_dir.parent_path(), snapshot_dir.filename().string());
  boost::system::error_code ec;
  fs::rename(snapshot_dir, tmp, ec);
  if (ec)
    return Status::IOError(
        fmt::format("rename {} to {}: {}", snapshot_dir.string(), tmp.string(), ec.message()));
  return RemoveDirectory(tmp);
}

}  // namespace

Result<RecoveryGcReport> GarbageCollectRecoverySnapshots(const Database& live,
                                                         const std::string& recovery_root,
                                                         const RecoveryGcOptions& options) {
  Result<RecoveryDirectoryListing> listing = ListRecoveryDirectory(recovery_root);
  if (!listing.ok()) return listing.status();
  // A damaged manifest stops gc before it removes anything: what it cannot
  // read it cannot judge.
  if (!listing->unreadable.empty()) return listing->unreadable.front().status;
  // Read after listing: a reset whose snapshot was under way when the root
  // was listed had recorded its id before starting it, so its `.tmp` is
  // recognised here and kept.
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(live);
  if (!pending.ok()) return pending.status();
  const std::optional<std::string> pending_id =
      pending->has_value() ? std::optional<std::string>((**pending).recovery_id) : std::nullopt;

  RecoveryGcReport report;
  for (const std::string& p : listing->incomplete) {
    const bool needed =
        pending_id && fs::path(p).filename().string() == *pending_id + recovery::kIncompleteSuffix;
    report.entries.push_back(
        {p, needed ? RecoveryGcState::kNeededByPendingReset : RecoveryGcState::kIncomplete});
  }
  for (const RecoverySnapshot& s : listing->snapshots) {
    // The snapshot of an unfinished client reset is still needed by it, even
    // when its replay is complete (a crash before the reset recorded its end).
    if (pending_id && *pending_id == s.manifest.recovery_id) {
      report.entries.push_back({s.path, RecoveryGcState::kNeededByPendingReset});
      continue;
    }
    Result<bool> done = IsFullyReplayed(live, s);
    if (!done.ok()) return done.status();
    report.entries.push_back(
        {s.path, *done ? RecoveryGcState::kFullyReplayed : RecoveryGcState::kNotFullyReplayed});
  }
  recovery::DecideRecoveryGc(report.entries, options.keep_fully_replayed);
  if (options.dry_run) return report;

  for (const RecoveryGcEntry& e : report.entries) {
    if (!e.remove) continue;
    Status s =
        e.state == RecoveryGcState::kIncomplete ? RemoveDirectory(e.path) : RemoveSnapshot(e.path);
    if (!s.ok()) return s;
    ++report.removed;
    if (options.on_removed) options.on_removed(e);
  }
  return report;
}

}  // namespace journaldb
