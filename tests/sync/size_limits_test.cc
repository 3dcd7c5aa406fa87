// Size discipline end to end, against a real journal-server process: what
// commits is what syncs. Entries and objects over their limits are refused
// at commit (and an oversized upload by the server), and replies are sized
// by their encoded bytes, so large entries and objects reach every client.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "journaldb/database.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/raw_rocks.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"
#include "test_store.h"

namespace journaldb {
namespace {

using testing::RawClient;
using testing::ServerProcess;

constexpr size_t kMiB = 1u << 20;

Value Blob(size_t bytes, char fill) { return Value::BytesValue(std::string(bytes, fill)); }

class SizeLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("server");
    Restart();
  }
  void Restart() {
    std::string error;
    server_ = ServerProcess::Restart(data_, &error, port_);
    ASSERT_TRUE(server_) << error;
    port_ = server_->port();
  }
  std::unique_ptr<Database> Open(const std::string& name) {
    auto db = Database::Open(dir_.Sub(name), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  static Result<Lsn> Put(Database& db, const std::string& key, FieldMap fields) {
    Transaction t = db.BeginTransaction();
    if (Status s = t.Upsert("files", key, std::move(fields)); !s.ok()) return s;
    return t.Commit();
  }
  ::testing::AssertionResult Syncs(Database& db) {
    Result<SyncReport> r = SyncOnce(db, testing::SyncTo(server_->address()));
    if (!r.ok()) return ::testing::AssertionFailure() << r.status().ToString();
    return ::testing::AssertionSuccess();
  }
  // Uploads as a new client that skips the engine's commit checks: the
  // server's answer, which must be BadFrame.
  ::testing::AssertionResult UploadRefusedAsBadFrame(wire::Upload upload) {
    RawClient raw(server_->address());
    Result<wire::HelloOk> ok = raw.Hello();
    if (!ok.ok()) return ::testing::AssertionFailure() << ok.status().ToString();
    upload.client_id = ok->client_id;
    if (Status s = raw.Send(upload); !s.ok()) return ::testing::AssertionFailure() << s.ToString();
    return raw.ExpectErrorThenClose(wire::ErrorCode::kBadFrame);
  }
  std::string ServerLog() {
    std::ifstream in(server_->log_path());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  testing::TempDir dir_;
  std::string data_;
  uint16_t port_ = 0;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(SizeLimits, EntryOverTheLimitIsRefusedAtCommitAndNothingIsJournaled) {
  auto db = Open("client");
  // One value just under kMaxValueBytes (what a value may be) and two
  // values that fit alone but not together: neither transaction commits.
  Result<Lsn> one = Put(*db, "big", {{"data", Blob(kMaxValueBytes - 1, 'a')}});
  ASSERT_TRUE(one.status().IsInvalidArgument()) << one.status().ToString();
  EXPECT_NE(one.status().message().find(fmt::format("the limit is {}", kMaxEntryBytes)),
            std::string::npos)
      << one.status().message();
  Result<Lsn> two = Put(*db, "pair", {{"x", Blob(9 * kMiB, 'x')}, {"y", Blob(9 * kMiB, 'y')}});
  ASSERT_TRUE(two.status().IsInvalidArgument()) << two.status().ToString();
  EXPECT_NE(two.status().message().find("journal entry"), std::string::npos);

  EXPECT_FALSE(db->ReadJournal(1).Valid());
  EXPECT_TRUE(db->GetField("files", "big", "data").status().IsNotFound());
  EXPECT_TRUE(db->GetField("files", "pair", "x").status().IsNotFound());
  // Later writes commit, and everything syncs.
  Result<Lsn> small = Put(*db, "small", {{"n", Value::Int(1)}});
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(*small, 1u);
  Result<Lsn> fits = Put(*db, "fits", {{"data", Blob(kMaxEntryBytes - 4096, 'f')}});
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  ASSERT_TRUE(Syncs(*db));
  Result<SyncStatus> status = GetSyncStatus(*db);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->unsynced_entries, 0u);
  auto fresh = Open("fresh");
  ASSERT_TRUE(Syncs(*fresh));
  EXPECT_EQ(testing::DumpClient(*fresh), testing::DumpClient(*db));
}

TEST_F(SizeLimits, ObjectOverTheLimitIsRefusedAtCommit) {
  auto db = Open("client");
  for (char f : {'a', 'b'}) ASSERT_TRUE(Put(*db, "grown", {{{f}, Blob(6 * kMiB, f)}}).ok());
  // Each put is a small entry, but the third makes the object too big.
  Result<Lsn> third = Put(*db, "grown", {{"c", Blob(6 * kMiB, 'c')}});
  ASSERT_TRUE(third.status().IsInvalidArgument()) << third.status().ToString();
  EXPECT_NE(third.status().message().find("object files/"), std::string::npos)
      << third.status().message();
  EXPECT_NE(third.status().message().find(fmt::format("the limit is {}", kMaxObjectBytes)),
            std::string::npos)
      << third.status().message();
  EXPECT_TRUE(db->GetField("files", "grown", "c").status().IsNotFound());
  Result<SyncStatus> status = GetSyncStatus(*db);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->unsynced_entries, 2u);
  // Replacing a field with a smaller value still commits.
  ASSERT_TRUE(Put(*db, "grown", {{"b", Value::Int(2)}}).ok());
  ASSERT_TRUE(Put(*db, "grown", {{"c", Blob(6 * kMiB, 'c')}}).ok());
  ASSERT_TRUE(Syncs(*db));
}

TEST_F(SizeLimits, ServerRefusesAnOversizedUpload) {
  // What an engine without the commit check would send: a valid entry
  // over kMaxEntryBytes, in a frame the server still reads.
  JournalEntry e;
  e.lsn = 1;
  e.ops.push_back(Operation::Upsert("files", "big", {{"data", Blob(kMaxEntryBytes, 'z')}}));
  std::string entry = codec::EncodeEntry(e);
  ASSERT_GT(entry.size(), kMaxEntryBytes);
  wire::Upload upload{0, {{1, entry, {}}}};
  ASSERT_LE(wire::EncodeMessage(upload).size(), wire::kMaxFrameBytes);

  ::testing::AssertionResult refused = UploadRefusedAsBadFrame(std::move(upload));
  ASSERT_TRUE(refused);
  EXPECT_NE(std::string(refused.message())
                .find(fmt::format("is {} bytes; the limit for a journal entry is {}", entry.size(),
                                  kMaxEntryBytes)),
            std::string::npos)
      << refused.message();
  // Nothing was stored, and the server serves others.
  auto db = Open("client");
  ASSERT_TRUE(Put(*db, "k", {{"n", Value::Int(1)}}).ok());
  ASSERT_TRUE(Syncs(*db));
  EXPECT_EQ(testing::DumpClient(*db).size(), 1u);
  EXPECT_NE(ServerLog().find("the limit for a journal entry"), std::string::npos);
}

// Lists: a list op scans its list, so a transaction's list ops cost their
// number times the list's length (fold::ListWork), on the server and on
// every client. Ids are made up; raw list ops are checked only at commit.
constexpr uint64_t kReplica = 0x5eed;
Operation InsertAtHead(uint64_t counter) {
  return Operation::ListInsert("lists", "big", "items", std::nullopt, {counter, kReplica},
                               Value::Int(static_cast<int64_t>(counter)));
}
Operation Remove(uint64_t counter) {
  return Operation::ListRemove("lists", "big", "items", {counter, kReplica});
}
// A list of 4,095 elements: each op then costs 4,096 steps, 2^12.
constexpr uint64_t kListLength = 4095;
// Inserts counters first .. first + count - 1 in one transaction.
Status InsertMany(Database& db, uint64_t first, uint64_t count) {
  Transaction t = db.BeginTransaction();
  for (uint64_t i = first; i < first + count; ++i)
    if (Status s = t.Write(InsertAtHead(i)); !s.ok()) return s;
  return t.Commit().status();
}
Status MakeList(Database& db) { return InsertMany(db, 1, kListLength); }
size_t PresentElements(Database& db) {
  Result<Object> o = db.Get("lists", "big");
  if (!o.ok()) return 0;
  size_t n = 0;
  for (const ListElement& e : o->fields.at("items").as_list().elements) n += !e.removed;
  return n;
}

TEST_F(SizeLimits, ListWorkOverTheLimitIsRefusedAtCommitAndTheLimitItselfSyncs) {
  static_assert(kMaxListWork == uint64_t{1} << 24);
  auto db = Open("client");
  ASSERT_TRUE(MakeList(*db).ok());  // lsn 1

  // 4,097 removes of a 4,095-element list: 4,097 * 4,096 steps, one op over.
  Transaction over = db->BeginTransaction();
  for (uint64_t i = 0; i <= 4096; ++i) ASSERT_TRUE(over.Write(Remove(i % kListLength + 1)).ok());
  Result<Lsn> refused = over.Commit();
  ASSERT_TRUE(refused.status().IsInvalidArgument()) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find(
                fmt::format("take {} list element steps to apply", 4097 * 4096)),
            std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find(fmt::format("the limit is {}", kMaxListWork)),
            std::string::npos);
  EXPECT_FALSE(db->ReadJournal(2).Valid());
  EXPECT_EQ(PresentElements(*db), kListLength);

  // 4,096 removes: exactly the limit. It commits, and the server, measuring
  // on its own copy of the same list, takes it.
  Transaction at = db->BeginTransaction();
  for (uint64_t i = 0; i < 4096; ++i) ASSERT_TRUE(at.Write(Remove(i % kListLength + 1)).ok());
  Result<Lsn> committed = at.Commit();
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(*committed, 2u);
  EXPECT_EQ(PresentElements(*db), 0u);
  ASSERT_TRUE(Syncs(*db));
  auto other = Open("other");
  ASSERT_TRUE(Syncs(*other));
  EXPECT_EQ(testing::DumpClient(*other), testing::DumpClient(*db));
}

TEST_F(SizeLimits, ServerRefusesAnUploadWhoseListWorkIsOverItsLimit) {
  // The server's limit (kMaxUploadListWork in server/src/group_commit.h).
  auto db = Open("client");
  ASSERT_TRUE(MakeList(*db).ok());
  ASSERT_TRUE(Syncs(*db));

  // What an engine without the commit check would send: 4 * 4,096 + 1
  // removes of the server's 4,095-element list, one op over the server's
  // limit. The entry before it is cheap and is stored.
  JournalEntry cheap, costly;
  cheap.lsn = 1;
  cheap.ops.push_back(Operation::Upsert("files", "note", {{"n", Value::Int(1)}}));
  costly.lsn = 2;
  for (uint64_t i = 0; i <= 4 * 4096; ++i) costly.ops.push_back(Remove(i % kListLength + 1));
  wire::Upload upload{0, {{1, codec::EncodeEntry(cheap), {}}, {2, codec::EncodeEntry(costly), {}}}};

  ::testing::AssertionResult refused = UploadRefusedAsBadFrame(std::move(upload));
  ASSERT_TRUE(refused);
  EXPECT_NE(std::string(refused.message())
                .find(fmt::format("upload entry lsn 2: its list ops take {} list element steps to "
                                  "apply to the server's lists; the limit is {}",
                                  (4 * 4096 + 1) * 4096, 4 * kMaxListWork)),
            std::string::npos)
      << refused.message();
  // Nothing of the costly entry applied, the cheap one is stored, and the
  // server serves others.
  auto fresh = Open("fresh");
  ASSERT_TRUE(Syncs(*fresh));
  EXPECT_EQ(PresentElements(*fresh), kListLength);
  EXPECT_TRUE(fresh->Get("files", "note").ok());
  EXPECT_NE(ServerLog().find("list element steps"), std::string::npos);
}

// An upload's entries each at the server's limit of list work, together
// over what one group commit spends on one upload (4 * kMaxUploadListWork):
// the group stores the first four, and the fifth goes on in the next group
// commit (behind the uploads queued meanwhile) before one ack for all five.
TEST_F(SizeLimits, AnUploadOverItsShareOfAGroupCommitGoesOnInTheNextAndIsAckedWhole) {
  auto db = Open("client");
  ASSERT_TRUE(MakeList(*db).ok());
  ASSERT_TRUE(Syncs(*db));  // version 1

  // Each entry 4 * 4,096 removes of ids the 4,095-element list does not
  // hold: 2^26 steps by fold::ListWork, each op a cheap no-op.
  wire::Upload upload;
  for (Lsn lsn = 1; lsn <= 5; ++lsn) {
    JournalEntry e;
    e.lsn = lsn;
    for (uint64_t i = 0; i < 4 * 4096; ++i) e.ops.push_back(Remove(kListLength + 1 + i));
    upload.entries.push_back({lsn, codec::EncodeEntry(e), {}});
  }
  RawClient raw(server_->address());
  Result<wire::HelloOk> ok = raw.Hello();
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  upload.client_id = ok->client_id;
  ASSERT_TRUE(raw.Send(upload).ok());
  Result<wire::Message> reply = raw.Receive();
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  const auto* ack = std::get_if<wire::UploadAck>(&*reply);
  ASSERT_NE(ack, nullptr) << wire::MessageName(*reply);
  EXPECT_EQ(ack->highest_lsn, 5u);
  ASSERT_EQ(ack->acks.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(ack->acks[i].lsn, i + 1);
    EXPECT_EQ(ack->acks[i].server_version, i + 2);
  }
  EXPECT_NE(ServerLog().find(fmt::format("client={} continues after lsn 4 in the next group commit",
                                         ok->client_id)),
            std::string::npos)
      << ServerLog();
  auto fresh = Open("fresh");
  ASSERT_TRUE(Syncs(*fresh));
  EXPECT_EQ(PresentElements(*fresh), kListLength);
  EXPECT_EQ(fresh->Info()->download_cursor, 6u);
}

// A client that skips the commit check grows one object an entry at a time:
// each upsert of a 14 MiB field is under the entry limit, and the server
// takes them while the object stays within kMaxUploadObjectBytes (4 times
// kMaxObjectBytes, room for several honest clients' merges); the entry that
// would grow it past is refused, naming the object, with nothing of it
// applied, and the server goes on committing others' uploads. Before, it
// grew without bound (1.7 GB of server memory at 94 MiB; past 1 GiB the
// object no longer decoded and every group commit touching it failed).
TEST_F(SizeLimits, ServerRefusesAnUploadThatGrowsAnObjectPastItsLimit) {
  RawClient raw(server_->address());
  Result<wire::HelloOk> ok = raw.Hello();
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  Lsn lsn = 0;
  for (char field = 'a';; ++field) {
    ASSERT_LE(field, 'f') << "the server took every entry";
    JournalEntry e;
    e.lsn = ++lsn;
    e.ops.push_back(
        Operation::Upsert("files", "big", {{std::string(1, field), Blob(14 * kMiB, field)}}));
    ASSERT_TRUE(raw.Send(wire::Upload{ok->client_id, {{e.lsn, codec::EncodeEntry(e), {}}}}).ok());
    if (field < 'e') {
      Result<wire::Message> m = raw.Receive();
      ASSERT_TRUE(m.ok()) << "entry " << lsn << ": " << m.status().ToString();
      ASSERT_TRUE(std::holds_alternative<wire::UploadAck>(*m)) << wire::MessageName(*m);
      EXPECT_EQ(std::get<wire::UploadAck>(*m).highest_lsn, lsn);
      continue;
    }
    // Four fields, 56 MiB: a fifth is over 64 MiB.
    ::testing::AssertionResult refused = raw.ExpectErrorThenClose(wire::ErrorCode::kBadFrame);
    ASSERT_TRUE(refused);
    EXPECT_NE(std::string(refused.message())
                  .find("upload entry lsn 5: it would grow object files/\"big\" to"),
              std::string::npos)
        << refused.message();
    EXPECT_NE(
        std::string(refused.message()).find(fmt::format("the limit is {}", 4 * kMaxObjectBytes)),
        std::string::npos)
        << refused.message();
    break;
  }
  // Nothing of the refused entry was stored (it got no version: another
  // client's next entry gets version 5), and the server goes on.
  RawClient next(server_->address());
  Result<wire::HelloOk> hello = next.Hello();
  ASSERT_TRUE(hello.ok()) << hello.status().ToString();
  JournalEntry small;
  small.lsn = 1;
  small.ops.push_back(Operation::Upsert("files", "small", {{"n", Value::Int(1)}}));
  ASSERT_TRUE(next.Send(wire::Upload{hello->client_id, {{1, codec::EncodeEntry(small), {}}}}).ok());
  Result<wire::Message> m = next.Receive();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(std::holds_alternative<wire::UploadAck>(*m)) << wire::MessageName(*m);
  ASSERT_EQ(std::get<wire::UploadAck>(*m).acks.size(), 1u);
  EXPECT_EQ(std::get<wire::UploadAck>(*m).acks[0].server_version, 5u);
  EXPECT_NE(ServerLog().find("it would grow object"), std::string::npos);
}

// The server measures list work on its own lists: an honest entry at the
// commit limit on a list the server has since seen grow more than 4 times
// longer is refused. The sync fails naming it; nothing is lost or applied.
TEST_F(SizeLimits, AnEntryAtTheCommitLimitOnAListTheServerHasSeenGrowFailsItsSyncNamingIt) {
  auto a = Open("a");
  auto b = Open("b");
  ASSERT_TRUE(InsertMany(*a, 1, 1023).ok());
  ASSERT_TRUE(Syncs(*a));
  ASSERT_TRUE(Syncs(*b));
  // b, offline: 16,384 removes of its 1,023-element copy, 2^24 steps.
  Transaction t = b->BeginTransaction();
  for (uint64_t i = 0; i < 16384; ++i) ASSERT_TRUE(t.Write(Remove(i % 1023 + 1)).ok());
  Result<Lsn> lsn = t.Commit();
  ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
  // Meanwhile the server's list grows to 5,119 elements.
  ASSERT_TRUE(InsertMany(*a, 2000, 4096).ok());
  ASSERT_TRUE(Syncs(*a));

  Result<SyncReport> r = SyncOnce(*b, testing::SyncTo(server_->address()));
  ASSERT_TRUE(r.status().IsFailedPrecondition()) << r.status().ToString();
  EXPECT_NE(
      r.status().message().find(fmt::format(
          "upload entry lsn {}: its list ops take {} list element steps", *lsn, 16384 * 5120)),
      std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("split the transaction"), std::string::npos);
  // The entry is still b's to sync, and the server did not apply it.
  EXPECT_TRUE(b->ReadJournal(*lsn).Valid());
  Result<SyncStatus> status = GetSyncStatus(*b);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->unsynced_entries, 1u);
  ASSERT_TRUE(Syncs(*a));
  EXPECT_EQ(PresentElements(*a), 1023u + 4096u);
}

