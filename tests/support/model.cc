#include "support/model.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "journaldb/journal/fold.h"

namespace journaldb::testing {

bool Model::ApplyOne(const Operation& op, std::map<Id, Fields>& objects) {
  Id id{op.collection, op.key};
  switch (op.kind) {
    case OpKind::kUpsert: {
      Fields& obj = objects[id];
      for (const auto& [name, value] : op.fields) obj[name] = value;
      return true;
    }
    case OpKind::kEraseField: {
      auto it = objects.find(id);
      if (it != objects.end()) it->second.erase(op.field);
      return true;
    }
    case OpKind::kEraseObject:
      objects.erase(id);
      return true;
    case OpKind::kIncrement: {
      Fields& obj = objects[id];
      auto f = obj.find(op.field);
      uint64_t current = 0;
      if (f != obj.end()) {
        if (f->second.type() != ValueType::kInt) return false;
        current = static_cast<uint64_t>(f->second.as_int());
      }
      obj[op.field] = Value::Int(static_cast<int64_t>(current + static_cast<uint64_t>(op.delta)));
      return true;
    }
    case OpKind::kListInsert:
    case OpKind::kListRemove:
    case OpKind::kListSet:
    case OpKind::kListMove: {
      // The list rules are pinned by tests/journal/list_fold_test.cc; the
      // model takes them from the fold.
      std::optional<FieldMap> object;
      if (auto it = objects.find(id); it != objects.end())
        object = FieldMap(it->second.begin(), it->second.end());
      if (!fold::ApplyOperation(op, object).ok()) return false;
      if (object) objects[id] = Fields(object->begin(), object->end());
      return true;
    }
  }
  return false;
}

bool Model::ApplyTransaction(const std::vector<Operation>& ops) {
  std::map<Id, Fields> working = objects_;
  for (const Operation& op : ops)
    if (!ApplyOne(op, working)) return false;
  objects_ = std::move(working);
  return true;
}

std::vector<BeforeImage> Model::ExpectedBeforeImages(const std::vector<Operation>& ops) const {
  std::vector<BeforeImage> out;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  std::map<Id, Fields> working = objects_;
  auto add = [&](const Operation& op, const std::string& field) {
    if (!seen.emplace(op.collection, op.key, field).second) return;
    BeforeImage img;
    img.collection = op.collection;
    img.key = op.key;
    img.field = field;
    const Fields* before = Find(op.collection, op.key);
    img.object_existed = before != nullptr;
    if (before != nullptr)
      if (auto it = before->find(field); it != before->end()) img.value = it->second;
    out.push_back(std::move(img));
  };
  for (const Operation& op : ops) {
    switch (op.kind) {
      case OpKind::kUpsert:
        for (const auto& [name, value] : op.fields) add(op, name);
        break;
      case OpKind::kEraseField:
      case OpKind::kIncrement:
      case OpKind::kListInsert:
      case OpKind::kListRemove:
      case OpKind::kListSet:
      case OpKind::kListMove:
        add(op, op.field);
        break;
      case OpKind::kEraseObject:
        if (auto it = working.find({op.collection, op.key}); it != working.end())
          for (const auto& [name, value] : it->second) add(op, name);
        break;
    }
    if (!ApplyOne(op, working)) break;
  }
  return out;
}

const Model::Fields* Model::Find(const std::string& collection, const std::string& key) const {
  auto it = objects_.find({collection, key});
  return it == objects_.end() ? nullptr : &it->second;
}

std::vector<std::string> Model::Collections() const {
  std::vector<std::string> out;
  for (const auto& [id, fields] : objects_)
    if (out.empty() || out.back() != id.first) out.push_back(id.first);
  return out;
}

}  // namespace journaldb::testing
