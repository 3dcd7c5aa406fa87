// Client identity against a real journal-server: the secret issued at
// registration proves a client id in every later hello; a hello naming
// another client's id without its secret is refused (bad-client-secret)
// and changes nothing of the victim's; the secret survives restarts of both
// sides; the server stores only its hash, and the journal CLI never prints it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <iterator>

#include "journaldb/database.h"
#include "journaldb/engine/sync/integrator.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "journaldb/server/client_secret.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/child_process.h"
#include "support/raw_rocks.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"
#include "test_store.h"

namespace journaldb {
namespace {

using testing::RawClient;
using wire::ErrorCode;

constexpr char kToken[] = "tok";

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved
};

std::string Entry(Lsn lsn) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops.push_back(Operation::Upsert("c", "forged", {{"n", Value::Int(666)}}));
  return codec::EncodeEntry(e);
}

std::string Hex(std::string_view bytes, bool upper = false) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  return out;  // the whole groups suffice to find an encoded secret
}

// Every way the secret could appear in a file or in printed text.
std::vector<std::string> Spellings(const std::string& secret) {
  return {secret, Hex(secret), Hex(secret, /*upper=*/true), Base64(secret)};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The files at `path` (a file, or a directory searched recursively) holding
// `needle`.
std::vector<std::string> FilesContaining(const std::string& path, std::string_view needle) {
  namespace fs = boost::filesystem;
  std::vector<std::string> files, found;
  if (fs::is_regular_file(path)) {
    files.push_back(path);
  } else {
    for (fs::recursive_directory_iterator it(path), end; it != end; ++it)
      if (fs::is_regular_file(it->path())) files.push_back(it->path().string());
  }
  for (const std::string& file : files)
    if (ReadFile(file).find(needle) != std::string::npos) found.push_back(file);
  return found;
}

class Identity : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("server");
    std::string error;
    server_ = testing::ServerProcess::Start(data_, &error, 0, kToken);
    ASSERT_TRUE(server_) << error;
  }

  std::unique_ptr<Database> Open(const std::string& name) {
    auto db = Database::Open(dir_.Sub(name), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  Result<SyncReport> Sync(Database& db) {
    return SyncOnce(db, testing::SyncTo(server_->address(), kToken));
  }

  static void Put(Database& db, const std::string& key, int64_t n) {
    Transaction t = db.BeginTransaction();
    ASSERT_TRUE(t.Upsert("c", key, {{"n", Value::Int(n)}}).ok());
    ASSERT_TRUE(t.Commit().ok());
  }

  static sync::LocalCursors Stored(const Database& db) {
    Result<sync::LocalCursors> c = sync::Integrator::ReadCursors(db);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : sync::LocalCursors();
  }

  CliRun Journal(std::vector<std::string> args) {
    args.insert(args.begin(), JOURNAL_CLI_PATH);
    testing::SpawnOptions options;
    options.merge_stderr = true;
    testing::ProcessResult r = testing::RunProcess(args, options);
    return {r.exit_code, r.out};
  }

  // The id and secret stored in database `name`, which is closed again (a
  // `journal` process is to open it next).
  std::pair<uint64_t, std::string> IdentityOf(const std::string& name) {
    auto db = Open(name);
    if (!db) return {};
    sync::LocalCursors c = Stored(*db);
    return {c.client_id, c.client_secret};
  }

  testing::TempDir dir_;
  std::string data_;
  std::unique_ptr<testing::ServerProcess> server_;
};

TEST_F(Identity, RegistrationStoresA32ByteSecretWithTheId) {
  auto db = Open("a");
  Put(*db, "k", 1);
  Result<SyncReport> r = Sync(*db);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  sync::LocalCursors c = Stored(*db);
  EXPECT_EQ(c.client_id, r->client_id);
  EXPECT_NE(c.client_id, 0u);
  EXPECT_EQ(c.client_secret.size(), wire::kClientSecretBytes);
  // Another client file gets another secret.
  auto other = Open("b");
  ASSERT_TRUE(Sync(*other).ok());
  EXPECT_NE(Stored(*other).client_secret, c.client_secret);
}

// A client file draws its registration secret when it is created, and the
// server registers it with that secret (so a copy that never synced is the
// same client: docs/client-reset.md). A file from before the secret existed
// draws one when it is opened.
TEST_F(Identity, ARegistrationIsMadeWithTheSecretTheFileDrewAtCreationOrWhenOpened) {
  auto a = Open("a");
  Result<std::string> drawn = sync::Integrator(*a).RegistrationSecret();
  ASSERT_TRUE(drawn.ok()) << drawn.status().ToString();
  EXPECT_EQ(drawn->size(), wire::kClientSecretBytes);
  EXPECT_EQ(*sync::Integrator(*a).RegistrationSecret(), *drawn);  // drawn once
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Stored(*a).client_secret, *drawn);

  auto old = Open("old");
  old.reset();
  {
    std::string error;
    auto raw = testing::RawRocks::Open(dir_.Sub("old"), &error);
    ASSERT_NE(raw, nullptr) << error;
    ASSERT_TRUE(raw->Delete(layout::kMetaFamily, layout::kMetaRegistrationSecret).ok());
  }
  old = Open("old");
  old.reset();
  {
    std::string error;
    auto raw = testing::RawRocks::Open(dir_.Sub("old"), &error);
    ASSERT_NE(raw, nullptr) << error;
    std::optional<std::string> reopened =
        raw->Get(layout::kMetaFamily, layout::kMetaRegistrationSecret);
    ASSERT_TRUE(reopened.has_value());  // drawn by the open, before any hello
    EXPECT_EQ(reopened->size(), wire::kClientSecretBytes);
  }
  old = Open("old");
  ASSERT_TRUE(Sync(*old).ok());
  const std::string secret = Stored(*old).client_secret;
  EXPECT_EQ(secret.size(), wire::kClientSecretBytes);
  EXPECT_EQ(*sync::Integrator(*old).RegistrationSecret(), secret);
  EXPECT_NE(secret, *drawn);
}

