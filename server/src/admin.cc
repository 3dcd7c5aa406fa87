#include "journaldb/server/admin.h"

#include <fmt/format.h>
#include <rocksdb/utilities/checkpoint.h>

#include <boost/filesystem.hpp>
#include <fstream>

#include "journaldb/journal/store.h"
#include "journaldb/journal/util/fsync.h"
#include "journaldb/server/server_store.h"
#include "postgres/postgres_store.h"

namespace journaldb::server {

namespace fs = boost::filesystem;

namespace {
constexpr char kBackupMarker[] = "BACKUP-COMPLETE";

Result<std::unique_ptr<ServerStore>> OpenExisting(const std::string& dir) {
  return ServerStore::Open(dir, /*create=*/false);
}
}  // namespace

Result<std::string> TrimBelow(const StorageLocation& location, uint64_t below) {
  auto store = OpenStorage(location, /*create=*/false);
  if (!store.ok()) return store.status();
  Result<uint64_t> removed = (*store)->TrimBelow(below);
  if (!removed.ok()) return removed.status();
  return fmt::format("trimmed {} changesets; horizon {} (latest version {})", *removed,
                     (*store)->horizon(), (*store)->latest_version());
}

Result<std::string> TrimOlderThan(const StorageLocation& location, uint64_t seconds) {
  auto store = OpenStorage(location, /*create=*/false);
  if (!store.ok()) return store.status();
  Result<uint64_t> below = (*store)->FirstVersionYoungerThan(seconds);
  if (!below.ok()) return below.status();
  Result<uint64_t> removed = (*store)->TrimBelow(*below);
  if (!removed.ok()) return removed.status();
  return fmt::format("trimmed {} changesets older than {} s; horizon {} (latest version {})",
                     *removed, seconds, (*store)->horizon(), (*store)->latest_version());
}

Result<std::string> Backup(const std::string& data_dir, const std::string& to) {
  boost::system::error_code ec;
  if (fs::exists(to, ec))
    return Status::FailedPrecondition(fmt::format("backup target {} already exists", to));
  auto store = OpenExisting(data_dir);
  if (!store.ok()) return store.status();
  rocksdb::Checkpoint* raw = nullptr;
  if (Status s = FromRocks(rocksdb::Checkpoint::Create((*store)->db(), &raw), "backup"); !s.ok())
    return s;
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (Status s = FromRocks(checkpoint->CreateCheckpoint(to), fmt::format("backup to {}", to));
      !s.ok())
    return s;
  // The checkpoint fsyncs its files and directory, not the parent, and says
  // nothing about completeness to a later reader: the marker does.
  if (Status s = util::FsyncParentDirectory(to); !s.ok()) return s;
  {
    std::ofstream marker((fs::path(to) / kBackupMarker).string());
    marker << fmt::format("epoch {}\nlatest_version {}\n", (*store)->epoch(),
                          (*store)->latest_version());
    if (!marker) return Status::IOError(fmt::format("write {}/{}", to, kBackupMarker));
  }
  if (Status s = util::FsyncFile((fs::path(to) / kBackupMarker).string()); !s.ok()) return s;
  if (Status s = util::FsyncDirectory(to); !s.ok()) return s;
  return fmt::format("backup of {} at version {} in {}", data_dir, (*store)->latest_version(), to);
}

Result<std::string> Restore(const std::string& data_dir, const std::string& from) {
  boost::system::error_code ec;
  if (!fs::exists(fs::path(from) / kBackupMarker, ec))
    return Status::FailedPrecondition(
        fmt::format("{} is not a complete backup (no {} marker)", from, kBackupMarker));
  // Fails with busy while a server runs on the directory; stays open until
  // the restored store took what it needs from it.
  auto live = ServerStore::Open(data_dir, /*create=*/true);
  if (!live.ok()) return live.status();
  // Build the restored directory beside the live one, then swap by renames so
  // a crash leaves either the old or the new directory in place.
  const fs::path target = fs::absolute(data_dir);
  const fs::path staging = target.string() + ".restoring";
  const fs::path old = target.string() + ".replaced";
  fs::remove_all(staging, ec);
  fs::remove_all(old, ec);
  fs::create_directories(staging, ec);
  if (ec) return Status::IOError(fmt::format("create {}: {}", staging.string(), ec.message()));
  for (fs::directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() == kBackupMarker) continue;
    fs::copy_file(it->path(), staging / it->path().filename(), ec);
    if (ec) break;
  }
  if (ec) return Status::IOError(fmt::format("copy backup {}: {}", from, ec.message()));
  uint64_t epoch = 0, latest = 0;
  {
    auto restored = OpenExisting(staging.string());
    if (!restored.ok()) return restored.status();
    Result<uint64_t> e = (*restored)->StartNewEpoch(live->get());
    if (!e.ok()) return e.status();
    epoch = *e;
    latest = (*restored)->latest_version();
  }
  if (Status s = util::FsyncDirectory(staging.string()); !s.ok()) return s;
  live->reset();
  fs::rename(target, old, ec);
  if (ec) return Status::IOError(fmt::format("move {} aside: {}", target.string(), ec.message()));
  fs::rename(staging, target, ec);
  if (ec) return Status::IOError(fmt::format("move restored data in place: {}", ec.message()));
  if (Status s = util::FsyncParentDirectory(target.string()); !s.ok()) return s;
  fs::remove_all(old, ec);
  return fmt::format("restored {} from {}: new epoch {}, latest version {}", data_dir, from, epoch,
                     latest);
}

Result<std::string> ResetClient(const StorageLocation& location, uint64_t client_id) {
  auto store = OpenStorage(location, /*create=*/false);
  if (!store.ok()) return store.status();
  if (Status s = (*store)->ResetClient(client_id); !s.ok()) return s;
  return fmt::format("client {} must reset at its next connection", client_id);
}

Result<std::string> InitPostgres(const std::string& conninfo) {
  if (Status s = PostgresStore::Init(conninfo); !s.ok()) return s;
  auto store = PostgresStore::Open(conninfo);
  if (!store.ok()) return store.status();
  return fmt::format("created the journaldb schema in {}: epoch {}", (*store)->Describe(),
                     (*store)->epoch());
}

Result<std::string> NewEpoch(const StorageLocation& location, const StorageLocation* replaced) {
  auto store = OpenStorage(location, /*create=*/false);
  if (!store.ok()) return store.status();
  std::unique_ptr<ServerStorage> old;
  if (replaced != nullptr) {
    auto r = OpenStorage(*replaced, /*create=*/false);
    if (!r.ok()) return r.status();
    old = std::move(r).value();
  }
  Result<uint64_t> epoch = (*store)->StartNewEpoch(old.get());
  if (!epoch.ok()) return epoch.status();
  return fmt::format("new epoch {} at latest version {}", *epoch, (*store)->latest_version());
}

}  // namespace journaldb::server
