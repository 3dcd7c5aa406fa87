// The fixed workload the fault sweeps run, and the checks applied to a
// database reopened after a fault. A workload run records what each commit
// returned, so the check can tell acknowledged commits from failed ones.
#ifndef JOURNALDB_TESTS_FAULTS_WORKLOAD_H_
#define JOURNALDB_TESTS_FAULTS_WORKLOAD_H_

#include <rocksdb/env.h>

#include <optional>
#include <string>
#include <vector>

#include "journaldb/database.h"

namespace journaldb::testing {

using Ops = std::vector<Operation>;

// `count` deterministic transactions of one to three ops mixing upserts,
// increments, field and object erases over a few keys, so later transactions
// overwrite, grow and delete what earlier ones wrote. `salt` varies values.
std::vector<Ops> WorkloadTransactions(int count, int salt = 0);

// What one workload run saw.
struct WorkloadRun {
  Status open_status;            // the workload's Open; not OK: nothing committed
  std::vector<Lsn> acked;        // lsns of the commits that returned OK, in order
  std::optional<size_t> failed;  // index of the first commit that returned an error
  Status failed_status;          // what it returned
  // Empty unless the run itself broke a rule while it ran (a commit after a
  // failed one was accepted, an error without a message, lsns out of order).
  std::string violation;
};

// Opens `path` over `env` (nullptr: the default), commits `txns` in order
// until one fails, tries one more commit to check the failure is sticky, and
// closes. `first_lsn` is the lsn the first commit must get.
WorkloadRun RunWorkload(const std::string& path, const Options& options, rocksdb::Env* env,
                        const std::vector<Ops>& txns, Lsn first_lsn);

// Opens `path` without faults and checks what survived a fault in `run`:
// Verify() passes (state equals the fold of the journal); lsns run 1..n with
// no gap; the journal is `before` (committed earlier), then the workload's
// transactions in order: every acknowledged one if `acked_must_survive`,
// possibly a prefix of them otherwise, and at most the first failed one,
// whole; and a new commit succeeds with the next lsn. The reopen must
// succeed even if the fault interrupted the database's creation. Returns an
// empty string or what was wrong.
std::string CheckAfterFault(const std::string& path, const std::vector<Ops>& before,
                            const std::vector<Ops>& txns, const WorkloadRun& run,
                            bool acked_must_survive);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_FAULTS_WORKLOAD_H_
