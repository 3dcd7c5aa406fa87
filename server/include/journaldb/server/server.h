// Server: the reference sync server (docs/server.md). Serves every TCP
// connection on one event loop (Boost.Asio, run by a small fixed number of
// threads, whatever the number of connections); storage calls that may
// block run on a small fixed pool; a single committer thread stores the
// uploads of all connections in group commits (one fsync per group) and
// acknowledges them only after the fsync. A download that waits for a new
// version holds no thread: the committer (or the store's notice of another
// node's commit) wakes it. Connections, their deadlines and
// the bytes of frames in flight are capped (ServerOptions), so a peer
// cannot hold resources without bound; a resource failure closes one
// connection, never the server.
//
//   auto server = journaldb::server::Server::Start({.data_dir = "/srv/sync"}).value();
//   std::cout << "listening on port " << server->port() << "\n";
//   server->Stop();
//
// Thread safety: Stop() may be called from any thread, once.
#ifndef JOURNALDB_SERVER_SERVER_H_
#define JOURNALDB_SERVER_SERVER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

// Boost 1.74's awaitable.hpp uses std::exchange without including it.
// clang-format off
#include <utility>
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>

#include "journaldb/protocol/byte_budget.h"
#include "journaldb/protocol/socket.h"
#include "journaldb/protocol/tls.h"
#include "journaldb/server/admission.h"
#include "journaldb/server/server_storage.h"
#include "journaldb/status.h"

namespace journaldb::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class RateLimitedLog;
class RegistrationSweeper;
class ReloadableTlsContext;
class ReplyCache;
struct OutboundFrame;
class SourceThrottle;

struct ServerOptions {
  // The RocksDB data directory, made by Init (`journal-server init`); a
  // missing or empty one fails the start. Exactly one of data_dir and
  // postgres is required.
  std::string data_dir;
  // A libpq connection string of an initialised PostgreSQL database
  // (docs/server.md, "Scaling out on PostgreSQL"): any number of servers may
  // share it. Default: empty (the data directory is used).
  std::string postgres;
  // IPv4 address and port to listen on (ParseListenAddress); port 0 picks a
  // free port.
  // Default: "127.0.0.1:0".
  std::string listen = "127.0.0.1:0";
  // Shared secret every hello must carry. Default: empty (any hello's token
  // must then be empty too).
  std::string token;
  // PEM files of the server's certificate chain and its private key. Both
  // set: every connection speaks TLS 1.2 or later, from its first byte.
  // Default: empty (cleartext).
  std::string tls_cert_file;
  std::string tls_key_file;
  // Start on an address beyond loopback without TLS or without a token.
  // Default: false (Start refuses such an address without both).
  bool insecure = false;
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
  // A greeted connection that starts no frame for this long is closed.
  // Default: 300 s.
  uint32_t idle_timeout_ms = 300000;
  // A connection whose hello has not fully arrived this long after it was
  // accepted is closed. Default: 10 s.
  uint32_t hello_timeout_ms = 10000;
  // A frame not complete this long after its first byte closes its
  // connection; also bounds each send. Default: 120 s.
  uint32_t frame_timeout_ms = 120000;
  // Connections served at once; more are refused when accepted. Start
  // raises the process's soft open-file limit to the hard one and serves
  // fewer (a warning in the log) if the limit leaves less room beside the
  // store's files; it fails if it leaves none (docs/server.md, "Open
  // files"). The reckoning is made at start: a process that opens other
  // files later (databases of its own) shares the room with the store.
  // Default: 1000.
  uint32_t max_connections = 1000;
  // Connections served at once from one source IP address. Default: 100.
  uint32_t max_connections_per_source = 100;
  // Bytes of frames in flight, over all connections: frames being received
  // or handled, and replies (changesets, bootstrap pages) built and not yet
  // sent, a reply shared by many connections counted once. A frame that
  // would exceed it closes its connection with a server error (retryable);
  // a reply is retried for up to a second (kReplyRetryTime), then refused
  // the same way. Default: 256 MiB.
  size_t max_inflight_frame_bytes = 256u << 20;
  // A registration whose client never came back (no hello with its id, no
  // upload) is removed this many seconds after it was made; swept at start
  // and then at intervals (docs/server.md, "Registrations"). 0: never.
  // Default: 7 days.
  uint64_t expire_unused_registrations_after_s = 7 * 24 * 3600;
};

