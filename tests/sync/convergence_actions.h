// The client actions of the convergence properties (convergence_property_test
// on one server, postgres_convergence_test on nodes sharing PostgreSQL):
// random transactions on a small key space and the ways a client talks to a
// server, each ending with a disconnect.
#ifndef JOURNALDB_TESTS_SYNC_CONVERGENCE_ACTIONS_H_
#define JOURNALDB_TESTS_SYNC_CONVERGENCE_ACTIONS_H_

#include <rapidcheck.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "journaldb/database.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb::testing {

// kUploadAndDrop sends the unacknowledged entries and disconnects without
// reading the ack: the server may or may not have stored them, and the next
// upload must neither lose nor double them.
enum class ClientAction { kCommit, kSync, kUploadOnly, kDownloadOnly, kUploadAndDrop };

// Commits weigh most, so that clients have something to sync.
rc::Gen<ClientAction> GenClientAction();

// 1 to 3 random ops on keys k0..k2, fields f0..f2 of collection "c", so that
// clients collide often.
std::vector<Operation> RandomOps(uint32_t seed);

// Runs `action` for `db` against the server at `address`; RC_ASSERTs that
// it succeeded (a commit may fail only as an increment of a string field).
void RunClientAction(Database& db, ClientAction action, uint32_t seed,
                     const std::string& address);

// One action of one client; `seed` chooses what a commit writes.
struct ClientStep {
  ClientAction kind;
  int client;
  uint32_t seed;
};

// Up to 40 steps of clients 0..clients-1 (longer sequences are discarded).
std::vector<ClientStep> GenClientSteps(int clients);

// Every client uploads, then every client downloads what the others
// uploaded; then the server stops. RC_ASSERTs that each client's state
// equals the server's (in `server_data`) and passes Verify; returns it.
StateDump SyncAllAndExpectServerState(const std::vector<std::unique_ptr<Database>>& dbs,
                                      ServerProcess& server, const std::string& server_data);

// Opens client databases client0..client{count-1} in `dir` (RC_ASSERTs).
std::vector<std::unique_ptr<Database>> OpenClients(const TempDir& dir, int count);

// A journal-server on data directory `dir`/server and `clients` clients in
// `dir` (RC_ASSERTs).
struct ServerAndClients {
  std::unique_ptr<ServerProcess> server;
  std::vector<std::unique_ptr<Database>> dbs;
};
ServerAndClients StartServerAndClients(const TempDir& dir, int clients);

// What Database::Verify found wrong, one problem per line ("" if nothing).
std::string VerifyProblems(const Database& db);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SYNC_CONVERGENCE_ACTIONS_H_
