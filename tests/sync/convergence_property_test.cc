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

RC_GTEST_PROP(SyncConvergence, AllClientsEqualServerAfterEveryoneSyncs, ()) {
  const int clients = *rc::gen::inRange(2, 6);
  const std::vector<testing::ClientStep> steps = testing::GenClientSteps(clients);

  testing::TempDir dir;
  auto [server, dbs] = testing::StartServerAndClients(dir, clients);
  for (const testing::ClientStep& step : steps) {
    Database& db = *dbs[static_cast<size_t>(step.client)];
    testing::RunClientAction(db, step.kind, step.seed, server->address());
    RC_ASSERT(testing::VerifyProblems(db).empty());
  }
  testing::SyncAllAndExpectServerState(dbs, *server, dir.Sub("server"));
}

}  // namespace
}  // namespace journaldb
