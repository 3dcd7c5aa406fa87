#include "journaldb/server/server.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <system_error>

#include "async_connection.h"
#include "exception_status.h"
#include "file_limit.h"
#include "journaldb/journal/util/errno_status.h"
#include "journaldb/server/admission.h"
#include "journaldb/server/listen_address.h"
#include "journaldb/server/log_line.h"
#include "journaldb/server/upload_lsns.h"
#include "outbound_frame.h"
#include "rate_limited_log.h"
#include "registration_sweeper.h"
#include "reloadable_tls_context.h"
#include "reply_cache.h"
#include "source_throttle.h"
#include "upload_footprint.h"

namespace journaldb::server {

namespace {
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

// An accept that failed (out of file descriptors or memory) is retried after
// a pause that doubles up to the maximum, so the loop does not spin.
constexpr std::chrono::milliseconds kMinAcceptBackoff{10};
constexpr std::chrono::milliseconds kMaxAcceptBackoff{1000};

// Threads that run the event loop: every connection's I/O and timers. A
// fixed number, whatever the number of connections.
constexpr int kLoopThreads = 2;
// Threads for storage calls that may block (the PostgreSQL store's libpq
// calls, RocksDB reads): the handlers run there, never on the loop.
constexpr int kStorageThreads = 4;

// Changesets replies kept for connections that ask for the same one: a
// commit's waiters all ask at one download cursor, and a few more cursors
// cover clients a version or two behind.
constexpr size_t kCachedReplies = 4;
// A reply the budget had no room for is tried again after these pauses,
// doubling, until kReplyRetryTime passes.
constexpr std::chrono::milliseconds kFirstReplyRetryPause{20};
constexpr std::chrono::milliseconds kMaxReplyRetryPause{200};

// The bytes reserved before a reply of at most `max_bytes` of changesets or
// objects is read: a full reply's frame (a single larger changeset or
// object takes more once its size is known).
size_t ReplyReservation(size_t max_bytes) {
  return std::min<size_t>(max_bytes + wire::kMessageOverheadBytes, wire::kMaxFrameBytes) +
         sizeof(uint32_t);
}

std::string BudgetRefusal(std::string_view name, size_t bytes) {
  return fmt::format("a {} reply of {} bytes would exceed the server's budget for frames in flight",
                     name, bytes);
}

// Encodes `m` into `frame`, whose charge holds a reservation, and makes the
// charge the frame's size. Busy if the budget has no room for it;
// InvalidArgument if it exceeds a frame.
Status EncodeCharged(const wire::Message& m, OutboundFrame& frame) {
  std::string body = wire::EncodeMessage(m);
  if (body.size() > wire::kMaxFrameBytes)
    return Status::InvalidArgument(fmt::format("frame of {} bytes exceeds the {} byte limit",
                                               body.size(), wire::kMaxFrameBytes));
  frame.bytes = sync::EncodeFrame(body);
  const size_t held = frame.charge.held();
  if (frame.bytes.size() <= held) {
    frame.charge.Shrink(held - frame.bytes.size());
  } else if (!frame.charge.Grow(frame.bytes.size() - held)) {
    return Status::Busy(BudgetRefusal(frame.name, frame.bytes.size()));
  }
  return Status::OK();
}

SharedFrame UnchargedFrame(const wire::Message& m, std::string body) {
  auto frame = std::make_shared<OutboundFrame>(nullptr, wire::MessageName(m));
  frame->bytes = sync::EncodeFrame(body);
  return frame;
}

// A connection's part in the server, beside its I/O state.
struct ConnectionState {
  uint64_t id = 0;
  std::string peer;
  std::string source;  // the peer's IP address
  Clock::time_point accepted_at;
  // Set by a successful hello.
  bool greeted = false;
  uint64_t client_id = 0;
  // Set when this connection's hello registered its client, until a
  // download marks that registration used (MarkRegistrationUsedIfDue).
  std::optional<Clock::time_point> registered_at;
  // A bootstrap in progress on this connection.
  std::unique_ptr<StateSnapshot> bootstrap;
  // Set by a handler for Serve: an upload to queue for the committer, a
  // download to park until a new version.
  std::unique_ptr<UploadJob> upload;
  std::optional<wire::DownloadRequest> download;
  // Set by a handler whose reply the budget had no room for: why.
  std::string reply_refusal;
};
}  // namespace

// The server's side of a connection: its I/O state and its part in the server.
struct Server::Connection : AsyncConnection, ConnectionState {
  using AsyncConnection::AsyncConnection;
};

struct Server::EventLoop {
  asio::io_context io{kLoopThreads};
  asio::any_io_executor accept_strand = asio::make_strand(io);
  tcp::acceptor acceptor{accept_strand};
  asio::steady_timer accept_pause{accept_strand};
  asio::thread_pool storage{kStorageThreads};
  std::vector<std::thread> threads;
};

Server::Server(ServerOptions options)
    : options_(std::move(options)),
      limited_log_(std::make_unique<RateLimitedLog>()),
      before_hello_log_(std::make_unique<RateLimitedLog>(std::chrono::seconds(1), 10)),
      wrong_tokens_(
          std::make_unique<SourceThrottle>(kMaxWrongTokensPerMinute, std::chrono::minutes(1))),
      frame_budget_(options_.max_inflight_frame_bytes),
      replies_(std::make_unique<ReplyCache>(kCachedReplies)) {
  // Cached replies no connection sends make room for frames that need it.
  frame_budget_.SetReclaimer([cache = replies_.get()] { cache->DropUnsent(); });
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  Result<ListenAddress> address = ParseListenAddress(options.listen);
  if (!address.ok()) return Status::InvalidArgument("server: " + address.status().message());
  if (options.data_dir.empty() == options.postgres.empty())
    return Status::InvalidArgument("server: exactly one of --data and --postgres is required");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty())
    return Status::InvalidArgument(
        "server: TLS needs both a certificate chain (--tls-cert) and its key (--tls-key)");
  std::unique_ptr<ReloadableTlsContext> tls;
  if (!options.tls_cert_file.empty()) {
    auto context = ReloadableTlsContext::Load(options.tls_cert_file, options.tls_key_file);
    if (!context.ok()) return Status::InvalidArgument("server: " + context.status().message());
    tls = std::move(context).value();
  }
  const bool loopback = address->IsLoopback();
  if (!loopback && !options.insecure && (options.token.empty() || tls == nullptr))
    return Status::InvalidArgument(fmt::format(
        "server: listening on {}, beyond loopback, needs {} (or --insecure to {})", options.listen,
        tls == nullptr && options.token.empty()
            ? "TLS (--tls-cert and --tls-key) and a token (--token-file or JOURNALDB_SERVER_TOKEN)"
        : tls == nullptr ? "TLS (--tls-cert and --tls-key): the token and all data would cross "
                           "the network in cleartext"
                         : "a token (--token-file or JOURNALDB_SERVER_TOKEN)",
        tls == nullptr ? "serve in cleartext" : "accept any client"));
  // Before anything opens: the store's files and a socket per connection
  // must fit the open-file limit (file_limit.h).
  const FileBudget files{RaiseOpenFileLimit(), OpenFileCount(),
                         StorageFilesNeeded({options.data_dir, options.postgres})};
  Result<uint32_t> served = ConnectionsWithin(files, options.max_connections);
  if (!served.ok()) return served.status();
  // Bound before the store opens: opening it may finish an interrupted
  // restore, and the first sweep removes registrations; neither may happen
  // for a server that cannot listen (the port taken, the address not ours).
  Result<sync::Listener> listener = sync::Listener::Listen(options.listen);
  if (!listener.ok()) return listener.status();
  std::unique_ptr<Server> s(new Server(options));
  s->max_connections_ = *served;
  s->tls_ = std::move(tls);
  s->listener_ = std::move(listener).value();
  Result<std::unique_ptr<ServerStorage>> store =
      OpenStorage({options.data_dir, options.postgres}, /*create=*/false);
  if (!store.ok()) return store.status();
  s->store_ = std::move(store).value();
  // Commits of other nodes on a shared database end downloads' waits too.
  s->store_->SetNewVersionsCallback([p = s.get()] { p->WakeWaiters(); });
  // A store that stops accepting writes says so, once, with what to do.
  s->store_->SetLog([p = s.get()](const std::string& l) { p->Log(l); });
  if (options.expire_unused_registrations_after_s > 0) {
    auto sweeper =
        RegistrationSweeper::Start(s->store_.get(), options.expire_unused_registrations_after_s,
                                   [p = s.get()](const std::string& l) { p->Log(l); });
    if (!sweeper.ok()) return sweeper.status();
    s->sweeper_ = std::move(sweeper).value();
  }
  try {
    s->loop_ = std::make_unique<EventLoop>();
    EventLoop& loop = *s->loop_;
    int fd = ::dup(s->listener_.fd());
    if (fd < 0) return Status::IOError("server: cannot duplicate the listening socket");
    loop.acceptor.assign(tcp::v4(), fd);
    s->accepting_ = true;
    asio::co_spawn(loop.accept_strand, s->AcceptLoop(), asio::detached);
    s->commit_thread_ = std::thread([p = s.get()] { p->CommitLoop(); });
    for (int i = 0; i < kLoopThreads; ++i)
      loop.threads.emplace_back([p = s.get()] {
        // A handler that throws (out of memory) loses its own work only:
        // the thread goes on running the loop.
        for (;;) {
          try {
            p->loop_->io.run();
            return;
          } catch (const std::exception& e) {
            p->LogLimited("loop", fmt::format("event loop: {}", e.what()));
          }
        }
      });
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("server: cannot start its event loop: {}", e.what()));
  }
  s->started_ = true;
  s->Log(fmt::format("start {} epoch={} latest_version={} horizon={} tls={}", s->store_->Describe(),
                     s->store_->epoch(), s->store_->latest_version(), s->store_->horizon(),
                     s->tls_ != nullptr ? "on" : "off"));
  if (*served < options.max_connections)
    s->Log(fmt::format(
        "warning: serving at most {} connections, not {}: the open-file limit is {}, {} files "
        "were open, the store keeps up to {} and the server {} spare; raise it (`ulimit -n`, or "
        "LimitNOFILE= in a systemd unit)",
        *served, options.max_connections, files.limit, files.in_use, files.store, kSpareFiles));
  if (!loopback && options.token.empty())
    s->Log(fmt::format("warning: --insecure: any client may connect on {} without a token",
                       options.listen));
  if (!loopback && s->tls_ == nullptr)
    s->Log(
        fmt::format("warning: --insecure: tokens and data cross {} in cleartext", options.listen));
  return s;
}

