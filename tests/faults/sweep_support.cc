#include "faults/sweep_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/filesystem.hpp>

namespace journaldb::testing {

namespace fs = boost::filesystem;

void CopyTree(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  for (const fs::directory_entry& e : fs::directory_iterator(from)) {
    const fs::path target = fs::path(to) / e.path().filename();
    if (fs::is_directory(e.path()))
      CopyTree(e.path().string(), target.string());
    else
      fs::copy_file(e.path(), target);
  }
}

Result<DatabaseContents> ReadContents(const Database& db) {
  DatabaseContents out;
  JournalReader reader = db.ReadJournal(1);
  for (; reader.Valid(); reader.Next()) out.journal.push_back(reader.entry());
  if (!reader.status().ok()) return reader.status();
  Result<std::vector<std::string>> collections = db.ListCollections();
  if (!collections.ok()) return collections.status();
  for (const std::string& c : *collections) {
    ObjectIterator it = db.Scan(c);
    for (; it.Valid(); it.Next()) out.objects.push_back(it.object());
    if (!it.status().ok()) return it.status();
  }
  return out;
}

namespace {

std::string Describe(const std::vector<Operation>& ops) {
  std::string out;
  for (const Operation& op : ops) out += (out.empty() ? "" : "; ") + op.ToString();
  return out;
}

std::string Describe(const Object& o) {
  std::string out = o.collection + "/" + o.key + " {";
  for (const auto& [name, value] : o.fields)
    out += fmt::format("{}{}={}", out.back() == '{' ? "" : ", ", name, value.ToString());
  return out + "}";
}

}  // namespace

std::string DiffContents(const DatabaseContents& want, const DatabaseContents& got, bool ops_only) {
  const size_t entries = std::min(want.journal.size(), got.journal.size());
  for (size_t i = 0; i < entries; ++i) {
    const JournalEntry& w = want.journal[i];
    const JournalEntry& g = got.journal[i];
    const bool same = ops_only ? w.lsn == g.lsn && w.ops == g.ops : w == g;
    if (!same)
      return fmt::format("journal position {}: expected lsn {} [{}], found lsn {} [{}]{}", i, w.lsn,
                         Describe(w.ops), g.lsn, Describe(g.ops),
                         w.ops == g.ops ? " (same ops, other fields differ)" : "");
  }
  if (want.journal.size() != got.journal.size())
    return fmt::format("journal has {} entries, expected {}", got.journal.size(),
                       want.journal.size());
  const size_t objects = std::min(want.objects.size(), got.objects.size());
  for (size_t i = 0; i < objects; ++i)
    if (want.objects[i] != got.objects[i])
      return fmt::format("object {}: expected {}, found {}", i, Describe(want.objects[i]),
                         Describe(got.objects[i]));
  if (want.objects.size() != got.objects.size())
    return fmt::format("state has {} objects, expected {}", got.objects.size(),
                       want.objects.size());
  return "";
}

bool IsClearError(const Status& s) { return !s.ok() && !s.message().empty(); }

}  // namespace journaldb::testing
