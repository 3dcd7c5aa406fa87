#include "async_connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

namespace journaldb::server {

namespace {
using Clock = AsyncConnection::Clock;
using boost::system::error_code;

// Bodies are read into a buffer grown by at most this much at a time, so an
// announced length costs memory only as its bytes arrive.
constexpr size_t kReadChunk = 64u << 10;

// Starts the deadline of the next operation: when it passes, the socket's
// operations are cancelled and Disarm reports it. No deadline: nothing.
void Arm(AsyncConnection& c, Clock::time_point deadline) {
  c.timed_out = false;
  if (deadline == Clock::time_point::max()) return;
  uint64_t generation = ++c.deadline_generation;
  c.deadline.expires_at(deadline);
  c.deadline.async_wait([self = c.shared_from_this(), generation](const error_code& ec) {
    // A timer that fired after its operation ended belongs to no one.
    if (ec || generation != self->deadline_generation) return;
    self->timed_out = true;
    error_code ignored;
    self->socket.cancel(ignored);
  });
}

// Ends the deadline; true if it passed (the operation was cut).
bool Disarm(AsyncConnection& c) {
  ++c.deadline_generation;
  c.deadline.cancel();
  bool late = c.timed_out;
  c.timed_out = false;
  return late;
}

bool IsPeerClose(const Status& s) { return s.message().rfind("connection closed", 0) == 0; }

bool IsEof(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

// Some bytes into `out` by `deadline` (*got == 0: the peer closed).
asio::awaitable<Status> ReceiveSome(AsyncConnection& c, char* out, size_t n, size_t* got,
                                    Clock::time_point deadline, const char* what) {
  if (!c.pushback.empty()) {
    *got = std::min(n, c.pushback.size());
    std::memcpy(out, c.pushback.data(), *got);
    c.pushback.erase(0, *got);
    co_return Status::OK();
  }
  error_code ec;
  Arm(c, deadline);
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  *got = c.tls != nullptr ? co_await c.tls->ReadSome(out, n, ec)
                          : co_await c.socket.async_read_some(asio::buffer(out, n), token);
  if (Disarm(c)) co_return Status::IOError(fmt::format("receive timed out: {}", what));
  if (IsEof(ec)) {
    *got = 0;
    co_return Status::OK();
  }
  if (ec) co_return Status::IOError(fmt::format("recv: {}", ec.message()));
  co_return Status::OK();
}
}  // namespace

void AsyncConnection::Close() {
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  deadline.cancel();
  park.cancel();
}

asio::awaitable<Status> ReadExactly(AsyncConnection& c, char* out, size_t n, bool* clean_eof,
                                    Clock::time_point deadline, const char* what) {
  size_t got = 0;
  while (got < n) {
    size_t r = 0;
    if (Status s = co_await ReceiveSome(c, out + got, n - got, &r, deadline, what); !s.ok())
      co_return s;
    if (r == 0) {
      if (clean_eof) *clean_eof = got == 0;
      co_return Status::IOError(got == 0 ? "connection closed by peer"
                                         : fmt::format("connection closed after {} of {} bytes",
                                                       got, n));
    }
    got += r;
  }
  co_return Status::OK();
}

asio::awaitable<Result<std::string>> ReadFrame(AsyncConnection& c,
                                                const sync::FrameReadLimits& limits,
                                                sync::ByteBudget::Lease* lease) {
  unsigned char prefix[4];
  bool clean_eof = false;
  Status s = co_await ReadExactly(c, reinterpret_cast<char*>(prefix), 1, &clean_eof,
                                  std::min(limits.first_byte_deadline, limits.frame_deadline),
                                  "no frame began before the deadline");
  if (!s.ok()) co_return s;
  Clock::time_point frame_end = limits.frame_deadline;
  if (limits.frame_timeout.count() > 0)
    frame_end = std::min(frame_end, Clock::now() + limits.frame_timeout);
  constexpr const char* kLate = "the frame was not complete by its deadline";
  s = co_await ReadExactly(c, reinterpret_cast<char*>(prefix) + 1, 3, nullptr, frame_end, kLate);
  if (!s.ok()) {
    if (IsPeerClose(s))
      co_return Status::Corruption(fmt::format("sync frame: truncated length: {}", s.message()));
    co_return s;
  }
  uint32_t n = uint32_t{prefix[0]} | (uint32_t{prefix[1]} << 8) | (uint32_t{prefix[2]} << 16) |
               (uint32_t{prefix[3]} << 24);
  if (n > limits.max_bytes)
    co_return Status::Corruption(fmt::format(
        "sync frame: announced {} bytes exceeds the {} byte limit", n, limits.max_bytes));
  std::string body;
  while (body.size() < n) {
    size_t got = body.size();
    size_t more = std::min<size_t>(n - got, kReadChunk);
    if (!lease->Grow(more))
      co_return Status::Busy(fmt::format(
          "sync frame: {} bytes would exceed the server's budget for frames in flight", n));
    body.resize(got + more);
    s = co_await ReadExactly(c, body.data() + got, more, nullptr, frame_end, kLate);
    if (!s.ok()) {
      // The peer ended the stream inside a frame: a truncated frame.
      if (IsPeerClose(s))
        co_return Status::Corruption(fmt::format(
            "sync frame: truncated: the connection closed inside a frame of {} bytes", n));
      co_return s;
    }
  }
  co_return body;
}

asio::awaitable<Status> TlsHandshake(AsyncConnection& c, asio::ssl::context& context,
                                     std::string_view first_bytes, Clock::time_point deadline) {
  Result<std::unique_ptr<AsyncTls>> tls =
      AsyncTls::Start(c.socket, context.native_handle(), first_bytes);
  if (!tls.ok()) co_return tls.status();
  c.tls = std::move(tls).value();
  Arm(c, deadline);
  error_code ec = co_await c.tls->Handshake();
  if (Disarm(c))
    co_return Status::IOError("TLS handshake timed out: the TLS handshake did not finish");
  if (ec) co_return Status::IOError(fmt::format("TLS handshake: {}", ec.message()));
  co_return Status::OK();
}

void StartReadOne(AsyncConnection& c, std::shared_ptr<char> out,
                  std::function<void(const error_code&, size_t)> done) {
  if (c.tls == nullptr) {
    c.socket.async_read_some(asio::buffer(out.get(), 1),
                             [out, done = std::move(done)](const error_code& ec, size_t n) {
                               done(ec, n);
                             });
    return;
  }
  asio::co_spawn(
      c.socket.get_executor(),
      [self = c.shared_from_this(), out, done = std::move(done)]() -> asio::awaitable<void> {
        error_code ec;
        size_t n = co_await self->tls->ReadSome(out.get(), 1, ec);
        done(ec, n);
      },
      asio::detached);
}

asio::awaitable<Status> WriteAll(AsyncConnection& c, std::string_view bytes,
                                 Clock::time_point deadline) {
  error_code ec;
  Arm(c, deadline);
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  if (c.tls != nullptr)
    ec = co_await c.tls->WriteAll(bytes);
  else
    co_await asio::async_write(c.socket, asio::buffer(bytes.data(), bytes.size()), token);
  if (Disarm(c)) co_return Status::IOError("send timed out: the peer does not read");
  if (ec) co_return Status::IOError(fmt::format("send: {}", ec.message()));
  co_return Status::OK();
}

}  // namespace journaldb::server
