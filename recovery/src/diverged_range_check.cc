#include "diverged_range_check.h"

#include <fmt/format.h>

#include <limits>
#include <string_view>
#include <utility>

#include "journaldb/sync.h"

namespace journaldb::recovery {

namespace {

void AddProblem(DivergedRangeCheck& c, std::string problem) {
  if (c.problems.size() < kMaxDivergedRangeProblems) c.problems.push_back(std::move(problem));
}

std::string MissingLsns(Lsn first, Lsn last) {
  if (first == last) return fmt::format("diverged lsn {} is missing from the journal", first);
  return fmt::format("diverged lsns {}-{} are missing from the journal", first, last);
}

}  // namespace

Result<DivergedRangeCheck> CheckDivergedRange(const Database& snapshot_db,
                                              const RecoveryManifest& m) {
  DivergedRangeCheck c;
  // Cursors only: Info() would count every key, and export reads only the
  // diverged range so its cost does not grow with the database's size.
  Result<SyncStatus> info = GetSyncStatus(snapshot_db);
  if (!info.ok()) return info.status();
  const std::pair<std::string_view, std::pair<uint64_t, uint64_t>> cursors[] = {
      {"client id", {m.old_client_id, info->client_id}},
      {"epoch", {m.old_epoch, info->epoch}},
      {"download cursor", {m.download_cursor, info->download_cursor}},
      {"upload cursor", {m.upload_cursor, info->upload_cursor}},
  };
  for (const auto& [what, values] : cursors)
    if (values.first != values.second)
      AddProblem(c, fmt::format("manifest says {} {}, the snapshot database has {}", what,
                                values.first, values.second));

  // Acknowledged entries form a prefix of the journal, so every entry above
  // the upload cursor must lie in the diverged range, and the range must
  // reach the journal's end. After a client-rollback the entries between
  // the cursor and the range are held too: the server compared them with
  // its own, and they were not acknowledged (client-reset.md).
  const bool held_above_cursor = m.reason == "client-rollback";
  const bool any = m.diverged_entries > 0;
  Lsn from = m.upload_cursor == std::numeric_limits<uint64_t>::max()
                 ? std::numeric_limits<uint64_t>::max()
                 : m.upload_cursor + 1;
  if (any && m.first_diverged_lsn < from) from = m.first_diverged_lsn;
  Lsn expected = m.first_diverged_lsn;
  JournalReader reader = snapshot_db.ReadJournal(from);
  for (; reader.Valid(); reader.Next()) {
    const Lsn lsn = reader.entry().lsn;
    if (!any || lsn < m.first_diverged_lsn) {
      if (held_above_cursor) continue;
      AddProblem(c, fmt::format("journal entry lsn {} is above the upload cursor {} but outside "
                                "the manifest's diverged range",
                                lsn, m.upload_cursor));
      continue;
    }
    if (lsn > m.last_diverged_lsn) {
      AddProblem(c, fmt::format("journal entry lsn {} follows the manifest's diverged range "
                                "(which ends at lsn {})",
                                lsn, m.last_diverged_lsn));
      continue;
    }
    if (lsn != expected) AddProblem(c, MissingLsns(expected, lsn - 1));
    expected = lsn + 1;
    ++c.entries;
    c.ops += reader.entry().ops.size();
  }
  if (!reader.status().ok()) {
    // A damaged entry is a finding; anything else means the check did not run.
    if (!reader.status().IsCorruption()) return reader.status();
    AddProblem(c, fmt::format("journal: {}", reader.status().message()));
  } else if (any && expected <= m.last_diverged_lsn) {
    AddProblem(c, MissingLsns(expected, m.last_diverged_lsn));
  }
  if (c.entries != m.diverged_entries)
    AddProblem(c, fmt::format("manifest counts {} diverged entries, the journal holds {}",
                              m.diverged_entries, c.entries));
  if (c.ops != m.diverged_ops)
    AddProblem(c, fmt::format("manifest counts {} diverged ops, the journal holds {}",
                              m.diverged_ops, c.ops));
  return c;
}

}  // namespace journaldb::recovery
