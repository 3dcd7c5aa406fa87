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
}  // namespace

Status Operation::Validate() const {
  if (kind < OpKind::kUpsert || kind > OpKind::kIncrement)
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
      for (const auto& [name, value] : fields) {
        if (Status s = CheckName("field", name); !s.ok()) return s;
        size_t size = value.type() == ValueType::kString  ? value.as_string().size()
                      : value.type() == ValueType::kBytes ? value.as_bytes().size()
                                                          : 0;
        if (size > kMaxValueBytes)
          return Status::InvalidArgument(
              fmt::format("value of {}/{}.{} is {} bytes; the limit is {}",
                          text::Quoted(collection), text::Quoted(key), name, size,
                          kMaxValueBytes));
      }
      return Status::OK();
    case OpKind::kEraseField:
    case OpKind::kIncrement: return CheckName("field", field);
    case OpKind::kEraseObject: return Status::OK();
  }
  return Status::OK();
}

std::string Operation::ToString() const {
  std::string target = fmt::format("{}/{}", collection, text::Quoted(key));
  switch (kind) {
    case OpKind::kUpsert: {
      std::string s = "upsert " + target;
      for (const auto& [name, value] : fields) s += fmt::format(" {}={}", name, value.ToString());
      return s;
    }
    case OpKind::kEraseField: return fmt::format("erase-field {} {}", target, field);
    case OpKind::kEraseObject: return fmt::format("erase-object {}", target);
    case OpKind::kIncrement: return fmt::format("increment {} {} {:+}", target, field, delta);
  }
  return "unknown";
}

}  // namespace journaldb
