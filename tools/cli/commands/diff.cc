// journal diff RECOVERY DB: the three-way view of a recovery snapshot's
// diverged transactions against the live database.
#include <fmt/format.h>

#include <array>

#include "../command.h"
#include "../database_open.h"
#include "../manifest_output.h"
#include "../only_filter.h"
#include "../plan_output.h"
#include "../recovery_open.h"
#include "journaldb/replay_plan.h"
#include "journaldb/replayer.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"txt(Shows what replaying the recovery snapshot RECOVERY into DB (the live
database, now holding the server's state) would meet. For each diverged
transaction in lsn order: its lsn, commit time and class; for each op, every
field it touches as

  FIELD: BASE -> LOCAL (server: SERVER) [CLASS]

BASE is the value before the local write, LOCAL the value it wrote, SERVER
the value in DB now; "absent" means no such field, "absent (no object)" no
such object. CLASS is clean (the server still has the base value), same
(the server changed the field, to the value LOCAL: nothing to decide; never
for an increment), conflict (the server changed it to another value) or gone
(the object existed at base time and the server deleted it). An op's class is
its worst field's, a transaction's its worst op's. Under a gone op a line says
what the policies do with it: local-wins recreates the object with only the
fields the op writes, server-wins skips it. A transaction a replay into DB
already did is marked done in its header ("[conflict, done]"). A summary line
counts transactions and ops per class, and the done transactions.

--only selects lsns (--only 7, --only 5-9) or the ops on one collection
(--only tasks): a value made of digits and dashes only is an lsn range.
Opens both read-only; writes nothing.

examples:
  journal diff app.db.recovery/20261126T124501Z-1a2b3c4d app.db
  journal diff RECOVERY app.db --only tasks --json
)txt";

constexpr OptionSpec kOptions[] = {
    {"--only", "LSN-RANGE|COLLECTION", "show only these lsns (5-9, 7) or this collection"},
};

// Per class (indexed by ReplayClass), plus the total.
struct ClassCounts {
  std::array<uint64_t, 4> by_class{};
  uint64_t total = 0;
  void Add(ReplayClass c) {
    ++by_class[static_cast<size_t>(c)];
    ++total;
  }
};

constexpr ReplayClass kClasses[] = {ReplayClass::kClean, ReplayClass::kSame,
                                    ReplayClass::kConflict, ReplayClass::kGone};

void WriteOptionalValue(JsonWriter& w, std::string_view key, const std::optional<Value>& v) {
  // An absent field has no member; "base": null is a null value.
  if (v) w.Key(key).FieldValue(*v);
}

