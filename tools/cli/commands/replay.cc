// journal replay RECOVERY DB: re-applies a recovery snapshot's diverged
// transactions to the live database under a policy or interactively, each
// exactly once (recovery/include/journaldb/replayer.h).
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>

#include "../command.h"
#include "../database_open.h"
#include "../interactive_policy.h"
#include "../manifest_output.h"
#include "../only_filter.h"
#include "../progress_bar.h"
#include "../recovery_open.h"
#include "../reset_outcome_output.h"
#include "journaldb/replayer.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"txt(Replays the recovery snapshot RECOVERY into DB (the live database, now
holding the server's state): each diverged transaction, in lsn order, is
decided by the policy and applied as an ordinary local commit, skipped, or
applied in part. Each transaction is done exactly once: a rerun, after a
crash, an abort or --only, resumes with the first transaction not yet done
and reports the rest as already done.

policies (journal diff shows each transaction's class):
  local-wins   apply every op as written locally: local values win,
               increments add their delta to the server's value
  server-wins  apply only the clean ops; ops on fields the server changed
               (conflict) or on objects it deleted (gone) are skipped
  clean-only   apply clean transactions and stop at the first one that is
               not clean, leaving it and the rest for a person (exit 1)

--interactive asks instead of a policy. Clean and same transactions, and the
clean and same ops of the others, are applied without asking. For every
conflict or gone op it shows the transaction (base, local and server value
per field) and reads an answer line from stdin:
a (apply), s (skip), e (edit an upsert: FIELD=VALUE lines, each checked as
typed, then an empty line), A / S [CLASS] (apply-all / skip-all: this op and
every later one, or only those of CLASS conflict or gone), d (show the
transaction again), q (quit); ?, help or an empty line lists them.
Quit, or the end of stdin, stops the replay: what was decided stays done, a
rerun resumes. Transactions, prompts (with the count decided so far) and
edit errors go to stderr; stdout gets the header and the summary.

--only replays only these lsns (--only 7, --only 5-9) or only the
transactions whose ops all touch one collection (--only tasks); the others
stay not done. --dry-run decides everything and writes nothing (DB is then
opened read-only). A progress bar with rate and ETA is drawn on stderr when
stderr is a terminal, never with --json, --interactive or into a pipe.

Exit 0 when every selected transaction was decided; 4 when the person quit
at the prompt (not an error; stderr says how to continue); 1 on an error,
and when clean-only stopped at a transaction that is not clean: stderr names
the lsn and how to continue.

examples:
  journal replay app.db.recovery/20261126T124501Z-1a2b3c4d app.db --policy server-wins
  journal replay RECOVERY app.db --policy clean-only --dry-run
  journal replay RECOVERY app.db --interactive
  journal replay RECOVERY app.db --policy local-wins --only 5-9 --json
)txt";

constexpr OptionSpec kOptions[] = {
    {"--policy", "local-wins|server-wins|clean-only", "how to decide each transaction"},
    {"--interactive", "", "ask on stdin for each op that is not clean (instead of --policy)"},
    {"--dry-run", "", "decide everything, write nothing"},
    {"--only", "LSN-RANGE|COLLECTION", "replay only these lsns (5-9, 7) or this collection"},
};

// The policy named on the command line (nullptr with --interactive, whose
// policy Run makes itself), or a usage error.
Result<std::unique_ptr<ReplayPolicy>> ChoosePolicy(const ParsedArgs& args) {
  const std::string* name = args.Find("--policy");
  const bool interactive = args.Find("--interactive") != nullptr;
  if (interactive && name)
    return Status::InvalidArgument("--policy and --interactive exclude each other");
  if (interactive) return std::unique_ptr<ReplayPolicy>();
  if (!name)
    return Status::InvalidArgument(
        "missing --policy (local-wins, server-wins or clean-only) or --interactive");
  if (*name == "local-wins") return std::unique_ptr<ReplayPolicy>(new LocalWinsPolicy);
  if (*name == "server-wins") return std::unique_ptr<ReplayPolicy>(new ServerWinsPolicy);
  if (*name == "clean-only") return std::unique_ptr<ReplayPolicy>(new CleanOnlyPolicy);
  return Status::InvalidArgument(fmt::format(
      "unknown policy {}: use local-wins, server-wins or clean-only", DisplayText(*name)));
}

