// journal info DB|RECOVERY: identity, cursors and sizes of a database, or the
// manifest of a recovery snapshot.
#include <fmt/format.h>

#include <algorithm>

#include "../command.h"
#include "../database_open.h"
#include "../manifest_output.h"
#include "../recovery_open.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Prints the path, the client id (0: no server assigned one yet), the
epoch (server lineage; 0: never synced), the download cursor (last server
version integrated) and upload cursor (highest lsn the server acknowledged),
the last lsn assigned, and the number of journal entries and objects. Opens DB
read-only.

Given a recovery snapshot directory (one holding a MANIFEST or a db
directory), prints its verified manifest instead: id, reason, creation time,
original path, the old client id, epoch and cursors, the diverged lsns and
their entry and op counts, and the product version; then the last lsn,
journal entries and objects of the snapshot's database, opened read-only. A
missing, truncated or tampered MANIFEST or a missing database is an error
(exit 1) naming the path.

examples:
  journal info app.db
  journal info app.db.recovery/20261126T124501Z-1a2b3c4d
)";

Outcome RunOnRecovery(const std::string& path, Output& out) {
  Result<RecoverySnapshot> snapshot = OpenRecoveryForCli(path);
  if (!snapshot.ok()) return Outcome::Failed(snapshot.status());
  Result<std::unique_ptr<Database>> db = OpenRecoverySnapshotDatabase(*snapshot);
  if (!db.ok()) return Outcome::Failed(db.status());
  Result<DatabaseInfo> info = (*db)->Info();
  if (!info.ok()) return Outcome::Failed(info.status());
  const std::pair<std::string_view, uint64_t> numbers[] = {
      {"last_lsn", info->last_lsn},
      {"journal_entries", info->journal_entries},
      {"objects", info->objects},
  };
  if (out.json()) {
    out.doc().BeginObject().Key("recovery_snapshot");
    WriteManifestJson(out.doc(), *snapshot);
    out.doc().Key("database").BeginObject().Key("path").String(snapshot->db_path);
    for (const auto& [name, value] : numbers) out.doc().Key(name).Uint(value);
    out.doc().EndObject().EndObject();
    return Outcome::Ok();
  }
  PrintManifest(*snapshot, out.text());
  out.text() << fmt::format("{:<16} {}\n", "database", DisplayText(snapshot->db_path));
  for (auto [name, value] : numbers) {
    std::string label(name);
    std::replace(label.begin(), label.end(), '_', ' ');
    out.text() << fmt::format("{:<16} {}\n", label, value);
  }
  return Outcome::Ok();
}

Outcome Run(const ParsedArgs& args, Output& out) {
  if (LooksLikeRecoveryPath(args.positional[0])) return RunOnRecovery(args.positional[0], out);
  Result<std::unique_ptr<Database>> db = OpenForRead(args.positional[0]);
  if (!db.ok()) return OpenFailed(args.positional[0], db.status());
  Result<DatabaseInfo> info = (*db)->Info();
  if (!info.ok()) return Outcome::Failed(info.status());
  const std::pair<std::string_view, uint64_t> numbers[] = {
      {"client_id", info->client_id},
      {"epoch", info->epoch},
      {"download_cursor", info->download_cursor},
      {"upload_cursor", info->upload_cursor},
      {"last_lsn", info->last_lsn},
      {"journal_entries", info->journal_entries},
      {"objects", info->objects},
  };
  if (out.json()) {
    out.doc().BeginObject().Key("path").String(info->path);
    for (const auto& [name, value] : numbers) out.doc().Key(name).Uint(value);
    out.doc().EndObject();
    return Outcome::Ok();
  }
  out.text() << fmt::format("{:<16} {}\n", "path", info->path);
  for (auto [name, value] : numbers) {
    std::string label(name);
    std::replace(label.begin(), label.end(), '_', ' ');
    out.text() << fmt::format("{:<16} {}\n", label, value);
  }
  return Outcome::Ok();
}

}  // namespace

const Command& InfoCommand() {
  static const Command kCommand{
      .name = "info",
      .synopsis = "DB|RECOVERY",
      .summary = "print client id, epoch, cursors, last lsn and sizes (or a snapshot's manifest)",
      .description = kDescription,
      .options = {},
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
