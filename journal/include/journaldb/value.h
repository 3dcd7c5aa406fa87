// Value: one typed field value (null, bool, int64, double, string, bytes) or
// a list of such values whose elements have stable ids (docs/data-model.md).
//
//   journaldb::Value v = journaldb::Value::Int(42);
//   if (v.type() == journaldb::ValueType::kInt) use(v.as_int());
//   std::string text = v.ToString();   // "42"
//
// Thread safety: a value type; const access from several threads is safe.
#ifndef JOURNALDB_VALUE_H_
#define JOURNALDB_VALUE_H_

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace journaldb {

enum class ValueType : uint8_t { kNull = 0, kBool, kInt, kDouble, kString, kBytes, kList };

// "null", "bool", "int64", "double", "string", "bytes" or "list".
std::string_view ValueTypeName(ValueType type);

// The stable id of a list element, given when it is inserted. `counter` is a
// Lamport clock: above every id the inserting replica saw in the list, so a
// later insert orders after what it knew of. `replica` tells apart replicas
// that picked the same counter. Ordered by counter, then replica.
struct ElementId {
  uint64_t counter = 0;  // 0: no element (ids start at 1)
  uint64_t replica = 0;

  // "COUNTER.REPLICA" with the replica in 16 hex digits, e.g. "3.00c0ffee00c0ffee".
  std::string ToString() const;
  // Parses ToString()'s form; nullopt if `text` is not one.
  static std::optional<ElementId> Parse(std::string_view text);

  friend auto operator<=>(const ElementId&, const ElementId&) = default;
};

struct ListElement;

// A list's elements in list order, removed ones included: a removed element
// stays as a tombstone (no value) so inserts anchored at it keep their place,
// and a moved element leaves a tombstone that names its new id.
struct List {
  std::vector<ListElement> elements;
};

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
  static Value ListValue(List list) {
    // A non-const List behind the const pointer, so TakeList may move it out.
    return Value(Rep(std::shared_ptr<const List>(std::make_shared<List>(std::move(list)))));
  }

  ValueType type() const { return static_cast<ValueType>(rep_.index()); }
  bool is_null() const { return type() == ValueType::kNull; }

  // REQUIRES: type() is the matching type.
  bool as_bool() const { return std::get<bool>(rep_); }
  int64_t as_int() const { return std::get<int64_t>(rep_); }
  double as_double() const { return std::get<double>(rep_); }
  const std::string& as_string() const { return std::get<std::string>(rep_); }
  const std::string& as_bytes() const { return std::get<Bytes>(rep_).data; }
  // Shared and immutable: copying a list value copies a pointer.
  const List& as_list() const { return *std::get<std::shared_ptr<const List>>(rep_); }
  // The list, moved out when this value is its only owner, else copied, so a
  // fold applying op after op to one list copies it once, not once per op.
  // The value is left holding an unspecified list: assign it before reading
  // it again. REQUIRES: type() is kList.
  List TakeList();

  // A display form: null, true, 42, 1.5, "text" (JSON-quoted), b64:... for
  // bytes, ["a", 2] for a list (its present elements, without ids).
  std::string ToString() const;

  // Doubles compare bitwise-equal by value (NaN == NaN) so stored state and the
  // fold of the journal compare equal whenever their bytes are.
  friend bool operator==(const Value& a, const Value& b);

 private:
  using Rep = std::variant<std::monostate, bool, int64_t, double, std::string, Bytes,
                           std::shared_ptr<const List>>;
  explicit Value(Rep rep) : rep_(std::move(rep)) {}
  Rep rep_;
};

struct ListElement {
  ElementId id;
  Value value;                        // null when removed
  bool removed = false;               // a tombstone
  std::optional<ElementId> moved_to;  // removed by a move: the element's new id
  friend bool operator==(const ListElement&, const ListElement&) = default;
};

inline bool operator==(const List& a, const List& b) { return a.elements == b.elements; }

}  // namespace journaldb

#endif  // JOURNALDB_VALUE_H_
