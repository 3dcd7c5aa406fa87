#include "journaldb/protocol/socket.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>

#include "journaldb/journal/util/errno_status.h"
#include "journaldb/journal/util/parse_number.h"
#include "journaldb/protocol/frame_read.h"
#include "tls_stream.h"

namespace journaldb::sync {

Result<std::pair<std::string, uint16_t>> ParseAddress(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size())
    return Status::InvalidArgument(fmt::format("address \"{}\" is not HOST:PORT", address));
  const std::string_view port = address.substr(colon + 1);
  Result<uint64_t> number = util::ParseUint64(port);
  if (!number.ok() || *number > std::numeric_limits<uint16_t>::max())
    return Status::InvalidArgument(fmt::format(
        "address \"{}\": the port {} is not a decimal number from 0 to 65535", address, port));
  return std::pair{std::string(address.substr(0, colon)), static_cast<uint16_t>(*number)};
}

Socket::Socket() = default;

Socket::Socket(int fd) : fd_(fd) {}

Socket::Socket(Socket&& o) noexcept
    : fd_(o.fd_),
      receive_timeout_ms_(o.receive_timeout_ms_),
      send_timeout_ms_(o.send_timeout_ms_),
      tls_(std::move(o.tls_)) {
  o.fd_ = -1;
}

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    Close();
    fd_ = o.fd_;
    receive_timeout_ms_ = o.receive_timeout_ms_;
    send_timeout_ms_ = o.send_timeout_ms_;
    tls_ = std::move(o.tls_);
    o.fd_ = -1;
  }
  return *this;
}

Socket::~Socket() { Close(); }

void Socket::Close() {
  tls_.reset();  // before the fd it speaks over
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status Socket::StartTls(const TlsContext& context, std::string_view host,
                        Clock::time_point deadline) {
  if (tls_ != nullptr) return Status::FailedPrecondition("TLS: the socket already speaks TLS");
  auto stream = TlsStream::Handshake(fd_, context, host, ReceiveDeadline(deadline));
  if (!stream.ok()) return stream.status();
  tls_ = std::move(stream).value();
  return Status::OK();
}

void Socket::Shutdown() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

Result<Socket> Socket::Connect(std::string_view address) {
  auto parsed = ParseAddress(address);
  if (!parsed.ok()) return parsed.status();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(parsed->second);
  if (int rc = ::getaddrinfo(parsed->first.c_str(), port.c_str(), &hints, &res); rc != 0)
    return Status::IOError(fmt::format("resolve {}: {}", address, gai_strerror(rc)));
  std::string last_error = "no addresses";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    Socket s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!s.valid()) {
      last_error = util::ErrnoMessage("socket", {}, errno);
      continue;
    }
    if (::connect(s.fd(), a->ai_addr, a->ai_addrlen) != 0) {
      last_error = util::ErrnoMessage("connect", {}, errno);
      continue;
    }
    int one = 1;
    ::setsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::freeaddrinfo(res);
    return s;
  }
  ::freeaddrinfo(res);
  return Status::IOError(fmt::format("connect to {}: {}", address, last_error));
}

namespace {
void SetTimeout(int fd, int option, uint32_t ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}
}  // namespace

void Socket::SetReceiveTimeout(uint32_t ms) {
  receive_timeout_ms_ = ms;
  SetTimeout(fd_, SO_RCVTIMEO, ms);
}

void Socket::SetSendTimeout(uint32_t ms) {
  send_timeout_ms_ = ms;
  SetTimeout(fd_, SO_SNDTIMEO, ms);
}

bool Socket::HasBufferedBytes() const { return tls_ != nullptr && tls_->HasBuffered(); }

Socket::Clock::time_point Socket::ReceiveDeadline(Clock::time_point deadline) const {
  if (receive_timeout_ms_ == 0) return deadline;
  return std::min(deadline, Clock::now() + std::chrono::milliseconds(receive_timeout_ms_));
}

Socket::Clock::time_point Socket::SendDeadline() const {
  if (send_timeout_ms_ == 0) return Clock::time_point::max();
  return Clock::now() + std::chrono::milliseconds(send_timeout_ms_);
}

