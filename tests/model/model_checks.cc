#include "model/model_checks.h"

#include <rapidcheck.h>

#include <algorithm>
#include <string>

#include "journaldb/client_reset.h"
#include "journaldb/engine/diverged_count.h"
#include "journaldb/sync.h"
#include "model/pool_generators.h"

namespace journaldb::testing {

Result<Lsn> CommitOps(Database& db, const std::vector<Operation>& ops) {
  Transaction txn = db.BeginTransaction();
  for (const Operation& op : ops) RC_ASSERT(txn.Write(op).ToString() == "OK");
  Result<Lsn> lsn = txn.Commit();
  txn.Rollback();  // leaves nothing buffered whether or not it committed
  return lsn;
}

void CheckState(const DbModel& model, const Database& db) {
  Result<std::vector<std::string>> collections = db.ListCollections();
  RC_ASSERT(collections.ok());
  std::vector<std::string> expected_collections;
  for (const auto& [id, fields] : model.objects)
    if (expected_collections.empty() || expected_collections.back() != id.first)
      expected_collections.push_back(id.first);
  RC_ASSERT(*collections == expected_collections);

  for (const std::string& c : kCollections) {
    std::vector<std::pair<std::string, FieldMap>> scanned;
    ObjectIterator it = db.Scan(c);
    for (; it.Valid(); it.Next()) scanned.emplace_back(it.object().key, it.object().fields);
    RC_ASSERT(it.status().ok());
    RC_ASSERT(scanned == model.Collection(c));
    for (const std::string& k : kKeys) {
      Result<Object> got = db.Get(c, k);
      auto want = model.objects.find({c, k});
      if (want == model.objects.end()) {
        RC_ASSERT(got.status().IsNotFound());
        continue;
      }
      RC_ASSERT(got.ok());
      RC_ASSERT(got->fields == want->second);
    }
  }
}

void CheckJournalAndCursors(const DbModel& model, const SystemUnderTest& sut, Lsn from) {
  const Database& db = *sut.db;
  std::vector<JournalEntry> entries;
  JournalReader reader = db.ReadJournal(from);
  for (; reader.Valid(); reader.Next()) entries.push_back(reader.entry());
  RC_ASSERT(reader.status().ok());
  std::vector<const ModelEntry*> expected;
  for (const ModelEntry& e : model.journal)
    if (e.lsn >= from) expected.push_back(&e);
  RC_ASSERT(entries.size() == expected.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const ModelEntry& want = *expected[i];
    RC_ASSERT(entries[i].lsn == want.lsn);
    RC_ASSERT(entries[i].ops == want.ops);
    // Tagging (guarantee 3): the cursors current at commit.
    RC_ASSERT(entries[i].download_cursor == want.download_cursor);
    RC_ASSERT(entries[i].epoch == sut.RealEpoch(want.epoch));
    RC_ASSERT(entries[i].client_id == want.client_id);
  }

  const ModelCursors& c = model.cursors;
  Result<DatabaseInfo> info = db.Info();
  RC_ASSERT(info.ok());
  RC_ASSERT(info->last_lsn == model.last_lsn);
  RC_ASSERT(info->journal_entries == model.journal.size());
  RC_ASSERT(info->objects == model.objects.size());
  RC_ASSERT(info->client_id == c.client_id);
  RC_ASSERT(info->epoch == sut.RealEpoch(c.epoch));
  RC_ASSERT(info->download_cursor == c.download_cursor);
  RC_ASSERT(info->upload_cursor == c.upload_cursor);

  Result<SyncStatus> status = GetSyncStatus(db);
  RC_ASSERT(status.ok());
  RC_ASSERT(status->client_id == c.client_id);
  RC_ASSERT(status->epoch == sut.RealEpoch(c.epoch));
  RC_ASSERT(status->download_cursor == c.download_cursor);
  RC_ASSERT(status->upload_cursor == c.upload_cursor);
  RC_ASSERT(status->last_lsn == model.last_lsn);
  const auto unsynced = std::count_if(model.journal.begin(), model.journal.end(),
                                      [&](const ModelEntry& e) { return e.lsn > c.upload_cursor; });
  RC_ASSERT(status->unsynced_entries == static_cast<uint64_t>(unsynced));
  RC_ASSERT(status->last_error.empty() == !c.sync_error);

  // The counts a recovery manifest takes from the entries' tallies equal a
  // count of the model's journal, above every lsn the range could start at.
  for (Lsn after = 0; after <= model.last_lsn; ++after) {
    DivergedCount want;
    for (const ModelEntry& e : model.journal) {
      if (e.lsn <= after) continue;
      if (want.first_lsn == 0) want.first_lsn = e.lsn;
      want.last_lsn = e.lsn;
      ++want.entries;
      want.ops += e.ops.size();
    }
    Result<DivergedCount> count = CountJournalAfter(db, after);
    RC_ASSERT(count.ok());
    RC_ASSERT(count->entries == want.entries);
    RC_ASSERT(count->ops == want.ops);
    RC_ASSERT(count->first_lsn == want.first_lsn);
    RC_ASSERT(count->last_lsn == want.last_lsn);
    // Every entry was written with a tally: no full read was needed.
    RC_ASSERT(count->from_tallies || want.entries == 0);
  }

  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(db);
  RC_ASSERT(pending.ok());
  RC_ASSERT(!pending->has_value());
}

void CheckAll(const DbModel& model, const SystemUnderTest& sut) {
  CheckState(model, *sut.db);
  CheckJournalAndCursors(model, sut);
}

void CheckVerify(const Database& db) {
  Result<VerifyReport> report = db.Verify();
  RC_ASSERT(report.ok());
  if (!report->ok()) RC_FAIL("Verify: " + report->problems.front());
}

}  // namespace journaldb::testing
