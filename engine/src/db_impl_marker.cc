#include "journaldb/engine/commit_marker.h"

#include <fmt/format.h>

#include "db_impl.h"

namespace journaldb {

Status ValidateMarkerKey(std::string_view key) {
  if (key.size() <= kMarkerKeyPrefix.size() || key.substr(0, kMarkerKeyPrefix.size()) != kMarkerKeyPrefix)
    return Status::InvalidArgument(
        fmt::format("commit marker key must start with {} and name something", kMarkerKeyPrefix));
  return Status::OK();
}

Status DatabaseImpl::WriteMarker(const CommitMarker& marker) {
  if (options_.read_only)
    return Status::FailedPrecondition(fmt::format("{} is open read-only", path()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!write_error_.ok())
      return Status(write_error_.code(),
                    fmt::format("an earlier write failed; reopen the database ({})",
                                write_error_.message()));
  }
  // Only the replayer writes markers, and no prepared commit depends on one:
  // a direct write needs no place in the commit queue.
  GrowingBatch batch;
  if (rocksdb::Status s = batch.Put(store_->meta(), marker.key, marker.value); !s.ok())
    return FromRocks(s, "build write batch");
  return store_->Write(batch, options_.durability == Durability::kSyncEveryCommit);
}

Status DatabaseImpl::SyncLog() {
  if (options_.read_only) return Status::OK();
  return store_->SyncWal();
}

namespace {

DatabaseImpl* Impl(Database& db) { return dynamic_cast<DatabaseImpl*>(&db); }
const DatabaseImpl* Impl(const Database& db) { return dynamic_cast<const DatabaseImpl*>(&db); }
Status NotOurs() { return Status::InvalidArgument("not a database opened by journaldb"); }

}  // namespace

Result<size_t> CommitMarkedBatch(Database& db, std::span<MarkedCommit> commits) {
  DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  for (const MarkedCommit& c : commits)
    if (Status s = ValidateMarkerKey(c.marker.key); !s.ok()) return s;
  Result<size_t> n = impl->CommitMarked(commits);
  if (n.ok())
    for (size_t i = 0; i < *n; ++i)
      if (commits[i].lsn != 0) {
        impl->NotifyCommitted();
        break;
      }
  return n;
}

Status SyncLog(Database& db) {
  DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  return impl->SyncLog();
}

Result<std::vector<std::string>> ListMarkers(const Database& db, std::string_view begin,
                                             std::string_view end) {
  if (Status s = ValidateMarkerKey(begin); !s.ok()) return s;
  if (Status s = ValidateMarkerKey(end); !s.ok()) return s;
  const DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  rocksdb::ReadOptions ro;
  const rocksdb::Slice upper(end.data(), end.size());
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      impl->store().db()->NewIterator(ro, impl->store().meta()));
  std::vector<std::string> keys;
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next())
    keys.push_back(it->key().ToString());
  if (!it->status().ok()) return FromRocks(it->status(), "list markers");
  return keys;
}

Status WriteMarker(Database& db, const CommitMarker& marker) {
  if (Status s = ValidateMarkerKey(marker.key); !s.ok()) return s;
  auto* impl = dynamic_cast<DatabaseImpl*>(&db);
  if (impl == nullptr) return Status::InvalidArgument("not a database opened by journaldb");
  return impl->WriteMarker(marker);
}

Result<std::optional<std::string>> ReadMarker(const Database& db, std::string_view key) {
  if (Status s = ValidateMarkerKey(key); !s.ok()) return s;
  const auto* impl = dynamic_cast<const DatabaseImpl*>(&db);
  if (impl == nullptr) return Status::InvalidArgument("not a database opened by journaldb");
  std::string value;
  rocksdb::Status s =
      impl->store().db()->Get(rocksdb::ReadOptions(), impl->store().meta(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, fmt::format("read marker {}", key));
  return std::optional<std::string>(std::move(value));
}

}  // namespace journaldb
