#include "journaldb/engine/checkpoint.h"

#include <fmt/format.h>
#include <rocksdb/utilities/checkpoint.h>

#include "db_impl.h"

namespace journaldb {

Status CreateCheckpoint(const Database& db, const std::string& target_dir) {
  const auto* impl = dynamic_cast<const DatabaseImpl*>(&db);
  if (impl == nullptr)
    return Status::InvalidArgument("checkpoint: not a database opened by journaldb");
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(impl->store().db(), &raw);
  if (!s.ok()) return FromRocks(s, fmt::format("checkpoint {}", db.path()));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush = 0: flush the memtables first, so the checkpoint holds
  // SST files only and needs no WAL replay to open.
  s = checkpoint->CreateCheckpoint(target_dir, /*log_size_for_flush=*/0);
  return FromRocks(s, fmt::format("checkpoint {} into {}", db.path(), target_dir));
}

}  // namespace journaldb
