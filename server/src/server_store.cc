#include "journaldb/server/server_store.h"

#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <chrono>
#include <utility>

#include "entry_digest.h"
#include "group_commit.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/growing_batch.h"
#include "journaldb/journal/info_log.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/store.h"
#include "journaldb/journal/wall_clock.h"
#include "journaldb/server/restore.h"
#include "random_epoch.h"
#include "store_error_listener.h"

namespace journaldb::server {

namespace {

constexpr char kMetaFamily[] = "meta";
constexpr char kHistoryFamily[] = "history";  // server version -> changeset record
constexpr char kStateFamily[] = "state";      // state key -> object
constexpr char kClientsFamily[] = "clients";  // client id -> ClientRecord
constexpr char kOriginsFamily[] = "origins";  // client id, lsn -> version, entry digest
constexpr char kChainFamily[] = "chain";      // server version -> chain hash
// Hashes per write batch while the chain of an older store is computed.
constexpr uint32_t kChainBatchVersions = 65536;
// RocksDB's table cache holds at most this many open table files (the rest
// are opened when read), so the store's descriptors stay bounded however
// large the history grows (file_limit.h).
constexpr int kMaxOpenFiles = 256;
// Beyond the cache: a new write-ahead log and MANIFEST, the outputs of the
// two background jobs, the OPTIONS and info log files, and table files that
// iterators keep open past the cache's capacity.
constexpr uint64_t kFilesBeyondCache = 64;

constexpr char kMetaFormat[] = "format";
constexpr char kFormatTag[] = "journaldb-server/1";
constexpr char kMetaEpoch[] = "epoch";
constexpr char kMetaLatest[] = "latest_version";
constexpr char kMetaHorizon[] = "horizon";
constexpr char kMetaNextClient[] = "next_client_id";

// A registry value: highest lsn and reset flag (8 bytes each), the client
// secret's SHA-256 (32 bytes), the registration time (microseconds, 8 bytes)
// and the used flag (8 bytes). Values written before servers issued secrets
// end after the reset flag; they decode without a hash, and admission
// refuses such a client (UnverifiableClient). Values written before servers
// kept registration times end after the hash; they decode as used, so they
// never expire.
constexpr size_t kClientWithoutHash = 16;
constexpr size_t kClientWithoutTime = kClientWithoutHash + std::tuple_size_v<SecretHash>;
constexpr size_t kClientBytes = kClientWithoutTime + 16;

std::string EncodeClient(const ClientRecord& r) {
  std::string v = layout::EncodeU64(r.highest_lsn) + layout::EncodeU64(r.reset ? 1 : 0);
  if (!r.secret_hash) return v;
  v += DigestBytes(*r.secret_hash);
  v += layout::EncodeU64(static_cast<uint64_t>(r.registered_at_us));
  v += layout::EncodeU64(r.used ? 1 : 0);
  return v;
}

std::optional<ClientRecord> DecodeClient(std::string_view v) {
  if (v.size() != kClientWithoutHash && v.size() != kClientWithoutTime && v.size() != kClientBytes)
    return std::nullopt;
  ClientRecord r{*layout::DecodeU64(v.substr(0, 8)), *layout::DecodeU64(v.substr(8, 8)) != 0, {}};
  if (v.size() >= kClientWithoutTime)
    r.secret_hash = DigestFromBytes(v.substr(kClientWithoutHash, std::tuple_size_v<SecretHash>));
  if (v.size() == kClientBytes) {
    r.registered_at_us = static_cast<int64_t>(*layout::DecodeU64(v.substr(kClientWithoutTime, 8)));
    r.used = *layout::DecodeU64(v.substr(kClientWithoutTime + 8, 8)) != 0;
  }
  return r;
}

// meta fork/<epoch>: the latest version when a restore ended that epoch.
std::string ForkKey(uint64_t epoch) { return "fork/" + layout::EncodeU64(epoch); }

std::string OriginKey(uint64_t client, Lsn lsn) {
  return layout::EncodeU64(client) + layout::EncodeU64(lsn);
}

}  // namespace

Result<std::unique_ptr<ServerStore>> ServerStore::Open(const std::string& dir, bool create) {
  namespace fs = boost::filesystem;
  if (Status s = FinishInterruptedRestore(dir); !s.ok()) return s;
  boost::system::error_code ec;
  bool is_db = fs::exists(fs::path(dir) / "CURRENT", ec);
  if (!is_db) {
    // A missing or empty directory is a typo or a file system not mounted
    // as often as a wish for a new history, which would make every client
    // reset: only `init` creates one.
    if (!create) {
      const char* what = !fs::exists(dir, ec)  ? "missing"
                         : fs::is_empty(dir, ec) ? "empty"
                                                 : "it holds something else";
      return Status::NotFound(fmt::format(
          "no server data directory at {} ({}); create one with `journal-server init --data {}`",
          dir, what, dir));
    }
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
      return Status::FailedPrecondition(
          fmt::format("{} is not empty and holds no server data; refusing to use it", dir));
    fs::create_directories(dir, ec);
    if (ec) return Status::IOError(fmt::format("create {}: {}", dir, ec.message()));
  }
  rocksdb::DBOptions options;
  options.create_if_missing = !is_db;
  // Directories from before the chain lack its family: created here, filled
  // by CompleteChain.
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  // RocksDB's diagnostic LOG and one LOG.old, each at most 16 MiB, written so
  // that a full disk loses log lines instead of ending the server (RocksDB's
  // own logger aborts on the append after a failed one: info_log.h).
  // It starts once RocksDB holds the lock: a second server on the
  // directory must leave the running one's LOG alone.
  std::shared_ptr<InfoLog> info_log = OpenInfoLog(dir, 16u << 20);
  std::unique_ptr<rocksdb::Env> env = EnvStartingLogAtLock(info_log);
  options.info_log = info_log;
  options.env = env.get();
  options.max_open_files = kMaxOpenFiles;
  // A store that stops accepting writes stays stopped until a restart:
  // neither RocksDB's retries of a retryable error nor its recovery from a
  // full disk (StoreErrorListener declines it) resume it in this process
  // (store_error_listener.cc says why).
  options.max_bgerror_resume_count = 0;
  auto errors = std::make_shared<StoreErrorListener>();
  options.listeners.push_back(errors);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {rocksdb::kDefaultColumnFamilyName.c_str(), kMetaFamily, kHistoryFamily,
                           kStateFamily, kClientsFamily, kOriginsFamily, kChainFamily})
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, families, &handles, &raw);
  Status opened = FromRocks(s, fmt::format("open server data {}", dir));
  if (opened.IsBusy())
    return Status::Busy(fmt::format("{} is in use (is a journal-server running on it?)", dir));
  info_log->Start();  // failed before the lock: its lines say why
  if (!opened.ok()) return opened;
  std::unique_ptr<ServerStore> store(new ServerStore());
  store->dir_ = dir;
  store->env_ = std::move(env);
  store->errors_ = std::move(errors);
  store->db_.reset(raw);
  store->default_ = handles[0];
  store->meta_ = handles[1];
  store->history_ = handles[2];
  store->state_ = handles[3];
  store->clients_ = handles[4];
  store->origins_ = handles[5];
  store->chain_ = handles[6];
  if (!is_db) {
    GrowingBatch batch;
    batch.Put(store->meta_, kMetaFormat, kFormatTag);
    batch.Put(store->meta_, kMetaEpoch, layout::EncodeU64(RandomEpoch()));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (Status w = store->Write(wo, batch, "initialise server data"); !w.ok()) return w;
  }
  if (Status l = store->Load(); !l.ok()) return l;
  return store;
}