Server::~Server() { Stop(); }

Status Server::ReloadTls() {
  if (tls_ == nullptr) {
    Log("tls reload: TLS is off (no --tls-cert); nothing to reload");
    return Status::FailedPrecondition("server: TLS is off; there is no certificate to reload");
  }
  Result<std::string> loaded = tls_->Reload();
  if (!loaded.ok()) {
    Log(fmt::format("tls reload failed: {}; new connections keep the previous certificate",
                    loaded.status().message()));
    return loaded.status();
  }
  Log(fmt::format("tls reloaded: certificate {} ({}), key {}: new connections use them",
                  tls_->cert_chain_file(), *loaded, tls_->key_file()));
  return Status::OK();
}

void Server::Log(const std::string& line) {
  if (options_.log == nullptr) return;
  std::string safe = LogLine(line);
  std::lock_guard<std::mutex> lock(log_mu_);
  *options_.log << safe << std::endl;
}

void Server::LogLimited(const char* kind, std::string line) {
  if (std::optional<std::string> admitted = limited_log_->Admit(kind, std::move(line)))
    Log(*admitted);
}

void Server::LogBeforeHello(const char* kind, std::string line) {
  if (std::optional<std::string> admitted = before_hello_log_->Admit(kind, std::move(line)))
    Log(*admitted);
}

