// journal verify DB: check that the state equals the fold of the journal.
#include <fmt/format.h>

#include "../command.h"
#include "../database_open.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Recomputes the state by folding the journal over an empty database and
compares it with the stored state; checks that every entry decodes and
verifies, that lsns have no gaps and that before-images agree with the fold.
Prints each problem found and exits with 3 if there is any (0 if none; 1 if
the check itself could not run). Reads one snapshot and holds the folded
state in memory. Opens DB read-only.

example:
  journal verify app.db
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  Result<std::unique_ptr<Database>> db = OpenForRead(args.positional[0]);
  if (!db.ok()) return Outcome::Failed(db.status());
  Result<VerifyReport> report = (*db)->Verify();
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
      .synopsis = "DB",
      .summary = "check the state against the journal (exit 3 on problems)",
      .description = kDescription,
      .options = {},
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
