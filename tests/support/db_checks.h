// Whole-database reads that tests compare against expectations: the journal
// as a vector, and the state compared with an independent Model.
#ifndef JOURNALDB_TESTS_SUPPORT_DB_CHECKS_H_
#define JOURNALDB_TESTS_SUPPORT_DB_CHECKS_H_

#include <string>
#include <vector>

#include "journaldb/database.h"
#include "support/model.h"

namespace journaldb::testing {

// Every journal entry from `from` on, or the status that ended the read.
Result<std::vector<JournalEntry>> ReadWholeJournal(const Database& db, Lsn from = 1);

// The collection's objects as Scan returns them, or the status that ended it.
Result<std::vector<Object>> ScanAll(const Database& db, std::string_view collection,
                                    const ReadOptions& options = {});

// Empty if the state read through the public API (ListCollections, Scan, Get,
// GetField) equals `model`; otherwise a description of the first difference.
// `absent_probes` are (collection, key) pairs to check Get reports not-found
// for when the model has no such object.
std::string DiffStateWithModel(const Database& db, const Model& model,
                               const std::vector<Model::Id>& absent_probes = {},
                               const ReadOptions& options = {});

// Empty if Verify() runs and reports no problem; otherwise what it said.
std::string VerifyProblems(const Database& db);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_DB_CHECKS_H_
