// Guarantee 6 as a property: 2-5 clients commit random transactions and
// sync, upload or download in random interleavings (every connection ends
// where the action ends: a disconnect); once everyone syncs, every client's
// state equals the server's, and each client's state equals its synced
// state folded with its pending entries (Verify).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "convergence_actions.h"
#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

struct Action {
  testing::ClientAction kind;
  int client;
  uint32_t seed;
};

RC_GTEST_PROP(SyncConvergence, AllClientsEqualServerAfterEveryoneSyncs, ()) {
  const int clients = *rc::gen::inRange(2, 6);
  const auto actions = *rc::gen::container<std::vector<Action>>(
      rc::gen::construct<Action>(testing::GenClientAction(), rc::gen::inRange(0, clients),
                                 rc::gen::arbitrary<uint32_t>()));
  RC_PRE(actions.size() <= 40);

  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), &error);
  RC_ASSERT(server != nullptr);
  std::vector<std::unique_ptr<Database>> dbs = testing::OpenClients(dir, clients);
  for (const Action& a : actions) {
    Database& db = *dbs[static_cast<size_t>(a.client)];
    testing::RunClientAction(db, a.kind, a.seed, server->address());
    RC_ASSERT(testing::VerifyProblems(db).empty());
  }
  // Everyone uploads, then everyone downloads what the others uploaded.
  for (int round = 0; round < 2; ++round)
    for (auto& db : dbs) RC_ASSERT(SyncOnce(*db, testing::SyncTo(server->address())).ok());
  RC_ASSERT(server->Terminate() == 0);
  testing::StateDump expected = testing::DumpServer(dir.Sub("server"));
  for (auto& db : dbs) {
    RC_ASSERT(testing::DumpClient(*db) == expected);
    RC_ASSERT(testing::VerifyProblems(*db).empty());
  }
}

}  // namespace
}  // namespace journaldb
