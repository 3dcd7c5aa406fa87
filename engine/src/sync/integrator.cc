#include "journaldb/engine/sync/integrator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "db_impl.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/fold.h"
#include "journaldb/journal/growing_batch.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/store.h"
#include "journaldb/journal/wall_clock.h"

namespace journaldb::sync {

namespace {
// Retention removes at most this many entries per call (TrimAcknowledged).
constexpr uint64_t kMaxTrimPerCall = 10000;

void PutU64(GrowingBatch& batch, rocksdb::ColumnFamilyHandle* meta, const char* key, uint64_t v) {
  Store::PutMetaU64(batch, meta, key, v);
}

// The chain hash that goes with a new download cursor. A server that sent
// none leaves none: the one stored belongs to the old cursor, and a hello
// showing it for the new one would be taken for a rollback.
Status PutDownloadHash(GrowingBatch& batch, rocksdb::ColumnFamilyHandle* meta,
                       std::string_view hash) {
  rocksdb::Status s = hash.empty() ? batch.Delete(meta, layout::kMetaDownloadHash)
                                   : batch.Put(meta, layout::kMetaDownloadHash,
                                               rocksdb::Slice(hash.data(), hash.size()));
  return FromRocks(s, "build sync batch");
}
// How the object at state key `key` changes to `after`, read before the write.
Status AppendDelta(const Store& store, const std::string& key, const std::optional<FieldMap>& after,
                   std::vector<ObjectDelta>& deltas) {
  std::optional<std::pair<std::string_view, std::string_view>> names = layout::ParseStateKey(key);
  if (!names) return Status::Corruption("sync: malformed state key");
  Result<std::optional<FieldMap>> before = store.GetObject(names->first, names->second, nullptr);
  if (!before.ok()) return before.status();
  if (std::optional<ObjectDelta> d = DiffObject(names->first, names->second, *before, after))
    deltas.push_back(std::move(*d));
  return Status::OK();
}
}  // namespace

void Integrator::PublishDownload(const std::vector<ObjectDelta>& deltas) {
  if (deltas.empty()) return;
  // A download while a reset is recorded is the server state that replaces
  // the wiped data.
  db_.PublishChanges(db_.reset_pending() ? ChangeCause::kClientReset : ChangeCause::kDownload,
                     deltas);
}

template <typename Fn>
Status Integrator::Exclusive(Fn&& fn) {
  return db_.RunWithCommitsHeld(fn);
}

Integrator::Integrator(Database& db) : db_(static_cast<DatabaseImpl&>(db)) {}

Result<LocalCursors> Integrator::ReadCursors() const { return ReadCursors(db_); }

Result<LocalCursors> Integrator::ReadCursors(const Database& database) {
  const auto& db = static_cast<const DatabaseImpl&>(database);
  LocalCursors c;
  const Store& store = db.store();
  std::pair<const char*, uint64_t*> numbers[] = {
      {layout::kMetaClientId, &c.client_id},
      {layout::kMetaEpoch, &c.epoch},
      {layout::kMetaDownloadCursor, &c.download_cursor},
      {layout::kMetaUploadCursor, &c.upload_cursor},
      {layout::kMetaSyncedOwnLsn, &c.synced_own_lsn},
      {layout::kMetaBootstrapVersion, &c.bootstrap_version},
      {layout::kMetaJournalFloor, &c.journal_floor}};
  for (auto [key, out] : numbers) {
    Result<uint64_t> v = store.GetMetaU64(key);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  for (auto [key, out] : {std::pair{layout::kMetaBootstrapAfter, &c.bootstrap_after},
                          std::pair{layout::kMetaClientSecret, &c.client_secret},
                          std::pair{layout::kMetaDownloadHash, &c.download_hash}}) {
    rocksdb::Status s = store.db()->Get(rocksdb::ReadOptions(), store.meta(), key, out);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, fmt::format("read meta {}", key));
  }
  Result<Lsn> last = store.LastLsn();
  if (!last.ok()) return last.status();
  c.last_lsn = *last;
  return c;
}

Status Integrator::AdoptIdentity(uint64_t client_id, uint64_t epoch,
                                 std::string_view client_secret) {
  return Exclusive([&]() -> Status {
    Result<LocalCursors> c = ReadCursors();
    if (!c.ok()) return c.status();
    if (c->client_id == client_id && c->epoch == epoch) return Status::OK();
    if (c->client_id != 0 && c->client_id != client_id)
      return Status::FailedPrecondition(fmt::format(
          "the server named this client {} but it is client {}", client_id, c->client_id));
    GrowingBatch batch;
    if (c->client_id == 0) {
      // An id without its secret could never sync again: both or neither.
      if (client_secret.size() != wire::kClientSecretBytes)
        return Status::FailedPrecondition(
            fmt::format("the server registered this client as {} with a secret of {} bytes, not {}",
                        client_id, client_secret.size(), wire::kClientSecretBytes));
      if (rocksdb::Status s = batch.Put(db_.store().meta(), layout::kMetaClientSecret,
                                        rocksdb::Slice(client_secret.data(), client_secret.size()));
          !s.ok())
        return FromRocks(s, "build batch");
    }
    PutU64(batch, db_.store().meta(), layout::kMetaClientId, client_id);
    PutU64(batch, db_.store().meta(), layout::kMetaEpoch, epoch);
    if (Status s = db_.mutable_store().Write(batch, /*sync=*/true); !s.ok()) return s;
    db_.SetSyncIdentity(client_id, epoch);
    return Status::OK();
  });
}

Result<std::string> Integrator::RegistrationSecret() {
  // A plain read: only a draw needs commits held.
  Result<std::optional<std::string>> stored = StoredRegistrationSecret();
  if (!stored.ok()) return stored.status();
  if (*stored) return **std::move(stored);
  std::string secret;
  Status s = Exclusive([&]() -> Status {
    // Another caller may have drawn it meanwhile.
    Result<std::optional<std::string>> again = StoredRegistrationSecret();
    if (!again.ok()) return again.status();
    if (*again) {
      secret = **std::move(again);
      return Status::OK();
    }
    Result<std::string> drawn = DrawRegistrationSecret();
    if (!drawn.ok()) return drawn.status();
    secret = *std::move(drawn);
    return Status::OK();
  });
  if (!s.ok()) return s;
  return secret;
}

Result<std::optional<std::string>> Integrator::StoredRegistrationSecret() const {
  const Store& store = db_.store();
  std::string secret;
  rocksdb::Status got = store.db()->Get(rocksdb::ReadOptions(), store.meta(),
                                        layout::kMetaRegistrationSecret, &secret);
  if (got.IsNotFound()) return std::optional<std::string>();
  if (!got.ok()) return FromRocks(got, "read the registration secret");
  if (secret.size() != layout::kRegistrationSecretBytes)
    return Status::Corruption(fmt::format("{}: meta {} is {} bytes, not {}", db_.path(),
                                          layout::kMetaRegistrationSecret, secret.size(),
                                          layout::kRegistrationSecretBytes));
  return std::optional<std::string>(std::move(secret));
}

Result<std::string> Integrator::DrawRegistrationSecret() {
  GrowingBatch batch;
  Result<std::string> drawn = Store::PutNewRegistrationSecret(batch, db_.store().meta());
  if (!drawn.ok()) return drawn.status();
  // Durable before a server can hold a registration made with it.
  if (Status w = db_.mutable_store().Write(batch, /*sync=*/true); !w.ok()) return w;
  return drawn;
}

Status Integrator::RedrawRegistrationSecret() {
  if (db_.options().read_only)
    return Status::FailedPrecondition(fmt::format("{} is open read-only", db_.path()));
  // Waits for a registration in flight: once it adopted its id, this refuses.
  std::lock_guard<std::mutex> registering(db_.registration_mu());
  return Exclusive([&]() -> Status {
    if (uint64_t id = db_.client_id(); id != 0)
      return Status::FailedPrecondition(fmt::format(
          "{} is client {} of its server: a copy of a database that synced is that client, and "
          "only a client reset makes it another",
          db_.path(), id));
    return DrawRegistrationSecret().status();
  });
}

Result<std::vector<wire::UploadEntry>> Integrator::ReadUnuploaded(Lsn after,
                                                                  size_t max_bytes) const {
  const Store& store = db_.store();
  std::vector<wire::UploadEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.journal()));
  // An entry must be durable here before the server may hold it: with
  // buffered durability a power loss could otherwise drop an uploaded entry
  // and its lsn would be reused for different ops. The iterator was created
  // first, so every entry it can see was written before this sync.
  if (Status s = store.SyncWal(); !s.ok())
    return Status(s.code(), fmt::format("before upload: {}", s.message()));
  size_t bytes = 0;
  for (it->Seek(layout::LsnKey(after + 1)); it->Valid() && bytes < max_bytes; it->Next()) {
    std::optional<Lsn> lsn = layout::ParseLsnKey(it->key().ToStringView());
    if (!lsn) return Status::Corruption("journal: malformed key");
    std::string_view value = it->value().ToStringView();
    size_t size = value.size() + wire::kUploadEntryOverheadBytes;
    // Entries before a stuck one still go, in a batch of their own.
    if (!out.empty() && bytes + size > max_bytes) break;
    // Only a journal written before commits checked kMaxEntryBytes holds one.
    if (value.size() > kMaxEntryBytes)
      return Status::FailedPrecondition(fmt::format(
          "journal entry lsn {} encodes to {} bytes, over the {} byte limit of one sync frame: "
          "it and every later entry can never upload. Way out: take a recovery snapshot "
          "(`journal snapshot`), sync the data from the server into a new database, and "
          "replay the other writes into it from the snapshot (`journal replay`)",
          *lsn, value.size(), kMaxEntryBytes));
    Result<JournalEntry> entry = codec::DecodeEntry(value, *lsn);
    if (!entry.ok()) return entry.status();
    out.push_back({*lsn, std::string(value), {}});
    bytes += size;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read journal for upload");
  return out;
}

