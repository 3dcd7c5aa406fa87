// journal gc DB: removes recovery snapshots that are fully replayed into DB,
// and the `.tmp` directories interrupted snapshots left behind.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "../command.h"
#include "../database_open.h"
#include "../manifest_output.h"
#include "../recovery_open.h"
#include "journaldb/journal/util/parse_number.h"
#include "journaldb/recovery_directory.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"txt(Removes the recovery snapshots of DB that are fully replayed into DB
(journal replay finished them: every diverged transaction is done), except
the newest N of them (--keep, default 1), and removes the <id>.tmp
directories that interrupted snapshots left. A snapshot that is not fully
replayed is never removed. Each removal is reported; --dry-run only reports.

A snapshot is first renamed to <id>.tmp and then deleted, so a crash midway
leaves a .tmp directory that the next gc removes, never a half-deleted
snapshot. Do not run gc while a snapshot of DB is being taken: its .tmp
directory would be removed. Opens DB read-only.

examples:
  journal gc app.db
  journal gc app.db --keep 0 --dry-run
  journal gc app.db --recovery-root /backups/app --json
)txt";

constexpr OptionSpec kOptions[] = {
    {"--recovery-root", "DIR", "where snapshots are (default: DB.recovery)"},
    {"--keep", "N", "fully replayed snapshots to keep, newest first (default 1)"},
    {"--dry-run", "", "report what would be removed, remove nothing"},
};

// How the report names a state, as the text output always has.
std::string_view StateText(RecoveryGcState state) {
  switch (state) {
    case RecoveryGcState::kIncomplete:
      return "incomplete";
    case RecoveryGcState::kFullyReplayed:
      return "fully replayed";
    case RecoveryGcState::kNotFullyReplayed:
      return "not fully replayed";
    case RecoveryGcState::kNeededByPendingReset:
      return "needed by the pending client reset";
  }
  return "unknown";
}

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::string& db_path = args.positional[0];
  Result<std::string> root = RecoveryRootFor(args, db_path);
  if (!root.ok()) return Outcome::Usage(root.status().message());
  uint64_t keep = 1;
  if (const std::string* k = args.Find("--keep")) {
    Result<uint64_t> n = util::ParseUint64(*k);
    if (!n.ok())
      return Outcome::Usage(fmt::format("--keep wants a count, got {}", DisplayText(*k)));
    keep = *n;
  }
  const bool dry_run = args.Find("--dry-run") != nullptr;

  Result<std::unique_ptr<Database>> db = OpenForRead(db_path);
  if (!db.ok()) return OpenFailed(db_path, db.status());
  RecoveryGcOptions options;
  options.keep_fully_replayed = keep;
  options.dry_run = dry_run;
  // Printed as they happen, so a later failure still shows what went.
  options.on_removed = [&out](const RecoveryGcEntry& e) {
    if (!out.json())
      out.text() << fmt::format("removed {} ({})\n", DisplayText(e.path), StateText(e.state));
  };
  Result<RecoveryGcReport> report = GarbageCollectRecoverySnapshots(**db, *root, options);
  if (!report.ok()) return Outcome::Failed(report.status());
  const std::vector<RecoveryGcEntry>& entries = report->entries;

  if (out.json()) {
    out.doc().BeginObject().Key("recovery_root").String(*root);
    out.doc().Key("dry_run").Bool(dry_run).Key("keep").Uint(keep);
    out.doc().Key("entries").BeginArray();
    for (const RecoveryGcEntry& e : entries) {
      std::string state(StateText(e.state));
      std::replace(state.begin(), state.end(), ' ', '_');  // an identifier: fully_replayed
      out.doc().BeginObject().Key("path").String(e.path).Key("state").String(state);
      out.doc().Key("action").String(!e.remove ? "kept" : dry_run ? "would_remove" : "removed");
      out.doc().EndObject();
    }
    out.doc().EndArray().Key("removed").Uint(report->removed).EndObject();
    return Outcome::Ok();
  }
  uint64_t kept = 0;
  for (const RecoveryGcEntry& e : entries) {
    if (!e.remove) {
      ++kept;
      out.text() << fmt::format("kept {} ({})\n", DisplayText(e.path), StateText(e.state));
    } else if (dry_run) {
      out.text() << fmt::format("would remove {} ({})\n", DisplayText(e.path), StateText(e.state));
    }
  }
  out.text() << fmt::format("{} {}, {} kept in {}\n", dry_run ? "dry run:" : "gc:",
                            dry_run ? fmt::format("{} would be removed", entries.size() - kept)
                                    : fmt::format("{} removed", report->removed),
                            kept, DisplayText(*root));
  return Outcome::Ok();
}

}  // namespace

const Command& GcCommand() {
  static const Command kCommand{
      .name = "gc",
      .synopsis = "DB [--recovery-root DIR] [--keep N] [--dry-run]",
      .summary = "remove recovery snapshots fully replayed into DB, and interrupted ones",
      .description = kDescription,
      .options = kOptions,
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
