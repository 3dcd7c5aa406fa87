// journal put DB COLLECTION KEY FIELD=VALUE...: upsert fields of one object.
#include "../command.h"
#include "../database_open.h"
#include <iostream>

#include "../value_file.h"
#include "../value_syntax.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Creates the object if it is missing, then sets each named field; other
fields keep their values. All fields are one transaction (one journal entry).
Creates the database if DB does not exist.

VALUE is typed like a JSON literal: 42 and -5 are int64; 1.5, -0.5 and 1e3
are doubles; true, false and null are themselves; anything else (+1, 007, nan,
hello, an empty value) is stored as that string. FIELD:=TEXT always stores
TEXT as a string, e.g. zip:=01234 or answer:=42. An integer outside the int64
range or a number a double cannot hold is a usage error; use := for those.

FIELD=@FILE stores FILE's bytes, unchanged, as a string; FIELD=@- reads them
from stdin (for one field), for values too large for the command line (up
to 16 MiB). FIELD:=@TEXT stores the text @TEXT. A missing or unreadable FILE
is exit 1, one over 16 MiB a usage error; either way nothing is written.

examples:
  journal put app.db tasks t1 title=milk done=false priority=2
  journal put app.db notes n1 body=@notes.txt
  curl -s https://example.org/page | journal put app.db pages p1 html=@-
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  Result<FieldMap> fields = ParseFieldAssignments(
      {a.begin() + 3, a.end()}, [](std::string_view file) { return ReadValueFile(file, std::cin); });
  // A malformed argument or a value too large is a usage error; a file that
  // cannot be read is an error of its own (missing, unreadable).
  if (!fields.ok() && fields.status().IsInvalidArgument())
    return Outcome::Usage(fields.status().message());
  if (!fields.ok()) return Outcome::Failed(fields.status());
  std::vector<Operation> ops;
  ops.push_back(Operation::Upsert(a[1], a[2], std::move(fields).value()));
  Committed c;
  Outcome o = CommitOps(a[0], /*create_if_missing=*/true, std::move(ops), &c);
  if (o.code != ExitCode::kOk) return o;
  if (out.json()) {
    out.doc().BeginObject().Key("lsn").Uint(c.lsn).EndObject();
  } else {
    out.text() << "committed lsn " << c.lsn << "\n";
  }
  return Outcome::Ok();
}

}  // namespace

const Command& PutCommand() {
  static const Command kCommand{
      .name = "put",
      .synopsis = "DB COLLECTION KEY FIELD=VALUE...",
      .summary = "set fields of an object (creating it if missing)",
      .description = kDescription,
      .options = {},
      .min_args = 3,
      .max_args = kUnboundedArgs,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
