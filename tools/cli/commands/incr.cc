// journal incr DB COLLECTION KEY FIELD DELTA: increment an int64 field.
#include <fmt/format.h>

#include "../command.h"
#include "../database_open.h"
#include "journaldb/journal/util/parse_number.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Adds DELTA (a decimal int64, may be negative: -5, or signed: +5) to the
field. A missing object or field counts as 0. Fails (exit 1) if the field holds
a value that is not an int64; nothing is written then. On int64 overflow the
value wraps around (two's complement), so increments commute. DB must exist:
a missing database is an error (exit 1) and nothing is created. Prints the
field's new value.

example:
  journal incr app.db tasks t1 views 1
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  Result<int64_t> delta = util::ParseInt64(a[4]);
  if (!delta.ok()) return Outcome::Usage(fmt::format("DELTA must be a decimal int64, got {}", a[4]));
  std::vector<Operation> ops;
  ops.push_back(Operation::Increment(a[1], a[2], a[3], *delta));
  Committed c;
  Outcome o = CommitOps(a[0], /*create_if_missing=*/false, std::move(ops), &c);
  if (o.code != ExitCode::kOk) return o;
  // This process holds the write lock, so no one else changed the field since.
  Result<Value> value = c.db->GetField(a[1], a[2], a[3]);
  if (!value.ok()) return Outcome::Failed(value.status());
  if (out.json()) {
    out.doc().BeginObject().Key("lsn").Uint(c.lsn).Key("value").FieldValue(*value).EndObject();
  } else {
    out.text() << fmt::format("{} {} = {} (lsn {})\n", DisplayTarget(a[1], a[2]), DisplayName(a[3]),
                              DisplayValue(*value), c.lsn);
  }
  return Outcome::Ok();
}

}  // namespace

const Command& IncrCommand() {
  static const Command kCommand{
      .name = "incr",
      .synopsis = "DB COLLECTION KEY FIELD DELTA",
      .summary = "add DELTA to an int64 field",
      .description = kDescription,
      .options = {},
      .min_args = 5,
      .max_args = 5,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