void Server::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    for (auto& [id, c] : connections_)
      asio::post(c->socket.get_executor(), [self = c->shared_from_this()] { self->Close(); });
  }
  queue_cv_.notify_all();
  if (loop_ != nullptr) {
    EventLoop& loop = *loop_;
    asio::post(loop.accept_strand, [&loop] {
      error_code ignored;
      loop.acceptor.close(ignored);
      loop.accept_pause.cancel();
    });
    // Every connection's coroutine ends (its socket closed, its upload
    // committed: the committer drains its queue), then the loop's threads.
    if (!loop.threads.empty()) {
      std::unique_lock<std::mutex> lock(mu_);
      drained_cv_.wait(lock, [&] { return connections_.empty() && !accepting_; });
    }
    loop.io.stop();
    for (std::thread& t : loop.threads) t.join();
    loop.storage.join();
  }
  if (commit_thread_.joinable()) commit_thread_.join();
  // A start that failed logged no `start`: nothing stops.
  if (started_) {
    for (const std::string& line : limited_log_->TakeSuppressed()) Log(line);
    for (const std::string& line : before_hello_log_->TakeSuppressed())
      Log("before hello: " + line);
    Log("stop");
  }
  sweeper_.reset();
  // Closed here, with every member alive: the store's close may still log a
  // background error through Log (its SetLog above).
  store_.reset();
}

asio::awaitable<void> Server::AcceptLoop() {
  EventLoop& loop = *loop_;
  std::chrono::milliseconds backoff{0};
  std::optional<tcp::socket> socket;
  bool pause = false;
  for (;;) {
    error_code ec;
    try {
      if (pause) {
        // The listener stays readable while the connection that could not
        // be accepted waits in its queue: only the pause ends this wait.
        pause = false;
        loop.accept_pause.expires_after(backoff);
        co_await loop.accept_pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!loop.acceptor.is_open()) break;
      }
      // Each connection gets a strand of its own: its coroutine and the
      // handlers posted to it never run at once. A socket whose accept failed
      // is kept for the next try.
      if (!socket) socket.emplace(asio::make_strand(loop.io));
      co_await loop.acceptor.async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !loop.acceptor.is_open()) break;
      if (ec) {
        backoff = std::clamp(backoff * 2, kMinAcceptBackoff, kMaxAcceptBackoff);
        LogLimited("accept", fmt::format("accept failed: {}; retrying in {} ms",
                                         util::ErrnoStatus("accept", {}, ec.value()).ToString(),
                                         backoff.count()));
        pause = true;
        continue;
      }
      backoff = std::chrono::milliseconds{0};
      ServeAccepted(std::move(*socket));
      socket.reset();
    } catch (const std::exception&) {
      // Out of memory: the connection being accepted, if any, closes; the
      // loop goes on after a pause instead of ending (the process would
      // stay up but serve no new connection, and Stop would wait for it).
      socket.reset();
      backoff = kMaxAcceptBackoff;
      pause = true;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  accepting_ = false;
  drained_cv_.notify_all();
}

std::string Server::OverConnectionLimit(const std::string& source) const {
  if (open_connections_ >= max_connections_)
    return fmt::format("the server serves {} connections, its limit", open_connections_);
  auto it = open_by_source_.find(source);
  if (it != open_by_source_.end() && it->second >= options_.max_connections_per_source)
    return fmt::format("{} connections from {} are open, the limit per address", it->second,
                       source);
  return std::string();
}

void Server::ServeAccepted(tcp::socket socket) {
  error_code ec;
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;  // gone already
  socket.set_option(tcp::no_delay(true), ec);
  std::string source = remote.address().to_string();
  std::string peer = fmt::format("{}:{}", source, remote.port());
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  if (std::string why = OverConnectionLimit(source); !why.empty()) {
    LogLimited("refuse", fmt::format("refuse peer={} ({})", peer, why));
    // A fresh socket's send buffer is empty: this small write does not block.
    // A TLS peer could not read it, and a handshake is what the cap saves.
    if (tls_ == nullptr) {
      std::string frame = sync::EncodeFrame(wire::EncodeMessage(wire::Error{
          wire::ErrorCode::kServerError, why + "; retry later", wire::ResetReason::kNone, 0}));
      (void)!::send(socket.native_handle(), frame.data(), frame.size(),
                    MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    return;
  }
  std::shared_ptr<Connection> c;
  bool counted = false;
  try {
    c = std::make_shared<Connection>(std::move(socket));
    c->id = next_connection_id_++;
    c->peer = peer;
    c->source = source;
    c->accepted_at = Clock::now();
    // Counted before its coroutine exists, which uncounts it when it ends.
    ++open_by_source_[source];
    ++open_connections_;
    counted = true;
    connections_[c->id] = c.get();
    asio::co_spawn(c->socket.get_executor(), Serve(c), asio::detached);
  } catch (const std::exception& e) {
    // Out of memory: this connection closes, the server goes on.
    if (counted) Uncount(*c);
    LogLimited("serve", fmt::format("refuse peer={} (cannot serve it: {})", peer, e.what()));
  }
}

void Server::CommitLoop() {
  // Made before the lock is taken (even an empty deque allocates): nothing
  // may throw under it, nor outside the try below, or the thread would end
  // and the process with it.
  std::deque<std::pair<std::shared_ptr<UploadJob>, std::shared_ptr<Connection>>> group;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping with nothing left to store
    group.swap(queue_);
    lock.unlock();
    try {
      std::vector<UploadJob*> jobs;
      for (auto& [job, c] : group) jobs.push_back(job.get());
      store_->AppendUploads(jobs);
    } catch (const std::exception& e) {
      // Out of memory: no upload of the group is acknowledged (a group
      // stored before the throw is acknowledged when its clients upload
      // again), and the committer goes on instead of ending the process.
      for (auto& [job, c] : group) job->status = ExceptionStatus("cannot store the upload", e);
    }
    try {
      for (auto& [job, c] : group)
        if (job->continues())
          LogLimited("continue", fmt::format("upload conn={} client={} continues after lsn {} in "
                                             "the next group commit (it took this one's share)",
                                             c->id, job->client_id, job->ack.highest_lsn));
    } catch (const std::exception&) {
      // Out of memory: no line; the upload goes on.
    }
    lock.lock();
    for (auto& [job, c] : group) {
      if (job->continues() && !stopping_) {
        try {
          queue_.emplace_back(job, c);
          continue;
        } catch (const std::exception&) {
          // Out of memory: answered as when the server stops (FinishUpload).
        }
      }
      job->done = true;
      try {
        asio::post(c->socket.get_executor(), [c = c] { c->park.cancel(); });
      } catch (const std::exception&) {
        // Out of memory: the connection sees `done` at its next look
        // (AwaitUpload looks at least once a second).
      }
    }
    lock.unlock();
    WakeWaiters();
    group.clear();
    lock.lock();
  }
}

void Server::WakeWaiters() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, c] : waiters_) {
    try {
      asio::post(c->socket.get_executor(), [self = c->shared_from_this()] { self->park.cancel(); });
    } catch (const std::exception&) {
      // Out of memory: that waiter wakes at its deadline instead.
    }
  }
}

