// Hostile and wrong input to a real journal-server: each gets an error
// message and the connection closes; other clients are unaffected and
// nothing stored is lost.
#include <gtest/gtest.h>

#include "journaldb/database.h"
#include "journaldb/journal/codec.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::RawClient;
using wire::ErrorCode;

std::string Entry(Lsn lsn) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops.push_back(Operation::Upsert("c", "k" + std::to_string(lsn), {{"n", Value::Int(1)}}));
  return codec::EncodeEntry(e);
}

std::string Prefix(uint32_t n) {
  return std::string{static_cast<char>(n & 0xFF), static_cast<char>((n >> 8) & 0xFF),
                     static_cast<char>((n >> 16) & 0xFF), static_cast<char>(n >> 24)};
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::ServerProcess::Start(dir_.Sub("server"), &error, 0, "s3cret");
    ASSERT_TRUE(server_) << error;
    // A well-behaved client syncs before; its connection stays open across
    // the bad input and it keeps working after.
    good_ = std::make_unique<RawClient>(server_->address());
    Result<wire::HelloOk> ok = good_->Hello(0, "s3cret");
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    good_id_ = ok->client_id;
    good_secret_ = ok->client_secret;
    Upload(*good_, good_id_, 1);
  }

  void Upload(RawClient& c, uint64_t client, Lsn lsn) {
    ASSERT_TRUE(c.Send(wire::Upload{client, {{lsn, Entry(lsn), {}}}}).ok());
    Result<wire::Message> m = c.Receive();
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_TRUE(std::holds_alternative<wire::UploadAck>(*m)) << wire::MessageName(*m);
    EXPECT_EQ(std::get<wire::UploadAck>(*m).highest_lsn, lsn);
  }

  // After the bad input: the open connection still works, and a new client
  // downloads everything stored before.
  void TearDown() override {
    if (!good_) return;
    Upload(*good_, good_id_, 2);
    RawClient fresh(server_->address());
    ASSERT_TRUE(fresh.Hello(0, "s3cret").ok());
    ASSERT_TRUE(fresh.Send(wire::DownloadRequest{0, 0}).ok());
    Result<wire::Message> m = fresh.Receive();
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    const auto& cs = std::get<wire::Changesets>(*m);
    ASSERT_EQ(cs.changesets.size(), 2u);
    EXPECT_EQ(cs.changesets[0].origin_lsn, 1u);
    EXPECT_EQ(cs.changesets[1].origin_lsn, 2u);
  }

  RawClient Greeted() {
    RawClient c(server_->address());
    EXPECT_TRUE(c.Hello(0, "s3cret").ok());
    return c;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<RawClient> good_;
  uint64_t good_id_ = 0;
  std::string good_secret_;
};

TEST_F(BadInput, MalformedFrameGetsBadFrame) {
  RawClient c(server_->address());
  std::string junk = "this is not a flatbuffer at all, not even close";
  ASSERT_TRUE(c.SendBytes(Prefix(static_cast<uint32_t>(junk.size())) + junk).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kBadFrame));
}

TEST_F(BadInput, MalformedFrameAfterHelloGetsBadFrame) {
  RawClient c = Greeted();
  std::string body = wire::EncodeMessage(wire::DownloadRequest{0, 0});
  body[body.size() - 6] ^= 0x7F;
  body.resize(body.size() - 2);
  ASSERT_TRUE(c.SendBytes(Prefix(static_cast<uint32_t>(body.size())) + body).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kBadFrame));
}

TEST_F(BadInput, TruncatedFrameGetsBadFrame) {
  RawClient c(server_->address());
  std::string body =
      wire::EncodeMessage(wire::Hello{wire::kProtocolVersion, "s3cret", 0, 0, 0, 0, "", "", ""});
  ASSERT_TRUE(c.SendBytes(Prefix(static_cast<uint32_t>(body.size())) + body.substr(0, 10)).ok());
  c.CloseWrite();  // the stream ends inside the frame
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kBadFrame));
}

TEST_F(BadInput, OversizedFrameIsRejectedBeforeItsBody) {
  RawClient c(server_->address());
  // Announce 2 GiB and send nothing more: the server must answer at once.
  ASSERT_TRUE(c.SendBytes(Prefix(0x80000000u)).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kBadFrame));
}

TEST_F(BadInput, WrongProtocolVersionGetsUnsupportedVersion) {
  RawClient c(server_->address());
  ASSERT_TRUE(c.Send(wire::Hello{99, "s3cret", 0, 0, 0, 0, "", "", ""}).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kUnsupportedVersion));
}

TEST_F(BadInput, WrongTokenGetsUnauthorized) {
  RawClient c(server_->address());
  ASSERT_TRUE(c.Send(wire::Hello{wire::kProtocolVersion, "guess", 0, 0, 0, 0, "", "", ""}).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kUnauthorized));
}

