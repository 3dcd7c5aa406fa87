// End-to-end tests of the `journal` binary: each case runs the real program
// (JOURNAL_CLI_PATH) and checks its stdout, stderr, exit code and what it
// left in the database (docs/cli.md).
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <boost/filesystem.hpp>
#include <cmath>
#include <fstream>
#include <limits>

#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "journal_cli_test.h"
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

// Writes `value` under `key` in one column family, bypassing the engine, as a
// damaged disk or a buggy writer would.
void Tamper(const std::string& path, const std::string& family, const std::string& key,
            const std::string& value) {
  // Every family must be opened; take the list from the database itself so
  // layout additions do not break this helper.
  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  ASSERT_TRUE(listed.ok()) << listed.ToString();
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* target = nullptr;
  for (rocksdb::ColumnFamilyHandle* h : handles)
    if (h->GetName() == family) target = h;
  ASSERT_NE(target, nullptr) << family;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  EXPECT_TRUE(db->Put(wo, target, key, value).ok());
  for (rocksdb::ColumnFamilyHandle* h : handles) EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  EXPECT_TRUE(db->Close().ok());
}

// RFC 4648 base64 with padding, as the JSON output writes it; what a script
// does to address a key that is not UTF-8.
std::string Base64Decode(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    size_t v = kAlphabet.find(c);
    EXPECT_NE(v, std::string_view::npos) << text;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

class CliEndToEnd : public testing::JournalCliTest {
 protected:
  void ExpectOk(const std::vector<std::string>& args, const std::string& expected_out) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, expected_out);
    EXPECT_EQ(r.err, "");
  }

  std::unique_ptr<Database> OpenReadOnly() {
    Options options;
    options.read_only = true;
    options.create_if_missing = false;
    auto db = Database::Open(db_, options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  testing::TempDir dir_;
  const std::string db_ = dir_.Sub("app.db");
};

TEST_F(CliEndToEnd, PutStoresTypedValues) {
  ExpectOk({"put", db_, "tasks", "t1", "title=milk", "count=42", "ratio=1.5", "done=true",
            "none=null", "zip:=01234", "neg=-5", "sci=1e3", "plus=+1", "nan=nan"},
           "committed lsn 1\n");
  std::unique_ptr<Database> db = OpenReadOnly();
  ASSERT_NE(db, nullptr);
  Result<Object> obj = db->Get("tasks", "t1");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_EQ(obj->fields, (FieldMap{{"title", Value::String("milk")},
                                   {"count", Value::Int(42)},
                                   {"ratio", Value::Double(1.5)},
                                   {"done", Value::Bool(true)},
                                   {"none", Value::Null()},
                                   {"zip", Value::String("01234")},
                                   {"neg", Value::Int(-5)},
                                   {"sci", Value::Double(1000.0)},
                                   {"plus", Value::String("+1")},
                                   {"nan", Value::String("nan")}}));
}

// A write past the file-size limit (RLIMIT_FSIZE) is an error naming it,
// not a process ended by SIGXFSZ, and the commit it was for is not stored.
TEST_F(CliEndToEnd, AFileSizeLimitIsAnErrorNotASignal) {
  ExpectOk({"put", db_, "notes", "n1", "body=small"}, "committed lsn 1\n");
  const std::string file = dir_.Sub("body.txt");
  std::ofstream(file, std::ios::binary) << std::string(256 * 1024, 'x');
  ProcessResult r = testing::RunProcess({"/usr/bin/prlimit", "--fsize=131072", JOURNAL_CLI_PATH,
                                         "put", db_, "notes", "n2", "body=@" + file});
  EXPECT_EQ(r.signal, 0) << "ended by a signal";
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("File too large"), std::string::npos) << r.err;
  std::unique_ptr<Database> db = OpenReadOnly();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->Get("notes", "n1").ok());
  EXPECT_TRUE(db->Get("notes", "n2").status().IsNotFound());
}

