#include "plan_output.h"

#include <fmt/format.h>

#include "output.h"

namespace journaldb::cli {

std::string DisplaySide(const std::optional<Value>& v, bool object_exists) {
  if (v) return DisplayValue(*v);
  return object_exists ? "absent" : "absent (no object)";
}

void PrintPlannedFields(const PlannedOp& op, std::ostream& out) {
  for (const FieldView& f : op.fields) {
    // After an erase-object the local object is gone; otherwise it exists.
    bool local_object = op.op.kind != OpKind::kEraseObject;
    out << fmt::format("    {}: {} -> {} (server: {}) [{}]\n", DisplayName(f.field),
                       DisplaySide(f.base, f.base_object_existed),
                       DisplaySide(f.local, local_object),
                       DisplaySide(f.server, f.server_object_exists), ReplayClassName(f.cls));
  }
  // What the policies will do to it, so nobody is surprised by a partial
  // object (docs/merge-semantics.md rule 4).
  if (op.cls == ReplayClass::kGone && op.op.kind != OpKind::kEraseObject)
    out << fmt::format(
        "    (the server deleted {}: local-wins recreates it with only the fields this op "
        "writes, server-wins skips the op)\n",
        DisplayTarget(op.op.collection, op.op.key));
}

void PrintPlannedTransaction(const PlannedTransaction& t, const std::vector<const PlannedOp*>& ops,
                             ReplayClass cls, bool done, std::ostream& out) {
  out << fmt::format("lsn {}  {}  [{}{}]\n", t.lsn, FormatTimeUs(t.commit_time_us),
                     ReplayClassName(cls), done ? ", done" : "");
  for (const PlannedOp* op : ops) {
    out << fmt::format("  {}  [{}]\n", DisplayOperation(op->op), ReplayClassName(op->cls));
    PrintPlannedFields(*op, out);
  }
}

}  // namespace journaldb::cli