// The longest frame read before a connection's hello: a hello is small, and
// an unauthenticated peer must not make the server hold more.
constexpr uint32_t kMaxHelloFrameBytes = 4096;

// How long a reply that does not fit the budget for frames in flight is
// retried, while other frames are sent, before it is refused.
constexpr std::chrono::milliseconds kReplyRetryTime{1000};

// Wrong-token hellos from one source address within a minute after which
// its hellos are refused for the rest of that minute.
constexpr uint32_t kMaxWrongTokensPerMinute = 10;

class Server {
 public:
  // Checks the options and binds the listen address, then opens the store
  // (the first sweep of registrations with it) and starts serving: a
  // malformed or unusable address fails the start with the store untouched.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options);
  ~Server();  // Stop()s

  uint16_t port() const { return listener_.port(); }
  ServerStorage& store() { return *store_; }

  // Stops accepting, closes every connection, finishes the committer's
  // queue and closes the store. Idempotent.
  void Stop();

  // Loads the TLS certificate chain and key files again (journal-server
  // does on SIGHUP): connections accepted after it returns OK use them,
  // open ones keep the certificate they began with. On failure the server
  // keeps serving the certificate it had. Logs one line either way.
  // FailedPrecondition if the server serves no TLS. Any thread may call it.
  Status ReloadTls();

 private:
  struct EventLoop;
  explicit Server(ServerOptions options);
  struct Connection;

  // Runs on the event loop (server.cc): accepting, serving a connection.
  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(std::shared_ptr<Connection> c);
  // Runs the TLS handshake by the hello deadline; a peer that speaks
  // cleartext is told in a cleartext error. False if the connection must close.
  asio::awaitable<bool> StartTls(Connection& c, std::string* why);
  // Sends the frames Handle* queued; false if one could not be sent.
  asio::awaitable<bool> Flush(Connection& c);
  // Parks `c` until its upload's group commit is done.
  asio::awaitable<void> AwaitUpload(Connection& c, const UploadJob& job);
  // Parks `c` until the latest version passes `from_version`, `deadline`
  // passes, the peer sends its next frame, or the server stops.
  asio::awaitable<void> AwaitNewVersion(Connection& c, uint64_t from_version,
                                        std::chrono::steady_clock::time_point deadline);
  // The wait itself, once `c` is among the waiters_ a commit wakes.
  asio::awaitable<void> AwaitNewVersionRegistered(Connection& c, uint64_t from_version,
                                                  std::chrono::steady_clock::time_point deadline);
  // Runs `work` on the storage pool; the coroutine resumes on its strand.
  asio::awaitable<void> OffLoop(std::function<void()> work);
  // Runs `handler` off the loop; while it leaves a reply refused by the
  // budget (c.reply_refusal), runs it again after a pause, for up to
  // kReplyRetryTime, then sends the refusal (a retryable server error).
  // The handler's result: false if the connection must close.
  asio::awaitable<bool> HandleWithRetry(Connection& c, std::function<bool()> handler);
  // Starts serving an accepted connection.
  void ServeAccepted(tcp::socket socket);
  // Forgets a connection ServeAccepted counted. REQUIRES: mu_ held.
  void Uncount(const Connection& c);
  // Posts a wake-up to every parked download.
  void WakeWaiters();
  void CommitLoop();

