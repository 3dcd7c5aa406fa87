// Generators for the model-based test: transactions over small pools of
// collections, keys and fields, so ops collide (overwrite, erase and
// increment the same fields, increments meet non-integers).
#ifndef JOURNALDB_TESTS_MODEL_POOL_GENERATORS_H_
#define JOURNALDB_TESTS_MODEL_POOL_GENERATORS_H_

#include <rapidcheck.h>

#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "journaldb/operation.h"

namespace journaldb::testing {

inline const std::vector<std::string> kCollections = {"notes", "tasks"};
inline const std::vector<std::string> kKeys = {"a", "b", "c"};
inline const std::vector<std::string> kFields = {"n", "x", "y"};

inline rc::Gen<Value> SmallValue() {
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange<int64_t>(-3, 4), Value::Int),
      rc::gen::map(rc::gen::arbitrary<bool>(), Value::Bool),
      rc::gen::element(Value::String("s"), Value::String(""), Value::Null(), Value::Double(0.5)));
}

inline rc::Gen<Operation> PoolOperation() {
  auto coll = rc::gen::elementOf(kCollections);
  auto key = rc::gen::elementOf(kKeys);
  auto field = rc::gen::elementOf(kFields);
  return rc::gen::weightedOneOf<Operation>({
      {4, rc::gen::apply(
              [](std::string c, std::string k, std::vector<std::pair<std::string, Value>> fs) {
                FieldMap m;
                for (auto& [n, v] : fs) m[n] = std::move(v);
                return Operation::Upsert(std::move(c), std::move(k), std::move(m));
              },
              coll, key,
              rc::gen::resize(3, rc::gen::container<std::vector<std::pair<std::string, Value>>>(
                                     rc::gen::pair(field, SmallValue()))))},
      {2, rc::gen::apply(
              [](std::string c, std::string k, std::string f) {
                return Operation::EraseField(std::move(c), std::move(k), std::move(f));
              },
              coll, key, field)},
      {1, rc::gen::apply(
              [](std::string c, std::string k) {
                return Operation::EraseObject(std::move(c), std::move(k));
              },
              coll, key)},
      {4, rc::gen::apply(
              [](std::string c, std::string k, std::string f, int64_t d) {
                return Operation::Increment(std::move(c), std::move(k), std::move(f), d);
              },
              coll, key, field,
              rc::gen::oneOf(rc::gen::inRange<int64_t>(-5, 6),
                             rc::gen::element(std::numeric_limits<int64_t>::max(),
                                              std::numeric_limits<int64_t>::min())))},
  });
}

inline std::vector<Operation> PoolTransaction() {
  const int n = *rc::gen::inRange(1, 5);
  return *rc::gen::container<std::vector<Operation>>(n, PoolOperation());
}

inline void ShowOps(const std::vector<Operation>& ops, std::ostream& os) {
  for (size_t i = 0; i < ops.size(); ++i) os << (i ? "; " : "") << ops[i].ToString();
}

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_MODEL_POOL_GENERATORS_H_
