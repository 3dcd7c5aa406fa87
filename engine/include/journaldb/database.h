// Database: an embedded, journaled object store. Every committed transaction
// is one RocksDB write batch holding the state change and a journal entry
// tagged with the last synced server version, so local writes can be replayed
// after a client reset (docs/api.md, ../docs/data-model.md).
//
//   auto opened = journaldb::Database::Open("/data/app.journaldb", {});
//   if (!opened.ok()) return opened.status();   // names the path and what was wrong
//   journaldb::Transaction txn = (*opened)->BeginTransaction();
//   if (auto s = txn.Upsert("tasks", "t1", {{"title", journaldb::Value::String("milk")}}); !s.ok()) return s;
//   journaldb::Result<journaldb::Lsn> lsn = txn.Commit();
//
// Thread safety: a Database may be used from many threads at once: reads,
// snapshots, journal readers and transactions (one transaction per thread;
// a Transaction object itself is not thread-safe). Commits are serialised in
// lsn order; concurrent durable commits share one fsync.
//
// Only one process may open a database for writing at a time; a second gets
// a busy status.
#ifndef JOURNALDB_DATABASE_H_
#define JOURNALDB_DATABASE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "journaldb/changes.h"
#include "journaldb/journal_entry.h"
#include "journaldb/object.h"
#include "journaldb/operation.h"
#include "journaldb/options.h"
#include "journaldb/status.h"
#include "journaldb/value.h"

namespace journaldb {

class Database;
class DatabaseImpl;
class SyncSession;  // journaldb/sync.h

// A consistent read-only view of the database at one moment. RAII: releases
// the view when destroyed. REQUIRES: destroyed before its Database.
class Snapshot {
 public:
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 private:
  friend class DatabaseImpl;
  Snapshot() = default;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Reads see the latest committed state unless a snapshot is given.
struct ReadOptions {
  // Not owned; REQUIRES: outlives the read. nullptr: the latest state.
  const Snapshot* snapshot = nullptr;
};

// Buffers operations and commits them atomically as one journal entry.
// Destroying an uncommitted transaction rolls it back.
// REQUIRES: does not outlive its Database.
class Transaction {
 public:
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) noexcept;
  ~Transaction();

  // Each write validates its arguments (invalid-argument) and buffers the op.
  // A transaction that was committed or rolled back refuses further writes
  // (failed-precondition).
  Status Upsert(std::string_view collection, std::string_view key, FieldMap fields);
  Status EraseField(std::string_view collection, std::string_view key, std::string_view field);
  Status EraseObject(std::string_view collection, std::string_view key);
  Status Increment(std::string_view collection, std::string_view key, std::string_view field,
                   int64_t delta);
  Status Write(Operation op);

  // List ops (docs/data-model.md, "Lists"). Each checks the list as this
  // transaction sees it (the object as the transaction's first list op on it
  // read it, with the transaction's ops on it since): not-found if the element or the anchor
  // `after` is not present in it, invalid-argument if the field holds another type. ListInsert
  // creates the list (and the object) if missing and returns the new element's id; ListMove returns
  // the id the element has at its new place (its old id still names it). nullopt `after`: at the
  // head.
  Result<ElementId> ListInsert(std::string_view collection, std::string_view key,
                               std::string_view field, std::optional<ElementId> after, Value value);
  Status ListRemove(std::string_view collection, std::string_view key, std::string_view field,
                    ElementId element);
  Status ListSet(std::string_view collection, std::string_view key, std::string_view field,
                 ElementId element, Value value);
  Result<ElementId> ListMove(std::string_view collection, std::string_view key,
                             std::string_view field, ElementId element,
                             std::optional<ElementId> after);

  // The buffered operations, in order.
  const std::vector<Operation>& ops() const { return ops_; }

  // Applies all buffered ops atomically and returns the entry's lsn. An empty
  // transaction commits nothing and returns failed-precondition. If an op
  // cannot apply (increment of a string field) nothing is written and the
  // transaction stays open, so the caller may roll back.
  Result<Lsn> Commit();

  // Discards the buffered ops. Idempotent.
  void Rollback();

 private:
  friend class DatabaseImpl;
  explicit Transaction(DatabaseImpl* db) : db_(db) {}
  // The list field as this transaction sees it (nullptr: no list), checked
  // to hold `present` elements (transaction_list.cc).
  Result<std::optional<Value>> ListView(const Operation& op,
                                        std::initializer_list<std::optional<ElementId>> present);
  // Validates `op` and buffers it.
  Status Append(Operation op);
  DatabaseImpl* db_;
  std::vector<Operation> ops_;
  bool finished_ = false;
  // The objects list ops checked, by (collection, key): each read once and
  // brought up to date with the ops buffered since, so n list ops on one
  // object fold n ops, not n^2/2.
  struct ObjectView {
    std::optional<FieldMap> object;
    size_t applied = 0;  // ops_[0, applied) are folded into object
  };
  std::map<std::pair<std::string, std::string>, ObjectView> views_;
};

// Iterates the objects of one collection in primary-key order.
//
//   ObjectIterator it = db->Scan("tasks");
//   for (; it.Valid(); it.Next()) use(it.object());
//   if (!it.status().ok()) ...
// REQUIRES: does not outlive its Database (or the snapshot it reads).
class ObjectIterator {
 public:
  ObjectIterator(ObjectIterator&&) noexcept;
  ~ObjectIterator();
  bool Valid() const;
  void Next();
  // REQUIRES: Valid(). Valid until Next() or destruction.
  const Object& object() const;
  // Corruption naming the key, or an I/O error; OK at a clean end.
  Status status() const;

