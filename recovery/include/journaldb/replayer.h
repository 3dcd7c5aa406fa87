// Replayer: re-applies a recovery snapshot's diverged transactions to the
// live database, each exactly once, even across crashes (DESIGN.md
// guarantee 5).
//
//   journaldb::LocalWinsPolicy policy;
//   auto report = journaldb::Replay(snapshot, *live, policy, {});
//   if (!report.ok()) return report.status();
//   if (report->complete) std::cout << "every diverged transaction was decided\n";
//
// For each diverged transaction, in lsn order, the policy sees its three-way
// plan (replay_plan.h) and decides: apply it, skip it, replace it with edited
// ops, or abort the replay. An applied transaction is an ordinary local
// commit (journaled, tagged, synced) whose write batch also records
// "transaction LSN of recovery ID is done"; a skipped one records only that.
// A rerun, after a crash or an abort, resumes with the first transaction not
// yet done: none is skipped, none is applied twice.
//
// Decided transactions are committed in batches (up to 256 transactions or
// 4096 ops), each batch one RocksDB write holding every transaction's journal
// entry and done marker, so a crash keeps or loses each transaction together
// with its marker. A transaction touching an object of the pending batch is
// planned only after the batch is committed, so every plan sees the live
// state the transactions before it leave.
//
// Memory is bounded by one batch, not by the snapshot's size.
// Thread safety: one replay of a given snapshot at a time; the live database
// may be used by other threads meanwhile.
#ifndef JOURNALDB_REPLAYER_H_
#define JOURNALDB_REPLAYER_H_

#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "journaldb/client_reset.h"
#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/replay_plan.h"

namespace journaldb {

enum class ReplayAction { kApply, kSkip, kReplace, kAbort };

struct ReplayDecision {
  ReplayAction action = ReplayAction::kApply;
  std::vector<Operation> replacement;  // kReplace: the ops to commit instead (may be empty)
  std::string reason;                  // kAbort: why, for the report
};

// Decides each diverged transaction. Called on the replaying thread.
class ReplayPolicy {
 public:
  virtual ~ReplayPolicy() = default;
  virtual ReplayDecision Decide(const PlannedTransaction& txn) = 0;
  // Whether Decide looks at the server values and classes of the plan. A
  // policy that does not spares the replay reading every touched object of
  // the live database (PlanOptions::read_server). Default: true.
  virtual bool NeedsServerValues() const { return true; }
};

// Applies every op as it was written locally: local values win, increments
// add their delta to the server's value, erased objects are erased again.
// An op on a gone object recreates it with only the fields that op writes
// (an increment: the field holding its delta); its other fields stay deleted.
class LocalWinsPolicy : public ReplayPolicy {
 public:
  ReplayDecision Decide(const PlannedTransaction& txn) override;
  bool NeedsServerValues() const override;
};

// Applies only the clean and same ops of each transaction; ops whose fields
// the server changed to another value (conflict) or whose object it deleted
// (gone) are skipped.
class ServerWinsPolicy : public ReplayPolicy {
 public:
  ReplayDecision Decide(const PlannedTransaction& txn) override;
};

// Applies clean (and same) transactions and aborts at the first conflict or gone one,
// leaving it and the rest for a person (`journal replay --interactive`).
class CleanOnlyPolicy : public ReplayPolicy {
 public:
  ReplayDecision Decide(const PlannedTransaction& txn) override;
};

struct ReplayOptions {
  // Decide but write nothing. Default: false.
  bool dry_run = false;
  // Only transactions with first_lsn <= lsn <= last_lsn. Default: all.
  Lsn first_lsn = 0;
  Lsn last_lsn = std::numeric_limits<Lsn>::max();
  // Only transactions whose ops all touch this collection; others are left
  // alone, not marked done. Empty: all. Default: empty.
  std::string only_collection;
  // Called after each transaction is done (on the replaying thread).
  std::function<void(Lsn lsn, uint64_t done, uint64_t total)> on_progress;
  // 0 (default): each write is as durable as the live database's
  // Durability says. N > 0, for a live database opened with kBuffered: the
  // replay fsyncs the live database's log after every N transactions it
  // wrote and once when it ends (finished, stopped, failed, or ended by an
  // exception of the policy, which then reaches the caller), instead of
  // once per commit. A crash loses at most what was written since the last
  // sync, each transaction together with its done marker, so a rerun
  // replays exactly those again.
  uint64_t sync_interval_transactions = 0;
};

struct ReplayReport {
  uint64_t transactions_applied = 0;   // committed (as planned or replaced)
  uint64_t transactions_skipped = 0;   // marked done without a commit
  uint64_t transactions_already_done = 0;  // done by an earlier run
  uint64_t transactions_filtered = 0;  // outside the lsn range or collection
  uint64_t ops_applied = 0;
  uint64_t ops_skipped = 0;  // left out by the policy
  // Ops the policy chose that cannot apply to the live state (an increment
  // of a field that now holds a non-int64 value): no-ops by
  // docs/merge-semantics.md rule 5, left out while the rest of their
  // transaction applies; in lsn order, each with its reason.
  std::vector<NotApplicableOp> ops_not_applicable;
  Lsn last_lsn_decided = 0;
  bool aborted = false;
  Lsn aborted_at = 0;
  std::string abort_reason;
  // Every diverged transaction of the snapshot is done (applied or skipped).
  bool complete = false;
};

// Replays `snapshot` into `live` under `policy`. An op that cannot apply to
// the live state is left out and reported (ReplayReport::ops_not_applicable);
// a transaction left with no op is marked done. A failed commit (an edited op
// that does not validate, a write error) stops the replay with that error;
// what was done before stays done.
Result<ReplayReport> Replay(const RecoverySnapshot& snapshot, Database& live,
                            ReplayPolicy& policy, const ReplayOptions& options);

// Whether transaction `lsn` of the recovery is done in `live`.
Result<bool> IsReplayed(const Database& live, const std::string& recovery_id, Lsn lsn);

// Whether every diverged transaction of the snapshot is done in `live`.
Result<bool> IsFullyReplayed(const Database& live, const RecoverySnapshot& snapshot);

}  // namespace journaldb

#endif  // JOURNALDB_REPLAYER_H_
