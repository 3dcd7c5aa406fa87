#include "journaldb/protocol/wire_codec.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>

#include "journaldb/journal/aligned_bytes.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "protocol_generated.h"
#include "wire_schema.h"

namespace journaldb::wire {

namespace {

using flatbuffers::FlatBufferBuilder;

constexpr char kFrameIdentifier[] = "JDBW";
constexpr char kChangesetIdentifier[] = "JDBC";

// The hand range checks below take the bounds from the schema.
static_assert(kMaxErrorCode == static_cast<uint16_t>(fb::ErrorCode::MAX));
static_assert(kMaxResetReason == static_cast<uint16_t>(fb::ResetReason::MAX));

std::string Finish(FlatBufferBuilder& b) {
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Status Bad(std::string what) { return Status::Corruption("sync frame: " + std::move(what)); }

// --- what a verified buffer can still get wrong ---------------------------------
// Check(m) runs after Read(): the enum ranges, orderings and nested journal
// bytes the FlatBuffers Verifier does not check. Messages without such rules
// pass as read.

template <class S>
Status Check(S&) {
  return Status::OK();
}

// A chain hash is absent (a peer from before the chain) or whole.
Status CheckChainHash(const std::string& hash, std::string_view where) {
  if (hash.empty() || hash.size() == kChainHashBytes) return Status::OK();
  return Bad(fmt::format("{}: chain hash of {} bytes (must be {} or none)", where, hash.size(),
                         kChainHashBytes));
}

Status Check(Hello& m) { return CheckChainHash(m.download_hash, "hello"); }

Status CheckChangeset(Changeset& c, std::string_view where) {
  if (c.server_version == 0) return Bad(fmt::format("{}: server version 0", where));
  Result<JournalEntry> e = codec::DecodeEntry(c.bytes, c.origin_lsn);
  if (!e.ok())
    return Bad(
        fmt::format("{} (server version {}): {}", where, c.server_version, e.status().message()));
  c.entry = std::move(e).value();
  return Status::OK();
}

Status Check(Error& m) {
  auto code = static_cast<uint16_t>(m.code);
  auto reason = static_cast<uint16_t>(m.reset_reason);
  if (code == 0 || code > kMaxErrorCode) return Bad(fmt::format("error: unknown code {}", code));
  if (reason > kMaxResetReason) return Bad(fmt::format("error: unknown reset reason {}", reason));
  return Status::OK();
}

Status Check(Upload& m) {
  Lsn previous = 0;
  for (UploadEntry& u : m.entries) {
    if (u.lsn <= previous)
      return Bad(fmt::format("upload: lsn {} after lsn {} (must increase)", u.lsn, previous));
    previous = u.lsn;
    Result<JournalEntry> entry = codec::DecodeEntry(u.bytes, u.lsn);
    if (!entry.ok()) return Bad(fmt::format("upload: {}", entry.status().message()));
    u.entry = std::move(entry).value();
  }
  return Status::OK();
}

Status Check(Changesets& m) {
  if (Status s = CheckChainHash(m.chain_hash, "changesets"); !s.ok()) return s;
  uint64_t previous = 0;
  for (Changeset& c : m.changesets) {
    if (Status s = CheckChangeset(c, "changesets"); !s.ok()) return s;
    if (previous != 0 && c.server_version != previous + 1)
      return Bad(fmt::format("changesets: server version {} after {} (must be consecutive)",
                             c.server_version, previous));
    previous = c.server_version;
    if (c.server_version > m.latest_version)
      return Bad(fmt::format("changesets: server version {} beyond latest version {}",
                             c.server_version, m.latest_version));
  }
  return Status::OK();
}

Status Check(BootstrapPage& m) {
  if (Status s = CheckChainHash(m.chain_hash, "bootstrap page"); !s.ok()) return s;
  const std::string* previous = nullptr;
  for (StateObject& s : m.objects) {
    auto parsed = layout::ParseStateKey(s.key);
    if (!parsed) return Bad("bootstrap page: malformed object key");
    if (previous != nullptr && s.key <= *previous)
      return Bad("bootstrap page: object keys out of order");
    std::string where = fmt::format("{}/{}", parsed->first, parsed->second);
    Result<FieldMap> fields = codec::DecodeObject(s.bytes, where);
    if (!fields.ok()) return Bad(fmt::format("bootstrap page: {}", fields.status().message()));
    if (Status v =
            Operation::Upsert(std::string(parsed->first), std::string(parsed->second), *fields)
                .Validate();
        !v.ok())
      return Bad(fmt::format("bootstrap page: {}", v.message()));
    s.fields = std::move(fields).value();
    previous = &s.key;
  }
  return Status::OK();
}

// The message the frame's union holds, tried against each alternative of
// Message in turn; the union tag of each comes from the generated code.
template <size_t I = 0>
Result<Message> DecodeUnion(const fb::Frame* frame, DecodeBudget& budget) {
  if constexpr (I == std::variant_size_v<Message>) {
    // NONE, or a type a newer schema appended: the Verifier let it through.
    return Bad(fmt::format("unknown message type {}", static_cast<int>(frame->message_type())));
  } else {
    using S = std::variant_alternative_t<I, Message>;
    using Table = TableOf<S>;
    if (frame->message_type() != fb::MessageTraits<Table>::enum_value)
      return DecodeUnion<I + 1>(frame, budget);
    S out;
    if (Status s = Read(static_cast<const Table*>(frame->message()), &out, budget); !s.ok())
      return s;
    if (Status s = Check(out); !s.ok()) return s;
    return Message(std::move(out));
  }
}

}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNone:
      return "none";
    case ErrorCode::kBadFrame:
      return "bad-frame";
    case ErrorCode::kUnsupportedVersion:
      return "unsupported-version";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kWrongClient:
      return "wrong-client";
    case ErrorCode::kBadCursor:
      return "bad-cursor";
    case ErrorCode::kClientReset:
      return "client-reset";
    case ErrorCode::kProtocolViolation:
      return "protocol-violation";
    case ErrorCode::kServerError:
      return "server-error";
    case ErrorCode::kShuttingDown:
      return "shutting-down";
    case ErrorCode::kBadClientSecret:
      return "bad-client-secret";
  }
  return "unknown";
}

