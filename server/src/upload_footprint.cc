#include "upload_footprint.h"

#include <string>

namespace journaldb::server {

namespace {

// A heap block of `n` bytes as an allocator holds it: glibc adds a header and
// rounds to 16; tcmalloc (the tools' malloc) rounds up to a size class, up to
// an eighth more. An upper bound for both.
constexpr size_t Block(size_t n) { return n + n / 8 + 32; }

size_t StringHeap(const std::string& s) {
  // Short strings live inside the object (SSO); longer ones in a block.
  return s.capacity() > 15 ? Block(s.capacity() + 1) : 0;
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
      size_t n = Block(sizeof(List) + 32) + Block(elements.capacity() * sizeof(ListElement));
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
    n += Block(32 + sizeof(FieldMap::value_type)) + StringHeap(name) + ValueHeap(value);
  return n;
}

size_t BeforeImageHeap(const BeforeImage& b) {
  return StringHeap(b.collection) + StringHeap(b.key) + StringHeap(b.field) +
         (b.value ? ValueHeap(*b.value) : 0);
}

}  // namespace

size_t UploadFootprint(const wire::Upload& upload) {
  size_t n = Block(upload.entries.capacity() * sizeof(wire::UploadEntry));
  for (const wire::UploadEntry& e : upload.entries) {
    n += StringHeap(e.bytes);
    n += Block(e.entry.ops.capacity() * sizeof(Operation));
    n += Block(e.entry.before.capacity() * sizeof(BeforeImage));
    for (const Operation& op : e.entry.ops) n += OperationHeap(op);
    for (const BeforeImage& b : e.entry.before) n += BeforeImageHeap(b);
  }
  return n;
}

}  // namespace journaldb::server
