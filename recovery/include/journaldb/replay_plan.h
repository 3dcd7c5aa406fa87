// ReplayPlanner: the three-way view of a recovery snapshot's diverged
// transactions against the live database, the input of the replayer and of
// `journal diff`.
//
//   auto opened = journaldb::ReplayPlanner::Open(snapshot, *live);
//   if (!opened.ok()) return opened.status();
//   journaldb::ReplayPlanner& planner = **opened;
//   for (; planner.Valid(); planner.Next()) show(planner.transaction());
//   return planner.status();   // a damaged entry names its lsn
//
// For each diverged transaction, in lsn order, every op with, per touched
// field, the base value (before the transaction, from the journal's
// before-images), the local value (after the op) and the current server
// value (the live database now), classified:
//   clean    - the server still has the base value;
//   same     - the server changed the field, to the value the op wrote: an
//              upsert or erase whose result the server already holds (an
//              erased field it lacks, an erased object it deleted); never
//              an increment, whose delta would add up again;
//   conflict - the server changed the field since the base, to another value;
//   gone     - the object existed at base time and the server has deleted it.
// A list op is classified by the one element it names (ElementView), not by
// the whole list, so the other side's edits of other elements never make it
// a conflict (docs/merge-semantics.md, "Recovering list edits").
// A transaction's class is its worst op's (gone > conflict > same > clean).
//
// Memory is bounded by one transaction, not by the journal's size.
// Thread safety: a planner belongs to one thread; it reads the live database
// through its thread-safe read API.
#ifndef JOURNALDB_REPLAY_PLAN_H_
#define JOURNALDB_REPLAY_PLAN_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"

namespace journaldb {

enum class ReplayClass { kClean = 0, kSame = 1, kConflict = 2, kGone = 3 };

// "clean", "same", "conflict" or "gone".
std::string_view ReplayClassName(ReplayClass c);

// Conflict or gone: the policy (or a person) has to choose. Clean and same
// ops are applied by every built-in policy: the server kept the base, or
// already holds what the op wrote.
bool NeedsDecision(ReplayClass c);

// A list op's element: an insert's new element, or the element the op
// names (followed to where a move put it). nullopt values: not present
// there (never inserted, or removed).
struct ElementView {
  ElementId id;
  std::optional<Value> base;       // before the transaction
  std::optional<Value> local;      // after the op
  std::optional<Value> server;     // on the server now
  bool removed_on_server = false;  // the server has it as a tombstone
  bool moved_on_server = false;    // the server moved it (to another id)
  // Up to two present values either side of the element in the local list
  // after the op and in the server's list (around where it is or would go).
  std::vector<Value> local_before, local_after, server_before, server_after;
};

struct FieldView {
  std::string field;
  std::optional<Value> base;    // nullopt: absent before the local write
  std::optional<Value> local;   // nullopt: absent after it
  std::optional<Value> server;  // nullopt: absent on the server now
  bool base_object_existed = false;
  bool server_object_exists = false;
  std::optional<ElementView> element;  // list ops only
  ReplayClass cls = ReplayClass::kClean;
};

struct PlannedOp {
  Operation op;
  std::vector<FieldView> fields;  // the fields the op touches
  ReplayClass cls = ReplayClass::kClean;
};

struct PlannedTransaction {
  Lsn lsn = 0;
  int64_t commit_time_us = 0;
  std::vector<PlannedOp> ops;
  ReplayClass cls = ReplayClass::kClean;
};

struct PlanOptions {
  // Read the live database's state of every touched object (one batched read
  // per transaction) for the server values and the classes. false: no read;
  // every FieldView has no server value and server_object_exists false, and
  // every class is kClean, for a caller that ignores them (a policy whose
  // NeedsServerValues() is false). Default: true.
  bool read_server = true;
};

class ReplayPlanner {
 public:
  // Opens the snapshot's database read-only and positions at the first
  // diverged transaction. REQUIRES: `live` outlives the planner.
  static Result<std::unique_ptr<ReplayPlanner>> Open(const RecoverySnapshot& snapshot,
                                                     const Database& live,
                                                     const PlanOptions& options = {});
  ~ReplayPlanner();

  bool Valid() const { return valid_; }
  void Next();
  // Plans the current transaction again against the live state as it is now:
  // after commits the plan did not see. REQUIRES: Valid().
  void Refresh();
  // REQUIRES: Valid(). Valid until Next().
  const PlannedTransaction& transaction() const { return current_; }
  // Moves the current transaction's ops out, leaving each PlannedOp's `op`
  // moved-from (the rest of transaction() stays): for a caller that commits
  // them as planned and reads them no more. Once per transaction: a second
  // call before Next() or Refresh() returns moved-from ops. REQUIRES: Valid().
  std::vector<Operation> TakeOps();
  // A damaged entry, a gap in the diverged range or a read error; OK at the end.
  Status status() const { return status_; }

 private:
  ReplayPlanner() = default;
  void Load();
  // Plans entry `e` into current_; Valid() unless it fails.
  void Plan(const JournalEntry& e);
  std::unique_ptr<Database> snapshot_db_;
  PlanOptions options_;
  std::unique_ptr<JournalReader> reader_;
  const Database* live_ = nullptr;
  Lsn next_expected_ = 0;
  Lsn last_ = 0;
  PlannedTransaction current_;
  Status status_;
  bool valid_ = false;
};

}  // namespace journaldb

#endif  // JOURNALDB_REPLAY_PLAN_H_
