// What the command-line tests expect of a tool run as a process: a usage
// error is exit 2 with stderr naming what was wrong.
#ifndef JOURNALDB_TESTS_TOOLS_USAGE_ERROR_H_
#define JOURNALDB_TESTS_TOOLS_USAGE_ERROR_H_

#include <gtest/gtest.h>

#include <string>

#include "support/child_process.h"

namespace journaldb::testing {

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Expects a usage error (exit 2) whose stderr contains `named`.
inline void ExpectUsageError(const ProcessResult& r, const std::string& named) {
  EXPECT_EQ(r.exit_code, 2) << "stderr: " << r.err;
  EXPECT_TRUE(Contains(r.err, named)) << "expected \"" << named << "\" in: " << r.err;
}

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_TOOLS_USAGE_ERROR_H_
