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

#include "journaldb/protocol/frame_read.h"

namespace journaldb::server {

namespace {
using Clock = AsyncConnection::Clock;
using boost::system::error_code;

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
      co_return Status::IOError(
          got == 0 ? "connection closed by peer"
                   : fmt::format("connection closed after {} of {} bytes", got, n));
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
                                  sync::FirstByteDeadline(limits), sync::kNoFrameBegan);
  if (!s.ok()) co_return s;
  const Clock::time_point frame_end = sync::FrameDeadline(limits);
  s = co_await ReadExactly(c, reinterpret_cast<char*>(prefix) + 1, 3, nullptr, frame_end,
                           sync::kFrameLate);
  if (!s.ok()) co_return sync::TruncatedLength(s);
  Result<uint32_t> n = sync::FrameLength(prefix, limits);
  if (!n.ok()) co_return n.status();
  std::string body;
  while (body.size() < *n) {
    const size_t at = body.size();
    if (s = sync::GrowFrameBody(&body, *n, lease); !s.ok()) co_return s;
    s = co_await ReadExactly(c, body.data() + at, body.size() - at, nullptr, frame_end,
                             sync::kFrameLate);
    if (!s.ok()) co_return sync::TruncatedBody(s, *n);
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
    c.socket.async_read_some(
        asio::buffer(out.get(), 1),
        [out, done = std::move(done)](const error_code& ec, size_t n) { done(ec, n); });
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
