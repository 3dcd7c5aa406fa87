#include "value_syntax.h"

#include <fmt/format.h>

#include "journaldb/journal/text.h"
#include "journaldb/journal/util/parse_number.h"

namespace journaldb::cli {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of a run of digits starting at s[i].
size_t Digits(std::string_view s, size_t i) {
  size_t n = 0;
  while (i + n < s.size() && IsDigit(s[i + n])) ++n;
  return n;
}

enum class NumberShape { kNotANumber, kInteger, kReal };

// Classifies `s` against the JSON number grammar:
//   -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
NumberShape ClassifyNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t int_digits = Digits(s, i);
  if (int_digits == 0) return NumberShape::kNotANumber;
  // A leading zero followed by more digits (007) is not a JSON number: such
  // text is usually an identifier (a zip code) and stays a string.
  if (int_digits > 1 && s[i] == '0') return NumberShape::kNotANumber;
  i += int_digits;
  bool real = false;
  if (i < s.size() && s[i] == '.') {
    size_t frac = Digits(s, i + 1);
    if (frac == 0) return NumberShape::kNotANumber;
    i += 1 + frac;
    real = true;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp = Digits(s, i);
    if (exp == 0) return NumberShape::kNotANumber;
    i += exp;
    real = true;
  }
  if (i != s.size()) return NumberShape::kNotANumber;
  return real ? NumberShape::kReal : NumberShape::kInteger;
}

}  // namespace

Result<Value> ParseTypedValue(std::string_view text) {
  if (text == "null") return Value::Null();
  if (text == "true") return Value::Bool(true);
  if (text == "false") return Value::Bool(false);
  switch (ClassifyNumber(text)) {
    case NumberShape::kNotANumber:
      return Value::String(std::string(text));
    case NumberShape::kInteger: {
      // The shape is an integer, so the only way to fail is the range.
      Result<int64_t> i = util::ParseInt64(text);
      if (!i.ok())
        return Status::InvalidArgument(fmt::format(
            "{} is outside the int64 range; write FIELD:={} to store it as a string", text, text));
      return Value::Int(*i);
    }
    case NumberShape::kReal: {
      Result<double> d = util::ParseDouble(text);
      if (!d.ok())
        return Status::InvalidArgument(fmt::format(
            "{} cannot be held by a double; write FIELD:={} to store it as a string", text, text));
      return Value::Double(*d);
    }
  }
  return Value::String(std::string(text));
}

Result<FieldAssignment> ParseFieldAssignment(std::string_view arg) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos)
    return Status::InvalidArgument(
        fmt::format("expected FIELD=VALUE or FIELD:=STRING, got {}", text::Quoted(arg)));
  std::string_view field = arg.substr(0, eq);
  std::string_view value = arg.substr(eq + 1);
  bool force_string = !field.empty() && field.back() == ':';
  if (force_string) field.remove_suffix(1);
  if (field.empty())
    return Status::InvalidArgument(fmt::format("empty field name in {}", text::Quoted(arg)));
  if (force_string)
    return FieldAssignment{std::string(field), Value::String(std::string(value)), std::nullopt};
  if (value.starts_with('@')) {
    if (value.size() == 1)
      return Status::InvalidArgument(fmt::format(
          "{}: @ needs a file name (FIELD=@FILE, FIELD=@- for stdin; FIELD:=@ stores the text @)",
          text::Quoted(arg)));
    return FieldAssignment{std::string(field), Value::Null(), std::string(value.substr(1))};
  }
  Result<Value> typed = ParseTypedValue(value);
  if (!typed.ok())
    return Status::InvalidArgument(
        fmt::format("field {}: {}", std::string(field), typed.status().message()));
  return FieldAssignment{std::string(field), std::move(typed).value(), std::nullopt};
}

Result<Value> ParseValueArgument(std::string_view text, bool as_string,
                                 const ValueFileReader& read_file) {
  if (as_string) return Value::String(std::string(text));
  if (text.starts_with('@')) {
    if (text.size() == 1)
      return Status::InvalidArgument(
          "VALUE @ needs a file name (@FILE, @- for stdin; --string stores the text @)");
    Result<Value> v = read_file(text.substr(1));
    if (!v.ok()) return Status(v.status().code(), "VALUE: " + v.status().message());
    return v;
  }
  Result<Value> typed = ParseTypedValue(text);
  if (!typed.ok())
    return Status::InvalidArgument(
        fmt::format("VALUE {} is a number int64 or double cannot hold; give --string to store it "
                    "as a string",
                    text));
  return typed;
}

Result<FieldMap> ParseFieldAssignments(const std::vector<std::string>& args,
                                       const ValueFileReader& read_file) {
  FieldMap fields;
  bool stdin_read = false;
  for (const std::string& arg : args) {
    Result<FieldAssignment> a = ParseFieldAssignment(arg);
    if (!a.ok()) return a.status();
    if (a->file) {
      if (*a->file == "-" && stdin_read)
        return Status::InvalidArgument("stdin (@-) can give the value of one field only");
      stdin_read = stdin_read || *a->file == "-";
      Result<Value> v = read_file(*a->file);
      if (!v.ok())
        return Status(v.status().code(),
                      fmt::format("field {}: {}", a->field, v.status().message()));
      a->value = std::move(v).value();
    }
    auto [it, inserted] = fields.emplace(std::move(a->field), std::move(a->value));
    if (!inserted)
      return Status::InvalidArgument(fmt::format("field {} is given twice", it->first));
  }
  return fields;
}

}  // namespace journaldb::cli
