// Status and Result (journaldb/status.h): what a caller reads from a failed
// call, and that reading a missing value names the Status instead of
// throwing std::bad_variant_access.
#include "journaldb/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace journaldb {
namespace {

TEST(Result, HoldsAValueAndReportsOk) {
  Result<int> r = 7;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), 7);
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(r.value_or(9), 7);
}

TEST(Result, HoldsTheErrorItWasBuiltFrom) {
  Result<int> r = Status::NotFound("tasks/t1");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_EQ(r.status().message(), "tasks/t1");
  EXPECT_EQ(r.value_or(9), 9);
}

TEST(Result, MovesAMoveOnlyValueOut) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("milk");
  std::unique_ptr<std::string> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, "milk");
  Result<std::unique_ptr<std::string>> failed = Status::IOError("disk");
  EXPECT_EQ(std::move(failed).value_or(nullptr), nullptr);
}

TEST(Result, BuiltFromAnOkStatusIsAnErrorNotAnEmptyValue) {
  Result<int> r = Status::OK();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

TEST(ResultDeathTest, ValueOfAnErrorAbortsNamingTheStatus) {
  Result<int> r = Status::InvalidArgument("/data/app.journaldb is not a directory");
  EXPECT_DEATH((void)r.value(),
               "Result::value\\(\\) on an error: invalid argument: /data/app.journaldb is not a "
               "directory");
  EXPECT_DEATH((void)*r, "invalid argument");
}

TEST(Status, ToStringNamesTheCodeAndTheMessage) {
  EXPECT_EQ(Status::OK().ToString(), "OK");
  EXPECT_EQ(Status::Corruption("lsn 4").ToString(), "corruption: lsn 4");
  EXPECT_EQ(Status::ClientResetRequired("x").ToString(), "client reset required: x");
}

}  // namespace
}  // namespace journaldb