// Output to a pipe whose reader is gone (`journal log DB | head` once head
// exited) is the documented error, not a process ended by SIGPIPE (exit 141
// in a shell, no message), even after a commit: exit 1 and "cannot write the
// output", and the commit stays.
TEST_F(CliEndToEnd, AClosedOutputPipeIsAnErrorNotASignal) {
  ExpectOk({"put", db_, "c", "k", "n=0"}, "committed lsn 1\n");
  testing::SpawnOptions unread;
  unread.stdout_unread = true;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"log", db_}, {"incr", db_, "c", "k", "n", "1"}}) {
    std::vector<std::string> argv = args;
    argv.insert(argv.begin(), JOURNAL_CLI_PATH);
    ProcessResult r = testing::RunProcess(argv, unread);
    EXPECT_EQ(r.signal, 0) << args.front() << " ended by a signal";
    EXPECT_EQ(r.exit_code, 1) << args.front() << ": " << r.err;
    EXPECT_EQ(r.err, "journal: cannot write the output\n") << args.front();
  }
  std::unique_ptr<Database> db = OpenReadOnly();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->GetField("c", "k", "n").value_or(Value::Null()), Value::Int(1));
}

// RocksDB's diagnostic LOG is written first at each open (about 60 KiB of
// options) and last at close: a file-size limit (as a full disk) that it
// reaches drops log lines; RocksDB's own logger ended the process (SIGABRT)
// at open or at close, after the commit was stored. Each `incr` either
// commits and exits 0, or fails naming the limit having committed nothing.
TEST_F(CliEndToEnd, AnInfoLogPastTheFileSizeLimitLosesLinesNotTheProcess) {
  ExpectOk({"put", db_, "c", "k", "n=0"}, "committed lsn 1\n");
  int64_t committed = 0;
  for (const char* limit : {"1024", "4096", "16384", "32768", "65536"}) {
    ProcessResult r = testing::RunProcess({"/usr/bin/prlimit", std::string("--fsize=") + limit,
                                           JOURNAL_CLI_PATH, "incr", db_, "c", "k", "n", "1"});
    ASSERT_EQ(r.signal, 0) << "ended by a signal at a limit of " << limit << " bytes: " << r.err;
    if (r.exit_code == 0) {
      ++committed;
    } else {
      EXPECT_EQ(r.exit_code, 1) << r.err;
      EXPECT_TRUE(Contains(r.err, "File too large")) << r.err;
    }
  }
  EXPECT_GE(committed, 3);  // the LOG reached the limit of each but the last
  std::unique_ptr<Database> db = OpenReadOnly();
  ASSERT_NE(db, nullptr);
  Result<Object> k = db->Get("c", "k");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->fields.at("n"), Value::Int(committed));
  Result<VerifyReport> report = db->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

