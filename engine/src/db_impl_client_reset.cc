// The engine's side of client reset: the durable record (meta
// "client_reset", engine/schema/client_reset.fbs), the atomic wipe, the
// diverged range, and where the engine hands a reset to the strategy
// (docs/client-reset.md).
#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <ctime>
#include <limits>
#include <random>

#include "client_reset_generated.h"
#include "db_impl.h"
#include "journaldb/engine/client_reset_record.h"
#include "journaldb/journal/aligned_bytes.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/wall_clock.h"
#include "journaldb/engine/sync/integrator.h"

namespace journaldb {

std::string EncodeClientResetRecord(const PendingClientReset& p) {
  flatbuffers::FlatBufferBuilder b(256);
  auto reason = b.CreateString(p.reason);
  auto message = b.CreateString(p.message);
  auto id = b.CreateString(p.recovery_id);
  auto root = b.CreateString(p.recovery_root);
  auto mode = b.CreateString(p.mode);
  b.Finish(fb::CreateClientResetRecord(b, static_cast<uint8_t>(p.step), reason, message,
                                       p.restored_latest_version, p.detected_time_us, id, root,
                                       p.diverged_after_lsn, mode),
           fb::ClientResetRecordIdentifier());
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Result<PendingClientReset> DecodeClientResetRecord(std::string_view bytes,
                                                   const std::string& where) {
  AlignedBytes aligned(bytes);
  const auto* data = reinterpret_cast<const uint8_t*>(aligned.view().data());
  flatbuffers::Verifier verifier(data, aligned.view().size());
  if (aligned.view().size() < 8 ||
      !flatbuffers::BufferHasIdentifier(data, fb::ClientResetRecordIdentifier()) ||
      !fb::VerifyClientResetRecordBuffer(verifier))
    return Status::Corruption(
        fmt::format("{}: meta {} is not a client reset record", where, layout::kMetaClientReset));
  const fb::ClientResetRecord* r = fb::GetClientResetRecord(data);
  if (r->step() < 1 || r->step() > 4)
    return Status::Corruption(
        fmt::format("{}: client reset record has unknown step {}", where, r->step()));
  PendingClientReset p;
  p.step = static_cast<ClientResetStep>(r->step());
  p.reason = r->reason()->str();
  p.message = r->message() ? r->message()->str() : "";
  p.restored_latest_version = r->restored_latest_version();
  p.detected_time_us = r->detected_time_us();
  p.recovery_id = r->recovery_id()->str();
  // The reset creates and deletes `<recovery_root>/<recovery_id>[.tmp]`: an id
  // that is a path would point that outside the recovery root.
  if (p.recovery_id.empty() || p.recovery_id == "." || p.recovery_id == ".." ||
      p.recovery_id.find('/') != std::string::npos)
    return Status::Corruption(
        fmt::format("{}: meta {} holds an invalid recovery id", where, layout::kMetaClientReset));
  p.recovery_root = r->recovery_root()->str();
  p.diverged_after_lsn = r->diverged_after_lsn();
  p.mode = r->mode() ? r->mode()->str() : "";
  return p;
}

namespace {

DatabaseImpl* Impl(Database& db) { return dynamic_cast<DatabaseImpl*>(&db); }
const DatabaseImpl* Impl(const Database& db) { return dynamic_cast<const DatabaseImpl*>(&db); }
Status NotOurs() { return Status::InvalidArgument("not a database opened by journaldb"); }

// Deletes every key of `family` in `batch`.
Status DeleteAll(const Store& store, rocksdb::ColumnFamilyHandle* family, rocksdb::WriteBatch& batch) {
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), family));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "wipe: find last key");
  if (!it->Valid()) return Status::OK();
  std::string last = it->key().ToString();
  rocksdb::Status s = batch.DeleteRange(family, rocksdb::Slice(), last);
  if (s.ok()) s = batch.Delete(family, last);
  return FromRocks(s, "wipe: build batch");
}

