// Argument parsing of `journal` commands (tools/cli/args.h).
#include <gtest/gtest.h>

#include "args.h"

namespace journaldb::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    {"--since", "LSN", "first lsn"},
    {"--all", "", "a flag"},
};

ParsedArgs Parse(const std::vector<std::string>& args) {
  Result<ParsedArgs> p = ParseArgs(args, kOptions);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : ParsedArgs{};
}

TEST(CliArgs, GlobalFlagsAnywhere) {
  ParsedArgs p = Parse({"db", "--json", "tasks"});
  EXPECT_TRUE(p.json);
  EXPECT_FALSE(p.help);
  EXPECT_EQ(p.positional, (std::vector<std::string>{"db", "tasks"}));
  EXPECT_TRUE(Parse({"-h"}).help);
  EXPECT_TRUE(Parse({"db", "--help"}).help);
}

TEST(CliArgs, OptionValuesInBothSpellings) {
  EXPECT_EQ(*Parse({"db", "--since", "5"}).Find("--since"), "5");
  EXPECT_EQ(*Parse({"--since=7", "db"}).Find("--since"), "7");
  EXPECT_EQ(Parse({"--since=7", "db"}).positional, std::vector<std::string>{"db"});
  EXPECT_EQ(*Parse({"db", "--all"}).Find("--all"), "");
  EXPECT_EQ(Parse({"db"}).Find("--since"), nullptr);
}

TEST(CliArgs, DoubleDashEndsOptions) {
  ParsedArgs p = Parse({"db", "--", "--json", "--since", "-h"});
  EXPECT_FALSE(p.json);
  EXPECT_FALSE(p.help);
  EXPECT_EQ(p.positional, (std::vector<std::string>{"db", "--json", "--since", "-h"}));
}

TEST(CliArgs, SingleDashTokensArePositional) {
  ParsedArgs p = Parse({"db", "c", "k", "views", "-5", "-", "-x"});
  EXPECT_EQ(p.positional, (std::vector<std::string>{"db", "c", "k", "views", "-5", "-", "-x"}));
}

TEST(CliArgs, MalformedOptionsAreUsageErrors) {
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"--bogus"},
                                             {"db", "--since"},
                                             {"--since", "1", "--since", "2"},
                                             {"--all=yes"},
                                             {"--jsn"}}) {
    Result<ParsedArgs> p = ParseArgs(bad, kOptions);
    ASSERT_FALSE(p.ok()) << bad.front();
    EXPECT_TRUE(p.status().IsInvalidArgument());
  }
}

}  // namespace
}  // namespace journaldb::cli
