// End-to-end sync over loopback TCP with a real journal-server process.
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "journaldb/engine/sync/connection.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::DumpClient;
using testing::DumpServer;
using testing::ServerProcess;
using testing::TempDir;

constexpr auto kWait = std::chrono::seconds(60);

std::unique_ptr<Database> OpenDb(const std::string& path, const std::string& server = "") {
  Options o;
  o.sync.server = server;
  o.sync.min_backoff_ms = 20;
  o.sync.max_backoff_ms = 200;
  auto db = Database::Open(path, o);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

void Commit(Database& db, std::vector<Operation> ops) {
  Transaction t = db.BeginTransaction();
  for (Operation& op : ops) ASSERT_TRUE(t.Write(std::move(op)).ok());
  Result<Lsn> lsn = t.Commit();
  ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
}

SyncReport Sync(Database& db, const std::string& server) {
  Result<SyncReport> r = SyncOnce(db, testing::SyncTo(server));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : SyncReport{};
}

void ExpectVerifies(const Database& db) {
  Result<VerifyReport> v = db.Verify();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  std::string problems;
  for (const auto& p : v->problems) problems += p + "\n";
  EXPECT_TRUE(v->ok()) << problems;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SyncEndToEnd, TwoClientsEditOfflineThenConverge) {
  TempDir dir;
  std::string error;
  auto server = ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  auto a = OpenDb(dir.Sub("a"));
  auto b = OpenDb(dir.Sub("b"));
  // Both edit offline, concurrently in the server's eyes.
  Commit(*a,
         {Operation::Upsert("tasks", "t1",
                            {{"title", Value::String("from a")}, {"owner", Value::String("ann")}}),
          Operation::Increment("tasks", "t1", "votes", 1)});
  Commit(*a, {Operation::Upsert("tasks", "only-a", {{"n", Value::Int(1)}})});
  Commit(*b, {Operation::Upsert("tasks", "t1", {{"title", Value::String("from b")}}),
              Operation::Increment("tasks", "t1", "votes", 2)});
  Commit(*b, {Operation::Upsert("tasks", "only-b", {{"n", Value::Int(2)}})});

  Result<SyncStatus> before = GetSyncStatus(*a);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->unsynced_entries, 2u);
  EXPECT_EQ(before->client_id, 0u);
  SyncReport ra = Sync(*a, server->address());
  EXPECT_EQ(ra.uploaded_entries, 2u);
  Result<SyncStatus> after = GetSyncStatus(*a);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->unsynced_entries, 0u);
  EXPECT_EQ(after->upload_cursor, 2u);
  EXPECT_EQ(after->client_id, ra.client_id);
  EXPECT_EQ(after->last_error, "");
  EXPECT_NE(ra.client_id, 0u);
  // b's sync uploads after a's: b's title is later in server order.
  SyncReport rb = Sync(*b, server->address());
  EXPECT_EQ(rb.uploaded_entries, 2u);
  EXPECT_NE(rb.client_id, ra.client_id);
  EXPECT_EQ(rb.download_cursor, 4u);
  SyncReport ra2 = Sync(*a, server->address());
  EXPECT_EQ(ra2.download_cursor, 4u);

  testing::StateDump da = DumpClient(*a), db_ = DumpClient(*b);
  EXPECT_EQ(da, db_);
  const FieldMap& t1 = da.at({"tasks", "t1"});
  EXPECT_EQ(t1.at("title"), Value::String("from b"));  // last writer in server order
  EXPECT_EQ(t1.at("owner"), Value::String("ann"));     // untouched by b: kept
  EXPECT_EQ(t1.at("votes"), Value::Int(3));            // increments commute
  EXPECT_EQ(da.size(), 3u);
  ExpectVerifies(*a);
  ExpectVerifies(*b);
  // Entries are tagged with the identity and cursor current at commit.
  Commit(*a, {Operation::EraseField("tasks", "t1", "owner")});
  JournalReader r = a->ReadJournal(3);
  ASSERT_TRUE(r.Valid());
  EXPECT_EQ(r.entry().client_id, ra.client_id);
  EXPECT_EQ(r.entry().download_cursor, 4u);
  EXPECT_EQ(r.entry().epoch, ra.epoch);
  Sync(*a, server->address());
  Sync(*b, server->address());
  EXPECT_EQ(DumpClient(*a), DumpClient(*b));

  ASSERT_EQ(server->Terminate(), 0);
  EXPECT_EQ(DumpServer(dir.Sub("server")), DumpClient(*a));
  std::string log = ReadFile(server->log_path());
  EXPECT_NE(log.find("connect conn="), std::string::npos) << log;
  EXPECT_NE(log.find("hello conn="), std::string::npos) << log;
  EXPECT_NE(log.find("close conn="), std::string::npos) << log;
}

