#include "journaldb/replayer.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <boost/filesystem.hpp>

#include "journaldb/engine/commit_marker.h"
#include "journaldb/journal/fold.h"
#include "journaldb/journal/layout.h"

namespace journaldb {

namespace {

// marker/replay/<recovery id>/<lsn as 8 bytes big-endian>: one per done
// transaction, so a filtered replay never marks what it left alone.
std::string DoneKey(const std::string& recovery_id, Lsn lsn) {
  return std::string(kMarkerKeyPrefix) + "replay/" + recovery_id + "/" + layout::EncodeU64(lsn);
}

// marker/replay-complete/<recovery id>: every transaction is done.
std::string CompleteKey(const std::string& recovery_id) {
  return std::string(kMarkerKeyPrefix) + "replay-complete/" + recovery_id;
}

bool OpInCollection(const Operation& op, const std::string& only) {
  return only.empty() || op.collection == only;
}

}  // namespace

ReplayDecision LocalWinsPolicy::Decide(const PlannedTransaction&) {
  return {ReplayAction::kApply, {}, {}};
}

ReplayDecision ServerWinsPolicy::Decide(const PlannedTransaction& txn) {
  if (!NeedsDecision(txn.cls)) return {ReplayAction::kApply, {}, {}};
  ReplayDecision d{ReplayAction::kReplace, {}, {}};
  for (const PlannedOp& op : txn.ops)
    if (!NeedsDecision(op.cls)) d.replacement.push_back(op.op);
  if (d.replacement.empty()) d.action = ReplayAction::kSkip;
  return d;
}

ReplayDecision CleanOnlyPolicy::Decide(const PlannedTransaction& txn) {
  if (!NeedsDecision(txn.cls)) return {ReplayAction::kApply, {}, {}};
  return {ReplayAction::kAbort, {},
          fmt::format("transaction lsn {} is {}: clean-only stops here", txn.lsn,
                      ReplayClassName(txn.cls))};
}

Result<bool> IsReplayed(const Database& live, const std::string& recovery_id, Lsn lsn) {
  Result<std::optional<std::string>> m = ReadMarker(live, DoneKey(recovery_id, lsn));
  if (!m.ok()) return m.status();
  return m->has_value();
}

Result<bool> IsFullyReplayed(const Database& live, const RecoverySnapshot& snapshot) {
  Result<std::optional<std::string>> m =
      ReadMarker(live, CompleteKey(snapshot.manifest.recovery_id));
  if (!m.ok()) return m.status();
  return m->has_value();
}

namespace {

// Whether `path` is `dir` or lies below it, after resolving symlinks and
// dot segments of the parts that exist.
bool IsWithin(const boost::filesystem::path& path, const boost::filesystem::path& dir) {
  boost::system::error_code ec;
  const boost::filesystem::path p = boost::filesystem::weakly_canonical(path, ec);
  if (ec) return false;
  const boost::filesystem::path d = boost::filesystem::weakly_canonical(dir, ec);
  if (ec || d.empty()) return false;
  auto [dir_end, path_end] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  (void)path_end;
  return dir_end == d.end();
}

// Leaves out of `ops` (those of diverged transaction `lsn`) every op that
// cannot apply to the live state as the ops before it leave it, appending
// each to `out`: rule 5 of docs/merge-semantics.md makes such an op a no-op,
// as the server and every client treat it. The fold is the one commit runs,
// so what is left commits unless the live state changes meanwhile.
Status LeaveOutNotApplicable(const Database& live, Lsn lsn, std::vector<Operation>& ops,
                             std::vector<NotApplicableOp>& out) {
  std::map<std::pair<std::string, std::string>, std::optional<FieldMap>> objects;
  std::vector<Operation> kept;
  kept.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    Operation& op = ops[i];
    auto [it, inserted] = objects.try_emplace({op.collection, op.key});
    if (inserted) {
      Result<Object> obj = live.Get(op.collection, op.key);
      if (obj.ok())
        it->second = std::move(obj->fields);
      else if (!obj.status().IsNotFound())
        return obj.status();
    }
    if (Status s = fold::ApplyOperation(op, it->second); !s.ok()) {
      if (!s.IsInvalidArgument()) return s;
      out.push_back({lsn, static_cast<uint32_t>(i), s.message()});
      continue;
    }
    kept.push_back(std::move(op));
  }
  ops = std::move(kept);
  return Status::OK();
}

}  // namespace

