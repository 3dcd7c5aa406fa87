#include "journaldb/protocol/tls.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

namespace journaldb::sync {

std::string TlsErrorText(const char* fallback) {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? fallback : text;
}

namespace {

int SendNoSignal(BIO* bio, const char* data, int len) {
  BIO_clear_retry_flags(bio);
  int fd = -1;
  BIO_get_fd(bio, &fd);
  ssize_t n = ::send(fd, data, static_cast<size_t>(len), MSG_NOSIGNAL);
  if (n < 0 && BIO_sock_should_retry(-1)) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

}  // namespace

BIO_METHOD* NewNoSignalSocketMethod(const char* name, int (*read)(BIO*, char*, int)) {
  const BIO_METHOD* base = BIO_s_socket();
  BIO_METHOD* m = BIO_meth_new(BIO_TYPE_SOCKET, name);
  BIO_meth_set_create(m, BIO_meth_get_create(base));
  BIO_meth_set_destroy(m, BIO_meth_get_destroy(base));
  BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(base));
  BIO_meth_set_read(m, read != nullptr ? read : BIO_meth_get_read(base));
  BIO_meth_set_puts(m, BIO_meth_get_puts(base));
  BIO_meth_set_write(m, SendNoSignal);
  return m;
}

namespace {

SSL_CTX* NewContext(const SSL_METHOD* method) {
  SSL_CTX* ctx = SSL_CTX_new(method);
  if (ctx == nullptr) return nullptr;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // A peer that closes without close_notify ends the stream like a clean
  // close: frames carry their length, so a cut inside one is still caught.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return ctx;
}

Status FileError(const char* what, const std::string& file) {
  return Status::InvalidArgument(
      fmt::format("TLS {} {}: {}", what, file, TlsErrorText("cannot be used")));
}

}  // namespace

Result<std::shared_ptr<const TlsContext>> TlsContext::ForServer(const std::string& cert_chain_file,
                                                                const std::string& key_file) {
  ERR_clear_error();
  SSL_CTX* ctx = NewContext(TLS_server_method());
  if (ctx == nullptr) return Status::IOError(TlsErrorText("cannot make a TLS context"));
  std::shared_ptr<const TlsContext> owned(new TlsContext(ctx, /*server=*/true));
  // No resumption: a ticket arriving after the handshake would make an idle
  // client's socket readable with nothing for it to read.
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_chain_file.c_str()) != 1)
    return FileError("certificate", cert_chain_file);
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 &&
      ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH)
    return FileError("key", key_file);
  if (ERR_peek_last_error() != 0 || SSL_CTX_check_private_key(ctx) != 1)
    return Status::InvalidArgument(fmt::format("TLS key {} does not belong to the certificate {}",
                                               key_file, cert_chain_file));
  return owned;
}

Result<std::shared_ptr<const TlsContext>> TlsContext::ForClient(const std::string& ca_file) {
  ERR_clear_error();
  SSL_CTX* ctx = NewContext(TLS_client_method());
  if (ctx == nullptr) return Status::IOError(TlsErrorText("cannot make a TLS context"));
  std::shared_ptr<const TlsContext> owned(new TlsContext(ctx, /*server=*/false));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      return Status::IOError(TlsErrorText("cannot load the system's trusted certificates"));
  } else if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    return FileError("CA file", ca_file);
  }
  return owned;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace journaldb::sync
