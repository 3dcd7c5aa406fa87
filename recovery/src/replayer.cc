#include "journaldb/replayer.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <boost/filesystem.hpp>

#include "journaldb/engine/commit_marker.h"
#include "journaldb/journal/fold.h"
#include "journaldb/journal/layout.h"

namespace journaldb {

namespace {

// marker/replay/<recovery id>/<lsn as 8 bytes big-endian>: one per done
// transaction, so a filtered replay never marks what it left alone.
std::string DoneKey(const std::string& recovery_id, Lsn lsn) {
  constexpr std::string_view kReplay = "replay/";
  std::string key;
  key.reserve(std::string_view(kMarkerKeyPrefix).size() + kReplay.size() + recovery_id.size() + 9);
  key.append(kMarkerKeyPrefix).append(kReplay).append(recovery_id).append("/");
  key.append(layout::EncodeU64(lsn));
  return key;
}

// marker/replay-complete/<recovery id>: every transaction is done.
std::string CompleteKey(const std::string& recovery_id) {
  return std::string(kMarkerKeyPrefix) + "replay-complete/" + recovery_id;
}

bool OpInCollection(const Operation& op, const std::string& only) {
  return only.empty() || op.collection == only;
}

}  // namespace

bool LocalWinsPolicy::NeedsServerValues() const { return false; }

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

namespace {

// A batch ends at this many transactions or ops: one RocksDB write, one
// group of markers; memory stays bounded by the batch, not the snapshot.
constexpr size_t kBatchTransactions = 256;
constexpr size_t kBatchOps = 4096;
// Done markers are listed this many lsns ahead (one iterator seek).
constexpr Lsn kDoneWindow = 1024;

// Increments (of a field that is no int64 now) and list ops (on a removed
// element, or a field that is no list now) can fail to apply.
bool MayNotApply(const std::vector<Operation>& ops) {
  for (const Operation& op : ops)
    if (op.kind == OpKind::kIncrement || IsListOp(op.kind)) return true;
  return false;
}

// Which lsns of the recovery are done in `live`, listed a window at a time.
class DoneLsns {
 public:
  DoneLsns(const Database& live, const std::string& recovery_id)
      : live_(live), recovery_id_(recovery_id) {}
  Result<bool> Contains(Lsn lsn) {
    if (lsn < from_ || lsn >= to_) {
      from_ = lsn;
      to_ = lsn <= std::numeric_limits<Lsn>::max() - kDoneWindow
                ? lsn + kDoneWindow
                : std::numeric_limits<Lsn>::max();
      const std::string begin = DoneKey(recovery_id_, from_);
      Result<std::vector<std::string>> keys =
          ListMarkers(live_, begin, DoneKey(recovery_id_, to_));
      if (!keys.ok()) return keys.status();
      done_.clear();
      const size_t prefix = begin.size() - 8;
      for (const std::string& k : *keys)
        if (std::optional<uint64_t> l = layout::DecodeU64(std::string_view(k).substr(prefix)))
          done_.insert(*l);
    }
    return done_.count(lsn) > 0;
  }

 private:
  const Database& live_;
  const std::string& recovery_id_;
  Lsn from_ = 1, to_ = 0;  // empty until the first Contains
  std::set<Lsn> done_;
};

// Orders (collection, key) pairs of strings and of views alike, so looking
// an op's object up copies nothing.
struct ObjectLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    using View = std::pair<std::string_view, std::string_view>;
    return View(a.first, a.second) < View(b.first, b.second);
  }
};

// Decided transactions not yet committed, with what the report says of each
// once they are.
struct Batch {
  std::vector<MarkedCommit> commits;
  std::vector<std::vector<NotApplicableOp>> not_applicable;  // per commit
  std::set<std::pair<std::string, std::string>, ObjectLess> objects;  // touched, for overlap
  size_t ops = 0;

  bool Touches(const PlannedTransaction& txn) const {
    for (const PlannedOp& op : txn.ops)
      if (objects.contains(
              std::pair<std::string_view, std::string_view>(op.op.collection, op.op.key)))
        return true;
    return false;
  }
  void Add(MarkedCommit c, std::vector<NotApplicableOp> na) {
    for (const Operation& op : c.ops) objects.emplace(op.collection, op.key);
    ops += c.ops.size();
    commits.push_back(std::move(c));
    not_applicable.push_back(std::move(na));
  }
  bool Full() const { return commits.size() >= kBatchTransactions || ops >= kBatchOps; }
  void Clear() {
    commits.clear();
    not_applicable.clear();
    objects.clear();
    ops = 0;
  }
};