uint64_t ServerStore::FilesNeeded() { return kMaxOpenFiles + kFilesBeyondCache; }

void ServerStore::SetLog(std::function<void(const std::string&)> log) {
  errors_->SetLog(std::move(log));
}

Status ServerStore::Write(const rocksdb::WriteOptions& options, GrowingBatch& batch,
                          std::string_view what) {
  // No write follows a failed one into the log, even should RocksDB recover
  // meanwhile (store_error_listener.h).
  if (errors_->stopped())
    return Status::IOError(
        fmt::format("{}: refused: the store stopped accepting writes after {} {}", what,
                    errors_->stop(), errors_->stopped_note()));
  // A throw from inside RocksDB stops writes (docs/server.md, "Threat model").
  Status st = FromRocks(errors_->Write(*db_, options, batch), what);
  if (st.ok() || !errors_->stopped()) return st;
  return Status(st.code(), fmt::format("{} {}", st.message(), errors_->stopped_note()));
}

ServerStore::~ServerStore() {
  if (!db_) return;
  for (auto* h : {default_, meta_, history_, state_, clients_, origins_, chain_})
    db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

Result<std::optional<std::string>> ServerStore::ReadMeta(const char* key,
                                                         const rocksdb::Snapshot* snap) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::string v;
  rocksdb::Status s = db_->Get(ro, meta_, key, &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, fmt::format("read server meta {}", key));
  return std::optional<std::string>(std::move(v));
}

