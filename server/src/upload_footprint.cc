#include "upload_footprint.h"

#include <string>

namespace journaldb::server {

namespace {

// What a heap block costs beyond its bytes (glibc's header and rounding), and
// a std::map node beyond its value (links and colour).
constexpr size_t kBlock = 24;
constexpr size_t kMapNode = 32 + kBlock;

size_t StringHeap(const std::string& s) {
  // Short strings live inside the object (SSO); longer ones in a block.
  return s.capacity() > 15 ? s.capacity() + 1 + kBlock : 0;
}

size_t ValueHeap(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
      return StringHeap(v.as_string());
    case ValueType::kBytes:
      return StringHeap(v.as_bytes());
    case ValueType::kList: {
      // The shared List (with its control block), then its elements.
      const std::vector<ListElement>& elements = v.as_list().elements;
      size_t n = sizeof(List) + 32 + kBlock + elements.capacity() * sizeof(ListElement) + kBlock;
      for (const ListElement& e : elements) n += ValueHeap(e.value);
      return n;
    }
    default:
      return 0;
  }
}

size_t OperationHeap(const Operation& op) {
  size_t n =
      StringHeap(op.collection) + StringHeap(op.key) + StringHeap(op.field) + ValueHeap(op.value);
  for (const auto& [name, value] : op.fields)
    n += kMapNode + sizeof(FieldMap::value_type) + StringHeap(name) + ValueHeap(value);
  return n;
}

size_t BeforeImageHeap(const BeforeImage& b) {
  return StringHeap(b.collection) + StringHeap(b.key) + StringHeap(b.field) +
         (b.value ? ValueHeap(*b.value) : 0);
}

}  // namespace

size_t UploadFootprint(const wire::Upload& upload) {
  size_t n = upload.entries.capacity() * sizeof(wire::UploadEntry) + kBlock;
  for (const wire::UploadEntry& e : upload.entries) {
    n += StringHeap(e.bytes);
    n += e.entry.ops.capacity() * sizeof(Operation) + kBlock;
    n += e.entry.before.capacity() * sizeof(BeforeImage) + kBlock;
    for (const Operation& op : e.entry.ops) n += OperationHeap(op);
    for (const BeforeImage& b : e.entry.before) n += BeforeImageHeap(b);
  }
  return n;
}

}  // namespace journaldb::server
