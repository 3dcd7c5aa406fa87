#include "journaldb/engine/diverged_count.h"

#include <fmt/format.h>

#include <limits>
#include <memory>
#include <optional>

#include "db_impl.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"

namespace journaldb {

namespace {

struct TalliedEntry {
  Lsn lsn = 0;
  uint64_t ops = 0;
  std::optional<codec::JournalTally> tally;
};

// The entry under the iterator's key, verified.
Result<TalliedEntry> ReadEntry(const rocksdb::Iterator& it) {
  std::optional<Lsn> lsn = layout::ParseLsnKey(it.key().ToStringView());
  if (!lsn)
    return Status::Corruption(fmt::format("journal: malformed key of {} bytes", it.key().size()));
  Result<JournalEntry> entry = codec::DecodeEntry(it.value().ToStringView(), *lsn);
  if (!entry.ok()) return entry.status();
  Result<std::optional<codec::JournalTally>> tally =
      codec::DecodeEntryTally(it.value().ToStringView(), *lsn);
  if (!tally.ok()) return tally.status();
  return TalliedEntry{*lsn, entry->ops.size(), *tally};
}

}  // namespace

Result<DivergedCount> CountJournalAfter(const Database& db, Lsn after) {
  const auto* impl = dynamic_cast<const DatabaseImpl*>(&db);
  if (impl == nullptr) return Status::InvalidArgument("not a database opened by journaldb");
  DivergedCount c;
  if (after == std::numeric_limits<Lsn>::max()) return c;
  const Store& store = impl->store();
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.journal()));
  it->Seek(layout::LsnKey(after + 1));
  if (!it->Valid()) {
    if (!it->status().ok()) return FromRocks(it->status(), "read journal");
    return c;
  }
  Result<TalliedEntry> first = ReadEntry(*it);
  if (!first.ok()) return first.status();
  it->SeekToLast();
  if (!it->Valid()) return FromRocks(it->status(), "read journal tail");
  Result<TalliedEntry> last = ReadEntry(*it);
  if (!last.ok()) return last.status();
  c.first_lsn = first->lsn;
  c.last_lsn = last->lsn;
  // A run of tallies is unbroken when the entries it counts are exactly the
  // lsns it spans; an older writer in between, or a restart of the tally,
  // shows as a difference.
  if (first->tally && last->tally && last->lsn >= first->lsn &&
      last->tally->entries >= first->tally->entries &&
      last->tally->entries - first->tally->entries == last->lsn - first->lsn &&
      last->tally->ops >= first->tally->ops) {
    c.entries = last->lsn - first->lsn + 1;
    c.ops = last->tally->ops - first->tally->ops + first->ops;
    c.from_tallies = true;
    return c;
  }
  JournalReader r = db.ReadJournal(after + 1);
  for (; r.Valid(); r.Next()) {
    ++c.entries;
    c.ops += r.entry().ops.size();
  }
  if (!r.status().ok()) return r.status();
  return c;
}

}  // namespace journaldb
