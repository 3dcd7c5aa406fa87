// Upload lsn discipline against a real journal-server: uploads continue
// exactly from what the server holds of their client, and the last lsn is
// never stored. A client whose data went back behind what the server holds
// of it resets (tests/reset/client_rollback_test.cc).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "journaldb/database.h"
#include "journaldb/journal/codec.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::RawClient;
using wire::ErrorCode;

wire::UploadEntry Entry(Lsn lsn) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops.push_back(Operation::Upsert("c", "k" + std::to_string(lsn), {{"n", Value::Int(1)}}));
  return {lsn, codec::EncodeEntry(e), {}};
}

// Sends an upload on a greeted connection; the ack's highest lsn.
Result<Lsn> Upload(RawClient& c, uint64_t client, std::vector<wire::UploadEntry> entries) {
  if (Status s = c.Send(wire::Upload{client, std::move(entries)}); !s.ok()) return s;
  Result<wire::Message> m = c.Receive();
  if (!m.ok()) return m.status();
  if (auto* ack = std::get_if<wire::UploadAck>(&*m)) return ack->highest_lsn;
  return Status::FailedPrecondition("got " + std::string(wire::MessageName(*m)));
}

void Commit(Database& db, const std::string& key) {
  Transaction t = db.BeginTransaction();
  ASSERT_TRUE(t.Upsert("c", key, {{"n", Value::Int(1)}}).ok());
  ASSERT_TRUE(t.Commit().ok());
}

TEST(UploadLsn, GapAndLastLsnAreRefusedAndTheClientStillSyncs) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;

  RawClient first(server->address());
  Result<wire::HelloOk> hello = first.Hello();
  ASSERT_TRUE(hello.ok()) << hello.status().ToString();
  const uint64_t id = hello->client_id;
  const std::string secret = hello->client_secret;
  ASSERT_EQ(Upload(first, id, {Entry(1)}).value_or(0), 1u);
  // Lsn 3 after 1: a gap.
  ASSERT_TRUE(first.Send(wire::Upload{id, {Entry(3)}}).ok());
  EXPECT_TRUE(first.ExpectErrorThenClose(ErrorCode::kProtocolViolation));
  // The last lsn: its successor does not exist, so it is never stored, even
  // as a client's first.
  RawClient fresh(server->address());
  Result<wire::HelloOk> fresh_hello = fresh.Hello();
  ASSERT_TRUE(fresh_hello.ok());
  ASSERT_TRUE(fresh.Send(wire::Upload{fresh_hello->client_id, {Entry(~Lsn{0})}}).ok());
  EXPECT_TRUE(fresh.ExpectErrorThenClose(ErrorCode::kProtocolViolation));

  // The client goes on from its lsn 1, and a real client syncs beside it.
  RawClient again(server->address());
  Result<wire::HelloOk> resumed = again.Hello(id, "", secret);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->highest_stored_lsn, 1u);
  EXPECT_EQ(Upload(again, id, {Entry(1), Entry(2)}).value_or(0), 2u);
  auto db = Database::Open(dir.Sub("db"), {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Commit(**db, "mine");
  Result<SyncReport> r = SyncOnce(**db, testing::SyncTo(server->address()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->uploaded_entries, 1u);
  EXPECT_EQ(r->download_cursor, 3u);  // lsns 1 and 2 of the raw client, then its own
  EXPECT_TRUE((*db)->GetField("c", "k2", "n").ok());

  const std::string log = [&] {
    std::ifstream in(server->log_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }();
  EXPECT_NE(log.find("leaves a gap: the next lsn must be 2"), std::string::npos) << log;
  EXPECT_NE(log.find("beyond the highest usable lsn"), std::string::npos) << log;
}

}  // namespace
}  // namespace journaldb
