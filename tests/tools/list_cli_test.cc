// The list commands of the `journal` binary (list-insert, list-remove,
// list-set, list-move) and how get, ls and log show lists (docs/cli.md,
// "Lists"): each case runs the real program and checks its output, exit code
// and the list it left, read back through the embedding API.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <fstream>

#include "journal_cli_test.h"
#include "journaldb/database.h"
#include "support/child_process.h"
#include "support/json_checker.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

using testing::Json;
using testing::ProcessResult;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A present element as the test expects it: its id as printed, its value.
struct Element {
  std::string id;
  Value value;
  friend bool operator==(const Element&, const Element&) = default;
};

std::ostream& operator<<(std::ostream& os, const Element& e) {
  return os << e.id << "=" << e.value.ToString();
}

class ListCli : public testing::JournalCliTest {
 protected:
  // Runs a command that prints one element id and returns the id.
  std::string Id(const std::vector<std::string>& args) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 0) << args.front() << ": " << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_TRUE(r.out.ends_with("\n")) << r.out;
    std::string id = r.out.substr(0, r.out.size() - (r.out.ends_with("\n") ? 1 : 0));
    EXPECT_TRUE(ElementId::Parse(id).has_value()) << "not an element id: " << r.out;
    return id;
  }

  void ExpectOk(const std::vector<std::string>& args, const std::string& expected_out) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 0) << args.front() << ": " << r.err;
    EXPECT_EQ(r.out, expected_out);
    EXPECT_EQ(r.err, "");
  }

  // The present elements of lists/l1's `field`, through the embedding API.
  std::vector<Element> Present(const std::string& field = "items") {
    Options options;
    options.read_only = true;
    options.create_if_missing = false;
    Result<std::unique_ptr<Database>> db = Database::Open(db_, options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return {};
    Result<Value> list = (*db)->GetField("lists", "l1", field);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (!list.ok()) return {};
    EXPECT_EQ(list->type(), ValueType::kList);
    if (list->type() != ValueType::kList) return {};
    std::vector<Element> out;
    for (const ListElement& e : list->as_list().elements)
      if (!e.removed) out.push_back({e.id.ToString(), e.value});
    return out;
  }

  std::string LastLsn() { return JournalJson({"info", db_})["last_lsn"].number; }

  testing::TempDir dir_;
  const std::string db_ = dir_.Sub("app.db");
};