TEST_F(BadInput, WrongTokenFromTheEngineIsNotRetryable) {
  auto db = Database::Open(dir_.Sub("db"), {});
  ASSERT_TRUE(db.ok());
  Result<SyncReport> r = SyncOnce(**db, testing::SyncTo(server_->address(), "guess"));
  EXPECT_TRUE(r.status().IsFailedPrecondition()) << r.status().ToString();
  Result<SyncReport> ok = SyncOnce(**db, testing::SyncTo(server_->address(), "s3cret"));
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST_F(BadInput, UploadForAnotherClientGetsWrongClient) {
  RawClient c = Greeted();
  ASSERT_TRUE(c.Send(wire::Upload{good_id_, {{5, Entry(5), {}}}}).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kWrongClient));
}

TEST_F(BadInput, DownloadFromVersionNeverHadGetsBadCursor) {
  RawClient c = Greeted();
  ASSERT_TRUE(c.Send(wire::DownloadRequest{1000, 0}).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kBadCursor));
}

// The same epoch never goes back: a cursor beyond it means the server's
// data was rolled back in place, and the client must reset.
TEST_F(BadInput, HelloWithCursorBeyondHistoryGetsAServerRollbackReset) {
  RawClient c(server_->address());
  ASSERT_TRUE(c.Send(wire::Hello{wire::kProtocolVersion, "s3cret", good_id_, 0, 1000, 0,
                                 good_secret_, "", ""})
                  .ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kClientReset));
}

TEST_F(BadInput, HelloWithADownloadHashOfTheWrongSizeIsABadFrame) {
  RawClient c(server_->address());
  ASSERT_TRUE(c.Send(wire::Hello{wire::kProtocolVersion, "s3cret", good_id_, 0, 0, 0, good_secret_,
                                 std::string(31, 'h'), ""})
                  .ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kBadFrame));
}

TEST_F(BadInput, MessageBeforeHelloIsAProtocolViolation) {
  RawClient c(server_->address());
  ASSERT_TRUE(c.Send(wire::DownloadRequest{0, 0}).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kProtocolViolation));
}

TEST_F(BadInput, ServerOnlyMessageFromClientIsAProtocolViolation) {
  RawClient c = Greeted();
  ASSERT_TRUE(c.Send(wire::UploadAck{1, {}}).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kProtocolViolation));
}

TEST_F(BadInput, UnknownClientIdGetsClientReset) {
  RawClient c(server_->address());
  ASSERT_TRUE(
      c.Send(wire::Hello{wire::kProtocolVersion, "s3cret", 424242, 0, 0, 0, "", "", ""}).ok());
  EXPECT_TRUE(c.ExpectErrorThenClose(ErrorCode::kClientReset));
}

TEST_F(BadInput, ReuploadAfterLostAckIsStoredExactlyOnce) {
  RawClient c = Greeted();
  Result<wire::HelloOk> ok = c.Hello(0, "s3cret");  // a second hello is a violation
  EXPECT_FALSE(ok.ok());
  RawClient d(server_->address());
  Result<wire::HelloOk> hello = d.Hello(0, "s3cret");
  ASSERT_TRUE(hello.ok());
  // Send an upload and drop the connection without reading the ack.
  ASSERT_TRUE(d.Send(wire::Upload{hello->client_id, {{1, Entry(1), {}}}}).ok());
  d.CloseWrite();
  RawClient e(server_->address());
  Result<wire::HelloOk> again = e.Hello(hello->client_id, "s3cret", hello->client_secret);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_TRUE(e.Send(wire::Upload{hello->client_id, {{1, Entry(1), {}}, {2, Entry(2), {}}}}).ok());
  Result<wire::Message> m = e.Receive();
  ASSERT_TRUE(m.ok());
  const auto& ack = std::get<wire::UploadAck>(*m);
  EXPECT_EQ(ack.highest_lsn, 2u);
  ASSERT_EQ(ack.acks.size(), 2u);
  if (again->highest_stored_lsn == 1) {
    EXPECT_EQ(ack.acks[0].server_version, 2u);
  }
  ASSERT_TRUE(e.Send(wire::DownloadRequest{0, 0}).ok());
  Result<wire::Message> cs = e.Receive();
  ASSERT_TRUE(cs.ok());
  int from_d = 0;
  for (const auto& c2 : std::get<wire::Changesets>(*cs).changesets)
    from_d += c2.origin_client == hello->client_id;
  EXPECT_EQ(from_d, 2);  // lsn 1 once, lsn 2 once
  good_.reset();         // this test checks its own history
}

}  // namespace
}  // namespace journaldb
