// ReadObjects: several objects of a database read at once (one RocksDB
// MultiGet), for the replay planner, which reads every object a transaction
// touches. A missing object is nullopt, with no message formatted for it.
// Internal: visible to journaldb components at build time, never installed.
#ifndef JOURNALDB_ENGINE_OBJECT_READS_H_
#define JOURNALDB_ENGINE_OBJECT_READS_H_

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "journaldb/database.h"

namespace journaldb {

// (collection, key); the views must outlive the call.
using ObjectRef = std::pair<std::string_view, std::string_view>;

// The latest state of each object, in the order of `refs`. Thread-safe, as
// Database::Get.
Result<std::vector<std::optional<FieldMap>>> ReadObjects(const Database& db,
                                                        const std::vector<ObjectRef>& refs);

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_OBJECT_READS_H_
