#include "model/db_model.h"

namespace journaldb::testing {

namespace {

// False if the op cannot apply; `objects` may then be half-changed, so
// callers work on a copy.
bool ApplyOne(const Operation& op, std::map<DbModel::Id, FieldMap>& objects) {
  const DbModel::Id id{op.collection, op.key};
  switch (op.kind) {
    case OpKind::kUpsert: {
      FieldMap& fields = objects[id];  // created even when no field is set
      for (const auto& [name, value] : op.fields) fields[name] = value;
      return true;
    }
    case OpKind::kEraseField:
      if (auto it = objects.find(id); it != objects.end()) it->second.erase(op.field);
      return true;
    case OpKind::kEraseObject:
      objects.erase(id);
      return true;
    case OpKind::kIncrement: {
      FieldMap& fields = objects[id];
      uint64_t current = 0;
      if (auto f = fields.find(op.field); f != fields.end()) {
        if (f->second.type() != ValueType::kInt) return false;
        current = static_cast<uint64_t>(f->second.as_int());
      }
      // Two's-complement wrap-around, as operation.h promises.
      fields[op.field] =
          Value::Int(static_cast<int64_t>(current + static_cast<uint64_t>(op.delta)));
      return true;
    }
  }
  return false;
}

}  // namespace

bool DbModel::Applies(const std::vector<Operation>& ops) const {
  std::map<Id, FieldMap> working = objects;
  for (const Operation& op : ops)
    if (!ApplyOne(op, working)) return false;
  return true;
}

void DbModel::Commit(const std::vector<Operation>& ops) {
  for (const Operation& op : ops) ApplyOne(op, objects);
  journal.push_back(ops);
}

std::vector<std::pair<std::string, FieldMap>> DbModel::Collection(
    const std::string& collection) const {
  std::vector<std::pair<std::string, FieldMap>> out;
  for (const auto& [id, fields] : objects)
    if (id.first == collection) out.emplace_back(id.second, fields);
  return out;
}

}  // namespace journaldb::testing
