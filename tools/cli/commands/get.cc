// journal get DB COLLECTION KEY: print one object.
#include <fmt/format.h>

#include <algorithm>

#include "../command.h"
#include "../database_open.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Prints the object's fields, one per line, in field-name order. A missing
object is an error (exit 1, "not found"). Opens DB read-only.

example:
  journal get app.db tasks t1
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  Result<std::unique_ptr<Database>> db = OpenForRead(a[0]);
  if (!db.ok()) return OpenFailed(a[0], db.status());
  Result<Object> obj = (*db)->Get(a[1], a[2]);
  if (!obj.ok()) return Outcome::Failed(obj.status());
  if (out.json()) {
    out.doc().BeginObject();
    out.doc().Key("collection").String(obj->collection).Key("key").String(obj->key);
    out.doc().Key("fields").Fields(obj->fields);
    out.doc().EndObject();
    return Outcome::Ok();
  }
  out.text() << DisplayTarget(obj->collection, obj->key)
             << (obj->fields.empty() ? " (no fields)\n" : "\n");
  size_t width = 0;
  for (const auto& [name, value] : obj->fields) width = std::max(width, DisplayName(name).size());
  for (const auto& [name, value] : obj->fields)
    out.text() << fmt::format("  {:<{}}  {}\n", DisplayName(name), width, DisplayValue(value));
  return Outcome::Ok();
}

}  // namespace

const Command& GetCommand() {
  static const Command kCommand{
      .name = "get",
      .synopsis = "DB COLLECTION KEY",
      .summary = "print an object's fields",
      .description = kDescription,
      .options = {},
      .min_args = 3,
      .max_args = 3,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