 private:
  friend class DatabaseImpl;
  struct Rep;
  explicit ObjectIterator(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// Iterates journal entries in lsn order, each decoded and verified. A damaged
// entry ends the iteration with a corruption status naming its lsn; nothing is
// skipped silently.
// REQUIRES: does not outlive its Database.
class JournalReader {
 public:
  JournalReader(JournalReader&&) noexcept;
  ~JournalReader();
  bool Valid() const;
  void Next();
  // REQUIRES: Valid(). Valid until Next() or destruction.
  const JournalEntry& entry() const;
  Status status() const;

 private:
  friend class DatabaseImpl;
  struct Rep;
  explicit JournalReader(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// Identity and cursors of a database (docs/data-model.md has the vocabulary).
struct DatabaseInfo {
  std::string path;
  uint64_t client_id = 0;        // 0: no server has assigned one yet
  uint64_t epoch = 0;            // server lineage; 0: never synced
  uint64_t download_cursor = 0;  // last server version integrated
  uint64_t upload_cursor = 0;    // highest lsn the server acknowledged
  Lsn last_lsn = 0;              // highest lsn assigned; 0: none yet
  uint64_t journal_entries = 0;  // entries currently kept in the journal
  uint64_t objects = 0;
};

// What Database::Verify() found.
struct VerifyReport {
  uint64_t entries_checked = 0;
  uint64_t objects_checked = 0;
  // One line per problem: a damaged entry, a before-image that disagrees with
  // the fold, an object whose state differs from the fold, an lsn gap.
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

class Database {
 public:
  // Opens (or, with create_if_missing, creates) the database in directory
  // `path`. Errors: not-found (no database and create_if_missing is false),
  // busy (another process has it open), failed-precondition (the directory
  // holds something else, or a writable open of a recovery snapshot's
  // database, which only opens with read_only), invalid-argument (a
  // malformed Options::sync.server; nothing is created then), corruption,
  // I/O error.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, const Options& options);

  // Closes the database after the last commit; pending readers must be gone.
  // Stops change notifications: waits for a running callback, drops what is
  // still pending; subscriptions left alive become inert.
  virtual ~Database();

  // Starts a transaction. REQUIRES: the database was not opened read-only
  // (Commit() then fails with failed-precondition).
  virtual Transaction BeginTransaction() = 0;

  // The object, or not-found.
  virtual Result<Object> Get(std::string_view collection, std::string_view key,
                             const ReadOptions& options = {}) const = 0;
  // One field's value; not-found if the object or the field is absent.
  virtual Result<Value> GetField(std::string_view collection, std::string_view key,
                                 std::string_view field, const ReadOptions& options = {}) const = 0;
  // The collection's objects in primary-key order.
  virtual ObjectIterator Scan(std::string_view collection,
                              const ReadOptions& options = {}) const = 0;
  // Names of collections that hold at least one object, sorted.
  virtual Result<std::vector<std::string>> ListCollections(
      const ReadOptions& options = {}) const = 0;

  // A consistent view for several reads. Release by destroying it.
  virtual std::unique_ptr<Snapshot> GetSnapshot() const = 0;

  // Journal entries with lsn >= `from`.
  virtual JournalReader ReadJournal(Lsn from = 1) const = 0;

  virtual Result<DatabaseInfo> Info() const = 0;

  // Recomputes the state by folding the journal over an empty database and
  // compares it with the stored state; checks every entry verifies and lsns
  // have no gaps. Returns a report; the status is an error only if the check
  // itself could not run. Reads a snapshot: concurrent commits are fine.
  virtual Result<VerifyReport> Verify() const = 0;

  // Calls `callback` with what changed in `collection` (journaldb/changes.h):
  // every change written after Observe returns, and none written before it
  // (read the initial state after Observe, then apply the deliveries). The
  // first subscription starts the notifier thread. Keep the subscription;
  // destroying it stops the deliveries. Errors: invalid-argument (an empty
  // collection name or no callback).
  virtual Result<ChangeSubscription> Observe(std::string_view collection,
                                             ChangeCallback callback) = 0;
  // The same for the one object `collection`/`key`.
  virtual Result<ChangeSubscription> ObserveObject(std::string_view collection,
                                                   std::string_view key,
                                                   ChangeCallback callback) = 0;

  // The background sync session, or nullptr if Options::sync.server was
  // empty. Owned by the database; valid until it closes.
  virtual SyncSession* sync_session() const { return nullptr; }

  const std::string& path() const { return path_; }

 protected:
  explicit Database(std::string path) : path_(std::move(path)) {}

 private:
  std::string path_;
};

}  // namespace journaldb

#endif  // JOURNALDB_DATABASE_H_
