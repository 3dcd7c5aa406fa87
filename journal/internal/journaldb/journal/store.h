// Store: the journaldb RocksDB database: opening with the column family
// layout, atomic batch writes, verified reads of objects and journal entries,
// and the meta cursors. Internal: not installed; the engine builds the public
// API on it.
//
// Thread safety: all methods may be called concurrently (RocksDB's guarantees).
#ifndef JOURNALDB_JOURNAL_STORE_H_
#define JOURNALDB_JOURNAL_STORE_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "journaldb/journal/codec.h"
#include "journaldb/journal/growing_batch.h"
#include "journaldb/journal_entry.h"
#include "journaldb/memory_budget.h"
#include "journaldb/object.h"
#include "journaldb/status.h"

namespace journaldb {

class WriteStop;

struct StoreOptions {
  // Create the database (and missing parent directories) if it does not exist.
  bool create_if_missing = true;
  // Open without write access; fails if the database does not exist.
  bool read_only = false;
  // RocksDB environment; nullptr for the default. Tests plug in a
  // fault-injecting file system here.
  rocksdb::Env* env = nullptr;
  // Options::memory_budget_bytes (journaldb/options.h); out of its bounds,
  // Open fails with invalid-argument.
  uint64_t memory_budget_bytes = kDefaultMemoryBudgetBytes;
};

// Translates a RocksDB status into ours; `context` names what was being done
// ("open /data/app.db", "read journal entry lsn 7").
Status FromRocks(const rocksdb::Status& s, std::string_view context);

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& path, const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }
  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* state() const { return state_; }
  rocksdb::ColumnFamilyHandle* journal() const { return journal_; }
  rocksdb::ColumnFamilyHandle* meta() const { return meta_; }
  // nullptr only for a read-only open of a database created before sync existed.
  rocksdb::ColumnFamilyHandle* synced() const { return synced_; }

  // The object's fields, or nullopt if there is no such object. `snapshot` may
  // be nullptr for the latest state.
  Result<std::optional<FieldMap>> GetObject(std::string_view collection, std::string_view key,
                                            const rocksdb::Snapshot* snapshot) const;

  // The objects named by (collection, key) pairs, in one RocksDB MultiGet;
  // nullopt for each that does not exist.
  Result<std::vector<std::optional<FieldMap>>> GetObjects(
      const std::vector<std::pair<std::string_view, std::string_view>>& refs) const;

  // A meta number; 0 if it was never written.
  Result<uint64_t> GetMetaU64(const char* name) const;
  static void PutMetaU64(GrowingBatch& batch, rocksdb::ColumnFamilyHandle* meta, const char* name,
                         uint64_t value);
  // Draws a new registration secret (layout::kMetaRegistrationSecret) and
  // puts it into `batch`; the secret, or why none could be drawn.
  static Result<std::string> PutNewRegistrationSecret(GrowingBatch& batch,
                                                      rocksdb::ColumnFamilyHandle* meta);

  // The highest lsn ever assigned (0 for an empty journal).
  Result<Lsn> LastLsn() const;

  // The running counts stored with the journal's last entry (verified);
  // nullopt if the journal is empty or that entry has none.
  Result<std::optional<codec::JournalTally>> LastTally() const;

  // Refused once an earlier write failed for good (WritesStopped).
  Status Write(GrowingBatch& batch, bool sync);

  // OK, or why every write is refused: a write to the write-ahead log, a
  // flush or the MANIFEST failed for good (a full disk, an I/O error), and
  // the store accepts none until it is opened again (write_stop.h).
  Status WritesStopped() const;

  // Fsyncs the write-ahead log; refused once writes stopped, since RocksDB
  // built with assertions (Debian's) aborts the process on a sync of a log
  // whose write failed (WritableFileWriter::Sync). No Write runs meanwhile:
  // one failing during the sync would fail the log under it, and the stop
  // is only known once that write returns. (A flush's sync of a closed log,
  // on RocksDB's own thread, is not held out: a narrow window remains.)
  Status SyncWal() const;

  // Flushes memtables and closes; later calls fail. The destructor closes too.
  Status Close();

 private:
  Store() = default;
  std::string path_;
  // The Env the DB was opened with, when the store made one (it outlives
  // the DB: declared before it).
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_ = nullptr;
  rocksdb::ColumnFamilyHandle* state_ = nullptr;
  rocksdb::ColumnFamilyHandle* journal_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* synced_ = nullptr;
  std::shared_ptr<WriteStop> write_stop_;
  // Shared by writes, exclusive for SyncWal.
  mutable std::shared_mutex write_mu_;
};

// Reads journal entries in lsn order, decoding and verifying each.
//
//   JournalCursor c(store, 1);
//   for (; c.Valid(); c.Next()) use(c.entry());
//   if (!c.status().ok()) ...
class JournalCursor {
 public:
  // REQUIRES: `store` outlives the cursor. `snapshot` may be nullptr.
  JournalCursor(const Store& store, Lsn from, const rocksdb::Snapshot* snapshot = nullptr);
  bool Valid() const { return valid_; }
  void Next();
  // REQUIRES: Valid()
  const JournalEntry& entry() const { return entry_; }
  // Corruption naming the lsn, or an I/O error; OK at a clean end.
  Status status() const { return status_; }

 private:
  void Load();
  std::unique_ptr<rocksdb::Iterator> it_;
  JournalEntry entry_;
  Status status_;
  bool valid_ = false;
};

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_STORE_H_