Status Integrator::RecordSyncError(const Status& error) {
  const Store& store = db_.store();
  std::string current;
  rocksdb::Status s =
      store.db()->Get(rocksdb::ReadOptions(), store.meta(), kMetaSyncLastError, &current);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read meta sync_last_error");
  std::string next = error.ok() ? std::string() : error.ToString();
  if (current == next) return Status::OK();
  GrowingBatch batch;
  if (next.empty())
    batch.Delete(store.meta(), kMetaSyncLastError);
  else
    batch.Put(store.meta(), kMetaSyncLastError, next);
  return db_.mutable_store().Write(batch, /*sync=*/false);
}

Status Integrator::RecordUploadAck(Lsn highest, const std::vector<wire::Ack>& acks) {
  return Exclusive([&]() -> Status {
    Result<uint64_t> current = db_.store().GetMetaU64(layout::kMetaUploadCursor);
    if (!current.ok()) return current.status();
    GrowingBatch batch;
    for (const wire::Ack& a : acks)
      if (a.server_version != 0 && a.lsn > *current)
        batch.Put(db_.store().meta(), layout::AckVersionKey(a.lsn),
                  layout::EncodeU64(a.server_version));
    if (highest <= *current && batch.Count() == 0) return Status::OK();
    if (highest > *current) PutU64(batch, db_.store().meta(), layout::kMetaUploadCursor, highest);
    return db_.mutable_store().Write(batch, /*sync=*/false);
  });
}

