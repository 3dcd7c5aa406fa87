// journal export RECOVERY: the manifest and every diverged entry as JSON,
// streamed entry by entry.
#include <fmt/format.h>

#include "../command.h"
#include "../manifest_output.h"
#include "../recovery_open.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Writes one JSON document: the recovery snapshot's manifest and every
diverged journal entry (lsn, commit time, the download cursor, epoch and
client id it was tagged with, its ops and before-images), in lsn order:

  {"recovery_snapshot":{...},"entries":[
  {"lsn":5,...},
  {"lsn":6,...}
  ]}

The output is always JSON (--json changes nothing). Entries are written as
they are read, one per line, so memory stays bounded whatever the journal's
size. Before writing anything, the diverged range is read once and checked
against the manifest (no gaps, the manifest's counts, every entry decodes),
so a damaged snapshot fails (exit 1) with nothing on stdout but, under
--json, the error document. Opens the snapshot read-only.

examples:
  journal export app.db.recovery/20261126T124501Z-1a2b3c4d > diverged.json
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::string& path = args.positional[0];
  // First pass: a problem found half-way through would leave a truncated
  // document behind, so find it before the first byte is written.
  RecoverySnapshotVerifyOptions only_diverged_range;
  only_diverged_range.check_database = false;
  Result<RecoverySnapshotReport> check = VerifyRecoverySnapshot(path, only_diverged_range);
  if (!check.ok()) return Outcome::Failed(WithRecoveryHint(check.status(), path));
  const RecoverySnapshot& snapshot = check->snapshot;
  if (!check->problems.empty())
    return Outcome::Failed(Status::Corruption(fmt::format(
        "recovery snapshot {} does not match its manifest: {}{}", snapshot.path,
        check->problems.front(),
        check->problems.size() > 1
            ? fmt::format(" (and {} more; see journal verify)", check->problems.size() - 1)
            : "")));
  Result<std::unique_ptr<Database>> db = OpenRecoverySnapshotDatabase(snapshot);
  if (!db.ok()) return Outcome::Failed(db.status());
  const RecoveryManifest& m = snapshot.manifest;

  std::ostream& os = out.stream();
  JsonWriter head;
  head.BeginObject().Key("recovery_snapshot");
  WriteManifestJson(head, snapshot);
  // The writer tracks nesting itself; the document's tail is written by hand.
  os << head.str() << R"(,"entries":[)";
  if (m.diverged_entries > 0) {
    JournalReader reader = (*db)->ReadJournal(m.first_diverged_lsn);
    bool first = true;
    for (; reader.Valid() && reader.entry().lsn <= m.last_diverged_lsn && os; reader.Next()) {
      JsonWriter entry;
      WriteEntryJson(entry, reader.entry());
      os << (first ? "\n" : ",\n") << entry.str();
      first = false;
    }
    if (!reader.status().ok()) return Outcome::Failed(reader.status());
    if (!first) os << "\n";
  }
  // A write error (a full disk, a closed pipe) is reported by main().
  os << "]}\n";
  return Outcome::Ok();
}

}  // namespace

const Command& ExportCommand() {
  static const Command kCommand{
      .name = "export",
      .synopsis = "RECOVERY",
      .summary = "print a recovery snapshot's manifest and diverged entries as JSON",
      .description = kDescription,
      .options = {},
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
