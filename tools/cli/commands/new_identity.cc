// journal new-identity DB: make a copy of a database that never synced a
// client of its own at its first sync.
#include "../command.h"
#include "../database_open.h"
#include "../manifest_output.h"
#include "journaldb/sync.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Draws DB a new registration secret, so that at its first sync it registers
as a client of its own. A database that never synced registers with the
secret it drew when it was created, so every copy of it (a backup put back,
a copied app directory) is the client the original became, and the server
compares its writes with the ones it holds instead of applying them twice
(docs/client-reset.md). Run this on a copy handed out on purpose as the
start of another database (shipped with an app, in a device image), before
it first syncs.

Fails (exit 1) if DB has a client id: a copy of a database that synced is
that client, and only a client reset makes it another. Opens DB for
writing: fails with busy while an app holds it.

example:
  cp -r template.db app.db && journal new-identity app.db
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  Result<std::unique_ptr<Database>> db = OpenForWrite(args.positional[0], false);
  if (!db.ok()) return OpenFailed(args.positional[0], db.status());
  if (Status s = DrawNewRegistrationSecret(**db); !s.ok()) return Outcome::Failed(s);
  if (out.json()) {
    out.doc().BeginObject().Key("new_identity").Bool(true).EndObject();
    return Outcome::Ok();
  }
  out.text() << DisplayText(args.positional[0])
             << " drew a new registration secret: it registers as a client of its own at its "
                "first sync\n";
  return Outcome::Ok();
}

}  // namespace

const Command& NewIdentityCommand() {
  static const Command kCommand{
      .name = "new-identity",
      .synopsis = "DB",
      .summary = "make a copy of a database that never synced a client of its own",
      .description = kDescription,
      .options = {},
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
