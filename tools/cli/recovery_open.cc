#include "recovery_open.h"

#include <fmt/format.h>

#include <filesystem>
#include <limits>

namespace journaldb::cli {

namespace fs = std::filesystem;

namespace {

constexpr char kManifestFile[] = "MANIFEST";
constexpr char kDbDir[] = "db";
constexpr char kTmpSuffix[] = ".tmp";
// Like Database::Verify: a badly damaged snapshot should not print millions of lines.
constexpr size_t kMaxProblems = 100;

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool IsDirectory(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// True if some subdirectory of `dir` holds a MANIFEST: `dir` is a recovery root.
bool HoldsRecoverySnapshots(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (IsFile(it->path() / kManifestFile)) return true;
  return false;
}

void AddProblem(DivergedRangeCheck& c, std::string problem) {
  if (c.problems.size() < kMaxProblems) c.problems.push_back(std::move(problem));
}

std::string MissingLsns(Lsn first, Lsn last) {
  if (first == last) return fmt::format("diverged lsn {} is missing from the journal", first);
  return fmt::format("diverged lsns {}-{} are missing from the journal", first, last);
}

}  // namespace

std::string WithoutTrailingSlash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

Result<std::string> RecoveryRootFor(const ParsedArgs& args, std::string_view db_path) {
  if (const std::string* root = args.Find("--recovery-root")) {
    if (root->empty()) return Status::InvalidArgument("--recovery-root needs a directory");
    return *root;
  }
  return WithoutTrailingSlash(db_path) + ".recovery";
}

bool LooksLikeRecoveryPath(const std::string& path) {
  const fs::path dir(WithoutTrailingSlash(path));
  if (!IsDirectory(dir) || IsFile(dir / "CURRENT")) return false;
  return IsFile(dir / kManifestFile) || IsDirectory(dir / kDbDir) || HoldsRecoverySnapshots(dir);
}

Result<RecoverySnapshot> OpenRecoveryForCli(const std::string& path) {
  const std::string clean = WithoutTrailingSlash(path);
  const fs::path dir(clean);
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (st.type() == fs::file_type::not_found)
    return Status::NotFound(fmt::format("no recovery snapshot at {}", clean));
  if (ec) return Status::IOError(fmt::format("{}: {}", clean, ec.message()));
  if (st.type() != fs::file_type::directory)
    return Status::FailedPrecondition(
        fmt::format("{} is not a recovery snapshot (not a directory)", clean));
  if (dir.extension() == kTmpSuffix)
    return Status::FailedPrecondition(fmt::format(
        "{} is an incomplete recovery snapshot left by an interrupted snapshot; it cannot "
        "be read",
        clean));
  if (!fs::exists(dir / kManifestFile, ec)) {
    if (IsFile(dir / "CURRENT"))
      return Status::FailedPrecondition(
          fmt::format("{} is a database, not a recovery snapshot (no MANIFEST)", clean));
    if (HoldsRecoverySnapshots(dir))
      return Status::FailedPrecondition(
          fmt::format("{} holds recovery snapshots but is not one; list them with "
                      "`journal recoveries DB --recovery-root {}`",
                      clean, clean));
  }
  Result<RecoverySnapshot> snapshot = OpenRecoverySnapshot(clean);
  if (!snapshot.ok()) return snapshot.status();
  if (!IsDirectory(snapshot->db_path))
    return Status::NotFound(fmt::format("recovery snapshot {} has no database: {} is missing",
                                        clean, snapshot->db_path));
  return snapshot;
}

Result<std::unique_ptr<Database>> OpenSnapshotDatabase(const RecoverySnapshot& snapshot) {
  Options options;
  options.read_only = true;
  options.create_if_missing = false;
  Result<std::unique_ptr<Database>> db = Database::Open(snapshot.db_path, options);
  if (!db.ok())
    return Status(db.status().code(),
                  fmt::format("recovery snapshot {}: {}", snapshot.path, db.status().message()));
  return db;
}

Result<DivergedRangeCheck> CheckDivergedRange(const Database& snapshot_db,
                                              const RecoveryManifest& m) {
  DivergedRangeCheck c;
  Result<DatabaseInfo> info = snapshot_db.Info();
  if (!info.ok()) return info.status();
  const std::pair<std::string_view, std::pair<uint64_t, uint64_t>> cursors[] = {
      {"client id", {m.old_client_id, info->client_id}},
      {"epoch", {m.old_epoch, info->epoch}},
      {"download cursor", {m.download_cursor, info->download_cursor}},
      {"upload cursor", {m.upload_cursor, info->upload_cursor}},
  };
  for (const auto& [what, values] : cursors)
    if (values.first != values.second)
      AddProblem(c, fmt::format("manifest says {} {}, the snapshot database has {}", what,
                                values.first, values.second));

  // Acknowledged entries form a prefix of the journal, so every entry above
  // the upload cursor must lie in the diverged range, and the range must
  // reach the journal's end.
  const bool any = m.diverged_entries > 0;
  Lsn from = m.upload_cursor == std::numeric_limits<uint64_t>::max()
                 ? std::numeric_limits<uint64_t>::max()
                 : m.upload_cursor + 1;
  if (any && m.first_diverged_lsn < from) from = m.first_diverged_lsn;
  Lsn expected = m.first_diverged_lsn;
  JournalReader reader = snapshot_db.ReadJournal(from);
  for (; reader.Valid(); reader.Next()) {
    const Lsn lsn = reader.entry().lsn;
    if (!any || lsn < m.first_diverged_lsn) {
      AddProblem(c, fmt::format("journal entry lsn {} is above the upload cursor {} but outside "
                                "the manifest's diverged range",
                                lsn, m.upload_cursor));
      continue;
    }
    if (lsn > m.last_diverged_lsn) {
      AddProblem(c, fmt::format("journal entry lsn {} follows the manifest's diverged range "
                                "(which ends at lsn {})",
                                lsn, m.last_diverged_lsn));
      continue;
    }
    if (lsn != expected) AddProblem(c, MissingLsns(expected, lsn - 1));
    expected = lsn + 1;
    ++c.entries;
    c.ops += reader.entry().ops.size();
  }
  if (!reader.status().ok()) {
    // A damaged entry is a finding; anything else means the check did not run.
    if (!reader.status().IsCorruption()) return reader.status();
    AddProblem(c, fmt::format("journal: {}", reader.status().message()));
  } else if (any && expected <= m.last_diverged_lsn) {
    AddProblem(c, MissingLsns(expected, m.last_diverged_lsn));
  }
  if (c.entries != m.diverged_entries)
    AddProblem(c, fmt::format("manifest counts {} diverged entries, the journal holds {}",
                              m.diverged_entries, c.entries));
  if (c.ops != m.diverged_ops)
    AddProblem(c, fmt::format("manifest counts {} diverged ops, the journal holds {}",
                              m.diverged_ops, c.ops));
  return c;
}

}  // namespace journaldb::cli
