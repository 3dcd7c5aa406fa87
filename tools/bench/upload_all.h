// UploadEverything: brings a database's upload cursor to its last lsn by
// uploading every journal entry to a fresh journal-server (the server
// library, in process, over loopback TCP), so a later recovery snapshot
// counts only what was committed after it as diverged.
#ifndef JOURNALDB_TOOLS_BENCH_UPLOAD_ALL_H_
#define JOURNALDB_TOOLS_BENCH_UPLOAD_ALL_H_

#include <string>

#include "journaldb/database.h"

namespace journaldb::bench {

// The server's data lives in `server_dir` (created; the caller removes it).
Status UploadEverything(Database& db, const std::string& server_dir);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_UPLOAD_ALL_H_
