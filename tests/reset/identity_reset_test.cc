// Client identity through client resets, against a real journal-server: a
// reset registers the client file again and stores the new id's secret with
// it, and a client registered before servers issued secrets (no secret on
// either side) is reset as "unverifiable-client" without losing or doubling
// any write.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <optional>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/engine/sync/integrator.h"
#include "journaldb/journal/layout.h"
#include "reset_support.h"

namespace journaldb {
namespace {

using testing::DumpClient;

// Puts (or with nullopt deletes) `key` in column family `family` of the
// closed RocksDB database at `path`: what an older build left on disk.
void RewriteRaw(const std::string& path, const std::string& family, const std::string& key,
                const std::optional<std::string>& value) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok()) << path;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == family) handle = handles[i];
  ASSERT_NE(handle, nullptr) << family;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = value ? db->Put(wo, handle, key, *value) : db->Delete(wo, handle, key);
  EXPECT_TRUE(s.ok()) << s.ToString();
  for (rocksdb::ColumnFamilyHandle* h : handles) EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
}

class IdentityReset : public testing::ResetTest {
 protected:
  static sync::LocalCursors Stored(const Database& db) {
    Result<sync::LocalCursors> c = sync::Integrator::ReadCursors(db);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : sync::LocalCursors();
  }
  void ExpectSnapshot(const std::string& reason, uint64_t diverged) {
    std::vector<RecoverySnapshot> snaps = Snapshots("a");
    ASSERT_EQ(snaps.size(), 1u);
    EXPECT_EQ(snaps[0].manifest.reason, reason);
    EXPECT_EQ(snaps[0].manifest.diverged_entries, diverged);
  }
};

TEST_F(IdentityReset, AResetRegistersAgainAndStoresTheNewIdsSecret) {
  auto a = Open("a", RecoverUnsyncedChanges());
  uint64_t old_id = SyncedThenOffline(*a);
  const std::string old_secret = Stored(*a).client_secret;
  ASSERT_EQ(old_secret.size(), wire::kClientSecretBytes);
  ResetClient(old_id);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  sync::LocalCursors now = Stored(*a);
  EXPECT_NE(now.client_id, old_id);
  EXPECT_EQ(now.client_id, r->client_id);
  EXPECT_EQ(now.client_secret.size(), wire::kClientSecretBytes);
  EXPECT_NE(now.client_secret, old_secret);
  // The next hellos prove the new id with the stored secret, also after a
  // reopen. (The first uploads the replayed write.)
  Result<SyncReport> next = Sync(*a);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->client_id, now.client_id);
  Commit(*a, "after", 100);
  a.reset();
  a = Open("a", RecoverUnsyncedChanges());
  Result<SyncReport> again = Sync(*a);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->reset);
  EXPECT_EQ(again->client_id, now.client_id);
  EXPECT_EQ(again->uploaded_entries, 1u);
  EXPECT_EQ(Total(*a), 111);
}

// Migration: client "a" synced c/synced (+1) and holds c/offline (+10) only
// locally when both sides are upgraded. Its registry entry has no hash and
// its file no secret. It resets; the acknowledged +1 is the server's (not
// replayed, or the total would be 12) and the +10 is replayed.
TEST_F(IdentityReset, AClientRegisteredWithoutASecretResetsAndLosesNoWrite) {
  auto a = Open("a", RecoverUnsyncedChanges());
  uint64_t old_id = SyncedThenOffline(*a);
  a.reset();
  StopServer();
  // highest lsn 1, not reset, no hash: the record an older server wrote.
  RewriteRaw(data_, "clients", layout::EncodeU64(old_id),
             layout::EncodeU64(1) + layout::EncodeU64(0));
  RewriteRaw(DbPath("a"), layout::kMetaFamily, layout::kMetaClientSecret, std::nullopt);
  StartServer();

  a = Open("a", RecoverUnsyncedChanges());
  ASSERT_TRUE(Stored(*a).client_secret.empty());
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_NE(r->client_id, old_id);
  EXPECT_EQ(Stored(*a).client_secret.size(), wire::kClientSecretBytes);
  EXPECT_EQ(Total(*a), 11);
  EXPECT_TRUE(a->Get("c", "offline").ok());
  ExpectSnapshot("unverifiable-client", 1);
  auto b = Open("b");
  ASSERT_TRUE(Sync(*a).ok());
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(DumpClient(*a), DumpClient(*b));
  EXPECT_EQ(Total(*b), 11);
  ExpectVerifies(*a);
}

// The same registry entry met by a hello that carries some secret (one a
// token holder made up): still the reset, never an admission.
TEST_F(IdentityReset, AnIdWithoutAStoredHashAdmitsNoHelloWhateverItsSecret) {
  auto a = Open("a");
  uint64_t old_id = SyncedThenOffline(*a);
  const std::string secret = Stored(*a).client_secret;
  a.reset();
  StopServer();
  RewriteRaw(data_, "clients", layout::EncodeU64(old_id),
             layout::EncodeU64(1) + layout::EncodeU64(0));
  StartServer();
  for (const std::string& s : {std::string(), secret}) {
    testing::RawClient raw(ServerAddress());
    ASSERT_TRUE(raw.Send(wire::Hello{wire::kProtocolVersion, "", old_id, 0, 0, 0, s, "", ""}).ok());
    Result<wire::Message> m = raw.Receive();
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    const wire::Error* e = std::get_if<wire::Error>(&*m);
    ASSERT_NE(e, nullptr) << wire::MessageName(*m);
    EXPECT_EQ(e->code, wire::ErrorCode::kClientReset);
    EXPECT_EQ(e->reset_reason, wire::ResetReason::kUnverifiableClient);
  }
}

}  // namespace
}  // namespace journaldb
