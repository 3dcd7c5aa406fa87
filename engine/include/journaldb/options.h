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

#include <cstdint>
#include <memory>
#include <string>

#include "journaldb/memory_budget.h"

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

// How a database syncs with a journal-server (docs/protocol.md).
struct SyncOptions {
  // "host:port" of the server. Empty: no background sync session. Anything
  // else that is not HOST:PORT makes Database::Open fail with
  // invalid-argument (ValidateSyncOptions in journaldb/sync.h). Default: empty.
  std::string server;
  // Shared secret the server demands. Default: empty.
  std::string token;
  // Speak TLS to the server, which must show a certificate that is trusted
  // (signed by a certificate in `tls_ca_file`, or the system's trust store
  // when that is empty) and names the host of `server`. An untrusted
  // certificate stops sync with failed-precondition. Default: false.
  bool tls = false;
  // PEM file of the certificates the server's must chain to; requires
  // `tls`. Default: empty.
  std::string tls_ca_file;
  // Reconnect delays after a failed connection double from the first to the
  // second. Defaults: 100 ms and 10 s.
  uint32_t min_backoff_ms = 100;
  uint32_t max_backoff_ms = 10000;
  // How long an idle session's download request waits on the server for new
  // changesets before asking again (a local commit cuts the wait short; the
  // server caps it at 5 s). Default: 200 ms.
  uint32_t download_wait_ms = 200;
};

class ClientResetStrategy;  // journaldb/client_reset.h

// How long journal entries the server acknowledged are kept. They are not
// needed for sync any more, but a server restored from an older backup can
// roll them back, and only a kept entry can be recovered then
// (docs/client-reset.md). An acknowledged entry is removed once it is older
// than `keep_seconds` AND is not among the `keep_entries` newest acknowledged
// entries. Entries never acknowledged are always kept.
struct RetentionOptions {
  // Default: 10,000 entries.
  uint64_t keep_entries = 10000;
  // Default: 7 days. Any value up to UINT64_MAX: one longer than the clock
  // has run (UINT64_MAX, say) keeps every acknowledged entry for good.
  uint64_t keep_seconds = 7 * 24 * 3600;
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

  // With a server set, Open starts a background sync session
  // (Database::sync_session()). Default: no sync.
  SyncOptions sync;

  // What to do when the server demands a client reset: one of the strategies
  // in journaldb/client_reset_strategy.h. Default: none, which leaves the
  // reset pending and stops the session with client-reset-required; nothing
  // local is touched until the app executes the reset.
  std::shared_ptr<ClientResetStrategy> client_reset;

  // Retention of acknowledged journal entries. Default: see RetentionOptions.
  RetentionOptions retention;

  // Memory RocksDB may use for this open database: one block cache holding
  // data, index and filter blocks, with the memtables charged to it (half of
  // the budget at most), so memory stays flat as the data grows. Each open
  // database (a recovery snapshot opened for replay too) has its own budget;
  // the process adds its heap and thread stacks. 0 (kNoMemoryBudget): none,
  // RocksDB's defaults, memory growing with the data. Anything else must lie
  // within [kMinMemoryBudgetBytes, kMaxMemoryBudgetBytes] (8 MiB, 1 TiB;
  // journaldb/memory_budget.h), else Open fails with invalid-argument.
  // Default: 64 MiB (kDefaultMemoryBudgetBytes; docs/api.md, "Memory").
  uint64_t memory_budget_bytes = kDefaultMemoryBudgetBytes;
};

}  // namespace journaldb

#endif  // JOURNALDB_OPTIONS_H_
