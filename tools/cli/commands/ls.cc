// journal ls DB [COLLECTION]: list collections, or the objects of one.
#include <fmt/format.h>

#include <algorithm>

#include "../command.h"
#include "../database_open.h"
#include "../names.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Without COLLECTION, lists the collections that hold objects, with their
object counts. With COLLECTION, lists its objects in primary-key order, one
per line with their fields. A collection without objects lists nothing (it is
not an error). Reads one consistent snapshot. Opens DB read-only.

examples:
  journal ls app.db
  journal ls app.db tasks
)";

Outcome ListCollections(const Database& db, Output& out) {
  std::unique_ptr<Snapshot> snapshot = db.GetSnapshot();
  ReadOptions ro{.snapshot = snapshot.get()};
  Result<std::vector<std::string>> names = db.ListCollections(ro);
  if (!names.ok()) return Outcome::Failed(names.status());
  std::vector<std::pair<std::string, uint64_t>> rows;
  for (const std::string& name : *names) {
    uint64_t count = 0;
    ObjectIterator it = db.Scan(name, ro);
    for (; it.Valid(); it.Next()) ++count;
    if (!it.status().ok()) return Outcome::Failed(it.status());
    rows.emplace_back(name, count);
  }
  if (out.json()) {
    out.doc().BeginObject().Key("collections").BeginArray();
    for (const auto& [name, count] : rows)
      out.doc().BeginObject().Key("name").String(name).Key("objects").Uint(count).EndObject();
    out.doc().EndArray().EndObject();
    return Outcome::Ok();
  }
  if (rows.empty()) out.text() << "no collections\n";
  size_t width = 0;
  for (const auto& [name, count] : rows) width = std::max(width, DisplayName(name).size());
  for (const auto& [name, count] : rows)
    out.text() << fmt::format("{:<{}}  {} object{}\n", DisplayName(name), width, count,
                              count == 1 ? "" : "s");
  return Outcome::Ok();
}

Outcome ListObjects(const Database& db, const std::string& collection, Output& out) {
  if (out.json())
    out.doc().BeginObject().Key("collection").String(collection).Key("objects").BeginArray();
  ObjectIterator it = db.Scan(collection);
  uint64_t count = 0;
  for (; it.Valid(); it.Next(), ++count) {
    const Object& obj = it.object();
    if (out.json()) {
      out.doc().BeginObject().Key("key").String(obj.key).Key("fields").Fields(obj.fields);
      out.doc().EndObject();
    } else {
      out.text() << DisplayName(obj.key);
      if (!obj.fields.empty()) out.text() << "  " << DisplayFields(obj.fields);
      out.text() << "\n";
    }
  }
  if (!it.status().ok()) return Outcome::Failed(it.status());
  if (out.json()) {
    out.doc().EndArray().EndObject();
  } else if (count == 0) {
    out.text() << "no objects in " << DisplayName(collection) << "\n";
  }
  return Outcome::Ok();
}

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  if (a.size() > 1)
    if (Status s = CheckNames(a[1]); !s.ok()) return Outcome::Usage(s.message());
  Result<std::unique_ptr<Database>> db = OpenForRead(a[0]);
  if (!db.ok()) return OpenFailed(a[0], db.status());
  return a.size() == 1 ? ListCollections(**db, out) : ListObjects(**db, a[1], out);
}

}  // namespace

const Command& LsCommand() {
  static const Command kCommand{
      .name = "ls",
      .synopsis = "DB [COLLECTION]",
      .summary = "list collections, or the objects of one collection",
      .description = kDescription,
      .options = {},
      .min_args = 1,
      .max_args = 2,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
