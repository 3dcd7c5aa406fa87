#include "journaldb/recovery/manifest_codec.h"

#include <fmt/format.h>


#include "journaldb/recovery/crc32c.h"
#include "journaldb/journal/aligned_bytes.h"
#include "manifest_generated.h"

namespace journaldb::recovery {

namespace {
constexpr std::string_view kMagic = "JDBMAN01";
constexpr size_t kHeaderBytes = 16;

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint32_t GetU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}
std::string Str(const flatbuffers::String* s) { return std::string(s->data(), s->size()); }
}  // namespace

std::string EncodeManifest(const RecoveryManifest& m) {
  flatbuffers::FlatBufferBuilder b(512);
  auto id = b.CreateString(m.recovery_id);
  auto reason = b.CreateString(m.reason);
  auto original = b.CreateString(m.original_path);
  auto version = b.CreateString(m.product_version);
  auto root = fb::CreateRecoveryManifest(
      b, 1, id, reason, m.created_time_us, original, m.old_client_id, m.old_epoch,
      m.download_cursor, m.upload_cursor, m.first_diverged_lsn, m.last_diverged_lsn,
      m.diverged_entries, m.diverged_ops, version);
  fb::FinishRecoveryManifestBuffer(b, root);
  std::string body(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  std::string out(kMagic);
  PutU32(out, static_cast<uint32_t>(body.size()));
  PutU32(out, Crc32c(body));
  return out + body;
}

Result<RecoveryManifest> DecodeManifest(std::string_view bytes, std::string_view where) {
  if (bytes.size() < kHeaderBytes || bytes.substr(0, kMagic.size()) != kMagic)
    return Status::Corruption(fmt::format("{}: not a recovery manifest (bad magic or {} bytes)",
                                          where, bytes.size()));
  uint32_t length = GetU32(bytes.substr(8, 4));
  uint32_t crc = GetU32(bytes.substr(12, 4));
  std::string_view body = bytes.substr(kHeaderBytes);
  if (length > kMaxManifestBytes)
    return Status::Corruption(fmt::format("{}: manifest length {} exceeds the limit", where, length));
  if (body.size() != length)
    return Status::Corruption(fmt::format("{}: manifest truncated or padded: header says {} bytes, "
                                          "file has {}", where, length, body.size()));
  if (Crc32c(body) != crc)
    return Status::Corruption(fmt::format("{}: manifest checksum mismatch (tampered or damaged)",
                                          where));
  if (body.size() < 8)
    return Status::Corruption(fmt::format("{}: manifest body of {} bytes is too short", where,
                                          body.size()));
  AlignedBytes aligned(body);
  auto* data = reinterpret_cast<const uint8_t*>(aligned.view().data());
  flatbuffers::Verifier verifier(data, body.size());
  if (!fb::RecoveryManifestBufferHasIdentifier(data) || !fb::VerifyRecoveryManifestBuffer(verifier))
    return Status::Corruption(fmt::format("{}: manifest fails verification", where));
  const fb::RecoveryManifest* m = fb::GetRecoveryManifest(data);
  if (m->format_version() != 1)
    return Status::Corruption(
        fmt::format("{}: unsupported manifest format version {}", where, m->format_version()));
  RecoveryManifest out;
  out.recovery_id = Str(m->recovery_id());
  out.reason = Str(m->reason());
  out.created_time_us = m->created_time_us();
  out.original_path = Str(m->original_path());
  out.old_client_id = m->old_client_id();
  out.old_epoch = m->old_epoch();
  out.download_cursor = m->download_cursor();
  out.upload_cursor = m->upload_cursor();
  out.first_diverged_lsn = m->first_diverged_lsn();
  out.last_diverged_lsn = m->last_diverged_lsn();
  out.diverged_entries = m->diverged_entries();
  out.diverged_ops = m->diverged_ops();
  out.product_version = Str(m->product_version());
  if (out.recovery_id.empty() || out.recovery_id.find('/') != std::string::npos)
    return Status::Corruption(fmt::format("{}: invalid recovery id", where));
  if ((out.first_diverged_lsn == 0) != (out.diverged_entries == 0) ||
      out.first_diverged_lsn > out.last_diverged_lsn)
    return Status::Corruption(fmt::format("{}: inconsistent diverged lsn range {}..{} for {} "
                                          "entries", where, out.first_diverged_lsn,
                                          out.last_diverged_lsn, out.diverged_entries));
  return out;
}

}  // namespace journaldb::recovery