Result<ReplayReport> Replay(const RecoverySnapshot& snapshot, Database& live,
                            ReplayPolicy& policy, const ReplayOptions& options) {
  // A database inside the recovery root (a snapshot's own copy, or a new one
  // next to the snapshots) would change or hide the diverged data.
  boost::system::error_code ec;
  boost::filesystem::path snapshot_dir = boost::filesystem::weakly_canonical(snapshot.path, ec);
  if (snapshot_dir.filename().empty()) snapshot_dir = snapshot_dir.parent_path();
  const boost::filesystem::path root = snapshot_dir.parent_path();
  if (!ec && !options.dry_run && IsWithin(live.path(), root))
    return Status::FailedPrecondition(fmt::format(
        "replay target {} lies inside the recovery root {}, which holds recovery snapshots "
        "only; replay into the live database instead",
        live.path(), root.string()));
  ReplayReport report;
  const RecoveryManifest& m = snapshot.manifest;
  Result<std::unique_ptr<ReplayPlanner>> planner = ReplayPlanner::Open(snapshot, live);
  if (!planner.ok()) return planner.status();
  const bool filtered = options.first_lsn > m.first_diverged_lsn ||
                        options.last_lsn < m.last_diverged_lsn || !options.only_collection.empty();
  uint64_t done = 0;
  bool all_done = true;  // every transaction seen is done, as of this run

  for (ReplayPlanner& p = **planner; p.Valid(); p.Next()) {
    const PlannedTransaction& txn = p.transaction();
    const CommitMarker marker{DoneKey(m.recovery_id, txn.lsn), "done"};
    auto progress = [&] {
      ++done;
      if (options.on_progress) options.on_progress(txn.lsn, done, m.diverged_entries);
    };

    Result<std::optional<std::string>> already = ReadMarker(live, marker.key);
    if (!already.ok()) return already.status();
    if (already->has_value()) {
      ++report.transactions_already_done;
      progress();
      continue;
    }

    // A transaction outside the filter is left alone and stays not-done. A
    // collection filter selects only transactions wholly in that collection:
    // marking a partly selected one done would lose the rest of it.
    bool selected = txn.lsn >= options.first_lsn && txn.lsn <= options.last_lsn;
    for (const PlannedOp& op : txn.ops)
      selected = selected && OpInCollection(op.op, options.only_collection);
    if (!selected) {
      ++report.transactions_filtered;
      all_done = false;
      progress();
      continue;
    }

    ReplayDecision d = policy.Decide(txn);
    std::vector<Operation> ops;
    switch (d.action) {
      case ReplayAction::kAbort:
        report.aborted = true;
        report.aborted_at = txn.lsn;
        report.abort_reason = d.reason.empty() ? "aborted by the policy" : d.reason;
        return report;
      case ReplayAction::kApply:
        for (const PlannedOp& op : txn.ops) ops.push_back(op.op);
        break;
      case ReplayAction::kReplace: ops = std::move(d.replacement); break;
      case ReplayAction::kSkip: break;
    }
    // With kReplace the counts compare op numbers, not identities.
    if (txn.ops.size() > ops.size()) report.ops_skipped += txn.ops.size() - ops.size();
    std::vector<NotApplicableOp> not_applicable;
    if (Status s = LeaveOutNotApplicable(live, txn.lsn, ops, not_applicable); !s.ok())
      return Status(s.code(), fmt::format("replay of lsn {}: {}", txn.lsn, s.message()));

    if (!options.dry_run) {
      for (int attempt = 1;; ++attempt) {
        if (ops.empty()) {
          if (Status s = WriteMarker(live, marker); !s.ok()) return s;
          break;
        }
        Transaction t = live.BeginTransaction();
        for (const Operation& op : ops)
          if (Status s = t.Write(op); !s.ok())
            return Status(s.code(), fmt::format("replay of lsn {}: edited op: {}", txn.lsn,
                                                s.message()));
        Result<Lsn> lsn = CommitWithMarker(t, marker);
        if (lsn.ok()) break;
        // A download changed a field since the check: check again, once.
        const size_t before = not_applicable.size();
        if (attempt == 1 && lsn.status().IsInvalidArgument())
          if (Status s = LeaveOutNotApplicable(live, txn.lsn, ops, not_applicable); !s.ok())
            return Status(s.code(), fmt::format("replay of lsn {}: {}", txn.lsn, s.message()));
        if (not_applicable.size() == before)
          return Status(lsn.status().code(),
                        fmt::format("replay of lsn {}: {}", txn.lsn, lsn.status().message()));
      }
    }
    report.ops_not_applicable.insert(report.ops_not_applicable.end(), not_applicable.begin(),
                                     not_applicable.end());
    if (ops.empty()) {
      ++report.transactions_skipped;
    } else {
      ++report.transactions_applied;
      report.ops_applied += ops.size();
    }
    report.last_lsn_decided = txn.lsn;
    progress();
  }
  if (!(*planner)->status().ok()) return (*planner)->status();

  report.complete = all_done && !filtered && !options.dry_run;
  if (report.complete) {
    if (Status s = WriteMarker(live, {CompleteKey(m.recovery_id), "complete"}); !s.ok()) return s;
  }
  return report;
}

}  // namespace journaldb
