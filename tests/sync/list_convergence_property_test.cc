// Guarantee 6 for lists, as a property: 2-5 clients concurrently edit two
// shared lists through the Transaction list API (list_edits.h) and sync,
// upload or download in random interleavings. Once everyone syncs, every
// client's state equals the server's, element order and tombstones included;
// the server stored each commit once; and the converged lists keep the
// promises of docs/merge-semantics.md ("Lists"): removed elements stay
// removed, no element is duplicated, and elements placed after one anchor
// are in descending id order whatever order the server received them in.
// The last is what catches a broken RGA placement: clients integrate in the
// server's order, so they would agree with the server even then.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "convergence_actions.h"
#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "list_edits.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

RC_GTEST_PROP(SyncConvergence, ListsConvergeAndKeepTheirPromisesAfterEveryoneSyncs, ()) {
  const int clients = *rc::gen::inRange(2, 6);
  const std::vector<testing::ClientStep> steps = testing::GenClientSteps(clients);

  testing::TempDir dir;
  auto [server, dbs] = testing::StartServerAndClients(dir, clients);
  size_t commits = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    const testing::ClientStep& step = steps[i];
    Database& db = *dbs[static_cast<size_t>(step.client)];
    if (step.kind == testing::ClientAction::kCommit) {
      testing::CommitListEdits(db, step.seed, i);
      ++commits;
    } else {
      testing::RunClientAction(db, step.kind, step.seed, server->address());
    }
    RC_ASSERT(testing::VerifyProblems(db).empty());
  }
  const testing::StateDump expected =
      testing::SyncAllAndExpectServerState(dbs, *server, dir.Sub("server"));
  const std::vector<wire::Changeset> history = testing::ServerHistory(dir.Sub("server"));
  RC_ASSERT(history.size() == commits);
  const testing::ListCheck check = testing::CheckListPromises(expected, history);
  if (!check.violations.empty()) RC_FAIL(check.violations);
  RC_CLASSIFY(check.placed_before_greater > 0, "concurrent placements at one anchor");
}

}  // namespace
}  // namespace journaldb
