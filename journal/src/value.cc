#include "journaldb/value.h"

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
  }
  return "unknown";
}

std::string Value::ToString() const {
  if (type() == ValueType::kBytes) return "b64:" + text::Base64(as_bytes());
  // A display form for people: always quoted text, even for bytes that are
  // not UTF-8 (the lossless {"base64":...} form is for JSON output).
  if (type() == ValueType::kString) return text::JsonQuote(as_string());
  return text::ValueToJson(*this);
}

bool operator==(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (a.type() == ValueType::kDouble) {
    double x = a.as_double(), y = b.as_double();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  return a.rep_ == b.rep_;
}

}  // namespace journaldb
