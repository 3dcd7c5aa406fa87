#include "support/db_checks.h"

#include <fmt/format.h>

#include "journaldb/journal/text.h"

namespace journaldb::testing {

namespace {
std::string Show(const FieldMap& fields) {
  std::string s = "{";
  for (const auto& [n, v] : fields)
    s += fmt::format("{}{}: {}", s.size() > 1 ? ", " : "", n, v.ToString());
  return s + "}";
}
std::string Show(const Model::Fields& fields) {
  return Show(FieldMap(fields.begin(), fields.end()));
}
std::string Name(const std::string& c, const std::string& k) {
  return fmt::format("{}/{}", c, text::Quoted(k));
}
}  // namespace

Result<std::vector<JournalEntry>> ReadWholeJournal(const Database& db, Lsn from) {
  std::vector<JournalEntry> out;
  JournalReader r = db.ReadJournal(from);
  for (; r.Valid(); r.Next()) out.push_back(r.entry());
  if (!r.status().ok()) return r.status();
  return out;
}

Result<std::vector<Object>> ScanAll(const Database& db, std::string_view collection,
                                    const ReadOptions& options) {
  std::vector<Object> out;
  ObjectIterator it = db.Scan(collection, options);
  for (; it.Valid(); it.Next()) out.push_back(it.object());
  if (!it.status().ok()) return it.status();
  return out;
}

std::string DiffStateWithModel(const Database& db, const Model& model,
                               const std::vector<Model::Id>& absent_probes,
                               const ReadOptions& options) {
  Result<std::vector<std::string>> collections = db.ListCollections(options);
  if (!collections.ok()) return "ListCollections: " + collections.status().ToString();
  if (*collections != model.Collections())
    return fmt::format("ListCollections gives [{}], model has [{}]", fmt::join(*collections, ", "),
                       fmt::join(model.Collections(), ", "));
  for (const std::string& c : *collections) {
    Result<std::vector<Object>> scanned = ScanAll(db, c, options);
    if (!scanned.ok()) return fmt::format("Scan {}: {}", c, scanned.status().ToString());
    auto m = model.objects().lower_bound({c, ""});
    for (const Object& o : *scanned) {
      if (m == model.objects().end() || m->first.first != c)
        return fmt::format("Scan {} gives extra object {}", c, Name(c, o.key));
      if (m->first.second != o.key)
        return fmt::format("Scan {} gives {} where the model has {}", c, Name(c, o.key),
                           Name(c, m->first.second));
      if (o.collection != c) return fmt::format("Scan {} gives collection {}", c, o.collection);
      if (FieldMap(m->second.begin(), m->second.end()) != o.fields)
        return fmt::format("Scan: {} is {}, model has {}", Name(c, o.key), Show(o.fields),
                           Show(m->second));
      ++m;
    }
    if (m != model.objects().end() && m->first.first == c)
      return fmt::format("Scan {} misses {}", c, Name(c, m->first.second));
  }
  for (const auto& [id, fields] : model.objects()) {
    Result<Object> got = db.Get(id.first, id.second, options);
    if (!got.ok())
      return fmt::format("Get {}: {}", Name(id.first, id.second), got.status().ToString());
    if (got->fields != FieldMap(fields.begin(), fields.end()))
      return fmt::format("Get {} is {}, model has {}", Name(id.first, id.second), Show(got->fields),
                         Show(fields));
    for (const auto& [name, value] : fields) {
      Result<Value> v = db.GetField(id.first, id.second, name, options);
      if (!v.ok() || !(*v == value))
        return fmt::format("GetField {}.{} is {}, model has {}", Name(id.first, id.second), name,
                           v.ok() ? v->ToString() : v.status().ToString(), value.ToString());
    }
  }
  for (const Model::Id& id : absent_probes) {
    if (model.Find(id.first, id.second) != nullptr) continue;
    Result<Object> got = db.Get(id.first, id.second, options);
    if (got.ok() || !got.status().IsNotFound())
      return fmt::format("Get {} should be not-found, is {}", Name(id.first, id.second),
                         got.ok() ? Show(got->fields) : got.status().ToString());
  }
  return "";
}

std::string VerifyProblems(const Database& db) {
  Result<VerifyReport> report = db.Verify();
  if (!report.ok()) return "Verify failed to run: " + report.status().ToString();
  if (report->ok()) return "";
  return fmt::format("Verify: {}", fmt::join(report->problems, "; "));
}

}  // namespace journaldb::testing
