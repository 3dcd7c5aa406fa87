// `journal-server restore` killed (SIGKILL) at each of its crash points
// (server/include/journaldb/server/restore.h), then either run again or
// followed by a server start: the data directory ends up as it was before
// the restore (killed before the commit point, server started) or fully
// restored (otherwise), never missing, empty or half restored, and nothing
// of the replaced lineage that the restored one needs is lost (its epoch's
// fork point, its client ids).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/filesystem.hpp>
#include <string>
#include <tuple>

#include "journaldb/journal/codec.h"
#include "journaldb/server/admin.h"
#include "journaldb/server/server_store.h"
#include "server_process.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"
#include "test_store.h"

namespace journaldb {
namespace {

namespace fs = boost::filesystem;

// The crash points in Restore's order, as restore_child names them; the
// first kRestoreCommitPoint leave the old directory in place.
const char* const kSteps[] = {"copying", "copied", "new-epoch", "staged", "moved-aside", "swapped"};
constexpr size_t kRestoreCommitPoint = 4;

// What the data directory held before the restore (lineage `epoch`, three
// versions, two clients) and what the backup holds (two versions).
struct Lineage {
  uint64_t epoch = 0;
  uint64_t latest_version = 0;
  uint64_t next_client_id = 0;
  testing::StateDump state;
  bool operator==(const Lineage&) const = default;
};

// Appends one entry of a new client setting c/`key` to `n`.
void UploadAsNewClient(server::ServerStore& store, const std::string& key, int64_t n) {
  Result<uint64_t> id =
      store.RegisterClient(server::HashClientSecret(fmt::format("{}={}", key, n)));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  JournalEntry e;
  e.lsn = 1;
  e.ops.push_back(Operation::Upsert("c", key, {{"n", Value::Int(n)}}));
  server::UploadJob job;
  job.client_id = *id;
  job.entries.push_back({1, codec::EncodeEntry(e), e});
  store.AppendUploads({&job});
  ASSERT_TRUE(job.status.ok()) << job.status.ToString();
}

Lineage Describe(const std::string& data) {
  auto store = server::ServerStore::Open(data, /*create=*/false);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  Lineage l{(*store)->epoch(), (*store)->latest_version(), *(*store)->NextClientId(), {}};
  store->reset();
  l.state = testing::DumpServer(data);
  return l;
}

class RestoreCrash : public ::testing::TestWithParam<std::tuple<size_t, bool>> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server::Init({data_, ""}).ok());
    {
      auto store = server::ServerStore::Open(data_, false);
      ASSERT_TRUE(store.ok());
      UploadAsNewClient(**store, "a", 1);
      UploadAsNewClient(**store, "b", 2);
    }
    at_backup_ = Describe(data_);
    Result<std::string> backup = server::Backup(data_, backup_);
    ASSERT_TRUE(backup.ok()) << backup.status().ToString();
    {
      auto store = server::ServerStore::Open(data_, false);
      ASSERT_TRUE(store.ok());
      UploadAsNewClient(**store, "a", 3);  // lost by the restore, on purpose
    }
    before_ = Describe(data_);
    ASSERT_EQ(before_.latest_version, 3u);
  }

  // The directory holds the backup's history under a new epoch that knows
  // where the replaced one forked and hands out no id the replaced one did.
  void ExpectRestored() {
    Lineage now = Describe(data_);
    EXPECT_NE(now.epoch, before_.epoch);
    EXPECT_EQ(now.latest_version, at_backup_.latest_version);
    EXPECT_EQ(now.state, at_backup_.state);
    EXPECT_GE(now.next_client_id, before_.next_client_id);
    auto store = server::ServerStore::Open(data_, false);
    ASSERT_TRUE(store.ok());
    Result<std::optional<uint64_t>> fork = (*store)->ForkVersion(before_.epoch);
    ASSERT_TRUE(fork.ok());
    EXPECT_EQ(*fork, std::optional<uint64_t>(at_backup_.latest_version));
    store->reset();
    for (const char* suffix : {".restoring", ".restored", ".replaced"})
      EXPECT_FALSE(fs::exists(data_ + suffix)) << suffix << " left behind";
  }

  void ExpectAsBefore() {
    Lineage now = Describe(data_);
    EXPECT_TRUE(now == before_) << "epoch " << now.epoch << " latest version " << now.latest_version
                                << " next client id " << now.next_client_id << ", objects "
                                << now.state.size();
  }

  testing::TempDir dir_;
  std::string data_ = dir_.Sub("server");
  std::string backup_ = dir_.Sub("backup");
  Lineage at_backup_, before_;
};

