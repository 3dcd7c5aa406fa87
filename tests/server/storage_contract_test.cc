// The ServerStorage contract, one test body for both stores (the RocksDB
// data directory and a PostgreSQL database): gapless versions in commit
// order, idempotent re-uploads, bootstrap snapshots isolated from later
// commits, registry (and the expiry of registrations never used), trim,
// operator reset, epochs and the history's hash chain; on RocksDB alone, a
// trim across its fsynced batches; on PostgreSQL alone, a group commit the
// database refuses midway.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <rocksdb/db.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/wall_clock.h"
#include "journaldb/server/admin.h"
#include "journaldb/server/server_storage.h"
#include "support/postgres_cluster.h"
#include "support/raw_rocks.h"
#include "support/temp_dir.h"

namespace journaldb::server {
namespace {

SecretHash HashOf(char fill) {
  SecretHash h;
  h.fill(static_cast<uint8_t>(fill));
  return h;
}

// An entry of `lsn` that sets field n of object c/`key` to `n`.
wire::UploadEntry Entry(Lsn lsn, const std::string& key, int64_t n) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops.push_back(Operation::Upsert("c", key, {{"n", Value::Int(n)}}));
  return {lsn, codec::EncodeEntry(e), e};
}

class StorageContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { NewStore("data"); }

  // Replaces store_ with a new, empty store of the kind under test.
  void NewStore(const std::string& name) {
    store_.reset();
    location_ = {};
    if (GetParam() == "rocksdb") {
      location_.data_dir = dir_.Sub(name);
    } else {
      std::string error;
      testing::PostgresCluster* cluster = testing::PostgresCluster::Shared(&error);
      ASSERT_NE(cluster, nullptr) << error;
      location_.postgres = cluster->NewDatabase(&error);
      ASSERT_FALSE(location_.postgres.empty()) << error;
    }
    Result<std::string> init = Init(location_);
    ASSERT_TRUE(init.ok()) << init.status().ToString();
    Open();
  }

  void Open() {
    store_.reset();
    Result<std::unique_ptr<ServerStorage>> s = OpenStorage(location_, /*create=*/false);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  // One group commit of `jobs`; each job's status must be OK.
  void Append(std::vector<UploadJob>& jobs) {
    std::vector<UploadJob*> group;
    for (UploadJob& j : jobs) group.push_back(&j);
    store_->AppendUploads(group);
    for (const UploadJob& j : jobs) ASSERT_TRUE(j.status.ok()) << j.status.ToString();
  }

  // One group commit of one client's entries.
  void AppendFor(uint64_t client_id, std::vector<wire::UploadEntry> entries) {
    std::vector<UploadJob> jobs(1);
    jobs[0].client_id = client_id;
    jobs[0].entries = std::move(entries);
    Append(jobs);
  }
  // Entries `from` to `to`, each setting c/x.n to its lsn.
  static std::vector<wire::UploadEntry> Entries(Lsn from, Lsn to) {
    std::vector<wire::UploadEntry> out;
    for (Lsn lsn = from; lsn <= to; ++lsn) out.push_back(Entry(lsn, "x", lsn));
    return out;
  }

  uint64_t Register(char fill) {
    Result<uint64_t> id = store_->RegisterClient(HashOf(fill));
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  std::vector<wire::Changeset> History(uint64_t from) {
    std::vector<wire::Changeset> out;
    while (from < store_->latest_version()) {
      std::vector<wire::Changeset> part;
      Status s = store_->ReadChangesets(from, size_t{1} << 20, &part);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || part.empty()) break;
      from = part.back().server_version;
      for (auto& c : part) out.push_back(std::move(c));
    }
    return out;
  }

  // Opens the closed data directory with plain RocksDB and hands `body`
  // every column family by name: what an older server left on disk.
  void RewriteRaw(const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& body) {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies({}, location_.data_dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : names)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open({}, location_.data_dir, families, &handles, &db).ok());
    for (rocksdb::ColumnFamilyHandle* h : handles) body(db, h);
    for (rocksdb::ColumnFamilyHandle* h : handles)
      EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }

  // Runs `sql` on the PostgreSQL database under test.
  void ExecPostgres(const char* sql) {
    std::string error;
    EXPECT_TRUE(testing::RunSql(location_.postgres, sql, &error)) << error;
  }

  // Makes the store look written before servers kept the chain: its chain
  // column family or table is gone.
  void DropChain() {
    store_.reset();
    if (GetParam() != "rocksdb") return ExecPostgres("DROP TABLE journaldb.chain");
    RewriteRaw([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* h) {
      if (h->GetName() == "chain") {
        EXPECT_TRUE(db->DropColumnFamily(h).ok());
      }
    });
  }

  // Makes the store look written before servers kept registration times:
  // the registry's values end after the secret hash, or its table lacks
  // the two columns.
  void DropRegistrationTimes() {
    store_.reset();
    if (GetParam() != "rocksdb")
      return ExecPostgres(
          "ALTER TABLE journaldb.clients DROP COLUMN registered_at_us, DROP COLUMN used");
    RewriteRaw([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* h) {
      if (h->GetName() != "clients") return;
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, h));
      // highest lsn, reset flag, secret hash: 48 bytes.
      for (it->SeekToFirst(); it->Valid(); it->Next())
        EXPECT_TRUE(db->Put({}, h, it->key(), it->value().ToString().substr(0, 48)).ok());
    });
  }

  // Makes the store look written before servers kept entry digests: each
  // origin holds its version alone, or the table lacks the column.
  void DropEntryDigests() {
    store_.reset();
    if (GetParam() != "rocksdb")
      return ExecPostgres("ALTER TABLE journaldb.origins DROP COLUMN entry_hash");
    RewriteRaw([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* h) {
      if (h->GetName() != "origins") return;
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, h));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ASSERT_EQ(it->value().size(), 40u);  // the version, then the digest
        EXPECT_TRUE(db->Put({}, h, it->key(), it->value().ToString().substr(0, 8)).ok());
      }
    });
  }

  // Uploads `entries` as client `id` in a group of their own; the job's
  // status and acks.
  UploadJob Upload(uint64_t id, std::vector<wire::UploadEntry> entries) {
    std::vector<UploadJob> jobs(1);
    jobs[0].client_id = id;
    jobs[0].entries = std::move(entries);
    std::vector<UploadJob*> group = {&jobs[0]};
    store_->AppendUploads(group);
    return std::move(jobs[0]);
  }

  std::optional<ClientRecord> Client(uint64_t id) {
    Result<AdmissionView> view = store_->ReadAdmissionView(id, 0, 0);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    return view.ok() ? view->client : std::nullopt;
  }

  uint64_t RemoveUnused(int64_t registered_before_us) {
    Result<uint64_t> removed = store_->RemoveUnusedRegistrations(registered_before_us);
    EXPECT_TRUE(removed.ok()) << removed.status().ToString();
    return removed.ok() ? *removed : 0;
  }

  // The closed RocksDB store's column families, as stored; nullptr on failure.
  std::unique_ptr<testing::RawRocks> OpenRaw() {
    std::string error;
    std::unique_ptr<testing::RawRocks> raw = testing::RawRocks::Open(location_.data_dir, &error);
    EXPECT_NE(raw, nullptr) << error;
    return raw;
  }

  static uint64_t RangeDeletions(testing::RawRocks& raw) {
    uint64_t count = 0;
    rocksdb::Status s = raw.CountRangeDeletions(&count);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return count;
  }

  std::optional<ChainHash> HashAt(uint64_t version) {
    Result<std::optional<ChainHash>> h = store_->ChainHashAt(version);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? *h : std::nullopt;
  }

  testing::TempDir dir_;
  StorageLocation location_;
  std::unique_ptr<ServerStorage> store_;
};