class Replaying {
 public:
  Replaying(const RecoverySnapshot& snapshot, Database& live, ReplayPolicy& policy,
            const ReplayOptions& options)
      : m_(snapshot.manifest), live_(live), policy_(policy), options_(options),
        done_lsns_(live, snapshot.manifest.recovery_id) {}

  Result<ReplayReport> Run(const RecoverySnapshot& snapshot);
  bool wrote() const { return wrote_; }

 private:
  // The report's account of a decided transaction, and progress.
  void Account(Lsn lsn, size_t ops, std::vector<NotApplicableOp>& not_applicable) {
    report_.ops_not_applicable.insert(report_.ops_not_applicable.end(), not_applicable.begin(),
                                      not_applicable.end());
    if (ops == 0) {
      ++report_.transactions_skipped;
    } else {
      ++report_.transactions_applied;
      report_.ops_applied += ops;
    }
    report_.last_lsn_decided = lsn;
    Progress(lsn);
  }
  void Progress(Lsn lsn) {
    ++done_;
    if (options_.on_progress) options_.on_progress(lsn, done_, m_.diverged_entries);
  }
  Status Flush();
  Status CommitAlone(MarkedCommit& c, std::vector<NotApplicableOp>& not_applicable);
  Status MaybeSync(bool at_end);

  const RecoveryManifest& m_;
  Database& live_;
  ReplayPolicy& policy_;
  const ReplayOptions& options_;
  DoneLsns done_lsns_;
  ReplayReport report_;
  Batch batch_;
  uint64_t done_ = 0;
  uint64_t unsynced_ = 0;  // transactions written since the last log sync
  bool wrote_ = false;
};

Lsn MarkerLsn(const MarkedCommit& c) {
  return layout::DecodeU64(std::string_view(c.marker.key).substr(c.marker.key.size() - 8))
      .value_or(0);
}

// Commits the batch in one write; a transaction the engine refuses (a
// download changed a field since the check) is checked again and committed
// alone, then the rest follow.
Status Replaying::Flush() {
  std::vector<MarkedCommit>& all = batch_.commits;
  for (size_t next = 0; next < all.size();) {
    Result<size_t> n = CommitMarkedBatch(live_, std::span<MarkedCommit>(all).subspan(next));
    if (!n.ok())
      return Status(n.status().code(), fmt::format("replay of lsn {}: {}", MarkerLsn(all[next]),
                                                   n.status().message()));
    wrote_ = true;
    unsynced_ += *n;
    for (const size_t end = next + *n; next < end; ++next)
      Account(MarkerLsn(all[next]), all[next].ops.size(), batch_.not_applicable[next]);
    if (next < all.size()) {
      if (Status s = CommitAlone(all[next], batch_.not_applicable[next]); !s.ok()) return s;
      ++unsynced_;
      Account(MarkerLsn(all[next]), all[next].ops.size(), batch_.not_applicable[next]);
      ++next;
    }
  }
  batch_.Clear();
  return MaybeSync(false);
}

Status Replaying::CommitAlone(MarkedCommit& c, std::vector<NotApplicableOp>& not_applicable) {
  const Lsn lsn = MarkerLsn(c);
  const size_t before = not_applicable.size();
  if (Status s = LeaveOutNotApplicable(live_, lsn, c.ops, not_applicable); !s.ok())
    return Status(s.code(), fmt::format("replay of lsn {}: {}", lsn, s.message()));
  if (not_applicable.size() == before)
    return Status(c.refusal.code(), fmt::format("replay of lsn {}: {}", lsn, c.refusal.message()));
  Result<size_t> n = CommitMarkedBatch(live_, std::span<MarkedCommit>(&c, 1));
  if (!n.ok())
    return Status(n.status().code(),
                  fmt::format("replay of lsn {}: {}", lsn, n.status().message()));
  if (*n == 0)
    return Status(c.refusal.code(), fmt::format("replay of lsn {}: {}", lsn, c.refusal.message()));
  wrote_ = true;
  return Status::OK();
}

Status Replaying::MaybeSync(bool at_end) {
  if (options_.sync_interval_transactions == 0 || unsynced_ == 0) return Status::OK();
  if (!at_end && unsynced_ < options_.sync_interval_transactions) return Status::OK();
  if (Status s = SyncLog(live_); !s.ok()) return s;
  unsynced_ = 0;
  return Status::OK();
}