asio::awaitable<void> Server::OffLoop(std::function<void()> work) {
  std::exception_ptr failure;
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
      [&](auto handler) {
        asio::post(loop_->storage, [&, handler = std::move(handler)]() mutable {
          try {
            work();
          } catch (...) {
            failure = std::current_exception();
          }
          auto strand = asio::get_associated_executor(handler);
          asio::post(strand, std::move(handler));
        });
      },
      asio::use_awaitable);
  if (failure) std::rethrow_exception(failure);
}

asio::awaitable<void> Server::AwaitUpload(Connection& c, const UploadJob& job) {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (job.done) co_return;
    }
    // The committer posts the wake-up after setting done: it runs on this
    // strand after the wait below began. A second's bound, in case that
    // post could not be made (out of memory).
    c.park.expires_after(std::chrono::seconds(1));
    error_code ignored;
    co_await c.park.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> Server::AwaitNewVersion(Connection& c, uint64_t from_version,
                                              Clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) co_return;
    waiters_[c.id] = &c;
  }
  // Registered first, then checked: a commit in between still wakes it.
  // Unregistered however the wait ends: a commit would wake a connection
  // that an exception (out of memory) closed and freed.
  try {
    co_await AwaitNewVersionRegistered(c, from_version, deadline);
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    waiters_.erase(c.id);
    throw;
  }
  std::lock_guard<std::mutex> lock(mu_);
  waiters_.erase(c.id);
}

