// AsyncTls: the server's side of one TLS session, run by OpenSSL directly on
// the connection's non-blocking socket, waiting for readiness on the event
// loop. asio::ssl::stream keeps four buffers of about 17 KiB per connection
// for its whole life (its own two and a BIO pair); here the only record
// buffers are OpenSSL's, released whenever they are empty
// (SSL_MODE_RELEASE_BUFFERS), so an idle long-polling TLS connection holds
// little more than its SSL object (docs/server.md, "Idle clients").
//
//   auto tls = AsyncTls::Start(socket, ctx, first_bytes);   // accept state
//   error_code ec = co_await (*tls)->Handshake();
//   size_t n = co_await (*tls)->ReadSome(buf, sizeof buf, ec);  // 0, eof: closed
//
// Errors are error_codes as asio's (eof when the peer closed, OpenSSL's
// reasons in asio's ssl category, errno in the system category), so callers
// treat both transports alike. Thread safety: one operation at a time, on the
// connection's strand; cancelling the socket's operations (its deadline) ends
// a wait with operation_aborted and leaves the session usable.
#ifndef JOURNALDB_SERVER_ASYNC_TLS_H_
#define JOURNALDB_SERVER_ASYNC_TLS_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including it.
// clang-format off
#include <utility>
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "journaldb/status.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace journaldb::server {

class AsyncTls {
 public:
  using tcp = boost::asio::ip::tcp;
  using error_code = boost::system::error_code;

  // A server session on `socket` (made non-blocking); `first_bytes` were
  // already taken off the socket and are read by TLS first.
  static Result<std::unique_ptr<AsyncTls>> Start(tcp::socket& socket, SSL_CTX* ctx,
                                                 std::string_view first_bytes);
  ~AsyncTls();
  AsyncTls(const AsyncTls&) = delete;
  AsyncTls& operator=(const AsyncTls&) = delete;

  boost::asio::awaitable<error_code> Handshake();
  // Some bytes into `out`; `ec` is eof when the peer closed.
  boost::asio::awaitable<size_t> ReadSome(char* out, size_t n, error_code& ec);
  boost::asio::awaitable<error_code> WriteAll(std::string_view bytes);

 private:
  AsyncTls(tcp::socket& socket, SSL* ssl, std::string prefix)
      : socket_(socket), ssl_(ssl), prefix_(std::move(prefix)) {}
  // Waits for what the SSL call that returned `ret` asked for; its error if
  // it failed.
  boost::asio::awaitable<error_code> Await(int ret);

  tcp::socket& socket_;
  SSL* ssl_;
  // Bytes read off the socket before TLS began; the BIO serves them first.
  std::string prefix_;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_ASYNC_TLS_H_
