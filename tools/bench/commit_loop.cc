#include "commit_loop.h"

#include "bench.h"
#include "timed_threads.h"

namespace journaldb::bench {

Status CommitObject(Database& db, uint64_t key) {
  // What an app does per write: build the fields, upsert, commit.
  Transaction txn = db.BeginTransaction();
  FieldMap fields;
  fields.emplace(kField, Value::String(Payload()));
  if (Status s = txn.Upsert(kCollection, ObjectKey(key), std::move(fields)); !s.ok()) return s;
  return txn.Commit().status();
}

Result<RunResult> CommitObjects(Database& db, uint64_t ops, int threads, uint64_t first_key) {
  return TimedThreads(
      ops, threads, [&](uint64_t begin, uint64_t end, const std::atomic<bool>& stop) {
        for (uint64_t i = begin; i < end && !stop.load(std::memory_order_relaxed); ++i)
          if (Status s = CommitObject(db, first_key + i); !s.ok()) return s;
        return Status::OK();
      });
}

}  // namespace journaldb::bench