// A value too large for the command line comes from a file or stdin, byte
// for byte; a missing file and one over the value limit are named, and
// nothing is written (docs/cli.md, "Value syntax").
TEST_F(CliEndToEnd, PutReadsAValueFromAFileOrStdin) {
  // Larger than one command-line argument may be (128 KiB).
  std::string big(300 * 1024, 'x');
  big += "\nlast line\n";
  const std::string file = dir_.Sub("body.txt");
  std::ofstream(file, std::ios::binary) << big;
  ExpectOk({"put", db_, "notes", "n1", "body=@" + file, "tag:=@home"}, "committed lsn 1\n");
  testing::SpawnOptions with_input;
  with_input.stdin_text = "from stdin\n";
  ProcessResult piped =
      testing::RunProcess({JOURNAL_CLI_PATH, "put", db_, "notes", "n2", "body=@-"}, with_input);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;

  ProcessResult missing = Journal({"put", db_, "notes", "n3", "body=@" + dir_.Sub("nope")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("field body: open the value file"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;

  const std::string huge = dir_.Sub("huge.bin");
  std::ofstream(huge).close();
  boost::filesystem::resize_file(huge, (16u << 20) + 1);  // sparse: no 16 MiB written
  ProcessResult too_large = Journal({"put", db_, "notes", "n4", "body=@" + huge});
  EXPECT_EQ(too_large.exit_code, 2);
  EXPECT_NE(too_large.err.find("holds more than 16777216 bytes (16 MiB)"), std::string::npos)
      << too_large.err;
  EXPECT_EQ(Journal({"put", db_, "notes", "n5", "a=@-", "b=@-"}).exit_code, 2);

  std::unique_ptr<Database> db = OpenReadOnly();
  ASSERT_NE(db, nullptr);
  Result<Object> n1 = db->Get("notes", "n1");
  ASSERT_TRUE(n1.ok()) << n1.status().ToString();
  EXPECT_EQ(n1->fields, (FieldMap{{"body", Value::String(big)}, {"tag", Value::String("@home")}}));
  Result<Object> n2 = db->Get("notes", "n2");
  ASSERT_TRUE(n2.ok()) << n2.status().ToString();
  EXPECT_EQ(n2->fields, (FieldMap{{"body", Value::String("from stdin\n")}}));
  EXPECT_TRUE(db->Get("notes", "n3").status().IsNotFound());
  EXPECT_TRUE(db->Get("notes", "n4").status().IsNotFound());
}

TEST_F(CliEndToEnd, RoundTripOfEveryCommand) {
  ExpectOk({"put", db_, "tasks", "t1", "title=milk", "count=42", "done=true", "zip:=01234"},
           "committed lsn 1\n");

  ProcessResult r = Journal({"get", db_, "tasks", "t1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "tasks/t1\n"
            "  count  42\n"
            "  done   true\n"
            "  title  \"milk\"\n"
            "  zip    \"01234\"\n");
  Json got = JournalJson({"get", db_, "tasks", "t1"});
  EXPECT_EQ(got["collection"].string, "tasks");
  EXPECT_EQ(got["key"].string, "t1");
  EXPECT_EQ(got["fields"]["count"].number, "42");
  EXPECT_EQ(got["fields"]["done"].boolean, true);
  EXPECT_EQ(got["fields"]["title"].string, "milk");
  EXPECT_EQ(got["fields"]["zip"].string, "01234");

  ExpectOk({"incr", db_, "tasks", "t1", "count", "3"}, "tasks/t1 count = 45 (lsn 2)\n");
  Json incr = JournalJson({"incr", db_, "tasks", "t1", "count", "-5"});
  EXPECT_EQ(incr["lsn"].number, "3");
  EXPECT_EQ(incr["value"].number, "40");
  ExpectOk({"incr", db_, "tasks", "t3", "hits", "+1"}, "tasks/t3 hits = 1 (lsn 4)\n");
  ExpectOk({"del", db_, "tasks", "t1", "done"}, "committed lsn 5\n");
  EXPECT_FALSE(JournalJson({"get", db_, "tasks", "t1"})["fields"].has("done"));
  EXPECT_EQ(JournalJson({"put", db_, "tasks", "t2", "a=1"})["lsn"].number, "6");
  ExpectOk({"put", db_, "users", "u1", "name=ann"}, "committed lsn 7\n");

  ExpectOk({"ls", db_}, "tasks  3 objects\nusers  1 object\n");
  Json collections = JournalJson({"ls", db_});
  ASSERT_EQ(collections["collections"].items.size(), 2u);
  EXPECT_EQ(collections["collections"][0]["name"].string, "tasks");
  EXPECT_EQ(collections["collections"][0]["objects"].number, "3");
  EXPECT_EQ(collections["collections"][1]["name"].string, "users");
  ExpectOk({"ls", db_, "tasks"},
           "t1  count=40 title=\"milk\" zip=\"01234\"\nt2  a=1\nt3  hits=1\n");
  Json objects = JournalJson({"ls", db_, "tasks"});
  EXPECT_EQ(objects["collection"].string, "tasks");
  ASSERT_EQ(objects["objects"].items.size(), 3u);
  EXPECT_EQ(objects["objects"][1]["key"].string, "t2");
  EXPECT_EQ(objects["objects"][1]["fields"]["a"].number, "1");
  ExpectOk({"ls", db_, "nope"}, "no objects in nope\n");

  r = Journal({"log", db_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("lsn 1  ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "download cursor 0  epoch 0  client 0\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  increment tasks/t1 count +3\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  before tasks/t1 count: 42\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  before tasks/t1 title: absent (no object)\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  before tasks/t1 done: true\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "lsn 7  ")) << r.out;

  Json log = JournalJson({"log", db_});
  ASSERT_EQ(log["entries"].items.size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    const Json& e = log["entries"][i];
    EXPECT_EQ(e["lsn"].number, std::to_string(i + 1));
    EXPECT_TRUE(e["commit_time"].string.ends_with("Z")) << e["commit_time"].string;
    EXPECT_TRUE(e["commit_time_us"].is_number());
    EXPECT_EQ(e["download_cursor"].number, "0");
    EXPECT_EQ(e["epoch"].number, "0");
    EXPECT_EQ(e["client_id"].number, "0");
    EXPECT_EQ(e["ops"].items.size(), 1u);
  }
  const Json& first = log["entries"][0];
  EXPECT_EQ(first["ops"][0]["kind"].string, "upsert");
  EXPECT_EQ(first["ops"][0]["fields"]["count"].number, "42");
  ASSERT_EQ(first["before"].items.size(), 4u);
  for (const Json& b : first["before"].items) {
    EXPECT_FALSE(b["object_existed"].boolean);
    EXPECT_FALSE(b["field_existed"].boolean);
    EXPECT_FALSE(b.has("value"));
  }
  const Json& second = log["entries"][1];
  EXPECT_EQ(second["ops"][0]["kind"].string, "increment");
  EXPECT_EQ(second["ops"][0]["delta"].number, "3");
  EXPECT_EQ(second["before"][0]["field"].string, "count");
  EXPECT_EQ(second["before"][0]["value"].number, "42");
  const Json& fifth = log["entries"][4];
  EXPECT_EQ(fifth["ops"][0]["kind"].string, "erase-field");
  EXPECT_EQ(fifth["ops"][0]["field"].string, "done");
  EXPECT_EQ(fifth["before"][0]["value"].boolean, true);

  Json since = JournalJson({"log", db_, "--since", "6"});
  ASSERT_EQ(since["entries"].items.size(), 2u);
  EXPECT_EQ(since["entries"][0]["lsn"].number, "6");
  ExpectOk({"log", db_, "--since=100"}, "no journal entries from lsn 100\n");

  r = Journal({"info", db_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "path             " + db_ + "\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "last lsn         7\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "journal entries  7\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "objects          4\n")) << r.out;
  Json info = JournalJson({"info", db_});
  EXPECT_EQ(info["path"].string, db_);
  EXPECT_EQ(info["last_lsn"].number, "7");
  EXPECT_EQ(info["journal_entries"].number, "7");
  EXPECT_EQ(info["objects"].number, "4");
  for (const char* cursor : {"client_id", "epoch", "download_cursor", "upload_cursor"})
    EXPECT_EQ(info[cursor].number, "0") << cursor;

  ExpectOk({"verify", db_}, "ok: 7 journal entries and 4 objects checked\n");
  Json verify = JournalJson({"verify", db_});
  EXPECT_EQ(verify["ok"].boolean, true);
  EXPECT_EQ(verify["entries_checked"].number, "7");
  EXPECT_EQ(verify["objects_checked"].number, "4");
  EXPECT_TRUE(verify["problems"].is_array());
  EXPECT_TRUE(verify["problems"].items.empty());

  ExpectOk({"del", db_, "tasks", "t1"}, "committed lsn 8\n");
  r = Journal({"get", db_, "tasks", "t1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.err.starts_with("journal: not found: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "t1")) << r.err;
  Json missing = JournalJson({"get", db_, "tasks", "t1"}, 1);
  EXPECT_EQ(missing["error"]["code"].string, "not_found");
}

TEST_F(CliEndToEnd, JsonIsValidForBytesNonFiniteDoublesAndOddText) {
  const std::string odd_key = "k\xff\n\x1b";
  {
    auto db = Database::Open(db_, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Transaction txn = (*db)->BeginTransaction();
    ASSERT_TRUE(txn.Upsert("odd", odd_key,
                           {{"bytes", Value::BytesValue(std::string("\x00\xff", 2))},
                            {"nan", Value::Double(std::numeric_limits<double>::quiet_NaN())},
                            {"inf", Value::Double(std::numeric_limits<double>::infinity())},
                            {"ninf", Value::Double(-std::numeric_limits<double>::infinity())},
                            {"whole", Value::Double(2.0)},
                            {"text", Value::String("bad \xc3( utf8 \"q\" \\ \t")},
                            {"f\x01ield", Value::Int(1)}})
                    .ok());
    ASSERT_TRUE(txn.Commit().ok());
  }
  Json got = JournalJson({"get", db_, "odd", odd_key});
  // Not UTF-8 (the byte 0xff): base64 of the stored bytes, so nothing is lost.
  EXPECT_EQ(Base64Decode(got["key"]["base64"].string), odd_key);
  EXPECT_EQ(Base64Decode(got["fields"]["text"]["base64"].string), "bad \xc3( utf8 \"q\" \\ \t");
  EXPECT_EQ(got["fields"]["bytes"]["bytes"].string, "AP8=");
  EXPECT_EQ(got["fields"]["nan"]["double"].string, "nan");
  EXPECT_EQ(got["fields"]["inf"]["double"].string, "inf");
  EXPECT_EQ(got["fields"]["ninf"]["double"].string, "-inf");
  EXPECT_EQ(got["fields"]["whole"].number, "2.0");
  EXPECT_TRUE(got["fields"].has("f\x01ield"));

  Json objects = JournalJson({"ls", db_, "odd"});
  EXPECT_EQ(objects["objects"][0]["fields"]["bytes"]["bytes"].string, "AP8=");
  Json log = JournalJson({"log", db_});
  EXPECT_EQ(log["entries"][0]["ops"][0]["fields"]["nan"]["double"].string, "nan");
  JournalJson({"ls", db_});

  // Human output quotes what would confuse a terminal.
  ProcessResult r = Journal({"get", db_, "odd", odd_key});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_TRUE(Contains(r.out, "odd/\"k\\u00ff\\n\\u001b\"\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  bytes ")) << r.out;
  EXPECT_TRUE(Contains(r.out, " b64:AP8=\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, " -inf\n")) << r.out;
}

TEST_F(CliEndToEnd, JsonTellsRawBytesFromTheTextTheyResembleAndBothReadBack) {
  // The raw bytes FF FE, and "ÿþ" (U+00FF U+00FE) as UTF-8 text.
  const std::string raw = "\xff\xfe";
  const std::string text = "\xc3\xbf\xc3\xbe";
  ASSERT_EQ(Journal({"put", db_, "c", raw, "which=raw", raw + "=1"}).exit_code, 0);
  ASSERT_EQ(Journal({"put", db_, "c", text, "which=text", text + "=2"}).exit_code, 0);

  Json listed = JournalJson({"ls", db_, "c"});
  const Json& objects = listed["objects"];
  ASSERT_EQ(objects.items.size(), 2u);
  // Key order is byte order: C3 before FF.
  EXPECT_TRUE(objects[0]["key"].is_string());
  EXPECT_EQ(objects[0]["key"].string, text);
  EXPECT_EQ(objects[0]["fields"]["which"].string, "text");
  EXPECT_EQ(objects[0]["fields"][text].number, "2");
  ASSERT_TRUE(objects[1]["key"].is_object());
  EXPECT_EQ(objects[1]["key"]["base64"].string, "//4=");
  // A field name that is not UTF-8 cannot be a member name: the fields come
  // as an array of named values.
  const Json& raw_fields = objects[1]["fields"];
  ASSERT_TRUE(raw_fields.is_array());
  ASSERT_EQ(raw_fields.items.size(), 2u);
  EXPECT_EQ(raw_fields[0]["name"].string, "which");
  EXPECT_EQ(raw_fields[0]["value"].string, "raw");
  EXPECT_EQ(Base64Decode(raw_fields[1]["name"]["base64"].string), raw);

  // What the JSON says addresses the right object when handed back.
  Json by_raw = JournalJson({"get", db_, "c", Base64Decode(objects[1]["key"]["base64"].string)});
  EXPECT_EQ(by_raw["fields"][0]["value"].string, "raw");
  Json by_text = JournalJson({"get", db_, "c", objects[0]["key"].string});
  EXPECT_EQ(by_text["fields"]["which"].string, "text");

  // A string value that is not UTF-8 is tagged apart from a bytes value.
  ASSERT_EQ(Journal({"put", db_, "c", "v", "s:=" + raw}).exit_code, 0);
  Json v = JournalJson({"get", db_, "c", "v"});
  EXPECT_EQ(Base64Decode(v["fields"]["s"]["base64"].string), raw);
  EXPECT_FALSE(v["fields"]["s"].has("bytes"));
}

TEST_F(CliEndToEnd, ReadCommandsNeverCreateADatabase) {
  const std::string missing = dir_.Sub("missing.db");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"get", missing, "tasks", "t1"},
                                             {"ls", missing},
                                             {"ls", missing, "tasks"},
                                             {"log", missing},
                                             {"info", missing},
                                             {"verify", missing}}) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 1) << args.front() << ": " << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(Contains(r.err, "no database at " + missing)) << r.err;
    EXPECT_FALSE(boost::filesystem::exists(missing)) << args.front();
    Json j = JournalJson(args, 1);
    EXPECT_EQ(j["error"]["code"].string, "not_found") << args.front();
    EXPECT_FALSE(boost::filesystem::exists(missing)) << args.front();
  }
}

TEST_F(CliEndToEnd, PutCreatesTheDatabase) {
  const std::string nested = dir_.Sub("a/b/new.db");
  ExpectOk({"put", nested, "tasks", "t1", "x=1"}, "committed lsn 1\n");
  EXPECT_TRUE(boost::filesystem::exists(nested));
}

TEST_F(CliEndToEnd, DelAndIncrOnAMissingDatabaseFailNamingItAndCreateNothing) {
  const std::string typo = dir_.Sub("typo.db");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"del", typo, "tasks", "t1"}, {"incr", typo, "tasks", "t1", "views", "1"}}) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 1) << args.front() << ": " << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(Contains(r.err, "no database at " + typo)) << r.err;
    EXPECT_FALSE(boost::filesystem::exists(typo)) << args.front();
  }
  // On an existing database both still write.
  ExpectOk({"put", db_, "tasks", "t1", "x=1"}, "committed lsn 1\n");
  ExpectOk({"del", db_, "tasks", "t1"}, "committed lsn 2\n");
}

