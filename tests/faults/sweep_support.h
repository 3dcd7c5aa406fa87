// What the recovery sweeps (checkpoint and replay) share: copying a closed
// database or snapshot directory, and a database's whole contents (journal
// and state) to compare before and after a fault.
#ifndef JOURNALDB_TESTS_FAULTS_SWEEP_SUPPORT_H_
#define JOURNALDB_TESTS_FAULTS_SWEEP_SUPPORT_H_

#include <string>
#include <vector>

#include "journaldb/database.h"

namespace journaldb::testing {

// Copies directory `from` (recursively) to `to`, which must not exist.
// REQUIRES: no process has a database under `from` open for writing.
void CopyTree(const std::string& from, const std::string& to);

// Everything a user can read from a database: every journal entry and every
// object of every collection, in order.
struct DatabaseContents {
  std::vector<JournalEntry> journal;
  std::vector<Object> objects;
  friend bool operator==(const DatabaseContents&, const DatabaseContents&) = default;
};

// The contents, or the status of the read that failed.
Result<DatabaseContents> ReadContents(const Database& db);

// Empty if equal; otherwise the first difference, described for a failure
// message. With `ops_only` the journal entries are compared by lsn and ops
// only (commit times and cursor tags differ between two runs of the same
// commits).
std::string DiffContents(const DatabaseContents& want, const DatabaseContents& got,
                         bool ops_only = false);

// A failure a caller can act on: not OK, with a message.
bool IsClearError(const Status& s);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_FAULTS_SWEEP_SUPPORT_H_
