#include "interactive_policy.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "output.h"
#include "plan_output.h"
#include "value_file.h"
#include "value_syntax.h"

namespace journaldb::cli {

namespace {
// Surrounding blanks are ignored in answers and edit lines' ends.
std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

constexpr std::string_view kEndOfInput = "\nend of input: quitting\n";
}  // namespace

void InteractivePolicy::ShowTransaction(const PlannedTransaction& txn) {
  std::vector<const PlannedOp*> all;
  for (const PlannedOp& op : txn.ops) all.push_back(&op);
  PrintPlannedTransaction(txn, all, txn.cls, /*done=*/false, out_);
}

ReplayDecision InteractivePolicy::Decide(const PlannedTransaction& txn) {
  if (!NeedsDecision(txn.cls)) {
    out_ << fmt::format("lsn {}: {}, applied without asking\n", txn.lsn,
                        ReplayClassName(txn.cls));
    return {ReplayAction::kApply, {}, {}};
  }
  ReplayDecision d{ReplayAction::kReplace, {}, {}};
  bool unchanged = true;  // every op kept as written
  bool shown = false;
  for (size_t i = 0; i < txn.ops.size(); ++i) {
    const PlannedOp& op = txn.ops[i];
    std::optional<Operation> chosen = op.op;
    if (NeedsDecision(op.cls)) {
      Standing standing = standing_[static_cast<size_t>(op.cls)];
      if (standing != Standing::kAsk) {
        out_ << fmt::format("lsn {} op {}/{} [{}] {}: {}\n", txn.lsn, i + 1, txn.ops.size(),
                            ReplayClassName(op.cls), DisplayOperation(op.op),
                            standing == Standing::kApply ? "applied (apply-all)"
                                                         : "skipped (skip-all)");
        if (standing == Standing::kSkip) chosen.reset();
      } else {
        if (!shown) ShowTransaction(txn);
        shown = true;
        if (!AskOp(txn, op, i, &chosen)) {
          quit_ = true;
          out_ << fmt::format("quit: lsn {} and later are left for a rerun\n", txn.lsn);
          return {ReplayAction::kAbort, {}, fmt::format("quit at the prompt for lsn {}", txn.lsn)};
        }
      }
    }
    if (!chosen || !(*chosen == op.op)) unchanged = false;
    if (chosen) d.replacement.push_back(std::move(*chosen));
  }
  if (unchanged) return {ReplayAction::kApply, {}, {}};
  if (d.replacement.empty()) d.action = ReplayAction::kSkip;
  return d;
}

bool InteractivePolicy::SetStanding(Standing standing, std::string_view rest) {
  std::string cls = Trim(rest);
  for (ReplayClass c : {ReplayClass::kConflict, ReplayClass::kGone})
    if (cls.empty() || cls == ReplayClassName(c)) standing_[static_cast<size_t>(c)] = standing;
  return cls.empty() || cls == ReplayClassName(ReplayClass::kConflict) ||
         cls == ReplayClassName(ReplayClass::kGone);
}

bool InteractivePolicy::AskOp(const PlannedTransaction& txn, const PlannedOp& op, size_t index,
                              std::optional<Operation>* result) {
  const bool editable = op.op.kind == OpKind::kUpsert;
  for (;;) {
    // done_ counts the transactions decided before this one.
    out_ << fmt::format("[{}/{}] lsn {} op {}/{} [{}] {}: a, s, {}A, S, d, q or ? ", done_ + 1,
                        total_, txn.lsn, index + 1, txn.ops.size(), ReplayClassName(op.cls),
                        DisplayOperation(op.op), editable ? "e, " : "")
         << std::flush;
    std::string line;
    if (!ReadLine(&line)) {
      out_ << kEndOfInput;
      return false;
    }
    const std::string answer = Trim(line);
    const size_t space = answer.find(' ');
    const std::string key = answer.substr(0, space);
    const std::string_view rest =
        space == std::string::npos ? std::string_view() : std::string_view(answer).substr(space);
    if (answer == "a" || answer == "apply") {
      *result = op.op;
      return true;
    }
    if (answer == "s" || answer == "skip") {
      *result = std::nullopt;
      return true;
    }
    if (answer == "q" || answer == "quit") return false;
    if (key == "A" || key == "apply-all" || key == "S" || key == "skip-all") {
      const bool apply = key == "A" || key == "apply-all";
      if (!SetStanding(apply ? Standing::kApply : Standing::kSkip, rest)) {
        out_ << fmt::format("{} takes no class or one of conflict, gone; got {}\n", key,
                            DisplayName(Trim(rest)));
        continue;
      }
      if (standing_[static_cast<size_t>(op.cls)] == Standing::kAsk) continue;
      *result = apply ? std::optional<Operation>(op.op) : std::nullopt;
      return true;
    }
    if (answer == "d" || answer == "diff") {
      ShowTransaction(txn);
      continue;
    }
    if (answer == "e" || answer == "edit") {
      if (!editable) {
        out_ << fmt::format("only an upsert can be edited; this is {}: ? lists the answers\n",
                            OpKindName(op.op.kind));
        continue;
      }
      if (!ReadEdit(op.op, result)) {
        out_ << kEndOfInput;
        return false;
      }
      if (*result) return true;
      continue;  // nothing was given: ask again
    }
    if (!answer.empty() && answer != "?" && answer != "h" && answer != "help")
      out_ << fmt::format("unknown answer {}; the answers are:\n", DisplayName(answer));
    out_ << kInteractiveKeys;
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
  *result = std::nullopt;
  FieldMap fields;
  for (std::string line; ReadLine(&line);) {
    std::string text = Trim(line);
    if (text.empty()) {
      if (fields.empty()) {
        out_ << "no fields given: the op is unchanged; answer again\n";
        return true;
      }
      Operation edited = Operation::Upsert(op.collection, op.key, std::move(fields));
      if (Status s = edited.Validate(); !s.ok()) {
        out_ << fmt::format("{}: the edit is dropped; answer again\n", s.message());
        return true;
      }
      out_ << fmt::format("edited: {}\n", DisplayOperation(edited));
      *result = std::move(edited);
      return true;
    }
    // Each line is checked as it comes, so a typo costs only that line.
    Result<FieldAssignment> a = ParseFieldAssignment(text);
    Status s = a.status();
    // stdin carries the answers here, so only a named file can hold a value.
    if (s.ok() && a->file && *a->file == "-")
      s = Status::InvalidArgument("@- cannot be used here: stdin carries the answers");
    if (s.ok() && a->file) {
      Result<Value> v = ReadValueFile(*a->file, in_);
      s = v.status();
      if (s.ok()) a->value = std::move(v).value();
    }
    if (s.ok() && fields.count(a->field))
      s = Status::InvalidArgument(fmt::format("field {} is given twice", DisplayName(a->field)));
    if (s.ok())
      s = Operation::Upsert(op.collection, op.key, {{a->field, a->value}}).Validate();
    if (!s.ok()) {
      out_ << fmt::format("line refused: {}; type it again ({} kept so far)\n", s.message(),
                          fields.size() == 1 ? "1 field" : fmt::format("{} fields", fields.size()));
      continue;
    }
    fields.insert_or_assign(std::move(a->field), std::move(a->value));
  }
  return false;
}

}  // namespace journaldb::cli
