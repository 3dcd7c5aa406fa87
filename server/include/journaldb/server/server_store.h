// ServerStore: the reference sync server's RocksDB data directory
// (docs/server.md): the history of changesets by server version, the epoch,
// the client registry, the origin index that makes re-uploads idempotent,
// and the current state served to bootstrapping clients.
//
// Thread safety: reads may run concurrently with each other and with one
// AppendUploads() call; AppendUploads() is called by one thread (the
// committer). Operator changes (Trim, ResetClient, NewEpoch) run on a
// stopped server's directory.
#ifndef JOURNALDB_SERVER_SERVER_STORE_H_
#define JOURNALDB_SERVER_SERVER_STORE_H_

#include <rocksdb/db.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "journaldb/protocol/wire_codec.h"
#include "journaldb/server/admission.h"
#include "journaldb/status.h"

namespace journaldb::server {

// One connection's upload, waiting for the committer.
struct UploadJob {
  uint64_t client_id = 0;
  std::vector<wire::UploadEntry> entries;
  // Filled by AppendUploads:
  wire::UploadAck ack;
  Status status;
  bool done = false;  // set by the committer, under its mutex
};

class ServerStore {
 public:
  // Opens the data directory; creates it (with a fresh random epoch) if
  // `create` and it holds nothing. Busy if a server runs on it.
  static Result<std::unique_ptr<ServerStore>> Open(const std::string& dir, bool create);
  ~ServerStore();

  const std::string& dir() const { return dir_; }
  uint64_t epoch() const { return epoch_; }
  uint64_t latest_version() const { return latest_version_.load(std::memory_order_acquire); }
  uint64_t horizon() const { return horizon_; }

  std::optional<ClientRecord> GetClient(uint64_t client_id) const;
  // What admission decides a hello on: the lineage, the registry entry of
  // `client_id` (0: none) and the fork version of `client_epoch` if it is
  // not the current epoch.
  AdmissionView ReadAdmissionView(uint64_t client_id, uint64_t client_epoch) const;
  // Hands out a new client id whose hellos must carry the secret hashing to
  // `secret_hash`; both durable before it returns.
  Result<uint64_t> RegisterClient(const SecretHash& secret_hash);

  // Stores the jobs' entries as changesets (skipping lsns a client already
  // has stored, which are acknowledged with their original server version),
  // applies them to the state and fsyncs, all in one write batch. Fills each
  // job's ack and status.
  void AppendUploads(const std::vector<UploadJob*>& jobs);

  // Changesets with server versions in (from, latest]: the first, and more
  // while their wire::EncodedSize() sum stays within `max_bytes` (capped at
  // what one frame carries).
  Status ReadChangesets(uint64_t from, size_t max_bytes, std::vector<wire::Changeset>* out) const;

  // A consistent view for a bootstrap and the server version it shows.
  // REQUIRES: released with ReleaseSnapshot.
  const rocksdb::Snapshot* NewSnapshot(uint64_t* version) const;
  void ReleaseSnapshot(const rocksdb::Snapshot* s) const;
  // The client's highest stored lsn as the snapshot shows it.
  Lsn ClientHighestLsnAt(const rocksdb::Snapshot* s, uint64_t client_id) const;
  // Objects after `after_key` in key order: the first, and more while their
  // wire::EncodedSize() sum stays within `max_bytes` (capped at what one
  // frame carries).
  Status ReadStatePage(const rocksdb::Snapshot* snapshot, std::string_view after_key,
                       size_t max_bytes, wire::BootstrapPage* page) const;

  // --- operator changes (docs/server.md) ---
  // Removes changesets with server version < `below`; clients whose download
  // cursor is below the new horizon (below - 1) must reset. Returns how many
  // were removed.
  Result<uint64_t> TrimBelow(uint64_t below);
  // The lowest version whose changeset is younger than `age_seconds`
  // (latest + 1 if none is), for TrimBelow.
  Result<uint64_t> FirstVersionYoungerThan(uint64_t age_seconds) const;
  Status ResetClient(uint64_t client_id);
  // Starts a new epoch (after a restore from backup), recording the latest
  // version as the old epoch's fork point. `replaced`, the data directory
  // the restore replaces (may be null), passes on two things: client ids
  // continue after the ones it handed out, so no id names two clients; and
  // where its own epoch shares history with this one.
  Result<uint64_t> StartNewEpoch(const ServerStore* replaced);
  // The last server version that `old_epoch` shares with the current
  // lineage: the latest version when a restore left it. Versions above it
  // in `old_epoch` were rolled back, even where the current lineage has
  // since reached the same numbers. nullopt if `old_epoch` is no ancestor
  // this data directory knows.
  std::optional<uint64_t> ForkVersion(uint64_t old_epoch) const;

  rocksdb::DB* db() const { return db_.get(); }

 private:
  ServerStore() = default;
  Status Load();
  Result<std::optional<std::string>> ReadMeta(const char* key, const rocksdb::Snapshot* s) const;

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* history_ = nullptr;
  rocksdb::ColumnFamilyHandle* state_ = nullptr;
  rocksdb::ColumnFamilyHandle* clients_ = nullptr;
  rocksdb::ColumnFamilyHandle* origins_ = nullptr;

  uint64_t epoch_ = 0;
  uint64_t horizon_ = 0;
  std::atomic<uint64_t> latest_version_{0};

  mutable std::mutex registry_mu_;
  std::map<uint64_t, ClientRecord> clients_cache_;
  uint64_t next_client_id_ = 1;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SERVER_STORE_H_
