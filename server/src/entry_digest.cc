#include "entry_digest.h"

#include <openssl/evp.h>

#include <cstring>

#include "journaldb/protocol/wire_codec.h"

namespace journaldb::server {

Result<EntryDigest> DigestEntry(std::string_view bytes) {
  EntryDigest out{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != out.size())
    return Status::IOError("entry digest: OpenSSL SHA-256 failed");
  return out;
}

Result<EntryDigest> DigestOfChangesetRecord(std::string_view record) {
  Result<wire::Changeset> c = wire::DecodeChangesetRecord(record);
  if (!c.ok()) return c.status();
  return DigestEntry(c->bytes);
}

std::string EntryDigestBytes(const EntryDigest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::optional<EntryDigest> EntryDigestFromBytes(std::string_view bytes) {
  if (bytes.size() != EntryDigest().size()) return std::nullopt;
  EntryDigest d;
  std::memcpy(d.data(), bytes.data(), d.size());
  return d;
}

}  // namespace journaldb::server
