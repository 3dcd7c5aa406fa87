// Options for opening a database. A plain struct: set the fields you need,
// the defaults are what most apps want.
//
//   journaldb::Options options;
//   options.durability = journaldb::Durability::kSyncEveryCommit;
//   auto db = journaldb::Database::Open("/data/app.journaldb", options);
//
// Thread safety: a value type.
#ifndef JOURNALDB_OPTIONS_H_
#define JOURNALDB_OPTIONS_H_

namespace journaldb {

enum class Durability {
  // Each commit is in RocksDB's write-ahead log before Commit() returns, but
  // not fsynced: it survives a process crash, and a power loss may lose the
  // last commits (never part of one).
  kBuffered,
  // Each commit is fsynced before Commit() returns; it survives power loss.
  // Concurrent committers share one fsync (group commit).
  kSyncEveryCommit,
};

struct Options {
  // Create the database directory and an empty database if none exists.
  // Default: true.
  bool create_if_missing = true;

  // Open for reads only (no transactions). Other processes may hold the
  // database open for writing meanwhile. Default: false.
  bool read_only = false;

  // When a commit is durable. Default: kBuffered.
  Durability durability = Durability::kBuffered;
};

}  // namespace journaldb

#endif  // JOURNALDB_OPTIONS_H_
