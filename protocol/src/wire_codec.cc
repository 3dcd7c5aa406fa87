#include "journaldb/protocol/wire_codec.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>

#include "journaldb/journal/aligned_bytes.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "protocol_generated.h"

namespace journaldb::wire {

namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

constexpr char kFrameIdentifier[] = "JDBW";
constexpr char kChangesetIdentifier[] = "JDBC";

Offset<flatbuffers::Vector<uint8_t>> Bytes(FlatBufferBuilder& b, std::string_view s) {
  return b.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string_view View(const flatbuffers::String* s) {
  return s ? std::string_view(s->data(), s->size()) : std::string_view();
}
std::string_view View(const flatbuffers::Vector<uint8_t>* v) {
  return v ? std::string_view(reinterpret_cast<const char*>(v->data()), v->size())
           : std::string_view();
}

std::string Finish(FlatBufferBuilder& b) {
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Offset<fb::Changeset> BuildChangeset(FlatBufferBuilder& b, const Changeset& c) {
  auto entry = Bytes(b, c.bytes);
  return fb::CreateChangeset(b, c.server_version, c.origin_client, c.origin_lsn, c.server_time_us,
                             entry);
}

// Each alternative's builder returns (union type, offset).
struct Builder {
  FlatBufferBuilder& b;

  std::pair<fb::Message, Offset<void>> operator()(const Hello& m) const {
    auto token = b.CreateString(m.token);
    return {fb::Message::Hello, fb::CreateHello(b, m.protocol_version, token, m.client_id, m.epoch,
                                                m.download_cursor, m.upload_cursor)
                                    .Union()};
  }
  std::pair<fb::Message, Offset<void>> operator()(const HelloOk& m) const {
    return {fb::Message::HelloOk, fb::CreateHelloOk(b, m.client_id, m.epoch, m.latest_version,
                                                    m.horizon, m.highest_stored_lsn)
                                      .Union()};
  }
  std::pair<fb::Message, Offset<void>> operator()(const Error& m) const {
    auto text = b.CreateString(m.message);
    return {fb::Message::Error,
            fb::CreateError(b, static_cast<fb::ErrorCode>(m.code), text,
                            static_cast<fb::ResetReason>(m.reset_reason), m.restored_latest_version)
                .Union()};
  }
  std::pair<fb::Message, Offset<void>> operator()(const Upload& m) const {
    std::vector<Offset<fb::UploadEntry>> entries;
    entries.reserve(m.entries.size());
    for (const UploadEntry& e : m.entries)
      entries.push_back(fb::CreateUploadEntry(b, e.lsn, Bytes(b, e.bytes)));
    auto vec = b.CreateVector(entries);
    return {fb::Message::Upload, fb::CreateUpload(b, m.client_id, vec).Union()};
  }
  std::pair<fb::Message, Offset<void>> operator()(const UploadAck& m) const {
    std::vector<fb::Ack> acks;
    acks.reserve(m.acks.size());
    for (const Ack& a : m.acks) acks.emplace_back(a.lsn, a.server_version);
    auto vec = b.CreateVectorOfStructs(acks);
    return {fb::Message::UploadAck, fb::CreateUploadAck(b, m.highest_lsn, vec).Union()};
  }
  std::pair<fb::Message, Offset<void>> operator()(const DownloadRequest& m) const {
    return {fb::Message::DownloadRequest,
            fb::CreateDownloadRequest(b, m.from_version, m.wait_ms).Union()};
  }
  std::pair<fb::Message, Offset<void>> operator()(const Changesets& m) const {
    std::vector<Offset<fb::Changeset>> list;
    list.reserve(m.changesets.size());
    for (const Changeset& c : m.changesets) list.push_back(BuildChangeset(b, c));
    auto vec = b.CreateVector(list);
    return {fb::Message::Changesets, fb::CreateChangesets(b, vec, m.latest_version).Union()};
  }
  std::pair<fb::Message, Offset<void>> operator()(const BootstrapRequest& m) const {
    auto key = Bytes(b, m.after_key);
    return {fb::Message::BootstrapRequest,
            fb::CreateBootstrapRequest(b, m.server_version, key).Union()};
  }
  std::pair<fb::Message, Offset<void>> operator()(const BootstrapPage& m) const {
    std::vector<Offset<fb::StateObject>> list;
    list.reserve(m.objects.size());
    for (const StateObject& o : m.objects) {
      auto k = Bytes(b, o.key);
      auto v = Bytes(b, o.bytes);
      list.push_back(fb::CreateStateObject(b, k, v));
    }
    auto vec = b.CreateVector(list);
    return {
        fb::Message::BootstrapPage,
        fb::CreateBootstrapPage(b, m.server_version, vec, m.last, m.client_highest_lsn).Union()};
  }
};

// --- decoding ----------------------------------------------------------------


Status Bad(std::string what) { return Status::Corruption("sync frame: " + std::move(what)); }

Result<Changeset> DecodeChangeset(const fb::Changeset* c, std::string_view where) {
  Changeset out;
  out.server_version = c->server_version();
  out.origin_client = c->origin_client();
  out.origin_lsn = c->origin_lsn();
  out.server_time_us = c->server_time_us();
  out.bytes = std::string(View(c->entry()));
  if (out.server_version == 0) return Bad(fmt::format("{}: server version 0", where));
  Result<JournalEntry> e = codec::DecodeEntry(out.bytes, out.origin_lsn);
  if (!e.ok())
    return Bad(
        fmt::format("{} (server version {}): {}", where, out.server_version, e.status().message()));
  out.entry = std::move(e).value();
  return out;
}

Result<Message> DecodeHello(const fb::Hello* m) {
  Hello out;
  out.protocol_version = m->protocol_version();
  out.token = std::string(View(m->token()));
  out.client_id = m->client_id();
  out.epoch = m->epoch();
  out.download_cursor = m->download_cursor();
  out.upload_cursor = m->upload_cursor();
  return Message(std::move(out));
}

Result<Message> DecodeError(const fb::Error* m) {
  auto code = static_cast<uint16_t>(m->code());
  auto reason = static_cast<uint16_t>(m->reset_reason());
  if (code == 0 || code > kMaxErrorCode) return Bad(fmt::format("error: unknown code {}", code));
  if (reason > kMaxResetReason) return Bad(fmt::format("error: unknown reset reason {}", reason));
  Error out;
  out.code = static_cast<ErrorCode>(code);
  out.message = std::string(View(m->message()));
  out.reset_reason = static_cast<ResetReason>(reason);
  out.restored_latest_version = m->restored_latest_version();
  return Message(std::move(out));
}

Result<Message> DecodeUpload(const fb::Upload* m) {
  Upload out;
  out.client_id = m->client_id();
  out.entries.reserve(m->entries()->size());
  Lsn previous = 0;
  for (const fb::UploadEntry* e : *m->entries()) {
    UploadEntry u;
    u.lsn = e->lsn();
    if (u.lsn <= previous)
      return Bad(fmt::format("upload: lsn {} after lsn {} (must increase)", u.lsn, previous));
    previous = u.lsn;
    u.bytes = std::string(View(e->entry()));
    Result<JournalEntry> entry = codec::DecodeEntry(u.bytes, u.lsn);
    if (!entry.ok()) return Bad(fmt::format("upload: {}", entry.status().message()));
    u.entry = std::move(entry).value();
    out.entries.push_back(std::move(u));
  }
  return Message(std::move(out));
}

Result<Message> DecodeUploadAck(const fb::UploadAck* m) {
  UploadAck out;
  out.highest_lsn = m->highest_lsn();
  if (m->acks()) {
    // The 2.0.8 Verifier checks a struct vector's length, not that its
    // elements are 8-byte aligned; a builder always aligns them, so a
    // misaligned one is a forged buffer.
    if (reinterpret_cast<uintptr_t>(m->acks()->Data()) % alignof(uint64_t) != 0)
      return Bad("upload-ack: misaligned ack vector");
    for (const fb::Ack* a : *m->acks()) out.acks.push_back({a->lsn(), a->server_version()});
  }
  return Message(std::move(out));
}

Result<Message> DecodeChangesets(const fb::Changesets* m) {
  Changesets out;
  out.latest_version = m->latest_version();
  out.changesets.reserve(m->changesets()->size());
  uint64_t previous = 0;
  for (const fb::Changeset* c : *m->changesets()) {
    Result<Changeset> cs = DecodeChangeset(c, "changesets");
    if (!cs.ok()) return cs.status();
    if (previous != 0 && cs->server_version != previous + 1)
      return Bad(fmt::format("changesets: server version {} after {} (must be consecutive)",
                             cs->server_version, previous));
    previous = cs->server_version;
    if (cs->server_version > out.latest_version)
      return Bad(fmt::format("changesets: server version {} beyond latest version {}",
                             cs->server_version, out.latest_version));
    out.changesets.push_back(std::move(cs).value());
  }
  return Message(std::move(out));
}

Result<Message> DecodeBootstrapPage(const fb::BootstrapPage* m) {
  BootstrapPage out;
  out.server_version = m->server_version();
  out.last = m->last();
  out.client_highest_lsn = m->client_highest_lsn();
  out.objects.reserve(m->objects()->size());
  std::string previous;
  for (const fb::StateObject* o : *m->objects()) {
    StateObject s;
    s.key = std::string(View(o->key()));
    auto parsed = layout::ParseStateKey(s.key);
    if (!parsed) return Bad("bootstrap page: malformed object key");
    if (!previous.empty() && s.key <= previous)
      return Bad("bootstrap page: object keys out of order");
    s.bytes = std::string(View(o->object()));
    std::string where = fmt::format("{}/{}", parsed->first, parsed->second);
    Result<FieldMap> fields = codec::DecodeObject(s.bytes, where);
    if (!fields.ok()) return Bad(fmt::format("bootstrap page: {}", fields.status().message()));
    if (Status v =
            Operation::Upsert(std::string(parsed->first), std::string(parsed->second), *fields)
                .Validate();
        !v.ok())
      return Bad(fmt::format("bootstrap page: {}", v.message()));
    s.fields = std::move(fields).value();
    previous = s.key;
    out.objects.push_back(std::move(s));
  }
  return Message(std::move(out));
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
  auto [type, offset] = std::visit(Builder{b}, m);
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
  const fb::Frame* frame = fb::GetFrame(data);
  switch (frame->message_type()) {
    case fb::Message::Hello:
      return DecodeHello(frame->message_as_Hello());
    case fb::Message::HelloOk: {
      const fb::HelloOk* m = frame->message_as_HelloOk();
      return Message(HelloOk{m->client_id(), m->epoch(), m->latest_version(), m->horizon(),
                             m->highest_stored_lsn()});
    }
    case fb::Message::Error:
      return DecodeError(frame->message_as_Error());
    case fb::Message::Upload:
      return DecodeUpload(frame->message_as_Upload());
    case fb::Message::UploadAck:
      return DecodeUploadAck(frame->message_as_UploadAck());
    case fb::Message::DownloadRequest: {
      const fb::DownloadRequest* m = frame->message_as_DownloadRequest();
      return Message(DownloadRequest{m->from_version(), m->wait_ms()});
    }
    case fb::Message::Changesets:
      return DecodeChangesets(frame->message_as_Changesets());
    case fb::Message::BootstrapRequest: {
      const fb::BootstrapRequest* m = frame->message_as_BootstrapRequest();
      return Message(BootstrapRequest{m->server_version(), std::string(View(m->after_key()))});
    }
    case fb::Message::BootstrapPage:
      return DecodeBootstrapPage(frame->message_as_BootstrapPage());
    default:
      break;
  }
  return Bad(fmt::format("unknown message type {}", static_cast<int>(frame->message_type())));
}

std::string EncodeChangesetRecord(const Changeset& c) {
  FlatBufferBuilder b(256 + c.bytes.size());
  b.Finish(BuildChangeset(b, c), kChangesetIdentifier);
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
  return DecodeChangeset(flatbuffers::GetRoot<fb::Changeset>(data), "stored changeset");
}

}  // namespace journaldb::wire
