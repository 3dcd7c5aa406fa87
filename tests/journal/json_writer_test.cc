// JsonWriter (journal/internal/journaldb/journal/json_writer.h): valid JSON
// for any stored bytes and any double, and lossless: different stored bytes
// never read back the same.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "journaldb/journal/json_writer.h"
#include "support/json_checker.h"

namespace journaldb {
namespace {

using journaldb::testing::Json;
using journaldb::testing::ParseJson;

Json MustParse(const std::string& text) {
  std::string error;
  std::optional<Json> j = ParseJson(text, &error);
  EXPECT_TRUE(j.has_value()) << error << " in: " << text;
  return j.value_or(Json{});
}

// The raw bytes FF FE and the text "ÿþ" (U+00FF U+00FE, C3 BF C3 BE in UTF-8).
const std::string kRawBytes = "\xff\xfe";
const std::string kLatinText = "\xc3\xbf\xc3\xbe";

TEST(JsonWriter, NestsWithCommasInTheRightPlaces) {
  JsonWriter w;
  w.BeginObject().Key("a").Int(-1).Key("b").BeginArray().Uint(1).Bool(true).Null();
  w.BeginObject().EndObject().BeginArray().EndArray().EndArray().Key("c").String("x").EndObject();
  EXPECT_EQ(w.str(), R"({"a":-1,"b":[1,true,null,{},[]],"c":"x"})");
  Json j = MustParse(w.str());
  EXPECT_EQ(j["b"].items.size(), 5u);
}

TEST(JsonWriter, FixedPrintsExactlyTheAskedDecimals) {
  JsonWriter w;
  w.BeginArray().Fixed(1.0, 3).Fixed(2.5, 0).Fixed(0.12345, 2).EndArray();
  EXPECT_EQ(w.str(), "[1.000,2,0.12]");
  MustParse(w.str());
}

TEST(JsonWriter, EveryValueTypeIsValidJson) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  FieldMap fields = {
      {"null", Value::Null()},
      {"bool", Value::Bool(false)},
      {"int", Value::Int(std::numeric_limits<int64_t>::min())},
      {"double", Value::Double(2.0)},
      {"nan", Value::Double(nan)},
      {"inf", Value::Double(inf)},
      {"ninf", Value::Double(-inf)},
      {"string", Value::String("tab\there \"q\" \\ \x01 \x7f é")},
      {"bad_utf8", Value::String("\xc3(\xff")},
      {"bytes", Value::BytesValue(std::string("\x00\xff", 2))},
      {"name\nwith\x1b[31m", Value::Int(1)},
  };
  JsonWriter w;
  w.Fields(fields);
  Json j = MustParse(w.str());
  EXPECT_TRUE(j["null"].is_null());
  EXPECT_EQ(j["int"].number, "-9223372036854775808");
  EXPECT_EQ(j["double"].number, "2.0");
  EXPECT_EQ(j["nan"]["double"].string, "nan");
  EXPECT_EQ(j["inf"]["double"].string, "inf");
  EXPECT_EQ(j["ninf"]["double"].string, "-inf");
  EXPECT_EQ(j["string"].string, "tab\there \"q\" \\ \x01 \x7f é");
  EXPECT_EQ(j["bad_utf8"]["base64"].string, "wyj/");
  EXPECT_EQ(j["bytes"]["bytes"].string, "AP8=");
  EXPECT_TRUE(j.has("name\nwith\x1b[31m"));
}

TEST(JsonWriter, RawBytesAndTheTextTheyWouldEscapeToPrintDifferently) {
  JsonWriter raw, text;
  raw.String(kRawBytes);
  text.String(kLatinText);
  EXPECT_EQ(raw.str(), R"({"base64":"//4="})");
  EXPECT_EQ(text.str(), "\"" + kLatinText + "\"");
  Json r = MustParse(raw.str()), t = MustParse(text.str());
  EXPECT_TRUE(r.is_object());
  EXPECT_TRUE(t.is_string());
  EXPECT_EQ(t.string, kLatinText);
}

TEST(JsonWriter, AStringValueThatIsNotUtf8IsNotTakenForABytesValue) {
  JsonWriter w;
  w.BeginArray().FieldValue(Value::String(kRawBytes)).FieldValue(Value::BytesValue(kRawBytes));
  w.EndArray();
  EXPECT_EQ(w.str(), R"([{"base64":"//4="},{"bytes":"//4="}])");
}

TEST(JsonWriter, FieldNamesThatAreNotUtf8TurnTheMapIntoAnArrayOfNamedValues) {
  JsonWriter w;
  w.Fields({{kRawBytes, Value::Int(1)}, {kLatinText, Value::Int(2)}});
  Json j = MustParse(w.str());
  ASSERT_TRUE(j.is_array()) << w.str();
  ASSERT_EQ(j.items.size(), 2u);
  // Field-name order: C3 sorts before FF.
  EXPECT_EQ(j[0]["name"].string, kLatinText);
  EXPECT_EQ(j[0]["value"].number, "2");
  EXPECT_EQ(j[1]["name"]["base64"].string, "//4=");
  EXPECT_EQ(j[1]["value"].number, "1");
}

TEST(JsonWriter, AnEmptyFieldMapIsAnEmptyObject) {
  JsonWriter w;
  w.Fields({});
  EXPECT_EQ(w.str(), "{}");
}

}  // namespace
}  // namespace journaldb
