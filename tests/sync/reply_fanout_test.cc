// The server's fan-out of changesets replies against the real journal-server:
// the connections a commit wakes share one encoded reply, which must be the
// right one for each of them (the same download cursor and latest version),
// never another cursor's; and a reply counts against the budget for frames in
// flight (--max-inflight-bytes): one that does not fit is refused as
// retryable, and the same client syncs once the budget is free.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::RawClient;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Prints the server's log when a test failed, so a failure says what the
// server saw.
class ReplyFanout : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && server_ != nullptr)
      std::cout << "--- server log " << server_->log_path() << "\n"
                << ReadFile(server_->log_path()) << "--- end of server log\n";
  }

  void StartServer(std::vector<std::string> args) {
    testing::ServerLaunch launch;
    launch.extra_args = std::move(args);
    std::string error;
    server_ = testing::ServerProcess::Start(dir_.Sub("server"), launch, &error);
    ASSERT_TRUE(server_) << error;
  }

  // Lines of the server's log containing `needle`.
  size_t CountLogLines(const std::string& needle) {
    size_t count = 0;
    std::istringstream lines(ReadFile(server_->log_path()));
    for (std::string line; std::getline(lines, line);) count += line.find(needle) != line.npos;
    return count;
  }

  // Waits for `count` lines of the server's log containing `needle`: events
  // in the server the test caused but cannot otherwise observe.
  void AwaitLogLines(const std::string& needle, size_t count) {
    for (int i = 0; i < 6000 && CountLogLines(needle) < count; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_GE(CountLogLines(needle), count) << "server log lines with: " << needle;
  }

  std::unique_ptr<Database> OpenClient(const std::string& name, SyncOptions sync = {}) {
    Options options;
    options.sync = std::move(sync);
    auto db = Database::Open(dir_.Sub(name), options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::ServerProcess> server_;
};

void Put(Database& db, const std::string& key, Value value) {
  Transaction t = db.BeginTransaction();
  ASSERT_TRUE(t.Upsert("c", key, {{"v", std::move(value)}}).ok());
  ASSERT_TRUE(t.Commit().ok());
}

SyncReport MustSync(Database& db, const std::string& address) {
  Result<SyncReport> r = SyncOnce(db, testing::SyncTo(address));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : SyncReport{};
}

void ExpectVerifies(const Database& db, const std::string& who) {
  Result<VerifyReport> v = db.Verify();
  ASSERT_TRUE(v.ok()) << who << ": " << v.status().ToString();
  EXPECT_TRUE(v->ok()) << who << ": " << (v->problems.empty() ? "" : v->problems.front());
}

// Waits (up to a minute in all) until every database's background session
// has brought it to `want`.
void AwaitState(const std::vector<std::unique_ptr<Database>>& dbs, const testing::StateDump& want) {
  auto all_there = [&] {
    for (const auto& db : dbs)
      if (testing::DumpClient(*db) != want) return false;
    return true;
  };
  for (int i = 0; i < 6000 && !all_there(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (size_t i = 0; i < dbs.size(); ++i)
    EXPECT_EQ(testing::DumpClient(*dbs[i]), want) << "session " << i;
}

// A connection proving the identity of one registered client.
std::unique_ptr<RawClient> Connect(const std::string& address, const wire::HelloOk& identity) {
  auto c = std::make_unique<RawClient>(address);
  wire::Hello hello;
  hello.client_id = identity.client_id;
  hello.client_secret = identity.client_secret;
  EXPECT_TRUE(c->Send(hello).ok());
  Result<wire::Message> ok = c->Receive();
  EXPECT_TRUE(ok.ok() && std::holds_alternative<wire::HelloOk>(*ok))
      << (ok.ok() ? wire::MessageName(*ok) : ok.status().ToString());
  return c;
}

struct Reply {
  std::string who;
  uint64_t from = 0;
  wire::Changesets changesets;
};

Reply ReceiveChangesets(RawClient& c, uint64_t from, std::string who) {
  Reply r{std::move(who), from, {}};
  Result<wire::Message> m = c.Receive();
  EXPECT_TRUE(m.ok()) << r.who << ": " << m.status().ToString();
  if (!m.ok()) return r;
  auto* changesets = std::get_if<wire::Changesets>(&*m);
  EXPECT_NE(changesets, nullptr) << r.who << ": " << wire::MessageName(*m);
  if (changesets != nullptr) r.changesets = std::move(*changesets);
  return r;
}

// A reply holds exactly the stored history after its download cursor up to
// version `upto` (all of it fits one reply in these tests; 0: the latest).
void ExpectRightReply(const Reply& r, const std::vector<wire::Changeset>& history,
                      uint64_t upto = 0) {
  if (upto == 0) upto = history.size();
  ASSERT_EQ(r.changesets.changesets.size(), upto - r.from) << r.who;
  for (size_t i = 0; i < r.changesets.changesets.size(); ++i) {
    const wire::Changeset& got = r.changesets.changesets[i];
    const wire::Changeset& want = history[r.from + i];
    EXPECT_EQ(got.server_version, want.server_version) << r.who;
    EXPECT_EQ(got.origin_client, want.origin_client) << r.who;
    EXPECT_EQ(got.origin_lsn, want.origin_lsn) << r.who;
    EXPECT_EQ(got.bytes, want.bytes) << r.who << ", version " << want.server_version;
  }
  EXPECT_GE(r.changesets.latest_version, upto) << r.who;
  EXPECT_LE(r.changesets.latest_version, history.size()) << r.who;
}

TEST_F(ReplyFanout, WaitersAtOneCursorAllGetTheCommitAndApplyIt) {
  StartServer({"--max-wait-ms", "600000", "--max-connections-per-source", "1000"});
  const std::string address = server_->address();
  auto writer = OpenClient("writer");
  ASSERT_NE(writer, nullptr);
  Put(*writer, "a", Value::Int(1));
  Put(*writer, "b", Value::String("before"));
  ASSERT_EQ(MustSync(*writer, address).download_cursor, 2u);

  // Clients with background sessions, each caught up first.
  constexpr int kSessions = 12;
  std::vector<std::unique_ptr<Database>> sessions;
  for (int i = 0; i < kSessions; ++i) {
    const std::string name = "session" + std::to_string(i);
    auto db = OpenClient(name);
    ASSERT_NE(db, nullptr);
    ASSERT_EQ(MustSync(*db, address).download_cursor, 2u);
    db.reset();
    SyncOptions sync = testing::SyncTo(address);
    sync.download_wait_ms = 600000;
    sessions.push_back(OpenClient(name, sync));
    ASSERT_NE(sessions.back(), nullptr);
  }
  // Raw connections parked in a long-polling download at the latest version.
  constexpr int kWaiters = 200;
  RawClient registrar(address);
  Result<wire::HelloOk> registered = registrar.Hello();
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  ASSERT_EQ(registered->latest_version, 2u);
  // A download that does not wait gets the empty reply at the latest
  // version: a reply a cache keyed wrongly would hand out again once a
  // commit moves the latest version on.
  ASSERT_TRUE(registrar.Send(wire::DownloadRequest{2, 0}).ok());
  Reply empty = ReceiveChangesets(registrar, 2, "download at the latest version");
  EXPECT_TRUE(empty.changesets.changesets.empty());
  EXPECT_EQ(empty.changesets.latest_version, 2u);
  std::vector<std::unique_ptr<RawClient>> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.push_back(Connect(address, *registered));
    ASSERT_TRUE(waiters.back()->Send(wire::DownloadRequest{2, 600000}).ok());
  }

  // One sync of two transactions ends every wait.
  Put(*writer, "b", Value::String("after"));
  Put(*writer, "c", Value::BytesValue(std::string(100000, 'x')));
  ASSERT_EQ(MustSync(*writer, address).uploaded_entries, 2u);
  const testing::StateDump want = testing::DumpClient(*writer);
  std::vector<Reply> replies;
  for (int i = 0; i < kWaiters; ++i) {
    // The waits may end at the first of the two versions: then the client
    // asks again, as a real one does.
    std::string who = "waiter " + std::to_string(i);
    Reply r = ReceiveChangesets(*waiters[i], 2, who);
    if (!r.changesets.changesets.empty() && r.changesets.changesets.back().server_version == 3) {
      replies.push_back(std::move(r));
      ASSERT_TRUE(waiters[i]->Send(wire::DownloadRequest{3, 0}).ok());
      r = ReceiveChangesets(*waiters[i], 3, who + ", second download");
    }
    replies.push_back(std::move(r));
  }
  AwaitState(sessions, want);
  for (int i = 0; i < kSessions; ++i) ExpectVerifies(*sessions[i], "session " + std::to_string(i));
  sessions.clear();
  waiters.clear();

  // Every reply against the stored history, read once the server stopped.
  ASSERT_EQ(server_->Terminate(), 0);
  const std::vector<wire::Changeset> history = testing::ServerHistory(dir_.Sub("server"));
  ASSERT_EQ(history.size(), 4u);
  for (const Reply& r : replies) {
    // A reply that ended at version 3 holds the history up to it.
    const auto& got = r.changesets.changesets;
    ExpectRightReply(r, history, got.empty() ? 0 : got.back().server_version);
  }
}

TEST_F(ReplyFanout, ClientsAtDifferentCursorsGetTheirOwnReplies) {
  StartServer({});
  const std::string address = server_->address();
  auto writer = OpenClient("writer");
  ASSERT_NE(writer, nullptr);
  // A client at each of the download cursors 1 to 4.
  constexpr uint64_t kBehind = 4;
  std::vector<std::unique_ptr<Database>> clients;
  for (uint64_t v = 1; v <= kBehind; ++v) {
    Put(*writer, "k" + std::to_string(v), Value::Int(static_cast<int64_t>(v)));
    ASSERT_EQ(MustSync(*writer, address).download_cursor, v);
    clients.push_back(OpenClient("at" + std::to_string(v)));
    ASSERT_NE(clients.back(), nullptr);
    ASSERT_EQ(MustSync(*clients.back(), address).download_cursor, v);
  }
  Put(*writer, "k1", Value::String("changed"));
  ASSERT_EQ(MustSync(*writer, address).download_cursor, kBehind + 1);
  const testing::StateDump want = testing::DumpClient(*writer);

  // Raw downloads from every cursor, in an order in which each cursor's
  // reply is asked for while other cursors' replies were built just before.
  RawClient registrar(address);
  Result<wire::HelloOk> registered = registrar.Hello();
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  std::vector<Reply> replies;
  for (uint64_t from : {0, 2, 1, 3, 5, 4, 0, 5, 2, 1}) {
    auto c = Connect(address, *registered);
    const std::string who = "download from " + std::to_string(from);
    ASSERT_TRUE(c->Send(wire::DownloadRequest{from, 0}).ok());
    replies.push_back(ReceiveChangesets(*c, from, who));
  }
  // The clients catch up, each from its own cursor.
  for (uint64_t v : {3, 1, 4, 2}) {
    const std::string who = "client at " + std::to_string(v);
    SyncReport r = MustSync(*clients[v - 1], address);
    EXPECT_EQ(r.downloaded_changesets, kBehind + 1 - v) << who;
    EXPECT_EQ(r.download_cursor, kBehind + 1) << who;
    EXPECT_EQ(testing::DumpClient(*clients[v - 1]), want) << who;
    ExpectVerifies(*clients[v - 1], who);
  }

  ASSERT_EQ(server_->Terminate(), 0);
  const std::vector<wire::Changeset> history = testing::ServerHistory(dir_.Sub("server"));
  ASSERT_EQ(history.size(), kBehind + 1);
  for (const Reply& r : replies) ExpectRightReply(r, history);
}

// The largest send buffer TCP grows a socket's to (net.ipv4.tcp_wmem).
size_t MaxSendBuffer() {
  std::ifstream in("/proc/sys/net/ipv4/tcp_wmem");
  size_t min = 0, initial = 0, max = 0;
  in >> min >> initial >> max;
  return max;
}

TEST_F(ReplyFanout, ReplyBeyondTheInflightBudgetIsRefusedAsRetryableThenServed) {
  // A budget of 16 MiB: room for a reply of 10 MiB, not for one of 8 MiB
  // beside it.
  constexpr size_t kBig = 10u << 20, kSecond = 8u << 20;
  // The 10 MiB reply stays charged while its reader does not read: it
  // cannot fit in the socket buffers between (a receive buffer held at
  // 256 KiB, which the kernel doubles, and a send buffer of at most
  // tcp_wmem's maximum). A much smaller receive buffer would make reading
  // the reply crawl.
  constexpr int kHolderReceiveBuffer = 256 << 10;
  ASSERT_GT(kBig, MaxSendBuffer() + 2 * kHolderReceiveBuffer + (1u << 20))
      << "net.ipv4.tcp_wmem allows send buffers that could take the whole reply";
  StartServer({"--max-inflight-bytes", "16777216"});
  const std::string address = server_->address();
  auto writer = OpenClient("writer");
  auto reader = OpenClient("reader");
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  Put(*writer, "big", Value::BytesValue(std::string(kBig, 'a')));
  const uint64_t writer_id = MustSync(*writer, address).client_id;
  const uint64_t reader_id = MustSync(*reader, address).client_id;
  ASSERT_EQ(testing::DumpClient(*reader), testing::DumpClient(*writer));
  // Each connection ends before the next step begins, its frames given up.
  AwaitLogLines(fmt::format("client={} (", reader_id), 1);
  Put(*writer, "second", Value::BytesValue(std::string(kSecond, 'b')));
  ASSERT_EQ(MustSync(*writer, address).download_cursor, 2u);
  AwaitLogLines(fmt::format("client={} (", writer_id), 2);

  // A connection asks for the history from version 0 and does not read:
  // its reply (the 10 MiB changeset) is sent, in part, and stays charged.
  RawClient holder(address);
  ASSERT_EQ(::setsockopt(holder.fd(), SOL_SOCKET, SO_RCVBUF, &kHolderReceiveBuffer,
                         sizeof kHolderReceiveBuffer),
            0);
  Result<wire::HelloOk> holder_ok = holder.Hello();
  ASSERT_TRUE(holder_ok.ok()) << holder_ok.status().ToString();
  ASSERT_TRUE(holder.Send(wire::DownloadRequest{0, 0}).ok());
  char byte = 0;
  ASSERT_EQ(::recv(holder.fd(), &byte, 1, MSG_PEEK), 1);

  // Another connection at the same cursor gets the same reply: shared, it
  // is charged once, so it fits although two copies would not.
  {
    RawClient sharer(address);
    ASSERT_TRUE(sharer.Hello().ok());
    ASSERT_TRUE(sharer.Send(wire::DownloadRequest{0, 0}).ok());
    Reply shared = ReceiveChangesets(sharer, 0, "a second connection at version 0");
    ASSERT_EQ(shared.changesets.changesets.size(), 1u);
    EXPECT_EQ(shared.changesets.changesets[0].server_version, 1u);
  }

  // The reader's reply (the 8 MiB changeset after its cursor) does not fit
  // beside it: refused, as a retryable error, after the server's retries.
  Result<SyncReport> refused = SyncOnce(*reader, testing::SyncTo(address));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsIOError()) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("budget for frames in flight"), std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(ReadFile(server_->log_path()).find("code=server-error message=a changesets reply"),
            std::string::npos);

  // The holder reads its reply and closes: the budget is free again.
  Result<wire::Message> big = holder.Receive();
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  auto* changesets = std::get_if<wire::Changesets>(&*big);
  ASSERT_NE(changesets, nullptr) << wire::MessageName(*big);
  ASSERT_EQ(changesets->changesets.size(), 1u);
  EXPECT_EQ(changesets->changesets[0].server_version, 1u);
  holder.CloseWrite();
  AwaitLogLines(fmt::format("client={} (connection closed by peer)", holder_ok->client_id), 1);

  SyncReport served = MustSync(*reader, address);
  EXPECT_EQ(served.downloaded_changesets, 1u);
  EXPECT_EQ(served.download_cursor, 2u);
  EXPECT_EQ(testing::DumpClient(*reader), testing::DumpClient(*writer));
  ExpectVerifies(*reader, "reader");
}

}  // namespace
}  // namespace journaldb