TEST_P(StorageContract, GroupCommitNumbersVersionsGaplessInOrderAndAcksEach) {
  uint64_t a = Register('a'), b = Register('b');
  ASSERT_NE(a, b);
  std::vector<UploadJob> jobs(2);
  jobs[0].client_id = a;
  jobs[0].entries = {Entry(1, "x", 1), Entry(2, "y", 2)};
  jobs[1].client_id = b;
  jobs[1].entries = {Entry(7, "x", 3)};
  Append(jobs);
  EXPECT_EQ(store_->latest_version(), 3u);
  ASSERT_EQ(jobs[0].ack.acks.size(), 2u);
  EXPECT_EQ(jobs[0].ack.acks[1].server_version, 2u);
  EXPECT_EQ(jobs[1].ack.acks[0].server_version, 3u);
  EXPECT_EQ(jobs[1].ack.highest_lsn, 7u);
  std::vector<wire::Changeset> history = History(0);
  ASSERT_EQ(history.size(), 3u);
  for (uint64_t v = 1; v <= 3; ++v) EXPECT_EQ(history[v - 1].server_version, v);
  EXPECT_EQ(history[2].origin_client, b);
  EXPECT_EQ(history[2].origin_lsn, 7u);
  Result<AdmissionView> view = store_->ReadAdmissionView(a, 0, 0);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_TRUE(view->client.has_value());
  EXPECT_EQ(view->client->highest_lsn, 2u);
  EXPECT_EQ(view->client->secret_hash, HashOf('a'));
  EXPECT_EQ(view->latest_version, 3u);
}

TEST_P(StorageContract, ReuploadIsAckedWithItsOriginalVersionAndNotStoredAgain) {
  uint64_t a = Register('a');
  std::vector<UploadJob> first(1);
  first[0].client_id = a;
  first[0].entries = {Entry(1, "x", 1), Entry(2, "x", 2)};
  Append(first);
  // The ack was lost: the client sends both again, and one more.
  std::vector<UploadJob> again(1);
  again[0].client_id = a;
  again[0].entries = {Entry(1, "x", 1), Entry(2, "x", 2), Entry(3, "x", 9)};
  Append(again);
  ASSERT_EQ(again[0].ack.acks.size(), 3u);
  EXPECT_EQ(again[0].ack.acks[0].server_version, 1u);
  EXPECT_EQ(again[0].ack.acks[1].server_version, 2u);
  EXPECT_EQ(again[0].ack.acks[2].server_version, 3u);
  EXPECT_EQ(store_->latest_version(), 3u);
  EXPECT_EQ(History(0).size(), 3u);
}

// The client's data went back and it wrote again under an uploaded lsn:
// acknowledging that entry as a re-upload would drop it.
TEST_P(StorageContract, AReuploadThatIsNotTheStoredEntryIsAClientResetAndStoresNothing) {
  uint64_t a = Register('a');
  AppendFor(a, {Entry(1, "x", 1), Entry(2, "x", 2)});
  std::vector<UploadJob> jobs(1);
  jobs[0].client_id = a;
  jobs[0].entries = {Entry(1, "x", 1), Entry(2, "x", 20), Entry(3, "x", 3)};
  std::vector<UploadJob*> group = {&jobs[0]};
  store_->AppendUploads(group);
  EXPECT_TRUE(jobs[0].status.IsClientResetRequired()) << jobs[0].status.ToString();
  EXPECT_NE(jobs[0].status.message().find("lsn 2 is not the entry the server stored"),
            std::string::npos)
      << jobs[0].status.ToString();
  EXPECT_EQ(jobs[0].rolled_back_after, 1u);  // lsn 1 was the same
  EXPECT_EQ(store_->latest_version(), 2u);
  std::vector<wire::Changeset> history = History(0);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].bytes, Entry(2, "x", 2).bytes);
  EXPECT_EQ(Client(a)->highest_lsn, 2u);
}

// Two copies of one client file upload lsn 1 in the same group commit: the
// second is compared with the first, which the store does not hold yet.
TEST_P(StorageContract, TheSameLsnTwiceInOneGroupIsComparedWithTheFirst) {
  uint64_t a = Register('a');
  std::vector<UploadJob> jobs(3);
  for (UploadJob& j : jobs) j.client_id = a;
  jobs[0].entries = {Entry(1, "x", 1)};
  jobs[1].entries = {Entry(1, "x", 1), Entry(2, "x", 2)};  // the same lsn 1: acknowledged
  jobs[2].entries = {Entry(1, "x", 7)};                    // another lsn 1: a reset
  std::vector<UploadJob*> group = {&jobs[0], &jobs[1], &jobs[2]};
  store_->AppendUploads(group);
  ASSERT_TRUE(jobs[0].status.ok()) << jobs[0].status.ToString();
  ASSERT_TRUE(jobs[1].status.ok()) << jobs[1].status.ToString();
  ASSERT_EQ(jobs[1].ack.acks.size(), 2u);
  EXPECT_EQ(jobs[1].ack.acks[0].server_version, 1u);
  EXPECT_TRUE(jobs[2].status.IsClientResetRequired()) << jobs[2].status.ToString();
  EXPECT_EQ(jobs[2].rolled_back_after, 0u);
  EXPECT_EQ(store_->latest_version(), 2u);
  EXPECT_EQ(History(0).size(), 2u);
}

// The origins keep each entry's digest, so a re-upload is compared after
// the operator trimmed its changeset too (before: acknowledged uncompared,
// and the new entry under a reused lsn was lost).
TEST_P(StorageContract, AReuploadOfATrimmedLsnIsComparedWithTheDigestTheOriginsKeep) {
  uint64_t a = Register('a');
  AppendFor(a, Entries(1, 3));
  ASSERT_TRUE(store_->TrimBelow(3).ok());
  UploadJob same = Upload(a, {Entry(1, "x", 1), Entry(2, "x", 2), Entry(3, "x", 3)});
  ASSERT_TRUE(same.status.ok()) << same.status.ToString();
  ASSERT_EQ(same.ack.acks.size(), 3u);
  EXPECT_EQ(same.ack.acks[0].server_version, 1u);
  EXPECT_EQ(same.ack.acks[1].server_version, 2u);  // trimmed, compared, acknowledged

  UploadJob other = Upload(a, {Entry(1, "x", 1), Entry(2, "x", 20), Entry(3, "x", 3)});
  EXPECT_TRUE(other.status.IsClientResetRequired()) << other.status.ToString();
  EXPECT_EQ(other.rolled_back_after, 1u);
  EXPECT_EQ(store_->latest_version(), 3u);
  EXPECT_EQ(Client(a)->highest_lsn, 3u);
}

