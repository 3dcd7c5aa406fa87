// Human display of a replay plan's transactions (replay_plan.h), shared by
// `journal diff` and `journal replay --interactive`:
//
//   lsn 6  2026-11-26T12:34:03.123456Z  [conflict]
//     erase-object tasks/t1  [conflict]
//       done: false -> absent (server: true) [conflict]
//
// Thread safety: pure functions.
#ifndef JOURNALDB_TOOLS_CLI_PLAN_OUTPUT_H_
#define JOURNALDB_TOOLS_CLI_PLAN_OUTPUT_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "journaldb/replay_plan.h"

namespace journaldb::cli {

// A value, or "absent" (no such field) / "absent (no object)".
std::string DisplaySide(const std::optional<Value>& v, bool object_exists);

// One op's field lines: `    FIELD: BASE -> LOCAL (server: SERVER) [CLASS]`,
// and for a gone op what local-wins and server-wins do with it.
void PrintPlannedFields(const PlannedOp& op, std::ostream& out);

// The transaction's header line, then each of `ops` with its field lines.
// `cls` is the class shown in the header (the selected ops' worst); `done`:
// a replay already did the transaction (`[clean, done]`).
void PrintPlannedTransaction(const PlannedTransaction& t, const std::vector<const PlannedOp*>& ops,
                             ReplayClass cls, bool done, std::ostream& out);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_PLAN_OUTPUT_H_
