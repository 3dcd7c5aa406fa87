// One socket's TLS session: the handshake and record I/O over a
// non-blocking fd, every wait bounded by a deadline. Bytes go through a BIO
// of our own that sends with MSG_NOSIGNAL: OpenSSL's socket BIO write()s, and
// a peer that vanished would raise SIGPIPE in the embedding app.
#ifndef JOURNALDB_PROTOCOL_SRC_TLS_STREAM_H_
#define JOURNALDB_PROTOCOL_SRC_TLS_STREAM_H_

#include <chrono>
#include <memory>
#include <string_view>

#include "journaldb/protocol/tls.h"
#include "journaldb/status.h"

typedef struct ssl_st SSL;

namespace journaldb::sync {

class TlsStream {
 public:
  using Clock = std::chrono::steady_clock;

  // Makes `fd` non-blocking and runs the handshake by `deadline`. A client
  // checks that the server's certificate names `host` (a DNS name or an IP
  // address). Failed-precondition when the peer's certificate is not
  // trusted; I/O error when the handshake fails otherwise.
  static Result<std::unique_ptr<TlsStream>> Handshake(int fd, const TlsContext& ctx,
                                                      std::string_view host,
                                                      Clock::time_point deadline);
  ~TlsStream();

  // Up to n bytes into `out`; *got == 0 when the peer closed. An I/O error
  // "receive timed out: <what>" when `deadline` passes first.
  Status Read(char* out, size_t n, size_t* got, Clock::time_point deadline, const char* what);
  // All n bytes, or an I/O error ("send timed out" at `deadline`).
  Status Write(const char* in, size_t n, Clock::time_point deadline);
  // Decrypted bytes ready to read without waiting for the socket.
  bool HasBuffered() const;

 private:
  TlsStream(SSL* ssl, int fd) : ssl_(ssl), fd_(fd) {}
  // Waits for what the last call `ret` asked for; non-OK when it failed or
  // `deadline` passed.
  Status Await(int ret, Clock::time_point deadline, const char* op, const char* what);

  SSL* ssl_;
  int fd_;
};

}  // namespace journaldb::sync

#endif  // JOURNALDB_PROTOCOL_SRC_TLS_STREAM_H_
