#include "faults/workload.h"

#include <fmt/format.h>

#include "journaldb/engine/open_with_env.h"

namespace journaldb::testing {

std::vector<Ops> WorkloadTransactions(int count, int salt) {
  std::vector<Ops> txns;
  for (int i = 0; i < count; ++i) {
    const int v = i + 1000 * salt;
    const std::string task = fmt::format("k{}", i % 4);
    const std::string next_task = fmt::format("k{}", (i + 1) % 4);
    const std::string note = fmt::format("n{}", i % 3);
    Ops ops;
    switch (i % 5) {
      case 0:
        ops.push_back(Operation::Upsert(
            "tasks", task,
            {{"title", Value::String(fmt::format("task {}", v))}, {"n", Value::Int(v)}}));
        break;
      case 1:
        ops.push_back(Operation::Increment("tasks", task, "views", v));
        ops.push_back(
            Operation::Upsert("notes", note, {{"body", Value::String(std::string(40 + i, 'x'))}}));
        break;
      case 2:
        ops.push_back(Operation::EraseField("tasks", next_task, "title"));
        ops.push_back(Operation::Increment("notes", note, "count", 1));
        break;
      case 3:
        ops.push_back(Operation::EraseObject("notes", note));
        ops.push_back(Operation::Upsert("tasks", task, {{"done", Value::Bool(i % 2 == 0)}}));
        break;
      default:
        ops.push_back(Operation::Increment("tasks", task, "views", -1));
        ops.push_back(Operation::Upsert("notes", note, {{"score", Value::Double(v / 4.0)}}));
        ops.push_back(Operation::EraseField("tasks", task, "done"));
        break;
    }
    txns.push_back(std::move(ops));
  }
  return txns;
}

namespace {

Result<Lsn> CommitOps(Database& db, const Ops& ops) {
  Transaction txn = db.BeginTransaction();
  for (const Operation& op : ops)
    if (Status s = txn.Write(op); !s.ok()) return s;
  return txn.Commit();
}

// A status a caller can act on: an error with a code and a message.
bool IsClearError(const Status& s) { return !s.ok() && !s.message().empty(); }

std::string Describe(const Ops& ops) {
  std::string out;
  for (const Operation& op : ops) out += (out.empty() ? "" : "; ") + op.ToString();
  return out;
}

}  // namespace

WorkloadRun RunWorkload(const std::string& path, const Options& options, rocksdb::Env* env,
                        const std::vector<Ops>& txns, Lsn first_lsn) {
  WorkloadRun run;
  Result<std::unique_ptr<Database>> db = OpenWithEnv(path, options, env);
  if (!db.ok()) {
    run.open_status = db.status();
    if (!IsClearError(run.open_status)) run.violation = "Open failed without a message";
    return run;
  }
  for (size_t i = 0; i < txns.size(); ++i) {
    Result<Lsn> lsn = CommitOps(**db, txns[i]);
    if (lsn.ok()) {
      Lsn want = first_lsn + run.acked.size();
      if (*lsn != want)
        run.violation = fmt::format("commit {} acknowledged lsn {}, expected {}", i, *lsn, want);
      run.acked.push_back(*lsn);
      continue;
    }
    run.failed = i;
    run.failed_status = lsn.status();
    if (!IsClearError(lsn.status()))
      run.violation = fmt::format("commit {} failed without a message", i);
    else if (lsn.status().IsInvalidArgument() || lsn.status().IsFailedPrecondition())
      run.violation =
          fmt::format("commit {} failed for a non-I/O reason: {}", i, lsn.status().ToString());
    // The failure must be sticky: later commits were prepared on a state
    // that may not exist on disk.
    if (i + 1 < txns.size()) {
      Result<Lsn> after = CommitOps(**db, txns[i + 1]);
      if (after.ok())
        run.violation =
            fmt::format("commit {} failed ({}) but the next commit was accepted as lsn {}", i,
                        lsn.status().ToString(), *after);
    }
    break;
  }
  return run;  // closes the database
}

std::string CheckAfterFault(const std::string& path, const std::vector<Ops>& before,
                            const std::vector<Ops>& txns, const WorkloadRun& run,
                            bool acked_must_survive) {
  if (!run.violation.empty()) return run.violation;
  Result<std::unique_ptr<Database>> opened = Database::Open(path, Options());
  if (!opened.ok()) return "reopen without faults failed: " + opened.status().ToString();
  Database& db = **opened;

  Result<VerifyReport> report = db.Verify();
  if (!report.ok()) return "Verify could not run: " + report.status().ToString();
  if (!report->ok()) return "Verify found: " + report->problems.front();

  std::vector<JournalEntry> journal;
  JournalReader reader = db.ReadJournal(1);
  for (; reader.Valid(); reader.Next()) journal.push_back(reader.entry());
  if (!reader.status().ok()) return "reading the journal failed: " + reader.status().ToString();
  for (size_t i = 0; i < journal.size(); ++i)
    if (journal[i].lsn != i + 1)
      return fmt::format("journal position {} holds lsn {}: lsns are not 1..n", i, journal[i].lsn);

  // The journal must be: `before`, then a prefix of the workload that covers
  // every acknowledged commit (if they must survive), plus at most the first
  // failed commit.
  if (journal.size() < before.size())
    return fmt::format("journal has {} entries; {} were committed before the workload",
                       journal.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i)
    if (journal[i].ops != before[i])
      return fmt::format("entry lsn {} is not the commit made before the workload", i + 1);
  const size_t workload_entries = journal.size() - before.size();
  const size_t acked = run.acked.size();
  const size_t may_have = acked + (run.failed ? 1 : 0);
  if (acked_must_survive && workload_entries < acked)
    return fmt::format("{} commits were acknowledged but only {} are in the journal (lost lsn {})",
                       acked, workload_entries, run.acked[workload_entries]);
  if (workload_entries > may_have)
    return fmt::format(
        "journal holds {} workload entries; only {} commits were attempted "
        "before the failure",
        workload_entries, may_have);
  for (size_t i = 0; i < workload_entries; ++i)
    if (journal[before.size() + i].ops != txns[i])
      return fmt::format("entry lsn {} holds [{}], expected commit {} [{}]", before.size() + i + 1,
                         Describe(journal[before.size() + i].ops), i, Describe(txns[i]));

  // The database works again: the next commit gets the next lsn.
  Result<Lsn> next = CommitOps(db, {Operation::Increment("tasks", "after-fault", "n", 1)});
  if (!next.ok()) return "commit after reopen failed: " + next.status().ToString();
  if (*next != journal.size() + 1)
    return fmt::format("commit after reopen got lsn {}, expected {}", *next, journal.size() + 1);
  return "";
}

}  // namespace journaldb::testing
