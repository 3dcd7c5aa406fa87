// PostgresStore: the server's state in one PostgreSQL database, shared by
// any number of server nodes (docs/server.md, "Scaling out on PostgreSQL").
// Versions stay gapless and in commit order: every group commit is one
// transaction that first locks the lineage's counter row. A node learns of
// other nodes' commits by LISTEN/NOTIFY, with a poll once a second for the
// notifications lost while its listener reconnects. Hellos and cursor checks
// read the database, never only the node's cache.
//
//   Status s = PostgresStore::Init("host=/run/pg dbname=sync");  // once
//   auto store = PostgresStore::Open("host=/run/pg dbname=sync").value();
//
// Thread safety: as ServerStorage. Connections come from a small pool; a
// bootstrap snapshot holds one of its own for as long as it lives.
#ifndef JOURNALDB_SERVER_POSTGRES_POSTGRES_STORE_H_
#define JOURNALDB_SERVER_POSTGRES_POSTGRES_STORE_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "journaldb/server/server_storage.h"
#include "pg_connection.h"

namespace journaldb::server {

class PostgresStore final : public ServerStorage {
 public:
  // Creates the schema `journaldb` with a fresh random epoch.
  // FailedPrecondition if the database has it already.
  static Status Init(const std::string& conninfo);
  // Connects to a database Init prepared (FailedPrecondition naming
  // `journal-server init` if it has no schema) and starts the listener.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& conninfo);
  // Descriptors an open store holds at most (StorageFilesNeeded).
  static uint64_t FilesNeeded();
  ~PostgresStore() override;

  std::string Describe() const override;
  uint64_t epoch() const override { return epoch_.load(std::memory_order_acquire); }
  uint64_t latest_version() const override { return latest_.load(std::memory_order_acquire); }
  uint64_t horizon() const override { return horizon_.load(std::memory_order_acquire); }
  Result<uint64_t> ReadLatestVersion() override;
  void SetNewVersionsCallback(std::function<void()> callback) override;
  // Nothing to log: unlike RocksDB, PostgreSQL refuses no later write for
  // an earlier failure, and each failed statement's error says what failed.
  void SetLog(std::function<void(const std::string&)>) override {}

  Result<AdmissionView> ReadAdmissionView(uint64_t client_id, uint64_t client_epoch,
                                          uint64_t download_cursor) override;
  Result<std::optional<uint64_t>> FindClientBySecret(const SecretHash& secret_hash) override;
  Result<uint64_t> RegisterClient(const SecretHash& secret_hash) override;
  Status MarkClientUsed(uint64_t client_id) override;
  // One transaction holding the lineage row's lock; NOTIFY at its commit.
  void AppendUploads(const std::vector<UploadJob*>& jobs) override;
  Status ReadChangesets(uint64_t from, size_t max_bytes,
                        std::vector<wire::Changeset>* out) override;
  Result<std::optional<ChainHash>> ChainHashAt(uint64_t version) override;
  // A REPEATABLE READ transaction on a connection of its own, paged by key.
  Result<std::unique_ptr<StateSnapshot>> NewSnapshot() override;

  Result<uint64_t> TrimBelow(uint64_t below) override;
  Result<uint64_t> FirstVersionYoungerThan(uint64_t age_seconds) override;
  Status ResetClient(uint64_t client_id) override;
  Result<uint64_t> RemoveUnusedRegistrations(int64_t registered_before_us) override;
  Result<uint64_t> StartNewEpoch(ServerStorage* replaced) override;
  Result<std::optional<uint64_t>> ForkVersion(uint64_t old_epoch) override;
  Result<uint64_t> NextClientId() override;

