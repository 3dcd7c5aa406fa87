#include "journaldb/operation.h"

#include <fmt/format.h>

#include "journaldb/journal/text.h"

namespace journaldb {

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kUpsert: return "upsert";
    case OpKind::kEraseField: return "erase-field";
    case OpKind::kEraseObject: return "erase-object";
    case OpKind::kIncrement: return "increment";
    case OpKind::kListInsert:
      return "list-insert";
    case OpKind::kListRemove:
      return "list-remove";
    case OpKind::kListSet:
      return "list-set";
    case OpKind::kListMove:
      return "list-move";
  }
  return "unknown";
}

Operation Operation::Upsert(std::string collection, std::string key, FieldMap fields) {
  Operation op;
  op.kind = OpKind::kUpsert;
  op.collection = std::move(collection);
  op.key = std::move(key);
  op.fields = std::move(fields);
  return op;
}

Operation Operation::EraseField(std::string collection, std::string key, std::string field) {
  Operation op;
  op.kind = OpKind::kEraseField;
  op.collection = std::move(collection);
  op.key = std::move(key);
  op.field = std::move(field);
  return op;
}

Operation Operation::EraseObject(std::string collection, std::string key) {
  Operation op;
  op.kind = OpKind::kEraseObject;
  op.collection = std::move(collection);
  op.key = std::move(key);
  return op;
}

Operation Operation::Increment(std::string collection, std::string key, std::string field,
                               int64_t delta) {
  Operation op;
  op.kind = OpKind::kIncrement;
  op.collection = std::move(collection);
  op.key = std::move(key);
  op.field = std::move(field);
  op.delta = delta;
  return op;
}

namespace {
Operation ListOp(OpKind kind, std::string collection, std::string key, std::string field,
                 ElementId element) {
  Operation op;
  op.kind = kind;
  op.collection = std::move(collection);
  op.key = std::move(key);
  op.field = std::move(field);
  op.element = element;
  return op;
}
}  // namespace

Operation Operation::ListInsert(std::string collection, std::string key, std::string field,
                                std::optional<ElementId> after, ElementId element, Value value) {
  Operation op =
      ListOp(OpKind::kListInsert, std::move(collection), std::move(key), std::move(field), element);
  op.after = after;
  op.value = std::move(value);
  return op;
}

Operation Operation::ListRemove(std::string collection, std::string key, std::string field,
                                ElementId element) {
  return ListOp(OpKind::kListRemove, std::move(collection), std::move(key), std::move(field),
                element);
}

Operation Operation::ListSet(std::string collection, std::string key, std::string field,
                             ElementId element, Value value) {
  Operation op =
      ListOp(OpKind::kListSet, std::move(collection), std::move(key), std::move(field), element);
  op.value = std::move(value);
  return op;
}

Operation Operation::ListMove(std::string collection, std::string key, std::string field,
                              ElementId element, std::optional<ElementId> after,
                              ElementId moved_to) {
  Operation op =
      ListOp(OpKind::kListMove, std::move(collection), std::move(key), std::move(field), element);
  op.after = after;
  op.moved_to = moved_to;
  return op;
}

