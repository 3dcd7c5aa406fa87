// Output helpers of the `journal` CLI: JSON documents are valid for any
// value, human display forms are unambiguous (tools/cli/output.h).
#include <gtest/gtest.h>

#include <limits>

#include "support/json_checker.h"
#include "output.h"
#include "progress_bar.h"

namespace journaldb::cli {
namespace {

using journaldb::testing::Json;
using journaldb::testing::ParseJson;

Json MustParse(const std::string& text) {
  std::string error;
  std::optional<Json> j = ParseJson(text, &error);
  EXPECT_TRUE(j.has_value()) << error << " in: " << text;
  return j.value_or(Json{});
}

TEST(CliJsonWriter, EntriesCarryCursorsOpsAndBeforeImages) {
  JournalEntry e;
  e.lsn = 7;
  e.download_cursor = 3;
  e.epoch = 2;
  e.client_id = 9;
  e.commit_time_us = 1'000'000;
  e.ops.push_back(Operation::Increment("tasks", "t1", "views", -2));
  e.ops.push_back(Operation::EraseObject("tasks", "t2"));
  e.before.push_back({"tasks", "t1", "views", true, Value::Int(5)});
  e.before.push_back({"tasks", "t1", "gone", true, std::nullopt});
  JsonWriter w;
  WriteEntryJson(w, e);
  Json j = MustParse(w.str());
  EXPECT_EQ(j["lsn"].number, "7");
  EXPECT_EQ(j["download_cursor"].number, "3");
  EXPECT_EQ(j["epoch"].number, "2");
  EXPECT_EQ(j["client_id"].number, "9");
  EXPECT_EQ(j["commit_time"].string, "1970-01-01T00:00:01.000000Z");
  EXPECT_EQ(j["ops"][0]["kind"].string, "increment");
  EXPECT_EQ(j["ops"][0]["delta"].number, "-2");
  EXPECT_EQ(j["ops"][1]["kind"].string, "erase-object");
  EXPECT_FALSE(j["ops"][1].has("field"));
  EXPECT_EQ(j["before"][0]["value"].number, "5");
  EXPECT_EQ(j["before"][1]["field_existed"].boolean, false);
  EXPECT_FALSE(j["before"][1].has("value"));
}

TEST(CliDisplay, PlainNamesAsTypedOthersQuoted) {
  EXPECT_EQ(DisplayName("t1"), "t1");
  EXPECT_EQ(DisplayName("café"), "café");
  EXPECT_EQ(DisplayName("a b"), R"("a b")");
  EXPECT_EQ(DisplayName("a=b"), R"("a=b")");
  EXPECT_EQ(DisplayName("a/b"), R"("a/b")");
  EXPECT_EQ(DisplayName(""), R"("")");
  EXPECT_EQ(DisplayName("\x1b[31m"), R"("\u001b[31m")");
  EXPECT_EQ(DisplayName("\xff"), R"("\u00ff")");
  EXPECT_EQ(DisplayTarget("tasks", "my key"), R"(tasks/"my key")");
  EXPECT_EQ(DisplayFields({{"a", Value::Int(1)}, {"b c", Value::String("x")}}), R"(a=1 "b c"="x")");
}

TEST(CliDisplay, ValuesAndOperationsOnOneLine) {
  EXPECT_EQ(DisplayValue(Value::String("nan")), R"("nan")");
  EXPECT_EQ(DisplayValue(Value::Double(std::numeric_limits<double>::quiet_NaN())), "nan");
  EXPECT_EQ(DisplayValue(Value::Double(-std::numeric_limits<double>::infinity())), "-inf");
  EXPECT_EQ(DisplayValue(Value::Double(1.0)), "1.0");
  EXPECT_EQ(DisplayValue(Value::BytesValue("\x01")), "b64:AQ==");
  EXPECT_EQ(DisplayOperation(Operation::Upsert("tasks", "t 1", {{"a", Value::Int(1)}})),
            R"(upsert tasks/"t 1" a=1)");
  EXPECT_EQ(DisplayOperation(Operation::Upsert("tasks", "t1", {})), "upsert tasks/t1");
  EXPECT_EQ(DisplayOperation(Operation::EraseField("tasks", "t1", "done")),
            "erase-field tasks/t1 done");
  EXPECT_EQ(DisplayOperation(Operation::EraseObject("tasks", "t1")), "erase-object tasks/t1");
  EXPECT_EQ(DisplayOperation(Operation::Increment("tasks", "t1", "views", -3)),
            "increment tasks/t1 views -3");
  EXPECT_EQ(DisplayOperation(Operation::Increment("tasks", "t1", "views", 0)),
            "increment tasks/t1 views +0");
}

Value ListOf(std::vector<ListElement> elements) {
  return Value::ListValue(List{std::move(elements)});
}

// List ops name element ids; a value placed "at the head" or "after ID",
// never "after head".
TEST(CliDisplay, ListOpsNameTheirElementsAndPlaces) {
  const ElementId a{3, 0xc0ffee}, b{4, 0xbeef}, c{5, 0xc0ffee};
  EXPECT_EQ(DisplayOperation(
                Operation::ListInsert("lists", "l1", "items", std::nullopt, a, Value::String("x"))),
            R"(list-insert lists/l1 items 3.0000000000c0ffee="x" at the head)");
  EXPECT_EQ(DisplayOperation(Operation::ListInsert("lists", "l1", "items", a, b, Value::Int(2))),
            "list-insert lists/l1 items 4.000000000000beef=2 after 3.0000000000c0ffee");
  EXPECT_EQ(DisplayOperation(Operation::ListRemove("lists", "l1", "items", a)),
            "list-remove lists/l1 items 3.0000000000c0ffee");
  EXPECT_EQ(DisplayOperation(Operation::ListSet("lists", "l1", "items", a, Value::Bool(true))),
            "list-set lists/l1 items 3.0000000000c0ffee=true");
  EXPECT_EQ(DisplayOperation(Operation::ListMove("lists", "l1", "items", a, b, c)),
            "list-move lists/l1 items 3.0000000000c0ffee after 4.000000000000beef as "
            "5.0000000000c0ffee");
  EXPECT_EQ(DisplayOperation(Operation::ListMove("lists", "l1", "items", a, std::nullopt, c)),
            "list-move lists/l1 items 3.0000000000c0ffee at the head as 5.0000000000c0ffee");
}

// Lists show their present elements; tombstones stay hidden, and element
// values read as any value does (nan, not its JSON form).
TEST(CliDisplay, ListsShowPresentElementsWithOrWithoutIds) {
  const ElementId a{1, 0xa}, b{2, 0xb}, c{3, 0xc};
  Value list = ListOf({{a, Value::String("x"), false, {}},
                       {b, Value::Null(), true, c},
                       {c, Value::Double(std::numeric_limits<double>::quiet_NaN()), false, {}}});
  EXPECT_EQ(DisplayValue(list), R"(["x", nan])");
  EXPECT_EQ(DisplayValueWithIds(list), R"([1.000000000000000a="x", 3.000000000000000c=nan])");
  EXPECT_EQ(DisplayValue(ListOf({})), "[]");
  EXPECT_EQ(DisplayValueWithIds(Value::Int(7)), "7");
}

TEST(CliDisplay, TimesAreUtcWithMicroseconds) {
  EXPECT_EQ(FormatTimeUs(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimeUs(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimeUs(1'795'696'443'123'456), "2026-11-26T12:34:03.123456Z");
}

TEST(CliProgress, BarShowsCountRateAndEta) {
  // 5 of 10 in 2 s: 2.5 per second, 5 left: 2 s.
  EXPECT_EQ(FormatProgress(5, 10, 2.0, "lsn 5"),
            "[###############---------------]  50%  5/10  2.5/s  ETA 0:02  lsn 5");
  // Nothing done yet: no rate to tell.
  EXPECT_EQ(FormatProgress(0, 10, 1.0, "lsn 1"), "[------------------------------]   0%  0/10  lsn 1");
  // 1000 per second shows without decimals; the ETA rounds up.
  EXPECT_EQ(FormatProgress(1000, 3001, 1.0, ""),
            "[#########---------------------]  33%  1000/3001  1000/s  ETA 0:03  ");
  EXPECT_EQ(FormatDuration(59), "0:59");
  EXPECT_EQ(FormatDuration(3725), "1:02:05");
}

}  // namespace
}  // namespace journaldb::cli