void WriteTransactionJson(JsonWriter& w, const PlannedTransaction& t,
                          const std::vector<const PlannedOp*>& ops, ReplayClass cls, bool done) {
  w.BeginObject();
  w.Key("lsn").Uint(t.lsn);
  w.Key("commit_time_us").Int(t.commit_time_us);
  w.Key("commit_time").String(FormatTimeUs(t.commit_time_us));
  w.Key("class").String(ReplayClassName(cls));
  w.Key("done").Bool(done);
  w.Key("ops").BeginArray();
  for (const PlannedOp* op : ops) {
    w.BeginObject();
    w.Key("class").String(ReplayClassName(op->cls));
    w.Key("op");
    WriteOperationJson(w, op->op);
    w.Key("fields").BeginArray();
    for (const FieldView& f : op->fields) {
      w.BeginObject();
      w.Key("field").String(f.field);
      w.Key("class").String(ReplayClassName(f.cls));
      WriteOptionalValue(w, "base", f.base);
      WriteOptionalValue(w, "local", f.local);
      WriteOptionalValue(w, "server", f.server);
      w.Key("base_object_existed").Bool(f.base_object_existed);
      w.Key("server_object_exists").Bool(f.server_object_exists);
      if (f.element) {
        // A list op's element; the lists above hold every element with its id.
        const ElementView& e = *f.element;
        w.Key("element").BeginObject();
        w.Key("id").String(e.id.ToString());
        WriteOptionalValue(w, "base", e.base);
        WriteOptionalValue(w, "local", e.local);
        WriteOptionalValue(w, "server", e.server);
        w.Key("removed_on_server").Bool(e.removed_on_server);
        w.Key("moved_on_server").Bool(e.moved_on_server);
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteCountsJson(JsonWriter& w, const ClassCounts& c) {
  w.BeginObject().Key("total").Uint(c.total);
  for (ReplayClass cls : kClasses)
    w.Key(ReplayClassName(cls)).Uint(c.by_class[static_cast<size_t>(cls)]);
  w.EndObject();
}

std::string DisplayCounts(const ClassCounts& c, std::string_view one, std::string_view many) {
  std::string s = fmt::format("{} {} (", c.total, c.total == 1 ? one : many);
  for (ReplayClass cls : kClasses)
    s += fmt::format("{}{} {}", cls == ReplayClass::kClean ? "" : ", ",
                     c.by_class[static_cast<size_t>(cls)], ReplayClassName(cls));
  return s + ")";
}

Outcome Run(const ParsedArgs& args, Output& out) {
  OnlyFilter filter;
  const std::string* only = args.Find("--only");
  if (only) {
    Result<OnlyFilter> f = ParseOnlyFilter(*only);
    if (!f.ok()) return Outcome::Usage(f.status().message());
    filter = std::move(f).value();
  }
  Result<RecoverySnapshot> snapshot = OpenRecoveryForCli(args.positional[0]);
  if (!snapshot.ok()) return Outcome::Failed(snapshot.status());
  Result<std::unique_ptr<Database>> live = OpenForRead(args.positional[1]);
  if (!live.ok()) return OpenFailed(args.positional[1], live.status());
  Result<std::unique_ptr<ReplayPlanner>> planner = ReplayPlanner::Open(*snapshot, **live);
  if (!planner.ok())
    return Outcome::Failed(Status(
        planner.status().code(),
        fmt::format("recovery snapshot {}: {}", snapshot->path, planner.status().message())));

  if (out.json()) {
    out.doc().BeginObject().Key("recovery_snapshot");
    WriteManifestJson(out.doc(), *snapshot);
    out.doc().Key("db").String(args.positional[1]);
    out.doc().Key("only");
    if (only)
      out.doc().String(*only);
    else
      out.doc().Null();
    out.doc().Key("transactions").BeginArray();
  } else {
    out.text() << fmt::format("recovery snapshot {} against {}: diverged lsns {}\n",
                              DisplayText(snapshot->path), DisplayText(args.positional[1]),
                              DisplayDivergedRange(snapshot->manifest));
  }
  ClassCounts transactions, ops;
  uint64_t done_count = 0;
  ReplayPlanner& p = **planner;
  for (; p.Valid(); p.Next()) {
    const PlannedTransaction& t = p.transaction();
    if (filter.PastRange(t.lsn)) break;
    if (!filter.SelectsLsn(t.lsn)) continue;
    std::vector<const PlannedOp*> selected;
    ReplayClass cls = ReplayClass::kClean;
    for (const PlannedOp& op : t.ops) {
      if (!filter.SelectsOp(op.op)) continue;
      selected.push_back(&op);
      cls = std::max(cls, op.cls);
      ops.Add(op.cls);
    }
    if (selected.empty() && filter.collection) continue;
    transactions.Add(cls);
    Result<bool> done = IsReplayed(**live, snapshot->manifest.recovery_id, t.lsn);
    if (!done.ok()) return Outcome::Failed(done.status());
    done_count += *done;
    if (out.json())
      WriteTransactionJson(out.doc(), t, selected, cls, *done);
    else
      PrintPlannedTransaction(t, selected, cls, *done, out.text());
  }
  if (!p.status().ok())
    return Outcome::Failed(
        Status(p.status().code(),
               fmt::format("recovery snapshot {}: {}", snapshot->path, p.status().message())));
  if (out.json()) {
    out.doc().EndArray().Key("summary").BeginObject().Key("transactions");
    WriteCountsJson(out.doc(), transactions);
    out.doc().Key("ops");
    WriteCountsJson(out.doc(), ops);
    out.doc().Key("done").Uint(done_count);
    out.doc().EndObject().EndObject();
    return Outcome::Ok();
  }
  if (transactions.total == 0)
    out.text() << (only ? fmt::format("no diverged transactions match --only {}\n",
                                      DisplayText(*only))
                        : std::string("no diverged transactions\n"));
  out.text() << DisplayCounts(transactions, "transaction", "transactions") << ", "
             << DisplayCounts(ops, "op", "ops") << "; " << done_count << " done\n";
  return Outcome::Ok();
}

}  // namespace

const Command& DiffCommand() {
  static const Command kCommand{
      .name = "diff",
      .synopsis = "RECOVERY DB [--only LSN-RANGE|COLLECTION]",
      .summary = "show each diverged op with base, local and server values and its class",
      .description = kDescription,
      .options = kOptions,
      .min_args = 2,
      .max_args = 2,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
