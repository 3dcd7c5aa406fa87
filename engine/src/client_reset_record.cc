// The engine's primitives of client reset (client_reset_record.h): the
// durable record (meta "client_reset", engine/schema/client_reset.fbs), the
// demand, the atomic wipe under the commit hold, and the diverged range. The
// state machine that sequences them is recovery/src/client_reset/
// (docs/client-reset.md); the hand-off to it is db_impl_client_reset.cc.
#include "journaldb/engine/client_reset_record.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <limits>
#include <random>

#include "client_reset_generated.h"
#include "db_impl.h"
#include "journaldb/journal/aligned_bytes.h"
#include "journaldb/journal/growing_batch.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/wall_clock.h"

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

// Deletes every key of `family` in `batch`, one point tombstone per key.
// The engine writes no range tombstones (DeleteRange): RocksDB 7.8 aborts
// when a compaction whose output holds only range tombstones it drops fails
// on an I/O error such as a full disk (CompactionJob::Install reads the
// smallest key of the empty output it kept), where point tombstones make it
// return the error. The cost is a batch entry per key of the wiped families.
Status DeleteAll(const Store& store, rocksdb::ColumnFamilyHandle* family, GrowingBatch& batch) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, family));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    if (rocksdb::Status s = batch.Delete(family, it->key()); !s.ok())
      return FromRocks(s, "wipe: build batch");
  return FromRocks(it->status(), "wipe: list keys");
}

// Deletes every key of `family` that starts with `prefix`, as DeleteAll.
Status DeletePrefix(const Store& store, rocksdb::ColumnFamilyHandle* family,
                    std::string_view prefix, GrowingBatch& batch) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, family));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    if (rocksdb::Status s = batch.Delete(family, it->key()); !s.ok())
      return FromRocks(s, "wipe: build batch");
  return FromRocks(it->status(), "wipe: list keys");
}

// Whether a demand for `reason` says the server lost writes of this client
// it held (or never held them), rather than only asking for a reset.
bool ServerHoldsLess(const std::string& reason) {
  return reason == "unknown-client" || reason == "epoch-mismatch" || reason == "server-rollback" ||
         reason == "client-rollback";
}

// The highest server version of this client's acknowledged writes a demand
// says the server still holds: none if it does not know the client (restored
// from a backup older than the client's registration, or a fresh server) or
// was restored to an empty history or to a lineage it cannot relate to the
// client's (restored version 0), up to the restored version after a restore,
// all of them otherwise (trimmed history, operator reset).
// (server-rollback and client-rollback name an lsn, not a version:
// DivergedAfter takes them before asking this.)
uint64_t HeldVersion(const std::string& reason, uint64_t restored_latest_version) {
  if (reason == "unknown-client") return 0;
  if (reason == "epoch-mismatch") return restored_latest_version;
  return std::numeric_limits<uint64_t>::max();
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
  GrowingBatch batch;
  if (rocksdb::Status s = batch.Put(impl->store().meta(), layout::kMetaClientReset,
                                    EncodeClientResetRecord(pending));
      !s.ok())
    return FromRocks(s, "build batch");
  if (Status s = impl->mutable_store().Write(batch, /*sync=*/true); !s.ok()) return s;
  impl->set_reset_pending(true);
  return Status::OK();
}

Status HoldCommits(Database& db, const std::function<Status(const CommitsHeld&)>& fn) {
  DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  return impl->RunWithCommitsHeld([&]() -> Status { return fn(CommitsHeld()); });
}

Status WipeLocalData(Database& db, const PendingClientReset& wiped, const CommitsHeld&) {
  DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  if (wiped.step != ClientResetStep::kWiped)
    return Status::InvalidArgument(fmt::format(
        "{}: the wipe records step wiped, not {}", db.path(), ClientResetStepName(wiped.step)));
  const Store& store = impl->store();
  GrowingBatch batch;
  for (rocksdb::ColumnFamilyHandle* family : {store.state(), store.journal(), store.synced()})
    if (family != nullptr)
      if (Status s = DeleteAll(store, family, batch); !s.ok()) return s;
  for (const char* key :
       {layout::kMetaClientId, layout::kMetaClientSecret, layout::kMetaEpoch,
        layout::kMetaDownloadCursor, layout::kMetaDownloadHash, layout::kMetaUploadCursor,
        layout::kMetaSyncedOwnLsn, layout::kMetaBootstrapVersion, layout::kMetaBootstrapAfter})
    if (rocksdb::Status s = batch.Delete(store.meta(), key); !s.ok())
      return FromRocks(s, "wipe: build batch");
  if (Status s = DeletePrefix(store, store.meta(), layout::kMetaAckVersionPrefix, batch); !s.ok())
    return s;
  // The replayed writes register as a new client: a secret of their own, in
  // the wipe, so that a backup taken before their first sync names that
  // client and not the one the reset left (layout.h).
  if (Result<std::string> secret = Store::PutNewRegistrationSecret(batch, store.meta());
      !secret.ok())
    return secret.status();
  Result<Lsn> last = store.LastLsn();
  if (!last.ok()) return last.status();
  Store::PutMetaU64(batch, store.meta(), layout::kMetaLsnHighWater, *last);
  Store::PutMetaU64(batch, store.meta(), layout::kMetaJournalFloor, *last + 1);
  if (rocksdb::Status s =
          batch.Put(store.meta(), layout::kMetaClientReset, EncodeClientResetRecord(wiped));
      !s.ok())
    return FromRocks(s, "wipe: build batch");
  if (Status s = impl->mutable_store().Write(batch, /*sync=*/true); !s.ok()) return s;
  impl->ForgetSyncIdentity();
  // Observers learn that all they show may be stale; the download that
  // follows reports the server's objects as inserted.
  if (impl->observed()) impl->PublishReset();
  return Status::OK();
}

