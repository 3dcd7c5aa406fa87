// Allocation failures in the server and in a client's sync session
// (std::bad_alloc): the work they were for fails, and only it; the process
// goes on. The server runs in process, over loopback TCP, in a binary whose
// global operator new a test can make fail (support/failing_allocator.h):
// once, for the first allocation of at least a given size after it is
// armed, on a server thread (sizes no other thread of an idle server asks
// for, so the failure lands where the test points it) or on the session's;
// or, on the test's own thread, each allocation of one size in turn.
// After each failure the test checks that what the work held was given back
// (a connection's place, its share of the budget for frames in flight, a
// reply cache entry) and that a real client syncs.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/server/admin.h"
#include "journaldb/server/server.h"
#include "journaldb/sync.h"
#include "support/db_checks.h"
#include "support/failing_allocator.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::RawClient;
using wire::ErrorCode;

// The first allocation of at least `at_least` bytes on a server thread
// fails (the test's own thread runs its clients).
void FailOnce(size_t at_least) {
  testing::FailNextAllocation(at_least, testing::FailingThreads::kOthers);
}

class AllocationFailure : public ::testing::Test {
 protected:
  void SetUp() override { testing::ResetAllocationFailures(); }
  void TearDown() override { testing::DisarmAllocationFailure(); }