TEST(SyncEndToEnd, EraseObjectAgainstConcurrentUpdateFollowsServerOrder) {
  TempDir dir;
  std::string error;
  auto server = ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  auto a = OpenDb(dir.Sub("a"));
  auto b = OpenDb(dir.Sub("b"));
  Commit(*a, {Operation::Upsert("notes", "n1",
                                {{"text", Value::String("hi")}, {"likes", Value::Int(1)}}),
              Operation::Upsert("notes", "n2", {{"text", Value::String("yo")}})});
  Sync(*a, server->address());
  Sync(*b, server->address());
  // Offline: a erases both; b updates n1 and n2.
  Commit(*a, {Operation::EraseObject("notes", "n1")});
  Commit(*a, {Operation::EraseObject("notes", "n2")});
  Commit(*b, {Operation::Upsert("notes", "n1", {{"text", Value::String("edited")}})});
  Commit(*b, {Operation::Increment("notes", "n2", "likes", 5)});
  // Local view keeps the local edits while they are pending.
  EXPECT_FALSE(a->Get("notes", "n1").ok());
  // Server order: a's erases, then b's updates: the updates re-create the
  // objects with only the fields they set.
  Sync(*a, server->address());
  Sync(*b, server->address());
  Sync(*a, server->address());
  testing::StateDump da = DumpClient(*a);
  EXPECT_EQ(da, DumpClient(*b));
  ASSERT_EQ(da.count({"notes", "n1"}), 1u);
  EXPECT_EQ(da.at({"notes", "n1"}), (FieldMap{{"text", Value::String("edited")}}));
  EXPECT_EQ(da.at({"notes", "n2"}), (FieldMap{{"likes", Value::Int(5)}}));
  // The other order: an update, then an erase that comes later wins.
  Commit(*b, {Operation::Upsert("notes", "n1", {{"text", Value::String("again")}})});
  Commit(*a, {Operation::EraseObject("notes", "n1")});
  Sync(*b, server->address());
  Sync(*a, server->address());
  Sync(*b, server->address());
  EXPECT_EQ(DumpClient(*a).count({"notes", "n1"}), 0u);
  EXPECT_EQ(DumpClient(*a), DumpClient(*b));
  ExpectVerifies(*a);
  ExpectVerifies(*b);
}

TEST(SyncEndToEnd, IncrementOfFieldMadeNonIntByServerOrderIsNoOp) {
  TempDir dir;
  std::string error;
  auto server = ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  auto a = OpenDb(dir.Sub("a"));
  auto b = OpenDb(dir.Sub("b"));
  Commit(*a, {Operation::Upsert("c", "k", {{"n", Value::Int(1)}})});
  Sync(*a, server->address());
  Sync(*b, server->address());
  Commit(*a, {Operation::Upsert("c", "k", {{"n", Value::String("text")}})});
  Commit(*b, {Operation::Increment("c", "k", "n", 1)});
  Sync(*a, server->address());
  Sync(*b, server->address());
  Sync(*a, server->address());
  EXPECT_EQ(DumpClient(*a), DumpClient(*b));
  EXPECT_EQ(*a->GetField("c", "k", "n"), Value::String("text"));
  ExpectVerifies(*b);
}

TEST(SyncEndToEnd, AckedWritesSurviveServerKillAndRestart) {
  TempDir dir;
  std::string error;
  auto server = ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  const uint16_t port = server->port();
  auto a = OpenDb(dir.Sub("a"), server->address());
  ASSERT_NE(a->sync_session(), nullptr);
  for (int i = 0; i < 200; ++i)
    Commit(*a, {Operation::Upsert("items", "i" + std::to_string(i), {{"n", Value::Int(i)}})});
  ASSERT_TRUE(a->sync_session()->wait_for_upload(kWait).ok());
  server->Kill();  // SIGKILL right after the acks: nothing acked may be lost
  server = ServerProcess::Start(dir.Sub("server"), &error, port);
  ASSERT_TRUE(server) << error;
  auto c = OpenDb(dir.Sub("c"));
  SyncReport rc = Sync(*c, server->address());
  EXPECT_EQ(rc.download_cursor, 200u);
  EXPECT_EQ(DumpClient(*c).size(), 200u);
  // The session reconnects by itself and keeps uploading.
  Commit(*a, {Operation::Upsert("items", "after-restart", {{"n", Value::Int(-1)}})});
  Status s = a->sync_session()->wait_for_upload(kWait);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(a->sync_session()->wait_for_download(kWait).ok());
  Sync(*c, server->address());
  EXPECT_EQ(DumpClient(*c), DumpClient(*a));
  ASSERT_EQ(server->Terminate(), 0);
  EXPECT_EQ(testing::ServerHistory(dir.Sub("server")).size(), 201u);
}

