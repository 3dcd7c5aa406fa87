// Counting a database's diverged journal entries and their ops without
// reading every entry: each entry stores running counts (a tally) through
// itself, so the counts above an lsn are the difference between the last
// entry's tally and the one before the first entry above it. Internal: the
// recovery component fills a recovery manifest with it; never installed.
#ifndef JOURNALDB_ENGINE_DIVERGED_COUNT_H_
#define JOURNALDB_ENGINE_DIVERGED_COUNT_H_

#include <cstdint>

#include "journaldb/database.h"
#include "journaldb/journal_entry.h"
#include "journaldb/status.h"

namespace journaldb {

struct DivergedCount {
  Lsn first_lsn = 0;  // 0 when the journal holds nothing above `after`
  Lsn last_lsn = 0;
  uint64_t entries = 0;
  uint64_t ops = 0;
  // Whether the counts came from the tallies (two entries read) or from
  // reading every entry (a journal from before tallies, or one whose run of
  // tallies is broken between the two ends).
  bool from_tallies = false;
};

// The journal entries of `db` above lsn `after`. Both end entries are read in
// full and verified (a damaged end is corruption naming its lsn); the ones
// between are not read when the tallies at both ends agree with the lsns
// (entries counted = lsns spanned), else every entry is read and verified.
// REQUIRES: `db` was opened by this library (not a user subclass).
Result<DivergedCount> CountJournalAfter(const Database& db, Lsn after);

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_DIVERGED_COUNT_H_
