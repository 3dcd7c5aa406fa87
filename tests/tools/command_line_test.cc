// The command lines of `journal` and `journal-server`, run as processes:
// strict parsing (an unknown option or a missing value is a usage error, exit
// 2, naming it, and nothing is touched), the rules of docs/cli.md, and
// --version. journal-bench's: bench_command_line_test.cc.
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <string>
#include <vector>

#include "journal_cli_test.h"
#include "support/temp_dir.h"
#include "usage_error.h"

#if !defined(JOURNAL_SERVER_PATH) || !defined(JOURNALDB_VERSION)
#error "the test target must define JOURNAL_SERVER_PATH and JOURNALDB_VERSION"
#endif

namespace journaldb {
namespace {

using testing::Contains;
using testing::ExpectUsageError;
using testing::Json;
using testing::ProcessResult;
using testing::RunProcess;

ProcessResult Server(std::vector<std::string> args) {
  args.insert(args.begin(), JOURNAL_SERVER_PATH);
  return RunProcess(args);
}

class CommandLine : public testing::JournalCliTest {
 protected:
  testing::TempDir dir_;
  const std::string db_ = dir_.Sub("app.db");
};

TEST_F(CommandLine, JournalAndServerPrintTheProjectVersion) {
  ProcessResult r = Journal({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("journal ") + JOURNALDB_VERSION + "\n");
  r = Server({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("journal-server ") + JOURNALDB_VERSION + "\n");
  EXPECT_EQ(JournalJson({"--version"})["version"].string, JOURNALDB_VERSION);
}

TEST_F(CommandLine, JournalUnknownOptionIsNamedAndNothingIsWritten) {
  ExpectUsageError(Journal({"put", db_, "tasks", "t1", "a=1", "--bogus"}),
                   "unknown option --bogus");
  ExpectUsageError(Journal({"put", db_, "tasks", "t1", "a=1", "--bogus=1"}),
                   "unknown option --bogus");
  // A dash and a letter is an option, not a value.
  ExpectUsageError(Journal({"put", db_, "tasks", "t1", "-x", "a=1"}), "unknown option -x");
  ExpectUsageError(Journal({"--bogus", "put", db_, "tasks", "t1", "a=1"}),
                   "unknown option --bogus before the command");
  // An option of another command is unknown here.
  ExpectUsageError(Journal({"put", db_, "tasks", "t1", "a=1", "--since", "1"}),
                   "unknown option --since");
  EXPECT_FALSE(boost::filesystem::exists(db_));
}

TEST_F(CommandLine, JournalMissingOptionValueIsNamed) {
  ExpectUsageError(Journal({"sync", db_, "--server"}), "--server");
  ExpectUsageError(Journal({"sync", db_, "--server", "127.0.0.1:1", "--token"}), "--token");
  EXPECT_FALSE(boost::filesystem::exists(db_));
}

TEST_F(CommandLine, JournalFlagsTakeNoValue) {
  ExpectUsageError(Journal({"put", db_, "tasks", "t1", "a=1", "--json=false"}), "json");
  EXPECT_FALSE(boost::filesystem::exists(db_));
}

TEST_F(CommandLine, JournalOptionsAnywhereInBothSpellings) {
  ASSERT_EQ(Journal({"put", db_, "tasks", "t1", "a=1"}).exit_code, 0);
  ASSERT_EQ(Journal({"put", db_, "tasks", "t2", "a=2"}).exit_code, 0);
  ASSERT_EQ(Journal({"put", db_, "tasks", "t3", "a=3"}).exit_code, 0);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"log", "--since", "2", db_},
                                             {"log", db_, "--since=2"},
                                             {"--json", "log", db_, "--since", "2"}}) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(Contains(r.out, "lsn 1") || Contains(r.out, "\"lsn\":1,")) << r.out;
    EXPECT_TRUE(Contains(r.out, "lsn 3") || Contains(r.out, "\"lsn\":3")) << r.out;
  }
}

TEST_F(CommandLine, JournalDoubleDashEndsOptionsAndNegativeNumbersAreValues) {
  ASSERT_EQ(Journal({"put", db_, "tasks", "--", "-x", "a=1"}).exit_code, 0);
  ProcessResult r = Journal({"--json", "get", db_, "tasks", "--", "-x"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, R"("key":"-x")")) << r.out;
  // After `--`, even --json is a value: here a fourth argument get does not take.
  ExpectUsageError(Journal({"get", db_, "tasks", "--", "-x", "--json"}), "too many arguments");
  EXPECT_EQ(JournalJson({"incr", db_, "tasks", "t1", "n", "-5"})["value"].number, "-5");
}