TEST_F(CliEndToEnd, SyncWithAMalformedServerIsAUsageErrorWithNoSideEffects) {
  const std::string fresh = dir_.Sub("fresh.db");
  ProcessResult r = Journal({"sync", fresh, "--server", "nohost"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "nohost")) << r.err;
  EXPECT_FALSE(boost::filesystem::exists(fresh));

  // An existing database does not get the bad address as its last error.
  ExpectOk({"put", db_, "tasks", "t1", "x=1"}, "committed lsn 1\n");
  EXPECT_EQ(Journal({"sync", db_, "--server", "host:notaport"}).exit_code, 2);
  std::unique_ptr<Database> db = OpenReadOnly();
  ASSERT_NE(db, nullptr);
  Result<SyncStatus> status = GetSyncStatus(*db);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->last_error, "");
}

TEST_F(CliEndToEnd, ManyWritesLeaveAtMostTwoInfoLogFiles) {
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(Journal({"put", db_, "tasks", "t" + std::to_string(i), "x=1"}).exit_code, 0);
  int logs = 0;
  for (const auto& entry : boost::filesystem::directory_iterator(db_))
    if (entry.path().filename().string().rfind("LOG", 0) == 0) ++logs;
  EXPECT_GE(logs, 1);
  EXPECT_LE(logs, 2);
}

