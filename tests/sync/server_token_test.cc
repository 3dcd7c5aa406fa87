// The registration token of a real journal-server: read from a file or the
// environment, required beyond loopback unless --insecure, wrong guesses
// throttled per source address; its options parsed strictly.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "journaldb/server/server.h"
#include "server_process.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "support/test_certificate.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::RawClient;
using testing::ServerLaunch;
using wire::ErrorCode;

using testing::RunServerUntilExit;

// A raw hello with `token` on a fresh connection: the error code, or kNone
// if the server said hello-ok.
ErrorCode HelloWith(const std::string& address, const std::string& token) {
  RawClient c(address);
  if (!c.Send(wire::Hello{wire::kProtocolVersion, token, 0, 0, 0, 0, "", "", ""}).ok())
    return ErrorCode::kNone;
  Result<wire::Message> m = c.Receive();
  if (!m.ok()) {
    ADD_FAILURE() << m.status().ToString();
    return ErrorCode::kNone;
  }
  if (auto* e = std::get_if<wire::Error>(&*m)) return e->code;
  return ErrorCode::kNone;
}

TEST(ServerToken, BeyondLoopbackWithoutTokenRefusesToStart) {
  testing::TempDir dir;
  testing::ProcessResult r = RunServerUntilExit({"--data", dir.Sub("server"), "--listen", "0.0.0.0:0"});
  EXPECT_FALSE(r.timed_out) << "it started";
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("needs TLS (--tls-cert and --tls-key) and a token"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--insecure"), std::string::npos) << r.err;
}

TEST(ServerToken, BeyondLoopbackStartsWithInsecureOrATokenAndTls) {
  testing::TempDir dir;
  testing::TestCertificate cert =
      testing::MakeSelfSignedCertificate(dir.path(), "server", {"IP:127.0.0.1"});
  std::string out;
  ASSERT_EQ(testing::RunServerCommand({"init", "--data", dir.Sub("server")}, &out), 0) << out;
  for (std::vector<std::string> extra :
       {std::vector<std::string>{"--insecure"},
        std::vector<std::string>{"--token", "t0ken", "--tls-cert", cert.cert_path, "--tls-key",
                                 cert.key_path}}) {
    std::vector<std::string> args = {JOURNAL_SERVER_PATH, "--data", dir.Sub("server"), "--listen",
                                     "0.0.0.0:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string error;
    testing::SpawnOptions options;
    options.stderr_path = dir.Sub("log");
    auto child = testing::ChildProcess::Start(args, &error, options);
    ASSERT_TRUE(child) << error;
    std::string line = child->ReadLine().value_or("");
    EXPECT_EQ(line.rfind("listening on 0.0.0.0:", 0), 0u) << extra[0] << ": " << line;
    child->Kill(SIGTERM);
    EXPECT_EQ(testing::ExitCodeOf(child->Wait()), 0);
  }
  std::ifstream in(dir.Sub("log"));
  std::stringstream log;
  log << in.rdbuf();
  EXPECT_NE(log.str().find("warning: --insecure"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("--token is visible"), std::string::npos) << log.str();
}

TEST(ServerToken, TokenFromAFile) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("token")) << "from-a-file\n";
  ServerLaunch launch;
  launch.extra_args = {"--token-file", dir.Sub("token")};
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), launch, &error);
  ASSERT_TRUE(server) << error;
  EXPECT_EQ(HelloWith(server->address(), "from-a-file"), ErrorCode::kNone);
  EXPECT_EQ(HelloWith(server->address(), "from-a-file\n"), ErrorCode::kUnauthorized);
  EXPECT_EQ(HelloWith(server->address(), ""), ErrorCode::kUnauthorized);
}

TEST(ServerToken, TokenFromTheEnvironment) {
  testing::TempDir dir;
  ServerLaunch launch;
  launch.env = {"JOURNALDB_SERVER_TOKEN=from-the-env"};
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), launch, &error);
  ASSERT_TRUE(server) << error;
  EXPECT_EQ(HelloWith(server->address(), "from-the-env"), ErrorCode::kNone);
  EXPECT_EQ(HelloWith(server->address(), ""), ErrorCode::kUnauthorized);
}

TEST(ServerToken, BadTokenOptionsAreErrors) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("empty")).flush();
  const std::string data = dir.Sub("server");
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {{"--token-file", dir.Sub("missing")}, 1, "cannot read it"},
           {{"--token-file", dir.Sub("empty")}, 1, "it is empty"},
           {{"--token-file", dir.Sub("empty"), "--token", "t"}, 2, "excludes"},
           {{"--token-fil", dir.Sub("empty")}, 2, "--token-fil"},
           {{"--max-connections", "0"}, 2, "--max-connections"},
           {{"--hello-timeout-ms", "-1"}, 2, "--hello-timeout-ms"},
           {{"--max-inflight-bytes", "1024"}, 2, "--max-inflight-bytes"},
       }) {
    std::vector<std::string> args = {"--data", data};
    args.insert(args.end(), c.args.begin(), c.args.end());
    testing::ProcessResult r = RunServerUntilExit(args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args[0] << ": " << r.err;
  }
  // A serving option before an operator command is still a usage error.
  testing::ProcessResult r =
      RunServerUntilExit({"--max-connections", "5", "trim", "--data", data, "--below", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--max-connections before `trim`"), std::string::npos) << r.err;
}

TEST(ServerToken, WrongTokensAreThrottledPerSource) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), &error, 0, "right");
  ASSERT_TRUE(server) << error;
  for (uint32_t i = 0; i < server::kMaxWrongTokensPerMinute; ++i)
    ASSERT_EQ(HelloWith(server->address(), "guess" + std::to_string(i)), ErrorCode::kUnauthorized);
  // Now even the right token is refused from this address, for a minute.
  RawClient c(server->address());
  Result<wire::HelloOk> ok = c.Hello(0, "right");
  ASSERT_FALSE(ok.ok());
  EXPECT_NE(ok.status().message().find("too many wrong tokens from 127.0.0.1"), std::string::npos)
      << ok.status().ToString();
  std::ifstream in(server->log_path());
  std::stringstream log;
  log << in.rdbuf();
  EXPECT_NE(log.str().find("throttle source=127.0.0.1"), std::string::npos) << log.str();
}

}  // namespace
}  // namespace journaldb