// Every command and position, each checked against the list it leaves:
// inserts at the end, the head and after an element; a set; moves to the
// end, after an element and to the head, also by an old id; a remove.
TEST_F(ListCli, CommandsEditTheListElementByElement) {
  ExpectOk({"put", db_, "lists", "l1", "title=groceries"}, "committed lsn 1\n");
  const std::string milk = Id({"list-insert", db_, "lists", "l1", "items", "milk"});
  const std::string eggs = Id({"list-insert", db_, "lists", "l1", "items", "eggs"});
  const std::string two = Id({"list-insert", db_, "lists", "l1", "items", "2", "--head"});
  const std::string flour =
      Id({"list-insert", db_, "lists", "l1", "items", "flour", "--after", milk});
  const std::string text = Id({"list-insert", db_, "lists", "l1", "items", "42", "--string"});
  const std::string file = dir_.Sub("note.txt");
  std::ofstream(file) << "from a file\n";
  const std::string note = Id({"list-insert", db_, "lists", "l1", "items", "@" + file});
  EXPECT_EQ(Present(), (std::vector<Element>{{two, Value::Int(2)},
                                             {milk, Value::String("milk")},
                                             {flour, Value::String("flour")},
                                             {eggs, Value::String("eggs")},
                                             {text, Value::String("42")},
                                             {note, Value::String("from a file\n")}}));

  ExpectOk({"list-set", db_, "lists", "l1", "items", eggs, "free range eggs"}, "committed lsn 8\n");
  Json set = JournalJson({"list-set", db_, "lists", "l1", "items", note, "1.5"});
  EXPECT_EQ(set["lsn"].number, "9");
  ExpectOk({"list-remove", db_, "lists", "l1", "items", text}, "committed lsn 10\n");

  // Without a position a move goes to the end; the element gets a new id.
  const std::string two_moved = Id({"list-move", db_, "lists", "l1", "items", two});
  EXPECT_NE(two_moved, two);
  Json moved = JournalJson({"list-move", db_, "lists", "l1", "items", milk, "--after", two_moved});
  EXPECT_EQ(moved["lsn"].number, "12");
  const std::string milk_moved = moved["moved_to"].string;
  EXPECT_TRUE(ElementId::Parse(milk_moved).has_value()) << milk_moved;
  const std::string note_moved = Id({"list-move", db_, "lists", "l1", "items", note, "--head"});
  // The old id still names the moved element.
  ExpectOk({"list-set", db_, "lists", "l1", "items", two, "two"}, "committed lsn 14\n");
  // Moving the last element to the end keeps the order (it does not follow
  // itself), by its current id as by an old one.
  const std::string milk_again = Id({"list-move", db_, "lists", "l1", "items", milk_moved});
  const std::string milk_last = Id({"list-move", db_, "lists", "l1", "items", milk});
  EXPECT_NE(milk_last, milk_again);
  EXPECT_EQ(Present(), (std::vector<Element>{{note_moved, Value::Double(1.5)},
                                             {flour, Value::String("flour")},
                                             {eggs, Value::String("free range eggs")},
                                             {two_moved, Value::String("two")},
                                             {milk_last, Value::String("milk")}}));
  ExpectOk({"verify", db_}, "ok: 16 journal entries and 1 objects checked\n");
}

TEST_F(ListCli, GetShowsEachElementWithItsIdAndJsonCarriesTheIds) {
  ASSERT_EQ(Journal({"put", db_, "lists", "l1", "title=groceries"}).exit_code, 0);
  const std::string milk = Id({"list-insert", db_, "lists", "l1", "items", "milk"});
  const std::string two = Id({"list-insert", db_, "lists", "l1", "items", "2"});
  const std::string gone = Id({"list-insert", db_, "lists", "l1", "items", "gone"});
  ASSERT_EQ(Journal({"list-remove", db_, "lists", "l1", "items", gone}).exit_code, 0);
  const std::string only = Id({"list-insert", db_, "lists", "l1", "empty", "x"});
  ASSERT_EQ(Journal({"list-remove", db_, "lists", "l1", "empty", only}).exit_code, 0);

  ExpectOk({"get", db_, "lists", "l1"}, fmt::format("lists/l1\n"
                                                    "  empty  []\n"
                                                    "  items  [\n"
                                                    "    {}  \"milk\"\n"
                                                    "    {}  2\n"
                                                    "  ]\n"
                                                    "  title  \"groceries\"\n",
                                                    milk, two));
  Json got = JournalJson({"get", db_, "lists", "l1"});
  const Json& items = got["fields"]["items"]["list"];
  ASSERT_EQ(items.items.size(), 2u) << "a removed element is not shown";
  EXPECT_EQ(items[0]["id"].string, milk);
  EXPECT_EQ(items[0]["value"].string, "milk");
  EXPECT_EQ(items[1]["id"].string, two);
  EXPECT_EQ(items[1]["value"].number, "2");
  EXPECT_TRUE(got["fields"]["empty"]["list"].is_array());
  EXPECT_TRUE(got["fields"]["empty"]["list"].items.empty());

  ExpectOk({"ls", db_, "lists"}, "l1  empty=[] items=[\"milk\", 2] title=\"groceries\"\n");
  Json listed = JournalJson({"ls", db_, "lists"});
  EXPECT_EQ(listed["objects"][0]["fields"]["items"]["list"][1]["id"].string, two);
}