// The highest server version of this client's acknowledged writes a demand
// says the server still holds: none if it does not know the client (restored
// from a backup older than the client's registration, or a fresh server) or
// was restored to an empty history or to a lineage it cannot relate to the
// client's (restored version 0), up to the restored version after a restore,
// all of them otherwise (trimmed history, operator reset).
uint64_t HeldVersion(const std::string& reason, uint64_t restored_latest_version) {
  // server-rollback names the highest lsn held, not a version (DivergedAfter);
  // for ordering demands it counts as holding least.
  if (reason == "unknown-client" || reason == "server-rollback") return 0;
  if (reason == "epoch-mismatch" || reason == "server-rollback") return restored_latest_version;
  return std::numeric_limits<uint64_t>::max();
}

std::string PrefixEnd(std::string prefix) {
  prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

}  // namespace

const char* ClientResetStepName(ClientResetStep step) {
  switch (step) {
    case ClientResetStep::kDetected: return "detected";
    case ClientResetStep::kSnapshotted: return "snapshotted";
    case ClientResetStep::kWiped: return "wiped";
    case ClientResetStep::kReady: return "ready";
  }
  return "unknown";
}

std::string NewRecoveryId() {
  int64_t now_us = NowMicros();
  std::time_t secs = static_cast<std::time_t>(now_us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::random_device rd;
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z-{:08x}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rd());
}

std::string DefaultRecoveryRoot(const std::string& db_path) {
  std::string p = db_path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p + ".recovery";
}

Result<std::optional<PendingClientReset>> GetPendingClientReset(const Database& db) {
  const DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  std::string value;
  rocksdb::Status s = impl->store().db()->Get(rocksdb::ReadOptions(), impl->store().meta(),
                                              layout::kMetaClientReset, &value);
  if (s.IsNotFound()) return std::optional<PendingClientReset>();
  if (!s.ok()) return FromRocks(s, "read meta client_reset");
  Result<PendingClientReset> p = DecodeClientResetRecord(value, db.path());
  if (!p.ok()) return p.status();
  return std::optional<PendingClientReset>(std::move(p).value());
}

Status WriteClientResetRecord(Database& db, const PendingClientReset& pending) {
  DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  rocksdb::WriteBatch batch;
  if (rocksdb::Status s = batch.Put(impl->store().meta(), layout::kMetaClientReset,
                                    EncodeClientResetRecord(pending));
      !s.ok())
    return FromRocks(s, "build batch");
  if (Status s = impl->mutable_store().Write(batch, /*sync=*/true); !s.ok()) return s;
  impl->set_reset_pending(true);
  return Status::OK();
}

Status SnapshotAndWipe(Database& db, const std::function<Status(PendingClientReset&)>& snapshot,
                       const PendingClientReset& pending) {
  DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  return impl->RunWithCommitsHeld([&]() -> Status {
    // Another thread may have executed this reset meanwhile.
    Result<std::optional<PendingClientReset>> current = GetPendingClientReset(db);
    if (!current.ok()) return current.status();
    if (!current->has_value())
      return Status::FailedPrecondition(fmt::format("{}: no client reset is pending", db.path()));
    if ((**current).step >= ClientResetStep::kWiped) return Status::OK();
    // The record as it is now: a demand may have narrowed what the server
    // holds since the caller read it.
    PendingClientReset next = **current;
    next.step = pending.step;
    if (Status s = snapshot(next); !s.ok()) return s;
    next.step = ClientResetStep::kSnapshotted;
    if (Status s = WriteClientResetRecord(db, next); !s.ok()) return s;

    const Store& store = impl->store();
    rocksdb::WriteBatch batch;
    for (rocksdb::ColumnFamilyHandle* family : {store.state(), store.journal(), store.synced()})
      if (family != nullptr)
        if (Status s = DeleteAll(store, family, batch); !s.ok()) return s;
    for (const char* key :
         {layout::kMetaClientId, layout::kMetaEpoch, layout::kMetaDownloadCursor,
          layout::kMetaUploadCursor, layout::kMetaSyncedOwnLsn, layout::kMetaBootstrapVersion,
          layout::kMetaBootstrapAfter})
      if (rocksdb::Status s = batch.Delete(store.meta(), key); !s.ok())
        return FromRocks(s, "wipe: build batch");
    std::string ack_prefix = layout::kMetaAckVersionPrefix;
    if (rocksdb::Status s = batch.DeleteRange(store.meta(), ack_prefix, PrefixEnd(ack_prefix));
        !s.ok())
      return FromRocks(s, "wipe: build batch");
    Result<Lsn> last = store.LastLsn();
    if (!last.ok()) return last.status();
    Store::PutMetaU64(batch, store.meta(), layout::kMetaLsnHighWater, *last);
    Store::PutMetaU64(batch, store.meta(), layout::kMetaJournalFloor, *last + 1);
    next.step = ClientResetStep::kWiped;
    if (rocksdb::Status s = batch.Put(store.meta(), layout::kMetaClientReset, EncodeClientResetRecord(next));
        !s.ok())
      return FromRocks(s, "wipe: build batch");
    if (Status s = impl->mutable_store().Write(batch, /*sync=*/true); !s.ok()) return s;
    impl->ForgetSyncIdentity();
    return Status::OK();
  });
}

