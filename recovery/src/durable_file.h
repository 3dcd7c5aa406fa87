// Small POSIX helpers for the snapshot commit protocol: a manifest that is on
// disk before the next step runs, and read back with a size bound. Directory
// fsyncs are journaldb/journal/util/fsync.h.
#ifndef JOURNALDB_RECOVERY_DURABLE_FILE_H_
#define JOURNALDB_RECOVERY_DURABLE_FILE_H_

#include <string>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::recovery {

// Creates `path` (which must not exist), writes `bytes`, fsyncs, closes.
Status WriteFileDurably(const std::string& path, std::string_view bytes);

// Reads a whole file of at most `max_bytes`; not-found if missing.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);

}  // namespace journaldb::recovery

#endif  // JOURNALDB_RECOVERY_DURABLE_FILE_H_
