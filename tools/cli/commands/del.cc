// journal del DB COLLECTION KEY [FIELD]: erase an object or one field.
#include "../command.h"
#include "../database_open.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Without FIELD, erases the object and all its fields; with FIELD, erases
that field and keeps the object. Erasing what is absent is not an error: it
still commits a journal entry (a no-op). DB must exist: a missing database is
an error (exit 1) and nothing is created.

examples:
  journal del app.db tasks t1 done
  journal del app.db tasks t1
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  std::vector<Operation> ops;
  ops.push_back(a.size() == 4 ? Operation::EraseField(a[1], a[2], a[3])
                              : Operation::EraseObject(a[1], a[2]));
  Committed c;
  Outcome o = CommitOps(a[0], /*create_if_missing=*/false, std::move(ops), &c);
  if (o.code != ExitCode::kOk) return o;
  if (out.json()) {
    out.doc().BeginObject().Key("lsn").Uint(c.lsn).EndObject();
  } else {
    out.text() << "committed lsn " << c.lsn << "\n";
  }
  return Outcome::Ok();
}

}  // namespace

const Command& DelCommand() {
  static const Command kCommand{
      .name = "del",
      .synopsis = "DB COLLECTION KEY [FIELD]",
      .summary = "erase an object, or one field of it",
      .description = kDescription,
      .options = {},
      .min_args = 3,
      .max_args = 4,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