TEST_F(ListCli, LogShowsListOpsAndTheListsBeforeThem) {
  ASSERT_EQ(Journal({"put", db_, "other", "o1"}).exit_code, 0);
  const std::string milk = Id({"list-insert", db_, "lists", "l1", "items", "milk"});
  const std::string eggs = Id({"list-insert", db_, "lists", "l1", "items", "eggs"});
  ASSERT_EQ(Journal({"list-set", db_, "lists", "l1", "items", eggs, "3"}).exit_code, 0);
  const std::string moved = Id({"list-move", db_, "lists", "l1", "items", eggs, "--head"});
  ASSERT_EQ(Journal({"list-remove", db_, "lists", "l1", "items", milk}).exit_code, 0);

  ProcessResult r = Journal({"log", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& line : {
           fmt::format("  list-insert lists/l1 items {}=\"milk\" at the head\n"
                       "  before lists/l1 items: absent (no object)\n",
                       milk),
           fmt::format("  list-insert lists/l1 items {}=\"eggs\" after {}\n"
                       "  before lists/l1 items: [{}=\"milk\"]\n",
                       eggs, milk, milk),
           fmt::format("  list-set lists/l1 items {}=3\n"
                       "  before lists/l1 items: [{}=\"milk\", {}=\"eggs\"]\n",
                       eggs, milk, eggs),
           fmt::format("  list-move lists/l1 items {} at the head as {}\n"
                       "  before lists/l1 items: [{}=\"milk\", {}=3]\n",
                       eggs, moved, milk, eggs),
           fmt::format("  list-remove lists/l1 items {}\n"
                       "  before lists/l1 items: [{}=3, {}=\"milk\"]\n",
                       milk, moved, milk),
       })
    EXPECT_TRUE(Contains(r.out, line)) << "missing:\n" << line << "in:\n" << r.out;

  Json log = JournalJson({"log", db_});
  ASSERT_EQ(log["entries"].items.size(), 6u);
  const Json& insert = log["entries"][2]["ops"][0];
  EXPECT_EQ(insert["kind"].string, "list-insert");
  EXPECT_EQ(insert["field"].string, "items");
  EXPECT_EQ(insert["element"].string, eggs);
  EXPECT_EQ(insert["after"].string, milk);
  EXPECT_EQ(insert["value"].string, "eggs");
  EXPECT_TRUE(log["entries"][1]["ops"][0]["after"].is_null());
  EXPECT_EQ(log["entries"][3]["ops"][0]["value"].number, "3");
  const Json& move = log["entries"][4]["ops"][0];
  EXPECT_EQ(move["kind"].string, "list-move");
  EXPECT_EQ(move["element"].string, eggs);
  EXPECT_TRUE(move["after"].is_null());
  EXPECT_EQ(move["moved_to"].string, moved);
  EXPECT_EQ(log["entries"][5]["ops"][0]["kind"].string, "list-remove");
  const Json& before = log["entries"][4]["before"][0];
  EXPECT_EQ(before["field"].string, "items");
  EXPECT_TRUE(before["field_existed"].boolean);
  ASSERT_EQ(before["value"]["list"].items.size(), 2u);
  EXPECT_EQ(before["value"]["list"][0]["id"].string, milk);
  EXPECT_EQ(before["value"]["list"][1]["id"].string, eggs);
  EXPECT_EQ(before["value"]["list"][1]["value"].number, "3");
  EXPECT_FALSE(log["entries"][1]["before"][0]["object_existed"].boolean);
}

// A wrong id or type fails naming it and writes nothing (exit 1); an id that
// is not an id at all is a usage error (exit 2), before anything is opened.
TEST_F(ListCli, ErrorsNameTheIdOrTypeAndWriteNothing) {
  ASSERT_EQ(Journal({"put", db_, "lists", "l1", "title=groceries"}).exit_code, 0);
  const std::string milk = Id({"list-insert", db_, "lists", "l1", "items", "milk"});
  const std::string gone = Id({"list-insert", db_, "lists", "l1", "items", "gone"});
  ASSERT_EQ(Journal({"list-remove", db_, "lists", "l1", "items", gone}).exit_code, 0);
  const std::string unknown = "99.00000000000000ff";
  const std::string lsn = LastLsn();
  ASSERT_EQ(lsn, "4");

  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string json_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"list-remove", db_, "lists", "l1", "items", unknown},
       1,
       "not_found",
       "list-remove lists/\"l1\".items: no element " + unknown + " in the list"},
      {{"list-remove", db_, "lists", "l1", "items", gone},
       1,
       "not_found",
       "no element " + gone + " in the list (it was removed)"},
      {{"list-set", db_, "lists", "l1", "items", unknown, "x"},
       1,
       "not_found",
       "no element " + unknown},
      {{"list-set", db_, "lists", "l1", "items", gone, "x"}, 1, "not_found", "(it was removed)"},
      {{"list-move", db_, "lists", "l1", "items", unknown},
       1,
       "not_found",
       "no element " + unknown},
      {{"list-move", db_, "lists", "l1", "items", milk, "--after", unknown},
       1,
       "not_found",
       "no element " + unknown},
      {{"list-insert", db_, "lists", "l1", "items", "x", "--after", unknown},
       1,
       "not_found",
       "no element " + unknown},
      {{"list-insert", db_, "lists", "l1", "items", "x", "--after", gone},
       1,
       "not_found",
       "no element " + gone},
      {{"list-set", db_, "lists", "l2", "items", milk, "x"}, 1, "not_found", "(there is no list)"},
      {{"list-insert", db_, "lists", "l1", "title", "x"},
       1,
       "invalid_argument",
       "list-insert lists/\"l1\".title: the field holds a string value, not a list"},
      {{"list-remove", db_, "lists", "l1", "title", milk}, 1, "invalid_argument", "not a list"},
      {{"list-set", db_, "lists", "l1", "title", milk, "x"}, 1, "invalid_argument", "not a list"},
      {{"list-move", db_, "lists", "l1", "title", milk}, 1, "invalid_argument", "not a list"},
      {{"list-remove", db_, "lists", "l1", "items", "3"},
       2,
       "usage",
       "ID must be an element id, COUNTER.REPLICA as `journal get` shows them (e.g. "
       "3.00c0ffee00c0ffee), got 3"},
      {{"list-set", db_, "lists", "l1", "items", milk + "0", "x"},
       2,
       "usage",
       "ID must be an element id"},
      {{"list-move", db_, "lists", "l1", "items", milk, "--after", "head"},
       2,
       "usage",
       "--after must be an element id"},
      {{"list-insert", db_, "lists", "l1", "items", "x", "--after", "milk"},
       2,
       "usage",
       "--after must be an element id"},
      {{"list-insert", db_, "lists", "l1", "items", "x", "--after", milk, "--head"},
       2,
       "usage",
       "--after and --head exclude each other"},
  };
  for (const Case& c : cases) {
    std::string joined;
    for (size_t i = 0; i < c.args.size(); ++i) joined += (i ? " " : "") + c.args[i];
    ProcessResult r = Journal(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << joined << "\n" << r.err;
    EXPECT_EQ(r.out, "") << joined;
    EXPECT_TRUE(Contains(r.err, c.message)) << joined << "\nwant: " << c.message << "\n" << r.err;
    Json j = JournalJson(c.args, c.exit_code);
    EXPECT_EQ(j["error"]["code"].string, c.json_code) << joined;
  }
  EXPECT_EQ(LastLsn(), lsn) << "a failed list command wrote an entry";
  EXPECT_EQ(Present(), (std::vector<Element>{{milk, Value::String("milk")}}));

  // A missing database is named and not created.
  const std::string typo = dir_.Sub("typo.db");
  ProcessResult r = Journal({"list-insert", typo, "lists", "l1", "items", "x"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "no database at " + typo)) << r.err;
  EXPECT_FALSE(boost::filesystem::exists(typo));
}

}  // namespace
}  // namespace journaldb