Result<PendingClientReset> RecordClientResetDemand(Database& db, const ClientResetDemand& demand) {
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(db);
  if (!pending.ok()) return pending.status();
  if (pending->has_value() && (**pending).step >= ClientResetStep::kWiped) {
    // The server demands a new reset of the client file the last one made
    // (restored again, or it lost the new registration) before that one
    // finished. Its snapshot and replay markers stay for `journal replay`;
    // the new reset snapshots what this file holds now, writes since the
    // wipe included.
    if (Status s = FinishClientReset(db, **pending); !s.ok()) return s;
    pending = std::optional<PendingClientReset>();
  }
  PendingClientReset p;
  if (pending->has_value()) {
    p = **pending;  // already recorded: keep its recovery id
    // Not wiped yet, and the server now holds less of this client's writes
    // (restored from a backup or rolled back since the reset was recorded):
    // the diverged range must take that in, or rolled-back writes are not
    // offered. Each such demand's range is measured as the reset will take
    // it (DivergedAfter: reasons name versions or lsns); the wider one is
    // kept. A demand whose server holds all it held (an operator's reset, a
    // trim, an unverifiable id) does not widen it: a pending client-rollback
    // knows entries above the upload cursor held, and replaying them would
    // apply them twice. A snapshot already taken with the narrower range is
    // not reused.
    PendingClientReset demanded = p;
    demanded.reason = demand.reason;
    demanded.message = demand.message;
    demanded.restored_latest_version = demand.restored_latest_version;
    Result<Lsn> kept_after = DivergedAfter(db, p);
    if (!kept_after.ok()) return kept_after.status();
    Result<Lsn> demanded_after = DivergedAfter(db, demanded);
    if (!demanded_after.ok()) return demanded_after.status();
    if (ServerHoldsLess(demand.reason) && *demanded_after < *kept_after) {
      p = std::move(demanded);
      if (Status s = WriteClientResetRecord(db, p); !s.ok()) return s;
    }
  } else {
    p.step = ClientResetStep::kDetected;
    p.reason = demand.reason;
    p.message = demand.message;
    p.restored_latest_version = demand.restored_latest_version;
    p.detected_time_us = NowMicros();
    p.recovery_id = NewRecoveryId();
    p.recovery_root = DefaultRecoveryRoot(db.path());
    if (Status s = WriteClientResetRecord(db, p); !s.ok()) return s;
  }
  return p;
}

Status FinishClientReset(Database& db, const PendingClientReset& finished) {
  DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  GrowingBatch batch;
  rocksdb::Status s = batch.Delete(impl->store().meta(), layout::kMetaClientReset);
  if (s.ok())
    s = batch.Put(impl->store().meta(), layout::kMetaClientResetUnsynced, finished.recovery_id);
  if (!s.ok()) return FromRocks(s, "build batch");
  if (Status st = impl->mutable_store().Write(batch, /*sync=*/true); !st.ok()) return st;
  impl->set_reset_pending(false);
  impl->set_reset_unsynced(true);
  return Status::OK();
}

Result<std::optional<std::string>> UnsyncedClientReset(const Database& db) {
  const DatabaseImpl* impl = Impl(db);
  if (impl == nullptr) return NotOurs();
  std::string id;
  rocksdb::Status s = impl->store().db()->Get(rocksdb::ReadOptions(), impl->store().meta(),
                                              layout::kMetaClientResetUnsynced, &id);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read meta client_reset_unsynced");
  return std::optional<std::string>(std::move(id));
}

std::string DescribeDiscardedWrites(const ClientResetOutcome& outcome, std::string_view db_path) {
  return fmt::format(
      "client reset {} ({}) discarded {} diverged transaction(s), lsn {}..{} of the recovery "
      "snapshot, from the live database: {}; they are kept in {} (`journal diff {} {}` shows "
      "them, `journal replay {} {}` applies them)",
      outcome.recovery_id, outcome.reason, outcome.transactions_not_recovered,
      outcome.first_unrecovered_lsn, outcome.last_unrecovered_lsn, outcome.not_recovered_reason,
      outcome.recovery_path, outcome.recovery_path, db_path, outcome.recovery_path, db_path);
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
  // The server compared this client's re-uploads up to the lsn it names with
  // what it stored, and they were the same: held, acknowledged or not.
  if (pending.reason == "client-rollback")
    return std::max<Lsn>(*upload, pending.restored_latest_version);
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

}  // namespace journaldb