asio::awaitable<void> Server::AwaitNewVersionRegistered(Connection& c, uint64_t from_version,
                                                        Clock::time_point deadline) {
  if (store_->latest_version() <= from_version) {
    // The wait also ends when the client sends its next frame (an upload of
    // a fresh local commit): its first byte is read meanwhile and kept.
    auto peek = std::make_shared<char>(0);
    auto peeking = std::make_shared<bool>(true);
    auto peeked = [self = c.shared_from_this(), peek, peeking](const error_code& ec, size_t n) {
      *peeking = false;
      if (!ec && n == 1) self->pushback.push_back(*peek);
      self->park.cancel();
    };
    if (!c.pushback.empty())
      *peeking = false;
    else
      StartReadOne(c, peek, peeked);
    error_code ignored;
    if (*peeking) {
      c.park.expires_at(deadline);
      co_await c.park.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      // Woken by a commit, a stop, or the deadline: then a byte may be on its way.
      while (*peeking && store_->latest_version() <= from_version && Clock::now() < deadline &&
             !c.pushback.size() && c.socket.is_open()) {
        c.park.expires_at(deadline);
        co_await c.park.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      }
      if (*peeking) {
        c.socket.cancel(ignored);
        while (*peeking) {
          c.park.expires_at(Clock::time_point::max());
          co_await c.park.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
      }
    }
  }
}

asio::awaitable<bool> Server::Flush(Connection& c) {
  std::vector<SharedFrame> frames;
  frames.swap(c.outbox);
  for (SharedFrame& frame : frames) {
    Status s = co_await WriteAll(
        c, frame->bytes, Clock::now() + std::chrono::milliseconds(options_.frame_timeout_ms));
    if (!s.ok()) {
      // Peers that vanish make this common: rate-limited like every line a
      // client can cause in bulk.
      LogLimited("send", fmt::format("send failed conn={} client={} message={}: {}", c.id,
                                     c.client_id, frame->name, s.ToString()));
      co_return false;
    }
    // Given up once written: if this connection was its last holder, its
    // charge is back in the budget before the next frame is read.
    frame.reset();
  }
  co_return true;
}

asio::awaitable<bool> Server::HandleWithRetry(Connection& c, std::function<bool()> handler) {
  const Clock::time_point give_up = Clock::now() + kReplyRetryTime;
  std::chrono::milliseconds pause = kFirstReplyRetryPause;
  for (;;) {
    c.reply_refusal.clear();
    bool ok = false;
    co_await OffLoop([&] { ok = handler(); });
    if (!ok || c.reply_refusal.empty()) co_return ok;
    // Other connections' replies leave the budget as they are sent.
    if (Clock::now() + pause > give_up || !c.socket.is_open()) break;
    c.park.expires_after(pause);
    error_code ignored;
    co_await c.park.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    pause = std::min(pause * 2, kMaxReplyRetryPause);
  }
  SendError(&c, wire::ErrorCode::kServerError, c.reply_refusal + "; retry later");
  c.reply_refusal.clear();
  co_return false;
}

void Server::SendError(Connection* c, wire::ErrorCode code, std::string message,
                       wire::ResetReason reason, uint64_t restored_latest) {
  // Before an accepted hello the line names the peer (the hello line does
  // after), and a kind per code keeps a flood of bad frames from hiding the
  // resets and refusals decided at hello.
  std::string line = fmt::format("error conn={}{} client={} code={}{} message={}", c->id,
                                 c->greeted ? std::string() : fmt::format(" peer={}", c->peer),
                                 c->client_id, wire::ErrorCodeName(code),
                                 reason == wire::ResetReason::kNone
                                     ? std::string()
                                     : fmt::format(" reason={}", wire::ResetReasonName(reason)),
                                 message);
  if (c->greeted)
    Log(line);
  else
    LogBeforeHello(fmt::format("error {}", wire::ErrorCodeName(code)).c_str(), std::move(line));
  wire::Error e{code, std::move(message), reason, restored_latest};
  (void)Send(c, e);  // the connection closes after an error either way
}

bool Server::Send(Connection* c, const wire::Message& m) {
  std::string body = wire::EncodeMessage(m);
  if (body.size() <= wire::kMaxFrameBytes) {
    c->outbox.push_back(UnchargedFrame(m, std::move(body)));
    return true;
  }
  // A message too large for a frame is not sent: the client can still be
  // told why, rather than seeing the connection close.
  std::string why =
      fmt::format("frame of {} bytes exceeds the {} byte limit", body.size(), wire::kMaxFrameBytes);
  LogLimited("send",
             fmt::format("send failed conn={} client={} message={}: {}", c->id, c->client_id,
                         wire::MessageName(m), Status::InvalidArgument(why).ToString()));
  if (!std::holds_alternative<wire::Error>(m))
    SendError(c, wire::ErrorCode::kServerError,
              fmt::format("cannot send {}: {}", wire::MessageName(m), why));
  return false;
}

asio::awaitable<bool> Server::StartTls(Connection& c, std::string* why) {
  const Clock::time_point deadline =
      c.accepted_at + std::chrono::milliseconds(options_.hello_timeout_ms);
  // A TLS connection opens with a handshake record (type 22); a cleartext
  // client's first byte is a frame length's lowest byte, and it can read a
  // cleartext error.
  unsigned char first = 0;
  {
    char byte = 0;
    bool clean_eof = false;
    Status s = co_await ReadExactly(c, &byte, 1, &clean_eof, deadline,
                                    "no TLS handshake began before the deadline");
    if (!s.ok()) {
      if (!clean_eof) *why = fmt::format("before hello: {}", s.message());
      co_return false;  // else "peer closed"
    }
    first = static_cast<unsigned char>(byte);
    c.pushback.push_back(byte);
  }
  if (first != 22) {
    SendError(&c, wire::ErrorCode::kBadFrame,
              "this server speaks TLS only: connect with TLS (journal sync --tls)");
    co_await Flush(c);
    *why = "before hello: a cleartext client on a TLS server";
    co_return false;
  }
  // The byte taken off the socket goes into TLS first.
  std::string first_byte = std::move(c.pushback);
  c.pushback.clear();
  // Taken per handshake: a reload meanwhile changes the next connection's.
  std::shared_ptr<asio::ssl::context> context = tls_->Current();
  Status s = co_await TlsHandshake(c, *context, first_byte, deadline);
  if (!s.ok()) {
    *why = fmt::format("before hello: {}", s.message());
    co_return false;
  }
  co_return true;
}

// GCC 12 takes asio's recycled coroutine frames (allocated by
// thread_info_base::allocate, freed by awaitable_frame_base's operator
// delete) for a mismatch, depending on what it inlines into the coroutine
// (GCC bug 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<void> Server::Serve(std::shared_ptr<Connection> c) {
  std::string why = "peer closed";
  try {
    // Lines of a connection before its hello is accepted are a peer's to
    // repeat at will: 10 a second per kind (the hello line names the peer).
    LogBeforeHello("connect", fmt::format("connect conn={} peer={}", c->id, c->peer));
    const bool open = tls_ == nullptr || co_await StartTls(*c, &why);
    while (open) {
      // Before the hello only a small frame, due by the hello deadline; then
      // frames up to the protocol's limit, each begun within the idle
      // timeout and completed within the frame timeout.
      sync::FrameReadLimits limits;
      limits.budget = &frame_budget_;
      if (!c->greeted) {
        limits.max_bytes = kMaxHelloFrameBytes;
        limits.frame_deadline =
            c->accepted_at + std::chrono::milliseconds(options_.hello_timeout_ms);
      } else {
        limits.first_byte_deadline =
            Clock::now() + std::chrono::milliseconds(options_.idle_timeout_ms);
        limits.frame_timeout = std::chrono::milliseconds(options_.frame_timeout_ms);
      }
      // The frame's bytes count against the budget while it is read.
      sync::ByteBudget::Lease lease(&frame_budget_);
      std::optional<wire::Message> m;
      {
        Result<std::string> body = co_await ReadFrame(*c, limits, &lease);
        if (!body.ok()) {
          if (body.status().IsCorruption())
            SendError(c.get(), wire::ErrorCode::kBadFrame, body.status().message());
          if (body.status().IsBusy())
            SendError(c.get(), wire::ErrorCode::kServerError,
                      body.status().message() + "; retry later");
          co_await Flush(*c);
          why = c->greeted ? body.status().message()
                           : fmt::format("before hello: {}", body.status().message());
          break;
        }
        Result<wire::Message> decoded = wire::DecodeMessage(*body);
        if (!decoded.ok()) {
          SendError(c.get(), wire::ErrorCode::kBadFrame, decoded.status().message());
          co_await Flush(*c);
          why = "bad frame";
          break;
        }
        m = std::move(decoded).value();
      }
      // Decoded, the frame's bytes are given back before any reply is
      // built, except an upload's: its decoded entries are charged until its
      // group commit is done and they are freed (at most the whole budget, so
      // that one upload alone always goes through).
      if (const auto* upload = std::get_if<wire::Upload>(&*m)) {
        const size_t held = std::min(UploadFootprint(*upload), frame_budget_.limit());
        if (held > lease.held() && !lease.Grow(held - lease.held())) {
          SendError(c.get(), wire::ErrorCode::kServerError,
                    fmt::format("an upload of {} entries holds {} bytes decoded, which would "
                                "exceed the server's budget for frames in flight; retry later",
                                upload->entries.size(), held));
          co_await Flush(*c);
          why = "upload over the budget for frames in flight";
          break;
        }
      } else {
        lease.Reset();
      }
      bool ok = co_await HandleWithRetry(*c, [&] { return Handle(c.get(), *m); });
      if (ok && c->upload != nullptr) {
        std::shared_ptr<UploadJob> job = std::move(c->upload);
        bool queued = false;
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (!stopping_) {
            queue_.emplace_back(job, c);
            queue_cv_.notify_one();
            queued = true;
          }
        }
        if (queued) {
          // The committer drains the queue even when stopping, so this wait ends.
          co_await AwaitUpload(*c, *job);
          ok = FinishUpload(c.get(), *job);  // queues the reply
          // Its decoded entries are freed before their charge is given back
          // (the committer no longer reads the job once it is done).
          std::vector<wire::UploadEntry>().swap(job->entries);
          lease.Reset();
        } else {
          SendError(c.get(), wire::ErrorCode::kShuttingDown, "the server is stopping");
          ok = false;
        }
      }
      if (ok && c->download) {
        wire::DownloadRequest request = std::move(*c->download);
        c->download.reset();
        co_await AwaitNewVersion(*c, request.from_version,
                                 Clock::now() + std::chrono::milliseconds(std::min(
                                                    request.wait_ms, options_.max_wait_ms)));
        ok = co_await HandleWithRetry(*c, [&] { return ReplyDownload(c.get(), request); });
      }
      const bool sent = co_await Flush(*c);
      if (!ok || !sent) {
        why = "closed after error";
        break;
      }
    }
  } catch (const std::exception& e) {
    // Out of memory (or another resource) while serving: this connection
    // ends, the server goes on. Nothing here may throw, or the connection's
    // place below would never be given back.
    why.clear();
    try {
      why = fmt::format("failed: {}", e.what());
    } catch (const std::exception&) {
    }
  }
  c->bootstrap.reset();
  c->Close();
  try {
    std::string line = c->greeted
                           ? fmt::format("close conn={} client={} ({})", c->id, c->client_id, why)
                           : fmt::format("close conn={} peer={} client={} ({})", c->id, c->peer,
                                         c->client_id, why);
    if (c->greeted)
      Log(line);
    else
      LogBeforeHello("close", std::move(line));
  } catch (const std::exception&) {
    // Out of memory: the line is lost; the connection's place is still given back.
  }
  std::lock_guard<std::mutex> lock(mu_);
  Uncount(*c);
  drained_cv_.notify_all();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void Server::Uncount(const Connection& c) {
  connections_.erase(c.id);
  --open_connections_;
  if (auto it = open_by_source_.find(c.source); it != open_by_source_.end() && --it->second == 0)
    open_by_source_.erase(it);
}