Result<uint64_t> Integrator::TrimAcknowledged(const RetentionOptions& retention) {
  uint64_t removed = 0;
  Status status = Exclusive([&]() -> Status {
    Result<LocalCursors> c = ReadCursors();
    if (!c.ok()) return c.status();
    // Only entries the server holds and the download returned are done with:
    // integration folds the ones above synced_own_lsn.
    Lsn done = std::min(c->upload_cursor, c->synced_own_lsn);
    if (done <= retention.keep_entries) return Status::OK();
    Lsn cut = done - retention.keep_entries;
    std::optional<int64_t> oldest_kept_us = MicrosAgo(retention.keep_seconds);
    if (!oldest_kept_us) return Status::OK();  // no entry is that old
    const Store& store = db_.store();
    Lsn from = std::max<Lsn>(c->journal_floor, 1);
    Lsn last_removed = 0;
    JournalCursor cursor(store, from);
    // Commits wait while this runs: a long backlog (the first trim of a big
    // journal) goes a slice per sync instead of in one long pause.
    for (; cursor.Valid() && cursor.entry().lsn <= cut && removed < kMaxTrimPerCall;
         cursor.Next()) {
      if (cursor.entry().commit_time_us >= *oldest_kept_us) break;
      last_removed = cursor.entry().lsn;
      ++removed;
    }
    if (!cursor.status().ok()) return cursor.status();
    if (last_removed == 0) return Status::OK();
    // Point tombstones, at most kMaxTrimPerCall entries and their ack keys;
    // never DeleteRange (DeleteAll in client_reset_record.cc says why).
    GrowingBatch batch;
    for (Lsn lsn = from; lsn <= last_removed; ++lsn) {
      rocksdb::Status s = batch.Delete(store.journal(), layout::LsnKey(lsn));
      if (s.ok()) s = batch.Delete(store.meta(), layout::AckVersionKey(lsn));
      if (!s.ok()) return FromRocks(s, "build retention batch");
    }
    PutU64(batch, store.meta(), layout::kMetaJournalFloor, last_removed + 1);
    // The tail is never removed (pending entries stay), but keep lsns unique
    // even if every entry goes.
    PutU64(batch, store.meta(), layout::kMetaLsnHighWater, std::max(c->last_lsn, last_removed));
    return db_.mutable_store().Write(batch, /*sync=*/false);
  });
  if (!status.ok()) return status;
  return removed;
}