Result<std::unique_ptr<Database>> OpenLive(const std::string& path, bool dry_run) {
  if (!dry_run)
    if (Status s = RefuseWritesInRecovery(path); !s.ok()) return s;
  Options options;
  options.create_if_missing = false;
  options.read_only = dry_run;
  // Not one fsync per replayed transaction: the replay syncs the log itself
  // (kSyncInterval below), and what it reports is durable.
  options.durability = Durability::kBuffered;
  return Database::Open(path, options);
}

// The replay fsyncs DB's log after this many transactions and once at the
// end: a crash (even a power loss) before a sync loses at most these, each
// with its done marker, and a rerun replays them again.
constexpr uint64_t kSyncInterval = 10000;

void WriteReportJson(JsonWriter& w, const ReplayReport& r) {
  w.BeginObject();
  w.Key("transactions").BeginObject();
  w.Key("applied").Uint(r.transactions_applied);
  w.Key("skipped").Uint(r.transactions_skipped);
  w.Key("already_done").Uint(r.transactions_already_done);
  w.Key("filtered").Uint(r.transactions_filtered);
  w.EndObject();
  w.Key("ops").BeginObject();
  w.Key("applied").Uint(r.ops_applied);
  w.Key("skipped").Uint(r.ops_skipped);
  w.Key("not_applicable").Uint(r.ops_not_applicable.size());
  w.EndObject();
  w.Key("not_applicable");
  WriteNotApplicableJson(w, r.ops_not_applicable);
  w.Key("last_lsn_decided").Uint(r.last_lsn_decided);
  w.Key("complete").Bool(r.complete);
  w.Key("aborted").Bool(r.aborted);
  if (r.aborted) w.Key("aborted_at").Uint(r.aborted_at).Key("abort_reason").String(r.abort_reason);
  w.EndObject();
}

