// InfoLog: RocksDB's diagnostic log (DIR/LOG) for the engine's and the
// server's stores, written so that a write it cannot make is dropped, not
// fatal. RocksDB's own logger appends through a WritableFileWriter, which in
// Debian's RocksDB build (assertions kept) aborts the process on the append
// after a failed one: a full disk or a file-size limit reached by the LOG
// ended the process, at open or at close, after a commit had been stored
// (docs/api.md, "Durability").
//
// Lines are held in memory (up to `max_bytes`) until Start(), which renames
// the previous LOG to LOG.old (replacing it), starts a new one and writes
// them: RocksDB logs while it opens, before it takes the database's lock, and
// an open that then fails because another process holds the lock must leave
// that process's LOG alone. A LOG that reaches `max_bytes` rolls the same way. A line that
// cannot be written (ENOSPC, EFBIG, EIO) is lost; the next one is tried
// again. A LOG that cannot be created at all (a read-only directory) logs
// nothing, as RocksDB does then. Read-only opens get none: RocksDB writes
// no LOG for them either.
//
//   std::shared_ptr<InfoLog> log = OpenInfoLog(path, 1 << 20);
//   std::unique_ptr<rocksdb::Env> env = EnvStartingLogAtLock(log);
//   db_options.info_log = log;
//   db_options.env = env.get();
//   rocksdb::Status s = rocksdb::DB::Open(db_options, ...);
//   if (!FromRocks(s, path).IsBusy()) log->Start();  // failed before the lock
//
// Thread safety: RocksDB logs from every thread; a mutex orders the lines.
// Internal: not installed.
#ifndef JOURNALDB_JOURNAL_INFO_LOG_H_
#define JOURNALDB_JOURNAL_INFO_LOG_H_

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <cstddef>
#include <memory>
#include <string>

namespace journaldb {

inline constexpr const char* kInfoLogFile = "LOG";
inline constexpr const char* kOldInfoLogFile = "LOG.old";

class InfoLog : public rocksdb::Logger {
 public:
  // Rolls LOG to LOG.old, opens a new LOG and writes the lines held so far;
  // later lines go straight to it. Once; later calls do nothing.
  virtual void Start() = 0;
};

// A log of `dir` holding its lines until Start(); never started, it writes
// nothing.
std::shared_ptr<InfoLog> OpenInfoLog(const std::string& dir, size_t max_bytes);

// The default Env, but `log` starts the moment RocksDB holds the database's
// lock: an open that dies past it (killed, aborted, hung in recovery) leaves
// its lines in LOG. Must outlive the DB opened with it.
std::unique_ptr<rocksdb::Env> EnvStartingLogAtLock(std::shared_ptr<InfoLog> log);

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_INFO_LOG_H_
