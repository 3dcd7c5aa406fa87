// PlanGroupCommit and FinishGroupCommit on their own, over an in-memory
// GroupCommitReads: what a group decides before any store writes it. The
// stores run the same plan in storage_contract_test.cc; here the reads are
// counted and a failed write is simulated, which no real store does on cue.
#include "group_commit.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "journaldb/journal/codec.h"

namespace journaldb::server {
namespace {

// An entry of `lsn` that sets c/x.n to `n`.
wire::UploadEntry Entry(Lsn lsn, int64_t n) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops.push_back(Operation::Upsert("c", "x", {{"n", Value::Int(n)}}));
  return {lsn, codec::EncodeEntry(e), e};
}

// A store holding what the test puts in it, counting the origins read.
class MemoryReads : public GroupCommitReads {
 public:
  std::map<uint64_t, ClientRecord> clients;
  std::map<std::pair<uint64_t, Lsn>, StoredOrigin> origins;
  int origin_reads = 0;

  Result<std::optional<ClientRecord>> Client(uint64_t client_id) override {
    auto c = clients.find(client_id);
    return c == clients.end() ? std::optional<ClientRecord>() : c->second;
  }
  Result<std::optional<StoredOrigin>> Origin(uint64_t client_id, Lsn lsn) override {
    ++origin_reads;
    auto o = origins.find({client_id, lsn});
    return o == origins.end() ? std::optional<StoredOrigin>() : o->second;
  }
  Result<std::optional<std::string>> StateObject(const std::string&) override {
    return std::optional<std::string>();
  }
};

class GroupCommit : public ::testing::Test {
 protected:
  void SetUp() override { reads_.clients[7] = ClientRecord{}; }

  Status Plan(std::vector<UploadJob>& jobs) {
    group_.clear();
    for (UploadJob& j : jobs) group_.push_back(&j);
    return PlanGroupCommit(group_, latest_, kChainStart, reads_, &plan_);
  }

  MemoryReads reads_;
  uint64_t latest_ = 0;
  std::vector<UploadJob*> group_;
  GroupCommitPlan plan_;
};

TEST_F(GroupCommit, EachNewEntryGetsTheDigestOfItsBytes) {
  std::vector<UploadJob> jobs(1);
  jobs[0].client_id = 7;
  jobs[0].entries = {Entry(1, 1), Entry(2, 2)};
  ASSERT_TRUE(Plan(jobs).ok());
  ASSERT_EQ(plan_.changesets.size(), 2u);
  ASSERT_EQ(plan_.entry_digests.size(), 2u);
  for (size_t i = 0; i < 2; ++i)
    EXPECT_EQ(plan_.entry_digests[i], DigestEntry(jobs[0].entries[i].bytes).value());
  EXPECT_NE(plan_.entry_digests[0], plan_.entry_digests[1]);
}

// A re-upload is answered from the origin's digest; the store's changeset
// is not read (the origin may be all that is left of a trimmed one).
TEST_F(GroupCommit, AReuploadIsComparedWithTheOriginsDigest) {
  reads_.clients[7].highest_lsn = 1;
  reads_.origins[{7, 1}] = StoredOrigin{5, DigestEntry(Entry(1, 1).bytes).value()};
  latest_ = 5;
  std::vector<UploadJob> same(1);
  same[0].client_id = 7;
  same[0].entries = {Entry(1, 1)};
  ASSERT_TRUE(Plan(same).ok());
  ASSERT_TRUE(same[0].status.ok()) << same[0].status.ToString();
  ASSERT_EQ(same[0].ack.acks.size(), 1u);
  EXPECT_EQ(same[0].ack.acks[0].server_version, 5u);
  EXPECT_TRUE(plan_.changesets.empty());

  plan_ = {};
  std::vector<UploadJob> other(1);
  other[0].client_id = 7;
  other[0].entries = {Entry(1, 2)};
  ASSERT_TRUE(Plan(other).ok());
  EXPECT_TRUE(other[0].status.IsClientResetRequired()) << other[0].status.ToString();
  EXPECT_EQ(other[0].rolled_back_after, 0u);
}

// An origin with no digest (written before digests, its changeset trimmed)
// cannot be compared: acknowledging it would lose a different entry, so
// the client resets from it (at worst replaying it a second time).
TEST_F(GroupCommit, AnOriginThatCannotBeComparedIsAResetNotAnAck) {
  reads_.clients[7].highest_lsn = 2;
  reads_.origins[{7, 1}] = StoredOrigin{3, DigestEntry(Entry(1, 1).bytes).value()};
  reads_.origins[{7, 2}] = StoredOrigin{4, std::nullopt};
  latest_ = 4;
  std::vector<UploadJob> jobs(1);
  jobs[0].client_id = 7;
  jobs[0].entries = {Entry(1, 1), Entry(2, 2)};
  ASSERT_TRUE(Plan(jobs).ok());
  EXPECT_TRUE(jobs[0].status.IsClientResetRequired()) << jobs[0].status.ToString();
  EXPECT_NE(jobs[0].status.message().find("cannot compare the client's lsn 2"), std::string::npos)
      << jobs[0].status.ToString();
  EXPECT_EQ(jobs[0].rolled_back_after, 1u);  // lsn 1 compared equal: held
}

// Two copies of client 7 upload lsn 1 in one group: the second copy is
// compared with the first's planned entry, never read from the store. If
// the group's write then fails, that reset was decided against an entry
// that was not stored: every job gets the write's failure and retries.
TEST_F(GroupCommit, AFailedWriteTakesBackTheResetsDecidedAgainstTheGroup) {
  std::vector<UploadJob> jobs(3);
  for (UploadJob& j : jobs) j.client_id = 7;
  jobs[0].entries = {Entry(1, 1)};
  jobs[1].entries = {Entry(1, 2)};
  jobs[2].client_id = 8;  // not registered: refused on its own
  jobs[2].entries = {Entry(1, 1)};
  ASSERT_TRUE(Plan(jobs).ok());
  EXPECT_EQ(reads_.origin_reads, 0);
  ASSERT_TRUE(jobs[0].status.ok()) << jobs[0].status.ToString();
  ASSERT_TRUE(jobs[1].status.IsClientResetRequired()) << jobs[1].status.ToString();
  ASSERT_TRUE(jobs[2].status.IsNotFound()) << jobs[2].status.ToString();

  FinishGroupCommit(group_, Status::IOError("the write failed"));
  EXPECT_TRUE(jobs[0].status.IsIOError()) << jobs[0].status.ToString();
  EXPECT_TRUE(jobs[1].status.IsIOError()) << jobs[1].status.ToString();
  EXPECT_TRUE(jobs[2].status.IsNotFound()) << jobs[2].status.ToString();
}

TEST_F(GroupCommit, ASuccessfulWriteLeavesEveryStatusAsPlanned) {
  std::vector<UploadJob> jobs(2);
  for (UploadJob& j : jobs) j.client_id = 7;
  jobs[0].entries = {Entry(1, 1)};
  jobs[1].entries = {Entry(1, 2)};
  ASSERT_TRUE(Plan(jobs).ok());
  FinishGroupCommit(group_, Status::OK());
  EXPECT_TRUE(jobs[0].status.ok());
  EXPECT_TRUE(jobs[1].status.IsClientResetRequired());
}

}  // namespace
}  // namespace journaldb::server
