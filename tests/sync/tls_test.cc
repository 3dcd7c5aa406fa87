// TLS between `journal sync` and a real journal-server: data crosses, an
// untrusted or misnamed certificate stops the client before it sends
// anything, each side tells a peer that speaks the other language what is
// wrong, the handshake is bounded by the hello deadline, the server
// validates its TLS options before it opens anything, background sessions
// long-poll over TLS, and the server takes a renewed certificate on SIGHUP
// without a restart.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/filesystem.hpp>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "support/test_certificate.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::ServerLaunch;
using testing::ServerProcess;
using testing::TestCertificate;

testing::ProcessResult Journal(std::vector<std::string> args) {
  args.insert(args.begin(), JOURNAL_CLI_PATH);
  testing::SpawnOptions options;
  options.merge_stderr = true;
  options.timeout = std::chrono::seconds(60);
  return testing::RunProcess(args, options);
}


bool Contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    server_cert_ = testing::MakeSelfSignedCertificate(dir_.path(), "server",
                                                      {"IP:127.0.0.1", "DNS:localhost"});
  }
  std::unique_ptr<ServerProcess> StartTlsServer(const TestCertificate& cert,
                                                std::vector<std::string> extra = {}) {
    ServerLaunch launch;
    launch.extra_args = {"--tls-cert", cert.cert_path, "--tls-key", cert.key_path};
    launch.extra_args.insert(launch.extra_args.end(), extra.begin(), extra.end());
    std::string error;
    auto server = ServerProcess::Start(dir_.Sub("data"), launch, &error);
    EXPECT_TRUE(server) << error;
    return server;
  }

  testing::TempDir dir_;
  TestCertificate server_cert_;
};

TEST_F(Tls, WritesCrossBetweenClientsThatTrustTheServer) {
  auto server = StartTlsServer(server_cert_);
  ASSERT_TRUE(server);
  const std::string a = dir_.Sub("a"), b = dir_.Sub("b");
  ASSERT_EQ(Journal({"put", a, "tasks", "t1", "title=over TLS"}).exit_code, 0);
  testing::ProcessResult up =
      Journal({"sync", a, "--server", server->address(), "--tls-ca", server_cert_.cert_path});
  ASSERT_EQ(up.exit_code, 0) << up.out;
  EXPECT_TRUE(Contains(up.out, "uploaded 1 entries")) << up.out;
  testing::ProcessResult down =
      Journal({"sync", b, "--server", server->address(), "--tls-ca", server_cert_.cert_path});
  ASSERT_EQ(down.exit_code, 0) << down.out;
  testing::ProcessResult get = Journal({"get", b, "tasks", "t1"});
  EXPECT_TRUE(Contains(get.out, "over TLS")) << get.out;
  // The same through "localhost": the certificate names it too.
  const std::string by_name = "localhost:" + std::to_string(server->port());
  testing::ProcessResult named =
      Journal({"sync", b, "--server", by_name, "--tls-ca", server_cert_.cert_path});
  EXPECT_EQ(named.exit_code, 0) << named.out;
  EXPECT_TRUE(Contains(ReadFile(server->log_path()), "tls=on"));
}

// Two background sessions over TLS, each waiting in a long-polling download
// on the server: a commit on one wakes the other's wait (the server reads
// nothing meanwhile), and cuts its own session's wait short (the server
// takes the first byte of the upload off the TLS session while it waits
// and hands it to the frame reader). A byte lost or a wait never ended
// would stop the changes crossing.
TEST_F(Tls, BackgroundSessionsLongPollOverTlsAndSeeEachOthersCommits) {
  auto server = StartTlsServer(server_cert_);
  ASSERT_TRUE(server);
  auto open = [&](const std::string& name) {
    Options o;
    o.sync.server = server->address();
    o.sync.tls = true;
    o.sync.tls_ca_file = server_cert_.cert_path;
    o.sync.download_wait_ms = 5000;  // the server's cap: every idle wait is a long poll
    o.sync.min_backoff_ms = 20;
    o.sync.max_backoff_ms = 200;
    auto db = Database::Open(dir_.Sub(name), o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  };
  auto a = open("a"), b = open("b");
  ASSERT_TRUE(a && b);
  auto shows = [](Database& db, const std::string& key, int64_t n) {
    for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
         std::chrono::steady_clock::now() < until;
         std::this_thread::sleep_for(std::chrono::milliseconds(20))) {
      Result<Object> o = db.Get("tasks", key);
      if (o.ok() && o->fields.at("n") == Value::Int(n)) return true;
    }
    return false;
  };
  for (int64_t round = 1; round <= 3; ++round) {
    for (auto [from, to] : {std::pair{a.get(), b.get()}, std::pair{b.get(), a.get()}}) {
      const std::string key = from == a.get() ? "from-a" : "from-b";
      Transaction t = from->BeginTransaction();
      ASSERT_TRUE(t.Write(Operation::Upsert("tasks", key, {{"n", Value::Int(round)}})).ok());
      ASSERT_TRUE(t.Commit().ok());
      EXPECT_TRUE(shows(*to, key, round)) << key << " round " << round << "\n"
                                          << ReadFile(server->log_path());
    }
  }
}

