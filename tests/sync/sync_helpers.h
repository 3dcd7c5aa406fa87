// Helpers shared by the sync tests: whole-database dumps to compare client
// and server state, and a raw protocol client for hostile input.
#ifndef JOURNALDB_TESTS_SYNC_SYNC_HELPERS_H_
#define JOURNALDB_TESTS_SYNC_SYNC_HELPERS_H_

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/options.h"
#include "journaldb/protocol/socket.h"
#include "journaldb/protocol/wire_codec.h"
#include "journaldb/server/server_storage.h"
#include "journaldb/sync.h"

namespace journaldb::testing {

// (collection, key) -> fields.
using StateDump = std::map<std::pair<std::string, std::string>, FieldMap>;

// Every object of a client database. Fails the test on read errors.
StateDump DumpClient(const Database& db);
// Every object of a stopped server's data directory, or of a PostgreSQL
// store (served or not).
StateDump DumpServer(const std::string& data_dir);
StateDump DumpServer(const server::StorageLocation& location);
// The full history of a stopped server's data directory, or of a
// PostgreSQL store.
std::vector<wire::Changeset> ServerHistory(const std::string& data_dir);
std::vector<wire::Changeset> ServerHistory(const server::StorageLocation& location);

// Options for syncing with the server at `address`.
// SyncOnce, tried again every 100 ms (up to 100 times) while it fails with an
// I/O error: a server that just closed a connection may still be giving its
// place back.
Result<SyncReport> SyncOnceRetrying(Database& db, const std::string& address);

inline SyncOptions SyncTo(std::string address, std::string token = "") {
  SyncOptions o;
  o.server = std::move(address);
  o.token = std::move(token);
  return o;
}

// A protocol client that sends exactly what a test tells it to.
class RawClient {
 public:
  explicit RawClient(const std::string& address);  // a failed connect fails the test
  // For a server that may be gone (killed on purpose): nullopt if the
  // connect failed.
  static std::optional<RawClient> TryConnect(const std::string& address);
  bool connected() const { return socket_.valid(); }
  int fd() const { return socket_.fd(); }
  Status Send(const wire::Message& m) { return sync::SendMessage(socket_, m); }
  Status SendBytes(std::string_view bytes) { return socket_.WriteAll(bytes); }
  void CloseWrite();
  Result<wire::Message> Receive() { return sync::ReceiveMessage(socket_); }
  // A hello as client `client_id` (0: new) proving it with `secret`;
  // returns the server's hello-ok.
  Result<wire::HelloOk> Hello(uint64_t client_id = 0, const std::string& token = "",
                              const std::string& secret = "");
  // Receives one message and expects an error with `code` followed by the
  // server closing the connection.
  ::testing::AssertionResult ExpectErrorThenClose(wire::ErrorCode code);

 private:
  RawClient() = default;
  sync::Socket socket_;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SYNC_SYNC_HELPERS_H_
