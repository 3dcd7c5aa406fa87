#include "journaldb/server/admin.h"

#include <fmt/format.h>
#include <rocksdb/utilities/checkpoint.h>

#include <boost/filesystem.hpp>
#include <fstream>

#include "journaldb/journal/store.h"
#include "journaldb/journal/util/fsync.h"
#include "journaldb/server/restore.h"
#include "journaldb/server/server_store.h"
#include "postgres/postgres_store.h"
#include "registration_sweeper.h"

namespace journaldb::server {

namespace fs = boost::filesystem;

namespace {
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
  // Before the store opens, which may finish an interrupted restore.
  Result<std::string> target = CheckBackupTarget(data_dir, to);
  if (!target.ok()) return target.status();
  auto store = OpenExisting(data_dir);
  if (!store.ok()) return store.status();
  rocksdb::Checkpoint* raw = nullptr;
  if (Status s = FromRocks(rocksdb::Checkpoint::Create((*store)->db(), &raw), "backup"); !s.ok())
    return s;
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (Status s = FromRocks(checkpoint->CreateCheckpoint(*target), fmt::format("backup to {}", to));
      !s.ok())
    return s;
  // The checkpoint fsyncs its files and directory, not the parent, and says
  // nothing about completeness to a later reader: the marker does.
  if (Status s = util::FsyncParentDirectory(*target); !s.ok()) return s;
  const std::string marker_path = (fs::path(*target) / kBackupMarker).string();
  {
    std::ofstream marker(marker_path);
    marker << fmt::format("epoch {}\nlatest_version {}\n", (*store)->epoch(),
                          (*store)->latest_version());
    if (!marker) return Status::IOError(fmt::format("write {}", marker_path));
  }
  if (Status s = util::FsyncFile(marker_path); !s.ok()) return s;
  if (Status s = util::FsyncDirectory(*target); !s.ok()) return s;
  return fmt::format("backup of {} at version {} in {}", data_dir, (*store)->latest_version(), to);
}

Result<std::string> ResetClient(const StorageLocation& location, uint64_t client_id) {
  auto store = OpenStorage(location, /*create=*/false);
  if (!store.ok()) return store.status();
  if (Status s = (*store)->ResetClient(client_id); !s.ok()) return s;
  return fmt::format("client {} must reset at its next connection", client_id);
}

Result<std::string> ExpireRegistrations(const StorageLocation& location, uint64_t seconds) {
  auto store = OpenStorage(location, /*create=*/false);
  if (!store.ok()) return store.status();
  Result<uint64_t> removed = ExpireUnusedRegistrations(**store, seconds);
  if (!removed.ok()) return removed.status();
  return fmt::format("removed {} registrations made more than {} s ago and never used", *removed,
                     seconds);
}

Result<std::string> Init(const StorageLocation& location) {
  if (!location.postgres.empty()) return InitPostgres(location.postgres);
  const std::string& dir = location.data_dir;
  // A data directory that a crash left mid-restore is complete once opened;
  // it holds data then.
  if (Status s = FinishInterruptedRestore(dir); !s.ok()) return s;
  boost::system::error_code ec;
  if (fs::exists(fs::path(dir) / "CURRENT", ec))
    return Status::FailedPrecondition(
        fmt::format("{} already holds server data; refusing to start a new history there", dir));
  auto store = ServerStore::Open(dir, /*create=*/true);
  if (!store.ok()) return store.status();
  return fmt::format("created the server data directory {}: epoch {}", dir, (*store)->epoch());
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
