// Value: one typed field value (null, bool, int64, double, string, bytes).
//
//   journaldb::Value v = journaldb::Value::Int(42);
//   if (v.type() == journaldb::ValueType::kInt) use(v.as_int());
//   std::string text = v.ToString();   // "42"
//
// Thread safety: a value type; const access from several threads is safe.
#ifndef JOURNALDB_VALUE_H_
#define JOURNALDB_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace journaldb {

enum class ValueType : uint8_t { kNull = 0, kBool, kInt, kDouble, kString, kBytes };

// "null", "bool", "int64", "double", "string" or "bytes".
std::string_view ValueTypeName(ValueType type);

// Raw bytes, kept distinct from text so the type survives a round trip.
struct Bytes {
  std::string data;
  friend bool operator==(const Bytes&, const Bytes&) = default;
};

class Value {
 public:
  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b) { return Value(Rep(b)); }
  static Value Int(int64_t i) { return Value(Rep(i)); }
  static Value Double(double d) { return Value(Rep(d)); }
  static Value String(std::string s) { return Value(Rep(std::move(s))); }
  static Value BytesValue(std::string data) { return Value(Rep(Bytes{std::move(data)})); }

  ValueType type() const { return static_cast<ValueType>(rep_.index()); }
  bool is_null() const { return type() == ValueType::kNull; }

  // REQUIRES: type() is the matching type.
  bool as_bool() const { return std::get<bool>(rep_); }
  int64_t as_int() const { return std::get<int64_t>(rep_); }
  double as_double() const { return std::get<double>(rep_); }
  const std::string& as_string() const { return std::get<std::string>(rep_); }
  const std::string& as_bytes() const { return std::get<Bytes>(rep_).data; }

  // A display form: null, true, 42, 1.5, "text" (JSON-quoted), b64:... for bytes.
  std::string ToString() const;

  // Doubles compare bitwise-equal by value (NaN == NaN) so stored state and the
  // fold of the journal compare equal whenever their bytes are.
  friend bool operator==(const Value& a, const Value& b);

 private:
  using Rep = std::variant<std::monostate, bool, int64_t, double, std::string, Bytes>;
  explicit Value(Rep rep) : rep_(std::move(rep)) {}
  Rep rep_;
};

}  // namespace journaldb

#endif  // JOURNALDB_VALUE_H_
