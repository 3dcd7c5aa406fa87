#include "journaldb/journal/fold.h"

#include <fmt/format.h>

#include <set>

#include "journaldb/journal/text.h"

namespace journaldb::fold {

Status ApplyOperation(const Operation& op, std::optional<FieldMap>& object) {
  switch (op.kind) {
    case OpKind::kUpsert:
      if (!object) object.emplace();
      for (const auto& [name, value] : op.fields) (*object)[name] = value;
      return Status::OK();
    case OpKind::kEraseField:
      if (object) {
        auto it = object->find(op.field);
        if (it != object->end()) object->erase(it);
      }
      return Status::OK();
    case OpKind::kEraseObject:
      object.reset();
      return Status::OK();
    case OpKind::kIncrement: {
      int64_t current = 0;
      if (object) {
        if (const auto it = object->find(op.field); it != object->end()) {
          if (it->second.type() != ValueType::kInt)
            return Status::InvalidArgument(fmt::format(
                "cannot increment {}/{}.{}: the field holds a {} value, not int64", op.collection,
                text::Quoted(op.key), op.field, ValueTypeName(it->second.type())));
          current = it->second.as_int();
        }
      }
      // Wrap-around (computed unsigned to avoid undefined behaviour) keeps
      // increments commutative.
      int64_t next = static_cast<int64_t>(static_cast<uint64_t>(current) +
                                          static_cast<uint64_t>(op.delta));
      if (!object) object.emplace();
      (*object)[op.field] = Value::Int(next);
      return Status::OK();
    }
  }
  return Status::InvalidArgument(fmt::format("unknown op kind {}", static_cast<int>(op.kind)));
}

std::vector<std::string> TouchedFields(const Operation& op, const std::optional<FieldMap>& object) {
  std::vector<std::string> out;
  switch (op.kind) {
    case OpKind::kUpsert:
      for (const auto& [name, value] : op.fields) out.push_back(name);
      break;
    case OpKind::kEraseField:
    case OpKind::kIncrement: out.push_back(op.field); break;
    case OpKind::kEraseObject:
      if (object)
        for (const auto& [name, value] : *object) out.push_back(name);
      break;
  }
  return out;
}

Status MemoryState::ApplyEntry(const JournalEntry& entry) {
  // Before-images describe the state before the whole transaction; check them
  // before applying anything.
  for (const BeforeImage& img : entry.before) {
    auto it = objects_.find({img.collection, img.key});
    bool exists = it != objects_.end();
    std::optional<Value> value;
    if (exists)
      if (const auto f = it->second.find(img.field); f != it->second.end()) value = f->second;
    if (exists != img.object_existed || value != img.value)
      return Status::Corruption(fmt::format(
          "journal entry lsn {}: before-image of {}/{}.{} says {} but the fold of earlier "
          "entries has {}",
          entry.lsn, img.collection, text::Quoted(img.key), img.field,
          img.value ? img.value->ToString() : (img.object_existed ? "absent" : "no object"),
          value ? value->ToString() : (exists ? "absent" : "no object")));
  }
  for (size_t i = 0; i < entry.ops.size(); ++i) {
    const Operation& op = entry.ops[i];
    ObjectId id{op.collection, op.key};
    auto it = objects_.find(id);
    std::optional<FieldMap> object;
    if (it != objects_.end()) object = std::move(it->second);
    Status s = ApplyOperation(op, object);
    if (!s.ok()) {
      if (it != objects_.end() && object) it->second = std::move(*object);
      return Status::Corruption(
          fmt::format("journal entry lsn {}: op {} cannot apply: {}", entry.lsn, i, s.message()));
    }
    if (object) {
      objects_[id] = std::move(*object);
    } else if (it != objects_.end()) {
      objects_.erase(it);
    }
  }
  return Status::OK();
}

}  // namespace journaldb::fold
