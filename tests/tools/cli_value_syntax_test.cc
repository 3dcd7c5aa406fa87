// Value syntax of `journal put` (tools/cli/value_syntax.h, docs/cli.md).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "value_syntax.h"

namespace journaldb::cli {
namespace {

Value Typed(std::string_view text) {
  Result<Value> v = ParseTypedValue(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? *v : Value::String("<error>");
}

TEST(CliValueSyntax, KeywordsAreNullAndBooleans) {
  EXPECT_EQ(Typed("null"), Value::Null());
  EXPECT_EQ(Typed("true"), Value::Bool(true));
  EXPECT_EQ(Typed("false"), Value::Bool(false));
  // Only the lower-case JSON spellings are keywords.
  EXPECT_EQ(Typed("True"), Value::String("True"));
  EXPECT_EQ(Typed("NULL"), Value::String("NULL"));
}

TEST(CliValueSyntax, JsonIntegersAreInt64) {
  EXPECT_EQ(Typed("42"), Value::Int(42));
  EXPECT_EQ(Typed("-5"), Value::Int(-5));
  EXPECT_EQ(Typed("0"), Value::Int(0));
  EXPECT_EQ(Typed("-0"), Value::Int(0));
  EXPECT_EQ(Typed("9223372036854775807"), Value::Int(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(Typed("-9223372036854775808"), Value::Int(std::numeric_limits<int64_t>::min()));
}

TEST(CliValueSyntax, IntegersOutsideInt64AreAnErrorNotAString) {
  for (std::string_view text :
       {"9223372036854775808", "-9223372036854775809", "99999999999999999999"}) {
    Result<Value> v = ParseTypedValue(text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_TRUE(v.status().IsInvalidArgument());
    EXPECT_NE(v.status().message().find("int64"), std::string::npos);
    EXPECT_NE(v.status().message().find(":="), std::string::npos) << "hint at the string form";
  }
}

TEST(CliValueSyntax, JsonRealsAreDoubles) {
  EXPECT_EQ(Typed("1.5"), Value::Double(1.5));
  EXPECT_EQ(Typed("-0.5"), Value::Double(-0.5));
  EXPECT_EQ(Typed("1e3"), Value::Double(1000.0));
  EXPECT_EQ(Typed("1E3"), Value::Double(1000.0));
  EXPECT_EQ(Typed("1.5e-3"), Value::Double(0.0015));
  EXPECT_EQ(Typed("2e+2"), Value::Double(200.0));
  EXPECT_EQ(Typed("0.1"), Value::Double(0.1));
  Value negative_zero = Typed("-0.0");
  ASSERT_EQ(negative_zero.type(), ValueType::kDouble);
  EXPECT_TRUE(std::signbit(negative_zero.as_double()));
  // Subnormals are representable and keep their value.
  EXPECT_EQ(Typed("5e-324"), Value::Double(5e-324));
}

TEST(CliValueSyntax, RealsADoubleCannotHoldAreAnError) {
  for (std::string_view text : {"1e999", "-1e999", "1e-400"}) {
    Result<Value> v = ParseTypedValue(text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_TRUE(v.status().IsInvalidArgument());
  }
}

TEST(CliValueSyntax, EverythingElseIsTheStringUnchanged) {
  for (std::string_view text :
       {"",    "hello", "+1",       "007",  "00",         "-007", "1.",  ".5",       "1e",
        "1e+", "-",     "--5",      "0x10", "1_000",      " 42",  "42 ", "nan",      "NaN",
        "inf", "-inf",  "Infinity", "1,5",  "\"quoted\"", "{}",   "[]",  "\xff\xfe", "t1"}) {
    EXPECT_EQ(Typed(text), Value::String(std::string(text))) << "'" << text << "'";
  }
}

TEST(CliValueSyntax, AssignmentSplitsAtTheFirstEquals) {
  Result<FieldAssignment> a = ParseFieldAssignment("views=42");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->field, "views");
  EXPECT_EQ(a->value, Value::Int(42));

  a = ParseFieldAssignment("url=http://x/?a=b");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->field, "url");
  EXPECT_EQ(a->value, Value::String("http://x/?a=b"));

  a = ParseFieldAssignment("a==b");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->field, "a");
  EXPECT_EQ(a->value, Value::String("=b"));

  a = ParseFieldAssignment("note=");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->value, Value::String(""));

  // A ':' that is not right before the '=' is part of the field name.
  a = ParseFieldAssignment("a:b=1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->field, "a:b");
  EXPECT_EQ(a->value, Value::Int(1));
}

TEST(CliValueSyntax, ColonEqualsForcesAString) {
  for (auto [arg, field, text] :
       {std::tuple{"zip:=01234", "zip", "01234"}, std::tuple{"n:=42", "n", "42"},
        std::tuple{"b:=true", "b", "true"}, std::tuple{"z:=null", "z", "null"},
        std::tuple{"d:=1.5", "d", "1.5"}, std::tuple{"e:=", "e", ""},
        std::tuple{"big:=99999999999999999999", "big", "99999999999999999999"},
        std::tuple{"s:=:=x", "s", ":=x"}}) {
    Result<FieldAssignment> a = ParseFieldAssignment(arg);
    ASSERT_TRUE(a.ok()) << arg;
    EXPECT_EQ(a->field, field) << arg;
    EXPECT_EQ(a->value, Value::String(text)) << arg;
  }
}

TEST(CliValueSyntax, MalformedAssignmentsAreInvalidArguments) {
  for (std::string_view arg : {"views", "", "=5", ":=x", ":=", "="}) {
    Result<FieldAssignment> a = ParseFieldAssignment(arg);
    ASSERT_FALSE(a.ok()) << "'" << arg << "'";
    EXPECT_TRUE(a.status().IsInvalidArgument());
  }
  Result<FieldAssignment> a = ParseFieldAssignment("n=1e999");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("field n"), std::string::npos) << a.status().message();
}

// A reader for assignments that name no file: any call is a test failure.
Result<Value> NoFile(std::string_view file) {
  ADD_FAILURE() << "unexpected read of " << file;
  return Status::NotFound("no file");
}

TEST(CliValueSyntax, AFieldGivenTwiceIsRejected) {
  EXPECT_FALSE(ParseFieldAssignments({"a=1", "a=2"}, NoFile).ok());
  EXPECT_FALSE(ParseFieldAssignments({"a=1", "a:=1"}, NoFile).ok());
  Result<FieldMap> ok = ParseFieldAssignments({"a=1", "b:=1", "c=x"}, NoFile);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok,
            (FieldMap{{"a", Value::Int(1)}, {"b", Value::String("1")}, {"c", Value::String("x")}}));
}

TEST(CliValueSyntax, AnAtValueNamesAFileToReadAndColonEqualsKeepsTheText) {
  Result<FieldAssignment> a = ParseFieldAssignment("body=@notes.txt");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->field, "body");
  EXPECT_EQ(a->file, std::optional<std::string>("notes.txt"));
  a = ParseFieldAssignment("handle:=@bob");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->file.has_value());
  EXPECT_EQ(a->value, Value::String("@bob"));
  EXPECT_FALSE(ParseFieldAssignment("x=@").ok());

