// Opening one recovery snapshot for reading, with an error that says what a
// path is when it is not a complete snapshot.
#include <fmt/format.h>

#include <boost/filesystem.hpp>

#include "journaldb/recovery_directory.h"
#include "snapshot_layout.h"

namespace journaldb {

namespace fs = boost::filesystem;

namespace {

bool IsFile(const fs::path& p) {
  boost::system::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool IsDirectory(const fs::path& p) {
  boost::system::error_code ec;
  return fs::is_directory(p, ec);
}

bool IsDatabase(const fs::path& dir) { return IsFile(dir / recovery::kDatabaseMarkerFile); }

// True if some subdirectory of `dir` holds a MANIFEST.
bool HoldsRecoverySnapshots(const fs::path& dir) {
  boost::system::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (IsFile(recovery::ManifestPath(it->path()))) return true;
  return false;
}

}  // namespace

bool LooksLikeRecoverySnapshot(const std::string& path) {
  const fs::path dir(recovery::WithoutTrailingSlash(path));
  if (!IsDirectory(dir) || IsDatabase(dir)) return false;
  return IsFile(recovery::ManifestPath(dir)) || IsDirectory(recovery::DatabasePath(dir));
}

bool IsRecoveryRoot(const std::string& path) {
  const fs::path dir(recovery::WithoutTrailingSlash(path));
  return IsDirectory(dir) && !IsDatabase(dir) && HoldsRecoverySnapshots(dir);
}

Result<RecoverySnapshot> OpenCompleteRecoverySnapshot(const std::string& snapshot_dir) {
  const std::string clean = recovery::WithoutTrailingSlash(snapshot_dir);
  const fs::path dir(clean);
  boost::system::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (st.type() == fs::file_not_found)
    return Status::NotFound(fmt::format("no recovery snapshot at {}", clean));
  if (ec) return Status::IOError(fmt::format("{}: {}", clean, ec.message()));
  if (st.type() != fs::directory_file)
    return Status::FailedPrecondition(
        fmt::format("{} is not a recovery snapshot (not a directory)", clean));
  if (recovery::IsIncompleteName(dir))
    return Status::FailedPrecondition(fmt::format(
        "{} is an incomplete recovery snapshot left by an interrupted snapshot; it cannot "
        "be read",
        clean));
  // Without a manifest, say what the directory is instead, when that is clear.
  if (!IsFile(recovery::ManifestPath(dir))) {
    if (IsDatabase(dir))
      return Status::FailedPrecondition(fmt::format(
          "{} is a database, not a recovery snapshot (no {})", clean, recovery::kManifestFile));
    if (HoldsRecoverySnapshots(dir))
      return Status::FailedPrecondition(
          fmt::format("{} holds recovery snapshots but is not one", clean));
  }
  Result<RecoverySnapshot> snapshot = OpenRecoverySnapshot(clean);
  if (!snapshot.ok()) return snapshot.status();
  if (!IsDirectory(snapshot->db_path))
    return Status::NotFound(fmt::format("recovery snapshot {} has no database: {} is missing",
                                        clean, snapshot->db_path));
  return snapshot;
}

Result<std::unique_ptr<Database>> OpenRecoverySnapshotDatabase(const RecoverySnapshot& snapshot) {
  Options options;
  options.read_only = true;
  options.create_if_missing = false;
  Result<std::unique_ptr<Database>> db = Database::Open(snapshot.db_path, options);
  if (!db.ok())
    return Status(db.status().code(),
                  fmt::format("recovery snapshot {}: {}", snapshot.path, db.status().message()));
  return db;
}

}  // namespace journaldb