TEST_F(CliEndToEnd, PathsThatCannotHoldADatabaseAreNamedInTheError) {
  const std::string file = dir_.Sub("plain-file");
  { std::ofstream(file) << "not a database"; }
  // Root ignores directory permissions, so use a path below a regular file:
  // nothing can create it.
  const std::string below_file = file + "/app.db";
  ProcessResult r = Journal({"put", below_file, "tasks", "t1", "x=1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("journal: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, below_file)) << r.err;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"put", file, "tasks", "t1", "x=1"}, {"info", file}, {"get", file, "tasks", "t1"}}) {
    r = Journal(args);
    EXPECT_EQ(r.exit_code, 1) << args.front();
    EXPECT_TRUE(Contains(r.err, file)) << r.err;
  }
}

TEST_F(CliEndToEnd, PutWithoutFieldsCreatesAnEmptyObject) {
  ExpectOk({"put", db_, "tasks", "t1"}, "committed lsn 1\n");
  ExpectOk({"get", db_, "tasks", "t1"}, "tasks/t1 (no fields)\n");
  EXPECT_TRUE(JournalJson({"get", db_, "tasks", "t1"})["fields"].members.empty());
}

TEST_F(CliEndToEnd, WritesReportBusyWhileAnotherProcessHoldsTheDatabase) {
  auto db = Database::Open(db_, {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Transaction txn = (*db)->BeginTransaction();
  ASSERT_TRUE(txn.Upsert("tasks", "t1", {{"title", Value::String("milk")}}).ok());
  ASSERT_TRUE(txn.Commit().ok());

  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"put", db_, "tasks", "t2", "x=1"},
                                             {"incr", db_, "tasks", "t1", "n", "1"},
                                             {"del", db_, "tasks", "t1"}}) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 1) << args.front();
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(r.err.starts_with("journal: busy: ")) << r.err;
    EXPECT_TRUE(Contains(r.err, "locked by another process")) << r.err;
    EXPECT_TRUE(Contains(r.err, db_)) << r.err;
  }
  EXPECT_EQ(JournalJson({"put", db_, "tasks", "t2", "x=1"}, 1)["error"]["code"].string, "busy");

  // Read commands open read-only and work beside the writer.
  ExpectOk({"get", db_, "tasks", "t1"}, "tasks/t1\n  title  \"milk\"\n");
  ExpectOk({"ls", db_}, "tasks  1 object\n");
  EXPECT_EQ(JournalJson({"info", db_})["last_lsn"].number, "1");
  ExpectOk({"verify", db_}, "ok: 1 journal entries and 1 objects checked\n");

  db->reset();
  ExpectOk({"put", db_, "tasks", "t2", "x=1"}, "committed lsn 2\n");
}