Result<ReplayReport> Replaying::Run(const RecoverySnapshot& snapshot) {
  PlanOptions plan_options;
  plan_options.read_server = policy_.NeedsServerValues();
  Result<std::unique_ptr<ReplayPlanner>> planner =
      ReplayPlanner::Open(snapshot, live_, plan_options);
  if (!planner.ok()) return planner.status();
  const bool filtered = options_.first_lsn > m_.first_diverged_lsn ||
                        options_.last_lsn < m_.last_diverged_lsn ||
                        !options_.only_collection.empty();
  bool all_done = true;  // every transaction seen is done, as of this run

  for (ReplayPlanner& p = **planner; p.Valid(); p.Next()) {
    Result<bool> already = done_lsns_.Contains(p.transaction().lsn);
    if (!already.ok()) return already.status();
    // A transaction outside the filter is left alone and stays not-done. A
    // collection filter selects only transactions wholly in that collection:
    // marking a partly selected one done would lose the rest of it.
    bool selected = p.transaction().lsn >= options_.first_lsn &&
                    p.transaction().lsn <= options_.last_lsn;
    for (const PlannedOp& op : p.transaction().ops)
      selected = selected && OpInCollection(op.op, options_.only_collection);
    // Progress and the report stay in lsn order; a transaction touching an
    // object of the batch is planned against the state the batch leaves.
    if (*already || !selected || batch_.Touches(p.transaction())) {
      if (Status s = Flush(); !s.ok()) return s;
      if (!*already && selected) p.Refresh();
      if (!p.Valid()) break;
    }
    const PlannedTransaction& txn = p.transaction();
    if (*already) {
      ++report_.transactions_already_done;
      Progress(txn.lsn);
      continue;
    }
    if (!selected) {
      ++report_.transactions_filtered;
      all_done = false;
      Progress(txn.lsn);
      continue;
    }

    ReplayDecision d = policy_.Decide(txn);
    std::vector<Operation> ops;
    switch (d.action) {
      case ReplayAction::kAbort:
        // What was decided before stays done, and is as durable as a
        // finished replay's before the report says so.
        if (Status s = Flush(); !s.ok()) return s;
        if (Status s = MaybeSync(true); !s.ok()) return s;
        report_.aborted = true;
        report_.aborted_at = txn.lsn;
        report_.abort_reason = d.reason.empty() ? "aborted by the policy" : d.reason;
        return report_;
      case ReplayAction::kApply:
        ops = p.TakeOps();  // txn's ops are read no more, only counted
        break;
      case ReplayAction::kReplace:
        ops = std::move(d.replacement);
        for (const Operation& op : ops)
          if (Status s = op.Validate(); !s.ok())
            return Status(s.code(),
                          fmt::format("replay of lsn {}: edited op: {}", txn.lsn, s.message()));
        break;
      case ReplayAction::kSkip: break;
    }
    // With kReplace the counts compare op numbers, not identities.
    if (txn.ops.size() > ops.size()) report_.ops_skipped += txn.ops.size() - ops.size();
    std::vector<NotApplicableOp> not_applicable;
    if (MayNotApply(ops))
      if (Status s = LeaveOutNotApplicable(live_, txn.lsn, ops, not_applicable); !s.ok())
        return Status(s.code(), fmt::format("replay of lsn {}: {}", txn.lsn, s.message()));
    if (options_.dry_run) {
      Account(txn.lsn, ops.size(), not_applicable);
      continue;
    }
    MarkedCommit c;
    c.ops = std::move(ops);
    c.marker = {DoneKey(m_.recovery_id, txn.lsn), "done"};
    batch_.Add(std::move(c), std::move(not_applicable));
    if (batch_.Full())
      if (Status s = Flush(); !s.ok()) return s;
  }
  if (Status s = Flush(); !s.ok()) return s;
  if (!(*planner)->status().ok()) return (*planner)->status();

  report_.complete = all_done && !filtered && !options_.dry_run;
  if (report_.complete) {
    if (Status s = WriteMarker(live_, {CompleteKey(m_.recovery_id), "complete"}); !s.ok())
      return s;
    wrote_ = true;
    ++unsynced_;
  }
  if (Status s = MaybeSync(true); !s.ok()) return s;
  return report_;
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
  Replaying replaying(snapshot, live, policy, options);
  // Stopped by an error or an exception (a policy's, an allocation's): what
  // was written is made as durable as a finished replay's, so the report of
  // what was done before holds (unless the database stopped accepting
  // writes, which refuses the fsync too: the rerun replays what a power loss
  // then drops).
  auto sync_what_was_written = [&] {
    if (replaying.wrote() && options.sync_interval_transactions > 0) (void)SyncLog(live);
  };
  try {
    Result<ReplayReport> report = replaying.Run(snapshot);
    if (!report.ok()) sync_what_was_written();
    return report;
  } catch (...) {
    sync_what_was_written();
    throw;
  }
}

}  // namespace journaldb
