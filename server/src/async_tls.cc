#include "async_tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>

#include "journaldb/protocol/tls.h"

namespace journaldb::server {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// The socket BIO's read, serving first the bytes read before TLS began (its
// data pointer: the session's prefix); writes are the protocol's, with
// send(MSG_NOSIGNAL).
int ReadPrefixThenSocket(BIO* bio, char* out, int len) {
  BIO_clear_retry_flags(bio);
  auto* prefix = static_cast<std::string*>(BIO_get_data(bio));
  if (prefix != nullptr && !prefix->empty()) {
    size_t n = std::min(prefix->size(), static_cast<size_t>(len));
    std::memcpy(out, prefix->data(), n);
    prefix->erase(0, n);
    return static_cast<int>(n);
  }
  int fd = -1;
  BIO_get_fd(bio, &fd);
  errno = 0;
  ssize_t n = ::recv(fd, out, static_cast<size_t>(len), 0);
  if (n < 0 && BIO_sock_should_retry(-1)) BIO_set_retry_read(bio);
  // As OpenSSL's socket BIO: the end of the stream is marked for SSL's
  // "unexpected EOF" check.
  if (n == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
  return static_cast<int>(n);
}

BIO_METHOD* SocketMethod() {
  static BIO_METHOD* const method =
      sync::NewNoSignalSocketMethod("journal-server socket", ReadPrefixThenSocket);
  return method;
}

}  // namespace

Result<std::unique_ptr<AsyncTls>> AsyncTls::Start(tcp::socket& socket, SSL_CTX* ctx,
                                                  std::string_view first_bytes) {
  ERR_clear_error();
  error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) return Status::IOError("TLS: cannot make the socket non-blocking: " + ec.message());
  SSL* ssl = SSL_new(ctx);
  BIO* bio = ssl != nullptr ? BIO_new(SocketMethod()) : nullptr;
  if (bio == nullptr) {
    SSL_free(ssl);
    return Status::IOError(sync::TlsErrorText("cannot start a TLS session"));
  }
  std::unique_ptr<AsyncTls> tls(new AsyncTls(socket, ssl, std::string(first_bytes)));
  BIO_set_fd(bio, socket.native_handle(), BIO_NOCLOSE);
  BIO_set_data(bio, &tls->prefix_);
  SSL_set_bio(ssl, bio, bio);
  SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
  SSL_set_accept_state(ssl);
  return tls;
}

AsyncTls::~AsyncTls() { SSL_free(ssl_); }

asio::awaitable<error_code> AsyncTls::Await(int ret) {
  const int saved_errno = errno;
  error_code ec;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      co_await socket_.async_wait(tcp::socket::wait_read,
                                  asio::redirect_error(asio::use_awaitable, ec));
      co_return ec;
    case SSL_ERROR_WANT_WRITE:
      co_await socket_.async_wait(tcp::socket::wait_write,
                                  asio::redirect_error(asio::use_awaitable, ec));
      co_return ec;
    case SSL_ERROR_ZERO_RETURN:
      co_return asio::error::eof;
    case SSL_ERROR_SYSCALL:
      if (unsigned long e = ERR_get_error(); e != 0)
        co_return error_code(static_cast<int>(e), asio::error::get_ssl_category());
      if (saved_errno == 0) co_return asio::error::eof;
      co_return error_code(saved_errno, asio::error::get_system_category());
    default: {
      unsigned long e = ERR_get_error();
      ERR_clear_error();
      if (e == 0) co_return asio::error::fault;
      co_return error_code(static_cast<int>(e), asio::error::get_ssl_category());
    }
  }
}

asio::awaitable<error_code> AsyncTls::Handshake() {
  for (;;) {
    ERR_clear_error();
    int ret = SSL_do_handshake(ssl_);
    if (ret == 1) co_return error_code();
    if (error_code ec = co_await Await(ret); ec) co_return ec;
  }
}

asio::awaitable<size_t> AsyncTls::ReadSome(char* out, size_t n, error_code& ec) {
  for (;;) {
    ERR_clear_error();
    size_t got = 0;
    int ret = SSL_read_ex(ssl_, out, n, &got);
    if (ret == 1) {
      ec = error_code();
      co_return got;
    }
    ec = co_await Await(ret);
    if (ec) co_return 0;
  }
}

asio::awaitable<error_code> AsyncTls::WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    ERR_clear_error();
    size_t wrote = 0;
    int ret = SSL_write_ex(ssl_, bytes.data(), bytes.size(), &wrote);
    if (ret == 1) {
      bytes.remove_prefix(wrote);
      continue;
    }
    if (error_code ec = co_await Await(ret); ec) co_return ec;
  }
  co_return error_code();
}

}  // namespace journaldb::server