TEST_F(Tls, AnUntrustedOrMisnamedCertificateStopsTheClientBeforeItSendsAnything) {
  TestCertificate stranger =
      testing::MakeSelfSignedCertificate(dir_.path(), "stranger", {"IP:127.0.0.1"});
  TestCertificate elsewhere =
      testing::MakeSelfSignedCertificate(dir_.path(), "elsewhere", {"DNS:sync.example.com"});
  for (const TestCertificate* shown : {&server_cert_, &elsewhere}) {
    auto server = StartTlsServer(*shown);
    ASSERT_TRUE(server);
    const std::string db = dir_.Sub(shown == &server_cert_ ? "x" : "y");
    ASSERT_EQ(Journal({"put", db, "tasks", "t1", "title=secret"}).exit_code, 0);
    // Trusting another certificate, or the right one under another name.
    const std::string& ca = shown == &server_cert_ ? stranger.cert_path : elsewhere.cert_path;
    testing::ProcessResult r = Journal({"sync", db, "--server", server->address(), "--tls-ca", ca});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_TRUE(Contains(r.out, "not trusted for 127.0.0.1")) << r.out;
    server->Terminate();
    std::string log = ReadFile(server->log_path());
    EXPECT_FALSE(Contains(log, "hello conn=")) << log;
    EXPECT_TRUE(Contains(Journal({"status", db}).out, "not trusted")) << "the last error";
  }
}

TEST_F(Tls, EachSideTellsACleartextPeerWhatIsWrong) {
  auto tls_server = StartTlsServer(server_cert_);
  ASSERT_TRUE(tls_server);
  testing::ProcessResult plain = Journal({"sync", dir_.Sub("a"), "--server", tls_server->address()});
  EXPECT_EQ(plain.exit_code, 1) << plain.out;
  EXPECT_TRUE(Contains(plain.out, "this server speaks TLS only")) << plain.out;

  std::string error;
  auto plain_server = ServerProcess::Start(dir_.Sub("plain"), &error);
  ASSERT_TRUE(plain_server) << error;
  testing::ProcessResult tls = Journal(
      {"sync", dir_.Sub("b"), "--server", plain_server->address(), "--tls-ca", server_cert_.cert_path});
  EXPECT_EQ(tls.exit_code, 1) << tls.out;
  EXPECT_TRUE(Contains(tls.out, "does the server speak TLS?")) << tls.out;
}