bool Server::Handle(Connection* c, wire::Message& m) {
  if (auto* h = std::get_if<wire::Hello>(&m)) {
    if (c->greeted) {
      SendError(c, wire::ErrorCode::kProtocolViolation, "second hello on one connection");
      return false;
    }
    return HandleHello(c, *h);
  }
  if (!c->greeted) {
    SendError(c, wire::ErrorCode::kProtocolViolation,
              fmt::format("{} before hello", wire::MessageName(m)));
    return false;
  }
  if (auto* u = std::get_if<wire::Upload>(&m)) return HandleUpload(c, *u);
  if (auto* d = std::get_if<wire::DownloadRequest>(&m)) {
    bool wait = false;
    if (!CheckDownload(c, *d, &wait)) return false;
    if (!wait) return ReplyDownload(c, *d);
    c->download = *d;  // Serve parks the connection, then replies
    return true;
  }
  if (auto* b = std::get_if<wire::BootstrapRequest>(&m)) return HandleBootstrap(c, *b);
  if (std::holds_alternative<wire::Error>(m)) {
    Log(fmt::format("peer error conn={}: {}", c->id, std::get<wire::Error>(m).message));
    return false;
  }
  SendError(c, wire::ErrorCode::kProtocolViolation,
            fmt::format("a client does not send {}", wire::MessageName(m)));
  return false;
}

Result<AdmissionDecision> Server::DecideHello(const wire::Hello& h) {
  if (std::optional<wire::Error> refusal = CheckCredentials(h, options_.token))
    return AdmissionDecision(*std::move(refusal));
  // Decided on the store's current state, never on what this node cached: a
  // node that lags behind others must not send a false reset or bad cursor.
  Result<AdmissionView> view = store_->ReadAdmissionView(h.client_id, h.epoch, h.download_cursor);
  if (!view.ok()) return view.status();
  AdmissionDecision decision = DecideAdmission(h, options_.token, *view);
  Admit* admit = std::get_if<Admit>(&decision);
  if (admit == nullptr || admit->registration_secret.empty()) return decision;
  // A client file proposing the secret of a registration is that client's
  // file: put back from a backup taken before it first synced, or a copy.
  // Admitted as that client, it sends its entries again and the server
  // compares them with the ones it stored, instead of storing them again
  // under a new id (docs/client-reset.md).
  Result<std::optional<uint64_t>> known =
      store_->FindClientBySecret(HashClientSecret(admit->registration_secret));
  if (!known.ok()) return known.status();
  if (!*known) return decision;
  wire::Hello as_known = h;
  as_known.client_id = **known;
  as_known.client_secret = std::move(as_known.registration_secret);
  as_known.registration_secret.clear();
  view = store_->ReadAdmissionView(as_known.client_id, 0, 0);
  if (!view.ok()) return view.status();
  AdmissionDecision known_decision = DecideAdmission(as_known, options_.token, *view);
  if (Admit* known_admit = std::get_if<Admit>(&known_decision)) {
    known_admit->registered_before = true;
    known_admit->reply.client_secret = std::move(as_known.client_secret);
    return known_decision;
  }
  // That client cannot be admitted (an operator reset it, or its
  // registration expired meanwhile): a registration of its own, with a
  // secret the server issues (the proposed one names the other).
  admit->registration_secret.clear();
  return decision;
}

