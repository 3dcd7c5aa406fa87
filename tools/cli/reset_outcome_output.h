// Display forms of what a client reset and a replay left out or dropped,
// shared by sync and replay (docs/cli.md).
//
//   if (out.json()) WriteResetOutcomeJson(out.doc(), outcome);
//   else PrintResetOutcome(outcome, out.text());
//
// Thread safety: pure functions.
#ifndef JOURNALDB_TOOLS_CLI_RESET_OUTCOME_OUTPUT_H_
#define JOURNALDB_TOOLS_CLI_RESET_OUTCOME_OUTPUT_H_

#include <ostream>
#include <vector>

#include "journaldb/client_reset.h"
#include "output.h"

namespace journaldb::cli {

// [{"lsn":..,"op":..,"reason":..}, ...]
void WriteNotApplicableJson(JsonWriter& w, const std::vector<NotApplicableOp>& ops);
// One line per op: `  lsn 3 op 1: cannot increment ...`.
void PrintNotApplicable(const std::vector<NotApplicableOp>& ops, std::ostream& out);

// {"finished_time_us":..,"finished_time":..,"recovery_id":..,"recovery_path":..,"reason":..,"mode":..,
//  "transactions_replayed":..,"transactions_skipped":..,"ops_not_applicable":[..],
//  "transactions_not_recovered":..,"first_unrecovered_lsn":..,
//  "last_unrecovered_lsn":..,"not_recovered_reason":..,"discarded":..,
//  "recovered_everything":..}
void WriteResetOutcomeJson(JsonWriter& w, const ClientResetOutcome& outcome);
// What was recovered, left out and not recovered, a line each.
void PrintResetOutcome(const ClientResetOutcome& outcome, std::ostream& out);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_RESET_OUTCOME_OUTPUT_H_
