// DatabaseImpl: the engine behind the public Database. Private to engine/.
#ifndef JOURNALDB_ENGINE_DB_IMPL_H_
#define JOURNALDB_ENGINE_DB_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "change_notifier.h"
#include "journaldb/client_reset.h"
#include "journaldb/database.h"
#include "journaldb/engine/commit_marker.h"
#include "journaldb/journal/codec.h"
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
  Result<ChangeSubscription> Observe(std::string_view collection,
                                     ChangeCallback callback) override;
  Result<ChangeSubscription> ObserveObject(std::string_view collection, std::string_view key,
                                           ChangeCallback callback) override;
  // Change notifications (db_impl_observe.cc). observed(): someone listens,
  // so writers compute deltas. The publishers REQUIRE commits held or mu_
  // held, and the write done: that keeps deliveries in commit order.
  bool observed() const { return notifier_.active(); }
  void PublishChanges(ChangeCause cause, const std::vector<ObjectDelta>& deltas) {
    notifier_.Publish(cause, deltas);
  }
  void PublishReset() { notifier_.PublishReset(); }
  bool reset_pending() const { return reset_pending_; }
  // Tells the sync session a transaction committed (transaction.cc).
  void NotifyCommitted();

  // Commits `ops` as one journal entry (commit.cc). Borrows `ops` to encode
  // the entry without copying them; they are as given when Commit returns.
  // `marker`, if not null, is written to the meta column family in the same
  // batch (commit_marker.h).
  Result<Lsn> Commit(std::vector<Operation>& ops, const CommitMarker* marker = nullptr);

  // Several transactions, each with its marker, in one write
  // (commit_marker.h, CommitMarkedBatch).
  Result<size_t> CommitMarked(std::span<MarkedCommit> commits);

  // Fsyncs the write-ahead log: every write before it survives power loss.
  Status SyncLog();

  // A marker alone, with the database's durability (commit_marker.cc).
  Status WriteMarker(const CommitMarker& marker);

  // Transaction::Commit, with an optional marker in the same batch.
  static Result<Lsn> CommitTransaction(Transaction& txn, const CommitMarker* marker);

  // Runs `fn` under the commit mutex with commits held off and none in
  // flight: sync integration and the client-reset wipe rewrite state this way.
  Status RunWithCommitsHeld(const std::function<Status()>& fn);

  // Held by a hello of a database without a client id from before it reads
  // the registration secret until it adopts the id the server gave (so two
  // connections do not both register), and by a redraw of the secret, which
  // must not change it under such a hello (sync/connection.cc).
  std::mutex& registration_mu() { return registration_mu_; }

  // Client reset (db_impl_client_reset.cc, journaldb/client_reset.h): the
  // engine records the demand and hands the reset to the strategy.
  // The server demanded a reset: records it (fsynced, RecordClientResetDemand),
  // then hands it to the strategy. OK once local data is wiped (reconnect to
  // download the server state); otherwise the status to report.
  Status HandleClientResetDemand(std::string reason, std::string message,
                                 uint64_t restored_latest_version, const Status& as_status);
  // A download caught up with the server: finishes a wiped reset.
  Status AfterServerStateDownloaded();
  // Open found a pending reset: the strategy resumes it at its step.
  Status ResumeClientResetAtOpen();
  // Called by the wipe: forget the cursors tagged onto entries.
  void ForgetSyncIdentity();

  // The cursors every commit tags its entry with (guarantee 3), set by sync
  // (sync/integrator.cc) after it stored them. REQUIRES: commits held
  // (RunWithCommitsHeld), so no commit reads them meanwhile.
  void SetSyncIdentity(uint64_t client_id, uint64_t epoch) {
    client_id_ = client_id;
    epoch_ = epoch;
  }
  // The client id commits are tagged with; 0 before the first registration.
  // REQUIRES: commits held (RunWithCommitsHeld).
  uint64_t client_id() const { return client_id_; }
  void SetDownloadCursor(uint64_t download_cursor) { download_cursor_ = download_cursor; }
  void set_reset_pending(bool pending) { reset_pending_ = pending; }
  void set_reset_unsynced(bool unsynced) { reset_unsynced_ = unsynced; }
  // Both directions are caught up and no reset is pending: a reset that
  // finished before is synced, so a later demand is no loop
  // (meta client_reset_unsynced).
  Status ConfirmSyncedSinceClientReset();
  // What the last reset a strategy finished did (LastClientResetOutcome);
  // TakeUnreportedResetOutcome hands it to one SyncOnce report.
  void SetResetOutcome(ClientResetOutcome outcome);
  std::optional<ClientResetOutcome> last_reset_outcome() const;
  std::optional<ClientResetOutcome> TakeUnreportedResetOutcome();
  const Options& options() const { return options_; }
  // A new list element id above every id in `list` (nullptr: no list yet)
  // and unique to this open (transaction_list.cc).
  ElementId NextElementId(const Value* list);

  static const rocksdb::Snapshot* RocksSnapshot(const ReadOptions& options);
  const Store& store() const { return *store_; }
  Store& mutable_store() { return *store_; }

 private:
  DatabaseImpl(std::string path, Options options, std::unique_ptr<Store> store);

  // A prepared commit waiting in the group-commit queue.
  struct Writer;
  // Builds the write batch for `ops` against the latest state including
  // prepared-but-unwritten commits. REQUIRES: mu_ held.
  // A writer may prepare several transactions in turn: each appends to its
  // batch and objects, and its lsn is the last one's.
  Status Prepare(std::vector<Operation>& ops, const CommitMarker* marker, Writer& w);
  // Observe and ObserveObject (key: nullopt for the whole collection).
  Result<ChangeSubscription> Subscribe(std::string_view collection,
                                       std::optional<std::string> key, ChangeCallback callback);
  // Takes mu_ into `lock` once no sync barrier is up. Fails on a read-only
  // database and after an earlier write error (the caller returns, and
  // `lock` releases mu_).
  Status LockForCommit(std::unique_lock<std::mutex>& lock);
  // Returns once `w`'s batch is written, by this thread as group leader or
  // by another; throws nothing. REQUIRES: `lock` holds mu_, `w` is prepared
  // and queued (writers_).
  Status WriteQueued(Writer& w, std::unique_lock<std::mutex>& lock);
  static const std::optional<FieldMap>* PreparedState(const Writer& w,
                                                      const std::string& state_key);
  // Current object state as commits see it, `w`'s own earlier transactions
  // included. REQUIRES: mu_ held.
  Result<std::optional<FieldMap>> LoadForCommit(Writer& w, const std::string& state_key,
                                                std::string_view collection,
                                                std::string_view key);

  const Options options_;
  std::unique_ptr<Store> store_;

  std::mutex mu_;
  std::mutex registration_mu_;
  // Prepared commits not yet written, in lsn order; the front is the group
  // leader. Each holds the objects as it leaves them, so later commits build
  // on them (LoadForCommit).
  std::deque<Writer*> writers_;
  Lsn last_lsn_ = 0;    // highest lsn assigned
  // Running counts through the last committed entry, stored with each new
  // entry (journaldb/engine/diverged_count.h); zero after an open that found
  // none. Advanced with last_lsn_.
  codec::JournalTally tally_;
  Status write_error_;  // sticky: after a failed write no commit is accepted
  // Cursors tagged onto each entry (set through SetSyncIdentity and
  // SetDownloadCursor; read at commit).
  uint64_t client_id_ = 0;
  uint64_t epoch_ = 0;
  uint64_t download_cursor_ = 0;

  // RunWithCommitsHeld sets the barrier, waits on the cv until writers_ is
  // empty, and runs its function under mu_; Commit waits while the barrier
  // is up and notifies the cv when writers_ drains.
  bool sync_barrier_ = false;
  std::condition_variable sync_idle_cv_;
  // A client reset is recorded (client_reset_record.cc); checked after each
  // download.
  std::atomic<bool> reset_pending_{false};
  std::mutex reset_mu_;  // one reset step at a time (session, SyncOnce, Open)
  // meta client_reset_unsynced is set (loaded at Open).
  std::atomic<bool> reset_unsynced_{false};
  mutable std::mutex outcome_mu_;  // guards the two below
  std::optional<ClientResetOutcome> last_reset_outcome_;
  bool reset_outcome_reported_ = true;

  // List element ids: a random replica per open and the last counter given,
  // so ids are unique across clients and opens without coordination.
  const uint64_t element_replica_;
  std::atomic<uint64_t> element_counter_{0};

  // Subscriptions and the notifier thread; stopped in ~DatabaseImpl, after
  // the session and before the store.
  ChangeNotifier notifier_;

  // Declared last: stopped and destroyed before everything it uses.
  std::unique_ptr<sync::Session> session_;
};

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_DB_IMPL_H_
