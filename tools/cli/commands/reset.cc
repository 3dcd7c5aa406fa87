// journal reset DB: execute the client reset the server demanded.
#include <fmt/format.h>

#include "../command.h"
#include "../manifest_output.h"
#include "../recovery_open.h"
#include "journaldb/client_reset_strategy.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Executes the client reset that a sync recorded as pending (see `journal
status`), as a Manual strategy's execute_client_reset() does
(docs/client-reset.md):
  1. writes a complete recovery snapshot of DB (every journal entry; the
     diverged ones are listed in its manifest), fsynced, renamed into place;
  2. wipes DB's state, journal and sync identity in one atomic step.
Then `journal sync DB` downloads the server state, and `journal diff` and
`journal replay` re-apply the diverged ops. A crash at any point resumes:
run the command again. If the reset already ran, prints its snapshot.

Opens DB for writing: fails with busy while an app holds it. Exits 1 when no
reset is pending.

example:
  journal reset app.db && journal sync app.db --server 127.0.0.1:7000
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  if (Status s = RefuseWritesInRecovery(args.positional[0]); !s.ok()) return Outcome::Failed(s);
  Options options;
  options.create_if_missing = false;
  options.durability = Durability::kSyncEveryCommit;
  Result<std::unique_ptr<Database>> db = Database::Open(args.positional[0], options);
  if (!db.ok()) return Outcome::Failed(db.status());
  Result<RecoverySnapshot> snapshot = ExecuteClientReset(**db);
  if (!snapshot.ok()) return Outcome::Failed(snapshot.status());
  if (out.json()) {
    out.doc().BeginObject().Key("recovery_snapshot");
    WriteManifestJson(out.doc(), *snapshot);
    out.doc().EndObject();
    return Outcome::Ok();
  }
  out.text() << "client reset executed: local data wiped; recovery snapshot "
             << DisplayText(snapshot->path) << "\n";
  PrintManifest(*snapshot, out.text());
  out.text() << fmt::format(
      "next: journal sync {} --server HOST:PORT, then journal diff/replay {} {}\n",
      args.positional[0], snapshot->path, args.positional[0]);
  return Outcome::Ok();
}

}  // namespace

const Command& ResetCommand() {
  static const Command kCommand{
      .name = "reset",
      .synopsis = "DB",
      .summary = "execute the pending client reset: snapshot, then wipe",
      .description = kDescription,
      .options = {},
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