TEST_P(RestoreCrash, RunAgainOrServedNothingIsLostOrHalfRestored) {
  const auto [step, then_restore_again] = GetParam();
  testing::ProcessResult killed =
      testing::RunProcess({JOURNALDB_RESTORE_CHILD_PATH, data_, backup_, kSteps[step]});
  ASSERT_EQ(killed.signal, SIGKILL) << "exit " << killed.exit_code << ": " << killed.err;

  if (then_restore_again) {
    std::string out;
    ASSERT_EQ(testing::RunServerCommand({"restore", "--data", data_, "--from", backup_}, &out), 0)
        << out;
    ExpectRestored();
    return;
  }
  // The server serves what the restore left; it never finds an empty or
  // missing directory.
  testing::ServerLaunch launch;
  launch.init_missing_data = false;
  std::string error;
  auto server = testing::ServerProcess::Start(data_, launch, &error);
  ASSERT_TRUE(server) << error;
  ASSERT_EQ(server->Terminate(), 0);
  if (step < kRestoreCommitPoint) {
    ExpectAsBefore();
    // The abandoned copy is discarded by the next restore, which then
    // restores from what the server has now.
    std::string out;
    ASSERT_EQ(testing::RunServerCommand({"restore", "--data", data_, "--from", backup_}, &out), 0)
        << out;
  }
  ExpectRestored();
}

INSTANTIATE_TEST_SUITE_P(Steps, RestoreCrash,
                         ::testing::Combine(::testing::Range(size_t{0}, std::size(kSteps)),
                                            ::testing::Bool()),
                         [](const auto& test) {
                           std::string name = kSteps[std::get<0>(test.param)];
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name +
                                  (std::get<1>(test.param) ? "_RestoreAgain" : "_ServerStart");
                         });

TEST_F(RestoreCrash, ADirectoryNamedWithATrailingSlashIsRestoredBesideItself) {
  std::string out;
  ASSERT_EQ(
      testing::RunServerCommand({"restore", "--data", data_ + "/", "--from", backup_}, &out), 0)
      << out;
  ExpectRestored();
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_.path()), fs::directory_iterator()), 2)
      << "only the data directory and the backup";
}

// A restore replaces DIR and removes DIR.restoring and .restored (and
// .replaced, which any open of DIR removes too): a backup in one of them is
// refused before anything is touched, not deleted (it was, midway or at the
// end). Backup refuses to write one there (operator_test.cc), so a copy of
// the backup is put there.
TEST_F(RestoreCrash, ABackupTheRestoreWouldRemoveIsRefusedAndKept) {
  for (const std::string& inside : {data_ + "/backup", data_ + ".restoring", data_ + ".restored"}) {
    testing::CopyDirectory(backup_, inside);
    std::string out;
    EXPECT_NE(testing::RunServerCommand({"restore", "--data", data_, "--from", inside}, &out), 0)
        << out;
    EXPECT_NE(out.find("which the restore replaces or removes"), std::string::npos) << out;
    EXPECT_TRUE(fs::exists(fs::path(inside) / server::kBackupMarker)) << inside;
    ExpectAsBefore();
    fs::remove_all(inside);
  }
}

TEST(Restore, RefusesAReplacedDirectoryWithoutItsRestoredCopy) {
  testing::TempDir dir;
  const std::string data = dir.Sub("server");
  ASSERT_TRUE(server::Init({data, ""}).ok());
  fs::rename(data, data + ".replaced");
  testing::ProcessResult r = testing::RunServerUntilExit({"--data", data});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("rename it back"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(data));
  EXPECT_TRUE(fs::exists(data + ".replaced/CURRENT"));
}

}  // namespace
}  // namespace journaldb
