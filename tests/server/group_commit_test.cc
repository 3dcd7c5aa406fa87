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
#include "journaldb/journal/layout.h"

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
  Result<std::optional<std::string>> StateObject(const std::string& key) override {
    auto o = objects.find(key);
    return o == objects.end() ? std::optional<std::string>() : o->second;
  }
  std::map<std::string, std::string> objects;  // state key -> encoded
};

class GroupCommit : public ::testing::Test {
 protected:
  void SetUp() override { reads_.clients[7] = ClientRecord{}; }

  Status Plan(std::vector<UploadJob>& jobs, const GroupCommitLimits& limits = {}) {
    group_.clear();
    for (UploadJob& j : jobs) group_.push_back(&j);
    return PlanGroupCommit(group_, latest_, latest_hash_, reads_, &plan_, limits);
  }
  // Writes plan_ as a store would, into reads_.
  void Store() {
    for (size_t i = 0; i < plan_.changesets.size(); ++i) {
      const wire::Changeset& c = plan_.changesets[i];
      reads_.origins[{c.origin_client, c.origin_lsn}] =
          StoredOrigin{c.server_version, plan_.entry_digests[i]};
    }
    for (auto& [key, obj] : plan_.state) {
      if (obj)
        reads_.objects[key] = codec::EncodeObject(*obj);
      else
        reads_.objects.erase(key);
    }
    for (auto& [id, highest] : plan_.highest_lsns) reads_.clients[id].highest_lsn = highest;
    latest_ = plan_.latest_version;
    latest_hash_ = plan_.latest_hash;
    plan_ = {};
  }
  // Plans and stores groups of `job` until it is done, as the committer
  // does; the number of groups it took.
  int PlanUntilDone(UploadJob& job, const GroupCommitLimits& limits) {
    int groups = 0;
    do {
      std::vector<UploadJob*> one{&job};
      EXPECT_TRUE(PlanGroupCommit(one, latest_, latest_hash_, reads_, &plan_, limits).ok());
      EXPECT_TRUE(job.status.ok()) << job.status.ToString();
      Store();
      ++groups;
    } while (job.status.ok() && job.next_entry < job.entries.size() && groups < 100);
    return groups;
  }

