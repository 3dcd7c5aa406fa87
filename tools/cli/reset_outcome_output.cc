#include "reset_outcome_output.h"

#include <fmt/format.h>

#include "journaldb/journal/text.h"
#include "manifest_output.h"

namespace journaldb::cli {

namespace {
// A reason as is: the library quotes the keys it names, so quotes and spaces
// are plain text here; JSON-quoted only if it holds a control byte or is not
// UTF-8, so it cannot drive the terminal.
std::string DisplayReason(std::string_view reason) {
  for (char ch : reason) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return text::JsonQuote(reason);
  }
  return text::IsValidUtf8(reason) ? std::string(reason) : text::JsonQuote(reason);
}
}  // namespace

void WriteNotApplicableJson(JsonWriter& w, const std::vector<NotApplicableOp>& ops) {
  w.BeginArray();
  for (const NotApplicableOp& op : ops)
    w.BeginObject()
        .Key("lsn")
        .Uint(op.lsn)
        .Key("op")
        .Uint(op.op_index)
        .Key("reason")
        .String(op.reason)
        .EndObject();
  w.EndArray();
}

void PrintNotApplicable(const std::vector<NotApplicableOp>& ops, std::ostream& out) {
  for (const NotApplicableOp& op : ops)
    out << fmt::format("  lsn {} op {}: {}\n", op.lsn, op.op_index, DisplayReason(op.reason));
}

void WriteResetOutcomeJson(JsonWriter& w, const ClientResetOutcome& o) {
  w.BeginObject()
      .Key("finished_time_us")
      .Int(o.finished_time_us)
      .Key("finished_time")
      .String(FormatTimeUs(o.finished_time_us))
      .Key("recovery_id")
      .String(o.recovery_id)
      .Key("recovery_path")
      .String(o.recovery_path)
      .Key("reason")
      .String(o.reason)
      .Key("mode")
      .String(o.mode)
      .Key("transactions_replayed")
      .Uint(o.transactions_replayed)
      .Key("transactions_skipped")
      .Uint(o.transactions_skipped)
      .Key("ops_not_applicable");
  WriteNotApplicableJson(w, o.ops_not_applicable);
  w.Key("transactions_not_recovered")
      .Uint(o.transactions_not_recovered)
      .Key("first_unrecovered_lsn")
      .Uint(o.first_unrecovered_lsn)
      .Key("last_unrecovered_lsn")
      .Uint(o.last_unrecovered_lsn)
      .Key("not_recovered_reason")
      .String(o.not_recovered_reason)
      .Key("discarded")
      .Bool(o.discarded)
      .Key("recovered_everything")
      .Bool(o.recovered_everything())
      .EndObject();
}

void PrintResetOutcome(const ClientResetOutcome& o, std::ostream& out) {
  out << fmt::format("recovery snapshot {} ({}, {})\n", DisplayText(o.recovery_path),
                     DisplayText(o.reason), o.mode);
  if (o.mode == "recover" || o.mode == "recover-or-discard")
    out << fmt::format("replayed {} transactions, {} marked done with nothing to commit\n",
                       o.transactions_replayed, o.transactions_skipped);
  if (!o.ops_not_applicable.empty()) {
    out << fmt::format("left out {} ops that cannot apply to the server state:\n",
                       o.ops_not_applicable.size());
    PrintNotApplicable(o.ops_not_applicable, out);
  }
  if (o.transactions_not_recovered > 0)
    out << fmt::format("{} {} transactions (lsn {}..{}): {}\n",
                       o.discarded ? "DISCARDED" : "not recovered", o.transactions_not_recovered,
                       o.first_unrecovered_lsn, o.last_unrecovered_lsn,
                       DisplayReason(o.not_recovered_reason));
}

}  // namespace journaldb::cli
