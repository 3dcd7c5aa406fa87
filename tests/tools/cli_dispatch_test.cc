// Dispatch, help and usage errors of the `journal` CLI, in-process through
// RunCli (tools/cli/cli.h). No database is opened by these cases.
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>

#include "cli_in_process.h"
#include "support/json_checker.h"
#include "support/temp_dir.h"

namespace journaldb::cli {
namespace {

const std::vector<std::string> kCommands = {"put",         "incr",     "del",       "list-insert",
                                            "list-remove", "list-set", "list-move", "get",
                                            "ls",          "log",      "info",      "verify"};

TEST(CliDispatch, TopHelpListsEveryCommand) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"help"}, {"-h"}}) {
    CliRun r = Cli(args);
    EXPECT_EQ(r.code, 0) << args.front();
    EXPECT_TRUE(r.err.empty());
    for (const std::string& c : kCommands)
      EXPECT_NE(r.out.find("\n  " + c + " "), std::string::npos) << c << " missing in\n" << r.out;
    EXPECT_NE(r.out.find("exit codes"), std::string::npos);
  }
}

TEST(CliDispatch, EveryCommandHasHelp) {
  for (const std::string& c : kCommands) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {c, "--help"}, {"help", c}, {c, "-h"}, {c, "some.db", "--help"}}) {
      CliRun r = Cli(args);
      EXPECT_EQ(r.code, 0) << c;
      EXPECT_TRUE(r.out.starts_with("usage: journal " + c + " ")) << r.out;
      EXPECT_NE(r.out.find("--json"), std::string::npos);
    }
  }
  EXPECT_NE(Cli({"log", "--help"}).out.find("--since LSN"), std::string::npos);
  EXPECT_NE(Cli({"verify", "--help"}).out.find("3 verification failed"), std::string::npos);
}

TEST(CliDispatch, UsageErrorsExitTwoWithoutTouchingAnything) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"help", "frobnicate"},
           {"--bogus", "get"},
           {"get", "db", "tasks"},
           {"get", "db", "tasks", "t1", "extra"},
           {"get", "db", "tasks", "t1", "--bogus"},
           {"put", "db", "tasks"},
           {"put", "db", "tasks", "t1", "title"},
           {"put", "db", "tasks", "t1", "=5"},
           {"put", "db", "tasks", "t1", ":=x"},
           {"put", "db", "tasks", "t1", "a=1", "a=2"},
           {"put", "db", "tasks", "t1", "n=99999999999999999999"},
           {"put", "db", "", "t1", "a=1"},
           {"put", "db", "tasks", "", "a=1"},
           {"incr", "db", "tasks", "t1", "views"},
           {"incr", "db", "tasks", "t1", "views", "1.5"},
           {"incr", "db", "tasks", "t1", "views", "abc"},
           {"del", "db", "tasks", "t1", "f", "g"},
           {"list-insert", "db", "lists", "l1", "items"},
           {"list-insert", "db", "lists", "l1", "items", "x", "y"},
           {"list-insert", "db", "lists", "l1", "items", "x", "--after", "3"},
           {"list-insert", "db", "lists", "l1", "items", "x", "--after", "3.c0ffee"},
           {"list-insert", "db", "lists", "l1", "items", "x", "--after", "0.00000000000000ff"},
           {"list-insert", "db", "lists", "l1", "items", "x", "--after"},
           {"list-insert", "db", "lists", "l1", "items", "x", "--head", "--after",
            "3.0000000000c0ffee"},
           {"list-insert", "db", "lists", "l1", "items", "1e999"},
           {"list-insert", "db", "lists", "l1", "items", "@"},
           {"list-insert", "db", "lists", "l1", "", "x"},
           {"list-insert", "db", "lists", "l1", "items", "x", "--string=yes"},
           {"list-remove", "db", "lists", "l1", "items"},
           {"list-remove", "db", "lists", "l1", "items", "abc"},
           {"list-remove", "db", "lists", "l1", "items", "3.0000000000c0ffee", "--head"},
           {"list-set", "db", "lists", "l1", "items", "3.0000000000c0ffee"},
           {"list-set", "db", "lists", "l1", "items", "3.0000000000C0FFEEX", "x"},
           {"list-set", "db", "lists", "", "items", "3.0000000000c0ffee", "x"},
           {"list-move", "db", "lists", "l1", "items", "3.0000000000c0ffee", "--after", "x"},
           {"list-move", "db", "lists", "l1", "items", "3.0000000000c0ffee", "--after",
            "3.0000000000c0ffee"},
           {"list-move", "db", "lists", "l1", "items", "-3"},
           {"ls"},
           // Names no write could have stored: read commands refuse them too.
           {"get", "db", "", "t1"},
           {"get", "db", "tasks", ""},
           {"get", "db", "tasks", std::string(4097, 'k')},
           {"ls", "db", ""},
           {"ls", "db", std::string(256, 'c')},
           {"diff", "recovery", "db", "--only", std::string(256, 'c')},
           {"replay", "recovery", "db", "--only", std::string(256, 'c')},
           {"log", "db", "--since"},
           {"log", "db", "--since", "-1"},
           {"log", "db", "--since", "x"},
           {"info", "db", "more"},
           {"verify"},
       }) {
    // Each case names the database "db"; none may create it.
    journaldb::testing::TempDir dir;
    std::vector<std::string> real = args;
    for (std::string& a : real)
      if (a == "db") a = dir.Sub("db");
    std::string joined;
    for (const std::string& a : args) joined += " " + a;
    CliRun r = Cli(real);
    EXPECT_FALSE(boost::filesystem::exists(dir.Sub("db"))) << joined;
    EXPECT_EQ(r.code, 2) << "journal" << joined << "\nstderr: " << r.err;
    EXPECT_TRUE(r.err.starts_with("journal")) << r.err;
    EXPECT_TRUE(r.out.empty()) << joined << ": " << r.out;
  }
}