  MemoryReads reads_;
  uint64_t latest_ = 0;
  ChainHash latest_hash_ = kChainStart;
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

// An entry of `lsn` of `ops` list removes on c/x.items (no such list: each
// costs one list element step, and is a no-op).
wire::UploadEntry ListEntry(Lsn lsn, int ops) {
  JournalEntry e;
  e.lsn = lsn;
  for (int i = 0; i < ops; ++i) e.ops.push_back(Operation::ListRemove("c", "x", "items", {1, 1}));
  return {lsn, codec::EncodeEntry(e), e};
}

// Client 7's upload of lsns 1 to 3, each 3 list element steps.
UploadJob ThreeListEntries() {
  UploadJob job;
  job.client_id = 7;
  job.entries = {ListEntry(1, 3), ListEntry(2, 3), ListEntry(3, 3)};
  return job;
}

// An upload that takes its group's share of list work goes on in the next
// group, behind the jobs queued meanwhile; it keeps its acks, and its
// entries get the versions of the order they were planned in. Another job
// of the first group is planned whole.
TEST_F(GroupCommit, AnUploadOverItsShareOfListWorkGoesOnInTheNextGroupKeepingItsAcks) {
  reads_.clients[9] = ClientRecord{};
  GroupCommitLimits limits;
  limits.job_list_work = 5;  // one entry of 3 steps a group
  std::vector<UploadJob> jobs(2);
  jobs[0] = ThreeListEntries();
  jobs[1].client_id = 9;
  jobs[1].entries = {ListEntry(1, 3), Entry(2, 5)};
  ASSERT_TRUE(Plan(jobs, limits).ok());
  ASSERT_TRUE(jobs[0].status.ok()) << jobs[0].status.ToString();
  EXPECT_EQ(jobs[0].next_entry, 1u);
  ASSERT_EQ(jobs[0].ack.acks.size(), 1u);
  EXPECT_EQ(jobs[0].ack.acks[0].server_version, 1u);
  EXPECT_EQ(jobs[0].ack.highest_lsn, 1u);
  // Client 9's own share: its second entry has no list work.
  EXPECT_EQ(jobs[1].next_entry, 2u);
  ASSERT_EQ(jobs[1].ack.acks.size(), 2u);
  EXPECT_EQ(plan_.changesets.size(), 3u);
  Store();

  EXPECT_EQ(PlanUntilDone(jobs[0], limits), 2);
  const std::vector<std::pair<Lsn, uint64_t>> want = {{1, 1}, {2, 4}, {3, 5}};
  std::vector<std::pair<Lsn, uint64_t>> got;
  for (const auto& a : jobs[0].ack.acks) got.push_back({a.lsn, a.server_version});
  EXPECT_EQ(got, want);
  EXPECT_EQ(jobs[0].ack.highest_lsn, 3u);
  EXPECT_EQ(reads_.clients[7].highest_lsn, 3u);
  EXPECT_EQ(latest_, 5u);

  // Without the limit, the same upload is one group.
  std::vector<UploadJob> again(1);
  again[0].client_id = 7;
  again[0].entries = {ListEntry(4, 3), ListEntry(5, 3), ListEntry(6, 3)};
  ASSERT_TRUE(Plan(again).ok());
  EXPECT_EQ(again[0].next_entry, 3u);
  EXPECT_EQ(plan_.changesets.size(), 3u);
}

// A job's first new entry in a group is planned whatever it costs, so an
// upload of entries each over the share still makes progress, one a group.
TEST_F(GroupCommit, EachGroupTakesAnUploadsFirstNewEntryEvenOverItsShare) {
  GroupCommitLimits limits;
  limits.job_list_work = 2;
  UploadJob job = ThreeListEntries();
  EXPECT_EQ(PlanUntilDone(job, limits), 3);
  ASSERT_EQ(job.ack.acks.size(), 3u);
  EXPECT_EQ(job.ack.highest_lsn, 3u);
  EXPECT_EQ(latest_, 3u);
}

// If the stored history went back between a job's groups (its client's
// highest stored lsn below what the job was acknowledged), the job is
// planned whole again instead of going on above a hole.
TEST_F(GroupCommit, AContinuedJobWhoseStoredEntriesWentBackIsPlannedWholeAgain) {
  GroupCommitLimits limits;
  limits.job_list_work = 5;
  UploadJob job = ThreeListEntries();
  std::vector<UploadJob*> one{&job};
  ASSERT_TRUE(PlanGroupCommit(one, latest_, latest_hash_, reads_, &plan_, limits).ok());
  ASSERT_EQ(job.next_entry, 1u);
  plan_ = {};  // not stored: the client's highest stored lsn stays 0
  ASSERT_TRUE(PlanGroupCommit(one, latest_, latest_hash_, reads_, &plan_, limits).ok());
  ASSERT_TRUE(job.status.ok()) << job.status.ToString();
  ASSERT_EQ(plan_.changesets.size(), 1u);
  EXPECT_EQ(plan_.changesets[0].origin_lsn, 1u);
  ASSERT_EQ(job.ack.acks.size(), 1u);
  EXPECT_EQ(job.ack.acks[0].lsn, 1u);
  EXPECT_EQ(job.next_entry, 1u);
}

// Within one group, an object's size once measured is exact: an entry that
// shrinks an object near the limit, then one that grows it past the limit,
// is refused; one that grows it back to just under is taken.
TEST_F(GroupCommit, AnObjectsMeasuredSizeIsCarriedExactlyFromEntryToEntry) {
  const std::string key = layout::StateKey("c", "x");
  reads_.objects[key] = codec::EncodeObject({{"a", Value::BytesValue(std::string(400, 'a'))},
                                             {"b", Value::BytesValue(std::string(400, 'b'))}});
  const size_t full = reads_.objects[key].size();
  GroupCommitLimits limits;
  limits.object_bytes = full + 50;
  auto Set = [](Lsn lsn, const std::string& field, size_t bytes) {
    JournalEntry e;
    e.lsn = lsn;
    e.ops.push_back(
        Operation::Upsert("c", "x", {{field, Value::BytesValue(std::string(bytes, 'z'))}}));
    return wire::UploadEntry{lsn, codec::EncodeEntry(e), e};
  };
  std::vector<UploadJob> jobs(2);
  jobs[0].client_id = 7;
  jobs[0].entries = {Set(1, "a", 100), Set(2, "a", 400)};  // shrinks, then back: taken
  jobs[1].client_id = 7;
  jobs[1].entries = {Set(1, "a", 100), Set(2, "a", 400), Set(3, "a", 500)};  // past: refused
  ASSERT_TRUE(Plan(jobs, limits).ok());
  EXPECT_TRUE(jobs[0].status.ok()) << jobs[0].status.ToString();
  EXPECT_TRUE(jobs[1].status.IsInvalidArgument()) << jobs[1].status.ToString();
  EXPECT_NE(jobs[1].status.message().find("upload entry lsn 3"), std::string::npos)
      << jobs[1].status.ToString();
  EXPECT_EQ(plan_.changesets.size(), 2u);
  EXPECT_EQ(codec::EncodeObject(*plan_.state.at(key)).size(), full);
}

// The same for the objects an upload decodes, copies and encodes: entries
// on an object near the size limit are checked by encoding it, and one
// group takes as many of them as the job's share of that work allows (the
// first always). The object comes out the same as in one group.
TEST_F(GroupCommit, AnUploadOverItsShareOfObjectWorkGoesOnInTheNextGroup) {
  const std::string key = layout::StateKey("c", "x");
  reads_.objects[key] = codec::EncodeObject({{"blob", Value::BytesValue(std::string(800, 'b'))}});
  const std::string stored = reads_.objects[key];
  GroupCommitLimits limits;
  limits.object_bytes = 1000;  // every entry's growth bound crosses it: each is measured
  limits.job_object_work = 1500;
  UploadJob job;
  job.client_id = 7;
  job.entries = {Entry(1, 1), Entry(2, 2), Entry(3, 3)};
  EXPECT_EQ(PlanUntilDone(job, limits), 3);
  ASSERT_EQ(job.ack.acks.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(job.ack.acks[i].server_version, i + 1);
  const std::string split = reads_.objects[key];

  reads_ = {};
  reads_.clients[7] = ClientRecord{};
  reads_.objects[key] = stored;
  latest_ = 0;
  latest_hash_ = kChainStart;
  UploadJob whole;
  whole.client_id = 7;
  whole.entries = job.entries;
  limits.job_object_work = 100 * 1000;
  EXPECT_EQ(PlanUntilDone(whole, limits), 1);
  EXPECT_EQ(reads_.objects[key], split);
  // The limit still refuses what would grow the object past it.
  UploadJob large;
  large.client_id = 7;
  JournalEntry e;
  e.lsn = 4;
  e.ops.push_back(
      Operation::Upsert("c", "x", {{"more", Value::BytesValue(std::string(300, 'm'))}}));
  large.entries = {{4, codec::EncodeEntry(e), e}};
  std::vector<UploadJob*> one{&large};
  ASSERT_TRUE(PlanGroupCommit(one, latest_, latest_hash_, reads_, &plan_, limits).ok());
  EXPECT_TRUE(large.status.IsInvalidArgument()) << large.status.ToString();
  EXPECT_TRUE(large.entry_refused);
}

}  // namespace
}  // namespace journaldb::server