// A database from before the commit check may hold an entry no frame
// carries: the entries before it upload, and the error names the way out.
TEST_F(SizeLimits, AnUnsyncableEntryJournaledEarlierNamesTheWayOut) {
  const std::string path = dir_.Sub("client");
  {
    auto db = Open("client");
    ASSERT_TRUE(Put(*db, "small", {{"n", Value::Int(1)}}).ok());
  }
  {
    JournalEntry e;
    e.lsn = 2;
    e.ops.push_back(Operation::Upsert("files", "big", {{"data", Blob(kMaxEntryBytes, 'z')}}));
    std::string error;
    auto raw = testing::RawRocks::Open(path, &error);
    ASSERT_NE(raw, nullptr) << error;
    ASSERT_TRUE(raw->Put(layout::kJournalFamily, layout::LsnKey(2), codec::EncodeEntry(e)).ok());
  }
  auto db = Open("client");
  Result<SyncReport> r = SyncOnce(*db, testing::SyncTo(server_->address()));
  ASSERT_TRUE(r.status().IsFailedPrecondition()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("journal entry lsn 2 encodes to"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("`journal snapshot`"), std::string::npos);
  Result<SyncStatus> status = GetSyncStatus(*db);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->upload_cursor, 1u);
}

// Two acknowledged entries of 3.5 and 13 MiB: a reply holding both would
// exceed the frame. Every client below them, new or old, gets both.
TEST_F(SizeLimits, LargeChangesetsReachNewAndOldClients) {
  auto writer = Open("writer");
  auto old = Open("old");
  ASSERT_TRUE(Put(*writer, "first", {{"n", Value::Int(1)}}).ok());
  ASSERT_TRUE(Syncs(*writer));
  ASSERT_TRUE(Syncs(*old));  // at version 1
  ASSERT_TRUE(Put(*writer, "medium", {{"data", Blob(7 * kMiB / 2, 'm')}}).ok());
  ASSERT_TRUE(Put(*writer, "large", {{"data", Blob(13 * kMiB, 'l')}}).ok());
  ASSERT_TRUE(Syncs(*writer));

  auto fresh = Open("fresh");
  ASSERT_TRUE(Syncs(*fresh));
  ASSERT_TRUE(Syncs(*old));
  testing::StateDump expected = testing::DumpClient(*writer);
  ASSERT_EQ(expected.size(), 3u);
  EXPECT_EQ(testing::DumpClient(*fresh), expected);
  EXPECT_EQ(testing::DumpClient(*old), expected);
  EXPECT_EQ(ServerLog().find("send failed"), std::string::npos) << ServerLog();
}