TEST_F(Tls, AHandshakeThatDoesNotFinishIsCutAtTheHelloDeadline) {
  auto server = StartTlsServer(server_cert_, {"--hello-timeout-ms", "300"});
  ASSERT_TRUE(server);
  // One silent connection, one that starts a TLS record and stalls.
  testing::RawClient silent(server->address());
  testing::RawClient stalled(server->address());
  ASSERT_TRUE(silent.connected() && stalled.connected());
  ASSERT_TRUE(stalled.SendBytes(std::string("\x16\x03\x01", 3)).ok());
  for (testing::RawClient* c : {&silent, &stalled}) {
    char byte;
    // The server closes; recv returns 0 (and never blocks past the test's patience).
    timeval tv{5, 0};
    ::setsockopt(c->fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(::recv(c->fd(), &byte, 1, 0), 0);
  }
  server->Terminate();
  std::string log = ReadFile(server->log_path());
  EXPECT_TRUE(Contains(log, "no TLS handshake began before the deadline")) << log;
  EXPECT_TRUE(Contains(log, "TLS handshake timed out")) << log;
}

TEST_F(Tls, TheServerValidatesItsTlsOptionsBeforeOpeningAnything) {
  TestCertificate other = testing::MakeSelfSignedCertificate(dir_.path(), "other", {"IP:127.0.0.1"});
  struct Case {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {{"--tls-cert", server_cert_.cert_path}, "needs both"},
      {{"--tls-cert", dir_.Sub("missing.pem"), "--tls-key", server_cert_.key_path},
       "missing.pem"},
      {{"--tls-cert", server_cert_.cert_path, "--tls-key", other.key_path},
       "does not belong to the certificate"},
      {{"--listen", "0.0.0.0:0", "--token", "t0ken"}, "needs TLS (--tls-cert and --tls-key)"},
      {{"--listen", "0.0.0.0:0", "--tls-cert", server_cert_.cert_path, "--tls-key",
        server_cert_.key_path},
       "needs a token"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"--data", dir_.Sub("never")};
    args.insert(args.end(), c.args.begin(), c.args.end());
    testing::ProcessResult r = testing::RunServerUntilExit(args);
    EXPECT_FALSE(r.timed_out) << "it started with " << c.args[0];
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(Contains(r.err, c.says)) << r.err;
    EXPECT_FALSE(boost::filesystem::exists(dir_.Sub("never"))) << "created before validating";
  }
  // A CA file the client cannot load is a usage error; nothing is created.
  testing::ProcessResult r =
      Journal({"sync", dir_.Sub("c"), "--server", "127.0.0.1:1", "--tls-ca", dir_.Sub("nope.pem")});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(Contains(r.out, "--tls-ca")) << r.out;
  EXPECT_FALSE(boost::filesystem::exists(dir_.Sub("c")));
}

// Waits until the server's log holds `count` lines containing `needle`;
// false if it does not within the test's patience.
bool AwaitLogLines(const ServerProcess& server, const std::string& needle, size_t count) {
  for (int i = 0; i < 3000; ++i) {
    std::string log = ReadFile(server.log_path());
    size_t found = 0;
    for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1))
      ++found;
    if (found >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// The operator renews the certificate in place and sends SIGHUP: new
// connections get the new one (from another CA, so a client trusting only
// the old one is refused), a connection opened before keeps the old one, and
// a reload that fails (a broken key file) is logged and keeps the last good
// certificate.
TEST_F(Tls, SighupReloadsTheCertificateForNewConnectionsOnly) {
  TestCertificate renewed =
      testing::MakeSelfSignedCertificate(dir_.path(), "renewed", {"IP:127.0.0.1"});
  const TestCertificate served{dir_.Sub("served.pem"), dir_.Sub("served.key")};
  auto install = [&](const TestCertificate& cert) {
    for (auto [from, to] :
         {std::pair{cert.cert_path, served.cert_path}, std::pair{cert.key_path, served.key_path}})
      boost::filesystem::copy_file(from, to, boost::filesystem::copy_option::overwrite_if_exists);
  };
  install(server_cert_);
  auto server = StartTlsServer(served);
  ASSERT_TRUE(server);
  auto sync = [&](const std::string& db, const TestCertificate& trusted) {
    return Journal(
        {"sync", dir_.Sub(db), "--server", server->address(), "--tls-ca", trusted.cert_path});
  };
  ASSERT_EQ(sync("before", server_cert_).exit_code, 0);

  // A session that trusts only the first certificate, connected under it.
  Options options;
  options.sync = testing::SyncTo(server->address());
  options.sync.tls = true;
  options.sync.tls_ca_file = server_cert_.cert_path;
  auto held = Database::Open(dir_.Sub("held"), options);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  SyncSession* session = (*held)->sync_session();
  ASSERT_TRUE(session->wait_for_download(std::chrono::seconds(30)).ok())
      << session->last_error().ToString();

  install(renewed);
  ASSERT_EQ(::kill(server->pid(), SIGHUP), 0);
  ASSERT_TRUE(AwaitLogLines(*server, "tls reloaded:", 1)) << ReadFile(server->log_path());
  EXPECT_TRUE(Contains(ReadFile(server->log_path()), "CN=renewed")) << ReadFile(server->log_path());
  ASSERT_EQ(Journal({"put", dir_.Sub("writer"), "tasks", "t1", "title=after renewal"}).exit_code,
            0);
  testing::ProcessResult now = sync("writer", renewed);
  EXPECT_EQ(now.exit_code, 0) << now.out;
  testing::ProcessResult old = sync("old-trust", server_cert_);
  EXPECT_EQ(old.exit_code, 1) << old.out;
  EXPECT_TRUE(Contains(old.out, "not trusted for 127.0.0.1")) << old.out;
  // The session's connection still speaks the old certificate: its long
  // poll gets the write (a reconnect would be refused; wait_for_download
  // would reconnect, so the test watches the database instead).
  bool arrived = false;
  for (int i = 0; i < 3000 && !(arrived = (*held)->Get("tasks", "t1").ok()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(arrived) << session->last_error().ToString() << ReadFile(server->log_path());
  EXPECT_EQ(session->state(), SyncState::kActive) << session->last_error().ToString();

  // A key file cut short: the reload fails, names the file and keeps the
  // renewed certificate.
  {
    std::ofstream broken(served.key_path, std::ios::trunc);
    broken << "-----BEGIN PRIVATE KEY-----\nnot a key\n";
  }
  ASSERT_EQ(::kill(server->pid(), SIGHUP), 0);
  ASSERT_TRUE(AwaitLogLines(*server, "tls reload failed:", 1)) << ReadFile(server->log_path());
  std::string log = ReadFile(server->log_path());
  EXPECT_TRUE(Contains(log, "tls reload failed: TLS key " + served.key_path)) << log;
  EXPECT_TRUE(Contains(log, "new connections keep the previous certificate")) << log;
  testing::ProcessResult kept = sync("after-failure", renewed);
  EXPECT_EQ(kept.exit_code, 0) << kept.out;
  EXPECT_EQ(server->Terminate(), 0);
}

}  // namespace
}  // namespace journaldb
