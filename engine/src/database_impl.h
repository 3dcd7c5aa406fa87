// DatabaseImpl: the engine behind the public Database. Private to engine/.
#ifndef JOURNALDB_ENGINE_DATABASE_IMPL_H_
#define JOURNALDB_ENGINE_DATABASE_IMPL_H_

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "journaldb/database.h"
#include "journaldb/engine/commit_marker.h"
#include "journaldb/journal/store.h"

namespace journaldb {

namespace sync {
class Integrator;
class Session;
}  // namespace sync

struct Snapshot::Rep {
  rocksdb::DB* db = nullptr;
  const rocksdb::Snapshot* snapshot = nullptr;
};

class DatabaseImpl final : public Database {
 public:
  // `env` may be nullptr for the default (see open_with_env.h).
  static Result<std::unique_ptr<Database>> Open(const std::string& path, const Options& options,
                                                rocksdb::Env* env);
  ~DatabaseImpl() override;

  Transaction BeginTransaction() override { return Transaction(this); }
  Result<Object> Get(std::string_view collection, std::string_view key,
                     const ReadOptions& options) const override;
  Result<Value> GetField(std::string_view collection, std::string_view key,
                         std::string_view field, const ReadOptions& options) const override;
  ObjectIterator Scan(std::string_view collection, const ReadOptions& options) const override;
  Result<std::vector<std::string>> ListCollections(const ReadOptions& options) const override;
  std::unique_ptr<Snapshot> GetSnapshot() const override;
  JournalReader ReadJournal(Lsn from) const override;
  Result<DatabaseInfo> Info() const override;
  Result<VerifyReport> Verify() const override;
  SyncSession* sync_session() const override;
  // Tells the sync session a transaction committed (transaction.cc).
  void NotifyCommitted();

  // Commits `ops` as one journal entry (commit.cc). Borrows `ops` to encode
  // the entry without copying them; they are as given when Commit returns.
  // `marker`, if not null, is written to the meta column family in the same
  // batch (commit_marker.h).
  Result<Lsn> Commit(std::vector<Operation>& ops, const CommitMarker* marker = nullptr);

  // A marker alone, with the database's durability (commit_marker.cc).
  Status WriteMarker(const CommitMarker& marker);

  // Transaction::Commit, with an optional marker in the same batch.
  static Result<Lsn> CommitTransaction(Transaction& txn, const CommitMarker* marker);

  static const rocksdb::Snapshot* RocksSnapshot(const ReadOptions& options);
  const Store& store() const { return *store_; }

 private:
  DatabaseImpl(std::string path, Options options, std::unique_ptr<Store> store);

  // A prepared commit waiting in the group-commit queue.
  struct Writer;
  // Builds the write batch for `ops` against the latest state including
  // prepared-but-unwritten commits. REQUIRES: mu_ held.
  Status Prepare(std::vector<Operation>& ops, const CommitMarker* marker, Writer& w);
  // Current object state as commits see it. REQUIRES: mu_ held.
  Result<std::optional<FieldMap>> LoadForCommit(const std::string& state_key,
                                                std::string_view collection,
                                                std::string_view key);

  const Options options_;
  std::unique_ptr<Store> store_;

  std::mutex mu_;
  // Prepared commits not yet written, in lsn order; the front is the group
  // leader. Each holds the objects as it leaves them, so later commits build
  // on them (LoadForCommit).
  std::deque<Writer*> writers_;
  Lsn last_lsn_ = 0;    // highest lsn assigned
  Status write_error_;  // sticky: after a failed write no commit is accepted
  // Cursors tagged onto each entry (written by sync; read at commit).
  uint64_t client_id_ = 0;
  uint64_t epoch_ = 0;
  uint64_t download_cursor_ = 0;

  // Sync integration (sync/integrator.cc) sets the barrier, waits on the cv
  // until writers_ is empty, and rewrites state under mu_; Commit waits while
  // the barrier is up and notifies the cv when writers_ drains.
  friend class sync::Integrator;
  bool sync_barrier_ = false;
  std::condition_variable sync_idle_cv_;
  // Declared last: stopped and destroyed before everything it uses.
  std::unique_ptr<sync::Session> session_;
};

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_DATABASE_IMPL_H_