Status ServerStore::Load() {
  Result<std::optional<std::string>> tag = ReadMeta(kMetaFormat, nullptr);
  if (!tag.ok()) return tag.status();
  if (!*tag || **tag != kFormatTag)
    return Status::FailedPrecondition(
        fmt::format("{} is not a journal-server data directory (format tag missing)", dir_));
  std::pair<const char*, uint64_t*> numbers[] = {
      {kMetaEpoch, &epoch_}, {kMetaHorizon, &horizon_}, {kMetaNextClient, &next_client_id_}};
  for (auto [key, out] : numbers) {
    Result<std::optional<std::string>> v = ReadMeta(key, nullptr);
    if (!v.ok()) return v.status();
    if (!*v) continue;
    std::optional<uint64_t> n = layout::DecodeU64(**v);
    if (!n) return Status::Corruption(fmt::format("server meta {} in {} is malformed", key, dir_));
    *out = *n;
  }
  if (next_client_id_ == 0) next_client_id_ = 1;
  Result<std::optional<std::string>> latest = ReadMeta(kMetaLatest, nullptr);
  if (!latest.ok()) return latest.status();
  if (*latest) {
    std::optional<uint64_t> n = layout::DecodeU64(**latest);
    if (!n)
      return Status::Corruption(fmt::format("server meta latest_version in {} is malformed", dir_));
    latest_version_ = *n;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), clients_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<uint64_t> id = layout::DecodeU64(it->key().ToStringView());
    std::optional<ClientRecord> rec = DecodeClient(it->value().ToStringView());
    if (!id || !rec)
      return Status::Corruption(fmt::format("client registry of {} is malformed", dir_));
    clients_cache_[*id] = *rec;
    if (rec->secret_hash) clients_by_secret_.emplace(*rec->secret_hash, *id);
  }
  if (Status s = FromRocks(it->status(), "read client registry"); !s.ok()) return s;
  return CompleteChain();
}

Result<std::optional<ChainHash>> ServerStore::StoredChainHash(
    uint64_t version, const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string v;
  rocksdb::Status s = db_->Get(ro, chain_, layout::EncodeU64(version), &v);
  if (s.IsNotFound()) return std::optional<ChainHash>();
  if (!s.ok()) return FromRocks(s, "read chain hash");
  std::optional<ChainHash> h = DigestFromBytes(v);
  if (!h)
    return Status::Corruption(
        fmt::format("chain hash of version {} in {} is malformed", version, dir_));
  return h;
}

