// rapidcheck generators for journaldb values, operations and journal entries.
// Include gtest/gtest.h (if used) before this header.
#ifndef JOURNALDB_TESTS_SUPPORT_GENERATORS_H_
#define JOURNALDB_TESTS_SUPPORT_GENERATORS_H_

#include <rapidcheck.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "journaldb/journal_entry.h"
#include "journaldb/operation.h"
#include "journaldb/value.h"

namespace journaldb::testing {

// Doubles with the awkward cases (signed zero, NaN, infinities, subnormals)
// far more likely than uniform generation would make them.
inline rc::Gen<double> AwkwardDouble() {
  return rc::gen::oneOf(
      rc::gen::arbitrary<double>(),
      rc::gen::element(
          0.0, -0.0, std::numeric_limits<double>::quiet_NaN(),
          -std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min(),
          std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()));
}

inline rc::Gen<int64_t> AwkwardInt() {
  return rc::gen::oneOf(
      rc::gen::arbitrary<int64_t>(),
      rc::gen::element(int64_t{0}, int64_t{1}, int64_t{-1}, std::numeric_limits<int64_t>::min(),
                       std::numeric_limits<int64_t>::max()));
}

// Arbitrary bytes: NUL bytes and invalid UTF-8 included.
inline rc::Gen<std::string> AnyBytes() {
  return rc::gen::container<std::string>(rc::gen::arbitrary<char>());
}

inline rc::Gen<Value> AnyValue() {
  return rc::gen::oneOf(
      rc::gen::just(Value::Null()), rc::gen::map(rc::gen::arbitrary<bool>(), Value::Bool),
      rc::gen::map(AwkwardInt(), Value::Int), rc::gen::map(AwkwardDouble(), Value::Double),
      rc::gen::map(AnyBytes(), [](std::string s) { return Value::String(std::move(s)); }),
      rc::gen::map(AnyBytes(), [](std::string s) { return Value::BytesValue(std::move(s)); }));
}

// A valid collection or field name: 1..255 bytes without NUL.
inline rc::Gen<std::string> AnyName() {
  return rc::gen::resize(40, rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::suchThat(
                                 rc::gen::arbitrary<char>(), [](char c) { return c != '\0'; }))));
}

// A valid primary key: 1..4096 arbitrary bytes.
inline rc::Gen<std::string> AnyKey() { return rc::gen::resize(60, rc::gen::nonEmpty(AnyBytes())); }

// Operations over the given name pools; small pools make ops collide.
inline rc::Gen<Operation> OperationOver(std::vector<std::string> collections,
                                        std::vector<std::string> keys,
                                        std::vector<std::string> fields, rc::Gen<Value> values) {
  auto coll = rc::gen::elementOf(collections);
  auto key = rc::gen::elementOf(keys);
  auto field = rc::gen::elementOf(fields);
  auto upsert = rc::gen::apply(
      [](std::string c, std::string k, std::vector<std::pair<std::string, Value>> fs) {
        FieldMap m;
        for (auto& [n, v] : fs) m[n] = std::move(v);
        return Operation::Upsert(std::move(c), std::move(k), std::move(m));
      },
      coll, key,
      rc::gen::resize(4, rc::gen::container<std::vector<std::pair<std::string, Value>>>(
                             rc::gen::pair(field, values))));
  auto erase_field = rc::gen::apply(
      [](std::string c, std::string k, std::string f) {
        return Operation::EraseField(std::move(c), std::move(k), std::move(f));
      },
      coll, key, field);
  auto erase_object = rc::gen::apply(
      [](std::string c, std::string k) {
        return Operation::EraseObject(std::move(c), std::move(k));
      },
      coll, key);
  auto increment = rc::gen::apply(
      [](std::string c, std::string k, std::string f, int64_t d) {
        return Operation::Increment(std::move(c), std::move(k), std::move(f), d);
      },
      coll, key, field, AwkwardInt());
  return rc::gen::weightedOneOf<Operation>(
      {{4, upsert}, {2, erase_field}, {1, erase_object}, {4, increment}});
}

// Any valid operation (names drawn freely), for codec round trips.
inline rc::Gen<Operation> AnyOperation() {
  return rc::gen::oneOf(
      rc::gen::apply(
          [](std::string c, std::string k, std::vector<std::pair<std::string, Value>> fs) {
            FieldMap m;
            for (auto& [n, v] : fs) m[n] = std::move(v);
            return Operation::Upsert(std::move(c), std::move(k), std::move(m));
          },
          AnyName(), AnyKey(),
          rc::gen::resize(6, rc::gen::container<std::vector<std::pair<std::string, Value>>>(
                                 rc::gen::pair(AnyName(), AnyValue())))),
      rc::gen::apply(
          [](std::string c, std::string k, std::string f) {
            return Operation::EraseField(std::move(c), std::move(k), std::move(f));
          },
          AnyName(), AnyKey(), AnyName()),
      rc::gen::apply(
          [](std::string c, std::string k) {
            return Operation::EraseObject(std::move(c), std::move(k));
          },
          AnyName(), AnyKey()),
      rc::gen::apply(
          [](std::string c, std::string k, std::string f, int64_t d) {
            return Operation::Increment(std::move(c), std::move(k), std::move(f), d);
          },
          AnyName(), AnyKey(), AnyName(), AwkwardInt()));
}

// Before-images of all three shapes: object absent, field absent, field present.
inline rc::Gen<BeforeImage> AnyBeforeImage() {
  return rc::gen::apply(
      [](std::string c, std::string k, std::string f, int shape, Value v) {
        BeforeImage img{std::move(c), std::move(k), std::move(f), shape != 0, std::nullopt};
        if (shape == 2) img.value = std::move(v);
        return img;
      },
      AnyName(), AnyKey(), AnyName(), rc::gen::inRange(0, 3), AnyValue());
}

inline rc::Gen<JournalEntry> AnyEntry() {
  return rc::gen::apply(
      [](uint64_t lsn, uint64_t cursor, uint64_t epoch, uint64_t client, int64_t time,
         std::vector<Operation> ops, std::vector<BeforeImage> before) {
        JournalEntry e;
        e.lsn = lsn;
        e.download_cursor = cursor;
        e.epoch = epoch;
        e.client_id = client;
        e.commit_time_us = time;
        e.ops = std::move(ops);
        e.before = std::move(before);
        return e;
      },
      rc::gen::arbitrary<uint64_t>(), rc::gen::arbitrary<uint64_t>(),
      rc::gen::arbitrary<uint64_t>(), rc::gen::arbitrary<uint64_t>(), AwkwardInt(),
      rc::gen::resize(8, rc::gen::container<std::vector<Operation>>(AnyOperation())),
      rc::gen::resize(8, rc::gen::container<std::vector<BeforeImage>>(AnyBeforeImage())));
}

}  // namespace journaldb::testing

namespace rc {
// Lets rapidcheck print a failing value's counterexample readably.
template <>
struct Arbitrary<journaldb::Value> {
  static Gen<journaldb::Value> arbitrary() { return journaldb::testing::AnyValue(); }
};
}  // namespace rc

namespace journaldb {
inline void showValue(const Value& v, std::ostream& os) { os << v.ToString(); }
inline void showValue(const Operation& op, std::ostream& os) { os << op.ToString(); }
inline void showValue(const JournalEntry& e, std::ostream& os) {
  os << "entry lsn " << e.lsn << " ops " << e.ops.size() << " before " << e.before.size();
}
}  // namespace journaldb

#endif  // JOURNALDB_TESTS_SUPPORT_GENERATORS_H_
