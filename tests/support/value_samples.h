// One value of every type with each type's edge cases, for round-trip tests.
#ifndef JOURNALDB_TESTS_SUPPORT_VALUE_SAMPLES_H_
#define JOURNALDB_TESTS_SUPPORT_VALUE_SAMPLES_H_

#include <cstdint>
#include <limits>
#include <string>

#include "journaldb/object.h"

namespace journaldb::testing {

inline FieldMap EveryValueKind() {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  return {
      {"null", Value::Null()},
      {"true", Value::Bool(true)},
      {"false", Value::Bool(false)},
      {"int_min", Value::Int(std::numeric_limits<int64_t>::min())},
      {"int_max", Value::Int(std::numeric_limits<int64_t>::max())},
      {"int_zero", Value::Int(0)},
      {"double_zero", Value::Double(0.0)},
      {"double_neg_zero", Value::Double(-0.0)},
      {"double_nan", Value::Double(std::numeric_limits<double>::quiet_NaN())},
      {"double_inf", Value::Double(std::numeric_limits<double>::infinity())},
      {"double_neg_inf", Value::Double(-std::numeric_limits<double>::infinity())},
      {"double_denorm", Value::Double(std::numeric_limits<double>::denorm_min())},
      {"double_max", Value::Double(std::numeric_limits<double>::max())},
      {"string_empty", Value::String("")},
      {"string_nul", Value::String(std::string("a\0b", 3))},
      {"string_bad_utf8", Value::String("\xff\xfe\xc3")},
      {"string_utf8", Value::String("caf\xc3\xa9 \xe2\x9c\x93")},
      {"bytes_empty", Value::BytesValue("")},
      {"bytes_all", Value::BytesValue(all_bytes)},
  };
}

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_VALUE_SAMPLES_H_
