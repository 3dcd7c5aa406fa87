// InfoLog: RocksDB's diagnostic log (DIR/LOG) for the engine's and the
// server's stores, written so that a write it cannot make is dropped, not
// fatal. RocksDB's own logger appends through a WritableFileWriter, which in
// Debian's RocksDB build (assertions kept) aborts the process on the append
// after a failed one: a full disk or a file-size limit reached by the LOG
// ended the process, at open or at close, after a commit had been stored
// (docs/api.md, "Durability").
//
// Each open renames the previous LOG to LOG.old (replacing it) and starts a
// new one; one that reaches `max_bytes` rolls the same way. A line that
// cannot be written (ENOSPC, EFBIG, EIO) is lost; the next one is tried
// again. A LOG that cannot be created at all (a read-only directory) logs
// nothing, as RocksDB does then. Read-only opens get none: RocksDB writes
// no LOG for them either.
//
//   db_options.info_log = OpenInfoLog(path, 1 << 20);
//
// Thread safety: RocksDB logs from every thread; a mutex orders the lines.
// Internal: not installed.
#ifndef JOURNALDB_JOURNAL_INFO_LOG_H_
#define JOURNALDB_JOURNAL_INFO_LOG_H_

#include <rocksdb/env.h>

#include <cstddef>
#include <memory>
#include <string>

namespace journaldb {

inline constexpr const char* kInfoLogFile = "LOG";
inline constexpr const char* kOldInfoLogFile = "LOG.old";

std::shared_ptr<rocksdb::Logger> OpenInfoLog(const std::string& dir, size_t max_bytes);

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_INFO_LOG_H_
