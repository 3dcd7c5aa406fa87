#include "journaldb/value.h"

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <cstring>

#include "journaldb/journal/text.h"

namespace journaldb {

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull: return "null";
    case ValueType::kBool: return "bool";
    case ValueType::kInt: return "int64";
    case ValueType::kDouble: return "double";
    case ValueType::kString: return "string";
    case ValueType::kBytes: return "bytes";
    case ValueType::kList:
      return "list";
  }
  return "unknown";
}

std::string ElementId::ToString() const { return fmt::format("{}.{:016x}", counter, replica); }

std::optional<ElementId> ElementId::Parse(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || text.size() - dot - 1 != 16) return std::nullopt;
  ElementId id;
  const char* end = text.data() + dot;
  if (auto [p, ec] = std::from_chars(text.data(), end, id.counter); ec != std::errc() || p != end)
    return std::nullopt;
  end = text.data() + text.size();
  if (auto [p, ec] = std::from_chars(text.data() + dot + 1, end, id.replica, 16);
      ec != std::errc() || p != end)
    return std::nullopt;
  if (id.counter == 0) return std::nullopt;
  return id;
}

std::string Value::ToString() const {
  if (type() == ValueType::kList) {
    std::string s = "[";
    for (const ListElement& e : as_list().elements) {
      if (e.removed) continue;
      if (s.size() > 1) s += ", ";
      s += e.value.ToString();
    }
    return s + "]";
  }
  if (type() == ValueType::kBytes) return "b64:" + text::Base64(as_bytes());
  // A display form for people: always quoted text, even for bytes that are
  // not UTF-8 (the lossless {"base64":...} form is for JSON output).
  if (type() == ValueType::kString) return text::JsonQuote(as_string());
  return text::ValueToJson(*this);
}

List Value::TakeList() {
  const auto& list = std::get<std::shared_ptr<const List>>(rep_);
  if (list.use_count() != 1) return *list;
  // Pairs with the release in the last other owner's drop of its copy, so
  // that owner's reads of the list happen before the move.
  std::atomic_thread_fence(std::memory_order_acquire);
  return std::move(const_cast<List&>(*list));  // made non-const by ListValue
}

bool operator==(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (a.type() == ValueType::kDouble) {
    double x = a.as_double(), y = b.as_double();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  if (a.type() == ValueType::kList) return a.as_list() == b.as_list();
  return a.rep_ == b.rep_;
}

}  // namespace journaldb
