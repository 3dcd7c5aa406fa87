#include "interactive_policy.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "output.h"
#include "plan_output.h"
#include "value_syntax.h"

namespace journaldb::cli {

namespace {
// Surrounding blanks are ignored in answers and edit lines' ends.
std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}
}  // namespace

ReplayDecision InteractivePolicy::Decide(const PlannedTransaction& txn) {
  if (txn.cls == ReplayClass::kClean) {
    out_ << fmt::format("lsn {}: clean, applied without asking\n", txn.lsn);
    return {ReplayAction::kApply, {}, {}};
  }
  std::vector<const PlannedOp*> all;
  for (const PlannedOp& op : txn.ops) all.push_back(&op);
  PrintPlannedTransaction(txn, all, txn.cls, out_);

  ReplayDecision d{ReplayAction::kReplace, {}, {}};
  bool unchanged = true;  // every op kept as written
  for (size_t i = 0; i < txn.ops.size(); ++i) {
    const PlannedOp& op = txn.ops[i];
    std::optional<Operation> chosen = op.op;
    if (op.cls != ReplayClass::kClean && !AskOp(txn, op, i, &chosen)) {
      out_ << fmt::format("quit: lsn {} and later are left for a rerun\n", txn.lsn);
      return {ReplayAction::kAbort, {}, fmt::format("quit at the prompt for lsn {}", txn.lsn)};
    }
    if (!chosen || !(*chosen == op.op)) unchanged = false;
    if (chosen) d.replacement.push_back(std::move(*chosen));
  }
  if (unchanged) return {ReplayAction::kApply, {}, {}};
  if (d.replacement.empty()) d.action = ReplayAction::kSkip;
  return d;
}

bool InteractivePolicy::AskOp(const PlannedTransaction& txn, const PlannedOp& op, size_t index,
                              std::optional<Operation>* result) {
  const bool editable = op.op.kind == OpKind::kUpsert;
  for (;;) {
    out_ << fmt::format("lsn {} op {}/{} [{}] {}: [a]pply, [s]kip, {}[q]uit? ", txn.lsn, index + 1,
                        txn.ops.size(), ReplayClassName(op.cls), DisplayOperation(op.op),
                        editable ? "[e]dit, " : "")
         << std::flush;
    std::string line;
    if (!ReadLine(&line)) {
      out_ << "\nend of input: quitting\n";
      return false;
    }
    std::string answer = Trim(line);
    if (answer == "a" || answer == "apply") {
      *result = op.op;
      return true;
    }
    if (answer == "s" || answer == "skip") {
      *result = std::nullopt;
      return true;
    }
    if (answer == "q" || answer == "quit") return false;
    if (answer == "e" || answer == "edit") {
      if (!editable) {
        out_ << fmt::format("only an upsert can be edited; this is {}: answer a, s or q\n",
                            OpKindName(op.op.kind));
        continue;
      }
      if (!ReadEdit(op.op, result)) {
        out_ << "\nend of input: quitting\n";
        return false;
      }
      if (*result) return true;
      continue;  // the edit was refused: ask again
    }
    out_ << fmt::format("please answer a, s, {}or q\n", editable ? "e " : "");
  }
}

bool InteractivePolicy::ReadLine(std::string* line) {
  if (!std::getline(in_, *line)) return false;
  if (echo_) out_ << *line << "\n";
  return true;
}

bool InteractivePolicy::ReadEdit(const Operation& op, std::optional<Operation>* result) {
  out_ << fmt::format(
              "new fields for {}: one FIELD=VALUE per line (as in journal put), an empty line "
              "to finish\n",
              DisplayTarget(op.collection, op.key))
       << std::flush;
  std::vector<std::string> assignments;
  for (std::string line; ReadLine(&line);) {
    std::string text = Trim(line);
    if (text.empty()) {
      *result = std::nullopt;
      if (assignments.empty()) {
        out_ << "no fields given: the op is unchanged; answer again\n";
        return true;
      }
      // stdin carries the answers, and a file value is no edit's business yet.
      Result<FieldMap> fields =
          ParseFieldAssignments(assignments, [](std::string_view) -> Result<Value> {
            return Status::InvalidArgument("FIELD=@FILE cannot be used in an edit");
          });
      if (!fields.ok()) {
        out_ << fmt::format("{}: answer again\n", fields.status().message());
        return true;
      }
      Operation edited = Operation::Upsert(op.collection, op.key, std::move(fields).value());
      if (Status s = edited.Validate(); !s.ok()) {
        out_ << fmt::format("{}: answer again\n", s.message());
        return true;
      }
      out_ << fmt::format("edited: {}\n", DisplayOperation(edited));
      *result = std::move(edited);
      return true;
    }
    assignments.push_back(std::move(text));
  }
  return false;
}

}  // namespace journaldb::cli
