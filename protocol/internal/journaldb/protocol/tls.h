// TLS for sync connections (OpenSSL, TLS 1.2 or later). A server context
// holds the server's certificate chain and key; a client context verifies
// the server's certificate against a CA file (or the system's trust store)
// and that it names the host the client dialled (docs/protocol.md, "TLS").
// Socket::StartTls runs the handshake over a connected socket.
//
// Thread safety: a context is immutable once made and may be shared by any
// number of sockets and threads.
#ifndef JOURNALDB_PROTOCOL_TLS_H_
#define JOURNALDB_PROTOCOL_TLS_H_

#include <memory>
#include <string>

#include "journaldb/status.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct bio_st BIO;
typedef struct bio_method_st BIO_METHOD;

namespace journaldb::sync {

class TlsContext {
 public:
  // Invalid-argument naming the file when a file cannot be read or parsed,
  // or the key does not belong to the certificate.
  static Result<std::shared_ptr<const TlsContext>> ForServer(const std::string& cert_chain_file,
                                                             const std::string& key_file);
  // `ca_file` empty: the system's trust store.
  static Result<std::shared_ptr<const TlsContext>> ForClient(const std::string& ca_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  bool is_server() const { return server_; }
  SSL_CTX* native() const { return ctx_; }

 private:
  TlsContext(SSL_CTX* ctx, bool server) : ctx_(ctx), server_(server) {}
  SSL_CTX* ctx_;
  bool server_;
};

// OpenSSL's queued errors as one line (and the queue emptied); `fallback`
// when the queue is empty.
std::string TlsErrorText(const char* fallback);

// A new BIO method over a socket (BIO_set_fd) that writes with
// send(MSG_NOSIGNAL): OpenSSL's socket BIO write()s, and a peer that
// vanished would raise SIGPIPE in the embedding app. `read` replaces the
// socket's read when given. Callers keep one per kind for the process.
BIO_METHOD* NewNoSignalSocketMethod(const char* name, int (*read)(BIO*, char*, int) = nullptr);

}  // namespace journaldb::sync

#endif  // JOURNALDB_PROTOCOL_TLS_H_