bool Server::HandleHello(Connection* c, const wire::Hello& h) {
  if (wrong_tokens_->Blocked(c->source)) {
    // Not SendError: a blocked guesser would otherwise write a line per try.
    std::string why = fmt::format("too many wrong tokens from {}; retry in a minute", c->source);
    LogLimited("throttled", fmt::format("refuse conn={} ({})", c->id, why));
    wire::Error refusal{wire::ErrorCode::kUnauthorized, std::move(why), wire::ResetReason::kNone,
                        0};
    c->outbox.push_back(UnchargedFrame(refusal, wire::EncodeMessage(refusal)));
    return false;
  }
  Result<AdmissionDecision> decided = DecideHello(h);
  if (!decided.ok()) {
    SendError(c, wire::ErrorCode::kServerError,
              fmt::format("the server's storage is unavailable ({}); retry later",
                          decided.status().ToString()));
    return false;
  }
  AdmissionDecision& decision = *decided;
  if (wire::Error* refusal = std::get_if<wire::Error>(&decision)) {
    if (refusal->code == wire::ErrorCode::kUnauthorized &&
        wrong_tokens_->RecordFailure(c->source) == kMaxWrongTokensPerMinute)
      Log(
          fmt::format("throttle source={}: {} wrong tokens within a minute; its hellos are "
                      "refused for the rest of it",
                      c->source, kMaxWrongTokensPerMinute));
    SendError(c, refusal->code, std::move(refusal->message), refusal->reset_reason,
              refusal->restored_latest_version);
    return false;
  }
  Admit& admit = std::get<Admit>(decision);
  if (admit.register_client) {
    // The secret leaves the server only in this reply; the registry keeps
    // its hash, stored before the reply is sent.
    Result<std::string> secret = admit.registration_secret.empty()
                                     ? NewClientSecret()
                                     : Result<std::string>(std::move(admit.registration_secret));
    Result<uint64_t> id = secret.ok() ? store_->RegisterClient(HashClientSecret(*secret))
                                      : Result<uint64_t>(secret.status());
    if (!id.ok()) {
      // Busy: another connection registered the same proposed secret
      // meanwhile; the client's retry is admitted as that client.
      SendError(c, wire::ErrorCode::kServerError, id.status().ToString());
      return false;
    }
    admit.reply.client_id = *id;
    admit.reply.client_secret = std::move(secret).value();
  } else if (admit.first_use) {
    // Its client came back: the registration no longer expires.
    if (Status s = store_->MarkClientUsed(admit.reply.client_id); !s.ok()) {
      SendError(c, wire::ErrorCode::kServerError, s.ToString() + "; retry later");
      return false;
    }
  }
  c->greeted = true;
  c->client_id = admit.reply.client_id;
  if (admit.register_client) c->registered_at = Clock::now();
  Log(fmt::format("hello conn={} peer={} client={}{} download_cursor={} upload_cursor={}", c->id,
                  c->peer, c->client_id,
                  admit.register_client     ? " (new)"
                  : admit.registered_before ? " (registered before with this registration secret)"
                                            : "",
                  h.download_cursor, h.upload_cursor));
  return Send(c, admit.reply);
}

bool Server::HandleUpload(Connection* c, wire::Upload& u) {
  if (u.client_id != c->client_id) {
    SendError(c, wire::ErrorCode::kWrongClient,
              fmt::format("upload for client {} on a connection of client {}", u.client_id,
                          c->client_id));
    return false;
  }
  // The limit every commit checks: an entry above it could never be sent
  // back to a client in a changeset.
  for (const wire::UploadEntry& e : u.entries)
    if (e.bytes.size() > kMaxEntryBytes) {
      SendError(c, wire::ErrorCode::kBadFrame,
                fmt::format("upload entry lsn {} is {} bytes; the limit for a journal entry is {}",
                            e.lsn, e.bytes.size(), kMaxEntryBytes));
      return false;
    }
  c->upload = std::make_unique<UploadJob>();
  c->upload->client_id = c->client_id;
  c->upload->entries = std::move(u.entries);
  return true;  // Serve queues it for the committer, then FinishUpload
}

bool Server::FinishUpload(Connection* c, UploadJob& job) {
  if (job.continues()) {
    // Not queued again: the server stops (or had no memory to queue it).
    SendError(c, wire::ErrorCode::kShuttingDown,
              fmt::format("the server stored this upload up to lsn {} and stopped taking the "
                          "rest: upload it again",
                          job.ack.highest_lsn));
    return false;
  }
  if (job.status.IsClientResetRequired()) {
    SendError(c, wire::ErrorCode::kClientReset, job.status.message(),
              wire::ResetReason::kClientRollback, job.rolled_back_after);
    return false;
  }
  if (!job.status.ok()) {
    // An lsn that does not continue the client's stored ones is the
    // client's fault, and so is an entry the server will not apply;
    // anything else is the server's.
    const wire::ErrorCode code = job.entry_refused ? wire::ErrorCode::kBadFrame
                                 : job.status.IsInvalidArgument()
                                     ? wire::ErrorCode::kProtocolViolation
                                     : wire::ErrorCode::kServerError;
    SendError(c, code,
              job.status.IsInvalidArgument() ? job.status.message() : job.status.ToString());
    return false;
  }
  c->registered_at.reset();  // the upload marked the registration used
  return Send(c, job.ack);
}

bool Server::CheckDownload(Connection* c, const wire::DownloadRequest& r, bool* wait) {
  uint64_t latest = store_->latest_version();
  if (r.from_version > latest) {
    // The client may have synced through a node this one has not heard of
    // yet: only the store can say the cursor is bad.
    Result<uint64_t> stored = store_->ReadLatestVersion();
    if (!stored.ok()) {
      SendError(c, wire::ErrorCode::kServerError,
                fmt::format("the server's storage is unavailable ({}); retry later",
                            stored.status().ToString()));
      return false;
    }
    latest = *stored;
  }
  if (r.from_version > latest) {
    SendError(c, wire::ErrorCode::kBadCursor,
              fmt::format("download from version {}; the latest server version is {}",
                          r.from_version, latest));
    return false;
  }
  if (r.from_version < store_->horizon()) {
    SendError(c, wire::ErrorCode::kClientReset,
              fmt::format("history up to version {} was trimmed; download from {} impossible",
                          store_->horizon(), r.from_version),
              wire::ResetReason::kHistoryTrimmed);
    return false;
  }
  *wait = r.from_version == latest && r.wait_ms > 0;
  return true;
}

