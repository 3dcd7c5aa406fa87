#include "journaldb/protocol/frame_read.h"

#include <fmt/format.h>

#include <algorithm>

namespace journaldb::sync {
namespace {

constexpr size_t kReadChunk = 64u << 10;

bool IsPeerClose(const Status& s) { return s.message().rfind("connection closed", 0) == 0; }

}  // namespace

FrameReadLimits::Clock::time_point FirstByteDeadline(const FrameReadLimits& limits) {
  return std::min(limits.first_byte_deadline, limits.frame_deadline);
}

FrameReadLimits::Clock::time_point FrameDeadline(const FrameReadLimits& limits) {
  if (limits.frame_timeout.count() <= 0) return limits.frame_deadline;
  return std::min(limits.frame_deadline, FrameReadLimits::Clock::now() + limits.frame_timeout);
}

Result<uint32_t> FrameLength(const unsigned char (&prefix)[4], const FrameReadLimits& limits) {
  uint32_t n = uint32_t{prefix[0]} | (uint32_t{prefix[1]} << 8) | (uint32_t{prefix[2]} << 16) |
               (uint32_t{prefix[3]} << 24);
  if (n > limits.max_bytes)
    return Status::Corruption(fmt::format(
        "sync frame: announced {} bytes exceeds the {} byte limit", n, limits.max_bytes));
  return n;
}

Status GrowFrameBody(std::string* body, uint32_t n, ByteBudget::Lease* lease) {
  const size_t size = body->size() + std::min<size_t>(n - body->size(), kReadChunk);
  if (size > body->capacity()) {
    // The budget is charged the memory the body holds, its capacity. Growing
    // in place at least doubles it (libstdc++ takes the larger of what is
    // asked and twice the old), which could hold up to twice the frame; once
    // doubling would pass the frame's length, a fresh string gets exactly
    // that length (a string's first allocation is what it asks for).
    const size_t held = body->empty() ? 0 : body->capacity();
    const bool last = 2 * held >= n;
    const size_t capacity = last ? n : std::max(size, 2 * held);
    auto over = [n] {
      return Status::Busy(fmt::format(
          "sync frame: {} bytes would exceed the server's budget for frames in flight", n));
    };
    if (!lease->Grow(capacity - held)) return over();
    if (last) {
      std::string exact;
      exact.reserve(capacity);
      exact.append(*body);
      body->swap(exact);
    } else {
      body->reserve(capacity);
    }
    if (body->capacity() > capacity && !lease->Grow(body->capacity() - capacity)) return over();
  }
  body->resize(size);
  return Status::OK();
}

Status TruncatedLength(const Status& read) {
  if (!IsPeerClose(read)) return read;
  return Status::Corruption(fmt::format("sync frame: truncated length: {}", read.message()));
}

Status TruncatedBody(const Status& read, uint32_t n) {
  if (!IsPeerClose(read)) return read;
  return Status::Corruption(
      fmt::format("sync frame: truncated: the connection closed inside a frame of {} bytes", n));
}

}  // namespace journaldb::sync
