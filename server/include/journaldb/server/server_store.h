// ServerStore: the server's state in a RocksDB data directory, the
// embedded default store (docs/server.md, "Data directory"): one process
// owns the directory, so what it caches is always the truth.
//
//   auto store = ServerStore::Open("/srv/sync", /*create=*/false).value();
//   store->AppendUploads(jobs);
//
// Thread safety: as ServerStorage. Operator changes (Trim, ResetClient,
// NewEpoch) run on a stopped server's directory; RemoveUnusedRegistrations
// also runs inside the server, beside its committer (the sweep).
#ifndef JOURNALDB_SERVER_SERVER_STORE_H_
#define JOURNALDB_SERVER_SERVER_STORE_H_

#include <rocksdb/db.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journaldb/protocol/wire_codec.h"
#include "journaldb/server/admission.h"
#include "journaldb/server/server_storage.h"
#include "journaldb/status.h"

namespace journaldb {
class GrowingBatch;
}

namespace journaldb::server {

class StoreErrorListener;

class ServerStore final : public ServerStorage {
 public:
  // Opens the data directory; creates it (with a fresh random epoch) if
  // `create` and it holds nothing, else NotFound. Busy if a server runs on
  // it. Finishes a restore that a crash interrupted first (restore.h).
  static Result<std::unique_ptr<ServerStore>> Open(const std::string& dir, bool create);
  // Descriptors an open store holds at most (StorageFilesNeeded).
  static uint64_t FilesNeeded();
  ~ServerStore();

  const std::string& dir() const { return dir_; }
  std::string Describe() const override { return "data=" + dir_; }
  uint64_t epoch() const override { return epoch_; }
  uint64_t latest_version() const override {
    return latest_version_.load(std::memory_order_acquire);
  }
  uint64_t horizon() const override { return horizon_; }
  Result<uint64_t> ReadLatestVersion() override { return latest_version(); }
  // Only this process commits to the directory: nothing to call.
  void SetNewVersionsCallback(std::function<void()>) override {}
  // Logs RocksDB's background errors (store_error_listener.h).
  void SetLog(std::function<void(const std::string&)> log) override;

  std::optional<ClientRecord> GetClient(uint64_t client_id) const;
  Result<AdmissionView> ReadAdmissionView(uint64_t client_id, uint64_t client_epoch,
                                          uint64_t download_cursor) override;
  Result<std::optional<uint64_t>> FindClientBySecret(const SecretHash& secret_hash) override;
  Result<uint64_t> RegisterClient(const SecretHash& secret_hash) override;
  Status MarkClientUsed(uint64_t client_id) override;
  // One synced write batch.
  void AppendUploads(const std::vector<UploadJob*>& jobs) override;
  Status ReadChangesets(uint64_t from, size_t max_bytes,
                        std::vector<wire::Changeset>* out) override;
  Result<std::optional<ChainHash>> ChainHashAt(uint64_t version) override;
  // A RocksDB snapshot, released with the returned object.
  Result<std::unique_ptr<StateSnapshot>> NewSnapshot() override;

  Result<uint64_t> TrimBelow(uint64_t below) override;
  Result<uint64_t> FirstVersionYoungerThan(uint64_t age_seconds) override;
  Status ResetClient(uint64_t client_id) override;
  Result<uint64_t> RemoveUnusedRegistrations(int64_t registered_before_us) override;
  Result<uint64_t> StartNewEpoch(ServerStorage* replaced) override;
  Result<std::optional<uint64_t>> ForkVersion(uint64_t old_epoch) override;
  Result<uint64_t> NextClientId() override;

  rocksdb::DB* db() const { return db_.get(); }

 private:
  ServerStore() = default;
  Status Load();
  Result<std::optional<std::string>> ReadMeta(const char* key, const rocksdb::Snapshot* s) const;
  std::optional<uint64_t> StoredForkVersion(uint64_t old_epoch) const;
  // Applies `change` to client `client_id`'s registry entry and stores it
  // durably if `change` returns true (it changed something); NotFound if the
  // registry has no such client. `what` names the step in errors.
  Status UpdateClient(uint64_t client_id, const char* what,
                      const std::function<bool(ClientRecord&)>& change);
  // The stored chain hash at `version` as `snapshot` (may be null) sees it.
  Result<std::optional<ChainHash>> StoredChainHash(uint64_t version,
                                                   const rocksdb::Snapshot* snapshot) const;
  // A directory written before servers kept the chain: hashes the history
  // it holds, from the horizon (docs/server.md, "Data directory").
  Status CompleteChain();
  // Adds to `batch` the digest of each changeset from `from` to `to` whose
  // origin an older server wrote without one, so that a re-upload of its
  // entry is still compared once the changeset is trimmed.
  Status DigestOriginsOf(uint64_t from, uint64_t to, GrowingBatch& batch);
  // Writes `batch` (journal/growing_batch.h: it grew in our code, never
  // inside RocksDB's), or refuses it once writes stopped (a latch: no write
  // follows a failed one into the log); a failed or refused write's message
  // says that the store accepts no more.
  Status Write(const rocksdb::WriteOptions& options, GrowingBatch& batch, std::string_view what);
  class Snapshot;

  std::string dir_;
  // Registered with the DB at open; shared with RocksDB, which calls it.
  std::shared_ptr<StoreErrorListener> errors_;
  // The Env the DB was opened with (it outlives the DB: declared before it).
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* history_ = nullptr;
  rocksdb::ColumnFamilyHandle* state_ = nullptr;
  rocksdb::ColumnFamilyHandle* clients_ = nullptr;
  rocksdb::ColumnFamilyHandle* origins_ = nullptr;
  rocksdb::ColumnFamilyHandle* chain_ = nullptr;

  uint64_t epoch_ = 0;
  uint64_t horizon_ = 0;
  std::atomic<uint64_t> latest_version_{0};
  ChainHash latest_hash_ = kChainStart;  // the committer's, at latest_version_

  // Held by AppendUploads and RemoveUnusedRegistrations: a registration
  // the committer is about to mark used by an upload is not removed under it.
  std::mutex registry_removal_mu_;
  mutable std::mutex registry_mu_;
  std::map<uint64_t, ClientRecord> clients_cache_;
  std::map<SecretHash, uint64_t> clients_by_secret_;  // FindClientBySecret
  uint64_t next_client_id_ = 1;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SERVER_STORE_H_
