#include "commit_loop.h"

#include "bench.h"
#include "timed_threads.h"

namespace journaldb::bench {

Result<RunResult> CommitObjects(Database& db, uint64_t ops, int threads, uint64_t first_key) {
  return TimedThreads(
      ops, threads, [&](uint64_t begin, uint64_t end, const std::atomic<bool>& stop) {
        for (uint64_t i = begin; i < end && !stop.load(std::memory_order_relaxed); ++i) {
          // What an app does per write: build the fields, upsert, commit.
          Transaction txn = db.BeginTransaction();
          FieldMap fields;
          fields.emplace(kField, Value::String(Payload()));
          if (Status s = txn.Upsert(kCollection, ObjectKey(first_key + i), std::move(fields));
              !s.ok())
            return s;
          if (Result<Lsn> lsn = txn.Commit(); !lsn.ok()) return lsn.status();
        }
        return Status::OK();
      });
}

}  // namespace journaldb::bench
