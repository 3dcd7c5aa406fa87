// Registrations that were never used expire, against a real journal-server:
// a client that registered, never uploaded and never came back is removed
// (by the operator's `expire-registrations` or by the server's own sweep),
// clients that uploaded, came back or stayed on their registering connection
// are kept, and the removed one, when it does come back, is an unknown
// client: it resets and recovers its offline writes (docs/server.md,
// "Registrations").
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "journaldb/protocol/socket.h"
#include "reset_support.h"
#include "server_process.h"
#include "test_store.h"

namespace journaldb {
namespace {

class RegistrationExpiry : public testing::ResetTest {
 protected:
  // Client `name` registers and downloads, and never comes back.
  std::unique_ptr<Database> RegisteredOnce(const std::string& name) {
    auto db = Open(name, RecoverUnsyncedChanges());
    Result<SyncReport> r = Sync(*db);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_NE(ClientId(*db), 0u);
    return db;
  }
  // `db` comes back: it resets as an unknown client, recovers `diverged`
  // entries and registers with a new id.
  void ExpectUnknownAndRecovered(Database& db, const std::string& name, uint64_t diverged) {
    const uint64_t old_id = ClientId(db);
    Result<SyncReport> r = Sync(db);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->reset);
    EXPECT_NE(ClientId(db), old_id);
    std::vector<RecoverySnapshot> snaps = Snapshots(name);
    ASSERT_EQ(snaps.size(), 1u);
    EXPECT_EQ(snaps[0].manifest.reason, "unknown-client");
    EXPECT_EQ(snaps[0].manifest.diverged_entries, diverged);
  }
  std::string ServerLog() {
    if (server_ == nullptr) return "";  // it did not start, failing the test
    std::ifstream in(server_->log_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

// a only registered; b registered and uploaded; c registered and came back.
// The operator removes every registration never used: a's alone. a's offline
// write comes back through its reset; b and c sync on undisturbed.
TEST_F(RegistrationExpiry, TheOperatorRemovesOnlyTheRegistrationNeverUsed) {
  auto a = RegisteredOnce("a");
  auto b = Open("b", RecoverUnsyncedChanges());
  Commit(*b, "from-b", 1);
  ASSERT_TRUE(Sync(*b).ok());
  auto c = RegisteredOnce("c");
  ASSERT_TRUE(Sync(*c).ok());  // the hello with its id: used
  const uint64_t b_id = ClientId(*b), c_id = ClientId(*c);
  Commit(*a, "offline", 10);

  StopServer();
  std::string out;
  ASSERT_EQ(
      testing::RunOperator({"expire-registrations", "--data", data_, "--older-than", "0"}, &out), 0)
      << out;
  EXPECT_NE(out.find("removed 1 registrations"), std::string::npos) << out;
  StartServer();

  ExpectUnknownAndRecovered(*a, "a", 1);
  EXPECT_EQ(Total(*a), 11);
  ASSERT_TRUE(Sync(*a).ok());  // uploads the replayed write
  for (Database* kept : {b.get(), c.get()}) {
    Result<SyncReport> r = Sync(*kept);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->reset);
  }
  EXPECT_EQ(ClientId(*b), b_id);
  EXPECT_EQ(ClientId(*c), c_id);
  EXPECT_EQ(Total(*c), 11);
  ExpectVerifies(*a);
}

// The server sweeps by itself: with registrations expiring after 2 s, one
// never used is gone within a few seconds, logged, and its client is
// unknown when it comes back. (Its one sync is far shorter than the 1 s
// after which a registering connection that still downloads marks its
// registration used.)
TEST_F(RegistrationExpiry, TheServerSweepsRegistrationsNeverUsedWhileItRuns) {
  StopServer();
  launch_.extra_args = {"--expire-unused-registrations-after", "2"};
  StartServer();
  auto a = RegisteredOnce("a");
  Commit(*a, "offline", 10);
  const std::string line = "expire registrations: removed 1 registered more than 2 s ago";
  for (int i = 0; i < 1000 && ServerLog().find(line) == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_NE(ServerLog().find(line), std::string::npos) << ServerLog();
  ExpectUnknownAndRecovered(*a, "a", 1);
  EXPECT_EQ(Total(*a), 10);
}

// A client that registers and then stays on that one connection, only
// downloading, is no one-off: once the connection has lasted half the age
// (2 s of 4) a download over it marks the registration used. So the sweep
// that removes a registration made after a's and never used (the raw
// hello's) leaves a's, and when a reconnects it is the same client.
TEST_F(RegistrationExpiry, AClientStayingOnItsRegisteringConnectionKeepsItsRegistration) {
  StopServer();
  launch_.extra_args = {"--expire-unused-registrations-after", "4"};
  StartServer();
  auto a = OpenWith("a", SessionOptions(RecoverUnsyncedChanges()));
  ASSERT_TRUE(a->sync_session()->wait_for_download(std::chrono::seconds(30)).ok());
  const uint64_t a_id = ClientId(*a);
  ASSERT_NE(a_id, 0u);
  {
    testing::RawClient once(ServerAddress());
    Result<wire::HelloOk> hello = once.Hello();
    ASSERT_TRUE(hello.ok()) << hello.status().ToString();
  }
  // The first sweep to remove any: once's registration, never a's.
  const std::string removed = "expire registrations: removed ";
  for (int i = 0; i < 2000 && ServerLog().find(removed) == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_NE(ServerLog().find(removed), std::string::npos) << ServerLog();
  EXPECT_NE(ServerLog().find(removed + "1 registered more than 4 s ago"), std::string::npos)
      << ServerLog();
  // a's session is still on the connection that registered it: no hello
  // with its id yet, so only the download marked it used.
  const std::string came_back = fmt::format("client={} download_cursor=", a_id);
  EXPECT_EQ(ServerLog().find(came_back), std::string::npos) << ServerLog();
  EXPECT_NE(ServerLog().find(fmt::format("client={} (its registering connection", a_id)),
            std::string::npos)
      << ServerLog();
  a.reset();
  auto again = Open("a", RecoverUnsyncedChanges());
  Result<SyncReport> r = Sync(*again);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->reset);
  EXPECT_EQ(ClientId(*again), a_id);
  EXPECT_NE(ServerLog().find(came_back), std::string::npos) << ServerLog();
}

// A server that cannot listen must not sweep: the address is checked and
// bound before the store opens. a's registration is old enough to expire
// (1 s) when two starts fail, one on a port another socket holds, one on a
// malformed --listen (a usage error); afterwards it is still there.
TEST_F(RegistrationExpiry, AServerThatCannotListenRemovesNoRegistration) {
  auto a = RegisteredOnce("a");
  StopServer();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const server::StorageLocation at = testing::TestStorage(data_);
  const std::vector<std::string> store = at.postgres.empty()
                                             ? std::vector<std::string>{"--data", data_}
                                             : std::vector<std::string>{"--postgres", at.postgres};
  Result<sync::Listener> taken = sync::Listener::Listen("127.0.0.1:0");
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  struct Start {
    std::string listen;
    int exit_code;
    std::string says;
  };
  for (const Start& start :
       {Start{fmt::format("127.0.0.1:{}", taken->port()), 1, "bind"},
        Start{"127.0.0.1:70000", 2, "malformed --listen \"127.0.0.1:70000\""}}) {
    std::vector<std::string> args = store;
    args.insert(args.end(), {"--listen", start.listen, "--insecure",
                             "--expire-unused-registrations-after", "1"});
    testing::ProcessResult r = testing::RunServerUntilExit(args);
    EXPECT_EQ(r.exit_code, start.exit_code) << start.listen << ": " << r.err;
    EXPECT_NE(r.err.find(start.says), std::string::npos) << start.listen << ": " << r.err;
    EXPECT_EQ(r.err.find("expire registrations"), std::string::npos) << r.err;
  }
  std::string out;
  ASSERT_EQ(
      testing::RunOperator({"expire-registrations", "--data", data_, "--older-than", "0"}, &out), 0)
      << out;
  EXPECT_NE(out.find("removed 1 registrations"), std::string::npos) << out;
}

}  // namespace
}  // namespace journaldb