// Origins an older server wrote hold no digest: a re-upload is compared with
// the stored changeset while it is kept, and a trim gives them the digest of
// the changesets it removes, so re-uploads are compared after it too.
// Entries stored after the upgrade carry digests again.
TEST_P(StorageContract, OriginsWithoutDigestsAreComparedWithTheChangesetAndGetItsDigestAtTrim) {
  uint64_t a = Register('a');
  AppendFor(a, Entries(1, 3));
  DropEntryDigests();
  Open();
  UploadJob differs = Upload(a, {Entry(1, "x", 1), Entry(2, "x", 20)});
  EXPECT_TRUE(differs.status.IsClientResetRequired()) << differs.status.ToString();
  EXPECT_EQ(differs.rolled_back_after, 1u);

  AppendFor(a, {Entry(4, "x", 4)});
  ASSERT_TRUE(store_->TrimBelow(5).ok());
  Open();
  UploadJob same = Upload(a, {Entry(1, "x", 1), Entry(2, "x", 2), Entry(3, "x", 3)});
  ASSERT_TRUE(same.status.ok()) << same.status.ToString();
  ASSERT_EQ(same.ack.acks.size(), 3u);
  EXPECT_EQ(same.ack.acks[2].server_version, 3u);  // trimmed, compared, acknowledged
  EXPECT_EQ(store_->latest_version(), 4u);
  UploadJob other = Upload(a, {Entry(3, "x", 30)});
  EXPECT_TRUE(other.status.IsClientResetRequired()) << other.status.ToString();
  EXPECT_EQ(other.rolled_back_after, 2u);
  UploadJob after_upgrade = Upload(a, {Entry(4, "x", 40)});
  EXPECT_TRUE(after_upgrade.status.IsClientResetRequired()) << after_upgrade.status.ToString();
  EXPECT_EQ(after_upgrade.rolled_back_after, 3u);
}

// A client's first upload may start at any lsn (its lsns go on across
// client resets). An lsn below that one was never stored under this id:
// sent later, it is not acknowledged (that would lose it) but resets the
// client, and nothing of that upload is stored.
TEST_P(StorageContract, AnLsnBelowTheFirstStoredOneIsNotAcknowledged) {
  uint64_t a = Register('a');
  AppendFor(a, {Entry(5, "x", 5)});
  UploadJob job = Upload(a, {Entry(4, "x", 4), Entry(5, "x", 5), Entry(6, "x", 6)});
  EXPECT_TRUE(job.status.IsClientResetRequired()) << job.status.ToString();
  EXPECT_NE(job.status.message().find("stored no entry under the client's lsn 4"),
            std::string::npos)
      << job.status.ToString();
  EXPECT_EQ(job.rolled_back_after, 3u);
  EXPECT_TRUE(job.ack.acks.empty());
  EXPECT_EQ(store_->latest_version(), 1u);
  EXPECT_EQ(Client(a)->highest_lsn, 5u);
}

// More origins without digests than PostgreSQL digests in one page (1,000),
// two clients interleaved: every one gets its digest, so each re-upload is
// acknowledged with the version it got; a changed one still resets.
TEST_P(StorageContract, ATrimDigestsEveryOriginWithoutOneAcrossPages) {
  constexpr Lsn kCount = 1300;
  const uint64_t a = Register('a'), b = Register('b');
  for (Lsn from = 1; from <= kCount; from += 100) {
    AppendFor(a, Entries(from, from + 99));
    AppendFor(b, Entries(from, from + 99));
  }
  DropEntryDigests();
  Open();
  ASSERT_TRUE(store_->TrimBelow(2 * kCount).ok());  // all but the last version
  Open();
  for (uint64_t id : {a, b}) {
    UploadJob same = Upload(id, Entries(1, kCount));
    ASSERT_TRUE(same.status.ok()) << "client " << id << ": " << same.status.ToString();
    ASSERT_EQ(same.ack.acks.size(), kCount);
    for (Lsn lsn = 1; lsn <= kCount; ++lsn)  // a's block of 100, then b's
      ASSERT_EQ(same.ack.acks[lsn - 1].server_version,
                (lsn - 1) / 100 * 200 + (id == b ? 100 : 0) + (lsn - 1) % 100 + 1)
          << "client " << id << " lsn " << lsn;
  }
  UploadJob other = Upload(b, {Entry(1001, "x", 7)});
  EXPECT_TRUE(other.status.IsClientResetRequired()) << other.status.ToString();
  EXPECT_EQ(other.rolled_back_after, 1000u);
  EXPECT_EQ(store_->latest_version(), 2 * kCount);
}

// An origin without a digest whose changeset is gone (an older server
// trimmed it) cannot be compared: its re-upload resets the client rather than
// risk a different entry being lost. One whose changeset is kept is compared
// with it.
TEST_P(StorageContract, AnOriginWithoutDigestOrChangesetCannotBeComparedAndResets) {
  uint64_t a = Register('a');
  AppendFor(a, Entries(1, 3));
  ASSERT_TRUE(store_->TrimBelow(3).ok());
  DropEntryDigests();
  Open();
  UploadJob uncompared = Upload(a, {Entry(2, "x", 2)});
  EXPECT_TRUE(uncompared.status.IsClientResetRequired()) << uncompared.status.ToString();
  EXPECT_EQ(uncompared.rolled_back_after, 1u);
  UploadJob kept = Upload(a, {Entry(3, "x", 3)});
  ASSERT_TRUE(kept.status.ok()) << kept.status.ToString();
  ASSERT_EQ(kept.ack.acks.size(), 1u);
  EXPECT_EQ(kept.ack.acks[0].server_version, 3u);
}

// A malformed origin (neither 8 nor 40 bytes on RocksDB, an entry hash not
// 32 bytes on PostgreSQL) met by a re-upload fails the group commit with a
// corruption error naming the origin; nothing is stored or acknowledged.
TEST_P(StorageContract, AMalformedOriginFailsTheReuploadWithCorruption) {
  uint64_t a = Register('a');
  AppendFor(a, Entries(1, 1));
  store_.reset();
  if (GetParam() == "rocksdb") {
    RewriteRaw([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* h) {
      if (h->GetName() != "origins") return;
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, h));
      for (it->SeekToFirst(); it->Valid(); it->Next())
        EXPECT_TRUE(db->Put({}, h, it->key(), it->value().ToString().substr(0, 39)).ok());
    });
  } else {
    ExecPostgres("UPDATE journaldb.origins SET entry_hash = substring(entry_hash from 2)");
  }
  Open();
  UploadJob job = Upload(a, {Entry(1, "x", 1), Entry(2, "x", 2)});
  EXPECT_TRUE(job.status.IsCorruption()) << job.status.ToString();
  EXPECT_NE(job.status.message().find("lsn 1 is malformed"), std::string::npos)
      << job.status.ToString();
  EXPECT_TRUE(job.ack.acks.empty());
  EXPECT_EQ(store_->latest_version(), 1u);
}

TEST_P(StorageContract, UploadOfAnUnknownClientOrWithAnLsnGapIsRefusedAlone) {
  uint64_t a = Register('a');
  std::vector<UploadJob> jobs(3);
  jobs[0].client_id = a + 100;
  jobs[0].entries = {Entry(1, "x", 1)};
  jobs[1].client_id = a;
  jobs[1].entries = {Entry(1, "x", 1)};
  std::vector<UploadJob*> group = {&jobs[0], &jobs[1]};
  store_->AppendUploads(group);
  EXPECT_TRUE(jobs[0].status.IsNotFound()) << jobs[0].status.ToString();
  EXPECT_TRUE(jobs[1].status.ok()) << jobs[1].status.ToString();
  jobs[2].client_id = a;
  jobs[2].entries = {Entry(3, "x", 1)};  // 2 is missing
  group = {&jobs[2]};
  store_->AppendUploads(group);
  EXPECT_TRUE(jobs[2].status.IsInvalidArgument()) << jobs[2].status.ToString();
  EXPECT_EQ(store_->latest_version(), 1u);
}

