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
}

void PrintPlannedTransaction(const PlannedTransaction& t, const std::vector<const PlannedOp*>& ops,
                             ReplayClass cls, std::ostream& out) {
  out << fmt::format("lsn {}  {}  [{}]\n", t.lsn, FormatTimeUs(t.commit_time_us),
                     ReplayClassName(cls));
  for (const PlannedOp* op : ops) {
    out << fmt::format("  {}  [{}]\n", DisplayOperation(op->op), ReplayClassName(op->cls));
    PrintPlannedFields(*op, out);
  }
}

}  // namespace journaldb::cli
