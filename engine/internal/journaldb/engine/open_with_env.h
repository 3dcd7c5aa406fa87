// Opening a Database over a caller-supplied RocksDB Env: how tests plug in a
// fault-injecting file system. Internal: visible to journaldb components and
// tests at build time, never installed (embedders use Database::Open).
#ifndef JOURNALDB_ENGINE_OPEN_WITH_ENV_H_
#define JOURNALDB_ENGINE_OPEN_WITH_ENV_H_

#include <rocksdb/env.h>

#include <memory>
#include <string>

#include "journaldb/database.h"

namespace journaldb {

// As Database::Open, with every file operation going through `env`.
// REQUIRES: `env` outlives the returned database. nullptr means the default.
Result<std::unique_ptr<Database>> OpenWithEnv(const std::string& path, const Options& options,
                                              rocksdb::Env* env);

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_OPEN_WITH_ENV_H_
