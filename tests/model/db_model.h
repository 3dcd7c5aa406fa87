// DbModel: what the model-based test believes one client database and its
// journal-server hold. The client is a plain map of objects plus the list of
// kept journal entries with their tags; the server is its history of
// changesets, the fold of that history, and its client registry. Written
// independently of the engine's fold and integrator, from the op semantics
// in journal/include/journaldb/operation.h, docs/merge-semantics.md and
// docs/recovery.md, so a shared mistake cannot hide.
//
// Durability: every local commit is fsynced (kSyncEveryCommit), so objects
// and journal survive a power loss. A sync fsyncs the write-ahead log after
// its last upload acknowledgement but writes the download cursor and the
// recorded sync error without one; a power loss rolls those back to what the
// last fsync covered (`durable`), and the next sync repairs them.
#ifndef JOURNALDB_TESTS_MODEL_DB_MODEL_H_
#define JOURNALDB_TESTS_MODEL_DB_MODEL_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "journaldb/journal_entry.h"
#include "journaldb/operation.h"

namespace journaldb::testing {

using Id = std::pair<std::string, std::string>;  // (collection, key)
using ObjectMap = std::map<Id, FieldMap>;

// Server lineages (epochs) are numbered by the model in creation order; the
// real epochs are random, so the test maps these numbers to what it saw.
inline constexpr int kNoEpoch = -1;

struct ModelEntry {
  Lsn lsn = 0;
  std::vector<Operation> ops;
  // The tags the entry got at commit.
  uint64_t download_cursor = 0;
  int epoch = kNoEpoch;
  uint64_t client_id = 0;
  // The client id and server version the server stored it under; 0: never
  // stored.
  uint64_t stored_as = 0;
  uint64_t stored_version = 0;
};

struct ServerModel {
  struct Changeset {
    uint64_t client_id = 0;
    Lsn lsn = 0;
    std::vector<Operation> ops;
  };
  struct Client {
    Lsn highest_lsn = 0;
    bool reset = false;  // an operator demanded its reset
  };
  int epoch = 0;
  std::vector<Changeset> history;  // history[i] is server version i + 1
  ObjectMap state;                 // the fold of history
  std::map<uint64_t, Client> clients;
  uint64_t next_client_id = 1;

  uint64_t latest_version() const { return history.size(); }
  // Whether this lineage holds the client's entry `lsn`.
  bool Holds(uint64_t client_id, Lsn lsn) const;
};

// The sync identity and cursors of the client, as Info and GetSyncStatus
// report them, plus whether a sync error is recorded.
struct ModelCursors {
  uint64_t client_id = 0;
  int epoch = kNoEpoch;
  uint64_t download_cursor = 0;
  Lsn upload_cursor = 0;
  bool sync_error = false;
  friend bool operator==(const ModelCursors&, const ModelCursors&) = default;
};

// A recovery snapshot: its diverged transactions in lsn order, and how many
// of them are done (replayed) in the live database.
struct ModelRecovery {
  std::vector<ModelEntry> diverged;
  size_t done = 0;
};

// How the client carries out a client reset the server demands.
enum class ResetMode { kDiscard, kRecover, kManual };
const char* ResetModeName(ResetMode mode);

// What one sync should do, for the test to check the engine's answer.
struct SyncOutcome {
  bool reset = false;             // the server demanded a client reset
  uint64_t uploaded = 0;          // entries the server stored in the sync round
  size_t recovery = 0;            // reset: index of the new recovery snapshot
};

struct DbModel {
  ObjectMap objects;
  std::vector<ModelEntry> journal;  // kept entries (since the last wipe), lsn order
  Lsn last_lsn = 0;
  ModelCursors cursors;
  ModelCursors durable;  // what a power loss leaves of `cursors`

  bool server_running = false;
  ServerModel server;
  std::vector<ServerModel> backups;
  int next_epoch = 1;
  std::vector<ModelRecovery> recoveries;

  // Whether the transaction applies (no increment meets a non-int64 field).
  bool Applies(const std::vector<Operation>& ops) const;
  // Applies the transaction and appends it to the journal, tagged with the
  // current cursors; the commit is fsynced. REQUIRES: Applies(ops).
  void Commit(const std::vector<Operation>& ops);
  // The collection's objects in key order.
  std::vector<std::pair<std::string, FieldMap>> Collection(const std::string& collection) const;

  // A power loss: the cursors fall back to what was fsynced.
  void PowerLoss() { cursors = durable; }
  // A clean reopen: recovery persists everything.
  void Reopen() { durable = cursors; }

  // A sync attempt with the server down: only the recorded error changes.
  void FailedSync() { cursors.sync_error = true; }
  // Whether the server would demand a client reset at the next hello.
  bool ResetDemanded() const;
  // A successful SyncOnce (reset or not) with `mode` as the strategy. For
  // kManual the demand fails the first sync; the reset is then executed
  // (ExecuteClientReset) and the next sync downloads the server state.
  SyncOutcome Sync(ResetMode mode);
  // Replays recovery `index` under the local-wins policy, leaving out ops
  // that cannot apply; returns the transactions committed.
  uint64_t Replay(size_t index);

  void Backup() { backups.push_back(server); }
  void Restore(size_t backup);

  // REQUIRES: CanResetClient().
  void OperatorResetClient() { server.clients[cursors.client_id].reset = true; }
  bool CanResetClient() const {
    return cursors.client_id != 0 && server.clients.count(cursors.client_id) != 0;
  }

 private:
  uint64_t UploadAll();
  uint64_t ReplayFrom(ModelRecovery& recovery);
};

// Folds `ops` into `objects`; an op that cannot apply is a no-op, as on the
// server (docs/merge-semantics.md rule 5).
void FoldLenient(const std::vector<Operation>& ops, ObjectMap& objects);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_MODEL_DB_MODEL_H_
