// Argument parsing of `journal` commands (tools/cli/args.h): the CLI11 setup
// must keep docs/cli.md's rules and reject what it does not know.
#include <gtest/gtest.h>

#include "args.h"

namespace journaldb::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    {"--since", "LSN", "first lsn"},
    {"--all", "", "a flag"},
};

ParsedArgs Parse(const std::vector<std::string>& args) {
  ParsedArgs p;
  Status s = ParseArgs(args, kOptions, &p);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return p;
}

// The usage error's message; fails the test if the line parsed.
std::string ParseError(const std::vector<std::string>& args, ParsedArgs* p = nullptr) {
  ParsedArgs local;
  Status s = ParseArgs(args, kOptions, p != nullptr ? p : &local);
  EXPECT_FALSE(s.ok()) << "parsed: " << (args.empty() ? "" : args.front());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  return std::string(s.message());
}

TEST(CliArgs, GlobalFlagsAnywhere) {
  ParsedArgs p = Parse({"db", "--json", "tasks"});
  EXPECT_TRUE(p.json);
  EXPECT_FALSE(p.help);
  EXPECT_EQ(p.positional, (std::vector<std::string>{"db", "tasks"}));
  EXPECT_TRUE(Parse({"-h"}).help);
  EXPECT_TRUE(Parse({"db", "--help"}).help);
  EXPECT_FALSE(Parse({"db"}).json);
}

TEST(CliArgs, OptionValuesInBothSpellings) {
  EXPECT_EQ(*Parse({"db", "--since", "5"}).Find("--since"), "5");
  EXPECT_EQ(*Parse({"--since=7", "db"}).Find("--since"), "7");
  EXPECT_EQ(Parse({"--since=7", "db"}).positional, std::vector<std::string>{"db"});
  EXPECT_EQ(*Parse({"db", "--all"}).Find("--all"), "");
  EXPECT_EQ(Parse({"db"}).Find("--since"), nullptr);
  EXPECT_EQ(Parse({"db"}).Find("--all"), nullptr);
}

TEST(CliArgs, OptionsBetweenPositionals) {
  ParsedArgs p = Parse({"db", "--since", "3", "tasks", "--all", "t1"});
  EXPECT_EQ(p.positional, (std::vector<std::string>{"db", "tasks", "t1"}));
  EXPECT_EQ(*p.Find("--since"), "3");
  EXPECT_NE(p.Find("--all"), nullptr);
}

TEST(CliArgs, DoubleDashEndsOptions) {
  ParsedArgs p = Parse({"db", "--", "--json", "--since", "-h", "--", "-x", "--bogus"});
  EXPECT_FALSE(p.json);
  EXPECT_FALSE(p.help);
  EXPECT_EQ(p.Find("--since"), nullptr);
  EXPECT_EQ(p.positional,
            (std::vector<std::string>{"db", "--json", "--since", "-h", "--", "-x", "--bogus"}));
}

TEST(CliArgs, NegativeNumbersAndDashArePositional) {
  ParsedArgs p = Parse({"db", "c", "k", "views", "-5", "-", "-12x"});
  EXPECT_EQ(p.positional, (std::vector<std::string>{"db", "c", "k", "views", "-5", "-", "-12x"}));
  // An option's value may itself be negative; the command decides if it is valid.
  EXPECT_EQ(*Parse({"db", "--since", "-1"}).Find("--since"), "-1");
}

TEST(CliArgs, UnknownOptionsAreNamed) {
  EXPECT_EQ(ParseError({"db", "--bogus"}), "unknown option --bogus");
  EXPECT_EQ(ParseError({"--bogus=1", "db"}), "unknown option --bogus");
  EXPECT_EQ(ParseError({"--jsn"}), "unknown option --jsn");
  // Single-dash letters are options too, so an unknown one is an error, not a value.
  EXPECT_EQ(ParseError({"db", "-x"}), "unknown option -x");
  EXPECT_EQ(ParseError({"db", "-since", "3"}), "unknown option -since");
}

TEST(CliArgs, MissingValueNamesTheOption) {
  std::string message = ParseError({"db", "--since"});
  EXPECT_NE(message.find("--since"), std::string::npos) << message;
}

TEST(CliArgs, MalformedOptionsAreUsageErrors) {
  EXPECT_NE(ParseError({"--since", "1", "--since", "2"}).find("--since"), std::string::npos);
  EXPECT_NE(ParseError({"--all=yes"}).find("all"), std::string::npos);
  EXPECT_NE(ParseError({"--json=false"}).find("json"), std::string::npos);
}

TEST(CliArgs, JsonIsReportedEvenWhenParsingFails) {
  ParsedArgs p;
  ParseError({"--json", "db", "--bogus"}, &p);
  EXPECT_TRUE(p.json);
  ParseError({"db", "--bogus"}, &p);
  EXPECT_FALSE(p.json);
}

GlobalArgs ParseGlobal(const std::vector<std::string>& args) {
  GlobalArgs g;
  Status s = ParseGlobalArgs(args, &g);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return g;
}

TEST(CliGlobalArgs, FlagsBeforeTheCommandAndTheRestUntouched) {
  GlobalArgs g = ParseGlobal({"--json", "log", "db", "--since", "3", "--version"});
  EXPECT_TRUE(g.json);
  EXPECT_FALSE(g.help);
  EXPECT_FALSE(g.version);
  EXPECT_EQ(g.command_line, (std::vector<std::string>{"log", "db", "--since", "3", "--version"}));
  EXPECT_TRUE(ParseGlobal({"--version"}).version);
  EXPECT_TRUE(ParseGlobal({"-h"}).help);
  EXPECT_TRUE(ParseGlobal({}).command_line.empty());
  EXPECT_EQ(ParseGlobal({"--", "get"}).command_line, std::vector<std::string>{"get"});
}

TEST(CliGlobalArgs, UnknownOptionBeforeTheCommand) {
  GlobalArgs g;
  Status s = ParseGlobalArgs({"--json", "--bogus", "get"}, &g);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "unknown option --bogus before the command");
  EXPECT_TRUE(g.json);
}

}  // namespace
}  // namespace journaldb::cli
