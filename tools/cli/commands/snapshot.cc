// journal snapshot DB: take a recovery snapshot by hand.
#include <fmt/format.h>

#include "../command.h"
#include "../manifest_output.h"
#include "../recovery_open.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Takes a recovery snapshot of DB, exactly as a client reset does before it
destroys anything: a RocksDB checkpoint (hard links, so it is fast whatever
the size) plus a MANIFEST written last, fsynced and renamed into place. The
snapshot is <recovery root>/<recovery id>/; the recovery root defaults to the
sibling directory DB.recovery. Diverged entries are the journal entries the
server has not acknowledged (above the upload cursor). Useful before a risky
operation, and to try diff and export.

Opens DB for writing (a checkpoint needs it): fails with busy while an app
holds DB open. Never creates DB. Prints the snapshot's path and manifest.

examples:
  journal snapshot app.db
  journal snapshot app.db --reason "before migration" --recovery-root /backups/app
)";

constexpr OptionSpec kOptions[] = {
    {"--reason", "TEXT", "why, recorded in the manifest (default: manual)"},
    {"--recovery-root", "DIR", "where snapshots go (default: DB.recovery)"},
};

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::string& path = args.positional[0];
  const std::string* reason = args.Find("--reason");
  Result<std::string> root = RecoveryRootFor(args, path);
  if (!root.ok()) return Outcome::Usage(root.status().message());
  Options options;
  options.create_if_missing = false;
  Result<std::unique_ptr<Database>> db = Database::Open(path, options);
  if (!db.ok()) return Outcome::Failed(db.status());
  Result<RecoverySnapshot> snapshot =
      CreateRecoverySnapshot(**db, *root, reason ? *reason : "manual");
  if (!snapshot.ok()) return Outcome::Failed(snapshot.status());
  if (out.json()) {
    out.doc().BeginObject().Key("recovery_snapshot");
    WriteManifestJson(out.doc(), *snapshot);
    out.doc().EndObject();
    return Outcome::Ok();
  }
  out.text() << "created recovery snapshot " << DisplayText(snapshot->path) << "\n";
  PrintManifest(*snapshot, out.text());
  return Outcome::Ok();
}

}  // namespace

const Command& SnapshotCommand() {
  static const Command kCommand{
      .name = "snapshot",
      .synopsis = "DB [--reason TEXT] [--recovery-root DIR]",
      .summary = "take a recovery snapshot of DB now",
      .description = kDescription,
      .options = kOptions,
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
