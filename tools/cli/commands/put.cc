// journal put DB COLLECTION KEY FIELD=VALUE...: upsert fields of one object.
#include "../command.h"
#include "../database_open.h"
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

example:
  journal put app.db tasks t1 title=milk done=false priority=2
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  Result<FieldMap> fields = ParseFieldAssignments({a.begin() + 3, a.end()});
  if (!fields.ok()) return Outcome::Usage(fields.status().message());
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