// `journal new-identity` draws a database that never synced a new
// registration secret, and refuses one that has a client id.
TEST_F(Identity, NewIdentityDrawsANewSecretBeforeTheFirstSyncAndRefusesASyncedDatabase) {
  const std::string a = dir_.Sub("a");
  ASSERT_EQ(Journal({"put", a, "c", "k1", "n=1"}).exit_code, 0);
  auto secret_of = [&] {
    auto db = Open("a");
    Result<std::string> s = sync::Integrator(*db).RegistrationSecret();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : std::string();
  };
  const std::string before = secret_of();
  {
    Options read_only;
    read_only.read_only = true;
    auto db = Database::Open(a, read_only);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status s = DrawNewRegistrationSecret(**db);
    EXPECT_TRUE(s.IsFailedPrecondition()) << s.ToString();
    EXPECT_NE(s.message().find("open read-only"), std::string::npos) << s.ToString();
  }
  CliRun drawn = Journal({"new-identity", a});
  EXPECT_EQ(drawn.exit_code, 0) << drawn.out;
  EXPECT_NE(drawn.out.find("drew a new registration secret"), std::string::npos) << drawn.out;
  const std::string after = secret_of();
  EXPECT_EQ(after.size(), wire::kClientSecretBytes);
  EXPECT_NE(after, before);
  for (const std::string& spelling : Spellings(after))
    EXPECT_EQ(drawn.out.find(spelling), std::string::npos);  // never printed

  ASSERT_EQ(Journal({"sync", a, "--server", server_->address(), "--token", kToken}).exit_code, 0);
  const auto [id, secret] = IdentityOf("a");
  EXPECT_EQ(secret, after);
  CliRun refused = Journal({"new-identity", a});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find(fmt::format("is client {} of its server", id)), std::string::npos)
      << refused.out;
  EXPECT_EQ(IdentityOf("a").second, secret);
}