TEST_P(StorageContract, SnapshotShowsTheStateAtItsVersionWhileCommitsGoOn) {
  uint64_t a = Register('a');
  std::vector<UploadJob> jobs(1);
  jobs[0].client_id = a;
  for (Lsn lsn = 1; lsn <= 150; ++lsn)
    jobs[0].entries.push_back(Entry(lsn, "k" + std::to_string(1000 + lsn), lsn));
  Append(jobs);
  Result<std::unique_ptr<StateSnapshot>> snap = store_->NewSnapshot();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  std::vector<UploadJob> later(1);
  later[0].client_id = a;
  later[0].entries = {Entry(151, "k1001", -1), Entry(152, "k0000", -2)};
  Append(later);
  EXPECT_EQ((*snap)->version(), 150u);
  Result<Lsn> highest = (*snap)->ClientHighestLsn(a);
  ASSERT_TRUE(highest.ok());
  EXPECT_EQ(*highest, 150u);
  // Small pages: the paging by key must neither skip nor repeat an object.
  std::vector<wire::StateObject> objects;
  for (wire::BootstrapPage page; !page.last;) {
    std::string after = objects.empty() ? std::string() : objects.back().key;
    page.objects.clear();
    ASSERT_TRUE((*snap)->ReadStatePage(after, 200, &page).ok());
    ASSERT_FALSE(page.objects.empty() && !page.last);
    for (auto& o : page.objects) objects.push_back(std::move(o));
  }
  ASSERT_EQ(objects.size(), 150u);
  EXPECT_EQ(objects.front().key, layout::StateKey("c", "k1001"));
  Result<FieldMap> first = codec::DecodeObject(objects.front().bytes, "k1001");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->at("n"), Value::Int(1));  // not the later -1
  for (size_t i = 1; i < objects.size(); ++i) EXPECT_LT(objects[i - 1].key, objects[i].key);
}

TEST_P(StorageContract, TrimRaisesTheHorizonAndKeepsTheRest) {
  uint64_t a = Register('a');
  std::vector<UploadJob> jobs(1);
  jobs[0].client_id = a;
  for (Lsn lsn = 1; lsn <= 5; ++lsn) jobs[0].entries.push_back(Entry(lsn, "x", lsn));
  Append(jobs);
  Result<uint64_t> removed = store_->TrimBelow(4);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 3u);
  Result<AdmissionView> view = store_->ReadAdmissionView(0, 0, 0);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->horizon, 3u);
  std::vector<wire::Changeset> rest = History(3);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].server_version, 4u);
  Result<uint64_t> again = store_->TrimBelow(2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  // On RocksDB, key by key: no range tombstone (docs/on-disk-format.md, "Deletions").
  if (GetParam() != "rocksdb") return;
  store_.reset();
  std::unique_ptr<testing::RawRocks> raw = OpenRaw();
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(RangeDeletions(*raw), 0u);
}

TEST_P(StorageContract, OperatorResetMarksOneClientAndUnknownIdsAreNotFound) {
  uint64_t a = Register('a'), b = Register('b');
  ASSERT_TRUE(store_->ResetClient(a).ok());
  EXPECT_TRUE(store_->ResetClient(b + 10).IsNotFound());
  Result<AdmissionView> va = store_->ReadAdmissionView(a, 0, 0);
  Result<AdmissionView> vb = store_->ReadAdmissionView(b, 0, 0);
  ASSERT_TRUE(va.ok() && vb.ok());
  EXPECT_TRUE(va->client->reset);
  EXPECT_FALSE(vb->client->reset);
}

TEST_P(StorageContract, NewEpochRecordsTheForkPointAndContinuesClientIds) {
  uint64_t a = Register('a');
  std::vector<UploadJob> jobs(1);
  jobs[0].client_id = a;
  jobs[0].entries = {Entry(1, "x", 1), Entry(2, "x", 2)};
  Append(jobs);
  uint64_t old_epoch = store_->epoch();
  Result<uint64_t> next = store_->NextClientId();
  ASSERT_TRUE(next.ok());
  Result<uint64_t> epoch = store_->StartNewEpoch(nullptr);
  ASSERT_TRUE(epoch.ok()) << epoch.status().ToString();
  EXPECT_NE(*epoch, old_epoch);
  Result<AdmissionView> view = store_->ReadAdmissionView(a, old_epoch, 0);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->epoch, *epoch);
  EXPECT_EQ(view->client_epoch_fork_version, std::optional<uint64_t>(2));
  Result<std::optional<uint64_t>> unknown = store_->ForkVersion(12345);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
  // Reopened, the store still says so.
  Open();
  EXPECT_EQ(store_->epoch(), *epoch);
  EXPECT_EQ(Register('c'), *next);
}

// The chain as docs/protocol.md defines it, written out here instead of
// calling NextChainHash: SHA-256 of the previous hash, version, origin client,
// origin lsn and entry length (8 bytes big-endian each), and the entry.
ChainHash SpecifiedNext(const ChainHash& previous, const wire::Changeset& c) {
  std::string bytes(previous.begin(), previous.end());
  for (uint64_t n : {c.server_version, c.origin_client, c.origin_lsn, uint64_t{c.bytes.size()}})
    for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(n >> shift));
  bytes += c.bytes;
  ChainHash out;
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data());
  return out;
}

TEST_P(StorageContract, EveryVersionsChainHashCoversThePreviousOneAndItsChangeset) {
  uint64_t a = Register('a'), b = Register('b');
  std::vector<UploadJob> jobs(2);
  jobs[0].client_id = a;
  jobs[0].entries = {Entry(1, "x", 1), Entry(2, "y", 2)};
  jobs[1].client_id = b;
  jobs[1].entries = {Entry(1, "x", 3)};
  Append(jobs);
  EXPECT_EQ(HashAt(0), kChainStart);
  ChainHash expected = kChainStart;
  for (const wire::Changeset& c : History(0)) {
    expected = SpecifiedNext(expected, c);
    EXPECT_EQ(HashAt(c.server_version), expected) << "version " << c.server_version;
  }
  EXPECT_EQ(HashAt(4), std::nullopt);  // beyond the latest version
  Result<AdmissionView> view = store_->ReadAdmissionView(a, 0, 3);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->cursor_hash, expected);
  {
    Result<std::unique_ptr<StateSnapshot>> snap = store_->NewSnapshot();
    ASSERT_TRUE(snap.ok()) << snap.status().ToString();
    EXPECT_EQ((*snap)->chain_hash(), expected);
  }
  // Reopened, the next commit continues the chain.
  Open();
  AppendFor(a, {Entry(3, "z", 4)});
  std::vector<wire::Changeset> fourth = History(3);
  ASSERT_EQ(fourth.size(), 1u);
  EXPECT_EQ(HashAt(4), SpecifiedNext(expected, fourth[0]));
}

