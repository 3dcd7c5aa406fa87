// InteractivePolicy: the ReplayPolicy of `journal replay --interactive`. A
// person decides each conflict or gone op; clean and same transactions, and
// the clean and same ops of other transactions, are applied without asking.
//
//   InteractivePolicy policy(std::cin, std::cerr, /*echo=*/false);
//   options.on_progress = [&](Lsn, uint64_t done, uint64_t total) { policy.NoteProgress(done, total); };
//   Result<ReplayReport> r = Replay(snapshot, *live, policy, options);
//
// For each transaction that needs a decision it shows the transaction (base,
// local and server value per field, as `journal diff` does) and asks per
// conflict or gone op; the answers (kInteractiveKeys below, `?` lists them)
// are apply, skip, edit (an upsert only: a replacement field list, one
// FIELD=VALUE line each in the value syntax of `journal put`, each line
// checked as it is typed, ended by an empty line), apply-all / skip-all for
// every later op (optionally of one class only), show the transaction again,
// and quit. The answers become one decision: apply (every op as written),
// skip (none), or replace (the kept and edited ops). Quit, or end of input,
// aborts the replay: what was decided before stays done and a rerun resumes
// at this transaction.
//
// Answers are read a line at a time, so they can be piped in.
// Thread safety: not thread-safe; used on the replaying thread only.
#ifndef JOURNALDB_TOOLS_CLI_INTERACTIVE_POLICY_H_
#define JOURNALDB_TOOLS_CLI_INTERACTIVE_POLICY_H_

#include <array>
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "journaldb/replayer.h"

namespace journaldb::cli {

// The answers at the prompt, as `?` prints them (and docs/cli.md lists).
inline constexpr std::string_view kInteractiveKeys =
    "  a, apply               apply this op as written\n"
    "  s, skip                leave this op out\n"
    "  e, edit                an upsert only: type its new fields, one FIELD=VALUE per\n"
    "                         line (as in journal put), then an empty line\n"
    "  A, apply-all [CLASS]   apply this op and every later op of CLASS (conflict or\n"
    "                         gone; without CLASS: both) without asking\n"
    "  S, skip-all [CLASS]    skip this op and every later op of CLASS without asking\n"
    "  d, diff                show this transaction again\n"
    "  q, quit                stop: this transaction and the later ones stay for a rerun\n"
    "  ?, h, help             this list (an empty answer too)\n";

class InteractivePolicy : public ReplayPolicy {
 public:
  // Reads answers from `in`, writes the transactions and prompts to `out`.
  // `echo`: repeat each answer line on `out`, so a transcript of piped
  // answers reads like a terminal session.
  InteractivePolicy(std::istream& in, std::ostream& out, bool echo)
      : in_(in), out_(out), echo_(echo) {}
  ReplayDecision Decide(const PlannedTransaction& txn) override;

  // How far the replay is (ReplayOptions::on_progress), shown in the prompts.
  void NoteProgress(uint64_t done, uint64_t total) {
    done_ = done;
    total_ = total;
  }
  // The replay was stopped by the person (q or end of input), not by an error.
  bool quit() const { return quit_; }

 private:
  // What to do with an op of a class without asking (apply-all / skip-all).
  enum class Standing { kAsk, kApply, kSkip };

  // The op to commit for `op` (nullopt: skip it); false when the person quit.
  bool AskOp(const PlannedTransaction& txn, const PlannedOp& op, size_t index,
             std::optional<Operation>* result);
  // Handles `apply-all [CLASS]` / `skip-all [CLASS]` (`rest` is what follows
  // the key); false when CLASS is not a class that is asked about.
  bool SetStanding(Standing standing, std::string_view rest);
  // Reads a replacement field list for an upsert, line by line; false on end
  // of input. *result stays nullopt when nothing was given.
  bool ReadEdit(const Operation& op, std::optional<Operation>* result);
  // One answer line; false at end of input.
  bool ReadLine(std::string* line);
  void ShowTransaction(const PlannedTransaction& txn);

  std::istream& in_;
  std::ostream& out_;
  bool echo_;
  std::array<Standing, 4> standing_{};  // indexed by ReplayClass
  uint64_t done_ = 0;
  uint64_t total_ = 0;
  bool quit_ = false;
};

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_INTERACTIVE_POLICY_H_