// The client's half of registration: an id is stored only together with a
// secret of the issued size, in one batch; a later answer naming the same
// id never replaces the secret.
TEST_F(Identity, AnIdIsAdoptedOnlyWithItsSecretAndKeepsIt) {
  auto db = Open("a");
  sync::Integrator integrator(*db);
  for (const std::string& secret :
       {std::string(), std::string(wire::kClientSecretBytes - 1, 's')}) {
    Status s = integrator.AdoptIdentity(7, 99, secret);
    EXPECT_TRUE(s.IsFailedPrecondition()) << s.ToString();
    EXPECT_EQ(Stored(*db).client_id, 0u);
    EXPECT_EQ(Stored(*db).epoch, 0u);
    EXPECT_TRUE(Stored(*db).client_secret.empty());
  }
  const std::string secret(wire::kClientSecretBytes, 's');
  ASSERT_TRUE(integrator.AdoptIdentity(7, 99, secret).ok());
  EXPECT_EQ(Stored(*db).client_id, 7u);
  EXPECT_EQ(Stored(*db).epoch, 99u);
  EXPECT_EQ(Stored(*db).client_secret, secret);
  ASSERT_TRUE(integrator.AdoptIdentity(7, 100, std::string(wire::kClientSecretBytes, 't')).ok());
  EXPECT_EQ(Stored(*db).epoch, 100u);
  EXPECT_EQ(Stored(*db).client_secret, secret);
}

// The attack of issue 10: a token holder says hello as client 1 and uploads
// "its" next lsn. Each hello is refused before anything of the victim's is
// told or touched, and the victim's own next write is the one that counts.
TEST_F(Identity, AHelloAsAnotherClientWithoutItsSecretIsRefusedAndTheVictimKeepsSyncing) {
  auto victim = Open("victim");
  Put(*victim, "k1", 1);
  ASSERT_TRUE(Sync(*victim).ok());
  const sync::LocalCursors v = Stored(*victim);
  ASSERT_NE(v.client_id, 0u);

  std::string flipped = v.client_secret;
  flipped[7] ^= 0x01;
  auto attacker_db = Open("attacker");
  ASSERT_TRUE(Sync(*attacker_db).ok());
  const std::string attackers_own = Stored(*attacker_db).client_secret;
  for (const std::string& secret : {std::string(), std::string(wire::kClientSecretBytes, '\0'),
                                    flipped, attackers_own, Hex(v.client_secret)}) {
    RawClient attacker(server_->address());
    // The victim's own cursors, so nothing but the secret is wrong.
    ASSERT_TRUE(attacker
                    .Send(wire::Hello{wire::kProtocolVersion, kToken, v.client_id, v.epoch,
                                      v.download_cursor, v.upload_cursor, secret, "", ""})
                    .ok());
    // What the forged client would send next; never read by the server.
    attacker.Send(wire::Upload{v.client_id, {{2, Entry(2), {}}}}).IgnoreError();
    EXPECT_TRUE(attacker.ExpectErrorThenClose(ErrorCode::kBadClientSecret))
        << "secret of " << secret.size() << " bytes";
  }
  std::string log = ReadFile(server_->log_path());
  EXPECT_NE(log.find("code=bad-client-secret"), std::string::npos) << log;
  EXPECT_NE(log.find(fmt::format("does not prove client {}", v.client_id)), std::string::npos)
      << log;

  // The victim's lsn 2 is uploaded (not taken for a re-upload of a forged
  // one), and every client downloads the victim's values.
  Put(*victim, "k2", 2);
  Result<SyncReport> r = Sync(*victim);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->uploaded_entries, 1u);
  EXPECT_EQ(r->client_id, v.client_id);
  auto reader = Open("reader");
  ASSERT_TRUE(Sync(*reader).ok());
  EXPECT_EQ(testing::DumpClient(*reader), testing::DumpClient(*victim));
  EXPECT_EQ(*reader->GetField("c", "k2", "n"), Value::Int(2));

  // With its secret the raw hello is the victim's: admitted, told its lsn.
  RawClient real(server_->address());
  Result<wire::HelloOk> ok = real.Hello(v.client_id, kToken, v.client_secret);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->highest_stored_lsn, 2u);
  EXPECT_TRUE(ok->client_secret.empty());  // issued once, at registration
}

