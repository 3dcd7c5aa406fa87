// EncodedCommit: the exact bytes journaldb writes for one commit of the write
// workloads (a new object ObjectKey(i), committed as lsn i + 1). The baselines
// encode them before their timed region, so they write journaldb's bytes
// without paying for journaldb's encoding.
#ifndef JOURNALDB_TOOLS_BENCH_ENCODED_COMMIT_H_
#define JOURNALDB_TOOLS_BENCH_ENCODED_COMMIT_H_

#include <cstdint>
#include <string>

namespace journaldb::bench {

struct EncodedCommit {
  std::string state_key;  // layout::StateKey(kCollection, ObjectKey(i))
  std::string object;     // the encoded object: one 200-byte string field
  uint64_t lsn = 0;       // i + 1
  std::string lsn_key;    // layout::LsnKey(lsn)
  std::string entry;      // the encoded journal entry, before-image included
};

EncodedCommit EncodeCommit(uint64_t i);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_ENCODED_COMMIT_H_
