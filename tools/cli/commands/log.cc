// journal log DB [--since LSN]: print journal entries.
#include <fmt/format.h>

#include "../command.h"
#include "../database_open.h"
#include "journaldb/journal/util/parse_number.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Prints the journal entries in lsn order: for each, its lsn, commit time
(UTC), the download cursor (last synced server version), epoch and client id
current at commit, its operations, and the before-image of every field it
touched (the value before the transaction, a list with its element ids;
"absent" if the field did not exist). A damaged entry stops the listing with an error naming its lsn (exit
1); the entries before it have been printed (human output) and nothing is
skipped. Opens DB read-only.

examples:
  journal log app.db
  journal log app.db --since 42 --json
)";

constexpr OptionSpec kOptions[] = {
    {"--since", "LSN", "start at this lsn (default: the first entry)"},
};

void PrintEntry(const JournalEntry& e, std::ostream& out) {
  out << fmt::format("lsn {}  {}  download cursor {}  epoch {}  client {}\n", e.lsn,
                     FormatTimeUs(e.commit_time_us), e.download_cursor, e.epoch, e.client_id);
  for (const Operation& op : e.ops) out << "  " << DisplayOperation(op) << "\n";
  for (const BeforeImage& b : e.before) {
    out << fmt::format("  before {} {}: ", DisplayTarget(b.collection, b.key),
                       DisplayName(b.field));
    // A list with its element ids, which the entry's list ops name.
    if (b.value)
      out << DisplayValueWithIds(*b.value) << "\n";
    else if (b.object_existed)
      out << "absent\n";
    else
      out << "absent (no object)\n";
  }
}

Outcome Run(const ParsedArgs& args, Output& out) {
  Lsn since = 1;
  if (const std::string* s = args.Find("--since")) {
    Result<uint64_t> v = util::ParseUint64(*s);
    if (!v.ok())
      return Outcome::Usage(fmt::format("--since needs an lsn (a decimal number), got {}", *s));
    since = *v;
  }
  Result<std::unique_ptr<Database>> db = OpenForRead(args.positional[0]);
  if (!db.ok()) return OpenFailed(args.positional[0], db.status());
  if (out.json()) out.doc().BeginObject().Key("entries").BeginArray();
  JournalReader reader = (*db)->ReadJournal(since);
  uint64_t count = 0;
  for (; reader.Valid(); reader.Next(), ++count) {
    if (out.json())
      WriteEntryJson(out.doc(), reader.entry());
    else
      PrintEntry(reader.entry(), out.text());
  }
  if (!reader.status().ok()) return Outcome::Failed(reader.status());
  if (out.json())
    out.doc().EndArray().EndObject();
  else if (count == 0)
    out.text() << "no journal entries" << (since > 1 ? fmt::format(" from lsn {}", since) : "")
               << "\n";
  return Outcome::Ok();
}

}  // namespace

const Command& LogCommand() {
  static const Command kCommand{
      .name = "log",
      .synopsis = "DB [--since LSN]",
      .summary = "print journal entries (ops, cursors, before-images)",
      .description = kDescription,
      .options = kOptions,
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
