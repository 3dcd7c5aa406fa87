// journal get DB COLLECTION KEY: print one object.
#include <fmt/format.h>

#include <algorithm>

#include "../command.h"
#include "../database_open.h"
#include "../names.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Prints the object's fields, one per line, in field-name order. A list
field prints its present elements one per line between [ and ], each with
its element id, which list-remove, list-set, list-move and --after take. A
missing object is an error (exit 1, "not found"). Opens DB read-only.

example:
  journal get app.db tasks t1
)";

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  if (Status s = CheckNames(a[1], a[2]); !s.ok()) return Outcome::Usage(s.message());
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
  for (const auto& [name, value] : obj->fields) {
    if (value.type() != ValueType::kList) {
      out.text() << fmt::format("  {:<{}}  {}\n", DisplayName(name), width, DisplayValue(value));
      continue;
    }
    // One element per line, so its id is there to copy into a list command.
    bool empty = true;
    for (const ListElement& e : value.as_list().elements) {
      if (e.removed) continue;
      if (empty) out.text() << fmt::format("  {:<{}}  [\n", DisplayName(name), width);
      empty = false;
      out.text() << fmt::format("    {}  {}\n", e.id.ToString(), DisplayValue(e.value));
    }
    out.text() << (empty ? fmt::format("  {:<{}}  []\n", DisplayName(name), width) : "  ]\n");
  }
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