bool Server::MarkRegistrationUsedIfDue(Connection* c) {
  if (!c->registered_at || options_.expire_unused_registrations_after_s == 0 ||
      Clock::now() - *c->registered_at <
          RegisteringConnectionMarksUsedAfter(options_.expire_unused_registrations_after_s))
    return true;
  // NotFound: swept meanwhile (or by the operator). The hello on the next
  // connection then decides, as for any client whose registration expired.
  if (Status s = store_->MarkClientUsed(c->client_id); !s.ok()) {
    SendError(c, wire::ErrorCode::kServerError,
              fmt::format("cannot keep the registration of client {}: {}; retry later",
                          c->client_id, s.ToString()));
    return false;
  }
  c->registered_at.reset();
  Log(
      fmt::format("registration used conn={} client={} (its registering connection lasted "
                  "half the age after which unused registrations expire)",
                  c->id, c->client_id));
  return true;
}

bool Server::ReplyDownload(Connection* c, const wire::DownloadRequest& r) {
  if (!MarkRegistrationUsedIfDue(c)) return false;
  // Every waiter a commit wakes asks with the same key: one of them builds
  // the frame, all send it.
  const ReplyCache::Key key{store_->epoch(), r.from_version, store_->latest_version()};
  Result<SharedFrame> frame =
      replies_->Get(key, [&] { return BuildChangesetsFrame(r.from_version); });
  if (!frame.ok()) return ReplyNotBuilt(c, "changesets", frame.status());
  c->outbox.push_back(std::move(frame).value());
  return true;
}

Result<SharedFrame> Server::BuildChangesetsFrame(uint64_t from) {
  // Reserved before anything is read: with no room, nothing is built.
  auto frame = std::make_shared<OutboundFrame>(&frame_budget_, "changesets");
  const size_t reserved = ReplyReservation(options_.max_changeset_bytes);
  if (!frame->charge.Grow(reserved)) return Status::Busy(BudgetRefusal(frame->name, reserved));
  wire::Changesets reply;
  if (Status s = store_->ReadChangesets(from, options_.max_changeset_bytes, &reply.changesets);
      !s.ok())
    return s;
  if (!reply.changesets.empty()) {
    // What the client keeps with its new cursor and shows in its next hello.
    Result<std::optional<ChainHash>> hash =
        store_->ChainHashAt(reply.changesets.back().server_version);
    if (!hash.ok()) return hash.status();
    // None only if a trim on another node took it meanwhile: the client
    // then keeps no hash, and its next hello is not checked.
    if (*hash) reply.chain_hash = DigestBytes(**hash);
  }
  reply.latest_version =
      std::max(store_->latest_version(),
               reply.changesets.empty() ? 0 : reply.changesets.back().server_version);
  if (Status s = EncodeCharged(reply, *frame); !s.ok()) return s;
  return SharedFrame(std::move(frame));
}

bool Server::ReplyNotBuilt(Connection* c, std::string_view name, const Status& s) {
  if (s.IsBusy()) {
    c->reply_refusal = s.message();  // HandleWithRetry tries again
    return true;
  }
  if (s.IsInvalidArgument()) {
    // A message too large for a frame is not sent: the client can still be
    // told why, rather than seeing the connection close.
    LogLimited("send", fmt::format("send failed conn={} client={} message={}: {}", c->id,
                                   c->client_id, name, s.ToString()));
    SendError(c, wire::ErrorCode::kServerError,
              fmt::format("cannot send {}: {}", name, s.message()));
    return false;
  }
  SendError(c, wire::ErrorCode::kServerError, s.ToString());
  return false;
}

bool Server::HandleBootstrap(Connection* c, const wire::BootstrapRequest& r) {
  if (!MarkRegistrationUsedIfDue(c)) return false;
  // A page holds the requester's highest lsn: its own frame, never shared.
  // Reserved before anything is read: with no room, nothing is built.
  auto frame = std::make_shared<OutboundFrame>(&frame_budget_, "bootstrap-page");
  const size_t reserved = ReplyReservation(options_.bootstrap_page_bytes);
  if (!frame->charge.Grow(reserved))
    return ReplyNotBuilt(c, frame->name, Status::Busy(BudgetRefusal(frame->name, reserved)));
  wire::BootstrapPage page;
  if (c->bootstrap == nullptr || r.server_version != c->bootstrap->version()) {
    c->bootstrap.reset();
    Result<std::unique_ptr<StateSnapshot>> snapshot = store_->NewSnapshot();
    if (!snapshot.ok()) {
      SendError(c, wire::ErrorCode::kServerError, snapshot.status().ToString());
      return false;
    }
    c->bootstrap = std::move(snapshot).value();
  }
  // A resumed bootstrap (on this connection or a new one) continues after
  // its key only if the state it started from is the one the snapshot shows.
  const bool resumed = r.server_version == c->bootstrap->version();
  page.server_version = c->bootstrap->version();
  Result<Lsn> highest = c->bootstrap->ClientHighestLsn(c->client_id);
  Status s = highest.ok() ? c->bootstrap->ReadStatePage(
                                resumed ? std::string_view(r.after_key) : std::string_view(),
                                options_.bootstrap_page_bytes, &page)
                          : highest.status();
  if (!s.ok()) {
    c->bootstrap.reset();
    SendError(c, wire::ErrorCode::kServerError, s.ToString());
    return false;
  }
  page.client_highest_lsn = *highest;
  page.chain_hash = DigestBytes(c->bootstrap->chain_hash());
  if (Status encoded = EncodeCharged(page, *frame); !encoded.ok())
    return ReplyNotBuilt(c, frame->name, encoded);
  if (page.last) c->bootstrap.reset();
  c->outbox.push_back(std::move(frame));
  return true;
}

}  // namespace journaldb::server
