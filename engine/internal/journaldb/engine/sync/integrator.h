// Integrator: everything sync changes in a client database, each change one
// atomic RocksDB write batch (docs/merge-semantics.md):
//
//  - the "synced" column family holds the server's state as of the download
//    cursor (bootstrap + every changeset, the client's own included);
//  - the visible state of an object is its synced value folded with the
//    pending local entries' ops on it (lsn > synced_own_lsn, in lsn order);
//  - integrating changesets updates synced, recomputes the state of every
//    object they touch, and moves the download cursor, in one batch.
//
// Thread safety: every method may be called from any thread. Changes run
// under the database's commit mutex with no commit in flight.
#ifndef JOURNALDB_ENGINE_SYNC_INTEGRATOR_H_
#define JOURNALDB_ENGINE_SYNC_INTEGRATOR_H_

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "journaldb/options.h"
#include "journaldb/status.h"
#include "journaldb/protocol/wire_codec.h"

namespace journaldb {
class Database;
class GrowingBatch;
class DatabaseImpl;
struct ObjectDelta;
}

namespace journaldb::sync {

// meta key: the last sync error as text; absent after a successful sync.
inline constexpr char kMetaSyncLastError[] = "sync_last_error";

// The sync cursors as stored in meta.
struct LocalCursors {
  uint64_t client_id = 0;
  // Proves client_id to the server in every hello; empty if none is stored.
  // Secret: never logged or shown.
  std::string client_secret;
  uint64_t epoch = 0;
  uint64_t download_cursor = 0;
  // The server's chain hash at download_cursor; empty if none is stored.
  std::string download_hash;
  Lsn upload_cursor = 0;
  Lsn synced_own_lsn = 0;
  uint64_t bootstrap_version = 0;  // 0: no bootstrap in progress
  std::string bootstrap_after;
  Lsn last_lsn = 0;
  Lsn journal_floor = 0;  // entries below were trimmed or wiped; 0: none
  // Entries up to here need no upload: acknowledged, or trimmed or wiped.
  Lsn AcknowledgedOrGone() const {
    return std::max(upload_cursor, journal_floor > 0 ? journal_floor - 1 : 0);
  }
};

class Integrator {
 public:
  // REQUIRES: `db` is an engine database (Database::Open); it outlives this.
  explicit Integrator(Database& db);

  Result<LocalCursors> ReadCursors() const;
  // The same, for callers that only read (GetSyncStatus on a read-only open).
  static Result<LocalCursors> ReadCursors(const Database& db);

  // Records the identity a server gave a new client file (client id, its
  // secret and the epoch) in one fsynced batch, so later entries are tagged
  // with it and later hellos prove it. A client file that already has an id
  // keeps its secret; `client_secret` is required only when it has none.
  Status AdoptIdentity(uint64_t client_id, uint64_t epoch, std::string_view client_secret);

  // The secret a hello without a client id proposes for the registration
  // (layout::kMetaRegistrationSecret). A client file created before it
  // existed draws one here, durably, before it is first sent.
  Result<std::string> RegistrationSecret();
  // Replaces it with a new one (DrawNewRegistrationSecret), durably;
  // FailedPrecondition if the database has a client id.
  Status RedrawRegistrationSecret();

  // Journal entries with lsn > `after` as stored, in lsn order, up to about
  // `max_bytes` (at least one if any). Each is verified before it is sent.
  Result<std::vector<wire::UploadEntry>> ReadUnuploaded(Lsn after, size_t max_bytes) const;

  // Records the outcome of a sync attempt for GetSyncStatus (OK clears it).
  Status RecordSyncError(const Status& error);

  // Moves the upload cursor up to `highest` (never down) and records the
  // server version of each acknowledged entry (for a later restore).
  Status RecordUploadAck(Lsn highest, const std::vector<wire::Ack>& acks = {});

  // Removes acknowledged entries outside the retention window
  // (RetentionOptions); returns how many.
  Result<uint64_t> TrimAcknowledged(const RetentionOptions& retention);

  // Integrates consecutive changesets; those at or below the download cursor
  // were integrated before and are skipped. Returns how many were applied.
  // Corruption if the changesets do not continue the download cursor.
  // `chain_hash`, the server's chain hash at the last changeset, is stored
  // with the new cursor (none if empty: a server from before the chain).
  Result<size_t> ApplyChangesets(const std::vector<wire::Changeset>& changesets,
                                 std::string_view chain_hash);

  // Stores one bootstrap page. A page at a server version other than the
  // bootstrap in progress starts it over. The last page sets the download
  // cursor. REQUIRES: the download cursor is 0.
  Status ApplyBootstrapPage(const wire::BootstrapPage& page);

 private:
  using ObjectMap = std::map<std::string, std::optional<FieldMap>>;
  // Runs `fn` under the commit mutex with commits held off and none in flight.
  template <typename Fn>
  Status Exclusive(Fn&& fn);
  // The stored registration secret; nullopt if none was drawn.
  Result<std::optional<std::string>> StoredRegistrationSecret() const;
  // Draws a registration secret and stores it, fsynced; under Exclusive.
  Result<std::string> DrawRegistrationSecret();
  Result<std::optional<FieldMap>> ReadSynced(const std::string& key) const;
  // Writes `synced` and, for each of its keys, state = synced value folded
  // with the ops of entries with lsn > `own_lsn`. With `deltas` (someone
  // observes changes) also appends how each object's state changes.
  Status WriteSyncedAndState(const ObjectMap& synced, Lsn own_lsn, GrowingBatch& batch,
                             std::vector<ObjectDelta>* deltas);
  // Hands `deltas` of a written download to the change notifier.
  void PublishDownload(const std::vector<ObjectDelta>& deltas);

  DatabaseImpl& db_;
};

}  // namespace journaldb::sync

#endif  // JOURNALDB_ENGINE_SYNC_INTEGRATOR_H_
