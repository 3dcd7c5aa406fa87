#include "tls_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "journaldb/journal/util/errno_status.h"

namespace journaldb::sync {
namespace {

BIO_METHOD* SocketMethod() {
  static BIO_METHOD* const method = NewNoSignalSocketMethod("journaldb socket");
  return method;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

Result<std::unique_ptr<TlsStream>> TlsStream::Handshake(int fd, const TlsContext& ctx,
                                                        std::string_view host,
                                                        Clock::time_point deadline) {
  ERR_clear_error();
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
    return util::ErrnoStatus("fcntl(O_NONBLOCK)");
  SSL* ssl = SSL_new(ctx.native());
  BIO* bio = ssl != nullptr ? BIO_new(SocketMethod()) : nullptr;
  if (bio == nullptr) {
    SSL_free(ssl);
    return Status::IOError(TlsErrorText("cannot start a TLS session"));
  }
  BIO_set_fd(bio, fd, BIO_NOCLOSE);
  SSL_set_bio(ssl, bio, bio);
  std::unique_ptr<TlsStream> stream(new TlsStream(ssl, fd));
  const std::string name(host);
  if (ctx.is_server()) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    bool named = IsIpAddress(name) ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) == 1
                                   : (SSL_set_tlsext_host_name(ssl, name.c_str()) == 1 &&
                                      SSL_set1_host(ssl, name.c_str()) == 1);
    if (!named)
      return Status::InvalidArgument(fmt::format("TLS: cannot verify the host name \"{}\"", name));
  }
  for (;;) {
    int ret = SSL_do_handshake(ssl);
    if (ret == 1) return stream;
    long verify = SSL_get_verify_result(ssl);
    if (!ctx.is_server() && verify != X509_V_OK) {
      ERR_clear_error();
      return Status::FailedPrecondition(
          fmt::format("TLS: the server's certificate is not trusted for {}: {}", name,
                      X509_verify_cert_error_string(verify)));
    }
    if (Status s = stream->Await(ret, deadline, "TLS handshake", "the TLS handshake did not finish");
        !s.ok())
      return s;
  }
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

bool TlsStream::HasBuffered() const { return SSL_pending(ssl_) > 0; }

Status TlsStream::Await(int ret, Clock::time_point deadline, const char* op, const char* what) {
  int error = SSL_get_error(ssl_, ret);
  short events = 0;
  switch (error) {
    case SSL_ERROR_WANT_READ:
      events = POLLIN;
      break;
    case SSL_ERROR_WANT_WRITE:
      events = POLLOUT;
      break;
    case SSL_ERROR_ZERO_RETURN:
      return Status::IOError(fmt::format("{}: connection closed by peer", op));
    case SSL_ERROR_SYSCALL:
      if (errno == EINTR) return Status::OK();
      if (errno == 0) return Status::IOError(fmt::format("{}: connection closed by peer", op));
      return util::ErrnoStatus(op);
    default:
      return Status::IOError(fmt::format("{}: {}", op, TlsErrorText("protocol error")));
  }
  for (;;) {
    int timeout = -1;
    if (deadline != Clock::time_point::max()) {
      Clock::time_point now = Clock::now();
      if (now >= deadline) return Status::IOError(fmt::format("{} timed out: {}", op, what));
      timeout = static_cast<int>(std::min<int64_t>(
          std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count(), 60000));
    }
    pollfd p{fd_, events, 0};
    int n = ::poll(&p, 1, timeout);
    if (n > 0) return Status::OK();
    if (n < 0 && errno != EINTR) return util::ErrnoStatus("poll");
  }
}

Status TlsStream::Read(char* out, size_t n, size_t* got, Clock::time_point deadline,
                       const char* what) {
  for (;;) {
    ERR_clear_error();
    int ret = SSL_read_ex(ssl_, out, n, got);
    if (ret == 1) return Status::OK();
    if (SSL_get_error(ssl_, ret) == SSL_ERROR_ZERO_RETURN ||
        (SSL_get_error(ssl_, ret) == SSL_ERROR_SYSCALL && errno == 0)) {
      *got = 0;  // the peer closed
      return Status::OK();
    }
    if (Status s = Await(ret, deadline, "receive", what); !s.ok()) return s;
  }
}

Status TlsStream::Write(const char* in, size_t n, Clock::time_point deadline) {
  while (n > 0) {
    ERR_clear_error();
    size_t put = 0;
    int ret = SSL_write_ex(ssl_, in, n, &put);
    if (ret == 1) {
      in += put;
      n -= put;
      continue;
    }
    if (Status s = Await(ret, deadline, "send", "the peer does not read"); !s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace journaldb::sync