  // Handlers, on the storage pool: each queues its replies in c's outbox.
  // Return false if the connection must close.
  bool Handle(Connection* c, wire::Message& m);
  bool HandleHello(Connection* c, const wire::Hello& h);
  // The admission decision for `h`: CheckCredentials first, so a peer that
  // cannot be admitted costs no read of the store; then DecideAdmission on
  // the store's current state. The store's error if it cannot be read.
  Result<AdmissionDecision> DecideHello(const wire::Hello& h);
  bool HandleUpload(Connection* c, wire::Upload& u);
  // A download's checks; sets *wait if it must first wait for a new version.
  bool CheckDownload(Connection* c, const wire::DownloadRequest& r, bool* wait);
  // Queues the changesets reply for `r`, shared through replies_.
  bool ReplyDownload(Connection* c, const wire::DownloadRequest& r);
  // Marks the registration made by c's hello used once c has lasted long
  // enough (RegisteringConnectionMarksUsedAfter); false if the connection
  // must close.
  bool MarkRegistrationUsedIfDue(Connection* c);
  // Reads and encodes the changesets reply after `from`, charged to the
  // budget; Busy (nothing built) when the budget has no room for it.
  Result<std::shared_ptr<const OutboundFrame>> BuildChangesetsFrame(uint64_t from);
  // A reply `name` that could not be built: Busy (no room in the budget)
  // leaves c->reply_refusal for HandleWithRetry and returns true; anything
  // else sends an error and returns false.
  bool ReplyNotBuilt(Connection* c, std::string_view name, const Status& s);
  bool HandleBootstrap(Connection* c, const wire::BootstrapRequest& r);
  bool FinishUpload(Connection* c, UploadJob& job);
  // Queues `m`; logs why if it cannot be sent. Returns false if the connection must close.
  bool Send(Connection* c, const wire::Message& m);
  void SendError(Connection* c, wire::ErrorCode code, std::string message,
                 wire::ResetReason reason = wire::ResetReason::kNone, uint64_t restored_latest = 0);
  void Log(const std::string& line);
  // Logs `line` unless a line of `kind` was logged within the last second.
  void LogLimited(const char* kind, std::string line);
  // A connection's line (`kind`: connect, "error CODE", close) before its hello is
  // accepted, which a peer can repeat at will: at most 10 of a kind a second.
  void LogBeforeHello(const char* kind, std::string line);
  // Why a just-accepted connection from `source` must be refused, or empty.
  // REQUIRES: mu_ held.
  std::string OverConnectionLimit(const std::string& source) const;

  const ServerOptions options_;
  // options_.max_connections, or fewer if the open-file limit requires.
  uint32_t max_connections_ = 0;
  std::unique_ptr<ReloadableTlsContext> tls_;  // null: cleartext
  std::unique_ptr<ServerStorage> store_;
  sync::Listener listener_;
  std::unique_ptr<EventLoop> loop_;

  std::mutex mu_;  // guards everything below
  bool stopping_ = false;
  bool accepting_ = false;  // the accept loop runs
  // Connections being served, by id; each registered by ServeAccepted and
  // removed by its coroutine's end.
  std::map<uint64_t, Connection*> connections_;
  std::map<uint64_t, Connection*> waiters_;  // parked downloads
  uint32_t open_connections_ = 0;
  std::map<std::string, uint32_t> open_by_source_;
  uint64_t next_connection_id_ = 1;
  // Each job is also held by its connection's coroutine, which waits for it:
  // shared, so an exception that ends the coroutine leaves the committer a
  // live job.
  std::deque<std::pair<std::shared_ptr<UploadJob>, std::shared_ptr<Connection>>> queue_;
  std::condition_variable queue_cv_;    // committer: jobs queued or stopping
  std::condition_variable drained_cv_;  // Stop: no connection, no accept loop left
  std::mutex log_mu_;
  std::unique_ptr<RateLimitedLog> limited_log_;
  std::unique_ptr<RateLimitedLog> before_hello_log_;
  std::unique_ptr<SourceThrottle> wrong_tokens_;
  sync::ByteBudget frame_budget_;
  // Shared changesets replies, charged to frame_budget_, which reclaims the
  // ones no connection holds: declared after it, destroyed before it.
  std::unique_ptr<ReplyCache> replies_;
  std::unique_ptr<RegistrationSweeper> sweeper_;  // null: registrations never expire

  std::thread commit_thread_;
  bool started_ = false;  // Start succeeded and logged `start`
  bool stopped_ = false;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SERVER_H_
