#include "plan_output.h"

#include <fmt/format.h>

#include "output.h"

namespace journaldb::cli {

std::string DisplaySide(const std::optional<Value>& v, bool object_exists) {
  if (v) return DisplayValue(*v);
  return object_exists ? "absent" : "absent (no object)";
}

namespace {

std::string DisplayElement(const std::optional<Value>& v, bool removed = false) {
  if (v) return DisplayValue(*v);
  return removed ? "removed" : "absent";
}

// `..., a, b, [x], c, ...`: the element among its neighbours; without it,
// `..., a, (here), c, ...` marks where it would go.
std::string DisplayNeighbourhood(const std::vector<Value>& before, const std::optional<Value>& at,
                                 const std::vector<Value>& after) {
  std::string s = "...";
  for (const Value& v : before) s += ", " + DisplayValue(v);
  s += at ? ", [" + DisplayValue(*at) + "]" : ", (here)";
  for (const Value& v : after) s += ", " + DisplayValue(v);
  return s + ", ...";
}

// A list op's element: its value at base, locally and on the server, and
// its neighbours in both lists.
void PrintPlannedElement(const FieldView& f, std::ostream& out) {
  const ElementView& e = *f.element;
  out << fmt::format(
      "    {} element {}: {} -> {} (server: {}{}) [{}]\n", DisplayName(f.field), e.id.ToString(),
      DisplayElement(e.base), DisplayElement(e.local),
      f.server_object_exists ? DisplayElement(e.server, e.removed_on_server) : "absent (no object)",
      e.moved_on_server ? ", moved there" : "", ReplayClassName(f.cls));
  out << fmt::format("      local:  {}\n",
                     DisplayNeighbourhood(e.local_before, e.local, e.local_after));
  if (f.server && f.server->type() == ValueType::kList)
    out << fmt::format("      server: {}\n",
                       DisplayNeighbourhood(e.server_before, e.server, e.server_after));
}

}  // namespace

void PrintPlannedFields(const PlannedOp& op, std::ostream& out) {
  for (const FieldView& f : op.fields) {
    if (f.element) {
      PrintPlannedElement(f, out);
      continue;
    }
    // After an erase-object the local object is gone; otherwise it exists.
    bool local_object = op.op.kind != OpKind::kEraseObject;
    out << fmt::format("    {}: {} -> {} (server: {}) [{}]\n", DisplayName(f.field),
                       DisplaySide(f.base, f.base_object_existed),
                       DisplaySide(f.local, local_object),
                       DisplaySide(f.server, f.server_object_exists), ReplayClassName(f.cls));
  }
  // What the policies will do to it, so nobody is surprised by a partial
  // object (docs/merge-semantics.md rule 4).
  const bool element_removed =
      !op.fields.empty() && op.fields[0].element && op.fields[0].element->removed_on_server;
  if (op.cls == ReplayClass::kGone && element_removed)
    out << "    (the server removed this element: the op has no effect; local-wins tries it and "
           "reports it not applicable, server-wins skips it)\n";
  else if (op.cls == ReplayClass::kGone && op.op.kind != OpKind::kEraseObject)
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
