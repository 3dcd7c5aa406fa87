// The sync protocol's messages as plain C++ values, and their encoding into
// and verified decoding from frame bodies (schema/protocol.fbs,
// docs/protocol.md). Private to the engine and the reference server.
//
// DecodeMessage is the one place received bytes become messages: it checks
// the size, runs the FlatBuffers Verifier, range-checks the union type and
// enums by hand (the 2.0.8 Verifier does not) and verifies every nested
// journal entry and object with the journal codec. A fuzz target calls it.
#ifndef JOURNALDB_PROTOCOL_WIRE_CODEC_H_
#define JOURNALDB_PROTOCOL_WIRE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "journaldb/journal_entry.h"
#include "journaldb/operation.h"
#include "journaldb/status.h"

namespace journaldb::wire {

// Spoken by this build; a hello with another version gets UnsupportedVersion.
// Version 2 added the client secret: a hello without one cannot name a
// client id any more, so older peers are refused with UnsupportedVersion
// instead of failing later.
inline constexpr uint32_t kProtocolVersion = 2;
// Bytes of the secret a server issues with a client id.
inline constexpr size_t kClientSecretBytes = 32;
// Bytes of a chain hash (SHA-256; docs/protocol.md, "Rollback detection").
inline constexpr size_t kChainHashBytes = 32;
// Frames with a larger body are rejected before the body is read.
inline constexpr uint32_t kMaxFrameBytes = 16u << 20;

// Upper bounds of what an encoded message adds around the entries and objects
// it carries (FlatBuffers tables, vtables, offsets, alignment padding);
// tests/protocol/wire_codec_test.cc checks them against EncodeMessage.
// The frame table, the union and the message's own fields:
inline constexpr size_t kMessageOverheadBytes = 1024;
// Per entry of an upload, of a changesets reply, per object of a bootstrap page:
inline constexpr size_t kUploadEntryOverheadBytes = 64;
inline constexpr size_t kChangesetOverheadBytes = 128;
inline constexpr size_t kStateObjectOverheadBytes = 64;
// The most a reply may hold in EncodedSize() terms.
inline constexpr size_t kMaxReplyPayloadBytes = kMaxFrameBytes - kMessageOverheadBytes;
// The engine's commit limits are what makes every entry and object sendable.
static_assert(kMaxEntryBytes + kUploadEntryOverheadBytes <= kMaxReplyPayloadBytes);
static_assert(kMaxEntryBytes + kChangesetOverheadBytes <= kMaxReplyPayloadBytes);
static_assert(kMaxNameBytes + 1 + kMaxKeyBytes + kMaxObjectBytes + kStateObjectOverheadBytes <=
              kMaxReplyPayloadBytes);

// ErrorCode in protocol.fbs (wire_codec.cc checks the bound against it).
enum class ErrorCode : uint16_t {
  kNone = 0,
  kBadFrame = 1,
  kUnsupportedVersion = 2,
  kUnauthorized = 3,
  kWrongClient = 4,
  kBadCursor = 5,
  kClientReset = 6,
  kProtocolViolation = 7,
  kServerError = 8,
  kShuttingDown = 9,
  kBadClientSecret = 10,
};
inline constexpr uint16_t kMaxErrorCode = 10;

// ResetReason in protocol.fbs (wire_codec.cc checks the bound against it).
enum class ResetReason : uint16_t {
  kNone = 0,
  kUnknownClient = 1,
  kOperatorReset = 2,
  kEpochMismatch = 3,
  kHistoryTrimmed = 4,
  kServerRollback = 5,
  kUnverifiableClient = 6,
  kClientRollback = 7,
};
inline constexpr uint16_t kMaxResetReason = 7;

std::string_view ErrorCodeName(ErrorCode code);
std::string_view ResetReasonName(ResetReason reason);

struct Hello {
  uint32_t protocol_version = kProtocolVersion;
  std::string token;
  uint64_t client_id = 0;
  uint64_t epoch = 0;
  uint64_t download_cursor = 0;
  uint64_t upload_cursor = 0;
  std::string client_secret;  // empty with client id 0
  // The chain hash at download_cursor (kChainHashBytes), empty if unknown.
  std::string download_hash;
  // With client id 0: the secret the client file drew for its registration
  // (kClientSecretBytes), empty if it has none (the server issues one).
  std::string registration_secret;
};

struct HelloOk {
  uint64_t client_id = 0;
  uint64_t epoch = 0;
  uint64_t latest_version = 0;
  uint64_t horizon = 0;
  uint64_t highest_stored_lsn = 0;
  // Only in the answer to a registration: the client's secret (the hello's
  // registration secret if it had one).
  std::string client_secret;
};

struct Error {
  ErrorCode code = ErrorCode::kNone;
  std::string message;
  ResetReason reset_reason = ResetReason::kNone;
  uint64_t restored_latest_version = 0;
};

struct UploadEntry {
  Lsn lsn = 0;
  std::string bytes;   // the journal entry as stored
  JournalEntry entry;  // decoded and verified (filled by DecodeMessage)
};

struct Upload {
  uint64_t client_id = 0;
  std::vector<UploadEntry> entries;
};

struct Ack {
  Lsn lsn = 0;
  uint64_t server_version = 0;
};

struct UploadAck {
  Lsn highest_lsn = 0;
  std::vector<Ack> acks;
};

struct DownloadRequest {
  uint64_t from_version = 0;
  uint32_t wait_ms = 0;
};

struct Changeset {
  uint64_t server_version = 0;
  uint64_t origin_client = 0;
  Lsn origin_lsn = 0;
  int64_t server_time_us = 0;
  std::string bytes;   // the origin's journal entry
  JournalEntry entry;  // decoded and verified (filled by decoding)
};

struct Changesets {
  std::vector<Changeset> changesets;
  uint64_t latest_version = 0;
  // The chain hash at the last changeset's version (kChainHashBytes); empty
  // with no changesets.
  std::string chain_hash;
};

struct BootstrapRequest {
  uint64_t server_version = 0;
  std::string after_key;
};

struct StateObject {
  std::string key;    // state key: collection, NUL, primary key
  std::string bytes;  // the object as stored
  FieldMap fields;    // decoded and verified (filled by DecodeMessage)
};

struct BootstrapPage {
  uint64_t server_version = 0;
  std::vector<StateObject> objects;
  bool last = false;
  Lsn client_highest_lsn = 0;  // the requester's highest lsn included in this state
  std::string chain_hash;      // the chain hash at server_version (kChainHashBytes)
};

// What each adds to an encoded message, at most: a reply stays within a
// frame if kMessageOverheadBytes plus the sum of these does.
inline size_t EncodedSize(const UploadEntry& e) {
  return e.bytes.size() + kUploadEntryOverheadBytes;
}
inline size_t EncodedSize(const Changeset& c) { return c.bytes.size() + kChangesetOverheadBytes; }
inline size_t EncodedSize(const StateObject& o) {
  return o.key.size() + o.bytes.size() + kStateObjectOverheadBytes;
}

using Message = std::variant<Hello, HelloOk, Error, Upload, UploadAck, DownloadRequest, Changesets,
                             BootstrapRequest, BootstrapPage>;

// "hello", "upload-ack", ...: for logs and errors.
std::string_view MessageName(const Message& m);

// The frame body for `m` (without the length prefix). Uses the raw `bytes`
// of entries and objects; the decoded members are ignored.
std::string EncodeMessage(const Message& m);

// Decodes one frame body. Corruption (with what was wrong) on any malformed,
// truncated, oversized or unknown input.
Result<Message> DecodeMessage(std::string_view body);

// A changeset as the server stores it in its history (a Changeset table with
// file identifier "JDBC"), and its verified decoding.
std::string EncodeChangesetRecord(const Changeset& c);
Result<Changeset> DecodeChangesetRecord(std::string_view bytes);

}  // namespace journaldb::wire

#endif  // JOURNALDB_PROTOCOL_WIRE_CODEC_H_