std::string_view ResetReasonName(ResetReason reason) {
  switch (reason) {
    case ResetReason::kNone:
      return "none";
    case ResetReason::kUnknownClient:
      return "unknown-client";
    case ResetReason::kOperatorReset:
      return "operator-reset";
    case ResetReason::kEpochMismatch:
      return "epoch-mismatch";
    case ResetReason::kHistoryTrimmed:
      return "history-trimmed";
    case ResetReason::kServerRollback:
      return "server-rollback";
    case ResetReason::kUnverifiableClient:
      return "unverifiable-client";
    case ResetReason::kClientRollback:
      return "client-rollback";
  }
  return "unknown";
}

std::string_view MessageName(const Message& m) {
  static constexpr std::string_view kNames[] = {
      "hello",      "hello-ok",          "error",
      "upload",     "upload-ack",        "download-request",
      "changesets", "bootstrap-request", "bootstrap-page"};
  return kNames[m.index()];
}

std::string EncodeMessage(const Message& m) {
  FlatBufferBuilder b(1024);
  auto [type, offset] = std::visit(
      [&](const auto& message) {
        using Table = TableOf<std::remove_cvref_t<decltype(message)>>;
        const fb::Message tag = fb::MessageTraits<Table>::enum_value;
        return std::pair(tag, Build(b, message).Union());
      },
      m);
  fb::FinishFrameBuffer(b, fb::CreateFrame(b, type, offset));
  return Finish(b);
}

Result<Message> DecodeMessage(std::string_view unaligned) {
  AlignedBytes aligned(unaligned);
  std::string_view body = aligned.view();
  if (body.size() > kMaxFrameBytes)
    return Bad(fmt::format("{} bytes exceeds the {} byte limit", body.size(), kMaxFrameBytes));
  if (body.size() < 8) return Bad(fmt::format("truncated ({} bytes)", body.size()));
  auto* data = reinterpret_cast<const uint8_t*>(body.data());
  if (!flatbuffers::BufferHasIdentifier(data, kFrameIdentifier))
    return Bad("not a sync frame (bad identifier)");
  flatbuffers::Verifier verifier(data, body.size());
  if (!fb::VerifyFrameBuffer(verifier)) return Bad("fails verification (truncated or damaged)");
  DecodeBudget budget(body.size());
  return DecodeUnion(fb::GetFrame(data), budget);
}

std::string EncodeChangesetRecord(const Changeset& c) {
  FlatBufferBuilder b(256 + c.bytes.size());
  b.Finish(Build(b, c), kChangesetIdentifier);
  return Finish(b);
}

Result<Changeset> DecodeChangesetRecord(std::string_view unaligned) {
  AlignedBytes aligned(unaligned);
  std::string_view bytes = aligned.view();
  if (bytes.size() > kMaxFrameBytes || bytes.size() < 8)
    return Status::Corruption(fmt::format("stored changeset: bad size {}", bytes.size()));
  auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (!flatbuffers::BufferHasIdentifier(data, kChangesetIdentifier))
    return Status::Corruption("stored changeset: bad identifier");
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!verifier.VerifyBuffer<fb::Changeset>(kChangesetIdentifier))
    return Status::Corruption("stored changeset: fails verification");
  Changeset out;
  DecodeBudget budget(bytes.size());
  if (Status s = Read(flatbuffers::GetRoot<fb::Changeset>(data), &out, budget); !s.ok()) return s;
  if (Status s = CheckChangeset(out, "stored changeset"); !s.ok()) return s;
  return out;
}

}  // namespace journaldb::wire
