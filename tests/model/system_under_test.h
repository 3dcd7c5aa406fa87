// SystemUnderTest: what the model-based test drives: one client database over
// FaultFs (durability kSyncEveryCommit, so power losses can be simulated) and
// a real journal-server process on loopback, started when first needed, with
// a fresh data directory per test case. The client-reset strategy can be
// switched between syncs.
#ifndef JOURNALDB_TESTS_MODEL_SYSTEM_UNDER_TEST_H_
#define JOURNALDB_TESTS_MODEL_SYSTEM_UNDER_TEST_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "faults/fault_fs.h"
#include "journaldb/client_reset.h"
#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "model/db_model.h"
#include "server_process.h"
#include "support/temp_dir.h"

namespace journaldb::testing {

// Forwards to the strategy chosen for the next sync.
class SwitchableStrategy : public ClientResetStrategy {
 public:
  SwitchableStrategy();
  void Use(ResetMode mode);
  Status OnResetDemanded(Database& db, const PendingClientReset& pending, bool at_open) override;
  Status OnServerStateDownloaded(Database& db, const PendingClientReset& pending) override;

 private:
  std::shared_ptr<ClientResetStrategy> discard_, recover_, manual_;
  ClientResetStrategy* current_;
};

struct SystemUnderTest {
  SystemUnderTest() { Open(); }
  ~SystemUnderTest();

  void Open();
  // A power cut now: every file operation fails, the database is closed,
  // unsynced data is dropped, and the database reopens without faults.
  void PowerLossAndReopen();

  // The server, started on a fresh data directory if it never ran.
  void EnsureServer();
  void StopServer();
  // Stops the server, runs an operator step (test_store.h), restarts it.
  void Operator(const std::string& what, const std::function<int(std::string* out)>& step);
  void Backup();
  void Restore(size_t backup);
  void ResetClient(uint64_t client_id);

  Result<SyncReport> Sync(ResetMode mode);
  // The recovery snapshot the last reset wrote, remembered in model order.
  void RememberNewRecovery();

  // The real epoch of model lineage `epoch`: learned from the first sync into
  // it, and different from every other lineage's.
  void LearnEpoch(int epoch, uint64_t real);
  uint64_t RealEpoch(int epoch) const;

  TempDir dir;
  FaultEnv fault;
  std::shared_ptr<SwitchableStrategy> strategy = std::make_shared<SwitchableStrategy>();
  std::unique_ptr<Database> db;

  std::string server_data = dir.Sub("server");
  std::unique_ptr<ServerProcess> server;
  std::string address = "127.0.0.1:1";  // nothing listens until the server starts
  std::vector<std::string> backups;
  std::vector<std::string> recovery_ids;
  std::map<int, uint64_t> epochs;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_MODEL_SYSTEM_UNDER_TEST_H_
