// TCP sockets carrying length-prefixed frames: a 4-byte little-endian body
// length, then the body (docs/protocol.md). Private to the engine and the
// reference server.
//
// Thread safety: one thread reads and one thread writes a Socket at a time;
// Shutdown() may be called from any thread to wake a blocked reader.
#ifndef JOURNALDB_PROTOCOL_SOCKET_H_
#define JOURNALDB_PROTOCOL_SOCKET_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "journaldb/status.h"
#include "journaldb/protocol/wire_codec.h"

namespace journaldb::sync {

// "host:port" split; invalid-argument if malformed.
Result<std::pair<std::string, uint16_t>> ParseAddress(std::string_view address);

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept;
  ~Socket();

  // Connects to "host:port". I/O error if nobody listens.
  static Result<Socket> Connect(std::string_view address);

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // A receive that waits longer than this fails with an I/O error. 0: forever.
  void SetReceiveTimeout(uint32_t ms);

  Status WriteFrame(std::string_view body);
  // Corruption if the announced length exceeds `max_bytes` (the body is not
  // read); I/O error if the peer closed or the read failed.
  Result<std::string> ReadFrame(uint32_t max_bytes = wire::kMaxFrameBytes);
  // Raw bytes, for tests that speak malformed frames.
  Status WriteAll(std::string_view bytes);

  // Wakes blocked reads and writes on this socket; they fail. Idempotent.
  void Shutdown();
  void Close();

 private:
  int fd_ = -1;
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