Status FinishClientReset(Database& db, bool automatic) {
  DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Delete(impl->store().meta(), layout::kMetaClientReset);
  if (!s.ok()) return FromRocks(s, "build batch");
  if (automatic)
    Store::PutMetaU64(batch, impl->store().meta(), layout::kMetaLastAutomaticRecovery,
                      static_cast<uint64_t>(NowMicros()));
  if (Status st = impl->mutable_store().Write(batch, /*sync=*/true); !st.ok()) return st;
  impl->set_reset_pending(false);
  return Status::OK();
}

Result<int64_t> LastAutomaticRecoveryTime(const Database& db) {
  const DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  Result<uint64_t> v = impl->store().GetMetaU64(layout::kMetaLastAutomaticRecovery);
  if (!v.ok()) return v.status();
  return static_cast<int64_t>(*v);
}

Result<Lsn> DivergedAfter(const Database& db, const PendingClientReset& pending) {
  const DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  const Store& store = impl->store();
  Result<uint64_t> upload = store.GetMetaU64(layout::kMetaUploadCursor);
  if (!upload.ok()) return upload.status();
  // Same epoch, same client id: the server says which of its lsns it holds.
  if (pending.reason == "server-rollback")
    return std::min<Lsn>(*upload, pending.restored_latest_version);
  const uint64_t held_version = HeldVersion(pending.reason, pending.restored_latest_version);
  if (held_version == std::numeric_limits<uint64_t>::max() || *upload == 0) return *upload;
  // Versions grow with lsn within one lineage: the first kept acknowledged
  // entry the restore lost ends the range the server still holds.
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.journal()));
  Lsn held = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<Lsn> lsn = layout::ParseLsnKey(it->key().ToStringView());
    if (!lsn) return Status::Corruption(fmt::format("journal of {}: malformed key", db.path()));
    if (*lsn > *upload) break;
    std::string v;
    rocksdb::Status s =
        store.db()->Get(rocksdb::ReadOptions(), store.meta(), layout::AckVersionKey(*lsn), &v);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read ack version");
    std::optional<uint64_t> version = s.ok() ? layout::DecodeU64(v) : std::nullopt;
    // An entry whose version was never learned (its ack was lost) is held
    // if a later one is: versions grow with lsn within the client file's
    // one lineage. If none later is known to be held, it stays diverged.
    if (!version) continue;
    if (*version > held_version) return held;
    held = *lsn;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read journal");
  return held;
}

// --- where the engine hands a reset to the strategy ---

// REQUIRES: mu_ held (the wipe runs in RunWithCommitsHeld).
void DatabaseImpl::ForgetSyncIdentity() {
  client_id_ = 0;
  epoch_ = 0;
  download_cursor_ = 0;
}