// One group commit of thousands of entries and of entries of megabytes (the
// PostgreSQL store writes rows many a statement, up to a count and a size of
// parameters each): every changeset, origin, chain hash and object is stored.
TEST_P(StorageContract, AGroupOfThousandsOfEntriesAndOfLargeOnesIsStoredWhole) {
  const uint64_t a = Register('a');
  constexpr Lsn kSmall = 1500, kAll = kSmall + 2;
  std::vector<wire::UploadEntry> entries;
  for (Lsn lsn = 1; lsn <= kSmall; ++lsn)
    entries.push_back(Entry(lsn, "k" + std::to_string(lsn % 1200), static_cast<int64_t>(lsn)));
  for (Lsn lsn = kSmall + 1; lsn <= kAll; ++lsn) {
    JournalEntry e;
    e.lsn = lsn;
    e.ops.push_back(Operation::Upsert(
        "c", "big" + std::to_string(lsn),
        {{"blob", Value::BytesValue(std::string(3 << 20, static_cast<char>('a' + lsn % 26)))}}));
    entries.push_back({lsn, codec::EncodeEntry(e), e});
  }
  AppendFor(a, entries);
  Open();
  std::vector<wire::Changeset> history = History(0);
  ASSERT_EQ(history.size(), kAll);
  ChainHash expected = kChainStart;
  for (Lsn i = 0; i < kAll; ++i) {
    ASSERT_EQ(history[i].server_version, i + 1);
    ASSERT_EQ(history[i].origin_lsn, i + 1);
    ASSERT_EQ(history[i].bytes, entries[i].bytes) << "version " << i + 1;
    expected = SpecifiedNext(expected, history[i]);
    if (i % 500 == 0 || i + 2 >= kAll) {
      EXPECT_EQ(HashAt(i + 1), expected) << "version " << i + 1;
    }
  }
  UploadJob same = Upload(a, entries);  // compared with the origins' digests
  ASSERT_TRUE(same.status.ok()) << same.status.ToString();
  ASSERT_EQ(same.ack.acks.size(), kAll);
  for (Lsn i = 0; i < kAll; ++i) ASSERT_EQ(same.ack.acks[i].server_version, i + 1);
  // A second group updates 1,100 of the objects the first stored (the
  // upserts' conflict path, many rows a statement).
  std::vector<wire::UploadEntry> updates;
  for (Lsn k = 0; k < 1100; ++k)
    updates.push_back(Entry(kAll + 1 + k, "k" + std::to_string(k), -static_cast<int64_t>(k)));
  AppendFor(a, updates);
  Result<std::unique_ptr<StateSnapshot>> snap = store_->NewSnapshot();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  std::map<std::string, std::string> objects;  // state key -> encoded
  std::string after;
  for (wire::BootstrapPage page; !page.last;) {
    page.objects.clear();
    ASSERT_TRUE((*snap)->ReadStatePage(after, size_t{1} << 20, &page).ok());
    if (!page.objects.empty()) after = page.objects.back().key;
    for (wire::StateObject& o : page.objects) objects[o.key] = std::move(o.bytes);
  }
  ASSERT_EQ(objects.size(), 1200u + 2);
  // k5 was last set by the update, k1150 by lsn 1150 of the first group.
  for (const auto& [key, n] : {std::pair<std::string, int64_t>{"k5", -5}, {"k1150", 1150}}) {
    Result<FieldMap> o = codec::DecodeObject(objects.at(layout::StateKey("c", key)), key);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    EXPECT_EQ(o->at("n"), Value::Int(n)) << key;
  }
}

// One group of several clients' uploads reads every client, object and
// re-uploaded origin it needs, whatever their number and size: on
// PostgreSQL it reads them ahead, a thousand a statement and at most 4 MiB
// of objects, and reads the rest (past the budget: here the third large
// object and the small ones after it in its statement) one at a time.
TEST_P(StorageContract, AGroupFoldsOntoEveryStoredObjectItReadsHoweverManyOrLarge) {
  const uint64_t a = Register('a'), b = Register('b'), d = Register('d');
  constexpr int kSmall = 1100, kLarge = 3;
  constexpr size_t kBlobBytes = 3u << 19;  // 1.5 MiB: the three pass 4 MiB
  auto EntryOf = [](Lsn lsn, std::vector<Operation> ops) {
    JournalEntry e;
    e.lsn = lsn;
    e.ops = std::move(ops);
    return wire::UploadEntry{lsn, codec::EncodeEntry(e), e};
  };
  std::vector<wire::UploadEntry> first;
  for (int k = 0; k < kLarge; ++k)
    first.push_back(EntryOf(
        first.size() + 1,
        {Operation::Upsert("c", "big" + std::to_string(k),
                           {{"blob", Value::BytesValue(std::string(kBlobBytes, 'a' + k))}})}));
  for (int k = 0; k < kSmall; ++k)
    first.push_back(Entry(first.size() + 1, "k" + std::to_string(k), k));
  AppendFor(d, {Entry(1, "d", 1)});  // a's versions are not its lsns
  AppendFor(a, first);
  const uint64_t stored = store_->latest_version();

  std::vector<UploadJob> jobs(4);
  // a: its first three entries again (acknowledged from the origins), then
  // one entry setting m on every object it stored and erasing two.
  jobs[0].client_id = a;
  jobs[0].entries = {first[0], first[1], first[2]};
  std::vector<Operation> touch;
  for (int k = 0; k < kLarge; ++k)
    touch.push_back(Operation::Upsert("c", "big" + std::to_string(k), {{"m", Value::Int(k)}}));
  for (int k = 0; k < kSmall; ++k)
    touch.push_back(k == 5 || k == 6
                        ? Operation::EraseObject("c", "k" + std::to_string(k))
                        : Operation::Upsert("c", "k" + std::to_string(k), {{"m", Value::Int(-k)}}));
  jobs[0].entries.push_back(EntryOf(first.size() + 1, std::move(touch)));
  // b: new objects only.
  jobs[1].client_id = b;
  for (int k = 0; k < 10; ++k)
    jobs[1].entries.push_back(Entry(k + 1, "new" + std::to_string(k), k));
  // An id nobody registered.
  jobs[2].client_id = d + 100;
  jobs[2].entries = {Entry(1, "x", 1)};
  // d: a different entry under its stored lsn 1.
  jobs[3].client_id = d;
  jobs[3].entries = {Entry(1, "d", 2)};
  std::vector<UploadJob*> group;
  for (UploadJob& j : jobs) group.push_back(&j);
  store_->AppendUploads(group);

  ASSERT_TRUE(jobs[0].status.ok()) << jobs[0].status.ToString();
  ASSERT_EQ(jobs[0].ack.acks.size(), 4u);
  for (Lsn i = 0; i < 3; ++i) EXPECT_EQ(jobs[0].ack.acks[i].server_version, i + 2);
  ASSERT_TRUE(jobs[1].status.ok()) << jobs[1].status.ToString();
  EXPECT_EQ(jobs[1].ack.acks.size(), 10u);
  EXPECT_TRUE(jobs[2].status.IsNotFound()) << jobs[2].status.ToString();
  EXPECT_TRUE(jobs[3].status.IsClientResetRequired()) << jobs[3].status.ToString();
  EXPECT_EQ(store_->latest_version(), stored + 1 + 10);
  ASSERT_TRUE(Client(a).has_value());
  EXPECT_EQ(Client(a)->highest_lsn, first.size() + 1);
  ASSERT_TRUE(Client(b).has_value());
  EXPECT_EQ(Client(b)->highest_lsn, 10u);
  EXPECT_TRUE(Client(b)->used);  // its first upload, in a group of several clients
  EXPECT_EQ(Client(d)->highest_lsn, 1u);

  Result<std::unique_ptr<StateSnapshot>> snap = store_->NewSnapshot();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  std::map<std::string, FieldMap> objects;  // key -> fields
  std::string after;
  for (wire::BootstrapPage page; !page.last;) {
    page.objects.clear();
    ASSERT_TRUE((*snap)->ReadStatePage(after, size_t{1} << 22, &page).ok());
    if (!page.objects.empty()) after = page.objects.back().key;
    for (wire::StateObject& o : page.objects) {
      Result<FieldMap> f = codec::DecodeObject(o.bytes, "");
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      objects[o.key] = *std::move(f);
    }
  }
  EXPECT_EQ(objects.size(), kLarge + kSmall - 2 + 10 + 1u);
  for (int k = 0; k < kLarge; ++k) {
    const FieldMap& o = objects[layout::StateKey("c", "big" + std::to_string(k))];
    EXPECT_EQ(o.at("m"), Value::Int(k)) << k;
    ASSERT_EQ(o.count("blob"), 1u) << "big" << k << " lost the field it had";
    EXPECT_EQ(o.at("blob"), Value::BytesValue(std::string(kBlobBytes, 'a' + k))) << k;
  }
  for (int k = 0; k < kSmall; ++k) {
    const std::string key = layout::StateKey("c", "k" + std::to_string(k));
    if (k == 5 || k == 6) {
      EXPECT_EQ(objects.count(key), 0u) << k;
      continue;
    }
    const FieldMap& o = objects[key];
    ASSERT_EQ(o.count("n"), 1u) << "k" << k << " lost the field it had";
    EXPECT_EQ(o.at("n"), Value::Int(k));
    EXPECT_EQ(o.at("m"), Value::Int(-k));
  }
  for (int k = 0; k < 10; ++k)
    EXPECT_EQ(objects[layout::StateKey("c", "new" + std::to_string(k))].at("n"), Value::Int(k));
  EXPECT_EQ(objects[layout::StateKey("c", "d")].at("n"), Value::Int(1));
}

