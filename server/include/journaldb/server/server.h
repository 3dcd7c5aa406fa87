// Server: the reference sync server (docs/server.md). Accepts TCP
// connections, one thread per connection; a single committer thread stores
// the uploads of all connections in group commits (one fsync per group) and
// acknowledges them only after the fsync.
//
//   auto server = journaldb::server::Server::Start({.data_dir = "/srv/sync"}).value();
//   std::cout << "listening on port " << server->port() << "\n";
//   server->Stop();
//
// Thread safety: Stop() may be called from any thread, once.
#ifndef JOURNALDB_SERVER_SERVER_H_
#define JOURNALDB_SERVER_SERVER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "journaldb/status.h"
#include "journaldb/server/server_store.h"
#include "journaldb/protocol/socket.h"

namespace journaldb::server {

struct ServerOptions {
  // The data directory; created if it holds nothing. Required.
  std::string data_dir;
  // IPv4 address and port to listen on; port 0 picks a free port.
  // Default: "127.0.0.1:0".
  std::string listen = "127.0.0.1:0";
  // Shared secret every hello must carry. Default: empty (any hello's token
  // must then be empty too).
  std::string token;
  // Where connection events are logged, one line each. Not owned; must
  // outlive the server. Default: nullptr (no log).
  std::ostream* log = nullptr;
  // Upper bound for a download request's wait. Default: 5000 ms.
  uint32_t max_wait_ms = 5000;
  // A changesets reply holds one changeset, and more only while it stays
  // within this many encoded bytes (never more than one frame carries).
  // Default: 4 MiB.
  size_t max_changeset_bytes = 4u << 20;
  // The same for the objects of a bootstrap page. Default: 1 MiB.
  size_t bootstrap_page_bytes = 1u << 20;
  // A connection that sends nothing for this long is closed. Default: 300 s.
  uint32_t idle_timeout_ms = 300000;
};

class Server {
 public:
  // Opens the data directory, binds the listen address and starts serving.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options);
  ~Server();  // Stop()s

  uint16_t port() const { return listener_.port(); }
  ServerStore& store() { return *store_; }

  // Stops accepting, closes every connection, finishes the committer's
  // queue and closes the data directory. Idempotent.
  void Stop();

 private:
  struct Connection;
  explicit Server(ServerOptions options);

  void AcceptLoop();
  void CommitLoop();
  void Serve(Connection* c);
  // Returns false if the connection must close.
  bool Handle(Connection* c, wire::Message& m);
  bool HandleHello(Connection* c, const wire::Hello& h);
  bool HandleUpload(Connection* c, wire::Upload& u);
  bool HandleDownload(Connection* c, const wire::DownloadRequest& r);
  bool HandleBootstrap(Connection* c, const wire::BootstrapRequest& r);
  // Sends `m`; logs why if that fails. Returns false if the connection must close.
  bool Send(Connection* c, const wire::Message& m);
  void SendError(Connection* c, wire::ErrorCode code, std::string message,
                 wire::ResetReason reason = wire::ResetReason::kNone, uint64_t restored_latest = 0);
  void Log(const std::string& line);
  void ReapFinished();

  const ServerOptions options_;
  std::unique_ptr<ServerStore> store_;
  sync::Listener listener_;
  int stop_pipe_[2] = {-1, -1};

  std::mutex mu_;  // guards everything below
  bool stopping_ = false;
  std::list<std::unique_ptr<Connection>> connections_;
  uint64_t next_connection_id_ = 1;
  std::deque<UploadJob*> queue_;
  std::condition_variable queue_cv_;    // committer: jobs queued or stopping
  std::condition_variable done_cv_;     // uploaders: a group was committed
  std::condition_variable version_cv_;  // downloaders: latest version moved
  std::mutex log_mu_;

  std::thread accept_thread_;
  std::thread commit_thread_;
  bool stopped_ = false;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SERVER_H_