Result<std::optional<FieldMap>> Integrator::ReadSynced(const std::string& key) const {
  const Store& store = db_.store();
  rocksdb::PinnableSlice value;
  rocksdb::Status s = store.db()->Get(rocksdb::ReadOptions(), store.synced(), key, &value);
  if (s.IsNotFound()) return std::optional<FieldMap>();
  if (!s.ok()) return FromRocks(s, "read synced object");
  Result<FieldMap> fields = codec::DecodeObject(value.ToStringView(), "synced object");
  if (!fields.ok()) return fields.status();
  return std::optional<FieldMap>(std::move(fields).value());
}

Status Integrator::WriteSyncedAndState(const ObjectMap& synced, Lsn own_lsn, GrowingBatch& batch,
                                       std::vector<ObjectDelta>* deltas) {
  const Store& store = db_.store();
  // The pending entries' ops on the touched objects, in lsn order.
  std::map<std::string, std::vector<Operation>> pending;
  JournalCursor cursor(store, own_lsn + 1);
  for (; cursor.Valid(); cursor.Next())
    for (const Operation& op : cursor.entry().ops) {
      std::string key = layout::StateKey(op.collection, op.key);
      if (synced.count(key) != 0) pending[key].push_back(op);
    }
  if (!cursor.status().ok()) return cursor.status();
  for (const auto& [key, object] : synced) {
    rocksdb::Status s = object ? batch.Put(store.synced(), key, codec::EncodeObject(*object))
                               : batch.Delete(store.synced(), key);
    if (!s.ok()) return FromRocks(s, "build sync batch");
    std::optional<FieldMap> state = object;
    if (auto p = pending.find(key); p != pending.end())
      // An op that cannot apply on top of the server's newer state (an
      // increment of a field a remote change made non-int64) is a no-op,
      // exactly as on the server.
      for (const Operation& op : p->second) fold::ApplyOperation(op, state).IgnoreError();
    if (deltas != nullptr)
      if (Status d = AppendDelta(store, key, state, *deltas); !d.ok()) return d;
    s = state ? batch.Put(store.state(), key, codec::EncodeObject(*state))
              : batch.Delete(store.state(), key);
    if (!s.ok()) return FromRocks(s, "build sync batch");
  }
  return Status::OK();
}