namespace {
Status CheckName(std::string_view what, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument(fmt::format("{} name is empty", what));
  if (name.size() > kMaxNameBytes)
    return Status::InvalidArgument(fmt::format("{} name {}... is {} bytes; the limit is {}", what,
                                               text::Quoted(name.substr(0, 32)), name.size(),
                                               kMaxNameBytes));
  if (name.find('\0') != std::string_view::npos)
    return Status::InvalidArgument(
        fmt::format("{} name {} contains a NUL byte", what, text::Quoted(name)));
  return Status::OK();
}

// A field's value: at most kMaxValueBytes; no list where a scalar belongs.
Status CheckValue(const Operation& op, std::string_view field, const Value& value) {
  if (value.type() == ValueType::kList)
    return Status::InvalidArgument(
        fmt::format("{} of {}/{}.{} sets a list value: lists change only by list ops, and list "
                    "elements hold no lists",
                    OpKindName(op.kind), text::Quoted(op.collection), text::Quoted(op.key), field));
  size_t size = value.type() == ValueType::kString  ? value.as_string().size()
                : value.type() == ValueType::kBytes ? value.as_bytes().size()
                                                    : 0;
  if (size > kMaxValueBytes)
    return Status::InvalidArgument(fmt::format("value of {}/{}.{} is {} bytes; the limit is {}",
                                               text::Quoted(op.collection), text::Quoted(op.key),
                                               field, size, kMaxValueBytes));
  return Status::OK();
}

Status CheckListOp(const Operation& op) {
  if (Status s = CheckName("field", op.field); !s.ok()) return s;
  const bool has_after = op.kind == OpKind::kListInsert || op.kind == OpKind::kListMove;
  if (op.element.counter == 0 || (op.after && op.after->counter == 0) ||
      (op.kind == OpKind::kListMove && op.moved_to.counter == 0))
    return Status::InvalidArgument(fmt::format("{} of {}/{}.{}: element ids start at counter 1",
                                               OpKindName(op.kind), text::Quoted(op.collection),
                                               text::Quoted(op.key), op.field));
  if (has_after && op.after == op.element)
    return Status::InvalidArgument(fmt::format(
        "{} of {}/{}.{}: element {} cannot follow itself", OpKindName(op.kind),
        text::Quoted(op.collection), text::Quoted(op.key), op.field, op.element.ToString()));
  if (op.kind == OpKind::kListMove && (op.moved_to == op.element || op.after == op.moved_to))
    return Status::InvalidArgument(fmt::format(
        "list-move of {}/{}.{}: the new id {} must be a new one", text::Quoted(op.collection),
        text::Quoted(op.key), op.field, op.moved_to.ToString()));
  if (op.kind == OpKind::kListInsert || op.kind == OpKind::kListSet)
    return CheckValue(op, op.field, op.value);
  return Status::OK();
}
}  // namespace

Status Operation::Validate() const {
  if (kind < OpKind::kUpsert || kind > OpKind::kListMove)
    return Status::InvalidArgument(
        fmt::format("unknown operation kind {}", static_cast<int>(kind)));
  if (Status s = CheckName("collection", collection); !s.ok()) return s;
  if (key.empty())
    return Status::InvalidArgument(fmt::format("empty primary key in collection {}",
                                               text::Quoted(collection)));
  if (key.size() > kMaxKeyBytes)
    return Status::InvalidArgument(fmt::format("primary key in {} is {} bytes; the limit is {}",
                                               text::Quoted(collection), key.size(),
                                               kMaxKeyBytes));
  switch (kind) {
    case OpKind::kUpsert:
      for (const auto& [name, field_value] : fields) {
        if (Status s = CheckName("field", name); !s.ok()) return s;
        if (Status s = CheckValue(*this, name, field_value); !s.ok()) return s;
      }
      return Status::OK();
    case OpKind::kEraseField:
    case OpKind::kIncrement: return CheckName("field", field);
    case OpKind::kEraseObject: return Status::OK();
    case OpKind::kListInsert:
    case OpKind::kListRemove:
    case OpKind::kListSet:
    case OpKind::kListMove:
      return CheckListOp(*this);
  }
  return Status::OK();
}

std::string Operation::ToString() const {
  std::string target = fmt::format("{}/{}", collection, text::Quoted(key));
  switch (kind) {
    case OpKind::kUpsert: {
      std::string s = "upsert " + target;
      for (const auto& [name, field_value] : fields)
        s += fmt::format(" {}={}", name, field_value.ToString());
      return s;
    }
    case OpKind::kEraseField: return fmt::format("erase-field {} {}", target, field);
    case OpKind::kEraseObject: return fmt::format("erase-object {}", target);
    case OpKind::kIncrement: return fmt::format("increment {} {} {:+}", target, field, delta);
    case OpKind::kListInsert:
      return fmt::format("list-insert {} {} {} after {} {}", target, field, element.ToString(),
                         after ? after->ToString() : "head", value.ToString());
    case OpKind::kListRemove:
      return fmt::format("list-remove {} {} {}", target, field, element.ToString());
    case OpKind::kListSet:
      return fmt::format("list-set {} {} {} {}", target, field, element.ToString(),
                         value.ToString());
    case OpKind::kListMove:
      return fmt::format("list-move {} {} {} after {} as {}", target, field, element.ToString(),
                         after ? after->ToString() : "head", moved_to.ToString());
  }
  return "unknown";
}

}  // namespace journaldb