TEST(SyncEndToEnd, SessionsDownloadEachOthersChangesAndReportState) {
  TempDir dir;
  std::string error;
  auto server = ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  auto a = OpenDb(dir.Sub("a"), server->address());
  auto b = OpenDb(dir.Sub("b"), server->address());
  std::mutex mu;
  std::vector<SyncState> seen;
  uint64_t id = b->sync_session()->AddListener([&](SyncState st, const Status&) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(st);
  });
  Commit(*a, {Operation::Upsert("chat", "m1", {{"text", Value::String("hello")}})});
  ASSERT_TRUE(a->sync_session()->wait_for_upload(kWait).ok());
  ASSERT_TRUE(b->sync_session()->wait_for_download(kWait).ok());
  EXPECT_EQ(*b->GetField("chat", "m1", "text"), Value::String("hello"));
  EXPECT_EQ(b->sync_session()->state(), SyncState::kActive);
  // Pause: disconnected; local commits wait; resume uploads them.
  b->sync_session()->Pause();
  Commit(*b, {Operation::Increment("chat", "m1", "reads", 1)});
  b->sync_session()->Resume();
  ASSERT_TRUE(b->sync_session()->wait_for_upload(kWait).ok());
  ASSERT_TRUE(a->sync_session()->wait_for_download(kWait).ok());
  EXPECT_EQ(*a->GetField("chat", "m1", "reads"), Value::Int(1));
  // SIGTERM with both sessions connected: a clean stop, exit status 0.
  EXPECT_EQ(server->Terminate(), 0);
  b->sync_session()->RemoveListener(id);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(std::find(seen.begin(), seen.end(), SyncState::kDisconnected), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), SyncState::kActive), seen.end());
}

TEST(SyncEndToEnd, ManyBackgroundSessionsConverge) {
  TempDir dir;
  std::string error;
  auto server = ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  constexpr int kClients = 8;
  constexpr int kCommits = 50;
  std::vector<std::unique_ptr<Database>> dbs;
  for (int c = 0; c < kClients; ++c)
    dbs.push_back(OpenDb(dir.Sub("c" + std::to_string(c)), server->address()));
  std::vector<std::thread> writers;
  for (int c = 0; c < kClients; ++c)
    writers.emplace_back([&, c] {
      for (int i = 0; i < kCommits; ++i)
        Commit(*dbs[static_cast<size_t>(c)],
               {Operation::Increment("counters", "shared", "n", 1),
                Operation::Upsert("owners", "shared", {{"last", Value::Int(c)}}),
                Operation::Upsert("own", std::to_string(c), {{"i", Value::Int(i)}})});
    });
  for (auto& t : writers) t.join();
  for (auto& db : dbs) ASSERT_TRUE(db->sync_session()->wait_for_upload(kWait).ok());
  for (auto& db : dbs) ASSERT_TRUE(db->sync_session()->wait_for_download(kWait).ok());
  testing::StateDump first = DumpClient(*dbs[0]);
  EXPECT_EQ(first.at({"counters", "shared"}).at("n"), Value::Int(kClients * kCommits));
  EXPECT_EQ(first.size(), size_t{kClients} + 2);
  for (auto& db : dbs) {
    EXPECT_EQ(DumpClient(*db), first);
    ExpectVerifies(*db);
  }
  dbs.clear();  // sessions stop before the server does
  ASSERT_EQ(server->Terminate(), 0);
  EXPECT_EQ(DumpServer(dir.Sub("server")), first);
}

TEST(SyncEndToEnd, LocalCommitIsUploadedDuringAWaitingDownload) {
  TempDir dir;
  std::string error;
  auto server = ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  auto a = OpenDb(dir.Sub("a"));
  Database& client_db = *a;
  auto c = sync::Connection::Open(client_db, testing::SyncTo(server->address()));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Commit(*a, {Operation::Upsert("c", "k", {{"n", Value::Int(1)}})});
  // The wake signal a session's commit hook sends.
  int wake = ::eventfd(1, EFD_CLOEXEC);
  ASSERT_GE(wake, 0);
  bool caught_up = false;
  Result<uint64_t> n = (*c)->DownloadOnce(/*wait_ms=*/60000, &caught_up, wake);
  ::close(wake);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  // The entry went up inside the download round (its upload frame also ends
  // the server's wait, so the round does not last the full wait).
  Result<SyncStatus> status = GetSyncStatus(*a);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->upload_cursor, 1u);
  EXPECT_EQ(status->unsynced_entries, 0u);
  ExpectVerifies(*a);
}

TEST(SyncEndToEnd, UnreachableServerIsRetryableAndWaitsTimeOut) {
  TempDir dir;
  std::string error;
  // Learn a free port, then stop the server so nothing listens there.
  auto server = ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  std::string address = server->address();
  ASSERT_EQ(server->Terminate(), 0);
  auto a = OpenDb(dir.Sub("a"));
  Commit(*a, {Operation::Upsert("c", "k", {})});
  Result<SyncReport> r = SyncOnce(*a, testing::SyncTo(address));
  EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
  Result<SyncStatus> status = GetSyncStatus(*a);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->unsynced_entries, 1u);
  EXPECT_EQ(status->last_error, r.status().ToString());
  auto b = OpenDb(dir.Sub("b"), address);
  Commit(*b, {Operation::Upsert("c", "k", {})});
  Status s = b->sync_session()->wait_for_upload(std::chrono::milliseconds(300));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(b->sync_session()->state(), SyncState::kActive);
}

}  // namespace
}  // namespace journaldb