Status ServerStore::CompleteChain() {
  const uint64_t latest = latest_version();
  if (latest == 0) return Status::OK();
  Result<std::optional<ChainHash>> at_latest = StoredChainHash(latest, nullptr);
  if (!at_latest.ok()) return at_latest.status();
  if (*at_latest) {
    latest_hash_ = **at_latest;
    return Status::OK();
  }
  // The horizon's hash was never stored either: the chain of a trimmed
  // history starts there from kChainStart, as it would at version 0.
  Result<std::optional<ChainHash>> at_horizon = StoredChainHash(horizon_, nullptr);
  if (!at_horizon.ok()) return at_horizon.status();
  ChainHash hash = at_horizon->value_or(kChainStart);
  GrowingBatch batch;
  if (horizon_ > 0 && !*at_horizon)
    batch.Put(chain_, layout::EncodeU64(horizon_), DigestBytes(hash));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), history_));
  uint64_t expected = horizon_ + 1;
  for (it->Seek(layout::EncodeU64(expected)); it->Valid() && expected <= latest; it->Next()) {
    Result<wire::Changeset> c = wire::DecodeChangesetRecord(it->value().ToStringView());
    if (!c.ok()) return c.status();
    if (c->server_version != expected)
      return Status::Corruption(fmt::format("server history: version {} missing (found {})",
                                            expected, c->server_version));
    Result<ChainHash> next = NextChainHash(hash, *c);
    if (!next.ok()) return next.status();
    hash = *next;
    batch.Put(chain_, layout::EncodeU64(expected), DigestBytes(hash));
    ++expected;
    // Bounded memory for a long history. A crash between batches leaves the
    // latest version without a hash, so the next open computes it all again.
    if (batch.Count() >= kChainBatchVersions && expected <= latest) {
      if (Status s = Write(rocksdb::WriteOptions(), batch, "store the chain hashes"); !s.ok())
        return s;
      batch.Clear();
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read server history");
  if (expected != latest + 1)
    return Status::Corruption(fmt::format("server history: version {} missing", expected));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (Status s = Write(wo, batch, "store the chain hashes"); !s.ok()) return s;
  latest_hash_ = hash;
  return Status::OK();
}

std::optional<ClientRecord> ServerStore::GetClient(uint64_t client_id) const {
  std::lock_guard<std::mutex> lock(registry_mu_);
  auto it = clients_cache_.find(client_id);
  if (it == clients_cache_.end()) return std::nullopt;
  return it->second;
}

Result<AdmissionView> ServerStore::ReadAdmissionView(uint64_t client_id, uint64_t client_epoch,
                                                     uint64_t download_cursor) {
  AdmissionView view{epoch(),      latest_version(), horizon(),
                     std::nullopt, std::nullopt,     std::nullopt};
  if (client_id != 0) view.client = GetClient(client_id);
  if (client_epoch != 0 && client_epoch != view.epoch)
    view.client_epoch_fork_version = StoredForkVersion(client_epoch);
  // Only the committer adds versions, and a hash once stored never changes:
  // read after latest_version, it is the one at the cursor in that view.
  Result<std::optional<ChainHash>> hash = ChainHashAt(download_cursor);
  if (!hash.ok()) return hash.status();
  view.cursor_hash = *hash;
  return view;
}

Result<std::optional<ChainHash>> ServerStore::ChainHashAt(uint64_t version) {
  if (version > latest_version() || version < horizon()) return std::optional<ChainHash>();
  if (version == 0) return std::optional<ChainHash>(kChainStart);
  return StoredChainHash(version, nullptr);
}

Result<std::optional<uint64_t>> ServerStore::FindClientBySecret(const SecretHash& secret_hash) {
  std::lock_guard<std::mutex> lock(registry_mu_);
  auto it = clients_by_secret_.find(secret_hash);
  if (it == clients_by_secret_.end()) return std::optional<uint64_t>();
  return std::optional<uint64_t>(it->second);
}

Result<uint64_t> ServerStore::RegisterClient(const SecretHash& secret_hash) {
  std::lock_guard<std::mutex> lock(registry_mu_);
  if (auto taken = clients_by_secret_.find(secret_hash); taken != clients_by_secret_.end())
    return Status::Busy(fmt::format(
        "client {} registered with this registration secret meanwhile; retry", taken->second));
  uint64_t id = next_client_id_;
  ClientRecord record;
  record.secret_hash = secret_hash;
  record.registered_at_us = NowMicros();
  record.used = false;
  GrowingBatch batch;
  batch.Put(meta_, kMetaNextClient, layout::EncodeU64(id + 1));
  batch.Put(clients_, layout::EncodeU64(id), EncodeClient(record));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (Status s = Write(wo, batch, "register client"); !s.ok()) return s;
  next_client_id_ = id + 1;
  clients_cache_[id] = record;
  clients_by_secret_.emplace(secret_hash, id);
  return id;
}

Status ServerStore::UpdateClient(uint64_t client_id, const char* what,
                                 const std::function<bool(ClientRecord&)>& change) {
  std::lock_guard<std::mutex> lock(registry_mu_);
  auto it = clients_cache_.find(client_id);
  if (it == clients_cache_.end())
    return Status::NotFound(fmt::format("no client {} in the registry of {}", client_id, dir_));
  ClientRecord rec = it->second;
  if (!change(rec)) return Status::OK();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  GrowingBatch batch;
  batch.Put(clients_, layout::EncodeU64(client_id), EncodeClient(rec));
  if (Status s = Write(wo, batch, what); !s.ok()) return s;
  it->second = rec;
  return Status::OK();
}

Status ServerStore::MarkClientUsed(uint64_t client_id) {
  return UpdateClient(client_id, "mark client used",
                      [](ClientRecord& rec) { return !std::exchange(rec.used, true); });
}

Result<uint64_t> ServerStore::RemoveUnusedRegistrations(int64_t registered_before_us) {
  std::lock_guard<std::mutex> removal(registry_removal_mu_);
  std::lock_guard<std::mutex> lock(registry_mu_);
  GrowingBatch batch;
  std::vector<uint64_t> removed;
  for (const auto& [id, rec] : clients_cache_)
    if (!rec.used && rec.registered_at_us < registered_before_us) {
      batch.Delete(clients_, layout::EncodeU64(id));
      removed.push_back(id);
    }
  if (removed.empty()) return uint64_t{0};
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (Status s = Write(wo, batch, "remove unused registrations"); !s.ok()) return s;
  for (uint64_t id : removed) {
    if (const std::optional<SecretHash>& hash = clients_cache_[id].secret_hash)
      clients_by_secret_.erase(*hash);
    clients_cache_.erase(id);
  }
  return uint64_t{removed.size()};
}

namespace {
// A group commit's reads from the directory; registry entries from the
// cache, which is the truth (one process owns the directory).
class RocksGroupReads final : public GroupCommitReads {
 public:
  RocksGroupReads(const ServerStore& store, rocksdb::ColumnFamilyHandle* origins,
                  rocksdb::ColumnFamilyHandle* history, rocksdb::ColumnFamilyHandle* state)
      : store_(store), origins_(origins), history_(history), state_(state) {}

  Result<std::optional<ClientRecord>> Client(uint64_t client_id) override {
    return store_.GetClient(client_id);
  }

  Result<std::optional<StoredOrigin>> Origin(uint64_t client_id, Lsn lsn) override {
    std::string v;
    rocksdb::Status s =
        store_.db()->Get(rocksdb::ReadOptions(), origins_, OriginKey(client_id, lsn), &v);
    if (s.IsNotFound()) return std::optional<StoredOrigin>();
    if (!s.ok()) return FromRocks(s, "read origins");
    // The version (8 bytes), then the entry's digest; an older server wrote
    // the version alone.
    std::optional<uint64_t> version = layout::DecodeU64(std::string_view(v).substr(0, 8));
    std::optional<EntryDigest> digest =
        v.size() > 8 ? DigestFromBytes(std::string_view(v).substr(8)) : std::nullopt;
    if (!version || (v.size() > 8 && !digest))
      return Status::Corruption(
          fmt::format("origins: the entry of client {} lsn {} is malformed", client_id, lsn));
    StoredOrigin origin{*version, digest};
    if (digest) return std::optional<StoredOrigin>(origin);
    s = store_.db()->Get(rocksdb::ReadOptions(), history_, layout::EncodeU64(origin.version), &v);
    if (s.IsNotFound()) return std::optional<StoredOrigin>(origin);  // trimmed: no digest
    if (!s.ok()) return FromRocks(s, "read history");
    Result<EntryDigest> stored = DigestOfChangesetRecord(v);
    if (!stored.ok()) return stored.status();
    origin.digest = *stored;
    return std::optional<StoredOrigin>(origin);
  }

  Result<std::optional<std::string>> StateObject(const std::string& key) override {
    std::string v;
    rocksdb::Status s = store_.db()->Get(rocksdb::ReadOptions(), state_, key, &v);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "read server state");
    return std::optional<std::string>(std::move(v));
  }

 private:
  const ServerStore& store_;
  rocksdb::ColumnFamilyHandle* origins_;
  rocksdb::ColumnFamilyHandle* history_;
  rocksdb::ColumnFamilyHandle* state_;
};
}  // namespace