// Two stores that stored the same changesets but one byte of one entry have
// different hashes from that version on: a history rewritten in place after
// a rollback is told from the one a client downloaded.
TEST_P(StorageContract, AHistoryDifferingInOneEntryByteHasADifferentChainFromThere) {
  uint64_t a = Register('a');
  AppendFor(a, {Entry(1, "x", 1), Entry(2, "y", 2)});
  std::optional<ChainHash> first = HashAt(1), second = HashAt(2);
  NewStore("other");
  ASSERT_EQ(Register('a'), a);
  AppendFor(a, {Entry(1, "x", 1), Entry(2, "y", 3)});  // n = 3 instead of 2
  EXPECT_EQ(HashAt(1), first);
  EXPECT_NE(HashAt(2), second);
}

TEST_P(StorageContract, TrimKeepsTheChainHashAtTheNewHorizon) {
  uint64_t a = Register('a');
  AppendFor(a, Entries(1, 4));
  std::optional<ChainHash> at_horizon = HashAt(2), latest = HashAt(4);
  ASSERT_TRUE(at_horizon.has_value());
  ASSERT_TRUE(store_->TrimBelow(3).ok());
  EXPECT_EQ(HashAt(1), std::nullopt);
  EXPECT_EQ(HashAt(2), at_horizon);
  Result<AdmissionView> view = store_->ReadAdmissionView(a, 0, 2);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->cursor_hash, at_horizon);
  EXPECT_EQ(HashAt(4), latest);
}

TEST_P(StorageContract, AStoreFromBeforeTheChainIsHashedFromItsHorizonWhenOpened) {
  uint64_t a = Register('a');
  AppendFor(a, Entries(1, 4));
  std::optional<ChainHash> untrimmed = HashAt(4);
  DropChain();
  Open();
  EXPECT_EQ(HashAt(4), untrimmed);  // the whole history: the same chain
  ASSERT_TRUE(store_->TrimBelow(3).ok());
  DropChain();
  Open();
  // The hashes below the horizon are gone: the chain starts there afresh.
  ChainHash expected = kChainStart;
  EXPECT_EQ(HashAt(2), expected);
  for (const wire::Changeset& c : History(2)) {
    expected = SpecifiedNext(expected, c);
    EXPECT_EQ(HashAt(c.server_version), expected) << "version " << c.server_version;
  }
  // Commits go on from there.
  AppendFor(a, Entries(5, 5));
  std::vector<wire::Changeset> fifth = History(4);
  ASSERT_EQ(fifth.size(), 1u);
  EXPECT_EQ(HashAt(5), SpecifiedNext(expected, fifth[0]));
}

TEST_P(StorageContract, InitRefusesAStoreThatHoldsOneAndKeepsIt) {
  uint64_t a = Register('a');
  uint64_t epoch = store_->epoch();
  store_.reset();
  Result<std::string> again = Init(location_);
  EXPECT_TRUE(again.status().IsFailedPrecondition()) << again.status().ToString();
  Open();
  EXPECT_EQ(store_->epoch(), epoch);
  Result<AdmissionView> view = store_->ReadAdmissionView(a, 0, 0);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->client.has_value());
}

// a registers and never comes back; b comes back with a hello; c uploads.
// Only a expires, and only once the cutoff is past its registration time.
TEST_P(StorageContract, OnlyRegistrationsNeverUsedAreRemovedOnceMadeBeforeTheCutoff) {
  const int64_t before = NowMicros();
  uint64_t a = Register('a'), b = Register('b'), c = Register('c');
  const int64_t after = NowMicros();
  std::optional<ClientRecord> ra = Client(a);
  ASSERT_TRUE(ra.has_value());
  EXPECT_FALSE(ra->used);
  EXPECT_GE(ra->registered_at_us, before);
  EXPECT_LE(ra->registered_at_us, after);
  const int64_t b_registered = Client(b)->registered_at_us;
  ASSERT_TRUE(store_->MarkClientUsed(b).ok());
  ASSERT_TRUE(store_->MarkClientUsed(b).ok());  // again: nothing changes
  AppendFor(c, Entries(1, 1));
  EXPECT_TRUE(Client(b)->used);
  EXPECT_TRUE(Client(c)->used);
  EXPECT_EQ(Client(b)->registered_at_us, b_registered);
  Open();  // the marks are durable, not only cached
  EXPECT_FALSE(Client(a)->used);
  EXPECT_TRUE(Client(b)->used);
  EXPECT_EQ(Client(b)->secret_hash, HashOf('b'));

  EXPECT_EQ(RemoveUnused(before), 0u);  // a is younger than that
  ASSERT_TRUE(Client(a).has_value());
  EXPECT_EQ(RemoveUnused(after + 1), 1u);
  EXPECT_FALSE(Client(a).has_value());
  EXPECT_TRUE(store_->MarkClientUsed(a).IsNotFound());
  EXPECT_TRUE(store_->ResetClient(a).IsNotFound());
  EXPECT_EQ(RemoveUnused(NowMicros() + 1), 0u);
  // The used ones keep everything; c still uploads; ids are never reused.
  EXPECT_EQ(Client(c)->highest_lsn, 1u);
  AppendFor(c, Entries(2, 2));
  Open();
  EXPECT_FALSE(Client(a).has_value());
  EXPECT_TRUE(Client(b).has_value());
  EXPECT_GT(Register('d'), c);
}