// A small object and one grown by puts to near the object limit: a page
// holding both would exceed the frame. After a trim a new client must
// bootstrap them.
TEST_F(SizeLimits, LargeObjectsBootstrapAfterTrim) {
  auto writer = Open("writer");
  ASSERT_TRUE(Put(*writer, "a", {{"data", Blob(9 * kMiB / 10, 'a')}}).ok());
  const size_t part = 39 * kMiB / 10;
  for (char f : {'1', '2', '3', '4'}) ASSERT_TRUE(Put(*writer, "b", {{{f}, Blob(part, f)}}).ok());
  ASSERT_TRUE(Put(*writer, "b", {{"5", Blob(part, '5')}}).status().IsInvalidArgument());
  ASSERT_TRUE(Syncs(*writer));
  ASSERT_EQ(server_->Terminate(), 0);
  std::string out;
  ASSERT_EQ(testing::RunOperator({"trim", "--data", data_, "--below", "6"}, &out), 0) << out;
  Restart();

  auto fresh = Open("fresh");
  Result<SyncReport> r = SyncOnce(*fresh, testing::SyncTo(server_->address()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->bootstrapped);
  testing::StateDump expected = testing::DumpClient(*writer);
  ASSERT_EQ(expected.size(), 2u);
  EXPECT_EQ(testing::DumpClient(*fresh), expected);
  Result<VerifyReport> v = fresh->Verify();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->ok());
}

