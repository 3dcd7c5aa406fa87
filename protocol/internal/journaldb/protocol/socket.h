// TCP sockets carrying length-prefixed frames: a 4-byte little-endian body
// length, then the body (docs/protocol.md). Private to the engine and the
// reference server.
//
// Thread safety: one thread reads and one thread writes a Socket at a time;
// Shutdown() may be called from any thread to wake a blocked reader.
#ifndef JOURNALDB_PROTOCOL_SOCKET_H_
#define JOURNALDB_PROTOCOL_SOCKET_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "journaldb/protocol/byte_budget.h"
#include "journaldb/protocol/wire_codec.h"
#include "journaldb/status.h"

namespace journaldb::sync {

class TlsContext;  // journaldb/protocol/tls.h
class TlsStream;

// "host:port" split; invalid-argument if malformed.
Result<std::pair<std::string, uint16_t>> ParseAddress(std::string_view address);

// `body` with its length prefix. REQUIRES: body.size() <= wire::kMaxFrameBytes.
std::string EncodeFrame(std::string_view body);

// What one ReadFrame may take, for a server facing untrusted peers. The
// defaults: the protocol's frame limit, no deadlines (the receive timeout
// alone applies), no budget.
struct FrameReadLimits {
  using Clock = std::chrono::steady_clock;
  // A longer announced length is refused before any of its body is read.
  uint32_t max_bytes = wire::kMaxFrameBytes;
  // The frame's first byte must arrive by then (the idle timeout).
  Clock::time_point first_byte_deadline = Clock::time_point::max();
  // The whole frame must have arrived by then (a hello's deadline) ...
  Clock::time_point frame_deadline = Clock::time_point::max();
  // ... and within this long of its first byte. 0: no limit.
  std::chrono::milliseconds frame_timeout{0};
  // The body's bytes are taken from it as they arrive; a frame that would
  // exceed what is left is refused as busy. Not owned; may be null.
  ByteBudget* budget = nullptr;
};

class Socket {
 public:
  using Clock = std::chrono::steady_clock;

  Socket();
  explicit Socket(int fd);
  Socket(Socket&& o) noexcept;
  Socket& operator=(Socket&& o) noexcept;
  ~Socket();

  // Connects to "host:port". I/O error if nobody listens.
  static Result<Socket> Connect(std::string_view address);

  // Runs a TLS handshake by `deadline`; every later read and write goes
  // through TLS. As a client (a client context) the server's certificate
  // must be trusted and name `host`. Failed-precondition for an untrusted
  // certificate, I/O error for other failures (the socket is then unusable).
  Status StartTls(const TlsContext& context, std::string_view host,
                  Clock::time_point deadline = Clock::time_point::max());
  bool tls() const { return tls_ != nullptr; }
  // Bytes TLS has already taken off the socket: a poll on fd() does not
  // see them, so check this first.
  bool HasBufferedBytes() const;

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // A receive that waits longer than this fails with an I/O error. 0: forever.
  void SetReceiveTimeout(uint32_t ms);
  // A send that waits longer than this (a peer that does not read) fails
  // with an I/O error. 0: forever.
  void SetSendTimeout(uint32_t ms);

  Status WriteFrame(std::string_view body);
  // Corruption if the announced length exceeds `max_bytes` (the body is not
  // read); I/O error if the peer closed or the read failed.
  Result<std::string> ReadFrame(uint32_t max_bytes = wire::kMaxFrameBytes);
  // The same within `limits`: the body's buffer grows as bytes arrive (an
  // announced length costs nothing until it is sent), taking them from
  // `*lease`, which the caller keeps while it holds the body. Also an I/O
  // error ("timed out") when a deadline passes, and busy when the budget is
  // spent.
  Result<std::string> ReadFrame(const FrameReadLimits& limits, ByteBudget::Lease* lease);
  // Raw bytes, for tests that speak malformed frames.
  Status WriteAll(std::string_view bytes);

  // Wakes blocked reads and writes on this socket; they fail. Idempotent.
  void Shutdown();
  void Close();

 private:
  // Some bytes into `out` by `deadline` (*got == 0: the peer closed).
  Status ReceiveSome(char* out, size_t n, size_t* got, Clock::time_point deadline,
                     const char* what);
  Status ReadExactly(char* out, size_t n, bool* clean_eof,
                     Clock::time_point deadline = Clock::time_point::max(), const char* what = "");
  // `deadline`, or sooner by the receive (send) timeout if one is set.
  Clock::time_point ReceiveDeadline(Clock::time_point deadline) const;
  Clock::time_point SendDeadline() const;

  int fd_ = -1;
  uint32_t receive_timeout_ms_ = 0;
  uint32_t send_timeout_ms_ = 0;
  std::unique_ptr<TlsStream> tls_;
};

Status SendMessage(Socket& s, const wire::Message& m);
// ReadFrame + DecodeMessage.
Result<wire::Message> ReceiveMessage(Socket& s);

class Listener {
 public:
  // Binds "host:port" (port 0: any free port) and listens.
  static Result<Listener> Listen(std::string_view address);
  Listener() = default;
  Listener(Listener&& o) noexcept : fd_(o.fd_), port_(o.port_) { o.fd_ = -1; }
  Listener& operator=(Listener&& o) noexcept;
  ~Listener();
  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  // Blocks until a peer connects; `peer` gets "ip:port".
  Result<Socket> Accept(std::string* peer);

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace journaldb::sync

#endif  // JOURNALDB_PROTOCOL_SOCKET_H_