// A client file proposes its own registration secret: a copy of it finds
// the registration by the secret's hash, durably, until it expires; a second
// registration with a secret the registry holds is Busy (the retry finds it).
TEST_P(StorageContract, ARegistrationIsFoundByItsSecretUntilItExpiresAndTheSecretIsNotTakenTwice) {
  auto find = [&](char fill) -> std::optional<uint64_t> {
    Result<std::optional<uint64_t>> found = store_->FindClientBySecret(HashOf(fill));
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? *found : std::nullopt;
  };
  EXPECT_EQ(find('a'), std::nullopt);
  const uint64_t a = Register('a'), b = Register('b');
  EXPECT_EQ(find('a'), a);
  EXPECT_EQ(find('b'), b);
  EXPECT_EQ(find('z'), std::nullopt);
  Result<uint64_t> again = store_->RegisterClient(HashOf('a'));
  EXPECT_TRUE(again.status().IsBusy()) << again.status().ToString();
  Open();
  EXPECT_EQ(find('a'), a);
  AppendFor(b, Entries(1, 1));  // used: b does not expire
  EXPECT_EQ(RemoveUnused(NowMicros() + 1), 1u);
  EXPECT_EQ(find('a'), std::nullopt);
  EXPECT_EQ(find('b'), b);
  const uint64_t a2 = Register('a');
  EXPECT_GT(a2, b);
  EXPECT_EQ(find('a'), a2);
}

// An upload by a client whose registration was removed is refused like any
// unknown client's, and stores nothing.
TEST_P(StorageContract, AnUploadOfAnExpiredRegistrationIsRefusedAsUnknown) {
  uint64_t a = Register('a');
  EXPECT_EQ(RemoveUnused(NowMicros() + 1), 1u);
  std::vector<UploadJob> jobs(1);
  jobs[0].client_id = a;
  jobs[0].entries = Entries(1, 1);
  std::vector<UploadJob*> group = {&jobs[0]};
  store_->AppendUploads(group);
  EXPECT_TRUE(jobs[0].status.IsNotFound()) << jobs[0].status.ToString();
  EXPECT_EQ(store_->latest_version(), 0u);
  EXPECT_FALSE(Client(a).has_value());
}

// An upgrade must not expire anyone: registrations stored before servers
// kept the time count as used. Registrations made after it expire as usual.
TEST_P(StorageContract, AStoreFromBeforeRegistrationTimesCountsItsClientsAsUsed) {
  uint64_t a = Register('a');
  DropRegistrationTimes();
  Open();
  std::optional<ClientRecord> ra = Client(a);
  ASSERT_TRUE(ra.has_value());
  EXPECT_TRUE(ra->used);
  EXPECT_EQ(ra->registered_at_us, 0);
  EXPECT_EQ(ra->secret_hash, HashOf('a'));
  uint64_t b = Register('b');
  EXPECT_FALSE(Client(b)->used);
  EXPECT_EQ(RemoveUnused(NowMicros() + 1), 1u);
  EXPECT_TRUE(Client(a).has_value());
  EXPECT_FALSE(Client(b).has_value());
  // Reopened (the PostgreSQL columns are there now), nothing changes.
  Open();
  EXPECT_TRUE(Client(a)->used);
  AppendFor(a, Entries(1, 1));
  EXPECT_EQ(Client(a)->highest_lsn, 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, StorageContract, ::testing::Values("rocksdb", "postgres"),
                         [](const auto& store) { return store.param; });

// What only the RocksDB store does: trim in fsynced batches of 50,000
// versions, each moving the horizon (docs/on-disk-format.md, "Deletions";
// PostgreSQL trims in one statement). A trim across the first batch boundary
// leaves what one batch would: every version below the horizon gone, history
// and hashes, every one above kept with its bytes, no range tombstone.
class RocksStoreTrimBatches : public StorageContract {};

TEST_P(RocksStoreTrimBatches, ATrimAcrossTwoBatchesRemovesEveryVersionBelowAndKeepsTheRest) {
  constexpr uint64_t kBatch = 50'000;  // kVersionsPerBatch in server_store.cc
  constexpr uint64_t kLatest = kBatch + 10, kHorizon = kBatch + 5;
  const uint64_t a = Register('a');
  AppendFor(a, Entries(1, kLatest));  // one client: version v holds lsn v
  const std::optional<ChainHash> at_horizon = HashAt(kHorizon);
  ASSERT_TRUE(at_horizon.has_value());
  Result<uint64_t> removed = store_->TrimBelow(kHorizon + 1);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, kHorizon);
  Open();  // what the batches left on disk
  Result<AdmissionView> view = store_->ReadAdmissionView(a, 0, 0);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->horizon, kHorizon);
  std::vector<wire::Changeset> rest = History(kHorizon);
  ASSERT_EQ(rest.size(), kLatest - kHorizon);
  for (uint64_t v = kHorizon + 1; v <= kLatest; ++v) {
    const wire::Changeset& c = rest[v - kHorizon - 1];
    EXPECT_EQ(c.server_version, v);
    EXPECT_EQ(c.origin_lsn, v);
    EXPECT_EQ(c.bytes, Entry(v, "x", v).bytes) << "version " << v;
  }
  for (uint64_t v : {uint64_t{1}, kBatch, kBatch + 1, kHorizon - 1})
    EXPECT_EQ(HashAt(v), std::nullopt) << "version " << v;
  EXPECT_EQ(HashAt(kHorizon), at_horizon);

  // Every version, as stored.
  store_.reset();
  std::unique_ptr<testing::RawRocks> raw = OpenRaw();
  ASSERT_NE(raw, nullptr);
  for (uint64_t v = 1; v <= kLatest; ++v) {
    const std::string key = layout::EncodeU64(v);
    ASSERT_EQ(raw->Get("history", key).has_value(), v > kHorizon) << "version " << v;
    ASSERT_EQ(raw->Get("chain", key).has_value(), v >= kHorizon) << "version " << v;
  }
  EXPECT_EQ(RangeDeletions(*raw), 0u);
}

INSTANTIATE_TEST_SUITE_P(Stores, RocksStoreTrimBatches, ::testing::Values("rocksdb"),
                         [](const auto& store) { return store.param; });

// A second open of a directory in use is busy, and rolls nothing: RocksDB
// logs while it opens, before it meets the lock, and the running store's LOG
// (which it keeps writing to) must stay LOG, its LOG.old as it was.
class RocksStoreOpen : public StorageContract {};

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_P(RocksStoreOpen, ASecondOpenIsBusyAndLeavesTheRunningStoresLogAlone) {
  Open();  // the second open of the directory: LOG.old exists
  const std::string log = location_.data_dir + "/LOG", old_log = location_.data_dir + "/LOG.old";
  const std::string log_before = FileBytes(log), old_log_before = FileBytes(old_log);
  ASSERT_NE(log_before.find("DB SUMMARY"), std::string::npos) << log_before;
  ASSERT_NE(old_log_before.find("DB SUMMARY"), std::string::npos) << old_log_before;

  Result<std::unique_ptr<ServerStorage>> second = OpenStorage(location_, /*create=*/false);
  ASSERT_TRUE(second.status().IsBusy()) << second.status().ToString();
  EXPECT_NE(second.status().message().find("is in use"), std::string::npos)
      << second.status().ToString();
  EXPECT_EQ(FileBytes(log).substr(0, log_before.size()), log_before);
  EXPECT_EQ(FileBytes(old_log), old_log_before);
}

