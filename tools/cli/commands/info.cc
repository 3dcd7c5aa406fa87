// journal info DB: identity, cursors and sizes of a database.
#include <fmt/format.h>

#include <algorithm>

#include "../command.h"
#include "../database_open.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Prints the path, the client id (0: no server assigned one yet), the
epoch (server lineage; 0: never synced), the download cursor (last server
version integrated) and upload cursor (highest lsn the server acknowledged),
the last lsn assigned, and the number of journal entries and objects. Opens DB
read-only.

example:
  journal info app.db
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  Result<std::unique_ptr<Database>> db = OpenForRead(args.positional[0]);
  if (!db.ok()) return Outcome::Failed(db.status());
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
      .synopsis = "DB",
      .summary = "print client id, epoch, cursors, last lsn and sizes",
      .description = kDescription,
      .options = {},
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
