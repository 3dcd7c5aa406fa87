#include "sync_helpers.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "journaldb/server/server_store.h"
#include "test_store.h"

namespace journaldb::testing {

StateDump DumpClient(const Database& db) {
  StateDump out;
  Result<std::vector<std::string>> collections = db.ListCollections();
  EXPECT_TRUE(collections.ok()) << collections.status().ToString();
  if (!collections.ok()) return out;
  for (const std::string& c : *collections) {
    ObjectIterator it = db.Scan(c);
    for (; it.Valid(); it.Next()) out[{c, it.object().key}] = it.object().fields;
    EXPECT_TRUE(it.status().ok()) << it.status().ToString();
  }
  return out;
}

StateDump DumpServer(const std::string& data_dir) { return DumpServer(TestStorage(data_dir)); }

StateDump DumpServer(const server::StorageLocation& location) {
  StateDump out;
  auto store = server::OpenStorage(location, false);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return out;
  Result<std::unique_ptr<server::StateSnapshot>> snap = (*store)->NewSnapshot();
  EXPECT_TRUE(snap.ok()) << snap.status().ToString();
  if (!snap.ok()) return out;
  std::vector<wire::StateObject> objects;
  for (wire::BootstrapPage page; !page.last;) {
    std::string after = objects.empty() ? std::string() : objects.back().key;
    page.objects.clear();
    Status s = (*snap)->ReadStatePage(after, size_t{1} << 40, &page);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) break;
    for (auto& o : page.objects) objects.push_back(std::move(o));
  }
  for (const wire::StateObject& o : objects) {
    auto parsed = layout::ParseStateKey(o.key);
    Result<FieldMap> fields = codec::DecodeObject(o.bytes, "server object");
    EXPECT_TRUE(parsed && fields.ok()) << fields.status().ToString();
    if (parsed && fields.ok())
      out[{std::string(parsed->first), std::string(parsed->second)}] = *fields;
  }
  return out;
}

std::vector<wire::Changeset> ServerHistory(const std::string& data_dir) {
  return ServerHistory(TestStorage(data_dir));
}

std::vector<wire::Changeset> ServerHistory(const server::StorageLocation& location) {
  std::vector<wire::Changeset> out;
  auto store = server::OpenStorage(location, false);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return out;
  uint64_t from = (*store)->horizon();
  while (from < (*store)->latest_version()) {
    std::vector<wire::Changeset> part;
    Status s = (*store)->ReadChangesets(from, size_t{64} << 20, &part);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || part.empty()) break;
    from = part.back().server_version;
    for (auto& c : part) out.push_back(std::move(c));
  }
  return out;
}

RawClient::RawClient(const std::string& address) {
  Result<sync::Socket> s = sync::Socket::Connect(address);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (s.ok()) socket_ = std::move(s).value();
  socket_.SetReceiveTimeout(30000);
}

std::optional<RawClient> RawClient::TryConnect(const std::string& address) {
  Result<sync::Socket> s = sync::Socket::Connect(address);
  if (!s.ok()) return std::nullopt;
  RawClient raw;
  raw.socket_ = std::move(s).value();
  raw.socket_.SetReceiveTimeout(30000);
  return raw;
}

void RawClient::CloseWrite() { ::shutdown(socket_.fd(), SHUT_WR); }

Result<wire::HelloOk> RawClient::Hello(uint64_t client_id, const std::string& token,
                                       const std::string& secret) {
  wire::Hello h;
  h.client_id = client_id;
  h.token = token;
  h.client_secret = secret;
  if (Status s = Send(h); !s.ok()) return s;
  Result<wire::Message> m = Receive();
  if (!m.ok()) return m.status();
  if (auto* ok = std::get_if<wire::HelloOk>(&*m)) return *ok;
  if (auto* e = std::get_if<wire::Error>(&*m))
    return Status::FailedPrecondition(std::string(wire::ErrorCodeName(e->code)) + ": " +
                                      e->message);
  return Status::FailedPrecondition("unexpected reply to hello");
}

::testing::AssertionResult RawClient::ExpectErrorThenClose(wire::ErrorCode code) {
  Result<wire::Message> m = Receive();
  if (!m.ok()) return ::testing::AssertionFailure() << "no reply: " << m.status().ToString();
  auto* e = std::get_if<wire::Error>(&*m);
  if (e == nullptr)
    return ::testing::AssertionFailure() << "expected an error, got " << wire::MessageName(*m);
  if (e->code != code)
    return ::testing::AssertionFailure()
           << "expected error " << wire::ErrorCodeName(code) << ", got "
           << wire::ErrorCodeName(e->code) << ": " << e->message;
  Result<std::string> next = socket_.ReadFrame();
  if (next.ok() || !next.status().IsIOError() ||
      next.status().message() != "connection closed by peer")
    return ::testing::AssertionFailure()
           << "expected the server to close, got " << next.status().ToString();
  return ::testing::AssertionSuccess() << e->message;
}

Result<SyncReport> SyncOnceRetrying(Database& db, const std::string& address) {
  Result<SyncReport> r = Status::IOError("not tried");
  for (int attempt = 0; attempt < 100 && !r.ok() && r.status().IsIOError(); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = SyncOnce(db, SyncTo(address));
  }
  return r;
}

}  // namespace journaldb::testing
