// The outcome of the last finished client reset, kept in memory for the next
// SyncOnce report and stored in meta client_reset_outcome for later
// processes (schema/client_reset_outcome.fbs).
#include <fmt/format.h>

#include "client_reset_outcome_generated.h"
#include "db_impl.h"
#include "journaldb/engine/client_reset_record.h"
#include "journaldb/journal/aligned_bytes.h"
#include "journaldb/journal/decode_budget.h"
#include "journaldb/journal/growing_batch.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/store.h"
#include "journaldb/journal/wall_clock.h"

namespace journaldb {

namespace {

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// The fewest bytes a genuine op record takes in the vector: its offset there
// and the table's offset to its vtable (fields left at their defaults are
// not written).
constexpr size_t kNotApplicableOpBytes = 8;

}  // namespace

std::string EncodeClientResetOutcome(const ClientResetOutcome& o) {
  flatbuffers::FlatBufferBuilder b(256);
  std::vector<flatbuffers::Offset<fb::NotApplicableOpRecord>> ops;
  for (const NotApplicableOp& op : o.ops_not_applicable)
    ops.push_back(fb::CreateNotApplicableOpRecord(b, op.lsn, op.op_index, b.CreateString(op.reason)));
  auto ops_vector = b.CreateVector(ops);
  auto id = b.CreateString(o.recovery_id);
  auto path = b.CreateString(o.recovery_path);
  auto reason = b.CreateString(o.reason);
  auto mode = b.CreateString(o.mode);
  auto not_recovered_reason = b.CreateString(o.not_recovered_reason);
  b.Finish(fb::CreateClientResetOutcomeRecord(
               b, o.finished_time_us, id, path, reason, mode, o.transactions_replayed,
               o.transactions_skipped, ops_vector, o.transactions_not_recovered,
               o.first_unrecovered_lsn, o.last_unrecovered_lsn, not_recovered_reason,
               o.discarded),
           fb::ClientResetOutcomeRecordIdentifier());
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Result<ClientResetOutcome> DecodeClientResetOutcome(std::string_view bytes,
                                                    const std::string& where) {
  AlignedBytes aligned(bytes);
  const auto* data = reinterpret_cast<const uint8_t*>(aligned.view().data());
  flatbuffers::Verifier verifier(data, aligned.view().size());
  if (aligned.view().size() < 8 ||
      !flatbuffers::BufferHasIdentifier(data, fb::ClientResetOutcomeRecordIdentifier()) ||
      !fb::VerifyClientResetOutcomeRecordBuffer(verifier))
    return Status::Corruption(fmt::format("{}: meta {} is not a client reset outcome", where,
                                          layout::kMetaClientResetOutcome));
  const fb::ClientResetOutcomeRecord* r = fb::GetClientResetOutcomeRecord(data);
  ClientResetOutcome o;
  o.finished_time_us = r->finished_time_us();
  o.recovery_id = r->recovery_id()->str();
  o.recovery_path = Str(r->recovery_path());
  o.reason = Str(r->reason());
  o.mode = Str(r->mode());
  o.transactions_replayed = r->transactions_replayed();
  o.transactions_skipped = r->transactions_skipped();
  if (const auto* ops = r->ops_not_applicable()) {
    // Many offsets to one record with a long reason would decode to far
    // more than the record holds (decode_budget.h): each op is charged its
    // offset and table (8 bytes at least) and its reason, before the copy.
    DecodeBudget budget(aligned.view().size());
    auto shared = [&] {
      return Status::Corruption(fmt::format("{}: meta {}: its ops not applicable {}", where,
                                            layout::kMetaClientResetOutcome, kSharedData));
    };
    if (!budget.TakeEach(ops->size(), kNotApplicableOpBytes)) return shared();
    o.ops_not_applicable.reserve(ops->size());
    for (const fb::NotApplicableOpRecord* op : *ops) {
      if (op->reason() != nullptr && !budget.TakeString(op->reason()->size())) return shared();
      o.ops_not_applicable.push_back({op->lsn(), op->op_index(), Str(op->reason())});
    }
  }
  o.transactions_not_recovered = r->transactions_not_recovered();
  o.first_unrecovered_lsn = r->first_unrecovered_lsn();
  o.last_unrecovered_lsn = r->last_unrecovered_lsn();
  o.not_recovered_reason = Str(r->not_recovered_reason());
  o.discarded = r->discarded();
  return o;
}

Status RecordClientResetOutcome(Database& db, ClientResetOutcome outcome) {
  auto* impl = dynamic_cast<DatabaseImpl*>(&db);
  if (impl == nullptr) return Status::InvalidArgument("not a database opened by journaldb");
  if (outcome.finished_time_us == 0) outcome.finished_time_us = NowMicros();
  GrowingBatch batch;
  rocksdb::Status s = batch.Put(impl->store().meta(), layout::kMetaClientResetOutcome,
                                EncodeClientResetOutcome(outcome));
  if (!s.ok()) return FromRocks(s, "build batch");
  if (Status st = impl->mutable_store().Write(batch, /*sync=*/true); !st.ok()) return st;
  impl->SetResetOutcome(std::move(outcome));
  return Status::OK();
}

Result<std::optional<ClientResetOutcome>> LastClientResetOutcome(const Database& db) {
  const auto* impl = dynamic_cast<const DatabaseImpl*>(&db);
  if (impl == nullptr) return Status::InvalidArgument("not a database opened by journaldb");
  if (std::optional<ClientResetOutcome> in_memory = impl->last_reset_outcome()) return in_memory;
  std::string bytes;
  rocksdb::Status s = impl->store().db()->Get(rocksdb::ReadOptions(), impl->store().meta(),
                                              layout::kMetaClientResetOutcome, &bytes);
  if (s.IsNotFound()) return std::optional<ClientResetOutcome>();
  if (!s.ok()) return FromRocks(s, fmt::format("read meta {}", layout::kMetaClientResetOutcome));
  Result<ClientResetOutcome> o = DecodeClientResetOutcome(bytes, db.path());
  if (!o.ok()) return o.status();
  return std::optional<ClientResetOutcome>(std::move(o).value());
}

}  // namespace journaldb