std::string Plural(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

void PrintReport(const ReplayReport& r, bool dry_run, std::ostream& out) {
  out << fmt::format("transactions: {} applied, {} skipped, {} already done, {} filtered\n",
                     r.transactions_applied, r.transactions_skipped, r.transactions_already_done,
                     r.transactions_filtered);
  out << fmt::format("ops: {} applied, {} skipped, {} not applicable\n", r.ops_applied,
                     r.ops_skipped, r.ops_not_applicable.size());
  PrintNotApplicable(r.ops_not_applicable, out);
  if (r.aborted)
    out << fmt::format("stopped at lsn {}: {}\n", r.aborted_at, r.abort_reason);
  else if (dry_run)
    out << "dry run: nothing was written\n";
  else if (r.complete)
    out << "complete: every diverged transaction is done\n";
  else
    out << fmt::format("the selected transactions are done; {} left for a later replay\n",
                       Plural(r.transactions_filtered, "transaction is", "transactions are"));
}

Outcome Run(const ParsedArgs& args, Output& out) {
  Result<std::unique_ptr<ReplayPolicy>> policy = ChoosePolicy(args);
  if (!policy.ok()) return Outcome::Usage(policy.status().message());
  ReplayOptions options;
  options.dry_run = args.Find("--dry-run") != nullptr;
  const std::string* only = args.Find("--only");
  if (only) {
    Result<OnlyFilter> f = ParseOnlyFilter(*only);
    if (!f.ok()) return Outcome::Usage(f.status().message());
    if (f->first_lsn) options.first_lsn = *f->first_lsn;
    if (f->last_lsn) options.last_lsn = *f->last_lsn;
    if (f->collection) options.only_collection = *f->collection;
  }
  options.sync_interval_transactions = kSyncInterval;
  const bool interactive = args.Find("--interactive") != nullptr;
  const std::string policy_name = interactive ? "interactive" : *args.Find("--policy");

  Result<RecoverySnapshot> snapshot = OpenRecoveryForCli(args.positional[0]);
  if (!snapshot.ok()) return Outcome::Failed(snapshot.status());
  Result<std::unique_ptr<Database>> live = OpenLive(args.positional[1], options.dry_run);
  if (!live.ok()) return OpenFailed(args.positional[1], live.status());

  // The header first, so it stands above the prompts and the progress bar.
  if (!out.json())
    out.text() << fmt::format("{}replay of recovery snapshot {} into {} (policy {})\n",
                              options.dry_run ? "dry run: " : "", DisplayText(snapshot->path),
                              DisplayText(args.positional[1]), policy_name)
               << std::flush;

  std::unique_ptr<InteractivePolicy> person;
  if (interactive) {
    person = std::make_unique<InteractivePolicy>(std::cin, std::cerr, isatty(STDIN_FILENO) != 1);
    person->NoteProgress(0, snapshot->manifest.diverged_entries);
    options.on_progress = [&person](Lsn, uint64_t done, uint64_t total) {
      person->NoteProgress(done, total);
    };
  }
  ReplayPolicy& chosen = interactive ? *person : **policy;
  // Never into a pipe or a file, and not between interactive prompts.
  std::optional<ProgressBar> bar;
  if (!out.json() && !interactive && isatty(STDERR_FILENO) == 1) {
    bar.emplace(std::cerr);
    options.on_progress = [&bar](Lsn lsn, uint64_t done, uint64_t total) {
      bar->Update(done, total, fmt::format("lsn {}", lsn));
    };
  }
  Result<ReplayReport> report = Replay(*snapshot, **live, chosen, options);
  if (bar) bar->Finish();
  if (!report.ok())
    return Outcome::Failed(
        Status(report.status().code(),
               fmt::format("replay of {}: {}", snapshot->path, report.status().message())));

  // Quit at the prompt: the person's choice, not an error (exit 4).
  const bool quit = report->aborted && person && person->quit();
  // Stopped early otherwise: what was decided stays done; say how to go on.
  Status stopped;
  if (report->aborted && !quit)
    stopped = Status::FailedPrecondition(fmt::format(
        "replay stopped at lsn {}: {}; what was decided before it stays done. To continue, "
        "rerun with --interactive, or with --policy local-wins or server-wins (--only {} for "
        "just this one)",
        report->aborted_at, report->abort_reason, report->aborted_at));

  if (out.json()) {
    out.doc().BeginObject();
    if (!stopped.ok()) WriteStoppedErrorMember(out.doc(), stopped.message());
    out.doc().Key("recovery_snapshot");
    WriteManifestJson(out.doc(), *snapshot);
    out.doc().Key("db").String(args.positional[1]);
    out.doc().Key("policy").String(policy_name);
    out.doc().Key("dry_run").Bool(options.dry_run);
    out.doc().Key("only");
    if (only)
      out.doc().String(*only);
    else
      out.doc().Null();
    out.doc().Key("quit").Bool(quit);
    out.doc().Key("report");
    WriteReportJson(out.doc(), *report);
    out.doc().EndObject();
  } else {
    PrintReport(*report, options.dry_run, out.text());
  }
  if (quit)
    return Outcome::Stopped(fmt::format(
        "replay quit at lsn {}; what was decided before it stays done. To continue, rerun "
        "journal replay {} {} --interactive (or with a --policy)",
        report->aborted_at, DisplayText(args.positional[0]), DisplayText(args.positional[1])));
  if (stopped.ok()) return Outcome::Ok();
  // Under --json the document above, error and report, is what is printed.
  Outcome outcome = Outcome::Failed(std::move(stopped));
  outcome.error_document = true;
  return outcome;
}

}  // namespace

const Command& ReplayCommand() {
  static const Command kCommand{
      .name = "replay",
      .synopsis =
          "RECOVERY DB --policy local-wins|server-wins|clean-only|--interactive "
          "[--dry-run] [--only LSN-RANGE|COLLECTION]",
      .summary = "re-apply a recovery snapshot's diverged transactions to DB, each exactly once",
      .description = kDescription,
      .options = kOptions,
      .min_args = 2,
      .max_args = 2,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
