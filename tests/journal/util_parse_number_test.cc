// util::ParseUint64, ParseInt64, ParseDouble (journal/internal/.../util/
// parse_number.h): the whole text or an invalid-argument error naming it.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "journaldb/journal/util/parse_number.h"
#include "support/status_assertions.h"

namespace journaldb::util {
namespace {

using journaldb::testing::HasError;

TEST(UtilParseNumber, Uint64TakesTheWholeRange) {
  EXPECT_EQ(ParseUint64("0").value(), 0u);
  EXPECT_EQ(ParseUint64("42").value(), 42u);
  EXPECT_EQ(ParseUint64("18446744073709551615").value(), std::numeric_limits<uint64_t>::max());
  // Leading zeros are still decimal, not octal.
  EXPECT_EQ(ParseUint64("010").value(), 10u);
}

TEST(UtilParseNumber, Uint64OverflowIsARangeError) {
  EXPECT_TRUE(HasError(ParseUint64("18446744073709551616").status(),
                       StatusCode::kInvalidArgument,
                       {"18446744073709551616", "outside the uint64 range"}));
}

TEST(UtilParseNumber, Uint64RejectsSignsGarbageWhitespaceAndEmpty) {
  for (std::string_view bad : {"", "-1", "+1", "12x", " 1", "1 ", "4 2", "0x10", "x", "1.0"})
    EXPECT_TRUE(HasError(ParseUint64(bad).status(), StatusCode::kInvalidArgument,
                         {"is not an unsigned decimal number"}))
        << "'" << bad << "'";
}

TEST(UtilParseNumber, Int64TakesEitherSignAndTheWholeRange) {
  EXPECT_EQ(ParseInt64("5").value(), 5);
  EXPECT_EQ(ParseInt64("+5").value(), 5);
  EXPECT_EQ(ParseInt64("-5").value(), -5);
  EXPECT_EQ(ParseInt64("-1").value(), -1);
  EXPECT_EQ(ParseInt64("-9223372036854775808").value(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseInt64("9223372036854775807").value(), std::numeric_limits<int64_t>::max());
}

TEST(UtilParseNumber, Int64OutsideTheRangeIsARangeError) {
  for (std::string_view big : {"9223372036854775808", "-9223372036854775809", "+9223372036854775808"})
    EXPECT_TRUE(HasError(ParseInt64(big).status(), StatusCode::kInvalidArgument,
                         {big, "outside the int64 range"}))
        << big;
}

TEST(UtilParseNumber, Int64RejectsGarbage) {
  for (std::string_view bad :
       {"", "+", "-", "+-5", "-+5", "--5", "1.5", "5x", "12x", " 5", "5 ", "0x10", "abc"})
    EXPECT_TRUE(HasError(ParseInt64(bad).status(), StatusCode::kInvalidArgument,
                         {"is not a decimal integer"}))
        << "'" << bad << "'";
}

TEST(UtilParseNumber, DoubleReadsDecimalAndExponentForms) {
  EXPECT_EQ(ParseDouble("1.5").value(), 1.5);
  EXPECT_EQ(ParseDouble("-2").value(), -2.0);
  EXPECT_EQ(ParseDouble("1e3").value(), 1000.0);
  EXPECT_EQ(ParseDouble("5e-324").value(), std::numeric_limits<double>::denorm_min());
  EXPECT_TRUE(std::signbit(ParseDouble("-0.0").value()));
}

TEST(UtilParseNumber, DoubleOverflowAndUnderflowAreRangeErrors) {
  for (std::string_view bad : {"1e999", "-1e999", "1e-400"})
    EXPECT_TRUE(HasError(ParseDouble(bad).status(), StatusCode::kInvalidArgument,
                         {bad, "outside the double range"}))
        << bad;
}

TEST(UtilParseNumber, DoubleRejectsNonFiniteWordsSignsGarbageAndWhitespace) {
  for (std::string_view bad :
       {"", "-", "nan", "inf", "-inf", "infinity", "+1.5", "1.5x", " 1.5", "1.5 ", "0x1p3", "e5"})
    EXPECT_TRUE(HasError(ParseDouble(bad).status(), StatusCode::kInvalidArgument,
                         {"is not a finite decimal number"}))
        << "'" << bad << "'";
}

}  // namespace
}  // namespace journaldb::util