  void Start(server::ServerOptions o) {
    o.data_dir = dir_.Sub("server");
    ASSERT_TRUE(server::Init({o.data_dir, ""}).ok());
    o.log = &log_;
    auto s = server::Server::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    address_ = "127.0.0.1:" + std::to_string(server_->port());
  }
  // The log, once the server has stopped (it writes from its threads).
  std::string StopAndReadLog() {
    server_.reset();
    return log_.str();
  }
  // A greeted raw client, retried for a while: the connection a failure
  // closed gives its place back just after the close.
  std::optional<RawClient> GreetedClient() {
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::optional<RawClient> c = RawClient::TryConnect(address_);
      if (c && c->Hello().ok()) return c;
    }
    return std::nullopt;
  }
  std::unique_ptr<Database> Open(const std::string& name) {
    auto db = Database::Open(dir_.Sub(name), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  testing::TempDir dir_;
  std::ostringstream log_;
  std::unique_ptr<server::Server> server_;
  std::string address_;
};

// A frame whose buffer cannot be allocated: its connection closes (no reply:
// none could be built either), and its place and its share of the budget
// for frames in flight come back. With one connection allowed and a budget
// of 18 MiB, a leaked place would refuse every later connection, and the
// 4 MiB the failed frame had been charged would leave no room for a later
// 16 MiB frame, which must instead be read whole (and refused as the
// garbage it is).
TEST_F(AllocationFailure, AFrameThatCannotBeAllocatedClosesItsConnectionAndGivesBackWhatItHeld) {
  server::ServerOptions o;
  o.max_connections = 1;
  o.max_inflight_frame_bytes = 18u << 20;
  Start(o);

  std::optional<RawClient> failing = GreetedClient();
  ASSERT_TRUE(failing);
  FailOnce(4u << 20);  // the frame's buffer, as it doubles to 4 MiB
  // The server closes mid-frame: the send may fail with a reset.
  failing->SendBytes(sync::EncodeFrame(std::string(8u << 20, 'x'))).IgnoreError();
  Result<wire::Message> m = failing->Receive();
  EXPECT_FALSE(m.ok()) << "the connection must close without a reply, got "
                       << (m.ok() ? wire::MessageName(*m) : "");
  ASSERT_EQ(testing::AllocationFailures(), 1) << "the frame's allocation did not fail";
  failing.reset();

  std::optional<RawClient> next = GreetedClient();
  ASSERT_TRUE(next) << "the failed connection's place was not given back";
  next->SendBytes(sync::EncodeFrame(std::string(wire::kMaxFrameBytes, 'y'))).IgnoreError();
  EXPECT_TRUE(next->ExpectErrorThenClose(ErrorCode::kBadFrame))
      << "a frame the budget has room for was not read whole";
  next.reset();

  auto db = Open("client");
  ASSERT_TRUE(db);
  Transaction t = db->BeginTransaction();
  ASSERT_TRUE(t.Upsert("c", "k", {{"n", Value::Int(1)}}).ok());
  ASSERT_TRUE(t.Commit().ok());
  Result<SyncReport> r = testing::SyncOnceRetrying(*db, address_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->uploaded_entries, 1u);

  const std::string log = StopAndReadLog();
  EXPECT_NE(log.find("(failed: std::bad_alloc)"), std::string::npos) << log;
}

// A changesets reply that cannot be built fails its requester only, with a
// retryable server error, and is not kept: the next request for the same
// versions is built again and served.
TEST_F(AllocationFailure, AReplyThatCannotBeBuiltFailsOnlyItsRequesterAndIsBuiltAgain) {
  server::ServerOptions o;
  o.max_changeset_bytes = 8u << 20;  // one reply holds the whole history
  Start(o);
  // Six versions of about 700 KiB each: every allocation while storing or
  // reading one stays under 1 MiB, the reply's encoding passes 4 MiB.
  auto writer = Open("writer");
  ASSERT_TRUE(writer);
  for (int i = 0; i < 6; ++i) {
    Transaction t = writer->BeginTransaction();
    ASSERT_TRUE(
        t.Upsert("big", std::to_string(i), {{"pad", Value::String(std::string(700 << 10, 'p'))}})
            .ok());
    ASSERT_TRUE(t.Commit().ok());
    Result<SyncReport> r = testing::SyncOnceRetrying(*writer, address_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  std::optional<RawClient> failing = GreetedClient();
  ASSERT_TRUE(failing);
  FailOnce(4u << 20);
  wire::DownloadRequest request;
  request.from_version = 0;
  ASSERT_TRUE(failing->Send(request).ok());
  EXPECT_TRUE(failing->ExpectErrorThenClose(ErrorCode::kServerError));
  ASSERT_EQ(testing::AllocationFailures(), 1) << "the reply's allocation did not fail";
  failing.reset();

  auto reader = Open("reader");
  ASSERT_TRUE(reader);
  Result<SyncReport> r = testing::SyncOnceRetrying(*reader, address_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int i = 0; i < 6; ++i) {
    Result<Object> got = reader->Get("big", std::to_string(i));
    EXPECT_TRUE(got.ok()) << i << ": " << got.status().ToString();
  }
  const std::string log = StopAndReadLog();
  EXPECT_NE(log.find("bad_alloc"), std::string::npos) << log;
}

// An upload group that cannot be stored is not acknowledged: its client is
// told to retry, uploads again, and the server keeps the transaction once.
TEST_F(AllocationFailure, AnUploadThatCannotBeStoredIsNotAcknowledgedAndIsStoredOnceWhenRetried) {
  Start(server::ServerOptions{});
  auto writer = Open("writer");
  ASSERT_TRUE(writer);
  // A 3 MiB object: its frame stays under 4 MiB, while the group commit's
  // write of its changeset and its state passes 4 MiB.
  Transaction t = writer->BeginTransaction();
  ASSERT_TRUE(t.Upsert("big", "k", {{"pad", Value::String(std::string(3u << 20, 'p'))}}).ok());
  ASSERT_TRUE(t.Commit().ok());

  FailOnce(4u << 20);
  Result<SyncReport> failed = SyncOnce(*writer, testing::SyncTo(address_));
  EXPECT_FALSE(failed.ok()) << "an upload the server could not store was acknowledged";
  ASSERT_EQ(testing::AllocationFailures(), 1) << "the group commit's allocation did not fail";

  Result<SyncReport> r = testing::SyncOnceRetrying(*writer, address_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->uploaded_entries, 1u);
  auto reader = Open("reader");
  ASSERT_TRUE(reader);
  ASSERT_TRUE(testing::SyncOnceRetrying(*reader, address_).ok());
  Result<Object> got = reader->Get("big", "k");
  EXPECT_TRUE(got.ok()) << got.status().ToString();

  // The failure was the group commit's (a failure reading the frame would
  // have closed the connection instead).
  EXPECT_NE(failed.status().message().find("cannot store the upload: std::bad_alloc"),
            std::string::npos)
      << failed.status().ToString();
  StopAndReadLog();
  EXPECT_EQ(testing::ServerHistory(dir_.Sub("server")).size(), 1u)
      << "the retried upload was stored twice, or not at all";
}

// A round of a client's sync session that cannot allocate (the download
// of a 3 MiB object, on the session's own thread) ends with an error the
// session reports, and the session retries and converges. Before, the
// exception left the session's thread and ended the process.
TEST_F(AllocationFailure, ASyncSessionRoundThatCannotAllocateIsReportedAndRetried) {
  Start(server::ServerOptions{});
  auto writer = Open("writer");
  ASSERT_TRUE(writer);
  // Declared before the reader: its session calls the listener until closed.
  std::mutex mu;
  bool armed = false;
  std::vector<std::string> errors;
  Options o;
  o.sync.server = address_;
  o.sync.min_backoff_ms = 10;
  auto opened = Database::Open(dir_.Sub("reader"), o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Database> reader = std::move(opened).value();
  SyncSession* session = reader->sync_session();
  ASSERT_TRUE(session->wait_for_download(std::chrono::seconds(30)).ok());

  // Paused, so that the listener sees the next connection from its start:
  // it arms the failure on the session's thread as the session reconnects.
  session->Pause();
  session->AddListener([&](SyncState state, const Status& error) {
    std::lock_guard<std::mutex> lock(mu);
    if (!error.ok()) errors.push_back(error.ToString());
    if (state == SyncState::kConnecting && !armed) {
      armed = true;
      testing::FailNextAllocation(2u << 20, testing::FailingThreads::kThisOne);
    }
  });
  Transaction t = writer->BeginTransaction();
  ASSERT_TRUE(t.Upsert("big", "k", {{"pad", Value::String(std::string(3u << 20, 'p'))}}).ok());
  ASSERT_TRUE(t.Commit().ok());
  ASSERT_TRUE(testing::SyncOnceRetrying(*writer, address_).ok());
  session->Resume();

  Status downloaded = session->wait_for_download(std::chrono::seconds(30));
  EXPECT_TRUE(downloaded.ok()) << downloaded.ToString();
  Result<Object> got = reader->Get("big", "k");
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(testing::AllocationFailures(), 1) << "the session's allocation did not fail";
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_FALSE(errors.empty()) << "the failed round was not reported";
  EXPECT_NE(errors.front().find("std::bad_alloc"), std::string::npos) << errors.front();
}

// A download is integrated while commits are held (RunWithCommitsHeld).
// Each allocation of the downloaded value's size that a sync on the test's
// thread makes, failed in turn, one per sync: the sync throws, a local commit
// goes through at once, and once no allocation of that size is left to
// fail the object arrives whole. Before, an exception inside the held
// section left its barrier up, and every later commit waited for good.
TEST_F(AllocationFailure, EachFailedAllocationOfADownloadLeavesCommitsRunning) {
  Start(server::ServerOptions{});
  auto reader = Open("reader");
  ASSERT_TRUE(reader);
  ASSERT_TRUE(testing::SyncOnceRetrying(*reader, address_).ok());  // registered
  constexpr size_t kValueBytes = 3u << 19;  // no other allocation of its size + 1
  auto writer = Open("writer");
  ASSERT_TRUE(writer);
  Transaction t = writer->BeginTransaction();
  ASSERT_TRUE(t.Upsert("big", "k", {{"pad", Value::String(std::string(kValueBytes, 'd'))}}).ok());
  ASSERT_TRUE(t.Commit().ok());
  ASSERT_TRUE(testing::SyncOnceRetrying(*writer, address_).ok());

  int failed = 0;
  for (int skip = 0;; ++skip) {
    ASSERT_LT(skip, 64) << "the sync kept allocating";
    testing::ResetAllocationFailures();
    testing::FailAllocationOfSize(kValueBytes + 1, skip, testing::FailingThreads::kThisOne);
    std::optional<Result<SyncReport>> synced;
    try {
      synced = SyncOnce(*reader, testing::SyncTo(address_));
    } catch (const std::bad_alloc&) {
    }
    testing::DisarmAllocationFailure();
    const bool allocation_failed = testing::AllocationFailures() > 0;
    if (allocation_failed) {
      ++failed;
      EXPECT_FALSE(synced) << "SyncOnce did not throw the failure " << skip << " to its caller";
    }
    std::future<Status> commit = std::async(std::launch::async, [&] {
      Transaction local = reader->BeginTransaction();
      if (Status s = local.Upsert("local", std::to_string(skip), {{"n", Value::Int(skip)}});
          !s.ok())
        return s;
      return local.Commit().status();
    });
    if (commit.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      // The commit waits for good; end here rather than in its join.
      std::fprintf(stderr, "after failing allocation %d a commit waited for good\n", skip);
      std::abort();
    }
    Status committed = commit.get();
    ASSERT_TRUE(committed.ok()) << committed.ToString();
    if (!allocation_failed) {
      ASSERT_TRUE(synced);
      ASSERT_TRUE(synced->ok()) << synced->status().ToString();
      break;
    }
  }
  // The value decoded from the changeset, then inside the held section the
  // object's copy as it is applied, and as it is stored.
  EXPECT_GE(failed, 3);
  Result<Object> got = reader->Get("big", "k");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->Find("pad")->as_string(), std::string(kValueBytes, 'd'));
  EXPECT_EQ(testing::VerifyProblems(*reader), "");
}

}  // namespace
}  // namespace journaldb