TEST_F(CliEndToEnd, VerifyExitsThreeWhenStateDisagreesWithTheJournal) {
  ExpectOk({"put", db_, "tasks", "t1", "title=milk"}, "committed lsn 1\n");
  ExpectOk({"put", db_, "tasks", "t2", "title=eggs"}, "committed lsn 2\n");
  Tamper(db_, layout::kStateFamily, layout::StateKey("tasks", "t1"),
         codec::EncodeObject({{"title", Value::String("tampered")}}));

  ProcessResult r = Journal({"verify", db_});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(r.out.starts_with("problem: ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "tasks/")) << r.out;
  EXPECT_TRUE(Contains(r.out, "tampered")) << r.out;
  EXPECT_TRUE(Contains(r.out,
                       "verification failed: 2 journal entries and 2 objects checked, "
                       "1 problem\n"))
      << r.out;
  Json j = JournalJson({"verify", db_}, 3);
  EXPECT_EQ(j["ok"].boolean, false);
  ASSERT_EQ(j["problems"].items.size(), 1u);
  EXPECT_TRUE(Contains(j["problems"][0].string, "tampered"));
}

TEST_F(CliEndToEnd, VerifyExitsThreeOnAnUndecodableObject) {
  ExpectOk({"put", db_, "tasks", "t1", "title=milk"}, "committed lsn 1\n");
  Tamper(db_, layout::kStateFamily, layout::StateKey("tasks", "t1"), "\x01\x02not flatbuffers");
  ProcessResult r = Journal({"verify", db_});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.out, "problem: ")) << r.out;
  // Reading the damaged object is an error naming it, not a crash.
  r = Journal({"get", db_, "tasks", "t1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("journal: corruption: ")) << r.err;
}

TEST_F(CliEndToEnd, DamagedJournalEntryIsNamedByLsn) {
  for (int i = 1; i <= 3; ++i)
    ExpectOk({"put", db_, "tasks", "t" + std::to_string(i), "n=" + std::to_string(i)},
             "committed lsn " + std::to_string(i) + "\n");
  Tamper(db_, layout::kJournalFamily, layout::LsnKey(2), "garbage");

  ProcessResult r = Journal({"verify", db_});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.out, "lsn 2")) << r.out;

  // log prints what precedes the damage, then stops with an error: it never
  // skips the damaged entry silently.
  r = Journal({"log", db_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.starts_with("lsn 1  ")) << r.out;
  EXPECT_FALSE(Contains(r.out, "lsn 3")) << r.out;
  EXPECT_TRUE(r.err.starts_with("journal: corruption: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "lsn 2")) << r.err;
  EXPECT_EQ(JournalJson({"log", db_}, 1)["error"]["code"].string, "corruption");
  EXPECT_EQ(JournalJson({"log", db_, "--since", "3"})["entries"].items.size(), 1u);
}

// A database damaged on disk does not open: every command says it is
// damaged (not foreign), what is damaged, and the next step, and exits 3.
TEST_F(CliEndToEnd, ADamagedDatabaseExitsThreeNamingTheDamageAndTheNextStep) {
  for (int i = 1; i <= 3; ++i)
    ExpectOk({"put", db_, "tasks", "t" + std::to_string(i), "n=1"},
             "committed lsn " + std::to_string(i) + "\n");
  namespace fs = boost::filesystem;
  auto copy = [&](const std::string& name) {
    const std::string to = dir_.Sub(name);
    fs::create_directory(to);
    for (const fs::directory_entry& e : fs::directory_iterator(db_))
      fs::copy_file(e.path(), fs::path(to) / e.path().filename());
    return to;
  };
  auto expect_damaged = [&](const std::string& db, const std::string& what) {
    for (const char* command : {"get", "verify", "put"}) {
      std::vector<std::string> args = {command, db};
      if (std::string(command) != "verify") args.insert(args.end(), {"tasks", "t1"});
      if (std::string(command) == "put") args.push_back("n=2");
      ProcessResult r = Journal(args);
      EXPECT_EQ(r.exit_code, 3) << command << ": " << r.err;
      EXPECT_TRUE(r.err.starts_with("journal: corruption: the database " + db + " is damaged"))
          << r.err;
      EXPECT_TRUE(Contains(r.err, what)) << r.err;
      EXPECT_TRUE(Contains(r.err, "restore " + db + " from a backup, or sync a fresh copy"))
          << r.err;
      EXPECT_TRUE(Contains(r.err, "journal recoveries " + db)) << r.err;
    }
    EXPECT_EQ(JournalJson({"get", db, "tasks", "t1"}, 3)["error"]["code"].string, "corruption");
  };

  // A truncated MANIFEST: RocksDB then sees no column family but the default.
  const std::string manifest = copy("manifest.db");
  std::ifstream current(manifest + "/CURRENT");
  std::string manifest_name;
  std::getline(current, manifest_name);
  fs::resize_file(fs::path(manifest) / manifest_name, 20);
  expect_damaged(manifest, "its MANIFEST lists no 'state' column family though its OPTIONS file "
                           "does: the MANIFEST is damaged");

  // The MANIFEST deleted, or CURRENT naming one that is not there.
  const std::string no_manifest = copy("no-manifest.db");
  fs::remove(fs::path(no_manifest) / manifest_name);
  expect_damaged(no_manifest, "its CURRENT file names " + manifest_name + ", which is missing");
  const std::string renamed = copy("renamed.db");
  std::ofstream(renamed + "/CURRENT", std::ios::trunc) << "MANIFEST-999999\n";
  expect_damaged(renamed, "its CURRENT file names MANIFEST-999999, which is missing");
  // CURRENT deleted: the MANIFEST and tables are there, so it is a damaged
  // database, not "no database" (and no write may create one over it).
  const std::string no_current = copy("no-current.db");
  fs::remove(fs::path(no_current) / "CURRENT");
  expect_damaged(no_current, "holds RocksDB files (" + manifest_name + ") but no CURRENT file");

  // A table file deleted.
  const std::string table = copy("table.db");
  std::string removed;
  for (const fs::directory_entry& e : fs::directory_iterator(table))
    if (e.path().extension() == ".sst") removed = e.path().stem().string();
  ASSERT_FALSE(removed.empty()) << "no table file to remove";
  fs::remove(fs::path(table) / (removed + ".sst"));
  expect_damaged(table, removed);

  // A damaged block in the oldest table file: the database may open, but
  // verify lists the damage (it used to exit 1 with no problem list).
  const std::string block = copy("block.db");
  std::string oldest;
  for (const fs::directory_entry& e : fs::directory_iterator(block))
    if (e.path().extension() == ".sst" && (oldest.empty() || e.path().string() < oldest))
      oldest = e.path().string();
  {
    std::fstream f(oldest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f << "XXXXXXXXXXXXXXXX";
  }
  ProcessResult v = Journal({"verify", block});
  EXPECT_EQ(v.exit_code, 3) << v.err;
  EXPECT_TRUE(v.out.starts_with("problem: ") || Contains(v.err, "is damaged")) << v.out << v.err;

  // A RocksDB database of another program is still foreign, exit 1.
  const std::string foreign = dir_.Sub("foreign.db");
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, foreign, &raw).ok());
    delete raw;
  }
  ProcessResult r = Journal({"get", foreign, "tasks", "t1"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "is a RocksDB database but not a journaldb database")) << r.err;
}

TEST_F(CliEndToEnd, IncrementOfAStringFieldFailsAndWritesNothing) {
  ExpectOk({"put", db_, "tasks", "t1", "title=milk"}, "committed lsn 1\n");
  ProcessResult r = Journal({"incr", db_, "tasks", "t1", "title", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("journal: invalid argument: ")) << r.err;
  EXPECT_EQ(JournalJson({"info", db_})["last_lsn"].number, "1");
}

TEST_F(CliEndToEnd, DoubleDashPassesKeysThatLookLikeOptions) {
  ExpectOk({"put", db_, "tasks", "--", "--json", "a=1"}, "committed lsn 1\n");
  ExpectOk({"get", db_, "tasks", "--", "--json"}, "tasks/--json\n  a  1\n");
}

TEST_F(CliEndToEnd, ExitCodesOfTheBinary) {
  ProcessResult r = Journal({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "no command given")) << r.err;
  r = Journal({"put", db_, "tasks", "t1", "title"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "FIELD=VALUE")) << r.err;
  EXPECT_FALSE(boost::filesystem::exists(db_));
  r = Journal({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "usage: journal COMMAND")) << r.out;
}

}  // namespace
}  // namespace journaldb
