// The rules of reading one frame against untrusted peers, shared by the
// blocking Socket::ReadFrame and the server's asynchronous reader
// (server/src/async_connection.cc), so both refuse alike with the same
// messages: the first byte by FirstByteDeadline, the rest by FrameDeadline,
// the announced length checked before any body byte is read, the body grown
// a chunk at a time from the byte budget, and a peer that closes inside a
// frame reported as a truncated frame. The caller does the I/O:
//
//   read 1 byte by FirstByteDeadline(limits)         (kNoFrameBegan)
//   end = FrameDeadline(limits)
//   read 3 bytes by end (kFrameLate); on error: TruncatedLength(s)
//   Result<uint32_t> n = FrameLength(prefix, limits)
//   while (body.size() < *n) {
//     size_t at = body.size();
//     if (Status s = GrowFrameBody(&body, *n, lease); !s.ok()) return s;
//     read into body[at..] by end (kFrameLate); on error: TruncatedBody(s, *n)
//   }
#ifndef JOURNALDB_PROTOCOL_FRAME_READ_H_
#define JOURNALDB_PROTOCOL_FRAME_READ_H_

#include <cstdint>
#include <string>

#include "journaldb/protocol/byte_budget.h"
#include "journaldb/protocol/socket.h"
#include "journaldb/status.h"

namespace journaldb::sync {

inline constexpr const char* kNoFrameBegan = "no frame began before the deadline";
inline constexpr const char* kFrameLate = "the frame was not complete by its deadline";

// When the frame's first byte must have arrived.
FrameReadLimits::Clock::time_point FirstByteDeadline(const FrameReadLimits& limits);
// When the rest of the frame must have arrived, counted from now (its first byte).
FrameReadLimits::Clock::time_point FrameDeadline(const FrameReadLimits& limits);

// The body length the 4-byte little-endian prefix announces; corruption if
// it exceeds limits.max_bytes.
Result<uint32_t> FrameLength(const unsigned char (&prefix)[4], const FrameReadLimits& limits);

// Grows `body` toward `n` bytes by at most one read chunk (64 KiB), taken
// from `lease`: an announced length costs memory only as its bytes arrive.
// The lease is charged the body's capacity, which doubles as it grows and
// ends at n: a frame of n bytes costs n. Busy when the budget has no room.
Status GrowFrameBody(std::string* body, uint32_t n, ByteBudget::Lease* lease);

// A failed read of the length's last 3 bytes, or of body bytes of a frame of
// `n`: the peer closing there is a truncated frame (corruption); other
// errors are returned as they are.
Status TruncatedLength(const Status& read);
Status TruncatedBody(const Status& read, uint32_t n);

}  // namespace journaldb::sync

#endif  // JOURNALDB_PROTOCOL_FRAME_READ_H_
