// Load: 50 concurrent clients x 1,000 transactions each upload to one real
// journal-server over loopback while they commit; every transaction is in
// the server's history exactly once. Some clients upload over two
// connections at once, so the server sees every one of their entries twice.
// JOURNALDB_LOAD_TRANSACTIONS lowers the transactions per client (in
// hundreds; the run on PostgreSQL takes 300: tests/sync/CMakeLists.txt).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>

#include "journaldb/database.h"
#include "journaldb/engine/sync/connection.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

constexpr int kClients = 50;
constexpr int kUploadEvery = 100;

// Transactions per client: 1,000, or fewer whole hundreds as the
// environment says.
int TransactionsPerClient() {
  const char* v = std::getenv("JOURNALDB_LOAD_TRANSACTIONS");
  const int n = v != nullptr && *v != '\0' ? std::atoi(v) : 1000;
  return std::clamp(n / kUploadEvery, 1, 10) * kUploadEvery;
}

Status Upload(Database& db, const SyncOptions& options) {
  auto c = sync::Connection::Open(db, options);
  if (!c.ok()) return c.status();
  return (*c)->UploadAll().status();
}

TEST(SyncLoad, FiftyClientsCommittingAndUploadingAtOnceStoreEachTransactionExactlyOnce) {
  const int transactions = TransactionsPerClient();
  RecordProperty("transactions_per_client", transactions);
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  const SyncOptions options = testing::SyncTo(server->address());

  std::vector<std::unique_ptr<Database>> dbs;
  for (int c = 0; c < kClients; ++c) {
    auto db = Database::Open(dir.Sub("client" + std::to_string(c)), {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    dbs.push_back(std::move(db).value());
  }
  std::vector<Status> results(kClients);
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      Database& db = *dbs[static_cast<size_t>(c)];
      for (int i = 1; i <= transactions; ++i) {
        Transaction t = db.BeginTransaction();
        Status s =
            t.Upsert("load", std::to_string(c) + "-" + std::to_string(i), {{"i", Value::Int(i)}});
        if (s.ok()) s = t.Increment("load", "total", "n", 1);
        if (s.ok()) s = t.Commit().status();
        if (s.ok() && i % kUploadEvery == 0) {
          if (c % 5 == 0) {
            // Two connections upload the same entries concurrently.
            Status other;
            std::thread twin([&] { other = Upload(db, options); });
            s = Upload(db, options);
            twin.join();
            if (s.ok()) s = other;
          } else {
            s = Upload(db, options);
          }
        }
        if (!s.ok()) {
          results[static_cast<size_t>(c)] = s;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int c = 0; c < kClients; ++c)
    ASSERT_TRUE(results[static_cast<size_t>(c)].ok())
        << "client " << c << ": " << results[static_cast<size_t>(c)].ToString();

  // One client downloads everything: the counter saw every transaction once.
  Result<SyncReport> r = SyncOnce(*dbs[0], options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->download_cursor, uint64_t{kClients} * static_cast<uint64_t>(transactions));
  EXPECT_EQ(*dbs[0]->GetField("load", "total", "n"), Value::Int(kClients * transactions));

  ASSERT_EQ(server->Terminate(), 0);
  std::vector<wire::Changeset> history = testing::ServerHistory(dir.Sub("server"));
  ASSERT_EQ(history.size(), size_t{kClients} * static_cast<size_t>(transactions));
  std::set<std::pair<uint64_t, Lsn>> seen;
  std::map<uint64_t, Lsn> last_lsn;
  for (size_t i = 0; i < history.size(); ++i) {
    const wire::Changeset& c = history[i];
    EXPECT_EQ(c.server_version, i + 1);
    EXPECT_TRUE(seen.emplace(c.origin_client, c.origin_lsn).second)
        << "client " << c.origin_client << " lsn " << c.origin_lsn << " stored twice";
    // Each client's entries are in the history in lsn order, without gaps.
    EXPECT_EQ(c.origin_lsn, last_lsn[c.origin_client] + 1);
    last_lsn[c.origin_client] = c.origin_lsn;
  }
  EXPECT_EQ(last_lsn.size(), size_t{kClients});
  for (auto [client, lsn] : last_lsn) EXPECT_EQ(lsn, static_cast<Lsn>(transactions)) << client;
}

}  // namespace
}  // namespace journaldb