  std::vector<std::string> read;
  auto reader = [&read](std::string_view file) -> Result<Value> {
    read.emplace_back(file);
    if (file == "missing") return Status::NotFound("no file \"missing\"");
    return Value::String("contents of " + std::string(file));
  };
  Result<FieldMap> m = ParseFieldAssignments({"a=@f1", "b=@-", "c=1"}, reader);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, (FieldMap{{"a", Value::String("contents of f1")},
                          {"b", Value::String("contents of -")},
                          {"c", Value::Int(1)}}));
  EXPECT_EQ(read, (std::vector<std::string>{"f1", "-"}));

  Result<FieldMap> missing = ParseFieldAssignments({"a=@missing"}, reader);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("field a"), std::string::npos);
  EXPECT_FALSE(ParseFieldAssignments({"a=@-", "b=@-"}, reader).ok());
}

// The list commands' VALUE stands alone: typed as put types it, --string
// (as_string) keeps the text, @FILE reads a file; the errors name VALUE and
// --string, not put's FIELD:=.
TEST(CliValueSyntax, AValueArgumentIsTypedAsPutTypesIt) {
  auto reader = [](std::string_view file) -> Result<Value> {
    if (file == "missing") return Status::NotFound("no file \"missing\"");
    return Value::String("contents of " + std::string(file));
  };
  EXPECT_EQ(ParseValueArgument("42", false, NoFile).value(), Value::Int(42));
  EXPECT_EQ(ParseValueArgument("1.5", false, NoFile).value(), Value::Double(1.5));
  EXPECT_EQ(ParseValueArgument("null", false, NoFile).value(), Value::Null());
  EXPECT_EQ(ParseValueArgument("milk", false, NoFile).value(), Value::String("milk"));
  EXPECT_EQ(ParseValueArgument("42", true, NoFile).value(), Value::String("42"));
  EXPECT_EQ(ParseValueArgument("@f1", true, NoFile).value(), Value::String("@f1"));
  EXPECT_EQ(ParseValueArgument("@f1", false, reader).value(), Value::String("contents of f1"));

  Result<Value> missing = ParseValueArgument("@missing", false, reader);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_EQ(missing.status().message(), "VALUE: no file \"missing\"");
  Result<Value> huge = ParseValueArgument("1e999", false, NoFile);
  ASSERT_FALSE(huge.ok());
  EXPECT_TRUE(huge.status().IsInvalidArgument());
  EXPECT_NE(huge.status().message().find("--string"), std::string::npos);
  EXPECT_TRUE(
      ParseValueArgument("99999999999999999999", false, NoFile).status().IsInvalidArgument());
  EXPECT_TRUE(ParseValueArgument("@", false, NoFile).status().IsInvalidArgument());
  EXPECT_EQ(ParseValueArgument("1e999", true, NoFile).value(), Value::String("1e999"));
}

}  // namespace
}  // namespace journaldb::cli