 private:
  class Lease;
  class Snapshot;
  explicit PostgresStore(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  // A pooled connection, returned when the lease ends (dropped if broken).
  Result<Lease> Acquire();
  void Return(pg::PgConnection c);
  // Runs `body` in one transaction on a pooled connection: BEGIN, body,
  // COMMIT; ROLLBACK if body fails. IOError if the database rolls the COMMIT
  // back (a statement failed whose error the body did not return).
  Status InTransaction(const std::function<Status(pg::PgConnection&)>& body);
  // A database initialised before servers kept the chain: creates its table
  // and hashes the history it holds, from the horizon, under the lineage
  // row's lock (docs/server.md, "Scaling out on PostgreSQL").
  Status CompleteChain();
  // A column that a database initialised by an older server lacks: its name
  // and its type after ADD COLUMN, with the default that the rows already
  // there get.
  struct AddedColumn {
    const char* name;
    const char* definition;
  };
  // Adds those of `columns` that journaldb.`table` lacks, in one ALTER TABLE;
  // nothing if it has them all. `table` and the columns are the store's own
  // constants, written into the SQL as they are. `what` names the columns in
  // errors.
  Status AddColumnsIfMissing(const char* table, std::initializer_list<AddedColumn> columns,
                             const char* what);
  // Creates journaldb.`index` on `table` `definition` (columns and an
  // optional WHERE), once, on a database initialised before the index.
  // `index`, `table` and `definition` are the store's own constants, written
  // into the SQL as they are; `what` names the index in errors. At open it
  // waits as long as the build takes; `serving` (a node making it again
  // under its hellos) waits at most a few seconds for the table's lock and
  // its statement timeout for the build.
  Status CreateIndexIfMissing(const char* index, const char* table, bool unique,
                              const char* definition, const char* what, bool serving = false);
  // The index clients_by_secret, at open and when a registration finds it
  // gone (`serving` as above).
  Status CreateSecretIndexIfMissing(bool serving);
  // One registration (RegisterClient); `error_code`: the SQLSTATE if the
  // statement failed.
  Result<uint64_t> RegisterClientOnce(const SecretHash& secret_hash, std::string* error_code);
  // Writes the entry_hash of each origin without one whose changeset is
  // below `below`, a page per transaction (before a trim).
  Status DigestOriginsBelow(uint64_t below);
  // Runs `UPDATE journaldb.clients SET <set>` on client `client_id`'s row;
  // NotFound if there is none. `what` names the step in errors.
  Status UpdateClient(uint64_t client_id, const char* set, const char* what);
  // Reads the lineage row into the cached epoch, latest and horizon.
  Status Refresh(pg::PgConnection& c);
  // Caches an epoch or horizon this process has just committed (a trim, a
  // new epoch), so that a Refresh that read the row before the commit cannot
  // overwrite it with the older value.
  void StoreOwnLineage(std::atomic<uint64_t>& field, uint64_t value);
  // Remembers `latest` if newer; calls the callback if `notify`.
  void SawLatest(uint64_t latest, bool notify);
  void ListenLoop();

  const std::string conninfo_;
  std::string describe_;  // "postgres db=NAME", set by Open
  std::atomic<uint64_t> epoch_{0};
  std::atomic<uint64_t> latest_{0};
  std::atomic<uint64_t> horizon_{0};
  // Counts StoreOwnLineage calls; a Refresh stores the epoch and horizon it
  // read only if none came while it read them.
  std::mutex lineage_mu_;
  uint64_t own_lineage_writes_ = 0;
  // Held through each trim and new epoch of this process, from its
  // transaction to its StoreOwnLineage, so values are cached in commit order.
  std::mutex own_change_mu_;
  // Held by the registration that makes clients_by_secret again; the others
  // meanwhile fail as they would have (the client retries).
  std::mutex index_repair_mu_;

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<pg::PgConnection> idle_;
  int leased_ = 0;

  std::mutex callback_mu_;
  std::function<void()> on_new_versions_;

  // Bootstrap snapshots open, each on a connection of its own (shared with
  // them: one may outlive the store).
  std::shared_ptr<std::atomic<int>> snapshots_open_ = std::make_shared<std::atomic<int>>(0);

  int stop_pipe_[2] = {-1, -1};
  std::thread listener_;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_POSTGRES_POSTGRES_STORE_H_
