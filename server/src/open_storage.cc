#include <fmt/format.h>

#include "journaldb/server/server_storage.h"
#include "journaldb/server/server_store.h"
#include "postgres/postgres_store.h"

namespace journaldb::server {

Result<std::unique_ptr<ServerStorage>> OpenStorage(const StorageLocation& location, bool create) {
  if (location.data_dir.empty() == location.postgres.empty())
    return Status::InvalidArgument("exactly one of a data directory and a PostgreSQL database");
  if (!location.postgres.empty()) {
    Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(location.postgres);
    if (!store.ok()) return store.status();
    return std::unique_ptr<ServerStorage>(std::move(store).value());
  }
  Result<std::unique_ptr<ServerStore>> store = ServerStore::Open(location.data_dir, create);
  if (!store.ok()) return store.status();
  return std::unique_ptr<ServerStorage>(std::move(store).value());
}

uint64_t StorageFilesNeeded(const StorageLocation& location) {
  return location.postgres.empty() ? ServerStore::FilesNeeded() : PostgresStore::FilesNeeded();
}

}  // namespace journaldb::server