void ServerStore::AppendUploads(const std::vector<UploadJob*>& jobs) {
  std::lock_guard<std::mutex> removal(registry_removal_mu_);
  RocksGroupReads reads(*this, origins_, history_, state_);
  GroupCommitPlan plan;
  Status failure = PlanGroupCommit(jobs, latest_version(), latest_hash_, reads, &plan);
  std::map<uint64_t, ClientRecord> updated;
  if (failure.ok()) {
    GrowingBatch batch;
    for (size_t i = 0; i < plan.changesets.size(); ++i) {
      const wire::Changeset& c = plan.changesets[i];
      batch.Put(history_, layout::EncodeU64(c.server_version), wire::EncodeChangesetRecord(c));
      batch.Put(chain_, layout::EncodeU64(c.server_version), DigestBytes(plan.chain_hashes[i]));
      batch.Put(origins_, OriginKey(c.origin_client, c.origin_lsn),
                layout::EncodeU64(c.server_version) + DigestBytes(plan.entry_digests[i]));
    }
    for (auto& [key, obj] : plan.state) {
      if (obj)
        batch.Put(state_, key, codec::EncodeObject(*obj));
      else
        batch.Delete(state_, key);
    }
    for (auto& [id, highest] : plan.highest_lsns) {
      ClientRecord rec = GetClient(id).value_or(ClientRecord{});
      rec.highest_lsn = highest;
      rec.used = true;
      batch.Put(clients_, layout::EncodeU64(id), EncodeClient(rec));
      updated[id] = rec;
    }
    batch.Put(meta_, kMetaLatest, layout::EncodeU64(plan.latest_version));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    failure = Write(wo, batch, "store uploads");
  }
  FinishGroupCommit(jobs, failure);
  if (!failure.ok()) return;
  {
    std::lock_guard<std::mutex> lock(registry_mu_);
    for (auto& [id, rec] : updated) {
      clients_cache_[id].highest_lsn = rec.highest_lsn;
      clients_cache_[id].used = true;
    }
  }
  latest_hash_ = plan.latest_hash;
  latest_version_.store(plan.latest_version, std::memory_order_release);
}

