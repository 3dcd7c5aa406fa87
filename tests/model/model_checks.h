// The model-based test's checks: after every command the database must equal
// the model in state, journal (ops and tags), cursors and sync status.
#ifndef JOURNALDB_TESTS_MODEL_MODEL_CHECKS_H_
#define JOURNALDB_TESTS_MODEL_MODEL_CHECKS_H_

#include <vector>

#include "journaldb/database.h"
#include "model/db_model.h"
#include "model/system_under_test.h"

namespace journaldb::testing {

// Commits `ops` as one transaction; rolls back whatever did not commit.
Result<Lsn> CommitOps(Database& db, const std::vector<Operation>& ops);

// Every collection, object and field, through the public API.
void CheckState(const DbModel& model, const Database& db);
// The journal from `from` on (ops and tags), Info and GetSyncStatus, and
// that no client reset is pending.
void CheckJournalAndCursors(const DbModel& model, const SystemUnderTest& sut, Lsn from = 1);
void CheckAll(const DbModel& model, const SystemUnderTest& sut);
// Database::Verify: the state equals the fold of the journal.
void CheckVerify(const Database& db);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_MODEL_MODEL_CHECKS_H_
