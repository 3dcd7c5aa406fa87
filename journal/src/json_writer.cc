#include "journaldb/journal/json_writer.h"

#include <fmt/format.h>

#include <algorithm>

#include "journaldb/journal/text.h"

namespace journaldb {

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_element_.empty()) {
    if (has_element_.back()) out_ += ',';
    has_element_.back() = true;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_ += '{';
  has_element_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_ += '}';
  has_element_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  has_element_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_ += ']';
  has_element_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view name) {
  BeforeValue();
  out_ += text::JsonQuote(name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  BeforeValue();
  out_ += text::JsonString(s);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t i) {
  BeforeValue();
  out_ += fmt::format("{}", i);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t u) {
  BeforeValue();
  out_ += fmt::format("{}", u);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool b) {
  BeforeValue();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Fixed(double d, int decimals) {
  BeforeValue();
  out_ += fmt::format("{:.{}f}", d, decimals);
  return *this;
}

JsonWriter& JsonWriter::FieldValue(const Value& v) {
  BeforeValue();
  out_ += text::ValueToJson(v);
  return *this;
}

JsonWriter& JsonWriter::Fields(const FieldMap& fields) {
  const bool names_are_text = std::all_of(fields.begin(), fields.end(), [](const auto& field) {
    return text::IsValidUtf8(field.first);
  });
  if (names_are_text) {
    BeginObject();
    for (const auto& [name, value] : fields) Key(name).FieldValue(value);
    return EndObject();
  }
  BeginArray();
  for (const auto& [name, value] : fields)
    BeginObject().Key("name").String(name).Key("value").FieldValue(value).EndObject();
  return EndArray();
}

}  // namespace journaldb