TEST_F(Identity, AClientReopensAndSyncsWithItsStoredSecretAcrossRestartsOfBoth) {
  const std::string a = dir_.Sub("a");
  // Every client step is its own `journal` process.
  ASSERT_EQ(Journal({"put", a, "c", "k1", "n=1"}).exit_code, 0);
  CliRun first = Journal({"sync", a, "--server", server_->address(), "--token", kToken});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  const auto [id, secret] = IdentityOf("a");
  ASSERT_EQ(secret.size(), wire::kClientSecretBytes);

  ASSERT_EQ(server_->Terminate(), 0);
  std::string error;
  server_ = testing::ServerProcess::Restart(data_, &error, server_->port(), kToken);
  ASSERT_TRUE(server_) << error;

  ASSERT_EQ(Journal({"put", a, "c", "k2", "n=2"}).exit_code, 0);
  CliRun again = Journal({"sync", a, "--server", server_->address(), "--token", kToken});
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("uploaded 1 entries"), std::string::npos) << again.out;
  auto db = Open("a");
  EXPECT_EQ(Stored(*db).client_id, id);
  EXPECT_EQ(Stored(*db).client_secret, secret);
  EXPECT_EQ(db->Info()->client_id, id);
}

TEST_F(Identity, TheServerKeepsOnlyTheSecretsHash) {
  auto db = Open("a");
  Put(*db, "k", 1);
  ASSERT_TRUE(Sync(*db).ok());
  const std::string secret = Stored(*db).client_secret;
  ASSERT_EQ(secret.size(), wire::kClientSecretBytes);
  db.reset();
  ASSERT_EQ(server_->Terminate(), 0);

  // The search looks where the registry is (a dump of a PostgreSQL store
  // spells bytes in hex): the hash is found there, and the secret is found
  // in the client's files.
  const std::string stored = testing::SearchableStore(data_, dir_.Sub("server.sql"));
  server::SecretHash hash = server::HashClientSecret(secret);
  const std::string_view hash_bytes(reinterpret_cast<const char*>(hash.data()), hash.size());
  EXPECT_FALSE(FilesContaining(stored, testing::TestStoreIsPostgres() ? Hex(hash_bytes)
                                                                      : std::string(hash_bytes))
                   .empty());
  EXPECT_FALSE(FilesContaining(dir_.Sub("a"), secret).empty());
  for (const std::string& spelling : Spellings(secret)) {
    EXPECT_EQ(FilesContaining(stored, spelling), std::vector<std::string>());
    EXPECT_EQ(ReadFile(server_->log_path()).find(spelling), std::string::npos);
  }
}

TEST_F(Identity, TheJournalCliNeverPrintsTheSecret) {
  const std::string a = dir_.Sub("a");
  ASSERT_EQ(Journal({"put", a, "c", "k1", "n=1"}).exit_code, 0);
  std::vector<CliRun> runs;
  runs.push_back(Journal({"sync", a, "--server", server_->address(), "--token", kToken}));
  runs.push_back(Journal({"sync", a, "--server", server_->address(), "--token", kToken, "--json"}));
  const auto [id, secret] = IdentityOf("a");
  ASSERT_EQ(secret.size(), wire::kClientSecretBytes);
  for (std::vector<std::string> args : {std::vector<std::string>{"status", a},
                                        {"status", a, "--json"},
                                        {"info", a},
                                        {"info", a, "--json"},
                                        {"log", a, "--json"},
                                        {"verify", a}}) {
    runs.push_back(Journal(args));
  }
  for (const CliRun& run : runs) {
    EXPECT_EQ(run.exit_code, 0) << run.out;
    for (const std::string& spelling : Spellings(secret))
      EXPECT_EQ(run.out.find(spelling), std::string::npos) << run.out;
  }
  // What they do show: the id.
  EXPECT_NE(runs[2].out.find(std::to_string(id)), std::string::npos) << runs[2].out;
}

}  // namespace
}  // namespace journaldb
