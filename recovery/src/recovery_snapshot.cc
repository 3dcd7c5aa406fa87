#include "journaldb/recovery_snapshot.h"

#include <fmt/format.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <random>

#include "durable_file.h"
#include "journaldb/engine/checkpoint.h"
#include "manifest_codec.h"

namespace journaldb {

namespace fs = boost::filesystem;

namespace {
constexpr char kManifestFile[] = "MANIFEST";
constexpr char kDbDir[] = "db";
constexpr char kTmpSuffix[] = ".tmp";

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sortable by time, unique by a random suffix: 20261126T124501Z-1a2b3c4d.
std::string NewRecoveryId(int64_t now_us) {
  std::time_t secs = static_cast<std::time_t>(now_us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::random_device rd;
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z-{:08x}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rd());
}

Status FsError(std::string_view what, const fs::path& p, const boost::system::error_code& ec) {
  return Status::IOError(fmt::format("{} {}: {}", what, p.string(), ec.message()));
}

// Counts the diverged entries of the checkpoint, reading it back: a snapshot
// is declared complete only after its journal decodes.
Status FillDivergedRange(const std::string& db_path, RecoveryManifest& m) {
  Options ro;
  ro.read_only = true;
  ro.create_if_missing = false;
  Result<std::unique_ptr<Database>> snap = Database::Open(db_path, ro);
  if (!snap.ok()) return snap.status();
  Result<DatabaseInfo> info = (*snap)->Info();
  if (!info.ok()) return info.status();
  m.old_client_id = info->client_id;
  m.old_epoch = info->epoch;
  m.download_cursor = info->download_cursor;
  m.upload_cursor = info->upload_cursor;
  JournalReader r = (*snap)->ReadJournal(info->upload_cursor + 1);
  for (; r.Valid(); r.Next()) {
    if (m.first_diverged_lsn == 0) m.first_diverged_lsn = r.entry().lsn;
    m.last_diverged_lsn = r.entry().lsn;
    ++m.diverged_entries;
    m.diverged_ops += r.entry().ops.size();
  }
  return r.status();
}
}  // namespace

Result<RecoverySnapshot> CreateRecoverySnapshot(const Database& db,
                                                const std::string& recovery_root,
                                                const std::string& reason) {
  boost::system::error_code ec;
  fs::create_directories(recovery_root, ec);
  if (ec) return FsError("create recovery root", recovery_root, ec);

  RecoveryManifest m;
  m.created_time_us = NowMicros();
  m.recovery_id = NewRecoveryId(m.created_time_us);
  m.reason = reason;
  m.original_path = fs::absolute(db.path()).lexically_normal().string();
  m.product_version = "journaldb 0.1.0";

  const fs::path final_dir = fs::path(recovery_root) / m.recovery_id;
  const fs::path tmp_dir = fs::path(recovery_root) / (m.recovery_id + kTmpSuffix);
  fs::create_directory(tmp_dir, ec);
  if (ec) return FsError("create", tmp_dir, ec);

  auto fail = [&](Status s) {
    // Only our own incomplete .tmp directory is removed; the original is untouched.
    boost::system::error_code ignored;
    fs::remove_all(tmp_dir, ignored);
    return s;
  };
  const std::string tmp_db = (tmp_dir / kDbDir).string();
  if (Status s = CreateCheckpoint(db, tmp_db); !s.ok()) return fail(s);
  if (Status s = FillDivergedRange(tmp_db, m); !s.ok()) return fail(s);
  // The manifest is written last: its presence marks a complete checkpoint.
  if (Status s = recovery::WriteFileDurably((tmp_dir / kManifestFile).string(),
                                            recovery::EncodeManifest(m));
      !s.ok())
    return fail(s);
  if (Status s = recovery::FsyncDirectory(tmp_dir.string()); !s.ok()) return fail(s);
  fs::rename(tmp_dir, final_dir, ec);
  if (ec) return fail(FsError("rename to " + final_dir.string(), tmp_dir, ec));
  if (Status s = recovery::FsyncDirectory(recovery_root); !s.ok()) return s;
  return RecoverySnapshot{final_dir.string(), (final_dir / kDbDir).string(), std::move(m)};
}

Result<RecoverySnapshot> OpenRecoverySnapshot(const std::string& snapshot_dir) {
  const fs::path dir(snapshot_dir);
  const std::string manifest_path = (dir / kManifestFile).string();
  Result<std::string> bytes =
      recovery::ReadSmallFile(manifest_path, recovery::kMaxManifestBytes + 16);
  if (!bytes.ok()) {
    if (bytes.status().IsNotFound())
      return Status::NotFound(fmt::format(
          "{} is not a complete recovery snapshot: no MANIFEST", snapshot_dir));
    return bytes.status();
  }
  Result<RecoveryManifest> m = recovery::DecodeManifest(*bytes, manifest_path);
  if (!m.ok()) return m.status();
  if (m->recovery_id != dir.filename().string())
    return Status::Corruption(fmt::format("{}: manifest names recovery {}, directory is {}",
                                          manifest_path, m->recovery_id, dir.filename().string()));
  return RecoverySnapshot{dir.string(), (dir / kDbDir).string(), std::move(m).value()};
}

Result<std::vector<RecoverySnapshot>> ListRecoverySnapshots(const std::string& recovery_root) {
  std::vector<RecoverySnapshot> out;
  boost::system::error_code ec;
  if (!fs::exists(recovery_root, ec)) return out;
  for (fs::directory_iterator it(recovery_root, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (!fs::is_directory(p) || p.extension() == kTmpSuffix) continue;
    Result<RecoverySnapshot> snap = OpenRecoverySnapshot(p.string());
    if (!snap.ok()) return snap.status();
    out.push_back(std::move(snap).value());
  }
  if (ec) return FsError("list", recovery_root, ec);
  std::sort(out.begin(), out.end(), [](const RecoverySnapshot& a, const RecoverySnapshot& b) {
    return a.manifest.recovery_id < b.manifest.recovery_id;
  });
  return out;
}

Result<int> RemoveIncompleteRecoverySnapshots(const std::string& recovery_root) {
  int removed = 0;
  boost::system::error_code ec;
  if (!fs::exists(recovery_root, ec)) return 0;
  std::vector<fs::path> doomed;
  for (fs::directory_iterator it(recovery_root, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == kTmpSuffix) doomed.push_back(it->path());
  if (ec) return FsError("list", recovery_root, ec);
  for (const fs::path& p : doomed) {
    fs::remove_all(p, ec);
    if (ec) return FsError("remove", p, ec);
    ++removed;
  }
  if (removed > 0)
    if (Status s = recovery::FsyncDirectory(recovery_root); !s.ok()) return s;
  return removed;
}

}  // namespace journaldb
