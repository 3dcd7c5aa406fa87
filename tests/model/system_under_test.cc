#include "model/system_under_test.h"

#include <rapidcheck.h>

#include <algorithm>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/engine/open_with_env.h"
#include "journaldb/recovery_snapshot.h"
#include "sync_helpers.h"
#include "test_store.h"

namespace journaldb::testing {

SwitchableStrategy::SwitchableStrategy()
    : discard_(DiscardUnsyncedChanges()),
      recover_(RecoverUnsyncedChanges()),
      // The app's callback leaves the reset pending; the test executes it.
      manual_(ManualRecoveryStrategy([](SyncSession*, ClientResetRequiredError&) {})),
      current_(manual_.get()) {}

void SwitchableStrategy::Use(ResetMode mode) {
  switch (mode) {
    case ResetMode::kDiscard: current_ = discard_.get(); break;
    case ResetMode::kRecover: current_ = recover_.get(); break;
    case ResetMode::kManual: current_ = manual_.get(); break;
  }
}

Status SwitchableStrategy::OnResetDemanded(Database& db, const PendingClientReset& pending,
                                           bool at_open) {
  return current_->OnResetDemanded(db, pending, at_open);
}

Status SwitchableStrategy::OnServerStateDownloaded(Database& db,
                                                   const PendingClientReset& pending) {
  return current_->OnServerStateDownloaded(db, pending);
}

SystemUnderTest::~SystemUnderTest() {
  db.reset();
  if (server) server->Terminate();
}

void SystemUnderTest::Open() {
  Options options;
  options.durability = Durability::kSyncEveryCommit;
  options.client_reset = strategy;
  Result<std::unique_ptr<Database>> opened = OpenWithEnv(dir.Sub("db"), options, fault.env.get());
  RC_ASSERT(opened.status().ToString() == "OK");
  db = std::move(opened).value();
}

void SystemUnderTest::PowerLossAndReopen() {
  fault.fs->Arm(FaultKind::kPowerLoss, 1);
  db.reset();
  Status dropped = fault.fs->DropUnsyncedData();
  RC_ASSERT(dropped.ToString() == "OK");
  fault.fs->Disarm();
  Open();
}

void SystemUnderTest::EnsureServer() {
  if (server) return;
  std::string error;
  server = ServerProcess::Start(server_data, &error);
  if (!server) RC_FAIL(error);
  address = server->address();
}

void SystemUnderTest::StopServer() {
  if (!server) return;
  RC_ASSERT(server->Terminate() == 0);
  server.reset();
}

void SystemUnderTest::Operator(const std::string& what,
                               const std::function<int(std::string* out)>& step) {
  EnsureServer();
  StopServer();
  std::string out;
  if (step(&out) != 0) RC_FAIL("journal-server " + what + ": " + out);
  EnsureServer();
}

void SystemUnderTest::Backup() {
  std::string to = dir.Sub("backup-" + std::to_string(backups.size()));
  Operator("backup", [&](std::string* out) { return BackupStore(server_data, to, out); });
  backups.push_back(to);
}

void SystemUnderTest::Restore(size_t backup) {
  Operator("restore",
           [&](std::string* out) { return RestoreStore(server_data, backups.at(backup), out); });
}

void SystemUnderTest::ResetClient(uint64_t client_id) {
  Operator("reset-client", [&](std::string* out) {
    return RunOperator({"reset-client", "--data", server_data, std::to_string(client_id)}, out);
  });
}

Result<SyncReport> SystemUnderTest::Sync(ResetMode mode) {
  strategy->Use(mode);
  return SyncOnce(*db, SyncTo(address));
}

void SystemUnderTest::RememberNewRecovery() {
  Result<std::vector<RecoverySnapshot>> all = ListRecoverySnapshots(dir.Sub("db.recovery"));
  RC_ASSERT(all.status().ToString() == "OK");
  std::vector<std::string> fresh;
  for (const RecoverySnapshot& s : *all)
    if (std::find(recovery_ids.begin(), recovery_ids.end(), s.manifest.recovery_id) ==
        recovery_ids.end())
      fresh.push_back(s.manifest.recovery_id);
  RC_ASSERT(fresh.size() == 1u);
  recovery_ids.push_back(fresh.front());
}

void SystemUnderTest::LearnEpoch(int epoch, uint64_t real) {
  RC_ASSERT(real != 0u);
  auto [it, inserted] = epochs.emplace(epoch, real);
  if (!inserted) {
    RC_ASSERT(it->second == real);
    return;
  }
  for (const auto& [other, value] : epochs)
    if (other != epoch) RC_ASSERT(value != real);
}

uint64_t SystemUnderTest::RealEpoch(int epoch) const {
  if (epoch == kNoEpoch) return 0;
  auto it = epochs.find(epoch);
  RC_ASSERT(it != epochs.end());
  return it->second;
}

}  // namespace journaldb::testing
