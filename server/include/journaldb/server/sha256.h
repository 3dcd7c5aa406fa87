// Sha256Digest: the one SHA-256 value the server keeps and sends, whatever
// it digests: the history's chain hash (chain_hash.h), the entry digest the
// origins keep (src/entry_digest.h) and a client secret's hash
// (client_secret.h) are each this type under the name that says what.
//
//   Result<Sha256Digest> d = Sha256Of({header, body}, "entry digest");
//   std::string stored = DigestBytes(*d);                   // 32 raw bytes
//   std::optional<Sha256Digest> read = DigestFromBytes(stored);
//
// Thread safety: pure functions.
#ifndef JOURNALDB_SERVER_SHA256_H_
#define JOURNALDB_SERVER_SHA256_H_

#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::server {

using Sha256Digest = std::array<unsigned char, 32>;

// SHA-256 (OpenSSL) of `parts`, one after the other. IOError
// "<what>: OpenSSL SHA-256 failed" only if OpenSSL cannot allocate its
// digest context.
Result<Sha256Digest> Sha256Of(std::initializer_list<std::string_view> parts, std::string_view what);

// The digest as raw bytes, as the wire and the stores carry it.
std::string DigestBytes(const Sha256Digest& digest);
// The inverse; nullopt unless `bytes` is exactly 32 bytes long.
std::optional<Sha256Digest> DigestFromBytes(std::string_view bytes);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SHA256_H_
