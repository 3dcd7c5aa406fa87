// AsyncConnection: one accepted sync connection on the server's event loop
// (Boost.Asio), with the asynchronous frame I/O the server needs against
// untrusted peers: every read and write has a deadline (a timer that
// cancels the socket's operation), a frame's length is checked before its
// body is read, and the body's buffer grows as bytes arrive, taken from the
// server's budget for frames in flight (sync::FrameReadLimits, the same
// rules and messages as the blocking sync::Socket::ReadFrame).
//
//   auto c = std::make_shared<AsyncConnection>(std::move(socket));
//   Result<std::string> body = co_await ReadFrame(*c, limits, &lease);
//   Status sent = co_await WriteAll(*c, frame, deadline);
//
// Thread safety: a connection is used only on its strand (the executor of
// its socket): its coroutine and every handler posted to it.
#ifndef JOURNALDB_SERVER_ASYNC_CONNECTION_H_
#define JOURNALDB_SERVER_ASYNC_CONNECTION_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including it.
// clang-format off
#include <utility>
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "async_tls.h"
#include "journaldb/protocol/byte_budget.h"
#include "journaldb/protocol/socket.h"
#include "journaldb/status.h"
#include "outbound_frame.h"

namespace journaldb::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct AsyncConnection : std::enable_shared_from_this<AsyncConnection> {
  using Clock = std::chrono::steady_clock;

  explicit AsyncConnection(tcp::socket s)
      : socket(std::move(s)), deadline(socket.get_executor()), park(socket.get_executor()) {}

  // Cancels every operation in progress and closes the socket. On the strand.
  void Close();

  tcp::socket socket;
  // Set once the TLS handshake began: every later read and write uses it.
  std::unique_ptr<AsyncTls> tls;
  // Cuts the read or write in progress when it passes (Arm/Disarm).
  asio::steady_timer deadline;
  uint64_t deadline_generation = 0;
  bool timed_out = false;
  // What a parked coroutine waits on (a download's long poll, an upload's
  // group commit); cancelled to wake it.
  asio::steady_timer park;
  // Bytes already read that belong to the next frame (a byte that ended a
  // download's wait).
  std::string pushback;
  // Frames to send, in order; each is given up once sent (Server::Flush).
  std::vector<SharedFrame> outbox;
};

// Reads exactly n bytes by `deadline`; `clean_eof` is set when the peer
// closed before the first byte. I/O errors as sync::Socket's.
asio::awaitable<Status> ReadExactly(AsyncConnection& c, char* out, size_t n, bool* clean_eof,
                                    AsyncConnection::Clock::time_point deadline, const char* what);

// One frame's body within `limits`, its bytes taken from `*lease` (kept by
// the caller while it holds the body); the statuses of sync::Socket::ReadFrame.
asio::awaitable<Result<std::string>> ReadFrame(AsyncConnection& c,
                                               const sync::FrameReadLimits& limits,
                                               sync::ByteBudget::Lease* lease);

// Starts TLS on `c` with `context` (c.tls) and runs the server's handshake
// by `deadline`; `first_bytes` were already read off the socket.
asio::awaitable<Status> TlsHandshake(AsyncConnection& c, asio::ssl::context& context,
                                     std::string_view first_bytes,
                                     AsyncConnection::Clock::time_point deadline);

// Reads at most one byte into `*out` without a deadline and then calls
// `done(ec, n)` on the strand (a long poll's watch for the client's next
// frame); cancelling the socket's operations ends it.
void StartReadOne(AsyncConnection& c, std::shared_ptr<char> out,
                  std::function<void(const boost::system::error_code&, size_t)> done);

// Writes `bytes` by `deadline`; an I/O error naming why if it cannot.
asio::awaitable<Status> WriteAll(AsyncConnection& c, std::string_view bytes,
                                 AsyncConnection::Clock::time_point deadline);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_ASYNC_CONNECTION_H_
