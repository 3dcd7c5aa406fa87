// HasError: a gtest predicate that a status failed with a given code and that
// its message names what was wrong (an lsn, key or path).
//
//   EXPECT_TRUE(HasError(s, StatusCode::kCorruption, {"lsn 2"}));
//
// Include gtest/gtest.h first.
#ifndef JOURNALDB_TESTS_SUPPORT_STATUS_ASSERTIONS_H_
#define JOURNALDB_TESTS_SUPPORT_STATUS_ASSERTIONS_H_

#include <gtest/gtest.h>

#include <initializer_list>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::testing {

inline ::testing::AssertionResult HasError(const Status& s, StatusCode code,
                                           std::initializer_list<std::string_view> needles) {
  if (s.code() != code)
    return ::testing::AssertionFailure()
           << "expected " << StatusCodeName(code) << ", got " << s.ToString();
  for (std::string_view n : needles)
    if (s.message().find(n) == std::string::npos)
      return ::testing::AssertionFailure() << "message lacks '" << n << "': " << s.ToString();
  return ::testing::AssertionSuccess();
}

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_STATUS_ASSERTIONS_H_