Status ServerStore::ReadChangesets(uint64_t from, size_t max_bytes,
                                   std::vector<wire::Changeset>* out) {
  uint64_t latest = latest_version();
  if (from >= latest) return Status::OK();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), history_));
  max_bytes = std::min(max_bytes, wire::kMaxReplyPayloadBytes);
  size_t bytes = 0;
  uint64_t expected = from + 1;
  for (it->Seek(layout::EncodeU64(from + 1)); it->Valid(); it->Next()) {
    std::optional<uint64_t> v = layout::DecodeU64(it->key().ToStringView());
    if (!v || *v > latest) break;
    if (*v != expected)
      return Status::Corruption(
          fmt::format("server history: version {} missing (found {})", expected, *v));
    Result<wire::Changeset> c = wire::DecodeChangesetRecord(it->value().ToStringView());
    if (!c.ok()) return c.status();
    // Checked before adding, so the reply stays within a frame; the first
    // one goes alone whatever its size, or the client could never pass it.
    size_t size = wire::EncodedSize(*c);
    if (!out->empty() && bytes + size > max_bytes) break;
    bytes += size;
    out->push_back(std::move(c).value());
    ++expected;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read server history");
  if (out->empty())
    return Status::Corruption(fmt::format("server history: version {} missing", from + 1));
  return Status::OK();
}

