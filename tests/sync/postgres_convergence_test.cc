// Guarantee 6 on PostgreSQL as a property: three journal-server nodes serve
// one database; 2-5 clients commit random transactions and sync, upload or
// download through random nodes while nodes are SIGKILLed and restarted.
// Once everyone syncs, every client's state equals the database's, the
// history is gapless and holds each upload once.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "convergence_actions.h"
#include "journaldb/database.h"
#include "journaldb/server/admin.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/postgres_cluster.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

constexpr int kNodes = 3;

struct Action {
  bool restart_node;  // else `kind` for `client`
  testing::ClientAction kind;
  int client;
  int node;
  uint32_t seed;
};

std::unique_ptr<testing::ServerProcess> StartNode(const testing::TempDir& dir,
                                                  const std::string& postgres, int node) {
  testing::ServerLaunch launch;
  launch.postgres = postgres;
  std::string error;
  auto process = testing::ServerProcess::Start(dir.Sub("node" + std::to_string(node)), launch,
                                               &error);
  RC_ASSERT(process != nullptr);
  return process;
}

RC_GTEST_PROP(PostgresConvergence, ClientsOfThreeNodesEqualTheDatabaseAfterEveryoneSyncs, ()) {
  const int clients = *rc::gen::inRange(2, 6);
  const auto actions = *rc::gen::container<std::vector<Action>>(rc::gen::construct<Action>(
      rc::gen::weightedElement<bool>({{1, true}, {9, false}}), testing::GenClientAction(),
      rc::gen::inRange(0, clients), rc::gen::inRange(0, kNodes), rc::gen::arbitrary<uint32_t>()));
  RC_PRE(actions.size() <= 40);

  std::string error;
  testing::PostgresCluster* cluster = testing::PostgresCluster::Shared(&error);
  RC_ASSERT(cluster != nullptr);
  server::StorageLocation location;
  location.postgres = cluster->NewDatabase(&error);
  RC_ASSERT(!location.postgres.empty());
  RC_ASSERT(server::InitPostgres(location.postgres).ok());

  testing::TempDir dir;
  std::vector<std::unique_ptr<testing::ServerProcess>> nodes;
  for (int n = 0; n < kNodes; ++n) nodes.push_back(StartNode(dir, location.postgres, n));
  std::vector<std::unique_ptr<Database>> dbs = testing::OpenClients(dir, clients);
  for (const Action& a : actions) {
    auto& node = nodes[static_cast<size_t>(a.node)];
    if (a.restart_node) {
      node->Kill();  // all its state is in the database: nothing to lose
      node = StartNode(dir, location.postgres, a.node);
      continue;
    }
    Database& db = *dbs[static_cast<size_t>(a.client)];
    testing::RunClientAction(db, a.kind, a.seed, node->address());
    RC_ASSERT(testing::VerifyProblems(db).empty());
  }
  // Everyone uploads through one node, then downloads through another. A
  // node hears of other nodes' commits by notification (or its poll), so a
  // client may need another round to see the last ones.
  testing::StateDump expected;
  bool converged = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int round = 0; !converged && std::chrono::steady_clock::now() < deadline; ++round) {
    for (size_t i = 0; i < dbs.size(); ++i) {
      const auto& node = nodes[(i + static_cast<size_t>(round)) % kNodes];
      RC_ASSERT(SyncOnce(*dbs[i], testing::SyncTo(node->address())).ok());
    }
    expected = testing::DumpServer(location);
    converged = true;
    for (auto& db : dbs) converged = converged && testing::DumpClient(*db) == expected;
    if (!converged) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& db : dbs) {
    RC_ASSERT(testing::DumpClient(*db) == expected);
    RC_ASSERT(testing::VerifyProblems(*db).empty());
  }
  // One gapless history, each (client, lsn) once.
  std::vector<wire::Changeset> history = testing::ServerHistory(location);
  std::set<std::pair<uint64_t, Lsn>> origins;
  for (size_t i = 0; i < history.size(); ++i) {
    RC_ASSERT(history[i].server_version == i + 1);
    origins.insert({history[i].origin_client, history[i].origin_lsn});
  }
  RC_ASSERT(origins.size() == history.size());
}

}  // namespace
}  // namespace journaldb