Status DatabaseImpl::HandleClientResetDemand(std::string reason, std::string message,
                                             uint64_t restored_latest_version,
                                             const Status& as_status) {
  std::lock_guard<std::mutex> lock(reset_mu_);
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*this);
  if (!pending.ok()) return pending.status();
  PendingClientReset p;
  if (pending->has_value() && (**pending).step >= ClientResetStep::kWiped) {
    // The server demands a new reset of the client file the last one made
    // (restored again, or it lost the new registration) before that one
    // finished. Its snapshot and replay markers stay for `journal replay`;
    // the new reset snapshots what this file holds now, writes since the
    // wipe included.
    if (Status s = FinishClientReset(*this, /*automatic=*/false); !s.ok()) return s;
    pending = std::optional<PendingClientReset>();
  }
  if (pending->has_value()) {
    p = **pending;  // already recorded: keep its recovery id
    // Not wiped yet, and the server now holds less of this client's writes
    // (restored from a backup since the reset was recorded): the diverged
    // range must take that in, or rolled-back writes are not offered. A
    // snapshot already taken with the narrower range is not reused.
    if (HeldVersion(reason, restored_latest_version) <
        HeldVersion(p.reason, p.restored_latest_version)) {
      p.reason = std::move(reason);
      p.message = std::move(message);
      p.restored_latest_version = restored_latest_version;
      if (Status s = WriteClientResetRecord(*this, p); !s.ok()) return s;
    }
  } else {
    p.step = ClientResetStep::kDetected;
    p.reason = std::move(reason);
    p.message = std::move(message);
    p.restored_latest_version = restored_latest_version;
    p.detected_time_us = NowMicros();
    p.recovery_id = NewRecoveryId();
    p.recovery_root = DefaultRecoveryRoot(path());
    if (Status s = WriteClientResetRecord(*this, p); !s.ok()) return s;
  }
  if (!options_.client_reset)
    return Status::ClientResetRequired(fmt::format(
        "{}; the reset is pending (no strategy is set): execute it with `journal reset {}`; "
        "the recovery snapshot will be {}/{}",
        as_status.message(), path(), p.recovery_root, p.recovery_id));
  return options_.client_reset->OnResetDemanded(*this, p, /*at_open=*/false);
}

Status DatabaseImpl::AfterServerStateDownloaded() {
  if (!reset_pending_) return Status::OK();
  std::lock_guard<std::mutex> lock(reset_mu_);
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*this);
  if (!pending.ok()) return pending.status();
  if (!pending->has_value() || (**pending).step < ClientResetStep::kWiped) return Status::OK();
  // Without a strategy (the reset was executed by hand) there is nothing
  // more to do: the recovery snapshot waits for `journal replay`.
  if (!options_.client_reset) return FinishClientReset(*this, /*automatic=*/false);
  return options_.client_reset->OnServerStateDownloaded(*this, **pending);
}

Status DatabaseImpl::ResumeClientResetAtOpen() {
  std::lock_guard<std::mutex> lock(reset_mu_);
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*this);
  if (!pending.ok()) return pending.status();
  if (!pending->has_value()) return Status::OK();
  reset_pending_ = true;
  if (!options_.client_reset) return Status::OK();
  const PendingClientReset& p = **pending;
  Status s;
  if (p.step <= ClientResetStep::kSnapshotted)
    s = options_.client_reset->OnResetDemanded(*this, p, /*at_open=*/true);
  // kReady: the server state was downloaded before the crash; the replay
  // needs no server. kWiped waits for the session's download.
  else if (p.step == ClientResetStep::kReady)
    s = options_.client_reset->OnServerStateDownloaded(*this, p);
  // Damaged recovery data: a person must look before anything goes on.
  if (s.ok() || s.IsCorruption()) return s;
  // Otherwise the database itself is intact (nothing is wiped before a
  // complete snapshot exists): left pending by the app's choice, a callback
  // that threw, a full disk. Open succeeds, so the app is never locked out of
  // its data by its own callback; the error is where `journal status` and
  // GetSyncStatus show it, and the session meets the reset again.
  sync::Integrator(*this).RecordSyncError(s).IgnoreError();
  return Status::OK();
}

}  // namespace journaldb
