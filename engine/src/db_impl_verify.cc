// Database::Verify: state must equal the fold of the journal (guarantee 2).
#include <fmt/format.h>

#include "db_impl.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/fold.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/text.h"

namespace journaldb {

namespace {
// Stop collecting after this many problems; the first ones tell the story.
constexpr size_t kMaxProblems = 100;

void Report(VerifyReport& r, std::string problem) {
  if (r.problems.size() < kMaxProblems) r.problems.push_back(std::move(problem));
}

// A pending entry folded over the synced state: ops that cannot apply there
// are no-ops and before-images describe the state at commit, not this one
// (docs/merge-semantics.md).
void ApplyPending(const JournalEntry& entry, fold::MemoryState& state) {
  for (const Operation& op : entry.ops) {
    fold::ObjectId id{op.collection, op.key};
    auto& objects = state.mutable_objects();
    auto it = objects.find(id);
    std::optional<FieldMap> object;
    if (it != objects.end()) object = it->second;
    fold::ApplyOperation(op, object).IgnoreError();
    if (object)
      objects[id] = std::move(*object);
    else if (it != objects.end())
      objects.erase(it);
  }
}

std::string Describe(const FieldMap* fields) {
  if (fields == nullptr) return "no object";
  std::string s = "{";
  for (const auto& [name, value] : *fields)
    s += fmt::format("{}{}: {}", s.size() > 1 ? ", " : "", name, value.ToString());
  return s + "}";
}
}  // namespace

Result<VerifyReport> DatabaseImpl::Verify() const {
  VerifyReport report;
  std::unique_ptr<Snapshot> snap = GetSnapshot();
  const rocksdb::Snapshot* rs = snap->rep_->snapshot;

  // 1. Fold the journal. The fold holds the whole state in memory.
  fold::MemoryState folded;
  rocksdb::ReadOptions ro;
  ro.snapshot = rs;
  // A database that has downloaded from a server: the expected state is the
  // synced state (the server's, as of the download cursor) folded with the
  // pending entries, those above the highest own lsn the download returned.
  bool synced_base = false;
  Lsn synced_own_lsn = 0;
  if (store_->synced() != nullptr) {
    auto meta = [&](const char* key) -> uint64_t {
      std::string v;
      if (!store_->db()->Get(ro, store_->meta(), key, &v).ok()) return 0;
      return layout::DecodeU64(v).value_or(0);
    };
    synced_base = meta(layout::kMetaDownloadCursor) != 0 || meta(layout::kMetaBootstrapVersion) != 0;
    synced_own_lsn = meta(layout::kMetaSyncedOwnLsn);
  }
  if (synced_base) {
    std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->synced()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto parsed = layout::ParseStateKey(it->key().ToStringView());
      if (!parsed) {
        Report(report, "malformed synced key");
        continue;
      }
      Result<FieldMap> fields = codec::DecodeObject(it->value().ToStringView(), "synced object");
      if (!fields.ok()) {
        Report(report, fields.status().message());
        continue;
      }
      folded.mutable_objects()[{std::string(parsed->first), std::string(parsed->second)}] =
          std::move(fields).value();
    }
    if (!it->status().ok()) return FromRocks(it->status(), "verify: read synced state");
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->journal()));
    // Retention and client-reset wipes remove the journal's head: the lsns
    // continue from the floor.
    Lsn expected = 1;
    {
      std::string v;
      if (store_->db()->Get(ro, store_->meta(), layout::kMetaJournalFloor, &v).ok())
        expected = std::max<Lsn>(1, layout::DecodeU64(v).value_or(1));
    }
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::optional<Lsn> lsn = layout::ParseLsnKey(it->key().ToStringView());
      if (!lsn) {
        Report(report, fmt::format("journal key of {} bytes is malformed", it->key().size()));
        continue;
      }
      if (*lsn != expected)
        Report(report, fmt::format("lsn gap: expected lsn {}, found {}", expected, *lsn));
      expected = *lsn + 1;
      ++report.entries_checked;
      Result<JournalEntry> entry = codec::DecodeEntry(it->value().ToStringView(), *lsn);
      if (!entry.ok()) {
        // The fold cannot continue meaningfully past a lost entry, but keep
        // checking that later entries decode.
        Report(report, entry.status().message());
        continue;
      }
      if (!synced_base) {
        if (Status s = folded.ApplyEntry(*entry); !s.ok()) Report(report, s.message());
      } else if (entry->lsn > synced_own_lsn) {
        ApplyPending(*entry, folded);
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "verify: read journal");
  }

  // 2. Compare with the stored state, in key order on both sides.
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->state()));
  auto expected = folded.objects().begin();
  auto expected_end = folded.objects().end();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++report.objects_checked;
    auto parsed = layout::ParseStateKey(it->key().ToStringView());
    if (!parsed) {
      Report(report, fmt::format("malformed state key {}", text::Quoted(it->key().ToStringView())));
      continue;
    }
    fold::ObjectId id{std::string(parsed->first), std::string(parsed->second)};
    for (; expected != expected_end && expected->first < id; ++expected)
      Report(report, fmt::format("object {}/{}: journal has {} but state has no object",
                                 expected->first.first, text::Quoted(expected->first.second),
                                 Describe(&expected->second)));
    // The fold's object, not a copy; names are formatted only for a report.
    const FieldMap* want = nullptr;
    if (expected != expected_end && expected->first == id) want = &(expected++)->second;
    Result<std::optional<FieldMap>> got =
        codec::DecodeStoredObject(it->value().ToStringView(), id.first, id.second);
    if (!got.ok()) {
      Report(report, got.status().message());
      continue;
    }
    if (want == nullptr || *want != **got)
      Report(report, fmt::format("object {}/{}: journal has {} but state has {}", id.first,
                                 text::Quoted(id.second), Describe(want), Describe(&**got)));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "verify: read state");
  for (; expected != expected_end; ++expected)
    Report(report, fmt::format("object {}/{}: journal has {} but state has no object",
                               expected->first.first, text::Quoted(expected->first.second),
                               Describe(&expected->second)));
  return report;
}

}  // namespace journaldb