Result<size_t> Integrator::ApplyChangesets(const std::vector<wire::Changeset>& changesets,
                                           std::string_view chain_hash) {
  size_t applied = 0;
  Status status = Exclusive([&]() -> Status {
    Result<LocalCursors> c = ReadCursors();
    if (!c.ok()) return c.status();
    if (c->bootstrap_version != 0)
      return Status::FailedPrecondition("changesets arrived during a bootstrap");
    ObjectMap synced;
    fold::ForwardingIndex forwardings;  // of the lists in `synced`, over all the changesets
    uint64_t cursor = c->download_cursor;
    Lsn own = c->synced_own_lsn;
    std::vector<std::pair<Lsn, uint64_t>> own_versions;
    for (const wire::Changeset& cs : changesets) {
      if (cs.server_version <= cursor) continue;
      if (cs.server_version != cursor + 1)
        return Status::Corruption(fmt::format(
            "sync: changeset at server version {} does not follow the download cursor {}",
            cs.server_version, cursor));
      for (const Operation& op : cs.entry.ops) {
        std::string key = layout::StateKey(op.collection, op.key);
        auto it = synced.find(key);
        if (it == synced.end()) {
          Result<std::optional<FieldMap>> loaded = ReadSynced(key);
          if (!loaded.ok()) return loaded.status();
          it = synced.emplace(std::move(key), std::move(loaded).value()).first;
        }
        // Same rule as the server: an op that cannot apply is a no-op.
        fold::ApplyOperation(op, it->second, forwardings).IgnoreError();
      }
      // The client's own entry came back: it is now part of synced and no
      // longer pending, so it is never applied twice.
      if (c->client_id != 0 && cs.origin_client == c->client_id) {
        if (cs.origin_lsn > own) own = cs.origin_lsn;
        // Where the server stored it, should an ack have been lost.
        own_versions.emplace_back(cs.origin_lsn, cs.server_version);
      }
      cursor = cs.server_version;
      ++applied;
    }
    if (applied == 0) return Status::OK();
    GrowingBatch batch;
    std::vector<ObjectDelta> deltas;
    if (Status s = WriteSyncedAndState(synced, own, batch, db_.observed() ? &deltas : nullptr);
        !s.ok())
      return s;
    PutU64(batch, db_.store().meta(), layout::kMetaDownloadCursor, cursor);
    if (Status s = PutDownloadHash(batch, db_.store().meta(), chain_hash); !s.ok()) return s;
    PutU64(batch, db_.store().meta(), layout::kMetaSyncedOwnLsn, own);
    for (auto [lsn, version] : own_versions)
      batch.Put(db_.store().meta(), layout::AckVersionKey(lsn), layout::EncodeU64(version));
    if (Status s = db_.mutable_store().Write(batch, /*sync=*/false); !s.ok()) return s;
    db_.SetDownloadCursor(cursor);
    PublishDownload(deltas);
    return Status::OK();
  });
  if (!status.ok()) return status;
  return applied;
}

Status Integrator::ApplyBootstrapPage(const wire::BootstrapPage& page) {
  return Exclusive([&]() -> Status {
    Result<LocalCursors> c = ReadCursors();
    if (!c.ok()) return c.status();
    if (c->download_cursor != 0)
      return Status::FailedPrecondition("bootstrap of a database that already downloaded");
    const Store& store = db_.store();
    GrowingBatch batch;
    ObjectMap synced;
    Lsn own = c->synced_own_lsn;
    if (c->bootstrap_version != page.server_version) {
      // A new bootstrap, or the server's state moved on since the last page:
      // start over from an empty synced state.
      std::unique_ptr<rocksdb::Iterator> it(
          store.db()->NewIterator(rocksdb::ReadOptions(), store.synced()));
      for (it->SeekToFirst(); it->Valid(); it->Next()) synced[it->key().ToString()] = std::nullopt;
      if (!it->status().ok()) return FromRocks(it->status(), "read synced objects");
      // Own entries the bootstrap state already contains stop being pending:
      // the objects they touched need their state recomputed.
      if (page.client_highest_lsn > own) {
        JournalCursor entries(store, own + 1);
        for (; entries.Valid() && entries.entry().lsn <= page.client_highest_lsn; entries.Next())
          for (const Operation& op : entries.entry().ops)
            synced.emplace(layout::StateKey(op.collection, op.key), std::nullopt);
        if (!entries.status().ok()) return entries.status();
      }
      own = page.client_highest_lsn;
      PutU64(batch, store.meta(), layout::kMetaBootstrapVersion, page.server_version);
      PutU64(batch, store.meta(), layout::kMetaSyncedOwnLsn, own);
    } else if (page.client_highest_lsn != own) {
      return Status::Corruption(
          "sync: bootstrap pages of one version disagree on the client's lsn");
    }
    for (const wire::StateObject& o : page.objects) synced[o.key] = o.fields;
    std::vector<ObjectDelta> deltas;
    if (Status s = WriteSyncedAndState(synced, own, batch, db_.observed() ? &deltas : nullptr);
        !s.ok())
      return s;
    if (page.last) {
      PutU64(batch, store.meta(), layout::kMetaDownloadCursor, page.server_version);
      if (Status s = PutDownloadHash(batch, store.meta(), page.chain_hash); !s.ok()) return s;
      batch.Delete(store.meta(), layout::kMetaBootstrapVersion);
      batch.Delete(store.meta(), layout::kMetaBootstrapAfter);
    } else if (!page.objects.empty()) {
      batch.Put(store.meta(), layout::kMetaBootstrapAfter, page.objects.back().key);
    }
    if (Status s = db_.mutable_store().Write(batch, /*sync=*/false); !s.ok()) return s;
    if (page.last) db_.SetDownloadCursor(page.server_version);
    PublishDownload(deltas);
    return Status::OK();
  });
}

}  // namespace journaldb::sync