INSTANTIATE_TEST_SUITE_P(Stores, RocksStoreOpen, ::testing::Values("rocksdb"),
                         [](const auto& store) { return store.param; });

// What only a database does: refuse a group commit's transaction midway, a
// statement failing or the committer's backend terminated. No upload of
// the group is acknowledged, nothing of it is stored (the version counter
// included), and the same group commits when sent again.
class PostgresGroupCommitRefused : public StorageContract {
 protected:
  // From now on the database runs `action` (PL/pgSQL) when the group commit
  // stores the origin of `client`'s `lsn`, in the middle of its writes.
  void RefuseAt(uint64_t client, Lsn lsn, const std::string& action) {
    std::string error;
    EXPECT_TRUE(testing::RunSql(location_.postgres,
                                fmt::format(R"(
CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN {}; RETURN NEW; END $$;
CREATE TRIGGER refuse BEFORE INSERT ON journaldb.origins FOR EACH ROW
  WHEN (NEW.client_id = {} AND NEW.lsn = {}) EXECUTE FUNCTION refuse();)",
                                            action, client, lsn),
                                &error))
        << error;
  }

  void RefusedThenCommittedOnRetry(const std::string& action) {
    const uint64_t a = Register('a'), b = Register('b'), c = Register('c');
    AppendFor(a, Entries(1, 1));  // version 1
    RefuseAt(b, 2, action);
    // The chain hashes and changesets of all four entries are written when
    // the origins' one statement reaches b's second and is refused.
    auto group = [&] {
      std::vector<UploadJob> jobs(3);
      jobs[0].client_id = a;
      jobs[0].entries = {Entry(2, "a", 2), Entry(3, "a", 3)};
      jobs[1].client_id = b;
      jobs[1].entries = {Entry(1, "b", 1), Entry(2, "b", 2), Entry(3, "b", 3)};
      jobs[2].client_id = c;
      jobs[2].entries = {Entry(1, "c", 1)};
      return jobs;
    };
    std::vector<UploadJob> refused = group();
    std::vector<UploadJob*> pointers;
    for (UploadJob& j : refused) pointers.push_back(&j);
    store_->AppendUploads(pointers);
    for (const UploadJob& j : refused) {
      EXPECT_TRUE(j.status.IsIOError()) << "client " << j.client_id << ": " << j.status.ToString();
      EXPECT_NE(j.status.message().find("store origin"), std::string::npos) << j.status.ToString();
    }

    Result<uint64_t> latest = store_->ReadLatestVersion();
    ASSERT_TRUE(latest.ok()) << latest.status().ToString();
    EXPECT_EQ(*latest, 1u);
    EXPECT_EQ(History(0).size(), 1u);
    for (uint64_t client : {a, b, c}) {
      Result<AdmissionView> view = store_->ReadAdmissionView(client, 0, 0);
      ASSERT_TRUE(view.ok()) << view.status().ToString();
      EXPECT_EQ(view->client->highest_lsn, client == a ? 1u : 0u) << "client " << client;
    }
    Result<std::unique_ptr<StateSnapshot>> snapshot = store_->NewSnapshot();
    ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    wire::BootstrapPage page;
    ASSERT_TRUE((*snapshot)->ReadStatePage("", size_t{1} << 20, &page).ok());
    EXPECT_EQ(page.objects.size(), 1u);  // c/x of version 1 only
    snapshot->reset();

    std::string error;
    ASSERT_TRUE(
        testing::RunSql(location_.postgres, "DROP TRIGGER refuse ON journaldb.origins", &error))
        << error;
    std::vector<UploadJob> again = group();
    Append(again);
    // Versions continue right after 1, in the group's order.
    uint64_t version = 1;
    for (const UploadJob& j : again)
      for (const wire::Ack& ack : j.ack.acks)
        EXPECT_EQ(ack.server_version, ++version) << "client " << j.client_id << " lsn " << ack.lsn;
    EXPECT_EQ(version, 7u);
    std::vector<wire::Changeset> history = History(0);
    ASSERT_EQ(history.size(), 7u);
    for (uint64_t v = 1; v <= 7; ++v) EXPECT_EQ(history[v - 1].server_version, v);
  }
};

TEST_P(PostgresGroupCommitRefused, AStatementRefusedMidwayAcksNoUploadOfTheGroup) {
  RefusedThenCommittedOnRetry("RAISE EXCEPTION 'refused by the test'");
}

TEST_P(PostgresGroupCommitRefused, TheCommittersBackendTerminatedMidwayAcksNoUploadOfTheGroup) {
  RefusedThenCommittedOnRetry("PERFORM pg_terminate_backend(pg_backend_pid())");
}

INSTANTIATE_TEST_SUITE_P(Stores, PostgresGroupCommitRefused, ::testing::Values("postgres"),
                         [](const auto& store) { return store.param; });

// Each bootstrap snapshot holds a database connection of its own, and any
// client with the token can start one: a store keeps at most 8 open, so
// clients cannot use up the database's connections.
class PostgresSnapshots : public StorageContract {};

TEST_P(PostgresSnapshots, AtMostEightSnapshotsAreOpenAtOnceAndAClosedOneFreesItsPlace) {
  std::vector<std::unique_ptr<StateSnapshot>> open;
  for (int i = 0; i < 8; ++i) {
    Result<std::unique_ptr<StateSnapshot>> s = store_->NewSnapshot();
    ASSERT_TRUE(s.ok()) << i << ": " << s.status().ToString();
    open.push_back(std::move(s).value());
  }
  Result<std::unique_ptr<StateSnapshot>> ninth = store_->NewSnapshot();
  ASSERT_TRUE(ninth.status().IsBusy()) << ninth.status().ToString();
  EXPECT_NE(ninth.status().message().find("retry later"), std::string::npos)
      << ninth.status().ToString();
  // The eight still read.
  for (const auto& s : open) EXPECT_TRUE(s->ClientHighestLsn(1).ok());
  open.pop_back();
  ninth = store_->NewSnapshot();
  EXPECT_TRUE(ninth.ok()) << ninth.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(Stores, PostgresSnapshots, ::testing::Values("postgres"),
                         [](const auto& store) { return store.param; });

class PostgresRegistryIndex : public StorageContract {};

// An older dump restored in place (pg_restore --clean) under a running node
// drops the index of registrations by secret, which a registration's
// ON CONFLICT names: the node makes it again and registers.
TEST_P(PostgresRegistryIndex, ARegistrationMakesTheIndexOfSecretsAgainIfItWasDropped) {
  const uint64_t a = Register('a');
  ExecPostgres("DROP INDEX journaldb.clients_by_secret");
  const uint64_t b = Register('b');
  EXPECT_NE(b, 0u);
  EXPECT_NE(b, a);
  // Unique again: the same secret registers nothing.
  Result<uint64_t> again = store_->RegisterClient(HashOf('b'));
  EXPECT_TRUE(again.status().IsBusy()) << again.status().ToString();
  Result<std::optional<uint64_t>> found = store_->FindClientBySecret(HashOf('b'));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(*found, std::optional<uint64_t>(b));
}

INSTANTIATE_TEST_SUITE_P(Stores, PostgresRegistryIndex, ::testing::Values("postgres"),
                         [](const auto& store) { return store.param; });

}  // namespace
}  // namespace journaldb::server
