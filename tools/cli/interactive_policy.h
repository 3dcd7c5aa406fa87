// InteractivePolicy: the ReplayPolicy of `journal replay --interactive`. A
// person decides each op that is not clean; clean transactions and the clean
// ops of other transactions are applied without asking.
//
//   InteractivePolicy policy(std::cin, std::cerr);
//   Result<ReplayReport> r = Replay(snapshot, *live, policy, options);
//
// For each transaction that is not clean it shows the transaction (base,
// local and server value per field, as `journal diff` does) and asks per
// conflicting or gone op: [a]pply, [s]kip, [e]dit (an upsert only: a
// replacement field list, one FIELD=VALUE line each in the value syntax of
// `journal put`, ended by an empty line) or [q]uit. The answers become one
// decision: apply (every op as written), skip (none), or replace (the kept
// and edited ops). Quit, or end of input, aborts the replay: what was decided
// before stays done and a rerun resumes at this transaction.
//
// Answers are read a line at a time, so they can be piped in.
// Thread safety: not thread-safe; used on the replaying thread only.
#ifndef JOURNALDB_TOOLS_CLI_INTERACTIVE_POLICY_H_
#define JOURNALDB_TOOLS_CLI_INTERACTIVE_POLICY_H_

#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "journaldb/replayer.h"

namespace journaldb::cli {

class InteractivePolicy : public ReplayPolicy {
 public:
  // Reads answers from `in`, writes the transactions and prompts to `out`.
  // `echo`: repeat each answer line on `out`, so a transcript of piped
  // answers reads like a terminal session.
  InteractivePolicy(std::istream& in, std::ostream& out, bool echo)
      : in_(in), out_(out), echo_(echo) {}
  ReplayDecision Decide(const PlannedTransaction& txn) override;

 private:
  // The op to commit for `op` (nullopt: skip it); false when the person quit.
  bool AskOp(const PlannedTransaction& txn, const PlannedOp& op, size_t index,
             std::optional<Operation>* result);
  // Reads a replacement field list for an upsert; false on end of input.
  bool ReadEdit(const Operation& op, std::optional<Operation>* result);
  // One answer line; false at end of input.
  bool ReadLine(std::string* line);

  std::istream& in_;
  std::ostream& out_;
  bool echo_;
};

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_INTERACTIVE_POLICY_H_