// A RocksDB snapshot of the store, released when destroyed.
class ServerStore::Snapshot final : public StateSnapshot {
 public:
  explicit Snapshot(const ServerStore* store)
      : store_(store), snapshot_(store->db_->GetSnapshot()) {
    Result<std::optional<std::string>> v = store_->ReadMeta(kMetaLatest, snapshot_);
    version_ = (v.ok() && *v) ? layout::DecodeU64(**v).value_or(0) : 0;
    Result<std::optional<ChainHash>> h = store_->StoredChainHash(version_, snapshot_);
    if (h.ok() && *h) hash_ = **h;
  }
  ~Snapshot() override { store_->db_->ReleaseSnapshot(snapshot_); }

  uint64_t version() const override { return version_; }
  ChainHash chain_hash() const override { return hash_; }

  Result<Lsn> ClientHighestLsn(uint64_t client_id) override {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    std::string v;
    if (!store_->db_->Get(ro, store_->clients_, layout::EncodeU64(client_id), &v).ok())
      return Lsn{0};
    std::optional<ClientRecord> rec = DecodeClient(v);
    return rec ? rec->highest_lsn : 0;
  }

  Status ReadStatePage(std::string_view after_key, size_t max_bytes,
                       wire::BootstrapPage* page) override {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    std::unique_ptr<rocksdb::Iterator> it(store_->db_->NewIterator(ro, store_->state_));
    if (after_key.empty()) {
      it->SeekToFirst();
    } else {
      it->Seek(rocksdb::Slice(after_key.data(), after_key.size()));
      if (it->Valid() && it->key().ToStringView() == after_key) it->Next();
    }
    max_bytes = std::min(max_bytes, wire::kMaxReplyPayloadBytes);
    size_t bytes = 0;
    for (; it->Valid(); it->Next()) {
      wire::StateObject o;
      o.key = it->key().ToString();
      o.bytes = it->value().ToString();
      // As for changesets: a page holds at least one object and otherwise
      // stays within `max_bytes` of encoded size.
      size_t size = wire::EncodedSize(o);
      if (!page->objects.empty() && bytes + size > max_bytes)
        return FromRocks(it->status(), "read server state");
      bytes += size;
      page->objects.push_back(std::move(o));
    }
    page->last = true;
    return FromRocks(it->status(), "read server state");
  }

 private:
  const ServerStore* store_;
  const rocksdb::Snapshot* snapshot_;
  uint64_t version_ = 0;
  ChainHash hash_ = kChainStart;
};

Result<std::unique_ptr<StateSnapshot>> ServerStore::NewSnapshot() {
  return std::unique_ptr<StateSnapshot>(std::make_unique<Snapshot>(this));
}

Result<uint64_t> ServerStore::TrimBelow(uint64_t below) {
  uint64_t latest = latest_version();
  below = std::min(below, latest + 1);
  if (below <= horizon_ + 1) return uint64_t{0};
  const uint64_t removed = below - 1 - horizon_;
  // Point tombstones, never DeleteRange (docs/on-disk-format.md, "Deletions":
  // RocksDB 7.8 aborts when a compaction that drops only range tombstones
  // fails on a full disk), in fsynced batches that each move the horizon: a
  // crash between two leaves a horizon that says what is gone.
  // RocksStoreTrimBatches (tests/server) trims across a batch boundary.
  constexpr uint64_t kVersionsPerBatch = 50000;
  while (horizon_ < below - 1) {
    const uint64_t to = std::min(below - 1, horizon_ + kVersionsPerBatch);
    GrowingBatch batch;
    if (Status s = DigestOriginsOf(horizon_ + 1, to, batch); !s.ok()) return s;
    for (uint64_t v = horizon_ + 1; v <= to; ++v) batch.Delete(history_, layout::EncodeU64(v));
    // The new horizon's hash stays: a client at the horizon is still checked.
    for (uint64_t v = horizon_; v < to; ++v) batch.Delete(chain_, layout::EncodeU64(v));
    batch.Put(meta_, kMetaHorizon, layout::EncodeU64(to));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (Status s = Write(wo, batch, "trim history"); !s.ok()) return s;
    horizon_ = to;
  }
  return removed;
}

