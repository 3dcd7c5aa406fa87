// How the CLI opens databases (docs/cli.md, "Opening the database").
//
// Read commands (get, ls, log, info, verify) open read-only: they never create
// a database (a missing one is not-found "no database at PATH") and they work
// while an app holds the database open for writing. Write commands fail with
// busy while another process holds the database, refuse a recovery
// snapshot's database (RefuseWritesInRecovery), and fsync their commit before
// reporting success; only put and sync create a missing database (a typo in
// del or incr must not leave a new database behind). A database that does
// not open because it is damaged is exit 3 (OpenFailed).
//
// Thread safety: free functions; each call opens its own handle.
#ifndef JOURNALDB_TOOLS_CLI_DATABASE_OPEN_H_
#define JOURNALDB_TOOLS_CLI_DATABASE_OPEN_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "journaldb/database.h"

namespace journaldb::cli {

Result<std::unique_ptr<Database>> OpenForRead(const std::string& path);
// `client_reset`: the strategy for a reset the server demands (sync).
Result<std::unique_ptr<Database>> OpenForWrite(
    const std::string& path, bool create_if_missing,
    std::shared_ptr<ClientResetStrategy> client_reset = nullptr);

// How a command reports that DB did not open: a damaged database (a
// corruption status: a truncated MANIFEST, a missing table file, a bad
// block) exits 3 with what is damaged and the next step, anything else is an
// error (exit 1) as is.
Outcome OpenFailed(const std::string& path, const Status& s);

// What a write command committed; `db` stays open for reading the result.
struct Committed {
  std::unique_ptr<Database> db;
  Lsn lsn = 0;
};

// Opens `path` for writing (creating it only if `create_if_missing`), lets
// `write` fill one transaction (it may read `db`: this process holds the
// write lock, so what it reads is what the transaction sees), and commits it.
// An error from `write` fails the command (exit 1) with nothing written.
Outcome CommitTransaction(const std::string& path, bool create_if_missing,
                          const std::function<Status(Database& db, Transaction& txn)>& write,
                          Committed* committed);

// Validates `ops` (a bad name is a usage error, checked before anything is
// opened), opens `path` for writing (creating it only if `create_if_missing`)
// and commits them as one transaction.
Outcome CommitOps(const std::string& path, bool create_if_missing, std::vector<Operation> ops,
                  Committed* committed);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_DATABASE_OPEN_H_
