// journal verify DB|RECOVERY: check that the state equals the fold of the
// journal; for a recovery snapshot, also that it matches its manifest.
#include <fmt/format.h>

#include "../command.h"
#include "../database_open.h"
#include "../manifest_output.h"
#include "../recovery_open.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Recomputes the state by folding the journal over an empty database and
compares it with the stored state; checks that every entry decodes and
verifies, that lsns have no gaps and that before-images agree with the fold.
Prints each problem found and exits with 3 if there is any (0 if none; 1 if
the check itself could not run). Reads one snapshot and holds the folded
state in memory. Opens DB read-only.

Given a recovery snapshot directory (one holding a MANIFEST or a db
directory), checks the snapshot: the manifest verifies (checksum, format),
the snapshot's database opens read-only and passes the check above, its
cursors equal the manifest's, and its journal holds the manifest's diverged
range without gaps, with the manifest's entry and op counts, and nothing
above the upload cursor outside it. Each mismatch is a problem (exit 3). A
manifest that cannot be read or a database that does not open is an error
(exit 1) naming the path.

examples:
  journal verify app.db
  journal verify app.db.recovery/20261126T124501Z-1a2b3c4d
)";

Outcome RunOnRecovery(const std::string& path, Output& out) {
  Result<RecoverySnapshotReport> report = VerifyRecoverySnapshot(path, {});
  if (!report.ok()) return Outcome::Failed(WithRecoveryHint(report.status(), path));
  const RecoverySnapshot& snapshot = report->snapshot;
  const std::vector<std::string>& problems = report->problems;
  const bool ok = problems.empty();
  if (out.json()) {
    out.doc().BeginObject().Key("ok").Bool(ok);
    out.doc().Key("recovery_snapshot").String(snapshot.path);
    out.doc().Key("recovery_id").String(snapshot.manifest.recovery_id);
    out.doc().Key("entries_checked").Uint(report->entries_checked);
    out.doc().Key("objects_checked").Uint(report->objects_checked);
    out.doc().Key("diverged_entries_checked").Uint(report->diverged_entries);
    out.doc().Key("diverged_ops_checked").Uint(report->diverged_ops);
    out.doc().Key("problems").BeginArray();
    for (const std::string& p : problems) out.doc().String(p);
    out.doc().EndArray().EndObject();
  } else {
    for (const std::string& p : problems) out.text() << "problem: " << p << "\n";
    out.text() << fmt::format(
        "{}: recovery snapshot {}: manifest, {} journal entries, {} objects and diverged lsns {} "
        "({} entries, {} ops) checked",
        ok ? "ok" : "verification failed", DisplayText(snapshot.path), report->entries_checked,
        report->objects_checked, DisplayDivergedRange(snapshot.manifest), report->diverged_entries,
        report->diverged_ops);
    if (!ok)
      out.text() << fmt::format(", {} problem{}", problems.size(), problems.size() == 1 ? "" : "s");
    out.text() << "\n";
  }
  return ok ? Outcome::Ok() : Outcome::VerifyFailed();
}

Outcome Run(const ParsedArgs& args, Output& out) {
  if (LooksLikeRecoveryPath(args.positional[0])) return RunOnRecovery(args.positional[0], out);
  Result<std::unique_ptr<Database>> db = OpenForRead(args.positional[0]);
  if (!db.ok()) return OpenFailed(args.positional[0], db.status());
  Result<VerifyReport> report = (*db)->Verify();
  // Damage that stops the check (an unreadable block) is its one problem.
  if (!report.ok() && report.status().IsCorruption()) {
    VerifyReport damaged;
    damaged.problems.push_back(
        fmt::format("damaged, the check stopped here: {}", report.status().message()));
    report = std::move(damaged);
  }
  if (!report.ok()) return Outcome::Failed(report.status());
  if (out.json()) {
    out.doc().BeginObject().Key("ok").Bool(report->ok());
    out.doc().Key("entries_checked").Uint(report->entries_checked);
    out.doc().Key("objects_checked").Uint(report->objects_checked);
    out.doc().Key("problems").BeginArray();
    for (const std::string& p : report->problems) out.doc().String(p);
    out.doc().EndArray().EndObject();
  } else {
    for (const std::string& p : report->problems) out.text() << "problem: " << p << "\n";
    out.text() << fmt::format("{}: {} journal entries and {} objects checked",
                              report->ok() ? "ok" : "verification failed", report->entries_checked,
                              report->objects_checked);
    if (!report->ok())
      out.text() << fmt::format(", {} problem{}", report->problems.size(),
                                report->problems.size() == 1 ? "" : "s");
    out.text() << "\n";
  }
  return report->ok() ? Outcome::Ok() : Outcome::VerifyFailed();
}

}  // namespace

const Command& VerifyCommand() {
  static const Command kCommand{
      .name = "verify",
      .synopsis = "DB|RECOVERY",
      .summary = "check the state against the journal, or a recovery snapshot (exit 3 on problems)",
      .description = kDescription,
      .options = {},
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
