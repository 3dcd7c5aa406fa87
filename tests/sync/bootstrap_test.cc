// Bootstrap: a new client of a server whose history was trimmed downloads
// the full state in pages, resumes an interrupted bootstrap, and starts over
// when the server's state moved on in between. Runs the server library in
// process (over loopback TCP) so pages can be made small, on the store
// test_store.h gives (a data directory, or a PostgreSQL database).
#include <gtest/gtest.h>

#include "journaldb/database.h"
#include "journaldb/engine/sync/connection.h"
#include "journaldb/engine/sync/integrator.h"
#include "journaldb/server/admin.h"
#include "journaldb/server/server.h"
#include "journaldb/server/server_storage.h"
#include "journaldb/sync.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"
#include "test_store.h"

namespace journaldb {
namespace {

class Bootstrap : public ::testing::Test {
 protected:
  void Start() {
    const server::StorageLocation at = testing::TestStorage(dir_.Sub("server"));
    server::ServerOptions o;
    o.data_dir = at.data_dir;
    o.postgres = at.postgres;
    if (!initialised_ && !at.data_dir.empty()) {  // a test database has its schema
      ASSERT_TRUE(server::Init(at).ok());
    }
    initialised_ = true;
    o.bootstrap_page_bytes = 300;  // a few objects per page
    auto s = server::Server::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    address_ = "127.0.0.1:" + std::to_string(server_->port());
  }
  void Stop() { server_.reset(); }
  std::unique_ptr<Database> Open(const std::string& name) {
    auto db = Database::Open(dir_.Sub(name), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }
  void Fill(Database& db, int from, int to) {
    for (int i = from; i < to; ++i) {
      Transaction t = db.BeginTransaction();
      ASSERT_TRUE(t.Upsert("items", "item-" + std::to_string(i),
                           {{"n", Value::Int(i)}, {"pad", Value::String(std::string(40, 'p'))}})
                      .ok());
      ASSERT_TRUE(t.Increment("stats", "all", "count", 1).ok());
      ASSERT_TRUE(t.Commit().ok());
    }
  }
  // Writer syncs its objects, then history below the latest version is trimmed.
  void SeedAndTrim(Database& writer, int objects) {
    Start();
    Fill(writer, 0, objects);
    ASSERT_TRUE(SyncOnce(writer, testing::SyncTo(address_)).ok());
    Stop();
    auto store = server::OpenStorage(testing::TestStorage(dir_.Sub("server")), false);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->TrimBelow((*store)->latest_version()).ok());
    store->reset();
    Start();
  }
  void ExpectVerifies(const Database& db) {
    Result<VerifyReport> v = db.Verify();
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->ok()) << (v->problems.empty() ? "" : v->problems[0]);
  }

  testing::TempDir dir_;
  std::unique_ptr<server::Server> server_;
  std::string address_;
  bool initialised_ = false;
};

TEST_F(Bootstrap, NewClientDownloadsStateInPagesKeepingLocalWork) {
  auto writer = Open("writer");
  SeedAndTrim(*writer, 60);
  auto fresh = Open("fresh");
  Fill(*fresh, 1000, 1003);  // pending local work
  Result<SyncReport> r = SyncOnce(*fresh, testing::SyncTo(address_));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->bootstrapped);
  ASSERT_TRUE(SyncOnce(*writer, testing::SyncTo(address_)).ok());
  EXPECT_EQ(testing::DumpClient(*fresh), testing::DumpClient(*writer));
  EXPECT_EQ(*fresh->GetField("stats", "all", "count"), Value::Int(63));
  ExpectVerifies(*fresh);
}

TEST_F(Bootstrap, InterruptedBootstrapRestartsWhenTheServerMovedOn) {
  auto writer = Open("writer");
  SeedAndTrim(*writer, 40);
  auto fresh = Open("fresh");
  Database& client_db = *fresh;
  {
    // Take two pages, then drop the connection.
    testing::RawClient raw(address_);
    auto c = sync::Connection::Open(client_db, testing::SyncTo(address_));
    ASSERT_TRUE(c.ok());
    Result<sync::LocalCursors> identity = sync::Integrator(client_db).ReadCursors();
    ASSERT_TRUE(identity.ok());
    ASSERT_TRUE(raw.Hello(identity->client_id, "", identity->client_secret).ok());
    wire::BootstrapRequest req{0, ""};
    for (int page = 0; page < 2; ++page) {
      ASSERT_TRUE(raw.Send(req).ok());
      Result<wire::Message> m = raw.Receive();
      ASSERT_TRUE(m.ok());
      auto& p = std::get<wire::BootstrapPage>(*m);
      ASSERT_FALSE(p.last);
      ASSERT_TRUE(sync::Integrator(client_db).ApplyBootstrapPage(p).ok());
      req = {p.server_version, p.objects.back().key};
    }
  }
  Result<sync::LocalCursors> mid = sync::Integrator(client_db).ReadCursors();
  ASSERT_TRUE(mid.ok());
  EXPECT_NE(mid->bootstrap_version, 0u);
  EXPECT_EQ(mid->download_cursor, 0u);
  ExpectVerifies(*fresh);  // partial, but state == synced + pending holds
  // The server moves on; erase an object the partial bootstrap already has.
  {
    Transaction t = writer->BeginTransaction();
    ASSERT_TRUE(t.EraseObject("items", "item-0").ok());
    ASSERT_TRUE(t.Commit().ok());
  }
  Fill(*writer, 40, 45);
  ASSERT_TRUE(SyncOnce(*writer, testing::SyncTo(address_)).ok());
  Result<SyncReport> r = SyncOnce(*fresh, testing::SyncTo(address_));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(testing::DumpClient(*fresh), testing::DumpClient(*writer));
  EXPECT_FALSE(fresh->Get("items", "item-0").ok());
  ExpectVerifies(*fresh);
}

}  // namespace
}  // namespace journaldb