// What the commit limit cannot prevent: two clients' upserts of different
// fields merge on the server into an object over kMaxObjectBytes. A page
// with it cannot be framed; the server logs why and tells the client.
TEST_F(SizeLimits, AReplyTooLargeForAFrameIsLoggedAndReported) {
  auto a = Open("a");
  auto b = Open("b");
  ASSERT_TRUE(Put(*a, "shared", {{"a", Blob(9 * kMiB, 'a')}, {"n", Value::Int(1)}}).ok());
  ASSERT_TRUE(Put(*b, "shared", {{"b", Blob(9 * kMiB, 'b')}}).ok());
  ASSERT_TRUE(Syncs(*a));
  ASSERT_TRUE(Syncs(*b));
  ASSERT_EQ(server_->Terminate(), 0);
  std::string out;
  ASSERT_EQ(testing::RunOperator({"trim", "--data", data_, "--below", "3"}, &out), 0) << out;
  Restart();

  auto fresh = Open("fresh");
  Result<SyncReport> r = SyncOnce(*fresh, testing::SyncTo(server_->address()));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot send bootstrap-page: frame of"), std::string::npos)
      << r.status().ToString();
  std::string log = ServerLog();
  EXPECT_NE(log.find("message=bootstrap-page: invalid argument: frame of"), std::string::npos)
      << log;

  // b holds the merged object too: a commit may shrink it, even while it
  // stays over the limit, but not grow it. Back under the limit, everyone
  // can bootstrap.
  Result<Lsn> grow = Put(*b, "shared", {{"c", Value::Int(1)}});
  ASSERT_TRUE(grow.status().IsInvalidArgument()) << grow.status().ToString();
  for (const char* field : {"n", "a"}) {
    Transaction shrink = b->BeginTransaction();
    ASSERT_TRUE(shrink.EraseField("files", "shared", field).ok());
    Result<Lsn> shrunk = shrink.Commit();
    ASSERT_TRUE(shrunk.ok()) << field << ": " << shrunk.status().ToString();
  }
  ASSERT_TRUE(Syncs(*b));
  ASSERT_TRUE(Syncs(*fresh));
  EXPECT_EQ(testing::DumpClient(*fresh), testing::DumpClient(*b));
}

}  // namespace
}  // namespace journaldb