Status Socket::WriteAll(std::string_view bytes) {
  // The TLS socket is non-blocking: its waits are bounded by deadlines.
  if (tls_ != nullptr) return tls_->Write(bytes.data(), bytes.size(), SendDeadline());
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::IOError("send timed out");
      return util::ErrnoStatus("send");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

std::string EncodeFrame(std::string_view body) {
  auto n = static_cast<uint32_t>(body.size());
  char prefix[4] = {static_cast<char>(n & 0xFF), static_cast<char>((n >> 8) & 0xFF),
                    static_cast<char>((n >> 16) & 0xFF), static_cast<char>((n >> 24) & 0xFF)};
  std::string frame;
  frame.reserve(4 + body.size());
  frame.append(prefix, 4);
  frame.append(body);
  return frame;
}

Status Socket::WriteFrame(std::string_view body) {
  if (body.size() > wire::kMaxFrameBytes)
    return Status::InvalidArgument(fmt::format("frame of {} bytes exceeds the {} byte limit",
                                               body.size(), wire::kMaxFrameBytes));
  // One buffer, one send: small frames go out in one segment.
  return WriteAll(EncodeFrame(body));
}

namespace {
using Clock = FrameReadLimits::Clock;

// Waits until `fd` has bytes (or EOF) to read; an I/O error naming `what`
// when `deadline` passes first. No wait without a deadline: the blocking
// recv and its receive timeout do the waiting.
Status WaitReadable(int fd, Clock::time_point deadline, const char* what) {
  if (deadline == Clock::time_point::max()) return Status::OK();
  for (;;) {
    Clock::time_point now = Clock::now();
    if (now >= deadline) return Status::IOError(fmt::format("receive timed out: {}", what));
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    pollfd readable{fd, POLLIN, 0};
    int n = ::poll(&readable, 1, static_cast<int>(std::min<int64_t>(left, 60000)));
    if (n > 0) return Status::OK();
    if (n < 0 && errno != EINTR) return util::ErrnoStatus("poll");
  }
}

}  // namespace

Status Socket::ReceiveSome(char* out, size_t n, size_t* got, Clock::time_point deadline,
                           const char* what) {
  if (tls_ != nullptr) {
    // Bytes TLS already decrypted wait for no socket event.
    return tls_->Read(out, n, got, tls_->HasBuffered() ? Clock::time_point::max()
                                                       : ReceiveDeadline(deadline),
                      what);
  }
  for (;;) {
    if (Status s = WaitReadable(fd_, deadline, what); !s.ok()) return s;
    ssize_t r = ::recv(fd_, out, n, 0);
    if (r >= 0) {
      *got = static_cast<size_t>(r);
      return Status::OK();
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::IOError("receive timed out");
    return util::ErrnoStatus("recv");
  }
}

// Reads exactly n bytes by `deadline`. `clean_eof` is set when the peer
// closed before the first byte.
Status Socket::ReadExactly(char* out, size_t n, bool* clean_eof, Clock::time_point deadline,
                           const char* what) {
  size_t got = 0;
  while (got < n) {
    size_t r = 0;
    if (Status s = ReceiveSome(out + got, n - got, &r, deadline, what); !s.ok()) return s;
    if (r == 0) {
      if (clean_eof) *clean_eof = got == 0;
      return Status::IOError(got == 0
                                 ? "connection closed by peer"
                                 : fmt::format("connection closed after {} of {} bytes", got, n));
    }
    got += r;
  }
  return Status::OK();
}

Result<std::string> Socket::ReadFrame(uint32_t max_bytes) {
  FrameReadLimits limits;
  limits.max_bytes = max_bytes;
  ByteBudget::Lease unlimited;
  return ReadFrame(limits, &unlimited);
}

Result<std::string> Socket::ReadFrame(const FrameReadLimits& limits, ByteBudget::Lease* lease) {
  unsigned char prefix[4];
  bool clean_eof = false;
  Status s = ReadExactly(reinterpret_cast<char*>(prefix), 1, &clean_eof, FirstByteDeadline(limits),
                         kNoFrameBegan);
  if (!s.ok()) return s;
  const Clock::time_point frame_end = FrameDeadline(limits);
  s = ReadExactly(reinterpret_cast<char*>(prefix) + 1, 3, nullptr, frame_end, kFrameLate);
  if (!s.ok()) return TruncatedLength(s);
  Result<uint32_t> n = FrameLength(prefix, limits);
  if (!n.ok()) return n.status();
  std::string body;
  while (body.size() < *n) {
    const size_t at = body.size();
    if (s = GrowFrameBody(&body, *n, lease); !s.ok()) return s;
    s = ReadExactly(body.data() + at, body.size() - at, nullptr, frame_end, kFrameLate);
    if (!s.ok()) return TruncatedBody(s, *n);
  }
  return body;
}

Status SendMessage(Socket& s, const wire::Message& m) {
  return s.WriteFrame(wire::EncodeMessage(m));
}

Result<wire::Message> ReceiveMessage(Socket& s) {
  Result<std::string> body = s.ReadFrame();
  if (!body.ok()) return body.status();
  return wire::DecodeMessage(*body);
}

Result<Listener> Listener::Listen(std::string_view address) {
  auto parsed = ParseAddress(address);
  if (!parsed.ok()) return parsed.status();
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(parsed->second);
  if (::inet_pton(AF_INET, parsed->first.c_str(), &sa.sin_addr) != 1)
    return Status::InvalidArgument(
        fmt::format("listen address {}: host must be an IPv4 address", address));
  Listener l;
  l.fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l.fd_ < 0) return util::ErrnoStatus("socket");
  int one = 1;
  ::setsockopt(l.fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(l.fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return util::ErrnoStatus("bind", address);
  // The longest queue the kernel allows: a burst of connects waits to be
  // accepted instead of being dropped (and retried a second later).
  if (::listen(l.fd_, SOMAXCONN) != 0) return util::ErrnoStatus("listen");
  socklen_t len = sizeof sa;
  if (::getsockname(l.fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    return util::ErrnoStatus("getsockname");
  l.port_ = ntohs(sa.sin_port);
  return l;
}

Listener& Listener::operator=(Listener&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    port_ = o.port_;
    o.fd_ = -1;
  }
  return *this;
}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
}

Result<Socket> Listener::Accept(std::string* peer) {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  int fd;
  do {
    fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return util::ErrnoStatus("accept");
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (peer) {
    char ip[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
    *peer = fmt::format("{}:{}", ip, ntohs(sa.sin_port));
  }
  return Socket(fd);
}

}  // namespace journaldb::sync
