#include "database_open.h"

#include <fmt/format.h>

#include "journaldb/client_reset.h"
#include "manifest_output.h"
#include "recovery_open.h"

namespace journaldb::cli {

Outcome OpenFailed(const std::string& path, const Status& s) {
  if (!s.IsCorruption()) return Outcome::Failed(s);
  const std::string db = DisplayText(path);
  return Outcome::Damaged(Status::Corruption(fmt::format(
      "the database {} is damaged and cannot be trusted: {}. Next: keep its files (move the "
      "directory aside, do not delete it), then restore {} from a backup, or sync a fresh copy "
      "from the server (journal sync NEW.db --server HOST:PORT). Writes it had not uploaded are "
      "lost unless a recovery snapshot holds them: journal recoveries {} lists those under {}",
      db, s.message(), db, db, DisplayText(DefaultRecoveryRoot(path)))));
}

Result<std::unique_ptr<Database>> OpenForRead(const std::string& path) {
  Options options;
  options.read_only = true;
  options.create_if_missing = false;
  return Database::Open(path, options);
}

Result<std::unique_ptr<Database>> OpenForWrite(const std::string& path, bool create_if_missing,
                                               std::shared_ptr<ClientResetStrategy> client_reset) {
  if (Status s = RefuseWritesInRecovery(path); !s.ok()) return s;
  Options options;
  options.create_if_missing = create_if_missing;
  options.client_reset = std::move(client_reset);
  // One commit per invocation: the fsync is cheap and "committed" on the
  // terminal then survives a power loss too.
  options.durability = Durability::kSyncEveryCommit;
  return Database::Open(path, options);
}

Outcome CommitTransaction(const std::string& path, bool create_if_missing,
                          const std::function<Status(Database& db, Transaction& txn)>& write,
                          Committed* committed) {
  Result<std::unique_ptr<Database>> db = OpenForWrite(path, create_if_missing);
  if (!db.ok()) return OpenFailed(path, db.status());
  Transaction txn = (*db)->BeginTransaction();
  if (Status s = write(**db, txn); !s.ok()) return Outcome::Failed(s);
  Result<Lsn> lsn = txn.Commit();
  if (!lsn.ok()) return Outcome::Failed(lsn.status());
  committed->db = std::move(db).value();
  committed->lsn = *lsn;
  return Outcome::Ok();
}

Outcome CommitOps(const std::string& path, bool create_if_missing, std::vector<Operation> ops,
                  Committed* committed) {
  for (const Operation& op : ops)
    if (Status s = op.Validate(); !s.ok()) return Outcome::Usage(s.message());
  return CommitTransaction(
      path, create_if_missing,
      [&ops](Database&, Transaction& txn) {
        for (Operation& op : ops)
          if (Status s = txn.Write(std::move(op)); !s.ok()) return s;
        return Status::OK();
      },
      committed);
}

}  // namespace journaldb::cli