TEST(CliDispatch, UsageErrorMessagesSayWhatWasWrong) {
  CliRun r = Cli({"put", "db", "tasks", "t1", "title"});
  EXPECT_NE(r.err.find("FIELD=VALUE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("usage: journal put DB COLLECTION KEY"), std::string::npos) << r.err;
  r = Cli({"put", "db", "tasks", "t1", "=5"});
  EXPECT_NE(r.err.find("empty field name"), std::string::npos) << r.err;
  r = Cli({"list-remove", "db", "lists", "l1", "items", "abc"});
  EXPECT_NE(r.err.find("ID must be an element id"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("got abc"), std::string::npos) << r.err;
  r = Cli({"list-insert", "db", "lists", "l1", "items", "x", "--after", "3"});
  EXPECT_NE(r.err.find("--after must be an element id"), std::string::npos) << r.err;
  r = Cli({"list-move", "db", "lists", "l1", "items", "3.0000000000c0ffee", "--head", "--after",
           "4.0000000000c0ffee"});
  EXPECT_NE(r.err.find("--after and --head exclude each other"), std::string::npos) << r.err;
  r = Cli({"frobnicate"});
  EXPECT_NE(r.err.find("unknown command \"frobnicate\""), std::string::npos) << r.err;
  r = Cli({"ls", "db", std::string(256, 'c')});
  EXPECT_NE(r.err.find("is 256 bytes; the limit is 255"), std::string::npos) << r.err;
  r = Cli({"get", "db", "tasks", ""});
  EXPECT_NE(r.err.find("empty primary key in collection \"tasks\""), std::string::npos) << r.err;
}

TEST(CliDispatch, UsageErrorUnderJsonIsAnErrorDocument) {
  CliRun r = Cli({"put", "db", "tasks", "t1", "title", "--json"});
  EXPECT_EQ(r.code, 2);
  std::string error;
  std::optional<testing::Json> j = testing::ParseJson(r.out, &error);
  ASSERT_TRUE(j.has_value()) << error << ": " << r.out;
  EXPECT_EQ((*j)["error"]["code"].string, "usage");
  EXPECT_NE((*j)["error"]["message"].string.find("FIELD=VALUE"), std::string::npos);
}

}  // namespace
}  // namespace journaldb::cli
