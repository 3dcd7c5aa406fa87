// A strict RFC 8259 JSON parser for tests: checks that JSON output (the
// JsonWriter's, the CLI's) is valid JSON (UTF-8, escapes, number grammar,
// nothing after the document) and gives a small tree to assert structure on.
#ifndef JOURNALDB_TESTS_SUPPORT_JSON_CHECKER_H_
#define JOURNALDB_TESTS_SUPPORT_JSON_CHECKER_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace journaldb::testing {

struct JsonMember;

struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string number;  // the literal text, e.g. "42" or "1.5"
  std::string string;  // decoded
  std::vector<Json> items;
  // In document order. A struct, not std::pair: pair of an incomplete type
  // does not compile with clang and libstdc++.
  std::vector<JsonMember> members;

  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_number() const { return kind == Kind::kNumber; }
  bool is_null() const { return kind == Kind::kNull; }
  bool has(std::string_view key) const { return Find(key) != nullptr; }
  // nullptr unless this is an object with that member.
  const Json* Find(std::string_view key) const;
  // The member, or a shared null value if absent (so chains never crash).
  const Json& operator[](std::string_view key) const;
  // The element, or a shared null value if out of range.
  const Json& operator[](size_t i) const;
};

struct JsonMember {
  std::string name;
  Json value;
};

// The document, or nullopt with `error` saying where the text is invalid.
std::optional<Json> ParseJson(std::string_view text, std::string* error);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_JSON_CHECKER_H_