Status ServerStore::DigestOriginsOf(uint64_t from, uint64_t to, GrowingBatch& batch) {
  const std::string end = layout::EncodeU64(to + 1);
  const rocksdb::Slice end_slice(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &end_slice;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, history_));
  for (it->Seek(layout::EncodeU64(from)); it->Valid(); it->Next()) {
    // A record that does not decode leaves its origin without a digest (a
    // re-upload of it resets: the safe side) and does not stop the trim.
    Result<wire::Changeset> c = wire::DecodeChangesetRecord(it->value().ToStringView());
    if (!c.ok()) continue;
    const std::string key = OriginKey(c->origin_client, c->origin_lsn);
    std::string origin;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), origins_, key, &origin);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return FromRocks(s, "read origins");
    // Only the version: an older server's origin. Anything else is left for
    // the comparison to judge.
    if (origin.size() != 8 || layout::DecodeU64(origin) != c->server_version) continue;
    Result<EntryDigest> digest = DigestEntry(c->bytes);
    if (!digest.ok()) return digest.status();
    batch.Put(origins_, key, origin + DigestBytes(*digest));
  }
  return FromRocks(it->status(), "read server history");
}

Result<uint64_t> ServerStore::FirstVersionYoungerThan(uint64_t age_seconds) {
  std::optional<int64_t> cutoff = MicrosAgo(age_seconds);
  if (!cutoff) return horizon();  // nothing is that old
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), history_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Result<wire::Changeset> c = wire::DecodeChangesetRecord(it->value().ToStringView());
    if (!c.ok()) return c.status();
    if (c->server_time_us >= *cutoff) return c->server_version;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read server history");
  return latest_version() + 1;
}

Status ServerStore::ResetClient(uint64_t client_id) {
  return UpdateClient(client_id, "reset client", [](ClientRecord& rec) {
    rec.reset = true;
    return true;
  });
}

Result<uint64_t> ServerStore::StartNewEpoch(ServerStorage* replaced) {
  uint64_t epoch = RandomEpoch();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  // Fork points of earlier restores come with the backup, so a client of
  // any ancestor epoch learns where its lineage ended.
  GrowingBatch batch;
  batch.Put(meta_, ForkKey(epoch_), layout::EncodeU64(latest_version()));
  batch.Put(meta_, kMetaEpoch, layout::EncodeU64(epoch));
  uint64_t next_client = next_client_id_;
  if (replaced != nullptr) {
    // Clients registered after the backup keep ids the backup never handed
    // out; a new client must not get one of them and be taken for it.
    Result<uint64_t> replaced_next = replaced->NextClientId();
    if (!replaced_next.ok()) return replaced_next.status();
    next_client = std::max(next_client, *replaced_next);
    batch.Put(meta_, kMetaNextClient, layout::EncodeU64(next_client));
    // The replaced lineage branched off this backup's at some version: its
    // clients share history with the new lineage up to there (or up to the
    // backup, if that is older). Unrelated lineages get no fork point, so
    // their clients count everything acknowledged as diverged.
    if (replaced->epoch() != epoch_) {
      Result<std::optional<uint64_t>> fork = replaced->ForkVersion(epoch_);
      if (!fork.ok()) return fork.status();
      if (*fork)
        batch.Put(meta_, ForkKey(replaced->epoch()),
                  layout::EncodeU64(std::min(**fork, latest_version())));
    }
  }
  if (Status s = Write(wo, batch, "new epoch"); !s.ok()) return s;
  epoch_ = epoch;
  next_client_id_ = next_client;
  return epoch;
}

std::optional<uint64_t> ServerStore::StoredForkVersion(uint64_t old_epoch) const {
  std::string v;
  if (!db_->Get(rocksdb::ReadOptions(), meta_, ForkKey(old_epoch), &v).ok()) return std::nullopt;
  return layout::DecodeU64(v);
}

Result<std::optional<uint64_t>> ServerStore::ForkVersion(uint64_t old_epoch) {
  return StoredForkVersion(old_epoch);
}

Result<uint64_t> ServerStore::NextClientId() {
  std::lock_guard<std::mutex> lock(registry_mu_);
  return next_client_id_;
}

}  // namespace journaldb::server