TEST_F(CommandLine, JournalUsageErrorsUnderJsonAreJsonWhereverTheFlagIs) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"frob", "--json"},
                                             {"--json", "frob"},
                                             {"frob", "x", "--json", "--bogus"},
                                             {"get", db_, "tasks", "t1", "--bogus", "--json"},
                                             {"--json", "--bogus", "get"},
                                             {"log", "--json", db_, "--since"},
                                             {"help", "frob", "--json"}}) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 2) << args.front() << ": " << r.err;
    std::string error;
    std::optional<Json> j = testing::ParseJson(r.out, &error);
    ASSERT_TRUE(j.has_value()) << args.front() << ": " << error << " in: " << r.out;
    EXPECT_EQ((*j)["error"]["code"].string, "usage") << r.out;
    EXPECT_FALSE((*j)["error"]["message"].string.empty());
  }
  ProcessResult r = Journal({"frob", "--json"});
  EXPECT_TRUE(Contains(r.out, R"(unknown command \"frob\")")) << r.out;
  EXPECT_FALSE(boost::filesystem::exists(db_));
}

TEST_F(CommandLine, ServerRejectsUnknownOptionsInsteadOfIgnoringThem) {
  const std::string data = dir_.Sub("server");
  ExpectUsageError(Server({"--port", "7000"}), "unknown option --port");
  // The unusable --listen makes a server that ignored the typo exit 1 at
  // once instead of serving until the test times out.
  ExpectUsageError(Server({"--data", data, "--listen", "no-address", "--lisen", "127.0.0.1:0"}),
                   "unknown option --lisen");
  ExpectUsageError(Server({"--data", data, "--listen", "no-address", "extra"}),
                   "unexpected argument extra");
  ExpectUsageError(Server({"trim", "--data", data, "--below", "3", "--listen", "x"}),
                   "unknown option --listen");
  // Never started: a server would have created its data directory.
  EXPECT_FALSE(boost::filesystem::exists(data));
}

TEST_F(CommandLine, ServerUsageErrorsNameTheOption) {
  const std::string data = dir_.Sub("server");
  ExpectUsageError(Server({"--data"}), "--data");
  ExpectUsageError(Server({"--listen", "127.0.0.1:0"}), "--data DIR or --postgres CONNINFO");
  ExpectUsageError(Server({"--data", "", "--listen", "no-address"}),
                   "--data DIR or --postgres CONNINFO");
  ExpectUsageError(Server({"--data", data, "--postgres", "dbname=x"}), "--postgres");
  ExpectUsageError(Server({"reset-client", "7"}), "reset-client needs --data DIR or --postgres");
  ExpectUsageError(Server({"backup", "--postgres", "dbname=x", "--to", data}), "--postgres");
  ExpectUsageError(Server({"backup", "--data", data}), "--to");
  ExpectUsageError(Server({"trim", "--data", data}), "exactly one of --below");
  // strtoull would read these as 2^64-5 and octal 8; an operator means neither.
  ExpectUsageError(Server({"trim", "--data", data, "--below", "-5"}), "--below");
  ExpectUsageError(Server({"trim", "--data", data, "--below", "0x10"}), "--below");
  ExpectUsageError(Server({"reset-client", "--data", data, "0"}), "CLIENT_ID");
  ExpectUsageError(Server({"expire-registrations", "--data", data}), "--older-than");
  ExpectUsageError(Server({"expire-registrations", "--data", data, "--older-than", "-1"}),
                   "--older-than");
  ExpectUsageError(Server({"--data", data, "--expire-unused-registrations-after", "1h"}),
                   "--expire-unused-registrations-after");
  ExpectUsageError(Server({"--data", data, "trim", "--below", "3"}),
                   "--data before `trim` is a serving option");
  EXPECT_FALSE(boost::filesystem::exists(data));
  ProcessResult r = Server({"trim", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "journal-server trim STORE")) << r.out;
}

// A malformed --listen is a usage error saying what is wrong with it, never
// taken for an address beyond loopback that needs TLS and a token.
TEST_F(CommandLine, ServerMalformedListenIsAUsageErrorSayingWhatIsWrong) {
  const std::string data = dir_.Sub("server");
  const std::string not_a_port = " is not a decimal number from 0 to 65535";
  struct Case {
    std::string listen;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"127.0.0.1:70000", "the port 70000" + not_a_port},
           {"127.0.0.1:99999", "the port 99999" + not_a_port},
           {"127.0.0.1:65536", "the port 65536" + not_a_port},
           {"127.0.0.1:-1", "the port -1" + not_a_port},
           {"127.0.0.1:0x10", "the port 0x10" + not_a_port},
           {"127.0.0.1:", "the port is missing"},
           {":7000", "the host is missing"},
           {"localhost:7000", "the host localhost is not an IPv4 address"},
           {"7000", "not HOST:PORT"},
       }) {
    for (const std::vector<std::string>& extra :
         {std::vector<std::string>{}, std::vector<std::string>{"--insecure"}}) {
      std::vector<std::string> args = {"--data", data, "--listen", c.listen};
      args.insert(args.end(), extra.begin(), extra.end());
      ProcessResult r = Server(args);
      ExpectUsageError(r, "malformed --listen \"" + c.listen + "\": " + c.why);
      EXPECT_FALSE(Contains(r.err, "beyond loopback")) << r.err;
    }
  }
  EXPECT_FALSE(boost::filesystem::exists(data));
}

}  // namespace
}  // namespace journaldb
